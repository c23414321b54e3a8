/* test_lifecycle.c - the transition table of a consignment (lifecycle.h):
 * the paths of the issue (file, assess, arrive, release; hold, inspect,
 * seize), forbidden transitions, who may act, facts that pick where a
 * resolved referral goes, and the rule that holds and seizures are never
 * the system's (GDPR art. 22). */
#include "mlv/lifecycle.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

static mlv_state next_ok(mlv_state from, mlv_action a, unsigned by, unsigned facts)
{
	mlv_state to = 0;
	int rc = mlv_lifecycle_next(from, a, by, facts, &to);
	if (rc != 0)
		fail_msg("%s --%s--> refused (%d)", mlv_state_name(from), mlv_action_name(a), rc);
	return to;
}

static void test_names_round_trip(void **state)
{
	(void)state;
	static const char *const states[] = {"filed", "assessed", "referred", "arrived", "held",
		"inspected", "released", "seized", "returned", "exported"};
	for (size_t i = 0; i < MLV_ARRAY_LEN(states); i++) {
		mlv_state s = mlv_state_from_name(states[i]);
		assert_int_not_equal(s, 0);
		assert_string_equal(mlv_state_name(s), states[i]);
	}
	assert_int_equal(mlv_state_from_name("in_bond"), 0); /* left for later */
	assert_int_equal(mlv_state_from_name(NULL), 0);
	for (int a = 1; a < MLV_ACT_COUNT_; a++)
		assert_int_equal(mlv_action_from_name(mlv_action_name((mlv_action)a)), a);
	assert_int_equal(mlv_action_from_name("answer"), 0);
	assert_string_equal(mlv_state_name(0), "unknown");
}

static void test_green_path(void **state)
{
	(void)state;
	mlv_state s = next_ok(MLV_ST_FILED, MLV_ACT_ASSESS, MLV_BY_SYSTEM, 0);
	assert_int_equal(s, MLV_ST_ASSESSED);
	s = next_ok(s, MLV_ACT_ARRIVE, MLV_BY_FILER, MLV_FACT_ASSESSED);
	assert_int_equal(s, MLV_ST_ARRIVED);
	s = next_ok(s, MLV_ACT_RELEASE, MLV_BY_SYSTEM, MLV_FACT_ASSESSED | MLV_FACT_ARRIVED);
	assert_int_equal(s, MLV_ST_RELEASED);
	assert_true(mlv_state_final(MLV_ST_SEIZED));
	assert_false(mlv_state_final(MLV_ST_RELEASED)); /* an export goes on to exit */
}

static void test_red_path(void **state)
{
	(void)state;
	unsigned f = MLV_FACT_ASSESSED | MLV_FACT_ARRIVED;
	mlv_state s = next_ok(MLV_ST_ARRIVED, MLV_ACT_HOLD, MLV_BY_OFFICER, f);
	assert_int_equal(s, MLV_ST_HELD);
	s = next_ok(s, MLV_ACT_INSPECT, MLV_BY_OFFICER, f);
	assert_int_equal(s, MLV_ST_INSPECTED);
	s = next_ok(s, MLV_ACT_SEIZE, MLV_BY_OFFICER, f);
	assert_int_equal(s, MLV_ST_SEIZED);
	mlv_state to = 0;
	for (int a = 1; a < MLV_ACT_COUNT_; a++)
		assert_int_equal(mlv_lifecycle_next(MLV_ST_SEIZED, (mlv_action)a,
						    MLV_BY_OFFICER | MLV_BY_SYSTEM | MLV_BY_FILER, f,
						    &to),
				 MLV_ECONFLICT);
}

static void test_forbidden_and_who(void **state)
{
	(void)state;
	mlv_state to = 0;
	/* not in the table: a conflict */
	assert_int_equal(mlv_lifecycle_next(MLV_ST_ASSESSED, MLV_ACT_SEIZE, MLV_BY_OFFICER, 0, &to),
			 MLV_ECONFLICT);
	assert_int_equal(mlv_lifecycle_next(MLV_ST_RELEASED, MLV_ACT_RELEASE, MLV_BY_OFFICER, 0, &to),
			 MLV_ECONFLICT);
	/* in the table, not for this actor: forbidden */
	assert_int_equal(mlv_lifecycle_next(MLV_ST_ARRIVED, MLV_ACT_INSPECT, MLV_BY_FILER, 0, &to),
			 MLV_EFORBIDDEN);
	assert_int_equal(mlv_lifecycle_next(MLV_ST_ASSESSED, MLV_ACT_ARRIVE, MLV_BY_OFFICER, 0, &to),
			 MLV_EFORBIDDEN);
	/* the system never holds nor seizes, whoever else it acts with */
	assert_int_equal(mlv_lifecycle_next(MLV_ST_ARRIVED, MLV_ACT_HOLD, MLV_BY_SYSTEM, 0, &to),
			 MLV_EFORBIDDEN);
	assert_int_equal(mlv_lifecycle_next(MLV_ST_ARRIVED, MLV_ACT_HOLD,
					    MLV_BY_SYSTEM | MLV_BY_OFFICER, 0, &to),
			 MLV_EFORBIDDEN);
	assert_int_equal(mlv_lifecycle_next(MLV_ST_INSPECTED, MLV_ACT_SEIZE, MLV_BY_SYSTEM, 0, &to),
			 MLV_EFORBIDDEN);
}

/* Every row of the table: holds and seizures by officers alone; every
 * state reachable from filed; no two rows for the same step under the
 * same facts (the table decides one way). */
static void test_table_invariants(void **state)
{
	(void)state;
	mlv_lifecycle_row r, q;
	bool reached[MLV_ST_COUNT_] = {false};
	reached[MLV_ST_FILED] = true;
	size_t n = 0;
	for (size_t i = 0; mlv_lifecycle_row_at(i, &r); i++, n++) {
		if (r.action == MLV_ACT_HOLD || r.action == MLV_ACT_SEIZE)
			assert_int_equal(r.by, MLV_BY_OFFICER);
		assert_true(r.why != NULL && strlen(r.why) > 5);
		assert_int_equal(r.need & r.need_not, 0);
		for (size_t k = i + 1; mlv_lifecycle_row_at(k, &q); k++) {
			bool overlap = (r.need & q.need_not) == 0 && (q.need & r.need_not) == 0;
			if (r.from == q.from && r.action == q.action && overlap)
				fail_msg("rows %zu and %zu both take %s from %s", i, k,
					 mlv_action_name(r.action), mlv_state_name(r.from));
		}
	}
	assert_true(n >= 20);
	for (int pass = 0; pass < MLV_ST_COUNT_; pass++)
		for (size_t i = 0; mlv_lifecycle_row_at(i, &r); i++)
			if (reached[r.from])
				reached[r.to] = true;
	for (int s = 1; s < MLV_ST_COUNT_; s++)
		if (!reached[s])
			fail_msg("%s cannot be reached", mlv_state_name((mlv_state)s));
}

/* A referral: opened from filed, assessed or arrived; arrival while it is
 * open is recorded; resolving it goes back to where the consignment was. */
static void test_referral_resolves_back(void **state)
{
	(void)state;
	assert_int_equal(next_ok(MLV_ST_ASSESSED, MLV_ACT_REFER, MLV_BY_OFFICER, MLV_FACT_ASSESSED),
			 MLV_ST_REFERRED);
	assert_int_equal(next_ok(MLV_ST_REFERRED, MLV_ACT_REFER, MLV_BY_OFFICER, MLV_FACT_ASSESSED),
			 MLV_ST_REFERRED);
	assert_int_equal(next_ok(MLV_ST_REFERRED, MLV_ACT_ARRIVE, MLV_BY_FILER, MLV_FACT_ASSESSED),
			 MLV_ST_REFERRED);
	mlv_state to = 0;
	/* arrived twice is no arrival */
	assert_int_equal(mlv_lifecycle_next(MLV_ST_REFERRED, MLV_ACT_ARRIVE, MLV_BY_FILER,
					    MLV_FACT_ARRIVED, &to),
			 MLV_ECONFLICT);
	assert_int_equal(next_ok(MLV_ST_REFERRED, MLV_ACT_RESOLVE, MLV_BY_OFFICER,
				 MLV_FACT_ASSESSED | MLV_FACT_ARRIVED),
			 MLV_ST_ARRIVED);
	assert_int_equal(next_ok(MLV_ST_REFERRED, MLV_ACT_RESOLVE, MLV_BY_OFFICER, MLV_FACT_ASSESSED),
			 MLV_ST_ASSESSED);
	assert_int_equal(next_ok(MLV_ST_REFERRED, MLV_ACT_RESOLVE, MLV_BY_OFFICER, 0), MLV_ST_FILED);
	/* resolving is an officer's, and only from referred */
	assert_int_equal(mlv_lifecycle_next(MLV_ST_REFERRED, MLV_ACT_RESOLVE, MLV_BY_FILER, 0, &to),
			 MLV_EFORBIDDEN);
	assert_int_equal(mlv_lifecycle_next(MLV_ST_ARRIVED, MLV_ACT_RESOLVE, MLV_BY_OFFICER, 0, &to),
			 MLV_ECONFLICT);
	/* no decision while a referral is open, but do-not-load upheld returns */
	assert_int_equal(mlv_lifecycle_next(MLV_ST_REFERRED, MLV_ACT_RELEASE, MLV_BY_OFFICER,
					    MLV_FACT_ARRIVED, &to),
			 MLV_ECONFLICT);
	assert_int_equal(next_ok(MLV_ST_REFERRED, MLV_ACT_RETURN, MLV_BY_OFFICER, 0),
			 MLV_ST_RETURNED);
}

static void test_export_exit(void **state)
{
	(void)state;
	mlv_state to = 0;
	assert_int_equal(next_ok(MLV_ST_RELEASED, MLV_ACT_EXIT, MLV_BY_FILER, MLV_FACT_EXPORT),
			 MLV_ST_EXPORTED);
	assert_int_equal(mlv_lifecycle_next(MLV_ST_RELEASED, MLV_ACT_EXIT, MLV_BY_FILER, 0, &to),
			 MLV_ECONFLICT);
	assert_true(mlv_state_final(MLV_ST_EXPORTED));
}

static void test_doc_names_every_row(void **state)
{
	(void)state;
	mlv_buf b = MLV_BUF_INIT(1 << 20);
	assert_int_equal(mlv_lifecycle_doc(&b), 0);
	assert_non_null(strstr(b.data, "stateDiagram-v2"));
	assert_non_null(strstr(b.data, "referred --> arrived : resolve (arrived)"));
	assert_non_null(strstr(b.data, "released --> exported : exit (export)"));
	assert_non_null(strstr(b.data, "in_bond"));
	mlv_lifecycle_row r;
	for (size_t i = 0; mlv_lifecycle_row_at(i, &r); i++)
		assert_non_null(strstr(b.data, r.why));
	mlv_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_green_path),
		cmocka_unit_test(test_red_path),
		cmocka_unit_test(test_forbidden_and_who),
		cmocka_unit_test(test_table_invariants),
		cmocka_unit_test(test_referral_resolves_back),
		cmocka_unit_test(test_export_exit),
		cmocka_unit_test(test_doc_names_every_row),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
