/* audit_sqlite.c - the audit log in the SQLite store (store.h, "the audit
 * log").
 *
 * Level 0 of the tree is the events table itself (leaf i = event i + 1,
 * its leaf_hash column); perfect subtrees above it are in audit_nodes;
 * signed tree heads in audit_sth.  The tree logic is src/core/audit.c;
 * this file only stores and reads nodes, and verifies the whole log. */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mlv/audit.h"
#include "mlv/store.h"
#include "sqlite_internal.h"

/* ---- node storage --------------------------------------------------------------- */

/* The last node written at each level: exactly the left siblings the next
 * appends need, so appending reads nothing from the database. */
static bool frontier_get(mlv_store *s, unsigned level, uint64_t index, uint8_t *out)
{
	if (level < MLV_FRONTIER_LEVELS && s->frontier[level].valid &&
	    s->frontier[level].index == index) {
		memcpy(out, s->frontier[level].hash, MLV_AUDIT_HASH_LEN);
		return true;
	}
	return false;
}

static void frontier_put(mlv_store *s, unsigned level, uint64_t index, const uint8_t *h)
{
	if (level < MLV_FRONTIER_LEVELS) {
		s->frontier[level].valid = true;
		s->frontier[level].index = index;
		memcpy(s->frontier[level].hash, h, MLV_AUDIT_HASH_LEN);
	}
}

/* Nodes below this level are not stored but hashed from the leaves when
 * a proof needs them (at most 2^LOW - 1 hashes): a filing then writes one
 * node row every 2^LOW leaves instead of about one per leaf. */
#define LOW_LEVELS 4

static int node_get(void *ctx, unsigned level, uint64_t index, uint8_t out[MLV_AUDIT_HASH_LEN])
{
	mlv_store *s = ctx;
	sqlite3_stmt *st;
	if (frontier_get(s, level, index, out))
		return 0;
	if (level > 0 && level < LOW_LEVELS) {
		uint8_t l[MLV_AUDIT_HASH_LEN], r[MLV_AUDIT_HASH_LEN];
		int rc = node_get(ctx, level - 1, index * 2, l);
		if (rc == 0)
			rc = node_get(ctx, level - 1, index * 2 + 1, r);
		if (rc == 0)
			mlv_audit_node_hash(out, l, r);
		return rc;
	}
	if (level == 0) {
		st = mlv_sqlite_stmt(s, ST_EVENT_LEAF);
		sqlite3_bind_int64(st, 1, (int64_t)index + 1);
	} else {
		st = mlv_sqlite_stmt(s, ST_NODE_GET);
		sqlite3_bind_int(st, 1, (int)level);
		sqlite3_bind_int64(st, 2, (int64_t)index);
	}
	int step = sqlite3_step(st);
	int rc;
	if (step == SQLITE_ROW && sqlite3_column_bytes(st, 0) == MLV_AUDIT_HASH_LEN) {
		memcpy(out, sqlite3_column_blob(st, 0), MLV_AUDIT_HASH_LEN);
		rc = 0;
	} else if (step == SQLITE_ROW || step == SQLITE_DONE) {
		rc = MLV_ENOTFOUND; /* absent, or an event without its leaf */
	} else {
		rc = MLV_EIO;
	}
	sqlite3_reset(st);
	return rc;
}

static int node_put(void *ctx, unsigned level, uint64_t index, const uint8_t h[MLV_AUDIT_HASH_LEN])
{
	mlv_store *s = ctx;
	frontier_put(s, level, index, h);
	if (level < LOW_LEVELS)
		return 0; /* leaves are written with their events; low levels are recomputed */
	sqlite3_stmt *st = mlv_sqlite_stmt(s, ST_NODE_PUT);
	sqlite3_bind_int(st, 1, (int)level);
	sqlite3_bind_int64(st, 2, (int64_t)index);
	sqlite3_bind_blob(st, 3, h, MLV_AUDIT_HASH_LEN, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : MLV_EIO;
	sqlite3_reset(st);
	return rc;
}

void mlv_sqlite_audit_store(mlv_store *s, mlv_audit_store *out)
{
	out->ctx = s;
	out->get = node_get;
	out->put = node_put;
}

static int query_u64(mlv_store *s, const char *sql, uint64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc = MLV_EIO;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		*out = (uint64_t)sqlite3_column_int64(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

static int data_version(mlv_store *s, int64_t *out)
{
	uint64_t v = 0;
	int rc = query_u64(s, "PRAGMA data_version", &v);
	*out = (int64_t)v;
	return rc;
}

int mlv_sqlite_audit_sync(mlv_store *s)
{
	int64_t v;
	int rc = data_version(s, &v);
	if (rc == 0 && v != s->data_version)
		rc = mlv_sqlite_audit_load(s);
	return rc;
}

int mlv_sqlite_audit_load(mlv_store *s)
{
	memset(s->frontier, 0, sizeof(s->frontier)); /* after a rollback too */
	if (data_version(s, &s->data_version) != 0)
		return MLV_EIO;
	return query_u64(s, "SELECT coalesce(max(id), 0) FROM events", &s->audit_size);
}

/* ---- reading ---------------------------------------------------------------------- */

int mlv_store_audit_size(mlv_store *s, uint64_t *size)
{
	/* Every event has its leaf (written together, or backfilled when the
	 * store was opened), and max(rowid) is one B-tree step. */
	return query_u64(s, "SELECT coalesce(max(id), 0) FROM events", size);
}

int mlv_store_audit_root(mlv_store *s, uint64_t size, uint8_t root[MLV_AUDIT_HASH_LEN])
{
	mlv_audit_store as;
	mlv_sqlite_audit_store(s, &as);
	return mlv_audit_root(root, &as, size);
}

int mlv_store_audit_add_sth(mlv_store *s, const mlv_audit_sth *sth)
{
	sqlite3_stmt *st = NULL;
	int rc = MLV_EIO;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT OR IGNORE INTO audit_sth (tree_size, timestamp_ms, root, signature)"
			       " VALUES (?1, ?2, ?3, ?4)",
			       -1, &st, NULL) != SQLITE_OK)
		goto cleanup;
	sqlite3_bind_int64(st, 1, (int64_t)sth->tree_size);
	sqlite3_bind_int64(st, 2, (int64_t)sth->timestamp_ms);
	sqlite3_bind_blob(st, 3, sth->root, sizeof(sth->root), SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, sth->sig, sizeof(sth->sig), SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_DONE)
		rc = 0;
cleanup:
	sqlite3_finalize(st);
	return rc;
}

static int read_sth(sqlite3_stmt *st, mlv_audit_sth *out)
{
	int step = sqlite3_step(st);
	if (step == SQLITE_DONE)
		return MLV_ENOTFOUND;
	if (step != SQLITE_ROW || sqlite3_column_bytes(st, 2) != MLV_AUDIT_HASH_LEN ||
	    sqlite3_column_bytes(st, 3) != MLV_AUDIT_SIG_LEN)
		return MLV_EIO;
	out->tree_size = (uint64_t)sqlite3_column_int64(st, 0);
	out->timestamp_ms = (uint64_t)sqlite3_column_int64(st, 1);
	memcpy(out->root, sqlite3_column_blob(st, 2), MLV_AUDIT_HASH_LEN);
	memcpy(out->sig, sqlite3_column_blob(st, 3), MLV_AUDIT_SIG_LEN);
	return 0;
}

int mlv_store_audit_get_sth(mlv_store *s, uint64_t tree_size, mlv_audit_sth *out)
{
	sqlite3_stmt *st = NULL;
	const char *sql = tree_size == 0
				  ? "SELECT tree_size, timestamp_ms, root, signature FROM audit_sth"
				    " ORDER BY tree_size DESC LIMIT 1"
				  : "SELECT tree_size, timestamp_ms, root, signature FROM audit_sth"
				    " WHERE tree_size = ?1";
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	if (tree_size != 0)
		sqlite3_bind_int64(st, 1, (int64_t)tree_size);
	int rc = read_sth(st, out);
	sqlite3_finalize(st);
	return rc;
}

int mlv_store_audit_sth_covering(mlv_store *s, uint64_t min_size, mlv_audit_sth *out)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT tree_size, timestamp_ms, root, signature FROM audit_sth"
			       " WHERE tree_size >= ?1 ORDER BY tree_size LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(st, 1, (int64_t)min_size);
	int rc = read_sth(st, out);
	sqlite3_finalize(st);
	return rc;
}

int mlv_store_audit_leaf(mlv_store *s, uint64_t event_id, int64_t filer_id, mlv_buf *leaf,
			 uint8_t hash[MLV_AUDIT_HASH_LEN])
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT e.leaf, e.leaf_hash FROM events e JOIN consignments c"
			       " ON c.id = e.consignment_id WHERE e.id = ?1"
			       " AND (?2 = 0 OR c.filer_id = ?2) AND e.leaf_hash IS NOT NULL",
			       -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(st, 1, (int64_t)event_id);
	sqlite3_bind_int64(st, 2, filer_id);
	int step = sqlite3_step(st), rc;
	if (step == SQLITE_ROW && sqlite3_column_bytes(st, 1) == MLV_AUDIT_HASH_LEN) {
		memcpy(hash, sqlite3_column_blob(st, 1), MLV_AUDIT_HASH_LEN);
		mlv_buf_reset(leaf);
		rc = mlv_buf_add(leaf, sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0));
	} else {
		rc = step == SQLITE_DONE ? MLV_ENOTFOUND : MLV_EIO;
	}
	sqlite3_finalize(st);
	return rc;
}

int mlv_store_audit_inclusion(mlv_store *s, uint64_t leaf_index, uint64_t size,
			      mlv_audit_hash *proof, size_t *len)
{
	mlv_audit_store as;
	mlv_sqlite_audit_store(s, &as);
	return mlv_audit_inclusion_proof(proof, len, MLV_AUDIT_PROOF_MAX, &as, leaf_index, size);
}

int mlv_store_audit_consistency(mlv_store *s, uint64_t m, uint64_t n, mlv_audit_hash *proof,
				size_t *len)
{
	mlv_audit_store as;
	mlv_sqlite_audit_store(s, &as);
	return mlv_audit_consistency_proof(proof, len, MLV_AUDIT_PROOF_MAX, &as, m, n);
}

/* ---- verification ----------------------------------------------------------------- */

static void problem(mlv_audit_report *rep, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void problem(mlv_audit_report *rep, const char *fmt, ...)
{
	if (rep->problems++ == 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(rep->first_problem, sizeof(rep->first_problem), fmt, ap);
		va_end(ap);
	}
}

/* The "event" number a leaf text names, or 0. */
static uint64_t leaf_event(const unsigned char *text, size_t n)
{
	static const char key[] = "{\"v\":1,\"event\":";
	size_t k = sizeof(key) - 1;
	if (n <= k || memcmp(text, key, k) != 0)
		return 0;
	uint64_t v = 0;
	for (size_t i = k; i < n && text[i] >= '0' && text[i] <= '9'; i++)
		v = v * 10 + (uint64_t)(text[i] - '0');
	return v;
}

int mlv_store_audit_verify(mlv_store *s, const uint8_t pk[MLV_AUDIT_PK_LEN],
			   mlv_audit_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	mlv_audit_mem *mem = NULL;
	sqlite3_stmt *st = NULL;
	int rc = mlv_audit_mem_new(&mem);
	if (rc != 0)
		return rc;
	mlv_audit_store ms;
	mlv_audit_mem_store(&ms, mem);

	/* 1. Leaves: every event in order, its text hashing to its hash. */
	if (sqlite3_prepare_v2(s->db, "SELECT id, leaf, leaf_hash FROM events ORDER BY id", -1, &st,
			       NULL) != SQLITE_OK) {
		rc = MLV_EIO;
		goto cleanup;
	}
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t id = (uint64_t)sqlite3_column_int64(st, 0);
		const unsigned char *text = sqlite3_column_text(st, 1);
		size_t tn = (size_t)sqlite3_column_bytes(st, 1);
		uint8_t h[MLV_AUDIT_HASH_LEN], stored[MLV_AUDIT_HASH_LEN];
		if (id != rep->leaves + 1) {
			problem(rep, "event %llu follows event %llu: an event is missing",
				(unsigned long long)id, (unsigned long long)rep->leaves);
			break;
		}
		if (text == NULL || sqlite3_column_bytes(st, 2) != MLV_AUDIT_HASH_LEN) {
			problem(rep, "event %llu has no audit leaf", (unsigned long long)id);
			break;
		}
		memcpy(stored, sqlite3_column_blob(st, 2), sizeof(stored));
		mlv_audit_leaf_hash(h, text, tn);
		if (sodium_memcmp(h, stored, sizeof(h)) != 0)
			problem(rep, "the leaf of event %llu does not hash to its stored hash",
				(unsigned long long)id);
		if (leaf_event(text, tn) != id)
			problem(rep, "the leaf stored as event %llu names another event",
				(unsigned long long)id);
		/* Rebuild from the leaf text: a changed text shows in the roots. */
		if ((rc = mlv_audit_append(&ms, rep->leaves, h)) != 0)
			goto cleanup;
		rep->leaves++;
	}
	if (step != SQLITE_DONE && step != SQLITE_ROW) {
		rc = MLV_EIO;
		goto cleanup;
	}
	sqlite3_finalize(st);

	/* 2. Every stored node equals the rebuilt one. */
	if (sqlite3_prepare_v2(s->db, "SELECT level, idx, hash FROM audit_nodes", -1, &st, NULL) !=
	    SQLITE_OK) {
		rc = MLV_EIO;
		goto cleanup;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		unsigned level = (unsigned)sqlite3_column_int(st, 0);
		uint64_t idx = (uint64_t)sqlite3_column_int64(st, 1);
		uint8_t want[MLV_AUDIT_HASH_LEN];
		rep->nodes++;
		if (level < LOW_LEVELS || level >= 64 || ms.get(ms.ctx, level, idx, want) != 0) {
			problem(rep, "node (%u, %llu) is not part of the tree", level,
				(unsigned long long)idx);
			continue;
		}
		if (sqlite3_column_bytes(st, 2) != MLV_AUDIT_HASH_LEN ||
		    sodium_memcmp(sqlite3_column_blob(st, 2), want, sizeof(want)) != 0)
			problem(rep, "node (%u, %llu) differs from the tree rebuilt from the leaves",
				level, (unsigned long long)idx);
	}
	sqlite3_finalize(st);

	/* 3. Signed tree heads: signature, root, and consistency in order. */
	if (sqlite3_prepare_v2(s->db,
			       "SELECT tree_size, timestamp_ms, root, signature FROM audit_sth"
			       " ORDER BY tree_size",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = MLV_EIO;
		goto cleanup;
	}
	mlv_audit_sth prev, sth;
	bool have_prev = false;
	while ((rc = read_sth(st, &sth)) == 0) {
		uint8_t root[MLV_AUDIT_HASH_LEN];
		rep->sths++;
		if (!mlv_audit_sth_verify(&sth, pk)) {
			problem(rep, "the tree head of size %llu is not signed by this key",
				(unsigned long long)sth.tree_size);
			continue;
		}
		if (sth.tree_size > rep->leaves) {
			problem(rep, "the tree head of size %llu is larger than the log (%llu leaves)",
				(unsigned long long)sth.tree_size, (unsigned long long)rep->leaves);
			continue;
		}
		if ((rc = mlv_audit_root(root, &ms, sth.tree_size)) != 0)
			goto cleanup;
		if (sodium_memcmp(root, sth.root, sizeof(root)) != 0) {
			problem(rep, "the tree head of size %llu does not match the leaves",
				(unsigned long long)sth.tree_size);
			continue;
		}
		if (have_prev && prev.tree_size > 0) {
			mlv_audit_hash proof[MLV_AUDIT_PROOF_MAX];
			size_t len = 0;
			if ((rc = mlv_audit_consistency_proof(proof, &len, MLV_AUDIT_PROOF_MAX, &ms,
							      prev.tree_size, sth.tree_size)) != 0)
				goto cleanup;
			if (!mlv_audit_verify_consistency(prev.tree_size, sth.tree_size, prev.root,
							  sth.root, proof, len))
				problem(rep, "tree heads %llu and %llu are not consistent",
					(unsigned long long)prev.tree_size,
					(unsigned long long)sth.tree_size);
		}
		prev = sth;
		have_prev = true;
	}
	if (rc == MLV_ENOTFOUND)
		rc = 0;
cleanup:
	sqlite3_finalize(st);
	mlv_audit_mem_free(mem);
	if (rc == 0 && rep->problems > 0)
		rc = MLV_ECONFLICT;
	return rc;
}
