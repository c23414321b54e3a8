/* officer_sqlite.c - the officers' side of the store: the queue of
 * consignments waiting for a decision, inspection results, and the rule
 * statistics the results feed (the risk engine's feedback loop). */
#include <stdio.h>
#include <string.h>

#include "mlv/store.h"
#include "sqlite_internal.h"

/* The filters' values: each clause uses its fixed parameter number. */
static void bind_filters(sqlite3_stmt *st, const mlv_queue_query *q)
{
	if (q->state != NULL)
		sqlite3_bind_text(st, 1, q->state, -1, SQLITE_STATIC);
	if (q->lane != NULL)
		sqlite3_bind_text(st, 2, q->lane, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, (int)q->channel);
	sqlite3_bind_int(st, 4, (int)q->category);
	if (q->departure_country != NULL)
		sqlite3_bind_text(st, 5, q->departure_country, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, q->min_score);
	sqlite3_bind_int64(st, 7, q->now_ms);
}

/* Filters add their clauses; parameter numbers are fixed. */
int mlv_store_queue_list(mlv_store *s, const mlv_queue_query *q,
			 int (*fn)(void *ctx, const mlv_queue_row *row), void *ctx, int64_t *total)
{
	char where[1024];
	/* What waits (the partial index consignments_waiting serves it), or one
	 * state of it. */
	int n = snprintf(where, sizeof(where), " WHERE %s%s", MLV_STORE_WAITING_SQL,
			 q->state != NULL ? " AND c.status = ?1" : "");
	const struct {
		bool on;
		const char *clause;
	} filters[] = {
		{q->lane != NULL, " AND c.lane = ?2"},
		{q->channel != 0, " AND c.channel = ?3"},
		{q->category != 0, " AND c.category = ?4"},
		{q->departure_country != NULL, " AND c.departure_country = ?5"},
		{q->min_score > 0, " AND coalesce(c.risk_score, 0) >= ?6"},
		{q->overdue, " AND EXISTS (SELECT 1 FROM referrals r WHERE r.consignment_id = c.id"
			     " AND r.status = 'open' AND r.deadline < ?7)"},
		{q->multi_party, " AND EXISTS (SELECT 1 FROM links l WHERE l.consignment_id = c.id)"},
	};
	for (size_t i = 0; i < MLV_ARRAY_LEN(filters); i++)
		if (filters[i].on)
			n += snprintf(where + n, sizeof(where) - (size_t)n, "%s", filters[i].clause);
	char sql[2048];
	snprintf(sql, sizeof(sql),
		 "SELECT c.id, c.lrn, c.version, c.status, c.category, c.channel, c.declaration_type,"
		 " c.departure_country, coalesce(c.tracking_number, ''), coalesce(c.currency, ''),"
		 " coalesce(c.invoice_total, -1), c.item_count, c.quality_score, c.filed_at,"
		 " c.updated_at, coalesce(c.lane, ''), coalesce(c.risk_score, 0),"
		 " coalesce(c.arrived_at, 0),"
		 " (SELECT count(*) FROM referrals r WHERE r.consignment_id = c.id"
		 "  AND r.status <> 'closed'),"
		 " (SELECT coalesce(min(r.deadline), 0) FROM referrals r WHERE r.consignment_id = c.id"
		 "  AND r.status = 'open'),"
		 " EXISTS (SELECT 1 FROM links l WHERE l.consignment_id = c.id)"
		 " FROM consignments c%s ORDER BY c.risk_score DESC, c.id"
		 " LIMIT ?8 OFFSET ?9",
		 where);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	bind_filters(st, q);
	if (total != NULL) {
		/* How many match, for the pages of the console. */
		sqlite3_stmt *count = NULL;
		char csql[1200];
		snprintf(csql, sizeof(csql), "SELECT count(*) FROM consignments c%s", where);
		if (sqlite3_prepare_v2(s->db, csql, -1, &count, NULL) != SQLITE_OK) {
			sqlite3_finalize(st);
			return MLV_EIO;
		}
		bind_filters(count, q);
		*total = sqlite3_step(count) == SQLITE_ROW ? sqlite3_column_int64(count, 0) : 0;
		sqlite3_finalize(count);
	}
	int limit = q->limit < 1 ? 1 : q->limit > MLV_LIST_MAX ? MLV_LIST_MAX : q->limit;
	sqlite3_bind_int(st, 8, limit);
	sqlite3_bind_int(st, 9, q->offset < 0 ? 0 : q->offset);
	int rc = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		mlv_queue_row r;
		memset(&r, 0, sizeof(r));
		r.c.id = sqlite3_column_int64(st, 0);
		mlv_sqlite_copy_col(st, 1, r.c.lrn, sizeof(r.c.lrn));
		r.c.version = sqlite3_column_int(st, 2);
		mlv_sqlite_copy_col(st, 3, r.c.status, sizeof(r.c.status));
		r.c.category = (unsigned)sqlite3_column_int(st, 4);
		r.c.channel = (unsigned)sqlite3_column_int(st, 5);
		r.c.declaration_type = (unsigned)sqlite3_column_int(st, 6);
		mlv_sqlite_copy_col(st, 7, r.c.departure_country, sizeof(r.c.departure_country));
		mlv_sqlite_copy_col(st, 8, r.c.tracking_number, sizeof(r.c.tracking_number));
		mlv_sqlite_copy_col(st, 9, r.c.currency, sizeof(r.c.currency));
		r.c.invoice_total = sqlite3_column_int64(st, 10);
		r.c.item_count = sqlite3_column_int(st, 11);
		r.c.quality_score = sqlite3_column_int(st, 12);
		r.c.filed_at_ms = sqlite3_column_int64(st, 13);
		r.c.updated_at_ms = sqlite3_column_int64(st, 14);
		mlv_sqlite_copy_col(st, 15, r.lane, sizeof(r.lane));
		r.risk_score = sqlite3_column_int(st, 16);
		r.arrived_at_ms = sqlite3_column_int64(st, 17);
		r.open_referrals = sqlite3_column_int(st, 18);
		r.next_deadline_ms = sqlite3_column_int64(st, 19);
		r.overdue = r.next_deadline_ms != 0 && r.next_deadline_ms < q->now_ms;
		r.multi_party = sqlite3_column_int(st, 20) != 0;
		if ((rc = fn(ctx, &r)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = MLV_EIO;
	sqlite3_finalize(st);
	return rc;
}

struct old_queue {
	int (*fn)(void *ctx, const mlv_summary *row, const char *lane, int risk_score);
	void *ctx;
};

static int old_row(void *ctx, const mlv_queue_row *r)
{
	struct old_queue *o = ctx;
	return o->fn(o->ctx, &r->c, r->lane, r->risk_score);
}

int mlv_store_queue(mlv_store *s, int limit, int (*fn)(void *ctx, const mlv_summary *row,
						       const char *lane, int risk_score),
		    void *ctx)
{
	mlv_queue_query q;
	memset(&q, 0, sizeof(q));
	q.limit = limit;
	struct old_queue o = {fn, ctx};
	return mlv_store_queue_list(s, &q, old_row, &o, NULL);
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

/* One inspection result and the rules it feeds, in the caller's
 * transaction. */
static int record_result(mlv_store *s, const mlv_decision *d)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO inspection_results (consignment_id, result, revenue,"
			       " officer, at, note, nii_reference, notes)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
			       -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(st, 1, d->id);
	sqlite3_bind_text(st, 2, d->result, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, d->revenue);
	sqlite3_bind_text(st, 4, d->actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, d->at_ms);
	sqlite3_bind_text(st, 6, d->reason ? d->reason : "", -1, SQLITE_STATIC);
	if (d->nii_reference != NULL)
		sqlite3_bind_text(st, 7, d->nii_reference, -1, SQLITE_STATIC);
	if (d->notes != NULL)
		sqlite3_bind_text(st, 8, d->notes, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : MLV_EINVALID;
	sqlite3_finalize(st);
	/* the rules' counters (all time and by day) and the statistics, written
	 * before COMMIT (stats_sqlite.c) */
	if (rc == 0)
		rc = mlv_sqlite_stats_result(s, d->id, d->result, d->revenue, d->at_ms, d->rule_ids,
					     d->nrules);
	return rc;
}

int mlv_store_result(mlv_store *s, int64_t id, const char *result, int64_t revenue,
		     const char *officer, const char *note, int64_t at_ms,
		     const char *const *rule_ids, size_t nrules)
{
	mlv_decision d = {.id = id, .actor = officer, .reason = note, .at_ms = at_ms,
			  .result = result, .revenue = revenue, .rule_ids = rule_ids,
			  .nrules = nrules};
	int rc = mlv_sqlite_exec(s, "BEGIN IMMEDIATE");
	if (rc != 0)
		return rc;
	rc = record_result(s, &d);
	if (rc == 0)
		rc = mlv_sqlite_stats_flush(s);
	if (rc == 0 && mlv_sqlite_exec(s, "COMMIT") != 0)
		rc = MLV_EIO;
	if (rc != 0) {
		mlv_sqlite_exec(s, "ROLLBACK");
		mlv_sqlite_stats_discard(s);
	}
	return rc;
}

struct decide_ctx {
	const mlv_decision *d;
	mlv_transition_result *r;
};

static int decide_tx(mlv_store *s, void *ctx)
{
	struct decide_ctx *c = ctx;
	const mlv_decision *d = c->d;
	mlv_sqlite_step t = {.filer_id = 0, .id = d->id, .action = d->action,
			     .by = MLV_BY_OFFICER, .actor = d->actor, .reason = d->reason,
			     .at_ms = d->at_ms};
	int rc = mlv_sqlite_transition(s, &t, c->r);
	if (rc == 0 && d->result != NULL)
		rc = record_result(s, d);
	return rc;
}

int mlv_store_decide(mlv_store *s, const mlv_decision *d, mlv_transition_result *r)
{
	struct decide_ctx c = {d, r};
	memset(r, 0, sizeof(*r));
	return mlv_sqlite_write(s, decide_tx, &c);
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
