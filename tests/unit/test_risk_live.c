/* test_risk_live.c - what changes in the risk engine while the server
 * runs (risk.h): profile texts checked with every problem listed at its
 * line, the profile as analysts read it (JSON, criteria as written), one
 * rule put in or taken out of a text, what changed between two versions
 * and the rule that versions only rise, the live state swapped under
 * running assessments (single-threaded semantics, then threads under the
 * sanitizers), and operator scores: the table built from results and the
 * operator_score_min/max criteria that read it. */
#include "mlv/risk.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "mlv/codec.h"

#ifndef MLV_DATADIR
#error "MLV_DATADIR must name the data directory"
#endif

static mlv_refdata *rd;
static int32_t today;

/* One consignment: a seller without an identifier, a platform with one,
 * a carrier with one; 30.00 EUR of earphones by post from CN. */
static const char consignment_json[] =
	"{\"lrn\":\"LRN-LIVE-0001\",\"declaration_type\":\"import\","
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

static mlv_arena *arena;
static mlv_consignment cons;

#define HEADER                                                                       \
	"[profile]\nid = live\nversion = 1\nname = Live test\ncurrency = EUR\nyellow = 30\n" \
	"red = 60\nhold = 100\nrandom_percent = 0\n"

static mlv_risk_profile *parse(const char *text)
{
	char err[512] = "";
	mlv_risk_profile *p = NULL;
	if (mlv_risk_profile_parse(&p, text, strlen(text), "live.ini", rd, err, sizeof(err)) != 0)
		fail_msg("profile does not parse: %s", err);
	return p;
}

static int setup(void **state)
{
	(void)state;
	char err[512] = "";
	if (mlv_refdata_load(&rd, MLV_DATADIR, err, sizeof(err)) != 0 ||
	    !mlv_date_parse("2024-03-20", 10, &today))
		return -1;
	mlv_problems p;
	mlv_problems_init(&p);
	arena = mlv_arena_new(16384);
	int rc = mlv_consignment_decode(&cons, consignment_json, strlen(consignment_json), arena, rd,
					&p);
	int errors = (int)p.errors;
	mlv_problems_clear(&p);
	return rc == 0 && errors == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	mlv_arena_free(arena);
	mlv_refdata_free(rd);
	return 0;
}

static mlv_risk_input input(void)
{
	mlv_risk_input in = MLV_RISK_INPUT_INIT;
	in.country = "FR";
	in.day = today;
	in.filer = "filer:7";
	return in;
}

static const mlv_risk_hit *hit_of(const mlv_risk_assessment *a, const char *id)
{
	for (size_t i = 0; i < a->hit_count; i++)
		if (strcmp(a->hits[i].rule_id, id) == 0)
			return &a->hits[i];
	return NULL;
}

/* ---- checking a text: every problem at its line ------------------------------------- */

static void test_check_lists_every_problem(void **state)
{
	(void)state;
	static const char text[] =
		HEADER				       /* lines 1-9 */
		"[rule A]\n"			       /* 10 */
		"version = 1\n"			       /* 11 */
		"weight = 10\n"			       /* 12 */
		"explain = x\n"			       /* 13 */
		"hs = 9999\n"			       /* 14: no such heading */
		"[rule B]\n"			       /* 15 */
		"version = 1\n"			       /* 16 */
		"weight = 10\n"			       /* 17 */
		"explain = x\n"			       /* 18 */
		"buyer_country = FR\n"		       /* 19: the consumer */
		"[rule C]\n"			       /* 20 */
		"version = 1\n"			       /* 21 */
		"weight = 10\n"			       /* 22 */
		"explain = x\n"			       /* 23 */
		"origin = CN\n"			       /* 24 */
		"[rule C]\n"			       /* 25: the id again */
		"version = 1\n"
		"weight = 5\n"
		"explain = y\n"
		"origin = HK\n"
		"[rule D]\n"			       /* 30 */
		"version = 1\n"
		"weight = 5\n"
		"explain = {buyer_name}\n"	       /* 33: the consumer again */
		"origin = HK\n"
		"[rule E]\n"			       /* 35 */
		"version = 1\n"
		"explain = z\n"
		"origin = VN\n";		       /* 38; E has no weight: line 35 */
	mlv_risk_text_problem probs[10];
	size_t n = 0;
	mlv_risk_profile *p = (mlv_risk_profile *)1;
	int rc = mlv_risk_profile_check(&p, text, strlen(text), "t.ini", rd, probs, 10, &n);
	assert_null(p);
	assert_int_equal(rc, MLV_EINVALID); /* the first problem's code */
	for (size_t i = 0; i < n && i < 10; i++)
		print_message("  line %zu (%d): %s\n", probs[i].line, probs[i].code, probs[i].message);
	assert_int_equal(n, 5);
	assert_int_equal(probs[0].line, 14);
	assert_int_equal(probs[0].code, MLV_EINVALID);
	assert_non_null(strstr(probs[0].message, "9999"));
	assert_int_equal(probs[1].line, 19);
	assert_int_equal(probs[1].code, MLV_EFORBIDDEN);
	assert_non_null(strstr(probs[1].message, "consumers are not profiled"));
	assert_int_equal(probs[2].line, 33);
	assert_int_equal(probs[2].code, MLV_EFORBIDDEN);
	assert_int_equal(probs[3].line, 35);
	assert_non_null(strstr(probs[3].message, "weight is required"));
	assert_int_equal(probs[4].line, 25);
	assert_int_equal(probs[4].code, MLV_EEXISTS);
	/* no file name or line number inside the message: they are apart */
	assert_null(strstr(probs[0].message, "t.ini"));

	/* Fewer slots than problems: the count still says how many. */
	n = 0;
	assert_int_equal(mlv_risk_profile_check(&p, text, strlen(text), "t.ini", rd, probs, 2, &n),
			 MLV_EINVALID);
	assert_int_equal(n, 5);
	assert_int_equal(mlv_risk_profile_check(&p, text, strlen(text), "t.ini", rd, NULL, 0, &n),
			 MLV_EINVALID);
	assert_int_equal(n, 5);

	/* A broken section header does not cascade into its keys. */
	static const char bad_header[] = HEADER "[rulez A]\nversion = 1\nweight = 1\n"
					 "explain = x\norigin = CN\n";
	assert_int_equal(mlv_risk_profile_check(&p, bad_header, strlen(bad_header), "t.ini", rd,
						probs, 10, &n),
			 MLV_EINVALID);
	assert_int_equal(n, 1);
	assert_int_equal(probs[0].line, 10);

	/* A valid text gives a profile, as parse does. */
	static const char good[] = HEADER "[rule A]\nversion = 2\nweight = 10\nexplain = x\n"
				   "origin = CN\n";
	assert_int_equal(mlv_risk_profile_check(&p, good, strlen(good), "t.ini", rd, probs, 10, &n),
			 0);
	assert_int_equal(n, 0);
	assert_non_null(p);
	assert_int_equal(mlv_risk_profile_rule_count(p), 1);
	mlv_risk_profile_free(p);
}

/* ---- the profile as analysts read it ------------------------------------------------- */

static void test_profile_json(void **state)
{
	(void)state;
	static const char text[] = HEADER "\n; electronics\n"
				   "[rule R-ELEC]\n"	     /* 12 */
				   "version = 3\nweight = 25\nlane = red\n"
				   "explain = item {item} from {origin}\n"
				   "hs = 8517 8471\n"
				   "; a comment inside\n"
				   "origin = CN, HK\n"
				   "\n; next\n"
				   "[rule R-TRUST]\n"	     /* 22 */
				   "version = 1\nweight = -10\nenabled = no\nexplain = trusted\n"
				   "platform = id:IE1234567X | Other Market\n";
	mlv_risk_profile *p = parse(text);
	size_t len = 0;
	assert_string_equal(mlv_risk_profile_text(p, &len), text);
	assert_int_equal(len, strlen(text));
	assert_string_equal(mlv_risk_profile_name(p), "Live test");
	mlv_risk_rule_info ri;
	assert_int_equal(mlv_risk_profile_find(p, "R-ELEC", &ri), 0);
	assert_int_equal(ri.line, 12);
	assert_int_equal(ri.criterion_count, 2);
	/* the section: from its header to its last key, comments inside kept */
	char sect[512];
	snprintf(sect, sizeof(sect), "%.*s", (int)ri.section_len, ri.section);
	assert_true(strncmp(sect, "[rule R-ELEC]\n", 14) == 0);
	assert_non_null(strstr(sect, "; a comment inside\n"));
	assert_string_equal(sect + strlen(sect) - 15, "origin = CN, HK"); /* no line end */
	assert_null(strstr(sect, "; next"));
	const char *k, *v;
	assert_int_equal(mlv_risk_profile_criterion(p, ri.index, 1, &k, &v), 0);
	assert_string_equal(k, "origin");
	assert_string_equal(v, "CN, HK"); /* as written, not as tokenised */
	assert_int_equal(mlv_risk_profile_criterion(p, ri.index, 2, &k, &v), MLV_ENOTFOUND);

	mlv_buf b = MLV_BUF_INIT(1 << 20);
	assert_int_equal(mlv_risk_profile_write_json(&b, p), 0);
	cJSON *j = cJSON_ParseWithLength(b.data, b.len);
	assert_non_null(j);
	assert_string_equal(cJSON_GetObjectItem(j, "id")->valuestring, "live");
	assert_string_equal(cJSON_GetObjectItem(j, "name")->valuestring, "Live test");
	assert_int_equal(cJSON_GetObjectItem(j, "red")->valueint, 60);
	assert_string_equal(cJSON_GetObjectItem(j, "random_percent")->valuestring, "0.0000");
	cJSON *rules = cJSON_GetObjectItem(j, "rules");
	assert_int_equal(cJSON_GetArraySize(rules), 2);
	cJSON *r0 = cJSON_GetArrayItem(rules, 0), *r1 = cJSON_GetArrayItem(rules, 1);
	assert_string_equal(cJSON_GetObjectItem(r0, "id")->valuestring, "R-ELEC");
	assert_int_equal(cJSON_GetObjectItem(r0, "version")->valueint, 3);
	assert_string_equal(cJSON_GetObjectItem(r0, "lane")->valuestring, "red");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(r1, "lane")));
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(r1, "enabled")));
	assert_int_equal(cJSON_GetObjectItem(r1, "weight")->valueint, -10);
	assert_int_equal(cJSON_GetObjectItem(r1, "line")->valueint, 22);
	cJSON *c0 = cJSON_GetArrayItem(cJSON_GetObjectItem(r0, "criteria"), 0);
	assert_string_equal(cJSON_GetObjectItem(c0, "key")->valuestring, "hs");
	assert_string_equal(cJSON_GetObjectItem(c0, "value")->valuestring, "8517 8471");
	cJSON *c1 = cJSON_GetArrayItem(cJSON_GetObjectItem(r1, "criteria"), 0);
	assert_string_equal(cJSON_GetObjectItem(c1, "value")->valuestring,
			    "id:IE1234567X | Other Market");
	cJSON_Delete(j);
	mlv_buf_free(&b);
	mlv_risk_profile_free(p);
}

/* ---- one rule put in, one taken out -------------------------------------------------- */

static const char two_rules[] = HEADER "\n[rule A]\nversion = 4\nweight = 10\nexplain = a\n"
				       "origin = CN\n\n[rule B]\nversion = 1\nweight = 20\n"
				       "explain = b\norigin = HK\n";

static mlv_risk_profile *put(const mlv_risk_profile *p, const char *section, bool bump,
			     mlv_risk_rule_edit *e)
{
	char err[256];
	mlv_buf b = MLV_BUF_INIT(1 << 20);
	int rc = mlv_risk_profile_put_rule(&b, p, section, strlen(section), bump, e, err,
					   sizeof(err));
	if (rc != 0)
		fail_msg("put_rule: %s", err);
	mlv_risk_profile *q = parse(b.data ? b.data : "");
	mlv_buf_free(&b);
	return q;
}

static void test_put_and_remove_rule(void **state)
{
	(void)state;
	mlv_risk_profile *p = parse(two_rules);
	mlv_risk_rule_edit e;
	mlv_risk_rule_info ri;

	/* Replace A without a version: kept, or raised with bump. */
	const char *a2 = "; stricter\n[rule A]\nweight = 35\nexplain = a2\norigin = CN HK\n";
	mlv_risk_profile *q = put(p, a2, false, &e);
	assert_true(e.exists);
	assert_false(e.version_given);
	assert_int_equal(e.old_version, 4);
	assert_int_equal(e.header_line, 2);
	assert_int_equal(mlv_risk_profile_find(q, "A", &ri), 0);
	assert_int_equal(ri.version, 4);
	assert_int_equal(ri.weight, 35);
	assert_int_equal(ri.line, e.first_line);
	assert_int_equal(mlv_risk_profile_rule_count(q), 2);
	assert_int_equal(mlv_risk_profile_find(q, "B", &ri), 0);
	assert_int_equal(ri.weight, 20);
	mlv_risk_profile_free(q);
	q = put(p, a2, true, &e);
	assert_int_equal(mlv_risk_profile_find(q, "A", &ri), 0);
	assert_int_equal(ri.version, 5);
	assert_int_equal(ri.index, 0); /* in place */
	mlv_risk_profile_free(q);

	/* A new rule is appended at version 1, or the version it names. */
	q = put(p, "[rule C]\nweight = 5\nexplain = c\ndeparture = VN\n", true, &e);
	assert_false(e.exists);
	assert_int_equal(mlv_risk_profile_find(q, "C", &ri), 0);
	assert_int_equal(ri.version, 1);
	assert_int_equal(ri.index, 2);
	assert_int_equal(ri.line, e.first_line);
	mlv_risk_profile_free(q);
	q = put(p, "[rule C]\r\nversion = 9\r\nweight = 5\r\nexplain = c\r\ndeparture = VN\r\n",
		true, &e);
	assert_true(e.version_given);
	assert_int_equal(mlv_risk_profile_find(q, "C", &ri), 0);
	assert_int_equal(ri.version, 9);
	/* and the text stays editable: remove C again, get two rules back */
	mlv_buf b = MLV_BUF_INIT(1 << 20);
	assert_int_equal(mlv_risk_profile_remove_rule(&b, q, "C"), 0);
	mlv_risk_profile *r = parse(b.data);
	assert_int_equal(mlv_risk_profile_rule_count(r), 2);
	assert_int_equal(mlv_risk_profile_find(r, "C", &ri), MLV_ENOTFOUND);
	mlv_risk_profile_free(r);
	mlv_buf_reset(&b);
	assert_int_equal(mlv_risk_profile_remove_rule(&b, p, "A"), 0);
	r = parse(b.data);
	assert_int_equal(mlv_risk_profile_rule_count(r), 1);
	assert_int_equal(mlv_risk_profile_find(r, "B", &ri), 0);
	mlv_risk_profile_free(r);
	mlv_buf_reset(&b);
	assert_int_equal(mlv_risk_profile_remove_rule(&b, p, "NOPE"), MLV_ENOTFOUND);
	mlv_risk_profile_free(q);

	/* Not one rule section. */
	static const char *const bad[] = {
		"", "; only a comment\n", "weight = 5\n[rule X]\nexplain = x\norigin = CN\n",
		"[rule X]\nweight = 5\n[rule Y]\nweight = 6\n", "[profile]\nid = x\n",
		"[rule ]\nweight = 1\n", "[rule bad id!]\nweight = 1\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[256] = "";
		mlv_buf_reset(&b);
		assert_int_equal(mlv_risk_profile_put_rule(&b, p, bad[i], strlen(bad[i]), true, &e,
							   err, sizeof(err)),
				 MLV_EINVALID);
		assert_true(err[0] != '\0');
	}
	char err[256] = "";
	mlv_buf_reset(&b);
	const char *two = "[rule X]\nweight = 5\n\n[rule Y]\n";
	assert_int_equal(mlv_risk_profile_put_rule(&b, p, two, strlen(two), true, &e, err,
						   sizeof(err)),
			 MLV_EINVALID);
	assert_string_equal(err, "line 4: one rule at a time: a second section starts here");
	mlv_buf_free(&b);
	mlv_risk_profile_free(p);
}

/* ---- what changed, and versions that only rise --------------------------------------- */

struct changes {
	char log[1024];
};

static int log_change(void *ctx, const mlv_risk_change *c)
{
	struct changes *x = ctx;
	static const char *const kinds[] = {"", "added", "removed", "changed", "settings"};
	size_t n = strlen(x->log);
	snprintf(x->log + n, sizeof(x->log) - n, "%s %s %lld>%lld@%zu;", kinds[c->kind],
		 c->id ? c->id : "-", (long long)c->old_version, (long long)c->new_version,
		 c->line);
	return 0;
}

static void test_diff_and_versions(void **state)
{
	(void)state;
	mlv_risk_profile *p = parse(two_rules);
	/* A: weight changed at a new version; B removed; C added; red lowered. */
	mlv_risk_profile *q = parse("[profile]\nid = live\nversion = 2\ncurrency = EUR\n"
				    "yellow = 30\nred = 50\nhold = 100\nrandom_percent = 0\n"
				    "[rule A]\nversion = 5\nweight = 11\nexplain = a\norigin = CN\n"
				    "[rule C]\nversion = 1\nweight = 1\nexplain = c\norigin = VN\n");
	struct changes c = {""};
	assert_int_equal(mlv_risk_profile_diff(p, q, log_change, &c), 0);
	assert_string_equal(c.log,
			    "settings - 1>2@1;changed A 4>5@9;added C 0>1@14;removed B 1>0@0;");
	mlv_risk_text_problem probs[4];
	size_t n = 9;
	assert_int_equal(mlv_risk_profile_check_versions(p, q, probs, 4, &n), 0);
	assert_int_equal(n, 0);

	/* Same text, same versions: nothing changed. */
	mlv_risk_profile *same = parse(two_rules);
	c.log[0] = '\0';
	assert_int_equal(mlv_risk_profile_diff(p, same, log_change, &c), 0);
	assert_string_equal(c.log, "");
	mlv_risk_profile_free(same);

	/* A criterion changed at the same version; B's version lowered. */
	mlv_risk_profile *r = parse(HEADER "[rule A]\nversion = 4\nweight = 10\nexplain = a\n"
					   "origin = CN HK\n"
					   "[rule B]\nversion = 1\nweight = 20\nexplain = b\n"
					   "origin = HK\n");
	assert_int_equal(mlv_risk_profile_check_versions(p, r, probs, 4, &n), MLV_EINVALID);
	assert_int_equal(n, 1);
	assert_int_equal(probs[0].line, 10);
	assert_non_null(strstr(probs[0].message, "rule A changed but kept version 4"));
	mlv_risk_profile *s = parse(HEADER "[rule A]\nversion = 3\nweight = 10\nexplain = a\n"
					   "origin = CN\n");
	assert_int_equal(mlv_risk_profile_check_versions(p, s, probs, 4, &n), MLV_EINVALID);
	assert_non_null(strstr(probs[0].message, "goes back from version 4 to 3"));
	mlv_risk_profile_free(s);
	mlv_risk_profile_free(r);
	mlv_risk_profile_free(q);
	mlv_risk_profile_free(p);
}

/* ---- the live state --------------------------------------------------------------------- */

static mlv_risk_profile *versioned(int64_t v)
{
	mlv_risk_profile *p = parse(HEADER "[rule ELEC]\nversion = 1\nweight = 40\n"
					   "explain = {hs} from {origin}\nhs = 8517\n");
	mlv_risk_profile_set_version(p, v);
	return p;
}

static void test_live_swap(void **state)
{
	(void)state;
	mlv_risk_live *l = NULL;
	assert_int_equal(mlv_risk_live_new(&l), 0);
	mlv_risk_snapshot s0, s1, s2;
	mlv_risk_live_acquire(l, &s0);
	assert_null(s0.profile);
	assert_int_equal(s0.generation, 0);
	mlv_risk_live_release(l, &s0);

	mlv_risk_profile *borrowed = versioned(1);
	assert_int_equal(mlv_risk_live_publish_profile(l, borrowed, false), 0);
	mlv_risk_live_acquire(l, &s1);
	assert_ptr_equal(s1.profile, borrowed);
	assert_int_equal(s1.generation, 1);

	/* A new version while s1 is held: s1 keeps the old one. */
	assert_int_equal(mlv_risk_live_publish_profile(l, versioned(2), true), 0);
	mlv_risk_live_acquire(l, &s2);
	assert_int_equal(mlv_risk_profile_version(s2.profile), 2);
	assert_int_equal(mlv_risk_profile_version(s1.profile), 1);
	assert_int_equal(mlv_risk_live_generation(l), 2);

	/* Both still assess (ASan would see a freed one). */
	mlv_risk_input in = input();
	for (int k = 0; k < 2; k++) {
		mlv_risk_assessment a;
		assert_int_equal(mlv_risk_assess(&a, k ? s2.profile : s1.profile, &cons, &in, rd), 0);
		assert_int_equal(a.profile_version, k ? 2 : 1);
		assert_non_null(hit_of(&a, "ELEC"));
		mlv_risk_assessment_clear(&a);
	}
	/* A third version: the second, owned and held by s2, lives on until
	 * s2 is released; the borrowed first is never freed by the holder. */
	assert_int_equal(mlv_risk_live_publish_profile(l, versioned(3), true), 0);
	assert_int_equal(mlv_risk_profile_version(s2.profile), 2);
	mlv_risk_live_release(l, &s2);
	assert_null(s2.profile);
	mlv_risk_live_release(l, &s1);
	mlv_risk_live_acquire(l, &s0);
	assert_int_equal(mlv_risk_profile_version(s0.profile), 3);
	mlv_risk_live_release(l, &s0);

	/* Withdrawn: the next snapshot has none. */
	assert_int_equal(mlv_risk_live_publish_profile(l, NULL, true), 0);
	mlv_risk_live_acquire(l, &s0);
	assert_null(s0.profile);
	mlv_risk_live_release(l, &s0);
	mlv_risk_live_free(l);
	mlv_risk_profile_free(borrowed); /* still the caller's: no double free */
}

struct reader {
	mlv_risk_live *live;
	int rounds;
	int64_t seen_max;
	int failures;
};

static void *read_loop(void *arg)
{
	struct reader *r = arg;
	mlv_risk_input in = input();
	int64_t last = 0;
	for (int i = 0; i < r->rounds; i++) {
		mlv_risk_snapshot s;
		mlv_risk_live_acquire(r->live, &s);
		mlv_risk_assessment a;
		if (s.profile == NULL || mlv_risk_assess(&a, s.profile, &cons, &in, rd) != 0) {
			r->failures++;
			mlv_risk_live_release(r->live, &s);
			continue;
		}
		/* what the assessment records is the version of its snapshot, and
		 * versions never go back for one reader */
		if (a.profile_version != mlv_risk_profile_version(s.profile) ||
		    a.profile_version < last || hit_of(&a, "ELEC") == NULL)
			r->failures++;
		last = a.profile_version;
		mlv_risk_assessment_clear(&a);
		mlv_risk_live_release(r->live, &s);
	}
	r->seen_max = last;
	return NULL;
}

static void test_live_threads(void **state)
{
	(void)state;
	enum { READERS = 4, VERSIONS = 150 };
	mlv_risk_live *l = NULL;
	assert_int_equal(mlv_risk_live_new(&l), 0);
	assert_int_equal(mlv_risk_live_publish_profile(l, versioned(1), true), 0);
	pthread_t t[READERS];
	struct reader r[READERS];
	for (int i = 0; i < READERS; i++) {
		r[i] = (struct reader){l, 1500, 0, 0};
		assert_int_equal(pthread_create(&t[i], NULL, read_loop, &r[i]), 0);
	}
	for (int v = 2; v <= VERSIONS; v++)
		assert_int_equal(mlv_risk_live_publish_profile(l, versioned(v), true), 0);
	for (int i = 0; i < READERS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(r[i].failures, 0);
		assert_true(r[i].seen_max >= 1 && r[i].seen_max <= VERSIONS);
	}
	mlv_risk_snapshot s;
	mlv_risk_live_acquire(l, &s);
	assert_int_equal(mlv_risk_profile_version(s.profile), VERSIONS);
	assert_int_equal(s.generation, VERSIONS);
	mlv_risk_live_release(l, &s);
	mlv_risk_live_free(l); /* frees the last; the others went with their last reader */
}

/* ---- operator scores ---------------------------------------------------------------------- */

static mlv_risk_parties seller(const char *name, const char *id)
{
	mlv_risk_parties p;
	memset(&p, 0, sizeof(p));
	p.name[MLV_RISK_ROLE_SELLER] = name;
	p.identifier[MLV_RISK_ROLE_SELLER] = id;
	p.name[MLV_RISK_ROLE_FILER] = p.identifier[MLV_RISK_ROLE_FILER] = "filer:7";
	return p;
}

static void test_opscores_table(void **state)
{
	(void)state;
	mlv_risk_opscore_opts o = MLV_RISK_OPSCORE_OPTS_INIT;
	o.now = 2000000000;
	o.prior_rate = -1; /* from the results themselves */
	mlv_risk_opscores *t = NULL;
	assert_int_equal(mlv_risk_opscores_new(&t, &o), 0);
	/* "Bad Co" (two spellings, one identifier): 10 controls, 6 findings;
	 * "Good Ltd" (a name only): 30 clean controls; "Rare" one seizure. */
	mlv_risk_result_obs bad_hist[10];
	for (int i = 0; i < 10; i++) {
		mlv_risk_outcome out = i < 5 ? MLV_RISK_IRREGULARITY
				      : i == 5 ? MLV_RISK_SEIZURE
					       : MLV_RISK_NOTHING_FOUND;
		mlv_risk_parties p = seller(i % 2 ? "BAD Co." : "Bad Company", "cn 9988");
		assert_int_equal(mlv_risk_opscores_add(t, &p, o.now - i * 86400, out), 0);
		bad_hist[i] = (mlv_risk_result_obs){o.now - i * 86400, out};
	}
	for (int i = 0; i < 30; i++) {
		mlv_risk_parties p = seller("Good Ltd", NULL);
		assert_int_equal(mlv_risk_opscores_add(t, &p, o.now, MLV_RISK_NOTHING_FOUND), 0);
	}
	mlv_risk_parties rare = seller("Rare", NULL);
	assert_int_equal(mlv_risk_opscores_add(t, &rare, o.now, MLV_RISK_SEIZURE), 0);
	mlv_risk_parties nobody = seller("...", " ");
	assert_int_equal(mlv_risk_opscores_add(t, &nobody, o.now, MLV_RISK_NOTHING_FOUND), 0);
	assert_int_equal(mlv_risk_opscores_add(t, &rare, o.now, (mlv_risk_outcome)7), MLV_EINVALID);
	assert_int_equal(mlv_risk_opscores_finish(t), 0);
	assert_int_equal(mlv_risk_opscores_finish(t), MLV_ECONFLICT);
	assert_int_equal(mlv_risk_opscores_add(t, &rare, o.now, MLV_RISK_SEIZURE), MLV_ECONFLICT);

	assert_int_equal(mlv_risk_opscores_controls(t), 42);
	/* 3 sellers with keys (the nameless one has none) and one filer */
	assert_int_equal(mlv_risk_opscores_count(t), 4);
	double prior = mlv_risk_opscores_prior(t);
	/* (about 9 weighted findings + 5) / (about 42 controls + 100) */
	assert_true(prior > 0.09 && prior < 0.105);

	mlv_risk_operator op;
	assert_int_equal(mlv_risk_opscores_get(t, MLV_RISK_ROLE_SELLER, "whatever", "CN9988", &op), 0);
	assert_string_equal(op.key, "id:CN9988");
	assert_int_equal(op.score.controls, 10);
	assert_int_equal(op.score.findings, 6);
	assert_int_equal(op.score.seizures, 1);
	/* the same as the single-operator function under the same prior */
	mlv_risk_opscore_opts same = o;
	same.prior_rate = prior;
	mlv_risk_opscore want;
	assert_int_equal(mlv_risk_operator_score(&want, bad_hist, 10, &same), 0);
	assert_int_equal(op.score.score, want.score);
	assert_true(op.score.rate > 0.35); /* (7 + 10 x prior) / 20 */
	/* by name: folded, legal forms dropped */
	assert_int_equal(mlv_risk_opscores_get(t, MLV_RISK_ROLE_SELLER, "GOOD limited", NULL, &op),
			 0);
	assert_string_equal(op.key, "good");
	assert_string_equal(op.name, "Good Ltd");
	assert_int_equal(op.score.score, (int)(0.5 + 100 * 10 * prior / 40));
	assert_int_equal(mlv_risk_opscores_get(t, MLV_RISK_ROLE_PLATFORM, "Good Ltd", NULL, &op),
			 MLV_ENOTFOUND);
	assert_int_equal(mlv_risk_opscores_get(t, MLV_RISK_ROLE_FILER, NULL, "filer:7", &op), 0);
	assert_int_equal(op.score.controls, 42);

	/* riskiest first */
	int last = 101;
	for (size_t i = 0; i < mlv_risk_opscores_count(t); i++) {
		assert_int_equal(mlv_risk_opscores_at(t, i, &op), 0);
		assert_true(op.score.score <= last);
		last = op.score.score;
	}
	assert_int_equal(mlv_risk_opscores_at(t, 0, &op), 0);
	assert_string_equal(op.key, "id:CN9988");
	assert_int_equal(mlv_risk_opscores_at(t, 4, &op), MLV_ENOTFOUND);
	mlv_risk_opscores_free(t);

	o.half_life_days = 0;
	assert_int_equal(mlv_risk_opscores_new(&t, &o), MLV_EINVALID);
	assert_null(t);
}

static mlv_risk_opscores *scores_for(const char *seller_name, int findings, int controls)
{
	mlv_risk_opscore_opts o = MLV_RISK_OPSCORE_OPTS_INIT;
	o.now = (int64_t)today * 86400;
	mlv_risk_opscores *t = NULL;
	assert_int_equal(mlv_risk_opscores_new(&t, &o), 0);
	for (int i = 0; i < controls; i++) {
		mlv_risk_parties p;
		memset(&p, 0, sizeof(p));
		p.name[MLV_RISK_ROLE_SELLER] = seller_name;
		p.name[MLV_RISK_ROLE_PLATFORM] = "ExampleMarket Ltd";
		p.identifier[MLV_RISK_ROLE_PLATFORM] = "IE 1234567x";
		assert_int_equal(mlv_risk_opscores_add(t, &p, o.now,
						       i < findings ? MLV_RISK_IRREGULARITY
								    : MLV_RISK_NOTHING_FOUND),
				 0);
	}
	assert_int_equal(mlv_risk_opscores_finish(t), 0);
	return t;
}

static void test_opscore_criteria(void **state)
{
	(void)state;
	mlv_risk_profile *p = parse(
		HEADER "[rule R-SELLER-RISKY]\nversion = 1\nweight = 40\n"
		       "explain = {role} {party} scores {operator_score}\n"
		       "operator_score_min = 30\noperator_roles = seller\n"
		       "[rule R-PLATFORM-TRUSTED]\nversion = 1\nweight = -10\n"
		       "explain = trusted {party}\noperator_score_max = 3\n"
		       "operator_roles = platform\n");
	mlv_risk_input in = input();
	mlv_risk_assessment a;

	/* The seller had 9 findings in 12 controls: (9 + 0.5) / 22 = 43%. */
	mlv_risk_opscores *t = scores_for("Shenzhen Example Electronics Co.", 9, 12);
	in.opscores = t;
	assert_int_equal(mlv_risk_assess(&a, p, &cons, &in, rd), 0);
	const mlv_risk_hit *h = hit_of(&a, "R-SELLER-RISKY");
	assert_non_null(h);
	assert_string_equal(h->explanation, "seller Shenzhen Example Electronics Co. scores 43");
	/* the platform, in the same ten controls, is not trusted */
	assert_null(hit_of(&a, "R-PLATFORM-TRUSTED"));
	mlv_risk_assessment_clear(&a);
	mlv_risk_opscores_free(t);

	/* Clean history: the seller is not risky, the platform is trusted. */
	t = scores_for("Shenzhen Example Electronics Co", 0, 200);
	in.opscores = t;
	assert_int_equal(mlv_risk_assess(&a, p, &cons, &in, rd), 0);
	assert_null(hit_of(&a, "R-SELLER-RISKY"));
	h = hit_of(&a, "R-PLATFORM-TRUSTED");
	assert_non_null(h);
	assert_string_equal(h->explanation, "trusted ExampleMarket Ltd");
	mlv_risk_assessment_clear(&a);
	mlv_risk_opscores_free(t);

	/* Operators never controlled: no score, neither rule holds. */
	t = scores_for("Someone Else", 9, 10);
	in.opscores = t;
	assert_int_equal(mlv_risk_assess(&a, p, &cons, &in, rd), 0);
	assert_int_equal(a.hit_count, 0);
	mlv_risk_assessment_clear(&a);
	mlv_risk_opscores_free(t);

	/* Without a table, the caller's overall score (role any) counts only
	 * for rules that do not name roles. */
	mlv_risk_profile *any = parse(HEADER "[rule R-ANY]\nversion = 1\nweight = 40\n"
					     "explain = score {operator_score}\n"
					     "operator_score_min = 30\n");
	in.opscores = NULL;
	in.operator_score = 45;
	assert_int_equal(mlv_risk_assess(&a, any, &cons, &in, rd), 0);
	assert_non_null(hit_of(&a, "R-ANY"));
	assert_string_equal(hit_of(&a, "R-ANY")->explanation, "score 45");
	mlv_risk_assessment_clear(&a);
	assert_int_equal(mlv_risk_assess(&a, p, &cons, &in, rd), 0);
	assert_int_equal(a.hit_count, 0);
	mlv_risk_assessment_clear(&a);
	mlv_risk_profile_free(any);
	mlv_risk_profile_free(p);

	/* The loader's word on the new keys. */
	static const struct {
		const char *rule;
		int rc;
	} bad[] = {
		{"operator_roles = seller\norigin = CN\n", MLV_EINVALID},
		{"operator_score_min = 50\noperator_score_max = 10\n", MLV_EINVALID},
		{"operator_score_max = 101\n", MLV_EINVALID},
		{"operator_score_min = 10\noperator_roles = buyer\n", MLV_EFORBIDDEN},
		{"operator_score_min = 10\noperator_roles = any\n", MLV_EINVALID},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[1024], err[512] = "";
		snprintf(text, sizeof(text), HEADER "[rule X]\nversion = 1\nweight = 1\nexplain = x\n%s",
			 bad[i].rule);
		mlv_risk_profile *q = NULL;
		assert_int_equal(mlv_risk_profile_parse(&q, text, strlen(text), "x.ini", rd, err,
							sizeof(err)),
				 bad[i].rc);
		assert_null(q);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_lists_every_problem),
		cmocka_unit_test(test_profile_json),
		cmocka_unit_test(test_put_and_remove_rule),
		cmocka_unit_test(test_diff_and_versions),
		cmocka_unit_test(test_live_swap),
		cmocka_unit_test(test_live_threads),
		cmocka_unit_test(test_opscores_table),
		cmocka_unit_test(test_opscore_criteria),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
