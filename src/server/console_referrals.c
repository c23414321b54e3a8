/* console_referrals.c - a consignment's referrals on its console page:
 * each with its kind, addressee, status, deadline (overdue marked), the
 * request, the answers (text, the data given, documents as links to
 * /console/referrals/{id}/documents/{doc}), and the forms that open one
 * and close an open one.
 *
 * The forms post to the consignment's page with the session's CSRF token
 * (console_consignment.c checks it and dispatches on the form field) and
 * go through the same checks and store writes as the API's
 * (api_referral_open_check / _apply, api_referral_close_check / _apply in
 * api_referrals.c): the console adds no rule of its own, only the
 * translation of a deadline in hours. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_impl.h"
#include "mlv/merge.h"
#include "problem.h"
#include "web.h"

#define AGENCIES_MAX 50

static const char *const kinds[][2] = {
	{"information", "Request for information"},
	{"screening", "Request for screening"},
	{"do_not_load", "Do not load"},
};

static const char *const outcomes[][2] = {
	{"satisfied", "Satisfied"},
	{"not_satisfied", "Not satisfied"},
	{"withdrawn", "Withdrawn"},
};

static int text(mlv_buf *b, const char *before, const char *value, const char *after)
{
	int rc = mlv_buf_adds(b, before);
	if (rc == 0)
		rc = mlv_html_escape(b, value);
	if (rc == 0)
		rc = mlv_buf_adds(b, after);
	return rc;
}

static int when(mlv_buf *b, int64_t ms)
{
	char at[32];
	api_ms_to_rfc3339(ms, at);
	return mlv_buf_printf(b, "<time datetime=\"%s\">%.10s %.5s</time>", at, at, at + 11);
}

/* ---- one referral ------------------------------------------------------------------- */

struct render {
	mlv_server *s;
	mlv_buf *b;
	mlv_store *st;
	const struct auth *a;
	int64_t consignment, referral, answer;
	int64_t now;
	int n, docs;
};

static int doc_row(void *ctx, const mlv_referral_doc_row *d)
{
	struct render *r = ctx;
	if (d->answer_id != r->answer)
		return 0;
	int rc = r->docs++ ? 0 : mlv_buf_adds(r->b, "<ul class=\"docs\">\n");
	if (rc == 0)
		rc = text(r->b, "<li>", d->type, " ");
	if (rc == 0 && d->sha256[0]) {
		rc = mlv_buf_printf(r->b, "<a href=\"/console/referrals/%lld/documents/%lld\">",
				    (long long)r->referral, (long long)d->id);
		if (rc == 0)
			rc = text(r->b, "", d->reference, "");
		if (rc == 0 && d->filename[0])
			rc = text(r->b, " (", d->filename, ")");
		if (rc == 0)
			rc = mlv_buf_printf(r->b, "</a> <span class=\"muted\">%lld bytes</span>",
					    (long long)d->size);
	} else if (rc == 0) {
		rc = text(r->b, "", d->reference, " <span class=\"muted\">(reference only)</span>");
	}
	return rc ? rc : mlv_buf_adds(r->b, "</li>\n");
}

static int answer_row(void *ctx, const mlv_referral_answer_row *ans)
{
	struct render *r = ctx;
	int rc = mlv_buf_adds(r->b, "<li class=\"answer\"><p class=\"muted\">");
	if (rc == 0)
		rc = when(r->b, ans->at_ms);
	if (rc == 0)
		rc = text(r->b, ", by ", ans->by, "</p>\n");
	if (rc == 0 && ans->text != NULL)
		rc = text(r->b, "<p class=\"answer-text\">", ans->text, "</p>\n");
	/* The data given: its canonical JSON, shown as it is (bounded by the
	 * answer's own checks). */
	if (rc == 0 && ans->data != NULL)
		rc = text(r->b, "<p>Data given: <code class=\"data\">", ans->data, "</code></p>\n");
	r->answer = ans->id;
	r->docs = 0;
	if (rc == 0)
		rc = mlv_store_referral_docs(r->st, r->referral, doc_row, r);
	if (rc == 0 && r->docs)
		rc = mlv_buf_adds(r->b, "</ul>\n");
	return rc ? rc : mlv_buf_adds(r->b, "</li>\n");
}

static const char *kind_label(const char *kind)
{
	for (size_t i = 0; i < MLV_ARRAY_LEN(kinds); i++)
		if (strcmp(kinds[i][0], kind) == 0)
			return kinds[i][1];
	return kind;
}

static int close_form(struct render *r, const mlv_referral *ref)
{
	long long id = (long long)ref->id;
	int rc = mlv_buf_printf(r->b, "<form method=\"post\" action=\"/console/consignments/%lld\" "
				      "class=\"close-referral\" id=\"close-%lld\">\n"
				      "<input type=\"hidden\" name=\"form\" value=\"close\">\n"
				      "<input type=\"hidden\" name=\"referral\" value=\"%lld\">\n"
				      "<input type=\"hidden\" name=\"csrf\" value=\"",
				(long long)r->consignment, id, id);
	if (rc == 0)
		rc = mlv_html_escape(r->b, r->a->csrf);
	if (rc == 0)
		rc = mlv_buf_printf(r->b, "\">\n<fieldset><legend>Close referral %lld</legend>\n"
					  "<label for=\"outcome-%lld\">Outcome</label>\n"
					  "<select id=\"outcome-%lld\" name=\"outcome\">",
				    id, id, id);
	for (size_t i = 0; rc == 0 && i < MLV_ARRAY_LEN(outcomes); i++)
		rc = mlv_buf_printf(r->b, "<option value=\"%s\">%s</option>", outcomes[i][0],
				    outcomes[i][1]);
	if (rc == 0)
		rc = mlv_buf_printf(r->b, "</select>\n<label for=\"close-reason-%lld\">Reason</label>\n"
					  "<input type=\"text\" id=\"close-reason-%lld\" "
					  "name=\"reason\" minlength=\"3\" maxlength=\"500\" required>\n"
					  "<p><button type=\"submit\" class=\"secondary\" "
					  "id=\"do-close-%lld\">Close</button></p></fieldset></form>\n",
				    id, id, id);
	return rc;
}

static int referral_row(void *ctx, const mlv_referral *ref)
{
	struct render *r = ctx;
	bool open = strcmp(ref->status, "closed") != 0;
	bool overdue = open && ref->deadline_ms < r->now;
	long long id = (long long)ref->id;
	r->n++;
	int rc = mlv_buf_printf(r->b, "<article class=\"referral%s\" id=\"referral-%lld\" "
				      "aria-labelledby=\"referral-h-%lld\">\n"
				      "<h3 id=\"referral-h-%lld\">",
				overdue ? " overdue" : "", id, id, id);
	if (rc == 0)
		rc = text(r->b, "", kind_label(ref->kind), "");
	if (rc == 0)
		rc = mlv_buf_printf(r->b, " <span class=\"muted\">#%lld</span> "
					  "<span class=\"status status-%s\">%s</span>",
				    id, ref->status, ref->status);
	if (rc == 0 && overdue)
		rc = mlv_buf_adds(r->b, " <strong class=\"overdue-mark\">overdue</strong>");
	if (rc == 0)
		rc = mlv_buf_adds(r->b, "</h3>\n<dl class=\"facts\">\n<dt>To</dt><dd>");
	if (rc == 0)
		rc = text(r->b, "", ref->to_role, ": ");
	if (rc == 0)
		rc = text(r->b, "", ref->addressee[0] ? ref->addressee : "-", "</dd>\n<dt>Deadline</dt><dd>");
	if (rc == 0)
		rc = when(r->b, ref->deadline_ms);
	if (rc == 0)
		rc = text(r->b, "</dd>\n<dt>Reason</dt><dd>", ref->reason, "</dd>\n");
	if (rc == 0 && ref->request[0])
		rc = text(r->b, "<dt>Request</dt><dd class=\"request\">", ref->request, "</dd>\n");
	if (rc == 0)
		rc = text(r->b, "<dt>Opened by</dt><dd>", ref->created_by, " ");
	if (rc == 0)
		rc = when(r->b, ref->created_ms);
	if (rc == 0)
		rc = mlv_buf_adds(r->b, "</dd>\n");
	if (rc == 0 && ref->outcome[0]) {
		rc = text(r->b, "<dt>Outcome</dt><dd class=\"outcome\">", ref->outcome, ", by ");
		if (rc == 0)
			rc = text(r->b, "", ref->closed_by, " ");
		if (rc == 0)
			rc = when(r->b, ref->closed_ms);
		if (rc == 0)
			rc = mlv_buf_adds(r->b, "</dd>\n");
	}
	if (rc == 0)
		rc = mlv_buf_adds(r->b, "</dl>\n");
	if (rc == 0 && ref->answers == 0)
		rc = mlv_buf_adds(r->b, "<p class=\"muted\">No answer yet.</p>\n");
	else if (rc == 0) {
		rc = mlv_buf_printf(r->b, "<h4>Answers</h4>\n<ol class=\"answers\" "
					  "id=\"answers-%lld\">\n", id);
		r->referral = ref->id;
		if (rc == 0)
			rc = mlv_store_referral_answers(r->st, ref->id, answer_row, r);
		if (rc == 0)
			rc = mlv_buf_adds(r->b, "</ol>\n");
	}
	if (rc == 0 && open)
		rc = close_form(r, ref);
	return rc ? rc : mlv_buf_adds(r->b, "</article>\n");
}

/* ---- the form that opens one ----------------------------------------------------------- */

static int agency_option(void *ctx, const char *name)
{
	mlv_buf *b = ctx;
	int rc = text(b, "<option value=\"agency:", name, "\">agency: ");
	return rc ? rc : text(b, "", name, "</option>");
}

static int open_form(mlv_server *s, mlv_buf *b, const struct auth *a, int64_t id)
{
	int rc = mlv_buf_printf(b, "<form method=\"post\" action=\"/console/consignments/%lld\" "
				   "id=\"open-referral\">\n<input type=\"hidden\" name=\"form\" "
				   "value=\"refer\">\n<input type=\"hidden\" name=\"csrf\" value=\"",
				(long long)id);
	if (rc == 0)
		rc = mlv_html_escape(b, a->csrf);
	if (rc == 0)
		rc = mlv_buf_adds(b, "\">\n<fieldset><legend>Open a referral</legend>\n"
				     "<div class=\"filters\">\n<div><label for=\"ref-kind\">Kind</label>\n"
				     "<select id=\"ref-kind\" name=\"kind\">");
	for (size_t i = 0; rc == 0 && i < MLV_ARRAY_LEN(kinds); i++)
		rc = mlv_buf_printf(b, "<option value=\"%s\">%s (default %lld h)</option>",
				    kinds[i][0], kinds[i][1],
				    (long long)api_referral_default_hours(kinds[i][0]));
	if (rc == 0)
		rc = mlv_buf_adds(b, "</select></div>\n<div><label for=\"ref-to\">To</label>\n"
				     "<select id=\"ref-to\" name=\"to\"><option value=\"filer\">"
				     "the filer</option>");
	for (int i = 1; rc == 0 && i < MLV_ROLE_COUNT_; i++) {
		const char *role = mlv_party_role_name((mlv_party_role)i);
		rc = mlv_buf_printf(b, "<option value=\"%s\">party: %s</option>", role, role);
	}
	if (rc == 0) {
		mlv_store *st = api_reader_acquire(s);
		rc = mlv_store_agencies(st, AGENCIES_MAX, agency_option, b);
		api_reader_release(s, st);
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, "</select></div>\n<div><label for=\"ref-hours\">Deadline (hours; "
				     "empty: the kind's default)</label>\n<input type=\"number\" "
				     "id=\"ref-hours\" name=\"hours\" min=\"1\" max=\"720\" "
				     "inputmode=\"numeric\"></div>\n</div>\n"
				     "<label for=\"ref-request\">What is asked</label>\n"
				     "<textarea id=\"ref-request\" name=\"request\" rows=\"2\" cols=\"60\" "
				     "maxlength=\"500\"></textarea>\n"
				     "<label for=\"ref-reason\">Reason (the addressee reads it)</label>\n"
				     "<input type=\"text\" id=\"ref-reason\" name=\"reason\" "
				     "minlength=\"3\" maxlength=\"500\" required>\n"
				     "<p><button type=\"submit\" id=\"do-open-referral\">Open the "
				     "referral</button></p>\n</fieldset></form>\n");
	return rc;
}

int console_referrals_section(mlv_server *s, mlv_buf *b, const struct auth *a, int64_t id)
{
	int rc = mlv_buf_adds(b, "<section aria-labelledby=\"h-referrals\" id=\"referrals\">"
				 "<h2 id=\"h-referrals\">Referrals</h2>\n");
	struct render r = {.s = s, .b = b, .a = a, .consignment = id, .now = mlv_now_ms()};
	mlv_referral_query q = {.consignment_id = id, .now_ms = r.now, .limit = MLV_LIST_MAX};
	int64_t next = 0;
	if (rc == 0) {
		/* Answers and documents are read over the same connection while
		 * the referrals step, which SQLite allows. */
		r.st = api_reader_acquire(s);
		rc = mlv_store_referrals(r.st, &q, referral_row, &r, &next);
		api_reader_release(s, r.st);
	}
	if (rc == 0 && r.n == 0)
		rc = mlv_buf_adds(b, "<p id=\"no-referrals\">No referral for this consignment.</p>\n");
	if (rc == 0 && next != 0)
		rc = mlv_buf_adds(b, "<p class=\"muted\">More referrals than a page shows: see "
				     "GET /v1/referrals.</p>\n");
	if (rc == 0 && (a->role_bit & ROLES_OFFICERS))
		rc = open_form(s, b, a, id);
	return rc ? rc : mlv_buf_adds(b, "</section>\n");
}

/* ---- the forms posted ------------------------------------------------------------------- */

/* A form value: 0 with out set, MLV_ENOTFOUND (out ""), else bad. */
static bool field(const mlv_req *req, const char *name, char *out, size_t size)
{
	const char *body = req->body.data != NULL ? req->body.data : "";
	int rc = mlv_web_form_value(body, req->body.len, name, out, size);
	if (rc == MLV_ENOTFOUND)
		out[0] = '\0';
	return rc == 0 || rc == MLV_ENOTFOUND;
}

static const char *open_post(mlv_server *s, mlv_req *req, const struct auth *a, int64_t id,
			     int *status, const char **done)
{
	char kind[16], to[80], hours[8], request[512], reason[512];
	if (!field(req, "kind", kind, sizeof(kind)) || !field(req, "to", to, sizeof(to)) ||
	    !field(req, "hours", hours, sizeof(hours)) ||
	    !field(req, "request", request, sizeof(request)) ||
	    !field(req, "reason", reason, sizeof(reason)))
		return "A field of the form is too long or badly encoded.";
	int64_t h = 0, now = mlv_now_ms();
	if (hours[0] && !api_parse_int(hours, 1, 720, &h))
		return "The deadline is a number of hours from 1 to 720.";
	bool agency = strncmp(to, "agency:", 7) == 0;
	mlv_referral_new n;
	const char *bad = api_referral_open_check(s, kind, reason, request[0] ? request : NULL,
						  h ? now + h * 3600000 : 0,
						  agency ? NULL : to[0] ? to : NULL,
						  agency ? to + 7 : NULL, now, &n);
	if (bad != NULL)
		return bad;
	int64_t rid = 0;
	mlv_transition_result r;
	int rc = api_referral_open_apply(s, a, &n, id, &rid, &r);
	if (rc == MLV_EINVALID) {
		*status = 422;
		return "No party of the consignment has that role.";
	}
	if (rc == MLV_ECONFLICT || rc == MLV_EFORBIDDEN) {
		*status = 409;
		return "The consignment cannot be referred in its present state.";
	}
	if (rc == MLV_ENOTFOUND) {
		*status = 404;
		return "No such consignment.";
	}
	if (rc != 0) {
		*status = 500;
		return "The referral could not be recorded; try again.";
	}
	*done = "referred";
	return NULL;
}

static const char *close_post(mlv_server *s, mlv_req *req, const struct auth *a, int64_t id,
			      int *status, const char **done)
{
	char rid_s[24], outcome[16], reason[512];
	int64_t rid = 0;
	if (!field(req, "referral", rid_s, sizeof(rid_s)) ||
	    !field(req, "outcome", outcome, sizeof(outcome)) ||
	    !field(req, "reason", reason, sizeof(reason)))
		return "A field of the form is too long or badly encoded.";
	if (!api_parse_int(rid_s, 1, INT64_MAX, &rid))
		return "The form names no referral.";
	/* The referral must be this consignment's: the form posts to its page. */
	mlv_referral ref;
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_referral_get(st, 0, 0, rid, &ref);
	api_reader_release(s, st);
	if (rc != 0 || ref.consignment_id != id) {
		*status = rc == 0 || rc == MLV_ENOTFOUND ? 404 : 500;
		return "No such referral on this consignment.";
	}
	const char *bad = api_referral_close_check(outcome, reason);
	if (bad != NULL)
		return bad;
	bool resolved = false;
	mlv_transition_result r;
	rc = api_referral_close_apply(s, a, rid, outcome, reason, &resolved, &r);
	if (rc == MLV_ECONFLICT) {
		*status = 409;
		return "The referral is closed already.";
	}
	if (rc != 0) {
		*status = rc == MLV_ENOTFOUND ? 404 : 500;
		return rc == MLV_ENOTFOUND ? "No such referral." : "The referral could not be closed.";
	}
	*done = resolved ? "closed-resolved" : "closed";
	return NULL;
}

const char *console_referrals_post(mlv_server *s, mlv_req *req, const struct auth *a,
				   int64_t id, const char *form, int *status, const char **done)
{
	*status = 422;
	*done = NULL;
	if (strcmp(form, "refer") == 0)
		return open_post(s, req, a, id, status, done);
	if (strcmp(form, "close") == 0)
		return close_post(s, req, a, id, status, done);
	return "The form is not one of this page's.";
}

/* ---- GET /console/referrals/{id}/documents/{doc} ---------------------------------------- */

int api_console_referral_doc(mlv_server *s, mlv_req *req, mlv_resp *resp, int64_t id,
			     int64_t doc)
{
	struct auth a;
	if (!api_console_person(s, req, resp, ROLES_OFFICERS | ROLE_AUDITOR, &a))
		return 0;
	/* The API's own read: the same scope, the same safe media types, as
	 * an attachment. */
	return api_referral_document(s, resp, &a, id, doc);
}
