/* lifecycle_sqlite.c - the lifecycle in the store: each transition checked
 * against the table of lifecycle.c, written as an event with its actor,
 * time and reason (and its audit leaf), the times of arrival and release
 * kept on the consignment, and every party told (notify_sqlite.c), all in
 * the transaction of the change. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "mlv/lifecycle.h"
#include "mlv/store.h"
#include "sqlite_internal.h"

int mlv_sqlite_action_event(mlv_store *s, int64_t id, int64_t filer_id, const char *lrn,
			    int version, const char *type, const char *actor, const char *reason,
			    int64_t referral_id, int64_t at_ms, int64_t *event_id)
{
	/* The leaf hashes the reason instead of holding it: reasons may name
	 * people, and leaves are kept forever. */
	mlv_filing f;
	memset(&f, 0, sizeof(f));
	f.id = id;
	f.filer_id = filer_id;
	f.c.lrn = lrn;
	f.version = version;
	f.received_ms = at_ms;
	crypto_generichash(f.content_hash, sizeof(f.content_hash), (const unsigned char *)reason,
			   strlen(reason), NULL, 0);
	uint64_t eid = s->audit_size + 1; /* leaf i is event i + 1 */
	mlv_buf leaf = MLV_BUF_INIT(4096);
	uint8_t h[MLV_AUDIT_HASH_LEN];
	int rc = mlv_sqlite_event_leaf(&leaf, eid, &f, type, actor);
	if (rc == 0) {
		mlv_audit_leaf_hash(h, leaf.data, leaf.len);
		sqlite3_stmt *st = mlv_sqlite_stmt(s, ST_ACTION_EVENT);
		sqlite3_bind_int64(st, 1, (int64_t)eid);
		sqlite3_bind_int64(st, 2, id);
		sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, version);
		sqlite3_bind_int64(st, 5, at_ms);
		sqlite3_bind_text(st, 6, actor, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, leaf.data, (int)leaf.len, SQLITE_STATIC);
		sqlite3_bind_blob(st, 8, h, sizeof(h), SQLITE_STATIC);
		sqlite3_bind_text(st, 9, reason, -1, SQLITE_STATIC);
		if (referral_id > 0)
			sqlite3_bind_int64(st, 10, referral_id);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : MLV_EIO;
		sqlite3_reset(st);
	}
	mlv_buf_free(&leaf);
	mlv_audit_store as;
	mlv_sqlite_audit_store(s, &as);
	if (rc == 0)
		rc = mlv_audit_append(&as, s->audit_size, h);
	if (rc == 0) {
		s->audit_size++;
		*event_id = (int64_t)eid;
	}
	return rc;
}

int mlv_sqlite_transition(mlv_store *s, const mlv_sqlite_step *t, mlv_transition_result *r)
{
	sqlite3_stmt *q = NULL, *u = NULL;
	memset(r, 0, sizeof(*r));
	r->amount_due = -1;
	int rc = 0;
	/* A filer reaches its own consignments, and the carrier of a
	 * multi-party one reaches it too (arrival, exit). */
	if (sqlite3_prepare_v2(s->db,
			       "SELECT status, filer_id, lrn, version, lane, amount_due, filed_at,"
			       " arrived_at, released_at, declaration_type FROM consignments c"
			       " WHERE id = ?1 AND (?2 = 0 OR filer_id = ?2 OR EXISTS (SELECT 1"
			       " FROM links l JOIN parts p ON p.link_id = l.id WHERE l.consignment_id"
			       " = c.id AND p.filer_id = ?2 AND p.role = 'carrier'))",
			       -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
			       "UPDATE consignments SET status = ?2, updated_at = ?3,"
			       " arrived_at = coalesce(arrived_at, ?4),"
			       " released_at = coalesce(released_at, ?5) WHERE id = ?1",
			       -1, &u, NULL) != SQLITE_OK) {
		rc = MLV_EIO;
		goto done;
	}
	sqlite3_bind_int64(q, 1, t->id);
	sqlite3_bind_int64(q, 2, t->filer_id);
	int step = sqlite3_step(q);
	if (step != SQLITE_ROW) {
		rc = step == SQLITE_DONE ? MLV_ENOTFOUND : MLV_EIO;
		goto done;
	}
	r->from = mlv_state_from_name((const char *)sqlite3_column_text(q, 0));
	int64_t owner = sqlite3_column_int64(q, 1);
	char lrn[40];
	mlv_sqlite_copy_col(q, 2, lrn, sizeof(lrn));
	int version = sqlite3_column_int(q, 3);
	if (sqlite3_column_type(q, 4) != SQLITE_NULL)
		mlv_sqlite_copy_col(q, 4, r->lane, sizeof(r->lane));
	if (sqlite3_column_type(q, 5) != SQLITE_NULL)
		r->amount_due = sqlite3_column_int64(q, 5);
	r->filed_at_ms = sqlite3_column_int64(q, 6);
	r->arrived_at_ms = sqlite3_column_int64(q, 7);
	r->released_at_ms = sqlite3_column_int64(q, 8);
	unsigned facts = (r->arrived_at_ms ? MLV_FACT_ARRIVED : 0) |
			 (r->lane[0] && r->amount_due >= 0 ? MLV_FACT_ASSESSED : 0) |
			 (sqlite3_column_int(q, 9) == MLV_DECL_EXPORT ? MLV_FACT_EXPORT : 0);
	if ((rc = mlv_lifecycle_next(r->from, t->action, t->by, facts, &r->to)) != 0)
		goto done;
	if (t->action == MLV_ACT_ARRIVE && r->arrived_at_ms == 0)
		r->arrived_at_ms = t->at_ms;
	/* Immediate release (FoS Standard 6): arrived, green, and nothing to
	 * pay before release, or what is due charged to the deferred account
	 * within its guarantee.  Anything else waits for an officer. */
	bool green = strcmp(r->lane, "green") == 0;
	bool release = t->auto_release && t->action == MLV_ACT_ARRIVE &&
		       r->to == MLV_ST_ARRIVED && green && r->amount_due == 0;
	mlv_account acct;
	const char *release_reason = "green lane, nothing due before release";
	const mlv_release_terms *terms = t->terms;
	int64_t waiver = terms != NULL && terms->guarantee_waiver > 0 ? terms->guarantee_waiver : 0;
	bool account = false;
	if (t->auto_release && t->action == MLV_ACT_ARRIVE && r->to == MLV_ST_ARRIVED && green &&
	    r->amount_due > 0) {
		account = mlv_store_account_get(s, owner, 0, &acct) == 0;
		/* An AEO without an account: one opens, with no guarantee, when
		 * the amount fits in the waiver. */
		if (!account && terms != NULL && r->amount_due <= waiver && terms->currency != NULL)
			account = mlv_store_account_open(s, owner, terms->currency, 0, t->at_ms, &acct) ==
				  0;
	}
	if (account) {
		/* What is due goes on the deferred account, within its guarantee
		 * and, for an AEO, the waiver beyond it. */
		if (acct.balance + r->amount_due <= acct.ceiling) {
			release = r->on_account = true;
			release_reason = "green lane, duties and taxes debited to the deferred account";
		} else if (acct.balance + r->amount_due <= acct.ceiling + waiver) {
			release = r->on_account = r->aeo_waiver = true;
			release_reason = "green lane, duties and taxes debited to the deferred account "
					 "without guarantee (AEO waiver)";
		} else {
			r->over_ceiling = true;
		}
	}
	if ((rc = mlv_sqlite_action_event(s, t->id, owner, lrn, version,
					  mlv_action_name(t->action), t->actor, t->reason,
					  t->referral_id, t->at_ms, &r->event_id)) != 0 ||
	    (rc = mlv_sqlite_notify_state(s, t->id, lrn, r->event_id, mlv_action_name(t->action),
					  r->from, r->to, t->actor, t->reason, t->at_ms)) != 0)
		goto done;
	if (release) {
		mlv_state to;
		if ((rc = mlv_lifecycle_next(r->to, MLV_ACT_RELEASE, MLV_BY_SYSTEM, facts | MLV_FACT_ARRIVED,
					     &to)) != 0 ||
		    (r->on_account &&
		     (rc = mlv_store_account_entry(s, acct.id, t->id, "debit", r->amount_due, t->at_ms,
						   "duties and taxes at release")) != 0) ||
		    (rc = mlv_sqlite_action_event(s, t->id, owner, lrn, version, "release", "system",
						  release_reason, 0, t->at_ms, &r->event_id)) != 0 ||
		    (rc = mlv_sqlite_notify_state(s, t->id, lrn, r->event_id, "release", r->to, to,
						  "system", release_reason, t->at_ms)) != 0)
			goto done;
		r->to = to;
	}
	if (r->to == MLV_ST_RELEASED && r->released_at_ms == 0)
		r->released_at_ms = t->at_ms;
	/* the statistics: the row's share before the change out, after it in
	 * (written by mlv_sqlite_write before COMMIT) */
	if ((rc = mlv_sqlite_stats_row(s, t->id, -1)) != 0)
		goto done;
	sqlite3_bind_int64(u, 1, t->id);
	sqlite3_bind_text(u, 2, mlv_state_name(r->to), -1, SQLITE_STATIC);
	sqlite3_bind_int64(u, 3, t->at_ms);
	if (r->arrived_at_ms)
		sqlite3_bind_int64(u, 4, r->arrived_at_ms);
	if (r->released_at_ms)
		sqlite3_bind_int64(u, 5, r->released_at_ms);
	rc = sqlite3_step(u) == SQLITE_DONE ? 0 : MLV_EIO;
	if (rc == 0)
		rc = mlv_sqlite_stats_row(s, t->id, 1);
done:
	sqlite3_finalize(q);
	sqlite3_finalize(u);
	return rc;
}

struct transition_ctx {
	mlv_sqlite_step step;
	mlv_transition_result *r;
};

static int transition_tx(mlv_store *s, void *ctx)
{
	struct transition_ctx *t = ctx;
	return mlv_sqlite_transition(s, &t->step, t->r);
}

int mlv_store_transition(mlv_store *s, int64_t filer_id, int64_t id, mlv_action action,
			 unsigned by, const char *actor, const char *reason, int64_t at_ms,
			 bool auto_release, mlv_transition_result *r)
{
	return mlv_store_transition_terms(s, filer_id, id, action, by, actor, reason, at_ms,
					  auto_release, NULL, r);
}

int mlv_store_transition_terms(mlv_store *s, int64_t filer_id, int64_t id, mlv_action action,
			       unsigned by, const char *actor, const char *reason, int64_t at_ms,
			       bool auto_release, const mlv_release_terms *terms,
			       mlv_transition_result *r)
{
	struct transition_ctx t = {
		.step = {.filer_id = filer_id, .id = id, .action = action, .by = by, .actor = actor,
			 .reason = reason, .at_ms = at_ms, .auto_release = auto_release,
			 .terms = terms},
		.r = r,
	};
	memset(r, 0, sizeof(*r));
	return mlv_sqlite_write(s, transition_tx, &t);
}
