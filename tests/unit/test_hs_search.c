/* test_hs_search.c - the HS 2022 search (hs_search.h) over the shipped
 * nomenclature: codes with and without dots, words in any case, with
 * accents and plurals, ranking (what a code is before what it mentions,
 * negations last), partial matches, unfinished words, bounds, look-ups
 * and children, and the time a search takes. */
#include "mlv/hs_search.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "testutil.h"

static mlv_hs_index *ix;

static int setup(void **state)
{
	if (refdata_group_setup(state) != 0)
		return -1;
	return mlv_hs_index_build(&ix, rd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	mlv_hs_index_free(ix);
	ix = NULL;
	return refdata_group_teardown(state);
}

static mlv_hs_result search(const char *q, mlv_hs_hit *hits, size_t max)
{
	mlv_hs_result res;
	assert_int_equal(mlv_hs_search(ix, q, strlen(q), hits, max, &res), 0);
	return res;
}

/* Position of code among the hits, or -1. */
static int rank_of(const mlv_hs_hit *hits, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(hits[i].code, code) == 0)
			return (int)i;
	return -1;
}

static void test_index_holds_every_code(void **state)
{
	(void)state;
	/* data/hs/PROVENANCE.md: 96 chapters, 1,228 headings, 5,612 subheadings */
	assert_int_equal(mlv_hs_index_size(ix), 96 + 1228 + 5612);
	mlv_hs_hit h;
	assert_int_equal(mlv_hs_lookup(ix, "090121", &h), 0);
	assert_string_equal(h.description, "Coffee; roasted, not decaffeinated");
	assert_int_equal(h.level, 6);
	assert_int_equal(mlv_hs_lookup(ix, "09", &h), 0);
	assert_int_equal(h.level, 2);
	assert_int_equal(mlv_hs_lookup(ix, "0999", &h), MLV_ENOTFOUND);
	assert_int_equal(mlv_hs_lookup(ix, "09012", &h), MLV_ENOTFOUND);
	assert_int_equal(mlv_hs_lookup(ix, "", &h), MLV_ENOTFOUND);
}

static void test_children(void **state)
{
	(void)state;
	mlv_hs_hit k[8];
	assert_int_equal(mlv_hs_children(ix, "", k, 8), 96);
	assert_string_equal(k[0].code, "01");
	assert_int_equal(mlv_hs_children(ix, "0901", k, 8), 5);
	assert_string_equal(k[0].code, "090111");
	assert_string_equal(k[4].code, "090190");
	assert_int_equal(mlv_hs_children(ix, "09", k, 8), 10); /* 0901 .. 0910 */
	assert_string_equal(k[0].code, "0901");
	assert_int_equal(mlv_hs_children(ix, "090121", k, 8), 0);
	assert_int_equal(mlv_hs_children(ix, "77", k, 8), 0); /* reserved chapter */
}

static void test_code_queries(void **state)
{
	(void)state;
	mlv_hs_hit h[20];
	const char *forms[] = {"0901.21", "090121", " 0901 21", "0901-21", "0901.21.00.10"};
	for (size_t i = 0; i < MLV_ARRAY_LEN(forms); i++) {
		mlv_hs_result r = search(forms[i], h, 20);
		assert_true(r.by_code);
		assert_int_equal(r.total, 1);
		assert_string_equal(h[0].code, "090121");
	}
	/* a heading: itself first, then its subheadings in order */
	mlv_hs_result r = search("0901", h, 20);
	assert_int_equal(r.total, 6);
	assert_string_equal(h[0].code, "0901");
	assert_string_equal(h[1].code, "090111");
	/* a partial subheading */
	r = search("09012", h, 20);
	assert_int_equal(r.total, 2);
	assert_string_equal(h[0].code, "090121");
	assert_string_equal(h[1].code, "090122");
	/* the bound on hits leaves the total right */
	r = search("85", h, 3);
	assert_int_equal(r.count, 3);
	assert_true(r.total > 100);
	assert_string_equal(h[0].code, "85");
	r = search("9999", h, 20);
	assert_int_equal(r.total, 0);
}

static void test_coffee(void **state)
{
	(void)state;
	mlv_hs_hit h[40];
	mlv_hs_result r = search("coffee", h, 40);
	assert_false(r.by_code);
	assert_false(r.partial);
	assert_int_equal(r.terms, 1);
	/* what is coffee comes before what mentions it (extracts, 2101) */
	int heading = rank_of(h, r.count, "0901");
	int roasted = rank_of(h, r.count, "090121");
	int extracts = rank_of(h, r.count, "2101");
	assert_true(heading >= 0 && heading < 3);
	assert_true(roasted >= 0 && roasted < 8);
	assert_true(extracts > roasted);
	/* the chapter names "coffee, tea, mate and spices": pepper is no coffee */
	assert_int_equal(rank_of(h, r.count, "090411"), -1);
	assert_int_equal(rank_of(h, r.count, "0904"), -1);
	assert_true(r.total < 20);
	/* case, accents, punctuation and plurals do not matter */
	const char *forms[] = {"COFFEE", "Coffées", "  coffee!! ", "coffees"};
	for (size_t i = 0; i < MLV_ARRAY_LEN(forms); i++) {
		mlv_hs_hit g[40];
		mlv_hs_result s = search(forms[i], g, 40);
		assert_int_equal(s.total, r.total);
		assert_string_equal(g[0].code, h[0].code);
	}
}

static void test_ranking_reads_negations(void **state)
{
	(void)state;
	mlv_hs_hit h[20];
	/* 090111 is "not roasted": roasted coffee is 0901.21 or 0901.22 */
	mlv_hs_result r = search("roasted coffee", h, 20);
	assert_false(r.partial);
	assert_true(strcmp(h[0].code, "090121") == 0 || strcmp(h[0].code, "090122") == 0);
	assert_true(rank_of(h, r.count, "090111") > rank_of(h, r.count, "090121"));
	r = search("decaffeinated roasted coffee", h, 20);
	assert_string_equal(h[0].code, "090122");
}

static void test_plurals(void **state)
{
	(void)state;
	char s[64];
	assert_string_equal((mlv_hs_stem(s, sizeof(s), "batteries", 9), s), "battery");
	assert_string_equal((mlv_hs_stem(s, sizeof(s), "battery", 7), s), "battery");
	assert_string_equal((mlv_hs_stem(s, sizeof(s), "knives", 6), s), "knife");
	assert_string_equal((mlv_hs_stem(s, sizeof(s), "shoes", 5), s), "sho");
	assert_string_equal((mlv_hs_stem(s, sizeof(s), "shoe", 4), s), "sho");
	assert_string_equal((mlv_hs_stem(s, sizeof(s), "watches", 7), s), "watch");
	assert_string_equal((mlv_hs_stem(s, sizeof(s), "glasses", 7), s), "glass");
	assert_string_equal((mlv_hs_stem(s, sizeof(s), "glass", 5), s), "glass");
	assert_string_equal((mlv_hs_stem(s, sizeof(s), "tomatoes", 8), s), "tomato");
	assert_string_equal((mlv_hs_stem(s, sizeof(s), "apparatus", 9), s), "apparatus");
	assert_string_equal((mlv_hs_stem(s, sizeof(s), "gases", 5), s), "gas");
	assert_string_equal((mlv_hs_stem(s, sizeof(s), "bus", 3), s), "bus");
	assert_string_equal((mlv_hs_stem(s, sizeof(s), "batteries", 9), s), "battery");
	/* a small buffer cuts, never overflows */
	char tiny[4];
	assert_int_equal(mlv_hs_stem(tiny, sizeof(tiny), "batteries", 9), 3);
	assert_string_equal(tiny, "bat");

	mlv_hs_hit a[20], b[20];
	mlv_hs_result ra = search("lithium battery", a, 20);
	mlv_hs_result rb = search("Lithium Batteries", b, 20);
	assert_true(ra.total > 0);
	assert_int_equal(ra.total, rb.total);
	assert_string_equal(a[0].code, b[0].code);
	assert_int_equal(memcmp(a[0].code, "8506", 4) == 0 || memcmp(a[0].code, "8507", 4) == 0, 1);
	/* the irregular plural finds the knives of heading 8211 */
	mlv_hs_result rk = search("knives", a, 20);
	assert_true(rank_of(a, rk.count, "8211") >= 0);
}

static void test_partial_and_unfinished(void **state)
{
	(void)state;
	mlv_hs_hit h[20];
	/* a word nobody uses: the codes matching the others, marked partial */
	mlv_hs_result r = search("coffee zzyzx", h, 20);
	assert_true(r.partial);
	assert_true(r.total > 0);
	assert_int_equal(h[0].matched, 1);
	/* an unfinished last word is read as the start of one */
	r = search("coff", h, 20);
	assert_true(r.total > 0);
	assert_true(rank_of(h, r.count, "0901") >= 0);
	/* ... but not once the word is finished with a space */
	r = search("coff ", h, 20);
	assert_int_equal(r.total, 0);
	/* digits among words narrow to a chapter */
	r = search("coffee 21", h, 20);
	assert_true(r.total > 0);
	for (size_t i = 0; i < r.count; i++)
		assert_int_equal(memcmp(h[i].code, "21", 2), 0);
}

/* Everyday and French or Spanish names reach the nomenclature's words;
 * hyphenated single letters meet their unhyphenated spelling. */
static void test_everyday_words(void **state)
{
	(void)state;
	mlv_hs_hit h[20];
	mlv_hs_result r = search("mobile phone", h, 20);
	assert_false(r.partial);
	assert_true(rank_of(h, r.count, "851713") >= 0 && rank_of(h, r.count, "851713") < 3);
	r = search("laptop", h, 20);
	assert_string_equal(h[0].code, "847130");
	r = search("chaussures", h, 20);
	assert_string_equal(h[0].code, "64");
	r = search("Café", h, 20);
	assert_true(rank_of(h, r.count, "090121") >= 0);
	mlv_hs_hit g[20];
	mlv_hs_result a = search("T-shirts", h, 20);
	mlv_hs_result b = search("tshirt", g, 20);
	assert_int_equal(a.total, 3); /* 6109 and its two subheadings, not shirts */
	assert_int_equal(b.total, a.total);
	assert_string_equal(h[0].code, "6109");
	r = search("e-cigarette", h, 20);
	assert_string_equal(h[0].code, "854340");
}

static void test_nothing_and_bounds(void **state)
{
	(void)state;
	mlv_hs_hit h[MLV_HS_RESULTS_MAX + 1];
	mlv_hs_result r = search("", h, 10);
	assert_int_equal(r.total, 0);
	r = search("of the and", h, 10);
	assert_int_equal(r.total, 0);
	assert_int_equal(r.terms, 0);
	r = search("\xff\xfe", h, 10); /* malformed UTF-8 is a separator */
	assert_int_equal(r.total, 0);
	char big[MLV_HS_QUERY_MAX + 2];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(mlv_hs_search(ix, big, strlen(big), h, 10, &r), MLV_ETOOBIG);
	assert_int_equal(mlv_hs_search(ix, "coffee", 6, h, 0, &r), MLV_EINVALID);
	assert_int_equal(mlv_hs_search(ix, "coffee", 6, h, MLV_HS_RESULTS_MAX + 1, &r),
			 MLV_EINVALID);
	/* many words: only the first MLV_HS_TERMS_MAX count */
	r = search("coffee tea mate spices pepper vanilla cinnamon cloves nutmeg ginger", h, 10);
	assert_int_equal(r.terms, MLV_HS_TERMS_MAX);
}

/* Fast: a thousand searches well under a second, even under sanitizers. */
static void test_speed(void **state)
{
	(void)state;
	const char *qs[] = {"coffee", "lithium batteries", "mobile phone", "t-shirts of cotton",
			    "8517", "toys", "wine", "perfume"};
	mlv_hs_hit h[20];
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 1000; i++) {
		mlv_hs_result r;
		const char *q = qs[i % MLV_ARRAY_LEN(qs)];
		assert_int_equal(mlv_hs_search(ix, q, strlen(q), h, 20, &r), 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	print_message("1000 searches: %.1f ms\n", ms);
	assert_true(ms < 5000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_holds_every_code),
		cmocka_unit_test(test_children),
		cmocka_unit_test(test_code_queries),
		cmocka_unit_test(test_coffee),
		cmocka_unit_test(test_ranking_reads_negations),
		cmocka_unit_test(test_plurals),
		cmocka_unit_test(test_partial_and_unfinished),
		cmocka_unit_test(test_everyday_words),
		cmocka_unit_test(test_nothing_and_bounds),
		cmocka_unit_test(test_speed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
