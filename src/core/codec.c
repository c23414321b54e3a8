/* codec.c - table-driven strict decoder and canonical encoder (codec.h).
 *
 * The decoder walks the dataset table, not the JSON: for each object it
 * first checks every member the JSON carries (unknown, duplicate, too
 * many), then decodes each field of the table in table order.  Table order
 * puts a currency before the amounts it governs, so an amount always
 * knows its minor units when it is parsed. */
#include "mlv/codec.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "mlv/decimal.h"

/* Members the server owns: naming them earns a clearer message. */
static const char *const server_owned[] = {
	"id", "status", "state", "lane", "duty", "duties", "tax", "taxes", "score",
	"risk", "decision", "version", "filed_at", "updated_at", "released_at",
	"quality", "assessment", "amounts", "filer", "filer_id", "hits", NULL,
};

struct ctx {
	mlv_arena *arena;
	const mlv_refdata *rd;
	mlv_problems *probs;
	unsigned category; /* 0 when unknown */
	bool partial;      /* one party's part: nothing is required (merge.h) */
	mlv_path path;
};

static void err(struct ctx *c, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void err(struct ctx *c, const char *code, const char *fmt, ...)
{
	char msg[MLV_MESSAGE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	char ptr[MLV_POINTER_MAX];
	mlv_path_render(&c->path, ptr);
	mlv_problems_add(c->probs, MLV_SEV_ERROR, ptr, code, "%s", msg);
}

static bool is_required(const struct ctx *c, const mlv_field *f)
{
	unsigned category = c->category;
	if (c->partial)
		return false;
	if (category != 0)
		return (f->required & MLV_REQ(category)) != 0;
	return (f->required & MLV_REQ_ALL) == MLV_REQ_ALL;
}

/* ---- text checks ------------------------------------------------------- */

bool mlv_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned char c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len;
		uint32_t cp;
		if (c >= 0xC2 && c <= 0xDF) {
			len = 2;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + len > n)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += len;
	}
	return true;
}

static bool has_control(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7F)
			return true;
	}
	return false;
}

static bool is_code(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.' || c == '/' || c == ':'))
			return false;
	}
	return true;
}

static bool is_email(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	if (at == NULL || at == s)
		return false;
	size_t local = (size_t)(at - s), dom = n - local - 1;
	if (dom < 3 || memchr(at + 1, '@', dom) != NULL)
		return false;
	const char *dot = NULL;
	for (size_t i = 0; i < dom; i++) {
		char c = at[1 + i];
		if (c == '.')
			dot = at + 1 + i;
		if (c == ' ' || c == ',' || c == ';' || c == '<' || c == '>')
			return false;
	}
	for (size_t i = 0; i < local; i++)
		if (s[i] == ' ' || s[i] == '<' || s[i] == '>' || s[i] == ',')
			return false;
	return dot != NULL && dot != at + 1 && dot != s + n - 1;
}

static bool is_phone(const char *s, size_t n)
{
	if (n < 8 || n > 16 || s[0] != '+' || s[1] == '0')
		return false;
	for (size_t i = 1; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool is_gtin(const char *s, size_t n)
{
	if (n != 8 && n != 12 && n != 13 && n != 14)
		return false;
	int sum = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
	}
	/* Weights 3,1,3,1... from the digit left of the check digit. */
	for (size_t i = 0; i + 1 < n; i++) {
		int d = s[n - 2 - i] - '0';
		sum += (i % 2 == 0) ? 3 * d : d;
	}
	return (10 - sum % 10) % 10 == s[n - 1] - '0';
}

/* What each string format accepts, and what a filer is told otherwise;
 * indexed by mlv_fmt (MLV_FMT_TEXT: only the control-character check). */
static const struct format_check {
	bool (*ok)(const char *s, size_t n);
	const char *message;
} format_checks[] = {
	[MLV_FMT_TEXT] = {NULL, NULL},
	[MLV_FMT_CODE] = {is_code, "may hold only letters, digits and - _ . / : (no spaces)"},
	[MLV_FMT_EMAIL] = {is_email, "is not an e-mail address"},
	[MLV_FMT_PHONE] = {is_phone, "must be an E.164 number: '+' then 7 to 15 digits"},
	[MLV_FMT_GTIN] = {is_gtin, "is not a GTIN-8, -12, -13 or -14 with a valid check digit"},
};

const char *mlv_format_problem(mlv_fmt fmt, const char *s, size_t n)
{
	if ((size_t)fmt >= MLV_ARRAY_LEN(format_checks) || format_checks[fmt].ok == NULL)
		return NULL;
	return format_checks[fmt].ok(s, n) ? NULL : format_checks[fmt].message;
}

/* ---- dates -------------------------------------------------------------- */

static int two(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

bool mlv_datetime_parse(const char *s, size_t n, int64_t *out)
{
	int32_t day;
	if (n < 20 || !mlv_date_parse(s, 10, &day) || (s[10] != 'T' && s[10] != 't'))
		return false;
	int hh = two(s + 11), mm = two(s + 14), ss = two(s + 17);
	if (s[13] != ':' || s[16] != ':' || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 ||
	    ss > 60)
		return false;
	size_t i = 19;
	if (i < n && s[i] == '.') {
		size_t start = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start)
			return false;
	}
	int64_t off = 0;
	if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i + 6 == n && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
		int oh = two(s + i + 1), om = two(s + i + 4);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return false;
		off = (int64_t)(oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
		i += 6;
	} else {
		return false;
	}
	if (i != n)
		return false;
	if (ss == 60)
		ss = 59;
	*out = (int64_t)day * 86400 + hh * 3600 + mm * 60 + ss - off;
	return true;
}

void mlv_datetime_format(int64_t t, char out[21])
{
	int64_t day = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t sec = t - day * 86400;
	char d[11];
	mlv_date_format((int32_t)day, d);
	snprintf(out, 21, "%.10sT%02u:%02u:%02uZ", d, (unsigned)(sec / 3600) % 24u,
		 (unsigned)(sec / 60) % 60u, (unsigned)sec % 60u);
}

/* ---- depth pre-scan ------------------------------------------------------ */

/* Bytes the depth scan must look at; everything else is skipped fast. */
static const unsigned char depth_special[256] = {
	['"'] = 1, ['\\'] = 1, ['{'] = 1, ['['] = 1, ['}'] = 1, [']'] = 1,
};

int mlv_json_depth(const char *buf, size_t len, int limit)
{
	const unsigned char *p = (const unsigned char *)buf;
	int depth = 0, max = 0;
	bool in_str = false;
	for (size_t i = 0; i < len; i++) {
		while (i < len && !depth_special[p[i]])
			i++;
		if (i >= len)
			break;
		unsigned char c = p[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			if (++depth > max) {
				max = depth;
				if (max > limit)
					return limit + 1;
			}
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return max;
}

/* ---- decoding ------------------------------------------------------------ */

static int decode_object(struct ctx *c, const mlv_schema *s, const cJSON *obj, void *base);

static const char *json_kind(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsObject(v))
		return "an object";
	return "null";
}

/* Returns the string of v, or NULL after reporting a type problem. */
static const char *want_string(struct ctx *c, const mlv_field *f, const cJSON *v, const char *what)
{
	if (cJSON_IsString(v) && v->valuestring != NULL)
		return v->valuestring;
	if (cJSON_IsNumber(v) && (f->type == MLV_F_MONEY || f->type == MLV_F_WEIGHT ||
				  f->type == MLV_F_QUANTITY))
		err(c, "type", "must be %s in a JSON string (such as \"12.30\"), not a number; "
			       "numbers lose precision", what);
	else
		err(c, "type", "must be %s, not %s", what, json_kind(v));
	return NULL;
}

static void *at(void *base, size_t off)
{
	return (char *)base + off;
}

static int decode_string(struct ctx *c, const mlv_field *f, const cJSON *v, void *base)
{
	const char *s = want_string(c, f, v, "a string");
	if (s == NULL)
		return 0;
	size_t n = strlen(s);
	if (!mlv_utf8_valid(s, n)) {
		err(c, "encoding", "is not valid UTF-8");
		return 0;
	}
	if (n < f->min) {
		err(c, n == 0 ? "empty" : "too_short", "must be at least %u bytes long", f->min);
		return 0;
	}
	if (f->max && n > f->max) {
		err(c, "too_long", "must be at most %u bytes long, got %zu", f->max, n);
		return 0;
	}
	if (has_control(s, n)) {
		err(c, "format", "must not contain control characters");
		return 0;
	}
	const struct format_check *fc = &format_checks[f->fmt];
	if (fc->ok != NULL && !fc->ok(s, n)) {
		err(c, "format", "%s", fc->message);
		return 0;
	}
	char *copy = mlv_arena_strndup(c->arena, s, n);
	if (copy == NULL)
		return MLV_ENOMEM;
	*(const char **)at(base, f->offset) = copy;
	return 0;
}

static void decode_enum(struct ctx *c, const mlv_field *f, const cJSON *v, void *base)
{
	const char *s = want_string(c, f, v, "a string");
	if (s == NULL)
		return;
	for (unsigned i = 0; f->values[i] != NULL; i++) {
		if (strcmp(f->values[i], s) == 0) {
			*(uint8_t *)at(base, f->offset) = (uint8_t)(i + 1);
			return;
		}
	}
	char list[MLV_MESSAGE_MAX];
	size_t o = 0;
	for (unsigned i = 0; f->values[i] != NULL && o + 2 < sizeof(list); i++) {
		int w = snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", f->values[i]);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	err(c, "enum", "must be one of: %s", list);
}

static void decode_date(struct ctx *c, const mlv_field *f, const cJSON *v, void *base)
{
	const char *s = want_string(c, f, v, "a date string (YYYY-MM-DD)");
	int32_t day;
	if (s == NULL)
		return;
	if (!mlv_date_parse(s, strlen(s), &day)) {
		err(c, "format", "must be a calendar date YYYY-MM-DD");
		return;
	}
	if (day < 10957 || day > 47482) { /* 2000-01-01 .. 2099-12-31 */
		err(c, "range", "must be between 2000-01-01 and 2099-12-31");
		return;
	}
	mlv_num *n = at(base, f->offset);
	n->v = day;
	n->set = true;
}

static void decode_datetime(struct ctx *c, const mlv_field *f, const cJSON *v, void *base)
{
	const char *s = want_string(c, f, v, "a date-time string (RFC 3339)");
	int64_t t;
	if (s == NULL)
		return;
	if (!mlv_datetime_parse(s, strlen(s), &t)) {
		err(c, "format", "must be an RFC 3339 date-time with an offset, "
				 "such as 2026-12-01T08:30:00Z");
		return;
	}
	if (t < 946684800LL || t > 4102444799LL) {
		err(c, "range", "must be between 2000 and 2099");
		return;
	}
	mlv_num *n = at(base, f->offset);
	n->v = t;
	n->set = true;
}

static void decode_country(struct ctx *c, const mlv_field *f, const cJSON *v, void *base)
{
	const char *s = want_string(c, f, v, "an ISO 3166-1 alpha-2 country code");
	if (s == NULL)
		return;
	if (strlen(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z') {
		err(c, "format", "must be two upper-case letters (ISO 3166-1 alpha-2)");
		return;
	}
	if (!mlv_country_exists(c->rd, s)) {
		err(c, "country_unknown", "'%s' is not an ISO 3166-1 country code", s);
		return;
	}
	memcpy(at(base, f->offset), s, 3);
}

static void decode_currency(struct ctx *c, const mlv_field *f, const cJSON *v, void *base)
{
	const char *s = want_string(c, f, v, "an ISO 4217 currency code");
	if (s == NULL)
		return;
	if (strlen(s) != 3 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' || s[2] < 'A' ||
	    s[2] > 'Z') {
		err(c, "format", "must be three upper-case letters (ISO 4217)");
		return;
	}
	if (mlv_currency_minor_units(c->rd, s) < 0) {
		err(c, "currency_unknown", "'%s' is not an active ISO 4217 currency", s);
		return;
	}
	memcpy(at(base, f->offset), s, 4);
}

static void decode_hscode(struct ctx *c, const mlv_field *f, const cJSON *v, void *base)
{
	const char *s = want_string(c, f, v, "an HS code string");
	if (s == NULL)
		return;
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			err(c, "format", "must be 6 to 10 digits without dots or spaces");
			return;
		}
	}
	if (n < 6 || n > 10) {
		err(c, "format", "must be 6 to 10 digits, got %zu", n);
		return;
	}
	if (!mlv_hs_exists(c->rd, s, 6)) {
		if (mlv_hs_exists(c->rd, s, 4))
			err(c, "hs_unknown", "%.6s is not a subheading of HS 2022 (heading %.4s exists)",
			    s, s);
		else
			err(c, "hs_unknown", "%.6s is not a subheading of HS 2022", s);
		return;
	}
	memcpy(at(base, f->offset), s, n + 1);
}

static void decode_decimal(struct ctx *c, const mlv_field *f, const cJSON *v, void *base,
			   int scale, const char *what)
{
	const char *s = want_string(c, f, v, what);
	int64_t val;
	if (s == NULL)
		return;
	switch (mlv_decimal_parse(s, strlen(s), scale, 0, &val)) {
	case MLV_DEC_OK:
		break;
	case MLV_DEC_SYNTAX:
		err(c, "format", "must be a decimal number such as \"12.30\" (no exponent, sign "
				 "or spaces)");
		return;
	case MLV_DEC_PRECISION:
		err(c, "precision", "has more than %d decimal places", scale);
		return;
	case MLV_DEC_RANGE:
		err(c, "range", "is too large");
		return;
	case MLV_DEC_NEGATIVE:
		err(c, "range", "must not be negative");
		return;
	}
	if ((f->type == MLV_F_QUANTITY || f->type == MLV_F_WEIGHT) && val == 0) {
		err(c, "range", "must be greater than zero");
		return;
	}
	if (val > 999999999999999LL) { /* 10^15 minor units: far beyond any parcel */
		err(c, "range", "is too large");
		return;
	}
	mlv_num *n = at(base, f->offset);
	n->v = val;
	n->set = true;
}

static void decode_money(struct ctx *c, const mlv_field *f, const cJSON *v, void *base,
			 const mlv_schema *s)
{
	const mlv_field *cf = mlv_schema_field(s, f->currency);
	const char *cur = (const char *)at(base, cf->offset);
	int scale = cur[0] ? mlv_currency_minor_units(c->rd, cur) : -1;
	if (scale >= 0) {
		decode_decimal(c, f, v, base, scale, "a decimal amount");
		return;
	}
	/* No usable currency: check the syntax only, keep the amount unset,
	 * and say what is missing unless the currency's own problem says it. */
	size_t before = c->probs->errors;
	decode_decimal(c, f, v, base, 4, "a decimal amount");
	((mlv_num *)at(base, f->offset))->set = false;
	if (c->probs->errors == before && cur[0] == '\0' && !is_required(c, cf))
		err(c, "currency_missing", "needs a valid '%s' beside it", f->currency);
}

static int decode_array(struct ctx *c, const mlv_field *f, const cJSON *v, void *base)
{
	if (!cJSON_IsArray(v)) {
		err(c, "type", "must be an array, not %s", json_kind(v));
		return 0;
	}
	size_t n = (size_t)cJSON_GetArraySize(v);
	if (n < f->min) {
		err(c, "too_few", "must hold at least %u element%s", f->min, f->min == 1 ? "" : "s");
		return 0;
	}
	if (n > f->max) {
		err(c, "too_many", "must hold at most %u elements, got %zu", f->max, n);
		return 0;
	}
	const mlv_schema *s = f->sub;
	char *elems = mlv_arena_alloc(c->arena, n * s->size);
	if (elems == NULL)
		return MLV_ENOMEM;
	size_t i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, v) {
		mlv_path_push_index(&c->path, i);
		if (!cJSON_IsObject(e)) {
			err(c, "type", "must be an object, not %s", json_kind(e));
		} else {
			int rc = decode_object(c, s, e, elems + i * s->size);
			if (rc != 0)
				return rc;
		}
		mlv_path_pop(&c->path);
		i++;
	}
	*(void **)at(base, f->offset) = elems;
	*(size_t *)at(base, f->count_offset) = n;
	return 0;
}

static int decode_field(struct ctx *c, const mlv_schema *s, const mlv_field *f, const cJSON *v,
			void *base)
{
	switch (f->type) {
	case MLV_F_STRING:
		return decode_string(c, f, v, base);
	case MLV_F_ENUM:
		decode_enum(c, f, v, base);
		return 0;
	case MLV_F_DATE:
		decode_date(c, f, v, base);
		return 0;
	case MLV_F_DATETIME:
		decode_datetime(c, f, v, base);
		return 0;
	case MLV_F_COUNTRY:
		decode_country(c, f, v, base);
		return 0;
	case MLV_F_CURRENCY:
		decode_currency(c, f, v, base);
		return 0;
	case MLV_F_HSCODE:
		decode_hscode(c, f, v, base);
		return 0;
	case MLV_F_MONEY:
		decode_money(c, f, v, base, s);
		return 0;
	case MLV_F_WEIGHT:
		decode_decimal(c, f, v, base, 3, "a decimal weight in kilograms");
		return 0;
	case MLV_F_QUANTITY:
		decode_decimal(c, f, v, base, 3, "a decimal quantity");
		return 0;
	case MLV_F_OBJECT:
		if (!cJSON_IsObject(v)) {
			err(c, "type", "must be an object, not %s", json_kind(v));
			return 0;
		}
		return decode_object(c, f->sub, v, at(base, f->offset));
	case MLV_F_ARRAY:
		return decode_array(c, f, v, base);
	}
	return 0;
}

/* Index of the field named `name` in s, or -1; `hint` is where to look
 * first (members usually come in table order). */
static int field_index(const mlv_schema *s, const char *name, size_t hint)
{
	for (size_t k = 0; k < s->nfields; k++) {
		size_t i = hint + k < s->nfields ? hint + k : hint + k - s->nfields;
		const char *j = s->fields[i].json;
		if (j[0] == name[0] && strcmp(j, name) == 0)
			return (int)i;
	}
	return -1;
}

static void unknown_member(struct ctx *c, const mlv_schema *s, const cJSON *obj,
			   const cJSON *m)
{
	const char *name = m->string ? m->string : "";
	for (const cJSON *p = obj->child; p != m; p = p->next) {
		if (p->string && strcmp(p->string, name) == 0) {
			err(c, "duplicate_key", "appears more than once in the object");
			return;
		}
	}
	for (size_t i = 0; server_owned[i] != NULL; i++) {
		if (strcmp(server_owned[i], name) == 0) {
			err(c, "read_only", "is set by customs, never by a filer");
			return;
		}
	}
	err(c, "unknown_field", "is not an element of %s (see docs/dataset.md)", s->name);
}

#define FIELDS_MAX 32

/* One pass over the members: each known one lands in its field's slot
 * (a second one is a duplicate); unknown ones are reported.  Then the
 * fields are decoded in table order. */
static int decode_object(struct ctx *c, const mlv_schema *s, const cJSON *obj, void *base)
{
	const cJSON *slot[FIELDS_MAX];
	*(bool *)base = true; /* every object struct starts with `present` */
	memset(slot, 0, sizeof(slot));
	size_t count = 0, hint = 0;
	for (const cJSON *m = obj->child; m != NULL; m = m->next) {
		if (++count > MLV_MAX_MEMBERS) {
			err(c, "too_many_members", "has more than %d members", MLV_MAX_MEMBERS);
			break;
		}
		const char *name = m->string ? m->string : "";
		int k = field_index(s, name, hint);
		mlv_path_push(&c->path, name);
		if (k < 0)
			unknown_member(c, s, obj, m);
		else if (slot[k] != NULL)
			err(c, "duplicate_key", "appears more than once in the object");
		else
			slot[k] = m;
		mlv_path_pop(&c->path);
		if (k >= 0)
			hint = (size_t)k + 1 < s->nfields ? (size_t)k + 1 : 0;
	}
	for (size_t i = 0; i < s->nfields; i++) {
		const mlv_field *f = &s->fields[i];
		const cJSON *v = slot[i];
		int rc = 0;
		mlv_path_push(&c->path, f->json);
		if (v == NULL || cJSON_IsNull(v)) {
			if (is_required(c, f))
				err(c, "required", "is required%s%s", c->category ? " for category " : "",
				    c->category ? mlv_category_name(c->category) : "");
		} else {
			rc = decode_field(c, s, f, v, base);
		}
		mlv_path_pop(&c->path);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* cJSON allocates from the arena of the decode running on this thread, so
 * a parse costs no malloc/free per node; elsewhere it uses the heap. */
static _Thread_local mlv_arena *json_arena;

static void *json_alloc(size_t n)
{
	return json_arena != NULL ? mlv_arena_alloc(json_arena, n) : malloc(n);
}

static void json_free(void *p)
{
	if (json_arena == NULL)
		free(p);
}

static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

static void install_hooks(void)
{
	cJSON_Hooks h = {json_alloc, json_free};
	cJSON_InitHooks(&h);
}

static int decode(mlv_consignment *out, const char *buf, size_t len, mlv_arena *arena,
		  const mlv_refdata *rd, mlv_problems *probs, bool partial)
{
	memset(out, 0, sizeof(*out));
	if (mlv_json_depth(buf, len, MLV_MAX_DEPTH) > MLV_MAX_DEPTH) {
		mlv_problems_add(probs, MLV_SEV_ERROR, "", "too_deep",
				 "JSON nested deeper than %d levels", MLV_MAX_DEPTH);
		return MLV_EINVALID;
	}
	const char *end = NULL;
	pthread_once(&hooks_once, install_hooks);
	json_arena = arena;
	cJSON *root = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
	json_arena = NULL;
	if (root == NULL) {
		size_t pos = end && end >= buf ? (size_t)(end - buf) : 0;
		mlv_problems_add(probs, MLV_SEV_ERROR, "", "syntax",
				 "not valid JSON (near byte %zu)", pos);
		return MLV_EINVALID;
	}
	int rc = 0;
	for (const char *p = end; p != NULL && p < buf + len; p++) {
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' && *p != '\0') {
			mlv_problems_add(probs, MLV_SEV_ERROR, "", "syntax",
					 "unexpected data after the JSON value (byte %zu)",
					 (size_t)(p - buf));
			rc = MLV_EINVALID;
			goto cleanup;
		}
	}
	if (!cJSON_IsObject(root)) {
		mlv_problems_add(probs, MLV_SEV_ERROR, "", "type",
				 "a consignment must be a JSON object, not %s", json_kind(root));
		rc = MLV_EINVALID;
		goto cleanup;
	}
	struct ctx c = {.arena = arena, .rd = rd, .probs = probs, .partial = partial};
	const cJSON *cat = cJSON_GetObjectItemCaseSensitive(root, "category");
	if (cJSON_IsString(cat))
		c.category = mlv_enum_index("category", cat->valuestring);
	rc = decode_object(&c, &mlv_consignment_schema, root, out);
cleanup:
	json_arena = arena; /* the nodes live in the arena: nothing to free */
	cJSON_Delete(root);
	json_arena = NULL;
	return rc;
}

int mlv_consignment_decode(mlv_consignment *out, const char *buf, size_t len,
			   mlv_arena *arena, const mlv_refdata *rd, mlv_problems *probs)
{
	return decode(out, buf, len, arena, rd, probs, false);
}

int mlv_consignment_decode_part(mlv_consignment *out, const char *buf, size_t len,
				mlv_arena *arena, const mlv_refdata *rd, mlv_problems *probs)
{
	return decode(out, buf, len, arena, rd, probs, true);
}

/* ---- encoding ------------------------------------------------------------ */

static int encode_object(const mlv_schema *s, const void *base, const mlv_refdata *rd,
			 mlv_buf *out);

static int encode_value(const mlv_schema *s, const mlv_field *f, const void *base,
			const mlv_refdata *rd, mlv_buf *out, bool *present)
{
	const void *p = (const char *)base + f->offset;
	char tmp[40];
	*present = true;
	switch (f->type) {
	case MLV_F_STRING: {
		const char *str = *(const char *const *)p;
		if (str == NULL)
			break;
		return mlv_buf_add_json_string(out, str, strlen(str));
	}
	case MLV_F_ENUM: {
		const char *w = mlv_enum_name(f, *(const uint8_t *)p);
		if (w == NULL)
			break;
		return mlv_buf_add_json_string(out, w, strlen(w));
	}
	case MLV_F_COUNTRY:
	case MLV_F_CURRENCY:
	case MLV_F_HSCODE: {
		const char *str = p;
		if (str[0] == '\0')
			break;
		return mlv_buf_add_json_string(out, str, strlen(str));
	}
	case MLV_F_DATE: {
		const mlv_num *n = p;
		if (!n->set)
			break;
		mlv_date_format((int32_t)n->v, tmp);
		return mlv_buf_add_json_string(out, tmp, strlen(tmp));
	}
	case MLV_F_DATETIME: {
		const mlv_num *n = p;
		if (!n->set)
			break;
		mlv_datetime_format(n->v, tmp);
		return mlv_buf_add_json_string(out, tmp, strlen(tmp));
	}
	case MLV_F_MONEY:
	case MLV_F_WEIGHT:
	case MLV_F_QUANTITY: {
		const mlv_num *n = p;
		if (!n->set)
			break;
		int scale = 3;
		if (f->type == MLV_F_MONEY) {
			const mlv_field *cf = mlv_schema_field(s, f->currency);
			scale = mlv_currency_minor_units(rd, (const char *)base + cf->offset);
			if (scale < 0)
				scale = 2;
		}
		int len = mlv_decimal_format(n->v, scale, tmp, sizeof(tmp));
		if (f->type != MLV_F_MONEY) {
			/* Weights and quantities: drop trailing zeros ("2.000" -> "2"). */
			while (len > 0 && strchr(tmp, '.') && tmp[len - 1] == '0')
				tmp[--len] = '\0';
			if (len > 0 && tmp[len - 1] == '.')
				tmp[--len] = '\0';
		}
		return mlv_buf_add_json_string(out, tmp, (size_t)len);
	}
	case MLV_F_OBJECT:
		if (!*(const bool *)p)
			break;
		return encode_object(f->sub, p, rd, out);
	case MLV_F_ARRAY: {
		size_t n = *(const size_t *)((const char *)base + f->count_offset);
		const char *elems = *(const char *const *)p;
		if (n == 0 || elems == NULL)
			break;
		int rc = mlv_buf_addc(out, '[');
		for (size_t i = 0; rc == 0 && i < n; i++) {
			if (i > 0)
				rc = mlv_buf_addc(out, ',');
			if (rc == 0)
				rc = encode_object(f->sub, elems + i * f->sub->size, rd, out);
		}
		return rc ? rc : mlv_buf_addc(out, ']');
	}
	}
	*present = false;
	return 0;
}

static int encode_object(const mlv_schema *s, const void *base, const mlv_refdata *rd,
			 mlv_buf *out)
{
	int rc = mlv_buf_addc(out, '{');
	bool first = true;
	for (size_t i = 0; rc == 0 && i < s->nfields; i++) {
		const mlv_field *f = &s->fields[i];
		size_t mark = out->len;
		if (!first && (rc = mlv_buf_addc(out, ',')) != 0)
			break;
		if ((rc = mlv_buf_add_json_string(out, f->json, strlen(f->json))) != 0 ||
		    (rc = mlv_buf_addc(out, ':')) != 0)
			break;
		bool present;
		rc = encode_value(s, f, base, rd, out, &present);
		if (rc == 0 && !present) {
			out->len = mark; /* take the member name back */
			out->data[mark] = '\0';
		} else {
			first = false;
		}
	}
	return rc ? rc : mlv_buf_addc(out, '}');
}

int mlv_consignment_encode(const mlv_consignment *c, const mlv_refdata *rd, mlv_buf *out)
{
	return encode_object(&mlv_consignment_schema, c, rd, out);
}
