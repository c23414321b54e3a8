/* portal_pages.c - the portal's pages under /portal: home, HS search,
 * country, code, comparison and changes (the calculator and the editors'
 * pages are in portal_calc.c and portal_edit.c).
 *
 * Each page renders the same model as its JSON endpoint (portal.c), in
 * the request's language.  Pages are plain semantic HTML that reads
 * without JavaScript: forms use GET (or a POST the server handles), tables
 * have headers and captions, every control has a label, and the one
 * script (web/portal.js) only adds suggestions as one types. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal.h"
#include "problem.h"
#include "web.h"

/* ---- writing HTML ----------------------------------------------------------------- */

void h_raw(html *h, const char *s)
{
	if (h->rc == 0 && s != NULL)
		h->rc = mlv_buf_adds(h->b, s);
}

void h_esc(html *h, const char *s)
{
	if (h->rc == 0 && s != NULL)
		h->rc = mlv_html_escape(h->b, s);
}

void h_fmt(html *h, const char *fmt, ...)
{
	if (h->rc != 0)
		return;
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		h->rc = MLV_ETOOBIG;
	else
		h->rc = mlv_buf_add(h->b, tmp, (size_t)n);
}

void h_say(html *h, const pctx *c, portal_msg id, ...)
{
	const char *args[4] = {NULL, NULL, NULL, NULL};
	va_list ap;
	va_start(ap, id);
	for (size_t i = 0; i < 4; i++) {
		args[i] = va_arg(ap, const char *);
		if (args[i] == NULL)
			break;
	}
	va_end(ap);
	const char *t = portal_t(c, id);
	while (h->rc == 0 && *t) {
		const char *open = strchr(t, '{');
		if (open == NULL || open[1] < '1' || open[1] > '4' || open[2] != '}') {
			size_t n = open != NULL ? (size_t)(open - t) + 1 : strlen(t);
			h->rc = mlv_html_escape_n(h->b, t, n);
			t += n;
			continue;
		}
		h->rc = mlv_html_escape_n(h->b, t, (size_t)(open - t));
		const char *a = args[open[1] - '1'];
		if (h->rc == 0 && a != NULL)
			h->rc = mlv_html_escape(h->b, a);
		t = open + 3;
	}
}

void h_url(html *h, const char *url)
{
	if (url == NULL)
		return;
	bool web = (strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0) &&
		   strpbrk(url, " \"'<>`") == NULL;
	if (!web) {
		h_esc(h, url);
		return;
	}
	h_raw(h, "<a rel=\"noreferrer\" href=\"");
	h_esc(h, url);
	h_raw(h, "\">");
	h_esc(h, url);
	h_raw(h, "</a>");
}

void h_basis(html *h, const char *basis)
{
	if (basis == NULL)
		return;
	h_raw(h, "<ul class=\"basis\">");
	for (const char *p = basis; *p;) {
		const char *end = strstr(p, "; ");
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
		char part[600];
		snprintf(part, sizeof(part), "%.*s", (int)(n < sizeof(part) - 1 ? n : sizeof(part) - 1),
			 p);
		h_raw(h, "<li>");
		h_url(h, part);
		h_raw(h, "</li>");
		p = end != NULL ? end + 2 : p + n;
	}
	h_raw(h, "</ul>");
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *jget(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* ---- the frame ---------------------------------------------------------------------- */

void portal_page_begin(html *h, pctx *c, const char *title, const char *current)
{
	static const struct {
		const char *href;
		portal_msg label;
	} nav[] = {
		{"/portal", M_NAV_HOME},	 {"/portal/search", M_NAV_SEARCH},
		{"/portal/compare", M_NAV_COMPARE}, {"/portal/calculator", M_NAV_CALC},
		{"/portal/changes", M_NAV_CHANGES}, {"/portal/edit", M_NAV_EDIT},
	};
	mlv_web_link links[MLV_ARRAY_LEN(nav)];
	size_t n = 0;
	for (size_t i = 0; i < MLV_ARRAY_LEN(nav); i++)
		if (strcmp(nav[i].href, "/portal/edit") != 0 || c->editor)
			links[n++] = (mlv_web_link){nav[i].href, portal_t(c, nav[i].label)};
	/* the language switch and, for the public, the members' sign-in */
	mlv_buf extra = MLV_BUF_INIT(4096);
	html x = {&extra, 0};
	h_raw(&x, "<nav class=\"langs\" aria-label=\"");
	h_esc(&x, portal_t(c, M_LANGUAGE));
	h_raw(&x, "\"><ul>");
	static const char *const names[LANG_COUNT] = {"English", "Français", "Español"};
	static const char *const drop[] = {"lang", NULL};
	char path[160];
	snprintf(path, sizeof(path), "%s", c->req->path);
	/* the same page (a GET's query kept) in another language */
	mlv_buf query = MLV_BUF_INIT(2048);
	if (strcmp(c->req->method, "GET") != 0 || mlv_req_query_string(c->req, drop, &query) != 0)
		mlv_buf_reset(&query);
	for (int l = 0; l < LANG_COUNT; l++) {
		h_raw(&x, "<li><a lang=\"");
		h_raw(&x, portal_lang_code((portal_lang)l));
		h_raw(&x, "\" hreflang=\"");
		h_raw(&x, portal_lang_code((portal_lang)l));
		h_raw(&x, "\" href=\"");
		h_esc(&x, path);
		h_raw(&x, "?");
		if (query.len > 0) {
			h_esc(&x, query.data);
			h_raw(&x, "&amp;");
		}
		h_raw(&x, "lang=");
		h_raw(&x, portal_lang_code((portal_lang)l));
		h_raw(&x, (int)c->lang == l ? "\" aria-current=\"true\">" : "\">");
		h_esc(&x, names[l]);
		h_raw(&x, "</a></li>");
	}
	h_raw(&x, "</ul></nav>\n");
	mlv_buf_free(&query);
	if (!c->signed_in) {
		h_raw(&x, "<a class=\"signin\" href=\"/console/login?next=");
		h_esc(&x, strlen(path) < 80 ? path : "/portal");
		h_raw(&x, "\">");
		h_esc(&x, portal_t(c, M_SIGN_IN_MEMBERS));
		h_raw(&x, "</a>\n");
	}
	char full[256];
	snprintf(full, sizeof(full), "%s - %s", title, portal_t(c, M_BRAND));
	mlv_web_page p = {
		.lang = portal_lang_code(c->lang),
		.title = full,
		.stylesheet = "/static/portal.css",
		.script = "/static/portal.js",
		.brand = portal_t(c, M_BRAND),
		.brand_href = "/portal",
		.nav = links,
		.nnav = n,
		.current = current,
		.user = c->signed_in && c->a.session ? (c->a.display[0] ? c->a.display : c->a.filer)
						     : NULL,
		.role = c->a.role,
		.csrf = c->a.csrf,
		.logout_href = "/console/logout",
		.skip_label = portal_t(c, M_SKIP),
		.signout_label = portal_t(c, M_SIGN_OUT),
		.header_extra = x.rc == 0 ? extra.data : NULL,
	};
	if (h->rc == 0)
		h->rc = mlv_web_page_begin(h->b, &p);
	mlv_buf_free(&extra);
	if (c->member) {
		h_raw(h, "<p class=\"members-note\" id=\"members-view\">");
		h_say(h, c, M_MEMBERS_VIEW, NULL);
		h_raw(h, "</p>\n");
	}
}

void portal_page_end(html *h, pctx *c)
{
	if (h->rc == 0)
		h->rc = mlv_web_page_end(h->b);
}

/* Sends the page built in h, or the failure. */
static int finish(pctx *c, html *h)
{
	if (h->rc != 0) {
		mlv_buf_reset(&c->resp->body);
		mlv_http_problem_err(c->resp, h->rc, NULL);
		return 0;
	}
	c->resp->content_type = "text/html; charset=utf-8";
	if (c->resp->status == 0)
		c->resp->status = 200;
	return 0;
}

int portal_error_page(pctx *c, int status, const char *text)
{
	mlv_resp *resp = c->resp;
	mlv_buf_reset(&resp->body);
	resp->status = status;
	html h = {&resp->body, 0};
	portal_page_begin(&h, c, portal_t(c, M_ERROR_TITLE), NULL);
	h_raw(&h, "<h1>");
	h_esc(&h, portal_t(c, M_ERROR_TITLE));
	h_raw(&h, "</h1>\n<p class=\"error\" role=\"alert\">");
	h_esc(&h, text);
	h_raw(&h, "</p>\n<p><a href=\"/portal\">");
	h_esc(&h, portal_t(c, M_NAV_HOME));
	h_raw(&h, "</a></p>\n");
	portal_page_end(&h, c);
	return finish(c, &h);
}

/* The model failed (c->rc) or is NULL. */
static int model_failed(pctx *c)
{
	return portal_error_page(c, 500, portal_t(c, M_FAILED));
}

void portal_destination_options(html *h, pctx *c, const char *selected)
{
	const mlv_profiles *ps = portal_profiles(c->p);
	/* in the language's order would need collation; code order is stable */
	for (size_t i = 0; i < mlv_profiles_count(ps); i++) {
		const char *code = mlv_profile_code(mlv_profiles_at(ps, i));
		h_raw(h, "<option value=\"");
		h_esc(h, code);
		h_raw(h, selected != NULL && strcmp(selected, code) == 0 ? "\" selected>" : "\">");
		h_esc(h, portal_name(c, code));
		h_raw(h, " (");
		h_esc(h, code);
		h_raw(h, ")</option>");
	}
}

void portal_destination_select(html *h, pctx *c, const char *name, const char *selected,
			       bool any)
{
	h_raw(h, "<select id=\"");
	h_esc(h, name);
	h_raw(h, "\" name=\"");
	h_esc(h, name);
	h_raw(h, "\">");
	if (any) {
		h_raw(h, "<option value=\"\">");
		h_esc(h, portal_t(c, M_DESTINATION_ANY));
		h_raw(h, "</option>");
	}
	portal_destination_options(h, c, selected);
	h_raw(h, "</select>");
}

static void origin_select(html *h, pctx *c, const char *selected)
{
	const mlv_refdata *rd = portal_refdata(c->p);
	h_raw(h, "<select id=\"origin\" name=\"origin\"><option value=\"\">");
	h_esc(h, portal_t(c, M_ORIGIN_ANY));
	h_raw(h, "</option>");
	char cc[3] = "AA";
	for (cc[0] = 'A'; cc[0] <= 'Z'; cc[0]++)
		for (cc[1] = 'A'; cc[1] <= 'Z'; cc[1]++) {
			if (!mlv_country_exists(rd, cc))
				continue;
			h_raw(h, "<option value=\"");
			h_raw(h, cc);
			h_raw(h, selected != NULL && strcmp(selected, cc) == 0 ? "\" selected>" : "\">");
			h_raw(h, cc);
			h_raw(h, " - ");
			h_esc(h, portal_name(c, cc));
			h_raw(h, "</option>");
		}
	h_raw(h, "</select>");
}

/* A date of a rule, shown as written; valid_to is exclusive, so the last
 * day in force is the day before. */
static void h_dates(html *h, const pctx *c, const cJSON *r)
{
	const char *from = jstr(r, "valid_from"), *to = jstr(r, "valid_to");
	if (from == NULL && to == NULL)
		return;
	h_raw(h, "<p class=\"when\">");
	if (from != NULL)
		h_say(h, c, M_SINCE, from, NULL);
	int32_t d;
	if (to != NULL && mlv_date_parse(to, strlen(to), &d)) {
		char last[11];
		mlv_date_format(d - 1, last);
		if (from != NULL)
			h_raw(h, ", ");
		h_say(h, c, M_UNTIL, last, NULL);
	}
	h_raw(h, "</p>");
}

static void h_money(html *h, const cJSON *m)
{
	const char *a = jstr(m, "amount"), *cur = jstr(m, "currency");
	if (a == NULL)
		return;
	h_esc(h, a);
	h_raw(h, "&nbsp;");
	h_esc(h, cur);
}

/* "up to 150.00 EUR" or "below 150.00 EUR", as a plain string. */
static void limit_text(const pctx *c, const cJSON *r, const char *key, char *out, size_t size)
{
	const cJSON *m = jget(r, key);
	char money[64];
	snprintf(money, sizeof(money), "%s %s", jstr(m, "amount") ? jstr(m, "amount") : "",
		 jstr(m, "currency") ? jstr(m, "currency") : "");
	const char *cmp = jstr(r, "compare");
	const char *t = portal_t(c, cmp != NULL && strcmp(cmp, "lt") == 0 ? M_BELOW : M_UP_TO);
	/* the template has one {1} */
	const char *p = strstr(t, "{1}");
	if (p == NULL)
		snprintf(out, size, "%s", t);
	else
		snprintf(out, size, "%.*s%s%s", (int)(p - t), t, money, p + 3);
}

static const char *value_label(const pctx *c, const char *v)
{
	if (v == NULL)
		return NULL;
	if (strcmp(v, "intrinsic") == 0)
		return portal_t(c, M_VALUE_INTRINSIC);
	if (strcmp(v, "customs") == 0)
		return portal_t(c, M_VALUE_CUSTOMS);
	if (strcmp(v, "cif") == 0)
		return portal_t(c, M_VALUE_CIF);
	if (strcmp(v, "item") == 0)
		return portal_t(c, M_VALUE_ITEM);
	return v;
}

static const char *channel_label(const pctx *c, const char *ch)
{
	static const struct {
		const char *word;
		portal_msg id;
	} t[] = {{"post", M_CH_POST},
		 {"express", M_CH_EXPRESS},
		 {"courier", M_CH_COURIER},
		 {"freight", M_CH_FREIGHT}};
	for (size_t i = 0; ch != NULL && i < MLV_ARRAY_LEN(t); i++)
		if (strcmp(ch, t[i].word) == 0)
			return portal_t(c, t[i].id);
	return ch;
}

static portal_msg kind_label(const char *k)
{
	static const struct {
		const char *kind;
		portal_msg id;
	} t[] = {
		{"relief", M_KIND_RELIEF},   {"declaration", M_KIND_DECLARATION},
		{"scheme", M_KIND_SCHEME},   {"collection", M_KIND_COLLECTION},
		{"flat_duty", M_KIND_FLAT_DUTY}, {"tiered", M_KIND_TIERED},
		{"waiver", M_KIND_WAIVER},   {"cbec", M_KIND_CBEC},
		{"notice", M_KIND_NOTICE},   {"tariff", M_KIND_TARIFF},
		{"duty", M_KIND_DUTY},       {"valuation", M_KIND_VALUATION},
		{"rounding", M_KIND_ROUNDING}, {"currency", M_KIND_CURRENCY},
		{"peg", M_KIND_PEG},	     {"tax", M_KIND_TAX},
		{"fee", M_KIND_FEE},	     {"excise", M_KIND_EXCISE},
	};
	for (size_t i = 0; k != NULL && i < MLV_ARRAY_LEN(t); i++)
		if (strcmp(k, t[i].kind) == 0)
			return t[i].id;
	return M_KIND_NOTICE;
}

/* The joined strings of an array ("a, b, c"), at most size bytes. */
static void join(const cJSON *arr, const char *sep, char *out, size_t size)
{
	size_t n = 0;
	out[0] = '\0';
	const cJSON *e;
	cJSON_ArrayForEach(e, arr)
		if (cJSON_IsString(e) && n < size)
			n += (size_t)snprintf(out + n, size - n, "%s%s", n ? sep : "", e->valuestring);
}

static void h_percent(html *h, const pctx *c, const char *rate)
{
	if (rate != NULL)
		h_say(h, c, M_PERCENT, rate, NULL);
}

/* What a rule does, in one sentence. */
static void rule_sentence(html *h, const pctx *c, const cJSON *r)
{
	const char *k = jstr(r, "kind");
	char lim[96], list[300];
	if (k == NULL)
		return;
	if (strcmp(k, "relief") == 0) {
		bool duty = false, tax = false;
		const cJSON *e;
		cJSON_ArrayForEach(e, jget(r, "applies"))
		{
			duty |= cJSON_IsString(e) && strcmp(e->valuestring, "duty") == 0;
			tax |= cJSON_IsString(e) && strcmp(e->valuestring, "tax") == 0;
		}
		limit_text(c, r, "threshold", lim, sizeof(lim));
		h_say(h, c, duty && tax ? M_RELIEF_BOTH : duty ? M_RELIEF_DUTY : M_RELIEF_TAX, lim,
		      value_label(c, jstr(r, "value")), NULL);
		if (cJSON_IsTrue(jget(r, "at_sale"))) {
			h_raw(h, " <strong class=\"at-sale\">");
			h_say(h, c, M_AT_SALE, NULL);
			h_raw(h, "</strong>");
		}
	} else if (strcmp(k, "declaration") == 0) {
		limit_text(c, r, "threshold", lim, sizeof(lim));
		h_say(h, c, M_DECL, lim, jstr(r, "below"), jstr(r, "above"), NULL);
	} else if (strcmp(k, "scheme") == 0) {
		h_esc(h, jstr(r, "name"));
		if (jget(r, "ceiling") != NULL) {
			limit_text(c, r, "ceiling", lim, sizeof(lim));
			h_raw(h, ": ");
			h_esc(h, lim);
		}
		if (cJSON_IsTrue(jget(r, "border_exempt"))) {
			h_raw(h, "; ");
			h_say(h, c, M_BORDER_EXEMPT, NULL);
		}
	} else if (strcmp(k, "waiver") == 0) {
		limit_text(c, r, "threshold", lim, sizeof(lim));
		h_say(h, c, M_WAIVER, lim, NULL);
	} else if (strcmp(k, "flat_duty") == 0) {
		char amount[64];
		const cJSON *m = jget(r, "amount");
		snprintf(amount, sizeof(amount), "%s %s", jstr(m, "amount") ? jstr(m, "amount") : "",
			 jstr(m, "currency") ? jstr(m, "currency") : "");
		limit_text(c, r, "ceiling", lim, sizeof(lim));
		h_say(h, c, M_PER_ITEM, amount, lim, NULL);
	} else if (strcmp(k, "tiered") == 0) {
		const cJSON *t;
		bool first = true;
		cJSON_ArrayForEach(t, jget(r, "tiers"))
		{
			h_raw(h, first ? "" : "; ");
			first = false;
			if (jget(t, "upto") != NULL) {
				const cJSON *m = jget(t, "upto");
				char money[64];
				snprintf(money, sizeof(money), "%s %s",
					 jstr(m, "amount") ? jstr(m, "amount") : "",
					 jstr(m, "currency") ? jstr(m, "currency") : "");
				h_say(h, c, M_UP_TO, money, NULL);
				h_raw(h, ": ");
			}
			h_percent(h, c, jstr(t, "rate"));
		}
	} else if (strcmp(k, "cbec") == 0) {
		char order[64], annual[64];
		const cJSON *o = jget(r, "order_limit"), *a = jget(r, "annual_limit");
		snprintf(order, sizeof(order), "%s %s", jstr(o, "amount") ? jstr(o, "amount") : "",
			 jstr(o, "currency") ? jstr(o, "currency") : "");
		snprintf(annual, sizeof(annual), "%s %s", jstr(a, "amount") ? jstr(a, "amount") : "",
			 jstr(a, "currency") ? jstr(a, "currency") : "");
		h_say(h, c, M_CBEC_LIMITS, order, annual, NULL);
	} else if (strcmp(k, "tax") == 0 || strcmp(k, "duty") == 0 || strcmp(k, "excise") == 0 ||
		   strcmp(k, "fee") == 0) {
		if (jstr(r, "name") != NULL) {
			h_esc(h, jstr(r, "name"));
			if (jstr(r, "rate") != NULL || jget(r, "amount") != NULL)
				h_raw(h, ": ");
		}
		if (strcmp(k, "duty") == 0 && cJSON_IsFalse(jget(r, "computed")))
			h_say(h, c, M_DUTY_UNLISTED, NULL);
		h_percent(h, c, jstr(r, "rate"));
		if (jget(r, "amount") != NULL) {
			if (jstr(r, "rate") != NULL)
				h_raw(h, " + ");
			h_money(h, jget(r, "amount"));
		}
		if (jget(r, "reduced") != NULL) {
			/* "5.5000" is 5.5 */
			size_t n = 0;
			const cJSON *e;
			list[0] = '\0';
			cJSON_ArrayForEach(e, jget(r, "reduced"))
			{
				if (!cJSON_IsString(e) || n >= sizeof(list))
					continue;
				char num[32];
				snprintf(num, sizeof(num), "%s", e->valuestring);
				size_t l = strlen(num);
				while (strchr(num, '.') != NULL && l > 0 && num[l - 1] == '0')
					num[--l] = '\0';
				if (l > 0 && num[l - 1] == '.')
					num[--l] = '\0';
				n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "", num);
			}
			h_raw(h, "; ");
			h_say(h, c, M_REDUCED, list, NULL);
		}
		if (cJSON_IsTrue(jget(r, "specific_not_computed"))) {
			h_raw(h, " ");
			h_say(h, c, M_SPECIFIC_NOT_COMPUTED, NULL);
		}
	} else {
		h_esc(h, jstr(r, "name") != NULL ? jstr(r, "name")
			 : jstr(r, "file") != NULL ? jstr(r, "file")
						   : jstr(r, "currency"));
	}
}

/* The sentence, then the scope: codes, origins, channels, conditions. */
static void rule_figure(html *h, const pctx *c, const cJSON *r)
{
	char list[300];
	h_raw(h, "<p class=\"figure\">");
	rule_sentence(h, c, r);
	h_raw(h, "</p>");
	if (jget(r, "hs") != NULL) {
		join(jget(r, "hs"), ", ", list, sizeof(list));
		h_raw(h, "<p class=\"scope\">");
		h_say(h, c, M_FOR_HS, list, NULL);
		h_raw(h, "</p>");
	}
	if (jget(r, "exclude_hs") != NULL) {
		join(jget(r, "exclude_hs"), ", ", list, sizeof(list));
		h_raw(h, "<p class=\"scope\">");
		h_say(h, c, M_EXCEPT_HS, list, NULL);
		h_raw(h, "</p>");
	}
	if (jget(r, "origins") != NULL) {
		join(jget(r, "origins"), ", ", list, sizeof(list));
		h_raw(h, "<p class=\"scope\">");
		h_say(h, c, M_ONLY_ORIGINS, list, NULL);
		h_raw(h, "</p>");
	}
	if (jget(r, "exclude_origins") != NULL) {
		join(jget(r, "exclude_origins"), ", ", list, sizeof(list));
		h_raw(h, "<p class=\"scope\">");
		h_say(h, c, M_EXCEPT_ORIGINS, list, NULL);
		h_raw(h, "</p>");
	}
	if (jget(r, "channels") != NULL) {
		size_t n = 0;
		const cJSON *e;
		list[0] = '\0';
		cJSON_ArrayForEach(e, jget(r, "channels"))
			if (cJSON_IsString(e) && n < sizeof(list))
				n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "",
						      channel_label(c, e->valuestring));
		h_raw(h, "<p class=\"scope\">");
		h_say(h, c, M_ONLY_CHANNELS, list, NULL);
		h_raw(h, "</p>");
	}
	if (jstr(r, "requires_scheme") != NULL) {
		h_raw(h, "<p class=\"scope\">");
		h_say(h, c, M_REQUIRES_SCHEME, jstr(r, "requires_scheme"), NULL);
		h_raw(h, "</p>");
	}
	if (cJSON_IsTrue(jget(r, "direct_only"))) {
		h_raw(h, "<p class=\"scope\">");
		h_say(h, c, M_DIRECT_ONLY, NULL);
		h_raw(h, "</p>");
	}
}

/* The rule ids a page has given an anchor already (a relief of duty and
 * tax is listed twice, an id must stay unique). */
typedef struct anchors {
	const char *ids[128];
	size_t n;
} anchors;

static bool first_anchor(anchors *a, const char *id)
{
	if (a == NULL || id == NULL)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->ids[i], id) == 0)
			return false;
	if (a->n < MLV_ARRAY_LEN(a->ids))
		a->ids[a->n++] = id;
	return true;
}

/* One rule: what it does, when, and on which basis. */
static void h_rule(html *h, const pctx *c, const cJSON *r, anchors *a)
{
	h_raw(h, "<li class=\"rule\"");
	if (first_anchor(a, jstr(r, "id"))) {
		h_raw(h, " id=\"rule-");
		h_esc(h, jstr(r, "id"));
		h_raw(h, "\"");
	}
	h_raw(h, "><span class=\"kind\">");
	h_say(h, c, kind_label(jstr(r, "kind")), NULL);
	h_raw(h, "</span>");
	rule_figure(h, c, r);
	h_dates(h, c, r);
	h_raw(h, "<details><summary>");
	h_esc(h, portal_t(c, M_LEGAL_BASIS));
	h_raw(h, " <code>");
	h_esc(h, jstr(r, "id"));
	h_raw(h, "</code></summary><p>");
	h_esc(h, jstr(r, "basis"));
	h_raw(h, "</p>");
	if (cJSON_IsFalse(jget(r, "verified"))) {
		h_raw(h, "<p class=\"unverified\">");
		h_say(h, c, M_UNVERIFIED, NULL);
		h_raw(h, "</p>");
	}
	if (jstr(r, "note") != NULL) {
		h_raw(h, "<p class=\"note\">");
		h_esc(h, jstr(r, "note"));
		h_raw(h, "</p>");
	}
	h_raw(h, "<ul class=\"sources\">");
	const cJSON *s;
	cJSON_ArrayForEach(s, jget(r, "sources"))
	{
		h_raw(h, "<li>");
		h_url(h, cJSON_IsString(s) ? s->valuestring : NULL);
		h_raw(h, "</li>");
	}
	h_raw(h, "</ul></details></li>\n");
}

static void h_rules(html *h, const pctx *c, const cJSON *arr, portal_msg none, anchors *a)
{
	if (cJSON_GetArraySize(arr) == 0) {
		h_raw(h, "<p class=\"none\">");
		h_say(h, c, none, NULL);
		h_raw(h, "</p>\n");
		return;
	}
	h_raw(h, "<ul class=\"rules\">\n");
	const cJSON *r;
	cJSON_ArrayForEach(r, arr)
		h_rule(h, c, r, a);
	h_raw(h, "</ul>\n");
}

/* ---- home ------------------------------------------------------------------------------ */

static void search_form(html *h, pctx *c, const char *q, const char *to)
{
	h_raw(h, "<form class=\"search\" method=\"get\" action=\"/portal/search\" role=\"search\">"
		 "<label for=\"q\">");
	h_esc(h, portal_t(c, M_SEARCH_LABEL));
	h_raw(h, "</label><div class=\"row\"><input type=\"search\" id=\"q\" name=\"q\" "
		 "maxlength=\"200\" autocomplete=\"off\" data-suggest=\"hs\" "
		 "aria-describedby=\"q-hint\" value=\"");
	h_esc(h, q != NULL ? q : "");
	h_raw(h, "\"><button type=\"submit\">");
	h_esc(h, portal_t(c, M_SEARCH_BUTTON));
	h_raw(h, "</button></div><p class=\"hint\" id=\"q-hint\">");
	h_say(h, c, M_SEARCH_HINT, NULL);
	h_raw(h, "</p><label for=\"to\">");
	h_esc(h, portal_t(c, M_DESTINATION));
	h_raw(h, "</label>");
	portal_destination_select(h, c, "to", to, true);
	h_raw(h, "</form>\n");
}

int portal_page_home(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	pctx c;
	if (!portal_begin(&c, s, req, resp, true))
		return 0;
	int64_t latest = 0, when = 0;
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_portal_latest(st, &latest, &when);
	api_reader_release(s, st);
	if (rc != 0)
		return model_failed(&c);
	html h = {&resp->body, 0};
	portal_page_begin(&h, &c, portal_t(&c, M_HOME_TITLE), "/portal");
	h_raw(&h, "<h1>");
	h_esc(&h, portal_t(&c, M_HOME_TITLE));
	h_raw(&h, "</h1>\n<p class=\"lead\">");
	const mlv_profiles *ps = portal_profiles(c.p);
	char n[16];
	snprintf(n, sizeof(n), "%zu", mlv_profiles_count(ps));
	h_say(&h, &c, M_HOME_INTRO, n, NULL);
	h_raw(&h, "</p>\n");
	search_form(&h, &c, NULL, NULL);
	h_raw(&h, "<p class=\"actions\"><a class=\"button\" href=\"/portal/calculator\">");
	h_esc(&h, portal_t(&c, M_CALC_TITLE));
	h_raw(&h, "</a> <a class=\"button\" href=\"/portal/compare\">");
	h_esc(&h, portal_t(&c, M_COMPARE_TITLE));
	h_raw(&h, "</a></p>\n<section aria-labelledby=\"countries\"><h2 id=\"countries\">");
	h_esc(&h, portal_t(&c, M_HOME_DESTINATIONS));
	h_raw(&h, "</h2>\n<ul class=\"countries\">\n");
	for (size_t i = 0; i < mlv_profiles_count(ps); i++) {
		const mlv_profile *p = mlv_profiles_at(ps, i);
		const char *code = mlv_profile_code(p);
		h_raw(&h, "<li><a href=\"/portal/countries/");
		h_esc(&h, code);
		h_raw(&h, "\"><span class=\"code\">");
		h_esc(&h, code);
		h_raw(&h, "</span> ");
		h_esc(&h, portal_name(&c, code));
		h_raw(&h, "</a> <span class=\"currency\">");
		h_esc(&h, mlv_profile_currency(p, c.today));
		h_raw(&h, "</span></li>\n");
	}
	h_raw(&h, "</ul>\n</section>\n<p class=\"version\" id=\"texts-version\">");
	if (latest > 0) {
		char v[24], t[32];
		snprintf(v, sizeof(v), "%lld", (long long)latest);
		api_ms_to_rfc3339(when, t);
		t[10] = '\0';
		h_say(&h, &c, M_HOME_VERSION, v, t, NULL);
		h_raw(&h, " <a href=\"/portal/changes\">");
		h_esc(&h, portal_t(&c, M_NAV_CHANGES));
		h_raw(&h, "</a>");
	} else {
		h_say(&h, &c, M_HOME_BASELINE, NULL);
	}
	h_raw(&h, "</p>\n");
	portal_page_end(&h, &c);
	return finish(&c, &h);
}

/* ---- search ---------------------------------------------------------------------------- */

static const char *level_label(const pctx *c, int level)
{
	return portal_t(c, level == 2 ? M_LEVEL_2 : level == 4 ? M_LEVEL_4 : M_LEVEL_6);
}

int portal_page_search(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	pctx c;
	if (!portal_begin(&c, s, req, resp, true))
		return 0;
	const char *q = mlv_req_query(req, "q");
	const char *to = mlv_req_query(req, "to");
	if (to != NULL && portal_destination(&c, to) == NULL)
		to = NULL;
	char query[MLV_HS_QUERY_MAX + 1] = "";
	if (q != NULL) {
		/* a longer one is cut, at a character's start */
		size_t n = strlen(q);
		if (n > MLV_HS_QUERY_MAX) {
			n = MLV_HS_QUERY_MAX;
			while (n > 0 && ((unsigned char)q[n] & 0xC0) == 0x80)
				n--;
		}
		memcpy(query, q, n);
		query[n] = '\0';
	}
	int status = 200;
	cJSON *m = query[0] ? portal_model_search(&c, query, 50, &status) : NULL;
	if (query[0] && m == NULL && status == 200)
		return model_failed(&c);
	html h = {&resp->body, 0};
	portal_page_begin(&h, &c, portal_t(&c, M_SEARCH_TITLE), "/portal/search");
	h_raw(&h, "<h1>");
	h_esc(&h, portal_t(&c, M_SEARCH_TITLE));
	h_raw(&h, "</h1>\n");
	search_form(&h, &c, query, to);
	if (m != NULL) {
		const cJSON *res = jget(m, "results");
		char total[24];
		snprintf(total, sizeof(total), "%d", (int)cJSON_GetNumberValue(jget(m, "total")));
		h_raw(&h, "<section aria-labelledby=\"results\"><h2 id=\"results\" "
			  "aria-live=\"polite\">");
		if (cJSON_GetArraySize(res) == 0)
			h_say(&h, &c, M_SEARCH_NONE, query, NULL);
		else
			h_say(&h, &c, M_SEARCH_RESULTS, total, query, NULL);
		h_raw(&h, "</h2>\n");
		if (cJSON_IsTrue(jget(m, "partial"))) {
			h_raw(&h, "<p class=\"hint\">");
			h_say(&h, &c, M_SEARCH_PARTIAL, NULL);
			h_raw(&h, "</p>\n");
		}
		if (c.lang != LANG_EN) {
			h_raw(&h, "<p class=\"hint\">");
			h_say(&h, &c, M_SEARCH_ENGLISH, NULL);
			h_raw(&h, "</p>\n");
		}
		h_raw(&h, "<ol class=\"hits\">\n");
		const cJSON *e;
		cJSON_ArrayForEach(e, res)
		{
			h_raw(&h, "<li><a href=\"/portal/codes/");
			h_esc(&h, jstr(e, "code"));
			if (to != NULL) {
				h_raw(&h, "?to=");
				h_esc(&h, to);
			}
			h_raw(&h, "\"><span class=\"code\">");
			h_esc(&h, jstr(e, "display"));
			h_raw(&h, "</span> <span class=\"level\">");
			h_esc(&h, level_label(&c, (int)cJSON_GetNumberValue(jget(e, "level"))));
			h_raw(&h, "</span></a> <span class=\"desc\" lang=\"en\">");
			h_esc(&h, jstr(e, "description"));
			h_raw(&h, "</span>");
			const char *hd = jstr(e, "heading"), *ds = jstr(e, "description");
			size_t fw = ds != NULL ? strcspn(ds, " ,;") : 0;
			/* the heading, when the subheading's text does not start alike */
			if (hd != NULL && (fw == 0 || strncmp(hd, ds, fw) != 0)) {
				h_raw(&h, "<br><span class=\"heading\" lang=\"en\">");
				h_esc(&h, jstr(e, "heading"));
				h_raw(&h, "</span>");
			}
			h_raw(&h, "</li>\n");
		}
		h_raw(&h, "</ol>\n</section>\n");
	} else if (status == 400) {
		h_raw(&h, "<p class=\"error\" role=\"alert\">");
		h_say(&h, &c, M_SEARCH_NONE, query, NULL);
		h_raw(&h, "</p>\n");
	}
	cJSON_Delete(m);
	portal_page_end(&h, &c);
	return finish(&c, &h);
}

/* ---- one code at one destination --------------------------------------------------------- */

static void h_restriction(html *h, const pctx *c, const cJSON *e)
{
	bool prohibited = jstr(e, "kind") != NULL && strcmp(jstr(e, "kind"), "prohibited") == 0;
	h_raw(h, "<li class=\"restriction ");
	h_raw(h, prohibited ? "prohibited" : "restricted");
	h_raw(h, "\" id=\"restriction-");
	h_esc(h, jstr(e, "id"));
	h_raw(h, "\"><p><strong class=\"badge\">");
	h_esc(h, portal_t(c, prohibited ? M_PROHIBITED : M_RESTRICTED));
	h_raw(h, "</strong> <code>");
	h_esc(h, jstr(e, "id"));
	h_raw(h, "</code> &middot; ");
	h_esc(h, portal_t(c, M_LIST));
	h_raw(h, ": ");
	h_esc(h, jstr(e, "list_name"));
	h_raw(h, "</p><dl>");
	if (jstr(e, "agency") != NULL) {
		h_raw(h, "<dt>");
		h_esc(h, portal_t(c, M_AGENCY));
		h_raw(h, "</dt><dd class=\"agency\">");
		h_esc(h, jstr(e, "agency"));
		h_raw(h, "</dd>");
	}
	if (jstr(e, "permit") != NULL) {
		h_raw(h, "<dt>");
		h_esc(h, portal_t(c, M_PERMIT));
		h_raw(h, "</dt><dd class=\"permit\">");
		h_esc(h, jstr(e, "permit"));
		h_raw(h, "</dd>");
	}
	h_raw(h, "<dt>");
	h_esc(h, portal_t(c, M_LEGAL_BASIS));
	h_raw(h, "</dt><dd><ul class=\"basis\">");
	const cJSON *b;
	cJSON_ArrayForEach(b, jget(e, "basis"))
	{
		h_raw(h, "<li>");
		h_url(h, cJSON_IsString(b) ? b->valuestring : NULL);
		h_raw(h, "</li>");
	}
	h_raw(h, "</ul></dd></dl>");
	const cJSON *cond = jget(e, "conditions");
	char list[600];
	const char *match = jstr(e, "match");
	if (match != NULL && strcmp(match, "within") == 0) {
		join(jget(cond, "hs"), ", ", list, sizeof(list));
		h_raw(h, "<p class=\"scope\">");
		h_say(h, c, M_WITHIN, list, NULL);
		h_raw(h, "</p>");
	}
	if (match != NULL && strcmp(match, "words") == 0) {
		h_raw(h, "<p class=\"scope\">");
		h_say(h, c, M_BY_WORDS, jstr(e, "word"), NULL);
		h_raw(h, "</p>");
	} else if (cJSON_GetArraySize(jget(cond, "words")) > 0) {
		join(jget(cond, "words"), ", ", list, sizeof(list));
		h_raw(h, "<p class=\"scope\">");
		h_say(h, c, M_ONLY_WORDS, list, NULL);
		h_raw(h, "</p>");
	}
	if (cJSON_GetArraySize(jget(cond, "channels")) > 0) {
		size_t n = 0;
		const cJSON *ch;
		list[0] = '\0';
		cJSON_ArrayForEach(ch, jget(cond, "channels"))
			if (cJSON_IsString(ch) && n < sizeof(list))
				n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "",
						      channel_label(c, ch->valuestring));
		h_raw(h, "<p class=\"scope\">");
		h_say(h, c, M_ONLY_CHANNELS, list, NULL);
		h_raw(h, "</p>");
	}
	if (cJSON_IsTrue(jget(cond, "other"))) {
		h_raw(h, "<p class=\"scope\">");
		h_say(h, c, M_OTHER_CRITERIA, NULL);
		h_raw(h, "</p>");
	}
	h_raw(h, "</li>\n");
}


void portal_restrictions_html(html *h, const pctx *c, const cJSON *arr)
{
	h_raw(h, "<ul class=\"restrictions\">\n");
	const cJSON *e;
	cJSON_ArrayForEach(e, arr)
		h_restriction(h, c, e);
	h_raw(h, "</ul>\n");
}

static void h_rule_ref(html *h, const pctx *c, const cJSON *ref)
{
	if (!cJSON_IsObject(ref))
		return;
	h_raw(h, "<details><summary>");
	h_esc(h, portal_t(c, M_LEGAL_BASIS));
	h_raw(h, " <code>");
	h_esc(h, jstr(ref, "id"));
	h_raw(h, "</code></summary><p>");
	h_esc(h, jstr(ref, "basis"));
	h_raw(h, "</p>");
	if (jstr(ref, "note") != NULL) {
		h_raw(h, "<p class=\"note\">");
		h_esc(h, jstr(ref, "note"));
		h_raw(h, "</p>");
	}
	h_raw(h, "<ul class=\"sources\">");
	const cJSON *s;
	cJSON_ArrayForEach(s, jget(ref, "sources"))
	{
		h_raw(h, "<li>");
		h_url(h, cJSON_IsString(s) ? s->valuestring : NULL);
		h_raw(h, "</li>");
	}
	h_raw(h, "</ul></details>");
}

static void h_thresholds_brief(html *h, const pctx *c, const cJSON *summary)
{
	static const struct {
		const char *key;
		portal_msg label;
	} rows[] = {{"duty_thresholds", M_TH_DUTY},
		    {"tax_thresholds", M_TH_TAX},
		    {"declaration_thresholds", M_TH_DECLARATION}};
	h_raw(h, "<dl class=\"thresholds\">");
	for (size_t i = 0; i < MLV_ARRAY_LEN(rows); i++) {
		h_raw(h, "<dt>");
		h_esc(h, portal_t(c, rows[i].label));
		h_raw(h, "</dt>");
		const cJSON *arr = jget(summary, rows[i].key), *r;
		if (cJSON_GetArraySize(arr) == 0) {
			h_raw(h, "<dd>");
			h_esc(h, portal_t(c, M_TH_NONE));
			h_raw(h, "</dd>");
		}
		cJSON_ArrayForEach(r, arr)
		{
			h_raw(h, "<dd>");
			char lim[96];
			limit_text(c, r, "threshold", lim, sizeof(lim));
			h_esc(h, lim);
			if (cJSON_IsTrue(jget(r, "at_sale"))) {
				h_raw(h, " (");
				h_say(h, c, M_AT_SALE, NULL);
				h_raw(h, ")");
			}
			if (jstr(r, "below") != NULL) {
				h_raw(h, ": ");
				h_esc(h, jstr(r, "below"));
			}
			h_raw(h, "</dd>");
		}
	}
	h_raw(h, "</dl>");
}

int portal_page_code(mlv_server *s, mlv_req *req, mlv_resp *resp, const char *code)
{
	pctx c;
	int32_t day;
	char hs[11];
	if (!portal_begin(&c, s, req, resp, true) || !portal_day(&c, &day, true))
		return 0;
	if (!portal_code_parse(code, hs))
		return portal_error_page(&c, 404, portal_t(&c, M_CODE_UNKNOWN));
	const char *to = mlv_req_query(req, "to"), *origin = mlv_req_query(req, "origin");
	const mlv_profile *dest = to != NULL ? portal_destination(&c, to) : NULL;
	if (origin != NULL && (strlen(origin) != 2 || !mlv_country_exists(portal_refdata(c.p), origin)))
		origin = NULL;
	cJSON *m = portal_model_code(&c, hs, dest, origin, day);
	if (m == NULL)
		return c.rc != 0 ? model_failed(&c)
				 : portal_error_page(&c, 404, portal_t(&c, M_CODE_UNKNOWN));
	if (c.rc != 0) {
		cJSON_Delete(m);
		return model_failed(&c);
	}
	html h = {&resp->body, 0};
	char title[64];
	snprintf(title, sizeof(title), "%s", jstr(m, "display"));
	portal_page_begin(&h, &c, title, NULL);
	/* where it sits in the nomenclature */
	h_raw(&h, "<nav class=\"crumbs\" aria-label=\"HS\"><ol>");
	const cJSON *e;
	cJSON_ArrayForEach(e, jget(m, "path"))
	{
		h_raw(&h, "<li><a href=\"/portal/codes/");
		h_esc(&h, jstr(e, "code"));
		if (dest != NULL) {
			h_raw(&h, "?to=");
			h_esc(&h, mlv_profile_code(dest));
		}
		h_raw(&h, "\">");
		h_esc(&h, jstr(e, "display"));
		h_raw(&h, "</a> <span lang=\"en\">");
		h_esc(&h, jstr(e, "description"));
		h_raw(&h, "</span></li>");
	}
	h_raw(&h, "</ol></nav>\n<h1><span class=\"code\" id=\"code\">");
	h_say(&h, &c, M_CODE_TITLE, jstr(m, "display"), NULL);
	h_raw(&h, "</span> <span class=\"desc\" lang=\"en\">");
	h_esc(&h, jstr(m, "description"));
	h_raw(&h, "</span></h1>\n<p class=\"level\">");
	h_esc(&h, level_label(&c, (int)cJSON_GetNumberValue(jget(m, "level"))));
	h_raw(&h, "</p>\n");
	if (cJSON_GetArraySize(jget(m, "children")) > 0) {
		h_raw(&h, "<section aria-labelledby=\"children\"><h2 id=\"children\">");
		h_esc(&h, portal_t(&c, M_CODE_CHILDREN));
		h_raw(&h, "</h2><ul class=\"hits\">");
		cJSON_ArrayForEach(e, jget(m, "children"))
		{
			h_raw(&h, "<li><a href=\"/portal/codes/");
			h_esc(&h, jstr(e, "code"));
			if (dest != NULL) {
				h_raw(&h, "?to=");
				h_esc(&h, mlv_profile_code(dest));
			}
			h_raw(&h, "\"><span class=\"code\">");
			h_esc(&h, jstr(e, "display"));
			h_raw(&h, "</span></a> <span class=\"desc\" lang=\"en\">");
			h_esc(&h, jstr(e, "description"));
			h_raw(&h, "</span></li>");
		}
		h_raw(&h, "</ul></section>\n");
	}
	/* choose a destination (and an origin, which can change the duty) */
	h_raw(&h, "<form class=\"pick\" method=\"get\" action=\"/portal/codes/");
	h_esc(&h, hs);
	h_raw(&h, "\"><label for=\"to\">");
	h_esc(&h, portal_t(&c, M_DESTINATION));
	h_raw(&h, "</label>");
	portal_destination_select(&h, &c, "to", dest != NULL ? mlv_profile_code(dest) : NULL, true);
	h_raw(&h, "<label for=\"origin\">");
	h_esc(&h, portal_t(&c, M_ORIGIN));
	h_raw(&h, "</label>");
	origin_select(&h, &c, origin);
	h_raw(&h, "<button type=\"submit\">");
	h_esc(&h, portal_t(&c, M_SHOW));
	h_raw(&h, "</button></form>\n");
	if (dest == NULL) {
		h_raw(&h, "<p class=\"hint\">");
		h_say(&h, &c, M_CODE_PICK, NULL);
		h_raw(&h, "</p>\n");
	} else {
		const char *dc = mlv_profile_code(dest);
		h_raw(&h, "<section class=\"at\" aria-labelledby=\"at\"><h2 id=\"at\">");
		h_say(&h, &c, M_CODE_IN, portal_name(&c, dc), NULL);
		h_raw(&h, "</h2>\n<dl class=\"rates\">");
		const cJSON *duty = jget(m, "duty");
		if (duty != NULL) {
			h_raw(&h, "<dt>");
			h_esc(&h, portal_t(&c, M_DUTY_RATE));
			h_raw(&h, "</dt><dd id=\"duty-rate\">");
			if (cJSON_IsTrue(jget(duty, "computed")))
				h_percent(&h, &c, jstr(duty, "rate"));
			else
				h_say(&h, &c, M_DUTY_NOT_COMPUTED, NULL);
			if (jstr(duty, "tariff_code") != NULL) {
				h_raw(&h, " <span class=\"hint\">");
				h_say(&h, &c, M_TARIFF_LINE, jstr(duty, "tariff_code"), NULL);
				h_raw(&h, "</span>");
			}
			if (jstr(duty, "specific") != NULL) {
				h_raw(&h, "<br>");
				h_say(&h, &c, M_DUTY_SPECIFIC, jstr(duty, "specific"), NULL);
			}
			h_rule_ref(&h, &c, jget(duty, "rule"));
			h_raw(&h, "</dd>");
			const cJSON *tax = jget(m, "tax");
			h_raw(&h, "<dt>");
			h_say(&h, &c, M_TAX_RATE, jstr(tax, "name") ? jstr(tax, "name") : "-", NULL);
			h_raw(&h, "</dt><dd id=\"tax-rate\">");
			if (jstr(tax, "rate") != NULL)
				h_percent(&h, &c, jstr(tax, "rate"));
			else
				h_say(&h, &c, M_TAX_NONE, NULL);
			h_rule_ref(&h, &c, jget(tax, "rule"));
			h_raw(&h, "</dd>");
			cJSON_ArrayForEach(e, jget(m, "excise"))
			{
				h_raw(&h, "<dt>");
				h_esc(&h, portal_t(&c, M_EXCISE));
				h_raw(&h, "</dt><dd>");
				h_esc(&h, jstr(e, "name"));
				if (jstr(e, "rate") != NULL) {
					h_raw(&h, ": ");
					h_percent(&h, &c, jstr(e, "rate"));
				}
				if (cJSON_IsTrue(jget(e, "specific_not_computed"))) {
					h_raw(&h, " ");
					h_say(&h, &c, M_SPECIFIC_NOT_COMPUTED, NULL);
				}
				h_rule_ref(&h, &c, jget(e, "rule"));
				h_raw(&h, "</dd>");
			}
		}
		h_raw(&h, "</dl>\n<h3>");
		h_esc(&h, portal_t(&c, M_THRESHOLDS));
		h_raw(&h, "</h3>");
		h_thresholds_brief(&h, &c, jget(m, "destination"));
		h_raw(&h, "<h3 id=\"restrictions\">");
		h_esc(&h, portal_t(&c, M_RESTRICTIONS));
		h_raw(&h, "</h3>\n");
		if (cJSON_GetArraySize(jget(m, "restrictions")) == 0) {
			h_raw(&h, "<p class=\"none\">");
			h_say(&h, &c, M_RESTRICTIONS_NONE, NULL);
			h_raw(&h, "</p>\n");
		} else {
			portal_restrictions_html(&h, &c, jget(m, "restrictions"));
		}
		if (cJSON_GetArraySize(jget(m, "requirements")) > 0) {
			h_raw(&h, "<h3>");
			h_esc(&h, portal_t(&c, M_REQUIREMENTS));
			h_raw(&h, "</h3><ul class=\"requirements\">");
			cJSON_ArrayForEach(e, jget(m, "requirements"))
			{
				char disp[20];
				portal_code_format(jstr(e, "hs") ? jstr(e, "hs") : "", disp, sizeof(disp));
				h_raw(&h, "<li><span class=\"code\">");
				h_esc(&h, disp);
				h_raw(&h, "</span> ");
				h_esc(&h, jstr(e, "text"));
				h_raw(&h, "</li>");
			}
			h_raw(&h, "</ul>\n");
		}
		const cJSON *links = jget(m, "links");
		h_raw(&h, "<p class=\"actions\"><a class=\"button\" href=\"");
		h_esc(&h, jstr(links, "calculator"));
		if (origin != NULL) {
			h_raw(&h, "&amp;origin=");
			h_esc(&h, origin);
		}
		h_raw(&h, "\">");
		h_esc(&h, portal_t(&c, M_CALC_THIS));
		h_raw(&h, "</a> <a href=\"");
		h_esc(&h, jstr(links, "country"));
		h_raw(&h, "\">");
		h_say(&h, &c, M_COUNTRY_TITLE, portal_name(&c, dc), NULL);
		h_raw(&h, "</a></p>\n</section>\n");
	}
	cJSON_Delete(m);
	portal_page_end(&h, &c);
	return finish(&c, &h);
}

/* ---- a country ----------------------------------------------------------------------------- */

static void h_contacts(html *h, const pctx *c, const cJSON *arr, const char *id)
{
	h_raw(h, "<ul class=\"contacts\"");
	if (id != NULL) {
		h_raw(h, " id=\"");
		h_raw(h, id);
		h_raw(h, "\"");
	}
	h_raw(h, ">");
	const cJSON *e;
	cJSON_ArrayForEach(e, arr)
	{
		h_raw(h, "<li><strong>");
		h_esc(h, jstr(e, "name"));
		h_raw(h, "</strong>");
		if (jstr(e, "email") != NULL) {
			h_raw(h, " <a href=\"mailto:");
			h_esc(h, jstr(e, "email"));
			h_raw(h, "\">");
			h_esc(h, jstr(e, "email"));
			h_raw(h, "</a>");
		}
		if (jstr(e, "phone") != NULL) {
			h_raw(h, " <a href=\"tel:");
			h_esc(h, jstr(e, "phone"));
			h_raw(h, "\">");
			h_esc(h, jstr(e, "phone"));
			h_raw(h, "</a>");
		}
		if (jstr(e, "url") != NULL) {
			h_raw(h, " ");
			h_url(h, jstr(e, "url"));
		}
		h_raw(h, "</li>");
	}
	h_raw(h, "</ul>\n");
}

/* Text with line breaks kept: one paragraph per blank-line block. */
static void h_paragraphs(html *h, const char *text, const char *cls)
{
	if (text == NULL)
		return;
	h_raw(h, "<div class=\"");
	h_raw(h, cls);
	h_raw(h, "\"><p>");
	for (const char *p = text; *p; p++) {
		if (p[0] == '\n' && p[1] == '\n') {
			h_raw(h, "</p><p>");
			while (p[1] == '\n')
				p++;
		} else if (p[0] == '\n') {
			h_raw(h, "<br>");
		} else {
			char one[2] = {*p, '\0'};
			h_esc(h, one);
		}
	}
	h_raw(h, "</p></div>\n");
}

static void h_requirements(html *h, const cJSON *arr)
{
	h_raw(h, "<ul class=\"requirements\">");
	const cJSON *e;
	cJSON_ArrayForEach(e, arr)
	{
		char disp[20];
		portal_code_format(jstr(e, "hs") ? jstr(e, "hs") : "", disp, sizeof(disp));
		h_raw(h, "<li><a class=\"code\" href=\"/portal/codes/");
		h_esc(h, jstr(e, "hs"));
		h_raw(h, "\">");
		h_esc(h, disp);
		h_raw(h, "</a> ");
		h_esc(h, jstr(e, "text"));
		h_raw(h, "</li>");
	}
	h_raw(h, "</ul>\n");
}

/* The published texts of one code (the country's or its union's). */
static void h_texts(html *h, const pctx *c, const cJSON *t, const char *prefix)
{
	char id[48];
	if (jstr(t, "notes") != NULL) {
		h_raw(h, "<h3>");
		h_esc(h, portal_t(c, M_NOTES));
		h_raw(h, "</h3>");
		h_paragraphs(h, jstr(t, "notes"), "notes");
	}
	if (cJSON_GetArraySize(jget(t, "requirements")) > 0) {
		h_raw(h, "<h3>");
		h_esc(h, portal_t(c, M_REQUIREMENTS));
		h_raw(h, "</h3>");
		h_requirements(h, jget(t, "requirements"));
	}
	const cJSON *mem = jget(t, "members");
	if (cJSON_IsObject(mem)) {
		snprintf(id, sizeof(id), "%smembers", prefix);
		h_raw(h, "<section class=\"members\" id=\"");
		h_raw(h, id);
		h_raw(h, "\"><h3>");
		h_esc(h, portal_t(c, M_MEMBERS));
		h_raw(h, "</h3>");
		if (jstr(mem, "internal_notes") != NULL) {
			h_raw(h, "<h4>");
			h_esc(h, portal_t(c, M_INTERNAL_NOTES));
			h_raw(h, "</h4>");
			h_paragraphs(h, jstr(mem, "internal_notes"), "internal-notes");
		}
		if (cJSON_GetArraySize(jget(mem, "contact_points")) > 0) {
			h_raw(h, "<h4>");
			h_esc(h, portal_t(c, M_CONTACT_POINTS));
			h_raw(h, "</h4>");
			snprintf(id, sizeof(id), "%scontact-points", prefix);
			h_contacts(h, c, jget(mem, "contact_points"), id);
		}
		if (cJSON_GetArraySize(jget(mem, "pending_changes")) > 0) {
			h_raw(h, "<h4>");
			h_esc(h, portal_t(c, M_PENDING));
			h_raw(h, "</h4><ul class=\"pending\">");
			const cJSON *e;
			cJSON_ArrayForEach(e, jget(mem, "pending_changes"))
			{
				h_raw(h, "<li>");
				if (jstr(e, "date") != NULL) {
					h_raw(h, "<time>");
					h_esc(h, jstr(e, "date"));
					h_raw(h, "</time> ");
				}
				h_esc(h, jstr(e, "text"));
				h_raw(h, "</li>");
			}
			h_raw(h, "</ul>");
		}
		h_raw(h, "</section>\n");
	}
}

static const cJSON *rule_by_id(const cJSON *m, const char *id)
{
	static const char *const groups[] = {"duty_thresholds", "tax_thresholds",
					     "declaration_thresholds", "schemes", "other"};
	for (size_t g = 0; g < MLV_ARRAY_LEN(groups); g++) {
		const cJSON *r;
		cJSON_ArrayForEach(r, jget(m, groups[g]))
			if (jstr(r, "id") != NULL && id != NULL && strcmp(jstr(r, "id"), id) == 0)
				return r;
	}
	return NULL;
}

static void section_open(html *h, const pctx *c, const char *id, portal_msg title)
{
	h_raw(h, "<section aria-labelledby=\"");
	h_raw(h, id);
	h_raw(h, "\"><h2 id=\"");
	h_raw(h, id);
	h_raw(h, "\">");
	h_esc(h, portal_t(c, title));
	h_raw(h, "</h2>\n");
}

int portal_page_country(mlv_server *s, mlv_req *req, mlv_resp *resp, const char *code)
{
	pctx c;
	int32_t day;
	if (!portal_begin(&c, s, req, resp, true) || !portal_day(&c, &day, true))
		return 0;
	const mlv_profile *p = portal_destination(&c, code);
	if (p == NULL)
		return portal_error_page(&c, 404, portal_t(&c, M_NOT_FOUND));
	cJSON *m = portal_model_country(&c, p, day);
	if (m == NULL || c.rc != 0) {
		cJSON_Delete(m);
		return model_failed(&c);
	}
	const char *cc = mlv_profile_code(p);
	anchors anchors_seen = {{0}, 0};
	html h = {&resp->body, 0};
	portal_page_begin(&h, &c, portal_name(&c, cc), "/portal");
	h_raw(&h, "<h1>");
	h_say(&h, &c, M_COUNTRY_TITLE, portal_name(&c, cc), NULL);
	h_raw(&h, "</h1>\n<dl class=\"facts\"><dt>");
	h_esc(&h, portal_t(&c, M_CURRENCY));
	h_raw(&h, "</dt><dd id=\"currency\">");
	h_esc(&h, jstr(m, "currency"));
	h_raw(&h, "</dd>");
	if (jstr(m, "union") != NULL) {
		h_raw(&h, "<dt>");
		h_esc(&h, portal_t(&c, M_UNION));
		h_raw(&h, "</dt><dd>");
		h_esc(&h, portal_name(&c, jstr(m, "union")));
		h_raw(&h, "</dd>");
	}
	h_raw(&h, "<dt>");
	h_esc(&h, portal_t(&c, M_TAX_NAME));
	h_raw(&h, "</dt><dd>");
	if (jstr(m, "tax_name") != NULL) {
		h_esc(&h, jstr(m, "tax_name"));
		if (jstr(m, "standard_tax_rate") != NULL) {
			h_raw(&h, ", ");
			h_esc(&h, portal_t(&c, M_STANDARD_RATE));
			h_raw(&h, " ");
			h_percent(&h, &c, jstr(m, "standard_tax_rate"));
		}
	} else {
		h_say(&h, &c, M_TAX_NONE, NULL);
	}
	h_raw(&h, "</dd><dt>");
	h_esc(&h, portal_t(&c, M_VALUATION));
	h_raw(&h, "</dt><dd>");
	h_esc(&h, jstr(m, "valuation") != NULL && strcmp(jstr(m, "valuation"), "fob") == 0
			  ? "FOB"
			  : "CIF");
	h_raw(&h, "</dd><dt>");
	h_esc(&h, portal_t(&c, M_DATE));
	h_raw(&h, "</dt><dd><form class=\"inline\" method=\"get\"><label class=\"visually-hidden\" "
		  "for=\"date\">");
	h_esc(&h, portal_t(&c, M_DATE));
	h_raw(&h, "</label><input type=\"date\" id=\"date\" name=\"date\" value=\"");
	h_esc(&h, jstr(m, "date"));
	h_raw(&h, "\"><button type=\"submit\">");
	h_esc(&h, portal_t(&c, M_SHOW));
	h_raw(&h, "</button></form></dd></dl>\n");
	if (jstr(m, "note") != NULL) {
		h_raw(&h, "<p class=\"note\">");
		h_esc(&h, jstr(m, "note"));
		h_raw(&h, "</p>\n");
	}

	section_open(&h, &c, "thresholds", M_THRESHOLDS);
	h_raw(&h, "<h3>");
	h_esc(&h, portal_t(&c, M_TH_DUTY));
	h_raw(&h, "</h3>");
	h_rules(&h, &c, jget(m, "duty_thresholds"), M_TH_NONE, &anchors_seen);
	h_raw(&h, "<h3>");
	h_esc(&h, portal_t(&c, M_TH_TAX));
	h_raw(&h, "</h3>");
	h_rules(&h, &c, jget(m, "tax_thresholds"), M_TH_NONE, &anchors_seen);
	h_raw(&h, "<h3>");
	h_esc(&h, portal_t(&c, M_TH_DECLARATION));
	h_raw(&h, "</h3>");
	h_rules(&h, &c, jget(m, "declaration_thresholds"), M_TH_NONE, &anchors_seen);
	h_raw(&h, "</section>\n");

	section_open(&h, &c, "schemes", M_SCHEMES);
	h_rules(&h, &c, jget(m, "schemes"), M_SCHEMES_NONE, &anchors_seen);
	h_raw(&h, "</section>\n");

	const cJSON *texts = jget(m, "texts"), *utexts = jget(m, "union_texts");
	section_open(&h, &c, "facilitation", M_FACILITATION);
	h_raw(&h, "<h3>");
	h_esc(&h, portal_t(&c, M_FACILITATION_RULES));
	h_raw(&h, "</h3><ul class=\"facilitation\">");
	const cJSON *e;
	cJSON_ArrayForEach(e, jget(m, "facilitation"))
	{
		const cJSON *r = rule_by_id(m, jstr(e, "id"));
		h_raw(&h, "<li><a href=\"#rule-");
		h_esc(&h, jstr(e, "id"));
		h_raw(&h, "\">");
		h_say(&h, &c, kind_label(jstr(e, "kind")), NULL);
		h_raw(&h, "</a>");
		if (r != NULL) {
			h_raw(&h, ": ");
			rule_sentence(&h, &c, r);
		}
		h_raw(&h, "</li>");
	}
	h_raw(&h, "</ul>\n");
	const cJSON *sets[2] = {texts, utexts};
	bool published = false;
	for (size_t k = 0; k < 2; k++)
		published |= cJSON_GetArraySize(jget(sets[k], "facilitation")) > 0;
	if (published) {
		h_raw(&h, "<h3>");
		h_esc(&h, portal_t(&c, M_FACILITATION_PUBLISHED));
		h_raw(&h, "</h3><ul class=\"facilitation published\" id=\"facilitation-published\">");
		for (size_t k = 0; k < 2; k++)
			cJSON_ArrayForEach(e, jget(sets[k], "facilitation"))
			{
				h_raw(&h, "<li>");
				h_esc(&h, cJSON_IsString(e) ? e->valuestring : NULL);
				h_raw(&h, "</li>");
			}
		h_raw(&h, "</ul>\n");
	}
	h_raw(&h, "</section>\n");

	section_open(&h, &c, "contacts", M_CONTACTS);
	bool any_contact = false;
	for (size_t k = 0; k < 2; k++)
		if (cJSON_GetArraySize(jget(sets[k], "contacts")) > 0) {
			h_contacts(&h, &c, jget(sets[k], "contacts"), k == 0 ? "contacts-list" : NULL);
			any_contact = true;
		}
	if (!any_contact) {
		h_raw(&h, "<p class=\"none\">");
		h_say(&h, &c, M_CONTACTS_NONE, NULL);
		h_raw(&h, "</p>");
	}
	h_raw(&h, "<h3>");
	h_esc(&h, portal_t(&c, M_SOURCES));
	h_raw(&h, "</h3><ul class=\"sources\">");
	cJSON_ArrayForEach(e, jget(m, "sources"))
	{
		h_raw(&h, "<li>");
		h_url(&h, cJSON_IsString(e) ? e->valuestring : NULL);
		h_raw(&h, "</li>");
	}
	h_raw(&h, "</ul></section>\n");

	section_open(&h, &c, "texts", M_TEXTS_TITLE);
	if (texts != NULL && cJSON_IsObject(texts)) {
		char v[24];
		snprintf(v, sizeof(v), "%d", (int)cJSON_GetNumberValue(jget(texts, "version")));
		h_raw(&h, "<p class=\"version\">");
		h_say(&h, &c, M_TEXTS_VERSION, v, NULL);
		h_raw(&h, " <a href=\"/portal/changes\">");
		h_esc(&h, portal_t(&c, M_NAV_CHANGES));
		h_raw(&h, "</a></p>");
		h_texts(&h, &c, texts, "");
	} else {
		h_raw(&h, "<p class=\"none\">");
		h_say(&h, &c, M_TEXTS_NONE, NULL);
		h_raw(&h, "</p>");
	}
	if (utexts != NULL && cJSON_IsObject(utexts)) {
		h_raw(&h, "<h3>");
		h_say(&h, &c, M_UNION_TEXTS, portal_name(&c, jstr(m, "union")), NULL);
		h_raw(&h, "</h3>");
		h_texts(&h, &c, utexts, "union-");
	}
	h_raw(&h, "</section>\n");

	section_open(&h, &c, "rates", M_OTHER_RULES);
	h_rules(&h, &c, jget(m, "tax_rates"), M_TAX_NONE, &anchors_seen);
	h_rules(&h, &c, jget(m, "duty_rules"), M_TH_NONE, &anchors_seen);
	if (cJSON_GetArraySize(jget(m, "excise")) > 0) {
		h_raw(&h, "<h3>");
		h_esc(&h, portal_t(&c, M_EXCISE));
		h_raw(&h, "</h3>");
		h_rules(&h, &c, jget(m, "excise"), M_TH_NONE, &anchors_seen);
	}
	if (cJSON_GetArraySize(jget(m, "other")) > 0) {
		h_rules(&h, &c, jget(m, "other"), M_TH_NONE, &anchors_seen);
	}
	h_raw(&h, "</section>\n");

	section_open(&h, &c, "fees", M_FEES);
	h_rules(&h, &c, jget(m, "fees"), M_TH_NONE, &anchors_seen);
	h_raw(&h, "</section>\n");

	if (cJSON_GetArraySize(jget(m, "earlier_rules")) + cJSON_GetArraySize(jget(m, "later_rules")) >
	    0) {
		h_raw(&h, "<details class=\"history\"><summary>");
		h_esc(&h, portal_t(&c, M_HISTORY));
		h_raw(&h, "</summary>");
		h_rules(&h, &c, jget(m, "later_rules"), M_TH_NONE, &anchors_seen);
		h_rules(&h, &c, jget(m, "earlier_rules"), M_TH_NONE, &anchors_seen);
		h_raw(&h, "</details>\n");
	}
	cJSON_Delete(m);
	portal_page_end(&h, &c);
	return finish(&c, &h);
}

/* ---- the comparison ------------------------------------------------------------------------ */

static void h_threshold_cell(html *h, const pctx *c, const cJSON *arr, bool decl)
{
	h_raw(h, "<td>");
	if (cJSON_GetArraySize(arr) == 0)
		h_esc(h, portal_t(c, M_TH_NONE));
	const cJSON *r;
	bool first = true;
	cJSON_ArrayForEach(r, arr)
	{
		if (!first)
			h_raw(h, "<br>");
		first = false;
		h_money(h, jget(r, "threshold"));
		if (cJSON_IsTrue(jget(r, "at_sale"))) {
			h_raw(h, " <span class=\"at-sale\">(");
			h_say(h, c, M_AT_SALE, NULL);
			h_raw(h, ")</span>");
		}
		if (decl && jstr(r, "below") != NULL) {
			h_raw(h, " ");
			h_esc(h, jstr(r, "below"));
		}
		if (jget(r, "exclude_origins") != NULL) {
			char list[200];
			join(jget(r, "exclude_origins"), ", ", list, sizeof(list));
			h_raw(h, " <span class=\"scope\">");
			h_say(h, c, M_EXCEPT_ORIGINS, list, NULL);
			h_raw(h, "</span>");
		}
		if (jstr(r, "valid_from") != NULL) {
			h_raw(h, " <span class=\"when\">");
			h_say(h, c, M_SINCE, jstr(r, "valid_from"), NULL);
			h_raw(h, "</span>");
		}
	}
	h_raw(h, "</td>");
}

int portal_page_compare(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	pctx c;
	int32_t day;
	if (!portal_begin(&c, s, req, resp, true) || !portal_day(&c, &day, true))
		return 0;
	cJSON *m = portal_model_compare(&c, day);
	if (m == NULL || c.rc != 0) {
		cJSON_Delete(m);
		return model_failed(&c);
	}
	html h = {&resp->body, 0};
	portal_page_begin(&h, &c, portal_t(&c, M_COMPARE_TITLE), "/portal/compare");
	h_raw(&h, "<h1>");
	h_esc(&h, portal_t(&c, M_COMPARE_TITLE));
	h_raw(&h, "</h1>\n<p class=\"lead\">");
	h_say(&h, &c, M_COMPARE_INTRO, jstr(m, "date"), NULL);
	h_raw(&h, "</p>\n<p class=\"actions\"><a class=\"button\" id=\"csv\" download "
		  "href=\"/v1/portal/compare.csv?date=");
	h_esc(&h, jstr(m, "date"));
	h_raw(&h, "\">");
	h_esc(&h, portal_t(&c, M_COMPARE_CSV));
	h_raw(&h, "</a></p>\n<form class=\"inline\" method=\"get\"><label for=\"date\">");
	h_esc(&h, portal_t(&c, M_DATE));
	h_raw(&h, "</label> <input type=\"date\" id=\"date\" name=\"date\" value=\"");
	h_esc(&h, jstr(m, "date"));
	h_raw(&h, "\"> <button type=\"submit\">");
	h_esc(&h, portal_t(&c, M_SHOW));
	h_raw(&h, "</button></form>\n<div class=\"scroll\" tabindex=\"0\" role=\"region\" "
		  "aria-labelledby=\"register\"><table class=\"register\"><caption id=\"register\">");
	h_esc(&h, portal_t(&c, M_COMPARE_TITLE));
	h_raw(&h, "</caption><thead><tr><th scope=\"col\">");
	h_esc(&h, portal_t(&c, M_COUNTRY));
	h_raw(&h, "</th><th scope=\"col\">");
	h_esc(&h, portal_t(&c, M_CURRENCY));
	h_raw(&h, "</th><th scope=\"col\">");
	h_esc(&h, portal_t(&c, M_TH_DUTY));
	h_raw(&h, "</th><th scope=\"col\">");
	h_esc(&h, portal_t(&c, M_TH_TAX));
	h_raw(&h, "</th><th scope=\"col\">");
	h_esc(&h, portal_t(&c, M_TH_DECLARATION));
	h_raw(&h, "</th><th scope=\"col\">");
	h_esc(&h, portal_t(&c, M_STANDARD_RATE));
	h_raw(&h, "</th><th scope=\"col\">");
	h_esc(&h, portal_t(&c, M_SCHEMES));
	h_raw(&h, "</th></tr></thead>\n<tbody>\n");
	const cJSON *row;
	cJSON_ArrayForEach(row, jget(m, "countries"))
	{
		const char *cc = jstr(row, "country");
		h_raw(&h, "<tr id=\"row-");
		h_esc(&h, cc);
		h_raw(&h, "\"><th scope=\"row\"><a href=\"/portal/countries/");
		h_esc(&h, cc);
		h_raw(&h, "\">");
		h_esc(&h, portal_name(&c, cc));
		h_raw(&h, "</a></th><td>");
		h_esc(&h, jstr(row, "currency"));
		h_raw(&h, "</td>");
		h_threshold_cell(&h, &c, jget(row, "duty_thresholds"), false);
		h_threshold_cell(&h, &c, jget(row, "tax_thresholds"), false);
		h_threshold_cell(&h, &c, jget(row, "declaration_thresholds"), true);
		h_raw(&h, "<td>");
		if (jstr(row, "tax_name") != NULL) {
			h_esc(&h, jstr(row, "tax_name"));
			h_raw(&h, " ");
			h_percent(&h, &c, jstr(row, "standard_tax_rate"));
		} else {
			h_esc(&h, portal_t(&c, M_TH_NONE));
		}
		h_raw(&h, "</td><td>");
		const cJSON *e;
		bool first = true;
		cJSON_ArrayForEach(e, jget(row, "schemes"))
		{
			if (!first)
				h_raw(&h, "<br>");
			first = false;
			h_esc(&h, jstr(e, "name") != NULL ? jstr(e, "name") : jstr(e, "id"));
		}
		cJSON_ArrayForEach(e, jget(row, "other"))
		{
			if (!first)
				h_raw(&h, "<br>");
			first = false;
			h_raw(&h, "<span class=\"other\">");
			h_say(&h, &c, kind_label(jstr(e, "kind")), NULL);
			if (jstr(e, "name") != NULL) {
				h_raw(&h, ": ");
				h_esc(&h, jstr(e, "name"));
			}
			h_raw(&h, "</span>");
		}
		h_raw(&h, "</td></tr>\n");
	}
	h_raw(&h, "</tbody></table></div>\n");
	cJSON_Delete(m);
	portal_page_end(&h, &c);
	return finish(&c, &h);
}

/* ---- versions and changes --------------------------------------------------------------------- */

static portal_msg field_label(const char *f)
{
	static const struct {
		const char *field;
		portal_msg id;
	} t[] = {{"notes", M_FIELD_NOTES},
		 {"facilitation", M_FIELD_FACILITATION},
		 {"contacts", M_FIELD_CONTACTS},
		 {"requirements", M_FIELD_REQUIREMENTS},
		 {"members.internal_notes", M_FIELD_INTERNAL_NOTES},
		 {"members.contact_points", M_FIELD_CONTACT_POINTS},
		 {"members.pending_changes", M_FIELD_PENDING}};
	for (size_t i = 0; f != NULL && i < MLV_ARRAY_LEN(t); i++)
		if (strcmp(f, t[i].field) == 0)
			return t[i].id;
	return M_FIELD_NOTES;
}

/* One entry of a field as a line of text. */
static void h_entry(html *h, const cJSON *e)
{
	if (cJSON_IsString(e)) {
		h_esc(h, e->valuestring);
		return;
	}
	const cJSON *m;
	bool first = true;
	cJSON_ArrayForEach(m, e)
	{
		if (!cJSON_IsString(m))
			continue;
		h_raw(h, first ? "" : " | ");
		first = false;
		h_esc(h, m->valuestring);
	}
}

static void version_options(html *h, const cJSON *versions, int64_t selected, bool zero)
{
	if (zero) {
		h_raw(h, "<option value=\"0\"");
		h_raw(h, selected == 0 ? " selected" : "");
		h_raw(h, ">0</option>");
	}
	const cJSON *v;
	cJSON_ArrayForEach(v, jget(versions, "versions"))
	{
		int64_t n = (int64_t)cJSON_GetNumberValue(jget(v, "version"));
		h_fmt(h, "<option value=\"%lld\"%s>%lld</option>", (long long)n,
		      n == selected ? " selected" : "", (long long)n);
	}
}

int portal_page_changes(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	pctx c;
	if (!portal_begin(&c, s, req, resp, true))
		return 0;
	int64_t from = -1, to = -1;
	const char *f = mlv_req_query(req, "from"), *t = mlv_req_query(req, "to");
	if (f != NULL && f[0] && !api_parse_int(f, 0, INT32_MAX, &from))
		from = -1;
	if (t != NULL && t[0] && !api_parse_int(t, 0, INT32_MAX, &to))
		to = -1;
	cJSON *versions = portal_model_versions(&c, 200);
	int status = 200;
	cJSON *changes = portal_model_changes(&c, from, to, &status);
	if (c.rc != 0 || versions == NULL || (changes == NULL && status == 200)) {
		cJSON_Delete(versions);
		cJSON_Delete(changes);
		return model_failed(&c);
	}
	html h = {&resp->body, 0};
	portal_page_begin(&h, &c, portal_t(&c, M_CHANGES_TITLE), "/portal/changes");
	h_raw(&h, "<h1>");
	h_esc(&h, portal_t(&c, M_CHANGES_TITLE));
	h_raw(&h, "</h1>\n");
	const cJSON *vs = jget(versions, "versions");
	if (cJSON_GetArraySize(vs) == 0) {
		h_raw(&h, "<p class=\"none\">");
		h_say(&h, &c, M_CHANGES_NONE, NULL);
		h_raw(&h, "</p>\n");
	} else {
		int64_t shown_from = changes != NULL ? (int64_t)cJSON_GetNumberValue(jget(jget(changes, "from"), "version")) : 0;
		int64_t shown_to = changes != NULL ? (int64_t)cJSON_GetNumberValue(jget(jget(changes, "to"), "version")) : 0;
		h_raw(&h, "<form class=\"inline\" method=\"get\"><label for=\"from\">");
		h_esc(&h, portal_t(&c, M_CHANGES_FROM));
		h_raw(&h, "</label> <select id=\"from\" name=\"from\">");
		version_options(&h, versions, shown_from, true);
		h_raw(&h, "</select> <label for=\"to\">");
		h_esc(&h, portal_t(&c, M_CHANGES_TO));
		h_raw(&h, "</label> <select id=\"to\" name=\"to\">");
		version_options(&h, versions, shown_to, false);
		h_raw(&h, "</select> <button type=\"submit\">");
		h_esc(&h, portal_t(&c, M_CHANGES_COMPARE));
		h_raw(&h, "</button></form>\n");
		if (changes == NULL) {
			h_raw(&h, "<p class=\"error\" role=\"alert\">");
			h_esc(&h, portal_t(&c, M_NOT_FOUND));
			h_raw(&h, "</p>\n");
		} else {
			char a[24], b[24];
			snprintf(a, sizeof(a), "%lld", (long long)shown_from);
			snprintf(b, sizeof(b), "%lld", (long long)shown_to);
			h_raw(&h, "<section aria-labelledby=\"diff\"><h2 id=\"diff\">");
			h_say(&h, &c, M_CHANGES_BETWEEN, a, b, NULL);
			h_raw(&h, "</h2>\n");
			const cJSON *ctry;
			if (cJSON_GetArraySize(jget(changes, "countries")) == 0) {
				h_raw(&h, "<p class=\"none\">");
				h_say(&h, &c, M_CHANGES_EQUAL, NULL);
				h_raw(&h, "</p>\n");
			}
			cJSON_ArrayForEach(ctry, jget(changes, "countries"))
			{
				h_raw(&h, "<article class=\"diff\" id=\"diff-");
				h_esc(&h, jstr(ctry, "country"));
				h_raw(&h, "\"><h3><a href=\"/portal/countries/");
				h_esc(&h, jstr(ctry, "country"));
				h_raw(&h, "\">");
				h_esc(&h, portal_name(&c, jstr(ctry, "country")));
				h_raw(&h, "</a></h3>\n");
				const cJSON *fld;
				cJSON_ArrayForEach(fld, jget(ctry, "fields"))
				{
					h_raw(&h, cJSON_IsTrue(jget(fld, "members"))
							  ? "<h4 class=\"members\">"
							  : "<h4>");
					h_say(&h, &c, field_label(jstr(fld, "field")), NULL);
					h_raw(&h, "</h4><ul class=\"changes\">");
					const cJSON *e;
					cJSON_ArrayForEach(e, jget(fld, "removed"))
					{
						h_raw(&h, "<li><del><span class=\"tag\">");
						h_esc(&h, portal_t(&c, M_REMOVED));
						h_raw(&h, "</span> ");
						h_entry(&h, e);
						h_raw(&h, "</del></li>");
					}
					cJSON_ArrayForEach(e, jget(fld, "added"))
					{
						h_raw(&h, "<li><ins><span class=\"tag\">");
						h_esc(&h, portal_t(&c, M_ADDED));
						h_raw(&h, "</span> ");
						h_entry(&h, e);
						h_raw(&h, "</ins></li>");
					}
					h_raw(&h, "</ul>\n");
				}
				h_raw(&h, "</article>\n");
			}
			h_raw(&h, "</section>\n");
		}
		h_raw(&h, "<table class=\"versions\"><caption>");
		h_esc(&h, portal_t(&c, M_CHANGES_TITLE));
		h_raw(&h, "</caption><thead><tr><th scope=\"col\">");
		h_esc(&h, portal_t(&c, M_VERSION));
		h_raw(&h, "</th><th scope=\"col\">");
		h_esc(&h, portal_t(&c, M_PUBLISHED));
		h_raw(&h, "</th><th scope=\"col\">");
		h_esc(&h, portal_t(&c, M_COUNTRIES));
		h_raw(&h, "</th><th scope=\"col\">");
		h_esc(&h, portal_t(&c, M_NOTE));
		h_raw(&h, "</th></tr></thead><tbody>");
		const cJSON *v;
		cJSON_ArrayForEach(v, vs)
		{
			int64_t n = (int64_t)cJSON_GetNumberValue(jget(v, "version"));
			char list[400];
			join(jget(v, "countries"), ", ", list, sizeof(list));
			h_fmt(&h, "<tr><th scope=\"row\"><a href=\"/portal/changes?from=%lld&amp;to=%lld\">%lld</a></th><td>",
			      (long long)(n - 1), (long long)n, (long long)n);
			h_esc(&h, jstr(v, "published_at"));
			h_raw(&h, "</td><td>");
			h_esc(&h, list);
			h_raw(&h, "</td><td>");
			h_esc(&h, jstr(v, "note"));
			h_raw(&h, "</td></tr>");
		}
		h_raw(&h, "</tbody></table>\n");
	}
	cJSON_Delete(versions);
	cJSON_Delete(changes);
	portal_page_end(&h, &c);
	return finish(&c, &h);
}
