/* rules_sqlite.c - the risk engine's side of the store: versions of the
 * risk profile, every rule's counters at once, and the inspection results
 * that operator scores are built from.
 *
 * A version is stored whole (the profile's text as the analyst sent it),
 * numbered upwards, with who made it and when, in the same transaction as
 * its event in the audit log: an event of the administration, attached to
 * no consignment, whose leaf holds the BLAKE2b-256 of the text - so anyone
 * holding a version's text can prove it was the one in force, and no
 * version can be changed or slipped in later without the log showing it.
 * Versions are never updated or deleted. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "mlv/store.h"
#include "sqlite_internal.h"

#define VERSION_COLUMNS \
	"version, profile_id, actor, created_at, summary, rules, digest, coalesce(event_id, 0)"

/* Whether the table of versions exists: a store opened read-only is not
 * migrated, and one made by an older program has no versions yet. */
static bool have_versions(mlv_store *s)
{
	sqlite3_stmt *st = NULL;
	bool yes = sqlite3_prepare_v2(s->db,
				      "SELECT 1 FROM sqlite_master WHERE type = 'table'"
				      " AND name = 'rule_versions'",
				      -1, &st, NULL) == SQLITE_OK &&
		   sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

/* A statement over rule_versions: MLV_ENOTFOUND when there is no such table. */
static int prepare(mlv_store *s, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) == SQLITE_OK)
		return 0;
	return have_versions(s) ? MLV_EIO : MLV_ENOTFOUND;
}

static void read_version(sqlite3_stmt *st, mlv_rules_version *out)
{
	memset(out, 0, sizeof(*out));
	out->version = sqlite3_column_int64(st, 0);
	snprintf(out->profile_id, sizeof(out->profile_id), "%s",
		 (const char *)sqlite3_column_text(st, 1));
	snprintf(out->actor, sizeof(out->actor), "%s", (const char *)sqlite3_column_text(st, 2));
	out->created_ms = sqlite3_column_int64(st, 3);
	snprintf(out->summary, sizeof(out->summary), "%s",
		 (const char *)sqlite3_column_text(st, 4));
	out->rules = sqlite3_column_int64(st, 5);
	if (sqlite3_column_bytes(st, 6) == (int)sizeof(out->digest))
		memcpy(out->digest, sqlite3_column_blob(st, 6), sizeof(out->digest));
	out->event_id = sqlite3_column_int64(st, 7);
}

/* One version (version 0: the newest), with its text when `text`. */
static int get_version(mlv_store *s, int64_t version, mlv_rules_version *out, mlv_buf *text)
{
	sqlite3_stmt *st = NULL;
	const char *sql = version == 0
				  ? "SELECT " VERSION_COLUMNS ", text FROM rule_versions"
				    " ORDER BY version DESC LIMIT 1"
				  : "SELECT " VERSION_COLUMNS ", text FROM rule_versions"
				    " WHERE version = ?1";
	int rc = prepare(s, sql, &st);
	if (rc != 0)
		return rc;
	if (version != 0)
		sqlite3_bind_int64(st, 1, version);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		read_version(st, out);
		if (text != NULL)
			rc = mlv_buf_add(text, (const char *)sqlite3_column_text(st, 8),
					 (size_t)sqlite3_column_bytes(st, 8));
	} else {
		rc = step == SQLITE_DONE ? MLV_ENOTFOUND : MLV_EIO;
	}
	sqlite3_finalize(st);
	return rc;
}

int mlv_store_rules_latest(mlv_store *s, mlv_rules_version *out, mlv_buf *text)
{
	return get_version(s, 0, out, text);
}

int mlv_store_rules_get(mlv_store *s, int64_t version, mlv_rules_version *out, mlv_buf *text)
{
	if (version <= 0)
		return MLV_ENOTFOUND;
	return get_version(s, version, out, text);
}

int mlv_store_rules_list(mlv_store *s, int64_t before, int limit,
			 int (*fn)(void *ctx, const mlv_rules_version *v), void *ctx)
{
	sqlite3_stmt *st = NULL;
	int rc = prepare(s,
			 "SELECT " VERSION_COLUMNS " FROM rule_versions"
			 " WHERE ?1 = 0 OR version < ?1 ORDER BY version DESC LIMIT ?2",
			 &st);
	if (rc == MLV_ENOTFOUND)
		return 0; /* no versions */
	if (rc != 0)
		return rc;
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int(st, 2, limit);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		mlv_rules_version v;
		read_version(st, &v);
		if ((rc = fn(ctx, &v)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = MLV_EIO;
	sqlite3_finalize(st);
	return rc;
}

/* The audit leaf of a new version: what, which, when, by whom, and the
 * hash of the text (hex, as `b2sum -l 256` prints it). */
static int rules_leaf(mlv_buf *b, uint64_t event_id, const mlv_rules_version *v)
{
	char hex[2 * sizeof(v->digest) + 1];
	sodium_bin2hex(hex, sizeof(hex), v->digest, sizeof(v->digest));
	int rc = mlv_buf_printf(b, "{\"v\":1,\"event\":%llu,\"type\":\"rules.version\",\"profile\":",
				(unsigned long long)event_id);
	if (rc == 0)
		rc = mlv_buf_add_json_string(b, v->profile_id, strlen(v->profile_id));
	if (rc == 0)
		rc = mlv_buf_printf(b, ",\"version\":%lld,\"at\":%lld,\"actor\":",
				    (long long)v->version, (long long)v->created_ms);
	if (rc == 0)
		rc = mlv_buf_add_json_string(b, v->actor, strlen(v->actor));
	if (rc == 0)
		rc = mlv_buf_printf(b, ",\"content_blake2b_256\":\"%s\"}", hex);
	return rc;
}

/* The event and its leaf, then the tree nodes it completes (inside the
 * caller's transaction). */
static int add_rules_event(mlv_store *s, mlv_rules_version *v)
{
	uint64_t eid = s->audit_size + 1; /* leaf i is event i + 1 */
	mlv_buf leaf = MLV_BUF_INIT(4096);
	uint8_t h[MLV_AUDIT_HASH_LEN];
	sqlite3_stmt *st = NULL;
	int rc = rules_leaf(&leaf, eid, v);
	if (rc != 0)
		goto cleanup;
	mlv_audit_leaf_hash(h, leaf.data, leaf.len);
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO events (id, consignment_id, type, version, at, actor,"
			       " digest, leaf, leaf_hash) VALUES (?1, NULL, 'rules.version', ?2, ?3,"
			       " ?4, ?5, ?6, ?7)",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = MLV_EIO;
		goto cleanup;
	}
	sqlite3_bind_int64(st, 1, (int64_t)eid);
	sqlite3_bind_int64(st, 2, v->version);
	sqlite3_bind_int64(st, 3, v->created_ms);
	sqlite3_bind_text(st, 4, v->actor, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, v->digest, sizeof(v->digest), SQLITE_STATIC);
	sqlite3_bind_text(st, 6, leaf.data, (int)leaf.len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 7, h, sizeof(h), SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : MLV_EIO;
	if (rc == 0) {
		mlv_audit_store as;
		mlv_sqlite_audit_store(s, &as);
		rc = mlv_audit_append(&as, s->audit_size, h);
	}
	if (rc == 0) {
		s->audit_size++;
		v->event_id = (int64_t)eid;
	}
cleanup:
	sqlite3_finalize(st);
	mlv_buf_free(&leaf);
	return rc;
}

int mlv_store_rules_add(mlv_store *s, mlv_rules_version *v, const char *text, size_t len)
{
	sqlite3_stmt *q = NULL, *ins = NULL;
	if (v->version <= 0 || len > (size_t)INT32_MAX)
		return MLV_EINVALID;
	crypto_generichash(v->digest, sizeof(v->digest), (const unsigned char *)text, len, NULL, 0);
	int rc = mlv_sqlite_exec(s, "BEGIN IMMEDIATE");
	if (rc != 0)
		return rc;
	if ((rc = mlv_sqlite_audit_sync(s)) != 0)
		goto done;
	/* Versions only rise: one made elsewhere since the caller looked wins. */
	if (sqlite3_prepare_v2(s->db, "SELECT coalesce(max(version), 0) FROM rule_versions", -1,
			       &q, NULL) != SQLITE_OK ||
	    sqlite3_step(q) != SQLITE_ROW) {
		rc = MLV_EIO;
		goto done;
	}
	if (sqlite3_column_int64(q, 0) >= v->version) {
		rc = MLV_ECONFLICT;
		goto done;
	}
	if ((rc = add_rules_event(s, v)) != 0)
		goto done;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO rule_versions (version, profile_id, text, digest, rules,"
			       " actor, created_at, summary, event_id)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
			       -1, &ins, NULL) != SQLITE_OK) {
		rc = MLV_EIO;
		goto done;
	}
	sqlite3_bind_int64(ins, 1, v->version);
	sqlite3_bind_text(ins, 2, v->profile_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 3, text, (int)len, SQLITE_STATIC);
	sqlite3_bind_blob(ins, 4, v->digest, sizeof(v->digest), SQLITE_STATIC);
	sqlite3_bind_int64(ins, 5, v->rules);
	sqlite3_bind_text(ins, 6, v->actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 7, v->created_ms);
	sqlite3_bind_text(ins, 8, v->summary, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 9, v->event_id);
	rc = sqlite3_step(ins) == SQLITE_DONE ? 0 : MLV_EIO;
done:
	sqlite3_finalize(q);
	sqlite3_finalize(ins);
	if (rc == 0 && mlv_sqlite_exec(s, "COMMIT") != 0)
		rc = MLV_EIO;
	if (rc != 0) {
		mlv_sqlite_exec(s, "ROLLBACK");
		mlv_sqlite_audit_load(s);
	}
	return rc;
}

/* ---- rule statistics, all at once ------------------------------------------------------ */

int mlv_store_rule_counts_all(mlv_store *s,
			      int (*fn)(void *ctx, const char *rule_id, const mlv_rule_counts *c),
			      void *ctx)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT rule_id, hits, controls, findings, seizures, revenue"
			       " FROM rule_stats ORDER BY rule_id",
			       -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	int rc = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		mlv_rule_counts c = {(uint64_t)sqlite3_column_int64(st, 1),
				     (uint64_t)sqlite3_column_int64(st, 2),
				     (uint64_t)sqlite3_column_int64(st, 3),
				     (uint64_t)sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5)};
		if ((rc = fn(ctx, (const char *)sqlite3_column_text(st, 0), &c)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = MLV_EIO;
	sqlite3_finalize(st);
	return rc;
}

/* ---- inspection results with their consignments ------------------------------------------ */

int mlv_store_results_scan(mlv_store *s, int64_t since_ms,
			   int (*fn)(void *ctx, const mlv_result_row *r), void *ctx)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT r.consignment_id, c.filer_id, r.result, r.at, e.body"
			       " FROM inspection_results r JOIN consignments c ON c.id = r.consignment_id"
			       " JOIN events e ON e.consignment_id = c.id AND e.version = c.version"
			       " AND e.body IS NOT NULL WHERE r.at >= ?1 ORDER BY r.id",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, since_ms);
	mlv_buf text = MLV_BUF_INIT((size_t)64 << 20);
	int rc = 0, step;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		mlv_buf_reset(&text);
		rc = mlv_sqlite_body_text(s, sqlite3_column_blob(q, 4),
					  (size_t)sqlite3_column_bytes(q, 4), &text);
		if (rc != 0)
			break;
		mlv_result_row r = {sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1),
				    (const char *)sqlite3_column_text(q, 2), sqlite3_column_int64(q, 3),
				    &text};
		rc = fn(ctx, &r);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = MLV_EIO;
	mlv_buf_free(&text);
	sqlite3_finalize(q);
	return rc;
}
