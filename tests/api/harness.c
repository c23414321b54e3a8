/* harness.c - the in-process server and JSON helpers of the API tests
 * (harness.h). */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

char dir[64];
char db[128];
char base[64];
mlv_refdata *rd;
mlv_profiles *profiles;
mlv_risk_profile *risk_profile;
mlv_risk_goods *risk_goods;
mlv_server *server;
char *fixture;

int harness_begin(const char *name)
{
	char err[512], path[512];
	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(dir, sizeof(dir), "/tmp/mlv-%s-XXXXXX", name);
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(db, sizeof(db), "%s/%s.db", dir, name);
	if (mlv_refdata_load(&rd, MLV_DATADIR, err, sizeof(err)) != 0 ||
	    mlv_profiles_load(&profiles, MLV_DATADIR, rd, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	fixture = harness_read_fixture("consignment.json");
	if (fixture == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/risk/profile-default.ini", MLV_DATADIR);
	if (mlv_risk_profile_load(&risk_profile, path, rd, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/risk/goods", MLV_DATADIR);
	if (mlv_risk_goods_load_dir(&risk_goods, path, rd, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

int harness_end(void)
{
	mlv_server_stop(server);
	mlv_profiles_free(profiles);
	mlv_risk_profile_free(risk_profile);
	mlv_risk_goods_free(risk_goods);
	mlv_refdata_free(rd);
	free(fixture);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return -1;
	curl_global_cleanup();
	return 0;
}

int harness_store_open(mlv_store **out)
{
	char err[512];
	mlv_store_opts so = MLV_STORE_OPTS_INIT;
	so.path = db;
	so.synchronous_full = false;
	if (mlv_store_open(out, &so, err, sizeof(err)) != 0) {
		fprintf(stderr, "store: %s\n", err);
		return -1;
	}
	return 0;
}

int harness_key(mlv_store *st, const char *filer, const char *role, char *key, size_t n,
		int64_t *id_out)
{
	int64_t id;
	if (mlv_store_filer_ensure(st, filer, &id) != 0 ||
	    mlv_store_key_create_role(st, id, "test", 0, role, key, n) != 0)
		return -1;
	if (id_out != NULL)
		*id_out = id;
	return 0;
}

void harness_opts(mlv_server_opts *o, const char *path, bool risk)
{
	*o = (mlv_server_opts)MLV_SERVER_OPTS_INIT;
	o->port = 0;
	o->threads = 2;
	o->db_path = path;
	o->rd = rd;
	o->synchronous_full = false;
	o->profiles = profiles;
	o->public_rate = 0;
	o->validate.profile = mlv_profiles_get(profiles, "FR");
	if (risk) {
		o->validate.risk = risk_profile;
		o->validate.goods = risk_goods;
		o->validate.country = "FR";
	}
}

int harness_start(mlv_server **out, const mlv_server_opts *o, char *url, size_t n)
{
	char err[512];
	if (mlv_server_start(out, o, err, sizeof(err)) != 0) {
		fprintf(stderr, "server: %s\n", err);
		return -1;
	}
	snprintf(url, n, "http://127.0.0.1:%u", mlv_server_port(*out));
	return 0;
}

char *harness_read_fixture(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/tests/fixtures/%s", MLV_SRCDIR, name);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	char *buf = calloc(1, 1 << 20);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

cJSON *harness_consignment(const char *lrn)
{
	cJSON *c = cJSON_Parse(fixture);
	assert_non_null(c);
	cJSON_ReplaceItemInObject(c, "lrn", cJSON_CreateString(lrn));
	char buyer[64];
	snprintf(buyer, sizeof(buyer), "Buyer %s", lrn);
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(c, "buyer"), "name", cJSON_CreateString(buyer));
	return c;
}

cJSON *harness_call(const char *url, const char *method, const char *path, const char *token,
		    const char *body, long expect, bool empty_ok)
{
	harness_call_opts x = {.empty_ok = empty_ok};
	return harness_call_x(url, method, path, token, body, expect, &x);
}

cJSON *harness_call_x(const char *url, const char *method, const char *path, const char *token,
		      const char *body, long expect, const harness_call_opts *x)
{
	http_res r;
	http_res_init(&r);
	const char *ctype = body == NULL ? NULL : x->ctype != NULL ? x->ctype : "application/json";
	assert_int_equal(http_call_h(url, method, path, token, ctype, body, body ? strlen(body) : 0,
				     x->header, &r),
			 0);
	if (r.status != expect)
		fprintf(stderr, "%s %s -> %ld: %s\n", method, path, r.status,
			r.body.data ? r.body.data : "");
	assert_int_equal(r.status, expect);
	if (x->etag != NULL)
		snprintf(x->etag, x->etag_size, "%s", r.etag);
	cJSON *j = x->empty_ok && r.body.len == 0 ? cJSON_CreateObject()
						  : cJSON_Parse(r.body.data ? r.body.data : "");
	if (j == NULL)
		fprintf(stderr, "%s %s: not JSON: %.2000s\n", method, path,
			r.body.data ? r.body.data : "");
	assert_non_null(j);
	http_res_free(&r);
	return j;
}

long long num(const cJSON *j, const char *name)
{
	const cJSON *v = cJSON_GetObjectItem(j, name);
	if (!cJSON_IsNumber(v))
		fail_msg("no number %s", name);
	return (long long)v->valuedouble;
}

const char *str(const cJSON *j, const char *name)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(j, name));
	if (s == NULL)
		fail_msg("no string %s", name);
	return s;
}

const char *opt_str(const cJSON *j, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool has_error(const cJSON *problem, const char *pointer, const char *code)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(problem, "errors")) {
		const char *p = opt_str(e, "pointer"), *c = opt_str(e, "code");
		if (p != NULL && c != NULL && strcmp(p, pointer) == 0 && strcmp(c, code) == 0)
			return true;
	}
	return false;
}
