/* queue_sqlite.c - the officers' console queue: consignments waiting for
 * customs, highest risk first, with filters and a total.  The WHERE repeats
 * MLV_STORE_WAITING_SQL so that the partial index consignments_waiting
 * (migration 14) serves it however large the history grows. */
#include <stdio.h>
#include <string.h>

#include "mlv/store.h"
#include "sqlite_internal.h"

#define QUEUE_WHERE                                                                       \
	" FROM consignments WHERE " MLV_STORE_WAITING_SQL                                    \
	" AND (?1 = '' OR status = ?1) AND (?2 = '' OR lane = ?2)"                           \
	" AND (?3 = '' OR departure_country = ?3) AND coalesce(risk_score, 0) >= ?4"

static void bind_filter(sqlite3_stmt *st, const mlv_queue_filter *f)
{
	sqlite3_bind_text(st, 1, f->state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->lane, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, f->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, f->min_score);
}

int mlv_store_queue_filtered(mlv_store *s, const mlv_queue_filter *f, int64_t *total,
			     int (*fn)(void *ctx, const mlv_summary *row, const char *lane,
				       int risk_score),
			     void *ctx)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT count(*)" QUEUE_WHERE, -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	bind_filter(st, f);
	int step = sqlite3_step(st);
	*total = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (step != SQLITE_ROW)
		return MLV_EIO;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT id, lrn, version, status, category, channel, departure_country,"
			       " coalesce(lane, ''), coalesce(risk_score, 0), filed_at, updated_at,"
			       " coalesce(tracking_number, ''), item_count" QUEUE_WHERE
			       " ORDER BY risk_score DESC, id LIMIT ?5 OFFSET ?6",
			       -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	bind_filter(st, f);
	sqlite3_bind_int(st, 5, f->limit);
	sqlite3_bind_int(st, 6, f->offset);
	int rc = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		mlv_summary r;
		memset(&r, 0, sizeof(r));
		r.id = sqlite3_column_int64(st, 0);
		snprintf(r.lrn, sizeof(r.lrn), "%s", (const char *)sqlite3_column_text(st, 1));
		r.version = sqlite3_column_int(st, 2);
		snprintf(r.status, sizeof(r.status), "%s", (const char *)sqlite3_column_text(st, 3));
		r.category = (unsigned)sqlite3_column_int(st, 4);
		r.channel = (unsigned)sqlite3_column_int(st, 5);
		snprintf(r.departure_country, sizeof(r.departure_country), "%s",
			 (const char *)sqlite3_column_text(st, 6));
		r.filed_at_ms = sqlite3_column_int64(st, 9);
		r.updated_at_ms = sqlite3_column_int64(st, 10);
		snprintf(r.tracking_number, sizeof(r.tracking_number), "%s",
			 (const char *)sqlite3_column_text(st, 11));
		r.item_count = sqlite3_column_int(st, 12);
		if ((rc = fn(ctx, &r, (const char *)sqlite3_column_text(st, 7),
			     sqlite3_column_int(st, 8))) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = MLV_EIO;
	sqlite3_finalize(st);
	return rc;
}
