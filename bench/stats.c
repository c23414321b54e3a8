/* stats.c - mlv-bench-stats: the statistics over a large history (make
 * bench; issue 9's "a month's dashboard over 10,000,000 stored
 * consignments answers in under one second").
 *
 * Builds a store of N synthetic consignments quickly, with SQL straight
 * into the consignments table (not the filing path: the aggregates are
 * what is measured, not filing), spread over DAYS days with skewed
 * origins, HS chapters, filers, lanes and channels, arrivals and releases
 * with their times, and some inspection results; computes the aggregates
 * from those rows with the store's own rebuild (mlv_store_stats_rebuild,
 * timed); then times, best and median of several rounds, what the month's
 * dashboard reads: the totals, the days, a breakdown by country of
 * dispatch, by HS chapter, the lanes, the release-time histograms and the
 * rules.  Prints the figures and the first and last day of the month for
 * bench/run.sh to time the HTTP answers on.
 *
 *   mlv-bench-stats DB [--count N] [--days D] [--rounds R] [--reuse]
 *
 * With --reuse an existing DB of that size is queried again without being
 * built.  Exits 1 on any error. */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mlv/stats.h"
#include "mlv/store.h"

static uint64_t rng = 0x2545f4914f6cdd1dULL;

/* xorshift64*: the same history from one run to the next. */
static uint64_t next(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static uint32_t rnd(uint32_t n)
{
	return (uint32_t)((next() >> 32) % n);
}

/* A skewed pick among n: the first values far more often (about Zipf). */
static uint32_t skewed(uint32_t n)
{
	uint32_t a = rnd(n), b = rnd(n);
	return a < b ? a : b;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static const char *const origins[] = {
	"CN", "HK", "US", "GB", "TR", "KR", "JP", "IN", "VN", "TH", "DE", "IT", "ES", "PL",
	"CA", "AU", "TW", "MY", "ID", "PH", "SG", "AE", "IL", "MX", "BR", "CH", "NO", "UA",
	"PK", "BD", "LK", "MA", "EG", "ZA", "NZ", "CL", "AR", "CO", "PE", "SA",
};
static const int chapters[] = {
	85, 61, 62, 95, 71, 64, 42, 84, 39, 33, 94, 90, 91, 63, 96, 73, 49, 83, 65, 87,
	40, 69, 70, 44, 48, 34, 30, 21, 19, 9,	82, 76, 74, 92, 97, 66, 67, 43, 41, 52,
	54, 55, 56, 57, 58, 59, 60, 68, 72, 75, 78, 79, 80, 81, 86, 88, 89, 93, 12, 13,
};

#define FILERS 50

static int build(mlv_store *st, sqlite3 *db, long long count, int days, int32_t first_day)
{
	int64_t filer_ids[FILERS];
	for (int i = 0; i < FILERS; i++) {
		char name[32];
		snprintf(name, sizeof(name), "bench-filer-%02d", i);
		if (mlv_store_filer_ensure(st, name, &filer_ids[i]) != 0)
			return 1;
	}
	sqlite3_stmt *ins = NULL, *res = NULL;
	if (sqlite3_prepare_v2(
		    db,
		    "INSERT INTO consignments (filer_id, lrn, version, status, declaration_type,"
		    " category, channel, business_model, departure_country, expected_arrival,"
		    " currency, invoice_total, goods_value, item_count, quality_score, quality,"
		    " digest, filed_at, updated_at, amount_due, lane, risk_score, arrived_at,"
		    " released_at, hs_chapter, collection_model, duty, tax)"
		    " VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7, ?8, ?9, 'EUR', ?10, ?10, 1, ?11, '{}',"
		    " zeroblob(32), ?12, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
		    -1, &ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
			       "INSERT INTO inspection_results (consignment_id, result, revenue,"
			       " officer, at, note) VALUES (?1, ?2, ?3, 'officer:bench', ?4, '')",
			       -1, &res, NULL) != SQLITE_OK) {
		fprintf(stderr, "mlv-bench-stats: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	static const char *const lanes[] = {"green", "yellow", "red", "hold"};
	static const char *const results[] = {"nothing_found", "irregularity", "seizure"};
	double t0 = now_s();
	int rc = 0;
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (long long i = 0; rc == 0 && i < count; i++) {
		int day = (int)((i * days) / count); /* evenly over the days, in filing order */
		int64_t filed = ((int64_t)(first_day + day) * 86400 + rnd(86400)) * 1000;
		uint32_t r = rnd(100);
		int lane = r < 70 ? 0 : r < 95 ? 1 : r < 99 ? 2 : 3;
		uint32_t c = rnd(100);
		int channel = c < 45 ? 1 : c < 80 ? 2 : c < 97 ? 3 : 4;
		int64_t value = 500 + rnd(30000) + (rnd(20) == 0 ? rnd(200000) : 0);
		int64_t duty = value > 15000 ? value * (int64_t)rnd(12) / 100 : 0;
		int64_t tax = value * 20 / 100;
		int model = duty + tax == 0 ? 1 : 2 + (int)skewed(6);
		int64_t arrived = 0, released = 0;
		const char *status = "assessed";
		if (rnd(100) < 85) {
			arrived = filed + ((int64_t)6 + rnd(96)) * 3600000;
			status = "arrived";
			if (rnd(100) < 85) {
				/* green: at once when nothing is owed, else within hours;
				 * the others wait for an officer, hours to days */
				int64_t wait = lane == 0 ? (rnd(3) == 0 ? 0 : (int64_t)rnd(4 * 3600))
							 : (int64_t)1800 + rnd(3 * 86400);
				released = arrived + wait * 1000;
				status = "released";
			}
		}
		char lrn[24];
		snprintf(lrn, sizeof(lrn), "B%010lld", i);
		sqlite3_bind_int64(ins, 1, filer_ids[skewed(FILERS)]);
		sqlite3_bind_text(ins, 2, lrn, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(ins, 3, rnd(50) == 0 ? 2 : 1);
		sqlite3_bind_text(ins, 4, status, -1, SQLITE_STATIC);
		sqlite3_bind_int(ins, 5, value > 15000 ? 2 : 1);
		sqlite3_bind_int(ins, 6, channel);
		sqlite3_bind_int(ins, 7, 1 + (int)skewed(3));
		sqlite3_bind_text(ins, 8, origins[skewed(MLV_ARRAY_LEN(origins))], 2, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 9, filed / 1000 + (int64_t)rnd(72 * 3600) - 6 * 3600);
		sqlite3_bind_int64(ins, 10, value);
		sqlite3_bind_int(ins, 11, 35 + (int)rnd(66));
		sqlite3_bind_int64(ins, 12, filed);
		sqlite3_bind_int64(ins, 13, duty + tax);
		sqlite3_bind_text(ins, 14, lanes[lane], -1, SQLITE_STATIC);
		sqlite3_bind_int(ins, 15, lane * 30 + (int)rnd(30));
		if (arrived)
			sqlite3_bind_int64(ins, 16, arrived);
		else
			sqlite3_bind_null(ins, 16);
		if (released)
			sqlite3_bind_int64(ins, 17, released);
		else
			sqlite3_bind_null(ins, 17);
		sqlite3_bind_int(ins, 18, chapters[skewed(MLV_ARRAY_LEN(chapters))]);
		sqlite3_bind_int(ins, 19, model);
		sqlite3_bind_int64(ins, 20, duty);
		sqlite3_bind_int64(ins, 21, tax);
		if (sqlite3_step(ins) != SQLITE_DONE)
			rc = 1;
		sqlite3_reset(ins);
		/* a control for one released consignment in twenty of the others */
		if (rc == 0 && released && lane > 0 && rnd(20) == 0) {
			int which = (int)skewed(3);
			sqlite3_bind_int64(res, 1, sqlite3_last_insert_rowid(db));
			sqlite3_bind_text(res, 2, results[which], -1, SQLITE_STATIC);
			sqlite3_bind_int64(res, 3, which ? (int64_t)rnd(20000) : 0);
			sqlite3_bind_int64(res, 4, released);
			if (sqlite3_step(res) != SQLITE_DONE)
				rc = 1;
			sqlite3_reset(res);
		}
		if (rc == 0 && (i + 1) % 200000 == 0) {
			sqlite3_exec(db, "COMMIT; BEGIN", NULL, NULL, NULL);
			fprintf(stderr, "\r  %lld rows (%.0f/s)", i + 1, (double)(i + 1) / (now_s() - t0));
		}
	}
	if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = 1;
	if (rc != 0)
		fprintf(stderr, "mlv-bench-stats: insert: %s\n", sqlite3_errmsg(db));
	sqlite3_finalize(ins);
	sqlite3_finalize(res);
	fprintf(stderr, "\n");
	/* rule performance by day: events of their own, not derived from the
	 * rows; 200 rules hit on every day */
	if (rc == 0) {
		sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		sqlite3_stmt *q = NULL;
		sqlite3_prepare_v2(db,
				   "INSERT INTO stats_rules (day, rule_id, hits, controls, findings,"
				   " seizures, revenue) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
				   -1, &q, NULL);
		for (int d = 0; rc == 0 && d < days; d++)
			for (int k = 0; rc == 0 && k < 200; k++) {
				char id[24];
				snprintf(id, sizeof(id), "R-BENCH-%03d", k);
				uint32_t hits = 1 + rnd(2000 / (k + 1) + 1), controls = hits / 10;
				uint32_t found = controls ? rnd(controls + 1) : 0;
				sqlite3_bind_int(q, 1, first_day + d);
				sqlite3_bind_text(q, 2, id, -1, SQLITE_TRANSIENT);
				sqlite3_bind_int(q, 3, (int)hits);
				sqlite3_bind_int(q, 4, (int)controls);
				sqlite3_bind_int(q, 5, (int)found);
				sqlite3_bind_int(q, 6, (int)(found / 4));
				sqlite3_bind_int64(q, 7, (int64_t)found * 1500);
				rc = sqlite3_step(q) == SQLITE_DONE ? 0 : 1;
				sqlite3_reset(q);
			}
		sqlite3_finalize(q);
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	}
	return rc;
}

struct sink {
	uint64_t rows;
};

static int count_row(void *ctx, const mlv_stats_row *r)
{
	(void)r;
	((struct sink *)ctx)->rows++;
	return 0;
}

static int count_rule(void *ctx, const char *id, const mlv_rule_counts *c)
{
	(void)id;
	(void)c;
	((struct sink *)ctx)->rows++;
	return 0;
}

/* What the month's dashboard reads (console_stats.c), once. */
static int dashboard(mlv_store *st, int32_t from, int32_t to, uint64_t *rows)
{
	struct sink s = {0};
	mlv_stats_query q;
	memset(&q, 0, sizeof(q));
	q.from_day = from;
	q.to_day = to;
	int rc = mlv_store_stats(st, &q, count_row, &s); /* totals and lanes */
	q.period = MLV_PERIOD_DAY;
	if (rc == 0)
		rc = mlv_store_stats(st, &q, count_row, &s); /* the line over the days */
	q.period = MLV_PERIOD_NONE;
	q.by = MLV_DIM_ORIGIN;
	if (rc == 0)
		rc = mlv_store_stats(st, &q, count_row, &s); /* the bars */
	mlv_stats_release_acc *acc = calloc(1, sizeof(*acc));
	if (acc == NULL)
		return MLV_ENOMEM;
	acc->lane = acc->channel = -1;
	if (rc == 0)
		rc = mlv_store_stats_release(st, from, to, mlv_stats_release_add, acc);
	mlv_stats_release rel;
	if (rc == 0)
		mlv_stats_release_summary(acc, &rel);
	free(acc);
	if (rc == 0)
		rc = mlv_store_stats_rules(st, from, to, count_rule, &s);
	*rows = s.rows;
	return rc;
}

/* One query alone, for the breakdown table of the figures. */
static int one(mlv_store *st, int32_t from, int32_t to, mlv_stats_period p, mlv_stats_dim by,
	       unsigned filters, uint64_t *rows)
{
	struct sink s = {0};
	mlv_stats_query q;
	memset(&q, 0, sizeof(q));
	q.from_day = from;
	q.to_day = to;
	q.period = p;
	q.by = by;
	q.filters = filters;
	q.key[MLV_DIM_LANE] = 3; /* red */
	q.key[MLV_DIM_FILER] = 1;
	q.key[MLV_DIM_CHANNEL] = 1;
	int rc = mlv_store_stats(st, &q, count_row, &s);
	*rows = s.rows;
	return rc;
}

int main(int argc, char **argv)
{
	long long count = 10000000;
	int days = 365, rounds = 7;
	bool reuse = false;
	const char *path = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--count") == 0 && i + 1 < argc)
			count = strtoll(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--days") == 0 && i + 1 < argc)
			days = (int)strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
			rounds = (int)strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--reuse") == 0)
			reuse = true;
		else if (path == NULL && argv[i][0] != '-')
			path = argv[i];
		else {
			fprintf(stderr, "usage: mlv-bench-stats DB [--count N] [--days D] [--rounds R]"
					" [--reuse]\n");
			return 2;
		}
	}
	if (path == NULL || count < 1000 || days < 31 || days > 3650 || rounds < 1 || rounds > 100) {
		fprintf(stderr, "usage: mlv-bench-stats DB [--count N >= 1000] [--days 31..3650]"
				" [--rounds 1..100] [--reuse]\n");
		return 2;
	}
	/* the history ends yesterday (UTC); its last whole month is measured */
	int32_t today = (int32_t)(time(NULL) / 86400), first_day = today - days;
	char err[512] = "";
	mlv_store_opts so = MLV_STORE_OPTS_INIT;
	so.path = path;
	so.synchronous_full = false;
	mlv_store *st = NULL;
	if (mlv_store_open(&st, &so, err, sizeof(err)) != 0) {
		fprintf(stderr, "mlv-bench-stats: %s\n", err);
		return 1;
	}
	sqlite3 *db = NULL;
	if (sqlite3_open(path, &db) != SQLITE_OK) {
		fprintf(stderr, "mlv-bench-stats: cannot open %s\n", path);
		return 1;
	}
	sqlite3_exec(db, "PRAGMA synchronous=OFF; PRAGMA cache_size=-262144", NULL, NULL, NULL);
	int64_t stored = 0;
	mlv_store_count(st, &stored);
	double insert_s = 0, rebuild_s = 0;
	mlv_stats_rebuild_report rep;
	memset(&rep, 0, sizeof(rep));
	if (!reuse || stored != count) {
		if (stored != 0) {
			fprintf(stderr, "mlv-bench-stats: %s holds %lld consignments; give a new file\n",
				path, (long long)stored);
			return 1;
		}
		fprintf(stderr, "mlv-bench-stats: inserting %lld consignments over %d days\n", count,
			days);
		double t = now_s();
		if (build(st, db, count, days, first_day) != 0)
			return 1;
		insert_s = now_s() - t;
		fprintf(stderr, "mlv-bench-stats: computing the aggregates from the rows\n");
		t = now_s();
		if (mlv_store_stats_rebuild(st, false, &rep) != 0) {
			fprintf(stderr, "mlv-bench-stats: the rebuild failed\n");
			return 1;
		}
		rebuild_s = now_s() - t;
	}
	sqlite3_close(db);
	mlv_store_close(st);
	/* queries on a fresh read-only handle, as the server's readers are */
	so.read_only = true;
	if (mlv_store_open(&st, &so, err, sizeof(err)) != 0) {
		fprintf(stderr, "mlv-bench-stats: %s\n", err);
		return 1;
	}
	/* the last whole month of the history */
	char d[11];
	mlv_date_format(today - 1, d);
	int32_t month_end = mlv_stats_period_start(MLV_PERIOD_MONTH, today) - 1;
	int32_t month_start = mlv_stats_period_start(MLV_PERIOD_MONTH, month_end);
	int64_t in_month = 0, agg_rows = 0, db_bytes = 0;
	mlv_store_size(st, &db_bytes);
	{
		sqlite3 *r = NULL;
		sqlite3_stmt *q = NULL;
		sqlite3_open_v2(path, &r, SQLITE_OPEN_READONLY, NULL);
		if (sqlite3_prepare_v2(r, "SELECT (SELECT sum(consignments) FROM stats_agg WHERE grain"
					  " = 1 AND day BETWEEN ?1 AND ?2), (SELECT count(*) FROM"
					  " stats_agg)",
				       -1, &q, NULL) == SQLITE_OK) {
			sqlite3_bind_int(q, 1, month_start);
			sqlite3_bind_int(q, 2, month_end);
			if (sqlite3_step(q) == SQLITE_ROW) {
				in_month = sqlite3_column_int64(q, 0);
				agg_rows = sqlite3_column_int64(q, 1);
			}
		}
		sqlite3_finalize(q);
		sqlite3_close(r);
	}
	char ms[11], me[11];
	mlv_date_format(month_start, ms);
	mlv_date_format(month_end, me);
	printf("store: %lld consignments over %d days; %lld aggregate rows; database %lld MB\n",
	       (long long)count, days, (long long)agg_rows, (long long)(db_bytes >> 20));
	if (insert_s > 0)
		printf("built: rows inserted in %.1f s; aggregates computed from them in %.1f s"
		       " (%.0f rows/s)\n",
		       insert_s, rebuild_s, (double)rep.consignments / rebuild_s);
	printf("month: %s to %s, %lld consignments filed in it\n", ms, me, (long long)in_month);
	double *t = calloc((size_t)rounds, sizeof(double));
	uint64_t rows = 0;
	for (int i = 0; i < rounds; i++) {
		double a = now_s();
		if (dashboard(st, month_start, month_end, &rows) != 0) {
			fprintf(stderr, "mlv-bench-stats: a query failed\n");
			return 1;
		}
		t[i] = now_s() - a;
	}
	qsort(t, (size_t)rounds, sizeof(*t), cmp_double);
	printf("dashboard (month, every table): best %.1f ms, median %.1f ms, worst %.1f ms"
	       " (%llu rows read back)\n",
	       t[0] * 1000, t[rounds / 2] * 1000, t[rounds - 1] * 1000, (unsigned long long)rows);
	static const struct {
		const char *what;
		mlv_stats_period p;
		mlv_stats_dim by;
		unsigned filters;
	} alone[] = {
		{"totals", MLV_PERIOD_NONE, MLV_DIM_NONE, 0},
		{"by day", MLV_PERIOD_DAY, MLV_DIM_NONE, 0},
		{"by origin", MLV_PERIOD_NONE, MLV_DIM_ORIGIN, 0},
		{"by HS chapter", MLV_PERIOD_NONE, MLV_DIM_HS_CHAPTER, 0},
		{"by filer", MLV_PERIOD_NONE, MLV_DIM_FILER, 0},
		{"by origin, red lane", MLV_PERIOD_NONE, MLV_DIM_ORIGIN, 1u << MLV_DIM_LANE},
		{"by chapter, filer 1 (every dimension)", MLV_PERIOD_NONE, MLV_DIM_HS_CHAPTER,
		 1u << MLV_DIM_FILER},
		{"by day, post, red lane", MLV_PERIOD_DAY, MLV_DIM_NONE,
		 (1u << MLV_DIM_CHANNEL) | (1u << MLV_DIM_LANE)},
	};
	for (size_t k = 0; k < MLV_ARRAY_LEN(alone); k++) {
		for (int i = 0; i < rounds; i++) {
			double a = now_s();
			if (one(st, month_start, month_end, alone[k].p, alone[k].by, alone[k].filters,
				&rows) != 0)
				return 1;
			t[i] = now_s() - a;
		}
		qsort(t, (size_t)rounds, sizeof(*t), cmp_double);
		printf("  %-40s best %7.1f ms, median %7.1f ms (%llu rows)\n", alone[k].what,
		       t[0] * 1000, t[rounds / 2] * 1000, (unsigned long long)rows);
	}
	printf("range %s %s\n", ms, me);
	free(t);
	mlv_store_close(st);
	(void)d;
	return 0;
}
