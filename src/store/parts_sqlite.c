/* parts_sqlite.c - multi-party filing in the store (docs/multi-party.md).
 *
 * A link is what ties the parts of one consignment together: its house
 * document or its tracking number.  Each party sends one part per link
 * and role (sending again amends it); the parts are kept as they were
 * sent (canonical JSON).  When the merged view is complete the merged
 * consignment is filed like any other (mlv_sqlite_file_one: created, or
 * amended by a later part) under the lead's filer and LRN, and the link
 * points to it, all in the transaction of the part that completed it.
 * A filer reads its own parts only; officers read every part of a
 * consignment with the merge report. */
#include <stdio.h>
#include <string.h>

#include "mlv/store.h"
#include "sqlite_internal.h"

void mlv_part_init(mlv_part *p)
{
	memset(p, 0, sizeof(*p));
	mlv_buf_init(&p->data, (size_t)4 << 20);
	mlv_buf_init(&p->missing, (size_t)1 << 20);
}

void mlv_part_free(mlv_part *p)
{
	mlv_buf_free(&p->data);
	mlv_buf_free(&p->missing);
}

/* Columns of a part with its link and merged consignment: 0..17. */
#define PART_COLUMNS                                                                       \
	"p.id, p.link_id, p.filer_id, p.role, l.kind, l.value, p.version, p.digest,"      \
	" p.filed_at, p.updated_at, coalesce(l.consignment_id, 0), coalesce(c.status, ''),"\
	" coalesce(c.filer_id = p.filer_id, 0),"                                           \
	" (SELECT group_concat(role, ' ') FROM (SELECT role FROM parts x"                 \
	"  WHERE x.link_id = p.link_id ORDER BY x.id)), f.name, p.data, l.missing"
#define PART_FROM                                                                          \
	" FROM parts p JOIN links l ON l.id = p.link_id JOIN filers f ON f.id = p.filer_id"   \
	" LEFT JOIN consignments c ON c.id = l.consignment_id"

static int part_row(sqlite3_stmt *q, mlv_part *p, bool with_data)
{
	p->id = sqlite3_column_int64(q, 0);
	p->link_id = sqlite3_column_int64(q, 1);
	p->filer_id = sqlite3_column_int64(q, 2);
	mlv_sqlite_copy_col(q, 3, p->role, sizeof(p->role));
	mlv_sqlite_copy_col(q, 4, p->link_kind, sizeof(p->link_kind));
	mlv_sqlite_copy_col(q, 5, p->link, sizeof(p->link));
	p->version = sqlite3_column_int(q, 6);
	memset(p->digest, 0, sizeof(p->digest));
	if (sqlite3_column_bytes(q, 7) == (int)sizeof(p->digest))
		memcpy(p->digest, sqlite3_column_blob(q, 7), sizeof(p->digest));
	p->filed_ms = sqlite3_column_int64(q, 8);
	p->updated_ms = sqlite3_column_int64(q, 9);
	p->consignment_id = sqlite3_column_int64(q, 10);
	mlv_sqlite_copy_col(q, 11, p->status, sizeof(p->status));
	p->lead = sqlite3_column_int(q, 12) != 0;
	mlv_sqlite_copy_col(q, 13, p->roles, sizeof(p->roles));
	mlv_sqlite_copy_col(q, 14, p->filer_name, sizeof(p->filer_name));
	mlv_buf_reset(&p->data);
	mlv_buf_reset(&p->missing);
	if (!with_data)
		return 0;
	int rc = mlv_buf_add(&p->data, sqlite3_column_text(q, 15), (size_t)sqlite3_column_bytes(q, 15));
	return rc ? rc
		  : mlv_buf_add(&p->missing, sqlite3_column_text(q, 16),
				(size_t)sqlite3_column_bytes(q, 16));
}

int mlv_store_link_parts(mlv_store *s, const char *kind, const char *value,
			 int (*fn)(void *ctx, const mlv_part *p), void *ctx,
			 int64_t *consignment_id, int64_t *owner_id, char lrn[36])
{
	sqlite3_stmt *q = NULL;
	*consignment_id = *owner_id = 0;
	lrn[0] = '\0';
	if (sqlite3_prepare_v2(s->db,
			       "SELECT coalesce(l.consignment_id, 0), coalesce(c.filer_id, 0),"
			       " coalesce(c.lrn, '') FROM links l LEFT JOIN consignments c"
			       " ON c.id = l.consignment_id WHERE l.kind = ?1 AND l.value = ?2",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
	int step = sqlite3_step(q);
	if (step == SQLITE_ROW) {
		*consignment_id = sqlite3_column_int64(q, 0);
		*owner_id = sqlite3_column_int64(q, 1);
		mlv_sqlite_copy_col(q, 2, lrn, 36);
	}
	sqlite3_finalize(q);
	if (step != SQLITE_ROW)
		return step == SQLITE_DONE ? 0 : MLV_EIO;
	if (sqlite3_prepare_v2(s->db, "SELECT " PART_COLUMNS PART_FROM
				      " WHERE l.kind = ?1 AND l.value = ?2 ORDER BY p.id",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
	mlv_part p;
	mlv_part_init(&p);
	int rc = 0;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW)
		if ((rc = part_row(q, &p, true)) == 0)
			rc = fn(ctx, &p);
	if (rc == 0 && step != SQLITE_DONE)
		rc = MLV_EIO;
	mlv_part_free(&p);
	sqlite3_finalize(q);
	return rc;
}

/* ---- writing ---------------------------------------------------------------------- */

struct put_ctx {
	const mlv_part_put *p;
	mlv_part_outcome *out;
};

static int exec_bind(mlv_store *s, const char *sql, int64_t a, int64_t b, int64_t *out)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, a);
	sqlite3_bind_int64(q, 2, b);
	int step = sqlite3_step(q);
	if (out != NULL)
		*out = step == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	sqlite3_finalize(q);
	return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : MLV_EIO;
}

/* Tells every party of the merged consignment that it was filed or amended. */
static int notify_merged(mlv_store *s, const mlv_filing *f, int64_t at_ms)
{
	mlv_sqlite_recipient who[MLV_SQLITE_RECIPIENTS];
	size_t n;
	int rc = mlv_sqlite_recipients(s, f->id, who, &n);
	char at[32];
	mlv_sqlite_time(at_ms, at);
	const char *state = f->assessed && f->risk_z != NULL ? "assessed" : "filed";
	mlv_buf b = MLV_BUF_INIT(1 << 16);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		mlv_buf_reset(&b);
		rc = mlv_buf_printf(&b, "{\"type\":\"merged\",\"at\":\"%s\",\"consignment\":{\"id\":%lld",
				    at, (long long)f->id);
		if (rc == 0 && who[i].owner) {
			rc = mlv_buf_adds(&b, ",\"lrn\":");
			if (rc == 0)
				rc = mlv_buf_add_json_string(&b, f->c.lrn, strlen(f->c.lrn));
		}
		if (rc == 0 && !who[i].owner)
			rc = mlv_buf_printf(&b, "},\"part\":{\"id\":%lld,\"role\":\"%s\"",
					    (long long)who[i].part_id, who[i].role);
		if (rc == 0)
			rc = mlv_buf_printf(&b, "},\"outcome\":\"%s\",\"version\":%d,\"state\":\"%s\"}",
					    mlv_outcome_name(f->outcome), f->version, state);
		if (rc == 0)
			rc = mlv_sqlite_notify(s, who[i].filer_id, "merged", f->id, 0, b.data, at_ms);
	}
	mlv_buf_free(&b);
	return rc;
}

static int put_tx(mlv_store *s, void *ctx)
{
	struct put_ctx *c = ctx;
	const mlv_part_put *p = c->p;
	mlv_part_outcome *out = c->out;
	sqlite3_stmt *q = NULL;
	int rc = 0;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO links (kind, value, created_at, updated_at) VALUES (?1, ?2,"
			       " ?3, ?3) ON CONFLICT (kind, value) DO UPDATE SET updated_at = ?3"
			       " RETURNING id, coalesce(consignment_id, 0)",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_text(q, 1, p->link_kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, p->link, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, p->at_ms);
	int64_t link = 0, merged_into = 0;
	if (sqlite3_step(q) == SQLITE_ROW) {
		link = sqlite3_column_int64(q, 0);
		merged_into = sqlite3_column_int64(q, 1);
	} else {
		rc = MLV_EIO;
	}
	sqlite3_finalize(q);
	q = NULL;
	if (rc != 0)
		return rc;
	/* The role's part: this filer's to amend, or another's. */
	if (sqlite3_prepare_v2(s->db, "SELECT id, filer_id, version, digest FROM parts"
				      " WHERE link_id = ?1 AND role = ?2", -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, link);
	sqlite3_bind_text(q, 2, p->role, -1, SQLITE_STATIC);
	int step = sqlite3_step(q);
	int64_t part = 0, owner = 0;
	int version = 0;
	bool same = false;
	if (step == SQLITE_ROW) {
		part = sqlite3_column_int64(q, 0);
		owner = sqlite3_column_int64(q, 1);
		version = sqlite3_column_int(q, 2);
		same = sqlite3_column_bytes(q, 3) == 32 &&
		       memcmp(sqlite3_column_blob(q, 3), p->digest, 32) == 0;
	} else if (step != SQLITE_DONE) {
		rc = MLV_EIO;
	}
	sqlite3_finalize(q);
	q = NULL;
	if (rc != 0)
		return rc;
	if (part != 0 && owner != p->filer_id) {
		snprintf(out->conflict, sizeof(out->conflict), "role_taken");
		return MLV_ECONFLICT;
	}
	out->part_id = part;
	out->version = version;
	if (part != 0 && same) {
		out->outcome = MLV_OUTCOME_UNCHANGED;
		return 0;
	}
	if (sqlite3_prepare_v2(s->db,
			       part ? "UPDATE parts SET version = version + 1, digest = ?3, data = ?4,"
				      " updated_at = ?5 WHERE id = ?6"
				    : "INSERT INTO parts (link_id, filer_id, role, version, digest, data,"
				      " filed_at, updated_at) VALUES (?1, ?2, ?7, 1, ?3, ?4, ?5, ?5)",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	if (part == 0) {
		sqlite3_bind_int64(q, 1, link);
		sqlite3_bind_int64(q, 2, p->filer_id);
		sqlite3_bind_text(q, 7, p->role, -1, SQLITE_STATIC);
	}
	sqlite3_bind_blob(q, 3, p->digest, 32, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, p->data, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, p->at_ms);
	if (part != 0)
		sqlite3_bind_int64(q, 6, part);
	rc = sqlite3_step(q) == SQLITE_DONE ? 0 : MLV_EIO;
	sqlite3_finalize(q);
	q = NULL;
	if (rc != 0)
		return rc;
	out->part_id = part ? part : sqlite3_last_insert_rowid(s->db);
	out->version = version + 1;
	out->outcome = part ? MLV_OUTCOME_AMENDED : MLV_OUTCOME_CREATED;
	/* The merged consignment, when complete. */
	mlv_filing *f = p->merged;
	if (f != NULL) {
		int64_t existing = 0;
		sqlite3_stmt *e = NULL;
		if (sqlite3_prepare_v2(s->db, "SELECT id FROM consignments WHERE filer_id = ?1"
					      " AND lrn = ?2", -1, &e, NULL) != SQLITE_OK)
			return MLV_EIO;
		sqlite3_bind_int64(e, 1, f->filer_id);
		sqlite3_bind_text(e, 2, f->c.lrn, -1, SQLITE_STATIC);
		if (sqlite3_step(e) == SQLITE_ROW)
			existing = sqlite3_column_int64(e, 0);
		sqlite3_finalize(e);
		/* The lead's LRN must name this link's consignment, or none yet
		 * when the link has none. */
		if (existing != merged_into) {
			snprintf(out->conflict, sizeof(out->conflict), "lrn_taken");
			return MLV_ECONFLICT;
		}
		f->outcome = MLV_OUTCOME_NONE;
		f->store_rc = 0;
		if ((rc = mlv_sqlite_file_one(s, f)) != 0)
			return rc;
		if (f->store_rc == MLV_ECONFLICT) {
			snprintf(out->conflict, sizeof(out->conflict), "%s", f->conflict_state);
			return MLV_ECONFLICT;
		}
		if (merged_into == 0 &&
		    (rc = exec_bind(s, "UPDATE links SET consignment_id = ?2 WHERE id = ?1", link, f->id,
				    NULL)) != 0)
			return rc;
		if (f->outcome != MLV_OUTCOME_UNCHANGED && (rc = notify_merged(s, f, p->at_ms)) != 0)
			return rc;
	}
	if (sqlite3_prepare_v2(s->db,
			       "UPDATE links SET missing = ?2, problems = ?3, report = ?4 WHERE id = ?1",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, link);
	sqlite3_bind_text(q, 2, p->missing_json ? p->missing_json : "[]", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, p->problems_json ? p->problems_json : "[]", -1, SQLITE_STATIC);
	if (p->report_json != NULL)
		sqlite3_bind_text(q, 4, p->report_json, -1, SQLITE_STATIC);
	rc = sqlite3_step(q) == SQLITE_DONE ? 0 : MLV_EIO;
	sqlite3_finalize(q);
	return rc;
}

int mlv_store_part_put(mlv_store *s, const mlv_part_put *p, mlv_part_outcome *out)
{
	struct put_ctx c = {p, out};
	memset(out, 0, sizeof(*out));
	int rc = mlv_sqlite_write(s, put_tx, &c);
	if (rc != 0 && p->merged != NULL) {
		p->merged->id = 0;
		p->merged->outcome = MLV_OUTCOME_NONE;
	}
	return rc;
}

/* ---- reading ------------------------------------------------------------------------ */

int mlv_store_part_get(mlv_store *s, int64_t filer_id, int64_t id, mlv_part *out)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT " PART_COLUMNS PART_FROM
				      " WHERE p.id = ?1 AND p.filer_id = ?2", -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, filer_id);
	int step = sqlite3_step(q);
	int rc = step == SQLITE_ROW ? part_row(q, out, true)
		 : step == SQLITE_DONE ? MLV_ENOTFOUND
				       : MLV_EIO;
	sqlite3_finalize(q);
	return rc;
}

int mlv_store_parts(mlv_store *s, int64_t filer_id, int64_t after_id, int limit,
		    int (*fn)(void *ctx, const mlv_part *p), void *ctx, int64_t *next_cursor)
{
	sqlite3_stmt *q = NULL;
	*next_cursor = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT " PART_COLUMNS PART_FROM
				      " WHERE p.filer_id = ?1 AND (?2 = 0 OR p.id < ?2)"
				      " ORDER BY p.id DESC LIMIT ?3", -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	limit = limit < 1 ? 1 : limit > MLV_LIST_MAX ? MLV_LIST_MAX : limit;
	sqlite3_bind_int64(q, 1, filer_id);
	sqlite3_bind_int64(q, 2, after_id);
	sqlite3_bind_int(q, 3, limit + 1);
	mlv_part p;
	mlv_part_init(&p);
	int rc = 0, step, count = 0;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		if (count == limit) {
			*next_cursor = sqlite3_column_int64(q, 0) + 1;
			break;
		}
		if ((rc = part_row(q, &p, false)) == 0)
			rc = fn(ctx, &p);
		count++;
	}
	if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = MLV_EIO;
	mlv_part_free(&p);
	sqlite3_finalize(q);
	return rc;
}

int mlv_store_consignment_parts(mlv_store *s, int64_t consignment_id,
				int (*fn)(void *ctx, const mlv_part *p), void *ctx, mlv_buf *report)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT coalesce(report, 'null') FROM links"
				      " WHERE consignment_id = ?1", -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, consignment_id);
	int step = sqlite3_step(q), rc = 0;
	if (step == SQLITE_ROW) {
		mlv_buf_reset(report);
		rc = mlv_buf_add(report, sqlite3_column_text(q, 0), (size_t)sqlite3_column_bytes(q, 0));
	} else {
		rc = step == SQLITE_DONE ? MLV_ENOTFOUND : MLV_EIO;
	}
	sqlite3_finalize(q);
	q = NULL;
	if (rc != 0)
		return rc;
	if (sqlite3_prepare_v2(s->db, "SELECT " PART_COLUMNS PART_FROM
				      " WHERE l.consignment_id = ?1 ORDER BY p.id", -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, consignment_id);
	mlv_part p;
	mlv_part_init(&p);
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW)
		if ((rc = part_row(q, &p, true)) == 0)
			rc = fn(ctx, &p);
	if (rc == 0 && step != SQLITE_DONE)
		rc = MLV_EIO;
	mlv_part_free(&p);
	sqlite3_finalize(q);
	return rc;
}
