/* test_decimal.c - exact decimal strings <-> scaled integers (decimal.h):
 * the accepted syntax, precision and range at each scale, formatting of
 * negatives and zero, and format/parse round trips over many values. */
#include "mlv/decimal.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static mlv_dec_status parse(const char *s, int scale, int allow_negative, int64_t *out)
{
	return mlv_decimal_parse(s, strlen(s), scale, allow_negative, out);
}

/* Parses s at `scale` (negatives allowed) and checks the value. */
static void check_value(const char *s, int scale, int64_t want)
{
	int64_t v = 0x5a5a5a5a;
	mlv_dec_status st = parse(s, scale, 1, &v);
	if (st != MLV_DEC_OK)
		fail_msg("\"%s\" at scale %d: status %d, want OK", s, scale, (int)st);
	if (v != want)
		fail_msg("\"%s\" at scale %d: got %lld, want %lld", s, scale, (long long)v,
			 (long long)want);
}

/* Checks the status, and that *out is left alone on failure. */
static void check_status(const char *s, int scale, int allow_negative, mlv_dec_status want)
{
	int64_t v = 777;
	mlv_dec_status st = parse(s, scale, allow_negative, &v);
	if (st != want)
		fail_msg("\"%s\" at scale %d: status %d, want %d", s, scale, (int)st, (int)want);
	if (want != MLV_DEC_OK && v != 777)
		fail_msg("\"%s\": output written on failure (%lld)", s, (long long)v);
}

static void check_format(int64_t v, int scale, const char *want)
{
	char buf[32];
	memset(buf, 'x', sizeof(buf));
	int n = mlv_decimal_format(v, scale, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(want));
	assert_string_equal(buf, want);
}

static void test_parse_scales(void **state)
{
	(void)state;
	/* scale 0 */
	check_value("0", 0, 0);
	check_value("7", 0, 7);
	check_value("12", 0, 12);
	check_value("12.0", 0, 12);
	check_value("12.000", 0, 12);
	check_value("1000000", 0, 1000000);
	/* scale 2 */
	check_value("12.30", 2, 1230);
	check_value("12.3", 2, 1230);
	check_value("12", 2, 1200);
	check_value("0.01", 2, 1);
	check_value("0.10", 2, 10);
	check_value("0", 2, 0);
	check_value("1.500", 2, 150);
	check_value("1.50000000000000000000000000", 2, 150);
	check_value("000000000000000000000000001.25", 2, 125);
	/* scale 3 */
	check_value("12.30", 3, 12300);
	check_value("0.001", 3, 1);
	check_value("0.5", 3, 500);
	check_value("2", 3, 2000);
	check_value("1.2345000", 4, 12345);
	/* the largest scale */
	check_value("0.000000001", 9, 1);
	check_value("1", 9, 1000000000);
}

static void test_parse_precision(void **state)
{
	(void)state;
	check_status("1.505", 2, 0, MLV_DEC_PRECISION);
	check_status("1.501", 2, 1, MLV_DEC_PRECISION);
	check_status("0.001", 2, 0, MLV_DEC_PRECISION);
	check_status("12.5", 0, 0, MLV_DEC_PRECISION);
	check_status("0.0001", 3, 0, MLV_DEC_PRECISION);
	check_status("1.5000000001", 2, 0, MLV_DEC_PRECISION);
	/* trailing zeros past the scale are not a precision loss */
	check_status("1.500", 2, 0, MLV_DEC_OK);
	check_status("1.0000", 0, 0, MLV_DEC_OK);
}

static void test_parse_syntax(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", ".5", "5.", "1e3", "1E3", "+1", " 1", "1 ", "0x10", "--1", "-", ".",
		"-.5", "1.2.3", "1,5", "1_000", "abc", "12a", "1..2", "- 1", "\t1", "1\n",
		"١", /* Arabic-Indic digit one */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		check_status(bad[i], 2, 1, MLV_DEC_SYNTAX);
		check_status(bad[i], 0, 0, MLV_DEC_SYNTAX);
	}
	/* len is honoured: an embedded NUL is not the end of the string */
	int64_t v = 0;
	assert_int_equal(mlv_decimal_parse("1\0", 2, 2, 0, &v), MLV_DEC_SYNTAX);
	/* ... and a prefix parses on its own */
	assert_int_equal(mlv_decimal_parse("12.345", 4, 2, 0, &v), MLV_DEC_OK);
	assert_int_equal(v, 1230);
	/* scales outside 0..9 are refused */
	check_status("1", 10, 0, MLV_DEC_SYNTAX);
	check_status("1", -1, 0, MLV_DEC_SYNTAX);
}

static void test_parse_negative(void **state)
{
	(void)state;
	check_status("-1", 2, 0, MLV_DEC_NEGATIVE);
	check_status("-0.01", 2, 0, MLV_DEC_NEGATIVE);
	check_status("-0", 2, 0, MLV_DEC_NEGATIVE);
	check_value("-1", 2, -100);
	check_value("-12.30", 2, -1230);
	check_value("-0.001", 3, -1);
	check_value("-0", 2, 0);
	check_value("-7", 0, -7);
}

static void test_parse_range(void **state)
{
	(void)state;
	/* INT64_MAX = 9223372036854775807 */
	check_value("9223372036854775807", 0, INT64_MAX);
	check_value("92233720368547758.07", 2, INT64_MAX);
	check_value("-9223372036854775807", 0, -INT64_MAX);
	check_status("9223372036854775808", 0, 0, MLV_DEC_RANGE);
	check_status("92233720368547758.08", 2, 0, MLV_DEC_RANGE);
	/* fits at scale 0 but not once scaled */
	check_status("92233720368547758", 3, 0, MLV_DEC_RANGE);
	check_status("92233720368547758.1", 2, 0, MLV_DEC_RANGE);
	check_status("99999999999999999999999999999", 0, 0, MLV_DEC_RANGE);
	check_status("-99999999999999999999", 2, 1, MLV_DEC_RANGE);
	check_status("10000000000", 9, 0, MLV_DEC_RANGE);
	check_value("9223372036.854775807", 9, INT64_MAX);
}

static void test_format(void **state)
{
	(void)state;
	check_format(1230, 2, "12.30");
	check_format(-1230, 2, "-12.30");
	check_format(0, 2, "0.00");
	check_format(0, 0, "0");
	check_format(0, 3, "0.000");
	check_format(5, 2, "0.05");
	check_format(-5, 2, "-0.05");
	check_format(-50, 2, "-0.50");
	check_format(100, 2, "1.00");
	check_format(7, 0, "7");
	check_format(-7, 0, "-7");
	check_format(1234567, 0, "1234567");
	check_format(1, 3, "0.001");
	check_format(1, 9, "0.000000001");
	check_format(INT64_MAX, 0, "9223372036854775807");
	check_format(INT64_MAX, 2, "92233720368547758.07");
	check_format(INT64_MIN, 2, "-92233720368547758.08");
	check_format(INT64_MIN, 0, "-9223372036854775808");
}

static void test_format_buffer(void **state)
{
	(void)state;
	char buf[8];
	/* "-12.30" needs 7 bytes with its NUL */
	assert_int_equal(mlv_decimal_format(-1230, 2, buf, 7), 6);
	assert_string_equal(buf, "-12.30");
	assert_int_equal(mlv_decimal_format(-1230, 2, buf, 6), -1);
	assert_int_equal(mlv_decimal_format(0, 0, buf, 2), 1);
	assert_string_equal(buf, "0");
	assert_int_equal(mlv_decimal_format(0, 0, buf, 1), -1);
	assert_int_equal(mlv_decimal_format(5, 2, buf, 5), 4);
	assert_string_equal(buf, "0.05");
	assert_int_equal(mlv_decimal_format(5, 2, buf, 4), -1);
	/* size 32 suffices for any value at any scale */
	char big[32];
	for (int scale = 0; scale <= 9; scale++) {
		assert_true(mlv_decimal_format(INT64_MIN, scale, big, sizeof(big)) > 0);
		assert_true(mlv_decimal_format(INT64_MAX, scale, big, sizeof(big)) > 0);
		assert_true(mlv_decimal_format(-1, scale, big, sizeof(big)) > 0);
	}
}

static void test_pow10(void **state)
{
	(void)state;
	int64_t p = 1;
	for (int n = 0; n <= 18; n++) {
		assert_int_equal(mlv_pow10(n), p);
		if (n < 18)
			p *= 10;
	}
	assert_int_equal(mlv_pow10(-1), 0);
	assert_int_equal(mlv_pow10(19), 0);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t next_random(void)
{
	/* xorshift64*: deterministic, so a failure reproduces */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static void round_trip(int64_t v, int scale)
{
	char buf[32];
	int n = mlv_decimal_format(v, scale, buf, sizeof(buf));
	if (n <= 0)
		fail_msg("format %lld at scale %d failed", (long long)v, scale);
	int64_t back = 0;
	mlv_dec_status st = mlv_decimal_parse(buf, (size_t)n, scale, 1, &back);
	if (st != MLV_DEC_OK || back != v)
		fail_msg("%lld at scale %d -> \"%s\" -> status %d value %lld", (long long)v, scale, buf,
			 (int)st, (long long)back);
	/* the same text parses identically when negatives are refused */
	if (v >= 0) {
		assert_int_equal(mlv_decimal_parse(buf, (size_t)n, scale, 0, &back), MLV_DEC_OK);
		assert_int_equal(back, v);
	} else {
		assert_int_equal(mlv_decimal_parse(buf, (size_t)n, scale, 0, &back),
				 MLV_DEC_NEGATIVE);
	}
	/* formatting is canonical: exactly `scale` fractional digits */
	const char *dot = strchr(buf, '.');
	if (scale == 0)
		assert_null(dot);
	else
		assert_int_equal(strlen(dot + 1), (size_t)scale);
}

static void test_round_trip(void **state)
{
	(void)state;
	/* INT64_MIN formats but does not parse back: its magnitude is not an
	 * int64 (decimal.h parses into a magnitude first). */
	static const int64_t edges[] = {0, 1, -1, 9, 10, 99, 100, 101, 999, 1000, -1000,
		15000, 15001, 999999999999999LL, INT64_MAX, INT64_MAX - 1, -INT64_MAX};
	for (int scale = 0; scale <= 9; scale++) {
		for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
			round_trip(edges[i], scale);
		for (int k = 0; k < 20000; k++) {
			uint64_t r = next_random();
			/* spread over magnitudes: shift by a random amount */
			int64_t v = (int64_t)(r >> (r % 63 + 1));
			if (r & 1)
				v = -v;
			round_trip(v, scale);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_scales),
		cmocka_unit_test(test_parse_precision),
		cmocka_unit_test(test_parse_syntax),
		cmocka_unit_test(test_parse_negative),
		cmocka_unit_test(test_parse_range),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_buffer),
		cmocka_unit_test(test_pow10),
		cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
