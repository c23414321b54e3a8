/* test_validate.c - the rules beyond element types and the data-quality
 * score (validate.h), on filings decoded from JSON against the real
 * reference data: arithmetic, the low-value ceiling (also through the ECB
 * rate of the order date), returns, documents, weights, dates, and the
 * completeness / consistency / timeliness parts of the score.
 *
 * MLV_DATADIR names the project's data/. */
#include "mlv/validate.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "mlv/codec.h"
#include "testutil.h"

/* 2026-04-20T08:30:00Z, the base filing's expected arrival. */
#define ARRIVAL 1776673800LL
#define HOUR 3600LL

/* One item of `value` in `currency`, invoiced for the same amount. */
static char *single_item(const char *base, const char *currency, const char *value)
{
	char cur[64], val[64];
	snprintf(cur, sizeof(cur), "\"%s\"", currency);
	snprintf(val, sizeof(val), "\"%s\"", value);
	return mutate(base, "/items/1", DEL, "/items/0/currency", cur, "/items/0/value", val,
		      "/transaction/currency", cur, "/transaction/invoice_total", val,
		      "/transaction/shipping_cost", "\"0\"", NULL);
}

/* ---- running the checks ---------------------------------------------------- */

typedef struct checked {
	mlv_arena *arena;
	mlv_consignment c;
	mlv_problems p;
	mlv_quality q;
} checked;

static mlv_validate_opts opts_at(int64_t now)
{
	mlv_validate_opts o = MLV_VALIDATE_OPTS_INIT;
	o.now = now;
	return o;
}

/* Decodes text (which must decode cleanly) and validates it with o. */
static void check_with(checked *k, const char *text, const mlv_validate_opts *o)
{
	k->arena = mlv_arena_new(16384);
	assert_non_null(k->arena);
	mlv_problems_init(&k->p);
	int rc = mlv_consignment_decode(&k->c, text, strlen(text), k->arena, rd, &k->p);
	if (rc != 0 || k->p.count != 0) {
		dump_problems(&k->p);
		fail_msg("the test filing does not decode cleanly (rc %d)", rc);
	}
	memset(&k->q, 0x5a, sizeof(k->q));
	assert_int_equal(mlv_validate(&k->c, rd, o, &k->p, &k->q), 0);
}

/* Validated 48 hours before the expected arrival, with the defaults. */
static void check(checked *k, const char *text)
{
	mlv_validate_opts o = opts_at(ARRIVAL - 48 * HOUR);
	check_with(k, text, &o);
}

static void checked_free(checked *k)
{
	mlv_problems_clear(&k->p);
	mlv_arena_free(k->arena);
}

static void expect_no_problems(const checked *k)
{
	if (k->p.count != 0) {
		dump_problems(&k->p);
		fail_msg("expected no problems, got %zu", k->p.count);
	}
}

/* Exactly one problem: this one. */
static void expect_only(const checked *k, mlv_severity sev, const char *pointer,
			const char *code)
{
	if (k->p.count != 1 || find_problem(&k->p, pointer, code) == NULL ||
	    k->p.items[0].severity != sev) {
		dump_problems(&k->p);
		fail_msg("expected only %s at %s", code, pointer);
	}
}

static int formula(const mlv_quality *q)
{
	return (q->completeness * 40 + q->consistency * 30 + q->timeliness * 30 + 50) / 100;
}

/* ---- rules ----------------------------------------------------------------- */

static void test_base_is_valid(void **state)
{
	(void)state;
	checked k;
	check(&k, base_json);
	expect_no_problems(&k);
	assert_int_equal(k.q.goods_value, 4200);
	assert_true(k.q.lead_known);
	assert_int_equal(k.q.lead_hours, 48);
	assert_int_equal(k.q.consistency, 100);
	assert_int_equal(k.q.timeliness, 100);
	checked_free(&k);
}

static void test_arithmetic_total(void **state)
{
	(void)state;
	checked k;
	char *t = mutate(base_json, "/transaction/invoice_total", "\"43.00\"", NULL);
	check(&k, t);
	expect_only(&k, MLV_SEV_ERROR, "/transaction/invoice_total", "arithmetic");
	assert_non_null(strstr(k.p.items[0].message, "42.00 EUR"));
	assert_non_null(strstr(k.p.items[0].message, "43.00 EUR"));
	checked_free(&k);
	cJSON_free(t);

	t = mutate(base_json, "/items/0/value", "\"29.00\"", NULL);
	check(&k, t);
	expect_only(&k, MLV_SEV_ERROR, "/transaction/invoice_total", "arithmetic");
	checked_free(&k);
	cJSON_free(t);

	/* one line: the value must equal the total exactly */
	t = single_item(base_json, "EUR", "30.00");
	check(&k, t);
	expect_no_problems(&k);
	checked_free(&k);
	char *off = mutate(t, "/transaction/invoice_total", "\"30.05\"", NULL);
	check(&k, off);
	expect_only(&k, MLV_SEV_ERROR, "/transaction/invoice_total", "arithmetic");
	checked_free(&k);
	cJSON_free(off);
	off = mutate(t, "/transaction/invoice_total", "\"29.95\"", NULL);
	check(&k, off);
	expect_only(&k, MLV_SEV_ERROR, "/transaction/invoice_total", "arithmetic");
	checked_free(&k);
	cJSON_free(off);
	cJSON_free(t);
}

/* Lines in another currency are converted at the order date's ECB rate
 * and may differ from the total by 2%. */
static void test_arithmetic_mixed_currencies(void **state)
{
	(void)state;
	int64_t eur = 0;
	assert_int_equal(mlv_fx_convert(rd, 3000, "USD", "EUR", (int32_t)day_of("2026-04-13"), &eur),
			 0);
	char total[32], far[32];
	snprintf(total, sizeof(total), "\"%lld.%02lld\"", (long long)(eur + 1200) / 100,
		 (long long)(eur + 1200) % 100);
	int64_t off = (eur + 1200) * 105 / 100; /* 5% more */
	snprintf(far, sizeof(far), "\"%lld.%02lld\"", (long long)off / 100, (long long)off % 100);
	char *t = mutate(base_json, "/items/0/currency", "\"USD\"", "/transaction/invoice_total",
			 total, NULL);
	checked k;
	check(&k, t);
	expect_no_problems(&k);
	checked_free(&k);
	char *bad = mutate(t, "/transaction/invoice_total", far, NULL);
	check(&k, bad);
	expect_only(&k, MLV_SEV_ERROR, "/transaction/invoice_total", "arithmetic");
	checked_free(&k);
	cJSON_free(bad);
	cJSON_free(t);

	/* no ECB rate for the CFA franc: the total cannot be checked */
	t = mutate(base_json, "/items/0/currency", "\"XOF\"", "/items/0/value", "\"19679\"", NULL);
	check(&k, t);
	expect_only(&k, MLV_SEV_WARNING, "/items/0/currency", "fx_unavailable");
	assert_int_equal(k.q.consistency, 75);
	checked_free(&k);
	cJSON_free(t);
}

static void test_ceiling_eur(void **state)
{
	(void)state;
	checked k;
	char *t = single_item(base_json, "EUR", "150.00");
	check(&k, t);
	expect_no_problems(&k);
	assert_int_equal(k.q.goods_value, 15000);
	checked_free(&k);
	cJSON_free(t);

	t = single_item(base_json, "EUR", "150.01");
	check(&k, t);
	expect_only(&k, MLV_SEV_ERROR, "/category", "category_ceiling");
	assert_non_null(strstr(k.p.items[0].message, "150.01 EUR"));
	assert_non_null(strstr(k.p.items[0].message, "150.00 EUR"));
	assert_int_equal(k.q.goods_value, 15001);
	checked_free(&k);
	/* the same for low_value_non_dutiable */
	char *lvnd = mutate(t, "/category", "\"low_value_non_dutiable\"", NULL);
	check(&k, lvnd);
	expect_only(&k, MLV_SEV_ERROR, "/category", "category_ceiling");
	checked_free(&k);
	cJSON_free(lvnd);
	/* the ceiling is the instance's setting */
	mlv_validate_opts o = opts_at(ARRIVAL - 48 * HOUR);
	o.low_value_ceiling = 20000;
	check_with(&k, t, &o);
	expect_no_problems(&k);
	checked_free(&k);
	/* and high_value has none */
	char *hv = mutate(t, "/category", "\"high_value\"",
			  "/seller/identifier", "\"CN91440300MA5\"",
			  "/buyer/identifier", "\"FR12345678901\"",
			  "/transaction/incoterm", "\"DAP\"",
			  "/items/0/net_weight", "\"0.120\"",
			  "/gross_weight", "\"0.350\"",
			  "/transport/house_document", "\"HAWB0001234\"", NULL);
	check(&k, hv);
	expect_no_problems(&k);
	checked_free(&k);
	cJSON_free(hv);
	cJSON_free(t);
}

/* A USD invoice against the EUR ceiling, at the ECB rate of the order date
 * (2026-04-13: 1 EUR = 1.1684 USD). */
static void test_ceiling_usd(void **state)
{
	(void)state;
	const int32_t day = (int32_t)day_of("2026-04-13");
	int64_t rate = 0;
	int32_t rate_day = 0;
	assert_int_equal(mlv_fx_rate(rd, "USD", day, &rate, &rate_day), 0);
	assert_int_equal(rate, 1168400);
	assert_int_equal(rate_day, day);

	/* the largest USD amount that converts to at most 150.00 EUR */
	int64_t limit = -1;
	for (int64_t usd = 17000; usd < 18000; usd++) {
		int64_t eur = 0, next = 0;
		assert_int_equal(mlv_fx_convert(rd, usd, "USD", "EUR", day, &eur), 0);
		assert_int_equal(mlv_fx_convert(rd, usd + 1, "USD", "EUR", day, &next), 0);
		if (eur <= 15000 && next > 15000) {
			limit = usd;
			break;
		}
	}
	assert_true(limit > 0);
	char under[32], over[32];
	snprintf(under, sizeof(under), "%lld.%02lld", (long long)limit / 100,
		 (long long)limit % 100);
	snprintf(over, sizeof(over), "%lld.%02lld", (long long)(limit + 1) / 100,
		 (long long)(limit + 1) % 100);

	checked k;
	char *t = single_item(base_json, "USD", under);
	check(&k, t);
	expect_no_problems(&k);
	int64_t want = 0;
	assert_int_equal(mlv_fx_convert(rd, limit, "USD", "EUR", day, &want), 0);
	assert_int_equal(k.q.goods_value, want);
	assert_true(k.q.goods_value <= 15000);
	checked_free(&k);
	cJSON_free(t);

	t = single_item(base_json, "USD", over);
	check(&k, t);
	expect_only(&k, MLV_SEV_ERROR, "/category", "category_ceiling");
	assert_true(k.q.goods_value > 15000);
	checked_free(&k);

	/* the rate is the order date's: on 2026-04-10 (1.1711) the same amount
	 * is worth fewer euros and passes */
	const int32_t day10 = (int32_t)day_of("2026-04-10");
	assert_int_equal(mlv_fx_convert(rd, limit + 1, "USD", "EUR", day10, &want), 0);
	assert_true(want <= 15000);
	char *earlier = mutate(t, "/transaction/order_date", "\"2026-04-10\"", NULL);
	check(&k, earlier);
	expect_no_problems(&k);
	assert_int_equal(k.q.goods_value, want);
	checked_free(&k);
	cJSON_free(earlier);
	cJSON_free(t);
}

static void test_return_needs_original(void **state)
{
	(void)state;
	checked k;
	char *t = mutate(base_json, "/declaration_type", "\"return\"", NULL);
	check(&k, t);
	expect_only(&k, MLV_SEV_ERROR, "/original_lrn", "required");
	checked_free(&k);
	char *ok = mutate(t, "/original_lrn", "\"LRN-2026-000001\"", NULL);
	check(&k, ok);
	expect_no_problems(&k);
	checked_free(&k);
	cJSON_free(ok);
	cJSON_free(t);
	/* an import needs none */
	check(&k, base_json);
	assert_null(find_problem(&k.p, "/original_lrn", "required"));
	checked_free(&k);
}

static void test_documents_category(void **state)
{
	(void)state;
	checked k;
	char *t = mutate(base_json, "/category", "\"documents\"", NULL);
	check(&k, t);
	expect_only(&k, MLV_SEV_ERROR, "/category", "category");
	checked_free(&k);
	char *free_of_charge = mutate(t, "/items/0/value", "\"0.00\"", "/items/1/value", "\"0\"",
				      "/transaction/invoice_total", "\"0.00\"", NULL);
	check(&k, free_of_charge);
	expect_no_problems(&k);
	checked_free(&k);
	/* one line of value is enough to refuse */
	char *one = mutate(free_of_charge, "/items/1/value", "\"0.01\"",
			   "/transaction/invoice_total", "\"0.01\"", NULL);
	check(&k, one);
	expect_only(&k, MLV_SEV_ERROR, "/category", "category");
	checked_free(&k);
	cJSON_free(one);
	cJSON_free(free_of_charge);
	cJSON_free(t);
}

static void test_weights(void **state)
{
	(void)state;
	checked k;
	char *t = mutate(base_json, "/items/1/net_weight", "\"0.300\"", "/items/1/gross_weight",
			 "\"0.200\"", NULL);
	check(&k, t);
	expect_only(&k, MLV_SEV_ERROR, "/items/1/net_weight", "arithmetic");
	checked_free(&k);
	cJSON_free(t);
	t = mutate(base_json, "/items/1/net_weight", "\"0.2\"", "/items/1/gross_weight",
		   "\"0.200\"", NULL);
	check(&k, t);
	expect_no_problems(&k);
	checked_free(&k);
	cJSON_free(t);
	/* items heavier than the whole consignment: a warning */
	t = mutate(base_json, "/items/0/gross_weight", "\"0.200\"", "/items/1/gross_weight",
		   "\"0.200\"", "/gross_weight", "\"0.350\"", NULL);
	check(&k, t);
	expect_only(&k, MLV_SEV_WARNING, "/gross_weight", "weight_mismatch");
	assert_int_equal(k.q.consistency, 75);
	checked_free(&k);
	cJSON_free(t);
}

static void test_order_date_future(void **state)
{
	(void)state;
	checked k;
	/* filed on 2026-04-11: the 13th is more than a day ahead */
	mlv_validate_opts o = opts_at((int64_t)day_of("2026-04-11") * 86400 + 12 * HOUR);
	check_with(&k, base_json, &o);
	expect_only(&k, MLV_SEV_ERROR, "/transaction/order_date", "range");
	checked_free(&k);
	/* on the 12th the 13th may already be the order's date somewhere */
	o = opts_at((int64_t)day_of("2026-04-12") * 86400 + 12 * HOUR);
	check_with(&k, base_json, &o);
	expect_no_problems(&k);
	checked_free(&k);
}

static void test_payment(void **state)
{
	(void)state;
	checked k;
	/* 42.00 + 6.90 shipping = 48.90 */
	char *t = mutate(base_json, "/transaction/payment",
			 "{\"method\":\"card\",\"currency\":\"EUR\",\"amount\":\"48.90\"}", NULL);
	check(&k, t);
	expect_no_problems(&k);
	assert_int_equal(k.q.consistency, 100);
	checked_free(&k);
	cJSON_free(t);
	t = mutate(base_json, "/transaction/payment",
		   "{\"method\":\"card\",\"currency\":\"EUR\",\"amount\":\"50.00\"}", NULL);
	check(&k, t);
	expect_only(&k, MLV_SEV_WARNING, "/transaction/payment/amount", "payment_mismatch");
	assert_int_equal(k.q.consistency, 75);
	assert_int_equal(k.q.score, formula(&k.q));
	/* a warning names its element as weak */
	bool weak = false;
	for (size_t i = 0; i < k.q.weak_count; i++)
		weak |= strcmp(k.q.weak[i], "/transaction/payment/amount") == 0;
	assert_true(weak);
	checked_free(&k);
	cJSON_free(t);
}

/* ---- quality ------------------------------------------------------------------ */

static void test_timeliness(void **state)
{
	(void)state;
	checked k;
	mlv_validate_opts o = opts_at(ARRIVAL - 48 * HOUR);
	check_with(&k, base_json, &o);
	expect_no_problems(&k);
	assert_int_equal(k.q.timeliness, 100);
	assert_int_equal(k.q.lead_hours, 48);
	checked_free(&k);

	o = opts_at(ARRIVAL - 24 * HOUR);
	check_with(&k, base_json, &o);
	assert_int_equal(k.q.timeliness, 100);
	checked_free(&k);

	o = opts_at(ARRIVAL - 12 * HOUR);
	check_with(&k, base_json, &o);
	expect_no_problems(&k);
	assert_int_equal(k.q.timeliness, 50);
	assert_int_equal(k.q.lead_hours, 12);
	assert_int_equal(k.q.consistency, 100);
	bool weak = false;
	for (size_t i = 0; i < k.q.weak_count; i++)
		weak |= strcmp(k.q.weak[i], "/transport/expected_arrival") == 0;
	assert_true(weak);
	checked_free(&k);

	o = opts_at(ARRIVAL - 6 * HOUR);
	check_with(&k, base_json, &o);
	assert_int_equal(k.q.timeliness, 25);
	checked_free(&k);

	/* timely_hours decides what earns full marks */
	o = opts_at(ARRIVAL - 12 * HOUR);
	o.timely_hours = 12;
	check_with(&k, base_json, &o);
	assert_int_equal(k.q.timeliness, 100);
	checked_free(&k);

	/* after arrival: nothing for timeliness, and a warning that does not
	 * also cost consistency */
	o = opts_at(ARRIVAL + HOUR);
	check_with(&k, base_json, &o);
	expect_only(&k, MLV_SEV_WARNING, "/transport/expected_arrival", "late_filing");
	assert_int_equal(k.q.timeliness, 0);
	assert_int_equal(k.q.lead_hours, -1);
	assert_true(k.q.lead_known);
	assert_int_equal(k.q.consistency, 100);
	checked_free(&k);

	o = opts_at(ARRIVAL + 90 * 60);
	check_with(&k, base_json, &o);
	assert_int_equal(k.q.lead_hours, -2);
	checked_free(&k);

	/* exactly at arrival is late too, and counted once */
	o = opts_at(ARRIVAL);
	check_with(&k, base_json, &o);
	expect_only(&k, MLV_SEV_WARNING, "/transport/expected_arrival", "late_filing");
	assert_int_equal(k.q.timeliness, 0);
	assert_int_equal(k.q.consistency, 100);
	checked_free(&k);

	/* late and inconsistent: only the other warning costs consistency */
	char *t = mutate(base_json, "/transaction/payment",
			 "{\"currency\":\"EUR\",\"amount\":\"50.00\"}", NULL);
	o = opts_at(ARRIVAL + 5 * HOUR);
	check_with(&k, t, &o);
	assert_int_equal(k.p.warnings, 2);
	assert_int_equal(k.q.consistency, 75);
	checked_free(&k);
	cJSON_free(t);
}

static void test_completeness(void **state)
{
	(void)state;
	checked k;
	check(&k, base_json);
	/* Optional non-personal elements of the base under low_value_dutiable:
	 * transport master_document, house_document,
	 * carrier identifier, identifier_type, country (the 3 present),
	 * conveyance_reference, seller and buyer identifier_type, incoterm,
	 * insurance_cost, gross_weight (11; original_lrn is conditional and
	 * never counted), and 5 per item (unit,
	 * net_weight, gross_weight, gtin, brand), plus the optional elements
	 * of each absent optional object or array, as if present and empty:
	 * platform 3, intermediary 3, tax_collected 0, documents 2,
	 * transaction/payment 5: 3 of 34. */
	int base = k.q.completeness;
	assert_int_equal(base, 3 * 100 / 34);
	int base_score = k.q.score;
	mlv_quality base_q = k.q;
	checked_free(&k);

	char *more = mutate(base_json, "/items/0/gtin", "\"4006381333931\"", "/items/0/brand",
			    "\"Example\"", "/items/1/gtin", "\"96385074\"", "/items/1/brand",
			    "\"Example\"", NULL);
	check(&k, more);
	expect_no_problems(&k);
	assert_int_equal(k.q.completeness, 7 * 100 / 34);
	assert_true(k.q.completeness > base);
	assert_true(k.q.score > base_score);
	checked_free(&k);
	cJSON_free(more);

	/* personal data earns nothing */
	char *personal = mutate(base_json, "/buyer/email", "\"camille@example.org\"",
				"/buyer/phone", "\"+33612345678\"", "/seller/email",
				"\"sales@example.cn\"", "/buyer/address/region",
				"\"Auvergne-Rhone-Alpes\"", "/buyer/identifier",
				"\"FR12345678901\"", NULL);
	check(&k, personal);
	expect_no_problems(&k);
	assert_int_equal(k.q.completeness, base);
	assert_int_equal(k.q.score, base_score);
	assert_int_equal(k.q.weak_count, base_q.weak_count);
	for (size_t i = 0; i < k.q.weak_count; i++)
		assert_string_equal(k.q.weak[i], base_q.weak[i]);
	checked_free(&k);
	cJSON_free(personal);

	/* adding an optional object with only its required element never
	 * lowers completeness (it was one missing element; now its fields) */
	char *plat = mutate(base_json, "/platform", "{\"name\":\"ExampleMarket\"}", NULL);
	check(&k, plat);
	expect_no_problems(&k);
	assert_true(k.q.completeness >= base);
	checked_free(&k);
	cJSON_free(plat);

	/* a required element is no extra: house_document counts for
	 * low_value_dutiable (optional there) but not for high_value */
	char *hd = mutate(base_json, "/transport/house_document", "\"HAWB0001234\"", NULL);
	check(&k, hd);
	assert_int_equal(k.q.completeness, 4 * 100 / 34);
	checked_free(&k);
	cJSON_free(hd);
}

static void test_score(void **state)
{
	(void)state;
	checked k;
	/* 12 hours ahead: completeness 8, consistency 100, timeliness 50 ->
	 * (8*40 + 100*30 + 50*30 + 50) / 100 = 48 */
	mlv_validate_opts o = opts_at(ARRIVAL - 12 * HOUR);
	check_with(&k, base_json, &o);
	assert_int_equal(k.q.completeness, 8);
	assert_int_equal(k.q.score, 48);
	checked_free(&k);

	static const int64_t leads[] = {72, 48, 24, 18, 12, 3, 1, 0, -1, -30};
	const char *variants[] = {base_json, NULL, NULL};
	char *rich = mutate(base_json, "/items/0/gtin", "\"4006381333931\"", "/items/0/unit",
			    "\"piece\"", "/transaction/payment",
			    "{\"currency\":\"EUR\",\"amount\":\"60.00\"}", NULL);
	char *heavy = mutate(base_json, "/items/0/gross_weight", "\"0.300\"",
			     "/items/1/gross_weight", "\"0.300\"", "/gross_weight", "\"0.100\"",
			     "/transaction/payment", "{\"currency\":\"EUR\",\"amount\":\"1.00\"}",
			     NULL);
	variants[1] = rich;
	variants[2] = heavy;
	for (size_t v = 0; v < MLV_ARRAY_LEN(variants); v++) {
		for (size_t i = 0; i < MLV_ARRAY_LEN(leads); i++) {
			o = opts_at(ARRIVAL - leads[i] * HOUR);
			check_with(&k, variants[v], &o);
			assert_in_range(k.q.score, 0, 100);
			assert_in_range(k.q.completeness, 0, 100);
			assert_int_equal(k.q.score, formula(&k.q));
			/* consistency loses 25 per warning other than late filing */
			size_t w = k.p.warnings - (leads[i] <= 0 ? 1 : 0);
			assert_int_equal(k.q.consistency, w >= 4 ? 0 : 100 - 25 * (int)w);
			checked_free(&k);
		}
	}
	/* the heavy variant: two warnings -> consistency 50 */
	o = opts_at(ARRIVAL - 48 * HOUR);
	check_with(&k, heavy, &o);
	assert_int_equal(k.p.warnings, 2);
	assert_int_equal(k.q.consistency, 50);
	checked_free(&k);
	cJSON_free(rich);
	cJSON_free(heavy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_is_valid),
		cmocka_unit_test(test_arithmetic_total),
		cmocka_unit_test(test_arithmetic_mixed_currencies),
		cmocka_unit_test(test_ceiling_eur),
		cmocka_unit_test(test_ceiling_usd),
		cmocka_unit_test(test_return_needs_original),
		cmocka_unit_test(test_documents_category),
		cmocka_unit_test(test_weights),
		cmocka_unit_test(test_order_date_future),
		cmocka_unit_test(test_payment),
		cmocka_unit_test(test_timeliness),
		cmocka_unit_test(test_completeness),
		cmocka_unit_test(test_score),
	};
	return cmocka_run_group_tests(tests, refdata_group_setup, refdata_group_teardown);
}
