/* test_portal_store.c - the rules portal's drafts and publications in the
 * SQLite store: drafts replace each other, a publication numbers the
 * changed drafts together, unchanged drafts publish nothing, a failed
 * publication writes nothing, and any earlier version can be read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mlv/store.h"

typedef struct fixture {
	char dir[64];
	char path[128];
	mlv_store *s;
} fixture;

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof(*fx));
	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/mlv-test-portal-XXXXXX");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/mainlevee.db", fx->dir);
	mlv_store_opts o = MLV_STORE_OPTS_INIT;
	o.path = fx->path;
	o.synchronous_full = false;
	char err[256] = "";
	if (mlv_store_open(&fx->s, &o, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		free(fx);
		return -1;
	}
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

static void put(mlv_store *s, const char *cc, const char *body)
{
	assert_int_equal(mlv_store_portal_draft_put(s, cc, body, strlen(body), "admin", 1000), 0);
}

static void text_is(mlv_store *s, const char *cc, int64_t version, const char *want,
		    int64_t want_set_in)
{
	mlv_buf b = MLV_BUF_INIT(1 << 20);
	int64_t set_in = -1;
	int rc = mlv_store_portal_text(s, cc, version, &b, &set_in);
	if (want == NULL) {
		assert_int_equal(rc, MLV_ENOTFOUND);
	} else {
		assert_int_equal(rc, 0);
		assert_string_equal(b.data, want);
		assert_int_equal(set_in, want_set_in);
	}
	mlv_buf_free(&b);
}

typedef struct seen {
	char codes[16][8];
	bool changed[16];
	size_t n;
} seen;

static int on_draft(void *ctx, const char *country, int64_t at, const char *by, bool changed)
{
	seen *x = ctx;
	assert_true(x->n < 16);
	assert_int_equal(at, 1000);
	assert_string_equal(by, "admin");
	snprintf(x->codes[x->n], 8, "%s", country);
	x->changed[x->n++] = changed;
	return 0;
}

static int on_country(void *ctx, const char *country)
{
	seen *x = ctx;
	assert_true(x->n < 16);
	snprintf(x->codes[x->n++], 8, "%s", country);
	return 0;
}

static int on_version(void *ctx, const mlv_portal_version *v)
{
	seen *x = ctx;
	assert_true(x->n < 16);
	snprintf(x->codes[x->n++], 8, "%lld", (long long)v->version);
	return 0;
}

static void test_drafts(void **state)
{
	mlv_store *s = ((fixture *)*state)->s;
	mlv_buf b = MLV_BUF_INIT(1 << 20);
	char by[64];
	int64_t at;
	assert_int_equal(mlv_store_portal_draft_get(s, "FR", &b, &at, by), MLV_ENOTFOUND);
	put(s, "FR", "{\"notes\":\"one\"}");
	put(s, "FR", "{\"notes\":\"two\"}");
	assert_int_equal(mlv_store_portal_draft_get(s, "FR", &b, &at, by), 0);
	assert_string_equal(b.data, "{\"notes\":\"two\"}");
	assert_int_equal(at, 1000);
	assert_string_equal(by, "admin");
	put(s, "DE", "{}");
	seen x = {0};
	assert_int_equal(mlv_store_portal_drafts(s, on_draft, &x), 0);
	assert_int_equal(x.n, 2);
	assert_string_equal(x.codes[0], "DE");
	assert_true(x.changed[0] && x.changed[1]);
	assert_int_equal(mlv_store_portal_draft_delete(s, "DE"), 0);
	assert_int_equal(mlv_store_portal_draft_delete(s, "DE"), MLV_ENOTFOUND);
	/* the bound on a document */
	static char big[MLV_PORTAL_TEXT_MAX + 2];
	memset(big, 'x', sizeof(big) - 1);
	assert_int_equal(mlv_store_portal_draft_put(s, "FR", big, sizeof(big) - 1, "admin", 1),
			 MLV_ETOOBIG);
	mlv_buf_free(&b);
}

static void test_publish_and_versions(void **state)
{
	mlv_store *s = ((fixture *)*state)->s;
	int64_t v = -1, when = -1;
	size_t changed = 0;
	assert_int_equal(mlv_store_portal_latest(s, &v, &when), 0);
	assert_int_equal(v, 0);
	/* nothing to publish */
	assert_int_equal(mlv_store_portal_publish(s, NULL, 0, "admin", "", 5000, &v, &changed),
			 MLV_ECONFLICT);
	text_is(s, "FR", 0, NULL, 0);

	put(s, "FR", "{\"notes\":\"one\"}");
	put(s, "GB", "{\"notes\":\"gb\"}");
	assert_int_equal(mlv_store_portal_publish(s, NULL, 0, "admin", "first", 5000, &v, &changed),
			 0);
	assert_int_equal(v, 1);
	assert_int_equal(changed, 2);
	text_is(s, "FR", 0, "{\"notes\":\"one\"}", 1);
	/* drafts are gone once published */
	seen x = {0};
	assert_int_equal(mlv_store_portal_drafts(s, on_draft, &x), 0);
	assert_int_equal(x.n, 0);

	/* a draft equal to the text in force changes nothing */
	put(s, "FR", "{\"notes\":\"one\"}");
	memset(&x, 0, sizeof(x));
	assert_int_equal(mlv_store_portal_drafts(s, on_draft, &x), 0);
	assert_int_equal(x.n, 1);
	assert_false(x.changed[0]);
	assert_int_equal(mlv_store_portal_publish(s, NULL, 0, "admin", "", 6000, &v, &changed),
			 MLV_ECONFLICT);
	assert_int_equal(mlv_store_portal_latest(s, &v, NULL), 0);
	assert_int_equal(v, 1);

	/* only the named country; naming one without a draft writes nothing */
	put(s, "FR", "{\"notes\":\"two\"}");
	put(s, "DE", "{\"notes\":\"de\"}");
	const char *fr_de[] = {"FR", "IT"};
	assert_int_equal(mlv_store_portal_publish(s, fr_de, 2, "admin", "", 7000, &v, &changed),
			 MLV_ENOTFOUND);
	assert_int_equal(mlv_store_portal_latest(s, &v, NULL), 0);
	assert_int_equal(v, 1);
	text_is(s, "FR", 0, "{\"notes\":\"one\"}", 1);
	const char *fr[] = {"FR"};
	assert_int_equal(mlv_store_portal_publish(s, fr, 1, "supervisor", "second", 8000, &v,
						  &changed),
			 0);
	assert_int_equal(v, 2);
	assert_int_equal(changed, 1);
	/* DE's draft waits */
	memset(&x, 0, sizeof(x));
	assert_int_equal(mlv_store_portal_drafts(s, on_draft, &x), 0);
	assert_int_equal(x.n, 1);
	assert_string_equal(x.codes[0], "DE");

	/* each version reads back as it was */
	text_is(s, "FR", 1, "{\"notes\":\"one\"}", 1);
	text_is(s, "FR", 2, "{\"notes\":\"two\"}", 2);
	text_is(s, "GB", 2, "{\"notes\":\"gb\"}", 1);
	text_is(s, "DE", 2, NULL, 0);

	mlv_portal_version pv;
	assert_int_equal(mlv_store_portal_version_get(s, 1, &pv), 0);
	assert_string_equal(pv.countries, "FR GB");
	assert_int_equal(pv.ncountries, 2);
	assert_string_equal(pv.note, "first");
	assert_int_equal(pv.published_ms, 5000);
	assert_int_equal(mlv_store_portal_version_get(s, 2, &pv), 0);
	assert_string_equal(pv.by, "supervisor");
	assert_string_equal(pv.countries, "FR");
	assert_int_equal(mlv_store_portal_version_get(s, 3, &pv), MLV_ENOTFOUND);
	memset(&x, 0, sizeof(x));
	assert_int_equal(mlv_store_portal_versions(s, 10, on_version, &x), 0);
	assert_int_equal(x.n, 2);
	assert_string_equal(x.codes[0], "2");
	memset(&x, 0, sizeof(x));
	assert_int_equal(mlv_store_portal_changed(s, 0, 2, on_country, &x), 0);
	assert_int_equal(x.n, 2);
	memset(&x, 0, sizeof(x));
	assert_int_equal(mlv_store_portal_changed(s, 1, 2, on_country, &x), 0);
	assert_int_equal(x.n, 1);
	assert_string_equal(x.codes[0], "FR");
	assert_int_equal(mlv_store_portal_latest(s, &v, &when), 0);
	assert_int_equal(v, 2);
	assert_int_equal(when, 8000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_drafts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_publish_and_versions, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
