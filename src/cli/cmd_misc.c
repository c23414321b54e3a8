/* cmd_misc.c - `mainlevee key`, `config` and `docs`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "mlv/codec.h"
#include "mlv/decimal.h"
#include "mlv/docgen.h"
#include "mlv/filing.h"
#include "mlv/lifecycle.h"
#include "mlv/store.h"

static const char *key_filer, *key_label, *key_expires, *key_prefix, *key_role = "filer";
static const char *acct_filer, *acct_ceiling;
static bool purge_dry;

const cli_flag purge_flags[] = {
	{"dry-run", NULL, "count what would be purged, change nothing", NULL, &purge_dry},
	{NULL, NULL, NULL, NULL, NULL},
};

int cmd_purge(int argc, char **argv, const mlv_config *cfg)
{
	(void)argv;
	if (argc != 0) {
		fprintf(stderr, "mainlevee purge: takes no arguments (see --help)\n");
		return 2;
	}
	mlv_refdata *rd = NULL;
	if (cli_load_refdata(cfg, &rd) != 0)
		return 1;
	char err[512] = "";
	mlv_store_opts so = MLV_STORE_OPTS_INIT;
	so.path = cfg->db_path;
	mlv_store *st = NULL;
	if (mlv_store_open(&st, &so, err, sizeof(err)) != 0) {
		fprintf(stderr, "mainlevee purge: cannot open the store %s: %s\n", cfg->db_path, err);
		mlv_refdata_free(rd);
		return 1;
	}
	mlv_purge_counts n;
	int64_t before = mlv_now_ms() - (int64_t)cfg->retention_days * 86400000;
	int rc = mlv_store_purge(st, rd, before, purge_dry, &n);
	if (rc == 0)
		printf("%s personal data of %llu consignments (%llu versions) filed more than %u "
		       "days ago; %llu versions could not be read and were left as they are\n"
		       "%s %llu referral answers and %llu referral documents of those consignments, "
		       "and the contacts of %llu superseded operator records\n",
		       purge_dry ? "would purge the" : "purged the",
		       (unsigned long long)n.consignments, (unsigned long long)n.versions,
		       cfg->retention_days, (unsigned long long)n.skipped,
		       purge_dry ? "would purge" : "purged", (unsigned long long)n.answers,
		       (unsigned long long)n.documents, (unsigned long long)n.registry);
	else
		fprintf(stderr, "mainlevee purge: %s (nothing was changed)\n", mlv_strerror(rc));
	mlv_store_close(st);
	mlv_refdata_free(rd);
	return rc == 0 ? 0 : 1;
}

const cli_flag account_flags[] = {
	{"filer", "NAME", "the filer whose account it is (created if new)", &acct_filer, NULL},
	{"ceiling", "AMOUNT", "guarantee ceiling in the administration's currency", &acct_ceiling,
	 NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

int cmd_account(int argc, char **argv, const mlv_config *cfg)
{
	if (argc != 1 || strcmp(argv[0], "open") != 0 || acct_filer == NULL ||
	    acct_ceiling == NULL) {
		fprintf(stderr, "mainlevee account: open --filer NAME --ceiling AMOUNT\n");
		return 2;
	}
	mlv_refdata *rd = NULL;
	if (cli_load_refdata(cfg, &rd) != 0)
		return 1;
	int mu = mlv_currency_minor_units(rd, cfg->currency);
	mlv_refdata_free(rd);
	int64_t ceiling;
	if (mu < 0 || mlv_decimal_parse(acct_ceiling, strlen(acct_ceiling), mu, 0, &ceiling) !=
			      MLV_DEC_OK) {
		fprintf(stderr, "mainlevee account: --ceiling is an amount in %s such as 5000.00\n",
			cfg->currency);
		return 2;
	}
	char err[512] = "";
	mlv_store_opts so = MLV_STORE_OPTS_INIT;
	so.path = cfg->db_path;
	mlv_store *st = NULL;
	if (cli_make_parent_dir(cfg->db_path) != 0 || mlv_store_open(&st, &so, err, sizeof(err)) != 0) {
		fprintf(stderr, "mainlevee account: cannot open the store %s: %s\n", cfg->db_path, err);
		return 1;
	}
	int64_t filer = 0;
	mlv_account a;
	int rc = mlv_store_filer_ensure(st, acct_filer, &filer);
	if (rc == 0)
		rc = mlv_store_account_open(st, filer, cfg->currency, ceiling, mlv_now_ms(), &a);
	if (rc == 0)
		printf("account %lld of %s: ceiling %s %s\n", (long long)a.id, acct_filer, acct_ceiling,
		       a.currency);
	else
		fprintf(stderr, "mainlevee account: %s\n",
			rc == MLV_ECONFLICT ? "the filer has an account in another currency"
					    : mlv_strerror(rc));
	mlv_store_close(st);
	return rc == 0 ? 0 : 1;
}

const cli_flag key_flags[] = {
	{"filer", "NAME", "create: the filer the key belongs to (created if new); list: that "
			  "filer's keys only", &key_filer, NULL},
	{"label", "TEXT", "create: a note to recognise the key by", &key_label, NULL},
	{"expires-days", "N", "create: days until the key expires (default: never)", &key_expires,
	 NULL},
	{"prefix", "PREFIX", "revoke: the first 12 characters of the key", &key_prefix, NULL},
	{"role", "ROLE", "create: filer (default), officer, analyst, supervisor, auditor, agency, "
			 "partner or admin (docs/security.md); for a customs role --filer names "
			 "the person or service", &key_role, NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

/* One line of `key list`. */
static int print_key(void *ctx, const mlv_key_info *k)
{
	int64_t now = *(const int64_t *)ctx;
	char created[21], expires[21] = "never";
	mlv_datetime_format(k->created_at, created);
	if (k->expires_at)
		mlv_datetime_format(k->expires_at, expires);
	const char *state = k->revoked_at ? "revoked"
			    : k->expires_at && k->expires_at <= now ? "expired"
								     : "active";
	printf("%-13s %-10s %-8s %-24.24s %-20s %-20s %s\n", k->prefix, k->role, state, k->filer,
	       created, expires, k->label);
	return 0;
}

static int list_keys(const mlv_config *cfg)
{
	char err[512] = "";
	mlv_store_opts so = MLV_STORE_OPTS_INIT;
	so.path = cfg->db_path;
	so.read_only = true;
	mlv_store *st = NULL;
	if (mlv_store_open(&st, &so, err, sizeof(err)) != 0) {
		fprintf(stderr, "mainlevee key list: cannot open the store %s: %s\n", cfg->db_path,
			err);
		return 1;
	}
	int64_t now = (int64_t)time(NULL);
	printf("%-13s %-10s %-8s %-24s %-20s %-20s %s\n", "PREFIX", "ROLE", "STATE", "FILER",
	       "CREATED", "EXPIRES", "LABEL");
	int rc = mlv_store_key_list(st, key_filer, print_key, &now);
	if (rc != 0)
		fprintf(stderr, "mainlevee key list: %s\n", mlv_strerror(rc));
	mlv_store_close(st);
	return rc == 0 ? 0 : 1;
}

int cmd_key(int argc, char **argv, const mlv_config *cfg)
{
	if (argc == 1 && strcmp(argv[0], "list") == 0)
		return list_keys(cfg);
	if (argc != 1 || (strcmp(argv[0], "create") != 0 && strcmp(argv[0], "revoke") != 0)) {
		fprintf(stderr, "mainlevee key: say 'create', 'list' or 'revoke' (see --help)\n");
		return 2;
	}
	bool create = strcmp(argv[0], "create") == 0;
	if (create && (key_filer == NULL || key_filer[0] == '\0' || strlen(key_filer) > 60)) {
		fprintf(stderr, "mainlevee key create: --filer NAME (1 to 60 characters) is required\n");
		return 2;
	}
	if (create && !mlv_store_role_valid(key_role)) {
		fprintf(stderr, "mainlevee key create: --role is one of filer, officer, analyst, "
				"supervisor, auditor, agency, partner, admin\n");
		return 2;
	}
	if (!create && key_prefix == NULL) {
		fprintf(stderr, "mainlevee key revoke: --prefix PREFIX is required\n");
		return 2;
	}
	unsigned long long days = 0;
	if (key_expires != NULL && (!cli_parse_count(key_expires, &days) || days == 0 ||
				    days > 3650)) {
		fprintf(stderr, "mainlevee key: --expires-days must be 1 to 3650\n");
		return 2;
	}
	char err[512] = "", token[96];
	mlv_store_opts so = MLV_STORE_OPTS_INIT;
	so.path = cfg->db_path;
	mlv_store *st = NULL;
	if (cli_make_parent_dir(cfg->db_path) != 0 || mlv_store_open(&st, &so, err, sizeof(err)) != 0) {
		fprintf(stderr, "mainlevee key: cannot open the store %s: %s\n", cfg->db_path, err);
		return 1;
	}
	int rc;
	if (create) {
		int64_t filer = 0;
		int64_t expires = days ? (int64_t)time(NULL) + (int64_t)days * 86400 : 0;
		rc = mlv_store_filer_ensure(st, key_filer, &filer);
		if (rc == 0)
			rc = mlv_store_key_create_role(st, filer, key_label, expires, key_role, token,
						       sizeof(token));
		if (rc == 0)
			printf("%s\n", token);
	} else {
		rc = mlv_store_key_revoke(st, key_prefix);
		if (rc == MLV_ENOTFOUND)
			fprintf(stderr, "mainlevee key revoke: no active key starts with %s\n",
				key_prefix);
	}
	if (rc != 0 && rc != MLV_ENOTFOUND)
		fprintf(stderr, "mainlevee key: %s\n", mlv_strerror(rc));
	mlv_store_close(st);
	return rc == 0 ? 0 : 1;
}

int cmd_config(int argc, char **argv, const mlv_config *cfg)
{
	mlv_buf b = MLV_BUF_INIT((size_t)1 << 20);
	int rc;
	if (argc == 1 && strcmp(argv[0], "example") == 0) {
		rc = mlv_config_example(&b);
	} else if (argc == 1 && strcmp(argv[0], "show") == 0) {
		rc = mlv_buf_printf(&b,
				    "[server]\naddress = %s\nport = %u\nthreads = %u\ntimeout = %u\n"
				    "max_connections = %u\naccess_log = %s\n\n[store]\npath = %s\n"
				    "synchronous_full = %s\n\n[data]\ndir = %s\n\n[customs]\ncountry = %s\n"
				    "currency = %s\nlow_value_ceiling = %s\ntimely_hours = %u\n\n"
				    "[limits]\nmax_body = %zu\nmax_batch_body = %zu\n"
				    "max_batch_lines = %u\nmax_page = %u\n\n[writer]\nbatch = %u\n"
				    "queue = %u\n",
				    cfg->address, cfg->port, cfg->threads, cfg->timeout_s,
				    cfg->max_connections, cfg->access_log ? "true" : "false",
				    cfg->db_path, cfg->synchronous_full ? "true" : "false",
				    cfg->data_dir, cfg->country, cfg->currency, cfg->low_value_ceiling,
				    cfg->timely_hours, cfg->max_body, cfg->max_batch_body,
				    cfg->max_batch_lines, cfg->max_page, cfg->writer_batch,
				    cfg->writer_queue);
	} else {
		fprintf(stderr, "mainlevee config: say 'example' or 'show'\n");
		return 2;
	}
	if (rc == 0)
		fputs(b.data, stdout);
	mlv_buf_free(&b);
	return rc == 0 ? 0 : 1;
}

/* Reads the template and puts the generated schemas at its marker line. */
static int openapi(const char *template_path, mlv_buf *out)
{
	FILE *f = fopen(template_path, "r");
	if (f == NULL) {
		fprintf(stderr, "mainlevee docs: cannot open %s: %s\n", template_path, strerror(errno));
		return MLV_EIO;
	}
	mlv_buf t = MLV_BUF_INIT((size_t)4 << 20);
	char chunk[8192];
	size_t n;
	int rc = 0;
	while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = mlv_buf_add(&t, chunk, n);
	if (rc == 0 && ferror(f))
		rc = MLV_EIO;
	fclose(f);
	if (rc == 0)
		rc = mlv_docgen_openapi(t.data ? t.data : "", t.len, out);
	if (rc == MLV_EINVALID)
		fprintf(stderr, "mainlevee docs: %s has no '# @generated-schemas' line\n",
			template_path);
	mlv_buf_free(&t);
	return rc;
}

int cmd_docs(int argc, char **argv, const mlv_config *cfg)
{
	(void)cfg;
	mlv_buf b = MLV_BUF_INIT((size_t)8 << 20);
	int rc;
	if (argc == 1 && strcmp(argv[0], "dataset") == 0)
		rc = mlv_docgen_dataset(&b);
	else if (argc == 1 && strcmp(argv[0], "lifecycle") == 0)
		rc = mlv_lifecycle_doc(&b);
	else if (argc == 2 && strcmp(argv[0], "openapi") == 0)
		rc = openapi(argv[1], &b);
	else {
		fprintf(stderr, "mainlevee docs: say 'dataset', 'lifecycle' or 'openapi TEMPLATE'\n");
		return 2;
	}
	if (rc == 0)
		fputs(b.data, stdout);
	mlv_buf_free(&b);
	return rc == 0 ? 0 : 1;
}
