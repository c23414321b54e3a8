/* test_api.c - the HTTP API against a server started in this process on a
 * free loopback port, with a fresh SQLite store: success, every class of
 * validation problem, idempotency, amendment, authorization, limits,
 * batches, pagination and concurrent filings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include "client.h"
#include "harness.h"
#include "mlv/audit.h"
#include "mlv/generate.h"
#include "mlv/profile.h"
#include "mlv/risk.h"
#include "mlv/refdata.h"
#include "mlv/server.h"
#include "mlv/store.h"

#define MAX_BODY (64 * 1024)

static char key_a[96], key_b[96], key_c[96], key_expired[96], key_officer[96];
/* Every other role of issue 7, and filers of the registry's tests: market-p acts
 * for the platform IE1234567X, aeo-fr for a French AEO, aeo-cn for a Chinese
 * one (with a deferred account), plain-filer for no operator. */
static char key_admin[96], key_analyst[96], key_supervisor[96], key_auditor[96], key_agency[96],
	key_partner[96], key_party[96], key_aeo_fr[96], key_aeo_cn[96], key_plain[96];
#define CONSOLE_USER "locked-officer"
#define CONSOLE_PASSWORD "correct horse battery staple"
/* The AEO guarantee waiver of the test server: EUR 10.00. */
#define AEO_WAIVER 1000
static char key_stats[96];
static int64_t stats_filer; /* files only the generated consignments of test_stats_generated */
static uint8_t audit_pk[MLV_AUDIT_PK_LEN], audit_sk[MLV_AUDIT_SK_LEN];

/* The fixture with its LRN replaced, as a compact string (caller frees). */
static char *consignment(const char *lrn, const char *invoice_total_item0)
{
	cJSON *j = harness_consignment(lrn);
	if (invoice_total_item0 != NULL) {
		/* Change item 0's value and the total together so both stay consistent. */
		cJSON *items = cJSON_GetObjectItem(j, "items");
		cJSON *it = cJSON_GetArrayItem(items, 0);
		cJSON_ReplaceItemInObject(it, "value", cJSON_CreateString(invoice_total_item0));
		long v0 = strtol(invoice_total_item0, NULL, 10);
		char total[32], paid[32];
		snprintf(total, sizeof(total), "%ld.00", v0 + 12);
		snprintf(paid, sizeof(paid), "%ld.90", v0 + 12 + 6);
		cJSON *t = cJSON_GetObjectItem(j, "transaction");
		cJSON_ReplaceItemInObject(t, "invoice_total", cJSON_CreateString(total));
		cJSON_ReplaceItemInObject(cJSON_GetObjectItem(t, "payment"), "amount",
					  cJSON_CreateString(paid));
	}
	char *s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return s;
}

static int setup_all(void **state)
{
	(void)state;
	if (harness_begin("api") != 0)
		return -1;
	mlv_store *st;
	int64_t a, b;
	if (harness_store_open(&st) != 0)
		return -1;
	if (mlv_store_filer_ensure(st, "platform-a", &a) != 0 ||
	    mlv_store_filer_ensure(st, "carrier-b", &b) != 0 ||
	    mlv_store_key_create(st, a, "test", 0, key_a, sizeof(key_a)) != 0 ||
	    mlv_store_key_create(st, b, "test", 0, key_b, sizeof(key_b)) != 0 ||
	    mlv_store_key_create(st, a, "old", 1, key_expired, sizeof(key_expired)) != 0)
		return -1;
	/* Filer C has a deferred account with a ceiling of EUR 10.00. */
	int64_t c;
	mlv_account acct;
	if (mlv_store_filer_ensure(st, "broker-c", &c) != 0 ||
	    mlv_store_key_create(st, c, "test", 0, key_c, sizeof(key_c)) != 0 ||
	    mlv_store_account_open(st, c, "EUR", 1000, 1, &acct) != 0)
		return -1;
	if (harness_key(st, "officer-dupont", "officer", key_officer, sizeof(key_officer), NULL) != 0)
		return -1;
	const struct {
		const char *filer, *role;
		char *key;
	} more[] = {
		{"admin-root", "admin", key_admin},	    {"analyst-ana", "analyst", key_analyst},
		{"supervisor-sam", "supervisor", key_supervisor},
		{"auditor-aude", "auditor", key_auditor}, {"agency-dgccrf", "agency", key_agency},
		{"partner-cn", "partner", key_partner},   {"market-p", "filer", key_party},
		{"aeo-fr", "filer", key_aeo_fr},	    {"aeo-cn", "filer", key_aeo_cn},
		{"plain-filer", "filer", key_plain},
	};
	for (size_t i = 0; i < MLV_ARRAY_LEN(more); i++) {
		int64_t id;
		if (harness_key(st, more[i].filer, more[i].role, more[i].key, 96, &id) != 0)
			return -1;
		/* the Chinese AEO defers on an account with a EUR 100.00 guarantee */
		if (strcmp(more[i].filer, "aeo-cn") == 0 &&
		    mlv_store_account_open(st, id, "EUR", 10000, 1, &acct) != 0)
			return -1;
	}
	if (mlv_store_user_set(st, CONSOLE_USER, "Locked Officer", CONSOLE_PASSWORD, "officer", 0) !=
	    0)
		return -1;
	if (mlv_store_filer_ensure(st, "stats-filer", &stats_filer) != 0 ||
	    mlv_store_key_create(st, stats_filer, "test", 0, key_stats, sizeof(key_stats)) != 0)
		return -1;
	mlv_store_close(st);

	mlv_server_opts o;
	harness_opts(&o, db, true);
	o.max_body = MAX_BODY;
	o.max_batch_body = 4 << 20;
	o.max_batch_lines = 50;
	o.validate.now = 0;
	if (mlv_audit_keypair(audit_pk, audit_sk) != 0)
		return -1;
	o.audit_pk = audit_pk;
	o.audit_sk = audit_sk;
	o.sth_interval_ms = 100;
	o.aeo_guarantee_waiver = AEO_WAIVER;
	return harness_start(&server, &o, base, sizeof(base));
}

static int teardown_all(void **state)
{
	(void)state;
	return harness_end();
}

/* ---- helpers -------------------------------------------------------------------- */

/* A JSON answer is required: an empty body fails the test. */
static cJSON *call_json(const char *method, const char *path, const char *token,
			const char *body, long expect_status)
{
	return harness_call(base, method, path, token, body, expect_status, false);
}

/* tmpl with its "{}" replaced by id. */
static void fill(char *out, size_t n, const char *tmpl, long long id)
{
	const char *at = strstr(tmpl, "{}");
	if (at == NULL)
		snprintf(out, n, "%s", tmpl);
	else
		snprintf(out, n, "%.*s%lld%s", (int)(at - tmpl), tmpl, id, at + 2);
}

static long long create_operator(const char *json);

/* ---- tests ---------------------------------------------------------------------- */

static void test_healthz(void **state)
{
	(void)state;
	cJSON *j = call_json("GET", "/healthz", NULL, NULL, 200);
	assert_string_equal(str(j, "status"), "ok");
	cJSON_Delete(j);
}

static void test_file_and_read_back(void **state)
{
	(void)state;
	char *body = consignment("API-READ-1", NULL);
	http_res r;
	http_res_init(&r);
	assert_int_equal(http_call(base, "POST", "/v1/consignments", key_a, "application/json",
				   body, strlen(body), &r), 0);
	assert_int_equal(r.status, 201);
	assert_string_equal(r.content_type, "application/json");
	cJSON *j = cJSON_Parse(r.body.data);
	assert_non_null(j);
	long long id = num(j, "id");
	char loc[64];
	snprintf(loc, sizeof(loc), "/v1/consignments/%lld", id);
	assert_string_equal(r.location, loc);
	assert_string_equal(str(j, "outcome"), "created");
	assert_int_equal(num(j, "version"), 1);
	assert_string_equal(str(j, "status"), "assessed");
	cJSON *q = cJSON_GetObjectItem(j, "quality");
	assert_true(num(q, "score") > 0 && num(q, "score") <= 100);
	cJSON_Delete(j);
	http_res_free(&r);

	cJSON *g = call_json("GET", loc, key_a, NULL, 200);
	assert_string_equal(str(g, "lrn"), "API-READ-1");
	cJSON *c = cJSON_GetObjectItem(g, "consignment");
	assert_string_equal(str(cJSON_GetObjectItem(c, "transaction"), "invoice_total"), "42.00");
	assert_string_equal(
		str(cJSON_GetArrayItem(cJSON_GetObjectItem(c, "items"), 0), "hs_code"), "851762");
	/* The answer never carries a member the filer did not send, but the
	 * filer's text comes back in canonical form. */
	assert_null(cJSON_GetObjectItem(c, "documents"));
	cJSON_Delete(g);
	free(body);
}

static void test_idempotent_and_amendment(void **state)
{
	(void)state;
	char *v1 = consignment("API-IDEM-1", NULL);
	cJSON *a = call_json("POST", "/v1/consignments", key_a, v1, 201);
	long long id = num(a, "id");
	cJSON_Delete(a);

	/* Same content, other spacing and member order: not stored again. */
	cJSON *reordered = cJSON_Parse(v1);
	cJSON *lrn = cJSON_DetachItemFromObject(reordered, "lrn");
	cJSON_AddItemToObject(reordered, "lrn", lrn);
	char *v1b = cJSON_Print(reordered);
	cJSON *b = call_json("POST", "/v1/consignments", key_a, v1b, 200);
	assert_int_equal(num(b, "id"), id);
	assert_string_equal(str(b, "outcome"), "unchanged");
	assert_int_equal(num(b, "version"), 1);
	cJSON_Delete(b);

	char *v2 = consignment("API-IDEM-1", "35.00");
	cJSON *c = call_json("POST", "/v1/consignments", key_a, v2, 200);
	assert_int_equal(num(c, "id"), id);
	assert_string_equal(str(c, "outcome"), "amended");
	assert_int_equal(num(c, "version"), 2);
	cJSON_Delete(c);

	char path[96];
	snprintf(path, sizeof(path), "/v1/consignments/%lld/versions/1", id);
	cJSON *old = call_json("GET", path, key_a, NULL, 200);
	assert_string_equal(
		str(cJSON_GetObjectItem(cJSON_GetObjectItem(old, "consignment"), "transaction"),
		    "invoice_total"),
		"42.00");
	cJSON_Delete(old);
	snprintf(path, sizeof(path), "/v1/consignments/%lld", id);
	cJSON *now = call_json("GET", path, key_a, NULL, 200);
	assert_int_equal(num(now, "version"), 2);
	assert_string_equal(
		str(cJSON_GetObjectItem(cJSON_GetObjectItem(now, "consignment"), "transaction"),
		    "invoice_total"),
		"47.00");
	cJSON_Delete(now);
	snprintf(path, sizeof(path), "/v1/consignments/%lld/events", id);
	cJSON *ev = call_json("GET", path, key_a, NULL, 200);
	cJSON *list = cJSON_GetObjectItem(ev, "events");
	assert_int_equal(cJSON_GetArraySize(list), 2);
	assert_string_equal(str(cJSON_GetArrayItem(list, 0), "type"), "filed");
	assert_string_equal(str(cJSON_GetArrayItem(list, 1), "type"), "amended");
	cJSON_Delete(ev);
	snprintf(path, sizeof(path), "/v1/consignments/%lld/versions/3", id);
	cJSON_Delete(call_json("GET", path, key_a, NULL, 404));
	cJSON_Delete(reordered);
	free(v1);
	free(v1b);
	free(v2);
}

static void test_malformed_json(void **state)
{
	(void)state;
	cJSON *j = call_json("POST", "/v1/consignments", key_a, "{\"lrn\": \"X\",", 400);
	assert_string_equal(str(j, "type"), "urn:mainlevee:problem:malformed");
	assert_true(has_error(j, "", "syntax"));
	cJSON_Delete(j);
	char deep[256];
	size_t o = 0;
	for (int i = 0; i < 12; i++)
		o += (size_t)snprintf(deep + o, sizeof(deep) - o, "{\"a\":");
	o += (size_t)snprintf(deep + o, sizeof(deep) - o, "1");
	for (int i = 0; i < 12; i++)
		o += (size_t)snprintf(deep + o, sizeof(deep) - o, "}");
	j = call_json("POST", "/v1/consignments", key_a, deep, 400);
	assert_true(has_error(j, "", "too_deep"));
	cJSON_Delete(j);
	j = call_json("POST", "/v1/consignments", key_a, "[1,2]", 400);
	assert_true(has_error(j, "", "type"));
	cJSON_Delete(j);
}

static void test_validation_lists_every_error(void **state)
{
	(void)state;
	cJSON *c = cJSON_Parse(fixture);
	cJSON_ReplaceItemInObject(c, "lrn", cJSON_CreateString("API-BAD-1"));
	cJSON_AddStringToObject(c, "status", "released");
	cJSON *t = cJSON_GetObjectItem(c, "transaction");
	cJSON_ReplaceItemInObject(t, "invoice_total", cJSON_CreateNumber(42));
	cJSON *it = cJSON_GetArrayItem(cJSON_GetObjectItem(c, "items"), 1);
	cJSON_ReplaceItemInObject(it, "hs_code", cJSON_CreateString("999999"));
	cJSON_ReplaceItemInObject(it, "origin_country", cJSON_CreateString("XX"));
	cJSON_AddStringToObject(it, "colour", "red");
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(c, "transport"), "tracking_number");
	char *body = cJSON_PrintUnformatted(c);
	cJSON *j = call_json("POST", "/v1/consignments", key_a, body, 422);
	assert_string_equal(str(j, "type"), "urn:mainlevee:problem:validation");
	assert_true(has_error(j, "/status", "read_only"));
	assert_true(has_error(j, "/transaction/invoice_total", "type"));
	assert_true(has_error(j, "/items/1/hs_code", "hs_unknown"));
	assert_true(has_error(j, "/items/1/origin_country", "country_unknown"));
	assert_true(has_error(j, "/items/1/colour", "unknown_field"));
	assert_true(has_error(j, "/transport/tracking_number", "required"));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "errors")), 6);
	cJSON_Delete(j);
	/* Nothing was stored. */
	cJSON *l = call_json("GET", "/v1/consignments?lrn=API-BAD-1", key_a, NULL, 200);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(l, "items")), 0);
	cJSON_Delete(l);
	cJSON_Delete(c);
	free(body);
}

static void test_arithmetic_and_ceiling(void **state)
{
	(void)state;
	cJSON *c = cJSON_Parse(fixture);
	cJSON_ReplaceItemInObject(c, "lrn", cJSON_CreateString("API-SUM-1"));
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(c, "transaction"), "invoice_total",
				  cJSON_CreateString("50.00"));
	char *body = cJSON_PrintUnformatted(c);
	cJSON *j = call_json("POST", "/v1/consignments", key_a, body, 422);
	assert_true(has_error(j, "/transaction/invoice_total", "arithmetic"));
	cJSON_Delete(j);
	free(body);
	cJSON_Delete(c);

	body = consignment("API-CEIL-1", "200");
	j = call_json("POST", "/v1/consignments", key_a, body, 422);
	assert_true(has_error(j, "/category", "category_ceiling"));
	cJSON_Delete(j);
	free(body);
}

static void test_authorization(void **state)
{
	(void)state;
	http_res r;
	http_res_init(&r);
	assert_int_equal(http_call(base, "GET", "/v1/consignments", NULL, NULL, NULL, 0, &r), 0);
	assert_int_equal(r.status, 401);
	assert_non_null(strstr(r.www_authenticate, "Bearer"));
	assert_string_equal(r.content_type, "application/problem+json");
	http_res_free(&r);
	cJSON_Delete(call_json("GET", "/v1/consignments", "mlv_not-a-real-key-at-all", NULL, 401));
	cJSON_Delete(call_json("GET", "/v1/consignments", key_expired, NULL, 401));

	char *body = consignment("API-AUTHZ-1", NULL);
	cJSON *a = call_json("POST", "/v1/consignments", key_a, body, 201);
	long long id = num(a, "id");
	cJSON_Delete(a);
	char path[96];
	snprintf(path, sizeof(path), "/v1/consignments/%lld", id);
	/* Filer B: another filer's consignment is "not found", never 403. */
	cJSON *nf = call_json("GET", path, key_b, NULL, 404);
	char *text = cJSON_PrintUnformatted(nf);
	assert_null(strstr(text, "API-AUTHZ-1"));
	free(text);
	cJSON_Delete(nf);
	snprintf(path, sizeof(path), "/v1/consignments/%lld/events", id);
	cJSON_Delete(call_json("GET", path, key_b, NULL, 404));
	snprintf(path, sizeof(path), "/v1/consignments/%lld/versions/1", id);
	cJSON_Delete(call_json("GET", path, key_b, NULL, 404));
	cJSON *lb = call_json("GET", "/v1/consignments?lrn=API-AUTHZ-1", key_b, NULL, 200);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(lb, "items")), 0);
	cJSON_Delete(lb);
	/* The same LRN from B is B's own consignment, not an amendment of A's. */
	cJSON *b2 = call_json("POST", "/v1/consignments", key_b, body, 201);
	assert_true(num(b2, "id") != id);
	cJSON_Delete(b2);
	free(body);
}

static void test_limits(void **state)
{
	(void)state;
	size_t n = MAX_BODY + 10;
	char *big = malloc(n + 1);
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	big[n] = '\0';
	cJSON *j = call_json("POST", "/v1/consignments", key_a, big, 413);
	assert_string_equal(str(j, "title"), "Content Too Large");
	cJSON_Delete(j);
	free(big);
	/* 51 lines in a batch limited to 50. */
	mlv_buf b = MLV_BUF_INIT(1 << 20);
	for (int i = 0; i < 51; i++)
		mlv_buf_adds(&b, "{}\n");
	http_res r;
	http_res_init(&r);
	assert_int_equal(http_call(base, "POST", "/v1/consignments:batch", key_a,
				   "application/x-ndjson", b.data, b.len, &r), 0);
	assert_int_equal(r.status, 413);
	http_res_free(&r);
	mlv_buf_free(&b);
	/* Page size bound. */
	cJSON_Delete(call_json("GET", "/v1/consignments?limit=501", key_a, NULL, 400));
	cJSON_Delete(call_json("GET", "/v1/consignments?limit=abc", key_a, NULL, 400));
}

static void test_batch(void **state)
{
	(void)state;
	char *a = consignment("API-BATCH-1", NULL), *b = consignment("API-BATCH-2", NULL);
	mlv_buf body = MLV_BUF_INIT(1 << 20);
	mlv_buf_printf(&body, "%s\n\n{\"lrn\":\"API-BATCH-BAD\"}\n%s\n%s\n", a, b, a);
	http_res r;
	http_res_init(&r);
	assert_int_equal(http_call(base, "POST", "/v1/consignments:batch", key_a,
				   "application/x-ndjson", body.data, body.len, &r), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "application/x-ndjson");
	const char *expect[][2] = {{"1", "created"}, {"3", "rejected"}, {"4", "created"},
				   {"5", "unchanged"}};
	char *save = NULL;
	int k = 0;
	for (char *line = strtok_r(r.body.data, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), k++) {
		assert_true(k < 4);
		cJSON *j = cJSON_Parse(line);
		assert_non_null(j);
		assert_int_equal(num(j, "line"), atoi(expect[k][0]));
		assert_string_equal(str(j, "outcome"), expect[k][1]);
		if (k == 1)
			assert_true(has_error(j, "/transport", "required"));
		cJSON_Delete(j);
	}
	assert_int_equal(k, 4);
	http_res_free(&r);
	mlv_buf_free(&body);
	free(a);
	free(b);
	cJSON_Delete(call_json("POST", "/v1/consignments:batch", key_a, "\n\n", 400));
}

static void test_list_pagination(void **state)
{
	(void)state;
	/* Filer B files 7 consignments; pages of 3 cover them exactly once. */
	for (int i = 0; i < 7; i++) {
		char lrn[32];
		snprintf(lrn, sizeof(lrn), "API-PAGE-%d", i);
		char *body = consignment(lrn, NULL);
		cJSON_Delete(call_json("POST", "/v1/consignments", key_b, body, 201));
		free(body);
	}
	char path[128] = "/v1/consignments?limit=3&departure_country=CN";
	int seen = 0, pages = 0;
	long long last_id = INT64_MAX;
	for (;;) {
		cJSON *j = call_json("GET", path, key_b, NULL, 200);
		const cJSON *it;
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(j, "items")) {
			long long id = num(it, "id");
			assert_true(id < last_id); /* newest first, no repeats */
			last_id = id;
			seen++;
		}
		pages++;
		const cJSON *next = cJSON_GetObjectItem(j, "next_cursor");
		if (cJSON_IsNull(next)) {
			cJSON_Delete(j);
			break;
		}
		snprintf(path, sizeof(path), "/v1/consignments?limit=3&departure_country=CN&cursor=%s",
			 cJSON_GetStringValue(next));
		cJSON_Delete(j);
		assert_true(pages < 10);
	}
	/* B also filed API-AUTHZ-1 (in test_authorization) when run before. */
	assert_true(seen >= 7);
	cJSON *none = call_json("GET", "/v1/consignments?departure_country=US", key_b, NULL, 200);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(none, "items")), 0);
	cJSON_Delete(none);
	cJSON_Delete(call_json("GET", "/v1/consignments?departure_country=XX", key_b, NULL, 400));
	cJSON_Delete(call_json("GET", "/v1/consignments?category=nope", key_b, NULL, 400));
	cJSON_Delete(call_json("GET", "/v1/consignments?cursor=-4", key_b, NULL, 400));
}

static void test_routing_errors(void **state)
{
	(void)state;
	cJSON_Delete(call_json("GET", "/v1/nothing", key_a, NULL, 404));
	cJSON_Delete(call_json("GET", "/v1/consignments/0", key_a, NULL, 404));
	cJSON_Delete(call_json("GET", "/v1/consignments/abc", key_a, NULL, 404));
	cJSON_Delete(call_json("GET", "/v1/consignments/999999999", key_a, NULL, 404));
	http_res r;
	http_res_init(&r);
	assert_int_equal(http_call(base, "DELETE", "/v1/consignments", key_a, NULL, NULL, 0, &r), 0);
	assert_int_equal(r.status, 405);
	assert_string_equal(r.allow, "GET, POST");
	http_res_free(&r);
	http_res_init(&r);
	char *body = consignment("API-CT-1", NULL);
	assert_int_equal(http_call(base, "POST", "/v1/consignments", key_a, "text/xml", body,
				   strlen(body), &r), 0);
	assert_int_equal(r.status, 415);
	http_res_free(&r);
	free(body);
}

struct worker {
	int id;
	int created, unchanged, failed;
	bool same_lrn;
};

static void *file_many(void *arg)
{
	struct worker *w = arg;
	for (int i = 0; i < 40; i++) {
		char lrn[48];
		if (w->same_lrn)
			snprintf(lrn, sizeof(lrn), "API-RACE-%d", i);
		else
			snprintf(lrn, sizeof(lrn), "API-CONC-%d-%d", w->id, i);
		char *body = consignment(lrn, NULL);
		http_res r;
		http_res_init(&r);
		if (http_call(base, "POST", "/v1/consignments", key_a, "application/json", body,
			      strlen(body), &r) != 0)
			w->failed++;
		else if (r.status == 201)
			w->created++;
		else if (r.status == 200)
			w->unchanged++;
		else
			w->failed++;
		http_res_free(&r);
		free(body);
	}
	return NULL;
}

static void run_workers(bool same_lrn, struct worker *w, int n)
{
	pthread_t t[8];
	for (int i = 0; i < n; i++) {
		w[i] = (struct worker){.id = i, .same_lrn = same_lrn};
		pthread_create(&t[i], NULL, file_many, &w[i]);
	}
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
}

static void test_concurrent_filings(void **state)
{
	(void)state;
	struct worker w[8];
	run_workers(false, w, 8);
	int created = 0;
	for (int i = 0; i < 8; i++) {
		assert_int_equal(w[i].failed, 0);
		created += w[i].created;
	}
	assert_int_equal(created, 320);
	/* Eight clients racing on the same 40 LRNs: each stored exactly once. */
	run_workers(true, w, 8);
	int c2 = 0, u2 = 0;
	for (int i = 0; i < 8; i++) {
		assert_int_equal(w[i].failed, 0);
		c2 += w[i].created;
		u2 += w[i].unchanged;
	}
	assert_int_equal(c2, 40);
	assert_int_equal(u2, 280);
}

/* The audit log over HTTP: a head is signed, a filer proves its own
 * filing's event, the proof verifies with the public key alone, another
 * filer cannot have it, and two heads are consistent. */
static void test_audit_log(void **state)
{
	(void)state;
	char *body = consignment("API-AUDIT-1", NULL);
	cJSON *a = call_json("POST", "/v1/consignments", key_a, body, 201);
	long long id = num(a, "id");
	cJSON_Delete(a);
	free(body);
	char path[128];
	snprintf(path, sizeof(path), "/v1/consignments/%lld/events", id);
	cJSON *ev = call_json("GET", path, key_a, NULL, 200);
	long long event = num(cJSON_GetArrayItem(cJSON_GetObjectItem(ev, "events"), 0), "id");
	cJSON_Delete(ev);

	/* The writer signs within its interval (100 ms here). */
	cJSON *sth = NULL;
	for (int i = 0; i < 50; i++) {
		http_res r;
		http_res_init(&r);
		assert_int_equal(http_call(base, "GET", "/v1/audit/sth", NULL, NULL, NULL, 0, &r), 0);
		if (r.status == 200) {
			cJSON *j = cJSON_Parse(r.body.data);
			if (num(j, "tree_size") >= event) {
				sth = j;
				http_res_free(&r);
				break;
			}
			cJSON_Delete(j);
		}
		http_res_free(&r);
		usleep(100000);
	}
	assert_non_null(sth);
	cJSON *key = call_json("GET", "/v1/audit/public-key", NULL, NULL, 200);
	assert_string_equal(str(key, "algorithm"), "Ed25519");
	char pk_b64[MLV_AUDIT_B64_SIZE(32)];
	mlv_audit_b64_encode(pk_b64, sizeof(pk_b64), audit_pk, sizeof(audit_pk));
	assert_string_equal(str(key, "public_key"), pk_b64);
	cJSON_Delete(key);

	snprintf(path, sizeof(path), "/v1/audit/proof/inclusion?event=%lld", event);
	http_res r;
	http_res_init(&r);
	assert_int_equal(http_call(base, "GET", path, key_a, NULL, NULL, 0, &r), 0);
	assert_int_equal(r.status, 200);
	/* Check it with the library's verifier, from the JSON alone. */
	cJSON *proof = cJSON_Parse(r.body.data);
	cJSON *psth = cJSON_GetObjectItem(proof, "sth");
	uint8_t root[32], leaf_hash[32];
	const char *root_b64 = str(psth, "root_hash"), *leaf_b64 = str(proof, "leaf_hash");
	assert_int_equal(mlv_audit_b64_decode(root, 32, root_b64, strlen(root_b64)), 0);
	assert_int_equal(mlv_audit_b64_decode(leaf_hash, 32, leaf_b64, strlen(leaf_b64)), 0);
	mlv_audit_hash pathv[MLV_AUDIT_PROOF_MAX];
	size_t len = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(proof, "audit_path")) {
		assert_int_equal(mlv_audit_b64_decode(pathv[len].b, 32, e->valuestring,
						      strlen(e->valuestring)), 0);
		len++;
	}
	assert_true(mlv_audit_verify_inclusion((uint64_t)num(proof, "leaf_index"),
					       (uint64_t)num(psth, "tree_size"), leaf_hash, pathv,
					       len, root));
	/* Run the independent verifier too when it was built. */
	const char *verifier = getenv("MLV_VERIFY_BIN");
	if (verifier != NULL) {
		char file[128], cmd[512];
		snprintf(file, sizeof(file), "%s/proof.json", dir);
		FILE *f = fopen(file, "w");
		fputs(r.body.data, f);
		fclose(f);
		snprintf(cmd, sizeof(cmd), "'%s' inclusion '%s' --key '%s' > /dev/null", verifier, file,
			 pk_b64);
		assert_int_equal(system(cmd), 0);
	}
	cJSON_Delete(proof);
	http_res_free(&r);
	/* Another filer's event is not found; the anonymous get 401. */
	cJSON_Delete(call_json("GET", path, key_b, NULL, 404));
	cJSON_Delete(call_json("GET", path, NULL, NULL, 401));
	cJSON_Delete(call_json("GET", "/v1/audit/proof/inclusion", key_a, NULL, 400));

	/* Consistency between the first head and the latest one. */
	long long second = num(sth, "tree_size");
	cJSON_Delete(sth);
	char *more = consignment("API-AUDIT-2", NULL);
	cJSON_Delete(call_json("POST", "/v1/consignments", key_a, more, 201));
	free(more);
	long long third = 0;
	for (int i = 0; i < 50 && third <= second; i++) {
		usleep(100000);
		cJSON *j = call_json("GET", "/v1/audit/sth", NULL, NULL, 200);
		third = num(j, "tree_size");
		cJSON_Delete(j);
	}
	assert_true(third > second);
	snprintf(path, sizeof(path), "/v1/audit/proof/consistency?first=%lld&second=%lld", second,
		 third);
	cJSON *cons = call_json("GET", path, NULL, NULL, 200);
	assert_non_null(cJSON_GetObjectItem(cons, "consistency_path"));
	cJSON_Delete(cons);
	snprintf(path, sizeof(path), "/v1/audit/proof/consistency?first=%lld&second=%lld", third,
		 second);
	cJSON_Delete(call_json("GET", path, NULL, NULL, 400));
	cJSON_Delete(call_json("GET", "/v1/audit/proof/consistency?first=1&second=999999", NULL,
			       NULL, 404));
}

/* A second server on the same store, with tight limits. */
/* A second server on the same store with opts (port, store and reference
 * data filled in). */
static mlv_server *limited_opts(mlv_server_opts *o, char *url, size_t n)
{
	o->port = 0;
	o->threads = 1;
	o->db_path = db;
	o->rd = rd;
	o->synchronous_full = false;
	mlv_server *srv = NULL;
	assert_int_equal(harness_start(&srv, o, url, n), 0);
	return srv;
}

static mlv_server *limited(unsigned rate, unsigned failures, char *url, size_t n)
{
	mlv_server_opts o = MLV_SERVER_OPTS_INIT;
	o.rate_per_key = rate;
	o.auth_max_failures = failures;
	o.auth_window_s = 60;
	o.public_rate = rate;
	return limited_opts(&o, url, n);
}

/* METHOD url+path, sent from the address from (NULL: the default): the
 * status, and the Retry-After header into retry_after when not NULL. */
static long status_at(const char *url, const char *method, const char *path, const char *token,
		      const char *ctype, const char *body, const char *from, char *retry_after,
		      size_t n)
{
	http_res r;
	http_res_init(&r);
	http_extra x = {.from = from};
	assert_int_equal(http_call_extra(url, method, path, token, ctype, body,
					 body != NULL ? strlen(body) : 0, &x, &r),
			 0);
	long st = r.status;
	if (retry_after != NULL)
		snprintf(retry_after, n, "%s", r.retry_after);
	http_res_free(&r);
	return st;
}

static long status_of(const char *url, const char *token, char *retry_after, size_t n)
{
	return status_at(url, "GET", "/v1/consignments?limit=1", token, NULL, NULL, NULL,
			 retry_after, n);
}

static void test_brute_force_lockout(void **state)
{
	(void)state;
	char url[64], ra[16];
	mlv_server *srv = limited(0, 3, url, sizeof(url));
	for (int i = 0; i < 3; i++)
		assert_int_equal(status_of(url, "mlv_wrong-key-number-one-xxxx", NULL, 0), 401);
	/* The fourth try is refused before the key is even looked at, and so
	 * is a good key from the same address, until the window passes. */
	assert_int_equal(status_of(url, "mlv_wrong-key-number-one-xxxx", ra, sizeof(ra)), 429);
	assert_true(atoi(ra) > 0 && atoi(ra) <= 60);
	assert_int_equal(status_of(url, key_a, NULL, 0), 429);
	mlv_server_stop(srv);
}

static void test_rate_limit_per_key(void **state)
{
	(void)state;
	char url[64], ra[16];
	mlv_server *srv = limited(5, 0, url, sizeof(url));
	/* A burst of two seconds' worth passes, then 429 with Retry-After. */
	int ok = 0;
	long st = 200;
	for (int i = 0; i < 30 && st == 200; i++) {
		st = status_of(url, key_a, ra, sizeof(ra));
		ok += st == 200;
	}
	assert_int_equal(st, 429);
	assert_true(ok >= 10 && ok <= 12);
	assert_true(atoi(ra) >= 1);
	/* Another key has its own bucket. */
	assert_int_equal(status_of(url, key_b, NULL, 0), 200);
	/* Public quotes are limited by address. */
	long qs = 0;
	int q = 0;
	for (; q < 30; q++) {
		http_res r;
		http_res_init(&r);
		assert_int_equal(http_call(url, "POST", "/v1/quote", NULL, "application/json", "{}", 2,
					   &r), 0);
		qs = r.status;
		http_res_free(&r);
		if (qs == 429)
			break;
	}
	assert_int_equal(qs, 429);
	assert_true(q >= 10 && q <= 12);
	mlv_server_stop(srv);
}

static cJSON *quote(const char *body, long expect)
{
	http_res r;
	http_res_init(&r);
	assert_int_equal(http_call(base, "POST", "/v1/quote", NULL, "application/json", body,
				   strlen(body), &r), 0);
	if (r.status != expect)
		fprintf(stderr, "quote -> %ld: %s\n", r.status, r.body.data);
	assert_int_equal(r.status, expect);
	cJSON *j = cJSON_Parse(r.body.data);
	assert_non_null(j);
	http_res_free(&r);
	return j;
}

/* The public quote: a known vector, every shipped profile, and the same
 * amounts as a filing of the same goods. */
static void test_quote(void **state)
{
	(void)state;
	/* VAT on value plus duty: GBP 1,000 of goods at 0% duty (8517) and 20%
	 * VAT: GBP 200 due at the border (UK Global Tariff; VATA 1994 s. 2). */
	cJSON *gb = quote("{\"destination\":\"GB\",\"date\":\"2026-11-26\",\"items\":"
			  "[{\"hs_code\":\"851762\",\"origin_country\":\"CN\","
			  "\"currency\":\"GBP\",\"value\":\"1000.00\"}]}", 200);
	cJSON *t = cJSON_GetObjectItem(gb, "totals");
	assert_string_equal(str(t, "tax"), "200.00");
	assert_string_equal(str(t, "duty"), "0.00");
	assert_string_equal(str(gb, "currency"), "GBP");
	cJSON_Delete(gb);
	static const char *const all[] = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES",
		"FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT",
		"RO", "SE", "SI", "SK", "GB", "US", "CA", "AU", "NZ", "JP", "CN", "KR", "SG", "CH",
		"NO", "MX", "BR", "SA", "AE"};
	for (size_t i = 0; i < MLV_ARRAY_LEN(all); i++) {
		char body[512];
		snprintf(body, sizeof(body),
			 "{\"destination\":\"%s\",\"currency\":\"EUR\",\"shipping_cost\":"
			 "\"5.00\",\"items\":[{\"hs_code\":\"610910\",\"origin_country\":"
			 "\"CN\",\"currency\":\"EUR\",\"value\":\"40.00\"}]}",
			 all[i]);
		cJSON *j = quote(body, 200);
		assert_string_equal(str(j, "country"), all[i]);
		assert_non_null(cJSON_GetObjectItem(j, "totals"));
		cJSON_Delete(j);
	}
	/* A quote of the fixture's goods answers what its filing answered. */
	cJSON *filed = call_json("GET", "/v1/consignments?lrn=API-READ-1", key_a, NULL, 200);
	cJSON_Delete(filed);
	char *body = consignment("API-QUOTE-1", NULL);
	cJSON *f = call_json("POST", "/v1/consignments", key_a, body, 201);
	cJSON *fa = cJSON_GetObjectItem(f, "assessment");
	assert_non_null(fa);
	char day[16];
	snprintf(day, sizeof(day), "%s", str(fa, "day"));
	char q[1024];
	snprintf(q, sizeof(q),
		 "{\"destination\":\"FR\",\"date\":\"%s\",\"currency\":\"EUR\","
		 "\"shipping_cost\":\"6.90\",\"insurance_cost\":\"0.00\",\"channel\":\"post\","
		 "\"tax_collected\":{\"scheme\":\"ioss\",\"registration_number\":\"IM2500001234\"},"
		 "\"items\":[{\"hs_code\":\"851762\",\"origin_country\":\"CN\","
		 "\"currency\":\"EUR\",\"value\":\"30.00\",\"quantity\":\"1\"},"
		 "{\"hs_code\":\"392690\",\"origin_country\":\"CN\",\"currency\":\"EUR\","
		 "\"value\":\"12.00\",\"quantity\":\"2\"}]}",
		 day);
	cJSON *qa = quote(q, 200);
	const char *keys[] = {"duty", "tax", "fees", "border"};
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(str(cJSON_GetObjectItem(qa, "totals"), keys[i]),
				    str(cJSON_GetObjectItem(fa, "totals"), keys[i]));
	cJSON_Delete(qa);
	cJSON_Delete(f);
	free(body);
	/* Errors, each with its pointer. */
	cJSON *e = quote("{\"destination\":\"XX\",\"colour\":1,\"items\":[{\"hs_code\":"
			 "\"999999\",\"currency\":\"EUR\",\"value\":\"1\"}]}", 422);
	assert_true(has_error(e, "/colour", "unknown_field"));
	assert_true(has_error(e, "/destination", "country_unknown"));
	assert_true(has_error(e, "/items/0/hs_code", "hs_unknown"));
	cJSON_Delete(e);
	cJSON_Delete(quote("[1]", 400));
	cJSON_Delete(quote("{\"destination\":\"FR\",\"items\":[]}", 422));
}

/* Every filing answer carries its risk lane and explained hits; goods
 * that France prohibits (disposable vapes, HS 854340) are never green. */
static void test_risk_in_filings(void **state)
{
	(void)state;
	char *body = consignment("API-RISK-1", NULL);
	cJSON *a = call_json("POST", "/v1/consignments", key_a, body, 201);
	cJSON *risk = cJSON_GetObjectItem(a, "risk");
	assert_non_null(risk);
	assert_non_null(cJSON_GetObjectItem(risk, "hits"));
	const char *lane = str(risk, "lane");
	assert_true(strcmp(lane, "green") == 0 || strcmp(lane, "yellow") == 0 ||
		    strcmp(lane, "red") == 0 || strcmp(lane, "hold") == 0);
	cJSON_Delete(a);
	free(body);
	cJSON *c = cJSON_Parse(fixture);
	cJSON_ReplaceItemInObject(c, "lrn", cJSON_CreateString("API-RISK-2"));
	cJSON *it = cJSON_GetArrayItem(cJSON_GetObjectItem(c, "items"), 1);
	cJSON_ReplaceItemInObject(it, "hs_code", cJSON_CreateString("854340"));
	cJSON_ReplaceItemInObject(it, "description",
				  cJSON_CreateString("Disposable electronic cigarette, 600 puffs"));
	char *vape = cJSON_PrintUnformatted(c);
	cJSON *v = call_json("POST", "/v1/consignments", key_a, vape, 201);
	cJSON *vr = cJSON_GetObjectItem(v, "risk");
	assert_string_not_equal(str(vr, "lane"), "green");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(vr, "prohibited")));
	long long id = num(v, "id");
	cJSON_Delete(v);
	/* And reading it back gives the same decision. */
	char path[64];
	snprintf(path, sizeof(path), "/v1/consignments/%lld", id);
	cJSON *g = call_json("GET", path, key_a, NULL, 200);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(g, "risk"), "prohibited")));
	cJSON_Delete(g);
	free(vape);
	cJSON_Delete(c);
}

static cJSON *post_arrival(long long id, const char *token, long expect)
{
	char path[96];
	snprintf(path, sizeof(path), "/v1/consignments/%lld/arrival", id);
	return call_json("POST", path, token, "{}", expect);
}

/* The lifecycle: arrival; immediate release of what is green and owes
 * nothing before release; 409 on a transition the table forbids and on an
 * amendment after arrival; every transition in the history. */
static void test_arrival_and_release(void **state)
{
	(void)state;
	/* Duties due before release: arrived, waiting. */
	char *body = consignment("API-LIFE-1", NULL);
	cJSON *f = call_json("POST", "/v1/consignments", key_a, body, 201);
	long long id = num(f, "id");
	assert_string_equal(str(f, "status"), "assessed");
	cJSON_Delete(f);
	cJSON *a = post_arrival(id, key_a, 200);
	assert_string_equal(str(a, "state"), "arrived");
	assert_string_equal(str(a, "previous_state"), "assessed");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(a, "released")));
	cJSON_Delete(a);
	cJSON_Delete(post_arrival(id, key_a, 409));
	cJSON_Delete(post_arrival(id, key_b, 404));
	char *changed = consignment("API-LIFE-1", "31");
	cJSON_Delete(call_json("POST", "/v1/consignments", key_a, changed, 409));
	free(changed);
	free(body);

	/* Documents: nothing due; green: released at once. */
	cJSON *c = cJSON_Parse(fixture);
	cJSON_ReplaceItemInObject(c, "lrn", cJSON_CreateString("API-LIFE-DOCS-1"));
	cJSON_ReplaceItemInObject(c, "category", cJSON_CreateString("documents"));
	const char *drop[] = {"items", "transaction", "tax_collected", "seller", "business_model",
			      "platform"};
	for (size_t i = 0; i < MLV_ARRAY_LEN(drop); i++)
		cJSON_DeleteItemFromObject(c, drop[i]);
	char *docs = cJSON_PrintUnformatted(c);
	cJSON *d = call_json("POST", "/v1/consignments", key_a, docs, 201);
	long long did = num(d, "id");
	assert_string_equal(str(cJSON_GetObjectItem(d, "risk"), "lane"), "green");
	cJSON_Delete(d);
	cJSON *r = post_arrival(did, key_a, 200);
	assert_string_equal(str(r, "state"), "released");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "released")));
	assert_non_null(cJSON_GetObjectItem(r, "release_time"));
	cJSON_Delete(r);
	char path[96];
	snprintf(path, sizeof(path), "/v1/consignments/%lld/events", did);
	cJSON *ev = call_json("GET", path, key_a, NULL, 200);
	cJSON *list = cJSON_GetObjectItem(ev, "events");
	assert_int_equal(cJSON_GetArraySize(list), 3);
	assert_string_equal(str(cJSON_GetArrayItem(list, 1), "type"), "arrive");
	assert_string_equal(str(cJSON_GetArrayItem(list, 2), "type"), "release");
	assert_string_equal(str(cJSON_GetArrayItem(list, 2), "actor"), "system");
	cJSON_Delete(ev);
	snprintf(path, sizeof(path), "/v1/consignments/%lld", did);
	cJSON *g = call_json("GET", path, key_a, NULL, 200);
	assert_string_equal(str(g, "status"), "released");
	cJSON_Delete(g);
	cJSON *l = call_json("GET", "/v1/consignments?status=released", key_a, NULL, 200);
	assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(l, "items")) >= 1);
	cJSON_Delete(l);
	free(docs);
	cJSON_Delete(c);
}

/* Deferred account: a green consignment owing EUR 6.00 is released on
 * arrival and debited; the next one would pass the EUR 10.00 ceiling and
 * waits; a return within the window is refunded; the statement shows both. */
static void test_deferred_account(void **state)
{
	(void)state;
	char *b1 = consignment("API-ACCT-1", NULL), *b2 = consignment("API-ACCT-2", NULL);
	cJSON *f1 = call_json("POST", "/v1/consignments", key_c, b1, 201);
	cJSON *f2 = call_json("POST", "/v1/consignments", key_c, b2, 201);
	long long id1 = num(f1, "id"), id2 = num(f2, "id");
	assert_string_equal(str(cJSON_GetObjectItem(cJSON_GetObjectItem(f1, "assessment"), "totals"),
				"border"), "6.00");
	cJSON_Delete(f1);
	cJSON_Delete(f2);
	cJSON *r1 = post_arrival(id1, key_c, 200);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r1, "released")));
	assert_non_null(strstr(str(r1, "reason"), "deferred account"));
	cJSON_Delete(r1);
	cJSON *r2 = post_arrival(id2, key_c, 200);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(r2, "released")));
	assert_non_null(strstr(str(r2, "reason"), "ceiling"));
	cJSON_Delete(r2);
	cJSON *acct = call_json("GET", "/v1/accounts/1", key_c, NULL, 200);
	assert_string_equal(str(acct, "balance"), "6.00");
	assert_string_equal(str(acct, "available"), "4.00");
	cJSON_Delete(acct);
	cJSON_Delete(call_json("GET", "/v1/accounts/1", key_a, NULL, 404));
	char path[96];
	snprintf(path, sizeof(path), "/v1/consignments/%lld/refund", id1);
	/* The return must be filed first, as a return of the original. */
	cJSON_Delete(call_json("POST", path, key_c, "{\"return_lrn\":\"RET-1\"}", 422));
	cJSON *ret = cJSON_Parse(fixture);
	cJSON_ReplaceItemInObject(ret, "lrn", cJSON_CreateString("RET-1"));
	cJSON_ReplaceItemInObject(ret, "declaration_type", cJSON_CreateString("return"));
	cJSON_AddStringToObject(ret, "original_lrn", "API-ACCT-1");
	char *rbody = cJSON_PrintUnformatted(ret);
	cJSON_Delete(call_json("POST", "/v1/consignments", key_c, rbody, 201));
	free(rbody);
	cJSON_Delete(ret);
	cJSON *rf = call_json("POST", path, key_c, "{\"return_lrn\":\"RET-1\"}", 200);
	assert_int_equal(num(rf, "refunded_minor_units"), 600);
	cJSON_Delete(rf);
	cJSON_Delete(call_json("POST", path, key_c, "{\"return_lrn\":\"RET-1\"}", 409));
	snprintf(path, sizeof(path), "/v1/consignments/%lld/refund", id2);
	cJSON_Delete(call_json("POST", path, key_c, "{\"return_lrn\":\"RET-2\"}", 409));
	char month[8], day[11];
	mlv_date_format((int32_t)(time(NULL) / 86400), day);
	snprintf(month, sizeof(month), "%.7s", day);
	snprintf(path, sizeof(path), "/v1/accounts/1/statement?month=%s", month);
	cJSON *stm = call_json("GET", path, key_c, NULL, 200);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(stm, "entries")), 2);
	assert_string_equal(str(stm, "debits"), "6.00");
	assert_string_equal(str(stm, "credits"), "6.00");
	assert_string_equal(str(stm, "due"), "0.00");
	cJSON_Delete(stm);
	cJSON_Delete(call_json("GET", "/v1/accounts/1/statement?month=26-11", key_c, NULL, 400));
	free(b1);
	free(b2);
}

static cJSON *act(long long id, const char *body, long expect)
{
	char path[96];
	snprintf(path, sizeof(path), "/v1/consignments/%lld/actions", id);
	return call_json("POST", path, key_officer, body, expect);
}

/* The officer's side: the queue, an inspection closed by a seizure with
 * revenue recovered, which feeds the performance of the rule that selected
 * the consignment; roles keep filers and officers apart. */
static void test_officer_flow(void **state)
{
	(void)state;
	cJSON *c = cJSON_Parse(fixture);
	cJSON_ReplaceItemInObject(c, "lrn", cJSON_CreateString("API-OFF-1"));
	cJSON *it = cJSON_GetArrayItem(cJSON_GetObjectItem(c, "items"), 1);
	cJSON_ReplaceItemInObject(it, "hs_code", cJSON_CreateString("854340"));
	cJSON_ReplaceItemInObject(it, "description",
				  cJSON_CreateString("Disposable electronic cigarette, 600 puffs"));
	char *body = cJSON_PrintUnformatted(c);
	cJSON *f = call_json("POST", "/v1/consignments", key_a, body, 201);
	long long id = num(f, "id");
	cJSON *hit0 = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(f, "risk"), "hits"), 0);
	char rule[48];
	snprintf(rule, sizeof(rule), "%s", str(hit0, "rule"));
	cJSON_Delete(f);
	cJSON *a = post_arrival(id, key_a, 200);
	assert_string_equal(str(a, "state"), "arrived");
	cJSON_Delete(a);

	/* Roles: a filer has no queue; an officer does not file. */
	cJSON_Delete(call_json("GET", "/v1/queue", key_a, NULL, 403));
	cJSON_Delete(call_json("POST", "/v1/consignments", key_officer, body, 403));
	cJSON *q = call_json("GET", "/v1/queue?limit=500", key_officer, NULL, 200);
	bool queued = false;
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(q, "items"))
		queued |= num(e, "id") == id;
	assert_true(queued);
	cJSON_Delete(q);
	char path[96];
	snprintf(path, sizeof(path), "/v1/officer/consignments/%lld", id);
	cJSON_Delete(call_json("GET", path, key_officer, NULL, 200));

	/* Decisions, each explained; the table forbids the impossible. */
	cJSON_Delete(act(id, "{\"action\":\"inspect\"}", 422));
	cJSON_Delete(act(id, "{\"action\":\"seize\",\"reason\":\"too early\"}", 409));
	cJSON *i1 = act(id, "{\"action\":\"inspect\",\"reason\":\"prohibited goods\"}", 200);
	assert_string_equal(str(i1, "state"), "inspected");
	cJSON_Delete(i1);
	cJSON *s1 = act(id, "{\"action\":\"seize\",\"reason\":\"disposable vapes, FR ban\","
			    "\"result\":\"seizure\",\"revenue_recovered\":\"12.00\"}", 200);
	assert_string_equal(str(s1, "state"), "seized");
	cJSON_Delete(s1);
	cJSON_Delete(act(id, "{\"action\":\"release\",\"reason\":\"changed my mind\"}", 409));
	snprintf(path, sizeof(path), "/v1/consignments/%lld/events", id);
	cJSON *ev = call_json("GET", path, key_a, NULL, 200);
	cJSON *last = cJSON_GetArrayItem(cJSON_GetObjectItem(ev, "events"),
					 cJSON_GetArraySize(cJSON_GetObjectItem(ev, "events")) - 1);
	assert_string_equal(str(last, "type"), "seize");
	assert_string_equal(str(last, "actor"), "officer:officer-dupont");
	cJSON_Delete(ev);

	/* The result reached the rule's performance. */
	snprintf(path, sizeof(path), "/v1/rules/%s/performance", rule);
	cJSON *p = call_json("GET", path, key_officer, NULL, 200);
	assert_true(num(p, "hits") >= 1);
	assert_true(num(p, "controls") >= 1);
	assert_true(num(p, "findings") >= 1);
	cJSON_Delete(p);
	cJSON_Delete(call_json("GET", "/v1/rules/NO-SUCH-RULE/performance", key_officer, NULL, 404));
	cJSON_Delete(call_json("GET", path, key_a, NULL, 403));
	free(body);
	cJSON_Delete(c);
}

/* Mass assignment: every server-owned field (and a stray one), injected
 * into every write - filings, lifecycle actions, the quote, operators,
 * MRAs and keys - is refused, and nothing changes. */
static void test_mass_assignment(void **state)
{
	(void)state;
	static const char *const owned[] = {"status", "state", "lane", "duty", "tax", "risk",
		"risk_score", "score", "quality_score", "decision", "released", "id", "version",
		"filer", "filed_at", "updated_at", "released_at", "received_at", "assessment",
		"on_account", "refunded", "created_at", "aeo_recognition", "links", "history",
		"in_force", "key", "prefix", "revoked_at", "generation", "x_unknown"};
	char *body = consignment("API-MASS-1", NULL);
	cJSON *f = call_json("POST", "/v1/consignments", key_a, body, 201);
	long long id = num(f, "id");
	cJSON_Delete(f);
	/* the registry's writes, each with its own members only */
	long long op = create_operator("{\"kind\":\"broker\",\"name\":\"MASS-OP\","
				       "\"country\":\"FR\"}");
	cJSON *mr = call_json("POST", "/v1/mras", key_admin,
			      "{\"reference\":\"MASS-MRA\",\"party_a\":\"EU\","
			      "\"party_b\":\"NZ\",\"valid_from\":\"2020-01-01\"}",
			      201);
	long long mra = num(mr, "id");
	cJSON_Delete(mr);
	cJSON *keys = call_json("GET", "/v1/keys", key_admin, NULL, 200);
	int nkeys = cJSON_GetArraySize(cJSON_GetObjectItem(keys, "items"));
	cJSON_Delete(keys);
	size_t writes = 0;
	char path[128], extra[512];
	for (size_t i = 0; i < MLV_ARRAY_LEN(owned); i++) {
		const char *m = owned[i];
		char ptr[64];
		snprintf(ptr, sizeof(ptr), "/%s", m);
		for (int form = 0; form < 2; form++) {
			const char *value = form == 0 ? "\"released\"" : "0";
			/* the consignment itself, alone and in a batch */
			cJSON *c = cJSON_Parse(body);
			cJSON_AddItemToObject(c, m, cJSON_Parse(value));
			char *text = cJSON_PrintUnformatted(c);
			cJSON_Delete(c);
			cJSON *p = call_json("POST", "/v1/consignments", key_a, text, 422);
			if (!has_error(p, ptr, "unknown_field") && !has_error(p, ptr, "read_only"))
				fail_msg("POST /v1/consignments with %s: no error at %s", m, ptr);
			cJSON_Delete(p);
			http_res r;
			http_res_init(&r);
			assert_int_equal(http_call(base, "POST", "/v1/consignments:batch", key_a,
						   "application/x-ndjson", text, strlen(text), &r),
					 0);
			assert_int_equal(r.status, 200);
			cJSON *line = cJSON_Parse(r.body.data);
			assert_non_null(line);
			assert_string_equal(str(line, "outcome"), "rejected");
			cJSON_Delete(line);
			http_res_free(&r);
			cJSON_free(text);

			/* the public quote */
			snprintf(extra, sizeof(extra),
				 "{\"destination\":\"FR\",\"items\":[{\"hs_code\":\"851762\","
				 "\"origin_country\":\"CN\",\"currency\":\"EUR\",\"value\":\"10.00\"}],"
				 "\"%s\":%s}", m, value);
			cJSON_Delete(quote(extra, 422));

			/* the lifecycle actions */
			snprintf(extra, sizeof(extra), "{\"%s\":%s}", m, value);
			snprintf(path, sizeof(path), "/v1/consignments/%lld/arrival", id);
			p = call_json("POST", path, key_a, extra, 422);
			assert_true(has_error(p, ptr, "unknown_field"));
			cJSON_Delete(p);
			snprintf(extra, sizeof(extra), "{\"return_lrn\":\"API-MASS-R\",\"%s\":%s}", m,
				 value);
			snprintf(path, sizeof(path), "/v1/consignments/%lld/refund", id);
			p = call_json("POST", path, key_a, extra, 422);
			assert_true(has_error(p, ptr, "unknown_field"));
			cJSON_Delete(p);
			snprintf(extra, sizeof(extra),
				 "{\"action\":\"hold\",\"reason\":\"mass assignment test\",\"%s\":%s}",
				 m, value);
			p = act(id, extra, 422);
			assert_true(has_error(p, ptr, "unknown_field"));
			cJSON_Delete(p);
			writes += 6;

			/* operators: create and change */
			snprintf(extra, sizeof(extra),
				 "{\"kind\":\"broker\",\"name\":\"MASS-OP-2\",\"country\":\"FR\","
				 "\"%s\":%s}",
				 m, value);
			p = call_json("POST", "/v1/operators", key_admin, extra, 422);
			if (!has_error(p, ptr, "unknown_field") && !has_error(p, ptr, "read_only"))
				fail_msg("POST /v1/operators with %s: no error at %s", m, ptr);
			cJSON_Delete(p);
			snprintf(extra, sizeof(extra), "{\"name\":\"MASS-OP-X\",\"%s\":%s}", m, value);
			snprintf(path, sizeof(path), "/v1/operators/%lld", op);
			p = call_json("PATCH", path, key_admin, extra, 422);
			if (!has_error(p, ptr, "unknown_field") && !has_error(p, ptr, "read_only"))
				fail_msg("PATCH /v1/operators with %s: no error at %s", m, ptr);
			cJSON_Delete(p);
			/* MRAs: register and change */
			snprintf(extra, sizeof(extra),
				 "{\"reference\":\"MASS-MRA-2\",\"party_a\":\"EU\",\"party_b\":\"CA\","
				 "\"valid_from\":\"2020-01-01\",\"%s\":%s}",
				 m, value);
			p = call_json("POST", "/v1/mras", key_admin, extra, 422);
			if (!has_error(p, ptr, "unknown_field") && !has_error(p, ptr, "read_only"))
				fail_msg("POST /v1/mras with %s: no error at %s", m, ptr);
			cJSON_Delete(p);
			snprintf(extra, sizeof(extra), "{\"valid_to\":\"2099-01-01\",\"%s\":%s}", m,
				 value);
			snprintf(path, sizeof(path), "/v1/mras/%lld", mra);
			p = call_json("PATCH", path, key_admin, extra, 422);
			if (!has_error(p, ptr, "unknown_field") && !has_error(p, ptr, "read_only"))
				fail_msg("PATCH /v1/mras with %s: no error at %s", m, ptr);
			cJSON_Delete(p);
			/* keys ("filer" is a member of this write: given twice) */
			snprintf(extra, sizeof(extra),
				 "{\"filer\":\"mass-filer\",\"role\":\"filer\",\"%s\":%s}", m, value);
			p = call_json("POST", "/v1/keys", key_admin, extra, 422);
			if (!has_error(p, ptr, "unknown_field") && !has_error(p, ptr, "read_only") &&
			    !has_error(p, ptr, "duplicate_key"))
				fail_msg("POST /v1/keys with %s: no error at %s", m, ptr);
			cJSON_Delete(p);
			writes += 5;
		}
	}
	print_message("mass assignment: %zu members x forms x writes, %zu refused writes\n",
		      MLV_ARRAY_LEN(owned), writes);
	/* a member given twice, and nesting, are refused too */
	cJSON *p = act(id, "{\"action\":\"hold\",\"reason\":\"twice\",\"reason\":\"again\"}", 422);
	assert_true(has_error(p, "/reason", "duplicate_key"));
	cJSON_Delete(p);
	cJSON_Delete(act(id, "{\"action\":{\"x\":\"hold\"},\"reason\":\"nested\"}", 400));
	/* nothing changed: still assessed, version 1, one event */
	snprintf(path, sizeof(path), "/v1/consignments/%lld", id);
	cJSON *g = call_json("GET", path, key_a, NULL, 200);
	assert_string_equal(str(g, "status"), "assessed");
	assert_int_equal(num(g, "version"), 1);
	cJSON_Delete(g);
	snprintf(path, sizeof(path), "/v1/consignments/%lld/events", id);
	cJSON *ev = call_json("GET", path, key_a, NULL, 200);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(ev, "events")), 1);
	cJSON_Delete(ev);
	/* and the actions still work with their own members */
	cJSON_Delete(post_arrival(id, key_a, 200));
	/* the registry and the keys are untouched */
	snprintf(path, sizeof(path), "/v1/operators/%lld", op);
	g = call_json("GET", path, key_admin, NULL, 200);
	assert_int_equal(num(g, "version"), 1);
	assert_string_equal(str(g, "name"), "MASS-OP");
	cJSON_Delete(g);
	cJSON *l = call_json("GET", "/v1/operators?name=mass-op", key_admin, NULL, 200);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(l, "items")), 1);
	cJSON_Delete(l);
	snprintf(path, sizeof(path), "/v1/mras/%lld", mra);
	g = call_json("GET", path, NULL, NULL, 200);
	assert_int_equal(num(g, "version"), 1);
	cJSON_Delete(g);
	l = call_json("GET", "/v1/mras?party=CA", NULL, NULL, 200);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(l, "items")), 0);
	cJSON_Delete(l);
	keys = call_json("GET", "/v1/keys", key_admin, NULL, 200);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(keys, "items")), nkeys);
	cJSON_Delete(keys);
	free(body);
}

/* Object-level authorization: every endpoint that names an object (or
 * lists objects), for 80 of filer A's consignments and 20 operators, asked
 * by every role that is not entitled to them: two other filers, a filer
 * acting for another registered operator, officer, analyst, supervisor,
 * auditor, agency, partner administration and administrator wherever their
 * role does not reach the object, A's expired key, a wrong key and nobody.
 * More than 10,000 requests, none of which may answer with A's data (its
 * LRNs, the operators' names and contacts, A's key prefix) or change
 * anything.  Roles that are entitled (officers on the officers' routes,
 * customs staff reading the registry, administrators writing it) are not
 * "someone else" and are left out.  A server of its own without the
 * lock-out, which the failed keys would trip. */
enum {
	W_FILER = 1u << 0,
	W_OFFICER = 1u << 1,
	W_ANALYST = 1u << 2,
	W_SUPERVISOR = 1u << 3,
	W_AUDITOR = 1u << 4,
	W_AGENCY = 1u << 5,
	W_PARTNER = 1u << 6,
	W_ADMIN = 1u << 7,
};
#define W_STAFF (W_OFFICER | W_ANALYST | W_SUPERVISOR | W_AUDITOR)

static long long rules_version(const char *url);

static void test_authorization_matrix(void **state)
{
	(void)state;
	long long rules_before = rules_version(base);
	enum { N = 80, M = 20 };
	char url[64];
	mlv_server *srv = limited(0, 0, url, sizeof(url));
	long long ids[N], events[N], ops[M];
	char path[200];
	for (int i = 0; i < N; i++) {
		/* a platform no registered operator holds: nobody is a party */
		char lrn[32];
		snprintf(lrn, sizeof(lrn), "API-AZ-%03d", i);
		cJSON *c = cJSON_Parse(fixture);
		cJSON_ReplaceItemInObject(c, "lrn", cJSON_CreateString(lrn));
		cJSON_ReplaceItemInObject(cJSON_GetObjectItem(c, "buyer"), "name",
					  cJSON_CreateString(lrn));
		cJSON_ReplaceItemInObject(cJSON_GetObjectItem(c, "platform"), "identifier",
					  cJSON_CreateString("IE7654321X"));
		char *body = cJSON_PrintUnformatted(c);
		cJSON_Delete(c);
		cJSON *f = call_json("POST", "/v1/consignments", key_a, body, 201);
		ids[i] = num(f, "id");
		cJSON_Delete(f);
		free(body);
		fill(path, sizeof(path), "/v1/consignments/{}/events", ids[i]);
		cJSON *ev = call_json("GET", path, key_a, NULL, 200);
		events[i] = num(cJSON_GetArrayItem(cJSON_GetObjectItem(ev, "events"), 0), "id");
		cJSON_Delete(ev);
	}
	/* A's operator (A reads it: the control) and operators of nobody; none
	 * an AEO, so a partner administration sees none of them. */
	for (int j = 0; j < M; j++) {
		char json[512];
		snprintf(json, sizeof(json),
			 "{\"kind\":\"seller\",\"name\":\"AZ-OP-%03d\",\"country\":\"CN\","
			 "\"identifiers\":[{\"type\":\"tin\",\"value\":\"AZOP%04d\"}],"
			 "\"contacts\":[{\"name\":\"Az Contact\",\"email\":\"az-op-%d@example.org\"}]"
			 "%s}",
			 j, j, j, j == 0 ? ",\"filers\":[\"platform-a\"]" : "");
		ops[j] = create_operator(json);
	}
	fill(path, sizeof(path), "/v1/operators/{}", ops[0]);
	cJSON_Delete(call_json("GET", path, key_a, NULL, 200));
	cJSON *m = call_json("POST", "/v1/mras", key_admin,
			     "{\"reference\":\"AZ-MRA\",\"party_a\":\"EU\",\"party_b\":\"KR\","
			     "\"valid_from\":\"2021-01-01\"}",
			     201);
	long long mra = num(m, "id");
	cJSON_Delete(m);
	char prefix_a[16];
	snprintf(prefix_a, sizeof(prefix_a), "%.12s", key_a);

	/* A's referrals, parts and webhooks, each naming "API-AZ-" so that a
	 * leak shows; on consignments of their own (the ones above must stay
	 * unchanged). */
	enum { NR = 8, NP = 8, NW = 5 };
	long long refs[NR], parts[NP], hooks[NW];
	for (int i = 0; i < NR; i++) {
		char lrn[32];
		snprintf(lrn, sizeof(lrn), "API-AZ-R-%03d", i);
		char *body = consignment(lrn, NULL);
		/* a platform no registered operator holds: nobody is a party */
		char *platform = strstr(body, "IE1234567X");
		if (platform != NULL)
			memcpy(platform, "IE7654321X", 10);
		cJSON *f = call_json("POST", "/v1/consignments", key_a, body, 201);
		fill(path, sizeof(path), "/v1/consignments/{}/referrals", num(f, "id"));
		cJSON_Delete(f);
		free(body);
		cJSON *r = call_json("POST", path, key_officer,
				     "{\"kind\":\"information\",\"reason\":\"send the invoice\"}", 201);
		refs[i] = num(r, "id");
		cJSON_Delete(r);
	}
	for (int i = 0; i < NP; i++) {
		char body[256];
		snprintf(body, sizeof(body),
			 "{\"role\":\"platform\",\"tracking_number\":\"AZ-LINK-%03d\",\"data\":"
			 "{\"lrn\":\"API-AZ-P-%03d\",\"channel\":\"post\"}}", i, i);
		cJSON *p = call_json("POST", "/v1/parts", key_a, body, 201);
		parts[i] = num(cJSON_GetObjectItem(p, "part"), "id");
		cJSON_Delete(p);
	}
	for (int i = 0; i < NW; i++) {
		char body[128];
		snprintf(body, sizeof(body), "{\"url\":\"http://127.0.0.1:9/API-AZ-hook-%d\"}", i);
		cJSON *w = call_json("POST", "/v1/webhooks", key_a, body, 201);
		hooks[i] = num(w, "id");
		cJSON_Delete(w);
	}
	/* Who asks: everyone but A. */
	const struct {
		const char *key;
		unsigned role;
	} who[] = {
		{key_expired, 0},
		{"mlv_not-a-key-at-all-0000000000", 0},
		{NULL, 0},
		{key_b, W_FILER},
		{key_c, W_FILER},
		{key_party, W_FILER},
		{key_officer, W_OFFICER},
		{key_analyst, W_ANALYST},
		{key_supervisor, W_SUPERVISOR},
		{key_auditor, W_AUDITOR},
		{key_agency, W_AGENCY},
		{key_partner, W_PARTNER},
		{key_admin, W_ADMIN},
	};
	enum { CONSIGNMENT, EVENT, OPERATOR, REFERRAL, PART, WEBHOOK };
	struct ep {
		const char *method, *fmt, *body;
		int object;
		unsigned entitled; /* roles that reach any such object: not asked */
		bool list;	   /* a list: 200 is fine, without the others' data */
	};
	static const struct ep eps[] = {
		{"GET", "/v1/consignments/{}", NULL, CONSIGNMENT, 0, false},
		{"GET", "/v1/consignments/{}/versions/1", NULL, CONSIGNMENT, 0, false},
		{"GET", "/v1/consignments/{}/events", NULL, CONSIGNMENT, 0, false},
		{"POST", "/v1/consignments/{}/arrival", "{}", CONSIGNMENT, 0, false},
		{"POST", "/v1/consignments/{}/refund", "{\"return_lrn\":\"API-AZ-R\"}", CONSIGNMENT, 0,
		 false},
		{"GET", "/v1/accounts/{}", NULL, CONSIGNMENT, 0, false},
		{"GET", "/v1/accounts/{}/statement?month=2026-11", NULL, CONSIGNMENT, 0, false},
		{"GET", "/v1/officer/consignments/{}", NULL, CONSIGNMENT, W_OFFICER | W_SUPERVISOR,
		 false},
		{"POST", "/v1/consignments/{}/actions",
		 "{\"action\":\"release\",\"reason\":\"authorization matrix\"}", CONSIGNMENT,
		 W_OFFICER | W_SUPERVISOR, false},
		{"GET", "/v1/consignments?limit=100", NULL, CONSIGNMENT, 0, true},
		{"GET", "/v1/consignments?party=true&limit=100", NULL, CONSIGNMENT, 0, true},
		{"GET", "/v1/queue?limit=100", NULL, CONSIGNMENT, W_OFFICER | W_SUPERVISOR, true},
		/* the risk rules: analysts and supervisors write, auditors read too */
		{"GET", "/v1/rules", NULL, CONSIGNMENT, W_ANALYST | W_SUPERVISOR | W_AUDITOR, false},
		{"PUT", "/v1/rules", "[profile]\nid = x\n", CONSIGNMENT, W_ANALYST | W_SUPERVISOR, false},
		{"POST", "/v1/rules", "[rule X]\nweight = 1\n", CONSIGNMENT, W_ANALYST | W_SUPERVISOR,
		 false},
		{"GET", "/v1/rules/versions", NULL, CONSIGNMENT, W_ANALYST | W_SUPERVISOR | W_AUDITOR,
		 false},
		{"GET", "/v1/rules/versions/1", NULL, CONSIGNMENT, W_ANALYST | W_SUPERVISOR | W_AUDITOR,
		 false},
		{"GET", "/v1/rules/R-VAL-UNDER-ANY", NULL, CONSIGNMENT,
		 W_ANALYST | W_SUPERVISOR | W_AUDITOR, false},
		{"DELETE", "/v1/rules/R-VAL-UNDER-ANY", NULL, CONSIGNMENT, W_ANALYST | W_SUPERVISOR,
		 false},
		{"GET", "/v1/rules/performance", NULL, CONSIGNMENT, W_STAFF, false},
		{"GET", "/v1/rules/R-VAL-UNDER-ANY/performance", NULL, CONSIGNMENT, W_STAFF, false},
		{"GET", "/v1/risk/operator-scores?role=seller", NULL, CONSIGNMENT, W_STAFF, false},
		/* the lifecycle of issue 5: referrals, parts, notifications, webhooks */
		{"POST", "/v1/consignments/{}/exit", "{}", CONSIGNMENT, 0, false},
		{"GET", "/v1/officer/consignments/{}/events", NULL, CONSIGNMENT,
		 W_OFFICER | W_SUPERVISOR | W_AUDITOR, false},
		{"GET", "/v1/officer/consignments/{}/parts", NULL, CONSIGNMENT,
		 W_OFFICER | W_SUPERVISOR | W_AUDITOR, false},
		{"POST", "/v1/consignments/{}/referrals",
		 "{\"kind\":\"information\",\"reason\":\"authorization matrix\"}", CONSIGNMENT,
		 W_OFFICER | W_SUPERVISOR, false},
		{"GET", "/v1/referrals/{}", NULL, REFERRAL, W_OFFICER | W_SUPERVISOR | W_AUDITOR, false},
		{"POST", "/v1/referrals/{}/answer", "{\"text\":\"authorization matrix\"}", REFERRAL, 0,
		 false},
		{"POST", "/v1/referrals/{}/close",
		 "{\"outcome\":\"withdrawn\",\"reason\":\"authorization matrix\"}", REFERRAL,
		 W_OFFICER | W_SUPERVISOR, false},
		{"GET", "/v1/referrals/{}/documents/1", NULL, REFERRAL,
		 W_OFFICER | W_SUPERVISOR | W_AUDITOR, false},
		{"GET", "/v1/parts/{}", NULL, PART, 0, false},
		{"GET", "/v1/webhooks/{}", NULL, WEBHOOK, 0, false},
		{"DELETE", "/v1/webhooks/{}", NULL, WEBHOOK, 0, false},
		{"GET", "/v1/referrals?limit=100", NULL, CONSIGNMENT, W_OFFICER | W_SUPERVISOR | W_AUDITOR,
		 true},
		{"GET", "/v1/parts?limit=100", NULL, CONSIGNMENT, 0, true},
		{"GET", "/v1/notifications?limit=100", NULL, CONSIGNMENT, 0, true},
		{"GET", "/v1/webhooks", NULL, CONSIGNMENT, 0, true},
		{"GET", "/v1/audit/proof/inclusion?event={}", NULL, EVENT, 0, false},
		{"GET", "/v1/operators/{}", NULL, OPERATOR, W_STAFF | W_ADMIN, false},
		{"PATCH", "/v1/operators/{}", "{\"name\":\"hijacked\"}", OPERATOR, W_ADMIN, false},
		{"GET", "/v1/operators/{}/history", NULL, OPERATOR, W_ADMIN | W_AUDITOR | W_SUPERVISOR,
		 false},
		{"GET", "/v1/mras/%MRA%/history", NULL, OPERATOR, W_ADMIN | W_AUDITOR | W_SUPERVISOR,
		 false},
		{"GET", "/v1/operators?limit=100", NULL, OPERATOR, W_STAFF | W_ADMIN, true},
		{"GET", "/v1/operators?name=az-op&limit=100", NULL, OPERATOR, W_STAFF | W_ADMIN, true},
		{"GET", "/v1/keys", NULL, OPERATOR, W_ADMIN, false},
		{"POST", "/v1/keys", "{\"filer\":\"platform-a\",\"role\":\"admin\"}", OPERATOR, W_ADMIN,
		 false},
		{"DELETE", "/v1/keys/%KEY%", NULL, OPERATOR, W_ADMIN, false},
		{"PATCH", "/v1/mras/%MRA%", "{\"valid_to\":\"2021-01-31\"}", OPERATOR, W_ADMIN, false},
		{"POST", "/v1/mras",
		 "{\"reference\":\"AZ\",\"party_a\":\"EU\",\"party_b\":\"US\","
		 "\"valid_from\":\"2021-01-01\"}",
		 OPERATOR, W_ADMIN, false},
		/* the portal's editors' endpoints (the portal's own matrix, every
		 * endpoint x every role, is in test_portal.c) */
		{"GET", "/v1/portal/drafts", NULL, CONSIGNMENT, W_SUPERVISOR | W_ADMIN, false},
		{"PUT", "/v1/portal/drafts/FR", "{\"notes\":\"matrix\"}", CONSIGNMENT,
		 W_SUPERVISOR | W_ADMIN, false},
		{"POST", "/v1/portal/publish", "{}", CONSIGNMENT, W_SUPERVISOR | W_ADMIN, false},
		{"GET", "/v1/stats/consignments?by=filer&filer={}", NULL, CONSIGNMENT, W_STAFF, false},
		{"GET", "/v1/stats/release-times", NULL, CONSIGNMENT, W_STAFF, false},
		{"GET", "/v1/stats/rules", NULL, CONSIGNMENT, W_STAFF, false},
	};
	/* What must never come back to them. */
	const char *marks[] = {"API-AZ-", "AZ-OP-", "az-op-", "AZOP", "AZ-LINK-", prefix_a};
	size_t requests = 0;
	for (size_t e = 0; e < MLV_ARRAY_LEN(eps); e++) {
		size_t nobj = eps[e].object == OPERATOR	  ? M
			      : eps[e].object == REFERRAL ? NR
			      : eps[e].object == PART	  ? NP
			      : eps[e].object == WEBHOOK  ? NW
							  : N;
		for (size_t i = 0; i < nobj; i++) {
			long long id = eps[e].object == EVENT	   ? events[i]
				       : eps[e].object == OPERATOR ? ops[i]
				       : eps[e].object == REFERRAL ? refs[i]
				       : eps[e].object == PART	   ? parts[i]
				       : eps[e].object == WEBHOOK  ? hooks[i]
								   : ids[i];
			fill(path, sizeof(path), eps[e].fmt, id);
			char *k = strstr(path, "%KEY%"), *mr = strstr(path, "%MRA%");
			if (k != NULL)
				snprintf(k, sizeof(path) - (size_t)(k - path), "%s", prefix_a);
			if (mr != NULL) {
				char tail[sizeof(path)];
				snprintf(tail, sizeof(tail), "%s", mr + 5);
				snprintf(mr, sizeof(path) - (size_t)(mr - path), "%lld%s", mra, tail);
			}
			for (size_t w = 0; w < MLV_ARRAY_LEN(who); w++) {
				if (who[w].role & eps[e].entitled)
					continue;
				http_res r;
				http_res_init(&r);
				const char *b = eps[e].body;
				assert_int_equal(http_call(url, eps[e].method, path, who[w].key,
							   b ? "application/json" : NULL, b,
							   b ? strlen(b) : 0, &r),
						 0);
				requests++;
				const char *text = r.body.data ? r.body.data : "";
				bool leak = false;
				for (size_t k2 = 0; k2 < MLV_ARRAY_LEN(marks); k2++)
					leak |= strstr(text, marks[k2]) != NULL;
				bool refused = r.status == 401 || r.status == 403 || r.status == 404;
				bool listed = eps[e].list && r.status == 200;
				if ((!refused && !listed) || leak)
					fail_msg("%s %s as caller %zu -> %ld: %.300s", eps[e].method, path,
						 w, r.status, text);
				http_res_free(&r);
			}
		}
	}
	/* A's referrals, parts and webhooks are as they were */
	for (int i = 0; i < NR; i++) {
		fill(path, sizeof(path), "/v1/referrals/{}", refs[i]);
		cJSON *g = call_json("GET", path, key_officer, NULL, 200);
		assert_string_equal(str(g, "status"), "open");
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(g, "answers")), 0);
		cJSON_Delete(g);
	}
	for (int i = 0; i < NP; i++) {
		fill(path, sizeof(path), "/v1/parts/{}", parts[i]);
		cJSON *g = call_json("GET", path, key_a, NULL, 200);
		assert_int_equal(num(g, "version"), 1);
		cJSON_Delete(g);
	}
	for (int i = 0; i < NW; i++) {
		fill(path, sizeof(path), "/v1/webhooks/{}", hooks[i]);
		cJSON_Delete(call_json("GET", path, key_a, NULL, 200));
		http_res r;
		http_res_init(&r);
		assert_int_equal(http_call(base, "DELETE", path, key_a, NULL, NULL, 0, &r), 0);
		assert_int_equal(r.status, 204);
		http_res_free(&r);
	}
	print_message("authorization matrix: %zu requests, no foreign data\n", requests);
	assert_true(requests >= 10000);
	/* nothing changed: every consignment still assessed, with one event;
	 * every operator at version 1; A's key alive and still a filer's; the
	 * MRA unchanged and no other registered */
	for (int i = 0; i < N; i++) {
		fill(path, sizeof(path), "/v1/consignments/{}", ids[i]);
		cJSON *g = call_json("GET", path, key_a, NULL, 200);
		assert_string_equal(str(g, "status"), "assessed");
		cJSON_Delete(g);
		fill(path, sizeof(path), "/v1/consignments/{}/events", ids[i]);
		cJSON *ev = call_json("GET", path, key_a, NULL, 200);
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(ev, "events")), 1);
		cJSON_Delete(ev);
	}
	for (int j = 0; j < M; j++) {
		fill(path, sizeof(path), "/v1/operators/{}", ops[j]);
		cJSON *g = call_json("GET", path, key_admin, NULL, 200);
		assert_int_equal(num(g, "version"), 1);
		assert_null(strstr(str(g, "name"), "hijacked"));
		cJSON_Delete(g);
	}
	fill(path, sizeof(path), "/v1/mras/{}", mra);
	m = call_json("GET", path, NULL, NULL, 200);
	assert_int_equal(num(m, "version"), 1);
	cJSON_Delete(m);
	cJSON *l = call_json("GET", "/v1/mras?party=US", NULL, NULL, 200);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(l, "items")), 0);
	cJSON_Delete(l);
	assert_int_equal(status_of(url, key_a, NULL, 0), 200);
	l = call_json("GET", "/v1/keys?filer=platform-a", key_admin, NULL, 200);
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(l, "items"))
		assert_string_not_equal(str(it, "role"), "admin"); /* nobody made A an admin */
	cJSON_Delete(l);
	/* and the rules are at the same version: no write got through */
	assert_int_equal(rules_version(base), rules_before);
	mlv_server_stop(srv);
}

/* GET /metrics, read as a Prometheus scraper would, against the rules of
 * the text exposition format 0.0.4: every sample belongs to a family
 * declared by one # TYPE line before its first sample, a family's lines
 * are one group, HELP and TYPE come at most once, names and label names
 * are well formed, label values use only the \\ \" \n escapes, no series
 * is given twice, counters are not negative, and each histogram series
 * has buckets in increasing le, cumulative, up to +Inf equal to its
 * _count, and a _sum. */
#define FAMILIES_MAX 64
#define SERIES_MAX 2048

struct family {
	char name[64], type[16];
	bool help, done; /* done: its group has ended */
};

struct hseries {
	char key[192]; /* family and labels without le */
	double last_le, last_count;
	bool inf, sum;
	double inf_count;
};

static bool name_ok(const char *p, size_t n, bool metric)
{
	if (n == 0 || (p[0] >= '0' && p[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || (metric && c == ':')))
			return false;
	}
	return metric || n < 2 || p[0] != '_' || p[1] != '_';
}

static struct family *family_of(struct family *fams, size_t nfam, const char *name, size_t n)
{
	for (size_t k = 0; k < nfam; k++) {
		size_t l = strlen(fams[k].name);
		if (strncmp(name, fams[k].name, l) != 0)
			continue;
		if (n == l)
			return &fams[k];
		if (strcmp(fams[k].type, "histogram") == 0 &&
		    ((n - l == 7 && strncmp(name + l, "_bucket", 7) == 0) ||
		     (n - l == 4 && strncmp(name + l, "_sum", 4) == 0) ||
		     (n - l == 6 && strncmp(name + l, "_count", 6) == 0)))
			return &fams[k];
	}
	return NULL;
}

/* Checks a whole exposition: NULL when it keeps the rules, else what
 * breaks them (with the line).  *found receives the value of the sample
 * whose line starts with sample_prefix followed by a space, or -1. */
static char problem_text[320];
#define BAD(...) \
	do { \
		snprintf(problem_text, sizeof(problem_text), __VA_ARGS__); \
		return problem_text; \
	} while (0)

static const char *exposition_problem(char *text, const char *sample_prefix, double *found)
{
	static struct family fams[FAMILIES_MAX];
	static char seen[SERIES_MAX][224];
	static struct hseries hs[SERIES_MAX];
	size_t nfam = 0, nseen = 0, nhs = 0;
	struct family *current = NULL;
	*found = -1;
	if (text[0] == '\0' || text[strlen(text) - 1] != '\n')
		BAD("the exposition does not end with a newline");
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#') {
			char kind[8], name[64], rest[256];
			int k = sscanf(line, "# %7s %63s %255[^\n]", kind, name, rest);
			if (k < 2 || (strcmp(kind, "HELP") != 0 && strcmp(kind, "TYPE") != 0))
				continue; /* a comment */
			if (!name_ok(name, strlen(name), true))
				BAD("bad family name: %s", line);
			struct family *f = NULL;
			for (size_t i = 0; i < nfam; i++)
				if (strcmp(fams[i].name, name) == 0)
					f = &fams[i];
			if (f == NULL) {
				if (nfam == FAMILIES_MAX)
					BAD("too many families");
				f = &fams[nfam++];
				memset(f, 0, sizeof(*f));
				snprintf(f->name, sizeof(f->name), "%s", name);
			}
			if (f->done || (current != NULL && current != f && !current->done &&
					current->type[0] != '\0' && f->type[0] != '\0'))
				BAD("metadata after its samples: %s", line);
			if (strcmp(kind, "HELP") == 0) {
				if (f->help)
					BAD("HELP twice: %s", line);
				f->help = true;
			} else {
				if (k != 3 || f->type[0] != '\0')
					BAD("TYPE missing its type, or twice: %s", line);
				if (strcmp(rest, "counter") != 0 && strcmp(rest, "gauge") != 0 &&
				    strcmp(rest, "histogram") != 0 && strcmp(rest, "summary") != 0 &&
				    strcmp(rest, "untyped") != 0)
					BAD("unknown type: %s", line);
				snprintf(f->type, sizeof(f->type), "%.15s", rest);
			}
			continue;
		}
		size_t n = strcspn(line, "{ ");
		if (!name_ok(line, n, true))
			BAD("bad metric name: %s", line);
		struct family *f = family_of(fams, nfam, line, n);
		if (f == NULL || f->type[0] == '\0')
			BAD("sample without a # TYPE before it: %s", line);
		if (f->done)
			BAD("sample outside its family's group: %s", line);
		if (current != NULL && current != f)
			current->done = true;
		current = f;
		/* labels */
		char labels[192] = "", le[32] = "";
		char *p = line + n;
		if (*p == '{') {
			p++;
			char names[16][64];
			size_t nl = 0;
			while (*p != '}') {
				size_t ln = strcspn(p, "=");
				if (!name_ok(p, ln, false) || p[ln] != '=' || p[ln + 1] != '"' || nl == 16 ||
				    ln >= 64)
					BAD("bad label in %s", line);
				memcpy(names[nl], p, ln);
				names[nl][ln] = '\0';
				for (size_t i = 0; i < nl; i++)
					if (strcmp(names[i], names[nl]) == 0)
						BAD("label twice in %s", line);
				nl++;
				bool is_le = ln == 2 && strncmp(p, "le", 2) == 0;
				char *v = p + ln + 2, *e = v;
				while (*e != '"') {
					if (*e == '\0')
						BAD("unterminated label value in %s", line);
					if (*e == '\\') {
						if (e[1] != '\\' && e[1] != '"' && e[1] != 'n')
							BAD("bad escape in %s", line);
						e++;
					}
					e++;
				}
				if (is_le)
					snprintf(le, sizeof(le), "%.*s", (int)(e - v), v);
				else
					snprintf(labels + strlen(labels), sizeof(labels) - strlen(labels),
						 "%.*s,", (int)(e - p + 1), p);
				p = e + 1;
				if (*p != ',' && *p != '}')
					BAD("labels not separated by commas in %s", line);
				if (*p == ',')
					p++;
			}
			p++;
		}
		if (*p != ' ')
			BAD("no space before the value in %s", line);
		char *endv;
		double v = strtod(p + 1, &endv);
		if (endv == p + 1 || (*endv != '\0' && *endv != ' '))
			BAD("bad value in %s", line);
		/* no series twice */
		char series[224];
		snprintf(series, sizeof(series), "%.*s{%.150s%.30s}", (int)(n < 40 ? n : 40), line,
			 labels, le);
		for (size_t i = 0; i < nseen; i++)
			if (strcmp(seen[i], series) == 0)
				BAD("series given twice: %s", series);
		if (nseen == SERIES_MAX)
			BAD("too many series");
		snprintf(seen[nseen++], sizeof(seen[0]), "%s", series);
		if (strcmp(f->type, "counter") == 0 && v < 0)
			BAD("negative counter: %s", line);
		if (strcmp(f->type, "histogram") == 0) {
			char key[192];
			snprintf(key, sizeof(key), "%.40s{%.140s}", f->name, labels);
			struct hseries *h = NULL;
			for (size_t i = 0; i < nhs; i++)
				if (strcmp(hs[i].key, key) == 0)
					h = &hs[i];
			if (h == NULL) {
				if (nhs == SERIES_MAX)
					BAD("too many histogram series");
				h = &hs[nhs++];
				memset(h, 0, sizeof(*h));
				snprintf(h->key, sizeof(h->key), "%s", key);
				h->last_le = -1;
			}
			const char *suffix = line + strlen(f->name);
			if (strncmp(suffix, "_bucket", 7) == 0) {
				if (le[0] == '\0' || h->inf)
					BAD("bucket without le, or after +Inf: %s", line);
				double bound = strcmp(le, "+Inf") == 0 ? 1e300 : strtod(le, NULL);
				if (bound <= h->last_le || v < h->last_count)
					BAD("buckets out of order or not cumulative: %s", line);
				h->last_le = bound;
				h->last_count = v;
				if (bound >= 1e300) {
					h->inf = true;
					h->inf_count = v;
				}
			} else if (strncmp(suffix, "_count", 6) == 0) {
				if (!h->inf || h->inf_count != v)
					BAD("_count without +Inf, or not equal to it: %s", line);
			} else if (strncmp(suffix, "_sum", 4) == 0) {
				h->sum = true;
			}
		}
		size_t pl = strlen(sample_prefix);
		if (strncmp(line, sample_prefix, pl) == 0 && line[pl] == ' ')
			*found = v;
	}
	for (size_t i = 0; i < nhs; i++)
		if (!hs[i].inf || !hs[i].sum)
			BAD("histogram series without +Inf or _sum: %s", hs[i].key);
	return NULL;
}

static double scrape(const char *sample_prefix)
{
	http_res r;
	http_res_init(&r);
	assert_int_equal(http_call(base, "GET", "/metrics", NULL, NULL, NULL, 0, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.content_type, "text/plain; version=0.0.4"));
	double found;
	const char *bad = exposition_problem(r.body.data, sample_prefix, &found);
	if (bad != NULL)
		fail_msg("/metrics: %s", bad);
	http_res_free(&r);
	return found;
}

/* The checker refuses each way of breaking the rules (a check that cannot
 * fail would prove nothing). */
static void test_exposition_checker(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"x_total 1\n",                                          /* no TYPE */
		"# TYPE x counter\nx -1\n",                             /* negative counter */
		"# TYPE x gauge\n# TYPE x gauge\nx 1\n",                 /* TYPE twice */
		"# TYPE x gauge\nx{a=\"1\"} 1\nx{a=\"1\"} 2\n",           /* series twice */
		"# TYPE x gauge\nx{a=\"\\q\"} 1\n",                     /* bad escape */
		"# TYPE x gauge\nx{1a=\"v\"} 1\n",                      /* bad label name */
		"# TYPE x gauge\nx{a=\"v\",a=\"w\"} 1\n",                 /* label twice */
		"# TYPE x gauge\n# TYPE y gauge\nx 1\ny 1\nx{a=\"b\"} 2\n", /* group split */
		"# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"2\"} 1\n"
		"h_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n",        /* not cumulative */
		"# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 3\n"
		"h_sum 1\nh_count 2\n",                                  /* count not +Inf */
		"# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_sum 1\nh_count 2\n", /* no +Inf */
		"# TYPE x gauge\nx 1",                                   /* no final newline */
		"# TYPE x gauge\nx one\n",                               /* not a number */
	};
	for (size_t i = 0; i < MLV_ARRAY_LEN(bad); i++) {
		char text[512];
		snprintf(text, sizeof(text), "%s", bad[i]);
		double v;
		if (exposition_problem(text, "x", &v) == NULL)
			fail_msg("accepted: %s", bad[i]);
	}
	char good[] = "# HELP x A gauge.\n# TYPE x gauge\nx{a=\"q\\\"\\\\\\n\"} 1.5\nx 2\n"
		      "# TYPE h histogram\nh_bucket{op=\"a\",le=\"0.5\"} 1\n"
		      "h_bucket{op=\"a\",le=\"+Inf\"} 3\nh_sum{op=\"a\"} 2.5\nh_count{op=\"a\"} 3\n";
	double v;
	const char *why = exposition_problem(good, "x", &v);
	if (why != NULL)
		fail_msg("refused a good text: %s", why);
	assert_true(v == 2);
}

/* One integer from the test's own read of the database. */
static long long db_int(const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *q = NULL;
	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(h, sql, -1, &q, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(h));
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	long long v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(h);
	return v;
}

static void test_metrics(void **state)
{
	(void)state;
	const char *health = "mlv_http_requests_total{route=\"/healthz\",code=\"200\"}";
	double before = scrape(health);
	for (int i = 0; i < 3; i++)
		cJSON_Delete(call_json("GET", "/healthz", NULL, NULL, 200));
	double after = scrape(health);
	assert_true(after >= (before < 0 ? 0 : before) + 3);
	assert_true(scrape("mlv_http_requests_total{route=\"/v1/consignments\",code=\"201\"}") >= 1);
	assert_true(scrape("mlv_http_requests_total{route=\"/v1/consignments/{}/arrival\",code=\"422\"}") >= 1);
	assert_true(scrape("mlv_filings_stored_total") >= 1);
	assert_true(scrape("mlv_http_request_duration_seconds_count{route=\"/healthz\"}") >= 3);
	/* filings per second: a counter by outcome, for rate() */
	double created = scrape("mlv_filings_total{outcome=\"created\"}");
	assert_true(created >= 1);
	char *body = consignment("API-METRICS-1", NULL);
	cJSON_Delete(call_json("POST", "/v1/consignments", key_a, body, 201));
	cJSON_Delete(call_json("POST", "/v1/consignments", key_a, body, 200));
	free(body);
	assert_true(scrape("mlv_filings_total{outcome=\"created\"}") == created + 1);
	assert_true(scrape("mlv_filings_total{outcome=\"unchanged\"}") >= 1);
	/* queues, store latency, the audit log: against the database */
	assert_true(scrape("mlv_writer_queued_jobs") >= 0);
	assert_true(scrape("mlv_writer_queued_filings") >= 0);
	assert_true(scrape("mlv_store_transaction_duration_seconds_count{op=\"file\"}") >= 1);
	assert_true(scrape("mlv_store_transaction_duration_seconds_count{op=\"action\"}") >= 1);
	assert_true(scrape("mlv_audit_log_leaves") == (double)db_int("SELECT count(*) FROM events"));
	assert_true(scrape("mlv_store_size_bytes") > 0);
	assert_true(scrape("mlv_officer_queue_consignments") ==
		    (double)db_int("SELECT count(*) FROM consignments WHERE status IN ('referred',"
				   " 'arrived', 'held', 'inspected') OR (status = 'assessed' AND"
				   " coalesce(lane, '') <> 'green')"));
	assert_true(scrape("mlv_consignments{state=\"assessed\",lane=\"yellow\"}") ==
		    (double)db_int("SELECT count(*) FROM consignments WHERE status = 'assessed'"
				   " AND lane = 'yellow'"));
}

/* Release times: the officer's figures cover every released consignment
 * (counted independently in the database), percentiles are ordered, and
 * the parameters are checked. */
static void test_release_times(void **state)
{
	(void)state;
	sqlite3 *h = NULL;
	sqlite3_stmt *q = NULL;
	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT count(*), count(arrived_at),"
					       " sum(lane = 'green') FROM consignments"
					       " WHERE released_at IS NOT NULL", -1, &q, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	long long released = sqlite3_column_int64(q, 0), arrived = sqlite3_column_int64(q, 1);
	long long green = sqlite3_column_int64(q, 2);
	sqlite3_finalize(q);
	sqlite3_close(h);
	assert_true(released >= 1);

	cJSON *r = call_json("GET", "/v1/stats/release-times", key_officer, NULL, 200);
	assert_string_equal(str(r, "unit"), "seconds");
	cJSON *f2r = cJSON_GetObjectItem(r, "filing_to_release");
	cJSON *a2r = cJSON_GetObjectItem(r, "arrival_to_release");
	cJSON *all = cJSON_GetObjectItem(f2r, "all");
	assert_int_equal(num(all, "count"), released);
	assert_int_equal(num(cJSON_GetObjectItem(a2r, "all"), "count"), arrived);
	double m = cJSON_GetObjectItem(all, "median")->valuedouble;
	double p90 = cJSON_GetObjectItem(all, "p90")->valuedouble;
	double p99 = cJSON_GetObjectItem(all, "p99")->valuedouble;
	double mx = cJSON_GetObjectItem(all, "max")->valuedouble;
	assert_true(0 <= m && m <= p90 && p90 <= p99 && p99 <= mx);
	cJSON *g = cJSON_GetObjectItem(cJSON_GetObjectItem(f2r, "by_lane"), "green");
	if (green > 0)
		assert_int_equal(num(g, "count"), green);
	else
		assert_null(g);
	cJSON_Delete(r);

	cJSON_Delete(call_json("GET", "/v1/stats/release-times", key_a, NULL, 403));
	cJSON_Delete(call_json("GET", "/v1/stats/release-times?from=2026-13-01", key_officer, NULL,
			       400));
	cJSON_Delete(call_json("GET", "/v1/stats/release-times?from=2026-02-01&to=2026-01-01",
			       key_officer, NULL, 400));
	/* the histogram holds every release once, for both measures */
	r = call_json("GET", "/v1/stats/release-times", key_officer, NULL, 200);
	for (int k = 0; k < 2; k++) {
		cJSON *measure = cJSON_GetObjectItem(r, k ? "arrival_to_release" : "filing_to_release");
		long long in_bins = 0;
		const cJSON *bin;
		cJSON_ArrayForEach(bin, cJSON_GetObjectItem(measure, "histogram"))
			in_bins += num(bin, "count");
		assert_int_equal(in_bins, k ? arrived : released);
	}
	cJSON_Delete(r);
	/* a lane filter keeps that lane's releases */
	r = call_json("GET", "/v1/stats/release-times?lane=green", key_officer, NULL, 200);
	assert_int_equal(num(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "filing_to_release"), "all"),
			     "count"),
			 green);
	cJSON_Delete(r);
	/* the same as CSV: one row per group, and the histogram */
	http_res c;
	http_res_init(&c);
	assert_int_equal(http_call(base, "GET", "/v1/stats/release-times?format=csv", key_officer,
				   NULL, NULL, 0, &c),
			 0);
	assert_int_equal(c.status, 200);
	assert_non_null(strstr(c.content_type, "text/csv"));
	assert_non_null(strstr(c.disposition, "attachment; filename=\"mainlevee-release-times-"));
	assert_true(strncmp(c.body.data, "measure,group,value,count,median_s,p90_s,p99_s,max_s\r\n",
			    54) == 0);
	char want[96];
	snprintf(want, sizeof(want), "\r\nfiling_to_release,all,,%lld,", released);
	assert_non_null(strstr(c.body.data, want));
	http_res_free(&c);
	http_res_init(&c);
	assert_int_equal(http_call(base, "GET", "/v1/stats/release-times?format=csv&table=histogram",
				   key_officer, NULL, NULL, 0, &c),
			 0);
	assert_true(strncmp(c.body.data, "measure,bin,from_s,to_s,count\r\n", 31) == 0);
	assert_non_null(strstr(c.body.data, "\r\nfiling_to_release,< 15 min,0,900,"));
	http_res_free(&c);
	cJSON_Delete(call_json("GET", "/v1/stats/release-times?lane=purple", key_officer, NULL, 400));
	cJSON_Delete(call_json("GET", "/v1/stats/release-times?origin=CN", key_officer, NULL, 400));
	/* a period with no release: zero counts, not an error */
	r = call_json("GET", "/v1/stats/release-times?from=2001-01-01&to=2001-01-31", key_officer,
		      NULL, 200);
	assert_int_equal(num(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "filing_to_release"), "all"),
			     "count"),
			 0);
	cJSON_Delete(r);
}

/* ---- statistics ------------------------------------------------------------------- */

/* GET with a token, answering the body as text (caller frees it). */
static char *get_text(const char *path, const char *token, long expect, char *ctype, size_t cn,
		      char *disposition, size_t dn)
{
	http_res r;
	http_res_init(&r);
	assert_int_equal(http_call(base, "GET", path, token, NULL, NULL, 0, &r), 0);
	if (r.status != expect)
		fail_msg("GET %s -> %ld: %.300s", path, r.status, r.body.data ? r.body.data : "");
	if (ctype != NULL)
		snprintf(ctype, cn, "%s", r.content_type);
	if (disposition != NULL)
		snprintf(disposition, dn, "%s", r.disposition);
	char *text = strdup(r.body.data ? r.body.data : "");
	http_res_free(&r);
	return text;
}

struct tally {
	char key[8];
	long long n;
};

static void tally_add(struct tally *t, size_t *n, const char *key)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(t[i].key, key) == 0) {
			t[i].n++;
			return;
		}
	snprintf(t[*n].key, sizeof(t[0].key), "%s", key);
	t[(*n)++].n = 1;
}

static long long tally_of(const struct tally *t, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].key, key) == 0)
			return t[i].n;
	return 0;
}

/* Generated consignments of one filer, filed in batches; the statistics by
 * country of dispatch, channel and HS chapter of the principal item equal
 * what the test counts in the lines it sent, and the amounts equal the
 * database's own sums. */
static void test_stats_generated(void **state)
{
	(void)state;
	enum { LINES = 150 };
	mlv_generate_opts go = MLV_GENERATE_OPTS_INIT;
	go.seed = 21;
	go.valid_only = true;
	go.start_day = (int32_t)(time(NULL) / 86400) - 3;
	go.lrn_prefix = "API-STATS";
	mlv_generator *g = NULL;
	assert_int_equal(mlv_generator_new(&g, rd, &go), 0);
	struct tally origin[64], channel[8], chapter[100];
	size_t norigin = 0, nchannel = 0, nchapter = 0;
	long long created = 0;
	char *lines[LINES];
	for (int i = 0; i < LINES; i++) {
		lines[i] = malloc(16384);
		mlv_anomaly label;
		assert_true(mlv_generator_next(g, lines[i], 16384, &label) > 0);
	}
	mlv_generator_free(g);
	for (int b = 0; b < LINES; b += 50) {
		mlv_buf body = MLV_BUF_INIT(4 << 20);
		for (int i = b; i < b + 50; i++)
			mlv_buf_printf(&body, "%s\n", lines[i]);
		http_res r;
		http_res_init(&r);
		assert_int_equal(http_call(base, "POST", "/v1/consignments:batch", key_stats,
					   "application/x-ndjson", body.data, body.len, &r),
				 0);
		assert_int_equal(r.status, 200);
		char *save = NULL;
		for (char *line = strtok_r(r.body.data, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			cJSON *res = cJSON_Parse(line);
			if (strcmp(str(res, "outcome"), "created") == 0) {
				cJSON *c = cJSON_Parse(lines[b + num(res, "line") - 1]);
				tally_add(origin, &norigin,
					  str(cJSON_GetObjectItem(c, "transport"), "departure_country"));
				tally_add(channel, &nchannel, str(c, "channel"));
				/* the principal item: the highest value, the first of equal ones */
				double best = -1;
				char ch[3] = "";
				const cJSON *it;
				cJSON_ArrayForEach(it, cJSON_GetObjectItem(c, "items")) {
					double v = strtod(str(it, "value"), NULL);
					if (v > best) {
						best = v;
						snprintf(ch, sizeof(ch), "%.2s", str(it, "hs_code"));
					}
				}
				tally_add(chapter, &nchapter, ch[0] ? ch : "unknown"); /* documents */
				created++;
				cJSON_Delete(c);
			}
			cJSON_Delete(res);
		}
		http_res_free(&r);
		mlv_buf_free(&body);
	}
	for (int i = 0; i < LINES; i++)
		free(lines[i]);
	assert_true(created >= LINES * 9 / 10);

	char path[256];
	static const struct {
		const char *by;
		struct tally *t;
		size_t *n;
	} cases[] = {{"origin", NULL, NULL}, {"channel", NULL, NULL}, {"hs_chapter", NULL, NULL}};
	struct tally *tallies[3] = {origin, channel, chapter};
	size_t *counts[3] = {&norigin, &nchannel, &nchapter};
	for (int k = 0; k < 3; k++) {
		snprintf(path, sizeof(path), "/v1/stats/consignments?filer=%lld&by=%s&limit=1000",
			 (long long)stats_filer, cases[k].by);
		cJSON *j = call_json("GET", path, key_officer, NULL, 200);
		assert_string_equal(str(j, "by"), cases[k].by);
		long long sum = 0;
		int rows = 0;
		const cJSON *row;
		cJSON_ArrayForEach(row, cJSON_GetObjectItem(j, "rows")) {
			const char *key = str(row, cases[k].by);
			long long n = num(row, "consignments");
			if (n != tally_of(tallies[k], *counts[k], key))
				fail_msg("%s %s: %lld in the statistics, %lld filed", cases[k].by, key, n,
					 tally_of(tallies[k], *counts[k], key));
			sum += n;
			rows++;
		}
		assert_int_equal(rows, (int)*counts[k]);
		assert_int_equal(sum, created);
		assert_int_equal(num(cJSON_GetObjectItem(j, "totals"), "consignments"), created);
		cJSON_Delete(j);
	}
	/* amounts: the database's own sums, as decimal strings */
	snprintf(path, sizeof(path), "/v1/stats/consignments?filer=%lld", (long long)stats_filer);
	cJSON *j = call_json("GET", path, key_analyst, NULL, 200);
	cJSON *t = cJSON_GetObjectItem(j, "totals");
	char sql[256], want[32];
	static const struct {
		const char *member, *expr;
	} sums[] = {{"declared_value", "goods_value"}, {"due_assessed", "amount_due"},
		    {"duty_assessed", "duty"}, {"tax_assessed", "tax"}};
	for (size_t i = 0; i < MLV_ARRAY_LEN(sums); i++) {
		snprintf(sql, sizeof(sql), "SELECT coalesce(sum(%s), 0) FROM consignments WHERE filer_id"
					   " = %lld", sums[i].expr, (long long)stats_filer);
		long long v = db_int(sql);
		snprintf(want, sizeof(want), "%lld.%02lld", v / 100, v % 100);
		assert_string_equal(str(t, sums[i].member), want);
	}
	snprintf(sql, sizeof(sql), "SELECT sum(quality_score < 50) FROM consignments WHERE filer_id"
				   " = %lld", (long long)stats_filer);
	assert_int_equal(num(t, "quality_low"), db_int(sql));
	assert_string_equal(str(j, "currency"), "EUR");
	cJSON_Delete(j);
	/* by day: the periods add up */
	snprintf(path, sizeof(path), "/v1/stats/consignments?filer=%lld&period=day",
		 (long long)stats_filer);
	j = call_json("GET", path, key_officer, NULL, 200);
	long long sum = 0;
	const cJSON *row;
	cJSON_ArrayForEach(row, cJSON_GetObjectItem(j, "rows")) {
		assert_int_equal(strlen(str(row, "period")), 10);
		sum += num(row, "consignments");
	}
	assert_int_equal(sum, created);
	cJSON_Delete(j);
	/* CSV: a header and a row per value, as an attachment */
	char ctype[128], disp[256];
	snprintf(path, sizeof(path), "/v1/stats/consignments?filer=%lld&by=origin&format=csv",
		 (long long)stats_filer);
	char *csv = get_text(path, key_officer, 200, ctype, sizeof(ctype), disp, sizeof(disp));
	assert_non_null(strstr(ctype, "text/csv"));
	assert_non_null(strstr(disp, "attachment; filename=\"mainlevee-consignments-"));
	assert_true(strncmp(csv, "from,to,origin,label,consignments,amendments,", 45) == 0);
	char line[64];
	snprintf(line, sizeof(line), ",%s,", origin[0].key);
	const char *at = strstr(csv, line);
	assert_non_null(at);
	/* origin, label, consignments: the count follows the label */
	const char *after_label = strchr(strchr(at + 1, ',') + 1, ',');
	assert_int_equal(strtoll(after_label + 1, NULL, 10), origin[0].n);
	int csv_rows = 0;
	for (const char *p = csv; (p = strstr(p, "\r\n")) != NULL; p += 2)
		csv_rows++;
	assert_int_equal(csv_rows, (int)norigin + 1);
	free(csv);
}

/* Who may read the statistics, and the parameters read strictly. */
static void test_stats_parameters(void **state)
{
	(void)state;
	cJSON_Delete(call_json("GET", "/v1/stats/consignments", key_officer, NULL, 200));
	cJSON_Delete(call_json("GET", "/v1/stats/consignments", key_analyst, NULL, 200));
	cJSON_Delete(call_json("GET", "/v1/stats/rules", key_analyst, NULL, 200));
	cJSON_Delete(call_json("GET", "/v1/stats/consignments", key_a, NULL, 403));
	cJSON_Delete(call_json("GET", "/v1/stats/consignments", key_partner, NULL, 403));
	cJSON_Delete(call_json("GET", "/v1/stats/rules", key_partner, NULL, 403));
	cJSON_Delete(call_json("GET", "/v1/stats/consignments", NULL, NULL, 401));
	static const struct {
		const char *query, *param;
	} bad[] = {
		{"?colour=red", "colour"},
		{"?period=year", "period"},
		{"?period=day&period=week", "period"},
		{"?by=colour", "by"},
		{"?lane=purple", "lane"},
		{"?channel=pigeon", "channel"},
		{"?business_model=retail", "business_model"},
		{"?collection_model=magic", "collection_model"},
		{"?origin=XX", "origin"},
		{"?origin=cn", "origin"},
		{"?hs_chapter=00", "hs_chapter"},
		{"?hs_chapter=8", "hs_chapter"},
		{"?filer=0", "filer"},
		{"?filer=12abc", "filer"},
		{"?format=xml", "format"},
		{"?limit=0", "limit"},
		{"?limit=10001", "limit"},
		{"?from=2026-02-30", "from"},
		{"?from=2026-02-01&to=2026-01-01", "from"},
		{"?from=2000-01-01&to=2026-01-01", "from"},
		{"?from=2025-01-01&to=2026-06-30&period=day", "period"},
		{"?lane=", "lane"},
		{"?measure=consignments", "measure"}, /* the dashboard's, not the API's */
		{"?by=origin&business_model=direct", "by"},     /* not a kept combination */
		{"?origin=CN&hs_chapter=85&channel=post", "hs_chapter"},
	};
	for (size_t i = 0; i < MLV_ARRAY_LEN(bad); i++) {
		char path[160];
		snprintf(path, sizeof(path), "/v1/stats/consignments%s", bad[i].query);
		cJSON *p = call_json("GET", path, key_officer, NULL, 400);
		char quoted[64];
		snprintf(quoted, sizeof(quoted), "'%s'", bad[i].param);
		if (strstr(str(p, "detail"), quoted) == NULL)
			fail_msg("%s: %s", path, str(p, "detail"));
		cJSON_Delete(p);
	}
	cJSON_Delete(call_json("GET", "/v1/stats/rules?by=lane", key_officer, NULL, 400));
	/* filters combine; a breakdown by a filtered dimension is one row */
	cJSON *j = call_json("GET", "/v1/stats/consignments?by=lane&lane=green&channel=post",
			     key_officer, NULL, 200);
	assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(j, "rows")) <= 1);
	assert_string_equal(str(cJSON_GetObjectItem(j, "filters"), "lane"), "green");
	cJSON_Delete(j);
	/* weeks and months: periods by their ISO week and month */
	j = call_json("GET", "/v1/stats/consignments?period=week&from=2026-01-01&to=2026-12-31",
		      key_officer, NULL, 200);
	const cJSON *row;
	cJSON_ArrayForEach(row, cJSON_GetObjectItem(j, "rows"))
		assert_non_null(strstr(str(row, "period"), "-W"));
	cJSON_Delete(j);
}

/* Rule performance over the period: the counts of each rule equal those
 * the rule's own performance endpoint reads (this store began empty). */
static void test_stats_rules(void **state)
{
	(void)state;
	cJSON *j = call_json("GET", "/v1/stats/rules?from=2020-01-01&limit=500", key_officer, NULL,
			     200);
	assert_true(num(j, "consignments") >= 1);
	int n = 0;
	bool controlled = false;
	const cJSON *r;
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(j, "rules")) {
		char path[128];
		snprintf(path, sizeof(path), "/v1/rules/%s/performance", str(r, "rule"));
		cJSON *one = call_json("GET", path, key_officer, NULL, 200);
		assert_int_equal(num(r, "hits"), num(one, "hits"));
		assert_int_equal(num(r, "controls"), num(one, "controls"));
		assert_int_equal(num(r, "findings"), num(one, "findings"));
		controlled |= num(r, "controls") > 0;
		cJSON_Delete(one);
		n++;
	}
	assert_true(n >= 2);
	assert_true(controlled); /* test_officer_flow recorded results */
	cJSON_Delete(j);
	char ctype[128];
	char *csv = get_text("/v1/stats/rules?format=csv", key_officer, 200, ctype, sizeof(ctype),
			     NULL, 0);
	assert_true(strncmp(csv, "rule,hits,controls,findings,seizures,precision,", 47) == 0);
	free(csv);
	/* a period before any filing: no rule */
	j = call_json("GET", "/v1/stats/rules?from=2001-01-01&to=2001-12-31", key_officer, NULL, 200);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "rules")), 0);
	cJSON_Delete(j);
}

/* After every test of this file (filings, amendments, arrivals, releases
 * on account, officers' decisions and results, referrals, parts, exits,
 * refunds), the aggregates the server kept equal a recomputation from the
 * stored rows. */
static void test_stats_invariant(void **state)
{
	(void)state;
	mlv_store_opts so = MLV_STORE_OPTS_INIT;
	so.path = db;
	so.synchronous_full = false;
	mlv_store *st = NULL;
	char err[256] = "";
	if (mlv_store_open(&st, &so, err, sizeof(err)) != 0)
		fail_msg("open: %s", err);
	mlv_stats_rebuild_report rep;
	assert_int_equal(mlv_store_stats_rebuild(st, true, &rep), 0);
	assert_true(rep.consignments >= 200);
	if (rep.differences != 0)
		fail_msg("%llu aggregate rows differ from the stored rows",
			 (unsigned long long)rep.differences);
	mlv_store_close(st);
}

/* The dashboard page: a person of the staff sees it, a filer does not, and
 * a stranger is sent to sign in. */
static void test_stats_page(void **state)
{
	(void)state;
	http_res r;
	http_res_init(&r);
	assert_int_equal(http_call(base, "GET", "/console/stats", NULL, NULL, NULL, 0, &r), 0);
	assert_int_equal(r.status, 303);
	assert_non_null(strstr(r.location, "/console/login?next=/console/stats"));
	http_res_free(&r);
}

static bool has_hit(const cJSON *view, const char *rule)
{
	const cJSON *h;
	cJSON_ArrayForEach(h, cJSON_GetObjectItem(cJSON_GetObjectItem(view, "risk"), "hits")) {
		const char *r = cJSON_GetStringValue(cJSON_GetObjectItem(h, "rule"));
		if (r != NULL && strcmp(r, rule) == 0)
			return true;
	}
	return false;
}

/* Split consignments: parts each under the EUR 150 ceiling, to the same
 * buyer within the window, that add up above it.  The buyer is matched by
 * a pseudonymised key, never by a rule on the buyer. */
static void test_split_detection(void **state)
{
	(void)state;
	bool seen[4];
	for (int i = 0; i < 4; i++) {
		cJSON *c = cJSON_Parse(fixture);
		char lrn[32];
		snprintf(lrn, sizeof(lrn), "API-SPLIT-%d", i);
		cJSON_ReplaceItemInObject(c, "lrn", cJSON_CreateString(lrn));
		cJSON *buyer = cJSON_GetObjectItem(c, "buyer");
		cJSON_ReplaceItemInObject(buyer, "name", cJSON_CreateString("Dominique Split-Test"));
		char *body = cJSON_PrintUnformatted(c);
		cJSON *v = call_json("POST", "/v1/consignments", key_b, body, 201);
		seen[i] = has_hit(v, "R-SPLIT");
		cJSON_Delete(v);
		free(body);
		cJSON_Delete(c);
	}
	/* 42 + 42 + 42 = 126: not yet; the fourth makes 168 > 150. */
	assert_false(seen[0]);
	assert_false(seen[2]);
	assert_true(seen[3]);
	/* Another buyer's parcel is not part of it. */
	char *other = consignment("API-SPLIT-OTHER", NULL);
	cJSON *o = call_json("POST", "/v1/consignments", key_b, other, 201);
	assert_false(has_hit(o, "R-SPLIT"));
	free(other);
	cJSON_Delete(o);
}

/* ---- the registry of operators, AEO and MRAs ------------------------------------------ */

/* A JSON call with one more header (If-Match), answering the ETag too. */
static cJSON *call_json_x(const char *method, const char *path, const char *token,
			  const char *body, long expect_status, const char *header, char *etag,
			  size_t etag_size)
{
	harness_call_opts x = {.header = header, .etag = etag, .etag_size = etag_size};
	return harness_call_x(base, method, path, token, body, expect_status, &x);
}

/* POST /v1/operators as the administrator: the new id. */
static long long create_operator(const char *json)
{
	cJSON *j = call_json("POST", "/v1/operators", key_admin, json, 201);
	long long id = num(j, "id");
	assert_int_equal(num(j, "version"), 1);
	cJSON_Delete(j);
	return id;
}

/* Whether a list answer's items hold an operator with this id. */
static bool lists(const cJSON *list, long long id)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(list, "items"))
		if (num(e, "id") == id)
			return true;
	return false;
}

static const char market_json[] =
	"{\"kind\":\"platform\",\"name\":\"ExampleMarket Ltd\",\"country\":\"IE\","
	"\"identifiers\":[{\"type\":\"vat\",\"value\":\"IE1234567X\"}],"
	"\"contacts\":[{\"name\":\"Aoife Byrne\",\"function\":\"customs compliance\","
	"\"email\":\"aoife.byrne@examplemarket.example\",\"phone\":\"+35315550100\"}],"
	"\"addresses\":[{\"type\":\"registered\",\"street\":\"1 Dock Road\",\"city\":\"Dublin\","
	"\"country\":\"IE\"}],"
	"\"aeo\":{\"type\":\"full\",\"issuing_country\":\"IE\",\"certificate\":\"IEAEOF00001\","
	"\"valid_from\":\"2024-01-01\"},"
	"\"filers\":[\"market-p\"]}";

static long long market_id;

/* The registry: create, read by every role (each its view or 404), list with
 * filters and pages, strict writes, If-Match, changes kept in the history. */
static void test_operator_registry(void **state)
{
	(void)state;
	char etag[64];
	cJSON *c = call_json_x("POST", "/v1/operators", key_admin, market_json, 201, NULL, etag,
			       sizeof(etag));
	market_id = num(c, "id");
	assert_string_equal(etag, "\"1\"");
	cJSON *rec = cJSON_GetObjectItem(c, "aeo_recognition");
	/* issued by IE, a member of the EU like this administration (FR) */
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(rec, "recognised")));
	assert_string_equal(str(rec, "basis"), "union");
	assert_string_equal(str(cJSON_GetArrayItem(cJSON_GetObjectItem(c, "identifiers"), 0), "value"),
			    "IE1234567X");
	cJSON_Delete(c);
	char path[96];
	snprintf(path, sizeof(path), "/v1/operators/%lld", market_id);

	/* Each role its view: staff and the operator itself in full, the
	 * partner without contacts, others nothing (404, never 403). */
	const char *full[] = {key_admin, key_officer, key_analyst, key_supervisor, key_auditor,
			      key_party};
	for (size_t i = 0; i < MLV_ARRAY_LEN(full); i++) {
		cJSON *g = call_json("GET", path, full[i], NULL, 200);
		assert_non_null(cJSON_GetObjectItem(g, "contacts"));
		assert_string_equal(str(g, "name"), "ExampleMarket Ltd");
		cJSON_Delete(g);
	}
	http_res r;
	http_res_init(&r);
	assert_int_equal(http_call(base, "GET", path, key_partner, NULL, NULL, 0, &r), 0);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body.data, "aoife"));
	assert_null(strstr(r.body.data, "Dock Road"));
	assert_null(strstr(r.body.data, "\"filers\""));
	assert_non_null(strstr(r.body.data, "IEAEOF00001"));
	http_res_free(&r);
	const char *none[] = {key_a, key_b, key_agency, key_plain};
	for (size_t i = 0; i < MLV_ARRAY_LEN(none); i++)
		cJSON_Delete(call_json("GET", path, none[i], NULL, 404));
	cJSON_Delete(call_json("GET", path, NULL, NULL, 401));
	cJSON_Delete(call_json("GET", "/v1/operators/999999", key_admin, NULL, 404));

	/* Lists and their filters. */
	static const struct {
		const char *query;
		bool has;
	} filters[] = {
		{"/v1/operators?kind=platform", true},
		{"/v1/operators?kind=seller", false},
		{"/v1/operators?identifier=ie-1234567x", true},
		{"/v1/operators?identifier=IE0000000X", false},
		{"/v1/operators?name=examplemarket", true},
		{"/v1/operators?country=IE&aeo=true", true},
		{"/v1/operators?aeo=false", false},
		{"/v1/operators?country=FR", false},
		{"/v1/operators?filer=market-p", true},
		{"/v1/operators?filer=platform-a", false},
	};
	for (size_t i = 0; i < MLV_ARRAY_LEN(filters); i++) {
		cJSON *l = call_json("GET", filters[i].query, key_officer, NULL, 200);
		if (lists(l, market_id) != filters[i].has)
			fail_msg("%s: %s", filters[i].query, filters[i].has ? "missing" : "listed");
		cJSON_Delete(l);
	}
	const char *bad[] = {"/v1/operators?kind=bank", "/v1/operators?country=XX",
			     "/v1/operators?aeo=maybe", "/v1/operators?limit=0",
			     "/v1/operators?limit=501", "/v1/operators?cursor=-1",
			     "/v1/operators?name=x"};
	for (size_t i = 0; i < MLV_ARRAY_LEN(bad); i++)
		cJSON_Delete(call_json("GET", bad[i], key_officer, NULL, 400));
	/* a filer lists its own operator only; an agency acting for none, nothing */
	cJSON *own = call_json("GET", "/v1/operators", key_party, NULL, 200);
	assert_true(lists(own, market_id));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(own, "items")), 1);
	cJSON_Delete(own);
	own = call_json("GET", "/v1/operators", key_agency, NULL, 200);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(own, "items")), 0);
	cJSON_Delete(own);

	/* Pages of 2 cover five sellers exactly once, newest first. */
	long long sellers[5];
	for (int i = 0; i < 5; i++) {
		char json[256];
		snprintf(json, sizeof(json),
			 "{\"kind\":\"seller\",\"name\":\"Page Seller %d\",\"country\":\"CN\","
			 "\"identifiers\":[{\"type\":\"tin\",\"value\":\"PAGE%04d\"}]}",
			 i, i);
		sellers[i] = create_operator(json);
	}
	char page[160] = "/v1/operators?kind=seller&name=page+seller&limit=2";
	int seen = 0, pages = 0;
	long long last = INT64_MAX;
	for (;;) {
		cJSON *l = call_json("GET", page, key_auditor, NULL, 200);
		const cJSON *e;
		cJSON_ArrayForEach(e, cJSON_GetObjectItem(l, "items")) {
			assert_true(num(e, "id") < last);
			last = num(e, "id");
			seen++;
		}
		pages++;
		const cJSON *next = cJSON_GetObjectItem(l, "next_cursor");
		if (cJSON_IsNull(next)) {
			cJSON_Delete(l);
			break;
		}
		snprintf(page, sizeof(page),
			 "/v1/operators?kind=seller&name=page+seller&limit=2&cursor=%s",
			 cJSON_GetStringValue(next));
		cJSON_Delete(l);
		assert_true(pages < 5);
	}
	assert_int_equal(seen, 5);
	assert_int_equal(pages, 3);
	assert_int_equal(last, sellers[0]);

	/* Strict writes. */
	cJSON *p = call_json("POST", "/v1/operators", key_admin,
			     "{\"kind\":\"broker\",\"name\":\"B\",\"country\":\"FR\",\"id\":9,"
			     "\"colour\":\"red\",\"identifiers\":[{\"type\":\"eori\",\"value\":\"QQ1\"}]}",
			     422);
	assert_true(has_error(p, "/id", "read_only"));
	assert_true(has_error(p, "/colour", "unknown_field"));
	assert_true(has_error(p, "/identifiers/0/value", "format"));
	cJSON_Delete(p);
	/* an identifier belongs to one operator, a filer acts for one */
	p = call_json("POST", "/v1/operators", key_admin,
		      "{\"kind\":\"platform\",\"name\":\"Copycat\",\"country\":\"IE\","
		      "\"identifiers\":[{\"type\":\"vat\",\"value\":\"IE 1234567 X\"}]}",
		      409);
	assert_non_null(strstr(str(p, "detail"), "IE1234567X"));
	cJSON_Delete(p);
	cJSON_Delete(call_json("POST", "/v1/operators", key_admin,
			       "{\"kind\":\"platform\",\"name\":\"Copycat\",\"country\":\"IE\","
			       "\"filers\":[\"market-p\"]}",
			       409));
	p = call_json("POST", "/v1/operators", key_admin,
		      "{\"kind\":\"platform\",\"name\":\"Copycat\",\"country\":\"IE\","
		      "\"filers\":[\"nobody-of-that-name\"]}",
		      422);
	assert_true(has_error(p, "/filers", "filer_unknown"));
	cJSON_Delete(p);
	cJSON_Delete(call_json("POST", "/v1/operators", key_admin, "{\"kind\":", 400));
	/* only administrators write */
	cJSON_Delete(call_json("POST", "/v1/operators", key_officer, market_json, 403));
	cJSON_Delete(call_json("PATCH", path, key_party, "{\"name\":\"Mine now\"}", 403));
	cJSON_Delete(call_json("PATCH", path, key_supervisor, "{\"name\":\"Mine now\"}", 403));

	/* Changes: If-Match guards against lost updates; an unchanged patch is
	 * not a version; the history keeps each with actor and members. */
	cJSON_Delete(call_json_x("PATCH", path, key_admin, "{\"name\":\"ExampleMarket Europe Ltd\"}",
				 412, "If-Match: \"9\"", NULL, 0));
	cJSON_Delete(call_json_x("PATCH", path, key_admin, "{\"name\":\"x\"}", 400,
				 "If-Match: soon", NULL, 0));
	cJSON *u = call_json_x("PATCH", path, key_admin, "{\"name\":\"ExampleMarket Europe Ltd\"}",
			       200, "If-Match: \"1\"", etag, sizeof(etag));
	assert_int_equal(num(u, "version"), 2);
	assert_string_equal(etag, "\"2\"");
	cJSON_Delete(u);
	u = call_json("PATCH", path, key_admin, "{\"name\":\"ExampleMarket Europe Ltd\"}", 200);
	assert_int_equal(num(u, "version"), 2);
	cJSON_Delete(u);
	u = call_json("PATCH", path, key_admin, "{\"aeo\":null,\"colour\":1}", 422);
	cJSON_Delete(u);
	u = call_json("PATCH", path, key_admin, "{\"aeo\":null}", 200);
	assert_int_equal(num(u, "version"), 3);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(u, "aeo")));
	assert_true(cJSON_IsFalse(
		cJSON_GetObjectItem(cJSON_GetObjectItem(u, "aeo_recognition"), "recognised")));
	cJSON_Delete(u);
	/* not an AEO any more: out of the partner's sight */
	cJSON_Delete(call_json("GET", path, key_partner, NULL, 404));
	cJSON_Delete(call_json("PATCH", "/v1/operators/999999", key_admin, "{\"name\":\"x\"}", 404));
	snprintf(path, sizeof(path), "/v1/operators/%lld/history", market_id);
	cJSON *h = call_json("GET", path, key_auditor, NULL, 200);
	cJSON *ch = cJSON_GetObjectItem(h, "changes");
	assert_int_equal(cJSON_GetArraySize(ch), 3);
	cJSON *first = cJSON_GetArrayItem(ch, 0), *second = cJSON_GetArrayItem(ch, 1),
	      *third = cJSON_GetArrayItem(ch, 2);
	assert_string_equal(str(first, "change"), "created");
	assert_string_equal(str(first, "actor"), "admin:admin-root");
	assert_string_equal(str(cJSON_GetObjectItem(first, "record"), "name"), "ExampleMarket Ltd");
	assert_string_equal(str(second, "change"), "updated");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(second, "changed")), 1);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(
				    cJSON_GetObjectItem(second, "changed"), 0)),
			    "name");
	assert_string_equal(
		cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetObjectItem(third, "changed"), 0)),
		"aeo");
	assert_int_equal(num(third, "version"), 3);
	assert_non_null(cJSON_GetObjectItem(first, "at"));
	cJSON_Delete(h);
	cJSON_Delete(call_json("GET", path, key_admin, NULL, 200));
	cJSON_Delete(call_json("GET", path, key_officer, NULL, 403));
	cJSON_Delete(call_json("GET", path, key_party, NULL, 403));
	cJSON_Delete(call_json("GET", "/v1/operators/999999/history", key_admin, NULL, 404));
}

/* A party to a consignment: the operator whose identifier it names (the
 * platform IE1234567X, acting through market-p) reads it, never acts on it;
 * nobody else does. */
static void test_party_access(void **state)
{
	(void)state;
	char *body = consignment("API-PARTY-1", NULL);
	cJSON *f = call_json("POST", "/v1/consignments", key_a, body, 201);
	long long id = num(f, "id");
	cJSON_Delete(f);
	free(body);
	char path[96];
	const char *reads[] = {"/v1/consignments/{}", "/v1/consignments/{}/events",
			       "/v1/consignments/{}/versions/1"};
	for (size_t i = 0; i < MLV_ARRAY_LEN(reads); i++) {
		fill(path, sizeof(path), reads[i], id);
		http_res r;
		http_res_init(&r);
		assert_int_equal(http_call(base, "GET", path, key_party, NULL, NULL, 0, &r), 0);
		assert_int_equal(r.status, 200);
		http_res_free(&r);
		cJSON_Delete(call_json("GET", path, key_b, NULL, 404));
	}
	snprintf(path, sizeof(path), "/v1/consignments/%lld", id);
	cJSON *g = call_json("GET", path, key_party, NULL, 200);
	assert_string_equal(str(g, "lrn"), "API-PARTY-1");
	cJSON_Delete(g);
	cJSON *l = call_json("GET", "/v1/consignments?party=true&lrn=API-PARTY-1", key_party, NULL,
			     200);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(l, "items")), 1);
	cJSON_Delete(l);
	l = call_json("GET", "/v1/consignments?lrn=API-PARTY-1", key_party, NULL, 200);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(l, "items")), 0); /* not its own */
	cJSON_Delete(l);
	l = call_json("GET", "/v1/consignments?party=true", key_b, NULL, 200);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(l, "items")), 0);
	cJSON_Delete(l);
	cJSON_Delete(call_json("GET", "/v1/consignments?party=maybe", key_party, NULL, 400));
	/* a party reads; it does not act */
	snprintf(path, sizeof(path), "/v1/consignments/%lld/arrival", id);
	cJSON_Delete(call_json("POST", path, key_party, "{}", 404));
	snprintf(path, sizeof(path), "/v1/consignments/%lld/refund", id);
	cJSON_Delete(call_json("POST", path, key_party, "{\"return_lrn\":\"X\"}", 404));
	snprintf(path, sizeof(path), "/v1/consignments/%lld/events", id);
	cJSON *ev = call_json("GET", path, key_a, NULL, 200);
	long long event = num(cJSON_GetArrayItem(cJSON_GetObjectItem(ev, "events"), 0), "id");
	cJSON_Delete(ev);
	snprintf(path, sizeof(path), "/v1/audit/proof/inclusion?event=%lld", event);
	cJSON_Delete(call_json("GET", path, key_party, NULL, 404));
	/* a platform not registered: no party */
	cJSON *c = cJSON_Parse(fixture);
	cJSON_ReplaceItemInObject(c, "lrn", cJSON_CreateString("API-PARTY-2"));
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(c, "platform"), "identifier",
				  cJSON_CreateString("IE7654321X"));
	char *other = cJSON_PrintUnformatted(c);
	f = call_json("POST", "/v1/consignments", key_a, other, 201);
	snprintf(path, sizeof(path), "/v1/consignments/%lld", (long long)num(f, "id"));
	cJSON_Delete(f);
	cJSON_Delete(call_json("GET", path, key_party, NULL, 404));
	free(other);
	cJSON_Delete(c);
}

/* The fixture with its LRN and item 0's value: 3 makes the earphones
 * implausibly cheap (R-VAL-ELEC-CHEAP, 35: yellow). */
static cJSON *file_as(const char *token, const char *lrn, const char *value0)
{
	char *body = consignment(lrn, value0);
	cJSON *f = call_json("POST", "/v1/consignments", token, body, 201);
	free(body);
	return f;
}

static const char *lane_of(const cJSON *view)
{
	return str(cJSON_GetObjectItem(view, "risk"), "lane");
}

/* AEO and MRA status change the risk and the payment of the same
 * consignment: a French AEO's filing is lowered by the factor and released
 * on arrival without guarantee up to the waiver; a Chinese AEO's is lowered
 * only while an MRA with China is in force; a filer that is no AEO receives
 * neither. */
static void test_aeo_risk_and_payment(void **state)
{
	(void)state;
	create_operator("{\"kind\":\"express_carrier\",\"name\":\"Rapide Colis SAS\","
			"\"country\":\"FR\",\"identifiers\":[{\"type\":\"eori\","
			"\"value\":\"FR12345678901234\"}],\"aeo\":{\"type\":\"full\","
			"\"issuing_country\":\"FR\",\"certificate\":\"FR-AEOF-123\","
			"\"valid_from\":\"2024-01-01\",\"valid_to\":\"2099-12-31\"},"
			"\"filers\":[\"aeo-fr\"]}");
	create_operator("{\"kind\":\"express_carrier\",\"name\":\"Shenzhen Swift Express\","
			"\"country\":\"CN\",\"identifiers\":[{\"type\":\"tin\","
			"\"value\":\"91440300MA5SWIFT\"}],\"aeo\":{\"type\":\"full\","
			"\"issuing_country\":\"CN\",\"certificate\":\"CNAEO4403001\","
			"\"valid_from\":\"2023-01-01\"},\"filers\":[\"aeo-cn\"]}");

	/* Risk: the same yellow consignment. */
	cJSON *plain = file_as(key_plain, "API-AEO-R-PLAIN", "3");
	assert_int_equal(num(cJSON_GetObjectItem(plain, "risk"), "score"), 35);
	assert_string_equal(lane_of(plain), "yellow");
	assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(plain, "risk"), "aeo"));
	cJSON_Delete(plain);
	cJSON *fr = file_as(key_aeo_fr, "API-AEO-R-FR", "3");
	cJSON *risk = cJSON_GetObjectItem(fr, "risk");
	assert_int_equal(num(risk, "score"), 17);
	assert_string_equal(lane_of(fr), "green");
	cJSON *aeo = cJSON_GetObjectItem(risk, "aeo");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(aeo, "applied")));
	assert_string_equal(str(aeo, "factor"), "0.50");
	assert_string_equal(str(aeo, "explanation"),
			    "filer is AEO (full, FR-AEOF-123, issued by FR), recognised (domestic); "
			    "risk \u00d70.50: score 35 \u2192 17");
	cJSON_Delete(fr);
	cJSON *cn = file_as(key_aeo_cn, "API-AEO-R-CN1", "3");
	assert_string_equal(lane_of(cn), "yellow");
	aeo = cJSON_GetObjectItem(cJSON_GetObjectItem(cn, "risk"), "aeo");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(aeo, "recognised")));
	assert_non_null(strstr(str(aeo, "explanation"), "not recognised: no MRA with CN"));
	long long cn1 = num(cn, "id");
	cJSON_Delete(cn);

	/* Payment: the fixture is green and owes EUR 6.00 before release. */
	cJSON *pf = file_as(key_plain, "API-AEO-P-PLAIN", NULL);
	cJSON *a = post_arrival(num(pf, "id"), key_plain, 200);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(a, "released")));
	assert_string_equal(str(a, "reason"), "duties or taxes are due before release");
	cJSON_Delete(a);
	cJSON_Delete(pf);
	cJSON *ff = file_as(key_aeo_fr, "API-AEO-P-FR1", NULL);
	a = post_arrival(num(ff, "id"), key_aeo_fr, 200);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(a, "released")));
	assert_non_null(strstr(str(a, "reason"), "without guarantee (AEO waiver)"));
	cJSON_Delete(a);
	cJSON_Delete(ff);
	/* the account opened for it: no guarantee, EUR 6.00 owed */
	bool found = false;
	for (int i = 1; i < 20 && !found; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/v1/accounts/%d", i);
		http_res r;
		http_res_init(&r);
		assert_int_equal(http_call(base, "GET", path, key_aeo_fr, NULL, NULL, 0, &r), 0);
		if (r.status == 200) {
			cJSON *acct = cJSON_Parse(r.body.data);
			assert_string_equal(str(acct, "guarantee_ceiling"), "0.00");
			assert_string_equal(str(acct, "balance"), "6.00");
			cJSON_Delete(acct);
			found = true;
		}
		http_res_free(&r);
	}
	assert_true(found);
	/* the waiver is EUR 10.00: a second EUR 6.00 waits */
	ff = file_as(key_aeo_fr, "API-AEO-P-FR2", NULL);
	a = post_arrival(num(ff, "id"), key_aeo_fr, 200);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(a, "released")));
	assert_non_null(strstr(str(a, "reason"), "ceiling"));
	cJSON_Delete(a);
	cJSON_Delete(ff);

	/* The Chinese AEO's yellow consignment waits for an officer ... */
	a = post_arrival(cn1, key_aeo_cn, 200);
	assert_string_equal(str(a, "reason"), "selected for control: waits for an officer");
	cJSON_Delete(a);
	/* ... until an MRA between the EU and China is registered. */
	cJSON_Delete(call_json("POST", "/v1/mras", NULL,
			       "{\"reference\":\"x\",\"party_a\":\"EU\",\"party_b\":\"CN\","
			       "\"valid_from\":\"2020-01-01\"}",
			       401));
	cJSON_Delete(call_json("POST", "/v1/mras", key_officer,
			       "{\"reference\":\"x\",\"party_a\":\"EU\",\"party_b\":\"CN\","
			       "\"valid_from\":\"2020-01-01\"}",
			       403));
	cJSON *m = call_json("POST", "/v1/mras", key_admin,
			     "{\"reference\":\"EU-CN AEO mutual recognition (JCCC Decision 1/2014)\","
			     "\"party_a\":\"EU\",\"party_b\":\"CN\",\"valid_from\":\"2020-01-01\"}",
			     201);
	long long mra = num(m, "id");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(m, "in_force")));
	cJSON_Delete(m);
	cn = file_as(key_aeo_cn, "API-AEO-R-CN2", "3");
	risk = cJSON_GetObjectItem(cn, "risk");
	assert_string_equal(lane_of(cn), "green");
	assert_int_equal(num(risk, "score"), 17);
	aeo = cJSON_GetObjectItem(risk, "aeo");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(aeo, "recognised")));
	char want[64];
	snprintf(want, sizeof(want), "recognised (MRA %lld: EU-CN", mra);
	assert_non_null(strstr(str(aeo, "explanation"), want));
	a = post_arrival(num(cn, "id"), key_aeo_cn, 200);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(a, "released")));
	/* a foreign AEO defers within its own guarantee: no waiver */
	assert_string_equal(str(a, "reason"),
			    "green lane: released, duties and taxes debited to the deferred account");
	cJSON_Delete(a);
	cJSON_Delete(cn);

	/* MRAs are public, filtered by party and force. */
	cJSON *l = call_json("GET", "/v1/mras?party=CN&in_force=true", NULL, NULL, 200);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(l, "items")), 1);
	cJSON_Delete(l);
	l = call_json("GET", "/v1/mras?in_force=false", NULL, NULL, 200);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(l, "items")), 0);
	cJSON_Delete(l);
	cJSON_Delete(call_json("GET", "/v1/mras?party=XX", NULL, NULL, 400));
	char path[64];
	snprintf(path, sizeof(path), "/v1/mras/%lld", mra);
	cJSON_Delete(call_json("GET", path, NULL, NULL, 200));
	cJSON_Delete(call_json("GET", "/v1/mras/99999", NULL, NULL, 404));
	/* the MRA ends: the same consignment is yellow again */
	cJSON_Delete(call_json("PATCH", path, key_aeo_cn, "{\"valid_to\":\"2020-12-31\"}", 403));
	cJSON_Delete(call_json("PATCH", path, key_admin, "{\"party_b\":\"JP\"}", 422));
	m = call_json_x("PATCH", path, key_admin, "{\"valid_to\":\"2021-12-31\"}", 200,
			"If-Match: \"1\"", NULL, 0);
	assert_int_equal(num(m, "version"), 2);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(m, "in_force")));
	cJSON_Delete(m);
	cn = file_as(key_aeo_cn, "API-AEO-R-CN3", "3");
	assert_string_equal(lane_of(cn), "yellow");
	cJSON_Delete(cn);
}

/* API keys for administrators: created (shown once), listed (never the
 * key), rotated, revoked at once. */
static void test_keys_api(void **state)
{
	(void)state;
	cJSON *k1 = call_json("POST", "/v1/keys", key_admin,
			      "{\"filer\":\"rotating-filer\",\"role\":\"filer\",\"label\":\"v1\","
			      "\"expires_days\":30}",
			      201);
	char key1[96], prefix1[16];
	snprintf(key1, sizeof(key1), "%s", str(k1, "key"));
	snprintf(prefix1, sizeof(prefix1), "%s", str(k1, "prefix"));
	assert_int_equal(strncmp(key1, prefix1, 12), 0);
	cJSON_Delete(k1);
	cJSON_Delete(call_json("GET", "/v1/consignments?limit=1", key1, NULL, 200));
	http_res r;
	http_res_init(&r);
	assert_int_equal(http_call(base, "GET", "/v1/keys?filer=rotating-filer", key_admin, NULL,
				   NULL, 0, &r), 0);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body.data, key1)); /* never the key */
	cJSON *l = cJSON_Parse(r.body.data);
	http_res_free(&r);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(l, "items")), 1);
	cJSON *item = cJSON_GetArrayItem(cJSON_GetObjectItem(l, "items"), 0);
	assert_string_equal(str(item, "prefix"), prefix1);
	assert_string_equal(str(item, "state"), "active");
	assert_string_equal(str(item, "label"), "v1");
	assert_non_null(cJSON_GetStringValue(cJSON_GetObjectItem(item, "expires_at")));
	cJSON_Delete(l);

	/* rotation: the new key first, then the old one revoked */
	cJSON *k2 = call_json("POST", "/v1/keys", key_admin,
			      "{\"filer\":\"rotating-filer\",\"role\":\"filer\",\"label\":\"v2\"}", 201);
	char key2[96];
	snprintf(key2, sizeof(key2), "%s", str(k2, "key"));
	cJSON_Delete(k2);
	char path[64];
	snprintf(path, sizeof(path), "/v1/keys/%s", prefix1);
	cJSON_Delete(call_json("DELETE", path, key_a, NULL, 403));
	cJSON_Delete(call_json("DELETE", path, key_officer, NULL, 403));
	cJSON *d = call_json("DELETE", path, key_admin, NULL, 200);
	assert_string_equal(str(d, "state"), "revoked");
	cJSON_Delete(d);
	/* at once, although the key was in the server's cache */
	cJSON_Delete(call_json("GET", "/v1/consignments?limit=1", key1, NULL, 401));
	cJSON_Delete(call_json("GET", "/v1/consignments?limit=1", key2, NULL, 200));
	cJSON_Delete(call_json("DELETE", path, key_admin, NULL, 404));
	cJSON_Delete(call_json("DELETE", "/v1/keys/nonsense", key_admin, NULL, 404));
	l = call_json("GET", "/v1/keys?filer=rotating-filer", key_admin, NULL, 200);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(l, "items")), 2);
	assert_string_equal(str(cJSON_GetArrayItem(cJSON_GetObjectItem(l, "items"), 1), "state"),
			    "revoked");
	cJSON_Delete(l);
	/* administrators only, strict members */
	cJSON_Delete(call_json("GET", "/v1/keys", key_supervisor, NULL, 403));
	cJSON_Delete(call_json("POST", "/v1/keys", key_a, "{\"filer\":\"x\",\"role\":\"admin\"}",
			       403));
	cJSON *p = call_json("POST", "/v1/keys", key_admin,
			     "{\"filer\":\"x\",\"role\":\"root\",\"expires_days\":0,\"key\":\"mine\","
			     "\"colour\":\"red\"}",
			     422);
	assert_true(has_error(p, "/role", "enum"));
	assert_true(has_error(p, "/expires_days", "range"));
	assert_true(has_error(p, "/key", "read_only"));
	assert_true(has_error(p, "/colour", "unknown_field"));
	cJSON_Delete(p);
}

/* ---- limits, each of issue 7 ------------------------------------------------------------- */

/* The value of the first metric sample of url/metrics that starts with
 * prefix; -1 when none. */
static double scrape_url(const char *url, const char *prefix)
{
	http_res r;
	http_res_init(&r);
	assert_int_equal(http_call(url, "GET", "/metrics", NULL, NULL, NULL, 0, &r), 0);
	assert_int_equal(r.status, 200);
	double v = -1;
	for (const char *line = r.body.data; line != NULL && *line;) {
		if (strncmp(line, prefix, strlen(prefix)) == 0) {
			v = strtod(line + strlen(prefix), NULL);
			break;
		}
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	http_res_free(&r);
	return v;
}

/* Sends raw bytes to url's port and reads until the server closes or
 * `wait_ms` passes; the answer in out[size], the time it took in *ms. */
static size_t raw_exchange(const char *url, const char *bytes, size_t n, int wait_ms,
			   bool trickle, char *out, size_t size, long *ms)
{
	const char *colon = strrchr(url, ':');
	int port = atoi(colon + 1);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	size_t sent = trickle ? 0 : n, got = 0;
	if (!trickle)
		assert_int_equal(send(fd, bytes, n, MSG_NOSIGNAL), (ssize_t)n);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		long el = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		if (el >= wait_ms)
			break;
		/* a slow client: one byte every 100 ms, never idle */
		if (trickle && send(fd, bytes + sent % n, 1, MSG_NOSIGNAL) == 1)
			sent++;
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, trickle ? 100 : 50) > 0) {
			ssize_t k = recv(fd, out + got, size - 1 - got, 0);
			if (k <= 0)
				break; /* closed by the server */
			got += (size_t)k;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	out[got] = '\0';
	close(fd);
	return got;
}

/* 413 before the body is read: a declared length over the limit is
 * answered at once, though not one byte of the body was sent; 431 for a
 * header block over the bound; a client that trickles its headers is cut
 * off at the header deadline, one that stops sending at the idle timeout. */
static void test_limits_wire(void **state)
{
	(void)state;
	char url[64], out[4096], req[512];
	long ms;
	mlv_server_opts o = MLV_SERVER_OPTS_INIT;
	o.max_body = MAX_BODY;
	o.header_timeout_s = 1;
	o.timeout_s = 2;
	mlv_server *srv = limited_opts(&o, url, sizeof(url));
	snprintf(req, sizeof(req),
		 "POST /v1/consignments HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n"
		 "Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{",
		 key_a);
	raw_exchange(url, req, strlen(req), 3000, false, out, sizeof(out), &ms);
	assert_non_null(strstr(out, "HTTP/1.1 413"));
	assert_non_null(strstr(out, "larger than"));
	assert_true(ms < 2500); /* answered, not waiting for 100 MB */

	size_t big = 48 * 1024;
	char *huge = malloc(big + 128);
	int n = snprintf(huge, 128, "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Padding: ");
	memset(huge + n, 'a', big);
	memcpy(huge + n + big, "\r\n\r\n", 4);
	raw_exchange(url, huge, (size_t)n + big + 4, 3000, false, out, sizeof(out), &ms);
	assert_non_null(strstr(out, "HTTP/1.1 431"));
	free(huge);

	static const char slow[] = "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ";
	raw_exchange(url, slow, strlen(slow), 6000, true, out, sizeof(out), &ms);
	assert_true(ms >= 900 && ms < 4000); /* cut at the 1 s deadline, though never idle */
	assert_null(strstr(out, "HTTP/1.1 200"));
	raw_exchange(url, slow, strlen(slow), 6000, false, out, sizeof(out), &ms);
	assert_true(ms < 4000); /* a silent client: closed too */
	assert_true(scrape_url(url, "mlv_http_header_timeouts_total") >= 1);
	/* a normal request is unaffected */
	assert_int_equal(status_of(url, key_a, NULL, 0), 200);
	mlv_server_stop(srv);
}

/* Item count and depth caps of a filing. */
static void test_limits_items(void **state)
{
	(void)state;
	mlv_buf b = MLV_BUF_INIT(1 << 20);
	mlv_buf_adds(&b, "{\"lrn\":\"API-ITEMS-1\",\"items\":[");
	for (int i = 0; i < 1000; i++)
		mlv_buf_adds(&b, i ? ",{}" : "{}");
	mlv_buf_adds(&b, "]}");
	cJSON *j = call_json("POST", "/v1/consignments", key_a, b.data, 422);
	assert_true(has_error(j, "/items", "too_many"));
	cJSON_Delete(j);
	mlv_buf_free(&b);
}

/* Brute force on keys with the default settings: 10 failures in 15
 * minutes lock the address out for the rest of the window. */
static void test_lockout_defaults(void **state)
{
	(void)state;
	char url[64], ra[16];
	mlv_server_opts o = MLV_SERVER_OPTS_INIT;
	assert_int_equal(o.auth_max_failures, 10);
	assert_int_equal(o.auth_window_s, 900);
	mlv_server *srv = limited_opts(&o, url, sizeof(url));
	for (int i = 0; i < 10; i++)
		assert_int_equal(status_of(url, "mlv_guessing-at-keys-0000000000", NULL, 0), 401);
	assert_int_equal(status_of(url, "mlv_guessing-at-keys-0000000000", ra, sizeof(ra)), 429);
	assert_true(atoi(ra) > 800 && atoi(ra) <= 900);
	assert_int_equal(status_of(url, key_a, NULL, 0), 429);
	mlv_server_stop(srv);
}

static long login(const char *url, const char *user, const char *password, const char *from,
		  char *retry_after, size_t n)
{
	char body[256];
	snprintf(body, sizeof(body), "username=%s&password=%s&next=%%2Fconsole", user, password);
	for (char *p = body; *p; p++)
		if (*p == ' ')
			*p = '+';
	return status_at(url, "POST", "/console/login", NULL, "application/x-www-form-urlencoded",
			 body, from, retry_after, n);
}

/* Brute force on a console password: 10 failures in 15 minutes lock the
 * address and the username out, even with the right password; another
 * address is locked out for that username, not for others. */
static void test_console_lockout(void **state)
{
	(void)state;
	char url[64], ra[16];
	mlv_server_opts o = MLV_SERVER_OPTS_INIT;
	mlv_server *srv = limited_opts(&o, url, sizeof(url));
	assert_int_equal(login(url, CONSOLE_USER, CONSOLE_PASSWORD, NULL, NULL, 0), 303);
	for (int i = 0; i < 10; i++)
		assert_int_equal(login(url, CONSOLE_USER, "wrong password guess", NULL, NULL, 0), 401);
	assert_int_equal(login(url, CONSOLE_USER, CONSOLE_PASSWORD, NULL, ra, sizeof(ra)), 429);
	assert_true(atoi(ra) > 800 && atoi(ra) <= 900);
	/* from another address: the username is locked, other names are not */
	assert_int_equal(login(url, CONSOLE_USER, CONSOLE_PASSWORD, "127.0.0.2", NULL, 0), 429);
	assert_int_equal(login(url, "somebody-else", "wrong password guess", "127.0.0.2", NULL, 0),
			 401);
	mlv_server_stop(srv);
}

/* Signs CONSOLE_USER in and returns its cookie ("mlv_session=...") in cookie. */
static void sign_in(const char *url, char *cookie, size_t n)
{
	char body[256];
	snprintf(body, sizeof(body), "username=%s&password=%s&next=%%2Fconsole", CONSOLE_USER,
		 CONSOLE_PASSWORD);
	for (char *p = body; *p; p++)
		if (*p == ' ')
			*p = '+';
	http_res r;
	http_res_init(&r);
	assert_int_equal(http_call(url, "POST", "/console/login", NULL,
				   "application/x-www-form-urlencoded", body, strlen(body), &r),
			 0);
	assert_int_equal(r.status, 303);
	size_t k = strcspn(r.set_cookie, ";");
	assert_true(strncmp(r.set_cookie, "mlv_session=", 12) == 0 && k < n);
	snprintf(cookie, n, "Cookie: %.*s", (int)k, r.set_cookie);
	http_res_free(&r);
}

/* GET path with the session cookie header: the status and Retry-After. */
static long status_session(const char *url, const char *path, const char *cookie, char *ra,
			   size_t n)
{
	http_res r;
	http_res_init(&r);
	http_extra x = {.header = cookie};
	assert_int_equal(http_call_extra(url, "GET", path, NULL, NULL, NULL, 0, &x, &r), 0);
	long st = r.status;
	if (ra != NULL)
		snprintf(ra, n, "%s", r.retry_after);
	http_res_free(&r);
	return st;
}

/* A person signed in is rate-limited like a key: one bucket per person
 * (every session of theirs), apart from any filer's; the API and the
 * console's pages answer 429 with Retry-After. */
static void test_rate_limit_per_person(void **state)
{
	(void)state;
	char url[64], ra[16], cookie[160], cookie2[160];
	mlv_server *srv = limited(5, 0, url, sizeof(url));
	sign_in(url, cookie, sizeof(cookie));
	int ok = 0;
	long st = 200;
	for (int i = 0; i < 30 && st == 200; i++) {
		st = status_session(url, "/v1/queue?limit=1", cookie, ra, sizeof(ra));
		ok += st == 200;
	}
	assert_int_equal(st, 429);
	assert_true(ok >= 10 && ok <= 12);
	assert_true(atoi(ra) >= 1);
	/* another session of the same person shares the bucket */
	sign_in(url, cookie2, sizeof(cookie2));
	assert_int_equal(status_session(url, "/v1/queue?limit=1", cookie2, NULL, 0), 429);
	/* so do the console's pages */
	ra[0] = '\0';
	assert_int_equal(status_session(url, "/console", cookie, ra, sizeof(ra)), 429);
	assert_true(atoi(ra) >= 1);
	/* a key (whatever its filer id) keeps its own bucket */
	assert_int_equal(status_of(url, key_a, NULL, 0), 200);
	assert_int_equal(status_at(url, "GET", "/v1/queue?limit=1", key_officer, NULL, NULL, NULL,
				   NULL, 0),
			 200);
	mlv_server_stop(srv);
}

/* GET /v1/mras/{id}/history: every change with its actor, the members it
 * changed and the record after it; administrators, auditors and
 * supervisors only. */
static void test_mra_history(void **state)
{
	(void)state;
	cJSON *m = call_json("POST", "/v1/mras", key_admin,
			     "{\"reference\":\"HIST-MRA\",\"party_a\":\"EU\",\"party_b\":\"NZ\","
			     "\"valid_from\":\"2022-05-01\"}",
			     201);
	long long id = num(m, "id");
	cJSON_Delete(m);
	char path[96];
	snprintf(path, sizeof(path), "/v1/mras/%lld", id);
	cJSON_Delete(call_json("PATCH", path, key_admin, "{\"valid_to\":\"2025-12-31\"}", 200));
	snprintf(path, sizeof(path), "/v1/mras/%lld/history", id);
	cJSON *h = call_json("GET", path, key_auditor, NULL, 200);
	assert_int_equal(num(h, "mra"), id);
	cJSON *ch = cJSON_GetObjectItem(h, "changes");
	assert_int_equal(cJSON_GetArraySize(ch), 2);
	cJSON *first = cJSON_GetArrayItem(ch, 0), *second = cJSON_GetArrayItem(ch, 1);
	assert_string_equal(str(first, "change"), "created");
	assert_string_equal(str(first, "actor"), "admin:admin-root");
	assert_int_equal(num(first, "version"), 1);
	assert_string_equal(str(cJSON_GetObjectItem(first, "record"), "reference"), "HIST-MRA");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(first, "record"),
						     "in_force")));
	assert_string_equal(str(second, "change"), "updated");
	assert_int_equal(num(second, "version"), 2);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(second, "changed")), 1);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(
				    cJSON_GetObjectItem(second, "changed"), 0)),
			    "valid_to");
	assert_string_equal(str(cJSON_GetObjectItem(second, "record"), "valid_to"), "2025-12-31");
	assert_non_null(cJSON_GetObjectItem(second, "at"));
	cJSON_Delete(h);
	cJSON_Delete(call_json("GET", path, key_admin, NULL, 200));
	cJSON_Delete(call_json("GET", path, key_supervisor, NULL, 200));
	cJSON_Delete(call_json("GET", path, key_officer, NULL, 403));
	cJSON_Delete(call_json("GET", path, key_a, NULL, 403));
	/* without a key (from an address of its own: failures count per address) */
	assert_int_equal(status_at(base, "GET", path, NULL, NULL, NULL, "127.0.0.3", NULL, 0), 401);
	cJSON_Delete(call_json("GET", "/v1/mras/999999/history", key_admin, NULL, 404));
	/* the arrangement ends: out of force today */
	snprintf(path, sizeof(path), "/v1/mras/%lld", id);
	m = call_json("GET", path, NULL, NULL, 200);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(m, "in_force")));
	cJSON_Delete(m);
}

/* ---- risk rules through the API ------------------------------------------------------ */

/* A request with a text/plain body (NULL: none) and one more header. */
static cJSON *call_text(const char *url, const char *method, const char *path, const char *token,
			const char *text, const char *header, long expect, char *etag, size_t n)
{
	harness_call_opts x = {.ctype = "text/plain", .header = header, .etag = etag, .etag_size = n};
	return harness_call_x(url, method, path, token, text, expect, &x);
}

static long long rules_version(const char *url)
{
	cJSON *g = call_text(url, "GET", "/v1/rules", key_analyst, NULL, NULL, 200, NULL, 0);
	long long v = num(g, "version");
	cJSON_Delete(g);
	return v;
}

/* Files the fixture under lrn (seller: the fixture's, or `seller`) and
 * returns the answer. */
static cJSON *file_seller(const char *url, const char *lrn, const char *seller)
{
	char *body = consignment(lrn, NULL);
	if (seller != NULL) {
		cJSON *j = cJSON_Parse(body);
		cJSON_ReplaceItemInObject(cJSON_GetObjectItem(j, "seller"), "name",
					  cJSON_CreateString(seller));
		free(body);
		body = cJSON_PrintUnformatted(j);
		cJSON_Delete(j);
	}
	http_res r;
	http_res_init(&r);
	assert_int_equal(http_call(url, "POST", "/v1/consignments", key_a, "application/json",
				   body, strlen(body), &r),
			 0);
	if (r.status != 201)
		fprintf(stderr, "filing %s -> %ld: %s\n", lrn, r.status, r.body.data);
	assert_int_equal(r.status, 201);
	cJSON *j = cJSON_Parse(r.body.data);
	http_res_free(&r);
	free(body);
	return j;
}

static const cJSON *hit_of(const cJSON *filing, const char *rule)
{
	const cJSON *h;
	cJSON_ArrayForEach(h, cJSON_GetObjectItem(cJSON_GetObjectItem(filing, "risk"), "hits"))
		if (strcmp(str(h, "rule"), rule) == 0)
			return h;
	return NULL;
}

static long long profile_version_of(const cJSON *filing)
{
	return num(cJSON_GetObjectItem(cJSON_GetObjectItem(filing, "risk"), "profile"), "version");
}

/* A risk analyst changes the rules: readers and writers by role, a rule
 * on the buyer refused with 422 at its line, a new version per change
 * (recorded by the filings made after it, not by those before), rule
 * versions that rise, If-Match, old versions readable, removal, and one
 * audit event per version. */
static void test_rules_api(void **state)
{
	(void)state;
	char etag[64], hdr[96];
	cJSON *g = call_text(base, "GET", "/v1/rules", key_analyst, NULL, NULL, 200, etag,
			     sizeof(etag));
	long long v0 = num(g, "version");
	assert_true(v0 >= 1);
	assert_string_equal(str(g, "created_by"), "system");
	cJSON *prof = cJSON_GetObjectItem(g, "profile");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(prof, "rules")),
			 (int)mlv_risk_profile_rule_count(risk_profile));
	assert_int_equal(num(prof, "version"), v0);
	snprintf(hdr, sizeof(hdr), "\"%lld\"", v0);
	assert_string_equal(etag, hdr);
	cJSON_Delete(g);

	/* Readers: analysts, supervisors, auditors; not filers nor officers. */
	cJSON_Delete(call_text(base, "GET", "/v1/rules", key_supervisor, NULL, NULL, 200, NULL, 0));
	cJSON_Delete(call_text(base, "GET", "/v1/rules", key_auditor, NULL, NULL, 200, NULL, 0));
	cJSON_Delete(call_text(base, "GET", "/v1/rules", key_a, NULL, NULL, 403, NULL, 0));
	cJSON_Delete(call_text(base, "GET", "/v1/rules", key_officer, NULL, NULL, 403, NULL, 0));
	cJSON_Delete(call_text(base, "GET", "/v1/rules", NULL, NULL, NULL, 401, NULL, 0));

	/* Writers: analysts and supervisors only. */
	const char *rule1 = "[rule R-API-1]\nweight = 1\nexplain = departed {departure}\n"
			    "departure = CN\n";
	const char *no_writers[] = {key_a, key_officer, key_auditor};
	for (size_t i = 0; i < MLV_ARRAY_LEN(no_writers); i++) {
		cJSON_Delete(call_text(base, "POST", "/v1/rules", no_writers[i], rule1, NULL, 403,
				       NULL, 0));
		cJSON_Delete(call_text(base, "PUT", "/v1/rules", no_writers[i], rule1, NULL, 403,
				       NULL, 0));
		cJSON_Delete(call_text(base, "DELETE", "/v1/rules/R-VAL-UNDER-ANY", no_writers[i],
				       NULL, NULL, 403, NULL, 0));
	}
	assert_int_equal(rules_version(base), v0);

	/* A criterion on the buyer: 422 at its line, nothing stored. */
	const char *bad = "; the consumer\n[rule R-API-BAD]\nweight = 5\nexplain = x\n"
			  "buyer_country = FR\norigin = CN\n";
	cJSON *p = call_text(base, "POST", "/v1/rules", key_analyst, bad, NULL, 422, NULL, 0);
	assert_string_equal(str(p, "type"), "urn:mainlevee:problem:rules");
	cJSON *e0 = cJSON_GetArrayItem(cJSON_GetObjectItem(p, "errors"), 0);
	assert_int_equal(num(e0, "line"), 5);
	assert_string_equal(str(e0, "code"), "consumer_criterion");
	assert_non_null(strstr(str(e0, "message"), "consumers are not profiled"));
	cJSON_Delete(p);
	size_t len = 0;
	const char *deflt = mlv_risk_profile_text(risk_profile, &len);
	size_t lines = 0;
	for (size_t i = 0; i < len; i++)
		lines += deflt[i] == '\n';
	char *whole = malloc(len + 256);
	snprintf(whole, len + 256, "%s\n[rule R-API-BAD]\nversion = 1\nweight = 5\nexplain = x\n"
				   "origin = CN\nconsignee_name = X\n", deflt);
	p = call_text(base, "PUT", "/v1/rules", key_analyst, whole, NULL, 422, NULL, 0);
	e0 = cJSON_GetArrayItem(cJSON_GetObjectItem(p, "errors"), 0);
	assert_int_equal(num(e0, "line"), (long long)lines + 7);
	assert_string_equal(str(e0, "code"), "consumer_criterion");
	cJSON_Delete(p);
	free(whole);
	cJSON_Delete(call_text(base, "PUT", "/v1/rules", key_analyst, "[profile]\n", NULL, 422, NULL,
			       0));
	cJSON_Delete(call_text(base, "POST", "/v1/rules", key_analyst, "{\"rule\":1}", NULL, 422,
			       NULL, 0));
	http_res r;
	http_res_init(&r);
	assert_int_equal(http_call(base, "POST", "/v1/rules", key_analyst, "application/json", "{}",
				   2, &r),
			 0);
	assert_int_equal(r.status, 415);
	http_res_free(&r);
	assert_int_equal(rules_version(base), v0);

	/* Before the change: a filing records v0 and no R-API-1. */
	cJSON *f1 = file_seller(base, "API-RULES-1", NULL);
	assert_int_equal(profile_version_of(f1), v0);
	assert_null(hit_of(f1, "R-API-1"));

	/* The analyst adds a rule: a new version, in force for new filings. */
	cJSON *c = call_text(base, "POST", "/v1/rules", key_analyst, rule1, NULL, 201, etag,
			     sizeof(etag));
	assert_string_equal(str(c, "outcome"), "created");
	assert_int_equal(num(c, "version"), v0 + 1);
	assert_int_equal(num(c, "previous_version"), v0);
	assert_string_equal(str(c, "created_by"), "analyst:analyst-ana");
	assert_non_null(strstr(str(c, "summary"), "R-API-1"));
	assert_true(num(c, "event") > 0);
	cJSON *ch = cJSON_GetArrayItem(cJSON_GetObjectItem(c, "changes"), 0);
	assert_string_equal(str(ch, "change"), "added");
	assert_int_equal(num(ch, "to_version"), 1);
	cJSON_Delete(c);
	snprintf(hdr, sizeof(hdr), "\"%lld\"", v0 + 1);
	assert_string_equal(etag, hdr);
	cJSON *f2 = file_seller(base, "API-RULES-2", NULL);
	assert_int_equal(profile_version_of(f2), v0 + 1);
	const cJSON *h = hit_of(f2, "R-API-1");
	assert_non_null(h);
	assert_int_equal(num(h, "version"), 1);
	assert_string_equal(str(h, "explanation"), "departed CN");
	/* ... and the filing made before keeps the version it was assessed with */
	char path[96];
	snprintf(path, sizeof(path), "/v1/consignments/%lld", num(f1, "id"));
	cJSON *g1 = call_json("GET", path, key_a, NULL, 200);
	assert_int_equal(profile_version_of(g1), v0);
	cJSON_Delete(g1);
	cJSON_Delete(f1);
	cJSON_Delete(f2);

	/* Changed without a version line: the rule's version rises. */
	const char *rule1b = "[rule R-API-1]\nweight = 2\nexplain = departed {departure}\n"
			     "departure = CN\n";
	c = call_text(base, "POST", "/v1/rules", key_supervisor, rule1b, NULL, 201, NULL, 0);
	assert_int_equal(num(c, "version"), v0 + 2);
	ch = cJSON_GetArrayItem(cJSON_GetObjectItem(c, "changes"), 0);
	assert_string_equal(str(ch, "change"), "changed");
	assert_int_equal(num(ch, "from_version"), 1);
	assert_int_equal(num(ch, "to_version"), 2);
	assert_string_equal(str(c, "created_by"), "supervisor:supervisor-sam");
	cJSON_Delete(c);
	cJSON *f3 = file_seller(base, "API-RULES-3", NULL);
	h = hit_of(f3, "R-API-1");
	assert_non_null(h);
	assert_int_equal(num(h, "version"), 2);
	assert_int_equal(num(h, "weight"), 2);
	cJSON_Delete(f3);
	/* The same rule again is no change, and no version. */
	c = call_text(base, "POST", "/v1/rules", key_analyst, rule1b, NULL, 200, NULL, 0);
	assert_string_equal(str(c, "outcome"), "unchanged");
	assert_int_equal(num(c, "version"), v0 + 2);
	cJSON_Delete(c);
	/* A version named that does not rise is refused at its line. */
	p = call_text(base, "POST", "/v1/rules", key_analyst,
		      "[rule R-API-1]\nversion = 2\nweight = 9\nexplain = x\ndeparture = CN\n", NULL,
		      422, NULL, 0);
	e0 = cJSON_GetArrayItem(cJSON_GetObjectItem(p, "errors"), 0);
	assert_int_equal(num(e0, "line"), 1);
	assert_non_null(strstr(str(e0, "message"), "raise its version"));
	cJSON_Delete(p);

	/* If-Match: a stale version is refused, the current one accepted. */
	const char *rule1c = "[rule R-API-1]\nweight = 3\nexplain = departed {departure}\n"
			     "departure = CN\n";
	snprintf(hdr, sizeof(hdr), "If-Match: \"%lld\"", v0);
	cJSON_Delete(call_text(base, "POST", "/v1/rules", key_analyst, rule1c, hdr, 412, NULL, 0));
	snprintf(hdr, sizeof(hdr), "If-Match: \"%lld\"", v0 + 2);
	c = call_text(base, "POST", "/v1/rules", key_analyst, rule1c, hdr, 201, NULL, 0);
	assert_int_equal(num(c, "version"), v0 + 3);
	cJSON_Delete(c);

	/* A whole profile whose changed rule keeps its version: 422. */
	snprintf(path, sizeof(path), "/v1/rules/versions/%lld", v0 + 3);
	cJSON *vt = call_text(base, "GET", path, key_auditor, NULL, NULL, 200, NULL, 0);
	assert_int_equal(num(vt, "version"), v0 + 3);
	char *text = strdup(str(vt, "text"));
	char *w = strstr(strstr(text, "[rule R-API-1]"), "weight = 3\n");
	assert_non_null(w);
	w[9] = '4';
	p = call_text(base, "PUT", "/v1/rules", key_analyst, text, NULL, 422, NULL, 0);
	assert_non_null(strstr(str(cJSON_GetArrayItem(cJSON_GetObjectItem(p, "errors"), 0),
				   "message"),
			       "rule R-API-1 changed but kept version 3"));
	cJSON_Delete(p);
	w[9] = '3';
	c = call_text(base, "PUT", "/v1/rules", key_analyst, text, NULL, 200, NULL, 0);
	assert_string_equal(str(c, "outcome"), "unchanged"); /* the very same text */
	cJSON_Delete(c);
	free(text);
	cJSON_Delete(vt);

	/* Every version stays readable, newest first, with its text. */
	cJSON *vs = call_text(base, "GET", "/v1/rules/versions?limit=2", key_analyst, NULL, NULL,
			      200, NULL, 0);
	cJSON *list = cJSON_GetObjectItem(vs, "versions");
	assert_int_equal(cJSON_GetArraySize(list), 2);
	assert_int_equal(num(cJSON_GetArrayItem(list, 0), "version"), v0 + 3);
	assert_int_equal(num(cJSON_GetArrayItem(list, 1), "version"), v0 + 2);
	assert_true(num(cJSON_GetArrayItem(list, 0), "event") > 0);
	assert_non_null(str(vs, "next"));
	cJSON_Delete(vs);
	snprintf(path, sizeof(path), "/v1/rules/versions/%lld", v0);
	vt = call_text(base, "GET", path, key_analyst, NULL, NULL, 200, NULL, 0);
	assert_string_equal(str(vt, "text"), deflt);
	assert_string_equal(str(vt, "created_by"), "system");
	cJSON_Delete(vt);
	cJSON_Delete(call_text(base, "GET", "/v1/rules/versions/999999", key_analyst, NULL, NULL,
			       404, NULL, 0));
	cJSON_Delete(call_text(base, "GET", "/v1/rules/versions?limit=0", key_analyst, NULL, NULL,
			       400, NULL, 0));

	/* One rule, then its removal. */
	cJSON *one = call_text(base, "GET", "/v1/rules/R-API-1", key_auditor, NULL, NULL, 200, NULL,
			       0);
	assert_int_equal(num(one, "version"), 3);
	assert_non_null(strstr(str(one, "text"), "weight = 3"));
	assert_string_equal(str(cJSON_GetArrayItem(cJSON_GetObjectItem(one, "criteria"), 0), "key"),
			    "departure");
	cJSON_Delete(one);
	c = call_text(base, "DELETE", "/v1/rules/R-API-1", key_supervisor, NULL, NULL, 201, NULL, 0);
	assert_int_equal(num(c, "version"), v0 + 4);
	assert_string_equal(str(cJSON_GetArrayItem(cJSON_GetObjectItem(c, "changes"), 0), "change"),
			    "removed");
	cJSON_Delete(c);
	cJSON_Delete(call_text(base, "GET", "/v1/rules/R-API-1", key_analyst, NULL, NULL, 404, NULL,
			       0));
	cJSON_Delete(call_text(base, "DELETE", "/v1/rules/R-API-1", key_analyst, NULL, NULL, 404,
			       NULL, 0));
	cJSON *f4 = file_seller(base, "API-RULES-4", NULL);
	assert_null(hit_of(f4, "R-API-1"));
	assert_int_equal(profile_version_of(f4), v0 + 4);
	cJSON_Delete(f4);

	/* Each version is an event of the audit log, and the log verifies. */
	mlv_store_opts so = MLV_STORE_OPTS_INIT;
	so.path = db;
	so.read_only = true;
	mlv_store *st = NULL;
	char err[256];
	assert_int_equal(mlv_store_open(&st, &so, err, sizeof(err)), 0);
	for (long long v = v0; v <= v0 + 4; v++) {
		mlv_rules_version rv;
		assert_int_equal(mlv_store_rules_get(st, v, &rv, NULL), 0);
		assert_true(rv.event_id > 0);
	}
	sleep(1); /* a signed tree head over the newest events */
	mlv_audit_report rep;
	int vrc = mlv_store_audit_verify(st, audit_pk, &rep);
	if (vrc != 0)
		fprintf(stderr, "audit: %s\n", rep.first_problem);
	assert_int_equal(vrc, 0);
	mlv_store_close(st);
}

/* Files `lrn` for `seller` on url, brings it to inspection and closes it
 * with `result`. */
static void controlled(const char *url, const char *lrn, const char *seller, const char *result)
{
	cJSON *f = file_seller(url, lrn, seller);
	long long id = num(f, "id");
	assert_string_equal(str(cJSON_GetObjectItem(f, "risk"), "lane"), "red");
	cJSON_Delete(f);
	char path[96], body[200];
	snprintf(path, sizeof(path), "/v1/consignments/%lld/arrival", id);
	cJSON_Delete(call_text(url, "POST", path, key_a, NULL, NULL, 200, NULL, 0));
	snprintf(path, sizeof(path), "/v1/consignments/%lld/actions", id);
	http_res r;
	http_res_init(&r);
	const char *inspect = "{\"action\":\"inspect\",\"reason\":\"rule review test\"}";
	assert_int_equal(http_call(url, "POST", path, key_officer, "application/json", inspect,
				   strlen(inspect), &r),
			 0);
	assert_int_equal(r.status, 200);
	http_res_free(&r);
	snprintf(body, sizeof(body), "{\"action\":\"%s\",\"reason\":\"closed\",\"result\":\"%s\"}",
		 strcmp(result, "seizure") == 0 ? "seize" : "release", result);
	http_res_init(&r);
	assert_int_equal(http_call(url, "POST", path, key_officer, "application/json", body,
				   strlen(body), &r),
			 0);
	assert_int_equal(r.status, 200);
	http_res_free(&r);
}

/* The operator's score as the server has it: {controls, score}, after a
 * rebuild newer than `after` (polls the refresh thread). */
static cJSON *operator_score(const char *url, const char *query, const char *after)
{
	for (int i = 0; i < 100; i++) {
		cJSON *j = call_text(url, "GET", query, key_officer, NULL, NULL, 200, NULL, 0);
		const char *at = cJSON_GetStringValue(cJSON_GetObjectItem(j, "computed_at"));
		if (after == NULL || (at != NULL && strcmp(at, after) > 0))
			return j;
		cJSON_Delete(j);
		usleep(100000);
	}
	fail_msg("the operator scores were not rebuilt");
	return NULL;
}

/* Review flags over HTTP (configurable thresholds), the scheduled rebuild
 * of the analytics, operator scores from inspection results, and a rule
 * that reads them. */
static void test_rules_review_and_operator_scores(void **state)
{
	(void)state;
	mlv_server_opts o = MLV_SERVER_OPTS_INIT;
	char url[64];
	o.port = 0;
	o.threads = 2;
	o.db_path = db;
	o.rd = rd;
	o.synchronous_full = false;
	o.validate.profile = mlv_profiles_get(profiles, "FR");
	o.validate.risk = risk_profile;
	o.validate.goods = risk_goods;
	o.validate.country = "FR";
	o.review_min_controls = 3;
	o.review_below = 0.6; /* 0 findings in 3: the 95% interval reaches 56% */
	o.refresh_s = 1;
	mlv_server *srv = NULL;
	if (harness_start(&srv, &o, url, sizeof(url)) != 0)
		fail_msg("server did not start");
	/* It took the newest stored version, not the configured file. */
	assert_true(rules_version(url) > mlv_risk_profile_version(risk_profile));

	const char *seller = "Review Test Trading Ltd";
	cJSON_Delete(call_text(url, "POST", "/v1/rules", key_analyst,
			       "[rule R-API-REVIEW]\nweight = 10\nlane = red\nexplain = review me\n"
			       "words = earphones\n",
			       NULL, 201, NULL, 0));
	cJSON_Delete(call_text(url, "POST", "/v1/rules", key_analyst,
			       "[rule R-API-OPSCORE]\nweight = 7\n"
			       "explain = {role} {party} scores {operator_score}\n"
			       "operator_score_min = 30\noperator_roles = seller\n",
			       NULL, 201, NULL, 0));
	/* Three controls that find nothing: precision 0 over 3 controls. */
	for (int i = 0; i < 3; i++) {
		char lrn[32];
		snprintf(lrn, sizeof(lrn), "API-REV-%d", i);
		controlled(url, lrn, seller, "nothing_found");
	}
	cJSON *one = call_text(url, "GET", "/v1/rules/R-API-REVIEW/performance", key_officer, NULL,
			       NULL, 200, NULL, 0);
	assert_int_equal(num(one, "controls"), 3);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(one, "review")));
	cJSON_Delete(one);
	cJSON *all = call_text(url, "GET", "/v1/rules/performance?review=true", key_analyst, NULL,
			       NULL, 200, NULL, 0);
	assert_int_equal(num(all, "min_controls"), 3);
	assert_true(num(all, "review_count") >= 1);
	bool flagged = false;
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(all, "rules")) {
		assert_true(cJSON_IsTrue(cJSON_GetObjectItem(e, "review"))); /* only flagged ones */
		if (strcmp(str(e, "rule"), "R-API-REVIEW") == 0) {
			flagged = true;
			assert_true(cJSON_IsTrue(cJSON_GetObjectItem(e, "in_profile")));
			assert_int_equal(num(e, "weight"), 10);
		}
	}
	assert_true(flagged);
	cJSON_Delete(all);
	all = call_text(url, "GET", "/v1/rules/performance", key_auditor, NULL, NULL, 200, NULL, 0);
	assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(all, "rules")) >
		    (int)mlv_risk_profile_rule_count(risk_profile));
	cJSON_Delete(all);
	cJSON_Delete(call_text(url, "GET", "/v1/rules/performance?review=maybe", key_analyst, NULL,
			       NULL, 400, NULL, 0));
	cJSON_Delete(call_text(url, "GET", "/v1/rules/performance", key_a, NULL, NULL, 403, NULL, 0));

	/* The operator's score comes with the next scheduled rebuild. */
	const char *q = "/v1/risk/operator-scores?role=seller&operator=Review%20Test%20Trading";
	cJSON *s0 = call_text(url, "GET", q, key_officer, NULL, NULL, 200, NULL, 0);
	char before[40];
	snprintf(before, sizeof(before), "%s", str(s0, "computed_at"));
	cJSON_Delete(s0);
	cJSON *s1 = operator_score(url, q, before);
	cJSON *op = cJSON_GetArrayItem(cJSON_GetObjectItem(s1, "operators"), 0);
	assert_non_null(op);
	assert_string_equal(str(op, "role"), "seller");
	assert_string_equal(str(op, "key"), "reviewtesttrading");
	assert_string_equal(str(op, "name"), seller);
	assert_int_equal(num(op, "controls"), 3);
	assert_int_equal(num(op, "findings"), 0);
	int clean = (int)num(op, "score");
	assert_true(clean < 30);
	snprintf(before, sizeof(before), "%s", str(s1, "computed_at"));
	cJSON_Delete(s1);
	/* so its next consignment does not hit the score rule */
	cJSON *f = file_seller(url, "API-REV-A", seller);
	assert_null(hit_of(f, "R-API-OPSCORE"));
	cJSON_Delete(f);

	/* Three seizures: the score rises past 30 with the next rebuild. */
	for (int i = 0; i < 3; i++) {
		char lrn[32];
		snprintf(lrn, sizeof(lrn), "API-REV-S%d", i);
		controlled(url, lrn, seller, "seizure");
	}
	cJSON *s2 = operator_score(url, q, before);
	op = cJSON_GetArrayItem(cJSON_GetObjectItem(s2, "operators"), 0);
	assert_int_equal(num(op, "controls"), 6);
	assert_int_equal(num(op, "seizures"), 3);
	int risky = (int)num(op, "score");
	assert_true(risky >= 30);
	cJSON_Delete(s2);
	f = file_seller(url, "API-REV-B", seller);
	const cJSON *h = hit_of(f, "R-API-OPSCORE");
	assert_non_null(h);
	char want[96];
	snprintf(want, sizeof(want), "seller %s scores %d", seller, risky);
	assert_string_equal(str(h, "explanation"), want);
	cJSON_Delete(f);

	/* Listing: riskiest first; roles and parameters checked. */
	cJSON *l = call_text(url, "GET", "/v1/risk/operator-scores?limit=5&min_controls=1",
			     key_analyst, NULL, NULL, 200, NULL, 0);
	int last = 101;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(l, "operators")) {
		assert_true(num(e, "score") <= last);
		assert_true(num(e, "controls") >= 1);
		last = (int)num(e, "score");
	}
	assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(l, "operators")) >= 1);
	cJSON_Delete(l);
	cJSON_Delete(call_text(url, "GET", "/v1/risk/operator-scores", key_a, NULL, NULL, 403, NULL,
			       0));
	cJSON_Delete(call_text(url, "GET", "/v1/risk/operator-scores?role=buyer", key_analyst, NULL,
			       NULL, 400, NULL, 0));
	mlv_server_stop(srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthz),
		cmocka_unit_test(test_file_and_read_back),
		cmocka_unit_test(test_idempotent_and_amendment),
		cmocka_unit_test(test_malformed_json),
		cmocka_unit_test(test_validation_lists_every_error),
		cmocka_unit_test(test_arithmetic_and_ceiling),
		cmocka_unit_test(test_authorization),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_list_pagination),
		cmocka_unit_test(test_routing_errors),
		cmocka_unit_test(test_concurrent_filings),
		cmocka_unit_test(test_audit_log),
		cmocka_unit_test(test_brute_force_lockout),
		cmocka_unit_test(test_rate_limit_per_key),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_risk_in_filings),
		cmocka_unit_test(test_arrival_and_release),
		cmocka_unit_test(test_deferred_account),
		cmocka_unit_test(test_officer_flow),
		cmocka_unit_test(test_split_detection),
		cmocka_unit_test(test_operator_registry),
		cmocka_unit_test(test_party_access),
		cmocka_unit_test(test_aeo_risk_and_payment),
		cmocka_unit_test(test_keys_api),
		cmocka_unit_test(test_limits_wire),
		cmocka_unit_test(test_limits_items),
		cmocka_unit_test(test_lockout_defaults),
		cmocka_unit_test(test_rate_limit_per_person),
		cmocka_unit_test(test_console_lockout),
		cmocka_unit_test(test_mass_assignment),
		cmocka_unit_test(test_authorization_matrix),
		cmocka_unit_test(test_mra_history),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_release_times),
		cmocka_unit_test(test_rules_api),
		cmocka_unit_test(test_rules_review_and_operator_scores),
		cmocka_unit_test(test_exposition_checker),
		cmocka_unit_test(test_stats_generated),
		cmocka_unit_test(test_stats_parameters),
		cmocka_unit_test(test_stats_rules),
		cmocka_unit_test(test_stats_page),
		cmocka_unit_test(test_stats_invariant),
	};
	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
