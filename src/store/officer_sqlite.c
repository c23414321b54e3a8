/* officer_sqlite.c - the officers' side of the store: the queue of
 * consignments waiting for a decision, inspection results, and the rule
 * statistics the results feed (the risk engine's feedback loop). */
#include <stdio.h>
#include <string.h>

#include "mlv/store.h"
#include "sqlite_internal.h"

int mlv_store_queue(mlv_store *s, int limit, int (*fn)(void *ctx, const mlv_summary *row,
						       const char *lane, int risk_score),
		    void *ctx)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT id, lrn, version, status, category, channel, departure_country,"
			       " coalesce(lane, ''), coalesce(risk_score, 0), filed_at, updated_at"
			       " FROM consignments WHERE status IN ('arrived', 'held', 'inspected',"
			       " 'referred') ORDER BY risk_score DESC, id LIMIT ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int(st, 1, limit);
	int rc = 0, step;
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
		if ((rc = fn(ctx, &r, (const char *)sqlite3_column_text(st, 7),
			     sqlite3_column_int(st, 8))) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = MLV_EIO;
	sqlite3_finalize(st);
	return rc;
}

/* Adds to each rule's counters (one statement, reused). */
static int bump(mlv_store *s, const char *const *rule_ids, size_t n, int hits, int controls,
		int findings, int seizures, int64_t revenue)
{
	sqlite3_stmt *st = mlv_sqlite_stmt(s, ST_RULE_BUMP); /* prepared once per handle */
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		sqlite3_bind_text(st, 1, rule_ids[i], -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, hits);
		sqlite3_bind_int(st, 3, controls);
		sqlite3_bind_int(st, 4, findings);
		sqlite3_bind_int(st, 5, seizures);
		sqlite3_bind_int64(st, 6, revenue);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : MLV_EIO;
		sqlite3_reset(st);
	}
	return rc;
}

int mlv_store_rule_hits(mlv_store *s, const char *const *rule_ids, size_t n)
{
	return n ? bump(s, rule_ids, n, 1, 0, 0, 0, 0) : 0;
}

int mlv_store_result(mlv_store *s, int64_t id, const char *result, int64_t revenue,
		     const char *officer, const char *note, int64_t at_ms,
		     const char *const *rule_ids, size_t nrules)
{
	sqlite3_stmt *st = NULL;
	int rc = mlv_sqlite_exec(s, "BEGIN IMMEDIATE");
	if (rc != 0)
		return rc;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO inspection_results (consignment_id, result, revenue,"
			       " officer, at, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = MLV_EIO;
		goto done;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, result, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, revenue);
	sqlite3_bind_text(st, 4, officer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, at_ms);
	sqlite3_bind_text(st, 6, note ? note : "", -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : MLV_EINVALID;
	bool found = strcmp(result, "nothing_found") != 0;
	if (rc == 0)
		rc = bump(s, rule_ids, nrules, 0, 1, found, strcmp(result, "seizure") == 0,
			  found ? revenue : 0);
done:
	sqlite3_finalize(st);
	if (rc == 0 && mlv_sqlite_exec(s, "COMMIT") != 0)
		rc = MLV_EIO;
	if (rc != 0)
		mlv_sqlite_exec(s, "ROLLBACK");
	return rc;
}

int mlv_store_rule_counts(mlv_store *s, const char *rule_id, mlv_rule_counts *out)
{
	sqlite3_stmt *st = NULL;
	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(s->db,
			       "SELECT hits, controls, findings, seizures, revenue FROM rule_stats"
			       " WHERE rule_id = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_text(st, 1, rule_id, -1, SQLITE_STATIC);
	int step = sqlite3_step(st), rc = 0;
	if (step == SQLITE_ROW) {
		out->hits = (uint64_t)sqlite3_column_int64(st, 0);
		out->controls = (uint64_t)sqlite3_column_int64(st, 1);
		out->findings = (uint64_t)sqlite3_column_int64(st, 2);
		out->seizures = (uint64_t)sqlite3_column_int64(st, 3);
		out->revenue = sqlite3_column_int64(st, 4);
	} else if (step != SQLITE_DONE) {
		rc = MLV_EIO;
	}
	sqlite3_finalize(st);
	return rc;
}
