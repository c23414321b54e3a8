/* stats.h - descriptive statistics for the measurement of release times
 * (WCO Time Release Study style: median and high percentiles). */
#ifndef MLV_STATS_H
#define MLV_STATS_H

#include <stddef.h>
#include <stdint.h>

typedef struct mlv_percentiles {
	size_t count;
	int64_t median, p90, p99, max; /* 0 when count is 0 */
} mlv_percentiles;

/* Nearest-rank percentiles of v[0..n): the p-th is the value at rank
 * ceil(p/100 * n) in ascending order.  Sorts v in place. */
void mlv_percentiles_of(int64_t *v, size_t n, mlv_percentiles *out);

#endif
