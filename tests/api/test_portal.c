/* test_portal.c - the rules portal over HTTP, against a server started in
 * this process with the shipped reference data, profiles and goods lists
 * and a fresh SQLite store: every /v1/portal endpoint (answers, bounds,
 * errors), drafts and publication with their roles, the members' fields
 * that the public never sees (keys and sessions), the pages in three
 * languages, the calculator's form, the editors' forms with CSRF, the
 * public rate per address, and a matrix of every endpoint x every role. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "harness.h"

/* One key per role, in this order. */
static const char *const roles[] = {"filer",   "officer", "analyst", "supervisor",
				    "auditor", "agency",  "partner", "admin"};
enum { FILER, OFFICER, ANALYST, SUPERVISOR, AUDITOR, AGENCY, PARTNER, ADMIN, NROLES };
static char keys[NROLES][96];
#define PASSWORD "portal-test-password-1"

/* What the members' part of the test text holds: none of it may reach
 * the public. */
#define INTERNAL_NOTE "Call the Roissy hub before seizing on a week-end."
#define CONTACT_POINT_EMAIL "hub.desk@douane.example.org"
#define PENDING_TEXT "The TPC amount changes in January."

/* ---- requests with header lists (client.h) -------------------------------------- */

typedef http_res res;

/* method path at url; hdrs: NULL-terminated "Name: value" lines. */
static void call_at(const char *url_base, const char *method, const char *path,
		    const char *const *hdrs, const char *body, res *r)
{
	http_extra x = {.headers = hdrs};
	http_res_init(r);
	assert_int_equal(http_call_extra(url_base, method, path, NULL, NULL, body,
					 body != NULL ? strlen(body) : 0, &x, r),
			 0);
}

static void call(const char *method, const char *path, const char *const *hdrs,
		 const char *body, res *r)
{
	call_at(base, method, path, hdrs, body, r);
}

/* GET path (with a key, or none) answering JSON with `status`. */
static cJSON *get_json(const char *path, const char *key, long status)
{
	char auth[160];
	const char *h[2] = {NULL, NULL};
	if (key != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
		h[0] = auth;
	}
	res r;
	call("GET", path, h, NULL, &r);
	if (r.status != status)
		fail_msg("GET %s -> %ld: %.400s", path, r.status, r.body.data ? r.body.data : "");
	cJSON *j = cJSON_Parse(r.body.data ? r.body.data : "");
	if (j == NULL)
		fail_msg("GET %s: not JSON: %.200s", path, r.body.data ? r.body.data : "");
	http_res_free(&r);
	return j;
}

/* A JSON request with a key. */
static cJSON *send_json(const char *method, const char *path, const char *key, const char *body,
			long status)
{
	char auth[160];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	const char *h[] = {auth, "Content-Type: application/json", NULL};
	res r;
	call(method, path, h, body, &r);
	if (r.status != status)
		fail_msg("%s %s -> %ld: %.600s", method, path, r.status, r.body.data ? r.body.data : "");
	cJSON *j = r.body.len > 0 ? cJSON_Parse(r.body.data) : cJSON_CreateObject();
	assert_non_null(j);
	http_res_free(&r);
	return j;
}

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static bool has_id(const cJSON *arr, const char *id)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, arr)
		if (opt_str(e, "id") != NULL && strcmp(opt_str(e, "id"), id) == 0)
			return true;
	return false;
}

/* Signs a person in through the console's form: the session cookie
 * ("mlv_session=...") into cookie. */
static void sign_in(const char *user, char *cookie, size_t n)
{
	char body[256];
	snprintf(body, sizeof(body), "username=%s&password=%s&next=%%2Fportal", user, PASSWORD);
	const char *h[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
	res r;
	call("POST", "/console/login", h, body, &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(r.location, "/portal");
	size_t k = strcspn(r.set_cookie, ";");
	assert_true(strncmp(r.set_cookie, "mlv_session=", 12) == 0 && k < n);
	snprintf(cookie, n, "%.*s", (int)k, r.set_cookie);
	http_res_free(&r);
}

/* The csrf value of a page's form. */
static void csrf_of(const char *html, char *out, size_t n)
{
	const char *p = strstr(html, "name=\"csrf\" value=\"");
	assert_non_null(p);
	p += strlen("name=\"csrf\" value=\"");
	size_t k = strcspn(p, "\"");
	assert_true(k > 10 && k < n);
	snprintf(out, n, "%.*s", (int)k, p);
}

/* ---- set-up ------------------------------------------------------------------------- */

static int setup_all(void **state)
{
	(void)state;
	mlv_store *st;
	if (harness_begin("portal") != 0 || harness_store_open(&st) != 0)
		return -1;
	for (int i = 0; i < NROLES; i++) {
		char name[32];
		snprintf(name, sizeof(name), "%s-portal", roles[i]);
		if (harness_key(st, name, roles[i], keys[i], sizeof(keys[i]), NULL) != 0)
			return -1;
	}
	/* people who sign in: a partner administration, an analyst, an admin */
	if (mlv_store_user_set(st, "partner", "Partner Admin", PASSWORD, "partner", 0) != 0 ||
	    mlv_store_user_set(st, "analyst", "Ana Lyst", PASSWORD, "analyst", 0) != 0 ||
	    mlv_store_user_set(st, "admin", "Ad Min", PASSWORD, "admin", 0) != 0)
		return -1;
	mlv_store_close(st);
	/* the goods lists without the risk profile */
	mlv_server_opts o;
	harness_opts(&o, db, false);
	o.validate.goods = risk_goods;
	return harness_start(&server, &o, base, sizeof(base));
}

static int teardown_all(void **state)
{
	(void)state;
	return harness_end();
}

/* ---- the index, countries, the comparison --------------------------------------- */

static void test_index(void **state)
{
	(void)state;
	cJSON *j = get_json("/v1/portal", NULL, 200);
	const cJSON *cs = get(j, "countries");
	assert_int_equal(cJSON_GetArraySize(cs), (int)mlv_profiles_count(profiles));
	assert_int_equal(cJSON_GetArraySize(cs), 42);
	bool fr = false;
	const cJSON *e;
	cJSON_ArrayForEach(e, cs)
	{
		assert_non_null(opt_str(e, "name"));
		assert_int_equal(strlen(opt_str(e, "currency")), 3);
		if (strcmp(opt_str(e, "country"), "FR") == 0) {
			fr = true;
			assert_string_equal(opt_str(e, "union"), "EU");
			assert_string_equal(opt_str(e, "self"), "/v1/portal/countries/FR");
		}
	}
	assert_true(fr);
	assert_false(cJSON_IsTrue(get(j, "members_view")));
	cJSON_Delete(j);
	/* a partner's key sees the members' view */
	j = get_json("/v1/portal", keys[PARTNER], 200);
	assert_true(cJSON_IsTrue(get(j, "members_view")));
	cJSON_Delete(j);
	/* a wrong key is refused, not ignored */
	j = get_json("/v1/portal", "mlv_not-a-key-at-all-0000000000000", 401);
	cJSON_Delete(j);
}

static void test_country(void **state)
{
	(void)state;
	/* every shipped country answers, with its currency and thresholds */
	for (size_t i = 0; i < mlv_profiles_count(profiles); i++) {
		const mlv_profile *p = mlv_profiles_at(profiles, i);
		char path[64];
		snprintf(path, sizeof(path), "/v1/portal/countries/%s", mlv_profile_code(p));
		cJSON *j = get_json(path, NULL, 200);
		assert_string_equal(opt_str(j, "country"), mlv_profile_code(p));
		assert_non_null(opt_str(j, "currency"));
		assert_true(cJSON_IsArray(get(j, "duty_thresholds")));
		assert_true(cJSON_IsArray(get(j, "declaration_thresholds")));
		assert_true(cJSON_IsArray(get(j, "sources")));
		cJSON_Delete(j);
	}
	/* the United Kingdom: GBP 135 for duty, VAT collected at sale */
	cJSON *gb = get_json("/v1/portal/countries/GB?date=2026-11-26", NULL, 200);
	assert_string_equal(opt_str(gb, "currency"), "GBP");
	assert_string_equal(opt_str(gb, "standard_tax_rate"), "20");
	const cJSON *d = cJSON_GetArrayItem(get(gb, "duty_thresholds"), 0);
	assert_string_equal(opt_str(d, "id"), "GB-LVC-DUTY");
	assert_string_equal(opt_str(get(d, "threshold"), "amount"), "135.00");
	assert_string_equal(opt_str(get(d, "threshold"), "currency"), "GBP");
	assert_string_equal(opt_str(d, "valid_from"), "2021-01-01");
	assert_non_null(opt_str(d, "basis"));
	assert_true(has_id(get(gb, "tax_thresholds"), "GB-LVC-VAT"));
	assert_true(cJSON_IsTrue(get(cJSON_GetArrayItem(get(gb, "tax_thresholds"), 0), "at_sale")));
	assert_true(has_id(get(gb, "schemes"), "GB-VAT-SALE"));
	cJSON_Delete(gb);
	/* France: its union's rules; the EU relief of EUR 150 ended 2026-07-01 */
	cJSON *fr = get_json("/v1/portal/countries/FR?date=2026-11-26", NULL, 200);
	assert_string_equal(opt_str(fr, "union"), "EU");
	assert_true(has_id(get(fr, "declaration_thresholds"), "EU-H7"));
	assert_true(has_id(get(fr, "schemes"), "EU-IOSS"));
	assert_int_equal(cJSON_GetArraySize(get(fr, "duty_thresholds")), 0);
	assert_true(has_id(get(fr, "earlier_rules"), "EU-RELIEF-NEGLIGIBLE"));
	assert_true(has_id(get(fr, "fees"), "FR-TPC-2026"));
	assert_true(cJSON_GetArraySize(get(fr, "facilitation")) >= 2);
	assert_true(cJSON_IsNull(get(fr, "texts")));
	cJSON_Delete(fr);
	cJSON *old = get_json("/v1/portal/countries/FR?date=2020-01-01", NULL, 200);
	assert_true(has_id(get(old, "duty_thresholds"), "EU-RELIEF-NEGLIGIBLE"));
	assert_true(has_id(get(old, "later_rules"), "EU-IOSS"));
	cJSON_Delete(old);
	/* errors */
	cJSON_Delete(get_json("/v1/portal/countries/XX", NULL, 404));
	cJSON_Delete(get_json("/v1/portal/countries/EU", NULL, 404)); /* a union, not a destination */
	cJSON_Delete(get_json("/v1/portal/countries/fr", NULL, 404));
	cJSON_Delete(get_json("/v1/portal/countries/FR?date=2026-13-01", NULL, 400));
	cJSON_Delete(get_json("/v1/portal/countries/FR?date=yesterday", NULL, 400));
}

static void test_compare(void **state)
{
	(void)state;
	cJSON *j = get_json("/v1/portal/compare?date=2026-11-26", NULL, 200);
	assert_string_equal(opt_str(j, "date"), "2026-11-26");
	assert_int_equal(cJSON_GetArraySize(get(j, "countries")), 42);
	const cJSON *row;
	bool au = false;
	cJSON_ArrayForEach(row, get(j, "countries"))
	{
		if (strcmp(opt_str(row, "country"), "AU") != 0)
			continue;
		au = true;
		const cJSON *t = cJSON_GetArrayItem(get(row, "duty_thresholds"), 0);
		assert_string_equal(opt_str(get(t, "threshold"), "amount"), "1000.00");
		assert_string_equal(opt_str(get(t, "threshold"), "currency"), "AUD");
	}
	assert_true(au);
	cJSON_Delete(j);

	res r;
	call("GET", "/v1/portal/compare.csv?date=2026-11-26", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.content_type, "text/csv"));
	assert_non_null(strstr(r.disposition, "attachment"));
	assert_non_null(strstr(r.disposition, ".csv"));
	/* a header, then one line per country, CRLF-terminated */
	size_t lines = 0;
	for (const char *p = r.body.data; (p = strstr(p, "\r\n")) != NULL; p += 2)
		lines++;
	assert_int_equal(lines, 43);
	assert_int_equal(strncmp(r.body.data, "country,name,union,currency,tax_name,", 37), 0);
	assert_non_null(strstr(r.body.data, "\r\nGB,United Kingdom,,GBP,VAT,20,135.00 GBP,2021-01-01,"
					   "GB-LVC-DUTY,135.00 GBP (at sale),"));
	http_res_free(&r);
	cJSON_Delete(get_json("/v1/portal/compare?date=2026-02-30", NULL, 400));
}

/* ---- search and codes ------------------------------------------------------------- */

static void test_search(void **state)
{
	(void)state;
	cJSON *j = get_json("/v1/portal/search?q=coffee", NULL, 200);
	assert_false(cJSON_IsTrue(get(j, "by_code")));
	bool found = false;
	const cJSON *e;
	cJSON_ArrayForEach(e, get(j, "results"))
	{
		if (strcmp(opt_str(e, "code"), "090121") == 0) {
			found = true;
			assert_string_equal(opt_str(e, "display"), "0901.21");
			assert_string_equal(opt_str(e, "description"), "Coffee; roasted, not decaffeinated");
			assert_string_equal(opt_str(get(e, "links"), "page"), "/portal/codes/090121");
		}
	}
	assert_true(found);
	int total = (int)cJSON_GetNumberValue(get(j, "total"));
	cJSON_Delete(j);
	/* case, accents and plurals: the same answer */
	j = get_json("/v1/portal/search?q=CAF%C3%89S", NULL, 200);
	assert_int_equal((int)cJSON_GetNumberValue(get(j, "total")), total);
	cJSON_Delete(j);
	j = get_json("/v1/portal/search?q=0901.21", NULL, 200);
	assert_true(cJSON_IsTrue(get(j, "by_code")));
	assert_string_equal(opt_str(cJSON_GetArrayItem(get(j, "results"), 0), "code"), "090121");
	cJSON_Delete(j);
	j = get_json("/v1/portal/search?q=85&limit=3", NULL, 200);
	assert_int_equal(cJSON_GetArraySize(get(j, "results")), 3);
	assert_true(cJSON_GetNumberValue(get(j, "total")) > 3);
	cJSON_Delete(j);
	j = get_json("/v1/portal/search?q=zzqqxx", NULL, 200);
	assert_int_equal(cJSON_GetArraySize(get(j, "results")), 0);
	cJSON_Delete(j);
	cJSON_Delete(get_json("/v1/portal/search", NULL, 400));
	cJSON_Delete(get_json("/v1/portal/search?q=coffee&limit=0", NULL, 400));
	cJSON_Delete(get_json("/v1/portal/search?q=coffee&limit=101", NULL, 400));
	char longq[300] = "/v1/portal/search?q=";
	memset(longq + strlen(longq), 'a', 220);
	cJSON_Delete(get_json(longq, NULL, 400));
}

static const cJSON *restriction(const cJSON *code, const char *id)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, get(code, "restrictions"))
		if (strcmp(opt_str(e, "id"), id) == 0)
			return e;
	return NULL;
}

static void test_codes(void **state)
{
	(void)state;
	/* roasted coffee into France: the CET's 7.5%, VAT 20% */
	cJSON *j = get_json("/v1/portal/codes/0901.21?to=FR&date=2026-11-26", NULL, 200);
	assert_string_equal(opt_str(j, "code"), "090121");
	assert_string_equal(opt_str(j, "description"), "Coffee; roasted, not decaffeinated");
	assert_int_equal(cJSON_GetArraySize(get(j, "path")), 2);
	assert_string_equal(opt_str(get(j, "duty"), "rate"), "7.5");
	assert_true(cJSON_IsTrue(get(get(j, "duty"), "computed")));
	assert_string_equal(opt_str(get(get(j, "duty"), "rule"), "id"), "EU-CET-2020");
	assert_string_equal(opt_str(get(j, "tax"), "rate"), "20");
	assert_string_equal(opt_str(get(j, "tax"), "name"), "VAT");
	assert_int_equal(cJSON_GetArraySize(get(j, "restrictions")), 0);
	assert_string_equal(opt_str(get(j, "destination"), "country"), "FR");
	cJSON_Delete(j);
	/* a rifle into the United States: restricted, with the ATF permit */
	j = get_json("/v1/portal/codes/930320?to=US", NULL, 200);
	const cJSON *r = restriction(j, "US-FIREARMS");
	assert_non_null(r);
	assert_string_equal(opt_str(r, "kind"), "restricted");
	assert_string_equal(opt_str(r, "match"), "hs");
	assert_string_equal(opt_str(r, "permit"), "ATF Form 6 import permit");
	assert_non_null(strstr(opt_str(r, "agency"), "ATF"));
	assert_true(cJSON_GetArraySize(get(r, "basis")) >= 2);
	assert_true(cJSON_IsNull(get(get(j, "tax"), "rate"))); /* the US levies no import VAT */
	cJSON_Delete(j);
	/* cigarettes into France: the ban on distance sales, by the description */
	j = get_json("/v1/portal/codes/240220?to=FR", NULL, 200);
	r = restriction(j, "FR-TOBACCO-DISTANCE-SALE");
	assert_non_null(r);
	assert_string_equal(opt_str(r, "kind"), "prohibited");
	assert_string_equal(opt_str(r, "match"), "words");
	assert_true(cJSON_GetArraySize(get(j, "excise")) >= 1);
	cJSON_Delete(j);
	/* the same code into Germany: no French rule */
	j = get_json("/v1/portal/codes/240220?to=DE", NULL, 200);
	assert_null(restriction(j, "FR-TOBACCO-DISTANCE-SALE"));
	cJSON_Delete(j);
	/* a heading: its subheadings, no rates without a destination */
	j = get_json("/v1/portal/codes/0901", NULL, 200);
	assert_int_equal(cJSON_GetArraySize(get(j, "children")), 5);
	assert_true(cJSON_IsNull(get(j, "destination")));
	assert_null(get(j, "duty"));
	cJSON_Delete(j);
	/* a national line keeps its digits and reads the subheading */
	j = get_json("/v1/portal/codes/9303201000?to=US", NULL, 200);
	assert_true(cJSON_IsTrue(get(j, "national_line")));
	assert_non_null(restriction(j, "US-FIREARMS"));
	cJSON_Delete(j);
	/* errors */
	cJSON_Delete(get_json("/v1/portal/codes/999999", NULL, 404));
	cJSON_Delete(get_json("/v1/portal/codes/abc", NULL, 404));
	cJSON_Delete(get_json("/v1/portal/codes/09012", NULL, 404));
	cJSON_Delete(get_json("/v1/portal/codes/090121?to=XX", NULL, 400));
	cJSON_Delete(get_json("/v1/portal/codes/090121?to=EU", NULL, 400));
	cJSON_Delete(get_json("/v1/portal/codes/090121?to=FR&origin=QQ", NULL, 400));
	cJSON_Delete(get_json("/v1/portal/codes/090121?to=FR&date=2026-1-1", NULL, 400));
}

/* ---- texts: drafts, publication, members' fields ----------------------------------- */

static const char fr_text[] =
	"{\"notes\":\"Parcels from outside the EU are checked at Roissy.\","
	"\"facilitation\":[\"Simplified H7 declaration up to EUR 150\"],"
	"\"contacts\":[{\"name\":\"Info Douane Service\",\"phone\":\"+33 1 72 40 78 50\","
	"\"url\":\"https://www.douane.gouv.fr/\"}],"
	"\"requirements\":[{\"hs\":\"8507\",\"text\":\"Lithium batteries: the UN 38.3 test summary.\"}],"
	"\"members\":{\"internal_notes\":\"" INTERNAL_NOTE "\","
	"\"contact_points\":[{\"name\":\"Roissy hub desk\",\"email\":\"" CONTACT_POINT_EMAIL "\"}],"
	"\"pending_changes\":[{\"date\":\"2027-01-01\",\"text\":\"" PENDING_TEXT "\"}]}}";

/* Nothing of the members' part in text. */
static void no_members_fields(const char *text, const char *where)
{
	if (strstr(text, INTERNAL_NOTE) != NULL || strstr(text, CONTACT_POINT_EMAIL) != NULL ||
	    strstr(text, PENDING_TEXT) != NULL || strstr(text, "\"members\":{") != NULL)
		fail_msg("%s shows a members' field to the public", where);
}

static void test_drafts_validation(void **state)
{
	(void)state;
	const char *ed = keys[ADMIN];
	cJSON *e = send_json("PUT", "/v1/portal/drafts/FR", ed,
			     "{\"notes\":1,\"colour\":\"red\",\"contacts\":[{\"email\":\"not-mail\","
			     "\"url\":\"ftp://x\",\"phone\":\"call me\"}],"
			     "\"requirements\":[{\"hs\":\"9999\",\"text\":\"x\"}],"
			     "\"members\":{\"pending_changes\":[{\"date\":\"2027-02-30\"}],\"x\":1}}",
			     422);
	assert_true(has_error(e, "/notes", "type"));
	assert_true(has_error(e, "/colour", "unknown_field"));
	assert_true(has_error(e, "/contacts/0/name", "required"));
	assert_true(has_error(e, "/contacts/0/email", "format"));
	assert_true(has_error(e, "/contacts/0/url", "format"));
	assert_true(has_error(e, "/contacts/0/phone", "format"));
	assert_true(has_error(e, "/requirements/0/hs", "hs_unknown"));
	assert_true(has_error(e, "/members/pending_changes/0/date", "format"));
	assert_true(has_error(e, "/members/pending_changes/0/text", "required"));
	assert_true(has_error(e, "/members/x", "unknown_field"));
	cJSON_Delete(e);
	/* duplicate keys, bad JSON, too deep, too long, wrong type */
	e = send_json("PUT", "/v1/portal/drafts/FR", ed, "{\"notes\":\"a\",\"notes\":\"b\"}", 422);
	assert_true(has_error(e, "/notes", "duplicate_key"));
	cJSON_Delete(e);
	cJSON_Delete(send_json("PUT", "/v1/portal/drafts/FR", ed, "{\"notes\":", 400));
	cJSON_Delete(send_json("PUT", "/v1/portal/drafts/FR", ed, "[[[[[[1]]]]]]", 400));
	char *big = malloc(6000);
	snprintf(big, 6000, "{\"notes\":\"%0*d\"}", 4500, 0);
	e = send_json("PUT", "/v1/portal/drafts/FR", ed, big, 422);
	assert_true(has_error(e, "/notes", "too_long"));
	cJSON_Delete(e);
	free(big);
	char auth[160];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", ed);
	const char *h[] = {auth, "Content-Type: text/plain", NULL};
	res r;
	call("PUT", "/v1/portal/drafts/FR", h, "{}", &r);
	assert_int_equal(r.status, 415);
	http_res_free(&r);
	cJSON_Delete(send_json("PUT", "/v1/portal/drafts/XX", ed, "{}", 404));
	cJSON_Delete(send_json("GET", "/v1/portal/drafts/FR", ed, NULL, 404)); /* nothing saved */
	/* a draft, read back, then discarded */
	e = send_json("PUT", "/v1/portal/drafts/DE", ed, "{\"notes\":\"draft only\"}", 200);
	assert_string_equal(opt_str(get(e, "draft"), "notes"), "draft only");
	assert_true(cJSON_IsNull(get(e, "in_force")));
	assert_int_equal(cJSON_GetArraySize(get(e, "changes")), 1);
	cJSON_Delete(e);
	cJSON *l = send_json("GET", "/v1/portal/drafts", ed, NULL, 200);
	assert_int_equal(cJSON_GetArraySize(get(l, "drafts")), 1);
	assert_string_equal(opt_str(cJSON_GetArrayItem(get(l, "drafts"), 0), "country"), "DE");
	cJSON_Delete(l);
	/* a draft is nobody's business until published */
	cJSON *de = get_json("/v1/portal/countries/DE", keys[PARTNER], 200);
	assert_true(cJSON_IsNull(get(de, "texts")));
	cJSON_Delete(de);
	cJSON_Delete(send_json("DELETE", "/v1/portal/drafts/DE", ed, NULL, 204));
	cJSON_Delete(send_json("DELETE", "/v1/portal/drafts/DE", ed, NULL, 404));
	/* nothing to publish */
	cJSON_Delete(send_json("POST", "/v1/portal/publish", ed, "{}", 409));
	e = send_json("POST", "/v1/portal/publish", ed, "{\"countries\":[\"XX\"],\"by\":\"me\"}",
		      422);
	assert_true(has_error(e, "/countries/0", "country_unknown"));
	assert_true(has_error(e, "/by", "unknown_field"));
	cJSON_Delete(e);
}

static void test_publish_and_members(void **state)
{
	(void)state;
	const char *ed = keys[SUPERVISOR];
	cJSON *d = send_json("PUT", "/v1/portal/drafts/FR", ed, fr_text, 200);
	assert_int_equal(cJSON_GetArraySize(get(d, "changes")), 7);
	cJSON_Delete(d);
	cJSON_Delete(send_json("PUT", "/v1/portal/drafts/EU", ed,
			       "{\"facilitation\":[\"IOSS: VAT paid at checkout, no VAT at the "
			       "border\"]}",
			       200));
	/* publishing one named country leaves the other draft waiting */
	cJSON *p = send_json("POST", "/v1/portal/publish", ed,
			     "{\"note\":\"France's first texts\",\"countries\":[\"FR\"]}", 201);
	int v1 = (int)cJSON_GetNumberValue(get(p, "version"));
	assert_true(v1 >= 1);
	assert_int_equal((int)cJSON_GetNumberValue(get(p, "countries_changed")), 1);
	assert_non_null(opt_str(p, "published_at"));
	cJSON_Delete(p);
	p = send_json("POST", "/v1/portal/publish", keys[ADMIN], "{\"note\":\"the union\"}", 201);
	int v2 = (int)cJSON_GetNumberValue(get(p, "version"));
	assert_int_equal(v2, v1 + 1);
	cJSON_Delete(p);

	/* the public sees the public part only, with the version that set it */
	res r;
	call("GET", "/v1/portal/countries/FR", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	no_members_fields(r.body.data, "GET /v1/portal/countries/FR");
	cJSON *fr = cJSON_Parse(r.body.data);
	http_res_free(&r);
	const cJSON *t = get(fr, "texts");
	assert_string_equal(opt_str(t, "notes"), "Parcels from outside the EU are checked at Roissy.");
	assert_int_equal((int)cJSON_GetNumberValue(get(t, "version")), v1);
	assert_null(get(t, "members"));
	assert_non_null(strstr(cJSON_GetArrayItem(get(get(fr, "union_texts"), "facilitation"), 0)
				       ->valuestring,
			       "IOSS"));
	cJSON_Delete(fr);
	/* members (partner, officer, supervisor, admin) see the members' part;
	 * the other roles see what the public sees */
	for (int i = 0; i < NROLES; i++) {
		cJSON *j = get_json("/v1/portal/countries/FR", keys[i], 200);
		const cJSON *m = get(get(j, "texts"), "members");
		bool member = i == PARTNER || i == OFFICER || i == SUPERVISOR || i == ADMIN;
		if (member) {
			assert_string_equal(opt_str(m, "internal_notes"), INTERNAL_NOTE);
			assert_string_equal(opt_str(cJSON_GetArrayItem(get(m, "contact_points"), 0), "email"),
					    CONTACT_POINT_EMAIL);
		} else {
			if (m != NULL)
				fail_msg("role %s sees the members' part", roles[i]);
		}
		assert_true(cJSON_IsTrue(get(j, "members_view")) == member);
		cJSON_Delete(j);
	}
	/* the product requirement reaches the code page of a lithium cell */
	cJSON *code = get_json("/v1/portal/codes/850760?to=FR", NULL, 200);
	const cJSON *req = cJSON_GetArrayItem(get(code, "requirements"), 0);
	assert_string_equal(opt_str(req, "hs"), "8507");
	assert_string_equal(opt_str(req, "from"), "FR");
	cJSON_Delete(code);

	/* versions: numbered, dated; who published is for members only */
	call("GET", "/v1/portal/versions", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body.data, "supervisor-portal"));
	assert_null(strstr(r.body.data, "published_by"));
	cJSON *vs = cJSON_Parse(r.body.data);
	http_res_free(&r);
	assert_int_equal((int)cJSON_GetNumberValue(get(vs, "latest")), v2);
	const cJSON *first = cJSON_GetArrayItem(get(vs, "versions"), 0);
	assert_int_equal((int)cJSON_GetNumberValue(get(first, "version")), v2);
	assert_string_equal(cJSON_GetArrayItem(get(first, "countries"), 0)->valuestring, "EU");
	cJSON_Delete(vs);
	vs = get_json("/v1/portal/versions", keys[PARTNER], 200);
	assert_non_null(opt_str(cJSON_GetArrayItem(get(vs, "versions"), 0), "published_by"));
	cJSON_Delete(vs);

	/* what changed: the public sees the public fields, members all */
	char path[96];
	snprintf(path, sizeof(path), "/v1/portal/changes?from=%d&to=%d", v1 - 1, v1);
	call("GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	no_members_fields(r.body.data, "GET /v1/portal/changes");
	cJSON *ch = cJSON_Parse(r.body.data);
	http_res_free(&r);
	const cJSON *c0 = cJSON_GetArrayItem(get(ch, "countries"), 0);
	assert_string_equal(opt_str(c0, "country"), "FR");
	assert_int_equal(cJSON_GetArraySize(get(c0, "fields")), 4);
	cJSON_Delete(ch);
	ch = get_json(path, keys[OFFICER], 200);
	c0 = cJSON_GetArrayItem(get(ch, "countries"), 0);
	assert_int_equal(cJSON_GetArraySize(get(c0, "fields")), 7);
	cJSON_Delete(ch);

	/* a second edit: only what differs is reported, and old versions stay */
	char *second = strdup(fr_text);
	char *at = strstr(second, "Roissy.");
	memcpy(at, "Orly!!!", 7);
	cJSON_Delete(send_json("PUT", "/v1/portal/drafts/FR", ed, second, 200));
	free(second);
	p = send_json("POST", "/v1/portal/publish", ed, "{\"countries\":[\"FR\"]}", 201);
	int v3 = (int)cJSON_GetNumberValue(get(p, "version"));
	cJSON_Delete(p);
	snprintf(path, sizeof(path), "/v1/portal/changes?from=%d&to=%d", v2, v3);
	ch = get_json(path, NULL, 200);
	c0 = cJSON_GetArrayItem(get(ch, "countries"), 0);
	const cJSON *f0 = cJSON_GetArrayItem(get(c0, "fields"), 0);
	assert_int_equal(cJSON_GetArraySize(get(c0, "fields")), 1);
	assert_string_equal(opt_str(f0, "field"), "notes");
	assert_non_null(strstr(cJSON_GetArrayItem(get(f0, "removed"), 0)->valuestring, "Roissy"));
	assert_non_null(strstr(cJSON_GetArrayItem(get(f0, "added"), 0)->valuestring, "Orly"));
	cJSON_Delete(ch);
	/* the same text again publishes nothing */
	second = strdup(fr_text);
	memcpy(strstr(second, "Roissy."), "Orly!!!", 7);
	cJSON_Delete(send_json("PUT", "/v1/portal/drafts/FR", ed, second, 200));
	free(second);
	cJSON_Delete(send_json("POST", "/v1/portal/publish", ed, "{}", 409));
	cJSON_Delete(send_json("DELETE", "/v1/portal/drafts/FR", ed, NULL, 204));
	/* bad versions */
	cJSON_Delete(get_json("/v1/portal/changes?from=3&to=1", NULL, 400));
	cJSON_Delete(get_json("/v1/portal/changes?to=999", NULL, 400));
	cJSON_Delete(get_json("/v1/portal/changes?from=x", NULL, 400));
	cJSON_Delete(get_json("/v1/portal/versions?limit=0", NULL, 400));
}

/* ---- pages -------------------------------------------------------------------------- */

static void page(const char *path, const char *const *hdrs, long status, res *r)
{
	call("GET", path, hdrs, NULL, r);
	if (r->status != status)
		fail_msg("GET %s -> %ld (want %ld)", path, r->status, status);
	if (status == 200) {
		assert_non_null(strstr(r->content_type, "text/html"));
		assert_non_null(strstr(r->csp, "default-src 'self'"));
		/* no inline script or style: the CSP would block them */
		assert_null(strstr(r->body.data, "<script>"));
		assert_null(strstr(r->body.data, "style=\""));
		assert_null(strstr(r->body.data, "<style"));
	}
}

static void test_pages_and_languages(void **state)
{
	(void)state;
	static const char *const paths[] = {
		"/portal", "/portal/search?q=coffee", "/portal/countries/FR",
		"/portal/codes/090121?to=FR", "/portal/codes/0901", "/portal/compare",
		"/portal/calculator", "/portal/changes", "/portal/search",
	};
	res r;
	for (size_t i = 0; i < MLV_ARRAY_LEN(paths); i++) {
		page(paths[i], NULL, 200, &r);
		assert_non_null(strstr(r.body.data, "<html lang=\"en\">"));
		assert_non_null(strstr(r.body.data, "<main id=\"main\">"));
		http_res_free(&r);
	}
	/* the switch: French, and a cookie that keeps it */
	page("/portal/compare?lang=fr", NULL, 200, &r);
	assert_non_null(strstr(r.body.data, "<html lang=\"fr\">"));
	assert_non_null(strstr(r.body.data, "Seuils de minimis comparés"));
	assert_non_null(strstr(r.set_cookie, "mlv_lang=fr"));
	http_res_free(&r);
	const char *cookie_fr[] = {"Cookie: mlv_lang=fr", NULL};
	page("/portal", cookie_fr, 200, &r);
	assert_non_null(strstr(r.body.data, "Règles douanières du commerce électronique"));
	http_res_free(&r);
	/* the browser's languages, by preference */
	const char *es[] = {"Accept-Language: de-DE, es;q=0.8, en;q=0.5", NULL};
	page("/portal/countries/GB", es, 200, &r);
	assert_non_null(strstr(r.body.data, "<html lang=\"es\">"));
	assert_non_null(strstr(r.body.data, "Reino Unido"));
	http_res_free(&r);
	const char *en[] = {"Accept-Language: fr;q=0.3, en-GB;q=0.9", NULL};
	page("/portal", en, 200, &r);
	assert_non_null(strstr(r.body.data, "<html lang=\"en\">"));
	http_res_free(&r);
	/* the ?lang= switch wins over the cookie */
	const char *both[] = {"Cookie: mlv_lang=fr", NULL};
	page("/portal?lang=es", both, 200, &r);
	assert_non_null(strstr(r.body.data, "<html lang=\"es\">"));
	http_res_free(&r);
	/* HS descriptions stay English, and say so */
	page("/portal/search?q=coffee&lang=fr", NULL, 200, &r);
	assert_non_null(strstr(r.body.data, "Coffee; roasted, not decaffeinated"));
	assert_non_null(strstr(r.body.data, "aucune traduction"));
	http_res_free(&r);
	/* pages that are not there */
	page("/portal/countries/XX", NULL, 404, &r);
	assert_non_null(strstr(r.content_type, "text/html"));
	http_res_free(&r);
	page("/portal/codes/999999", NULL, 404, &r);
	http_res_free(&r);
	page("/portal/countries/FR?date=nope", NULL, 400, &r);
	http_res_free(&r);
}

static void test_calculator_form(void **state)
{
	(void)state;
	const char *form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
	res r;
	/* GBP 100 of T-shirts into the UK: under GBP 135, no duty, VAT at sale */
	call("POST", "/portal/calculator", form,
	     "to=GB&origin=CN&currency=GBP&shipping=&rows=3&hs_1=610910&price_1=100.00&qty_1=2",
	     &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body.data, "id=\"result-GB\""));
	assert_non_null(strstr(r.body.data, "id=\"duty\">0.00&nbsp;GBP"));
	assert_non_null(strstr(r.body.data, "id=\"tax-at-sale\">20.00&nbsp;GBP"));
	assert_non_null(strstr(r.body.data, "id=\"restricted-none\""));
	http_res_free(&r);
	/* words instead of a code, a decimal comma, a restricted item */
	call("POST", "/portal/calculator", form,
	     "to=US&currency=USD&rows=2&hs_1=t-shirts+of+cotton&price_1=30%2C50&hs_2=930320&price_2=400",
	     &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body.data, "id=\"chosen\""));
	assert_non_null(strstr(r.body.data, "6109.10"));
	assert_non_null(strstr(r.body.data, "id=\"restricted\""));
	assert_non_null(strstr(r.body.data, "ATF Form 6 import permit"));
	http_res_free(&r);
	/* a GET with a priced item computes too (a link to a result) */
	page("/portal/calculator?to=FR&hs_1=090121&price_1=20", NULL, 200, &r);
	assert_non_null(strstr(r.body.data, "id=\"result-FR\""));
	http_res_free(&r);
	/* errors come back in the page's language, with the form filled */
	call("POST", "/portal/calculator?lang=fr", form, "to=&rows=3&hs_1=999999&price_1=abc", &r);
	assert_int_equal(r.status, 422);
	assert_non_null(strstr(r.body.data, "id=\"errors\""));
	assert_non_null(strstr(r.body.data, "Choisissez une destination."));
	assert_non_null(strstr(r.body.data, "value=\"999999\""));
	http_res_free(&r);
	/* adding a row recomputes nothing and keeps the values */
	call("POST", "/portal/calculator", form, "to=FR&rows=3&add=1&hs_1=090121&price_1=5", &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body.data, "id=\"result-"));
	assert_non_null(strstr(r.body.data, "id=\"hs_4\""));
	assert_non_null(strstr(r.body.data, "name=\"rows\" value=\"4\""));
	http_res_free(&r);
}

static void test_members_in_pages(void **state)
{
	(void)state;
	/* the text published by test_publish_and_members */
	res r;
	page("/portal/countries/FR", NULL, 200, &r);
	assert_non_null(strstr(r.body.data, "Info Douane Service"));
	no_members_fields(r.body.data, "the country page");
	assert_null(strstr(r.body.data, "id=\"members\""));
	http_res_free(&r);
	char cookie[256], hdr[300];
	sign_in("partner", cookie, sizeof(cookie));
	snprintf(hdr, sizeof(hdr), "Cookie: %s", cookie);
	const char *h[] = {hdr, NULL};
	page("/portal/countries/FR", h, 200, &r);
	assert_non_null(strstr(r.body.data, "id=\"members\""));
	assert_non_null(strstr(r.body.data, INTERNAL_NOTE));
	assert_non_null(strstr(r.body.data, CONTACT_POINT_EMAIL));
	assert_non_null(strstr(r.body.data, "id=\"members-view\""));
	http_res_free(&r);
	/* an analyst is staff, not a member administration */
	sign_in("analyst", cookie, sizeof(cookie));
	snprintf(hdr, sizeof(hdr), "Cookie: %s", cookie);
	page("/portal/countries/FR", h, 200, &r);
	no_members_fields(r.body.data, "the analyst's country page");
	http_res_free(&r);
	/* changes: the public sees no members' field change */
	page("/portal/changes?from=0&to=1", NULL, 200, &r);
	no_members_fields(r.body.data, "the changes page");
	http_res_free(&r);
}

static void test_edit_pages(void **state)
{
	(void)state;
	res r;
	/* the public is sent to the sign-in page */
	call("GET", "/portal/edit", NULL, NULL, &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(r.location, "/console/login?next=/portal/edit");
	http_res_free(&r);
	char cookie[256], hdr[300];
	sign_in("partner", cookie, sizeof(cookie));
	snprintf(hdr, sizeof(hdr), "Cookie: %s", cookie);
	const char *partner[] = {hdr, NULL};
	page("/portal/edit", partner, 403, &r);
	http_res_free(&r);
	/* an API key is no session: editors' pages want a person */
	char auth[160];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", keys[ADMIN]);
	const char *keyed[] = {auth, NULL};
	call("GET", "/portal/edit", keyed, NULL, &r);
	assert_int_equal(r.status, 303);
	http_res_free(&r);

	char admin[256], ahdr[300], csrf[96];
	sign_in("admin", admin, sizeof(admin));
	snprintf(ahdr, sizeof(ahdr), "Cookie: %s", admin);
	const char *ah[] = {ahdr, NULL};
	page("/portal/edit/GB", ah, 200, &r);
	csrf_of(r.body.data, csrf, sizeof(csrf));
	http_res_free(&r);
	const char *post[] = {ahdr, "Content-Type: application/x-www-form-urlencoded", NULL};
	/* without the CSRF token: refused, nothing saved */
	call("POST", "/portal/edit/GB", post, "action=save&notes=forged", &r);
	assert_int_equal(r.status, 403);
	http_res_free(&r);
	cJSON_Delete(send_json("GET", "/v1/portal/drafts/GB", keys[ADMIN], NULL, 404));
	/* a bad line is refused with its pointer, the typed text kept */
	char body[1024];
	snprintf(body, sizeof(body),
		 "csrf=%s&action=save&notes=From+2027&facilitation=&contacts=HMRC+%%7C+not-an-email"
		 "&requirements=&internal_notes=&contact_points=&pending_changes=",
		 csrf);
	call("POST", "/portal/edit/GB", post, body, &r);
	assert_int_equal(r.status, 422);
	assert_non_null(strstr(r.body.data, "/contacts/0/email"));
	assert_non_null(strstr(r.body.data, "HMRC | not-an-email"));
	http_res_free(&r);
	/* saved as a draft, then published from the list */
	snprintf(body, sizeof(body),
		 "csrf=%s&action=save&notes=Low-value+rules+since+2021.&facilitation=VAT+at+sale%%0D%%0A"
		 "&contacts=HMRC+imports+%%7C+%%7C+%%2B44+300+200+3700+%%7C+https%%3A%%2F%%2Fwww.gov.uk%%2F"
		 "&requirements=8507+%%7C+UKCA+marking&internal_notes=Members+only&contact_points="
		 "&pending_changes=2027-04-01+%%7C+New+threshold",
		 csrf);
	call("POST", "/portal/edit/GB", post, body, &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(r.location, "/portal/edit?saved=GB");
	http_res_free(&r);
	cJSON *d = send_json("GET", "/v1/portal/drafts/GB", keys[ADMIN], NULL, 200);
	const cJSON *dd = get(d, "draft");
	assert_string_equal(opt_str(dd, "notes"), "Low-value rules since 2021.");
	assert_string_equal(cJSON_GetArrayItem(get(dd, "facilitation"), 0)->valuestring, "VAT at sale");
	assert_string_equal(opt_str(cJSON_GetArrayItem(get(dd, "contacts"), 0), "phone"), "+44 300 200 3700");
	assert_null(get(cJSON_GetArrayItem(get(dd, "contacts"), 0), "email"));
	assert_string_equal(opt_str(cJSON_GetArrayItem(get(dd, "requirements"), 0), "hs"), "8507");
	assert_string_equal(opt_str(cJSON_GetArrayItem(get(get(dd, "members"), "pending_changes"), 0),
				"date"),
			    "2027-04-01");
	cJSON_Delete(d);
	page("/portal/edit?saved=GB", ah, 200, &r);
	assert_non_null(strstr(r.body.data, "id=\"flash\""));
	assert_non_null(strstr(r.body.data, "id=\"publish\""));
	csrf_of(r.body.data, csrf, sizeof(csrf));
	http_res_free(&r);
	call("POST", "/portal/publish", post, "note=UK&csrf=wrong", &r);
	assert_int_equal(r.status, 403);
	http_res_free(&r);
	snprintf(body, sizeof(body), "csrf=%s&note=UK+texts", csrf);
	call("POST", "/portal/publish", post, body, &r);
	assert_int_equal(r.status, 303);
	assert_non_null(strstr(r.location, "/portal/edit?published="));
	http_res_free(&r);
	cJSON *gb = get_json("/v1/portal/countries/GB", NULL, 200);
	assert_string_equal(opt_str(get(gb, "texts"), "notes"), "Low-value rules since 2021.");
	assert_null(get(get(gb, "texts"), "members"));
	cJSON_Delete(gb);
	/* nothing left: the list says so */
	call("POST", "/portal/publish", post, body, &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(r.location, "/portal/edit?nothing=1");
	http_res_free(&r);
	/* discarding */
	page("/portal/edit/NO", ah, 200, &r);
	http_res_free(&r);
	snprintf(body, sizeof(body), "csrf=%s&action=discard", csrf);
	call("POST", "/portal/edit/NO", post, body, &r);
	assert_int_equal(r.status, 303);
	assert_string_equal(r.location, "/portal/edit?discarded=NO");
	http_res_free(&r);
	page("/portal/edit/XX", ah, 404, &r);
	http_res_free(&r);
}

/* ---- limits, roles -------------------------------------------------------------------- */

/* A second server on the same store, with its own limits. */
static mlv_server *start(unsigned public_rate, unsigned failures, char *url, size_t n)
{
	mlv_server_opts o = MLV_SERVER_OPTS_INIT;
	o.port = 0;
	o.threads = 1;
	o.db_path = db;
	o.rd = rd;
	o.profiles = profiles;
	o.synchronous_full = false;
	o.public_rate = public_rate;
	o.auth_max_failures = failures;
	o.validate.goods = risk_goods;
	mlv_server *srv = NULL;
	assert_int_equal(harness_start(&srv, &o, url, n), 0);
	return srv;
}

static void test_public_rate(void **state)
{
	(void)state;
	char url[64];
	mlv_server *srv = start(5, 10, url, sizeof(url));
	/* a burst of two seconds' worth, then 429 with Retry-After */
	long st = 200;
	int ok = 0;
	res r;
	for (int i = 0; i < 40 && st == 200; i++) {
		call_at(url, "GET", i % 2 ? "/v1/portal/search?q=tea" : "/portal", NULL, NULL, &r);
		st = r.status;
		ok += st == 200;
		if (st == 429) {
			assert_true(atoi(r.retry_after) >= 1);
			if (i % 2 == 0)
				assert_non_null(strstr(r.content_type, "text/html"));
		}
		http_res_free(&r);
	}
	assert_int_equal(st, 429);
	assert_true(ok >= 9 && ok <= 12);
	/* a key is limited by its own rate, not by the address */
	char auth[160];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", keys[FILER]);
	const char *h[] = {auth, NULL};
	call_at(url, "GET", "/v1/portal", h, NULL, &r);
	assert_int_equal(r.status, 200);
	http_res_free(&r);
	/* static files are not counted */
	call_at(url, "GET", "/static/portal.css", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	http_res_free(&r);
	mlv_server_stop(srv);
}

/* Every portal endpoint x every role (and none, and a wrong key): the
 * public ones answer everyone, the editors' ones only supervisors and
 * admins, and nobody outside the members sees a members' field. */
static void test_authorization_matrix(void **state)
{
	(void)state;
	struct ep {
		const char *method, *path, *body;
		bool editors;
		long ok;
	} eps[] = {
		{"GET", "/v1/portal", NULL, false, 200},
		{"GET", "/v1/portal/countries/FR", NULL, false, 200},
		{"GET", "/v1/portal/search?q=coffee", NULL, false, 200},
		{"GET", "/v1/portal/codes/090121?to=FR", NULL, false, 200},
		{"GET", "/v1/portal/compare", NULL, false, 200},
		{"GET", "/v1/portal/compare.csv", NULL, false, 200},
		{"GET", "/v1/portal/versions", NULL, false, 200},
		{"GET", "/v1/portal/changes?from=0", NULL, false, 200},
		{"GET", "/v1/portal/drafts", NULL, true, 200},
		{"PUT", "/v1/portal/drafts/IT", "{\"notes\":\"matrix\"}", true, 200},
		{"GET", "/v1/portal/drafts/IT", NULL, true, 200},
		{"DELETE", "/v1/portal/drafts/IT", NULL, true, 204},
		{"POST", "/v1/portal/publish", "{\"countries\":[\"IT\"]}", true, 404},
	};
	/* its own server: the unauthenticated calls count as failures, and
	 * ten from one address would lock the address out */
	char url[64];
	mlv_server *srv = start(0, 100000, url, sizeof(url));
	size_t requests = 0;
	for (int who = -2; who < NROLES; who++) {
		for (size_t e = 0; e < MLV_ARRAY_LEN(eps); e++) {
			char auth[160];
			const char *h[3] = {NULL, NULL, NULL};
			size_t k = 0;
			if (who == -1)
				h[k++] = "Authorization: Bearer mlv_wrong-key-0000000000000000000";
			if (who >= 0) {
				snprintf(auth, sizeof(auth), "Authorization: Bearer %s", keys[who]);
				h[k++] = auth;
			}
			if (eps[e].body != NULL)
				h[k++] = "Content-Type: application/json";
			res r;
			call_at(url, eps[e].method, eps[e].path, h, eps[e].body, &r);
			requests++;
			bool editor = who == SUPERVISOR || who == ADMIN;
			long want = who == -1	     ? 401
				    : !eps[e].editors ? eps[e].ok
				    : who == -2       ? 401
				    : editor	     ? eps[e].ok
						     : 403;
			if (r.status != want)
				fail_msg("%s %s as %s -> %ld (want %ld): %.200s", eps[e].method,
					 eps[e].path,
					 who >= 0 ? roles[who] : who == -1 ? "wrong key" : "nobody",
					 r.status, want, r.body.data ? r.body.data : "");
			bool member = who == PARTNER || who == OFFICER || editor;
			if (!member && r.body.data != NULL)
				no_members_fields(r.body.data, eps[e].path);
			http_res_free(&r);
		}
	}
	print_message("portal authorization matrix: %zu requests\n", requests);
	mlv_server_stop(srv);
}

/* Pages answer quickly from the local server (docs/portal.md has the
 * figures of an optimised build): a loose bound here, under sanitizers. */
static void test_speed(void **state)
{
	(void)state;
	static const char *const paths[] = {
		"/portal", "/portal/search?q=lithium+batteries", "/portal/countries/FR",
		"/portal/codes/850760?to=FR", "/portal/compare", "/portal/calculator?to=GB&hs_1=610910&price_1=100",
		"/v1/portal/compare",
	};
	for (size_t i = 0; i < MLV_ARRAY_LEN(paths); i++) {
		struct timespec a, b;
		res r;
		clock_gettime(CLOCK_MONOTONIC, &a);
		call("GET", paths[i], NULL, NULL, &r);
		clock_gettime(CLOCK_MONOTONIC, &b);
		assert_int_equal(r.status, 200);
		http_res_free(&r);
		double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
		print_message("%-45s %7.2f ms\n", paths[i], ms);
		assert_true(ms < 1000);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_country),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_drafts_validation),
		cmocka_unit_test(test_publish_and_members),
		cmocka_unit_test(test_pages_and_languages),
		cmocka_unit_test(test_calculator_form),
		cmocka_unit_test(test_members_in_pages),
		cmocka_unit_test(test_edit_pages),
		cmocka_unit_test(test_public_rate),
		cmocka_unit_test(test_authorization_matrix),
		cmocka_unit_test(test_speed),
	};
	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
