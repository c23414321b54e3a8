/* config.c - option table, INI/env/flag loading (config.h). */
#include "mlv/config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "mlv/decimal.h"

typedef enum { T_STR, T_UINT, T_SIZE, T_BOOL, T_COUNTRY, T_CURRENCY, T_DECIMAL } opt_type;

typedef struct option {
	const char *section;
	const char *name;
	const char *flag; /* command-line flag without dashes, NULL for none */
	opt_type type;
	size_t offset;
	size_t size;      /* strings: buffer size */
	unsigned long long min, max;
	const char *def;
	const char *help;
} option;

#define STR(sec, nm, fl, field, def_, help_) \
	{ sec, nm, fl, T_STR, offsetof(mlv_config, field), sizeof(((mlv_config *)0)->field), 0, 0, def_, help_ }
#define UINT(sec, nm, fl, field, lo, hi, def_, help_) \
	{ sec, nm, fl, T_UINT, offsetof(mlv_config, field), 0, lo, hi, def_, help_ }
#define SIZE(sec, nm, fl, field, lo, hi, def_, help_) \
	{ sec, nm, fl, T_SIZE, offsetof(mlv_config, field), 0, lo, hi, def_, help_ }
#define BOOL(sec, nm, fl, field, def_, help_) \
	{ sec, nm, fl, T_BOOL, offsetof(mlv_config, field), 0, 0, 1, def_, help_ }

static const option options[] = {
	STR("server", "address", "address", address, "127.0.0.1",
	    "IPv4 or IPv6 address to listen on (use a reverse proxy for TLS)"),
	UINT("server", "port", "port", port, 0, 65535, "8080", "TCP port; 0 picks a free one"),
	UINT("server", "threads", "threads", threads, 0, 16, "0",
	     "HTTP threads; 0 means one per CPU core"),
	UINT("server", "timeout", "timeout", timeout_s, 1, 3600, "30",
	     "seconds before an idle connection is closed"),
	UINT("server", "header_timeout", "header-timeout", header_timeout_s, 0, 3600, "10",
	     "seconds a request line and its headers may take to arrive (slow clients); 0 for no bound"),
	UINT("server", "max_connections", "max-connections", max_connections, 1, 1000000, "4096",
	     "simultaneous connections at most"),
	BOOL("server", "access_log", "access-log", access_log, "false",
	     "log one line per request on stderr"),
	UINT("server", "session_hours", "session-hours", session_hours, 1, 168, "8",
	     "hours a person's console session lasts"),
	BOOL("server", "secure_cookies", "secure-cookies", secure_cookies, "false",
	     "mark session cookies Secure (set when a TLS reverse proxy serves the console)"),
	STR("store", "path", "db", db_path, "var/mainlevee.db",
	    "SQLite database file, created with its directory when missing"),
	BOOL("store", "synchronous_full", NULL, synchronous_full, "true",
	     "fsync every commit; never turn off in production"),
	STR("data", "dir", "data-dir", data_dir, "",
	    "directory of the reference data (HS, ISO codes, ECB rates); empty means the data/ folder of the source tree mainlevee was built from"),
	{ "customs", "country", "country", T_COUNTRY, offsetof(mlv_config, country),
	  sizeof(((mlv_config *)0)->country), 0, 0, "FR",
	  "ISO 3166-1 alpha-2 code of the administration this instance serves" },
	{ "customs", "currency", "currency", T_CURRENCY, offsetof(mlv_config, currency),
	  sizeof(((mlv_config *)0)->currency), 0, 0, "EUR",
	  "ISO 4217 code of its currency" },
	{ "customs", "low_value_ceiling", "low-value-ceiling", T_DECIMAL,
	  offsetof(mlv_config, low_value_ceiling), sizeof(((mlv_config *)0)->low_value_ceiling),
	  0, 0, "150.00",
	  "highest goods value of a low_value_* consignment, in that currency" },
	{ "customs", "aeo_guarantee_waiver", "aeo-guarantee-waiver", T_DECIMAL,
	  offsetof(mlv_config, aeo_guarantee_waiver),
	  sizeof(((mlv_config *)0)->aeo_guarantee_waiver), 0, 0, "10000.00",
	  "what an AEO with customs simplifications may defer beyond its guarantee; 0 for none "
	  "(docs/operators.md)" },
	UINT("customs", "timely_hours", "timely-hours", timely_hours, 1, 720, "24",
	     "hours before arrival a filing must come for full timeliness"),
	UINT("customs", "return_window_days", "return-window", return_window_days, 0, 3650, "30",
	     "days after release within which returned goods are refunded"),
	UINT("customs", "retention_days", "retention-days", retention_days, 1, 36500, "1095",
	     "days personal data is kept after filing; mainlevee purge removes it after"),
	SIZE("limits", "max_body", "max-body", max_body, 1024, 64ull << 20, "1048576",
	     "largest consignment body in bytes (larger answers 413)"),
	SIZE("limits", "max_header", "max-header", max_header, 8192, 1u << 20, "32768",
	     "memory for one request's line and headers in bytes (more answers 431)"),
	SIZE("limits", "max_batch_body", "max-batch-body", max_batch_body, 1024, 1ull << 30,
	     "67108864", "largest JSON Lines batch body in bytes"),
	UINT("limits", "max_batch_lines", "max-batch-lines", max_batch_lines, 1, 1000000,
	     "100000", "most lines in one batch"),
	UINT("limits", "max_page", "max-page", max_page, 1, 500, "500",
	     "largest page a list may ask for"),
	UINT("limits", "rate_per_key", "rate-per-key", rate_per_key, 0, 10000000, "50000",
	     "requests a second one API key may make (bursts of two seconds); 0 for no limit"),
	UINT("limits", "auth_failures", "auth-failures", auth_max_failures, 0, 1000, "10",
	     "failed authentications from one address before it is locked out; 0 for never"),
	UINT("limits", "auth_window", "auth-window", auth_window_s, 1, 86400, "900",
	     "seconds over which failures count, and how long a lock-out lasts"),
	UINT("limits", "public_rate", "public-rate", public_rate, 0, 1000000, "20",
	     "requests a second one address may make to public endpoints (quotes); 0 for no limit"),
	UINT("writer", "batch", "writer-batch", writer_batch, 1, 100000, "2048",
	     "most filings committed in one transaction"),
	UINT("writer", "queue", "writer-queue", writer_queue, 1, 10000000, "20000",
	     "requests waiting for the writer at most before answering 503"),
	STR("risk", "profile", "risk-profile", risk_profile, "",
	    "risk profile file (docs/risk-rules.md); empty means data/risk/profile-default.ini"),
	STR("risk", "goods_dir", "risk-goods", risk_goods_dir, "",
	    "folder of prohibited and restricted goods lists; empty means data/risk/goods"),
	STR("risk", "watchlist", "watchlist", risk_watchlist, "",
	    "watch list of operators (TSV, docs/risk-rules.md); empty for none"),
	UINT("risk", "aeo_factor_percent", "aeo-factor", aeo_factor_percent, 1, 100, "50",
	     "share of its risk score a recognised AEO filer keeps; 100 for no effect "
	     "(docs/operators.md)"),
	UINT("risk", "split_window_hours", "split-window", split_window_hours, 0, 720, "72",
	     "sliding window of the split-consignment check; 0 turns the check off"),
	UINT("risk", "refresh_minutes", "risk-refresh", refresh_minutes, 0, 10080, "60",
	     "minutes between rebuilds of the reference unit values and operator scores from the "
	     "store while serving; 0 builds them only at start"),
	UINT("risk", "refvalues_min_samples", "refvalues-min-samples", refvalues_min_samples, 2,
	     1000000, "20",
	     "past items an HS6 and origin needs before its reference unit value is used"),
	UINT("risk", "operator_half_life_days", "operator-half-life", operator_half_life_days, 1,
	     3650, "180", "days after which an inspection result counts half in an operator score"),
	UINT("risk", "operator_prior_controls", "operator-prior", operator_prior_controls, 0, 1000,
	     "10",
	     "pseudo-controls at the overall finding rate that smooth the score of an operator "
	     "with few results"),
	UINT("risk", "review_min_controls", "review-min-controls", review_min_controls, 1, 1000000,
	     "30", "controls a rule needs before its precision is judged"),
	UINT("risk", "review_precision_percent", "review-precision", review_precision_percent, 0,
	     100, "5",
	     "a rule whose precision stays below this percent (95% interval) is flagged for review"),
	STR("audit", "key_file", "audit-key", audit_key_file, "var/audit-signing.key",
	    "Ed25519 key that signs the audit log's tree heads; created (mode 0600) when missing"),
	UINT("audit", "sth_interval", "sth-interval", sth_interval_s, 1, 86400, "10",
	     "seconds between signed tree heads while the log grows"),
	BOOL("webhooks", "enabled", "webhooks", webhooks_enabled, "true",
	     "deliver notifications to the filers' webhooks (and mark overdue referrals)"),
	BOOL("webhooks", "allow_private", "webhooks-allow-private", webhooks_allow_private, "false",
	     "let webhooks reach loopback, private and link-local addresses (a receiver beside the server)"),
	UINT("webhooks", "backoff", "webhooks-backoff", webhooks_backoff_s, 1, 3600, "2",
	     "seconds before the first retry of a failed delivery; each further retry waits twice as long"),
	UINT("webhooks", "backoff_max", "webhooks-backoff-max", webhooks_backoff_max_s, 1, 86400,
	     "3600", "longest wait between two attempts at the same delivery"),
	UINT("webhooks", "timeout", "webhooks-timeout", webhooks_timeout_s, 1, 120, "10",
	     "seconds one delivery may take"),
	UINT("webhooks", "max_per_filer", "webhooks-max", webhooks_max_per_filer, 1, 100, "5",
	     "webhooks one filer may register"),
	SIZE("referrals", "max_document", "max-document", max_document, 1024, 16ull << 20,
	     "524288", "largest document answering a referral, in bytes (also bounded by limits.max_body)"),
};

static int set(mlv_config *c, const option *o, const char *value, char *err, size_t errlen,
	       const char *where)
{
	char *dst = (char *)c + o->offset;
	char *end;
	switch (o->type) {
	case T_STR:
		if (strlen(value) >= o->size) {
			snprintf(err, errlen, "%s: %s.%s is longer than %zu bytes", where, o->section,
				 o->name, o->size - 1);
			return MLV_EINVALID;
		}
		snprintf(dst, o->size, "%s", value);
		return 0;
	case T_COUNTRY:
	case T_CURRENCY: {
		size_t want = o->type == T_COUNTRY ? 2 : 3;
		bool ok = strlen(value) == want;
		for (size_t i = 0; ok && i < want; i++)
			ok = value[i] >= 'A' && value[i] <= 'Z';
		if (!ok) {
			snprintf(err, errlen, "%s: %s.%s must be %zu upper-case letters", where,
				 o->section, o->name, want);
			return MLV_EINVALID;
		}
		snprintf(dst, o->size, "%s", value);
		return 0;
	}
	case T_DECIMAL: {
		int64_t v;
		if (strlen(value) >= o->size ||
		    mlv_decimal_parse(value, strlen(value), 4, 0, &v) != MLV_DEC_OK) {
			snprintf(err, errlen, "%s: %s.%s must be a decimal amount such as 150.00",
				 where, o->section, o->name);
			return MLV_EINVALID;
		}
		snprintf(dst, o->size, "%s", value);
		return 0;
	}
	case T_BOOL:
		if (strcmp(value, "true") == 0 || strcmp(value, "1") == 0 || strcmp(value, "yes") == 0)
			*(bool *)dst = true;
		else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0 ||
			 strcmp(value, "no") == 0)
			*(bool *)dst = false;
		else {
			snprintf(err, errlen, "%s: %s.%s must be true or false", where, o->section,
				 o->name);
			return MLV_EINVALID;
		}
		return 0;
	case T_UINT:
	case T_SIZE: {
		errno = 0;
		if (value[0] == '-' || value[0] == '\0')
			goto bad_number;
		unsigned long long v = strtoull(value, &end, 10);
		if (errno != 0 || *end != '\0' || v < o->min || v > o->max)
			goto bad_number;
		if (o->type == T_UINT)
			*(unsigned *)dst = (unsigned)v;
		else
			*(size_t *)dst = (size_t)v;
		return 0;
	bad_number:
		snprintf(err, errlen, "%s: %s.%s must be a whole number from %llu to %llu", where,
			 o->section, o->name, o->min, o->max);
		return MLV_EINVALID;
	}
	}
	return MLV_EINVALID;
}

void mlv_config_defaults(mlv_config *c)
{
	char err[128];
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < MLV_ARRAY_LEN(options); i++)
		set(c, &options[i], options[i].def, err, sizeof(err), "default");
}

struct ini_ctx {
	mlv_config *c;
	const char *path;
	char *err;
	size_t errlen;
	int rc;
};

static int on_ini(void *user, const char *section, const char *name, const char *value)
{
	struct ini_ctx *x = user;
	if (x->rc != 0)
		return 0;
	for (size_t i = 0; i < MLV_ARRAY_LEN(options); i++) {
		if (strcmp(options[i].section, section) == 0 && strcmp(options[i].name, name) == 0) {
			x->rc = set(x->c, &options[i], value, x->err, x->errlen, x->path);
			return x->rc == 0;
		}
	}
	snprintf(x->err, x->errlen, "%s: unknown setting [%s] %s", x->path, section, name);
	x->rc = MLV_EINVALID;
	return 0;
}

int mlv_config_load_file(mlv_config *c, const char *path, char *err, size_t errlen)
{
	struct ini_ctx x = {c, path, err, errlen, 0};
	int line = ini_parse(path, on_ini, &x);
	if (line == -1) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return MLV_EIO;
	}
	if (x.rc != 0) {
		if (line > 0) {
			char tmp[256];
			snprintf(tmp, sizeof(tmp), "%s (line %d)", err, line);
			snprintf(err, errlen, "%s", tmp);
		}
		return x.rc;
	}
	if (line != 0) {
		snprintf(err, errlen, "%s: line %d is not 'name = value' or '[section]'", path, line);
		return MLV_EINVALID;
	}
	return 0;
}

int mlv_config_load_env(mlv_config *c, char *err, size_t errlen)
{
	for (size_t i = 0; i < MLV_ARRAY_LEN(options); i++) {
		char var[64];
		size_t n = (size_t)snprintf(var, sizeof(var), "MLV_%s_%s", options[i].section,
					    options[i].name);
		for (size_t k = 0; k < n && k < sizeof(var); k++)
			var[k] = (char)toupper((unsigned char)var[k]);
		const char *v = getenv(var);
		if (v != NULL) {
			int rc = set(c, &options[i], v, err, errlen, var);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

int mlv_config_set_flag(mlv_config *c, const char *flag, const char *value, char *err,
			size_t errlen)
{
	for (size_t i = 0; i < MLV_ARRAY_LEN(options); i++) {
		if (options[i].flag != NULL && strcmp(options[i].flag, flag) == 0) {
			char where[64];
			snprintf(where, sizeof(where), "--%s", flag);
			return set(c, &options[i], value, err, errlen, where);
		}
	}
	return MLV_ENOTFOUND;
}

void mlv_config_print_flags(FILE *out)
{
	for (size_t i = 0; i < MLV_ARRAY_LEN(options); i++) {
		const option *o = &options[i];
		if (o->flag == NULL)
			continue;
		char left[48];
		snprintf(left, sizeof(left), "--%s=VALUE", o->flag);
		fprintf(out, "  %-28s %s (default %s)\n", left, o->help, o->def);
	}
}

int mlv_config_example(mlv_buf *out)
{
	int rc = mlv_buf_adds(out,
			      "; mainlevee.example.ini - every setting with its default.\n"
			      "; Use it with: mainlevee serve --config FILE  (or MLV_CONFIG=FILE).\n"
			      "; Each setting can also come from the environment as\n"
			      "; MLV_<SECTION>_<NAME> (e.g. MLV_SERVER_PORT=9090) or from a flag.\n"
			      "; Generated by 'mainlevee config example'.\n");
	const char *section = "";
	for (size_t i = 0; rc == 0 && i < MLV_ARRAY_LEN(options); i++) {
		const option *o = &options[i];
		if (strcmp(section, o->section) != 0) {
			section = o->section;
			rc = mlv_buf_printf(out, "\n[%s]\n", section);
		}
		if (rc == 0)
			rc = mlv_buf_printf(out, "; %s%s%s\n%s = %s\n", o->help,
					    o->flag ? "; flag --" : "", o->flag ? o->flag : "", o->name,
					    o->def);
	}
	return rc;
}
