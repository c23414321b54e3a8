/* webhooks.c - the delivery thread of webhooks and the referral deadline
 * sweep (webhooks.h).
 *
 * One thread, one read-write store connection, one reusable libcurl
 * handle.  Each turn: mark overdue referrals (once a second), then take
 * the webhooks that are due and have a notification waiting, claim each
 * (so that another server on the same store does not send the same
 * notification), POST the next notification, and move the webhook's
 * cursor on a 2xx answer or schedule the retry on anything else.
 *
 * Receivers are outside the instance: the delivery never follows
 * redirects, speaks only HTTP(S), and by default refuses to connect to
 * loopback, private and link-local addresses (checked on the address
 * actually connected, after DNS), so a webhook cannot reach the services
 * beside the server. */
#include "webhooks.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "mlv/filing.h"
#include "mlv/store.h"

struct mlv_webhooks {
	mlv_webhooks_opts opts;
	mlv_store *store;
	CURL *curl;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stopping;
	bool kicked;
	int64_t swept_ms;
};

void mlv_webhook_signature(const char *secret, int64_t t, const char *body, size_t len,
			   char *out, size_t outlen)
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char ts[24], hex[2 * sizeof(mac) + 1];
	int n = snprintf(ts, sizeof(ts), "%lld.", (long long)t);
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, (unsigned long long)n);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	snprintf(out, outlen, "t=%lld,v1=%s", (long long)t, hex);
}

bool mlv_webhook_url_ok(const char *url, size_t max)
{
	size_t n = strnlen(url, max + 1);
	if (n > max)
		return false;
	size_t skip = strncmp(url, "https://", 8) == 0 ? 8 : strncmp(url, "http://", 7) == 0 ? 7 : 0;
	if (skip == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (url[i] <= 0x20 || url[i] >= 0x7f)
			return false;
	size_t host = strcspn(url + skip, "/?#");
	if (host == 0)
		return false;
	/* no user:password@ (credentials in URLs end up in logs) */
	return memchr(url + skip, '@', host) == NULL;
}

/* ---- who may be connected to -------------------------------------------------------- */

static bool private_v4(uint32_t a)
{
	return (a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 ||
	       (a >> 16) == ((169u << 8) | 254) || (a >> 20) == ((172u << 4) | 1) ||
	       (a >> 16) == ((192u << 8) | 168) || (a >> 22) == ((100u << 2) | 1) ||
	       (a >> 28) >= 14; /* multicast, reserved, broadcast */
}

static bool private_addr(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return private_v4(ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr));
	if (sa->sa_family != AF_INET6)
		return true;
	const unsigned char *b = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
	static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (memcmp(b, v4mapped, 12) == 0)
		return private_v4(((uint32_t)b[12] << 24) | ((uint32_t)b[13] << 16) |
				  ((uint32_t)b[14] << 8) | b[15]);
	bool zero = true;
	for (int i = 0; i < 15; i++)
		zero &= b[i] == 0;
	return zero /* :: and ::1 */ || (b[0] & 0xfe) == 0xfc /* fc00::/7 */ ||
	       (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) /* fe80::/10 */ || b[0] == 0xff;
}

static curl_socket_t open_socket(void *ctx, curlsocktype purpose, struct curl_sockaddr *a)
{
	const mlv_webhooks *w = ctx;
	if (purpose != CURLSOCKTYPE_IPCXN ||
	    (!w->opts.allow_private && private_addr(&a->addr)))
		return CURL_SOCKET_BAD;
	return socket(a->family, a->socktype, a->protocol);
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

/* ---- one delivery ------------------------------------------------------------------- */

static int64_t backoff(const mlv_webhooks *w, int attempts)
{
	int64_t d = w->opts.backoff_ms;
	for (int i = 0; i < attempts && d < w->opts.backoff_max_ms; i++)
		d *= 2;
	return d < w->opts.backoff_max_ms ? d : w->opts.backoff_max_ms;
}

/* POSTs body: the HTTP status, or 0 with err set when no answer came. */
static long post(mlv_webhooks *w, const mlv_webhook *hook, int64_t nid, const mlv_buf *body,
		 char *err, size_t errlen)
{
	char sig[160], h_sig[200], h_id[64], h_hook[64];
	int64_t t = mlv_now_ms() / 1000;
	mlv_webhook_signature(hook->secret, t, body->data, body->len, sig, sizeof(sig));
	snprintf(h_sig, sizeof(h_sig), "X-Mainlevee-Signature: %s", sig);
	snprintf(h_id, sizeof(h_id), "X-Mainlevee-Notification: %lld", (long long)nid);
	snprintf(h_hook, sizeof(h_hook), "X-Mainlevee-Webhook: %lld", (long long)hook->id);
	struct curl_slist *h = NULL;
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "User-Agent: mainlevee/" MLV_VERSION);
	h = curl_slist_append(h, "Expect:");
	h = curl_slist_append(h, h_sig);
	h = curl_slist_append(h, h_id);
	h = curl_slist_append(h, h_hook);
	CURL *c = w->curl;
	char curl_err[CURL_ERROR_SIZE] = "";
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, hook->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, w->opts.timeout_s);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, w->opts.timeout_s);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, w);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
	long status = 0;
	CURLcode rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	} else {
		snprintf(err, errlen, "%s", curl_err[0] ? curl_err : curl_easy_strerror(rc));
		if (rc == CURLE_COULDNT_CONNECT && !w->opts.allow_private)
			snprintf(err, errlen, "could not connect (private and loopback addresses "
					      "are refused)");
	}
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	curl_slist_free_all(h);
	return status;
}

static void deliver(mlv_webhooks *w, const mlv_webhook *hook, mlv_buf *body)
{
	int64_t now = mlv_now_ms(), nid = 0;
	/* The lease covers the whole attempt; a crash leaves it to expire. */
	if (mlv_store_webhook_claim(w->store, hook->id, hook->cursor, now,
				    now + 2000 * (w->opts.timeout_s + 1)) != 0)
		return;
	if (mlv_store_notification_next(w->store, hook->filer_id, hook->cursor, &nid, body) != 0)
		return;
	char err[200] = "";
	long status = post(w, hook, nid, body, err, sizeof(err));
	now = mlv_now_ms();
	if (status >= 200 && status < 300) {
		mlv_store_webhook_delivered(w->store, hook->id, nid, (int)status, now);
		return;
	}
	if (err[0] == '\0')
		snprintf(err, sizeof(err), "the receiver answered %ld", status);
	int64_t next = now + backoff(w, hook->attempts);
	mlv_store_webhook_failed(w->store, hook->id, (int)status, err, now, next);
	if (w->opts.log)
		fprintf(stderr,
			"level=warn msg=\"webhook delivery failed\" webhook=%lld notification=%lld "
			"status=%ld attempts=%d retry_in_ms=%lld error=\"%s\"\n",
			(long long)hook->id, (long long)nid, status, hook->attempts + 1,
			(long long)(next - now), err);
}

static void *run(void *arg)
{
	mlv_webhooks *w = arg;
	mlv_webhook due[16];
	mlv_buf body = MLV_BUF_INIT((size_t)1 << 20);
	for (;;) {
		pthread_mutex_lock(&w->lock);
		bool stop = w->stopping;
		w->kicked = false;
		pthread_mutex_unlock(&w->lock);
		if (stop)
			break;
		int64_t now = mlv_now_ms();
		if (now - w->swept_ms >= 1000) {
			size_t marked;
			mlv_store_referrals_sweep(w->store, now, &marked);
			w->swept_ms = now;
		}
		size_t n = 0;
		if (mlv_store_webhooks_due(w->store, now, due, MLV_ARRAY_LEN(due), &n) != 0)
			n = 0;
		for (size_t i = 0; i < n; i++)
			deliver(w, &due[i], &body);
		if (n > 0)
			continue; /* more may wait behind the ones just sent */
		pthread_mutex_lock(&w->lock);
		if (!w->stopping && !w->kicked) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			int64_t ns = ts.tv_nsec + (w->opts.poll_ms % 1000) * 1000000;
			ts.tv_sec += (time_t)(w->opts.poll_ms / 1000 + ns / 1000000000);
			ts.tv_nsec = (long)(ns % 1000000000);
			pthread_cond_timedwait(&w->cond, &w->lock, &ts);
		}
		pthread_mutex_unlock(&w->lock);
	}
	mlv_buf_free(&body);
	return NULL;
}

int mlv_webhooks_start(mlv_webhooks **out, const mlv_webhooks_opts *opts, char *err,
		       size_t errlen)
{
	*out = NULL;
	mlv_webhooks *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return MLV_ENOMEM;
	w->opts = *opts;
	if (w->opts.backoff_ms <= 0)
		w->opts.backoff_ms = 1000;
	if (w->opts.backoff_max_ms < w->opts.backoff_ms)
		w->opts.backoff_max_ms = w->opts.backoff_ms;
	if (w->opts.timeout_s <= 0)
		w->opts.timeout_s = 10;
	if (w->opts.poll_ms <= 0)
		w->opts.poll_ms = 1000;
	mlv_store_opts so = MLV_STORE_OPTS_INIT;
	so.path = opts->db_path;
	so.synchronous_full = opts->synchronous_full;
	int rc = mlv_store_open(&w->store, &so, err, errlen);
	if (rc != 0) {
		free(w);
		return rc;
	}
	/* Not thread-safe: done here, on the thread that starts the server. */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	w->curl = curl_easy_init();
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	if (w->curl == NULL || pthread_create(&w->thread, NULL, run, w) != 0) {
		snprintf(err, errlen, "cannot start the webhook delivery thread");
		curl_easy_cleanup(w->curl);
		curl_global_cleanup();
		mlv_store_close(w->store);
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->cond);
		free(w);
		return MLV_ENOMEM;
	}
	*out = w;
	return 0;
}

void mlv_webhooks_kick(mlv_webhooks *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->kicked = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

void mlv_webhooks_stop(mlv_webhooks *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	curl_easy_cleanup(w->curl);
	curl_global_cleanup();
	mlv_store_close(w->store);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
}
