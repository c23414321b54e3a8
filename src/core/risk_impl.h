/* risk_impl.h - what risk_rules.c (text -> compiled rules and indexes)
 * and risk.c (assessment) share.  Not a public header.
 *
 * A rule set (a profile, or all goods lists together) is an array of
 * risk_rule plus one risk_index.  Every rule is filed in the index under
 * exactly one "anchor", its most selective indexable criterion; a
 * consignment's candidates are the rules whose anchor it meets, and only
 * those are evaluated in full.  Rules with no indexable criterion sit in
 * the index's `always` list.  Invariants once compiled:
 *  - every posting list is sorted and holds each rule index once;
 *  - trie nodes are reached from node 0 by HS digits; postings of a node
 *    are the rules with that exact prefix as anchor;
 *  - phrase ids are dense 0..nphrases-1 and a rule's words / not_words
 *    arrays are sorted by phrase id;
 *  - the automaton's root has a full 256-entry transition table, other
 *    nodes sorted edge lists; fail and out links follow Aho-Corasick;
 *  - post_quick[k] is the quick filter of rule posts[k]: it admits every
 *    consignment (and item) that rule can hit, so a candidate it rejects
 *    is dropped before the full evaluation.  It lies beside the postings
 *    so that scanning a long list reads memory in order. */
#ifndef MLV_RISK_IMPL_H
#define MLV_RISK_IMPL_H

#include "mlv/arena.h"
#include "mlv/risk.h"

/* Country codes as small integers: (A-Z)(A-Z) -> 0..675. */
#define RISK_NCOUNTRY 676
#define RISK_ANY_COUNTRY 676 /* the '*' of a route */
#define RISK_NO_COUNTRY 0xFFFF

/* Bounds of the text format (docs/risk-rules.md). */
#define RISK_LINE_MAX 4096
#define RISK_LIST_MAX 1000   /* values of one list criterion in one rule */
#define RISK_PHRASE_MAX 128  /* bytes of one phrase */
#define RISK_EXPLAIN_SRC_MAX 400
#define RISK_NAME_MAX 140

typedef struct risk_range {
	bool has_lo, has_hi;
	int64_t lo, hi; /* inclusive */
} risk_range;

typedef struct risk_rule {
	char id[MLV_RISK_ID_MAX + 1];
	int64_t version;
	int weight;
	uint8_t kind;	 /* mlv_risk_hit_kind */
	uint8_t lane;	 /* floor on a hit; for goods entries set at assessment */
	bool enabled;
	const char *explain;
	char currency[4]; /* of the amounts below */
	int minor;	 /* the currency's minor units */

	/* Item criteria: all must hold for one and the same item. */
	bool item_level;
	const char **hs;
	size_t nhs;
	uint32_t *words;	/* phrase ids, sorted */
	const char **word_text; /* as written, parallel to words */
	size_t nwords;
	uint32_t *not_words;
	size_t nnot;
	uint16_t *origins;
	size_t norigins;
	risk_range item_value, unit_value, value_per_kg;
	int8_t gtin, brand; /* 1 present, -1 absent, 0 either */
	int undervalued;    /* percent below the reference, 0 unset */

	/* Consignment criteria. */
	uint16_t *departures;
	size_t ndepartures;
	uint32_t *routes; /* departure * 677 + destination, 676 = any */
	size_t nroutes;
	risk_range value, mass; /* goods value; gross weight in grams */
	uint32_t channels, models, categories, modes, schemes; /* bit i: enum index i */
	const char **party[MLV_RISK_ROLE_COUNT]; /* "i:ID" or "n:folded name" */
	size_t nparty[MLV_RISK_ROLE_COUNT];
	uint32_t watch;	   /* bit per mlv_risk_role */
	unsigned mismatch; /* MLV_RISK_MM_* */
	int quality_min, quality_max; /* -1 unset */
	risk_range lead;
	int8_t aeo;	    /* 1 yes, -1 no, 0 either */
	bool split;
	int opscore_min;    /* -1 unset */
	int opscore_max;    /* -1 unset */
	uint32_t opscore_roles; /* bit per mlv_risk_role; 0: every role */

	/* Goods-list entries. */
	uint16_t list;	    /* index of the list in mlv_risk_goods */
	const char *agency;
	const char *permit;
	const char *basis;  /* "; "-joined basis lines then URLs */
	uint32_t documents; /* bit i: document type index i counts as the permit */
} risk_rule;

typedef struct risk_trie_node {
	int32_t child[10];
	uint32_t post, npost;
} risk_trie_node;

typedef struct risk_ac_edge {
	unsigned char byte;
	int32_t to;
} risk_ac_edge;

typedef struct risk_ac_node {
	int32_t fail;	/* longest proper suffix that is a node */
	int32_t out;	/* nearest suffix node that ends a phrase, -1 none */
	int32_t phrase; /* phrase ending here, -1 none */
	uint32_t edge, nedge;
} risk_ac_node;

typedef struct risk_map_slot {
	const char *key; /* NULL: empty slot */
	uint32_t klen;
	uint32_t post, npost;
} risk_map_slot;

/* Necessary conditions of one rule, as 64-bit sets (risk_quick_bit):
 * tested on each posting a consignment meets, so that a long posting
 * list costs a few instructions per rule, not a full evaluation.  Values
 * share bits (a set may admit more, never fewer); ~0: no condition, and
 * then an unknown value passes too. */
typedef struct risk_quick {
	uint64_t dep;	  /* departures its routes and departure list admit */
	uint64_t origin;  /* origins its items may have */
	uint64_t words;	  /* phrase ids of which an item needs one */
	uint64_t chapter; /* HS chapters (two digits) its items may have */
	/* The consignment's value, when the rule bounds it: known, and within
	 * [value_lo, value_hi] in the set's currency (the bounds stay open
	 * when the rule's currency is another). */
	bool value;
	int64_t value_lo, value_hi;
} risk_quick;

typedef struct risk_index {
	risk_trie_node *trie;
	size_t ntrie;
	risk_ac_node *ac;
	size_t nac;
	risk_ac_edge *edges;
	int32_t root[256];
	uint32_t nphrases;
	uint32_t *phrase_post, *phrase_npost; /* per phrase: anchored rules */
	risk_map_slot *map;		      /* open addressing, power of two */
	size_t map_cap;
	uint32_t *always;
	size_t nalways;
	uint32_t *posts; /* every posting list lives here */
	size_t nposts;
	risk_quick *post_quick; /* parallel to posts */
	uint32_t name_roles; /* bit per role some rule names an operator in ("n:") */
} risk_index;

/* Key prefixes of the map: one byte, then the key's text. */
enum {
	RISK_K_ORIGIN = 'o',	/* item: two letters */
	RISK_K_DEPARTURE = 'd', /* two letters */
	RISK_K_ROUTE = 'r',	/* "CN>FR", "CN>*", "*>FR" */
	RISK_K_PARTY = 'p',	/* role digit, then "i:ID" or "n:name" */
	RISK_K_WATCH = 'w',	/* role digit */
	RISK_K_MISMATCH = 'm',	/* bit number digit */
	RISK_K_SPLIT = 's',
	RISK_K_SCHEME = 't',	/* enum index as a digit string */
	RISK_K_CHANNEL = 'c',
	RISK_K_MODEL = 'b',
	RISK_K_CATEGORY = 'g',
	RISK_K_MODE = 'x',
};

/* A set of rules being built, then compiled. */
typedef struct risk_set {
	mlv_arena *arena;
	risk_rule *rules;
	size_t nrules, cap;
	/* Phrase patterns (folded, with boundary spaces), interned. */
	const char **phrases;
	uint32_t *phrase_len;
	size_t nphrases, phrase_cap;
	uint32_t *phrase_hash; /* open addressing over phrase ids + 1 */
	size_t phrase_hash_cap;
	risk_index idx;
	bool compiled;
} risk_set;

/* A criterion as written, for readers of the profile (GET /v1/rules). */
typedef struct risk_kv {
	const char *key, *value;
} risk_kv;

/* Where a rule comes from in the profile's text (parallel to set.rules). */
typedef struct risk_rule_src {
	size_t off, len; /* its section: the header to its last key line */
	size_t line;	 /* of the header */
	const risk_kv *crit;
	size_t ncrit;
} risk_rule_src;

struct mlv_risk_profile {
	char id[MLV_RISK_ID_MAX + 1];
	int64_t version;
	char currency[4];
	int minor;
	int yellow, red, hold;	/* score thresholds */
	uint32_t random_ppm;
	uint8_t random_lane, prohibited_lane, restricted_lane;
	bool uses_opscore;	/* some rule reads operator scores */
	const char *name;	/* [profile] name; NULL when none (arena) */
	char *text;		/* the text it was parsed from, NUL-terminated */
	size_t text_len;
	risk_rule_src *src;	/* per rule */
	mlv_arena *src_arena;	/* criteria as written: apart from the rules' own
				 * arrays, which assessments read and keep dense */
	risk_set set;
};

typedef struct risk_goods_list {
	char country[3];
	const char *name;
	char currency[4];
	int minor;
	uint16_t *members;
	size_t nmembers;
} risk_goods_list;

struct mlv_risk_goods {
	risk_goods_list *lists;
	size_t nlists, cap;
	risk_set set;
};

/* Country code <-> small integer. */
static inline uint16_t risk_country_key(const char *cc)
{
	if (cc == NULL || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z' || cc[2] != '\0')
		return RISK_NO_COUNTRY;
	return (uint16_t)((cc[0] - 'A') * 26 + (cc[1] - 'A'));
}

/* A value's bit in a risk_quick set. */
static inline uint64_t risk_quick_bit(uint32_t v)
{
	return (uint64_t)1 << ((uint32_t)(v * 0x9E3779B1u) >> 26);
}

/* A country's bit; 0 for an unknown one. */
static inline uint64_t risk_country_bit(uint16_t k)
{
	return k < RISK_NCOUNTRY ? risk_quick_bit(k) : 0;
}

/* The bits of the HS chapters that codes starting with hs[] may have:
 * one for two digits or more, ten for one; ~0 for none. */
static inline uint64_t risk_chapter_bits(const char *hs)
{
	if (hs[0] < '0' || hs[0] > '9')
		return ~(uint64_t)0;
	uint32_t tens = (uint32_t)(hs[0] - '0') * 10;
	if (hs[1] >= '0' && hs[1] <= '9')
		return risk_quick_bit(tens + (uint32_t)(hs[1] - '0'));
	uint64_t m = 0;
	for (uint32_t d = 0; d < 10; d++)
		m |= risk_quick_bit(tens + d);
	return m;
}

/* risk_analytics.c: the keys party criteria, watch-list look-ups and
 * operator scores compare: "<role digit>i:<IDENTIFIER>" (spaces dropped,
 * a-z upper-cased) and "<role digit>n:<folded name>" (mlv_fold_name).
 * Write "" and return 0 when there is nothing to key by. */
size_t risk_key_id(char *out, size_t cap, int role, const char *id);
size_t risk_key_name(char *out, size_t cap, int role, const char *name);

/* risk_analytics.c: operator scores by party key, "<role digit><i|n>:<key>"
 * as risk.c builds them; NULL when the table has none. */
const mlv_risk_opscore *mlv_risk_opscores_find(const mlv_risk_opscores *t, const char *rolekey);

/* risk_rules.c */
/* An item's weight in grams for values per kg: the net weight, else the
 * gross; 0 when neither is known.  (risk.c and the reference values of
 * risk_analytics.c must agree.) */
static inline int64_t risk_item_grams(const mlv_item *it)
{
	if (it->net_weight.set && it->net_weight.v > 0)
		return it->net_weight.v;
	return it->gross_weight.set && it->gross_weight.v > 0 ? it->gross_weight.v : 0;
}

void mlv_risk_set_free(risk_set *s);
/* Looks key[0..klen) up in the index's map: the posting list, or n = 0. */
const uint32_t *mlv_risk_map_get(const risk_index *idx, const char *key, size_t klen, size_t *n);
/* Runs the automaton over text (already folded and padded); appends the
 * phrase id of every match to *ids (a growing malloc'd array). */
int mlv_risk_ac_scan(const risk_index *idx, const char *text, size_t len, uint32_t **ids,
		     size_t *n, size_t *cap);

#endif
