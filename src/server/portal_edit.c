/* portal_edit.c - the editors' pages: each country's draft texts as a
 * form, the list of drafts, and the publication of a new version.
 *
 * For supervisors and administrators signed in with a session; every
 * POST carries the session's CSRF token in the form and answers with a
 * redirect (post, redirect, get), so reloading a page never posts twice.
 * The form's lines become the same JSON document that PUT
 * /v1/portal/drafts/{country} takes, read by the same strict reader. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlv/codec.h"
#include "portal.h"
#include "problem.h"
#include "web.h"

#define TEXTAREA_MAX (MLV_PORTAL_TEXT_MAX + 1)

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *jget(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* The editor of the request, or false after answering: a redirect to the
 * sign-in page for the public, a 403 page for other roles. */
static bool editor(pctx *c, mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	if (!portal_begin(c, s, req, resp, true))
		return false;
	if (!c->signed_in || !c->a.session) {
		resp->status = 303;
		snprintf(resp->location, sizeof(resp->location), "/console/login?next=%s",
			 strlen(req->path) < 80 ? req->path : "/portal/edit");
		resp->content_type = "text/html; charset=utf-8";
		return false;
	}
	if (!c->editor) {
		portal_error_page(c, 403, portal_t(c, M_FORBIDDEN));
		return false;
	}
	return true;
}

static bool csrf_ok(pctx *c)
{
	char token[96] = "";
	const char *b = c->req->body.data != NULL ? c->req->body.data : "";
	if (mlv_web_form_value(b, c->req->body.len, "csrf", token, sizeof(token)) != 0)
		token[0] = '\0';
	return api_csrf_ok(c->req, &c->a, token);
}

static void redirect(mlv_resp *resp, const char *where)
{
	resp->status = 303;
	snprintf(resp->location, sizeof(resp->location), "%s", where);
	resp->content_type = "text/html; charset=utf-8";
}

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

static void csrf_field(html *h, const pctx *c)
{
	h_raw(h, "<input type=\"hidden\" name=\"csrf\" value=\"");
	h_esc(h, c->a.csrf);
	h_raw(h, "\">");
}

/* ---- the list of drafts and the publication ------------------------------------------ */

typedef struct draft_row {
	char country[8];
	char by[64];
	int64_t at;
	bool changed;
} draft_row;

typedef struct drafts {
	draft_row rows[64];
	size_t n;
} drafts;

static int on_draft(void *ctx, const char *country, int64_t at, const char *by, bool changed)
{
	drafts *d = ctx;
	if (d->n < MLV_ARRAY_LEN(d->rows)) {
		draft_row *r = &d->rows[d->n++];
		snprintf(r->country, sizeof(r->country), "%s", country);
		snprintf(r->by, sizeof(r->by), "%s", by);
		r->at = at;
		r->changed = changed;
	}
	return 0;
}

static const draft_row *find_draft(const drafts *d, const char *cc)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->rows[i].country, cc) == 0)
			return &d->rows[i];
	return NULL;
}

static void flash(html *h, const pctx *c)
{
	const char *v;
	if ((v = mlv_req_query(c->req, "saved")) != NULL && portal_country_known(c->s, v)) {
		h_raw(h, "<p class=\"ok\" role=\"status\" id=\"flash\">");
		h_esc(h, portal_name(c, v));
		h_raw(h, ": ");
		h_say(h, c, M_EDIT_SAVED, NULL);
		h_raw(h, "</p>\n");
	} else if ((v = mlv_req_query(c->req, "discarded")) != NULL && portal_country_known(c->s, v)) {
		h_raw(h, "<p class=\"ok\" role=\"status\" id=\"flash\">");
		h_esc(h, portal_name(c, v));
		h_raw(h, ": ");
		h_say(h, c, M_EDIT_DISCARDED, NULL);
		h_raw(h, "</p>\n");
	} else if ((v = mlv_req_query(c->req, "published")) != NULL && strspn(v, "0123456789") == strlen(v) &&
		   strlen(v) < 12) {
		h_raw(h, "<p class=\"ok\" role=\"status\" id=\"flash\">");
		h_say(h, c, M_EDIT_PUBLISHED, v, NULL);
		h_raw(h, " <a href=\"/portal/changes\">");
		h_esc(h, portal_t(c, M_NAV_CHANGES));
		h_raw(h, "</a></p>\n");
	} else if (mlv_req_query(c->req, "nothing") != NULL) {
		h_raw(h, "<p class=\"error\" role=\"alert\" id=\"flash\">");
		h_say(h, c, M_EDIT_NOTHING, NULL);
		h_raw(h, "</p>\n");
	}
}

int portal_page_edit(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	pctx c;
	if (!editor(&c, s, req, resp))
		return 0;
	drafts *d = calloc(1, sizeof(*d));
	if (d == NULL) {
		mlv_http_problem_err(resp, MLV_ENOMEM, NULL);
		return 0;
	}
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_portal_drafts(st, on_draft, d);
	api_reader_release(s, st);
	if (rc != 0) {
		free(d);
		return portal_error_page(&c, 500, portal_t(&c, M_FAILED));
	}
	html h = {&resp->body, 0};
	portal_page_begin(&h, &c, portal_t(&c, M_EDIT_TITLE), "/portal/edit");
	h_raw(&h, "<h1>");
	h_esc(&h, portal_t(&c, M_EDIT_TITLE));
	h_raw(&h, "</h1>\n<p class=\"lead\">");
	h_say(&h, &c, M_EDIT_INTRO, NULL);
	h_raw(&h, "</p>\n");
	flash(&h, &c);
	bool pending = false;
	for (size_t i = 0; i < d->n; i++)
		pending |= d->rows[i].changed;
	if (pending) {
		h_raw(&h, "<form class=\"publish\" method=\"post\" action=\"/portal/publish\">");
		csrf_field(&h, &c);
		h_raw(&h, "<label for=\"note\">");
		h_esc(&h, portal_t(&c, M_EDIT_PUBLISH_NOTE));
		h_raw(&h, "</label><input type=\"text\" id=\"note\" name=\"note\" maxlength=\"250\">"
			  "<button type=\"submit\" id=\"publish\">");
		h_esc(&h, portal_t(&c, M_EDIT_PUBLISH));
		h_raw(&h, "</button></form>\n");
	}
	h_raw(&h, "<table class=\"drafts\"><caption>");
	h_esc(&h, portal_t(&c, M_COUNTRIES));
	h_raw(&h, "</caption><thead><tr><th scope=\"col\">");
	h_esc(&h, portal_t(&c, M_COUNTRY));
	h_raw(&h, "</th><th scope=\"col\">");
	h_esc(&h, portal_t(&c, M_EDIT_DRAFT_COLUMN));
	h_raw(&h, "</th></tr></thead><tbody>\n");
	const mlv_profiles *ps = portal_profiles(c.p);
	/* the unions first (their texts reach every member state), then the countries */
	const char *codes[128];
	size_t n = 0;
	for (size_t i = 0; i < mlv_profiles_count(ps) && n < MLV_ARRAY_LEN(codes) - 1; i++) {
		const mlv_profile *u = mlv_profile_union(mlv_profiles_at(ps, i));
		bool seen = false;
		for (size_t k = 0; u != NULL && k < n; k++)
			seen |= strcmp(codes[k], mlv_profile_code(u)) == 0;
		if (u != NULL && !seen)
			codes[n++] = mlv_profile_code(u);
	}
	for (size_t i = 0; i < mlv_profiles_count(ps) && n < MLV_ARRAY_LEN(codes); i++)
		codes[n++] = mlv_profile_code(mlv_profiles_at(ps, i));
	for (size_t i = 0; i < n; i++) {
		const draft_row *r = find_draft(d, codes[i]);
		h_raw(&h, "<tr><th scope=\"row\"><a href=\"/portal/edit/");
		h_esc(&h, codes[i]);
		h_raw(&h, "\">");
		h_esc(&h, portal_name(&c, codes[i]));
		h_raw(&h, " (");
		h_esc(&h, codes[i]);
		h_raw(&h, ")</a></th><td>");
		if (r != NULL) {
			char when[32];
			api_ms_to_rfc3339(r->at, when);
			when[16] = '\0';
			when[10] = ' ';
			h_say(&h, &c, M_EDIT_DRAFT, when, r->by, NULL);
			if (!r->changed) {
				h_raw(&h, " ");
				h_say(&h, &c, M_EDIT_UNCHANGED, NULL);
			}
		} else {
			h_say(&h, &c, M_EDIT_NO_DRAFT, NULL);
		}
		h_raw(&h, "</td></tr>\n");
	}
	h_raw(&h, "</tbody></table>\n");
	free(d);
	portal_page_end(&h, &c);
	return finish(&c, &h);
}

int portal_page_publish(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	pctx c;
	if (!editor(&c, s, req, resp))
		return 0;
	if (!csrf_ok(&c))
		return portal_error_page(&c, 403, portal_t(&c, M_FORBIDDEN));
	char note[256] = "";
	const char *b = req->body.data != NULL ? req->body.data : "";
	if (mlv_web_form_value(b, req->body.len, "note", note, sizeof(note)) != 0)
		note[0] = '\0';
	for (char *p = note; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	if (!mlv_utf8_valid(note, strlen(note)))
		note[0] = '\0';
	int64_t version = 0;
	size_t changed = 0;
	int rc = portal_publish(s, NULL, 0, c.a.filer, note, &version, &changed);
	if (rc == MLV_ECONFLICT) {
		redirect(resp, "/portal/edit?nothing=1");
		return 0;
	}
	if (rc != 0)
		return portal_error_page(&c, 500, portal_t(&c, M_FAILED));
	char where[64];
	snprintf(where, sizeof(where), "/portal/edit?published=%lld", (long long)version);
	redirect(resp, where);
	return 0;
}

/* ---- one country's texts ---------------------------------------------------------------- */

/* Lines "a | b | c" of a textarea from a list of objects (fields in order),
 * or of strings. */
static void lines_of(html *h, const cJSON *arr, const char *const *fields)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, arr)
	{
		if (fields == NULL) {
			h_esc(h, cJSON_IsString(e) ? e->valuestring : "");
		} else {
			/* trailing empty fields are left out */
			size_t last = 0;
			for (size_t i = 0; fields[i] != NULL; i++)
				if (jstr(e, fields[i]) != NULL)
					last = i + 1;
			for (size_t i = 0; i < last; i++) {
				if (i > 0)
					h_raw(h, " | ");
				h_esc(h, jstr(e, fields[i]) != NULL ? jstr(e, fields[i]) : "");
			}
		}
		h_raw(h, "\n");
	}
}

static const char *const contact_fields[] = {"name", "email", "phone", "url", NULL};
static const char *const requirement_fields[] = {"hs", "text", NULL};
static const char *const pending_fields[] = {"date", "text", NULL};

static void textarea(html *h, const pctx *c, const char *id, portal_msg label, portal_msg hint,
		     int rows, const char *text, const cJSON *arr, const char *const *fields)
{
	h_raw(h, "<label for=\"");
	h_raw(h, id);
	h_raw(h, "\">");
	h_esc(h, portal_t(c, label));
	h_raw(h, "</label>");
	if ((int)hint >= 0) {
		h_raw(h, "<p class=\"hint\" id=\"");
		h_raw(h, id);
		h_raw(h, "-hint\">");
		h_say(h, c, hint, NULL);
		h_raw(h, "</p>");
	}
	h_fmt(h, "<textarea id=\"%s\" name=\"%s\" rows=\"%d\"", id, id, rows);
	if ((int)hint >= 0)
		h_fmt(h, " aria-describedby=\"%s-hint\"", id);
	h_raw(h, ">");
	if (text != NULL)
		h_esc(h, text);
	else
		lines_of(h, arr, fields);
	h_raw(h, "</textarea>\n");
}

static void edit_form(html *h, pctx *c, const char *cc, const cJSON *doc, const char *errors)
{
	const cJSON *mem = jget(doc, "members");
	h_raw(h, "<h1>");
	h_say(h, c, M_EDIT_COUNTRY, portal_name(c, cc), NULL);
	h_raw(h, "</h1>\n");
	if (errors != NULL) {
		h_raw(h, "<div class=\"alert error\" role=\"alert\" id=\"errors\"><p>");
		h_say(h, c, M_CALC_ERRORS, NULL);
		h_raw(h, "</p><ul>");
		h_raw(h, errors);
		h_raw(h, "</ul></div>\n");
	}
	h_raw(h, "<form class=\"edit\" method=\"post\" action=\"/portal/edit/");
	h_esc(h, cc);
	h_raw(h, "\">");
	csrf_field(h, c);
	h_raw(h, "<fieldset><legend>");
	h_esc(h, portal_t(c, M_EDIT_PUBLIC));
	h_raw(h, "</legend>\n");
	textarea(h, c, "facilitation", M_FIELD_FACILITATION, M_EDIT_LINES_HINT, 5, NULL,
		 jget(doc, "facilitation"), NULL);
	textarea(h, c, "contacts", M_FIELD_CONTACTS, M_EDIT_CONTACT_HINT, 4, NULL,
		 jget(doc, "contacts"), contact_fields);
	textarea(h, c, "notes", M_FIELD_NOTES, (portal_msg)-1, 5, jstr(doc, "notes") ? jstr(doc, "notes") : "",
		 NULL, NULL);
	textarea(h, c, "requirements", M_FIELD_REQUIREMENTS, M_EDIT_REQ_HINT, 4, NULL,
		 jget(doc, "requirements"), requirement_fields);
	h_raw(h, "</fieldset>\n<fieldset class=\"members\"><legend>");
	h_esc(h, portal_t(c, M_EDIT_MEMBERS));
	h_raw(h, "</legend>\n");
	textarea(h, c, "internal_notes", M_FIELD_INTERNAL_NOTES, (portal_msg)-1, 4,
		 jstr(mem, "internal_notes") ? jstr(mem, "internal_notes") : "", NULL, NULL);
	textarea(h, c, "contact_points", M_FIELD_CONTACT_POINTS, M_EDIT_CONTACT_HINT, 3, NULL,
		 jget(mem, "contact_points"), contact_fields);
	textarea(h, c, "pending_changes", M_FIELD_PENDING, M_EDIT_PENDING_HINT, 3, NULL,
		 jget(mem, "pending_changes"), pending_fields);
	h_raw(h, "</fieldset>\n<p><button type=\"submit\" name=\"action\" value=\"save\" "
		 "id=\"save\">");
	h_esc(h, portal_t(c, M_EDIT_SAVE));
	h_raw(h, "</button> <button type=\"submit\" name=\"action\" value=\"discard\" "
		 "class=\"secondary\" id=\"discard\">");
	h_esc(h, portal_t(c, M_EDIT_DISCARD));
	h_raw(h, "</button></p></form>\n");
}

/* Splits a line at '|' into at most n trimmed fields. */
static size_t split(char *line, char **out, size_t n)
{
	size_t k = 0;
	char *p = line;
	while (k < n) {
		char *bar = k + 1 < n ? strchr(p, '|') : NULL;
		if (bar != NULL)
			*bar = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		size_t l = strlen(p);
		while (l > 0 && (p[l - 1] == ' ' || p[l - 1] == '\t' || p[l - 1] == '\r'))
			p[--l] = '\0';
		out[k++] = p;
		if (bar == NULL)
			break;
		p = bar + 1;
	}
	return k;
}

/* A textarea of lines as a JSON array: strings, or objects of `fields`
 * ("pending" lines may leave the date out). */
static cJSON *lines_to_json(char *text, const char *const *fields, bool dated)
{
	cJSON *arr = cJSON_CreateArray();
	size_t nf = 0;
	while (fields != NULL && fields[nf] != NULL)
		nf++;
	for (char *line = text; line != NULL && *line;) {
		char *nl = strchr(line, '\n');
		if (nl != NULL)
			*nl = '\0';
		char *parts[8];
		size_t np = split(line, parts, fields != NULL ? nf : 1);
		if (np > 0 && parts[0][0] != '\0') {
			cJSON *e;
			if (fields == NULL) {
				e = cJSON_CreateString(parts[0]);
			} else {
				e = cJSON_CreateObject();
				size_t shift = dated && np == 1 ? 1 : 0; /* "text" alone */
				for (size_t i = 0; i < np; i++)
					if (parts[i][0] != '\0')
						cJSON_AddStringToObject(e, fields[i + shift], parts[i]);
			}
			cJSON_AddItemToArray(arr, e);
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
	return arr;
}

static char *form_field(mlv_req *req, const char *name)
{
	char *out = malloc(TEXTAREA_MAX);
	const char *b = req->body.data != NULL ? req->body.data : "";
	if (out != NULL && mlv_web_form_value(b, req->body.len, name, out, TEXTAREA_MAX) != 0)
		out[0] = '\0';
	/* browsers send CRLF line ends */
	size_t o = 0;
	for (size_t i = 0; out != NULL && out[i]; i++)
		if (out[i] != '\r')
			out[o++] = out[i];
	if (out != NULL)
		out[o] = '\0';
	return out;
}

/* The posted form as a portal text document. */
static cJSON *form_to_doc(mlv_req *req)
{
	static const char *const names[] = {"notes", "facilitation", "contacts", "requirements",
					    "internal_notes", "contact_points", "pending_changes"};
	char *v[MLV_ARRAY_LEN(names)];
	bool ok = true;
	for (size_t i = 0; i < MLV_ARRAY_LEN(names); i++)
		ok &= (v[i] = form_field(req, names[i])) != NULL;
	cJSON *doc = NULL;
	if (ok) {
		doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "notes", v[0]);
		cJSON_AddItemToObject(doc, "facilitation", lines_to_json(v[1], NULL, false));
		cJSON_AddItemToObject(doc, "contacts", lines_to_json(v[2], contact_fields, false));
		cJSON_AddItemToObject(doc, "requirements",
				      lines_to_json(v[3], requirement_fields, true));
		cJSON *m = cJSON_AddObjectToObject(doc, "members");
		cJSON_AddStringToObject(m, "internal_notes", v[4]);
		cJSON_AddItemToObject(m, "contact_points", lines_to_json(v[5], contact_fields, false));
		cJSON_AddItemToObject(m, "pending_changes", lines_to_json(v[6], pending_fields, true));
	}
	for (size_t i = 0; i < MLV_ARRAY_LEN(names); i++)
		free(v[i]);
	return doc;
}

/* The draft, else the text in force, else nothing. */
static cJSON *current_doc(pctx *c, const char *cc)
{
	mlv_buf b = MLV_BUF_INIT(MLV_PORTAL_TEXT_MAX + 1);
	mlv_store *st = api_reader_acquire(c->s);
	int rc = mlv_store_portal_draft_get(st, cc, &b, NULL, NULL);
	if (rc == MLV_ENOTFOUND)
		rc = mlv_store_portal_text(st, cc, 0, &b, NULL);
	api_reader_release(c->s, st);
	cJSON *doc = rc == 0 ? cJSON_ParseWithLength(b.data, b.len) : NULL;
	mlv_buf_free(&b);
	return doc != NULL ? doc : cJSON_CreateObject();
}

int portal_page_edit_country(mlv_server *s, mlv_req *req, mlv_resp *resp, const char *code)
{
	pctx c;
	if (!editor(&c, s, req, resp))
		return 0;
	if (!portal_country_known(s, code))
		return portal_error_page(&c, 404, portal_t(&c, M_NOT_FOUND));
	bool post = strcmp(req->method, "POST") == 0;
	cJSON *doc = NULL;
	mlv_buf errs = MLV_BUF_INIT(1 << 16);
	if (post) {
		if (!csrf_ok(&c)) {
			mlv_buf_free(&errs);
			return portal_error_page(&c, 403, portal_t(&c, M_FORBIDDEN));
		}
		char action[16] = "";
		const char *b = req->body.data != NULL ? req->body.data : "";
		if (mlv_web_form_value(b, req->body.len, "action", action, sizeof(action)) != 0)
			action[0] = '\0';
		char where[64];
		if (strcmp(action, "discard") == 0) {
			pthread_mutex_lock(&s->actions_lock);
			int rc = mlv_store_portal_draft_delete(s->actions, code);
			pthread_mutex_unlock(&s->actions_lock);
			mlv_buf_free(&errs);
			if (rc != 0 && rc != MLV_ENOTFOUND)
				return portal_error_page(&c, 500, portal_t(&c, M_FAILED));
			snprintf(where, sizeof(where), "/portal/edit?discarded=%s", code);
			redirect(resp, where);
			return 0;
		}
		cJSON *posted = form_to_doc(req);
		char *text = posted != NULL ? cJSON_PrintUnformatted(posted) : NULL;
		mlv_problems probs;
		mlv_problems_init(&probs);
		int rc = text != NULL ? portal_doc_read(text, strlen(text), portal_refdata(c.p), &doc,
							 &probs)
				      : MLV_ENOMEM;
		free(text);
		if (rc == 0) {
			rc = portal_draft_save(s, code, doc, c.a.filer);
			cJSON_Delete(doc);
			cJSON_Delete(posted);
			mlv_problems_clear(&probs);
			mlv_buf_free(&errs);
			if (rc != 0)
				return portal_error_page(&c, 500, portal_t(&c, M_FAILED));
			snprintf(where, sizeof(where), "/portal/edit?saved=%s", code);
			redirect(resp, where);
			return 0;
		}
		/* shown again with what was typed, and why it was refused */
		html e = {&errs, 0};
		for (size_t i = 0; i < probs.count; i++) {
			h_raw(&e, "<li><code>");
			h_esc(&e, probs.items[i].pointer);
			h_raw(&e, "</code> <span lang=\"en\">");
			h_esc(&e, probs.items[i].message);
			h_raw(&e, "</span></li>");
		}
		mlv_problems_clear(&probs);
		doc = posted;
		resp->status = 422;
	} else {
		doc = current_doc(&c, code);
	}
	html h = {&resp->body, 0};
	char title[128];
	snprintf(title, sizeof(title), "%s (%s)", portal_t(&c, M_EDIT_TITLE), code);
	portal_page_begin(&h, &c, title, "/portal/edit");
	edit_form(&h, &c, code, doc, errs.len > 0 ? errs.data : NULL);
	portal_page_end(&h, &c);
	cJSON_Delete(doc);
	mlv_buf_free(&errs);
	return finish(&c, &h);
}
