/* metrics.c - request counters and latency histograms (see metrics.h).
 * Fixed arrays of atomic counters: a route x status-code table and a
 * route x bucket table, so observing costs two atomic additions and no
 * lock. */
#include "metrics.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "mlv/common.h"

/* The status codes the server answers; anything else counts as "other". */
static const int codes[] = {200, 201, 202, 204, 304, 400, 401, 403, 404, 405, 406, 409,
			    411, 413, 415, 422, 429, 431, 500, 503};
#define NCODES (MLV_ARRAY_LEN(codes) + 1)

/* Upper bounds of the latency buckets, in microseconds (+Inf last). */
static const int64_t bounds_us[] = {500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
				    250000, 500000, 1000000, 2500000, 10000000};
#define NBUCKETS (MLV_ARRAY_LEN(bounds_us) + 1)

/* Store transactions are shorter: from 100 microseconds. */
static const int64_t store_bounds_us[] = {100, 250, 500, 1000, 2500, 5000, 10000, 25000,
					  50000, 100000, 250000, 500000, 1000000, 2500000, 10000000};
#define NSTORE (MLV_ARRAY_LEN(store_bounds_us) + 1)

static const char *const store_ops[MLV_STORE_OP_COUNT_] = {"file", "action"};

struct mlv_metrics {
	size_t nroutes; /* plus one: no route */
	_Atomic uint64_t *count;   /* [route][code] */
	_Atomic uint64_t *buckets; /* [route][bucket], not cumulative */
	_Atomic uint64_t *sum_us;  /* [route] */
	_Atomic uint64_t store[MLV_STORE_OP_COUNT_][NSTORE]; /* not cumulative */
	_Atomic uint64_t store_sum_us[MLV_STORE_OP_COUNT_];
};

int mlv_metrics_new(mlv_metrics **out, size_t nroutes)
{
	mlv_metrics *m = calloc(1, sizeof(*m));
	if (m == NULL)
		return MLV_ENOMEM;
	m->nroutes = nroutes + 1;
	m->count = calloc(m->nroutes * NCODES, sizeof(*m->count));
	m->buckets = calloc(m->nroutes * NBUCKETS, sizeof(*m->buckets));
	m->sum_us = calloc(m->nroutes, sizeof(*m->sum_us));
	if (m->count == NULL || m->buckets == NULL || m->sum_us == NULL) {
		mlv_metrics_free(m);
		return MLV_ENOMEM;
	}
	*out = m;
	return 0;
}

void mlv_metrics_free(mlv_metrics *m)
{
	if (m == NULL)
		return;
	free(m->count);
	free(m->buckets);
	free(m->sum_us);
	free(m);
}

void mlv_metrics_observe(mlv_metrics *m, int route, int status, int64_t duration_ns)
{
	if (m == NULL)
		return;
	size_t r = route >= 0 && (size_t)route < m->nroutes - 1 ? (size_t)route : m->nroutes - 1;
	size_t c = 0;
	while (c < MLV_ARRAY_LEN(codes) && codes[c] != status)
		c++;
	int64_t us = duration_ns > 0 ? duration_ns / 1000 : 0;
	size_t b = 0;
	while (b < MLV_ARRAY_LEN(bounds_us) && us > bounds_us[b])
		b++;
	atomic_fetch_add_explicit(&m->count[r * NCODES + c], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->buckets[r * NBUCKETS + b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->sum_us[r], (uint64_t)us, memory_order_relaxed);
}

void mlv_metrics_store(mlv_metrics *m, int op, int64_t duration_ns)
{
	if (m == NULL || op < 0 || op >= MLV_STORE_OP_COUNT_)
		return;
	int64_t us = duration_ns > 0 ? duration_ns / 1000 : 0;
	size_t b = 0;
	while (b < MLV_ARRAY_LEN(store_bounds_us) && us > store_bounds_us[b])
		b++;
	atomic_fetch_add_explicit(&m->store[op][b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->store_sum_us[op], (uint64_t)us, memory_order_relaxed);
}

int mlv_metrics_write_store(const mlv_metrics *m, mlv_buf *b)
{
	int rc = mlv_buf_adds(b, "# HELP mlv_store_transaction_duration_seconds Store transactions "
				 "(group commits of filings, actions), from BEGIN to COMMIT.\n"
				 "# TYPE mlv_store_transaction_duration_seconds histogram\n");
	for (int op = 0; rc == 0 && op < MLV_STORE_OP_COUNT_; op++) {
		uint64_t cum = 0;
		for (size_t k = 0; rc == 0 && k < NSTORE; k++) {
			cum += atomic_load_explicit(&m->store[op][k], memory_order_relaxed);
			if (k < MLV_ARRAY_LEN(store_bounds_us))
				rc = mlv_buf_printf(b,
						    "mlv_store_transaction_duration_seconds_bucket{op=\"%s\","
						    "le=\"%lld.%06lld\"} %llu\n",
						    store_ops[op], (long long)(store_bounds_us[k] / 1000000),
						    (long long)(store_bounds_us[k] % 1000000),
						    (unsigned long long)cum);
			else
				rc = mlv_buf_printf(b,
						    "mlv_store_transaction_duration_seconds_bucket{op=\"%s\","
						    "le=\"+Inf\"} %llu\n",
						    store_ops[op], (unsigned long long)cum);
		}
		uint64_t us = atomic_load_explicit(&m->store_sum_us[op], memory_order_relaxed);
		if (rc == 0)
			rc = mlv_buf_printf(b,
					    "mlv_store_transaction_duration_seconds_sum{op=\"%s\"} %llu.%06llu\n"
					    "mlv_store_transaction_duration_seconds_count{op=\"%s\"} %llu\n",
					    store_ops[op], (unsigned long long)(us / 1000000),
					    (unsigned long long)(us % 1000000), store_ops[op],
					    (unsigned long long)cum);
	}
	return rc;
}

/* A label value: backslash, double quote and newline escaped. */
static int label(mlv_buf *b, const char *s)
{
	int rc = 0;
	for (; *s && rc == 0; s++) {
		if (*s == '\\' || *s == '"') {
			rc = mlv_buf_addc(b, '\\');
			if (rc == 0)
				rc = mlv_buf_addc(b, *s);
		}
		else if (*s == '\n')
			rc = mlv_buf_adds(b, "\\n");
		else
			rc = mlv_buf_addc(b, *s);
	}
	return rc;
}

static int route_label(mlv_buf *b, const mlv_metrics *m, const char *const *names, size_t r)
{
	int rc = mlv_buf_adds(b, "route=\"");
	if (rc == 0)
		rc = label(b, r < m->nroutes - 1 ? names[r] : "(none)");
	return rc ? rc : mlv_buf_addc(b, '"');
}

int mlv_metrics_write(const mlv_metrics *m, const char *const *names, mlv_buf *b)
{
	int rc = mlv_buf_adds(b, "# HELP mlv_http_requests_total HTTP requests answered, by route "
				 "and status code.\n# TYPE mlv_http_requests_total counter\n");
	for (size_t r = 0; rc == 0 && r < m->nroutes; r++) {
		for (size_t c = 0; rc == 0 && c < NCODES; c++) {
			uint64_t n = atomic_load_explicit(&m->count[r * NCODES + c],
							  memory_order_relaxed);
			if (n == 0)
				continue;
			rc = mlv_buf_adds(b, "mlv_http_requests_total{");
			if (rc == 0)
				rc = route_label(b, m, names, r);
			if (rc == 0 && c < MLV_ARRAY_LEN(codes))
				rc = mlv_buf_printf(b, ",code=\"%d\"} %llu\n", codes[c],
						    (unsigned long long)n);
			else if (rc == 0)
				rc = mlv_buf_printf(b, ",code=\"other\"} %llu\n", (unsigned long long)n);
		}
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, "# HELP mlv_http_request_duration_seconds Time from the request's "
				     "first byte to its answer, by route.\n"
				     "# TYPE mlv_http_request_duration_seconds histogram\n");
	for (size_t r = 0; rc == 0 && r < m->nroutes; r++) {
		uint64_t cum = 0;
		for (size_t k = 0; k < NBUCKETS; k++)
			cum += atomic_load_explicit(&m->buckets[r * NBUCKETS + k], memory_order_relaxed);
		if (cum == 0)
			continue;
		uint64_t total = cum;
		cum = 0;
		for (size_t k = 0; rc == 0 && k < NBUCKETS; k++) {
			cum += atomic_load_explicit(&m->buckets[r * NBUCKETS + k], memory_order_relaxed);
			rc = mlv_buf_adds(b, "mlv_http_request_duration_seconds_bucket{");
			if (rc == 0)
				rc = route_label(b, m, names, r);
			if (rc == 0 && k < MLV_ARRAY_LEN(bounds_us))
				rc = mlv_buf_printf(b, ",le=\"%lld.%06lld\"} %llu\n",
						    (long long)(bounds_us[k] / 1000000),
						    (long long)(bounds_us[k] % 1000000),
						    (unsigned long long)cum);
			else if (rc == 0)
				rc = mlv_buf_printf(b, ",le=\"+Inf\"} %llu\n", (unsigned long long)cum);
		}
		uint64_t us = atomic_load_explicit(&m->sum_us[r], memory_order_relaxed);
		if (rc == 0)
			rc = mlv_buf_adds(b, "mlv_http_request_duration_seconds_sum{");
		if (rc == 0)
			rc = route_label(b, m, names, r);
		if (rc == 0)
			rc = mlv_buf_printf(b, "} %llu.%06llu\n", (unsigned long long)(us / 1000000),
					    (unsigned long long)(us % 1000000));
		if (rc == 0)
			rc = mlv_buf_adds(b, "mlv_http_request_duration_seconds_count{");
		if (rc == 0)
			rc = route_label(b, m, names, r);
		if (rc == 0)
			rc = mlv_buf_printf(b, "} %llu\n", (unsigned long long)total);
	}
	return rc;
}
