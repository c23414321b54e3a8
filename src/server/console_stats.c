/* console_stats.c - the statistics dashboard, /console/stats, for the
 * customs side (officers, analysts, supervisors, auditors).
 *
 * One GET form of filters (the period and its step, the breakdown, the
 * figure charted, the dimensions), so that a view is a link to share; the
 * charts are SVG drawn here (chart.h) with a table of the same numbers
 * beside each, and every table links to its CSV at /v1/stats/... with the
 * same parameters (the session is enough there).  The page reads without
 * JavaScript and its styles are classes of web/stats.css. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_stats.h"
#include "mlv/chart.h"
#include "mlv/decimal.h"
#include "mlv/duty.h"
#include "problem.h"
#include "web.h"

#define PAGE_ALLOWED                                                                            \
	(SP_RANGE | SP_PERIOD | SP_BY | SP_FILTERS | SP_MEASURE | SP_EMPTY_OK)
#define BARS_MAX 15
#define TABLE_ROWS_MAX 50
#define RULES_MAX 20

/* ---- small pieces ------------------------------------------------------------------------- */

static int esc(mlv_buf *b, const char *s)
{
	return mlv_html_escape(b, s);
}

/* A column's value for a chart: an integer in 10^-decimals units. */
static int64_t chart_value(const mlv_stats_column *c, const mlv_stats_row *r, int mu,
			   int *decimals)
{
	char t[40];
	mlv_stats_column_text(c, r, mu, t);
	*decimals = c->kind == MLV_COL_MONEY ? mu : c->kind == MLV_COL_RATIO ? 4
					    : c->kind == MLV_COL_MEAN   ? 2
									: 0;
	int64_t v = 0;
	if (t[0] == '\0' || mlv_decimal_parse(t, strlen(t), *decimals, 1, &v) != MLV_DEC_OK)
		return 0;
	return v;
}

/* The link to the same figures at an API resource, as an HTML attribute. */
static int csv_link(mlv_buf *b, const char *path, const stats_params *p, unsigned allowed,
		    const char *extra, const char *text, const char *id)
{
	mlv_buf q = MLV_BUF_INIT(2048);
	int rc = stats_params_query(&q, p, allowed, extra);
	if (rc == 0)
		rc = mlv_buf_printf(b, "<p class=\"download\"><a id=\"%s\" download href=\"%s?", id, path);
	if (rc == 0)
		rc = esc(b, q.data ? q.data : "");
	if (rc == 0)
		rc = mlv_buf_adds(b, "\">");
	if (rc == 0)
		rc = esc(b, text);
	if (rc == 0)
		rc = mlv_buf_adds(b, "</a></p>\n");
	mlv_buf_free(&q);
	return rc;
}

/* A filter over an enumerated dimension: "all" and its values. */
static int enum_filter(mlv_buf *b, mlv_stats_dim d, const stats_params *p)
{
	int rc = mlv_web_select_begin(b, mlv_stats_dim_name(d), mlv_stats_dim_label(d));
	if (rc == 0)
		rc = mlv_web_option(b, "", "all", !(p->filters & (1u << d)));
	for (int64_t k = 0; rc == 0 && k < 32; k++) {
		mlv_stats_row r;
		memset(&r, 0, sizeof(r));
		r.key = k;
		char value[64], label[160];
		mlv_stats_key(d, &r, NULL, value, label);
		if (k > 0 && strcmp(value, "unknown") == 0)
			break;
		rc = mlv_web_option(b, value, label,
			    (p->filters & (1u << d)) && p->key[d] == k);
	}
	return rc ? rc : mlv_buf_adds(b, "</select></div>\n");
}

static int text_filter(mlv_buf *b, mlv_stats_dim d, const stats_params *p, const char *extra)
{
	int rc = mlv_buf_printf(b, "<div><label for=\"f-%s\">%s</label><input id=\"f-%s\" name=\"%s\" "
				   "%s value=\"",
				mlv_stats_dim_name(d), mlv_stats_dim_label(d), mlv_stats_dim_name(d),
				mlv_stats_dim_name(d), extra);
	if (rc == 0 && (p->filters & (1u << d)))
		rc = esc(b, p->text[d]);
	return rc ? rc : mlv_buf_adds(b, "\"></div>\n");
}

static int form(mlv_buf *b, const stats_params *p)
{
	char f[11], t[11];
	mlv_date_format(p->from, f);
	mlv_date_format(p->to, t);
	int rc = mlv_buf_printf(b,
				"<form class=\"filters stats-filters\" method=\"get\" action=\"/console/stats\""
				" role=\"search\" aria-label=\"statistics filters\">\n"
				"<div><label for=\"f-from\">From</label><input type=\"date\" id=\"f-from\""
				" name=\"from\" value=\"%s\" required></div>\n"
				"<div><label for=\"f-to\">To</label><input type=\"date\" id=\"f-to\""
				" name=\"to\" value=\"%s\" required></div>\n",
				f, t);
	static const mlv_stats_period periods[] = {MLV_PERIOD_DAY, MLV_PERIOD_WEEK, MLV_PERIOD_MONTH};
	if (rc == 0)
		rc = mlv_web_select_begin(b, "period", "By");
	for (size_t i = 0; rc == 0 && i < MLV_ARRAY_LEN(periods); i++)
		rc = mlv_web_option(b, mlv_stats_period_name(periods[i]), mlv_stats_period_name(periods[i]),
			    p->period == periods[i]);
	if (rc == 0)
		rc = mlv_buf_adds(b, "</select></div>\n");
	if (rc == 0)
		rc = mlv_web_select_begin(b, "by", "Breakdown");
	for (int d = 1; rc == 0 && d < MLV_DIM_COUNT_; d++)
		rc = mlv_web_option(b, mlv_stats_dim_name((mlv_stats_dim)d),
			    mlv_stats_dim_label((mlv_stats_dim)d), (int)p->by == d);
	if (rc == 0)
		rc = mlv_buf_adds(b, "</select></div>\n");
	if (rc == 0)
		rc = mlv_web_select_begin(b, "measure", "Figure charted");
	for (size_t i = 0; rc == 0 && i < mlv_stats_column_count; i++) {
		const mlv_stats_column *c = &mlv_stats_columns[i];
		rc = mlv_web_option(b, c->name, c->label, p->measure == c);
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, "</select></div>\n");
	static const mlv_stats_dim enums[] = {MLV_DIM_LANE, MLV_DIM_CHANNEL, MLV_DIM_BUSINESS_MODEL,
					      MLV_DIM_COLLECTION_MODEL};
	for (size_t i = 0; rc == 0 && i < MLV_ARRAY_LEN(enums); i++)
		rc = enum_filter(b, enums[i], p);
	if (rc == 0)
		rc = text_filter(b, MLV_DIM_ORIGIN, p,
				 "type=\"text\" maxlength=\"2\" size=\"3\" placeholder=\"CN\""
				 " pattern=\"[A-Z]{2}\"");
	if (rc == 0)
		rc = text_filter(b, MLV_DIM_HS_CHAPTER, p,
				 "type=\"text\" maxlength=\"2\" size=\"3\" placeholder=\"85\""
				 " pattern=\"[0-9]{2}\"");
	if (rc == 0)
		rc = text_filter(b, MLV_DIM_FILER, p, "type=\"number\" min=\"1\" placeholder=\"id\"");
	if (rc == 0)
		rc = mlv_buf_adds(b, "<div><button type=\"submit\" data-key=\"f\">Show</button> "
				     "<a href=\"/console/stats\">Reset</a></div>\n</form>\n");
	return rc;
}

/* ---- the sections --------------------------------------------------------------------------- */

struct page {
	mlv_server *s;
	mlv_buf *b;
	const stats_params *p;
	int mu;
	const char *currency;
	mlv_stats_row totals;
};

static int fact(mlv_buf *b, const char *id, const char *label, const char *value,
		const char *unit)
{
	int rc = mlv_buf_printf(b, "<div><dt>%s</dt><dd id=\"%s\">", label, id);
	if (rc == 0)
		rc = esc(b, value[0] ? value : "-");
	if (rc == 0 && value[0] && unit != NULL && unit[0]) {
		rc = mlv_buf_addc(b, ' ');
		if (rc == 0)
			rc = esc(b, unit);
	}
	return rc ? rc : mlv_buf_adds(b, "</dd></div>\n");
}

static const mlv_stats_column *column(const char *name)
{
	for (size_t i = 0; i < mlv_stats_column_count; i++)
		if (strcmp(mlv_stats_columns[i].name, name) == 0)
			return &mlv_stats_columns[i];
	return NULL;
}

static int key_figures(struct page *pg, const mlv_stats_release *rel)
{
	mlv_buf *b = pg->b;
	const mlv_stats_row *t = &pg->totals;
	static const struct {
		const char *column, *label;
		bool money;
	} figures[] = {
		{"consignments", "Consignments filed", false},
		{"declared_value", "Declared value", true},
		{"duty_assessed", "Duty assessed", true},
		{"tax_assessed", "Tax assessed", true},
		{"collected", "Collected at release", true},
		{"refunded", "Refunded", true},
		{"hit_rate", "Hit rate (findings per control)", false},
		{"seizures", "Seizures", false},
		{"quality_mean", "Mean data quality (0-100)", false},
		{"lead_declared_mean_h", "Filed before expected arrival (mean, hours)", false},
		{"late_filings", "Filed after expected arrival", false},
		{"released", "Released", false},
	};
	int rc = mlv_buf_adds(b, "<section aria-labelledby=\"h-key\"><h2 id=\"h-key\">Key figures</h2>\n"
				 "<dl class=\"facts stats-key\">\n");
	for (size_t i = 0; rc == 0 && i < MLV_ARRAY_LEN(figures); i++) {
		const mlv_stats_column *c = column(figures[i].column);
		char v[40], id[48];
		mlv_stats_column_text(c, t, pg->mu, v);
		if (c->kind == MLV_COL_RATIO) /* as a percentage, for people */
			mlv_stats_fixed(c->num >= 0 ? t->m[c->num] * 100 : 0,
					c->den >= 0 ? t->m[c->den] : 0, 1, v);
		snprintf(id, sizeof(id), "k-%s", c->name);
		rc = fact(b, id, figures[i].label, v,
			  figures[i].money ? pg->currency : c->kind == MLV_COL_RATIO ? "%" : NULL);
	}
	/* selection: not green among the consignments assessed for risk */
	char v[40], m[24];
	int64_t selected = t->lanes[2] + t->lanes[3] + t->lanes[4];
	mlv_stats_fixed(selected * 100, t->m[MLV_SM_CONSIGNMENTS], 1, v);
	if (rc == 0)
		rc = fact(b, "k-selected", "Selected for control (not green)", v, "%");
	if (rc == 0 && rel->pct[0][0].count > 0) {
		stats_duration_text(rel->pct[0][0].median, m);
		rc = fact(b, "k-release-median", "Median time from filing to release", m, NULL);
	}
	if (rc == 0 && rel->pct[1][0].count > 0) {
		stats_duration_text(rel->pct[1][0].median, m);
		rc = fact(b, "k-arrival-median", "Median time from arrival to release", m, NULL);
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, "</dl>\n");
	stats_params whole = *pg->p;
	whole.period = MLV_PERIOD_NONE;
	whole.by = MLV_DIM_NONE;
	if (rc == 0)
		rc = csv_link(b, "/v1/stats/consignments", &whole, SP_RANGE | SP_FILTERS, "format=csv",
			      "Download every figure of the period (CSV)", "csv-totals");
	return rc ? rc : mlv_buf_adds(b, "</section>\n");
}

/* A data table of one column by label, the chart's alternative. */
static int value_table(mlv_buf *b, const char *id, const char *head, const char *value_head,
		       const char *const *labels, const int64_t *values, size_t n, int decimals)
{
	int rc = mlv_buf_printf(b, "<div class=\"table-wrap\"><table id=\"%s\" class=\"stats-table\">"
				   "<thead><tr><th scope=\"col\">",
				id);
	if (rc == 0)
		rc = esc(b, head);
	if (rc == 0)
		rc = mlv_buf_adds(b, "</th><th scope=\"col\" class=\"num\">");
	if (rc == 0)
		rc = esc(b, value_head);
	if (rc == 0)
		rc = mlv_buf_adds(b, "</th></tr></thead><tbody>\n");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char v[32];
		mlv_decimal_format(values[i], decimals, v, sizeof(v));
		rc = mlv_buf_adds(b, "<tr><th scope=\"row\">");
		if (rc == 0)
			rc = esc(b, labels[i]);
		if (rc == 0)
			rc = mlv_buf_printf(b, "</th><td class=\"num\">%s</td></tr>\n", v);
	}
	return rc ? rc : mlv_buf_adds(b, "</tbody></table></div>\n");
}

/* The charted figure's name with its unit, for titles and axes. */
static void measure_title(const struct page *pg, char out[160])
{
	const mlv_stats_column *c = pg->p->measure;
	if (c->kind == MLV_COL_MONEY)
		snprintf(out, 160, "%s (%s)", c->label, pg->currency);
	else
		snprintf(out, 160, "%s", c->label);
}

static int time_section(struct page *pg)
{
	mlv_buf *b = pg->b;
	stats_params q = *pg->p;
	q.by = MLV_DIM_NONE;
	if (q.period == MLV_PERIOD_NONE)
		q.period = MLV_PERIOD_DAY;
	mlv_stats_row *rows = NULL;
	size_t n = 0;
	int rc = stats_rows(pg->s, &q, &rows, &n);
	if (rc != 0)
		return rc;
	size_t np = mlv_stats_period_count(q.period, q.from, q.to);
	char (*labels)[11] = calloc(np ? np : 1, sizeof(*labels));
	const char **lp = calloc(np ? np : 1, sizeof(*lp));
	int64_t *values = calloc(np ? np : 1, sizeof(*values));
	if (labels == NULL || lp == NULL || values == NULL)
		rc = MLV_ENOMEM;
	int decimals = 0;
	size_t k = 0, i = 0;
	/* every period of the range, those without consignments at zero */
	for (int32_t d = mlv_stats_period_start(q.period, q.from); rc == 0 && d <= q.to && i < np;
	     d = mlv_stats_period_next(q.period, d), i++) {
		mlv_stats_period_label(q.period, d, labels[i]);
		lp[i] = labels[i];
		mlv_stats_row zero;
		memset(&zero, 0, sizeof(zero));
		const mlv_stats_row *r = &zero;
		while (k < n && rows[k].period_start < d)
			k++;
		if (k < n && rows[k].period_start == d)
			r = &rows[k];
		values[i] = chart_value(q.measure, r, pg->mu, &decimals);
	}
	char title[160], heading[200], desc[400];
	measure_title(pg, title);
	snprintf(heading, sizeof(heading), "%s by %s", title, mlv_stats_period_name(q.period));
	int64_t hi = 0;
	size_t at = 0;
	for (size_t j = 0; j < i; j++)
		if (values[j] > hi) {
			hi = values[j];
			at = j;
		}
	char top[32];
	mlv_decimal_format(hi, decimals, top, sizeof(top));
	snprintf(desc, sizeof(desc), "A line over %zu periods; the highest is %s, %s.", i,
		 i ? labels[at] : "none", top);
	const mlv_chart_series series = {title, values};
	mlv_chart c = {"chart-time", heading, desc, mlv_stats_period_name(q.period), title,
		       lp, NULL, i, &series, 1, decimals, 0, 0};
	if (rc == 0)
		rc = mlv_buf_adds(b, "<section aria-labelledby=\"h-time\"><h2 id=\"h-time\">");
	if (rc == 0)
		rc = esc(b, heading);
	if (rc == 0)
		rc = mlv_buf_adds(b, "</h2>\n<figure class=\"stats-chart\">");
	if (rc == 0)
		rc = mlv_chart_line(b, &c);
	if (rc == 0)
		rc = mlv_buf_adds(b, "</figure>\n<details class=\"stats-data\"><summary>The figures as a "
				     "table</summary>\n");
	if (rc == 0)
		rc = value_table(b, "table-time", "Period", title, lp, values, i, decimals);
	if (rc == 0)
		rc = mlv_buf_adds(b, "</details>\n");
	if (rc == 0)
		rc = csv_link(b, "/v1/stats/consignments", &q, SP_RANGE | SP_PERIOD | SP_FILTERS,
			      "format=csv", "Download every figure by period (CSV)", "csv-time");
	if (rc == 0)
		rc = mlv_buf_adds(b, "</section>\n");
	free(rows);
	free(labels);
	free(lp);
	free(values);
	return rc;
}

struct ranked {
	int64_t value;
	size_t row;
};

static int by_value(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	return x->value != y->value ? (x->value > y->value ? -1 : 1) : (x->row < y->row ? -1 : 1);
}

static int breakdown_section(struct page *pg)
{
	mlv_buf *b = pg->b;
	stats_params q = *pg->p;
	q.period = MLV_PERIOD_NONE;
	q.limit = 1000;
	mlv_stats_row *rows = NULL;
	size_t n = 0;
	int rc = stats_rows(pg->s, &q, &rows, &n);
	if (rc != 0)
		return rc;
	struct ranked *rank = calloc(n ? n : 1, sizeof(*rank));
	size_t shown = n < TABLE_ROWS_MAX ? n : TABLE_ROWS_MAX;
	char (*labels)[160] = calloc(shown ? shown : 1, sizeof(*labels));
	const char **lp = calloc(shown ? shown : 1, sizeof(*lp));
	int64_t *values = calloc(shown ? shown : 1, sizeof(*values));
	if (rank == NULL || labels == NULL || lp == NULL || values == NULL)
		rc = MLV_ENOMEM;
	int decimals = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rank[i].value = chart_value(q.measure, &rows[i], pg->mu, &decimals);
		rank[i].row = i;
	}
	if (rc == 0)
		qsort(rank, n, sizeof(*rank), by_value);
	for (size_t i = 0; rc == 0 && i < shown; i++) {
		char value[64], label[160];
		mlv_stats_key(q.by, &rows[rank[i].row], pg->s->opts.rd, value, label);
		if (strcmp(value, label) != 0 && q.by != MLV_DIM_FILER)
			snprintf(labels[i], sizeof(labels[i]), "%.40s %.110s", value, label);
		else
			snprintf(labels[i], sizeof(labels[i]), "%s", label);
		lp[i] = labels[i];
		values[i] = rank[i].value;
	}
	char title[160], heading[240], desc[400], dim[64];
	measure_title(pg, title);
	snprintf(dim, sizeof(dim), "%s", mlv_stats_dim_label(q.by));
	if (dim[0] >= 'A' && dim[0] <= 'Z' && !(dim[1] >= 'A' && dim[1] <= 'Z'))
		dim[0] = (char)(dim[0] - 'A' + 'a'); /* "by country", but "by HS chapter" */
	snprintf(heading, sizeof(heading), "%s by %s", title, dim);
	char top[32] = "";
	if (shown > 0)
		mlv_decimal_format(values[0], decimals, top, sizeof(top));
	snprintf(desc, sizeof(desc), "Bars for the %zu largest of %zu values%s%s%s%s.",
		 shown < BARS_MAX ? shown : (size_t)BARS_MAX, n, shown ? "; first " : "",
		 shown ? labels[0] : "", shown ? " with " : "", top);
	const mlv_chart_series series = {title, values};
	mlv_chart c = {"chart-breakdown", heading, desc, NULL, title, lp, NULL,
		       shown < BARS_MAX ? shown : BARS_MAX, &series, 1, decimals, 0, 0};
	if (rc == 0)
		rc = mlv_buf_adds(b, "<section aria-labelledby=\"h-breakdown\"><h2 id=\"h-breakdown\">");
	if (rc == 0)
		rc = esc(b, heading);
	if (rc == 0)
		rc = mlv_buf_adds(b, "</h2>\n<figure class=\"stats-chart\">");
	if (rc == 0)
		rc = mlv_chart_bars(b, &c);
	if (rc == 0)
		rc = mlv_buf_adds(b, "</figure>\n<details class=\"stats-data\"><summary>The figures as a "
				     "table</summary>\n");
	if (rc == 0)
		rc = value_table(b, "table-breakdown", mlv_stats_dim_label(q.by), title, lp, values,
				 shown, decimals);
	if (rc == 0)
		rc = mlv_buf_adds(b, "</details>\n");
	if (rc == 0)
		rc = csv_link(b, "/v1/stats/consignments", &q, SP_RANGE | SP_BY | SP_FILTERS,
			      "format=csv", "Download every figure by this breakdown (CSV)",
			      "csv-breakdown");
	if (rc == 0)
		rc = mlv_buf_adds(b, "</section>\n");
	free(rows);
	free(rank);
	free(labels);
	free(lp);
	free(values);
	return rc;
}

static int lanes_section(struct page *pg)
{
	mlv_buf *b = pg->b;
	const char *labels[MLV_STATS_LANES], *classes[MLV_STATS_LANES];
	int64_t values[MLV_STATS_LANES];
	static const char *const lane_class[MLV_STATS_LANES] = {"lane-none", "lane-green",
								 "lane-yellow", "lane-red",
								 "lane-hold"};
	/* green, yellow, red, hold, then those not assessed */
	for (int i = 0; i < MLV_STATS_LANES; i++) {
		int l = (i + 1) % MLV_STATS_LANES;
		labels[i] = mlv_stats_lane_name(l);
		classes[i] = lane_class[l];
		values[i] = pg->totals.lanes[l];
	}
	char desc[200], share[40];
	mlv_stats_fixed(values[0] * 100, pg->totals.m[MLV_SM_CONSIGNMENTS], 1, share);
	snprintf(desc, sizeof(desc), "Consignments filed in each lane; %s%% green.",
		 share[0] ? share : "0");
	const mlv_chart_series series = {"consignments", values};
	mlv_chart c = {"chart-lanes", "Consignments by lane", desc, NULL, "Consignments", labels,
		       classes, MLV_STATS_LANES, &series, 1, 0, 0, 0};
	int rc = mlv_buf_adds(b, "<section aria-labelledby=\"h-lanes\"><h2 id=\"h-lanes\">Consignments "
				 "by lane</h2>\n<figure class=\"stats-chart\">");
	if (rc == 0)
		rc = mlv_chart_bars(b, &c);
	if (rc == 0)
		rc = mlv_buf_adds(b, "</figure>\n");
	if (rc == 0)
		rc = value_table(b, "table-lanes", "Lane", "Consignments", labels, values,
				 MLV_STATS_LANES, 0);
	stats_params q = *pg->p;
	q.by = MLV_DIM_LANE;
	q.period = MLV_PERIOD_NONE;
	if (rc == 0)
		rc = csv_link(b, "/v1/stats/consignments", &q, SP_RANGE | SP_BY | SP_FILTERS,
			      "format=csv", "Download every figure by lane (CSV)", "csv-lanes");
	return rc ? rc : mlv_buf_adds(b, "</section>\n");
}

static int release_section(struct page *pg, const mlv_stats_release *rel)
{
	mlv_buf *b = pg->b;
	const char *labels[MLV_STATS_RELEASE_BINS];
	int64_t values[MLV_STATS_RELEASE_BINS];
	for (int k = 0; k < MLV_STATS_RELEASE_BINS; k++) {
		labels[k] = mlv_stats_release_bin_labels[k];
		values[k] = (int64_t)rel->bins[0][k];
	}
	char desc[240], med[24] = "-";
	if (rel->pct[0][0].count > 0)
		stats_duration_text(rel->pct[0][0].median, med);
	snprintf(desc, sizeof(desc),
		 "Releases in the period by time from filing to release; %zu releases, median %s.",
		 rel->pct[0][0].count, med);
	const mlv_chart_series series = {"releases", values};
	mlv_chart c = {"chart-release", "Time from filing to release", desc, "Time to release",
		       "Releases", labels, NULL, MLV_STATS_RELEASE_BINS, &series, 1, 0, 0, 0};
	int rc = mlv_buf_adds(b, "<section aria-labelledby=\"h-release\"><h2 id=\"h-release\">Release "
				 "times</h2>\n<p class=\"muted\">In the manner of the WCO Time Release "
				 "Study: the consignments released in the period, by lane and by "
				 "channel. Percentiles are read from histograms (within 1/32).</p>\n");
	if (rc == 0 && (pg->p->filters & ~((1u << MLV_DIM_LANE) | (1u << MLV_DIM_CHANNEL))))
		rc = mlv_buf_adds(b, "<p class=\"notice\">Release times are kept by lane and channel: "
				     "the other filters do not apply to them.</p>\n");
	if (rc == 0)
		rc = mlv_buf_adds(b, "<figure class=\"stats-chart\">");
	if (rc == 0)
		rc = mlv_chart_histogram(b, &c);
	if (rc == 0)
		rc = mlv_buf_adds(b, "</figure>\n<div class=\"table-wrap\"><table id=\"table-release\" "
				     "class=\"stats-table\"><thead><tr><th scope=\"col\">Measure</th>"
				     "<th scope=\"col\">Group</th><th scope=\"col\" class=\"num\">"
				     "Releases</th><th scope=\"col\" class=\"num\">Median</th>"
				     "<th scope=\"col\" class=\"num\">90th</th><th scope=\"col\" "
				     "class=\"num\">99th</th><th scope=\"col\" class=\"num\">Longest"
				     "</th></tr></thead><tbody>\n");
	static const char *const measures[2] = {"filing to release", "arrival to release"};
	for (int m = 0; rc == 0 && m < 2; m++) {
		for (int g = 0; rc == 0 && g < MLV_STATS_RELEASE_GROUPS; g++) {
			const mlv_percentiles *x = &rel->pct[m][g];
			if (g > 0 && x->count == 0)
				continue;
			const char *kind, *name = mlv_stats_release_group(g, &kind);
			char md[24], p90[24], p99[24], mx[24];
			stats_duration_text(x->median, md);
			stats_duration_text(x->p90, p90);
			stats_duration_text(x->p99, p99);
			stats_duration_text(x->max, mx);
			rc = mlv_buf_printf(b, "<tr><td>%s</td><td>%s%s%s</td><td class=\"num\">%zu</td>"
					       "<td class=\"num\">%s</td><td class=\"num\">%s</td>"
					       "<td class=\"num\">%s</td><td class=\"num\">%s</td></tr>\n",
					    measures[m], g ? kind : "all", g ? " " : "", g ? name : "",
					    x->count, x->count ? md : "-", x->count ? p90 : "-",
					    x->count ? p99 : "-", x->count ? mx : "-");
		}
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, "</tbody></table></div>\n");
	if (rc == 0)
		rc = csv_link(b, "/v1/stats/release-times", pg->p, SP_RANGE | SP_LANE_CHANNEL,
			      "format=csv", "Download the release times (CSV)", "csv-release");
	if (rc == 0)
		rc = csv_link(b, "/v1/stats/release-times", pg->p, SP_RANGE | SP_LANE_CHANNEL,
			      "format=csv&table=histogram", "Download the histogram (CSV)",
			      "csv-release-histogram");
	return rc ? rc : mlv_buf_adds(b, "</section>\n");
}

static int rules_section(struct page *pg)
{
	mlv_buf *b = pg->b;
	stats_params q = *pg->p;
	q.limit = RULES_MAX;
	stats_rule *rules = NULL;
	size_t n = 0;
	int rc = stats_rules_read(pg->s, &q, &rules, &n);
	if (rc != 0)
		return rc;
	rc = mlv_buf_adds(b, "<section aria-labelledby=\"h-rules\"><h2 id=\"h-rules\">Rule "
			     "performance</h2>\n<p class=\"muted\">Hits at filing in the period, and the "
			     "inspection results of the consignments each rule selected: precision is "
			     "findings per control.</p>\n");
	if (rc == 0 && pg->p->filters != 0)
		rc = mlv_buf_adds(b, "<p class=\"notice\">Rules are kept by day only: the filters do "
				     "not apply to them.</p>\n");
	if (rc == 0 && n == 0)
		rc = mlv_buf_adds(b, "<p class=\"notice\">No rule hit in the period.</p>\n");
	if (rc == 0 && n > 0)
		rc = mlv_buf_printf(b, "<div class=\"table-wrap\"><table id=\"table-rules\" "
				       "class=\"stats-table\"><caption class=\"muted\">The %zu rules "
				       "with the most hits</caption><thead><tr><th scope=\"col\">Rule"
				       "</th><th scope=\"col\" class=\"num\">Hits</th><th scope=\"col\" "
				       "class=\"num\">Controls</th><th scope=\"col\" class=\"num\">"
				       "Findings</th><th scope=\"col\" class=\"num\">Precision</th>"
				       "<th scope=\"col\" class=\"num\">Revenue (%s)</th></tr></thead>"
				       "<tbody>\n",
				    n, pg->currency);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const mlv_rule_counts *c = &rules[i].c;
		char prec[40], rev[32];
		mlv_stats_fixed((int64_t)c->findings * 100, (int64_t)c->controls, 1, prec);
		mlv_decimal_format(c->revenue, pg->mu, rev, sizeof(rev));
		rc = mlv_buf_adds(b, "<tr><th scope=\"row\">");
		if (rc == 0)
			rc = esc(b, rules[i].id);
		if (rc == 0)
			rc = mlv_buf_printf(b, "</th><td class=\"num\">%llu</td><td class=\"num\">%llu</td>"
					       "<td class=\"num\">%llu</td><td class=\"num\">%s%s</td>"
					       "<td class=\"num\">%s</td></tr>\n",
					    (unsigned long long)c->hits, (unsigned long long)c->controls,
					    (unsigned long long)c->findings, prec[0] ? prec : "-",
					    prec[0] ? " %" : "", rev);
	}
	if (rc == 0 && n > 0)
		rc = mlv_buf_adds(b, "</tbody></table></div>\n");
	if (rc == 0)
		rc = csv_link(b, "/v1/stats/rules", pg->p, SP_RANGE, "format=csv",
			      "Download the rule performance (CSV)", "csv-rules");
	free(rules);
	return rc ? rc : mlv_buf_adds(b, "</section>\n");
}

int api_console_stats(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	struct auth a;
	if (!api_console_person(s, req, resp, ROLES_STAFF, &a))
		return 0;
	stats_params p;
	bool good = stats_params_read(s, req, PAGE_ALLOWED, &p);
	if (!good) {
		/* the form again, on the default range, with what was wrong */
		stats_params def;
		memset(&def, 0, sizeof(def));
		def.to = (int32_t)(mlv_now_ms() / 86400000);
		def.from = def.to - 29;
		def.measure = &mlv_stats_columns[0];
		memcpy(def.bad_name, p.bad_name, sizeof(def.bad_name));
		memcpy(def.bad_why, p.bad_why, sizeof(def.bad_why));
		p = def;
		resp->status = 400;
	}
	if (p.period == MLV_PERIOD_NONE)
		p.period = p.to - p.from > 120 ? MLV_PERIOD_MONTH : p.to - p.from > 45 ? MLV_PERIOD_WEEK
											 : MLV_PERIOD_DAY;
	if (p.by == MLV_DIM_NONE)
		p.by = mlv_store_stats_grain(p.filters | (1u << MLV_DIM_ORIGIN)) >= 0 ? MLV_DIM_ORIGIN
										      : MLV_DIM_LANE;
	resp->content_type = "text/html; charset=utf-8";
	mlv_buf *b = &resp->body;
	struct page pg = {s, b, &p, stats_minor_units(s), stats_currency(s), {0}};
	mlv_stats_release *rel = calloc(1, sizeof(*rel));
	int rc = rel != NULL ? 0 : MLV_ENOMEM;
	if (rc == 0)
		rc = stats_totals(s, &p, &pg.totals);
	if (rc == 0)
		rc = stats_release_read(s, &p, rel);
	if (rc == 0)
		rc = api_console_begin_css(b, &a, "Statistics", "/console/stats", "/static/stats.css");
	char f[11], t[11];
	mlv_date_format(p.from, f);
	mlv_date_format(p.to, t);
	if (rc == 0)
		rc = mlv_buf_printf(b, "<h1>Statistics</h1>\n<p class=\"muted\" id=\"stats-range\">"
				       "From %s to %s (UTC days), amounts in %s. Filing figures count "
				       "on the day of the first filing; arrivals, releases, controls "
				       "and refunds on their own day.</p>\n",
				    f, t, pg.currency);
	if (rc == 0)
		rc = form(b, &p);
	if (rc == 0 && !good) {
		rc = mlv_buf_adds(b, "<p class=\"error\" role=\"alert\" id=\"stats-error\">The filter '");
		if (rc == 0)
			rc = esc(b, p.bad_name);
		if (rc == 0)
			rc = mlv_buf_adds(b, "' ");
		if (rc == 0)
			rc = esc(b, p.bad_why);
		if (rc == 0)
			rc = mlv_buf_adds(b, ". The last 30 days are shown instead.</p>\n");
	}
	if (rc == 0)
		rc = key_figures(&pg, rel);
	if (rc == 0)
		rc = time_section(&pg);
	if (rc == 0)
		rc = breakdown_section(&pg);
	if (rc == 0)
		rc = lanes_section(&pg);
	if (rc == 0)
		rc = release_section(&pg, rel);
	if (rc == 0)
		rc = rules_section(&pg);
	if (rc == 0)
		rc = mlv_web_page_end(b);
	free(rel);
	if (rc != 0) {
		mlv_buf_reset(b);
		resp->status = 0;
		mlv_http_problem_err(resp, rc, NULL);
	}
	return 0;
}
