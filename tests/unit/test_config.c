/* test_config.c - the settings table (config.h): defaults, INI files,
 * environment variables and flags in that order of precedence, the
 * messages of bad entries, and the generated example file loading back
 * to the defaults.  INI files go to a temporary directory per test. */
#include "mlv/config.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

typedef struct fixture {
	char dir[64];
	char path[128];
} fixture;

/* The variables the tests set; cleared before and after each test so the
 * caller's environment cannot leak in. */
static const char *const env_vars[] = {
	"MLV_SERVER_PORT", "MLV_SERVER_ADDRESS", "MLV_SERVER_ACCESS_LOG", "MLV_STORE_PATH",
	"MLV_STORE_SYNCHRONOUS_FULL", "MLV_DATA_DIR", "MLV_CUSTOMS_COUNTRY",
	"MLV_CUSTOMS_LOW_VALUE_CEILING", "MLV_LIMITS_MAX_BODY", "MLV_WRITER_QUEUE",
};

static void clear_env(void)
{
	for (size_t i = 0; i < MLV_ARRAY_LEN(env_vars); i++)
		unsetenv(env_vars[i]);
}

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof(*fx));
	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/mlv-test-config-XXXXXX");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/mainlevee.ini", fx->dir);
	clear_env();
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fixture *fx = *state;
	clear_env();
	unlink(fx->path);
	int rc = rmdir(fx->dir);
	free(fx);
	return rc;
}

static void write_ini(const fixture *fx, const char *text)
{
	FILE *f = fopen(fx->path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Loads text as an INI file over the defaults; returns the status. */
static int load(const fixture *fx, const char *text, mlv_config *c, char *err, size_t errlen)
{
	write_ini(fx, text);
	mlv_config_defaults(c);
	err[0] = '\0';
	return mlv_config_load_file(c, fx->path, err, errlen);
}

static void test_defaults(void **state)
{
	(void)state;
	mlv_config c;
	memset(&c, 0xa5, sizeof(c));
	mlv_config_defaults(&c);
	assert_string_equal(c.address, "127.0.0.1");
	assert_int_equal(c.port, 8080);
	assert_int_equal(c.threads, 0);
	assert_int_equal(c.timeout_s, 30);
	assert_int_equal(c.max_connections, 4096);
	assert_false(c.access_log);
	assert_string_equal(c.db_path, "var/mainlevee.db");
	assert_true(c.synchronous_full);
	assert_string_equal(c.data_dir, "");
	assert_string_equal(c.country, "FR");
	assert_string_equal(c.currency, "EUR");
	assert_string_equal(c.low_value_ceiling, "150.00");
	assert_int_equal(c.timely_hours, 24);
	assert_int_equal(c.max_body, 1048576);
	assert_int_equal(c.max_batch_body, 67108864);
	assert_int_equal(c.max_batch_lines, 100000);
	assert_int_equal(c.max_page, 500);
	assert_int_equal(c.writer_batch, 2048);
	assert_int_equal(c.writer_queue, 20000);
}

static void test_file_overrides(void **state)
{
	fixture *fx = *state;
	mlv_config c;
	char err[512];
	int rc = load(fx,
		      "; a comment\n"
		      "[server]\n"
		      "port = 9090\n"
		      "access_log = yes\n"
		      "address = ::1\n"
		      "\n"
		      "[store]\n"
		      "path = /var/lib/mainlevee/db.sqlite\n"
		      "synchronous_full = false\n"
		      "[customs]\n"
		      "country = DE\n"
		      "low_value_ceiling = 135.5\n"
		      "[limits]\n"
		      "max_body = 2048\n"
		      "[writer]\n"
		      "queue = 10\n",
		      &c, err, sizeof(err));
	if (rc != 0)
		fail_msg("load: %s", err);
	assert_int_equal(c.port, 9090);
	assert_true(c.access_log);
	assert_string_equal(c.address, "::1");
	assert_string_equal(c.db_path, "/var/lib/mainlevee/db.sqlite");
	assert_false(c.synchronous_full);
	assert_string_equal(c.country, "DE");
	assert_string_equal(c.low_value_ceiling, "135.5");
	assert_int_equal(c.max_body, 2048);
	assert_int_equal(c.writer_queue, 10);
	/* what the file does not name keeps its default */
	assert_int_equal(c.timeout_s, 30);
	assert_string_equal(c.currency, "EUR");
	assert_int_equal(c.writer_batch, 2048);
	assert_int_equal(c.max_page, 500);
	/* an empty file changes nothing */
	mlv_config d, defaults;
	memset(&d, 0, sizeof(d));
	assert_int_equal(load(fx, "", &d, err, sizeof(err)), 0);
	mlv_config_defaults(&defaults);
	assert_memory_equal(&d, &defaults, sizeof(d));
}

static void test_file_unknown_key(void **state)
{
	fixture *fx = *state;
	mlv_config c;
	char err[512];
	assert_int_equal(load(fx, "[server]\nport = 9090\ncolour = blue\n", &c, err, sizeof(err)),
			 MLV_EINVALID);
	assert_non_null(strstr(err, fx->path));
	assert_non_null(strstr(err, "colour"));
	assert_non_null(strstr(err, "[server]"));
	assert_non_null(strstr(err, "line 3"));
	/* a known name in the wrong section is unknown too */
	assert_int_equal(load(fx, "[store]\nport = 9090\n", &c, err, sizeof(err)), MLV_EINVALID);
	assert_non_null(strstr(err, "[store] port"));
	assert_int_equal(load(fx, "[nosuch]\nport = 1\n", &c, err, sizeof(err)), MLV_EINVALID);
	assert_non_null(strstr(err, "nosuch"));
	/* a line that is no setting */
	assert_int_equal(load(fx, "[server]\njust some words\n", &c, err, sizeof(err)),
			 MLV_EINVALID);
	assert_non_null(strstr(err, fx->path));
	assert_non_null(strstr(err, "line 2"));
}

static void test_file_bad_values(void **state)
{
	fixture *fx = *state;
	mlv_config c;
	char err[512];
	static const struct {
		const char *text, *names;
	} cases[] = {
		{"[server]\nport = 70000\n", "server.port"},
		{"[server]\nport = abc\n", "server.port"},
		{"[server]\nport = -1\n", "server.port"},
		{"[server]\nport = 80x\n", "server.port"},
		{"[server]\nport =\n", "server.port"},
		{"[server]\ntimeout = 0\n", "server.timeout"},
		{"[server]\nthreads = 17\n", "server.threads"},
		{"[server]\naccess_log = maybe\n", "server.access_log"},
		{"[limits]\nmax_body = 1023\n", "limits.max_body"},
		{"[limits]\nmax_body = 99999999999999999999999\n", "limits.max_body"},
		{"[customs]\ncountry = fr\n", "customs.country"},
		{"[customs]\ncountry = FRA\n", "customs.country"},
		{"[customs]\ncurrency = EU\n", "customs.currency"},
		{"[customs]\nlow_value_ceiling = 150,00\n", "customs.low_value_ceiling"},
		{"[customs]\nlow_value_ceiling = -5\n", "customs.low_value_ceiling"},
	};
	for (size_t i = 0; i < MLV_ARRAY_LEN(cases); i++) {
		int rc = load(fx, cases[i].text, &c, err, sizeof(err));
		if (rc != MLV_EINVALID)
			fail_msg("accepted: %s", cases[i].text);
		if (strstr(err, cases[i].names) == NULL || strstr(err, fx->path) == NULL)
			fail_msg("message for %s does not name the setting and file: %s",
				 cases[i].text, err);
	}
	/* the range is part of a number's message */
	assert_int_equal(load(fx, "[server]\nport = 70000\n", &c, err, sizeof(err)),
			 MLV_EINVALID);
	assert_non_null(strstr(err, "65535"));
	/* the bounds themselves are accepted */
	assert_int_equal(load(fx, "[server]\nport = 65535\nthreads = 16\n", &c, err, sizeof(err)),
			 0);
	assert_int_equal(c.port, 65535);
	assert_int_equal(c.threads, 16);
	assert_int_equal(load(fx, "[server]\nport = 0\n", &c, err, sizeof(err)), 0);
	assert_int_equal(c.port, 0);
}

static void test_file_missing(void **state)
{
	fixture *fx = *state;
	mlv_config c;
	char err[512] = "", path[192];
	snprintf(path, sizeof(path), "%s/absent.ini", fx->dir);
	mlv_config_defaults(&c);
	assert_int_equal(mlv_config_load_file(&c, path, err, sizeof(err)), MLV_EIO);
	assert_non_null(strstr(err, path));
	assert_int_equal(c.port, 8080);
}

static void test_env(void **state)
{
	fixture *fx = *state;
	mlv_config c;
	char err[512];
	assert_int_equal(load(fx, "[server]\nport = 9090\naddress = 0.0.0.0\n", &c, err,
			      sizeof(err)),
			 0);
	assert_int_equal(c.port, 9090);
	/* nothing set: nothing changes */
	assert_int_equal(mlv_config_load_env(&c, err, sizeof(err)), 0);
	assert_int_equal(c.port, 9090);

	assert_int_equal(setenv("MLV_SERVER_PORT", "7070", 1), 0);
	assert_int_equal(setenv("MLV_DATA_DIR", "/srv/mlv-data", 1), 0);
	assert_int_equal(setenv("MLV_STORE_SYNCHRONOUS_FULL", "0", 1), 0);
	assert_int_equal(setenv("MLV_CUSTOMS_LOW_VALUE_CEILING", "200", 1), 0);
	assert_int_equal(mlv_config_load_env(&c, err, sizeof(err)), 0);
	assert_int_equal(c.port, 7070);
	assert_string_equal(c.data_dir, "/srv/mlv-data");
	assert_false(c.synchronous_full);
	assert_string_equal(c.low_value_ceiling, "200");
	assert_string_equal(c.address, "0.0.0.0"); /* from the file still */

	/* a bad value names the variable */
	assert_int_equal(setenv("MLV_SERVER_PORT", "seventy", 1), 0);
	err[0] = '\0';
	assert_int_equal(mlv_config_load_env(&c, err, sizeof(err)), MLV_EINVALID);
	assert_non_null(strstr(err, "MLV_SERVER_PORT"));
	assert_non_null(strstr(err, "server.port"));
	assert_int_equal(unsetenv("MLV_SERVER_PORT"), 0);
	assert_int_equal(mlv_config_load_env(&c, err, sizeof(err)), 0);
	assert_int_equal(c.port, 7070);
}

static void test_flags(void **state)
{
	fixture *fx = *state;
	mlv_config c;
	char err[512];
	assert_int_equal(load(fx, "[server]\nport = 9090\n", &c, err, sizeof(err)), 0);
	assert_int_equal(setenv("MLV_SERVER_PORT", "7070", 1), 0);
	assert_int_equal(mlv_config_load_env(&c, err, sizeof(err)), 0);
	assert_int_equal(c.port, 7070);
	/* defaults < file < environment < flags */
	assert_int_equal(mlv_config_set_flag(&c, "port", "6060", err, sizeof(err)), 0);
	assert_int_equal(c.port, 6060);
	assert_int_equal(mlv_config_set_flag(&c, "db", "/tmp/x.db", err, sizeof(err)), 0);
	assert_string_equal(c.db_path, "/tmp/x.db");
	assert_int_equal(mlv_config_set_flag(&c, "max-connections", "12", err, sizeof(err)), 0);
	assert_int_equal(c.max_connections, 12);
	assert_int_equal(mlv_config_set_flag(&c, "access-log", "true", err, sizeof(err)), 0);
	assert_true(c.access_log);
	assert_int_equal(mlv_config_set_flag(&c, "writer-batch", "64", err, sizeof(err)), 0);
	assert_int_equal(c.writer_batch, 64);

	/* unknown flags, and settings that have none */
	assert_int_equal(mlv_config_set_flag(&c, "nope", "1", err, sizeof(err)), MLV_ENOTFOUND);
	assert_int_equal(mlv_config_set_flag(&c, "synchronous_full", "false", err, sizeof(err)),
			 MLV_ENOTFOUND);
	assert_int_equal(mlv_config_set_flag(&c, "max_connections", "5", err, sizeof(err)),
			 MLV_ENOTFOUND);
	assert_true(c.synchronous_full);
	/* a bad value names the flag and leaves the setting alone */
	err[0] = '\0';
	assert_int_equal(mlv_config_set_flag(&c, "port", "99999", err, sizeof(err)), MLV_EINVALID);
	assert_non_null(strstr(err, "--port"));
	assert_int_equal(c.port, 6060);
	char longpath[600];
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(mlv_config_set_flag(&c, "db", longpath, err, sizeof(err)), MLV_EINVALID);
	assert_non_null(strstr(err, "store.path"));
	assert_string_equal(c.db_path, "/tmp/x.db");
}

static void test_example_loads(void **state)
{
	fixture *fx = *state;
	mlv_buf b = MLV_BUF_INIT(1 << 20);
	assert_int_equal(mlv_config_example(&b), 0);
	assert_non_null(strstr(b.data, "[server]"));
	assert_non_null(strstr(b.data, "port = 8080"));
	assert_non_null(strstr(b.data, "[writer]"));
	write_ini(fx, b.data);
	mlv_buf_free(&b);

	/* every setting comes from the file: start from zeros, not defaults */
	mlv_config c, defaults;
	memset(&c, 0, sizeof(c));
	char err[512] = "";
	int rc = mlv_config_load_file(&c, fx->path, err, sizeof(err));
	if (rc != 0)
		fail_msg("the example does not load: %s", err);
	mlv_config_defaults(&defaults);
	assert_string_equal(c.address, defaults.address);
	assert_int_equal(c.port, defaults.port);
	assert_string_equal(c.db_path, defaults.db_path);
	assert_true(c.synchronous_full);
	assert_string_equal(c.low_value_ceiling, "150.00");
	assert_int_equal(c.writer_queue, defaults.writer_queue);
	/* both start zeroed, so the whole struct compares */
	assert_memory_equal(&c, &defaults, sizeof(c));
}

static void test_print_flags(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	mlv_config_print_flags(f);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(text, "--port=VALUE"));
	assert_non_null(strstr(text, "(default 8080)"));
	assert_non_null(strstr(text, "--low-value-ceiling=VALUE"));
	/* settings without a flag are not offered */
	assert_null(strstr(text, "synchronous"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test_setup_teardown(test_file_overrides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_unknown_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_bad_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_example_loads, setup, teardown),
		cmocka_unit_test(test_print_flags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
