/* refdata.c - HS 2022, ISO 3166-1, ISO 4217 and ECB rates (see refdata.h).
 *
 * Owns one mlv_refdata.  The HS and country files are read whole into
 * buffers the struct keeps and split in place (separators become NULs), so
 * every string handed out points into them and lives until
 * mlv_refdata_free().  Nothing is written after load, which is what makes
 * look-ups safe from many threads.
 *
 * Invariants once loaded:
 *  - hs[] is sorted by (level, numeric code) without duplicates, and every
 *    heading and subheading has its parent;
 *  - country_idx[] and minor_units[] are direct tables keyed by the letters
 *    of the code (26^2 and 26^3 slots), -1 where there is none;
 *  - fx_days[] ascends strictly; fx_rates[col * fx_ndays + i] is the rate
 *    of column col on fx_days[i] in micro-units, 0 where the ECB file says
 *    N/A; rates lie in 1..FX_RATE_MAX so conversions fit an __int128.
 *
 * Files are our own (tools/convert-refdata.py) or the ECB's, yet they are
 * parsed as untrusted: bounded file and line lengths, exact field counts,
 * strict syntax, UTF-8 text without control characters, and errors that
 * name file and line. */
#include "mlv/refdata.h"

#include "mlv/decimal.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FILE_BYTES (32u << 20)
#define MAX_LINE_BYTES 4096
#define MAX_PATH_BYTES 4096
#define FX_MAX_COLS 256
/* 10^9 units of a currency per euro: TRL, the weakest ever listed, peaked
 * near 2 * 10^6.  Keeps amount * rate * 10^4 inside an __int128. */
#define FX_RATE_MAX 1000000000000000LL
/* A day within the file never reaches further back than this: the ECB
 * closes at most a long Easter or Christmas (5 days in practice). */
#define FX_MAX_LOOKBACK 14
#define EUR_MICRO 1000000

__extension__ typedef __int128 i128;

#define KEY2_SLOTS (26 * 26)
#define KEY3_SLOTS (26 * 26 * 26)

typedef struct hs_entry {
	uint32_t key; /* the code's digits as a number */
	uint8_t level;
	const char *code;
	const char *desc;
} hs_entry;

typedef struct country {
	const char *alpha2;
	const char *name;
	const char *currency; /* "" when none */
} country;

struct mlv_refdata {
	char *hs_buf;
	char *country_buf;

	hs_entry *hs;          /* chapters, then headings, then subheadings */
	const hs_entry *lv[3]; /* the slices of hs per level 2, 4, 6 */
	size_t lv_n[3];

	country *countries;
	size_t ncountries;
	int16_t country_idx[KEY2_SLOTS];
	int8_t minor_units[KEY3_SLOTS];

	int16_t fx_col[KEY3_SLOTS];
	size_t fx_ncols;
	size_t fx_ndays;
	int32_t *fx_days;
	int64_t *fx_rates;

	mlv_zdict *zdict; /* optional */
	mlv_zdict *zdict_assessments; /* optional */
};

/* One file being parsed: the unread rest of its buffer and where we are,
 * for error messages. */
typedef struct cursor {
	char *p;
	char *end;
	const char *path;
	size_t line; /* number of the line last returned, 0 before the first */
	char *err;
	size_t errlen;
} cursor;

static int fail(cursor *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(cursor *c, int code, const char *fmt, ...)
{
	if (c->err == NULL || c->errlen == 0)
		return code;
	int n;
	if (c->line > 0)
		n = snprintf(c->err, c->errlen, "%s:%zu: ", c->path, c->line);
	else
		n = snprintf(c->err, c->errlen, "%s: ", c->path);
	if (n < 0 || (size_t)n >= c->errlen)
		return code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return code;
}

/* Reads `path` whole into a NUL-terminated buffer. */
static int read_file(cursor *c, char **out)
{
	int rc = 0;
	char *buf = NULL;
	size_t cap = 1u << 16, n = 0;
	FILE *f = fopen(c->path, "rb");
	if (f == NULL) {
		rc = fail(c, MLV_EIO, "cannot open: %s", strerror(errno));
		goto cleanup;
	}
	buf = malloc(cap + 1);
	if (buf == NULL) {
		rc = fail(c, MLV_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (;;) {
		if (n == cap) {
			if (cap >= MAX_FILE_BYTES) {
				rc = fail(c, MLV_EINVALID, "larger than %u bytes",
					  MAX_FILE_BYTES);
				goto cleanup;
			}
			cap *= 2;
			char *grown = realloc(buf, cap + 1);
			if (grown == NULL) {
				rc = fail(c, MLV_ENOMEM, "out of memory");
				goto cleanup;
			}
			buf = grown;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f)) {
				rc = fail(c, MLV_EIO, "read error");
				goto cleanup;
			}
			break;
		}
	}
	buf[n] = '\0';
	if (memchr(buf, '\0', n) != NULL) {
		rc = fail(c, MLV_EINVALID, "holds a NUL byte");
		goto cleanup;
	}
	c->p = buf;
	c->end = buf + n;
	c->line = 0;
	*out = buf;
	buf = NULL;
cleanup:
	free(buf);
	if (f != NULL)
		fclose(f);
	return rc;
}

/* 1 and *out the next line, NUL-terminated, without its LF or CRLF;
 * 0 at the end of the file; negative on a line that is too long. */
static int next_line(cursor *c, char **out)
{
	if (c->p >= c->end)
		return 0;
	char *start = c->p;
	char *nl = memchr(start, '\n', (size_t)(c->end - start));
	char *stop = nl != NULL ? nl : c->end;
	c->line++;
	if (stop - start > MAX_LINE_BYTES)
		return fail(c, MLV_EINVALID, "line longer than %d bytes",
			    MAX_LINE_BYTES);
	c->p = nl != NULL ? nl + 1 : c->end;
	if (stop > start && stop[-1] == '\r')
		stop--;
	*stop = '\0';
	*out = start;
	return 1;
}

/* Splits `line` at `sep` in place; stores at most `max` fields and returns
 * how many there are, so a caller sees too many as well as too few. */
static size_t split(char *line, char sep, char **fields, size_t max)
{
	size_t n = 0;
	char *s = line;
	for (;;) {
		if (n < max)
			fields[n] = s;
		n++;
		char *q = strchr(s, sep);
		if (q == NULL)
			break;
		*q = '\0';
		s = q + 1;
	}
	return n;
}

/* Reads the header line and checks it is exactly `want`. */
static int expect_header(cursor *c, const char *want)
{
	char *line = NULL;
	int rc = next_line(c, &line);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return fail(c, MLV_EINVALID, "empty file");
	if (strcmp(line, want) != 0)
		return fail(c, MLV_EINVALID, "header is not the expected one");
	return 0;
}

/* Non-empty, well-formed UTF-8 (no overlongs, surrogates or code points
 * past U+10FFFF) and free of control characters: these strings reach JSON
 * responses and documents unescaped. */
static bool valid_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	if (*p == '\0')
		return false;
	while (*p != '\0') {
		unsigned char b = *p;
		if (b < 0x80) {
			if (b < 0x20 || b == 0x7f)
				return false;
			p++;
			continue;
		}
		int extra;
		uint32_t cp;
		if (b >= 0xc2 && b <= 0xdf) {
			extra = 1;
			cp = b & 0x1fu;
		} else if (b >= 0xe0 && b <= 0xef) {
			extra = 2;
			cp = b & 0x0fu;
		} else if (b >= 0xf0 && b <= 0xf4) {
			extra = 3;
			cp = b & 0x07u;
		} else {
			return false;
		}
		for (int i = 1; i <= extra; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3fu);
		}
		if ((extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
		    (cp >= 0x80 && cp < 0xa0))
			return false;
		p += extra + 1;
	}
	return true;
}

static bool all_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool all_upper(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] < 'A' || s[i] > 'Z')
			return false;
	return true;
}

static uint32_t digits_value(const char *s, size_t len)
{
	uint32_t v = 0;
	for (size_t i = 0; i < len; i++)
		v = v * 10 + (uint32_t)(s[i] - '0');
	return v;
}

/* Slot of a two- or three-letter upper-case code, -1 when `s` is anything
 * else (including longer strings). */
static int key2(const char *s)
{
	if (s == NULL || !all_upper(s, 2) || s[2] != '\0')
		return -1;
	return (s[0] - 'A') * 26 + (s[1] - 'A');
}

static int key3(const char *s)
{
	if (s == NULL || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' ||
	    s[2] < 'A' || s[2] > 'Z' || s[3] != '\0')
		return -1;
	return ((s[0] - 'A') * 26 + (s[1] - 'A')) * 26 + (s[2] - 'A');
}

static size_t count_lines(const cursor *c)
{
	size_t n = 1;
	for (const char *p = c->p; p < c->end; p++)
		n += *p == '\n';
	return n;
}

/* ---- dates ---- */

/* Howard Hinnant's days_from_civil / civil_from_days, in int64 so that no
 * int32 day number can overflow. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = era * 400 + yoe + (*m <= 2);
}

static int days_in_month(int y, int m)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31};
	if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 29;
	return mdays[m - 1];
}

bool mlv_date_parse(const char *s, size_t len, int32_t *day)
{
	assert(day != NULL);
	if (s == NULL || len != 10 || s[4] != '-' || s[7] != '-' ||
	    !all_digits(s, 4) || !all_digits(s + 5, 2) || !all_digits(s + 8, 2))
		return false;
	int y = (int)digits_value(s, 4);
	int m = (int)digits_value(s + 5, 2);
	int d = (int)digits_value(s + 8, 2);
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return false;
	*day = (int32_t)days_from_civil(y, m, d);
	return true;
}

/* Days outside 0000-01-01..9999-12-31 cannot come from mlv_date_parse;
 * they print as "0000-00-00", which it rejects, rather than abort. */
void mlv_date_format(int32_t day, char out[11])
{
	int64_t y;
	int m, d;
	civil_from_days(day, &y, &m, &d);
	if (y < 0 || y > 9999) {
		y = 0;
		m = 0;
		d = 0;
	}
	/* by hand: snprintf cannot show the compiler that the fields fit */
	unsigned v[3] = {(unsigned)y, (unsigned)m, (unsigned)d};
	static const int width[3] = {4, 2, 2};
	size_t o = 0;
	for (int f = 0; f < 3; f++) {
		if (f > 0)
			out[o++] = '-';
		for (int i = width[f] - 1; i >= 0; i--) {
			out[o + (size_t)i] = (char)('0' + v[f] % 10);
			v[f] /= 10;
		}
		o += (size_t)width[f];
	}
	out[o] = '\0';
}

/* ---- HS ---- */

static int hs_cmp(const void *a, const void *b)
{
	const hs_entry *x = a, *y = b;
	if (x->level != y->level)
		return x->level < y->level ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return 0;
}

static int level_index(size_t len)
{
	switch (len) {
	case 2:
		return 0;
	case 4:
		return 1;
	case 6:
		return 2;
	default:
		return -1;
	}
}

static const hs_entry *hs_find(const mlv_refdata *rd, int lvl, uint32_t key)
{
	const hs_entry *base = rd->lv[lvl];
	size_t lo = 0, hi = rd->lv_n[lvl];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (base[mid].key < key)
			lo = mid + 1;
		else if (base[mid].key > key)
			hi = mid;
		else
			return &base[mid];
	}
	return NULL;
}

static int load_hs(mlv_refdata *rd, cursor *c)
{
	int rc = read_file(c, &rd->hs_buf);
	if (rc != 0)
		return rc;
	rc = expect_header(c, "code\tlevel\tdescription");
	if (rc != 0)
		return rc;
	rd->hs = calloc(count_lines(c), sizeof(*rd->hs));
	if (rd->hs == NULL)
		return fail(c, MLV_ENOMEM, "out of memory");
	size_t n = 0;
	char *line;
	while ((rc = next_line(c, &line)) > 0) {
		char *f[3];
		if (split(line, '\t', f, 3) != 3)
			return fail(c, MLV_EINVALID, "expected 3 fields");
		size_t len = strlen(f[0]);
		int lvl = level_index(len);
		if (lvl < 0 || !all_digits(f[0], len))
			return fail(c, MLV_EINVALID,
				    "code is not 2, 4 or 6 digits");
		if (strlen(f[1]) != 1 || f[1][0] != (char)('0' + len))
			return fail(c, MLV_EINVALID,
				    "level does not match the code %s", f[0]);
		if (!valid_text(f[2]))
			return fail(c, MLV_EINVALID,
				    "description of %s is empty or not text",
				    f[0]);
		rd->hs[n].key = digits_value(f[0], len);
		rd->hs[n].level = (uint8_t)len;
		rd->hs[n].code = f[0];
		rd->hs[n].desc = f[2];
		n++;
	}
	if (rc < 0)
		return rc;
	c->line = 0;
	qsort(rd->hs, n, sizeof(*rd->hs), hs_cmp);
	for (size_t i = 0; i < n; i++) {
		int lvl = level_index(rd->hs[i].level);
		if (rd->lv[lvl] == NULL)
			rd->lv[lvl] = &rd->hs[i];
		rd->lv_n[lvl]++;
		if (i > 0 && hs_cmp(&rd->hs[i - 1], &rd->hs[i]) == 0)
			return fail(c, MLV_EINVALID, "code %s listed twice",
				    rd->hs[i].code);
	}
	for (int lvl = 0; lvl < 3; lvl++)
		if (rd->lv_n[lvl] == 0)
			return fail(c, MLV_EINVALID, "no %d-digit codes",
				    2 * lvl + 2);
	for (int lvl = 1; lvl < 3; lvl++)
		for (size_t i = 0; i < rd->lv_n[lvl]; i++)
			if (hs_find(rd, lvl - 1, rd->lv[lvl][i].key / 100) ==
			    NULL)
				return fail(c, MLV_EINVALID,
					    "%s has no parent code",
					    rd->lv[lvl][i].code);
	return 0;
}

/* Sections have no look-up yet; loading checks that they partition the
 * chapters, so a broken file is caught when it is introduced. */
static int load_sections(const mlv_refdata *rd, cursor *c)
{
	char *buf = NULL;
	uint8_t section_of[100] = {0}; /* 1-based section number per chapter */
	unsigned nsections = 0, prev_last = 0;
	char *line;
	int rc = read_file(c, &buf);
	if (rc != 0)
		goto cleanup;
	rc = expect_header(c, "section\tname\tfirst_chapter\tlast_chapter");
	if (rc != 0)
		goto cleanup;
	while ((rc = next_line(c, &line)) > 0) {
		char *f[4];
		if (split(line, '\t', f, 4) != 4) {
			rc = fail(c, MLV_EINVALID, "expected 4 fields");
			goto cleanup;
		}
		size_t slen = strlen(f[0]);
		if (slen == 0 || slen > 8 || strspn(f[0], "IVXL") != slen) {
			rc = fail(c, MLV_EINVALID,
				  "section is not a Roman numeral");
			goto cleanup;
		}
		if (!valid_text(f[1])) {
			rc = fail(c, MLV_EINVALID, "name is empty or not text");
			goto cleanup;
		}
		if (strlen(f[2]) != 2 || !all_digits(f[2], 2) ||
		    strlen(f[3]) != 2 || !all_digits(f[3], 2)) {
			rc = fail(c, MLV_EINVALID, "chapters are not 2 digits");
			goto cleanup;
		}
		unsigned first = digits_value(f[2], 2);
		unsigned last = digits_value(f[3], 2);
		if (first > last || first <= prev_last ||
		    hs_find(rd, 0, first) == NULL ||
		    hs_find(rd, 0, last) == NULL) {
			rc = fail(c, MLV_EINVALID,
				  "chapters %s-%s are not an unused range of "
				  "known chapters",
				  f[2], f[3]);
			goto cleanup;
		}
		nsections++;
		for (unsigned ch = first; ch <= last; ch++)
			section_of[ch] = (uint8_t)nsections;
		prev_last = last;
	}
	if (rc < 0)
		goto cleanup;
	c->line = 0;
	for (size_t i = 0; i < rd->lv_n[0]; i++) {
		if (section_of[rd->lv[0][i].key] == 0) {
			rc = fail(c, MLV_EINVALID, "chapter %s is in no section",
				  rd->lv[0][i].code);
			goto cleanup;
		}
	}
	rc = 0;
cleanup:
	free(buf);
	return rc;
}

/* ---- ISO ---- */

static int load_currencies(mlv_refdata *rd, cursor *c)
{
	char *buf = NULL;
	char *line;
	size_t n = 0;
	int rc = read_file(c, &buf);
	if (rc != 0)
		goto cleanup;
	rc = expect_header(c, "code\tnumeric\tminor_units\tname");
	if (rc != 0)
		goto cleanup;
	while ((rc = next_line(c, &line)) > 0) {
		char *f[4];
		if (split(line, '\t', f, 4) != 4) {
			rc = fail(c, MLV_EINVALID, "expected 4 fields");
			goto cleanup;
		}
		int k = key3(f[0]);
		if (k < 0) {
			rc = fail(c, MLV_EINVALID,
				  "code is not three capital letters");
			goto cleanup;
		}
		if (strlen(f[1]) != 3 || !all_digits(f[1], 3)) {
			rc = fail(c, MLV_EINVALID, "numeric is not 3 digits");
			goto cleanup;
		}
		if (strlen(f[2]) != 1 || f[2][0] < '0' || f[2][0] > '4') {
			rc = fail(c, MLV_EINVALID, "minor units are not 0 to 4");
			goto cleanup;
		}
		if (!valid_text(f[3])) {
			rc = fail(c, MLV_EINVALID, "name is empty or not text");
			goto cleanup;
		}
		if (rd->minor_units[k] >= 0) {
			rc = fail(c, MLV_EINVALID, "%s listed twice", f[0]);
			goto cleanup;
		}
		rd->minor_units[k] = (int8_t)(f[2][0] - '0');
		n++;
	}
	if (rc < 0)
		goto cleanup;
	if (n == 0) {
		rc = fail(c, MLV_EINVALID, "no currencies");
		goto cleanup;
	}
	rc = 0;
cleanup:
	free(buf);
	return rc;
}

static int load_countries(mlv_refdata *rd, cursor *c)
{
	int rc = read_file(c, &rd->country_buf);
	if (rc != 0)
		return rc;
	rc = expect_header(c, "alpha2\talpha3\tnumeric\tname\tcurrency");
	if (rc != 0)
		return rc;
	size_t cap = count_lines(c);
	if (cap > KEY2_SLOTS)
		cap = KEY2_SLOTS;
	rd->countries = calloc(cap, sizeof(*rd->countries));
	if (rd->countries == NULL)
		return fail(c, MLV_ENOMEM, "out of memory");
	char *line;
	while ((rc = next_line(c, &line)) > 0) {
		char *f[5];
		if (split(line, '\t', f, 5) != 5)
			return fail(c, MLV_EINVALID, "expected 5 fields");
		int k = key2(f[0]);
		if (k < 0)
			return fail(c, MLV_EINVALID,
				    "alpha2 is not two capital letters");
		if (strlen(f[1]) != 3 || !all_upper(f[1], 3))
			return fail(c, MLV_EINVALID,
				    "alpha3 is not three capital letters");
		if (strlen(f[2]) != 3 || !all_digits(f[2], 3))
			return fail(c, MLV_EINVALID, "numeric is not 3 digits");
		if (!valid_text(f[3]))
			return fail(c, MLV_EINVALID, "name is empty or not text");
		if (f[4][0] != '\0') {
			int ck = key3(f[4]);
			if (ck < 0 || rd->minor_units[ck] < 0)
				return fail(c, MLV_EINVALID,
					    "currency is not an active ISO 4217 "
					    "code");
		}
		if (rd->country_idx[k] >= 0)
			return fail(c, MLV_EINVALID, "%s listed twice", f[0]);
		/* cap bounds n: 26^2 distinct keys at most */
		country *e = &rd->countries[rd->ncountries];
		e->alpha2 = f[0];
		e->name = f[3];
		e->currency = f[4];
		rd->country_idx[k] = (int16_t)rd->ncountries++;
	}
	if (rc < 0)
		return rc;
	if (rd->ncountries == 0)
		return fail(c, MLV_EINVALID, "no countries");
	return 0;
}

/* ---- ECB rates ---- */

static int parse_rate(cursor *c, const char *code, const char *s,
		      int64_t *out)
{
	if (strcmp(s, "N/A") == 0) {
		*out = 0;
		return 0;
	}
	int64_t v = 0;
	mlv_dec_status st = mlv_decimal_parse(s, strlen(s), 6, 0, &v);
	if (st == MLV_DEC_PRECISION)
		return fail(c, MLV_EINVALID,
			    "%s rate \"%.20s\" has more than 6 decimals", code,
			    s);
	if (st != MLV_DEC_OK || v <= 0 || v > FX_RATE_MAX)
		return fail(c, MLV_EINVALID, "%s rate \"%.20s\" is not a rate",
			    code, s);
	*out = v;
	return 0;
}

static void reverse_i32(int32_t *a, size_t n)
{
	for (size_t i = 0, j = n; i + 1 < j; i++, j--) {
		int32_t t = a[i];
		a[i] = a[j - 1];
		a[j - 1] = t;
	}
}

static void reverse_i64(int64_t *a, size_t n)
{
	for (size_t i = 0, j = n; i + 1 < j; i++, j--) {
		int64_t t = a[i];
		a[i] = a[j - 1];
		a[j - 1] = t;
	}
}

/* The ECB's history file: "Date,USD,JPY,...," then one line per business
 * day, newest first, every line ending in a comma (an empty last field),
 * N/A where a currency had no rate that day.  Either date order is taken;
 * the trailing empty field is optional but must be the same on every
 * line. */
static int load_fx(mlv_refdata *rd, cursor *c)
{
	char *buf = NULL;
	char **f = NULL;
	char (*codes)[4] = NULL; /* the header's codes, for messages */
	char *line;
	size_t nfields = 0, cap_days = 0, n = 0;
	bool trailing = false;
	int dir = 0;
	int rc = read_file(c, &buf);
	if (rc != 0)
		goto cleanup;
	f = calloc(FX_MAX_COLS + 2, sizeof(*f));
	codes = calloc(FX_MAX_COLS, sizeof(*codes));
	if (f == NULL || codes == NULL) {
		rc = fail(c, MLV_ENOMEM, "out of memory");
		goto cleanup;
	}
	rc = next_line(c, &line);
	if (rc <= 0) {
		rc = rc < 0 ? rc : fail(c, MLV_EINVALID, "empty file");
		goto cleanup;
	}
	nfields = split(line, ',', f, FX_MAX_COLS + 2);
	trailing = nfields > 1 && nfields <= FX_MAX_COLS + 2 &&
		   f[nfields - 1][0] == '\0';
	rd->fx_ncols = nfields - 1 - (trailing ? 1 : 0);
	if (nfields > FX_MAX_COLS + 2 || rd->fx_ncols > FX_MAX_COLS ||
	    rd->fx_ncols == 0 || strcmp(f[0], "Date") != 0) {
		rc = fail(c, MLV_EINVALID,
			  "header is not Date and 1 to %d currencies",
			  FX_MAX_COLS);
		goto cleanup;
	}
	for (size_t i = 0; i < rd->fx_ncols; i++) {
		int k = key3(f[i + 1]);
		if (k < 0 || strcmp(f[i + 1], "EUR") == 0) {
			rc = fail(c, MLV_EINVALID,
				  "column %zu is not a currency code", i + 2);
			goto cleanup;
		}
		if (rd->fx_col[k] >= 0) {
			rc = fail(c, MLV_EINVALID, "%s listed twice", f[i + 1]);
			goto cleanup;
		}
		rd->fx_col[k] = (int16_t)i;
		memcpy(codes[i], f[i + 1], 4);
	}
	cap_days = count_lines(c);
	rd->fx_days = calloc(cap_days, sizeof(*rd->fx_days));
	rd->fx_rates = calloc(cap_days * rd->fx_ncols, sizeof(*rd->fx_rates));
	if (rd->fx_days == NULL || rd->fx_rates == NULL) {
		rc = fail(c, MLV_ENOMEM, "out of memory");
		goto cleanup;
	}
	while ((rc = next_line(c, &line)) > 0) {
		if (split(line, ',', f, FX_MAX_COLS + 2) != nfields ||
		    (trailing && f[nfields - 1][0] != '\0')) {
			rc = fail(c, MLV_EINVALID,
				  "expected %zu fields like the header",
				  nfields);
			goto cleanup;
		}
		int32_t day;
		if (!mlv_date_parse(f[0], strlen(f[0]), &day)) {
			rc = fail(c, MLV_EINVALID, "date is not YYYY-MM-DD");
			goto cleanup;
		}
		if (n > 0) {
			int step = day > rd->fx_days[n - 1] ? 1 : -1;
			if (day == rd->fx_days[n - 1] ||
			    (dir != 0 && step != dir)) {
				rc = fail(c, MLV_EINVALID,
					  "dates are not in order");
				goto cleanup;
			}
			dir = step;
		}
		rd->fx_days[n] = day;
		for (size_t col = 0; col < rd->fx_ncols; col++) {
			rc = parse_rate(c, codes[col], f[col + 1],
					&rd->fx_rates[col * cap_days + n]);
			if (rc != 0)
				goto cleanup;
		}
		n++;
	}
	if (rc < 0)
		goto cleanup;
	if (n == 0) {
		rc = fail(c, MLV_EINVALID, "no rates");
		goto cleanup;
	}
	/* Rates were laid out with cap_days per column; compact them to n
	 * and put the days in ascending order. */
	for (size_t col = 0; col < rd->fx_ncols; col++) {
		int64_t *r = &rd->fx_rates[col * n];
		memmove(r, &rd->fx_rates[col * cap_days], n * sizeof(*r));
		if (dir < 0)
			reverse_i64(r, n);
	}
	if (dir < 0)
		reverse_i32(rd->fx_days, n);
	rd->fx_ndays = n;
	rc = 0;
cleanup:
	free(codes);
	free(f);
	free(buf);
	return rc;
}

/* ---- load ---- */

int mlv_refdata_load(mlv_refdata **out, const char *dir, char *err,
		     size_t errlen)
{
	static const char *const files[] = {
		"hs/hs2022.tsv",     "hs/sections.tsv",
		"iso/currencies.tsv", "iso/countries.tsv",
		"fx/eurofxref-hist.csv",
	};
	int rc = 0;
	char path[MAX_PATH_BYTES];
	mlv_refdata *rd = NULL;
	assert(out != NULL && dir != NULL);
	*out = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	rd = calloc(1, sizeof(*rd));
	if (rd == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "out of memory");
		rc = MLV_ENOMEM;
		goto cleanup;
	}
	memset(rd->country_idx, 0xff, sizeof(rd->country_idx));
	memset(rd->minor_units, 0xff, sizeof(rd->minor_units));
	memset(rd->fx_col, 0xff, sizeof(rd->fx_col));
	for (size_t i = 0; i < MLV_ARRAY_LEN(files); i++) {
		cursor c = {.path = path, .err = err, .errlen = errlen};
		int n = snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (n < 0 || (size_t)n >= sizeof(path)) {
			if (err != NULL && errlen > 0)
				snprintf(err, errlen, "data path too long");
			rc = MLV_EINVALID;
			goto cleanup;
		}
		switch (i) {
		case 0:
			rc = load_hs(rd, &c);
			break;
		case 1:
			rc = load_sections(rd, &c);
			break;
		case 2:
			rc = load_currencies(rd, &c);
			break;
		case 3:
			rc = load_countries(rd, &c);
			break;
		default:
			rc = load_fx(rd, &c);
			break;
		}
		if (rc != 0)
			goto cleanup;
	}
	/* The zstd dictionary is optional: without it filings are stored
	 * compressed alone. */
	snprintf(path, sizeof(path), "%s/zstd/consignments.dict", dir);
	if (access(path, F_OK) == 0 && (rc = mlv_zdict_load(&rd->zdict, path, err, errlen)) != 0)
		goto cleanup;
	snprintf(path, sizeof(path), "%s/zstd/assessments.dict", dir);
	if (access(path, F_OK) == 0 &&
	    (rc = mlv_zdict_load(&rd->zdict_assessments, path, err, errlen)) != 0)
		goto cleanup;
	*out = rd;
	rd = NULL;
cleanup:
	mlv_refdata_free(rd);
	return rc;
}

const mlv_zdict *mlv_refdata_zdict(const mlv_refdata *rd)
{
	return rd->zdict;
}

const mlv_zdict *mlv_refdata_zdict_assessments(const mlv_refdata *rd)
{
	return rd->zdict_assessments;
}

void mlv_refdata_free(mlv_refdata *rd)
{
	if (rd == NULL)
		return;
	free(rd->hs);
	free(rd->hs_buf);
	free(rd->countries);
	free(rd->country_buf);
	free(rd->fx_days);
	free(rd->fx_rates);
	mlv_zdict_free(rd->zdict);
	mlv_zdict_free(rd->zdict_assessments);
	free(rd);
}

/* ---- look-ups ---- */

static const hs_entry *hs_lookup(const mlv_refdata *rd, const char *code,
				 size_t len)
{
	assert(rd != NULL);
	int lvl = level_index(len);
	if (code == NULL || lvl < 0 || !all_digits(code, len))
		return NULL;
	return hs_find(rd, lvl, digits_value(code, len));
}

bool mlv_hs_exists(const mlv_refdata *rd, const char *code, size_t len)
{
	return hs_lookup(rd, code, len) != NULL;
}

const char *mlv_hs_description(const mlv_refdata *rd, const char *code,
			       size_t len)
{
	const hs_entry *e = hs_lookup(rd, code, len);
	return e != NULL ? e->desc : NULL;
}

size_t mlv_hs6_count(const mlv_refdata *rd)
{
	assert(rd != NULL);
	return rd->lv_n[2];
}

const char *mlv_hs6_at(const mlv_refdata *rd, size_t i)
{
	assert(rd != NULL);
	if (i >= rd->lv_n[2])
		return NULL;
	return rd->lv[2][i].code;
}

static const country *country_lookup(const mlv_refdata *rd,
				     const char *alpha2)
{
	assert(rd != NULL);
	int k = key2(alpha2);
	if (k < 0 || rd->country_idx[k] < 0)
		return NULL;
	return &rd->countries[rd->country_idx[k]];
}

bool mlv_country_exists(const mlv_refdata *rd, const char *alpha2)
{
	return country_lookup(rd, alpha2) != NULL;
}

const char *mlv_country_name(const mlv_refdata *rd, const char *alpha2)
{
	const country *e = country_lookup(rd, alpha2);
	return e != NULL ? e->name : NULL;
}

const char *mlv_country_currency(const mlv_refdata *rd, const char *alpha2)
{
	const country *e = country_lookup(rd, alpha2);
	return e != NULL ? e->currency : NULL;
}

int mlv_currency_minor_units(const mlv_refdata *rd, const char *code)
{
	assert(rd != NULL);
	int k = key3(code);
	return k < 0 ? -1 : rd->minor_units[k];
}

/* The rate of the newest publication day on or before `day`.  A currency
 * the ECB left out (N/A) that day has no rate: it was suspended or not yet
 * listed, and an older rate would be stale, not merely a weekend's.
 * Past the last day of the file its last rates stay in force. */
int mlv_fx_rate(const mlv_refdata *rd, const char *currency, int32_t day,
		int64_t *rate_micro, int32_t *rate_day)
{
	assert(rd != NULL && rate_micro != NULL);
	if (currency != NULL && strcmp(currency, "EUR") == 0) {
		*rate_micro = EUR_MICRO;
		if (rate_day != NULL)
			*rate_day = day;
		return 0;
	}
	int k = key3(currency);
	if (k < 0 || rd->fx_col[k] < 0)
		return MLV_ENOTFOUND;
	size_t lo = 0, hi = rd->fx_ndays;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (rd->fx_days[mid] <= day)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return MLV_ENOTFOUND;
	size_t i = lo - 1;
	if (i + 1 < rd->fx_ndays &&
	    (int64_t)day - rd->fx_days[i] > FX_MAX_LOOKBACK)
		return MLV_ENOTFOUND;
	int64_t r = rd->fx_rates[(size_t)rd->fx_col[k] * rd->fx_ndays + i];
	if (r == 0)
		return MLV_ENOTFOUND;
	*rate_micro = r;
	if (rate_day != NULL)
		*rate_day = rd->fx_days[i];
	return 0;
}

/* out = amount * rate_to * 10^mu_to / (rate_from * 10^mu_from), rounded
 * once, half away from zero.  Bounds: |amount| < 2^63, rates <=
 * FX_RATE_MAX (10^15), 10^mu <= 10^4, so the numerator stays below
 * 2^63 * 10^19 < 2^127 and so does twice the denominator. */
int mlv_fx_convert(const mlv_refdata *rd, int64_t amount, const char *from,
		   const char *to, int32_t day, int64_t *out)
{
	assert(rd != NULL && out != NULL);
	int mu_from = mlv_currency_minor_units(rd, from);
	int mu_to = mlv_currency_minor_units(rd, to);
	if (mu_from < 0 || mu_to < 0)
		return MLV_ENOTFOUND;
	if (strcmp(from, to) == 0) {
		*out = amount;
		return 0;
	}
	int64_t rate_from = 0, rate_to = 0;
	int rc = mlv_fx_rate(rd, from, day, &rate_from, NULL);
	if (rc != 0)
		return rc;
	rc = mlv_fx_rate(rd, to, day, &rate_to, NULL);
	if (rc != 0)
		return rc;
	i128 num = (i128)amount * rate_to * mlv_pow10(mu_to);
	i128 den = (i128)rate_from * mlv_pow10(mu_from);
	i128 q = num / den;
	i128 r = num % den;
	if (r < 0)
		r = -r;
	if (2 * r >= den)
		q += num < 0 ? -1 : 1;
	if (q > INT64_MAX || q < INT64_MIN)
		return MLV_ETOOBIG;
	*out = (int64_t)q;
	return 0;
}

int32_t mlv_fx_last_day(const mlv_refdata *rd)
{
	assert(rd != NULL);
	return rd->fx_days[rd->fx_ndays - 1];
}
