/* stats.h - the statistics of cross-border e-commerce (docs/statistics.md):
 * release times in the manner of the WCO Time Release Study (nearest-rank
 * percentiles, exactly or over a histogram), the measures and dimensions
 * of the aggregate tables the store keeps as consignments change, the
 * periods they are read by, and how one row of them is written out (JSON,
 * CSV) with its derived figures.
 *
 * Everything here is data or arithmetic on integers: money stays in minor
 * units, ratios and means are written as fixed-point decimals computed
 * from integer sums, never through a double. */
#ifndef MLV_STATS_H
#define MLV_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "mlv/buf.h"
#include "mlv/dataset.h"
#include "mlv/refdata.h"

/* ---- percentiles ------------------------------------------------------------------ */

typedef struct mlv_percentiles {
	size_t count;
	int64_t median, p90, p99, max; /* 0 when count is 0 */
} mlv_percentiles;

/* Nearest-rank percentiles of v[0..n): the p-th is the value at rank
 * ceil(p/100 * n) in ascending order.  Sorts v in place. */
void mlv_percentiles_of(int64_t *v, size_t n, mlv_percentiles *out);

/* ---- release-time histograms ----------------------------------------------------------
 * Durations in whole seconds, in log-linear buckets: one bucket per second
 * below 64 s, then 32 buckets per doubling, so a bucket is at most 1/32 of
 * its lower bound wide.  Durations past MLV_STATS_BUCKET_MAX_S (about 776
 * days) count in the last bucket; negative ones in the first. */

#define MLV_STATS_BUCKETS 704
#define MLV_STATS_BUCKET_MAX_S ((INT64_C(1) << 26) - 1)

int mlv_stats_bucket(int64_t seconds);
/* The smallest and largest duration (inclusive) of a bucket. */
int64_t mlv_stats_bucket_low(int bucket);
int64_t mlv_stats_bucket_high(int bucket);

/* Nearest-rank percentiles read from counts[MLV_STATS_BUCKETS]: the rank
 * falls in one bucket, and the value is placed within it by its position
 * among the bucket's counts (exact for buckets one second wide).  max is
 * the largest duration seen (the histogram alone does not know it): no
 * percentile is above it, and out->max is it. */
void mlv_percentiles_of_histogram(const uint64_t *counts, int64_t max, mlv_percentiles *out);

/* Release times of a period, gathered from the store's histograms
 * (mlv_store_stats_release calls mlv_stats_release_add with the
 * accumulator as its context): filing to release (measure 0) and arrival
 * to release (1), overall, by lane and by channel; with a lane or channel
 * filter (-1: none), only those releases. */
#define MLV_STATS_RELEASE_GROUPS 11 /* all, lanes 0..4, channels 0..4 */
#define MLV_STATS_RELEASE_BINS 7    /* the histogram shown to people */

typedef struct mlv_stats_release_acc {
	int lane, channel; /* filters; -1 for none */
	uint64_t n[2][MLV_STATS_RELEASE_GROUPS][MLV_STATS_BUCKETS];
	int64_t max[2][MLV_STATS_RELEASE_GROUPS];
} mlv_stats_release_acc;

typedef struct mlv_stats_release {
	mlv_percentiles pct[2][MLV_STATS_RELEASE_GROUPS];
	uint64_t bins[2][MLV_STATS_RELEASE_BINS];
} mlv_stats_release;

/* Bins of the histogram shown: labels ("< 15 min" ...) and upper bounds
 * in seconds (-1 for the last, open one).  A bucket counts in the bin of
 * its lower bound. */
extern const char *const mlv_stats_release_bin_labels[MLV_STATS_RELEASE_BINS];
extern const int64_t mlv_stats_release_bin_upper[MLV_STATS_RELEASE_BINS];

int mlv_stats_release_add(void *acc, int measure, int lane, int channel, int bucket,
			  uint64_t n, int64_t max_s);
void mlv_stats_release_summary(const mlv_stats_release_acc *acc, mlv_stats_release *out);
/* The name of group g ("all", a lane, a channel) and its kind ("all",
 * "lane", "channel"). */
const char *mlv_stats_release_group(int g, const char **kind);

/* ---- dimensions ------------------------------------------------------------------------ */

typedef enum mlv_stats_dim {
	MLV_DIM_NONE = 0,
	MLV_DIM_LANE,             /* the risk lane at filing (or none: not assessed) */
	MLV_DIM_CHANNEL,          /* post, express, courier, freight */
	MLV_DIM_BUSINESS_MODEL,   /* direct, bonded or non-bonded fulfilment centre */
	MLV_DIM_COLLECTION_MODEL, /* who collects duties and taxes (duty.h mlv_model) */
	MLV_DIM_ORIGIN,           /* the country of dispatch (transport.departure_country) */
	MLV_DIM_HS_CHAPTER,       /* the HS chapter of the principal item */
	MLV_DIM_FILER,            /* the filer (platform, carrier, broker ...) */
	MLV_DIM_COUNT_
} mlv_stats_dim;

/* "lane", "channel", "business_model", "collection_model", "origin",
 * "hs_chapter", "filer"; "" for MLV_DIM_NONE. */
const char *mlv_stats_dim_name(mlv_stats_dim d);
/* "Lane", "Channel" ... for people. */
const char *mlv_stats_dim_label(mlv_stats_dim d);
/* MLV_DIM_NONE when unknown. */
mlv_stats_dim mlv_stats_dim_from_name(const char *name);

/* Lanes as small integers: 0 none (not assessed), 1 green, 2 yellow,
 * 3 red, 4 hold. */
#define MLV_STATS_LANES 5
int mlv_stats_lane_index(const char *lane); /* 0 for NULL, "" or unknown */
const char *mlv_stats_lane_name(int i);     /* "none", "green" ... */

/* The HS chapter (1..97) of a consignment's principal item: the item of
 * highest declared value (the first of equal ones) among those with an
 * HS code; 0 when none has one. */
int mlv_stats_hs_chapter(const mlv_consignment *c);

/* ---- measures ----------------------------------------------------------------------------
 * The sums kept per day and combination of dimension values.  Filing
 * measures count on the day of the first filing with the consignment's
 * current data; the others on the day their event happened. */

typedef enum mlv_stats_measure {
	MLV_SM_CONSIGNMENTS,      /* consignments filed */
	MLV_SM_AMENDMENTS,        /* their amendments (versions after the first) */
	MLV_SM_DECLARED_VALUE,    /* goods value, administration's currency */
	MLV_SM_ASSESSED,          /* consignments with an amount assessed */
	MLV_SM_DUTY,              /* duty assessed */
	MLV_SM_TAX,               /* tax (VAT/GST) assessed, due at the border */
	MLV_SM_DUE,               /* everything due at the border (duty, excise, tax, fees) */
	MLV_SM_QUALITY_SUM,       /* data-quality scores, added */
	MLV_SM_QUALITY_LOW,       /* consignments scoring below MLV_STATS_QUALITY_LOW */
	MLV_SM_LEAD_N,            /* consignments declaring their expected arrival */
	MLV_SM_LEAD_SUM_S,        /* expected arrival - filing, seconds, added */
	MLV_SM_LATE_FILINGS,      /* filed at or after their expected arrival */
	MLV_SM_ARRIVED,           /* arrivals at the border */
	MLV_SM_ARRIVAL_LEAD_SUM_S,/* arrival - filing, seconds, added */
	MLV_SM_RELEASED,          /* releases */
	MLV_SM_RELEASE_SUM_S,     /* release - filing, seconds, added */
	MLV_SM_RELEASE_ARRIVAL_SUM_S, /* release - arrival, seconds, added */
	MLV_SM_COLLECTED,         /* due at the border of the consignments released */
	MLV_SM_COLLECTED_DUTY,
	MLV_SM_COLLECTED_TAX,
	MLV_SM_CONTROLS,          /* inspection results recorded */
	MLV_SM_FINDINGS,          /* ... with an irregularity or a seizure */
	MLV_SM_SEIZURES,
	MLV_SM_REVENUE,           /* revenue recovered by the findings */
	MLV_SM_REFUNDS,           /* refunds of returned goods */
	MLV_SM_REFUNDED,          /* amounts refunded */
	MLV_SM_COUNT_
} mlv_stats_measure;

/* A data-quality score below this counts in MLV_SM_QUALITY_LOW. */
#define MLV_STATS_QUALITY_LOW 50

typedef enum mlv_stats_unit {
	MLV_UNIT_COUNT = 1,
	MLV_UNIT_MONEY,   /* minor units of the administration's currency */
	MLV_UNIT_SECONDS,
	MLV_UNIT_POINTS,  /* data-quality score points */
} mlv_stats_unit;

typedef struct mlv_stats_measure_info {
	const char *name; /* the store's column, as written in the migration */
	mlv_stats_unit unit;
	const char *help;
} mlv_stats_measure_info;

extern const mlv_stats_measure_info mlv_stats_measures[MLV_SM_COUNT_];

/* ---- periods -------------------------------------------------------------------------- */

typedef enum mlv_stats_period {
	MLV_PERIOD_NONE = 0, /* the whole range as one */
	MLV_PERIOD_DAY,
	MLV_PERIOD_WEEK,     /* ISO weeks, Monday to Sunday */
	MLV_PERIOD_MONTH,
} mlv_stats_period;

const char *mlv_stats_period_name(mlv_stats_period p); /* "day" ...; "" for none */
/* -1 when unknown. */
int mlv_stats_period_from_name(const char *name);
/* The first day of the period holding `day` (days since 1970-01-01). */
int32_t mlv_stats_period_start(mlv_stats_period p, int32_t day);
/* The first day of the next period. */
int32_t mlv_stats_period_next(mlv_stats_period p, int32_t start);
/* "2026-11-02" (day), "2026-W45" (ISO week), "2026-11" (month). */
void mlv_stats_period_label(mlv_stats_period p, int32_t start, char out[11]);
/* How many periods meet [from, to]. */
size_t mlv_stats_period_count(mlv_stats_period p, int32_t from, int32_t to);

/* ---- rows and how they are written -------------------------------------------------------- */

/* One row of a statistics table: sums for a period and a value of the
 * breakdown dimension. */
typedef struct mlv_stats_row {
	int32_t period_start; /* first day of the period (the range's first without one) */
	int64_t key;          /* the breakdown's value: lane, channel, business or collection
			       * model index, HS chapter, filer id; 0 without breakdown */
	char key_text[64];    /* origin: its country code; filer: its name */
	int64_t m[MLV_SM_COUNT_];
	int64_t lanes[MLV_STATS_LANES]; /* consignments by lane */
} mlv_stats_row;

/* The breakdown value of a row as a code ("green", "post", "CN", "85",
 * the filer's id) and a label for people ("China", the chapter's
 * description, the filer's name). */
void mlv_stats_key(mlv_stats_dim d, const mlv_stats_row *r, const mlv_refdata *rd,
		   char value[64], char label[160]);

/* The inverse, for filters: the key (and key_text) of a value given as
 * text ("green", "post", "direct", "buyer", "CN", "85", a filer id);
 * "unknown" names 0 for the enumerated dimensions.  MLV_EINVALID when the
 * text names no value of the dimension (an origin must be an ISO 3166-1
 * code, a chapter 01..97 of HS 2022). */
int mlv_stats_key_parse(mlv_stats_dim d, const char *text, const mlv_refdata *rd,
			int64_t *key, char key_text[64]);

/* The figures of a row, raw and derived, as written to JSON and CSV. */
typedef enum mlv_stats_kind {
	MLV_COL_COUNT = 1,
	MLV_COL_MONEY,   /* decimal string in JSON, a decimal in CSV */
	MLV_COL_RATIO,   /* num / den, 4 decimals; null when den is 0 */
	MLV_COL_MEAN,    /* num / (den * div), 1 decimal; null when den is 0 */
} mlv_stats_kind;

typedef struct mlv_stats_column {
	const char *name;
	const char *label; /* short, for people: "Consignments", "Hit rate" */
	mlv_stats_kind kind;
	int num;   /* a measure, or -1 - lane for a lane count */
	int den;   /* ratios and means: a measure, -1 - lane; -100 for none */
	int div;   /* means: unit divisor (3600 for hours) */
	const char *help;
} mlv_stats_column;

extern const mlv_stats_column mlv_stats_columns[];
extern const size_t mlv_stats_column_count;

/* A column's value as text: "12", "1234.50", "0.2500", "3.5", or "" when
 * undefined (a ratio over nothing).  mu: minor units of the currency. */
void mlv_stats_column_text(const mlv_stats_column *c, const mlv_stats_row *r, int mu,
			   char out[40]);

/* Appends the columns as JSON members, each preceded by a comma
 * (,"consignments":12,"declared_value":"123.40","hit_rate":null ...). */
int mlv_stats_row_json(mlv_buf *b, const mlv_stats_row *r, int mu);
/* Appends the columns as CSV fields, each preceded by a comma. */
int mlv_stats_row_csv(mlv_buf *b, const mlv_stats_row *r, int mu);
/* The CSV header of those columns, each preceded by a comma. */
int mlv_stats_header_csv(mlv_buf *b);
/* Appends s as one CSV field (RFC 4180 quoting; a leading = + - @ is
 * prefixed with ' so that spreadsheets do not read a formula). */
int mlv_stats_csv_field(mlv_buf *b, const char *s);

/* A fixed-point quotient: num * 10^decimals / den rounded half away from
 * zero, as text with `decimals` decimals ("" when den is 0). */
void mlv_stats_fixed(int64_t num, int64_t den, int decimals, char out[40]);

#endif
