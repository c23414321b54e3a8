/* test_risk_goods.c - reading the shipped goods lists as published facts
 * (risk.h, "reading the goods lists"): every entry by position, and the
 * entries that concern one HS code at one destination - by prefix, by a
 * finer line under it, by the words of its description (not_words
 * respected) - only from the lists that apply there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mlv/risk.h"
#include "testutil.h"

static mlv_risk_goods *goods;

static int setup(void **state)
{
	char err[512], path[512];
	if (refdata_group_setup(state) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/risk/goods", MLV_DATADIR);
	if (mlv_risk_goods_load_dir(&goods, path, rd, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	mlv_risk_goods_free(goods);
	return refdata_group_teardown(state);
}

#define FOUND_MAX 64

typedef struct found {
	mlv_risk_goods_entry e[FOUND_MAX];
	mlv_risk_goods_match how[FOUND_MAX];
	const char *word[FOUND_MAX];
	size_t n;
	size_t stop_after; /* 0: never */
} found;

static int collect(void *ctx, const mlv_risk_goods_entry *e, mlv_risk_goods_match how,
		   const char *word)
{
	found *f = ctx;
	assert_true(f->n < FOUND_MAX);
	f->e[f->n] = *e;
	f->how[f->n] = how;
	f->word[f->n] = word;
	f->n++;
	return f->stop_after && f->n == f->stop_after ? 42 : 0;
}

static int find(const found *f, const char *id)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->e[i].id, id) == 0)
			return (int)i;
	return -1;
}

static found *lookup(const char *country, const char *hs)
{
	static found f;
	memset(&f, 0, sizeof(f));
	char code[11];
	snprintf(code, sizeof(code), "%s", hs);
	size_t l = strlen(code) >= 6 ? 6 : strlen(code);
	const char *desc = mlv_hs_description(rd, code, l);
	assert_int_equal(mlv_risk_goods_for_code(goods, country, code, desc, collect, &f), 0);
	return &f;
}

static void test_every_entry(void **state)
{
	(void)state;
	size_t n = mlv_risk_goods_entry_count(goods);
	assert_true(n >= 40);
	size_t restricted = 0;
	for (size_t i = 0; i < n; i++) {
		mlv_risk_goods_entry e;
		assert_int_equal(mlv_risk_goods_entry_at(goods, i, &e), 0);
		assert_true(e.id[0] != '\0');
		assert_true(e.kind == MLV_RISK_HIT_PROHIBITED || e.kind == MLV_RISK_HIT_RESTRICTED);
		assert_non_null(e.basis); /* the loader demands a basis and a URL */
		assert_non_null(strstr(e.basis, "http"));
		assert_true(e.hs_count > 0 || e.word_count > 0);
		assert_true(strlen(e.list) == 2);
		if (e.kind == MLV_RISK_HIT_RESTRICTED) {
			restricted++;
			assert_non_null(e.agency);
			assert_non_null(e.permit);
		}
	}
	assert_true(restricted > 10);
	mlv_risk_goods_entry e;
	assert_int_equal(mlv_risk_goods_entry_at(goods, n, &e), MLV_ENOTFOUND);
}

static void test_by_prefix(void **state)
{
	(void)state;
	/* US: firearms (hs 9303) need an ATF permit */
	found *f = lookup("US", "930320");
	int k = find(f, "US-FIREARMS");
	assert_true(k >= 0);
	assert_int_equal(f->how[k], MLV_RISK_MATCH_HS);
	assert_int_equal(f->e[k].kind, MLV_RISK_HIT_RESTRICTED);
	assert_non_null(strstr(f->e[k].agency, "ATF"));
	assert_non_null(strstr(f->e[k].permit, "ATF Form 6"));
	assert_string_equal(f->e[k].list, "US");
	/* a national line under the subheading is covered too */
	f = lookup("US", "9303201000");
	assert_true(find(f, "US-FIREARMS") >= 0);
	/* France: single-use vapes by HS 854340, but only when so described */
	f = lookup("FR", "854340");
	k = find(f, "FR-DISPOSABLE-VAPES-HS");
	assert_true(k >= 0);
	assert_int_equal(f->how[k], MLV_RISK_MATCH_HS);
	assert_true(f->e[k].word_count > 0);
	assert_int_equal(f->e[k].kind, MLV_RISK_HIT_PROHIBITED);
}

static void test_lists_apply_by_destination(void **state)
{
	(void)state;
	/* the EU list applies to France and Germany; France's own only to France */
	found *f = lookup("DE", "854340");
	assert_int_equal(find(f, "FR-DISPOSABLE-VAPES-HS"), -1);
	for (size_t i = 0; i < f->n; i++)
		assert_string_equal(f->e[i].list, "EU");
	/* a country with no list (JP) has no entries */
	f = lookup("JP", "930320");
	assert_int_equal(f->n, 0);
	/* the WEEE entry (8549) reaches every member state */
	f = lookup("DE", "854911");
	assert_true(find(f, "EU-WASTE-WEEE-HS") >= 0);
	f = lookup("FR", "854911");
	assert_true(find(f, "EU-WASTE-WEEE-HS") >= 0);
	f = lookup("US", "854911");
	assert_int_equal(find(f, "EU-WASTE-WEEE-HS"), -1);
}

static void test_within_and_words(void **state)
{
	(void)state;
	/* a heading: entries on finer lines under it come back as such */
	found *f = lookup("US", "93");
	int k = find(f, "US-FIREARMS");
	assert_true(k >= 0);
	assert_int_equal(f->how[k], MLV_RISK_MATCH_WITHIN);
	/* cigarettes: France's ban on distance sales goes by words */
	f = lookup("FR", "240220");
	k = find(f, "FR-TOBACCO-DISTANCE-SALE");
	assert_true(k >= 0);
	assert_int_equal(f->how[k], MLV_RISK_MATCH_WORDS);
	assert_non_null(f->word[k]);
	/* not_words keep a description out (a list of our own: the shipped
	 * not_words are singular, the nomenclature's descriptions plural) */
	static const char text[] =
		"[list]\ncountry = NZ\nname = Test\ncurrency = NZD\n"
		"[prohibited T-WIDGET]\nwords = widget*\nnot_words = toy\n"
		"basis = Test Act 2026, s. 1\nurl = https://example.org/act\n"
		"explain = item {item} is a widget\n";
	mlv_risk_goods *own = NULL;
	char err[256] = "";
	assert_int_equal(mlv_risk_goods_new(&own), 0);
	if (mlv_risk_goods_add(own, text, sizeof(text) - 1, "test", rd, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(mlv_risk_goods_compile(own), 0);
	found w;
	memset(&w, 0, sizeof(w));
	assert_int_equal(mlv_risk_goods_for_code(own, "NZ", "950300", "Widgets, blue", collect, &w), 0);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.word[0], "widget*");
	memset(&w, 0, sizeof(w));
	assert_int_equal(mlv_risk_goods_for_code(own, "NZ", "950300", "Toy widgets", collect, &w), 0);
	assert_int_equal(w.n, 0);
	memset(&w, 0, sizeof(w));
	assert_int_equal(mlv_risk_goods_for_code(own, "AU", "950300", "Widgets", collect, &w), 0);
	assert_int_equal(w.n, 0);
	mlv_risk_goods_free(own);
	/* with no description, only the codes count */
	found g;
	memset(&g, 0, sizeof(g));
	assert_int_equal(mlv_risk_goods_for_code(goods, "FR", "240220", NULL, collect, &g), 0);
	assert_int_equal(find(&g, "FR-TOBACCO-DISTANCE-SALE"), -1);
}

static void test_bad_input_and_stop(void **state)
{
	(void)state;
	found g;
	memset(&g, 0, sizeof(g));
	assert_int_equal(mlv_risk_goods_for_code(goods, "FR", "9", NULL, collect, &g), MLV_EINVALID);
	assert_int_equal(mlv_risk_goods_for_code(goods, "FR", "93a3", NULL, collect, &g),
			 MLV_EINVALID);
	assert_int_equal(mlv_risk_goods_for_code(goods, "FR", "93032010001", NULL, collect, &g),
			 MLV_EINVALID);
	assert_int_equal(mlv_risk_goods_for_code(NULL, "FR", "9303", NULL, collect, &g),
			 MLV_EINVALID);
	assert_int_equal(g.n, 0);
	g.stop_after = 1;
	assert_int_equal(mlv_risk_goods_for_code(goods, "US", "93", NULL, collect, &g), 42);
	assert_int_equal(g.n, 1);
	/* an uncompiled list is refused */
	mlv_risk_goods *raw = NULL;
	assert_int_equal(mlv_risk_goods_new(&raw), 0);
	assert_int_equal(mlv_risk_goods_for_code(raw, "FR", "9303", NULL, collect, &g),
			 MLV_EINVALID);
	mlv_risk_goods_free(raw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_entry),
		cmocka_unit_test(test_by_prefix),
		cmocka_unit_test(test_lists_apply_by_destination),
		cmocka_unit_test(test_within_and_words),
		cmocka_unit_test(test_bad_input_and_stop),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
