/* decimal.c - exact decimal parsing and formatting (see decimal.h). */
#include "mlv/decimal.h"

#include <stdio.h>

static const int64_t pow10_table[19] = {
	1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL,
	100000000LL, 1000000000LL, 10000000000LL, 100000000000LL,
	1000000000000LL, 10000000000000LL, 100000000000000LL,
	1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
	1000000000000000000LL,
};

int64_t mlv_pow10(int n)
{
	if (n < 0 || n > 18)
		return 0;
	return pow10_table[n];
}

mlv_dec_status mlv_decimal_parse(const char *s, size_t len, int scale,
				 int allow_negative, int64_t *out)
{
	size_t i = 0;
	int neg = 0;
	if (scale < 0 || scale > 9)
		return MLV_DEC_SYNTAX;
	if (i < len && s[i] == '-') {
		neg = 1;
		i++;
	}
	size_t int_start = i;
	uint64_t v = 0;
	const uint64_t limit = (uint64_t)INT64_MAX;
	int range = 0;
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		if (v > (limit - (uint64_t)(s[i] - '0')) / 10)
			range = 1;
		else
			v = v * 10 + (uint64_t)(s[i] - '0');
		i++;
	}
	if (i == int_start)
		return MLV_DEC_SYNTAX;
	int frac_digits = 0;
	int precision = 0;
	if (i < len && s[i] == '.') {
		i++;
		size_t frac_start = i;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			int d = s[i] - '0';
			if (frac_digits < scale) {
				if (v > (limit - (uint64_t)d) / 10)
					range = 1;
				else
					v = v * 10 + (uint64_t)d;
				frac_digits++;
			} else if (d != 0) {
				precision = 1;
			}
			i++;
		}
		if (i == frac_start)
			return MLV_DEC_SYNTAX;
	}
	if (i != len)
		return MLV_DEC_SYNTAX;
	if (neg && !allow_negative)
		return MLV_DEC_NEGATIVE;
	if (precision)
		return MLV_DEC_PRECISION;
	for (; frac_digits < scale; frac_digits++) {
		if (v > limit / 10)
			range = 1;
		else
			v *= 10;
	}
	if (range)
		return MLV_DEC_RANGE;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return MLV_DEC_OK;
}

int mlv_decimal_format(int64_t v, int scale, char *buf, size_t size)
{
	char digits[32];
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	int n = 0;
	do {
		digits[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	while (n <= scale)
		digits[n++] = '0';
	size_t need = (size_t)n + (scale > 0 ? 1 : 0) + (v < 0 ? 1 : 0);
	if (need + 1 > size)
		return -1;
	size_t o = 0;
	if (v < 0)
		buf[o++] = '-';
	for (int k = n - 1; k >= 0; k--) {
		buf[o++] = digits[k];
		if (k == scale && scale > 0)
			buf[o++] = '.';
	}
	buf[o] = '\0';
	return (int)o;
}
