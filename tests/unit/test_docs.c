/* test_docs.c - the documents generated from the dataset table are the
 * ones committed (run 'make docs' after changing src/core/dataset.c), and
 * the example configuration matches the option table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlv/config.h"
#include "mlv/docgen.h"
#include "mlv/lifecycle.h"
#include "mlv/stats.h"

static char *slurp(const char *rel, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", MLV_SRCDIR, rel);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	size_t got = fread(buf, 1, (size_t)n, f);
	buf[got] = '\0';
	fclose(f);
	*len = got;
	return buf;
}

static void assert_same(const char *rel, const mlv_buf *want)
{
	size_t len = 0;
	char *have = slurp(rel, &len);
	assert_non_null(have);
	if (len != want->len || memcmp(have, want->data, len) != 0)
		fail_msg("%s is stale: run 'make docs'", rel);
	free(have);
}

static void test_dataset_md_is_current(void **state)
{
	(void)state;
	mlv_buf b = MLV_BUF_INIT(8 << 20);
	assert_int_equal(mlv_docgen_dataset(&b), 0);
	/* Every element of the table appears. */
	assert_non_null(strstr(b.data, "`transport.expected_arrival`"));
	assert_non_null(strstr(b.data, "`items[].hs_code`"));
	assert_same("docs/dataset.md", &b);
	mlv_buf_free(&b);
}

/* The whole of docs/openapi.yaml is what make docs builds from
 * docs/openapi.in.yaml: the schemas are current, and no hand edit of the
 * generated file is lost at the next make docs. */
static void test_openapi_yaml_is_current(void **state)
{
	(void)state;
	size_t len = 0;
	char *tmpl = slurp("docs/openapi.in.yaml", &len);
	assert_non_null(tmpl);
	mlv_buf b = MLV_BUF_INIT(8 << 20);
	assert_int_equal(mlv_docgen_openapi(tmpl, len, &b), 0);
	assert_same("docs/openapi.yaml", &b);
	assert_int_equal(mlv_docgen_openapi("openapi: 3.1.0\n", 15, &b), MLV_EINVALID);
	free(tmpl);
	mlv_buf_free(&b);
}

static void test_lifecycle_md_is_current(void **state)
{
	(void)state;
	mlv_buf b = MLV_BUF_INIT(1 << 20);
	assert_int_equal(mlv_lifecycle_doc(&b), 0);
	assert_non_null(strstr(b.data, "arrived --> released : release"));
	assert_same("docs/lifecycle.md", &b);
	mlv_buf_free(&b);
}

static void test_example_config_is_current(void **state)
{
	(void)state;
	mlv_buf b = MLV_BUF_INIT(1 << 20);
	assert_int_equal(mlv_config_example(&b), 0);
	assert_same("mainlevee.example.ini", &b);
	mlv_buf_free(&b);
}

/* docs/statistics.md explains every figure the statistics answer, under
 * the name the API and the CSV give it. */
static void test_statistics_md_names_every_figure(void **state)
{
	(void)state;
	size_t len = 0;
	char *doc = slurp("docs/statistics.md", &len);
	assert_non_null(doc);
	for (size_t i = 0; i < mlv_stats_column_count; i++) {
		char name[64];
		snprintf(name, sizeof(name), "`%s`", mlv_stats_columns[i].name);
		if (strstr(doc, name) == NULL)
			fail_msg("docs/statistics.md does not explain %s", name);
	}
	for (int d = 1; d < MLV_DIM_COUNT_; d++) {
		char name[64];
		snprintf(name, sizeof(name), "`%s`", mlv_stats_dim_name((mlv_stats_dim)d));
		if (strstr(doc, name) == NULL)
			fail_msg("docs/statistics.md does not explain the dimension %s", name);
	}
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dataset_md_is_current),
		cmocka_unit_test(test_openapi_yaml_is_current),
		cmocka_unit_test(test_example_config_is_current),
		cmocka_unit_test(test_lifecycle_md_is_current),
		cmocka_unit_test(test_statistics_md_names_every_figure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
