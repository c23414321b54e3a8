/* test_profile.c - country profiles (profile.h): every required profile of
 * data/countries loads, rules are picked by date, tariff look-ups by
 * longest prefix, tax rules by region and HS code, pegged currencies, the
 * JSON publication, and load errors on broken copies in a temp directory.
 *
 * MLV_DATADIR (a string, set by the build) names the project's data/. */
#include "mlv/profile.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "testutil.h"

static const mlv_rule *rule_by_id(const char *country, const char *id)
{
	const mlv_profile *p = mlv_profiles_get(ps, country);
	assert_non_null(p);
	size_t c = 0;
	const mlv_rule *r;
	while ((r = mlv_profile_next_rule(p, 0, MLV_DAY_MIN, &c)) != NULL)
		if (strcmp(r->id, id) == 0)
			return r;
	fail_msg("no rule %s in %s", id, country);
	return NULL;
}

/* ---- the shipped profiles ---- */

/* Issue #3: the 27 EU member states, GB, US, CA, AU, NZ, JP, CN, KR, SG,
 * CH, NO, MX, BR, SA, AE. */
static const char *const required[] = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES",
	"FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO",
	"SE", "SI", "SK", "GB", "US", "CA", "AU", "NZ", "JP", "CN", "KR", "SG", "CH", "NO", "MX",
	"BR", "SA", "AE"};

static void test_required_profiles(void **state)
{
	(void)state;
	assert_int_equal(mlv_profiles_count(ps), MLV_ARRAY_LEN(required));
	for (size_t i = 0; i < MLV_ARRAY_LEN(required); i++) {
		const mlv_profile *p = mlv_profiles_get(ps, required[i]);
		if (p == NULL)
			fail_msg("no profile %s", required[i]);
		assert_false(mlv_profile_is_union(p));
		assert_non_null(mlv_profile_name(p));
		assert_true(mlv_profile_valuation(p) == MLV_VALUATION_CIF ||
			    mlv_profile_valuation(p) == MLV_VALUATION_FOB);
		assert_true(mlv_currency_minor_units(rd, mlv_profile_currency(p, day_of("2026-08-01"))) >= 0);
	}
	for (size_t i = 0; i < 27; i++) {
		const mlv_profile *p = mlv_profiles_get(ps, required[i]);
		assert_non_null(mlv_profile_union(p));
		assert_string_equal(mlv_profile_code(mlv_profile_union(p)), "EU");
		/* every member state has its own VAT in force */
		const mlv_rule *vat = mlv_profile_tax_rule(p, day_of("2026-08-01"), "610910", NULL);
		assert_non_null(vat);
		assert_string_equal(vat->owner, required[i]);
	}
	const mlv_profile *eu = mlv_profiles_get(ps, "EU");
	assert_non_null(eu);
	assert_true(mlv_profile_is_union(eu));
	assert_null(mlv_profiles_get(ps, "XX"));
	assert_null(mlv_profiles_get(ps, "fr"));
	assert_null(mlv_profiles_get(ps, "FRA"));
	/* sorted by code, unions left out */
	for (size_t i = 1; i < mlv_profiles_count(ps); i++)
		assert_true(strcmp(mlv_profile_code(mlv_profiles_at(ps, i - 1)),
				   mlv_profile_code(mlv_profiles_at(ps, i))) < 0);
	assert_null(mlv_profiles_at(ps, mlv_profiles_count(ps)));
	/* facts inherited from the union */
	const mlv_profile *fr = mlv_profiles_get(ps, "FR");
	assert_int_equal(mlv_profile_valuation(fr), MLV_VALUATION_CIF);
	assert_int_equal(mlv_profile_fx_day(fr), MLV_FXDAY_EU_MONTHLY);
	assert_string_equal(mlv_profile_tax_name(fr), "VAT");
	assert_string_equal(mlv_profile_tax_name(mlv_profiles_get(ps, "US")), "");
	assert_true(mlv_profile_tax_base_freight(mlv_profiles_get(ps, "AU")));
	assert_false(mlv_profile_tax_base_freight(fr));
	assert_string_equal(mlv_profile_currency(mlv_profiles_get(ps, "PL"), day_of("2026-01-01")),
			    "PLN");
}

/* Every rule carries a legal basis and a source; ranges are sane. */
static void test_every_rule_documented(void **state)
{
	(void)state;
	size_t rules = 0, unverified = 0;
	const char *codes[MLV_ARRAY_LEN(required) + 1];
	memcpy(codes, required, sizeof(required));
	codes[MLV_ARRAY_LEN(required)] = "EU";
	for (size_t i = 0; i < MLV_ARRAY_LEN(codes); i++) {
		const mlv_profile *p = mlv_profiles_get(ps, codes[i]);
		size_t c = 0;
		const mlv_rule *r;
		while ((r = mlv_profile_next_rule(p, 0, MLV_DAY_MIN, &c)) != NULL) {
			if (strcmp(r->owner, codes[i]) != 0)
				continue; /* the union's, counted once */
			rules++;
			unverified += !r->verified;
			assert_true(r->basis != NULL && strlen(r->basis) > 10);
			assert_true(r->source_count >= 1);
			for (size_t k = 0; k < r->source_count; k++)
				assert_true(strncmp(r->sources[k], "http", 4) == 0);
			assert_true(r->valid_from < r->valid_to);
			if (!r->verified && r->note == NULL)
				fail_msg("%s: unverified without a note saying why", r->id);
		}
	}
	assert_true(rules > 200);
	assert_true(unverified > 0 && unverified < rules);
}

static void test_rules_by_date(void **state)
{
	(void)state;
	const mlv_profile *fr = mlv_profiles_get(ps, "FR");
	/* EU relief until 2026-06-30 inclusive, EUR 3 from 2026-07-01 to 2028-06-30 */
	const mlv_rule *relief = rule_by_id("FR", "EU-RELIEF-NEGLIGIBLE");
	const mlv_rule *flat = rule_by_id("FR", "EU-FLAT-3EUR");
	assert_true(mlv_rule_in_force(relief, day_of("2026-06-30")));
	assert_false(mlv_rule_in_force(relief, day_of("2026-07-01")));
	assert_false(mlv_rule_in_force(flat, day_of("2026-06-30")));
	assert_true(mlv_rule_in_force(flat, day_of("2026-07-01")));
	assert_true(mlv_rule_in_force(flat, day_of("2028-06-30")));
	assert_false(mlv_rule_in_force(flat, day_of("2028-07-01")));
	assert_ptr_equal(mlv_profile_rule(fr, MLV_RULE_RELIEF, day_of("2026-06-30")), relief);
	assert_null(mlv_profile_rule(fr, MLV_RULE_FLAT_DUTY, day_of("2026-06-30")));
	assert_ptr_equal(mlv_profile_rule(fr, MLV_RULE_FLAT_DUTY, day_of("2026-07-01")), flat);
	assert_int_equal(flat->amount.amount, 300);
	assert_string_equal(flat->amount.currency, "EUR");
	assert_int_equal(flat->threshold.amount, 15000);
	assert_int_equal(flat->compare, MLV_CMP_LE);

	/* US: de minimis 800 until 2025-08-28, suspended from 2025-08-29 */
	const mlv_profile *us = mlv_profiles_get(ps, "US");
	const mlv_rule *r = mlv_profile_rule(us, MLV_RULE_RELIEF, day_of("2025-08-28"));
	assert_non_null(r);
	assert_string_equal(r->id, "US-DM-800-NOT-CN");
	assert_int_equal(r->threshold.amount, 80000);
	assert_null(mlv_profile_rule(us, MLV_RULE_RELIEF, day_of("2025-08-29")));
	assert_non_null(mlv_profile_rule(us, MLV_RULE_NOTICE, day_of("2025-08-29")));
	assert_string_equal(mlv_profile_rule(us, MLV_RULE_RELIEF, day_of("2016-03-09"))->id,
			    "US-DM-200");

	/* CH levy not more than CHF 5; NZ under NZD 60 */
	r = mlv_profile_rule(mlv_profiles_get(ps, "CH"), MLV_RULE_WAIVER, day_of("2026-01-01"));
	assert_int_equal(r->threshold.amount, 500);
	assert_int_equal(r->compare, MLV_CMP_LE);
	assert_int_equal(r->target, MLV_WAIVE_EACH);
	r = mlv_profile_rule(mlv_profiles_get(ps, "NZ"), MLV_RULE_WAIVER, day_of("2026-01-01"));
	assert_int_equal(r->threshold.amount, 6000);
	assert_int_equal(r->compare, MLV_CMP_LT);
	assert_int_equal(r->target, MLV_WAIVE_SUM);

	/* CN CBEC limits */
	r = mlv_profile_rule(mlv_profiles_get(ps, "CN"), MLV_RULE_CBEC, day_of("2026-01-01"));
	assert_int_equal(r->threshold.amount, 500000);
	assert_int_equal(r->limit.amount, 2600000);
	assert_int_equal(r->factor_ppm, 700000);
	assert_int_equal(r->rate_ppm, 0);
	assert_true(r->single_item);

	/* BR bands */
	r = mlv_profile_rule(mlv_profiles_get(ps, "BR"), MLV_RULE_TIERED, day_of("2026-01-01"));
	assert_int_equal(r->tier_count, 2);
	assert_int_equal(r->tiers[0].upto.amount, 5000);
	assert_int_equal(r->tiers[0].rate_ppm, 200000);
	assert_int_equal(r->tiers[1].rate_ppm, 600000);
	assert_int_equal(r->tiers[1].deduction.amount, 2000);
	assert_string_equal(r->tiers[1].deduction.currency, "USD");

	/* IOSS: format and ceiling */
	r = rule_by_id("DE", "EU-IOSS");
	assert_int_equal(r->format_count, 1);
	assert_string_equal(r->formats[0], "IM##########");
	assert_int_equal(r->threshold.amount, 15000);
	assert_true(r->border_exempt);
	assert_false(mlv_rule_in_force(r, day_of("2021-06-30")));
	assert_true(mlv_rule_in_force(r, day_of("2021-07-01")));
}

/* VAT history from ibericode/vat-rates (see data/countries/PROVENANCE.md). */
static void test_vat_history(void **state)
{
	(void)state;
	static const struct {
		const char *country, *day;
		int32_t ppm;
	} cases[] = {
		{"FR", "2013-12-31", 196000}, {"FR", "2014-01-01", 200000},
		{"DE", "2020-06-30", 190000}, {"DE", "2020-07-01", 160000},
		{"DE", "2020-12-31", 160000}, {"DE", "2021-01-01", 190000},
		{"EE", "2025-06-30", 220000}, {"EE", "2025-07-01", 240000},
		{"FI", "2024-08-31", 240000}, {"FI", "2024-09-01", 255000},
		{"RO", "2025-07-31", 190000}, {"RO", "2025-08-01", 210000},
		{"HU", "2026-01-01", 270000}, {"LU", "2023-06-01", 160000},
		{"GB", "2026-01-01", 200000}, {"CH", "2023-12-31", 77000},
		{"CH", "2024-01-01", 81000},  {"SG", "2023-06-01", 80000},
		{"SG", "2024-01-01", 90000},  {"SA", "2020-06-30", 50000},
		{"SA", "2020-07-01", 150000}, {"JP", "2019-09-30", 80000},
		{"JP", "2019-10-01", 100000}, {"NZ", "2010-09-30", 125000},
		{"NZ", "2010-10-01", 150000}, {"CN", "2019-03-31", 160000},
		{"CN", "2019-04-01", 130000}, {"AE", "2026-01-01", 50000},
	};
	for (size_t i = 0; i < MLV_ARRAY_LEN(cases); i++) {
		const mlv_profile *p = mlv_profiles_get(ps, cases[i].country);
		const mlv_rule *r = mlv_profile_tax_rule(p, day_of(cases[i].day), "610910", NULL);
		if (r == NULL || r->rate_ppm != cases[i].ppm)
			fail_msg("%s %s: VAT %d, want %d", cases[i].country, cases[i].day,
				 r ? r->rate_ppm : -1, cases[i].ppm);
	}
	/* the US has no import tax */
	assert_null(mlv_profile_tax_rule(mlv_profiles_get(ps, "US"), day_of("2026-01-01"),
					 "610910", NULL));
	/* reduced rates are published */
	const mlv_rule *fr = mlv_profile_tax_rule(mlv_profiles_get(ps, "FR"), day_of("2026-01-01"),
						  "610910", NULL);
	assert_int_equal(fr->reduced_count, 2);
	assert_int_equal(fr->reduced_ppm[0], 55000);
	assert_int_equal(fr->super_reduced_ppm, 21000);
}

static void test_tax_rule_specific(void **state)
{
	(void)state;
	int32_t d = day_of("2026-01-01");
	const mlv_profile *cn = mlv_profiles_get(ps, "CN");
	assert_int_equal(mlv_profile_tax_rule(cn, d, "040120", NULL)->rate_ppm, 90000);
	assert_int_equal(mlv_profile_tax_rule(cn, d, "040210", NULL)->rate_ppm, 130000);
	assert_int_equal(mlv_profile_tax_rule(cn, d, "4901990000", NULL)->rate_ppm, 90000);
	const mlv_profile *ca = mlv_profiles_get(ps, "CA");
	assert_int_equal(mlv_profile_tax_rule(ca, d, "610910", NULL)->rate_ppm, 50000);
	assert_int_equal(mlv_profile_tax_rule(ca, d, "610910", "ON")->rate_ppm, 130000);
	assert_int_equal(mlv_profile_tax_rule(ca, d, "610910", "QC")->rate_ppm, 50000);
	assert_int_equal(mlv_profile_tax_rule(ca, day_of("2025-03-31"), "610910", "NS")->rate_ppm,
			 150000);
	assert_int_equal(mlv_profile_tax_rule(ca, day_of("2025-04-01"), "610910", "NS")->rate_ppm,
			 140000);
	const mlv_profile *gb = mlv_profiles_get(ps, "GB");
	assert_int_equal(mlv_profile_tax_rule(gb, d, "490199", NULL)->rate_ppm, 0);
	const mlv_rule *icms = mlv_profile_tax_rule(mlv_profiles_get(ps, "BR"), d, "610910", NULL);
	assert_true(icms->inclusive);
}

/* Longest prefix in the tariff files (data/tariffs/PROVENANCE.md). */
static void test_tariff_lookup(void **state)
{
	(void)state;
	int32_t d = day_of("2026-01-01");
	mlv_duty_rate r;
	/* HTS 6109.10.00: 16.5% for every statistical suffix (an 'all' row) */
	assert_int_equal(mlv_profile_duty_rate(mlv_profiles_get(ps, "US"), d, "6109100012", "CN", &r), 0);
	assert_string_equal(r.rule->id, "US-HTS-2025");
	assert_int_equal(r.rate_ppm, 165000);
	assert_true(r.computed);
	assert_true(r.exact);
	assert_string_equal(r.tariff_code, "610910");
	/* 6109.90: lines differ; the 6-digit row quotes the highest */
	assert_int_equal(mlv_profile_duty_rate(mlv_profiles_get(ps, "US"), d, "610990", "CN", &r), 0);
	assert_false(r.exact);
	assert_int_equal(r.rate_ppm, 320000);
	/* ... while the national line is exact: 6109.90.10 is 32% */
	assert_int_equal(mlv_profile_duty_rate(mlv_profiles_get(ps, "US"), d, "6109901000", "CN", &r), 0);
	assert_true(r.exact);
	assert_string_equal(r.tariff_code, "61099010");
	/* a compound US rate: the ad valorem part, flagged */
	assert_int_equal(mlv_profile_duty_rate(mlv_profiles_get(ps, "US"), d, "2204100000", "FR", &r), 0);
	/* EU: wine is specific only: not computed */
	assert_int_equal(mlv_profile_duty_rate(mlv_profiles_get(ps, "FR"), d, "22042106", "CL", &r), 0);
	assert_false(r.computed);
	assert_non_null(r.specific);
	/* HS 2022 851713 is not in the HS 2017 CET: heading 8517 answers */
	assert_int_equal(mlv_profile_duty_rate(mlv_profiles_get(ps, "DE"), d, "851713", "CN", &r), 0);
	assert_string_equal(r.tariff_code, "8517");
	assert_int_equal(r.rate_ppm, 0);
	/* GB 2% (UKGT 4008 11) and 12% (6109) */
	assert_int_equal(mlv_profile_duty_rate(mlv_profiles_get(ps, "GB"), d, "400811", "CN", &r), 0);
	assert_int_equal(r.rate_ppm, 20000);
	assert_int_equal(mlv_profile_duty_rate(mlv_profiles_get(ps, "GB"), d, "610910", "CN", &r), 0);
	assert_int_equal(r.rate_ppm, 120000);
	/* before the UKGT, GB used the CET file */
	assert_int_equal(mlv_profile_duty_rate(mlv_profiles_get(ps, "GB"), day_of("2020-06-01"),
					       "610910", "CN", &r), 0);
	assert_string_equal(r.rule->id, "GB-CET-2020");
	/* an unknown code falls to the profile's default */
	assert_int_equal(mlv_profile_duty_rate(mlv_profiles_get(ps, "US"), d, "9999999999", "CN", &r), 0);
	assert_string_equal(r.rule->id, "US-DUTY-UNLISTED");
	assert_false(r.computed);
}

static void test_duty_rule_precedence(void **state)
{
	(void)state;
	int32_t d = day_of("2026-01-01");
	mlv_duty_rate r;
	const mlv_profile *ca = mlv_profiles_get(ps, "CA");
	assert_int_equal(mlv_profile_duty_rate(ca, d, "610910", "US", &r), 0);
	assert_string_equal(r.rule->id, "CA-DUTY-CUSMA");
	assert_int_equal(r.rate_ppm, 0);
	assert_int_equal(mlv_profile_duty_rate(ca, d, "610910", "CN", &r), 0);
	assert_string_equal(r.rule->id, "CA-DUTY-DEFAULT");
	assert_int_equal(mlv_profile_duty_rate(ca, day_of("2020-06-30"), "610910", "US", &r), 0);
	assert_string_equal(r.rule->id, "CA-DUTY-DEFAULT");

	const mlv_profile *ch = mlv_profiles_get(ps, "CH");
	assert_int_equal(mlv_profile_duty_rate(ch, d, "851713", "CN", &r), 0);
	assert_string_equal(r.rule->id, "CH-DUTY-INDUSTRIAL-0");
	assert_true(r.computed);
	assert_int_equal(mlv_profile_duty_rate(ch, d, "040210", "DE", &r), 0);
	assert_string_equal(r.rule->id, "CH-DUTY-SPECIFIC");
	assert_false(r.computed);

	const mlv_profile *sg = mlv_profiles_get(ps, "SG");
	assert_int_equal(mlv_profile_duty_rate(sg, d, "220421", "FR", &r), 0);
	assert_false(r.computed);
	assert_int_equal(mlv_profile_duty_rate(sg, d, "610910", "CN", &r), 0);
	assert_true(r.computed);
	assert_int_equal(r.rate_ppm, 0);
}

static void test_hs_ranges(void **state)
{
	(void)state;
	const mlv_rule *alc = rule_by_id("FR", "EU-EXCISE-ALCOHOL");
	assert_true(mlv_hs_in_ranges("220421", alc->hs, alc->hs_count));
	assert_true(mlv_hs_in_ranges("2203000100", alc->hs, alc->hs_count));
	assert_true(mlv_hs_in_ranges("220890", alc->hs, alc->hs_count));
	assert_false(mlv_hs_in_ranges("220210", alc->hs, alc->hs_count));
	assert_false(mlv_hs_in_ranges("220900", alc->hs, alc->hs_count));
	assert_false(mlv_hs_in_ranges("22", alc->hs, alc->hs_count)); /* shorter than the range */
	assert_false(mlv_hs_in_ranges(NULL, alc->hs, alc->hs_count));
	const mlv_rule *ind = rule_by_id("CH", "CH-DUTY-INDUSTRIAL-0");
	assert_true(mlv_hs_in_ranges("250100", ind->hs, ind->hs_count));
	assert_true(mlv_hs_in_ranges("970100", ind->hs, ind->hs_count));
	assert_false(mlv_hs_in_ranges("240220", ind->hs, ind->hs_count));
	assert_string_equal(mlv_rule_kind_name(MLV_RULE_FLAT_DUTY), "flat_duty");
	assert_string_equal(mlv_rule_kind_name(0), "");
}

/* SAR and AED are not quoted by the ECB: through USD at the pegs. */
static void test_pegs(void **state)
{
	(void)state;
	int32_t d = day_of("2025-06-02");
	int64_t out = 0;
	assert_int_equal(mlv_profiles_convert(ps, rd, 10000, "USD", "SAR", d, &out), 0);
	assert_int_equal(out, 37500);
	assert_int_equal(mlv_profiles_convert(ps, rd, 37500, "SAR", "USD", d, &out), 0);
	assert_int_equal(out, 10000);
	assert_int_equal(mlv_profiles_convert(ps, rd, 100000, "SAR", "AED", d, &out), 0);
	assert_int_equal(out, 97933); /* 1000 / 3.75 x 3.6725 = 979.333 */
	assert_int_equal(mlv_profiles_convert(ps, rd, 10000, "USD", "AED", d, &out), 0);
	assert_int_equal(out, 36725);
	/* EUR -> SAR = EUR -> USD x 3.75 */
	int64_t usd = 0;
	assert_int_equal(mlv_fx_convert(rd, 1000000, "EUR", "USD", d, &usd), 0);
	assert_int_equal(mlv_profiles_convert(ps, rd, 1000000, "EUR", "SAR", d, &out), 0);
	assert_true(out >= usd * 375 / 100 - 1 && out <= usd * 375 / 100 + 1);
	/* ECB pairs go through mlv_fx_convert unchanged */
	int64_t a = 0, b = 0;
	assert_int_equal(mlv_profiles_convert(ps, rd, 12345, "GBP", "JPY", d, &a), 0);
	assert_int_equal(mlv_fx_convert(rd, 12345, "GBP", "JPY", d, &b), 0);
	assert_int_equal(a, b);
	assert_int_equal(mlv_profiles_convert(ps, rd, 1, "XOF", "SAR", d, &out), MLV_ENOTFOUND);
	assert_int_equal(mlv_profiles_convert(ps, rd, 5, "SAR", "SAR", d, &out), 0);
	assert_int_equal(out, 5);
}

static void test_profile_json(void **state)
{
	(void)state;
	mlv_buf b = MLV_BUF_INIT(1 << 22);
	for (size_t i = 0; i < mlv_profiles_count(ps); i++) {
		mlv_buf_reset(&b);
		const mlv_profile *p = mlv_profiles_at(ps, i);
		assert_int_equal(mlv_profile_write_json(&b, p, day_of("2026-07-01")), 0);
		cJSON *j = cJSON_Parse(b.data);
		if (j == NULL)
			fail_msg("%s: JSON does not parse", mlv_profile_code(p));
		cJSON_Delete(j);
		mlv_buf_reset(&b);
		assert_int_equal(mlv_profile_write_json(&b, p, MLV_DAY_MIN), 0);
		j = cJSON_Parse(b.data);
		assert_non_null(j);
		cJSON_Delete(j);
	}
	mlv_buf_reset(&b);
	assert_int_equal(mlv_profile_write_json(&b, mlv_profiles_get(ps, "FR"), day_of("2026-07-01")), 0);
	cJSON *j = cJSON_Parse(b.data);
	assert_string_equal(cJSON_GetObjectItem(j, "union")->valuestring, "EU");
	const cJSON *rules = cJSON_GetObjectItem(j, "rules");
	bool flat = false, relief = false;
	const cJSON *r;
	cJSON_ArrayForEach(r, rules)
	{
		const char *id = cJSON_GetObjectItem(r, "id")->valuestring;
		flat = flat || strcmp(id, "EU-FLAT-3EUR") == 0;
		relief = relief || strcmp(id, "EU-RELIEF-NEGLIGIBLE") == 0;
		if (strcmp(id, "EU-FLAT-3EUR") == 0) {
			assert_string_equal(cJSON_GetObjectItem(r, "valid_to")->valuestring, "2028-07-01");
			const cJSON *amt = cJSON_GetObjectItem(r, "amount");
			assert_string_equal(cJSON_GetObjectItem(amt, "amount")->valuestring, "3.00");
			assert_false(cJSON_IsTrue(cJSON_GetObjectItem(r, "verified")));
		}
	}
	assert_true(flat);
	assert_false(relief); /* not in force on 2026-07-01 */
	cJSON_Delete(j);
	mlv_buf_free(&b);
}

/* ---- load errors on copies in a temp directory ---- */

typedef struct tmp {
	char dir[64];
} tmp;

static const char eu_ini[] =
	"[profile]\ncountry = EU\nkind = union\nname = Test union\ncurrency = EUR\n"
	"valuation = cif\ntax_name = VAT\nfx_day = eu_monthly\n"
	"\n[tariff T-TARIFF]\nfile = t.tsv\nbasis = A test tariff for the unit tests\n"
	"source = https://example.org/t\n";
static const char fr_ini[] =
	"; a test member state\n[profile]\ncountry = FR\nkind = country\nname = Test France\n"
	"union = EU\ncurrency = EUR\n"
	"\n[tax T-VAT]\nrate = 20\nbasis = A test VAT rate for the unit tests\n"
	"source = https://example.org/vat\n";
static const char t_tsv[] = "code\tad_valorem\tspecific\tkind\n6109\t12\t\tall\n";

static void put(const tmp *t, const char *rel, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", t->dir, rel);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

static int tmp_setup(void **state)
{
	tmp *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/mlv-profile-XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return -1;
	char sub[128];
	snprintf(sub, sizeof(sub), "%s/countries", t->dir);
	mkdir(sub, 0700);
	snprintf(sub, sizeof(sub), "%s/tariffs", t->dir);
	mkdir(sub, 0700);
	put(t, "countries/EU.ini", eu_ini);
	put(t, "countries/FR.ini", fr_ini);
	put(t, "tariffs/t.tsv", t_tsv);
	*state = t;
	return 0;
}

static int tmp_teardown(void **state)
{
	tmp *t = *state;
	static const char *const files[] = {"countries/EU.ini", "countries/FR.ini",
		"countries/DE.ini", "tariffs/t.tsv", "countries", "tariffs", ""};
	for (size_t i = 0; i < MLV_ARRAY_LEN(files); i++) {
		char path[256];
		snprintf(path, sizeof(path), "%s/%s", t->dir, files[i]);
		remove(path);
	}
	free(t);
	return 0;
}

static int load_tmp(const tmp *t, char *err, size_t errlen)
{
	mlv_profiles *p = NULL;
	int rc = mlv_profiles_load(&p, t->dir, rd, err, errlen);
	if (rc == 0) {
		assert_non_null(p);
		mlv_profiles_free(p);
	} else {
		assert_null(p);
	}
	return rc;
}

static void test_load_copy_ok(void **state)
{
	tmp *t = *state;
	char err[256] = "";
	assert_int_equal(load_tmp(t, err, sizeof(err)), 0);
	mlv_profiles *p = NULL;
	assert_int_equal(mlv_profiles_load(&p, t->dir, rd, err, sizeof(err)), 0);
	mlv_duty_rate r;
	assert_int_equal(mlv_profile_duty_rate(mlv_profiles_get(p, "FR"), day_of("2026-01-01"),
					       "610910", "CN", &r), 0);
	assert_int_equal(r.rate_ppm, 120000);
	mlv_profiles_free(p);
}

/* Each broken variant of FR.ini or the tariff is refused with a message
 * naming the file. */
static void test_load_errors(void **state)
{
	tmp *t = *state;
	static const struct {
		const char *file, *text, *want;
	} cases[] = {
		/* a line inih would split */
		{"countries/FR.ini", NULL, "longer than"},
		/* ';' would cut the value */
		{"countries/FR.ini",
		 "[profile]\ncountry = FR\nkind = country\nname = A; B\nunion = EU\ncurrency = EUR\n",
		 "';'"},
		/* an indented line would be joined */
		{"countries/FR.ini", "[profile]\ncountry = FR\n  kind = country\n", "space"},
		{"countries/FR.ini", "[profile]\ncountry = FR\nkind = country\nname = X\nunion = EU\n"
				     "currency = EUR\nbogus = 1\n", "unknown key"},
		{"countries/FR.ini", "[profile]\ncountry = DE\nkind = country\nname = X\nunion = EU\n"
				     "currency = EUR\n", "does not match"},
		{"countries/FR.ini", "[profile]\ncountry = FR\nkind = country\nname = X\nunion = EU\n"
				     "currency = XYZ\n", "unknown currency"},
		{"countries/FR.ini", "[profile]\ncountry = FR\nkind = country\nname = X\nunion = ZZ\n"
				     "currency = EUR\n", "not loaded"},
		{"countries/FR.ini", "[profile]\ncountry = FR\nkind = country\nname = X\nunion = EU\n"
				     "currency = EUR\n[tax V]\nrate = 20\nsource = https://x.org\n",
		 "basis is required"},
		{"countries/FR.ini", "[profile]\ncountry = FR\nkind = country\nname = X\nunion = EU\n"
				     "currency = EUR\n[tax V]\nrate = 20\nbasis = law\n", "source"},
		{"countries/FR.ini", "[profile]\ncountry = FR\nkind = country\nname = X\nunion = EU\n"
				     "currency = EUR\n[tax V]\nrate = 20\nbasis = the law\n"
				     "source = https://x.org\nvalid_from = 2026-02-30\n", "valid_from"},
		{"countries/FR.ini", "[profile]\ncountry = FR\nkind = country\nname = X\nunion = EU\n"
				     "currency = EUR\n[tax V]\nrate = 20\nbasis = the law\n"
				     "source = https://x.org\nvalid_from = 2026-01-01\nvalid_to = 2026-01-01\n",
		 "not before"},
		/* two general VAT rates in force on the same day */
		{"countries/FR.ini", "[profile]\ncountry = FR\nkind = country\nname = X\nunion = EU\n"
				     "currency = EUR\n[tax V1]\nrate = 20\nbasis = the law\n"
				     "source = https://x.org\nvalid_to = 2026-01-02\n[tax V2]\nrate = 21\n"
				     "basis = the law\nsource = https://x.org\nvalid_from = 2026-01-01\n",
		 "same days"},
		/* an id used twice across files */
		{"countries/FR.ini", "[profile]\ncountry = FR\nkind = country\nname = X\nunion = EU\n"
				     "currency = EUR\n[tariff T-TARIFF]\nfile = t.tsv\nbasis = the law\n"
				     "source = https://x.org\n", "used twice"},
		{"countries/FR.ini", "[profile]\ncountry = FR\nkind = country\nname = X\nunion = EU\n"
				     "currency = EUR\n[relief R]\napplies = duty\nthreshold = 150.001 EUR\n"
				     "value = intrinsic\nbasis = the law\nsource = https://x.org\n",
		 "bad value for threshold"},
		{"countries/FR.ini", "[profile]\ncountry = FR\nkind = country\nname = X\nunion = EU\n"
				     "currency = EUR\n[relief R]\napplies = duty\nthreshold = 150.00 EUR\n"
				     "basis = the law\nsource = https://x.org\n", "value is required"},
		{"countries/FR.ini", "[profile]\ncountry = FR\nkind = country\nname = X\nunion = EU\n"
				     "currency = EUR\n[frobnicate R]\nbasis = the law\n", "unknown rule kind"},
		{"countries/FR.ini", "[profile]\ncountry = FR\nkind = country\nname = X\nunion = EU\n"
				     "currency = EUR\n[tax lower-case]\nrate = 1\n", "rule id"},
		{"countries/FR.ini", "[profile]\ncountry = FR\nkind = country\nname = X\nunion = EU\n"
				     "currency = EUR\n[excise E]\nhs = 22-2208\nbasis = the law\n"
				     "source = https://x.org\n", "bad value for hs"},
		{"countries/FR.ini", "[profile]\ncountry = FR\nkind = country\nname = X\nunion = EU\n"
				     "currency = EUR\n[scheme S]\nscheme = nope\nformat = IM#\nbasis = the law\n"
				     "source = https://x.org\n", "bad value for scheme"},
		{"countries/FR.ini", "[profile]\ncountry = FR\nkind = country\nname = X\nunion = EU\n"
				     "currency = EUR\n[tax V]\nrate = 20\nrate = 21\nbasis = the law\n"
				     "source = https://x.org\n", "twice"},
		{"countries/FR.ini", "[profile]\ncountry = FR\nkind = country\nname = X\nunion = EU\n"
				     "currency = EUR\n[tax V]\nrate = 20\nbasis = the law\n"
				     "source = ftp://x.org\n", "bad value for source"},
		{"countries/FR.ini", "[profile]\ncountry = FR\n", "needs country"},
		{"countries/FR.ini", "[profile]\ncountry = FR\nkind = country\n[tax V]\n", "empty"},
		{"tariffs/t.tsv", "code\tad_valorem\tspecific\tkind\n6109\t12\t\tall\n6108\t1\t\tall\n",
		 "ascend"},
		{"tariffs/t.tsv", "code\tad_valorem\tspecific\tkind\n6109\tx\t\tall\n", "ad_valorem"},
		{"tariffs/t.tsv", "code\tad_valorem\tspecific\n6109\t12\t\n", "4 fields"},
		{"tariffs/t.tsv", "code\tad_valorem\tspecific\tkind\n6109\t12\t\tsome\n", "kind"},
		{"tariffs/t.tsv", "code\tad_valorem\tspecific\tkind\n6109\t\t\tall\n", "no rate"},
	};
	char longline[400];
	snprintf(longline, sizeof(longline), "[profile]\ncountry = FR\nname = %0250d\n", 0);
	for (size_t i = 0; i < MLV_ARRAY_LEN(cases); i++) {
		put(t, cases[i].file, cases[i].text != NULL ? cases[i].text : longline);
		char err[256] = "";
		int rc = load_tmp(t, err, sizeof(err));
		if (rc == 0 || strstr(err, cases[i].want) == NULL)
			fail_msg("case %zu: rc %d, message \"%s\" lacks \"%s\"", i, rc, err,
				 cases[i].want);
		/* restore */
		put(t, "countries/FR.ini", fr_ini);
		put(t, "tariffs/t.tsv", t_tsv);
	}
	/* a missing directory */
	char err[256] = "";
	mlv_profiles *p = NULL;
	assert_int_equal(mlv_profiles_load(&p, "/nonexistent-mlv", rd, err, sizeof(err)), MLV_EIO);
	assert_null(p);
}

/* A currency rule switches the profile's currency on its date. */
static void test_currency_period(void **state)
{
	tmp *t = *state;
	put(t, "countries/DE.ini",
	    "[profile]\ncountry = DE\nkind = country\nname = Test\nunion = EU\ncurrency = EUR\n"
	    "[currency D-OLD]\ncurrency = DKK\nvalid_to = 2020-01-01\nbasis = an old currency\n"
	    "source = https://x.org\n"
	    "[rounding D-R]\napplies = tax\nunit = 0.05 EUR\nmode = half_up\nbasis = a rounding\n"
	    "source = https://x.org\n");
	char err[256] = "";
	mlv_profiles *p = NULL;
	assert_int_equal(mlv_profiles_load(&p, t->dir, rd, err, sizeof(err)), 0);
	const mlv_profile *de = mlv_profiles_get(p, "DE");
	assert_string_equal(mlv_profile_currency(de, day_of("2019-12-31")), "DKK");
	assert_string_equal(mlv_profile_currency(de, day_of("2020-01-01")), "EUR");
	mlv_profiles_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_required_profiles),
		cmocka_unit_test(test_every_rule_documented),
		cmocka_unit_test(test_rules_by_date),
		cmocka_unit_test(test_vat_history),
		cmocka_unit_test(test_tax_rule_specific),
		cmocka_unit_test(test_tariff_lookup),
		cmocka_unit_test(test_duty_rule_precedence),
		cmocka_unit_test(test_hs_ranges),
		cmocka_unit_test(test_pegs),
		cmocka_unit_test(test_profile_json),
		cmocka_unit_test_setup_teardown(test_load_copy_ok, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_load_errors, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_currency_period, tmp_setup, tmp_teardown),
	};
	return cmocka_run_group_tests(tests, profiles_group_setup, profiles_group_teardown);
}
