/* http.h - the one adapter between libmicrohttpd and the API.
 *
 * Handlers see an mlv_req and fill an mlv_resp; nothing above this file
 * includes <microhttpd.h>.  A handler may answer later: it returns
 * MLV_HTTP_ASYNC after arranging for mlv_http_resume() to be called (from
 * any thread) once req->finish can build the response. */
#ifndef MLV_SERVER_HTTP_H
#define MLV_SERVER_HTTP_H

#include "mlv/arena.h"
#include "mlv/buf.h"
#include "mlv/common.h"

typedef struct mlv_http mlv_http;
typedef struct mlv_req mlv_req;

typedef struct mlv_resp {
	int status;
	const char *content_type;
	mlv_buf body;
	char location[128];
	int retry_after; /* seconds; 0 for none */
	const char *extra_name;  /* one more header (Allow, WWW-Authenticate) */
	const char *extra_value;
	char set_cookie[2][256]; /* Set-Cookie headers; "" for none */
	char disposition[128];   /* Content-Disposition; "" for none */
} mlv_resp;

struct mlv_req {
	const char *method;
	const char *path;       /* without the query string */
	mlv_buf body;
	mlv_arena *arena;       /* freed with the request */
	void *conn;             /* the adapter's connection */
	void *app;              /* the application (mlv_http_opts.app) */
	/* asynchronous answers */
	void (*finish)(mlv_req *req, mlv_resp *resp);
	void *job;
	int state;
	bool body_too_big;
	int64_t started_ns;
	int route;              /* the application's route index; -1 none */
};

#define MLV_HTTP_ASYNC 1

typedef int (*mlv_http_handler)(mlv_req *req, mlv_resp *resp);

typedef struct mlv_http_opts {
	const char *address;     /* IPv4 or IPv6 literal to bind */
	unsigned port;           /* 0 picks a free port */
	unsigned threads;        /* polling threads */
	size_t max_body;         /* bytes; larger bodies answer 413 */
	size_t max_batch_body;   /* for paths ending in ":batch" */
	unsigned timeout_s;      /* idle connection timeout */
	unsigned header_timeout_s; /* a request line and headers arrive within this; 0: none */
	size_t max_header;       /* memory for one connection's request line and headers
				  * (larger answers 431); 0: libmicrohttpd's default */
	size_t max_connections;
	mlv_http_handler handler;
	void *app;
	/* Called as each answer is queued (any thread); NULL for none. */
	void (*done)(void *app, const mlv_req *req, int status);
} mlv_http_opts;

int mlv_http_start(mlv_http **out, const mlv_http_opts *opts, char *err, size_t errlen);
/* Connections closed because their headers missed the deadline. */
uint64_t mlv_http_header_timeouts(const mlv_http *h);
/* The port actually bound (useful with port 0). */
unsigned mlv_http_port(const mlv_http *h);
void mlv_http_stop(mlv_http *h);

/* Registers the function that starts an asynchronous handler's job; it
 * runs once the connection is suspended. */
void mlv_http_set_start(mlv_req *req, void (*start)(mlv_req *req));

/* Marks an asynchronous request ready; req->finish then runs on a
 * polling thread. */
void mlv_http_resume(mlv_req *req);

/* The client's address as text ("127.0.0.1", "::1"), "" when unknown. */
void mlv_req_client_addr(mlv_req *req, char *out, size_t size);

/* Request header or query argument, NULL when absent. */
const char *mlv_req_header(mlv_req *req, const char *name);
const char *mlv_req_query(mlv_req *req, const char *name);
/* The query string rebuilt from the request's arguments, percent-encoded,
 * without those named in drop (NULL-terminated; NULL drops none): into
 * out, "" when none.  MLV_ETOOBIG past out's bound. */
int mlv_req_query_string(mlv_req *req, const char *const *drop, mlv_buf *out);
/* Calls fn for each query argument in order (value NULL for "?name"
 * alone); stops at fn's first non-zero answer and returns it. */
int mlv_req_query_each(mlv_req *req, int (*fn)(void *ctx, const char *name, const char *value),
		       void *ctx);

#endif
