/* test_codec.c - the strict decoder and canonical encoder (codec.h) against
 * the real reference data: a complete low_value_dutiable consignment
 * decodes cleanly; each strictness rule answers its code at its exact JSON
 * Pointer; the canonical encoding ignores member order and whitespace and
 * is a fixed point of decode/encode; RFC 3339 date-times.
 *
 * Variants of the base filing are made with cJSON (mutate()), so each test
 * changes exactly the member it is about.  MLV_DATADIR names data/. */
#include "mlv/codec.h"

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

/* ---- building variants (mutate() is in testutil.c) ---------------------- */

/* Reverses the member order of every object, recursively. */
static void reverse_members(cJSON *node)
{
	for (cJSON *c = node->child; c != NULL; c = c->next)
		reverse_members(c);
	if (!cJSON_IsObject(node))
		return;
	int n = cJSON_GetArraySize(node);
	cJSON **members = calloc((size_t)n + 1, sizeof(*members));
	assert_non_null(members);
	for (int i = 0; i < n; i++)
		members[i] = cJSON_DetachItemViaPointer(node, node->child);
	for (int i = n - 1; i >= 0; i--)
		assert_true(cJSON_AddItemToArray(node, members[i])); /* keeps ->string */
	free(members);
}

/* ---- decoding ------------------------------------------------------------- */

typedef struct decoded {
	mlv_arena *arena;
	mlv_consignment c;
	mlv_problems p;
	int rc;
} decoded;

static void decode_n(decoded *d, const char *text, size_t len)
{
	d->arena = mlv_arena_new(16384);
	assert_non_null(d->arena);
	mlv_problems_init(&d->p);
	d->rc = mlv_consignment_decode(&d->c, text, len, d->arena, rd, &d->p);
}

static void decode(decoded *d, const char *text)
{
	decode_n(d, text, strlen(text));
}

static void decoded_free(decoded *d)
{
	mlv_problems_clear(&d->p);
	mlv_arena_free(d->arena);
}

static void expect_clean(const char *text)
{
	decoded d;
	decode(&d, text);
	if (d.rc != 0 || d.p.count != 0) {
		dump_problems(&d.p);
		fail_msg("expected a clean decode, rc %d, %zu problems", d.rc, d.p.count);
	}
	decoded_free(&d);
}

/* Decodes text and checks it raised exactly one problem: an error with
 * this code at this pointer. */
static void expect_only(const char *text, const char *pointer, const char *code)
{
	decoded d;
	decode(&d, text);
	if (d.rc != 0 || d.p.errors != 1 || d.p.count != 1 ||
	    find_problem(&d.p, pointer, code) == NULL || d.p.items[0].severity != MLV_SEV_ERROR) {
		dump_problems(&d.p);
		fail_msg("expected only %s at '%s' (rc %d, %zu problems)", code, pointer, d.rc,
			 d.p.count);
	}
	assert_true(d.p.items[0].message[0] != '\0');
	decoded_free(&d);
}

/* Mutates the base with one (pointer, value) and expects one problem. */
static void expect_one(const char *pointer, const char *value, const char *where,
		       const char *code)
{
	char *t = mutate(base_json, pointer, value, NULL);
	expect_only(t, where, code);
	cJSON_free(t);
}

/* Whole-document failures: MLV_EINVALID with one problem at "". */
static void expect_invalid(const char *text, size_t len, const char *code)
{
	decoded d;
	decode_n(&d, text, len);
	if (d.rc != MLV_EINVALID || d.p.count != 1 || d.p.errors != 1 ||
	    find_problem(&d.p, "", code) == NULL) {
		dump_problems(&d.p);
		fail_msg("expected MLV_EINVALID with %s, rc %d", code, d.rc);
	}
	decoded_free(&d);
}

static void test_valid_consignment(void **state)
{
	(void)state;
	decoded d;
	decode(&d, base_json);
	if (d.rc != 0 || d.p.count != 0)
		dump_problems(&d.p);
	assert_int_equal(d.rc, 0);
	assert_int_equal(d.p.count, 0);
	assert_int_equal(d.p.errors, 0);
	assert_int_equal(d.p.warnings, 0);
	const mlv_consignment *c = &d.c;
	assert_true(c->present);
	assert_string_equal(c->lrn, "LRN-2026-000123");
	assert_int_equal(c->declaration_type, MLV_DECL_IMPORT);
	assert_int_equal(c->category, MLV_CAT_LOW_VALUE_DUTIABLE);
	assert_int_equal(c->business_model, MLV_BM_DIRECT);
	assert_int_equal(c->channel, MLV_CH_POST);
	assert_null(c->original_lrn);
	assert_true(c->transport.present);
	assert_string_equal(c->transport.tracking_number, "LX123456785CN");
	assert_string_equal(c->transport.departure_country, "CN");
	assert_true(c->transport.carrier.present);
	assert_string_equal(c->transport.carrier.name, "China Post");
	assert_null(c->transport.house_document);
	assert_true(c->transport.expected_arrival.set);
	assert_int_equal(c->transport.expected_arrival.v, 1776673800); /* 2026-04-20T08:30Z */
	assert_string_equal(c->buyer.address.city, "Lyon");
	assert_string_equal(c->buyer.address.country, "FR");
	assert_null(c->buyer.email);
	assert_string_equal(c->transaction.currency, "EUR");
	assert_true(c->transaction.invoice_total.set);
	assert_int_equal(c->transaction.invoice_total.v, 4200);
	assert_int_equal(c->transaction.shipping_cost.v, 690);
	assert_false(c->transaction.insurance_cost.set);
	assert_true(c->transaction.order_date.set);
	int32_t day;
	assert_true(mlv_date_parse("2026-04-13", 10, &day));
	assert_int_equal(c->transaction.order_date.v, day);
	assert_false(c->transaction.payment.present);
	assert_false(c->platform.present);
	assert_false(c->tax_collected.present);
	assert_int_equal(c->item_count, 2);
	assert_string_equal(c->items[0].hs_code, "851762");
	assert_int_equal(c->items[0].quantity.v, 1000);
	assert_int_equal(c->items[0].value.v, 3000);
	assert_int_equal(c->items[1].quantity.v, 2000);
	assert_int_equal(c->items[1].value.v, 1200);
	assert_int_equal(c->items[1].unit, 0);
	assert_null(c->items[1].gtin);
	assert_int_equal(c->document_count, 0);
	assert_null(c->documents);
	assert_false(c->gross_weight.set);
	decoded_free(&d);
}

static void test_unknown_and_read_only(void **state)
{
	(void)state;
	expect_one("/items/0/colour", "\"blue\"", "/items/0/colour", "unknown_field");
	expect_one("/transport/carrier/fleet", "\"A\"", "/transport/carrier/fleet",
		   "unknown_field");
	expect_one("/status", "\"released\"", "/status", "read_only");
	expect_one("/duty", "\"0.00\"", "/duty", "read_only");
	expect_one("/id", "42", "/id", "read_only");
	/* a member name that needs escaping in a pointer (RFC 6901) */
	expect_one("/a~b", "1", "/a~0b", "unknown_field");
}

static void test_duplicate_key(void **state)
{
	(void)state;
	/* "lrn" twice at the root: the second occurrence is the duplicate */
	size_t size = strlen(base_json) + 1 + 32; /* the base with room for a member more */
	char *t = malloc(size);
	assert_non_null(t);
	snprintf(t, size, "{\"lrn\":\"LRN-OTHER\",%s", base_json + 1);
	expect_only(t, "/lrn", "duplicate_key");
	/* and inside a nested object */
	const char *mode = strstr(base_json, "\"mode\":\"postal\"");
	assert_non_null(mode);
	size_t head = (size_t)(mode - base_json);
	snprintf(t, size, "%.*s\"mode\":\"air\",%s", (int)head, base_json,
		 mode);
	expect_only(t, "/transport/mode", "duplicate_key");
	free(t);
}

static void test_amounts(void **state)
{
	(void)state;
	expect_one("/transaction/invoice_total", "42.00", "/transaction/invoice_total", "type");
	expect_one("/items/1/value", "12", "/items/1/value", "type");
	expect_one("/transaction/invoice_total", "\"12.345\"", "/transaction/invoice_total",
		   "precision");
	expect_one("/transaction/invoice_total", "\"-1.00\"", "/transaction/invoice_total",
		   "range");
	expect_one("/transaction/invoice_total", "\"1e3\"", "/transaction/invoice_total",
		   "format");
	expect_one("/items/0/quantity", "\"0\"", "/items/0/quantity", "range");
	expect_one("/items/0/quantity", "\"1.0001\"", "/items/0/quantity", "precision");
	/* trailing zeros past the minor units are fine */
	char *t = mutate(base_json, "/transaction/invoice_total", "\"42.000\"", NULL);
	expect_clean(t);
	cJSON_free(t);

	/* JPY has no minor unit */
	char *jpy = mutate(base_json, "/transaction/currency", "\"JPY\"",
			   "/transaction/invoice_total", "\"100\"",
			   "/transaction/shipping_cost", "\"690\"", NULL);
	decoded d;
	decode(&d, jpy);
	assert_int_equal(d.rc, 0);
	assert_int_equal(d.p.count, 0);
	assert_int_equal(d.c.transaction.invoice_total.v, 100);
	decoded_free(&d);
	t = mutate(jpy, "/transaction/invoice_total", "\"100.5\"", NULL);
	expect_only(t, "/transaction/invoice_total", "precision");
	cJSON_free(t);
	t = mutate(jpy, "/transaction/invoice_total", "\"100.0\"", NULL);
	expect_clean(t);
	cJSON_free(t);
	/* and the EUR shipping cost of the base is now too precise */
	t = mutate(jpy, "/transaction/shipping_cost", "\"6.90\"", NULL);
	expect_only(t, "/transaction/shipping_cost", "precision");
	cJSON_free(t);
	cJSON_free(jpy);
}

static void test_codes(void **state)
{
	(void)state;
	expect_one("/items/0/hs_code", "\"999999\"", "/items/0/hs_code", "hs_unknown");
	expect_one("/items/0/hs_code", "\"8517.62\"", "/items/0/hs_code", "format");
	expect_one("/items/0/hs_code", "\"85176\"", "/items/0/hs_code", "format");
	expect_one("/items/0/hs_code", "851762", "/items/0/hs_code", "type");
	/* 6 to 10 digits, the first six a subheading */
	char *t = mutate(base_json, "/items/0/hs_code", "\"8517620090\"", NULL);
	expect_clean(t);
	cJSON_free(t);
	expect_one("/items/0/hs_code", "\"85176200901\"", "/items/0/hs_code", "format");

	expect_one("/transport/departure_country", "\"XX\"", "/transport/departure_country",
		   "country_unknown");
	expect_one("/transport/departure_country", "\"cn\"", "/transport/departure_country",
		   "format");
	expect_one("/buyer/address/country", "\"XX\"", "/buyer/address/country",
		   "country_unknown");
	/* BGN: Bulgaria adopted the euro on 2026-01-01 */
	expect_one("/transaction/currency", "\"BGN\"", "/transaction/currency",
		   "currency_unknown");
	expect_one("/items/1/currency", "\"BGN\"", "/items/1/currency", "currency_unknown");
	expect_one("/items/1/currency", "\"eur\"", "/items/1/currency", "format");
	expect_one("/channel", "\"pigeon\"", "/channel", "enum");
	expect_one("/transaction/order_date", "\"2026-02-30\"", "/transaction/order_date",
		   "format");
	expect_one("/transaction/order_date", "\"1999-12-31\"", "/transaction/order_date",
		   "range");
	expect_one("/transport/expected_arrival", "\"2026-04-20T08:30:00\"",
		   "/transport/expected_arrival", "format");
	expect_one("/lrn", "\"LRN 2026\"", "/lrn", "format");
	expect_one("/lrn", "\"\"", "/lrn", "empty");
	expect_one("/items/0/description", "\"ab\"", "/items/0/description", "too_short");
	expect_one("/lrn", "\"LRN-0123456789-0123456789-0123456789\"", "/lrn", "too_long");
	expect_one("/items/0/description", "\"two\\nlines\"", "/items/0/description", "format");
	expect_one("/transport", "\"by air\"", "/transport", "type");
	expect_one("/items", "{}", "/items", "type");
	expect_one("/items", "[]", "/items", "too_few");
	expect_one("/items/1", "\"x\"", "/items/1", "type");
}

static void test_required(void **state)
{
	(void)state;
	expect_one("/transport/tracking_number", DEL, "/transport/tracking_number", "required");
	expect_one("/transport/tracking_number", "null", "/transport/tracking_number",
		   "required");
	expect_one("/transaction/shipping_cost", DEL, "/transaction/shipping_cost", "required");
	expect_one("/items/1/hs_code", DEL, "/items/1/hs_code", "required");
	expect_one("/buyer/address/postcode", DEL, "/buyer/address/postcode", "required");
	expect_one("/seller", DEL, "/seller", "required");
}

/* high_value requires what low_value_dutiable does not: identifiers of
 * both parties, the incoterm, net weights, the consignment's gross weight
 * and the house transport document. */
static void test_required_per_category(void **state)
{
	(void)state;
	char *hv_extras = mutate(base_json, "/seller/identifier", "\"CN91440300MA5\"",
				 "/buyer/identifier", "\"FR12345678901\"",
				 "/transaction/incoterm", "\"DAP\"",
				 "/items/0/net_weight", "\"0.120\"",
				 "/items/1/net_weight", "\"0.050\"",
				 "/gross_weight", "\"0.350\"", NULL);
	/* low value: the house document is optional */
	expect_clean(hv_extras);
	char *hv = mutate(hv_extras, "/category", "\"high_value\"", NULL);
	expect_only(hv, "/transport/house_document", "required");
	const mlv_problem *pr;
	decoded d;
	decode(&d, hv);
	pr = find_problem(&d.p, "/transport/house_document", "required");
	assert_non_null(pr);
	assert_non_null(strstr(pr->message, "high_value"));
	decoded_free(&d);
	char *hv_full = mutate(hv, "/transport/house_document", "\"HAWB0001234\"", NULL);
	expect_clean(hv_full);
	char *lv_full = mutate(hv_full, "/category", "\"low_value_dutiable\"", NULL);
	expect_clean(lv_full);
	/* without the extras, high_value misses each of them */
	char *hv_bare = mutate(base_json, "/category", "\"high_value\"", NULL);
	decode(&d, hv_bare);
	assert_int_equal(d.rc, 0);
	static const char *const missing[] = {"/transport/house_document", "/seller/identifier",
		"/buyer/identifier", "/transaction/incoterm", "/items/0/net_weight",
		"/items/1/net_weight", "/gross_weight"};
	for (size_t i = 0; i < MLV_ARRAY_LEN(missing); i++)
		if (find_problem(&d.p, missing[i], "required") == NULL)
			fail_msg("high_value without %s passed", missing[i]);
	assert_int_equal(d.p.errors, MLV_ARRAY_LEN(missing));
	decoded_free(&d);
	/* documents need no transaction at all */
	char *docs = mutate(base_json, "/category", "\"documents\"", "/transaction", DEL,
			    "/items", DEL, "/seller", DEL, "/business_model", DEL, NULL);
	expect_clean(docs);
	cJSON_free(docs);
	cJSON_free(hv_bare);
	cJSON_free(lv_full);
	cJSON_free(hv_full);
	cJSON_free(hv);
	cJSON_free(hv_extras);
}

static void test_formats(void **state)
{
	(void)state;
	/* GTIN-13 4006381333931 has check digit 1 */
	char *t = mutate(base_json, "/items/0/gtin", "\"4006381333931\"", NULL);
	expect_clean(t);
	cJSON_free(t);
	t = mutate(base_json, "/items/0/gtin", "\"96385074\"", NULL); /* GTIN-8 */
	expect_clean(t);
	cJSON_free(t);
	expect_one("/items/0/gtin", "\"4006381333932\"", "/items/0/gtin", "format");
	expect_one("/items/0/gtin", "\"4006381333930\"", "/items/0/gtin", "format");
	expect_one("/items/0/gtin", "\"40063813339\"", "/items/0/gtin", "format");
	expect_one("/items/0/gtin", "\"400638133393A\"", "/items/0/gtin", "format");

	t = mutate(base_json, "/buyer/phone", "\"+33612345678\"", "/buyer/email",
		   "\"camille@example.org\"", NULL);
	expect_clean(t);
	cJSON_free(t);
	expect_one("/buyer/phone", "\"33612345678\"", "/buyer/phone", "format");
	expect_one("/buyer/phone", "\"+33 612345678\"", "/buyer/phone", "format");
	expect_one("/buyer/phone", "\"+0612345678\"", "/buyer/phone", "format");
	expect_one("/buyer/email", "\"camille.example.org\"", "/buyer/email", "format");
	expect_one("/buyer/email", "\"camille@localhost\"", "/buyer/email", "format");
	expect_one("/buyer/email", "\"a@b@example.org\"", "/buyer/email", "format");
}

static void test_document_bounds(void **state)
{
	(void)state;
	/* depth 8 is allowed (the unknown member is the only problem) */
	const char *d8 = "{\"x\":{\"x\":{\"x\":{\"x\":{\"x\":{\"x\":{\"x\":{}}}}}}}}";
	decoded d;
	decode(&d, d8);
	assert_int_equal(mlv_json_depth(d8, strlen(d8), MLV_MAX_DEPTH), 8);
	assert_int_equal(d.rc, 0);
	assert_non_null(find_problem(&d.p, "/x", "unknown_field"));
	decoded_free(&d);
	const char *d9 = "{\"x\":{\"x\":{\"x\":{\"x\":{\"x\":{\"x\":{\"x\":{\"x\":{}}}}}}}}}";
	assert_int_equal(mlv_json_depth(d9, strlen(d9), MLV_MAX_DEPTH), MLV_MAX_DEPTH + 1);
	expect_invalid(d9, strlen(d9), "too_deep");
	const char *a9 = "[[[[[[[[[1]]]]]]]]]";
	expect_invalid(a9, strlen(a9), "too_deep");
	/* brackets inside strings do not count */
	char *t = mutate(base_json, "/items/0/description", "\"[[[[[[[[[[{{{{{{{{{{ \\\" [[\"",
			 NULL);
	expect_clean(t);
	cJSON_free(t);

	expect_invalid("lrn: LRN-1", 10, "syntax");
	expect_invalid("", 0, "syntax");
	expect_invalid("{\"lrn\":\"A\"", 10, "syntax");
	/* trailing garbage, but trailing whitespace is fine */
	size_t n = strlen(base_json);
	char *g = malloc(n + 8);
	assert_non_null(g);
	memcpy(g, base_json, n);
	memcpy(g + n, " \n x", 5);
	expect_invalid(g, n + 4, "syntax");
	memcpy(g + n, "{}", 3);
	expect_invalid(g, n + 2, "syntax");
	memcpy(g + n, " \r\n\t", 5);
	decode_n(&d, g, n + 4);
	assert_int_equal(d.rc, 0);
	assert_int_equal(d.p.count, 0);
	decoded_free(&d);
	free(g);

	expect_invalid("[{}]", 4, "type");
	expect_invalid("\"LRN\"", 5, "type");
	expect_invalid("42", 2, "type");
	expect_invalid("null", 4, "type");
}

static void test_too_many_items(void **state)
{
	(void)state;
	cJSON *root = cJSON_Parse(base_json);
	assert_non_null(root);
	cJSON *items = cJSON_GetObjectItemCaseSensitive(root, "items");
	cJSON *first = cJSON_GetArrayItem(items, 0);
	while (cJSON_GetArraySize(items) < MLV_MAX_ITEMS)
		cJSON_AddItemToArray(items, cJSON_Duplicate(first, true));
	char *t999 = cJSON_PrintUnformatted(root);
	cJSON_AddItemToArray(items, cJSON_Duplicate(first, true));
	char *t1000 = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	assert_non_null(t999);
	assert_non_null(t1000);

	decoded d;
	decode(&d, t999);
	assert_int_equal(d.rc, 0);
	assert_int_equal(d.p.count, 0);
	assert_int_equal(d.c.item_count, MLV_MAX_ITEMS);
	decoded_free(&d);
	expect_only(t1000, "/items", "too_many");
	cJSON_free(t999);
	cJSON_free(t1000);
}

static void test_encoding_checks(void **state)
{
	(void)state;
	expect_one("/items/0/description", "\"Earphones \xC3\x28 case\"", "/items/0/description",
		   "encoding");
	expect_one("/buyer/name", "\"Camille \xED\xA0\x80 Martin\"", "/buyer/name", "encoding");
	expect_one("/buyer/name", "\"Camille \xC0\xAF Martin\"", "/buyer/name", "encoding");
	/* real UTF-8 is welcome */
	char *t = mutate(base_json, "/items/0/description",
			 "\"\xC3\x89" "couteurs sans fil \xE2\x82\xAC \xF0\x9F\x8E\xA7\"", NULL);
	expect_clean(t);
	cJSON_free(t);

	assert_true(mlv_utf8_valid("", 0));
	assert_true(mlv_utf8_valid("plain", 5));
	assert_true(mlv_utf8_valid("\xC3\xA9", 2));
	assert_true(mlv_utf8_valid("\xF4\x8F\xBF\xBF", 4));   /* U+10FFFF */
	assert_false(mlv_utf8_valid("\xF4\x90\x80\x80", 4));  /* past U+10FFFF */
	assert_false(mlv_utf8_valid("\xE0\x80\xAF", 3));      /* overlong '/' */
	assert_false(mlv_utf8_valid("\xED\xBF\xBF", 3));      /* surrogate */
	assert_false(mlv_utf8_valid("\xC3", 1));              /* truncated */
	assert_false(mlv_utf8_valid("\x80", 1));              /* lone continuation */
	assert_false(mlv_utf8_valid("\xFF", 1));
}

static void test_null_is_absent(void **state)
{
	(void)state;
	char *t = mutate(base_json, "/items/0/brand", "null", "/buyer/email", "null",
			 "/platform", "null", "/documents", "null", "/transaction/insurance_cost",
			 "null", NULL);
	decoded d;
	decode(&d, t);
	assert_int_equal(d.rc, 0);
	if (d.p.count != 0)
		dump_problems(&d.p);
	assert_int_equal(d.p.count, 0);
	assert_null(d.c.items[0].brand);
	assert_null(d.c.buyer.email);
	assert_false(d.c.platform.present);
	assert_int_equal(d.c.document_count, 0);
	assert_false(d.c.transaction.insurance_cost.set);
	decoded_free(&d);
	cJSON_free(t);
}

static void test_many_problems(void **state)
{
	(void)state;
	char *t = mutate(base_json, "/items/0/colour", "\"blue\"",
			 "/transport/departure_country", "\"XX\"",
			 "/transaction/invoice_total", "\"12.345\"",
			 "/transport/tracking_number", DEL,
			 "/buyer/phone", "\"0612345678\"", NULL);
	decoded d;
	decode(&d, t);
	assert_int_equal(d.rc, 0);
	assert_int_equal(d.p.errors, 5);
	assert_int_equal(d.p.count, 5);
	assert_int_equal(d.p.dropped, 0);
	assert_non_null(find_problem(&d.p, "/items/0/colour", "unknown_field"));
	assert_non_null(find_problem(&d.p, "/transport/departure_country", "country_unknown"));
	assert_non_null(find_problem(&d.p, "/transaction/invoice_total", "precision"));
	assert_non_null(find_problem(&d.p, "/transport/tracking_number", "required"));
	assert_non_null(find_problem(&d.p, "/buyer/phone", "format"));
	decoded_free(&d);
	cJSON_free(t);

	/* every item's problem is reported, not only the first */
	cJSON *root = cJSON_Parse(base_json);
	cJSON *items = cJSON_GetObjectItemCaseSensitive(root, "items");
	cJSON *first = cJSON_GetArrayItem(items, 0);
	cJSON_ReplaceItemInObjectCaseSensitive(first, "hs_code", cJSON_CreateString("999999"));
	while (cJSON_GetArraySize(items) < 150)
		cJSON_AddItemToArray(items, cJSON_Duplicate(first, true));
	t = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	decode(&d, t);
	assert_int_equal(d.rc, 0);
	assert_int_equal(d.p.errors, 149); /* item 1 keeps its valid code */
	assert_int_equal(d.p.count, MLV_PROBLEMS_MAX);
	assert_int_equal(d.p.dropped, 149 - MLV_PROBLEMS_MAX);
	assert_non_null(find_problem(&d.p, "/items/0/hs_code", "hs_unknown"));
	assert_null(find_problem(&d.p, "/items/1/hs_code", "hs_unknown"));
	assert_non_null(find_problem(&d.p, "/items/2/hs_code", "hs_unknown"));
	decoded_free(&d);
	cJSON_free(t);
}

/* ---- encoding ------------------------------------------------------------- */

/* Decodes text (which must be clean) and returns its canonical JSON. */
static char *canonical(const char *text)
{
	decoded d;
	decode(&d, text);
	if (d.rc != 0 || d.p.count != 0) {
		dump_problems(&d.p);
		fail_msg("canonical: the text does not decode cleanly");
	}
	mlv_buf b = MLV_BUF_INIT(1 << 24);
	assert_int_equal(mlv_consignment_encode(&d.c, rd, &b), 0);
	decoded_free(&d);
	char *out = mlv_buf_detach(&b, NULL);
	assert_non_null(out);
	return out;
}

static void test_encode_order_independent(void **state)
{
	(void)state;
	cJSON *root = cJSON_Parse(base_json);
	reverse_members(root);
	char *reordered = cJSON_Print(root); /* formatted: tabs and newlines */
	cJSON_Delete(root);
	assert_non_null(reordered);
	assert_string_not_equal(reordered, base_json);
	assert_non_null(strchr(reordered, '\n'));
	/* the reversed text really starts with the last member */
	assert_non_null(strstr(reordered, "\"items\""));
	assert_true(strstr(reordered, "\"items\"") < strstr(reordered, "\"lrn\""));

	char *a = canonical(base_json);
	char *b = canonical(reordered);
	assert_string_equal(a, b);
	/* table order, no whitespace */
	assert_true(strncmp(a, "{\"lrn\":\"LRN-2026-000123\",\"declaration_type\":\"import\",", 53) ==
		    0);
	assert_null(strchr(a, '\n'));
	assert_null(strstr(a, "\": "));
	/* and the same bytes as the input, which is canonical already */
	assert_string_equal(a, base_json);
	/* a different value gives different bytes */
	char *other = mutate(base_json, "/items/1/value", "\"12.01\"", NULL);
	char *c = canonical(other);
	assert_string_not_equal(a, c);
	free(c);
	cJSON_free(other);
	free(a);
	free(b);
	cJSON_free(reordered);
}

static void test_encode_normalises(void **state)
{
	(void)state;
	char *t = mutate(base_json, "/transaction/invoice_total", "\"42\"",
			 "/transaction/shipping_cost", "\"6.9\"",
			 "/items/0/value", "\"30.000\"",
			 "/items/0/gross_weight", "\"0.500\"",
			 "/items/0/net_weight", "\"0.120\"",
			 "/items/1/gross_weight", "\"2\"",
			 "/items/1/quantity", "\"2.000\"",
			 "/items/0/quantity", "\"1.5\"",
			 "/items/0/brand", "null",
			 "/transport/expected_arrival", "\"2026-04-20T10:30:00.250+02:00\"", NULL);
	char *c = canonical(t);
	assert_non_null(strstr(c, "\"invoice_total\":\"42.00\""));
	assert_non_null(strstr(c, "\"shipping_cost\":\"6.90\""));
	assert_non_null(strstr(c, "\"value\":\"30.00\""));
	assert_non_null(strstr(c, "\"gross_weight\":\"0.5\""));
	assert_non_null(strstr(c, "\"net_weight\":\"0.12\""));
	assert_non_null(strstr(c, "\"gross_weight\":\"2\""));
	assert_non_null(strstr(c, "\"quantity\":\"2\""));
	assert_non_null(strstr(c, "\"quantity\":\"1.5\""));
	assert_null(strstr(c, "brand"));
	assert_null(strstr(c, "0.500"));
	assert_non_null(strstr(c, "\"expected_arrival\":\"2026-04-20T08:30:00Z\""));
	free(c);
	cJSON_free(t);

	/* JPY amounts have no decimals */
	t = mutate(base_json, "/transaction/currency", "\"JPY\"",
		   "/transaction/invoice_total", "\"4200.00\"",
		   "/transaction/shipping_cost", "\"690\"", NULL);
	c = canonical(t);
	assert_non_null(strstr(c, "\"currency\":\"JPY\",\"invoice_total\":\"4200\","
				  "\"shipping_cost\":\"690\""));
	free(c);
	cJSON_free(t);
	/* a three-decimal currency keeps three */
	t = mutate(base_json, "/items/0/currency", "\"KWD\"", "/items/0/value", "\"9.5\"", NULL);
	c = canonical(t);
	assert_non_null(strstr(c, "\"currency\":\"KWD\",\"value\":\"9.500\""));
	free(c);
	cJSON_free(t);
}

static void test_encode_idempotent(void **state)
{
	(void)state;
	char *variants[5];
	variants[0] = mutate(base_json, "/items/0/gross_weight", "\"0.500\"", NULL);
	variants[1] = mutate(base_json, "/category", "\"high_value\"",
			     "/seller/identifier", "\"CN91440300MA5\"",
			     "/buyer/identifier", "\"FR12345678901\"",
			     "/buyer/identifier_type", "\"vat\"",
			     "/transaction/incoterm", "\"DAP\"",
			     "/items/0/net_weight", "\"0.120\"",
			     "/items/1/net_weight", "\"0.05\"",
			     "/gross_weight", "\"0.350\"",
			     "/transport/house_document", "\"HAWB0001234\"", NULL);
	variants[2] = mutate(base_json, "/transaction/payment",
			     "{\"method\":\"card\",\"provider\":\"ExamplePay\","
			     "\"currency\":\"USD\",\"amount\":\"57.1\"}",
			     "/tax_collected", "{\"scheme\":\"ioss\",\"registration_number\":"
			     "\"IM2500001234\",\"currency\":\"EUR\",\"amount\":\"8.4\"}",
			     "/documents", "[{\"type\":\"invoice\",\"reference\":\"INV-1\","
			     "\"issue_date\":\"2026-04-13\"}]",
			     "/platform", "{\"name\":\"ExampleMarket \\\"Ltd\\\" \\u00e9\","
			     "\"country\":\"IE\"}", NULL);
	variants[3] = mutate(base_json, "/transport/expected_arrival",
			     "\"2026-04-20T23:30:00-05:00\"", "/items/0/gtin",
			     "\"4006381333931\"", NULL);
	variants[4] = mutate(base_json, "/declaration_type", "\"return\"", "/original_lrn",
			     "\"LRN-2026-000001\"", NULL);
	for (size_t i = 0; i < MLV_ARRAY_LEN(variants); i++) {
		char *once = canonical(variants[i]);
		char *twice = canonical(once);
		if (strcmp(once, twice) != 0)
			fail_msg("variant %zu: encode(decode(encode(x))) differs:\n%s\n%s", i, once,
				 twice);
		free(twice);
		free(once);
		cJSON_free(variants[i]);
	}
	/* escapes survive: the platform name decodes back to the same bytes */
	char *t = mutate(base_json, "/platform", "{\"name\":\"A \\\"B\\\" \\\\ \\u00e9/\"}", NULL);
	char *c = canonical(t);
	decoded d;
	decode(&d, c);
	assert_int_equal(d.p.count, 0);
	assert_string_equal(d.c.platform.name, "A \"B\" \\ \xC3\xA9/");
	decoded_free(&d);
	free(c);
	cJSON_free(t);
}

/* ---- date-times ------------------------------------------------------------ */

static int64_t dt(const char *s)
{
	int64_t t = -1;
	if (!mlv_datetime_parse(s, strlen(s), &t))
		fail_msg("date-time %s refused", s);
	return t;
}

static void test_datetime_parse(void **state)
{
	(void)state;
	assert_int_equal(dt("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(dt("2026-04-20T08:30:00Z"), 1776673800);
	assert_int_equal(dt("2026-04-20T08:30:00z"), 1776673800);
	assert_int_equal(dt("2026-04-20t08:30:00Z"), 1776673800);
	assert_int_equal(dt("2026-04-20T08:30:00+00:00"), 1776673800);
	assert_int_equal(dt("2026-04-20T08:30:00-00:00"), 1776673800);
	/* +02:00 is two hours ahead of UTC: the same instant is 2 h earlier */
	assert_int_equal(dt("2026-04-20T10:30:00+02:00"), 1776673800);
	assert_int_equal(dt("2026-04-20T08:30:00+02:00"), 1776673800 - 7200);
	assert_int_equal(dt("2026-04-20T03:00:00-05:30"), 1776673800);
	/* across midnight and a month end */
	assert_int_equal(dt("2026-05-01T01:00:00+03:00"), dt("2026-04-30T22:00:00Z"));
	/* fractional seconds are dropped */
	assert_int_equal(dt("2026-04-20T08:30:00.5Z"), 1776673800);
	assert_int_equal(dt("2026-04-20T08:30:00.999999999Z"), 1776673800);
	assert_int_equal(dt("2026-04-20T10:30:00.123+02:00"), 1776673800);
	/* a leap second counts as :59 */
	assert_int_equal(dt("2016-12-31T23:59:60Z"), dt("2016-12-31T23:59:59Z"));
	/* n bounds the text */
	int64_t t = 0;
	assert_true(mlv_datetime_parse("2026-04-20T08:30:00Zjunk", 20, &t));
	assert_int_equal(t, 1776673800);

	static const char *const bad[] = {
		"",
		"2026-04-20",
		"2026-04-20T08:30:00",       /* no offset */
		"2026-04-20 08:30:00Z",      /* space */
		"2026-04-20T08:30Z",         /* no seconds */
		"2026-04-20T24:00:00Z",
		"2026-04-20T08:60:00Z",
		"2026-04-20T08:30:61Z",
		"2026-02-30T08:30:00Z",
		"2026-13-01T08:30:00Z",
		"2026-04-20T08:30:00.Z",     /* empty fraction */
		"2026-04-20T08:30:00+0200",
		"2026-04-20T08:30:00+2:00",
		"2026-04-20T08:30:00+24:00",
		"2026-04-20T08:30:00+02:60",
		"2026-04-20T08:30:00+02:00Z",
		"2026-04-20T08:30:00ZZ",
		"2026-04-20T08:30:00 Z",
		"2026-04-20T8:30:00Z",
		"2026-04-20T08:30:0aZ",
		"2026-04-20T08-30-00Z",
		"26-04-20T08:30:00Z",
	};
	for (size_t i = 0; i < MLV_ARRAY_LEN(bad); i++) {
		t = 12345;
		if (mlv_datetime_parse(bad[i], strlen(bad[i]), &t))
			fail_msg("accepted %s", bad[i]);
		assert_int_equal(t, 12345);
	}
}

static void test_datetime_format(void **state)
{
	(void)state;
	char out[21];
	mlv_datetime_format(1776673800, out);
	assert_string_equal(out, "2026-04-20T08:30:00Z");
	mlv_datetime_format(0, out);
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	mlv_datetime_format(-1, out);
	assert_string_equal(out, "1969-12-31T23:59:59Z");
	mlv_datetime_format(4102444799LL, out);
	assert_string_equal(out, "2099-12-31T23:59:59Z");
	mlv_datetime_format(951782400LL, out); /* leap day */
	assert_string_equal(out, "2000-02-29T00:00:00Z");
	/* format then parse gives the instant back, every few hours for years */
	for (int64_t s = 946684800LL; s < 4102444799LL; s += 7919 * 7 + 13) {
		mlv_datetime_format(s, out);
		int64_t back = -1;
		assert_true(mlv_datetime_parse(out, 20, &back));
		assert_int_equal(back, s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_consignment),
		cmocka_unit_test(test_unknown_and_read_only),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_amounts),
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_required),
		cmocka_unit_test(test_required_per_category),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_document_bounds),
		cmocka_unit_test(test_too_many_items),
		cmocka_unit_test(test_encoding_checks),
		cmocka_unit_test(test_null_is_absent),
		cmocka_unit_test(test_many_problems),
		cmocka_unit_test(test_encode_order_independent),
		cmocka_unit_test(test_encode_normalises),
		cmocka_unit_test(test_encode_idempotent),
		cmocka_unit_test(test_datetime_parse),
		cmocka_unit_test(test_datetime_format),
	};
	return cmocka_run_group_tests(tests, refdata_group_setup, refdata_group_teardown);
}
