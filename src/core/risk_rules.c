/* risk_rules.c - risk profiles and goods lists: text -> rules -> indexes
 * (risk.h, risk_impl.h; the format is docs/risk-rules.md).
 *
 * Owns the parser and the compiler of a risk_set.  Text is untrusted:
 * bounded file, line, list and phrase lengths, strict values, UTF-8 without
 * control characters, every error as "name:line: message".  A criterion
 * on the buyer is refused here, once, so no later stage can be fed one.
 *
 * Rules and their arrays live in the set's arena; the compiled index is
 * malloc'd arrays that mlv_risk_set_free() releases. */
#include "risk_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>

#include "mlv/codec.h"
#include "mlv/decimal.h"
#include "mlv/fold.h"

/* ---- small growable arrays ------------------------------------------------- */

typedef struct vec {
	char *p;
	size_t n, cap, size;
} vec;

#define VEC(T) { NULL, 0, 0, sizeof(T) }

static int vec_push(vec *v, const void *x)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		char *np = realloc(v->p, cap * v->size);
		if (np == NULL)
			return MLV_ENOMEM;
		v->p = np;
		v->cap = cap;
	}
	memcpy(v->p + v->n * v->size, x, v->size);
	v->n++;
	return 0;
}

static void vec_free(vec *v)
{
	free(v->p);
	v->p = NULL;
	v->n = v->cap = 0;
}

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

/* ---- files ------------------------------------------------------------------- */

static int read_text(const char *path, char **out, size_t *len, char *err, size_t errlen)
{
	int rc = 0;
	char *buf = NULL;
	size_t cap = 1u << 14, n = 0;
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return MLV_EIO;
	}
	buf = malloc(cap + 1);
	if (buf == NULL) {
		rc = MLV_ENOMEM;
		goto cleanup;
	}
	for (;;) {
		if (n == cap) {
			if (cap >= MLV_RISK_MAX_TEXT) {
				snprintf(err, errlen, "%s: larger than %u bytes", path,
					 MLV_RISK_MAX_TEXT);
				rc = MLV_ETOOBIG;
				goto cleanup;
			}
			cap *= 2;
			char *g = realloc(buf, cap + 1);
			if (g == NULL) {
				rc = MLV_ENOMEM;
				goto cleanup;
			}
			buf = g;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f)) {
				snprintf(err, errlen, "%s: read error", path);
				rc = MLV_EIO;
				goto cleanup;
			}
			break;
		}
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
cleanup:
	free(buf);
	fclose(f);
	return rc;
}

/* ---- the set ----------------------------------------------------------------- */

static void index_free(risk_index *x)
{
	free(x->trie);
	free(x->ac);
	free(x->edges);
	free(x->phrase_post);
	free(x->phrase_npost);
	free(x->map);
	free(x->always);
	free(x->posts);
	free(x->post_quick);
	memset(x, 0, sizeof(*x));
}

void mlv_risk_set_free(risk_set *s)
{
	index_free(&s->idx);
	free(s->rules);
	free(s->phrases);
	free(s->phrase_len);
	free(s->phrase_hash);
	mlv_arena_free(s->arena);
	memset(s, 0, sizeof(*s));
}

static int set_init(risk_set *s)
{
	memset(s, 0, sizeof(*s));
	s->arena = mlv_arena_new(1u << 16);
	return s->arena ? 0 : MLV_ENOMEM;
}

/* The id of the phrase `pat`, interned.  Patterns are folded text with a
 * space at each end that must fall on a word boundary. */
static int intern_phrase(risk_set *s, const char *pat, size_t len, uint32_t *id)
{
	if (s->nphrases * 2 >= s->phrase_hash_cap) {
		size_t cap = s->phrase_hash_cap ? s->phrase_hash_cap * 2 : 256;
		uint32_t *h = calloc(cap, sizeof(*h));
		if (h == NULL)
			return MLV_ENOMEM;
		for (size_t i = 0; i < s->nphrases; i++) {
			size_t k = fnv1a(s->phrases[i], s->phrase_len[i]) & (cap - 1);
			while (h[k] != 0)
				k = (k + 1) & (cap - 1);
			h[k] = (uint32_t)i + 1;
		}
		free(s->phrase_hash);
		s->phrase_hash = h;
		s->phrase_hash_cap = cap;
	}
	size_t k = fnv1a(pat, len) & (s->phrase_hash_cap - 1);
	for (; s->phrase_hash[k] != 0; k = (k + 1) & (s->phrase_hash_cap - 1)) {
		uint32_t i = s->phrase_hash[k] - 1;
		if (s->phrase_len[i] == len && memcmp(s->phrases[i], pat, len) == 0) {
			*id = i;
			return 0;
		}
	}
	if (s->nphrases == s->phrase_cap) {
		size_t cap = s->phrase_cap ? s->phrase_cap * 2 : 64;
		const char **np = realloc(s->phrases, cap * sizeof(*np));
		if (np == NULL)
			return MLV_ENOMEM;
		s->phrases = np;
		uint32_t *nl = realloc(s->phrase_len, cap * sizeof(*nl));
		if (nl == NULL)
			return MLV_ENOMEM;
		s->phrase_len = nl;
		s->phrase_cap = cap;
	}
	char *copy = mlv_arena_strndup(s->arena, pat, len);
	if (copy == NULL)
		return MLV_ENOMEM;
	s->phrases[s->nphrases] = copy;
	s->phrase_len[s->nphrases] = (uint32_t)len;
	s->phrase_hash[k] = (uint32_t)s->nphrases + 1;
	*id = (uint32_t)s->nphrases++;
	return 0;
}

static int add_rule(risk_set *s, const risk_rule *r)
{
	if (s->nrules >= MLV_RISK_MAX_RULES)
		return MLV_ETOOBIG;
	if (s->nrules == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		risk_rule *nr = realloc(s->rules, cap * sizeof(*nr));
		if (nr == NULL)
			return MLV_ENOMEM;
		s->rules = nr;
		s->cap = cap;
	}
	s->rules[s->nrules++] = *r;
	return 0;
}

/* ---- enumerations, from the dataset table ---------------------------------- */

/* The enum field at a '/'-separated path of the consignment schema. */
static const mlv_field *enum_field(const char *path)
{
	const mlv_schema *s = &mlv_consignment_schema;
	char part[64];
	for (;;) {
		const char *slash = strchr(path, '/');
		size_t n = slash ? (size_t)(slash - path) : strlen(path);
		if (n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		const mlv_field *f = mlv_schema_field(s, part);
		if (f == NULL)
			return NULL;
		if (slash == NULL)
			return f->type == MLV_F_ENUM ? f : NULL;
		s = f->sub;
		if (s == NULL)
			return NULL;
		path = slash + 1;
	}
}

static unsigned enum_lookup(const char *path, const char *word)
{
	const mlv_field *f = enum_field(path);
	if (f == NULL || f->values == NULL)
		return 0;
	for (unsigned i = 0; f->values[i] != NULL; i++)
		if (strcmp(f->values[i], word) == 0)
			return i + 1;
	return 0;
}

static unsigned document_index(const char *word)
{
	return enum_lookup("documents/type", word);
}

/* ---- the parser ---------------------------------------------------------------- */

enum { MODE_PROFILE, MODE_GOODS };
/* SECT_SKIP: after a broken section header, when listing every problem:
 * its lines are not read, so one mistake does not cascade. */
enum { SECT_NONE, SECT_HEADER, SECT_RULE, SECT_SKIP };

/* Every key of the format.  W_* says where it may appear. */
#define W_PROFILE 1u
#define W_LIST 2u
#define W_RULE 4u
#define W_ENTRY 8u
#define W_CRIT (W_RULE | W_ENTRY)

typedef enum {
	K_ID, K_NAME, K_CURRENCY, K_YELLOW, K_RED, K_HOLD, K_RANDOM, K_RANDOM_LANE,
	K_PROHIBITED_LANE, K_RESTRICTED_LANE, K_COUNTRY, K_MEMBERS, K_SOURCE, K_NOTE,
	K_VERSION, K_WEIGHT, K_EXPLAIN, K_LANE, K_ENABLED, K_BASIS, K_URL, K_AGENCY,
	K_PERMIT, K_DOCUMENT, K_VERIFIED,
	/* item criteria */
	K_HS, K_WORDS, K_NOT_WORDS, K_ORIGIN, K_ITEM_VALUE_MIN, K_ITEM_VALUE_MAX,
	K_UNIT_VALUE_MIN, K_UNIT_VALUE_MAX, K_VPK_MIN, K_VPK_MAX, K_GTIN, K_BRAND,
	K_UNDERVALUED,
	/* consignment criteria */
	K_DEPARTURE, K_ROUTE, K_VALUE_MIN, K_VALUE_MAX, K_WEIGHT_MIN, K_WEIGHT_MAX,
	K_CHANNEL, K_MODEL, K_CATEGORY, K_MODE, K_SCHEME, K_SELLER, K_PLATFORM, K_CARRIER,
	K_INTERMEDIARY, K_FILER, K_WATCH, K_MISMATCH, K_QUALITY_MIN, K_QUALITY_MAX,
	K_LEAD_MIN, K_LEAD_MAX, K_AEO, K_SPLIT, K_OPSCORE_MIN, K_OPSCORE_MAX, K_OPSCORE_ROLES,
	K_COUNT
} key_id;

typedef struct key_def {
	const char *name;
	key_id id;
	unsigned where;
	bool repeat; /* may appear more than once (lists accumulate) */
	bool item;   /* an item criterion */
} key_def;

static const key_def keys[] = {
	{"id", K_ID, W_PROFILE, false, false},
	{"name", K_NAME, W_PROFILE | W_LIST, false, false},
	{"currency", K_CURRENCY, W_PROFILE | W_LIST, false, false},
	{"yellow", K_YELLOW, W_PROFILE, false, false},
	{"red", K_RED, W_PROFILE, false, false},
	{"hold", K_HOLD, W_PROFILE, false, false},
	{"random_percent", K_RANDOM, W_PROFILE, false, false},
	{"random_lane", K_RANDOM_LANE, W_PROFILE, false, false},
	{"prohibited_lane", K_PROHIBITED_LANE, W_PROFILE, false, false},
	{"restricted_lane", K_RESTRICTED_LANE, W_PROFILE, false, false},
	{"country", K_COUNTRY, W_LIST, false, false},
	{"members", K_MEMBERS, W_LIST, true, false},
	{"source", K_SOURCE, W_PROFILE | W_LIST, true, false},
	{"note", K_NOTE, W_PROFILE | W_LIST | W_RULE | W_ENTRY, true, false},
	{"version", K_VERSION, W_PROFILE | W_RULE | W_ENTRY, false, false},
	{"weight", K_WEIGHT, W_RULE | W_ENTRY, false, false},
	{"explain", K_EXPLAIN, W_RULE | W_ENTRY, false, false},
	{"lane", K_LANE, W_RULE, false, false},
	{"enabled", K_ENABLED, W_RULE | W_ENTRY, false, false},
	{"basis", K_BASIS, W_ENTRY, true, false},
	{"url", K_URL, W_ENTRY, true, false},
	{"agency", K_AGENCY, W_ENTRY, false, false},
	{"permit", K_PERMIT, W_ENTRY, false, false},
	{"document", K_DOCUMENT, W_ENTRY, false, false},
	{"verified", K_VERIFIED, W_ENTRY, false, false},
	{"hs", K_HS, W_CRIT, true, true},
	{"words", K_WORDS, W_CRIT, true, true},
	{"not_words", K_NOT_WORDS, W_CRIT, true, true},
	{"origin", K_ORIGIN, W_CRIT, true, true},
	{"item_value_min", K_ITEM_VALUE_MIN, W_CRIT, false, true},
	{"item_value_max", K_ITEM_VALUE_MAX, W_CRIT, false, true},
	{"unit_value_min", K_UNIT_VALUE_MIN, W_CRIT, false, true},
	{"unit_value_max", K_UNIT_VALUE_MAX, W_CRIT, false, true},
	{"value_per_kg_min", K_VPK_MIN, W_CRIT, false, true},
	{"value_per_kg_max", K_VPK_MAX, W_CRIT, false, true},
	{"gtin", K_GTIN, W_CRIT, false, true},
	{"brand", K_BRAND, W_CRIT, false, true},
	{"undervalued", K_UNDERVALUED, W_RULE, false, true},
	{"departure", K_DEPARTURE, W_CRIT, true, false},
	{"route", K_ROUTE, W_CRIT, true, false},
	{"value_min", K_VALUE_MIN, W_CRIT, false, false},
	{"value_max", K_VALUE_MAX, W_CRIT, false, false},
	{"weight_min", K_WEIGHT_MIN, W_CRIT, false, false},
	{"weight_max", K_WEIGHT_MAX, W_CRIT, false, false},
	{"channel", K_CHANNEL, W_CRIT, true, false},
	{"business_model", K_MODEL, W_CRIT, true, false},
	{"category", K_CATEGORY, W_CRIT, true, false},
	{"transport_mode", K_MODE, W_CRIT, true, false},
	{"tax_scheme", K_SCHEME, W_CRIT, true, false},
	{"seller", K_SELLER, W_RULE, true, false},
	{"platform", K_PLATFORM, W_RULE, true, false},
	{"carrier", K_CARRIER, W_RULE, true, false},
	{"intermediary", K_INTERMEDIARY, W_RULE, true, false},
	{"filer", K_FILER, W_RULE, true, false},
	{"watchlisted", K_WATCH, W_RULE, true, false},
	{"mismatch", K_MISMATCH, W_RULE, true, false},
	{"quality_min", K_QUALITY_MIN, W_RULE, false, false},
	{"quality_max", K_QUALITY_MAX, W_RULE, false, false},
	{"lead_hours_min", K_LEAD_MIN, W_RULE, false, false},
	{"lead_hours_max", K_LEAD_MAX, W_RULE, false, false},
	{"aeo", K_AEO, W_RULE, false, false},
	{"split", K_SPLIT, W_RULE, false, false},
	{"operator_score_min", K_OPSCORE_MIN, W_RULE, false, false},
	{"operator_score_max", K_OPSCORE_MAX, W_RULE, false, false},
	{"operator_roles", K_OPSCORE_ROLES, W_RULE, true, false},
};

/* Keys of a rule that are not criteria (what GET /v1/rules lists apart). */
static bool is_attribute(key_id k)
{
	return k == K_VERSION || k == K_WEIGHT || k == K_EXPLAIN || k == K_LANE || k == K_ENABLED ||
	       k == K_NOTE;
}

/* Words that would make a key a criterion on the consumer. */
static const char *const consumer_words[] = {"buyer", "consignee", "consumer", "customer",
					     "recipient", "addressee", "purchaser"};

/* Placeholders an explanation may use (docs/risk-rules.md). */
static const char *const placeholders[] = {
	"item", "desc", "hs", "hs6", "origin", "brand", "gtin", "word", "value", "unit_value",
	"value_per_kg", "uv", "reference", "below", "z", "samples", "total", "weight",
	"departure", "destination", "route", "channel", "business_model", "category",
	"transport_mode", "scheme", "seller", "platform", "carrier", "intermediary", "filer",
	"party", "role", "watch_reason", "watch_until", "watch_match", "watch_source", "quality",
	"lead_hours", "mismatch", "split_count", "split_total", "split_hours",
	"split_threshold", "operator_score", "aeo", "agency", "permit", "id", "list",
	"currency",
};

#define CONSUMER_WHY                                                                          \
	"consumers are not profiled (WCO FoS Standard 5 and TS 2.5.2, review proposal 28): "  \
	"no rule may use the buyer as a criterion; the buyer's pseudonymised key serves only " \
	"the split-consignment check"

typedef struct parser {
	const char *name;
	size_t line;
	char *err;
	size_t errlen;
	const mlv_refdata *rd;
	risk_set *set;
	int mode;
	mlv_risk_profile *prof;
	mlv_risk_goods *goods;
	risk_goods_list *list; /* goods mode: the list of this file */

	int sect;
	bool header_done;
	bool seen[K_COUNT];
	risk_rule cur;
	size_t ncriteria;
	vec hs, words, word_text, not_words, origins, departures, routes, members;
	vec party[MLV_RISK_ROLE_COUNT];
	vec basis, urls;
	size_t first_line; /* of the current section */
	vec lines;	   /* per rule in the set: line of its header */

	/* Profiles: where each rule lies in the text, its criteria as written. */
	size_t line_off, line_end; /* the current line's bytes in the text */
	size_t sect_off, sect_end; /* the current section's, header to last key */
	vec kvs;		   /* risk_kv of the current rule */
	vec srcs;		   /* risk_rule_src per rule */
	mlv_arena *src_arena;	   /* where they live (the profile's) */

	/* Listing every problem (mlv_risk_profile_check) instead of the first. */
	bool collect;
	bool broken; /* the current section had a problem: it is not kept */
	mlv_risk_text_problem *probs;
	size_t maxprobs, nprobs;
	int first_code;
	size_t err_line;
	char msg[240];
} parser;

static int perr(parser *p, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int perr(parser *p, int code, const char *fmt, ...)
{
	/* Listing problems: the message alone, its line kept apart. */
	char *dst = p->collect ? p->msg : p->err;
	size_t cap = p->collect ? sizeof(p->msg) : p->errlen;
	p->err_line = p->line;
	if (dst == NULL || cap == 0)
		return code;
	int n = 0;
	if (!p->collect)
		n = p->line ? snprintf(dst, cap, "%s:%zu: ", p->name, p->line)
			    : snprintf(dst, cap, "%s: ", p->name);
	if (n < 0 || (size_t)n >= cap)
		return code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dst + n, cap - (size_t)n, fmt, ap);
	va_end(ap);
	return code;
}

/* When listing problems: records the one just reported (perr) and lets
 * the parse go on (0); otherwise, or out of memory, returns rc. */
static int keep_going(parser *p, int rc)
{
	if (rc == 0 || !p->collect || rc == MLV_ENOMEM)
		return rc;
	if (p->nprobs == 0)
		p->first_code = rc;
	if (p->nprobs < p->maxprobs) {
		mlv_risk_text_problem *q = &p->probs[p->nprobs];
		q->line = p->err_line;
		q->code = rc;
		snprintf(q->message, sizeof(q->message), "%s", p->msg);
	}
	p->nprobs++;
	p->broken = true;
	p->msg[0] = '\0';
	return 0;
}

static void reset_section(parser *p)
{
	vec *all[] = {&p->hs, &p->words, &p->word_text, &p->not_words, &p->origins,
		      &p->departures, &p->routes, &p->basis, &p->urls};
	for (size_t i = 0; i < MLV_ARRAY_LEN(all); i++)
		all[i]->n = 0;
	for (size_t i = 0; i < MLV_RISK_ROLE_COUNT; i++)
		p->party[i].n = 0;
	memset(p->seen, 0, sizeof(p->seen));
	memset(&p->cur, 0, sizeof(p->cur));
	p->cur.enabled = true;
	p->cur.quality_min = p->cur.quality_max = -1;
	p->cur.opscore_min = p->cur.opscore_max = -1;
	p->ncriteria = 0;
	p->kvs.n = 0;
	p->broken = false;
}

static void parser_free(parser *p)
{
	vec *all[] = {&p->hs,	   &p->words,	   &p->word_text, &p->not_words,
		      &p->origins, &p->departures, &p->routes,	  &p->members,
		      &p->basis,   &p->urls,	   &p->lines,	  &p->kvs,
		      &p->srcs};
	for (size_t i = 0; i < MLV_ARRAY_LEN(all); i++)
		vec_free(all[i]);
	for (size_t i = 0; i < MLV_RISK_ROLE_COUNT; i++)
		vec_free(&p->party[i]);
}

static void parser_init(parser *p)
{
	memset(p, 0, sizeof(*p));
	p->hs = (vec)VEC(const char *);
	p->words = (vec)VEC(uint32_t);
	p->word_text = (vec)VEC(const char *);
	p->not_words = (vec)VEC(uint32_t);
	p->origins = (vec)VEC(uint16_t);
	p->departures = (vec)VEC(uint16_t);
	p->routes = (vec)VEC(uint32_t);
	p->members = (vec)VEC(uint16_t);
	p->basis = (vec)VEC(const char *);
	p->urls = (vec)VEC(const char *);
	p->lines = (vec)VEC(size_t);
	p->kvs = (vec)VEC(risk_kv);
	p->srcs = (vec)VEC(risk_rule_src);
	for (size_t i = 0; i < MLV_RISK_ROLE_COUNT; i++)
		p->party[i] = (vec)VEC(const char *);
}

/* ---- values ------------------------------------------------------------------ */

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

static bool parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	bool neg = false;
	int64_t v = 0;
	if (*s == '-') {
		neg = true;
		s++;
	}
	if (*s == '\0')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (*s - '0');
	}
	if (neg)
		v = -v;
	if (v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static int parse_lane(parser *p, const char *v, int min, uint8_t *out)
{
	static const char *const names[] = {"green", "yellow", "red", "hold"};
	for (int i = min; i < 4; i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = (uint8_t)i;
			return 0;
		}
	}
	return perr(p, MLV_EINVALID, "'%s' is not a lane here (%s%s%s)", v,
		    min <= 1 ? "yellow, " : "", "red, ", "hold");
}

static int parse_bool(parser *p, const char *v, bool *out)
{
	if (strcmp(v, "yes") == 0)
		*out = true;
	else if (strcmp(v, "no") == 0)
		*out = false;
	else
		return perr(p, MLV_EINVALID, "'%s': write yes or no", v);
	return 0;
}

static int parse_money(parser *p, const char *v, int minor, int64_t *out)
{
	mlv_dec_status st = mlv_decimal_parse(v, strlen(v), minor, 0, out);
	if (st != MLV_DEC_OK)
		return perr(p, MLV_EINVALID,
			    "'%s' is not an amount of the currency (a decimal with at most %d "
			    "decimals, not negative)",
			    v, minor);
	return 0;
}

/* The next token of a list: codes are separated by spaces or commas,
 * texts by '|'.  NULL at the end. */
static char *next_token(char **cursor, bool text)
{
	char *s = *cursor;
	if (text) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			return NULL;
		char *bar = strchr(s, '|');
		if (bar) {
			*bar = '\0';
			*cursor = bar + 1;
		} else {
			*cursor = s + strlen(s);
		}
		return trim(s);
	}
	while (*s == ' ' || *s == '\t' || *s == ',')
		s++;
	if (*s == '\0')
		return NULL;
	char *e = s;
	while (*e && *e != ' ' && *e != '\t' && *e != ',')
		e++;
	if (*e) {
		*e = '\0';
		*cursor = e + 1;
	} else {
		*cursor = e;
	}
	return s;
}

static int push_checked(parser *p, vec *v, const void *x)
{
	if (v->n >= RISK_LIST_MAX)
		return perr(p, MLV_ETOOBIG, "more than %d values in one list", RISK_LIST_MAX);
	return vec_push(v, x) ? MLV_ENOMEM : 0;
}

static int parse_country(parser *p, const char *t, uint16_t *out)
{
	uint16_t k = risk_country_key(t);
	if (k == RISK_NO_COUNTRY || !mlv_country_exists(p->rd, t))
		return perr(p, MLV_EINVALID, "'%s' is not an ISO 3166-1 alpha-2 country code", t);
	*out = k;
	return 0;
}

static int parse_countries(parser *p, char *v, vec *out)
{
	int rc;
	size_t before = out->n;
	for (char *t; (t = next_token(&v, false)) != NULL;) {
		uint16_t k;
		if ((rc = parse_country(p, t, &k)) != 0 || (rc = push_checked(p, out, &k)) != 0)
			return rc;
	}
	return out->n > before ? 0 : perr(p, MLV_EINVALID, "no country given");
}

/* An HS prefix: 2 to 10 digits whose heading or subheading exists. */
static int parse_hs_list(parser *p, char *v)
{
	int rc;
	size_t before = p->hs.n;
	for (char *t; (t = next_token(&v, false)) != NULL;) {
		size_t n = strlen(t);
		if (n < 2 || n > 10 || strspn(t, "0123456789") != n)
			return perr(p, MLV_EINVALID, "'%s' is not an HS prefix (2 to 10 digits)", t);
		size_t check = n >= 6 ? 6 : n >= 4 ? 4 : 2;
		if (!mlv_hs_exists(p->rd, t, check))
			return perr(p, MLV_EINVALID, "'%s': HS 2022 has no %s %.*s", t,
				    check == 2 ? "chapter" : check == 4 ? "heading" : "subheading",
				    (int)check, t);
		char *copy = mlv_arena_strndup(p->set->arena, t, n);
		if (copy == NULL)
			return MLV_ENOMEM;
		if ((rc = push_checked(p, &p->hs, &copy)) != 0)
			return rc;
	}
	return p->hs.n > before ? 0 : perr(p, MLV_EINVALID, "no HS code given");
}

/* Phrases separated by '|'; '*' at an end lifts the word boundary there
 * ("batter*" is also batteries, batterie). */
static int parse_phrases(parser *p, char *v, vec *ids, vec *texts)
{
	int rc;
	size_t before = ids->n;
	for (char *t; (t = next_token(&v, true)) != NULL;) {
		size_t n = strlen(t);
		bool lead = n > 0 && t[0] == '*';
		bool tail = n > 1 && t[n - 1] == '*';
		const char *body = t + (lead ? 1 : 0);
		size_t blen = n - (lead ? 1 : 0) - (tail ? 1 : 0);
		if (n == 0 || n > RISK_PHRASE_MAX)
			return perr(p, MLV_EINVALID, "a phrase must have 1 to %d bytes",
				    RISK_PHRASE_MAX);
		char pat[RISK_PHRASE_MAX + 3];
		size_t fl = mlv_fold(pat + 1, sizeof(pat) - 2, body, blen);
		if (fl == 0)
			return perr(p, MLV_EINVALID, "'%s' has no letters or digits to match", t);
		size_t start = 1, end = 1 + fl;
		if (!lead)
			pat[--start] = ' ';
		if (!tail)
			pat[end++] = ' ';
		uint32_t id;
		if ((rc = intern_phrase(p->set, pat + start, end - start, &id)) != 0)
			return rc;
		if ((rc = push_checked(p, ids, &id)) != 0)
			return rc;
		if (texts != NULL) {
			char *copy = mlv_arena_strndup(p->set->arena, t, n);
			if (copy == NULL)
				return MLV_ENOMEM;
			if ((rc = push_checked(p, texts, &copy)) != 0)
				return rc;
		}
	}
	return ids->n > before ? 0 : perr(p, MLV_EINVALID, "no phrase given");
}

/* Operators: "id:IDENTIFIER" matches the identifier (case and spaces
 * ignored), anything else the folded name (mlv_fold_name). */
static int parse_parties(parser *p, char *v, vec *out)
{
	int rc;
	size_t before = out->n;
	for (char *t; (t = next_token(&v, true)) != NULL;) {
		char key[RISK_NAME_MAX + 4];
		size_t n = strlen(t), kl = 2;
		if (n == 0 || n > RISK_NAME_MAX)
			return perr(p, MLV_EINVALID, "an operator must have 1 to %d bytes",
				    RISK_NAME_MAX);
		if (strncmp(t, "id:", 3) == 0) {
			key[0] = 'i', key[1] = ':';
			for (const char *s = t + 3; *s; s++) {
				if (*s == ' ')
					continue;
				key[kl++] = (*s >= 'a' && *s <= 'z') ? (char)(*s - 32) : *s;
			}
			if (kl == 2)
				return perr(p, MLV_EINVALID, "'%s': empty identifier", t);
		} else {
			key[0] = 'n', key[1] = ':';
			kl += mlv_fold_name(key + 2, sizeof(key) - 2, t, n);
			if (kl == 2)
				return perr(p, MLV_EINVALID, "'%s' has no letters or digits", t);
		}
		char *copy = mlv_arena_strndup(p->set->arena, key, kl);
		if (copy == NULL)
			return MLV_ENOMEM;
		if ((rc = push_checked(p, out, &copy)) != 0)
			return rc;
	}
	return out->n > before ? 0 : perr(p, MLV_EINVALID, "no operator given");
}

static int parse_enums(parser *p, char *v, const char *path, bool none, uint32_t *mask)
{
	int n = 0;
	for (char *t; (t = next_token(&v, false)) != NULL; n++) {
		if (none && strcmp(t, "none") == 0) {
			*mask |= 1u;
			continue;
		}
		unsigned i = enum_lookup(path, t);
		if (i == 0 || i > 31) {
			const mlv_field *f = enum_field(path);
			char list[256] = "";
			size_t o = 0;
			for (unsigned k = 0; f && f->values[k] && o < sizeof(list) - 40; k++)
				o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
						      k ? ", " : "", f->values[k]);
			return perr(p, MLV_EINVALID, "'%s' is not one of: %s%s", t, list,
				    none ? ", none" : "");
		}
		*mask |= 1u << i;
	}
	return n ? 0 : perr(p, MLV_EINVALID, "no value given");
}

static int parse_route(parser *p, char *v)
{
	int rc;
	size_t before = p->routes.n;
	for (char *t; (t = next_token(&v, false)) != NULL;) {
		char *gt = strchr(t, '>');
		if (gt == NULL)
			return perr(p, MLV_EINVALID,
				    "'%s': a route is DEPARTURE>DESTINATION, e.g. CN>FR or CN>*", t);
		*gt = '\0';
		const char *a = t, *b = gt + 1;
		uint16_t ka = RISK_ANY_COUNTRY, kb = RISK_ANY_COUNTRY;
		if (strcmp(a, "*") != 0 && (rc = parse_country(p, a, &ka)) != 0)
			return rc;
		if (strcmp(b, "*") != 0 && (rc = parse_country(p, b, &kb)) != 0)
			return rc;
		if (ka == RISK_ANY_COUNTRY && kb == RISK_ANY_COUNTRY)
			return perr(p, MLV_EINVALID, "the route *>* would match everything");
		uint32_t code = (uint32_t)ka * 677u + kb;
		if ((rc = push_checked(p, &p->routes, &code)) != 0)
			return rc;
	}
	return p->routes.n > before ? 0 : perr(p, MLV_EINVALID, "no route given");
}

static const char *const role_words[MLV_RISK_ROLE_COUNT] = {
	"any", "seller", "platform", "carrier", "intermediary", "filer"};

static int parse_roles(parser *p, char *v, uint32_t *mask)
{
	int n = 0;
	for (char *t; (t = next_token(&v, false)) != NULL; n++) {
		for (size_t k = 0; k < MLV_ARRAY_LEN(consumer_words); k++)
			if (strcmp(t, consumer_words[k]) == 0)
				return perr(p, MLV_EFORBIDDEN, "'%s': %s", t, CONSUMER_WHY);
		unsigned r = 0;
		for (unsigned k = 1; k < MLV_RISK_ROLE_COUNT; k++)
			if (strcmp(t, role_words[k]) == 0)
				r = k;
		if (r == 0)
			return perr(p, MLV_EINVALID,
				    "'%s' is not a role (seller, platform, carrier, intermediary, "
				    "filer)",
				    t);
		*mask |= 1u << r;
	}
	return n ? 0 : perr(p, MLV_EINVALID, "no role given");
}

static int parse_mismatch(parser *p, char *v, unsigned *mask)
{
	static const struct {
		const char *w;
		unsigned bit;
	} kinds[] = {{"value", MLV_RISK_MM_VALUE}, {"payment", MLV_RISK_MM_PAYMENT},
		     {"quantity", MLV_RISK_MM_QUANTITY}, {"weight", MLV_RISK_MM_WEIGHT},
		     {"description", MLV_RISK_MM_DESCRIPTION}, {"party", MLV_RISK_MM_PARTY},
		     {"any", MLV_RISK_MM_ALL}};
	int n = 0;
	for (char *t; (t = next_token(&v, false)) != NULL; n++) {
		unsigned bit = 0;
		for (size_t k = 0; k < MLV_ARRAY_LEN(kinds); k++)
			if (strcmp(t, kinds[k].w) == 0)
				bit = kinds[k].bit;
		if (bit == 0)
			return perr(p, MLV_EINVALID,
				    "'%s' is not a mismatch kind (value, payment, quantity, weight, "
				    "description, party, any)",
				    t);
		*mask |= bit;
	}
	return n ? 0 : perr(p, MLV_EINVALID, "no mismatch kind given");
}

static int check_explain(parser *p, const char *v)
{
	if (strlen(v) > RISK_EXPLAIN_SRC_MAX)
		return perr(p, MLV_ETOOBIG, "explanation longer than %d bytes",
			    RISK_EXPLAIN_SRC_MAX);
	for (const char *s = v; (s = strchr(s, '{')) != NULL;) {
		const char *e = strchr(s, '}');
		if (e == NULL)
			return perr(p, MLV_EINVALID, "'{' without '}' in the explanation");
		size_t n = (size_t)(e - s - 1);
		for (size_t k = 0; k < MLV_ARRAY_LEN(consumer_words); k++)
			if (strncmp(s + 1, consumer_words[k], strlen(consumer_words[k])) == 0)
				return perr(p, MLV_EFORBIDDEN, "{%.*s}: %s", (int)n, s + 1,
					    CONSUMER_WHY);
		bool known = false;
		for (size_t k = 0; k < MLV_ARRAY_LEN(placeholders); k++)
			if (strlen(placeholders[k]) == n && memcmp(placeholders[k], s + 1, n) == 0)
				known = true;
		if (!known)
			return perr(p, MLV_EINVALID, "unknown placeholder {%.*s}",
				    (int)(n > 40 ? 40 : n), s + 1);
		s = e + 1;
	}
	return 0;
}

static const char *arena_str(parser *p, const char *v)
{
	return mlv_arena_strndup(p->set->arena, v, strlen(v));
}

static int set_range(parser *p, risk_range *r, bool hi, int64_t v)
{
	if (hi) {
		r->has_hi = true;
		r->hi = v;
	} else {
		r->has_lo = true;
		r->lo = v;
	}
	p->ncriteria++;
	return 0;
}

static int money_key(parser *p, char *v, risk_range *r, bool hi)
{
	int64_t x;
	int rc = parse_money(p, v, p->cur.minor, &x);
	return rc ? rc : set_range(p, r, hi, x);
}

/* One key = value of a rule or entry. */
static int rule_key(parser *p, const key_def *k, char *v)
{
	risk_rule *r = &p->cur;
	int64_t x;
	int rc = 0;
	switch (k->id) {
	case K_VERSION:
		if (!parse_int(v, 1, INT64_MAX / 2, &x))
			return perr(p, MLV_EINVALID, "version must be a whole number from 1");
		r->version = x;
		return 0;
	case K_WEIGHT:
		if (!parse_int(v, -1000, 1000, &x))
			return perr(p, MLV_EINVALID, "weight must be a whole number in -1000..1000");
		r->weight = (int)x;
		return 0;
	case K_EXPLAIN:
		if ((rc = check_explain(p, v)) != 0)
			return rc;
		r->explain = arena_str(p, v);
		return r->explain ? 0 : MLV_ENOMEM;
	case K_LANE:
		return parse_lane(p, v, 1, &r->lane);
	case K_ENABLED:
		return parse_bool(p, v, &r->enabled);
	case K_NOTE:
		return 0;
	case K_VERIFIED: {
		bool b = false;
		return parse_bool(p, v, &b);
	}
	case K_BASIS:
	case K_URL: {
		const char *s = arena_str(p, v);
		if (s == NULL)
			return MLV_ENOMEM;
		if (k->id == K_URL && strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0)
			return perr(p, MLV_EINVALID, "a url starts with https:// or http://");
		return push_checked(p, k->id == K_BASIS ? &p->basis : &p->urls, &s);
	}
	case K_AGENCY:
		r->agency = arena_str(p, v);
		return r->agency ? 0 : MLV_ENOMEM;
	case K_PERMIT:
		r->permit = arena_str(p, v);
		return r->permit ? 0 : MLV_ENOMEM;
	case K_DOCUMENT: {
		char *cur = v;
		for (char *t; (t = next_token(&cur, false)) != NULL;) {
			if (strcmp(t, "none") == 0)
				continue;
			unsigned i = document_index(t);
			if (i == 0 || i > 31)
				return perr(p, MLV_EINVALID,
					    "'%s' is not a document type of the dataset (or none)", t);
			r->documents |= 1u << i;
		}
		return 0;
	}
	case K_HS:
		p->ncriteria++;
		return parse_hs_list(p, v);
	case K_WORDS:
		p->ncriteria++;
		return parse_phrases(p, v, &p->words, &p->word_text);
	case K_NOT_WORDS:
		return parse_phrases(p, v, &p->not_words, NULL);
	case K_ORIGIN:
		p->ncriteria++;
		return parse_countries(p, v, &p->origins);
	case K_DEPARTURE:
		p->ncriteria++;
		return parse_countries(p, v, &p->departures);
	case K_ROUTE:
		p->ncriteria++;
		return parse_route(p, v);
	case K_ITEM_VALUE_MIN:
	case K_ITEM_VALUE_MAX:
		return money_key(p, v, &r->item_value, k->id == K_ITEM_VALUE_MAX);
	case K_UNIT_VALUE_MIN:
	case K_UNIT_VALUE_MAX:
		return money_key(p, v, &r->unit_value, k->id == K_UNIT_VALUE_MAX);
	case K_VPK_MIN:
	case K_VPK_MAX:
		return money_key(p, v, &r->value_per_kg, k->id == K_VPK_MAX);
	case K_VALUE_MIN:
	case K_VALUE_MAX:
		return money_key(p, v, &r->value, k->id == K_VALUE_MAX);
	case K_WEIGHT_MIN:
	case K_WEIGHT_MAX:
		if (mlv_decimal_parse(v, strlen(v), 3, 0, &x) != MLV_DEC_OK)
			return perr(p, MLV_EINVALID, "'%s' is not a weight in kg (up to 3 decimals)",
				    v);
		return set_range(p, &r->mass, k->id == K_WEIGHT_MAX, x);
	case K_GTIN:
	case K_BRAND: {
		int8_t *f = k->id == K_GTIN ? &r->gtin : &r->brand;
		if (strcmp(v, "present") == 0)
			*f = 1;
		else if (strcmp(v, "absent") == 0)
			*f = -1;
		else
			return perr(p, MLV_EINVALID, "'%s': write present or absent", v);
		p->ncriteria++;
		return 0;
	}
	case K_UNDERVALUED:
		if (!parse_int(v, 1, 99, &x))
			return perr(p, MLV_EINVALID, "undervalued is a percent below the reference, 1..99");
		r->undervalued = (int)x;
		p->ncriteria++;
		return 0;
	case K_CHANNEL:
		p->ncriteria++;
		return parse_enums(p, v, "channel", false, &r->channels);
	case K_MODEL:
		p->ncriteria++;
		return parse_enums(p, v, "business_model", false, &r->models);
	case K_CATEGORY:
		p->ncriteria++;
		return parse_enums(p, v, "category", false, &r->categories);
	case K_MODE:
		p->ncriteria++;
		return parse_enums(p, v, "transport/mode", false, &r->modes);
	case K_SCHEME:
		p->ncriteria++;
		return parse_enums(p, v, "tax_collected/scheme", true, &r->schemes);
	case K_SELLER:
	case K_PLATFORM:
	case K_CARRIER:
	case K_INTERMEDIARY:
	case K_FILER: {
		int role = MLV_RISK_ROLE_SELLER + (int)(k->id - K_SELLER);
		p->ncriteria++;
		return parse_parties(p, v, &p->party[role]);
	}
	case K_WATCH:
		p->ncriteria++;
		return parse_roles(p, v, &r->watch);
	case K_MISMATCH:
		p->ncriteria++;
		return parse_mismatch(p, v, &r->mismatch);
	case K_QUALITY_MIN:
	case K_QUALITY_MAX:
		if (!parse_int(v, 0, 100, &x))
			return perr(p, MLV_EINVALID, "a data-quality score is 0..100");
		*(k->id == K_QUALITY_MIN ? &r->quality_min : &r->quality_max) = (int)x;
		p->ncriteria++;
		return 0;
	case K_LEAD_MIN:
	case K_LEAD_MAX:
		if (!parse_int(v, -100000, 100000, &x))
			return perr(p, MLV_EINVALID, "lead hours are a whole number in -100000..100000");
		return set_range(p, &r->lead, k->id == K_LEAD_MAX, x);
	case K_AEO: {
		bool b = false;
		if ((rc = parse_bool(p, v, &b)) != 0)
			return rc;
		r->aeo = b ? 1 : -1;
		p->ncriteria++;
		return 0;
	}
	case K_SPLIT:
		if (strcmp(v, "yes") != 0)
			return perr(p, MLV_EINVALID, "split = yes is the only form");
		r->split = true;
		p->ncriteria++;
		return 0;
	case K_OPSCORE_MIN:
	case K_OPSCORE_MAX:
		if (!parse_int(v, 0, 100, &x))
			return perr(p, MLV_EINVALID, "an operator score is 0..100");
		*(k->id == K_OPSCORE_MIN ? &r->opscore_min : &r->opscore_max) = (int)x;
		p->ncriteria++;
		return 0;
	case K_OPSCORE_ROLES:
		/* qualifies operator_score_min/max: not a criterion alone */
		return parse_roles(p, v, &r->opscore_roles);
	default:
		break;
	}
	return perr(p, MLV_EINVALID, "'%s' is not allowed here", k->name);
}

static int header_key(parser *p, const key_def *k, char *v)
{
	int64_t x;
	int rc;
	mlv_risk_profile *pr = p->prof;
	risk_goods_list *l = p->list;
	switch (k->id) {
	case K_ID:
		if (strlen(v) > MLV_RISK_ID_MAX || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != strlen(v) || !*v)
			return perr(p, MLV_EINVALID, "an id is 1 to %d of A-Z a-z 0-9 . _ -",
				    MLV_RISK_ID_MAX);
		snprintf(pr->id, sizeof(pr->id), "%s", v);
		return 0;
	case K_NAME:
		if (l != NULL)
			l->name = arena_str(p, v);
		else
			pr->name = arena_str(p, v);
		return 0;
	case K_CURRENCY: {
		int mu = mlv_currency_minor_units(p->rd, v);
		if (mu < 0 || strlen(v) != 3)
			return perr(p, MLV_EINVALID, "'%s' is not an active ISO 4217 currency", v);
		if (pr != NULL) {
			snprintf(pr->currency, sizeof(pr->currency), "%s", v);
			pr->minor = mu;
		} else {
			snprintf(l->currency, sizeof(l->currency), "%s", v);
			l->minor = mu;
		}
		return 0;
	}
	case K_YELLOW:
	case K_RED:
	case K_HOLD:
		if (!parse_int(v, 1, 100000, &x))
			return perr(p, MLV_EINVALID, "a threshold is a score from 1 to 100000");
		*(k->id == K_YELLOW ? &pr->yellow : k->id == K_RED ? &pr->red : &pr->hold) = (int)x;
		return 0;
	case K_RANDOM:
		if (mlv_decimal_parse(v, strlen(v), 4, 0, &x) != MLV_DEC_OK || x > 1000000)
			return perr(p, MLV_EINVALID,
				    "random_percent is a percent from 0 to 100, up to 4 decimals");
		pr->random_ppm = (uint32_t)x;
		return 0;
	case K_RANDOM_LANE:
		return parse_lane(p, v, 1, &pr->random_lane);
	case K_PROHIBITED_LANE:
		/* Never green, and never a mere document check. */
		return parse_lane(p, v, 2, &pr->prohibited_lane);
	case K_RESTRICTED_LANE:
		return parse_lane(p, v, 1, &pr->restricted_lane);
	case K_VERSION:
		if (!parse_int(v, 1, INT64_MAX / 2, &x))
			return perr(p, MLV_EINVALID, "version must be a whole number from 1");
		pr->version = x;
		return 0;
	case K_COUNTRY:
		if (strlen(v) != 2 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z')
			return perr(p, MLV_EINVALID, "a list's country is two capital letters");
		snprintf(l->country, sizeof(l->country), "%s", v);
		return 0;
	case K_MEMBERS:
		rc = parse_countries(p, v, &p->members);
		return rc;
	case K_SOURCE:
	case K_NOTE:
		return 0;
	default:
		break;
	}
	return perr(p, MLV_EINVALID, "'%s' is not allowed here", k->name);
}

/* Copies a vec into the arena. */
static void *arena_copy(parser *p, const vec *v)
{
	if (v->n == 0)
		return NULL;
	void *d = mlv_arena_alloc(p->set->arena, v->n * v->size);
	if (d != NULL)
		memcpy(d, v->p, v->n * v->size);
	return d;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

typedef struct word_pair {
	uint32_t id;
	const char *text;
} word_pair;

static int cmp_word_pair(const void *a, const void *b)
{
	const word_pair *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int check_range(parser *p, const risk_range *r, const char *what)
{
	if (r->has_lo && r->has_hi && r->lo > r->hi)
		return perr(p, MLV_EINVALID, "%s_min is above %s_max", what, what);
	return 0;
}

/* Profiles: remembers where the rule lies in the text and its criteria
 * as written, for readers and editors of the profile. */
static int keep_source(parser *p)
{
	if (p->mode != MODE_PROFILE)
		return 0;
	if (p->cur.opscore_min >= 0 || p->cur.opscore_max >= 0)
		p->prof->uses_opscore = true;
	risk_rule_src src = {p->sect_off, p->sect_end - p->sect_off, p->first_line, NULL, 0};
	if (p->kvs.n > 0) {
		risk_kv *crit = mlv_arena_alloc(p->src_arena, p->kvs.n * sizeof(risk_kv));
		if (crit == NULL)
			return MLV_ENOMEM;
		memcpy(crit, p->kvs.p, p->kvs.n * sizeof(risk_kv));
		src.crit = crit;
		src.ncrit = p->kvs.n;
	}
	return vec_push(&p->srcs, &src);
}

/* Ends the current rule or entry: checks it is whole, moves it into the set. */
static int finish_rule(parser *p)
{
	risk_rule *r = &p->cur;
	int rc;
	if (p->broken)
		return 0; /* listing problems: a broken rule is reported, not kept */
	size_t line = p->line;
	p->line = p->first_line;
	bool entry = r->kind != MLV_RISK_HIT_RULE;
	if (!entry && r->version == 0)
		return perr(p, MLV_EINVALID, "%s: version is required", r->id);
	if (r->version == 0)
		r->version = 1;
	if (!entry && !p->seen[K_WEIGHT])
		return perr(p, MLV_EINVALID, "%s: weight is required", r->id);
	if (r->explain == NULL)
		return perr(p, MLV_EINVALID, "%s: explain is required", r->id);
	if (p->ncriteria == 0)
		return perr(p, MLV_EINVALID, "%s: at least one criterion is required (a rule "
			    "without one would hit every consignment)", r->id);
	if (entry && (p->basis.n == 0 || p->urls.n == 0))
		return perr(p, MLV_EINVALID, "%s: an entry cites its legal basis (basis = ...) "
			    "and a public text (url = ...)", r->id);
	if (r->kind == MLV_RISK_HIT_RESTRICTED && (r->agency == NULL || r->permit == NULL))
		return perr(p, MLV_EINVALID, "%s: a restricted entry names its agency and permit",
			    r->id);
	if ((rc = check_range(p, &r->item_value, "item_value")) ||
	    (rc = check_range(p, &r->unit_value, "unit_value")) ||
	    (rc = check_range(p, &r->value_per_kg, "value_per_kg")) ||
	    (rc = check_range(p, &r->value, "value")) ||
	    (rc = check_range(p, &r->mass, "weight")) ||
	    (rc = check_range(p, &r->lead, "lead_hours")))
		return rc;
	if (r->quality_min >= 0 && r->quality_max >= 0 && r->quality_min > r->quality_max)
		return perr(p, MLV_EINVALID, "quality_min is above quality_max");
	if (r->opscore_min >= 0 && r->opscore_max >= 0 && r->opscore_min > r->opscore_max)
		return perr(p, MLV_EINVALID, "operator_score_min is above operator_score_max");
	if (r->opscore_roles && r->opscore_min < 0 && r->opscore_max < 0)
		return perr(p, MLV_EINVALID, "operator_roles qualifies operator_score_min or "
			    "operator_score_max: give one of them");
	p->line = line;

	/* Words keep their written form beside the id, sorted together. */
	if (p->words.n > 0) {
		word_pair *wp = malloc(p->words.n * sizeof(*wp));
		if (wp == NULL)
			return MLV_ENOMEM;
		for (size_t i = 0; i < p->words.n; i++) {
			wp[i].id = ((uint32_t *)(void *)p->words.p)[i];
			wp[i].text = ((const char **)(void *)p->word_text.p)[i];
		}
		qsort(wp, p->words.n, sizeof(*wp), cmp_word_pair);
		size_t n = 0;
		for (size_t i = 0; i < p->words.n; i++)
			if (n == 0 || wp[n - 1].id != wp[i].id)
				wp[n++] = wp[i];
		r->words = mlv_arena_alloc(p->set->arena, n * sizeof(uint32_t));
		r->word_text = mlv_arena_alloc(p->set->arena, n * sizeof(char *));
		if (r->words == NULL || r->word_text == NULL) {
			free(wp);
			return MLV_ENOMEM;
		}
		for (size_t i = 0; i < n; i++) {
			r->words[i] = wp[i].id;
			r->word_text[i] = wp[i].text;
		}
		r->nwords = n;
		free(wp);
	}
	if (p->not_words.n > 0) {
		qsort(p->not_words.p, p->not_words.n, sizeof(uint32_t), cmp_u32);
		if ((r->not_words = arena_copy(p, &p->not_words)) == NULL)
			return MLV_ENOMEM;
		r->nnot = p->not_words.n;
	}
#define TAKE(field, count, v)                                   \
	do {                                                    \
		if ((v).n > 0) {                                \
			if (((field) = arena_copy(p, &(v))) == NULL) \
				return MLV_ENOMEM;              \
			(count) = (v).n;                        \
		}                                               \
	} while (0)
	TAKE(r->hs, r->nhs, p->hs);
	TAKE(r->origins, r->norigins, p->origins);
	TAKE(r->departures, r->ndepartures, p->departures);
	TAKE(r->routes, r->nroutes, p->routes);
	for (int i = 0; i < MLV_RISK_ROLE_COUNT; i++)
		TAKE(r->party[i], r->nparty[i], p->party[i]);
#undef TAKE
	if (entry) {
		/* basis lines then URLs, "; "-joined, for the officer and the JSON */
		size_t total = 1;
		const char **b = (const char **)(void *)p->basis.p, **u = (const char **)(void *)p->urls.p;
		for (size_t i = 0; i < p->basis.n; i++)
			total += strlen(b[i]) + 2;
		for (size_t i = 0; i < p->urls.n; i++)
			total += strlen(u[i]) + 2;
		char *s = mlv_arena_alloc(p->set->arena, total);
		if (s == NULL)
			return MLV_ENOMEM;
		size_t o = 0;
		for (size_t i = 0; i < p->basis.n + p->urls.n; i++) {
			const char *part = i < p->basis.n ? b[i] : u[i - p->basis.n];
			o += (size_t)snprintf(s + o, total - o, "%s%s", o ? "; " : "", part);
		}
		r->basis = s;
	}
	r->item_level = r->nhs || r->nwords || r->nnot || r->norigins || r->item_value.has_lo ||
			r->item_value.has_hi || r->unit_value.has_lo || r->unit_value.has_hi ||
			r->value_per_kg.has_lo || r->value_per_kg.has_hi || r->gtin || r->brand ||
			r->undervalued;
	if ((rc = add_rule(p->set, r)) != 0)
		return rc == MLV_ETOOBIG ? perr(p, rc, "more than %d rules", MLV_RISK_MAX_RULES) : rc;
	if ((rc = keep_source(p)) != 0)
		return rc;
	return vec_push(&p->lines, &p->first_line) ? MLV_ENOMEM : 0;
}

static int finish_header(parser *p)
{
	size_t line = p->line;
	if (p->broken) {
		p->header_done = true; /* listing problems: the rules are still read */
		return 0;
	}
	p->line = p->first_line;
	if (p->mode == MODE_PROFILE) {
		mlv_risk_profile *pr = p->prof;
		if (pr->id[0] == '\0' || pr->currency[0] == '\0')
			return perr(p, MLV_EINVALID, "[profile] needs an id and a currency");
		if (!(pr->yellow <= pr->red && pr->red <= pr->hold))
			return perr(p, MLV_EINVALID,
				    "thresholds must rise: yellow <= red <= hold (%d, %d, %d)",
				    pr->yellow, pr->red, pr->hold);
	} else {
		risk_goods_list *l = p->list;
		if (l->country[0] == '\0' || l->currency[0] == '\0' || l->name == NULL)
			return perr(p, MLV_EINVALID, "[list] needs a country, a name and a currency");
		for (size_t i = 0; i < p->goods->nlists - 1; i++)
			if (strcmp(p->goods->lists[i].country, l->country) == 0)
				return perr(p, MLV_EEXISTS, "a list for %s is already loaded",
					    l->country);
		if (p->members.n > 0) {
			l->members = arena_copy(p, &p->members);
			if (l->members == NULL)
				return MLV_ENOMEM;
			l->nmembers = p->members.n;
		}
	}
	p->line = line;
	p->header_done = true;
	return 0;
}

static int finish_section(parser *p)
{
	if (p->sect == SECT_HEADER)
		return finish_header(p);
	if (p->sect == SECT_RULE)
		return finish_rule(p);
	return 0;
}

static int start_section(parser *p, char *name)
{
	size_t line = p->line;
	int rc = keep_going(p, finish_section(p));
	p->line = line;
	if (rc != 0)
		return rc;
	reset_section(p);
	p->first_line = p->line;
	p->sect_off = p->line_off;
	p->sect_end = p->line_end;
	if (p->collect)
		p->sect = SECT_SKIP; /* until the header proves good */
	char *sp = strchr(name, ' ');
	char *arg = NULL;
	if (sp != NULL) {
		*sp = '\0';
		arg = trim(sp + 1);
	}
	const char *head = p->mode == MODE_PROFILE ? "profile" : "list";
	if (strcmp(name, head) == 0 && arg == NULL) {
		if (p->header_done || (p->sect != SECT_NONE && !p->collect))
			return perr(p, MLV_EINVALID, "[%s] must come once, first", head);
		p->sect = SECT_HEADER;
		return 0;
	}
	uint8_t kind = 0;
	if (p->mode == MODE_PROFILE && strcmp(name, "rule") == 0)
		kind = MLV_RISK_HIT_RULE;
	else if (p->mode == MODE_GOODS && strcmp(name, "prohibited") == 0)
		kind = MLV_RISK_HIT_PROHIBITED;
	else if (p->mode == MODE_GOODS && strcmp(name, "restricted") == 0)
		kind = MLV_RISK_HIT_RESTRICTED;
	if (kind == 0)
		return perr(p, MLV_EINVALID, "unknown section [%s]; a %s has [%s], then %s", name,
			    p->mode == MODE_PROFILE ? "profile" : "goods list", head,
			    p->mode == MODE_PROFILE ? "[rule ID] sections"
						    : "[prohibited ID] and [restricted ID] sections");
	if (!p->header_done)
		return perr(p, MLV_EINVALID, "[%s] must come first", head);
	if (arg == NULL || *arg == '\0' || strlen(arg) > MLV_RISK_ID_MAX ||
	    strspn(arg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
		    strlen(arg))
		return perr(p, MLV_EINVALID, "[%s ID]: the id is 1 to %d of A-Z a-z 0-9 . _ -",
			    name, MLV_RISK_ID_MAX);
	p->sect = SECT_RULE;
	risk_rule *r = &p->cur;
	snprintf(r->id, sizeof(r->id), "%s", arg);
	r->kind = kind;
	if (p->mode == MODE_PROFILE) {
		snprintf(r->currency, sizeof(r->currency), "%s", p->prof->currency);
		r->minor = p->prof->minor;
	} else {
		snprintf(r->currency, sizeof(r->currency), "%s", p->list->currency);
		r->minor = p->list->minor;
		r->list = (uint16_t)(p->goods->nlists - 1);
	}
	return 0;
}

static int do_line(parser *p, char *line)
{
	line = trim(line);
	if (*line == '\0' || *line == ';' || *line == '#')
		return 0;
	if (*line == '[') {
		size_t n = strlen(line);
		if (line[n - 1] != ']')
			return perr(p, MLV_EINVALID, "a section header ends with ']'");
		line[n - 1] = '\0';
		return start_section(p, trim(line + 1));
	}
	if (p->sect == SECT_SKIP)
		return 0;
	char *eq = strchr(line, '=');
	if (eq == NULL)
		return perr(p, MLV_EINVALID, "expected [section] or key = value");
	*eq = '\0';
	char *key = trim(line), *v = trim(eq + 1);
	p->sect_end = p->line_end;
	for (size_t k = 0; k < MLV_ARRAY_LEN(consumer_words); k++)
		if (strncmp(key, consumer_words[k], strlen(consumer_words[k])) == 0)
			return perr(p, MLV_EFORBIDDEN, "'%s': %s", key, CONSUMER_WHY);
	if (p->sect == SECT_NONE)
		return perr(p, MLV_EINVALID, "'%s' outside a section", key);
	const key_def *k = NULL;
	for (size_t i = 0; i < MLV_ARRAY_LEN(keys); i++)
		if (strcmp(keys[i].name, key) == 0)
			k = &keys[i];
	if (k == NULL)
		return perr(p, MLV_EINVALID, "unknown key '%s'", key);
	unsigned where = p->sect == SECT_HEADER ? (p->mode == MODE_PROFILE ? W_PROFILE : W_LIST)
						: (p->cur.kind == MLV_RISK_HIT_RULE ? W_RULE : W_ENTRY);
	if ((k->where & where) == 0)
		return perr(p, MLV_EINVALID, "'%s' is not allowed in this section", key);
	if (p->seen[k->id] && !k->repeat)
		return perr(p, MLV_EINVALID, "'%s' given twice", key);
	p->seen[k->id] = true;
	if (*v == '\0')
		return perr(p, MLV_EINVALID, "'%s' has no value", key);
	if (p->sect == SECT_HEADER)
		return header_key(p, k, v);
	/* A profile's criteria are kept as written (the value is copied before
	 * the list parsers cut it into tokens). */
	risk_kv kv = {NULL, NULL};
	if (p->mode == MODE_PROFILE && !is_attribute(k->id)) {
		kv.key = k->name;
		if ((kv.value = mlv_arena_strndup(p->src_arena, v, strlen(v))) == NULL)
			return MLV_ENOMEM;
	}
	int rc = rule_key(p, k, v);
	if (rc == 0 && kv.key != NULL)
		rc = vec_push(&p->kvs, &kv);
	return rc;
}

static int parse_text(parser *p, const char *text, size_t len)
{
	char line[RISK_LINE_MAX + 1];
	size_t i = 0;
	int rc = 0;
	if (len > MLV_RISK_MAX_TEXT)
		return perr(p, MLV_ETOOBIG, "larger than %u bytes", MLV_RISK_MAX_TEXT);
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		i = 3; /* a byte order mark from an editor */
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t n = end - i;
		p->line++;
		if (n > 0 && text[end - 1] == '\r')
			n--;
		p->line_off = i;
		p->line_end = i + n;
		i = end + 1;
		if (n > RISK_LINE_MAX) {
			if ((rc = keep_going(p, perr(p, MLV_ETOOBIG, "line longer than %d bytes",
						       RISK_LINE_MAX))) != 0)
				return rc;
			continue;
		}
		memcpy(line, text + p->line_off, n);
		line[n] = '\0';
		bool ok = mlv_utf8_valid(line, n);
		if (!ok)
			rc = perr(p, MLV_EINVALID, "not valid UTF-8");
		for (size_t k = 0; ok && k < n; k++)
			if ((unsigned char)line[k] < 0x20 && line[k] != '\t') {
				rc = perr(p, MLV_EINVALID, "control character in the line");
				ok = false;
			}
		if (ok)
			rc = do_line(p, line);
		if ((rc = keep_going(p, rc)) != 0)
			return rc;
	}
	p->line++;
	if (!p->header_done && p->sect == SECT_NONE)
		return keep_going(p, perr(p, MLV_EINVALID, "empty: no [%s] section",
					  p->mode == MODE_PROFILE ? "profile" : "list"));
	return keep_going(p, finish_section(p));
}

/* ---- compiling ------------------------------------------------------------------ */

typedef struct post_pair {
	uint32_t key; /* node or phrase id */
	uint32_t rule;
} post_pair;

static int cmp_post(const void *a, const void *b)
{
	const post_pair *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

typedef struct key_pair {
	const char *key;
	uint32_t klen;
	uint32_t rule;
} key_pair;

static int cmp_key(const void *a, const void *b)
{
	const key_pair *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->key, y->key, n);
	if (c != 0)
		return c;
	if (x->klen != y->klen)
		return x->klen < y->klen ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static int push_post(risk_index *x, size_t *cap, uint32_t rule)
{
	if (x->nposts == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		uint32_t *np = realloc(x->posts, nc * sizeof(*np));
		if (np == NULL)
			return MLV_ENOMEM;
		x->posts = np;
		*cap = nc;
	}
	x->posts[x->nposts++] = rule;
	return 0;
}

typedef struct compiler {
	risk_set *s;
	vec trie_pairs; /* post_pair: node, rule */
	vec phrase_pairs;
	vec key_pairs;
	vec always;
	size_t posts_cap;
	size_t trie_cap;
	uint32_t *counts; /* rules per criterion key, hashed (choosing anchors) */
	size_t count_cap;
} compiler;

static int trie_insert(compiler *c, const char *digits, uint32_t *node)
{
	risk_index *x = &c->s->idx;
	uint32_t at = 0;
	for (const char *d = digits; *d; d++) {
		int k = *d - '0';
		if (x->trie[at].child[k] == 0) {
			if (x->ntrie == c->trie_cap) {
				size_t nc = c->trie_cap * 2;
				risk_trie_node *nt = realloc(x->trie, nc * sizeof(*nt));
				if (nt == NULL)
					return MLV_ENOMEM;
				x->trie = nt;
				c->trie_cap = nc;
			}
			memset(&x->trie[x->ntrie], 0, sizeof(x->trie[0]));
			x->trie[at].child[k] = (int32_t)x->ntrie++;
		}
		at = (uint32_t)x->trie[at].child[k];
	}
	*node = at;
	return 0;
}

static int add_key(compiler *c, uint32_t rule, char type, const char *text, size_t n)
{
	char buf[RISK_NAME_MAX + 8];
	buf[0] = type;
	memcpy(buf + 1, text, n);
	key_pair kp = {mlv_arena_strndup(c->s->arena, buf, n + 1), (uint32_t)(n + 1), rule};
	if (kp.key == NULL)
		return MLV_ENOMEM;
	return vec_push(&c->key_pairs, &kp);
}

static void country_text(uint16_t k, char out[3])
{
	if (k == RISK_ANY_COUNTRY) {
		out[0] = '*';
		out[1] = '\0';
		return;
	}
	out[0] = (char)('A' + k / 26);
	out[1] = (char)('A' + k % 26);
	out[2] = '\0';
}

static int add_mask_keys(compiler *c, uint32_t rule, char type, uint32_t mask)
{
	int rc;
	for (unsigned b = 0; b < 32; b++) {
		if (!(mask & (1u << b)))
			continue;
		char d[4];
		int n = snprintf(d, sizeof(d), "%u", b);
		if ((rc = add_key(c, rule, type, d, (size_t)n)) != 0)
			return rc;
	}
	return 0;
}

/* ---- choosing anchors ---------------------------------------------------------- */

/* A rule may be anchored on any of its indexable criteria; what a
 * consignment pays for an anchor is the length of the posting lists it
 * meets.  So each rule is filed under the criterion whose keys the fewest
 * rules share (counted in a first pass over the set), each count scaled by
 * how broad that kind of key is: a party or a full subheading is met by
 * few consignments, a chapter or a route by many.  Ties keep the order
 * below (parties, words, HS, origins, routes, departures).  Any choice is
 * correct (evaluation checks every criterion); only the cost differs.
 * Counts live in a hashed table where colliding keys add up: a collision
 * can only make a choice worse, never wrong. */
enum {
	OPT_PARTY = 0, /* + role, 1 .. MLV_RISK_ROLE_COUNT - 1 */
	OPT_WORDS = MLV_RISK_ROLE_COUNT,
	OPT_HS,
	OPT_ORIGIN,
	OPT_ROUTE,
	OPT_DEPARTURE,
	OPT_COUNT,
};

/* How broad a key of each kind is, relative to a party's. */
static unsigned hs_breadth(const char *hs)
{
	size_t n = strlen(hs);
	return n >= 6 ? 1 : n >= 4 ? 2 : n >= 2 ? 4 : 8;
}

static uint64_t count_slot(const compiler *c, char type, const void *key, size_t n)
{
	char buf[RISK_NAME_MAX + 16];
	buf[0] = type;
	if (n > sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	memcpy(buf + 1, key, n);
	return fnv1a(buf, n + 1) & (c->count_cap - 1);
}

/* Visits the keys of option `opt` of rule r: counts them (add), or
 * returns their weighted cost; UINT64_MAX when r has no such criterion. */
static uint64_t option_keys(compiler *c, const risk_rule *r, int opt, bool add)
{
	uint64_t cost = 0;
	size_t n = 0;
	for (size_t k = 0;; k++) {
		uint64_t slot;
		unsigned breadth;
		if (opt < OPT_WORDS) {
			if (k >= (n = r->nparty[opt]))
				break;
			char role = (char)('0' + opt);
			char buf[RISK_NAME_MAX + 8];
			size_t len = strlen(r->party[opt][k]);
			if (len > sizeof(buf) - 2)
				len = sizeof(buf) - 2;
			buf[0] = role;
			memcpy(buf + 1, r->party[opt][k], len);
			slot = count_slot(c, RISK_K_PARTY, buf, len + 1);
			breadth = 1;
		} else if (opt == OPT_WORDS) {
			if (k >= (n = r->nwords))
				break;
			slot = count_slot(c, 'w', &r->words[k], sizeof(r->words[k]));
			breadth = 2;
		} else if (opt == OPT_HS) {
			if (k >= (n = r->nhs))
				break;
			slot = count_slot(c, 'h', r->hs[k], strlen(r->hs[k]));
			breadth = hs_breadth(r->hs[k]);
		} else if (opt == OPT_ORIGIN) {
			if (k >= (n = r->norigins))
				break;
			slot = count_slot(c, RISK_K_ORIGIN, &r->origins[k], sizeof(r->origins[k]));
			breadth = 8;
		} else if (opt == OPT_ROUTE) {
			if (k >= (n = r->nroutes))
				break;
			slot = count_slot(c, RISK_K_ROUTE, &r->routes[k], sizeof(r->routes[k]));
			breadth = r->routes[k] / 677 == RISK_ANY_COUNTRY ||
						  r->routes[k] % 677 == RISK_ANY_COUNTRY
					  ? 16
					  : 8;
		} else {
			if (k >= (n = r->ndepartures))
				break;
			slot = count_slot(c, RISK_K_DEPARTURE, &r->departures[k],
					  sizeof(r->departures[k]));
			breadth = 8;
		}
		if (add)
			c->counts[slot]++;
		else
			cost += (uint64_t)c->counts[slot] * breadth;
	}
	return n == 0 ? UINT64_MAX : cost;
}

/* The option of rule i that costs least; OPT_COUNT when it has none. */
static int cheapest_option(compiler *c, const risk_rule *r)
{
	int best = OPT_COUNT;
	uint64_t best_cost = UINT64_MAX;
	for (int opt = 1; opt < OPT_COUNT; opt++) {
		uint64_t cost = option_keys(c, r, opt, false);
		if (cost < best_cost) {
			best = opt;
			best_cost = cost;
		}
	}
	return best;
}

/* Files rule i under its cheapest indexable criterion, else the first of
 * the coarse ones, else in the `always` list. */
static int anchor(compiler *c, uint32_t i)
{
	const risk_rule *r = &c->s->rules[i];
	int rc = 0;
	int opt = cheapest_option(c, r);
	if (opt < OPT_WORDS) {
		for (size_t k = 0; k < r->nparty[opt]; k++) {
			char buf[RISK_NAME_MAX + 8];
			int n = snprintf(buf, sizeof(buf), "%d%s", opt, r->party[opt][k]);
			if ((rc = add_key(c, i, RISK_K_PARTY, buf, (size_t)n)) != 0)
				return rc;
		}
		return 0;
	}
	if (opt == OPT_WORDS) {
		for (size_t k = 0; k < r->nwords; k++) {
			post_pair pp = {r->words[k], i};
			if ((rc = vec_push(&c->phrase_pairs, &pp)) != 0)
				return rc;
		}
		return 0;
	}
	if (opt == OPT_HS) {
		for (size_t k = 0; k < r->nhs; k++) {
			post_pair pp = {0, i};
			if ((rc = trie_insert(c, r->hs[k], &pp.key)) != 0 ||
			    (rc = vec_push(&c->trie_pairs, &pp)) != 0)
				return rc;
		}
		return 0;
	}
	if (opt == OPT_ORIGIN) {
		for (size_t k = 0; k < r->norigins; k++) {
			char cc[3];
			country_text(r->origins[k], cc);
			if ((rc = add_key(c, i, RISK_K_ORIGIN, cc, 2)) != 0)
				return rc;
		}
		return 0;
	}
	if (opt == OPT_ROUTE) {
		for (size_t k = 0; k < r->nroutes; k++) {
			char a[3], b[3], buf[8];
			country_text((uint16_t)(r->routes[k] / 677), a);
			country_text((uint16_t)(r->routes[k] % 677), b);
			int n = snprintf(buf, sizeof(buf), "%s>%s", a, b);
			if ((rc = add_key(c, i, RISK_K_ROUTE, buf, (size_t)n)) != 0)
				return rc;
		}
		return 0;
	}
	if (opt == OPT_DEPARTURE) {
		for (size_t k = 0; k < r->ndepartures; k++) {
			char cc[3];
			country_text(r->departures[k], cc);
			if ((rc = add_key(c, i, RISK_K_DEPARTURE, cc, 2)) != 0)
				return rc;
		}
		return 0;
	}
	if (r->watch)
		return add_mask_keys(c, i, RISK_K_WATCH, r->watch);
	if (r->mismatch)
		return add_mask_keys(c, i, RISK_K_MISMATCH, r->mismatch);
	if (r->split)
		return add_key(c, i, RISK_K_SPLIT, "", 0);
	if (r->schemes)
		return add_mask_keys(c, i, RISK_K_SCHEME, r->schemes);
	if (r->channels)
		return add_mask_keys(c, i, RISK_K_CHANNEL, r->channels);
	if (r->models)
		return add_mask_keys(c, i, RISK_K_MODEL, r->models);
	if (r->categories)
		return add_mask_keys(c, i, RISK_K_CATEGORY, r->categories);
	if (r->modes)
		return add_mask_keys(c, i, RISK_K_MODE, r->modes);
	return vec_push(&c->always, &i);
}

/* What a candidate must meet before it is kept (risk_impl.h, risk_quick):
 * the departures its routes and departure list admit, the origins, words
 * and chapters its items need, the consignment's value when the rule's
 * bounds are in `currency` (the set's; NULL: none). */
static void quick_filter(const risk_rule *r, const char *currency, risk_quick *q)
{
	q->value = r->value.has_lo || r->value.has_hi;
	q->value_lo = INT64_MIN;
	q->value_hi = INT64_MAX;
	if (q->value && currency != NULL && strcmp(r->currency, currency) == 0) {
		if (r->value.has_lo)
			q->value_lo = r->value.lo;
		if (r->value.has_hi)
			q->value_hi = r->value.hi;
	}
	q->dep = ~(uint64_t)0;
	q->origin = ~(uint64_t)0;
	q->words = ~(uint64_t)0;
	q->chapter = ~(uint64_t)0;
	if (r->nwords > 0) {
		q->words = 0;
		for (size_t k = 0; k < r->nwords; k++)
			q->words |= risk_quick_bit(r->words[k]);
	}
	if (r->nhs > 0) {
		q->chapter = 0;
		for (size_t k = 0; k < r->nhs; k++)
			q->chapter |= risk_chapter_bits(r->hs[k]);
	}
	if (r->ndepartures > 0) {
		q->dep = 0;
		for (size_t k = 0; k < r->ndepartures; k++)
			q->dep |= risk_country_bit(r->departures[k]);
	}
	if (r->nroutes > 0) {
		uint64_t m = 0;
		for (size_t k = 0; k < r->nroutes; k++) {
			uint16_t a = (uint16_t)(r->routes[k] / 677);
			m |= a == RISK_ANY_COUNTRY ? ~(uint64_t)0 : risk_country_bit(a);
		}
		q->dep &= m;
	}
	if (r->norigins > 0) {
		q->origin = 0;
		for (size_t k = 0; k < r->norigins; k++)
			q->origin |= risk_country_bit(r->origins[k]);
	}
}

/* Sorted, de-duplicated pairs -> (post, npost) per key in `post`/`npost`
 * arrays of `nkeys` entries. */
static int build_csr(compiler *c, vec *pairs, size_t nkeys, uint32_t *post, uint32_t *npost,
		     size_t stride)
{
	risk_index *x = &c->s->idx;
	post_pair *pp = (post_pair *)(void *)pairs->p;
	if (pairs->n > 1)
		qsort(pp, pairs->n, sizeof(*pp), cmp_post);
	for (size_t i = 0; i < pairs->n; i++) {
		if (i > 0 && pp[i].key == pp[i - 1].key && pp[i].rule == pp[i - 1].rule)
			continue;
		uint32_t k = pp[i].key;
		if (k >= nkeys)
			return MLV_EINVALID;
		uint32_t *kp = (uint32_t *)(void *)((char *)post + k * stride);
		uint32_t *kn = (uint32_t *)(void *)((char *)npost + k * stride);
		if (*kn == 0)
			*kp = (uint32_t)x->nposts;
		(*kn)++;
		if (push_post(x, &c->posts_cap, pp[i].rule) != 0)
			return MLV_ENOMEM;
	}
	return 0;
}

/* Aho-Corasick over the set's phrases.  Built with child lists (first
 * child, next sibling), then flattened to sorted edge arrays. */
static int build_automaton(risk_set *s)
{
	risk_index *x = &s->idx;
	int rc = 0;
	size_t cap = 64, n = 1;
	int32_t *first = NULL, *next = NULL, *fail = NULL, *out = NULL, *phrase = NULL,
		*queue = NULL;
	unsigned char *byte = NULL;
	size_t total = 1;
	for (size_t i = 0; i < s->nphrases; i++)
		total += s->phrase_len[i];
	cap = total;
	first = malloc(cap * sizeof(*first));
	next = malloc(cap * sizeof(*next));
	byte = malloc(cap);
	phrase = malloc(cap * sizeof(*phrase));
	fail = calloc(cap, sizeof(*fail));
	out = malloc(cap * sizeof(*out));
	queue = malloc(cap * sizeof(*queue));
	if (!first || !next || !byte || !phrase || !fail || !out || !queue) {
		rc = MLV_ENOMEM;
		goto cleanup;
	}
	first[0] = next[0] = -1;
	phrase[0] = -1;
	byte[0] = 0;
	for (size_t i = 0; i < s->nphrases; i++) {
		int32_t at = 0;
		for (uint32_t k = 0; k < s->phrase_len[i]; k++) {
			unsigned char b = (unsigned char)s->phrases[i][k];
			int32_t ch = first[at];
			while (ch >= 0 && byte[ch] != b)
				ch = next[ch];
			if (ch < 0) {
				ch = (int32_t)n++;
				byte[ch] = b;
				first[ch] = -1;
				phrase[ch] = -1;
				next[ch] = first[at];
				first[at] = ch;
			}
			at = ch;
		}
		phrase[at] = (int32_t)i;
	}

	/* Breadth first: a node's fail link is known before its children's. */
	size_t qh = 0, qt = 0;
	fail[0] = 0;
	out[0] = -1;
	for (int32_t ch = first[0]; ch >= 0; ch = next[ch]) {
		fail[ch] = 0;
		out[ch] = -1;
		queue[qt++] = ch;
	}
	while (qh < qt) {
		int32_t v = queue[qh++];
		for (int32_t ch = first[v]; ch >= 0; ch = next[ch]) {
			int32_t f = fail[v];
			int32_t t = -1;
			for (;;) {
				for (int32_t g = first[f]; g >= 0; g = next[g])
					if (byte[g] == byte[ch]) {
						t = g;
						break;
					}
				if (t >= 0 || f == 0)
					break;
				f = fail[f];
			}
			fail[ch] = (t >= 0 && t != ch) ? t : 0;
			out[ch] = phrase[fail[ch]] >= 0 ? fail[ch] : out[fail[ch]];
			queue[qt++] = ch;
		}
	}

	x->ac = calloc(n, sizeof(*x->ac));
	x->edges = malloc((n > 1 ? n - 1 : 1) * sizeof(*x->edges));
	if (x->ac == NULL || x->edges == NULL) {
		rc = MLV_ENOMEM;
		goto cleanup;
	}
	x->nac = n;
	uint32_t ne = 0;
	for (size_t v = 0; v < n; v++) {
		risk_ac_node *an = &x->ac[v];
		an->fail = fail[v];
		an->out = out[v];
		an->phrase = phrase[v];
		an->edge = ne;
		for (int32_t ch = first[v]; ch >= 0; ch = next[ch]) {
			/* insertion sort by byte: nodes have few children */
			uint32_t k = ne++;
			while (k > an->edge && x->edges[k - 1].byte > byte[ch]) {
				x->edges[k] = x->edges[k - 1];
				k--;
			}
			x->edges[k].byte = byte[ch];
			x->edges[k].to = ch;
		}
		an->nedge = ne - an->edge;
	}
	for (int b = 0; b < 256; b++)
		x->root[b] = 0;
	for (uint32_t e = 0; e < x->ac[0].nedge; e++)
		x->root[x->edges[e].byte] = x->edges[e].to;
cleanup:
	free(first);
	free(next);
	free(byte);
	free(phrase);
	free(fail);
	free(out);
	free(queue);
	return rc;
}

static int build_map(compiler *c)
{
	risk_index *x = &c->s->idx;
	key_pair *kp = (key_pair *)(void *)c->key_pairs.p;
	size_t n = c->key_pairs.n;
	if (n == 0)
		return 0;
	if (n > 1)
		qsort(kp, n, sizeof(*kp), cmp_key);
	size_t keys_n = 0;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || kp[i].klen != kp[i - 1].klen ||
		    memcmp(kp[i].key, kp[i - 1].key, kp[i].klen) != 0)
			keys_n++;
	size_t cap = 16;
	while (cap < keys_n * 2)
		cap *= 2;
	x->map = calloc(cap, sizeof(*x->map));
	if (x->map == NULL)
		return MLV_ENOMEM;
	x->map_cap = cap;
	risk_map_slot *slot = NULL;
	for (size_t i = 0; i < n; i++) {
		bool fresh = i == 0 || kp[i].klen != kp[i - 1].klen ||
			     memcmp(kp[i].key, kp[i - 1].key, kp[i].klen) != 0;
		if (fresh) {
			size_t k = fnv1a(kp[i].key, kp[i].klen) & (cap - 1);
			while (x->map[k].key != NULL)
				k = (k + 1) & (cap - 1);
			slot = &x->map[k];
			slot->key = kp[i].key;
			slot->klen = kp[i].klen;
			slot->post = (uint32_t)x->nposts;
		} else if (kp[i].rule == kp[i - 1].rule) {
			continue;
		}
		slot->npost++;
		if (push_post(x, &c->posts_cap, kp[i].rule) != 0)
			return MLV_ENOMEM;
	}
	return 0;
}

/* currency: the one assessments of the set compare values in (a
 * profile's); NULL when there is none (goods lists). */
static int set_compile(risk_set *s, const char *currency)
{
	risk_index *x = &s->idx;
	compiler c = {s, VEC(post_pair), VEC(post_pair), VEC(key_pair), VEC(uint32_t), 0, 64,
		      NULL, 0};
	int rc = 0;
	x->trie = calloc(c.trie_cap, sizeof(*x->trie));
	if (x->trie == NULL)
		return MLV_ENOMEM;
	x->ntrie = 1;
	size_t nkeys = 0;
	for (uint32_t i = 0; i < s->nrules; i++) {
		const risk_rule *r = &s->rules[i];
		nkeys += r->nwords + r->nhs + r->norigins + r->nroutes + r->ndepartures;
		for (int role = 1; role < MLV_RISK_ROLE_COUNT; role++)
			nkeys += r->nparty[role];
	}
	c.count_cap = 64;
	while (c.count_cap < 4 * nkeys)
		c.count_cap <<= 1;
	c.counts = calloc(c.count_cap, sizeof(*c.counts));
	if (c.counts == NULL) {
		rc = MLV_ENOMEM;
		goto cleanup;
	}
	for (uint32_t i = 0; i < s->nrules; i++)
		if (s->rules[i].enabled)
			for (int opt = 1; opt < OPT_COUNT; opt++)
				option_keys(&c, &s->rules[i], opt, true);
	for (uint32_t i = 0; i < s->nrules; i++)
		if (s->rules[i].enabled && (rc = anchor(&c, i)) != 0)
			goto cleanup;
	if ((rc = build_csr(&c, &c.trie_pairs, x->ntrie, &x->trie[0].post, &x->trie[0].npost,
			    sizeof(x->trie[0]))) != 0)
		goto cleanup;
	if ((rc = build_automaton(s)) != 0)
		goto cleanup;
	x->nphrases = (uint32_t)s->nphrases;
	x->phrase_post = calloc(s->nphrases + 1, sizeof(uint32_t));
	x->phrase_npost = calloc(s->nphrases + 1, sizeof(uint32_t));
	if (x->phrase_post == NULL || x->phrase_npost == NULL) {
		rc = MLV_ENOMEM;
		goto cleanup;
	}
	if ((rc = build_csr(&c, &c.phrase_pairs, s->nphrases, x->phrase_post, x->phrase_npost,
			    sizeof(uint32_t))) != 0)
		goto cleanup;
	if ((rc = build_map(&c)) != 0)
		goto cleanup;
	x->post_quick = malloc((x->nposts ? x->nposts : 1) * sizeof(*x->post_quick));
	if (x->post_quick == NULL) {
		rc = MLV_ENOMEM;
		goto cleanup;
	}
	for (size_t k = 0; k < x->nposts; k++)
		quick_filter(&s->rules[x->posts[k]], currency, &x->post_quick[k]);
	x->nalways = c.always.n;
	if (c.always.n > 0) {
		x->always = malloc(c.always.n * sizeof(uint32_t));
		if (x->always == NULL) {
			rc = MLV_ENOMEM;
			goto cleanup;
		}
		memcpy(x->always, c.always.p, c.always.n * sizeof(uint32_t));
	}
	x->name_roles = 0;
	for (size_t i = 0; i < s->nrules; i++)
		for (int role = 0; role < MLV_RISK_ROLE_COUNT; role++)
			for (size_t k = 0; k < s->rules[i].nparty[role]; k++)
				if (s->rules[i].party[role][k][0] == 'n')
					x->name_roles |= 1u << role;
	s->compiled = true;
cleanup:
	vec_free(&c.trie_pairs);
	vec_free(&c.phrase_pairs);
	vec_free(&c.key_pairs);
	vec_free(&c.always);
	free(c.counts);
	return rc;
}

/* Rule ids are unique within a set; names the line of the second one. */
static int check_unique(parser *p)
{
	risk_set *s = p->set;
	size_t n = s->nrules;
	if (n < 2)
		return 0;
	size_t cap = 16;
	while (cap < n * 2)
		cap *= 2;
	uint32_t *h = calloc(cap, sizeof(*h));
	int rc = 0;
	if (h == NULL)
		return MLV_ENOMEM;
	for (uint32_t i = 0; i < n && rc == 0; i++) {
		const char *id = s->rules[i].id;
		size_t k = fnv1a(id, strlen(id)) & (cap - 1);
		for (; h[k] != 0; k = (k + 1) & (cap - 1)) {
			if (strcmp(s->rules[h[k] - 1].id, id) == 0) {
				p->line = ((size_t *)(void *)p->lines.p)[i];
				rc = keep_going(p, perr(p, MLV_EEXISTS, "[%s]: the id %s is used twice",
							s->rules[i].kind == MLV_RISK_HIT_RULE ? "rule"
											  : "entry",
							id));
				break;
			}
		}
		h[k] = i + 1;
	}
	free(h);
	return rc;
}

/* ---- public: profiles ------------------------------------------------------------- */

/* Parses and compiles a profile; with probs, every problem is listed
 * (mlv_risk_profile_check), else the first goes to err. */
static int profile_parse(mlv_risk_profile **out, const char *text, size_t len, const char *name,
			 const mlv_refdata *rd, char *err, size_t errlen,
			 mlv_risk_text_problem *probs, size_t maxprobs, size_t *nprobs)
{
	int rc = 0;
	parser p;
	parser_init(&p);
	mlv_risk_profile *pr = calloc(1, sizeof(*pr));
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (nprobs != NULL)
		*nprobs = 0;
	if (pr == NULL)
		return MLV_ENOMEM;
	if ((rc = set_init(&pr->set)) != 0)
		goto cleanup;
	if ((pr->src_arena = mlv_arena_new(1u << 14)) == NULL) {
		rc = MLV_ENOMEM;
		goto cleanup;
	}
	pr->version = 1;
	pr->yellow = 30;
	pr->red = 60;
	pr->hold = 100;
	pr->random_lane = MLV_RISK_YELLOW;
	pr->prohibited_lane = MLV_RISK_RED;
	pr->restricted_lane = MLV_RISK_HOLD;
	p.name = name ? name : "profile";
	p.err = err;
	p.errlen = errlen;
	p.rd = rd;
	p.set = &pr->set;
	p.mode = MODE_PROFILE;
	p.prof = pr;
	p.src_arena = pr->src_arena;
	p.collect = probs != NULL;
	p.probs = probs;
	p.maxprobs = maxprobs;
	rc = parse_text(&p, text, len);
	if (rc == 0)
		rc = check_unique(&p);
	if (p.collect) {
		rc = keep_going(&p, rc); /* a bound that stopped the parse is a problem too */
		*nprobs = p.nprobs;
		if (rc == 0 && p.nprobs > 0)
			rc = p.first_code;
	}
	if (rc != 0)
		goto cleanup;
	if ((rc = set_compile(&pr->set, pr->currency)) != 0)
		goto cleanup;
	/* Kept for readers and editors: the text, and where each rule is. */
	pr->text = malloc(len + 1);
	if (pr->text == NULL) {
		rc = MLV_ENOMEM;
		goto cleanup;
	}
	memcpy(pr->text, text, len);
	pr->text[len] = '\0';
	pr->text_len = len;
	pr->src = (risk_rule_src *)(void *)p.srcs.p;
	p.srcs.p = NULL;
	*out = pr;
	pr = NULL;
cleanup:
	parser_free(&p);
	mlv_risk_profile_free(pr);
	return rc;
}

int mlv_risk_profile_parse(mlv_risk_profile **out, const char *text, size_t len,
			   const char *name, const mlv_refdata *rd, char *err, size_t errlen)
{
	return profile_parse(out, text, len, name, rd, err, errlen, NULL, 0, NULL);
}

int mlv_risk_profile_check(mlv_risk_profile **out, const char *text, size_t len,
			   const char *name, const mlv_refdata *rd, mlv_risk_text_problem *probs,
			   size_t max, size_t *count)
{
	mlv_risk_text_problem none[1];
	if (probs == NULL || max == 0) {
		probs = none;
		max = 0;
	}
	return profile_parse(out, text, len, name, rd, NULL, 0, probs, max, count);
}

int mlv_risk_profile_load(mlv_risk_profile **out, const char *path, const mlv_refdata *rd,
			  char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	*out = NULL;
	int rc = read_text(path, &text, &len, err, errlen);
	if (rc == 0)
		rc = mlv_risk_profile_parse(out, text, len, path, rd, err, errlen);
	free(text);
	return rc;
}

void mlv_risk_profile_free(mlv_risk_profile *p)
{
	if (p == NULL)
		return;
	mlv_risk_set_free(&p->set);
	free(p->text);
	free(p->src);
	mlv_arena_free(p->src_arena);
	free(p);
}

const char *mlv_risk_profile_id(const mlv_risk_profile *p) { return p->id; }
int64_t mlv_risk_profile_version(const mlv_risk_profile *p) { return p->version; }
void mlv_risk_profile_set_version(mlv_risk_profile *p, int64_t version) { p->version = version; }
const char *mlv_risk_profile_currency(const mlv_risk_profile *p) { return p->currency; }
size_t mlv_risk_profile_rule_count(const mlv_risk_profile *p) { return p->set.nrules; }

static void rule_info(const mlv_risk_profile *p, size_t i, mlv_risk_rule_info *out)
{
	const risk_rule *r = &p->set.rules[i];
	memset(out, 0, sizeof(*out));
	out->id = r->id;
	out->version = r->version;
	out->weight = r->weight;
	out->lane = (mlv_risk_lane)r->lane;
	out->enabled = r->enabled;
	out->explain = r->explain;
	out->index = i;
	if (p->src != NULL) {
		out->line = p->src[i].line;
		out->section = p->text + p->src[i].off;
		out->section_len = p->src[i].len;
		out->criterion_count = p->src[i].ncrit;
	}
}

int mlv_risk_profile_rule(const mlv_risk_profile *p, size_t i, mlv_risk_rule_info *out)
{
	if (i >= p->set.nrules)
		return MLV_ENOTFOUND;
	rule_info(p, i, out);
	return 0;
}

int mlv_risk_profile_find(const mlv_risk_profile *p, const char *id, mlv_risk_rule_info *out)
{
	for (size_t i = 0; i < p->set.nrules; i++) {
		if (strcmp(p->set.rules[i].id, id) == 0) {
			rule_info(p, i, out);
			return 0;
		}
	}
	return MLV_ENOTFOUND;
}

int mlv_risk_profile_criterion(const mlv_risk_profile *p, size_t i, size_t k, const char **key,
			       const char **value)
{
	if (i >= p->set.nrules || p->src == NULL || k >= p->src[i].ncrit)
		return MLV_ENOTFOUND;
	*key = p->src[i].crit[k].key;
	*value = p->src[i].crit[k].value;
	return 0;
}

const char *mlv_risk_profile_text(const mlv_risk_profile *p, size_t *len)
{
	if (len != NULL)
		*len = p->text_len;
	return p->text ? p->text : "";
}

const char *mlv_risk_profile_name(const mlv_risk_profile *p)
{
	return p->name ? p->name : "";
}

/* ---- public: the profile as JSON ---------------------------------------------------- */

static int json_text(mlv_buf *b, const char *s)
{
	return s ? mlv_buf_add_json_string(b, s, strlen(s)) : mlv_buf_adds(b, "null");
}

static const char *lane_word(int lane)
{
	static const char *const names[] = {"green", "yellow", "red", "hold"};
	return lane >= 0 && lane < 4 ? names[lane] : "green";
}

int mlv_risk_profile_write_json(mlv_buf *b, const mlv_risk_profile *p)
{
	char rate[32];
	mlv_decimal_format(p->random_ppm, 4, rate, sizeof(rate));
	int rc = mlv_buf_adds(b, "{\"id\":");
	if (rc == 0)
		rc = json_text(b, p->id);
	if (rc == 0)
		rc = mlv_buf_printf(b, ",\"version\":%lld,\"name\":", (long long)p->version);
	if (rc == 0)
		rc = json_text(b, p->name);
	if (rc == 0)
		rc = mlv_buf_printf(b,
				    ",\"currency\":\"%s\",\"yellow\":%d,\"red\":%d,\"hold\":%d,"
				    "\"random_percent\":\"%s\",\"random_lane\":\"%s\","
				    "\"prohibited_lane\":\"%s\",\"restricted_lane\":\"%s\",\"rules\":[",
				    p->currency, p->yellow, p->red, p->hold, rate,
				    lane_word(p->random_lane), lane_word(p->prohibited_lane),
				    lane_word(p->restricted_lane));
	for (size_t i = 0; rc == 0 && i < p->set.nrules; i++) {
		mlv_risk_rule_info ri;
		rule_info(p, i, &ri);
		rc = mlv_buf_printf(b, "%s{\"id\":", i ? "," : "");
		if (rc == 0)
			rc = json_text(b, ri.id);
		if (rc == 0)
			rc = mlv_buf_printf(b, ",\"version\":%lld,\"weight\":%d,\"lane\":",
					    (long long)ri.version, ri.weight);
		if (rc == 0)
			rc = json_text(b, ri.lane != MLV_RISK_GREEN ? lane_word(ri.lane) : NULL);
		if (rc == 0)
			rc = mlv_buf_printf(b, ",\"enabled\":%s,\"explain\":",
					    ri.enabled ? "true" : "false");
		if (rc == 0)
			rc = json_text(b, ri.explain);
		if (rc == 0)
			rc = mlv_buf_printf(b, ",\"line\":%zu,\"criteria\":[", ri.line);
		for (size_t k = 0; rc == 0 && k < ri.criterion_count; k++) {
			const risk_kv *kv = &p->src[i].crit[k];
			rc = mlv_buf_adds(b, k ? ",{\"key\":" : "{\"key\":");
			if (rc == 0)
				rc = json_text(b, kv->key);
			if (rc == 0)
				rc = mlv_buf_adds(b, ",\"value\":");
			if (rc == 0)
				rc = json_text(b, kv->value);
			if (rc == 0)
				rc = mlv_buf_addc(b, '}');
		}
		if (rc == 0)
			rc = mlv_buf_adds(b, "]}");
	}
	return rc ? rc : mlv_buf_adds(b, "]}");
}

/* ---- public: editing a profile's text ------------------------------------------------ */

/* Line k (0-based) of text[0..len): its bytes without the line end. */
typedef struct text_line {
	const char *s;
	size_t n;
} text_line;

static bool next_line(const char *text, size_t len, size_t *at, text_line *out)
{
	if (*at >= len)
		return false;
	const char *nl = memchr(text + *at, '\n', len - *at);
	size_t end = nl ? (size_t)(nl - text) : len;
	out->s = text + *at;
	out->n = end - *at;
	if (out->n > 0 && out->s[out->n - 1] == '\r')
		out->n--;
	*at = end + 1;
	return true;
}

static void line_trim(text_line *l)
{
	while (l->n > 0 && (*l->s == ' ' || *l->s == '\t'))
		l->s++, l->n--;
	while (l->n > 0 && (l->s[l->n - 1] == ' ' || l->s[l->n - 1] == '\t'))
		l->n--;
}

/* The key of a "key = value" line, trimmed; false for other lines. */
static bool line_key(text_line l, text_line *key, text_line *value)
{
	line_trim(&l);
	if (l.n == 0 || l.s[0] == ';' || l.s[0] == '#' || l.s[0] == '[')
		return false;
	const char *eq = memchr(l.s, '=', l.n);
	if (eq == NULL)
		return false;
	*key = (text_line){l.s, (size_t)(eq - l.s)};
	*value = (text_line){eq + 1, l.n - (size_t)(eq - l.s) - 1};
	line_trim(key);
	line_trim(value);
	return true;
}

/* Newlines in text[0..off). */
static size_t lines_before(const char *text, size_t off)
{
	size_t n = 0;
	for (size_t i = 0; i < off; i++)
		n += text[i] == '\n';
	return n;
}

static int edit_fail(char *err, size_t errlen, size_t line, const char *msg)
{
	if (err != NULL && errlen > 0) {
		if (line > 0)
			snprintf(err, errlen, "line %zu: %s", line, msg);
		else
			snprintf(err, errlen, "%s", msg);
	}
	return MLV_EINVALID;
}

int mlv_risk_profile_put_rule(mlv_buf *out, const mlv_risk_profile *p, const char *section,
			      size_t len, bool bump, mlv_risk_rule_edit *info, char *err,
			      size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	memset(info, 0, sizeof(*info));
	if (len > MLV_RISK_MAX_TEXT || p->text == NULL)
		return edit_fail(err, errlen, 0, "the rule is larger than a profile may be");
	/* One [rule ID] header, before any key, and no other section. */
	size_t at = 0, lineno = 0;
	size_t body_start = 0, body_end = 0; /* the section's bytes, header to last line */
	text_line l;
	while (next_line(section, len, &at, &l)) {
		lineno++;
		text_line t = l, key, value;
		line_trim(&t);
		if (t.n == 0 || t.s[0] == ';' || t.s[0] == '#')
			continue;
		if (t.s[0] == '[') {
			if (info->header_line != 0)
				return edit_fail(err, errlen, lineno,
						 "one rule at a time: a second section starts here");
			if (t.n < 8 || memcmp(t.s, "[rule ", 6) != 0 || t.s[t.n - 1] != ']')
				return edit_fail(err, errlen, lineno, "the rule starts with [rule ID]");
			text_line name = {t.s + 6, t.n - 7};
			line_trim(&name);
			if (name.n == 0 || name.n > MLV_RISK_ID_MAX ||
			    strspn(name.s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					   "0123456789._-") < name.n)
				return edit_fail(err, errlen, lineno,
						 "[rule ID]: the id is 1 to 40 of A-Z a-z 0-9 . _ -");
			memcpy(info->id, name.s, name.n);
			info->id[name.n] = '\0';
			info->header_line = lineno;
			body_start = (size_t)(l.s - section);
			body_end = body_start + l.n;
			continue;
		}
		if (info->header_line == 0)
			return edit_fail(err, errlen, lineno, "the rule starts with [rule ID]");
		body_end = (size_t)(l.s - section) + l.n;
		if (line_key(l, &key, &value) && key.n == 7 && memcmp(key.s, "version", 7) == 0)
			info->version_given = true;
	}
	if (info->header_line == 0)
		return edit_fail(err, errlen, 0, "no [rule ID] section given");
	info->lines = lineno - info->header_line + 1;
	mlv_risk_rule_info old;
	info->exists = mlv_risk_profile_find(p, info->id, &old) == 0;
	info->old_version = info->exists ? old.version : 0;
	/* The new text: before, the section, after. */
	size_t cut_from = p->text_len, cut_to = p->text_len;
	if (info->exists) {
		cut_from = p->src[old.index].off;
		cut_to = cut_from + p->src[old.index].len;
	}
	int rc = mlv_buf_add(out, p->text, cut_from);
	if (rc == 0 && !info->exists && cut_from > 0 && p->text[cut_from - 1] != '\n')
		rc = mlv_buf_addc(out, '\n');
	if (rc == 0 && !info->exists)
		rc = mlv_buf_addc(out, '\n'); /* a blank line between rules */
	info->first_line = lines_before(out->data ? out->data : "", out->len) + 1;
	if (rc == 0)
		rc = mlv_buf_add(out, section + body_start, body_end - body_start);
	if (rc == 0 && !info->version_given) {
		int64_t v = !info->exists ? 1 : bump ? old.version + 1 : old.version;
		rc = mlv_buf_printf(out, "\nversion = %lld", (long long)v);
	}
	if (rc == 0 && !info->exists)
		rc = mlv_buf_addc(out, '\n');
	if (rc == 0)
		rc = mlv_buf_add(out, p->text + cut_to, p->text_len - cut_to);
	return rc;
}

int mlv_risk_profile_remove_rule(mlv_buf *out, const mlv_risk_profile *p, const char *id)
{
	mlv_risk_rule_info r;
	if (mlv_risk_profile_find(p, id, &r) != 0 || p->src == NULL)
		return MLV_ENOTFOUND;
	size_t from = p->src[r.index].off, to = from + p->src[r.index].len;
	/* the section's line end goes too, and one blank line before it */
	if (to < p->text_len && p->text[to] == '\r')
		to++;
	if (to < p->text_len && p->text[to] == '\n')
		to++;
	if (from >= 2 && p->text[from - 1] == '\n' && p->text[from - 2] == '\n')
		from--;
	int rc = mlv_buf_add(out, p->text, from);
	return rc ? rc : mlv_buf_add(out, p->text + to, p->text_len - to);
}

/* ---- public: what changed between two profiles -------------------------------------- */

static bool same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* The same rule in substance: attributes and criteria as written. */
static bool same_rule(const mlv_risk_profile *a, size_t i, const mlv_risk_profile *b, size_t j)
{
	const risk_rule *x = &a->set.rules[i], *y = &b->set.rules[j];
	if (x->weight != y->weight || x->lane != y->lane || x->enabled != y->enabled ||
	    !same_str(x->explain, y->explain))
		return false;
	if (a->src == NULL || b->src == NULL)
		return false;
	const risk_rule_src *s = &a->src[i], *t = &b->src[j];
	if (s->ncrit != t->ncrit)
		return false;
	for (size_t k = 0; k < s->ncrit; k++)
		if (strcmp(s->crit[k].key, t->crit[k].key) != 0 ||
		    strcmp(s->crit[k].value, t->crit[k].value) != 0)
			return false;
	return true;
}

/* Rule ids of a profile in a hash table, for pairing rules across two
 * profiles in linear time. */
typedef struct id_table {
	uint32_t *slot; /* rule index + 1; 0 empty */
	size_t cap;
	const mlv_risk_profile *p;
} id_table;

static int id_table_build(id_table *t, const mlv_risk_profile *p)
{
	t->p = p;
	t->cap = 16;
	while (t->cap < p->set.nrules * 2)
		t->cap *= 2;
	t->slot = calloc(t->cap, sizeof(*t->slot));
	if (t->slot == NULL)
		return MLV_ENOMEM;
	for (size_t i = 0; i < p->set.nrules; i++) {
		const char *id = p->set.rules[i].id;
		size_t k = fnv1a(id, strlen(id)) & (t->cap - 1);
		while (t->slot[k] != 0)
			k = (k + 1) & (t->cap - 1);
		t->slot[k] = (uint32_t)i + 1;
	}
	return 0;
}

/* The index of rule id, or -1. */
static long id_table_get(const id_table *t, const char *id)
{
	size_t k = fnv1a(id, strlen(id)) & (t->cap - 1);
	for (; t->slot[k] != 0; k = (k + 1) & (t->cap - 1))
		if (strcmp(t->p->set.rules[t->slot[k] - 1].id, id) == 0)
			return (long)t->slot[k] - 1;
	return -1;
}

int mlv_risk_profile_diff(const mlv_risk_profile *from, const mlv_risk_profile *to,
			  int (*fn)(void *ctx, const mlv_risk_change *c), void *ctx)
{
	id_table tf = {NULL, 0, NULL}, tt = {NULL, 0, NULL};
	int rc = id_table_build(&tf, from);
	if (rc == 0)
		rc = id_table_build(&tt, to);
	if (rc == 0 &&
	    (strcmp(from->currency, to->currency) != 0 || from->yellow != to->yellow ||
	     from->red != to->red || from->hold != to->hold || from->random_ppm != to->random_ppm ||
	     from->random_lane != to->random_lane || from->prohibited_lane != to->prohibited_lane ||
	     from->restricted_lane != to->restricted_lane)) {
		mlv_risk_change c = {MLV_RISK_SETTINGS_CHANGED, NULL, from->version, to->version, 1};
		rc = fn(ctx, &c);
	}
	for (size_t j = 0; rc == 0 && j < to->set.nrules; j++) {
		const risk_rule *y = &to->set.rules[j];
		long i = id_table_get(&tf, y->id);
		size_t line = to->src ? to->src[j].line : 0;
		if (i < 0) {
			mlv_risk_change c = {MLV_RISK_RULE_ADDED, y->id, 0, y->version, line};
			rc = fn(ctx, &c);
		} else if (!same_rule(from, (size_t)i, to, j) ||
			   from->set.rules[i].version != y->version) {
			mlv_risk_change c = {MLV_RISK_RULE_CHANGED, y->id, from->set.rules[i].version,
					     y->version, line};
			rc = fn(ctx, &c);
		}
	}
	for (size_t i = 0; rc == 0 && i < from->set.nrules; i++) {
		const risk_rule *x = &from->set.rules[i];
		if (id_table_get(&tt, x->id) < 0) {
			mlv_risk_change c = {MLV_RISK_RULE_REMOVED, x->id, x->version, 0, 0};
			rc = fn(ctx, &c);
		}
	}
	free(tf.slot);
	free(tt.slot);
	return rc;
}

struct version_check {
	const mlv_risk_profile *from, *to;
	mlv_risk_text_problem *probs;
	size_t max, count;
};

static int version_change(void *ctx, const mlv_risk_change *c)
{
	struct version_check *v = ctx;
	if (c->kind != MLV_RISK_RULE_CHANGED || c->new_version > c->old_version)
		return 0;
	if (v->count < v->max) {
		mlv_risk_text_problem *q = &v->probs[v->count];
		q->line = c->line;
		q->code = MLV_EINVALID;
		if (c->new_version == c->old_version)
			snprintf(q->message, sizeof(q->message),
				 "rule %s changed but kept version %lld: raise its version", c->id,
				 (long long)c->old_version);
		else
			snprintf(q->message, sizeof(q->message),
				 "rule %s goes back from version %lld to %lld: versions only rise",
				 c->id, (long long)c->old_version, (long long)c->new_version);
	}
	v->count++;
	return 0;
}

int mlv_risk_profile_check_versions(const mlv_risk_profile *from, const mlv_risk_profile *to,
				    mlv_risk_text_problem *probs, size_t max, size_t *count)
{
	struct version_check v = {from, to, probs, max, 0};
	int rc = mlv_risk_profile_diff(from, to, version_change, &v);
	*count = v.count;
	return rc != 0 ? rc : v.count > 0 ? MLV_EINVALID : 0;
}

/* ---- public: goods lists --------------------------------------------------------- */

int mlv_risk_goods_new(mlv_risk_goods **out)
{
	mlv_risk_goods *g = calloc(1, sizeof(*g));
	*out = NULL;
	if (g == NULL)
		return MLV_ENOMEM;
	if (set_init(&g->set) != 0) {
		free(g);
		return MLV_ENOMEM;
	}
	*out = g;
	return 0;
}

void mlv_risk_goods_free(mlv_risk_goods *g)
{
	if (g == NULL)
		return;
	mlv_risk_set_free(&g->set);
	free(g->lists);
	free(g);
}

int mlv_risk_goods_add(mlv_risk_goods *g, const char *text, size_t len, const char *name,
		       const mlv_refdata *rd, char *err, size_t errlen)
{
	int rc = 0;
	if (err && errlen)
		err[0] = '\0';
	if (g->set.compiled)
		return MLV_ECONFLICT;
	if (g->nlists >= 1000)
		return MLV_ETOOBIG;
	if (g->nlists == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 8;
		risk_goods_list *nl = realloc(g->lists, cap * sizeof(*nl));
		if (nl == NULL)
			return MLV_ENOMEM;
		g->lists = nl;
		g->cap = cap;
	}
	memset(&g->lists[g->nlists], 0, sizeof(g->lists[0]));
	g->nlists++;
	size_t before = g->set.nrules;
	parser p;
	parser_init(&p);
	p.name = name ? name : "goods";
	p.err = err;
	p.errlen = errlen;
	p.rd = rd;
	p.set = &g->set;
	p.mode = MODE_GOODS;
	p.goods = g;
	p.list = &g->lists[g->nlists - 1];
	/* Earlier lists' rules were checked already; lines for them are 0. */
	size_t zero = 0;
	for (size_t i = 0; i < before && rc == 0; i++)
		rc = vec_push(&p.lines, &zero) ? MLV_ENOMEM : 0;
	if (rc == 0)
		rc = parse_text(&p, text, len);
	if (rc == 0)
		rc = check_unique(&p);
	if (rc != 0) {
		g->set.nrules = before; /* the file adds nothing */
		g->nlists--;
	}
	parser_free(&p);
	return rc;
}

int mlv_risk_goods_compile(mlv_risk_goods *g)
{
	if (g->set.compiled)
		return MLV_ECONFLICT;
	return set_compile(&g->set, NULL);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int mlv_risk_goods_load_dir(mlv_risk_goods **out, const char *dir, const mlv_refdata *rd,
			    char *err, size_t errlen)
{
	int rc = 0;
	mlv_risk_goods *g = NULL;
	vec names = VEC(char *);
	char *text = NULL;
	DIR *d = NULL;
	*out = NULL;
	if ((rc = mlv_risk_goods_new(&g)) != 0)
		return rc;
	d = opendir(dir);
	if (d == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", dir, strerror(errno));
		rc = MLV_EIO;
		goto cleanup;
	}
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 4, ".ini") != 0 || e->d_name[0] == '.')
			continue;
		char *copy = strdup(e->d_name);
		if (copy == NULL || vec_push(&names, &copy) != 0) {
			free(copy);
			rc = MLV_ENOMEM;
			goto cleanup;
		}
	}
	if (names.n > 1)
		qsort(names.p, names.n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < names.n; i++) {
		char path[4096];
		size_t len;
		snprintf(path, sizeof(path), "%s/%s", dir, ((char **)(void *)names.p)[i]);
		if ((rc = read_text(path, &text, &len, err, errlen)) != 0)
			goto cleanup;
		if ((rc = mlv_risk_goods_add(g, text, len, path, rd, err, errlen)) != 0)
			goto cleanup;
		free(text);
		text = NULL;
	}
	if ((rc = mlv_risk_goods_compile(g)) != 0)
		goto cleanup;
	*out = g;
	g = NULL;
cleanup:
	if (d != NULL)
		closedir(d);
	for (size_t i = 0; i < names.n; i++)
		free(((char **)(void *)names.p)[i]);
	vec_free(&names);
	free(text);
	mlv_risk_goods_free(g);
	return rc;
}

size_t mlv_risk_goods_entry_count(const mlv_risk_goods *g)
{
	return g->set.nrules;
}

bool mlv_risk_goods_covers(const mlv_risk_goods *g, const char *country)
{
	uint16_t k = risk_country_key(country);
	for (size_t i = 0; i < g->nlists; i++) {
		const risk_goods_list *l = &g->lists[i];
		if (country != NULL && strcmp(l->country, country) == 0)
			return true;
		for (size_t m = 0; m < l->nmembers; m++)
			if (l->members[m] == k)
				return true;
	}
	return false;
}

/* ---- look-ups used by the assessment ---------------------------------------------- */

const uint32_t *mlv_risk_map_get(const risk_index *x, const char *key, size_t klen, size_t *n)
{
	*n = 0;
	if (x->map_cap == 0)
		return NULL;
	size_t k = fnv1a(key, klen) & (x->map_cap - 1);
	for (; x->map[k].key != NULL; k = (k + 1) & (x->map_cap - 1)) {
		const risk_map_slot *s = &x->map[k];
		if (s->klen == klen && memcmp(s->key, key, klen) == 0) {
			*n = s->npost;
			return x->posts + s->post;
		}
	}
	return NULL;
}

static int32_t ac_step(const risk_index *x, int32_t s, unsigned char b)
{
	for (;;) {
		if (s == 0)
			return x->root[b];
		const risk_ac_node *n = &x->ac[s];
		uint32_t lo = n->edge, hi = n->edge + n->nedge;
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			if (x->edges[mid].byte < b)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < n->edge + n->nedge && x->edges[lo].byte == b)
			return x->edges[lo].to;
		s = n->fail;
	}
}

static int push_id(uint32_t **ids, size_t *n, size_t *cap, uint32_t id)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 32;
		uint32_t *np = realloc(*ids, nc * sizeof(*np));
		if (np == NULL)
			return MLV_ENOMEM;
		*ids = np;
		*cap = nc;
	}
	(*ids)[(*n)++] = id;
	return 0;
}

int mlv_risk_ac_scan(const risk_index *x, const char *text, size_t len, uint32_t **ids,
		     size_t *n, size_t *cap)
{
	if (x->nac <= 1)
		return 0;
	int32_t s = 0;
	for (size_t i = 0; i < len; i++) {
		s = ac_step(x, s, (unsigned char)text[i]);
		for (int32_t o = x->ac[s].phrase >= 0 ? s : x->ac[s].out; o > 0; o = x->ac[o].out)
			if (push_id(ids, n, cap, (uint32_t)x->ac[o].phrase) != 0)
				return MLV_ENOMEM;
	}
	return 0;
}
