/* decimal.h - exact decimal strings <-> scaled integers.
 *
 * Amounts, weights and quantities travel in JSON as decimal strings
 * ("12.30") and live in memory as int64 counts of 10^-scale units, so no
 * value ever passes through a double.  Syntax: an optional '-', one or
 * more digits, then optionally '.' and one or more digits.  No exponent,
 * no '+', no spaces. */
#ifndef MLV_DECIMAL_H
#define MLV_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
	MLV_DEC_OK = 0,
	MLV_DEC_SYNTAX,    /* not a decimal string */
	MLV_DEC_PRECISION, /* more fractional digits than the scale allows */
	MLV_DEC_RANGE,     /* does not fit an int64 at that scale */
	MLV_DEC_NEGATIVE,  /* a '-' where negatives are not allowed */
} mlv_dec_status;

/* Parses s[0..len) at `scale` (0..9) fractional digits.  Trailing zeros
 * past the scale are accepted ("1.500" at scale 2 is 150). */
mlv_dec_status mlv_decimal_parse(const char *s, size_t len, int scale,
				 int allow_negative, int64_t *out);

/* Writes v at `scale` into buf ("-12.30"); returns the length, or -1 when
 * buf is too small (size 32 always suffices). */
int mlv_decimal_format(int64_t v, int scale, char *buf, size_t size);

/* 10^n for n in 0..18. */
int64_t mlv_pow10(int n);

#endif
