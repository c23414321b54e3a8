/* api_consignments.c - filing, amending and reading consignments:
 * POST /v1/consignments (and :batch), GET one, a version, the list and
 * the events.  Filings are prepared here and stored by the writer thread. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_impl.h"
#include "mlv/codec.h"
#include "mlv/decimal.h"
#include "mlv/risk.h"
#include "mlv/stats.h"
#include "problem.h"

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
		api_filing_put(fj->server, fj->filings[i]);
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
	rc = api_write_view(&resp->body, f->id, f->c.lrn, f->version,
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

int api_post_consignment(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a)
{
	if (!api_content_type_ok(req, false)) {
		mlv_http_problem(resp, 415, "media-type", NULL, "send the consignment as application/json",
			    NULL);
		return 0;
	}
	struct filing_job *fj = mlv_arena_alloc(req->arena, sizeof(*fj));
	mlv_filing **slot = mlv_arena_alloc(req->arena, sizeof(*slot));
	mlv_filing *f = api_filing_get(s);
	if (fj == NULL || slot == NULL || f == NULL) {
		api_filing_put(s, f);
		mlv_http_problem_err(resp, MLV_ENOMEM, NULL);
		return 0;
	}
	f->filer_id = a->filer_id;
	/* the rules in force now, and the registry's snapshot (the filer's AEO
	 * status, the parties), for this filing */
	mlv_risk_snapshot snap;
	mlv_validate_opts vo;
	api_risk_begin(s, &snap, &vo);
	mlv_operators *ops = api_operators(s);
	vo.operators = ops;
	int rc = mlv_filing_prepare(f, req->body.data ? req->body.data : "", req->body.len,
				    s->opts.rd, &vo);
	mlv_operators_release(ops);
	api_risk_end(s, &snap);
	if (rc != 0 || !f->ok) {
		if (rc != 0)
			mlv_http_problem_err(resp, rc, NULL);
		else if (f->prepare_rc == MLV_EINVALID)
			mlv_http_problem(resp, 400, "malformed", "Malformed JSON",
				    "the body is not a JSON object within the limits", &f->problems);
		else
			mlv_http_problem(resp, 422, "validation", "Validation failed",
				    "the consignment breaks the rules listed in 'errors'", &f->problems);
		api_filing_put(s, f);
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
		api_filing_put(bt->fj.server ? bt->fj.server : req->app, bt->all[i]);
	bt->count = 0;
}

int api_post_batch(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a)
{
	if (!api_content_type_ok(req, true)) {
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
	mlv_risk_snapshot snap;
	mlv_validate_opts vo;
	api_risk_begin(s, &snap, &vo); /* one version of the rules for the whole batch */
	mlv_operators *ops = api_operators(s);
	vo.operators = ops;
	while (p < end && rc == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		lineno++;
		const char *t = p;
		while (t < le && isspace((unsigned char)*t))
			t++;
		if (t < le) {
			mlv_filing *f = api_filing_get(s);
			if (f == NULL) {
				rc = MLV_ENOMEM;
				break;
			}
			f->filer_id = a->filer_id;
			rc = mlv_filing_prepare(f, p, (size_t)(le - p), s->opts.rd, &vo);
			all[nall] = f;
			nums[nall++] = lineno;
			if (f->ok)
				ok[nok++] = f;
		}
		p = nl ? nl + 1 : end;
	}
	mlv_operators_release(ops);
	api_risk_end(s, &snap);
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

int api_get_consignment(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
			   int64_t id, int version)
{
	mlv_record r;
	mlv_record_init(&r);
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_get(st, a->filer_id, id, version, &r);
	api_reader_release(s, st);
	int64_t owner = 0;
	if (rc == MLV_ENOTFOUND && a->filer_id > 0 && api_party_owner(s, a, id, &owner)) {
		/* a party to it (registered operator named in it): read, as its filer */
		st = api_reader_acquire(s);
		rc = mlv_store_get(st, owner, id, version, &r);
		api_reader_release(s, st);
	}
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
		rc = api_write_view(&resp->body, r.id, r.lrn, r.version, r.status, NULL, r.filed_at_ms,
				r.updated_at_ms, r.quality_json.data ? r.quality_json.data : "{}",
				r.assessment_json.data, r.risk_json.data, canon.data, canon.len);
	if (rc == 0 && version == 0)
		rc = api_write_lifecycle(&resp->body, &r);
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
	api_ms_to_rfc3339(r->filed_at_ms, filed);
	api_ms_to_rfc3339(r->updated_at_ms, updated);
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

int api_list_consignments(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a)
{
	mlv_list_query q;
	memset(&q, 0, sizeof(q));
	q.filer_id = a->filer_id;
	int64_t v;
	const char *p;
	q.limit = 50;
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
	if ((p = mlv_req_query(req, "status")) != NULL) {
		if (mlv_state_from_name(p) == 0)
			return api_bad_param(resp, "status", "is not a state (docs/lifecycle.md)");
		q.status = p;
	}
	if (!api_query_enum(req, resp, "category", &q.category) ||
	    !api_query_enum(req, resp, "channel", &q.channel) ||
	    !api_query_country(s, req, resp, "departure_country", &q.departure_country))
		return 0;
	if ((p = mlv_req_query(req, "party")) != NULL) {
		if (strcmp(p, "true") != 0 && strcmp(p, "false") != 0)
			return api_bad_param(resp, "party", "must be true or false");
		/* true: the consignments that name the caller's operator as a party */
		if (strcmp(p, "true") == 0)
			q.party_operator_id = a->filer_id > 0 ? api_operator_of(s, a) : 0;
		if (strcmp(p, "true") == 0 && q.party_operator_id == 0)
			q.party_operator_id = -1;
	}
	if ((p = mlv_req_query(req, "lrn")) != NULL) {
		if (strlen(p) > 35)
			return api_bad_param(resp, "lrn", "is longer than 35 characters");
		q.lrn = p;
	}
	int64_t t;
	if ((p = mlv_req_query(req, "filed_from")) != NULL) {
		if (!mlv_datetime_parse(p, strlen(p), &t))
			return api_bad_param(resp, "filed_from", "must be an RFC 3339 date-time");
		q.filed_from_ms = t * 1000;
	}
	if ((p = mlv_req_query(req, "filed_to")) != NULL) {
		if (!mlv_datetime_parse(p, strlen(p), &t))
			return api_bad_param(resp, "filed_to", "must be an RFC 3339 date-time");
		q.filed_to_ms = t * 1000;
	}
	struct list_ctx lc = {&resp->body, 0};
	int64_t next = 0;
	int rc = mlv_buf_adds(&resp->body, "{\"items\":[");
	if (rc == 0 && q.party_operator_id >= 0) { /* -1: acts for no operator, an empty list */
		mlv_store *st = api_reader_acquire(s);
		rc = mlv_store_list(st, &q, list_row, &lc, &next);
		api_reader_release(s, st);
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
	return api_write_event(ec->b, ev, ec->n++ == 0);
}

int api_get_events(mlv_server *s, mlv_resp *resp, const struct auth *a, int64_t id)
{
	struct events_ctx ec = {&resp->body, 0};
	int rc = mlv_buf_adds(&resp->body, "{\"events\":[");
	if (rc == 0) {
		mlv_store *st = api_reader_acquire(s);
		rc = mlv_store_events(st, a->filer_id, id, event_row, &ec);
		api_reader_release(s, st);
	}
	int64_t owner = 0;
	if (rc == 0 && ec.n == 0 && a->filer_id > 0 && api_party_owner(s, a, id, &owner)) {
		mlv_store *st = api_reader_acquire(s);
		rc = mlv_store_events(st, owner, id, event_row, &ec);
		api_reader_release(s, st);
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
