/* test_stats.c - nearest-rank percentiles (stats.h) on known
 * distributions: 1..100, a single value, two values, an empty set, and
 * unsorted input with repeats. */
#include "mlv/stats.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_to_hundred),
		cmocka_unit_test(test_small_sets),
		cmocka_unit_test(test_skewed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
