/* chart.c - SVG charts (see chart.h).
 *
 * Coordinates are whole pixels of the viewBox, computed with int64
 * arithmetic; the browser scales the drawing to the page.  Every text
 * that comes from the caller is escaped for XML. */
#include "mlv/chart.h"

#include <stdio.h>
#include <string.h>

#include "mlv/decimal.h"

#define LINE_W 640
#define LINE_H 300
#define ROW_H 26

/* ---- text --------------------------------------------------------------------------- */

static int xml_text(mlv_buf *b, const char *s)
{
	int rc = 0;
	for (; rc == 0 && s != NULL && *s; s++) {
		switch (*s) {
		case '&': rc = mlv_buf_adds(b, "&amp;"); break;
		case '<': rc = mlv_buf_adds(b, "&lt;"); break;
		case '>': rc = mlv_buf_adds(b, "&gt;"); break;
		case '"': rc = mlv_buf_adds(b, "&quot;"); break;
		case '\'': rc = mlv_buf_adds(b, "&#39;"); break;
		default:
			/* control characters have no place in XML text */
			rc = (unsigned char)*s < 0x20 ? mlv_buf_addc(b, ' ') : mlv_buf_addc(b, *s);
		}
	}
	return rc;
}

/* s cut to at most max bytes on a character boundary, with an ellipsis. */
static int xml_text_cut(mlv_buf *b, const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return xml_text(b, s);
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--; /* not inside a UTF-8 sequence */
	char cut[256];
	snprintf(cut, sizeof(cut), "%.*s", (int)(max < 250 ? max : 250), s);
	int rc = xml_text(b, cut);
	return rc ? rc : mlv_buf_adds(b, "\xe2\x80\xa6");
}

/* The value as a decimal, trailing zeros of the fraction dropped. */
static void value_text(int64_t v, int decimals, char out[24])
{
	if (mlv_decimal_format(v, decimals, out, 24) < 0) {
		snprintf(out, 24, "?");
		return;
	}
	char *dot = strchr(out, '.');
	if (dot == NULL)
		return;
	size_t n = strlen(out);
	while (n > 0 && out[n - 1] == '0')
		out[--n] = '\0';
	if (n > 0 && out[n - 1] == '.')
		out[n - 1] = '\0';
}

void mlv_chart_tick_text(int64_t v, int decimals, char out[24])
{
	int64_t unit = mlv_pow10(decimals < 0 ? 0 : decimals > 9 ? 9 : decimals);
	if (v % unit != 0) {
		value_text(v, decimals, out);
		return;
	}
	int64_t w = v / unit, a = w < 0 ? -w : w, div = 1;
	const char *suffix = "";
	if (a >= 1000000000) {
		div = 1000000000;
		suffix = "G";
	} else if (a >= 1000000) {
		div = 1000000;
		suffix = "M";
	} else if (a >= 10000) {
		div = 1000;
		suffix = "k";
	}
	if (div == 1) {
		snprintf(out, 24, "%lld", (long long)w);
		return;
	}
	int64_t hundredths = (a / div) * 100 + ((a % div) * 100 + div / 2) / div;
	char num[24];
	snprintf(num, sizeof(num), "%lld.%02lld", (long long)(hundredths / 100),
		 (long long)(hundredths % 100));
	size_t n = strlen(num);
	while (num[n - 1] == '0')
		num[--n] = '\0';
	if (num[n - 1] == '.')
		num[--n] = '\0';
	snprintf(out, 24, "%s%s%s", w < 0 ? "-" : "", num, suffix);
}

/* ---- axes ---------------------------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t mlv_chart_step(int64_t lo, int64_t hi, int most, int64_t *first, int64_t *last)
{
	if (most < 1)
		most = 1;
	if (lo > 0)
		lo = 0;
	if (hi < 0)
		hi = 0;
	int64_t span = hi - lo;
	if (span <= 0)
		span = 1;
	int64_t raw = (span + most - 1) / most, p = 1;
	while (p <= INT64_MAX / 10 && p * 10 <= raw)
		p *= 10;
	static const int64_t mult[] = {1, 2, 5, 10, 20, 50, 100};
	int64_t step = p;
	for (size_t i = 0; i < sizeof(mult) / sizeof(mult[0]); i++) {
		step = mult[i] * p;
		if (step < raw)
			continue;
		int64_t f = floor_div(lo, step) * step, l = -floor_div(-hi, step) * step;
		if (l == f)
			l = f + step;
		if ((l - f) / step <= most) {
			*first = f;
			*last = l;
			return step;
		}
	}
	*first = floor_div(lo, step) * step;
	*last = -floor_div(-hi, step) * step;
	if (*last == *first)
		*last = *first + step;
	return step;
}

struct frame {
	int w, h, left, right, top, bottom;
	int64_t first, last, step;
};

static int plot_w(const struct frame *f)
{
	return f->w - f->left - f->right;
}

static int plot_h(const struct frame *f)
{
	return f->h - f->top - f->bottom;
}

/* Vertical position of value v. */
static int64_t y_of(const struct frame *f, int64_t v)
{
	return f->top + plot_h(f) - (v - f->first) * plot_h(f) / (f->last - f->first);
}

/* Horizontal position of value v (bars). */
static int64_t x_of(const struct frame *f, int64_t v)
{
	return f->left + (v - f->first) * plot_w(f) / (f->last - f->first);
}

static bool id_ok(const char *id)
{
	if (id == NULL || id[0] == '\0' || strlen(id) > 40)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	return true;
}

static int svg_begin(mlv_buf *b, const mlv_chart *c, const struct frame *f, const char *kind)
{
	int rc = mlv_buf_printf(b,
				"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart chart-%s\""
				" id=\"%s\" viewBox=\"0 0 %d %d\" role=\"img\""
				" aria-labelledby=\"%s-title %s-desc\" preserveAspectRatio=\"xMinYMin meet\">"
				"<title id=\"%s-title\">",
				kind, c->id, f->w, f->h, c->id, c->id, c->id);
	if (rc == 0)
		rc = xml_text(b, c->title);
	if (rc == 0)
		rc = mlv_buf_printf(b, "</title><desc id=\"%s-desc\">", c->id);
	if (rc == 0)
		rc = xml_text(b, c->desc);
	return rc ? rc : mlv_buf_adds(b, "</desc>");
}

static int axis_names(mlv_buf *b, const mlv_chart *c, const struct frame *f, bool vertical)
{
	int rc = 0;
	if (c->y_label != NULL && c->y_label[0]) {
		/* the value axis: left and turned for lines and histograms,
		 * under the bars for bars */
		if (vertical)
			rc = mlv_buf_printf(b, "<text class=\"chart-axis-label\" transform=\"rotate(-90)\""
					       " x=\"%d\" y=\"14\" text-anchor=\"middle\">",
					    -(f->top + plot_h(f) / 2));
		else
			rc = mlv_buf_printf(b, "<text class=\"chart-axis-label\" x=\"%d\" y=\"%d\""
					       " text-anchor=\"middle\">",
					    f->left + plot_w(f) / 2, f->h - 6);
		if (rc == 0)
			rc = xml_text(b, c->y_label);
		if (rc == 0)
			rc = mlv_buf_adds(b, "</text>");
	}
	if (rc == 0 && vertical && c->x_label != NULL && c->x_label[0]) {
		rc = mlv_buf_printf(b, "<text class=\"chart-axis-label\" x=\"%d\" y=\"%d\""
				       " text-anchor=\"middle\">",
				    f->left + plot_w(f) / 2, f->h - 6);
		if (rc == 0)
			rc = xml_text(b, c->x_label);
		if (rc == 0)
			rc = mlv_buf_adds(b, "</text>");
	}
	return rc;
}

/* Horizontal grid lines and tick labels of the value axis (lines, histograms). */
static int y_ticks(mlv_buf *b, const mlv_chart *c, const struct frame *f)
{
	int rc = mlv_buf_adds(b, "<g class=\"chart-ticks\">");
	for (int64_t v = f->first; rc == 0 && v <= f->last; v += f->step) {
		char t[24];
		mlv_chart_tick_text(v, c->decimals, t);
		int64_t y = y_of(f, v);
		rc = mlv_buf_printf(b,
				    "<line class=\"chart-grid\" x1=\"%d\" y1=\"%lld\" x2=\"%d\" y2=\"%lld\"/>"
				    "<text class=\"chart-tick\" x=\"%d\" y=\"%lld\" text-anchor=\"end\">%s</text>",
				    f->left, (long long)y, f->left + plot_w(f), (long long)y, f->left - 6,
				    (long long)y + 4, t);
	}
	if (rc == 0)
		rc = mlv_buf_printf(b,
				    "</g><line class=\"chart-axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
				    "<line class=\"chart-axis\" x1=\"%d\" y1=\"%lld\" x2=\"%d\" y2=\"%lld\"/>",
				    f->left, f->top, f->left, f->top + plot_h(f), f->left,
				    (long long)y_of(f, 0), f->left + plot_w(f), (long long)y_of(f, 0));
	return rc;
}

static int no_data(mlv_buf *b, const struct frame *f)
{
	return mlv_buf_printf(b, "<text class=\"chart-empty\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">"
				 "No data for this period</text>",
			      f->left + plot_w(f) / 2, f->top + plot_h(f) / 2);
}

static bool usable(const mlv_chart *c, size_t most_series)
{
	return c != NULL && id_ok(c->id) && c->n <= MLV_CHART_POINTS_MAX &&
	       (c->n == 0 || (c->labels != NULL && c->series != NULL)) && c->nseries >= 1 &&
	       c->nseries <= most_series && c->decimals >= 0 && c->decimals <= 9;
}

/* The range of the values of the first `nseries` series. */
static void extent(const mlv_chart *c, size_t nseries, int64_t *lo, int64_t *hi)
{
	*lo = *hi = 0;
	for (size_t s = 0; s < nseries; s++)
		for (size_t i = 0; i < c->n; i++) {
			int64_t v = c->series[s].values[i];
			/* keep the arithmetic of the axis well inside 64 bits */
			if (v > INT64_MAX / 4096)
				v = INT64_MAX / 4096;
			if (v < -(INT64_MAX / 4096))
				v = -(INT64_MAX / 4096);
			if (v < *lo)
				*lo = v;
			if (v > *hi)
				*hi = v;
		}
}

static int64_t clamp(int64_t v)
{
	return v > INT64_MAX / 4096 ? INT64_MAX / 4096 : v < -(INT64_MAX / 4096) ? -(INT64_MAX / 4096) : v;
}

/* A point's or bar's tooltip: "label: value (series)". */
static int value_title(mlv_buf *b, const mlv_chart *c, size_t i, size_t s, int64_t v)
{
	char t[24];
	value_text(v, c->decimals, t);
	int rc = mlv_buf_adds(b, "<title>");
	if (rc == 0)
		rc = xml_text(b, c->labels[i]);
	if (rc == 0)
		rc = mlv_buf_printf(b, ": %s", t);
	if (rc == 0 && c->nseries > 1 && c->series[s].name != NULL) {
		rc = mlv_buf_adds(b, " (");
		if (rc == 0)
			rc = xml_text(b, c->series[s].name);
		if (rc == 0)
			rc = mlv_buf_addc(b, ')');
	}
	return rc ? rc : mlv_buf_adds(b, "</title>");
}

/* ---- line ------------------------------------------------------------------------------ */

int mlv_chart_line(mlv_buf *b, const mlv_chart *c)
{
	if (!usable(c, MLV_CHART_SERIES_MAX))
		return MLV_EINVALID;
	struct frame f = {c->width > 0 ? c->width : LINE_W, c->height > 0 ? c->height : LINE_H,
			  64, 20, c->nseries > 1 ? 32 : 12, 52, 0, 1, 1};
	int64_t lo, hi;
	extent(c, c->nseries, &lo, &hi);
	f.step = mlv_chart_step(lo, hi, 5, &f.first, &f.last);
	int rc = svg_begin(b, c, &f, "line");
	if (rc == 0)
		rc = y_ticks(b, c, &f);
	/* x labels: at most about eight, evenly spread */
	size_t every = c->n > 8 ? (c->n + 7) / 8 : 1;
	int64_t pw = plot_w(&f);
	for (size_t i = 0; rc == 0 && i < c->n; i++) {
		if (i % every != 0)
			continue;
		int64_t x = c->n == 1 ? f.left + pw / 2 : f.left + (int64_t)i * pw / (int64_t)(c->n - 1);
		rc = mlv_buf_printf(b, "<text class=\"chart-tick\" x=\"%lld\" y=\"%d\""
				       " text-anchor=\"middle\">",
				    (long long)x, f.top + plot_h(&f) + 18);
		if (rc == 0)
			rc = xml_text_cut(b, c->labels[i], 12);
		if (rc == 0)
			rc = mlv_buf_adds(b, "</text>");
	}
	if (rc == 0 && c->n == 0)
		rc = no_data(b, &f);
	for (size_t s = 0; rc == 0 && s < c->nseries; s++) {
		rc = mlv_buf_printf(b, "<g class=\"chart-series chart-series-%zu\">", s);
		if (rc == 0 && c->n > 1)
			rc = mlv_buf_printf(b, "<polyline class=\"chart-line\" fill=\"none\" points=\"");
		for (size_t i = 0; rc == 0 && c->n > 1 && i < c->n; i++) {
			int64_t x = f.left + (int64_t)i * pw / (int64_t)(c->n - 1);
			rc = mlv_buf_printf(b, "%s%lld,%lld", i ? " " : "", (long long)x,
					    (long long)y_of(&f, clamp(c->series[s].values[i])));
		}
		if (rc == 0 && c->n > 1)
			rc = mlv_buf_adds(b, "\"/>");
		for (size_t i = 0; rc == 0 && i < c->n; i++) {
			int64_t x = c->n == 1 ? f.left + pw / 2
					      : f.left + (int64_t)i * pw / (int64_t)(c->n - 1);
			int64_t v = c->series[s].values[i];
			rc = mlv_buf_printf(b, "<circle class=\"chart-point\" cx=\"%lld\" cy=\"%lld\""
					       " r=\"3\">",
					    (long long)x, (long long)y_of(&f, clamp(v)));
			if (rc == 0)
				rc = value_title(b, c, i, s, v);
			if (rc == 0)
				rc = mlv_buf_adds(b, "</circle>");
		}
		if (rc == 0)
			rc = mlv_buf_adds(b, "</g>");
	}
	/* the legend, when there is more than one line */
	for (size_t s = 0; rc == 0 && c->nseries > 1 && s < c->nseries; s++) {
		int x = f.left + (int)s * 150;
		rc = mlv_buf_printf(b, "<g class=\"chart-legend chart-series-%zu\">"
				       "<rect x=\"%d\" y=\"8\" width=\"12\" height=\"12\"/>"
				       "<text x=\"%d\" y=\"19\">",
				    s, x, x + 16);
		if (rc == 0)
			rc = xml_text_cut(b, c->series[s].name ? c->series[s].name : "", 20);
		if (rc == 0)
			rc = mlv_buf_adds(b, "</text></g>");
	}
	if (rc == 0)
		rc = axis_names(b, c, &f, true);
	return rc ? rc : mlv_buf_adds(b, "</svg>");
}

/* ---- bars ------------------------------------------------------------------------------ */

int mlv_chart_bars(mlv_buf *b, const mlv_chart *c)
{
	if (!usable(c, MLV_CHART_SERIES_MAX))
		return MLV_EINVALID;
	size_t rows = c->n ? c->n : 1;
	int h = 8 + (int)rows * ROW_H + 44;
	struct frame f = {c->width > 0 ? c->width : LINE_W, c->height > h ? c->height : h,
			  200, 80, 8, 44, 0, 1, 1};
	int64_t lo, hi;
	extent(c, 1, &lo, &hi);
	f.step = mlv_chart_step(lo, hi, 4, &f.first, &f.last);
	int rc = svg_begin(b, c, &f, "bars");
	/* vertical grid lines and the ticks under them */
	if (rc == 0)
		rc = mlv_buf_adds(b, "<g class=\"chart-ticks\">");
	for (int64_t v = f.first; rc == 0 && v <= f.last; v += f.step) {
		char t[24];
		mlv_chart_tick_text(v, c->decimals, t);
		int64_t x = x_of(&f, v);
		rc = mlv_buf_printf(b,
				    "<line class=\"chart-grid\" x1=\"%lld\" y1=\"%d\" x2=\"%lld\" y2=\"%d\"/>"
				    "<text class=\"chart-tick\" x=\"%lld\" y=\"%d\" text-anchor=\"middle\">%s"
				    "</text>",
				    (long long)x, f.top, (long long)x, f.top + plot_h(&f), (long long)x,
				    f.top + plot_h(&f) + 16, t);
	}
	if (rc == 0)
		rc = mlv_buf_printf(b, "</g><line class=\"chart-axis\" x1=\"%lld\" y1=\"%d\" x2=\"%lld\""
				       " y2=\"%d\"/>",
				    (long long)x_of(&f, 0), f.top, (long long)x_of(&f, 0),
				    f.top + plot_h(&f));
	if (rc == 0 && c->n == 0)
		rc = no_data(b, &f);
	for (size_t i = 0; rc == 0 && i < c->n; i++) {
		int64_t v = c->series[0].values[i], x0 = x_of(&f, 0), x1 = x_of(&f, clamp(v));
		int y = f.top + (int)i * ROW_H;
		char t[24];
		value_text(v, c->decimals, t);
		rc = mlv_buf_printf(b, "<g class=\"chart-row\"><text class=\"chart-label\" x=\"%d\""
				       " y=\"%d\" text-anchor=\"end\">",
				    f.left - 8, y + 17);
		if (rc == 0)
			rc = xml_text_cut(b, c->labels[i], 26);
		if (rc == 0)
			rc = mlv_buf_printf(b, "</text><rect class=\"chart-bar%s", c->classes ? " " : "");
		if (rc == 0 && c->classes != NULL)
			rc = xml_text(b, c->classes[i]);
		if (rc == 0)
			rc = mlv_buf_printf(b, "\" x=\"%lld\" y=\"%d\" width=\"%lld\" height=\"18\">",
					    (long long)(x1 < x0 ? x1 : x0), y + 4,
					    (long long)(x1 < x0 ? x0 - x1 : x1 - x0));
		if (rc == 0)
			rc = value_title(b, c, i, 0, v);
		if (rc == 0)
			rc = mlv_buf_printf(b, "</rect><text class=\"chart-value\" x=\"%lld\" y=\"%d\">%s"
					       "</text></g>",
					    (long long)((x1 > x0 ? x1 : x0) + 4), y + 17, t);
	}
	if (rc == 0)
		rc = axis_names(b, c, &f, false);
	return rc ? rc : mlv_buf_adds(b, "</svg>");
}

/* ---- histogram ----------------------------------------------------------------------------- */

int mlv_chart_histogram(mlv_buf *b, const mlv_chart *c)
{
	if (!usable(c, MLV_CHART_SERIES_MAX))
		return MLV_EINVALID;
	struct frame f = {c->width > 0 ? c->width : LINE_W, c->height > 0 ? c->height : LINE_H,
			  64, 16, 12, 60, 0, 1, 1};
	int64_t lo, hi;
	extent(c, 1, &lo, &hi);
	f.step = mlv_chart_step(lo, hi, 5, &f.first, &f.last);
	int rc = svg_begin(b, c, &f, "histogram");
	if (rc == 0)
		rc = y_ticks(b, c, &f);
	if (rc == 0 && c->n == 0)
		rc = no_data(b, &f);
	int64_t pw = plot_w(&f);
	for (size_t i = 0; rc == 0 && i < c->n; i++) {
		int64_t v = c->series[0].values[i];
		int64_t x = f.left + (int64_t)i * pw / (int64_t)c->n;
		int64_t w = f.left + (int64_t)(i + 1) * pw / (int64_t)c->n - x;
		int64_t y0 = y_of(&f, 0), y1 = y_of(&f, clamp(v));
		rc = mlv_buf_printf(b, "<rect class=\"chart-bar%s", c->classes ? " " : "");
		if (rc == 0 && c->classes != NULL)
			rc = xml_text(b, c->classes[i]);
		if (rc == 0)
			rc = mlv_buf_printf(b, "\" x=\"%lld\" y=\"%lld\" width=\"%lld\" height=\"%lld\">",
					    (long long)x + 1, (long long)(y1 < y0 ? y1 : y0),
					    (long long)(w > 2 ? w - 2 : 1),
					    (long long)(y1 < y0 ? y0 - y1 : y1 - y0));
		if (rc == 0)
			rc = value_title(b, c, i, 0, v);
		if (rc == 0)
			rc = mlv_buf_printf(b, "</rect><text class=\"chart-tick\" x=\"%lld\" y=\"%d\""
					       " text-anchor=\"middle\">",
					    (long long)(x + w / 2), f.top + plot_h(&f) + 16);
		if (rc == 0)
			rc = xml_text_cut(b, c->labels[i], 10);
		if (rc == 0)
			rc = mlv_buf_adds(b, "</text>");
	}
	if (rc == 0)
		rc = axis_names(b, c, &f, true);
	return rc ? rc : mlv_buf_adds(b, "</svg>");
}
