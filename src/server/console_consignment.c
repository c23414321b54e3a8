/* console_consignment.c - one consignment in the officers' console,
 * /console/consignments/{id}: its data, the risk hits explained, the
 * amounts and who pays them, its history, and the actions its state allows
 * (a form of buttons, posted with the session's CSRF token; the same
 * checks and store writes as POST /v1/consignments/{id}/actions), and its
 * referrals with the forms that open and close them (console_referrals.c).
 *
 * Personal data is minimised on the page: the buyer appears by city and
 * country, never by name or contact. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "api_impl.h"
#include "mlv/decimal.h"
#include "mlv/lifecycle.h"
#include "mlv/refdata.h"
#include "problem.h"
#include "web.h"

/* The keys that reach each action's button. */
static const struct {
	mlv_action action;
	const char *label;
	char key;
	const char *css;
} buttons[] = {
	{MLV_ACT_INSPECT, "Start inspection", 'i', "primary"},
	{MLV_ACT_RELEASE, "Release", 'r', "primary"},
	{MLV_ACT_HOLD, "Hold", 'h', "secondary"},
	{MLV_ACT_SEIZE, "Seize", 's', "danger"},
	{MLV_ACT_RETURN, "Return to sender", 't', "secondary"},
};

static const char *str(const cJSON *o, const char *name)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
	return v != NULL ? v : "";
}

static int text(mlv_buf *b, const char *before, const char *value, const char *after)
{
	int rc = mlv_buf_adds(b, before);
	if (rc == 0)
		rc = mlv_html_escape(b, value);
	if (rc == 0)
		rc = mlv_buf_adds(b, after);
	return rc;
}

static int fact(mlv_buf *b, const char *term, const char *value, const char *id)
{
	int rc = text(b, "<dt>", term, "</dt><dd");
	if (rc == 0 && id != NULL)
		rc = text(b, " id=\"", id, "\"");
	if (rc == 0)
		rc = text(b, ">", value[0] ? value : "-", "</dd>\n");
	return rc;
}

static int facts(mlv_buf *b, const mlv_record *r, const cJSON *c, const char *lane, int score)
{
	char filed[32], updated[32], num[32];
	api_ms_to_rfc3339(r->filed_at_ms, filed);
	api_ms_to_rfc3339(r->updated_at_ms, updated);
	const cJSON *tr = cJSON_GetObjectItemCaseSensitive(c, "transport");
	int rc = mlv_buf_adds(b, "<section aria-labelledby=\"h-facts\"><h2 id=\"h-facts\">"
				 "Consignment</h2>\n<dl class=\"facts\">\n");
	if (rc == 0)
		rc = fact(b, "State", r->status, "state");
	if (rc == 0)
		rc = fact(b, "Lane", lane, "lane");
	snprintf(num, sizeof(num), "%d", score);
	if (rc == 0)
		rc = fact(b, "Risk score", num, NULL);
	if (rc == 0)
		rc = fact(b, "Category", str(c, "category"), NULL);
	if (rc == 0)
		rc = fact(b, "Channel", str(c, "channel"), NULL);
	if (rc == 0)
		rc = fact(b, "Business model", str(c, "business_model"), NULL);
	if (rc == 0)
		rc = fact(b, "Departure country", str(tr, "departure_country"), NULL);
	if (rc == 0)
		rc = fact(b, "Tracking number", str(tr, "tracking_number"), NULL);
	if (rc == 0)
		rc = fact(b, "Expected arrival", str(tr, "expected_arrival"), NULL);
	if (rc == 0)
		rc = fact(b, "Filed", filed, NULL);
	if (rc == 0)
		rc = fact(b, "Updated", updated, NULL);
	snprintf(num, sizeof(num), "%d / 100", r->quality_score);
	if (rc == 0)
		rc = fact(b, "Data quality", num, NULL);
	snprintf(num, sizeof(num), "%d", r->version);
	if (rc == 0)
		rc = fact(b, "Version", num, NULL);
	if (rc == 0)
		rc = mlv_buf_adds(b, "</dl></section>\n");
	return rc;
}

static int party(mlv_buf *b, const char *role, const cJSON *p, bool personal)
{
	if (p == NULL)
		return 0;
	const cJSON *addr = cJSON_GetObjectItemCaseSensitive(p, "address");
	const char *country = str(p, "country")[0] ? str(p, "country") : str(addr, "country");
	int rc = text(b, "<tr><th scope=\"row\">", role, "</th><td>");
	if (rc == 0)
		rc = mlv_html_escape(b, personal ? "(personal data, not shown)" : str(p, "name"));
	if (rc == 0)
		rc = text(b, "</td><td>", personal ? "" : str(p, "identifier"), "</td><td>");
	if (rc == 0)
		rc = text(b, "", str(addr, "city"), " ");
	if (rc == 0)
		rc = text(b, "", country, "</td></tr>\n");
	return rc;
}

static int parties(mlv_buf *b, const cJSON *c)
{
	const cJSON *tr = cJSON_GetObjectItemCaseSensitive(c, "transport");
	int rc = mlv_buf_adds(b, "<section aria-labelledby=\"h-parties\"><h2 id=\"h-parties\">"
				 "Parties</h2>\n<div class=\"table-wrap\"><table>\n<thead><tr>"
				 "<th scope=\"col\">Role</th><th scope=\"col\">Name</th>"
				 "<th scope=\"col\">Identifier</th><th scope=\"col\">Place</th>"
				 "</tr></thead><tbody>\n");
	if (rc == 0)
		rc = party(b, "Seller", cJSON_GetObjectItemCaseSensitive(c, "seller"), false);
	if (rc == 0)
		rc = party(b, "Platform", cJSON_GetObjectItemCaseSensitive(c, "platform"), false);
	if (rc == 0)
		rc = party(b, "Intermediary", cJSON_GetObjectItemCaseSensitive(c, "intermediary"),
			   false);
	if (rc == 0)
		rc = party(b, "Carrier", cJSON_GetObjectItemCaseSensitive(tr, "carrier"), false);
	if (rc == 0)
		rc = party(b, "Buyer", cJSON_GetObjectItemCaseSensitive(c, "buyer"), true);
	if (rc == 0)
		rc = mlv_buf_adds(b, "</tbody></table></div></section>\n");
	return rc;
}

static int goods(mlv_buf *b, const cJSON *c)
{
	int rc = mlv_buf_adds(b, "<section aria-labelledby=\"h-goods\"><h2 id=\"h-goods\">Goods"
				 "</h2>\n<div class=\"table-wrap\"><table id=\"goods\">\n<thead><tr>"
				 "<th scope=\"col\">#</th><th scope=\"col\">Description</th>"
				 "<th scope=\"col\">HS</th><th scope=\"col\">Origin</th>"
				 "<th class=\"num\" scope=\"col\">Quantity</th>"
				 "<th class=\"num\" scope=\"col\">Net kg</th>"
				 "<th class=\"num\" scope=\"col\">Value</th></tr></thead><tbody>\n");
	const cJSON *it;
	int i = 0;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(c, "items")) {
		if (rc != 0)
			break;
		rc = mlv_buf_printf(b, "<tr><td>%d</td>", ++i);
		if (rc == 0)
			rc = text(b, "<td>", str(it, "description"), "</td>");
		if (rc == 0)
			rc = text(b, "<td>", str(it, "hs_code"), "</td>");
		if (rc == 0)
			rc = text(b, "<td>", str(it, "origin_country"), "</td>");
		if (rc == 0)
			rc = text(b, "<td class=\"num\">", str(it, "quantity"), "</td>");
		if (rc == 0)
			rc = text(b, "<td class=\"num\">", str(it, "net_weight"), "</td>");
		if (rc == 0)
			rc = text(b, "<td class=\"num\">", str(it, "value"), " ");
		if (rc == 0)
			rc = text(b, "", str(it, "currency"), "</td></tr>\n");
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, "</tbody></table></div></section>\n");
	return rc;
}

static int risk(mlv_buf *b, const cJSON *rj)
{
	int rc = mlv_buf_adds(b, "<section aria-labelledby=\"h-risk\"><h2 id=\"h-risk\">Why it was "
				 "selected</h2>\n");
	const cJSON *hits = cJSON_GetObjectItemCaseSensitive(rj, "hits");
	if (rc == 0 && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rj, "random")))
		rc = mlv_buf_adds(b, "<p class=\"notice\" id=\"random\">Selected at random for "
				     "control (a share of green consignments is checked).</p>\n");
	if (rc == 0 && cJSON_GetArraySize(hits) == 0)
		return mlv_buf_adds(b, "<p>No rule hit this consignment.</p></section>\n");
	if (rc == 0)
		rc = mlv_buf_adds(b, "<div class=\"table-wrap\"><table id=\"hits\">\n<thead><tr>"
				     "<th scope=\"col\">Rule</th><th class=\"num\" scope=\"col\">"
				     "Weight</th><th scope=\"col\">Explanation</th></tr></thead>"
				     "<tbody>\n");
	const cJSON *h;
	cJSON_ArrayForEach(h, hits) {
		if (rc != 0)
			break;
		const cJSON *w = cJSON_GetObjectItemCaseSensitive(h, "weight");
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(h, "version");
		rc = text(b, "<tr><td>", str(h, "rule"), "");
		if (rc == 0 && cJSON_IsNumber(v))
			rc = mlv_buf_printf(b, " <span class=\"muted\">v%d</span>", v->valueint);
		if (rc == 0)
			rc = mlv_buf_printf(b, "</td><td class=\"num\">%d</td>",
					    cJSON_IsNumber(w) ? w->valueint : 0);
		if (rc == 0)
			rc = text(b, "<td>", str(h, "explanation"), "</td></tr>\n");
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, "</tbody></table></div></section>\n");
	return rc;
}

static int amounts(mlv_buf *b, const cJSON *as)
{
	if (as == NULL)
		return mlv_buf_adds(b, "<section aria-labelledby=\"h-amounts\"><h2 id=\"h-amounts\">"
				       "Duties and taxes</h2><p>Not assessed.</p></section>\n");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(as, "totals");
	const char *cur = str(as, "currency");
	static const char *const rows[][2] = {
		{"duty", "Duty"},      {"excise", "Excise"},	    {"tax", "Tax at the border"},
		{"tax_at_sale", "Tax collected at sale"}, {"fees", "Fees"}, {"border", "Due at the border"},
		{"total", "Total"},
	};
	int rc = mlv_buf_adds(b, "<section aria-labelledby=\"h-amounts\"><h2 id=\"h-amounts\">"
				 "Duties and taxes</h2>\n<div class=\"table-wrap\"><table id=\"amounts\">"
				 "<tbody>\n");
	for (size_t i = 0; rc == 0 && i < MLV_ARRAY_LEN(rows); i++) {
		rc = text(b, "<tr><th scope=\"row\">", rows[i][1], "</th><td class=\"num\">");
		if (rc == 0)
			rc = text(b, "", str(t, rows[i][0]), " ");
		if (rc == 0)
			rc = text(b, "", cur, "</td></tr>\n");
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, "</tbody></table></div>\n<h3>Who pays, and when</h3>\n<ul>\n");
	const cJSON *o;
	cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(
				      cJSON_GetObjectItemCaseSensitive(as, "collection"), "obligations")) {
		if (rc != 0)
			break;
		rc = text(b, "<li>", str(o, "what"), ": ");
		if (rc == 0)
			rc = text(b, "", str(o, "amount"), " ");
		if (rc == 0)
			rc = text(b, "", cur, ", paid by the ");
		if (rc == 0)
			rc = text(b, "", str(o, "payer"), " ");
		if (rc == 0)
			rc = text(b, "", str(o, "when"), "</li>\n");
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, "</ul></section>\n");
	return rc;
}

struct history {
	mlv_buf *b;
};

static int history_row(void *ctx, const mlv_event *ev)
{
	struct history *h = ctx;
	char at[32];
	api_ms_to_rfc3339(ev->at_ms, at);
	int rc = mlv_buf_printf(h->b, "<tr><td><time datetime=\"%s\">%.19s</time></td>", at, at);
	if (rc == 0)
		rc = text(h->b, "<td>", ev->type, "</td>");
	if (rc == 0)
		rc = mlv_buf_printf(h->b, "<td class=\"num\">%d</td>", ev->version);
	if (rc == 0)
		rc = text(h->b, "<td>", ev->actor, "</td></tr>\n");
	return rc;
}

static int history(mlv_server *s, mlv_buf *b, int64_t id)
{
	int rc = mlv_buf_adds(b, "<section aria-labelledby=\"h-history\"><h2 id=\"h-history\">"
				 "History</h2>\n<div class=\"table-wrap\"><table id=\"history\">\n"
				 "<thead><tr><th scope=\"col\">When (UTC)</th><th scope=\"col\">"
				 "Event</th><th class=\"num\" scope=\"col\">Version</th>"
				 "<th scope=\"col\">By</th></tr></thead><tbody>\n");
	struct history h = {b};
	if (rc == 0) {
		mlv_store *st = api_reader_acquire(s);
		rc = mlv_store_events(st, 0, id, history_row, &h);
		api_reader_release(s, st);
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, "</tbody></table></div></section>\n");
	return rc;
}

static int actions(mlv_buf *b, const struct auth *a, int64_t id, const char *status)
{
	mlv_state from = mlv_state_from_name(status);
	int rc = mlv_buf_printf(b, "<section aria-labelledby=\"h-actions\"><h2 id=\"h-actions\">"
				   "Decide</h2>\n<form method=\"post\" action=\"/console/consignments/"
				   "%lld\" id=\"actions\">\n<input type=\"hidden\" name=\"csrf\" "
				   "value=\"",
				(long long)id);
	if (rc == 0)
		rc = mlv_html_escape(b, a->csrf);
	if (rc == 0)
		rc = mlv_buf_adds(b, "\">\n<label for=\"reason\">Reason (every decision is explained)"
				     "</label>\n<textarea id=\"reason\" name=\"reason\" rows=\"2\" "
				     "cols=\"60\" minlength=\"3\" maxlength=\"500\" required>"
				     "</textarea>\n");
	if (rc == 0 && from == MLV_ST_INSPECTED)
		rc = mlv_buf_adds(b, "<label for=\"result\">Inspection result</label>\n"
				     "<select id=\"result\" name=\"result\"><option value=\"\">none"
				     "</option><option value=\"nothing_found\">nothing found</option>"
				     "<option value=\"irregularity\">irregularity</option>"
				     "<option value=\"seizure\">seizure</option></select>\n"
				     "<label for=\"revenue\">Revenue recovered</label>\n"
				     "<input type=\"text\" id=\"revenue\" name=\"revenue\" "
				     "inputmode=\"decimal\" maxlength=\"20\" placeholder=\"0.00\">\n");
	if (rc == 0)
		rc = mlv_buf_adds(b, "<p class=\"buttons\">");
	int shown = 0;
	for (size_t i = 0; rc == 0 && i < MLV_ARRAY_LEN(buttons); i++) {
		mlv_state to;
		if (from == 0 || mlv_lifecycle_next(from, buttons[i].action, MLV_BY_OFFICER, 0, &to) != 0)
			continue;
		shown++;
		rc = mlv_buf_printf(b, "<button type=\"submit\" name=\"action\" value=\"%s\" "
				       "class=\"%s\" data-key=\"%c\" id=\"do-%s\"%s>%s</button> ",
				    mlv_action_name(buttons[i].action), buttons[i].css,
				    buttons[i].key, mlv_action_name(buttons[i].action),
				    buttons[i].action == MLV_ACT_SEIZE
					    ? " data-confirm=\"Seize these goods?\"" : "",
				    buttons[i].label);
	}
	if (rc == 0 && shown == 0)
		rc = mlv_buf_adds(b, "No decision is open in this state.");
	if (rc == 0)
		rc = mlv_buf_adds(b, "</p>\n<p class=\"muted\">Keys: i inspect, r release, h hold, "
				     "s seize, t return. To ask the filer, a party or an agency "
				     "for information or a screening, open a referral below.</p>\n"
				     "</form></section>\n");
	return rc;
}

static int page(mlv_server *s, mlv_resp *resp, const struct auth *a, int64_t id,
		const char *notice, const char *error)
{
	mlv_record r;
	mlv_record_init(&r);
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_get(st, 0, id, 0, &r);
	api_reader_release(s, st);
	resp->content_type = "text/html; charset=utf-8";
	mlv_buf *b = &resp->body;
	if (rc == MLV_ENOTFOUND) {
		mlv_record_free(&r);
		resp->status = 404;
		rc = api_console_begin(b, a, "Not found", "/console/queue");
		if (rc == 0)
			rc = mlv_buf_adds(b, "<h1>No such consignment</h1>\n<p><a href=\"/console/"
					     "queue\">Back to the queue</a></p>\n");
		return rc == 0 ? mlv_web_page_end(b) : rc;
	}
	if (rc != 0) {
		mlv_record_free(&r);
		return rc;
	}
	cJSON *c = cJSON_ParseWithLength(r.body.data, r.body.len);
	cJSON *rj = r.risk_json.len ? cJSON_ParseWithLength(r.risk_json.data, r.risk_json.len)
				    : NULL;
	cJSON *as = r.assessment_json.len
			    ? cJSON_ParseWithLength(r.assessment_json.data, r.assessment_json.len)
			    : NULL;
	const char *lane = str(rj, "lane");
	const cJSON *score = cJSON_GetObjectItemCaseSensitive(rj, "score");
	char title[64];
	snprintf(title, sizeof(title), "Consignment %s", r.lrn);
	rc = api_console_begin(b, a, title, "/console/queue");
	if (rc == 0)
		rc = mlv_buf_adds(b, "<p><a href=\"/console/queue\" data-key=\"q\">Back to the queue"
				     "</a></p>\n<h1>");
	if (rc == 0)
		rc = mlv_html_escape(b, r.lrn);
	if (rc == 0)
		rc = text(b, " <span class=\"lane lane-", lane, "\">");
	if (rc == 0)
		rc = text(b, "", lane[0] ? lane : "not assessed", "</span></h1>\n");
	if (rc == 0 && notice != NULL)
		rc = text(b, "<p class=\"notice\" role=\"status\" id=\"notice\">", notice, "</p>\n");
	if (rc == 0 && error != NULL)
		rc = text(b, "<p class=\"error\" role=\"alert\" id=\"action-error\">", error, "</p>\n");
	if (rc == 0)
		rc = actions(b, a, id, r.status);
	if (rc == 0)
		rc = console_referrals_section(s, b, a, id);
	if (rc == 0)
		rc = risk(b, rj);
	if (rc == 0)
		rc = facts(b, &r, c, lane, cJSON_IsNumber(score) ? score->valueint : 0);
	if (rc == 0)
		rc = goods(b, c);
	if (rc == 0)
		rc = amounts(b, as);
	if (rc == 0)
		rc = parties(b, c);
	if (rc == 0)
		rc = history(s, b, id);
	if (rc == 0)
		rc = mlv_web_page_end(b);
	cJSON_Delete(c);
	cJSON_Delete(rj);
	cJSON_Delete(as);
	mlv_record_free(&r);
	return rc;
}

/* The form's decision: the same checks and writes as the API's. */
static int act(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a, int64_t id)
{
	char action_s[16] = "", reason[512] = "", result[16] = "", revenue_s[24] = "",
	     csrf[64] = "";
	const char *body = req->body.data != NULL ? req->body.data : "";
	size_t n = req->body.len;
	(void)mlv_web_form_value(body, n, "csrf", csrf, sizeof(csrf));
	if (!api_csrf_ok(req, a, csrf)) {
		resp->status = 403;
		return page(s, resp, a, id, NULL,
			    "The form did not carry this session's token; reload the page and try "
			    "again.");
	}
	/* The referrals' forms (console_referrals.c) name themselves; the
	 * decision form does not. */
	char form[16] = "";
	if (mlv_web_form_value(body, n, "form", form, sizeof(form)) != MLV_ENOTFOUND) {
		int status = 422;
		const char *done = NULL;
		const char *err = form[0] ? console_referrals_post(s, req, a, id, form, &status, &done)
					  : "The form is not one of this page's.";
		if (err != NULL) {
			resp->status = status;
			return page(s, resp, a, id, NULL, err);
		}
		resp->status = 303;
		snprintf(resp->location, sizeof(resp->location),
			 "/console/consignments/%lld?done=%s#referrals", (long long)id, done);
		return 0;
	}
	int e1 = mlv_web_form_value(body, n, "action", action_s, sizeof(action_s));
	int e2 = mlv_web_form_value(body, n, "reason", reason, sizeof(reason));
	int e3 = mlv_web_form_value(body, n, "result", result, sizeof(result));
	int e4 = mlv_web_form_value(body, n, "revenue", revenue_s, sizeof(revenue_s));
	mlv_action action = 0;
	for (int i = 1; e1 == 0 && i < MLV_ACT_COUNT_; i++)
		if (strcmp(mlv_action_name((mlv_action)i), action_s) == 0)
			action = (mlv_action)i;
	const char *bad = NULL;
	if ((e2 != 0 && e2 != MLV_ENOTFOUND) || (e3 != 0 && e3 != MLV_ENOTFOUND) ||
	    (e4 != 0 && e4 != MLV_ENOTFOUND))
		bad = "A field of the form is too long or badly encoded.";
	else
		bad = api_action_check(action, reason, result[0] ? result : NULL);
	int64_t revenue = 0;
	if (bad == NULL && revenue_s[0] &&
	    mlv_decimal_parse(revenue_s, strlen(revenue_s),
			      mlv_currency_minor_units(s->opts.rd, s->opts.validate.currency), 0,
			      &revenue) != MLV_DEC_OK)
		bad = "The revenue recovered is an amount such as 12.50.";
	if (bad != NULL) {
		resp->status = 422;
		return page(s, resp, a, id, NULL, bad);
	}
	char actor[80];
	snprintf(actor, sizeof(actor), "officer:%s", a->filer);
	mlv_transition_result r;
	int rc = api_apply_action(s, id, action, reason, result[0] ? result : NULL, revenue, actor,
				  &r);
	if (rc == MLV_ECONFLICT || rc == MLV_EFORBIDDEN) {
		char d[160];
		snprintf(d, sizeof(d), "The consignment is %s: %s is not possible now.",
			 mlv_state_name(r.from), mlv_action_name(action));
		resp->status = 409;
		return page(s, resp, a, id, NULL, d);
	}
	if (rc == MLV_ENOTFOUND)
		return page(s, resp, a, id, NULL, NULL);
	if (rc != 0)
		return rc;
	resp->status = 303;
	snprintf(resp->location, sizeof(resp->location), "/console/consignments/%lld?done=%s",
		 (long long)id, mlv_action_name(action));
	return 0;
}

int api_console_consignment(mlv_server *s, mlv_req *req, mlv_resp *resp, int64_t id)
{
	struct auth a;
	if (!api_console_person(s, req, resp, ROLES_OFFICERS, &a))
		return 0;
	int rc;
	if (strcmp(req->method, "POST") == 0) {
		rc = act(s, req, resp, &a, id);
	} else {
		const char *done = mlv_req_query(req, "done");
		char notice[96];
		bool known = false;
		for (int i = 1; done != NULL && i < MLV_ACT_COUNT_; i++)
			known |= strcmp(mlv_action_name((mlv_action)i), done) == 0;
		if (known)
			snprintf(notice, sizeof(notice), "Recorded: %s.", done);
		/* the referrals' forms */
		static const char *const referral_done[][2] = {
			{"referred", "Referral opened: the addressee is notified."},
			{"closed", "Referral closed."},
			{"closed-resolved", "Referral closed: it was the last one open, the "
					    "consignment resumes."},
		};
		for (size_t i = 0; done != NULL && i < MLV_ARRAY_LEN(referral_done); i++) {
			if (strcmp(referral_done[i][0], done) == 0) {
				snprintf(notice, sizeof(notice), "%s", referral_done[i][1]);
				known = true;
			}
		}
		rc = page(s, resp, &a, id, known ? notice : NULL, NULL);
	}
	if (rc != 0) {
		mlv_buf_reset(&resp->body);
		mlv_http_problem_err(resp, rc, NULL);
	}
	return 0;
}
