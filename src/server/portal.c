/* portal.c - the rules portal's state, request context, models and JSON
 * endpoints (portal.h, docs/portal.md).
 *
 * State built once at start and then read-only, shared by every HTTP
 * thread: the HS search index, and each country profile's rules (its own
 * and its union's, every date) as a cJSON tree, which the models filter by
 * day and group.  Per request: a pctx (caller, language), a model (cJSON,
 * freed when answered), and reads of the store for published texts. */
#include "portal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlv/codec.h"
#include "mlv/decimal.h"
#include "mlv/risk.h"
#include "problem.h"
#include "web.h"

#define LANG_COOKIE "mlv_lang"
#define SEARCH_DEFAULT 20

struct mlv_portal {
	const mlv_refdata *rd;
	const mlv_profiles *ps;
	mlv_hs_index *hs;
	size_t n;
	const mlv_profile **prof; /* the country profiles, by code */
	cJSON **rules;		  /* each one's mlv_profile_write_json(MLV_DAY_MIN) */
};

int mlv_portal_new(mlv_portal **out, const mlv_refdata *rd, const mlv_profiles *ps)
{
	*out = NULL;
	if (rd == NULL || ps == NULL)
		return 0;
	mlv_portal *p = calloc(1, sizeof(*p));
	mlv_buf b = MLV_BUF_INIT(16u << 20);
	int rc = MLV_ENOMEM;
	if (p == NULL)
		return MLV_ENOMEM;
	p->rd = rd;
	p->ps = ps;
	if ((rc = mlv_hs_index_build(&p->hs, rd)) != 0)
		goto fail;
	rc = MLV_ENOMEM;
	p->n = mlv_profiles_count(ps);
	p->prof = calloc(p->n + 1, sizeof(*p->prof));
	p->rules = calloc(p->n + 1, sizeof(*p->rules));
	if (p->prof == NULL || p->rules == NULL)
		goto fail;
	for (size_t i = 0; i < p->n; i++) {
		p->prof[i] = mlv_profiles_at(ps, i);
		mlv_buf_reset(&b);
		if ((rc = mlv_profile_write_json(&b, p->prof[i], MLV_DAY_MIN)) != 0)
			goto fail;
		rc = MLV_ENOMEM;
		if ((p->rules[i] = cJSON_ParseWithLength(b.data, b.len)) == NULL)
			goto fail;
	}
	mlv_buf_free(&b);
	*out = p;
	return 0;
fail:
	mlv_buf_free(&b);
	mlv_portal_free(p);
	return rc;
}

void mlv_portal_free(mlv_portal *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; p->rules != NULL && i < p->n; i++)
		cJSON_Delete(p->rules[i]);
	free(p->rules);
	free(p->prof);
	mlv_hs_index_free(p->hs);
	free(p);
}

const mlv_portal *portal_state(const mlv_server *s)
{
	return s->portal;
}

const mlv_hs_index *portal_hs(const mlv_portal *p)
{
	return p->hs;
}

const mlv_profiles *portal_profiles(const mlv_portal *p)
{
	return p->ps;
}

const mlv_refdata *portal_refdata(const mlv_portal *p)
{
	return p->rd;
}

const mlv_risk_goods *portal_goods(const pctx *c)
{
	return c->s->opts.validate.goods;
}

static const cJSON *rules_of(const mlv_portal *p, const mlv_profile *prof)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->prof[i] == prof)
			return p->rules[i];
	return NULL;
}

/* ---- the request context ------------------------------------------------------------ */

/* The best of en, fr, es in an Accept-Language header, English when none
 * is acceptable. */
static portal_lang accept_language(const char *h)
{
	portal_lang best = LANG_EN;
	int best_q = 0;
	if (h == NULL)
		return best;
	for (size_t guard = 0; *h && guard < 32; guard++) {
		while (*h == ' ' || *h == ',')
			h++;
		size_t n = strcspn(h, ",");
		char tag[3] = "";
		if (n >= 2 && isalpha((unsigned char)h[0]) && isalpha((unsigned char)h[1]) &&
		    (n == 2 || h[2] == '-' || h[2] == ';' || h[2] == ' ')) {
			tag[0] = (char)tolower((unsigned char)h[0]);
			tag[1] = (char)tolower((unsigned char)h[1]);
		}
		int q = 1000;
		const char *qp = memchr(h, ';', n);
		if (qp != NULL) {
			const char *e = strstr(qp, "q=");
			if (e != NULL && e < h + n) {
				e += 2;
				q = 0;
				int digits = 0, seen_dot = 0;
				for (; e < h + n && digits < 4; e++) {
					if (*e == '.') {
						seen_dot = 1;
						continue;
					}
					if (*e < '0' || *e > '9')
						break;
					if (seen_dot)
						digits++;
					q = q * 10 + (*e - '0');
				}
				for (; digits < 3; digits++)
					q *= 10;
			}
		}
		int l = tag[0] ? portal_lang_parse(tag) : -1;
		if (l >= 0 && q > best_q) {
			best = (portal_lang)l;
			best_q = q;
		}
		h += n;
	}
	return best;
}

bool portal_begin(pctx *c, mlv_server *s, mlv_req *req, mlv_resp *resp, bool page)
{
	memset(c, 0, sizeof(*c));
	c->s = s;
	c->p = s->portal;
	c->req = req;
	c->resp = resp;
	c->today = (int32_t)(mlv_now_ms() / 86400000);
	const char *q = mlv_req_query(req, "lang");
	int l = q != NULL ? portal_lang_parse(q) : -1;
	char v[8];
	if (l >= 0) {
		/* the switch: remembered for the next pages */
		snprintf(resp->set_cookie[1], sizeof(resp->set_cookie[1]),
			 LANG_COOKIE "=%s; Path=/; SameSite=Lax; Max-Age=31536000",
			 portal_lang_code((portal_lang)l));
	} else if (mlv_web_cookie(mlv_req_header(req, "Cookie"), LANG_COOKIE, v, sizeof(v))) {
		l = portal_lang_parse(v);
	}
	c->lang = l >= 0 ? (portal_lang)l : accept_language(mlv_req_header(req, "Accept-Language"));

	if (mlv_req_header(req, "Authorization") != NULL) {
		if (!api_authenticate(s, req, resp, &c->a))
			return false;
		c->signed_in = true;
	} else if (api_session(s, req, &c->a)) {
		c->signed_in = true;
	}
	if (c->signed_in) {
		c->member = (c->a.role_bit &
			     (ROLE_PARTNER | ROLE_OFFICER | ROLE_SUPERVISOR | ROLE_ADMIN)) != 0;
		c->editor = (c->a.role_bit & (ROLE_SUPERVISOR | ROLE_ADMIN)) != 0;
	} else {
		char addr[64];
		mlv_req_client_addr(req, addr, sizeof(addr));
		int wait = mlv_auth_rate_public(s->auth, addr, mlv_now_ms());
		if (wait > 0) {
			if (page) {
				resp->retry_after = wait;
				portal_error_page(c, 429, portal_t(c, M_TOO_MANY));
			} else {
				api_too_many(resp, wait,
					     "too many requests from this address; retry after the delay");
			}
			return false;
		}
	}
	if (c->p == NULL) {
		if (page)
			portal_error_page(c, 404, portal_t(c, M_NOT_FOUND));
		else
			mlv_http_problem(resp, 404, "not-found", NULL,
					 "this instance has no rules portal (no country profiles)",
					 NULL);
		return false;
	}
	return true;
}

const char *portal_t(const pctx *c, portal_msg id)
{
	return portal_text(c->lang, id);
}

/* ---- small helpers ------------------------------------------------------------------ */

bool portal_day(pctx *c, int32_t *day, bool page)
{
	const char *d = mlv_req_query(c->req, "date");
	*day = c->today;
	if (d == NULL || d[0] == '\0')
		return true;
	if (strlen(d) != 10 || !mlv_date_parse(d, 10, day)) {
		if (page)
			portal_error_page(c, 400, portal_t(c, M_BAD_DATE));
		else
			api_bad_param(c->resp, "date", "must be a date YYYY-MM-DD");
		return false;
	}
	return true;
}

bool portal_code_parse(const char *s, char out[11])
{
	size_t n = 0;
	for (size_t i = 0; s[i] != '\0'; i++) {
		if (s[i] == '.' || s[i] == ' ')
			continue;
		if (s[i] < '0' || s[i] > '9' || n >= 10)
			return false;
		out[n++] = s[i];
	}
	out[n] = '\0';
	return n == 2 || n == 4 || (n >= 6 && n <= 10);
}

void portal_code_format(const char *code, char *out, size_t size)
{
	size_t n = strlen(code);
	if (n <= 4) {
		snprintf(out, size, "%s", code);
		return;
	}
	int w = snprintf(out, size, "%.4s.%.2s", code, code + 4);
	for (size_t i = 6; i < n && w > 0 && (size_t)w < size; i += 2)
		w += snprintf(out + w, size - (size_t)w, ".%.2s", code + i);
}

const mlv_profile *portal_destination(const pctx *c, const char *code)
{
	if (code == NULL || strlen(code) != 2)
		return NULL;
	const mlv_profile *p = mlv_profiles_get(c->p->ps, code);
	return p != NULL && !mlv_profile_is_union(p) ? p : NULL;
}

const char *portal_name(const pctx *c, const char *code)
{
	const char *n = portal_country_name(c->lang, code);
	if (n != NULL)
		return n;
	const mlv_profile *p = mlv_profiles_get(c->p->ps, code);
	if (p != NULL)
		return mlv_profile_name(p);
	n = mlv_country_name(c->p->rd, code);
	return n != NULL ? n : code;
}

bool portal_country_known(const mlv_server *s, const char *code)
{
	return s->portal != NULL && code != NULL && strlen(code) == 2 &&
	       mlv_profiles_get(s->portal->ps, code) != NULL;
}

/* ---- building models ---------------------------------------------------------------- */

static cJSON *put(pctx *c, cJSON *obj, const char *key, cJSON *item)
{
	if (item == NULL || obj == NULL || !cJSON_AddItemToObject(obj, key, item)) {
		cJSON_Delete(item);
		c->rc = MLV_ENOMEM;
		return NULL;
	}
	return item;
}

static void put_str(pctx *c, cJSON *obj, const char *key, const char *v)
{
	put(c, obj, key, v != NULL ? cJSON_CreateString(v) : cJSON_CreateNull());
}

static void put_int(pctx *c, cJSON *obj, const char *key, int64_t v)
{
	put(c, obj, key, cJSON_CreateNumber((double)v));
}

static void put_bool(pctx *c, cJSON *obj, const char *key, bool v)
{
	put(c, obj, key, cJSON_CreateBool(v));
}

static void push(pctx *c, cJSON *arr, cJSON *item)
{
	if (item == NULL || arr == NULL || !cJSON_AddItemToArray(arr, item)) {
		cJSON_Delete(item);
		c->rc = MLV_ENOMEM;
	}
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool has_word(const cJSON *o, const char *key, const char *word)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key), *e;
	cJSON_ArrayForEach(e, a)
		if (cJSON_IsString(e) && strcmp(e->valuestring, word) == 0)
			return true;
	return false;
}

static bool in_force(const cJSON *rule, int32_t day)
{
	int32_t from, to;
	const char *f = jstr(rule, "valid_from"), *t = jstr(rule, "valid_to");
	if (f != NULL && mlv_date_parse(f, strlen(f), &from) && day < from)
		return false;
	if (t != NULL && mlv_date_parse(t, strlen(t), &to) && day >= to)
		return false;
	return true;
}

static const char *kind_of(const cJSON *rule)
{
	const char *k = jstr(rule, "kind");
	return k != NULL ? k : "";
}

/* The groups a rule goes to on a country page. */
typedef struct groups {
	cJSON *duty_thresholds, *tax_thresholds, *declaration_thresholds, *schemes, *other,
		*tax_rates, *duty_rules, *fees, *excise, *facilitation;
} groups;

static void group_rule(pctx *c, groups *g, const cJSON *r, bool full)
{
	const char *k = kind_of(r);
	bool relief = strcmp(k, "relief") == 0;
	if (relief && has_word(r, "applies", "duty"))
		push(c, g->duty_thresholds, cJSON_Duplicate(r, true));
	if (relief && has_word(r, "applies", "tax"))
		push(c, g->tax_thresholds, cJSON_Duplicate(r, true));
	if (strcmp(k, "declaration") == 0)
		push(c, g->declaration_thresholds, cJSON_Duplicate(r, true));
	if (strcmp(k, "scheme") == 0 || strcmp(k, "collection") == 0)
		push(c, g->schemes, cJSON_Duplicate(r, true));
	if (strcmp(k, "flat_duty") == 0 || strcmp(k, "tiered") == 0 || strcmp(k, "waiver") == 0 ||
	    strcmp(k, "cbec") == 0 || strcmp(k, "notice") == 0)
		push(c, g->other, cJSON_Duplicate(r, true));
	if (!full)
		return;
	if (strcmp(k, "tax") == 0)
		push(c, g->tax_rates, cJSON_Duplicate(r, true));
	if (strcmp(k, "tariff") == 0 || strcmp(k, "duty") == 0 || strcmp(k, "valuation") == 0 ||
	    strcmp(k, "rounding") == 0 || strcmp(k, "currency") == 0 || strcmp(k, "peg") == 0)
		push(c, g->duty_rules, cJSON_Duplicate(r, true));
	if (strcmp(k, "fee") == 0)
		push(c, g->fees, cJSON_Duplicate(r, true));
	if (strcmp(k, "excise") == 0)
		push(c, g->excise, cJSON_Duplicate(r, true));
	/* what eases the passage of low-value goods (FoS Standards 7, 8, 9) */
	if (relief || strcmp(k, "declaration") == 0 || strcmp(k, "scheme") == 0 ||
	    strcmp(k, "waiver") == 0 || strcmp(k, "flat_duty") == 0 || strcmp(k, "cbec") == 0) {
		cJSON *ref = cJSON_CreateObject();
		put_str(c, ref, "id", jstr(r, "id"));
		put_str(c, ref, "kind", k);
		push(c, g->facilitation, ref);
	}
}

/* The standard tax rate on day: a tax rule for every code and region. */
static const char *standard_rate(const cJSON *rules, int32_t day)
{
	const cJSON *r;
	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(rules, "rules"))
	{
		if (strcmp(kind_of(r), "tax") == 0 && in_force(r, day) &&
		    cJSON_GetObjectItemCaseSensitive(r, "hs") == NULL &&
		    cJSON_GetObjectItemCaseSensitive(r, "region") == NULL)
			return jstr(r, "rate");
	}
	return NULL;
}

static void put_head(pctx *c, cJSON *o, const mlv_profile *prof, int32_t day)
{
	const cJSON *rules = rules_of(c->p, prof);
	char d[11];
	mlv_date_format(day, d);
	put_str(c, o, "country", mlv_profile_code(prof));
	put_str(c, o, "name", mlv_profile_name(prof));
	const mlv_profile *u = mlv_profile_union(prof);
	put_str(c, o, "union", u != NULL ? mlv_profile_code(u) : NULL);
	put_str(c, o, "date", d);
	put_str(c, o, "currency", mlv_profile_currency(prof, day));
	const char *tn = mlv_profile_tax_name(prof);
	put_str(c, o, "tax_name", tn[0] ? tn : NULL);
	put_str(c, o, "standard_tax_rate", standard_rate(rules, day));
}

cJSON *portal_summary(pctx *c, const mlv_profile *prof, int32_t day)
{
	cJSON *o = cJSON_CreateObject();
	put_head(c, o, prof, day);
	groups g = {0};
	g.duty_thresholds = put(c, o, "duty_thresholds", cJSON_CreateArray());
	g.tax_thresholds = put(c, o, "tax_thresholds", cJSON_CreateArray());
	g.declaration_thresholds = put(c, o, "declaration_thresholds", cJSON_CreateArray());
	g.schemes = put(c, o, "schemes", cJSON_CreateArray());
	g.other = put(c, o, "other", cJSON_CreateArray());
	const cJSON *r;
	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(rules_of(c->p, prof), "rules"))
		if (in_force(r, day))
			group_rule(c, &g, r, false);
	char self[48];
	snprintf(self, sizeof(self), "/v1/portal/countries/%s", mlv_profile_code(prof));
	cJSON *links = put(c, o, "links", cJSON_CreateObject());
	put_str(c, links, "self", self);
	snprintf(self, sizeof(self), "/portal/countries/%s", mlv_profile_code(prof));
	put_str(c, links, "page", self);
	return o;
}

cJSON *portal_texts_load(pctx *c, const char *country, int64_t version, int64_t *set_in)
{
	mlv_buf b = MLV_BUF_INIT(MLV_PORTAL_TEXT_MAX + 1);
	mlv_store *st = api_reader_acquire(c->s);
	int rc = mlv_store_portal_text(st, country, version, &b, set_in);
	api_reader_release(c->s, st);
	cJSON *doc = NULL;
	if (rc == 0 && (doc = cJSON_ParseWithLength(b.data, b.len)) == NULL)
		rc = MLV_ENOMEM;
	if (rc != 0 && rc != MLV_ENOTFOUND)
		c->rc = rc;
	mlv_buf_free(&b);
	return doc;
}

/* The published texts of `code` under key, in the view the caller may see. */
static void put_texts(pctx *c, cJSON *o, const char *key, const char *code)
{
	int64_t set_in = 0;
	cJSON *doc = portal_texts_load(c, code, 0, &set_in);
	if (doc == NULL) {
		put(c, o, key, cJSON_CreateNull());
		return;
	}
	cJSON *view = put(c, o, key, portal_doc_view(doc, c->member));
	put_int(c, view, "version", set_in);
	cJSON_Delete(doc);
}

cJSON *portal_model_country(pctx *c, const mlv_profile *prof, int32_t day)
{
	const cJSON *rules = rules_of(c->p, prof);
	cJSON *o = cJSON_CreateObject();
	put_head(c, o, prof, day);
	const mlv_profile *u = mlv_profile_union(prof);
	put_str(c, o, "union_name", u != NULL ? mlv_profile_name(u) : NULL);
	put_str(c, o, "valuation", jstr(rules, "valuation"));
	put(c, o, "sources", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(rules, "sources"), true));
	put_str(c, o, "note", jstr(rules, "note"));
	groups g = {0};
	g.duty_thresholds = put(c, o, "duty_thresholds", cJSON_CreateArray());
	g.tax_thresholds = put(c, o, "tax_thresholds", cJSON_CreateArray());
	g.declaration_thresholds = put(c, o, "declaration_thresholds", cJSON_CreateArray());
	g.schemes = put(c, o, "schemes", cJSON_CreateArray());
	g.other = put(c, o, "other", cJSON_CreateArray());
	g.tax_rates = put(c, o, "tax_rates", cJSON_CreateArray());
	g.duty_rules = put(c, o, "duty_rules", cJSON_CreateArray());
	g.fees = put(c, o, "fees", cJSON_CreateArray());
	g.excise = put(c, o, "excise", cJSON_CreateArray());
	g.facilitation = put(c, o, "facilitation", cJSON_CreateArray());
	cJSON *later = cJSON_CreateArray(), *earlier = cJSON_CreateArray();
	const cJSON *r;
	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(rules, "rules"))
	{
		if (in_force(r, day)) {
			group_rule(c, &g, r, true);
			continue;
		}
		const char *f = jstr(r, "valid_from");
		int32_t from;
		bool future = f != NULL && mlv_date_parse(f, strlen(f), &from) && from > day;
		push(c, future ? later : earlier, cJSON_Duplicate(r, true));
	}
	put(c, o, "later_rules", later);
	put(c, o, "earlier_rules", earlier);
	put_texts(c, o, "texts", mlv_profile_code(prof));
	if (u != NULL)
		put_texts(c, o, "union_texts", mlv_profile_code(u));
	put_bool(c, o, "members_view", c->member);
	char link[64];
	cJSON *links = put(c, o, "links", cJSON_CreateObject());
	snprintf(link, sizeof(link), "/v1/portal/countries/%s", mlv_profile_code(prof));
	put_str(c, links, "self", link);
	snprintf(link, sizeof(link), "/portal/countries/%s", mlv_profile_code(prof));
	put_str(c, links, "page", link);
	return o;
}

cJSON *portal_model_compare(pctx *c, int32_t day)
{
	cJSON *o = cJSON_CreateObject();
	char d[11];
	mlv_date_format(day, d);
	put_str(c, o, "date", d);
	cJSON *rows = put(c, o, "countries", cJSON_CreateArray());
	for (size_t i = 0; i < c->p->n; i++)
		push(c, rows, portal_summary(c, c->p->prof[i], day));
	cJSON *links = put(c, o, "links", cJSON_CreateObject());
	put_str(c, links, "csv", "/v1/portal/compare.csv");
	put_str(c, links, "page", "/portal/compare");
	return o;
}

/* ---- the comparison as CSV (RFC 4180) ----------------------------------------------- */

static int csv_field(mlv_buf *b, const char *s, bool last)
{
	int rc = 0;
	if (s == NULL)
		s = "";
	/* a leading = + - @ would be a formula in a spreadsheet */
	bool formula = s[0] != '\0' && strchr("=+-@", s[0]) != NULL;
	bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
	if (quote) {
		rc = mlv_buf_addc(b, '"');
		if (rc == 0 && formula)
			rc = mlv_buf_addc(b, '\'');
		for (const char *p = s; rc == 0 && *p; p++)
			rc = *p == '"' ? mlv_buf_adds(b, "\"\"") : mlv_buf_addc(b, *p);
		if (rc == 0)
			rc = mlv_buf_addc(b, '"');
	} else {
		rc = mlv_buf_adds(b, s);
	}
	return rc != 0 ? rc : mlv_buf_adds(b, last ? "\r\n" : ",");
}

/* Every threshold of an array: "150.00 EUR" joined by " / ", and the
 * dates and rules alike. */
static void join_thresholds(const cJSON *arr, const char *money_key, char *amounts, char *since,
			    char *rules, size_t size)
{
	size_t a = 0, s = 0, r = 0;
	const cJSON *e;
	amounts[0] = since[0] = rules[0] = '\0';
	cJSON_ArrayForEach(e, arr)
	{
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, money_key);
		const char *sep = a ? " / " : "";
		if (a < size)
			a += (size_t)snprintf(amounts + a, size - a, "%s%s %s%s", sep,
					      jstr(m, "amount") ? jstr(m, "amount") : "",
					      jstr(m, "currency") ? jstr(m, "currency") : "",
					      cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "at_sale"))
						      ? " (at sale)"
						      : "");
		if (s < size)
			s += (size_t)snprintf(since + s, size - s, "%s%s", sep,
					      jstr(e, "valid_from") ? jstr(e, "valid_from") : "");
		if (r < size)
			r += (size_t)snprintf(rules + r, size - r, "%s%s", sep,
					      jstr(e, "id") ? jstr(e, "id") : "");
	}
}

int portal_compare_csv(mlv_buf *b, const cJSON *model)
{
	static const char *const head[] = {
		"country", "name", "union", "currency", "tax_name", "standard_tax_rate",
		"duty_threshold", "duty_threshold_since", "duty_threshold_rule", "tax_threshold",
		"tax_threshold_since", "tax_threshold_rule", "declaration_threshold",
		"declaration_below", "declaration_above", "schemes", "other_measures", "date"};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < MLV_ARRAY_LEN(head); i++)
		rc = csv_field(b, head[i], i + 1 == MLV_ARRAY_LEN(head));
	const cJSON *row;
	const char *date = jstr(model, "date");
	cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(model, "countries"))
	{
		char amounts[256], since[256], rules[256], tax_a[256], tax_s[256], tax_r[256],
			decl[256], dsince[256], drules[256], schemes[512] = "", other[512] = "",
			below[128] = "", above[128] = "";
		join_thresholds(cJSON_GetObjectItemCaseSensitive(row, "duty_thresholds"), "threshold",
				amounts, since, rules, sizeof(amounts));
		join_thresholds(cJSON_GetObjectItemCaseSensitive(row, "tax_thresholds"), "threshold",
				tax_a, tax_s, tax_r, sizeof(tax_a));
		const cJSON *dt = cJSON_GetObjectItemCaseSensitive(row, "declaration_thresholds");
		join_thresholds(dt, "threshold", decl, dsince, drules, sizeof(decl));
		const cJSON *first = cJSON_GetArrayItem(dt, 0);
		if (first != NULL) {
			snprintf(below, sizeof(below), "%s", jstr(first, "below") ? jstr(first, "below") : "");
			snprintf(above, sizeof(above), "%s", jstr(first, "above") ? jstr(first, "above") : "");
		}
		size_t n = 0;
		const cJSON *e;
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(row, "schemes"))
			if (n < sizeof(schemes))
				n += (size_t)snprintf(schemes + n, sizeof(schemes) - n, "%s%s",
						      n ? " / " : "",
						      jstr(e, "name") ? jstr(e, "name") : jstr(e, "id"));
		n = 0;
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(row, "other"))
			if (n < sizeof(other))
				n += (size_t)snprintf(other + n, sizeof(other) - n, "%s%s (%s)",
						      n ? " / " : "",
						      jstr(e, "name") ? jstr(e, "name") : jstr(e, "id"),
						      kind_of(e));
		const char *cells[] = {jstr(row, "country"),  jstr(row, "name"),
				       jstr(row, "union"),    jstr(row, "currency"),
				       jstr(row, "tax_name"), jstr(row, "standard_tax_rate"),
				       amounts,		      since,
				       rules,		      tax_a,
				       tax_s,		      tax_r,
				       decl,		      below,
				       above,		      schemes,
				       other,		      date};
		for (size_t i = 0; rc == 0 && i < MLV_ARRAY_LEN(cells); i++)
			rc = csv_field(b, cells[i], i + 1 == MLV_ARRAY_LEN(cells));
	}
	return rc;
}

/* ---- codes -------------------------------------------------------------------------- */

static cJSON *hit_json(pctx *c, const mlv_hs_hit *h)
{
	cJSON *o = cJSON_CreateObject();
	char disp[16], link[48];
	portal_code_format(h->code, disp, sizeof(disp));
	put_str(c, o, "code", h->code);
	put_str(c, o, "display", disp);
	put_int(c, o, "level", h->level);
	put_str(c, o, "description", h->description);
	snprintf(link, sizeof(link), "/v1/portal/codes/%s", h->code);
	cJSON *links = put(c, o, "links", cJSON_CreateObject());
	put_str(c, links, "self", link);
	snprintf(link, sizeof(link), "/portal/codes/%s", h->code);
	put_str(c, links, "page", link);
	return o;
}

typedef struct restr_ctx {
	pctx *c;
	cJSON *arr;
} restr_ctx;

static int on_entry(void *ctx, const mlv_risk_goods_entry *e, mlv_risk_goods_match how,
		    const char *word)
{
	restr_ctx *x = ctx;
	pctx *c = x->c;
	cJSON *o = cJSON_CreateObject();
	put_str(c, o, "id", e->id);
	put_str(c, o, "kind", e->kind == MLV_RISK_HIT_PROHIBITED ? "prohibited" : "restricted");
	put_str(c, o, "list", e->list);
	put_str(c, o, "list_name", e->list_name);
	put_str(c, o, "agency", e->agency);
	put_str(c, o, "permit", e->permit);
	cJSON *basis = put(c, o, "basis", cJSON_CreateArray());
	for (const char *p = e->basis; p != NULL && *p;) {
		const char *end = strstr(p, "; ");
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
		char part[512];
		snprintf(part, sizeof(part), "%.*s", (int)(n < sizeof(part) - 1 ? n : sizeof(part) - 1), p);
		push(c, basis, cJSON_CreateString(part));
		p = end != NULL ? end + 2 : p + n;
	}
	put_str(c, o, "match", how == MLV_RISK_MATCH_HS ? "hs" : how == MLV_RISK_MATCH_WITHIN ? "within" : "words");
	put_str(c, o, "word", word);
	cJSON *cond = put(c, o, "conditions", cJSON_CreateObject());
	cJSON *hs = put(c, cond, "hs", cJSON_CreateArray());
	for (size_t i = 0; i < e->hs_count; i++)
		push(c, hs, cJSON_CreateString(e->hs[i]));
	cJSON *words = put(c, cond, "words", cJSON_CreateArray());
	for (size_t i = 0; i < e->word_count; i++)
		push(c, words, cJSON_CreateString(e->words[i]));
	cJSON *ch = put(c, cond, "channels", cJSON_CreateArray());
	for (unsigned k = 1; k < 32; k++)
		if (e->channels & (1u << k))
			push(c, ch, cJSON_CreateString(mlv_channel_name(k)));
	put_bool(c, cond, "other", e->other_criteria);
	push(c, x->arr, o);
	return c->rc;
}

cJSON *portal_restrictions(pctx *c, const char *hs, const char *dest)
{
	cJSON *arr = cJSON_CreateArray();
	const mlv_risk_goods *g = portal_goods(c);
	if (g == NULL || arr == NULL)
		return arr;
	size_t n = strlen(hs);
	char six[7];
	snprintf(six, sizeof(six), "%.6s", hs);
	const char *desc = mlv_hs_description(c->p->rd, six, n >= 6 ? 6 : n);
	restr_ctx x = {c, arr};
	int rc = mlv_risk_goods_for_code(g, dest, hs, desc, on_entry, &x);
	if (rc != 0 && c->rc == 0)
		c->rc = rc;
	return arr;
}

/* The published product requirements of a destination (and its union)
 * whose HS prefix covers the code or lies under it. */
static void put_requirements(pctx *c, cJSON *o, const char *hs, const mlv_profile *dest)
{
	cJSON *arr = put(c, o, "requirements", cJSON_CreateArray());
	const mlv_profile *u = mlv_profile_union(dest);
	const char *codes[2] = {mlv_profile_code(dest), u != NULL ? mlv_profile_code(u) : NULL};
	size_t hl = strlen(hs);
	for (size_t k = 0; k < 2 && codes[k] != NULL; k++) {
		cJSON *doc = portal_texts_load(c, codes[k], 0, NULL);
		const cJSON *r;
		cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(doc, "requirements"))
		{
			const char *p = jstr(r, "hs");
			size_t pl = p != NULL ? strlen(p) : 0;
			if (p == NULL || memcmp(p, hs, pl < hl ? pl : hl) != 0)
				continue;
			cJSON *e = cJSON_Duplicate(r, true);
			put_str(c, e, "from", codes[k]);
			put_bool(c, e, "within", pl > hl);
			push(c, arr, e);
		}
		cJSON_Delete(doc);
	}
}

static void put_rule_ref(pctx *c, cJSON *o, const char *key, const mlv_rule *r)
{
	if (r == NULL) {
		put(c, o, key, cJSON_CreateNull());
		return;
	}
	cJSON *x = put(c, o, key, cJSON_CreateObject());
	put_str(c, x, "id", r->id);
	put_str(c, x, "basis", r->basis);
	cJSON *src = put(c, x, "sources", cJSON_CreateArray());
	for (size_t i = 0; i < r->source_count; i++)
		push(c, src, cJSON_CreateString(r->sources[i]));
	put_bool(c, x, "verified", r->verified);
	put_str(c, x, "note", r->note);
}

static void put_rate(pctx *c, cJSON *o, const char *key, int32_t ppm)
{
	char num[32];
	mlv_decimal_format(ppm, 4, num, sizeof(num));
	size_t n = strlen(num);
	while (n > 0 && num[n - 1] == '0')
		n--;
	if (n > 0 && num[n - 1] == '.')
		n--;
	num[n] = '\0';
	put_str(c, o, key, num);
}

cJSON *portal_model_code(pctx *c, const char *hs, const mlv_profile *dest, const char *origin,
			 int32_t day)
{
	size_t n = strlen(hs);
	char six[7];
	snprintf(six, sizeof(six), "%.6s", hs);
	mlv_hs_hit self;
	if (mlv_hs_lookup(c->p->hs, six, &self) != 0)
		return NULL;
	cJSON *o = cJSON_CreateObject();
	char disp[20];
	portal_code_format(hs, disp, sizeof(disp));
	put_str(c, o, "code", hs);
	put_str(c, o, "display", disp);
	put_int(c, o, "level", self.level);
	put_str(c, o, "description", self.description);
	put_bool(c, o, "national_line", n > 6);
	cJSON *path = put(c, o, "path", cJSON_CreateArray());
	for (size_t l = 2; l < (size_t)self.level; l += 2) {
		char up[7];
		mlv_hs_hit h;
		snprintf(up, sizeof(up), "%.*s", (int)l, hs);
		if (mlv_hs_lookup(c->p->hs, up, &h) == 0)
			push(c, path, hit_json(c, &h));
	}
	cJSON *kids = put(c, o, "children", cJSON_CreateArray());
	if (self.level < 6) {
		mlv_hs_hit k[128];
		size_t nk = mlv_hs_children(c->p->hs, six, k, MLV_ARRAY_LEN(k));
		for (size_t i = 0; i < nk && i < MLV_ARRAY_LEN(k); i++)
			push(c, kids, hit_json(c, &k[i]));
	}
	char d[11];
	mlv_date_format(day, d);
	put_str(c, o, "date", d);
	put_str(c, o, "origin", origin);
	if (dest == NULL) {
		put(c, o, "destination", cJSON_CreateNull());
		return o;
	}
	put(c, o, "destination", portal_summary(c, dest, day));
	if (n >= 6) {
		mlv_duty_rate dr;
		cJSON *duty = put(c, o, "duty", cJSON_CreateObject());
		if (mlv_profile_duty_rate(dest, day, hs, origin, &dr) == 0) {
			put_bool(c, duty, "computed", dr.computed);
			if (dr.computed)
				put_rate(c, duty, "rate", dr.rate_ppm);
			else
				put(c, duty, "rate", cJSON_CreateNull());
			put_bool(c, duty, "exact", dr.exact);
			put_str(c, duty, "tariff_code", dr.tariff_code[0] ? dr.tariff_code : NULL);
			put_str(c, duty, "specific", dr.specific);
			put_rule_ref(c, duty, "rule", dr.rule);
		} else {
			put_bool(c, duty, "computed", false);
		}
		cJSON *tax = put(c, o, "tax", cJSON_CreateObject());
		const mlv_rule *tr = mlv_profile_tax_rule(dest, day, hs, NULL);
		const char *tn = mlv_profile_tax_name(dest);
		put_str(c, tax, "name", tn[0] ? tn : NULL);
		if (tr != NULL)
			put_rate(c, tax, "rate", tr->rate_ppm);
		else
			put(c, tax, "rate", cJSON_CreateNull());
		put_rule_ref(c, tax, "rule", tr);
		cJSON *ex = put(c, o, "excise", cJSON_CreateArray());
		size_t cur = 0;
		const mlv_rule *r;
		while ((r = mlv_profile_next_rule(dest, MLV_RULE_EXCISE, day, &cur)) != NULL) {
			if (!mlv_hs_in_ranges(hs, r->hs, r->hs_count))
				continue;
			cJSON *e = cJSON_CreateObject();
			put_str(c, e, "name", r->name);
			if (r->has_rate)
				put_rate(c, e, "rate", r->rate_ppm);
			put_bool(c, e, "specific_not_computed", r->specific);
			put_rule_ref(c, e, "rule", r);
			push(c, ex, e);
		}
	}
	put(c, o, "restrictions", portal_restrictions(c, hs, mlv_profile_code(dest)));
	put_requirements(c, o, hs, dest);
	cJSON *links = put(c, o, "links", cJSON_CreateObject());
	char link[96];
	snprintf(link, sizeof(link), "/portal/calculator?to=%s&hs_1=%s", mlv_profile_code(dest), hs);
	put_str(c, links, "calculator", link);
	snprintf(link, sizeof(link), "/portal/countries/%s", mlv_profile_code(dest));
	put_str(c, links, "country", link);
	return o;
}

cJSON *portal_model_search(pctx *c, const char *q, size_t limit, int *status)
{
	*status = 200;
	mlv_hs_hit hits[MLV_HS_RESULTS_MAX];
	mlv_hs_result res;
	int rc = mlv_hs_search(c->p->hs, q, strlen(q), hits, limit, &res);
	if (rc == MLV_ETOOBIG || rc == MLV_EINVALID) {
		*status = 400;
		return NULL;
	}
	if (rc != 0) {
		c->rc = rc;
		return NULL;
	}
	cJSON *o = cJSON_CreateObject();
	put_str(c, o, "query", q);
	put_bool(c, o, "by_code", res.by_code);
	put_bool(c, o, "partial", res.partial);
	put_int(c, o, "total", (int64_t)res.total);
	cJSON *arr = put(c, o, "results", cJSON_CreateArray());
	for (size_t i = 0; i < res.count; i++) {
		cJSON *h = hit_json(c, &hits[i]);
		put_int(c, h, "score", hits[i].score);
		put_int(c, h, "matched", hits[i].matched);
		if (hits[i].level == 6) {
			mlv_hs_hit head;
			char four[5];
			snprintf(four, sizeof(four), "%.4s", hits[i].code);
			if (mlv_hs_lookup(c->p->hs, four, &head) == 0)
				put_str(c, h, "heading", head.description);
		}
		push(c, arr, h);
	}
	return o;
}

/* ---- versions and changes ------------------------------------------------------------- */

typedef struct ver_ctx {
	pctx *c;
	cJSON *arr;
} ver_ctx;

static cJSON *version_json(pctx *c, const mlv_portal_version *v)
{
	cJSON *o = cJSON_CreateObject();
	char when[32];
	api_ms_to_rfc3339(v->published_ms, when);
	put_int(c, o, "version", v->version);
	/* version 0: the shipped profiles, never published */
	put_str(c, o, "published_at", v->version > 0 ? when : NULL);
	put_str(c, o, "note", v->note);
	cJSON *cc = put(c, o, "countries", cJSON_CreateArray());
	for (const char *p = v->countries; *p;) {
		size_t n = strcspn(p, " ");
		char code[8];
		snprintf(code, sizeof(code), "%.*s", (int)(n < 7 ? n : 7), p);
		push(c, cc, cJSON_CreateString(code));
		p += n + (p[n] == ' ');
	}
	put_int(c, o, "country_count", (int64_t)v->ncountries);
	/* who published is known to members, never to the public */
	if (c->member)
		put_str(c, o, "published_by", v->by);
	return o;
}

static int on_version(void *ctx, const mlv_portal_version *v)
{
	ver_ctx *x = ctx;
	push(x->c, x->arr, version_json(x->c, v));
	return x->c->rc;
}

cJSON *portal_model_versions(pctx *c, int limit)
{
	cJSON *o = cJSON_CreateObject();
	int64_t latest = 0, when = 0;
	mlv_store *st = api_reader_acquire(c->s);
	int rc = mlv_store_portal_latest(st, &latest, &when);
	cJSON *arr = put(c, o, "versions", cJSON_CreateArray());
	ver_ctx x = {c, arr};
	if (rc == 0)
		rc = mlv_store_portal_versions(st, limit, on_version, &x);
	api_reader_release(c->s, st);
	if (rc != 0 && c->rc == 0)
		c->rc = rc;
	put_int(c, o, "latest", latest);
	return o;
}

typedef struct chg_ctx {
	pctx *c;
	int64_t from, to;
	cJSON *arr;
} chg_ctx;

static int on_changed(void *ctx, const char *country)
{
	chg_ctx *x = ctx;
	pctx *c = x->c;
	/* country codes only here; the texts are read after the cursor ends */
	push(c, x->arr, cJSON_CreateString(country));
	return c->rc;
}

cJSON *portal_model_changes(pctx *c, int64_t from, int64_t to, int *status)
{
	*status = 200;
	int64_t latest = 0;
	mlv_store *st = api_reader_acquire(c->s);
	int rc = mlv_store_portal_latest(st, &latest, NULL);
	api_reader_release(c->s, st);
	if (rc != 0) {
		c->rc = rc;
		return NULL;
	}
	if (to < 0)
		to = latest;
	if (from < 0)
		from = to > 0 ? to - 1 : 0;
	if (from > to || to > latest) {
		*status = 400;
		return NULL;
	}
	cJSON *codes = cJSON_CreateArray();
	chg_ctx x = {c, from, to, codes};
	st = api_reader_acquire(c->s);
	rc = mlv_store_portal_changed(st, from, to, on_changed, &x);
	mlv_portal_version vf, vt;
	memset(&vf, 0, sizeof(vf));
	memset(&vt, 0, sizeof(vt));
	if (rc == 0 && from > 0)
		rc = mlv_store_portal_version_get(st, from, &vf);
	if (rc == 0 && to > 0)
		rc = mlv_store_portal_version_get(st, to, &vt);
	api_reader_release(c->s, st);
	if (rc != 0) {
		cJSON_Delete(codes);
		c->rc = rc;
		return NULL;
	}
	cJSON *o = cJSON_CreateObject();
	put(c, o, "from", version_json(c, &vf));
	put(c, o, "to", version_json(c, &vt));
	cJSON *arr = put(c, o, "countries", cJSON_CreateArray());
	const cJSON *code;
	cJSON_ArrayForEach(code, codes)
	{
		/* version 0 is the baseline: the shipped profiles, no texts */
		cJSON *before = from > 0 ? portal_texts_load(c, code->valuestring, from, NULL) : NULL;
		cJSON *after = portal_texts_load(c, code->valuestring, to, NULL);
		cJSON *fields = portal_doc_diff(before, after, c->member);
		cJSON_Delete(before);
		cJSON_Delete(after);
		if (cJSON_GetArraySize(fields) == 0) {
			/* only members' fields changed, and the caller is public */
			cJSON_Delete(fields);
			continue;
		}
		cJSON *e = cJSON_CreateObject();
		put_str(c, e, "country", code->valuestring);
		put_str(c, e, "name", portal_name(c, code->valuestring));
		put(c, e, "fields", fields);
		push(c, arr, e);
	}
	cJSON_Delete(codes);
	return o;
}

/* ---- the JSON endpoints ----------------------------------------------------------------- */

/* Prints the model as the answer (200), or the failure. */
static int answer(pctx *c, cJSON *model)
{
	mlv_resp *resp = c->resp;
	if (model == NULL || c->rc != 0) {
		cJSON_Delete(model);
		mlv_http_problem_err(resp, c->rc != 0 ? c->rc : MLV_ENOMEM, NULL);
		return 0;
	}
	char *text = cJSON_PrintUnformatted(model);
	cJSON_Delete(model);
	if (text == NULL) {
		mlv_http_problem_err(resp, MLV_ENOMEM, NULL);
		return 0;
	}
	resp->status = 200;
	resp->content_type = "application/json";
	int rc = mlv_buf_adds(&resp->body, text);
	free(text);
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

int portal_api_index(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	pctx c;
	if (!portal_begin(&c, s, req, resp, false))
		return 0;
	cJSON *o = cJSON_CreateObject();
	int64_t latest = 0, when = 0;
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_portal_latest(st, &latest, &when);
	api_reader_release(s, st);
	if (rc != 0)
		c.rc = rc;
	put_int(&c, o, "version", latest);
	if (latest > 0) {
		char t[32];
		api_ms_to_rfc3339(when, t);
		put_str(&c, o, "published_at", t);
	} else {
		put(&c, o, "published_at", cJSON_CreateNull());
	}
	put_bool(&c, o, "members_view", c.member);
	cJSON *arr = put(&c, o, "countries", cJSON_CreateArray());
	for (size_t i = 0; i < c.p->n; i++) {
		const mlv_profile *p = c.p->prof[i];
		cJSON *e = cJSON_CreateObject();
		char link[48];
		const mlv_profile *u = mlv_profile_union(p);
		put_str(&c, e, "country", mlv_profile_code(p));
		put_str(&c, e, "name", mlv_profile_name(p));
		put_str(&c, e, "currency", mlv_profile_currency(p, c.today));
		put_str(&c, e, "union", u != NULL ? mlv_profile_code(u) : NULL);
		snprintf(link, sizeof(link), "/v1/portal/countries/%s", mlv_profile_code(p));
		put_str(&c, e, "self", link);
		push(&c, arr, e);
	}
	cJSON *links = put(&c, o, "links", cJSON_CreateObject());
	put_str(&c, links, "search", "/v1/portal/search?q={query}");
	put_str(&c, links, "code", "/v1/portal/codes/{code}?to={country}");
	put_str(&c, links, "compare", "/v1/portal/compare");
	put_str(&c, links, "compare_csv", "/v1/portal/compare.csv");
	put_str(&c, links, "versions", "/v1/portal/versions");
	put_str(&c, links, "changes", "/v1/portal/changes?from={version}&to={version}");
	put_str(&c, links, "quote", "/v1/quote");
	put_str(&c, links, "pages", "/portal");
	return answer(&c, o);
}

int portal_api_country(mlv_server *s, mlv_req *req, mlv_resp *resp, const char *code)
{
	pctx c;
	int32_t day;
	if (!portal_begin(&c, s, req, resp, false) || !portal_day(&c, &day, false))
		return 0;
	const mlv_profile *p = portal_destination(&c, code);
	if (p == NULL) {
		mlv_http_problem(resp, 404, "not-found", NULL,
				 "no country profile of that code (GET /v1/portal lists them)", NULL);
		return 0;
	}
	return answer(&c, portal_model_country(&c, p, day));
}

int portal_api_search(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	pctx c;
	if (!portal_begin(&c, s, req, resp, false))
		return 0;
	const char *q = mlv_req_query(req, "q");
	const char *l = mlv_req_query(req, "limit");
	int64_t limit = SEARCH_DEFAULT;
	if (q == NULL)
		return api_bad_param(resp, "q", "is required (words or an HS code)");
	if (l != NULL && !api_parse_int(l, 1, MLV_HS_RESULTS_MAX, &limit))
		return api_bad_param(resp, "limit", "must be an integer from 1 to 100");
	if (strlen(q) > MLV_HS_QUERY_MAX)
		return api_bad_param(resp, "q", "is longer than 200 bytes");
	int status;
	cJSON *m = portal_model_search(&c, q, (size_t)limit, &status);
	if (status == 400)
		return api_bad_param(resp, "q", "is not a search");
	return answer(&c, m);
}

int portal_api_code(mlv_server *s, mlv_req *req, mlv_resp *resp, const char *code)
{
	pctx c;
	int32_t day;
	char hs[11];
	if (!portal_begin(&c, s, req, resp, false) || !portal_day(&c, &day, false))
		return 0;
	if (!portal_code_parse(code, hs)) {
		mlv_http_problem(resp, 404, "not-found", NULL,
				 "an HS code is 2, 4 or 6 to 10 digits (dots allowed)", NULL);
		return 0;
	}
	const char *to = mlv_req_query(req, "to"), *origin = mlv_req_query(req, "origin");
	const mlv_profile *dest = NULL;
	if (to != NULL && to[0] && (dest = portal_destination(&c, to)) == NULL)
		return api_bad_param(resp, "to", "is not a destination with a country profile");
	if (origin != NULL && origin[0] == '\0')
		origin = NULL;
	if (origin != NULL && (strlen(origin) != 2 || !mlv_country_exists(c.p->rd, origin)))
		return api_bad_param(resp, "origin", "is not an ISO 3166-1 alpha-2 code");
	cJSON *m = portal_model_code(&c, hs, dest, origin, day);
	if (m == NULL && c.rc == 0) {
		mlv_http_problem(resp, 404, "not-found", NULL, "HS 2022 has no such code", NULL);
		return 0;
	}
	return answer(&c, m);
}

int portal_api_compare(mlv_server *s, mlv_req *req, mlv_resp *resp, bool csv)
{
	pctx c;
	int32_t day;
	if (!portal_begin(&c, s, req, resp, false) || !portal_day(&c, &day, false))
		return 0;
	cJSON *m = portal_model_compare(&c, day);
	if (!csv)
		return answer(&c, m);
	int rc = c.rc != 0 ? c.rc : portal_compare_csv(&resp->body, m);
	cJSON_Delete(m);
	if (rc != 0) {
		mlv_buf_reset(&resp->body);
		mlv_http_problem_err(resp, rc, NULL);
		return 0;
	}
	resp->status = 200;
	resp->content_type = "text/csv; charset=utf-8; header=present";
	snprintf(resp->disposition, sizeof(resp->disposition),
		 "attachment; filename=\"de-minimis-register.csv\"");
	return 0;
}

int portal_api_versions(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	pctx c;
	if (!portal_begin(&c, s, req, resp, false))
		return 0;
	const char *l = mlv_req_query(req, "limit");
	int64_t limit = 100;
	if (l != NULL && !api_parse_int(l, 1, 1000, &limit))
		return api_bad_param(resp, "limit", "must be an integer from 1 to 1000");
	return answer(&c, portal_model_versions(&c, (int)limit));
}

int portal_api_changes(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	pctx c;
	if (!portal_begin(&c, s, req, resp, false))
		return 0;
	int64_t from = -1, to = -1;
	const char *f = mlv_req_query(req, "from"), *t = mlv_req_query(req, "to");
	if (f != NULL && !api_parse_int(f, 0, INT32_MAX, &from))
		return api_bad_param(resp, "from", "must be a version number");
	if (t != NULL && !api_parse_int(t, 0, INT32_MAX, &to))
		return api_bad_param(resp, "to", "must be a version number");
	int status;
	cJSON *m = portal_model_changes(&c, from, to, &status);
	if (status == 400)
		return api_bad_param(resp, "from", "and 'to' must be published versions, from <= to");
	return answer(&c, m);
}
