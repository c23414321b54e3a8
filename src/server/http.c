/* http.c - libmicrohttpd adapter (see http.h).
 *
 * The daemon runs its own polling threads (epoll, a pool of them).  A
 * request body is collected into a bounded buffer; a declared
 * Content-Length over the limit is refused before any byte of the body is
 * read.  Asynchronous answers suspend the connection first and only then
 * start their work, so a resume can never come before its suspend.
 *
 * Slow clients: libmicrohttpd closes a connection idle for timeout_s, but a
 * client that trickles its headers a byte at a time is never idle.  A
 * watchdog thread gives each request a deadline instead: the request line
 * and headers must arrive within header_timeout_s of the connection's start
 * (first request) or of the request line (later requests on a kept-alive
 * connection); past it, the socket is shut down and libmicrohttpd closes
 * the connection.  A slot holds each connection's socket and deadline; it
 * is released on libmicrohttpd's close notification, which comes before the
 * socket is closed, under the same lock the watchdog holds while it shuts a
 * socket down: a socket number is never shut down after its reuse. */
#include "http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

enum { ST_NEW = 0, ST_WAITING, ST_READY, ST_DONE };

#define DAEMONS_MAX 16

/* One single-threaded daemon per thread, all on the same port with
 * SO_REUSEPORT: the kernel spreads connections over them.  (One daemon
 * with a thread pool lets the first thread to wake accept a whole burst of
 * connections, which then share one core.) */
/* A connection watched for its header deadline. */
struct watch {
	int fd;			   /* -1: free slot */
	_Atomic int64_t deadline;  /* monotonic ms; 0: not armed */
};

struct mlv_http {
	struct MHD_Daemon *d[DAEMONS_MAX];
	unsigned nd;
	mlv_http_opts opts;
	unsigned port;
	/* the header deadlines (0 slots when header_timeout_s is 0) */
	pthread_mutex_t watch_lock;
	pthread_cond_t watch_cond;
	struct watch *slots;
	size_t nslots, *free_slots, nfree;
	pthread_t watchdog;
	bool watchdog_running, stopping;
	_Atomic uint64_t timed_out; /* connections closed by the deadline */
};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The watch slot of a connection (its socket context), or NULL. */
static struct watch *slot_of(mlv_http *h, struct MHD_Connection *conn)
{
	if (h->slots == NULL)
		return NULL;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	uintptr_t v = ci != NULL ? (uintptr_t)ci->socket_context : 0;
	return v > 0 && v <= h->nslots ? &h->slots[v - 1] : NULL;
}

/* Arms the deadline unless one is armed already (the earliest holds). */
static void arm(mlv_http *h, struct watch *w)
{
	int64_t none = 0;
	if (w != NULL)
		atomic_compare_exchange_strong(&w->deadline, &none,
					       mono_ms() + (int64_t)h->opts.header_timeout_s * 1000);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	mlv_http *h = cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		pthread_mutex_lock(&h->watch_lock);
		if (ci != NULL && h->nfree > 0) {
			size_t i = h->free_slots[--h->nfree];
			h->slots[i].fd = ci->connect_fd;
			atomic_store(&h->slots[i].deadline, 0);
			*socket_context = (void *)(uintptr_t)(i + 1);
		}
		pthread_mutex_unlock(&h->watch_lock);
		arm(h, slot_of(h, conn));
		return;
	}
	uintptr_t v = (uintptr_t)*socket_context;
	if (v == 0 || v > h->nslots)
		return;
	pthread_mutex_lock(&h->watch_lock);
	h->slots[v - 1].fd = -1;
	atomic_store(&h->slots[v - 1].deadline, 0);
	h->free_slots[h->nfree++] = v - 1;
	pthread_mutex_unlock(&h->watch_lock);
	*socket_context = NULL;
}

/* The request line of a request has come: its headers now have a deadline
 * (a kept-alive connection's later requests). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)uri;
	mlv_http *h = cls;
	arm(h, slot_of(h, conn));
	return NULL;
}

static void *watchdog_main(void *arg)
{
	mlv_http *h = arg;
	pthread_mutex_lock(&h->watch_lock);
	while (!h->stopping) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 250 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&h->watch_cond, &h->watch_lock, &until);
		int64_t now = mono_ms();
		for (size_t i = 0; i < h->nslots; i++) {
			struct watch *w = &h->slots[i];
			int64_t d = atomic_load(&w->deadline);
			if (w->fd < 0 || d == 0 || d > now)
				continue;
			atomic_store(&w->deadline, 0);
			shutdown(w->fd, SHUT_RDWR); /* libmicrohttpd sees the end and closes */
			atomic_fetch_add(&h->timed_out, 1);
		}
	}
	pthread_mutex_unlock(&h->watch_lock);
	return NULL;
}

uint64_t mlv_http_header_timeouts(const mlv_http *h)
{
	return atomic_load(&((mlv_http *)h)->timed_out);
}

struct conn_req {
	mlv_req req;
	mlv_resp resp;
	mlv_http *h;
	_Atomic int state;
	void (*start)(mlv_req *req);
};

/* Paths whose bodies may be large: JSON Lines batches, and a whole risk
 * profile (PUT /v1/rules; the profile's own bound is 16 MiB). */
static bool is_batch_path(const char *url)
{
	size_t n = strlen(url);
	return (n >= 6 && strcmp(url + n - 6, ":batch") == 0) || strcmp(url, "/v1/rules") == 0;
}

static enum MHD_Result queue(struct MHD_Connection *conn, mlv_resp *resp)
{
	size_t len = 0;
	char *data = mlv_buf_detach(&resp->body, &len);
	if (data == NULL)
		return MHD_NO;
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(data);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				resp->content_type ? resp->content_type : "application/json");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (resp->location[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, resp->location);
	if (resp->extra_name != NULL && resp->extra_value != NULL)
		MHD_add_response_header(r, resp->extra_name, resp->extra_value);
	for (size_t i = 0; i < MLV_ARRAY_LEN(resp->set_cookie); i++)
		if (resp->set_cookie[i][0])
			MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, resp->set_cookie[i]);
	if (resp->disposition[0])
		MHD_add_response_header(r, "Content-Disposition", resp->disposition);
	if (resp->content_type != NULL && strncmp(resp->content_type, "text/html", 9) == 0) {
		/* pages: no inline scripts, no framing, no referrer leaks */
		MHD_add_response_header(r, "Content-Security-Policy",
					"default-src 'self'; img-src 'self' data:; "
					"frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
		MHD_add_response_header(r, "X-Frame-Options", "DENY");
		MHD_add_response_header(r, "Referrer-Policy", "same-origin");
	}
	if (resp->retry_after > 0) {
		char v[16];
		snprintf(v, sizeof(v), "%d", resp->retry_after);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, v);
	}
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	return ret;
}

/* Queues r's answer, after telling the application (metrics). */
static enum MHD_Result reply(mlv_http *h, struct MHD_Connection *conn, struct conn_req *r)
{
	if (h->opts.done != NULL)
		h->opts.done(h->opts.app, &r->req, r->resp.status);
	return queue(conn, &r->resp);
}

static void simple(mlv_resp *resp, int status, const char *title, const char *detail)
{
	mlv_buf_reset(&resp->body);
	resp->status = status;
	resp->content_type = "application/problem+json";
	mlv_buf_printf(&resp->body,
		       "{\"type\":\"about:blank\",\"title\":\"%s\",\"status\":%d,\"detail\":\"%s\"}",
		       title, status, detail);
}

static void too_big(struct conn_req *r)
{
	char detail[96];
	snprintf(detail, sizeof(detail), "the request body is larger than %zu bytes",
		 r->req.body.max);
	simple(&r->resp, 413, "Content Too Large", detail);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	mlv_http *h = cls;
	struct conn_req *r = *con_cls;
	(void)version;
	if (r == NULL) {
		/* the headers are in: the deadline is met */
		struct watch *w = slot_of(h, conn);
		if (w != NULL)
			atomic_store(&w->deadline, 0);
		r = calloc(1, sizeof(*r));
		if (r == NULL)
			return MHD_NO;
		r->h = h;
		r->req.arena = mlv_arena_new(4096);
		if (r->req.arena == NULL) {
			free(r);
			return MHD_NO;
		}
		size_t limit = is_batch_path(url) ? h->opts.max_batch_body : h->opts.max_body;
		mlv_buf_init(&r->req.body, limit);
		mlv_buf_init(&r->resp.body, (size_t)64 << 20);
		r->req.method = method;
		r->req.path = url;
		r->req.conn = conn;
		r->req.app = h->opts.app;
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		r->req.started_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
		r->req.route = -1;
		*con_cls = r;
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl != NULL) {
			char *end;
			unsigned long long n = strtoull(cl, &end, 10);
			if (*end == '\0' && n > limit) {
				r->req.body_too_big = true;
				too_big(r);
				atomic_store(&r->state, ST_DONE);
				return reply(h, conn, r);
			}
		}
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		if (!r->req.body_too_big &&
		    mlv_buf_add(&r->req.body, upload_data, *upload_data_size) != 0)
			r->req.body_too_big = true;
		*upload_data_size = 0;
		return MHD_YES;
	}
	int state = atomic_load(&r->state);
	if (state == ST_DONE)
		return MHD_YES;
	if (state == ST_READY) {
		r->req.finish(&r->req, &r->resp);
		atomic_store(&r->state, ST_DONE);
		return reply(h, conn, r);
	}
	if (state == ST_WAITING)
		return MHD_YES;
	if (r->req.body_too_big) {
		too_big(r);
		atomic_store(&r->state, ST_DONE);
		return reply(h, conn, r);
	}
	r->resp.status = 200;
	int rc = h->opts.handler(&r->req, &r->resp);
	if (rc == MLV_HTTP_ASYNC) {
		atomic_store(&r->state, ST_WAITING);
		MHD_suspend_connection(conn);
		/* The job starts only now: its resume cannot overtake the suspend. */
		void (*start)(mlv_req *) = r->start;
		if (start != NULL)
			start(&r->req);
		return MHD_YES;
	}
	atomic_store(&r->state, ST_DONE);
	return reply(h, conn, r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	struct conn_req *r = *con_cls;
	if (r == NULL)
		return;
	mlv_buf_free(&r->req.body);
	mlv_buf_free(&r->resp.body);
	mlv_arena_free(r->req.arena);
	free(r);
	*con_cls = NULL;
}

void mlv_http_resume(mlv_req *req)
{
	struct conn_req *r = (struct conn_req *)req;
	atomic_store(&r->state, ST_READY);
	MHD_resume_connection(req->conn);
}

void mlv_http_set_start(mlv_req *req, void (*start)(mlv_req *req))
{
	((struct conn_req *)req)->start = start;
}

void mlv_req_client_addr(mlv_req *req, char *out, size_t size)
{
	out[0] = '\0';
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || ci->client_addr == NULL)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
			  (socklen_t)size);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
			  (socklen_t)size);
}

const char *mlv_req_header(mlv_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *mlv_req_query(mlv_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

typedef struct query_ctx {
	const char *const *drop;
	mlv_buf *out;
	int rc;
} query_ctx;

/* Appends s percent-encoded (RFC 3986 unreserved characters kept). */
static int add_encoded(mlv_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = 0;
	for (const unsigned char *p = (const unsigned char *)s; rc == 0 && *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			rc = mlv_buf_addc(b, (char)*p);
		} else {
			char e[4] = {'%', hex[*p >> 4], hex[*p & 15], '\0'};
			rc = mlv_buf_adds(b, e);
		}
	}
	return rc;
}

static enum MHD_Result on_argument(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	(void)kind;
	query_ctx *q = cls;
	for (size_t i = 0; q->drop != NULL && q->drop[i] != NULL; i++)
		if (strcmp(q->drop[i], key) == 0)
			return MHD_YES;
	if (q->rc == 0 && q->out->len > 0)
		q->rc = mlv_buf_addc(q->out, '&');
	if (q->rc == 0)
		q->rc = add_encoded(q->out, key);
	if (q->rc == 0 && value != NULL) {
		q->rc = mlv_buf_addc(q->out, '=');
		if (q->rc == 0)
			q->rc = add_encoded(q->out, value);
	}
	return q->rc == 0 ? MHD_YES : MHD_NO;
}

int mlv_req_query_string(mlv_req *req, const char *const *drop, mlv_buf *out)
{
	query_ctx q = {drop, out, 0};
	mlv_buf_reset(out);
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, on_argument, &q);
	return q.rc;
}

struct query_each {
	int (*fn)(void *ctx, const char *name, const char *value);
	void *ctx;
	int rc;
};

static enum MHD_Result query_one(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *value)
{
	(void)kind;
	struct query_each *q = cls;
	q->rc = q->fn(q->ctx, key, value);
	return q->rc == 0 ? MHD_YES : MHD_NO;
}

int mlv_req_query_each(mlv_req *req, int (*fn)(void *ctx, const char *name, const char *value),
		       void *ctx)
{
	struct query_each q = {fn, ctx, 0};
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, query_one, &q);
	return q.rc;
}

static struct MHD_Daemon *start_one(mlv_http *h, const struct sockaddr *sa, unsigned flags)
{
	struct MHD_OptionItem more[] = {
		{h->opts.max_header ? MHD_OPTION_CONNECTION_MEMORY_LIMIT : MHD_OPTION_END,
		 (intptr_t)h->opts.max_header, NULL},
		{MHD_OPTION_END, 0, NULL},
	};
	if (h->slots == NULL)
		return MHD_start_daemon(flags, 0, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR, sa,
					MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)h->opts.timeout_s,
					MHD_OPTION_CONNECTION_LIMIT, (unsigned)h->opts.max_connections,
					MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
					MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
					MHD_OPTION_ARRAY, more, MHD_OPTION_END);
	return MHD_start_daemon(flags, 0, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR, sa,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)h->opts.timeout_s,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)h->opts.max_connections,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
				MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
				MHD_OPTION_URI_LOG_CALLBACK, on_uri, h,
				MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
				MHD_OPTION_ARRAY, more, MHD_OPTION_END);
}

/* The slots and the watchdog of the header deadlines. */
static int watch_start(mlv_http *h)
{
	pthread_mutex_init(&h->watch_lock, NULL);
	pthread_cond_init(&h->watch_cond, NULL);
	if (h->opts.header_timeout_s == 0)
		return 0;
	/* every daemon accepts up to max_connections */
	size_t n = h->opts.max_connections * (h->opts.threads ? h->opts.threads : 2);
	h->slots = calloc(n, sizeof(*h->slots));
	h->free_slots = calloc(n, sizeof(*h->free_slots));
	if (h->slots == NULL || h->free_slots == NULL)
		return MLV_ENOMEM;
	h->nslots = n;
	for (size_t i = 0; i < n; i++) {
		h->slots[i].fd = -1;
		h->free_slots[h->nfree++] = n - 1 - i;
	}
	if (pthread_create(&h->watchdog, NULL, watchdog_main, h) != 0)
		return MLV_ENOMEM;
	h->watchdog_running = true;
	return 0;
}

static void watch_stop(mlv_http *h)
{
	if (h->watchdog_running) {
		pthread_mutex_lock(&h->watch_lock);
		h->stopping = true;
		pthread_cond_signal(&h->watch_cond);
		pthread_mutex_unlock(&h->watch_lock);
		pthread_join(h->watchdog, NULL);
	}
	free(h->slots);
	free(h->free_slots);
	pthread_cond_destroy(&h->watch_cond);
	pthread_mutex_destroy(&h->watch_lock);
}

int mlv_http_start(mlv_http **out, const mlv_http_opts *opts, char *err, size_t errlen)
{
	mlv_http *h = calloc(1, sizeof(*h));
	if (h == NULL)
		return MLV_ENOMEM;
	h->opts = *opts;
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
	struct sockaddr *sa;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
	bool ipv6 = strchr(opts->address, ':') != NULL;
	memset(&v4, 0, sizeof(v4));
	memset(&v6, 0, sizeof(v6));
	if (ipv6) {
		v6.sin6_family = AF_INET6;
		v6.sin6_port = htons((uint16_t)opts->port);
		if (inet_pton(AF_INET6, opts->address, &v6.sin6_addr) != 1)
			goto bad_address;
		sa = (struct sockaddr *)&v6;
		flags |= MHD_USE_IPv6;
	} else {
		v4.sin_family = AF_INET;
		v4.sin_port = htons((uint16_t)opts->port);
		if (inet_pton(AF_INET, opts->address, &v4.sin_addr) != 1)
			goto bad_address;
		sa = (struct sockaddr *)&v4;
	}
	unsigned n = opts->threads ? opts->threads : 2;
	if (n > DAEMONS_MAX)
		n = DAEMONS_MAX;
	h->opts.threads = n;
	if (watch_start(h) != 0) {
		snprintf(err, errlen, "cannot start the header deadline watchdog");
		mlv_http_stop(h);
		return MLV_ENOMEM;
	}
	for (unsigned i = 0; i < n; i++) {
		h->d[i] = start_one(h, sa, flags);
		if (h->d[i] == NULL) {
			snprintf(err, errlen, "cannot listen on %s port %u (in use, or not allowed)",
				 opts->address, i == 0 ? opts->port : h->port);
			mlv_http_stop(h);
			return MLV_EIO;
		}
		h->nd++;
		if (i == 0) {
			/* With port 0 the first daemon picked one: the others join it. */
			const union MHD_DaemonInfo *info =
				MHD_get_daemon_info(h->d[0], MHD_DAEMON_INFO_BIND_PORT);
			h->port = info ? info->port : opts->port;
			if (ipv6)
				v6.sin6_port = htons((uint16_t)h->port);
			else
				v4.sin_port = htons((uint16_t)h->port);
		}
	}
	*out = h;
	return 0;
bad_address:
	snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address", opts->address);
	free(h);
	return MLV_EINVALID;
}

unsigned mlv_http_port(const mlv_http *h)
{
	return h->port;
}

void mlv_http_stop(mlv_http *h)
{
	if (h == NULL)
		return;
	/* Stop accepting everywhere first, then close. */
	for (unsigned i = 0; i < h->nd; i++)
		MHD_quiesce_daemon(h->d[i]);
	for (unsigned i = 0; i < h->nd; i++)
		MHD_stop_daemon(h->d[i]);
	watch_stop(h);
	free(h);
}
