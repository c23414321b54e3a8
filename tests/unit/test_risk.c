/* test_risk.c - the risk engine (risk.h) and text folding (fold.h):
 * parsing and its errors, the refusal of buyer criteria, each criterion
 * hitting and missing, multilingual words, the HS trie and the keyword
 * automaton against naive scans on random inputs, lanes and thresholds,
 * prohibited goods never green, restricted goods and permits, random
 * selection (SipHash checked against libsodium, rate over 10,000),
 * watch-list matching, reference unit values, split consignments, the
 * multi-party mismatch check, operator scores, feedback statistics, the
 * JSON output and the shipped data files.  (Cost as rules grow is
 * measured by bench/rules.c in make bench, not here.)
 *
 * Test consignments are decoded from JSON against the real reference
 * data (MLV_DATADIR); the data files are read from MLV_DATADIR/risk. */
#include "mlv/risk.h"

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <cmocka.h>
#include <sodium.h>

#include "mlv/codec.h"
#include "mlv/fold.h"
#include "mutate.h"

#ifndef MLV_DATADIR
#error "MLV_DATADIR must name the data directory"
#endif

static mlv_refdata *rd;
static mlv_risk_profile *deflt;
static mlv_risk_goods *goods;
static mlv_risk_watchlist *sample_watch;
static int32_t today; /* 2024-03-20, inside the ECB history */

/* A low_value_dutiable consignment by post from CN to FR, one item of
 * 30.00 EUR, ordered 2024-03-15. */
static const char base_json[] =
	"{\"lrn\":\"LRN-RISK-0001\",\"declaration_type\":\"import\","
	"\"category\":\"low_value_dutiable\",\"business_model\":\"direct\",\"channel\":\"post\","
	"\"transport\":{\"mode\":\"postal\",\"tracking_number\":\"LX123456785CN\","
	"\"carrier\":{\"name\":\"China Post\",\"identifier\":\"CNPOST\","
	"\"identifier_type\":\"postal_operator\",\"country\":\"CN\"},"
	"\"departure_country\":\"CN\",\"office_of_arrival\":\"FR000690\","
	"\"expected_arrival\":\"2024-03-25T08:30:00Z\"},"
	"\"seller\":{\"name\":\"Shenzhen Example Electronics Co.\",\"address\":{"
	"\"street\":\"88 Keji Road\",\"city\":\"Shenzhen\",\"postcode\":\"518057\","
	"\"country\":\"CN\"}},"
	"\"buyer\":{\"name\":\"Camille Martin\",\"address\":{\"street\":\"12 Rue de la Paix\","
	"\"city\":\"Lyon\",\"postcode\":\"69002\",\"country\":\"FR\"}},"
	"\"platform\":{\"name\":\"ExampleMarket Ltd\",\"identifier\":\"IE1234567X\","
	"\"identifier_type\":\"vat\",\"country\":\"IE\"},"
	"\"transaction\":{\"order_id\":\"ORD-2024-000123\",\"order_date\":\"2024-03-15\","
	"\"currency\":\"EUR\",\"invoice_total\":\"30.00\",\"shipping_cost\":\"5.00\"},"
	"\"items\":[{\"description\":\"Wireless earphones with charging case\","
	"\"hs_code\":\"851762\",\"quantity\":\"1\",\"unit\":\"piece\",\"net_weight\":\"0.120\","
	"\"gross_weight\":\"0.180\",\"currency\":\"EUR\",\"value\":\"30.00\","
	"\"origin_country\":\"CN\"}]}";

/* ---- building consignments --------------------------------------------------------- */

typedef struct filing {
	mlv_arena *arena;
	mlv_consignment c;
} filing;

/* Decodes text; problems are allowed only when `partial`. */
static void decode_text(filing *f, const char *text, bool partial)
{
	mlv_problems p;
	mlv_problems_init(&p);
	f->arena = mlv_arena_new(16384);
	assert_non_null(f->arena);
	int rc = mlv_consignment_decode(&f->c, text, strlen(text), f->arena, rd, &p);
	if (rc != 0 || (!partial && p.errors > 0)) {
		for (size_t i = 0; i < p.count; i++)
			fprintf(stderr, "  problem %s %s: %s\n", p.items[i].pointer, p.items[i].code,
				p.items[i].message);
		fail_msg("test filing does not decode (rc %d)", rc);
	}
	mlv_problems_clear(&p);
}

/* A filing from base_json with mutations (pointer, value, ..., NULL). */
static void build(filing *f, ...)
{
	va_list ap;
	va_start(ap, f);
	char *text = mutate_v(base_json, ap);
	va_end(ap);
	decode_text(f, text, false);
	cJSON_free(text);
}

static void filing_free(filing *f)
{
	mlv_arena_free(f->arena);
	f->arena = NULL;
}

/* ---- profiles and assessments ----------------------------------------------------------- */

#define HEADER                                                                           \
	"[profile]\nid = test\nversion = 7\ncurrency = EUR\nyellow = 30\nred = 60\nhold = 100\n" \
	"random_percent = 0\n"

static mlv_risk_profile *profile_text(const char *text)
{
	char err[512] = "";
	mlv_risk_profile *p = NULL;
	int rc = mlv_risk_profile_parse(&p, text, strlen(text), "test.ini", rd, err, sizeof(err));
	if (rc != 0)
		fail_msg("profile does not parse (%d): %s", rc, err);
	return p;
}

/* HEADER + the rules given. */
static mlv_risk_profile *profile(const char *rules)
{
	size_t n = strlen(HEADER) + strlen(rules) + 1;
	char *t = malloc(n);
	assert_non_null(t);
	snprintf(t, n, "%s%s", HEADER, rules);
	mlv_risk_profile *p = profile_text(t);
	free(t);
	return p;
}

static mlv_risk_input input(void)
{
	mlv_risk_input in = MLV_RISK_INPUT_INIT;
	in.country = "FR";
	in.day = today;
	in.filer = "FILER-01";
	return in;
}

static void assess(mlv_risk_assessment *a, const mlv_risk_profile *p, const filing *f,
		   const mlv_risk_input *in)
{
	int rc = mlv_risk_assess(a, p, &f->c, in, rd);
	assert_int_equal(rc, 0);
}

static const mlv_risk_hit *find_hit(const mlv_risk_assessment *a, const char *id)
{
	for (size_t i = 0; i < a->hit_count; i++)
		if (strcmp(a->hits[i].rule_id, id) == 0)
			return &a->hits[i];
	return NULL;
}

static void dump_hits(const mlv_risk_assessment *a)
{
	for (size_t i = 0; i < a->hit_count; i++)
		fprintf(stderr, "  hit %s (%d): %s\n", a->hits[i].rule_id, a->hits[i].weight,
			a->hits[i].explanation);
}

/* ---- fixtures ---------------------------------------------------------------------------------- */

static int group_setup(void **state)
{
	(void)state;
	char err[512] = "";
	if (mlv_refdata_load(&rd, MLV_DATADIR, err, sizeof(err)) != 0) {
		fprintf(stderr, "refdata: %s\n", err);
		return -1;
	}
	if (!mlv_date_parse("2024-03-20", 10, &today))
		return -1;
	if (mlv_risk_profile_load(&deflt, MLV_DATADIR "/risk/profile-default.ini", rd, err,
				  sizeof(err)) != 0 ||
	    mlv_risk_goods_load_dir(&goods, MLV_DATADIR "/risk/goods", rd, err, sizeof(err)) != 0 ||
	    mlv_risk_watchlist_load(&sample_watch, MLV_DATADIR "/risk/watchlist-sample.tsv", err,
				    sizeof(err)) != 0) {
		fprintf(stderr, "risk data: %s\n", err);
		return -1;
	}
	return sodium_init() < 0 ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	mlv_risk_watchlist_free(sample_watch);
	mlv_risk_goods_free(goods);
	mlv_risk_profile_free(deflt);
	mlv_refdata_free(rd);
	return 0;
}

/* ---- folding ---------------------------------------------------------------------------------- */

static void expect_fold(const char *in, const char *want)
{
	char out[256];
	size_t n = mlv_fold(out, sizeof(out), in, strlen(in));
	if (strcmp(out, want) != 0)
		fail_msg("fold(\"%s\") = \"%s\", want \"%s\"", in, out, want);
	assert_int_equal(n, strlen(want));
	assert_true(n <= strlen(in));
}

static void test_fold_languages(void **state)
{
	(void)state;
	expect_fold("Écouteurs SANS-FIL, à réduction!", "ecouteurs sans fil a reduction");
	expect_fold("BATERÍA DE LITIO (Ñandú)", "bateria de litio nandu");
	expect_fold("Straße — Lithium-Ionen-Akku für Kühlschrank", "strasse lithium ionen akku fur kuhlschrank");
	expect_fold("Łódź Źdźbło żółw", "lodz zdzblo zolw");
	expect_fold("İstanbul ŞIĞ ğüşöç", "istanbul sig gusoc");
	expect_fold("Æble Øre Åland Þór Œuvre", "aeble ore aland thor oeuvre");
	expect_fold("Tiếng Việt đồng hồ", "tieng viet dong ho");
	expect_fold("Românește țară", "romaneste tara");
	expect_fold("e\xcc\x81te\xcc\x81", "ete");  /* decomposed accents */
	expect_fold("ΕΛΛΗΝΙΚΆ Ρολόι", "ελληνικα ρολοι");
	expect_fold("ПРИВЕТ Ёлка", "привет елка");
	expect_fold("ＩＰＨＯＮＥ１５ 手机壳", "iphone15 手机壳");
	expect_fold("  ...hello,,,world!!  ", "hello world");
	expect_fold("soft\xc2\xadhyphen", "softhyphen");
	expect_fold("bad \xff\xfe bytes \xe2\x82", "bad bytes");
	expect_fold("", "");

	/* Never longer than the input, whatever the bytes; cut on a boundary. */
	uint64_t s = 42;
	for (int round = 0; round < 2000; round++) {
		unsigned char in[64];
		char out[65];
		size_t n = (size_t)(round % 64);
		for (size_t i = 0; i < n; i++) {
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			in[i] = (unsigned char)(s >> 56);
		}
		size_t got = mlv_fold(out, sizeof(out), (const char *)in, n);
		assert_true(got <= n);
		assert_int_equal(strlen(out), got);
		assert_true(mlv_utf8_valid(out, got));
		char small[8];
		size_t cut = mlv_fold(small, sizeof(small), (const char *)in, n);
		assert_true(cut < sizeof(small));
		assert_true(mlv_utf8_valid(small, cut));
	}
}

static void expect_name(const char *in, const char *want)
{
	char out[256];
	mlv_fold_name(out, sizeof(out), in, strlen(in));
	if (strcmp(out, want) != 0)
		fail_msg("fold_name(\"%s\") = \"%s\", want \"%s\"", in, out, want);
}

static void test_fold_names(void **state)
{
	(void)state;
	expect_name("ACME Trading Co., Ltd.", "acmetrading");
	expect_name("Acme-Trading GmbH", "acmetrading");
	expect_name("acme trading", "acmetrading");
	expect_name("Société Générale S.A.", "societegenerale");
	expect_name("Dupont et Fils S.A.R.L.", "dupontetfils");
	expect_name("The Example Company", "example");
	expect_name("Polska Firma Sp. z o.o.", "polskafirma");
	expect_name("Shenzhen Example Electronics Co.", "shenzhenexampleelectronics");
	expect_name("Example Holdings Pte. Ltd", "exampleholdings");
	expect_name("Co Ltd", "coltd"); /* only legal forms: kept */
	expect_name("Trading", "trading");
	expect_name("A.B. Example", "abexample"); /* initials at the front stay */
}

/* ---- the shipped data ----------------------------------------------------------------------------- */

static void test_shipped_data(void **state)
{
	(void)state;
	assert_string_equal(mlv_risk_profile_id(deflt), "default");
	assert_true(mlv_risk_profile_rule_count(deflt) >= 20);
	assert_string_equal(mlv_risk_profile_currency(deflt), "EUR");
	assert_true(mlv_risk_goods_entry_count(goods) >= 30);
	assert_true(mlv_risk_watchlist_count(sample_watch) >= 5);
	/* The EU list reaches every member; national lists their own. */
	const char *covered[] = {"FR", "DE", "IT", "PL", "SE", "GB", "US", "EU"};
	for (size_t i = 0; i < MLV_ARRAY_LEN(covered); i++)
		assert_true(mlv_risk_goods_covers(goods, covered[i]));
	assert_false(mlv_risk_goods_covers(goods, "CN"));
	assert_false(mlv_risk_goods_covers(goods, "NO"));

	mlv_risk_rule_info info;
	/* AEO trust is the factor of mlv_risk_input.aeo_status, not a rule */
	assert_int_equal(mlv_risk_profile_find(deflt, "R-AEO", &info), MLV_ENOTFOUND);
	assert_int_equal(mlv_risk_profile_find(deflt, "R-WATCH-SELLER", &info), 0);
	assert_int_equal(info.lane, MLV_RISK_RED);
	assert_int_equal(mlv_risk_profile_find(deflt, "nope", &info), MLV_ENOTFOUND);
	assert_int_equal(mlv_risk_profile_rule(deflt, 0, &info), 0);
	assert_non_null(info.explain);
	assert_int_equal(mlv_risk_profile_rule(deflt, 100000, &info), MLV_ENOTFOUND);

	/* Every shipped goods entry cites a basis and a URL: the loader
	 * insists, so a goods list without them cannot load. */
	const char *bad = "[list]\ncountry = XY\nname = x\ncurrency = EUR\n"
			  "[prohibited X-1]\nwords = thing\nexplain = x\nbasis = a law\n";
	mlv_risk_goods *g = NULL;
	char err[256];
	assert_int_equal(mlv_risk_goods_new(&g), 0);
	assert_int_equal(mlv_risk_goods_add(g, bad, strlen(bad), "x.ini", rd, err, sizeof(err)),
			 MLV_EINVALID);
	assert_non_null(strstr(err, "x.ini:5:"));
	mlv_risk_goods_free(g);
}

/* ---- parsing errors --------------------------------------------------------------------------- */

typedef struct bad_case {
	const char *text; /* appended to HEADER unless it starts with '!' */
	int rc;
	const char *where; /* "test.ini:N:" */
	const char *says;
} bad_case;

#define R "[rule R-1]\nversion = 1\nweight = 10\nexplain = x\n"

static void test_parse_errors(void **state)
{
	(void)state;
	static const bad_case cases[] = {
		{R "colour = red\n", MLV_EINVALID, "test.ini:13:", "unknown key 'colour'"},
		{R "hs = 9999\n", MLV_EINVALID, "test.ini:13:", "HS 2022 has no heading 9999"},
		{R "hs = 85x7\n", MLV_EINVALID, "test.ini:13:", "not an HS prefix"},
		{R "origin = XX\n", MLV_EINVALID, "test.ini:13:", "'XX' is not an ISO 3166-1"},
		{"[rule R-1]\nweight = 1\nexplain = x\nhs = 85\n", MLV_EINVALID, "test.ini:9:",
		 "version is required"},
		{"[rule R-1]\nversion = 1\nexplain = x\nhs = 85\n", MLV_EINVALID, "test.ini:9:",
		 "weight is required"},
		{"[rule R-1]\nversion = 1\nweight = 1\nhs = 85\n", MLV_EINVALID, "test.ini:9:",
		 "explain is required"},
		{R, MLV_EINVALID, "test.ini:9:", "at least one criterion"},
		{R "hs = 85\n" R "hs = 84\n", MLV_EEXISTS, "test.ini:14:", "used twice"},
		{"[rule R-1]\nversion = 1\nweight = 1\nexplain = {nonsense}\nhs = 85\n", MLV_EINVALID,
		 "test.ini:12:", "unknown placeholder {nonsense}"},
		{R "lane = purple\nhs = 85\n", MLV_EINVALID, "test.ini:13:", "not a lane"},
		{R "value_max = 1.234\n", MLV_EINVALID, "test.ini:13:", "not an amount"},
		{R "value_min = 10\nvalue_max = 5\n", MLV_EINVALID, "test.ini:9:",
		 "value_min is above value_max"},
		{R "hs = 85\nhs = 84\nweight = 3\n", MLV_EINVALID, "test.ini:15:", "'weight' given twice"},
		{R "channel = pigeon\n", MLV_EINVALID, "test.ini:13:", "'pigeon' is not one of: post"},
		{R "route = *>*\n", MLV_EINVALID, "test.ini:13:", "would match everything"},
		{R "route = CNFR\n", MLV_EINVALID, "test.ini:13:", "DEPARTURE>DESTINATION"},
		{R "weight = 5000\n", MLV_EINVALID, "test.ini:13:", "given twice"},
		{"[rule R-1]\nversion = 1\nweight = 5000\n", MLV_EINVALID, "test.ini:11:", "-1000..1000"},
		{R "words = *\n", MLV_EINVALID, "test.ini:13:", "no letters or digits"},
		{R "quality_max = 101\n", MLV_EINVALID, "test.ini:13:", "0..100"},
		{R "hs = 85\n[unknown]\n", MLV_EINVALID, "test.ini:14:", "unknown section [unknown]"},
		{R "hs 85\n", MLV_EINVALID, "test.ini:13:", "expected [section] or key = value"},
		{R "hs =\n", MLV_EINVALID, "test.ini:13:", "has no value"},
		{R "hs = 85\x01\n", MLV_EINVALID, "test.ini:13:", "control character"},
		{R "words = caf\xe9\n", MLV_EINVALID, "test.ini:13:", "not valid UTF-8"},
		{R "basis = a law\nhs = 85\n", MLV_EINVALID, "test.ini:13:", "not allowed in this section"},
		{"!hs = 85\n", MLV_EINVALID, "test.ini:1:", "outside a section"},
		{"![rule R-1]\nversion = 1\n", MLV_EINVALID, "test.ini:1:", "[profile] must come first"},
		{"!", MLV_EINVALID, "test.ini:", "no [profile] section"},
		{"![profile]\nid = x\n", MLV_EINVALID, "test.ini:1:", "needs an id and a currency"},
		{"![profile]\nid = x\ncurrency = EUR\nyellow = 50\nred = 40\n", MLV_EINVALID,
		 "test.ini:1:", "thresholds must rise"},
		{"![profile]\nid = x\ncurrency = EUR\nprohibited_lane = yellow\n", MLV_EINVALID,
		 "test.ini:4:", "not a lane here"},
		{"![profile]\nid = x\ncurrency = EUR\nprohibited_lane = green\n", MLV_EINVALID,
		 "test.ini:4:", "not a lane here"},
		{"![profile]\nid = x\ncurrency = XYZ\n", MLV_EINVALID, "test.ini:3:", "ISO 4217"},
		{"![profile]\nid = x\ncurrency = EUR\nrandom_percent = 101\n", MLV_EINVALID,
		 "test.ini:4:", "random_percent"},
		{"![profile]\nid = bad id\ncurrency = EUR\n", MLV_EINVALID, "test.ini:2:", "an id is"},
		{"![profile]\nid = x\ncurrency = EUR\n[profile]\n", MLV_EINVALID, "test.ini:4:",
		 "must come once"},
		{"![profile]\nid = x\ncurrency = EUR\n[rule bad id!]\n", MLV_EINVALID, "test.ini:4:",
		 "the id is"},
		{"![profile]\nid = x\ncurrency = EUR\n[prohibited P-1]\n", MLV_EINVALID, "test.ini:4:",
		 "unknown section [prohibited]"},
	};
	char text[1024], err[512];
	for (size_t i = 0; i < MLV_ARRAY_LEN(cases); i++) {
		const bad_case *k = &cases[i];
		if (k->text[0] == '!')
			snprintf(text, sizeof(text), "%s", k->text + 1);
		else
			snprintf(text, sizeof(text), "%s%s", HEADER, k->text);
		mlv_risk_profile *p = (mlv_risk_profile *)0x1;
		err[0] = '\0';
		int rc = mlv_risk_profile_parse(&p, text, strlen(text), "test.ini", rd, err, sizeof(err));
		if (rc != k->rc || strstr(err, k->where) == NULL || strstr(err, k->says) == NULL)
			fail_msg("case %zu: rc %d (want %d), err \"%s\" (want %s ... %s)", i, rc, k->rc,
				 err, k->where, k->says);
		assert_null(p);
	}

	/* Bounds: a line over 4,096 bytes, a phrase over 128. */
	size_t n = strlen(HEADER) + 6000;
	char *big = malloc(n);
	assert_non_null(big);
	int o = snprintf(big, n, "%s" R "words = ", HEADER);
	memset(big + o, 'a', 4500);
	big[o + 4500] = '\0';
	assert_int_equal(mlv_risk_profile_parse(&(mlv_risk_profile *){NULL}, big, strlen(big), "b",
						rd, err, sizeof(err)),
			 MLV_ETOOBIG);
	assert_non_null(strstr(err, "b:13: line longer"));
	big[o + 200] = '\0';
	assert_int_equal(mlv_risk_profile_parse(&(mlv_risk_profile *){NULL}, big, strlen(big), "b",
						rd, err, sizeof(err)),
			 MLV_EINVALID);
	assert_non_null(strstr(err, "1 to 128 bytes"));
	free(big);

	/* A missing file is MLV_EIO with its name. */
	mlv_risk_profile *p = NULL;
	assert_int_equal(mlv_risk_profile_load(&p, "/nonexistent/p.ini", rd, err, sizeof(err)),
			 MLV_EIO);
	assert_non_null(strstr(err, "/nonexistent/p.ini"));
	assert_null(p);
}

static void test_buyer_criteria_rejected(void **state)
{
	(void)state;
	static const char *const rules[] = {
		R "buyer_country = FR\n",
		R "buyer = Camille Martin\n",
		R "buyer_name = Camille\n",
		R "buyer_key = abc123\n",
		R "consignee_email = a@example.org\n",
		R "customer_id = 42\n",
		R "recipient_postcode = 69002\n",
		R "watchlisted = buyer\n",
		R "watchlisted = seller consumer\n",
		"[rule R-1]\nversion = 1\nweight = 1\nexplain = {buyer_name} buys\nhs = 85\n",
	};
	char text[1024], err[512];
	for (size_t i = 0; i < MLV_ARRAY_LEN(rules); i++) {
		snprintf(text, sizeof(text), "%s%s", HEADER, rules[i]);
		mlv_risk_profile *p = NULL;
		int rc = mlv_risk_profile_parse(&p, text, strlen(text), "test.ini", rd, err, sizeof(err));
		if (rc != MLV_EFORBIDDEN || strstr(err, "consumers are not profiled") == NULL ||
		    strstr(err, "test.ini:") == NULL)
			fail_msg("rule %zu: rc %d, err \"%s\"", i, rc, err);
		assert_null(p);
	}
	/* The same keys in a goods list, and a buyer role in a watch list. */
	const char *list = "[list]\ncountry = XY\nname = x\ncurrency = EUR\n"
			   "[prohibited X-1]\nbuyer_country = FR\n";
	mlv_risk_goods *g = NULL;
	assert_int_equal(mlv_risk_goods_new(&g), 0);
	assert_int_equal(mlv_risk_goods_add(g, list, strlen(list), "g.ini", rd, err, sizeof(err)),
			 MLV_EFORBIDDEN);
	mlv_risk_goods_free(g);
	const char *tsv = "role\tidentifier\tname\treason\tlisted\texpires\tsource\n"
			  "buyer\t\tCamille Martin\tbought fakes\t2025-01-01\t2026-01-01\t\n";
	mlv_risk_watchlist *wl = NULL;
	assert_int_equal(mlv_risk_watchlist_new(&wl), 0);
	assert_int_equal(mlv_risk_watchlist_parse(wl, tsv, strlen(tsv), "w.tsv", err, sizeof(err)),
			 MLV_EFORBIDDEN);
	assert_non_null(strstr(err, "w.tsv:2:"));
	assert_int_equal(mlv_risk_watchlist_count(wl), 0);
	mlv_risk_watchlist_free(wl);
	/* The API has no buyer role: roles stop at filer. */
	assert_string_equal(mlv_risk_role_name(MLV_RISK_ROLE_COUNT), "unknown");
}

/* ---- each criterion hits and misses ------------------------------------------------------------ */

typedef void (*input_fn)(mlv_risk_input *in);

/* One rule R-T with `criteria`; the filing built from `hit` mutations
 * (a NULL-terminated array) with input adjusted by fh must hit, the one
 * from `miss` with fm must not. */
static void expect_criterion(const char *criteria, const char *const *hit, input_fn fh,
			     const char *const *miss, input_fn fm)
{
	char rules[2048];
	snprintf(rules, sizeof(rules),
		 "[rule R-T]\nversion = 3\nweight = 40\nexplain = hit on item {item}\n%s", criteria);
	mlv_risk_profile *p = profile(rules);
	const char *const *sets[2] = {hit, miss};
	input_fn fns[2] = {fh, fm};
	for (int k = 0; k < 2; k++) {
		char *text = mutate_pairs(base_json, sets[k]);
		filing f;
		decode_text(&f, text, false);
		cJSON_free(text);
		mlv_risk_input in = input();
		if (fns[k])
			fns[k](&in);
		mlv_risk_assessment a;
		assess(&a, p, &f, &in);
		const mlv_risk_hit *h = find_hit(&a, "R-T");
		if ((h != NULL) != (k == 0)) {
			dump_hits(&a);
			fail_msg("criteria \"%s\": the %s case %s", criteria, k == 0 ? "hit" : "miss",
				 h ? "hit" : "missed");
		}
		if (h != NULL) {
			assert_int_equal(h->version, 3);
			assert_int_equal(h->weight, 40);
			assert_int_equal(a.score, 40);
			assert_int_equal(a.lane, MLV_RISK_YELLOW);
			assert_string_equal(a.profile_id, "test");
			assert_int_equal(a.profile_version, 7);
		} else {
			assert_int_equal(a.score, 0);
			assert_int_equal(a.lane, MLV_RISK_GREEN);
		}
		mlv_risk_assessment_clear(&a);
		filing_free(&f);
	}
	mlv_risk_profile_free(p);
}

#define M(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NONE ((const char *const[]){NULL})

static void in_quality_40(mlv_risk_input *in) { in->quality = 40; }
static void in_quality_80(mlv_risk_input *in) { in->quality = 80; }
static void in_lead_1(mlv_risk_input *in) { in->lead_known = true, in->lead_hours = 1; }
static void in_lead_48(mlv_risk_input *in) { in->lead_known = true, in->lead_hours = 48; }
static void in_aeo(mlv_risk_input *in) { in->aeo = 1; }
static void in_not_aeo(mlv_risk_input *in) { in->aeo = 0; }
static void in_mm_payment(mlv_risk_input *in) { in->mismatch = MLV_RISK_MM_PAYMENT; }
static void in_mm_weight(mlv_risk_input *in) { in->mismatch = MLV_RISK_MM_WEIGHT; }
static void in_opscore_45(mlv_risk_input *in) { in->operator_score = 45; }
static void in_opscore_10(mlv_risk_input *in) { in->operator_score = 10; }
static void in_filer_acme(mlv_risk_input *in) { in->filer = "ACME Express Co., Ltd."; }
static void in_watch(mlv_risk_input *in)
{
	in->watch = sample_watch;
	assert_true(mlv_date_parse("2026-01-15", 10, &in->day)); /* entries listed from 2025 */
}
static mlv_risk_split split_yes = {true, 3, 21000, 0, 0, 15000, 72 * 3600};
static mlv_risk_split split_no = {false, 1, 3000, 0, 0, 15000, 72 * 3600};
static void in_split(mlv_risk_input *in) { in->split = &split_yes; }
static void in_nosplit(mlv_risk_input *in) { in->split = &split_no; }
static void in_dest_de(mlv_risk_input *in) { in->country = "DE"; }

static void test_item_criteria(void **state)
{
	(void)state;
	expect_criterion("hs = 8517\n", NONE, NULL, M("/items/0/hs_code", "\"851130\""), NULL);
	expect_criterion("hs = 851762\n", M("/items/0/hs_code", "\"85176200\""), NULL,
			 M("/items/0/hs_code", "\"851761\""), NULL);
	expect_criterion("words = earphones\n", NONE, NULL,
			 M("/items/0/description", "\"Wireless headset\""), NULL);
	expect_criterion("words = earphones\nnot_words = case\n",
			 M("/items/0/description", "\"Wireless earphones\""), NULL, NONE, NULL);
	expect_criterion("origin = CN HK\n", NONE, NULL, M("/items/0/origin_country", "\"VN\""), NULL);
	expect_criterion("item_value_max = 30.00\n", NONE, NULL,
			 M("/items/0/value", "\"30.01\"", "/transaction/invoice_total", "\"30.01\""),
			 NULL);
	expect_criterion("item_value_min = 30.01\n",
			 M("/items/0/value", "\"30.01\"", "/transaction/invoice_total", "\"30.01\""),
			 NULL, NONE, NULL);
	/* 30.00 for 4 units is 7.50 a unit */
	expect_criterion("unit_value_max = 7.50\n", M("/items/0/quantity", "\"4\""), NULL,
			 M("/items/0/quantity", "\"3.999\""), NULL);
	expect_criterion("unit_value_min = 10.00\n", NONE, NULL, M("/items/0/quantity", "\"3.001\""),
			 NULL);
	/* 30.00 for 0.120 kg net is 250.00 a kg; without net, the gross 0.180 */
	expect_criterion("value_per_kg_max = 250.00\n", NONE, NULL,
			 M("/items/0/net_weight", "\"0.119\""), NULL);
	expect_criterion("value_per_kg_max = 170.00\n", M("/items/0/net_weight", DEL), NULL, NONE, NULL);
	expect_criterion("gtin = absent\n", NONE, NULL, M("/items/0/gtin", "\"4006381333931\""), NULL);
	expect_criterion("gtin = present\nbrand = present\n",
			 M("/items/0/gtin", "\"4006381333931\"", "/items/0/brand", "\"Example\""), NULL,
			 M("/items/0/brand", "\"Example\""), NULL);
	expect_criterion("brand = absent\n", NONE, NULL, M("/items/0/brand", "\"Example\""), NULL);
	/* Item criteria hold for one and the same item. */
	expect_criterion("hs = 8517\norigin = CN\n",
			 M("/items/1", "{\"description\":\"Phone case\",\"hs_code\":\"392690\","
				       "\"quantity\":\"1\",\"currency\":\"EUR\",\"value\":\"0.00\","
				       "\"origin_country\":\"VN\"}"),
			 NULL,
			 M("/items/0/origin_country", "\"VN\"",
			   "/items/1", "{\"description\":\"Phone case\",\"hs_code\":\"392690\","
				       "\"quantity\":\"1\",\"currency\":\"EUR\",\"value\":\"0.00\","
				       "\"origin_country\":\"CN\"}"),
			 NULL);
}

static void test_consignment_criteria(void **state)
{
	(void)state;
	expect_criterion("departure = CN\n", NONE, NULL, M("/transport/departure_country", "\"HK\""),
			 NULL);
	expect_criterion("route = CN>FR\n", NONE, NULL, NONE, in_dest_de);
	expect_criterion("route = CN>*\n", NONE, in_dest_de,
			 M("/transport/departure_country", "\"HK\""), NULL);
	expect_criterion("route = *>DE\n", NONE, in_dest_de, NONE, NULL);
	expect_criterion("value_max = 30.00\n", NONE, NULL,
			 M("/transaction/invoice_total", "\"30.01\"", "/items/0/value", "\"30.01\""),
			 NULL);
	expect_criterion("value_min = 40.00\n",
			 M("/transaction/invoice_total", "\"40.00\"", "/items/0/value", "\"40.00\""),
			 NULL, NONE, NULL);
	expect_criterion("weight_max = 0.180\n", NONE, NULL, M("/items/0/gross_weight", "\"0.181\""),
			 NULL);
	expect_criterion("weight_min = 1.000\n", M("/gross_weight", "\"1.000\""), NULL,
			 M("/gross_weight", "\"0.999\""), NULL);
	expect_criterion("channel = post express\n", NONE, NULL, M("/channel", "\"freight\""), NULL);
	expect_criterion("business_model = bonded_fulfilment_centre\n",
			 M("/business_model", "\"bonded_fulfilment_centre\""), NULL, NONE, NULL);
	expect_criterion("category = low_value_dutiable\n", NONE, NULL,
			 M("/category", "\"high_value\"", "/transport/house_document", "\"H1\"", "/seller/identifier", "\"CN91440300\"", "/buyer/identifier", "\"FR-ID-1\"",
			   "/transaction/incoterm", "\"DDP\"", "/gross_weight", "\"0.200\""),
			 NULL);
	expect_criterion("transport_mode = postal\n", NONE, NULL, M("/transport/mode", "\"air\""), NULL);
	expect_criterion("tax_scheme = none\n", NONE, NULL,
			 M("/tax_collected", "{\"scheme\":\"ioss\",\"registration_number\":\"IM2500001234\","
					     "\"currency\":\"EUR\",\"amount\":\"6.00\"}"),
			 NULL);
	expect_criterion("tax_scheme = ioss\n",
			 M("/tax_collected", "{\"scheme\":\"ioss\",\"registration_number\":\"IM2500001234\","
					     "\"currency\":\"EUR\",\"amount\":\"6.00\"}"),
			 NULL, NONE, NULL);
	/* operators: normalised names and identifiers */
	expect_criterion("seller = SHENZHEN EXAMPLE ELECTRONICS CO LTD\n", NONE, NULL,
			 M("/seller/name", "\"Shenzhen Other Electronics\""), NULL);
	expect_criterion("seller = id:cn 9144 0300\n", M("/seller/identifier", "\"CN91440300\""), NULL,
			 NONE, NULL);
	expect_criterion("seller = id:CN91440300\n", M("/seller/identifier", "\"cn91440300\""), NULL,
			 M("/seller/identifier", "\"CN91440301\""), NULL);
	expect_criterion("platform = Example Market | ExampleMarket\n", NONE, NULL,
			 M("/platform/name", "\"OtherMarket Ltd\""), NULL);
	expect_criterion("platform = id:IE1234567X\n", NONE, NULL,
			 M("/platform/identifier", "\"IE7654321X\""), NULL);
	expect_criterion("carrier = id:cnpost\n", NONE, NULL,
			 M("/transport/carrier/identifier", "\"DHL\""), NULL);
	expect_criterion("intermediary = Example Brokers\n",
			 M("/intermediary", "{\"name\":\"Example Brokers SARL\"}"), NULL, NONE, NULL);
	expect_criterion("filer = Acme Express\n", NONE, in_filer_acme, NONE, NULL);
	/* both roles must match */
	expect_criterion("seller = Shenzhen Example Electronics\nplatform = ExampleMarket\n", NONE, NULL,
			 M("/platform/name", "\"Other Ltd\""), NULL);
}

static void test_input_criteria(void **state)
{
	(void)state;
	expect_criterion("quality_max = 50\n", NONE, in_quality_40, NONE, in_quality_80);
	expect_criterion("quality_min = 60\n", NONE, in_quality_80, NONE, NULL); /* unknown: no */
	expect_criterion("lead_hours_max = 2\n", NONE, in_lead_1, NONE, in_lead_48);
	expect_criterion("lead_hours_max = 2\n", NONE, in_lead_1, NONE, NULL);
	expect_criterion("aeo = yes\n", NONE, in_aeo, NONE, in_not_aeo);
	expect_criterion("aeo = no\n", NONE, in_not_aeo, NONE, NULL); /* unknown is not "no" */
	expect_criterion("mismatch = payment value\n", NONE, in_mm_payment, NONE, in_mm_weight);
	expect_criterion("mismatch = any\n", NONE, in_mm_weight, NONE, NULL);
	expect_criterion("split = yes\n", NONE, in_split, NONE, in_nosplit);
	expect_criterion("operator_score_min = 30\n", NONE, in_opscore_45, NONE, in_opscore_10);
	expect_criterion("watchlisted = seller\n",
			 M("/seller/name", "\"EXAMPLE UNDERVALUE TRADING CO LTD\""), in_watch,
			 M("/seller/name", "\"EXAMPLE UNDERVALUE TRADING CO LTD\""), NULL);
	expect_criterion("watchlisted = platform\n",
			 M("/platform/identifier", "\"xx000000000002\""), in_watch, NONE, in_watch);
}

static void test_disabled_and_negative(void **state)
{
	(void)state;
	mlv_risk_profile *p = profile("[rule A]\nversion = 1\nweight = 50\nexplain = a\nhs = 85\n"
				      "enabled = no\n"
				      "[rule B]\nversion = 1\nweight = 20\nexplain = b\nhs = 85\n"
				      "[rule C]\nversion = 1\nweight = -45\nexplain = c\norigin = CN\n");
	filing f;
	build(&f, NULL);
	mlv_risk_input in = input();
	mlv_risk_assessment a;
	assess(&a, p, &f, &in);
	assert_null(find_hit(&a, "A"));
	assert_non_null(find_hit(&a, "B"));
	assert_non_null(find_hit(&a, "C"));
	assert_int_equal(a.score, 0); /* 20 - 45, never below 0 */
	assert_int_equal(a.lane, MLV_RISK_GREEN);
	mlv_risk_rule_info info;
	assert_int_equal(mlv_risk_profile_find(p, "A", &info), 0);
	assert_false(info.enabled);
	mlv_risk_assessment_clear(&a);
	filing_free(&f);
	mlv_risk_profile_free(p);
}

/* ---- words in several languages ------------------------------------------------------------------ */

static bool words_hit(const char *phrase, const char *description, const char *brand)
{
	char rules[512], d[600], b[200];
	snprintf(rules, sizeof(rules), "[rule W]\nversion = 1\nweight = 1\nexplain = {word}\nwords = %s\n",
		 phrase);
	mlv_risk_profile *p = profile(rules);
	cJSON *d_json = cJSON_CreateString(description);
	char *dq = cJSON_PrintUnformatted(d_json);
	snprintf(d, sizeof(d), "%s", dq);
	cJSON_free(dq);
	cJSON_Delete(d_json);
	filing f;
	if (brand) {
		snprintf(b, sizeof(b), "\"%s\"", brand);
		build(&f, "/items/0/description", d, "/items/0/brand", b, NULL);
	} else {
		build(&f, "/items/0/description", d, NULL);
	}
	mlv_risk_input in = input();
	mlv_risk_assessment a;
	assess(&a, p, &f, &in);
	const mlv_risk_hit *h = find_hit(&a, "W");
	bool hit = h != NULL;
	if (hit) /* the explanation quotes the phrase as written */
		assert_non_null(strstr(h->explanation, phrase) ? h->explanation
				    : strchr(phrase, '|') ? h->explanation : NULL);
	mlv_risk_assessment_clear(&a);
	filing_free(&f);
	mlv_risk_profile_free(p);
	return hit;
}

static void test_words_languages(void **state)
{
	(void)state;
	/* French */
	assert_true(words_hit("écouteurs sans fil", "ECOUTEURS SANS-FIL Bluetooth", NULL));
	assert_true(words_hit("batterie au lithium", "Batterie-au-lithium 3,7 V", NULL));
	assert_true(words_hit("ecouteurs", "Écouteurs intra-auriculaires", NULL));
	assert_false(words_hit("batterie au lithium", "Batterie au plomb", NULL));
	/* Spanish */
	assert_true(words_hit("batería de litio", "BATERIA DE LITIO recargable", NULL));
	assert_true(words_hit("bateria de litio", "Batería de Litio", NULL));
	assert_true(words_hit("muñeca", "MUNECA de trapo", NULL));
	/* German */
	assert_true(words_hit("Lithium-Ionen-Akku", "lithium ionen akku 18650", NULL));
	assert_true(words_hit("kühlschrank", "KUHLSCHRANK-Magnet", NULL));
	assert_true(words_hit("strasse", "Straßenschuhe Straße", NULL));
	/* Other scripts */
	assert_true(words_hit("Ρολόι", "ΡΟΛΟΪ χειρός", NULL));
	assert_true(words_hit("*电池*", "锂电池 3.7V", NULL));
	/* Word boundaries and wildcards */
	assert_false(words_hit("gun", "Burgundy wool scarf", NULL));
	assert_true(words_hit("gun", "Glue gun, 20 W", NULL));
	assert_true(words_hit("batter*", "AA batteries x4", NULL));
	assert_false(words_hit("batter*", "Rebattery pack", NULL));
	assert_true(words_hit("*phone", "Smartphone stand", NULL));
	assert_true(words_hit("*hone*", "Smartphones", NULL));
	assert_false(words_hit("phone", "Smartphone stand", NULL));
	/* The brand is searched too, but no phrase spans description and brand */
	assert_true(words_hit("rolex", "Mens wrist watch", "ROLEX"));
	assert_false(words_hit("watch rolex", "Mens wrist watch", "Rolex"));
	/* Alternatives */
	assert_true(words_hit("nike | adidas", "Adidas trainers", NULL));
}

/* ---- the indexes against naive scans -------------------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

typedef struct text_buf {
	char *p;
	size_t n, cap;
} text_buf;

static void tb_add(text_buf *t, const char *s)
{
	size_t l = strlen(s);
	if (t->n + l + 1 > t->cap) {
		t->cap = (t->n + l + 1) * 2;
		t->p = realloc(t->p, t->cap);
		assert_non_null(t->p);
	}
	memcpy(t->p + t->n, s, l + 1);
	t->n += l;
}

static void test_trie_vs_naive(void **state)
{
	(void)state;
	enum { NRULES = 300, NCASES = 400 };
	static char prefix[NRULES][12];
	text_buf t = {NULL, 0, 0};
	tb_add(&t, HEADER);
	size_t n6 = mlv_hs6_count(rd);
	for (int i = 0; i < NRULES; i++) {
		const char *h = mlv_hs6_at(rd, rnd((uint32_t)n6));
		static const int lens[] = {2, 3, 4, 5, 6, 6, 8};
		int len = lens[rnd(7)];
		snprintf(prefix[i], sizeof(prefix[i]), "%.6s%02u", h, rnd(100));
		prefix[i][len] = '\0';
		char r[160];
		snprintf(r, sizeof(r), "[rule T%d]\nversion = 1\nweight = 1\nexplain = {hs}\nhs = %s\n", i,
			 prefix[i]);
		tb_add(&t, r);
	}
	mlv_risk_profile *p = profile_text(t.p);
	free(t.p);
	filing f;
	build(&f, NULL);
	mlv_risk_input in = input();
	for (int c = 0; c < NCASES; c++) {
		char hs[24];
		/* half the time near a rule's prefix, else anywhere */
		const char *src = rnd(2) ? prefix[rnd(NRULES)] : mlv_hs6_at(rd, rnd((uint32_t)n6));
		snprintf(hs, sizeof(hs), "%s%06u", src, rnd(1000000));
		hs[6 + 2 * rnd(3)] = '\0';
		memcpy(f.c.items[0].hs_code, hs, strlen(hs) + 1);
		mlv_risk_assessment a;
		assess(&a, p, &f, &in);
		size_t want = 0;
		for (int i = 0; i < NRULES; i++) {
			char id[16];
			snprintf(id, sizeof(id), "T%d", i);
			bool naive = strncmp(hs, prefix[i], strlen(prefix[i])) == 0;
			if (naive)
				want++;
			if (naive != (find_hit(&a, id) != NULL))
				fail_msg("hs %s, prefix %s: naive %d, engine %d", hs, prefix[i], naive,
					 !naive);
		}
		assert_int_equal(a.hit_count + a.hits_dropped, want);
		mlv_risk_assessment_clear(&a);
	}
	filing_free(&f);
	mlv_risk_profile_free(p);
}

/* Words over a tiny alphabet overlap a lot: the hard case for the
 * automaton's failure and output links. */
static const char *const vocab[] = {"a", "ab", "ba", "aba", "bab", "abab", "b", "aab", "bba",
				    "abba", "ca", "ac", "cab"};

static void test_automaton_vs_naive(void **state)
{
	(void)state;
	enum { NRULES = 150, NCASES = 600 };
	static char pattern[NRULES][40];
	text_buf t = {NULL, 0, 0};
	tb_add(&t, HEADER);
	for (int i = 0; i < NRULES; i++) {
		char phrase[32] = "";
		int words = 1 + (int)rnd(2);
		for (int w = 0; w < words; w++) {
			snprintf(phrase + strlen(phrase), sizeof(phrase) - strlen(phrase), "%s%s",
				 w ? " " : "", vocab[rnd(MLV_ARRAY_LEN(vocab))]);
		}
		bool lead = rnd(4) == 0, tail = rnd(4) == 0;
		snprintf(pattern[i], sizeof(pattern[i]), "%s%s%s", lead ? "" : " ", phrase,
			 tail ? "" : " ");
		char r[200];
		snprintf(r, sizeof(r), "[rule K%d]\nversion = 1\nweight = 1\nexplain = {word}\nwords = %s%s%s\n",
			 i, lead ? "*" : "", phrase, tail ? "*" : "");
		tb_add(&t, r);
	}
	mlv_risk_profile *p = profile_text(t.p);
	free(t.p);
	filing f;
	build(&f, NULL);
	mlv_risk_input in = input();
	static const char *const seps[] = {" ", "-", ", ", "  ", "/", "."};
	static const char *const a_forms[] = {"a", "A", "á", "À", "ä"};
	for (int c = 0; c < NCASES; c++) {
		char desc[400] = "x";
		int words = 1 + (int)rnd(8);
		for (int w = 0; w < words; w++) {
			const char *v = vocab[rnd(MLV_ARRAY_LEN(vocab))];
			snprintf(desc + strlen(desc), sizeof(desc) - strlen(desc), "%s",
				 seps[rnd(MLV_ARRAY_LEN(seps))]);
			for (const char *s = v; *s; s++) {
				const char *form = *s == 'a' ? a_forms[rnd(5)]
					: *s == 'b' && rnd(2) ? "B" : (char[2]){*s, 0};
				snprintf(desc + strlen(desc), sizeof(desc) - strlen(desc), "%s", form);
			}
		}
		f.c.items[0].description = desc + (rnd(2) ? 0 : 1); /* sometimes without the "x" */
		char folded[400], padded[404];
		mlv_fold(folded, sizeof(folded), f.c.items[0].description,
			 strlen(f.c.items[0].description));
		snprintf(padded, sizeof(padded), " %s ", folded);
		mlv_risk_assessment a;
		assess(&a, p, &f, &in);
		size_t want = 0;
		for (int i = 0; i < NRULES; i++) {
			char id[16];
			snprintf(id, sizeof(id), "K%d", i);
			bool naive = strstr(padded, pattern[i]) != NULL;
			want += naive;
			if (naive != (find_hit(&a, id) != NULL))
				fail_msg("\"%s\" (folded \"%s\"), pattern \"%s\": naive %d", desc, folded,
					 pattern[i], naive);
		}
		assert_int_equal(a.hit_count + a.hits_dropped, want);
		mlv_risk_assessment_clear(&a);
	}
	filing_free(&f);
	mlv_risk_profile_free(p);
}

/* ---- lanes --------------------------------------------------------------------------------------- */

/* Rules that combine item and consignment criteria, many sharing keys so
 * that the index anchors them on different criteria and its quick filters
 * (departure, origin, words, chapter, value) drop most candidates early:
 * what fires must be exactly what a naive check of every criterion says. */
typedef struct mixed_rule {
	const char *hs, *word[2], *origin[2], *departure;
	char route[8];
	long value_min, value_max; /* whole euros, -1 unset */
} mixed_rule;

typedef struct mixed_item {
	const char *hs, *origin;
	char desc[64];
} mixed_item;

static const char *const mx_hs[] = {"85", "8517", "851762", "61", "6109", "95", "8544"};
static const char *const mx_codes[] = {"851762", "851713", "610910", "950300", "854442"};
static const char *const mx_words[] = {"cable", "lithium", "toy", "watch", "case"};
static const char *const mx_countries[] = {"CN", "VN", "US", "DE"};

static bool mixed_item_ok(const mixed_rule *r, const mixed_item *it)
{
	if (r->hs && strncmp(it->hs, r->hs, strlen(r->hs)) != 0)
		return false;
	if (r->word[0]) {
		bool any = false;
		char padded[72];
		for (int w = 0; w < 2 && r->word[w]; w++) {
			char needle[24];
			snprintf(padded, sizeof(padded), " %s ", it->desc);
			snprintf(needle, sizeof(needle), " %s ", r->word[w]);
			any = any || strstr(padded, needle) != NULL;
		}
		if (!any)
			return false;
	}
	if (r->origin[0] && strcmp(r->origin[0], it->origin) != 0 &&
	    (r->origin[1] == NULL || strcmp(r->origin[1], it->origin) != 0))
		return false;
	return true;
}

static void test_mixed_criteria_vs_naive(void **state)
{
	(void)state;
	enum { NRULES = 300, NCASES = 250 };
	static mixed_rule rules[NRULES];
	text_buf t = {NULL, 0, 0};
	tb_add(&t, HEADER);
	for (int i = 0; i < NRULES; i++) {
		mixed_rule *r = &rules[i];
		memset(r, 0, sizeof(*r));
		r->value_min = r->value_max = -1;
		char text[400];
		int n = snprintf(text, sizeof(text), "[rule M%d]\nversion = 1\nweight = 1\nexplain = x\n", i);
		if (rnd(2))
			r->hs = mx_hs[rnd(MLV_ARRAY_LEN(mx_hs))];
		if (rnd(3) == 0) {
			r->word[0] = mx_words[rnd(MLV_ARRAY_LEN(mx_words))];
			if (rnd(2))
				r->word[1] = mx_words[rnd(MLV_ARRAY_LEN(mx_words))];
		}
		if (rnd(3) == 0) {
			r->origin[0] = mx_countries[rnd(3)];
			if (rnd(2))
				r->origin[1] = mx_countries[rnd(3)];
		}
		if (rnd(3) == 0) {
			const char *a = mx_countries[rnd(3)];
			switch (rnd(4)) {
			case 0: snprintf(r->route, sizeof(r->route), "%s>FR", a); break;
			case 1: snprintf(r->route, sizeof(r->route), "*>FR"); break;
			case 2: snprintf(r->route, sizeof(r->route), "%s>*", a); break;
			default: snprintf(r->route, sizeof(r->route), "%s>DE", a); break;
			}
		}
		if (rnd(4) == 0)
			r->departure = mx_countries[rnd(2)];
		if (rnd(3) == 0)
			r->value_min = 10 + (long)rnd(90);
		if (rnd(4) == 0)
			r->value_max = (r->value_min > 0 ? r->value_min : 10) + (long)rnd(90);
		if (!r->hs && !r->word[0] && !r->origin[0] && !r->route[0] && !r->departure &&
		    r->value_min < 0 && r->value_max < 0)
			r->hs = mx_hs[rnd(MLV_ARRAY_LEN(mx_hs))];
		if (r->hs)
			n += snprintf(text + n, sizeof(text) - (size_t)n, "hs = %s\n", r->hs);
		if (r->word[0])
			n += snprintf(text + n, sizeof(text) - (size_t)n, "words = %s%s%s\n", r->word[0],
				      r->word[1] ? " | " : "", r->word[1] ? r->word[1] : "");
		if (r->origin[0])
			n += snprintf(text + n, sizeof(text) - (size_t)n, "origin = %s%s%s\n",
				      r->origin[0], r->origin[1] ? " " : "",
				      r->origin[1] ? r->origin[1] : "");
		if (r->route[0])
			n += snprintf(text + n, sizeof(text) - (size_t)n, "route = %s\n", r->route);
		if (r->departure)
			n += snprintf(text + n, sizeof(text) - (size_t)n, "departure = %s\n",
				      r->departure);
		if (r->value_min >= 0)
			n += snprintf(text + n, sizeof(text) - (size_t)n, "value_min = %ld.00\n",
				      r->value_min);
		if (r->value_max >= 0)
			snprintf(text + n, sizeof(text) - (size_t)n, "value_max = %ld.00\n", r->value_max);
		tb_add(&t, text);
	}
	mlv_risk_profile *p = profile_text(t.p);
	free(t.p);
	size_t fired = 0, silent = 0;
	for (int c = 0; c < NCASES; c++) {
		mixed_item items[2];
		for (int k = 0; k < 2; k++) {
			items[k].hs = mx_codes[rnd(MLV_ARRAY_LEN(mx_codes))];
			items[k].origin = mx_countries[rnd(MLV_ARRAY_LEN(mx_countries))];
			snprintf(items[k].desc, sizeof(items[k].desc), "%s %s thing",
				 mx_words[rnd(MLV_ARRAY_LEN(mx_words))],
				 mx_words[rnd(MLV_ARRAY_LEN(mx_words))]);
		}
		const char *dep = mx_countries[rnd(MLV_ARRAY_LEN(mx_countries))];
		const char *dest = rnd(4) == 0 ? "DE" : "FR";
		long value = 5 + (long)rnd(100);
		char q[6][256];
		snprintf(q[0], sizeof(q[0]), "\"%s\"", items[0].hs);
		snprintf(q[1], sizeof(q[1]), "\"%s\"", items[0].origin);
		snprintf(q[2], sizeof(q[2]), "\"%s\"", items[0].desc);
		snprintf(q[3], sizeof(q[3]),
			 "{\"description\":\"%s\",\"hs_code\":\"%s\",\"quantity\":\"1\","
			 "\"unit\":\"piece\",\"currency\":\"EUR\",\"value\":\"1.00\","
			 "\"origin_country\":\"%s\"}",
			 items[1].desc, items[1].hs, items[1].origin);
		snprintf(q[4], sizeof(q[4]), "\"%s\"", dep);
		snprintf(q[5], sizeof(q[5]), "\"%ld.00\"", value);
		filing f;
		build(&f, "/items/0/hs_code", q[0], "/items/0/origin_country", q[1],
		      "/items/0/description", q[2], "/items/1", q[3], "/transport/departure_country",
		      q[4], "/transaction/invoice_total", q[5], NULL);
		mlv_risk_input in = input();
		in.country = dest;
		mlv_risk_assessment a;
		assess(&a, p, &f, &in);
		assert_int_equal(a.hits_dropped, 0);
		size_t want = 0;
		for (int i = 0; i < NRULES; i++) {
			const mixed_rule *r = &rules[i];
			bool naive = mixed_item_ok(r, &items[0]) || mixed_item_ok(r, &items[1]);
			if (r->departure && strcmp(r->departure, dep) != 0)
				naive = false;
			if (r->route[0]) {
				char a_[3] = {r->route[0], r->route[1], '\0'};
				const char *b_ = strchr(r->route, '>') + 1;
				bool dep_ok = a_[0] == '*' || strcmp(a_, dep) == 0;
				bool dest_ok = b_[0] == '*' || strcmp(b_, dest) == 0;
				naive = naive && dep_ok && dest_ok;
			}
			if (r->value_min >= 0 && value < r->value_min)
				naive = false;
			if (r->value_max >= 0 && value > r->value_max)
				naive = false;
			char id[16];
			snprintf(id, sizeof(id), "M%d", i);
			if (naive != (find_hit(&a, id) != NULL))
				fail_msg("case %d, rule M%d: naive %d, engine %d", c, i, naive, !naive);
			want += naive;
		}
		assert_int_equal(a.hit_count, want);
		fired += want;
		silent += NRULES - want;
		mlv_risk_assessment_clear(&a);
		filing_free(&f);
	}
	/* both outcomes were exercised, many times */
	assert_true(fired > 1000);
	assert_true(silent > 1000);
	mlv_risk_profile_free(p);
}

static void test_lanes_and_thresholds(void **state)
{
	(void)state;
	/* Weights 10 (hs 85), 25 (origin CN), 40 (post), 30 (lane floor red, quality). */
	mlv_risk_profile *p = profile(
		"[rule W10]\nversion = 1\nweight = 10\nexplain = a\nhs = 85\n"
		"[rule W25]\nversion = 1\nweight = 25\nexplain = b\norigin = CN\n"
		"[rule W40]\nversion = 1\nweight = 40\nexplain = c\nchannel = post\n"
		"[rule F]\nversion = 1\nweight = 1\nlane = hold\nexplain = d\nquality_max = 10\n");
	struct {
		const char *hs, *origin, *channel;
		int quality;
		int score;
		mlv_risk_lane lane;
	} cases[] = {
		{"392690", "VN", "express", -1, 0, MLV_RISK_GREEN},
		{"851762", "VN", "express", -1, 10, MLV_RISK_GREEN},
		{"392690", "CN", "express", -1, 25, MLV_RISK_GREEN},
		{"851762", "CN", "express", -1, 35, MLV_RISK_YELLOW}, /* 30 <= 35 */
		{"392690", "VN", "post", -1, 40, MLV_RISK_YELLOW},
		{"392690", "CN", "post", -1, 65, MLV_RISK_RED},
		{"851762", "CN", "post", -1, 75, MLV_RISK_RED},
		{"392690", "VN", "express", 5, 1, MLV_RISK_HOLD},	 /* the floor wins */
		{"851762", "CN", "post", 5, 76, MLV_RISK_HOLD},
	};
	for (size_t i = 0; i < MLV_ARRAY_LEN(cases); i++) {
		char hs[16], o[8], ch[16];
		snprintf(hs, sizeof(hs), "\"%s\"", cases[i].hs);
		snprintf(o, sizeof(o), "\"%s\"", cases[i].origin);
		snprintf(ch, sizeof(ch), "\"%s\"", cases[i].channel);
		filing f;
		build(&f, "/items/0/hs_code", hs, "/items/0/origin_country", o, "/channel", ch, NULL);
		mlv_risk_input in = input();
		in.quality = cases[i].quality;
		mlv_risk_assessment a;
		assess(&a, p, &f, &in);
		if (a.score != cases[i].score || a.lane != cases[i].lane) {
			dump_hits(&a);
			fail_msg("case %zu: score %d lane %s, want %d %s", i, a.score,
				 mlv_risk_lane_name(a.lane), cases[i].score,
				 mlv_risk_lane_name(cases[i].lane));
		}
		/* strongest first: the floor, then by weight */
		for (size_t k = 1; k < a.hit_count; k++)
			assert_true(a.hits[k - 1].lane > a.hits[k].lane ||
				    (a.hits[k - 1].lane == a.hits[k].lane &&
				     a.hits[k - 1].weight >= a.hits[k].weight));
		assert_false(a.random);
		mlv_risk_assessment_clear(&a);
		filing_free(&f);
	}
	mlv_risk_profile_free(p);

	/* Other thresholds, same rules: 35 is red, 75 hold. */
	p = profile_text("[profile]\nid = t2\ncurrency = EUR\nyellow = 20\nred = 35\nhold = 75\n"
			 "random_percent = 0\n"
			 "[rule W10]\nversion = 1\nweight = 10\nexplain = a\nhs = 85\n"
			 "[rule W25]\nversion = 1\nweight = 25\nexplain = b\norigin = CN\n"
			 "[rule W40]\nversion = 1\nweight = 40\nexplain = c\nchannel = post\n");
	filing f;
	build(&f, "/channel", "\"express\"", NULL);
	mlv_risk_input in = input();
	mlv_risk_assessment a;
	assess(&a, p, &f, &in);
	assert_int_equal(a.score, 35);
	assert_int_equal(a.lane, MLV_RISK_RED);
	assert_int_equal(a.score_lane, MLV_RISK_RED);
	mlv_risk_assessment_clear(&a);
	filing_free(&f);
	build(&f, NULL);
	assess(&a, p, &f, &in);
	assert_int_equal(a.lane, MLV_RISK_HOLD);
	mlv_risk_assessment_clear(&a);
	filing_free(&f);
	mlv_risk_profile_free(p);
	assert_string_equal(mlv_risk_lane_name(MLV_RISK_YELLOW), "yellow");
}

static mlv_risk_goods *goods_text(const char *text)
{
	mlv_risk_goods *g = NULL;
	char err[512] = "";
	assert_int_equal(mlv_risk_goods_new(&g), 0);
	int rc = mlv_risk_goods_add(g, text, strlen(text), "g.ini", rd, err, sizeof(err));
	if (rc != 0)
		fail_msg("goods list: %s", err);
	assert_int_equal(mlv_risk_goods_compile(g), 0);
	return g;
}

static const char test_list[] =
	"[list]\ncountry = EU\nname = test union\ncurrency = EUR\nmembers = FR DE\n"
	"[prohibited P-FUR]\nwords = cat fur\nbasis = Reg. 1523/2007\n"
	"url = https://eur-lex.europa.eu/eli/reg/2007/1523/oj\nexplain = fur in item {item}\n"
	"[restricted R-IVORY]\nwords = ivory\nbasis = Reg. 338/97\n"
	"url = https://eur-lex.europa.eu/eli/reg/1997/338/oj\nagency = CITES authority\n"
	"permit = CITES import permit\ndocument = cites_permit\n"
	"explain = ivory in item {item}: {permit} from the {agency}\n";

static void test_prohibited_never_green(void **state)
{
	(void)state;
	mlv_risk_goods *g = goods_text(test_list);
	/* A profile that would let anything through: hold lane out of reach,
	 * every rule negative, random selection off. */
	mlv_risk_profile *p = profile_text(
		"[profile]\nid = lax\ncurrency = EUR\nyellow = 1000\nred = 2000\nhold = 3000\n"
		"random_percent = 0\n"
		"[rule TRUST]\nversion = 1\nweight = -1000\nexplain = trusted\norigin = CN\n");
	const char *dests[] = {"FR", "DE"};
	for (size_t d = 0; d < 2; d++) {
		filing f;
		build(&f, "/items/0/description", "\"Collar with cat fur trim\"", NULL);
		mlv_risk_input in = input();
		in.country = dests[d];
		in.goods = g;
		in.aeo = 1;
		mlv_risk_assessment a;
		assess(&a, p, &f, &in);
		assert_true(a.prohibited);
		assert_true(a.lane >= MLV_RISK_RED);
		assert_int_equal(a.score, 0);
		const mlv_risk_hit *h = find_hit(&a, "P-FUR");
		assert_non_null(h);
		assert_int_equal(h->kind, MLV_RISK_HIT_PROHIBITED);
		assert_string_equal(h->list, "EU");
		assert_string_equal(h->explanation, "fur in item 1");
		assert_ptr_equal(a.hits, h); /* listed first */
		mlv_risk_assessment_clear(&a);
		filing_free(&f);
	}
	/* Outside the union the list does not apply. */
	filing f;
	build(&f, "/items/0/description", "\"Collar with cat fur trim\"", NULL);
	mlv_risk_input in = input();
	in.country = "CN";
	in.goods = g;
	mlv_risk_assessment a;
	assess(&a, p, &f, &in);
	assert_false(a.prohibited);
	assert_int_equal(a.lane, MLV_RISK_GREEN);
	mlv_risk_assessment_clear(&a);
	/* No destination given: the office of arrival (FR000690) says FR. */
	in.country = NULL;
	assess(&a, p, &f, &in);
	assert_true(a.prohibited);
	mlv_risk_assessment_clear(&a);
	filing_free(&f);

	/* The profile cannot lower the prohibited lane below red. */
	mlv_risk_profile *q = NULL;
	char err[256];
	const char *t = "[profile]\nid = x\ncurrency = EUR\nprohibited_lane = yellow\n";
	assert_int_equal(mlv_risk_profile_parse(&q, t, strlen(t), "x", rd, err, sizeof(err)),
			 MLV_EINVALID);
	/* Nor can random selection or a high threshold make it green, over
	 * many identities with selection at 100%. */
	mlv_risk_profile *all = profile_text("[profile]\nid = r\ncurrency = EUR\nrandom_percent = 100\n"
					     "random_lane = yellow\nyellow = 900\nred = 950\nhold = 999\n");
	build(&f, "/items/0/description", "\"cat fur\"", NULL);
	in = input();
	in.goods = g;
	for (int i = 0; i < 50; i++) {
		char lrn[32];
		snprintf(lrn, sizeof(lrn), "LRN-%d", i);
		f.c.lrn = lrn;
		assess(&a, all, &f, &in);
		assert_int_equal(a.lane, MLV_RISK_RED);
		assert_false(a.random); /* the draw is for green consignments */
		mlv_risk_assessment_clear(&a);
	}
	filing_free(&f);
	mlv_risk_profile_free(all);
	mlv_risk_profile_free(p);
	mlv_risk_goods_free(g);
}

static void test_restricted_permit(void **state)
{
	(void)state;
	mlv_risk_goods *g = goods_text(test_list);
	mlv_risk_profile *p = profile("");
	filing f;
	build(&f, "/items/0/description", "\"Carved IVORY figurine\"", NULL);
	mlv_risk_input in = input();
	in.goods = g;
	mlv_risk_assessment a;
	assess(&a, p, &f, &in);
	assert_true(a.restricted);
	assert_int_equal(a.lane, MLV_RISK_HOLD);
	const mlv_risk_hit *h = find_hit(&a, "R-IVORY");
	assert_non_null(h);
	assert_false(h->permit_present);
	assert_string_equal(h->agency, "CITES authority");
	assert_string_equal(h->permit, "CITES import permit");
	assert_non_null(strstr(h->basis, "Reg. 338/97; https://eur-lex.europa.eu/eli/reg/1997/338/oj"));
	assert_string_equal(h->explanation, "ivory in item 1: CITES import permit from the CITES authority");
	mlv_risk_assessment_clear(&a);
	filing_free(&f);
	/* With the permit among the documents: a documentary check. */
	build(&f, "/items/0/description", "\"Carved IVORY figurine\"", "/documents",
	      "[{\"type\":\"cites_permit\",\"reference\":\"FR-CITES-2024-001\"}]", NULL);
	assess(&a, p, &f, &in);
	h = find_hit(&a, "R-IVORY");
	assert_non_null(h);
	assert_true(h->permit_present);
	assert_int_equal(a.lane, MLV_RISK_YELLOW);
	mlv_risk_assessment_clear(&a);
	filing_free(&f);
	/* Another document type does not count. */
	build(&f, "/items/0/description", "\"Carved IVORY figurine\"", "/documents",
	      "[{\"type\":\"invoice\",\"reference\":\"INV-1\"}]", NULL);
	assess(&a, p, &f, &in);
	assert_int_equal(a.lane, MLV_RISK_HOLD);
	mlv_risk_assessment_clear(&a);
	filing_free(&f);
	mlv_risk_profile_free(p);
	mlv_risk_goods_free(g);
}

static void test_goods_list_errors(void **state)
{
	(void)state;
	char err[512];
	mlv_risk_goods *g = goods_text(test_list);
	/* compiled: no more lists */
	assert_int_equal(mlv_risk_goods_add(g, test_list, strlen(test_list), "x", rd, err, sizeof(err)),
			 MLV_ECONFLICT);
	assert_int_equal(mlv_risk_goods_compile(g), MLV_ECONFLICT);
	mlv_risk_goods_free(g);

	assert_int_equal(mlv_risk_goods_new(&g), 0);
	assert_int_equal(mlv_risk_goods_add(g, test_list, strlen(test_list), "a.ini", rd, err,
					    sizeof(err)), 0);
	/* the same country twice */
	assert_int_equal(mlv_risk_goods_add(g, test_list, strlen(test_list), "b.ini", rd, err,
					    sizeof(err)), MLV_EEXISTS);
	assert_non_null(strstr(err, "b.ini:1: a list for EU is already loaded"));
	/* an entry id used in another list */
	const char *dup = "[list]\ncountry = FR\nname = f\ncurrency = EUR\n"
			  "[prohibited P-FUR]\nwords = x\nbasis = b\nurl = https://x.example\n"
			  "explain = e\n";
	assert_int_equal(mlv_risk_goods_add(g, dup, strlen(dup), "c.ini", rd, err, sizeof(err)),
			 MLV_EEXISTS);
	assert_non_null(strstr(err, "c.ini:5:"));
	/* restricted entries name their agency and permit */
	const char *noagency = "[list]\ncountry = DE\nname = d\ncurrency = EUR\n"
			       "[restricted D-1]\nwords = x\nbasis = b\nurl = https://x.example\n"
			       "explain = e\n";
	assert_int_equal(mlv_risk_goods_add(g, noagency, strlen(noagency), "d.ini", rd, err,
					    sizeof(err)), MLV_EINVALID);
	assert_non_null(strstr(err, "agency and permit"));
	/* an uncompiled list cannot be used */
	mlv_risk_profile *p = profile("");
	filing f;
	build(&f, NULL);
	mlv_risk_input in = input();
	in.goods = g;
	mlv_risk_assessment a;
	assert_int_equal(mlv_risk_assess(&a, p, &f.c, &in, rd), MLV_EINVALID);
	mlv_risk_assessment_clear(&a);
	assert_int_equal(mlv_risk_goods_compile(g), 0);
	assert_int_equal(mlv_risk_goods_entry_count(g), 2); /* the failed files added nothing */
	assert_int_equal(mlv_risk_assess(&a, p, &f.c, &in, rd), 0);
	mlv_risk_assessment_clear(&a);
	filing_free(&f);
	mlv_risk_profile_free(p);
	mlv_risk_goods_free(g);

	mlv_risk_goods *none = NULL;
	assert_int_equal(mlv_risk_goods_load_dir(&none, "/nonexistent-dir", rd, err, sizeof(err)),
			 MLV_EIO);
	assert_null(none);
}

/* ---- random selection --------------------------------------------------------------------------- */

static void test_random_siphash(void **state)
{
	(void)state;
	/* The draw is SipHash-2-4: compare with libsodium's on many inputs. */
	unsigned char kb[crypto_shorthash_KEYBYTES];
	for (size_t i = 0; i < sizeof(kb); i++)
		kb[i] = (unsigned char)(i * 7 + 3);
	uint64_t key[2] = {0, 0};
	for (int i = 7; i >= 0; i--) {
		key[0] = (key[0] << 8) | kb[i];
		key[1] = (key[1] << 8) | kb[8 + i];
	}
	char msg[80];
	for (size_t len = 0; len < sizeof(msg); len++) {
		msg[len] = (char)('A' + len % 26);
		unsigned char h[crypto_shorthash_BYTES];
		crypto_shorthash(h, (const unsigned char *)msg, len, kb);
		uint64_t v = 0;
		for (int i = 7; i >= 0; i--)
			v = (v << 8) | h[i];
		uint32_t r = (uint32_t)(v % 1000000u);
		assert_true(mlv_risk_random_draw(key, msg, len, r + 1));
		if (r > 0)
			assert_false(mlv_risk_random_draw(key, msg, len, r));
	}
	assert_false(mlv_risk_random_draw(key, "x", 1, 0));
	assert_true(mlv_risk_random_draw(key, "x", 1, 1000000));
}

static void test_random_selection(void **state)
{
	(void)state;
	mlv_risk_profile *p = profile_text("[profile]\nid = r\ncurrency = EUR\nrandom_percent = 5\n"
					   "random_lane = red\n"
					   "[rule X]\nversion = 1\nweight = 10\nexplain = x\nhs = 85\n");
	filing f;
	build(&f, NULL);
	mlv_risk_input in = input();
	in.random_key[0] = 0x0123456789abcdefull;
	in.random_key[1] = 0xfedcba9876543210ull;
	enum { N = 10000 };
	static bool first[N];
	int selected = 0;
	char lrn[32];
	for (int i = 0; i < N; i++) {
		snprintf(lrn, sizeof(lrn), "LRN-%06d", i);
		f.c.lrn = lrn;
		mlv_risk_assessment a;
		assess(&a, p, &f, &in);
		assert_int_equal(a.score, 10);
		assert_int_equal(a.score_lane, MLV_RISK_GREEN);
		first[i] = a.random;
		if (a.random) {
			selected++;
			assert_int_equal(a.lane, MLV_RISK_RED);
			assert_int_equal(a.random_ppm, 50000);
		} else {
			assert_int_equal(a.lane, MLV_RISK_GREEN);
		}
		mlv_risk_assessment_clear(&a);
	}
	/* 5% of 10,000: 500, standard deviation 21.8; +-100 is 4.6 sigma */
	print_message("random selection: %d of %d (5%% expected)\n", selected, N);
	assert_in_range(selected, 400, 600);

	/* Reproducible: the same consignments get the same draws; another
	 * key gives other draws at the same rate. */
	int same = 0, other = 0;
	for (int i = 0; i < N; i++) {
		snprintf(lrn, sizeof(lrn), "LRN-%06d", i);
		f.c.lrn = lrn;
		mlv_risk_assessment a;
		in.random_key[1] = 0xfedcba9876543210ull;
		assess(&a, p, &f, &in);
		same += a.random == first[i];
		mlv_risk_assessment_clear(&a);
		in.random_key[1] = 42;
		assess(&a, p, &f, &in);
		other += a.random;
		mlv_risk_assessment_clear(&a);
	}
	assert_int_equal(same, N);
	assert_in_range(other, 400, 600);

	/* The identity can be given (filer + "/" + LRN by default). */
	in.random_key[1] = 0xfedcba9876543210ull;
	in.filer = NULL;
	snprintf(lrn, sizeof(lrn), "LRN-%06d", 7);
	f.c.lrn = lrn;
	bool some = false;
	for (int i = 0; i < N && !some; i++) {
		char ident[64];
		snprintf(ident, sizeof(ident), "ID-%d", i);
		in.identity = ident;
		mlv_risk_assessment a;
		assess(&a, p, &f, &in);
		bool direct = mlv_risk_random_draw(in.random_key, ident, strlen(ident), 50000);
		assert_int_equal(a.random, direct);
		some = a.random;
		mlv_risk_assessment_clear(&a);
	}
	assert_true(some);
	filing_free(&f);
	mlv_risk_profile_free(p);
}

/* ---- watch lists ----------------------------------------------------------------------------------- */

static void test_watchlist(void **state)
{
	(void)state;
	const mlv_risk_watch_entry *e;
	mlv_risk_match how;
	int32_t d;
	assert_true(mlv_date_parse("2026-01-15", 10, &d));
	/* identifier, case and spaces ignored */
	e = mlv_risk_watchlist_match(sample_watch, MLV_RISK_ROLE_SELLER, "Someone else",
				     "xx 0000 0000 0001", d, &how);
	assert_non_null(e);
	assert_int_equal(how, MLV_RISK_MATCH_IDENTIFIER);
	assert_non_null(strstr(e->reason, "undervaluation"));
	/* exact name */
	e = mlv_risk_watchlist_match(sample_watch, MLV_RISK_ROLE_SELLER,
				     "Example Undervalue Trading Co., Ltd.", NULL, d, &how);
	assert_non_null(e);
	assert_int_equal(how, MLV_RISK_MATCH_NAME);
	/* normalised names: case, punctuation, legal forms */
	const char *variants[] = {"EXAMPLE UNDERVALUE TRADING", "Example-Undervalue Trading Limited",
				  "example undervalue trading co ltd", "Example Undervalue Trading GmbH",
				  "Example Undervalue Trading S.A.R.L.", "  Example   Undervalue Trading Inc. "};
	for (size_t i = 0; i < MLV_ARRAY_LEN(variants); i++) {
		e = mlv_risk_watchlist_match(sample_watch, MLV_RISK_ROLE_SELLER, variants[i], NULL, d,
					     &how);
		if (e == NULL || how != MLV_RISK_MATCH_NORMALISED)
			fail_msg("\"%s\" should match by normalised name", variants[i]);
	}
	assert_null(mlv_risk_watchlist_match(sample_watch, MLV_RISK_ROLE_SELLER,
					     "Example Undervalue Trade", NULL, d, &how));
	assert_int_equal(how, MLV_RISK_MATCH_NONE);
	/* a seller entry does not list a platform; "any" lists every role */
	assert_null(mlv_risk_watchlist_match(sample_watch, MLV_RISK_ROLE_PLATFORM,
					     "Example Undervalue Trading", NULL, d, NULL));
	assert_non_null(mlv_risk_watchlist_match(sample_watch, MLV_RISK_ROLE_CARRIER,
						 "EXAMPLE SAMPLE LOGISTICS LTD", NULL, d, NULL));
	assert_non_null(mlv_risk_watchlist_match(sample_watch, MLV_RISK_ROLE_FILER,
						 "Example Sample Logistics", NULL, d, NULL));
	/* dates: from listed to expires inclusive */
	int32_t listed, expires;
	assert_true(mlv_date_parse("2025-11-01", 10, &listed));
	assert_true(mlv_date_parse("2026-10-31", 10, &expires));
	assert_null(mlv_risk_watchlist_match(sample_watch, MLV_RISK_ROLE_SELLER, "Example Sample Logistics",
					     NULL, listed - 1, NULL));
	assert_non_null(mlv_risk_watchlist_match(sample_watch, MLV_RISK_ROLE_SELLER,
						 "Example Sample Logistics", NULL, listed, NULL));
	assert_non_null(mlv_risk_watchlist_match(sample_watch, MLV_RISK_ROLE_SELLER,
						 "Example Sample Logistics", NULL, expires, NULL));
	assert_null(mlv_risk_watchlist_match(sample_watch, MLV_RISK_ROLE_SELLER, "Example Sample Logistics",
					     NULL, expires + 1, NULL));

	/* entries added through the API; invalid ones refused */
	mlv_risk_watchlist *wl = NULL;
	assert_int_equal(mlv_risk_watchlist_new(&wl), 0);
	mlv_risk_watch_entry ok = {MLV_RISK_ROLE_CARRIER, NULL, "Example Fast Parcels B.V.",
				   "late manifests", d, d + 30, NULL};
	assert_int_equal(mlv_risk_watchlist_add(wl, &ok), 0);
	mlv_risk_watch_entry bad = ok;
	bad.name = NULL;
	assert_int_equal(mlv_risk_watchlist_add(wl, &bad), MLV_EINVALID);
	bad = ok;
	bad.reason = "";
	assert_int_equal(mlv_risk_watchlist_add(wl, &bad), MLV_EINVALID);
	bad = ok;
	bad.expires = d - 1;
	assert_int_equal(mlv_risk_watchlist_add(wl, &bad), MLV_EINVALID);
	assert_int_equal(mlv_risk_watchlist_count(wl), 1);
	assert_non_null(mlv_risk_watchlist_match(wl, MLV_RISK_ROLE_CARRIER, "example fast parcels bv",
						 NULL, d, &how));
	assert_int_equal(how, MLV_RISK_MATCH_NORMALISED);
	/* the longest-running live entry is the one reported */
	mlv_risk_watch_entry longer = ok;
	longer.expires = d + 300;
	longer.reason = "seizure";
	assert_int_equal(mlv_risk_watchlist_add(wl, &longer), 0);
	e = mlv_risk_watchlist_match(wl, MLV_RISK_ROLE_CARRIER, "Example Fast Parcels", NULL, d, NULL);
	assert_non_null(e);
	assert_string_equal(e->reason, "seizure");
	mlv_risk_watchlist_free(wl);

	/* file errors name the line */
	char err[256];
	const char *tsvs[] = {"role\tname\n",
			      "role\tidentifier\tname\treason\tlisted\texpires\tsource\nseller\tX\t\t"
			      "r\t2025-01-01\n",
			      "role\tidentifier\tname\treason\tlisted\texpires\tsource\nseller\tX\t\t"
			      "r\t2025-13-01\t2026-01-01\t\n",
			      "role\tidentifier\tname\treason\tlisted\texpires\tsource\nshipper\tX\t\t"
			      "r\t2025-01-01\t2026-01-01\t\n"};
	const char *says[] = {"w:1: the first line", "w:2: expected 7", "w:2: listed is",
			      "w:2: role is"};
	for (size_t i = 0; i < MLV_ARRAY_LEN(tsvs); i++) {
		assert_int_equal(mlv_risk_watchlist_new(&wl), 0);
		assert_int_equal(mlv_risk_watchlist_parse(wl, tsvs[i], strlen(tsvs[i]), "w", err,
							  sizeof(err)), MLV_EINVALID);
		if (strstr(err, says[i]) == NULL)
			fail_msg("tsv %zu: %s", i, err);
		mlv_risk_watchlist_free(wl);
	}

	/* In an assessment, with the default profile's explanation. */
	filing f;
	build(&f, "/seller/name", "\"EXAMPLE UNDERVALUE TRADING LIMITED\"", NULL);
	mlv_risk_input in = input();
	in.watch = sample_watch;
	in.day = d;
	mlv_risk_assessment a;
	assess(&a, deflt, &f, &in);
	const mlv_risk_hit *h = find_hit(&a, "R-WATCH-SELLER");
	assert_non_null(h);
	assert_string_equal(h->explanation,
			    "seller EXAMPLE UNDERVALUE TRADING LIMITED is on the watch list (normalised "
			    "name match): repeated undervaluation of electronics (3 findings in 2025); "
			    "listed until 2027-02-28");
	assert_true(a.lane >= MLV_RISK_RED);
	mlv_risk_assessment_clear(&a);
	filing_free(&f);
}

/* ---- analytics ------------------------------------------------------------------------------------------ */

/* One observation per item for the history's reference values: in the
 * table's currency, net weight in grams, returns left out. */
static void test_uv_observe(void **state)
{
	(void)state;
	mlv_risk_uv_obs o[4];
	filing f;
	build(&f, NULL);
	assert_int_equal(mlv_risk_uv_observe(&f.c, rd, "EUR", today, o, 4), 1);
	assert_string_equal(o[0].hs6, "851762");
	assert_string_equal(o[0].origin, "CN");
	assert_int_equal(o[0].amount, 3000);
	assert_int_equal(o[0].net_weight, 120);
	assert_int_equal(o[0].quantity, 1000);
	assert_int_equal(mlv_risk_uv_observe(&f.c, rd, "EUR", today, o, 0), 0);
	filing_free(&f);

	build(&f, "/items/0/currency", "\"USD\"", "/items/0/net_weight", DEL, NULL);
	int64_t want;
	assert_int_equal(mlv_fx_convert(rd, 3000, "USD", "EUR", today, &want), 0);
	assert_int_equal(mlv_risk_uv_observe(&f.c, rd, "EUR", today, o, 4), 1);
	assert_int_equal(o[0].amount, want);
	assert_true(want != 3000);
	assert_int_equal(o[0].net_weight, 180); /* no net weight: the gross */
	filing_free(&f);

	build(&f, "/declaration_type", "\"return\"", NULL);
	assert_int_equal(mlv_risk_uv_observe(&f.c, rd, "EUR", today, o, 4), 0);
	filing_free(&f);
}

static void test_refvalues(void **state)
{
	(void)state;
	/* 40 smartphones from CN at 16.00 EUR per kg of net weight (+-), and
	 * 5 from VN: too few for VN, so VN falls back to all origins. */
	mlv_risk_uv_obs obs[60];
	size_t n = 0;
	for (int i = 0; i < 40; i++) {
		obs[n] = (mlv_risk_uv_obs){"851713", "CN", 1600 + (i % 5 - 2) * 100, 1000, 1000};
		n++;
	}
	for (int i = 0; i < 5; i++)
		obs[n++] = (mlv_risk_uv_obs){"851713", "VN", 3000, 1000, 1000};
	obs[n++] = (mlv_risk_uv_obs){"851713", "CN", 500, 0, 0};	  /* no weight: skipped */
	obs[n++] = (mlv_risk_uv_obs){"85171", "CN", 500, 1000, 1000}; /* bad code: skipped */
	mlv_risk_refvalues_opts o = MLV_RISK_REFVALUES_OPTS_INIT;
	mlv_risk_refvalues *t = NULL;
	assert_int_equal(mlv_risk_refvalues_build(&t, obs, n, &o), 0);
	mlv_risk_refvalue ref;
	assert_int_equal(mlv_risk_refvalue_get(t, "851713", "CN", &ref), 0);
	assert_int_equal(ref.samples, 40);
	assert_false(ref.all_origins);
	/* 14.00 .. 18.00 EUR per kg, in cents per kg */
	assert_true(ref.median > 1599.99 && ref.median < 1600.01);
	assert_true(ref.mad > 99.99 && ref.mad < 100.01);
	assert_int_equal(mlv_risk_refvalue_get(t, "851713", "VN", &ref), 0);
	assert_true(ref.all_origins);
	assert_int_equal(ref.samples, 45);
	assert_int_equal(mlv_risk_refvalue_get(t, "851762", "CN", &ref), MLV_ENOTFOUND);

	/* median and MAD are robust: one absurd value moves neither much */
	mlv_risk_uv_obs five[5] = {{"610910", "BD", 10, 1000, 1000}, {"610910", "BD", 20, 1000, 1000},
				   {"610910", "BD", 30, 1000, 1000}, {"610910", "BD", 40, 1000, 1000},
				   {"610910", "BD", 100000, 1000, 1000}};
	mlv_risk_refvalues *t5 = NULL;
	o.min_samples = 5;
	assert_int_equal(mlv_risk_refvalues_build(&t5, five, 5, &o), 0);
	assert_int_equal(mlv_risk_refvalue_get(t5, "610910", "BD", &ref), 0);
	assert_true(ref.median > 29.99 && ref.median < 30.01);
	assert_true(ref.mad > 9.99 && ref.mad < 10.01);
	double below, z;
	mlv_risk_undervaluation(&ref, 3.0, &below, &z);
	assert_true(below > 89.9 && below < 90.1);
	assert_true(z < -1.8 && z > -1.83);
	mlv_risk_undervaluation(&ref, 40.0, &below, &z);
	assert_true(below == 0.0 && z > 0.0);
	mlv_risk_refvalues_free(t5);
	/* an even count: the mean of the two middle values */
	mlv_risk_refvalues *t4 = NULL;
	o.min_samples = 4;
	assert_int_equal(mlv_risk_refvalues_build(&t4, five, 4, &o), 0);
	assert_int_equal(mlv_risk_refvalue_get(t4, "610910", "BD", &ref), 0);
	assert_true(ref.median > 24.99 && ref.median < 25.01); /* 10 20 | 30 40 */
	assert_true(ref.mad > 9.99 && ref.mad < 10.01);	       /* 5 5 | 15 15 */
	mlv_risk_refvalues_free(t4);

	/* In an assessment: 0.96 EUR for 1.2 kg is 0.80 EUR/kg, 95% below. */
	filing f;
	build(&f, "/items/0/hs_code", "\"851713\"", "/items/0/net_weight", "\"1.200\"",
	      "/items/0/gross_weight", "\"1.300\"", "/items/0/value", "\"0.96\"",
	      "/transaction/invoice_total", "\"0.96\"", NULL);
	mlv_risk_input in = input();
	in.refvalues = t;
	mlv_risk_assessment a;
	assess(&a, deflt, &f, &in);
	const mlv_risk_hit *h = find_hit(&a, "R-VAL-UNDER-ELEC");
	if (h == NULL)
		dump_hits(&a);
	assert_non_null(h);
	assert_string_equal(h->explanation, "unit value 0.80 EUR/kg is 95% below the reference 16.00 "
					    "EUR/kg for 8517.13 from CN (40 past items)");
	assert_non_null(find_hit(&a, "R-VAL-UNDER-ANY"));
	mlv_risk_assessment_clear(&a);
	filing_free(&f);
	/* at the reference: no hit */
	build(&f, "/items/0/hs_code", "\"851713\"", "/items/0/net_weight", "\"1.000\"",
	      "/items/0/gross_weight", "\"1.100\"", "/items/0/value", "\"16.00\"",
	      "/transaction/invoice_total", "\"16.00\"", NULL);
	assess(&a, deflt, &f, &in);
	assert_null(find_hit(&a, "R-VAL-UNDER-ELEC"));
	mlv_risk_assessment_clear(&a);
	/* without reference values the rule cannot hit */
	in.refvalues = NULL;
	filing_free(&f);
	build(&f, "/items/0/hs_code", "\"851713\"", "/items/0/net_weight", "\"1.200\"",
	      "/items/0/value", "\"0.96\"", "/transaction/invoice_total", "\"0.96\"", NULL);
	assess(&a, deflt, &f, &in);
	assert_null(find_hit(&a, "R-VAL-UNDER-ELEC"));
	mlv_risk_assessment_clear(&a);
	filing_free(&f);
	mlv_risk_refvalues_free(t);
	o.currency = "EU";
	assert_int_equal(mlv_risk_refvalues_build(&t, obs, n, &o), MLV_EINVALID);
	assert_null(t);
}

static void test_split(void **state)
{
	(void)state;
	const int64_t H = 3600;
	mlv_risk_split_opts o = MLV_RISK_SPLIT_OPTS_INIT; /* 72 h, 150.00 */
	mlv_risk_split s;
	mlv_risk_split_obs cur = {"C", 1000 * H, 9000, "seller-a"};
	mlv_risk_split_obs recent[] = {
		{"A", 1000 * H - 10 * H, 8000, "seller-a"}, /* in the window */
		{"B", 1000 * H - 100 * H, 9000, "seller-a"}, /* too old */
		{"D", 1000 * H - 5 * H, 20000, "seller-a"},  /* above de minimis: not a part */
		{"C", 1000 * H, 9000, "seller-a"},	     /* the current one again */
		{"E", 1000 * H - 20 * H, 4000, "seller-b"},
	};
	assert_int_equal(mlv_risk_split_check(&s, &cur, recent, 2, &o), 0);
	assert_true(s.split);
	assert_int_equal(s.count, 2);
	assert_int_equal(s.total, 17000);
	assert_int_equal(s.first, 990 * H);
	assert_int_equal(s.last, 1000 * H);
	assert_int_equal(mlv_risk_split_check(&s, &cur, recent + 1, 3, &o), 0);
	assert_false(s.split); /* only B (too old), D (too big) and C itself */
	assert_int_equal(s.count, 1);
	assert_int_equal(mlv_risk_split_check(&s, &cur, recent, 5, &o), 0);
	assert_true(s.split);
	assert_int_equal(s.count, 3);
	assert_int_equal(s.total, 21000);
	o.same_seller = true;
	assert_int_equal(mlv_risk_split_check(&s, &cur, recent, 5, &o), 0);
	assert_int_equal(s.count, 2);
	o.same_seller = false;
	/* under the threshold together: no split */
	o.threshold = 50000;
	assert_int_equal(mlv_risk_split_check(&s, &cur, recent, 5, &o), 0);
	assert_false(s.split);
	o.threshold = 15000;
	/* the window slides: -70 h .. +1 h fits in 72 h, -70 h .. +3 h does not */
	mlv_risk_split_obs edge[] = {{"X", 1000 * H - 70 * H, 8000, NULL},
				     {"Y", 1000 * H + 1 * H, 8000, NULL}};
	assert_int_equal(mlv_risk_split_check(&s, &cur, edge, 2, &o), 0);
	assert_int_equal(s.count, 3);
	edge[1].time = 1000 * H + 3 * H; /* -70..+3 is 73 h: two windows of two */
	assert_int_equal(mlv_risk_split_check(&s, &cur, edge, 2, &o), 0);
	assert_int_equal(s.count, 2);
	assert_int_equal(s.total, 17000);
	assert_true(s.split);
	/* the current consignment above de minimis is not a split */
	mlv_risk_split_obs big = {"Z", 1000 * H, 16000, NULL};
	assert_int_equal(mlv_risk_split_check(&s, &big, recent, 5, &o), 0);
	assert_false(s.split);
	assert_int_equal(mlv_risk_split_check(&s, NULL, recent, 5, &o), MLV_EINVALID);
	assert_int_equal(mlv_risk_split_check(&s, &cur, recent, MLV_RISK_SPLIT_MAX + 1, &o),
			 MLV_ETOOBIG);

	/* the default profile explains a split */
	assert_int_equal(mlv_risk_split_check(&s, &cur, recent, 2, &o), 0);
	filing f;
	build(&f, NULL);
	mlv_risk_input in = input();
	in.split = &s;
	mlv_risk_assessment a;
	assess(&a, deflt, &f, &in);
	const mlv_risk_hit *h = find_hit(&a, "R-SPLIT");
	assert_non_null(h);
	assert_string_equal(h->explanation, "2 consignments to the same buyer within 72 h add up to "
					    "170.00 EUR, above the de minimis of 150.00 EUR");
	mlv_risk_assessment_clear(&a);
	filing_free(&f);
}

static void test_mismatch(void **state)
{
	(void)state;
	/* The platform sends the order, the payment provider the payment, the
	 * carrier the transport: each a partial consignment. */
	const char *order =
		"{\"lrn\":\"L1\",\"seller\":{\"name\":\"Example Shop Co., Ltd.\"},"
		"\"transaction\":{\"order_id\":\"O1\",\"currency\":\"EUR\",\"invoice_total\":\"42.00\","
		"\"shipping_cost\":\"6.90\"},\"items\":[{\"description\":\"Wireless earphones with "
		"charging case\",\"quantity\":\"2\",\"currency\":\"EUR\",\"value\":\"42.00\"}]}";
	const char *payment_ok =
		"{\"lrn\":\"L1\",\"transaction\":{\"payment\":{\"currency\":\"USD\",\"amount\":\"53.20\"}}}";
	const char *transport_ok =
		"{\"lrn\":\"L1\",\"seller\":{\"name\":\"EXAMPLE SHOP\"},\"gross_weight\":\"0.400\","
		"\"items\":[{\"description\":\"Earphones wireless\",\"quantity\":\"2\","
		"\"gross_weight\":\"0.400\",\"currency\":\"EUR\",\"value\":\"42.00\"}]}";
	filing fo, fp, ft;
	decode_text(&fo, order, true);
	decode_text(&fp, payment_ok, true);
	decode_text(&ft, transport_ok, true);
	/* 48.90 EUR in USD at the ECB rate of the day: compute it */
	int64_t usd;
	assert_int_equal(mlv_fx_convert(rd, 4890, "EUR", "USD", today, &usd), 0);
	char pay[160];
	snprintf(pay, sizeof(pay),
		 "{\"lrn\":\"L1\",\"transaction\":{\"payment\":{\"currency\":\"USD\",\"amount\":"
		 "\"%" PRId64 ".%02" PRId64 "\"}}}",
		 usd / 100, usd % 100);
	filing_free(&fp);
	decode_text(&fp, pay, true);
	const mlv_consignment *parts[3] = {&fo.c, &fp.c, &ft.c};
	const char *src[3] = {"order", "payment", "transport"};
	mlv_risk_mismatch_opts o = MLV_RISK_MISMATCH_OPTS_INIT;
	o.day = today;
	mlv_risk_mismatch mm;
	assert_int_equal(mlv_risk_mismatch_check(&mm, parts, src, 3, rd, &o), 0);
	if (mm.mask != 0)
		fail_msg("consistent parts: %s", mm.detail[0]);
	assert_int_equal(mm.detail_count, 0);

	/* paid far less than due; other goods; other weight and quantity */
	filing fp2, ft2;
	decode_text(&fp2,
		    "{\"lrn\":\"L1\",\"transaction\":{\"payment\":{\"currency\":\"EUR\",\"amount\":"
		    "\"12.00\"}}}",
		    true);
	decode_text(&ft2,
		    "{\"lrn\":\"L1\",\"seller\":{\"name\":\"Another Seller GmbH\"},\"gross_weight\":"
		    "\"2.500\",\"items\":[{\"description\":\"Ladies leather handbag\",\"quantity\":\"1\","
		    "\"currency\":\"EUR\",\"value\":\"12.00\"}]}",
		    true);
	parts[1] = &fp2.c;
	parts[2] = &ft2.c;
	assert_int_equal(mlv_risk_mismatch_check(&mm, parts, src, 3, rd, &o), 0);
	unsigned want = MLV_RISK_MM_PAYMENT | MLV_RISK_MM_VALUE | MLV_RISK_MM_DESCRIPTION |
			MLV_RISK_MM_QUANTITY | MLV_RISK_MM_PARTY;
	if (mm.mask != want) {
		for (size_t i = 0; i < mm.detail_count; i++)
			fprintf(stderr, "  %s\n", mm.detail[i]);
		fail_msg("mask %#x, want %#x", mm.mask, want);
	}
	bool saw_payment = false;
	for (size_t i = 0; i < mm.detail_count; i++)
		if (strcmp(mm.detail[i], "payment: the payment shows 12.00 EUR paid, the order 48.90 "
					 "EUR due with shipping") == 0)
			saw_payment = true;
	assert_true(saw_payment);
	/* weight alone: 0.400 against 0.500 kg is 20% off, over 10% */
	const char *heavier =
		"{\"lrn\":\"L1\",\"gross_weight\":\"0.500\",\"items\":[{\"description\":\"Earphones\","
		"\"quantity\":\"2\",\"currency\":\"EUR\",\"value\":\"42.00\"}]}";
	filing fh;
	decode_text(&fh, heavier, true);
	const mlv_consignment *two[2] = {&ft.c, &fh.c};
	assert_int_equal(mlv_risk_mismatch_check(&mm, two, NULL, 2, rd, &o), 0);
	assert_int_equal(mm.mask, MLV_RISK_MM_WEIGHT);
	o.weight_tolerance_pct = 25;
	assert_int_equal(mlv_risk_mismatch_check(&mm, two, NULL, 2, rd, &o), 0);
	assert_int_equal(mm.mask, 0);
	filing_free(&fh);
	filing_free(&fo);
	filing_free(&fp);
	filing_free(&ft);
	filing_free(&fp2);
	filing_free(&ft2);
}

static void test_operator_score(void **state)
{
	(void)state;
	mlv_risk_opscore_opts o = MLV_RISK_OPSCORE_OPTS_INIT;
	o.now = 2000000000;
	mlv_risk_opscore s;
	assert_int_equal(mlv_risk_operator_score(&s, NULL, 0, &o), 0);
	assert_int_equal(s.score, 5); /* the prior */
	mlv_risk_result_obs h[40];
	for (int i = 0; i < 40; i++)
		h[i] = (mlv_risk_result_obs){o.now - 86400, i % 2 ? MLV_RISK_IRREGULARITY
								: MLV_RISK_NOTHING_FOUND};
	assert_int_equal(mlv_risk_operator_score(&s, h, 40, &o), 0);
	assert_int_equal(s.controls, 40);
	assert_int_equal(s.findings, 20);
	assert_in_range(s.score, 38, 42); /* (20 + 0.5) / 50 = 41% */
	int recent = s.score;
	for (int i = 0; i < 40; i++)
		h[i].time = o.now - 2 * 365 * 86400; /* the same, two years ago */
	assert_int_equal(mlv_risk_operator_score(&s, h, 40, &o), 0);
	assert_true(s.score < recent);
	for (int i = 0; i < 40; i++)
		h[i] = (mlv_risk_result_obs){o.now, MLV_RISK_SEIZURE};
	assert_int_equal(mlv_risk_operator_score(&s, h, 40, &o), 0);
	assert_int_equal(s.seizures, 40);
	assert_in_range(s.score, 80, 81); /* (40 + 0.5) / 50 */
	h[0].outcome = (mlv_risk_outcome)9;
	assert_int_equal(mlv_risk_operator_score(&s, h, 40, &o), MLV_EINVALID);
	o.half_life_days = 0;
	assert_int_equal(mlv_risk_operator_score(&s, h, 1, &o), MLV_EINVALID);
}

/* ---- feedback --------------------------------------------------------------------------------------- */

static void record(mlv_risk_rule_stats *s, int controls, int findings, int seizures)
{
	for (int i = 0; i < controls; i++) {
		mlv_risk_stats_hit(s);
		mlv_risk_outcome o = i < seizures		? MLV_RISK_SEIZURE
				     : i < findings ? MLV_RISK_IRREGULARITY
						    : MLV_RISK_NOTHING_FOUND;
		assert_int_equal(mlv_risk_stats_result(s, o, o == MLV_RISK_IRREGULARITY ? 1500 : 0), 0);
	}
}

static void test_feedback(void **state)
{
	(void)state;
	mlv_risk_rule_stats s = {0};
	mlv_risk_perf_opts o = MLV_RISK_PERF_OPTS_INIT;
	mlv_risk_perf perf;
	record(&s, 10, 5, 1);
	mlv_risk_stats_hit(&s); /* a hit never controlled */
	assert_int_equal(s.hits, 11);
	assert_int_equal(s.controls, 10);
	assert_int_equal(s.findings, 5);
	assert_int_equal(s.seizures, 1);
	assert_int_equal(s.revenue, 4 * 1500);
	o.assessed = 110;
	assert_int_equal(mlv_risk_stats_perf(&perf, &s, 40, &o), 0);
	assert_true(perf.hit_rate > 0.0999 && perf.hit_rate < 0.1001);
	assert_true(perf.precision > 0.4999 && perf.precision < 0.5001);
	assert_true(perf.precision_lo < 0.5 && perf.precision_hi > 0.5);
	assert_true(perf.precision_lo > 0.18 && perf.precision_hi < 0.82); /* Wilson 0.237..0.763 */
	assert_int_equal(perf.yield, 600);
	assert_int_equal(perf.suggested_weight, 40); /* too few controls */
	assert_false(perf.review);
	assert_non_null(strstr(perf.advice, "too few"));

	/* precision 1% over 300 controls: review, weight halved at most */
	mlv_risk_rule_stats low = {0};
	record(&low, 300, 3, 0);
	assert_int_equal(mlv_risk_stats_perf(&perf, &low, 40, &o), 0);
	assert_true(perf.review);
	assert_true(perf.precision_hi < 0.05);
	assert_int_equal(perf.suggested_weight, 20);
	assert_non_null(strstr(perf.advice, "review the rule"));
	/* 1 in 40 is 2.5%, but the interval (0.4-12.9%) does not rule out
	 * 5%: not enough evidence to flag the rule */
	mlv_risk_rule_stats thin = {0};
	record(&thin, 40, 1, 0);
	assert_int_equal(mlv_risk_stats_perf(&perf, &thin, 40, &o), 0);
	assert_true(perf.precision < 0.05 && perf.precision_hi > 0.05);
	assert_false(perf.review);
	/* precision 50% over 100: above the 20% target, weight doubled at most */
	mlv_risk_rule_stats high = {0};
	record(&high, 100, 50, 0);
	assert_int_equal(mlv_risk_stats_perf(&perf, &high, 30, &o), 0);
	assert_false(perf.review);
	assert_int_equal(perf.suggested_weight, 60);
	/* precision 15% over 400 (interval below 20%, above 5%): lowered */
	mlv_risk_rule_stats mid = {0};
	record(&mid, 400, 60, 0);
	assert_int_equal(mlv_risk_stats_perf(&perf, &mid, 40, &o), 0);
	assert_false(perf.review);
	assert_int_equal(perf.suggested_weight, 30);
	/* precision 20% over 100: consistent, kept */
	mlv_risk_rule_stats on = {0};
	record(&on, 100, 20, 0);
	assert_int_equal(mlv_risk_stats_perf(&perf, &on, 40, &o), 0);
	assert_int_equal(perf.suggested_weight, 40);
	assert_non_null(strstr(perf.advice, "keep weight 40"));
	/* trust rules are not tuned */
	assert_int_equal(mlv_risk_stats_perf(&perf, &low, -20, &o), 0);
	assert_int_equal(perf.suggested_weight, -20);
	assert_false(perf.review);
	/* bad inputs */
	assert_int_equal(mlv_risk_stats_result(&s, (mlv_risk_outcome)0, 0), MLV_EINVALID);
	assert_int_equal(mlv_risk_stats_result(&s, MLV_RISK_IRREGULARITY, -1), MLV_EINVALID);
	assert_int_equal(s.controls, 10);

	/* JSON for GET /v1/rules/{id}/performance */
	mlv_buf b = MLV_BUF_INIT(1 << 16);
	assert_int_equal(mlv_risk_stats_perf(&perf, &low, 40, &o), 0);
	assert_int_equal(mlv_risk_perf_write_json(&b, "R-1", 3, &low, &perf), 0);
	cJSON *j = cJSON_Parse(b.data);
	assert_non_null(j);
	assert_string_equal(cJSON_GetObjectItem(j, "rule")->valuestring, "R-1");
	assert_int_equal(cJSON_GetObjectItem(j, "version")->valueint, 3);
	assert_int_equal(cJSON_GetObjectItem(j, "controls")->valueint, 300);
	assert_int_equal(cJSON_GetObjectItem(j, "findings")->valueint, 3);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "review")));
	assert_int_equal(cJSON_GetObjectItem(j, "suggested_weight")->valueint, 20);
	assert_true(cJSON_GetObjectItem(j, "precision")->valuedouble > 0.0099);
	cJSON_Delete(j);
	mlv_buf_free(&b);
}

/* ---- JSON output --------------------------------------------------------------------------------------- */

static void test_json_output(void **state)
{
	(void)state;
	filing f;
	build(&f, "/items/0/description", "\"Carved ivory \\\"netsuke\\\" figure\"", NULL);
	mlv_risk_input in = input();
	in.goods = goods;
	in.quality = 30;
	mlv_risk_profile_set_version((mlv_risk_profile *)deflt, 12);
	mlv_risk_assessment a;
	assess(&a, deflt, &f, &in);
	mlv_risk_profile_set_version((mlv_risk_profile *)deflt, 1);
	mlv_buf b = MLV_BUF_INIT(1 << 20);
	assert_int_equal(mlv_risk_assessment_write_json(&b, &a), 0);
	cJSON *j = cJSON_Parse(b.data);
	if (j == NULL)
		fail_msg("not JSON: %s", b.data);
	cJSON *prof = cJSON_GetObjectItem(j, "profile");
	assert_string_equal(cJSON_GetObjectItem(prof, "id")->valuestring, "default");
	assert_int_equal(cJSON_GetObjectItem(prof, "version")->valueint, 12);
	assert_string_equal(cJSON_GetObjectItem(j, "lane")->valuestring, "hold");
	assert_int_equal(cJSON_GetObjectItem(j, "score")->valueint, a.score);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(j, "random")));
	assert_string_equal(cJSON_GetObjectItem(j, "random_rate")->valuestring, "1.0000");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "restricted")));
	cJSON *hits = cJSON_GetObjectItem(j, "hits");
	assert_int_equal(cJSON_GetArraySize(hits), (int)a.hit_count);
	assert_true(a.hit_count >= 2);
	cJSON *first = cJSON_GetArrayItem(hits, 0);
	assert_string_equal(cJSON_GetObjectItem(first, "kind")->valuestring, "restricted");
	assert_string_equal(cJSON_GetObjectItem(first, "rule")->valuestring, "EU-CITES-WORDS");
	assert_string_equal(cJSON_GetObjectItem(first, "list")->valuestring, "EU");
	assert_string_equal(cJSON_GetObjectItem(first, "lane")->valuestring, "hold");
	assert_string_equal(cJSON_GetObjectItem(first, "pointer")->valuestring, "/items/0");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(first, "permit_present")));
	assert_non_null(strstr(cJSON_GetObjectItem(first, "basis")->valuestring, "338/97"));
	assert_non_null(strstr(cJSON_GetObjectItem(first, "agency")->valuestring, "CITES"));
	assert_non_null(strstr(cJSON_GetObjectItem(first, "explanation")->valuestring, "'ivory'"));
	bool quality = false;
	cJSON *h;
	cJSON_ArrayForEach(h, hits)
	{
		if (strcmp(cJSON_GetObjectItem(h, "rule")->valuestring, "R-FILE-LOW-QUALITY") == 0) {
			quality = true;
			assert_string_equal(cJSON_GetObjectItem(h, "kind")->valuestring, "rule");
			assert_true(cJSON_IsNull(cJSON_GetObjectItem(h, "pointer")));
			assert_true(cJSON_IsNull(cJSON_GetObjectItem(h, "lane")));
			assert_int_equal(cJSON_GetObjectItem(h, "weight")->valueint, 20);
			assert_string_equal(cJSON_GetObjectItem(h, "explanation")->valuestring,
					    "the data-quality score is 30 out of 100");
		}
	}
	assert_true(quality);
	assert_int_equal(cJSON_GetObjectItem(j, "hits_dropped")->valueint, 0);
	cJSON_Delete(j);
	/* a full buffer refuses rather than truncates */
	mlv_buf small = MLV_BUF_INIT(64);
	assert_int_equal(mlv_risk_assessment_write_json(&small, &a), MLV_ETOOBIG);
	mlv_buf_free(&small);
	mlv_buf_free(&b);
	mlv_risk_assessment_clear(&a);
	mlv_risk_assessment_clear(&a); /* twice is harmless */
	filing_free(&f);
}

static void test_hits_cap(void **state)
{
	(void)state;
	text_buf t = {NULL, 0, 0};
	tb_add(&t, HEADER);
	for (int i = 0; i < 300; i++) {
		char r[128];
		snprintf(r, sizeof(r), "[rule C%03d]\nversion = 1\nweight = 1\nexplain = x\nhs = 85\n", i);
		tb_add(&t, r);
	}
	mlv_risk_profile *p = profile_text(t.p);
	free(t.p);
	filing f;
	build(&f, NULL);
	mlv_risk_input in = input();
	mlv_risk_assessment a;
	assess(&a, p, &f, &in);
	assert_int_equal(a.hit_count, MLV_RISK_MAX_HITS);
	assert_int_equal(a.hits_dropped, 300 - MLV_RISK_MAX_HITS);
	assert_int_equal(a.score, 300); /* every hit counts */
	assert_int_equal(a.lane, MLV_RISK_HOLD);
	mlv_risk_assessment_clear(&a);
	filing_free(&f);
	mlv_risk_profile_free(p);
}

/* ---- the shipped data in use -------------------------------------------------------------------------- */

typedef struct data_case {
	const char *country;
	const char *desc;
	const char *hs;
	const char *value; /* item value and invoice total, EUR */
	const char *id;	   /* expected hit, or NULL for none of kind */
	mlv_risk_lane lane;
} data_case;

static void test_shipped_lists(void **state)
{
	(void)state;
	static const data_case cases[] = {
		{"DE", "Collar with cat fur trim", "420330", "20.00", "EU-CAT-DOG-FUR", MLV_RISK_RED},
		{"FR", "Cartouche de cigarettes", "240220", "40.00", "FR-TOBACCO-DISTANCE-SALE",
		 MLV_RISK_RED},
		{"FR", "Puff 6000 vape jetable", "854340", "8.00", "FR-DISPOSABLE-VAPES", MLV_RISK_RED},
		{"US", "Automatic knife, switchblade", "821191", "25.00", "US-SWITCHBLADE",
		 MLV_RISK_RED},
		{"GB", "Knuckle-duster brass", "732690", "12.00", "GB-OFFENSIVE-WEAPONS", MLV_RISK_RED},
		{"IT", "Scrap circuit boards for recycling", "854999", "30.00", "EU-WASTE-WEEE-HS",
		 MLV_RISK_HOLD},
		{"ES", "Efedrina 99% polvo", "293941", "30.00", "EU-PRECURSORS-HS", MLV_RISK_HOLD},
		{"FR", "Pangolin scale pendant", "711790", "30.00", "EU-CITES-WORDS", MLV_RISK_HOLD},
		{"FR", "Nike Air sneakers", "640411", "12.00", "EU-IPR-COUNTERFEIT", MLV_RISK_HOLD},
		{"US", "Cotton gloves from Xinjiang", "611610", "5.00", "US-FORCED-LABOR-XINJIANG",
		 MLV_RISK_RED},
		{"FR", "Power bank 20000 mAh", "850760", "15.00", "EU-LITHIUM-POST-HS", MLV_RISK_HOLD},
	};
	for (size_t i = 0; i < MLV_ARRAY_LEN(cases); i++) {
		const data_case *k = &cases[i];
		char d[160], hs[16], v[16];
		snprintf(d, sizeof(d), "\"%s\"", k->desc);
		snprintf(hs, sizeof(hs), "\"%s\"", k->hs);
		snprintf(v, sizeof(v), "\"%s\"", k->value);
		filing f;
		build(&f, "/items/0/description", d, "/items/0/hs_code", hs, "/items/0/value", v,
		      "/transaction/invoice_total", v, NULL);
		mlv_risk_input in = input();
		in.country = k->country;
		in.goods = goods;
		mlv_risk_assessment a;
		assess(&a, deflt, &f, &in);
		const mlv_risk_hit *h = find_hit(&a, k->id);
		if (h == NULL || a.lane < k->lane) {
			dump_hits(&a);
			fail_msg("case %zu (%s to %s): want %s and lane >= %s, got lane %s", i, k->desc,
				 k->country, k->id, mlv_risk_lane_name(k->lane),
				 mlv_risk_lane_name(a.lane));
		}
		assert_non_null(h->basis);
		assert_true(strstr(h->basis, "http") != NULL);
		assert_true(h->explanation[0] != '\0');
		assert_null(strchr(h->explanation, '{'));
		mlv_risk_assessment_clear(&a);
		filing_free(&f);
	}
	/* National lists stay national: tobacco to DE is not a French case;
	 * the US list's USD 20.00 counterfeit ceiling converts from EUR. */
	filing f;
	build(&f, "/items/0/description", "\"Cartouche de cigarettes\"", "/items/0/hs_code",
	      "\"240220\"", NULL);
	mlv_risk_input in = input();
	in.country = "DE";
	in.goods = goods;
	mlv_risk_assessment a;
	assess(&a, deflt, &f, &in);
	assert_null(find_hit(&a, "FR-TOBACCO-DISTANCE-SALE"));
	mlv_risk_assessment_clear(&a);
	filing_free(&f);
	int64_t usd;
	assert_int_equal(mlv_fx_convert(rd, 1700, "EUR", "USD", today, &usd), 0);
	assert_true(usd > 1800 && usd < 2000); /* 17.00 EUR is about 18.5 USD */
	const char *values[] = {"\"17.00\"", "\"19.50\""};
	for (int k = 0; k < 2; k++) {
		build(&f, "/items/0/description", "\"Lego bricks set\"", "/items/0/hs_code", "\"950300\"",
		      "/items/0/value", values[k], "/transaction/invoice_total", values[k], NULL);
		in.country = "US";
		assess(&a, deflt, &f, &in);
		assert_int_equal(find_hit(&a, "US-COUNTERFEIT") != NULL, k == 0);
		mlv_risk_assessment_clear(&a);
		filing_free(&f);
	}
}

static void test_default_profile_scenarios(void **state)
{
	(void)state;
	filing f;
	mlv_risk_input in = input();
	mlv_risk_assessment a;
	/* cheap branded trainers from CN, no GTIN */
	build(&f, "/items/0/description", "\"NIKE running shoes\"", "/items/0/brand", "\"Nike\"",
	      "/items/0/hs_code", "\"640411\"", "/items/0/value", "\"9.90\"",
	      "/transaction/invoice_total", "\"9.90\"", NULL);
	assess(&a, deflt, &f, &in);
	const mlv_risk_hit *h = find_hit(&a, "R-IPR-BRAND-CHEAP");
	assert_non_null(h);
	assert_string_equal(h->explanation,
			    "'nike' goods at 9.90 EUR per unit cost far less than the genuine article: "
			    "a counterfeit-prone brand");
	assert_non_null(find_hit(&a, "R-IPR-BRAND-NO-GTIN"));
	assert_int_equal(a.lane, MLV_RISK_YELLOW); /* 45 + 10 */
	mlv_risk_assessment_clear(&a);
	filing_free(&f);
	/* a phone case for an iPhone is not a branded good */
	build(&f, "/items/0/description", "\"Silicone case for iPhone 15\"", "/items/0/value",
	      "\"3.00\"", "/transaction/invoice_total", "\"3.00\"", NULL);
	assess(&a, deflt, &f, &in);
	assert_null(find_hit(&a, "R-IPR-BRAND-CHEAP"));
	mlv_risk_assessment_clear(&a);
	filing_free(&f);
	/* lithium batteries by post, filed late, cheap electronics */
	build(&f, "/items/0/description", "\"Batería de litio 18650\"", "/items/0/hs_code",
	      "\"850760\"", "/items/0/quantity", "\"10\"", NULL);
	in.lead_known = true;
	in.lead_hours = 1;
	assess(&a, deflt, &f, &in);
	assert_non_null(find_hit(&a, "R-DG-LITHIUM-POST"));
	assert_non_null(find_hit(&a, "R-DG-LITHIUM-POST-HS"));
	assert_non_null(find_hit(&a, "R-FILE-LATE"));
	assert_int_equal(a.score, 95); /* 40 + 40 + 15 */
	assert_int_equal(a.lane, MLV_RISK_RED);
	mlv_risk_assessment_clear(&a);
	filing_free(&f);
	/* ten earphones for 30.00 EUR */
	build(&f, "/items/0/quantity", "\"10\"", NULL);
	assess(&a, deflt, &f, &in);
	h = find_hit(&a, "R-VAL-ELEC-CHEAP");
	assert_non_null(h);
	assert_string_equal(h->explanation, "item 1 (Wireless earphones with charging case, HS 8517.62) "
					    "from CN is declared at 3.00 EUR per unit, implausibly low "
					    "for electronics");
	mlv_risk_assessment_clear(&a);
	/* the same by express: no postal rules */
	filing_free(&f);
	build(&f, "/items/0/description", "\"Batería de litio 18650\"", "/items/0/hs_code",
	      "\"850760\"", "/items/0/quantity", "\"10\"", "/channel", "\"express\"", NULL);
	assess(&a, deflt, &f, &in);
	assert_null(find_hit(&a, "R-DG-LITHIUM-POST"));
	assert_null(find_hit(&a, "R-DG-LITHIUM-POST-HS"));
	mlv_risk_assessment_clear(&a);
	filing_free(&f);
	/* an AEO filer with a clean filing: trust lowers the score */
	in = input();
	in.aeo = 1;
	mlv_risk_aeo aeo = {true, 50, "filer", "full", "FRAEOF0000123", "FR", "domestic"};
	in.aeo_status = &aeo;
	build(&f, NULL);
	assess(&a, deflt, &f, &in);
	assert_true(a.aeo);
	assert_int_equal(a.score, a.score_before_aeo / 2);
	assert_int_equal(a.lane, MLV_RISK_GREEN);
	mlv_risk_assessment_clear(&a);
	filing_free(&f);
	/* IOSS claimed above EUR 150 */
	build(&f, "/category", "\"high_value\"", "/transport/house_document", "\"H1\"", "/seller/identifier", "\"CN91440300\"", "/buyer/identifier", "\"FR-ID-1\"",
	      "/transaction/incoterm", "\"DDP\"", "/gross_weight", "\"0.200\"", "/items/0/value",
	      "\"199.00\"", "/transaction/invoice_total", "\"199.00\"", "/tax_collected",
	      "{\"scheme\":\"ioss\",\"registration_number\":\"IM2500001234\",\"currency\":\"EUR\","
	      "\"amount\":\"39.80\"}",
	      NULL);
	assess(&a, deflt, &f, &in);
	h = find_hit(&a, "R-IOSS-ABOVE-150");
	assert_non_null(h);
	assert_string_equal(h->explanation, "IOSS is claimed for goods worth 199.00 EUR: the scheme "
					    "covers consignments up to EUR 150 only");
	mlv_risk_assessment_clear(&a);
	filing_free(&f);
}

static void test_currency_conversion(void **state)
{
	(void)state;
	/* An item in USD against EUR bounds, at the ECB rate of the order date. */
	int64_t eur;
	assert_int_equal(mlv_fx_convert(rd, 10000, "USD", "EUR", 19797 /* 2024-03-15 */, &eur), 0);
	char lo[32], hi[32], rules[400];
	snprintf(lo, sizeof(lo), "%" PRId64 ".%02" PRId64, (eur - 1) / 100, (eur - 1) % 100);
	snprintf(hi, sizeof(hi), "%" PRId64 ".%02" PRId64, eur / 100, eur % 100);
	snprintf(rules, sizeof(rules),
		 "[rule AT]\nversion = 1\nweight = 1\nexplain = {value}\nitem_value_max = %s\n"
		 "item_value_min = %s\n"
		 "[rule BELOW]\nversion = 1\nweight = 1\nexplain = x\nitem_value_max = %s\n",
		 hi, hi, lo);
	mlv_risk_profile *p = profile(rules);
	filing f;
	build(&f, "/items/0/currency", "\"USD\"", "/items/0/value", "\"100.00\"",
	      "/transaction/currency", "\"USD\"", "/transaction/invoice_total", "\"100.00\"", NULL);
	mlv_risk_input in = input();
	mlv_risk_assessment a;
	assess(&a, p, &f, &in);
	const mlv_risk_hit *h = find_hit(&a, "AT");
	assert_non_null(h);
	char want[48];
	snprintf(want, sizeof(want), "%s EUR", hi);
	assert_string_equal(h->explanation, want);
	assert_null(find_hit(&a, "BELOW"));
	mlv_risk_assessment_clear(&a);
	filing_free(&f);
	mlv_risk_profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_languages),
		cmocka_unit_test(test_fold_names),
		cmocka_unit_test(test_shipped_data),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_buyer_criteria_rejected),
		cmocka_unit_test(test_item_criteria),
		cmocka_unit_test(test_consignment_criteria),
		cmocka_unit_test(test_input_criteria),
		cmocka_unit_test(test_disabled_and_negative),
		cmocka_unit_test(test_words_languages),
		cmocka_unit_test(test_trie_vs_naive),
		cmocka_unit_test(test_automaton_vs_naive),
		cmocka_unit_test(test_mixed_criteria_vs_naive),
		cmocka_unit_test(test_lanes_and_thresholds),
		cmocka_unit_test(test_prohibited_never_green),
		cmocka_unit_test(test_restricted_permit),
		cmocka_unit_test(test_goods_list_errors),
		cmocka_unit_test(test_random_siphash),
		cmocka_unit_test(test_random_selection),
		cmocka_unit_test(test_watchlist),
		cmocka_unit_test(test_uv_observe),
		cmocka_unit_test(test_refvalues),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_mismatch),
		cmocka_unit_test(test_operator_score),
		cmocka_unit_test(test_feedback),
		cmocka_unit_test(test_json_output),
		cmocka_unit_test(test_hits_cap),
		cmocka_unit_test(test_shipped_lists),
		cmocka_unit_test(test_default_profile_scenarios),
		cmocka_unit_test(test_currency_conversion),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
