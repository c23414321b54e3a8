/* api_notifications.c - what filers (and agencies) hear of their
 * consignments: the notification feed read with a cursor, and webhooks
 * that receive the same notifications (docs/notifications.md).
 *
 *   GET    /v1/notifications?after=CURSOR&limit=N
 *   POST   /v1/webhooks          {"url": "...", "after": "CURSOR"}
 *   GET    /v1/webhooks
 *   GET    /v1/webhooks/{id}
 *   DELETE /v1/webhooks/{id}
 *
 * The cursor is the id of the last notification read: ids only grow, so a
 * reader that passes back the cursor it was given misses nothing and
 * reads nothing twice, however many notifications arrive between pages. */
#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_impl.h"
#include "problem.h"

struct feed_ctx {
	mlv_buf *b;
	int n;
};

static int feed_row(void *ctx, const mlv_notification *n)
{
	struct feed_ctx *f = ctx;
	/* The stored object without its id: the id goes first. */
	int rc = mlv_buf_printf(f->b, "%s{\"id\":%lld,", f->n++ ? "," : "", (long long)n->id);
	return rc ? rc : mlv_buf_adds(f->b, n->body + 1);
}

int api_notifications(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a)
{
	int64_t after = 0, limit = 100;
	const char *p;
	if ((p = mlv_req_query(req, "after")) != NULL && !api_parse_int(p, 0, INT64_MAX, &after))
		return api_bad_param(resp, "after", "is a cursor: the next_cursor of a previous page, or 0");
	if ((p = mlv_req_query(req, "limit")) != NULL &&
	    !api_parse_int(p, 1, s->opts.max_page, &limit))
		return api_bad_param(resp, "limit", "must be an integer from 1 to the page bound");
	struct feed_ctx f = {&resp->body, 0};
	int64_t last = after;
	int rc = mlv_buf_adds(&resp->body, "{\"items\":[");
	if (rc == 0) {
		mlv_store *st = api_reader_acquire(s);
		rc = mlv_store_notifications(st, a->filer_id, after, (int)limit, feed_row, &f, &last);
		api_reader_release(s, st);
	}
	if (rc == 0)
		rc = mlv_buf_printf(&resp->body, "],\"next_cursor\":\"%lld\",\"more\":%s}",
				    (long long)last, f.n == limit ? "true" : "false");
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

/* ---- webhooks ------------------------------------------------------------------------ */

static int time_member(mlv_buf *b, const char *name, int64_t ms)
{
	if (ms == 0)
		return mlv_buf_printf(b, ",\"%s\":null", name);
	char t[32];
	api_ms_to_rfc3339(ms, t);
	return mlv_buf_printf(b, ",\"%s\":\"%s\"", name, t);
}

/* The webhook and its delivery state; the secret only when just made. */
static int webhook_json(mlv_buf *b, const mlv_webhook *w, bool secret)
{
	int rc = mlv_buf_printf(b, "{\"id\":%lld,\"url\":", (long long)w->id);
	if (rc == 0)
		rc = mlv_buf_add_json_string(b, w->url, strlen(w->url));
	if (rc == 0 && secret)
		rc = mlv_buf_printf(b, ",\"secret\":\"%s\"", w->secret);
	if (rc == 0)
		rc = mlv_buf_printf(b, ",\"cursor\":\"%lld\",\"delivered\":%lld,\"pending\":%lld,"
				       "\"failed_attempts\":%d",
				    (long long)w->cursor, (long long)w->delivered,
				    (long long)w->pending, w->attempts);
	if (rc == 0)
		rc = time_member(b, "next_attempt_at", w->attempts > 0 ? w->next_attempt_ms : 0);
	if (rc == 0)
		rc = time_member(b, "last_attempt_at", w->last_attempt_ms);
	if (rc == 0 && w->last_status)
		rc = mlv_buf_printf(b, ",\"last_status\":%d", w->last_status);
	if (rc == 0 && w->last_error[0]) {
		rc = mlv_buf_adds(b, ",\"last_error\":");
		if (rc == 0)
			rc = mlv_buf_add_json_string(b, w->last_error, strlen(w->last_error));
	}
	if (rc == 0)
		rc = time_member(b, "created_at", w->created_ms);
	if (rc == 0)
		rc = mlv_buf_printf(b, ",\"links\":{\"self\":\"/v1/webhooks/%lld\"}}", (long long)w->id);
	return rc;
}

int api_webhook_create(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a)
{
	static const char *const members[] = {"url", "after", NULL};
	cJSON *j;
	if (!api_read_object(req, resp, members, &j))
		return 0;
	const char *url = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "url"));
	const char *after_s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "after"));
	int64_t after = -1;
	const char *bad = NULL;
	if (url == NULL || !mlv_webhook_url_ok(url, MLV_WEBHOOK_URL_MAX))
		bad = "url is an http:// or https:// URL of at most 512 characters, without spaces "
		      "or credentials";
	else if (after_s != NULL && !api_parse_int(after_s, 0, INT64_MAX, &after))
		bad = "after is a cursor of GET /v1/notifications (0: from the first notification)";
	if (bad != NULL) {
		cJSON_Delete(j);
		mlv_http_problem(resp, 422, "validation", NULL, bad, NULL);
		return 0;
	}
	mlv_webhook w;
	pthread_mutex_lock(&s->actions_lock);
	int rc = mlv_store_webhook_add(s->actions, a->filer_id, url, after,
				       (int)s->opts.max_webhooks, mlv_now_ms(), &w);
	pthread_mutex_unlock(&s->actions_lock);
	cJSON_Delete(j);
	if (rc == MLV_ETOOBIG) {
		char d[96];
		snprintf(d, sizeof(d), "a filer has at most %u webhooks: delete one first",
			 s->opts.max_webhooks);
		mlv_http_problem(resp, 409, "conflict", NULL, d, NULL);
		return 0;
	}
	if (rc == 0)
		rc = webhook_json(&resp->body, &w, true);
	sodium_memzero(w.secret, sizeof(w.secret)); /* shown once, never kept here */
	if (rc != 0) {
		mlv_http_problem_err(resp, rc, "the webhook could not be registered");
		return 0;
	}
	api_notified(s);
	resp->status = 201;
	snprintf(resp->location, sizeof(resp->location), "/v1/webhooks/%lld", (long long)w.id);
	return 0;
}

struct list_ctx {
	mlv_buf *b;
	int n;
};

static int list_row(void *ctx, const mlv_webhook *w)
{
	struct list_ctx *l = ctx;
	int rc = l->n++ ? mlv_buf_addc(l->b, ',') : 0;
	return rc ? rc : webhook_json(l->b, w, false);
}

int api_webhooks_list(mlv_server *s, mlv_resp *resp, const struct auth *a)
{
	struct list_ctx l = {&resp->body, 0};
	int rc = mlv_buf_adds(&resp->body, "{\"items\":[");
	if (rc == 0) {
		mlv_store *st = api_reader_acquire(s);
		rc = mlv_store_webhooks(st, a->filer_id, list_row, &l);
		api_reader_release(s, st);
	}
	if (rc == 0)
		rc = mlv_buf_adds(&resp->body, "]}");
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

int api_webhook_get(mlv_server *s, mlv_resp *resp, const struct auth *a, int64_t id)
{
	mlv_webhook w;
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_webhook_get(st, a->filer_id, id, &w);
	api_reader_release(s, st);
	if (rc == MLV_ENOTFOUND) {
		mlv_http_problem(resp, 404, "not-found", NULL, "no such webhook", NULL);
		return 0;
	}
	if (rc == 0)
		rc = webhook_json(&resp->body, &w, false);
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

int api_webhook_delete(mlv_server *s, mlv_resp *resp, const struct auth *a, int64_t id)
{
	pthread_mutex_lock(&s->actions_lock);
	int rc = mlv_store_webhook_delete(s->actions, a->filer_id, id, mlv_now_ms());
	pthread_mutex_unlock(&s->actions_lock);
	if (rc == MLV_ENOTFOUND) {
		mlv_http_problem(resp, 404, "not-found", NULL, "no such webhook", NULL);
		return 0;
	}
	if (rc != 0) {
		mlv_http_problem_err(resp, rc, NULL);
		return 0;
	}
	resp->status = 204;
	return 0;
}
