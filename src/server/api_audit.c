/* api_audit.c - the audit log's signed tree heads, public key and
 * inclusion and consistency proofs. */
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

/* ---- the audit log ------------------------------------------------------------------ */

int api_audit_sth(mlv_server *s, mlv_resp *resp)
{
	mlv_audit_sth sth;
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_audit_get_sth(st, 0, &sth);
	api_reader_release(s, st);
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

int api_audit_public_key(mlv_server *s, mlv_resp *resp)
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

int api_audit_inclusion(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a)
{
	uint64_t event = 0, size = 0;
	if (!api_query_u64(req, "event", &event, true, resp) ||
	    !api_query_u64(req, "tree_size", &size, false, resp))
		return 0;
	mlv_buf leaf = MLV_BUF_INIT(1 << 16);
	uint8_t hash[MLV_AUDIT_HASH_LEN];
	mlv_audit_sth sth;
	mlv_audit_hash proof[MLV_AUDIT_PROOF_MAX];
	size_t len = 0;
	mlv_store *st = api_reader_acquire(s);
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
	api_reader_release(s, st);
	mlv_buf_free(&leaf);
	return 0;
}

int api_audit_consistency(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	uint64_t first = 0, second = 0;
	if (!api_query_u64(req, "first", &first, true, resp) ||
	    !api_query_u64(req, "second", &second, true, resp))
		return 0;
	if (first > second) {
		api_bad_param(resp, "first", "must not be larger than second");
		return 0;
	}
	mlv_audit_sth a, b;
	mlv_audit_hash proof[MLV_AUDIT_PROOF_MAX];
	size_t len = 0;
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_audit_get_sth(st, first, &a);
	if (rc == 0)
		rc = mlv_store_audit_get_sth(st, second, &b);
	if (rc == 0)
		rc = mlv_store_audit_consistency(st, first, second, proof, &len);
	api_reader_release(s, st);
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
