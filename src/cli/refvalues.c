/* refvalues.c - what the commands take from the store for the risk engine
 * (docs/risk-rules.md): the newest stored version of the rules, and the
 * reference unit values and operator scores built from the history
 * (riskstore.h).  `file` builds them once at start; `serve` leaves them to
 * the server, which also rebuilds them on its schedule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mlv/log.h"
#include "mlv/risk.h"
#include "mlv/riskstore.h"
#include "mlv/store.h"

/* cfg's store, read-only, when it exists; NULL (and 0) when it does not. */
static int open_history(const mlv_config *cfg, mlv_store **st)
{
	*st = NULL;
	if (access(cfg->db_path, R_OK) != 0)
		return 0; /* no store yet: no history */
	char err[512] = "";
	mlv_store_opts so = MLV_STORE_OPTS_INIT;
	so.path = cfg->db_path;
	so.read_only = true;
	if (mlv_store_open(st, &so, err, sizeof(err)) != 0) {
		fprintf(stderr, "mainlevee: cannot read the history in %s: %s\n", cfg->db_path, err);
		return -1;
	}
	return 0;
}

int cli_load_stored_rules(const mlv_config *cfg, const mlv_refdata *rd, cli_risk *r)
{
	mlv_store *st = NULL;
	if (open_history(cfg, &st) != 0)
		return -1;
	if (st == NULL)
		return 0;
	char err[512] = "";
	mlv_risk_profile *p = NULL;
	mlv_rules_version v;
	int rc = mlv_riskstore_load_rules(st, rd, &p, &v, err, sizeof(err));
	mlv_store_close(st);
	if (rc == MLV_ENOTFOUND)
		return 0; /* none stored: the configured file is in force */
	if (rc != 0) {
		fprintf(stderr,
			"mainlevee: the stored risk rules (newest version) no longer load: %s\n"
			"  store a corrected version with 'mainlevee rules import FILE'\n",
			err[0] ? err : mlv_strerror(rc));
		return -1;
	}
	mlv_risk_profile_free(r->profile);
	r->profile = p;
	snprintf(r->source, sizeof(r->source), "rules version %lld in %s", (long long)v.version,
		 cfg->db_path);
	return 0;
}

int cli_load_refvalues(const mlv_config *cfg, const mlv_refdata *rd, cli_risk *r)
{
	mlv_store *st = NULL;
	if (open_history(cfg, &st) != 0)
		return -1;
	if (st == NULL)
		return 0;
	mlv_riskstore_opts o = MLV_RISKSTORE_OPTS_INIT;
	o.rd = rd;
	o.currency = cfg->currency;
	o.min_samples = cfg->refvalues_min_samples;
	o.opscore.half_life_days = (int)cfg->operator_half_life_days;
	o.opscore.prior_controls = (double)cfg->operator_prior_controls;
	mlv_riskstore_stats a, b;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	int rc = mlv_riskstore_refvalues(&r->refvalues, st, &o, &a);
	if (rc == 0)
		rc = mlv_riskstore_opscores(&r->opscores, st, &o, &b);
	mlv_store_close(st);
	if (rc != 0) {
		fprintf(stderr, "mainlevee: cannot build the risk analytics from %s: %s\n",
			cfg->db_path, mlv_strerror(rc));
		return -1;
	}
	mlv_log(MLV_LOG_INFO, "reference unit values",
		"consignments=%zu observations=%llu kept=%zu seconds=%.1f", a.consignments,
		(unsigned long long)a.observations, a.kept, a.seconds);
	mlv_log(MLV_LOG_INFO, "operator scores", "results=%llu operators=%zu seconds=%.1f",
		(unsigned long long)b.results, b.operators, b.seconds);
	return 0;
}
