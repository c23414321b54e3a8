/* webhooks.h - the server's background thread: it delivers notifications
 * to the filers' webhooks and marks referrals whose deadline passed.
 *
 * Deliveries are at least once, in order, one notification per POST,
 * signed (docs/notifications.md); each webhook's cursor moves forward only
 * when the receiver answers 2xx, so a failure is retried with exponential
 * backoff and survives a restart.  The thread works from the store alone:
 * mlv_webhooks_kick() only makes it look sooner. */
#ifndef MLV_SERVER_WEBHOOKS_H
#define MLV_SERVER_WEBHOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mlv_webhooks mlv_webhooks;

typedef struct mlv_webhooks_opts {
	const char *db_path;
	bool synchronous_full;
	bool allow_private;     /* deliver to loopback, private and link-local addresses */
	int64_t backoff_ms;     /* the first retry's delay; doubles with each failure */
	int64_t backoff_max_ms; /* ... up to this */
	long timeout_s;         /* one delivery's time limit */
	int64_t poll_ms;        /* how often the store is looked at when nothing is kicked */
	bool log;               /* one logfmt line per failed delivery on stderr */
} mlv_webhooks_opts;

int mlv_webhooks_start(mlv_webhooks **out, const mlv_webhooks_opts *opts, char *err,
		       size_t errlen);
/* Something new may be waiting: look now. */
void mlv_webhooks_kick(mlv_webhooks *w);
/* Finishes the delivery under way, then stops; NULL is fine. */
void mlv_webhooks_stop(mlv_webhooks *w);

/* The signature header's value for a delivery: "t=<seconds>,v1=<hex>"
 * where hex is HMAC-SHA256 under the secret (its text, as given to the
 * filer) of "<seconds>.<body>".  out holds at least 96 bytes. */
void mlv_webhook_signature(const char *secret, int64_t t, const char *body, size_t len,
			   char *out, size_t outlen);

/* Whether url is one a webhook may have: http:// or https://, a host,
 * printable ASCII without spaces or credentials, at most max bytes. */
bool mlv_webhook_url_ok(const char *url, size_t max);

#endif
