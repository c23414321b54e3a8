/* stats_sqlite.c - the statistics in the SQLite store (docs/statistics.md).
 *
 * Aggregates, kept as consignments change:
 *   stats_agg      sums of the measures of stats.h per day and combination
 *                  of dimension values, at seven grains (the sets of
 *                  dimensions below): a breakdown and filters read the
 *                  smallest grain that has all their dimensions;
 *   stats_release  release-time histograms per day, lane and channel;
 *   stats_rules    rule performance per day (hits, controls, findings);
 *   stats_states   consignments now in each state, by lane.
 *
 * Invariant: outside a write transaction, stats_agg, stats_release and
 * stats_states hold exactly the sums a rebuild from the stored rows gives
 * (mlv_store_stats_rebuild, which can also check it).  Each consignment
 * row contributes a "fact" (its dimensions and figures); a write takes
 * the row's contribution out before the change and puts the new one in
 * after, gathered in memory by key and written once per key just before
 * COMMIT, so a batch of filings costs one upsert per distinct key rather
 * than per filing.  Inspection results and refunds are events of their
 * own tables, counted on their day. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlv/common.h"
#include "mlv/decimal.h"
#include "mlv/duty.h"
#include "mlv/store.h"
#include "sqlite_internal.h"

#define DAY_MS INT64_C(86400000)

/* ---- grains ------------------------------------------------------------------------------ */

#define D(d) (1u << (d))
#define LANE_CHANNEL (D(MLV_DIM_LANE) | D(MLV_DIM_CHANNEL))

/* The combinations kept, each a set of dimensions summed per day.  One
 * grain per dimension of many values (country, chapter, filer) with lane
 * and channel, one of the dimensions of few values together, and the three
 * pairs of the many-valued ones with lane: each stays a few thousand rows
 * a day however many consignments are filed, which keeps a month's read
 * in the tens of milliseconds.  (A grain of every dimension at once would
 * hold about as many rows as there are consignments.) */
enum { G_CORE, G_ORIGIN, G_CHAPTER, G_FILER, G_ORIGIN_CHAPTER, G_FILER_ORIGIN, G_FILER_CHAPTER,
       G_COUNT };

static const unsigned grain_dims[G_COUNT] = {
	[G_CORE] = LANE_CHANNEL | D(MLV_DIM_BUSINESS_MODEL) | D(MLV_DIM_COLLECTION_MODEL),
	[G_ORIGIN] = D(MLV_DIM_ORIGIN) | LANE_CHANNEL,
	[G_CHAPTER] = D(MLV_DIM_HS_CHAPTER) | LANE_CHANNEL,
	[G_FILER] = D(MLV_DIM_FILER) | LANE_CHANNEL,
	[G_ORIGIN_CHAPTER] = D(MLV_DIM_ORIGIN) | D(MLV_DIM_HS_CHAPTER) | D(MLV_DIM_LANE),
	[G_FILER_ORIGIN] = D(MLV_DIM_FILER) | D(MLV_DIM_ORIGIN) | D(MLV_DIM_LANE),
	[G_FILER_CHAPTER] = D(MLV_DIM_FILER) | D(MLV_DIM_HS_CHAPTER) | D(MLV_DIM_LANE),
};

/* Smallest first: the query reads the first grain that has its dimensions. */
static const int grain_order[G_COUNT] = {G_CORE,	   G_ORIGIN,	   G_FILER,
					 G_CHAPTER,	   G_FILER_ORIGIN, G_ORIGIN_CHAPTER,
					 G_FILER_CHAPTER};

/* The key columns of stats_agg by dimension. */
static const char *const dim_column[MLV_DIM_COUNT_] = {
	[MLV_DIM_LANE] = "lane",
	[MLV_DIM_CHANNEL] = "channel",
	[MLV_DIM_BUSINESS_MODEL] = "business_model",
	[MLV_DIM_COLLECTION_MODEL] = "collection_model",
	[MLV_DIM_ORIGIN] = "origin",
	[MLV_DIM_HS_CHAPTER] = "hs_chapter",
	[MLV_DIM_FILER] = "filer_id",
};

/* ---- a small open-addressing map of fixed-size keys to int64 sums --------------------------- */

typedef struct map {
	size_t key_size, nvals, cap, n;
	unsigned char *keys;
	int64_t *vals;
	unsigned char *used;
} map;

static uint64_t hash_bytes(const unsigned char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 29);
}

static void map_free(map *m)
{
	free(m->keys);
	free(m->vals);
	free(m->used);
	m->keys = NULL;
	m->vals = NULL;
	m->used = NULL;
	m->cap = m->n = 0;
}

static void map_clear(map *m)
{
	if (m->n == 0)
		return;
	memset(m->used, 0, m->cap);
	m->n = 0;
}

static int map_grow(map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 256;
	map g = {m->key_size, m->nvals, cap, 0, calloc(cap, m->key_size),
		 calloc(cap * m->nvals, sizeof(int64_t)), calloc(cap, 1)};
	if (g.keys == NULL || g.vals == NULL || g.used == NULL) {
		map_free(&g);
		return MLV_ENOMEM;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->used[i])
			continue;
		size_t j = hash_bytes(m->keys + i * m->key_size, m->key_size) & (cap - 1);
		while (g.used[j])
			j = (j + 1) & (cap - 1);
		g.used[j] = 1;
		memcpy(g.keys + j * m->key_size, m->keys + i * m->key_size, m->key_size);
		memcpy(g.vals + j * m->nvals, m->vals + i * m->nvals, m->nvals * sizeof(int64_t));
		g.n++;
	}
	map_free(m);
	*m = g;
	return 0;
}

/* The sums of key (zeroed when new), or NULL when out of memory. */
static int64_t *map_slot(map *m, const void *key)
{
	if ((m->n + 1) * 2 > m->cap && map_grow(m) != 0)
		return NULL;
	size_t j = hash_bytes(key, m->key_size) & (m->cap - 1);
	while (m->used[j]) {
		if (memcmp(m->keys + j * m->key_size, key, m->key_size) == 0)
			return m->vals + j * m->nvals;
		j = (j + 1) & (m->cap - 1);
	}
	m->used[j] = 1;
	m->n++;
	memcpy(m->keys + j * m->key_size, key, m->key_size);
	memset(m->vals + j * m->nvals, 0, m->nvals * sizeof(int64_t));
	return m->vals + j * m->nvals;
}

/* ---- keys -------------------------------------------------------------------------------- */

struct agg_key { /* zeroed before it is filled: compared and hashed as bytes */
	int32_t day;
	uint8_t grain, lane, channel, business_model, collection_model, hs_chapter;
	char origin[2];
	int64_t filer;
};

struct rel_key {
	int32_t day;
	uint8_t lane, channel, measure, pad;
	int32_t bucket;
};

struct rule_key {
	int32_t day;
	char rule[48]; /* rule ids are at most 40 characters (risk.h) */
};

struct state_key {
	char status[16];
	int32_t lane;
};

enum { RULE_HITS, RULE_CONTROLS, RULE_FINDINGS, RULE_SEIZURES, RULE_REVENUE, RULE_NVALS };
enum { REL_N, REL_MAX, REL_NVALS };

struct mlv_sqlite_stats {
	map agg, rel, rules, states;
	sqlite3_stmt *up_agg, *up_rel, *up_rules, *up_rule_all, *up_states, *read_fact;
};

/* ---- facts: what one consignment row contributes ------------------------------------------ */

typedef struct fact {
	int64_t filer;
	int lane, channel, business_model, collection_model, hs_chapter, version, quality;
	char origin[3];
	char status[16];
	int64_t filed_ms, arrived_ms, released_ms; /* 0 when not yet */
	bool has_expected, has_value, has_due;
	int64_t expected_s, goods_value, duty, tax, due;
} fact;

/* The columns a fact is read from, in fact_read order. */
#define FACT_COLUMNS                                                                          \
	"c.filer_id, c.lane, c.channel, c.business_model, c.collection_model,"                \
	" c.departure_country, c.hs_chapter, c.version, c.quality_score, c.status, c.filed_at," \
	" c.expected_arrival, c.arrived_at, c.released_at, c.goods_value, c.duty, c.tax,"      \
	" c.amount_due"
#define FACT_NCOLS 18

static int64_t col_i64(sqlite3_stmt *q, int i, bool *set)
{
	bool has = sqlite3_column_type(q, i) != SQLITE_NULL;
	if (set != NULL)
		*set = has;
	return has ? sqlite3_column_int64(q, i) : 0;
}

static void fact_read(sqlite3_stmt *q, int at, fact *f)
{
	memset(f, 0, sizeof(*f));
	f->filer = sqlite3_column_int64(q, at + 0);
	f->lane = mlv_stats_lane_index((const char *)sqlite3_column_text(q, at + 1));
	f->channel = sqlite3_column_int(q, at + 2);
	f->business_model = sqlite3_column_int(q, at + 3);
	f->collection_model = (int)col_i64(q, at + 4, NULL);
	const unsigned char *o = sqlite3_column_text(q, at + 5);
	snprintf(f->origin, sizeof(f->origin), "%s", o ? (const char *)o : "");
	f->hs_chapter = (int)col_i64(q, at + 6, NULL);
	f->version = sqlite3_column_int(q, at + 7);
	f->quality = sqlite3_column_int(q, at + 8);
	const unsigned char *st = sqlite3_column_text(q, at + 9);
	snprintf(f->status, sizeof(f->status), "%s", st ? (const char *)st : "");
	f->filed_ms = sqlite3_column_int64(q, at + 10);
	f->expected_s = col_i64(q, at + 11, &f->has_expected);
	f->arrived_ms = col_i64(q, at + 12, NULL);
	f->released_ms = col_i64(q, at + 13, NULL);
	f->goods_value = col_i64(q, at + 14, &f->has_value);
	f->duty = col_i64(q, at + 15, NULL);
	f->tax = col_i64(q, at + 16, NULL);
	f->due = col_i64(q, at + 17, &f->has_due);
}

static int32_t day_of(int64_t ms)
{
	return (int32_t)(ms >= 0 ? ms / DAY_MS : -((-ms + DAY_MS - 1) / DAY_MS));
}

static struct mlv_sqlite_stats *stats_of(mlv_store *s)
{
	if (s->stats != NULL)
		return s->stats;
	struct mlv_sqlite_stats *st = calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	st->agg = (map){sizeof(struct agg_key), MLV_SM_COUNT_, 0, 0, NULL, NULL, NULL};
	st->rel = (map){sizeof(struct rel_key), REL_NVALS, 0, 0, NULL, NULL, NULL};
	st->rules = (map){sizeof(struct rule_key), RULE_NVALS, 0, 0, NULL, NULL, NULL};
	st->states = (map){sizeof(struct state_key), 1, 0, 0, NULL, NULL, NULL};
	s->stats = st;
	return st;
}

/* Adds sign * m to the row of `day` at every grain. */
static int agg_add(struct mlv_sqlite_stats *st, int32_t day, const fact *f, const int64_t *m,
		   int sign)
{
	for (int g = 0; g < G_COUNT; g++) {
		unsigned dims = grain_dims[g];
		struct agg_key k;
		memset(&k, 0, sizeof(k));
		k.day = day;
		k.grain = (uint8_t)g;
		if (dims & D(MLV_DIM_LANE))
			k.lane = (uint8_t)f->lane;
		if (dims & D(MLV_DIM_CHANNEL))
			k.channel = (uint8_t)f->channel;
		if (dims & D(MLV_DIM_BUSINESS_MODEL))
			k.business_model = (uint8_t)f->business_model;
		if (dims & D(MLV_DIM_COLLECTION_MODEL))
			k.collection_model = (uint8_t)f->collection_model;
		if ((dims & D(MLV_DIM_ORIGIN)) && f->origin[0])
			memcpy(k.origin, f->origin, 2);
		if (dims & D(MLV_DIM_HS_CHAPTER))
			k.hs_chapter = (uint8_t)f->hs_chapter;
		if (dims & D(MLV_DIM_FILER))
			k.filer = f->filer;
		int64_t *v = map_slot(&st->agg, &k);
		if (v == NULL)
			return MLV_ENOMEM;
		for (int i = 0; i < MLV_SM_COUNT_; i++)
			v[i] += sign * m[i];
	}
	return 0;
}

static int rel_add(struct mlv_sqlite_stats *st, int32_t day, const fact *f, int measure,
		   int64_t seconds, int sign)
{
	struct rel_key k;
	memset(&k, 0, sizeof(k));
	k.day = day;
	k.lane = (uint8_t)f->lane;
	k.channel = (uint8_t)f->channel;
	k.measure = (uint8_t)measure;
	k.bucket = mlv_stats_bucket(seconds);
	int64_t *v = map_slot(&st->rel, &k);
	if (v == NULL)
		return MLV_ENOMEM;
	v[REL_N] += sign;
	if (sign > 0 && seconds > v[REL_MAX])
		v[REL_MAX] = seconds;
	return 0;
}

/* The share of one consignment row in every aggregate, times sign. */
static int contribute(struct mlv_sqlite_stats *st, const fact *f, int sign)
{
	int64_t m[MLV_SM_COUNT_];
	memset(m, 0, sizeof(m));
	/* filing: on the day of the first filing, with the current data */
	m[MLV_SM_CONSIGNMENTS] = 1;
	m[MLV_SM_AMENDMENTS] = f->version > 1 ? f->version - 1 : 0;
	m[MLV_SM_DECLARED_VALUE] = f->has_value ? f->goods_value : 0;
	if (f->has_due) {
		m[MLV_SM_ASSESSED] = 1;
		m[MLV_SM_DUTY] = f->duty;
		m[MLV_SM_TAX] = f->tax;
		m[MLV_SM_DUE] = f->due;
	}
	m[MLV_SM_QUALITY_SUM] = f->quality;
	m[MLV_SM_QUALITY_LOW] = f->quality < MLV_STATS_QUALITY_LOW;
	if (f->has_expected) {
		int64_t lead = f->expected_s - f->filed_ms / 1000;
		m[MLV_SM_LEAD_N] = 1;
		m[MLV_SM_LEAD_SUM_S] = lead;
		m[MLV_SM_LATE_FILINGS] = lead <= 0;
	}
	int rc = agg_add(st, day_of(f->filed_ms), f, m, sign);
	if (rc == 0 && f->arrived_ms != 0) {
		memset(m, 0, sizeof(m));
		m[MLV_SM_ARRIVED] = 1;
		m[MLV_SM_ARRIVAL_LEAD_SUM_S] = (f->arrived_ms - f->filed_ms) / 1000;
		rc = agg_add(st, day_of(f->arrived_ms), f, m, sign);
	}
	if (rc == 0 && f->released_ms != 0) {
		int32_t day = day_of(f->released_ms);
		int64_t from_filing = (f->released_ms - f->filed_ms) / 1000;
		int64_t from_arrival = (f->released_ms - f->arrived_ms) / 1000;
		memset(m, 0, sizeof(m));
		m[MLV_SM_RELEASED] = 1;
		m[MLV_SM_RELEASE_SUM_S] = from_filing;
		if (f->arrived_ms != 0)
			m[MLV_SM_RELEASE_ARRIVAL_SUM_S] = from_arrival;
		if (f->has_due) {
			m[MLV_SM_COLLECTED] = f->due;
			m[MLV_SM_COLLECTED_DUTY] = f->duty;
			m[MLV_SM_COLLECTED_TAX] = f->tax;
		}
		rc = agg_add(st, day, f, m, sign);
		if (rc == 0)
			rc = rel_add(st, day, f, 0, from_filing, sign);
		if (rc == 0 && f->arrived_ms != 0)
			rc = rel_add(st, day, f, 1, from_arrival, sign);
	}
	if (rc == 0) {
		struct state_key k;
		memset(&k, 0, sizeof(k));
		snprintf(k.status, sizeof(k.status), "%s", f->status);
		k.lane = f->lane;
		int64_t *v = map_slot(&st->states, &k);
		if (v == NULL)
			return MLV_ENOMEM;
		v[0] += sign;
	}
	return rc;
}

/* An event of another table (inspection result, refund): m on its day. */
static int contribute_event(struct mlv_sqlite_stats *st, const fact *f, int64_t at_ms,
			    const int64_t *m)
{
	return agg_add(st, day_of(at_ms), f, m, 1);
}

/* The measures of an inspection result and of a refund. */
static void result_measures(int64_t m[MLV_SM_COUNT_], const char *result, int64_t revenue)
{
	bool found = strcmp(result, "nothing_found") != 0;
	memset(m, 0, MLV_SM_COUNT_ * sizeof(*m));
	m[MLV_SM_CONTROLS] = 1;
	m[MLV_SM_FINDINGS] = found;
	m[MLV_SM_SEIZURES] = strcmp(result, "seizure") == 0;
	m[MLV_SM_REVENUE] = found ? revenue : 0;
}

static void refund_measures(int64_t m[MLV_SM_COUNT_], int64_t amount)
{
	memset(m, 0, MLV_SM_COUNT_ * sizeof(*m));
	m[MLV_SM_REFUNDS] = 1;
	m[MLV_SM_REFUNDED] = amount;
}

static int rule_add(struct mlv_sqlite_stats *st, int32_t day, const char *rule,
		    const int64_t v[RULE_NVALS])
{
	struct rule_key k;
	memset(&k, 0, sizeof(k));
	k.day = day;
	snprintf(k.rule, sizeof(k.rule), "%s", rule);
	int64_t *s = map_slot(&st->rules, &k);
	if (s == NULL)
		return MLV_ENOMEM;
	for (int i = 0; i < RULE_NVALS; i++)
		s[i] += v[i];
	return 0;
}

/* ---- the hooks of the writing functions ----------------------------------------------------- */

static int fact_by_id(mlv_store *s, struct mlv_sqlite_stats *st, int64_t id, fact *f)
{
	if (st->read_fact == NULL &&
	    sqlite3_prepare_v3(s->db, "SELECT " FACT_COLUMNS " FROM consignments c WHERE c.id = ?1",
			       -1, SQLITE_PREPARE_PERSISTENT, &st->read_fact, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_reset(st->read_fact);
	sqlite3_bind_int64(st->read_fact, 1, id);
	int step = sqlite3_step(st->read_fact);
	if (step == SQLITE_ROW)
		fact_read(st->read_fact, 0, f);
	sqlite3_reset(st->read_fact);
	return step == SQLITE_ROW ? 0 : step == SQLITE_DONE ? MLV_ENOTFOUND : MLV_EIO;
}

int mlv_sqlite_stats_row(mlv_store *s, int64_t id, int sign)
{
	struct mlv_sqlite_stats *st = stats_of(s);
	if (st == NULL)
		return MLV_ENOMEM;
	fact f;
	int rc = fact_by_id(s, st, id, &f);
	if (rc == MLV_ENOTFOUND)
		return 0; /* nothing stored, nothing to count */
	return rc ? rc : contribute(st, &f, sign);
}

int mlv_sqlite_stats_filed(mlv_store *s, const mlv_filing *fl)
{
	struct mlv_sqlite_stats *st = stats_of(s);
	if (st == NULL)
		return MLV_ENOMEM;
	const mlv_consignment *c = &fl->c;
	fact f;
	memset(&f, 0, sizeof(f));
	f.filer = fl->filer_id;
	f.lane = fl->risk_z != NULL ? mlv_stats_lane_index(fl->lane) : 0;
	f.channel = c->channel;
	f.business_model = c->business_model;
	f.collection_model = fl->assessed ? fl->collection_model : 0;
	snprintf(f.origin, sizeof(f.origin), "%s", c->transport.departure_country);
	f.hs_chapter = mlv_stats_hs_chapter(c);
	f.version = 1;
	f.quality = fl->quality.score;
	/* as bind_columns (store_sqlite.c) writes the status */
	snprintf(f.status, sizeof(f.status), "%s",
		 fl->assessed && fl->risk_z != NULL ? "assessed" : "filed");
	f.filed_ms = fl->received_ms;
	f.has_expected = c->transport.expected_arrival.set;
	f.expected_s = c->transport.expected_arrival.v;
	f.has_value = fl->quality.goods_value >= 0;
	f.goods_value = fl->quality.goods_value;
	f.has_due = fl->assessed;
	f.due = fl->amount_due;
	f.duty = fl->assessed ? fl->duty : 0;
	f.tax = fl->assessed ? fl->tax : 0;
	return contribute(st, &f, 1);
}

int mlv_sqlite_stats_hits(mlv_store *s, const mlv_filing *f)
{
	struct mlv_sqlite_stats *st = stats_of(s);
	if (st == NULL)
		return MLV_ENOMEM;
	const int64_t v[RULE_NVALS] = {1, 0, 0, 0, 0};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < f->hit_rule_count; i++)
		rc = rule_add(st, day_of(f->received_ms), f->hit_rules[i], v);
	return rc;
}

int mlv_sqlite_stats_result(mlv_store *s, int64_t id, const char *result, int64_t revenue,
			    int64_t at_ms, const char *const *rule_ids, size_t nrules)
{
	struct mlv_sqlite_stats *st = stats_of(s);
	if (st == NULL)
		return MLV_ENOMEM;
	int64_t m[MLV_SM_COUNT_];
	result_measures(m, result, revenue);
	fact f;
	int rc = fact_by_id(s, st, id, &f);
	if (rc == 0)
		rc = contribute_event(st, &f, at_ms, m);
	const int64_t v[RULE_NVALS] = {0, 1, m[MLV_SM_FINDINGS], m[MLV_SM_SEIZURES],
				       m[MLV_SM_REVENUE]};
	for (size_t i = 0; rc == 0 && i < nrules; i++)
		rc = rule_add(st, day_of(at_ms), rule_ids[i], v);
	return rc;
}

int mlv_sqlite_stats_refund(mlv_store *s, int64_t id, int64_t amount, int64_t at_ms)
{
	struct mlv_sqlite_stats *st = stats_of(s);
	if (st == NULL)
		return MLV_ENOMEM;
	int64_t m[MLV_SM_COUNT_];
	refund_measures(m, amount);
	fact f;
	int rc = fact_by_id(s, st, id, &f);
	return rc ? rc : contribute_event(st, &f, at_ms, m);
}

/* ---- writing what was gathered ---------------------------------------------------------- */

static const char *const agg_keys =
	"grain, day, lane, channel, business_model, collection_model, origin, hs_chapter, filer_id";

static int prepare_upserts(mlv_store *s, struct mlv_sqlite_stats *st)
{
	if (st->up_agg != NULL)
		return 0;
	/* stats_agg's upsert from the measure table: each measure adds */
	char sql[4096];
	int n = snprintf(sql, sizeof(sql), "INSERT INTO stats_agg (%s", agg_keys);
	for (int i = 0; i < MLV_SM_COUNT_; i++)
		n += snprintf(sql + n, sizeof(sql) - (size_t)n, ", %s", mlv_stats_measures[i].name);
	n += snprintf(sql + n, sizeof(sql) - (size_t)n, ") VALUES (?1");
	for (int i = 2; i <= 9 + MLV_SM_COUNT_; i++)
		n += snprintf(sql + n, sizeof(sql) - (size_t)n, ", ?%d", i);
	n += snprintf(sql + n, sizeof(sql) - (size_t)n, ") ON CONFLICT (%s) DO UPDATE SET", agg_keys);
	for (int i = 0; i < MLV_SM_COUNT_; i++)
		n += snprintf(sql + n, sizeof(sql) - (size_t)n, "%s %s = %s + excluded.%s",
			      i ? "," : "", mlv_stats_measures[i].name, mlv_stats_measures[i].name,
			      mlv_stats_measures[i].name);
	if ((size_t)n >= sizeof(sql))
		return MLV_ETOOBIG;
	const unsigned flags = SQLITE_PREPARE_PERSISTENT;
	if (sqlite3_prepare_v3(s->db, sql, -1, flags, &st->up_agg, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(s->db,
			       "INSERT INTO stats_release (day, lane, channel, measure, bucket, n, max_s)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (day, lane, channel,"
			       " measure, bucket) DO UPDATE SET n = n + excluded.n,"
			       " max_s = max(max_s, excluded.max_s)",
			       -1, flags, &st->up_rel, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(s->db,
			       "INSERT INTO stats_rules (day, rule_id, hits, controls, findings,"
			       " seizures, revenue) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
			       " ON CONFLICT (day, rule_id) DO UPDATE SET hits = hits + excluded.hits,"
			       " controls = controls + excluded.controls,"
			       " findings = findings + excluded.findings,"
			       " seizures = seizures + excluded.seizures,"
			       " revenue = revenue + excluded.revenue",
			       -1, flags, &st->up_rules, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(s->db,
			       "INSERT INTO rule_stats (rule_id, hits, controls, findings, seizures,"
			       " revenue) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (rule_id) DO"
			       " UPDATE SET hits = hits + ?2, controls = controls + ?3,"
			       " findings = findings + ?4, seizures = seizures + ?5,"
			       " revenue = revenue + ?6",
			       -1, flags, &st->up_rule_all, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(s->db,
			       "INSERT INTO stats_states (status, lane, n) VALUES (?1, ?2, ?3)"
			       " ON CONFLICT (status, lane) DO UPDATE SET n = n + excluded.n",
			       -1, flags, &st->up_states, NULL) != SQLITE_OK)
		return MLV_EIO;
	return 0;
}

static bool all_zero(const int64_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] != 0)
			return false;
	return true;
}

static int step_reset(sqlite3_stmt *q)
{
	int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : MLV_EIO;
	sqlite3_reset(q);
	return rc;
}

int mlv_sqlite_stats_flush(mlv_store *s)
{
	struct mlv_sqlite_stats *st = s->stats;
	if (st == NULL ||
	    (st->agg.n == 0 && st->rel.n == 0 && st->rules.n == 0 && st->states.n == 0))
		return 0;
	int rc = prepare_upserts(s, st);
	for (size_t i = 0; rc == 0 && i < st->agg.cap; i++) {
		const int64_t *v = st->agg.vals + i * MLV_SM_COUNT_;
		if (!st->agg.used[i] || all_zero(v, MLV_SM_COUNT_))
			continue;
		const struct agg_key *k = (const void *)(st->agg.keys + i * sizeof(*k));
		sqlite3_stmt *q = st->up_agg;
		sqlite3_bind_int(q, 1, k->grain);
		sqlite3_bind_int(q, 2, k->day);
		sqlite3_bind_int(q, 3, k->lane);
		sqlite3_bind_int(q, 4, k->channel);
		sqlite3_bind_int(q, 5, k->business_model);
		sqlite3_bind_int(q, 6, k->collection_model);
		sqlite3_bind_text(q, 7, k->origin, k->origin[0] ? 2 : 0, SQLITE_STATIC);
		sqlite3_bind_int(q, 8, k->hs_chapter);
		sqlite3_bind_int64(q, 9, k->filer);
		for (int m = 0; m < MLV_SM_COUNT_; m++)
			sqlite3_bind_int64(q, 10 + m, v[m]);
		rc = step_reset(q);
	}
	for (size_t i = 0; rc == 0 && i < st->rel.cap; i++) {
		const int64_t *v = st->rel.vals + i * REL_NVALS;
		if (!st->rel.used[i] || v[REL_N] == 0)
			continue;
		const struct rel_key *k = (const void *)(st->rel.keys + i * sizeof(*k));
		sqlite3_stmt *q = st->up_rel;
		sqlite3_bind_int(q, 1, k->day);
		sqlite3_bind_int(q, 2, k->lane);
		sqlite3_bind_int(q, 3, k->channel);
		sqlite3_bind_int(q, 4, k->measure);
		sqlite3_bind_int(q, 5, k->bucket);
		sqlite3_bind_int64(q, 6, v[REL_N]);
		sqlite3_bind_int64(q, 7, v[REL_MAX]);
		rc = step_reset(q);
	}
	for (size_t i = 0; rc == 0 && i < st->rules.cap; i++) {
		const int64_t *v = st->rules.vals + i * RULE_NVALS;
		if (!st->rules.used[i] || all_zero(v, RULE_NVALS))
			continue;
		const struct rule_key *k = (const void *)(st->rules.keys + i * sizeof(*k));
		sqlite3_stmt *q = st->up_rules;
		sqlite3_bind_int(q, 1, k->day);
		sqlite3_bind_text(q, 2, k->rule, -1, SQLITE_STATIC);
		for (int m = 0; m < RULE_NVALS; m++)
			sqlite3_bind_int64(q, 3 + m, v[m]);
		rc = step_reset(q);
		/* and the counters of all time (mlv_store_rule_counts) */
		q = st->up_rule_all;
		sqlite3_bind_text(q, 1, k->rule, -1, SQLITE_STATIC);
		for (int m = 0; rc == 0 && m < RULE_NVALS; m++)
			sqlite3_bind_int64(q, 2 + m, v[m]);
		if (rc == 0)
			rc = step_reset(q);
	}
	for (size_t i = 0; rc == 0 && i < st->states.cap; i++) {
		const int64_t *v = st->states.vals + i;
		if (!st->states.used[i] || v[0] == 0)
			continue;
		const struct state_key *k = (const void *)(st->states.keys + i * sizeof(*k));
		sqlite3_stmt *q = st->up_states;
		sqlite3_bind_text(q, 1, k->status, -1, SQLITE_STATIC);
		sqlite3_bind_int(q, 2, k->lane);
		sqlite3_bind_int64(q, 3, v[0]);
		rc = step_reset(q);
	}
	mlv_sqlite_stats_discard(s);
	return rc;
}

void mlv_sqlite_stats_discard(mlv_store *s)
{
	struct mlv_sqlite_stats *st = s->stats;
	if (st == NULL)
		return;
	map_clear(&st->agg);
	map_clear(&st->rel);
	map_clear(&st->rules);
	map_clear(&st->states);
}

void mlv_sqlite_stats_close(mlv_store *s)
{
	struct mlv_sqlite_stats *st = s->stats;
	if (st == NULL)
		return;
	sqlite3_finalize(st->up_agg);
	sqlite3_finalize(st->up_rel);
	sqlite3_finalize(st->up_rules);
	sqlite3_finalize(st->up_rule_all);
	sqlite3_finalize(st->up_states);
	sqlite3_finalize(st->read_fact);
	map_free(&st->agg);
	map_free(&st->rel);
	map_free(&st->rules);
	map_free(&st->states);
	free(st);
	s->stats = NULL;
}

/* ---- rebuild ------------------------------------------------------------------------------- */

/* A decimal string's value in units of 10^-scale, scale its own decimals. */
static bool decimal_of(const cJSON *j, int64_t *out, int *scale)
{
	const char *v = cJSON_GetStringValue(j);
	if (v == NULL)
		return false;
	const char *dot = strchr(v, '.');
	int sc = dot != NULL ? (int)strlen(dot + 1) : 0;
	if (sc > 9)
		return false;
	if (scale != NULL)
		*scale = sc;
	return mlv_decimal_parse(v, strlen(v), sc, 1, out) == MLV_DEC_OK;
}

/* The principal item's chapter from a filing text (as mlv_stats_hs_chapter
 * reads a decoded consignment; values compared at 4 decimals). */
static int chapter_of_text(const cJSON *doc)
{
	int best = 0;
	int64_t best_value = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(doc, "items")) {
		const char *hs = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "hs_code"));
		if (hs == NULL || hs[0] < '0' || hs[0] > '9' || hs[1] < '0' || hs[1] > '9')
			continue;
		const char *vs = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "value"));
		int64_t v = 0;
		if (vs == NULL || mlv_decimal_parse(vs, strlen(vs), 4, 0, &v) != MLV_DEC_OK)
			v = 0;
		if (best == 0 || v > best_value) {
			best = (hs[0] - '0') * 10 + (hs[1] - '0');
			best_value = v;
		}
	}
	return best;
}

/* Rows stored before the statistics existed have no chapter, collection
 * model, duty or tax column yet: read them from the stored texts (the
 * latest filing and its assessment), a thousand rows at a time. */
static int backfill_columns(mlv_store *s, uint64_t *done)
{
	sqlite3_stmt *q = NULL, *u = NULL;
	int rc = 0;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT c.id, e.body, c.assessment_z, c.assessment FROM consignments c"
			       " LEFT JOIN events e ON e.consignment_id = c.id AND e.version = c.version"
			       " AND e.body IS NOT NULL WHERE c.hs_chapter IS NULL AND c.id > ?1"
			       " ORDER BY c.id LIMIT 1000",
			       -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
			       "UPDATE consignments SET hs_chapter = ?2, collection_model = ?3,"
			       " duty = ?4, tax = ?5 WHERE id = ?1",
			       -1, &u, NULL) != SQLITE_OK) {
		rc = MLV_EIO;
		goto cleanup;
	}
	mlv_buf text = MLV_BUF_INIT((size_t)64 << 20);
	int64_t last = 0;
	for (bool more = true; rc == 0 && more;) {
		more = false;
		sqlite3_bind_int64(q, 1, last);
		int step;
		while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
			more = true;
			last = sqlite3_column_int64(q, 0);
			int chapter = 0, model = 0;
			bool have_amounts = false;
			int64_t duty = 0, tax = 0;
			mlv_buf_reset(&text);
			cJSON *doc = NULL;
			if (sqlite3_column_type(q, 1) == SQLITE_BLOB &&
			    mlv_sqlite_body_text(s, sqlite3_column_blob(q, 1),
						 (size_t)sqlite3_column_bytes(q, 1), &text) == 0)
				doc = cJSON_ParseWithLength(text.data, text.len);
			chapter = doc != NULL ? chapter_of_text(doc) : 0;
			cJSON_Delete(doc);
			mlv_buf_reset(&text);
			doc = NULL;
			if (sqlite3_column_type(q, 2) == SQLITE_BLOB &&
			    mlv_sqlite_body_text(s, sqlite3_column_blob(q, 2),
						 (size_t)sqlite3_column_bytes(q, 2), &text) == 0)
				doc = cJSON_ParseWithLength(text.data, text.len);
			else if (sqlite3_column_type(q, 3) == SQLITE_TEXT)
				doc = cJSON_Parse((const char *)sqlite3_column_text(q, 3));
			const cJSON *totals = cJSON_GetObjectItemCaseSensitive(doc, "totals");
			const char *mn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(doc, "collection"), "model"));
			for (int k = 1; mn != NULL && k < 16; k++)
				if (mlv_duty_model_name((mlv_model)k)[0] &&
				    strcmp(mlv_duty_model_name((mlv_model)k), mn) == 0)
					model = k;
			have_amounts =
				decimal_of(cJSON_GetObjectItemCaseSensitive(totals, "duty"), &duty, NULL) &&
				decimal_of(cJSON_GetObjectItemCaseSensitive(totals, "tax"), &tax, NULL);
			const char *status = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "status"));
			if (status != NULL && strcmp(status, "not_applicable") == 0) {
				model = MLV_MODEL_NONE; /* documents: nothing due */
				have_amounts = true;
			}
			cJSON_Delete(doc);
			sqlite3_bind_int64(u, 1, last);
			sqlite3_bind_int(u, 2, chapter);
			if (model > 0)
				sqlite3_bind_int(u, 3, model);
			else
				sqlite3_bind_null(u, 3);
			if (have_amounts) {
				sqlite3_bind_int64(u, 4, duty);
				sqlite3_bind_int64(u, 5, tax);
			} else {
				sqlite3_bind_null(u, 4);
				sqlite3_bind_null(u, 5);
			}
			rc = step_reset(u);
			sqlite3_clear_bindings(u);
			(*done)++;
		}
		if (rc == 0 && step != SQLITE_DONE)
			rc = MLV_EIO;
		sqlite3_reset(q);
	}
	mlv_buf_free(&text);
cleanup:
	sqlite3_finalize(q);
	sqlite3_finalize(u);
	return rc;
}

/* The aggregates from the stored rows, in the caller's transaction. */
static int rebuild(mlv_store *s, mlv_stats_rebuild_report *rep)
{
	struct mlv_sqlite_stats *st = stats_of(s);
	if (st == NULL)
		return MLV_ENOMEM;
	mlv_sqlite_stats_discard(s);
	int rc = backfill_columns(s, &rep->backfilled);
	if (rc == 0)
		rc = mlv_sqlite_exec(s, "DELETE FROM stats_agg; DELETE FROM stats_release;"
					" DELETE FROM stats_states;");
	static const char *const scans[] = {
		/* every consignment row */
		"SELECT " FACT_COLUMNS ", 0, '', 0, 0 FROM consignments c",
		/* inspection results, on their day */
		"SELECT " FACT_COLUMNS ", 1, r.result, r.revenue, r.at FROM inspection_results r"
		" JOIN consignments c ON c.id = r.consignment_id",
		/* refunds (an event each; the amount is on the account, if any) */
		"SELECT " FACT_COLUMNS ", 2, '', coalesce((SELECT sum(a.amount) FROM account_entries a"
		" WHERE a.consignment_id = e.consignment_id AND a.kind = 'refund'), 0), e.at"
		" FROM events e JOIN consignments c ON c.id = e.consignment_id WHERE e.type = 'refund'",
	};
	for (size_t i = 0; rc == 0 && i < MLV_ARRAY_LEN(scans); i++) {
		sqlite3_stmt *q = NULL;
		if (sqlite3_prepare_v2(s->db, scans[i], -1, &q, NULL) != SQLITE_OK) {
			rc = MLV_EIO;
			break;
		}
		int step;
		uint64_t n = 0;
		while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
			fact f;
			fact_read(q, 0, &f);
			int kind = sqlite3_column_int(q, FACT_NCOLS);
			int64_t amount = sqlite3_column_int64(q, FACT_NCOLS + 2);
			int64_t at = sqlite3_column_int64(q, FACT_NCOLS + 3);
			if (kind == 0) {
				rc = contribute(st, &f, 1);
				rep->consignments++;
			} else {
				int64_t m[MLV_SM_COUNT_];
				if (kind == 1)
					result_measures(m, (const char *)sqlite3_column_text(q, FACT_NCOLS + 1),
							amount);
				else
					refund_measures(m, amount);
				rc = contribute_event(st, &f, at, m);
			}
			/* bounded memory: write every so often */
			if (rc == 0 && ++n % 50000 == 0)
				rc = mlv_sqlite_stats_flush(s);
		}
		if (rc == 0 && step != SQLITE_DONE)
			rc = MLV_EIO;
		sqlite3_finalize(q);
	}
	if (rc == 0)
		rc = mlv_sqlite_stats_flush(s);
	if (rc == 0)
		rc = mlv_sqlite_exec(s, "DELETE FROM stats_meta WHERE name = 'rebuild'");
	if (rc != 0)
		mlv_sqlite_stats_discard(s);
	return rc;
}

/* The rows of stats_agg with some measure not zero (zero rows are left by
 * amendments that moved a consignment to other keys). */
static int nonzero_clause(char *out, size_t size)
{
	int n = snprintf(out, size, "(");
	for (int i = 0; i < MLV_SM_COUNT_; i++)
		n += snprintf(out + n, size - (size_t)n, "%s%s <> 0", i ? " OR " : "",
			      mlv_stats_measures[i].name);
	n += snprintf(out + n, size - (size_t)n, ")");
	return (size_t)n < size ? 0 : MLV_ETOOBIG;
}

static int count_sql(mlv_store *s, const char *sql, uint64_t *out)
{
	sqlite3_stmt *q = NULL;
	int rc = MLV_EIO;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW) {
		*out += (uint64_t)sqlite3_column_int64(q, 0);
		rc = 0;
	}
	sqlite3_finalize(q);
	return rc;
}

int mlv_store_stats_rebuild(mlv_store *s, bool check, mlv_stats_rebuild_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	char nz[2048], sql[6144];
	int rc = nonzero_clause(nz, sizeof(nz));
	if (rc != 0)
		return rc;
	if ((rc = mlv_sqlite_exec(s, "BEGIN IMMEDIATE")) != 0)
		return rc;
	if (check) {
		snprintf(sql, sizeof(sql),
			 "CREATE TEMP TABLE kept_agg AS SELECT * FROM stats_agg WHERE %s;"
			 "CREATE TEMP TABLE kept_release AS SELECT * FROM stats_release WHERE n <> 0;"
			 "CREATE TEMP TABLE kept_states AS SELECT * FROM stats_states WHERE n <> 0;",
			 nz);
		rc = mlv_sqlite_exec(s, sql);
	}
	if (rc == 0)
		rc = rebuild(s, rep);
	if (rc == 0 && check) {
		snprintf(sql, sizeof(sql),
			 "SELECT (SELECT count(*) FROM (SELECT * FROM kept_agg EXCEPT"
			 " SELECT * FROM stats_agg WHERE %s)) + (SELECT count(*) FROM (SELECT * FROM"
			 " stats_agg WHERE %s EXCEPT SELECT * FROM kept_agg))",
			 nz, nz);
		rc = count_sql(s, sql, &rep->differences);
		if (rc == 0)
			rc = count_sql(s, "SELECT (SELECT count(*) FROM (SELECT * FROM kept_release"
					  " EXCEPT SELECT * FROM stats_release WHERE n <> 0)) + (SELECT"
					  " count(*) FROM (SELECT * FROM stats_release WHERE n <> 0"
					  " EXCEPT SELECT * FROM kept_release))",
				       &rep->differences);
		if (rc == 0)
			rc = count_sql(s, "SELECT (SELECT count(*) FROM (SELECT * FROM kept_states"
					  " EXCEPT SELECT * FROM stats_states WHERE n <> 0)) + (SELECT"
					  " count(*) FROM (SELECT * FROM stats_states WHERE n <> 0"
					  " EXCEPT SELECT * FROM kept_states))",
				       &rep->differences);
	}
	/* a check changes nothing: what it computed is rolled back */
	if (rc == 0 && !check && mlv_sqlite_exec(s, "COMMIT") != 0)
		rc = MLV_EIO;
	if (rc != 0 || check)
		mlv_sqlite_exec(s, "ROLLBACK");
	if (check)
		mlv_sqlite_exec(s, "DROP TABLE IF EXISTS temp.kept_agg;"
				   " DROP TABLE IF EXISTS temp.kept_release;"
				   " DROP TABLE IF EXISTS temp.kept_states;");
	return rc;
}

int mlv_sqlite_stats_open(mlv_store *s)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM stats_meta WHERE name = 'rebuild'", -1, &q,
			       NULL) != SQLITE_OK)
		return MLV_EIO;
	int step = sqlite3_step(q);
	sqlite3_finalize(q);
	if (step == SQLITE_DONE)
		return 0;
	if (step != SQLITE_ROW)
		return MLV_EIO;
	mlv_stats_rebuild_report rep;
	return mlv_store_stats_rebuild(s, false, &rep);
}

/* ---- reading ------------------------------------------------------------------------------ */

int mlv_store_stats_grain(unsigned dims)
{
	dims &= ~1u; /* MLV_DIM_NONE */
	for (int i = 0; i < G_COUNT; i++)
		if ((grain_dims[grain_order[i]] & dims) == dims)
			return grain_order[i];
	return -1;
}

/* The period's first day, as SQL over `day` (?2 is the range's first). */
static const char *period_sql(mlv_stats_period p)
{
	switch (p) {
	case MLV_PERIOD_DAY:
		return "day";
	case MLV_PERIOD_WEEK:
		return "day - (day + 3) % 7"; /* days from 1970 on: never negative */
	case MLV_PERIOD_MONTH:
		return "day - CAST(strftime('%d', day * 86400, 'unixepoch') AS INTEGER) + 1";
	default:
		return "?2";
	}
}

int mlv_store_stats(mlv_store *s, const mlv_stats_query *q,
		    int (*fn)(void *ctx, const mlv_stats_row *row), void *ctx)
{
	unsigned need = q->filters;
	if (q->by != MLV_DIM_NONE)
		need |= D(q->by);
	int grain = mlv_store_stats_grain(need);
	if (grain < 0)
		return MLV_EINVALID; /* a combination the store does not keep */
	char sql[4096];
	int n = snprintf(sql, sizeof(sql), "SELECT %s, %s", period_sql(q->period),
			 q->by != MLV_DIM_NONE ? dim_column[q->by] : "0");
	for (int i = 0; i < MLV_SM_COUNT_; i++)
		n += snprintf(sql + n, sizeof(sql) - (size_t)n, ", sum(%s)",
			      mlv_stats_measures[i].name);
	for (int l = 0; l < MLV_STATS_LANES; l++)
		n += snprintf(sql + n, sizeof(sql) - (size_t)n,
			      ", sum(CASE WHEN lane = %d THEN consignments ELSE 0 END)", l);
	n += snprintf(sql + n, sizeof(sql) - (size_t)n,
		      " FROM stats_agg WHERE grain = ?1 AND day >= ?2 AND day <= ?3");
	/* filters: ?4 + dim (fixed numbers), only those given */
	for (int d = 1; d < MLV_DIM_COUNT_; d++)
		if (q->filters & D(d))
			n += snprintf(sql + n, sizeof(sql) - (size_t)n, " AND %s = ?%d", dim_column[d],
				      3 + d);
	n += snprintf(sql + n, sizeof(sql) - (size_t)n, " GROUP BY 1, 2 ORDER BY 1, 2");
	if ((size_t)n >= sizeof(sql))
		return MLV_ETOOBIG;
	sqlite3_stmt *st = NULL, *names = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	if (q->by == MLV_DIM_FILER &&
	    sqlite3_prepare_v2(s->db, "SELECT name FROM filers WHERE id = ?1", -1, &names, NULL) !=
		    SQLITE_OK) {
		sqlite3_finalize(st);
		return MLV_EIO;
	}
	sqlite3_bind_int(st, 1, grain);
	sqlite3_bind_int(st, 2, q->from_day);
	sqlite3_bind_int(st, 3, q->to_day);
	for (int d = 1; d < MLV_DIM_COUNT_; d++) {
		if (!(q->filters & D(d)))
			continue;
		if (d == MLV_DIM_ORIGIN)
			sqlite3_bind_text(st, 3 + d, q->origin, -1, SQLITE_STATIC);
		else
			sqlite3_bind_int64(st, 3 + d, q->key[d]);
	}
	int rc = 0, step;
	size_t rows = 0;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if (q->max_rows > 0 && rows == q->max_rows) {
			rc = MLV_ETOOBIG;
			break;
		}
		mlv_stats_row r;
		memset(&r, 0, sizeof(r));
		r.period_start = sqlite3_column_int(st, 0);
		if (q->by == MLV_DIM_ORIGIN) {
			const unsigned char *t = sqlite3_column_text(st, 1);
			snprintf(r.key_text, sizeof(r.key_text), "%s", t ? (const char *)t : "");
		} else {
			r.key = sqlite3_column_int64(st, 1);
		}
		for (int i = 0; i < MLV_SM_COUNT_; i++)
			r.m[i] = sqlite3_column_int64(st, 2 + i);
		for (int l = 0; l < MLV_STATS_LANES; l++)
			r.lanes[l] = sqlite3_column_int64(st, 2 + MLV_SM_COUNT_ + l);
		if (names != NULL) {
			sqlite3_reset(names);
			sqlite3_bind_int64(names, 1, r.key);
			if (sqlite3_step(names) == SQLITE_ROW)
				snprintf(r.key_text, sizeof(r.key_text), "%s",
					 (const char *)sqlite3_column_text(names, 0));
		}
		rows++;
		rc = fn(ctx, &r);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = MLV_EIO;
	sqlite3_finalize(st);
	sqlite3_finalize(names);
	return rc;
}

int mlv_store_stats_release(mlv_store *s, int32_t from_day, int32_t to_day,
			    int (*fn)(void *ctx, int measure, int lane, int channel, int bucket,
				      uint64_t n, int64_t max_s),
			    void *ctx)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT measure, lane, channel, bucket, sum(n), max(max_s)"
			       " FROM stats_release WHERE day >= ?1 AND day <= ?2"
			       " GROUP BY measure, lane, channel, bucket",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int(q, 1, from_day);
	sqlite3_bind_int(q, 2, to_day);
	int rc = 0, step;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t n = sqlite3_column_int64(q, 4);
		if (n <= 0)
			continue;
		rc = fn(ctx, sqlite3_column_int(q, 0), sqlite3_column_int(q, 1),
			sqlite3_column_int(q, 2), sqlite3_column_int(q, 3), (uint64_t)n,
			sqlite3_column_int64(q, 5));
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = MLV_EIO;
	sqlite3_finalize(q);
	return rc;
}

int mlv_store_stats_rules(mlv_store *s, int32_t from_day, int32_t to_day,
			  int (*fn)(void *ctx, const char *rule_id, const mlv_rule_counts *c),
			  void *ctx)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT rule_id, sum(hits), sum(controls), sum(findings), sum(seizures),"
			       " sum(revenue) FROM stats_rules WHERE day >= ?1 AND day <= ?2"
			       " GROUP BY rule_id ORDER BY 2 DESC, 1",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int(q, 1, from_day);
	sqlite3_bind_int(q, 2, to_day);
	int rc = 0, step;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		mlv_rule_counts c;
		c.hits = (uint64_t)sqlite3_column_int64(q, 1);
		c.controls = (uint64_t)sqlite3_column_int64(q, 2);
		c.findings = (uint64_t)sqlite3_column_int64(q, 3);
		c.seizures = (uint64_t)sqlite3_column_int64(q, 4);
		c.revenue = sqlite3_column_int64(q, 5);
		rc = fn(ctx, (const char *)sqlite3_column_text(q, 0), &c);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = MLV_EIO;
	sqlite3_finalize(q);
	return rc;
}

int mlv_store_stats_states(mlv_store *s,
			   int (*fn)(void *ctx, const char *state, int lane, int64_t n), void *ctx)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT status, lane, n FROM stats_states WHERE n <> 0 ORDER BY 1, 2",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	int rc = 0, step;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW)
		rc = fn(ctx, (const char *)sqlite3_column_text(q, 0), sqlite3_column_int(q, 1),
			sqlite3_column_int64(q, 2));
	if (rc == 0 && step != SQLITE_DONE)
		rc = MLV_EIO;
	sqlite3_finalize(q);
	return rc;
}

int mlv_store_size(mlv_store *s, int64_t *bytes)
{
	sqlite3_stmt *q = NULL;
	int rc = MLV_EIO;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
			       -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW) {
		*bytes = sqlite3_column_int64(q, 0);
		rc = 0;
	}
	sqlite3_finalize(q);
	return rc;
}

/* ---- raw rows ------------------------------------------------------------------------------- */

int mlv_store_release_times(mlv_store *s, int64_t from_ms, int64_t to_ms,
			    int (*fn)(void *ctx, const mlv_release_row *row), void *ctx)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT lane, channel, filed_at, arrived_at, released_at"
			       " FROM consignments WHERE released_at >= ?1 AND released_at < ?2",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(q, 1, from_ms);
	sqlite3_bind_int64(q, 2, to_ms);
	int rc = 0, step;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		mlv_release_row r;
		const unsigned char *lane = sqlite3_column_text(q, 0);
		snprintf(r.lane, sizeof(r.lane), "%s", lane ? (const char *)lane : "");
		r.channel = sqlite3_column_int(q, 1);
		r.filed_ms = sqlite3_column_int64(q, 2);
		r.arrived_ms = sqlite3_column_type(q, 3) == SQLITE_NULL ? 0 : sqlite3_column_int64(q, 3);
		r.released_ms = sqlite3_column_int64(q, 4);
		rc = fn(ctx, &r);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = MLV_EIO;
	sqlite3_finalize(q);
	return rc;
}
