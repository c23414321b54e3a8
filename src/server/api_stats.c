/* api_stats.c - the statistics for the customs side (docs/statistics.md):
 *   GET /v1/stats/consignments   figures by period and by a dimension
 *   GET /v1/stats/release-times  release times (WCO Time Release Study)
 *   GET /v1/stats/rules          rule performance
 * as JSON or CSV (format=csv, an attachment).  Every figure comes from the
 * aggregates the store keeps (stats_sqlite.c): a request reads a few
 * thousand rows whatever the size of the history.  Parameters are read
 * strictly: an unknown or repeated one, or a value out of its domain,
 * answers 400 naming it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_stats.h"
#include "mlv/decimal.h"
#include "mlv/risk.h"
#include "problem.h"

/* ---- parameters --------------------------------------------------------------------------- */

struct read_ctx {
	mlv_server *s;
	unsigned allowed;
	stats_params *p;
	char seen[24][24];
	size_t nseen;
	bool from_set, to_set;
};

static int bad(struct read_ctx *c, const char *name, const char *why)
{
	snprintf(c->p->bad_name, sizeof(c->p->bad_name), "%.31s", name);
	snprintf(c->p->bad_why, sizeof(c->p->bad_why), "%s", why);
	return MLV_EINVALID;
}

/* Whether the resource takes a parameter of that name. */
static bool known(unsigned allowed, const char *name)
{
	mlv_stats_dim d = mlv_stats_dim_from_name(name);
	static const struct {
		unsigned flag;
		const char *name;
	} names[] = {
		{SP_RANGE, "from"},   {SP_RANGE, "to"},	    {SP_PERIOD, "period"},
		{SP_BY, "by"},	      {SP_FORMAT, "format"}, {SP_LIMIT, "limit"},
		{SP_TABLE, "table"}, {SP_MEASURE, "measure"},
	};
	for (size_t i = 0; i < MLV_ARRAY_LEN(names); i++)
		if ((allowed & names[i].flag) && strcmp(names[i].name, name) == 0)
			return true;
	return d != MLV_DIM_NONE &&
	       ((allowed & SP_FILTERS) ||
		((allowed & SP_LANE_CHANNEL) && (d == MLV_DIM_LANE || d == MLV_DIM_CHANNEL)));
}

static int read_one(void *ctx, const char *name, const char *value)
{
	struct read_ctx *c = ctx;
	stats_params *p = c->p;
	if (strlen(name) > 23)
		return bad(c, name, "is not a parameter of this resource");
	for (size_t i = 0; i < c->nseen; i++)
		if (strcmp(c->seen[i], name) == 0)
			return bad(c, name, "is given twice");
	if (c->nseen == MLV_ARRAY_LEN(c->seen))
		return bad(c, name, "is one parameter too many");
	snprintf(c->seen[c->nseen++], sizeof(c->seen[0]), "%s", name);
	if (!known(c->allowed, name))
		return bad(c, name, "is not a parameter of this resource");
	if ((value == NULL || value[0] == '\0') && (c->allowed & SP_EMPTY_OK))
		return 0;
	if (value == NULL || value[0] == '\0')
		return bad(c, name, "needs a value");
	if (strlen(value) > 40)
		return bad(c, name, "is too long");
	mlv_stats_dim d = mlv_stats_dim_from_name(name);
	if ((c->allowed & SP_RANGE) && (strcmp(name, "from") == 0 || strcmp(name, "to") == 0)) {
		bool from = name[0] == 'f';
		if (!mlv_date_parse(value, strlen(value), from ? &p->from : &p->to))
			return bad(c, name, "must be a date YYYY-MM-DD");
		*(from ? &c->from_set : &c->to_set) = true;
	} else if ((c->allowed & SP_PERIOD) && strcmp(name, "period") == 0) {
		int v = mlv_stats_period_from_name(value);
		if (v < 0)
			return bad(c, name, "must be day, week or month");
		p->period = (mlv_stats_period)v;
	} else if ((c->allowed & SP_BY) && strcmp(name, "by") == 0) {
		p->by = mlv_stats_dim_from_name(value);
		if (p->by == MLV_DIM_NONE)
			return bad(c, name, "must be lane, channel, business_model, collection_model,"
					    " origin, hs_chapter or filer");
	} else if (d != MLV_DIM_NONE &&
		   ((c->allowed & SP_FILTERS) ||
		    ((c->allowed & SP_LANE_CHANNEL) && (d == MLV_DIM_LANE || d == MLV_DIM_CHANNEL)))) {
		char text[64];
		if (mlv_stats_key_parse(d, value, c->s->opts.rd, &p->key[d], text) != 0)
			return bad(c, name,
				   d == MLV_DIM_ORIGIN	    ? "must be an ISO 3166-1 alpha-2 country code"
				   : d == MLV_DIM_HS_CHAPTER ? "must be an HS chapter, 01 to 97"
				   : d == MLV_DIM_FILER	    ? "must be a filer id"
							    : "is not one of the values of this dimension");
		if (d == MLV_DIM_ORIGIN)
			memcpy(p->origin, text, sizeof(p->origin)); /* two letters and the NUL */
		snprintf(p->text[d], sizeof(p->text[d]), "%s", value);
		p->filters |= 1u << d;
	} else if ((c->allowed & SP_FORMAT) && strcmp(name, "format") == 0) {
		if (strcmp(value, "csv") != 0 && strcmp(value, "json") != 0)
			return bad(c, name, "must be json or csv");
		p->csv = strcmp(value, "csv") == 0;
	} else if ((c->allowed & SP_LIMIT) && strcmp(name, "limit") == 0) {
		if (!api_parse_int(value, 1, STATS_LIMIT_MAX, &p->limit))
			return bad(c, name, "must be an integer from 1 to 10000");
	} else if ((c->allowed & SP_TABLE) && strcmp(name, "table") == 0) {
		if (strcmp(value, "percentiles") != 0 && strcmp(value, "histogram") != 0)
			return bad(c, name, "must be percentiles or histogram");
		p->histogram = value[0] == 'h';
	} else if ((c->allowed & SP_MEASURE) && strcmp(name, "measure") == 0) {
		p->measure = NULL;
		for (size_t i = 0; i < mlv_stats_column_count; i++)
			if (strcmp(mlv_stats_columns[i].name, value) == 0)
				p->measure = &mlv_stats_columns[i];
		if (p->measure == NULL)
			return bad(c, name, "must be one of the figures of the consignment statistics");
	} else {
		return bad(c, name, "is not a parameter of this resource");
	}
	return 0;
}

bool stats_params_read(mlv_server *s, mlv_req *req, unsigned allowed, stats_params *p)
{
	memset(p, 0, sizeof(*p));
	struct read_ctx c;
	memset(&c, 0, sizeof(c));
	c.s = s;
	c.allowed = allowed;
	c.p = p;
	if (mlv_req_query_each(req, read_one, &c) != 0)
		return false;
	int32_t today = (int32_t)(mlv_now_ms() / 86400000);
	if (!c.to_set)
		p->to = today;
	if (!c.from_set)
		p->from = p->to - 29;
	if (p->from > p->to) {
		bad(&c, "from", "must be on or before 'to'");
		return false;
	}
	if (p->to - p->from >= STATS_DAYS_MAX) {
		bad(&c, "from", "must be at most ten years (3660 days) before 'to'");
		return false;
	}
	if (p->period != MLV_PERIOD_NONE &&
	    mlv_stats_period_count(p->period, p->from, p->to) > STATS_PERIODS_MAX) {
		bad(&c, "period", "gives more than 400 periods in the range: choose week or month");
		return false;
	}
	unsigned dims = p->filters | (p->by != MLV_DIM_NONE ? 1u << p->by : 0);
	if ((allowed & (SP_BY | SP_FILTERS)) && mlv_store_stats_grain(dims) < 0) {
		const char *name = p->by != MLV_DIM_NONE ? "by" : "";
		for (int d = MLV_DIM_COUNT_ - 1; name[0] == '\0' && d > 0; d--)
			if (p->filters & (1u << d))
				name = mlv_stats_dim_name((mlv_stats_dim)d);
		bad(&c, name,
		    "combines dimensions the statistics are not kept by: lane, channel, business and "
		    "collection models go together; origin, hs_chapter or filer each with lane and "
		    "channel; two of these three with lane");
		return false;
	}
	if (p->measure == NULL)
		p->measure = &mlv_stats_columns[0];
	return true;
}

int stats_params_query(mlv_buf *b, const stats_params *p, unsigned allowed, const char *extra)
{
	char f[11], t[11];
	mlv_date_format(p->from, f);
	mlv_date_format(p->to, t);
	int rc = (allowed & SP_RANGE) ? mlv_buf_printf(b, "from=%s&to=%s", f, t) : 0;
	if (rc == 0 && (allowed & SP_PERIOD) && p->period != MLV_PERIOD_NONE)
		rc = mlv_buf_printf(b, "&period=%s", mlv_stats_period_name(p->period));
	if (rc == 0 && (allowed & SP_BY) && p->by != MLV_DIM_NONE)
		rc = mlv_buf_printf(b, "&by=%s", mlv_stats_dim_name(p->by));
	for (int d = 1; rc == 0 && d < MLV_DIM_COUNT_; d++) {
		bool ok = (allowed & SP_FILTERS) ||
			  ((allowed & SP_LANE_CHANNEL) && (d == MLV_DIM_LANE || d == MLV_DIM_CHANNEL));
		/* the values were checked: letters, digits and '_' only */
		if (ok && (p->filters & (1u << d)))
			rc = mlv_buf_printf(b, "&%s=%s", mlv_stats_dim_name((mlv_stats_dim)d), p->text[d]);
	}
	if (rc == 0 && (allowed & SP_MEASURE) && p->measure != NULL)
		rc = mlv_buf_printf(b, "&measure=%s", p->measure->name);
	if (rc == 0 && extra != NULL)
		rc = mlv_buf_printf(b, "%s%s", b->len ? "&" : "", extra);
	return rc;
}

const char *stats_currency(const mlv_server *s)
{
	return s->opts.validate.currency != NULL ? s->opts.validate.currency : "EUR";
}

int stats_minor_units(const mlv_server *s)
{
	int mu = mlv_currency_minor_units(s->opts.rd, stats_currency(s));
	return mu < 0 ? 2 : mu;
}

/* An answer for parameters that do not hold. */
static int bad_params(mlv_resp *resp, const stats_params *p)
{
	char d[320];
	snprintf(d, sizeof(d), "query parameter '%s' %s", p->bad_name, p->bad_why);
	mlv_http_problem(resp, 400, "bad-parameter", NULL, d, NULL);
	return 0;
}

/* ---- reading ------------------------------------------------------------------------------ */

struct row_list {
	mlv_stats_row *v;
	size_t n, cap;
};

static int row_add(void *ctx, const mlv_stats_row *r)
{
	struct row_list *l = ctx;
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

static void query_of(const stats_params *p, mlv_stats_query *q)
{
	memset(q, 0, sizeof(*q));
	q->from_day = p->from;
	q->to_day = p->to;
	q->period = p->period;
	q->by = p->by;
	q->filters = p->filters;
	memcpy(q->key, p->key, sizeof(q->key));
	memcpy(q->origin, p->origin, sizeof(q->origin));
	q->max_rows = STATS_ROWS_MAX;
}

static int by_size(const void *a, const void *b)
{
	const mlv_stats_row *x = a, *y = b;
	int64_t cx = x->m[MLV_SM_CONSIGNMENTS], cy = y->m[MLV_SM_CONSIGNMENTS];
	if (cx != cy)
		return cx > cy ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return strcmp(x->key_text, y->key_text);
}

int stats_rows(mlv_server *s, const stats_params *p, mlv_stats_row **out, size_t *n)
{
	struct row_list l = {NULL, 0, 0};
	mlv_stats_query q;
	query_of(p, &q);
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_stats(st, &q, row_add, &l);
	api_reader_release(s, st);
	if (rc != 0) {
		free(l.v);
		return rc;
	}
	if (p->by != MLV_DIM_NONE && p->period == MLV_PERIOD_NONE) {
		qsort(l.v, l.n, sizeof(*l.v), by_size);
		size_t limit = p->limit > 0 ? (size_t)p->limit : 1000;
		if (l.n > limit)
			l.n = limit;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

int stats_totals(mlv_server *s, const stats_params *p, mlv_stats_row *out)
{
	stats_params t = *p;
	t.period = MLV_PERIOD_NONE;
	t.by = MLV_DIM_NONE;
	struct row_list l = {NULL, 0, 0};
	mlv_stats_query q;
	query_of(&t, &q);
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_stats(st, &q, row_add, &l);
	api_reader_release(s, st);
	memset(out, 0, sizeof(*out));
	out->period_start = p->from;
	if (rc == 0 && l.n == 1)
		*out = l.v[0];
	free(l.v);
	return rc;
}

int stats_release_read(mlv_server *s, const stats_params *p, mlv_stats_release *out)
{
	mlv_stats_release_acc *a = calloc(1, sizeof(*a));
	if (a == NULL)
		return MLV_ENOMEM;
	a->lane = (p->filters & (1u << MLV_DIM_LANE)) ? (int)p->key[MLV_DIM_LANE] : -1;
	a->channel = (p->filters & (1u << MLV_DIM_CHANNEL)) ? (int)p->key[MLV_DIM_CHANNEL] : -1;
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_stats_release(st, p->from, p->to, mlv_stats_release_add, a);
	api_reader_release(s, st);
	if (rc == 0)
		mlv_stats_release_summary(a, out);
	free(a);
	return rc;
}

struct rule_list {
	stats_rule *v;
	size_t n, cap, limit;
};

static int rule_add(void *ctx, const char *id, const mlv_rule_counts *c)
{
	struct rule_list *l = ctx;
	if (l->n == l->limit)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		stats_rule *v = realloc(l->v, cap * sizeof(*v));
		if (v == NULL)
			return MLV_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	snprintf(l->v[l->n].id, sizeof(l->v[0].id), "%s", id);
	l->v[l->n++].c = *c;
	return 0;
}

int stats_rules_read(mlv_server *s, const stats_params *p, stats_rule **out, size_t *n)
{
	struct rule_list l = {NULL, 0, 0, p->limit > 0 ? (size_t)p->limit : 100};
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_stats_rules(st, p->from, p->to, rule_add, &l);
	api_reader_release(s, st);
	if (rc != 0) {
		free(l.v);
		return rc;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

void stats_duration_text(int64_t sec, char out[24])
{
	if (sec < 60)
		snprintf(out, 24, "%lld s", (long long)sec);
	else if (sec < 3600)
		snprintf(out, 24, "%lld min", (long long)((sec + 30) / 60));
	else if (sec < 86400 * 2) {
		int64_t tenths = (sec * 10 + 1800) / 3600;
		snprintf(out, 24, "%lld.%lld h", (long long)(tenths / 10), (long long)(tenths % 10));
	} else {
		int64_t tenths = (sec * 10 + 43200) / 86400;
		snprintf(out, 24, "%lld.%lld d", (long long)(tenths / 10), (long long)(tenths % 10));
	}
}

/* ---- answers ---------------------------------------------------------------------------------- */

static void csv_answer(mlv_resp *resp, const char *what, const stats_params *p)
{
	char f[11], t[11];
	mlv_date_format(p->from, f);
	mlv_date_format(p->to, t);
	resp->content_type = "text/csv; charset=utf-8";
	snprintf(resp->disposition, sizeof(resp->disposition),
		 "attachment; filename=\"mainlevee-%s-%s-%s.csv\"", what, f, t);
}

static int failed(mlv_resp *resp, int rc)
{
	mlv_buf_reset(&resp->body);
	resp->content_type = "application/json";
	resp->disposition[0] = '\0';
	if (rc == MLV_ETOOBIG)
		mlv_http_problem(resp, 422, "validation", NULL,
				 "more than 20,000 rows: ask for a longer period step, a shorter range,"
				 " or a filter",
				 NULL);
	else
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

/* The key of row r under breakdown d as a JSON member pair. */
static int json_key(mlv_buf *b, mlv_stats_dim d, const mlv_stats_row *r, const mlv_refdata *rd)
{
	char value[64], label[160];
	mlv_stats_key(d, r, rd, value, label);
	int rc = d == MLV_DIM_FILER ? mlv_buf_printf(b, ",\"filer\":%lld", (long long)r->key)
				    : mlv_buf_printf(b, ",\"%s\":", mlv_stats_dim_name(d));
	if (rc == 0 && d != MLV_DIM_FILER)
		rc = mlv_buf_add_json_string(b, value, strlen(value));
	if (rc == 0)
		rc = mlv_buf_adds(b, ",\"label\":");
	return rc ? rc : mlv_buf_add_json_string(b, label, strlen(label));
}

static int json_period(mlv_buf *b, mlv_stats_period period, int32_t start)
{
	char label[11], day[11];
	mlv_stats_period_label(period, start, label);
	mlv_date_format(start, day);
	return mlv_buf_printf(b, ",\"period\":\"%s\",\"period_start\":\"%s\"", label, day);
}

/* Members are written each after a comma: the first one of an object,
 * at `at`, drops it. */
static void drop_comma(mlv_buf *b, size_t at)
{
	if (at < b->len && b->data[at] == ',') {
		memmove(b->data + at, b->data + at + 1, b->len - at);
		b->len--;
	}
}

/* GET /v1/stats/consignments */
int api_stats_consignments(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	stats_params p;
	const unsigned allowed = SP_RANGE | SP_PERIOD | SP_BY | SP_FILTERS | SP_FORMAT | SP_LIMIT;
	if (!stats_params_read(s, req, allowed, &p))
		return bad_params(resp, &p);
	mlv_stats_row *rows = NULL, totals;
	size_t n = 0;
	int rc = stats_rows(s, &p, &rows, &n);
	if (rc == 0)
		rc = stats_totals(s, &p, &totals);
	if (rc != 0) {
		free(rows);
		return failed(resp, rc);
	}
	int mu = stats_minor_units(s);
	mlv_buf *b = &resp->body;
	char f[11], t[11];
	mlv_date_format(p.from, f);
	mlv_date_format(p.to, t);
	if (p.csv) {
		csv_answer(resp, "consignments", &p);
		rc = mlv_buf_adds(b, p.period ? "period,period_start" : "from,to");
		if (rc == 0 && p.by != MLV_DIM_NONE)
			rc = mlv_buf_printf(b, ",%s,label", mlv_stats_dim_name(p.by));
		if (rc == 0)
			rc = mlv_stats_header_csv(b);
		for (size_t i = 0; rc == 0 && i < n; i++) {
			char a[11], d[11];
			if (p.period) {
				mlv_stats_period_label(p.period, rows[i].period_start, a);
				mlv_date_format(rows[i].period_start, d);
				rc = mlv_buf_printf(b, "\r\n%s,%s", a, d);
			} else {
				rc = mlv_buf_printf(b, "\r\n%s,%s", f, t);
			}
			if (rc == 0 && p.by != MLV_DIM_NONE) {
				char value[64], label[160];
				mlv_stats_key(p.by, &rows[i], s->opts.rd, value, label);
				rc = mlv_buf_addc(b, ',');
				if (rc == 0)
					rc = mlv_stats_csv_field(b, value);
				if (rc == 0)
					rc = mlv_buf_addc(b, ',');
				if (rc == 0)
					rc = mlv_stats_csv_field(b, label);
			}
			if (rc == 0)
				rc = mlv_stats_row_csv(b, &rows[i], mu);
		}
		if (rc == 0)
			rc = mlv_buf_adds(b, "\r\n");
	} else {
		rc = mlv_buf_printf(b, "{\"from\":\"%s\",\"to\":\"%s\",\"currency\":\"%s\"", f, t,
				    stats_currency(s));
		if (rc == 0 && p.period)
			rc = mlv_buf_printf(b, ",\"period\":\"%s\"", mlv_stats_period_name(p.period));
		if (rc == 0 && p.by)
			rc = mlv_buf_printf(b, ",\"by\":\"%s\"", mlv_stats_dim_name(p.by));
		if (rc == 0)
			rc = mlv_buf_adds(b, ",\"filters\":{");
		for (int d = 1, k = 0; rc == 0 && d < MLV_DIM_COUNT_; d++)
			if (p.filters & (1u << d))
				rc = mlv_buf_printf(b, "%s\"%s\":\"%s\"", k++ ? "," : "",
						    mlv_stats_dim_name((mlv_stats_dim)d), p.text[d]);
		if (rc == 0)
			rc = mlv_buf_adds(b, "},\"rows\":[");
		for (size_t i = 0; rc == 0 && i < n; i++) {
			rc = mlv_buf_adds(b, i ? ",{" : "{");
			size_t at = b->len;
			if (rc == 0 && p.period)
				rc = json_period(b, p.period, rows[i].period_start);
			if (rc == 0 && p.by != MLV_DIM_NONE)
				rc = json_key(b, p.by, &rows[i], s->opts.rd);
			if (rc == 0)
				rc = mlv_stats_row_json(b, &rows[i], mu);
			drop_comma(b, at);
			if (rc == 0)
				rc = mlv_buf_addc(b, '}');
		}
		if (rc == 0)
			rc = mlv_buf_adds(b, "],\"totals\":{");
		size_t at = b->len;
		if (rc == 0)
			rc = mlv_stats_row_json(b, &totals, mu);
		drop_comma(b, at);
		if (rc == 0)
			rc = mlv_buf_adds(b, "}}");
	}
	free(rows);
	return rc ? failed(resp, rc) : 0;
}

static int json_pct(mlv_buf *b, const char *name, const mlv_percentiles *p)
{
	int rc = name != NULL ? mlv_buf_printf(b, "\"%s\":", name) : 0;
	return rc ? rc
		  : mlv_buf_printf(b, "{\"count\":%zu,\"median\":%lld,\"p90\":%lld,\"p99\":%lld,"
				      "\"max\":%lld}",
				   p->count, (long long)p->median, (long long)p->p90,
				   (long long)p->p99, (long long)p->max);
}

static int json_measure(mlv_buf *b, const mlv_stats_release *r, int m)
{
	int rc = mlv_buf_adds(b, "{\"all\":");
	if (rc == 0)
		rc = json_pct(b, NULL, &r->pct[m][0]);
	if (rc == 0)
		rc = mlv_buf_adds(b, ",\"by_lane\":{");
	for (int g = 1, k = 0; rc == 0 && g < MLV_STATS_RELEASE_GROUPS; g++) {
		if (g == 6) {
			rc = mlv_buf_adds(b, "},\"by_channel\":{");
			k = 0;
		}
		if (rc != 0 || r->pct[m][g].count == 0)
			continue; /* empty groups are left out */
		const char *kind, *name = mlv_stats_release_group(g, &kind);
		if (k++)
			rc = mlv_buf_addc(b, ',');
		if (rc == 0)
			rc = json_pct(b, name, &r->pct[m][g]);
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, "},\"histogram\":[");
	for (int k = 0; rc == 0 && k < MLV_STATS_RELEASE_BINS; k++) {
		rc = mlv_buf_printf(b, "%s{\"bin\":\"%s\",\"from_s\":%lld,", k ? "," : "",
				    mlv_stats_release_bin_labels[k],
				    (long long)(k ? mlv_stats_release_bin_upper[k - 1] : 0));
		if (rc == 0 && mlv_stats_release_bin_upper[k] >= 0)
			rc = mlv_buf_printf(b, "\"to_s\":%lld,", (long long)mlv_stats_release_bin_upper[k]);
		if (rc == 0)
			rc = mlv_buf_printf(b, "\"count\":%llu}", (unsigned long long)r->bins[m][k]);
	}
	return rc ? rc : mlv_buf_adds(b, "]}");
}

/* GET /v1/stats/release-times: from filing to release and from arrival to
 * release, for the consignments released in the period (by release date,
 * UTC): count, median, 90th and 99th percentiles (nearest rank, read from
 * the histograms: within 1/32) and maximum, in seconds, overall, by lane
 * and by channel, and a histogram; lane and channel filter them. */
int api_release_times(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	stats_params p;
	if (!stats_params_read(s, req, SP_RANGE | SP_LANE_CHANNEL | SP_FORMAT | SP_TABLE, &p))
		return bad_params(resp, &p);
	mlv_stats_release *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return failed(resp, MLV_ENOMEM);
	int rc = stats_release_read(s, &p, r);
	mlv_buf *b = &resp->body;
	static const char *const measures[2] = {"filing_to_release", "arrival_to_release"};
	if (rc == 0 && p.csv && p.histogram) {
		csv_answer(resp, "release-histogram", &p);
		rc = mlv_buf_adds(b, "measure,bin,from_s,to_s,count");
		for (int m = 0; rc == 0 && m < 2; m++)
			for (int k = 0; rc == 0 && k < MLV_STATS_RELEASE_BINS; k++) {
				rc = mlv_buf_printf(b, "\r\n%s,%s,%lld,", measures[m],
						    mlv_stats_release_bin_labels[k],
						    (long long)(k ? mlv_stats_release_bin_upper[k - 1] : 0));
				if (rc == 0 && mlv_stats_release_bin_upper[k] >= 0)
					rc = mlv_buf_printf(b, "%lld", (long long)mlv_stats_release_bin_upper[k]);
				if (rc == 0)
					rc = mlv_buf_printf(b, ",%llu", (unsigned long long)r->bins[m][k]);
			}
		if (rc == 0)
			rc = mlv_buf_adds(b, "\r\n");
	} else if (rc == 0 && p.csv) {
		csv_answer(resp, "release-times", &p);
		rc = mlv_buf_adds(b, "measure,group,value,count,median_s,p90_s,p99_s,max_s");
		for (int m = 0; rc == 0 && m < 2; m++)
			for (int g = 0; rc == 0 && g < MLV_STATS_RELEASE_GROUPS; g++) {
				const mlv_percentiles *x = &r->pct[m][g];
				if (g > 0 && x->count == 0)
					continue;
				const char *kind, *name = mlv_stats_release_group(g, &kind);
				rc = mlv_buf_printf(b, "\r\n%s,%s,%s,%zu,%lld,%lld,%lld,%lld", measures[m],
						    kind, g ? name : "", x->count, (long long)x->median,
						    (long long)x->p90, (long long)x->p99, (long long)x->max);
			}
		if (rc == 0)
			rc = mlv_buf_adds(b, "\r\n");
	} else if (rc == 0) {
		char f[11], t[11];
		mlv_date_format(p.from, f);
		mlv_date_format(p.to, t);
		rc = mlv_buf_printf(b, "{\"from\":\"%s\",\"to\":\"%s\",\"unit\":\"seconds\"", f, t);
		for (int m = 0; rc == 0 && m < 2; m++) {
			rc = mlv_buf_printf(b, ",\"%s\":", measures[m]);
			if (rc == 0)
				rc = json_measure(b, r, m);
		}
		if (rc == 0)
			rc = mlv_buf_addc(b, '}');
	}
	free(r);
	return rc ? failed(resp, rc) : 0;
}

/* GET /v1/stats/rules: per rule over the period, hits at filing, controls,
 * findings, seizures, precision with its 95% interval, revenue and yield,
 * and the advice of the feedback loop (docs/risk-rules.md). */
int api_stats_rules(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	stats_params p;
	if (!stats_params_read(s, req, SP_RANGE | SP_FORMAT | SP_LIMIT, &p))
		return bad_params(resp, &p);
	stats_rule *rules = NULL;
	size_t n = 0;
	mlv_stats_row totals;
	int rc = stats_rules_read(s, &p, &rules, &n);
	if (rc == 0)
		rc = stats_totals(s, &p, &totals);
	if (rc != 0) {
		free(rules);
		return failed(resp, rc);
	}
	mlv_buf *b = &resp->body;
	char f[11], t[11];
	mlv_date_format(p.from, f);
	mlv_date_format(p.to, t);
	int mu = stats_minor_units(s);
	if (p.csv) {
		csv_answer(resp, "rules", &p);
		rc = mlv_buf_adds(b, "rule,hits,controls,findings,seizures,precision,precision_low,"
				     "precision_high,hit_rate,revenue,yield,weight,suggested_weight,review");
	} else {
		rc = mlv_buf_printf(b, "{\"from\":\"%s\",\"to\":\"%s\",\"currency\":\"%s\","
				       "\"consignments\":%lld,\"rules\":[",
				    f, t, stats_currency(s), (long long)totals.m[MLV_SM_CONSIGNMENTS]);
	}
	/* the weights and versions of the profile in force (it changes through
	 * the API); the review settings of GET /v1/rules/performance */
	mlv_risk_snapshot snap;
	memset(&snap, 0, sizeof(snap));
	bool live = s->opts.validate.risk != NULL && s->live != NULL;
	if (live)
		mlv_risk_live_acquire(s->live, &snap);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		mlv_risk_rule_info info;
		memset(&info, 0, sizeof(info));
		if (live && snap.profile != NULL)
			(void)mlv_risk_profile_find(snap.profile, rules[i].id, &info);
		mlv_risk_rule_stats rs = {rules[i].c.hits, rules[i].c.controls, rules[i].c.findings,
					  rules[i].c.seizures, rules[i].c.revenue};
		mlv_risk_perf_opts po = MLV_RISK_PERF_OPTS_INIT;
		po.assessed = (uint64_t)totals.m[MLV_SM_CONSIGNMENTS];
		po.min_controls = s->opts.review_min_controls;
		po.review_below = s->opts.review_below;
		mlv_risk_perf perf;
		rc = mlv_risk_stats_perf(&perf, &rs, info.weight, &po);
		if (rc == 0 && p.csv) {
			char rev[32], yield[32];
			mlv_decimal_format(rs.revenue, mu, rev, sizeof(rev));
			mlv_decimal_format(perf.yield, mu, yield, sizeof(yield));
			rc = mlv_buf_adds(b, "\r\n");
			if (rc == 0)
				rc = mlv_stats_csv_field(b, rules[i].id);
			if (rc == 0)
				rc = mlv_buf_printf(b, ",%llu,%llu,%llu,%llu,%.4f,%.4f,%.4f,%.6f,%s,%s,%d,%d,%s",
						    (unsigned long long)rs.hits,
						    (unsigned long long)rs.controls,
						    (unsigned long long)rs.findings,
						    (unsigned long long)rs.seizures, perf.precision,
						    perf.precision_lo, perf.precision_hi, perf.hit_rate, rev,
						    yield, info.weight, perf.suggested_weight,
						    perf.review ? "yes" : "no");
		} else if (rc == 0) {
			if (i > 0)
				rc = mlv_buf_addc(b, ',');
			if (rc == 0)
				rc = mlv_risk_perf_write_json(b, rules[i].id, info.version, &rs, &perf);
		}
	}
	if (live)
		mlv_risk_live_release(s->live, &snap);
	if (rc == 0)
		rc = mlv_buf_adds(b, p.csv ? "\r\n" : "]}");
	free(rules);
	return rc ? failed(resp, rc) : 0;
}
