/* test_refdata.c - reference data: facts of the real data/ files (HS 2022,
 * ISO 3166-1, ISO 4217, ECB rates), rate look-back and conversion
 * rounding, dates, and load errors on broken copies in a temp directory.
 *
 * MLV_DATADIR (a string, set by the build) names the project's data/. */
#include "mlv/refdata.h"

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

#include "testutil.h"

/* ---- temp directories holding (partly broken) copies of data/ ---- */

static const char *const data_files[] = {
	"hs/hs2022.tsv",     "hs/sections.tsv",
	"iso/currencies.tsv", "iso/countries.tsv",
	"fx/eurofxref-hist.csv",
};

typedef struct tmpdata {
	char dir[64];
} tmpdata;

static void join(char *out, size_t size, const char *a, const char *b)
{
	int n = snprintf(out, size, "%s/%s", a, b);
	assert_true(n > 0 && (size_t)n < size);
}

static void write_file(const tmpdata *t, const char *rel, const char *text,
		       size_t len)
{
	char path[256];
	join(path, sizeof(path), t->dir, rel);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static char *read_real(const char *rel, size_t *len)
{
	char path[256];
	join(path, sizeof(path), MLV_DATADIR, rel);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	long size = ftell(f);
	assert_true(size > 0);
	rewind(f);
	char *buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	buf[size] = '\0';
	fclose(f);
	*len = (size_t)size;
	return buf;
}

/* A temp directory with copies of every real data file. */
static void tmpdata_make(tmpdata *t)
{
	char path[256];
	snprintf(t->dir, sizeof(t->dir), "/tmp/mlv-refdata-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	join(path, sizeof(path), t->dir, "hs");
	assert_int_equal(mkdir(path, 0700), 0);
	join(path, sizeof(path), t->dir, "iso");
	assert_int_equal(mkdir(path, 0700), 0);
	join(path, sizeof(path), t->dir, "fx");
	assert_int_equal(mkdir(path, 0700), 0);
	for (size_t i = 0; i < MLV_ARRAY_LEN(data_files); i++) {
		size_t len = 0;
		char *text = read_real(data_files[i], &len);
		write_file(t, data_files[i], text, len);
		free(text);
	}
}

static void tmpdata_remove(tmpdata *t)
{
	char path[256];
	for (size_t i = 0; i < MLV_ARRAY_LEN(data_files); i++) {
		join(path, sizeof(path), t->dir, data_files[i]);
		unlink(path);
	}
	static const char *const subdirs[] = {"hs", "iso", "fx"};
	for (size_t i = 0; i < MLV_ARRAY_LEN(subdirs); i++) {
		join(path, sizeof(path), t->dir, subdirs[i]);
		rmdir(path);
	}
	rmdir(t->dir);
}

static int tmp_setup(void **state)
{
	tmpdata *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -1;
	tmpdata_make(t);
	*state = t;
	return 0;
}

/* Runs even when a test fails, so no temp directory is left behind. */
static int tmp_teardown(void **state)
{
	tmpdata *t = *state;
	tmpdata_remove(t);
	free(t);
	return 0;
}

/* Loads t->dir expecting failure `want`; err must contain `where`. */
static void expect_load_error(const tmpdata *t, int want, const char *where)
{
	static char sentinel;
	char err[512] = "";
	mlv_refdata *bad = (mlv_refdata *)&sentinel; /* must become NULL */
	int rc = mlv_refdata_load(&bad, t->dir, err, sizeof(err));
	assert_int_equal(rc, want);
	assert_null(bad);
	if (strstr(err, where) == NULL)
		fail_msg("error \"%s\" does not name \"%s\"", err, where);
}

/* ---- HS ---- */

static void test_hs_codes(void **state)
{
	(void)state;
	assert_true(mlv_hs_exists(rd, "010121", 6));
	assert_true(mlv_hs_exists(rd, "851762", 6));
	assert_true(mlv_hs_exists(rd, "0901", 4));
	assert_true(mlv_hs_exists(rd, "01", 2));
	assert_true(mlv_hs_exists(rd, "97", 2));
	/* Comtrade's pseudo chapter 99 is not HS */
	assert_false(mlv_hs_exists(rd, "999999", 6));
	assert_false(mlv_hs_exists(rd, "9999", 4));
	assert_false(mlv_hs_exists(rd, "99", 2));
	assert_false(mlv_hs_exists(rd, "000000", 6));
	assert_false(mlv_hs_exists(rd, "77", 2)); /* reserved chapter */
	/* only the first len bytes count; other lengths are no level */
	assert_true(mlv_hs_exists(rd, "0101219999", 6));
	assert_false(mlv_hs_exists(rd, "01012", 5));
	assert_false(mlv_hs_exists(rd, "01012A", 6));
	assert_false(mlv_hs_exists(rd, "", 0));
	assert_false(mlv_hs_exists(rd, NULL, 6));
}

static void test_hs_descriptions(void **state)
{
	(void)state;
	const char *d = mlv_hs_description(rd, "0901", 4);
	assert_non_null(d);
	assert_non_null(strstr(d, "Coffee"));
	assert_string_equal(mlv_hs_description(rd, "010121", 6),
			    "Horses; live, pure-bred breeding animals");
	assert_string_equal(mlv_hs_description(rd, "01", 2), "Animals; live");
	assert_null(mlv_hs_description(rd, "999999", 6));
	/* a source description that ended in ", " is trimmed */
	d = mlv_hs_description(rd, "382762", 6);
	assert_non_null(d);
	assert_int_not_equal(d[strlen(d) - 1], ' ');
}

static void test_hs6_list(void **state)
{
	(void)state;
	size_t n = mlv_hs6_count(rd);
	assert_int_equal(n, 5612);
	assert_string_equal(mlv_hs6_at(rd, 0), "010121");
	assert_string_equal(mlv_hs6_at(rd, n - 1), "970690");
	assert_null(mlv_hs6_at(rd, n));
	for (size_t i = 1; i < n; i++)
		assert_true(strcmp(mlv_hs6_at(rd, i - 1), mlv_hs6_at(rd, i)) <
			    0);
	for (size_t i = 0; i < n; i += 97)
		assert_true(mlv_hs_exists(rd, mlv_hs6_at(rd, i), 6));
}

/* ---- ISO ---- */

static void test_countries(void **state)
{
	(void)state;
	assert_true(mlv_country_exists(rd, "FR"));
	assert_true(mlv_country_exists(rd, "CN"));
	assert_false(mlv_country_exists(rd, "XX"));
	assert_false(mlv_country_exists(rd, "XK")); /* not in ISO 3166-1 */
	assert_false(mlv_country_exists(rd, "fr"));
	assert_false(mlv_country_exists(rd, "FRA"));
	assert_false(mlv_country_exists(rd, "F"));
	assert_false(mlv_country_exists(rd, ""));
	assert_false(mlv_country_exists(rd, NULL));
	assert_string_equal(mlv_country_name(rd, "FR"), "France");
	assert_string_equal(mlv_country_name(rd, "CI"), "Côte d'Ivoire");
	assert_null(mlv_country_name(rd, "XX"));
	assert_string_equal(mlv_country_currency(rd, "FR"), "EUR");
	assert_string_equal(mlv_country_currency(rd, "CN"), "CNY");
	assert_string_equal(mlv_country_currency(rd, "JP"), "JPY");
	assert_string_equal(mlv_country_currency(rd, "BG"), "EUR");
	/* empty upstream; filled by tools/convert-refdata.py */
	assert_string_equal(mlv_country_currency(rd, "TR"), "TRY");
	assert_string_equal(mlv_country_currency(rd, "AQ"), "");
	assert_null(mlv_country_currency(rd, "XX"));
}

static void test_currencies(void **state)
{
	(void)state;
	assert_int_equal(mlv_currency_minor_units(rd, "JPY"), 0);
	assert_int_equal(mlv_currency_minor_units(rd, "KWD"), 3);
	assert_int_equal(mlv_currency_minor_units(rd, "EUR"), 2);
	assert_int_equal(mlv_currency_minor_units(rd, "USD"), 2);
	assert_int_equal(mlv_currency_minor_units(rd, "CLF"), 4);
	assert_int_equal(mlv_currency_minor_units(rd, "BGN"), -1);
	assert_int_equal(mlv_currency_minor_units(rd, "HRK"), -1);
	assert_int_equal(mlv_currency_minor_units(rd, "XAU"), -1);
	assert_int_equal(mlv_currency_minor_units(rd, "XXX"), -1);
	assert_int_equal(mlv_currency_minor_units(rd, "usd"), -1);
	assert_int_equal(mlv_currency_minor_units(rd, "USDX"), -1);
	assert_int_equal(mlv_currency_minor_units(rd, "US"), -1);
	assert_int_equal(mlv_currency_minor_units(rd, NULL), -1);
}

/* ---- ECB rates ---- */

static void test_fx_rate_published_day(void **state)
{
	(void)state;
	int64_t rate = 0;
	int32_t on = 0;
	int32_t day = day_of("2026-04-13");
	assert_int_equal(mlv_fx_last_day(rd), day);
	assert_int_equal(mlv_fx_rate(rd, "USD", day, &rate, &on), 0);
	assert_int_equal(rate, 1168400);
	assert_int_equal(on, day);
	assert_int_equal(mlv_fx_rate(rd, "GBP", day, &rate, NULL), 0);
	assert_int_equal(rate, 870580);
	assert_int_equal(mlv_fx_rate(rd, "IDR", day, &rate, NULL), 0);
	assert_int_equal(rate, 20082050000LL);
	assert_int_equal(mlv_fx_rate(rd, "USD", day_of("1999-01-04"), &rate,
				     &on),
			 0);
	assert_int_equal(rate, 1178900);
	assert_int_equal(mlv_fx_rate(rd, "EUR", day, &rate, &on), 0);
	assert_int_equal(rate, 1000000);
	assert_int_equal(on, day);
}

static void test_fx_rate_lookback(void **state)
{
	(void)state;
	int64_t rate = 0;
	int32_t on = 0;
	int32_t apr2 = day_of("2026-04-02");
	/* Good Friday 04-03, Saturday, Sunday: 04-02's rate */
	assert_int_equal(mlv_fx_rate(rd, "USD", day_of("2026-04-05"), &rate,
				     &on),
			 0);
	assert_int_equal(rate, 1152500);
	assert_int_equal(on, apr2);
	/* Easter Monday 04-06 too */
	on = 0;
	assert_int_equal(mlv_fx_rate(rd, "USD", day_of("2026-04-06"), &rate,
				     &on),
			 0);
	assert_int_equal(on, apr2);
	/* past the file's end the last rates stay in force */
	assert_int_equal(mlv_fx_rate(rd, "USD", day_of("2026-06-30"), &rate,
				     &on),
			 0);
	assert_int_equal(rate, 1168400);
	assert_int_equal(on, day_of("2026-04-13"));
}

static void test_fx_rate_missing(void **state)
{
	(void)state;
	int64_t rate = 0;
	int32_t on = 0;
	/* BGN's last rate was 2025-12-31; from 2026-01-02 the ECB files N/A */
	assert_int_equal(mlv_fx_rate(rd, "BGN", day_of("2025-12-31"), &rate,
				     &on),
			 0);
	assert_int_equal(rate, 1955800);
	assert_int_equal(mlv_fx_rate(rd, "BGN", day_of("2026-01-01"), &rate,
				     &on),
			 0); /* a holiday: still the 12-31 rate */
	assert_int_equal(on, day_of("2025-12-31"));
	assert_int_equal(mlv_fx_rate(rd, "BGN", day_of("2026-01-02"), &rate,
				     &on),
			 MLV_ENOTFOUND);
	assert_int_equal(mlv_fx_rate(rd, "BGN", day_of("2026-04-13"), &rate,
				     &on),
			 MLV_ENOTFOUND);
	assert_int_equal(mlv_fx_rate(rd, "BGN", day_of("2026-06-30"), &rate,
				     &on),
			 MLV_ENOTFOUND);
	assert_int_equal(mlv_fx_rate(rd, "HRK", day_of("2023-06-01"), &rate,
				     &on),
			 MLV_ENOTFOUND);
	assert_int_equal(mlv_fx_rate(rd, "HRK", day_of("2022-12-30"), &rate,
				     &on),
			 0);
	/* ISK was suspended from 2008-12-10 to 2018-01-31 */
	assert_int_equal(mlv_fx_rate(rd, "ISK", day_of("2012-06-01"), &rate,
				     &on),
			 MLV_ENOTFOUND);
	/* before the euro's first rates */
	assert_int_equal(mlv_fx_rate(rd, "USD", day_of("1998-12-31"), &rate,
				     &on),
			 MLV_ENOTFOUND);
	assert_int_equal(mlv_fx_rate(rd, "XYZ", day_of("2026-04-13"), &rate,
				     &on),
			 MLV_ENOTFOUND);
	assert_int_equal(mlv_fx_rate(rd, "usd", day_of("2026-04-13"), &rate,
				     &on),
			 MLV_ENOTFOUND);
}

static void test_fx_convert(void **state)
{
	(void)state;
	int64_t out = 0;
	int32_t day = day_of("2026-04-13");
	/* 100.00 USD / 1.1684 = 85.587... EUR */
	assert_int_equal(mlv_fx_convert(rd, 10000, "USD", "EUR", day, &out),
			 0);
	assert_int_equal(out, 8559);
	assert_int_equal(mlv_fx_convert(rd, -10000, "USD", "EUR", day, &out),
			 0);
	assert_int_equal(out, -8559);
	/* 100.00 EUR * 1.1684 = 116.84 USD */
	assert_int_equal(mlv_fx_convert(rd, 10000, "EUR", "USD", day, &out),
			 0);
	assert_int_equal(out, 11684);
	/* same currency: unchanged, whatever the day */
	assert_int_equal(mlv_fx_convert(rd, 12345, "USD", "USD", 0, &out), 0);
	assert_int_equal(out, 12345);
	/* USD -> GBP through the euro, one rounding:
	 * 100.00 * 0.87058 / 1.1684 = 74.510441... GBP */
	assert_int_equal(mlv_fx_convert(rd, 10000, "USD", "GBP", day, &out),
			 0);
	assert_int_equal(out, 7451);
	/* on a holiday, the last published rates (04-02: USD 1.1525) */
	assert_int_equal(mlv_fx_convert(rd, 10000, "USD", "EUR",
					day_of("2026-04-05"), &out),
			 0);
	assert_int_equal(out, 8677); /* 86.767... */
}

static void test_fx_convert_rounding(void **state)
{
	(void)state;
	int64_t out = 0;
	int32_t day = day_of("2026-04-13"); /* JPY 186.75 */
	/* JPY has no minor unit: 100000 JPY / 186.75 = 535.4752... EUR */
	assert_int_equal(mlv_fx_convert(rd, 100000, "JPY", "EUR", day, &out),
			 0);
	assert_int_equal(out, 53548);
	/* 1 JPY = 0.535... cent, up; 2 JPY = 1.07 cents, down */
	assert_int_equal(mlv_fx_convert(rd, 1, "JPY", "EUR", day, &out), 0);
	assert_int_equal(out, 1);
	assert_int_equal(mlv_fx_convert(rd, 2, "JPY", "EUR", day, &out), 0);
	assert_int_equal(out, 1);
	/* exact halves: 6.00 EUR = 1120.5 JPY, away from zero (not to even) */
	assert_int_equal(mlv_fx_convert(rd, 600, "EUR", "JPY", day, &out), 0);
	assert_int_equal(out, 1121);
	assert_int_equal(mlv_fx_convert(rd, -600, "EUR", "JPY", day, &out),
			 0);
	assert_int_equal(out, -1121);
	assert_int_equal(mlv_fx_convert(rd, 200, "EUR", "JPY", day, &out), 0);
	assert_int_equal(out, 374); /* 373.5 */
	/* the ECB publishes no KWD rate */
	assert_int_equal(mlv_fx_convert(rd, 100, "EUR", "KWD", day, &out),
			 MLV_ENOTFOUND);
}

static void test_fx_convert_errors(void **state)
{
	(void)state;
	int64_t out = 0;
	int32_t day = day_of("2026-04-13");
	/* withdrawn or without minor units: no conversion even with a rate */
	assert_int_equal(mlv_fx_convert(rd, 100, "BGN", "EUR",
					day_of("2025-12-31"), &out),
			 MLV_ENOTFOUND);
	assert_int_equal(mlv_fx_convert(rd, 100, "XAU", "XAU", day, &out),
			 MLV_ENOTFOUND);
	assert_int_equal(mlv_fx_convert(rd, 100, "USD", "XYZ", day, &out),
			 MLV_ENOTFOUND);
	/* active currency, no rate on that day */
	assert_int_equal(mlv_fx_convert(rd, 100, "USD", "EUR",
					day_of("1998-06-01"), &out),
			 MLV_ENOTFOUND);
	/* a result past int64: INT64_MAX IDR cents is fine, the reverse not */
	assert_int_equal(mlv_fx_convert(rd, INT64_MAX, "IDR", "EUR", day, &out),
			 0);
	assert_int_equal(mlv_fx_convert(rd, INT64_MAX, "EUR", "IDR", day, &out),
			 MLV_ETOOBIG);
}

/* ---- dates ---- */

static void test_date_parse(void **state)
{
	(void)state;
	int32_t d = 12345;
	assert_true(mlv_date_parse("1970-01-01", 10, &d));
	assert_int_equal(d, 0);
	assert_true(mlv_date_parse("1969-12-31", 10, &d));
	assert_int_equal(d, -1);
	assert_true(mlv_date_parse("2026-04-13", 10, &d));
	assert_int_equal(d, 20556);
	assert_true(mlv_date_parse("2000-03-01", 10, &d));
	assert_int_equal(d, 11017);
	assert_true(mlv_date_parse("0000-01-01", 10, &d));
	assert_int_equal(d, -719528);
	assert_true(mlv_date_parse("9999-12-31", 10, &d));
	assert_int_equal(d, 2932896);
	assert_true(mlv_date_parse("2024-02-29", 10, &d));
	assert_true(mlv_date_parse("2000-02-29", 10, &d));
	/* the length bounds the read */
	assert_true(mlv_date_parse("2026-04-13T10:00:00Z", 10, &d));
	assert_int_equal(d, 20556);

	static const char *const bad[] = {
		"2026-02-29", "1900-02-29", "2026-04-31", "2026-13-01",
		"2026-00-10", "2026-01-00", "2026-01-32", "2026-4-13",
		"2026/04/13", "+026-04-13", "2026-04-1a", " 2026-04-1",
		"20260413",   "",           "2026-04-13 ", "2026-04-13T",
	};
	for (size_t i = 0; i < MLV_ARRAY_LEN(bad); i++) {
		d = 12345;
		if (mlv_date_parse(bad[i], strlen(bad[i]), &d))
			fail_msg("\"%s\" parsed", bad[i]);
		assert_int_equal(d, 12345);
	}
	assert_false(mlv_date_parse(NULL, 10, &d));
}

static void test_date_format(void **state)
{
	(void)state;
	static const char *const days[] = {
		"1970-01-01", "1969-12-31", "2024-02-29", "2026-04-13",
		"2000-02-29", "1999-01-04", "0000-01-01", "9999-12-31",
		"1600-03-01", "2100-02-28",
	};
	char buf[11];
	for (size_t i = 0; i < MLV_ARRAY_LEN(days); i++) {
		int32_t d = 0;
		assert_true(mlv_date_parse(days[i], 10, &d));
		mlv_date_format(d, buf);
		assert_string_equal(buf, days[i]);
	}
	/* every day of 1999..2030 formats and parses back to itself */
	for (int32_t d = 10592; d < 22280; d++) {
		int32_t back = -1;
		mlv_date_format(d, buf);
		assert_true(mlv_date_parse(buf, strlen(buf), &back));
		assert_int_equal(back, d);
	}
	mlv_date_format(2932897, buf); /* 10000-01-01 */
	assert_string_equal(buf, "0000-00-00");
	mlv_date_format(INT32_MIN, buf);
	assert_string_equal(buf, "0000-00-00");
}

/* ---- load errors ---- */

static void test_load_missing_dir(void **state)
{
	(void)state;
	static char sentinel;
	char err[512] = "";
	mlv_refdata *bad = (mlv_refdata *)&sentinel;
	int rc = mlv_refdata_load(&bad, "/nonexistent/mainlevee-data", err,
				  sizeof(err));
	assert_int_equal(rc, MLV_EIO);
	assert_null(bad);
	assert_non_null(strstr(err, "/nonexistent/mainlevee-data/hs/hs2022.tsv"));
	/* a NULL err is allowed */
	assert_int_equal(mlv_refdata_load(&bad, "/nonexistent", NULL, 0),
			 MLV_EIO);
}

static void test_load_copy_ok(void **state)
{
	tmpdata *t = *state;
	char err[512] = "";
	mlv_refdata *copy = NULL;
	assert_int_equal(mlv_refdata_load(&copy, t->dir, err, sizeof(err)), 0);
	assert_non_null(copy);
	assert_true(mlv_hs_exists(copy, "851762", 6));
	mlv_refdata_free(copy);
	mlv_refdata_free(NULL);
}

static void test_load_corrupt_country(void **state)
{
	tmpdata *t = *state;
	/* the header and 4 real rows, then a bad alpha2 on line 6 */
	size_t len = 0;
	char *text = read_real("iso/countries.tsv", &len);
	char *p = text;
	for (int i = 0; i < 5; i++) {
		p = strchr(p, '\n');
		assert_non_null(p);
		p++;
	}
	size_t keep = (size_t)(p - text);
	const char bad[] = "F1\tFRA\t250\tFrance\tEUR\n";
	char *broken = malloc(keep + sizeof(bad));
	assert_non_null(broken);
	memcpy(broken, text, keep);
	memcpy(broken + keep, bad, sizeof(bad));
	write_file(t, "iso/countries.tsv", broken, keep + sizeof(bad) - 1);
	expect_load_error(t, MLV_EINVALID, "iso/countries.tsv:6:");

	/* a currency that is not active */
	memcpy(broken + keep, "FR\tFRA\t250\tFrance\tFRF\n", sizeof(bad));
	write_file(t, "iso/countries.tsv", broken, keep + sizeof(bad) - 1);
	expect_load_error(t, MLV_EINVALID, "iso/countries.tsv:6:");

	/* a missing field */
	const char short_row[] = "FR\tFRA\t250\tFrance\n";
	memcpy(broken + keep, short_row, sizeof(short_row));
	write_file(t, "iso/countries.tsv", broken, keep + sizeof(short_row) - 1);
	expect_load_error(t, MLV_EINVALID, "iso/countries.tsv:6:");

	/* a line past the bound */
	size_t longlen = keep + 6000;
	char *huge = malloc(longlen);
	assert_non_null(huge);
	memcpy(huge, text, keep);
	memset(huge + keep, 'A', longlen - keep - 1);
	huge[longlen - 1] = '\n';
	write_file(t, "iso/countries.tsv", huge, longlen);
	expect_load_error(t, MLV_EINVALID, "iso/countries.tsv:6: line longer");

	/* a duplicate row */
	char *dup = malloc(len + 64);
	assert_non_null(dup);
	memcpy(dup, text, len);
	const char again[] = "FR\tFRA\t250\tFrance\tEUR\n";
	memcpy(dup + len, again, sizeof(again));
	write_file(t, "iso/countries.tsv", dup, len + sizeof(again) - 1);
	expect_load_error(t, MLV_EINVALID, "iso/countries.tsv:251: FR listed twice");

	free(dup);
	free(huge);
	free(broken);
	free(text);
}

static void test_load_corrupt_hs(void **state)
{
	tmpdata *t = *state;
	const char orphan[] = "code\tlevel\tdescription\n"
			      "01\t2\tAnimals; live\n"
			      "0101\t4\tHorses; live\n"
			      "010121\t6\tHorses; breeding\n"
			      "010231\t6\tCattle; breeding\n";
	write_file(t, "hs/hs2022.tsv", orphan, sizeof(orphan) - 1);
	expect_load_error(t, MLV_EINVALID, "010231 has no parent");
	const char level[] = "code\tlevel\tdescription\n"
			     "01\t2\tAnimals; live\n"
			     "0101\t6\tHorses\n";
	write_file(t, "hs/hs2022.tsv", level, sizeof(level) - 1);
	expect_load_error(t, MLV_EINVALID, "hs/hs2022.tsv:3:");
	const char ctl[] = "code\tlevel\tdescription\n"
			   "01\t2\tAnimals;\x01 live\n";
	write_file(t, "hs/hs2022.tsv", ctl, sizeof(ctl) - 1);
	expect_load_error(t, MLV_EINVALID, "hs/hs2022.tsv:2:");
	const char header[] = "code,level,description\n01,2,Animals\n";
	write_file(t, "hs/hs2022.tsv", header, sizeof(header) - 1);
	expect_load_error(t, MLV_EINVALID, "hs/hs2022.tsv:1:");
}

/* A small ECB file with a three-decimal currency the real one lacks, in
 * ascending date order, with the ECB's trailing commas. */
static void test_fx_synthetic(void **state)
{
	tmpdata *t = *state;
	const char fx[] = "Date,USD,KWD,\n"
			  "2026-04-09,1.1685,0.36,\n"
			  "2026-04-10,N/A,0.3592,\n"
			  "2026-04-13,1.1684,0.3591,\n";
	write_file(t, "fx/eurofxref-hist.csv", fx, sizeof(fx) - 1);
	char err[512] = "";
	mlv_refdata *s = NULL;
	assert_int_equal(mlv_refdata_load(&s, t->dir, err, sizeof(err)), 0);
	int32_t day = day_of("2026-04-13");
	int64_t out = 0, rate = 0;
	int32_t on = 0;
	assert_int_equal(mlv_fx_last_day(s), day);
	/* 15.00 EUR * 0.3591 = 5.3865 KWD: a half fils, away from zero */
	assert_int_equal(mlv_fx_convert(s, 1500, "EUR", "KWD", day, &out), 0);
	assert_int_equal(out, 5387);
	assert_int_equal(mlv_fx_convert(s, -1500, "EUR", "KWD", day, &out), 0);
	assert_int_equal(out, -5387);
	/* 1.000 KWD / 0.3591 = 2.78474... EUR */
	assert_int_equal(mlv_fx_convert(s, 1000, "KWD", "EUR", day, &out), 0);
	assert_int_equal(out, 278);
	/* KWD -> USD: 1.000 * 1.1684 / 0.3591 = 3.25369... USD */
	assert_int_equal(mlv_fx_convert(s, 1000, "KWD", "USD", day, &out), 0);
	assert_int_equal(out, 325);
	/* USD is N/A on 04-10: the Saturday after has no USD rate */
	assert_int_equal(mlv_fx_rate(s, "USD", day_of("2026-04-11"), &rate,
				     &on),
			 MLV_ENOTFOUND);
	assert_int_equal(mlv_fx_rate(s, "KWD", day_of("2026-04-11"), &rate,
				     &on),
			 0);
	assert_int_equal(rate, 359200);
	assert_int_equal(on, day_of("2026-04-10"));
	assert_int_equal(mlv_fx_rate(s, "USD", day_of("2026-04-09"), &rate,
				     &on),
			 0);
	assert_int_equal(rate, 1168500);
	mlv_refdata_free(s);

	/* more decimals than micro-units hold, on line 3 */
	const char precise[] = "Date,USD,\n"
			       "2026-04-13,1.1684,\n"
			       "2026-04-10,1.1234567,\n";
	write_file(t, "fx/eurofxref-hist.csv", precise, sizeof(precise) - 1);
	expect_load_error(t, MLV_EINVALID, "fx/eurofxref-hist.csv:3: USD");
	const char order[] = "Date,USD,\n"
			     "2026-04-13,1.1684,\n"
			     "2026-04-09,1.1685,\n"
			     "2026-04-10,1.1711,\n";
	write_file(t, "fx/eurofxref-hist.csv", order, sizeof(order) - 1);
	expect_load_error(t, MLV_EINVALID, "fx/eurofxref-hist.csv:4:");
	const char fields[] = "Date,USD,\n"
			      "2026-04-13,1.1684\n";
	write_file(t, "fx/eurofxref-hist.csv", fields, sizeof(fields) - 1);
	expect_load_error(t, MLV_EINVALID, "fx/eurofxref-hist.csv:2:");
	const char zero[] = "Date,USD,\n"
			    "2026-04-13,0.0,\n";
	write_file(t, "fx/eurofxref-hist.csv", zero, sizeof(zero) - 1);
	expect_load_error(t, MLV_EINVALID, "fx/eurofxref-hist.csv:2:");
	const char nodays[] = "Date,USD,\n";
	write_file(t, "fx/eurofxref-hist.csv", nodays, sizeof(nodays) - 1);
	expect_load_error(t, MLV_EINVALID, "no rates");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hs_codes),
		cmocka_unit_test(test_hs_descriptions),
		cmocka_unit_test(test_hs6_list),
		cmocka_unit_test(test_countries),
		cmocka_unit_test(test_currencies),
		cmocka_unit_test(test_fx_rate_published_day),
		cmocka_unit_test(test_fx_rate_lookback),
		cmocka_unit_test(test_fx_rate_missing),
		cmocka_unit_test(test_fx_convert),
		cmocka_unit_test(test_fx_convert_rounding),
		cmocka_unit_test(test_fx_convert_errors),
		cmocka_unit_test(test_date_parse),
		cmocka_unit_test(test_date_format),
		cmocka_unit_test(test_load_missing_dir),
		cmocka_unit_test_setup_teardown(test_load_copy_ok, tmp_setup,
						tmp_teardown),
		cmocka_unit_test_setup_teardown(test_load_corrupt_country, tmp_setup,
						tmp_teardown),
		cmocka_unit_test_setup_teardown(test_load_corrupt_hs, tmp_setup,
						tmp_teardown),
		cmocka_unit_test_setup_teardown(test_fx_synthetic, tmp_setup,
						tmp_teardown),
	};
	return cmocka_run_group_tests(tests, refdata_group_setup, refdata_group_teardown);
}
