/* test_stats_store.c - the statistics kept by the SQLite store (store.h,
 * docs/statistics.md), against independent counts: generated consignments
 * of three filers filed over forty days, some amended, arrived, released
 * (on a deferred account too), held, inspected with results, seized,
 * refunded; then every figure the aggregates give is counted again with
 * plain SQL over the stored rows, the release-time percentiles are set
 * beside exact ones, a rebuild finds no difference, and a database of the
 * schema before the statistics receives its columns and aggregates back.
 *
 * MLV_DATADIR names the project's data/. */
#include "mlv/store.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "mlv/generate.h"
#include "mlv/risk.h"
#include "mlv/stats.h"
#include "testutil.h"

#define N 900
#define DAYS 40
#define DAY_MS INT64_C(86400000)

static mlv_risk_profile *risk;
static mlv_risk_goods *goods;
static char dir[64], path[128];
static mlv_store *st;
static sqlite3 *db;   /* the same file, read by plain SQL */
static int32_t d0;    /* the first filing day */
static int64_t filers[3];
static uint64_t hits_filed; /* rule hits of every version stored */

static int group_setup(void **state)
{
	if (profiles_group_setup(state) != 0)
		return -1;
	char err[512], p[512];
	snprintf(p, sizeof(p), "%s/risk/profile-default.ini", MLV_DATADIR);
	if (mlv_risk_profile_load(&risk, p, rd, err, sizeof(err)) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/risk/goods", MLV_DATADIR);
	if (mlv_risk_goods_load_dir(&goods, p, rd, err, sizeof(err)) != 0)
		return -1;
	d0 = day_of("2026-03-02"); /* a Monday */
	return 0;
}

static int group_teardown(void **state)
{
	mlv_risk_profile_free(risk);
	mlv_risk_goods_free(goods);
	return profiles_group_teardown(state);
}

static mlv_store *open_store(bool read_only)
{
	mlv_store_opts o = MLV_STORE_OPTS_INIT;
	o.path = path;
	o.read_only = read_only;
	o.synchronous_full = false;
	char err[256] = "";
	mlv_store *s = NULL;
	if (mlv_store_open(&s, &o, err, sizeof(err)) != 0)
		fail_msg("open %s: %s", path, err);
	return s;
}

static mlv_validate_opts vopts(void)
{
	mlv_validate_opts o = MLV_VALIDATE_OPTS_INIT;
	o.profile = mlv_profiles_get(ps, "FR");
	o.risk = risk;
	o.goods = goods;
	o.country = "FR";
	o.random_key[0] = 7;
	o.random_key[1] = 11;
	return o;
}

static mlv_filing *prepare(int64_t filer, const char *text, int64_t received_ms)
{
	mlv_filing *f = mlv_filing_new();
	assert_non_null(f);
	f->filer_id = filer;
	f->received_ms = received_ms;
	mlv_validate_opts o = vopts();
	assert_int_equal(mlv_filing_prepare(f, text, strlen(text), rd, &o), 0);
	if (!f->ok)
		fail_msg("not valid: %.200s", text);
	return f;
}

static void store(mlv_filing **fs, size_t n)
{
	assert_int_equal(mlv_store_file(st, fs, n), 0);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(fs[i]->store_rc, 0);
		if (fs[i]->outcome != MLV_OUTCOME_UNCHANGED)
			hits_filed += fs[i]->hit_rule_count;
	}
}

static int64_t at(int day, int64_t seconds)
{
	return (int64_t)(d0 + day) * DAY_MS + seconds * 1000;
}

/* ---- the history ----------------------------------------------------------------------- */

struct kept {
	int64_t id, filer;
	int day;
	char lrn[40];
	char rules[16][41];
	size_t nrules;
};

static int build_history(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/mlv-test-stats-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/stats.db", dir);
	st = open_store(false);
	const char *names[3] = {"ExampleMarket", "Example Post", "Broker & Co, \"quoted\""};
	for (int i = 0; i < 3; i++)
		assert_int_equal(mlv_store_filer_ensure(st, names[i], &filers[i]), 0);
	/* the third filer has a deferred account: its green consignments that
	 * owe something are released on it at arrival */
	mlv_account acct;
	assert_int_equal(mlv_store_account_open(st, filers[2], "EUR", 100000000, 1, &acct), 0);

	mlv_generate_opts go = MLV_GENERATE_OPTS_INIT;
	go.seed = 5;
	go.valid_only = true;
	go.start_day = d0 - 3;
	go.anomaly_permille = 80;
	mlv_generator *g = NULL;
	assert_int_equal(mlv_generator_new(&g, rd, &go), 0);
	static char lines[N][8192];
	struct kept *k = calloc(N, sizeof(*k));
	assert_non_null(k);
	mlv_filing *batch[100];
	for (int i = 0; i < N; i += 100) {
		for (int j = 0; j < 100; j++) {
			mlv_anomaly label;
			int n = mlv_generator_next(g, lines[i + j], sizeof(lines[0]), &label);
			assert_true(n > 0);
			int day = (i + j) % DAYS;
			k[i + j].filer = filers[(i + j) % 3];
			k[i + j].day = day;
			batch[j] = prepare(k[i + j].filer, lines[i + j], at(day, 3600 + i + j));
		}
		store(batch, 100);
		for (int j = 0; j < 100; j++) {
			k[i + j].id = batch[j]->id;
			snprintf(k[i + j].lrn, sizeof(k[i + j].lrn), "%s", batch[j]->c.lrn);
			k[i + j].nrules = batch[j]->hit_rule_count;
			memcpy(k[i + j].rules, batch[j]->hit_rules, sizeof(k[i + j].rules));
			mlv_filing_free(batch[j]);
		}
	}
	mlv_generator_free(g);

	/* amendments, some in the batch that files them: every 17th moves to
	 * another country of dispatch, a day later */
	for (int i = 0; i < N; i += 17) {
		char *a = strstr(lines[i], "\"departure_country\":\"");
		assert_non_null(a);
		const char *to = strncmp(a + 21, "US", 2) == 0 ? "GB" : "US";
		memcpy(a + 21, to, 2);
		mlv_filing *f = prepare(k[i].filer, lines[i], at(k[i].day + 1, 7200));
		store(&f, 1);
		assert_int_equal(f->outcome, MLV_OUTCOME_AMENDED);
		k[i].nrules = f->hit_rule_count;
		memcpy(k[i].rules, f->hit_rules, sizeof(k[i].rules));
		mlv_filing_free(f);
	}
	/* a new consignment and its amendment in one batch */
	{
		mlv_filing *two[2];
		char *first = strdup(lines[N - 1]), *lrn = strstr(first, "\"lrn\":\"");
		assert_non_null(lrn);
		lrn[7] = 'Z'; /* another LRN */
		char *second = strdup(first), *a = strstr(second, "\"departure_country\":\"");
		memcpy(a + 21, strncmp(a + 21, "DE", 2) == 0 ? "IT" : "DE", 2);
		two[0] = prepare(filers[0], first, at(7, 100));
		two[1] = prepare(filers[0], second, at(7, 200));
		store(two, 2);
		assert_int_equal(two[0]->outcome, MLV_OUTCOME_CREATED);
		assert_int_equal(two[1]->outcome, MLV_OUTCOME_AMENDED);
		mlv_filing_free(two[0]);
		mlv_filing_free(two[1]);
		free(first);
		free(second);
	}

	/* arrivals: four consignments in five, a day or two after filing;
	 * the green ones that owe nothing (or sit on the account) are released */
	for (int i = 0; i < N; i++) {
		if (i % 5 == 4)
			continue;
		mlv_transition_result r;
		int64_t when = at(k[i].day + 1 + i % 2, 1800 + i);
		int rc = mlv_store_transition(st, k[i].filer, k[i].id, MLV_ACT_ARRIVE, MLV_BY_FILER,
					      "filer", "arrival", when, true, &r);
		assert_int_equal(rc, 0);
		if (r.to == MLV_ST_RELEASED || i % 4 != 0)
			continue;
		/* officers: hold, inspect, then release, seize or return with a
		 * result that credits the rules that hit */
		assert_int_equal(mlv_store_transition(st, 0, k[i].id, MLV_ACT_HOLD, MLV_BY_OFFICER,
						      "officer:a", "hold", when + 600000, false, &r), 0);
		assert_int_equal(mlv_store_transition(st, 0, k[i].id, MLV_ACT_INSPECT, MLV_BY_OFFICER,
						      "officer:a", "inspect", when + 1200000, false, &r),
				 0);
		static const char *const results[] = {"nothing_found", "irregularity", "seizure"};
		static const mlv_action then[] = {MLV_ACT_RELEASE, MLV_ACT_RELEASE, MLV_ACT_SEIZE};
		int which = (i / 4) % 3;
		int64_t done = when + (int64_t)(i % 7 + 1) * 3600000 * (i % 5 == 0 ? 30 : 1);
		assert_int_equal(mlv_store_transition(st, 0, k[i].id, then[which], MLV_BY_OFFICER,
						      "officer:a", "decided", done, false, &r), 0);
		const char *ids[16];
		for (size_t h = 0; h < k[i].nrules; h++)
			ids[h] = k[i].rules[h];
		assert_int_equal(mlv_store_result(st, k[i].id, results[which], which ? 1234 : 0,
						  "officer:a", "note", done, ids, k[i].nrules),
				 0);
	}
	/* refunds: returns of the third filer's consignments released on its
	 * account, declared as returns */
	int refunds = 0;
	for (int i = 0; i < N && refunds < 3; i++) {
		if (k[i].filer != filers[2])
			continue;
		sqlite3 *h = NULL;
		sqlite3_stmt *q = NULL;
		assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(h, "SELECT released_at FROM consignments WHERE id"
						       " = ?1 AND status = 'released' AND EXISTS (SELECT"
						       " 1 FROM account_entries WHERE consignment_id = ?1)",
						    -1, &q, NULL),
				 SQLITE_OK);
		sqlite3_bind_int64(q, 1, k[i].id);
		int64_t released = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
		sqlite3_finalize(q);
		sqlite3_close(h);
		if (released == 0)
			continue;
		cJSON *ret = cJSON_Parse(lines[i]);
		char lrn[48];
		snprintf(lrn, sizeof(lrn), "RET-%d", i);
		cJSON_ReplaceItemInObject(ret, "lrn", cJSON_CreateString(lrn));
		cJSON_ReplaceItemInObject(ret, "declaration_type", cJSON_CreateString("return"));
		cJSON_AddStringToObject(ret, "original_lrn", k[i].lrn);
		char *text = cJSON_PrintUnformatted(ret);
		cJSON_Delete(ret);
		mlv_filing *f = prepare(filers[2], text, released + 3600000);
		free(text);
		store(&f, 1);
		mlv_filing_free(f);
		int64_t refunded = 0;
		assert_int_equal(mlv_store_refund(st, filers[2], k[i].id, lrn, 30, released + 7200000,
						  &refunded),
				 0);
		assert_true(refunded > 0);
		refunds++;
	}
	assert_int_equal(refunds, 3);
	free(k);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	return 0;
}

static int drop_history(void **state)
{
	(void)state;
	sqlite3_close(db);
	mlv_store_close(st);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return getenv("KEEPDB") || system(cmd) == 0 ? 0 : -1;
}

static int setup_all(void **state)
{
	return group_setup(state) == 0 && build_history(state) == 0 ? 0 : -1;
}

static int teardown_all(void **state)
{
	int rc = drop_history(state);
	return group_teardown(state) == 0 ? rc : -1;
}

/* ---- reading both ways ------------------------------------------------------------------- */

#define ROWS_MAX 4096

struct rows {
	mlv_stats_row r[ROWS_MAX];
	size_t n;
};

static int collect(void *ctx, const mlv_stats_row *row)
{
	struct rows *rs = ctx;
	assert_true(rs->n < ROWS_MAX);
	rs->r[rs->n++] = *row;
	return 0;
}

static struct rows *query(const mlv_stats_query *q)
{
	struct rows *rs = calloc(1, sizeof(*rs));
	assert_non_null(rs);
	assert_int_equal(mlv_store_stats(st, q, collect, rs), 0);
	return rs;
}

static mlv_stats_query range(int from, int to)
{
	mlv_stats_query q;
	memset(&q, 0, sizeof(q));
	q.from_day = d0 + from;
	q.to_day = d0 + to;
	return q;
}

/* One integer from SQL with up to three integer parameters. */
static int64_t sql_int(const char *sql, int64_t a, int64_t b, int64_t c)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_bind_int64(q, 1, a);
	sqlite3_bind_int64(q, 2, b);
	sqlite3_bind_int64(q, 3, c);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* The filing figures of rows filed in [from, to] days (ms bounds) and
 * matching `where` (SQL over consignments, ?3 its parameter). */
static void expect_filing(const mlv_stats_row *r, const char *where, int64_t from_ms,
			  int64_t to_ms, int64_t param)
{
	char sql[512];
	static const struct {
		mlv_stats_measure m;
		const char *expr;
	} cols[] = {
		{MLV_SM_CONSIGNMENTS, "count(*)"},
		{MLV_SM_AMENDMENTS, "sum(version - 1)"},
		{MLV_SM_DECLARED_VALUE, "sum(goods_value)"},
		{MLV_SM_ASSESSED, "count(amount_due)"},
		{MLV_SM_DUTY, "sum(duty)"},
		{MLV_SM_TAX, "sum(tax)"},
		{MLV_SM_DUE, "sum(amount_due)"},
		{MLV_SM_QUALITY_SUM, "sum(quality_score)"},
		{MLV_SM_QUALITY_LOW, "sum(quality_score < 50)"},
		{MLV_SM_LEAD_N, "count(expected_arrival)"},
		{MLV_SM_LEAD_SUM_S, "sum(expected_arrival - filed_at / 1000)"},
		{MLV_SM_LATE_FILINGS, "sum(expected_arrival - filed_at / 1000 <= 0)"},
	};
	for (size_t i = 0; i < MLV_ARRAY_LEN(cols); i++) {
		snprintf(sql, sizeof(sql),
			 "SELECT coalesce(%s, 0) FROM consignments WHERE filed_at >= ?1 AND filed_at < ?2"
			 " AND %s",
			 cols[i].expr, where);
		int64_t want = sql_int(sql, from_ms, to_ms, param);
		if (r->m[cols[i].m] != want)
			fail_msg("%s where %s (%lld): aggregates %lld, rows %lld",
				 mlv_stats_measures[cols[i].m].name, where, (long long)param,
				 (long long)r->m[cols[i].m], (long long)want);
	}
}

/* ---- tests -------------------------------------------------------------------------------- */

/* By day over the whole history: every filing, arrival, release,
 * inspection result and refund figure equals its count over the rows. */
static void test_by_day(void **state)
{
	(void)state;
	mlv_stats_query q = range(0, DAYS + 3);
	q.period = MLV_PERIOD_DAY;
	struct rows *rs = query(&q);
	assert_true(rs->n >= DAYS);
	int64_t total = 0;
	for (size_t i = 0; i < rs->n; i++) {
		const mlv_stats_row *r = &rs->r[i];
		int64_t from = (int64_t)r->period_start * DAY_MS, to = from + DAY_MS;
		expect_filing(r, "?3 = ?3", from, to, 0);
		total += r->m[MLV_SM_CONSIGNMENTS];
		assert_int_equal(r->m[MLV_SM_ARRIVED],
				 sql_int("SELECT count(*) FROM consignments WHERE arrived_at >= ?1"
					 " AND arrived_at < ?2", from, to, 0));
		assert_int_equal(r->m[MLV_SM_ARRIVAL_LEAD_SUM_S],
				 sql_int("SELECT coalesce(sum((arrived_at - filed_at) / 1000), 0) FROM"
					 " consignments WHERE arrived_at >= ?1 AND arrived_at < ?2",
					 from, to, 0));
		assert_int_equal(r->m[MLV_SM_RELEASED],
				 sql_int("SELECT count(*) FROM consignments WHERE released_at >= ?1"
					 " AND released_at < ?2", from, to, 0));
		assert_int_equal(r->m[MLV_SM_RELEASE_SUM_S],
				 sql_int("SELECT coalesce(sum((released_at - filed_at) / 1000), 0) FROM"
					 " consignments WHERE released_at >= ?1 AND released_at < ?2",
					 from, to, 0));
		assert_int_equal(r->m[MLV_SM_COLLECTED],
				 sql_int("SELECT coalesce(sum(amount_due), 0) FROM consignments WHERE"
					 " released_at >= ?1 AND released_at < ?2", from, to, 0));
		assert_int_equal(r->m[MLV_SM_COLLECTED_TAX],
				 sql_int("SELECT coalesce(sum(tax), 0) FROM consignments WHERE"
					 " released_at >= ?1 AND released_at < ?2", from, to, 0));
		assert_int_equal(r->m[MLV_SM_CONTROLS],
				 sql_int("SELECT count(*) FROM inspection_results WHERE at >= ?1"
					 " AND at < ?2", from, to, 0));
		assert_int_equal(r->m[MLV_SM_FINDINGS],
				 sql_int("SELECT count(*) FROM inspection_results WHERE at >= ?1"
					 " AND at < ?2 AND result <> 'nothing_found'", from, to, 0));
		assert_int_equal(r->m[MLV_SM_SEIZURES],
				 sql_int("SELECT count(*) FROM inspection_results WHERE at >= ?1"
					 " AND at < ?2 AND result = 'seizure'", from, to, 0));
		assert_int_equal(r->m[MLV_SM_REVENUE],
				 sql_int("SELECT coalesce(sum(revenue), 0) FROM inspection_results"
					 " WHERE at >= ?1 AND at < ?2 AND result <> 'nothing_found'",
					 from, to, 0));
		assert_int_equal(r->m[MLV_SM_REFUNDS],
				 sql_int("SELECT count(*) FROM events WHERE type = 'refund' AND"
					 " at >= ?1 AND at < ?2", from, to, 0));
		assert_int_equal(r->m[MLV_SM_REFUNDED],
				 sql_int("SELECT coalesce(sum(amount), 0) FROM account_entries WHERE"
					 " kind = 'refund' AND at >= ?1 AND at < ?2", from, to, 0));
		int64_t lanes = 0;
		for (int l = 0; l < MLV_STATS_LANES; l++)
			lanes += r->lanes[l];
		assert_int_equal(lanes, r->m[MLV_SM_CONSIGNMENTS]);
	}
	assert_int_equal(total, sql_int("SELECT count(*) FROM consignments", 0, 0, 0));
	/* the history is what the test meant it to be */
	assert_true(sql_int("SELECT count(*) FROM inspection_results", 0, 0, 0) >= 30);
	assert_true(sql_int("SELECT count(*) FROM consignments WHERE status = 'seized'", 0, 0, 0) >=
		    5);
	assert_true(sql_int("SELECT count(*) FROM consignments WHERE version > 1", 0, 0, 0) >= 50);
	assert_true(sql_int("SELECT count(DISTINCT lane) FROM consignments", 0, 0, 0) >= 3);
	free(rs);
}

/* Each dimension as a breakdown, alone and under filters that make the
 * store read each grain (the narrow ones and the one of every dimension). */
static void test_breakdowns(void **state)
{
	(void)state;
	int64_t from = (int64_t)d0 * DAY_MS, to = (int64_t)(d0 + 20) * DAY_MS;
	static const struct {
		mlv_stats_dim by;
		const char *where; /* ?3: the row's key */
	} cases[] = {
		{MLV_DIM_LANE, "coalesce(CASE lane WHEN 'green' THEN 1 WHEN 'yellow' THEN 2"
			       " WHEN 'red' THEN 3 WHEN 'hold' THEN 4 END, 0) = ?3"},
		{MLV_DIM_CHANNEL, "channel = ?3"},
		{MLV_DIM_BUSINESS_MODEL, "business_model = ?3"},
		{MLV_DIM_COLLECTION_MODEL, "coalesce(collection_model, 0) = ?3"},
		{MLV_DIM_HS_CHAPTER, "hs_chapter = ?3"},
		{MLV_DIM_FILER, "filer_id = ?3"},
	};
	for (size_t c = 0; c < MLV_ARRAY_LEN(cases); c++) {
		mlv_stats_query q = range(0, 19);
		q.by = cases[c].by;
		struct rows *rs = query(&q);
		assert_true(rs->n >= 1);
		int64_t sum = 0;
		for (size_t i = 0; i < rs->n; i++) {
			expect_filing(&rs->r[i], cases[c].where, from, to, rs->r[i].key);
			sum += rs->r[i].m[MLV_SM_CONSIGNMENTS];
			if (cases[c].by == MLV_DIM_FILER)
				assert_true(rs->r[i].key_text[0] != '\0'); /* its name */
		}
		assert_int_equal(sum, sql_int("SELECT count(*) FROM consignments WHERE filed_at >= ?1"
					      " AND filed_at < ?2", from, to, 0));
		free(rs);
	}
	/* origin (a text key) under a filter of another grain: filer */
	mlv_stats_query q = range(0, 19);
	q.by = MLV_DIM_ORIGIN;
	q.filters = 1u << MLV_DIM_FILER;
	q.key[MLV_DIM_FILER] = filers[1];
	struct rows *rs = query(&q);
	assert_true(rs->n >= 2);
	for (size_t i = 0; i < rs->n; i++) {
		char where[160];
		snprintf(where, sizeof(where), "filer_id = ?3 AND departure_country = '%s'",
			 rs->r[i].key_text);
		expect_filing(&rs->r[i], where, from, to, filers[1]);
	}
	free(rs);
	/* chapter under a lane and a channel filter */
	q = range(0, 19);
	q.by = MLV_DIM_HS_CHAPTER;
	q.filters = (1u << MLV_DIM_LANE) | (1u << MLV_DIM_CHANNEL);
	q.key[MLV_DIM_LANE] = mlv_stats_lane_index("yellow");
	q.key[MLV_DIM_CHANNEL] = MLV_CH_POST;
	rs = query(&q);
	for (size_t i = 0; i < rs->n; i++)
		expect_filing(&rs->r[i], "lane = 'yellow' AND channel = 1 AND hs_chapter = ?3", from, to,
			      rs->r[i].key);
	free(rs);
	/* an origin filter alone, no breakdown */
	q = range(0, 19);
	q.filters = 1u << MLV_DIM_ORIGIN;
	snprintf(q.origin, sizeof(q.origin), "US");
	rs = query(&q);
	assert_int_equal(rs->n, 1);
	expect_filing(&rs->r[0], "departure_country = 'US' AND ?3 = ?3", from, to, 0);
	free(rs);
	/* a combination the store does not keep is refused, not guessed */
	q = range(0, 19);
	q.by = MLV_DIM_ORIGIN;
	q.filters = 1u << MLV_DIM_BUSINESS_MODEL;
	rs = calloc(1, sizeof(*rs));
	assert_int_equal(mlv_store_stats(st, &q, collect, rs), MLV_EINVALID);
	assert_int_equal(rs->n, 0);
	free(rs);
	assert_true(mlv_store_stats_grain((1u << MLV_DIM_ORIGIN) | (1u << MLV_DIM_HS_CHAPTER) |
					  (1u << MLV_DIM_LANE)) >= 0);
	assert_true(mlv_store_stats_grain((1u << MLV_DIM_ORIGIN) | (1u << MLV_DIM_HS_CHAPTER) |
					  (1u << MLV_DIM_CHANNEL)) < 0);
	assert_true(mlv_store_stats_grain(0) >= 0);
	/* chapter under a filer and a lane, origin under a chapter */
	q = range(0, 19);
	q.by = MLV_DIM_HS_CHAPTER;
	q.filters = (1u << MLV_DIM_FILER) | (1u << MLV_DIM_LANE);
	q.key[MLV_DIM_FILER] = filers[0];
	q.key[MLV_DIM_LANE] = mlv_stats_lane_index("green");
	rs = query(&q);
	assert_true(rs->n >= 1);
	char where[160];
	snprintf(where, sizeof(where), "lane = 'green' AND filer_id = %lld AND hs_chapter = ?3",
		 (long long)filers[0]);
	for (size_t i = 0; i < rs->n; i++)
		expect_filing(&rs->r[i], where, from, to, rs->r[i].key);
	free(rs);
	/* a filter that matches nothing: no row */
	q = range(0, 19);
	q.filters = 1u << MLV_DIM_FILER;
	q.key[MLV_DIM_FILER] = 999999;
	rs = query(&q);
	assert_int_equal(rs->n, 0);
	free(rs);
}

/* Weeks and months add up the days of the range they cover. */
static void test_periods(void **state)
{
	(void)state;
	for (int p = MLV_PERIOD_WEEK; p <= MLV_PERIOD_MONTH; p++) {
		mlv_stats_query q = range(3, DAYS - 1);
		q.period = (mlv_stats_period)p;
		struct rows *rs = query(&q);
		assert_int_equal(rs->n, mlv_stats_period_count(q.period, q.from_day, q.to_day));
		for (size_t i = 0; i < rs->n; i++) {
			int32_t s = rs->r[i].period_start;
			assert_int_equal(s, mlv_stats_period_start(q.period, s));
			int32_t a = s < q.from_day ? q.from_day : s;
			int32_t b = mlv_stats_period_next(q.period, s);
			if (b > q.to_day + 1)
				b = q.to_day + 1;
			expect_filing(&rs->r[i], "?3 = ?3", (int64_t)a * DAY_MS, (int64_t)b * DAY_MS, 0);
		}
		free(rs);
	}
	/* no period: one row for the range, dated by its first day */
	mlv_stats_query q = range(5, 9);
	struct rows *rs = query(&q);
	assert_int_equal(rs->n, 1);
	assert_int_equal(rs->r[0].period_start, d0 + 5);
	expect_filing(&rs->r[0], "?3 = ?3", (int64_t)(d0 + 5) * DAY_MS, (int64_t)(d0 + 10) * DAY_MS,
		      0);
	free(rs);
	/* the row bound */
	q = range(0, DAYS);
	q.period = MLV_PERIOD_DAY;
	q.max_rows = 3;
	rs = calloc(1, sizeof(*rs));
	assert_int_equal(mlv_store_stats(st, &q, collect, rs), MLV_ETOOBIG);
	assert_int_equal(rs->n, 3);
	free(rs);
}

struct hist {
	uint64_t n[2][MLV_STATS_LANES][MLV_STATS_BUCKETS];
	int64_t max[2][MLV_STATS_LANES];
	uint64_t by_channel[2][8];
};

static int add_hist(void *ctx, int measure, int lane, int channel, int bucket, uint64_t n,
		    int64_t max_s)
{
	struct hist *h = ctx;
	assert_in_range(measure, 0, 1);
	assert_in_range(lane, 0, MLV_STATS_LANES - 1);
	assert_in_range(bucket, 0, MLV_STATS_BUCKETS - 1);
	assert_in_range(max_s, mlv_stats_bucket_low(bucket), mlv_stats_bucket_high(bucket));
	h->n[measure][lane][bucket] += n;
	if (max_s > h->max[measure][lane])
		h->max[measure][lane] = max_s;
	h->by_channel[measure][channel & 7] += n;
	return 0;
}

/* Release times: every release counted once per measure, by lane and
 * channel, and the percentiles read from the histogram stay within a
 * bucket's width (1/32) of the exact nearest-rank ones. */
static void test_release_histograms(void **state)
{
	(void)state;
	struct hist *h = calloc(1, sizeof(*h));
	assert_non_null(h);
	assert_int_equal(mlv_store_stats_release(st, d0, d0 + DAYS + 60, add_hist, h), 0);
	static const char *const lanes[MLV_STATS_LANES] = {"", "green", "yellow", "red", "hold"};
	for (int l = 0; l < MLV_STATS_LANES; l++) {
		for (int m = 0; m < 2; m++) {
			char sql[256];
			snprintf(sql, sizeof(sql),
				 "SELECT (released_at - %s) / 1000 FROM consignments WHERE released_at"
				 " IS NOT NULL AND coalesce(lane, '') = ?1",
				 m == 0 ? "filed_at" : "arrived_at");
			sqlite3_stmt *q = NULL;
			assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
			sqlite3_bind_text(q, 1, lanes[l], -1, SQLITE_STATIC);
			int64_t v[N];
			size_t n = 0;
			while (sqlite3_step(q) == SQLITE_ROW)
				v[n++] = sqlite3_column_int64(q, 0);
			sqlite3_finalize(q);
			uint64_t count = 0;
			for (int b = 0; b < MLV_STATS_BUCKETS; b++)
				count += h->n[m][l][b];
			assert_int_equal(count, n);
			mlv_percentiles exact, approx;
			mlv_percentiles_of(v, n, &exact);
			mlv_percentiles_of_histogram(h->n[m][l], h->max[m][l], &approx);
			assert_int_equal(approx.count, exact.count);
			assert_int_equal(approx.max, exact.max);
			const int64_t e[3] = {exact.median, exact.p90, exact.p99};
			const int64_t a[3] = {approx.median, approx.p90, approx.p99};
			for (int k = 0; k < 3; k++)
				if (a[k] < e[k] - e[k] / 32 - 1 || a[k] > e[k] + e[k] / 32 + 1)
					fail_msg("lane %s measure %d: percentile %d is %lld, exactly %lld",
						 lanes[l], m, k, (long long)a[k], (long long)e[k]);
		}
	}
	assert_int_equal(h->by_channel[0][MLV_CH_POST] + h->by_channel[0][MLV_CH_EXPRESS] +
				 h->by_channel[0][MLV_CH_COURIER] + h->by_channel[0][MLV_CH_FREIGHT],
			 sql_int("SELECT count(*) FROM consignments WHERE released_at IS NOT NULL", 0,
				 0, 0));
	free(h);
}

struct rule_sums {
	uint64_t hits, controls, findings, seizures;
	int64_t revenue;
	int rules;
};

static int add_rule(void *ctx, const char *rule, const mlv_rule_counts *c)
{
	struct rule_sums *s = ctx;
	s->hits += c->hits;
	s->controls += c->controls;
	s->findings += c->findings;
	s->seizures += c->seizures;
	s->revenue += c->revenue;
	s->rules++;
	/* the counters of all time hold the same (this history began empty) */
	mlv_rule_counts all;
	assert_int_equal(mlv_store_rule_counts(st, rule, &all), 0);
	assert_int_equal(all.hits, c->hits);
	assert_int_equal(all.controls, c->controls);
	assert_int_equal(all.findings, c->findings);
	return 0;
}

/* Rule performance by day adds up to the hits of every stored version and
 * to the results recorded for each rule. */
static void test_rules(void **state)
{
	(void)state;
	struct rule_sums s = {0, 0, 0, 0, 0, 0};
	assert_int_equal(mlv_store_stats_rules(st, d0 - 1, d0 + DAYS + 60, add_rule, &s), 0);
	assert_true(s.rules >= 3);
	assert_int_equal(s.hits, hits_filed);
	assert_true(s.controls >= 1);
	assert_true(s.findings <= s.controls);
	/* a period before the history: nothing */
	struct rule_sums none = {0, 0, 0, 0, 0, 0};
	assert_int_equal(mlv_store_stats_rules(st, d0 - 30, d0 - 1, add_rule, &none), 0);
	assert_int_equal(none.rules, 0);
}

static int add_state(void *ctx, const char *state, int lane, int64_t n)
{
	(void)lane;
	int64_t *total = ctx;
	static const char *const lanes[MLV_STATS_LANES] = {"", "green", "yellow", "red", "hold"};
	char sql[200];
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM consignments WHERE status = '%s' AND coalesce(lane, '') = '%s'",
		 state, lanes[lane]);
	assert_int_equal(n, sql_int(sql, 0, 0, 0));
	*total += n;
	return 0;
}

/* The migration's columns of stats_agg are the measures of stats.h, in
 * their order, after the nine key columns. */
static void test_schema_matches_measures(void **state)
{
	(void)state;
	sqlite3_stmt *q = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info('stats_agg')"
					       " ORDER BY cid",
					    -1, &q, NULL),
			 SQLITE_OK);
	int i = 0;
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (i >= 9) {
			assert_true(i - 9 < MLV_SM_COUNT_);
			assert_string_equal((const char *)sqlite3_column_text(q, 0),
					    mlv_stats_measures[i - 9].name);
		}
		i++;
	}
	sqlite3_finalize(q);
	assert_int_equal(i, 9 + MLV_SM_COUNT_);
}

static void test_states(void **state)
{
	(void)state;
	int64_t total = 0;
	assert_int_equal(mlv_store_stats_states(st, add_state, &total), 0);
	assert_int_equal(total, sql_int("SELECT count(*) FROM consignments", 0, 0, 0));
}

/* The aggregates as kept equal a rebuild from the rows; a rebuild gives
 * the same answers. */
static void test_rebuild_check(void **state)
{
	(void)state;
	mlv_stats_rebuild_report rep;
	assert_int_equal(mlv_store_stats_rebuild(st, true, &rep), 0);
	assert_int_equal(rep.differences, 0);
	assert_int_equal(rep.consignments, sql_int("SELECT count(*) FROM consignments", 0, 0, 0));
	/* a tampered aggregate is found */
	sqlite3 *w = NULL;
	assert_int_equal(sqlite3_open(path, &w), SQLITE_OK);
	assert_int_equal(sqlite3_exec(w, "UPDATE stats_agg SET consignments = consignments + 1"
					 " WHERE grain = 1 AND day = (SELECT min(day) FROM stats_agg)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_true(sqlite3_changes(w) >= 1);
	sqlite3_close(w);
	assert_int_equal(mlv_store_stats_rebuild(st, true, &rep), 0);
	assert_true(rep.differences >= 1);
	/* a rebuild repairs it */
	assert_int_equal(mlv_store_stats_rebuild(st, false, &rep), 0);
	assert_int_equal(mlv_store_stats_rebuild(st, true, &rep), 0);
	assert_int_equal(rep.differences, 0);
	test_by_day(state);
}

/* A database from before the statistics: the columns they need are
 * missing (NULL) and the aggregates empty; opening it rebuilds both from
 * the stored texts, to the same figures. */
static void test_migration_backfill(void **state)
{
	(void)state;
	mlv_stats_query q = range(0, DAYS + 3);
	q.by = MLV_DIM_HS_CHAPTER;
	struct rows *before = query(&q);
	q.by = MLV_DIM_COLLECTION_MODEL;
	struct rows *models = query(&q);
	int64_t duty = sql_int("SELECT sum(duty) FROM consignments", 0, 0, 0);
	mlv_store_close(st);
	sqlite3 *w = NULL;
	assert_int_equal(sqlite3_open(path, &w), SQLITE_OK);
	assert_int_equal(sqlite3_exec(w, "UPDATE consignments SET hs_chapter = NULL,"
					 " collection_model = NULL, duty = NULL, tax = NULL;"
					 "DELETE FROM stats_agg; DELETE FROM stats_release;"
					 "DELETE FROM stats_states;"
					 "INSERT INTO stats_meta (name, value) VALUES ('rebuild', 1);",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(w);
	st = open_store(false);
	assert_int_equal(sql_int("SELECT count(*) FROM consignments WHERE hs_chapter IS NULL", 0, 0,
				 0),
			 0);
	assert_int_equal(sql_int("SELECT sum(duty) FROM consignments", 0, 0, 0), duty);
	assert_int_equal(sql_int("SELECT count(*) FROM stats_meta", 0, 0, 0), 0);
	q.by = MLV_DIM_HS_CHAPTER;
	struct rows *after = query(&q);
	assert_int_equal(after->n, before->n);
	for (size_t i = 0; i < after->n; i++) {
		assert_int_equal(after->r[i].key, before->r[i].key);
		assert_memory_equal(after->r[i].m, before->r[i].m, sizeof(after->r[i].m));
	}
	q.by = MLV_DIM_COLLECTION_MODEL;
	struct rows *models_after = query(&q);
	assert_int_equal(models_after->n, models->n);
	for (size_t i = 0; i < models->n; i++)
		assert_memory_equal(models_after->r[i].m, models->r[i].m, sizeof(models->r[i].m));
	free(before);
	free(after);
	free(models);
	free(models_after);
	test_by_day(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_by_day),
		cmocka_unit_test(test_breakdowns),
		cmocka_unit_test(test_periods),
		cmocka_unit_test(test_release_histograms),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_schema_matches_measures),
		cmocka_unit_test(test_rebuild_check),
		cmocka_unit_test(test_migration_backfill),
	};
	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
