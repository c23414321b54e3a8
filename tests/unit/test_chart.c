/* test_chart.c - the SVG charts (chart.h): well-formed XML with every tag
 * closed, the accessible name and description, one dot per point and one
 * bar per category, positions inside the drawing and in proportion to the
 * values, round axis steps, escaped labels, and charts without data. */
#include "mlv/chart.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* ---- a small XML check ------------------------------------------------------------------ */

/* Every element closed in order, attribute values quoted, no stray '<'
 * or '&' in text; returns the number of elements. */
static int well_formed(const char *s)
{
	char stack[64][24];
	int depth = 0, elements = 0;
	const char *p = s;
	while (*p) {
		if (*p == '&') {
			size_t n = strcspn(p, ";");
			assert_true(n > 1 && n < 8 && p[n] == ';');
			p += n + 1;
			continue;
		}
		if (*p != '<') {
			assert_true(*p != '>');
			p++;
			continue;
		}
		if (p[1] == '/') {
			size_t n = strcspn(p + 2, ">");
			assert_true(depth > 0);
			depth--;
			if (strlen(stack[depth]) != n || strncmp(stack[depth], p + 2, n) != 0)
				fail_msg("</%.*s> closes <%s>", (int)n, p + 2, stack[depth]);
			p += n + 3;
			continue;
		}
		size_t n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz");
		assert_true(n > 0 && n < 24);
		char name[24];
		memcpy(name, p + 1, n);
		name[n] = '\0';
		p += 1 + n;
		/* attributes: name="value" */
		for (;;) {
			while (*p == ' ')
				p++;
			if (*p == '>' || (p[0] == '/' && p[1] == '>'))
				break;
			size_t an = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-:");
			assert_true(an > 0);
			p += an;
			assert_true(p[0] == '=' && p[1] == '"');
			p += 2;
			while (*p != '"') {
				assert_true(*p != '\0' && *p != '<');
				p++;
			}
			p++;
		}
		elements++;
		if (*p == '/') {
			p += 2;
			continue;
		}
		p++;
		assert_true(depth < 64);
		memcpy(stack[depth++], name, sizeof(name));
	}
	assert_int_equal(depth, 0);
	return elements;
}

static int count(const char *s, const char *what)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, what)) != NULL; p += strlen(what))
		n++;
	return n;
}

/* The integer of attribute `attr` in the n-th element starting with `tag`. */
static long attr_of(const char *s, const char *tag, int nth, const char *attr)
{
	const char *p = s;
	for (int i = 0; i <= nth; i++) {
		p = strstr(p, tag);
		assert_non_null(p);
		if (i < nth)
			p += strlen(tag);
	}
	char key[32];
	snprintf(key, sizeof(key), " %s=\"", attr);
	const char *a = strstr(p, key);
	assert_non_null(a);
	assert_true(a < strchr(p, '>'));
	return strtol(a + strlen(key), NULL, 10);
}

/* ---- tests ------------------------------------------------------------------------------- */

static void test_steps(void **state)
{
	(void)state;
	static const struct {
		int64_t lo, hi;
		int most;
		int64_t step, first, last;
	} cases[] = {
		{0, 0, 5, 1, 0, 1},          /* nothing: an axis from 0 to 1 */
		{0, 1, 5, 1, 0, 1},
		{0, 7, 5, 2, 0, 8},
		{0, 10, 5, 2, 0, 10},
		{0, 95, 5, 20, 0, 100},
		{0, 1234, 5, 500, 0, 1500},
		{0, 100000, 4, 50000, 0, 100000},
		{-30, 70, 5, 50, -50, 100},  /* 20 would take six steps */
		{-30, 70, 6, 20, -40, 80},
		{-7, 0, 5, 2, -8, 0},
		{5, 9, 5, 2, 0, 10},         /* the axis always shows zero */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t first = -1, last = -1;
		int64_t step = mlv_chart_step(cases[i].lo, cases[i].hi, cases[i].most, &first, &last);
		if (step != cases[i].step || first != cases[i].first || last != cases[i].last)
			fail_msg("case %zu: step %lld from %lld to %lld", i, (long long)step,
				 (long long)first, (long long)last);
		assert_true((last - first) / step <= cases[i].most);
	}
	char t[24];
	mlv_chart_tick_text(950, 0, t);
	assert_string_equal(t, "950");
	mlv_chart_tick_text(15000, 0, t);
	assert_string_equal(t, "15k");
	mlv_chart_tick_text(12500, 0, t);
	assert_string_equal(t, "12.5k");
	mlv_chart_tick_text(2500000, 0, t);
	assert_string_equal(t, "2.5M");
	mlv_chart_tick_text(-20000, 0, t);
	assert_string_equal(t, "-20k");
	mlv_chart_tick_text(150000, 2, t); /* 1500.00 EUR */
	assert_string_equal(t, "1500");
	mlv_chart_tick_text(125, 2, t);
	assert_string_equal(t, "1.25");
	mlv_chart_tick_text(3000000000, 0, t);
	assert_string_equal(t, "3G");
}

static void test_line(void **state)
{
	(void)state;
	const char *labels[] = {"2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"};
	const int64_t filed[] = {10, 40, 0, 25}, released[] = {5, 20, 30, 10};
	const mlv_chart_series series[] = {{"filed", filed}, {"released", released}};
	mlv_chart c = {"daily", "Consignments per day", "Filed and released, 1 to 4 November.",
		       "Day", "Consignments", labels, NULL, 4, series, 2, 0, 0, 0};
	mlv_buf b = MLV_BUF_INIT(1 << 20);
	assert_int_equal(mlv_chart_line(&b, &c), 0);
	well_formed(b.data);
	assert_non_null(strstr(b.data, "role=\"img\""));
	assert_non_null(strstr(b.data, "aria-labelledby=\"daily-title daily-desc\""));
	assert_non_null(strstr(b.data, "<title id=\"daily-title\">Consignments per day</title>"));
	assert_non_null(strstr(b.data, "<desc id=\"daily-desc\">Filed and released"));
	assert_int_equal(count(b.data, "<polyline"), 2);
	assert_int_equal(count(b.data, "<circle"), 8);
	assert_non_null(strstr(b.data, "<title>2026-11-02: 40 (filed)</title>"));
	assert_non_null(strstr(b.data, "class=\"chart-legend chart-series-1\""));
	/* the axis: 0 to 40 by 10; the top dot is on the top tick */
	assert_non_null(strstr(b.data, ">40</text>"));
	long top = attr_of(b.data, "<circle", 1, "cy"), zero = attr_of(b.data, "<circle", 2, "cy");
	long mid = attr_of(b.data, "<circle", 3, "cy");
	assert_true(top < mid && mid < zero);
	/* 25 sits at 25/40 of the way up */
	assert_true(labs((zero - mid) * 40 - (zero - top) * 25) <= 40);
	for (int i = 0; i < 8; i++) {
		long cy = attr_of(b.data, "<circle", i, "cy"), cx = attr_of(b.data, "<circle", i, "cx");
		assert_in_range(cy, 0, 300);
		assert_in_range(cx, 0, 640);
	}
	assert_non_null(strstr(b.data, ">Consignments</text>"));
	mlv_buf_free(&b);
}

static void test_bars_and_escaping(void **state)
{
	(void)state;
	const char *labels[] = {"China", "T\xc3\xbcrkiye", "<script>&\"x\"", "Viet Nam"};
	const char *classes[] = {"lane-green", "lane-yellow", "lane-red", "lane-hold"};
	const int64_t v[] = {1200000, 600000, 300000, 0}; /* money: 12000.00 ... */
	const mlv_chart_series s = {"value", v};
	mlv_chart c = {"origin", "Declared value by country", "China first.", NULL,
		       "Declared value (EUR)", labels, classes, 4, &s, 1, 2, 0, 0};
	mlv_buf b = MLV_BUF_INIT(1 << 20);
	assert_int_equal(mlv_chart_bars(&b, &c), 0);
	well_formed(b.data);
	assert_int_equal(count(b.data, "<rect class=\"chart-bar"), 4);
	assert_null(strstr(b.data, "<script>"));
	assert_non_null(strstr(b.data, "&lt;script&gt;&amp;&quot;x&quot;"));
	assert_non_null(strstr(b.data, "T\xc3\xbcrkiye"));
	assert_non_null(strstr(b.data, "class=\"chart-bar lane-red\""));
	assert_non_null(strstr(b.data, "<title>China: 12000</title>"));
	/* widths in proportion: 12000 is twice 6000, four times 3000, and 0 is nothing */
	long w0 = attr_of(b.data, "<rect class=\"chart-bar", 0, "width");
	long w1 = attr_of(b.data, "<rect class=\"chart-bar", 1, "width");
	long w2 = attr_of(b.data, "<rect class=\"chart-bar", 2, "width");
	long w3 = attr_of(b.data, "<rect class=\"chart-bar", 3, "width");
	assert_true(w0 > 0 && labs(w0 - 2 * w1) <= 2 && labs(w0 - 4 * w2) <= 4);
	assert_int_equal(w3, 0);
	/* the bars' axis goes to a round value at or above the largest */
	assert_non_null(strstr(b.data, ">15k</text>"));
	/* the height grows with the categories */
	assert_non_null(strstr(b.data, "viewBox=\"0 0 640 156\""));
	mlv_buf_free(&b);
}

static void test_histogram(void **state)
{
	(void)state;
	const char *labels[] = {"< 15 min", "15-60 min", "1-4 h", "4-24 h", "1-3 d", "> 3 d"};
	const int64_t v[] = {50, 20, 10, 5, 3, 1};
	const mlv_chart_series s = {"releases", v};
	mlv_chart c = {"release-hist", "Release times", "Most within 15 minutes.", "Time to release",
		       "Releases", labels, NULL, 6, &s, 1, 0, 0, 0};
	mlv_buf b = MLV_BUF_INIT(1 << 20);
	assert_int_equal(mlv_chart_histogram(&b, &c), 0);
	well_formed(b.data);
	assert_int_equal(count(b.data, "<rect class=\"chart-bar\""), 6);
	assert_non_null(strstr(b.data, "&lt; 15 min"));
	/* bars side by side, none overlapping, the tallest the first */
	long x0 = attr_of(b.data, "<rect class=\"chart-bar\"", 0, "x");
	long w0 = attr_of(b.data, "<rect class=\"chart-bar\"", 0, "width");
	long x1 = attr_of(b.data, "<rect class=\"chart-bar\"", 1, "x");
	assert_true(x0 + w0 <= x1);
	long h0 = attr_of(b.data, "<rect class=\"chart-bar\"", 0, "height");
	long h1 = attr_of(b.data, "<rect class=\"chart-bar\"", 1, "height");
	assert_true(h0 > h1 && h1 > 0);
	mlv_buf_free(&b);
}

static void test_empty_and_bad(void **state)
{
	(void)state;
	mlv_chart c = {"none", "Nothing", "No consignment in the period.", "Day", "Count", NULL, NULL,
		       0, NULL, 1, 0, 0, 0};
	mlv_buf b = MLV_BUF_INIT(1 << 20);
	assert_int_equal(mlv_chart_line(&b, &c), 0);
	well_formed(b.data);
	assert_non_null(strstr(b.data, "No data for this period"));
	mlv_buf_reset(&b);
	assert_int_equal(mlv_chart_bars(&b, &c), 0);
	assert_non_null(strstr(b.data, "No data for this period"));
	mlv_buf_reset(&b);
	assert_int_equal(mlv_chart_histogram(&b, &c), 0);
	well_formed(b.data);
	/* one point alone is drawn in the middle, without a line */
	const char *one[] = {"2026-11-01"};
	const int64_t v[] = {3};
	const mlv_chart_series s = {"filed", v};
	mlv_chart c1 = {"one", "One day", "Three.", "Day", "Count", one, NULL, 1, &s, 1, 0, 0, 0};
	mlv_buf_reset(&b);
	assert_int_equal(mlv_chart_line(&b, &c1), 0);
	assert_int_equal(count(b.data, "<polyline"), 0);
	assert_int_equal(count(b.data, "<circle"), 1);
	/* negative values put zero inside the axis */
	const int64_t neg[] = {-30, 70};
	const char *two[] = {"a", "b"};
	const mlv_chart_series sn = {"lead", neg};
	mlv_chart c2 = {"neg", "Lead", "Lead time.", "Day", "Hours", two, NULL, 2, &sn, 1, 0, 0, 0};
	mlv_buf_reset(&b);
	assert_int_equal(mlv_chart_line(&b, &c2), 0);
	assert_non_null(strstr(b.data, ">-50</text>"));
	assert_non_null(strstr(b.data, ">100</text>"));
	/* refused: an id that could break out of its attribute, too many series */
	mlv_chart bad = c1;
	bad.id = "a\" onload=\"x";
	assert_int_equal(mlv_chart_line(&b, &bad), MLV_EINVALID);
	bad = c1;
	bad.nseries = MLV_CHART_SERIES_MAX + 1;
	assert_int_equal(mlv_chart_line(&b, &bad), MLV_EINVALID);
	/* the buffer's bound holds */
	mlv_buf small = MLV_BUF_INIT(64);
	assert_int_equal(mlv_chart_line(&small, &c1), MLV_ETOOBIG);
	mlv_buf_free(&small);
	mlv_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steps),
		cmocka_unit_test(test_line),
		cmocka_unit_test(test_bars_and_escaping),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_empty_and_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
