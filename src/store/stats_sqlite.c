/* stats_sqlite.c - the rows the statistics are computed from: released
 * consignments with their filing, arrival and release times. */
#include <stdio.h>

#include "mlv/common.h"

#include "mlv/store.h"
#include "sqlite_internal.h"

int mlv_store_release_times(mlv_store *s, int64_t from_ms, int64_t to_ms,
			    int (*fn)(void *ctx, const mlv_release_row *row), void *ctx)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT lane, channel, filed_at, arrived_at, released_at"
			       " FROM consignments WHERE released_at >= ?1 AND released_at < ?2",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, from_ms);
	sqlite3_bind_int64(q, 2, to_ms);
	int rc = 0, step;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		mlv_release_row r;
		const unsigned char *lane = sqlite3_column_text(q, 0);
		snprintf(r.lane, sizeof(r.lane), "%s", lane ? (const char *)lane : "");
		r.channel = sqlite3_column_int(q, 1);
		r.filed_ms = sqlite3_column_int64(q, 2);
		r.arrived_ms = sqlite3_column_type(q, 3) == SQLITE_NULL ? 0 : sqlite3_column_int64(q, 3);
		r.released_ms = sqlite3_column_int64(q, 4);
		rc = fn(ctx, &r);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = MLV_EIO;
	sqlite3_finalize(q);
	return rc;
}
