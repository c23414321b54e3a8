/* api_lifecycle.c - the clearance lifecycle: arrival notifications, the
 * officers' queue and their actions. */
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

/* POST /v1/consignments/{id}/arrival: the filer (its carrier) notifies
 * that the goods are at the border.  Green and nothing due before release:
 * released at once, and the answer says so. */
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
	snprintf(actor, sizeof(actor), "filer:%lld", (long long)a->filer_id);
	int64_t now = mlv_now_ms();
	/* An AEO with customs simplifications defers without guarantee up to
	 * the waiver (docs/operators.md). */
	mlv_release_terms terms;
	bool aeo = api_release_terms(s, a->filer_id, &terms);
	pthread_mutex_lock(&s->actions_lock);
	int rc = mlv_store_transition_terms(s->actions, a->filer_id, id, MLV_ACT_ARRIVE,
					    MLV_BY_FILER, actor, "arrival notified by the filer", now,
					    true, aeo ? &terms : NULL, &r);
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
	const char *why = released && r.aeo_waiver
				  ? "green lane: released, duties and taxes debited to the deferred account "
				    "without guarantee (AEO waiver)"
			  : released && r.on_account
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

/* ---- officers ---------------------------------------------------------------------- */

struct queue_ctx {
	mlv_buf *b;
	int n;
};

static int queue_row(void *ctx, const mlv_summary *r, const char *lane, int risk_score)
{
	struct queue_ctx *q = ctx;
	char updated[32];
	api_ms_to_rfc3339(r->updated_at_ms, updated);
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
int api_queue_list(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	int64_t limit = 50;
	const char *p = mlv_req_query(req, "limit");
	if (p != NULL && !api_parse_int(p, 1, s->opts.max_page, &limit))
		return api_bad_param(resp, "limit", "must be an integer from 1 to the page bound");
	struct queue_ctx q = {&resp->body, 0};
	int rc = mlv_buf_adds(&resp->body, "{\"items\":[");
	if (rc == 0) {
		mlv_store *st = api_reader_acquire(s);
		rc = mlv_store_queue(st, (int)limit, queue_row, &q);
		api_reader_release(s, st);
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

const char *api_action_check(mlv_action action, const char *reason, const char *result)
{
	if (action == 0 || action == MLV_ACT_ASSESS || action == MLV_ACT_ARRIVE)
		return "action must be hold, inspect, release, seize, return, refer or answer";
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

int api_apply_action(mlv_server *s, int64_t id, mlv_action action, const char *reason,
		     const char *result, int64_t revenue, const char *actor,
		     mlv_transition_result *r)
{
	int64_t now = mlv_now_ms();
	pthread_mutex_lock(&s->actions_lock);
	int rc = mlv_store_transition(s->actions, 0, id, action, MLV_BY_OFFICER, actor, reason, now,
				      false, r);
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
	return rc;
}

/* POST /v1/consignments/{id}/actions: an officer's decision (hold,
 * inspect, release, seize, return, refer, answer), with an inspection
 * result when it closes an inspection; the result feeds the statistics of
 * the rules that selected the consignment. */
int api_officer_action(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
			  int64_t id)
{
	static const char *const members[] = {"action", "reason", "result", "revenue_recovered",
					      NULL};
	cJSON *j;
	if (!api_read_object(req, resp, members, &j))
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
	const char *bad = api_action_check(action, reason, result);
	if (bad == NULL && revenue_s != NULL &&
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
	int rc = api_apply_action(s, id, action, reason, result, revenue, actor, &r);
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
