/* profile.c - country profiles and tariff files (see profile.h).
 *
 * Owns one mlv_profiles: the profiles sorted by code, their rules, the
 * tariff files, and an arena that holds every string and list handed out.
 * Nothing is written after load.
 *
 * Profile files are INI read with libinih.  inih (Debian r55) splits lines
 * longer than 200 bytes into several "lines", truncates section and key
 * names past 50 bytes, strips inline comments after " ;" and joins
 * indented lines to the previous value.  Each of those would silently
 * change a figure, so prescan() first rejects any line that would trigger
 * one: the parser then only sees the subset documented in
 * docs/countries.md.
 *
 * Tariff files are TSV, parsed as untrusted like refdata.c: bounded sizes,
 * exact field counts, strict syntax, codes strictly ascending.
 *
 * Invariants once loaded:
 *  - every rule has a basis and at least one source, valid_from < valid_to,
 *    an id unique across all profiles;
 *  - rules of a kind that must be unique on a day (currency, tariff, the
 *    general tax rate, the default duty ...) do not overlap in time within
 *    a file;
 *  - each member state's union is loaded and is a union;
 *  - tariff rows ascend strictly by code. */
#include "mlv/profile.h"

#include "mlv/arena.h"
#include "mlv/dataset.h"
#include "mlv/decimal.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__extension__ typedef __int128 i128;

#define MAX_PROFILE_FILES 64
#define MAX_PROFILE_BYTES (1u << 20)
#define MAX_TARIFF_BYTES (8u << 20)
#define MAX_TARIFF_LINE 1024
/* inih reads at most INI_MAX_LINE - 1 = 199 bytes per line and keeps 49
 * bytes of a section or key name. */
#define MAX_INI_LINE 199
#define MAX_INI_NAME 49
#define MAX_RULES_PER_FILE 256
#define MAX_LIST 64
#define MAX_SOURCES 8
#define MAX_TIERS 8
#define MAX_FORMATS 8
#define MAX_NOTE 2048
#define MAX_TEXT 190
/* Bounds that keep every product below in an __int128: amounts up to
 * 10^15 minor units, rates up to 1000%, peg factors up to 10^6. */
#define MONEY_MAX 1000000000000000LL
#define RATE_MAX_PPM 10000000
#define PEG_MAX_MICRO 1000000000000LL
/* Units per euro x 10^12 above which a conversion could overflow. */
#define FX_SCALED_MAX 100000000000000000LL

enum { TROW_LINE = 1, TROW_ALL, TROW_MAX };

typedef struct tariff_row {
	const char *code;
	uint8_t len;
	uint8_t kind;
	bool has_adv;
	int32_t adv_ppm;
	const char *specific; /* NULL when empty */
} tariff_row;

typedef struct tariff {
	char *file;
	char *buf;
	tariff_row *rows;
	size_t n;
} tariff;

struct mlv_profile {
	const mlv_profiles *set;
	char code[3];
	const char *name;
	bool is_union;
	char union_code[3];
	const mlv_profile *unio;
	char currency[4];
	mlv_valuation valuation;   /* 0: inherited from the union */
	mlv_fx_day fx_day;         /* 0: inherited */
	int tax_base_freight;      /* -1: inherited */
	const char *tax_name;      /* NULL: inherited */
	const char *const *sources;
	size_t source_count;
	const char *note;
	mlv_rule *rules;
	size_t rule_count;
};

struct mlv_profiles {
	const mlv_refdata *rd;
	mlv_arena *arena;
	mlv_profile *all; /* countries and unions, sorted by code */
	size_t nall;
	const mlv_profile **countries;
	size_t ncountries;
	tariff *tariffs;
	size_t ntariffs;
	const mlv_rule **pegs;
	size_t npegs;
};

/* ---- errors ---- */

static int errf(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int errf(char *err, size_t errlen, int code, const char *fmt, ...)
{
	if (err != NULL && errlen > 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* ---- small parsers ---- */

static bool all_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool is_upper2(const char *s)
{
	return s != NULL && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' &&
	       s[2] == '\0';
}

static bool is_upper3(const char *s)
{
	return s != NULL && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' &&
	       s[2] >= 'A' && s[2] <= 'Z' && s[3] == '\0';
}

/* Splits s at single spaces into at most max tokens (NUL-terminated copies
 * in buf, which has room for strlen(s) + 1).  Returns the count, or -1 on
 * an empty token (two spaces) or too many tokens. */
static int tokens(const char *s, char *buf, size_t bufsize, char **tok, int max)
{
	size_t len = strlen(s);
	if (len + 1 > bufsize || len == 0)
		return -1;
	memcpy(buf, s, len + 1);
	int n = 0;
	char *p = buf;
	for (;;) {
		char *sp = strchr(p, ' ');
		if (sp != NULL)
			*sp = '\0';
		if (*p == '\0' || n == max)
			return -1;
		tok[n++] = p;
		if (sp == NULL)
			break;
		p = sp + 1;
	}
	return n;
}

/* Percent with up to 4 decimals -> parts per million. */
static bool parse_rate(const char *s, int32_t *ppm)
{
	int64_t v = 0;
	if (mlv_decimal_parse(s, strlen(s), 4, 0, &v) != MLV_DEC_OK || v > RATE_MAX_PPM)
		return false;
	*ppm = (int32_t)v;
	return true;
}

static bool parse_word(const char *s, const char *const *words, int *out)
{
	for (int i = 0; words[i] != NULL; i++) {
		if (strcmp(s, words[i]) == 0) {
			*out = i + 1;
			return true;
		}
	}
	return false;
}

static const char *const yes_no[] = {"yes", "no", NULL};

static bool parse_bool(const char *s, bool *out)
{
	int w = 0;
	if (!parse_word(s, yes_no, &w))
		return false;
	*out = w == 1;
	return true;
}

/* Index (1-based) of a tax scheme word of the dataset (the `scheme` enum
 * of tax_collected), so profiles and filings share one list. */
static const mlv_field *scheme_field(void)
{
	const mlv_field *tc = mlv_schema_field(&mlv_consignment_schema, "tax_collected");
	if (tc == NULL || tc->sub == NULL)
		return NULL;
	return mlv_schema_field(tc->sub, "scheme");
}

static unsigned scheme_index(const char *word)
{
	const mlv_field *f = scheme_field();
	if (f == NULL || f->values == NULL)
		return 0;
	for (unsigned i = 0; f->values[i] != NULL && i < 31; i++)
		if (strcmp(f->values[i], word) == 0)
			return i + 1;
	return 0;
}

/* Number templates: # a digit, @ a capital letter, anything else itself. */
static bool valid_format(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 35)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '#' ||
		      c == '@' || c == '-' || c == '.' || c == '/'))
			return false;
	}
	return true;
}

/* Rule ids: a capital letter or digit, then capitals, digits and '-'. */
static bool valid_id(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > MLV_RULE_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c == '-' && i > 0);
		if (!ok)
			return false;
	}
	return true;
}

/* ---- the INI subset ---- */

/* Rejects what inih would not read as written (see the file comment).
 * Also: no empty section, no key before the first section. */
static int prescan(const char *buf, size_t n, const char *path, char *err, size_t errlen)
{
	size_t line = 0, keys_in_section = 0;
	bool in_section = false;
	const char *p = buf, *end = buf + n;
	if (n >= 3 && (unsigned char)buf[0] == 0xef)
		return errf(err, errlen, MLV_EINVALID, "%s: starts with a byte-order mark", path);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl != NULL ? nl : end;
		size_t len = (size_t)(stop - p);
		line++;
		if (len > MAX_INI_LINE)
			return errf(err, errlen, MLV_EINVALID, "%s:%zu: line longer than %d bytes",
				    path, line, MAX_INI_LINE);
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)p[i];
			if (c < 0x20 || c == 0x7f)
				return errf(err, errlen, MLV_EINVALID,
					    "%s:%zu: control character (tabs and CR included)",
					    path, line);
		}
		if (len == 0 || p[0] == ';' || p[0] == '#') {
			/* blank line or comment */
		} else if (p[0] == ' ') {
			return errf(err, errlen, MLV_EINVALID,
				    "%s:%zu: line starts with a space (inih would join it to the "
				    "previous value)", path, line);
		} else if (memchr(p, ';', len) != NULL) {
			return errf(err, errlen, MLV_EINVALID,
				    "%s:%zu: ';' outside a comment (inih would cut the value there)",
				    path, line);
		} else if (p[0] == '[') {
			if (in_section && keys_in_section == 0)
				return errf(err, errlen, MLV_EINVALID, "%s:%zu: empty section before",
					    path, line);
			if (p[len - 1] != ']' || len < 3 || len - 2 > MAX_INI_NAME)
				return errf(err, errlen, MLV_EINVALID,
					    "%s:%zu: section header is not [name] of 1 to %d bytes",
					    path, line, MAX_INI_NAME);
			in_section = true;
			keys_in_section = 0;
		} else {
			const char *eq = memchr(p, '=', len);
			const char *colon = memchr(p, ':', len);
			if (eq == NULL || (colon != NULL && colon < eq))
				return errf(err, errlen, MLV_EINVALID, "%s:%zu: expected key = value",
					    path, line);
			size_t klen = (size_t)(eq - p);
			while (klen > 0 && p[klen - 1] == ' ')
				klen--;
			if (klen == 0 || klen > MAX_INI_NAME)
				return errf(err, errlen, MLV_EINVALID, "%s:%zu: bad key", path, line);
			for (size_t i = 0; i < klen; i++)
				if (!((p[i] >= 'a' && p[i] <= 'z') || p[i] == '_'))
					return errf(err, errlen, MLV_EINVALID,
						    "%s:%zu: keys are lower-case words", path, line);
			if (!in_section)
				return errf(err, errlen, MLV_EINVALID, "%s:%zu: key before any section",
					    path, line);
			keys_in_section++;
		}
		p = nl != NULL ? nl + 1 : end;
	}
	if (in_section && keys_in_section == 0)
		return errf(err, errlen, MLV_EINVALID, "%s: empty last section", path);
	return 0;
}

/* ---- keys ---- */

typedef enum {
	K_VALID_FROM, K_VALID_TO, K_BASIS, K_SOURCE, K_NOTE, K_VERIFIED, K_NAME, K_CURRENCY,
	K_ANCHOR, K_PEG_RATE, K_RATE, K_COMPUTED, K_SPECIFIC, K_INCLUSIVE, K_REDUCED,
	K_SUPER_REDUCED, K_PARKING, K_REGION, K_HS, K_EXCLUDE_HS, K_ORIGINS,
	K_EXCLUDE_ORIGINS, K_CHANNELS, K_SCHEMES, K_REQUIRES_SCHEME, K_SCHEME, K_FORMAT,
	K_APPLIES, K_COVERS, K_THRESHOLD, K_LIMIT, K_AMOUNT, K_BASE_UNIT, K_MIN, K_MAX,
	K_VALUE_ABOVE, K_VALUE_UPTO, K_COMPARE, K_VALUE, K_DIRECT_ONLY, K_AT_SALE,
	K_BORDER_EXEMPT, K_SINGLE_ITEM, K_MODE, K_TARGET, K_WHEN, K_PER, K_PAYER,
	K_COLLECTOR, K_BELOW, K_ABOVE, K_TIER, K_FILE, K_MODEL, K_FACTOR,
	K_COUNT
} key_id;

#define KB(k) (1u << (k))
#define K_ALL 0xffffffffu

static const struct key {
	const char *name;
	key_id id;
	uint32_t kinds; /* bits 1 << mlv_rule_kind */
	bool repeat;
} keys[] = {
	{"valid_from", K_VALID_FROM, K_ALL, false},
	{"valid_to", K_VALID_TO, K_ALL, false},
	{"basis", K_BASIS, K_ALL, false},
	{"source", K_SOURCE, K_ALL, true},
	{"note", K_NOTE, K_ALL, true},
	{"verified", K_VERIFIED, K_ALL, false},
	{"name", K_NAME, KB(MLV_RULE_TAX) | KB(MLV_RULE_EXCISE) | KB(MLV_RULE_SCHEME) |
		 KB(MLV_RULE_FEE) | KB(MLV_RULE_NOTICE), false},
	{"currency", K_CURRENCY, KB(MLV_RULE_CURRENCY) | KB(MLV_RULE_PEG), false},
	{"anchor", K_ANCHOR, KB(MLV_RULE_PEG), false},
	{"rate", K_PEG_RATE, KB(MLV_RULE_PEG), false},
	{"rate", K_RATE, KB(MLV_RULE_TAX) | KB(MLV_RULE_DUTY) | KB(MLV_RULE_EXCISE) |
		 KB(MLV_RULE_FEE) | KB(MLV_RULE_CBEC), false},
	{"computed", K_COMPUTED, KB(MLV_RULE_DUTY), false},
	{"specific", K_SPECIFIC, KB(MLV_RULE_EXCISE), false},
	{"inclusive", K_INCLUSIVE, KB(MLV_RULE_TAX) | KB(MLV_RULE_EXCISE), false},
	{"reduced", K_REDUCED, KB(MLV_RULE_TAX), false},
	{"super_reduced", K_SUPER_REDUCED, KB(MLV_RULE_TAX), false},
	{"parking", K_PARKING, KB(MLV_RULE_TAX), false},
	{"region", K_REGION, KB(MLV_RULE_TAX), false},
	{"hs", K_HS, KB(MLV_RULE_TAX) | KB(MLV_RULE_DUTY) | KB(MLV_RULE_EXCISE), false},
	{"exclude_hs", K_EXCLUDE_HS, KB(MLV_RULE_RELIEF) | KB(MLV_RULE_FLAT_DUTY) |
		 KB(MLV_RULE_TIERED), false},
	{"origins", K_ORIGINS, KB(MLV_RULE_DUTY) | KB(MLV_RULE_RELIEF) | KB(MLV_RULE_TIERED),
	 false},
	{"exclude_origins", K_EXCLUDE_ORIGINS, KB(MLV_RULE_RELIEF) | KB(MLV_RULE_TIERED), false},
	{"channels", K_CHANNELS, KB(MLV_RULE_RELIEF) | KB(MLV_RULE_FLAT_DUTY) |
		 KB(MLV_RULE_TIERED) | KB(MLV_RULE_FEE), false},
	{"schemes", K_SCHEMES, KB(MLV_RULE_FLAT_DUTY), false},
	{"requires_scheme", K_REQUIRES_SCHEME, KB(MLV_RULE_RELIEF), false},
	{"scheme", K_SCHEME, KB(MLV_RULE_SCHEME), false},
	{"format", K_FORMAT, KB(MLV_RULE_SCHEME), false},
	{"applies", K_APPLIES, KB(MLV_RULE_RELIEF) | KB(MLV_RULE_ROUNDING), false},
	{"covers", K_COVERS, KB(MLV_RULE_TIERED), false},
	{"threshold", K_THRESHOLD, KB(MLV_RULE_RELIEF) | KB(MLV_RULE_WAIVER) |
		 KB(MLV_RULE_DECLARATION), false},
	{"ceiling", K_THRESHOLD, KB(MLV_RULE_FLAT_DUTY) | KB(MLV_RULE_SCHEME), false},
	{"order_limit", K_THRESHOLD, KB(MLV_RULE_CBEC), false},
	{"annual_limit", K_LIMIT, KB(MLV_RULE_CBEC), false},
	{"amount", K_AMOUNT, KB(MLV_RULE_FLAT_DUTY) | KB(MLV_RULE_FEE), false},
	{"unit", K_AMOUNT, KB(MLV_RULE_ROUNDING), false},
	{"base_unit", K_BASE_UNIT, KB(MLV_RULE_ROUNDING), false},
	{"min", K_MIN, KB(MLV_RULE_FEE), false},
	{"max", K_MAX, KB(MLV_RULE_FEE), false},
	{"value_above", K_VALUE_ABOVE, KB(MLV_RULE_FEE), false},
	{"value_upto", K_VALUE_UPTO, KB(MLV_RULE_FEE), false},
	{"compare", K_COMPARE, KB(MLV_RULE_RELIEF) | KB(MLV_RULE_WAIVER) |
		 KB(MLV_RULE_DECLARATION) | KB(MLV_RULE_FLAT_DUTY) | KB(MLV_RULE_SCHEME), false},
	{"value", K_VALUE, KB(MLV_RULE_RELIEF) | KB(MLV_RULE_DECLARATION) |
		 KB(MLV_RULE_FLAT_DUTY) | KB(MLV_RULE_SCHEME) | KB(MLV_RULE_TIERED) |
		 KB(MLV_RULE_CBEC) | KB(MLV_RULE_FEE), false},
	{"direct_only", K_DIRECT_ONLY, KB(MLV_RULE_RELIEF), false},
	{"at_sale", K_AT_SALE, KB(MLV_RULE_RELIEF), false},
	{"border_exempt", K_BORDER_EXEMPT, KB(MLV_RULE_SCHEME), false},
	{"single_item", K_SINGLE_ITEM, KB(MLV_RULE_CBEC), false},
	{"mode", K_MODE, KB(MLV_RULE_ROUNDING), false},
	{"target", K_TARGET, KB(MLV_RULE_WAIVER), false},
	{"when", K_WHEN, KB(MLV_RULE_FEE), false},
	{"per", K_PER, KB(MLV_RULE_FEE), false},
	{"payer", K_PAYER, KB(MLV_RULE_FEE), false},
	{"collector", K_COLLECTOR, KB(MLV_RULE_FEE), false},
	{"below", K_BELOW, KB(MLV_RULE_DECLARATION), false},
	{"above", K_ABOVE, KB(MLV_RULE_DECLARATION), false},
	{"tier", K_TIER, KB(MLV_RULE_TIERED), true},
	{"file", K_FILE, KB(MLV_RULE_TARIFF), false},
	{"model", K_MODEL, KB(MLV_RULE_COLLECTION), false},
	{"factor", K_FACTOR, KB(MLV_RULE_VALUATION), false},
	{"tax_factor", K_FACTOR, KB(MLV_RULE_CBEC), false},
};

static const char *const kind_names[] = {"currency", "peg", "tax", "tariff", "duty",
	"relief", "flat_duty", "tiered", "waiver", "cbec", "excise", "scheme", "fee",
	"rounding", "declaration", "valuation", "collection", "notice", NULL};
static const char *const value_words[] = {"intrinsic", "customs", "cif", "item", NULL};
static const char *const compare_words[] = {"le", "lt", NULL};
static const char *const mode_words[] = {"half_up", "half_down", "down", "up", NULL};
static const char *const target_words[] = {"duty", "tax", "each", "sum", NULL};
static const char *const when_words[] = {"always", "entry", "collected", NULL};
static const char *const per_words[] = {"consignment", "line", NULL};
static const char *const payer_words[] = {"border", "vendor", NULL};
static const char *const collector_words[] = {"customs", "carrier", NULL};
static const char *const apply_words[] = {"duty", "tax", "fee", NULL};
static const char *const valuation_words[] = {"cif", "fob", NULL};
static const char *const fxday_words[] = {"assessment", "eu_monthly", NULL};
static const char *const model_words[] = {"platform_withholding", NULL};
static const char *const profile_kind_words[] = {"country", "union", NULL};

const char *mlv_rule_kind_name(mlv_rule_kind kind)
{
	if (kind < 1 || kind > MLV_RULE_KIND_MAX)
		return "";
	return kind_names[kind - 1];
}

/* ---- parsing one file ---- */

typedef struct parse_ctx {
	mlv_profiles *ps;
	mlv_profile *p;
	const char *path;
	char section[MAX_INI_NAME + 2];
	bool in_profile;
	bool have_rule;
	bool seen_profile;
	char seen_sections[MAX_RULES_PER_FILE + 1][MAX_INI_NAME + 2];
	size_t nseen_sections;
	uint64_t seen_keys;
	size_t rule_cap;
	const char *sources[MAX_SOURCES];
	size_t nsources;
	char note[MAX_NOTE];
	size_t note_len;
	mlv_tier tiers[MAX_TIERS];
	size_t ntiers;
	bool rate_set, computed_set, kind_set;
	int rc;
	char msg[256];
} parse_ctx;

static int bad(parse_ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad(parse_ctx *x, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->msg, sizeof(x->msg), fmt, ap);
	va_end(ap);
	x->rc = MLV_EINVALID;
	return 0;
}

static char *dup(parse_ctx *x, const char *s)
{
	char *d = mlv_arena_strndup(x->ps->arena, s, strlen(s));
	if (d == NULL) {
		x->rc = MLV_ENOMEM;
		snprintf(x->msg, sizeof(x->msg), "out of memory");
	}
	return d;
}

static bool valid_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	if (*p == '\0')
		return false;
	for (; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static bool parse_money(parse_ctx *x, const char *s, mlv_money *out)
{
	char buf[64];
	char *tok[2];
	if (tokens(s, buf, sizeof(buf), tok, 2) != 2 || !is_upper3(tok[1]))
		return false;
	int mu = mlv_currency_minor_units(x->ps->rd, tok[1]);
	if (mu < 0)
		return false;
	int64_t v = 0;
	if (mlv_decimal_parse(tok[0], strlen(tok[0]), mu, 0, &v) != MLV_DEC_OK || v > MONEY_MAX)
		return false;
	out->amount = v;
	memcpy(out->currency, tok[1], 4);
	return true;
}

static bool parse_hs_token(const char *t, mlv_hs_range *r)
{
	const char *dash = strchr(t, '-');
	size_t la = dash != NULL ? (size_t)(dash - t) : strlen(t);
	size_t lb = dash != NULL ? strlen(dash + 1) : la;
	const char *b = dash != NULL ? dash + 1 : t;
	if (la < 2 || la > 10 || la != lb || !all_digits(t, la) || !all_digits(b, lb))
		return false;
	memcpy(r->lo, t, la);
	r->lo[la] = '\0';
	memcpy(r->hi, b, lb);
	r->hi[lb] = '\0';
	r->len = (uint8_t)la;
	return strcmp(r->lo, r->hi) <= 0;
}

static bool parse_hs_list(parse_ctx *x, const char *s, const mlv_hs_range **out, size_t *n)
{
	char buf[MAX_INI_LINE + 1];
	char *tok[MAX_LIST];
	int k = tokens(s, buf, sizeof(buf), tok, MAX_LIST);
	if (k <= 0)
		return false;
	mlv_hs_range *r = mlv_arena_alloc(x->ps->arena, sizeof(*r) * (size_t)k);
	if (r == NULL)
		return false;
	for (int i = 0; i < k; i++)
		if (!parse_hs_token(tok[i], &r[i]))
			return false;
	*out = r;
	*n = (size_t)k;
	return true;
}

static bool parse_countries(parse_ctx *x, const char *s, const char (**out)[3], size_t *n)
{
	char buf[MAX_INI_LINE + 1];
	char *tok[MAX_LIST];
	int k = tokens(s, buf, sizeof(buf), tok, MAX_LIST);
	if (k <= 0)
		return false;
	char (*c)[3] = mlv_arena_alloc(x->ps->arena, sizeof(*c) * (size_t)k);
	if (c == NULL)
		return false;
	for (int i = 0; i < k; i++) {
		if (!is_upper2(tok[i]) || !mlv_country_exists(x->ps->rd, tok[i]))
			return false;
		memcpy(c[i], tok[i], 3);
	}
	*out = (const char(*)[3])c;
	*n = (size_t)k;
	return true;
}

static bool parse_channels(const char *s, unsigned *out)
{
	char buf[MAX_INI_LINE + 1];
	char *tok[8];
	int k = tokens(s, buf, sizeof(buf), tok, 8);
	if (k <= 0)
		return false;
	unsigned bits = 0;
	for (int i = 0; i < k; i++) {
		unsigned ch = mlv_enum_index("channel", tok[i]);
		if (ch == 0)
			return false;
		bits |= 1u << ch;
	}
	*out = bits;
	return true;
}

static bool parse_schemes(const char *s, unsigned *out)
{
	char buf[MAX_INI_LINE + 1];
	char *tok[16];
	int k = tokens(s, buf, sizeof(buf), tok, 16);
	if (k <= 0)
		return false;
	unsigned bits = 0;
	for (int i = 0; i < k; i++) {
		unsigned idx = scheme_index(tok[i]);
		if (idx == 0)
			return false;
		bits |= 1u << idx;
	}
	*out = bits;
	return true;
}

static bool parse_applies(const char *s, unsigned *out)
{
	char buf[64];
	char *tok[3];
	int k = tokens(s, buf, sizeof(buf), tok, 3);
	if (k <= 0)
		return false;
	unsigned bits = 0;
	for (int i = 0; i < k; i++) {
		int w = 0;
		if (!parse_word(tok[i], apply_words, &w))
			return false;
		bits |= 1u << (w - 1);
	}
	*out = bits;
	return true;
}

static bool parse_rate_list(const char *s, int32_t *out, size_t max, size_t *n)
{
	char buf[128];
	char *tok[8];
	int k = tokens(s, buf, sizeof(buf), tok, (int)max);
	if (k <= 0)
		return false;
	for (int i = 0; i < k; i++)
		if (!parse_rate(tok[i], &out[i]))
			return false;
	*n = (size_t)k;
	return true;
}

/* "50.00 USD 20" or "3000.00 USD 60 20.00 USD" */
static bool parse_tier(parse_ctx *x, const char *s, mlv_tier *t)
{
	char buf[128];
	char *tok[5];
	int k = tokens(s, buf, sizeof(buf), tok, 5);
	if (k != 3 && k != 5)
		return false;
	char m[64];
	snprintf(m, sizeof(m), "%s %s", tok[0], tok[1]);
	if (!parse_money(x, m, &t->upto) || !parse_rate(tok[2], &t->rate_ppm))
		return false;
	memset(&t->deduction, 0, sizeof(t->deduction));
	if (k == 5) {
		snprintf(m, sizeof(m), "%s %s", tok[3], tok[4]);
		if (!parse_money(x, m, &t->deduction))
			return false;
	}
	return true;
}

static bool parse_formats(parse_ctx *x, const char *s, mlv_rule *r)
{
	char buf[MAX_INI_LINE + 1];
	char *tok[MAX_FORMATS];
	int k = tokens(s, buf, sizeof(buf), tok, MAX_FORMATS);
	if (k <= 0)
		return false;
	const char **f = mlv_arena_alloc(x->ps->arena, sizeof(*f) * (size_t)k);
	if (f == NULL)
		return false;
	for (int i = 0; i < k; i++) {
		if (!valid_format(tok[i]))
			return false;
		f[i] = dup(x, tok[i]);
		if (f[i] == NULL)
			return false;
	}
	r->formats = f;
	r->format_count = (size_t)k;
	return true;
}

static bool add_note(parse_ctx *x, const char *v)
{
	size_t len = strlen(v);
	size_t need = len + (x->note_len > 0 ? 1 : 0);
	if (x->note_len + need + 1 > sizeof(x->note))
		return false;
	if (x->note_len > 0)
		x->note[x->note_len++] = ' ';
	memcpy(x->note + x->note_len, v, len + 1);
	x->note_len += len;
	return true;
}

static bool add_source(parse_ctx *x, const char *v)
{
	if (x->nsources == MAX_SOURCES ||
	    (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0) ||
	    strchr(v, ' ') != NULL)
		return false;
	const char *d = dup(x, v);
	if (d == NULL)
		return false;
	x->sources[x->nsources++] = d;
	return true;
}

static mlv_rule *cur_rule(parse_ctx *x)
{
	return &x->p->rules[x->p->rule_count - 1];
}

static int set_profile_key(parse_ctx *x, const char *name, const char *v)
{
	mlv_profile *p = x->p;
	int w = 0;
	if (strcmp(name, "source") == 0) {
		if (!add_source(x, v))
			return bad(x, "source must be one http(s) URL (at most %d)", MAX_SOURCES);
		return 1;
	}
	if (strcmp(name, "note") == 0) {
		if (!valid_text(v) || !add_note(x, v))
			return bad(x, "note is too long or not text");
		return 1;
	}
	static const char *const pkeys[] = {"country", "kind", "name", "union", "currency",
		"valuation", "tax_base_freight", "fx_day", "tax_name", NULL};
	if (!parse_word(name, pkeys, &w))
		return bad(x, "unknown key %s in [profile]", name);
	if (x->seen_keys & (1ull << w))
		return bad(x, "%s given twice", name);
	x->seen_keys |= 1ull << w;
	switch (w) {
	case 1:
		if (!is_upper2(v))
			return bad(x, "country is not two capital letters");
		memcpy(p->code, v, 3);
		break;
	case 2: {
		int k = 0;
		if (!parse_word(v, profile_kind_words, &k))
			return bad(x, "kind is country or union");
		p->is_union = k == 2;
		x->kind_set = true;
		break;
	}
	case 3:
		if (!valid_text(v) || (p->name = dup(x, v)) == NULL)
			return bad(x, "bad name");
		break;
	case 4:
		if (!is_upper2(v))
			return bad(x, "union is not two capital letters");
		memcpy(p->union_code, v, 3);
		break;
	case 5:
		if (!is_upper3(v) || mlv_currency_minor_units(x->ps->rd, v) < 0)
			return bad(x, "unknown currency %s", v);
		memcpy(p->currency, v, 4);
		break;
	case 6: {
		int k = 0;
		if (!parse_word(v, valuation_words, &k))
			return bad(x, "valuation is cif or fob");
		p->valuation = (mlv_valuation)k;
		break;
	}
	case 7: {
		bool b = false;
		if (!parse_bool(v, &b))
			return bad(x, "tax_base_freight is yes or no");
		p->tax_base_freight = b;
		break;
	}
	case 8: {
		int k = 0;
		if (!parse_word(v, fxday_words, &k))
			return bad(x, "fx_day is assessment or eu_monthly");
		p->fx_day = (mlv_fx_day)k;
		break;
	}
	case 9:
		/* "none" says the country has no import tax (US) */
		if (!valid_text(v) || (p->tax_name = dup(x, strcmp(v, "none") == 0 ? "" : v)) == NULL)
			return bad(x, "bad tax_name");
		break;
	default:
		break;
	}
	return 1;
}

static int set_rule_key(parse_ctx *x, const char *name, const char *v)
{
	mlv_rule *r = cur_rule(x);
	const struct key *k = NULL;
	for (size_t i = 0; i < MLV_ARRAY_LEN(keys); i++) {
		if (strcmp(keys[i].name, name) == 0 && (keys[i].kinds & (1u << r->kind))) {
			k = &keys[i];
			break;
		}
	}
	if (k == NULL)
		return bad(x, "key %s is not one of a %s rule", name, mlv_rule_kind_name(r->kind));
	if (!k->repeat) {
		if (x->seen_keys & (1ull << k->id))
			return bad(x, "%s given twice", name);
		x->seen_keys |= 1ull << k->id;
	}
	int w = 0;
	bool ok = true;
	switch (k->id) {
	case K_VALID_FROM:
		ok = mlv_date_parse(v, strlen(v), &r->valid_from);
		break;
	case K_VALID_TO:
		ok = mlv_date_parse(v, strlen(v), &r->valid_to);
		break;
	case K_BASIS:
		ok = valid_text(v) && (r->basis = dup(x, v)) != NULL;
		break;
	case K_SOURCE:
		ok = add_source(x, v);
		break;
	case K_NOTE:
		ok = valid_text(v) && add_note(x, v);
		break;
	case K_VERIFIED:
		ok = parse_bool(v, &r->verified);
		break;
	case K_NAME:
		ok = valid_text(v) && strlen(v) <= MAX_TEXT && (r->name = dup(x, v)) != NULL;
		break;
	case K_CURRENCY:
		ok = is_upper3(v) && mlv_currency_minor_units(x->ps->rd, v) >= 0;
		if (ok)
			memcpy(r->currency, v, 4);
		break;
	case K_ANCHOR:
		ok = is_upper3(v) && mlv_currency_minor_units(x->ps->rd, v) >= 0;
		if (ok)
			memcpy(r->anchor, v, 4);
		break;
	case K_PEG_RATE:
		ok = mlv_decimal_parse(v, strlen(v), 6, 0, &r->peg_micro) == MLV_DEC_OK &&
		     r->peg_micro > 0 && r->peg_micro <= PEG_MAX_MICRO;
		break;
	case K_RATE:
		ok = parse_rate(v, &r->rate_ppm);
		r->has_rate = ok;
		x->rate_set = ok;
		break;
	case K_COMPUTED:
		ok = parse_bool(v, &r->computed);
		x->computed_set = ok;
		break;
	case K_SPECIFIC:
		ok = parse_bool(v, &r->specific);
		break;
	case K_INCLUSIVE:
		ok = parse_bool(v, &r->inclusive);
		break;
	case K_REDUCED:
		ok = parse_rate_list(v, r->reduced_ppm, MLV_ARRAY_LEN(r->reduced_ppm),
				     &r->reduced_count);
		break;
	case K_SUPER_REDUCED:
		ok = parse_rate(v, &r->super_reduced_ppm);
		break;
	case K_PARKING:
		ok = parse_rate(v, &r->parking_ppm);
		break;
	case K_REGION:
		ok = strlen(v) >= 1 && strlen(v) < sizeof(r->region);
		for (const char *c = v; ok && *c; c++)
			ok = (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9');
		if (ok)
			memcpy(r->region, v, strlen(v) + 1);
		break;
	case K_HS:
		ok = parse_hs_list(x, v, &r->hs, &r->hs_count);
		break;
	case K_EXCLUDE_HS:
		ok = parse_hs_list(x, v, &r->exclude_hs, &r->exclude_hs_count);
		break;
	case K_ORIGINS:
		ok = parse_countries(x, v, &r->origins, &r->origin_count);
		break;
	case K_EXCLUDE_ORIGINS:
		ok = parse_countries(x, v, &r->exclude_origins, &r->exclude_origin_count);
		break;
	case K_CHANNELS:
		ok = parse_channels(v, &r->channels);
		break;
	case K_SCHEMES:
		ok = parse_schemes(v, &r->schemes);
		break;
	case K_REQUIRES_SCHEME:
	case K_SCHEME: {
		unsigned idx = scheme_index(v);
		ok = idx != 0;
		if (k->id == K_SCHEME)
			r->scheme = (uint8_t)idx;
		else
			r->requires_scheme = (uint8_t)idx;
		break;
	}
	case K_FORMAT:
		ok = parse_formats(x, v, r);
		break;
	case K_APPLIES:
		ok = parse_applies(v, &r->applies);
		break;
	case K_COVERS:
		ok = parse_applies(v, &r->covers) && (r->covers & MLV_APPLY_DUTY) &&
		     !(r->covers & MLV_APPLY_FEE);
		break;
	case K_THRESHOLD:
		ok = parse_money(x, v, &r->threshold);
		break;
	case K_LIMIT:
		ok = parse_money(x, v, &r->limit);
		break;
	case K_AMOUNT:
		ok = parse_money(x, v, &r->amount);
		break;
	case K_BASE_UNIT:
		ok = parse_money(x, v, &r->base_unit) && r->base_unit.amount > 0;
		break;
	case K_MIN:
		ok = parse_money(x, v, &r->min);
		break;
	case K_MAX:
		ok = parse_money(x, v, &r->max);
		break;
	case K_VALUE_ABOVE:
		ok = parse_money(x, v, &r->value_above);
		break;
	case K_VALUE_UPTO:
		ok = parse_money(x, v, &r->value_upto);
		break;
	case K_COMPARE:
		ok = parse_word(v, compare_words, &w);
		r->compare = (mlv_compare)w;
		break;
	case K_VALUE:
		ok = parse_word(v, value_words, &w);
		r->value = (mlv_value_basis)w;
		break;
	case K_DIRECT_ONLY:
		ok = parse_bool(v, &r->direct_only);
		break;
	case K_AT_SALE:
		ok = parse_bool(v, &r->at_sale);
		break;
	case K_BORDER_EXEMPT:
		ok = parse_bool(v, &r->border_exempt);
		break;
	case K_SINGLE_ITEM:
		ok = parse_bool(v, &r->single_item);
		break;
	case K_MODE:
		ok = parse_word(v, mode_words, &w);
		r->mode = (mlv_round_mode)w;
		break;
	case K_TARGET:
		ok = parse_word(v, target_words, &w);
		r->target = (mlv_waive)w;
		break;
	case K_WHEN:
		ok = parse_word(v, when_words, &w);
		r->when = (mlv_fee_when)w;
		break;
	case K_PER:
		ok = parse_word(v, per_words, &w);
		r->per = (mlv_fee_per)w;
		break;
	case K_PAYER:
		ok = parse_word(v, payer_words, &w);
		r->payer = (mlv_fee_payer)w;
		break;
	case K_COLLECTOR:
		ok = parse_word(v, collector_words, &w);
		r->collector = (mlv_fee_collector)w;
		break;
	case K_BELOW:
		ok = valid_text(v) && strlen(v) <= 40 && (r->below = dup(x, v)) != NULL;
		break;
	case K_ABOVE:
		ok = valid_text(v) && strlen(v) <= 40 && (r->above = dup(x, v)) != NULL;
		break;
	case K_TIER:
		ok = x->ntiers < MAX_TIERS && parse_tier(x, v, &x->tiers[x->ntiers]);
		if (ok)
			x->ntiers++;
		break;
	case K_FILE: {
		size_t n = strlen(v);
		ok = n > 4 && n < 64 && strcmp(v + n - 4, ".tsv") == 0;
		for (size_t i = 0; ok && i < n - 4; i++)
			ok = (v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9') ||
			     v[i] == '_';
		ok = ok && (r->file = dup(x, v)) != NULL;
		break;
	}
	case K_MODEL:
		ok = parse_word(v, model_words, &w);
		r->model = (mlv_imposed_model)w;
		break;
	case K_FACTOR:
		ok = parse_rate(v, &r->factor_ppm) && r->factor_ppm <= 1000000;
		break;
	case K_COUNT:
		ok = false;
		break;
	}
	if (!ok) {
		if (x->rc == MLV_ENOMEM)
			return 0;
		return bad(x, "bad value for %s: %s", name, v);
	}
	return 1;
}

/* Checks the rule just read and stores its lists. */
static int finish_rule(parse_ctx *x)
{
	mlv_rule *r = cur_rule(x);
	const char *id = r->id;
	if (r->basis == NULL)
		return bad(x, "[%s]: basis is required", id);
	if (x->nsources == 0)
		return bad(x, "[%s]: at least one source is required", id);
	if (r->valid_from >= r->valid_to)
		return bad(x, "[%s]: valid_from is not before valid_to", id);
	const char **src = mlv_arena_alloc(x->ps->arena, sizeof(*src) * x->nsources);
	if (src == NULL)
		return bad(x, "out of memory");
	memcpy(src, x->sources, sizeof(*src) * x->nsources);
	r->sources = src;
	r->source_count = x->nsources;
	if (x->note_len > 0 && (r->note = dup(x, x->note)) == NULL)
		return 0;
	if (r->compare == 0)
		r->compare = MLV_CMP_LE;
	bool need_value = false;
	switch (r->kind) {
	case MLV_RULE_CURRENCY:
		if (r->currency[0] == '\0')
			return bad(x, "[%s]: currency is required", id);
		break;
	case MLV_RULE_PEG:
		if (r->currency[0] == '\0' || r->anchor[0] == '\0' || r->peg_micro == 0)
			return bad(x, "[%s]: currency, anchor and rate are required", id);
		break;
	case MLV_RULE_TAX:
		if (!x->rate_set)
			return bad(x, "[%s]: rate is required", id);
		if (r->inclusive && r->rate_ppm >= 900000)
			return bad(x, "[%s]: an inclusive rate must be below 90%%", id);
		break;
	case MLV_RULE_TARIFF:
		if (r->file == NULL)
			return bad(x, "[%s]: file is required", id);
		break;
	case MLV_RULE_DUTY:
		if (x->rate_set == (x->computed_set && !r->computed))
			return bad(x, "[%s]: give either rate or computed = no", id);
		r->computed = x->rate_set;
		break;
	case MLV_RULE_RELIEF:
		if (r->applies == 0 || (r->applies & MLV_APPLY_FEE))
			return bad(x, "[%s]: applies is duty and/or tax", id);
		if (r->threshold.currency[0] == '\0')
			return bad(x, "[%s]: threshold is required", id);
		if (r->at_sale && !(r->applies & MLV_APPLY_TAX))
			return bad(x, "[%s]: at_sale needs applies = tax", id);
		need_value = true;
		break;
	case MLV_RULE_FLAT_DUTY:
		if (r->amount.currency[0] == '\0' || r->threshold.currency[0] == '\0')
			return bad(x, "[%s]: amount and ceiling are required", id);
		need_value = true;
		break;
	case MLV_RULE_TIERED:
		if (x->ntiers == 0 || r->covers == 0)
			return bad(x, "[%s]: tier and covers are required", id);
		for (size_t i = 1; i < x->ntiers; i++)
			if (strcmp(x->tiers[i].upto.currency, x->tiers[0].upto.currency) != 0 ||
			    x->tiers[i].upto.amount <= x->tiers[i - 1].upto.amount)
				return bad(x, "[%s]: tiers must ascend in one currency", id);
		{
			mlv_tier *t = mlv_arena_alloc(x->ps->arena, sizeof(*t) * x->ntiers);
			if (t == NULL)
				return bad(x, "out of memory");
			memcpy(t, x->tiers, sizeof(*t) * x->ntiers);
			r->tiers = t;
			r->tier_count = x->ntiers;
		}
		need_value = true;
		break;
	case MLV_RULE_WAIVER:
		if (r->threshold.currency[0] == '\0' || r->target == 0)
			return bad(x, "[%s]: threshold and target are required", id);
		break;
	case MLV_RULE_CBEC:
		if (r->threshold.currency[0] == '\0' || r->limit.currency[0] == '\0' ||
		    !x->rate_set || r->factor_ppm == 0)
			return bad(x, "[%s]: order_limit, annual_limit, rate and tax_factor are "
				      "required", id);
		need_value = true;
		break;
	case MLV_RULE_EXCISE:
		if (r->hs_count == 0)
			return bad(x, "[%s]: hs is required", id);
		if (r->inclusive && r->rate_ppm >= 900000)
			return bad(x, "[%s]: an inclusive rate must be below 90%%", id);
		break;
	case MLV_RULE_SCHEME:
		if (r->scheme == 0 || r->format_count == 0)
			return bad(x, "[%s]: scheme and format are required", id);
		if (r->threshold.currency[0] != '\0')
			need_value = true;
		break;
	case MLV_RULE_FEE:
		if (r->name == NULL || (r->amount.currency[0] == '\0' && !r->has_rate))
			return bad(x, "[%s]: name and amount or rate are required", id);
		if (r->has_rate || r->value_above.currency[0] || r->value_upto.currency[0])
			need_value = true;
		if (r->when == 0)
			r->when = MLV_FEE_ALWAYS;
		if (r->per == 0)
			r->per = MLV_FEE_PER_CONSIGNMENT;
		if (r->payer == 0)
			r->payer = MLV_FEE_PAYER_BORDER;
		if (r->collector == 0)
			r->collector = MLV_FEE_BY_CUSTOMS;
		break;
	case MLV_RULE_ROUNDING:
		if (r->applies == 0 || r->amount.currency[0] == '\0' || r->amount.amount <= 0 ||
		    r->mode == 0)
			return bad(x, "[%s]: applies, unit (> 0) and mode are required", id);
		break;
	case MLV_RULE_DECLARATION:
		if (r->threshold.currency[0] == '\0' || r->below == NULL || r->above == NULL)
			return bad(x, "[%s]: threshold, below and above are required", id);
		need_value = true;
		break;
	case MLV_RULE_VALUATION:
		if (r->factor_ppm == 0)
			return bad(x, "[%s]: factor is required", id);
		break;
	case MLV_RULE_COLLECTION:
		if (r->model == 0)
			return bad(x, "[%s]: model is required", id);
		break;
	case MLV_RULE_NOTICE:
		if (r->name == NULL)
			return bad(x, "[%s]: name is required", id);
		break;
	}
	if (need_value && r->value == 0)
		return bad(x, "[%s]: value is required", id);
	return 1;
}

static int finish_section(parse_ctx *x)
{
	int ok = 1;
	if (x->have_rule)
		ok = finish_rule(x);
	else if (x->in_profile) {
		if (x->nsources > 0) {
			const char **src = mlv_arena_alloc(x->ps->arena, sizeof(*src) * x->nsources);
			if (src == NULL)
				return bad(x, "out of memory");
			memcpy(src, x->sources, sizeof(*src) * x->nsources);
			x->p->sources = src;
			x->p->source_count = x->nsources;
		}
		if (x->note_len > 0 && (x->p->note = dup(x, x->note)) == NULL)
			return 0;
	}
	x->have_rule = false;
	x->in_profile = false;
	return ok;
}

static int begin_section(parse_ctx *x, const char *section)
{
	for (size_t i = 0; i < x->nseen_sections; i++)
		if (strcmp(x->seen_sections[i], section) == 0)
			return bad(x, "section [%s] appears twice", section);
	if (x->nseen_sections == MLV_ARRAY_LEN(x->seen_sections))
		return bad(x, "more than %d sections", MAX_RULES_PER_FILE);
	snprintf(x->seen_sections[x->nseen_sections++], sizeof(x->seen_sections[0]), "%s",
		 section);
	snprintf(x->section, sizeof(x->section), "%s", section);
	x->seen_keys = 0;
	x->nsources = 0;
	x->note_len = 0;
	x->note[0] = '\0';
	x->ntiers = 0;
	x->rate_set = false;
	x->computed_set = false;
	if (strcmp(section, "profile") == 0) {
		x->in_profile = true;
		x->seen_profile = true;
		return 1;
	}
	const char *sp = strchr(section, ' ');
	if (sp == NULL || sp == section)
		return bad(x, "section [%s] is not [kind ID]", section);
	char kind[24];
	size_t kl = (size_t)(sp - section);
	if (kl >= sizeof(kind))
		return bad(x, "unknown rule kind in [%s]", section);
	memcpy(kind, section, kl);
	kind[kl] = '\0';
	int kw = 0;
	if (!parse_word(kind, kind_names, &kw))
		return bad(x, "unknown rule kind %s", kind);
	if (!valid_id(sp + 1))
		return bad(x, "rule id %s is not capitals, digits and '-' (1 to %d)", sp + 1,
			   MLV_RULE_ID_MAX);
	mlv_profile *p = x->p;
	if (p->rule_count == x->rule_cap) {
		size_t cap = x->rule_cap ? x->rule_cap * 2 : 16;
		mlv_rule *grown = realloc(p->rules, cap * sizeof(*grown));
		if (grown == NULL) {
			x->rc = MLV_ENOMEM;
			snprintf(x->msg, sizeof(x->msg), "out of memory");
			return 0;
		}
		p->rules = grown;
		x->rule_cap = cap;
	}
	mlv_rule *r = &p->rules[p->rule_count++];
	memset(r, 0, sizeof(*r));
	r->kind = (mlv_rule_kind)kw;
	r->valid_from = MLV_DAY_MIN;
	r->valid_to = MLV_DAY_MAX;
	r->verified = true;
	r->computed = true;
	r->owner = p->code; /* fixed up after the file is read */
	if ((r->id = dup(x, sp + 1)) == NULL)
		return 0;
	x->have_rule = true;
	return 1;
}

static int on_ini(void *user, const char *section, const char *name, const char *value)
{
	parse_ctx *x = user;
	if (x->rc != 0)
		return 0;
	if (strcmp(section, x->section) != 0 || (!x->have_rule && !x->in_profile)) {
		if (!finish_section(x) || !begin_section(x, section))
			return 0;
	}
	if (x->in_profile)
		return set_profile_key(x, name, value);
	return set_rule_key(x, name, value);
}

static int read_whole(const char *path, size_t max, char **out, size_t *len, char *err,
		      size_t errlen)
{
	int rc = 0;
	char *buf = NULL;
	size_t cap = 1u << 14, n = 0;
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return errf(err, errlen, MLV_EIO, "%s: cannot open: %s", path, strerror(errno));
	buf = malloc(cap + 1);
	if (buf == NULL) {
		rc = errf(err, errlen, MLV_ENOMEM, "%s: out of memory", path);
		goto cleanup;
	}
	for (;;) {
		if (n == cap) {
			if (cap >= max) {
				rc = errf(err, errlen, MLV_EINVALID, "%s: larger than %zu bytes",
					  path, max);
				goto cleanup;
			}
			cap *= 2;
			char *grown = realloc(buf, cap + 1);
			if (grown == NULL) {
				rc = errf(err, errlen, MLV_ENOMEM, "%s: out of memory", path);
				goto cleanup;
			}
			buf = grown;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f)) {
				rc = errf(err, errlen, MLV_EIO, "%s: read error", path);
				goto cleanup;
			}
			break;
		}
	}
	buf[n] = '\0';
	if (memchr(buf, '\0', n) != NULL) {
		rc = errf(err, errlen, MLV_EINVALID, "%s: holds a NUL byte", path);
		goto cleanup;
	}
	*out = buf;
	*len = n;
	buf = NULL;
cleanup:
	free(buf);
	fclose(f);
	return rc;
}

static int load_profile_file(mlv_profiles *ps, mlv_profile *p, const char *path,
			     const char *expect_code, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	parse_ctx *x = NULL;
	int rc = read_whole(path, MAX_PROFILE_BYTES, &buf, &len, err, errlen);
	if (rc != 0)
		goto cleanup;
	rc = prescan(buf, len, path, err, errlen);
	if (rc != 0)
		goto cleanup;
	x = calloc(1, sizeof(*x));
	if (x == NULL) {
		rc = errf(err, errlen, MLV_ENOMEM, "%s: out of memory", path);
		goto cleanup;
	}
	x->ps = ps;
	x->p = p;
	x->path = path;
	p->set = ps;
	p->tax_base_freight = -1;
	int line = ini_parse_string(buf, on_ini, x);
	if (x->rc == 0 && line == 0)
		finish_section(x);
	if (x->rc != 0) {
		rc = x->rc;
		if (line > 0)
			errf(err, errlen, rc, "%s:%d: %s", path, line, x->msg);
		else
			errf(err, errlen, rc, "%s: %s", path, x->msg);
		goto cleanup;
	}
	if (line != 0) {
		rc = errf(err, errlen, MLV_EINVALID, "%s:%d: not INI", path, line);
		goto cleanup;
	}
	if (!x->seen_profile || p->code[0] == '\0' || p->name == NULL || !x->kind_set ||
	    p->currency[0] == '\0') {
		rc = errf(err, errlen, MLV_EINVALID,
			  "%s: [profile] needs country, kind, name and currency", path);
		goto cleanup;
	}
	if (strcmp(p->code, expect_code) != 0) {
		rc = errf(err, errlen, MLV_EINVALID, "%s: country %s does not match the file name",
			  path, p->code);
		goto cleanup;
	}
	if (p->is_union && p->union_code[0] != '\0') {
		rc = errf(err, errlen, MLV_EINVALID, "%s: a union cannot belong to a union", path);
		goto cleanup;
	}
	if (!p->is_union && !mlv_country_exists(ps->rd, p->code)) {
		rc = errf(err, errlen, MLV_EINVALID, "%s: %s is not an ISO 3166-1 country", path,
			  p->code);
		goto cleanup;
	}
	if (p->union_code[0] == '\0' && (p->valuation == 0 || p->fx_day == 0 ||
					  p->tax_name == NULL)) {
		rc = errf(err, errlen, MLV_EINVALID,
			  "%s: valuation, fx_day and tax_name are required outside a union", path);
		goto cleanup;
	}
	if (p->union_code[0] == '\0' && p->tax_base_freight < 0)
		p->tax_base_freight = 0;
	rc = 0;
cleanup:
	free(x);
	free(buf);
	return rc;
}

/* ---- tariff files ---- */

static int load_tariff(tariff *t, const char *dir, char *err, size_t errlen)
{
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s/tariffs/%s", dir, t->file);
	if (n < 0 || (size_t)n >= sizeof(path))
		return errf(err, errlen, MLV_EINVALID, "tariff path too long");
	size_t len = 0;
	int rc = read_whole(path, MAX_TARIFF_BYTES, &t->buf, &len, err, errlen);
	if (rc != 0)
		return rc;
	size_t lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += t->buf[i] == '\n';
	t->rows = calloc(lines, sizeof(*t->rows));
	if (t->rows == NULL)
		return errf(err, errlen, MLV_ENOMEM, "%s: out of memory", path);
	char *p = t->buf, *end = t->buf + len;
	size_t lineno = 0;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			return errf(err, errlen, MLV_EINVALID, "%s:%zu: last line has no LF", path,
				    lineno + 1);
		*nl = '\0';
		lineno++;
		if (nl - p > MAX_TARIFF_LINE)
			return errf(err, errlen, MLV_EINVALID, "%s:%zu: line too long", path, lineno);
		char *f[5];
		size_t nf = 0;
		for (char *s = p;;) {
			if (nf < 5)
				f[nf] = s;
			nf++;
			char *tab = strchr(s, '\t');
			if (tab == NULL)
				break;
			*tab = '\0';
			s = tab + 1;
		}
		p = nl + 1;
		if (nf != 4)
			return errf(err, errlen, MLV_EINVALID, "%s:%zu: expected 4 fields", path,
				    lineno);
		if (lineno == 1) {
			if (strcmp(f[0], "code") != 0 || strcmp(f[1], "ad_valorem") != 0 ||
			    strcmp(f[2], "specific") != 0 || strcmp(f[3], "kind") != 0)
				return errf(err, errlen, MLV_EINVALID,
					    "%s:1: header is not code ad_valorem specific kind", path);
			continue;
		}
		tariff_row *r = &t->rows[t->n];
		size_t cl = strlen(f[0]);
		if (cl < 2 || cl > 10 || !all_digits(f[0], cl))
			return errf(err, errlen, MLV_EINVALID, "%s:%zu: code is not 2-10 digits",
				    path, lineno);
		r->code = f[0];
		r->len = (uint8_t)cl;
		if (f[1][0] != '\0') {
			if (!parse_rate(f[1], &r->adv_ppm))
				return errf(err, errlen, MLV_EINVALID, "%s:%zu: bad ad_valorem",
					    path, lineno);
			r->has_adv = true;
		}
		if (f[2][0] != '\0') {
			if (!valid_text(f[2]))
				return errf(err, errlen, MLV_EINVALID, "%s:%zu: bad specific", path,
					    lineno);
			r->specific = f[2];
		}
		if (!r->has_adv && r->specific == NULL)
			return errf(err, errlen, MLV_EINVALID, "%s:%zu: no rate", path, lineno);
		if (strcmp(f[3], "line") == 0)
			r->kind = TROW_LINE;
		else if (strcmp(f[3], "all") == 0)
			r->kind = TROW_ALL;
		else if (strcmp(f[3], "max") == 0)
			r->kind = TROW_MAX;
		else
			return errf(err, errlen, MLV_EINVALID, "%s:%zu: kind is line, all or max",
				    path, lineno);
		if (t->n > 0 && strcmp(t->rows[t->n - 1].code, r->code) >= 0)
			return errf(err, errlen, MLV_EINVALID, "%s:%zu: codes do not ascend", path,
				    lineno);
		t->n++;
	}
	if (t->n == 0)
		return errf(err, errlen, MLV_EINVALID, "%s: no rows", path);
	return 0;
}

static const tariff *find_tariff(const mlv_profiles *ps, const char *file)
{
	for (size_t i = 0; i < ps->ntariffs; i++)
		if (strcmp(ps->tariffs[i].file, file) == 0)
			return &ps->tariffs[i];
	return NULL;
}

static const tariff_row *tariff_lookup(const tariff *t, const char *hs)
{
	size_t hl = strnlen(hs, 11);
	if (hl > 10)
		return NULL;
	for (size_t len = hl; len >= 2; len--) {
		char key[11];
		memcpy(key, hs, len);
		key[len] = '\0';
		size_t lo = 0, hi = t->n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int c = strcmp(t->rows[mid].code, key);
			if (c < 0)
				lo = mid + 1;
			else if (c > 0)
				hi = mid;
			else
				return &t->rows[mid];
		}
	}
	return NULL;
}

/* ---- load ---- */

static int cmp_profile(const void *a, const void *b)
{
	return strcmp(((const mlv_profile *)a)->code, ((const mlv_profile *)b)->code);
}

static int cmp_rule_id(const void *a, const void *b)
{
	return strcmp((*(const mlv_rule *const *)a)->id, (*(const mlv_rule *const *)b)->id);
}

static bool same_ranges(const mlv_rule *a, const mlv_rule *b)
{
	if (a->hs_count != b->hs_count)
		return false;
	for (size_t i = 0; i < a->hs_count; i++)
		if (strcmp(a->hs[i].lo, b->hs[i].lo) != 0 || strcmp(a->hs[i].hi, b->hs[i].hi) != 0)
			return false;
	return true;
}

/* Two rules that could both answer "the" rule of their kind on a day. */
static bool competing(const mlv_rule *a, const mlv_rule *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case MLV_RULE_CURRENCY:
	case MLV_RULE_TARIFF:
	case MLV_RULE_VALUATION:
	case MLV_RULE_CBEC:
	case MLV_RULE_COLLECTION:
	case MLV_RULE_DECLARATION:
		return true;
	case MLV_RULE_PEG:
		return strcmp(a->currency, b->currency) == 0;
	case MLV_RULE_TAX:
		return strcmp(a->region, b->region) == 0 && same_ranges(a, b);
	case MLV_RULE_DUTY:
		return a->hs_count == 0 && b->hs_count == 0 && a->origin_count == 0 &&
		       b->origin_count == 0;
	case MLV_RULE_ROUNDING:
		return (a->applies & b->applies) != 0;
	default:
		return false;
	}
}

static int check_profile(const mlv_profiles *ps, const mlv_profile *p, char *err,
			 size_t errlen)
{
	for (size_t i = 0; i < p->rule_count; i++) {
		const mlv_rule *a = &p->rules[i];
		for (size_t j = i + 1; j < p->rule_count; j++) {
			const mlv_rule *b = &p->rules[j];
			if (competing(a, b) && a->valid_from < b->valid_to &&
			    b->valid_from < a->valid_to)
				return errf(err, errlen, MLV_EINVALID,
					    "%s: rules %s and %s are in force on the same days",
					    p->code, a->id, b->id);
		}
		if (a->kind == MLV_RULE_ROUNDING &&
		    (strcmp(a->amount.currency, p->currency) != 0 ||
		     (a->base_unit.currency[0] && strcmp(a->base_unit.currency, p->currency) != 0)))
			return errf(err, errlen, MLV_EINVALID,
				    "%s: rounding %s is not in the profile currency", p->code, a->id);
	}
	if (p->union_code[0] != '\0') {
		const mlv_profile *u = mlv_profiles_get(ps, p->union_code);
		if (u == NULL || !u->is_union)
			return errf(err, errlen, MLV_EINVALID, "%s: union %s is not loaded", p->code,
				    p->union_code);
	}
	return 0;
}

int mlv_profiles_load(mlv_profiles **out, const char *data_dir, const mlv_refdata *rd,
		      char *err, size_t errlen)
{
	assert(out != NULL && data_dir != NULL && rd != NULL);
	int rc = 0;
	mlv_profiles *ps = NULL;
	DIR *d = NULL;
	const mlv_rule **ids = NULL;
	char names[MAX_PROFILE_FILES][8];
	size_t nnames = 0;
	char path[4096];
	*out = NULL;

	if (scheme_field() == NULL)
		return errf(err, errlen, MLV_EINVALID, "the dataset has no tax scheme list");
	ps = calloc(1, sizeof(*ps));
	if (ps == NULL)
		return errf(err, errlen, MLV_ENOMEM, "out of memory");
	ps->rd = rd;
	ps->arena = mlv_arena_new(1u << 16);
	if (ps->arena == NULL) {
		rc = errf(err, errlen, MLV_ENOMEM, "out of memory");
		goto cleanup;
	}
	int n = snprintf(path, sizeof(path), "%s/countries", data_dir);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		rc = errf(err, errlen, MLV_EINVALID, "data directory path too long");
		goto cleanup;
	}
	d = opendir(path);
	if (d == NULL) {
		rc = errf(err, errlen, MLV_EIO, "%s: cannot open: %s", path, strerror(errno));
		goto cleanup;
	}
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		const char *nm = e->d_name;
		if (strlen(nm) != 6 || strcmp(nm + 2, ".ini") != 0 || nm[0] < 'A' || nm[0] > 'Z' ||
		    nm[1] < 'A' || nm[1] > 'Z')
			continue;
		if (nnames == MAX_PROFILE_FILES) {
			rc = errf(err, errlen, MLV_ETOOBIG, "%s: more than %d profiles", path,
				  MAX_PROFILE_FILES);
			goto cleanup;
		}
		memcpy(names[nnames++], nm, 7);
	}
	if (nnames == 0) {
		rc = errf(err, errlen, MLV_EINVALID, "%s: no profiles", path);
		goto cleanup;
	}
	ps->all = calloc(nnames, sizeof(*ps->all));
	ps->countries = calloc(nnames, sizeof(*ps->countries));
	if (ps->all == NULL || ps->countries == NULL) {
		rc = errf(err, errlen, MLV_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (size_t i = 0; i < nnames; i++) {
		char code[3] = {names[i][0], names[i][1], '\0'};
		n = snprintf(path, sizeof(path), "%s/countries/%s", data_dir, names[i]);
		if (n < 0 || (size_t)n >= sizeof(path)) {
			rc = errf(err, errlen, MLV_EINVALID, "path too long");
			goto cleanup;
		}
		mlv_profile *p = &ps->all[ps->nall++];
		rc = load_profile_file(ps, p, path, code, err, errlen);
		if (rc != 0)
			goto cleanup;
	}
	qsort(ps->all, ps->nall, sizeof(*ps->all), cmp_profile);
	size_t nrules = 0;
	for (size_t i = 0; i < ps->nall; i++) {
		mlv_profile *p = &ps->all[i];
		p->set = ps;
		for (size_t j = 0; j < p->rule_count; j++)
			p->rules[j].owner = p->code; /* the profile moved in the sort */
		nrules += p->rule_count;
		if (!p->is_union)
			ps->countries[ps->ncountries++] = p;
	}
	for (size_t i = 0; i < ps->nall; i++) {
		mlv_profile *p = &ps->all[i];
		if (p->union_code[0] != '\0')
			p->unio = mlv_profiles_get(ps, p->union_code);
		rc = check_profile(ps, p, err, errlen);
		if (rc != 0)
			goto cleanup;
	}
	/* ids unique across files; tariffs loaded once; pegs collected */
	ids = calloc(nrules ? nrules : 1, sizeof(*ids));
	ps->tariffs = calloc(nrules ? nrules : 1, sizeof(*ps->tariffs));
	ps->pegs = calloc(nrules ? nrules : 1, sizeof(*ps->pegs));
	if (ids == NULL || ps->tariffs == NULL || ps->pegs == NULL) {
		rc = errf(err, errlen, MLV_ENOMEM, "out of memory");
		goto cleanup;
	}
	size_t k = 0;
	for (size_t i = 0; i < ps->nall; i++) {
		for (size_t j = 0; j < ps->all[i].rule_count; j++) {
			const mlv_rule *r = &ps->all[i].rules[j];
			ids[k++] = r;
			if (r->kind == MLV_RULE_PEG)
				ps->pegs[ps->npegs++] = r;
			if (r->kind == MLV_RULE_TARIFF && find_tariff(ps, r->file) == NULL) {
				tariff *t = &ps->tariffs[ps->ntariffs++];
				t->file = (char *)r->file;
				rc = load_tariff(t, data_dir, err, errlen);
				if (rc != 0)
					goto cleanup;
			}
		}
	}
	qsort(ids, k, sizeof(*ids), cmp_rule_id);
	for (size_t i = 1; i < k; i++) {
		if (strcmp(ids[i - 1]->id, ids[i]->id) == 0) {
			rc = errf(err, errlen, MLV_EINVALID, "rule id %s is used twice (%s, %s)",
				  ids[i]->id, ids[i - 1]->owner, ids[i]->owner);
			goto cleanup;
		}
	}
	*out = ps;
	ps = NULL;
	rc = 0;
cleanup:
	free(ids);
	if (d != NULL)
		closedir(d);
	mlv_profiles_free(ps);
	return rc;
}

void mlv_profiles_free(mlv_profiles *ps)
{
	if (ps == NULL)
		return;
	for (size_t i = 0; i < ps->nall; i++)
		free(ps->all[i].rules);
	for (size_t i = 0; i < ps->ntariffs; i++) {
		free(ps->tariffs[i].buf);
		free(ps->tariffs[i].rows);
	}
	free(ps->tariffs);
	free(ps->pegs);
	free(ps->all);
	free(ps->countries);
	mlv_arena_free(ps->arena);
	free(ps);
}

/* ---- accessors ---- */

size_t mlv_profiles_count(const mlv_profiles *ps)
{
	return ps->ncountries;
}

const mlv_profile *mlv_profiles_at(const mlv_profiles *ps, size_t i)
{
	return i < ps->ncountries ? ps->countries[i] : NULL;
}

const mlv_profile *mlv_profiles_get(const mlv_profiles *ps, const char *code)
{
	if (ps == NULL || !is_upper2(code))
		return NULL;
	size_t lo = 0, hi = ps->nall;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ps->all[mid].code, code);
		if (c < 0)
			lo = mid + 1;
		else if (c > 0)
			hi = mid;
		else
			return &ps->all[mid];
	}
	return NULL;
}

const char *mlv_profile_code(const mlv_profile *p)
{
	return p->code;
}

const char *mlv_profile_name(const mlv_profile *p)
{
	return p->name;
}

bool mlv_profile_is_union(const mlv_profile *p)
{
	return p->is_union;
}

const mlv_profile *mlv_profile_union(const mlv_profile *p)
{
	return p->unio;
}

const mlv_profiles *mlv_profile_set(const mlv_profile *p)
{
	return p->set;
}

const mlv_refdata *mlv_profile_refdata(const mlv_profile *p)
{
	return p->set->rd;
}

mlv_valuation mlv_profile_valuation(const mlv_profile *p)
{
	if (p->valuation == 0 && p->unio != NULL)
		return p->unio->valuation;
	return p->valuation;
}

mlv_fx_day mlv_profile_fx_day(const mlv_profile *p)
{
	if (p->fx_day == 0 && p->unio != NULL)
		return p->unio->fx_day;
	return p->fx_day;
}

bool mlv_profile_tax_base_freight(const mlv_profile *p)
{
	if (p->tax_base_freight < 0 && p->unio != NULL)
		return p->unio->tax_base_freight > 0;
	return p->tax_base_freight > 0;
}

const char *mlv_profile_tax_name(const mlv_profile *p)
{
	if (p->tax_name == NULL && p->unio != NULL)
		return p->unio->tax_name;
	return p->tax_name != NULL ? p->tax_name : "";
}

bool mlv_rule_in_force(const mlv_rule *r, int32_t day)
{
	return r->valid_from <= day && day < r->valid_to;
}

const mlv_rule *mlv_profile_next_rule(const mlv_profile *p, mlv_rule_kind kind, int32_t day,
				      size_t *cursor)
{
	size_t own = p->rule_count;
	size_t total = own + (p->unio != NULL ? p->unio->rule_count : 0);
	while (*cursor < total) {
		size_t i = (*cursor)++;
		const mlv_rule *r = i < own ? &p->rules[i] : &p->unio->rules[i - own];
		if ((kind == 0 || r->kind == kind) && (day == MLV_DAY_MIN || mlv_rule_in_force(r, day)))
			return r;
	}
	return NULL;
}

const mlv_rule *mlv_profile_rule(const mlv_profile *p, mlv_rule_kind kind, int32_t day)
{
	size_t c = 0;
	return mlv_profile_next_rule(p, kind, day, &c);
}

const char *mlv_profile_currency(const mlv_profile *p, int32_t day)
{
	const mlv_rule *r = mlv_profile_rule(p, MLV_RULE_CURRENCY, day);
	return r != NULL ? r->currency : p->currency;
}

bool mlv_hs_in_ranges(const char *hs, const mlv_hs_range *r, size_t n)
{
	if (hs == NULL)
		return false;
	size_t hl = strnlen(hs, 11);
	for (size_t i = 0; i < n; i++) {
		size_t len = r[i].len;
		if (hl < len)
			continue;
		if (strncmp(hs, r[i].lo, len) >= 0 && strncmp(hs, r[i].hi, len) <= 0)
			return true;
	}
	return false;
}

/* The longest range of r that holds hs, 0 when none. */
static size_t hs_match_len(const char *hs, const mlv_hs_range *r, size_t n)
{
	size_t best = 0;
	for (size_t i = 0; i < n; i++)
		if (r[i].len > best && mlv_hs_in_ranges(hs, &r[i], 1))
			best = r[i].len;
	return best;
}

static bool origin_in(const char *origin, const char (*list)[3], size_t n)
{
	if (origin == NULL || origin[0] == '\0')
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(origin, list[i]) == 0)
			return true;
	return false;
}

int mlv_profile_duty_rate(const mlv_profile *p, int32_t day, const char *hs,
			  const char *origin, mlv_duty_rate *out)
{
	assert(p != NULL && out != NULL);
	memset(out, 0, sizeof(*out));
	out->exact = true;
	const mlv_rule *best = NULL, *fallback = NULL, *r;
	size_t best_len = 0, c = 0;
	bool best_origin = false;
	while ((r = mlv_profile_next_rule(p, MLV_RULE_DUTY, day, &c)) != NULL) {
		if (r->hs_count == 0 && r->origin_count == 0) {
			if (fallback == NULL)
				fallback = r;
			continue;
		}
		size_t len = 0;
		if (r->hs_count > 0 && (len = hs_match_len(hs, r->hs, r->hs_count)) == 0)
			continue;
		bool by_origin = r->origin_count > 0;
		if (by_origin && !origin_in(origin, r->origins, r->origin_count))
			continue;
		/* the most specific: a longer HS match, then an origin match */
		if (best == NULL || len > best_len || (len == best_len && by_origin && !best_origin)) {
			best = r;
			best_len = len;
			best_origin = by_origin;
		}
	}
	if (best != NULL) {
		out->rule = best;
		out->rate_ppm = best->rate_ppm;
		out->computed = best->computed;
		return 0;
	}
	const mlv_rule *tr = mlv_profile_rule(p, MLV_RULE_TARIFF, day);
	if (tr != NULL && hs != NULL) {
		const tariff *t = find_tariff(p->set, tr->file);
		const tariff_row *row = t != NULL ? tariff_lookup(t, hs) : NULL;
		if (row != NULL) {
			out->rule = tr;
			out->rate_ppm = row->has_adv ? row->adv_ppm : 0;
			out->computed = row->has_adv;
			out->exact = row->kind != TROW_MAX;
			out->specific = row->specific;
			memcpy(out->tariff_code, row->code, (size_t)row->len + 1);
			return 0;
		}
	}
	if (fallback != NULL) {
		out->rule = fallback;
		out->rate_ppm = fallback->rate_ppm;
		out->computed = fallback->computed;
		out->exact = false;
		return 0;
	}
	out->computed = false;
	out->exact = false;
	return MLV_ENOTFOUND;
}

const mlv_rule *mlv_profile_tax_rule(const mlv_profile *p, int32_t day, const char *hs,
				     const char *region)
{
	const mlv_rule *best = NULL, *r;
	int best_score = -1;
	size_t best_len = 0, c = 0;
	while ((r = mlv_profile_next_rule(p, MLV_RULE_TAX, day, &c)) != NULL) {
		int score = 0;
		size_t len = 0;
		if (r->region[0] != '\0') {
			if (region == NULL || strcmp(region, r->region) != 0)
				continue;
			score += 2;
		}
		if (r->hs_count > 0) {
			if ((len = hs_match_len(hs, r->hs, r->hs_count)) == 0)
				continue;
			score += 1;
		}
		if (score > best_score || (score == best_score && len > best_len)) {
			best = r;
			best_score = score;
			best_len = len;
		}
	}
	return best;
}

/* ---- currency conversion ---- */

static const mlv_rule *find_peg(const mlv_profiles *ps, const char *cur, int32_t day)
{
	for (size_t i = 0; i < ps->npegs; i++)
		if (strcmp(ps->pegs[i]->currency, cur) == 0 && mlv_rule_in_force(ps->pegs[i], day))
			return ps->pegs[i];
	return NULL;
}

/* Units of `cur` per euro x 10^12. */
static int scaled_rate(const mlv_profiles *ps, const mlv_refdata *rd, const char *cur,
		       int32_t day, i128 *out)
{
	const mlv_rule *peg = find_peg(ps, cur, day);
	int64_t micro = 0;
	int rc = mlv_fx_rate(rd, peg != NULL ? peg->anchor : cur, day, &micro, NULL);
	if (rc != 0)
		return rc;
	i128 v = peg != NULL ? (i128)micro * peg->peg_micro : (i128)micro * 1000000;
	if (v <= 0 || v > FX_SCALED_MAX)
		return MLV_ETOOBIG;
	*out = v;
	return 0;
}

int mlv_profiles_convert(const mlv_profiles *ps, const mlv_refdata *rd, int64_t amount,
			 const char *from, const char *to, int32_t day, int64_t *out)
{
	assert(ps != NULL && rd != NULL && out != NULL);
	if (from == NULL || to == NULL)
		return MLV_EINVALID;
	if (strcmp(from, to) == 0) {
		*out = amount;
		return 0;
	}
	if (find_peg(ps, from, day) == NULL && find_peg(ps, to, day) == NULL)
		return mlv_fx_convert(rd, amount, from, to, day, out);
	int mu_from = mlv_currency_minor_units(rd, from);
	int mu_to = mlv_currency_minor_units(rd, to);
	if (mu_from < 0 || mu_to < 0)
		return MLV_ENOTFOUND;
	if (amount > MONEY_MAX || amount < -MONEY_MAX)
		return MLV_ETOOBIG;
	i128 r_from = 0, r_to = 0;
	int rc = scaled_rate(ps, rd, from, day, &r_from);
	if (rc == 0)
		rc = scaled_rate(ps, rd, to, day, &r_to);
	if (rc != 0)
		return rc;
	/* |amount| <= 10^15, r_to <= 10^17, 10^mu <= 10^4: below 2^127 */
	i128 num = (i128)amount * r_to * mlv_pow10(mu_to);
	i128 den = r_from * mlv_pow10(mu_from);
	i128 q = num / den, rem = num % den;
	if (rem < 0)
		rem = -rem;
	if (2 * rem >= den)
		q += num < 0 ? -1 : 1;
	if (q > INT64_MAX || q < INT64_MIN)
		return MLV_ETOOBIG;
	*out = (int64_t)q;
	return 0;
}

/* ---- JSON ---- */

static int json_money(mlv_buf *b, const mlv_profiles *ps, const char *key, const mlv_money *m)
{
	if (m->currency[0] == '\0')
		return 0;
	char num[32];
	int mu = mlv_currency_minor_units(ps->rd, m->currency);
	if (mu < 0 || mlv_decimal_format(m->amount, mu, num, sizeof(num)) < 0)
		return MLV_EINVALID;
	return mlv_buf_printf(b, ",\"%s\":{\"amount\":\"%s\",\"currency\":\"%s\"}", key, num,
			      m->currency);
}

static int json_rate(mlv_buf *b, const char *key, int32_t ppm)
{
	char num[32];
	if (mlv_decimal_format(ppm, 4, num, sizeof(num)) < 0)
		return MLV_EINVALID;
	/* trim trailing zeros: "20.0000" -> "20" */
	size_t n = strlen(num);
	while (n > 0 && num[n - 1] == '0')
		n--;
	if (n > 0 && num[n - 1] == '.')
		n--;
	num[n] = '\0';
	return mlv_buf_printf(b, ",\"%s\":\"%s\"", key, num);
}

static int json_str(mlv_buf *b, const char *key, const char *s)
{
	if (s == NULL)
		return 0;
	int rc = mlv_buf_printf(b, ",\"%s\":", key);
	return rc != 0 ? rc : mlv_buf_add_json_string(b, s, strlen(s));
}

static int json_date(mlv_buf *b, const char *key, int32_t day, bool open)
{
	if (open)
		return mlv_buf_printf(b, ",\"%s\":null", key);
	char d[11];
	mlv_date_format(day, d);
	return mlv_buf_printf(b, ",\"%s\":\"%s\"", key, d);
}

static int json_ranges(mlv_buf *b, const char *key, const mlv_hs_range *r, size_t n)
{
	if (n == 0)
		return 0;
	int rc = mlv_buf_printf(b, ",\"%s\":[", key);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (strcmp(r[i].lo, r[i].hi) == 0)
			rc = mlv_buf_printf(b, "%s\"%s\"", i ? "," : "", r[i].lo);
		else
			rc = mlv_buf_printf(b, "%s\"%s-%s\"", i ? "," : "", r[i].lo, r[i].hi);
	}
	return rc != 0 ? rc : mlv_buf_addc(b, ']');
}

static int json_countries(mlv_buf *b, const char *key, const char (*c)[3], size_t n)
{
	if (n == 0)
		return 0;
	int rc = mlv_buf_printf(b, ",\"%s\":[", key);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = mlv_buf_printf(b, "%s\"%s\"", i ? "," : "", c[i]);
	return rc != 0 ? rc : mlv_buf_addc(b, ']');
}

static int json_bits(mlv_buf *b, const char *key, unsigned bits, const char *(*name)(unsigned))
{
	if (bits == 0)
		return 0;
	int rc = mlv_buf_printf(b, ",\"%s\":[", key);
	bool first = true;
	for (unsigned i = 1; rc == 0 && i < 32; i++) {
		if (!(bits & (1u << i)))
			continue;
		rc = mlv_buf_printf(b, "%s\"%s\"", first ? "" : ",", name(i));
		first = false;
	}
	return rc != 0 ? rc : mlv_buf_addc(b, ']');
}

static const char *scheme_word(unsigned i)
{
	const mlv_field *f = scheme_field();
	const char *w = f != NULL ? mlv_enum_name(f, i) : NULL;
	return w != NULL ? w : "";
}

static const char *channel_word(unsigned i)
{
	return mlv_channel_name(i);
}

static const char *word(const char *const *words, unsigned v)
{
	for (unsigned i = 0; words[i] != NULL; i++)
		if (i + 1 == v)
			return words[i];
	return NULL;
}

static int json_applies(mlv_buf *b, const char *key, unsigned bits)
{
	if (bits == 0)
		return 0;
	int rc = mlv_buf_printf(b, ",\"%s\":[", key);
	bool first = true;
	for (unsigned i = 0; rc == 0 && i < 3; i++) {
		if (bits & (1u << i)) {
			rc = mlv_buf_printf(b, "%s\"%s\"", first ? "" : ",", apply_words[i]);
			first = false;
		}
	}
	return rc != 0 ? rc : mlv_buf_addc(b, ']');
}

static int write_rule(mlv_buf *b, const mlv_profiles *ps, const mlv_rule *r)
{
	int rc = mlv_buf_printf(b, "{\"id\":\"%s\",\"kind\":\"%s\",\"owner\":\"%s\"", r->id,
				mlv_rule_kind_name(r->kind), r->owner);
	if (rc == 0)
		rc = json_date(b, "valid_from", r->valid_from, r->valid_from == MLV_DAY_MIN);
	if (rc == 0)
		rc = json_date(b, "valid_to", r->valid_to, r->valid_to == MLV_DAY_MAX);
	if (rc == 0)
		rc = json_str(b, "basis", r->basis);
	if (rc == 0)
		rc = mlv_buf_adds(b, ",\"sources\":[");
	for (size_t i = 0; rc == 0 && i < r->source_count; i++) {
		if (i > 0)
			rc = mlv_buf_addc(b, ',');
		if (rc == 0)
			rc = mlv_buf_add_json_string(b, r->sources[i], strlen(r->sources[i]));
	}
	if (rc == 0)
		rc = mlv_buf_printf(b, "],\"verified\":%s", r->verified ? "true" : "false");
	if (rc == 0)
		rc = json_str(b, "note", r->note);
	if (rc == 0)
		rc = json_str(b, "name", r->name);
	if (rc == 0 && r->currency[0])
		rc = mlv_buf_printf(b, ",\"currency\":\"%s\"", r->currency);
	if (rc == 0 && r->kind == MLV_RULE_PEG) {
		char num[32];
		rc = mlv_decimal_format(r->peg_micro, 6, num, sizeof(num)) < 0 ? MLV_EINVALID : 0;
		if (rc == 0)
			rc = mlv_buf_printf(b, ",\"anchor\":\"%s\",\"rate\":\"%s\"", r->anchor, num);
	}
	if (rc == 0 && (r->kind == MLV_RULE_TAX || r->kind == MLV_RULE_CBEC ||
			((r->kind == MLV_RULE_DUTY || r->kind == MLV_RULE_EXCISE ||
			  r->kind == MLV_RULE_FEE) && r->has_rate)))
		rc = json_rate(b, "rate", r->rate_ppm);
	if (rc == 0 && r->kind == MLV_RULE_DUTY)
		rc = mlv_buf_printf(b, ",\"computed\":%s", r->computed ? "true" : "false");
	if (rc == 0 && r->inclusive)
		rc = mlv_buf_adds(b, ",\"inclusive\":true");
	if (rc == 0 && r->specific)
		rc = mlv_buf_adds(b, ",\"specific_not_computed\":true");
	if (rc == 0 && r->reduced_count > 0) {
		rc = mlv_buf_adds(b, ",\"reduced\":[");
		for (size_t i = 0; rc == 0 && i < r->reduced_count; i++) {
			char num[32];
			rc = mlv_decimal_format(r->reduced_ppm[i], 4, num, sizeof(num)) < 0
				     ? MLV_EINVALID
				     : mlv_buf_printf(b, "%s\"%s\"", i ? "," : "", num);
		}
		if (rc == 0)
			rc = mlv_buf_addc(b, ']');
	}
	if (rc == 0 && r->super_reduced_ppm)
		rc = json_rate(b, "super_reduced", r->super_reduced_ppm);
	if (rc == 0 && r->parking_ppm)
		rc = json_rate(b, "parking", r->parking_ppm);
	if (rc == 0 && r->factor_ppm)
		rc = json_rate(b, r->kind == MLV_RULE_CBEC ? "tax_factor" : "factor", r->factor_ppm);
	if (rc == 0 && r->region[0])
		rc = mlv_buf_printf(b, ",\"region\":\"%s\"", r->region);
	if (rc == 0)
		rc = json_ranges(b, "hs", r->hs, r->hs_count);
	if (rc == 0)
		rc = json_ranges(b, "exclude_hs", r->exclude_hs, r->exclude_hs_count);
	if (rc == 0)
		rc = json_countries(b, "origins", r->origins, r->origin_count);
	if (rc == 0)
		rc = json_countries(b, "exclude_origins", r->exclude_origins,
				    r->exclude_origin_count);
	if (rc == 0)
		rc = json_bits(b, "channels", r->channels, channel_word);
	if (rc == 0)
		rc = json_bits(b, "schemes", r->schemes, scheme_word);
	if (rc == 0 && r->requires_scheme)
		rc = mlv_buf_printf(b, ",\"requires_scheme\":\"%s\"", scheme_word(r->requires_scheme));
	if (rc == 0 && r->scheme)
		rc = mlv_buf_printf(b, ",\"scheme\":\"%s\"", scheme_word(r->scheme));
	if (rc == 0 && r->format_count > 0) {
		rc = mlv_buf_adds(b, ",\"formats\":[");
		for (size_t i = 0; rc == 0 && i < r->format_count; i++)
			rc = mlv_buf_printf(b, "%s\"%s\"", i ? "," : "", r->formats[i]);
		if (rc == 0)
			rc = mlv_buf_addc(b, ']');
	}
	if (rc == 0)
		rc = json_applies(b, "applies", r->applies);
	if (rc == 0)
		rc = json_applies(b, "covers", r->covers);
	if (rc == 0)
		rc = json_money(b, ps,
				r->kind == MLV_RULE_CBEC		 ? "order_limit"
				: r->kind == MLV_RULE_FLAT_DUTY ||
						r->kind == MLV_RULE_SCHEME ? "ceiling"
									   : "threshold",
				&r->threshold);
	if (rc == 0)
		rc = json_money(b, ps, "annual_limit", &r->limit);
	if (rc == 0)
		rc = json_money(b, ps, r->kind == MLV_RULE_ROUNDING ? "unit" : "amount", &r->amount);
	if (rc == 0)
		rc = json_money(b, ps, "base_unit", &r->base_unit);
	if (rc == 0)
		rc = json_money(b, ps, "min", &r->min);
	if (rc == 0)
		rc = json_money(b, ps, "max", &r->max);
	if (rc == 0)
		rc = json_money(b, ps, "value_above", &r->value_above);
	if (rc == 0)
		rc = json_money(b, ps, "value_upto", &r->value_upto);
	if (rc == 0 && (r->threshold.currency[0] || r->kind == MLV_RULE_WAIVER))
		rc = mlv_buf_printf(b, ",\"compare\":\"%s\"", word(compare_words, r->compare));
	if (rc == 0 && r->value)
		rc = mlv_buf_printf(b, ",\"value\":\"%s\"", word(value_words, r->value));
	if (rc == 0 && r->direct_only)
		rc = mlv_buf_adds(b, ",\"direct_only\":true");
	if (rc == 0 && r->at_sale)
		rc = mlv_buf_adds(b, ",\"at_sale\":true");
	if (rc == 0 && r->border_exempt)
		rc = mlv_buf_adds(b, ",\"border_exempt\":true");
	if (rc == 0 && r->single_item)
		rc = mlv_buf_adds(b, ",\"single_item\":true");
	if (rc == 0 && r->mode)
		rc = mlv_buf_printf(b, ",\"mode\":\"%s\"", word(mode_words, r->mode));
	if (rc == 0 && r->target)
		rc = mlv_buf_printf(b, ",\"target\":\"%s\"", word(target_words, r->target));
	if (rc == 0 && r->kind == MLV_RULE_FEE)
		rc = mlv_buf_printf(b, ",\"when\":\"%s\",\"per\":\"%s\",\"payer\":\"%s\","
				       "\"collector\":\"%s\"",
				    word(when_words, r->when), word(per_words, r->per),
				    word(payer_words, r->payer), word(collector_words, r->collector));
	if (rc == 0)
		rc = json_str(b, "below", r->below);
	if (rc == 0)
		rc = json_str(b, "above", r->above);
	if (rc == 0 && r->tier_count > 0) {
		rc = mlv_buf_adds(b, ",\"tiers\":[");
		for (size_t i = 0; rc == 0 && i < r->tier_count; i++) {
			rc = mlv_buf_printf(b, "%s{\"index\":%zu", i ? "," : "", i);
			if (rc == 0)
				rc = json_money(b, ps, "upto", &r->tiers[i].upto);
			if (rc == 0)
				rc = json_rate(b, "rate", r->tiers[i].rate_ppm);
			if (rc == 0)
				rc = json_money(b, ps, "deduction", &r->tiers[i].deduction);
			if (rc == 0)
				rc = mlv_buf_addc(b, '}');
		}
		if (rc == 0)
			rc = mlv_buf_addc(b, ']');
	}
	if (rc == 0)
		rc = json_str(b, "file", r->file);
	if (rc == 0 && r->model)
		rc = mlv_buf_printf(b, ",\"model\":\"%s\"", word(model_words, r->model));
	return rc != 0 ? rc : mlv_buf_addc(b, '}');
}

int mlv_profile_write_json(mlv_buf *b, const mlv_profile *p, int32_t day)
{
	assert(b != NULL && p != NULL);
	const mlv_profiles *ps = p->set;
	int rc = mlv_buf_printf(b, "{\"country\":\"%s\"", p->code);
	if (rc == 0)
		rc = json_str(b, "name", p->name);
	if (rc == 0)
		rc = mlv_buf_printf(b, ",\"union\":%s%s%s", p->unio ? "\"" : "",
				    p->unio ? p->unio->code : "null", p->unio ? "\"" : "");
	if (rc == 0 && day != MLV_DAY_MIN)
		rc = json_date(b, "day", day, false);
	if (rc == 0)
		rc = mlv_buf_printf(b, ",\"currency\":\"%s\",\"valuation\":\"%s\","
				       "\"fx_day\":\"%s\",\"tax_base_freight\":%s",
				    day != MLV_DAY_MIN ? mlv_profile_currency(p, day) : p->currency,
				    word(valuation_words, mlv_profile_valuation(p)),
				    word(fxday_words, mlv_profile_fx_day(p)),
				    mlv_profile_tax_base_freight(p) ? "true" : "false");
	if (rc == 0)
		rc = json_str(b, "tax_name", mlv_profile_tax_name(p));
	if (rc == 0)
		rc = json_str(b, "note", p->note);
	if (rc == 0)
		rc = mlv_buf_adds(b, ",\"sources\":[");
	for (size_t i = 0; rc == 0 && i < p->source_count; i++) {
		if (i > 0)
			rc = mlv_buf_addc(b, ',');
		if (rc == 0)
			rc = mlv_buf_add_json_string(b, p->sources[i], strlen(p->sources[i]));
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, "],\"rules\":[");
	size_t c = 0;
	bool first = true;
	const mlv_rule *r;
	while (rc == 0 && (r = mlv_profile_next_rule(p, 0, day, &c)) != NULL) {
		if (!first)
			rc = mlv_buf_addc(b, ',');
		first = false;
		if (rc == 0)
			rc = write_rule(b, ps, r);
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, "]}");
	return rc;
}
