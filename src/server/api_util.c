/* api_util.c - request and answer helpers shared by the API handlers:
 * content types, times, the consignment view, parameters, strict JSON
 * objects and money. */
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

bool api_content_type_ok(mlv_req *req, bool lines)
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

void api_ms_to_rfc3339(int64_t ms, char out[32])
{
	char s[21];
	mlv_datetime_format(ms / 1000, s);
	snprintf(out, 32, "%.19s.%03dZ", s, (int)(ms % 1000));
}

/* Writes the consignment view shared by POST and GET answers; the answer
 * to a filing leaves the consignment out (canonical == NULL): the filer
 * has it, and GET returns it. */
int api_write_view(mlv_buf *b, int64_t id, const char *lrn, int version, const char *status,
		      const char *outcome, int64_t filed_ms, int64_t updated_ms,
		      const char *quality_json, const char *assessment_json, const char *risk_json,
		      const char *canonical, size_t canonical_len)
{
	char filed[32], updated[32];
	api_ms_to_rfc3339(filed_ms, filed);
	api_ms_to_rfc3339(updated_ms, updated);
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

bool api_parse_int(const char *v, int64_t lo, int64_t hi, int64_t *out)
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

int api_bad_param(mlv_resp *resp, const char *name, const char *why)
{
	char d[160];
	snprintf(d, sizeof(d), "query parameter '%s' %s", name, why);
	mlv_http_problem(resp, 400, "bad-parameter", NULL, d, NULL);
	return 0;
}

bool api_query_enum(mlv_req *req, mlv_resp *resp, const char *name, unsigned *out)
{
	const char *p = mlv_req_query(req, name);
	if (p == NULL)
		return true;
	if ((*out = mlv_enum_index(name, p)) != 0)
		return true;
	char why[64];
	snprintf(why, sizeof(why), "is not a %s", name);
	api_bad_param(resp, name, why);
	return false;
}

bool api_query_country(mlv_server *s, mlv_req *req, mlv_resp *resp, const char *name,
		       const char **out)
{
	const char *p = mlv_req_query(req, name);
	if (p == NULL)
		return true;
	if (!mlv_country_exists(s->opts.rd, p)) {
		api_bad_param(resp, name, "is not an ISO 3166-1 code");
		return false;
	}
	*out = p;
	return true;
}

bool api_query_u64(mlv_req *req, const char *name, uint64_t *out, bool required,
		      mlv_resp *resp)
{
	const char *v = mlv_req_query(req, name);
	int64_t n;
	if (v == NULL) {
		if (required)
			api_bad_param(resp, name, "is required");
		return !required;
	}
	if (!api_parse_int(v, 1, (int64_t)MLV_AUDIT_JSON_INT_MAX, &n)) {
		api_bad_param(resp, name, "must be a positive integer");
		return false;
	}
	*out = (uint64_t)n;
	return true;
}

/* ---- the lifecycle ------------------------------------------------------------------ */

/* Reads the small JSON object body of an action endpoint.  Every member
 * must be one of `allowed` (NULL-terminated): anything else, a
 * server-owned field such as status, lane or duty as much as a typo, is
 * refused with 422 naming each member, so no write sets what the server
 * owns.  An empty body reads as {} (*out NULL).  Returns true with *out
 * (cJSON_Delete it), or false once it has answered. */
bool api_read_object(const mlv_req *req, mlv_resp *resp, const char *const *allowed,
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

/* ---- deferred accounts and refunds ---------------------------------------------------- */

int api_write_money(mlv_buf *b, const char *key, int64_t v, int mu)
{
	char d[32];
	mlv_decimal_format(v, mu, d, sizeof(d));
	return mlv_buf_printf(b, ",\"%s\":\"%s\"", key, d);
}
