/* cmd_rules.c - `mainlevee rules`: the risk profile's stored versions,
 * listed and shown, and a profile file checked or imported as a new
 * version (the same checks as PUT /v1/rules: the loader, consumers not
 * profiled, rule versions that rise). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "mlv/codec.h"
#include "mlv/decimal.h"
#include "mlv/filing.h"
#include "mlv/risk.h"
#include "mlv/riskstore.h"
#include "mlv/store.h"

static const char *actor_flag = NULL;

const cli_flag rules_flags[] = {
	{"actor", "NAME", "who makes the version, as recorded with it (default cli:$USER)",
	 &actor_flag, NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

static int open_store(const mlv_config *cfg, bool write, mlv_store **st)
{
	char err[512] = "";
	mlv_store_opts so = MLV_STORE_OPTS_INIT;
	so.path = cfg->db_path;
	so.read_only = !write;
	so.synchronous_full = cfg->synchronous_full;
	if (write && cli_make_parent_dir(cfg->db_path) != 0) {
		fprintf(stderr, "mainlevee rules: cannot create the directory of %s\n", cfg->db_path);
		return -1;
	}
	if (mlv_store_open(st, &so, err, sizeof(err)) != 0) {
		fprintf(stderr, "mainlevee rules: cannot open %s: %s\n", cfg->db_path, err);
		return -1;
	}
	return 0;
}

static int print_version(void *ctx, const mlv_rules_version *v)
{
	(void)ctx;
	char at[21];
	mlv_datetime_format(v->created_ms / 1000, at);
	printf("%6lld  %s  %6lld rules  %-24s %s\n", (long long)v->version, at, (long long)v->rules,
	       v->actor, v->summary);
	return 0;
}

static int versions(const mlv_config *cfg)
{
	mlv_store *st = NULL;
	if (open_store(cfg, false, &st) != 0)
		return 1;
	printf("%6s  %-20s  %12s  %-24s %s\n", "VERSION", "CREATED (UTC)", "RULES", "BY", "CHANGE");
	int rc = mlv_store_rules_list(st, 0, 1000000, print_version, NULL);
	mlv_store_close(st);
	if (rc != 0) {
		fprintf(stderr, "mainlevee rules: %s\n", mlv_strerror(rc));
		return 1;
	}
	return 0;
}

static int show(const mlv_config *cfg, const char *arg)
{
	int64_t n = 0;
	if (arg != NULL) {
		char *end;
		errno = 0;
		long long v = strtoll(arg, &end, 10);
		if (errno != 0 || *end != '\0' || v <= 0) {
			fprintf(stderr, "mainlevee rules show: N is a version number\n");
			return 2;
		}
		n = v;
	}
	mlv_store *st = NULL;
	if (open_store(cfg, false, &st) != 0)
		return 1;
	mlv_rules_version v;
	mlv_buf text = MLV_BUF_INIT(MLV_RISK_MAX_TEXT + 1);
	int rc = n ? mlv_store_rules_get(st, n, &v, &text) : mlv_store_rules_latest(st, &v, &text);
	mlv_store_close(st);
	if (rc == 0)
		fwrite(text.data ? text.data : "", 1, text.len, stdout);
	else if (rc == MLV_ENOTFOUND)
		fprintf(stderr, "mainlevee rules show: no such version stored\n");
	else
		fprintf(stderr, "mainlevee rules show: %s\n", mlv_strerror(rc));
	mlv_buf_free(&text);
	return rc == 0 ? 0 : 1;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	mlv_buf b = MLV_BUF_INIT(MLV_RISK_MAX_TEXT + 1);
	char chunk[65536];
	size_t n;
	int rc = 0;
	while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = mlv_buf_add(&b, chunk, n);
	bool bad = rc != 0 || ferror(f);
	fclose(f);
	if (bad) {
		mlv_buf_free(&b);
		return NULL;
	}
	return mlv_buf_detach(&b, len);
}

/* Checks FILE against the rules in force; prints every problem. */
static int check_file(const char *path, const mlv_risk_profile *live, const mlv_refdata *rd,
		      mlv_risk_profile **out)
{
	size_t len = 0;
	char *text = read_file(path, &len);
	if (text == NULL) {
		fprintf(stderr, "mainlevee rules: cannot read %s (or larger than %u bytes)\n", path,
			MLV_RISK_MAX_TEXT);
		return 1;
	}
	mlv_risk_text_problem probs[MLV_RISK_TEXT_PROBLEMS_MAX];
	size_t n = 0;
	int rc = mlv_risk_profile_check(out, text, len, path, rd, probs, MLV_ARRAY_LEN(probs), &n);
	free(text);
	if (rc == 0 && live != NULL)
		rc = mlv_risk_profile_check_versions(live, *out, probs, MLV_ARRAY_LEN(probs), &n);
	if (rc == MLV_ENOMEM) {
		fprintf(stderr, "mainlevee rules: out of memory\n");
		return 1;
	}
	if (rc != 0) {
		size_t shown = n < MLV_ARRAY_LEN(probs) ? n : MLV_ARRAY_LEN(probs);
		for (size_t i = 0; i < shown; i++)
			fprintf(stderr, "%s:%zu: %s\n", path, probs[i].line, probs[i].message);
		if (n > shown)
			fprintf(stderr, "%s: %zu more problems\n", path, n - shown);
		mlv_risk_profile_free(*out);
		*out = NULL;
		return 1;
	}
	return 0;
}

struct summary {
	char text[256];
	size_t n;
};

static int add_change(void *ctx, const mlv_risk_change *c)
{
	struct summary *s = ctx;
	static const char *const kinds[] = {"", "added", "removed", "changed", "settings changed"};
	size_t used = strlen(s->text);
	if (used + 48 < sizeof(s->text))
		snprintf(s->text + used, sizeof(s->text) - used, "%s%s%s%s", s->n ? "; " : "",
			 kinds[c->kind], c->id ? " " : "", c->id ? c->id : "");
	else if (used + 5 < sizeof(s->text) && strcmp(s->text + used - 3, "...") != 0)
		snprintf(s->text + used, sizeof(s->text) - used, "; ...");
	s->n++;
	return 0;
}

static int check_or_import(const mlv_config *cfg, const char *path, bool import)
{
	mlv_refdata *rd = NULL;
	if (cli_load_refdata(cfg, &rd) != 0)
		return 1;
	cli_risk risk;
	int status = 1;
	mlv_store *st = NULL;
	mlv_risk_profile *next = NULL, *live = NULL;
	if (cli_load_risk(cfg, rd, &risk) != 0) {
		mlv_refdata_free(rd);
		return 1;
	}
	if (!import) {
		status = check_file(path, risk.profile, rd, &next);
		if (status == 0)
			printf("%s: %zu rules, valid against the rules in force (version %lld)\n", path,
			       mlv_risk_profile_rule_count(next),
			       (long long)mlv_risk_profile_version(risk.profile));
		goto done;
	}
	if (open_store(cfg, true, &st) != 0)
		goto done;
	/* What is in force: the newest stored version, else the configured file,
	 * stored first so that it stays readable as a version. */
	char err[512] = "";
	mlv_rules_version v;
	bool seeded = false;
	int rc = mlv_riskstore_load_or_seed(st, rd, risk.profile, risk.source, mlv_now_ms(), &live,
					    &v, &seeded, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "mainlevee rules import: the rules in force do not load: %s\n",
			err[0] ? err : mlv_strerror(rc));
		goto done;
	}
	if (seeded)
		printf("stored version %lld: the configured rules (%s), in force until now\n",
		       (long long)v.version, risk.source);
	if ((status = check_file(path, live, rd, &next)) != 0)
		goto done;
	struct summary sum = {"", 0};
	mlv_risk_profile_diff(live, next, add_change, &sum);
	if (sum.n == 0) {
		printf("unchanged: version %lld is already these rules\n", (long long)v.version);
		status = 0;
		goto done;
	}
	char actor[96];
	const char *user = getenv("USER");
	if (actor_flag != NULL)
		snprintf(actor, sizeof(actor), "%s", actor_flag);
	else
		snprintf(actor, sizeof(actor), "cli:%s", user && user[0] ? user : "unknown");
	int64_t version = 0;
	rc = mlv_riskstore_next_version(st, mlv_risk_profile_version(live), &version);
	if (rc == 0)
		rc = mlv_riskstore_save_rules(st, next, version, actor, sum.text, mlv_now_ms(), &v);
	if (rc != 0) {
		fprintf(stderr, "mainlevee rules import: cannot store the version: %s\n",
			mlv_strerror(rc));
		status = 1;
		goto done;
	}
	printf("stored version %lld (%s), audit event %lld\n", (long long)v.version, v.summary,
	       (long long)v.event_id);
	status = 0;
done:
	mlv_risk_profile_free(next);
	mlv_risk_profile_free(live);
	mlv_store_close(st);
	cli_risk_free(&risk);
	mlv_refdata_free(rd);
	return status;
}

int cmd_rules(int argc, char **argv, const mlv_config *cfg)
{
	if (argc >= 1 && strcmp(argv[0], "versions") == 0 && argc == 1)
		return versions(cfg);
	if (argc >= 1 && strcmp(argv[0], "show") == 0 && argc <= 2)
		return show(cfg, argc == 2 ? argv[1] : NULL);
	if (argc == 2 && strcmp(argv[0], "check") == 0)
		return check_or_import(cfg, argv[1], false);
	if (argc == 2 && strcmp(argv[0], "import") == 0)
		return check_or_import(cfg, argv[1], true);
	fprintf(stderr, "usage: mainlevee rules versions | show [N] | check FILE | import FILE "
			"[--actor NAME]\n");
	return 2;
}
