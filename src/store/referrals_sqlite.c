/* referrals_sqlite.c - referrals in the manner of ICS2: a request for
 * information, for screening, or not to load, addressed to the filer, to
 * one party of a multi-party consignment, or to another agency, with a
 * deadline.  Opening one refers the consignment; closing the last open
 * one resolves it back to where it was (lifecycle.c).  Each step is an
 * event of the consignment carrying the referral's id (its own events),
 * with an audit leaf, and a notification to the addressee. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "mlv/store.h"
#include "sqlite_internal.h"

#define REFERRAL_COLUMNS                                                                  \
	"r.id, r.consignment_id, r.kind, r.status, r.to_role, coalesce(r.filer_id, 0),"   \
	" coalesce(r.agency_id, 0), coalesce(f.name, ''), c.filer_id, c.lrn, r.reason,"    \
	" coalesce(r.request, ''), r.deadline, r.created_at, coalesce(r.answered_at, 0),"  \
	" coalesce(r.overdue_at, 0), coalesce(r.closed_at, 0), r.created_by,"              \
	" coalesce(r.closed_by, ''), coalesce(r.outcome, ''),"                             \
	" (SELECT count(*) FROM referral_answers a WHERE a.referral_id = r.id)"
#define REFERRAL_FROM                                                                     \
	" FROM referrals r JOIN consignments c ON c.id = r.consignment_id"                \
	" LEFT JOIN filers f ON f.id = coalesce(r.filer_id, r.agency_id)"

static void referral_row(sqlite3_stmt *q, mlv_referral *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(q, 0);
	r->consignment_id = sqlite3_column_int64(q, 1);
	mlv_sqlite_copy_col(q, 2, r->kind, sizeof(r->kind));
	mlv_sqlite_copy_col(q, 3, r->status, sizeof(r->status));
	mlv_sqlite_copy_col(q, 4, r->to_role, sizeof(r->to_role));
	r->filer_id = sqlite3_column_int64(q, 5);
	r->agency_id = sqlite3_column_int64(q, 6);
	mlv_sqlite_copy_col(q, 7, r->addressee, sizeof(r->addressee));
	r->owner_id = sqlite3_column_int64(q, 8);
	mlv_sqlite_copy_col(q, 9, r->lrn, sizeof(r->lrn));
	mlv_sqlite_copy_col(q, 10, r->reason, sizeof(r->reason));
	mlv_sqlite_copy_col(q, 11, r->request, sizeof(r->request));
	r->deadline_ms = sqlite3_column_int64(q, 12);
	r->created_ms = sqlite3_column_int64(q, 13);
	r->answered_ms = sqlite3_column_int64(q, 14);
	r->overdue_ms = sqlite3_column_int64(q, 15);
	r->closed_ms = sqlite3_column_int64(q, 16);
	mlv_sqlite_copy_col(q, 17, r->created_by, sizeof(r->created_by));
	mlv_sqlite_copy_col(q, 18, r->closed_by, sizeof(r->closed_by));
	mlv_sqlite_copy_col(q, 19, r->outcome, sizeof(r->outcome));
	r->answers = sqlite3_column_int(q, 20);
}

static int get_any(mlv_store *s, int64_t id, mlv_referral *out)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT " REFERRAL_COLUMNS REFERRAL_FROM " WHERE r.id = ?1",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, id);
	int step = sqlite3_step(q);
	int rc = step == SQLITE_ROW ? 0 : step == SQLITE_DONE ? MLV_ENOTFOUND : MLV_EIO;
	if (rc == 0)
		referral_row(q, out);
	sqlite3_finalize(q);
	return rc;
}

/* The notification of one step of a referral to its addressee; the LRN
 * only when the addressee owns the consignment. */
static int notify_referral(mlv_store *s, const mlv_referral *r, const char *what,
			   const char *reason, int64_t event_id, int64_t at_ms)
{
	char at[32], deadline[32];
	mlv_sqlite_time(at_ms, at);
	mlv_sqlite_time(r->deadline_ms, deadline);
	mlv_buf b = MLV_BUF_INIT(1 << 16);
	int rc = mlv_buf_printf(&b,
				"{\"type\":\"referral\",\"at\":\"%s\",\"event\":%lld,\"step\":\"%s\","
				"\"referral\":{\"id\":%lld,\"kind\":\"%s\",\"status\":\"%s\","
				"\"deadline\":\"%s\"},\"consignment\":{\"id\":%lld",
				at, (long long)event_id, what, (long long)r->id, r->kind, r->status,
				deadline, (long long)r->consignment_id);
	if (rc == 0 && r->filer_id != 0 && r->filer_id == r->owner_id) {
		rc = mlv_buf_adds(&b, ",\"lrn\":");
		if (rc == 0)
			rc = mlv_buf_add_json_string(&b, r->lrn, strlen(r->lrn));
	}
	if (rc == 0)
		rc = mlv_buf_addc(&b, '}');
	if (rc == 0 && reason != NULL) {
		rc = mlv_buf_adds(&b, ",\"reason\":");
		if (rc == 0)
			rc = mlv_buf_add_json_string(&b, reason, strlen(reason));
	}
	if (rc == 0 && r->outcome[0])
		rc = mlv_buf_printf(&b, ",\"outcome\":\"%s\"", r->outcome);
	if (rc == 0)
		rc = mlv_buf_addc(&b, '}');
	if (rc == 0)
		rc = mlv_sqlite_notify(s, r->filer_id ? r->filer_id : r->agency_id, "referral",
				       r->consignment_id, r->id, b.data, at_ms);
	mlv_buf_free(&b);
	return rc;
}

/* An event of the referral alone (answered, overdue, closed), on its
 * consignment's history. */
static int referral_event(mlv_store *s, const mlv_referral *r, const char *type,
			  const char *actor, const char *reason, int64_t at_ms, int64_t *event_id)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT version FROM consignments WHERE id = ?1", -1, &q,
			       NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, r->consignment_id);
	int version = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
	sqlite3_finalize(q);
	if (version == 0)
		return MLV_EIO;
	return mlv_sqlite_action_event(s, r->consignment_id, r->owner_id, r->lrn, version, type,
				       actor, reason, r->id, at_ms, event_id);
}

int mlv_store_agency_find(mlv_store *s, const char *name, int64_t *id)
{
	sqlite3_stmt *q = NULL;
	*id = 0;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT f.id FROM filers f WHERE f.name = ?1 AND (EXISTS (SELECT 1"
			       " FROM api_keys k WHERE k.filer_id = f.id AND k.role = 'agency'"
			       " AND k.revoked_at IS NULL) OR EXISTS (SELECT 1 FROM users u"
			       " WHERE u.filer_id = f.id AND u.role = 'agency' AND u.disabled_at IS NULL))",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	int step = sqlite3_step(q);
	int rc = step == SQLITE_ROW ? 0 : step == SQLITE_DONE ? MLV_ENOTFOUND : MLV_EIO;
	if (rc == 0)
		*id = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return rc;
}

int mlv_store_agencies(mlv_store *s, int max, int (*fn)(void *ctx, const char *name), void *ctx)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT f.name FROM filers f WHERE EXISTS (SELECT 1 FROM api_keys k"
			       " WHERE k.filer_id = f.id AND k.role = 'agency' AND k.revoked_at IS NULL)"
			       " OR EXISTS (SELECT 1 FROM users u WHERE u.filer_id = f.id"
			       " AND u.role = 'agency' AND u.disabled_at IS NULL)"
			       " ORDER BY f.name LIMIT ?1",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int(q, 1, max);
	int rc = 0, step = SQLITE_DONE;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW)
		rc = fn(ctx, (const char *)sqlite3_column_text(q, 0));
	if (rc == 0 && step != SQLITE_DONE)
		rc = MLV_EIO;
	sqlite3_finalize(q);
	return rc;
}

/* ---- open -------------------------------------------------------------------------- */

struct open_ctx {
	const mlv_referral_new *n;
	int64_t *id;
	mlv_transition_result *r;
};

static int open_tx(mlv_store *s, void *ctx)
{
	struct open_ctx *o = ctx;
	const mlv_referral_new *n = o->n;
	sqlite3_stmt *q = NULL;
	int rc = 0;
	/* The addressee: the owner, the filer of one part, or an agency. */
	int64_t filer = 0;
	const char *to = n->agency_id > 0 ? "agency" : n->to && n->to[0] ? n->to : "filer";
	if (sqlite3_prepare_v2(s->db,
			       n->agency_id > 0 ? "SELECT 0 FROM consignments WHERE id = ?1"
			       : strcmp(to, "filer") == 0
				       ? "SELECT filer_id FROM consignments WHERE id = ?1"
				       : "SELECT p.filer_id FROM parts p JOIN links l ON l.id = p.link_id"
					 " WHERE l.consignment_id = ?1 AND p.role = ?2",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, n->consignment_id);
	if (strcmp(to, "filer") != 0 && n->agency_id <= 0)
		sqlite3_bind_text(q, 2, to, -1, SQLITE_STATIC);
	int step = sqlite3_step(q);
	if (step == SQLITE_ROW)
		filer = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	q = NULL;
	if (step != SQLITE_ROW) {
		/* no consignment, or no party in that role */
		if (step != SQLITE_DONE)
			return MLV_EIO;
		sqlite3_stmt *e = NULL;
		if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM consignments WHERE id = ?1", -1, &e,
				       NULL) != SQLITE_OK)
			return MLV_EIO;
		sqlite3_bind_int64(e, 1, n->consignment_id);
		rc = sqlite3_step(e) == SQLITE_ROW ? MLV_EINVALID : MLV_ENOTFOUND;
		sqlite3_finalize(e);
		return rc;
	}
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO referrals (consignment_id, kind, status, to_role, filer_id,"
			       " agency_id, reason, request, deadline, created_at, created_by)"
			       " VALUES (?1, ?2, 'open', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, n->consignment_id);
	sqlite3_bind_text(q, 2, n->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, to, -1, SQLITE_STATIC);
	if (n->agency_id > 0)
		sqlite3_bind_int64(q, 5, n->agency_id);
	else
		sqlite3_bind_int64(q, 4, filer);
	sqlite3_bind_text(q, 6, n->reason, -1, SQLITE_STATIC);
	if (n->request != NULL && n->request[0])
		sqlite3_bind_text(q, 7, n->request, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 8, n->deadline_ms);
	sqlite3_bind_int64(q, 9, n->at_ms);
	sqlite3_bind_text(q, 10, n->actor, -1, SQLITE_STATIC);
	rc = sqlite3_step(q) == SQLITE_DONE ? 0 : MLV_EINVALID;
	sqlite3_finalize(q);
	if (rc != 0)
		return rc;
	*o->id = sqlite3_last_insert_rowid(s->db);
	mlv_sqlite_step t = {.filer_id = 0, .id = n->consignment_id, .action = MLV_ACT_REFER,
			     .by = MLV_BY_OFFICER, .actor = n->actor, .reason = n->reason,
			     .at_ms = n->at_ms, .referral_id = *o->id};
	if ((rc = mlv_sqlite_transition(s, &t, o->r)) != 0)
		return rc;
	mlv_referral r;
	if ((rc = get_any(s, *o->id, &r)) != 0)
		return rc;
	return notify_referral(s, &r, "opened", n->reason, o->r->event_id, n->at_ms);
}

int mlv_store_referral_open(mlv_store *s, const mlv_referral_new *n, int64_t *id,
			    mlv_transition_result *r)
{
	struct open_ctx o = {n, id, r};
	memset(r, 0, sizeof(*r));
	*id = 0;
	return mlv_sqlite_write(s, open_tx, &o);
}

/* ---- reading ------------------------------------------------------------------------- */

int mlv_store_referrals(mlv_store *s, const mlv_referral_query *q,
			int (*fn)(void *ctx, const mlv_referral *r), void *ctx, int64_t *next_cursor)
{
	sqlite3_stmt *st = NULL;
	*next_cursor = 0;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT " REFERRAL_COLUMNS REFERRAL_FROM
			       " WHERE r.id > ?1 AND (?2 = 0 OR r.filer_id = ?2)"
			       " AND (?3 = 0 OR r.agency_id = ?3) AND (?4 = 0 OR r.consignment_id = ?4)"
			       " AND (?5 IS NULL OR r.status = ?5)"
			       " AND (?6 = 0 OR (r.status = 'open' AND r.deadline < ?7))"
			       " ORDER BY r.id LIMIT ?8",
			       -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	int limit = q->limit < 1 ? 1 : q->limit > MLV_LIST_MAX ? MLV_LIST_MAX : q->limit;
	sqlite3_bind_int64(st, 1, q->after_id);
	sqlite3_bind_int64(st, 2, q->filer_id);
	sqlite3_bind_int64(st, 3, q->agency_id);
	sqlite3_bind_int64(st, 4, q->consignment_id);
	if (q->status != NULL)
		sqlite3_bind_text(st, 5, q->status, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, q->overdue);
	sqlite3_bind_int64(st, 7, q->now_ms);
	sqlite3_bind_int(st, 8, limit + 1);
	int step, rc = 0, count = 0;
	int64_t last = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == limit) {
			*next_cursor = last;
			break;
		}
		mlv_referral r;
		referral_row(st, &r);
		if ((rc = fn(ctx, &r)) != 0)
			break;
		last = r.id;
		count++;
	}
	if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = MLV_EIO;
	sqlite3_finalize(st);
	return rc;
}

int mlv_store_referral_get(mlv_store *s, int64_t filer_id, int64_t agency_id, int64_t id,
			   mlv_referral *out)
{
	int rc = get_any(s, id, out);
	if (rc == 0 && ((filer_id != 0 && out->filer_id != filer_id) ||
			(agency_id != 0 && out->agency_id != agency_id)))
		rc = MLV_ENOTFOUND; /* another's: as if it did not exist */
	return rc;
}

int mlv_store_referral_answers(mlv_store *s, int64_t id,
			       int (*fn)(void *ctx, const mlv_referral_answer_row *a), void *ctx)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT a.id, f.name, a.at, a.text, a.data FROM referral_answers a"
			       " JOIN filers f ON f.id = a.filer_id WHERE a.referral_id = ?1 ORDER BY a.id",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, id);
	int step, rc = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		mlv_referral_answer_row a;
		a.id = sqlite3_column_int64(q, 0);
		mlv_sqlite_copy_col(q, 1, a.by, sizeof(a.by));
		a.at_ms = sqlite3_column_int64(q, 2);
		a.text = (const char *)sqlite3_column_text(q, 3);
		a.data = (const char *)sqlite3_column_text(q, 4);
		if ((rc = fn(ctx, &a)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = MLV_EIO;
	sqlite3_finalize(q);
	return rc;
}

static void doc_row(sqlite3_stmt *q, mlv_referral_doc_row *d)
{
	memset(d, 0, sizeof(*d));
	d->id = sqlite3_column_int64(q, 0);
	d->answer_id = sqlite3_column_int64(q, 1);
	mlv_sqlite_copy_col(q, 2, d->type, sizeof(d->type));
	mlv_sqlite_copy_col(q, 3, d->reference, sizeof(d->reference));
	mlv_sqlite_copy_col(q, 4, d->filename, sizeof(d->filename));
	mlv_sqlite_copy_col(q, 5, d->media_type, sizeof(d->media_type));
	d->size = sqlite3_column_int64(q, 6);
	if (sqlite3_column_bytes(q, 7) == 32)
		sodium_bin2hex(d->sha256, sizeof(d->sha256), sqlite3_column_blob(q, 7), 32);
}

#define DOC_COLUMNS "id, answer_id, type, reference, filename, media_type, size, sha256"

int mlv_store_referral_docs(mlv_store *s, int64_t id,
			    int (*fn)(void *ctx, const mlv_referral_doc_row *d), void *ctx)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT " DOC_COLUMNS " FROM referral_documents"
				      " WHERE referral_id = ?1 ORDER BY id", -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, id);
	int step, rc = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		mlv_referral_doc_row d;
		doc_row(q, &d);
		if ((rc = fn(ctx, &d)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = MLV_EIO;
	sqlite3_finalize(q);
	return rc;
}

int mlv_store_referral_doc_content(mlv_store *s, int64_t id, int64_t doc_id,
				   mlv_referral_doc_row *row, mlv_buf *content)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT " DOC_COLUMNS ", content FROM referral_documents"
				      " WHERE referral_id = ?1 AND id = ?2 AND content IS NOT NULL",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, doc_id);
	int step = sqlite3_step(q);
	int rc = step == SQLITE_ROW ? 0 : step == SQLITE_DONE ? MLV_ENOTFOUND : MLV_EIO;
	if (rc == 0) {
		doc_row(q, row);
		mlv_buf_reset(content);
		rc = mlv_buf_add(content, sqlite3_column_blob(q, 8), (size_t)sqlite3_column_bytes(q, 8));
	}
	sqlite3_finalize(q);
	return rc;
}

int mlv_store_referral_events(mlv_store *s, int64_t id,
			      int (*fn)(void *ctx, const mlv_event *ev), void *ctx)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT id, type, version, at, actor, coalesce(reason, ''),"
				      " referral_id FROM events WHERE referral_id = ?1 ORDER BY id",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, id);
	int step, rc = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		mlv_event ev;
		ev.id = sqlite3_column_int64(q, 0);
		mlv_sqlite_copy_col(q, 1, ev.type, sizeof(ev.type));
		ev.version = sqlite3_column_int(q, 2);
		ev.at_ms = sqlite3_column_int64(q, 3);
		mlv_sqlite_copy_col(q, 4, ev.actor, sizeof(ev.actor));
		mlv_sqlite_copy_col(q, 5, ev.reason, sizeof(ev.reason));
		ev.referral_id = sqlite3_column_int64(q, 6);
		if ((rc = fn(ctx, &ev)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = MLV_EIO;
	sqlite3_finalize(q);
	return rc;
}

/* ---- answer ------------------------------------------------------------------------ */

struct answer_ctx {
	const mlv_referral_answer *a;
	int64_t *answer_id;
};

static int answer_tx(mlv_store *s, void *ctx)
{
	const mlv_referral_answer *a = ((struct answer_ctx *)ctx)->a;
	int64_t *answer_id = ((struct answer_ctx *)ctx)->answer_id;
	mlv_referral r;
	int rc = mlv_store_referral_get(s, a->filer_id, a->agency_id, a->referral_id, &r);
	if (rc != 0)
		return rc;
	if (strcmp(r.status, "closed") == 0)
		return MLV_ECONFLICT;
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO referral_answers (referral_id, filer_id, text, data, at)"
			       " VALUES (?1, ?2, ?3, ?4, ?5)",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, r.id);
	sqlite3_bind_int64(q, 2, a->filer_id ? a->filer_id : a->agency_id);
	if (a->text != NULL)
		sqlite3_bind_text(q, 3, a->text, -1, SQLITE_STATIC);
	if (a->data_json != NULL)
		sqlite3_bind_text(q, 4, a->data_json, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, a->at_ms);
	rc = sqlite3_step(q) == SQLITE_DONE ? 0 : MLV_EIO;
	sqlite3_finalize(q);
	q = NULL;
	if (rc != 0)
		return rc;
	*answer_id = sqlite3_last_insert_rowid(s->db);
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO referral_documents (referral_id, answer_id, type, reference,"
			       " filename, media_type, size, sha256, content)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	for (size_t i = 0; rc == 0 && i < a->ndocs; i++) {
		const mlv_referral_doc *d = &a->docs[i];
		unsigned char h[32];
		sqlite3_reset(q);
		sqlite3_clear_bindings(q);
		sqlite3_bind_int64(q, 1, r.id);
		sqlite3_bind_int64(q, 2, *answer_id);
		sqlite3_bind_text(q, 3, d->type, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 4, d->reference, -1, SQLITE_STATIC);
		if (d->filename != NULL)
			sqlite3_bind_text(q, 5, d->filename, -1, SQLITE_STATIC);
		if (d->media_type != NULL)
			sqlite3_bind_text(q, 6, d->media_type, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 7, (int64_t)d->size);
		if (d->content != NULL) {
			crypto_hash_sha256(h, d->content, d->size);
			sqlite3_bind_blob(q, 8, h, sizeof(h), SQLITE_TRANSIENT);
			sqlite3_bind_blob(q, 9, d->content, (int)d->size, SQLITE_STATIC);
		}
		rc = sqlite3_step(q) == SQLITE_DONE ? 0 : MLV_EIO;
	}
	sqlite3_finalize(q);
	if (rc == 0 && sqlite3_prepare_v2(s->db,
					  "UPDATE referrals SET status = 'answered', answered_at ="
					  " coalesce(answered_at, ?2) WHERE id = ?1",
					  -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, r.id);
		sqlite3_bind_int64(q, 2, a->at_ms);
		rc = sqlite3_step(q) == SQLITE_DONE ? 0 : MLV_EIO;
		sqlite3_finalize(q);
	} else if (rc == 0) {
		rc = MLV_EIO;
	}
	char why[96];
	snprintf(why, sizeof(why), "answer %lld with %zu document%s", (long long)*answer_id,
		 a->ndocs, a->ndocs == 1 ? "" : "s");
	int64_t event_id;
	if (rc == 0)
		rc = referral_event(s, &r, "referral-answered", a->actor, why, a->at_ms, &event_id);
	return rc;
}

int mlv_store_referral_answer(mlv_store *s, const mlv_referral_answer *a, int64_t *answer_id)
{
	struct answer_ctx c = {a, answer_id};
	*answer_id = 0;
	return mlv_sqlite_write(s, answer_tx, &c);
}

/* ---- close and sweep -------------------------------------------------------------- */

struct close_ctx {
	int64_t id;
	const char *outcome, *reason, *actor;
	int64_t at_ms;
	bool *resolved;
	mlv_transition_result *r;
};

static int close_tx(mlv_store *s, void *ctx)
{
	struct close_ctx *c = ctx;
	mlv_referral r;
	int rc = get_any(s, c->id, &r);
	if (rc != 0)
		return rc;
	if (strcmp(r.status, "closed") == 0)
		return MLV_ECONFLICT;
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "UPDATE referrals SET status = 'closed', closed_at = ?2, closed_by = ?3,"
			       " outcome = ?4 WHERE id = ?1",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, r.id);
	sqlite3_bind_int64(q, 2, c->at_ms);
	sqlite3_bind_text(q, 3, c->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, c->outcome, -1, SQLITE_STATIC);
	rc = sqlite3_step(q) == SQLITE_DONE ? 0 : MLV_EIO;
	sqlite3_finalize(q);
	q = NULL;
	int64_t event_id = 0;
	if (rc == 0) {
		snprintf(r.status, sizeof(r.status), "closed");
		snprintf(r.outcome, sizeof(r.outcome), "%s", c->outcome);
		rc = referral_event(s, &r, "referral-closed", c->actor, c->reason, c->at_ms,
				    &event_id);
	}
	if (rc == 0)
		rc = notify_referral(s, &r, "closed", c->reason, event_id, c->at_ms);
	/* The last open one: the consignment goes back to where it was. */
	if (rc == 0 && sqlite3_prepare_v2(s->db,
					  "SELECT count(*) FROM referrals WHERE consignment_id = ?1"
					  " AND status <> 'closed'",
					  -1, &q, NULL) != SQLITE_OK)
		rc = MLV_EIO;
	int open = 1;
	if (rc == 0) {
		sqlite3_bind_int64(q, 1, r.consignment_id);
		if (sqlite3_step(q) == SQLITE_ROW)
			open = sqlite3_column_int(q, 0);
		else
			rc = MLV_EIO;
	}
	sqlite3_finalize(q);
	if (rc == 0 && open == 0) {
		mlv_sqlite_step t = {.filer_id = 0, .id = r.consignment_id, .action = MLV_ACT_RESOLVE,
				     .by = MLV_BY_OFFICER, .actor = c->actor, .reason = c->reason,
				     .at_ms = c->at_ms, .referral_id = r.id};
		rc = mlv_sqlite_transition(s, &t, c->r);
		/* A consignment no longer referred (decided meanwhile) has
		 * nothing to resolve: the referral is closed all the same. */
		if (rc == MLV_ECONFLICT && c->r->from != MLV_ST_REFERRED)
			rc = 0;
		else if (rc == 0)
			*c->resolved = true;
	}
	return rc;
}

int mlv_store_referral_close(mlv_store *s, int64_t id, const char *outcome, const char *reason,
			     const char *actor, int64_t at_ms, bool *resolved,
			     mlv_transition_result *r)
{
	struct close_ctx c = {id, outcome, reason, actor, at_ms, resolved, r};
	*resolved = false;
	memset(r, 0, sizeof(*r));
	return mlv_sqlite_write(s, close_tx, &c);
}

struct sweep_ctx {
	int64_t now;
	size_t *marked;
};

static int sweep_tx(mlv_store *s, void *ctx)
{
	struct sweep_ctx *w = ctx;
	sqlite3_stmt *q = NULL, *u = NULL;
	int64_t ids[64];
	size_t n = 0;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT id FROM referrals WHERE status = 'open' AND deadline < ?1"
			       " AND overdue_at IS NULL ORDER BY id LIMIT 64",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, w->now);
	while (n < 64 && sqlite3_step(q) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	int rc = 0;
	if (sqlite3_prepare_v2(s->db, "UPDATE referrals SET overdue_at = ?2 WHERE id = ?1", -1, &u,
			       NULL) != SQLITE_OK)
		return MLV_EIO;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		mlv_referral r;
		int64_t event_id;
		sqlite3_reset(u);
		sqlite3_bind_int64(u, 1, ids[i]);
		sqlite3_bind_int64(u, 2, w->now);
		rc = sqlite3_step(u) == SQLITE_DONE ? 0 : MLV_EIO;
		if (rc == 0)
			rc = get_any(s, ids[i], &r);
		if (rc == 0)
			rc = referral_event(s, &r, "referral-overdue", "system",
					    "the deadline passed without an answer", w->now, &event_id);
		if (rc == 0)
			rc = notify_referral(s, &r, "overdue", "the deadline passed without an answer",
					     event_id, w->now);
	}
	sqlite3_finalize(u);
	if (rc == 0)
		*w->marked = n;
	return rc;
}

int mlv_store_referrals_sweep(mlv_store *s, int64_t now_ms, size_t *marked)
{
	*marked = 0;
	/* Most sweeps find nothing: look before taking the write lock. */
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT 1 FROM referrals WHERE status = 'open' AND deadline < ?1"
			       " AND overdue_at IS NULL LIMIT 1",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, now_ms);
	int step = sqlite3_step(q);
	sqlite3_finalize(q);
	if (step == SQLITE_DONE)
		return 0;
	if (step != SQLITE_ROW)
		return MLV_EIO;
	struct sweep_ctx w = {now_ms, marked};
	return mlv_sqlite_write(s, sweep_tx, &w);
}

/* ---- purge ---------------------------------------------------------------------------- */

/* Answers and documents may carry personal data (a buyer's name in a
 * text, an invoice with an address): past retention their content goes,
 * while ids, times, types, references, media types, sizes and SHA-256
 * digests stay, so counts and any proof over a digest still hold. */
int mlv_sqlite_referrals_purge(mlv_store *s, int64_t before_ms, int64_t now_ms,
			       uint64_t *answers, uint64_t *documents)
{
#define PAST_RETENTION                                                                    \
	" WHERE purged_at IS NULL AND referral_id IN (SELECT r.id FROM referrals r"       \
	" JOIN consignments c ON c.id = r.consignment_id WHERE c.filed_at < ?1)"
	static const char *const sql[2] = {
		"UPDATE referral_answers SET text = NULL, data = NULL, purged_at = ?2" PAST_RETENTION,
		"UPDATE referral_documents SET filename = NULL, content = NULL, purged_at = ?2"
		PAST_RETENTION,
	};
#undef PAST_RETENTION
	uint64_t *counts[2] = {answers, documents};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < 2; i++) {
		sqlite3_stmt *q = NULL;
		if (sqlite3_prepare_v2(s->db, sql[i], -1, &q, NULL) != SQLITE_OK) {
			rc = MLV_EIO;
			break;
		}
		sqlite3_bind_int64(q, 1, before_ms);
		sqlite3_bind_int64(q, 2, now_ms);
		rc = sqlite3_step(q) == SQLITE_DONE ? 0 : MLV_EIO;
		if (rc == 0)
			*counts[i] = (uint64_t)sqlite3_changes(s->db);
		sqlite3_finalize(q);
	}
	return rc;
}
