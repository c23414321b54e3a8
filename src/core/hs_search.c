/* hs_search.c - the HS 2022 search index (hs_search.h).
 *
 * Owns an array of every code in nomenclature order (a chapter, then its
 * headings each followed by its subheadings: the codes' text order), and
 * an inverted index from word stems to the codes whose own description
 * holds them.  Invariants once built:
 *  - entries[] is sorted by code, and an entry's parent comes before it;
 *  - terms[] is sorted by text (strcmp), each term once;
 *  - a term's postings are sorted by entry, each entry once, with the
 *    flags of its best occurrence there.
 * A code matches a word of its own text, or of its heading's or chapter's
 * at a lower weight, but only once one word is its own: a chapter that
 * names "coffee, tea, mate and spices" does not make pepper coffee.
 * A query walks the postings of its few words into per-entry weights, so
 * its cost grows with the number of codes (about 7,000) times the words,
 * never with the text of the descriptions. */
#include "mlv/hs_search.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlv/arena.h"
#include "mlv/fold.h"

#define WORD_MAX 64
#define PREFIX_TERMS_MAX 256 /* terms one unfinished last word may stand for */

/* Occurrence flags. */
#define F_FIRST 1u /* the first word of the description: what the code is */
#define F_NEG 2u   /* every occurrence follows a negation ("not roasted") */

/* Weights of a word in a description (own), and of an unfinished word. */
#define W_OWN 10
#define W_FIRST 4
#define W_NEG 2
#define W_PREFIX 6

typedef struct entry {
	char code[7];
	uint8_t level;
	int32_t parent; /* -1 for chapters */
	const char *desc;
} entry;

typedef struct posting {
	uint32_t entry;
	uint8_t flags;
} posting;

typedef struct term {
	const char *text;
	uint32_t len;
	uint32_t post, npost;
} term;

struct mlv_hs_index {
	entry *entries;
	size_t n;
	term *terms;
	size_t nterms;
	posting *posts;
	size_t nposts;
	mlv_arena *arena;
};

/* ---- words -------------------------------------------------------------------------- */

/* Words that carry no meaning for a search, folded. */
static const char *const stop_words[] = {
	"a",     "also", "an",    "and",  "any",     "are",   "as",   "at",   "be",   "been",
	"being", "but",  "by",    "etc",  "for",     "from",  "in",   "incl", "including",
	"into",  "is",   "it",    "its",  "nec",     "nes",   "of",   "on",   "or",   "other",
	"others", "per", "such",  "that", "the",     "their", "these", "this", "those", "to",
	"which", "whether", "with",
};

/* Words after which the rest of the clause is excluded from the code. */
static const char *const negators[] = {"except", "excluding", "non", "nor", "not", "without"};

static bool in_list(const char *const *list, size_t n, const char *w, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(list[i]) == len && memcmp(list[i], w, len) == 0)
			return true;
	return false;
}

static bool all_digits(const char *w, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (w[i] < '0' || w[i] > '9')
			return false;
	return len > 0;
}

/* Plural and singular forms that the suffix rules below get wrong, and
 * words that look plural but are not. */
static const struct {
	const char *word, *stem;
} irregular[] = {
	{"appendices", "appendix"}, {"bus", "bus"},       {"buses", "bus"},
	{"calves", "calf"},         {"children", "child"}, {"dice", "die"},
	{"feet", "foot"},           {"gas", "gas"},       {"gases", "gas"},
	{"geese", "goose"},         {"halves", "half"},   {"indices", "index"},
	{"knives", "knife"},        {"leaves", "leaf"},   {"lens", "lens"},
	{"lenses", "lens"},         {"lice", "louse"},    {"loaves", "loaf"},
	{"matrices", "matrix"},     {"means", "means"},   {"men", "man"},
	{"mice", "mouse"},          {"news", "news"},     {"oxen", "ox"},
	{"series", "series"},       {"shelves", "shelf"}, {"species", "species"},
	{"teeth", "tooth"},         {"thieves", "thief"}, {"wolves", "wolf"},
	{"women", "woman"},
};

/* Words people use for goods that the nomenclature names otherwise, and
 * a few common French and Spanish names (the descriptions are English):
 * a query word also matches the codes holding every word of its
 * replacement.  Query side only; both columns are stemmed when used. */
static const struct {
	const char *word, *means;
} synonyms[] = {
	{"bicicleta", "bicycle"},      {"bike", "bicycle"},
	{"biere", "beer"},             {"bijou", "jewellery"},
	{"bijoux", "jewellery"},       {"cafe", "coffee"},
	{"cellphone", "telephone"},    {"cerveza", "beer"},
	{"charger", "static converter"},
	{"chaussure", "footwear"},     {"computadora", "data processing"},
	{"computer", "data processing"},
	{"drone", "unmanned aircraft"},
	{"earbud", "earphone"},        {"ecigarette", "electronic cigarette"},
	{"fridge", "refrigerator"},    {"hoodie", "jersey"},
	{"jewelry", "jewellery"},      {"jouet", "toy"},
	{"joya", "jewellery"},         {"juguete", "toy"},
	{"laptop", "portable data processing"},
	{"libro", "book"},             {"livre", "book"},
	{"mobile", "cellular"},        {"montre", "watch"},
	{"notebook", "portable data processing"},
	{"ordenador", "data processing"},
	{"ordinateur", "data processing"},
	{"parfum", "perfume"},         {"phone", "telephone"},
	{"powerbank", "lithium ion accumulator"},
	{"reloj", "watch"},            {"ropa", "apparel"},
	{"shoe", "footwear"},          {"smartphone", "telephone"},
	{"sneaker", "footwear"},       {"sweater", "pullover"},
	{"tabac", "tobacco"},          {"tabaco", "tobacco"},
	{"telefono", "telephone"},     {"tv", "television"},
	{"vape", "electronic cigarette"},
	{"velo", "bicycle"},           {"vetement", "apparel"},
	{"vin", "wine"},               {"vino", "wine"},
	{"zapato", "footwear"},
};

static bool ends(const char *w, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);
	return len >= n && memcmp(w + len - n, suffix, n) == 0;
}

size_t mlv_hs_stem(char *out, size_t size, const char *word, size_t len)
{
	if (size == 0)
		return 0;
	bool ascii = true;
	for (size_t i = 0; i < len && ascii; i++)
		ascii = word[i] >= 'a' && word[i] <= 'z';
	size_t n = len;
	const char *add = "";
	for (size_t i = 0; ascii && i < MLV_ARRAY_LEN(irregular); i++) {
		if (strlen(irregular[i].word) == len && memcmp(irregular[i].word, word, len) == 0) {
			word = irregular[i].stem;
			n = strlen(word);
			ascii = false; /* taken as it is */
		}
	}
	if (ascii) {
		/* Both forms of a word reach the same stem: batteries and battery
		 * "battery"; movies and movie "movy"; shoes and shoe "sho";
		 * watches and watch "watch", niches and niche "nich". */
		if (n > 4 && ends(word, n, "ies"))
			n -= 3, add = "y";
		else if (n > 3 && ends(word, n, "ie"))
			n -= 2, add = "y";
		else if (n > 4 && ends(word, n, "oes"))
			n -= 2;
		else if (n > 3 && ends(word, n, "oe"))
			n -= 1;
		else if (n > 4 && (ends(word, n, "sses") || ends(word, n, "xes") ||
				   ends(word, n, "ches") || ends(word, n, "shes") ||
				   ends(word, n, "zzes")))
			n -= 2;
		else if (n > 3 && (ends(word, n, "che") || ends(word, n, "she") ||
				   ends(word, n, "xe")))
			n -= 1;
		else if (n > 3 && ends(word, n, "s") && !ends(word, n, "ss") &&
			 !ends(word, n, "us") && !ends(word, n, "is"))
			n -= 1;
	}
	size_t a = strlen(add);
	if (n + a > size - 1) {
		a = 0;
		n = n > size - 1 ? size - 1 : n;
	}
	memcpy(out, word, n);
	memcpy(out + n, add, a);
	out[n + a] = '\0';
	return n + a;
}

/* One word as the index sees it. */
typedef struct word {
	char stem[WORD_MAX];
	size_t stem_len;
	const char *raw; /* the folded word, in the caller's buffer */
	size_t raw_len;
	bool neg;
	bool first;
} word;

typedef int (*word_fn)(void *ctx, const word *w);

/* One folded word of a clause: negators switch `neg` on for the rest of
 * the clause; digits go to `digits`; stop words and stray letters drop. */
typedef struct clause {
	word_fn fn, digits;
	void *ctx;
	bool neg;
	bool *first;
	char prev[8]; /* the word before, for "other than" */
} clause;

static int one_word(clause *c, const char *w, size_t wl)
{
	bool than = wl == 4 && memcmp(w, "than", 4) == 0 && strcmp(c->prev, "other") == 0;
	snprintf(c->prev, sizeof(c->prev), "%.*s", (int)(wl < 7 ? wl : 7), w);
	if (than || in_list(negators, MLV_ARRAY_LEN(negators), w, wl)) {
		c->neg = true;
		return 0;
	}
	word x;
	x.raw = w;
	x.raw_len = wl;
	x.neg = c->neg;
	x.first = *c->first;
	if (all_digits(w, wl)) {
		if (c->digits == NULL)
			return 0;
		size_t k = wl < WORD_MAX ? wl : WORD_MAX - 1;
		memcpy(x.stem, w, k);
		x.stem[k] = '\0';
		x.stem_len = k;
		return c->digits(c->ctx, &x);
	}
	if (wl < 2 || wl >= WORD_MAX || in_list(stop_words, MLV_ARRAY_LEN(stop_words), w, wl))
		return 0;
	x.stem_len = mlv_hs_stem(x.stem, sizeof(x.stem), w, wl);
	*c->first = false;
	return c->fn(c->ctx, &x);
}

/* Calls fn for each word of text worth indexing or searching, folded and
 * stemmed; `digits` receives all-digit words instead, when not NULL.  A
 * clause ends at ; , : ( ) [ ] and at the end; a negator excludes the
 * rest of its clause ("other than" counts as one).  Single letters are
 * glued: a run of them makes one word ("n.e.c." is "nec", "U.S.A."
 * "usa"), and a lone one joins the next word ("T-shirts" is "tshirts",
 * "e-cigarette" "ecigarette"), so spellings with and without the hyphen
 * meet.  buf holds at least n + 1 bytes. */
static int each_word(const char *text, size_t n, char *buf, word_fn fn, void *ctx,
		     word_fn digits)
{
	size_t start = 0;
	bool first = true;
	while (start < n) {
		size_t end = start;
		while (end < n && strchr(";,:()[]", text[end]) == NULL)
			end++;
		size_t fl = mlv_fold(buf, end - start + 1, text + start, end - start);
		clause c = {fn, digits, ctx, false, &first, ""};
		char glued[WORD_MAX];
		size_t gl = 0; /* letters waiting to be glued */
		for (size_t i = 0; i <= fl;) {
			size_t j = i;
			while (j < fl && buf[j] != ' ')
				j++;
			const char *w = buf + i;
			size_t wl = j - i;
			bool letter = wl == 1 && w[0] >= 'a' && w[0] <= 'z' && w[0] != 'a';
			int rc = 0;
			if (letter && gl + 1 < sizeof(glued)) {
				glued[gl++] = w[0];
			} else if (gl == 1 && wl > 0 && gl + wl < sizeof(glued)) {
				memcpy(glued + 1, w, wl);
				rc = one_word(&c, glued, wl + 1);
				gl = 0;
			} else {
				if (gl > 1)
					rc = one_word(&c, glued, gl);
				gl = 0;
				if (rc == 0 && wl > 0)
					rc = one_word(&c, w, wl);
			}
			if (rc != 0)
				return rc;
			i = j + 1;
		}
		start = end + 1;
	}
	return 0;
}

/* ---- building ------------------------------------------------------------------------ */

typedef struct occ {
	const char *text;
	uint32_t len;
	uint32_t entry;
	uint8_t flags;
} occ;

typedef struct builder {
	mlv_hs_index *ix;
	occ *occs;
	size_t n, cap;
	uint32_t entry;
} builder;

static int add_occ(void *ctx, const word *w)
{
	builder *b = ctx;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16384;
		occ *o = realloc(b->occs, cap * sizeof(*o));
		if (o == NULL)
			return MLV_ENOMEM;
		b->occs = o;
		b->cap = cap;
	}
	char *t = mlv_arena_strndup(b->ix->arena, w->stem, w->stem_len);
	if (t == NULL)
		return MLV_ENOMEM;
	b->occs[b->n++] = (occ){t, (uint32_t)w->stem_len, b->entry,
				(uint8_t)((w->first ? F_FIRST : 0) | (w->neg ? F_NEG : 0))};
	return 0;
}

static int occ_cmp(const void *pa, const void *pb)
{
	const occ *a = pa, *b = pb;
	int c = strcmp(a->text, b->text);
	if (c != 0)
		return c;
	return a->entry < b->entry ? -1 : a->entry > b->entry;
}

static int add_entry(mlv_hs_index *ix, const mlv_refdata *rd, const char *code, size_t len,
		     int32_t parent)
{
	entry *e = &ix->entries[ix->n];
	memcpy(e->code, code, len);
	e->code[len] = '\0';
	e->level = (uint8_t)len;
	e->parent = parent;
	e->desc = mlv_hs_description(rd, code, len);
	if (e->desc == NULL)
		e->desc = "";
	ix->n++;
	return (int)(ix->n - 1);
}

int mlv_hs_index_build(mlv_hs_index **out, const mlv_refdata *rd)
{
	assert(out != NULL && rd != NULL);
	*out = NULL;
	builder b = {0};
	char *buf = NULL;
	int rc = MLV_ENOMEM;
	mlv_hs_index *ix = calloc(1, sizeof(*ix));
	if (ix == NULL)
		return MLV_ENOMEM;
	size_t n6 = mlv_hs6_count(rd);
	/* every subheading, plus at most one heading and one chapter each */
	ix->entries = calloc(n6 * 3 + 1, sizeof(*ix->entries));
	ix->arena = mlv_arena_new(1 << 16);
	if (ix->entries == NULL || ix->arena == NULL)
		goto cleanup;
	int32_t chapter = -1, heading = -1;
	for (size_t i = 0; i < n6; i++) {
		const char *c = mlv_hs6_at(rd, i);
		if (chapter < 0 || memcmp(ix->entries[chapter].code, c, 2) != 0)
			chapter = add_entry(ix, rd, c, 2, -1);
		if (heading < 0 || memcmp(ix->entries[heading].code, c, 4) != 0)
			heading = add_entry(ix, rd, c, 4, chapter);
		add_entry(ix, rd, c, 6, heading);
	}
	size_t longest = 0;
	for (size_t i = 0; i < ix->n; i++) {
		size_t l = strlen(ix->entries[i].desc);
		longest = l > longest ? l : longest;
	}
	b.ix = ix;
	if ((buf = malloc(longest + 1)) == NULL)
		goto cleanup;
	for (size_t i = 0; i < ix->n; i++) {
		b.entry = (uint32_t)i;
		const char *d = ix->entries[i].desc;
		if ((rc = each_word(d, strlen(d), buf, add_occ, &b, NULL)) != 0)
			goto cleanup;
	}
	rc = MLV_ENOMEM;
	qsort(b.occs, b.n, sizeof(*b.occs), occ_cmp);
	ix->terms = calloc(b.n + 1, sizeof(*ix->terms));
	ix->posts = calloc(b.n + 1, sizeof(*ix->posts));
	if (ix->terms == NULL || ix->posts == NULL)
		goto cleanup;
	for (size_t i = 0; i < b.n; i++) {
		const occ *o = &b.occs[i];
		term *t = ix->nterms ? &ix->terms[ix->nterms - 1] : NULL;
		if (t == NULL || strcmp(t->text, o->text) != 0) {
			t = &ix->terms[ix->nterms++];
			t->text = o->text;
			t->len = o->len;
			t->post = (uint32_t)ix->nposts;
			t->npost = 0;
		}
		posting *last = t->npost ? &ix->posts[ix->nposts - 1] : NULL;
		if (last != NULL && last->entry == o->entry) {
			/* the best occurrence: first if any is, negated only if all are */
			last->flags = (uint8_t)(((last->flags | o->flags) & F_FIRST) |
						(last->flags & o->flags & F_NEG));
			continue;
		}
		ix->posts[ix->nposts++] = (posting){o->entry, o->flags};
		t->npost++;
	}
	*out = ix;
	ix = NULL;
	rc = 0;
cleanup:
	free(b.occs);
	free(buf);
	mlv_hs_index_free(ix);
	return rc;
}

void mlv_hs_index_free(mlv_hs_index *ix)
{
	if (ix == NULL)
		return;
	free(ix->entries);
	free(ix->terms);
	free(ix->posts);
	mlv_arena_free(ix->arena);
	free(ix);
}

size_t mlv_hs_index_size(const mlv_hs_index *ix)
{
	return ix->n;
}

/* ---- looking up ---------------------------------------------------------------------- */

static void to_hit(const mlv_hs_index *ix, size_t i, int score, int matched, mlv_hs_hit *out)
{
	const entry *e = &ix->entries[i];
	memcpy(out->code, e->code, sizeof(out->code));
	out->level = e->level;
	out->description = e->desc;
	out->score = score;
	out->matched = matched;
}

/* The first entry whose code is >= code (entries are in text order). */
static size_t lower_bound(const mlv_hs_index *ix, const char *code)
{
	size_t lo = 0, hi = ix->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(ix->entries[mid].code, code) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int mlv_hs_lookup(const mlv_hs_index *ix, const char *code, mlv_hs_hit *out)
{
	size_t n = strlen(code);
	if (n != 2 && n != 4 && n != 6)
		return MLV_ENOTFOUND;
	size_t i = lower_bound(ix, code);
	if (i >= ix->n || strcmp(ix->entries[i].code, code) != 0)
		return MLV_ENOTFOUND;
	to_hit(ix, i, 0, 0, out);
	return 0;
}

size_t mlv_hs_children(const mlv_hs_index *ix, const char *code, mlv_hs_hit *out, size_t max)
{
	size_t n = strlen(code), count = 0;
	if (n != 0 && n != 2 && n != 4)
		return 0;
	for (size_t i = lower_bound(ix, code); i < ix->n; i++) {
		const entry *e = &ix->entries[i];
		if (memcmp(e->code, code, n) != 0)
			break;
		if (e->level != n + 2)
			continue;
		if (count < max)
			to_hit(ix, i, 0, 0, &out[count]);
		count++;
	}
	return count;
}

/* ---- searching ----------------------------------------------------------------------- */

typedef struct query {
	word terms[MLV_HS_TERMS_MAX];
	size_t nterms;
	char filter[7]; /* code digits the results must start with; "" none */
} query;

static int add_term(void *ctx, const word *w)
{
	query *q = ctx;
	for (size_t i = 0; i < q->nterms; i++)
		if (strcmp(q->terms[i].stem, w->stem) == 0)
			return 0;
	if (q->nterms < MLV_HS_TERMS_MAX)
		q->terms[q->nterms++] = *w;
	return 0;
}

static int add_filter(void *ctx, const word *w)
{
	query *q = ctx;
	if (q->filter[0] == '\0' && w->stem_len >= 2) {
		size_t k = w->stem_len < 6 ? w->stem_len : 6;
		memcpy(q->filter, w->stem, k);
		q->filter[k] = '\0';
	}
	return 0;
}

/* The term, or NULL. */
static const term *find_term(const mlv_hs_index *ix, const char *s, size_t len)
{
	size_t lo = 0, hi = ix->nterms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const term *t = &ix->terms[mid];
		size_t m = t->len < len ? t->len : len;
		int c = memcmp(t->text, s, m);
		if (c == 0)
			c = t->len < len ? -1 : t->len > len;
		if (c == 0)
			return t;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Index of the first term whose text starts with s, and how many do. */
static size_t prefix_range(const mlv_hs_index *ix, const char *s, size_t len, size_t *count)
{
	size_t lo = 0, hi = ix->nterms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const term *t = &ix->terms[mid];
		size_t m = t->len < len ? t->len : len;
		int c = memcmp(t->text, s, m);
		if (c < 0 || (c == 0 && t->len < len))
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t k = lo;
	while (k < ix->nterms && ix->terms[k].len >= len && memcmp(ix->terms[k].text, s, len) == 0)
		k++;
	*count = k - lo;
	return lo;
}

typedef struct ranked {
	int matched;
	int score;
	uint32_t entry;
} ranked;

static int ranked_cmp(const void *pa, const void *pb)
{
	const ranked *a = pa, *b = pb;
	if (a->matched != b->matched)
		return a->matched > b->matched ? -1 : 1;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return a->entry < b->entry ? -1 : a->entry > b->entry;
}

static int search_code(const mlv_hs_index *ix, const char *digits, mlv_hs_hit *out, size_t max,
		       mlv_hs_result *res)
{
	res->by_code = true;
	for (size_t i = lower_bound(ix, digits); i < ix->n; i++) {
		if (strncmp(ix->entries[i].code, digits, strlen(digits)) != 0)
			break;
		if (res->count < max)
			to_hit(ix, i, 0, 0, &out[res->count++]);
		res->total++;
	}
	return 0;
}

/* Adds the weight each entry earns for one term: its own best occurrence
 * (exact or as a prefix), else a share of its heading's or chapter's. */
static void weigh(const mlv_hs_index *ix, const term *t, bool prefix, uint8_t *own)
{
	for (uint32_t k = 0; k < t->npost; k++) {
		const posting *p = &ix->posts[t->post + k];
		int w = p->flags & F_NEG ? (prefix ? 1 : W_NEG)
					 : (prefix ? W_PREFIX : W_OWN) + (p->flags & F_FIRST ? W_FIRST : 0);
		if (w > own[p->entry])
			own[p->entry] = (uint8_t)w;
	}
}

/* When the word has a replacement (synonyms[]), raises own[] to what the
 * codes holding all of the replacement's words get (the least of their
 * weights); returns how many codes hold them, 0 when none or no
 * replacement.  alt and all are scratch arrays of ix->n bytes. */
static size_t synonym(const mlv_hs_index *ix, const word *w, uint8_t *own, uint8_t *alt,
		      uint8_t *all)
{
	char stem[WORD_MAX];
	const char *means = NULL;
	for (size_t i = 0; i < MLV_ARRAY_LEN(synonyms) && means == NULL; i++) {
		size_t sl = mlv_hs_stem(stem, sizeof(stem), synonyms[i].word,
					strlen(synonyms[i].word));
		if (sl == w->stem_len && memcmp(stem, w->stem, sl) == 0)
			means = synonyms[i].means;
	}
	if (means == NULL)
		return 0;
	bool started = false;
	for (const char *p = means; *p;) {
		size_t n = strcspn(p, " ");
		size_t sl = mlv_hs_stem(stem, sizeof(stem), p, n);
		p += n + (p[n] == ' ');
		const term *t = find_term(ix, stem, sl);
		if (t == NULL)
			return 0;
		memset(alt, 0, ix->n);
		weigh(ix, t, false, alt);
		for (size_t i = 0; i < ix->n; i++)
			all[i] = !started || alt[i] < all[i] ? alt[i] : all[i];
		started = true;
	}
	size_t df = 0;
	for (size_t i = 0; i < ix->n; i++) {
		df += all[i] > 0;
		if (all[i] > own[i])
			own[i] = all[i];
	}
	return df;
}

int mlv_hs_search(const mlv_hs_index *ix, const char *query_text, size_t len, mlv_hs_hit *out,
		  size_t max, mlv_hs_result *res)
{
	assert(ix != NULL && res != NULL);
	memset(res, 0, sizeof(*res));
	if (max == 0 || max > MLV_HS_RESULTS_MAX)
		return MLV_EINVALID;
	if (len > MLV_HS_QUERY_MAX)
		return MLV_ETOOBIG;
	/* a code: digits with dots, spaces or hyphens between */
	char digits[16];
	size_t nd = 0;
	bool code = len > 0;
	for (size_t i = 0; i < len && code; i++) {
		char c = query_text[i];
		if (c >= '0' && c <= '9') {
			if (nd < sizeof(digits) - 1)
				digits[nd++] = c;
		} else {
			code = c == '.' || c == ' ' || c == '-';
		}
	}
	if (code && nd > 0) {
		digits[nd < 6 ? nd : 6] = '\0';
		return search_code(ix, digits, out, max, res);
	}

	char buf[MLV_HS_QUERY_MAX + 1];
	query q;
	memset(&q, 0, sizeof(q));
	each_word(query_text, len, buf, add_term, &q, add_filter);
	res->terms = (int)q.nterms;
	if (q.nterms == 0)
		return 0;
	bool open_end = len > 0 && query_text[len - 1] != ' ';

	int rc = MLV_ENOMEM;
	int *score = calloc(ix->n, sizeof(int));
	uint8_t *matched = calloc(ix->n, 1);
	uint8_t *own = malloc(ix->n);
	uint8_t *alt = malloc(ix->n);
	uint8_t *all = malloc(ix->n);
	uint8_t *mine = calloc(ix->n, 1); /* some word is in the code's own text */
	ranked *rk = NULL;
	if (score == NULL || matched == NULL || own == NULL || alt == NULL || all == NULL ||
	    mine == NULL)
		goto cleanup;
	for (size_t t = 0; t < q.nterms; t++) {
		const word *w = &q.terms[t];
		memset(own, 0, ix->n);
		const term *exact = find_term(ix, w->stem, w->stem_len);
		size_t df = 0;
		if (exact != NULL) {
			weigh(ix, exact, false, own);
			df = exact->npost;
		}
		size_t sdf = synonym(ix, w, own, alt, all);
		if (sdf > 0 || exact != NULL) {
			df += sdf;
		} else if (t == q.nterms - 1 && open_end && w->raw_len >= 3) {
			/* an unfinished last word: every term it starts */
			size_t count;
			size_t first = prefix_range(ix, w->raw, w->raw_len, &count);
			if (count > PREFIX_TERMS_MAX)
				count = PREFIX_TERMS_MAX;
			for (size_t k = 0; k < count; k++) {
				weigh(ix, &ix->terms[first + k], true, own);
				df += ix->terms[first + k].npost;
			}
		}
		if (df == 0)
			continue;
		/* rarer words weigh more (inverse document frequency, x100) */
		int idf = (int)(100.0 * log(1.0 + (double)ix->n / (double)df));
		for (size_t i = 0; i < ix->n; i++) {
			int w8 = own[i];
			const entry *e = &ix->entries[i];
			mine[i] |= own[i] > 0;
			if (e->parent >= 0) {
				int p = own[e->parent] / 2;
				const entry *pe = &ix->entries[e->parent];
				int g = pe->parent >= 0 ? own[pe->parent] / 3 : 0;
				w8 = p > w8 ? p : w8;
				w8 = g > w8 ? g : w8;
			}
			if (w8 > 0) {
				score[i] += idf * w8;
				matched[i]++;
			}
		}
	}
	size_t nf = strlen(q.filter), n = 0, best = 0;
	for (size_t i = 0; i < ix->n; i++) {
		/* a heading's words complete its codes' matches, never make one */
		if (!mine[i])
			matched[i] = 0;
		if (matched[i] == 0 || (nf && strncmp(ix->entries[i].code, q.filter, nf) != 0))
			continue;
		n++;
		best = matched[i] > best ? matched[i] : best;
	}
	res->partial = n > 0 && best < q.nterms;
	rk = malloc((n + 1) * sizeof(*rk));
	if (rk == NULL)
		goto cleanup;
	n = 0;
	for (size_t i = 0; i < ix->n; i++) {
		if (matched[i] == 0 || (nf && strncmp(ix->entries[i].code, q.filter, nf) != 0))
			continue;
		if (!res->partial && matched[i] < q.nterms)
			continue;
		rk[n++] = (ranked){matched[i], score[i], (uint32_t)i};
	}
	qsort(rk, n, sizeof(*rk), ranked_cmp);
	res->total = n;
	for (size_t i = 0; i < n && res->count < max; i++)
		to_hit(ix, rk[i].entry, rk[i].score, rk[i].matched, &out[res->count++]);
	rc = 0;
cleanup:
	free(score);
	free(matched);
	free(own);
	free(alt);
	free(all);
	free(mine);
	free(rk);
	return rc;
}
