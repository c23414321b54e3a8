/* stats.c - nearest-rank percentiles (see stats.h). */
#include "mlv/stats.h"

#include <stdlib.h>

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* The value at rank ceil(pct/100 * n), 1-based, of sorted v. */
static int64_t rank(const int64_t *v, size_t n, unsigned pct)
{
	size_t r = (size_t)(((uint64_t)n * pct + 99) / 100);
	if (r < 1)
		r = 1;
	return v[r - 1];
}

void mlv_percentiles_of(int64_t *v, size_t n, mlv_percentiles *out)
{
	out->count = n;
	if (n == 0) {
		out->median = out->p90 = out->p99 = out->max = 0;
		return;
	}
	qsort(v, n, sizeof(*v), cmp_i64);
	out->median = rank(v, n, 50);
	out->p90 = rank(v, n, 90);
	out->p99 = rank(v, n, 99);
	out->max = v[n - 1];
}
