/* test_store.c - the SQLite store (store.h) on a database file in a fresh
 * temporary directory per test: migrations, filers, API keys (hashed,
 * expiring, revocable), filing outcomes and versions, per-filer isolation,
 * events, and listing with cursors and filters.
 *
 * Runs with synchronous_full off: durability is not under test here.
 * MLV_DATADIR names the project's data/. */
#include "mlv/store.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "testutil.h"

/* ---- a store in a temporary directory ------------------------------------------ */

typedef struct fixture {
	char dir[64];
	char path[128];
	mlv_store *s;
} fixture;

static mlv_store *open_store(const char *path, bool read_only)
{
	mlv_store_opts o = MLV_STORE_OPTS_INIT;
	o.path = path;
	o.read_only = read_only;
	o.synchronous_full = false;
	char err[256] = "";
	mlv_store *s = NULL;
	int rc = mlv_store_open(&s, &o, err, sizeof(err));
	if (rc != 0)
		fail_msg("open %s: %d %s", path, rc, err);
	assert_non_null(s);
	return s;
}

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof(*fx));
	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/mlv-test-store-XXXXXX");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/mainlevee.db", fx->dir);
	fx->s = open_store(fx->path, false);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fixture *fx = *state;
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	mlv_store_close(fx->s);
	for (size_t i = 0; i < MLV_ARRAY_LEN(suffixes); i++) {
		char p[160];
		snprintf(p, sizeof(p), "%s%s", fx->path, suffixes[i]);
		unlink(p);
	}
	int rc = rmdir(fx->dir);
	free(fx);
	return rc;
}

/* ---- filings --------------------------------------------------------------------- */

/* Replaces every occurrence of `from` in base by `to`; free() it. */
static char *replace_all(const char *base, const char *from, const char *to)
{
	size_t count = 0, nf = strlen(from), nt = strlen(to);
	for (const char *p = base; (p = strstr(p, from)) != NULL; p += nf)
		count++;
	assert_true(count > 0);
	char *out = malloc(strlen(base) + count * nt + 1);
	assert_non_null(out);
	char *o = out;
	for (const char *p = base, *at; ; p = at + nf) {
		at = strstr(p, from);
		size_t keep = at ? (size_t)(at - p) : strlen(p);
		memcpy(o, p, keep);
		o += keep;
		if (at == NULL)
			break;
		memcpy(o, to, nt);
		o += nt;
	}
	*o = '\0';
	return out;
}

/* The base filing with another LRN, departure country and category. */
static char *variant(const char *lrn, const char *departure, const char *category)
{
	char dep[64], cat[64];
	char *a = replace_all(base_json, "LRN-2026-000123", lrn);
	snprintf(dep, sizeof(dep), "\"departure_country\":\"%s\"", departure);
	char *b = replace_all(a, "\"departure_country\":\"CN\"", dep);
	snprintf(cat, sizeof(cat), "\"category\":\"%s\"", category);
	char *c = replace_all(b, "\"category\":\"low_value_dutiable\"", cat);
	free(a);
	free(b);
	return c;
}

static mlv_filing *prepared(int64_t filer, const char *text, int64_t received_ms)
{
	mlv_filing *f = mlv_filing_new();
	assert_non_null(f);
	f->filer_id = filer;
	f->received_ms = received_ms;
	mlv_validate_opts o = MLV_VALIDATE_OPTS_INIT;
	assert_int_equal(mlv_filing_prepare(f, text, strlen(text), rd, &o), 0);
	return f;
}

/* Prepares and stores one filing; returns it for inspection. */
static mlv_filing *file_one(mlv_store *s, int64_t filer, const char *text, int64_t received_ms)
{
	mlv_filing *f = prepared(filer, text, received_ms);
	assert_true(f->ok);
	assert_int_equal(mlv_store_file(s, &f, 1), 0);
	assert_int_equal(f->store_rc, 0);
	return f;
}

static int64_t filer(mlv_store *s, const char *name)
{
	int64_t id = 0;
	assert_int_equal(mlv_store_filer_ensure(s, name, &id), 0);
	assert_true(id > 0);
	return id;
}

/* ---- schema and filers ---------------------------------------------------------- */

static void test_migrations(void **state)
{
	fixture *fx = *state;
	/* every migration applied, the roles and people of 13 among them */
	assert_true(mlv_store_schema_latest() >= 13);
	assert_int_equal(mlv_store_schema_version(fx->s), mlv_store_schema_latest());
	int64_t a = filer(fx->s, "ExampleMarket");
	mlv_store_close(fx->s);
	/* reopening applies nothing twice and keeps the data */
	fx->s = open_store(fx->path, false);
	assert_int_equal(mlv_store_schema_version(fx->s), mlv_store_schema_latest());
	assert_int_equal(filer(fx->s, "ExampleMarket"), a);
	/* a read-only handle on the same file */
	mlv_store *ro = open_store(fx->path, true);
	assert_int_equal(mlv_store_schema_version(ro), mlv_store_schema_latest());
	int64_t n = -1;
	assert_int_equal(mlv_store_count(ro, &n), 0);
	assert_int_equal(n, 0);
	mlv_store_close(ro);
	mlv_store_close(NULL);
}

static void test_open_failure(void **state)
{
	fixture *fx = *state;
	mlv_store_opts o = MLV_STORE_OPTS_INIT;
	char path[192], err[256] = "";
	snprintf(path, sizeof(path), "%s/no/such/dir/x.db", fx->dir);
	o.path = path;
	o.synchronous_full = false;
	mlv_store *s = (mlv_store *)&o; /* must be reset to NULL */
	assert_int_equal(mlv_store_open(&s, &o, err, sizeof(err)), MLV_EIO);
	assert_null(s);
	assert_non_null(strstr(err, path));
}

static void test_filer_ensure(void **state)
{
	fixture *fx = *state;
	int64_t a = filer(fx->s, "ExampleMarket");
	int64_t b = filer(fx->s, "Example Post");
	assert_int_not_equal(a, b);
	assert_int_equal(filer(fx->s, "ExampleMarket"), a);
	assert_int_equal(filer(fx->s, "Example Post"), b);
	assert_int_equal(filer(fx->s, "ExampleMarket"), a);
}

/* ---- API keys ------------------------------------------------------------------------ */

/* Reads the database files (main and WAL) into one buffer. */
static unsigned char *read_db(const fixture *fx, size_t *len)
{
	static const char *const suffixes[] = {"", "-wal"};
	unsigned char *all = NULL;
	size_t n = 0;
	for (size_t i = 0; i < MLV_ARRAY_LEN(suffixes); i++) {
		char p[160];
		snprintf(p, sizeof(p), "%s%s", fx->path, suffixes[i]);
		FILE *f = fopen(p, "rb");
		if (f == NULL)
			continue;
		unsigned char chunk[65536];
		size_t got;
		while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
			unsigned char *grown = realloc(all, n + got);
			assert_non_null(grown);
			all = grown;
			memcpy(all + n, chunk, got);
			n += got;
		}
		fclose(f);
	}
	assert_true(n > 0);
	*len = n;
	return all;
}

static void test_keys(void **state)
{
	fixture *fx = *state;
	int64_t a = filer(fx->s, "ExampleMarket");
	int64_t b = filer(fx->s, "Example Post");
	const int64_t now = 1776501000;
	char tok_a[64], tok_b[64];
	assert_int_equal(mlv_store_key_create(fx->s, a, "ci", 0, tok_a, sizeof(tok_a)), 0);
	assert_int_equal(mlv_store_key_create(fx->s, b, NULL, 0, tok_b, sizeof(tok_b)), 0);
	assert_string_not_equal(tok_a, tok_b);
	assert_true(strncmp(tok_a, "mlv_", 4) == 0);
	assert_true(strlen(tok_a) >= 32);

	int64_t id = 0;
	char name[64] = "";
	assert_int_equal(mlv_store_key_check(fx->s, tok_a, now, &id, name, sizeof(name)), 0);
	assert_int_equal(id, a);
	assert_string_equal(name, "ExampleMarket");
	assert_int_equal(mlv_store_key_check(fx->s, tok_b, now, &id, NULL, 0), 0);
	assert_int_equal(id, b);

	/* a wrong token, one character off, or not a token at all */
	char wrong[64];
	snprintf(wrong, sizeof(wrong), "%s", tok_a);
	size_t last = strlen(wrong) - 1;
	wrong[last] = wrong[last] == 'A' ? 'B' : 'A';
	id = -7;
	assert_int_equal(mlv_store_key_check(fx->s, wrong, now, &id, NULL, 0), MLV_EUNAUTH);
	assert_int_equal(id, -7);
	assert_int_equal(mlv_store_key_check(fx->s, "", now, &id, NULL, 0), MLV_EUNAUTH);
	assert_int_equal(mlv_store_key_check(fx->s, "mlv_short", now, &id, NULL, 0), MLV_EUNAUTH);
	assert_int_equal(mlv_store_key_check(fx->s, tok_a + 4, now, &id, NULL, 0), MLV_EUNAUTH);
	/* too small a buffer for the token */
	char tiny[16];
	assert_int_equal(mlv_store_key_create(fx->s, a, "x", 0, tiny, sizeof(tiny)),
			 MLV_ETOOBIG);

	/* the token is not stored, its SHA-256 and its 12-byte prefix are */
	size_t len = 0;
	unsigned char *db = read_db(fx, &len);
	assert_null(memmem(db, len, tok_a, strlen(tok_a)));
	assert_null(memmem(db, len, tok_b, strlen(tok_b)));
	assert_null(memmem(db, len, tok_a + 4, strlen(tok_a) - 4));
	unsigned char hash[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(hash, (const unsigned char *)tok_a, strlen(tok_a));
	assert_non_null(memmem(db, len, hash, sizeof(hash)));
	assert_non_null(memmem(db, len, tok_a, 12));
	free(db);
	/* ... also once the WAL is checkpointed into the main file */
	mlv_store_close(fx->s);
	fx->s = open_store(fx->path, false);
	db = read_db(fx, &len);
	assert_null(memmem(db, len, tok_a, strlen(tok_a)));
	assert_non_null(memmem(db, len, hash, sizeof(hash)));
	free(db);
	assert_int_equal(mlv_store_key_check(fx->s, tok_a, now, &id, NULL, 0), 0);

	/* revocation by prefix */
	char prefix[16];
	snprintf(prefix, sizeof(prefix), "%.12s", tok_a);
	assert_int_equal(mlv_store_key_revoke(fx->s, prefix), 0);
	assert_int_equal(mlv_store_key_check(fx->s, tok_a, now, &id, NULL, 0), MLV_EUNAUTH);
	assert_int_equal(mlv_store_key_revoke(fx->s, prefix), MLV_ENOTFOUND);
	assert_int_equal(mlv_store_key_revoke(fx->s, "mlv_nosuchkey"), MLV_ENOTFOUND);
	/* the other key is untouched */
	assert_int_equal(mlv_store_key_check(fx->s, tok_b, now, &id, NULL, 0), 0);
	assert_int_equal(id, b);
}

static void test_key_expiry(void **state)
{
	fixture *fx = *state;
	int64_t a = filer(fx->s, "ExampleMarket");
	const int64_t now = 1776501000;
	char expired[64], later[64];
	assert_int_equal(mlv_store_key_create(fx->s, a, "old", now - 1, expired, sizeof(expired)),
			 0);
	assert_int_equal(mlv_store_key_create(fx->s, a, "new", now + 3600, later, sizeof(later)),
			 0);
	int64_t id = 0;
	assert_int_equal(mlv_store_key_check(fx->s, expired, now, &id, NULL, 0), MLV_EUNAUTH);
	assert_int_equal(mlv_store_key_check(fx->s, expired, now - 2, &id, NULL, 0), 0);
	assert_int_equal(mlv_store_key_check(fx->s, later, now, &id, NULL, 0), 0);
	assert_int_equal(id, a);
	assert_int_equal(mlv_store_key_check(fx->s, later, now + 3599, &id, NULL, 0), 0);
	/* expires_at is the first second it no longer works */
	assert_int_equal(mlv_store_key_check(fx->s, later, now + 3600, &id, NULL, 0), MLV_EUNAUTH);
}

/* ---- filing outcomes --------------------------------------------------------------- */

static void expect_body(mlv_store *s, int64_t filer_id, int64_t id, int version,
			const char *text)
{
	mlv_record r;
	mlv_record_init(&r);
	assert_int_equal(mlv_store_get(s, filer_id, id, version, &r), 0);
	assert_int_equal(r.id, id);
	assert_int_equal(r.filer_id, filer_id);
	assert_int_equal(r.body.len, strlen(text));
	assert_memory_equal(r.body.data, text, r.body.len);
	mlv_record_free(&r);
}

static void test_file_versions(void **state)
{
	fixture *fx = *state;
	int64_t a = filer(fx->s, "ExampleMarket");
	mlv_filing *f1 = file_one(fx->s, a, base_json, RECEIVED_MS);
	assert_int_equal(f1->outcome, MLV_OUTCOME_CREATED);
	assert_int_equal(f1->version, 1);
	assert_true(f1->id > 0);

	/* the same content, differently written: unchanged */
	char *spaced = replace_all(base_json, "\",\"", "\", \"");
	mlv_filing *f2 = file_one(fx->s, a, spaced, RECEIVED_MS + 1000);
	assert_int_equal(f2->outcome, MLV_OUTCOME_UNCHANGED);
	assert_int_equal(f2->id, f1->id);
	assert_int_equal(f2->version, 1);

	/* a changed value: amended, version 2 */
	char *changed = replace_all(base_json, "12 Rue de la Paix", "14 Rue de la Paix");
	mlv_filing *f3 = file_one(fx->s, a, changed, RECEIVED_MS + 2000);
	assert_int_equal(f3->outcome, MLV_OUTCOME_AMENDED);
	assert_int_equal(f3->id, f1->id);
	assert_int_equal(f3->version, 2);

	int64_t n = 0;
	assert_int_equal(mlv_store_count(fx->s, &n), 0);
	assert_int_equal(n, 1);

	/* the latest */
	mlv_record r;
	mlv_record_init(&r);
	assert_int_equal(mlv_store_get(fx->s, a, f1->id, 0, &r), 0);
	assert_int_equal(r.version, 2);
	assert_string_equal(r.lrn, "LRN-2026-000123");
	assert_string_equal(r.status, "filed");
	assert_int_equal(r.filed_at_ms, RECEIVED_MS);
	assert_int_equal(r.updated_at_ms, RECEIVED_MS + 2000);
	assert_int_equal(r.quality_score, f3->quality.score);
	assert_string_equal(r.quality_json.data, f3->quality_json);
	assert_memory_equal(r.digest, f3->digest, sizeof(r.digest));
	assert_string_equal(r.body.data, changed);
	mlv_record_free(&r);
	/* each version's text as received */
	expect_body(fx->s, a, f1->id, 1, base_json);
	expect_body(fx->s, a, f1->id, 2, changed);
	expect_body(fx->s, a, f1->id, 0, changed);
	mlv_record_init(&r);
	assert_int_equal(mlv_store_get(fx->s, a, f1->id, 1, &r), 0);
	assert_int_equal(r.version, 1);
	assert_memory_equal(r.digest, f1->digest, sizeof(r.digest));
	assert_int_equal(mlv_store_get(fx->s, a, f1->id, 3, &r), MLV_ENOTFOUND);
	assert_int_equal(mlv_store_get(fx->s, a, f1->id + 1000, 0, &r), MLV_ENOTFOUND);
	/* by LRN */
	assert_int_equal(mlv_store_get_by_lrn(fx->s, a, "LRN-2026-000123", &r), 0);
	assert_int_equal(r.id, f1->id);
	assert_int_equal(r.version, 2);
	assert_int_equal(mlv_store_get_by_lrn(fx->s, a, "LRN-NONE", &r), MLV_ENOTFOUND);
	mlv_record_free(&r);

	/* filing the first text again is an amendment back, version 3 */
	mlv_filing *f4 = file_one(fx->s, a, base_json, RECEIVED_MS + 3000);
	assert_int_equal(f4->outcome, MLV_OUTCOME_AMENDED);
	assert_int_equal(f4->version, 3);
	expect_body(fx->s, a, f1->id, 3, base_json);

	mlv_filing_free(f4);
	mlv_filing_free(f3);
	mlv_filing_free(f2);
	mlv_filing_free(f1);
	free(changed);
	free(spaced);
}

struct events {
	mlv_event ev[8];
	size_t n;
};

static int collect_event(void *ctx, const mlv_event *ev)
{
	struct events *e = ctx;
	if (e->n < MLV_ARRAY_LEN(e->ev))
		e->ev[e->n] = *ev;
	e->n++;
	return 0;
}

static void test_isolation_and_events(void **state)
{
	fixture *fx = *state;
	int64_t a = filer(fx->s, "ExampleMarket");
	int64_t b = filer(fx->s, "Example Post");
	mlv_filing *fa = file_one(fx->s, a, base_json, RECEIVED_MS);
	char *changed = replace_all(base_json, "\"6.90\"", "\"7.90\"");
	mlv_filing *fa2 = file_one(fx->s, a, changed, RECEIVED_MS + 5000);
	assert_int_equal(fa2->outcome, MLV_OUTCOME_AMENDED);

	/* another filer sees nothing of it */
	mlv_record r;
	mlv_record_init(&r);
	assert_int_equal(mlv_store_get(fx->s, b, fa->id, 0, &r), MLV_ENOTFOUND);
	assert_int_equal(mlv_store_get(fx->s, b, fa->id, 1, &r), MLV_ENOTFOUND);
	assert_int_equal(mlv_store_get_by_lrn(fx->s, b, "LRN-2026-000123", &r), MLV_ENOTFOUND);
	mlv_record_free(&r);
	struct events e = {.n = 0};
	assert_int_equal(mlv_store_events(fx->s, b, fa->id, collect_event, &e), 0);
	assert_int_equal(e.n, 0);

	/* the same LRN by the other filer is another consignment */
	mlv_filing *fb = file_one(fx->s, b, base_json, RECEIVED_MS + 6000);
	assert_int_equal(fb->outcome, MLV_OUTCOME_CREATED);
	assert_int_equal(fb->version, 1);
	assert_int_not_equal(fb->id, fa->id);
	int64_t n = 0;
	assert_int_equal(mlv_store_count(fx->s, &n), 0);
	assert_int_equal(n, 2);
	expect_body(fx->s, a, fa->id, 0, changed);
	expect_body(fx->s, b, fb->id, 0, base_json);

	/* the history: filed, then amended, oldest first */
	e.n = 0;
	assert_int_equal(mlv_store_events(fx->s, a, fa->id, collect_event, &e), 0);
	assert_int_equal(e.n, 2);
	assert_string_equal(e.ev[0].type, "filed");
	assert_int_equal(e.ev[0].version, 1);
	assert_int_equal(e.ev[0].at_ms, RECEIVED_MS);
	assert_string_equal(e.ev[1].type, "amended");
	assert_int_equal(e.ev[1].version, 2);
	assert_int_equal(e.ev[1].at_ms, RECEIVED_MS + 5000);
	assert_true(e.ev[0].id < e.ev[1].id);
	char actor[32];
	snprintf(actor, sizeof(actor), "filer:%lld", (long long)a);
	assert_string_equal(e.ev[0].actor, actor);
	/* an unchanged filing writes no event */
	mlv_filing *same = file_one(fx->s, a, changed, RECEIVED_MS + 7000);
	assert_int_equal(same->outcome, MLV_OUTCOME_UNCHANGED);
	e.n = 0;
	assert_int_equal(mlv_store_events(fx->s, a, fa->id, collect_event, &e), 0);
	assert_int_equal(e.n, 2);
	e.n = 0;
	assert_int_equal(mlv_store_events(fx->s, b, fb->id, collect_event, &e), 0);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.ev[0].type, "filed");

	mlv_filing_free(same);
	mlv_filing_free(fb);
	mlv_filing_free(fa2);
	mlv_filing_free(fa);
	free(changed);
}

static void test_batch_in_order(void **state)
{
	fixture *fx = *state;
	int64_t a = filer(fx->s, "ExampleMarket");
	char *changed = replace_all(base_json, "Camille Martin", "Camille Martin-Durand");
	char *other = variant("LRN-OTHER-1", "CN", "low_value_dutiable");
	mlv_filing *fs[5];
	fs[0] = prepared(a, base_json, RECEIVED_MS);
	fs[1] = prepared(a, "{\"lrn\":\"LRN-BAD\"}", RECEIVED_MS); /* rejected: skipped */
	fs[2] = prepared(a, changed, RECEIVED_MS + 1);
	fs[3] = prepared(a, changed, RECEIVED_MS + 2);
	fs[4] = prepared(a, other, RECEIVED_MS + 3);
	assert_false(fs[1]->ok);
	assert_int_equal(mlv_store_file(fx->s, fs, 5), 0);
	assert_int_equal(fs[0]->outcome, MLV_OUTCOME_CREATED);
	assert_int_equal(fs[0]->version, 1);
	assert_int_equal(fs[1]->outcome, MLV_OUTCOME_NONE);
	assert_int_equal(fs[1]->id, 0);
	assert_int_equal(fs[1]->store_rc, 0);
	assert_int_equal(fs[2]->outcome, MLV_OUTCOME_AMENDED);
	assert_int_equal(fs[2]->id, fs[0]->id);
	assert_int_equal(fs[2]->version, 2);
	assert_int_equal(fs[3]->outcome, MLV_OUTCOME_UNCHANGED);
	assert_int_equal(fs[3]->version, 2);
	assert_int_equal(fs[4]->outcome, MLV_OUTCOME_CREATED);
	assert_int_not_equal(fs[4]->id, fs[0]->id);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(fs[i]->store_rc, 0);
	int64_t n = 0;
	assert_int_equal(mlv_store_count(fx->s, &n), 0);
	assert_int_equal(n, 2);
	mlv_record r;
	mlv_record_init(&r);
	assert_int_equal(mlv_store_get_by_lrn(fx->s, a, "LRN-BAD", &r), MLV_ENOTFOUND);
	mlv_record_free(&r);
	expect_body(fx->s, a, fs[0]->id, 1, base_json);
	expect_body(fx->s, a, fs[0]->id, 2, changed);
	/* a batch of only rejected filings stores nothing and succeeds */
	assert_int_equal(mlv_store_file(fx->s, &fs[1], 1), 0);
	assert_int_equal(mlv_store_count(fx->s, &n), 0);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < 5; i++)
		mlv_filing_free(fs[i]);
	free(other);
	free(changed);
}

/* ---- listing --------------------------------------------------------------------------- */

#define LIST_N 25

struct page {
	mlv_summary rows[MLV_LIST_MAX];
	int n;
};

static int collect_row(void *ctx, const mlv_summary *row)
{
	struct page *p = ctx;
	assert_true(p->n < (int)MLV_ARRAY_LEN(p->rows));
	p->rows[p->n++] = *row;
	return 0;
}

/* Files LRN-0001..LRN-0025: every 5th low_value_non_dutiable, departure
 * US for every 3rd, GB for every 4th (unless 3rd), CN else.  ids[i] is
 * LRN-(i+1)'s id. */
static void file_many(mlv_store *s, int64_t a, int64_t ids[LIST_N])
{
	mlv_filing *fs[LIST_N];
	for (int i = 0; i < LIST_N; i++) {
		char lrn[16];
		snprintf(lrn, sizeof(lrn), "LRN-%04d", i + 1);
		int k = i + 1;
		const char *dep = k % 3 == 0 ? "US" : k % 4 == 0 ? "GB" : "CN";
		const char *cat = k % 5 == 0 ? "low_value_non_dutiable" : "low_value_dutiable";
		char *t = variant(lrn, dep, cat);
		fs[i] = prepared(a, t, RECEIVED_MS + i);
		assert_true(fs[i]->ok);
		free(t);
	}
	assert_int_equal(mlv_store_file(s, fs, LIST_N), 0);
	for (int i = 0; i < LIST_N; i++) {
		assert_int_equal(fs[i]->outcome, MLV_OUTCOME_CREATED);
		ids[i] = fs[i]->id;
		if (i > 0)
			assert_true(ids[i] > ids[i - 1]);
		mlv_filing_free(fs[i]);
	}
}

static void test_list_pages(void **state)
{
	fixture *fx = *state;
	int64_t a = filer(fx->s, "ExampleMarket");
	int64_t b = filer(fx->s, "Example Post");
	int64_t ids[LIST_N];
	file_many(fx->s, a, ids);
	/* another filer's consignment never shows */
	mlv_filing *fb = file_one(fx->s, b, base_json, RECEIVED_MS);

	struct page *p = calloc(1, sizeof(*p));
	assert_non_null(p);
	mlv_list_query q = {.filer_id = a, .limit = 10};
	int64_t seen[LIST_N];
	int nseen = 0;
	static const int sizes[] = {10, 10, 5};
	for (int page = 0; page < 3; page++) {
		int64_t next = -1;
		p->n = 0;
		assert_int_equal(mlv_store_list(fx->s, &q, collect_row, p, &next), 0);
		assert_int_equal(p->n, sizes[page]);
		if (page < 2)
			assert_true(next > 0);
		else
			assert_int_equal(next, 0);
		for (int i = 0; i < p->n; i++) {
			/* newest first: LRN-0025 down to LRN-0001 */
			int k = LIST_N - nseen;
			char lrn[16];
			snprintf(lrn, sizeof(lrn), "LRN-%04d", k);
			assert_string_equal(p->rows[i].lrn, lrn);
			assert_int_equal(p->rows[i].id, ids[k - 1]);
			assert_true(p->rows[i].id != fb->id);
			for (int j = 0; j < nseen; j++)
				assert_int_not_equal(seen[j], p->rows[i].id);
			seen[nseen++] = p->rows[i].id;
		}
		q.after_id = next;
	}
	assert_int_equal(nseen, LIST_N);

	/* a row's summary */
	p->n = 0;
	int64_t next = -1;
	q.after_id = 0;
	q.limit = 1;
	assert_int_equal(mlv_store_list(fx->s, &q, collect_row, p, &next), 0);
	assert_int_equal(p->n, 1);
	assert_int_equal(next, ids[LIST_N - 1]); /* the next page starts below the 25th */
	const mlv_summary *r = &p->rows[0];
	assert_string_equal(r->lrn, "LRN-0025");
	assert_int_equal(r->version, 1);
	assert_string_equal(r->status, "filed");
	assert_int_equal(r->category, MLV_CAT_LOW_VALUE_NON_DUTIABLE);
	assert_int_equal(r->channel, MLV_CH_POST);
	assert_int_equal(r->declaration_type, MLV_DECL_IMPORT);
	assert_string_equal(r->departure_country, "CN");
	assert_string_equal(r->tracking_number, "LX123456785CN");
	assert_string_equal(r->currency, "EUR");
	assert_int_equal(r->invoice_total, 4200);
	assert_int_equal(r->item_count, 2);
	assert_int_equal(r->filed_at_ms, RECEIVED_MS + 24);
	assert_in_range(r->quality_score, 1, 100);

	/* a page that ends exactly at the last row has no next cursor */
	p->n = 0;
	q.limit = LIST_N;
	assert_int_equal(mlv_store_list(fx->s, &q, collect_row, p, &next), 0);
	assert_int_equal(p->n, LIST_N);
	assert_int_equal(next, 0);
	/* limits are clamped */
	p->n = 0;
	q.limit = 0;
	assert_int_equal(mlv_store_list(fx->s, &q, collect_row, p, &next), 0);
	assert_int_equal(p->n, 1);
	p->n = 0;
	q.limit = 100000;
	assert_int_equal(mlv_store_list(fx->s, &q, collect_row, p, &next), 0);
	assert_int_equal(p->n, LIST_N);
	free(p);
	mlv_filing_free(fb);
}

static int count_matches(mlv_store *s, const mlv_list_query *q0, struct page *p)
{
	mlv_list_query q = *q0;
	int64_t next = -1;
	p->n = 0;
	assert_int_equal(mlv_store_list(s, &q, collect_row, p, &next), 0);
	assert_int_equal(next, 0);
	return p->n;
}

static void test_list_filters(void **state)
{
	fixture *fx = *state;
	int64_t a = filer(fx->s, "ExampleMarket");
	int64_t ids[LIST_N];
	file_many(fx->s, a, ids);
	struct page *p = calloc(1, sizeof(*p));
	assert_non_null(p);

	mlv_list_query q = {.filer_id = a, .limit = 100};
	q.category = MLV_CAT_LOW_VALUE_NON_DUTIABLE;
	assert_int_equal(count_matches(fx->s, &q, p), 5);
	for (int i = 0; i < p->n; i++)
		assert_int_equal(p->rows[i].category, MLV_CAT_LOW_VALUE_NON_DUTIABLE);
	assert_string_equal(p->rows[0].lrn, "LRN-0025");
	assert_string_equal(p->rows[4].lrn, "LRN-0005");
	q.category = MLV_CAT_LOW_VALUE_DUTIABLE;
	assert_int_equal(count_matches(fx->s, &q, p), 20);
	q.category = MLV_CAT_HIGH_VALUE;
	assert_int_equal(count_matches(fx->s, &q, p), 0);

	q.category = 0;
	q.departure_country = "US"; /* 3, 6, ... 24 */
	assert_int_equal(count_matches(fx->s, &q, p), 8);
	for (int i = 0; i < p->n; i++)
		assert_string_equal(p->rows[i].departure_country, "US");
	q.departure_country = "GB"; /* 4, 8, 16, 20 (12 and 24 are US) */
	assert_int_equal(count_matches(fx->s, &q, p), 4);
	assert_string_equal(p->rows[0].lrn, "LRN-0020");
	/* filters combine: GB and non-dutiable is 20 only */
	q.category = MLV_CAT_LOW_VALUE_NON_DUTIABLE;
	assert_int_equal(count_matches(fx->s, &q, p), 1);
	assert_string_equal(p->rows[0].lrn, "LRN-0020");

	q.category = 0;
	q.departure_country = NULL;
	q.lrn = "LRN-0007";
	assert_int_equal(count_matches(fx->s, &q, p), 1);
	assert_int_equal(p->rows[0].id, ids[6]);
	q.lrn = "LRN-9999";
	assert_int_equal(count_matches(fx->s, &q, p), 0);
	q.lrn = NULL;

	q.status = "filed";
	assert_int_equal(count_matches(fx->s, &q, p), LIST_N);
	q.status = "released";
	assert_int_equal(count_matches(fx->s, &q, p), 0);
	q.status = NULL;
	q.channel = MLV_CH_EXPRESS;
	assert_int_equal(count_matches(fx->s, &q, p), 0);
	q.channel = MLV_CH_POST;
	assert_int_equal(count_matches(fx->s, &q, p), LIST_N);
	q.channel = 0;

	/* filed time window: [from, to) */
	q.filed_from_ms = RECEIVED_MS + 10;
	q.filed_to_ms = RECEIVED_MS + 15;
	assert_int_equal(count_matches(fx->s, &q, p), 5);
	assert_string_equal(p->rows[0].lrn, "LRN-0015");
	assert_string_equal(p->rows[4].lrn, "LRN-0011");

	/* a filter and a cursor together */
	q.filed_from_ms = q.filed_to_ms = 0;
	q.departure_country = "US";
	q.limit = 3;
	int64_t next = -1;
	p->n = 0;
	assert_int_equal(mlv_store_list(fx->s, &q, collect_row, p, &next), 0);
	assert_int_equal(p->n, 3);
	assert_string_equal(p->rows[2].lrn, "LRN-0018");
	q.after_id = next;
	p->n = 0;
	assert_int_equal(mlv_store_list(fx->s, &q, collect_row, p, &next), 0);
	assert_int_equal(p->n, 3);
	assert_string_equal(p->rows[0].lrn, "LRN-0015");

	/* another filer has nothing */
	mlv_list_query other = {.filer_id = a + 1000, .limit = 10};
	assert_int_equal(count_matches(fx->s, &other, p), 0);
	free(p);
}

static int stop_after_two(void *ctx, const mlv_summary *row)
{
	int *n = ctx;
	(void)row;
	return ++*n == 2 ? MLV_EBUSY : 0;
}

/* Bodies compressed with the shipped dictionary are readable from a new
 * handle that has only the store's copy of the dictionary. */
static void test_dictionary_bodies(void **state)
{
	fixture *fx = *state;
	int64_t a = filer(fx->s, "ExampleMarket");
	mlv_filing *f = file_one(fx->s, a, base_json, RECEIVED_MS);
	assert_non_null(f->dict);
	assert_int_not_equal(mlv_zdict_id(f->dict), 0);
	assert_int_equal(mlv_compressed_dict_id(f->body, f->body_len), mlv_zdict_id(f->dict));
	/* smaller than the text by far */
	assert_true(f->body_len * 3 < strlen(base_json));
	int64_t id = f->id;
	mlv_filing_free(f);
	mlv_store_close(fx->s);
	fx->s = open_store(fx->path, true);
	mlv_record r;
	mlv_record_init(&r);
	assert_int_equal(mlv_store_get(fx->s, a, id, 0, &r), 0);
	assert_int_equal(r.body.len, strlen(base_json));
	assert_memory_equal(r.body.data, base_json, r.body.len);
	mlv_record_free(&r);
}

/* Purge: personal elements leave every stored version; the rest stays. */
static void test_purge_personal_data(void **state)
{
	fixture *fx = *state;
	int64_t a = filer(fx->s, "ExampleMarket");
	mlv_filing *f = file_one(fx->s, a, base_json, RECEIVED_MS);
	int64_t id = f->id;
	mlv_filing_free(f);
	assert_non_null(strstr(base_json, "Camille Martin"));
	mlv_purge_counts pc;
	/* Nothing filed before the cut-off: nothing purged. */
	assert_int_equal(mlv_store_purge(fx->s, rd, RECEIVED_MS - 1, false, &pc),
			 0);
	assert_int_equal(pc.consignments, 0);
	/* A dry run counts but changes nothing. */
	assert_int_equal(mlv_store_purge(fx->s, rd, RECEIVED_MS + 1, true, &pc), 0);
	assert_int_equal(pc.versions, 1);
	mlv_record r;
	mlv_record_init(&r);
	assert_int_equal(mlv_store_get(fx->s, a, id, 0, &r), 0);
	assert_non_null(strstr(r.body.data, "Camille Martin"));
	assert_int_equal(mlv_store_purge(fx->s, rd, RECEIVED_MS + 1, false, &pc),
			 0);
	assert_int_equal(pc.consignments, 1);
	assert_int_equal(pc.versions, 1);
	assert_int_equal(pc.skipped, 0);
	assert_int_equal(mlv_store_get(fx->s, a, id, 0, &r), 0);
	assert_null(strstr(r.body.data, "Camille"));
	assert_null(strstr(r.body.data, "Rue de la Paix"));
	assert_non_null(strstr(r.body.data, "\"hs_code\":\"851762\""));
	assert_non_null(strstr(r.body.data, "\"country\":\"FR\""));
	mlv_record_free(&r);
	/* Purged once: a second run finds nothing. */
	assert_int_equal(mlv_store_purge(fx->s, rd, RECEIVED_MS + 1, false, &pc),
			 0);
	assert_int_equal(pc.consignments, 0);
}

/* A multi-party part (parts_sqlite.c) is purged like a version: the
 * buyer's name leaves it, its country stays. */
static void test_purge_parts(void **state)
{
	fixture *fx = *state;
	int64_t a = filer(fx->s, "ExampleMarket");
	const char *data = "{\"buyer\":{\"name\":\"Camille Martin\",\"address\":{\"city\":\"Lyon\","
			   "\"country\":\"FR\"}}}";
	unsigned char digest[32] = {1};
	mlv_part_put put = {.filer_id = a, .role = "platform", .link_kind = "tracking_number",
			    .link = "LX1", .data = data, .digest = digest, .at_ms = RECEIVED_MS};
	mlv_part_outcome out;
	assert_int_equal(mlv_store_part_put(fx->s, &put, &out), 0);
	assert_int_equal(out.outcome, MLV_OUTCOME_CREATED);
	mlv_purge_counts pc;
	assert_int_equal(mlv_store_purge(fx->s, rd, RECEIVED_MS - 1, false, &pc),
			 0);
	assert_int_equal(pc.versions, 0);
	assert_int_equal(mlv_store_purge(fx->s, rd, RECEIVED_MS + 1, false, &pc),
			 0);
	assert_int_equal(pc.versions, 1);
	mlv_part p;
	mlv_part_init(&p);
	assert_int_equal(mlv_store_part_get(fx->s, a, out.part_id, &p), 0);
	assert_null(strstr(p.data.data, "Camille"));
	assert_null(strstr(p.data.data, "Lyon"));
	assert_non_null(strstr(p.data.data, "\"country\":\"FR\""));
	mlv_part_free(&p);
	assert_int_equal(mlv_store_part_get(fx->s, a + 1, out.part_id, &p), MLV_ENOTFOUND);
	assert_int_equal(mlv_store_purge(fx->s, rd, RECEIVED_MS + 1, false, &pc),
			 0);
	assert_int_equal(pc.versions, 0);
}

/* Referral answers and documents of a consignment past retention lose
 * their content (text, data, file name, bytes) and keep what statistics
 * and proofs need (ids, times, sizes, digests). */
static int answer_seen(void *ctx, const mlv_referral_answer_row *a)
{
	mlv_referral_answer_row *out = ctx;
	*out = *a;
	out->text = a->text != NULL ? "text" : NULL;
	out->data = a->data != NULL ? "data" : NULL;
	return 0;
}

static int doc_seen(void *ctx, const mlv_referral_doc_row *d)
{
	*(mlv_referral_doc_row *)ctx = *d;
	return 0;
}

static void test_purge_referrals(void **state)
{
	fixture *fx = *state;
	int64_t a = filer(fx->s, "ExampleMarket");
	mlv_filing *f = file_one(fx->s, a, base_json, RECEIVED_MS);
	int64_t cid = f->id;
	mlv_filing_free(f);
	mlv_referral_new rn = {.consignment_id = cid, .kind = "information",
			       .reason = "the buyer's identity", .deadline_ms = RECEIVED_MS + 86400000,
			       .actor = "officer-o", .at_ms = RECEIVED_MS + 5};
	int64_t rid = 0, answer_id = 0;
	mlv_transition_result tr;
	assert_int_equal(mlv_store_referral_open(fx->s, &rn, &rid, &tr), 0);
	mlv_referral_doc doc = {.type = "invoice", .reference = "INV-1", .filename = "camille.pdf",
				.media_type = "application/pdf", .content = "%PDF-", .size = 5};
	mlv_referral_answer ans = {.referral_id = rid, .filer_id = a,
				   .text = "Camille Martin, 5 Rue de la Paix",
				   .data_json = "{\"buyer\":{\"name\":\"Camille Martin\"}}",
				   .docs = &doc, .ndocs = 1, .actor = "ExampleMarket",
				   .at_ms = RECEIVED_MS + 10};
	assert_int_equal(mlv_store_referral_answer(fx->s, &ans, &answer_id), 0);
	mlv_purge_counts pc;
	mlv_referral_answer_row ar;
	mlv_referral_doc_row dr;
	mlv_buf content = MLV_BUF_INIT(1 << 16);
	/* Not yet past retention: nothing. */
	assert_int_equal(mlv_store_purge(fx->s, rd, RECEIVED_MS - 1, false, &pc), 0);
	assert_int_equal(pc.answers, 0);
	assert_int_equal(pc.documents, 0);
	/* A dry run counts and keeps everything. */
	assert_int_equal(mlv_store_purge(fx->s, rd, RECEIVED_MS + 1, true, &pc), 0);
	assert_int_equal(pc.answers, 1);
	assert_int_equal(pc.documents, 1);
	assert_int_equal(mlv_store_referral_answers(fx->s, rid, answer_seen, &ar), 0);
	assert_non_null(ar.text);
	assert_int_equal(mlv_store_referral_doc_content(fx->s, rid, 1, &dr, &content), 0);
	assert_int_equal(content.len, 5);
	/* The purge: content gone, the rest kept. */
	assert_int_equal(mlv_store_purge(fx->s, rd, RECEIVED_MS + 1, false, &pc), 0);
	assert_int_equal(pc.answers, 1);
	assert_int_equal(pc.documents, 1);
	assert_int_equal(mlv_store_referral_answers(fx->s, rid, answer_seen, &ar), 0);
	assert_int_equal(ar.id, answer_id);
	assert_int_equal(ar.at_ms, RECEIVED_MS + 10);
	assert_null(ar.text);
	assert_null(ar.data);
	assert_int_equal(mlv_store_referral_docs(fx->s, rid, doc_seen, &dr), 0);
	assert_string_equal(dr.filename, "");
	assert_string_equal(dr.type, "invoice");
	assert_string_equal(dr.reference, "INV-1");
	assert_int_equal(dr.size, 5);
	assert_int_equal(strlen(dr.sha256), 64);
	assert_int_equal(mlv_store_referral_doc_content(fx->s, rid, dr.id, &dr, &content),
			 MLV_ENOTFOUND);
	mlv_referral r;
	assert_int_equal(mlv_store_referral_get(fx->s, 0, 0, rid, &r), 0);
	assert_int_equal(r.answers, 1);
	/* Purged once: a second run finds nothing. */
	assert_int_equal(mlv_store_purge(fx->s, rd, RECEIVED_MS + 1, false, &pc), 0);
	assert_int_equal(pc.answers, 0);
	assert_int_equal(pc.documents, 0);
	mlv_buf_free(&content);
}

/* The registry's history: superseded records older than the cut-off lose
 * their contacts (and a natural person's addresses); the current record,
 * in the operators table and as the latest history record, stays whole. */
struct hist_seen {
	int n;
	size_t contacts[4], addresses[4];
};

static int hist_row(void *ctx, const mlv_registry_change *ch, const mlv_operator *op)
{
	struct hist_seen *h = ctx;
	(void)ch;
	if (h->n < 4) {
		h->contacts[h->n] = op->ncontacts;
		h->addresses[h->n] = op->naddresses;
	}
	h->n++;
	return 0;
}

static void test_purge_registry_history(void **state)
{
	fixture *fx = *state;
	mlv_operator *op = calloc(1, sizeof(*op));
	assert_non_null(op);
	op->kind = MLV_OP_SELLER;
	snprintf(op->name, sizeof(op->name), "Camille Martin");
	snprintf(op->country, sizeof(op->country), "FR");
	op->natural_person = true;
	op->ncontacts = 1;
	snprintf(op->contacts[0].name, sizeof(op->contacts[0].name), "Camille Martin");
	snprintf(op->contacts[0].email, sizeof(op->contacts[0].email), "camille@example.org");
	op->naddresses = 1;
	op->addresses[0].type = 1;
	snprintf(op->addresses[0].street, sizeof(op->addresses[0].street), "5 Rue de la Paix");
	snprintf(op->addresses[0].city, sizeof(op->addresses[0].city), "Paris");
	snprintf(op->addresses[0].country, sizeof(op->addresses[0].country), "FR");
	char why[256];
	bool changed = false;
	assert_int_equal(mlv_store_operator_create(fx->s, op, "admin", RECEIVED_MS, why, sizeof(why)),
			 0);
	snprintf(op->contacts[0].phone, sizeof(op->contacts[0].phone), "+33155550100");
	assert_int_equal(mlv_store_operator_update(fx->s, op, 1, "admin", RECEIVED_MS + 1000,
						   &changed, why, sizeof(why)),
			 0);
	assert_true(changed);
	mlv_purge_counts pc;
	/* Both records newer than the cut-off: nothing. */
	assert_int_equal(mlv_store_purge(fx->s, rd, RECEIVED_MS - 1, false, &pc), 0);
	assert_int_equal(pc.registry, 0);
	/* Both older: only the superseded one is purged. */
	assert_int_equal(mlv_store_purge(fx->s, rd, RECEIVED_MS + 5000, false, &pc), 0);
	assert_int_equal(pc.registry, 1);
	struct hist_seen h = {0};
	assert_int_equal(mlv_store_operator_history(fx->s, op->id, hist_row, &h), 0);
	assert_int_equal(h.n, 2);
	assert_int_equal(h.contacts[0], 0);
	assert_int_equal(h.addresses[0], 0);
	assert_int_equal(h.contacts[1], 1);
	assert_int_equal(h.addresses[1], 1);
	mlv_operator *cur = calloc(1, sizeof(*cur));
	assert_non_null(cur);
	assert_int_equal(mlv_store_operator_get(fx->s, op->id, cur), 0);
	assert_int_equal(cur->ncontacts, 1);
	assert_string_equal(cur->contacts[0].email, "camille@example.org");
	/* Once purged, a record is not counted again. */
	assert_int_equal(mlv_store_purge(fx->s, rd, RECEIVED_MS + 5000, false, &pc), 0);
	assert_int_equal(pc.registry, 0);
	free(cur);
	free(op);
}

static void test_list_callback_stops(void **state)
{
	fixture *fx = *state;
	int64_t a = filer(fx->s, "ExampleMarket");
	int64_t ids[LIST_N];
	file_many(fx->s, a, ids);
	mlv_list_query q = {.filer_id = a, .limit = 10};
	int n = 0;
	int64_t next = -1;
	assert_int_equal(mlv_store_list(fx->s, &q, stop_after_two, &n, &next), MLV_EBUSY);
	assert_int_equal(n, 2);
}

/* ---- people and sessions ----------------------------------------------------------- */

static void test_people_and_sessions(void **state)
{
	fixture *fx = *state;
	mlv_user u;
	char token[64], csrf[64], csrf2[64];
	/* short passwords and unknown roles are refused */
	assert_int_equal(mlv_store_user_set(fx->s, "ana", NULL, "short", "officer", 0), MLV_EINVALID);
	assert_int_equal(mlv_store_user_set(fx->s, "ana", NULL, "a long enough secret", "pirate", 0),
			 MLV_EINVALID);
	assert_int_equal(mlv_store_user_set(fx->s, "ana", "Ana Lima", "a long enough secret",
					    "analyst", 0), 0);
	/* the hash is Argon2id, never the password */
	assert_int_equal(mlv_store_user_check(fx->s, "ana", "a long enough secret", &u), 0);
	assert_string_equal(u.role, "analyst");
	assert_string_equal(u.display_name, "Ana Lima");
	assert_int_equal(mlv_store_user_check(fx->s, "ana", "a long enough secreT", &u), MLV_EUNAUTH);
	assert_int_equal(mlv_store_user_check(fx->s, "nobody", "a long enough secret", &u),
			 MLV_EUNAUTH);
	/* setting again changes role and password */
	assert_int_equal(mlv_store_user_set(fx->s, "ana", NULL, "another long secret", "supervisor",
					    0), 0);
	assert_int_equal(mlv_store_user_check(fx->s, "ana", "a long enough secret", &u), MLV_EUNAUTH);
	assert_int_equal(mlv_store_user_check(fx->s, "ana", "another long secret", &u), 0);
	assert_string_equal(u.role, "supervisor");
	/* sessions: live until they expire, closed on sign-out */
	assert_int_equal(mlv_store_session_open(fx->s, u.id, 1000, 60, token, csrf), 0);
	assert_int_equal(strlen(token), 43);
	assert_int_equal(mlv_store_session_check(fx->s, token, 1059, &u, csrf2), 0);
	assert_string_equal(csrf, csrf2);
	assert_string_equal(u.username, "ana");
	assert_int_equal(mlv_store_session_check(fx->s, token, 1060, &u, csrf2), MLV_EUNAUTH);
	assert_int_equal(mlv_store_session_open(fx->s, u.id, 2000, 60, token, csrf), 0);
	char first = token[0];
	token[0] = first == 'A' ? 'B' : 'A';
	assert_int_equal(mlv_store_session_check(fx->s, token, 2001, &u, csrf2), MLV_EUNAUTH);
	token[0] = first;
	assert_int_equal(mlv_store_session_check(fx->s, token, 2001, &u, csrf2), 0);
	assert_int_equal(mlv_store_session_close(fx->s, token), 0);
	assert_int_equal(mlv_store_session_check(fx->s, token, 2001, &u, csrf2), MLV_EUNAUTH);
	/* a disabled person cannot sign in, and their sessions end */
	assert_int_equal(mlv_store_session_open(fx->s, u.id, 3000, 60, token, csrf), 0);
	assert_int_equal(mlv_store_user_disable(fx->s, "ana"), 0);
	assert_int_equal(mlv_store_session_check(fx->s, token, 3001, &u, csrf2), MLV_EUNAUTH);
	assert_int_equal(mlv_store_user_check(fx->s, "ana", "another long secret", &u), MLV_EUNAUTH);
	assert_int_equal(mlv_store_user_disable(fx->s, "nobody"), MLV_ENOTFOUND);
	assert_true(mlv_store_role_valid("partner"));
	assert_false(mlv_store_role_valid("Officer"));
}

/* ---- the risk profile's versions, rule counters, results ----------------------------------- */

struct versions {
	int64_t v[8];
	size_t n;
};

static int collect_version(void *ctx, const mlv_rules_version *v)
{
	struct versions *x = ctx;
	if (x->n < 8)
		x->v[x->n++] = v->version;
	return 0;
}

static int count_rule(void *ctx, const char *rule_id, const mlv_rule_counts *c)
{
	uint64_t *hits = ctx;
	if (strcmp(rule_id, "A") == 0)
		hits[0] = c->hits;
	else if (strcmp(rule_id, "B") == 0)
		hits[1] = c->hits;
	return 0;
}

static int one_result(void *ctx, const mlv_result_row *r)
{
	char *seen = ctx;
	snprintf(seen, 64, "%s %lld %s", r->result, (long long)r->at_ms,
		 strstr(r->text->data, "\"lrn\"") ? "text" : "none");
	return 0;
}

static void test_rule_versions(void **state)
{
	fixture *fx = *state;
	mlv_rules_version v;
	struct versions l = {{0}, 0};
	assert_int_equal(mlv_store_rules_latest(fx->s, &v, NULL), MLV_ENOTFOUND);
	assert_int_equal(mlv_store_rules_list(fx->s, 0, 10, collect_version, &l), 0);
	assert_int_equal(l.n, 0);

	int64_t a = filer(fx->s, "ExampleMarket");
	mlv_filing *f = file_one(fx->s, a, base_json, RECEIVED_MS);
	const char *text = "[profile]\nid = t\ncurrency = EUR\n";
	memset(&v, 0, sizeof(v));
	v.version = 3;
	snprintf(v.profile_id, sizeof(v.profile_id), "t");
	snprintf(v.actor, sizeof(v.actor), "analyst:alice");
	snprintf(v.summary, sizeof(v.summary), "first");
	v.created_ms = RECEIVED_MS + 1000;
	assert_int_equal(mlv_store_rules_add(fx->s, &v, text, strlen(text)), 0);
	assert_int_equal(v.event_id, 2); /* the next leaf of the audit log */
	uint8_t digest[32];
	crypto_generichash(digest, sizeof(digest), (const unsigned char *)text, strlen(text), NULL, 0);
	assert_memory_equal(v.digest, digest, sizeof(digest));

	/* taken or lower numbers: another change came first */
	mlv_rules_version w = v;
	assert_int_equal(mlv_store_rules_add(fx->s, &w, "x", 1), MLV_ECONFLICT);
	w.version = 2;
	assert_int_equal(mlv_store_rules_add(fx->s, &w, "x", 1), MLV_ECONFLICT);
	w.version = 5;
	snprintf(w.summary, sizeof(w.summary), "second");
	assert_int_equal(mlv_store_rules_add(fx->s, &w, "second text", 11), 0);
	assert_int_equal(w.event_id, 3);

	mlv_buf t = MLV_BUF_INIT(1 << 20);
	mlv_rules_version g;
	assert_int_equal(mlv_store_rules_get(fx->s, 3, &g, &t), 0);
	assert_string_equal(t.data, text);
	assert_string_equal(g.actor, "analyst:alice");
	assert_string_equal(g.summary, "first");
	assert_int_equal(g.created_ms, RECEIVED_MS + 1000);
	assert_int_equal(g.event_id, 2);
	mlv_buf_reset(&t);
	assert_int_equal(mlv_store_rules_latest(fx->s, &g, &t), 0);
	assert_int_equal(g.version, 5);
	assert_string_equal(t.data, "second text");
	assert_int_equal(mlv_store_rules_get(fx->s, 4, &g, NULL), MLV_ENOTFOUND);
	mlv_buf_free(&t);
	assert_int_equal(mlv_store_rules_list(fx->s, 0, 10, collect_version, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0], 5);
	assert_int_equal(l.v[1], 3);
	l.n = 0;
	assert_int_equal(mlv_store_rules_list(fx->s, 5, 10, collect_version, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0], 3);

	/* the filings' events go on after the administration's; a consignment's
	 * history holds only its own */
	char *changed = replace_all(base_json, "\"6.90\"", "\"7.90\"");
	mlv_filing *f2 = file_one(fx->s, a, changed, RECEIVED_MS + 5000);
	struct events e = {.n = 0};
	assert_int_equal(mlv_store_events(fx->s, a, f->id, collect_event, &e), 0);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.ev[0].id, 1);
	assert_int_equal(e.ev[1].id, 4);
	uint64_t size = 0;
	assert_int_equal(mlv_store_audit_size(fx->s, &size), 0);
	assert_int_equal(size, 4);

	/* every rule's counters at once; the results with their consignments */
	const char *ab[] = {"A", "B"};
	assert_int_equal(mlv_store_rule_hits(fx->s, ab, 2), 0);
	assert_int_equal(mlv_store_rule_hits(fx->s, ab, 1), 0);
	uint64_t hits[2] = {0, 0};
	assert_int_equal(mlv_store_rule_counts_all(fx->s, count_rule, hits), 0);
	assert_int_equal(hits[0], 2);
	assert_int_equal(hits[1], 1);
	assert_int_equal(mlv_store_result(fx->s, f->id, "seizure", 500, "officer:x", "n",
					  RECEIVED_MS + 9000, ab, 1),
			 0);
	char seen[64] = "";
	assert_int_equal(mlv_store_results_scan(fx->s, 0, one_result, seen), 0);
	char want[64];
	snprintf(want, sizeof(want), "seizure %lld text", (long long)(RECEIVED_MS + 9000));
	assert_string_equal(seen, want);
	seen[0] = '\0';
	assert_int_equal(mlv_store_results_scan(fx->s, RECEIVED_MS + 9001, one_result, seen), 0);
	assert_string_equal(seen, "");
	mlv_filing_free(f2);
	mlv_filing_free(f);
	free(changed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_migrations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filer_ensure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_isolation_and_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_callback_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dictionary_bodies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purge_personal_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purge_referrals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purge_registry_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purge_parts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_people_and_sessions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule_versions, setup, teardown),
	};
	return cmocka_run_group_tests(tests, refdata_group_setup, refdata_group_teardown);
}
