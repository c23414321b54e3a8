/* portal_calc.c - the landed-cost calculator page (/portal/calculator).
 *
 * A plain form, read by the server: GET shows it (and computes when the
 * query already holds a destination and a priced item, so a result can be
 * linked), POST computes.  The basket becomes a POST /v1/quote request
 * body handed to the same function that answers /v1/quote (quote.c), so
 * the page and the API can never disagree; the answer is then shown with
 * who collects what, and each item's prohibitions and restrictions at the
 * destination.  An item's HS field may hold words instead of a code: the
 * best subheading the search finds is used, and the page says so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal.h"
#include "problem.h"
#include "quote.h"
#include "web.h"

#define ROWS_DEFAULT 3
#define ROWS_MAX 20
#define FIELD_MAX 201

/* The currencies the ECB quotes (the quote converts through the euro). */
static const char *const currencies[] = {
	"EUR", "USD", "GBP", "CNY", "JPY", "CHF", "CAD", "AUD", "NZD", "SGD", "KRW",
	"HKD", "INR", "MXN", "BRL", "NOK", "SEK", "DKK", "PLN", "CZK", "HUF", "RON",
	"BGN", "TRY", "ILS", "ZAR", "THB", "MYR", "IDR", "PHP", "ISK",
};

typedef struct row {
	char hs_in[FIELD_MAX]; /* as typed */
	char hs[11];           /* the code used, "" none */
	char price[40];
	char qty[20];
	bool chosen;           /* hs found by words */
	char chosen_desc[256];
	bool used;
} row;

typedef struct form {
	char to[3], origin[3], currency[4], shipping[40], channel[16];
	row rows[ROWS_MAX];
	size_t nrows;
	bool compute;
} form;

/* A form value from the POST body or the query string ("" when absent or
 * malformed). */
static void value(mlv_req *req, bool post, const char *name, char *out, size_t size)
{
	out[0] = '\0';
	if (post) {
		const char *b = req->body.data != NULL ? req->body.data : "";
		if (mlv_web_form_value(b, req->body.len, name, out, size) != 0)
			out[0] = '\0';
		return;
	}
	const char *v = mlv_req_query(req, name);
	if (v != NULL && strlen(v) < size)
		snprintf(out, size, "%s", v);
}

/* Spaces out, a decimal comma read as a point ("12,30" is 12.30). */
static void amount_clean(char *s)
{
	size_t o = 0;
	bool dot = strchr(s, '.') != NULL;
	for (size_t i = 0; s[i]; i++) {
		if (s[i] == ' ')
			continue;
		s[o++] = s[i] == ',' && !dot ? '.' : s[i];
	}
	s[o] = '\0';
}

static bool all_digits(const char *s)
{
	return s[0] != '\0' && strspn(s, "0123456789") == strlen(s);
}

static void read_form(pctx *c, form *f)
{
	mlv_req *req = c->req;
	bool post = strcmp(req->method, "POST") == 0;
	memset(f, 0, sizeof(*f));
	char tmp[16];
	value(req, post, "to", tmp, sizeof(tmp));
	if (portal_destination(c, tmp) != NULL)
		memcpy(f->to, tmp, 3);
	value(req, post, "origin", tmp, sizeof(tmp));
	if (strlen(tmp) == 2 && mlv_country_exists(portal_refdata(c->p), tmp))
		memcpy(f->origin, tmp, 3);
	value(req, post, "currency", tmp, sizeof(tmp));
	if (strlen(tmp) == 3)
		memcpy(f->currency, tmp, 4);
	bool known = false;
	for (size_t i = 0; i < MLV_ARRAY_LEN(currencies) && !known; i++)
		known = strcmp(currencies[i], f->currency) == 0;
	if (!known) {
		/* the destination's currency, else euros */
		const mlv_profile *d = portal_destination(c, f->to);
		snprintf(f->currency, sizeof(f->currency), "%s",
			 d != NULL ? mlv_profile_currency(d, c->today) : "EUR");
	}
	value(req, post, "shipping", f->shipping, sizeof(f->shipping));
	amount_clean(f->shipping);
	value(req, post, "channel", f->channel, sizeof(f->channel));
	if (strcmp(f->channel, "post") != 0 && strcmp(f->channel, "express") != 0 &&
	    strcmp(f->channel, "courier") != 0)
		f->channel[0] = '\0';
	value(req, post, "rows", tmp, sizeof(tmp));
	int64_t n = ROWS_DEFAULT;
	if (!api_parse_int(tmp, 1, ROWS_MAX, &n))
		n = ROWS_DEFAULT;
	value(req, post, "add", tmp, sizeof(tmp));
	bool add = tmp[0] != '\0';
	size_t filled = 0;
	for (size_t i = 0; i < ROWS_MAX; i++) {
		row *r = &f->rows[i];
		char name[16];
		snprintf(name, sizeof(name), "hs_%zu", i + 1);
		value(req, post, name, r->hs_in, sizeof(r->hs_in));
		snprintf(name, sizeof(name), "price_%zu", i + 1);
		value(req, post, name, r->price, sizeof(r->price));
		amount_clean(r->price);
		snprintf(name, sizeof(name), "qty_%zu", i + 1);
		value(req, post, name, r->qty, sizeof(r->qty));
		amount_clean(r->qty);
		r->used = r->hs_in[0] != '\0' || r->price[0] != '\0';
		if (r->used)
			filled = i + 1;
	}
	f->nrows = (size_t)n > filled ? (size_t)n : filled;
	if (add && f->nrows < ROWS_MAX)
		f->nrows++;
	/* computed on a POST, or a GET that already holds a priced item */
	f->compute = !add && (post || (f->to[0] && f->rows[0].price[0]));
}

/* The code of an item: the field as a code, else the best subheading the
 * words find.  False when nothing fits. */
static bool resolve(pctx *c, row *r)
{
	char code[11];
	if (portal_code_parse(r->hs_in, code) && strlen(code) >= 6) {
		memcpy(r->hs, code, sizeof(r->hs));
		return true;
	}
	mlv_hs_hit hits[MLV_HS_RESULTS_MAX];
	mlv_hs_result res;
	if (mlv_hs_search(portal_hs(c->p), r->hs_in, strlen(r->hs_in), hits, MLV_HS_RESULTS_MAX,
			  &res) != 0)
		return false;
	for (size_t i = 0; i < res.count; i++) {
		if (hits[i].level == 6) {
			memcpy(r->hs, hits[i].code, 7);
			r->chosen = true;
			snprintf(r->chosen_desc, sizeof(r->chosen_desc), "%s", hits[i].description);
			return true;
		}
	}
	return false;
}

/* ---- the form ------------------------------------------------------------------------ */

static void field(html *h, const char *id, const char *label, const char *type,
		  const char *val, const char *extra)
{
	h_raw(h, "<label for=\"");
	h_raw(h, id);
	h_raw(h, "\">");
	h_esc(h, label);
	h_raw(h, "</label><input type=\"");
	h_raw(h, type);
	h_raw(h, "\" id=\"");
	h_raw(h, id);
	h_raw(h, "\" name=\"");
	h_raw(h, id);
	h_raw(h, "\" value=\"");
	h_esc(h, val);
	h_raw(h, "\"");
	if (extra != NULL) {
		h_raw(h, " ");
		h_raw(h, extra);
	}
	h_raw(h, ">");
}

static void form_html(html *h, pctx *c, const form *f)
{
	h_raw(h, "<form class=\"calc\" method=\"post\" action=\"/portal/calculator\" "
		 "id=\"calc\">\n<fieldset><legend>");
	h_esc(h, portal_t(c, M_DESTINATION));
	h_raw(h, "</legend><div class=\"grid\"><div><label for=\"to\">");
	h_esc(h, portal_t(c, M_DESTINATION));
	h_raw(h, "</label>");
	portal_destination_select(h, c, "to", f->to, true);
	h_raw(h, "</div><div><label for=\"origin\">");
	h_esc(h, portal_t(c, M_ORIGIN));
	h_raw(h, "</label><select id=\"origin\" name=\"origin\"><option value=\"\">");
	h_esc(h, portal_t(c, M_ORIGIN_ANY));
	h_raw(h, "</option>");
	char cc[3] = "AA";
	for (cc[0] = 'A'; cc[0] <= 'Z'; cc[0]++)
		for (cc[1] = 'A'; cc[1] <= 'Z'; cc[1]++) {
			if (!mlv_country_exists(portal_refdata(c->p), cc))
				continue;
			h_raw(h, "<option value=\"");
			h_raw(h, cc);
			h_raw(h, strcmp(f->origin, cc) == 0 ? "\" selected>" : "\">");
			h_raw(h, cc);
			h_raw(h, " - ");
			h_esc(h, portal_name(c, cc));
			h_raw(h, "</option>");
		}
	h_raw(h, "</select></div><div><label for=\"currency\">");
	h_esc(h, portal_t(c, M_CALC_CURRENCY));
	h_raw(h, "</label><select id=\"currency\" name=\"currency\">");
	for (size_t i = 0; i < MLV_ARRAY_LEN(currencies); i++) {
		h_raw(h, "<option");
		h_raw(h, strcmp(f->currency, currencies[i]) == 0 ? " selected>" : ">");
		h_raw(h, currencies[i]);
		h_raw(h, "</option>");
	}
	h_raw(h, "</select></div><div>");
	field(h, "shipping", portal_t(c, M_CALC_SHIPPING), "text", f->shipping,
	      "inputmode=\"decimal\" maxlength=\"20\" placeholder=\"0.00\"");
	h_raw(h, "</div><div><label for=\"channel\">");
	h_esc(h, portal_t(c, M_CALC_CHANNEL));
	h_raw(h, "</label><select id=\"channel\" name=\"channel\"><option value=\"\">");
	h_esc(h, portal_t(c, M_ORIGIN_ANY));
	h_raw(h, "</option>");
	static const struct {
		const char *v;
		portal_msg m;
	} ch[] = {{"post", M_CH_POST}, {"express", M_CH_EXPRESS}, {"courier", M_CH_COURIER}};
	for (size_t i = 0; i < MLV_ARRAY_LEN(ch); i++) {
		h_raw(h, "<option value=\"");
		h_raw(h, ch[i].v);
		h_raw(h, strcmp(f->channel, ch[i].v) == 0 ? "\" selected>" : "\">");
		h_esc(h, portal_t(c, ch[i].m));
		h_raw(h, "</option>");
	}
	h_raw(h, "</select></div></div></fieldset>\n<fieldset><legend>");
	h_esc(h, portal_t(c, M_CALC_ITEMS));
	h_raw(h, "</legend>\n<table class=\"items\"><thead><tr><th scope=\"col\">#</th>"
		 "<th scope=\"col\">");
	h_esc(h, portal_t(c, M_CALC_HS));
	h_raw(h, "</th><th scope=\"col\">");
	h_esc(h, portal_t(c, M_CALC_PRICE));
	h_raw(h, "</th><th scope=\"col\">");
	h_esc(h, portal_t(c, M_CALC_QTY));
	h_raw(h, "</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < f->nrows; i++) {
		const row *r = &f->rows[i];
		char n[24], label[64];
		snprintf(n, sizeof(n), "%zu", i + 1);
		h_fmt(h, "<tr><th scope=\"row\">%zu</th><td>", i + 1);
		/* each cell labelled for screen readers: "Item 2: HS code or words" */
		h_raw(h, "<label class=\"visually-hidden\" for=\"hs_");
		h_raw(h, n);
		h_raw(h, "\">");
		h_say(h, c, M_CALC_ITEM, n, NULL);
		h_raw(h, " - ");
		h_esc(h, portal_t(c, M_CALC_HS));
		h_raw(h, "</label><input type=\"text\" id=\"hs_");
		h_raw(h, n);
		h_raw(h, "\" name=\"hs_");
		h_raw(h, n);
		h_raw(h, "\" data-suggest=\"hs\" autocomplete=\"off\" maxlength=\"200\" value=\"");
		h_esc(h, r->hs[0] && r->chosen ? r->hs : r->hs_in);
		h_raw(h, "\"></td><td>");
		snprintf(label, sizeof(label), "price_%s", n);
		h_raw(h, "<label class=\"visually-hidden\" for=\"");
		h_raw(h, label);
		h_raw(h, "\">");
		h_say(h, c, M_CALC_ITEM, n, NULL);
		h_raw(h, " - ");
		h_esc(h, portal_t(c, M_CALC_PRICE));
		h_raw(h, "</label><input type=\"text\" inputmode=\"decimal\" maxlength=\"20\" id=\"");
		h_raw(h, label);
		h_raw(h, "\" name=\"");
		h_raw(h, label);
		h_raw(h, "\" value=\"");
		h_esc(h, r->price);
		h_raw(h, "\"></td><td>");
		snprintf(label, sizeof(label), "qty_%s", n);
		h_raw(h, "<label class=\"visually-hidden\" for=\"");
		h_raw(h, label);
		h_raw(h, "\">");
		h_say(h, c, M_CALC_ITEM, n, NULL);
		h_raw(h, " - ");
		h_esc(h, portal_t(c, M_CALC_QTY));
		h_raw(h, "</label><input type=\"text\" inputmode=\"numeric\" maxlength=\"12\" id=\"");
		h_raw(h, label);
		h_raw(h, "\" name=\"");
		h_raw(h, label);
		h_raw(h, "\" value=\"");
		h_esc(h, r->qty);
		h_raw(h, "\"></td></tr>\n");
	}
	h_fmt(h, "</tbody></table><input type=\"hidden\" name=\"rows\" value=\"%zu\">", f->nrows);
	if (f->nrows < ROWS_MAX) {
		h_raw(h, "<button type=\"submit\" name=\"add\" value=\"1\" class=\"secondary\" "
			 "formnovalidate>");
		h_esc(h, portal_t(c, M_CALC_ADD_ROW));
		h_raw(h, "</button>");
	}
	h_raw(h, "</fieldset>\n<p><button type=\"submit\" id=\"compute\">");
	h_esc(h, portal_t(c, M_CALC_SUBMIT));
	h_raw(h, "</button></p>\n</form>\n");
}

/* ---- the result ------------------------------------------------------------------------ */

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *jget(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

static void money_row(html *h, const pctx *c, portal_msg label, const char *amount,
		      const char *cur, const char *id, bool strong)
{
	if (amount == NULL)
		return;
	h_raw(h, strong ? "<tr class=\"sum\"><th scope=\"row\">" : "<tr><th scope=\"row\">");
	h_esc(h, portal_t(c, label));
	h_raw(h, "</th><td class=\"num\" id=\"");
	h_raw(h, id);
	h_raw(h, "\">");
	h_esc(h, amount);
	h_raw(h, "&nbsp;");
	h_esc(h, cur);
	h_raw(h, "</td></tr>\n");
}

static portal_msg model_label(const char *m)
{
	static const struct {
		const char *word;
		portal_msg id;
	} t[] = {{"none", M_MODEL_NONE},
		 {"seller_scheme", M_MODEL_SELLER_SCHEME},
		 {"platform_scheme", M_MODEL_PLATFORM_SCHEME},
		 {"intermediary_deferred", M_MODEL_INTERMEDIARY_DEFERRED},
		 {"intermediary", M_MODEL_INTERMEDIARY},
		 {"buyer", M_MODEL_BUYER},
		 {"platform_withholding", M_MODEL_PLATFORM_WITHHOLDING},
		 {"domestic", M_MODEL_DOMESTIC}};
	for (size_t i = 0; m != NULL && i < MLV_ARRAY_LEN(t); i++)
		if (strcmp(m, t[i].word) == 0)
			return t[i].id;
	return M_MODEL_BUYER;
}

static const char *word_label(const pctx *c, const char *w)
{
	static const struct {
		const char *word;
		portal_msg id;
	} t[] = {{"buyer", M_PAYER_BUYER},	     {"seller", M_PAYER_SELLER},
		 {"platform", M_PAYER_PLATFORM},     {"intermediary", M_PAYER_INTERMEDIARY},
		 {"at_sale", M_WHEN_AT_SALE},	     {"before_release", M_WHEN_BEFORE_RELEASE},
		 {"periodic_statement", M_WHEN_PERIODIC}, {"duty", M_CALC_DUTY},
		 {"excise", M_EXCISE},		     {"tax", M_TH_TAX},
		 {"fee", M_CALC_FEES}};
	for (size_t i = 0; w != NULL && i < MLV_ARRAY_LEN(t); i++)
		if (strcmp(w, t[i].word) == 0)
			return portal_t(c, t[i].id);
	return w != NULL ? w : "";
}



static void result_html(html *h, pctx *c, const form *f, const cJSON *a)
{
	const char *cur = jstr(a, "currency");
	h_raw(h, "<section class=\"result\" aria-labelledby=\"result\" id=\"result-");
	h_esc(h, f->to);
	h_raw(h, "\"><h2 id=\"result\" tabindex=\"-1\">");
	h_say(h, c, M_CALC_RESULT, portal_name(c, f->to), NULL);
	h_raw(h, "</h2>\n");
	/* restrictions first: an item that cannot go matters more than its cost */
	bool any = false;
	mlv_buf rb = MLV_BUF_INIT(1 << 20);
	html r = {&rb, 0};
	for (size_t i = 0; i < f->nrows; i++) {
		const row *w = &f->rows[i];
		if (!w->used || w->hs[0] == '\0')
			continue;
		cJSON *arr = portal_restrictions(c, w->hs, f->to);
		if (cJSON_GetArraySize(arr) > 0) {
			char n[24], disp[20];
			snprintf(n, sizeof(n), "%zu", i + 1);
			portal_code_format(w->hs, disp, sizeof(disp));
			h_raw(&r, "<h3>");
			h_say(&r, c, M_CALC_ITEM, n, NULL);
			h_raw(&r, " (HS ");
			h_esc(&r, disp);
			h_raw(&r, ")</h3>");
			portal_restrictions_html(&r, c, arr);
			any = true;
		}
		cJSON_Delete(arr);
	}
	h_raw(h, any ? "<div class=\"alert restricted\" role=\"alert\" id=\"restricted\"><p>"
		     : "<p class=\"ok\" id=\"restricted-none\">");
	h_say(h, c, any ? M_CALC_RESTRICTED_SOME : M_CALC_RESTRICTED_NONE, NULL);
	h_raw(h, any ? "</p>" : "</p>\n");
	if (any) {
		if (r.rc == 0)
			h_raw(h, rb.data);
		h_raw(h, "</div>\n");
	}
	h->rc = h->rc != 0 ? h->rc : r.rc;
	mlv_buf_free(&rb);

	const cJSON *v = jget(a, "values"), *t = jget(a, "totals");
	h_raw(h, "<table class=\"totals\"><caption>");
	h_say(h, c, M_CALC_ESTIMATE, cur, jstr(a, "fx_day"), NULL);
	h_raw(h, "</caption><tbody>\n");
	money_row(h, c, M_CALC_GOODS, jstr(v, "intrinsic"), cur, "goods", false);
	money_row(h, c, M_CALC_TRANSPORT, jstr(v, "transport"), cur, "transport", false);
	money_row(h, c, M_CALC_DUTY, jstr(t, "duty"), cur, "duty", false);
	if (jstr(t, "excise") != NULL && strcmp(jstr(t, "excise"), "0.00") != 0)
		money_row(h, c, M_EXCISE, jstr(t, "excise"), cur, "excise", false);
	money_row(h, c, M_CALC_TAX, jstr(t, "tax"), cur, "tax", false);
	money_row(h, c, M_CALC_TAX_AT_SALE, jstr(t, "tax_at_sale"), cur, "tax-at-sale", false);
	money_row(h, c, M_CALC_FEES, jstr(t, "fees"), cur, "fees", false);
	money_row(h, c, M_CALC_BORDER, jstr(t, "border"), cur, "border", true);
	money_row(h, c, M_CALC_TOTAL, jstr(t, "total"), cur, "total", true);
	h_raw(h, "</tbody></table>\n");
	if (cJSON_IsFalse(jget(a, "complete"))) {
		h_raw(h, "<p class=\"hint\">");
		h_say(h, c, M_CALC_INCOMPLETE, NULL);
		h_raw(h, "</p>\n");
	}
	const cJSON *col = jget(a, "collection");
	h_raw(h, "<h3>");
	h_esc(h, portal_t(c, M_CALC_WHO));
	h_raw(h, "</h3>\n<p id=\"model\" data-model=\"");
	h_esc(h, jstr(col, "model"));
	h_raw(h, "\">");
	h_say(h, c, model_label(jstr(col, "model")), NULL);
	h_raw(h, "</p>\n<ul class=\"obligations\">");
	const cJSON *o;
	cJSON_ArrayForEach(o, jget(col, "obligations"))
	{
		char amount[64];
		snprintf(amount, sizeof(amount), "%s %s", jstr(o, "amount") ? jstr(o, "amount") : "",
			 cur != NULL ? cur : "");
		h_raw(h, "<li>");
		h_say(h, c, M_OBLIGATION, word_label(c, jstr(o, "what")), amount,
		      word_label(c, jstr(o, "payer")), word_label(c, jstr(o, "when")), NULL);
		h_raw(h, "</li>");
	}
	h_raw(h, "</ul>\n");
	if (cJSON_GetArraySize(jget(a, "fees")) > 0) {
		h_raw(h, "<h3>");
		h_esc(h, portal_t(c, M_FEES));
		h_raw(h, "</h3><ul class=\"fees\">");
		cJSON_ArrayForEach(o, jget(a, "fees"))
		{
			h_raw(h, "<li>");
			h_esc(h, jstr(o, "name") != NULL ? jstr(o, "name") : jstr(o, "rule"));
			h_raw(h, ": ");
			h_esc(h, jstr(o, "amount"));
			h_raw(h, "&nbsp;");
			h_esc(h, cur);
			h_raw(h, "</li>");
		}
		h_raw(h, "</ul>\n");
	}
	h_raw(h, "<h3>");
	h_esc(h, portal_t(c, M_CALC_DECISIONS));
	h_raw(h, "</h3>\n<ul class=\"decisions\">");
	cJSON_ArrayForEach(o, jget(a, "decisions"))
	{
		h_raw(h, cJSON_IsTrue(jget(o, "applies")) ? "<li class=\"applies\">" : "<li>");
		h_raw(h, "<span lang=\"en\">");
		h_esc(h, jstr(o, "text"));
		h_raw(h, "</span>");
		if (jstr(o, "rule") != NULL) {
			h_raw(h, " <code>");
			h_esc(h, jstr(o, "rule"));
			h_raw(h, "</code>");
		}
		h_raw(h, "</li>");
	}
	h_raw(h, "</ul>\n<p><a href=\"/portal/countries/");
	h_esc(h, f->to);
	h_raw(h, "\">");
	h_say(h, c, M_COUNTRY_TITLE, portal_name(c, f->to), NULL);
	h_raw(h, "</a></p>\n</section>\n");
}

/* The problems of a refused quote, in the page's words where known. */
static void problems_html(html *h, pctx *c, const cJSON *problem, const char *extra_errors)
{
	h_raw(h, "<div class=\"alert error\" role=\"alert\" id=\"errors\"><p>");
	h_say(h, c, M_CALC_ERRORS, NULL);
	h_raw(h, "</p><ul>");
	if (extra_errors != NULL)
		h_raw(h, extra_errors);
	const cJSON *e;
	cJSON_ArrayForEach(e, jget(problem, "errors"))
	{
		const char *p = jstr(e, "pointer");
		h_raw(h, "<li>");
		unsigned item = 0;
		char rest[40] = "";
		if (p != NULL && sscanf(p, "/items/%u/%39s", &item, rest) == 2) {
			char n[12];
			snprintf(n, sizeof(n), "%u", item + 1);
			if (strcmp(rest, "hs_code") == 0)
				h_say(h, c, M_ERR_HS, n, NULL);
			else if (strcmp(rest, "value") == 0 || strcmp(rest, "currency") == 0)
				h_say(h, c, M_ERR_PRICE, n, NULL);
			else if (strcmp(rest, "quantity") == 0)
				h_say(h, c, M_ERR_QTY, n, NULL);
			else
				h_esc(h, jstr(e, "message"));
		} else if (p != NULL && strcmp(p, "/destination") == 0) {
			h_say(h, c, M_ERR_DESTINATION, NULL);
		} else if (p != NULL && (strcmp(p, "/shipping_cost") == 0 || strcmp(p, "/currency") == 0)) {
			h_say(h, c, M_ERR_SHIPPING, NULL);
		} else if (p != NULL && strcmp(p, "/items") == 0) {
			h_say(h, c, M_ERR_ITEMS, NULL);
		} else {
			h_raw(h, "<span lang=\"en\">");
			h_esc(h, jstr(e, "message") != NULL ? jstr(e, "message") : jstr(problem, "detail"));
			h_raw(h, "</span>");
		}
		h_raw(h, "</li>");
	}
	h_raw(h, "</ul></div>\n");
}

int portal_page_calculator(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	pctx c;
	if (!portal_begin(&c, s, req, resp, true))
		return 0;
	form *f = calloc(1, sizeof(*f));
	if (f == NULL) {
		mlv_http_problem_err(resp, MLV_ENOMEM, NULL);
		return 0;
	}
	read_form(&c, f);
	cJSON *assessment = NULL, *problem = NULL;
	mlv_buf notes = MLV_BUF_INIT(1 << 16), errs = MLV_BUF_INIT(1 << 16);
	html nh = {&notes, 0}, eh = {&errs, 0};
	if (f->compute) {
		/* the basket as a quote request */
		cJSON *q = cJSON_CreateObject();
		if (f->to[0])
			cJSON_AddStringToObject(q, "destination", f->to);
		if (f->shipping[0]) {
			cJSON_AddStringToObject(q, "currency", f->currency);
			cJSON_AddStringToObject(q, "shipping_cost", f->shipping);
		}
		if (f->channel[0])
			cJSON_AddStringToObject(q, "channel", f->channel);
		cJSON *items = cJSON_AddArrayToObject(q, "items");
		for (size_t i = 0; i < f->nrows; i++) {
			row *r = &f->rows[i];
			if (!r->used)
				continue;
			char n[24];
			snprintf(n, sizeof(n), "%zu", i + 1);
			if (r->hs_in[0] != '\0' && !resolve(&c, r)) {
				h_raw(&eh, "<li>");
				h_say(&eh, &c, all_digits(r->hs_in) ? M_ERR_HS : M_ERR_NO_MATCH, n,
				      r->hs_in, NULL);
				h_raw(&eh, "</li>");
			} else if (r->chosen) {
				char disp[20];
				portal_code_format(r->hs, disp, sizeof(disp));
				h_raw(&nh, "<li>");
				h_say(&nh, &c, M_CALC_CHOSEN, n, r->hs_in, disp, r->chosen_desc, NULL);
				h_raw(&nh, "</li>");
			}
			cJSON *it = cJSON_CreateObject();
			cJSON_AddStringToObject(it, "hs_code", r->hs[0] ? r->hs : r->hs_in);
			if (f->origin[0])
				cJSON_AddStringToObject(it, "origin_country", f->origin);
			cJSON_AddStringToObject(it, "currency", f->currency);
			cJSON_AddStringToObject(it, "value", r->price);
			if (r->qty[0])
				cJSON_AddStringToObject(it, "quantity", r->qty);
			cJSON_AddItemToArray(items, it);
		}
		char *body = cJSON_PrintUnformatted(q);
		cJSON_Delete(q);
		mlv_resp qr;
		memset(&qr, 0, sizeof(qr));
		mlv_buf_init(&qr.body, 1 << 22);
		if (body != NULL && errs.len == 0)
			mlv_quote(s->opts.profiles, s->opts.rd, body, strlen(body), mlv_now_ms() / 1000,
				  &qr);
		free(body);
		if (qr.status == 200)
			assessment = cJSON_ParseWithLength(qr.body.data, qr.body.len);
		else if (qr.body.len > 0)
			problem = cJSON_ParseWithLength(qr.body.data, qr.body.len);
		mlv_buf_free(&qr.body);
	}
	html h = {&resp->body, 0};
	portal_page_begin(&h, &c, portal_t(&c, M_CALC_TITLE), "/portal/calculator");
	h_raw(&h, "<h1>");
	h_esc(&h, portal_t(&c, M_CALC_TITLE));
	h_raw(&h, "</h1>\n<p class=\"lead\">");
	h_say(&h, &c, M_CALC_INTRO, NULL);
	h_raw(&h, "</p>\n");
	if (notes.len > 0 && nh.rc == 0) {
		h_raw(&h, "<ul class=\"chosen\" id=\"chosen\">");
		h_raw(&h, notes.data);
		h_raw(&h, "</ul>\n");
	}
	if (f->compute && (problem != NULL || errs.len > 0 || (assessment == NULL && eh.rc == 0))) {
		if (assessment == NULL)
			resp->status = 422;
		problems_html(&h, &c, problem, errs.len > 0 ? errs.data : NULL);
	}
	if (assessment != NULL)
		result_html(&h, &c, f, assessment);
	form_html(&h, &c, f);
	portal_page_end(&h, &c);
	cJSON_Delete(assessment);
	cJSON_Delete(problem);
	mlv_buf_free(&notes);
	mlv_buf_free(&errs);
	free(f);
	if (h.rc == 0 && eh.rc != 0)
		h.rc = eh.rc;
	if (h.rc != 0) {
		mlv_buf_reset(&resp->body);
		mlv_http_problem_err(resp, h.rc, NULL);
		return 0;
	}
	resp->content_type = "text/html; charset=utf-8";
	if (resp->status == 0)
		resp->status = 200;
	return 0;
}
