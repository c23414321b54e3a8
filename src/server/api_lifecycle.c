/* api_lifecycle.c - the clearance lifecycle over the API: arrival and exit
 * notices, the officers' queue with its filters, their decisions with
 * inspection results, and what the console reads of a consignment beyond
 * its data (history with reasons, the parts it was merged from).
 * Referrals are in api_referrals.c, multi-party filing in api_parts.c,
 * notifications and webhooks in api_notifications.c. */
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

void api_conflict(mlv_resp *resp, mlv_state state, const char *detail)
{
	mlv_http_problem(resp, 409, "conflict", NULL, detail, NULL);
	mlv_buf *b = &resp->body;
	if (resp->status == 409 && b->len > 0 && b->data[b->len - 1] == '}') {
		b->len--; /* one more member: the state the consignment is in */
		if (mlv_buf_printf(b, ",\"state\":\"%s\"}", mlv_state_name(state)) != 0)
			mlv_http_problem_err(resp, MLV_ENOMEM, NULL);
	}
}

void api_transition_refused(mlv_resp *resp, int rc, const mlv_transition_result *r,
			    const char *now, const char *could_not)
{
	if (rc == MLV_ENOTFOUND) {
		mlv_http_problem(resp, 404, "not-found", NULL, "no such consignment", NULL);
	} else if (rc == MLV_ECONFLICT || rc == MLV_EFORBIDDEN) {
		char d[192];
		snprintf(d, sizeof(d), "the consignment is %s: %s", mlv_state_name(r->from), now);
		api_conflict(resp, r->from, d);
	} else {
		mlv_http_problem_err(resp, rc, could_not);
	}
}

void api_notified(mlv_server *s)
{
	mlv_webhooks_kick(s->webhooks);
}

void api_actor(const struct auth *a, char *out, size_t n)
{
	if (a->role_bit & (ROLE_FILER | ROLE_AGENCY))
		snprintf(out, n, "%s:%lld", a->role_bit & ROLE_AGENCY ? "agency" : "filer",
			 (long long)a->filer_id);
	else
		snprintf(out, n, "officer:%s", a->filer);
}

int api_write_event(mlv_buf *b, const mlv_event *ev, bool first)
{
	char at[32];
	api_ms_to_rfc3339(ev->at_ms, at);
	int rc = mlv_buf_printf(b, "%s{\"id\":%lld,\"type\":\"%s\",\"version\":%d,\"at\":\"%s\","
				   "\"actor\":",
				first ? "" : ",", (long long)ev->id, ev->type, ev->version, at);
	if (rc == 0)
		rc = mlv_buf_add_json_string(b, ev->actor, strlen(ev->actor));
	if (rc == 0 && ev->reason[0]) {
		rc = mlv_buf_adds(b, ",\"reason\":");
		if (rc == 0)
			rc = mlv_buf_add_json_string(b, ev->reason, strlen(ev->reason));
	}
	if (rc == 0 && ev->referral_id > 0)
		rc = mlv_buf_printf(b, ",\"referral\":%lld", (long long)ev->referral_id);
	return rc ? rc : mlv_buf_addc(b, '}');
}

int api_write_lifecycle(mlv_buf *b, const mlv_record *r)
{
	if (b->len == 0 || b->data[b->len - 1] != '}')
		return MLV_EINVALID;
	b->len--; /* the view stays open for one more member */
	char t[32];
	int rc = mlv_buf_printf(b, ",\"lifecycle\":{\"state\":\"%s\"", r->status);
	if (rc == 0) {
		api_ms_to_rfc3339(r->filed_at_ms, t);
		rc = mlv_buf_printf(b, ",\"filed_at\":\"%s\"", t);
	}
	if (rc == 0 && r->arrived_at_ms) {
		api_ms_to_rfc3339(r->arrived_at_ms, t);
		rc = mlv_buf_printf(b, ",\"arrived_at\":\"%s\"", t);
	}
	if (rc == 0 && r->released_at_ms) {
		api_ms_to_rfc3339(r->released_at_ms, t);
		rc = mlv_buf_printf(b, ",\"released_at\":\"%s\",\"release_time\":{\"from_filing_s\":%lld",
				    t, (long long)((r->released_at_ms - r->filed_at_ms) / 1000));
		if (rc == 0 && r->arrived_at_ms)
			rc = mlv_buf_printf(b, ",\"from_arrival_s\":%lld",
					    (long long)((r->released_at_ms - r->arrived_at_ms) / 1000));
		if (rc == 0)
			rc = mlv_buf_addc(b, '}');
	}
	return rc ? rc : mlv_buf_adds(b, "}}");
}

/* The answer to a transition: the new state, the one before, the last
 * event, and the release times once released. */
static int transition_json(mlv_buf *b, int64_t id, const mlv_transition_result *r)
{
	int rc = mlv_buf_printf(b, "{\"id\":%lld,\"state\":\"%s\",\"previous_state\":\"%s\","
				   "\"event\":%lld",
				(long long)id, mlv_state_name(r->to), mlv_state_name(r->from),
				(long long)r->event_id);
	if (rc == 0 && r->to == MLV_ST_RELEASED && r->released_at_ms) {
		rc = mlv_buf_printf(b, ",\"release_time\":{\"from_filing_s\":%lld",
				    (long long)((r->released_at_ms - r->filed_at_ms) / 1000));
		if (rc == 0 && r->arrived_at_ms)
			rc = mlv_buf_printf(b, ",\"from_arrival_s\":%lld",
					    (long long)((r->released_at_ms - r->arrived_at_ms) / 1000));
		if (rc == 0)
			rc = mlv_buf_addc(b, '}');
	}
	return rc;
}

/* POST /v1/consignments/{id}/arrival: the filer (its carrier, or the
 * carrier party of a multi-party consignment) notifies that the goods are
 * at the border.  Green and nothing due before release: released at once,
 * and the answer says so. */
int api_arrival(mlv_server *s, const mlv_req *req, mlv_resp *resp, const struct auth *a,
		int64_t id)
{
	static const char *const none[] = {NULL};
	cJSON *body;
	if (!api_read_object(req, resp, none, &body))
		return 0;
	cJSON_Delete(body);
	mlv_transition_result r;
	char actor[32];
	api_actor(a, actor, sizeof(actor));
	int64_t now = mlv_now_ms();
	/* An AEO with customs simplifications defers without guarantee up to
	 * the waiver (docs/operators.md). */
	mlv_release_terms terms;
	bool aeo = api_release_terms(s, a->filer_id, &terms);
	pthread_mutex_lock(&s->actions_lock);
	int64_t t0 = api_now_ns();
	int rc = mlv_store_transition_terms(s->actions, a->filer_id, id, MLV_ACT_ARRIVE,
					    MLV_BY_FILER, actor, "arrival notified by the filer", now,
					    true, aeo ? &terms : NULL, &r);
	api_store_timed(s, t0);
	pthread_mutex_unlock(&s->actions_lock);
	if (rc != 0) {
		api_transition_refused(resp, rc, &r, "arrival cannot be notified now",
				       "the arrival could not be recorded");
		return 0;
	}
	api_notified(s);
	bool released = r.to == MLV_ST_RELEASED;
	const char *why = released && r.aeo_waiver
				  ? "green lane: released, duties and taxes debited to the deferred account "
				    "without guarantee (AEO waiver)"
			  : released && r.on_account
				  ? "green lane: released, duties and taxes debited to the deferred account"
			  : released ? "green lane and nothing due before release: released"
			  : r.to == MLV_ST_REFERRED ? "a referral is open: the goods wait for it"
			  : r.lane[0] == '\0' ? "not assessed: waits for an officer"
			  : strcmp(r.lane, "green") != 0 ? "selected for control: waits for an officer"
			  : r.over_ceiling ? "the deferred account's guarantee ceiling is reached: "
					     "duties and taxes are due before release"
					   : "duties or taxes are due before release";
	rc = transition_json(&resp->body, id, &r);
	if (rc == 0)
		rc = mlv_buf_printf(&resp->body, ",\"released\":%s,\"reason\":\"%s\",\"lane\":\"%s\"}",
				    released ? "true" : "false", why, r.lane);
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

/* POST /v1/consignments/{id}/exit: an export released for exit has left
 * the territory (the carrier's notice). */
int api_exit(mlv_server *s, const mlv_req *req, mlv_resp *resp, const struct auth *a,
	     int64_t id)
{
	static const char *const members[] = {"reason", NULL};
	cJSON *body;
	if (!api_read_object(req, resp, members, &body))
		return 0;
	const char *reason =
		cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "reason"));
	char why[512];
	snprintf(why, sizeof(why), "%s",
		 reason != NULL ? reason : "the carrier notified the goods' exit");
	cJSON_Delete(body);
	if (strlen(why) < 3 || strlen(why) > 500) {
		mlv_http_problem(resp, 422, "validation", NULL, "reason is 3 to 500 characters", NULL);
		return 0;
	}
	mlv_transition_result r;
	char actor[32];
	api_actor(a, actor, sizeof(actor));
	pthread_mutex_lock(&s->actions_lock);
	int64_t t0 = api_now_ns();
	int rc = mlv_store_transition(s->actions, a->filer_id, id, MLV_ACT_EXIT, MLV_BY_FILER, actor,
				      why, mlv_now_ms(), false, &r);
	api_store_timed(s, t0);
	pthread_mutex_unlock(&s->actions_lock);
	if (rc != 0) {
		api_transition_refused(resp, rc, &r, "only an export released for exit can leave",
				       "the exit could not be recorded");
		return 0;
	}
	api_notified(s);
	rc = transition_json(&resp->body, id, &r);
	if (rc == 0)
		rc = mlv_buf_addc(&resp->body, '}');
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

/* ---- officers ---------------------------------------------------------------------- */

struct queue_ctx {
	mlv_buf *b;
	int n;
};

static int queue_row(void *ctx, const mlv_queue_row *r)
{
	struct queue_ctx *q = ctx;
	char updated[32], t[32];
	api_ms_to_rfc3339(r->c.updated_at_ms, updated);
	int rc = mlv_buf_printf(q->b, "%s{\"id\":%lld,\"lrn\":", q->n++ ? "," : "",
				(long long)r->c.id);
	if (rc == 0)
		rc = mlv_buf_add_json_string(q->b, r->c.lrn, strlen(r->c.lrn));
	if (rc == 0)
		rc = mlv_buf_printf(q->b, ",\"status\":\"%s\",\"lane\":\"%s\",\"risk_score\":%d,"
					  "\"category\":\"%s\",\"channel\":\"%s\","
					  "\"departure_country\":\"%s\",\"updated_at\":\"%s\","
					  "\"multi_party\":%s,\"open_referrals\":%d,\"overdue\":%s",
				    r->c.status, r->lane, r->risk_score, mlv_category_name(r->c.category),
				    mlv_channel_name(r->c.channel), r->c.departure_country, updated,
				    r->multi_party ? "true" : "false", r->open_referrals,
				    r->overdue ? "true" : "false");
	if (rc == 0 && r->arrived_at_ms) {
		api_ms_to_rfc3339(r->arrived_at_ms, t);
		rc = mlv_buf_printf(q->b, ",\"arrived_at\":\"%s\"", t);
	}
	if (rc == 0 && r->next_deadline_ms) {
		api_ms_to_rfc3339(r->next_deadline_ms, t);
		rc = mlv_buf_printf(q->b, ",\"next_deadline\":\"%s\"", t);
	}
	return rc ? rc : mlv_buf_addc(q->b, '}');
}

/* GET /v1/queue: what waits for an officer, highest risk first, with
 * filters (state, lane, channel, category, departure_country, min_score,
 * overdue, multi_party) and pages (limit, offset). */
int api_queue_list(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	mlv_queue_query q;
	memset(&q, 0, sizeof(q));
	q.limit = 50;
	q.now_ms = mlv_now_ms();
	int64_t v;
	const char *p;
	if ((p = mlv_req_query(req, "limit")) != NULL) {
		if (!api_parse_int(p, 1, s->opts.max_page, &v))
			return api_bad_param(resp, "limit", "must be an integer from 1 to the page bound");
		q.limit = (int)v;
	}
	if ((p = mlv_req_query(req, "offset")) != NULL) {
		if (!api_parse_int(p, 0, 1000000, &v))
			return api_bad_param(resp, "offset", "must be an integer from 0 to 1000000");
		q.offset = (int)v;
	}
	if ((p = mlv_req_query(req, "state")) != NULL) {
		if (mlv_state_from_name(p) == 0)
			return api_bad_param(resp, "state", "is not a state (docs/lifecycle.md)");
		q.state = p;
	}
	if ((p = mlv_req_query(req, "lane")) != NULL) {
		if (strcmp(p, "green") != 0 && strcmp(p, "yellow") != 0 && strcmp(p, "red") != 0 &&
		    strcmp(p, "hold") != 0)
			return api_bad_param(resp, "lane", "must be green, yellow, red or hold");
		q.lane = p;
	}
	if (!api_query_enum(req, resp, "channel", &q.channel) ||
	    !api_query_enum(req, resp, "category", &q.category) ||
	    !api_query_country(s, req, resp, "departure_country", &q.departure_country))
		return 0;
	if ((p = mlv_req_query(req, "min_score")) != NULL) {
		if (!api_parse_int(p, 0, 100000, &v))
			return api_bad_param(resp, "min_score", "must be an integer from 0");
		q.min_score = (int)v;
	}
	const char *flags[] = {"overdue", "multi_party"};
	bool *dst[] = {&q.overdue, &q.multi_party};
	for (size_t i = 0; i < MLV_ARRAY_LEN(flags); i++) {
		if ((p = mlv_req_query(req, flags[i])) == NULL)
			continue;
		if (strcmp(p, "true") != 0 && strcmp(p, "false") != 0)
			return api_bad_param(resp, flags[i], "must be true or false");
		*dst[i] = strcmp(p, "true") == 0;
	}
	struct queue_ctx qc = {&resp->body, 0};
	int64_t total = 0;
	int rc = mlv_buf_adds(&resp->body, "{\"items\":[");
	if (rc == 0) {
		mlv_store *st = api_reader_acquire(s);
		rc = mlv_store_queue_list(st, &q, queue_row, &qc, &total);
		api_reader_release(s, st);
	}
	if (rc == 0)
		rc = mlv_buf_printf(&resp->body, "],\"total\":%lld,\"offset\":%d,\"limit\":%d}",
				    (long long)total, q.offset, q.limit);
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
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_get(st, 0, id, 0, &r);
	api_reader_release(s, st);
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

/* Whether s is a code (letters, digits, - _ . / :) of 1 to max bytes. */
static bool is_code(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("-_./:", s[i]) == NULL)
			return false;
	return true;
}

const char *api_action_check(mlv_action action, const char *reason, const char *result)
{
	if (action == MLV_ACT_RESOLVE)
		return "referrals close with POST /v1/referrals/{id}/close";
	if (action == 0 || action == MLV_ACT_ASSESS || action == MLV_ACT_ARRIVE)
		return "action must be hold, inspect, release, seize, return, exit or refer";
	if (reason == NULL || strlen(reason) < 3 || strlen(reason) > 500)
		return "reason is required (3 to 500 characters): every decision is explained";
	if (result != NULL && strcmp(result, "nothing_found") != 0 &&
	    strcmp(result, "irregularity") != 0 && strcmp(result, "seizure") != 0)
		return "result must be nothing_found, irregularity or seizure";
	if (result != NULL && action != MLV_ACT_RELEASE && action != MLV_ACT_SEIZE &&
	    action != MLV_ACT_RETURN)
		return "a result closes an inspection: release, seize or return";
	return NULL;
}

/* An officer's decision with its result in one transaction; `refer` opens
 * a request for information to the filer with the default deadline (a
 * referral of its own, closed with POST /v1/referrals/{id}/close). */
static int decide(mlv_server *s, int64_t id, mlv_action action, const char *reason,
		  const char *result, int64_t revenue, const char *nii, const char *notes,
		  const char *actor, mlv_transition_result *r, int64_t *referral)
{
	int64_t now = mlv_now_ms();
	*referral = 0;
	if (action == MLV_ACT_REFER) {
		mlv_referral_new n = {.consignment_id = id, .kind = "information", .reason = reason,
				      .deadline_ms = now + 24 * 3600000LL, .actor = actor,
				      .at_ms = now};
		pthread_mutex_lock(&s->actions_lock);
		int64_t t0 = api_now_ns();
		int rc = mlv_store_referral_open(s->actions, &n, referral, r);
		api_store_timed(s, t0);
		pthread_mutex_unlock(&s->actions_lock);
		return rc;
	}
	char ids[16][48];
	const char *ptrs[16];
	size_t n = result != NULL ? hit_rules(s, id, ids) : 0;
	for (size_t i = 0; i < n; i++)
		ptrs[i] = ids[i];
	mlv_decision d = {.id = id, .action = action, .actor = actor, .reason = reason,
			  .at_ms = now, .result = result, .revenue = revenue,
			  .nii_reference = nii, .notes = notes, .rule_ids = ptrs, .nrules = n};
	pthread_mutex_lock(&s->actions_lock);
	int64_t t0 = api_now_ns();
	int rc = mlv_store_decide(s->actions, &d, r);
	api_store_timed(s, t0);
	pthread_mutex_unlock(&s->actions_lock);
	return rc;
}

int api_apply_action(mlv_server *s, int64_t id, mlv_action action, const char *reason,
		     const char *result, int64_t revenue, const char *actor,
		     mlv_transition_result *r)
{
	int64_t referral;
	int rc = decide(s, id, action, reason, result, revenue, NULL, NULL, actor, r, &referral);
	if (rc == 0)
		api_notified(s);
	return rc;
}

/* POST /v1/consignments/{id}/actions: an officer's decision (hold,
 * inspect, release, seize, return, exit, refer), with an inspection
 * result when it closes an inspection (nothing found, irregularity,
 * seizure; the revenue recovered, the NII image's reference, notes that
 * stay with the officers); the result feeds the statistics of the rules
 * that selected the consignment, in the transaction of the decision. */
int api_officer_action(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
		       int64_t id)
{
	static const char *const members[] = {"action", "reason", "result", "revenue_recovered",
					      "nii_reference", "notes", NULL};
	cJSON *j;
	if (!api_read_object(req, resp, members, &j))
		return 0;
#define MEMBER(name) cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, name))
	const char *act = MEMBER("action"), *reason = MEMBER("reason"), *result = MEMBER("result");
	const char *revenue_s = MEMBER("revenue_recovered"), *nii = MEMBER("nii_reference");
	const char *notes = MEMBER("notes");
#undef MEMBER
	mlv_action action = mlv_action_from_name(act);
	int64_t revenue = 0;
	const char *bad = api_action_check(action, reason, result);
	if (bad == NULL && result == NULL && (revenue_s || nii || notes))
		bad = "revenue_recovered, nii_reference and notes come with a result";
	else if (bad == NULL && nii != NULL && !is_code(nii, 70))
		bad = "nii_reference is a reference of 1 to 70 letters, digits and - _ . / :";
	else if (bad == NULL && notes != NULL && strlen(notes) > 2000)
		bad = "notes are at most 2000 characters";
	else if (bad == NULL && revenue_s != NULL &&
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
	api_actor(a, actor, sizeof(actor));
	mlv_transition_result r;
	int64_t referral = 0;
	int rc = decide(s, id, action, reason, result, revenue, nii, notes, actor, &r, &referral);
	cJSON_Delete(j);
	if (rc != 0) {
		char now[96];
		snprintf(now, sizeof(now), "%s is not possible now", mlv_action_name(action));
		api_transition_refused(resp, rc, &r, now, "the action could not be recorded");
		return 0;
	}
	api_notified(s);
	rc = transition_json(&resp->body, id, &r);
	if (rc == 0 && referral > 0)
		rc = mlv_buf_printf(&resp->body, ",\"referral\":%lld", (long long)referral);
	if (rc == 0)
		rc = mlv_buf_addc(&resp->body, '}');
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
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

/* GET /v1/officer/consignments/{id}/events: the whole history with the
 * reason of every decision. */
int api_officer_events(mlv_server *s, mlv_resp *resp, int64_t id)
{
	struct events_ctx ec = {&resp->body, 0};
	int rc = mlv_buf_adds(&resp->body, "{\"events\":[");
	if (rc == 0) {
		mlv_store *st = api_reader_acquire(s);
		rc = mlv_store_events(st, 0, id, event_row, &ec);
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

static int officer_part(void *ctx, const mlv_part *p)
{
	struct events_ctx *ec = ctx;
	char filed[32], updated[32];
	api_ms_to_rfc3339(p->filed_ms, filed);
	api_ms_to_rfc3339(p->updated_ms, updated);
	int rc = mlv_buf_printf(ec->b, "%s{\"id\":%lld,\"role\":\"%s\",\"filer\":",
				ec->n++ ? "," : "", (long long)p->id, p->role);
	if (rc == 0)
		rc = mlv_buf_add_json_string(ec->b, p->filer_name, strlen(p->filer_name));
	if (rc == 0)
		rc = mlv_buf_printf(ec->b, ",\"lead\":%s,\"version\":%d,\"filed_at\":\"%s\","
					   "\"updated_at\":\"%s\",\"data\":",
				    p->lead ? "true" : "false", p->version, filed, updated);
	if (rc == 0)
		rc = mlv_buf_add(ec->b, p->data.data, p->data.len);
	return rc ? rc : mlv_buf_addc(ec->b, '}');
}

/* GET /v1/officer/consignments/{id}/parts: the parts a multi-party
 * consignment was merged from, who sent each, and the merge report
 * (which party's value was kept, the contradictions). */
int api_officer_parts(mlv_server *s, mlv_resp *resp, int64_t id)
{
	struct events_ctx ec = {&resp->body, 0};
	mlv_buf report = MLV_BUF_INIT(1 << 20);
	int rc = mlv_buf_adds(&resp->body, "{\"parts\":[");
	if (rc == 0) {
		mlv_store *st = api_reader_acquire(s);
		rc = mlv_store_consignment_parts(st, id, officer_part, &ec, &report);
		api_reader_release(s, st);
	}
	if (rc == MLV_ENOTFOUND) {
		mlv_http_problem(resp, 404, "not-found", NULL,
				 "no such consignment merged from several filers' parts", NULL);
		mlv_buf_free(&report);
		return 0;
	}
	if (rc == 0) {
		rc = mlv_buf_adds(&resp->body, "],\"merge\":");
		if (rc == 0)
			rc = mlv_buf_add(&resp->body, report.data, report.len);
		if (rc == 0)
			rc = mlv_buf_addc(&resp->body, '}');
	}
	mlv_buf_free(&report);
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}
