/* api_operators.c - the registry of operators and MRAs over HTTP, the
 * snapshot of it that filings read, the object-level checks that follow
 * from it (a party reaches a consignment; a filer its own operator), the
 * AEO release terms of arrivals, and administrators' API keys.
 *
 * Who sees what (docs/security.md, "Roles"): administrators write; customs
 * staff and administrators read every operator in full; a partner
 * administration reads the AEO holders that are not natural persons,
 * without contacts, addresses or filer accounts; a filer or agency reads
 * the one operator it acts for.  Anything outside the caller's scope
 * answers 404, exactly like a missing id.  MRAs are public. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "api_impl.h"
#include "mlv/codec.h"
#include "mlv/profile.h"
#include "problem.h"

/* ---- the snapshot -------------------------------------------------------------------- */

static int build(mlv_server *s, mlv_store *st, mlv_operators **out)
{
	mlv_operators_opts o = MLV_OPERATORS_OPTS_INIT;
	o.ctx.country = s->opts.validate.country;
	o.ctx.unions = s->unions;
	o.ctx.nunions = s->nunions;
	o.aeo_factor_percent = s->opts.aeo_factor_percent;
	o.guarantee_waiver = s->opts.aeo_guarantee_waiver;
	return mlv_store_operators_snapshot(st, &o, out);
}

/* Installs a snapshot unless a newer one is already there. */
static void install(mlv_server *s, mlv_operators *fresh)
{
	mlv_operators *old = NULL;
	pthread_mutex_lock(&s->ops_lock);
	if (s->ops == NULL || mlv_operators_settings(fresh)->generation >=
				      mlv_operators_settings(s->ops)->generation) {
		old = s->ops;
		s->ops = fresh;
	} else {
		old = fresh;
	}
	pthread_mutex_unlock(&s->ops_lock);
	mlv_operators_release(old);
}

int api_operators_refresh(mlv_server *s)
{
	mlv_operators *fresh = NULL;
	mlv_store *st = api_reader_acquire(s);
	int rc = build(s, st, &fresh);
	api_reader_release(s, st);
	if (rc == 0)
		install(s, fresh);
	return rc;
}

int api_operators_start(mlv_server *s, char *err, size_t errlen)
{
	/* Membership of customs unions from the country profiles: AEO status
	 * is valid across a union, and an MRA signed by the union covers it. */
	const mlv_profiles *ps = s->opts.profiles;
	size_t n = ps != NULL ? mlv_profiles_count(ps) : 0;
	s->unions = n > 0 ? calloc(n, sizeof(*s->unions)) : NULL;
	for (size_t i = 0; s->unions != NULL && i < n; i++) {
		const mlv_profile *p = mlv_profiles_at(ps, i);
		const mlv_profile *u = mlv_profile_union(p);
		if (u == NULL)
			continue;
		mlv_aeo_union_member *m = &s->unions[s->nunions++];
		snprintf(m->member, sizeof(m->member), "%s", mlv_profile_code(p));
		snprintf(m->union_code, sizeof(m->union_code), "%s", mlv_profile_code(u));
	}
	int rc = api_operators_refresh(s);
	if (rc != 0)
		snprintf(err, errlen, "cannot read the registry of operators: %s", mlv_strerror(rc));
	s->ops_checked_ms = mlv_now_ms();
	return rc;
}

/* After the HTTP threads stopped: nothing reads the snapshot any more. */
void api_operators_stop(mlv_server *s)
{
	mlv_operators_release(s->ops);
	s->ops = NULL;
	free(s->unions);
	s->unions = NULL;
	pthread_mutex_destroy(&s->ops_lock);
}

mlv_operators *api_operators(mlv_server *s)
{
	int64_t now = mlv_now_ms();
	bool check = false;
	pthread_mutex_lock(&s->ops_lock);
	if (now - s->ops_checked_ms >= 1000) {
		s->ops_checked_ms = now;
		check = true;
	}
	mlv_operators *snap = mlv_operators_retain(s->ops);
	pthread_mutex_unlock(&s->ops_lock);
	if (!check)
		return snap;
	int64_t gen = 0;
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_registry_generation(st, &gen);
	api_reader_release(s, st);
	if (rc == 0 && (snap == NULL || gen != mlv_operators_settings(snap)->generation) &&
	    api_operators_refresh(s) == 0) {
		mlv_operators_release(snap);
		pthread_mutex_lock(&s->ops_lock);
		snap = mlv_operators_retain(s->ops);
		pthread_mutex_unlock(&s->ops_lock);
	}
	return snap;
}

int64_t api_operator_of(mlv_server *s, const struct auth *a)
{
	if (a->filer_id <= 0)
		return 0;
	mlv_operators *snap = api_operators(s);
	int64_t id = mlv_operators_of_filer(snap, a->filer_id);
	mlv_operators_release(snap);
	return id;
}

bool api_party_owner(mlv_server *s, const struct auth *a, int64_t id, int64_t *owner)
{
	int64_t op = api_operator_of(s, a);
	if (op == 0)
		return false;
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_consignment_party(st, op, id, owner);
	api_reader_release(s, st);
	return rc == 0;
}

static int32_t today(void)
{
	return (int32_t)(mlv_now_ms() / 86400000);
}

static void recognise(const mlv_operators *snap, const mlv_op_aeo *aeo,
		      mlv_aeo_recognition *rec)
{
	size_t nmras = 0;
	const mlv_mra *mras = mlv_operators_mras(snap, &nmras);
	mlv_aeo_recognise(rec, aeo, &mlv_operators_settings(snap)->ctx, mras, nmras, today());
}

bool api_release_terms(mlv_server *s, int64_t filer_id, mlv_release_terms *out)
{
	memset(out, 0, sizeof(*out));
	if (s->opts.aeo_guarantee_waiver <= 0)
		return false;
	mlv_operators *snap = api_operators(s);
	const mlv_op_aeo *aeo = mlv_operators_aeo(snap, mlv_operators_of_filer(snap, filer_id));
	mlv_aeo_recognition rec;
	bool waiver = false;
	if (aeo != NULL) {
		recognise(snap, aeo, &rec);
		waiver = mlv_aeo_guarantee_waiver(aeo, &rec);
	}
	mlv_operators_release(snap);
	if (waiver) {
		out->guarantee_waiver = s->opts.aeo_guarantee_waiver;
		out->currency = s->opts.validate.currency;
	}
	return waiver;
}

/* ---- scopes ----------------------------------------------------------------------------- */

/* What a role sees of the registry. */
typedef enum { SCOPE_ALL, SCOPE_PARTNER, SCOPE_OWN } scope;

static scope scope_of(const struct auth *a)
{
	if (a->role_bit & (ROLES_STAFF | ROLE_ADMIN))
		return SCOPE_ALL;
	if (a->role_bit & ROLE_PARTNER)
		return SCOPE_PARTNER;
	return SCOPE_OWN;
}

/* Whether op lies in the caller's scope (own: the operator it acts for). */
static bool in_scope(scope sc, const mlv_operator *op, int64_t own)
{
	switch (sc) {
	case SCOPE_ALL:
		return true;
	case SCOPE_PARTNER:
		return op->aeo.present && !op->natural_person;
	case SCOPE_OWN:
		return own != 0 && op->id == own;
	}
	return false;
}

static void actor_of(const struct auth *a, char *out, size_t size)
{
	snprintf(out, size, "%s:%s", a->role, a->filer);
}

static int write_operator(mlv_buf *b, const mlv_operators *snap, const mlv_operator *op,
			  scope sc)
{
	mlv_aeo_recognition rec;
	recognise(snap, &op->aeo, &rec);
	return mlv_operator_write_json(b, op, sc == SCOPE_PARTNER ? MLV_OP_VIEW_PARTNER
								  : MLV_OP_VIEW_FULL,
				       &rec);
}

/* ETag: the record's version, for If-Match on the next change. */
static void set_etag(mlv_req *req, mlv_resp *resp, int version)
{
	char *buf = mlv_arena_alloc(req->arena, 16);
	if (buf == NULL)
		return;
	snprintf(buf, 16, "\"%d\"", version);
	resp->extra_name = "ETag";
	resp->extra_value = buf;
}

/* ---- GET /v1/operators ------------------------------------------------------------------ */

struct list_ctx {
	mlv_buf *b;
	const mlv_operators *snap;
	scope sc;
	int n;
};

static int list_row(void *ctx, const mlv_operator *op)
{
	struct list_ctx *lc = ctx;
	int rc = lc->n++ ? mlv_buf_addc(lc->b, ',') : 0;
	return rc ? rc : write_operator(lc->b, lc->snap, op, lc->sc);
}

int api_operators_list(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a)
{
	mlv_operator_query q;
	memset(&q, 0, sizeof(q));
	q.limit = 50;
	q.aeo = -1;
	int64_t v;
	const char *p;
	char ident[MLV_OP_IDENT_MAX];
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
	if ((p = mlv_req_query(req, "kind")) != NULL && (q.kind = mlv_op_kind_parse(p)) == 0)
		return api_bad_param(resp, "kind", "is not a kind of operator (docs/operators.md)");
	if ((p = mlv_req_query(req, "country")) != NULL) {
		if (!mlv_country_exists(s->opts.rd, p))
			return api_bad_param(resp, "country", "is not an ISO 3166-1 code");
		q.country = p;
	}
	if ((p = mlv_req_query(req, "identifier")) != NULL) {
		if (strlen(p) > 64 || !mlv_op_ident_norm(p, ident, sizeof(ident)))
			return api_bad_param(resp, "identifier", "is not an identifier");
		q.identifier = ident;
	}
	if ((p = mlv_req_query(req, "name")) != NULL) {
		if (strlen(p) < 2 || strlen(p) > 140)
			return api_bad_param(resp, "name", "must be 2 to 140 characters");
		q.name = p;
	}
	if ((p = mlv_req_query(req, "aeo")) != NULL) {
		if (strcmp(p, "true") != 0 && strcmp(p, "false") != 0)
			return api_bad_param(resp, "aeo", "must be true or false");
		q.aeo = strcmp(p, "true") == 0;
	}
	if ((p = mlv_req_query(req, "filer")) != NULL) {
		if (strlen(p) < 1 || strlen(p) > 60)
			return api_bad_param(resp, "filer", "must be 1 to 60 characters");
		q.filer = p;
	}
	scope sc = scope_of(a);
	bool empty = false;
	if (sc == SCOPE_PARTNER) {
		empty = q.aeo == 0; /* a partner sees AEO holders only */
		q.aeo = 1;
		q.no_natural_persons = true;
	}
	if (sc == SCOPE_OWN) {
		q.only_id = api_operator_of(s, a);
		empty = q.only_id == 0; /* acts for no operator */
	}
	mlv_operators *snap = api_operators(s);
	struct list_ctx lc = {&resp->body, snap, sc, 0};
	int64_t next = 0;
	int rc = mlv_buf_adds(&resp->body, "{\"items\":[");
	if (rc == 0 && !empty) {
		mlv_store *st = api_reader_acquire(s);
		rc = mlv_store_operator_list(st, &q, list_row, &lc, &next);
		api_reader_release(s, st);
	}
	mlv_operators_release(snap);
	if (rc == 0)
		rc = next ? mlv_buf_printf(&resp->body, "],\"next_cursor\":\"%lld\"}", (long long)next)
			  : mlv_buf_adds(&resp->body, "],\"next_cursor\":null}");
	if (rc != 0)
		mlv_http_problem_err(resp, rc, "the list could not be read");
	return 0;
}

/* Reads operator id if it is in the caller's scope: 0, or MLV_ENOTFOUND
 * (also when out of scope), or the store's error. */
static int read_scoped(mlv_server *s, const struct auth *a, int64_t id, mlv_operator *op,
		       scope *sc)
{
	*sc = scope_of(a);
	int64_t own = *sc == SCOPE_OWN ? api_operator_of(s, a) : 0;
	if (*sc == SCOPE_OWN && own != id)
		return MLV_ENOTFOUND; /* not even a store read: nothing to learn from timing */
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_operator_get(st, id, op);
	api_reader_release(s, st);
	if (rc == 0 && !in_scope(*sc, op, own))
		rc = MLV_ENOTFOUND;
	return rc;
}

int api_operator_get(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
		     int64_t id)
{
	mlv_operator *op = malloc(sizeof(*op));
	scope sc;
	int rc = op != NULL ? read_scoped(s, a, id, op, &sc) : MLV_ENOMEM;
	if (rc == MLV_ENOTFOUND) {
		mlv_http_problem(resp, 404, "not-found", NULL, "no such operator", NULL);
	} else if (rc != 0) {
		mlv_http_problem_err(resp, rc, "the operator could not be read");
	} else {
		mlv_operators *snap = api_operators(s);
		rc = write_operator(&resp->body, snap, op, sc);
		mlv_operators_release(snap);
		if (rc != 0)
			mlv_http_problem_err(resp, rc, NULL);
		else
			set_etag(req, resp, op->version);
	}
	free(op);
	return 0;
}

/* ---- writes ----------------------------------------------------------------------------- */

/* The body of a write: JSON (application/json or +json), decoded into op
 * by the core's strict decoder.  False once it has answered. */
static bool decode_operator(mlv_server *s, mlv_req *req, mlv_resp *resp, mlv_operator *op,
			    bool patch)
{
	if (!api_content_type_ok(req, false)) {
		mlv_http_problem(resp, 415, "media-type", NULL,
				 "send the operator as application/json", NULL);
		return false;
	}
	mlv_problems p;
	mlv_problems_init(&p);
	int rc = mlv_operator_decode(op, req->body.data ? req->body.data : "", req->body.len, patch,
				     s->opts.rd, &p);
	bool ok = rc == 0 && !mlv_problems_has_errors(&p);
	if (rc == MLV_EINVALID)
		mlv_http_problem(resp, 400, "malformed", NULL,
				 "the body is not a JSON object within the limits", &p);
	else if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	else if (!ok)
		mlv_http_problem(resp, 422, "validation", "Validation failed",
				 "the operator breaks the rules listed in 'errors'", &p);
	mlv_problems_clear(&p);
	return ok;
}

/* The answer to a failed store write. */
static void write_failed(mlv_resp *resp, int rc, const char *why)
{
	if (rc == MLV_EEXISTS) {
		mlv_http_problem(resp, 409, "conflict", NULL, why, NULL);
	} else if (rc == MLV_EINVALID) {
		mlv_problems p;
		mlv_problems_init(&p);
		mlv_problems_add(&p, MLV_SEV_ERROR, "/filers", "filer_unknown", "%s", why);
		mlv_http_problem(resp, 422, "validation", "Validation failed", why, &p);
		mlv_problems_clear(&p);
	} else if (rc == MLV_ECONFLICT) {
		mlv_http_problem(resp, 412, "precondition", "Precondition Failed",
				 "the record changed since the version you sent in If-Match (or "
				 "meanwhile): read it again",
				 NULL);
	} else if (rc == MLV_ENOTFOUND) {
		mlv_http_problem(resp, 404, "not-found", NULL, "no such operator", NULL);
	} else {
		mlv_http_problem_err(resp, rc, "the registry could not be written");
	}
}

static int answer_operator(mlv_server *s, mlv_req *req, mlv_resp *resp, const mlv_operator *op,
			   int status)
{
	mlv_operators *snap = api_operators(s);
	int rc = write_operator(&resp->body, snap, op, SCOPE_ALL);
	mlv_operators_release(snap);
	if (rc != 0) {
		mlv_http_problem_err(resp, rc, NULL);
		return 0;
	}
	resp->status = status;
	set_etag(req, resp, op->version);
	return 0;
}

int api_operator_post(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a)
{
	mlv_operator *op = calloc(1, sizeof(*op));
	char actor[96], why[200] = "";
	if (op == NULL) {
		mlv_http_problem_err(resp, MLV_ENOMEM, NULL);
		return 0;
	}
	if (decode_operator(s, req, resp, op, false)) {
		actor_of(a, actor, sizeof(actor));
		pthread_mutex_lock(&s->actions_lock);
		int rc = mlv_store_operator_create(s->actions, op, actor, mlv_now_ms(), why,
						   sizeof(why));
		pthread_mutex_unlock(&s->actions_lock);
		if (rc != 0) {
			write_failed(resp, rc, why);
		} else {
			(void)api_operators_refresh(s);
			snprintf(resp->location, sizeof(resp->location), "/v1/operators/%lld",
				 (long long)op->id);
			answer_operator(s, req, resp, op, 201);
		}
	}
	free(op);
	return 0;
}

/* If-Match: "3" (or 3, or W/"3"): the version the change applies to; 0
 * when absent; -1 when not a version. */
static int if_match(mlv_req *req)
{
	const char *h = mlv_req_header(req, "If-Match");
	int64_t v;
	char digits[16];
	if (h == NULL)
		return 0;
	if (strncmp(h, "W/", 2) == 0)
		h += 2;
	size_t n = strlen(h);
	if (n >= 2 && h[0] == '"' && h[n - 1] == '"') {
		h++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(digits))
		return -1;
	memcpy(digits, h, n);
	digits[n] = '\0';
	return api_parse_int(digits, 1, 1000000000, &v) ? (int)v : -1;
}

int api_operator_patch(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
		       int64_t id)
{
	int expected = if_match(req);
	if (expected < 0) {
		mlv_http_problem(resp, 400, "bad-header", NULL,
				 "If-Match must be the version, as the ETag gave it (\"3\")", NULL);
		return 0;
	}
	mlv_operator *op = malloc(sizeof(*op));
	char actor[96], why[200] = "";
	if (op == NULL) {
		mlv_http_problem_err(resp, MLV_ENOMEM, NULL);
		return 0;
	}
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_operator_get(st, id, op);
	api_reader_release(s, st);
	if (rc != 0) {
		write_failed(resp, rc, why);
		free(op);
		return 0;
	}
	/* The change applies to what was read: the store refuses it if the
	 * record moved on meanwhile (lost updates are impossible). */
	if (expected == 0)
		expected = op->version;
	else if (expected != op->version) {
		write_failed(resp, MLV_ECONFLICT, why);
		free(op);
		return 0;
	}
	if (decode_operator(s, req, resp, op, true)) {
		bool changed = false;
		actor_of(a, actor, sizeof(actor));
		pthread_mutex_lock(&s->actions_lock);
		rc = mlv_store_operator_update(s->actions, op, expected, actor, mlv_now_ms(), &changed,
					       why, sizeof(why));
		pthread_mutex_unlock(&s->actions_lock);
		if (rc != 0) {
			write_failed(resp, rc, why);
		} else {
			if (changed)
				(void)api_operators_refresh(s);
			answer_operator(s, req, resp, op, 200);
		}
	}
	free(op);
	return 0;
}

/* ---- GET /v1/operators/{id}/history ----------------------------------------------------- */

struct hist_ctx {
	mlv_buf *b;
	const mlv_operators *snap;
	int n;
};

/* One change's members before its record: {"version":..,"changed":[..],"record": */
static int change_head(struct hist_ctx *hc, const mlv_registry_change *ch)
{
	char at[32];
	api_ms_to_rfc3339(ch->at_ms, at);
	int rc = mlv_buf_printf(hc->b, "%s{\"version\":%d,\"at\":\"%s\",\"actor\":",
				hc->n++ ? "," : "", ch->version, at);
	if (rc == 0)
		rc = mlv_buf_add_json_string(hc->b, ch->actor, strlen(ch->actor));
	if (rc == 0)
		rc = mlv_buf_printf(hc->b, ",\"change\":\"%s\",\"changed\":[", ch->change);
	/* the comma-separated member names, as an array */
	const char *p = ch->changed;
	for (int k = 0; rc == 0 && *p; k++) {
		size_t n = strcspn(p, ",");
		if (k > 0)
			rc = mlv_buf_addc(hc->b, ',');
		if (rc == 0)
			rc = mlv_buf_add_json_string(hc->b, p, n);
		p += n + (p[n] == ',');
	}
	return rc ? rc : mlv_buf_adds(hc->b, "],\"record\":");
}

/* Ends a history answer: 404 when the object does not exist, the closing
 * of the list, or the store's error. */
static int history_end(mlv_resp *resp, int rc, const char *missing)
{
	if (rc == MLV_ENOTFOUND) {
		mlv_http_problem(resp, 404, "not-found", NULL, missing, NULL);
		return 0;
	}
	if (rc == 0)
		rc = mlv_buf_adds(&resp->body, "]}");
	if (rc != 0)
		mlv_http_problem_err(resp, rc, "the history could not be read");
	return 0;
}

static int history_row(void *ctx, const mlv_registry_change *ch, const mlv_operator *op)
{
	struct hist_ctx *hc = ctx;
	int rc = change_head(hc, ch);
	if (rc == 0)
		rc = mlv_operator_write_json(hc->b, op, MLV_OP_VIEW_FULL, NULL);
	return rc ? rc : mlv_buf_addc(hc->b, '}');
}

int api_operator_history(mlv_server *s, mlv_resp *resp, int64_t id)
{
	struct hist_ctx hc = {&resp->body, NULL, 0};
	int rc = mlv_buf_printf(&resp->body, "{\"operator\":%lld,\"changes\":[", (long long)id);
	if (rc == 0) {
		mlv_store *st = api_reader_acquire(s);
		rc = mlv_store_operator_history(st, id, history_row, &hc);
		api_reader_release(s, st);
	}
	return history_end(resp, rc, "no such operator");
}

/* ---- GET /v1/mras/{id}/history ---------------------------------------------------------- */

static int mra_history_row(void *ctx, const mlv_registry_change *ch, const char *record,
			   size_t len)
{
	struct hist_ctx *hc = ctx;
	int rc = change_head(hc, ch);
	/* the record as the store wrote it (mlv_mra_write_json) */
	if (rc == 0)
		rc = record != NULL && len > 0 ? mlv_buf_add(hc->b, record, len) : MLV_EIO;
	return rc ? rc : mlv_buf_addc(hc->b, '}');
}

int api_mra_history(mlv_server *s, mlv_resp *resp, int64_t id)
{
	struct hist_ctx hc = {&resp->body, NULL, 0};
	int rc = mlv_buf_printf(&resp->body, "{\"mra\":%lld,\"changes\":[", (long long)id);
	if (rc == 0) {
		mlv_store *st = api_reader_acquire(s);
		rc = mlv_store_mra_history(st, id, mra_history_row, &hc);
		api_reader_release(s, st);
	}
	return history_end(resp, rc, "no such MRA");
}

/* ---- MRAs ---------------------------------------------------------------------------------- */

struct mra_ctx {
	mlv_buf *b;
	int n;
	int32_t today;
	int in_force; /* -1 any */
	const char *party;
};

static int mra_row(void *ctx, const mlv_mra *m)
{
	struct mra_ctx *mc = ctx;
	bool force = mc->today >= m->valid_from && mc->today <= m->valid_to;
	if (mc->in_force >= 0 && force != (mc->in_force == 1))
		return 0;
	if (mc->party != NULL && strcmp(m->party_a, mc->party) != 0 &&
	    strcmp(m->party_b, mc->party) != 0)
		return 0;
	int rc = mc->n++ ? mlv_buf_addc(mc->b, ',') : 0;
	return rc ? rc : mlv_mra_write_json(mc->b, m, mc->today);
}

/* Public answers are limited by address, like quotes. */
static bool public_rate_ok(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	char addr[64];
	mlv_req_client_addr(req, addr, sizeof(addr));
	int wait = mlv_auth_rate_public(s->auth, addr, mlv_now_ms());
	if (wait > 0)
		api_too_many(resp, wait, "too many requests from this address; retry after the delay");
	return wait <= 0;
}

int api_mras_list(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	if (!public_rate_ok(s, req, resp))
		return 0;
	struct mra_ctx mc = {&resp->body, 0, today(), -1, NULL};
	const char *p;
	if ((p = mlv_req_query(req, "in_force")) != NULL) {
		if (strcmp(p, "true") != 0 && strcmp(p, "false") != 0)
			return api_bad_param(resp, "in_force", "must be true or false");
		mc.in_force = strcmp(p, "true") == 0;
	}
	if ((p = mlv_req_query(req, "party")) != NULL) {
		if (strcmp(p, "EU") != 0 && !mlv_country_exists(s->opts.rd, p))
			return api_bad_param(resp, "party", "is not an ISO 3166-1 code or EU");
		mc.party = p;
	}
	int rc = mlv_buf_adds(&resp->body, "{\"items\":[");
	if (rc == 0) {
		mlv_store *st = api_reader_acquire(s);
		rc = mlv_store_mra_list(st, mra_row, &mc);
		api_reader_release(s, st);
	}
	if (rc == 0)
		rc = mlv_buf_adds(&resp->body, "]}");
	if (rc != 0)
		mlv_http_problem_err(resp, rc, "the MRAs could not be read");
	return 0;
}

int api_mra_get(mlv_server *s, mlv_resp *resp, int64_t id)
{
	mlv_mra m;
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_mra_get(st, id, &m);
	api_reader_release(s, st);
	if (rc == MLV_ENOTFOUND)
		mlv_http_problem(resp, 404, "not-found", NULL, "no such MRA", NULL);
	else if (rc != 0 || (rc = mlv_mra_write_json(&resp->body, &m, today())) != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

static bool decode_mra(mlv_server *s, mlv_req *req, mlv_resp *resp, mlv_mra *m, bool patch)
{
	if (!api_content_type_ok(req, false)) {
		mlv_http_problem(resp, 415, "media-type", NULL, "send the MRA as application/json",
				 NULL);
		return false;
	}
	mlv_problems p;
	mlv_problems_init(&p);
	int rc = mlv_mra_decode(m, req->body.data ? req->body.data : "", req->body.len, patch,
				s->opts.rd, &p);
	bool ok = rc == 0 && !mlv_problems_has_errors(&p);
	if (rc == MLV_EINVALID)
		mlv_http_problem(resp, 400, "malformed", NULL,
				 "the body is not a JSON object within the limits", &p);
	else if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	else if (!ok)
		mlv_http_problem(resp, 422, "validation", "Validation failed",
				 "the MRA breaks the rules listed in 'errors'", &p);
	mlv_problems_clear(&p);
	return ok;
}

int api_mra_post(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a)
{
	mlv_mra m;
	char actor[96];
	if (!decode_mra(s, req, resp, &m, false))
		return 0;
	actor_of(a, actor, sizeof(actor));
	pthread_mutex_lock(&s->actions_lock);
	int rc = mlv_store_mra_create(s->actions, &m, actor, mlv_now_ms());
	pthread_mutex_unlock(&s->actions_lock);
	if (rc == 0) {
		(void)api_operators_refresh(s);
		rc = mlv_mra_write_json(&resp->body, &m, today());
	}
	if (rc != 0) {
		mlv_http_problem_err(resp, rc, "the MRA could not be registered");
		return 0;
	}
	resp->status = 201;
	snprintf(resp->location, sizeof(resp->location), "/v1/mras/%lld", (long long)m.id);
	return 0;
}

int api_mra_patch(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a, int64_t id)
{
	int expected = if_match(req);
	mlv_mra m;
	char actor[96];
	if (expected < 0) {
		mlv_http_problem(resp, 400, "bad-header", NULL,
				 "If-Match must be the version (\"3\")", NULL);
		return 0;
	}
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_mra_get(st, id, &m);
	api_reader_release(s, st);
	if (rc == 0 && expected != 0 && expected != m.version)
		rc = MLV_ECONFLICT;
	if (rc != 0) {
		if (rc == MLV_ENOTFOUND)
			mlv_http_problem(resp, 404, "not-found", NULL, "no such MRA", NULL);
		else
			write_failed(resp, rc, "");
		return 0;
	}
	if (expected == 0)
		expected = m.version;
	if (!decode_mra(s, req, resp, &m, true))
		return 0;
	bool changed = false;
	actor_of(a, actor, sizeof(actor));
	pthread_mutex_lock(&s->actions_lock);
	rc = mlv_store_mra_update(s->actions, &m, expected, actor, mlv_now_ms(), &changed);
	pthread_mutex_unlock(&s->actions_lock);
	if (rc != 0) {
		write_failed(resp, rc, "");
		return 0;
	}
	if (changed)
		(void)api_operators_refresh(s);
	if ((rc = mlv_mra_write_json(&resp->body, &m, today())) != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

/* ---- API keys (administrators) ------------------------------------------------------------ */

struct key_ctx {
	mlv_buf *b;
	int n;
	int64_t now;
};

static int key_row(void *ctx, const mlv_key_info *k)
{
	struct key_ctx *kc = ctx;
	char created[32], expires[32] = "", revoked[32] = "";
	api_ms_to_rfc3339(k->created_at * 1000, created);
	if (k->expires_at)
		api_ms_to_rfc3339(k->expires_at * 1000, expires);
	if (k->revoked_at)
		api_ms_to_rfc3339(k->revoked_at * 1000, revoked);
	const char *state = k->revoked_at      ? "revoked"
			    : k->expires_at && k->expires_at <= kc->now ? "expired"
								      : "active";
	int rc = mlv_buf_printf(kc->b, "%s{\"prefix\":", kc->n++ ? "," : "");
	if (rc == 0)
		rc = mlv_buf_add_json_string(kc->b, k->prefix, strlen(k->prefix));
	if (rc == 0)
		rc = mlv_buf_printf(kc->b, ",\"role\":\"%s\",\"filer\":", k->role);
	if (rc == 0)
		rc = mlv_buf_add_json_string(kc->b, k->filer, strlen(k->filer));
	if (rc == 0)
		rc = mlv_buf_adds(kc->b, ",\"label\":");
	if (rc == 0)
		rc = mlv_buf_add_json_string(kc->b, k->label, strlen(k->label));
	if (rc == 0)
		rc = mlv_buf_printf(kc->b, ",\"state\":\"%s\",\"created_at\":\"%s\"", state, created);
	if (rc == 0)
		rc = k->expires_at ? mlv_buf_printf(kc->b, ",\"expires_at\":\"%s\"", expires)
				   : mlv_buf_adds(kc->b, ",\"expires_at\":null");
	if (rc == 0)
		rc = k->revoked_at ? mlv_buf_printf(kc->b, ",\"revoked_at\":\"%s\"}", revoked)
				   : mlv_buf_adds(kc->b, ",\"revoked_at\":null}");
	return rc;
}

int api_keys_list(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	const char *filer = mlv_req_query(req, "filer");
	if (filer != NULL && (strlen(filer) < 1 || strlen(filer) > 60))
		return api_bad_param(resp, "filer", "must be 1 to 60 characters");
	struct key_ctx kc = {&resp->body, 0, (int64_t)time(NULL)};
	int rc = mlv_buf_adds(&resp->body, "{\"items\":[");
	if (rc == 0) {
		mlv_store *st = api_reader_acquire(s);
		rc = mlv_store_key_list(st, filer, key_row, &kc);
		api_reader_release(s, st);
	}
	if (rc == 0)
		rc = mlv_buf_adds(&resp->body, "]}");
	if (rc != 0)
		mlv_http_problem_err(resp, rc, "the keys could not be read");
	return 0;
}

/* POST /v1/keys {"filer", "role", "label", "expires_days"}: strict like
 * every write; the key is in this answer only. */
int api_key_post(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a)
{
	static const char *const allowed[] = {"filer", "role", "label", "expires_days", NULL};
	static const char *const owned[] = {"key", "prefix", "state", "created_at", "revoked_at",
					    "expires_at", "id", NULL};
	mlv_problems p;
	mlv_problems_init(&p);
	cJSON *j = NULL;
	if (!api_content_type_ok(req, false)) {
		mlv_http_problem(resp, 415, "media-type", NULL, "send application/json", NULL);
		return 0;
	}
	if (req->body.len == 0 || mlv_json_depth(req->body.data, req->body.len, 1) > 1 ||
	    (j = cJSON_ParseWithLength(req->body.data, req->body.len)) == NULL ||
	    !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		mlv_http_problem(resp, 400, "malformed", NULL,
				 "send a JSON object {filer, role, label, expires_days}", NULL);
		return 0;
	}
	for (const cJSON *m = j->child; m != NULL; m = m->next) {
		char ptr[80];
		bool dup = false;
		for (const cJSON *e = j->child; e != m && !dup; e = e->next)
			dup = strcmp(e->string, m->string) == 0;
		bool known = false, server = false;
		for (size_t i = 0; allowed[i] && !known; i++)
			known = strcmp(allowed[i], m->string) == 0;
		for (size_t i = 0; owned[i] && !server; i++)
			server = strcmp(owned[i], m->string) == 0;
		snprintf(ptr, sizeof(ptr), "/%.70s", m->string);
		if (dup)
			mlv_problems_add(&p, MLV_SEV_ERROR, ptr, "duplicate_key", "given twice");
		else if (server)
			mlv_problems_add(&p, MLV_SEV_ERROR, ptr, "read_only",
					 "set by the server, never by a request");
		else if (!known)
			mlv_problems_add(&p, MLV_SEV_ERROR, ptr, "unknown_field",
					 "not a member of this request");
	}
	const char *filer = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "filer"));
	const char *role = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "role"));
	const cJSON *lv = cJSON_GetObjectItemCaseSensitive(j, "label");
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(j, "expires_days");
	const char *label = cJSON_GetStringValue(lv);
	if (filer == NULL || filer[0] == '\0' || strlen(filer) > 60)
		mlv_problems_add(&p, MLV_SEV_ERROR, "/filer", "required",
				 "the filer (or person, or service) the key is for: 1 to 60 characters");
	if (role == NULL || !mlv_store_role_valid(role))
		mlv_problems_add(&p, MLV_SEV_ERROR, "/role", "enum",
				 "one of filer, officer, analyst, supervisor, auditor, agency, "
				 "partner, admin");
	if (lv != NULL && (label == NULL || strlen(label) > 60))
		mlv_problems_add(&p, MLV_SEV_ERROR, "/label", "type", "a string of up to 60 bytes");
	if (ev != NULL && (!cJSON_IsNumber(ev) || ev->valuedouble != (double)(int)ev->valuedouble ||
			   ev->valuedouble < 1 || ev->valuedouble > 3650))
		mlv_problems_add(&p, MLV_SEV_ERROR, "/expires_days", "range",
				 "a whole number of days, 1 to 3650");
	if (p.errors > 0) {
		mlv_http_problem(resp, 422, "validation", "Validation failed",
				 "the request breaks the rules listed in 'errors'", &p);
		mlv_problems_clear(&p);
		cJSON_Delete(j);
		return 0;
	}
	mlv_problems_clear(&p);
	char token[96] = "", prefix[16] = "", actor[96];
	int64_t filer_id = 0;
	int64_t expires = ev != NULL ? (int64_t)time(NULL) + (int64_t)ev->valuedouble * 86400 : 0;
	actor_of(a, actor, sizeof(actor));
	pthread_mutex_lock(&s->actions_lock);
	int rc = mlv_store_filer_ensure(s->actions, filer, &filer_id);
	if (rc == 0)
		rc = mlv_store_key_create_role(s->actions, filer_id, label, expires, role, token,
					       sizeof(token));
	pthread_mutex_unlock(&s->actions_lock);
	if (rc == 0)
		rc = mlv_store_key_prefix(token, prefix);
	if (rc == 0) {
		fprintf(stderr, "level=info msg=\"API key created\" prefix=%s role=%s by=\"%s\"\n",
			prefix, role, actor);
		rc = mlv_buf_adds(&resp->body, "{\"key\":");
		if (rc == 0)
			rc = mlv_buf_add_json_string(&resp->body, token, strlen(token));
		if (rc == 0)
			rc = mlv_buf_printf(&resp->body, ",\"prefix\":\"%s\",\"role\":\"%s\",\"filer\":",
					    prefix, role);
		if (rc == 0)
			rc = mlv_buf_add_json_string(&resp->body, filer, strlen(filer));
		if (rc == 0)
			rc = mlv_buf_adds(&resp->body,
					  ",\"shown_once\":true,\"note\":\"store the key now: only its "
					  "hash is kept; revoke it with DELETE /v1/keys/{prefix}\"}");
	}
	cJSON_Delete(j);
	sodium_memzero(token, sizeof(token));
	if (rc != 0) {
		mlv_http_problem_err(resp, rc, "the key could not be created");
		return 0;
	}
	resp->status = 201;
	return 0;
}

int api_key_delete(mlv_server *s, mlv_resp *resp, const struct auth *a, const char *prefix)
{
	char actor[96];
	if (strlen(prefix) != 12 || strncmp(prefix, "mlv_", 4) != 0) {
		mlv_http_problem(resp, 404, "not-found", NULL, "no active key has this prefix", NULL);
		return 0;
	}
	pthread_mutex_lock(&s->actions_lock);
	int rc = mlv_store_key_revoke(s->actions, prefix);
	pthread_mutex_unlock(&s->actions_lock);
	if (rc == MLV_ENOTFOUND) {
		mlv_http_problem(resp, 404, "not-found", NULL, "no active key has this prefix", NULL);
		return 0;
	}
	if (rc != 0) {
		mlv_http_problem_err(resp, rc, "the key could not be revoked");
		return 0;
	}
	/* cached checks of the key end now, not after the cache's lifetime */
	mlv_auth_forget_all(s->auth);
	actor_of(a, actor, sizeof(actor));
	fprintf(stderr, "level=info msg=\"API key revoked\" prefix=%s by=\"%s\"\n", prefix, actor);
	mlv_buf_printf(&resp->body, "{\"prefix\":\"%s\",\"state\":\"revoked\"}", prefix);
	return 0;
}
