/* server.h - the HTTP API server: routes, authentication, the writer
 * thread and the pool of read connections, started and stopped as one. */
#ifndef MLV_SERVER_H
#define MLV_SERVER_H

#include <stdint.h>

#include "mlv/refdata.h"

struct mlv_profiles;
#include "mlv/validate.h"

typedef struct mlv_server mlv_server;

typedef struct mlv_server_opts {
	const char *address;      /* bind address, default 127.0.0.1 */
	unsigned port;            /* 0 picks a free port */
	unsigned threads;         /* HTTP polling threads; 0 = number of cores */
	const char *db_path;
	const mlv_refdata *rd;    /* borrowed, outlives the server */
	const struct mlv_profiles *profiles; /* for POST /v1/quote; NULL: no quotes */
	mlv_validate_opts validate;
	size_t max_body;          /* one consignment */
	size_t max_batch_body;    /* one JSON Lines batch */
	size_t max_batch_lines;
	unsigned max_page;        /* list page size bound */
	unsigned timeout_s;       /* idle connection timeout */
	unsigned header_timeout_s; /* request line and headers arrive within this; 0: none */
	size_t max_header;        /* a connection's memory for request line and headers */
	size_t max_connections;
	size_t writer_batch;      /* filings per transaction at most */
	size_t writer_queue;      /* jobs waiting at most before 503 */
	bool synchronous_full;
	bool access_log;          /* one logfmt line per request on stderr */
	const uint8_t *audit_sk;  /* signs tree heads; NULL: the log is kept unsigned */
	const uint8_t *audit_pk;  /* published at /v1/audit/public-key */
	int64_t sth_interval_ms;  /* how often a growing log is given a signed tree head */
	unsigned rate_per_key;    /* requests a second per API key; 0 = no limit */
	unsigned auth_max_failures; /* failed logins per address before a lock-out */
	unsigned auth_window_s;   /* ... within this window, which is also the lock-out */
	unsigned public_rate;     /* requests a second per address on public endpoints */
	unsigned return_window_days; /* refunds of returned goods within this */
	unsigned session_s;       /* a console session's lifetime */
	bool secure_cookies;      /* Secure session cookies (behind TLS) */
	unsigned aeo_factor_percent; /* share of its risk score a recognised AEO filer keeps */
	int64_t aeo_guarantee_waiver; /* minor units an AEO may defer without guarantee */
	bool webhooks;            /* run the webhook delivery thread (and the referral deadline sweep) */
	bool webhook_allow_private; /* deliver to loopback and private addresses */
	unsigned webhook_backoff_ms;  /* the first retry's delay; doubles up to the max */
	unsigned webhook_backoff_max_s;
	unsigned webhook_timeout_s;   /* one delivery's time limit */
	unsigned webhook_poll_ms;     /* how often the delivery thread looks at the store */
	unsigned max_webhooks;        /* per filer */
	size_t max_document;          /* bytes of one document answering a referral */
	/* The risk engine: validate.risk is the configured profile (NULL: no
	 * risk assessment).  The newest version stored replaces it at start;
	 * with none stored, it is stored as the first.  Reference values and
	 * operator scores are built from the store at start (validate.refvalues,
	 * when given, is used instead of the first build) and rebuilt every
	 * refresh_s seconds (0: never). */
	const char *risk_source;  /* where the configured profile comes from */
	unsigned refresh_s;
	size_t refvalues_min_samples;
	unsigned opscore_half_life_days;
	unsigned opscore_prior_controls;
	unsigned review_min_controls; /* rule performance: advice from this many controls */
	double review_below;      /* ... and a review flag when precision stays below */
} mlv_server_opts;

#define MLV_SERVER_OPTS_INIT                                                          \
	{ .address = "127.0.0.1", .port = 8080, .threads = 0,                          \
	  .db_path = "var/mainlevee.db", .rd = NULL, .profiles = NULL, .validate = MLV_VALIDATE_OPTS_INIT, \
	  .max_body = 1u << 20, .max_batch_body = 64u << 20, .max_batch_lines = 100000, \
	  .max_page = 500, .timeout_s = 30, .header_timeout_s = 10, .max_header = 32768, \
	  .max_connections = 4096,                                                     \
	  .writer_batch = 2048, .writer_queue = 20000, .synchronous_full = true,        \
	  .access_log = false, .audit_sk = NULL, .audit_pk = NULL,                      \
	  .sth_interval_ms = 10000, .rate_per_key = 0, .auth_max_failures = 10,          \
	  .auth_window_s = 900, .public_rate = 20, .return_window_days = 30,          \
	  .session_s = 8 * 3600, .secure_cookies = false, .aeo_factor_percent = 50,     \
	  .aeo_guarantee_waiver = 0, .webhooks = true,                                  \
	  .webhook_allow_private = false, .webhook_backoff_ms = 2000,                   \
	  .webhook_backoff_max_s = 3600, .webhook_timeout_s = 10,                       \
	  .webhook_poll_ms = 1000, .max_webhooks = 5, .max_document = 512u << 10,       \
	  .risk_source = "the configured file", .refresh_s = 0,                         \
	  .refvalues_min_samples = 20, .opscore_half_life_days = 180,                   \
	  .opscore_prior_controls = 10, .review_min_controls = 30, .review_below = 0.05 }

int mlv_server_start(mlv_server **out, const mlv_server_opts *opts, char *err, size_t errlen);
unsigned mlv_server_port(const mlv_server *s);
/* Stops accepting, lets queued filings commit, closes everything. */
void mlv_server_stop(mlv_server *s);

#endif
