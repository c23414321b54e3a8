/* purge_sqlite.c - data protection: after the retention period, personal
 * data (the elements the dataset marks personal: names, addresses,
 * contacts) is removed from every stored version of a consignment, from
 * the parts of multi-party filings, from the answers and documents of its
 * referrals (referrals_sqlite.c) and from the superseded records of the
 * operator registry's history (operators_sqlite.c), while the
 * non-personal data, the statistics and the audit log stay whole.  Audit
 * leaves hold only a hash of each text, so every proof still verifies
 * after the purge. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlv/arena.h"
#include "mlv/codec.h"
#include "mlv/compress.h"
#include "mlv/dataset.h"
#include "mlv/store.h"
#include "sqlite_internal.h"

/* Clears every personal element of an object, recursively. */
static void strip(const mlv_schema *s, void *base)
{
	for (size_t i = 0; i < s->nfields; i++) {
		const mlv_field *f = &s->fields[i];
		char *p = (char *)base + f->offset;
		if (f->type == MLV_F_OBJECT) {
			if (*(bool *)p)
				strip(f->sub, p);
		} else if (f->type == MLV_F_ARRAY) {
			size_t n = *(size_t *)((char *)base + f->count_offset);
			char *elems = *(char **)p;
			for (size_t k = 0; k < n; k++)
				strip(f->sub, elems + k * f->sub->size);
		} else if (f->personal) {
			switch (f->type) {
			case MLV_F_STRING:
				*(const char **)p = NULL;
				break;
			case MLV_F_COUNTRY:
			case MLV_F_CURRENCY:
			case MLV_F_HSCODE:
				/* Countries are kept: they are not personal on their own
				 * and the statistics need them. */
				break;
			default:
				memset(p, 0, sizeof(mlv_num));
				break;
			}
		}
	}
}

/* The parts of multi-party filings (parts_sqlite.c) filed before the
 * cut-off: the same elements removed from their canonical text, inside
 * the caller's transaction.  Each counts as a version. */
static int purge_parts(mlv_store *s, const mlv_refdata *rd, int64_t before, bool dry_run,
		       uint64_t *versions, uint64_t *skipped)
{
	sqlite3_stmt *q = NULL, *u = NULL;
	int rc = 0, step;
	if (sqlite3_prepare_v2(s->db, "SELECT id, data FROM parts WHERE filed_at < ?1"
				      " AND purged_at IS NULL ORDER BY id", -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "UPDATE parts SET data = ?2, purged_at = ?3 WHERE id = ?1", -1,
			       &u, NULL) != SQLITE_OK) {
		rc = MLV_EIO;
		goto done;
	}
	sqlite3_bind_int64(q, 1, before);
	mlv_arena *arena = mlv_arena_new(1 << 16);
	mlv_buf canon = MLV_BUF_INIT((size_t)8 << 20);
	while (rc == 0 && arena != NULL && (step = sqlite3_step(q)) == SQLITE_ROW) {
		mlv_consignment c;
		mlv_problems probs;
		mlv_problems_init(&probs);
		mlv_arena_reset(arena);
		mlv_buf_reset(&canon);
		int drc = mlv_consignment_decode_part(&c, (const char *)sqlite3_column_text(q, 1),
						      (size_t)sqlite3_column_bytes(q, 1), arena, rd,
						      &probs);
		bool ok = drc == 0 && !mlv_problems_has_errors(&probs);
		mlv_problems_clear(&probs);
		if (!ok) {
			(*skipped)++;
			continue;
		}
		strip(&mlv_consignment_schema, &c);
		if ((rc = mlv_consignment_encode(&c, rd, &canon)) != 0)
			break;
		(*versions)++;
		if (!dry_run) {
			sqlite3_bind_int64(u, 1, sqlite3_column_int64(q, 0));
			sqlite3_bind_text(u, 2, canon.data, (int)canon.len, SQLITE_STATIC);
			sqlite3_bind_int64(u, 3, mlv_now_ms());
			rc = sqlite3_step(u) == SQLITE_DONE ? 0 : MLV_EIO;
			sqlite3_reset(u);
		}
	}
	if (arena == NULL)
		rc = MLV_ENOMEM;
	mlv_arena_free(arena);
	mlv_buf_free(&canon);
done:
	sqlite3_finalize(q);
	sqlite3_finalize(u);
	return rc;
}

int mlv_store_purge(mlv_store *s, const mlv_refdata *rd, int64_t filed_before_ms,
		    bool dry_run, mlv_purge_counts *out)
{
	sqlite3_stmt *q = NULL, *u = NULL, *m = NULL;
	memset(out, 0, sizeof(*out));
	uint64_t *consignments = &out->consignments, *versions = &out->versions,
		 *skipped = &out->skipped;
	int rc = mlv_sqlite_exec(s, "BEGIN IMMEDIATE");
	if (rc != 0)
		return rc;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT e.id, e.body, c.id FROM consignments c JOIN events e"
			       " ON e.consignment_id = c.id AND e.body IS NOT NULL"
			       " WHERE c.filed_at < ?1 AND c.purged_at IS NULL ORDER BY c.id, e.id",
			       -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "UPDATE events SET body = ?2 WHERE id = ?1", -1, &u, NULL) !=
		    SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
			       "UPDATE consignments SET purged_at = ?2 WHERE filed_at < ?1"
			       " AND purged_at IS NULL",
			       -1, &m, NULL) != SQLITE_OK) {
		rc = MLV_EIO;
		goto done;
	}
	sqlite3_bind_int64(q, 1, filed_before_ms);
	mlv_arena *arena = mlv_arena_new(1 << 16);
	mlv_buf text = MLV_BUF_INIT((size_t)64 << 20), canon = MLV_BUF_INIT((size_t)64 << 20);
	int64_t last = 0;
	int step;
	while (rc == 0 && arena != NULL && (step = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t event_id = sqlite3_column_int64(q, 0);
		int64_t cid = sqlite3_column_int64(q, 2);
		const void *z = sqlite3_column_blob(q, 1);
		size_t zn = (size_t)sqlite3_column_bytes(q, 1);
		if (cid != last) {
			(*consignments)++;
			last = cid;
		}
		const mlv_zdict *d = NULL;
		uint32_t dict_id = mlv_compressed_dict_id(z, zn);
		const mlv_zdict *shipped = mlv_refdata_zdict(rd);
		if (dict_id != 0)
			d = shipped != NULL && mlv_zdict_id(shipped) == dict_id ? shipped : NULL;
		if ((dict_id != 0 && d == NULL) ||
		    mlv_decompress(d, z, zn, text.max, &text) != 0) {
			(*skipped)++;
			continue;
		}
		mlv_consignment c;
		mlv_problems probs;
		mlv_problems_init(&probs);
		mlv_arena_reset(arena);
		mlv_buf_reset(&canon);
		int drc = mlv_consignment_decode(&c, text.data, text.len, arena, rd, &probs);
		bool ok = drc == 0 && !mlv_problems_has_errors(&probs);
		mlv_problems_clear(&probs);
		if (!ok) {
			(*skipped)++;
			continue;
		}
		strip(&mlv_consignment_schema, &c);
		void *nz = NULL;
		size_t nzn = 0;
		if ((rc = mlv_consignment_encode(&c, rd, &canon)) != 0 ||
		    (rc = mlv_compress(mlv_refdata_zdict(rd), canon.data, canon.len, &nz, &nzn)) != 0)
			break;
		(*versions)++;
		if (!dry_run) {
			sqlite3_bind_int64(u, 1, event_id);
			sqlite3_bind_blob(u, 2, nz, (int)nzn, SQLITE_TRANSIENT);
			rc = sqlite3_step(u) == SQLITE_DONE ? 0 : MLV_EIO;
			sqlite3_reset(u);
		}
		free(nz);
	}
	mlv_arena_free(arena);
	mlv_buf_free(&text);
	mlv_buf_free(&canon);
	if (rc == 0)
		rc = purge_parts(s, rd, filed_before_ms, dry_run, versions, skipped);
	/* A dry run changes rows too: the transaction is rolled back below. */
	if (rc == 0)
		rc = mlv_sqlite_referrals_purge(s, filed_before_ms, mlv_now_ms(), &out->answers,
						&out->documents);
	if (rc == 0)
		rc = mlv_sqlite_registry_purge(s, filed_before_ms, mlv_now_ms(), &out->registry);
	if (rc == 0 && !dry_run) {
		sqlite3_bind_int64(m, 1, filed_before_ms);
		sqlite3_bind_int64(m, 2, mlv_now_ms());
		rc = sqlite3_step(m) == SQLITE_DONE ? 0 : MLV_EIO;
	}
done:
	sqlite3_finalize(q);
	sqlite3_finalize(u);
	sqlite3_finalize(m);
	if (rc == 0 && mlv_sqlite_exec(s, dry_run ? "ROLLBACK" : "COMMIT") != 0)
		rc = MLV_EIO;
	if (rc != 0)
		mlv_sqlite_exec(s, "ROLLBACK");
	return rc;
}
