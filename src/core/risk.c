/* risk.c - assessment of one consignment under a risk profile (risk.h).
 *
 * Owns nothing between calls: an assessment reads the compiled profile,
 * goods lists, watch list and reference values (all read-only, shared)
 * and writes only the caller's mlv_risk_assessment and its own scratch,
 * so any number of threads may assess at once.
 *
 * The order of work keeps the cost per consignment flat as rules grow:
 *  1. facts: values converted once into the profile's currency, each
 *     item's description and brand folded once, parties folded once;
 *  2. candidates: the automaton over each item's text, the HS trie over
 *     its code, and hash look-ups of countries, route, parties and enum
 *     values give the rules whose anchor the consignment meets;
 *  3. only those rules are evaluated in full; each hits at most once.
 * The score is the sum of the hits' weights (never below 0); the lane is
 * the strictest of what the score gives and the floors the hits set; a
 * green consignment may then be drawn for control at random. */
#include "risk_impl.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlv/decimal.h"
#include "mlv/fold.h"

__extension__ typedef __int128 i128;

/* ---- names ------------------------------------------------------------------- */

const char *mlv_risk_lane_name(mlv_risk_lane lane)
{
	static const char *const names[] = {"green", "yellow", "red", "hold"};
	return (unsigned)lane < 4 ? names[lane] : "unknown";
}

const char *mlv_risk_role_name(mlv_risk_role role)
{
	static const char *const names[] = {"any", "seller", "platform", "carrier",
					    "intermediary", "filer"};
	return (unsigned)role < MLV_RISK_ROLE_COUNT ? names[role] : "unknown";
}

const char *mlv_risk_match_name(mlv_risk_match m)
{
	static const char *const names[] = {"none", "identifier", "name", "normalised name"};
	return (unsigned)m < 4 ? names[m] : "unknown";
}

static const char *enum_word(const char *parent, const char *json, unsigned v)
{
	const mlv_schema *s = &mlv_consignment_schema;
	if (parent != NULL) {
		const mlv_field *pf = mlv_schema_field(s, parent);
		if (pf == NULL || pf->sub == NULL)
			return "";
		s = pf->sub;
	}
	const char *w = mlv_enum_name(mlv_schema_field(s, json), v);
	return w ? w : "";
}

/* ---- SipHash-2-4 (Aumasson and Bernstein), for the random draw ---------------- */

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                   \
	do {                                                                       \
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);          \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                             \
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                             \
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);          \
	} while (0)

static uint64_t siphash24(const uint64_t key[2], const unsigned char *m, size_t len)
{
	uint64_t v0 = 0x736f6d6570736575ull ^ key[0], v1 = 0x646f72616e646f6dull ^ key[1];
	uint64_t v2 = 0x6c7967656e657261ull ^ key[0], v3 = 0x7465646279746573ull ^ key[1];
	size_t full = len - len % 8;
	for (size_t i = 0; i < full; i += 8) {
		uint64_t w = 0;
		for (int k = 7; k >= 0; k--)
			w = (w << 8) | m[i + (size_t)k];
		v3 ^= w;
		SIPROUND;
		SIPROUND;
		v0 ^= w;
	}
	uint64_t b = (uint64_t)len << 56;
	for (size_t k = len % 8; k > 0; k--)
		b |= (uint64_t)m[full + k - 1] << (8 * (k - 1));
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

bool mlv_risk_random_draw(const uint64_t key[2], const char *identity, size_t len, uint32_t ppm)
{
	if (ppm == 0)
		return false;
	if (ppm >= 1000000)
		return true;
	uint64_t h = siphash24(key, (const unsigned char *)identity, len);
	/* The top bits are the best mixed; 2^64 / 10^6 leaves a bias of
	 * about 10^-13, far below what any rate could show. */
	return (h % 1000000u) < ppm;
}

/* ---- facts ------------------------------------------------------------------------ */

typedef struct item_facts {
	bool value_known;
	int64_t value;	/* profile currency */
	int64_t qty;	/* thousandths, 0 unknown */
	int64_t grams;	/* net, else gross; 0 unknown */
	uint16_t origin;
	char *text;	/* " desc \n brand ", folded */
	size_t tlen;
	size_t ph, nph;	  /* profile phrase matches: f->ph[ph .. ph + nph) */
	size_t gph, ngph; /* goods-list phrase matches */
	bool ref_known;
	mlv_risk_refvalue ref;
	double uv, below, z; /* declared unit value in the table's basis */
} item_facts;

typedef struct facts {
	const mlv_consignment *c;
	const mlv_risk_input *in;
	const mlv_refdata *rd;
	const mlv_risk_profile *prof;
	const char *currency;
	int minor;
	int32_t day;
	bool value_known;
	int64_t value;
	bool weight_known;
	int64_t grams;
	uint16_t dep, dest;
	char dest_cc[3];
	unsigned docs; /* bit per document type present */
	item_facts *items;
	uint32_t *ph, *gph;
	size_t nph, phcap, ngph, gphcap;
	const char *pname[MLV_RISK_ROLE_COUNT], *pid[MLV_RISK_ROLE_COUNT];
	char pkey_n[MLV_RISK_ROLE_COUNT][RISK_NAME_MAX + 8];
	char pkey_i[MLV_RISK_ROLE_COUNT][RISK_NAME_MAX + 8];
	const mlv_risk_watch_entry *watch[MLV_RISK_ROLE_COUNT];
	mlv_risk_match watch_how[MLV_RISK_ROLE_COUNT];
	int opscore[MLV_RISK_ROLE_COUNT]; /* operator scores, -1 unknown */
	bool *list_applies; /* per goods list */
} facts;

/* snprintf(dst, size, "%s", src) without the formatting machinery. */
static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* strcmp(a, b) == 0 for the short codes compared on each evaluation. */
static bool same_str(const char *a, const char *b)
{
	for (; *a == *b; a++, b++)
		if (*a == '\0')
			return true;
	return false;
}

static int to_currency(const facts *f, int64_t amount, const char *from, const char *to,
		       int64_t *out)
{
	if (same_str(from, to)) {
		*out = amount;
		return 0;
	}
	return mlv_fx_convert(f->rd, amount, from, to, f->day, out);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Sorts and de-duplicates ids[from..*n). */
static size_t uniq_tail(uint32_t *ids, size_t from, size_t n)
{
	if (n - from < 2)
		return n;
	qsort(ids + from, n - from, sizeof(uint32_t), cmp_u32);
	size_t o = from + 1;
	for (size_t i = from + 1; i < n; i++)
		if (ids[i] != ids[o - 1])
			ids[o++] = ids[i];
	return o;
}

/* The party keys of a role; the folded name only when something reads it
 * (a rule naming an operator in that role, or operator scores): folding
 * costs more than the rest of the keys together. */
static void party_keys(facts *f, int role, const char *name, const char *id, bool with_name)
{
	f->pname[role] = name;
	f->pid[role] = id;
	f->pkey_n[role][0] = '\0';
	if (with_name)
		risk_key_name(f->pkey_n[role], sizeof(f->pkey_n[role]), role, name);
	risk_key_id(f->pkey_i[role], sizeof(f->pkey_i[role]), role, id);
}

/* Operator scores of the consignment's operators (by identifier, else by
 * name), looked up once when a rule of the profile reads them; role ANY
 * holds the caller's own overall score. */
static void operator_scores(facts *f)
{
	const mlv_risk_input *in = f->in;
	for (int role = 0; role < MLV_RISK_ROLE_COUNT; role++)
		f->opscore[role] = -1;
	f->opscore[MLV_RISK_ROLE_ANY] = in->operator_score;
	if (in->opscores == NULL || !f->prof->uses_opscore)
		return;
	for (int role = 1; role < MLV_RISK_ROLE_COUNT; role++) {
		const mlv_risk_opscore *s = mlv_risk_opscores_find(in->opscores, f->pkey_i[role]);
		if (s == NULL)
			s = mlv_risk_opscores_find(in->opscores, f->pkey_n[role]);
		if (s != NULL)
			f->opscore[role] = s->score;
	}
}

static int gather(facts *f, mlv_arena *arena, const mlv_risk_goods *goods)
{
	const mlv_consignment *c = f->c;
	const mlv_risk_input *in = f->in;
	int rc;

	f->day = c->transaction.present && c->transaction.order_date.set
			 ? (int32_t)c->transaction.order_date.v
			 : in->day;

	/* Destination: the administration's country, else the office of
	 * arrival's country prefix (FR000690 -> FR). */
	const char *dest = in->country;
	char office_cc[3] = "";
	if ((dest == NULL || risk_country_key(dest) == RISK_NO_COUNTRY) &&
	    c->transport.office_of_arrival != NULL && strlen(c->transport.office_of_arrival) >= 2) {
		office_cc[0] = c->transport.office_of_arrival[0];
		office_cc[1] = c->transport.office_of_arrival[1];
		dest = office_cc;
	}
	f->dest = risk_country_key(dest);
	if (f->dest != RISK_NO_COUNTRY && mlv_country_exists(f->rd, dest))
		copy_str(f->dest_cc, sizeof(f->dest_cc), dest);
	else
		f->dest = RISK_NO_COUNTRY;
	f->dep = c->transport.present ? risk_country_key(c->transport.departure_country)
				      : RISK_NO_COUNTRY;

	for (size_t i = 0; i < c->document_count; i++)
		if (c->documents[i].type < 32)
			f->docs |= 1u << c->documents[i].type;

	/* Items. */
	f->items = mlv_arena_alloc(arena, (c->item_count ? c->item_count : 1) * sizeof(item_facts));
	if (f->items == NULL)
		return MLV_ENOMEM;
	bool all_gross = c->item_count > 0, all_net = c->item_count > 0, all_values = c->item_count > 0;
	int64_t sum_gross = 0, sum_net = 0, sum_values = 0;
	for (size_t i = 0; i < c->item_count; i++) {
		const mlv_item *it = &c->items[i];
		item_facts *x = &f->items[i];
		if (it->value.set && it->currency[0] &&
		    to_currency(f, it->value.v, it->currency, f->currency, &x->value) == 0)
			x->value_known = true;
		if (x->value_known)
			sum_values += x->value;
		else
			all_values = false;
		x->qty = it->quantity.set && it->quantity.v > 0 ? it->quantity.v : 0;
		x->grams = risk_item_grams(it);
		if (it->gross_weight.set)
			sum_gross += it->gross_weight.v;
		else
			all_gross = false;
		if (it->net_weight.set)
			sum_net += it->net_weight.v;
		else
			all_net = false;
		x->origin = it->origin_country[0] ? risk_country_key(it->origin_country)
						  : RISK_NO_COUNTRY;

		size_t dl = it->description ? strlen(it->description) : 0;
		size_t bl = it->brand ? strlen(it->brand) : 0;
		x->text = mlv_arena_alloc(arena, dl + bl + 8);
		if (x->text == NULL)
			return MLV_ENOMEM;
		size_t o = 0;
		x->text[o++] = ' ';
		o += mlv_fold(x->text + o, dl + 1, it->description ? it->description : "", dl);
		x->text[o++] = ' ';
		x->text[o++] = '\n'; /* no phrase crosses from description to brand */
		x->text[o++] = ' ';
		o += mlv_fold(x->text + o, bl + 1, it->brand ? it->brand : "", bl);
		x->text[o++] = ' ';
		x->text[o] = '\0';
		x->tlen = o;

		x->ph = f->nph;
		if ((rc = mlv_risk_ac_scan(&f->prof->set.idx, x->text, x->tlen, &f->ph, &f->nph,
					   &f->phcap)) != 0)
			return rc;
		f->nph = uniq_tail(f->ph, x->ph, f->nph);
		x->nph = f->nph - x->ph;
		x->gph = f->ngph;
		if (goods != NULL) {
			if ((rc = mlv_risk_ac_scan(&goods->set.idx, x->text, x->tlen, &f->gph,
						   &f->ngph, &f->gphcap)) != 0)
				return rc;
			f->ngph = uniq_tail(f->gph, x->gph, f->ngph);
		}
		x->ngph = f->ngph - x->gph;

		/* Reference unit value, in the table's currency and basis. */
		const mlv_risk_refvalues *rv = in->refvalues;
		if (rv != NULL && strlen(it->hs_code) >= 6 && it->value.set && it->currency[0]) {
			char hs6[7];
			memcpy(hs6, it->hs_code, 6);
			hs6[6] = '\0';
			int64_t amount;
			bool per_kg = mlv_risk_refvalues_basis(rv) == MLV_RISK_UV_PER_KG;
			int64_t per = per_kg ? x->grams : x->qty;
			if (per > 0 &&
			    to_currency(f, it->value.v, it->currency, mlv_risk_refvalues_currency(rv),
					&amount) == 0 &&
			    mlv_risk_refvalue_get(rv, hs6, it->origin_country, &x->ref) == 0) {
				x->ref_known = true;
				x->uv = (double)amount * 1000.0 / (double)per;
				mlv_risk_undervaluation(&x->ref, x->uv, &x->below, &x->z);
			}
		}
	}

	/* The consignment's value and weight. */
	const mlv_transaction *t = &c->transaction;
	if (t->present && t->invoice_total.set && t->currency[0] &&
	    to_currency(f, t->invoice_total.v, t->currency, f->currency, &f->value) == 0)
		f->value_known = true;
	else if (all_values) {
		f->value = sum_values;
		f->value_known = true;
	}
	if (c->gross_weight.set) {
		f->grams = c->gross_weight.v;
		f->weight_known = true;
	} else if (all_gross || all_net) {
		f->grams = all_gross ? sum_gross : sum_net;
		f->weight_known = true;
	}

	/* Parties, their scores, and the watch list once per role. */
	mlv_risk_parties parties;
	mlv_risk_parties_of(&parties, c, in->filer);
	uint32_t name_roles = f->prof->set.idx.name_roles;
	if (goods != NULL)
		name_roles |= goods->set.idx.name_roles;
	bool all_names = in->opscores != NULL && f->prof->uses_opscore;
	for (int r = 1; r < MLV_RISK_ROLE_COUNT; r++)
		party_keys(f, r, parties.name[r], parties.identifier[r],
			   all_names || (name_roles & (1u << r)));
	operator_scores(f);
	if (in->watch != NULL)
		for (int r = 1; r < MLV_RISK_ROLE_COUNT; r++)
			if (f->pname[r] != NULL || f->pid[r] != NULL)
				f->watch[r] = mlv_risk_watchlist_match(in->watch, (mlv_risk_role)r,
								       f->pname[r], f->pid[r],
								       in->day, &f->watch_how[r]);

	if (goods != NULL) {
		f->list_applies = mlv_arena_alloc(arena, (goods->nlists + 1) * sizeof(bool));
		if (f->list_applies == NULL)
			return MLV_ENOMEM;
		for (size_t l = 0; l < goods->nlists; l++) {
			const risk_goods_list *gl = &goods->lists[l];
			bool ok = f->dest_cc[0] && strcmp(gl->country, f->dest_cc) == 0;
			for (size_t m = 0; m < gl->nmembers && !ok; m++)
				ok = gl->members[m] == f->dest;
			f->list_applies[l] = ok;
		}
	}
	return 0;
}

/* ---- candidates ------------------------------------------------------------------- */

/* (rule << 32) | (item + 1); item 0 stands for "the consignment". */
typedef struct cands {
	uint64_t *v;
	size_t n, cap;
	void *scratch; /* group_by_rule's tables, kept for the next set */
	size_t scratch_size;
} cands;

static int cand_add(cands *cs, uint32_t rule, long item)
{
	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? cs->cap * 2 : 64;
		uint64_t *nv = realloc(cs->v, cap * sizeof(*nv));
		if (nv == NULL)
			return MLV_ENOMEM;
		cs->v = nv;
		cs->cap = cap;
	}
	cs->v[cs->n++] = ((uint64_t)rule << 32) | (uint64_t)(item + 1);
	return 0;
}

/* What a candidate is filtered by (risk_quick): the consignment's
 * departure and, for an item candidate, the item's origin, phrases and
 * chapter as bit sets; ~0 for what a consignment candidate leaves open. */
typedef struct quick_key {
	uint64_t dep, origin, words, chapter;
	bool value_known;
	int64_t value; /* the consignment's, in the profile's currency */
} quick_key;

static bool quick_pass(const risk_quick *q, const quick_key *k)
{
	const uint64_t any = ~(uint64_t)0;
	return (q->dep == any || (q->dep & k->dep)) && (q->origin == any || (q->origin & k->origin)) &&
	       (q->words == any || (q->words & k->words)) &&
	       (q->chapter == any || (q->chapter & k->chapter)) &&
	       (!q->value || (k->value_known && k->value >= q->value_lo && k->value <= q->value_hi));
}

/* The quick filters of the postings from posts[off]. */
static const risk_quick *quick_at(const risk_index *x, size_t off)
{
	return x->post_quick != NULL ? x->post_quick + off : NULL;
}

/* Appends the rules of a posting list that pass their quick filter;
 * quick: the filters parallel to post[], NULL for none. */
static int cand_list(cands *cs, const uint32_t *post, const risk_quick *quick, size_t n,
		     long item, const quick_key *k)
{
	for (size_t i = 0; i < n; i++) {
		if (quick != NULL && !quick_pass(&quick[i], k))
			continue;
		if (cand_add(cs, post[i], item) != 0)
			return MLV_ENOMEM;
	}
	return 0;
}

/* The rules filed under key type + text[0..len). */
static int cand_key(cands *cs, const risk_index *x, char type, const char *text, size_t len,
		    long item, const quick_key *k)
{
	char key[RISK_NAME_MAX + 16];
	if (len >= sizeof(key) - 1)
		return 0;
	key[0] = type;
	memcpy(key + 1, text, len);
	size_t np;
	const uint32_t *post = mlv_risk_map_get(x, key, len + 1, &np);
	if (np == 0)
		return 0;
	return cand_list(cs, post, quick_at(x, (size_t)(post - x->posts)), np, item, k);
}

/* cand_key on an enum index written in decimal. */
static int cand_enum(cands *cs, const risk_index *x, char type, unsigned v, const quick_key *k)
{
	char d[12];
	size_t n = sizeof(d);
	do {
		d[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return cand_key(cs, x, type, d + n, sizeof(d) - n, -1, k);
}

/* cand_key on a party key (NUL-terminated, empty for none). */
static int cand_party(cands *cs, const risk_index *x, const char *key, const quick_key *k)
{
	return key[0] ? cand_key(cs, x, RISK_K_PARTY, key, strlen(key), -1, k) : 0;
}

/* base + off, where an empty array may have a NULL base. */
static const uint32_t *at(const uint32_t *base, size_t off)
{
	return base != NULL ? base + off : NULL;
}

static void cc_text(uint16_t k, char out[3])
{
	out[0] = (char)('A' + k / 26);
	out[1] = (char)('A' + k % 26);
	out[2] = '\0';
}

static int collect(cands *cs, const risk_set *s, const facts *f, bool goods)
{
	const risk_index *x = &s->idx;
	const mlv_consignment *c = f->c;
	const mlv_risk_input *in = f->in;
	int rc = 0;
	const uint64_t all = ~(uint64_t)0;
	const quick_key whole = {risk_country_bit(f->dep), all, all, all, f->value_known, f->value};
	for (size_t i = 0; i < c->item_count; i++) {
		const item_facts *it = &f->items[i];
		const uint32_t *ph = goods ? at(f->gph, it->gph) : at(f->ph, it->ph);
		size_t nph = goods ? it->ngph : it->nph;
		const char *hs = c->items[i].hs_code;
		quick_key item = whole;
		item.origin = risk_country_bit(it->origin);
		item.words = 0;
		if (hs[0] >= '0' && hs[0] <= '9' && hs[1] >= '0' && hs[1] <= '9')
			item.chapter = risk_chapter_bits(hs); /* else item_ok decides */
		for (size_t k = 0; k < nph; k++)
			item.words |= risk_quick_bit(ph[k]);
		for (size_t k = 0; k < nph; k++)
			if ((rc = cand_list(cs, at(x->posts, x->phrase_post[ph[k]]),
					    quick_at(x, x->phrase_post[ph[k]]), x->phrase_npost[ph[k]],
					    (long)i, &item)) != 0)
				return rc;
		uint32_t node = 0;
		for (const char *d = c->items[i].hs_code; *d >= '0' && *d <= '9'; d++) {
			int32_t nx = x->trie[node].child[*d - '0'];
			if (nx == 0)
				break;
			node = (uint32_t)nx;
			if ((rc = cand_list(cs, at(x->posts, x->trie[node].post),
					    quick_at(x, x->trie[node].post), x->trie[node].npost, (long)i,
					    &item)) != 0)
				return rc;
		}
		if (it->origin != RISK_NO_COUNTRY) {
			char cc[3];
			cc_text(it->origin, cc);
			if ((rc = cand_key(cs, x, RISK_K_ORIGIN, cc, 2, (long)i, &item)) != 0)
				return rc;
		}
	}
	/* Routes as "CN>FR", "CN>*" and "*>FR". */
	char r[6];
	r[2] = '>';
	if (f->dest != RISK_NO_COUNTRY)
		cc_text(f->dest, r + 3);
	if (f->dep != RISK_NO_COUNTRY) {
		cc_text(f->dep, r);
		r[2] = '>';
		if ((rc = cand_key(cs, x, RISK_K_DEPARTURE, r, 2, -1, &whole)) != 0)
			return rc;
		const char any[4] = {r[0], r[1], '>', '*'};
		if ((rc = cand_key(cs, x, RISK_K_ROUTE, any, 4, -1, &whole)) != 0)
			return rc;
		if (f->dest != RISK_NO_COUNTRY &&
		    (rc = cand_key(cs, x, RISK_K_ROUTE, r, 5, -1, &whole)) != 0)
			return rc;
	}
	if (f->dest != RISK_NO_COUNTRY) {
		r[1] = '*';
		if ((rc = cand_key(cs, x, RISK_K_ROUTE, r + 1, 4, -1, &whole)) != 0)
			return rc;
	}
	for (int role = 1; role < MLV_RISK_ROLE_COUNT; role++) {
		if ((rc = cand_party(cs, x, f->pkey_n[role], &whole)) != 0 ||
		    (rc = cand_party(cs, x, f->pkey_i[role], &whole)) != 0)
			return rc;
		if (f->watch[role] != NULL && (rc = cand_enum(cs, x, RISK_K_WATCH, (unsigned)role, &whole)) != 0)
			return rc;
	}
	for (unsigned b = 0; b < 8; b++)
		if ((in->mismatch & (1u << b)) && (rc = cand_enum(cs, x, RISK_K_MISMATCH, b, &whole)) != 0)
			return rc;
	if (in->split != NULL && in->split->split && (rc = cand_key(cs, x, RISK_K_SPLIT, "", 0, -1, &whole)) != 0)
		return rc;
	unsigned scheme = c->tax_collected.present ? c->tax_collected.scheme : 0;
	if ((rc = cand_enum(cs, x, RISK_K_SCHEME, scheme, &whole)) != 0)
		return rc;
	if (c->channel && (rc = cand_enum(cs, x, RISK_K_CHANNEL, c->channel, &whole)) != 0)
		return rc;
	if (c->business_model && (rc = cand_enum(cs, x, RISK_K_MODEL, c->business_model, &whole)) != 0)
		return rc;
	if (c->category && (rc = cand_enum(cs, x, RISK_K_CATEGORY, c->category, &whole)) != 0)
		return rc;
	if (c->transport.present && c->transport.mode &&
	    (rc = cand_enum(cs, x, RISK_K_MODE, c->transport.mode, &whole)) != 0)
		return rc;
	/* the `always` rules have no criterion a quick filter tests */
	return cand_list(cs, x->always, NULL, x->nalways, -1, &whole);
}

/* ---- evaluation ---------------------------------------------------------------------- */

/* What a hit remembers for its explanation. */
typedef struct hit_ctx {
	long item;
	const char *word;
	int role; /* the party or watch-list role that matched, 0 none */
	int opscore; /* the operator score that matched, -1 none */
} hit_ctx;

/* The mask bit of an enum value; 0 for a value no mask can hold (a
 * consignment built by hand rather than decoded). */
static uint32_t bit(unsigned v)
{
	return v < 32 ? 1u << v : 0;
}

static bool in_range(const risk_range *r, int64_t v)
{
	return (!r->has_lo || v >= r->lo) && (!r->has_hi || v <= r->hi);
}

/* A bound of the rule in the facts' currency; false when no rate. */
static bool bound(const risk_rule *r, const facts *f, int64_t v, int64_t *out)
{
	return to_currency(f, v, r->currency, f->currency, out) == 0;
}

static bool money_in(const risk_rule *r, const facts *f, const risk_range *rg, int64_t v)
{
	int64_t b;
	if (rg->has_lo && (!bound(r, f, rg->lo, &b) || v < b))
		return false;
	if (rg->has_hi && (!bound(r, f, rg->hi, &b) || v > b))
		return false;
	return true;
}

/* amount / per (per in thousandths of the unit) against a money range,
 * exactly: amount * 1000 against bound * per. */
static bool ratio_in(const risk_rule *r, const facts *f, const risk_range *rg, int64_t amount,
		     int64_t per)
{
	int64_t b;
	i128 lhs = (i128)amount * 1000;
	if (rg->has_lo && (!bound(r, f, rg->lo, &b) || lhs < (i128)b * per))
		return false;
	if (rg->has_hi && (!bound(r, f, rg->hi, &b) || lhs > (i128)b * per))
		return false;
	return true;
}

static bool has_u16(const uint16_t *v, size_t n, uint16_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

/* The first id of sorted a[] also in sorted b[], or -1. */
static long intersect(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	size_t i = 0, j = 0;
	while (i < na && j < nb) {
		if (a[i] == b[j])
			return (long)i;
		if (a[i] < b[j])
			i++;
		else
			j++;
	}
	return -1;
}

static bool party_ok(const risk_rule *r, const facts *f, int role)
{
	for (size_t k = 0; k < r->nparty[role]; k++) {
		const char *key = r->party[role][k]; /* "n:..." or "i:..." */
		const char *mine = key[0] == 'n' ? f->pkey_n[role] : f->pkey_i[role];
		if (mine[0] && strcmp(mine + 1, key) == 0)
			return true;
	}
	return false;
}

/* operator_score_min/max: one operator (in operator_roles, else any role,
 * the caller's overall score included) whose known score lies in range. */
static bool opscore_ok(const risk_rule *r, const facts *f, hit_ctx *ctx)
{
	if (r->opscore_min < 0 && r->opscore_max < 0)
		return true;
	for (int role = 0; role < MLV_RISK_ROLE_COUNT; role++) {
		int s = f->opscore[role];
		if (s < 0 || (r->opscore_roles && !(r->opscore_roles & (1u << role))))
			continue;
		if ((r->opscore_min >= 0 && s < r->opscore_min) ||
		    (r->opscore_max >= 0 && s > r->opscore_max))
			continue;
		ctx->opscore = s;
		if (ctx->role == 0 && role > 0)
			ctx->role = role;
		return true;
	}
	return false;
}

static bool consignment_ok(const risk_rule *r, const facts *f, hit_ctx *ctx)
{
	const mlv_consignment *c = f->c;
	const mlv_risk_input *in = f->in;
	if (r->ndepartures && (f->dep == RISK_NO_COUNTRY || !has_u16(r->departures, r->ndepartures, f->dep)))
		return false;
	if (r->nroutes) {
		bool ok = false;
		for (size_t k = 0; k < r->nroutes && !ok; k++) {
			uint32_t a = r->routes[k] / 677, b = r->routes[k] % 677;
			ok = (a == RISK_ANY_COUNTRY || (f->dep != RISK_NO_COUNTRY && a == f->dep)) &&
			     (b == RISK_ANY_COUNTRY || (f->dest != RISK_NO_COUNTRY && b == f->dest));
		}
		if (!ok)
			return false;
	}
	if ((r->value.has_lo || r->value.has_hi) &&
	    (!f->value_known || !money_in(r, f, &r->value, f->value)))
		return false;
	if ((r->mass.has_lo || r->mass.has_hi) &&
	    (!f->weight_known || !in_range(&r->mass, f->grams)))
		return false;
	if (r->channels && !(r->channels & bit(c->channel)))
		return false;
	if (r->models && !(r->models & bit(c->business_model)))
		return false;
	if (r->categories && !(r->categories & bit(c->category)))
		return false;
	if (r->modes && !(c->transport.present && (r->modes & bit(c->transport.mode))))
		return false;
	if (r->schemes) {
		unsigned s = c->tax_collected.present ? c->tax_collected.scheme : 0;
		if (!(r->schemes & bit(s)))
			return false;
	}
	for (int role = 1; role < MLV_RISK_ROLE_COUNT; role++) {
		if (r->nparty[role] == 0)
			continue;
		if (!party_ok(r, f, role))
			return false;
		if (ctx->role == 0)
			ctx->role = role;
	}
	if (r->watch) {
		int hit = 0;
		for (int role = 1; role < MLV_RISK_ROLE_COUNT && !hit; role++)
			if ((r->watch & (1u << role)) && f->watch[role] != NULL)
				hit = role;
		if (!hit)
			return false;
		ctx->role = hit;
	}
	if (r->mismatch && !(in->mismatch & r->mismatch))
		return false;
	if (r->quality_min >= 0 && (in->quality < 0 || in->quality < r->quality_min))
		return false;
	if (r->quality_max >= 0 && (in->quality < 0 || in->quality > r->quality_max))
		return false;
	if ((r->lead.has_lo || r->lead.has_hi) && (!in->lead_known || !in_range(&r->lead, in->lead_hours)))
		return false;
	if (r->aeo == 1 && in->aeo != 1)
		return false;
	if (r->aeo == -1 && in->aeo != 0)
		return false;
	if (r->split && !(in->split != NULL && in->split->split))
		return false;
	return opscore_ok(r, f, ctx);
}

/* strncmp(s, prefix, strlen(prefix)) == 0 in one pass. */
static bool has_prefix(const char *s, const char *prefix)
{
	for (; *prefix != '\0'; s++, prefix++)
		if (*s != *prefix)
			return false;
	return true;
}

static bool item_ok(const risk_rule *r, const facts *f, size_t i, bool goods, hit_ctx *ctx)
{
	const mlv_item *it = &f->c->items[i];
	const item_facts *x = &f->items[i];
	if (r->nhs) {
		bool ok = false;
		for (size_t k = 0; k < r->nhs && !ok; k++)
			ok = has_prefix(it->hs_code, r->hs[k]);
		if (!ok)
			return false;
	}
	const uint32_t *ph = goods ? at(f->gph, x->gph) : at(f->ph, x->ph);
	size_t nph = goods ? x->ngph : x->nph;
	const char *word = NULL;
	if (r->nwords) {
		long k = intersect(r->words, r->nwords, ph, nph);
		if (k < 0)
			return false;
		word = r->word_text[k];
	}
	if (r->nnot && intersect(r->not_words, r->nnot, ph, nph) >= 0)
		return false;
	if (r->norigins && (x->origin == RISK_NO_COUNTRY || !has_u16(r->origins, r->norigins, x->origin)))
		return false;
	if ((r->item_value.has_lo || r->item_value.has_hi) &&
	    (!x->value_known || !money_in(r, f, &r->item_value, x->value)))
		return false;
	if ((r->unit_value.has_lo || r->unit_value.has_hi) &&
	    (!x->value_known || x->qty == 0 || !ratio_in(r, f, &r->unit_value, x->value, x->qty)))
		return false;
	if ((r->value_per_kg.has_lo || r->value_per_kg.has_hi) &&
	    (!x->value_known || x->grams == 0 ||
	     !ratio_in(r, f, &r->value_per_kg, x->value, x->grams)))
		return false;
	if (r->gtin == 1 && it->gtin == NULL)
		return false;
	if (r->gtin == -1 && it->gtin != NULL)
		return false;
	if (r->brand == 1 && it->brand == NULL)
		return false;
	if (r->brand == -1 && it->brand != NULL)
		return false;
	if (r->undervalued && !(x->ref_known && x->below >= (double)r->undervalued))
		return false;
	ctx->item = (long)i;
	ctx->word = word;
	return true;
}

/* ---- explanations ----------------------------------------------------------------------- */

typedef struct pending {
	const risk_rule *r;
	hit_ctx ctx;
	mlv_risk_lane lane;
	bool permit;
	bool goods;
} pending;

typedef struct out_text {
	char *p;
	size_t n, size;
} out_text;

/* Appends s[0..n), cut at a code point boundary when full. */
static void put(out_text *o, const char *s, size_t n)
{
	size_t room = o->size - 1 - o->n;
	if (n > room) {
		n = room;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(o->p + o->n, s, n);
	o->n += n;
	o->p[o->n] = '\0';
}

static void puts_(out_text *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_money(out_text *o, const facts *f, int64_t v)
{
	char d[48];
	mlv_decimal_format(v, f->minor, d, sizeof(d));
	puts_(o, d);
	put(o, " ", 1);
	puts_(o, f->currency);
}

static void put_stat(out_text *o, const facts *f, double minor_per)
{
	/* A statistic in minor units shown in major units: display only. */
	char b[64];
	double major = minor_per;
	int mu = mlv_currency_minor_units(f->rd, mlv_risk_refvalues_currency(f->in->refvalues));
	for (int i = 0; i < (mu < 0 ? 2 : mu); i++)
		major /= 10.0;
	snprintf(b, sizeof(b), "%.2f %s%s", major, mlv_risk_refvalues_currency(f->in->refvalues),
		 mlv_risk_refvalues_basis(f->in->refvalues) == MLV_RISK_UV_PER_KG ? "/kg" : "/unit");
	puts_(o, b);
}

/* "8517.13.00": dots after the heading and the subheading. */
static void put_hs(out_text *o, const char *hs, size_t max)
{
	size_t n = strlen(hs);
	if (n > max)
		n = max;
	if (n <= 4) {
		put(o, hs, n);
		return;
	}
	put(o, hs, 4);
	put(o, ".", 1);
	put(o, hs + 4, n < 6 ? n - 4 : 2);
	if (n > 6) {
		put(o, ".", 1);
		put(o, hs + 6, n - 6);
	}
}

static void put_or(out_text *o, const char *s, const char *dflt)
{
	puts_(o, s && s[0] ? s : dflt);
}

static void put_int(out_text *o, int64_t v)
{
	char b[24];
	size_t n = sizeof(b);
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do {
		b[--n] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		b[--n] = '-';
	put(o, b + n, sizeof(b) - n);
}

static void put_date(out_text *o, int32_t day)
{
	char b[11];
	mlv_date_format(day, b);
	puts_(o, b);
}

static const char *party_name(const facts *f, int role)
{
	if (role <= 0 || role >= MLV_RISK_ROLE_COUNT)
		return NULL;
	return f->pname[role] ? f->pname[role] : f->pid[role];
}

static void placeholder(out_text *o, const char *name, size_t n, const pending *h, const facts *f)
{
	const mlv_consignment *c = f->c;
	const mlv_risk_input *in = f->in;
	const risk_rule *r = h->r;
	long i = h->ctx.item;
	const mlv_item *it = i >= 0 ? &c->items[i] : NULL;
	const item_facts *x = i >= 0 ? &f->items[i] : NULL;
	const mlv_risk_watch_entry *w = h->ctx.role > 0 ? f->watch[h->ctx.role] : NULL;
	/* The length first: most names are told apart without reading them,
	 * and the compiler turns each comparison with a literal into a few
	 * word compares (a strcmp of a copy, per name, was most of a hit's
	 * rendering for names late in this list). */
#define IS(s) (n == sizeof(s) - 1 && memcmp(name, (s), sizeof(s) - 1) == 0)
	if (IS("item")) {
		if (i >= 0)
			put_int(o, i + 1);
	} else if (IS("desc")) {
		char b[84];
		const char *d = it && it->description ? it->description : "";
		size_t dl = strlen(d);
		if (dl > 80) {
			size_t cut = 77;
			while (cut > 0 && ((unsigned char)d[cut] & 0xC0) == 0x80)
				cut--;
			snprintf(b, sizeof(b), "%.*s...", (int)cut, d);
			puts_(o, b);
		} else {
			puts_(o, d);
		}
	} else if (IS("hs") || IS("hs6")) {
		if (it && it->hs_code[0])
			put_hs(o, it->hs_code, IS("hs6") ? 6 : 10);
		else
			puts_(o, "unknown");
	} else if (IS("origin")) {
		put_or(o, it ? it->origin_country : NULL, "unknown");
	} else if (IS("brand")) {
		put_or(o, it ? it->brand : NULL, "none");
	} else if (IS("gtin")) {
		put_or(o, it ? it->gtin : NULL, "none");
	} else if (IS("word")) {
		put_or(o, h->ctx.word, "");
	} else if (IS("value")) {
		if (x && x->value_known)
			put_money(o, f, x->value);
		else
			puts_(o, "unknown");
	} else if (IS("unit_value")) {
		if (x && x->value_known && x->qty > 0)
			put_money(o, f, (int64_t)(((i128)x->value * 1000 + x->qty / 2) / x->qty));
		else
			puts_(o, "unknown");
	} else if (IS("value_per_kg")) {
		if (x && x->value_known && x->grams > 0) {
			put_money(o, f, (int64_t)(((i128)x->value * 1000 + x->grams / 2) / x->grams));
			puts_(o, "/kg");
		} else {
			puts_(o, "unknown");
		}
	} else if (IS("uv") || IS("reference")) {
		if (x && x->ref_known)
			put_stat(o, f, IS("uv") ? x->uv : x->ref.median);
		else
			puts_(o, "unknown");
	} else if (IS("below")) {
		char b[16];
		snprintf(b, sizeof(b), "%.0f%%", x && x->ref_known ? x->below : 0.0);
		puts_(o, b);
	} else if (IS("z")) {
		char b[24];
		snprintf(b, sizeof(b), "%.1f", x && x->ref_known ? x->z : 0.0);
		puts_(o, b);
	} else if (IS("samples")) {
		put_int(o, x && x->ref_known ? (int64_t)x->ref.samples : 0);
	} else if (IS("total")) {
		if (f->value_known)
			put_money(o, f, f->value);
		else
			puts_(o, "unknown");
	} else if (IS("weight")) {
		char d[48];
		if (f->weight_known) {
			mlv_decimal_format(f->grams, 3, d, sizeof(d));
			puts_(o, d);
			puts_(o, " kg");
		} else {
			puts_(o, "unknown");
		}
	} else if (IS("departure")) {
		put_or(o, c->transport.departure_country, "unknown");
	} else if (IS("destination")) {
		put_or(o, f->dest_cc, "unknown");
	} else if (IS("route")) {
		put_or(o, c->transport.departure_country, "?");
		puts_(o, "->");
		put_or(o, f->dest_cc, "?");
	} else if (IS("channel")) {
		put_or(o, mlv_channel_name(c->channel), "unknown");
	} else if (IS("business_model")) {
		put_or(o, mlv_business_model_name(c->business_model), "unknown");
	} else if (IS("category")) {
		put_or(o, mlv_category_name(c->category), "unknown");
	} else if (IS("transport_mode")) {
		put_or(o, enum_word("transport", "mode", c->transport.mode), "unknown");
	} else if (IS("scheme")) {
		put_or(o, c->tax_collected.present
				  ? enum_word("tax_collected", "scheme", c->tax_collected.scheme)
				  : NULL,
		       "none");
	} else if (IS("seller") || IS("platform") || IS("carrier") || IS("intermediary") ||
		   IS("filer")) {
		int role = IS("seller") ? 1 : IS("platform") ? 2 : IS("carrier") ? 3
			 : IS("intermediary") ? 4 : 5;
		put_or(o, party_name(f, role), "unknown");
	} else if (IS("party")) {
		put_or(o, party_name(f, h->ctx.role), "unknown");
	} else if (IS("role")) {
		puts_(o, h->ctx.role > 0 ? mlv_risk_role_name((mlv_risk_role)h->ctx.role) : "");
	} else if (IS("watch_reason")) {
		put_or(o, w ? w->reason : NULL, "");
	} else if (IS("watch_until")) {
		if (w)
			put_date(o, w->expires);
	} else if (IS("watch_match")) {
		puts_(o, w ? mlv_risk_match_name(f->watch_how[h->ctx.role]) : "");
	} else if (IS("watch_source")) {
		put_or(o, w ? w->source : NULL, "");
	} else if (IS("quality")) {
		if (in->quality >= 0)
			put_int(o, in->quality);
		else
			puts_(o, "unknown");
	} else if (IS("lead_hours")) {
		if (in->lead_known)
			put_int(o, in->lead_hours);
		else
			puts_(o, "unknown");
	} else if (IS("mismatch")) {
		static const char *const kinds[] = {"value", "payment", "quantity", "weight",
						    "description", "party"};
		bool first = true;
		for (unsigned b = 0; b < 6; b++) {
			if (!(in->mismatch & r->mismatch & (1u << b)))
				continue;
			if (!first)
				puts_(o, ", ");
			puts_(o, kinds[b]);
			first = false;
		}
	} else if (IS("split_count")) {
		put_int(o, in->split ? (int64_t)in->split->count : 0);
	} else if (IS("split_total")) {
		put_money(o, f, in->split ? in->split->total : 0);
	} else if (IS("split_threshold")) {
		put_money(o, f, in->split ? in->split->threshold : 0);
	} else if (IS("split_hours")) {
		put_int(o, in->split ? in->split->window_s / 3600 : 0);
	} else if (IS("operator_score")) {
		put_int(o, h->ctx.opscore >= 0 ? h->ctx.opscore : in->operator_score);
	} else if (IS("aeo")) {
		puts_(o, in->aeo == 1 ? "yes" : in->aeo == 0 ? "no" : "unknown");
	} else if (IS("agency")) {
		put_or(o, r->agency, "");
	} else if (IS("permit")) {
		put_or(o, r->permit, "");
	} else if (IS("id")) {
		puts_(o, r->id);
	} else if (IS("list")) {
		if (h->goods && f->in->goods)
			puts_(o, f->in->goods->lists[r->list].country);
	} else if (IS("currency")) {
		puts_(o, f->currency);
	}
#undef IS
}

static void render(char *dst, size_t size, const pending *h, const facts *f)
{
	out_text o = {dst, 0, size};
	dst[0] = '\0';
	const char *s = h->r->explain;
	while (*s) {
		const char *br = strchr(s, '{');
		if (br == NULL) {
			puts_(&o, s);
			break;
		}
		put(&o, s, (size_t)(br - s));
		const char *e = strchr(br, '}');
		if (e == NULL) /* the loader refuses this; be safe anyway */
			break;
		placeholder(&o, br + 1, (size_t)(e - br - 1), h, f);
		s = e + 1;
	}
}

/* ---- the assessment ------------------------------------------------------------------ */

/* Insertion sort: candidate groups are a handful of entries. */
static void sort_small(uint64_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		uint64_t x = v[i];
		size_t j = i;
		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* Puts each rule's candidates next to each other, items ascending within
 * a rule, in O(n): a hash table numbers the rules in order of first
 * appearance, a counting sort places the candidates, and each group is
 * then sorted alone.  (A comparison sort of the whole list was half the
 * assessment with 10,000 rules.)  Groups come in first-appearance order,
 * which is free: the hits are sorted afterwards.  MLV_ENOMEM. */
static int group_by_rule(cands *cs)
{
	size_t n = cs->n;
	if (n <= 16) {
		sort_small(cs->v, n);
		return 0;
	}
	size_t cap = 64;
	while (cap < 2 * n)
		cap <<= 1;
	/* keys[cap] | ids[cap] | gid[n] | start[n + 1] as uint32_t, then out[n] */
	size_t words = 2 * cap + 2 * n + 1;
	words += words & 1;
	size_t size = words * sizeof(uint32_t) + n * sizeof(uint64_t);
	if (size > cs->scratch_size) {
		void *p = realloc(cs->scratch, size);
		if (p == NULL)
			return MLV_ENOMEM;
		cs->scratch = p;
		cs->scratch_size = size;
	}
	uint32_t *mem = cs->scratch;
	uint32_t *keys = mem, *ids = mem + cap, *gid = ids + cap, *start = gid + n;
	uint64_t *out = (uint64_t *)(void *)(mem + words);
	memset(keys, 0xFF, cap * sizeof(uint32_t));
	memset(start, 0, (n + 1) * sizeof(uint32_t));
	uint32_t groups = 0;
	for (size_t k = 0; k < n; k++) {
		uint32_t rule = (uint32_t)(cs->v[k] >> 32);
		size_t h = (rule * 0x9E3779B1u) & (cap - 1);
		while (keys[h] != UINT32_MAX && keys[h] != rule)
			h = (h + 1) & (cap - 1);
		if (keys[h] == UINT32_MAX) {
			keys[h] = rule;
			ids[h] = groups++;
		}
		gid[k] = ids[h];
		start[gid[k] + 1]++;
	}
	for (uint32_t g = 0; g < groups; g++)
		start[g + 1] += start[g];
	for (size_t k = 0; k < n; k++)
		out[start[gid[k]]++] = cs->v[k];
	/* start[g] is now the end of group g */
	for (uint32_t g = 0, from = 0; g < groups; g++) {
		sort_small(out + from, start[g] - from);
		from = start[g];
	}
	memcpy(cs->v, out, n * sizeof(uint64_t));
	return 0;
}

typedef struct pendings {
	pending *v;
	size_t n, cap;
} pendings;

static int pend_add(pendings *ps, const pending *p)
{
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 16;
		pending *nv = realloc(ps->v, cap * sizeof(*nv));
		if (nv == NULL)
			return MLV_ENOMEM;
		ps->v = nv;
		ps->cap = cap;
	}
	ps->v[ps->n++] = *p;
	return 0;
}

/* Evaluates the candidates of one rule set; appends hits. */
static int evaluate(const risk_set *s, cands *cs, const facts *f, bool goods, pendings *out)
{
	const mlv_risk_profile *prof = f->prof;
	int rc;
	if ((rc = group_by_rule(cs)) != 0)
		return rc;
	for (size_t a = 0; a < cs->n;) {
		uint32_t rule = (uint32_t)(cs->v[a] >> 32);
		size_t b = a;
		while (b < cs->n && (uint32_t)(cs->v[b] >> 32) == rule)
			b++;
		const risk_rule *r = &s->rules[rule];
		hit_ctx ctx = {-1, NULL, 0, -1};
		bool hit = false;
		if (goods && !f->list_applies[r->list]) {
			a = b;
			continue;
		}
		if (consignment_ok(r, f, &ctx)) {
			if (!r->item_level) {
				hit = true;
			} else if ((cs->v[a] & 0xFFFFFFFFu) == 0) {
				/* anchored on the consignment: any item may satisfy it */
				for (size_t i = 0; i < f->c->item_count && !hit; i++)
					hit = item_ok(r, f, i, goods, &ctx);
			} else {
				for (size_t k = a; k < b && !hit; k++) {
					uint64_t item = cs->v[k] & 0xFFFFFFFFu;
					if (k > a && item == (cs->v[k - 1] & 0xFFFFFFFFu))
						continue;
					hit = item_ok(r, f, (size_t)(item - 1), goods, &ctx);
				}
			}
		}
		if (hit) {
			pending p = {r, ctx, (mlv_risk_lane)r->lane, false, goods};
			if (r->kind == MLV_RISK_HIT_PROHIBITED) {
				p.lane = (mlv_risk_lane)prof->prohibited_lane;
			} else if (r->kind == MLV_RISK_HIT_RESTRICTED) {
				p.permit = (f->docs & r->documents) != 0;
				p.lane = p.permit ? MLV_RISK_YELLOW
						  : (mlv_risk_lane)prof->restricted_lane;
			}
			if ((rc = pend_add(out, &p)) != 0)
				return rc;
		}
		a = b;
	}
	return 0;
}

static int cmp_pending(const void *a, const void *b)
{
	const pending *x = a, *y = b;
	if (x->lane != y->lane)
		return x->lane > y->lane ? -1 : 1;
	if (x->r->weight != y->r->weight)
		return x->r->weight > y->r->weight ? -1 : 1;
	int c = strcmp(x->r->id, y->r->id);
	if (c != 0)
		return c;
	return x->ctx.item < y->ctx.item ? -1 : x->ctx.item > y->ctx.item;
}

/* The hits, strongest first: a (stable) insertion sort for the few hits
 * of most consignments, where qsort spent its time copying entries
 * through memcpy; qsort for more. */
static void sort_pending(pending *v, size_t n)
{
	if (n > 16) {
		qsort(v, n, sizeof(*v), cmp_pending);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		pending x = v[i];
		size_t j = i;
		for (; j > 0 && cmp_pending(&v[j - 1], &x) > 0; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* ---- AEO (risk.h, "AEO"; operators.h decides who is recognised) ---------------------- */

/* Applies a recognised AEO's factor to the score unless `shield` names a hit
 * that keeps its full weight; records and explains what happened.  Returns
 * the score to use.  Lane floors are applied by the caller afterwards, so
 * a floor is never lowered. */
static int64_t aeo_effect(mlv_risk_assessment *out, const mlv_risk_aeo *aeo, int64_t score,
			  const char *shield)
{
	out->aeo_factor_percent = 100;
	out->score_before_aeo = (int)score;
	if (aeo == NULL || (aeo->certificate[0] == '\0' && !aeo->recognised))
		return score;
	unsigned pct = aeo->factor_percent < 1 ? 1 : aeo->factor_percent > 100 ? 100
					    : aeo->factor_percent;
	char who[120], factor[16];
	snprintf(who, sizeof(who), "%s is AEO (%s, %s, issued by %s)",
		 aeo->party[0] ? aeo->party : "filer", aeo->type[0] ? aeo->type : "?",
		 aeo->certificate[0] ? aeo->certificate : "no certificate number",
		 aeo->country[0] ? aeo->country : "?");
	snprintf(factor, sizeof(factor), "%u.%02u", pct / 100, pct % 100);
	if (!aeo->recognised) {
		snprintf(out->aeo_explanation, sizeof(out->aeo_explanation),
			 "%s, not recognised: %.120s; risk \u00d71.00", who, aeo->basis);
		return score;
	}
	out->aeo = true;
	if (shield != NULL) {
		snprintf(out->aeo_explanation, sizeof(out->aeo_explanation),
			 "%s, recognised (%.120s); %s keeps the full score %lld", who, aeo->basis, shield,
			 (long long)score);
		return score;
	}
	int64_t lowered = score * (int64_t)pct / 100;
	out->aeo_applied = pct < 100;
	out->aeo_factor_percent = pct;
	snprintf(out->aeo_explanation, sizeof(out->aeo_explanation),
		 "%s, recognised (%.120s); risk \u00d7%s: score %lld \u2192 %lld", who, aeo->basis, factor,
		 (long long)score, (long long)lowered);
	return lowered;
}

void mlv_risk_assessment_clear(mlv_risk_assessment *a)
{
	if (a == NULL)
		return;
	free(a->hits);
	memset(a, 0, sizeof(*a));
}

int mlv_risk_assess(mlv_risk_assessment *out, const mlv_risk_profile *p,
		    const mlv_consignment *c, const mlv_risk_input *in, const mlv_refdata *rd)
{
	int rc = 0;
	mlv_arena *arena = NULL;
	cands cs = {NULL, 0, 0, NULL, 0};
	pendings ps = {NULL, 0, 0};
	facts f;
	memset(out, 0, sizeof(*out));
	memset(&f, 0, sizeof(f));
	copy_str(out->profile_id, sizeof(out->profile_id), p->id);
	out->profile_version = p->version;
	out->random_ppm = p->random_ppm;
	const mlv_risk_goods *goods = in->goods;
	if (goods != NULL && !goods->set.compiled)
		return MLV_EINVALID;

	arena = mlv_arena_new(8192);
	if (arena == NULL)
		return MLV_ENOMEM;
	f.c = c;
	f.in = in;
	f.rd = rd;
	f.prof = p;
	f.currency = p->currency;
	f.minor = p->minor;
	if ((rc = gather(&f, arena, goods)) != 0)
		goto cleanup;

	if ((rc = collect(&cs, &p->set, &f, false)) != 0 ||
	    (rc = evaluate(&p->set, &cs, &f, false, &ps)) != 0)
		goto cleanup;
	if (goods != NULL) {
		cs.n = 0;
		if ((rc = collect(&cs, &goods->set, &f, true)) != 0 ||
		    (rc = evaluate(&goods->set, &cs, &f, true, &ps)) != 0)
			goto cleanup;
	}

	/* Score, lane floors, the AEO factor, then the draw. */
	int64_t score = 0;
	mlv_risk_lane floor = MLV_RISK_GREEN;
	const char *shield = NULL; /* a hit the AEO factor may not soften */
	for (size_t i = 0; i < ps.n; i++) {
		score += ps.v[i].r->weight;
		if (ps.v[i].lane > floor)
			floor = ps.v[i].lane;
		if (ps.v[i].r->kind == MLV_RISK_HIT_PROHIBITED)
			out->prohibited = true;
		if (ps.v[i].r->kind == MLV_RISK_HIT_RESTRICTED)
			out->restricted = true;
		if (ps.v[i].r->watch != 0)
			shield = "a watch-list hit";
	}
	if (score < 0)
		score = 0;
	if (score > 1000000)
		score = 1000000;
	if (shield == NULL && out->prohibited)
		shield = "a prohibited-goods hit";
	if (shield == NULL && out->restricted)
		shield = "a restricted-goods hit";
	score = aeo_effect(out, in->aeo_status, score, shield);
	out->score = (int)score;
	out->score_lane = score >= p->hold	 ? MLV_RISK_HOLD
			  : score >= p->red	 ? MLV_RISK_RED
			  : score >= p->yellow ? MLV_RISK_YELLOW
					       : MLV_RISK_GREEN;
	out->lane = out->score_lane > floor ? out->score_lane : floor;
	if (out->prohibited && out->lane < MLV_RISK_RED)
		out->lane = MLV_RISK_RED; /* never green, whatever the profile says */
	if (out->lane == MLV_RISK_GREEN && p->random_ppm > 0) {
		char ident[256];
		const char *id = in->identity;
		if (id == NULL) {
			snprintf(ident, sizeof(ident), "%s/%s", in->filer ? in->filer : "",
				 c->lrn ? c->lrn : "");
			id = ident;
		}
		if (mlv_risk_random_draw(in->random_key, id, strlen(id), p->random_ppm)) {
			out->random = true;
			out->lane = (mlv_risk_lane)p->random_lane;
		}
	}

	/* The explanation: strongest hits first. */
	if (ps.n > 1)
		sort_pending(ps.v, ps.n);
	size_t keep = ps.n < MLV_RISK_MAX_HITS ? ps.n : MLV_RISK_MAX_HITS;
	out->hits_dropped = ps.n - keep;
	if (keep > 0) {
		out->hits = malloc(keep * sizeof(*out->hits));
		if (out->hits == NULL) {
			rc = MLV_ENOMEM;
			goto cleanup;
		}
	}
	for (size_t i = 0; i < keep; i++) {
		const pending *h = &ps.v[i];
		mlv_risk_hit *o = &out->hits[i];
		/* Everything but the explanation, which render() writes and ends
		 * with a NUL: clearing its 320 bytes for each hit cost more than
		 * rendering it. */
		memset(o, 0, offsetof(mlv_risk_hit, explanation));
		o->kind = (mlv_risk_hit_kind)h->r->kind;
		size_t idn = strnlen(h->r->id, sizeof(o->rule_id) - 1);
		memcpy(o->rule_id, h->r->id, idn); /* the rest is the zeros above */
		o->version = h->r->version;
		o->weight = h->r->weight;
		o->lane = h->lane;
		o->item = h->ctx.item;
		if (h->goods) {
			copy_str(o->list, sizeof(o->list), goods->lists[h->r->list].country);
			o->agency = h->r->agency;
			o->permit = h->r->permit;
			o->basis = h->r->basis;
			o->permit_present = h->permit;
		}
		render(o->explanation, sizeof(o->explanation), h, &f);
	}
	out->hit_count = keep;
cleanup:
	free(cs.v);
	free(cs.scratch);
	free(ps.v);
	free(f.ph);
	free(f.gph);
	mlv_arena_free(arena);
	return rc;
}

/* ---- JSON ------------------------------------------------------------------------------ */

static int json_str(mlv_buf *b, const char *s)
{
	return s ? mlv_buf_add_json_string(b, s, strlen(s)) : mlv_buf_adds(b, "null");
}

/* ,"aeo":{...}: the AEO effect and its explanation. */
static int aeo_json(mlv_buf *b, const mlv_risk_assessment *a)
{
	int rc = mlv_buf_printf(b,
				",\"aeo\":{\"recognised\":%s,\"applied\":%s,\"factor\":\"%u.%02u\","
				"\"score_before\":%d,\"explanation\":",
				a->aeo ? "true" : "false", a->aeo_applied ? "true" : "false",
				a->aeo_factor_percent / 100, a->aeo_factor_percent % 100,
				a->score_before_aeo);
	if (rc == 0)
		rc = json_str(b, a->aeo_explanation);
	return rc ? rc : mlv_buf_addc(b, '}');
}

int mlv_risk_assessment_write_json(mlv_buf *b, const mlv_risk_assessment *a)
{
	int rc;
	char rate[32];
	mlv_decimal_format(a->random_ppm, 4, rate, sizeof(rate));
	if ((rc = mlv_buf_adds(b, "{\"profile\":{\"id\":")) != 0 ||
	    (rc = json_str(b, a->profile_id)) != 0 ||
	    (rc = mlv_buf_printf(b,
				 ",\"version\":%" PRId64 "},\"score\":%d,\"lane\":\"%s\","
				 "\"score_lane\":\"%s\",\"random\":%s,\"random_rate\":\"%s\","
				 "\"prohibited\":%s,\"restricted\":%s,\"hits\":[",
				 a->profile_version, a->score, mlv_risk_lane_name(a->lane),
				 mlv_risk_lane_name(a->score_lane), a->random ? "true" : "false",
				 rate, a->prohibited ? "true" : "false",
				 a->restricted ? "true" : "false")) != 0)
		return rc;
	static const char *const kinds[] = {"", "rule", "prohibited", "restricted"};
	for (size_t i = 0; i < a->hit_count; i++) {
		const mlv_risk_hit *h = &a->hits[i];
		char ptr[32] = "";
		if (h->item >= 0)
			snprintf(ptr, sizeof(ptr), "/items/%ld", h->item);
		if ((rc = mlv_buf_printf(b, "%s{\"kind\":\"%s\",\"rule\":", i ? "," : "",
					 (unsigned)h->kind < 4 ? kinds[h->kind] : "")) != 0 ||
		    (rc = json_str(b, h->rule_id)) != 0 ||
		    (rc = mlv_buf_printf(b, ",\"version\":%" PRId64 ",\"weight\":%d,\"lane\":",
					 h->version, h->weight)) != 0 ||
		    (rc = json_str(b, h->lane ? mlv_risk_lane_name(h->lane) : NULL)) != 0 ||
		    (rc = mlv_buf_adds(b, ",\"pointer\":")) != 0 ||
		    (rc = json_str(b, h->item >= 0 ? ptr : NULL)) != 0 ||
		    (rc = mlv_buf_adds(b, ",\"explanation\":")) != 0 ||
		    (rc = json_str(b, h->explanation)) != 0)
			return rc;
		if (h->kind != MLV_RISK_HIT_RULE) {
			if ((rc = mlv_buf_adds(b, ",\"list\":")) != 0 ||
			    (rc = json_str(b, h->list)) != 0 ||
			    (rc = mlv_buf_adds(b, ",\"agency\":")) != 0 ||
			    (rc = json_str(b, h->agency)) != 0 ||
			    (rc = mlv_buf_adds(b, ",\"permit\":")) != 0 ||
			    (rc = json_str(b, h->permit)) != 0 ||
			    (rc = mlv_buf_printf(b, ",\"permit_present\":%s,\"basis\":",
						 h->permit_present ? "true" : "false")) != 0 ||
			    (rc = json_str(b, h->basis)) != 0)
				return rc;
		}
		if ((rc = mlv_buf_addc(b, '}')) != 0)
			return rc;
	}
	if ((rc = mlv_buf_printf(b, "],\"hits_dropped\":%zu", a->hits_dropped)) != 0)
		return rc;
	if (a->aeo_explanation[0] != '\0')
		rc = aeo_json(b, a);
	return rc ? rc : mlv_buf_addc(b, '}');
}
