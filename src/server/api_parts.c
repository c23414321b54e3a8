/* api_parts.c - multi-party filing over the API (docs/multi-party.md).
 *
 *   POST /v1/parts       a filer sends its part of a consignment: its role,
 *                        the link (tracking number or house document) and
 *                        the elements it knows
 *   GET  /v1/parts       the filer's own parts
 *   GET  /v1/parts/{id}  one of them, with the decision on the consignment
 *                        it is part of, and what is still missing
 *
 * Each part is checked as strictly as a filing, nothing being required
 * of it; the parts of the link are merged (merge.h) and the merged view
 * alone is checked for required elements, so a filer is never asked for
 * what another party gave.  Once complete, the merged consignment is
 * assessed (duties, risk with the parties' contradictions as criteria)
 * and filed under the lead's filer and LRN.  A filer reads its own parts
 * and the decisions; the data of the other parties is never shown to it. */
#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_impl.h"
#include "mlv/codec.h"
#include "mlv/merge.h"
#include "problem.h"

void api_prefix_problems(const mlv_problems *in, const char *prefix, mlv_problems *out)
{
	for (size_t i = 0; i < in->count; i++) {
		char ptr[MLV_POINTER_MAX];
		snprintf(ptr, sizeof(ptr), "%s%s", prefix, in->items[i].pointer);
		mlv_problems_add(out, in->items[i].severity, ptr, in->items[i].code, "%s",
				 in->items[i].message);
	}
}

static bool link_ok(const char *v)
{
	size_t n = strlen(v);
	if (n == 0 || n > 35)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = v[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.' || c == '/' || c == ':'))
			return false;
	}
	return true;
}

/* ---- the merge of a link's parts ------------------------------------------------------- */

#define PARTS_MAX (MLV_ROLE_COUNT_ - 1)

struct loaded {
	mlv_arena *arena;
	const mlv_refdata *rd;
	mlv_consignment c[PARTS_MAX];
	mlv_party_role role[PARTS_MAX];
	int64_t filer[PARTS_MAX];
	int64_t part_id[PARTS_MAX];
	unsigned char digest[PARTS_MAX][32];
	int version[PARTS_MAX];
	size_t n;
	int rc;
};

/* Each stored part, decoded again (parts are small and few). */
static int load_part(void *ctx, const mlv_part *p)
{
	struct loaded *l = ctx;
	if (l->n >= PARTS_MAX)
		return MLV_ETOOBIG;
	mlv_problems probs;
	mlv_problems_init(&probs);
	size_t i = l->n;
	int rc = mlv_consignment_decode_part(&l->c[i], p->data.data, p->data.len, l->arena, l->rd,
					     &probs);
	/* A part stored under other reference data that no longer decodes
	 * still takes part, with what could be read of it. */
	mlv_problems_clear(&probs);
	if (rc != 0 && rc != MLV_EINVALID)
		return rc;
	l->role[i] = mlv_party_role_from_name(p->role);
	l->filer[i] = p->filer_id;
	l->part_id[i] = p->id;
	l->version[i] = p->version;
	memcpy(l->digest[i], p->digest, 32);
	l->n++;
	return 0;
}

struct answer_info {
	int64_t part_id;
	int version;
	mlv_outcome outcome;
	bool complete, lead;
	int64_t consignment_id;
	char status[24], lane[8], lrn[36];
};

/* The part's answer: the part, the consignment (all of it for the lead,
 * its state for the others), what is missing and what this filer is asked. */
static int write_answer(mlv_buf *b, const struct answer_info *ai, const char *role,
			const char *kind, const char *link, const mlv_merge_result *res,
			const char *problems_json)
{
	int rc = mlv_buf_printf(b, "{\"part\":{\"id\":%lld,\"role\":\"%s\",\"link\":{\"%s\":",
				(long long)ai->part_id, role, kind);
	if (rc == 0)
		rc = mlv_buf_add_json_string(b, link, strlen(link));
	if (rc == 0)
		rc = mlv_buf_printf(b, "},\"version\":%d,\"outcome\":\"%s\","
				       "\"links\":{\"self\":\"/v1/parts/%lld\"}},\"complete\":%s,"
				       "\"consignment\":",
				    ai->version, mlv_outcome_name(ai->outcome), (long long)ai->part_id,
				    ai->complete ? "true" : "false");
	if (rc == 0 && ai->consignment_id == 0)
		rc = mlv_buf_adds(b, "null");
	else if (rc == 0) {
		rc = mlv_buf_printf(b, "{\"id\":%lld,\"status\":\"%s\",\"lead\":%s",
				    (long long)ai->consignment_id, ai->status,
				    ai->lead ? "true" : "false");
		if (rc == 0 && ai->lead) {
			rc = mlv_buf_adds(b, ",\"lrn\":");
			if (rc == 0)
				rc = mlv_buf_add_json_string(b, ai->lrn, strlen(ai->lrn));
			if (rc == 0 && ai->lane[0])
				rc = mlv_buf_printf(b, ",\"lane\":\"%s\"", ai->lane);
			if (rc == 0)
				rc = mlv_buf_printf(b, ",\"links\":{\"self\":\"/v1/consignments/%lld\"}",
						    (long long)ai->consignment_id);
		}
		if (rc == 0)
			rc = mlv_buf_addc(b, '}');
	}
	if (rc == 0 && res != NULL) {
		rc = mlv_buf_adds(b, ",\"missing\":");
		if (rc == 0)
			rc = mlv_merge_missing_json(b, res);
		if (rc == 0)
			rc = mlv_buf_adds(b, ",\"asked_of_you\":[");
		mlv_party_role r = mlv_party_role_from_name(role);
		bool first = true;
		for (size_t i = 0; rc == 0 && i < res->nmissing; i++) {
			if (!mlv_merge_asks(&res->missing[i], r))
				continue;
			if (!first)
				rc = mlv_buf_addc(b, ',');
			first = false;
			if (rc == 0)
				rc = mlv_buf_add_json_string(b, res->missing[i].pointer,
							     strlen(res->missing[i].pointer));
		}
		if (rc == 0)
			rc = mlv_buf_addc(b, ']');
	}
	/* What else keeps the merged view from being filed: the lead's to fix
	 * (its messages may quote other parties' values). */
	if (rc == 0 && problems_json != NULL && ai->lead)
		rc = mlv_buf_printf(b, ",\"problems\":%s", problems_json);
	return rc ? rc : mlv_buf_addc(b, '}');
}

/* ---- POST /v1/parts --------------------------------------------------------------------- */

struct post_state {
	mlv_server *s;
	const struct auth *a;
	const char *role_name, *kind, *link;
	mlv_party_role role;
	const char *data;     /* canonical JSON of the new part */
	unsigned char digest[32];
	mlv_consignment part; /* the new part, decoded */
};

/* Under the actions lock: loads the link, merges, prepares, stores, and
 * writes the answer. */
static int merge_and_store(struct post_state *ps, mlv_resp *resp)
{
	mlv_server *s = ps->s;
	struct loaded l;
	memset(&l, 0, sizeof(l));
	l.arena = mlv_arena_new(1 << 16);
	l.rd = s->opts.rd;
	mlv_buf text = MLV_BUF_INIT((size_t)8 << 20), missing = MLV_BUF_INIT(1 << 20);
	mlv_buf report = MLV_BUF_INIT(1 << 20), mism = MLV_BUF_INIT(1 << 16);
	mlv_buf problems = MLV_BUF_INIT(1 << 20);
	mlv_filing *f = NULL;
	mlv_merge_result *res = calloc(1, sizeof(*res));
	int64_t cid = 0, owner = 0;
	char lrn[36];
	int rc = l.arena == NULL || res == NULL ? MLV_ENOMEM : 0;
	if (rc == 0)
		rc = mlv_store_link_parts(s->actions, ps->kind, ps->link, load_part, &l, &cid, &owner,
					  lrn);
	if (rc != 0)
		goto cleanup;
	/* The caller's role: its own part is replaced, another filer's is not
	 * the caller's to change. */
	size_t mine = l.n;
	for (size_t i = 0; i < l.n; i++)
		if (l.role[i] == ps->role)
			mine = i;
	if (mine < l.n && l.filer[mine] != ps->a->filer_id) {
		mlv_http_problem(resp, 409, "conflict", NULL,
				 "another filer has sent the part of this role for this link", NULL);
		goto cleanup;
	}
	struct answer_info ai = {.consignment_id = cid, .lead = cid && owner == ps->a->filer_id};
	snprintf(ai.lrn, sizeof(ai.lrn), "%s", lrn);
	if (mine < l.n && memcmp(l.digest[mine], ps->digest, 32) == 0) {
		/* The same part again: nothing changes. */
		mlv_part p;
		mlv_part_init(&p);
		rc = mlv_store_part_get(s->actions, ps->a->filer_id, l.part_id[mine], &p);
		if (rc == 0) {
			ai.part_id = p.id;
			ai.version = p.version;
			ai.outcome = MLV_OUTCOME_UNCHANGED;
			ai.complete = cid != 0;
			snprintf(ai.status, sizeof(ai.status), "%s", p.status);
			rc = mlv_buf_add(&missing, p.missing.data, p.missing.len);
		}
		mlv_part_free(&p);
		if (rc == 0)
			rc = write_answer(&resp->body, &ai, ps->role_name, ps->kind, ps->link, NULL, NULL);
		if (rc == 0)
			resp->status = 200;
		goto cleanup;
	}
	if (mine == l.n)
		l.n++;
	l.c[mine] = ps->part;
	l.role[mine] = ps->role;
	l.filer[mine] = ps->a->filer_id;
	mlv_merge_part parts[PARTS_MAX];
	for (size_t i = 0; i < l.n; i++)
		parts[i] = (mlv_merge_part){l.role[i], &l.c[i]};
	mlv_consignment merged;
	int64_t now = mlv_now_ms();
	if ((rc = mlv_merge(&merged, res, parts, l.n, s->opts.rd, (int32_t)(now / 86400000))) != 0)
		goto cleanup;
	/* Every part shares the link: the merged view has it. */
	merged.transport.present = true;
	if (strcmp(ps->kind, "tracking_number") == 0)
		merged.transport.tracking_number = ps->link;
	else
		merged.transport.house_document = ps->link;
	/* Once filed, the consignment keeps its owner and LRN. */
	int64_t lead = cid ? owner : res->lead >= 0 ? l.filer[res->lead] : 0;
	if (cid != 0)
		merged.lrn = lrn;
	res->nmissing = res->missing_dropped = 0;
	mlv_merge_find_missing(&merged, res);
	if ((rc = mlv_consignment_encode(&merged, s->opts.rd, &text)) != 0 ||
	    (rc = mlv_merge_missing_json(&missing, res)) != 0 ||
	    (rc = mlv_merge_report_json(&report, res, parts, l.n)) != 0 ||
	    (rc = mlv_merge_mismatch_json(&mism, res)) != 0)
		goto cleanup;
	bool complete = false;
	if (res->nmissing == 0 && lead != 0) {
		if ((f = api_filing_get(s)) == NULL) {
			rc = MLV_ENOMEM;
			goto cleanup;
		}
		f->filer_id = lead;
		f->received_ms = now;
		f->mismatch = res->mismatch.mask;
		f->mismatch_json = mism.len ? mism.data : NULL;
		if ((rc = mlv_filing_prepare(f, text.data, text.len, s->opts.rd,
					     &s->opts.validate)) != 0)
			goto cleanup;
		complete = f->ok;
		if (!complete)
			rc = mlv_problems_to_json(&f->problems, &problems);
	}
	if (rc == 0 && problems.len == 0)
		rc = mlv_buf_adds(&problems, "[]");
	if (rc != 0)
		goto cleanup;
	mlv_part_put put = {.filer_id = ps->a->filer_id, .role = ps->role_name,
			    .link_kind = ps->kind, .link = ps->link, .data = ps->data,
			    .digest = ps->digest, .at_ms = now, .merged = complete ? f : NULL,
			    .missing_json = missing.data, .problems_json = problems.data,
			    .report_json = report.data};
	mlv_part_outcome out;
	rc = mlv_store_part_put(s->actions, &put, &out);
	if (rc == MLV_ECONFLICT) {
		char d[160];
		mlv_state st = mlv_state_from_name(out.conflict);
		if (strcmp(out.conflict, "role_taken") == 0)
			snprintf(d, sizeof(d), "another filer has sent the part of this role for this link");
		else if (strcmp(out.conflict, "lrn_taken") == 0)
			snprintf(d, sizeof(d), "the lead's LRN names another consignment of its filer");
		else
			snprintf(d, sizeof(d), "the consignment is %s: its data can no longer change",
				 out.conflict);
		if (st != 0)
			api_conflict(resp, st, d);
		else
			mlv_http_problem(resp, 409, "conflict", NULL, d, NULL);
		rc = 0;
		goto cleanup;
	}
	if (rc != 0)
		goto cleanup;
	api_notified(s);
	ai.part_id = out.part_id;
	ai.version = out.version;
	ai.outcome = out.outcome;
	/* The consignment as it now stands (this part may have completed it,
	 * amended it, or left it as it was). */
	mlv_part now_part;
	mlv_part_init(&now_part);
	rc = mlv_store_part_get(s->actions, ps->a->filer_id, out.part_id, &now_part);
	ai.consignment_id = now_part.consignment_id;
	ai.complete = now_part.consignment_id != 0;
	ai.lead = now_part.lead;
	snprintf(ai.status, sizeof(ai.status), "%s", now_part.status);
	mlv_part_free(&now_part);
	if (rc != 0)
		goto cleanup;
	if (complete) {
		snprintf(ai.lane, sizeof(ai.lane), "%s", f->lane);
		snprintf(ai.lrn, sizeof(ai.lrn), "%s", f->c.lrn);
	}
	rc = write_answer(&resp->body, &ai, ps->role_name, ps->kind, ps->link, res, problems.data);
	if (rc == 0) {
		resp->status = out.outcome == MLV_OUTCOME_CREATED ? 201 : 200;
		snprintf(resp->location, sizeof(resp->location), "/v1/parts/%lld",
			 (long long)out.part_id);
	}
cleanup:
	if (rc != 0)
		mlv_http_problem_err(resp, rc, "the part could not be recorded");
	api_filing_put(s, f);
	free(res);
	mlv_buf_free(&text);
	mlv_buf_free(&missing);
	mlv_buf_free(&report);
	mlv_buf_free(&mism);
	mlv_buf_free(&problems);
	mlv_arena_free(l.arena);
	return 0;
}

int api_part_post(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a)
{
	static const char *const members[] = {"role", "tracking_number", "house_document", "data",
					      NULL};
	if (!api_content_type_ok(req, false)) {
		mlv_http_problem(resp, 415, "media-type", NULL, "send the part as application/json",
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
	mlv_problems probs, listed;
	mlv_problems_init(&probs);
	mlv_problems_init(&listed);
	for (const cJSON *m = j->child; m != NULL; m = m->next) {
		size_t k = 0;
		while (members[k] != NULL && strcmp(members[k], m->string) != 0)
			k++;
		bool dup = false;
		for (const cJSON *e = j->child; e != m && !dup; e = e->next)
			dup = strcmp(e->string, m->string) == 0;
		char ptr[80];
		snprintf(ptr, sizeof(ptr), "/%.70s", m->string);
		if (members[k] == NULL)
			mlv_problems_add(&listed, MLV_SEV_ERROR, ptr, "unknown_field",
					 "not a member of a part (role, tracking_number, "
					 "house_document, data)");
		else if (dup)
			mlv_problems_add(&listed, MLV_SEV_ERROR, ptr, "duplicate_key", "given twice");
		else if (strcmp(m->string, "data") == 0 ? !cJSON_IsObject(m) : !cJSON_IsString(m))
			mlv_problems_add(&listed, MLV_SEV_ERROR, ptr, "type",
					 strcmp(m->string, "data") == 0 ? "must be an object"
									: "must be a string");
	}
	const char *role = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "role"));
	const char *tn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "tracking_number"));
	const char *hd = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "house_document"));
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(j, "data");
	struct post_state ps = {.s = s, .a = a, .role_name = role};
	ps.role = mlv_party_role_from_name(role);
	if (listed.count == 0) {
		if (ps.role == 0)
			mlv_problems_add(&listed, MLV_SEV_ERROR, "/role", "enum",
					 "must be platform, seller, broker, carrier or "
					 "payment_provider");
		if ((tn == NULL) == (hd == NULL))
			mlv_problems_add(&listed, MLV_SEV_ERROR, tn ? "/house_document" : "",
					 "link", "give one link: tracking_number or house_document");
		else if (!link_ok(tn ? tn : hd))
			mlv_problems_add(&listed, MLV_SEV_ERROR,
					 tn ? "/tracking_number" : "/house_document", "format",
					 "must be 1 to 35 letters, digits and - _ . / :");
		if (!cJSON_IsObject(data))
			mlv_problems_add(&listed, MLV_SEV_ERROR, "/data", "required",
					 "the elements this party knows");
	}
	char *data_text = NULL;
	mlv_buf canon = MLV_BUF_INIT((size_t)8 << 20);
	if (listed.count == 0) {
		ps.kind = tn ? "tracking_number" : "house_document";
		ps.link = tn ? tn : hd;
		data_text = cJSON_PrintUnformatted(data);
		int rc = data_text ? mlv_consignment_decode_part(&ps.part, data_text,
								 strlen(data_text), req->arena,
								 s->opts.rd, &probs)
				   : MLV_ENOMEM;
		if (rc != 0 && rc != MLV_EINVALID) {
			mlv_http_problem_err(resp, rc, NULL);
			goto cleanup;
		}
		api_prefix_problems(&probs, "/data", &listed);
		/* The part's own link elements must be the link. */
		const char *own = tn ? ps.part.transport.tracking_number
				     : ps.part.transport.house_document;
		if (listed.errors == 0 && own != NULL && strcmp(own, ps.link) != 0)
			mlv_problems_add(&listed, MLV_SEV_ERROR,
					 tn ? "/data/transport/tracking_number"
					    : "/data/transport/house_document",
					 "link_mismatch", "differs from the link this part is sent for");
		if (listed.errors == 0 && (rc = mlv_consignment_encode(&ps.part, s->opts.rd, &canon)) != 0) {
			mlv_http_problem_err(resp, rc, NULL);
			goto cleanup;
		}
	}
	if (listed.errors > 0) {
		mlv_http_problem(resp, 422, "validation", "Validation failed",
				 "the part breaks the rules listed in 'errors'", &listed);
		goto cleanup;
	}
	ps.data = canon.data;
	crypto_generichash(ps.digest, sizeof(ps.digest), (const unsigned char *)canon.data, canon.len,
			   NULL, 0);
	pthread_mutex_lock(&s->actions_lock);
	merge_and_store(&ps, resp);
	pthread_mutex_unlock(&s->actions_lock);
cleanup:
	free(data_text);
	mlv_buf_free(&canon);
	mlv_problems_clear(&probs);
	mlv_problems_clear(&listed);
	cJSON_Delete(j);
	return 0;
}

/* ---- GET ---------------------------------------------------------------------------- */

static int part_head(mlv_buf *b, const mlv_part *p)
{
	char filed[32], updated[32];
	api_ms_to_rfc3339(p->filed_ms, filed);
	api_ms_to_rfc3339(p->updated_ms, updated);
	int rc = mlv_buf_printf(b, "{\"id\":%lld,\"role\":\"%s\",\"link\":{\"%s\":", (long long)p->id,
				p->role, p->link_kind);
	if (rc == 0)
		rc = mlv_buf_add_json_string(b, p->link, strlen(p->link));
	if (rc == 0)
		rc = mlv_buf_printf(b, "},\"version\":%d,\"filed_at\":\"%s\",\"updated_at\":\"%s\","
				       "\"complete\":%s,\"consignment\":",
				    p->version, filed, updated, p->consignment_id ? "true" : "false");
	if (rc == 0 && p->consignment_id == 0)
		rc = mlv_buf_adds(b, "null");
	else if (rc == 0)
		rc = mlv_buf_printf(b, "{\"id\":%lld,\"status\":\"%s\",\"lead\":%s",
				    (long long)p->consignment_id, p->status, p->lead ? "true" : "false");
	if (rc == 0 && p->consignment_id && p->lead)
		rc = mlv_buf_printf(b, ",\"links\":{\"self\":\"/v1/consignments/%lld\"}",
				    (long long)p->consignment_id);
	if (rc == 0 && p->consignment_id)
		rc = mlv_buf_addc(b, '}');
	return rc;
}

struct list_ctx {
	mlv_buf *b;
	int n;
};

static int list_row(void *ctx, const mlv_part *p)
{
	struct list_ctx *l = ctx;
	int rc = l->n++ ? mlv_buf_addc(l->b, ',') : 0;
	if (rc == 0)
		rc = part_head(l->b, p);
	if (rc == 0)
		rc = mlv_buf_printf(l->b, ",\"links\":{\"self\":\"/v1/parts/%lld\"}}", (long long)p->id);
	return rc;
}

int api_parts_list(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a)
{
	int64_t limit = 50, after = 0;
	const char *p;
	if ((p = mlv_req_query(req, "limit")) != NULL &&
	    !api_parse_int(p, 1, s->opts.max_page, &limit))
		return api_bad_param(resp, "limit", "must be an integer from 1 to the page bound");
	if ((p = mlv_req_query(req, "cursor")) != NULL && !api_parse_int(p, 1, INT64_MAX, &after))
		return api_bad_param(resp, "cursor", "is not a cursor this server gave");
	struct list_ctx l = {&resp->body, 0};
	int64_t next = 0;
	int rc = mlv_buf_adds(&resp->body, "{\"items\":[");
	if (rc == 0) {
		mlv_store *st = api_reader_acquire(s);
		rc = mlv_store_parts(st, a->filer_id, after, (int)limit, list_row, &l, &next);
		api_reader_release(s, st);
	}
	if (rc == 0)
		rc = next ? mlv_buf_printf(&resp->body, "],\"next_cursor\":\"%lld\"}", (long long)next)
			  : mlv_buf_adds(&resp->body, "],\"next_cursor\":null}");
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

int api_part_get(mlv_server *s, mlv_resp *resp, const struct auth *a, int64_t id)
{
	mlv_part p;
	mlv_part_init(&p);
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_part_get(st, a->filer_id, id, &p);
	api_reader_release(s, st);
	if (rc == MLV_ENOTFOUND) {
		mlv_http_problem(resp, 404, "not-found", NULL, "no such part", NULL);
		goto cleanup;
	}
	if (rc == 0)
		rc = part_head(&resp->body, &p);
	if (rc == 0) {
		/* The roles that sent parts, never who nor what. */
		rc = mlv_buf_adds(&resp->body, ",\"parties\":[");
		const char *r = p.roles;
		bool first = true;
		while (rc == 0 && *r) {
			size_t n = strcspn(r, " ");
			rc = mlv_buf_printf(&resp->body, "%s\"%.*s\"", first ? "" : ",", (int)n, r);
			first = false;
			r += n;
			while (*r == ' ')
				r++;
		}
		if (rc == 0)
			rc = mlv_buf_adds(&resp->body, "],\"data\":");
		if (rc == 0)
			rc = mlv_buf_add(&resp->body, p.data.data, p.data.len);
	}
	/* Still missing (only before the consignment is complete), and what of
	 * that this filer's role is best placed to give. */
	cJSON *missing = rc == 0 ? cJSON_ParseWithLength(p.missing.data, p.missing.len) : NULL;
	if (rc == 0) {
		rc = mlv_buf_adds(&resp->body, ",\"missing\":");
		if (rc == 0)
			rc = mlv_buf_add(&resp->body, p.missing.data, p.missing.len);
		if (rc == 0)
			rc = mlv_buf_adds(&resp->body, ",\"asked_of_you\":[");
		const cJSON *m;
		bool first = true;
		cJSON_ArrayForEach(m, missing) {
			const cJSON *r;
			bool asked = false;
			cJSON_ArrayForEach(r, cJSON_GetObjectItem(m, "best_placed"))
				asked |= cJSON_IsString(r) && strcmp(r->valuestring, p.role) == 0;
			const char *ptr = cJSON_GetStringValue(cJSON_GetObjectItem(m, "pointer"));
			if (!asked || ptr == NULL || rc != 0)
				continue;
			if (!first)
				rc = mlv_buf_addc(&resp->body, ',');
			first = false;
			if (rc == 0)
				rc = mlv_buf_add_json_string(&resp->body, ptr, strlen(ptr));
		}
		if (rc == 0)
			rc = mlv_buf_adds(&resp->body, "]}");
	}
	cJSON_Delete(missing);
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
cleanup:
	mlv_part_free(&p);
	return 0;
}
