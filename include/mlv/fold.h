/* fold.h - text folded for matching, so that "Batería de LITIO",
 * "bateria de litio" and "BATERIA-DE-LITIO" compare equal.
 *
 * Folding, code point by code point of UTF-8 input:
 *  - ASCII letters become lower case; ASCII digits stay;
 *  - Latin letters with diacritics (Latin-1 Supplement, Latin Extended-A
 *    and -B, Latin Extended Additional: French, Spanish, German, Italian,
 *    Portuguese, Polish, Czech, Romanian, Turkish, Nordic, Vietnamese,
 *    pinyin tones) become their base letter; ligatures and special letters
 *    are spelled out (ß ss, æ ae, œ oe, þ th, ĳ ij);
 *  - Greek and Cyrillic capitals become lower case, Greek loses its
 *    accents, final sigma becomes sigma, ё becomes е;
 *  - full-width ASCII (common in Chinese text) becomes ASCII;
 *  - combining marks are dropped (decomposed "e" + U+0301 is "e");
 *  - everything else that is a letter or an ideograph is kept as is
 *    (CJK, Arabic, Hebrew ...);
 *  - punctuation, symbols, spaces, control characters and malformed UTF-8
 *    are word separators: each run becomes one ASCII space, with none at
 *    either end.
 * The folded text is never longer than the input, so an output buffer of
 * n + 1 bytes always suffices.  Pure functions, safe from any thread. */
#ifndef MLV_FOLD_H
#define MLV_FOLD_H

#include <stddef.h>

/* Folds s[0..n) into out (NUL-terminated, at most size - 1 bytes, cut at
 * a code point boundary when too small); returns the length written. */
size_t mlv_fold(char *out, size_t size, const char *s, size_t n);

/* Folds a business name for comparison: mlv_fold, then single letters
 * joined ("S.A.R.L." -> "sarl"), legal-form words dropped from the end
 * (ltd, limited, co, corp, inc, llc, plc, gmbh, ag, sarl, sas, sa, srl,
 * spa, bv, nv, oy, ab, sp zoo, pte, pty ...) and a leading "the", and the
 * remaining words joined without spaces, so "ACME Trading Co., Ltd." and
 * "Acme-Trading GmbH" both give "acmetrading".  A name made only of
 * legal-form words keeps them.  Same output contract as mlv_fold. */
size_t mlv_fold_name(char *out, size_t size, const char *s, size_t n);

#endif
