/* hs_search.h - finding HS 2022 chapters, headings and subheadings by
 * words or by code, for people who do not know the nomenclature.
 *
 * The index is built once from the reference data (refdata.h) and is then
 * read-only: safe to search from many threads at once.  It borrows the
 * descriptions of `rd`, which must outlive it.
 *
 * A query of digits (dots, spaces and hyphens allowed: "0901.21") finds
 * the codes that start with them, in nomenclature order; more than six
 * digits (a national tariff line) find the subheading of the first six.
 * Any other query is words: folded like fold.h (case, accents and
 * punctuation do not matter), common words dropped ("of", "and",
 * "other" ...), English plurals reduced to the singular ("batteries" is
 * "battery", "knives" is "knife"), the same on both sides.  A code
 * matches a word that its own description holds, or, with a lower
 * weight, its heading's or chapter's; a word that follows a negation in
 * its clause ("not roasted", "other than pure-bred") counts for little.
 * A heading's words only complete a match that one of the code's own
 * words started.
 * Every word must match; when no code matches them all, the codes that
 * match most of them come back, marked as partial.  A last word that
 * matches nothing whole is read as the start of a word ("coff").  Words
 * that are all digits narrow the words' matches to codes under them. */
#ifndef MLV_HS_SEARCH_H
#define MLV_HS_SEARCH_H

#include "mlv/common.h"
#include "mlv/refdata.h"

typedef struct mlv_hs_index mlv_hs_index;

#define MLV_HS_QUERY_MAX 200  /* bytes of a query */
#define MLV_HS_TERMS_MAX 8    /* words of a query used, after common words */
#define MLV_HS_RESULTS_MAX 100

/* Builds the index of every code of rd.  MLV_ENOMEM. */
int mlv_hs_index_build(mlv_hs_index **out, const mlv_refdata *rd);
void mlv_hs_index_free(mlv_hs_index *ix);
/* Codes indexed (chapters, headings and subheadings). */
size_t mlv_hs_index_size(const mlv_hs_index *ix);

/* One code found; the description is borrowed from the refdata. */
typedef struct mlv_hs_hit {
	char code[7];            /* 2, 4 or 6 digits */
	int level;               /* 2 chapter, 4 heading, 6 subheading */
	const char *description;
	int score;               /* higher is better; 0 for code queries */
	int matched;             /* query words it matches */
} mlv_hs_hit;

typedef struct mlv_hs_result {
	size_t count;            /* hits written */
	size_t total;            /* codes that matched, written or not */
	bool by_code;            /* the query was a code */
	bool partial;            /* no code matched every word: best partial matches */
	int terms;               /* words the query was reduced to (0 for codes) */
} mlv_hs_result;

/* Searches query[0..len): at most `max` hits (<= MLV_HS_RESULTS_MAX) into
 * out, best first (ties in nomenclature order).  An empty query, or one
 * of common words only, finds nothing.  MLV_ETOOBIG past MLV_HS_QUERY_MAX
 * bytes, MLV_EINVALID for max 0 or over the bound, MLV_ENOMEM. */
int mlv_hs_search(const mlv_hs_index *ix, const char *query, size_t len, mlv_hs_hit *out,
		  size_t max, mlv_hs_result *res);

/* The code itself (2, 4 or 6 digits): 0 and *out, or MLV_ENOTFOUND. */
int mlv_hs_lookup(const mlv_hs_index *ix, const char *code, mlv_hs_hit *out);

/* The codes one level below `code` ("" for the chapters), in order: at
 * most max into out; returns how many there are in all. */
size_t mlv_hs_children(const mlv_hs_index *ix, const char *code, mlv_hs_hit *out, size_t max);

/* The word as the index holds it: folded word in, its singular stem out
 * (at most size - 1 bytes); exposed for tests and for highlighting. */
size_t mlv_hs_stem(char *out, size_t size, const char *word, size_t len);

#endif
