/* test_audit_store.c - the audit log as the SQLite store keeps it: every
 * filing and amendment is a leaf written with its event; proofs from the
 * store verify; and `mlv_store_audit_verify` detects every kind of
 * tampering with the stored rows (1,000 random ones and each kind named
 * in docs/audit.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlv/audit.h"
#include "mlv/filing.h"
#include "mlv/refdata.h"
#include "mlv/store.h"

static mlv_refdata *rd;
static char *fixture;
static uint8_t pk[MLV_AUDIT_PK_LEN], sk[MLV_AUDIT_SK_LEN];

typedef struct {
	char dir[64];
	char path[128];
	char copy[128];
	mlv_store *s;
	int64_t filer;
} fx_t;

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	char *buf = calloc(1, 1 << 20);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int group_setup(void **state)
{
	(void)state;
	char err[256], path[512];
	if (mlv_refdata_load(&rd, MLV_DATADIR, err, sizeof(err)) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/tests/fixtures/consignment.json", MLV_SRCDIR);
	fixture = slurp(path);
	return fixture && mlv_audit_keypair(pk, sk) == 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	mlv_refdata_free(rd);
	free(fixture);
	return 0;
}

static mlv_store *open_at(const char *path)
{
	mlv_store_opts o = MLV_STORE_OPTS_INIT;
	char err[256];
	o.path = path;
	o.synchronous_full = false;
	mlv_store *s = NULL;
	assert_int_equal(mlv_store_open(&s, &o, err, sizeof(err)), 0);
	return s;
}

/* Files n consignments (lrn-0 ...), amends every third, and signs a head
 * after each batch of ten. */
static void fill(fx_t *fx, int n)
{
	for (int i = 0; i < n; i++) {
		char lrn[32], *text;
		snprintf(lrn, sizeof(lrn), "\"lrn\":\"AUD-%d\"", i);
		size_t len = strlen(fixture) + 64;
		text = malloc(len);
		const char *p = strstr(fixture, "\"lrn\"");
		const char *open = strchr(strchr(p, ':'), '"');
		const char *q = strchr(open + 1, '"') + 1; /* past the old value */
		snprintf(text, len, "%.*s%s%s", (int)(p - fixture), fixture, lrn, q);
		for (int round = 0; round < (i % 3 == 0 ? 2 : 1); round++) {
			if (round == 1) {
				char *w = strstr(text, "Lyon");
				memcpy(w, "Nice", 4);
			}
			mlv_filing *f = mlv_filing_new();
			f->filer_id = fx->filer;
			f->received_ms = 1776000000000LL + i;
			mlv_validate_opts o = MLV_VALIDATE_OPTS_INIT;
			assert_int_equal(mlv_filing_prepare(f, text, strlen(text), rd, &o), 0);
			assert_true(f->ok);
			assert_int_equal(mlv_store_file(fx->s, &f, 1), 0);
			mlv_filing_free(f);
		}
		free(text);
		if (i % 10 == 9 || i == n - 1) {
			mlv_audit_sth sth;
			memset(&sth, 0, sizeof(sth));
			assert_int_equal(mlv_store_audit_size(fx->s, &sth.tree_size), 0);
			sth.timestamp_ms = 1776000000000ULL + (uint64_t)i;
			assert_int_equal(mlv_store_audit_root(fx->s, sth.tree_size, sth.root), 0);
			assert_int_equal(mlv_audit_sth_sign(&sth, sk), 0);
			assert_int_equal(mlv_store_audit_add_sth(fx->s, &sth), 0);
		}
	}
}

static int setup(void **state)
{
	fx_t *fx = calloc(1, sizeof(*fx));
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/mlv-audit-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(fx->path, sizeof(fx->path), "%s/a.db", fx->dir);
	snprintf(fx->copy, sizeof(fx->copy), "%s/copy.db", fx->dir);
	fx->s = open_at(fx->path);
	assert_int_equal(mlv_store_filer_ensure(fx->s, "ExampleMarket", &fx->filer), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fx_t *fx = *state;
	mlv_store_close(fx->s);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	int rc = system(cmd);
	free(fx);
	return rc == 0 ? 0 : -1;
}

static void test_every_event_is_a_leaf(void **state)
{
	fx_t *fx = *state;
	fill(fx, 30);
	uint64_t size = 0;
	assert_int_equal(mlv_store_audit_size(fx->s, &size), 0);
	assert_int_equal(size, 30 + 10); /* 30 filings, 10 amendments */
	mlv_audit_report rep;
	assert_int_equal(mlv_store_audit_verify(fx->s, pk, &rep), 0);
	assert_int_equal(rep.leaves, 40);
	assert_int_equal(rep.sths, 3);
	assert_int_equal(rep.problems, 0);
	/* the leaf names its event and carries a hash of the text, not the text */
	mlv_buf leaf = MLV_BUF_INIT(1 << 16);
	uint8_t h[MLV_AUDIT_HASH_LEN];
	assert_int_equal(mlv_store_audit_leaf(fx->s, 2, fx->filer, &leaf, h), 0);
	assert_non_null(strstr(leaf.data, "\"event\":2,"));
	assert_non_null(strstr(leaf.data, "\"type\":\"amended\""));
	assert_non_null(strstr(leaf.data, "\"content_blake2b_256\":"));
	assert_null(strstr(leaf.data, "Camille"));
	/* another filer cannot have it */
	assert_int_equal(mlv_store_audit_leaf(fx->s, 2, fx->filer + 1, &leaf, h), MLV_ENOTFOUND);
	mlv_buf_free(&leaf);
}

static void test_proofs_from_the_store_verify(void **state)
{
	fx_t *fx = *state;
	fill(fx, 25);
	mlv_audit_sth first, last;
	assert_int_equal(mlv_store_audit_sth_covering(fx->s, 1, &first), 0);
	assert_int_equal(mlv_store_audit_get_sth(fx->s, 0, &last), 0);
	assert_true(mlv_audit_sth_verify(&last, pk));
	for (uint64_t e = 1; e <= last.tree_size; e++) {
		mlv_buf leaf = MLV_BUF_INIT(1 << 16);
		uint8_t h[MLV_AUDIT_HASH_LEN];
		mlv_audit_hash proof[MLV_AUDIT_PROOF_MAX];
		size_t len = 0;
		assert_int_equal(mlv_store_audit_leaf(fx->s, e, 0, &leaf, h), 0);
		assert_int_equal(mlv_store_audit_inclusion(fx->s, e - 1, last.tree_size, proof, &len),
				 0);
		assert_true(mlv_audit_verify_inclusion(e - 1, last.tree_size, h, proof, len,
						       last.root));
		mlv_buf_free(&leaf);
	}
	mlv_audit_hash proof[MLV_AUDIT_PROOF_MAX];
	size_t len = 0;
	assert_int_equal(mlv_store_audit_consistency(fx->s, first.tree_size, last.tree_size, proof,
						     &len),
			 0);
	assert_true(mlv_audit_verify_consistency(first.tree_size, last.tree_size, first.root,
						 last.root, proof, len));
}

/* Copies the database, applies one SQL tampering to the copy, and returns
 * whether verification of the copy finds a problem. */
static bool detects(fx_t *fx, const char *sql)
{
	char cmd[512];
	mlv_store_close(fx->s);
	fx->s = NULL;
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", fx->path, fx->copy);
	assert_int_equal(system(cmd), 0);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(fx->copy, &db), SQLITE_OK);
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		fprintf(stderr, "tamper: %s: %s\n", sql, sqlite3_errmsg(db));
	assert_int_equal(rc, SQLITE_OK);
	sqlite3_close(db);
	mlv_store *c = open_at(fx->copy);
	mlv_audit_report rep;
	int v = mlv_store_audit_verify(c, pk, &rep);
	mlv_store_close(c);
	unlink(fx->copy);
	fx->s = open_at(fx->path);
	return v == MLV_ECONFLICT && rep.problems > 0;
}

static void test_each_kind_of_tampering(void **state)
{
	fx_t *fx = *state;
	fill(fx, 20);
	/* Nothing changed: nothing found. */
	assert_false(detects(fx, "SELECT 1"));
	/* A byte of a leaf's text. */
	assert_true(detects(fx, "UPDATE events SET leaf = replace(leaf, '\"type\":\"filed\"',"
				" '\"type\":\"filex\"') WHERE id = 5"));
	/* A leaf's text and hash changed together (recomputed by a forger). */
	assert_true(detects(fx, "UPDATE events SET leaf_hash = zeroblob(32) WHERE id = 3"));
	/* A leaf deleted (the event with it). */
	assert_true(detects(fx, "DELETE FROM events WHERE id = 7"));
	/* The last leaf deleted: the signed head covers it. */
	assert_true(detects(fx, "DELETE FROM events WHERE id = (SELECT max(id) FROM events)"));
	/* Two leaves swapped. */
	assert_true(detects(fx, "UPDATE events SET leaf = (SELECT leaf FROM events WHERE id = 9),"
				" leaf_hash = (SELECT leaf_hash FROM events WHERE id = 9) WHERE id = 8"));
	/* A stored node. */
	assert_true(detects(fx, "UPDATE audit_nodes SET hash = zeroblob(32) WHERE (level, idx) IN"
				" (SELECT level, idx FROM audit_nodes LIMIT 1)"));
	/* A forged tree head: another root, or another signature. */
	assert_true(detects(fx, "UPDATE audit_sth SET root = zeroblob(32) WHERE tree_size ="
				" (SELECT max(tree_size) FROM audit_sth)"));
	assert_true(detects(fx, "UPDATE audit_sth SET signature = zeroblob(64) WHERE tree_size ="
				" (SELECT min(tree_size) FROM audit_sth)"));
	assert_true(detects(fx, "UPDATE audit_sth SET tree_size = tree_size + 1 WHERE tree_size ="
				" (SELECT min(tree_size) FROM audit_sth)"));
}

/* 1,000 random tamperings of the bytes of leaves, hashes, nodes and heads,
 * applied in memory on the rows and written back: every one is found. */
static void test_random_tampering(void **state)
{
	fx_t *fx = *state;
	fill(fx, 40);
	uint64_t size = 0;
	assert_int_equal(mlv_store_audit_size(fx->s, &size), 0);
	mlv_store_close(fx->s);
	fx->s = NULL;
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", fx->path, fx->copy);
	assert_int_equal(system(cmd), 0);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(fx->copy, &db), SQLITE_OK);
	uint64_t seed = 20261126;
	int found = 0;
	for (int t = 0; t < 1000; t++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		int kind = (int)((seed >> 33) % 4);
		uint64_t pick = (seed >> 13);
		const char *table, *col, *key;
		switch (kind) {
		case 0: table = "events"; col = "leaf"; key = "id"; break;
		case 1: table = "events"; col = "leaf_hash"; key = "id"; break;
		case 2: table = "audit_nodes"; col = "hash"; key = "(level * 1000000000 + idx)"; break;
		default: table = "audit_sth"; col = "root"; key = "tree_size"; break;
		}
		char sql[256];
		sqlite3_stmt *st;
		snprintf(sql, sizeof(sql), "SELECT %s, %s FROM %s ORDER BY %s LIMIT 1 OFFSET"
			 " (?1 %% (SELECT count(*) FROM %s))", key, col, table, key, table);
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
		sqlite3_bind_int64(st, 1, (int64_t)(pick % 1000000));
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		int64_t k = sqlite3_column_int64(st, 0);
		int n = sqlite3_column_bytes(st, 1);
		unsigned char *v = malloc((size_t)n);
		memcpy(v, sqlite3_column_blob(st, 1), (size_t)n);
		sqlite3_finalize(st);
		unsigned char orig[4096];
		memcpy(orig, v, (size_t)n);
		int at = (int)((pick >> 20) % (uint64_t)n);
		v[at] ^= (unsigned char)(1u << ((pick >> 40) % 8));
		snprintf(sql, sizeof(sql), "UPDATE %s SET %s = ?1 WHERE %s = ?2", table, col, key);
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
		if (kind == 0)
			sqlite3_bind_text(st, 1, (const char *)v, n, SQLITE_STATIC);
		else
			sqlite3_bind_blob(st, 1, v, n, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, k);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_finalize(st);

		mlv_store *c = open_at(fx->copy);
		mlv_audit_report rep;
		if (mlv_store_audit_verify(c, pk, &rep) == MLV_ECONFLICT)
			found++;
		else
			fprintf(stderr, "undetected: %s.%s of %lld, byte %d\n", table, col,
				(long long)k, at);
		mlv_store_close(c);

		/* undo */
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
		if (kind == 0)
			sqlite3_bind_text(st, 1, (const char *)orig, n, SQLITE_STATIC);
		else
			sqlite3_bind_blob(st, 1, orig, n, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, k);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_finalize(st);
		free(v);
	}
	sqlite3_close(db);
	fx->s = open_at(fx->path);
	assert_int_equal(found, 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_event_is_a_leaf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_proofs_from_the_store_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_kind_of_tampering, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_tampering, setup, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
