/* cmd_stats.c - `mainlevee stats`: the main statistics tables of a period
 * in the terminal (docs/statistics.md), read from the aggregates the store
 * keeps; --rebuild recomputes them from the stored rows, --check compares
 * them with such a recomputation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "mlv/decimal.h"
#include "mlv/stats.h"
#include "mlv/store.h"

static const char *from_flag, *to_flag, *by_flag, *dimension_flag, *top_flag;
static bool rebuild_flag, check_flag;

const cli_flag stats_flags[] = {
	{"from", "YYYY-MM-DD", "first day (UTC; default 29 days before --to)", &from_flag, NULL},
	{"to", "YYYY-MM-DD", "last day, included (default today)", &to_flag, NULL},
	{"by", "day|week|month", "the step of the table over time (default day)", &by_flag, NULL},
	{"dimension", "NAME", "the breakdown (default origin; see docs/statistics.md)",
	 &dimension_flag, NULL},
	{"top", "N", "rows of the breakdown and of the rules (default 20)", &top_flag, NULL},
	{"rebuild", NULL, "recompute the aggregates from the stored consignments, then print",
	 NULL, &rebuild_flag},
	{"check", NULL, "compare the aggregates with a recomputation (exit 1 on a difference)",
	 NULL, &check_flag},
	{NULL, NULL, NULL, NULL, NULL},
};

struct rows {
	mlv_stats_row *v;
	size_t n, cap;
};

static int add_row(void *ctx, const mlv_stats_row *r)
{
	struct rows *l = ctx;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		mlv_stats_row *v = realloc(l->v, cap * sizeof(*v));
		if (v == NULL)
			return MLV_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *r;
	return 0;
}

static const mlv_stats_column *col(const char *name)
{
	for (size_t i = 0; i < mlv_stats_column_count; i++)
		if (strcmp(mlv_stats_columns[i].name, name) == 0)
			return &mlv_stats_columns[i];
	return &mlv_stats_columns[0];
}

/* The columns of the tables over time and by breakdown. */
static const char *const table_columns[] = {
	"consignments", "declared_value", "duty_assessed", "tax_assessed", "collected",
	"share_green",	"hit_rate",	  "seizures",	   "released",	   "quality_mean",
};

static void print_header(const char *first)
{
	printf("%-24s", first);
	for (size_t i = 0; i < MLV_ARRAY_LEN(table_columns); i++)
		printf(" %14s", col(table_columns[i])->label);
	printf("\n");
}

static void print_row(const char *first, const mlv_stats_row *r, int mu)
{
	printf("%-24.24s", first);
	for (size_t i = 0; i < MLV_ARRAY_LEN(table_columns); i++) {
		char v[40];
		mlv_stats_column_text(col(table_columns[i]), r, mu, v);
		printf(" %14s", v[0] ? v : "-");
	}
	printf("\n");
}

static int by_consignments(const void *a, const void *b)
{
	const mlv_stats_row *x = a, *y = b;
	int64_t cx = x->m[MLV_SM_CONSIGNMENTS], cy = y->m[MLV_SM_CONSIGNMENTS];
	return cx != cy ? (cx > cy ? -1 : 1) : (x->key < y->key ? -1 : x->key > y->key);
}

static void duration(int64_t s, char out[24])
{
	if (s < 120)
		snprintf(out, 24, "%llds", (long long)s);
	else if (s < 7200)
		snprintf(out, 24, "%lldmin", (long long)((s + 30) / 60));
	else if (s < 172800)
		snprintf(out, 24, "%lld.%lldh", (long long)(s / 3600), (long long)(s % 3600 * 10 / 3600));
	else
		snprintf(out, 24, "%lld.%lldd", (long long)(s / 86400),
			 (long long)(s % 86400 * 10 / 86400));
}

struct rules_print {
	int mu;
	unsigned long long left;
};

static int print_rule(void *ctx, const char *rule, const mlv_rule_counts *c)
{
	struct rules_print *p = ctx;
	if (p->left == 0)
		return 0;
	p->left--;
	char prec[40], rev[32];
	mlv_stats_fixed((int64_t)c->findings * 100, (int64_t)c->controls, 1, prec);
	mlv_decimal_format(c->revenue, p->mu, rev, sizeof(rev));
	printf("%-28.28s %10llu %10llu %10llu %10llu %9s%s %14s\n", rule,
	       (unsigned long long)c->hits, (unsigned long long)c->controls,
	       (unsigned long long)c->findings, (unsigned long long)c->seizures,
	       prec[0] ? prec : "-", prec[0] ? "%" : " ", rev);
	return 0;
}

int cmd_stats(int argc, char **argv, const mlv_config *cfg)
{
	(void)argv;
	if (argc != 0) {
		fprintf(stderr, "mainlevee stats: takes no arguments (see --help)\n");
		return 2;
	}
	int32_t today = (int32_t)(time(NULL) / 86400), from = today - 29, to = today;
	if (to_flag != NULL && !mlv_date_parse(to_flag, strlen(to_flag), &to)) {
		fprintf(stderr, "mainlevee stats: --to must be a date YYYY-MM-DD\n");
		return 2;
	}
	from = to - 29;
	if (from_flag != NULL && !mlv_date_parse(from_flag, strlen(from_flag), &from)) {
		fprintf(stderr, "mainlevee stats: --from must be a date YYYY-MM-DD\n");
		return 2;
	}
	if (from > to || to - from >= 3660) {
		fprintf(stderr, "mainlevee stats: --from must be on or before --to, at most ten years "
				"before\n");
		return 2;
	}
	int period = by_flag != NULL ? mlv_stats_period_from_name(by_flag) : MLV_PERIOD_DAY;
	if (period < 0) {
		fprintf(stderr, "mainlevee stats: --by must be day, week or month\n");
		return 2;
	}
	if (mlv_stats_period_count((mlv_stats_period)period, from, to) > 400) {
		fprintf(stderr, "mainlevee stats: more than 400 periods: use --by week or month\n");
		return 2;
	}
	mlv_stats_dim dim = dimension_flag != NULL ? mlv_stats_dim_from_name(dimension_flag)
						   : MLV_DIM_ORIGIN;
	if (dim == MLV_DIM_NONE) {
		fprintf(stderr, "mainlevee stats: --dimension must be lane, channel, business_model, "
				"collection_model, origin, hs_chapter or filer\n");
		return 2;
	}
	unsigned long long top = 20;
	if (top_flag != NULL && (!cli_parse_count(top_flag, &top) || top < 1 || top > 10000)) {
		fprintf(stderr, "mainlevee stats: --top must be 1 to 10000\n");
		return 2;
	}
	mlv_refdata *rd = NULL;
	if (cli_load_refdata(cfg, &rd) != 0)
		return 1;
	int status = 1, mu = mlv_currency_minor_units(rd, cfg->currency);
	if (mu < 0)
		mu = 2;
	char err[512] = "";
	mlv_store *st = NULL;
	mlv_store_opts so = MLV_STORE_OPTS_INIT;
	so.path = cfg->db_path;
	so.read_only = !rebuild_flag && !check_flag;
	so.synchronous_full = cfg->synchronous_full;
	struct rows rows = {NULL, 0, 0};
	mlv_stats_release_acc *acc = NULL;
	if (mlv_store_open(&st, &so, err, sizeof(err)) != 0) {
		fprintf(stderr, "mainlevee stats: cannot open %s: %s\n", cfg->db_path, err);
		goto cleanup;
	}
	if (check_flag || rebuild_flag) {
		mlv_stats_rebuild_report rep;
		if (mlv_store_stats_rebuild(st, check_flag, &rep) != 0) {
			fprintf(stderr, "mainlevee stats: the aggregates could not be %s\n",
				check_flag ? "checked" : "rebuilt");
			goto cleanup;
		}
		fprintf(stderr, "mainlevee stats: %llu consignments read, %llu given their statistics"
				" columns from their texts%s",
			(unsigned long long)rep.consignments, (unsigned long long)rep.backfilled,
			check_flag ? "" : "; aggregates rebuilt\n");
		if (check_flag) {
			fprintf(stderr, "; %llu aggregate rows differ\n",
				(unsigned long long)rep.differences);
			if (rep.differences > 0) {
				printf("the aggregates differ from the stored consignments in %llu rows: run"
				       " 'mainlevee stats --rebuild'\n",
				       (unsigned long long)rep.differences);
				goto cleanup;
			}
			printf("the aggregates match the stored consignments\n");
			status = 0;
			goto cleanup;
		}
	}
	char f[11], t[11];
	mlv_date_format(from, f);
	mlv_date_format(to, t);
	printf("Statistics from %s to %s (UTC days), amounts in %s\n", f, t, cfg->currency);

	/* the totals */
	mlv_stats_query q;
	memset(&q, 0, sizeof(q));
	q.from_day = from;
	q.to_day = to;
	int rc = mlv_store_stats(st, &q, add_row, &rows);
	mlv_stats_row total;
	memset(&total, 0, sizeof(total));
	if (rc == 0 && rows.n == 1)
		total = rows.v[0];
	printf("\nTotals\n");
	for (size_t i = 0; rc == 0 && i < mlv_stats_column_count; i++) {
		const mlv_stats_column *c = &mlv_stats_columns[i];
		if (strncmp(c->name, "lane_", 5) == 0 || strncmp(c->name, "share_", 6) == 0)
			continue; /* in the lane table below */
		char v[40];
		mlv_stats_column_text(c, &total, mu, v);
		printf("  %-38s %16s\n", c->label, v[0] ? v : "-");
	}
	printf("\nLanes\n  %-14s %14s %8s\n", "lane", "consignments", "share");
	for (int i = 1; rc == 0 && i <= MLV_STATS_LANES; i++) {
		int l = i % MLV_STATS_LANES;
		char share[40];
		mlv_stats_fixed(total.lanes[l] * 100, total.m[MLV_SM_CONSIGNMENTS], 1, share);
		printf("  %-14s %14lld %7s%%\n", mlv_stats_lane_name(l), (long long)total.lanes[l],
		       share[0] ? share : "-");
	}

	/* over time */
	rows.n = 0;
	q.period = (mlv_stats_period)period;
	if (rc == 0)
		rc = mlv_store_stats(st, &q, add_row, &rows);
	if (rc == 0) {
		printf("\nBy %s\n", mlv_stats_period_name(q.period));
		print_header("period");
		for (size_t i = 0; i < rows.n; i++) {
			char label[11];
			mlv_stats_period_label(q.period, rows.v[i].period_start, label);
			print_row(label, &rows.v[i], mu);
		}
		if (rows.n == 0)
			printf("(no consignment in the period)\n");
	}

	/* the breakdown */
	rows.n = 0;
	q.period = MLV_PERIOD_NONE;
	q.by = dim;
	if (rc == 0)
		rc = mlv_store_stats(st, &q, add_row, &rows);
	if (rc == 0) {
		qsort(rows.v, rows.n, sizeof(*rows.v), by_consignments);
		printf("\nBy %s (the %llu largest of %zu)\n", mlv_stats_dim_name(dim),
		       top < rows.n ? top : (unsigned long long)rows.n, rows.n);
		print_header(mlv_stats_dim_name(dim));
		for (size_t i = 0; i < rows.n && i < top; i++) {
			char value[64], label[160], first[96];
			mlv_stats_key(dim, &rows.v[i], rd, value, label);
			if (strcmp(value, label) != 0)
				snprintf(first, sizeof(first), "%.20s %.60s", value, label);
			else
				snprintf(first, sizeof(first), "%s", value);
			print_row(first, &rows.v[i], mu);
		}
	}

	/* release times */
	acc = calloc(1, sizeof(*acc));
	mlv_stats_release rel;
	if (rc == 0 && acc == NULL)
		rc = MLV_ENOMEM;
	if (rc == 0) {
		acc->lane = acc->channel = -1;
		rc = mlv_store_stats_release(st, from, to, mlv_stats_release_add, acc);
	}
	if (rc == 0) {
		mlv_stats_release_summary(acc, &rel);
		printf("\nRelease times (Time Release Study; percentiles within 1/32)\n");
		printf("  %-20s %-16s %10s %10s %10s %10s %10s\n", "measure", "group", "releases",
		       "median", "90th", "99th", "longest");
		static const char *const measures[2] = {"filing to release", "arrival to release"};
		for (int m = 0; m < 2; m++)
			for (int g = 0; g < MLV_STATS_RELEASE_GROUPS; g++) {
				const mlv_percentiles *x = &rel.pct[m][g];
				if (g > 0 && x->count == 0)
					continue;
				const char *kind, *name = mlv_stats_release_group(g, &kind);
				char group[40], a[24], b[24], c[24], d[24];
				snprintf(group, sizeof(group), "%s%s%s", g ? kind : "all", g ? " " : "",
					 g ? name : "");
				duration(x->median, a);
				duration(x->p90, b);
				duration(x->p99, c);
				duration(x->max, d);
				printf("  %-20s %-16s %10zu %10s %10s %10s %10s\n", measures[m], group,
				       x->count, x->count ? a : "-", x->count ? b : "-",
				       x->count ? c : "-", x->count ? d : "-");
			}
	}

	/* rules */
	if (rc == 0) {
		printf("\nRules (the %llu with the most hits)\n", top);
		printf("%-28s %10s %10s %10s %10s %10s %14s\n", "rule", "hits", "controls", "findings",
		       "seizures", "precision", "revenue");
		struct rules_print rp = {mu, top};
		rc = mlv_store_stats_rules(st, from, to, print_rule, &rp);
		if (rc == 0 && rp.left == top)
			printf("(no rule hit in the period)\n");
	}
	if (rc != 0) {
		fprintf(stderr, "mainlevee stats: the statistics could not be read (%s)%s\n",
			mlv_strerror(rc),
			so.read_only ? "; a database of an older version is migrated by "
				       "'mainlevee stats --rebuild'"
				     : "");
		goto cleanup;
	}
	status = 0;
cleanup:
	free(acc);
	free(rows.v);
	mlv_store_close(st);
	mlv_refdata_free(rd);
	return status;
}
