/* notify_sqlite.c - notifications and webhooks (docs/notifications.md).
 *
 * A notification is a row of the outbox, written in the transaction of
 * the change it reports, one per recipient: a consignment's owner reads
 * everything of it (reasons, actors, its LRN), every other party of a
 * multi-party consignment only the decisions (states, referrals
 * addressed to it).  Its id is an AUTOINCREMENT key: it only grows, in
 * commit order (SQLite has one writer at a time), and is never reused, so
 * a consumer that remembers the last id it read (its cursor) misses
 * nothing and reads nothing twice.
 *
 * A webhook is one more consumer with a cursor of its own, kept here: the
 * delivery thread (server/webhooks.c) moves it forward only once the
 * receiver acknowledged the notification, so a delivery that fails is
 * retried, survives a restart, and is never lost. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "mlv/codec.h"
#include "mlv/store.h"
#include "sqlite_internal.h"

void mlv_sqlite_time(int64_t ms, char out[32])
{
	char s[21];
	mlv_datetime_format(ms / 1000, s);
	snprintf(out, 32, "%.19s.%03dZ", s, (int)(ms % 1000));
}

int mlv_sqlite_recipients(mlv_store *s, int64_t consignment_id, mlv_sqlite_recipient *out,
			  size_t *n)
{
	sqlite3_stmt *q = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT c.filer_id, 0, '', 1 FROM consignments c WHERE c.id = ?1"
			       " UNION ALL SELECT p.filer_id, p.id, p.role, 0 FROM parts p"
			       " JOIN links l ON l.id = p.link_id WHERE l.consignment_id = ?1"
			       " ORDER BY 4 DESC, 2",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, consignment_id);
	int step, rc = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t filer = sqlite3_column_int64(q, 0);
		bool seen = false;
		for (size_t i = 0; i < *n && !seen; i++)
			seen = out[i].filer_id == filer;
		if (seen || *n >= MLV_SQLITE_RECIPIENTS)
			continue;
		mlv_sqlite_recipient *r = &out[(*n)++];
		r->filer_id = filer;
		r->part_id = sqlite3_column_int64(q, 1);
		mlv_sqlite_copy_col(q, 2, r->role, sizeof(r->role));
		r->owner = sqlite3_column_int(q, 3) != 0; /* the owner's row comes first */
	}
	if (step != SQLITE_DONE)
		rc = MLV_EIO;
	sqlite3_finalize(q);
	return rc;
}

int mlv_sqlite_notify(mlv_store *s, int64_t filer_id, const char *type, int64_t consignment_id,
		      int64_t referral_id, const char *body, int64_t at_ms)
{
	sqlite3_stmt *st = mlv_sqlite_stmt(s, ST_NOTIFY);
	sqlite3_bind_int64(st, 1, filer_id);
	sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
	if (consignment_id > 0)
		sqlite3_bind_int64(st, 3, consignment_id);
	if (referral_id > 0)
		sqlite3_bind_int64(st, 4, referral_id);
	sqlite3_bind_text(st, 5, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, at_ms);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : MLV_EIO;
	sqlite3_reset(st);
	return rc;
}

static int member_str(mlv_buf *b, const char *name, const char *v)
{
	int rc = mlv_buf_printf(b, ",\"%s\":", name);
	return rc ? rc : mlv_buf_add_json_string(b, v, strlen(v));
}

int mlv_sqlite_notify_state(mlv_store *s, int64_t consignment_id, const char *lrn,
			    int64_t event_id, const char *action, mlv_state from, mlv_state to,
			    const char *actor, const char *reason, int64_t at_ms)
{
	mlv_sqlite_recipient who[MLV_SQLITE_RECIPIENTS];
	size_t n;
	int rc = mlv_sqlite_recipients(s, consignment_id, who, &n);
	char at[32];
	mlv_sqlite_time(at_ms, at);
	mlv_buf b = MLV_BUF_INIT(1 << 16);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		mlv_buf_reset(&b);
		rc = mlv_buf_printf(&b, "{\"type\":\"state\",\"at\":\"%s\",\"consignment\":{\"id\":%lld",
				    at, (long long)consignment_id);
		if (rc == 0 && who[i].owner)
			rc = member_str(&b, "lrn", lrn);
		if (rc == 0 && !who[i].owner)
			rc = mlv_buf_printf(&b, "},\"part\":{\"id\":%lld,\"role\":\"%s\"",
					    (long long)who[i].part_id, who[i].role);
		if (rc == 0)
			rc = mlv_buf_printf(&b, "},\"event\":%lld,\"action\":\"%s\",\"state\":\"%s\","
						"\"previous_state\":\"%s\"",
					    (long long)event_id, action, mlv_state_name(to),
					    mlv_state_name(from));
		/* Reasons and actors are the owner's to read, not every party's. */
		if (rc == 0 && who[i].owner)
			rc = member_str(&b, "actor", actor);
		if (rc == 0 && who[i].owner)
			rc = member_str(&b, "reason", reason);
		if (rc == 0)
			rc = mlv_buf_addc(&b, '}');
		if (rc == 0)
			rc = mlv_sqlite_notify(s, who[i].filer_id, "state", consignment_id, 0, b.data,
					       at_ms);
	}
	mlv_buf_free(&b);
	return rc;
}

/* ---- reading ---------------------------------------------------------------------- */

int mlv_store_notifications(mlv_store *s, int64_t filer_id, int64_t after, int limit,
			    int (*fn)(void *ctx, const mlv_notification *n), void *ctx,
			    int64_t *last)
{
	sqlite3_stmt *q = NULL;
	*last = after;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT id, type, coalesce(consignment_id, 0), coalesce(referral_id, 0),"
			       " at, body FROM notifications WHERE filer_id = ?1 AND id > ?2"
			       " ORDER BY id LIMIT ?3",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, filer_id);
	sqlite3_bind_int64(q, 2, after);
	sqlite3_bind_int(q, 3, limit < 1 ? 1 : limit > MLV_LIST_MAX ? MLV_LIST_MAX : limit);
	int step, rc = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		mlv_notification n;
		n.id = sqlite3_column_int64(q, 0);
		mlv_sqlite_copy_col(q, 1, n.type, sizeof(n.type));
		n.consignment_id = sqlite3_column_int64(q, 2);
		n.referral_id = sqlite3_column_int64(q, 3);
		n.at_ms = sqlite3_column_int64(q, 4);
		n.body = (const char *)sqlite3_column_text(q, 5);
		if ((rc = fn(ctx, &n)) != 0)
			break;
		*last = n.id;
	}
	if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = MLV_EIO;
	sqlite3_finalize(q);
	return rc;
}

int mlv_store_notification_latest(mlv_store *s, int64_t filer_id, int64_t *id)
{
	sqlite3_stmt *q = NULL;
	*id = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT coalesce(max(id), 0) FROM notifications"
				      " WHERE filer_id = ?1", -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, filer_id);
	int rc = sqlite3_step(q) == SQLITE_ROW ? 0 : MLV_EIO;
	if (rc == 0)
		*id = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return rc;
}

int mlv_store_notification_next(mlv_store *s, int64_t filer_id, int64_t after, int64_t *id,
				mlv_buf *body)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT id, body FROM notifications WHERE filer_id = ?1"
				      " AND id > ?2 ORDER BY id LIMIT 1", -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, filer_id);
	sqlite3_bind_int64(q, 2, after);
	int step = sqlite3_step(q), rc = 0;
	if (step == SQLITE_ROW) {
		*id = sqlite3_column_int64(q, 0);
		const char *text = (const char *)sqlite3_column_text(q, 1);
		mlv_buf_reset(body);
		rc = mlv_buf_printf(body, "{\"id\":%lld,", (long long)*id);
		if (rc == 0)
			rc = mlv_buf_adds(body, text + 1); /* the stored object without its '{' */
	} else {
		rc = step == SQLITE_DONE ? MLV_ENOTFOUND : MLV_EIO;
	}
	sqlite3_finalize(q);
	return rc;
}

/* ---- webhooks ---------------------------------------------------------------------- */

#define WEBHOOK_COLUMNS                                                                   \
	"w.id, w.filer_id, w.url, w.secret, w.cursor, w.delivered, w.attempts,"         \
	" w.next_attempt_at, coalesce(w.last_attempt_at, 0), w.created_at,"                \
	" coalesce(w.last_status, 0), coalesce(w.last_error, ''),"                         \
	" (SELECT count(*) FROM notifications n WHERE n.filer_id = w.filer_id AND n.id > w.cursor)"

static void webhook_row(sqlite3_stmt *q, mlv_webhook *w)
{
	memset(w, 0, sizeof(*w));
	w->id = sqlite3_column_int64(q, 0);
	w->filer_id = sqlite3_column_int64(q, 1);
	mlv_sqlite_copy_col(q, 2, w->url, sizeof(w->url));
	mlv_sqlite_copy_col(q, 3, w->secret, sizeof(w->secret));
	w->cursor = sqlite3_column_int64(q, 4);
	w->delivered = sqlite3_column_int64(q, 5);
	w->attempts = sqlite3_column_int(q, 6);
	w->next_attempt_ms = sqlite3_column_int64(q, 7);
	w->last_attempt_ms = sqlite3_column_int64(q, 8);
	w->created_ms = sqlite3_column_int64(q, 9);
	w->last_status = sqlite3_column_int(q, 10);
	mlv_sqlite_copy_col(q, 11, w->last_error, sizeof(w->last_error));
	w->pending = sqlite3_column_int64(q, 12);
}

struct add_ctx {
	int64_t filer_id, after, now;
	const char *url;
	int max;
	mlv_webhook *out;
};

static int add_tx(mlv_store *s, void *ctx)
{
	struct add_ctx *a = ctx;
	sqlite3_stmt *q = NULL;
	int rc = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM webhooks WHERE filer_id = ?1"
				      " AND deleted_at IS NULL", -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, a->filer_id);
	if (sqlite3_step(q) != SQLITE_ROW)
		rc = MLV_EIO;
	else if (sqlite3_column_int(q, 0) >= a->max)
		rc = MLV_ETOOBIG;
	sqlite3_finalize(q);
	q = NULL;
	int64_t cursor = a->after;
	if (rc == 0 && cursor < 0)
		rc = mlv_store_notification_latest(s, a->filer_id, &cursor);
	/* The secret signs each delivery (HMAC-SHA256); the receiver keeps it. */
	unsigned char raw[32];
	char b64[sodium_base64_ENCODED_LEN(sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	if (rc == 0 && sqlite3_prepare_v2(s->db,
					  "INSERT INTO webhooks (filer_id, url, secret, cursor, created_at)"
					  " VALUES (?1, ?2, ?3, ?4, ?5)",
					  -1, &q, NULL) != SQLITE_OK)
		rc = MLV_EIO;
	if (rc == 0) {
		memset(a->out, 0, sizeof(*a->out));
		snprintf(a->out->secret, sizeof(a->out->secret), "whsec_%s", b64);
		sqlite3_bind_int64(q, 1, a->filer_id);
		sqlite3_bind_text(q, 2, a->url, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, a->out->secret, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 4, cursor);
		sqlite3_bind_int64(q, 5, a->now);
		rc = sqlite3_step(q) == SQLITE_DONE ? 0 : MLV_EIO;
	}
	if (rc == 0) {
		a->out->id = sqlite3_last_insert_rowid(s->db);
		a->out->filer_id = a->filer_id;
		snprintf(a->out->url, sizeof(a->out->url), "%s", a->url);
		a->out->cursor = cursor;
		a->out->created_ms = a->now;
	}
	sodium_memzero(b64, sizeof(b64));
	sqlite3_finalize(q);
	return rc;
}

int mlv_store_webhook_add(mlv_store *s, int64_t filer_id, const char *url, int64_t after,
			  int max, int64_t now_ms, mlv_webhook *out)
{
	struct add_ctx a = {filer_id, after, now_ms, url, max, out};
	return mlv_sqlite_write(s, add_tx, &a);
}

int mlv_store_webhooks(mlv_store *s, int64_t filer_id,
		       int (*fn)(void *ctx, const mlv_webhook *w), void *ctx)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT " WEBHOOK_COLUMNS " FROM webhooks w"
				      " WHERE w.filer_id = ?1 AND w.deleted_at IS NULL ORDER BY w.id",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, filer_id);
	int step, rc = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		mlv_webhook w;
		webhook_row(q, &w);
		if ((rc = fn(ctx, &w)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = MLV_EIO;
	sqlite3_finalize(q);
	return rc;
}

int mlv_store_webhook_get(mlv_store *s, int64_t filer_id, int64_t id, mlv_webhook *out)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT " WEBHOOK_COLUMNS " FROM webhooks w"
				      " WHERE w.id = ?1 AND w.filer_id = ?2 AND w.deleted_at IS NULL",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, filer_id);
	int step = sqlite3_step(q);
	int rc = step == SQLITE_ROW ? 0 : step == SQLITE_DONE ? MLV_ENOTFOUND : MLV_EIO;
	if (rc == 0)
		webhook_row(q, out);
	sqlite3_finalize(q);
	return rc;
}

/* Runs one UPDATE with up to four integer parameters and a text one:
 * MLV_ENOTFOUND when it changed no row. */
static int update(mlv_store *s, const char *sql, const int64_t *v, size_t nv, const char *text,
		  int text_at)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	for (size_t i = 0; i < nv; i++)
		sqlite3_bind_int64(q, (int)i + 1, v[i]);
	if (text != NULL)
		sqlite3_bind_text(q, text_at, text, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : MLV_EIO;
	if (rc == 0 && sqlite3_changes(s->db) == 0)
		rc = MLV_ENOTFOUND;
	sqlite3_finalize(q);
	return rc;
}

int mlv_store_webhook_delete(mlv_store *s, int64_t filer_id, int64_t id, int64_t now_ms)
{
	int64_t v[] = {id, filer_id, now_ms};
	return update(s, "UPDATE webhooks SET deleted_at = ?3 WHERE id = ?1 AND filer_id = ?2"
			 " AND deleted_at IS NULL", v, 3, NULL, 0);
}

int mlv_store_webhooks_due(mlv_store *s, int64_t now_ms, mlv_webhook *out, size_t max,
			   size_t *n)
{
	sqlite3_stmt *q = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT " WEBHOOK_COLUMNS " FROM webhooks w WHERE w.deleted_at IS NULL"
			       " AND w.next_attempt_at <= ?1 AND EXISTS (SELECT 1 FROM notifications n"
			       " WHERE n.filer_id = w.filer_id AND n.id > w.cursor)"
			       " ORDER BY w.next_attempt_at, w.id LIMIT ?2",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, now_ms);
	sqlite3_bind_int64(q, 2, (int64_t)max);
	int step, rc = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW && *n < max)
		webhook_row(q, &out[(*n)++]);
	if (step != SQLITE_DONE && step != SQLITE_ROW)
		rc = MLV_EIO;
	sqlite3_finalize(q);
	return rc;
}

int mlv_store_webhook_claim(mlv_store *s, int64_t id, int64_t cursor, int64_t now_ms,
			    int64_t until_ms)
{
	int64_t v[] = {id, cursor, now_ms, until_ms};
	return update(s, "UPDATE webhooks SET next_attempt_at = ?4 WHERE id = ?1 AND cursor = ?2"
			 " AND next_attempt_at <= ?3 AND deleted_at IS NULL", v, 4, NULL, 0);
}

int mlv_store_webhook_delivered(mlv_store *s, int64_t id, int64_t notification_id, int status,
				int64_t now_ms)
{
	int64_t v[] = {id, notification_id, now_ms, status};
	int rc = update(s, "UPDATE webhooks SET cursor = ?2, delivered = delivered + 1, attempts = 0,"
			   " next_attempt_at = 0, last_attempt_at = ?3, last_status = ?4,"
			   " last_error = NULL WHERE id = ?1 AND cursor < ?2", v, 4, NULL, 0);
	return rc == MLV_ENOTFOUND ? 0 : rc; /* already past it: nothing to do */
}

int mlv_store_webhook_failed(mlv_store *s, int64_t id, int status, const char *error,
			     int64_t now_ms, int64_t next_attempt_ms)
{
	int64_t v[] = {id, next_attempt_ms, now_ms, status};
	int rc = update(s, "UPDATE webhooks SET attempts = attempts + 1, next_attempt_at = ?2,"
			   " last_attempt_at = ?3, last_status = ?4, last_error = substr(?5, 1, 199)"
			   " WHERE id = ?1", v, 4, error ? error : "", 5);
	return rc == MLV_ENOTFOUND ? 0 : rc; /* deleted meanwhile */
}
