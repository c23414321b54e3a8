/* operators_sqlite.c - the registry of operators and MRAs with the history
 * of every change, the registered parties of consignments, and the listing
 * of API keys, in the SQLite store (store.h, operators.h).
 *
 * An operator row keeps its record as JSON (MLV_OP_VIEW_STORE) beside the
 * columns that queries and the snapshot need; its identifiers and filer
 * accounts live in tables of their own whose primary keys make an
 * identifier belong to one operator and a filer act for one.  Each write
 * is one transaction that also appends to registry_history: the record
 * after the change, who made it, when, and which members changed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlv/fold.h"
#include "mlv/operators.h"
#include "mlv/store.h"
#include "sqlite_internal.h"

/* ---- the registered parties of a filing (the writer thread) ---------------------------- */

int mlv_sqlite_parties_put(mlv_store *s, const mlv_filing *f, bool amended)
{
	sqlite3_stmt *st;
	int rc = 0;
	if (amended) {
		st = mlv_sqlite_stmt(s, ST_PARTY_CLEAR);
		sqlite3_bind_int64(st, 1, f->id);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : MLV_EIO;
		sqlite3_reset(st);
	}
	for (size_t i = 0; rc == 0 && i < f->party_count && i < MLV_ARRAY_LEN(f->party_roles); i++) {
		st = mlv_sqlite_stmt(s, ST_PARTY_PUT);
		sqlite3_bind_text(st, 1, f->party_idents[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, f->id);
		sqlite3_bind_int(st, 3, f->party_roles[i]);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : MLV_EIO;
		sqlite3_reset(st);
	}
	return rc;
}

int mlv_store_consignment_party(mlv_store *s, int64_t operator_id, int64_t consignment_id,
				int64_t *owner)
{
	sqlite3_stmt *st = NULL;
	if (operator_id <= 0)
		return MLV_ENOTFOUND;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT c.filer_id FROM consignment_parties p"
			       " JOIN operator_identifiers i ON i.value = p.ident"
			       " JOIN consignments c ON c.id = p.consignment_id"
			       " WHERE p.consignment_id = ?1 AND i.operator_id = ?2 LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(st, 1, consignment_id);
	sqlite3_bind_int64(st, 2, operator_id);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		*owner = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return step == SQLITE_ROW ? 0 : step == SQLITE_DONE ? MLV_ENOTFOUND : MLV_EIO;
}

/* ---- small helpers ------------------------------------------------------------------------ */

static int exec_bound(mlv_store *s, const char *sql, int64_t a, int64_t b)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	return step == SQLITE_DONE || step == SQLITE_ROW ? 0 : MLV_EIO;
}

/* A single integer answer; MLV_ENOTFOUND when no row. */
static int query_int(mlv_store *s, const char *sql, const char *text, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	if (text != NULL)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return step == SQLITE_ROW ? 0 : step == SQLITE_DONE ? MLV_ENOTFOUND : MLV_EIO;
}

static int begin(mlv_store *s)
{
	return mlv_sqlite_exec(s, "BEGIN IMMEDIATE");
}

static int finish(mlv_store *s, int rc)
{
	if (rc == 0 && mlv_sqlite_exec(s, "COMMIT") != 0)
		rc = MLV_EIO;
	if (rc != 0)
		mlv_sqlite_exec(s, "ROLLBACK");
	return rc;
}

static int history(mlv_store *s, const char *object, int64_t id, int version, int64_t at_ms,
		   const char *actor, const char *change, const char *changed, const char *doc)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO registry_history (object, object_id, version, at, actor,"
			       " change, changed, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
			       -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_text(st, 1, object, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int(st, 3, version);
	sqlite3_bind_int64(st, 4, at_ms);
	sqlite3_bind_text(st, 5, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, change, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, changed, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, doc, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? 0 : MLV_EIO;
}

/* ---- operators ------------------------------------------------------------------------------ */

/* The identifiers and filer accounts of op, replacing what it had. */
static int put_children(mlv_store *s, const mlv_operator *op, char *why, size_t whylen)
{
	int rc = exec_bound(s, "DELETE FROM operator_identifiers WHERE operator_id = ?1", op->id, 0);
	if (rc == 0)
		rc = exec_bound(s, "DELETE FROM operator_filers WHERE operator_id = ?1", op->id, 0);
	sqlite3_stmt *st = NULL;
	if (rc == 0 && sqlite3_prepare_v2(s->db,
					  "INSERT INTO operator_identifiers (value, type, operator_id)"
					  " VALUES (?1, ?2, ?3)",
					  -1, &st, NULL) != SQLITE_OK)
		rc = MLV_EIO;
	for (size_t i = 0; rc == 0 && i < op->nidents; i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, op->idents[i].value, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, op->idents[i].type);
		sqlite3_bind_int64(st, 3, op->id);
		int step = sqlite3_step(st);
		if ((step & 0xff) == SQLITE_CONSTRAINT) {
			int64_t holder = 0;
			sqlite3_reset(st);
			(void)query_int(s, "SELECT operator_id FROM operator_identifiers WHERE value = ?1",
					op->idents[i].value, &holder);
			snprintf(why, whylen, "identifier %s belongs to operator %lld",
				 op->idents[i].value, (long long)holder);
			rc = MLV_EEXISTS;
		} else if (step != SQLITE_DONE) {
			rc = MLV_EIO;
		}
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc == 0 && sqlite3_prepare_v2(s->db,
					  "INSERT INTO operator_filers (filer_id, operator_id)"
					  " VALUES (?1, ?2)",
					  -1, &st, NULL) != SQLITE_OK)
		rc = MLV_EIO;
	for (size_t i = 0; rc == 0 && i < op->nfilers; i++) {
		int64_t filer = 0, holder = 0;
		rc = query_int(s, "SELECT id FROM filers WHERE name = ?1", op->filers[i], &filer);
		if (rc == MLV_ENOTFOUND) {
			snprintf(why, whylen,
				 "no filer account is named '%s': create its key first "
				 "(mainlevee key create --filer NAME)",
				 op->filers[i]);
			rc = MLV_EINVALID;
			break;
		}
		if (rc != 0)
			break;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, filer);
		sqlite3_bind_int64(st, 2, op->id);
		int step = sqlite3_step(st);
		if ((step & 0xff) == SQLITE_CONSTRAINT) {
			sqlite3_reset(st);
			char sql[96];
			snprintf(sql, sizeof(sql),
				 "SELECT operator_id FROM operator_filers WHERE filer_id = %lld",
				 (long long)filer);
			(void)query_int(s, sql, NULL, &holder);
			snprintf(why, whylen, "filer '%s' already acts for operator %lld",
				 op->filers[i], (long long)holder);
			rc = MLV_EEXISTS;
		} else if (step != SQLITE_DONE) {
			rc = MLV_EIO;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

/* Binds the row's columns ?1..?12 (kind .. doc). */
static void bind_row(sqlite3_stmt *st, const mlv_operator *op, const char *doc)
{
	char folded[sizeof(op->name)];
	mlv_fold(folded, sizeof(folded), op->name, strlen(op->name));
	sqlite3_bind_int(st, 1, op->kind);
	sqlite3_bind_text(st, 2, op->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, folded, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, op->country, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, op->natural_person);
	if (op->aeo.present) {
		sqlite3_bind_int(st, 6, op->aeo.type);
		sqlite3_bind_text(st, 7, op->aeo.country, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, op->aeo.certificate, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 9, op->aeo.valid_from);
		sqlite3_bind_int64(st, 10, op->aeo.valid_to);
		sqlite3_bind_int(st, 11, op->aeo.suspended);
	}
	sqlite3_bind_text(st, 12, doc, -1, SQLITE_STATIC);
}

static int store_doc(const mlv_operator *op, mlv_buf *doc)
{
	return mlv_operator_write_json(doc, op, MLV_OP_VIEW_STORE, NULL);
}

int mlv_store_operator_create(mlv_store *s, mlv_operator *op, const char *actor, int64_t now_ms,
			      char *why, size_t whylen)
{
	mlv_buf doc = MLV_BUF_INIT(1 << 20);
	sqlite3_stmt *st = NULL;
	why[0] = '\0';
	int rc = store_doc(op, &doc);
	if (rc != 0)
		goto cleanup;
	if ((rc = begin(s)) != 0)
		goto cleanup;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO operators (kind, name, name_folded, country, natural_person,"
			       " aeo_type, aeo_country, aeo_certificate, aeo_valid_from, aeo_valid_to,"
			       " aeo_suspended, doc, version, created_at, updated_at)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 1, ?13, ?13)",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = finish(s, MLV_EIO);
		goto cleanup;
	}
	bind_row(st, op, doc.data);
	sqlite3_bind_int64(st, 13, now_ms);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : MLV_EIO;
	if (rc == 0) {
		op->id = sqlite3_last_insert_rowid(s->db);
		op->version = 1;
		op->created_ms = op->updated_ms = now_ms;
		rc = put_children(s, op, why, whylen);
	}
	if (rc == 0)
		rc = history(s, "operator", op->id, 1, now_ms, actor, "created",
			     "kind,name,country,natural_person,identifiers,contacts,addresses,aeo,"
			     "filers",
			     doc.data);
	rc = finish(s, rc);
	if (rc != 0)
		op->id = 0;
cleanup:
	sqlite3_finalize(st);
	mlv_buf_free(&doc);
	return rc;
}

/* Fills op from a row of (id, version, created_at, updated_at, doc). */
static int read_operator(sqlite3_stmt *st, int col, mlv_operator *op)
{
	mlv_problems p;
	mlv_problems_init(&p);
	memset(op, 0, sizeof(*op));
	const char *doc = (const char *)sqlite3_column_text(st, col + 4);
	int rc = doc != NULL ? mlv_operator_decode(op, doc, (size_t)sqlite3_column_bytes(st, col + 4),
						   false, NULL, &p)
			     : MLV_EIO;
	if (rc == 0 && mlv_problems_has_errors(&p))
		rc = MLV_EIO; /* a stored record always decodes */
	mlv_problems_clear(&p);
	op->id = sqlite3_column_int64(st, col);
	op->version = sqlite3_column_int(st, col + 1);
	op->created_ms = sqlite3_column_int64(st, col + 2);
	op->updated_ms = sqlite3_column_int64(st, col + 3);
	return rc == 0 ? 0 : MLV_EIO;
}

int mlv_store_operator_get(mlv_store *s, int64_t id, mlv_operator *out)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT id, version, created_at, updated_at, doc FROM operators"
			       " WHERE id = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(st, 1, id);
	int step = sqlite3_step(st);
	int rc = step == SQLITE_ROW ? read_operator(st, 0, out)
		 : step == SQLITE_DONE ? MLV_ENOTFOUND
				       : MLV_EIO;
	sqlite3_finalize(st);
	return rc;
}

int mlv_store_operator_update(mlv_store *s, mlv_operator *op, int expected_version,
			      const char *actor, int64_t now_ms, bool *changed, char *why,
			      size_t whylen)
{
	mlv_buf doc = MLV_BUF_INIT(1 << 20);
	sqlite3_stmt *st = NULL;
	mlv_operator *old = malloc(sizeof(*old));
	char names[160];
	*changed = false;
	why[0] = '\0';
	int rc = old != NULL ? begin(s) : MLV_ENOMEM;
	if (rc != 0)
		goto cleanup;
	if ((rc = mlv_store_operator_get(s, op->id, old)) != 0) {
		rc = finish(s, rc);
		goto cleanup;
	}
	if (expected_version > 0 && old->version != expected_version) {
		rc = finish(s, MLV_ECONFLICT);
		goto cleanup;
	}
	op->created_ms = old->created_ms;
	if (mlv_operator_diff(old, op, names, sizeof(names)) == 0) {
		op->version = old->version;
		op->updated_ms = old->updated_ms;
		rc = finish(s, 0);
		goto cleanup;
	}
	op->version = old->version + 1;
	op->updated_ms = now_ms;
	if ((rc = store_doc(op, &doc)) == 0 &&
	    sqlite3_prepare_v2(s->db,
			       "UPDATE operators SET kind = ?1, name = ?2, name_folded = ?3,"
			       " country = ?4, natural_person = ?5, aeo_type = ?6, aeo_country = ?7,"
			       " aeo_certificate = ?8, aeo_valid_from = ?9, aeo_valid_to = ?10,"
			       " aeo_suspended = ?11, doc = ?12, version = ?13, updated_at = ?14"
			       " WHERE id = ?15",
			       -1, &st, NULL) != SQLITE_OK)
		rc = MLV_EIO;
	if (rc == 0) {
		bind_row(st, op, doc.data);
		sqlite3_bind_int(st, 13, op->version);
		sqlite3_bind_int64(st, 14, now_ms);
		sqlite3_bind_int64(st, 15, op->id);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : MLV_EIO;
	}
	if (rc == 0)
		rc = put_children(s, op, why, whylen);
	if (rc == 0)
		rc = history(s, "operator", op->id, op->version, now_ms, actor, "updated", names,
			     doc.data);
	rc = finish(s, rc);
	*changed = rc == 0;
cleanup:
	sqlite3_finalize(st);
	mlv_buf_free(&doc);
	free(old);
	return rc;
}

int mlv_store_operator_list(mlv_store *s, const mlv_operator_query *q,
			    int (*fn)(void *ctx, const mlv_operator *op), void *ctx,
			    int64_t *next_cursor)
{
	char sql[1024];
	char folded[160] = "";
	if (q->name != NULL)
		mlv_fold(folded, sizeof(folded), q->name, strlen(q->name));
	int n = snprintf(sql, sizeof(sql),
			 "SELECT id, version, created_at, updated_at, doc FROM operators WHERE 1");
	/* Each filter given adds its clause; parameter numbers are fixed. */
	const struct {
		bool on;
		const char *clause;
	} filters[] = {
		{q->after_id > 0, " AND id < ?1"},
		{q->kind != 0, " AND kind = ?2"},
		{q->country != NULL, " AND country = ?3"},
		{q->identifier != NULL,
		 " AND id IN (SELECT operator_id FROM operator_identifiers WHERE value = ?4)"},
		{folded[0] != '\0', " AND instr(name_folded, ?5) > 0"},
		{q->aeo == 1, " AND aeo_type IS NOT NULL"},
		{q->aeo == 0, " AND aeo_type IS NULL"},
		{q->filer != NULL, " AND id IN (SELECT o.operator_id FROM operator_filers o"
				   " JOIN filers f ON f.id = o.filer_id WHERE f.name = ?6)"},
		{q->only_id > 0, " AND id = ?7"},
		{q->no_natural_persons, " AND natural_person = 0"},
	};
	for (size_t i = 0; i < MLV_ARRAY_LEN(filters); i++)
		if (filters[i].on)
			n += snprintf(sql + n, sizeof(sql) - (size_t)n, "%s", filters[i].clause);
	snprintf(sql + n, sizeof(sql) - (size_t)n, " ORDER BY id DESC LIMIT ?8");
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	int limit = q->limit < 1 ? 1 : q->limit > MLV_LIST_MAX ? MLV_LIST_MAX : q->limit;
	sqlite3_bind_int64(st, 1, q->after_id);
	sqlite3_bind_int(st, 2, (int)q->kind);
	sqlite3_bind_text(st, 3, q->country ? q->country : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, q->identifier ? q->identifier : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, folded, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, q->filer ? q->filer : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, q->only_id);
	sqlite3_bind_int(st, 8, limit + 1);
	mlv_operator *op = malloc(sizeof(*op));
	int rc = op != NULL ? 0 : MLV_ENOMEM, count = 0, step = SQLITE_DONE;
	*next_cursor = 0;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == limit) {
			*next_cursor = sqlite3_column_int64(st, 0) + 1;
			break;
		}
		if ((rc = read_operator(st, 0, op)) == 0)
			rc = fn(ctx, op);
		count++;
	}
	if (rc == 0 && step != SQLITE_ROW && step != SQLITE_DONE)
		rc = MLV_EIO;
	free(op);
	sqlite3_finalize(st);
	return rc;
}

int mlv_store_operator_history(mlv_store *s, int64_t id,
			       int (*fn)(void *ctx, const mlv_registry_change *ch,
					 const mlv_operator *op),
			       void *ctx)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT h.object_id, h.version, o.created_at, h.at, h.doc, h.id,"
			       " h.actor, h.change, h.changed FROM registry_history h"
			       " JOIN operators o ON o.id = h.object_id"
			       " WHERE h.object = 'operator' AND h.object_id = ?1 ORDER BY h.id",
			       -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(st, 1, id);
	mlv_operator *op = malloc(sizeof(*op));
	int rc = op != NULL ? 0 : MLV_ENOMEM, step = SQLITE_DONE, rows = 0;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		mlv_registry_change ch;
		memset(&ch, 0, sizeof(ch));
		ch.id = sqlite3_column_int64(st, 5);
		ch.version = sqlite3_column_int(st, 1);
		ch.at_ms = sqlite3_column_int64(st, 3);
		snprintf(ch.actor, sizeof(ch.actor), "%s", (const char *)sqlite3_column_text(st, 6));
		snprintf(ch.change, sizeof(ch.change), "%s", (const char *)sqlite3_column_text(st, 7));
		snprintf(ch.changed, sizeof(ch.changed), "%s",
			 (const char *)sqlite3_column_text(st, 8));
		if ((rc = read_operator(st, 0, op)) == 0)
			rc = fn(ctx, &ch, op);
		rows++;
	}
	if (rc == 0 && step != SQLITE_ROW && step != SQLITE_DONE)
		rc = MLV_EIO;
	if (rc == 0 && rows == 0)
		rc = MLV_ENOTFOUND;
	free(op);
	sqlite3_finalize(st);
	return rc;
}

int mlv_store_mra_history(mlv_store *s, int64_t id,
			  int (*fn)(void *ctx, const mlv_registry_change *ch, const char *record,
				    size_t len),
			  void *ctx)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT h.id, h.version, h.at, h.actor, h.change, h.changed, h.doc"
			       " FROM registry_history h WHERE h.object = 'mra' AND h.object_id = ?1"
			       " ORDER BY h.id",
			       -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(st, 1, id);
	int rc = 0, step, rows = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		mlv_registry_change ch;
		memset(&ch, 0, sizeof(ch));
		ch.id = sqlite3_column_int64(st, 0);
		ch.version = sqlite3_column_int(st, 1);
		ch.at_ms = sqlite3_column_int64(st, 2);
		mlv_sqlite_copy_col(st, 3, ch.actor, sizeof(ch.actor));
		mlv_sqlite_copy_col(st, 4, ch.change, sizeof(ch.change));
		mlv_sqlite_copy_col(st, 5, ch.changed, sizeof(ch.changed));
		rows++;
		if ((rc = fn(ctx, &ch, (const char *)sqlite3_column_text(st, 6),
			     (size_t)sqlite3_column_bytes(st, 6))) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_ROW && step != SQLITE_DONE)
		rc = MLV_EIO;
	if (rc == 0 && rows == 0)
		rc = MLV_ENOTFOUND;
	sqlite3_finalize(st);
	return rc;
}

/* ---- purge ------------------------------------------------------------------------------ */

/* Contacts are business data with personal elements.  The current record
 * keeps them (the operator is still reachable); the superseded versions in
 * the history lose them once older than the retention period, and so does
 * the address of an operator who is a natural person.  The latest history
 * record of each operator is its current record and is never touched. */
int mlv_sqlite_registry_purge(mlv_store *s, int64_t before_ms, int64_t now_ms,
			      uint64_t *records)
{
	sqlite3_stmt *q = NULL, *u = NULL;
	mlv_buf doc = MLV_BUF_INIT(1 << 20);
	mlv_operator *op = malloc(sizeof(*op));
	int rc = op != NULL ? 0 : MLV_ENOMEM, step = SQLITE_DONE;
	*records = 0;
	if (rc == 0 &&
	    (sqlite3_prepare_v2(s->db,
				"SELECT h.object_id, h.version, 0, h.at, h.doc, h.id"
				" FROM registry_history h WHERE h.object = 'operator'"
				" AND h.at < ?1 AND h.purged_at IS NULL AND h.id < (SELECT max(l.id)"
				" FROM registry_history l WHERE l.object = 'operator'"
				" AND l.object_id = h.object_id) ORDER BY h.id",
				-1, &q, NULL) != SQLITE_OK ||
	     sqlite3_prepare_v2(s->db,
				"UPDATE registry_history SET doc = ?2, purged_at = ?3 WHERE id = ?1",
				-1, &u, NULL) != SQLITE_OK))
		rc = MLV_EIO;
	if (rc == 0)
		sqlite3_bind_int64(q, 1, before_ms);
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t hid = sqlite3_column_int64(q, 5);
		if ((rc = read_operator(q, 0, op)) != 0)
			break;
		op->ncontacts = 0;
		memset(op->contacts, 0, sizeof(op->contacts));
		if (op->natural_person) {
			op->naddresses = 0;
			memset(op->addresses, 0, sizeof(op->addresses));
		}
		mlv_buf_reset(&doc);
		if ((rc = store_doc(op, &doc)) != 0)
			break;
		sqlite3_bind_int64(u, 1, hid);
		sqlite3_bind_text(u, 2, doc.data, (int)doc.len, SQLITE_STATIC);
		sqlite3_bind_int64(u, 3, now_ms);
		rc = sqlite3_step(u) == SQLITE_DONE ? 0 : MLV_EIO;
		sqlite3_reset(u);
		if (rc == 0)
			(*records)++;
	}
	if (rc == 0 && step != SQLITE_ROW && step != SQLITE_DONE)
		rc = MLV_EIO;
	sqlite3_finalize(q);
	sqlite3_finalize(u);
	mlv_buf_free(&doc);
	free(op);
	return rc;
}

/* ---- MRAs --------------------------------------------------------------------------------- */

#define MRA_COLUMNS                                                                       \
	"id, version, created_at, updated_at, reference, party_a, party_b, valid_from,"    \
	" valid_to, types"

static void read_mra(sqlite3_stmt *st, mlv_mra *m)
{
	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(st, 0);
	m->version = sqlite3_column_int(st, 1);
	m->created_ms = sqlite3_column_int64(st, 2);
	m->updated_ms = sqlite3_column_int64(st, 3);
	snprintf(m->reference, sizeof(m->reference), "%s", (const char *)sqlite3_column_text(st, 4));
	snprintf(m->party_a, sizeof(m->party_a), "%s", (const char *)sqlite3_column_text(st, 5));
	snprintf(m->party_b, sizeof(m->party_b), "%s", (const char *)sqlite3_column_text(st, 6));
	m->valid_from = (int32_t)sqlite3_column_int64(st, 7);
	m->valid_to = (int32_t)sqlite3_column_int64(st, 8);
	m->types = (unsigned)sqlite3_column_int(st, 9);
}

static int mra_history(mlv_store *s, const mlv_mra *m, const char *actor, const char *change,
		       const char *changed)
{
	mlv_buf doc = MLV_BUF_INIT(1 << 16);
	int rc = mlv_mra_write_json(&doc, m, (int32_t)(m->updated_ms / 86400000));
	if (rc == 0)
		rc = history(s, "mra", m->id, m->version, m->updated_ms, actor, change, changed,
			     doc.data);
	mlv_buf_free(&doc);
	return rc;
}

int mlv_store_mra_create(mlv_store *s, mlv_mra *m, const char *actor, int64_t now_ms)
{
	sqlite3_stmt *st = NULL;
	int rc = begin(s);
	if (rc != 0)
		return rc;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO mras (reference, party_a, party_b, valid_from, valid_to,"
			       " types, version, created_at, updated_at)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?7)",
			       -1, &st, NULL) != SQLITE_OK)
		return finish(s, MLV_EIO);
	sqlite3_bind_text(st, 1, m->reference, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, m->party_a, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, m->party_b, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, m->valid_from);
	sqlite3_bind_int64(st, 5, m->valid_to);
	sqlite3_bind_int(st, 6, (int)m->types);
	sqlite3_bind_int64(st, 7, now_ms);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : MLV_EIO;
	sqlite3_finalize(st);
	if (rc == 0) {
		m->id = sqlite3_last_insert_rowid(s->db);
		m->version = 1;
		m->created_ms = m->updated_ms = now_ms;
		rc = mra_history(s, m, actor, "created",
				 "reference,party_a,party_b,valid_from,valid_to,aeo_types");
	}
	rc = finish(s, rc);
	if (rc != 0)
		m->id = 0;
	return rc;
}

int mlv_store_mra_get(mlv_store *s, int64_t id, mlv_mra *out)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT " MRA_COLUMNS " FROM mras WHERE id = ?1", -1, &st,
			       NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(st, 1, id);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		read_mra(st, out);
	sqlite3_finalize(st);
	return step == SQLITE_ROW ? 0 : step == SQLITE_DONE ? MLV_ENOTFOUND : MLV_EIO;
}

int mlv_store_mra_update(mlv_store *s, mlv_mra *m, int expected_version, const char *actor,
			 int64_t now_ms, bool *changed)
{
	mlv_mra old;
	sqlite3_stmt *st = NULL;
	char names[160];
	*changed = false;
	int rc = begin(s);
	if (rc != 0)
		return rc;
	if ((rc = mlv_store_mra_get(s, m->id, &old)) != 0)
		return finish(s, rc);
	if (expected_version > 0 && old.version != expected_version)
		return finish(s, MLV_ECONFLICT);
	m->created_ms = old.created_ms;
	if (mlv_mra_diff(&old, m, names, sizeof(names)) == 0) {
		m->version = old.version;
		m->updated_ms = old.updated_ms;
		return finish(s, 0);
	}
	m->version = old.version + 1;
	m->updated_ms = now_ms;
	if (sqlite3_prepare_v2(s->db,
			       "UPDATE mras SET reference = ?1, valid_from = ?2, valid_to = ?3,"
			       " types = ?4, version = ?5, updated_at = ?6 WHERE id = ?7",
			       -1, &st, NULL) != SQLITE_OK)
		return finish(s, MLV_EIO);
	sqlite3_bind_text(st, 1, m->reference, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, m->valid_from);
	sqlite3_bind_int64(st, 3, m->valid_to);
	sqlite3_bind_int(st, 4, (int)m->types);
	sqlite3_bind_int(st, 5, m->version);
	sqlite3_bind_int64(st, 6, now_ms);
	sqlite3_bind_int64(st, 7, m->id);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : MLV_EIO;
	sqlite3_finalize(st);
	if (rc == 0)
		rc = mra_history(s, m, actor, "updated", names);
	rc = finish(s, rc);
	*changed = rc == 0;
	return rc;
}

int mlv_store_mra_list(mlv_store *s, int (*fn)(void *ctx, const mlv_mra *m), void *ctx)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT " MRA_COLUMNS " FROM mras ORDER BY id", -1, &st,
			       NULL) != SQLITE_OK)
		return MLV_EIO;
	int rc = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		mlv_mra m;
		read_mra(st, &m);
		if ((rc = fn(ctx, &m)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = MLV_EIO;
	sqlite3_finalize(st);
	return rc;
}

/* ---- the snapshot ------------------------------------------------------------------------- */

int mlv_store_registry_generation(mlv_store *s, int64_t *out)
{
	return query_int(s, "SELECT coalesce(max(id), 0) FROM registry_history", NULL, out);
}

static int add_mra(void *ctx, const mlv_mra *m)
{
	return mlv_operators_add_mra(ctx, m);
}

int mlv_store_operators_snapshot(mlv_store *s, const mlv_operators_opts *opts,
				 mlv_operators **out)
{
	mlv_operators_opts o = *opts;
	mlv_operators *ops = NULL;
	sqlite3_stmt *st = NULL;
	*out = NULL;
	/* one read transaction: the generation matches what is read */
	int rc = mlv_sqlite_exec(s, "BEGIN");
	if (rc != 0)
		return rc;
	if ((rc = mlv_store_registry_generation(s, &o.generation)) != 0 ||
	    (rc = mlv_operators_new(&ops, &o)) != 0)
		goto cleanup;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT id, kind, aeo_type, aeo_country, aeo_certificate,"
			       " aeo_valid_from, aeo_valid_to, aeo_suspended FROM operators",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = MLV_EIO;
		goto cleanup;
	}
	int step;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		mlv_op_aeo aeo;
		memset(&aeo, 0, sizeof(aeo));
		if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
			aeo.present = true;
			aeo.type = (uint8_t)sqlite3_column_int(st, 2);
			snprintf(aeo.country, sizeof(aeo.country), "%s",
				 (const char *)sqlite3_column_text(st, 3));
			snprintf(aeo.certificate, sizeof(aeo.certificate), "%s",
				 (const char *)sqlite3_column_text(st, 4));
			aeo.valid_from = (int32_t)sqlite3_column_int64(st, 5);
			aeo.valid_to = (int32_t)sqlite3_column_int64(st, 6);
			aeo.suspended = sqlite3_column_int(st, 7) != 0;
		}
		rc = mlv_operators_add(ops, sqlite3_column_int64(st, 0),
				       (unsigned)sqlite3_column_int(st, 1), &aeo);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = MLV_EIO;
	sqlite3_finalize(st);
	st = NULL;
	if (rc == 0 && sqlite3_prepare_v2(s->db,
					  "SELECT operator_id, value FROM operator_identifiers", -1,
					  &st, NULL) != SQLITE_OK)
		rc = MLV_EIO;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = mlv_operators_add_ident(ops, sqlite3_column_int64(st, 0),
					     (const char *)sqlite3_column_text(st, 1));
	if (rc == 0 && step != SQLITE_DONE)
		rc = MLV_EIO;
	sqlite3_finalize(st);
	st = NULL;
	if (rc == 0 && sqlite3_prepare_v2(s->db, "SELECT operator_id, filer_id FROM operator_filers",
					  -1, &st, NULL) != SQLITE_OK)
		rc = MLV_EIO;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = mlv_operators_add_filer(ops, sqlite3_column_int64(st, 0),
					     sqlite3_column_int64(st, 1));
	if (rc == 0 && step != SQLITE_DONE)
		rc = MLV_EIO;
	if (rc == 0)
		rc = mlv_store_mra_list(s, add_mra, ops);
	if (rc == 0)
		rc = mlv_operators_seal(ops);
cleanup:
	sqlite3_finalize(st);
	mlv_sqlite_exec(s, "COMMIT");
	if (rc != 0) {
		mlv_operators_release(ops);
		return rc;
	}
	*out = ops;
	return 0;
}

/* ---- API keys ------------------------------------------------------------------------------ */

int mlv_store_key_prefix(const char *token, char prefix[16])
{
	if (token == NULL || strnlen(token, 16) < 12)
		return MLV_EINVALID;
	memcpy(prefix, token, 12);
	prefix[12] = '\0';
	return 0;
}

int mlv_store_key_list(mlv_store *s, const char *filer,
		       int (*fn)(void *ctx, const mlv_key_info *k), void *ctx)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT k.id, k.prefix, k.role, f.name, coalesce(k.label, ''),"
			       " k.created_at, coalesce(k.expires_at, 0), coalesce(k.revoked_at, 0)"
			       " FROM api_keys k JOIN filers f ON f.id = k.filer_id"
			       " WHERE ?1 IS NULL OR f.name = ?1 ORDER BY k.id DESC",
			       -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	if (filer != NULL)
		sqlite3_bind_text(st, 1, filer, -1, SQLITE_STATIC);
	int rc = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		mlv_key_info k;
		memset(&k, 0, sizeof(k));
		k.id = sqlite3_column_int64(st, 0);
		snprintf(k.prefix, sizeof(k.prefix), "%s", (const char *)sqlite3_column_text(st, 1));
		snprintf(k.role, sizeof(k.role), "%s", (const char *)sqlite3_column_text(st, 2));
		snprintf(k.filer, sizeof(k.filer), "%s", (const char *)sqlite3_column_text(st, 3));
		snprintf(k.label, sizeof(k.label), "%s", (const char *)sqlite3_column_text(st, 4));
		k.created_at = sqlite3_column_int64(st, 5);
		k.expires_at = sqlite3_column_int64(st, 6);
		k.revoked_at = sqlite3_column_int64(st, 7);
		if ((rc = fn(ctx, &k)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = MLV_EIO;
	sqlite3_finalize(st);
	return rc;
}
