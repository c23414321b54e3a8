/* api.c - the HTTP API: route table, authentication, handlers.
 *
 * Routes are data (the table below); docs/openapi.yaml documents each.
 * Filings are prepared on the HTTP thread that received them and stored
 * by the writer thread (writer.h); reads use a pool of read connections.
 * A filer reaches only its own consignments: every store query carries the
 * filer id, so another filer's id answers 404 like a missing one. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "http.h"
#include "mlv/codec.h"
#include "mlv/decimal.h"
#include "mlv/filing.h"
#include "mlv/risk.h"
#include "mlv/server.h"
#include "mlv/stats.h"
#include "mlv/store.h"
#include "metrics.h"
#include "problem.h"
#include "quote.h"
#include "writer.h"

#define READERS_MAX 16

struct mlv_server {
	mlv_server_opts opts;
	mlv_http *http;
	mlv_metrics *metrics;
	mlv_writer *writer;
	pthread_mutex_t pool_lock;
	pthread_cond_t pool_cond;
	mlv_store *readers[READERS_MAX];
	size_t nreaders, free_top;
	mlv_store *free_readers[READERS_MAX];
	int64_t started_ms;
	mlv_auth *auth;
	mlv_store *actions;            /* read-write: lifecycle actions */
	pthread_mutex_t actions_lock;
	pthread_mutex_t filings_lock; /* a pool of reusable filings */
	mlv_filing *spare[256];
	size_t nspare;
};

/* A filing from the pool (or a new one), reset for a new text. */
static mlv_filing *filing_get(mlv_server *s)
{
	mlv_filing *f = NULL;
	pthread_mutex_lock(&s->filings_lock);
	if (s->nspare > 0)
		f = s->spare[--s->nspare];
	pthread_mutex_unlock(&s->filings_lock);
	return f != NULL ? f : mlv_filing_new();
}

static void filing_put(mlv_server *s, mlv_filing *f)
{
	if (f == NULL)
		return;
	mlv_filing_reset(f);
	pthread_mutex_lock(&s->filings_lock);
	if (s->nspare < MLV_ARRAY_LEN(s->spare)) {
		s->spare[s->nspare++] = f;
		f = NULL;
	}
	pthread_mutex_unlock(&s->filings_lock);
	mlv_filing_free(f);
}

/* ---- helpers ------------------------------------------------------------------ */

static mlv_store *reader_acquire(mlv_server *s)
{
	pthread_mutex_lock(&s->pool_lock);
	while (s->free_top == 0)
		pthread_cond_wait(&s->pool_cond, &s->pool_lock);
	mlv_store *st = s->free_readers[--s->free_top];
	pthread_mutex_unlock(&s->pool_lock);
	return st;
}

static void reader_release(mlv_server *s, mlv_store *st)
{
	pthread_mutex_lock(&s->pool_lock);
	s->free_readers[s->free_top++] = st;
	pthread_cond_signal(&s->pool_cond);
	pthread_mutex_unlock(&s->pool_lock);
}

struct auth {
	int64_t filer_id;
	char filer[64];
	char role[12]; /* filer, officer */
};

static void too_many(mlv_resp *resp, int wait, const char *detail)
{
	resp->retry_after = wait;
	mlv_http_problem(resp, 429, "rate-limited", NULL, detail, NULL);
}

/* Checks the bearer token; on failure writes the 401 answer (429 for an
 * address locked out after repeated failures, or a key over its rate). */
static bool authenticate(mlv_server *s, mlv_req *req, mlv_resp *resp, struct auth *a)
{
	char addr[64];
	int64_t now = (int64_t)time(NULL);
	mlv_req_client_addr(req, addr, sizeof(addr));
	int wait = mlv_auth_locked(s->auth, addr, now);
	if (wait > 0) {
		too_many(resp, wait, "too many failed authentications from this address; wait");
		return false;
	}
	const char *h = mlv_req_header(req, "Authorization");
	resp->extra_name = "WWW-Authenticate";
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0) {
		mlv_auth_failed(s->auth, addr, now);
		resp->extra_value = "Bearer realm=\"mainlevee\"";
		mlv_http_problem(resp, 401, "unauthorized", NULL,
			    "send an API key as 'Authorization: Bearer <key>'", NULL);
		return false;
	}
	const char *token = h + 7;
	while (*token == ' ')
		token++;
	int rc = mlv_auth_lookup(s->auth, token, now, &a->filer_id, a->filer, sizeof(a->filer),
				 a->role);
	if (rc != 0) {
		mlv_store *st = reader_acquire(s);
		rc = mlv_store_key_check_role(st, token, now, &a->filer_id, a->filer,
					      sizeof(a->filer), a->role, sizeof(a->role));
		reader_release(s, st);
		if (rc == 0)
			mlv_auth_remember(s->auth, token, now, a->filer_id, a->filer, a->role);
	}
	if (rc == MLV_EUNAUTH)
		mlv_auth_failed(s->auth, addr, now);
	if (rc != 0) {
		resp->extra_value = "Bearer realm=\"mainlevee\", error=\"invalid_token\"";
		mlv_http_problem(resp, rc == MLV_EUNAUTH ? 401 : 500,
			    rc == MLV_EUNAUTH ? "unauthorized" : "error", NULL,
			    rc == MLV_EUNAUTH ? "the API key is unknown, revoked or expired"
					      : "the key could not be checked",
			    NULL);
		return false;
	}
	resp->extra_name = NULL;
	wait = mlv_auth_rate(s->auth, a->filer_id, mlv_now_ms());
	if (wait > 0) {
		too_many(resp, wait, "this API key is over its request rate; retry after the delay");
		return false;
	}
	return true;
}

static bool content_type_ok(mlv_req *req, bool lines)
{
	const char *ct = mlv_req_header(req, "Content-Type");
	if (ct == NULL)
		return true;
	size_t n = strcspn(ct, ";");
	if (lines)
		return (n == 20 && strncasecmp(ct, "application/x-ndjson", n) == 0) ||
		       (n == 17 && strncasecmp(ct, "application/jsonl", n) == 0) ||
		       (n == 16 && strncasecmp(ct, "application/json", n) == 0) ||
		       (n == 10 && strncasecmp(ct, "text/plain", n) == 0);
	return (n == 16 && strncasecmp(ct, "application/json", n) == 0) ||
	       (n > 5 && strncasecmp(ct + n - 5, "+json", 5) == 0);
}

static void ms_to_rfc3339(int64_t ms, char out[32])
{
	char s[21];
	mlv_datetime_format(ms / 1000, s);
	snprintf(out, 32, "%.19s.%03dZ", s, (int)(ms % 1000));
}

/* Writes the consignment view shared by POST and GET answers; the answer
 * to a filing leaves the consignment out (canonical == NULL): the filer
 * has it, and GET returns it. */
static int write_view(mlv_buf *b, int64_t id, const char *lrn, int version, const char *status,
		      const char *outcome, int64_t filed_ms, int64_t updated_ms,
		      const char *quality_json, const char *assessment_json, const char *risk_json,
		      const char *canonical, size_t canonical_len)
{
	char filed[32], updated[32];
	ms_to_rfc3339(filed_ms, filed);
	ms_to_rfc3339(updated_ms, updated);
	int rc = mlv_buf_printf(b, "{\"id\":%lld,\"lrn\":", (long long)id);
	if (rc == 0)
		rc = mlv_buf_add_json_string(b, lrn, strlen(lrn));
	if (rc == 0)
		rc = mlv_buf_printf(b, ",\"version\":%d,\"status\":\"%s\",", version, status);
	if (rc == 0 && outcome != NULL)
		rc = mlv_buf_printf(b, "\"outcome\":\"%s\",", outcome);
	if (rc == 0)
		rc = mlv_buf_printf(b, "\"filed_at\":\"%s\",\"updated_at\":\"%s\",\"quality\":%s",
				    filed, updated, quality_json);
	if (rc == 0 && assessment_json != NULL && assessment_json[0] != '\0')
		rc = mlv_buf_printf(b, ",\"assessment\":%s", assessment_json);
	if (rc == 0 && risk_json != NULL && risk_json[0] != '\0')
		rc = mlv_buf_printf(b, ",\"risk\":%s", risk_json);
	if (rc == 0 && canonical != NULL) {
		rc = mlv_buf_adds(b, ",\"consignment\":");
		if (rc == 0)
			rc = mlv_buf_add(b, canonical, canonical_len);
	}
	if (rc == 0)
		rc = mlv_buf_printf(b, ",\"links\":{\"self\":\"/v1/consignments/%lld\","
				       "\"events\":\"/v1/consignments/%lld/events\"}}",
				    (long long)id, (long long)id);
	return rc;
}

/* ---- POST /v1/consignments ---------------------------------------------------- */

struct filing_job {
	mlv_write_job job;
	mlv_server *server;
	mlv_req *req;
	mlv_filing **filings;
	size_t n;
	size_t *lines; /* batch: the line number of each filing */
	mlv_filing *rejected_head;
};

static void job_done(mlv_write_job *job)
{
	struct filing_job *fj = job->ctx;
	mlv_http_resume(fj->req);
}

static void job_start(mlv_req *req)
{
	struct filing_job *fj = req->job;
	if (mlv_writer_submit(fj->server->writer, &fj->job) != 0) {
		fj->job.rc = MLV_EBUSY;
		mlv_http_resume(req);
	}
}

static void free_filings(struct filing_job *fj)
{
	for (size_t i = 0; i < fj->n; i++)
		filing_put(fj->server, fj->filings[i]);
	fj->n = 0;
}

static void busy(mlv_resp *resp, int rc)
{
	if (rc == MLV_EBUSY) {
		resp->retry_after = 1;
		mlv_http_problem(resp, 503, "unavailable", NULL,
			    "the server is saturated or stopping; retry shortly", NULL);
	} else {
		mlv_http_problem(resp, 500, "store", NULL, "the store failed; nothing was recorded", NULL);
	}
}

static void finish_one(mlv_req *req, mlv_resp *resp)
{
	struct filing_job *fj = req->job;
	mlv_server *s = fj->server;
	mlv_filing *f = fj->filings[0];
	int rc = fj->job.rc ? fj->job.rc : f->store_rc;
	if (rc == MLV_ECONFLICT) {
		char d[128];
		snprintf(d, sizeof(d), "the consignment is %s: its data can no longer be amended",
			 f->conflict_state);
		mlv_http_problem(resp, 409, "conflict", NULL, d, NULL);
		goto cleanup;
	}
	if (rc != 0) {
		busy(resp, rc);
		goto cleanup;
	}
	(void)s;
	rc = write_view(&resp->body, f->id, f->c.lrn, f->version,
			f->assessed && f->risk_z != NULL ? "assessed" : "filed",
			mlv_outcome_name(f->outcome), f->received_ms, f->received_ms,
			f->quality_json, f->assessment_json, f->risk_json, NULL, 0);
	if (rc != 0) {
		mlv_http_problem_err(resp, rc, "the answer could not be written");
		goto cleanup;
	}
	resp->status = f->outcome == MLV_OUTCOME_CREATED ? 201 : 200;
	resp->content_type = "application/json";
	snprintf(resp->location, sizeof(resp->location), "/v1/consignments/%lld",
		 (long long)f->id);
cleanup:
	free_filings(fj);
}

static int post_consignment(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a)
{
	if (!content_type_ok(req, false)) {
		mlv_http_problem(resp, 415, "media-type", NULL, "send the consignment as application/json",
			    NULL);
		return 0;
	}
	struct filing_job *fj = mlv_arena_alloc(req->arena, sizeof(*fj));
	mlv_filing **slot = mlv_arena_alloc(req->arena, sizeof(*slot));
	mlv_filing *f = filing_get(s);
	if (fj == NULL || slot == NULL || f == NULL) {
		filing_put(s, f);
		mlv_http_problem_err(resp, MLV_ENOMEM, NULL);
		return 0;
	}
	f->filer_id = a->filer_id;
	int rc = mlv_filing_prepare(f, req->body.data ? req->body.data : "", req->body.len,
				    s->opts.rd, &s->opts.validate);
	if (rc != 0 || !f->ok) {
		if (rc != 0)
			mlv_http_problem_err(resp, rc, NULL);
		else if (f->prepare_rc == MLV_EINVALID)
			mlv_http_problem(resp, 400, "malformed", "Malformed JSON",
				    "the body is not a JSON object within the limits", &f->problems);
		else
			mlv_http_problem(resp, 422, "validation", "Validation failed",
				    "the consignment breaks the rules listed in 'errors'", &f->problems);
		filing_put(s, f);
		return 0;
	}
	slot[0] = f;
	fj->server = s;
	fj->req = req;
	fj->filings = slot;
	fj->n = 1;
	fj->job.filings = slot;
	fj->job.n = 1;
	fj->job.done = job_done;
	fj->job.ctx = fj;
	req->job = fj;
	req->finish = finish_one;
	mlv_http_set_start(req, job_start);
	return MLV_HTTP_ASYNC;
}

/* ---- POST /v1/consignments:batch ------------------------------------------------ */

struct batch {
	struct filing_job fj;
	mlv_filing **all;   /* every line, in order */
	size_t *all_lines;
	size_t count;
};

static void finish_batch(mlv_req *req, mlv_resp *resp)
{
	struct batch *bt = req->job;
	int rc = bt->fj.job.rc;
	resp->status = 200;
	resp->content_type = "application/x-ndjson";
	int e = 0;
	for (size_t i = 0; e == 0 && i < bt->count; i++)
		e = mlv_filing_result_json(&resp->body, bt->all_lines[i], bt->all[i],
			       rc ? rc : bt->all[i]->store_rc);
	if (e != 0)
		mlv_http_problem_err(resp, e, "the answer could not be written");
	for (size_t i = 0; i < bt->count; i++)
		filing_put(bt->fj.server ? bt->fj.server : req->app, bt->all[i]);
	bt->count = 0;
}

static int post_batch(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a)
{
	if (!content_type_ok(req, true)) {
		mlv_http_problem(resp, 415, "media-type", NULL,
			    "send JSON Lines as application/x-ndjson", NULL);
		return 0;
	}
	const char *p = req->body.data ? req->body.data : "";
	const char *end = p + req->body.len;
	size_t lines = 0;
	for (const char *q = p; q < end; q++)
		lines += *q == '\n';
	lines++;
	if (lines > s->opts.max_batch_lines + 1) {
		char d[96];
		snprintf(d, sizeof(d), "a batch holds at most %zu lines", s->opts.max_batch_lines);
		mlv_http_problem(resp, 413, "too-large", NULL, d, NULL);
		return 0;
	}
	struct batch *bt = mlv_arena_alloc(req->arena, sizeof(*bt));
	mlv_filing **all = mlv_arena_alloc(req->arena, lines * sizeof(*all));
	mlv_filing **ok = mlv_arena_alloc(req->arena, lines * sizeof(*ok));
	size_t *nums = mlv_arena_alloc(req->arena, lines * sizeof(*nums));
	if (bt == NULL || all == NULL || ok == NULL || nums == NULL) {
		mlv_http_problem_err(resp, MLV_ENOMEM, NULL);
		return 0;
	}
	size_t nall = 0, nok = 0, lineno = 0;
	int rc = 0;
	while (p < end && rc == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		lineno++;
		const char *t = p;
		while (t < le && isspace((unsigned char)*t))
			t++;
		if (t < le) {
			mlv_filing *f = filing_get(s);
			if (f == NULL) {
				rc = MLV_ENOMEM;
				break;
			}
			f->filer_id = a->filer_id;
			rc = mlv_filing_prepare(f, p, (size_t)(le - p), s->opts.rd, &s->opts.validate);
			all[nall] = f;
			nums[nall++] = lineno;
			if (f->ok)
				ok[nok++] = f;
		}
		p = nl ? nl + 1 : end;
	}
	bt->all = all;
	bt->all_lines = nums;
	bt->count = nall;
	req->job = bt;
	req->finish = finish_batch;
	if (rc != 0) {
		finish_batch(req, resp);
		mlv_http_problem_err(resp, rc, NULL);
		return 0;
	}
	if (nall == 0) {
		mlv_http_problem(resp, 400, "empty", NULL, "the batch holds no line", NULL);
		return 0;
	}
	if (nok == 0) {
		finish_batch(req, resp);
		return 0;
	}
	bt->fj.server = s;
	bt->fj.req = req;
	bt->fj.job.filings = ok;
	bt->fj.job.n = nok;
	bt->fj.job.done = job_done;
	bt->fj.job.ctx = &bt->fj;
	/* job_start reads req->job as a filing_job: the batch starts with one. */
	mlv_http_set_start(req, job_start);
	return MLV_HTTP_ASYNC;
}

/* ---- GET ------------------------------------------------------------------------- */

static int get_consignment(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
			   int64_t id, int version)
{
	mlv_record r;
	mlv_record_init(&r);
	mlv_store *st = reader_acquire(s);
	int rc = mlv_store_get(st, a->filer_id, id, version, &r);
	reader_release(s, st);
	if (rc == MLV_ENOTFOUND) {
		mlv_http_problem(resp, 404, "not-found", NULL,
			    version > 0 ? "no such consignment or version" : "no such consignment",
			    NULL);
		goto cleanup;
	}
	if (rc != 0) {
		mlv_http_problem_err(resp, rc, "the consignment could not be read");
		goto cleanup;
	}
	/* Canonical form of the stored text; the text itself if it no longer
	 * decodes (reference data changed since), so nothing is ever hidden. */
	mlv_consignment c;
	mlv_problems probs;
	mlv_problems_init(&probs);
	mlv_buf canon = MLV_BUF_INIT((size_t)8 << 20);
	int drc = mlv_consignment_decode(&c, r.body.data, r.body.len, req->arena, s->opts.rd, &probs);
	if (drc == 0 && !mlv_problems_has_errors(&probs))
		rc = mlv_consignment_encode(&c, s->opts.rd, &canon);
	else
		rc = mlv_buf_add(&canon, r.body.data, r.body.len);
	mlv_problems_clear(&probs);
	if (rc == 0)
		rc = write_view(&resp->body, r.id, r.lrn, r.version, r.status, NULL, r.filed_at_ms,
				r.updated_at_ms, r.quality_json.data ? r.quality_json.data : "{}",
				r.assessment_json.data, r.risk_json.data, canon.data, canon.len);
	mlv_buf_free(&canon);
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	else
		resp->status = 200;
cleanup:
	mlv_record_free(&r);
	return 0;
}

struct list_ctx {
	mlv_buf *b;
	int n;
};

static int list_row(void *ctx, const mlv_summary *r)
{
	struct list_ctx *lc = ctx;
	mlv_buf *b = lc->b;
	char filed[32], updated[32];
	ms_to_rfc3339(r->filed_at_ms, filed);
	ms_to_rfc3339(r->updated_at_ms, updated);
	int rc = mlv_buf_printf(b, "%s{\"id\":%lld,\"lrn\":", lc->n++ ? "," : "", (long long)r->id);
	if (rc == 0)
		rc = mlv_buf_add_json_string(b, r->lrn, strlen(r->lrn));
	if (rc == 0)
		rc = mlv_buf_printf(b,
				    ",\"version\":%d,\"status\":\"%s\",\"declaration_type\":\"%s\","
				    "\"category\":\"%s\",\"channel\":\"%s\","
				    "\"departure_country\":\"%s\",",
				    r->version, r->status, mlv_declaration_type_name(r->declaration_type),
				    mlv_category_name(r->category), mlv_channel_name(r->channel),
				    r->departure_country);
	if (rc == 0 && r->tracking_number[0]) {
		rc = mlv_buf_adds(b, "\"tracking_number\":");
		if (rc == 0)
			rc = mlv_buf_add_json_string(b, r->tracking_number, strlen(r->tracking_number));
		if (rc == 0)
			rc = mlv_buf_addc(b, ',');
	}
	if (rc == 0 && r->invoice_total >= 0 && r->currency[0])
		rc = mlv_buf_printf(b, "\"currency\":\"%s\",", r->currency);
	if (rc == 0)
		rc = mlv_buf_printf(b, "\"item_count\":%d,\"quality_score\":%d,\"filed_at\":\"%s\","
				       "\"updated_at\":\"%s\"}",
				    r->item_count, r->quality_score, filed, updated);
	return rc;
}

static bool parse_int(const char *v, int64_t lo, int64_t hi, int64_t *out)
{
	char *end;
	if (v == NULL || *v == '\0')
		return false;
	long long n = strtoll(v, &end, 10);
	if (*end != '\0' || n < lo || n > hi)
		return false;
	*out = n;
	return true;
}

static int bad_param(mlv_resp *resp, const char *name, const char *why)
{
	char d[160];
	snprintf(d, sizeof(d), "query parameter '%s' %s", name, why);
	mlv_http_problem(resp, 400, "bad-parameter", NULL, d, NULL);
	return 0;
}

static int list_consignments(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a)
{
	mlv_list_query q;
	memset(&q, 0, sizeof(q));
	q.filer_id = a->filer_id;
	int64_t v;
	const char *p;
	q.limit = 50;
	if ((p = mlv_req_query(req, "limit")) != NULL) {
		if (!parse_int(p, 1, s->opts.max_page, &v))
			return bad_param(resp, "limit", "must be an integer from 1 to the page bound");
		q.limit = (int)v;
	}
	if ((p = mlv_req_query(req, "cursor")) != NULL) {
		if (!parse_int(p, 1, INT64_MAX, &v))
			return bad_param(resp, "cursor", "is not a cursor this server gave");
		q.after_id = v;
	}
	if ((p = mlv_req_query(req, "status")) != NULL) {
		if (mlv_state_from_name(p) == 0)
			return bad_param(resp, "status", "is not a state (docs/lifecycle.md)");
		q.status = p;
	}
	if ((p = mlv_req_query(req, "category")) != NULL &&
	    (q.category = mlv_enum_index("category", p)) == 0)
		return bad_param(resp, "category", "is not a category");
	if ((p = mlv_req_query(req, "channel")) != NULL &&
	    (q.channel = mlv_enum_index("channel", p)) == 0)
		return bad_param(resp, "channel", "is not a channel");
	if ((p = mlv_req_query(req, "departure_country")) != NULL) {
		if (!mlv_country_exists(s->opts.rd, p))
			return bad_param(resp, "departure_country", "is not an ISO 3166-1 code");
		q.departure_country = p;
	}
	if ((p = mlv_req_query(req, "lrn")) != NULL) {
		if (strlen(p) > 35)
			return bad_param(resp, "lrn", "is longer than 35 characters");
		q.lrn = p;
	}
	int64_t t;
	if ((p = mlv_req_query(req, "filed_from")) != NULL) {
		if (!mlv_datetime_parse(p, strlen(p), &t))
			return bad_param(resp, "filed_from", "must be an RFC 3339 date-time");
		q.filed_from_ms = t * 1000;
	}
	if ((p = mlv_req_query(req, "filed_to")) != NULL) {
		if (!mlv_datetime_parse(p, strlen(p), &t))
			return bad_param(resp, "filed_to", "must be an RFC 3339 date-time");
		q.filed_to_ms = t * 1000;
	}
	struct list_ctx lc = {&resp->body, 0};
	int64_t next = 0;
	int rc = mlv_buf_adds(&resp->body, "{\"items\":[");
	if (rc == 0) {
		mlv_store *st = reader_acquire(s);
		rc = mlv_store_list(st, &q, list_row, &lc, &next);
		reader_release(s, st);
	}
	if (rc == 0)
		rc = next ? mlv_buf_printf(&resp->body, "],\"next_cursor\":\"%lld\"}", (long long)next)
			  : mlv_buf_adds(&resp->body, "],\"next_cursor\":null}");
	if (rc != 0)
		mlv_http_problem_err(resp, rc, "the list could not be read");
	return 0;
}

struct events_ctx {
	mlv_buf *b;
	int n;
};

static int event_row(void *ctx, const mlv_event *ev)
{
	struct events_ctx *ec = ctx;
	char at[32];
	ms_to_rfc3339(ev->at_ms, at);
	int rc = mlv_buf_printf(ec->b, "%s{\"id\":%lld,\"type\":\"%s\",\"version\":%d,\"at\":\"%s\","
				       "\"actor\":",
				ec->n++ ? "," : "", (long long)ev->id, ev->type, ev->version, at);
	if (rc == 0)
		rc = mlv_buf_add_json_string(ec->b, ev->actor, strlen(ev->actor));
	return rc ? rc : mlv_buf_addc(ec->b, '}');
}

static int get_events(mlv_server *s, mlv_resp *resp, const struct auth *a, int64_t id)
{
	struct events_ctx ec = {&resp->body, 0};
	int rc = mlv_buf_adds(&resp->body, "{\"events\":[");
	if (rc == 0) {
		mlv_store *st = reader_acquire(s);
		rc = mlv_store_events(st, a->filer_id, id, event_row, &ec);
		reader_release(s, st);
	}
	if (rc == 0 && ec.n == 0) {
		mlv_http_problem(resp, 404, "not-found", NULL, "no such consignment", NULL);
		return 0;
	}
	if (rc == 0)
		rc = mlv_buf_adds(&resp->body, "]}");
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

static int healthz(mlv_server *s, mlv_resp *resp)
{
	mlv_writer_stats ws;
	mlv_writer_get_stats(s->writer, &ws);
	mlv_buf_printf(&resp->body,
		       "{\"status\":\"ok\",\"version\":\"%s\",\"uptime_s\":%lld,"
		       "\"writer\":{\"queued_jobs\":%zu,\"batches\":%llu,\"filings\":%llu,"
		       "\"failures\":%llu}}",
		       MLV_VERSION, (long long)((mlv_now_ms() - s->started_ms) / 1000), ws.queued,
		       (unsigned long long)ws.batches, (unsigned long long)ws.filings,
		       (unsigned long long)ws.failures);
	return 0;
}

/* Counts every answer, from the HTTP layer (metrics.h). */
static void on_done(void *app, const mlv_req *req, int status)
{
	mlv_server *s = app;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	mlv_metrics_observe(s->metrics, req->route, status,
			    (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec - req->started_ns);
}

/* ---- release times (Time Release Study) ------------------------------------------------ */

#define RELEASE_ROWS_MAX 2000000

struct release_rows {
	mlv_release_row *v;
	size_t n, cap;
};

static int release_add(void *ctx, const mlv_release_row *row)
{
	struct release_rows *r = ctx;
	if (r->n == RELEASE_ROWS_MAX)
		return MLV_ETOOBIG;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;
		mlv_release_row *v = realloc(r->v, cap * sizeof(*v));
		if (v == NULL)
			return MLV_ENOMEM;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = *row;
	return 0;
}

/* Percentiles (in seconds) of one measure over the rows of one group:
 * lane NULL or channel 0 for any. */
static int release_group(mlv_buf *b, const struct release_rows *r, int64_t *tmp, bool arrival,
			 const char *lane, int channel, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++) {
		const mlv_release_row *x = &r->v[i];
		if ((lane != NULL && strcmp(x->lane, lane) != 0) ||
		    (channel != 0 && x->channel != channel) || (arrival && x->arrived_ms == 0))
			continue;
		int64_t d = x->released_ms - (arrival ? x->arrived_ms : x->filed_ms);
		tmp[n++] = d > 0 ? d : 0;
	}
	if (n == 0 && name != NULL)
		return 0; /* empty groups are left out */
	mlv_percentiles p;
	mlv_percentiles_of(tmp, n, &p);
	int rc = 0;
	if (name != NULL)
		rc = mlv_buf_printf(b, "%s\"%s\":", b->data[b->len - 1] == '{' ? "" : ",", name);
	const int64_t v[4] = {p.median, p.p90, p.p99, p.max};
	if (rc == 0)
		rc = mlv_buf_printf(b, "{\"count\":%zu", p.count);
	static const char *const keys[4] = {"median", "p90", "p99", "max"};
	for (int k = 0; k < 4 && rc == 0; k++)
		rc = mlv_buf_printf(b, ",\"%s\":%lld.%03lld", keys[k], (long long)(v[k] / 1000),
				    (long long)(v[k] % 1000));
	return rc ? rc : mlv_buf_addc(b, '}');
}

static int release_measure(mlv_buf *b, const struct release_rows *r, int64_t *tmp, bool arrival)
{
	static const char *const lanes[] = {"green", "yellow", "red", "hold"};
	int rc = mlv_buf_adds(b, "{\"all\":");
	if (rc == 0)
		rc = release_group(b, r, tmp, arrival, NULL, 0, NULL);
	if (rc == 0)
		rc = mlv_buf_adds(b, ",\"by_lane\":{");
	for (size_t i = 0; rc == 0 && i < MLV_ARRAY_LEN(lanes); i++)
		rc = release_group(b, r, tmp, arrival, lanes[i], 0, lanes[i]);
	if (rc == 0)
		rc = mlv_buf_adds(b, "},\"by_channel\":{");
	for (int ch = MLV_CH_POST; rc == 0 && ch <= MLV_CH_FREIGHT; ch++)
		rc = release_group(b, r, tmp, arrival, NULL, ch, mlv_channel_name((unsigned)ch));
	return rc ? rc : mlv_buf_adds(b, "}}");
}

/* GET /v1/stats/release-times?from=YYYY-MM-DD&to=YYYY-MM-DD: from filing
 * to release and from arrival to release, median, 90th and 99th
 * percentiles and maximum, overall, by lane and by channel, for the
 * consignments released in the period (default: the last 30 days). */
static int release_times(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	int32_t today = (int32_t)(mlv_now_ms() / 86400000), from = today - 29, to = today;
	const char *p;
	if ((p = mlv_req_query(req, "from")) != NULL && !mlv_date_parse(p, strlen(p), &from))
		return bad_param(resp, "from", "must be a date YYYY-MM-DD");
	if ((p = mlv_req_query(req, "to")) != NULL && !mlv_date_parse(p, strlen(p), &to))
		return bad_param(resp, "to", "must be a date YYYY-MM-DD");
	if (from > to || to - from > 366)
		return bad_param(resp, "from", "must be on or before 'to', at most 366 days before");
	struct release_rows r = {NULL, 0, 0};
	mlv_store *st = reader_acquire(s);
	int rc = mlv_store_release_times(st, (int64_t)from * 86400000,
					 ((int64_t)to + 1) * 86400000, release_add, &r);
	reader_release(s, st);
	if (rc == MLV_ETOOBIG) {
		free(r.v);
		mlv_http_problem(resp, 422, "validation", NULL,
				 "more than 2,000,000 releases in the period: ask for a shorter one",
				 NULL);
		return 0;
	}
	int64_t *tmp = rc == 0 ? malloc((r.n ? r.n : 1) * sizeof(int64_t)) : NULL;
	if (rc == 0 && tmp == NULL)
		rc = MLV_ENOMEM;
	char a[11], b[11];
	mlv_date_format(from, a);
	mlv_date_format(to, b);
	if (rc == 0)
		rc = mlv_buf_printf(&resp->body,
				    "{\"from\":\"%s\",\"to\":\"%s\",\"unit\":\"seconds\","
				    "\"filing_to_release\":",
				    a, b);
	if (rc == 0)
		rc = release_measure(&resp->body, &r, tmp, false);
	if (rc == 0)
		rc = mlv_buf_adds(&resp->body, ",\"arrival_to_release\":");
	if (rc == 0)
		rc = release_measure(&resp->body, &r, tmp, true);
	if (rc == 0)
		rc = mlv_buf_addc(&resp->body, '}');
	free(tmp);
	free(r.v);
	if (rc != 0) {
		mlv_buf_reset(&resp->body);
		mlv_http_problem_err(resp, rc, NULL);
	}
	return 0;
}

/* ---- the audit log ------------------------------------------------------------------ */

static int audit_sth(mlv_server *s, mlv_resp *resp)
{
	mlv_audit_sth sth;
	mlv_store *st = reader_acquire(s);
	int rc = mlv_store_audit_get_sth(st, 0, &sth);
	reader_release(s, st);
	if (rc == MLV_ENOTFOUND) {
		mlv_http_problem(resp, 404, "not-found", NULL,
				 "no tree head has been signed yet (the log is empty, or the first "
				 "one is due within the signing interval)",
				 NULL);
		return 0;
	}
	if (rc == 0)
		rc = mlv_audit_json_sth(&resp->body, &sth);
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

static int audit_public_key(mlv_server *s, mlv_resp *resp)
{
	char b64[MLV_AUDIT_B64_SIZE(MLV_AUDIT_PK_LEN)];
	if (s->opts.audit_pk == NULL) {
		mlv_http_problem(resp, 404, "not-found", NULL, "this instance does not sign its log",
				 NULL);
		return 0;
	}
	mlv_audit_b64_encode(b64, sizeof(b64), s->opts.audit_pk, MLV_AUDIT_PK_LEN);
	mlv_buf_printf(&resp->body, "{\"algorithm\":\"Ed25519\",\"public_key\":\"%s\"}", b64);
	return 0;
}

static bool query_u64(mlv_req *req, const char *name, uint64_t *out, bool required,
		      mlv_resp *resp)
{
	const char *v = mlv_req_query(req, name);
	int64_t n;
	if (v == NULL) {
		if (required)
			bad_param(resp, name, "is required");
		return !required;
	}
	if (!parse_int(v, 1, (int64_t)MLV_AUDIT_JSON_INT_MAX, &n)) {
		bad_param(resp, name, "must be a positive integer");
		return false;
	}
	*out = (uint64_t)n;
	return true;
}

static int audit_inclusion(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a)
{
	uint64_t event = 0, size = 0;
	if (!query_u64(req, "event", &event, true, resp) ||
	    !query_u64(req, "tree_size", &size, false, resp))
		return 0;
	mlv_buf leaf = MLV_BUF_INIT(1 << 16);
	uint8_t hash[MLV_AUDIT_HASH_LEN];
	mlv_audit_sth sth;
	mlv_audit_hash proof[MLV_AUDIT_PROOF_MAX];
	size_t len = 0;
	mlv_store *st = reader_acquire(s);
	int rc = mlv_store_audit_leaf(st, event, a->filer_id, &leaf, hash);
	if (rc == MLV_ENOTFOUND) {
		mlv_http_problem(resp, 404, "not-found", NULL, "no such event of yours", NULL);
		goto cleanup;
	}
	if (rc == 0)
		rc = size ? mlv_store_audit_get_sth(st, size, &sth)
			  : mlv_store_audit_sth_covering(st, event, &sth);
	if (rc == MLV_ENOTFOUND) {
		mlv_http_problem(resp, 404, "not-yet-signed", NULL,
				 size ? "no signed tree head of that size"
				      : "the event is not in a signed tree head yet; retry after "
					"the signing interval",
				 NULL);
		goto cleanup;
	}
	if (rc == 0 && sth.tree_size < event) {
		mlv_http_problem(resp, 400, "bad-parameter", NULL,
				 "the tree head is older than the event", NULL);
		goto cleanup;
	}
	if (rc == 0)
		rc = mlv_store_audit_inclusion(st, event - 1, sth.tree_size, proof, &len);
	if (rc == 0)
		rc = mlv_audit_json_inclusion(&resp->body, &sth, event - 1, hash, leaf.data, leaf.len,
					      proof, len);
	if (rc != 0)
		mlv_http_problem_err(resp, rc, "the proof could not be made");
cleanup:
	reader_release(s, st);
	mlv_buf_free(&leaf);
	return 0;
}

static int audit_consistency(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	uint64_t first = 0, second = 0;
	if (!query_u64(req, "first", &first, true, resp) ||
	    !query_u64(req, "second", &second, true, resp))
		return 0;
	if (first > second) {
		bad_param(resp, "first", "must not be larger than second");
		return 0;
	}
	mlv_audit_sth a, b;
	mlv_audit_hash proof[MLV_AUDIT_PROOF_MAX];
	size_t len = 0;
	mlv_store *st = reader_acquire(s);
	int rc = mlv_store_audit_get_sth(st, first, &a);
	if (rc == 0)
		rc = mlv_store_audit_get_sth(st, second, &b);
	if (rc == 0)
		rc = mlv_store_audit_consistency(st, first, second, proof, &len);
	reader_release(s, st);
	if (rc == MLV_ENOTFOUND) {
		mlv_http_problem(resp, 404, "not-found", NULL,
				 "both sizes must be those of signed tree heads (GET /v1/audit/sth)",
				 NULL);
		return 0;
	}
	if (rc == 0)
		rc = mlv_audit_json_consistency(&resp->body, &a, &b, proof, len);
	if (rc != 0)
		mlv_http_problem_err(resp, rc, "the proof could not be made");
	return 0;
}

/* ---- the lifecycle ------------------------------------------------------------------ */

/* Reads the small JSON object body of an action endpoint.  Every member
 * must be one of `allowed` (NULL-terminated): anything else, a
 * server-owned field such as status, lane or duty as much as a typo, is
 * refused with 422 naming each member, so no write sets what the server
 * owns.  An empty body reads as {} (*out NULL).  Returns true with *out
 * (cJSON_Delete it), or false once it has answered. */
static bool read_object(const mlv_req *req, mlv_resp *resp, const char *const *allowed,
			cJSON **out)
{
	*out = NULL;
	if (req->body.len == 0)
		return true;
	cJSON *j = NULL;
	if (mlv_json_depth(req->body.data, req->body.len, 2) > 1 ||
	    (j = cJSON_ParseWithLength(req->body.data, req->body.len)) == NULL ||
	    !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		mlv_http_problem(resp, 400, "malformed", NULL,
				 "send a JSON object of strings (no nesting)", NULL);
		return false;
	}
	mlv_problems p;
	mlv_problems_init(&p);
	for (const cJSON *m = j->child; m != NULL; m = m->next) {
		size_t k = 0;
		while (allowed[k] != NULL && strcmp(allowed[k], m->string) != 0)
			k++;
		bool dup = false;
		for (const cJSON *e = j->child; e != m && !dup; e = e->next)
			dup = strcmp(e->string, m->string) == 0;
		char ptr[80];
		snprintf(ptr, sizeof(ptr), "/%.70s", m->string);
		if (allowed[k] == NULL)
			mlv_problems_add(&p, MLV_SEV_ERROR, ptr, "unknown_field",
					 "not a member of this request (server-owned or unknown)");
		else if (dup)
			mlv_problems_add(&p, MLV_SEV_ERROR, ptr, "duplicate_key",
					 "given twice");
		else if (!cJSON_IsString(m))
			mlv_problems_add(&p, MLV_SEV_ERROR, ptr, "type", "must be a string");
	}
	if (p.errors > 0 || p.count > 0) {
		mlv_http_problem(resp, 422, "validation", NULL, "the request has members it may not have",
				 &p);
		mlv_problems_clear(&p);
		cJSON_Delete(j);
		return false;
	}
	mlv_problems_clear(&p);
	*out = j;
	return true;
}

/* POST /v1/consignments/{id}/arrival: the filer (its carrier) notifies
 * that the goods are at the border.  Green and nothing due before release:
 * released at once, and the answer says so. */
static int arrival(mlv_server *s, const mlv_req *req, mlv_resp *resp, const struct auth *a,
		   int64_t id)
{
	static const char *const none[] = {NULL};
	cJSON *body;
	if (!read_object(req, resp, none, &body))
		return 0;
	cJSON_Delete(body);
	mlv_transition_result r;
	char actor[32];
	snprintf(actor, sizeof(actor), "filer:%lld", (long long)a->filer_id);
	int64_t now = mlv_now_ms();
	pthread_mutex_lock(&s->actions_lock);
	int rc = mlv_store_transition(s->actions, a->filer_id, id, MLV_ACT_ARRIVE, MLV_BY_FILER,
				      actor, "arrival notified by the filer", now, true, &r);
	pthread_mutex_unlock(&s->actions_lock);
	if (rc == MLV_ENOTFOUND) {
		mlv_http_problem(resp, 404, "not-found", NULL, "no such consignment", NULL);
		return 0;
	}
	if (rc == MLV_ECONFLICT || rc == MLV_EFORBIDDEN) {
		char d[128];
		snprintf(d, sizeof(d), "the consignment is %s: arrival cannot be notified now",
			 mlv_state_name(r.from));
		mlv_http_problem(resp, 409, "conflict", NULL, d, NULL);
		return 0;
	}
	if (rc != 0) {
		mlv_http_problem_err(resp, rc, "the arrival could not be recorded");
		return 0;
	}
	bool released = r.to == MLV_ST_RELEASED;
	const char *why = released && r.on_account
				  ? "green lane: released, duties and taxes debited to the deferred account"
			  : released ? "green lane and nothing due before release: released"
			  : r.lane[0] == '\0' ? "not assessed: waits for an officer"
			  : strcmp(r.lane, "green") != 0 ? "selected for control: waits for an officer"
			  : r.over_ceiling ? "the deferred account's guarantee ceiling is reached: "
					     "duties and taxes are due before release"
					   : "duties or taxes are due before release";
	rc = mlv_buf_printf(&resp->body,
			    "{\"id\":%lld,\"state\":\"%s\",\"previous_state\":\"%s\","
			    "\"released\":%s,\"reason\":\"%s\",\"lane\":\"%s\",\"event\":%lld",
			    (long long)id, mlv_state_name(r.to), mlv_state_name(r.from),
			    released ? "true" : "false", why, r.lane, (long long)r.event_id);
	if (rc == 0 && released)
		rc = mlv_buf_printf(&resp->body,
				    ",\"release_time\":{\"from_filing_s\":%lld,\"from_arrival_s\":%lld}",
				    (long long)((r.released_at_ms - r.filed_at_ms) / 1000),
				    (long long)((r.released_at_ms - r.arrived_at_ms) / 1000));
	if (rc == 0)
		rc = mlv_buf_addc(&resp->body, '}');
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

/* ---- deferred accounts and refunds ---------------------------------------------------- */

static int write_money(mlv_buf *b, const char *key, int64_t v, int mu)
{
	char d[32];
	mlv_decimal_format(v, mu, d, sizeof(d));
	return mlv_buf_printf(b, ",\"%s\":\"%s\"", key, d);
}

static int account(mlv_server *s, mlv_resp *resp, const struct auth *a, int64_t id)
{
	mlv_account acct;
	mlv_store *st = reader_acquire(s);
	int rc = mlv_store_account_get(st, a->filer_id, id, &acct);
	reader_release(s, st);
	if (rc == MLV_ENOTFOUND) {
		mlv_http_problem(resp, 404, "not-found", NULL, "no such account of yours", NULL);
		return 0;
	}
	int mu = mlv_currency_minor_units(s->opts.rd, acct.currency);
	if (rc == 0)
		rc = mlv_buf_printf(&resp->body, "{\"id\":%lld,\"currency\":\"%s\"",
				    (long long)acct.id, acct.currency);
	if (rc == 0)
		rc = write_money(&resp->body, "guarantee_ceiling", acct.ceiling, mu);
	if (rc == 0)
		rc = write_money(&resp->body, "debits", acct.debits, mu);
	if (rc == 0)
		rc = write_money(&resp->body, "credits", acct.credits, mu);
	if (rc == 0)
		rc = write_money(&resp->body, "balance", acct.balance, mu);
	if (rc == 0)
		rc = write_money(&resp->body, "available",
				 acct.ceiling > acct.balance ? acct.ceiling - acct.balance : 0, mu);
	if (rc == 0)
		rc = mlv_buf_addc(&resp->body, '}');
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

struct stmt_ctx {
	mlv_buf *b;
	int n, mu;
};

static int statement_row(void *ctx, const mlv_account_entry *e)
{
	struct stmt_ctx *c = ctx;
	char at[32];
	ms_to_rfc3339(e->at_ms, at);
	int rc = mlv_buf_printf(c->b, "%s{\"id\":%lld,\"kind\":\"%s\",\"at\":\"%s\"",
				c->n++ ? "," : "", (long long)e->id, e->kind, at);
	if (rc == 0 && e->consignment_id)
		rc = mlv_buf_printf(c->b, ",\"consignment\":%lld", (long long)e->consignment_id);
	if (rc == 0)
		rc = write_money(c->b, "amount", e->amount, c->mu);
	if (rc == 0) {
		rc = mlv_buf_adds(c->b, ",\"note\":");
		if (rc == 0)
			rc = mlv_buf_add_json_string(c->b, e->note, strlen(e->note));
	}
	return rc ? rc : mlv_buf_addc(c->b, '}');
}

static int statement(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
		     int64_t id)
{
	const char *month = mlv_req_query(req, "month");
	int32_t day;
	char probe[11];
	if (month == NULL || strlen(month) != 7 ||
	    (snprintf(probe, sizeof(probe), "%s-01", month), !mlv_date_parse(probe, 10, &day)))
		return bad_param(resp, "month", "is required, as YYYY-MM");
	mlv_account acct;
	int64_t debits = 0, credits = 0;
	mlv_store *st = reader_acquire(s);
	int rc = mlv_store_account_get(st, a->filer_id, id, &acct);
	struct stmt_ctx c = {&resp->body, 0, mlv_currency_minor_units(s->opts.rd, acct.currency)};
	if (rc == 0)
		rc = mlv_buf_printf(&resp->body, "{\"account\":%lld,\"month\":\"%s\","
						 "\"currency\":\"%s\",\"entries\":[",
				    (long long)acct.id, month, acct.currency);
	if (rc == 0)
		rc = mlv_store_account_statement(st, acct.id, month, statement_row, &c, &debits,
						 &credits);
	reader_release(s, st);
	if (rc == MLV_ENOTFOUND) {
		mlv_http_problem(resp, 404, "not-found", NULL, "no such account of yours", NULL);
		return 0;
	}
	if (rc == 0)
		rc = mlv_buf_adds(&resp->body, "]");
	if (rc == 0)
		rc = write_money(&resp->body, "debits", debits, c.mu);
	if (rc == 0)
		rc = write_money(&resp->body, "credits", credits, c.mu);
	if (rc == 0)
		rc = write_money(&resp->body, "due", debits > credits ? debits - credits : 0, c.mu);
	if (rc == 0)
		rc = mlv_buf_addc(&resp->body, '}');
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

/* POST /v1/consignments/{id}/refund {"return_lrn": "..."}: the goods of a
 * released consignment come back within the return window. */
static int refund(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
		  int64_t id)
{
	static const char *const members[] = {"return_lrn", NULL};
	cJSON *j;
	if (!read_object(req, resp, members, &j))
		return 0;
	const cJSON *v = j ? cJSON_GetObjectItemCaseSensitive(j, "return_lrn") : NULL;
	const char *lrn = cJSON_IsString(v) ? v->valuestring : NULL;
	if (lrn == NULL || strlen(lrn) < 1 || strlen(lrn) > 35) {
		cJSON_Delete(j);
		mlv_http_problem(resp, 422, "validation", NULL,
				 "send {\"return_lrn\": \"...\"}, the LRN of the return", NULL);
		return 0;
	}
	int64_t refunded = 0;
	pthread_mutex_lock(&s->actions_lock);
	int rc = mlv_store_refund(s->actions, a->filer_id, id, lrn, (int)s->opts.return_window_days,
				  mlv_now_ms(), &refunded);
	pthread_mutex_unlock(&s->actions_lock);
	cJSON_Delete(j);
	if (rc == MLV_ENOTFOUND) {
		mlv_http_problem(resp, 404, "not-found", NULL, "no such consignment", NULL);
		return 0;
	}
	if (rc == MLV_ECONFLICT) {
		mlv_http_problem(resp, 409, "conflict", NULL,
				 "only a released consignment, within the return window, on a deferred "
				 "account, is refunded once",
				 NULL);
		return 0;
	}
	if (rc == MLV_EINVALID) {
		mlv_http_problem(resp, 422, "validation", NULL,
				 "return_lrn must be the LRN of a return you filed (declaration_type "
				 "return)",
				 NULL);
		return 0;
	}
	if (rc != 0) {
		mlv_http_problem_err(resp, rc, NULL);
		return 0;
	}
	mlv_buf_printf(&resp->body, "{\"id\":%lld,\"refunded_minor_units\":%lld}", (long long)id,
		       (long long)refunded);
	return 0;
}

/* ---- officers ---------------------------------------------------------------------- */

struct queue_ctx {
	mlv_buf *b;
	int n;
};

static int queue_row(void *ctx, const mlv_summary *r, const char *lane, int risk_score)
{
	struct queue_ctx *q = ctx;
	char updated[32];
	ms_to_rfc3339(r->updated_at_ms, updated);
	int rc = mlv_buf_printf(q->b, "%s{\"id\":%lld,\"lrn\":", q->n++ ? "," : "",
				(long long)r->id);
	if (rc == 0)
		rc = mlv_buf_add_json_string(q->b, r->lrn, strlen(r->lrn));
	if (rc == 0)
		rc = mlv_buf_printf(q->b, ",\"status\":\"%s\",\"lane\":\"%s\",\"risk_score\":%d,"
					  "\"category\":\"%s\",\"departure_country\":\"%s\","
					  "\"updated_at\":\"%s\"}",
				    r->status, lane, risk_score, mlv_category_name(r->category),
				    r->departure_country, updated);
	return rc;
}

/* GET /v1/queue: what waits for an officer, highest risk first. */
static int queue_list(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	int64_t limit = 50;
	const char *p = mlv_req_query(req, "limit");
	if (p != NULL && !parse_int(p, 1, s->opts.max_page, &limit))
		return bad_param(resp, "limit", "must be an integer from 1 to the page bound");
	struct queue_ctx q = {&resp->body, 0};
	int rc = mlv_buf_adds(&resp->body, "{\"items\":[");
	if (rc == 0) {
		mlv_store *st = reader_acquire(s);
		rc = mlv_store_queue(st, (int)limit, queue_row, &q);
		reader_release(s, st);
	}
	if (rc == 0)
		rc = mlv_buf_adds(&resp->body, "]}");
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

/* The ids of the rules that hit a consignment, from its stored risk. */
static size_t hit_rules(mlv_server *s, int64_t id, char ids[16][48])
{
	mlv_record r;
	mlv_record_init(&r);
	size_t n = 0;
	mlv_store *st = reader_acquire(s);
	int rc = mlv_store_get(st, 0, id, 0, &r);
	reader_release(s, st);
	cJSON *j = rc == 0 && r.risk_json.len ? cJSON_Parse(r.risk_json.data) : NULL;
	const cJSON *h;
	const cJSON *hits = j ? cJSON_GetObjectItem(j, "hits") : NULL;
	cJSON_ArrayForEach(h, hits) {
		const char *rule = cJSON_GetStringValue(cJSON_GetObjectItem(h, "rule"));
		bool seen = false;
		for (size_t k = 0; rule && k < n; k++)
			seen |= strcmp(ids[k], rule) == 0;
		if (rule && !seen && n < 16)
			snprintf(ids[n++], 48, "%s", rule);
	}
	cJSON_Delete(j);
	mlv_record_free(&r);
	return n;
}

/* POST /v1/consignments/{id}/actions: an officer's decision (hold,
 * inspect, release, seize, return, refer, answer), with an inspection
 * result when it closes an inspection; the result feeds the statistics of
 * the rules that selected the consignment. */
static int officer_action(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
			  int64_t id)
{
	static const char *const members[] = {"action", "reason", "result", "revenue_recovered",
					      NULL};
	cJSON *j;
	if (!read_object(req, resp, members, &j))
		return 0;
	const char *act = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "action"));
	const char *reason = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "reason"));
	const char *result = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "result"));
	const char *revenue_s =
		cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "revenue_recovered"));
	mlv_action action = 0;
	for (int i = 1; act != NULL && i < MLV_ACT_COUNT_; i++)
		if (strcmp(mlv_action_name((mlv_action)i), act) == 0)
			action = (mlv_action)i;
	int64_t revenue = 0;
	const char *bad = NULL;
	if (action == 0 || action == MLV_ACT_ASSESS || action == MLV_ACT_ARRIVE)
		bad = "action must be hold, inspect, release, seize, return, refer or answer";
	else if (reason == NULL || strlen(reason) < 3 || strlen(reason) > 500)
		bad = "reason is required (3 to 500 characters): every decision is explained";
	else if (result != NULL && strcmp(result, "nothing_found") != 0 &&
		 strcmp(result, "irregularity") != 0 && strcmp(result, "seizure") != 0)
		bad = "result must be nothing_found, irregularity or seizure";
	else if (result != NULL && action != MLV_ACT_RELEASE && action != MLV_ACT_SEIZE &&
		 action != MLV_ACT_RETURN)
		bad = "a result closes an inspection: release, seize or return";
	else if (revenue_s != NULL &&
		 mlv_decimal_parse(revenue_s, strlen(revenue_s),
				   mlv_currency_minor_units(s->opts.rd, s->opts.validate.currency), 0,
				   &revenue) != MLV_DEC_OK)
		bad = "revenue_recovered is an amount in the administration's currency";
	if (bad != NULL) {
		cJSON_Delete(j);
		mlv_http_problem(resp, 422, "validation", NULL, bad, NULL);
		return 0;
	}
	char actor[80];
	snprintf(actor, sizeof(actor), "officer:%s", a->filer);
	mlv_transition_result r;
	int64_t now = mlv_now_ms();
	pthread_mutex_lock(&s->actions_lock);
	int rc = mlv_store_transition(s->actions, 0, id, action, MLV_BY_OFFICER, actor, reason, now,
				      false, &r);
	pthread_mutex_unlock(&s->actions_lock);
	if (rc == 0 && result != NULL) {
		char ids[16][48];
		const char *ptrs[16];
		size_t n = hit_rules(s, id, ids);
		for (size_t i = 0; i < n; i++)
			ptrs[i] = ids[i];
		pthread_mutex_lock(&s->actions_lock);
		rc = mlv_store_result(s->actions, id, result, revenue, actor, reason, now, ptrs, n);
		pthread_mutex_unlock(&s->actions_lock);
	}
	cJSON_Delete(j);
	if (rc == MLV_ENOTFOUND) {
		mlv_http_problem(resp, 404, "not-found", NULL, "no such consignment", NULL);
		return 0;
	}
	if (rc == MLV_ECONFLICT || rc == MLV_EFORBIDDEN) {
		char d[128];
		snprintf(d, sizeof(d), "the consignment is %s: %s is not possible now",
			 mlv_state_name(r.from), mlv_action_name(action));
		mlv_http_problem(resp, 409, "conflict", NULL, d, NULL);
		return 0;
	}
	if (rc != 0) {
		mlv_http_problem_err(resp, rc, "the action could not be recorded");
		return 0;
	}
	mlv_buf_printf(&resp->body,
		       "{\"id\":%lld,\"state\":\"%s\",\"previous_state\":\"%s\",\"event\":%lld}",
		       (long long)id, mlv_state_name(r.to), mlv_state_name(r.from),
		       (long long)r.event_id);
	return 0;
}

/* GET /v1/rules/{id}/performance: hits, controls, findings, precision,
 * yield and a suggested weight (docs/risk-rules.md, "Feedback"). */
static int rule_performance(mlv_server *s, mlv_resp *resp, const char *rule)
{
	mlv_risk_rule_info info;
	memset(&info, 0, sizeof(info));
	bool in_profile = s->opts.validate.risk != NULL &&
			  mlv_risk_profile_find(s->opts.validate.risk, rule, &info) == 0;
	mlv_rule_counts c;
	int64_t assessed = 0;
	mlv_store *st = reader_acquire(s);
	int rc = mlv_store_rule_counts(st, rule, &c);
	if (rc == 0)
		rc = mlv_store_count(st, &assessed);
	reader_release(s, st);
	/* A profile rule, or a goods-list entry that has hit (no weight). */
	if (rc == 0 && !in_profile && c.hits == 0 && c.controls == 0) {
		mlv_http_problem(resp, 404, "not-found", NULL,
				 "no such rule in the profile, nor a goods-list entry that hit", NULL);
		return 0;
	}
	mlv_risk_rule_stats stats = {c.hits, c.controls, c.findings, c.seizures, c.revenue};
	mlv_risk_perf_opts po = MLV_RISK_PERF_OPTS_INIT;
	po.assessed = (uint64_t)assessed;
	mlv_risk_perf perf;
	if (rc == 0)
		rc = mlv_risk_stats_perf(&perf, &stats, info.weight, &po);
	if (rc == 0)
		rc = mlv_risk_perf_write_json(&resp->body, rule, info.version, &stats, &perf);
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

/* ---- the public quote ------------------------------------------------------------- */

static int quote(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	char addr[64];
	mlv_req_client_addr(req, addr, sizeof(addr));
	int wait = mlv_auth_rate_public(s->auth, addr, mlv_now_ms());
	if (wait > 0) {
		too_many(resp, wait, "too many quotes from this address; retry after the delay");
		return 0;
	}
	if (s->opts.profiles == NULL) {
		mlv_http_problem(resp, 404, "not-found", NULL, "this instance gives no quotes", NULL);
		return 0;
	}
	if (!content_type_ok(req, false)) {
		mlv_http_problem(resp, 415, "media-type", NULL, "send the basket as application/json",
				 NULL);
		return 0;
	}
	return mlv_quote(s->opts.profiles, s->opts.rd, req->body.data ? req->body.data : "",
			 req->body.len, mlv_now_ms() / 1000, resp);
}

/* ---- routing ---------------------------------------------------------------------- */

enum route_id {
	R_HEALTH,
	R_METRICS,
	R_RELEASE_TIMES,
	R_CONSIGNMENTS,
	R_BATCH,
	R_CONSIGNMENT,
	R_VERSION,
	R_EVENTS,
	R_AUDIT_STH,
	R_AUDIT_KEY,
	R_AUDIT_INCLUSION,
	R_AUDIT_CONSISTENCY,
	R_QUOTE,
	R_ARRIVAL,
	R_REFUND,
	R_ACCOUNT,
	R_STATEMENT,
	R_QUEUE,
	R_OFFICER_GET,
	R_ACTIONS,
	R_RULE_PERF,
};

struct route {
	enum route_id id;
	const char *pattern; /* '{}' matches a positive integer segment, '{s}' a name */
	const char *allow;   /* methods */
	bool auth;
	const char *role;    /* with auth: the role the key must have */
};

static const struct route routes[] = {
	{R_HEALTH, "/healthz", "GET", false, NULL},
	{R_METRICS, "/metrics", "GET", false, NULL},
	{R_CONSIGNMENTS, "/v1/consignments", "GET, POST", true, "filer"},
	{R_BATCH, "/v1/consignments:batch", "POST", true, "filer"},
	{R_CONSIGNMENT, "/v1/consignments/{}", "GET", true, "filer"},
	{R_VERSION, "/v1/consignments/{}/versions/{}", "GET", true, "filer"},
	{R_EVENTS, "/v1/consignments/{}/events", "GET", true, "filer"},
	{R_AUDIT_STH, "/v1/audit/sth", "GET", false, NULL},
	{R_AUDIT_KEY, "/v1/audit/public-key", "GET", false, NULL},
	{R_AUDIT_INCLUSION, "/v1/audit/proof/inclusion", "GET", true, "filer"},
	{R_AUDIT_CONSISTENCY, "/v1/audit/proof/consistency", "GET", false, NULL},
	{R_QUOTE, "/v1/quote", "POST", false, NULL},
	{R_ARRIVAL, "/v1/consignments/{}/arrival", "POST", true, "filer"},
	{R_REFUND, "/v1/consignments/{}/refund", "POST", true, "filer"},
	{R_ACCOUNT, "/v1/accounts/{}", "GET", true, "filer"},
	{R_STATEMENT, "/v1/accounts/{}/statement", "GET", true, "filer"},
	{R_QUEUE, "/v1/queue", "GET", true, "officer"},
	{R_OFFICER_GET, "/v1/officer/consignments/{}", "GET", true, "officer"},
	{R_ACTIONS, "/v1/consignments/{}/actions", "POST", true, "officer"},
	{R_RULE_PERF, "/v1/rules/{s}/performance", "GET", true, "officer"},
	{R_RELEASE_TIMES, "/v1/stats/release-times", "GET", true, "officer"},
};

/* Matches path against pattern; integers of the {} segments go to args,
 * the {s} segment (letters, digits, - _ .) to name. */
static bool match(const char *pattern, const char *path, int64_t args[2], char name[48])
{
	int k = 0;
	while (*pattern && *path) {
		if (strncmp(pattern, "{s}", 3) == 0) {
			size_t n = 0;
			while (path[n] && path[n] != '/' && n < 47 &&
			       (isalnum((unsigned char)path[n]) || path[n] == '-' || path[n] == '_' ||
				path[n] == '.'))
				n++;
			if (n == 0 || (path[n] != '/' && path[n] != '\0'))
				return false;
			memcpy(name, path, n);
			name[n] = '\0';
			path += n;
			pattern += 3;
			continue;
		}
		if (pattern[0] == '{' && pattern[1] == '}') {
			char *end;
			if (*path < '1' || *path > '9')
				return false;
			long long v = strtoll(path, &end, 10);
			if (v <= 0 || (*end != '/' && *end != '\0') || k >= 2)
				return false;
			args[k++] = v;
			path = end;
			pattern += 2;
			continue;
		}
		if (*pattern != *path)
			return false;
		pattern++;
		path++;
	}
	return *pattern == '\0' && *path == '\0';
}

static bool method_allowed(const char *allow, const char *method)
{
	size_t n = strlen(method);
	for (const char *p = allow; (p = strstr(p, method)) != NULL; p += n)
		if ((p == allow || p[-1] == ' ') && (p[n] == '\0' || p[n] == ','))
			return true;
	return false;
}

static void access_log(mlv_req *req, int status)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int64_t us = ((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec - req->started_ns) / 1000;
	fprintf(stderr, "level=info msg=request method=%s path=%s status=%d duration_us=%lld\n",
		req->method, req->path, status, (long long)us);
}

/* GET /metrics: the Prometheus text format (version 0.0.4), for
 * operations.  Counts and latencies only: no personal data. */
static int metrics(mlv_server *s, mlv_resp *resp)
{
	const char *names[MLV_ARRAY_LEN(routes)];
	for (size_t i = 0; i < MLV_ARRAY_LEN(routes); i++)
		names[i] = routes[i].pattern;
	mlv_writer_stats ws;
	mlv_writer_get_stats(s->writer, &ws);
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	int rc = mlv_metrics_write(s->metrics, names, &resp->body);
	if (rc == 0)
		rc = mlv_buf_printf(
			&resp->body,
			"# HELP mlv_filings_stored_total Filings stored by the writer thread.\n"
			"# TYPE mlv_filings_stored_total counter\nmlv_filings_stored_total %llu\n"
			"# HELP mlv_writer_batches_total Group commits (one fsync each).\n"
			"# TYPE mlv_writer_batches_total counter\nmlv_writer_batches_total %llu\n"
			"# HELP mlv_writer_failures_total Writer transactions that failed.\n"
			"# TYPE mlv_writer_failures_total counter\nmlv_writer_failures_total %llu\n"
			"# HELP mlv_writer_queued_jobs Jobs waiting for the writer thread.\n"
			"# TYPE mlv_writer_queued_jobs gauge\nmlv_writer_queued_jobs %zu\n"
			"# HELP mlv_uptime_seconds Seconds since the server started.\n"
			"# TYPE mlv_uptime_seconds gauge\nmlv_uptime_seconds %lld\n",
			(unsigned long long)ws.filings, (unsigned long long)ws.batches,
			(unsigned long long)ws.failures, ws.queued,
			(long long)((mlv_now_ms() - s->started_ms) / 1000));
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

static int handle(mlv_req *req, mlv_resp *resp)
{
	mlv_server *s = req->app;
	resp->content_type = "application/json";
	int64_t args[2] = {0, 0};
	char name[48] = "";
	const struct route *r = NULL;
	for (size_t i = 0; i < MLV_ARRAY_LEN(routes); i++) {
		if (match(routes[i].pattern, req->path, args, name)) {
			r = &routes[i];
			req->route = (int)i;
			break;
		}
	}
	int rc = 0;
	struct auth a;
	memset(&a, 0, sizeof(a));
	bool head = strcmp(req->method, "HEAD") == 0;
	if (r == NULL) {
		mlv_http_problem(resp, 404, "not-found", NULL, "no such resource", NULL);
		goto done;
	}
	if (!method_allowed(r->allow, head ? "GET" : req->method)) {
		resp->extra_name = "Allow";
		resp->extra_value = r->allow;
		mlv_http_problem(resp, 405, "method", NULL, "this resource does not take that method", NULL);
		goto done;
	}
	if (r->auth && !authenticate(s, req, resp, &a))
		goto done;
	if (r->auth && r->role != NULL && strcmp(a.role, r->role) != 0) {
		mlv_http_problem(resp, 403, "forbidden", NULL,
				 strcmp(r->role, "officer") == 0 ? "this resource is for customs officers"
								 : "this resource is for filers",
				 NULL);
		goto done;
	}
	bool post = strcmp(req->method, "POST") == 0;
	switch (r->id) {
	case R_HEALTH:
		rc = healthz(s, resp);
		break;
	case R_METRICS:
		rc = metrics(s, resp);
		break;
	case R_RELEASE_TIMES:
		rc = release_times(s, req, resp);
		break;
	case R_CONSIGNMENTS:
		rc = post ? post_consignment(s, req, resp, &a) : list_consignments(s, req, resp, &a);
		break;
	case R_BATCH:
		rc = post_batch(s, req, resp, &a);
		break;
	case R_CONSIGNMENT:
		rc = get_consignment(s, req, resp, &a, args[0], 0);
		break;
	case R_VERSION:
		if (args[1] > 1000000)
			mlv_http_problem(resp, 404, "not-found", NULL, "no such version", NULL);
		else
			rc = get_consignment(s, req, resp, &a, args[0], (int)args[1]);
		break;
	case R_EVENTS:
		rc = get_events(s, resp, &a, args[0]);
		break;
	case R_AUDIT_STH:
		rc = audit_sth(s, resp);
		break;
	case R_AUDIT_KEY:
		rc = audit_public_key(s, resp);
		break;
	case R_AUDIT_INCLUSION:
		rc = audit_inclusion(s, req, resp, &a);
		break;
	case R_AUDIT_CONSISTENCY:
		rc = audit_consistency(s, req, resp);
		break;
	case R_QUOTE:
		rc = quote(s, req, resp);
		break;
	case R_ARRIVAL:
		rc = arrival(s, req, resp, &a, args[0]);
		break;
	case R_REFUND:
		rc = refund(s, req, resp, &a, args[0]);
		break;
	case R_ACCOUNT:
		rc = account(s, resp, &a, args[0]);
		break;
	case R_STATEMENT:
		rc = statement(s, req, resp, &a, args[0]);
		break;
	case R_QUEUE:
		rc = queue_list(s, req, resp);
		break;
	case R_OFFICER_GET: {
		struct auth any = a;
		any.filer_id = 0; /* officers read every consignment */
		rc = get_consignment(s, req, resp, &any, args[0], 0);
		break;
	}
	case R_ACTIONS:
		rc = officer_action(s, req, resp, &a, args[0]);
		break;
	case R_RULE_PERF:
		rc = rule_performance(s, resp, name);
		break;
	}
done:
	if (s->opts.access_log && rc != MLV_HTTP_ASYNC)
		access_log(req, resp->status);
	return rc;
}

/* The split check's history, from a read connection of the pool. */
static int recent_by_buyer(void *ctx, const char *buyer_key, int64_t since_ms, int64_t filer_id,
			   const char *lrn, int64_t *values, int64_t *times, size_t max, size_t *n)
{
	mlv_server *s = ctx;
	mlv_store *st = reader_acquire(s);
	int rc = mlv_store_recent_by_buyer(st, buyer_key, since_ms, filer_id, lrn, values, times,
					   max, n);
	reader_release(s, st);
	return rc;
}

/* ---- start and stop -------------------------------------------------------------- */

int mlv_server_start(mlv_server **out, const mlv_server_opts *opts, char *err, size_t errlen)
{
	mlv_server *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return MLV_ENOMEM;
	s->opts = *opts;
	s->started_ms = mlv_now_ms();
	if (s->opts.validate.risk != NULL && s->opts.validate.recent == NULL) {
		s->opts.validate.recent = recent_by_buyer;
		s->opts.validate.recent_ctx = s;
	}
	pthread_mutex_init(&s->pool_lock, NULL);
	pthread_mutex_init(&s->filings_lock, NULL);
	pthread_mutex_init(&s->actions_lock, NULL);
	if (mlv_auth_new(&s->auth, 30) != 0 ||
	    mlv_metrics_new(&s->metrics, MLV_ARRAY_LEN(routes)) != 0) {
		mlv_auth_free(s->auth);
		free(s);
		return MLV_ENOMEM;
	}
	mlv_auth_set_limits(s->auth, opts->rate_per_key, opts->auth_max_failures,
			    opts->auth_window_s, opts->public_rate);
	pthread_cond_init(&s->pool_cond, NULL);
	unsigned threads = opts->threads;
	if (threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 ? (unsigned)n : 2;
	}
	if (threads > READERS_MAX)
		threads = READERS_MAX;

	mlv_store_opts so = MLV_STORE_OPTS_INIT;
	so.path = opts->db_path;
	so.synchronous_full = opts->synchronous_full;
	mlv_store *wst = NULL;
	int rc = mlv_store_open(&wst, &so, err, errlen);
	if (rc != 0)
		goto fail;
	rc = mlv_writer_start(&s->writer, wst, opts->writer_batch, opts->writer_queue,
			      opts->audit_sk, opts->sth_interval_ms);
	if (rc != 0) {
		mlv_store_close(wst);
		snprintf(err, errlen, "cannot start the writer thread");
		goto fail;
	}
	so.read_only = true;
	s->nreaders = threads + 1;
	for (size_t i = 0; i < s->nreaders; i++) {
		if ((rc = mlv_store_open(&s->readers[i], &so, err, errlen)) != 0)
			goto fail;
		s->free_readers[s->free_top++] = s->readers[i];
	}
	so.read_only = false;
	if ((rc = mlv_store_open(&s->actions, &so, err, errlen)) != 0)
		goto fail;
	mlv_http_opts ho = {
		.address = opts->address,
		.port = opts->port,
		.threads = threads,
		.max_body = opts->max_body,
		.max_batch_body = opts->max_batch_body,
		.timeout_s = opts->timeout_s,
		.max_connections = opts->max_connections,
		.handler = handle,
		.app = s,
		.done = on_done,
	};
	if ((rc = mlv_http_start(&s->http, &ho, err, errlen)) != 0)
		goto fail;
	*out = s;
	return 0;
fail:
	mlv_server_stop(s);
	return rc;
}

unsigned mlv_server_port(const mlv_server *s)
{
	return mlv_http_port(s->http);
}

void mlv_server_stop(mlv_server *s)
{
	if (s == NULL)
		return;
	/* The writer drains first, resuming every suspended request, so the
	 * daemon can then stop with no connection left suspended. */
	mlv_writer_stop(s->writer);
	mlv_http_stop(s->http);
	for (size_t i = 0; i < s->nreaders; i++)
		mlv_store_close(s->readers[i]);
	mlv_store_close(s->actions);
	pthread_mutex_destroy(&s->actions_lock);
	pthread_mutex_destroy(&s->pool_lock);
	pthread_cond_destroy(&s->pool_cond);
	for (size_t i = 0; i < s->nspare; i++)
		mlv_filing_free(s->spare[i]);
	pthread_mutex_destroy(&s->filings_lock);
	mlv_auth_free(s->auth);
	mlv_metrics_free(s->metrics);
	free(s);
}
