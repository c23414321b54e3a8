/* console_operators.c - the registry of operators in the console, read
 * only (the API, /v1/operators, stays the way to write):
 *
 *   /console/operators        the list, newest first, with filters in a
 *                             plain GET form (kind, country, AEO, name)
 *                             and a cursor link to the next page
 *   /console/operators/{id}   one record: identifiers, addresses,
 *                             contacts, its AEO authorisation with how
 *                             this administration recognises it today,
 *                             and the record's history
 *
 * For administrators and supervisors, and auditors (who read).  The same
 * store reads as the API's, with the full view those roles have there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_impl.h"
#include "mlv/operators.h"
#include "mlv/refdata.h"
#include "problem.h"
#include "web.h"

#define ROLES_REGISTRY (ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_AUDITOR)
#define PAGE_ROWS 50

static int text(mlv_buf *b, const char *before, const char *value, const char *after)
{
	int rc = mlv_buf_adds(b, before);
	if (rc == 0)
		rc = mlv_html_escape(b, value);
	if (rc == 0)
		rc = mlv_buf_adds(b, after);
	return rc;
}

static void recognition(const mlv_operators *snap, const mlv_op_aeo *aeo,
			mlv_aeo_recognition *rec)
{
	size_t nmras = 0;
	const mlv_mra *mras = mlv_operators_mras(snap, &nmras);
	mlv_aeo_recognise(rec, aeo, &mlv_operators_settings(snap)->ctx, mras, nmras,
			  (int32_t)(mlv_now_ms() / 86400000));
}

/* "recognised (domestic)", "not recognised", "-" */
static const char *aeo_word(const mlv_op_aeo *aeo, const mlv_aeo_recognition *rec)
{
	if (!aeo->present)
		return "-";
	if (rec->recognised)
		return "recognised";
	return aeo->suspended ? "suspended" : rec->valid ? "not recognised" : "not valid";
}

/* ---- the list ------------------------------------------------------------------------- */

struct rows {
	mlv_buf *b;
	const mlv_operators *snap;
	int n;
};

static int row(void *ctx, const mlv_operator *op)
{
	struct rows *r = ctx;
	mlv_aeo_recognition rec;
	recognition(r->snap, &op->aeo, &rec);
	r->n++;
	int rc = mlv_buf_printf(r->b, "<tr><td><a href=\"/console/operators/%lld\">",
				(long long)op->id);
	if (rc == 0)
		rc = text(r->b, "", op->name, "</a></td>");
	if (rc == 0)
		rc = text(r->b, "<td>", mlv_op_kind_name(op->kind), "</td>");
	if (rc == 0)
		rc = text(r->b, "<td>", op->country, "</td><td>");
	if (rc == 0 && op->nidents > 0)
		rc = text(r->b, "", op->idents[0].value, "");
	if (rc == 0 && op->nidents > 1)
		rc = mlv_buf_printf(r->b, " <span class=\"muted\">+%zu</span>", op->nidents - 1);
	if (rc == 0)
		rc = mlv_buf_adds(r->b, "</td><td>");
	if (rc == 0 && op->aeo.present)
		rc = text(r->b, "", mlv_aeo_type_name(op->aeo.type), " ");
	if (rc == 0)
		rc = text(r->b, "", aeo_word(&op->aeo, &rec), "</td>");
	return rc ? rc : mlv_buf_printf(r->b, "<td class=\"num\">%d</td></tr>\n", op->version);
}

static int filter_form(mlv_buf *b, unsigned kind, const char *country, int aeo,
		       const char *name)
{
	int rc = mlv_buf_adds(b, "<form method=\"get\" action=\"/console/operators\" "
				 "class=\"filters\" role=\"search\">\n<div><label for=\"f-kind\">"
				 "Kind</label>\n<select id=\"f-kind\" name=\"kind\"><option "
				 "value=\"\">any</option>");
	for (unsigned k = 1; rc == 0 && k < MLV_OP_KIND_COUNT; k++)
		rc = mlv_buf_printf(b, "<option value=\"%s\"%s>%s</option>", mlv_op_kind_name(k),
				    k == kind ? " selected" : "", mlv_op_kind_name(k));
	if (rc == 0)
		rc = text(b, "</select></div>\n<div><label for=\"f-country\">Country</label>\n"
			     "<input type=\"text\" id=\"f-country\" name=\"country\" size=\"3\" "
			     "maxlength=\"2\" value=\"", country, "\"></div>\n");
	if (rc == 0)
		rc = mlv_buf_printf(b, "<div><label for=\"f-aeo\">AEO</label>\n<select id=\"f-aeo\" "
				       "name=\"aeo\"><option value=\"\">either</option><option "
				       "value=\"true\"%s>AEO</option><option value=\"false\"%s>not "
				       "AEO</option></select></div>\n",
				    aeo == 1 ? " selected" : "", aeo == 0 ? " selected" : "");
	if (rc == 0)
		rc = text(b, "<div><label for=\"f-name\">Name</label>\n<input type=\"search\" "
			     "id=\"f-name\" name=\"name\" maxlength=\"140\" value=\"", name,
			     "\"></div>\n<div><button type=\"submit\">Filter</button></div>\n"
			     "</form>\n");
	return rc;
}

/* The list's parameters back into a query string (for the next page). */
static int next_link(mlv_buf *b, const char *kind, const char *country, const char *aeo,
		     const char *name, int64_t next)
{
	int rc = mlv_buf_printf(b, "<p class=\"pages\"><a id=\"next-page\" rel=\"next\" "
				   "href=\"/console/operators?cursor=%lld",
				(long long)next);
	const char *names[] = {"kind", "country", "aeo", "name"};
	const char *values[] = {kind, country, aeo, name};
	for (size_t i = 0; rc == 0 && i < MLV_ARRAY_LEN(names); i++) {
		if (values[i] == NULL || values[i][0] == '\0')
			continue;
		rc = mlv_buf_printf(b, "&amp;%s=", names[i]);
		for (const unsigned char *p = (const unsigned char *)values[i]; rc == 0 && *p; p++)
			rc = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
					     (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'
				     ? mlv_buf_addc(b, (char)*p)
				     : mlv_buf_printf(b, "%%%02X", *p);
	}
	return rc ? rc : mlv_buf_adds(b, "\">Next page</a></p>\n");
}

int api_console_operators(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	struct auth a;
	if (!api_console_person(s, req, resp, ROLES_REGISTRY, &a))
		return 0;
	mlv_operator_query q;
	memset(&q, 0, sizeof(q));
	q.limit = PAGE_ROWS;
	q.aeo = -1;
	const char *kind = mlv_req_query(req, "kind"), *aeo = mlv_req_query(req, "aeo");
	const char *name = mlv_req_query(req, "name"), *cursor = mlv_req_query(req, "cursor");
	const char *country_q = mlv_req_query(req, "country");
	char country[3] = "";
	const char *bad = NULL;
	int64_t v;
	if (kind != NULL && kind[0] && (q.kind = mlv_op_kind_parse(kind)) == 0)
		bad = "The kind is not a kind of operator.";
	if (country_q != NULL && country_q[0]) {
		if (strlen(country_q) == 2) {
			for (int i = 0; i < 2; i++)
				country[i] = (char)(country_q[i] >= 'a' && country_q[i] <= 'z'
							    ? country_q[i] - 32
							    : country_q[i]);
		}
		if (mlv_country_exists(s->opts.rd, country))
			q.country = country;
		else
			bad = "The country is an ISO 3166-1 code of two letters.";
	}
	if (aeo != NULL && aeo[0]) {
		if (strcmp(aeo, "true") == 0 || strcmp(aeo, "false") == 0)
			q.aeo = strcmp(aeo, "true") == 0;
		else
			bad = "AEO is true or false.";
	}
	if (name != NULL && name[0]) {
		if (strlen(name) >= 2 && strlen(name) <= 140)
			q.name = name;
		else
			bad = "The name searched is 2 to 140 characters.";
	}
	if (cursor != NULL && cursor[0]) {
		if (api_parse_int(cursor, 1, INT64_MAX, &v))
			q.after_id = v;
		else
			bad = "The page link is not one this server gave.";
	}
	resp->content_type = "text/html; charset=utf-8";
	mlv_buf *b = &resp->body;
	int rc = api_console_begin(b, &a, "Operators", "/console/operators");
	if (rc == 0)
		rc = mlv_buf_adds(b, "<h1>Registry of operators</h1>\n<p class=\"muted\">Read only "
				     "here: administrators write through the API "
				     "(/v1/operators).</p>\n");
	if (rc == 0)
		rc = filter_form(b, q.kind, q.country ? q.country : "", q.aeo, q.name ? q.name : "");
	if (rc == 0 && bad != NULL) {
		resp->status = 400;
		rc = text(b, "<p class=\"error\" role=\"alert\" id=\"filter-error\">", bad, "</p>\n");
	}
	mlv_operators *snap = api_operators(s);
	struct rows r = {b, snap, 0};
	int64_t next = 0;
	if (rc == 0 && bad == NULL) {
		rc = mlv_buf_adds(b, "<div class=\"table-wrap\"><table id=\"operators\">\n<thead><tr>"
				     "<th scope=\"col\">Name</th><th scope=\"col\">Kind</th>"
				     "<th scope=\"col\">Country</th><th scope=\"col\">Identifier</th>"
				     "<th scope=\"col\">AEO</th><th class=\"num\" scope=\"col\">"
				     "Version</th></tr></thead><tbody>\n");
		if (rc == 0) {
			mlv_store *st = api_reader_acquire(s);
			rc = mlv_store_operator_list(st, &q, row, &r, &next);
			api_reader_release(s, st);
		}
		if (rc == 0)
			rc = mlv_buf_adds(b, "</tbody></table></div>\n");
		if (rc == 0 && r.n == 0)
			rc = mlv_buf_adds(b, "<p id=\"no-operators\">No operator matches.</p>\n");
		if (rc == 0 && next != 0)
			rc = next_link(b, kind, q.country, aeo, q.name, next);
	}
	mlv_operators_release(snap);
	if (rc == 0)
		rc = mlv_web_page_end(b);
	if (rc != 0) {
		mlv_buf_reset(b);
		mlv_http_problem_err(resp, rc, NULL);
	}
	return 0;
}

/* ---- one record ------------------------------------------------------------------------- */

static int fact(mlv_buf *b, const char *term, const char *value, const char *id)
{
	int rc = text(b, "<dt>", term, "</dt><dd");
	if (rc == 0 && id != NULL)
		rc = text(b, " id=\"", id, "\"");
	return rc ? rc : text(b, ">", value[0] ? value : "-", "</dd>\n");
}

static int day_fact(mlv_buf *b, const char *term, int32_t day)
{
	char d[11] = "open";
	if (day != MLV_OP_OPEN)
		mlv_date_format(day, d);
	return fact(b, term, d, NULL);
}

static int aeo_section(mlv_buf *b, const mlv_operators *snap, const mlv_op_aeo *aeo)
{
	int rc = mlv_buf_adds(b, "<section aria-labelledby=\"h-aeo\"><h2 id=\"h-aeo\">Authorised "
				 "economic operator</h2>\n");
	if (rc != 0 || !aeo->present)
		return rc ? rc : mlv_buf_adds(b, "<p id=\"aeo-status\">No AEO authorisation on "
						 "record.</p></section>\n");
	mlv_aeo_recognition rec;
	recognition(snap, aeo, &rec);
	rc = mlv_buf_adds(b, "<dl class=\"facts\">\n");
	if (rc == 0)
		rc = fact(b, "Type", mlv_aeo_type_name(aeo->type), NULL);
	if (rc == 0)
		rc = fact(b, "Issued by", aeo->country, NULL);
	if (rc == 0)
		rc = fact(b, "Certificate", aeo->certificate, NULL);
	if (rc == 0)
		rc = day_fact(b, "Valid from", aeo->valid_from);
	if (rc == 0)
		rc = day_fact(b, "Valid to", aeo->valid_to);
	if (rc == 0)
		rc = fact(b, "Suspended", aeo->suspended ? "yes" : "no", NULL);
	if (rc == 0)
		rc = fact(b, "Status today", aeo_word(aeo, &rec), "aeo-status");
	if (rc == 0)
		rc = fact(b, "Basis", mlv_aeo_basis_name(rec.basis), "aeo-basis");
	if (rc == 0 && rec.basis == MLV_AEO_MRA)
		rc = fact(b, "Arrangement", rec.mra_reference, NULL);
	if (rc == 0)
		rc = fact(b, "Why", rec.reason, "aeo-reason");
	return rc ? rc : mlv_buf_adds(b, "</dl></section>\n");
}

static int lists(mlv_buf *b, const mlv_operator *op)
{
	int rc = mlv_buf_adds(b, "<section aria-labelledby=\"h-ids\"><h2 id=\"h-ids\">Identifiers"
				 "</h2>\n<ul id=\"identifiers\">\n");
	for (size_t i = 0; rc == 0 && i < op->nidents; i++) {
		rc = text(b, "<li>", mlv_op_id_type_name(op->idents[i].type), ": <code>");
		if (rc == 0)
			rc = text(b, "", op->idents[i].value, "</code></li>\n");
	}
	if (rc == 0 && op->nidents == 0)
		rc = mlv_buf_adds(b, "<li>none</li>\n");
	if (rc == 0)
		rc = mlv_buf_adds(b, "</ul></section>\n<section aria-labelledby=\"h-addr\"><h2 "
				     "id=\"h-addr\">Addresses</h2>\n<ul>\n");
	for (size_t i = 0; rc == 0 && i < op->naddresses; i++) {
		const mlv_op_address *ad = &op->addresses[i];
		rc = text(b, "<li>", mlv_op_address_type_name(ad->type), ": ");
		if (rc == 0)
			rc = text(b, "", ad->street, ", ");
		if (rc == 0)
			rc = text(b, "", ad->postcode, " ");
		if (rc == 0)
			rc = text(b, "", ad->city, ", ");
		if (rc == 0)
			rc = text(b, "", ad->country, "</li>\n");
	}
	if (rc == 0 && op->naddresses == 0)
		rc = mlv_buf_adds(b, "<li>none</li>\n");
	/* Contacts are personal data: who to call, for the staff who may. */
	if (rc == 0)
		rc = mlv_buf_adds(b, "</ul></section>\n<section aria-labelledby=\"h-contacts\"><h2 "
				     "id=\"h-contacts\">Contacts</h2>\n<ul>\n");
	for (size_t i = 0; rc == 0 && i < op->ncontacts; i++) {
		const mlv_op_contact *c = &op->contacts[i];
		rc = text(b, "<li>", c->name, "");
		if (rc == 0 && c->function[0])
			rc = text(b, " (", c->function, ")");
		if (rc == 0 && c->email[0])
			rc = text(b, " ", c->email, "");
		if (rc == 0 && c->phone[0])
			rc = text(b, " ", c->phone, "");
		if (rc == 0)
			rc = mlv_buf_adds(b, "</li>\n");
	}
	if (rc == 0 && op->ncontacts == 0)
		rc = mlv_buf_adds(b, "<li>none</li>\n");
	if (rc == 0)
		rc = mlv_buf_adds(b, "</ul></section>\n<section aria-labelledby=\"h-filers\"><h2 "
				     "id=\"h-filers\">Filer accounts acting for it</h2>\n<ul>\n");
	for (size_t i = 0; rc == 0 && i < op->nfilers; i++)
		rc = text(b, "<li>", op->filers[i], "</li>\n");
	if (rc == 0 && op->nfilers == 0)
		rc = mlv_buf_adds(b, "<li>none</li>\n");
	return rc ? rc : mlv_buf_adds(b, "</ul></section>\n");
}

static int history_row(void *ctx, const mlv_registry_change *ch, const mlv_operator *op)
{
	(void)op;
	mlv_buf *b = ctx;
	char at[32];
	api_ms_to_rfc3339(ch->at_ms, at);
	int rc = mlv_buf_printf(b, "<tr><td class=\"num\">%d</td><td><time datetime=\"%s\">%.10s "
				   "%.5s</time></td>",
				ch->version, at, at, at + 11);
	if (rc == 0)
		rc = text(b, "<td>", ch->actor, "</td>");
	if (rc == 0)
		rc = text(b, "<td>", ch->change, "</td>");
	return rc ? rc : text(b, "<td>", ch->changed, "</td></tr>\n");
}

int api_console_operator(mlv_server *s, mlv_req *req, mlv_resp *resp, int64_t id)
{
	struct auth a;
	if (!api_console_person(s, req, resp, ROLES_REGISTRY, &a))
		return 0;
	mlv_operator *op = malloc(sizeof(*op));
	int rc = op != NULL ? 0 : MLV_ENOMEM;
	if (rc == 0) {
		mlv_store *st = api_reader_acquire(s);
		rc = mlv_store_operator_get(st, id, op);
		api_reader_release(s, st);
	}
	resp->content_type = "text/html; charset=utf-8";
	mlv_buf *b = &resp->body;
	if (rc == MLV_ENOTFOUND) {
		resp->status = 404;
		rc = api_console_begin(b, &a, "Not found", "/console/operators");
		if (rc == 0)
			rc = mlv_buf_adds(b, "<h1>No such operator</h1>\n<p><a href=\"/console/"
					     "operators\">Back to the registry</a></p>\n");
		if (rc == 0)
			rc = mlv_web_page_end(b);
		goto out;
	}
	if (rc != 0)
		goto out;
	char title[160], num[32];
	snprintf(title, sizeof(title), "Operator %.140s", op->name);
	rc = api_console_begin(b, &a, title, "/console/operators");
	if (rc == 0)
		rc = mlv_buf_adds(b, "<p><a href=\"/console/operators\">Back to the registry</a></p>\n");
	if (rc == 0)
		rc = text(b, "<h1 id=\"operator-name\">", op->name, "</h1>\n");
	if (rc == 0)
		rc = mlv_buf_adds(b, "<section aria-labelledby=\"h-record\"><h2 id=\"h-record\">"
				     "Record</h2>\n<dl class=\"facts\">\n");
	if (rc == 0)
		rc = fact(b, "Kind", mlv_op_kind_name(op->kind), "operator-kind");
	if (rc == 0)
		rc = fact(b, "Country", op->country, "operator-country");
	if (rc == 0)
		rc = fact(b, "Natural person", op->natural_person ? "yes" : "no", NULL);
	snprintf(num, sizeof(num), "%d", op->version);
	if (rc == 0)
		rc = fact(b, "Version", num, NULL);
	api_ms_to_rfc3339(op->created_ms, num);
	if (rc == 0)
		rc = fact(b, "Created", num, NULL);
	api_ms_to_rfc3339(op->updated_ms, num);
	if (rc == 0)
		rc = fact(b, "Updated", num, NULL);
	if (rc == 0)
		rc = mlv_buf_adds(b, "</dl></section>\n");
	if (rc == 0) {
		mlv_operators *snap = api_operators(s);
		rc = aeo_section(b, snap, &op->aeo);
		mlv_operators_release(snap);
	}
	if (rc == 0)
		rc = lists(b, op);
	if (rc == 0)
		rc = mlv_buf_adds(b, "<section aria-labelledby=\"h-history\"><h2 id=\"h-history\">"
				     "History</h2>\n<div class=\"table-wrap\"><table id=\"history\">\n"
				     "<thead><tr><th class=\"num\" scope=\"col\">Version</th>"
				     "<th scope=\"col\">When (UTC)</th><th scope=\"col\">By</th>"
				     "<th scope=\"col\">Change</th><th scope=\"col\">Members</th></tr>"
				     "</thead><tbody>\n");
	if (rc == 0) {
		mlv_store *st = api_reader_acquire(s);
		rc = mlv_store_operator_history(st, id, history_row, b);
		api_reader_release(s, st);
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, "</tbody></table></div></section>\n");
	if (rc == 0)
		rc = mlv_web_page_end(b);
out:
	free(op);
	if (rc != 0) {
		mlv_buf_reset(b);
		mlv_http_problem_err(resp, rc, NULL);
	}
	return 0;
}
