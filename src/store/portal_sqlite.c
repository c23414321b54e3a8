/* portal_sqlite.c - the rules portal's drafts and publications in the
 * SQLite store (store.h, "the rules portal's texts").
 *
 * Invariants: versions are numbered 1, 2, 3 ... in the order published,
 * each with at least one text row; a text row is never changed or
 * removed, so what the portal showed at any version can be shown again;
 * a country has at most one draft.  Publication is one IMMEDIATE
 * transaction, so two publishers never share a number. */
#include <stdio.h>
#include <string.h>

#include "mlv/store.h"
#include "sqlite_internal.h"

#define TEXT_IN_FORCE                                                                     \
	"SELECT body, version FROM portal_texts WHERE country = ?1 AND version <= ?2"      \
	" ORDER BY version DESC LIMIT 1"

static int step_done(sqlite3_stmt *st)
{
	int step = sqlite3_step(st);
	return step == SQLITE_DONE || step == SQLITE_ROW ? 0 : MLV_EIO;
}

int mlv_store_portal_draft_put(mlv_store *s, const char *country, const char *body, size_t len,
			       const char *by, int64_t now_ms)
{
	if (len > MLV_PORTAL_TEXT_MAX)
		return MLV_ETOOBIG;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO portal_drafts (country, body, updated_at, updated_by)"
			       " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (country) DO UPDATE SET"
			       " body = ?2, updated_at = ?3, updated_by = ?4",
			       -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_text(st, 1, country, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, body, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now_ms);
	sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
	int rc = step_done(st);
	sqlite3_finalize(st);
	return rc;
}

int mlv_store_portal_draft_get(mlv_store *s, const char *country, mlv_buf *body,
			       int64_t *updated_ms, char by[64])
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT body, updated_at, updated_by FROM portal_drafts"
			       " WHERE country = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_text(st, 1, country, -1, SQLITE_STATIC);
	int step = sqlite3_step(st), rc = MLV_EIO;
	if (step == SQLITE_DONE) {
		rc = MLV_ENOTFOUND;
	} else if (step == SQLITE_ROW) {
		mlv_buf_reset(body);
		rc = mlv_buf_add(body, sqlite3_column_text(st, 0),
				 (size_t)sqlite3_column_bytes(st, 0));
		if (updated_ms != NULL)
			*updated_ms = sqlite3_column_int64(st, 1);
		if (by != NULL)
			snprintf(by, 64, "%s", (const char *)sqlite3_column_text(st, 2));
	}
	sqlite3_finalize(st);
	return rc;
}

int mlv_store_portal_draft_delete(mlv_store *s, const char *country)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "DELETE FROM portal_drafts WHERE country = ?1", -1, &st,
			       NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_text(st, 1, country, -1, SQLITE_STATIC);
	int rc = step_done(st);
	if (rc == 0 && sqlite3_changes(s->db) == 0)
		rc = MLV_ENOTFOUND;
	sqlite3_finalize(st);
	return rc;
}

/* The drafts with whether each differs from the text in force. */
#define DRAFTS_SQL                                                                        \
	"SELECT d.country, d.updated_at, d.updated_by, d.body IS NOT (SELECT t.body FROM"  \
	" portal_texts t WHERE t.country = d.country ORDER BY t.version DESC LIMIT 1)"     \
	" FROM portal_drafts d"

int mlv_store_portal_drafts(mlv_store *s,
			    int (*fn)(void *ctx, const char *country, int64_t updated_ms,
				      const char *by, bool changed),
			    void *ctx)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, DRAFTS_SQL " ORDER BY d.country", -1, &st, NULL) !=
	    SQLITE_OK)
		return MLV_EIO;
	int rc = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		rc = fn(ctx, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
			(const char *)sqlite3_column_text(st, 2), sqlite3_column_int(st, 3) != 0);
		if (rc != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = MLV_EIO;
	sqlite3_finalize(st);
	return rc;
}

int mlv_store_portal_latest(mlv_store *s, int64_t *version, int64_t *published_ms)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT version, published_at FROM portal_versions"
			       " ORDER BY version DESC LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	int step = sqlite3_step(st), rc = 0;
	*version = 0;
	if (published_ms != NULL)
		*published_ms = 0;
	if (step == SQLITE_ROW) {
		*version = sqlite3_column_int64(st, 0);
		if (published_ms != NULL)
			*published_ms = sqlite3_column_int64(st, 1);
	} else if (step != SQLITE_DONE) {
		rc = MLV_EIO;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Publishes one country's draft at `version` when it changes the text in
 * force; removes the draft either way.  *changed counts it. */
static int publish_one(mlv_store *s, const char *country, int64_t version, size_t *changed)
{
	sqlite3_stmt *st = NULL;
	int rc = MLV_EIO;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO portal_texts (country, version, body)"
			       " SELECT d.country, ?2, d.body FROM portal_drafts d WHERE"
			       " d.country = ?1 AND d.body IS NOT (SELECT t.body FROM portal_texts t"
			       " WHERE t.country = d.country ORDER BY t.version DESC LIMIT 1)",
			       -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_text(st, 1, country, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, version);
	if (step_done(st) != 0)
		goto cleanup;
	*changed += (size_t)sqlite3_changes(s->db);
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(s->db, "DELETE FROM portal_drafts WHERE country = ?1", -1, &st,
			       NULL) != SQLITE_OK)
		goto cleanup;
	sqlite3_bind_text(st, 1, country, -1, SQLITE_TRANSIENT);
	rc = step_done(st);
	if (rc == 0 && sqlite3_changes(s->db) == 0)
		rc = MLV_ENOTFOUND;
cleanup:
	sqlite3_finalize(st);
	return rc;
}

int mlv_store_portal_publish(mlv_store *s, const char *const *countries, size_t n,
			     const char *by, const char *note, int64_t now_ms, int64_t *version,
			     size_t *changed)
{
	sqlite3_stmt *st = NULL;
	*changed = 0;
	int rc = mlv_sqlite_exec(s, "BEGIN IMMEDIATE");
	if (rc != 0)
		return rc;
	int64_t latest = 0;
	if ((rc = mlv_store_portal_latest(s, &latest, NULL)) != 0)
		goto done;
	*version = latest + 1;
	rc = MLV_EIO;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO portal_versions (version, published_at, published_by,"
			       " note) VALUES (?1, ?2, ?3, ?4)",
			       -1, &st, NULL) != SQLITE_OK)
		goto done;
	sqlite3_bind_int64(st, 1, *version);
	sqlite3_bind_int64(st, 2, now_ms);
	sqlite3_bind_text(st, 3, by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, note != NULL ? note : "", -1, SQLITE_STATIC);
	if ((rc = step_done(st)) != 0)
		goto done;
	sqlite3_finalize(st);
	st = NULL;
	if (n > 0) {
		for (size_t i = 0; rc == 0 && i < n; i++)
			rc = publish_one(s, countries[i], *version, changed);
	} else {
		/* every draft: their codes first, then one by one */
		char codes[256][8];
		size_t k = 0;
		rc = MLV_EIO;
		if (sqlite3_prepare_v2(s->db, "SELECT country FROM portal_drafts ORDER BY country",
				       -1, &st, NULL) != SQLITE_OK)
			goto done;
		int step;
		while ((step = sqlite3_step(st)) == SQLITE_ROW && k < MLV_ARRAY_LEN(codes))
			snprintf(codes[k++], sizeof(codes[0]), "%s",
				 (const char *)sqlite3_column_text(st, 0));
		rc = step == SQLITE_ROW || step == SQLITE_DONE ? 0 : MLV_EIO;
		sqlite3_finalize(st);
		st = NULL;
		for (size_t i = 0; rc == 0 && i < k; i++)
			rc = publish_one(s, codes[i], *version, changed);
	}
	if (rc == 0 && *changed == 0)
		rc = MLV_ECONFLICT;
done:
	sqlite3_finalize(st);
	if (rc == 0 && mlv_sqlite_exec(s, "COMMIT") != 0)
		rc = MLV_EIO;
	if (rc != 0) {
		mlv_sqlite_exec(s, "ROLLBACK");
		*changed = 0;
	}
	return rc;
}

int mlv_store_portal_text(mlv_store *s, const char *country, int64_t version, mlv_buf *body,
			  int64_t *set_in)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, TEXT_IN_FORCE, -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_text(st, 1, country, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, version > 0 ? version : INT64_MAX);
	int step = sqlite3_step(st), rc = MLV_EIO;
	if (step == SQLITE_DONE) {
		rc = MLV_ENOTFOUND;
	} else if (step == SQLITE_ROW) {
		mlv_buf_reset(body);
		rc = mlv_buf_add(body, sqlite3_column_text(st, 0),
				 (size_t)sqlite3_column_bytes(st, 0));
		if (set_in != NULL)
			*set_in = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc;
}

#define VERSION_SQL                                                                       \
	"SELECT v.version, v.published_at, v.published_by, v.note,"                       \
	" (SELECT group_concat(country, ' ') FROM (SELECT country FROM portal_texts t"    \
	"   WHERE t.version = v.version ORDER BY country)),"                               \
	" (SELECT count(*) FROM portal_texts t WHERE t.version = v.version)"              \
	" FROM portal_versions v"

static void read_version(sqlite3_stmt *st, mlv_portal_version *v)
{
	memset(v, 0, sizeof(*v));
	v->version = sqlite3_column_int64(st, 0);
	v->published_ms = sqlite3_column_int64(st, 1);
	snprintf(v->by, sizeof(v->by), "%s", (const char *)sqlite3_column_text(st, 2));
	snprintf(v->note, sizeof(v->note), "%s", (const char *)sqlite3_column_text(st, 3));
	const char *c = (const char *)sqlite3_column_text(st, 4);
	size_t n = c != NULL ? strlen(c) : 0;
	if (n >= sizeof(v->countries)) {
		/* cut at a whole code */
		n = sizeof(v->countries) - 1;
		while (n > 0 && c[n] != ' ')
			n--;
	}
	memcpy(v->countries, c != NULL ? c : "", n);
	v->countries[n] = '\0';
	v->ncountries = (size_t)sqlite3_column_int64(st, 5);
}

int mlv_store_portal_versions(mlv_store *s, int limit,
			      int (*fn)(void *ctx, const mlv_portal_version *v), void *ctx)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, VERSION_SQL " ORDER BY v.version DESC LIMIT ?1", -1, &st,
			       NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int(st, 1, limit);
	int rc = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		mlv_portal_version v;
		read_version(st, &v);
		if ((rc = fn(ctx, &v)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = MLV_EIO;
	sqlite3_finalize(st);
	return rc;
}

int mlv_store_portal_version_get(mlv_store *s, int64_t version, mlv_portal_version *out)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, VERSION_SQL " WHERE v.version = ?1", -1, &st, NULL) !=
	    SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(st, 1, version);
	int step = sqlite3_step(st), rc = MLV_EIO;
	if (step == SQLITE_ROW) {
		read_version(st, out);
		rc = 0;
	} else if (step == SQLITE_DONE) {
		rc = MLV_ENOTFOUND;
	}
	sqlite3_finalize(st);
	return rc;
}

int mlv_store_portal_changed(mlv_store *s, int64_t from, int64_t to,
			     int (*fn)(void *ctx, const char *country), void *ctx)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT DISTINCT country FROM portal_texts WHERE version > ?1"
			       " AND version <= ?2 ORDER BY country",
			       -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	int rc = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = fn(ctx, (const char *)sqlite3_column_text(st, 0))) != 0)
			break;
	if (rc == 0 && step != SQLITE_DONE)
		rc = MLV_EIO;
	sqlite3_finalize(st);
	return rc;
}
