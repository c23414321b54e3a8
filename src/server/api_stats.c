/* api_stats.c - statistics for officers: release times in the manner of
 * the WCO Time Release Study. */
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

/* ---- release times (Time Release Study) ------------------------------------------------ */

#define RELEASE_ROWS_MAX 2000000

struct release_rows {
	mlv_release_row *v;
	size_t n, cap;
};

static int release_add(void *ctx, const mlv_release_row *row)
{
	struct release_rows *r = ctx;
	if (r->n == RELEASE_ROWS_MAX)
		return MLV_ETOOBIG;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;
		mlv_release_row *v = realloc(r->v, cap * sizeof(*v));
		if (v == NULL)
			return MLV_ENOMEM;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = *row;
	return 0;
}

/* Percentiles (in seconds) of one measure over the rows of one group:
 * lane NULL or channel 0 for any. */
static int release_group(mlv_buf *b, const struct release_rows *r, int64_t *tmp, bool arrival,
			 const char *lane, int channel, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++) {
		const mlv_release_row *x = &r->v[i];
		if ((lane != NULL && strcmp(x->lane, lane) != 0) ||
		    (channel != 0 && x->channel != channel) || (arrival && x->arrived_ms == 0))
			continue;
		int64_t d = x->released_ms - (arrival ? x->arrived_ms : x->filed_ms);
		tmp[n++] = d > 0 ? d : 0;
	}
	if (n == 0 && name != NULL)
		return 0; /* empty groups are left out */
	mlv_percentiles p;
	mlv_percentiles_of(tmp, n, &p);
	int rc = 0;
	if (name != NULL)
		rc = mlv_buf_printf(b, "%s\"%s\":", b->data[b->len - 1] == '{' ? "" : ",", name);
	const int64_t v[4] = {p.median, p.p90, p.p99, p.max};
	if (rc == 0)
		rc = mlv_buf_printf(b, "{\"count\":%zu", p.count);
	static const char *const keys[4] = {"median", "p90", "p99", "max"};
	for (int k = 0; k < 4 && rc == 0; k++)
		rc = mlv_buf_printf(b, ",\"%s\":%lld.%03lld", keys[k], (long long)(v[k] / 1000),
				    (long long)(v[k] % 1000));
	return rc ? rc : mlv_buf_addc(b, '}');
}

static int release_measure(mlv_buf *b, const struct release_rows *r, int64_t *tmp, bool arrival)
{
	static const char *const lanes[] = {"green", "yellow", "red", "hold"};
	int rc = mlv_buf_adds(b, "{\"all\":");
	if (rc == 0)
		rc = release_group(b, r, tmp, arrival, NULL, 0, NULL);
	if (rc == 0)
		rc = mlv_buf_adds(b, ",\"by_lane\":{");
	for (size_t i = 0; rc == 0 && i < MLV_ARRAY_LEN(lanes); i++)
		rc = release_group(b, r, tmp, arrival, lanes[i], 0, lanes[i]);
	if (rc == 0)
		rc = mlv_buf_adds(b, "},\"by_channel\":{");
	for (int ch = MLV_CH_POST; rc == 0 && ch <= MLV_CH_FREIGHT; ch++)
		rc = release_group(b, r, tmp, arrival, NULL, ch, mlv_channel_name((unsigned)ch));
	return rc ? rc : mlv_buf_adds(b, "}}");
}

/* GET /v1/stats/release-times?from=YYYY-MM-DD&to=YYYY-MM-DD: from filing
 * to release and from arrival to release, median, 90th and 99th
 * percentiles and maximum, overall, by lane and by channel, for the
 * consignments released in the period (default: the last 30 days). */
int api_release_times(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	int32_t today = (int32_t)(mlv_now_ms() / 86400000), from = today - 29, to = today;
	const char *p;
	if ((p = mlv_req_query(req, "from")) != NULL && !mlv_date_parse(p, strlen(p), &from))
		return api_bad_param(resp, "from", "must be a date YYYY-MM-DD");
	if ((p = mlv_req_query(req, "to")) != NULL && !mlv_date_parse(p, strlen(p), &to))
		return api_bad_param(resp, "to", "must be a date YYYY-MM-DD");
	if (from > to || to - from > 366)
		return api_bad_param(resp, "from", "must be on or before 'to', at most 366 days before");
	struct release_rows r = {NULL, 0, 0};
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_release_times(st, (int64_t)from * 86400000,
					 ((int64_t)to + 1) * 86400000, release_add, &r);
	api_reader_release(s, st);
	if (rc == MLV_ETOOBIG) {
		free(r.v);
		mlv_http_problem(resp, 422, "validation", NULL,
				 "more than 2,000,000 releases in the period: ask for a shorter one",
				 NULL);
		return 0;
	}
	int64_t *tmp = rc == 0 ? malloc((r.n ? r.n : 1) * sizeof(int64_t)) : NULL;
	if (rc == 0 && tmp == NULL)
		rc = MLV_ENOMEM;
	char a[11], b[11];
	mlv_date_format(from, a);
	mlv_date_format(to, b);
	if (rc == 0)
		rc = mlv_buf_printf(&resp->body,
				    "{\"from\":\"%s\",\"to\":\"%s\",\"unit\":\"seconds\","
				    "\"filing_to_release\":",
				    a, b);
	if (rc == 0)
		rc = release_measure(&resp->body, &r, tmp, false);
	if (rc == 0)
		rc = mlv_buf_adds(&resp->body, ",\"arrival_to_release\":");
	if (rc == 0)
		rc = release_measure(&resp->body, &r, tmp, true);
	if (rc == 0)
		rc = mlv_buf_addc(&resp->body, '}');
	free(tmp);
	free(r.v);
	if (rc != 0) {
		mlv_buf_reset(&resp->body);
		mlv_http_problem_err(resp, rc, NULL);
	}
	return 0;
}
