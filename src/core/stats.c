/* stats.c - percentiles, release-time histograms, the measures and
 * dimensions of the aggregate statistics, periods, and the writing of one
 * row (see stats.h).  Integer arithmetic only: means and ratios are
 * fixed-point quotients of integer sums. */
#include "mlv/stats.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlv/decimal.h"
#include "mlv/duty.h"

/* ---- percentiles --------------------------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* The 1-based rank ceil(pct/100 * n), at least 1. */
static uint64_t rank_of(uint64_t n, unsigned pct)
{
	uint64_t r = (n * pct + 99) / 100;
	return r < 1 ? 1 : r;
}

void mlv_percentiles_of(int64_t *v, size_t n, mlv_percentiles *out)
{
	out->count = n;
	if (n == 0) {
		out->median = out->p90 = out->p99 = out->max = 0;
		return;
	}
	qsort(v, n, sizeof(*v), cmp_i64);
	out->median = v[rank_of(n, 50) - 1];
	out->p90 = v[rank_of(n, 90) - 1];
	out->p99 = v[rank_of(n, 99) - 1];
	out->max = v[n - 1];
}

/* ---- histograms ------------------------------------------------------------------------ */

int mlv_stats_bucket(int64_t s)
{
	if (s < 0)
		s = 0;
	if (s > MLV_STATS_BUCKET_MAX_S)
		s = MLV_STATS_BUCKET_MAX_S;
	if (s < 64)
		return (int)s;
	int e = 63 - __builtin_clzll((unsigned long long)s); /* 6 .. 25 */
	int sub = (int)((s >> (e - 5)) - 32);                /* 0 .. 31 */
	return 64 + (e - 6) * 32 + sub;
}

int64_t mlv_stats_bucket_low(int b)
{
	if (b < 64)
		return b < 0 ? 0 : b;
	if (b >= MLV_STATS_BUCKETS)
		b = MLV_STATS_BUCKETS - 1;
	int e = 6 + (b - 64) / 32, sub = (b - 64) % 32;
	return (int64_t)(32 + sub) << (e - 5);
}

int64_t mlv_stats_bucket_high(int b)
{
	return b + 1 < MLV_STATS_BUCKETS ? mlv_stats_bucket_low(b + 1) - 1 : MLV_STATS_BUCKET_MAX_S;
}

/* The value of rank r (1-based) in the histogram. */
static int64_t hist_value(const uint64_t *counts, uint64_t r, int64_t max)
{
	uint64_t cum = 0;
	for (int b = 0; b < MLV_STATS_BUCKETS; b++) {
		if (counts[b] == 0 || cum + counts[b] < r) {
			cum += counts[b];
			continue;
		}
		int64_t low = mlv_stats_bucket_low(b), high = mlv_stats_bucket_high(b);
		uint64_t within = r - cum; /* 1 .. counts[b] */
		/* the within-th of counts[b] values spread evenly over the bucket */
		int64_t v = low + (int64_t)(((uint64_t)(high - low) * (2 * within - 1)) /
					    (2 * counts[b]));
		if (v > max)
			v = max > low ? max : low;
		return v;
	}
	return max;
}

void mlv_percentiles_of_histogram(const uint64_t *counts, int64_t max, mlv_percentiles *out)
{
	uint64_t n = 0;
	for (int b = 0; b < MLV_STATS_BUCKETS; b++)
		n += counts[b];
	out->count = (size_t)n;
	if (n == 0) {
		out->median = out->p90 = out->p99 = out->max = 0;
		return;
	}
	if (max < 0)
		max = 0;
	out->median = hist_value(counts, rank_of(n, 50), max);
	out->p90 = hist_value(counts, rank_of(n, 90), max);
	out->p99 = hist_value(counts, rank_of(n, 99), max);
	out->max = max;
}

const int64_t mlv_stats_release_bin_upper[MLV_STATS_RELEASE_BINS] = {
	900, 3600, 14400, 86400, 259200, 604800, -1,
};
const char *const mlv_stats_release_bin_labels[MLV_STATS_RELEASE_BINS] = {
	"< 15 min", "15-60 min", "1-4 h", "4-24 h", "1-3 d", "3-7 d", "> 7 d",
};

int mlv_stats_release_add(void *ctx, int measure, int lane, int channel, int bucket,
			  uint64_t n, int64_t max_s)
{
	mlv_stats_release_acc *a = ctx;
	if (measure < 0 || measure > 1 || bucket < 0 || bucket >= MLV_STATS_BUCKETS)
		return 0;
	if ((a->lane >= 0 && lane != a->lane) || (a->channel >= 0 && channel != a->channel))
		return 0;
	const int groups[3] = {0, 1 + (lane >= 0 && lane < MLV_STATS_LANES ? lane : 0),
			       6 + (channel >= 0 && channel < 5 ? channel : 0)};
	for (int g = 0; g < 3; g++) {
		a->n[measure][groups[g]][bucket] += n;
		if (max_s > a->max[measure][groups[g]])
			a->max[measure][groups[g]] = max_s;
	}
	return 0;
}

void mlv_stats_release_summary(const mlv_stats_release_acc *a, mlv_stats_release *out)
{
	memset(out, 0, sizeof(*out));
	for (int m = 0; m < 2; m++) {
		for (int g = 0; g < MLV_STATS_RELEASE_GROUPS; g++)
			mlv_percentiles_of_histogram(a->n[m][g], a->max[m][g], &out->pct[m][g]);
		for (int b = 0; b < MLV_STATS_BUCKETS; b++) {
			int64_t low = mlv_stats_bucket_low(b);
			int k = 0;
			while (k < MLV_STATS_RELEASE_BINS - 1 && low >= mlv_stats_release_bin_upper[k])
				k++;
			out->bins[m][k] += a->n[m][0][b];
		}
	}
}

const char *mlv_stats_release_group(int g, const char **kind)
{
	if (g <= 0) {
		*kind = "all";
		return "all";
	}
	if (g <= MLV_STATS_LANES) {
		*kind = "lane";
		return mlv_stats_lane_name(g - 1);
	}
	*kind = "channel";
	const char *n = mlv_channel_name((unsigned)(g - 6));
	return n[0] ? n : "unknown";
}

/* ---- dimensions ------------------------------------------------------------------------ */

static const struct {
	const char *name, *label;
} dims[MLV_DIM_COUNT_] = {
	[MLV_DIM_NONE] = {"", ""},
	[MLV_DIM_LANE] = {"lane", "Lane"},
	[MLV_DIM_CHANNEL] = {"channel", "Channel"},
	[MLV_DIM_BUSINESS_MODEL] = {"business_model", "Business model"},
	[MLV_DIM_COLLECTION_MODEL] = {"collection_model", "Collection model"},
	[MLV_DIM_ORIGIN] = {"origin", "Country of dispatch"},
	[MLV_DIM_HS_CHAPTER] = {"hs_chapter", "HS chapter"},
	[MLV_DIM_FILER] = {"filer", "Filer"},
};

const char *mlv_stats_dim_name(mlv_stats_dim d)
{
	return d > 0 && d < MLV_DIM_COUNT_ ? dims[d].name : "";
}

const char *mlv_stats_dim_label(mlv_stats_dim d)
{
	return d > 0 && d < MLV_DIM_COUNT_ ? dims[d].label : "";
}

mlv_stats_dim mlv_stats_dim_from_name(const char *name)
{
	for (int d = 1; name != NULL && d < MLV_DIM_COUNT_; d++)
		if (strcmp(dims[d].name, name) == 0)
			return (mlv_stats_dim)d;
	return MLV_DIM_NONE;
}

static const char *const lanes[MLV_STATS_LANES] = {"none", "green", "yellow", "red", "hold"};

int mlv_stats_lane_index(const char *lane)
{
	for (int i = 1; lane != NULL && i < MLV_STATS_LANES; i++)
		if (strcmp(lanes[i], lane) == 0)
			return i;
	return 0;
}

const char *mlv_stats_lane_name(int i)
{
	return i >= 0 && i < MLV_STATS_LANES ? lanes[i] : "none";
}

int mlv_stats_hs_chapter(const mlv_consignment *c)
{
	int best = 0;
	int64_t best_value = 0;
	for (size_t i = 0; i < c->item_count; i++) {
		const char *hs = c->items[i].hs_code;
		if (!isdigit((unsigned char)hs[0]) || !isdigit((unsigned char)hs[1]))
			continue;
		int64_t v = c->items[i].value.set ? c->items[i].value.v : 0;
		if (best == 0 || v > best_value) {
			best = (hs[0] - '0') * 10 + (hs[1] - '0');
			best_value = v;
		}
	}
	return best;
}

/* ---- measures ----------------------------------------------------------------------------- */

const mlv_stats_measure_info mlv_stats_measures[MLV_SM_COUNT_] = {
	[MLV_SM_CONSIGNMENTS] = {"consignments", MLV_UNIT_COUNT, "consignments filed"},
	[MLV_SM_AMENDMENTS] = {"amendments", MLV_UNIT_COUNT, "versions after the first"},
	[MLV_SM_DECLARED_VALUE] = {"declared_value", MLV_UNIT_MONEY, "goods value declared"},
	[MLV_SM_ASSESSED] = {"assessed", MLV_UNIT_COUNT, "consignments with an amount assessed"},
	[MLV_SM_DUTY] = {"duty", MLV_UNIT_MONEY, "duty assessed"},
	[MLV_SM_TAX] = {"tax", MLV_UNIT_MONEY, "tax assessed, due at the border"},
	[MLV_SM_DUE] = {"due", MLV_UNIT_MONEY, "due at the border: duty, excise, tax, fees"},
	[MLV_SM_QUALITY_SUM] = {"quality_sum", MLV_UNIT_POINTS, "data-quality scores added"},
	[MLV_SM_QUALITY_LOW] = {"quality_low", MLV_UNIT_COUNT, "scores below 50"},
	[MLV_SM_LEAD_N] = {"lead_n", MLV_UNIT_COUNT, "consignments declaring an expected arrival"},
	[MLV_SM_LEAD_SUM_S] = {"lead_sum_s", MLV_UNIT_SECONDS, "expected arrival - filing, added"},
	[MLV_SM_LATE_FILINGS] = {"late_filings", MLV_UNIT_COUNT,
				 "filed at or after the expected arrival"},
	[MLV_SM_ARRIVED] = {"arrived", MLV_UNIT_COUNT, "arrivals"},
	[MLV_SM_ARRIVAL_LEAD_SUM_S] = {"arrival_lead_sum_s", MLV_UNIT_SECONDS,
				       "arrival - filing, added"},
	[MLV_SM_RELEASED] = {"released", MLV_UNIT_COUNT, "releases"},
	[MLV_SM_RELEASE_SUM_S] = {"release_sum_s", MLV_UNIT_SECONDS, "release - filing, added"},
	[MLV_SM_RELEASE_ARRIVAL_SUM_S] = {"release_arrival_sum_s", MLV_UNIT_SECONDS,
					  "release - arrival, added"},
	[MLV_SM_COLLECTED] = {"collected", MLV_UNIT_MONEY, "due at the border of the releases"},
	[MLV_SM_COLLECTED_DUTY] = {"collected_duty", MLV_UNIT_MONEY, "duty of the releases"},
	[MLV_SM_COLLECTED_TAX] = {"collected_tax", MLV_UNIT_MONEY, "tax of the releases"},
	[MLV_SM_CONTROLS] = {"controls", MLV_UNIT_COUNT, "inspection results"},
	[MLV_SM_FINDINGS] = {"findings", MLV_UNIT_COUNT, "results with an irregularity or seizure"},
	[MLV_SM_SEIZURES] = {"seizures", MLV_UNIT_COUNT, "results with a seizure"},
	[MLV_SM_REVENUE] = {"revenue", MLV_UNIT_MONEY, "revenue recovered by findings"},
	[MLV_SM_REFUNDS] = {"refunds", MLV_UNIT_COUNT, "refunds of returned goods"},
	[MLV_SM_REFUNDED] = {"refunded", MLV_UNIT_MONEY, "amounts refunded"},
};

/* ---- periods ----------------------------------------------------------------------------- */

static const char *const periods[] = {"", "day", "week", "month"};

const char *mlv_stats_period_name(mlv_stats_period p)
{
	return (unsigned)p < MLV_ARRAY_LEN(periods) ? periods[p] : "";
}

int mlv_stats_period_from_name(const char *name)
{
	for (size_t i = 1; name != NULL && i < MLV_ARRAY_LEN(periods); i++)
		if (strcmp(periods[i], name) == 0)
			return (int)i;
	return -1;
}

/* Days are counted from 1970-01-01, a Thursday: (day + 3) mod 7 is the
 * number of days since the Monday before. */
static int32_t weekday_from_monday(int32_t day)
{
	int32_t r = (day + 3) % 7;
	return r < 0 ? r + 7 : r;
}

static int32_t month_start(int32_t day)
{
	char s[11];
	mlv_date_format(day, s);
	s[8] = '0';
	s[9] = '1';
	int32_t first = day;
	return mlv_date_parse(s, 10, &first) ? first : day;
}

int32_t mlv_stats_period_start(mlv_stats_period p, int32_t day)
{
	switch (p) {
	case MLV_PERIOD_WEEK:
		return day - weekday_from_monday(day);
	case MLV_PERIOD_MONTH:
		return month_start(day);
	default:
		return day;
	}
}

int32_t mlv_stats_period_next(mlv_stats_period p, int32_t start)
{
	switch (p) {
	case MLV_PERIOD_WEEK:
		return mlv_stats_period_start(p, start) + 7;
	case MLV_PERIOD_MONTH:
		/* day 28 of any month plus four days is in the next month */
		return month_start(month_start(start) + 31);
	default:
		return start + 1;
	}
}

void mlv_stats_period_label(mlv_stats_period p, int32_t start, char out[11])
{
	char s[11];
	if (p == MLV_PERIOD_WEEK) {
		/* ISO 8601: the week belongs to the year of its Thursday */
		int32_t thursday = mlv_stats_period_start(p, start) + 3, jan1 = thursday;
		mlv_date_format(thursday, s);
		memcpy(s + 4, "-01-01", 7);
		if (!mlv_date_parse(s, 10, &jan1))
			jan1 = thursday;
		unsigned week = (unsigned)((thursday - jan1) / 7 + 1) % 100; /* 1 .. 53 */
		snprintf(out, 11, "%.4s-W%02u", s, week);
		return;
	}
	mlv_date_format(start, s);
	if (p == MLV_PERIOD_MONTH)
		s[7] = '\0';
	snprintf(out, 11, "%s", s);
}

size_t mlv_stats_period_count(mlv_stats_period p, int32_t from, int32_t to)
{
	if (to < from)
		return 0;
	if (p == MLV_PERIOD_NONE)
		return 1;
	if (p == MLV_PERIOD_DAY)
		return (size_t)(to - from) + 1;
	size_t n = 0;
	for (int32_t d = mlv_stats_period_start(p, from); d <= to; d = mlv_stats_period_next(p, d))
		n++;
	return n;
}

/* ---- keys ---------------------------------------------------------------------------------- */

/* The name of value `key` of an enumerated dimension; NULL past its end. */
static const char *enum_name(mlv_stats_dim d, int64_t key)
{
	if (key == 0)
		return d == MLV_DIM_LANE ? "none" : "unknown";
	if (key < 0 || key > 255)
		return NULL;
	const char *n = NULL;
	switch (d) {
	case MLV_DIM_LANE:
		n = key < MLV_STATS_LANES ? lanes[key] : NULL;
		break;
	case MLV_DIM_CHANNEL:
		n = mlv_channel_name((unsigned)key);
		break;
	case MLV_DIM_BUSINESS_MODEL:
		n = mlv_business_model_name((unsigned)key);
		break;
	case MLV_DIM_COLLECTION_MODEL:
		n = mlv_duty_model_name((mlv_model)key);
		break;
	default:
		break;
	}
	return n != NULL && n[0] != '\0' ? n : NULL;
}

void mlv_stats_key(mlv_stats_dim d, const mlv_stats_row *r, const mlv_refdata *rd,
		   char value[64], char label[160])
{
	value[0] = label[0] = '\0';
	const char *n;
	switch (d) {
	case MLV_DIM_ORIGIN:
		snprintf(value, 64, "%s", r->key_text[0] ? r->key_text : "unknown");
		n = r->key_text[0] && rd != NULL ? mlv_country_name(rd, r->key_text) : NULL;
		snprintf(label, 160, "%s", n != NULL ? n : value);
		break;
	case MLV_DIM_HS_CHAPTER:
		if (r->key <= 0 || r->key > 99) {
			snprintf(value, 64, "unknown");
			snprintf(label, 160, "no HS code");
			break;
		}
		snprintf(value, 64, "%02d", (int)r->key);
		n = rd != NULL ? mlv_hs_description(rd, value, 2) : NULL;
		snprintf(label, 160, "%s", n != NULL ? n : value);
		break;
	case MLV_DIM_FILER:
		snprintf(value, 64, "%lld", (long long)r->key);
		snprintf(label, 160, "%s", r->key_text[0] ? r->key_text : value);
		break;
	case MLV_DIM_NONE:
	case MLV_DIM_COUNT_:
		break;
	default:
		n = enum_name(d, r->key);
		snprintf(value, 64, "%s", n != NULL ? n : "unknown");
		snprintf(label, 160, "%s", value);
		break;
	}
}

int mlv_stats_key_parse(mlv_stats_dim d, const char *text, const mlv_refdata *rd,
			int64_t *key, char key_text[64])
{
	*key = 0;
	key_text[0] = '\0';
	if (text == NULL || text[0] == '\0' || strlen(text) > 40)
		return MLV_EINVALID;
	switch (d) {
	case MLV_DIM_ORIGIN:
		if (strlen(text) != 2 || !isupper((unsigned char)text[0]) ||
		    !isupper((unsigned char)text[1]) || (rd != NULL && !mlv_country_exists(rd, text)))
			return MLV_EINVALID;
		snprintf(key_text, 64, "%s", text);
		return 0;
	case MLV_DIM_HS_CHAPTER:
		if (strlen(text) != 2 || !isdigit((unsigned char)text[0]) ||
		    !isdigit((unsigned char)text[1]) || (rd != NULL && !mlv_hs_exists(rd, text, 2)))
			return MLV_EINVALID;
		*key = (text[0] - '0') * 10 + (text[1] - '0');
		return *key > 0 ? 0 : MLV_EINVALID;
	case MLV_DIM_FILER: {
		char *end;
		if (!isdigit((unsigned char)text[0]) || text[0] == '0')
			return MLV_EINVALID;
		long long v = strtoll(text, &end, 10);
		if (*end != '\0' || v <= 0)
			return MLV_EINVALID;
		*key = v;
		return 0;
	}
	case MLV_DIM_NONE:
	case MLV_DIM_COUNT_:
		return MLV_EINVALID;
	default:
		for (int64_t k = 0; k < 256; k++) {
			const char *n = enum_name(d, k);
			if (n == NULL && k > 0)
				break;
			if (n != NULL && strcmp(n, text) == 0) {
				*key = k;
				return 0;
			}
		}
		return MLV_EINVALID;
	}
}

/* ---- columns ----------------------------------------------------------------------------- */

#define LANE(i) (-1 - (i))
#define NO_DEN (-100)

const mlv_stats_column mlv_stats_columns[] = {
	{"consignments", "Consignments", MLV_COL_COUNT, MLV_SM_CONSIGNMENTS, NO_DEN, 0,
	 "consignments filed (first filing in the period)"},
	{"amendments", "Amendments", MLV_COL_COUNT, MLV_SM_AMENDMENTS, NO_DEN, 0, "their amendments"},
	{"lane_green", "Green", MLV_COL_COUNT, LANE(1), NO_DEN, 0, "filed, green lane"},
	{"lane_yellow", "Yellow", MLV_COL_COUNT, LANE(2), NO_DEN, 0, "filed, yellow lane"},
	{"lane_red", "Red", MLV_COL_COUNT, LANE(3), NO_DEN, 0, "filed, red lane"},
	{"lane_hold", "Hold", MLV_COL_COUNT, LANE(4), NO_DEN, 0, "filed, hold"},
	{"lane_none", "Not assessed", MLV_COL_COUNT, LANE(0), NO_DEN, 0, "filed, not assessed for risk"},
	{"share_green", "Share green", MLV_COL_RATIO, LANE(1), MLV_SM_CONSIGNMENTS, 0, "share green"},
	{"share_yellow", "Share yellow", MLV_COL_RATIO, LANE(2), MLV_SM_CONSIGNMENTS, 0, "share yellow"},
	{"share_red", "Share red", MLV_COL_RATIO, LANE(3), MLV_SM_CONSIGNMENTS, 0, "share red"},
	{"share_hold", "Share hold", MLV_COL_RATIO, LANE(4), MLV_SM_CONSIGNMENTS, 0, "share hold"},
	{"declared_value", "Declared value", MLV_COL_MONEY, MLV_SM_DECLARED_VALUE, NO_DEN, 0, "goods value declared"},
	{"assessed", "Assessed", MLV_COL_COUNT, MLV_SM_ASSESSED, NO_DEN, 0, "with an amount assessed"},
	{"duty_assessed", "Duty assessed", MLV_COL_MONEY, MLV_SM_DUTY, NO_DEN, 0, "duty assessed"},
	{"tax_assessed", "Tax assessed", MLV_COL_MONEY, MLV_SM_TAX, NO_DEN, 0, "tax assessed (at the border)"},
	{"due_assessed", "Due at the border", MLV_COL_MONEY, MLV_SM_DUE, NO_DEN, 0, "all due at the border"},
	{"released", "Releases", MLV_COL_COUNT, MLV_SM_RELEASED, NO_DEN, 0, "releases in the period"},
	{"collected", "Collected", MLV_COL_MONEY, MLV_SM_COLLECTED, NO_DEN, 0, "due at the border of the releases"},
	{"collected_duty", "Duty collected", MLV_COL_MONEY, MLV_SM_COLLECTED_DUTY, NO_DEN, 0, "duty of the releases"},
	{"collected_tax", "Tax collected", MLV_COL_MONEY, MLV_SM_COLLECTED_TAX, NO_DEN, 0, "tax of the releases"},
	{"refunds", "Refunds", MLV_COL_COUNT, MLV_SM_REFUNDS, NO_DEN, 0, "refunds of returned goods"},
	{"refunded", "Refunded", MLV_COL_MONEY, MLV_SM_REFUNDED, NO_DEN, 0, "amounts refunded"},
	{"controls", "Controls", MLV_COL_COUNT, MLV_SM_CONTROLS, NO_DEN, 0, "inspection results"},
	{"findings", "Findings", MLV_COL_COUNT, MLV_SM_FINDINGS, NO_DEN, 0, "irregularities and seizures"},
	{"seizures", "Seizures", MLV_COL_COUNT, MLV_SM_SEIZURES, NO_DEN, 0, "seizures"},
	{"hit_rate", "Hit rate", MLV_COL_RATIO, MLV_SM_FINDINGS, MLV_SM_CONTROLS, 0, "findings per control"},
	{"revenue", "Revenue recovered", MLV_COL_MONEY, MLV_SM_REVENUE, NO_DEN, 0, "revenue recovered by findings"},
	{"quality_mean", "Mean data quality", MLV_COL_MEAN, MLV_SM_QUALITY_SUM, MLV_SM_CONSIGNMENTS, 1,
	 "mean data-quality score (0-100)"},
	{"quality_low", "Poor data quality", MLV_COL_COUNT, MLV_SM_QUALITY_LOW, NO_DEN, 0, "scores below 50"},
	{"lead_declared", "Expected arrival declared", MLV_COL_COUNT, MLV_SM_LEAD_N, NO_DEN, 0,
	 "consignments declaring an expected arrival"},
	{"lead_declared_mean_h", "Hours filed before expected arrival", MLV_COL_MEAN, MLV_SM_LEAD_SUM_S, MLV_SM_LEAD_N, 3600,
	 "mean hours filed before the expected arrival"},
	{"late_filings", "Late filings", MLV_COL_COUNT, MLV_SM_LATE_FILINGS, NO_DEN, 0,
	 "filed at or after the expected arrival"},
	{"arrived", "Arrivals", MLV_COL_COUNT, MLV_SM_ARRIVED, NO_DEN, 0, "arrivals in the period"},
	{"lead_mean_h", "Hours from filing to arrival", MLV_COL_MEAN, MLV_SM_ARRIVAL_LEAD_SUM_S, MLV_SM_ARRIVED, 3600,
	 "mean hours from filing to arrival"},
	{"release_mean_h", "Hours from filing to release", MLV_COL_MEAN, MLV_SM_RELEASE_SUM_S, MLV_SM_RELEASED, 3600,
	 "mean hours from filing to release"},
	{"release_from_arrival_mean_h", "Hours from arrival to release", MLV_COL_MEAN, MLV_SM_RELEASE_ARRIVAL_SUM_S,
	 MLV_SM_RELEASED, 3600, "mean hours from arrival to release"},
};

const size_t mlv_stats_column_count = MLV_ARRAY_LEN(mlv_stats_columns);

static int64_t operand(const mlv_stats_row *r, int which)
{
	if (which >= 0 && which < MLV_SM_COUNT_)
		return r->m[which];
	if (which < 0 && which >= LANE(MLV_STATS_LANES - 1))
		return r->lanes[-1 - which];
	return 0;
}

void mlv_stats_fixed(int64_t num, int64_t den, int decimals, char out[40])
{
	out[0] = '\0';
	if (den == 0)
		return;
	bool neg = (num < 0) != (den < 0);
	uint64_t a = num < 0 ? 0 - (uint64_t)num : (uint64_t)num;
	uint64_t b = den < 0 ? 0 - (uint64_t)den : (uint64_t)den;
	uint64_t scale = (uint64_t)mlv_pow10(decimals < 0 ? 0 : decimals > 9 ? 9 : decimals);
	/* the whole part exactly, then the fraction rounded half away from
	 * zero: rem < b, so 2 * rem * scale fits while b does */
	uint64_t whole = a / b, rem = a % b;
	while (b > UINT64_MAX / 2 / scale) {
		rem /= 10;
		b /= 10;
	}
	uint64_t frac = (2 * rem * scale + b) / (2 * b);
	if (frac >= scale) {
		whole++;
		frac -= scale;
	}
	const char *sign = neg && (whole || frac) ? "-" : "";
	if (scale == 1)
		snprintf(out, 40, "%s%llu", sign, (unsigned long long)whole);
	else
		snprintf(out, 40, "%s%llu.%0*llu", sign, (unsigned long long)whole, decimals,
			 (unsigned long long)frac);
}

void mlv_stats_column_text(const mlv_stats_column *c, const mlv_stats_row *r, int mu,
			   char out[40])
{
	int64_t num = operand(r, c->num);
	switch (c->kind) {
	case MLV_COL_COUNT:
		snprintf(out, 40, "%lld", (long long)num);
		break;
	case MLV_COL_MONEY:
		if (mlv_decimal_format(num, mu < 0 ? 0 : mu, out, 40) < 0)
			out[0] = '\0';
		break;
	case MLV_COL_RATIO:
		mlv_stats_fixed(num, operand(r, c->den), 4, out);
		break;
	case MLV_COL_MEAN:
		mlv_stats_fixed(num, operand(r, c->den) * (c->div > 0 ? c->div : 1), 2, out);
		break;
	default:
		out[0] = '\0';
	}
}

int mlv_stats_row_json(mlv_buf *b, const mlv_stats_row *r, int mu)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < mlv_stats_column_count; i++) {
		const mlv_stats_column *c = &mlv_stats_columns[i];
		char v[40];
		mlv_stats_column_text(c, r, mu, v);
		if (c->kind == MLV_COL_MONEY)
			rc = mlv_buf_printf(b, ",\"%s\":\"%s\"", c->name, v);
		else
			rc = mlv_buf_printf(b, ",\"%s\":%s", c->name, v[0] ? v : "null");
	}
	return rc;
}

int mlv_stats_row_csv(mlv_buf *b, const mlv_stats_row *r, int mu)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < mlv_stats_column_count; i++) {
		char v[40];
		mlv_stats_column_text(&mlv_stats_columns[i], r, mu, v);
		rc = mlv_buf_addc(b, ',');
		if (rc == 0)
			rc = mlv_buf_adds(b, v);
	}
	return rc;
}

int mlv_stats_header_csv(mlv_buf *b)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < mlv_stats_column_count; i++) {
		rc = mlv_buf_addc(b, ',');
		if (rc == 0)
			rc = mlv_buf_adds(b, mlv_stats_columns[i].name);
	}
	return rc;
}

int mlv_stats_csv_field(mlv_buf *b, const char *s)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL;
	bool formula = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t';
	int rc = quote ? mlv_buf_addc(b, '"') : 0;
	if (rc == 0 && formula)
		rc = mlv_buf_addc(b, '\'');
	for (const char *p = s; rc == 0 && *p; p++)
		rc = *p == '"' ? mlv_buf_adds(b, "\"\"") : mlv_buf_addc(b, *p);
	if (rc == 0 && quote)
		rc = mlv_buf_addc(b, '"');
	return rc;
}
