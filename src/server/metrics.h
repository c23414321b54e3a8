/* metrics.h - request counters and latency histograms for GET /metrics
 * (the Prometheus text exposition format, version 0.0.4). */
#ifndef MLV_SERVER_METRICS_H
#define MLV_SERVER_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "mlv/buf.h"

typedef struct mlv_metrics mlv_metrics;

/* Counters for `nroutes` routes, plus one for requests that matched none
 * (route -1).  MLV_ENOMEM. */
int mlv_metrics_new(mlv_metrics **out, size_t nroutes);
void mlv_metrics_free(mlv_metrics *m);

/* Counts one answered request; lock-free, from any thread. */
void mlv_metrics_observe(mlv_metrics *m, int route, int status, int64_t duration_ns);

/* Store transactions, timed by the server: the writer's group commits of
 * filings, and the officers' and filers' actions. */
enum { MLV_STORE_OP_FILE, MLV_STORE_OP_ACTION, MLV_STORE_OP_COUNT_ };

/* Counts one store transaction of `op` that took duration_ns; lock-free. */
void mlv_metrics_store(mlv_metrics *m, int op, int64_t duration_ns);

/* Appends mlv_store_transaction_duration_seconds{op} (a histogram). */
int mlv_metrics_write_store(const mlv_metrics *m, mlv_buf *b);

/* Appends mlv_http_requests_total{route,code} and
 * mlv_http_request_duration_seconds{route} (a histogram), with HELP and
 * TYPE lines.  names[i] labels route i. */
int mlv_metrics_write(const mlv_metrics *m, const char *const *names, mlv_buf *b);

#endif
