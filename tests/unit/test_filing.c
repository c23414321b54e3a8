/* test_filing.c - the store-free half of taking a filing (filing.h):
 * prepare (decode, validate, digest, compressed evidence, quality JSON),
 * the canonical digest, zstd helpers, and the JSON Lines result shapes.
 *
 * MLV_DATADIR names the project's data/. */
#include "mlv/filing.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "testutil.h"

/* The same filing: members in another order, whitespace, "42" for
 * "42.00", an ISO offset for the same instant. */
static const char reordered_json[] =
	"{\n  \"items\": [\n    {\"origin_country\": \"CN\", \"value\": \"30\", \"currency\": \"EUR\","
	" \"quantity\": \"1.000\", \"hs_code\": \"851762\","
	" \"description\": \"Wireless earphones with charging case\"},\n"
	"    {\"value\": \"12.0\", \"origin_country\": \"CN\", \"currency\": \"EUR\","
	" \"description\": \"Silicone phone case\", \"hs_code\": \"392690\", \"quantity\": \"2\"}\n"
	"  ],\n"
	"  \"transaction\": {\"shipping_cost\": \"6.9\", \"invoice_total\": \"42\","
	" \"currency\": \"EUR\", \"order_date\": \"2026-04-13\", \"order_id\": \"ORD-2026-000123\"},\n"
	"  \"buyer\": {\"address\": {\"country\": \"FR\", \"postcode\": \"69002\", \"city\": \"Lyon\","
	" \"street\": \"12 Rue de la Paix\"}, \"name\": \"Camille Martin\"},\n"
	"  \"seller\": {\"address\": {\"country\": \"CN\", \"postcode\": \"518057\","
	" \"city\": \"Shenzhen\", \"street\": \"88 Keyuan Road\"},"
	" \"name\": \"Shenzhen Example Trading Co\"},\n"
	"  \"transport\": {\"expected_arrival\": \"2026-04-20T10:30:00+02:00\","
	" \"office_of_arrival\": \"FR000690\", \"departure_country\": \"CN\","
	" \"carrier\": {\"country\": \"CN\", \"identifier_type\": \"postal_operator\","
	" \"identifier\": \"CNPOST\", \"name\": \"China Post\"},"
	" \"tracking_number\": \"LX123456785CN\", \"mode\": \"postal\"},\n"
	"  \"channel\": \"post\", \"business_model\": \"direct\", \"category\": \"low_value_dutiable\",\n"
	"  \"declaration_type\": \"import\", \"lrn\": \"LRN-2026-000123\"\n}\n";

static mlv_filing *prepared(const char *text)
{
	mlv_filing *f = mlv_filing_new();
	assert_non_null(f);
	f->filer_id = 1;
	f->received_ms = RECEIVED_MS;
	mlv_validate_opts o = MLV_VALIDATE_OPTS_INIT;
	assert_int_equal(mlv_filing_prepare(f, text, strlen(text), rd, &o), 0);
	return f;
}

/* Replaces the first occurrence of `from` in base by `to`; free() it. */
static char *replace(const char *base, const char *from, const char *to)
{
	const char *at = strstr(base, from);
	assert_non_null(at);
	size_t n = strlen(base) - strlen(from) + strlen(to) + 1;
	char *out = malloc(n);
	assert_non_null(out);
	snprintf(out, n, "%.*s%s%s", (int)(at - base), base, to, at + strlen(from));
	return out;
}

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

static void test_prepare_valid(void **state)
{
	(void)state;
	mlv_filing *f = prepared(base_json);
	assert_int_equal(f->prepare_rc, 0);
	assert_true(f->ok);
	assert_int_equal(f->problems.errors, 0);
	assert_false(all_zero(f->digest, sizeof(f->digest)));
	assert_string_equal(f->c.lrn, "LRN-2026-000123");
	assert_int_equal(f->quality.timeliness, 100);
	assert_int_equal(f->quality.lead_hours, 48);
	/* the evidence is the text as received */
	assert_non_null(f->body);
	assert_true(f->body_len > 0);
	mlv_buf out = MLV_BUF_INIT(1 << 20);
	assert_int_equal(mlv_decompress(f->dict, f->body, f->body_len, 1 << 20, &out), 0);
	assert_int_equal(out.len, strlen(base_json));
	assert_memory_equal(out.data, base_json, out.len);
	/* a bound below the size refuses */
	assert_int_equal(mlv_decompress(f->dict, f->body, f->body_len, strlen(base_json) - 1, &out),
			 MLV_EIO);
	mlv_buf_free(&out);

	/* the quality object */
	assert_non_null(f->quality_json);
	cJSON *q = cJSON_Parse(f->quality_json);
	assert_non_null(q);
	const cJSON *score = cJSON_GetObjectItemCaseSensitive(q, "score");
	assert_true(cJSON_IsNumber(score));
	assert_int_equal(score->valueint, f->quality.score);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(q, "completeness")->valueint,
			 f->quality.completeness);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(q, "consistency")->valueint,
			 f->quality.consistency);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(q, "timeliness")->valueint, 100);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(q, "lead_time_hours")->valueint, 48);
	const cJSON *weak = cJSON_GetObjectItemCaseSensitive(q, "weak_elements");
	assert_true(cJSON_IsArray(weak));
	assert_int_equal(cJSON_GetArraySize(weak), (int)f->quality.weak_count);
	assert_string_equal(cJSON_GetArrayItem(weak, 0)->valuestring, f->quality.weak[0]);
	const cJSON *warn = cJSON_GetObjectItemCaseSensitive(q, "warnings");
	assert_true(cJSON_IsArray(warn));
	assert_int_equal(cJSON_GetArraySize(warn), 0);
	cJSON_Delete(q);
	mlv_filing_free(f);
}

static void test_prepare_warnings_in_quality(void **state)
{
	(void)state;
	/* filed after arrival: stored, with the warning in the quality object */
	mlv_filing *f = mlv_filing_new();
	assert_non_null(f);
	f->received_ms = (1776673800LL + 7200) * 1000;
	mlv_validate_opts o = MLV_VALIDATE_OPTS_INIT;
	assert_int_equal(mlv_filing_prepare(f, base_json, strlen(base_json), rd, &o), 0);
	assert_true(f->ok);
	cJSON *q = cJSON_Parse(f->quality_json);
	assert_non_null(q);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(q, "timeliness")->valueint, 0);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(q, "lead_time_hours")->valueint, -2);
	const cJSON *warn = cJSON_GetObjectItemCaseSensitive(q, "warnings");
	assert_int_equal(cJSON_GetArraySize(warn), 1);
	const cJSON *w = cJSON_GetArrayItem(warn, 0);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(w, "code")->valuestring,
			    "late_filing");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(w, "pointer")->valuestring,
			    "/transport/expected_arrival");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(w, "severity")->valuestring,
			    "warning");
	assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(w, "message")));
	cJSON_Delete(q);
	mlv_filing_free(f);
}

static void test_prepare_rejects(void **state)
{
	(void)state;
	/* not JSON: prepare itself succeeds, the filing is not ok */
	mlv_filing *f = prepared("{\"lrn\":");
	assert_int_equal(f->prepare_rc, MLV_EINVALID);
	assert_false(f->ok);
	assert_null(f->body);
	assert_null(f->quality_json);
	assert_true(all_zero(f->digest, sizeof(f->digest)));
	assert_int_equal(f->problems.errors, 1);
	assert_string_equal(f->problems.items[0].code, "syntax");
	mlv_filing_free(f);

	/* a decode error */
	char *t = replace(base_json, "\"851762\"", "\"999999\"");
	f = prepared(t);
	assert_int_equal(f->prepare_rc, 0);
	assert_false(f->ok);
	assert_null(f->body);
	assert_string_equal(f->problems.items[0].code, "hs_unknown");
	mlv_filing_free(f);
	free(t);

	/* a validation error */
	t = replace(base_json, "\"42.00\"", "\"43.00\"");
	f = prepared(t);
	assert_int_equal(f->prepare_rc, 0);
	assert_false(f->ok);
	assert_null(f->body);
	assert_int_equal(f->problems.errors, 1);
	assert_string_equal(f->problems.items[0].code, "arithmetic");
	mlv_filing_free(f);
	free(t);
}

static void test_digest_canonical(void **state)
{
	(void)state;
	mlv_filing *a = prepared(base_json);
	mlv_filing *b = prepared(reordered_json);
	assert_true(a->ok);
	assert_true(b->ok);
	assert_memory_equal(a->digest, b->digest, sizeof(a->digest));
	/* while each keeps its own text as evidence */
	mlv_buf out = MLV_BUF_INIT(1 << 20);
	assert_int_equal(mlv_decompress(b->dict, b->body, b->body_len, 1 << 20, &out), 0);
	assert_string_equal(out.data, reordered_json);
	mlv_buf_free(&out);

	/* one cent more on one line and on the total: another digest */
	char *t1 = replace(base_json, "\"12.00\"", "\"12.01\"");
	char *t2 = replace(t1, "\"42.00\"", "\"42.01\"");
	mlv_filing *c = prepared(t2);
	assert_true(c->ok);
	assert_memory_not_equal(a->digest, c->digest, sizeof(a->digest));
	/* a different string too */
	char *t3 = replace(base_json, "Lyon", "Lyons");
	mlv_filing *d = prepared(t3);
	assert_true(d->ok);
	assert_memory_not_equal(a->digest, d->digest, sizeof(a->digest));
	mlv_filing_free(d);
	mlv_filing_free(c);
	free(t3);
	free(t2);
	free(t1);
	mlv_filing_free(b);
	mlv_filing_free(a);
}

static void test_reset_reuse(void **state)
{
	(void)state;
	mlv_filing *f = prepared("[1]");
	assert_false(f->ok);
	mlv_filing_reset(f);
	assert_int_equal(f->problems.count, 0);
	assert_null(f->body);
	assert_null(f->c.lrn);
	f->received_ms = RECEIVED_MS;
	mlv_validate_opts o = MLV_VALIDATE_OPTS_INIT;
	assert_int_equal(mlv_filing_prepare(f, base_json, strlen(base_json), rd, &o), 0);
	assert_true(f->ok);
	mlv_filing *g = prepared(base_json);
	assert_memory_equal(f->digest, g->digest, sizeof(f->digest));
	mlv_filing_free(g);
	mlv_filing_free(f);
	mlv_filing_free(NULL);
}

static void test_compress_round_trip(void **state)
{
	(void)state;
	static const size_t sizes[] = {0, 1, 100, 4096, 300000};
	for (size_t k = 0; k < MLV_ARRAY_LEN(sizes); k++) {
		size_t n = sizes[k];
		unsigned char *src = malloc(n + 1);
		assert_non_null(src);
		uint32_t x = 2463534242u;
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			src[i] = (unsigned char)(i % 3 ? x : 'a');
		}
		void *z = NULL;
		size_t zn = 0;
		assert_int_equal(mlv_compress(NULL, src, n, &z, &zn), 0);
		mlv_buf out = MLV_BUF_INIT(1 << 20);
		assert_int_equal(mlv_decompress(NULL, z, zn, 1 << 20, &out), 0);
		assert_int_equal(out.len, n);
		if (n > 0)
			assert_memory_equal(out.data, src, n);
		assert_int_equal(out.data[n], '\0');
		mlv_buf_free(&out);
		free(z);
		free(src);
	}
	/* garbage is not a frame */
	mlv_buf out = MLV_BUF_INIT(1 << 20);
	assert_int_equal(mlv_decompress(NULL, "not zstd at all", 15, 1 << 20, &out), MLV_EIO);
	mlv_buf_free(&out);
}

/* ---- result lines ------------------------------------------------------------- */

static cJSON *result_line(size_t line, const mlv_filing *f, int rc)
{
	mlv_buf b = MLV_BUF_INIT(1 << 20);
	assert_int_equal(mlv_filing_result_json(&b, line, f, rc), 0);
	/* exactly one line, ending with its newline */
	assert_true(b.len > 2);
	assert_int_equal(b.data[b.len - 1], '\n');
	assert_null(memchr(b.data, '\n', b.len - 1));
	cJSON *j = cJSON_Parse(b.data);
	if (j == NULL)
		fail_msg("not JSON: %s", b.data);
	mlv_buf_free(&b);
	return j;
}

static const char *str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	assert_true(cJSON_IsString(v));
	return v->valuestring;
}

static double num(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	assert_true(cJSON_IsNumber(v));
	return v->valuedouble;
}

static void test_result_stored(void **state)
{
	(void)state;
	mlv_filing *f = prepared(base_json);
	static const mlv_outcome outcomes[] = {MLV_OUTCOME_CREATED, MLV_OUTCOME_UNCHANGED,
		MLV_OUTCOME_AMENDED};
	static const char *const names[] = {"created", "unchanged", "amended"};
	for (size_t i = 0; i < MLV_ARRAY_LEN(outcomes); i++) {
		f->outcome = outcomes[i];
		f->id = 9000000001LL + (int64_t)i;
		f->version = (int)i + 1;
		cJSON *j = result_line(17 + i, f, 0);
		assert_int_equal((int64_t)num(j, "line"), 17 + (int64_t)i);
		assert_string_equal(str(j, "lrn"), "LRN-2026-000123");
		assert_string_equal(str(j, "outcome"), names[i]);
		assert_int_equal((int64_t)num(j, "id"), 9000000001LL + (int64_t)i);
		assert_int_equal((int)num(j, "version"), (int)i + 1);
		assert_int_equal((int)num(j, "quality_score"), f->quality.score);
		assert_null(cJSON_GetObjectItemCaseSensitive(j, "errors"));
		cJSON_Delete(j);
	}
	mlv_filing_free(f);
}

static void test_result_rejected(void **state)
{
	(void)state;
	char *t = replace(base_json, "\"CN\"}", "\"XX\"}");
	char *t2 = replace(t, "\"42.00\"", "\"42.001\"");
	mlv_filing *f = prepared(t2);
	assert_false(f->ok);
	cJSON *j = result_line(3, f, 0);
	assert_int_equal((int)num(j, "line"), 3);
	assert_string_equal(str(j, "lrn"), "LRN-2026-000123");
	assert_string_equal(str(j, "outcome"), "rejected");
	assert_null(cJSON_GetObjectItemCaseSensitive(j, "id"));
	const cJSON *errors = cJSON_GetObjectItemCaseSensitive(j, "errors");
	assert_true(cJSON_IsArray(errors));
	assert_int_equal(cJSON_GetArraySize(errors), 2);
	bool country = false, precision = false;
	const cJSON *e;
	cJSON_ArrayForEach(e, errors) {
		assert_string_equal(str(e, "severity"), "error");
		assert_true(strlen(str(e, "message")) > 0);
		country |= strcmp(str(e, "code"), "country_unknown") == 0 &&
			   strcmp(str(e, "pointer"), "/transport/carrier/country") == 0;
		precision |= strcmp(str(e, "code"), "precision") == 0 &&
			     strcmp(str(e, "pointer"), "/transaction/invoice_total") == 0;
	}
	assert_true(country);
	assert_true(precision);
	cJSON_Delete(j);
	mlv_filing_free(f);

	/* not JSON at all: no LRN to echo */
	f = prepared("\xff\xfe garbage");
	j = result_line(4, f, 0);
	assert_null(cJSON_GetObjectItemCaseSensitive(j, "lrn"));
	assert_string_equal(str(j, "outcome"), "rejected");
	errors = cJSON_GetObjectItemCaseSensitive(j, "errors");
	assert_int_equal(cJSON_GetArraySize(errors), 1);
	assert_string_equal(str(cJSON_GetArrayItem(errors, 0), "code"), "syntax");
	assert_string_equal(str(cJSON_GetArrayItem(errors, 0), "pointer"), "");
	cJSON_Delete(j);
	mlv_filing_free(f);
	free(t2);
	free(t);
}

static void test_result_store_failure(void **state)
{
	(void)state;
	mlv_filing *f = prepared(base_json);
	assert_true(f->ok);
	cJSON *j = result_line(5, f, MLV_EIO);
	assert_string_equal(str(j, "outcome"), "error");
	assert_string_equal(str(j, "lrn"), "LRN-2026-000123");
	assert_non_null(strstr(str(j, "detail"), "store failure"));
	assert_null(cJSON_GetObjectItemCaseSensitive(j, "id"));
	cJSON_Delete(j);
	j = result_line(6, f, MLV_EBUSY);
	assert_string_equal(str(j, "outcome"), "error");
	assert_non_null(strstr(str(j, "detail"), "busy"));
	cJSON_Delete(j);
	/* a rejected filing stays rejected whatever the batch's fate */
	mlv_filing *g = prepared("{}");
	j = result_line(7, g, MLV_EIO);
	assert_string_equal(str(j, "outcome"), "rejected");
	cJSON_Delete(j);
	mlv_filing_free(g);
	mlv_filing_free(f);
}

static void test_outcome_names(void **state)
{
	(void)state;
	assert_string_equal(mlv_outcome_name(MLV_OUTCOME_CREATED), "created");
	assert_string_equal(mlv_outcome_name(MLV_OUTCOME_UNCHANGED), "unchanged");
	assert_string_equal(mlv_outcome_name(MLV_OUTCOME_AMENDED), "amended");
	assert_string_equal(mlv_outcome_name(MLV_OUTCOME_NONE), "rejected");
	/* problems as JSON: escapes in messages survive */
	mlv_problems p;
	mlv_problems_init(&p);
	mlv_problems_add(&p, MLV_SEV_WARNING, "/a~1b", "x", "say \"%s\"\n", "hi");
	mlv_buf b = MLV_BUF_INIT(4096);
	assert_int_equal(mlv_problems_to_json(&p, &b), 0);
	cJSON *j = cJSON_Parse(b.data);
	assert_non_null(j);
	const cJSON *e = cJSON_GetArrayItem(j, 0);
	assert_string_equal(str(e, "message"), "say \"hi\"\n");
	assert_string_equal(str(e, "pointer"), "/a~1b");
	assert_string_equal(str(e, "severity"), "warning");
	cJSON_Delete(j);
	mlv_buf_free(&b);
	mlv_problems_clear(&p);
}

/* A body compressed with a dictionary needs that dictionary back. */
static void test_dictionary_needed(void **state)
{
	(void)state;
	const mlv_zdict *d = mlv_refdata_zdict(rd);
	assert_non_null(d);
	const char *text = "{\"lrn\":\"LRN-1\",\"category\":\"low_value_dutiable\"}";
	void *z = NULL;
	size_t zn = 0;
	assert_int_equal(mlv_compress(d, text, strlen(text), &z, &zn), 0);
	assert_int_equal(mlv_compressed_dict_id(z, zn), mlv_zdict_id(d));
	mlv_buf out = MLV_BUF_INIT(1 << 20);
	assert_int_equal(mlv_decompress(NULL, z, zn, 1 << 20, &out), MLV_ENOTFOUND);
	assert_int_equal(mlv_decompress(d, z, zn, 1 << 20, &out), 0);
	assert_string_equal(out.data, text);
	mlv_buf_free(&out);
	free(z);
	mlv_zdict *bad = NULL;
	assert_int_equal(mlv_zdict_new(&bad, "not a dictionary", 16), MLV_EINVALID);
	assert_null(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dictionary_needed),
		cmocka_unit_test(test_prepare_valid),
		cmocka_unit_test(test_prepare_warnings_in_quality),
		cmocka_unit_test(test_prepare_rejects),
		cmocka_unit_test(test_digest_canonical),
		cmocka_unit_test(test_reset_reuse),
		cmocka_unit_test(test_compress_round_trip),
		cmocka_unit_test(test_result_stored),
		cmocka_unit_test(test_result_rejected),
		cmocka_unit_test(test_result_store_failure),
		cmocka_unit_test(test_outcome_names),
	};
	return cmocka_run_group_tests(tests, refdata_group_setup, refdata_group_teardown);
}
