/* generate.h - realistic synthetic consignments for demos, tests and
 * benchmarks, with a labelled share of anomalies so that risk work can
 * measure detection.
 *
 * Deterministic: the same seed and options give the same output, byte for
 * byte, on every machine (own PRNG, no libc rand, no time). */
#ifndef MLV_GENERATE_H
#define MLV_GENERATE_H

#include "mlv/common.h"
#include "mlv/refdata.h"

/* Kinds of anomaly a generated consignment may carry (label). */
typedef enum {
	MLV_ANOM_NONE = 0,
	MLV_ANOM_UNDERVALUED,  /* declared value far below the real price */
	MLV_ANOM_SPLIT,        /* one order split into parcels under the threshold */
	MLV_ANOM_PROHIBITED,   /* goods of a prohibited or restricted kind */
	MLV_ANOM_MISSING_DATA, /* required elements left out (fails validation) */
	MLV_ANOM_MISDESCRIBED, /* HS code does not match the description */
} mlv_anomaly;

const char *mlv_anomaly_name(mlv_anomaly a);

typedef struct mlv_generate_opts {
	uint64_t seed;
	unsigned anomaly_permille; /* share of consignments with an anomaly */
	const char *destination;   /* importing country, ISO alpha-2 */
	const char *currency;      /* its currency */
	int32_t start_day;         /* days since epoch of the first order */
	const char *lrn_prefix;    /* LRNs are prefix + sequence number */
	bool valid_only;           /* no missing_data anomaly: every record is valid */
} mlv_generate_opts;

/* Orders per day: consignment n is ordered on start_day + (n - 1) / this. */
#define MLV_GENERATE_PER_DAY 1000

#define MLV_GENERATE_OPTS_INIT { 1, 50, "FR", "EUR", 20780, "GEN", false }

typedef struct mlv_generator mlv_generator;

int mlv_generator_new(mlv_generator **out, const mlv_refdata *rd,
		      const mlv_generate_opts *opts);
void mlv_generator_free(mlv_generator *g);

/* Writes the next consignment as one line of JSON (no newline) into buf.
 * Returns its length, or MLV_ETOOBIG when size is too small (8 KiB is
 * always enough).  *label receives its anomaly. */
int mlv_generator_next(mlv_generator *g, char *buf, size_t size, mlv_anomaly *label);

#endif
