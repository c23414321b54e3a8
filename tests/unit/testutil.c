/* testutil.c - helpers shared by the cmocka unit tests; see testutil.h. */
#include "testutil.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

mlv_refdata *rd;
mlv_profiles *ps;

/* ---- reference data, loaded per group ---- */

int refdata_group_setup(void **state)
{
	(void)state;
	char err[512] = "";
	int rc = mlv_refdata_load(&rd, MLV_DATADIR, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "load %s: %s\n", MLV_DATADIR, err);
	return rc == 0 ? 0 : -1;
}

int refdata_group_teardown(void **state)
{
	(void)state;
	mlv_refdata_free(rd);
	rd = NULL;
	return 0;
}

int profiles_group_setup(void **state)
{
	if (refdata_group_setup(state) != 0)
		return -1;
	char err[512] = "";
	if (mlv_profiles_load(&ps, MLV_DATADIR, rd, err, sizeof(err)) != 0) {
		fprintf(stderr, "profiles: %s\n", err);
		return -1;
	}
	return 0;
}

int profiles_group_teardown(void **state)
{
	mlv_profiles_free(ps);
	ps = NULL;
	return refdata_group_teardown(state);
}

/* ---- the base filing ---- */

const char base_json[] =
	"{\"lrn\":\"LRN-2026-000123\",\"declaration_type\":\"import\","
	"\"category\":\"low_value_dutiable\",\"business_model\":\"direct\",\"channel\":\"post\","
	"\"transport\":{\"mode\":\"postal\",\"tracking_number\":\"LX123456785CN\","
	"\"carrier\":{\"name\":\"China Post\",\"identifier\":\"CNPOST\","
	"\"identifier_type\":\"postal_operator\",\"country\":\"CN\"},"
	"\"departure_country\":\"CN\",\"office_of_arrival\":\"FR000690\","
	"\"expected_arrival\":\"2026-04-20T08:30:00Z\"},"
	"\"seller\":{\"name\":\"Shenzhen Example Trading Co\",\"address\":{"
	"\"street\":\"88 Keyuan Road\",\"city\":\"Shenzhen\",\"postcode\":\"518057\","
	"\"country\":\"CN\"}},"
	"\"buyer\":{\"name\":\"Camille Martin\",\"address\":{\"street\":\"12 Rue de la Paix\","
	"\"city\":\"Lyon\",\"postcode\":\"69002\",\"country\":\"FR\"}},"
	"\"transaction\":{\"order_id\":\"ORD-2026-000123\",\"order_date\":\"2026-04-13\","
	"\"currency\":\"EUR\",\"invoice_total\":\"42.00\",\"shipping_cost\":\"6.90\"},"
	"\"items\":[{\"description\":\"Wireless earphones with charging case\","
	"\"hs_code\":\"851762\",\"quantity\":\"1\",\"currency\":\"EUR\",\"value\":\"30.00\","
	"\"origin_country\":\"CN\"},"
	"{\"description\":\"Silicone phone case\",\"hs_code\":\"392690\",\"quantity\":\"2\","
	"\"currency\":\"EUR\",\"value\":\"12.00\",\"origin_country\":\"CN\"}]}";

/* ---- building variants ---- */

/* The array index `tok` (a step of `pointer`): decimal digits only, else
 * the test fails. */
static int array_index(const char *tok, const char *pointer)
{
	char *end = NULL;
	errno = 0;
	long i = strtol(tok, &end, 10);
	if (tok[0] < '0' || tok[0] > '9' || *end != '\0' || errno != 0 || i > INT_MAX)
		fail_msg("mutate: bad index %s in %s", tok, pointer);
	return (int)i;
}

/* The container holding the last token of `pointer`; the token goes to
 * `last`.  Fails the test when a step does not exist. */
static cJSON *parent_of(cJSON *root, const char *pointer, char *last, size_t size)
{
	char path[256];
	assert_true(pointer[0] == '/' && strlen(pointer) < sizeof(path));
	snprintf(path, sizeof(path), "%s", pointer + 1);
	cJSON *cur = root;
	char *tok = path;
	for (char *slash; (slash = strchr(tok, '/')) != NULL; tok = slash + 1) {
		*slash = '\0';
		cJSON *next = cJSON_IsArray(cur)
				      ? cJSON_GetArrayItem(cur, array_index(tok, pointer))
				      : cJSON_GetObjectItemCaseSensitive(cur, tok);
		if (next == NULL)
			fail_msg("mutate: no %s in %s", tok, pointer);
		cur = next;
	}
	snprintf(last, size, "%s", tok);
	return cur;
}

/* Sets (or with DEL removes) the member or element at `pointer`. */
static void apply(cJSON *root, const char *pointer, const char *value)
{
	char last[256];
	cJSON *parent = parent_of(root, pointer, last, sizeof(last));
	bool array = cJSON_IsArray(parent);
	int i = array ? array_index(last, pointer) : 0;
	if (strcmp(value, DEL) == 0) {
		if (array)
			cJSON_DeleteItemFromArray(parent, i);
		else
			cJSON_DeleteItemFromObjectCaseSensitive(parent, last);
		return;
	}
	cJSON *v = cJSON_Parse(value);
	if (v == NULL)
		fail_msg("mutate: bad JSON value %s", value);
	if (array) {
		if (i < cJSON_GetArraySize(parent))
			assert_true(cJSON_ReplaceItemInArray(parent, i, v));
		else
			assert_true(cJSON_AddItemToArray(parent, v));
	} else if (cJSON_GetObjectItemCaseSensitive(parent, last) != NULL) {
		assert_true(cJSON_ReplaceItemInObjectCaseSensitive(parent, last, v));
	} else {
		assert_true(cJSON_AddItemToObject(parent, last, v));
	}
}

char *mutate_v(const char *base, va_list ap)
{
	cJSON *root = cJSON_Parse(base);
	assert_non_null(root);
	for (const char *p; (p = va_arg(ap, const char *)) != NULL;)
		apply(root, p, va_arg(ap, const char *));
	char *out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	assert_non_null(out);
	return out;
}

char *mutate_pairs(const char *base, const char *const *pairs)
{
	cJSON *root = cJSON_Parse(base);
	assert_non_null(root);
	for (const char *const *m = pairs; m != NULL && *m != NULL; m += 2)
		apply(root, m[0], m[1]);
	char *out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	assert_non_null(out);
	return out;
}

char *mutate(const char *base, ...)
{
	va_list ap;
	va_start(ap, base);
	char *out = mutate_v(base, ap);
	va_end(ap);
	return out;
}

/* ---- dates ---- */

int32_t day_of(const char *s)
{
	int32_t d = 0;
	assert_true(mlv_date_parse(s, strlen(s), &d));
	return d;
}

/* ---- problems ---- */

const mlv_problem *find_problem(const mlv_problems *p, const char *pointer, const char *code)
{
	for (size_t i = 0; i < p->count; i++)
		if (strcmp(p->items[i].pointer, pointer) == 0 &&
		    strcmp(p->items[i].code, code) == 0)
			return &p->items[i];
	return NULL;
}

void dump_problems(const mlv_problems *p)
{
	for (size_t i = 0; i < p->count; i++)
		fprintf(stderr, "  problem: %s %s %s: %s\n",
			p->items[i].severity == MLV_SEV_ERROR ? "error" : "warning",
			p->items[i].pointer, p->items[i].code, p->items[i].message);
}
