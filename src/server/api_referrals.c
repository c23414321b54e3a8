/* api_referrals.c - referrals in the manner of ICS2 over the API.
 *
 *   POST /v1/consignments/{id}/referrals   officers open one (information,
 *                                          screening, do_not_load), with a
 *                                          deadline, to the filer, a party
 *                                          or an agency
 *   GET  /v1/referrals                     officers: all; a filer: those
 *                                          addressed to it; an agency:
 *                                          those addressed to it
 *   GET  /v1/referrals/{id}                the same, with answers and events
 *   POST /v1/referrals/{id}/answer         the addressee: text, data,
 *                                          documents (base64, bounded)
 *   POST /v1/referrals/{id}/close          officers
 *   GET  /v1/referrals/{id}/documents/{d}  a document's bytes
 *
 * Another's referral answers 404, like one that does not exist. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_impl.h"
#include "mlv/codec.h"
#include "mlv/merge.h"
#include "problem.h"

/* Default deadlines when the officer gives none. */
int64_t api_referral_default_hours(const char *kind)
{
	return strcmp(kind, "screening") == 0 ? 4 : strcmp(kind, "do_not_load") == 0 ? 12 : 24;
}

static bool kind_ok(const char *k)
{
	return k != NULL && (strcmp(k, "information") == 0 || strcmp(k, "screening") == 0 ||
			     strcmp(k, "do_not_load") == 0);
}

/* Who reads: officers (and auditors) every referral, a filer or an agency
 * those addressed to it. */
static void reader(const struct auth *a, int64_t *filer, int64_t *agency)
{
	*filer = a->role_bit & ROLE_FILER ? a->filer_id : 0;
	*agency = a->role_bit & ROLE_AGENCY ? a->filer_id : 0;
}

static bool staff(const struct auth *a)
{
	return (a->role_bit & (ROLE_FILER | ROLE_AGENCY)) == 0;
}

static int add_time(mlv_buf *b, const char *name, int64_t ms)
{
	if (ms == 0)
		return mlv_buf_printf(b, ",\"%s\":null", name);
	char t[32];
	api_ms_to_rfc3339(ms, t);
	return mlv_buf_printf(b, ",\"%s\":\"%s\"", name, t);
}

static int add_str(mlv_buf *b, const char *name, const char *v)
{
	int rc = mlv_buf_printf(b, ",\"%s\":", name);
	return rc ? rc : mlv_buf_add_json_string(b, v, strlen(v));
}

/* The referral as its reader may see it (without the closing brace). */
static int referral_json(mlv_buf *b, const mlv_referral *r, const struct auth *a, int64_t now)
{
	bool officer = staff(a);
	bool owner = (a->role_bit & ROLE_FILER) && a->filer_id == r->owner_id;
	bool overdue = strcmp(r->status, "open") == 0 && r->deadline_ms < now;
	int rc = mlv_buf_printf(b, "{\"id\":%lld,\"kind\":\"%s\",\"status\":\"%s\","
				   "\"overdue\":%s,\"consignment\":{\"id\":%lld",
				(long long)r->id, r->kind, r->status, overdue ? "true" : "false",
				(long long)r->consignment_id);
	if (rc == 0 && (officer || owner))
		rc = add_str(b, "lrn", r->lrn);
	if (rc == 0)
		rc = mlv_buf_printf(b, "},\"to\":\"%s\"", r->to_role);
	if (rc == 0 && officer)
		rc = add_str(b, "addressee", r->addressee);
	if (rc == 0)
		rc = add_str(b, "reason", r->reason);
	if (rc == 0 && r->request[0])
		rc = add_str(b, "request", r->request);
	if (rc == 0)
		rc = add_time(b, "deadline", r->deadline_ms);
	if (rc == 0)
		rc = add_time(b, "created_at", r->created_ms);
	if (rc == 0 && officer)
		rc = add_str(b, "created_by", r->created_by);
	if (rc == 0)
		rc = add_time(b, "answered_at", r->answered_ms);
	if (rc == 0)
		rc = add_time(b, "overdue_at", r->overdue_ms);
	if (rc == 0)
		rc = add_time(b, "closed_at", r->closed_ms);
	if (rc == 0 && officer && r->closed_by[0])
		rc = add_str(b, "closed_by", r->closed_by);
	if (rc == 0 && r->outcome[0])
		rc = mlv_buf_printf(b, ",\"outcome\":\"%s\"", r->outcome);
	if (rc == 0)
		rc = mlv_buf_printf(b, ",\"answer_count\":%d,\"links\":{\"self\":\"/v1/referrals/%lld\"}",
				    r->answers, (long long)r->id);
	return rc;
}

/* The referral id that the caller has just written, read back and written
 * as referral_json() does: the start of the answer. */
static int written_json(mlv_server *s, mlv_buf *b, const struct auth *a, int64_t id, int64_t now)
{
	mlv_referral ref;
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_referral_get(st, 0, 0, id, &ref);
	api_reader_release(s, st);
	return rc == 0 ? referral_json(b, &ref, a, now) : rc;
}

/* ---- what the API and the console share -------------------------------------------- */

const char *api_referral_open_check(mlv_server *s, const char *kind, const char *reason,
				    const char *request, int64_t deadline_ms, const char *to,
				    const char *agency, int64_t now, mlv_referral_new *out)
{
	memset(out, 0, sizeof(*out));
	if (!kind_ok(kind))
		return "kind must be information, screening or do_not_load";
	if (reason == NULL || strlen(reason) < 3 || strlen(reason) > 500)
		return "reason is required (3 to 500 characters): the addressee reads it";
	if (request != NULL && strlen(request) > 500)
		return "request is at most 500 characters";
	if (to != NULL && agency != NULL)
		return "a referral goes to a party (to) or to an agency, not both";
	if (to != NULL && strcmp(to, "filer") != 0 && mlv_party_role_from_name(to) == 0)
		return "to must be filer or a party's role (platform, seller, broker, carrier, "
		       "payment_provider)";
	if (agency != NULL && (strlen(agency) == 0 || strlen(agency) > 63))
		return "agency is the name of an agency (1 to 63 characters)";
	if (deadline_ms == 0)
		deadline_ms = now + api_referral_default_hours(kind) * 3600000;
	if (deadline_ms <= now || deadline_ms > now + 30LL * 86400000)
		return "deadline must be in the future, within 30 days";
	int64_t agency_id = 0;
	if (agency != NULL) {
		mlv_store *st = api_reader_acquire(s);
		int rc = mlv_store_agency_find(st, agency, &agency_id);
		api_reader_release(s, st);
		if (rc != 0)
			return "agency names no agency of this instance";
	}
	*out = (mlv_referral_new){.kind = kind, .reason = reason, .request = request,
				  .deadline_ms = deadline_ms, .to = to, .agency_id = agency_id,
				  .at_ms = now};
	return NULL;
}

int api_referral_open_apply(mlv_server *s, const struct auth *a, mlv_referral_new *n,
			    int64_t consignment_id, int64_t *id, mlv_transition_result *r)
{
	char actor[80];
	api_actor(a, actor, sizeof(actor));
	n->consignment_id = consignment_id;
	n->actor = actor;
	pthread_mutex_lock(&s->actions_lock);
	int rc = mlv_store_referral_open(s->actions, n, id, r);
	pthread_mutex_unlock(&s->actions_lock);
	n->actor = NULL;
	if (rc == 0)
		api_notified(s);
	return rc;
}

const char *api_referral_close_check(const char *outcome, const char *reason)
{
	if (outcome == NULL || (strcmp(outcome, "satisfied") != 0 &&
				strcmp(outcome, "not_satisfied") != 0 &&
				strcmp(outcome, "withdrawn") != 0))
		return "outcome must be satisfied, not_satisfied or withdrawn";
	if (reason == NULL || strlen(reason) < 3 || strlen(reason) > 500)
		return "reason is required (3 to 500 characters)";
	return NULL;
}

int api_referral_close_apply(mlv_server *s, const struct auth *a, int64_t id,
			     const char *outcome, const char *reason, bool *resolved,
			     mlv_transition_result *r)
{
	char actor[80];
	api_actor(a, actor, sizeof(actor));
	*resolved = false;
	pthread_mutex_lock(&s->actions_lock);
	int rc = mlv_store_referral_close(s->actions, id, outcome, reason, actor, mlv_now_ms(),
					  resolved, r);
	pthread_mutex_unlock(&s->actions_lock);
	if (rc == 0)
		api_notified(s);
	return rc;
}

/* ---- POST /v1/consignments/{id}/referrals --------------------------------------------- */

int api_referral_create(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
			int64_t id)
{
	static const char *const members[] = {"kind", "reason", "request", "deadline", "to",
					      "agency", NULL};
	cJSON *j;
	if (!api_read_object(req, resp, members, &j))
		return 0;
#define MEMBER(name) cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, name))
	const char *kind = MEMBER("kind"), *reason = MEMBER("reason"), *request = MEMBER("request");
	const char *deadline = MEMBER("deadline"), *to = MEMBER("to"), *agency = MEMBER("agency");
#undef MEMBER
	int64_t now = mlv_now_ms(), t = 0;
	const char *bad = NULL;
	if (deadline != NULL && !mlv_datetime_parse(deadline, strlen(deadline), &t))
		bad = "deadline must be an RFC 3339 date-time";
	mlv_referral_new n;
	if (bad == NULL)
		bad = api_referral_open_check(s, kind, reason, request,
					      deadline == NULL ? 0 : t > 0 ? t * 1000 : -1, to,
					      agency, now, &n);
	if (bad != NULL) {
		cJSON_Delete(j);
		mlv_http_problem(resp, 422, "validation", NULL, bad, NULL);
		return 0;
	}
	int64_t rid = 0;
	mlv_transition_result r;
	int rc = api_referral_open_apply(s, a, &n, id, &rid, &r);
	cJSON_Delete(j);
	if (rc == MLV_EINVALID) {
		mlv_http_problem(resp, 422, "validation", NULL,
				 "no party of the consignment has that role", NULL);
		return 0;
	}
	if (rc != 0) {
		api_transition_refused(resp, rc, &r, "it cannot be referred now",
				       "the referral could not be recorded");
		return 0;
	}
	rc = written_json(s, &resp->body, a, rid, now);
	if (rc == 0)
		rc = mlv_buf_printf(&resp->body, ",\"consignment_state\":\"%s\",\"event\":%lld}",
				    mlv_state_name(r.to), (long long)r.event_id);
	if (rc != 0) {
		mlv_http_problem_err(resp, rc, NULL);
		return 0;
	}
	resp->status = 201;
	snprintf(resp->location, sizeof(resp->location), "/v1/referrals/%lld", (long long)rid);
	return 0;
}

/* ---- GET /v1/referrals ----------------------------------------------------------------- */

struct list_ctx {
	mlv_buf *b;
	const struct auth *a;
	int64_t now;
	int n;
};

static int list_row(void *ctx, const mlv_referral *r)
{
	struct list_ctx *l = ctx;
	int rc = l->n++ ? mlv_buf_addc(l->b, ',') : 0;
	if (rc == 0)
		rc = referral_json(l->b, r, l->a, l->now);
	return rc ? rc : mlv_buf_addc(l->b, '}');
}

int api_referrals_list(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a)
{
	mlv_referral_query q;
	memset(&q, 0, sizeof(q));
	reader(a, &q.filer_id, &q.agency_id);
	q.now_ms = mlv_now_ms();
	q.limit = 50;
	int64_t v;
	const char *p;
	if ((p = mlv_req_query(req, "limit")) != NULL) {
		if (!api_parse_int(p, 1, s->opts.max_page, &v))
			return api_bad_param(resp, "limit", "must be an integer from 1 to the page bound");
		q.limit = (int)v;
	}
	if ((p = mlv_req_query(req, "cursor")) != NULL) {
		if (!api_parse_int(p, 1, INT64_MAX, &v))
			return api_bad_param(resp, "cursor", "is not a cursor this server gave");
		q.after_id = v;
	}
	if ((p = mlv_req_query(req, "consignment")) != NULL) {
		if (!api_parse_int(p, 1, INT64_MAX, &v))
			return api_bad_param(resp, "consignment", "must be a consignment id");
		q.consignment_id = v;
	}
	if ((p = mlv_req_query(req, "status")) != NULL) {
		if (strcmp(p, "open") != 0 && strcmp(p, "answered") != 0 && strcmp(p, "closed") != 0)
			return api_bad_param(resp, "status", "must be open, answered or closed");
		q.status = p;
	}
	if ((p = mlv_req_query(req, "overdue")) != NULL) {
		if (strcmp(p, "true") != 0 && strcmp(p, "false") != 0)
			return api_bad_param(resp, "overdue", "must be true or false");
		q.overdue = strcmp(p, "true") == 0;
	}
	struct list_ctx l = {&resp->body, a, q.now_ms, 0};
	int64_t next = 0;
	int rc = mlv_buf_adds(&resp->body, "{\"items\":[");
	if (rc == 0) {
		mlv_store *st = api_reader_acquire(s);
		rc = mlv_store_referrals(st, &q, list_row, &l, &next);
		api_reader_release(s, st);
	}
	if (rc == 0)
		rc = next ? mlv_buf_printf(&resp->body, "],\"next_cursor\":\"%lld\"}", (long long)next)
			  : mlv_buf_adds(&resp->body, "],\"next_cursor\":null}");
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

/* ---- GET /v1/referrals/{id} ------------------------------------------------------------ */

struct detail_ctx {
	mlv_buf *b;
	mlv_store *st;
	int64_t referral;
	int n, k;
	int64_t answer;
};

static int doc_json(void *ctx, const mlv_referral_doc_row *d)
{
	struct detail_ctx *c = ctx;
	if (d->answer_id != c->answer)
		return 0;
	int rc = mlv_buf_printf(c->b, "%s{\"id\":%lld,\"type\":\"%s\"", c->k++ ? "," : "",
				(long long)d->id, d->type);
	if (rc == 0)
		rc = add_str(c->b, "reference", d->reference);
	if (rc == 0 && d->filename[0])
		rc = add_str(c->b, "filename", d->filename);
	if (rc == 0 && d->media_type[0])
		rc = add_str(c->b, "media_type", d->media_type);
	if (rc == 0 && d->sha256[0])
		rc = mlv_buf_printf(c->b, ",\"size\":%lld,\"sha256\":\"%s\",\"href\":"
					  "\"/v1/referrals/%lld/documents/%lld\"",
				    (long long)d->size, d->sha256, (long long)c->referral,
				    (long long)d->id);
	return rc ? rc : mlv_buf_addc(c->b, '}');
}

static int answer_json(void *ctx, const mlv_referral_answer_row *ans)
{
	struct detail_ctx *c = ctx;
	char at[32];
	api_ms_to_rfc3339(ans->at_ms, at);
	int rc = mlv_buf_printf(c->b, "%s{\"id\":%lld,\"at\":\"%s\"", c->n++ ? "," : "",
				(long long)ans->id, at);
	if (rc == 0)
		rc = add_str(c->b, "by", ans->by);
	if (rc == 0 && ans->text != NULL)
		rc = add_str(c->b, "text", ans->text);
	if (rc == 0 && ans->data != NULL)
		rc = mlv_buf_printf(c->b, ",\"data\":%s", ans->data);
	if (rc == 0)
		rc = mlv_buf_adds(c->b, ",\"documents\":[");
	c->k = 0;
	c->answer = ans->id;
	/* The documents of this answer (a second read connection is not
	 * needed: answers are few, the documents query is small). */
	if (rc == 0)
		rc = mlv_store_referral_docs(c->st, c->referral, doc_json, c);
	return rc ? rc : mlv_buf_adds(c->b, "]}");
}

static int event_json(void *ctx, const mlv_event *ev)
{
	struct detail_ctx *c = ctx;
	return api_write_event(c->b, ev, c->n++ == 0);
}

int api_referral_get(mlv_server *s, mlv_resp *resp, const struct auth *a, int64_t id)
{
	int64_t filer, agency;
	reader(a, &filer, &agency);
	mlv_referral r;
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_referral_get(st, filer, agency, id, &r);
	if (rc == 0)
		rc = referral_json(&resp->body, &r, a, mlv_now_ms());
	/* Answers: each with its documents.  A second statement over the same
	 * connection runs while the first is stepping, which SQLite allows. */
	struct detail_ctx c = {&resp->body, st, id, 0, 0, 0};
	if (rc == 0)
		rc = mlv_buf_adds(&resp->body, ",\"answers\":[");
	if (rc == 0)
		rc = mlv_store_referral_answers(st, id, answer_json, &c);
	c.n = 0;
	if (rc == 0)
		rc = mlv_buf_adds(&resp->body, "],\"events\":[");
	if (rc == 0)
		rc = mlv_store_referral_events(st, id, event_json, &c);
	api_reader_release(s, st);
	if (rc == MLV_ENOTFOUND) {
		mlv_http_problem(resp, 404, "not-found", NULL, "no such referral", NULL);
		return 0;
	}
	if (rc == 0)
		rc = mlv_buf_adds(&resp->body, "]}");
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

/* ---- POST /v1/referrals/{id}/answer ---------------------------------------------------- */

/* A member of obj not in allowed, or given twice: its name, else NULL. */
static const char *stray_member(const cJSON *obj, const char *const *allowed, bool *dup)
{
	for (const cJSON *m = obj->child; m != NULL; m = m->next) {
		size_t k = 0;
		while (allowed[k] != NULL && strcmp(allowed[k], m->string) != 0)
			k++;
		*dup = false;
		for (const cJSON *e = obj->child; e != m && !*dup; e = e->next)
			*dup = strcmp(e->string, m->string) == 0;
		if (allowed[k] == NULL || *dup)
			return m->string;
	}
	return NULL;
}

static bool printable(const char *s, size_t max, bool lines)
{
	size_t n = strlen(s);
	if (n > max || !mlv_utf8_valid(s, n))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && !(lines && (c == '\n' || c == '\t'))) || c == 0x7f)
			return false;
	}
	return true;
}

static bool media_type_ok(const char *m)
{
	size_t n = strlen(m), slash = 0;
	if (n < 3 || n > 79)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (m[i] == '/')
			slash++;
		else if (!islower((unsigned char)m[i]) && !isdigit((unsigned char)m[i]) &&
			 strchr(".+-", m[i]) == NULL)
			return false;
	}
	return slash == 1 && m[0] != '/' && m[n - 1] != '/';
}

static bool doc_type_ok(const char *t)
{
	const mlv_field *docs = mlv_schema_field(&mlv_consignment_schema, "documents");
	const mlv_field *type = mlv_schema_field(docs->sub, "type");
	for (size_t i = 0; type->values[i] != NULL; i++)
		if (strcmp(type->values[i], t) == 0)
			return true;
	return false;
}

/* Reads the answer's documents into docs (content decoded into the
 * request's arena); a problem's message into why. */
static bool read_docs(mlv_server *s, mlv_req *req, const cJSON *arr, mlv_referral_doc *docs,
		      size_t *n, char *why, size_t whylen)
{
	static const char *const members[] = {"type", "reference", "filename", "media_type",
					      "content", NULL};
	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) > MLV_REFERRAL_DOCS_MAX) {
		snprintf(why, whylen, "documents is an array of at most %d documents",
			 MLV_REFERRAL_DOCS_MAX);
		return false;
	}
	const cJSON *d;
	*n = 0;
	cJSON_ArrayForEach(d, arr) {
		size_t i = *n;
		bool dup = false;
		const char *stray = cJSON_IsObject(d) ? stray_member(d, members, &dup) : NULL;
		if (!cJSON_IsObject(d) || stray != NULL) {
			snprintf(why, whylen, "/documents/%zu%s%.40s: %s", i, stray ? "/" : "",
				 stray ? stray : "", !cJSON_IsObject(d) ? "must be an object"
						     : dup	      ? "given twice"
								      : "not a member of a document");
			return false;
		}
		for (const cJSON *m = d->child; m != NULL; m = m->next) {
			if (!cJSON_IsString(m)) {
				snprintf(why, whylen, "/documents/%zu/%s: must be a string", i, m->string);
				return false;
			}
		}
#define MEMBER(name) cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, name))
		mlv_referral_doc *o = &docs[i];
		memset(o, 0, sizeof(*o));
		o->type = MEMBER("type");
		o->reference = MEMBER("reference");
		o->filename = MEMBER("filename");
		o->media_type = MEMBER("media_type");
		const char *content = MEMBER("content");
#undef MEMBER
		const char *bad = NULL;
		if (o->type == NULL || !doc_type_ok(o->type))
			bad = "type is a document type (docs/dataset.md, Document)";
		else if (o->reference == NULL || o->reference[0] == '\0' ||
			 !printable(o->reference, 70, false))
			bad = "reference is required (1 to 70 characters)";
		else if (o->filename != NULL &&
			 (!printable(o->filename, 127, false) || o->filename[0] == '\0' ||
			  strpbrk(o->filename, "/\\\"") != NULL))
			bad = "filename is 1 to 127 characters, without / \\ or \"";
		else if (o->media_type != NULL && !media_type_ok(o->media_type))
			bad = "media_type is a lower-case media type such as application/pdf";
		else if (content == NULL && (o->filename != NULL || o->media_type != NULL))
			bad = "filename and media_type describe a content";
		if (bad == NULL && content != NULL) {
			size_t len = strlen(content), max = s->opts.max_document;
			unsigned char *bin = mlv_arena_alloc(req->arena, len / 4 * 3 + 3);
			size_t bin_len = 0;
			const char *end = NULL;
			if (bin == NULL) {
				bad = "out of memory";
			} else if (len == 0 ||
				   sodium_base642bin(bin, len / 4 * 3 + 3, content, len, NULL, &bin_len,
						     &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
				   end != content + len) {
				bad = "content is the document's bytes in base64 (RFC 4648, with padding)";
			} else if (bin_len > max) {
				snprintf(why, whylen, "/documents/%zu/content: at most %zu bytes", i, max);
				return false;
			} else {
				o->content = bin;
				o->size = bin_len;
			}
		}
		if (bad != NULL) {
			snprintf(why, whylen, "/documents/%zu: %s", i, bad);
			return false;
		}
		(*n)++;
	}
	return true;
}

int api_referral_answer(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
			int64_t id)
{
	static const char *const members[] = {"text", "data", "documents", NULL};
	if (!api_content_type_ok(req, false)) {
		mlv_http_problem(resp, 415, "media-type", NULL, "send the answer as application/json",
				 NULL);
		return 0;
	}
	const char *body = req->body.data ? req->body.data : "";
	cJSON *j = NULL;
	if (mlv_json_depth(body, req->body.len, MLV_MAX_DEPTH + 1) > MLV_MAX_DEPTH + 1 ||
	    (j = cJSON_ParseWithLength(body, req->body.len)) == NULL || !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		mlv_http_problem(resp, 400, "malformed", NULL, "send a JSON object within the limits",
				 NULL);
		return 0;
	}
	char why[256] = "";
	bool dup = false;
	const char *stray = stray_member(j, members, &dup);
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(j, "text");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(j, "data");
	const cJSON *documents = cJSON_GetObjectItemCaseSensitive(j, "documents");
	mlv_referral_doc docs[MLV_REFERRAL_DOCS_MAX];
	size_t ndocs = 0;
	char *data_text = NULL;
	mlv_buf canon = MLV_BUF_INIT((size_t)1 << 20);
	mlv_problems probs;
	mlv_problems_init(&probs);
	if (stray != NULL)
		snprintf(why, sizeof(why), "/%.60s: %s", stray,
			 dup ? "given twice" : "not a member of an answer (text, data, documents)");
	else if (text == NULL && data == NULL && documents == NULL)
		snprintf(why, sizeof(why), "an answer gives text, data or documents");
	else if (text != NULL && (!cJSON_IsString(text) || text->valuestring[0] == '\0' ||
				  !printable(text->valuestring, 4000, true)))
		snprintf(why, sizeof(why), "/text: 1 to 4000 characters of text");
	else if (data != NULL && !cJSON_IsObject(data))
		snprintf(why, sizeof(why), "/data: an object of consignment elements");
	else if (documents != NULL)
		read_docs(s, req, documents, docs, &ndocs, why, sizeof(why));
	if (why[0] == '\0' && data != NULL) {
		/* The elements given, checked as strictly as a filing's. */
		data_text = cJSON_PrintUnformatted(data);
		mlv_consignment c;
		mlv_arena *arena = req->arena;
		int drc = data_text ? mlv_consignment_decode_part(&c, data_text, strlen(data_text),
								  arena, s->opts.rd, &probs)
				    : MLV_ENOMEM;
		if (drc == 0 && !mlv_problems_has_errors(&probs))
			drc = mlv_consignment_encode(&c, s->opts.rd, &canon);
		else if (drc == 0)
			drc = MLV_EINVALID;
		if (drc != 0)
			snprintf(why, sizeof(why), "%s",
				 probs.count ? "data: the elements break the rules listed in 'errors'"
					     : "data: not consignment elements");
	}
	if (why[0] != '\0') {
		mlv_problems listed;
		mlv_problems_init(&listed);
		api_prefix_problems(&probs, "/data", &listed);
		mlv_http_problem(resp, 422, "validation", NULL, why, listed.count ? &listed : NULL);
		mlv_problems_clear(&listed);
		goto cleanup;
	}
	int64_t filer, agency, answer_id = 0;
	reader(a, &filer, &agency);
	char actor[32];
	api_actor(a, actor, sizeof(actor));
	mlv_referral_answer ans = {.referral_id = id, .filer_id = filer, .agency_id = agency,
				   .text = text ? text->valuestring : NULL,
				   .data_json = data ? canon.data : NULL, .docs = docs,
				   .ndocs = ndocs, .actor = actor, .at_ms = mlv_now_ms()};
	pthread_mutex_lock(&s->actions_lock);
	int rc = mlv_store_referral_answer(s->actions, &ans, &answer_id);
	pthread_mutex_unlock(&s->actions_lock);
	if (rc == MLV_ENOTFOUND)
		mlv_http_problem(resp, 404, "not-found", NULL, "no such referral", NULL);
	else if (rc == MLV_ECONFLICT)
		mlv_http_problem(resp, 409, "conflict", NULL, "the referral is closed", NULL);
	else if (rc != 0)
		mlv_http_problem_err(resp, rc, "the answer could not be recorded");
	else if (mlv_buf_printf(&resp->body,
				"{\"referral\":%lld,\"answer\":%lld,\"status\":\"answered\","
				"\"documents\":%zu,\"links\":{\"referral\":\"/v1/referrals/%lld\"}}",
				(long long)id, (long long)answer_id, ndocs, (long long)id) != 0)
		mlv_http_problem_err(resp, MLV_ENOMEM, NULL);
	else
		resp->status = 201;
cleanup:
	free(data_text);
	mlv_buf_free(&canon);
	mlv_problems_clear(&probs);
	cJSON_Delete(j);
	return 0;
}

/* ---- POST /v1/referrals/{id}/close ----------------------------------------------------- */

int api_referral_close(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
		       int64_t id)
{
	static const char *const members[] = {"outcome", "reason", NULL};
	cJSON *j;
	if (!api_read_object(req, resp, members, &j))
		return 0;
	const char *outcome = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "outcome"));
	const char *reason = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "reason"));
	const char *bad = api_referral_close_check(outcome, reason);
	if (bad != NULL) {
		cJSON_Delete(j);
		mlv_http_problem(resp, 422, "validation", NULL, bad, NULL);
		return 0;
	}
	bool resolved = false;
	mlv_transition_result r;
	int rc = api_referral_close_apply(s, a, id, outcome, reason, &resolved, &r);
	cJSON_Delete(j);
	if (rc == MLV_ENOTFOUND) {
		mlv_http_problem(resp, 404, "not-found", NULL, "no such referral", NULL);
		return 0;
	}
	if (rc == MLV_ECONFLICT) {
		mlv_http_problem(resp, 409, "conflict", NULL, "the referral is closed already", NULL);
		return 0;
	}
	if (rc != 0) {
		mlv_http_problem_err(resp, rc, "the referral could not be closed");
		return 0;
	}
	rc = written_json(s, &resp->body, a, id, mlv_now_ms());
	if (rc == 0 && resolved)
		rc = mlv_buf_printf(&resp->body, ",\"resolved\":true,\"consignment_state\":\"%s\"}",
				    mlv_state_name(r.to));
	else if (rc == 0)
		rc = mlv_buf_adds(&resp->body, ",\"resolved\":false}");
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

/* ---- GET /v1/referrals/{id}/documents/{doc} -------------------------------------------- */

/* Served as what they are only when that is harmless in a browser; as
 * bytes to save otherwise, and always as an attachment. */
static const char *served_type(const char *media_type)
{
	static const char *const safe[] = {"application/pdf", "image/png", "image/jpeg",
					   "image/tiff", "image/gif", "image/webp", "text/plain",
					   "text/csv", NULL};
	for (size_t i = 0; safe[i] != NULL; i++)
		if (strcmp(safe[i], media_type) == 0)
			return safe[i];
	return "application/octet-stream";
}

int api_referral_document(mlv_server *s, mlv_resp *resp, const struct auth *a, int64_t id,
			  int64_t doc)
{
	int64_t filer, agency;
	reader(a, &filer, &agency);
	mlv_referral r;
	mlv_referral_doc_row row;
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_referral_get(st, filer, agency, id, &r);
	if (rc == 0)
		rc = mlv_store_referral_doc_content(st, id, doc, &row, &resp->body);
	api_reader_release(s, st);
	if (rc == MLV_ENOTFOUND) {
		mlv_http_problem(resp, 404, "not-found", NULL, "no such document", NULL);
		return 0;
	}
	if (rc != 0) {
		mlv_http_problem_err(resp, rc, NULL);
		return 0;
	}
	resp->status = 200;
	resp->content_type = served_type(row.media_type);
	snprintf(resp->disposition, sizeof(resp->disposition), "attachment; filename=\"%.100s\"",
		 row.filename[0] ? row.filename : "document");
	return 0;
}
