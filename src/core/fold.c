/* fold.c - text folded for matching (see fold.h).
 *
 * Owns nothing: pure functions over caller buffers.  The invariant that
 * keeps callers' buffers safe is that no code point folds to more bytes
 * than it was encoded in (a 2-byte letter folds to at most 2 ASCII
 * letters, ẞ's 3 bytes to "ss", a separator run to one space), so the
 * output never outgrows the input. */
#include "mlv/fold.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define BAD_CP UINT32_MAX

/* One decoded code point, or BAD_CP for malformed input (an overlong
 * form, a surrogate, past U+10FFFF, a cut sequence); *len is at least 1
 * so the caller always advances. */
static uint32_t decode(const unsigned char *p, size_t n, size_t *len)
{
	unsigned char b = p[0];
	*len = 1;
	if (b < 0x80)
		return b;
	size_t need;
	uint32_t cp, min;
	if (b >= 0xC2 && b <= 0xDF) {
		need = 2, cp = b & 0x1Fu, min = 0x80;
	} else if (b >= 0xE0 && b <= 0xEF) {
		need = 3, cp = b & 0x0Fu, min = 0x800;
	} else if (b >= 0xF0 && b <= 0xF4) {
		need = 4, cp = b & 0x07u, min = 0x10000;
	} else {
		return BAD_CP;
	}
	if (n < need)
		return BAD_CP;
	for (size_t i = 1; i < need; i++) {
		if ((p[i] & 0xC0u) != 0x80u)
			return BAD_CP;
		cp = (cp << 6) | (p[i] & 0x3Fu);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return BAD_CP;
	*len = need;
	return cp;
}

static size_t encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	out[0] = (char)(0xE0 | (cp >> 12));
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[2] = (char)(0x80 | (cp & 0x3F));
	return 3;
}

/* U+00C0..U+00FF; "" is a separator (× and ÷). */
static const char *const latin1[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
};

/* U+0100..U+017F, one base letter each; '1' is ij and '2' is oe. */
static const char latin_a[] = "aaaaaa" "cccccccc" "dddd" "eeeeeeeeee" "gggggggg" "hhhh"
			      "iiiiiiiiii" "11" "jj" "kkk" "llllllllll" "nnnnnnnnn" "oooooo"
			      "22" "rrrrrr" "ssssssss" "tttttt" "uuuuuuuuuuuu" "ww" "yyy"
			      "zzzzzz" "s";
_Static_assert(sizeof(latin_a) == 0x80 + 1, "one letter per code point of Latin Extended-A");

/* Sorted ranges beyond Latin Extended-A.  repl NULL: a separator; "":
 * dropped (inside a word); else the ASCII spelling. */
typedef struct range {
	uint32_t lo, hi;
	const char *repl;
} range;

static const range ranges[] = {
	{0x180, 0x183, "b"}, {0x187, 0x188, "c"}, {0x189, 0x18C, "d"}, {0x191, 0x192, "f"},
	{0x193, 0x193, "g"}, {0x197, 0x197, "i"}, {0x198, 0x199, "k"}, {0x19A, 0x19A, "l"},
	{0x19D, 0x19E, "n"}, {0x19F, 0x1A1, "o"}, {0x1A4, 0x1A5, "p"}, {0x1AB, 0x1AE, "t"},
	{0x1AF, 0x1B0, "u"}, {0x1B2, 0x1B2, "v"}, {0x1B3, 0x1B4, "y"}, {0x1B5, 0x1B6, "z"},
	{0x1C4, 0x1C6, "dz"}, {0x1C7, 0x1C9, "lj"}, {0x1CA, 0x1CC, "nj"}, {0x1CD, 0x1CE, "a"},
	{0x1CF, 0x1D0, "i"}, {0x1D1, 0x1D2, "o"}, {0x1D3, 0x1DC, "u"}, {0x1DE, 0x1E1, "a"},
	{0x1E2, 0x1E3, "ae"}, {0x1E4, 0x1E7, "g"}, {0x1E8, 0x1E9, "k"}, {0x1EA, 0x1ED, "o"},
	{0x1F0, 0x1F0, "j"}, {0x1F1, 0x1F3, "dz"}, {0x1F4, 0x1F5, "g"}, {0x1F8, 0x1F9, "n"},
	{0x1FA, 0x1FB, "a"}, {0x1FC, 0x1FD, "ae"}, {0x1FE, 0x1FF, "o"}, {0x200, 0x203, "a"},
	{0x204, 0x207, "e"}, {0x208, 0x20B, "i"}, {0x20C, 0x20F, "o"}, {0x210, 0x213, "r"},
	{0x214, 0x217, "u"}, {0x218, 0x219, "s"}, {0x21A, 0x21B, "t"}, {0x21E, 0x21F, "h"},
	{0x226, 0x227, "a"}, {0x228, 0x229, "e"}, {0x22A, 0x231, "o"}, {0x232, 0x233, "y"},
	{0x2B0, 0x2FF, ""},	  /* spacing modifier letters: part of the word */
	{0x300, 0x36F, ""},	  /* combining diacritical marks */
	{0x1AB0, 0x1AFF, ""},	  /* combining marks, extended */
	{0x1DC0, 0x1DFF, ""},	  /* combining marks, supplement */
	{0x1E00, 0x1E01, "a"}, {0x1E02, 0x1E07, "b"}, {0x1E08, 0x1E09, "c"},
	{0x1E0A, 0x1E13, "d"}, {0x1E14, 0x1E1D, "e"}, {0x1E1E, 0x1E1F, "f"},
	{0x1E20, 0x1E21, "g"}, {0x1E22, 0x1E2B, "h"}, {0x1E2C, 0x1E2F, "i"},
	{0x1E30, 0x1E35, "k"}, {0x1E36, 0x1E3D, "l"}, {0x1E3E, 0x1E43, "m"},
	{0x1E44, 0x1E4B, "n"}, {0x1E4C, 0x1E53, "o"}, {0x1E54, 0x1E57, "p"},
	{0x1E58, 0x1E5F, "r"}, {0x1E60, 0x1E69, "s"}, {0x1E6A, 0x1E71, "t"},
	{0x1E72, 0x1E7B, "u"}, {0x1E7C, 0x1E7F, "v"}, {0x1E80, 0x1E89, "w"},
	{0x1E8A, 0x1E8D, "x"}, {0x1E8E, 0x1E8F, "y"}, {0x1E90, 0x1E95, "z"},
	{0x1E96, 0x1E96, "h"}, {0x1E97, 0x1E97, "t"}, {0x1E98, 0x1E98, "w"},
	{0x1E99, 0x1E99, "y"}, {0x1E9A, 0x1E9A, "a"}, {0x1E9B, 0x1E9B, "s"},
	{0x1E9E, 0x1E9E, "ss"}, {0x1EA0, 0x1EB7, "a"}, {0x1EB8, 0x1EC7, "e"},
	{0x1EC8, 0x1ECB, "i"}, {0x1ECC, 0x1EE3, "o"}, {0x1EE4, 0x1EF1, "u"},
	{0x1EF2, 0x1EF9, "y"},
	{0x2000, 0x200B, NULL},	  /* spaces, zero-width space */
	{0x200C, 0x200D, ""},	  /* joiners stay inside words (Persian, emoji) */
	{0x200E, 0x205F, NULL},	  /* general punctuation */
	{0x2060, 0x2064, ""},	  /* word joiner, invisible operators */
	{0x2065, 0x20CF, NULL},	  /* super/subscripts, currency symbols */
	{0x20D0, 0x20FF, ""},	  /* combining marks for symbols */
	{0x2100, 0x2BFF, NULL},	  /* letterlike, arrows, maths, boxes, dingbats */
	{0x2E00, 0x2E7F, NULL},	  /* supplemental punctuation */
	{0x3000, 0x303F, NULL},	  /* CJK symbols and punctuation */
	{0xFE00, 0xFE0F, ""},	  /* variation selectors */
	{0xFE10, 0xFE1F, NULL},	  /* vertical forms */
	{0xFE20, 0xFE2F, ""},	  /* combining half marks */
	{0xFE30, 0xFE6F, NULL},	  /* CJK compatibility and small forms */
	{0xFEFF, 0xFEFF, NULL},	  /* byte order mark */
	{0xFF01, 0xFF0F, NULL},	  /* full-width punctuation */
	{0xFF1A, 0xFF20, NULL},
	{0xFF3B, 0xFF40, NULL},
	{0xFF5B, 0xFF65, NULL},
	{0xFFF0, 0xFFFF, NULL},	  /* specials, replacement character */
	{0x1F000, 0x1FAFF, NULL}, /* emoji and pictographs */
	{0xE0000, 0xE007F, ""},	  /* tags */
};
#define NRANGES (sizeof(ranges) / sizeof(ranges[0]))

static const range *find_range(uint32_t cp)
{
	size_t lo = 0, hi = NRANGES;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ranges[mid].hi < cp)
			lo = mid + 1;
		else if (ranges[mid].lo > cp)
			hi = mid;
		else
			return &ranges[mid];
	}
	return NULL;
}

enum { SEP, EMIT, DROP };

/* Greek: the lower-case letter without accent for U+0370..U+03FF. */
static uint32_t fold_greek(uint32_t cp)
{
	switch (cp) {
	case 0x386: case 0x3AC: return 0x3B1;	       /* alpha */
	case 0x388: case 0x3AD: return 0x3B5;	       /* epsilon */
	case 0x389: case 0x3AE: return 0x3B7;	       /* eta */
	case 0x38A: case 0x390: case 0x3AA: case 0x3AF: case 0x3CA: return 0x3B9; /* iota */
	case 0x38C: case 0x3CC: return 0x3BF;	       /* omicron */
	case 0x38E: case 0x3AB: case 0x3B0: case 0x3CB: case 0x3CD: return 0x3C5; /* upsilon */
	case 0x38F: case 0x3CE: return 0x3C9;	       /* omega */
	case 0x3C2: return 0x3C3;		       /* final sigma */
	default: break;
	}
	if (cp >= 0x391 && cp <= 0x3A9)
		return cp + 0x20;
	return cp;
}

static uint32_t fold_cyrillic(uint32_t cp)
{
	if (cp == 0x401 || cp == 0x451)
		return 0x435; /* ё and Ё search as е, as Russian readers expect */
	if (cp >= 0x400 && cp <= 0x40F)
		return cp + 0x50;
	if (cp >= 0x410 && cp <= 0x42F)
		return cp + 0x20;
	return cp;
}

/* Folds one code point into out (at most 4 bytes); returns SEP, EMIT or
 * DROP.  src/srclen are its original bytes, copied when kept as is. */
static int fold_cp(uint32_t cp, const unsigned char *src, size_t srclen, char *out, size_t *olen)
{
	*olen = 0;
	if (cp == BAD_CP)
		return SEP;
	if (cp < 0x80) {
		if (cp >= 'A' && cp <= 'Z')
			cp += 'a' - 'A';
		if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
			out[0] = (char)cp;
			*olen = 1;
			return EMIT;
		}
		return SEP;
	}
	if (cp < 0xC0)
		return cp == 0xAD ? DROP : SEP; /* soft hyphen sits inside a word */
	const char *repl = NULL;
	if (cp < 0x100) {
		repl = latin1[cp - 0xC0];
		if (repl[0] == '\0')
			return SEP;
	} else if (cp < 0x180) {
		char c = latin_a[cp - 0x100];
		repl = c == '1' ? "ij" : c == '2' ? "oe" : NULL;
		if (repl == NULL) {
			out[0] = c;
			*olen = 1;
			return EMIT;
		}
	} else if (cp >= 0x370 && cp <= 0x3FF) {
		*olen = encode(fold_greek(cp), out);
		return EMIT;
	} else if (cp >= 0x400 && cp <= 0x4FF) {
		*olen = encode(fold_cyrillic(cp), out);
		return EMIT;
	} else if (cp >= 0xFF10 && cp <= 0xFF19) {
		out[0] = (char)('0' + (cp - 0xFF10));
		*olen = 1;
		return EMIT;
	} else if (cp >= 0xFF21 && cp <= 0xFF3A) {
		out[0] = (char)('a' + (cp - 0xFF21));
		*olen = 1;
		return EMIT;
	} else if (cp >= 0xFF41 && cp <= 0xFF5A) {
		out[0] = (char)('a' + (cp - 0xFF41));
		*olen = 1;
		return EMIT;
	} else {
		const range *r = find_range(cp);
		if (r != NULL) {
			if (r->repl == NULL)
				return SEP;
			if (r->repl[0] == '\0')
				return DROP;
			repl = r->repl;
		}
	}
	if (repl != NULL) {
		size_t n = strlen(repl);
		memcpy(out, repl, n);
		*olen = n;
		return EMIT;
	}
	memcpy(out, src, srclen);
	*olen = srclen;
	return EMIT;
}

size_t mlv_fold(char *out, size_t size, const char *s, size_t n)
{
	if (size == 0)
		return 0;
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, i = 0;
	bool space = false;
	while (i < n) {
		size_t len;
		uint32_t cp = decode(p + i, n - i, &len);
		char tmp[4];
		size_t tl;
		int kind = fold_cp(cp, p + i, len, tmp, &tl);
		i += len;
		if (kind == SEP) {
			space = o > 0;
			continue;
		}
		if (kind == DROP)
			continue;
		size_t need = tl + (space ? 1 : 0);
		if (need > size - 1 - o)
			break;
		if (space)
			out[o++] = ' ';
		space = false;
		memcpy(out + o, tmp, tl);
		o += tl;
	}
	out[o] = '\0';
	return o;
}

/* ---- business names --------------------------------------------------------- */

/* Legal-form words, as folded and with single letters joined, sorted. */
static const char *const legal_forms[] = {
	"ab", "ag", "aps", "as", "asa", "bhd", "bv", "bvba", "co", "company", "corp",
	"corporation", "cv", "eirl", "ek", "eurl", "gmbh", "gongsi", "inc", "incorporated",
	"jsc", "kft", "kg", "kgaa", "liability", "limited", "llc", "llp", "lp", "ltd", "ltda",
	"mbh", "nv", "ohg", "oy", "oyj", "pjsc", "plc", "pte", "pty", "sa", "sarl", "sarlu",
	"sas", "sasu", "sdn", "sl", "slu", "snc", "sp", "spa", "sprl", "srl", "sro", "ug",
	"youxian", "youxiangongsi", "zoo", "zrt",
};
#define NFORMS (sizeof(legal_forms) / sizeof(legal_forms[0]))

static bool is_legal_form(const char *w, size_t n)
{
	size_t lo = 0, hi = NFORMS;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *f = legal_forms[mid];
		size_t fl = strlen(f);
		int c = memcmp(w, f, n < fl ? n : fl);
		if (c == 0)
			c = n < fl ? -1 : n > fl ? 1 : 0;
		if (c == 0)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

#define NAME_MAX_BYTES 1024
#define NAME_MAX_WORDS 64

size_t mlv_fold_name(char *out, size_t size, const char *s, size_t n)
{
	char folded[NAME_MAX_BYTES], joined[NAME_MAX_BYTES];
	const char *word[NAME_MAX_WORDS];
	size_t wlen[NAME_MAX_WORDS], nw = 0, jl = 0;
	if (size == 0)
		return 0;
	size_t fl = mlv_fold(folded, sizeof(folded), s, n);

	/* Words, with runs of single ASCII letters joined ("s a r l"), so
	 * dotted abbreviations look like the legal forms they spell. */
	bool run = false; /* the last word is made of single letters only */
	for (size_t i = 0; i < fl && nw < NAME_MAX_WORDS;) {
		size_t j = i;
		while (j < fl && folded[j] != ' ')
			j++;
		bool single = j - i == 1 && folded[i] >= 'a' && folded[i] <= 'z';
		if (single && run) {
			joined[jl++] = folded[i];
			wlen[nw - 1]++;
		} else {
			memcpy(joined + jl, folded + i, j - i);
			word[nw] = joined + jl;
			wlen[nw] = j - i;
			jl += j - i;
			nw++;
			run = single;
		}
		i = j + 1;
	}

	size_t first = 0, last = nw;
	while (last > 0 && is_legal_form(word[last - 1], wlen[last - 1]))
		last--;
	if (last == 0)
		last = nw; /* only legal forms: keep them rather than nothing */
	if (last - first > 1 && wlen[0] == 3 && memcmp(word[0], "the", 3) == 0)
		first = 1;

	size_t o = 0;
	for (size_t k = first; k < last; k++) {
		if (wlen[k] > size - 1 - o)
			break;
		memcpy(out + o, word[k], wlen[k]);
		o += wlen[k];
	}
	out[o] = '\0';
	return o;
}
