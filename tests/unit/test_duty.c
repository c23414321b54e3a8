/* test_duty.c - the duty and tax engine (duty.h) on the real profiles of
 * data/countries and tariffs of data/tariffs.
 *
 * Vectors are table-driven: each names the figures it checks and where the
 * expected amounts come from (the legal rule, then the arithmetic).  Where
 * an amount depends on an ECB rate, the expected value is computed in the
 * test from mlv_fx_convert and the rule's formula, so the vector checks the
 * rule, not the rate.  Then properties over random baskets for every
 * profile: amounts never negative, totals the sums of the lines, amounts
 * monotonic in value while the same rules apply; the consignment path and
 * the JSON output.
 *
 * MLV_DATADIR (a string, set by the build) names the project's data/. */
#include "mlv/duty.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "mlv/arena.h"
#include "mlv/codec.h"
#include "testutil.h"

static unsigned scheme_idx(const char *word)
{
	const mlv_field *tc = mlv_schema_field(&mlv_consignment_schema, "tax_collected");
	const mlv_field *f = mlv_schema_field(tc->sub, "scheme");
	for (unsigned i = 0; f->values[i] != NULL; i++)
		if (strcmp(f->values[i], word) == 0)
			return i + 1;
	fail_msg("no scheme %s", word);
	return 0;
}

/* ---- vectors ---- */

#define X INT64_MIN /* not checked */
#define COMPLETE 1
#define INCOMPLETE 2
#define MAX_ITEMS 4

typedef struct item_spec {
	const char *hs;
	const char *origin;
	const char *cur;
	int64_t value;
	int64_t qty;
} item_spec;

typedef struct vec {
	const char *name;
	const char *country;
	const char *day;
	item_spec items[MAX_ITEMS];
	const char *cur; /* of shipping and insurance */
	int64_t shipping, insurance;
	const char *channel, *bm, *scheme, *number;
	bool platform, intermediary, deferred;
	const char *region;
	int64_t cbec_used;
	/* expected, minor units of the profile currency */
	int64_t duty, excise, tax, at_sale, fees, border;
	const char *model; /* NULL: not checked */
	int complete;      /* -1: not checked */
	const char *rule0; /* duty rule of line 0, NULL: not checked */
} vec;

static size_t nitems(const vec *v)
{
	size_t n = 0;
	while (n < MAX_ITEMS && v->items[n].hs != NULL)
		n++;
	return n;
}

static int run(const vec *v, mlv_assessment **out, mlv_problems *pr)
{
	const mlv_profile *p = mlv_profiles_get(ps, v->country);
	assert_non_null(p);
	mlv_duty_item items[MAX_ITEMS];
	memset(items, 0, sizeof(items));
	size_t n = nitems(v);
	for (size_t i = 0; i < n; i++) {
		items[i].hs_code = v->items[i].hs;
		snprintf(items[i].origin, sizeof(items[i].origin), "%s",
			 v->items[i].origin ? v->items[i].origin : "");
		snprintf(items[i].currency, sizeof(items[i].currency), "%s", v->items[i].cur);
		items[i].value = v->items[i].value;
		items[i].quantity = v->items[i].qty;
	}
	mlv_basket b = {0};
	b.items = items;
	b.item_count = n;
	if (v->cur != NULL)
		snprintf(b.currency, sizeof(b.currency), "%s", v->cur);
	b.shipping = v->shipping;
	b.insurance = v->insurance;
	b.channel = v->channel ? (uint8_t)mlv_enum_index("channel", v->channel) : 0;
	b.business_model = v->bm ? (uint8_t)mlv_enum_index("business_model", v->bm) : 0;
	b.scheme = v->scheme ? (uint8_t)scheme_idx(v->scheme) : 0;
	b.registration_number = v->number;
	b.platform = v->platform;
	b.intermediary = v->intermediary;
	b.buyer_region = v->region;
	mlv_duty_opts o = MLV_DUTY_OPTS_INIT;
	o.day = day_of(v->day);
	o.cbec_annual_used = v->cbec_used;
	o.deferred_account = v->deferred;
	return mlv_duty_assess(out, p, &b, &o, pr);
}

#define CHECK(field, want)                                                            \
	do {                                                                           \
		if ((want) != X && a->field != (want))                                 \
			fail_msg("%s: %s is %lld, want %lld", v->name, #field,         \
				 (long long)a->field, (long long)(want));              \
	} while (0)

static void check(const vec *v)
{
	mlv_assessment *a = NULL;
	mlv_problems pr;
	mlv_problems_init(&pr);
	int rc = run(v, &a, &pr);
	if (rc != 0)
		fail_msg("%s: rc %d %s", v->name, rc, pr.count ? pr.items[0].message : "");
	CHECK(duty, v->duty);
	CHECK(excise, v->excise);
	CHECK(tax, v->tax);
	CHECK(tax_at_sale, v->at_sale);
	CHECK(fees, v->fees);
	CHECK(border_total, v->border);
	if (v->model != NULL && strcmp(mlv_duty_model_name(a->model), v->model) != 0)
		fail_msg("%s: model %s, want %s", v->name, mlv_duty_model_name(a->model), v->model);
	if (v->complete != 0 && a->complete != (v->complete == COMPLETE))
		fail_msg("%s: complete %d", v->name, a->complete);
	if (v->rule0 != NULL &&
	    (a->lines[0].duty_rule == NULL || strcmp(a->lines[0].duty_rule->id, v->rule0) != 0))
		fail_msg("%s: line 0 duty rule %s, want %s", v->name,
			 a->lines[0].duty_rule ? a->lines[0].duty_rule->id : "(none)", v->rule0);
	mlv_duty_free(a);
	mlv_problems_clear(&pr);
}

/* Shorthands: one item; E = expected amounts {duty, excise, tax, at_sale,
 * fees, border}. */
#define ONE(hs, origin, cur, value) .items = {{hs, origin, cur, value, 1000}}
#define E(d, x, t, s, f, b) .duty = d, .excise = x, .tax = t, .at_sale = s, .fees = f, .border = b

static const vec vectors[] = {
	/* ---- GB ---- */
	/* Issue #3: duty 2% of GBP 1,000 = 20, VAT 20% of 1,020 = 204.  UKGT
	 * 4008 11 (plates of cellular vulcanised rubber) is 2%
	 * (gov.uk UKGT file); VAT 20% on value + duty (VATA 1994 s. 21). */
	{.name = "GB VAT on value plus duty", .country = "GB", .day = "2026-08-01",
	 ONE("400811", "CN", "GBP", 100000), E(2000, 0, 20400, 0, 0, 22400), .model = "buyer",
	 .complete = COMPLETE, .rule0 = "GB-UKGT-2021"},
	/* GBP 135 relief: no duty at 135.00 (gov.uk "Tax and customs for goods
	 * sent from abroad"); VAT 20% x 135 charged at sale by the seller. */
	{.name = "GB at GBP 135", .country = "GB", .day = "2026-08-01",
	 ONE("610910", "CN", "GBP", 13500), E(0, 0, 0, 2700, 0, 0), .model = "seller_scheme",
	 .complete = COMPLETE, .rule0 = "GB-LVC-DUTY"},
	/* One penny above: duty 12% (UKGT 6109) x 135.01 = 16.2012 -> 16.20;
	 * VAT 20% x 151.21 = 30.242 -> 30.24 at the border. */
	{.name = "GB one penny above 135", .country = "GB", .day = "2026-08-01",
	 ONE("610910", "CN", "GBP", 13501), E(1620, 0, 3024, 0, 0, 4644), .model = "buyer",
	 .complete = COMPLETE},
	/* Excise good under the threshold: wine has no relief (gov.uk: excise
	 * goods are charged whatever their value); its UK duty is specific (not
	 * computed, assessment incomplete); import VAT 20% x 20 = 4.00 at the
	 * border, not at sale. */
	{.name = "GB wine under 135", .country = "GB", .day = "2026-08-01",
	 ONE("220421", "FR", "GBP", 2000), E(0, 0, 400, 0, 0, 400), .model = "buyer",
	 .complete = INCOMPLETE},
	/* A marketplace with a UK VAT number (GB + 9 digits): VAT at sale
	 * 20% x 100 = 20.00, the platform's; nothing at the border. */
	{.name = "GB platform registered", .country = "GB", .day = "2026-08-01",
	 ONE("610910", "CN", "GBP", 10000), .scheme = "uk_vat", .number = "GB123456789",
	 .platform = true, E(0, 0, 0, 2000, 0, 0), .model = "platform_scheme"},
	/* Post above 135: duty 12% x 200 = 24.00, VAT 20% x 224 = 44.80, and
	 * Royal Mail's GBP 8 fee since something is collected. */
	{.name = "GB post with handling fee", .country = "GB", .day = "2026-08-01",
	 ONE("610910", "CN", "GBP", 20000), .channel = "post", E(2400, 0, 4480, 0, 800, 7680)},
	/* Before 2021 the UK applied the EU's EUR 150 duty relief and its own
	 * GBP 15 VAT relief: GBP 100 pays VAT 20.00 but no duty. */
	{.name = "GB 2020 EU relief", .country = "GB", .day = "2020-06-01",
	 ONE("610910", "CN", "GBP", 10000), E(0, 0, 2000, 0, 0, 2000),
	 .rule0 = "GB-EU-RELIEF-150"},

	/* ---- EU (France) ---- */
	/* IOSS above EUR 150: the scheme's ceiling is EUR 150 (Directive
	 * 2006/112/EC art. 369l), so VAT is due at import; the duty relief of
	 * Reg. 1186/2009 art. 23 stops at 150 too.  Duty 12% x 150.01 =
	 * 18.0012 -> 18.00; VAT 20% x 168.01 = 33.602 -> 33.60. */
	{.name = "FR IOSS above 150", .country = "FR", .day = "2025-06-01",
	 ONE("610910", "CN", "EUR", 15001), .channel = "post", .scheme = "ioss",
	 .number = "IM2500001234", .platform = true, E(1800, 0, 3360, 0, 0, 5160),
	 .model = "buyer"},
	/* IOSS at EUR 150.00: no duty (relief), VAT 20% x 150 = 30.00 at sale. */
	{.name = "FR IOSS at 150", .country = "FR", .day = "2025-06-01",
	 ONE("610910", "CN", "EUR", 15000), .channel = "post", .scheme = "ioss",
	 .number = "IM2500001234", .platform = true, E(0, 0, 0, 3000, 0, 0),
	 .model = "platform_scheme", .rule0 = "EU-RELIEF-NEGLIGIBLE"},
	/* A malformed IOSS number (IM + 9 digits) is no registration: VAT at
	 * the border 20% x 100 = 20.00, the duty relief still applies. */
	{.name = "FR IOSS bad number", .country = "FR", .day = "2025-06-01",
	 ONE("610910", "CN", "EUR", 10000), .scheme = "ioss", .number = "IM250000123",
	 E(0, 0, 2000, 0, 0, 2000), .model = "buyer"},
	/* The EU rule change.  Three lines, two distinct tariff codes, EUR 70,
	 * IOSS by post.  On 2026-06-30 the relief applies: no duty; VAT at sale
	 * 20% x 70 = 14.00; France's TPC (EUR 2 per item category from
	 * 2026-03-01) = 4.00, due by the platform. */
	{.name = "FR 2026-06-30 relief", .country = "FR", .day = "2026-06-30",
	 .items = {{"610910", "CN", "EUR", 4000, 1000}, {"851713", "CN", "EUR", 2000, 1000},
		   {"610910", "CN", "EUR", 1000, 1000}},
	 .channel = "post", .scheme = "ioss", .number = "IM2500001234", .platform = true,
	 E(0, 0, 0, 1400, 400, 0), .model = "platform_scheme", .rule0 = "EU-RELIEF-NEGLIGIBLE"},
	/* ... and on 2026-07-01 Reg. (EU) 2026/382 art. 2: EUR 3 per distinct
	 * tariff line = 6.00 at the border; VAT and TPC unchanged. */
	{.name = "FR 2026-07-01 flat duty", .country = "FR", .day = "2026-07-01",
	 .items = {{"610910", "CN", "EUR", 4000, 1000}, {"851713", "CN", "EUR", 2000, 1000},
		   {"610910", "CN", "EUR", 1000, 1000}},
	 .channel = "post", .scheme = "ioss", .number = "IM2500001234", .platform = true,
	 E(600, 0, 0, 1400, 400, 600), .model = "platform_scheme", .rule0 = "EU-FLAT-3EUR"},
	/* Outside the flat duty's scope (express, no IOSS) the relief is gone
	 * and the CET applies: 12% x 50 = 6.00 on 6109, 0 on 8517; VAT 20% x
	 * (56 + 20) = 15.20 at the border; TPC 4.00. */
	{.name = "FR 2026-07-01 express tariff duty", .country = "FR", .day = "2026-07-01",
	 .items = {{"610910", "CN", "EUR", 5000, 1000}, {"851713", "CN", "EUR", 2000, 1000}},
	 .channel = "express", E(600, 0, 1520, 0, 400, 2120), .model = "buyer",
	 .rule0 = "EU-CET-2020"},
	/* 2028-07-01: the flat duty has ended, the CET applies even by post. */
	{.name = "FR 2028-07-01 tariff duty", .country = "FR", .day = "2028-07-01",
	 ONE("610910", "CN", "EUR", 5000), .channel = "post", .scheme = "ioss",
	 .number = "IM2500001234", .platform = true, E(600, 0, 0, 1000, 200, 600),
	 .rule0 = "EU-CET-2020"},
	/* The EUR 3 duty's ceiling (Reg. 2026/382 art. 2: intrinsic value not
	 * over EUR 150): at 150.00 EUR 3 and VAT at sale 30.00 (no TPC: it is
	 * for parcels under 150); at 150.01 the CET 12% = 18.00 and, IOSS
	 * ceiling exceeded, VAT 20% x 168.01 = 33.60 at the border. */
	{.name = "FR 2026 flat duty at 150", .country = "FR", .day = "2026-07-01",
	 ONE("610910", "CN", "EUR", 15000), .channel = "post", .scheme = "ioss",
	 .number = "IM2500001234", .platform = true, E(300, 0, 0, 3000, 0, 300),
	 .rule0 = "EU-FLAT-3EUR"},
	{.name = "FR 2026 flat duty above 150", .country = "FR", .day = "2026-07-01",
	 ONE("610910", "CN", "EUR", 15001), .channel = "post", .scheme = "ioss",
	 .number = "IM2500001234", .platform = true, E(1800, 0, 3360, 0, 0, 5160),
	 .rule0 = "EU-CET-2020"},
	/* Excise good under EUR 150 (Reg. 1186/2009 art. 24; IOSS excludes
	 * excise goods): no relief, duty specific (not computed), VAT 20% x
	 * 30 = 6.00 at the border although an IOSS number is given. */
	{.name = "FR wine under 150", .country = "FR", .day = "2025-06-01",
	 ONE("220421", "IT", "EUR", 3000), .scheme = "ioss", .number = "IM2500001234",
	 .platform = true, E(0, 0, 600, 0, 0, 600), .model = "buyer", .complete = INCOMPLETE},
	/* Bonded fulfilment centre: the relief needs goods sent direct from a
	 * third country (art. 23), so duty 12% x 100 = 12.00, VAT 22.40. */
	{.name = "FR bonded fulfilment centre", .country = "FR", .day = "2025-06-01",
	 ONE("610910", "CN", "EUR", 10000), .bm = "bonded_fulfilment_centre",
	 E(1200, 0, 2240, 0, 0, 3440)},
	/* Non-bonded fulfilment centre: a domestic sale, nothing at import. */
	{.name = "FR non-bonded fulfilment centre", .country = "FR", .day = "2025-06-01",
	 ONE("610910", "CN", "EUR", 10000), .bm = "non_bonded_fulfilment_centre",
	 E(0, 0, 0, 0, 0, 0), .model = "domestic"},
	/* Germany's 16% VAT of 2020-07-01..2020-12-31 (ibericode/vat-rates) and
	 * the EUR 22 VAT relief of Directive 2009/132 art. 23 before 2021-07:
	 * EUR 100 -> VAT 16.00, no duty. */
	{.name = "DE 16% in 2020", .country = "DE", .day = "2020-12-31",
	 ONE("610910", "CN", "EUR", 10000), E(0, 0, 1600, 0, 0, 1600)},
	{.name = "DE 19% from 2021", .country = "DE", .day = "2021-01-01",
	 ONE("610910", "CN", "EUR", 10000), E(0, 0, 1900, 0, 0, 1900)},
	{.name = "DE VAT relief at 22", .country = "DE", .day = "2021-06-30",
	 ONE("610910", "CN", "EUR", 2200), E(0, 0, 0, 0, 0, 0), .model = "none"},
	/* 22.01: VAT 19% x 22.01 = 4.1819 -> 4.18. */
	{.name = "DE VAT one cent above 22", .country = "DE", .day = "2021-06-30",
	 ONE("610910", "CN", "EUR", 2201), E(0, 0, 418, 0, 0, 418)},
	/* Estonia 24% from 2025-07-01 and Finland 25.5% from 2024-09-01. */
	{.name = "EE 24%", .country = "EE", .day = "2025-07-01",
	 ONE("610910", "CN", "EUR", 10000), E(0, 0, 2400, 0, 0, 2400)},
	{.name = "FI 25.5%", .country = "FI", .day = "2024-09-01",
	 ONE("610910", "CN", "EUR", 10000), E(0, 0, 2550, 0, 0, 2550)},

	/* ---- US ---- */
	/* 19 U.S.C. 1321: USD 800 de minimis, not for goods of CN/HK from
	 * 2025-05-02 (EO 14256): a Vietnamese T-shirt of USD 100 on 2025-08-28
	 * is duty-free and needs no entry (no MPF). */
	{.name = "US de minimis 2025-08-28", .country = "US", .day = "2025-08-28",
	 ONE("610910", "VN", "USD", 10000), E(0, 0, 0, 0, 0, 0), .model = "none",
	 .rule0 = "US-DM-800-NOT-CN"},
	/* EO 14324 suspends de minimis from 2025-08-29: HTS 6109.10.00 16.5% x
	 * 100 = 16.50 plus the informal-entry MPF of USD 2.69. */
	{.name = "US suspension 2025-08-29", .country = "US", .day = "2025-08-29",
	 ONE("610910", "VN", "USD", 10000), E(1650, 0, 0, 0, 269, 1919), .model = "buyer",
	 .rule0 = "US-HTS-2025"},
	{.name = "US China origin 2025-06-01", .country = "US", .day = "2025-06-01",
	 ONE("610910", "CN", "USD", 10000), E(1650, 0, 0, 0, 269, 1919)},
	/* At USD 800.00 exactly the relief applies; at 800.01 duty 16.5% =
	 * 132.00165 -> 132.00 plus MPF 2.69. */
	{.name = "US at 800", .country = "US", .day = "2025-01-15",
	 ONE("610910", "VN", "USD", 80000), E(0, 0, 0, 0, 0, 0)},
	{.name = "US one cent above 800", .country = "US", .day = "2025-01-15",
	 ONE("610910", "VN", "USD", 80001), E(13200, 0, 0, 0, 269, 13469)},
	/* The informal-entry limit (19 CFR 143.21: not over USD 2,500): at
	 * 2500.00 duty 412.50 + MPF 2.69; at 2500.01 a formal entry, MPF at
	 * its FY 2025 minimum 32.71. */
	{.name = "US informal entry at 2500", .country = "US", .day = "2025-06-01",
	 ONE("610910", "VN", "USD", 250000), E(41250, 0, 0, 0, 269, 41519)},
	{.name = "US formal entry above 2500", .country = "US", .day = "2025-06-01",
	 ONE("610910", "VN", "USD", 250001), E(41250, 0, 0, 0, 3271, 44521)},
	/* Formal entry above USD 2,500: MPF 0.3464% x 3000 = 10.39, raised to
	 * the FY 2025 minimum of USD 32.71 (FR Doc 2024-15990). */
	{.name = "US formal entry MPF minimum", .country = "US", .day = "2025-06-01",
	 ONE("610910", "VN", "USD", 300000), E(49500, 0, 0, 0, 3271, 52771)},

	/* ---- CH ---- */
	/* No duty on industrial goods from 2024; VAT 8.1% x 61.70 = 4.9977 ->
	 * 5.00, not more than CHF 5: not collected (SR 641.204 art. 1(d)). */
	{.name = "CH levy 5.00 waived", .country = "CH", .day = "2025-06-01",
	 ONE("851713", "CN", "CHF", 6170), E(0, 0, 0, 0, 0, 0), .model = "none",
	 .rule0 = "CH-DUTY-INDUSTRIAL-0"},
	/* 62.03: 5.0244 -> 5.02 -> 5.00 at 5 centimes: still waived.  62.04:
	 * 5.0252 -> 5.03 -> 5.05: collected.  (5-centime rounding unverified.) */
	{.name = "CH levy 62.03 waived", .country = "CH", .day = "2025-06-01",
	 ONE("851713", "CN", "CHF", 6203), E(0, 0, 0, 0, 0, 0)},
	{.name = "CH levy 62.04 collected", .country = "CH", .day = "2025-06-01",
	 ONE("851713", "CN", "CHF", 6204), E(0, 0, 505, 0, 0, 505), .model = "buyer"},
	/* Books at the reduced 2.6%: CHF 100 -> 2.60 waived, CHF 200 -> 5.20. */
	{.name = "CH books 100 waived", .country = "CH", .day = "2025-06-01",
	 ONE("490199", "DE", "CHF", 10000), E(0, 0, 0, 0, 0, 0)},
	{.name = "CH books 200", .country = "CH", .day = "2025-06-01",
	 ONE("490199", "DE", "CHF", 20000), E(0, 0, 520, 0, 0, 520)},
	/* Before 2024 industrial goods had weight duties (not computed); VAT
	 * 7.7% x 100 = 7.70. */
	{.name = "CH 2023 weight duty", .country = "CH", .day = "2023-06-01",
	 ONE("851713", "CN", "CHF", 10000), E(0, 0, 770, 0, 0, 770), .complete = INCOMPLETE,
	 .rule0 = "CH-DUTY-SPECIFIC"},

	/* ---- NZ ---- */
	/* Before 2019-12 only the NZD 60 waiver: NZD 289.11 -> duty (default
	 * 5%) 14.46, GST 15% x 303.57 = 45.54: total 60.00, not under 60:
	 * collected.  289.10 -> 14.46 + 45.53 = 59.99: not collected. */
	{.name = "NZ duty+GST at 60", .country = "NZ", .day = "2019-06-01",
	 ONE("610910", "CN", "NZD", 28911), E(1446, 0, 4554, 0, 0, 6000), .model = "buyer"},
	{.name = "NZ duty+GST under 60", .country = "NZ", .day = "2019-06-01",
	 ONE("610910", "CN", "NZD", 28910), E(0, 0, 0, 0, 0, 0), .model = "none"},
	/* From 2019-12-01: NZD 1,000 relief, GST 15% x 1000 = 150 at sale. */
	{.name = "NZ at 1000", .country = "NZ", .day = "2026-08-01",
	 ONE("610910", "CN", "NZD", 100000), E(0, 0, 0, 15000, 0, 0), .model = "seller_scheme"},
	/* 1000.01: duty 5% = 50.00, GST 15% x 1050.01 = 157.50, biosecurity
	 * levy 46.40 (MPI, from 2023-07-01). */
	{.name = "NZ one cent above 1000", .country = "NZ", .day = "2026-08-01",
	 ONE("610910", "CN", "NZD", 100001), E(5000, 0, 15750, 0, 4640, 25390)},
	/* FOB customs value, GST on value + duty + freight (GST Act s. 12):
	 * 2000 + 100 shipping -> duty 100, GST 15% x 2200 = 330, levy 46.40;
	 * an intermediary with a deferred account pays on the statement. */
	{.name = "NZ freight in GST base, deferred", .country = "NZ", .day = "2026-08-01",
	 ONE("610910", "CN", "NZD", 200000), .cur = "NZD", .shipping = 10000,
	 .intermediary = true, .deferred = true, E(10000, 0, 33000, 0, 4640, 47640),
	 .model = "intermediary_deferred"},

	/* ---- CN (CBEC) ---- */
	/* Caiguanshui [2018] 49: within the limits 0% duty and 70% of VAT:
	 * 13% x 1000 x 70% = 91.00, withheld by the platform. */
	{.name = "CN preferential", .country = "CN", .day = "2025-06-01",
	 ONE("610910", "US", "CNY", 100000), .platform = true, E(0, 0, 9100, 0, 0, 9100),
	 .model = "platform_withholding", .rule0 = "CN-CBEC-2019"},
	/* Each good's own VAT rate: fresh milk 0401 at 9% -> 500 x 9% x 70% =
	 * 31.50; milk powder 0402 at 13% -> 45.50. */
	{.name = "CN fresh milk 9%", .country = "CN", .day = "2025-06-01",
	 ONE("040120", "NZ", "CNY", 50000), E(0, 0, 3150, 0, 0, 3150)},
	{.name = "CN milk powder 13%", .country = "CN", .day = "2025-06-01",
	 ONE("040210", "NZ", "CNY", 50000), E(0, 0, 4550, 0, 0, 4550)},
	/* The annual limit: 25,000 used + 1,000 = 26,000: still within. */
	{.name = "CN annual limit reached", .country = "CN", .day = "2025-06-01",
	 ONE("610910", "US", "CNY", 100000), .cbec_used = 2500000, E(0, 0, 9100, 0, 0, 9100)},
	/* 25,000.01 used: crossing 26,000: general trade rates, duty (default
	 * 7.5%) 75.00, VAT 13% x 1075 = 139.75. */
	{.name = "CN buyer crosses the annual limit", .country = "CN", .day = "2025-06-01",
	 ONE("610910", "US", "CNY", 100000), .cbec_used = 2500001,
	 E(7500, 0, 13975, 0, 0, 21475), .rule0 = "CN-DUTY-DEFAULT"},
	/* The order limit: 5,000.00 within (13% x 5000 x 70% = 455.00); one
	 * item of 5,000.01: full duty 375.00 and VAT 13% x 5375.01 = 698.75. */
	{.name = "CN order at 5000", .country = "CN", .day = "2025-06-01",
	 ONE("610910", "US", "CNY", 500000), E(0, 0, 45500, 0, 0, 45500)},
	{.name = "CN single item above 5000", .country = "CN", .day = "2025-06-01",
	 ONE("610910", "US", "CNY", 500001), E(37500, 0, 69875, 0, 0, 107375)},
	/* Consumption tax on cosmetics, 15% on (value + duty) / (1 - 15%):
	 * 1000 / 0.85 x 15% = 176.47, x 70% = 123.53; VAT 13% x 1176.47 =
	 * 152.94, x 70% = 107.06. */
	{.name = "CN cosmetics consumption tax", .country = "CN", .day = "2025-06-01",
	 ONE("330499", "FR", "CNY", 100000), E(0, 12353, 10706, 0, 0, 23059), .complete = COMPLETE},

	/* ---- CA ---- */
	/* CUSMA courier from the US: CAD 40.00 duty and tax free; 40.01 pays
	 * GST 5% = 2.00 (no duty up to 150); HST 13% in Ontario = 5.20. */
	{.name = "CA courier US at 40", .country = "CA", .day = "2025-06-01",
	 ONE("610910", "US", "CAD", 4000), .channel = "courier", E(0, 0, 0, 0, 0, 0)},
	{.name = "CA courier US above 40", .country = "CA", .day = "2025-06-01",
	 ONE("610910", "US", "CAD", 4001), .channel = "courier", E(0, 0, 200, 0, 0, 200)},
	{.name = "CA courier US above 40 ON", .country = "CA", .day = "2025-06-01",
	 ONE("610910", "US", "CAD", 4001), .channel = "courier", .region = "ON",
	 E(0, 0, 520, 0, 0, 520)},
	/* Post from China: CAD 20 free; 20.01 -> duty 5% = 1.00, GST 5% x
	 * 21.01 = 1.05, Canada Post fee 9.95. */
	{.name = "CA post at 20", .country = "CA", .day = "2025-06-01",
	 ONE("610910", "CN", "CAD", 2000), .channel = "post", E(0, 0, 0, 0, 0, 0)},
	{.name = "CA post above 20", .country = "CA", .day = "2025-06-01",
	 ONE("610910", "CN", "CAD", 2001), .channel = "post", E(100, 0, 105, 0, 995, 1200)},
	/* Nova Scotia's HST 15% until 2025-03-31, 14% from 2025-04-01: on
	 * 100 + 5 duty -> 15.75 / 14.70. */
	{.name = "CA NS HST 15", .country = "CA", .day = "2025-03-31",
	 ONE("610910", "CN", "CAD", 10000), .channel = "courier", .region = "NS",
	 E(500, 0, 1575, 0, 0, 2075)},
	{.name = "CA NS HST 14", .country = "CA", .day = "2025-04-01",
	 ONE("610910", "CN", "CAD", 10000), .channel = "courier", .region = "NS",
	 E(500, 0, 1470, 0, 0, 1970)},

	/* ---- AU ---- */
	/* AUD 1,000: no duty or border GST; GST 10% = 100 at sale (GST Act
	 * Div. 84-C).  1000.01: duty 5% = 50.00, GST 10% x 1050.01 = 105.00,
	 * import processing charge 50.00. */
	{.name = "AU at 1000", .country = "AU", .day = "2025-06-01",
	 ONE("610910", "CN", "AUD", 100000), E(0, 0, 0, 10000, 0, 0)},
	{.name = "AU one cent above 1000", .country = "AU", .day = "2025-06-01",
	 ONE("610910", "CN", "AUD", 100001), E(5000, 0, 10500, 0, 5000, 20500)},
	/* Wine under AUD 1,000 is not relieved: duty 5% x 50 = 2.50 (default
	 * rate; the excise-equivalent duty is not computed), GST 10% x 52.50. */
	{.name = "AU wine under 1000", .country = "AU", .day = "2025-06-01",
	 ONE("220421", "FR", "AUD", 5000), E(250, 0, 525, 0, 0, 775), .complete = INCOMPLETE},

	/* ---- JP ---- */
	/* 60% of the retail price: JPY 16,667 -> 10,000 (10,000.2 rounded):
	 * within the JPY 10,000 exemption.  16,668 -> 10,001: duty 5% on
	 * 10,000 (base to JPY 1,000) = 500; consumption tax 10% on 10,501 ->
	 * 10,000 = 1,000. */
	{.name = "JP at 10000", .country = "JP", .day = "2025-06-01",
	 ONE("610910", "CN", "JPY", 16667), E(0, 0, 0, 0, 0, 0)},
	{.name = "JP above 10000", .country = "JP", .day = "2025-06-01",
	 ONE("610910", "CN", "JPY", 16668), E(500, 0, 1000, 0, 0, 1500)},
	/* Amounts under JPY 100 dropped: JPY 30,000 -> CV 18,000, duty 900,
	 * tax 10% x 18,900 -> 18,000 = 1,800.  JPY 31,000 -> CV 18,600: duty
	 * on 18,000 = 900; tax on 19,500 -> 19,000 = 1,900. */
	{.name = "JP truncation", .country = "JP", .day = "2025-06-01",
	 ONE("610910", "CN", "JPY", 31000), E(900, 0, 1900, 0, 0, 2800)},

	/* ---- SG ---- */
	/* GST import relief SGD 400 by air or post (since 2023 collected at
	 * sale): 400.00 -> 9% = 36.00 at sale; 400.01 -> 36.00 at the border;
	 * by sea freight no relief. */
	{.name = "SG at 400", .country = "SG", .day = "2025-06-01",
	 ONE("851713", "CN", "SGD", 40000), .channel = "post", E(0, 0, 0, 3600, 0, 0)},
	{.name = "SG above 400", .country = "SG", .day = "2025-06-01",
	 ONE("851713", "CN", "SGD", 40001), .channel = "post", E(0, 0, 3600, 0, 0, 3600)},
	{.name = "SG freight", .country = "SG", .day = "2025-06-01",
	 ONE("851713", "CN", "SGD", 10000), .channel = "freight", E(0, 0, 900, 0, 0, 900)},
	{.name = "SG 2022 relief, 7%", .country = "SG", .day = "2022-06-01",
	 ONE("851713", "CN", "SGD", 40001), .channel = "post", E(0, 0, 2800, 0, 0, 2800)},

	/* ---- NO ---- */
	/* VOEC: items under NOK 3,000 with a VOEC number: VAT 25% at sale
	 * (2999.99 -> 750.00); at 3,000.00 the scheme does not apply: 750.00
	 * at the border. */
	{.name = "NO VOEC under 3000", .country = "NO", .day = "2025-06-01",
	 ONE("851713", "CN", "NOK", 299999), .scheme = "no_voec", .number = "VOEC1234567",
	 .platform = true, E(0, 0, 0, 75000, 0, 0), .model = "platform_scheme"},
	{.name = "NO VOEC at 3000", .country = "NO", .day = "2025-06-01",
	 ONE("851713", "CN", "NOK", 300000), .scheme = "no_voec", .number = "VOEC1234567",
	 .platform = true, E(0, 0, 75000, 0, 0, 75000), .model = "buyer"},
	/* NOK 350 exemption until 2020: NOK 349.99 free, NOK 350.00 pays
	 * VAT 87.50. */
	{.name = "NO 2019 under 350", .country = "NO", .day = "2019-06-01",
	 ONE("851713", "CN", "NOK", 34999), E(0, 0, 0, 0, 0, 0)},
	{.name = "NO 2019 at 350", .country = "NO", .day = "2019-06-01",
	 ONE("851713", "CN", "NOK", 35000), E(0, 0, 8750, 0, 0, 8750), .complete = COMPLETE},

	/* ---- SA, AE (pegged currencies) ---- */
	/* GCC: duty-free under SAR 1,000; VAT 15% from the first riyal. */
	{.name = "SA under 1000", .country = "SA", .day = "2025-06-01",
	 ONE("610910", "CN", "SAR", 99999), E(0, 0, 15000, 0, 0, 15000)},
	{.name = "SA at 1000", .country = "SA", .day = "2025-06-01",
	 ONE("610910", "CN", "SAR", 100000), E(5000, 0, 15750, 0, 0, 20750)},
	/* SAR 1,000 = AED 979.33 through the pegs (1000 / 3.75 x 3.6725). */
	{.name = "AE under SAR 1000", .country = "AE", .day = "2025-06-01",
	 ONE("610910", "CN", "AED", 97932), E(0, 0, 4897, 0, 0, 4897)},
	{.name = "AE at SAR 1000", .country = "AE", .day = "2025-06-01",
	 ONE("610910", "CN", "AED", 97933), E(4897, 0, 5142, 0, 0, 10039)},
	/* Dubai's AED 300 of 2023-01-01..2023-02-28. */
	{.name = "AE 2023 at 300", .country = "AE", .day = "2023-02-01",
	 ONE("610910", "CN", "AED", 30000), E(1500, 0, 1575, 0, 0, 3075)},

	/* ---- KR ---- */
	/* USD 150 (200 for US goods): KRW 250,000 is about USD 170-180:
	 * relieved from the US, not from China (duty 8% = 20,000, VAT 10% x
	 * 270,000 = 27,000). */
	{.name = "KR from US under 200", .country = "KR", .day = "2025-06-01",
	 ONE("610910", "US", "KRW", 250000), E(0, 0, 0, 0, 0, 0)},
	{.name = "KR from CN above 150", .country = "KR", .day = "2025-06-01",
	 ONE("610910", "CN", "KRW", 250000), E(20000, 0, 27000, 0, 0, 47000)},
};

static void test_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < MLV_ARRAY_LEN(vectors); i++)
		check(&vectors[i]);
}

/* ---- vectors that depend on an ECB rate ---- */

static int64_t fx(int64_t amount, const char *from, const char *to, const char *day)
{
	int64_t out = 0;
	assert_int_equal(mlv_profiles_convert(ps, rd, amount, from, to, day_of(day), &out), 0);
	return out;
}

static int64_t pct(int64_t base, int64_t ppm)
{
	/* half up, base >= 0 */
	return (base * ppm + 500000) / 1000000;
}

static mlv_assessment *assess1(const char *country, const char *day, const char *hs,
			       const char *origin, const char *cur, int64_t value,
			       const char *channel)
{
	mlv_duty_item it = {hs, "", "", value, 1000};
	snprintf(it.origin, sizeof(it.origin), "%s", origin);
	snprintf(it.currency, sizeof(it.currency), "%s", cur);
	mlv_basket b = {0};
	b.items = &it;
	b.item_count = 1;
	b.channel = channel ? (uint8_t)mlv_enum_index("channel", channel) : 0;
	mlv_duty_opts o = MLV_DUTY_OPTS_INIT;
	o.day = day_of(day);
	mlv_assessment *a = NULL;
	assert_int_equal(mlv_duty_assess(&a, mlv_profiles_get(ps, country), &b, &o, NULL), 0);
	return a;
}

/* Brazil, Lei 14.902/2024: 20% up to USD 50; 60% less USD 20 up to USD
 * 3,000; ICMS 17% "por dentro" on (value + import tax) / (1 - 17%). */
static void test_brazil_bands(void **state)
{
	(void)state;
	const char *day = "2025-06-01";
	int64_t cv = fx(5000, "USD", "BRL", day);
	mlv_assessment *a = assess1("BR", day, "610910", "CN", "USD", 5000, "post");
	int64_t duty = pct(cv, 200000);
	assert_int_equal(a->duty, duty);
	assert_int_equal(a->tax, ((cv + duty) * 170000 * 2 + 830000) / (830000 * 2));
	assert_string_equal(a->lines[0].duty_rule->id, "BR-RTS-2024");
	assert_int_equal(a->lines[0].duty_rate_ppm, 200000);
	mlv_duty_free(a);

	cv = fx(5001, "USD", "BRL", day);
	a = assess1("BR", day, "610910", "CN", "USD", 5001, "post");
	duty = pct(cv, 600000) - fx(2000, "USD", "BRL", day);
	assert_int_equal(a->duty, duty);
	assert_int_equal(a->lines[0].duty_rate_ppm, 600000);
	mlv_duty_free(a);

	/* above USD 3,000: the regular regime, not computed */
	a = assess1("BR", day, "610910", "CN", "USD", 300001, "post");
	assert_false(a->complete);
	assert_string_equal(a->lines[0].duty_rule->id, "BR-DUTY-UNLISTED");
	mlv_duty_free(a);

	/* before 2024-08-01: 60% flat */
	cv = fx(4000, "USD", "BRL", "2024-07-31");
	a = assess1("BR", "2024-07-31", "610910", "CN", "USD", 4000, "post");
	assert_int_equal(a->duty, pct(cv, 600000));
	mlv_duty_free(a);
}

/* Mexico, courier: US goods up to USD 50 free, up to 117 a global 17%,
 * other origins 33.5% from 2025-08-15 (19% before); totals rounded to
 * the peso, 50 centavos down (CFF art. 20). */
static void test_mexico_bands(void **state)
{
	(void)state;
	const char *day = "2025-09-01";
	mlv_assessment *a = assess1("MX", day, "610910", "US", "USD", 5000, "courier");
	assert_int_equal(a->duty, 0);
	assert_int_equal(a->tax, 0);
	mlv_duty_free(a);

	/* one cent above USD 50: the 17% band */
	a = assess1("MX", day, "610910", "US", "USD", 5001, "courier");
	assert_true(a->duty > 0);
	assert_int_equal(a->lines[0].duty_rate_ppm, 170000);
	mlv_duty_free(a);

	int64_t cv = fx(10000, "USD", "MXN", day);
	int64_t g = pct(cv, 170000);
	int64_t r = g % 100;
	int64_t want = r > 50 ? g - r + 100 : g - r;
	a = assess1("MX", day, "610910", "US", "USD", 10000, "courier");
	assert_int_equal(a->duty, want);
	assert_int_equal(a->tax, 0);
	assert_int_equal(a->lines[0].tax_how, MLV_HOW_COVERED);
	mlv_duty_free(a);

	cv = fx(10000, "USD", "MXN", day);
	g = pct(cv, 335000);
	r = g % 100;
	a = assess1("MX", day, "610910", "CN", "USD", 10000, "courier");
	assert_int_equal(a->duty, r > 50 ? g - r + 100 : g - r);
	assert_string_equal(a->lines[0].duty_rule->id, "MX-COURIER-OTHER-33");
	mlv_duty_free(a);

	a = assess1("MX", "2025-08-14", "610910", "CN", "USD", 10000, "courier");
	assert_string_equal(a->lines[0].duty_rule->id, "MX-COURIER-OTHER-19");
	mlv_duty_free(a);
}

/* A non-euro member state: EUR 150 converted at the EU monthly rate (the
 * last ECB rate before the penultimate day of the previous month). */
static void test_poland_monthly_rate(void **state)
{
	(void)state;
	mlv_assessment *a = assess1("PL", "2025-06-15", "610910", "CN", "EUR", 10000, NULL);
	char d[11];
	mlv_date_format(a->fx_day, d);
	assert_string_equal(d, "2025-05-29"); /* May has 31 days: penultimate 30 */
	assert_string_equal(a->currency, "PLN");
	int64_t pln = 0;
	assert_int_equal(mlv_fx_convert(rd, 10000, "EUR", "PLN", a->fx_day, &pln), 0);
	assert_int_equal(a->intrinsic, pln);
	assert_int_equal(a->duty, 0); /* within EUR 150 */
	assert_int_equal(a->tax, pct(pln, 230000));
	mlv_duty_free(a);
	/* March: February 2024 had 29 days, penultimate 28, rate of the 27th */
	a = assess1("PL", "2024-03-05", "610910", "CN", "EUR", 10000, NULL);
	mlv_date_format(a->fx_day, d);
	assert_string_equal(d, "2024-02-27");
	mlv_duty_free(a);
}

/* Korea's KRW 10-won truncation and USD thresholds through the ECB. */
static void test_korea_threshold(void **state)
{
	(void)state;
	const char *day = "2025-06-01";
	int64_t limit = fx(15000, "USD", "KRW", day);
	mlv_assessment *a = assess1("KR", day, "610910", "CN", "KRW", limit, NULL);
	assert_int_equal(a->border_total, 0);
	mlv_duty_free(a);
	a = assess1("KR", day, "610910", "CN", "KRW", limit + 1, NULL);
	int64_t duty = pct(limit + 1, 80000) / 10 * 10;
	assert_int_equal(a->duty, duty);
	assert_int_equal(a->tax, pct(limit + 1 + duty, 100000) / 10 * 10);
	mlv_duty_free(a);
}

/* ---- details ---- */

static void test_cbec_status(void **state)
{
	(void)state;
	vec v = {.name = "cbec", .country = "CN", .day = "2025-06-01",
		 ONE("610910", "US", "CNY", 500001), .cbec_used = 100000};
	mlv_assessment *a = NULL;
	assert_int_equal(run(&v, &a, NULL), 0);
	assert_int_equal(a->cbec.status, MLV_CBEC_FULL_SINGLE_ITEM);
	assert_int_equal(a->cbec.annual_before, 100000);
	assert_int_equal(a->cbec.annual_after, 600001);
	mlv_duty_free(a);

	/* two items over the order limit: not admissible, not counted */
	vec w = {.name = "cbec2", .country = "CN", .day = "2025-06-01",
		 .items = {{"610910", "US", "CNY", 250000, 1000}, {"610910", "US", "CNY", 250001, 1000}}};
	assert_int_equal(run(&w, &a, NULL), 0);
	assert_int_equal(a->cbec.status, MLV_CBEC_NOT_ADMISSIBLE);
	assert_int_equal(a->cbec.annual_after, 0);
	assert_int_equal(a->duty, 18750 + 18750);
	mlv_duty_free(a);

	/* two units of one line are not "a single item" */
	vec u = {.name = "cbec3", .country = "CN", .day = "2025-06-01",
		 .items = {{"610910", "US", "CNY", 500001, 2000}}};
	assert_int_equal(run(&u, &a, NULL), 0);
	assert_int_equal(a->cbec.status, MLV_CBEC_NOT_ADMISSIBLE);
	mlv_duty_free(a);

	/* 2016 rules: CNY 2,000 per order */
	vec o = {.name = "cbec2016", .country = "CN", .day = "2018-06-01",
		 ONE("610910", "US", "CNY", 200001)};
	assert_int_equal(run(&o, &a, NULL), 0);
	assert_int_equal(a->cbec.status, MLV_CBEC_NOT_ADMISSIBLE);
	assert_string_equal(a->cbec.rule->id, "CN-CBEC-2016");
	mlv_duty_free(a);
}

static void test_obligations(void **state)
{
	(void)state;
	/* IOSS on 2026-07-01: VAT by the platform at sale, the EUR 3 duty by
	 * the intermediary on its periodic statement */
	vec v = {.name = "obl", .country = "FR", .day = "2026-07-01",
		 ONE("610910", "CN", "EUR", 5000), .channel = "post", .scheme = "ioss",
		 .number = "IM2500001234", .platform = true, .intermediary = true,
		 .deferred = true};
	mlv_assessment *a = NULL;
	assert_int_equal(run(&v, &a, NULL), 0);
	assert_int_equal(a->model, MLV_MODEL_PLATFORM_SCHEME);
	bool saw_duty = false, saw_tax = false;
	for (size_t i = 0; i < a->obligation_count; i++) {
		const mlv_obligation *o = &a->obligations[i];
		if (o->what == MLV_OWE_DUTY) {
			saw_duty = true;
			assert_int_equal(o->amount, 300);
			assert_int_equal(o->payer, MLV_PAYER_INTERMEDIARY);
			assert_int_equal(o->when, MLV_WHEN_PERIODIC);
		}
		if (o->what == MLV_OWE_TAX) {
			saw_tax = true;
			assert_int_equal(o->amount, 1000);
			assert_int_equal(o->payer, MLV_PAYER_PLATFORM);
			assert_int_equal(o->when, MLV_WHEN_AT_SALE);
		}
	}
	assert_true(saw_duty && saw_tax);
	assert_true(a->scheme.valid);
	assert_string_equal(a->declaration, "H7");
	mlv_duty_free(a);

	/* the IOSS number of a seller without a platform: the seller collects */
	vec s = {.name = "seller", .country = "FR", .day = "2025-06-01",
		 ONE("610910", "CN", "EUR", 5000), .scheme = "ioss", .number = "IM2500001234"};
	assert_int_equal(run(&s, &a, NULL), 0);
	assert_int_equal(a->model, MLV_MODEL_SELLER_SCHEME);
	mlv_duty_free(a);

	/* a scheme the destination does not have */
	vec n = {.name = "noscheme", .country = "US", .day = "2025-06-01",
		 ONE("610910", "CN", "USD", 5000), .scheme = "ioss", .number = "IM2500001234"};
	assert_int_equal(run(&n, &a, NULL), 0);
	assert_false(a->scheme.valid);
	assert_non_null(a->scheme.reason);
	mlv_duty_free(a);
}

/* Transport shared over lines by value: shares add up exactly. */
static void test_transport_shares(void **state)
{
	(void)state;
	vec v = {.name = "transport", .country = "FR", .day = "2025-06-01",
		 .items = {{"610910", "CN", "EUR", 100, 1000}, {"610910", "CN", "EUR", 100, 1000},
			   {"610910", "CN", "EUR", 100, 1000}},
		 .cur = "EUR", .shipping = 100, .insurance = 1};
	mlv_assessment *a = NULL;
	assert_int_equal(run(&v, &a, NULL), 0);
	assert_int_equal(a->transport, 101);
	assert_int_equal(a->lines[0].transport + a->lines[1].transport + a->lines[2].transport, 101);
	assert_int_equal(a->lines[0].transport, 34); /* ties go to the earlier line */
	assert_int_equal(a->lines[1].transport, 34);
	assert_int_equal(a->lines[2].transport, 33);
	assert_int_equal(a->customs_value, 401); /* CIF */
	mlv_duty_free(a);
}

static void test_bad_input(void **state)
{
	(void)state;
	mlv_problems pr;
	mlv_problems_init(&pr);
	vec v = {.name = "bad", .country = "FR", .day = "2025-06-01",
		 .items = {{"610910", "CN", "EUR", 100, 1000}, {"999999", "CN", "EUR", 100, 1000}}};
	mlv_assessment *a = NULL;
	assert_int_equal(run(&v, &a, &pr), MLV_EINVALID);
	assert_null(a);
	assert_true(pr.count >= 1);
	assert_string_equal(pr.items[0].pointer, "/items/1/hs_code");
	mlv_problems_clear(&pr);

	vec w = {.name = "neg", .country = "FR", .day = "2025-06-01",
		 ONE("610910", "CN", "EUR", -1)};
	assert_int_equal(run(&w, &a, &pr), MLV_EINVALID);
	assert_string_equal(pr.items[0].pointer, "/items/0/value");
	mlv_problems_clear(&pr);

	/* no ECB rate for the currency */
	vec x = {.name = "nofx", .country = "FR", .day = "2025-06-01",
		 ONE("610910", "CN", "XOF", 1000)};
	assert_int_equal(run(&x, &a, &pr), MLV_ENOTFOUND);
	assert_string_equal(pr.items[0].pointer, "/items/0/currency");
	mlv_problems_clear(&pr);

	/* too large once converted */
	vec y = {.name = "big", .country = "JP", .day = "2025-06-01",
		 ONE("610910", "CN", "EUR", MLV_DUTY_AMOUNT_MAX)};
	assert_int_equal(run(&y, &a, &pr), MLV_ETOOBIG);
	mlv_problems_clear(&pr);

	/* a union is not a destination */
	mlv_duty_item it = {"610910", "CN", "EUR", 100, 0};
	mlv_basket b = {.items = &it, .item_count = 1};
	mlv_duty_opts o = MLV_DUTY_OPTS_INIT;
	o.day = day_of("2025-06-01");
	assert_int_equal(mlv_duty_assess(&a, mlv_profiles_get(ps, "EU"), &b, &o, NULL),
			 MLV_EINVALID);
	b.item_count = 0;
	assert_int_equal(mlv_duty_assess(&a, mlv_profiles_get(ps, "FR"), &b, &o, NULL),
			 MLV_EINVALID);
}

/* ---- the consignment path answers the same as the basket ---- */

static const char consignment_json[] =
	"{\"lrn\":\"LRN-1\",\"declaration_type\":\"import\",\"category\":\"low_value_dutiable\","
	"\"business_model\":\"direct\",\"channel\":\"post\","
	"\"transport\":{\"mode\":\"postal\",\"tracking_number\":\"LX123456785CN\"},"
	"\"seller\":{\"name\":\"Shenzhen Example Trading Co\",\"address\":{"
	"\"street\":\"88 Keyuan Road\",\"city\":\"Shenzhen\",\"postcode\":\"518057\","
	"\"country\":\"CN\"}},"
	"\"buyer\":{\"name\":\"Camille Martin\",\"address\":{\"street\":\"12 Rue de la Paix\","
	"\"city\":\"Lyon\",\"postcode\":\"69002\",\"country\":\"FR\"}},"
	"\"platform\":{\"name\":\"Example Marketplace\"},"
	"\"transaction\":{\"order_id\":\"ORD-1\",\"order_date\":\"2026-04-13\","
	"\"currency\":\"EUR\",\"invoice_total\":\"42.00\",\"shipping_cost\":\"6.90\"},"
	"\"tax_collected\":{\"scheme\":\"ioss\",\"registration_number\":\"IM2500001234\","
	"\"currency\":\"EUR\",\"amount\":\"9.78\"},"
	"\"items\":[{\"description\":\"Wireless earphones with charging case\","
	"\"hs_code\":\"851762\",\"quantity\":\"1\",\"currency\":\"EUR\",\"value\":\"30.00\","
	"\"origin_country\":\"CN\"},"
	"{\"description\":\"Cotton T-shirt\",\"hs_code\":\"610910\",\"quantity\":\"2\","
	"\"currency\":\"EUR\",\"value\":\"12.00\",\"origin_country\":\"CN\"}]}";

static void test_consignment_path(void **state)
{
	(void)state;
	mlv_arena *arena = mlv_arena_new(16384);
	assert_non_null(arena);
	mlv_consignment c;
	mlv_problems pr;
	mlv_problems_init(&pr);
	assert_int_equal(mlv_consignment_decode(&c, consignment_json, strlen(consignment_json),
						arena, rd, &pr),
			 0);
	const mlv_profile *fr = mlv_profiles_get(ps, "FR");
	mlv_duty_opts o = MLV_DUTY_OPTS_INIT;
	o.day = day_of("2026-07-01");
	mlv_assessment *a = NULL, *q = NULL;
	assert_int_equal(mlv_duty_assess_consignment(&a, fr, &c, &o, &pr), 0);

	mlv_duty_item items[2] = {{"851762", "CN", "EUR", 3000, 1000},
				  {"610910", "CN", "EUR", 1200, 2000}};
	mlv_basket b = {0};
	b.items = items;
	b.item_count = 2;
	memcpy(b.currency, "EUR", 4);
	b.shipping = 690;
	b.channel = (uint8_t)mlv_enum_index("channel", "post");
	b.business_model = (uint8_t)mlv_enum_index("business_model", "direct");
	b.scheme = (uint8_t)scheme_idx("ioss");
	b.registration_number = "IM2500001234";
	b.tax_collected_set = true;
	memcpy(b.tax_collected_currency, "EUR", 4);
	b.tax_collected = 978;
	b.platform = true;
	assert_int_equal(mlv_duty_assess(&q, fr, &b, &o, &pr), 0);

	mlv_buf j1 = MLV_BUF_INIT(1 << 20), j2 = MLV_BUF_INIT(1 << 20);
	assert_int_equal(mlv_duty_write_json(&j1, a), 0);
	assert_int_equal(mlv_duty_write_json(&j2, q), 0);
	assert_string_equal(j1.data, j2.data);
	/* 2 distinct codes x EUR 3; VAT at sale 20% x 48.90 = 9.78 */
	assert_int_equal(a->duty, 600);
	assert_int_equal(a->tax_at_sale, 978);
	assert_int_equal(a->declared_at_sale, 978);
	mlv_buf_free(&j1);
	mlv_buf_free(&j2);
	mlv_duty_free(a);
	mlv_duty_free(q);
	mlv_problems_clear(&pr);
	mlv_arena_free(arena);
}

/* ---- JSON ---- */

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	assert_true(cJSON_IsString(v));
	return v->valuestring;
}

static void test_json(void **state)
{
	(void)state;
	mlv_assessment *a = assess1("GB", "2026-08-01", "400811", "CN", "GBP", 100000, NULL);
	mlv_buf b = MLV_BUF_INIT(1 << 20);
	assert_int_equal(mlv_duty_write_json(&b, a), 0);
	cJSON *j = cJSON_Parse(b.data);
	assert_non_null(j);
	assert_string_equal(jstr(j, "country"), "GB");
	assert_string_equal(jstr(j, "currency"), "GBP");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "totals");
	assert_string_equal(jstr(t, "duty"), "20.00");
	assert_string_equal(jstr(t, "tax"), "204.00");
	assert_string_equal(jstr(t, "border"), "224.00");
	const cJSON *lines = cJSON_GetObjectItemCaseSensitive(j, "lines");
	assert_int_equal(cJSON_GetArraySize(lines), 1);
	const cJSON *duty = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(lines, 0), "duty");
	assert_string_equal(jstr(duty, "rule"), "GB-UKGT-2021");
	assert_string_equal(jstr(duty, "rate"), "2");
	assert_non_null(strstr(jstr(duty, "basis"), "UK Global Tariff"));
	const cJSON *tax = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(lines, 0), "tax");
	assert_string_equal(jstr(tax, "base"), "1020.00");
	const cJSON *col = cJSON_GetObjectItemCaseSensitive(j, "collection");
	assert_string_equal(jstr(col, "model"), "buyer");
	cJSON_Delete(j);
	mlv_buf_free(&b);
	mlv_duty_free(a);

	/* JPY has no minor unit; CBEC block present */
	a = assess1("CN", "2025-06-01", "610910", "US", "CNY", 100000, NULL);
	mlv_buf_reset(&b);
	assert_int_equal(mlv_duty_write_json(&b, a), 0);
	j = cJSON_Parse(b.data);
	assert_non_null(j);
	const cJSON *cb = cJSON_GetObjectItemCaseSensitive(j, "cbec");
	assert_string_equal(jstr(cb, "status"), "preferential");
	assert_string_equal(jstr(cb, "annual_after"), "1000.00");
	cJSON_Delete(j);
	mlv_buf_free(&b);
	mlv_duty_free(a);

	/* a bounded buffer refuses, never truncates */
	a = assess1("FR", "2026-07-01", "610910", "CN", "EUR", 5000, "post");
	mlv_buf small = MLV_BUF_INIT(64);
	assert_int_equal(mlv_duty_write_json(&small, a), MLV_ETOOBIG);
	mlv_buf_free(&small);
	mlv_duty_free(a);
}

/* ---- properties ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	/* xorshift64*: deterministic, so a failure reproduces */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ull;
}

static const char *const codes[] = {"610910", "851713", "220421", "240220", "040210",
	"040120", "330499", "490199", "950300", "400811", "691200", "640299", "420222"};
static const char *const origins[] = {"CN", "US", "VN", "MX", "CA", "FR", "DE", "JP", ""};
static const char *const days[] = {"2019-06-01", "2020-06-15", "2021-08-01", "2023-02-01",
	"2025-06-01", "2025-08-29", "2026-06-30", "2026-07-01", "2028-07-01"};

static void invariants(const mlv_assessment *a, const char *what)
{
	int64_t d = 0, x = 0, t = 0, s = 0, tr = 0, cv = 0;
	for (size_t i = 0; i < a->line_count; i++) {
		const mlv_duty_line *l = &a->lines[i];
		if (l->duty < 0 || l->excise < 0 || l->tax < 0 || l->tax_at_sale < 0 ||
		    l->tax_base < 0 || l->customs_value < 0 || l->transport < 0)
			fail_msg("%s: negative amount on line %zu", what, i);
		d += l->duty;
		x += l->excise;
		t += l->tax;
		s += l->tax_at_sale;
		tr += l->transport;
		cv += l->customs_value;
	}
	if (d != a->duty || x != a->excise || t != a->tax || s != a->tax_at_sale)
		fail_msg("%s: totals are not the sums of the lines", what);
	if (tr != a->transport || cv != a->customs_value)
		fail_msg("%s: transport or customs value not the sum of the lines", what);
	int64_t border_fees = 0, fees = 0;
	for (size_t i = 0; i < a->fee_count; i++) {
		if (a->fee_list[i].amount < 0)
			fail_msg("%s: negative fee", what);
		fees += a->fee_list[i].amount;
		if (a->fee_list[i].rule->payer == MLV_FEE_PAYER_BORDER)
			border_fees += a->fee_list[i].amount;
	}
	if (fees != a->fees || a->border_total != d + x + t + border_fees ||
	    a->total != a->border_total + s + (fees - border_fees))
		fail_msg("%s: border or grand total wrong", what);
	int64_t owed = 0;
	for (size_t i = 0; i < a->obligation_count; i++)
		owed += a->obligations[i].amount;
	if (owed != a->total)
		fail_msg("%s: obligations %lld != total %lld", what, (long long)owed,
			 (long long)a->total);
}

static void test_every_profile_random(void **state)
{
	(void)state;
	static const char *const curs[] = {"EUR", "USD", NULL};
	for (size_t pi = 0; pi < mlv_profiles_count(ps); pi++) {
		const mlv_profile *p = mlv_profiles_at(ps, pi);
		for (size_t di = 0; di < MLV_ARRAY_LEN(days); di++) {
			for (int round = 0; round < 12; round++) {
				mlv_duty_item items[5];
				size_t n = 1 + next() % 5;
				const char *pc = mlv_profile_currency(p, day_of(days[di]));
				for (size_t i = 0; i < n; i++) {
					const char *cur = curs[next() % 3];
					items[i].hs_code = codes[next() % MLV_ARRAY_LEN(codes)];
					snprintf(items[i].origin, 3, "%s",
						 origins[next() % MLV_ARRAY_LEN(origins)]);
					snprintf(items[i].currency, 4, "%s", cur ? cur : pc);
					/* up to 4,000 units, often near round thresholds */
					items[i].value = (int64_t)(next() % 400000);
					if (mlv_currency_minor_units(rd, items[i].currency) == 0)
						items[i].value /= 100;
					items[i].quantity = (int64_t)(next() % 3) * 1000;
				}
				mlv_basket b = {0};
				b.items = items;
				b.item_count = n;
				memcpy(b.currency, "EUR", 4);
				b.shipping = (int64_t)(next() % 3000);
				b.insurance = (int64_t)(next() % 200);
				b.channel = (uint8_t)(next() % 5);
				b.business_model = (uint8_t)(next() % 4);
				b.platform = next() % 2;
				b.intermediary = next() % 2;
				static const char *const schemes[] = {"ioss", "uk_vat", "au_gst",
					"nz_gst", "no_voec", "sg_ovr"};
				static const char *const numbers[] = {"IM2500001234", "GB123456789",
					"12345678901", "123456789", "VOEC1234567", "M12345678X"};
				size_t k = next() % 8;
				if (k < 6) {
					b.scheme = (uint8_t)scheme_idx(schemes[k]);
					b.registration_number = numbers[k];
				}
				mlv_duty_opts o = MLV_DUTY_OPTS_INIT;
				o.day = day_of(days[di]);
				o.cbec_annual_used = (int64_t)(next() % 3000000);
				o.deferred_account = next() % 2;
				mlv_assessment *a = NULL;
				char what[64];
				snprintf(what, sizeof(what), "%s %s #%d", mlv_profile_code(p),
					 days[di], round);
				int rc = mlv_duty_assess(&a, p, &b, &o, NULL);
				if (rc != 0)
					fail_msg("%s: rc %d", what, rc);
				invariants(a, what);
				mlv_buf jb = MLV_BUF_INIT(1 << 22);
				assert_int_equal(mlv_duty_write_json(&jb, a), 0);
				cJSON *j = cJSON_Parse(jb.data);
				if (j == NULL)
					fail_msg("%s: JSON does not parse", what);
				cJSON_Delete(j);
				mlv_buf_free(&jb);
				mlv_duty_free(a);
			}
		}
	}
}

/* Same rules on both sides (the same how and rule on every line, the same
 * decisions taken): a larger value never owes less. */
static bool same_rules(const mlv_assessment *a, const mlv_assessment *b)
{
	if (a->decision_count != b->decision_count || a->fee_count != b->fee_count ||
	    a->scheme.valid != b->scheme.valid)
		return false;
	for (size_t i = 0; i < a->decision_count; i++)
		if (a->decisions[i].rule != b->decisions[i].rule ||
		    a->decisions[i].applies != b->decisions[i].applies)
			return false;
	for (size_t i = 0; i < a->line_count; i++) {
		const mlv_duty_line *x = &a->lines[i], *y = &b->lines[i];
		if (x->duty_how != y->duty_how || x->duty_rule != y->duty_rule ||
		    x->tax_how != y->tax_how || x->tax_rule != y->tax_rule)
			return false;
	}
	return true;
}

static void test_monotonic(void **state)
{
	(void)state;
	size_t compared = 0;
	for (size_t pi = 0; pi < mlv_profiles_count(ps); pi++) {
		const mlv_profile *p = mlv_profiles_at(ps, pi);
		for (size_t di = 0; di < MLV_ARRAY_LEN(days); di += 2) {
			int32_t day = day_of(days[di]);
			const char *cur = mlv_profile_currency(p, day);
			int64_t step = mlv_currency_minor_units(rd, cur) == 0 ? 37 : 3701;
			for (size_t ci = 0; ci < 4; ci++) {
				mlv_assessment *prev = NULL;
				for (int64_t k = 0; k < 60; k++) {
					mlv_duty_item it = {codes[ci], "CN", "", k * k * step, 1000};
					memcpy(it.currency, cur, 4);
					mlv_basket b = {0};
					b.items = &it;
					b.item_count = 1;
					b.channel = (uint8_t)mlv_enum_index("channel", "courier");
					mlv_duty_opts o = MLV_DUTY_OPTS_INIT;
					o.day = day;
					mlv_assessment *a = NULL;
					assert_int_equal(mlv_duty_assess(&a, p, &b, &o, NULL), 0);
					if (prev != NULL && same_rules(prev, a)) {
						compared++;
						if (a->duty < prev->duty || a->tax < prev->tax ||
						    a->excise < prev->excise ||
						    a->tax_at_sale < prev->tax_at_sale ||
						    a->total < prev->total)
							fail_msg("%s %s %s: not monotonic at %lld",
								 mlv_profile_code(p), days[di], codes[ci],
								 (long long)it.value);
					}
					mlv_duty_free(prev);
					prev = a;
				}
				mlv_duty_free(prev);
			}
		}
	}
	assert_true(compared > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_brazil_bands),
		cmocka_unit_test(test_mexico_bands),
		cmocka_unit_test(test_poland_monthly_rate),
		cmocka_unit_test(test_korea_threshold),
		cmocka_unit_test(test_cbec_status),
		cmocka_unit_test(test_obligations),
		cmocka_unit_test(test_transport_shares),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_consignment_path),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_every_profile_random),
		cmocka_unit_test(test_monotonic),
	};
	return cmocka_run_group_tests(tests, profiles_group_setup, profiles_group_teardown);
}
