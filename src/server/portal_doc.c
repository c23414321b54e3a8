/* portal_doc.c - the texts an administration publishes on the portal for
 * one country, and the endpoints that edit and publish them.
 *
 * A document (docs/portal.md, "Texts"):
 *   {"notes": "...", "facilitation": ["..."],
 *    "contacts": [{"name","email","phone","url"}],
 *    "requirements": [{"hs": "8507", "text": "..."}],
 *    "members": {"internal_notes": "...", "contact_points": [contact],
 *                "pending_changes": [{"date": "2027-01-01", "text": "..."}]}}
 * Every member is optional; nothing else is allowed.  Documents are stored
 * in canonical form (portal_doc_write), so equal texts are equal strings
 * and the store can tell an unchanged draft.  "members" is shown only to
 * member administrations and officers, never to the public. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlv/codec.h"
#include "portal.h"
#include "problem.h"

#define NOTES_MAX 4000
#define ITEM_MAX 1000
#define LINE_MAX_ 200
#define URL_MAX 500
#define LIST_MAX 50

/* ---- reading -------------------------------------------------------------------------- */

typedef struct reader {
	const mlv_refdata *rd;
	mlv_problems *probs;
} reader;

static void bad(reader *r, const char *ptr, const char *code, const char *msg)
{
	mlv_problems_add(r->probs, MLV_SEV_ERROR, ptr, code, "%s", msg);
}

static void child_ptr(char out[MLV_POINTER_MAX], const char *base, const char *name)
{
	snprintf(out, MLV_POINTER_MAX, "%s", base);
	mlv_pointer_push(out, name);
}

/* Unknown and duplicate members of obj. */
static void members_only(reader *r, const cJSON *obj, const char *base,
			 const char *const *allowed)
{
	for (const cJSON *m = obj->child; m != NULL; m = m->next) {
		char ptr[MLV_POINTER_MAX];
		child_ptr(ptr, base, m->string ? m->string : "");
		size_t k = 0;
		while (allowed[k] != NULL && strcmp(allowed[k], m->string) != 0)
			k++;
		bool dup = false;
		for (const cJSON *e = obj->child; e != m && !dup; e = e->next)
			dup = strcmp(e->string, m->string) == 0;
		if (allowed[k] == NULL)
			bad(r, ptr, "unknown_field", "is not a member of a portal text");
		else if (dup)
			bad(r, ptr, "duplicate_key", "is given twice");
	}
}

/* A text: a string of at most max bytes of UTF-8, with line breaks only
 * when multiline.  NULL when absent or bad. */
static const cJSON *text(reader *r, const cJSON *obj, const char *name, const char *base,
			 size_t max, bool multiline, bool required)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	char ptr[MLV_POINTER_MAX];
	child_ptr(ptr, base, name);
	if (v == NULL || cJSON_IsNull(v)) {
		if (required)
			bad(r, ptr, "required", "is required");
		return NULL;
	}
	if (!cJSON_IsString(v)) {
		bad(r, ptr, "type", "must be a string");
		return NULL;
	}
	size_t n = strlen(v->valuestring);
	if (n > max) {
		char msg[64];
		snprintf(msg, sizeof(msg), "is longer than %zu bytes", max);
		bad(r, ptr, "too_long", msg);
		return NULL;
	}
	if (!mlv_utf8_valid(v->valuestring, n)) {
		bad(r, ptr, "encoding", "is not valid UTF-8");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)v->valuestring[i];
		if ((ch < 0x20 && !(multiline && (ch == '\n' || ch == '\t'))) || ch == 0x7f) {
			bad(r, ptr, "format", multiline ? "holds a control character"
							: "must be one line without control characters");
			return NULL;
		}
	}
	if (required && n == 0)
		bad(r, ptr, "required", "must not be empty");
	return v;
}

static const cJSON *list(reader *r, const cJSON *obj, const char *name, const char *base,
			 size_t max)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	char ptr[MLV_POINTER_MAX];
	child_ptr(ptr, base, name);
	if (v == NULL || cJSON_IsNull(v))
		return NULL;
	if (!cJSON_IsArray(v)) {
		bad(r, ptr, "type", "must be an array");
		return NULL;
	}
	if ((size_t)cJSON_GetArraySize(v) > max) {
		char msg[64];
		snprintf(msg, sizeof(msg), "has more than %zu entries", max);
		bad(r, ptr, "too_many", msg);
		return NULL;
	}
	return v;
}

static bool object_at(reader *r, const cJSON *v, const char *ptr)
{
	if (!cJSON_IsObject(v)) {
		bad(r, ptr, "type", "must be an object");
		return false;
	}
	return true;
}

static void contact(reader *r, const cJSON *v, const char *ptr)
{
	static const char *const keys[] = {"name", "email", "phone", "url", NULL};
	if (!object_at(r, v, ptr))
		return;
	members_only(r, v, ptr, keys);
	text(r, v, "name", ptr, LINE_MAX_, false, true);
	const cJSON *e = text(r, v, "email", ptr, 254, false, false);
	char p[MLV_POINTER_MAX];
	if (e != NULL) {
		const char *s = e->valuestring, *at = strchr(s, '@');
		child_ptr(p, ptr, "email");
		if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') != NULL ||
		    strpbrk(s, " <>\"'(),;:\\") != NULL || strchr(at, '.') == NULL)
			bad(r, p, "format", "is not an e-mail address");
	}
	const cJSON *ph = text(r, v, "phone", ptr, 40, false, false);
	if (ph != NULL && strspn(ph->valuestring, "0123456789 +-().") != strlen(ph->valuestring)) {
		child_ptr(p, ptr, "phone");
		bad(r, p, "format", "is a telephone number: digits, spaces and + - ( ) .");
	}
	const cJSON *u = text(r, v, "url", ptr, URL_MAX, false, false);
	if (u != NULL) {
		const char *s = u->valuestring;
		child_ptr(p, ptr, "url");
		if ((strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0) ||
		    strpbrk(s, " <>\"'`\\") != NULL || strlen(s) < 10)
			bad(r, p, "format", "is a web address starting with https:// or http://");
	}
}

static void requirement(reader *r, const cJSON *v, const char *ptr)
{
	static const char *const keys[] = {"hs", "text", NULL};
	if (!object_at(r, v, ptr))
		return;
	members_only(r, v, ptr, keys);
	const cJSON *hs = text(r, v, "hs", ptr, 10, false, true);
	text(r, v, "text", ptr, ITEM_MAX, true, true);
	if (hs != NULL) {
		const char *s = hs->valuestring;
		size_t n = strlen(s), check = n >= 6 ? 6 : n >= 4 ? 4 : 2;
		char p[MLV_POINTER_MAX];
		child_ptr(p, ptr, "hs");
		if (n < 2 || strspn(s, "0123456789") != n || !mlv_hs_exists(r->rd, s, check))
			bad(r, p, "hs_unknown",
			    "is an HS prefix of 2 to 10 digits starting with an HS 2022 code");
	}
}

static void pending(reader *r, const cJSON *v, const char *ptr)
{
	static const char *const keys[] = {"date", "text", NULL};
	if (!object_at(r, v, ptr))
		return;
	members_only(r, v, ptr, keys);
	const cJSON *d = text(r, v, "date", ptr, 10, false, false);
	int32_t day;
	if (d != NULL && (strlen(d->valuestring) != 10 || !mlv_date_parse(d->valuestring, 10, &day))) {
		char p[MLV_POINTER_MAX];
		child_ptr(p, ptr, "date");
		bad(r, p, "format", "is a date YYYY-MM-DD");
	}
	text(r, v, "text", ptr, ITEM_MAX, true, true);
}

typedef void (*item_fn)(reader *r, const cJSON *v, const char *ptr);

static void each(reader *r, const cJSON *arr, const char *base, const char *name, item_fn fn)
{
	size_t i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, arr)
	{
		char ptr[MLV_POINTER_MAX];
		child_ptr(ptr, base, name);
		mlv_pointer_push_index(ptr, i++);
		fn(r, e, ptr);
	}
}

static void facilitation_item(reader *r, const cJSON *v, const char *ptr)
{
	if (!cJSON_IsString(v)) {
		bad(r, ptr, "type", "must be a string");
		return;
	}
	size_t len = strlen(v->valuestring);
	if (len == 0) {
		bad(r, ptr, "required", "must not be empty");
	} else if (len > ITEM_MAX) {
		bad(r, ptr, "too_long", "is longer than 1000 bytes");
	} else if (!mlv_utf8_valid(v->valuestring, len)) {
		bad(r, ptr, "encoding", "is not valid UTF-8");
	} else {
		for (size_t i = 0; i < len; i++) {
			unsigned char ch = (unsigned char)v->valuestring[i];
			if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f) {
				bad(r, ptr, "format", "holds a control character");
				break;
			}
		}
	}
}

int portal_doc_read(const char *body, size_t len, const mlv_refdata *rd, cJSON **out,
		    mlv_problems *probs)
{
	static const char *const top[] = {"notes", "facilitation", "contacts", "requirements",
					  "members", NULL};
	static const char *const mem[] = {"internal_notes", "contact_points", "pending_changes",
					  NULL};
	*out = NULL;
	reader r = {rd, probs};
	cJSON *root = NULL;
	if (len > MLV_PORTAL_TEXT_MAX) {
		bad(&r, "", "too_long", "the document is larger than 64 KiB");
		return MLV_ETOOBIG;
	}
	if (mlv_json_depth(body, len, 4) > 4 || (root = cJSON_ParseWithLength(body, len)) == NULL ||
	    !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		bad(&r, "", "syntax", "the body is not a JSON object (depth 4 at most)");
		return MLV_EINVALID;
	}
	members_only(&r, root, "", top);
	text(&r, root, "notes", "", NOTES_MAX, true, false);
	const cJSON *a = list(&r, root, "facilitation", "", LIST_MAX);
	each(&r, a, "", "facilitation", facilitation_item);
	a = list(&r, root, "contacts", "", 20);
	each(&r, a, "", "contacts", contact);
	a = list(&r, root, "requirements", "", 200);
	each(&r, a, "", "requirements", requirement);
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "members");
	if (m != NULL && !cJSON_IsNull(m)) {
		if (object_at(&r, m, "/members")) {
			members_only(&r, m, "/members", mem);
			text(&r, m, "internal_notes", "/members", NOTES_MAX, true, false);
			a = list(&r, m, "contact_points", "/members", 20);
			each(&r, a, "/members", "contact_points", contact);
			a = list(&r, m, "pending_changes", "/members", LIST_MAX);
			each(&r, a, "/members", "pending_changes", pending);
		}
	}
	if (probs->errors > 0) {
		cJSON_Delete(root);
		return MLV_EINVALID;
	}
	*out = root;
	return 0;
}

/* ---- the canonical form ----------------------------------------------------------------- */

static bool copy_str(cJSON *to, const cJSON *from, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(from, key);
	if (!cJSON_IsString(v) || v->valuestring[0] == '\0')
		return true;
	return cJSON_AddStringToObject(to, key, v->valuestring) != NULL;
}

/* A list, each element through `fields` (objects: those members in that
 * order; NULL: strings). */
static bool copy_list(cJSON *to, const cJSON *from, const char *key,
		      const char *const *fields)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(from, key);
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
		return true;
	cJSON *arr = cJSON_AddArrayToObject(to, key);
	if (arr == NULL)
		return false;
	const cJSON *e;
	cJSON_ArrayForEach(e, v)
	{
		cJSON *x;
		if (fields == NULL) {
			x = cJSON_CreateString(cJSON_IsString(e) ? e->valuestring : "");
		} else {
			x = cJSON_CreateObject();
			for (size_t i = 0; x != NULL && fields[i] != NULL; i++)
				if (!copy_str(x, e, fields[i])) {
					cJSON_Delete(x);
					x = NULL;
				}
		}
		if (x == NULL || !cJSON_AddItemToArray(arr, x)) {
			cJSON_Delete(x);
			return false;
		}
	}
	return true;
}

static const char *const contact_fields[] = {"name", "email", "phone", "url", NULL};
static const char *const requirement_fields[] = {"hs", "text", NULL};
static const char *const pending_fields[] = {"date", "text", NULL};

cJSON *portal_doc_view(const cJSON *doc, bool members)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o != NULL && copy_str(o, doc, "notes") &&
		  copy_list(o, doc, "facilitation", NULL) &&
		  copy_list(o, doc, "contacts", contact_fields) &&
		  copy_list(o, doc, "requirements", requirement_fields);
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(doc, "members");
	if (ok && members && cJSON_IsObject(m)) {
		cJSON *x = cJSON_CreateObject();
		ok = x != NULL && copy_str(x, m, "internal_notes") &&
		     copy_list(x, m, "contact_points", contact_fields) &&
		     copy_list(x, m, "pending_changes", pending_fields);
		if (ok && x->child != NULL)
			ok = cJSON_AddItemToObject(o, "members", x);
		else
			cJSON_Delete(x);
	}
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int portal_doc_write(mlv_buf *b, const cJSON *doc, bool members)
{
	cJSON *v = portal_doc_view(doc, members);
	char *s = v != NULL ? cJSON_PrintUnformatted(v) : NULL;
	cJSON_Delete(v);
	if (s == NULL)
		return MLV_ENOMEM;
	int rc = mlv_buf_adds(b, s);
	free(s);
	return rc;
}

/* ---- differences ------------------------------------------------------------------------ */

/* The entries of `field` as canonical strings (a text is a list of one). */
static size_t entries(const cJSON *doc, const char *group, const char *field, char **out,
		      size_t max)
{
	const cJSON *g = group != NULL ? cJSON_GetObjectItemCaseSensitive(doc, group) : doc;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(g, field);
	size_t n = 0;
	if (cJSON_IsString(v) && v->valuestring[0] != '\0') {
		out[n++] = cJSON_PrintUnformatted(v);
	} else if (cJSON_IsArray(v)) {
		const cJSON *e;
		cJSON_ArrayForEach(e, v)
			if (n < max)
				out[n++] = cJSON_PrintUnformatted(e);
	}
	return n;
}

static bool among(char *const *set, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] != NULL && s != NULL && strcmp(set[i], s) == 0)
			return true;
	return false;
}

static void add_parsed(cJSON *arr, const char *s)
{
	cJSON *v = s != NULL ? cJSON_Parse(s) : NULL;
	if (v != NULL && !cJSON_AddItemToArray(arr, v))
		cJSON_Delete(v);
}

cJSON *portal_doc_diff(const cJSON *before, const cJSON *after, bool members)
{
	static const struct {
		const char *group, *field, *name;
	} fields[] = {
		{NULL, "notes", "notes"},
		{NULL, "facilitation", "facilitation"},
		{NULL, "contacts", "contacts"},
		{NULL, "requirements", "requirements"},
		{"members", "internal_notes", "members.internal_notes"},
		{"members", "contact_points", "members.contact_points"},
		{"members", "pending_changes", "members.pending_changes"},
	};
	cJSON *out = cJSON_CreateArray();
	for (size_t f = 0; out != NULL && f < MLV_ARRAY_LEN(fields); f++) {
		if (fields[f].group != NULL && !members)
			continue;
		char *b[200] = {0}, *a[200] = {0};
		size_t nb = before ? entries(before, fields[f].group, fields[f].field, b, 200) : 0;
		size_t na = after ? entries(after, fields[f].group, fields[f].field, a, 200) : 0;
		cJSON *added = cJSON_CreateArray(), *removed = cJSON_CreateArray();
		for (size_t i = 0; i < na; i++)
			if (!among(b, nb, a[i]))
				add_parsed(added, a[i]);
		for (size_t i = 0; i < nb; i++)
			if (!among(a, na, b[i]))
				add_parsed(removed, b[i]);
		if (cJSON_GetArraySize(added) + cJSON_GetArraySize(removed) > 0) {
			cJSON *e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "field", fields[f].name);
			cJSON_AddBoolToObject(e, "members", fields[f].group != NULL);
			cJSON_AddItemToObject(e, "added", added);
			cJSON_AddItemToObject(e, "removed", removed);
			cJSON_AddItemToArray(out, e);
		} else {
			cJSON_Delete(added);
			cJSON_Delete(removed);
		}
		for (size_t i = 0; i < nb; i++)
			free(b[i]);
		for (size_t i = 0; i < na; i++)
			free(a[i]);
	}
	return out;
}

/* ---- drafts and publication ----------------------------------------------------------------- */

int portal_draft_save(mlv_server *s, const char *country, const cJSON *doc, const char *by)
{
	mlv_buf b = MLV_BUF_INIT(MLV_PORTAL_TEXT_MAX + 1024);
	int rc = portal_doc_write(&b, doc, true);
	if (rc == 0 && b.len > MLV_PORTAL_TEXT_MAX)
		rc = MLV_ETOOBIG;
	if (rc == 0) {
		pthread_mutex_lock(&s->actions_lock);
		rc = mlv_store_portal_draft_put(s->actions, country, b.data, b.len, by, mlv_now_ms());
		pthread_mutex_unlock(&s->actions_lock);
	}
	mlv_buf_free(&b);
	return rc;
}

int portal_publish(mlv_server *s, const char *const *countries, size_t n, const char *by,
		   const char *note, int64_t *version, size_t *changed)
{
	pthread_mutex_lock(&s->actions_lock);
	int rc = mlv_store_portal_publish(s->actions, countries, n, by, note, mlv_now_ms(), version,
					  changed);
	pthread_mutex_unlock(&s->actions_lock);
	return rc;
}

static int print_answer(mlv_resp *resp, int status, cJSON *o)
{
	char *t = o != NULL ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	if (t == NULL) {
		mlv_http_problem_err(resp, MLV_ENOMEM, NULL);
		return 0;
	}
	resp->status = status;
	resp->content_type = "application/json";
	int rc = mlv_buf_adds(&resp->body, t);
	free(t);
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

typedef struct list_ctx {
	cJSON *arr;
} list_ctx;

static int on_draft(void *ctx, const char *country, int64_t at, const char *by, bool changed)
{
	list_ctx *x = ctx;
	char when[32];
	api_ms_to_rfc3339(at, when);
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "country", country);
	cJSON_AddStringToObject(e, "updated_at", when);
	cJSON_AddStringToObject(e, "updated_by", by);
	cJSON_AddBoolToObject(e, "changed", changed);
	char link[48];
	snprintf(link, sizeof(link), "/v1/portal/drafts/%s", country);
	cJSON_AddStringToObject(e, "self", link);
	return cJSON_AddItemToArray(x->arr, e) ? 0 : MLV_ENOMEM;
}

int portal_api_drafts(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a)
{
	(void)req;
	(void)a;
	cJSON *o = cJSON_CreateObject();
	list_ctx x = {cJSON_AddArrayToObject(o, "drafts")};
	int64_t latest = 0;
	mlv_store *st = api_reader_acquire(s);
	int rc = x.arr != NULL ? mlv_store_portal_drafts(st, on_draft, &x) : MLV_ENOMEM;
	if (rc == 0)
		rc = mlv_store_portal_latest(st, &latest, NULL);
	api_reader_release(s, st);
	if (rc != 0) {
		cJSON_Delete(o);
		mlv_http_problem_err(resp, rc, NULL);
		return 0;
	}
	cJSON_AddNumberToObject(o, "latest", (double)latest);
	return print_answer(resp, 200, o);
}

/* The draft with the text in force beside it and what would change. */
static int draft_view(mlv_server *s, mlv_resp *resp, int status, const char *country)
{
	mlv_buf b = MLV_BUF_INIT(MLV_PORTAL_TEXT_MAX + 1);
	mlv_buf live = MLV_BUF_INIT(MLV_PORTAL_TEXT_MAX + 1);
	char by[64] = "";
	int64_t at = 0, set_in = 0;
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_portal_draft_get(st, country, &b, &at, by);
	int lrc = rc == 0 ? mlv_store_portal_text(st, country, 0, &live, &set_in) : 0;
	api_reader_release(s, st);
	if (rc == 0 && lrc != 0 && lrc != MLV_ENOTFOUND)
		rc = lrc;
	if (rc != 0) {
		mlv_buf_free(&b);
		mlv_buf_free(&live);
		if (rc == MLV_ENOTFOUND)
			mlv_http_problem(resp, 404, "not-found", NULL, "this country has no draft",
					 NULL);
		else
			mlv_http_problem_err(resp, rc, NULL);
		return 0;
	}
	cJSON *draft = cJSON_ParseWithLength(b.data, b.len);
	cJSON *in_force = lrc == 0 ? cJSON_ParseWithLength(live.data, live.len) : NULL;
	mlv_buf_free(&b);
	mlv_buf_free(&live);
	char when[32];
	api_ms_to_rfc3339(at, when);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "country", country);
	cJSON_AddStringToObject(o, "updated_at", when);
	cJSON_AddStringToObject(o, "updated_by", by);
	cJSON_AddItemToObject(o, "changes", portal_doc_diff(in_force, draft, true));
	cJSON_AddItemToObject(o, "draft", draft != NULL ? draft : cJSON_CreateObject());
	if (in_force != NULL) {
		cJSON_AddNumberToObject(o, "in_force_version", (double)set_in);
		cJSON_AddItemToObject(o, "in_force", in_force);
	} else {
		cJSON_AddNullToObject(o, "in_force_version");
		cJSON_AddNullToObject(o, "in_force");
	}
	return print_answer(resp, status, o);
}

int portal_api_draft(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
		     const char *country)
{
	if (!portal_country_known(s, country)) {
		mlv_http_problem(resp, 404, "not-found", NULL,
				 "no country profile of that code (GET /v1/portal lists them)", NULL);
		return 0;
	}
	if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)
		return draft_view(s, resp, 200, country);
	if (strcmp(req->method, "DELETE") == 0) {
		pthread_mutex_lock(&s->actions_lock);
		int rc = mlv_store_portal_draft_delete(s->actions, country);
		pthread_mutex_unlock(&s->actions_lock);
		if (rc == MLV_ENOTFOUND)
			mlv_http_problem(resp, 404, "not-found", NULL, "this country has no draft",
					 NULL);
		else if (rc != 0)
			mlv_http_problem_err(resp, rc, NULL);
		else
			resp->status = 204;
		return 0;
	}
	if (!api_content_type_ok(req, false)) {
		mlv_http_problem(resp, 415, "media-type", NULL, "send the text as application/json",
				 NULL);
		return 0;
	}
	mlv_problems probs;
	mlv_problems_init(&probs);
	cJSON *doc = NULL;
	const mlv_portal *p = portal_state(s);
	int rc = portal_doc_read(req->body.data ? req->body.data : "", req->body.len,
				 portal_refdata(p), &doc, &probs);
	if (rc != 0) {
		bool syntax = probs.count > 0 && strcmp(probs.items[0].code, "syntax") == 0;
		mlv_http_problem(resp, syntax ? 400 : 422, syntax ? "malformed" : "validation",
				 syntax ? "Malformed JSON" : "Validation failed",
				 "the portal text breaks the rules listed in 'errors'", &probs);
		mlv_problems_clear(&probs);
		return 0;
	}
	mlv_problems_clear(&probs);
	rc = portal_draft_save(s, country, doc, a->filer);
	cJSON_Delete(doc);
	if (rc != 0) {
		mlv_http_problem_err(resp, rc, NULL);
		return 0;
	}
	return draft_view(s, resp, 200, country);
}

int portal_api_publish(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a)
{
	if (!api_content_type_ok(req, false)) {
		mlv_http_problem(resp, 415, "media-type", NULL, "send the request as application/json",
				 NULL);
		return 0;
	}
	mlv_problems probs;
	mlv_problems_init(&probs);
	cJSON *j = NULL;
	const char *body = req->body.data ? req->body.data : "";
	char codes[64][3];
	const char *named[64];
	size_t n = 0;
	const char *note = "";
	if (req->body.len > 0) {
		if (mlv_json_depth(body, req->body.len, 2) > 2 ||
		    (j = cJSON_ParseWithLength(body, req->body.len)) == NULL || !cJSON_IsObject(j)) {
			cJSON_Delete(j);
			mlv_http_problem(resp, 400, "malformed", NULL,
					 "send {\"note\": \"...\", \"countries\": [\"FR\"]}", NULL);
			return 0;
		}
		static const char *const keys[] = {"note", "countries", NULL};
		reader r = {portal_refdata(portal_state(s)), &probs};
		members_only(&r, j, "", keys);
		const cJSON *nt = text(&r, j, "note", "", 250, false, false);
		if (nt != NULL)
			note = nt->valuestring;
		const cJSON *cs = list(&r, j, "countries", "", 64);
		const cJSON *e;
		size_t i = 0;
		cJSON_ArrayForEach(e, cs)
		{
			char ptr[MLV_POINTER_MAX];
			snprintf(ptr, sizeof(ptr), "/countries/%zu", i++);
			if (!cJSON_IsString(e) || !portal_country_known(s, e->valuestring)) {
				bad(&r, ptr, "country_unknown", "is not a country profile's code");
				continue;
			}
			bool dup = false;
			for (size_t k = 0; k < n; k++)
				dup |= strcmp(codes[k], e->valuestring) == 0;
			if (dup) {
				bad(&r, ptr, "duplicate", "is named twice");
				continue;
			}
			memcpy(codes[n], e->valuestring, 3);
			named[n] = codes[n];
			n++;
		}
		if (probs.errors > 0) {
			mlv_http_problem(resp, 422, "validation", NULL,
					 "the publication request breaks the rules listed in 'errors'",
					 &probs);
			mlv_problems_clear(&probs);
			cJSON_Delete(j);
			return 0;
		}
	}
	int64_t version = 0;
	size_t changed = 0;
	int rc = portal_publish(s, named, n, a->filer, note, &version, &changed);
	cJSON_Delete(j);
	mlv_problems_clear(&probs);
	if (rc == MLV_ECONFLICT) {
		mlv_http_problem(resp, 409, "nothing-to-publish", NULL,
				 "no draft differs from the texts in force", NULL);
		return 0;
	}
	if (rc == MLV_ENOTFOUND) {
		mlv_http_problem(resp, 404, "not-found", NULL, "a country named has no draft", NULL);
		return 0;
	}
	if (rc != 0) {
		mlv_http_problem_err(resp, rc, NULL);
		return 0;
	}
	mlv_portal_version v;
	mlv_store *st = api_reader_acquire(s);
	rc = mlv_store_portal_version_get(st, version, &v);
	api_reader_release(s, st);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "version", (double)version);
	cJSON_AddNumberToObject(o, "countries_changed", (double)changed);
	if (rc == 0) {
		char when[32];
		api_ms_to_rfc3339(v.published_ms, when);
		cJSON_AddStringToObject(o, "published_at", when);
		cJSON_AddStringToObject(o, "note", v.note);
		cJSON *cc = cJSON_AddArrayToObject(o, "countries");
		for (const char *p = v.countries; *p;) {
			size_t k = strcspn(p, " ");
			char code[8];
			snprintf(code, sizeof(code), "%.*s", (int)(k < 7 ? k : 7), p);
			cJSON_AddItemToArray(cc, cJSON_CreateString(code));
			p += k + (p[k] == ' ');
		}
	}
	char link[64];
	snprintf(link, sizeof(link), "/v1/portal/changes?from=%lld&to=%lld",
		 (long long)(version - 1), (long long)version);
	cJSON_AddStringToObject(o, "changes", link);
	return print_answer(resp, 201, o);
}
