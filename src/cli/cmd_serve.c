/* cmd_serve.c - `mainlevee serve`: run the API until SIGINT or SIGTERM. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mlv/decimal.h"
#include "mlv/filing.h"
#include "mlv/generate.h"
#include "mlv/log.h"
#include "mlv/server.h"
#include "mlv/store.h"

static bool demo;
static const char *demo_count = "500";

const cli_flag serve_flags[] = {
	{"demo", NULL, "create the demo filer, print a fresh API key, and load demo consignments "
		       "into an empty store", NULL, &demo},
	{"demo-count", "N", "demo consignments to load into an empty store (default 500)",
	 &demo_count, NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

/* Creates the demo filer and its key; fills an empty store. */
static int set_up_demo(const mlv_config *cfg, const mlv_refdata *rd,
		       const mlv_validate_opts *vo, char token[96], char password[32])
{
	char err[512] = "";
	unsigned long long count;
	if (!cli_parse_count(demo_count, &count) || count > 1000000) {
		fprintf(stderr, "mainlevee serve: --demo-count must be 0 to 1000000\n");
		return -1;
	}
	mlv_store_opts so = MLV_STORE_OPTS_INIT;
	so.path = cfg->db_path;
	mlv_store *st = NULL;
	int64_t filer = 0, stored = 0;
	int rc = mlv_store_open(&st, &so, err, sizeof(err));
	if (rc == 0)
		rc = mlv_store_filer_ensure(st, "demo-platform", &filer);
	if (rc == 0)
		rc = mlv_store_key_create(st, filer, "demo", 0, token, 96);
	if (rc == 0) {
		/* the demo officer, with a fresh password each start */
		unsigned char raw[12];
		randombytes_buf(raw, sizeof(raw));
		sodium_bin2base64(password, 32, raw, sizeof(raw),
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		rc = mlv_store_user_set(st, "officer", "Demo Officer", password, "officer", 0);
	}
	if (rc == 0)
		rc = mlv_store_count(st, &stored);
	if (rc != 0) {
		fprintf(stderr, "mainlevee serve: demo set-up failed: %s\n",
			err[0] ? err : mlv_strerror(rc));
		mlv_store_close(st);
		return -1;
	}
	if (stored == 0 && count > 0) {
		mlv_generate_opts go = MLV_GENERATE_OPTS_INIT;
		go.destination = cfg->country;
		go.currency = cfg->currency;
		go.start_day = (int32_t)(mlv_now_ms() / 86400000) - 2;
		go.lrn_prefix = "DEMO";
		go.valid_only = true;
		mlv_generator *g = NULL;
		mlv_filing **batch = calloc(count, sizeof(*batch));
		char *line = malloc(16384);
		rc = batch && line ? mlv_generator_new(&g, rd, &go) : MLV_ENOMEM;
		size_t n = 0;
		for (unsigned long long i = 0; rc == 0 && i < count; i++) {
			mlv_anomaly label;
			int len = mlv_generator_next(g, line, 16384, &label);
			mlv_filing *f = mlv_filing_new();
			if (len < 0 || f == NULL) {
				mlv_filing_free(f);
				rc = len < 0 ? len : MLV_ENOMEM;
				break;
			}
			f->filer_id = filer;
			rc = mlv_filing_prepare(f, line, (size_t)len, rd, vo);
			batch[n++] = f;
		}
		if (rc == 0)
			rc = mlv_store_file(st, batch, n);
		/* a third of the goods have reached the border: the green ones are
		 * released, the others wait in the officers' queue */
		size_t ok = 0, arrived = 0;
		for (size_t i = 0; i < n; i++) {
			ok += batch[i]->outcome == MLV_OUTCOME_CREATED;
			if (rc == 0 && batch[i]->outcome == MLV_OUTCOME_CREATED && i % 3 == 0) {
				mlv_transition_result tr;
				int trc = mlv_store_transition(st, filer, batch[i]->id, MLV_ACT_ARRIVE,
							       MLV_BY_FILER, "filer:demo",
							       "arrival notified (demo data)",
							       mlv_now_ms(), true, &tr);
				arrived += trc == 0;
			}
			mlv_filing_free(batch[i]);
		}
		mlv_log(MLV_LOG_INFO, "demo arrivals", "arrived=%zu", arrived);
		free(batch);
		free(line);
		mlv_generator_free(g);
		if (rc != 0) {
			fprintf(stderr, "mainlevee serve: loading demo data failed: %s\n",
				mlv_strerror(rc));
			mlv_store_close(st);
			return -1;
		}
		mlv_log(MLV_LOG_INFO, "demo data loaded", "consignments=%zu rejected=%zu", ok, n - ok);
	}
	mlv_store_close(st);
	return 0;
}

static void print_banner(const char *token, const char *password, const char *address,
			 unsigned port)
{
	const char *l = strchr(address, ':') ? "[" : "", *r = strchr(address, ':') ? "]" : "";
	printf("\n  Mainlevée is serving on http://%s%s%s:%u/\n\n"
	       "  Demo filer 'demo-platform' - API key (shown once, keep it):\n\n"
	       "    %s\n\n"
	       "  Try:\n"
	       "    curl -s -H 'Authorization: Bearer %s' 'http://%s%s%s:%u/v1/consignments?limit=2'\n\n"
	       "  Officer console: http://%s%s%s:%u/console\n"
	       "    user 'officer', password (new at each start): %s\n\n"
	       "  Rules portal (public): http://%s%s%s:%u/portal\n\n",
	       l, address, r, port, token, token, l, address, r, port, l, address, r, port,
	       password, l, address, r, port);
	fflush(stdout);
}

int cmd_serve(int argc, char **argv, const mlv_config *cfg)
{
	(void)argv;
	if (argc > 0) {
		fprintf(stderr, "mainlevee serve: takes no arguments (see --help)\n");
		return 2;
	}
	mlv_refdata *rd = NULL;
	mlv_profiles *profiles = NULL;
	mlv_validate_opts vo;
	if (cli_load_refdata(cfg, &rd) != 0)
		return 1;
	if (cli_load_profiles(cfg, rd, &profiles) != 0) {
		mlv_refdata_free(rd);
		return 1;
	}
	cli_risk risk;
	/* the reference values and operator scores: built by the server */
	if (cli_load_risk(cfg, rd, &risk) != 0) {
		cli_risk_free(&risk);
		mlv_profiles_free(profiles);
		mlv_refdata_free(rd);
		return 1;
	}
	if (cli_validate_opts(cfg, rd, profiles, &vo) != 0 ||
	    cli_make_parent_dir(cfg->db_path) != 0) {
		cli_risk_free(&risk);
		mlv_profiles_free(profiles);
		if (errno)
			fprintf(stderr, "mainlevee serve: cannot create the directory of %s\n",
				cfg->db_path);
		mlv_refdata_free(rd);
		return 1;
	}
	uint8_t audit_pk[32], audit_sk[64];
	if (cli_audit_key(cfg, true, audit_pk, audit_sk) != 0) {
		mlv_profiles_free(profiles);
		cli_risk_free(&risk);
		mlv_refdata_free(rd);
		return 1;
	}
	cli_risk_opts(&risk, audit_sk, &vo);
	char token[96] = "", password[32] = "";
	if (demo && set_up_demo(cfg, rd, &vo, token, password) != 0) {
		sodium_memzero(audit_sk, sizeof(audit_sk));
		cli_risk_free(&risk);
		mlv_profiles_free(profiles);
		mlv_refdata_free(rd);
		return 1;
	}
	/* Block the stop signals in every thread; this one waits for them. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	mlv_server_opts so = MLV_SERVER_OPTS_INIT;
	so.address = cfg->address;
	so.port = cfg->port;
	so.threads = cfg->threads;
	so.db_path = cfg->db_path;
	so.rd = rd;
	so.profiles = profiles;
	so.validate = vo;
	so.max_body = cfg->max_body;
	so.max_batch_body = cfg->max_batch_body;
	so.max_batch_lines = cfg->max_batch_lines;
	so.max_page = cfg->max_page;
	so.timeout_s = cfg->timeout_s;
	so.header_timeout_s = cfg->header_timeout_s;
	so.max_header = cfg->max_header;
	so.max_connections = cfg->max_connections;
	so.writer_batch = cfg->writer_batch;
	so.writer_queue = cfg->writer_queue;
	so.synchronous_full = cfg->synchronous_full;
	so.access_log = cfg->access_log;
	so.session_s = cfg->session_hours * 3600u;
	so.secure_cookies = cfg->secure_cookies;
	so.rate_per_key = cfg->rate_per_key;
	so.auth_max_failures = cfg->auth_max_failures;
	so.auth_window_s = cfg->auth_window_s;
	so.public_rate = cfg->public_rate;
	so.return_window_days = cfg->return_window_days;
	so.aeo_factor_percent = cfg->aeo_factor_percent;
	if (mlv_decimal_parse(cfg->aeo_guarantee_waiver, strlen(cfg->aeo_guarantee_waiver),
			      mlv_currency_minor_units(rd, cfg->currency), 0,
			      &so.aeo_guarantee_waiver) != MLV_DEC_OK) {
		fprintf(stderr, "mainlevee serve: customs.aeo_guarantee_waiver %s has more decimals "
				"than %s allows\n", cfg->aeo_guarantee_waiver, cfg->currency);
		sodium_memzero(audit_sk, sizeof(audit_sk));
		cli_risk_free(&risk);
		mlv_profiles_free(profiles);
		mlv_refdata_free(rd);
		return 1;
	}
	so.audit_pk = audit_pk;
	so.audit_sk = audit_sk;
	so.sth_interval_ms = (int64_t)cfg->sth_interval_s * 1000;
	so.webhooks = cfg->webhooks_enabled;
	so.webhook_allow_private = cfg->webhooks_allow_private;
	so.webhook_backoff_ms = cfg->webhooks_backoff_s * 1000u;
	so.webhook_backoff_max_s = cfg->webhooks_backoff_max_s;
	so.webhook_timeout_s = cfg->webhooks_timeout_s;
	so.max_webhooks = cfg->webhooks_max_per_filer;
	so.max_document = cfg->max_document;
	so.risk_source = risk.source;
	so.refresh_s = cfg->refresh_minutes * 60u;
	so.refvalues_min_samples = cfg->refvalues_min_samples;
	so.opscore_half_life_days = cfg->operator_half_life_days;
	so.opscore_prior_controls = cfg->operator_prior_controls;
	so.review_min_controls = cfg->review_min_controls;
	so.review_below = cfg->review_precision_percent / 100.0;
	mlv_server *server = NULL;
	char err[512] = "";
	if (mlv_server_start(&server, &so, err, sizeof(err)) != 0) {
		mlv_log(MLV_LOG_ERROR, "cannot start", "error=\"%s\"", err);
		sodium_memzero(audit_sk, sizeof(audit_sk));
		cli_risk_free(&risk);
		mlv_profiles_free(profiles);
		mlv_refdata_free(rd);
		return 1;
	}
	mlv_log(MLV_LOG_INFO, "listening", "url=http://%s%s%s:%u/ db=%s country=%s",
		strchr(cfg->address, ':') ? "[" : "", cfg->address,
		strchr(cfg->address, ':') ? "]" : "", mlv_server_port(server), cfg->db_path,
		cfg->country);
	if (demo)
		print_banner(token, password, cfg->address, mlv_server_port(server));
	int sig = 0;
	sigwait(&set, &sig);
	mlv_log(MLV_LOG_INFO, "stopping", "signal=%d", sig);
	mlv_server_stop(server);
	sodium_memzero(audit_sk, sizeof(audit_sk));
	cli_risk_free(&risk);
	mlv_profiles_free(profiles);
	mlv_refdata_free(rd);
	mlv_log(MLV_LOG_INFO, "stopped", "%s", "");
	return 0;
}
