/* api_rules.c - the risk rules seen from the API: performance measured
 * from inspection results. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_impl.h"
#include "mlv/codec.h"
#include "mlv/decimal.h"
#include "mlv/risk.h"
#include "mlv/stats.h"
#include "problem.h"

/* GET /v1/rules/{id}/performance: hits, controls, findings, precision,
 * yield and a suggested weight (docs/risk-rules.md, "Feedback"). */
int api_rule_performance(mlv_server *s, mlv_resp *resp, const char *rule)
{
	mlv_risk_rule_info info;
	memset(&info, 0, sizeof(info));
	bool in_profile = s->opts.validate.risk != NULL &&
			  mlv_risk_profile_find(s->opts.validate.risk, rule, &info) == 0;
	mlv_rule_counts c;
	int64_t assessed = 0;
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_rule_counts(st, rule, &c);
	if (rc == 0)
		rc = mlv_store_count(st, &assessed);
	api_reader_release(s, st);
	/* A profile rule, or a goods-list entry that has hit (no weight). */
	if (rc == 0 && !in_profile && c.hits == 0 && c.controls == 0) {
		mlv_http_problem(resp, 404, "not-found", NULL,
				 "no such rule in the profile, nor a goods-list entry that hit", NULL);
		return 0;
	}
	mlv_risk_rule_stats stats = {c.hits, c.controls, c.findings, c.seizures, c.revenue};
	mlv_risk_perf_opts po = MLV_RISK_PERF_OPTS_INIT;
	po.assessed = (uint64_t)assessed;
	mlv_risk_perf perf;
	if (rc == 0)
		rc = mlv_risk_stats_perf(&perf, &stats, info.weight, &po);
	if (rc == 0)
		rc = mlv_risk_perf_write_json(&resp->body, rule, info.version, &stats, &perf);
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}
