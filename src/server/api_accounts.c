/* api_accounts.c - deferred accounts, their statements, and refunds. */
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

int api_account(mlv_server *s, mlv_resp *resp, const struct auth *a, int64_t id)
{
	mlv_account acct;
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_account_get(st, a->filer_id, id, &acct);
	api_reader_release(s, st);
	if (rc == MLV_ENOTFOUND) {
		mlv_http_problem(resp, 404, "not-found", NULL, "no such account of yours", NULL);
		return 0;
	}
	int mu = mlv_currency_minor_units(s->opts.rd, acct.currency);
	if (rc == 0)
		rc = mlv_buf_printf(&resp->body, "{\"id\":%lld,\"currency\":\"%s\"",
				    (long long)acct.id, acct.currency);
	if (rc == 0)
		rc = api_write_money(&resp->body, "guarantee_ceiling", acct.ceiling, mu);
	if (rc == 0)
		rc = api_write_money(&resp->body, "debits", acct.debits, mu);
	if (rc == 0)
		rc = api_write_money(&resp->body, "credits", acct.credits, mu);
	if (rc == 0)
		rc = api_write_money(&resp->body, "balance", acct.balance, mu);
	if (rc == 0)
		rc = api_write_money(&resp->body, "available",
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
	api_ms_to_rfc3339(e->at_ms, at);
	int rc = mlv_buf_printf(c->b, "%s{\"id\":%lld,\"kind\":\"%s\",\"at\":\"%s\"",
				c->n++ ? "," : "", (long long)e->id, e->kind, at);
	if (rc == 0 && e->consignment_id)
		rc = mlv_buf_printf(c->b, ",\"consignment\":%lld", (long long)e->consignment_id);
	if (rc == 0)
		rc = api_write_money(c->b, "amount", e->amount, c->mu);
	if (rc == 0) {
		rc = mlv_buf_adds(c->b, ",\"note\":");
		if (rc == 0)
			rc = mlv_buf_add_json_string(c->b, e->note, strlen(e->note));
	}
	return rc ? rc : mlv_buf_addc(c->b, '}');
}

int api_statement(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
		     int64_t id)
{
	const char *month = mlv_req_query(req, "month");
	int32_t day;
	char probe[11];
	if (month == NULL || strlen(month) != 7 ||
	    (snprintf(probe, sizeof(probe), "%s-01", month), !mlv_date_parse(probe, 10, &day)))
		return api_bad_param(resp, "month", "is required, as YYYY-MM");
	mlv_account acct;
	int64_t debits = 0, credits = 0;
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_account_get(st, a->filer_id, id, &acct);
	struct stmt_ctx c = {&resp->body, 0, mlv_currency_minor_units(s->opts.rd, acct.currency)};
	if (rc == 0)
		rc = mlv_buf_printf(&resp->body, "{\"account\":%lld,\"month\":\"%s\","
						 "\"currency\":\"%s\",\"entries\":[",
				    (long long)acct.id, month, acct.currency);
	if (rc == 0)
		rc = mlv_store_account_statement(st, acct.id, month, statement_row, &c, &debits,
						 &credits);
	api_reader_release(s, st);
	if (rc == MLV_ENOTFOUND) {
		mlv_http_problem(resp, 404, "not-found", NULL, "no such account of yours", NULL);
		return 0;
	}
	if (rc == 0)
		rc = mlv_buf_adds(&resp->body, "]");
	if (rc == 0)
		rc = api_write_money(&resp->body, "debits", debits, c.mu);
	if (rc == 0)
		rc = api_write_money(&resp->body, "credits", credits, c.mu);
	if (rc == 0)
		rc = api_write_money(&resp->body, "due", debits > credits ? debits - credits : 0, c.mu);
	if (rc == 0)
		rc = mlv_buf_addc(&resp->body, '}');
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

/* POST /v1/consignments/{id}/refund {"return_lrn": "..."}: the goods of a
 * released consignment come back within the return window. */
int api_refund(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
		  int64_t id)
{
	static const char *const members[] = {"return_lrn", NULL};
	cJSON *j;
	if (!api_read_object(req, resp, members, &j))
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
	int64_t t0 = api_now_ns();
	int rc = mlv_store_refund(s->actions, a->filer_id, id, lrn, (int)s->opts.return_window_days,
				  mlv_now_ms(), &refunded);
	api_store_timed(s, t0);
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
