/* api_rules.c - the risk rules seen from the API (docs/risk-rules.md,
 * "Rules through the API"): the profile in force and its stored versions,
 * changes by risk analysts (a whole profile, or one rule put in or taken
 * out), rule performance measured from inspection results, and operator
 * scores.
 *
 * A change is checked by the very loader that loads profile files (so a
 * criterion on the buyer is refused here as there, with every problem at
 * its line), must raise the version of each rule it changes, becomes a new
 * stored version with its author, time and audit event, and is then
 * published to the live state: filings that start afterwards are assessed
 * with it and record its version; those in flight finish with the one
 * they took.  One change at a time (rules_lock); the store refuses a
 * version number another writer took first. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "api_impl.h"
#include "mlv/codec.h"
#include "mlv/decimal.h"
#include "mlv/log.h"
#include "mlv/risk.h"
#include "mlv/riskstore.h"
#include "mlv/stats.h"
#include "problem.h"

/* Who may change rules; auditors (and officers, for performance) read. */
#define RULES_WRITERS (ROLE_ANALYST | ROLE_SUPERVISOR)

static bool no_profile(mlv_server *s, mlv_resp *resp)
{
	if (s->opts.validate.risk != NULL)
		return false;
	mlv_http_problem(resp, 404, "not-found", NULL, "this instance assesses no risk", NULL);
	return true;
}

static int json_str(mlv_buf *b, const char *v)
{
	return v ? mlv_buf_add_json_string(b, v, strlen(v)) : mlv_buf_adds(b, "null");
}

/* "created_at":..,"created_by":..,"summary":..,"event":.. of a version. */
static int version_members(mlv_buf *b, const mlv_rules_version *v)
{
	char at[32], hex[65];
	api_ms_to_rfc3339(v->created_ms, at);
	sodium_bin2hex(hex, sizeof(hex), v->digest, sizeof(v->digest));
	int rc = mlv_buf_printf(b, "\"version\":%lld,\"profile_id\":", (long long)v->version);
	if (rc == 0)
		rc = json_str(b, v->profile_id);
	if (rc == 0)
		rc = mlv_buf_printf(b, ",\"created_at\":\"%s\",\"created_by\":", at);
	if (rc == 0)
		rc = json_str(b, v->actor);
	if (rc == 0)
		rc = mlv_buf_adds(b, ",\"summary\":");
	if (rc == 0)
		rc = json_str(b, v->summary);
	if (rc == 0)
		rc = mlv_buf_printf(b, ",\"rule_count\":%lld,\"blake2b_256\":\"%s\",\"event\":%lld",
				    (long long)v->rules, hex, (long long)v->event_id);
	return rc;
}

static void etag(mlv_req *req, mlv_resp *resp, int64_t version)
{
	char *t = mlv_arena_alloc(req->arena, 32);
	if (t == NULL)
		return;
	snprintf(t, 32, "\"%lld\"", (long long)version);
	resp->extra_name = "ETag";
	resp->extra_value = t;
}

/* ---- reading ---------------------------------------------------------------------------- */

/* GET /v1/rules: the profile in force, with its version's author and time. */
int api_rules_get(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	if (no_profile(s, resp))
		return 0;
	mlv_risk_snapshot snap;
	mlv_risk_live_acquire(s->live, &snap);
	int64_t version = mlv_risk_profile_version(snap.profile);
	mlv_rules_version v;
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_rules_get(st, version, &v, NULL);
	api_reader_release(s, st);
	mlv_buf prof = MLV_BUF_INIT(SIZE_MAX);
	if (rc == 0)
		rc = mlv_risk_profile_write_json(&prof, snap.profile);
	mlv_risk_live_release(s->live, &snap);
	/* {version members, then the profile's own members} */
	if (rc == 0)
		rc = mlv_buf_addc(&resp->body, '{');
	if (rc == 0)
		rc = version_members(&resp->body, &v);
	if (rc == 0)
		rc = mlv_buf_printf(&resp->body, ",\"profile\":");
	if (rc == 0)
		rc = mlv_buf_add(&resp->body, prof.data, prof.len);
	if (rc == 0)
		rc = mlv_buf_addc(&resp->body, '}');
	mlv_buf_free(&prof);
	if (rc != 0) {
		mlv_http_problem_err(resp, rc, "the rules could not be read");
		return 0;
	}
	etag(req, resp, version);
	return 0;
}

/* GET /v1/rules/{id}: one rule of the profile in force, with its text. */
int api_rule_get(mlv_server *s, mlv_resp *resp, const char *rule)
{
	if (no_profile(s, resp))
		return 0;
	mlv_risk_snapshot snap;
	mlv_risk_live_acquire(s->live, &snap);
	mlv_risk_rule_info ri;
	int rc = mlv_risk_profile_find(snap.profile, rule, &ri);
	if (rc == MLV_ENOTFOUND) {
		mlv_risk_live_release(s->live, &snap);
		mlv_http_problem(resp, 404, "not-found", NULL, "no such rule in the profile in force",
				 NULL);
		return 0;
	}
	mlv_buf *b = &resp->body;
	rc = mlv_buf_adds(b, "{\"id\":");
	if (rc == 0)
		rc = json_str(b, ri.id);
	if (rc == 0)
		rc = mlv_buf_printf(b,
				    ",\"version\":%lld,\"weight\":%d,\"lane\":%s%s%s,\"enabled\":%s,"
				    "\"explain\":",
				    (long long)ri.version, ri.weight, ri.lane ? "\"" : "",
				    ri.lane ? mlv_risk_lane_name(ri.lane) : "null", ri.lane ? "\"" : "",
				    ri.enabled ? "true" : "false");
	if (rc == 0)
		rc = json_str(b, ri.explain);
	if (rc == 0)
		rc = mlv_buf_printf(b, ",\"profile_version\":%lld,\"line\":%zu,\"criteria\":[",
				    (long long)mlv_risk_profile_version(snap.profile), ri.line);
	for (size_t k = 0; rc == 0 && k < ri.criterion_count; k++) {
		const char *key, *value;
		mlv_risk_profile_criterion(snap.profile, ri.index, k, &key, &value);
		rc = mlv_buf_adds(b, k ? ",{\"key\":" : "{\"key\":");
		if (rc == 0)
			rc = json_str(b, key);
		if (rc == 0)
			rc = mlv_buf_adds(b, ",\"value\":");
		if (rc == 0)
			rc = json_str(b, value);
		if (rc == 0)
			rc = mlv_buf_addc(b, '}');
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, "],\"text\":");
	if (rc == 0)
		rc = mlv_buf_add_json_string(b, ri.section, ri.section_len);
	if (rc == 0)
		rc = mlv_buf_addc(b, '}');
	mlv_risk_live_release(s->live, &snap);
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

struct version_list {
	mlv_buf *b;
	size_t n;
	int64_t last;
};

static int list_one(void *ctx, const mlv_rules_version *v)
{
	struct version_list *l = ctx;
	int rc = mlv_buf_adds(l->b, l->n++ ? ",{" : "{");
	if (rc == 0)
		rc = version_members(l->b, v);
	l->last = v->version;
	return rc ? rc : mlv_buf_addc(l->b, '}');
}

/* GET /v1/rules/versions?limit=&before=: newest first. */
int api_rules_versions(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	if (no_profile(s, resp))
		return 0;
	int64_t limit = 50, before = 0;
	const char *lv = mlv_req_query(req, "limit"), *bv = mlv_req_query(req, "before");
	if (lv != NULL && !api_parse_int(lv, 1, s->opts.max_page, &limit))
		return api_bad_param(resp, "limit", "must be 1 to the page size");
	if (bv != NULL && !api_parse_int(bv, 1, INT64_MAX / 2, &before))
		return api_bad_param(resp, "before", "must be a version number");
	struct version_list l = {&resp->body, 0, 0};
	int rc = mlv_buf_adds(&resp->body, "{\"versions\":[");
	mlv_store *st = api_reader_acquire(s);
	if (rc == 0)
		rc = mlv_store_rules_list(st, before, (int)limit, list_one, &l);
	api_reader_release(s, st);
	if (rc == 0 && l.n == (size_t)limit && l.last > 1)
		rc = mlv_buf_printf(&resp->body, "],\"next\":\"/v1/rules/versions?limit=%lld&before=%lld\"}",
				    (long long)limit, (long long)l.last);
	else if (rc == 0)
		rc = mlv_buf_adds(&resp->body, "],\"next\":null}");
	if (rc != 0) {
		mlv_buf_reset(&resp->body);
		mlv_http_problem_err(resp, rc, NULL);
	}
	return 0;
}

/* GET /v1/rules/versions/{n}: a version with its text, as stored. */
int api_rules_version(mlv_server *s, mlv_resp *resp, int64_t version)
{
	if (no_profile(s, resp))
		return 0;
	mlv_rules_version v;
	mlv_buf text = MLV_BUF_INIT(MLV_RISK_MAX_TEXT + 1);
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_rules_get(st, version, &v, &text);
	api_reader_release(s, st);
	if (rc == MLV_ENOTFOUND) {
		mlv_buf_free(&text);
		mlv_http_problem(resp, 404, "not-found", NULL, "no such version of the rules", NULL);
		return 0;
	}
	if (rc == 0)
		rc = mlv_buf_addc(&resp->body, '{');
	if (rc == 0)
		rc = version_members(&resp->body, &v);
	if (rc == 0)
		rc = mlv_buf_adds(&resp->body, ",\"text\":");
	if (rc == 0)
		rc = mlv_buf_add_json_string(&resp->body, text.data ? text.data : "", text.len);
	if (rc == 0)
		rc = mlv_buf_addc(&resp->body, '}');
	mlv_buf_free(&text);
	if (rc != 0) {
		mlv_buf_reset(&resp->body);
		mlv_http_problem_err(resp, rc, NULL);
	}
	return 0;
}

/* ---- changing ------------------------------------------------------------------------------ */

static bool text_body(mlv_req *req, mlv_resp *resp)
{
	const char *ct = mlv_req_header(req, "Content-Type");
	size_t n = ct ? strcspn(ct, ";") : 0;
	if (ct != NULL && !(n == 10 && strncasecmp(ct, "text/plain", n) == 0)) {
		mlv_http_problem(resp, 415, "media-type", NULL,
				 "send the rules as text/plain in the profile format "
				 "(docs/risk-rules.md)",
				 NULL);
		return false;
	}
	return true;
}

/* If-Match: "7" (also W/"7", 7 or *): the change applies to version 7
 * only, so two analysts editing at once cannot overwrite each other. */
static bool precondition(mlv_req *req, mlv_resp *resp, int64_t live)
{
	const char *m = mlv_req_header(req, "If-Match");
	if (m == NULL || strcmp(m, "*") == 0)
		return true;
	char want[32], bare[32];
	snprintf(want, sizeof(want), "\"%lld\"", (long long)live);
	snprintf(bare, sizeof(bare), "%lld", (long long)live);
	if (strncmp(m, "W/", 2) == 0)
		m += 2;
	if (strcmp(m, want) == 0 || strcmp(m, bare) == 0)
		return true;
	char d[128];
	snprintf(d, sizeof(d), "the rules are at version %lld now: read them again (ETag %s)",
		 (long long)live, want);
	mlv_http_problem(resp, 412, "precondition", "Precondition Failed", d, NULL);
	return false;
}

/* 422 with every problem at its line. */
static void text_problems(mlv_resp *resp, const mlv_risk_text_problem *p, size_t n,
			  size_t shown)
{
	bool consumer = false;
	for (size_t i = 0; i < shown; i++)
		consumer |= p[i].code == MLV_EFORBIDDEN;
	mlv_buf *b = &resp->body;
	mlv_buf_reset(b);
	resp->status = 422;
	resp->content_type = "application/problem+json";
	int rc = mlv_buf_printf(b,
				"{\"type\":\"urn:mainlevee:problem:rules\",\"title\":\"Invalid rules\","
				"\"status\":422,\"detail\":\"%s\",\"errors\":[",
				consumer ? "the rules use the consumer as a criterion: consumers are "
					   "not profiled"
					 : "the rules break the profile format; each problem names "
					   "its line");
	for (size_t i = 0; rc == 0 && i < shown; i++) {
		const char *code = p[i].code == MLV_EFORBIDDEN ? "consumer_criterion"
				   : p[i].code == MLV_EEXISTS	  ? "duplicate_id"
				   : p[i].code == MLV_ETOOBIG	  ? "too_big"
								  : "invalid";
		rc = mlv_buf_printf(b, "%s{\"line\":%zu,\"code\":\"%s\",\"message\":", i ? "," : "",
				    p[i].line, code);
		if (rc == 0)
			rc = json_str(b, p[i].message);
		if (rc == 0)
			rc = mlv_buf_addc(b, '}');
	}
	if (rc == 0)
		rc = mlv_buf_printf(b, "],\"errors_not_listed\":%zu}", n > shown ? n - shown : 0);
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
}

/* The summary of a change, and its list for the answer. */
struct change_log {
	char summary[256];
	size_t added, changed, removed;
	bool settings;
	char names[3][160]; /* ids per kind, cut when long */
	mlv_buf *json;	    /* [{"rule","change","from","to"}] */
	size_t n;
};

static int log_change(void *ctx, const mlv_risk_change *c)
{
	struct change_log *l = ctx;
	static const char *const kinds[] = {"", "added", "removed", "changed", "settings"};
	int k = c->kind == MLV_RISK_RULE_ADDED ? 0 : c->kind == MLV_RISK_RULE_CHANGED ? 1 : 2;
	if (c->kind == MLV_RISK_SETTINGS_CHANGED) {
		l->settings = true;
	} else {
		size_t *count = k == 0 ? &l->added : k == 1 ? &l->changed : &l->removed;
		size_t used = strlen(l->names[k]);
		if (used + strlen(c->id) + 4 < sizeof(l->names[k]))
			snprintf(l->names[k] + used, sizeof(l->names[k]) - used, "%s%s",
				 *count ? ", " : "", c->id);
		else if (used + 5 < sizeof(l->names[k]) && strcmp(l->names[k] + used - 3, "...") != 0)
			snprintf(l->names[k] + used, sizeof(l->names[k]) - used, ", ...");
		(*count)++;
	}
	int rc = mlv_buf_adds(l->json, l->n++ ? ",{\"change\":" : "{\"change\":");
	if (rc == 0)
		rc = json_str(l->json, kinds[c->kind]);
	if (rc == 0)
		rc = mlv_buf_adds(l->json, ",\"rule\":");
	if (rc == 0)
		rc = json_str(l->json, c->id);
	if (rc == 0)
		rc = mlv_buf_printf(l->json, ",\"from_version\":%lld,\"to_version\":%lld}",
				    (long long)c->old_version, (long long)c->new_version);
	return rc;
}

static void summarise(struct change_log *l)
{
	size_t o = 0;
	const size_t cap = sizeof(l->summary);
	const size_t counts[3] = {l->added, l->changed, l->removed};
	static const char *const words[3] = {"added", "changed", "removed"};
	for (int k = 0; k < 3 && o < cap; k++)
		if (counts[k] > 0)
			o += (size_t)snprintf(l->summary + o, cap - o, "%s%zu %s (%s)", o ? "; " : "",
					      counts[k], words[k], l->names[k]);
	if (l->settings && o < cap)
		o += (size_t)snprintf(l->summary + o, cap - o, "%sthresholds or selection changed",
				      o ? "; " : "");
}

struct change {
	const struct auth *who;
	mlv_risk_profile *next; /* parsed, checked; owned until published */
	int64_t from_version;
	mlv_rules_version v;
	struct change_log log;
	mlv_buf changes;
};

/* Stores `c->next` as a new version and publishes it; answers 201. */
static int commit_change(mlv_server *s, mlv_req *req, mlv_resp *resp, struct change *c)
{
	char actor[96];
	snprintf(actor, sizeof(actor), "%s:%s", c->who->role, c->who->filer);
	summarise(&c->log);
	int64_t version = 0;
	pthread_mutex_lock(&s->actions_lock);
	int rc = mlv_riskstore_next_version(s->actions, c->from_version, &version);
	if (rc == 0)
		rc = mlv_riskstore_save_rules(s->actions, c->next, version, actor, c->log.summary,
					      mlv_now_ms(), &c->v);
	pthread_mutex_unlock(&s->actions_lock);
	if (rc == MLV_ECONFLICT) {
		mlv_http_problem(resp, 409, "conflict", NULL,
				 "another version of the rules was stored meanwhile; read them again",
				 NULL);
		return 0;
	}
	if (rc == 0 && (rc = mlv_risk_live_publish_profile(s->live, c->next, true)) == 0)
		c->next = NULL; /* the live state's now */
	if (rc != 0) {
		mlv_http_problem_err(resp, rc, "the new version could not be stored");
		return 0;
	}
	mlv_log(MLV_LOG_INFO, "risk rules changed",
		"version=%lld previous=%lld actor=\"%s\" event=%lld summary=\"%s\"",
		(long long)c->v.version, (long long)c->from_version, actor,
		(long long)c->v.event_id, c->log.summary);
	mlv_buf *b = &resp->body;
	rc = mlv_buf_printf(b, "{\"outcome\":\"created\",\"previous_version\":%lld,",
			    (long long)c->from_version);
	if (rc == 0)
		rc = version_members(b, &c->v);
	if (rc == 0)
		rc = mlv_buf_adds(b, ",\"changes\":[");
	if (rc == 0)
		rc = mlv_buf_add(b, c->changes.data ? c->changes.data : "", c->changes.len);
	if (rc == 0)
		rc = mlv_buf_adds(b, "]}");
	if (rc != 0) {
		mlv_http_problem_err(resp, rc, NULL);
		return 0;
	}
	resp->status = 201;
	snprintf(resp->location, sizeof(resp->location), "/v1/rules/versions/%lld",
		 (long long)c->v.version);
	etag(req, resp, c->v.version);
	return 0;
}

static int unchanged(mlv_req *req, mlv_resp *resp, int64_t version)
{
	mlv_buf_printf(&resp->body, "{\"outcome\":\"unchanged\",\"version\":%lld,\"changes\":[]}",
		       (long long)version);
	etag(req, resp, version);
	return 0;
}

static bool may_write(const struct auth *a, mlv_resp *resp)
{
	if (a->role_bit & RULES_WRITERS)
		return true;
	char d[96];
	snprintf(d, sizeof(d), "the role '%s' may read the rules but not change them", a->role);
	mlv_http_problem(resp, 403, "forbidden", NULL, d, NULL);
	return false;
}

/* Checks a full new text against the profile in force: format, consumer
 * criteria, rising versions (lines mapped by map_line, for POST); fills
 * c->next and c->log, or answers 422 / 200 unchanged and returns false. */
static bool check_text(mlv_server *s, mlv_req *req, mlv_resp *resp, const mlv_risk_profile *cur,
		       const char *text, size_t len, struct change *c,
		       size_t (*map_line)(const void *ctx, size_t line), const void *map_ctx)
{
	mlv_risk_text_problem probs[MLV_RISK_TEXT_PROBLEMS_MAX];
	size_t n = 0;
	int rc = mlv_risk_profile_check(&c->next, text, len, "rules", s->opts.rd, probs,
					MLV_ARRAY_LEN(probs), &n);
	if (rc == 0)
		rc = mlv_risk_profile_check_versions(cur, c->next, probs, MLV_ARRAY_LEN(probs), &n);
	if (rc == MLV_ENOMEM) {
		mlv_http_problem_err(resp, rc, NULL);
		return false;
	}
	if (rc != 0) {
		size_t shown = n < MLV_ARRAY_LEN(probs) ? n : MLV_ARRAY_LEN(probs);
		for (size_t i = 0; map_line != NULL && i < shown; i++)
			probs[i].line = map_line(map_ctx, probs[i].line);
		text_problems(resp, probs, n, shown);
		return false;
	}
	rc = mlv_risk_profile_diff(cur, c->next, log_change, &c->log);
	if (rc != 0) {
		mlv_http_problem_err(resp, rc, NULL);
		return false;
	}
	if (c->log.n == 0) {
		unchanged(req, resp, mlv_risk_profile_version(cur));
		return false;
	}
	return true;
}

static void change_init(struct change *c, const struct auth *a, int64_t from)
{
	memset(c, 0, sizeof(*c));
	c->who = a;
	c->from_version = from;
	c->changes = (mlv_buf)MLV_BUF_INIT((size_t)64 << 20);
	c->log.json = &c->changes;
}

static void change_free(struct change *c)
{
	mlv_risk_profile_free(c->next);
	mlv_buf_free(&c->changes);
}

/* PUT /v1/rules: a whole new profile text. */
int api_rules_put(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a)
{
	if (no_profile(s, resp) || !may_write(a, resp) || !text_body(req, resp))
		return 0;
	pthread_mutex_lock(&s->rules_lock);
	mlv_risk_snapshot snap;
	mlv_risk_live_acquire(s->live, &snap);
	int64_t live = mlv_risk_profile_version(snap.profile);
	struct change c;
	change_init(&c, a, live);
	if (precondition(req, resp, live) &&
	    check_text(s, req, resp, snap.profile, req->body.data ? req->body.data : "",
		       req->body.len, &c, NULL, NULL))
		commit_change(s, req, resp, &c);
	change_free(&c);
	mlv_risk_live_release(s->live, &snap);
	pthread_mutex_unlock(&s->rules_lock);
	return 0;
}

/* Lines of the new text back to lines of the section as sent. */
static size_t section_line(const void *ctx, size_t line)
{
	const mlv_risk_rule_edit *e = ctx;
	if (line >= e->first_line && line < e->first_line + e->lines)
		return line - e->first_line + e->header_line;
	return e->header_line; /* the version line added at its end */
}

/* POST /v1/rules: one rule, added or replaced. */
int api_rules_post(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a)
{
	if (no_profile(s, resp) || !may_write(a, resp) || !text_body(req, resp))
		return 0;
	pthread_mutex_lock(&s->rules_lock);
	mlv_risk_snapshot snap;
	mlv_risk_live_acquire(s->live, &snap);
	int64_t live = mlv_risk_profile_version(snap.profile);
	struct change c;
	change_init(&c, a, live);
	mlv_buf text = MLV_BUF_INIT(MLV_RISK_MAX_TEXT + (1 << 20));
	mlv_risk_rule_edit e;
	char err[256] = "";
	if (!precondition(req, resp, live))
		goto done;
	/* First as sent (a rule without a version keeps its own): an
	 * unchanged rule is no new version; a changed one without a version
	 * line is then given the next. */
	for (int bump = 0; bump < 2; bump++) {
		mlv_buf_reset(&text);
		int rc = mlv_risk_profile_put_rule(&text, snap.profile,
						   req->body.data ? req->body.data : "",
						   req->body.len, bump, &e, err, sizeof(err));
		if (rc == MLV_EINVALID) {
			mlv_http_problem(resp, 422, "rules", "Invalid rules", err, NULL);
			goto done;
		}
		if (rc != 0) {
			mlv_http_problem_err(resp, rc, NULL);
			goto done;
		}
		if (bump == 0 && e.exists && !e.version_given) {
			/* would it change? parse quietly, compare */
			mlv_risk_profile *q = NULL;
			size_t n = 0;
			if (mlv_risk_profile_check(&q, text.data, text.len, "rules", s->opts.rd, NULL,
						   0, &n) == 0) {
				struct change_log probe;
				mlv_buf pj = MLV_BUF_INIT(1 << 20);
				memset(&probe, 0, sizeof(probe));
				probe.json = &pj;
				rc = mlv_risk_profile_diff(snap.profile, q, log_change, &probe);
				mlv_buf_free(&pj);
				mlv_risk_profile_free(q);
				if (rc == 0 && probe.n == 0) {
					unchanged(req, resp, live);
					goto done;
				}
			}
			continue; /* changed (or broken: reported below): next version */
		}
		break;
	}
	if (check_text(s, req, resp, snap.profile, text.data, text.len, &c, section_line, &e))
		commit_change(s, req, resp, &c);
done:
	mlv_buf_free(&text);
	change_free(&c);
	mlv_risk_live_release(s->live, &snap);
	pthread_mutex_unlock(&s->rules_lock);
	return 0;
}

/* DELETE /v1/rules/{id}: the rule taken out (its statistics stay). */
int api_rules_delete(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
		     const char *rule)
{
	if (no_profile(s, resp) || !may_write(a, resp))
		return 0;
	pthread_mutex_lock(&s->rules_lock);
	mlv_risk_snapshot snap;
	mlv_risk_live_acquire(s->live, &snap);
	int64_t live = mlv_risk_profile_version(snap.profile);
	struct change c;
	change_init(&c, a, live);
	mlv_buf text = MLV_BUF_INIT(MLV_RISK_MAX_TEXT);
	if (precondition(req, resp, live)) {
		int rc = mlv_risk_profile_remove_rule(&text, snap.profile, rule);
		if (rc == MLV_ENOTFOUND)
			mlv_http_problem(resp, 404, "not-found", NULL,
					 "no such rule in the profile in force", NULL);
		else if (rc != 0)
			mlv_http_problem_err(resp, rc, NULL);
		else if (check_text(s, req, resp, snap.profile, text.data ? text.data : "", text.len,
				    &c, NULL, NULL))
			commit_change(s, req, resp, &c);
	}
	mlv_buf_free(&text);
	change_free(&c);
	mlv_risk_live_release(s->live, &snap);
	pthread_mutex_unlock(&s->rules_lock);
	return 0;
}

/* ---- performance -------------------------------------------------------------------------- */

static void perf_opts(mlv_server *s, mlv_risk_perf_opts *po, int64_t assessed)
{
	*po = (mlv_risk_perf_opts)MLV_RISK_PERF_OPTS_INIT;
	po->assessed = (uint64_t)assessed;
	po->min_controls = s->opts.review_min_controls;
	po->review_below = s->opts.review_below;
}

/* GET /v1/rules/{id}/performance: hits, controls, findings, precision,
 * yield and a suggested weight (docs/risk-rules.md, "Feedback"). */
int api_rule_performance(mlv_server *s, mlv_resp *resp, const char *rule)
{
	mlv_risk_rule_info info;
	memset(&info, 0, sizeof(info));
	bool in_profile = false;
	if (s->opts.validate.risk != NULL) {
		mlv_risk_snapshot snap;
		mlv_risk_live_acquire(s->live, &snap);
		in_profile = snap.profile != NULL &&
			     mlv_risk_profile_find(snap.profile, rule, &info) == 0;
		mlv_risk_live_release(s->live, &snap); /* info's id is not used past here */
		info.id = NULL;
		info.explain = NULL;
		info.section = NULL;
	}
	mlv_rule_counts c;
	int64_t assessed = 0;
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_rule_counts(st, rule, &c);
	if (rc == 0)
		rc = mlv_store_count(st, &assessed);
	api_reader_release(s, st);
	/* A profile rule, or a goods-list entry that has hit (no weight). */
	if (rc == 0 && !in_profile && c.hits == 0 && c.controls == 0) {
		mlv_http_problem(resp, 404, "not-found", NULL,
				 "no such rule in the profile, nor a goods-list entry that hit", NULL);
		return 0;
	}
	mlv_risk_rule_stats stats = {c.hits, c.controls, c.findings, c.seizures, c.revenue};
	mlv_risk_perf_opts po;
	perf_opts(s, &po, assessed);
	mlv_risk_perf perf;
	if (rc == 0)
		rc = mlv_risk_stats_perf(&perf, &stats, info.weight, &po);
	if (rc == 0)
		rc = mlv_risk_perf_write_json(&resp->body, rule, info.version, &stats, &perf);
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

typedef struct counted {
	char id[48];
	mlv_rule_counts c;
	bool in_profile;
} counted;

struct counts_vec {
	counted *v;
	size_t n, cap;
};

static int collect_counts(void *ctx, const char *rule_id, const mlv_rule_counts *c)
{
	struct counts_vec *x = ctx;
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 256;
		counted *nv = realloc(x->v, cap * sizeof(*nv));
		if (nv == NULL)
			return MLV_ENOMEM;
		x->v = nv;
		x->cap = cap;
	}
	counted *e = &x->v[x->n++];
	snprintf(e->id, sizeof(e->id), "%s", rule_id);
	e->c = *c;
	e->in_profile = false;
	return 0;
}

static int cmp_counted(const void *key, const void *elem)
{
	return strcmp(key, ((const counted *)elem)->id);
}

/* One rule's figures, with in_profile and its weight, into b. */
static int perf_entry(mlv_buf *b, bool *first, const char *id, int64_t version, int weight,
		      bool in_profile, const mlv_rule_counts *c, const mlv_risk_perf_opts *po,
		      bool review_only, size_t *reviews)
{
	mlv_risk_rule_stats st = {c->hits, c->controls, c->findings, c->seizures, c->revenue};
	mlv_risk_perf perf;
	int rc = mlv_risk_stats_perf(&perf, &st, weight, po);
	if (rc != 0)
		return rc;
	*reviews += perf.review;
	if (review_only && !perf.review)
		return 0;
	mlv_buf one = MLV_BUF_INIT(1 << 16);
	rc = mlv_risk_perf_write_json(&one, id, version, &st, &perf);
	/* {"rule":.. + ,"in_profile":..,"weight":..} */
	if (rc == 0 && one.len > 1) {
		rc = mlv_buf_adds(b, *first ? "" : ",");
		if (rc == 0)
			rc = mlv_buf_add(b, one.data, one.len - 1);
		if (rc == 0)
			rc = mlv_buf_printf(b, ",\"in_profile\":%s,\"weight\":%d}",
					    in_profile ? "true" : "false", weight);
		*first = false;
	}
	mlv_buf_free(&one);
	return rc;
}

/* GET /v1/rules/performance?review=true: every rule of the profile in
 * force, then every other rule or goods-list entry with statistics. */
int api_rules_performance(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	const char *rv = mlv_req_query(req, "review");
	if (rv != NULL && strcmp(rv, "true") != 0 && strcmp(rv, "false") != 0)
		return api_bad_param(resp, "review", "must be true or false");
	bool review_only = rv != NULL && strcmp(rv, "true") == 0;
	struct counts_vec cv = {NULL, 0, 0};
	int64_t assessed = 0;
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_rule_counts_all(st, collect_counts, &cv);
	if (rc == 0)
		rc = mlv_store_count(st, &assessed);
	api_reader_release(s, st);
	mlv_risk_perf_opts po;
	perf_opts(s, &po, assessed);
	mlv_risk_snapshot snap;
	mlv_risk_live_acquire(s->live, &snap);
	mlv_buf *b = &resp->body;
	char below[16];
	snprintf(below, sizeof(below), "%.4f", po.review_below);
	if (rc == 0 && snap.profile != NULL) {
		rc = mlv_buf_adds(b, "{\"profile\":{\"id\":");
		if (rc == 0)
			rc = json_str(b, mlv_risk_profile_id(snap.profile));
		if (rc == 0)
			rc = mlv_buf_printf(b, ",\"version\":%lld},",
					    (long long)mlv_risk_profile_version(snap.profile));
	} else if (rc == 0) {
		rc = mlv_buf_adds(b, "{\"profile\":null,");
	}
	if (rc == 0)
		rc = mlv_buf_printf(b,
				    "\"assessed\":%lld,\"min_controls\":%llu,\"review_below\":%s,"
				    "\"rules\":[",
				    (long long)assessed, (unsigned long long)po.min_controls, below);
	bool first = true;
	size_t reviews = 0;
	size_t nrules = snap.profile ? mlv_risk_profile_rule_count(snap.profile) : 0;
	for (size_t i = 0; rc == 0 && i < nrules; i++) {
		mlv_risk_rule_info ri;
		mlv_risk_profile_rule(snap.profile, i, &ri);
		counted *e = cv.n ? bsearch(ri.id, cv.v, cv.n, sizeof(*cv.v), cmp_counted) : NULL;
		mlv_rule_counts zero = {0, 0, 0, 0, 0};
		if (e != NULL)
			e->in_profile = true;
		rc = perf_entry(b, &first, ri.id, ri.version, ri.weight, true, e ? &e->c : &zero,
				&po, review_only, &reviews);
	}
	for (size_t i = 0; rc == 0 && i < cv.n; i++)
		if (!cv.v[i].in_profile)
			rc = perf_entry(b, &first, cv.v[i].id, 0, 0, false, &cv.v[i].c, &po,
					review_only, &reviews);
	if (rc == 0)
		rc = mlv_buf_printf(b, "],\"review_count\":%zu}", reviews);
	mlv_risk_live_release(s->live, &snap);
	free(cv.v);
	if (rc != 0) {
		mlv_buf_reset(b);
		mlv_http_problem_err(resp, rc, NULL);
	}
	return 0;
}

/* ---- operator scores ----------------------------------------------------------------------- */

static int operator_json(mlv_buf *b, bool first, const mlv_risk_operator *op)
{
	int rc = mlv_buf_printf(b, "%s{\"role\":\"%s\",\"key\":", first ? "" : ",",
				mlv_risk_role_name(op->role));
	if (rc == 0)
		rc = json_str(b, op->key);
	if (rc == 0)
		rc = mlv_buf_adds(b, ",\"name\":");
	if (rc == 0)
		rc = json_str(b, op->name);
	if (rc == 0)
		rc = mlv_buf_printf(b,
				    ",\"score\":%d,\"rate\":%.4f,\"weight\":%.2f,\"controls\":%zu,"
				    "\"findings\":%zu,\"seizures\":%zu}",
				    op->score.score, op->score.rate, op->score.weight,
				    op->score.controls, op->score.findings, op->score.seizures);
	return rc;
}

/* GET /v1/risk/operator-scores?role=&operator=&min_controls=&limit=:
 * operators' scores from their inspection results, riskiest first. */
int api_operator_scores(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	if (no_profile(s, resp))
		return 0;
	const char *rv = mlv_req_query(req, "role"), *ov = mlv_req_query(req, "operator");
	const char *mv = mlv_req_query(req, "min_controls"), *lv = mlv_req_query(req, "limit");
	int role = 0;
	int64_t min_controls = 0, limit = 100;
	if (rv != NULL) {
		for (int r = 1; r < MLV_RISK_ROLE_COUNT; r++)
			if (strcmp(rv, mlv_risk_role_name((mlv_risk_role)r)) == 0)
				role = r;
		if (role == 0)
			return api_bad_param(resp, "role",
					     "must be seller, platform, carrier, intermediary or filer");
	}
	if (ov != NULL && (ov[0] == '\0' || strlen(ov) > 140))
		return api_bad_param(resp, "operator", "must be a name or id:IDENTIFIER (1 to 140)");
	if (mv != NULL && !api_parse_int(mv, 0, 1000000000, &min_controls))
		return api_bad_param(resp, "min_controls", "must be a whole number");
	if (lv != NULL && !api_parse_int(lv, 1, s->opts.max_page, &limit))
		return api_bad_param(resp, "limit", "must be 1 to the page size");
	mlv_risk_snapshot snap;
	mlv_risk_live_acquire(s->live, &snap);
	const mlv_risk_opscores *t = snap.opscores;
	pthread_mutex_lock(&s->refresh_lock);
	int64_t built = s->opscores_ms;
	pthread_mutex_unlock(&s->refresh_lock);
	char at[32] = "";
	if (built > 0)
		api_ms_to_rfc3339(built, at);
	mlv_buf *b = &resp->body;
	int rc = mlv_buf_printf(b, "{\"computed_at\":%s%s%s,\"controls\":%llu,\"prior_rate\":%.4f,"
				   "\"prior_controls\":%u,\"half_life_days\":%u,\"operators\":[",
				built ? "\"" : "", built ? at : "null", built ? "\"" : "",
				(unsigned long long)(t ? mlv_risk_opscores_controls(t) : 0),
				t ? mlv_risk_opscores_prior(t) : 0.0, s->opts.opscore_prior_controls,
				s->opts.opscore_half_life_days);
	size_t shown = 0;
	if (t != NULL && ov != NULL) {
		/* one operator: "id:IDENTIFIER" or a name, in one role or each */
		bool by_id = strncmp(ov, "id:", 3) == 0;
		for (int r = 1; rc == 0 && r < MLV_RISK_ROLE_COUNT; r++) {
			mlv_risk_operator op;
			if ((role != 0 && r != role) ||
			    mlv_risk_opscores_get(t, (mlv_risk_role)r, by_id ? NULL : ov,
						  by_id ? ov + 3 : NULL, &op) != 0)
				continue;
			rc = operator_json(b, shown++ == 0, &op);
		}
	} else if (t != NULL) {
		for (size_t i = 0; rc == 0 && i < mlv_risk_opscores_count(t) &&
				   shown < (size_t)limit; i++) {
			mlv_risk_operator op;
			mlv_risk_opscores_at(t, i, &op);
			if ((role != 0 && (int)op.role != role) ||
			    op.score.controls < (size_t)min_controls)
				continue;
			rc = operator_json(b, shown++ == 0, &op);
		}
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, "]}");
	mlv_risk_live_release(s->live, &snap);
	if (rc != 0) {
		mlv_buf_reset(b);
		mlv_http_problem_err(resp, rc, NULL);
	}
	return 0;
}
