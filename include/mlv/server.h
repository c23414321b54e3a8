/* server.h - the HTTP API server: routes, authentication, the writer
 * thread and the pool of read connections, started and stopped as one. */
#ifndef MLV_SERVER_H
#define MLV_SERVER_H

#include "mlv/refdata.h"
#include "mlv/validate.h"

typedef struct mlv_server mlv_server;

typedef struct mlv_server_opts {
	const char *address;      /* bind address, default 127.0.0.1 */
	unsigned port;            /* 0 picks a free port */
	unsigned threads;         /* HTTP polling threads; 0 = number of cores */
	const char *db_path;
	const mlv_refdata *rd;    /* borrowed, outlives the server */
	mlv_validate_opts validate;
	size_t max_body;          /* one consignment */
	size_t max_batch_body;    /* one JSON Lines batch */
	size_t max_batch_lines;
	unsigned max_page;        /* list page size bound */
	unsigned timeout_s;       /* idle connection timeout */
	size_t max_connections;
	size_t writer_batch;      /* filings per transaction at most */
	size_t writer_queue;      /* jobs waiting at most before 503 */
	bool synchronous_full;
	bool access_log;          /* one logfmt line per request on stderr */
} mlv_server_opts;

#define MLV_SERVER_OPTS_INIT                                                          \
	{ "127.0.0.1", 8080, 0, "var/mainlevee.db", NULL, MLV_VALIDATE_OPTS_INIT,      \
	  1u << 20, 64u << 20, 100000, 500, 30, 4096, 2048, 20000, true, false }

int mlv_server_start(mlv_server **out, const mlv_server_opts *opts, char *err, size_t errlen);
unsigned mlv_server_port(const mlv_server *s);
/* Stops accepting, lets queued filings commit, closes everything. */
void mlv_server_stop(mlv_server *s);

#endif
