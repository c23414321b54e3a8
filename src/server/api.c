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

#include "api_impl.h"
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
#include "portal.h"
#include "problem.h"
#include "quote.h"
#include "writer.h"

/* A filing from the pool (or a new one), reset for a new text. */
mlv_filing *api_filing_get(mlv_server *s)
{
	mlv_filing *f = NULL;
	pthread_mutex_lock(&s->filings_lock);
	if (s->nspare > 0)
		f = s->spare[--s->nspare];
	pthread_mutex_unlock(&s->filings_lock);
	return f != NULL ? f : mlv_filing_new();
}

void api_filing_put(mlv_server *s, mlv_filing *f)
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

mlv_store *api_reader_acquire(mlv_server *s)
{
	pthread_mutex_lock(&s->pool_lock);
	while (s->free_top == 0)
		pthread_cond_wait(&s->pool_cond, &s->pool_lock);
	mlv_store *st = s->free_readers[--s->free_top];
	pthread_mutex_unlock(&s->pool_lock);
	return st;
}

void api_reader_release(mlv_server *s, mlv_store *st)
{
	pthread_mutex_lock(&s->pool_lock);
	s->free_readers[s->free_top++] = st;
	pthread_cond_signal(&s->pool_cond);
	pthread_mutex_unlock(&s->pool_lock);
}

void api_too_many(mlv_resp *resp, int wait, const char *detail)
{
	resp->retry_after = wait;
	mlv_http_problem(resp, 429, "rate-limited", NULL, detail, NULL);
}

/* Checks the bearer token; on failure writes the 401 answer (429 for an
 * address locked out after repeated failures, or a key over its rate). */
bool api_authenticate(mlv_server *s, mlv_req *req, mlv_resp *resp, struct auth *a)
{
	char addr[64];
	int64_t now = (int64_t)time(NULL);
	mlv_req_client_addr(req, addr, sizeof(addr));
	int wait = mlv_auth_locked(s->auth, addr, now);
	if (wait > 0) {
		api_too_many(resp, wait, "too many failed authentications from this address; wait");
		return false;
	}
	const char *h = mlv_req_header(req, "Authorization");
	if (h == NULL && api_session(s, req, a)) {
		/* a person's browser: unsafe methods carry the CSRF token */
		if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0 &&
		    !api_csrf_ok(req, a, NULL)) {
			mlv_http_problem(resp, 403, "csrf", NULL,
					 "send the session's CSRF token in X-CSRF-Token", NULL);
			return false;
		}
		/* a person's own bucket: a session is no way around the key's rate */
		wait = mlv_auth_rate_person(s->auth, a->user_id, mlv_now_ms());
		if (wait > 0) {
			api_too_many(resp, wait, "this person is over the request rate; retry after the delay");
			return false;
		}
		return true;
	}
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
		mlv_store *st = api_reader_acquire(s);
		rc = mlv_store_key_check_role(st, token, now, &a->filer_id, a->filer,
					      sizeof(a->filer), a->role, sizeof(a->role));
		api_reader_release(s, st);
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
	a->role_bit = api_role_bit(a->role);
	wait = mlv_auth_rate(s->auth, a->filer_id, mlv_now_ms());
	if (wait > 0) {
		api_too_many(resp, wait, "this API key is over its request rate; retry after the delay");
		return false;
	}
	return true;
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

/* ---- the public quote ------------------------------------------------------------- */

static int quote(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	char addr[64];
	mlv_req_client_addr(req, addr, sizeof(addr));
	int wait = mlv_auth_rate_public(s->auth, addr, mlv_now_ms());
	if (wait > 0) {
		api_too_many(resp, wait, "too many quotes from this address; retry after the delay");
		return 0;
	}
	if (s->opts.profiles == NULL) {
		mlv_http_problem(resp, 404, "not-found", NULL, "this instance gives no quotes", NULL);
		return 0;
	}
	if (!api_content_type_ok(req, false)) {
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
	R_RULES,
	R_RULES_VERSIONS,
	R_RULES_VERSION,
	R_RULES_PERF,
	R_RULE,
	R_OPSCORES,
	R_STATIC,
	R_CONSOLE,
	R_CONSOLE_LOGIN,
	R_CONSOLE_LOGOUT,
	R_CONSOLE_QUEUE,
	R_CONSOLE_CONSIGNMENT,
	R_CONSOLE_REFERRAL_DOC,
	R_CONSOLE_OPERATORS,
	R_CONSOLE_OPERATOR,
	R_OPERATORS,
	R_OPERATOR,
	R_OPERATOR_HISTORY,
	R_MRAS,
	R_MRA,
	R_MRA_HISTORY,
	R_KEYS,
	R_KEY,
	R_EXIT,
	R_OFFICER_EVENTS,
	R_OFFICER_PARTS,
	R_REFER,
	R_REFERRALS,
	R_REFERRAL,
	R_REFERRAL_ANSWER,
	R_REFERRAL_CLOSE,
	R_REFERRAL_DOC,
	R_PARTS,
	R_PART,
	R_NOTIFICATIONS,
	R_WEBHOOKS,
	R_WEBHOOK,
	R_PORTAL_API,
	R_PORTAL_API_COUNTRY,
	R_PORTAL_API_SEARCH,
	R_PORTAL_API_CODE,
	R_PORTAL_API_COMPARE,
	R_PORTAL_API_COMPARE_CSV,
	R_PORTAL_API_VERSIONS,
	R_PORTAL_API_CHANGES,
	R_PORTAL_API_DRAFTS,
	R_PORTAL_API_DRAFT,
	R_PORTAL_API_PUBLISH,
	R_PORTAL,
	R_PORTAL_SEARCH,
	R_PORTAL_COUNTRY,
	R_PORTAL_CODE,
	R_PORTAL_COMPARE,
	R_PORTAL_CALC,
	R_PORTAL_CHANGES,
	R_PORTAL_EDIT,
	R_PORTAL_EDIT_COUNTRY,
	R_PORTAL_PUBLISH,
	R_STATS_CONSIGNMENTS,
	R_STATS_RULES,
	R_CONSOLE_STATS,
};

/* Every role: a route open to each of them, with object-level checks in
 * its handler (api_operators.c). */
#define ROLES_ALL 0xFFu

struct route {
	enum route_id id;
	const char *pattern; /* '{}' matches a positive integer segment, '{s}' a name */
	const char *allow;   /* methods */
	bool auth;           /* an API key or a session is required */
	unsigned roles;      /* with auth: the roles admitted (ROLE_* bits) */
};

static const struct route routes[] = {
	{R_HEALTH, "/healthz", "GET", false, 0},
	{R_METRICS, "/metrics", "GET", false, 0},
	{R_CONSIGNMENTS, "/v1/consignments", "GET, POST", true, ROLE_FILER},
	{R_BATCH, "/v1/consignments:batch", "POST", true, ROLE_FILER},
	{R_CONSIGNMENT, "/v1/consignments/{}", "GET", true, ROLE_FILER},
	{R_VERSION, "/v1/consignments/{}/versions/{}", "GET", true, ROLE_FILER},
	{R_EVENTS, "/v1/consignments/{}/events", "GET", true, ROLE_FILER},
	{R_AUDIT_STH, "/v1/audit/sth", "GET", false, 0},
	{R_AUDIT_KEY, "/v1/audit/public-key", "GET", false, 0},
	{R_AUDIT_INCLUSION, "/v1/audit/proof/inclusion", "GET", true, ROLE_FILER},
	{R_AUDIT_CONSISTENCY, "/v1/audit/proof/consistency", "GET", false, 0},
	{R_QUOTE, "/v1/quote", "POST", false, 0},
	{R_ARRIVAL, "/v1/consignments/{}/arrival", "POST", true, ROLE_FILER},
	{R_REFUND, "/v1/consignments/{}/refund", "POST", true, ROLE_FILER},
	{R_ACCOUNT, "/v1/accounts/{}", "GET", true, ROLE_FILER},
	{R_STATEMENT, "/v1/accounts/{}/statement", "GET", true, ROLE_FILER},
	{R_QUEUE, "/v1/queue", "GET", true, ROLES_OFFICERS},
	{R_OFFICER_GET, "/v1/officer/consignments/{}", "GET", true, ROLES_OFFICERS},
	{R_ACTIONS, "/v1/consignments/{}/actions", "POST", true, ROLES_OFFICERS},
	{R_RULE_PERF, "/v1/rules/{s}/performance", "GET", true, ROLES_STAFF},
	{R_RULES, "/v1/rules", "GET, PUT, POST", true, ROLES_RULES},
	{R_RULES_VERSIONS, "/v1/rules/versions", "GET", true, ROLES_RULES},
	{R_RULES_VERSION, "/v1/rules/versions/{}", "GET", true, ROLES_RULES},
	{R_RULES_PERF, "/v1/rules/performance", "GET", true, ROLES_STAFF},
	{R_RULE, "/v1/rules/{s}", "GET, DELETE", true, ROLES_RULES}, /* after the two above */
	{R_OPSCORES, "/v1/risk/operator-scores", "GET", true, ROLES_STAFF},
	{R_RELEASE_TIMES, "/v1/stats/release-times", "GET", true, ROLES_STAFF},
	{R_STATIC, "/static/{s}", "GET", false, 0},
	{R_CONSOLE, "/console", "GET", false, 0},
	{R_CONSOLE_LOGIN, "/console/login", "GET, POST", false, 0},
	{R_CONSOLE_LOGOUT, "/console/logout", "POST", false, 0},
	{R_CONSOLE_QUEUE, "/console/queue", "GET", false, 0},
	{R_CONSOLE_CONSIGNMENT, "/console/consignments/{}", "GET, POST", false, 0},
	{R_CONSOLE_REFERRAL_DOC, "/console/referrals/{}/documents/{}", "GET", false, 0},
	{R_CONSOLE_OPERATORS, "/console/operators", "GET", false, 0},
	{R_CONSOLE_OPERATOR, "/console/operators/{}", "GET", false, 0},
	/* the registry (operators.h): administrators write (checked in handle) */
	{R_OPERATORS, "/v1/operators", "GET, POST", true, ROLES_ALL},
	{R_OPERATOR, "/v1/operators/{}", "GET, PATCH", true, ROLES_ALL},
	{R_OPERATOR_HISTORY, "/v1/operators/{}/history", "GET", true,
	 ROLE_ADMIN | ROLE_AUDITOR | ROLE_SUPERVISOR},
	/* MRAs are public; their writes authenticate an administrator in handle */
	{R_MRAS, "/v1/mras", "GET, POST", false, 0},
	{R_MRA, "/v1/mras/{}", "GET, PATCH", false, 0},
	{R_MRA_HISTORY, "/v1/mras/{}/history", "GET", true,
	 ROLE_ADMIN | ROLE_AUDITOR | ROLE_SUPERVISOR},
	{R_KEYS, "/v1/keys", "GET, POST", true, ROLE_ADMIN},
	{R_KEY, "/v1/keys/{s}", "DELETE", true, ROLE_ADMIN},
	/* the lifecycle of issue 5 */
	{R_EXIT, "/v1/consignments/{}/exit", "POST", true, ROLE_FILER},
	{R_OFFICER_EVENTS, "/v1/officer/consignments/{}/events", "GET", true,
	 ROLES_OFFICERS | ROLE_AUDITOR},
	{R_OFFICER_PARTS, "/v1/officer/consignments/{}/parts", "GET", true,
	 ROLES_OFFICERS | ROLE_AUDITOR},
	{R_REFER, "/v1/consignments/{}/referrals", "POST", true, ROLES_OFFICERS},
	{R_REFERRALS, "/v1/referrals", "GET", true,
	 ROLE_FILER | ROLE_AGENCY | ROLES_OFFICERS | ROLE_AUDITOR},
	{R_REFERRAL, "/v1/referrals/{}", "GET", true,
	 ROLE_FILER | ROLE_AGENCY | ROLES_OFFICERS | ROLE_AUDITOR},
	{R_REFERRAL_ANSWER, "/v1/referrals/{}/answer", "POST", true, ROLE_FILER | ROLE_AGENCY},
	{R_REFERRAL_CLOSE, "/v1/referrals/{}/close", "POST", true, ROLES_OFFICERS},
	{R_REFERRAL_DOC, "/v1/referrals/{}/documents/{}", "GET", true,
	 ROLE_FILER | ROLE_AGENCY | ROLES_OFFICERS | ROLE_AUDITOR},
	{R_PARTS, "/v1/parts", "GET, POST", true, ROLE_FILER},
	{R_PART, "/v1/parts/{}", "GET", true, ROLE_FILER},
	{R_NOTIFICATIONS, "/v1/notifications", "GET", true, ROLE_FILER | ROLE_AGENCY},
	{R_WEBHOOKS, "/v1/webhooks", "GET, POST", true, ROLE_FILER | ROLE_AGENCY},
	{R_WEBHOOK, "/v1/webhooks/{}", "GET, DELETE", true, ROLE_FILER | ROLE_AGENCY},
	/* the rules portal (portal.h): public, members' fields for a member
	 * caller, drafts and publication for the editors */
	{R_PORTAL_API, "/v1/portal", "GET", false, 0},
	{R_PORTAL_API_COUNTRY, "/v1/portal/countries/{s}", "GET", false, 0},
	{R_PORTAL_API_SEARCH, "/v1/portal/search", "GET", false, 0},
	{R_PORTAL_API_CODE, "/v1/portal/codes/{s}", "GET", false, 0},
	{R_PORTAL_API_COMPARE, "/v1/portal/compare", "GET", false, 0},
	{R_PORTAL_API_COMPARE_CSV, "/v1/portal/compare.csv", "GET", false, 0},
	{R_PORTAL_API_VERSIONS, "/v1/portal/versions", "GET", false, 0},
	{R_PORTAL_API_CHANGES, "/v1/portal/changes", "GET", false, 0},
	{R_PORTAL_API_DRAFTS, "/v1/portal/drafts", "GET", true, ROLES_EDITORS},
	{R_PORTAL_API_DRAFT, "/v1/portal/drafts/{s}", "GET, PUT, DELETE", true, ROLES_EDITORS},
	{R_PORTAL_API_PUBLISH, "/v1/portal/publish", "POST", true, ROLES_EDITORS},
	{R_PORTAL, "/portal", "GET", false, 0},
	{R_PORTAL_SEARCH, "/portal/search", "GET", false, 0},
	{R_PORTAL_COUNTRY, "/portal/countries/{s}", "GET", false, 0},
	{R_PORTAL_CODE, "/portal/codes/{s}", "GET", false, 0},
	{R_PORTAL_COMPARE, "/portal/compare", "GET", false, 0},
	{R_PORTAL_CALC, "/portal/calculator", "GET, POST", false, 0},
	{R_PORTAL_CHANGES, "/portal/changes", "GET", false, 0},
	{R_PORTAL_EDIT, "/portal/edit", "GET", false, 0},
	{R_PORTAL_EDIT_COUNTRY, "/portal/edit/{s}", "GET, POST", false, 0},
	{R_PORTAL_PUBLISH, "/portal/publish", "POST", false, 0},
	{R_STATS_CONSIGNMENTS, "/v1/stats/consignments", "GET", true, ROLES_STAFF},
	{R_STATS_RULES, "/v1/stats/rules", "GET", true, ROLES_STAFF},
	{R_CONSOLE_STATS, "/console/stats", "GET", false, 0},
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

/* The consignments of the officers' queue: what MLV_STORE_WAITING_SQL
 * (store) counts as waiting, read from the state counts. */
struct states_ctx {
	mlv_buf *b;
	int64_t waiting;
	int rc;
};

static int state_sample(void *ctx, const char *state, int lane, int64_t n)
{
	struct states_ctx *c = ctx;
	if (strcmp(state, "referred") == 0 || strcmp(state, "arrived") == 0 ||
	    strcmp(state, "held") == 0 || strcmp(state, "inspected") == 0 ||
	    (strcmp(state, "assessed") == 0 && lane != 1 /* green */))
		c->waiting += n;
	/* state names are the lifecycle's words: nothing to escape */
	return mlv_buf_printf(c->b, "mlv_consignments{state=\"%s\",lane=\"%s\"} %lld\n", state,
			      mlv_stats_lane_name(lane), (long long)n);
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
	mlv_buf *b = &resp->body;
	int rc = mlv_metrics_write(s->metrics, names, b);
	if (rc == 0)
		rc = mlv_buf_printf(
			b,
			"# HELP mlv_filings_stored_total Filings stored by the writer thread.\n"
			"# TYPE mlv_filings_stored_total counter\nmlv_filings_stored_total %llu\n"
			"# HELP mlv_filings_total Filings that reached the writer, by outcome"
			" (rate() gives filings per second).\n"
			"# TYPE mlv_filings_total counter\n"
			"mlv_filings_total{outcome=\"created\"} %llu\n"
			"mlv_filings_total{outcome=\"amended\"} %llu\n"
			"mlv_filings_total{outcome=\"unchanged\"} %llu\n"
			"mlv_filings_total{outcome=\"refused\"} %llu\n"
			"mlv_filings_total{outcome=\"rejected\"} %llu\n"
			"# HELP mlv_writer_batches_total Group commits (one fsync each).\n"
			"# TYPE mlv_writer_batches_total counter\nmlv_writer_batches_total %llu\n"
			"# HELP mlv_writer_failures_total Writer transactions that failed.\n"
			"# TYPE mlv_writer_failures_total counter\nmlv_writer_failures_total %llu\n"
			"# HELP mlv_writer_queued_jobs Jobs waiting for the writer thread.\n"
			"# TYPE mlv_writer_queued_jobs gauge\nmlv_writer_queued_jobs %zu\n"
			"# HELP mlv_writer_queued_filings Filings in the jobs waiting for the writer.\n"
			"# TYPE mlv_writer_queued_filings gauge\nmlv_writer_queued_filings %zu\n"
			"# HELP mlv_http_header_timeouts_total Connections closed because their headers "
			"missed the deadline.\n"
			"# TYPE mlv_http_header_timeouts_total counter\nmlv_http_header_timeouts_total %llu\n"
			"# HELP mlv_uptime_seconds Seconds since the server started.\n"
			"# TYPE mlv_uptime_seconds gauge\nmlv_uptime_seconds %lld\n",
			(unsigned long long)ws.filings, (unsigned long long)ws.created,
			(unsigned long long)ws.amended, (unsigned long long)ws.unchanged,
			(unsigned long long)ws.refused, (unsigned long long)ws.rejected,
			(unsigned long long)ws.batches, (unsigned long long)ws.failures, ws.queued,
			ws.queued_filings, (unsigned long long)mlv_http_header_timeouts(s->http),
			(long long)((mlv_now_ms() - s->started_ms) / 1000));
	if (rc == 0)
		rc = mlv_metrics_write_store(s->metrics, b);
	/* from the store: the audit log, the database, the consignments by state */
	uint64_t leaves = 0;
	int64_t bytes = 0;
	struct states_ctx sc = {b, 0, 0};
	if (rc == 0)
		rc = mlv_buf_adds(b, "# HELP mlv_consignments Consignments now in each state, by lane.\n"
				     "# TYPE mlv_consignments gauge\n");
	if (rc == 0) {
		mlv_store *st = api_reader_acquire(s);
		rc = mlv_store_audit_size(st, &leaves);
		if (rc == 0)
			rc = mlv_store_size(st, &bytes);
		if (rc == 0)
			rc = mlv_store_stats_states(st, state_sample, &sc);
		api_reader_release(s, st);
	}
	if (rc == 0)
		rc = mlv_buf_printf(
			b,
			"# HELP mlv_officer_queue_consignments Consignments waiting for customs (open"
			" referrals, goods at the border not decided, pre-arrival selections).\n"
			"# TYPE mlv_officer_queue_consignments gauge\nmlv_officer_queue_consignments %lld\n"
			"# HELP mlv_audit_log_leaves Leaves of the audit log (one per event).\n"
			"# TYPE mlv_audit_log_leaves gauge\nmlv_audit_log_leaves %llu\n"
			"# HELP mlv_store_size_bytes Size of the database file.\n"
			"# TYPE mlv_store_size_bytes gauge\nmlv_store_size_bytes %lld\n",
			(long long)sc.waiting, (unsigned long long)leaves, (long long)bytes);
	if (rc != 0) {
		mlv_buf_reset(b);
		mlv_http_problem_err(resp, rc, NULL);
	}
	return 0;
}

/* The role check of routes whose unsafe methods admit fewer roles than
 * their reads: false after answering 403. */
static bool admitted(const struct auth *a, unsigned roles, mlv_resp *resp)
{
	if ((a->role_bit & roles) != 0)
		return true;
	char detail[96];
	snprintf(detail, sizeof(detail), "this method is not open to the role '%s'", a->role);
	mlv_http_problem(resp, 403, "forbidden", NULL, detail, NULL);
	return false;
}

/* Times the writer's transactions for /metrics. */
static void store_observed(void *ctx, size_t filings, int64_t ns)
{
	(void)filings;
	mlv_server *s = ctx;
	mlv_metrics_store(s->metrics, MLV_STORE_OP_FILE, ns);
}

int64_t api_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void api_store_timed(mlv_server *s, int64_t start_ns)
{
	mlv_metrics_store(s->metrics, MLV_STORE_OP_ACTION, api_now_ns() - start_ns);
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
	if (r->auth && !api_authenticate(s, req, resp, &a))
		goto done;
	if (r->auth && (a.role_bit & r->roles) == 0) {
		char detail[96];
		snprintf(detail, sizeof(detail), "this resource is not open to the role '%s'",
			 a.role);
		mlv_http_problem(resp, 403, "forbidden", NULL, detail, NULL);
		goto done;
	}
	/* Filers and agencies reach their own objects only: a person of such a
	 * role who acts for no operator reaches nothing (filer id 0 would read
	 * as an officer's "any"). */
	if (r->auth && (a.role_bit & (ROLE_FILER | ROLE_AGENCY)) && a.filer_id <= 0) {
		mlv_http_problem(resp, 403, "forbidden", NULL,
				 "this person acts for no operator: ask an administrator", NULL);
		goto done;
	}
	bool post = strcmp(req->method, "POST") == 0;
	bool write = post || strcmp(req->method, "PATCH") == 0;
	/* Public reads with administrators' writes: authenticate the writes. */
	if (!r->auth && write && (r->id == R_MRAS || r->id == R_MRA) &&
	    !api_authenticate(s, req, resp, &a))
		goto done;
	if (write && (r->id == R_OPERATORS || r->id == R_OPERATOR || r->id == R_MRAS ||
		      r->id == R_MRA) &&
	    !admitted(&a, ROLE_ADMIN, resp))
		goto done;
	switch (r->id) {
	case R_HEALTH:
		rc = healthz(s, resp);
		break;
	case R_METRICS:
		rc = metrics(s, resp);
		break;
	case R_RELEASE_TIMES:
		rc = api_release_times(s, req, resp);
		break;
	case R_CONSIGNMENTS:
		rc = post ? api_post_consignment(s, req, resp, &a) : api_list_consignments(s, req, resp, &a);
		break;
	case R_BATCH:
		rc = api_post_batch(s, req, resp, &a);
		break;
	case R_CONSIGNMENT:
		rc = api_get_consignment(s, req, resp, &a, args[0], 0);
		break;
	case R_VERSION:
		if (args[1] > 1000000)
			mlv_http_problem(resp, 404, "not-found", NULL, "no such version", NULL);
		else
			rc = api_get_consignment(s, req, resp, &a, args[0], (int)args[1]);
		break;
	case R_EVENTS:
		rc = api_get_events(s, resp, &a, args[0]);
		break;
	case R_AUDIT_STH:
		rc = api_audit_sth(s, resp);
		break;
	case R_AUDIT_KEY:
		rc = api_audit_public_key(s, resp);
		break;
	case R_AUDIT_INCLUSION:
		rc = api_audit_inclusion(s, req, resp, &a);
		break;
	case R_AUDIT_CONSISTENCY:
		rc = api_audit_consistency(s, req, resp);
		break;
	case R_QUOTE:
		rc = quote(s, req, resp);
		break;
	case R_ARRIVAL:
		rc = api_arrival(s, req, resp, &a, args[0]);
		break;
	case R_REFUND:
		rc = api_refund(s, req, resp, &a, args[0]);
		break;
	case R_ACCOUNT:
		rc = api_account(s, resp, &a, args[0]);
		break;
	case R_STATEMENT:
		rc = api_statement(s, req, resp, &a, args[0]);
		break;
	case R_QUEUE:
		rc = api_queue_list(s, req, resp);
		break;
	case R_OFFICER_GET: {
		struct auth any = a;
		any.filer_id = 0; /* officers read every consignment */
		rc = api_get_consignment(s, req, resp, &any, args[0], 0);
		break;
	}
	case R_ACTIONS:
		rc = api_officer_action(s, req, resp, &a, args[0]);
		break;
	case R_RULE_PERF:
		rc = api_rule_performance(s, resp, name);
		break;
	case R_RULES:
		rc = strcmp(req->method, "PUT") == 0 ? api_rules_put(s, req, resp, &a)
		     : post			       ? api_rules_post(s, req, resp, &a)
						       : api_rules_get(s, req, resp);
		break;
	case R_RULES_VERSIONS:
		rc = api_rules_versions(s, req, resp);
		break;
	case R_RULES_VERSION:
		rc = api_rules_version(s, resp, args[0]);
		break;
	case R_RULES_PERF:
		rc = api_rules_performance(s, req, resp);
		break;
	case R_RULE:
		rc = strcmp(req->method, "DELETE") == 0 ? api_rules_delete(s, req, resp, &a, name)
							 : api_rule_get(s, resp, name);
		break;
	case R_OPSCORES:
		rc = api_operator_scores(s, req, resp);
		break;
	case R_STATIC:
		rc = api_static(resp, name);
		break;
	case R_CONSOLE:
		rc = api_console_home(s, req, resp);
		break;
	case R_CONSOLE_LOGIN:
		rc = post ? api_console_login(s, req, resp) : api_console_login_page(s, req, resp);
		break;
	case R_CONSOLE_LOGOUT:
		rc = api_console_logout(s, req, resp);
		break;
	case R_OPERATORS:
		rc = post ? api_operator_post(s, req, resp, &a) : api_operators_list(s, req, resp, &a);
		break;
	case R_OPERATOR:
		rc = write ? api_operator_patch(s, req, resp, &a, args[0])
			   : api_operator_get(s, req, resp, &a, args[0]);
		break;
	case R_OPERATOR_HISTORY:
		rc = api_operator_history(s, resp, args[0]);
		break;
	case R_MRA_HISTORY:
		rc = api_mra_history(s, resp, args[0]);
		break;
	case R_MRAS:
		rc = post ? api_mra_post(s, req, resp, &a) : api_mras_list(s, req, resp);
		break;
	case R_MRA:
		rc = write ? api_mra_patch(s, req, resp, &a, args[0]) : api_mra_get(s, resp, args[0]);
		break;
	case R_KEYS:
		rc = post ? api_key_post(s, req, resp, &a) : api_keys_list(s, req, resp);
		break;
	case R_KEY:
		rc = api_key_delete(s, resp, &a, name);
		break;
	case R_CONSOLE_QUEUE:
		rc = api_console_queue(s, req, resp);
		break;
	case R_CONSOLE_CONSIGNMENT:
		rc = api_console_consignment(s, req, resp, args[0]);
		break;
	case R_CONSOLE_REFERRAL_DOC:
		rc = api_console_referral_doc(s, req, resp, args[0], args[1]);
		break;
	case R_CONSOLE_OPERATORS:
		rc = api_console_operators(s, req, resp);
		break;
	case R_CONSOLE_OPERATOR:
		rc = api_console_operator(s, req, resp, args[0]);
		break;
	case R_EXIT:
		rc = api_exit(s, req, resp, &a, args[0]);
		break;
	case R_OFFICER_EVENTS:
		rc = api_officer_events(s, resp, args[0]);
		break;
	case R_OFFICER_PARTS:
		rc = api_officer_parts(s, resp, args[0]);
		break;
	case R_REFER:
		rc = api_referral_create(s, req, resp, &a, args[0]);
		break;
	case R_REFERRALS:
		rc = api_referrals_list(s, req, resp, &a);
		break;
	case R_REFERRAL:
		rc = api_referral_get(s, resp, &a, args[0]);
		break;
	case R_REFERRAL_ANSWER:
		rc = api_referral_answer(s, req, resp, &a, args[0]);
		break;
	case R_REFERRAL_CLOSE:
		rc = api_referral_close(s, req, resp, &a, args[0]);
		break;
	case R_REFERRAL_DOC:
		rc = api_referral_document(s, resp, &a, args[0], args[1]);
		break;
	case R_PARTS:
		rc = post ? api_part_post(s, req, resp, &a) : api_parts_list(s, req, resp, &a);
		break;
	case R_PART:
		rc = api_part_get(s, resp, &a, args[0]);
		break;
	case R_NOTIFICATIONS:
		rc = api_notifications(s, req, resp, &a);
		break;
	case R_WEBHOOKS:
		rc = post ? api_webhook_create(s, req, resp, &a) : api_webhooks_list(s, resp, &a);
		break;
	case R_WEBHOOK:
		rc = strcmp(req->method, "DELETE") == 0 ? api_webhook_delete(s, resp, &a, args[0])
							: api_webhook_get(s, resp, &a, args[0]);
		break;
	case R_PORTAL_API:
		rc = portal_api_index(s, req, resp);
		break;
	case R_PORTAL_API_COUNTRY:
		rc = portal_api_country(s, req, resp, name);
		break;
	case R_PORTAL_API_SEARCH:
		rc = portal_api_search(s, req, resp);
		break;
	case R_PORTAL_API_CODE:
		rc = portal_api_code(s, req, resp, name);
		break;
	case R_PORTAL_API_COMPARE:
	case R_PORTAL_API_COMPARE_CSV:
		rc = portal_api_compare(s, req, resp, r->id == R_PORTAL_API_COMPARE_CSV);
		break;
	case R_PORTAL_API_VERSIONS:
		rc = portal_api_versions(s, req, resp);
		break;
	case R_PORTAL_API_CHANGES:
		rc = portal_api_changes(s, req, resp);
		break;
	case R_PORTAL_API_DRAFTS:
		rc = portal_api_drafts(s, req, resp, &a);
		break;
	case R_PORTAL_API_DRAFT:
		rc = portal_api_draft(s, req, resp, &a, name);
		break;
	case R_PORTAL_API_PUBLISH:
		rc = portal_api_publish(s, req, resp, &a);
		break;
	case R_PORTAL:
		rc = portal_page_home(s, req, resp);
		break;
	case R_PORTAL_SEARCH:
		rc = portal_page_search(s, req, resp);
		break;
	case R_PORTAL_COUNTRY:
		rc = portal_page_country(s, req, resp, name);
		break;
	case R_PORTAL_CODE:
		rc = portal_page_code(s, req, resp, name);
		break;
	case R_PORTAL_COMPARE:
		rc = portal_page_compare(s, req, resp);
		break;
	case R_PORTAL_CALC:
		rc = portal_page_calculator(s, req, resp);
		break;
	case R_PORTAL_CHANGES:
		rc = portal_page_changes(s, req, resp);
		break;
	case R_PORTAL_EDIT:
		rc = portal_page_edit(s, req, resp);
		break;
	case R_PORTAL_EDIT_COUNTRY:
		rc = portal_page_edit_country(s, req, resp, name);
		break;
	case R_PORTAL_PUBLISH:
		rc = portal_page_publish(s, req, resp);
		break;
	case R_STATS_CONSIGNMENTS:
		rc = api_stats_consignments(s, req, resp);
		break;
	case R_STATS_RULES:
		rc = api_stats_rules(s, req, resp);
		break;
	case R_CONSOLE_STATS:
		rc = api_console_stats(s, req, resp);
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
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_recent_by_buyer(st, buyer_key, since_ms, filer_id, lrn, values, times,
					   max, n);
	api_reader_release(s, st);
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
	pthread_mutex_init(&s->ops_lock, NULL);
	if (mlv_auth_new(&s->auth, 30) != 0 ||
	    mlv_metrics_new(&s->metrics, MLV_ARRAY_LEN(routes)) != 0) {
		mlv_auth_free(s->auth);
		free(s);
		return MLV_ENOMEM;
	}
	mlv_auth_set_limits(s->auth, opts->rate_per_key, opts->auth_max_failures,
			    opts->auth_window_s, opts->public_rate);
	/* the portal's index and rules, built once; it serves nothing without
	 * country profiles */
	if (portal_i18n_check() != 0) {
		mlv_auth_free(s->auth);
		mlv_metrics_free(s->metrics);
		free(s);
		snprintf(err, errlen, "the portal's message table misses a translation");
		return MLV_EINVALID;
	}
	if (mlv_portal_new(&s->portal, opts->rd, opts->profiles) != 0) {
		mlv_auth_free(s->auth);
		mlv_metrics_free(s->metrics);
		free(s);
		snprintf(err, errlen, "cannot build the rules portal's index");
		return MLV_ENOMEM;
	}
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
	mlv_writer_set_observer(s->writer, store_observed, s);
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
	if ((rc = api_operators_start(s, err, errlen)) != 0)
		goto fail;
	if (opts->webhooks) {
		mlv_webhooks_opts wo = {
			.db_path = opts->db_path,
			.synchronous_full = opts->synchronous_full,
			.allow_private = opts->webhook_allow_private,
			.backoff_ms = opts->webhook_backoff_ms,
			.backoff_max_ms = (int64_t)opts->webhook_backoff_max_s * 1000,
			.timeout_s = (long)opts->webhook_timeout_s,
			.poll_ms = opts->webhook_poll_ms,
			.log = opts->access_log,
		};
		if ((rc = mlv_webhooks_start(&s->webhooks, &wo, err, errlen)) != 0)
			goto fail;
	}
	if ((rc = api_risk_start(s, err, errlen)) != 0)
		goto fail;
	mlv_http_opts ho = {
		.address = opts->address,
		.port = opts->port,
		.threads = threads,
		.max_body = opts->max_body,
		.max_batch_body = opts->max_batch_body,
		.timeout_s = opts->timeout_s,
		.header_timeout_s = opts->header_timeout_s,
		.max_header = opts->max_header,
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
	mlv_webhooks_stop(s->webhooks);
	api_risk_stop(s);
	for (size_t i = 0; i < s->nreaders; i++)
		mlv_store_close(s->readers[i]);
	api_operators_stop(s);
	mlv_store_close(s->actions);
	pthread_mutex_destroy(&s->actions_lock);
	pthread_mutex_destroy(&s->pool_lock);
	pthread_cond_destroy(&s->pool_cond);
	for (size_t i = 0; i < s->nspare; i++)
		mlv_filing_free(s->spare[i]);
	pthread_mutex_destroy(&s->filings_lock);
	mlv_auth_free(s->auth);
	mlv_metrics_free(s->metrics);
	mlv_portal_free(s->portal);
	free(s);
}
