/* test_clearance.c - the clearance lifecycle of issue 5 over HTTP, against
 * a server started in this process on a fresh SQLite store:
 *
 *  - file -> assess -> arrive -> release (green), with the times recorded;
 *  - file -> arrive -> hold -> inspect -> seize (red), by officers only,
 *    409 with the current state, reasons in the history, notes kept from
 *    the filer;
 *  - referrals: a request for information answered with text, data and a
 *    document; arrival while referred; closing resolves back; deadlines
 *    and the overdue sweep; an agency sees only its own;
 *  - multi-party filing: platform, carrier and payment provider parts
 *    merged, a contradiction flagged as a risk hit, each party seeing only
 *    its part and the decisions;
 *  - the notification cursor: nothing missed or read twice across pages,
 *    with notifications written between pages and while paging;
 *  - webhooks: a local receiver that fails the first attempt, signed
 *    deliveries in order, retried; private addresses refused by default;
 *    the outbox and cursors surviving a restart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "harness.h"
#include "mlv/codec.h"
#include "mlv/profile.h"
#include "mlv/refdata.h"
#include "mlv/risk.h"
#include "mlv/server.h"
#include "mlv/store.h"

/* a platform, a carrier, a payment provider, a fourth filer, an officer,
 * two agencies */
static char key_a[96], key_b[96], key_c[96], key_d[96], key_officer[96];
static char key_health[96], key_vet[96];

static void server_opts(mlv_server_opts *o, const char *path)
{
	harness_opts(o, path, true);
	o->max_body = 256 * 1024;
	o->webhook_allow_private = true;
	o->webhook_backoff_ms = 200;
	o->webhook_poll_ms = 100;
	o->webhook_timeout_s = 5;
	o->max_document = 4096;
}

static int setup_all(void **state)
{
	(void)state;
	mlv_store *st;
	if (harness_begin("clearance") != 0 || harness_store_open(&st) != 0)
		return -1;
	struct {
		const char *name, *role;
		char *key;
	} who[] = {
		{"platform-a", "filer", key_a},	 {"carrier-b", "filer", key_b},
		{"psp-c", "filer", key_c},	 {"filer-d", "filer", key_d},
		{"officer-x", "officer", key_officer}, {"agency-health", "agency", key_health},
		{"agency-vet", "agency", key_vet},
	};
	for (size_t i = 0; i < MLV_ARRAY_LEN(who); i++)
		if (harness_key(st, who[i].name, who[i].role, who[i].key, 96, NULL) != 0)
			return -1;
	mlv_store_close(st);
	mlv_server_opts o;
	server_opts(&o, db);
	return harness_start(&server, &o, base, sizeof(base));
}

static int teardown_all(void **state)
{
	(void)state;
	return harness_end();
}

/* ---- helpers ------------------------------------------------------------------------- */

/* An empty answer reads as {}. */
static cJSON *call_at(const char *url, const char *method, const char *path, const char *token,
		      const char *body, long expect)
{
	return harness_call(url, method, path, token, body, expect, true);
}

static cJSON *call(const char *method, const char *path, const char *token, const char *body,
		   long expect)
{
	return call_at(base, method, path, token, body, expect);
}

/* The fixture with its LRN (and a buyer of its own, so that no test looks
 * like a split); documents: the category that owes nothing. */
static char *consignment(const char *lrn, bool documents, const char *declaration_type)
{
	cJSON *c = harness_consignment(lrn);
	if (declaration_type != NULL)
		cJSON_ReplaceItemInObject(c, "declaration_type", cJSON_CreateString(declaration_type));
	if (documents) {
		cJSON_ReplaceItemInObject(c, "category", cJSON_CreateString("documents"));
		const char *drop[] = {"items", "transaction", "tax_collected", "seller",
				      "business_model", "platform"};
		for (size_t i = 0; i < MLV_ARRAY_LEN(drop); i++)
			cJSON_DeleteItemFromObject(c, drop[i]);
	}
	char *s = cJSON_PrintUnformatted(c);
	cJSON_Delete(c);
	return s;
}

static long long file_new(const char *token, const char *lrn, bool documents)
{
	char *body = consignment(lrn, documents, NULL);
	cJSON *f = call("POST", "/v1/consignments", token, body, 201);
	long long id = num(f, "id");
	cJSON_Delete(f);
	free(body);
	return id;
}

/* tmpl with its "%lld" replaced by id. */
static void fill(char *out, size_t n, const char *tmpl, long long id)
{
	const char *at = strstr(tmpl, "%lld");
	assert_non_null(at);
	snprintf(out, n, "%.*s%lld%s", (int)(at - tmpl), tmpl, id, at + 4);
}

static cJSON *post_id(const char *fmt, long long id, const char *token, const char *body,
		      long expect)
{
	char path[128];
	fill(path, sizeof(path), fmt, id);
	return call("POST", path, token, body, expect);
}

static cJSON *get_id(const char *fmt, long long id, const char *token, long expect)
{
	char path[128];
	fill(path, sizeof(path), fmt, id);
	return call("GET", path, token, NULL, expect);
}

static bool text_has(const cJSON *j, const char *needle)
{
	char *t = cJSON_PrintUnformatted(j);
	bool has = strstr(t, needle) != NULL;
	free(t);
	return has;
}

/* Every notification of a reader after `after` (several pages). */
static cJSON *feed(const char *token, long long after)
{
	cJSON *all = cJSON_CreateArray();
	for (;;) {
		char path[96];
		snprintf(path, sizeof(path), "/v1/notifications?after=%lld&limit=50", after);
		cJSON *page = call("GET", path, token, NULL, 200);
		cJSON *items = cJSON_GetObjectItem(page, "items");
		int n = cJSON_GetArraySize(items);
		cJSON *it;
		cJSON_ArrayForEach(it, items)
			cJSON_AddItemToArray(all, cJSON_Duplicate(it, true));
		after = atoll(str(page, "next_cursor"));
		cJSON_Delete(page);
		if (n == 0)
			break;
	}
	return all;
}

static long long latest(const char *token)
{
	cJSON *all = feed(token, 0);
	int n = cJSON_GetArraySize(all);
	long long id = n ? num(cJSON_GetArrayItem(all, n - 1), "id") : 0;
	cJSON_Delete(all);
	return id;
}

/* The notifications about consignment id. */
static int count_about(const cJSON *all, long long id, const char *type)
{
	int n = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, all) {
		const cJSON *c = cJSON_GetObjectItem(it, "consignment");
		if (c && num(c, "id") == id && strcmp(str(it, "type"), type) == 0)
			n++;
	}
	return n;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

/* ---- the green path ------------------------------------------------------------------- */

static void test_green_path(void **state)
{
	(void)state;
	long long after = latest(key_a);
	long long id = file_new(key_a, "CL-GREEN-1", true);
	cJSON *g = get_id("/v1/consignments/%lld", id, key_a, 200);
	assert_string_equal(str(g, "status"), "assessed");
	assert_string_equal(str(cJSON_GetObjectItem(g, "risk"), "lane"), "green");
	cJSON_Delete(g);
	cJSON *r = post_id("/v1/consignments/%lld/arrival", id, key_a, "{}", 200);
	assert_string_equal(str(r, "state"), "released");
	assert_string_equal(str(r, "previous_state"), "assessed");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "released")));
	cJSON *rt = cJSON_GetObjectItem(r, "release_time");
	assert_true(num(rt, "from_filing_s") >= 0 && num(rt, "from_arrival_s") == 0);
	cJSON_Delete(r);
	/* the times stay on the consignment */
	g = get_id("/v1/consignments/%lld", id, key_a, 200);
	cJSON *life = cJSON_GetObjectItem(g, "lifecycle");
	assert_string_equal(str(life, "state"), "released");
	assert_non_null(cJSON_GetObjectItem(life, "arrived_at"));
	assert_non_null(cJSON_GetObjectItem(life, "released_at"));
	assert_true(num(cJSON_GetObjectItem(life, "release_time"), "from_filing_s") >= 0);
	cJSON_Delete(g);
	/* a second arrival: 409 with the state */
	cJSON *p = post_id("/v1/consignments/%lld/arrival", id, key_a, "{}", 409);
	assert_string_equal(str(p, "state"), "released");
	cJSON_Delete(p);
	/* every transition an event with actor, time and reason */
	cJSON *ev = get_id("/v1/consignments/%lld/events", id, key_a, 200);
	cJSON *list = cJSON_GetObjectItem(ev, "events");
	assert_int_equal(cJSON_GetArraySize(list), 3);
	cJSON *rel = cJSON_GetArrayItem(list, 2);
	assert_string_equal(str(rel, "type"), "release");
	assert_string_equal(str(rel, "actor"), "system");
	assert_non_null(strstr(str(rel, "reason"), "green"));
	assert_non_null(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 1), "reason"));
	cJSON_Delete(ev);
	/* and each reached the filer's notifications, with the reason */
	cJSON *n = feed(key_a, after);
	assert_int_equal(count_about(n, id, "state"), 2);
	const cJSON *last = cJSON_GetArrayItem(n, cJSON_GetArraySize(n) - 1);
	assert_string_equal(str(last, "state"), "released");
	assert_string_equal(str(last, "action"), "release");
	assert_non_null(cJSON_GetObjectItem(last, "reason"));
	assert_string_equal(str(cJSON_GetObjectItem(last, "consignment"), "lrn"), "CL-GREEN-1");
	cJSON_Delete(n);
}

/* An export: released, then its exit confirmed; an import never exits. */
static void test_export_exit(void **state)
{
	(void)state;
	char *body = consignment("CL-EXPORT-1", true, "export");
	cJSON *f = call("POST", "/v1/consignments", key_a, body, 201);
	long long id = num(f, "id");
	cJSON_Delete(f);
	free(body);
	cJSON_Delete(post_id("/v1/consignments/%lld/exit", id, key_a, "{}", 409));
	cJSON *r = post_id("/v1/consignments/%lld/arrival", id, key_a, "{}", 200);
	assert_string_equal(str(r, "state"), "released");
	cJSON_Delete(r);
	cJSON_Delete(post_id("/v1/consignments/%lld/exit", id, key_b, "{}", 404));
	cJSON *x = post_id("/v1/consignments/%lld/exit", id, key_a,
			   "{\"reason\":\"flight CA934 departed\"}", 200);
	assert_string_equal(str(x, "state"), "exported");
	cJSON_Delete(x);
	/* an import, whatever its lane: never an exit */
	long long imp = file_new(key_a, "CL-EXPORT-2", true);
	cJSON *ia = post_id("/v1/consignments/%lld/arrival", imp, key_a, "{}", 200);
	cJSON *p = post_id("/v1/consignments/%lld/exit", imp, key_a, "{}", 409);
	assert_string_equal(str(p, "state"), str(ia, "state"));
	cJSON_Delete(p);
	cJSON_Delete(ia);
}

/* ---- the red path -------------------------------------------------------------------- */

static long long file_vape(const char *token, const char *lrn)
{
	cJSON *c = cJSON_Parse(fixture);
	cJSON_ReplaceItemInObject(c, "lrn", cJSON_CreateString(lrn));
	cJSON *it = cJSON_GetArrayItem(cJSON_GetObjectItem(c, "items"), 1);
	cJSON_ReplaceItemInObject(it, "hs_code", cJSON_CreateString("854340"));
	cJSON_ReplaceItemInObject(it, "description",
				  cJSON_CreateString("Disposable electronic cigarette, 600 puffs"));
	char *body = cJSON_PrintUnformatted(c);
	cJSON *f = call("POST", "/v1/consignments", token, body, 201);
	long long id = num(f, "id");
	assert_string_not_equal(str(cJSON_GetObjectItem(f, "risk"), "lane"), "green");
	cJSON_Delete(f);
	free(body);
	cJSON_Delete(c);
	return id;
}

static cJSON *act(long long id, const char *body, long expect)
{
	return post_id("/v1/consignments/%lld/actions", id, key_officer, body, expect);
}

static void test_red_path(void **state)
{
	(void)state;
	long long after = latest(key_a);
	long long id = file_vape(key_a, "CL-RED-1");
	/* arrival never holds by itself: the goods wait for an officer */
	cJSON *r = post_id("/v1/consignments/%lld/arrival", id, key_a, "{}", 200);
	assert_string_equal(str(r, "state"), "arrived");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(r, "released")));
	cJSON_Delete(r);
	/* the queue shows it, with its filters */
	char path[160];
	snprintf(path, sizeof(path), "/v1/queue?state=arrived&channel=post&limit=500");
	cJSON *q = call("GET", path, key_officer, NULL, 200);
	bool seen = false;
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(q, "items"))
		seen |= num(e, "id") == id;
	assert_true(seen);
	assert_true(num(q, "total") >= 1);
	cJSON_Delete(q);
	q = call("GET", "/v1/queue?state=held&limit=500", key_officer, NULL, 200);
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(q, "items"))
		assert_true(num(e, "id") != id);
	cJSON_Delete(q);
	cJSON_Delete(call("GET", "/v1/queue?lane=purple", key_officer, NULL, 400));
	cJSON_Delete(call("GET", "/v1/queue?overdue=maybe", key_officer, NULL, 400));
	/* a filer never holds, and referrals are not actions */
	cJSON_Delete(post_id("/v1/consignments/%lld/actions", id, key_a,
			     "{\"action\":\"hold\",\"reason\":\"self\"}", 403));
	cJSON_Delete(act(id, "{\"action\":\"resolve\",\"reason\":\"not here\"}", 422));
	cJSON_Delete(act(id, "{\"action\":\"hold\",\"reason\":\"x\"}", 422));
	cJSON_Delete(act(id, "{\"action\":\"hold\",\"reason\":\"vape ban\",\"notes\":\"n\"}", 422));
	cJSON *h = act(id, "{\"action\":\"hold\",\"reason\":\"prohibited goods suspected\"}", 200);
	assert_string_equal(str(h, "state"), "held");
	cJSON_Delete(h);
	cJSON *i = act(id, "{\"action\":\"inspect\",\"reason\":\"X-ray then physical\"}", 200);
	assert_string_equal(str(i, "state"), "inspected");
	cJSON_Delete(i);
	cJSON_Delete(act(id, "{\"action\":\"seize\",\"reason\":\"ban\",\"result\":\"seizure\","
			     "\"nii_reference\":\"has spaces\"}", 422));
	cJSON *s = act(id, "{\"action\":\"seize\",\"reason\":\"disposable vapes, FR ban\","
			   "\"result\":\"seizure\",\"revenue_recovered\":\"12.00\","
			   "\"nii_reference\":\"NII-2026-000042\",\"notes\":\"tip-off from line 7\"}",
		       200);
	assert_string_equal(str(s, "state"), "seized");
	assert_string_equal(str(s, "previous_state"), "inspected");
	cJSON_Delete(s);
	cJSON *c = act(id, "{\"action\":\"release\",\"reason\":\"changed my mind\"}", 409);
	assert_string_equal(str(c, "state"), "seized");
	assert_non_null(strstr(str(c, "detail"), "seized"));
	cJSON_Delete(c);
	/* the history, for the filer and the officer, with every reason */
	cJSON *ev = get_id("/v1/consignments/%lld/events", id, key_a, 200);
	const char *types[] = {"filed", "arrive", "hold", "inspect", "seize"};
	cJSON *list = cJSON_GetObjectItem(ev, "events");
	assert_int_equal(cJSON_GetArraySize(list), 5);
	for (int k = 0; k < 5; k++)
		assert_string_equal(str(cJSON_GetArrayItem(list, k), "type"), types[k]);
	assert_string_equal(str(cJSON_GetArrayItem(list, 4), "reason"), "disposable vapes, FR ban");
	assert_string_equal(str(cJSON_GetArrayItem(list, 4), "actor"), "officer:officer-x");
	assert_false(text_has(ev, "tip-off"));
	cJSON_Delete(ev);
	cJSON *oev = get_id("/v1/officer/consignments/%lld/events", id, key_officer, 200);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(oev, "events")), 5);
	cJSON_Delete(oev);
	cJSON_Delete(get_id("/v1/officer/consignments/%lld/events", id, key_a, 403));
	cJSON *n = feed(key_a, after);
	assert_int_equal(count_about(n, id, "state"), 4);
	assert_false(text_has(n, "tip-off"));
	cJSON_Delete(n);
	/* the other filer hears nothing of it */
	cJSON *nb = feed(key_b, 0);
	assert_int_equal(count_about(nb, id, "state"), 0);
	cJSON_Delete(nb);
}

/* ---- referrals ------------------------------------------------------------------------ */

static void deadline_in(char *out, size_t n, int seconds)
{
	char t[21];
	mlv_datetime_format((int64_t)time(NULL) + seconds, t);
	snprintf(out, n, "%s", t);
}

static void test_referral_information(void **state)
{
	(void)state;
	long long id = file_new(key_a, "CL-RFI-1", false);
	/* bad requests first: nothing opens */
	cJSON_Delete(post_id("/v1/consignments/%lld/referrals", id, key_officer,
			     "{\"kind\":\"gossip\",\"reason\":\"why\"}", 422));
	cJSON_Delete(post_id("/v1/consignments/%lld/referrals", id, key_officer,
			     "{\"kind\":\"information\",\"reason\":\"r\"}", 422));
	cJSON_Delete(post_id("/v1/consignments/%lld/referrals", id, key_officer,
			     "{\"kind\":\"information\",\"reason\":\"why\",\"deadline\":"
			     "\"2001-01-01T00:00:00Z\"}", 422));
	cJSON_Delete(post_id("/v1/consignments/%lld/referrals", id, key_officer,
			     "{\"kind\":\"information\",\"reason\":\"why\",\"to\":\"carrier\"}", 422));
	cJSON_Delete(post_id("/v1/consignments/%lld/referrals", id, key_officer,
			     "{\"kind\":\"information\",\"reason\":\"why\",\"agency\":\"nobody\"}",
			     422));
	cJSON_Delete(post_id("/v1/consignments/%lld/referrals", id, key_a,
			     "{\"kind\":\"information\",\"reason\":\"self-referral\"}", 403));
	cJSON_Delete(post_id("/v1/consignments/%lld/referrals", 999999, key_officer,
			     "{\"kind\":\"information\",\"reason\":\"nobody's\"}", 404));
	long long after = latest(key_a);
	cJSON *o = post_id("/v1/consignments/%lld/referrals", id, key_officer,
			   "{\"kind\":\"information\",\"reason\":\"the invoice does not match the "
			   "declared value\",\"request\":\"send the commercial invoice\"}",
			   201);
	long long rid = num(o, "id");
	assert_string_equal(str(o, "status"), "open");
	assert_string_equal(str(o, "consignment_state"), "referred");
	assert_string_equal(str(o, "to"), "filer");
	assert_string_equal(str(o, "addressee"), "platform-a");
	cJSON_Delete(o);
	/* the filer sees it in its list and its notifications; another filer
	 * and an agency do not */
	cJSON *l = call("GET", "/v1/referrals?status=open", key_a, NULL, 200);
	bool seen = false;
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(l, "items"))
		seen |= num(e, "id") == rid;
	assert_true(seen);
	cJSON_Delete(l);
	l = call("GET", "/v1/referrals", key_b, NULL, 200);
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(l, "items"))
		assert_true(num(e, "id") != rid);
	cJSON_Delete(l);
	cJSON_Delete(get_id("/v1/referrals/%lld", rid, key_b, 404));
	cJSON_Delete(get_id("/v1/referrals/%lld", rid, key_health, 404));
	cJSON *n = feed(key_a, after);
	assert_int_equal(count_about(n, id, "referral"), 1);
	assert_int_equal(count_about(n, id, "state"), 1); /* assessed -> referred */
	cJSON_Delete(n);
	/* an amendment while referred keeps it referred */
	char *changed = consignment("CL-RFI-1", false, NULL);
	cJSON *amend = cJSON_Parse(changed);
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(amend, "transport"), "mode",
				  cJSON_CreateString("road"));
	char *amended = cJSON_PrintUnformatted(amend);
	cJSON *am = call("POST", "/v1/consignments", key_a, amended, 200);
	assert_string_equal(str(am, "outcome"), "amended");
	cJSON_Delete(am);
	cJSON *g = get_id("/v1/consignments/%lld", id, key_a, 200);
	assert_string_equal(str(g, "status"), "referred");
	cJSON_Delete(g);
	free(amended);
	cJSON_Delete(amend);
	free(changed);
	/* arrival while referred: recorded, the goods wait; the data no longer
	 * changes */
	cJSON *ar = post_id("/v1/consignments/%lld/arrival", id, key_a, "{}", 200);
	assert_string_equal(str(ar, "state"), "referred");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(ar, "released")));
	cJSON_Delete(ar);
	char *again = consignment("CL-RFI-1", false, NULL);
	cJSON_Delete(call("POST", "/v1/consignments", key_a, again, 409));
	free(again);
	/* the answer: strict JSON, bounded documents */
	cJSON_Delete(post_id("/v1/referrals/%lld/answer", rid, key_a, "{}", 422));
	cJSON_Delete(post_id("/v1/referrals/%lld/answer", rid, key_a,
			     "{\"text\":\"ok\",\"status\":\"closed\"}", 422));
	cJSON_Delete(post_id("/v1/referrals/%lld/answer", rid, key_a,
			     "{\"text\":\"ok\",\"text\":\"twice\"}", 422));
	cJSON_Delete(post_id("/v1/referrals/%lld/answer", rid, key_a,
			     "{\"documents\":[{\"type\":\"invoice\",\"reference\":\"INV-1\","
			     "\"content\":\"not base64!\"}]}", 422));
	cJSON_Delete(post_id("/v1/referrals/%lld/answer", rid, key_a,
			     "{\"documents\":[{\"type\":\"selfie\",\"reference\":\"X\"}]}", 422));
	cJSON_Delete(post_id("/v1/referrals/%lld/answer", rid, key_a,
			     "{\"data\":{\"transport\":{\"mode\":\"teleport\"}}}", 422));
	/* over the server's 4096-byte bound */
	size_t big = 5000;
	unsigned char *raw = calloc(1, big);
	char *b64 = calloc(1, big * 2);
	sodium_bin2base64(b64, big * 2, raw, big, sodium_base64_VARIANT_ORIGINAL);
	char *body = calloc(1, big * 2 + 256);
	snprintf(body, big * 2 + 256,
		 "{\"documents\":[{\"type\":\"invoice\",\"reference\":\"INV-BIG\","
		 "\"content\":\"%s\"}]}", b64);
	cJSON_Delete(post_id("/v1/referrals/%lld/answer", rid, key_a, body, 422));
	cJSON_Delete(post_id("/v1/referrals/%lld/answer", rid, key_b,
			     "{\"text\":\"not mine to answer\"}", 404));
	const char pdf[] = "%PDF-1.4 commercial invoice INV-2026-0042";
	sodium_bin2base64(b64, big * 2, (const unsigned char *)pdf, strlen(pdf),
			  sodium_base64_VARIANT_ORIGINAL);
	snprintf(body, big * 2 + 256,
		 "{\"text\":\"The invoice is attached.\\nThe value is right.\","
		 "\"data\":{\"transaction\":{\"order_id\":\"ORD-2026-000123\"}},"
		 "\"documents\":[{\"type\":\"invoice\",\"reference\":\"INV-2026-0042\","
		 "\"filename\":\"invoice.pdf\",\"media_type\":\"application/pdf\",\"content\":\"%s\"},"
		 "{\"type\":\"packing_list\",\"reference\":\"PL-7\"}]}",
		 b64);
	cJSON *a = post_id("/v1/referrals/%lld/answer", rid, key_a, body, 201);
	assert_string_equal(str(a, "status"), "answered");
	assert_int_equal(num(a, "documents"), 2);
	cJSON_Delete(a);
	free(raw);
	free(b64);
	free(body);
	/* the officer reads the answer and the document */
	cJSON *d = get_id("/v1/referrals/%lld", rid, key_officer, 200);
	assert_string_equal(str(d, "status"), "answered");
	cJSON *ans = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "answers"), 0);
	assert_string_equal(str(ans, "by"), "platform-a");
	assert_non_null(strstr(str(ans, "text"), "attached"));
	assert_string_equal(str(cJSON_GetObjectItem(cJSON_GetObjectItem(ans, "data"), "transaction"),
				"order_id"),
			    "ORD-2026-000123");
	cJSON *doc = cJSON_GetArrayItem(cJSON_GetObjectItem(ans, "documents"), 0);
	assert_int_equal(num(doc, "size"), (long long)strlen(pdf));
	char href[128];
	snprintf(href, sizeof(href), "%s", str(doc, "href"));
	cJSON *evs = cJSON_GetObjectItem(d, "events");
	assert_string_equal(str(cJSON_GetArrayItem(evs, 0), "type"), "refer");
	assert_string_equal(str(cJSON_GetArrayItem(evs, 1), "type"), "referral-answered");
	cJSON_Delete(d);
	http_res hr;
	http_res_init(&hr);
	assert_int_equal(http_call(base, "GET", href, key_officer, NULL, NULL, 0, &hr), 0);
	assert_int_equal(hr.status, 200);
	assert_string_equal(hr.content_type, "application/pdf");
	assert_int_equal(hr.body.len, strlen(pdf));
	assert_memory_equal(hr.body.data, pdf, strlen(pdf));
	http_res_free(&hr);
	http_res_init(&hr);
	assert_int_equal(http_call(base, "GET", href, key_b, NULL, NULL, 0, &hr), 0);
	assert_int_equal(hr.status, 404);
	http_res_free(&hr);
	/* no decision while it is open */
	cJSON *c = act(id, "{\"action\":\"release\",\"reason\":\"early\"}", 409);
	assert_string_equal(str(c, "state"), "referred");
	cJSON_Delete(c);
	/* closed: the consignment goes back to where it was (arrived) */
	cJSON_Delete(post_id("/v1/referrals/%lld/close", rid, key_a,
			     "{\"outcome\":\"satisfied\",\"reason\":\"self\"}", 403));
	cJSON_Delete(post_id("/v1/referrals/%lld/close", rid, key_officer,
			     "{\"outcome\":\"meh\",\"reason\":\"invoice fine\"}", 422));
	cJSON *cl = post_id("/v1/referrals/%lld/close", rid, key_officer,
			    "{\"outcome\":\"satisfied\",\"reason\":\"invoice matches\"}", 200);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cl, "resolved")));
	assert_string_equal(str(cl, "consignment_state"), "arrived");
	assert_string_equal(str(cl, "outcome"), "satisfied");
	cJSON_Delete(cl);
	cJSON_Delete(post_id("/v1/referrals/%lld/close", rid, key_officer,
			     "{\"outcome\":\"satisfied\",\"reason\":\"again\"}", 409));
	cJSON_Delete(post_id("/v1/referrals/%lld/answer", rid, key_a, "{\"text\":\"late\"}", 409));
	cJSON *rel = act(id, "{\"action\":\"release\",\"reason\":\"documents in order\"}", 200);
	assert_string_equal(str(rel, "state"), "released");
	cJSON_Delete(rel);
}

/* A deadline passes: the referral shows overdue at once, the sweep marks
 * it (an event, a notification), the queue filters on it. */
static void test_referral_deadline(void **state)
{
	(void)state;
	long long id = file_new(key_a, "CL-DEADLINE-1", false);
	cJSON_Delete(post_id("/v1/consignments/%lld/arrival", id, key_a, "{}", 200));
	char when[32], body[256];
	deadline_in(when, sizeof(when), 2);
	snprintf(body, sizeof(body),
		 "{\"kind\":\"information\",\"reason\":\"origin of the goods\",\"deadline\":\"%s\"}",
		 when);
	long long after = latest(key_a);
	cJSON *o = post_id("/v1/consignments/%lld/referrals", id, key_officer, body, 201);
	long long rid = num(o, "id");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(o, "overdue")));
	cJSON_Delete(o);
	sleep_ms(3200);
	cJSON *g = get_id("/v1/referrals/%lld", rid, key_a, 200);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(g, "overdue")));
	cJSON_Delete(g);
	cJSON *l = call("GET", "/v1/referrals?overdue=true&limit=500", key_officer, NULL, 200);
	bool seen = false;
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(l, "items"))
		seen |= num(e, "id") == rid;
	assert_true(seen);
	cJSON_Delete(l);
	cJSON *q = call("GET", "/v1/queue?overdue=true&limit=500", key_officer, NULL, 200);
	seen = false;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(q, "items"))
		if (num(e, "id") == id)
			seen = cJSON_IsTrue(cJSON_GetObjectItem(e, "overdue"));
	assert_true(seen);
	cJSON_Delete(q);
	/* the sweep runs every second */
	bool marked = false;
	for (int k = 0; k < 50 && !marked; k++) {
		cJSON *d = get_id("/v1/referrals/%lld", rid, key_a, 200);
		marked = !cJSON_IsNull(cJSON_GetObjectItem(d, "overdue_at"));
		if (marked)
			assert_string_equal(str(cJSON_GetArrayItem(cJSON_GetObjectItem(d, "events"), 1),
						"type"),
					    "referral-overdue");
		cJSON_Delete(d);
		if (!marked)
			sleep_ms(100);
	}
	assert_true(marked);
	cJSON *n = feed(key_a, after);
	bool overdue = false;
	cJSON_ArrayForEach(e, n)
		overdue |= strcmp(str(e, "type"), "referral") == 0 &&
			   strcmp(str(e, "step"), "overdue") == 0;
	assert_true(overdue);
	cJSON_Delete(n);
}

/* A referral to an agency: only that agency sees and answers it. */
static void test_referral_agency(void **state)
{
	(void)state;
	long long id = file_new(key_a, "CL-AGENCY-1", false);
	cJSON *o = post_id("/v1/consignments/%lld/referrals", id, key_officer,
			   "{\"kind\":\"screening\",\"reason\":\"veterinary check of the goods\","
			   "\"agency\":\"agency-vet\"}",
			   201);
	long long rid = num(o, "id");
	assert_string_equal(str(o, "to"), "agency");
	cJSON_Delete(o);
	cJSON *o2 = post_id("/v1/consignments/%lld/referrals", id, key_officer,
			    "{\"kind\":\"information\",\"reason\":\"who is the seller?\"}", 201);
	long long rid2 = num(o2, "id");
	cJSON_Delete(o2);
	/* the vet agency sees its own only; the health agency none of them */
	cJSON *l = call("GET", "/v1/referrals?limit=500", key_vet, NULL, 200);
	int mine = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(l, "items")) {
		assert_string_equal(str(e, "to"), "agency");
		assert_true(num(e, "id") != rid2);
		assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "consignment"), "lrn"));
		mine += num(e, "id") == rid;
	}
	assert_int_equal(mine, 1);
	cJSON_Delete(l);
	l = call("GET", "/v1/referrals?limit=500", key_health, NULL, 200);
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(l, "items"))
		assert_true(num(e, "id") != rid && num(e, "id") != rid2);
	cJSON_Delete(l);
	cJSON_Delete(get_id("/v1/referrals/%lld", rid2, key_vet, 404));
	cJSON_Delete(get_id("/v1/referrals/%lld", rid, key_health, 404));
	cJSON_Delete(get_id("/v1/referrals/%lld", rid, key_a, 404)); /* not the filer's */
	cJSON_Delete(post_id("/v1/referrals/%lld/answer", rid, key_health,
			     "{\"text\":\"not ours\"}", 404));
	cJSON *a = post_id("/v1/referrals/%lld/answer", rid, key_vet,
			   "{\"text\":\"screened: no animal products\"}", 201);
	cJSON_Delete(a);
	/* the agency hears of it, the filer of its own referral only */
	cJSON *n = feed(key_vet, 0);
	assert_int_equal(count_about(n, id, "referral"), 1);
	assert_int_equal(count_about(n, id, "state"), 0);
	cJSON_Delete(n);
	/* closing one of two keeps it referred; the second resolves */
	cJSON *c1 = post_id("/v1/referrals/%lld/close", rid, key_officer,
			    "{\"outcome\":\"satisfied\",\"reason\":\"screening clear\"}", 200);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(c1, "resolved")));
	cJSON_Delete(c1);
	cJSON *g = get_id("/v1/consignments/%lld", id, key_a, 200);
	assert_string_equal(str(g, "status"), "referred");
	cJSON_Delete(g);
	cJSON *c2 = post_id("/v1/referrals/%lld/close", rid2, key_officer,
			    "{\"outcome\":\"withdrawn\",\"reason\":\"seller known\"}", 200);
	assert_string_equal(str(c2, "consignment_state"), "assessed");
	cJSON_Delete(c2);
	/* `refer` among the actions (the console's button): a request for
	 * information to the filer, with the default deadline */
	cJSON *rf = act(id, "{\"action\":\"refer\",\"reason\":\"which courier?\"}", 200);
	assert_string_equal(str(rf, "state"), "referred");
	cJSON *r3 = get_id("/v1/referrals/%lld", num(rf, "referral"), key_a, 200);
	assert_string_equal(str(r3, "kind"), "information");
	assert_string_equal(str(r3, "to"), "filer");
	cJSON_Delete(r3);
	cJSON_Delete(rf);
}

/* ---- multi-party filing ------------------------------------------------------------------ */

static const char platform_part[] =
	"{\"role\":\"platform\",\"tracking_number\":\"TN-MP-0001\",\"data\":{"
	"\"lrn\":\"MP-LRN-1\",\"declaration_type\":\"import\",\"category\":\"low_value_dutiable\","
	"\"business_model\":\"direct\","
	"\"seller\":{\"name\":\"Shenzhen Example Electronics Co.\",\"address\":{\"street\":\"88 Keji "
	"Road\",\"city\":\"Shenzhen\",\"postcode\":\"518057\",\"country\":\"CN\"}},"
	"\"buyer\":{\"name\":\"Dominique Multi\",\"address\":{\"street\":\"3 Quai Est\","
	"\"city\":\"Lyon\",\"postcode\":\"69002\",\"country\":\"FR\"}},"
	"\"transaction\":{\"order_id\":\"ORD-MP-1\",\"order_date\":\"2026-04-10\",\"currency\":\"EUR\","
	"\"invoice_total\":\"42.00\",\"shipping_cost\":\"6.90\",\"insurance_cost\":\"0.00\"},"
	"\"items\":[{\"description\":\"Wireless earphones with charging case\",\"hs_code\":\"851762\","
	"\"quantity\":\"1\",\"currency\":\"EUR\",\"value\":\"30.00\",\"origin_country\":\"CN\"},"
	"{\"description\":\"Silicone phone case\",\"hs_code\":\"392690\",\"quantity\":\"2\","
	"\"currency\":\"EUR\",\"value\":\"12.00\",\"origin_country\":\"CN\"}]}}";

static const char carrier_part[] =
	"{\"role\":\"carrier\",\"tracking_number\":\"TN-MP-0001\",\"data\":{\"channel\":\"post\","
	"\"transport\":{\"mode\":\"air\",\"tracking_number\":\"TN-MP-0001\","
	"\"carrier\":{\"name\":\"China Post\",\"identifier\":\"CNPOST\",\"country\":\"CN\"},"
	"\"departure_country\":\"CN\",\"office_of_arrival\":\"FR000690\","
	"\"expected_arrival\":\"2099-12-01T08:30:00Z\"},"
	"\"items\":[{\"description\":\"Toy figure, gift\",\"quantity\":\"5\",\"currency\":\"EUR\","
	"\"value\":\"9.00\"}]}}";

static const char psp_part[] =
	"{\"role\":\"payment_provider\",\"tracking_number\":\"TN-MP-0001\",\"data\":{\"transaction\":"
	"{\"payment\":{\"method\":\"card\",\"provider\":\"ExamplePay\",\"transaction_id\":\"PAY-MP-1\","
	"\"currency\":\"EUR\",\"amount\":\"48.90\"}}}}";

static bool has_string(const cJSON *arr, const char *s)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, arr)
		if (cJSON_IsString(e) && strcmp(e->valuestring, s) == 0)
			return true;
	return false;
}

static bool missing_has(const cJSON *answer, const char *ptr)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(answer, "missing"))
		if (strcmp(str(e, "pointer"), ptr) == 0)
			return true;
	return false;
}

static void test_multi_party(void **state)
{
	(void)state;
	long long after_a = latest(key_a), after_b = latest(key_b), after_c = latest(key_c);
	/* strict envelope and data */
	cJSON_Delete(call("POST", "/v1/parts", key_a,
			  "{\"role\":\"platform\",\"tracking_number\":\"TN-X\",\"data\":{},\"x\":1}",
			  422));
	cJSON_Delete(call("POST", "/v1/parts", key_a,
			  "{\"role\":\"king\",\"tracking_number\":\"TN-X\",\"data\":{}}", 422));
	cJSON_Delete(call("POST", "/v1/parts", key_a,
			  "{\"role\":\"platform\",\"tracking_number\":\"TN-X\",\"house_document\":"
			  "\"H\",\"data\":{}}", 422));
	cJSON_Delete(call("POST", "/v1/parts", key_a,
			  "{\"role\":\"platform\",\"tracking_number\":\"TN-X\",\"data\":"
			  "{\"status\":\"released\"}}", 422));
	cJSON_Delete(call("POST", "/v1/parts", key_b,
			  "{\"role\":\"carrier\",\"tracking_number\":\"TN-X\",\"data\":{\"transport\":"
			  "{\"tracking_number\":\"TN-OTHER\"}}}", 422));
	cJSON_Delete(call("POST", "/v1/parts", key_officer, platform_part, 403));

	/* the platform alone: incomplete; asked only what it is placed to give */
	cJSON *p1 = call("POST", "/v1/parts", key_a, platform_part, 201);
	long long part_a = num(cJSON_GetObjectItem(p1, "part"), "id");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(p1, "complete")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(p1, "consignment")));
	assert_true(missing_has(p1, "/channel"));
	assert_true(missing_has(p1, "/transport/mode"));
	assert_false(missing_has(p1, "/items"));
	assert_false(missing_has(p1, "/transport/tracking_number")); /* the link gives it */
	assert_false(has_string(cJSON_GetObjectItem(p1, "asked_of_you"), "/channel"));
	cJSON_Delete(p1);
	cJSON *again = call("POST", "/v1/parts", key_a, platform_part, 200);
	assert_string_equal(str(cJSON_GetObjectItem(again, "part"), "outcome"), "unchanged");
	cJSON_Delete(again);

	/* the carrier completes it; its manifest contradicts the order */
	cJSON *p2 = call("POST", "/v1/parts", key_b, carrier_part, 201);
	long long part_b = num(cJSON_GetObjectItem(p2, "part"), "id");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(p2, "complete")));
	cJSON *cons = cJSON_GetObjectItem(p2, "consignment");
	long long id = num(cons, "id");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(cons, "lead")));
	assert_null(cJSON_GetObjectItem(cons, "lrn")); /* the lead's, not the carrier's */
	assert_null(cJSON_GetObjectItem(cons, "lane"));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(p2, "missing")), 0);
	assert_false(text_has(p2, "Dominique"));
	cJSON_Delete(p2);
	/* the platform owns it; the assessment shows the contradiction */
	cJSON *g = get_id("/v1/consignments/%lld", id, key_a, 200);
	assert_string_equal(str(g, "lrn"), "MP-LRN-1");
	assert_string_equal(str(g, "status"), "assessed");
	cJSON *risk = cJSON_GetObjectItem(g, "risk");
	cJSON *pm = cJSON_GetObjectItem(risk, "party_mismatch");
	assert_non_null(pm);
	assert_string_equal(str(pm, "hit"), "party-mismatch");
	cJSON *kinds = cJSON_GetObjectItem(pm, "kinds");
	assert_true(has_string(kinds, "value") && has_string(kinds, "quantity") &&
		    has_string(kinds, "description"));
	assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(pm, "explanation")) >= 3);
	bool rule = false;
	const cJSON *h;
	cJSON_ArrayForEach(h, cJSON_GetObjectItem(risk, "hits"))
		rule |= strncmp(str(h, "rule"), "R-MISMATCH-", 11) == 0;
	assert_true(rule);
	assert_string_equal(str(cJSON_GetObjectItem(cJSON_GetObjectItem(g, "consignment"),
						    "transport"), "tracking_number"),
			    "TN-MP-0001");
	cJSON_Delete(g);

	/* the payment provider confirms the payment: an amendment */
	cJSON *p3 = call("POST", "/v1/parts", key_c, psp_part, 201);
	long long part_c = num(cJSON_GetObjectItem(p3, "part"), "id");
	assert_int_equal(num(cJSON_GetObjectItem(p3, "consignment"), "id"), id);
	cJSON_Delete(p3);
	g = get_id("/v1/consignments/%lld", id, key_a, 200);
	assert_int_equal(num(g, "version"), 2);
	cJSON_Delete(g);
	/* a role is one filer's */
	cJSON_Delete(call("POST", "/v1/parts", key_d, carrier_part, 409));

	/* each party sees its part and the decision, nothing else */
	cJSON_Delete(get_id("/v1/consignments/%lld", id, key_b, 404));
	cJSON_Delete(get_id("/v1/consignments/%lld", id, key_c, 404));
	cJSON_Delete(get_id("/v1/parts/%lld", part_a, key_b, 404));
	cJSON_Delete(get_id("/v1/parts/%lld", part_b, key_a, 404));
	cJSON *mine = get_id("/v1/parts/%lld", part_c, key_c, 200);
	assert_string_equal(str(mine, "role"), "payment_provider");
	assert_string_equal(str(cJSON_GetObjectItem(mine, "consignment"), "status"), "assessed");
	assert_true(has_string(cJSON_GetObjectItem(mine, "parties"), "platform"));
	assert_false(text_has(mine, "Dominique"));
	assert_false(text_has(mine, "earphones"));
	cJSON_Delete(mine);
	cJSON *list = call("GET", "/v1/parts", key_b, NULL, 200);
	bool seen = false;
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(list, "items")) {
		assert_true(num(e, "id") != part_a && num(e, "id") != part_c);
		seen |= num(e, "id") == part_b;
	}
	assert_true(seen);
	cJSON_Delete(list);

	/* the carrier notifies arrival; the payment provider may not */
	cJSON_Delete(post_id("/v1/consignments/%lld/arrival", id, key_c, "{}", 404));
	cJSON *ar = post_id("/v1/consignments/%lld/arrival", id, key_b, "{}", 200);
	assert_string_equal(str(ar, "state"), "arrived");
	cJSON_Delete(ar);
	/* the data no longer changes */
	cJSON *late = call("POST", "/v1/parts", key_c,
			   "{\"role\":\"payment_provider\",\"tracking_number\":\"TN-MP-0001\","
			   "\"data\":{\"transaction\":{\"payment\":{\"currency\":\"EUR\","
			   "\"amount\":\"1.00\"}}}}",
			   409);
	assert_string_equal(str(late, "state"), "arrived");
	cJSON_Delete(late);

	/* notifications: the lead everything, the others the decisions */
	cJSON *na = feed(key_a, after_a);
	assert_true(count_about(na, id, "merged") >= 2);
	assert_int_equal(count_about(na, id, "state"), 1);
	assert_true(text_has(na, "MP-LRN-1"));
	cJSON_Delete(na);
	cJSON *nb = feed(key_b, after_b);
	assert_true(count_about(nb, id, "merged") >= 2);
	assert_int_equal(count_about(nb, id, "state"), 1);
	assert_false(text_has(nb, "MP-LRN-1"));
	assert_false(text_has(nb, "reason"));
	cJSON_Delete(nb);
	cJSON *nc = feed(key_c, after_c);
	assert_int_equal(count_about(nc, id, "state"), 1);
	assert_false(text_has(nc, "Dominique"));
	cJSON_Delete(nc);

	/* officers: the parts, who sent them, the merge report */
	cJSON *op = get_id("/v1/officer/consignments/%lld/parts", id, key_officer, 200);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(op, "parts")), 3);
	cJSON *merge = cJSON_GetObjectItem(op, "merge");
	assert_string_equal(str(merge, "lead"), "platform");
	assert_string_equal(str(cJSON_GetObjectItem(merge, "contradictions"), "hit"),
			    "party-mismatch");
	cJSON_Delete(op);
	cJSON_Delete(get_id("/v1/officer/consignments/%lld/parts", id, key_a, 403));
	long long single = file_new(key_a, "CL-SINGLE-1", true);
	cJSON_Delete(get_id("/v1/officer/consignments/%lld/parts", single, key_officer, 404));
	cJSON *q = call("GET", "/v1/queue?multi_party=true&limit=500", key_officer, NULL, 200);
	seen = false;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(q, "items"))
		seen |= num(e, "id") == id && cJSON_IsTrue(cJSON_GetObjectItem(e, "multi_party"));
	assert_true(seen);
	cJSON_Delete(q);
	/* a referral to one party: the carrier, for screening */
	cJSON *o = post_id("/v1/consignments/%lld/referrals", id, key_officer,
			   "{\"kind\":\"screening\",\"reason\":\"x-ray the parcel\",\"to\":\"carrier\"}",
			   201);
	long long rid = num(o, "id");
	cJSON_Delete(o);
	cJSON_Delete(get_id("/v1/referrals/%lld", rid, key_a, 404));
	cJSON *rb = get_id("/v1/referrals/%lld", rid, key_b, 200);
	assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(rb, "consignment"), "lrn"));
	cJSON_Delete(rb);
}

/* ---- the notification cursor ---------------------------------------------------------- */

struct arriver {
	long long ids[6];
	int n;
};

static void *arrive_all(void *arg)
{
	struct arriver *w = arg;
	for (int i = 0; i < w->n; i++) {
		char path[96];
		snprintf(path, sizeof(path), "/v1/consignments/%lld/arrival", w->ids[i]);
		http_res r;
		http_res_init(&r);
		http_call(base, "POST", path, key_d, "application/json", "{}", 2, &r);
		http_res_free(&r);
		sleep_ms(30);
	}
	return NULL;
}

/* Reads one page: appends its ids to seen[], returns how many. */
static int page(long long *after, int limit, long long *seen, int *nseen)
{
	char path[96];
	snprintf(path, sizeof(path), "/v1/notifications?after=%lld&limit=%d", *after, limit);
	cJSON *p = call("GET", path, key_d, NULL, 200);
	int n = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(p, "items")) {
		seen[(*nseen)++] = num(e, "id");
		n++;
	}
	long long next = atoll(str(p, "next_cursor"));
	assert_true(next >= *after);
	if (n > 0)
		assert_int_equal(next, seen[*nseen - 1]);
	*after = next;
	cJSON_Delete(p);
	return n;
}

static void test_notification_cursor(void **state)
{
	(void)state;
	long long ids[9];
	for (int i = 0; i < 9; i++) {
		char lrn[32];
		snprintf(lrn, sizeof(lrn), "CL-CURSOR-%d", i);
		ids[i] = file_new(key_d, lrn, true);
	}
	long long seen[128], after = 0;
	int nseen = 0;
	/* two arrivals: four notifications (arrive, release) */
	cJSON_Delete(post_id("/v1/consignments/%lld/arrival", ids[0], key_d, "{}", 200));
	cJSON_Delete(post_id("/v1/consignments/%lld/arrival", ids[1], key_d, "{}", 200));
	assert_int_equal(page(&after, 3, seen, &nseen), 3);
	/* written between pages */
	cJSON_Delete(post_id("/v1/consignments/%lld/arrival", ids[2], key_d, "{}", 200));
	assert_int_equal(page(&after, 3, seen, &nseen), 3);
	assert_int_equal(page(&after, 3, seen, &nseen), 0);
	long long stuck = after;
	assert_int_equal(page(&after, 3, seen, &nseen), 0);
	assert_int_equal(after, stuck);
	/* written while paging */
	struct arriver w = {{ids[3], ids[4], ids[5], ids[6], ids[7], ids[8]}, 6};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, arrive_all, &w), 0);
	for (int k = 0; k < 400 && nseen < 18; k++)
		if (page(&after, 2, seen, &nseen) == 0)
			sleep_ms(20);
	pthread_join(th, NULL);
	while (page(&after, 2, seen, &nseen) > 0)
		;
	/* strictly increasing (no duplicate), and exactly the whole feed */
	for (int i = 1; i < nseen; i++)
		assert_true(seen[i] > seen[i - 1]);
	cJSON *all = feed(key_d, 0);
	assert_int_equal(cJSON_GetArraySize(all), nseen);
	assert_int_equal(nseen, 18);
	for (int i = 0; i < nseen; i++)
		assert_int_equal(num(cJSON_GetArrayItem(all, i), "id"), seen[i]);
	cJSON_Delete(all);
	cJSON_Delete(call("GET", "/v1/notifications?after=-1", key_d, NULL, 400));
	cJSON_Delete(call("GET", "/v1/notifications?limit=0", key_d, NULL, 400));
	cJSON_Delete(call("GET", "/v1/notifications", key_officer, NULL, 403));
}

/* ---- webhooks ------------------------------------------------------------------------- */

/* A tiny HTTP receiver: answers 500 to its first `fail_first` requests,
 * 200 after, and keeps what it received. */
struct got {
	long long notification;
	int status;
	char signature[160];
	char *body;
};

struct receiver {
	int fd;
	unsigned port;
	pthread_t th;
	int fail_first;
	bool stop;
	pthread_mutex_t lock;
	struct got got[64];
	int n;
};

static void header(const char *req, const char *name, char *out, size_t n)
{
	out[0] = '\0';
	size_t len = strlen(name);
	for (const char *p = strstr(req, "\r\n"); p != NULL; p = strstr(p + 2, "\r\n")) {
		if (strncasecmp(p + 2, name, len) == 0 && p[2 + len] == ':') {
			const char *v = p + 3 + len;
			while (*v == ' ')
				v++;
			snprintf(out, n, "%.*s", (int)strcspn(v, "\r\n"), v);
			return;
		}
	}
}

static void *receive(void *arg)
{
	struct receiver *r = arg;
	for (;;) {
		pthread_mutex_lock(&r->lock);
		bool stop = r->stop;
		pthread_mutex_unlock(&r->lock);
		if (stop)
			break;
		struct pollfd pfd = {r->fd, POLLIN, 0};
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		int c = accept(r->fd, NULL, NULL);
		if (c < 0)
			continue;
		char buf[16384];
		size_t len = 0;
		char *end = NULL;
		while (len < sizeof(buf) - 1 && end == NULL) {
			ssize_t k = recv(c, buf + len, sizeof(buf) - 1 - len, 0);
			if (k <= 0)
				break;
			len += (size_t)k;
			buf[len] = '\0';
			end = strstr(buf, "\r\n\r\n");
		}
		char cl[32], nid[32];
		header(buf, "Content-Length", cl, sizeof(cl));
		size_t want = end ? (size_t)(end + 4 - buf) + (size_t)atol(cl) : 0;
		while (end && len < want && len < sizeof(buf) - 1) {
			ssize_t k = recv(c, buf + len, sizeof(buf) - 1 - len, 0);
			if (k <= 0)
				break;
			len += (size_t)k;
			buf[len] = '\0';
		}
		pthread_mutex_lock(&r->lock);
		int status = r->n < r->fail_first ? 500 : 200;
		if (end && r->n < 64) {
			struct got *g = &r->got[r->n++];
			header(buf, "X-Mainlevee-Notification", nid, sizeof(nid));
			g->notification = atoll(nid);
			header(buf, "X-Mainlevee-Signature", g->signature, sizeof(g->signature));
			g->status = status;
			g->body = strdup(end + 4);
		}
		pthread_mutex_unlock(&r->lock);
		char out[128];
		int n = snprintf(out, sizeof(out),
				 "HTTP/1.1 %d X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status);
		if (send(c, out, (size_t)n, MSG_NOSIGNAL) < 0)
			perror("send");
		close(c);
	}
	return NULL;
}

static void receiver_start(struct receiver *r, int fail_first, unsigned port)
{
	memset(r, 0, sizeof(*r));
	r->fail_first = fail_first;
	pthread_mutex_init(&r->lock, NULL);
	r->fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(r->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(r->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(r->fd, 16), 0);
	socklen_t al = sizeof(a);
	getsockname(r->fd, (struct sockaddr *)&a, &al);
	r->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&r->th, NULL, receive, r), 0);
}

static void receiver_stop(struct receiver *r)
{
	pthread_mutex_lock(&r->lock);
	r->stop = true;
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->th, NULL);
	close(r->fd);
	for (int i = 0; i < r->n; i++)
		free(r->got[i].body);
	pthread_mutex_destroy(&r->lock);
}

static int received(struct receiver *r, int status)
{
	pthread_mutex_lock(&r->lock);
	int n = 0;
	for (int i = 0; i < r->n; i++)
		n += r->got[i].status == status;
	pthread_mutex_unlock(&r->lock);
	return n;
}

static bool wait_for(struct receiver *r, int status, int count, int ms)
{
	for (int k = 0; k < ms / 20; k++) {
		if (received(r, status) >= count)
			return true;
		sleep_ms(20);
	}
	return received(r, status) >= count;
}

/* HMAC-SHA256(secret, "T." + body) in hex. */
static void hmac_hex(const char *secret, long long t, const char *body, char out[65])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[32];
	char prefix[32];
	int n = snprintf(prefix, sizeof(prefix), "%lld.", t);
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)prefix, (unsigned long long)n);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, 65, mac, sizeof(mac));
}

/* "t=T,v1=HEX" is HMAC-SHA256(secret, "T." + body), as documented, and
 * recent. */
static bool signed_by(const char *secret, const char *sig, const char *body)
{
	long long t;
	char hex[65], want[65];
	if (sscanf(sig, "t=%lld,v1=%64s", &t, hex) != 2)
		return false;
	hmac_hex(secret, t, body, want);
	return strcmp(want, hex) == 0 && llabs((long long)time(NULL) - t) < 120;
}

static void test_webhook_delivery(void **state)
{
	(void)state;
	/* the example of docs/notifications.md, as openssl computes it */
	char kat[65];
	hmac_hex("whsec_test", 1767225600, "{\"id\":7,\"type\":\"state\"}", kat);
	assert_string_equal(kat, "995fa1f880ccd829f89de814e865f418ec3dc1ab80fe2d97e87443402b918fa2");
	struct receiver r;
	receiver_start(&r, 1, 0);
	/* bounded, strict registrations */
	cJSON_Delete(call("POST", "/v1/webhooks", key_d, "{\"url\":\"ftp://example.org/x\"}", 422));
	cJSON_Delete(call("POST", "/v1/webhooks", key_d,
			  "{\"url\":\"https://user:pw@example.org/x\"}", 422));
	cJSON_Delete(call("POST", "/v1/webhooks", key_d, "{\"url\":\"https://exa mple.org/\"}", 422));
	cJSON_Delete(call("POST", "/v1/webhooks", key_d,
			  "{\"url\":\"https://example.org/\",\"secret\":\"mine\"}", 422));
	char *long_url = calloc(1, 700);
	snprintf(long_url, 700, "{\"url\":\"https://example.org/%0600d\"}", 0);
	cJSON_Delete(call("POST", "/v1/webhooks", key_d, long_url, 422));
	free(long_url);
	cJSON_Delete(call("POST", "/v1/webhooks", key_officer, "{\"url\":\"https://e.org/\"}", 403));
	char body[160];
	snprintf(body, sizeof(body), "{\"url\":\"http://127.0.0.1:%u/hooks/mainlevee\"}", r.port);
	cJSON *w = call("POST", "/v1/webhooks", key_d, body, 201);
	long long wid = num(w, "id");
	char secret[80];
	snprintf(secret, sizeof(secret), "%s", str(w, "secret"));
	assert_true(strncmp(secret, "whsec_", 6) == 0 && strlen(secret) > 40);
	cJSON_Delete(w);
	/* the secret is shown once */
	cJSON *g = get_id("/v1/webhooks/%lld", wid, key_d, 200);
	assert_null(cJSON_GetObjectItem(g, "secret"));
	cJSON_Delete(g);
	cJSON_Delete(get_id("/v1/webhooks/%lld", wid, key_a, 404));
	/* two notifications: arrival and release; the first attempt fails */
	long long id = file_new(key_d, "CL-HOOK-1", true);
	cJSON_Delete(post_id("/v1/consignments/%lld/arrival", id, key_d, "{}", 200));
	assert_true(wait_for(&r, 200, 2, 15000));
	sleep_ms(300); /* nothing more comes */
	pthread_mutex_lock(&r.lock);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.got[0].status, 500);
	assert_int_equal(r.got[1].notification, r.got[0].notification); /* retried */
	assert_true(r.got[2].notification > r.got[1].notification);      /* in order */
	for (int i = 0; i < r.n; i++) {
		assert_true(signed_by(secret, r.got[i].signature, r.got[i].body));
		cJSON *b = cJSON_Parse(r.got[i].body);
		assert_int_equal(num(b, "id"), r.got[i].notification);
		assert_int_equal(num(cJSON_GetObjectItem(b, "consignment"), "id"), id);
		cJSON_Delete(b);
	}
	assert_false(signed_by("whsec_wrong", r.got[1].signature, r.got[1].body));
	long long last = r.got[2].notification;
	pthread_mutex_unlock(&r.lock);
	g = get_id("/v1/webhooks/%lld", wid, key_d, 200);
	assert_int_equal(num(g, "delivered"), 2);
	assert_int_equal(num(g, "pending"), 0);
	assert_int_equal(num(g, "failed_attempts"), 0);
	assert_int_equal(atoll(str(g, "cursor")), last);
	assert_int_equal(num(g, "last_status"), 200);
	cJSON_Delete(g);
	cJSON *l = call("GET", "/v1/webhooks", key_d, NULL, 200);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(l, "items")), 1);
	cJSON_Delete(l);
	/* removed: nothing more is sent */
	cJSON_Delete(call("DELETE", "/v1/webhooks/999999", key_d, NULL, 404));
	char path[64];
	snprintf(path, sizeof(path), "/v1/webhooks/%lld", wid);
	cJSON_Delete(call("DELETE", path, key_a, NULL, 404));
	cJSON_Delete(call("DELETE", path, key_d, NULL, 204));
	cJSON_Delete(call("GET", path, key_d, NULL, 404));
	long long id2 = file_new(key_d, "CL-HOOK-2", true);
	cJSON_Delete(post_id("/v1/consignments/%lld/arrival", id2, key_d, "{}", 200));
	sleep_ms(500);
	assert_int_equal(received(&r, 200), 2);
	receiver_stop(&r);
	/* at most max_webhooks per filer */
	for (int i = 0; i < 5; i++)
		cJSON_Delete(call("POST", "/v1/webhooks", key_c,
				  "{\"url\":\"http://127.0.0.1:9/c\",\"after\":\"0\"}", 201));
	cJSON_Delete(call("POST", "/v1/webhooks", key_c, "{\"url\":\"http://127.0.0.1:9/c\"}",
			  409));
	l = call("GET", "/v1/webhooks", key_c, NULL, 200);
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(l, "items")) {
		snprintf(path, sizeof(path), "/v1/webhooks/%lld", num(e, "id"));
		cJSON_Delete(call("DELETE", path, key_c, NULL, 204));
	}
	cJSON_Delete(l);
}

/* A server that refuses private addresses (the default) does not reach the
 * receiver on loopback; the failures are kept; after a restart with the
 * receiver allowed, the same notifications are delivered, once each. */
static void test_webhook_restart(void **state)
{
	(void)state;
	char dir2[64] = "/tmp/mlv-hooks-XXXXXX", db2[128], err[256], key_e[96];
	assert_non_null(mkdtemp(dir2));
	snprintf(db2, sizeof(db2), "%s/hooks.db", dir2);
	mlv_store_opts so = MLV_STORE_OPTS_INIT;
	so.path = db2;
	so.synchronous_full = false;
	mlv_store *st;
	int64_t e;
	assert_int_equal(mlv_store_open(&st, &so, err, sizeof(err)), 0);
	assert_int_equal(mlv_store_filer_ensure(st, "filer-e", &e), 0);
	assert_int_equal(mlv_store_key_create(st, e, "t", 0, key_e, sizeof(key_e)), 0);
	mlv_store_close(st);
	struct receiver r;
	receiver_start(&r, 0, 0);
	mlv_server_opts o;
	server_opts(&o, db2);
	o.webhook_allow_private = false;
	mlv_server *s2;
	char url2[64], body[160];
	assert_int_equal(harness_start(&s2, &o, url2, sizeof(url2)), 0);
	snprintf(body, sizeof(body), "{\"url\":\"http://127.0.0.1:%u/in\"}", r.port);
	cJSON *w = call_at(url2, "POST", "/v1/webhooks", key_e, body, 201);
	long long wid = num(w, "id");
	cJSON_Delete(w);
	char *c = consignment("CL-RESTART-1", true, NULL);
	cJSON *f = call_at(url2, "POST", "/v1/consignments", key_e, c, 201);
	char path[96];
	snprintf(path, sizeof(path), "/v1/consignments/%lld/arrival", num(f, "id"));
	cJSON_Delete(f);
	free(c);
	cJSON_Delete(call_at(url2, "POST", path, key_e, "{}", 200));
	snprintf(path, sizeof(path), "/v1/webhooks/%lld", wid);
	bool failed = false;
	for (int k = 0; k < 250 && !failed; k++) {
		cJSON *g = call_at(url2, "GET", path, key_e, NULL, 200);
		failed = num(g, "failed_attempts") >= 1;
		if (failed) {
			assert_non_null(strstr(str(g, "last_error"), "private"));
			assert_int_equal(num(g, "pending"), 2);
		}
		cJSON_Delete(g);
		if (!failed)
			sleep_ms(20);
	}
	assert_true(failed);
	mlv_server_stop(s2);
	assert_int_equal(received(&r, 200), 0);
	/* restarted, the receiver allowed: both delivered, in order, once */
	o.webhook_allow_private = true;
	assert_int_equal(harness_start(&s2, &o, url2, sizeof(url2)), 0);
	assert_true(wait_for(&r, 200, 2, 15000));
	sleep_ms(300);
	assert_int_equal(received(&r, 200), 2);
	pthread_mutex_lock(&r.lock);
	assert_true(r.got[1].notification > r.got[0].notification);
	pthread_mutex_unlock(&r.lock);
	cJSON *g = call_at(url2, "GET", path, key_e, NULL, 200);
	assert_int_equal(num(g, "delivered"), 2);
	assert_int_equal(num(g, "pending"), 0);
	cJSON_Delete(g);
	mlv_server_stop(s2);
	receiver_stop(&r);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir2);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_green_path),
		cmocka_unit_test(test_export_exit),
		cmocka_unit_test(test_red_path),
		cmocka_unit_test(test_referral_information),
		cmocka_unit_test(test_referral_deadline),
		cmocka_unit_test(test_referral_agency),
		cmocka_unit_test(test_multi_party),
		cmocka_unit_test(test_notification_cursor),
		cmocka_unit_test(test_webhook_delivery),
		cmocka_unit_test(test_webhook_restart),
	};
	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
