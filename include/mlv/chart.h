/* chart.h - charts drawn by the server as SVG (the statistics dashboard):
 * a line chart over time, horizontal bars by category, and a histogram.
 *
 * Each chart is one <svg role="img"> labelled by its own <title> and
 * described by its <desc> (aria-labelledby), with axes whose ticks fall on
 * round values (1, 2 or 5 times a power of ten), tick labels, axis names,
 * and a <title> on every point and bar that tells its value.  Colours and
 * strokes come from CSS classes (chart-series-N, chart-bar, lane-...) so
 * that pages keep a Content-Security-Policy without inline styles; the
 * page shows the same numbers in a table beside the chart.  All geometry
 * is integer arithmetic; values are int64 in 10^-decimals units (money in
 * minor units) and never pass through a double. */
#ifndef MLV_CHART_H
#define MLV_CHART_H

#include <stddef.h>
#include <stdint.h>

#include "mlv/buf.h"

#define MLV_CHART_SERIES_MAX 6

typedef struct mlv_chart_series {
	const char *name;      /* shown in the legend when there are several */
	const int64_t *values; /* one per point */
} mlv_chart_series;

typedef struct mlv_chart {
	const char *id;               /* prefix of the element ids: letters, digits, '-' */
	const char *title;            /* what it shows, as a heading would say it */
	const char *desc;             /* one or two sentences for screen readers */
	const char *x_label, *y_label;
	const char *const *labels;    /* one per point or category */
	const char *const *classes;   /* bars: an extra class per category, or NULL */
	size_t n;                     /* points or categories, at most MLV_CHART_POINTS_MAX */
	const mlv_chart_series *series;
	size_t nseries;               /* lines: 1..MLV_CHART_SERIES_MAX; bars: the first */
	int decimals;                 /* values are in units of 10^-decimals */
	int width, height;            /* the viewBox; 0 for the defaults */
} mlv_chart;

#define MLV_CHART_POINTS_MAX 2000

/* A line per series over the points, a dot on each with its value. */
int mlv_chart_line(mlv_buf *b, const mlv_chart *c);
/* One horizontal bar per category, largest to the scale, value beside it. */
int mlv_chart_bars(mlv_buf *b, const mlv_chart *c);
/* Vertical bars side by side, one per bin, labelled below. */
int mlv_chart_histogram(mlv_buf *b, const mlv_chart *c);

/* The axis of values from lo to hi (lo <= 0 <= hi): the smallest round
 * step (1, 2 or 5 x 10^k) that covers the range in at most `most` steps,
 * and the first and last ticks (multiples of it) around it. */
int64_t mlv_chart_step(int64_t lo, int64_t hi, int most, int64_t *first, int64_t *last);

/* A tick's text: 950, 1.5k, 12k, 2.5M, 1.2G, in units of 10^-decimals
 * (1.25 when the step needs decimals). */
void mlv_chart_tick_text(int64_t v, int decimals, char out[24]);

#endif
