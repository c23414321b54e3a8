/* test_stats.c - the statistics' arithmetic (stats.h): nearest-rank
 * percentiles on known distributions (1..100, a single value, two values,
 * an empty set, unsorted input with repeats), the same read from the
 * release-time histograms, whose buckets tile the durations; periods
 * (ISO weeks across years, months); fixed-point ratios; dimension values
 * both ways; CSV fields; the principal item's chapter; the figures of a
 * row as JSON and CSV. */
#include "mlv/stats.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

static void test_one_to_hundred(void **state)
{
	(void)state;
	int64_t v[100];
	for (int i = 0; i < 100; i++)
		v[i] = 100 - i; /* reversed: the function sorts */
	mlv_percentiles p;
	mlv_percentiles_of(v, 100, &p);
	assert_int_equal(p.count, 100);
	assert_int_equal(p.median, 50); /* rank ceil(0.5 * 100) = 50 */
	assert_int_equal(p.p90, 90);
	assert_int_equal(p.p99, 99);
	assert_int_equal(p.max, 100);
}

static void test_small_sets(void **state)
{
	(void)state;
	mlv_percentiles p;
	mlv_percentiles_of(NULL, 0, &p);
	assert_int_equal(p.count, 0);
	assert_int_equal(p.median, 0);
	assert_int_equal(p.max, 0);
	int64_t one[1] = {7};
	mlv_percentiles_of(one, 1, &p);
	assert_int_equal(p.median, 7);
	assert_int_equal(p.p99, 7);
	int64_t two[2] = {30, 10};
	mlv_percentiles_of(two, 2, &p);
	assert_int_equal(p.median, 10); /* rank ceil(1.0) = 1 */
	assert_int_equal(p.p90, 30);	/* rank ceil(1.8) = 2 */
	assert_int_equal(p.max, 30);
}

/* 1,000 values: 900 of 1 s, 90 of 10 s, 10 of 100 s, shuffled. */
static void test_skewed(void **state)
{
	(void)state;
	int64_t v[1000];
	for (int i = 0; i < 1000; i++)
		v[i] = i < 900 ? 1000 : i < 990 ? 10000 : 100000;
	srand(7);
	for (int i = 999; i > 0; i--) {
		int j = rand() % (i + 1);
		int64_t t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
	mlv_percentiles p;
	mlv_percentiles_of(v, 1000, &p);
	assert_int_equal(p.median, 1000);
	assert_int_equal(p.p90, 1000);	 /* rank 900: the last of the 1 s */
	assert_int_equal(p.p99, 10000);	 /* rank 990: the last of the 10 s */
	assert_int_equal(p.max, 100000);
}

/* ---- histograms --------------------------------------------------------------- */

/* The buckets tile 0 .. MAX without gap or overlap, one second wide below
 * 64 and never wider than 1/32 of their start above. */
static void test_buckets_tile(void **state)
{
	(void)state;
	assert_int_equal(mlv_stats_bucket_low(0), 0);
	for (int b = 0; b < MLV_STATS_BUCKETS; b++) {
		int64_t lo = mlv_stats_bucket_low(b), hi = mlv_stats_bucket_high(b);
		assert_true(lo <= hi);
		assert_int_equal(mlv_stats_bucket(lo), b);
		assert_int_equal(mlv_stats_bucket(hi), b);
		if (b + 1 < MLV_STATS_BUCKETS)
			assert_int_equal(mlv_stats_bucket_low(b + 1), hi + 1);
		if (lo < 64)
			assert_int_equal(hi, lo);
		else
			assert_true((hi - lo + 1) * 32 <= lo);
	}
	assert_int_equal(mlv_stats_bucket_high(MLV_STATS_BUCKETS - 1), MLV_STATS_BUCKET_MAX_S);
	assert_int_equal(mlv_stats_bucket(-5), 0);
	assert_int_equal(mlv_stats_bucket(INT64_MAX), MLV_STATS_BUCKETS - 1);
	assert_int_equal(mlv_stats_bucket(63), 63);
	assert_int_equal(mlv_stats_bucket(64), 64);
}

static void hist_of(const int64_t *v, size_t n, uint64_t *counts, int64_t *max)
{
	memset(counts, 0, MLV_STATS_BUCKETS * sizeof(*counts));
	*max = 0;
	for (size_t i = 0; i < n; i++) {
		counts[mlv_stats_bucket(v[i])]++;
		if (v[i] > *max)
			*max = v[i];
	}
}

/* Exact where buckets are one second wide; within a bucket's width (1/32)
 * of the exact nearest rank elsewhere, on known distributions. */
static void test_histogram_percentiles(void **state)
{
	(void)state;
	static uint64_t counts[MLV_STATS_BUCKETS];
	int64_t max;
	mlv_percentiles h, e;
	/* 1..60 seconds: every bucket exact */
	int64_t small[60];
	for (int i = 0; i < 60; i++)
		small[i] = 60 - i;
	hist_of(small, 60, counts, &max);
	mlv_percentiles_of_histogram(counts, max, &h);
	assert_int_equal(h.count, 60);
	assert_int_equal(h.median, 30);
	assert_int_equal(h.p90, 54);
	assert_int_equal(h.p99, 60);
	assert_int_equal(h.max, 60);
	/* 900 of 1 h, 90 of 1 day, 10 of 10 days */
	static int64_t skew[1000];
	for (int i = 0; i < 1000; i++)
		skew[i] = i < 900 ? 3600 : i < 990 ? 86400 : 864000;
	hist_of(skew, 1000, counts, &max);
	mlv_percentiles_of_histogram(counts, max, &h);
	assert_true(h.median >= 3600 - 3600 / 32 && h.median <= 3600 + 3600 / 32);
	assert_true(h.p99 >= 86400 - 86400 / 32 && h.p99 <= 86400 + 86400 / 32);
	assert_int_equal(h.max, 864000);
	/* a long spread (seconds to weeks, deterministic): every percentile
	 * within 1/32 of the exact one, and never above the maximum */
	static int64_t wide[5000], copy[5000];
	uint64_t x = 88172645463325252ULL;
	for (int i = 0; i < 5000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		wide[i] = (int64_t)(x % 1000000) * (int64_t)(1 + x % 7) / 3;
		copy[i] = wide[i];
	}
	hist_of(wide, 5000, counts, &max);
	mlv_percentiles_of_histogram(counts, max, &h);
	mlv_percentiles_of(copy, 5000, &e);
	const int64_t hv[3] = {h.median, h.p90, h.p99}, ev[3] = {e.median, e.p90, e.p99};
	for (int k = 0; k < 3; k++) {
		if (hv[k] < ev[k] - ev[k] / 32 - 1 || hv[k] > ev[k] + ev[k] / 32 + 1)
			fail_msg("percentile %d: %lld from the histogram, %lld exactly", k,
				 (long long)hv[k], (long long)ev[k]);
		assert_true(hv[k] <= h.max);
	}
	assert_int_equal(h.max, e.max);
	/* nothing */
	memset(counts, 0, sizeof(counts));
	mlv_percentiles_of_histogram(counts, 0, &h);
	assert_int_equal(h.count, 0);
	assert_int_equal(h.median, 0);
}

/* Release-time groups and display bins, gathered as the store hands them. */
static void test_release_summary(void **state)
{
	(void)state;
	mlv_stats_release_acc *a = calloc(1, sizeof(*a));
	mlv_stats_release r;
	assert_non_null(a);
	a->lane = a->channel = -1;
	/* green by post: 10 at 10 s; red by express: 4 at 2 days */
	assert_int_equal(mlv_stats_release_add(a, 0, 1, 1, mlv_stats_bucket(10), 10, 10), 0);
	assert_int_equal(mlv_stats_release_add(a, 0, 3, 2, mlv_stats_bucket(172800), 4, 172800), 0);
	mlv_stats_release_summary(a, &r);
	assert_int_equal(r.pct[0][0].count, 14);
	assert_int_equal(r.pct[0][0].median, 10);
	assert_int_equal(r.pct[0][0].max, 172800);
	assert_int_equal(r.pct[0][1 + 1].count, 10);  /* lane green */
	assert_int_equal(r.pct[0][1 + 3].count, 4);   /* lane red */
	assert_int_equal(r.pct[0][6 + 2].count, 4);   /* channel express */
	assert_int_equal(r.bins[0][0], 10);           /* under 15 minutes */
	assert_int_equal(r.bins[0][4], 4);            /* 1 to 3 days */
	assert_int_equal(r.pct[1][0].count, 0);
	const char *kind;
	assert_string_equal(mlv_stats_release_group(1 + 3, &kind), "red");
	assert_string_equal(kind, "lane");
	assert_string_equal(mlv_stats_release_group(6 + 1, &kind), "post");
	/* a lane filter keeps its own */
	memset(a, 0, sizeof(*a));
	a->lane = 3;
	a->channel = -1;
	mlv_stats_release_add(a, 0, 1, 1, mlv_stats_bucket(10), 10, 10);
	mlv_stats_release_add(a, 0, 3, 2, mlv_stats_bucket(172800), 4, 172800);
	mlv_stats_release_summary(a, &r);
	assert_int_equal(r.pct[0][0].count, 4);
	free(a);
}

/* ---- periods, keys, text ------------------------------------------------------- */

static void test_periods(void **state)
{
	(void)state;
	char l[11];
	int32_t d = day_of("2026-11-27"); /* a Friday */
	assert_int_equal(mlv_stats_period_start(MLV_PERIOD_WEEK, d), day_of("2026-11-23"));
	assert_int_equal(mlv_stats_period_start(MLV_PERIOD_MONTH, d), day_of("2026-11-01"));
	assert_int_equal(mlv_stats_period_next(MLV_PERIOD_MONTH, day_of("2026-01-31")),
			 day_of("2026-02-01"));
	assert_int_equal(mlv_stats_period_next(MLV_PERIOD_MONTH, day_of("2026-12-01")),
			 day_of("2027-01-01"));
	assert_int_equal(mlv_stats_period_next(MLV_PERIOD_WEEK, d), day_of("2026-11-30"));
	mlv_stats_period_label(MLV_PERIOD_WEEK, d, l);
	assert_string_equal(l, "2026-W48");
	/* ISO weeks: 2021-01-03 is in 2020's week 53, 2024-12-30 in 2025's week 1 */
	mlv_stats_period_label(MLV_PERIOD_WEEK, day_of("2021-01-03"), l);
	assert_string_equal(l, "2020-W53");
	mlv_stats_period_label(MLV_PERIOD_WEEK, day_of("2024-12-30"), l);
	assert_string_equal(l, "2025-W01");
	mlv_stats_period_label(MLV_PERIOD_MONTH, d, l);
	assert_string_equal(l, "2026-11");
	mlv_stats_period_label(MLV_PERIOD_DAY, d, l);
	assert_string_equal(l, "2026-11-27");
	assert_int_equal(mlv_stats_period_count(MLV_PERIOD_DAY, d, d + 29), 30);
	assert_int_equal(mlv_stats_period_count(MLV_PERIOD_MONTH, day_of("2026-01-15"),
						day_of("2026-03-01")),
			 3);
	assert_int_equal(mlv_stats_period_count(MLV_PERIOD_WEEK, day_of("2026-11-22"),
						day_of("2026-11-23")),
			 2); /* a Sunday, then a Monday */
	assert_int_equal(mlv_stats_period_count(MLV_PERIOD_NONE, d, d + 100), 1);
	assert_int_equal(mlv_stats_period_count(MLV_PERIOD_DAY, d, d - 1), 0);
	assert_int_equal(mlv_stats_period_from_name("week"), MLV_PERIOD_WEEK);
	assert_int_equal(mlv_stats_period_from_name("year"), -1);
}

static void test_fixed_point(void **state)
{
	(void)state;
	char t[40];
	mlv_stats_fixed(1, 3, 4, t);
	assert_string_equal(t, "0.3333");
	mlv_stats_fixed(2, 3, 4, t);
	assert_string_equal(t, "0.6667");
	mlv_stats_fixed(5, 2, 0, t);
	assert_string_equal(t, "3"); /* half away from zero */
	mlv_stats_fixed(-5, 2, 1, t);
	assert_string_equal(t, "-2.5");
	mlv_stats_fixed(-1, 3000, 2, t);
	assert_string_equal(t, "0.00"); /* no "-0.00" */
	mlv_stats_fixed(7, 0, 2, t);
	assert_string_equal(t, "");
	mlv_stats_fixed(INT64_C(9000000000000000000), 3, 2, t);
	assert_string_equal(t, "3000000000000000000.00");
}

static void test_keys(void **state)
{
	(void)state;
	int64_t k;
	char text[64], value[64], label[160];
	mlv_stats_row r;
	memset(&r, 0, sizeof(r));
	static const struct {
		mlv_stats_dim d;
		const char *text;
		int64_t key;
	} ok[] = {
		{MLV_DIM_LANE, "green", 1},	      {MLV_DIM_LANE, "none", 0},
		{MLV_DIM_LANE, "hold", 4},	      {MLV_DIM_CHANNEL, "post", 1},
		{MLV_DIM_CHANNEL, "freight", 4},      {MLV_DIM_CHANNEL, "unknown", 0},
		{MLV_DIM_BUSINESS_MODEL, "direct", 1}, {MLV_DIM_COLLECTION_MODEL, "buyer", 6},
		{MLV_DIM_HS_CHAPTER, "85", 85},	      {MLV_DIM_FILER, "12", 12},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(mlv_stats_key_parse(ok[i].d, ok[i].text, rd, &k, text), 0);
		assert_int_equal(k, ok[i].key);
		r.key = k; /* and back */
		snprintf(r.key_text, sizeof(r.key_text), "%s", ok[i].d == MLV_DIM_FILER ? "Acme" : "");
		mlv_stats_key(ok[i].d, &r, rd, value, label);
		assert_string_equal(value, ok[i].text);
	}
	assert_int_equal(mlv_stats_key_parse(MLV_DIM_ORIGIN, "CN", rd, &k, text), 0);
	assert_string_equal(text, "CN");
	snprintf(r.key_text, sizeof(r.key_text), "CN");
	mlv_stats_key(MLV_DIM_ORIGIN, &r, rd, value, label);
	assert_string_equal(value, "CN");
	assert_string_equal(label, "China");
	r.key = 85;
	mlv_stats_key(MLV_DIM_HS_CHAPTER, &r, rd, value, label);
	assert_non_null(strstr(label, "lectrical"));
	static const struct {
		mlv_stats_dim d;
		const char *text;
	} bad[] = {
		{MLV_DIM_LANE, "purple"},	{MLV_DIM_LANE, ""},	       {MLV_DIM_CHANNEL, "Post"},
		{MLV_DIM_ORIGIN, "XX"},		{MLV_DIM_ORIGIN, "cn"},	       {MLV_DIM_ORIGIN, "CHN"},
		{MLV_DIM_HS_CHAPTER, "00"},	{MLV_DIM_HS_CHAPTER, "98"},   {MLV_DIM_HS_CHAPTER, "8"},
		{MLV_DIM_FILER, "0"},		{MLV_DIM_FILER, "-1"},	       {MLV_DIM_FILER, "1x"},
		{MLV_DIM_COLLECTION_MODEL, "x"}, {MLV_DIM_NONE, "green"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mlv_stats_key_parse(bad[i].d, bad[i].text, rd, &k, text) != MLV_EINVALID)
			fail_msg("accepted %s = %s", mlv_stats_dim_name(bad[i].d), bad[i].text);
	for (int d = 1; d < MLV_DIM_COUNT_; d++)
		assert_int_equal(mlv_stats_dim_from_name(mlv_stats_dim_name((mlv_stats_dim)d)), d);
	assert_int_equal(mlv_stats_dim_from_name("colour"), MLV_DIM_NONE);
	assert_int_equal(mlv_stats_lane_index("red"), 3);
	assert_int_equal(mlv_stats_lane_index(NULL), 0);
}

static void test_csv_and_json(void **state)
{
	(void)state;
	mlv_buf b = MLV_BUF_INIT(1 << 16);
	assert_int_equal(mlv_stats_csv_field(&b, "plain"), 0);
	assert_string_equal(b.data, "plain");
	mlv_buf_reset(&b);
	assert_int_equal(mlv_stats_csv_field(&b, "Broker & Co, \"quoted\""), 0);
	assert_string_equal(b.data, "\"Broker & Co, \"\"quoted\"\"\"");
	mlv_buf_reset(&b);
	assert_int_equal(mlv_stats_csv_field(&b, "=HYPERLINK(1)"), 0);
	assert_string_equal(b.data, "'=HYPERLINK(1)");
	mlv_buf_reset(&b);
	/* a row: 4 consignments, 3 green; 2 controls, 1 finding; EUR 12.50 */
	mlv_stats_row r;
	memset(&r, 0, sizeof(r));
	r.m[MLV_SM_CONSIGNMENTS] = 4;
	r.lanes[1] = 3;
	r.lanes[3] = 1;
	r.m[MLV_SM_CONTROLS] = 2;
	r.m[MLV_SM_FINDINGS] = 1;
	r.m[MLV_SM_DECLARED_VALUE] = 1250;
	r.m[MLV_SM_QUALITY_SUM] = 350;
	assert_int_equal(mlv_stats_row_json(&b, &r, 2), 0);
	assert_non_null(strstr(b.data, ",\"consignments\":4,"));
	assert_non_null(strstr(b.data, ",\"share_green\":0.7500,"));
	assert_non_null(strstr(b.data, ",\"hit_rate\":0.5000,"));
	assert_non_null(strstr(b.data, ",\"declared_value\":\"12.50\","));
	assert_non_null(strstr(b.data, ",\"quality_mean\":87.50,"));
	assert_non_null(strstr(b.data, ",\"release_mean_h\":null"));
	mlv_buf hdr = MLV_BUF_INIT(1 << 16);
	mlv_buf_reset(&b);
	assert_int_equal(mlv_stats_header_csv(&hdr), 0);
	assert_int_equal(mlv_stats_row_csv(&b, &r, 2), 0);
	/* as many fields as names; the undefined ones empty */
	size_t commas_h = 0, commas_r = 0;
	for (size_t i = 0; i < hdr.len; i++)
		commas_h += hdr.data[i] == ',';
	for (size_t i = 0; i < b.len; i++)
		commas_r += b.data[i] == ',';
	assert_int_equal(commas_h, mlv_stats_column_count);
	assert_int_equal(commas_r, commas_h);
	assert_non_null(strstr(hdr.data, ",consignments,amendments,lane_green,"));
	assert_non_null(strstr(b.data, ",4,0,3,"));
	mlv_buf_free(&hdr);
	mlv_buf_free(&b);
}

/* The principal item: the highest value; the first of equal ones. */
static void test_principal_chapter(void **state)
{
	(void)state;
	mlv_item items[3];
	memset(items, 0, sizeof(items));
	snprintf(items[0].hs_code, sizeof(items[0].hs_code), "392690");
	items[0].value = (mlv_num){1200, true};
	snprintf(items[1].hs_code, sizeof(items[1].hs_code), "851762");
	items[1].value = (mlv_num){3000, true};
	snprintf(items[2].hs_code, sizeof(items[2].hs_code), "610910");
	items[2].value = (mlv_num){3000, true};
	mlv_consignment c;
	memset(&c, 0, sizeof(c));
	c.items = items;
	c.item_count = 3;
	assert_int_equal(mlv_stats_hs_chapter(&c), 85);
	items[1].hs_code[0] = '\0'; /* no code: not a candidate */
	assert_int_equal(mlv_stats_hs_chapter(&c), 61);
	c.item_count = 0;
	assert_int_equal(mlv_stats_hs_chapter(&c), 0);
}

/* Every measure and column has a unique name. */
static void test_names_unique(void **state)
{
	(void)state;
	for (int i = 0; i < MLV_SM_COUNT_; i++)
		for (int j = i + 1; j < MLV_SM_COUNT_; j++)
			assert_string_not_equal(mlv_stats_measures[i].name, mlv_stats_measures[j].name);
	for (size_t i = 0; i < mlv_stats_column_count; i++) {
		assert_non_null(mlv_stats_columns[i].label);
		for (size_t j = i + 1; j < mlv_stats_column_count; j++)
			assert_string_not_equal(mlv_stats_columns[i].name, mlv_stats_columns[j].name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_to_hundred),
		cmocka_unit_test(test_small_sets),
		cmocka_unit_test(test_skewed),
		cmocka_unit_test(test_buckets_tile),
		cmocka_unit_test(test_histogram_percentiles),
		cmocka_unit_test(test_release_summary),
		cmocka_unit_test(test_periods),
		cmocka_unit_test(test_fixed_point),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_csv_and_json),
		cmocka_unit_test(test_principal_chapter),
		cmocka_unit_test(test_names_unique),
	};
	return cmocka_run_group_tests(tests, refdata_group_setup, refdata_group_teardown);
}
