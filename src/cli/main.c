/* main.c - the `mainlevee` command: the table of subcommands, help, and
 * the common set-up (configuration, reference data). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "cli.h"
#include "mlv/decimal.h"
#include "mlv/operators.h"
#include "mlv/risk.h"
#include "mlv/store.h"

#ifndef MLV_DATADIR
#define MLV_DATADIR "data"
#endif

const cli_flag no_flags[] = {{NULL, NULL, NULL, NULL, NULL}};

static const cli_cmd commands[] = {
	{"serve", "", "run the HTTP API server",
	 "Serves the API on the configured address and port, with the embedded SQLite store.\n"
	 "Stops cleanly on SIGINT or SIGTERM: filings already received are committed first.",
	 serve_flags, true, cmd_serve},
	{"file", "FILE.jsonl | -", "validate and store a JSON Lines batch",
	 "Reads one consignment per line, validates each, stores the valid ones and prints one\n"
	 "JSON result per line on stdout, in input order. A progress bar is drawn on stderr\n"
	 "when it is a terminal. Exit status: 0 when every line was stored, 3 when some\n"
	 "were rejected, 1 on a failure.",
	 file_flags, true, cmd_file},
	{"generate", "", "write realistic synthetic consignments as JSON Lines",
	 "Writes --count consignments to stdout, deterministic for a --seed, with a labelled\n"
	 "share of anomalies (undervaluation, split consignments, prohibited goods, missing\n"
	 "data, misdescription). --labels FILE writes 'lrn,anomaly' for each of them.",
	 generate_flags, true, cmd_generate},
	{"key", "create|list|revoke", "manage API keys",
	 "key create --filer NAME [--role ROLE] [--label TEXT] [--expires-days N]: prints a new\n"
	 "key once (only its hash is stored). key list [--filer NAME]: every key's prefix, role,\n"
	 "filer, label, creation, expiry and state; never the key. key revoke --prefix PREFIX:\n"
	 "revokes the key whose first 12 characters are PREFIX (a running server stops taking\n"
	 "it within 30 seconds; at once when revoked through DELETE /v1/keys/PREFIX).\n"
	 "Rotation: create the new key (with --expires-days), hand it over, check with 'key\n"
	 "list' that the old one is no longer needed, then revoke the old one\n"
	 "(docs/security.md, \"Key rotation\").",
	 key_flags, true, cmd_key},
	{"user", "set|disable", "manage people who sign in to the console",
	 "user set --username NAME [--role ROLE] [--name TEXT] [--filer NAME]: creates the person\n"
	 "or changes their role and password; the password (12 to 1024 characters) is read\n"
	 "from the first line of standard input and stored only as an Argon2id hash.\n"
	 "user disable --username NAME: the person can no longer sign in; sessions close.",
	 user_flags, true, cmd_user},
	{"audit", "verify|prove EVENT|sth|public-key", "check and prove the audit log",
	 "audit verify: recompute the whole Merkle tree from the stored leaves and check every\n"
	 "signed tree head and the consistency between them (exit 1 on any difference).\n"
	 "audit prove EVENT: print the inclusion proof of an event, as JSON that tools/mlv-verify\n"
	 "checks with only the public key. audit sth: sign a tree head now. audit public-key:\n"
	 "print the key that signs tree heads (docs/audit.md).",
	 audit_flags, true, cmd_audit},
	{"what-if", "", "revenue effect of other de minimis thresholds",
	 "Recomputes duties and taxes of every stored consignment under the administration's\n"
	 "rules and again with the thresholds given, and prints both totals and the\n"
	 "difference: the evidence for a threshold decision (WCO review proposal 24).",
	 whatif_flags, true, cmd_whatif},
	{"account", "open", "open a filer's deferred payment account",
	 "account open --filer NAME --ceiling AMOUNT: a deferred payment account (FoS Standard\n"
	 "6) in the administration's currency. Green consignments of the filer that owe duties\n"
	 "or taxes are then released on arrival and debited to it, up to the guarantee ceiling.",
	 account_flags, true, cmd_account},
	{"purge", "", "remove personal data after its retention period",
	 "Removes the personal elements (names, addresses, contacts: the 'personal' column of\n"
	 "docs/dataset.md) from every stored version of the consignments filed more than\n"
	 "customs.retention_days ago, keeping all other data, the statistics and the audit log,\n"
	 "whose proofs stay valid (its leaves hold hashes, not texts).",
	 purge_flags, true, cmd_purge},
	{"rules", "versions|show [N]|check FILE|import FILE", "the risk rules and their versions",
	 "rules versions: the stored versions of the risk profile, newest first.\n"
	 "rules show [N]: the text of version N (default: the one in force).\n"
	 "rules check FILE: every problem of a profile file at its line (exit 1 if any), and\n"
	 "whether each changed rule raised its version.\n"
	 "rules import FILE [--actor NAME]: stores FILE as a new version (with its audit\n"
	 "event); a running server takes it at its next start. Rules are also changed\n"
	 "through the API by analysts (docs/risk-rules.md).",
	 rules_flags, true, cmd_rules},
	{"stats", "", "print the statistics of a period",
	 "Prints the totals, the lanes, a table over time (--by day, week or month), a breakdown\n"
	 "(--dimension), the release times and the rule performance of the period, from the\n"
	 "aggregates the store keeps as consignments change (docs/statistics.md).\n"
	 "--rebuild recomputes those aggregates from the stored consignments; --check compares\n"
	 "them with a recomputation and exits 1 when they differ.",
	 stats_flags, true, cmd_stats},
	{"config", "example|show", "print the example configuration or the effective one",
	 "config example: the commented INI file with every setting and its default.\n"
	 "config show: the settings in effect after file, environment and flags.",
	 no_flags, true, cmd_config},
	{"docs", "dataset | lifecycle | openapi TEMPLATE", "generate docs from the code's tables",
	 "docs dataset: docs/dataset.md. docs lifecycle: docs/lifecycle.md (the state\n"
	 "diagram). docs openapi TEMPLATE: docs/openapi.yaml, the template with its schemas\n"
	 "section filled from the dataset table.",
	 no_flags, false, cmd_docs},
};

static void usage(FILE *out)
{
	fprintf(out, "mainlevee %s - customs clearance for cross-border e-commerce\n\n"
		     "usage: mainlevee COMMAND [OPTIONS]\n\ncommands:\n", MLV_VERSION);
	for (size_t i = 0; i < MLV_ARRAY_LEN(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'mainlevee COMMAND --help' shows a command's options.\n"
		     "Settings come from --config FILE (or MLV_CONFIG), MLV_<SECTION>_<NAME>\n"
		     "environment variables and flags; 'mainlevee config example' lists them.\n");
}

void cli_usage(const cli_cmd *cmd, FILE *out)
{
	fprintf(out, "usage: mainlevee %s %s[OPTIONS]\n\n%s\n\n%s\n", cmd->name, cmd->args,
		cmd->summary, cmd->help);
	if (cmd->flags[0].name != NULL) {
		fprintf(out, "\noptions:\n");
		for (const cli_flag *f = cmd->flags; f->name != NULL; f++) {
			char left[48];
			snprintf(left, sizeof(left), "--%s%s%s", f->name, f->value ? "=" : "",
				 f->value ? f->value : "");
			fprintf(out, "  %-28s %s\n", left, f->help);
		}
	}
	if (cmd->uses_config) {
		fprintf(out, "\nsettings (also from the config file and MLV_* variables):\n"
			     "  %-28s %s\n", "--config=FILE", "INI file to read first");
		mlv_config_print_flags(out);
	}
	fprintf(out, "  %-28s %s\n", "--help", "show this help");
}

int cli_parse(const cli_cmd *cmd, int argc, char **argv, mlv_config *cfg)
{
	int npos = 0;
	char err[512];
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			for (i++; i < argc; i++)
				argv[npos++] = argv[i];
			break;
		}
		if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
			argv[npos++] = a; /* positional, "-" included */
			continue;
		}
		char name[64];
		const char *eq = strchr(a + 2, '=');
		size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		if (n >= sizeof(name)) {
			fprintf(stderr, "mainlevee %s: unknown option %s\n", cmd->name, a);
			return -1;
		}
		memcpy(name, a + 2, n);
		name[n] = '\0';
		if (strcmp(name, "help") == 0) {
			cli_usage(cmd, stdout);
			return -2;
		}
		const cli_flag *f = NULL;
		for (const cli_flag *k = cmd->flags; k->name != NULL; k++)
			if (strcmp(k->name, name) == 0)
				f = k;
		const char *value = eq ? eq + 1 : NULL;
		if (f != NULL && f->value == NULL) {
			if (value != NULL) {
				fprintf(stderr, "mainlevee %s: --%s takes no value\n", cmd->name, name);
				return -1;
			}
			*f->on = true;
			continue;
		}
		if (value == NULL) {
			if (i + 1 >= argc) {
				fprintf(stderr, "mainlevee %s: --%s needs a value\n", cmd->name, name);
				return -1;
			}
			value = argv[++i];
		}
		if (f != NULL) {
			*f->str = value;
			continue;
		}
		if (!cmd->uses_config) {
			fprintf(stderr, "mainlevee %s: unknown option --%s (see --help)\n", cmd->name,
				name);
			return -1;
		}
		if (strcmp(name, "config") == 0)
			continue; /* loaded by main() before the environment and flags */
		int rc = mlv_config_set_flag(cfg, name, value, err, sizeof(err));
		if (rc == MLV_ENOTFOUND) {
			fprintf(stderr, "mainlevee %s: unknown option --%s (see --help)\n", cmd->name,
				name);
			return -1;
		}
		if (rc != 0) {
			fprintf(stderr, "mainlevee: %s\n", err);
			return -1;
		}
	}
	return npos;
}

int cli_load_refdata(const mlv_config *cfg, mlv_refdata **out)
{
	char err[512];
	const char *dir = cfg->data_dir[0] ? cfg->data_dir : MLV_DATADIR;
	if (mlv_refdata_load(out, dir, err, sizeof(err)) != 0) {
		fprintf(stderr, "mainlevee: cannot load reference data from %s: %s\n", dir, err);
		return -1;
	}
	return 0;
}

int cli_load_risk(const mlv_config *cfg, const mlv_refdata *rd, cli_risk *out)
{
	char err[512], path[1024];
	const char *dir = cfg->data_dir[0] ? cfg->data_dir : MLV_DATADIR;
	memset(out, 0, sizeof(*out));
	out->split_window_hours = cfg->split_window_hours;
	if (cfg->risk_profile[0])
		snprintf(path, sizeof(path), "%s", cfg->risk_profile);
	else
		snprintf(path, sizeof(path), "%s/risk/profile-default.ini", dir);
	if (mlv_risk_profile_load(&out->profile, path, rd, err, sizeof(err)) != 0) {
		fprintf(stderr, "mainlevee: cannot load the risk profile %s: %s\n", path, err);
		return -1;
	}
	snprintf(out->source, sizeof(out->source), "%s", path);
	if (cli_load_stored_rules(cfg, rd, out) != 0) {
		cli_risk_free(out);
		return -1;
	}
	if (cfg->risk_goods_dir[0])
		snprintf(path, sizeof(path), "%s", cfg->risk_goods_dir);
	else
		snprintf(path, sizeof(path), "%s/risk/goods", dir);
	if (mlv_risk_goods_load_dir(&out->goods, path, rd, err, sizeof(err)) != 0) {
		fprintf(stderr, "mainlevee: cannot load the goods lists of %s: %s\n", path, err);
		cli_risk_free(out);
		return -1;
	}
	if (cfg->risk_watchlist[0] &&
	    mlv_risk_watchlist_load(&out->watch, cfg->risk_watchlist, err, sizeof(err)) != 0) {
		fprintf(stderr, "mainlevee: cannot load the watch list %s: %s\n", cfg->risk_watchlist,
			err);
		cli_risk_free(out);
		return -1;
	}
	return 0;
}

void cli_risk_free(cli_risk *r)
{
	mlv_risk_profile_free(r->profile);
	mlv_risk_goods_free(r->goods);
	mlv_risk_watchlist_free(r->watch);
	mlv_risk_refvalues_free(r->refvalues);
	mlv_risk_opscores_free(r->opscores);
	memset(r, 0, sizeof(*r));
}

void cli_risk_opts(const cli_risk *r, const uint8_t audit_sk[64], mlv_validate_opts *vo)
{
	vo->risk = r->profile;
	vo->goods = r->goods;
	vo->watch = r->watch;
	vo->refvalues = r->refvalues;
	vo->opscores = r->opscores;
	vo->split_window_s = (int64_t)r->split_window_hours * 3600;
	/* A secret the filers cannot know, stable across restarts: derived
	 * from the signing key, under its own label. */
	uint8_t k[16];
	crypto_generichash(k, sizeof(k), audit_sk, 64, (const uint8_t *)"mlv-risk-random", 15);
	memcpy(vo->random_key, k, sizeof(k));
	sodium_memzero(k, sizeof(k));
}

int cli_load_profiles(const mlv_config *cfg, const mlv_refdata *rd, mlv_profiles **out)
{
	char err[512];
	const char *dir = cfg->data_dir[0] ? cfg->data_dir : MLV_DATADIR;
	if (mlv_profiles_load(out, dir, rd, err, sizeof(err)) != 0) {
		fprintf(stderr, "mainlevee: cannot load the country profiles from %s: %s\n", dir,
			err);
		return -1;
	}
	return 0;
}

int cli_validate_opts(const mlv_config *cfg, const mlv_refdata *rd, const mlv_profiles *ps,
		      mlv_validate_opts *o)
{
	mlv_validate_opts def = MLV_VALIDATE_OPTS_INIT;
	*o = def;
	int mu = mlv_currency_minor_units(rd, cfg->currency);
	if (mu < 0) {
		fprintf(stderr, "mainlevee: customs.currency %s is not an active ISO 4217 currency\n",
			cfg->currency);
		return -1;
	}
	if (!mlv_country_exists(rd, cfg->country)) {
		fprintf(stderr, "mainlevee: customs.country %s is not an ISO 3166-1 code\n",
			cfg->country);
		return -1;
	}
	int64_t ceiling;
	if (mlv_decimal_parse(cfg->low_value_ceiling, strlen(cfg->low_value_ceiling), mu, 0,
			      &ceiling) != MLV_DEC_OK) {
		fprintf(stderr, "mainlevee: customs.low_value_ceiling %s has more decimals than %s "
				"allows\n", cfg->low_value_ceiling, cfg->currency);
		return -1;
	}
	o->currency = cfg->currency;
	o->country = cfg->country;
	o->low_value_ceiling = ceiling;
	o->timely_hours = cfg->timely_hours;
	if (ps != NULL) {
		o->profile = mlv_profiles_get(ps, cfg->country);
		if (o->profile == NULL || mlv_profile_is_union(o->profile)) {
			fprintf(stderr, "mainlevee: no duty and tax profile for customs.country %s "
					"(see data/countries/)\n", cfg->country);
			return -1;
		}
	}
	return 0;
}

int cli_load_operators(const mlv_config *cfg, const mlv_profiles *ps, struct mlv_store *st,
		       struct mlv_operators **out)
{
	mlv_operators_opts o = MLV_OPERATORS_OPTS_INIT;
	size_t n = ps != NULL ? mlv_profiles_count(ps) : 0;
	mlv_aeo_union_member *unions = n > 0 ? calloc(n, sizeof(*unions)) : NULL;
	for (size_t i = 0; unions != NULL && i < n; i++) {
		const mlv_profile *p = mlv_profiles_at(ps, i);
		const mlv_profile *u = mlv_profile_union(p);
		if (u == NULL)
			continue;
		snprintf(unions[o.ctx.nunions].member, 3, "%s", mlv_profile_code(p));
		snprintf(unions[o.ctx.nunions].union_code, 3, "%s", mlv_profile_code(u));
		o.ctx.nunions++;
	}
	o.ctx.country = cfg->country;
	o.ctx.unions = unions;
	o.aeo_factor_percent = cfg->aeo_factor_percent;
	int rc = mlv_store_operators_snapshot(st, &o, out);
	free(unions);
	if (rc != 0)
		fprintf(stderr, "mainlevee: cannot read the registry of operators: %s\n",
			mlv_strerror(rc));
	return rc == 0 ? 0 : -1;
}

int cli_make_parent_dir(const char *path)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0750) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

bool cli_parse_count(const char *s, unsigned long long *out)
{
	char *end;
	if (s == NULL || *s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0)
		return false;
	if (*end == 'k' || *end == 'K') {
		v *= 1000;
		end++;
	} else if (*end == 'M') {
		v *= 1000000;
		end++;
	}
	if (*end != '\0')
		return false;
	*out = v;
	return true;
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc >= 3 && strcmp(argv[1], "help") == 0) {
			for (size_t i = 0; i < MLV_ARRAY_LEN(commands); i++)
				if (strcmp(commands[i].name, argv[2]) == 0) {
					cli_usage(&commands[i], stdout);
					return 0;
				}
		}
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("mainlevee %s\n", MLV_VERSION);
		return 0;
	}
	const cli_cmd *cmd = NULL;
	for (size_t i = 0; i < MLV_ARRAY_LEN(commands); i++)
		if (strcmp(commands[i].name, argv[1]) == 0)
			cmd = &commands[i];
	if (cmd == NULL) {
		fprintf(stderr, "mainlevee: unknown command '%s'\n\n", argv[1]);
		usage(stderr);
		return 2;
	}
	mlv_config cfg;
	char err[512];
	mlv_config_defaults(&cfg);
	/* The file first, then the environment, then flags override both. */
	const char *path = getenv("MLV_CONFIG");
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strncmp(argv[i], "--config=", 9) == 0)
			path = argv[i] + 9;
		else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[i + 1];
	}
	if (cmd->uses_config && path != NULL && path[0] != '\0' &&
	    mlv_config_load_file(&cfg, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "mainlevee: %s\n", err);
		return 2;
	}
	if (cmd->uses_config && mlv_config_load_env(&cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "mainlevee: %s\n", err);
		return 2;
	}
	int npos = cli_parse(cmd, argc - 1, argv + 1, &cfg);
	if (npos == -2)
		return 0;
	if (npos < 0)
		return 2;
	return cmd->run(npos, argv + 1, &cfg);
}
