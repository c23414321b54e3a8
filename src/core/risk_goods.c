/* risk_goods.c - reading the prohibited and restricted goods lists as
 * published facts: an entry by position, and the entries that concern one
 * HS code at one destination (risk.h, "reading the goods lists").
 *
 * Read-only over a compiled mlv_risk_goods (risk_impl.h): nothing here
 * changes the lists, so it is safe beside assessments on any thread.  The
 * assessment (risk.c) decides whether a consignment hits an entry; this
 * file answers which entries a person should know of before shipping. */
#include <stdlib.h>
#include <string.h>

#include "mlv/fold.h"
#include "risk_impl.h"

#define DESCRIPTION_MAX 4096

static void to_entry(const mlv_risk_goods *g, const risk_rule *r, mlv_risk_goods_entry *out)
{
	const risk_goods_list *l = &g->lists[r->list];
	memset(out, 0, sizeof(*out));
	out->id = r->id;
	out->kind = (mlv_risk_hit_kind)r->kind;
	out->list = l->country;
	out->list_name = l->name != NULL ? l->name : l->country;
	out->agency = r->agency;
	out->permit = r->permit;
	out->basis = r->basis;
	out->explain = r->explain;
	out->hs = r->hs;
	out->hs_count = r->nhs;
	out->words = r->word_text;
	out->word_count = r->nwords;
	out->channels = r->channels;
	out->other_criteria = r->norigins || r->ndepartures || r->nroutes ||
			      r->item_value.has_lo || r->item_value.has_hi || r->unit_value.has_lo ||
			      r->unit_value.has_hi || r->value_per_kg.has_lo ||
			      r->value_per_kg.has_hi || r->gtin || r->brand || r->value.has_lo ||
			      r->value.has_hi || r->mass.has_lo || r->mass.has_hi || r->models ||
			      r->categories || r->modes || r->schemes;
	out->enabled = r->enabled;
}

int mlv_risk_goods_entry_at(const mlv_risk_goods *g, size_t i, mlv_risk_goods_entry *out)
{
	if (g == NULL || i >= g->set.nrules)
		return MLV_ENOTFOUND;
	to_entry(g, &g->set.rules[i], out);
	return 0;
}

static bool list_applies(const risk_goods_list *l, const char *country)
{
	if (strcmp(l->country, country) == 0)
		return true;
	uint16_t key = risk_country_key(country);
	for (size_t m = 0; m < l->nmembers; m++)
		if (l->members[m] == key)
			return true;
	return false;
}

static int id_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Index in sorted ids[] of the first of sorted want[] found, or -1. */
static long first_common(const uint32_t *want, size_t nw, const uint32_t *ids, size_t n)
{
	size_t i = 0, j = 0;
	while (i < nw && j < n) {
		if (want[i] == ids[j])
			return (long)i;
		if (want[i] < ids[j])
			i++;
		else
			j++;
	}
	return -1;
}

int mlv_risk_goods_for_code(const mlv_risk_goods *g, const char *country, const char *hs,
			    const char *description,
			    int (*fn)(void *ctx, const mlv_risk_goods_entry *e,
				      mlv_risk_goods_match how, const char *word),
			    void *ctx)
{
	size_t hl = hs != NULL ? strlen(hs) : 0;
	if (g == NULL || !g->set.compiled || country == NULL || hl < 2 || hl > 10 ||
	    strspn(hs, "0123456789") != hl)
		return MLV_EINVALID;
	/* the phrases of the description, as the assessment finds them in an
	 * item's: folded, between spaces, sorted and unique */
	uint32_t *ids = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	if (description != NULL && description[0] != '\0') {
		size_t dl = strnlen(description, DESCRIPTION_MAX);
		char *text = malloc(dl + 3);
		if (text == NULL)
			return MLV_ENOMEM;
		text[0] = ' ';
		size_t o = 1 + mlv_fold(text + 1, dl + 1, description, dl);
		text[o++] = ' ';
		text[o] = '\0';
		rc = mlv_risk_ac_scan(&g->set.idx, text, o, &ids, &n, &cap);
		free(text);
		if (rc != 0)
			goto cleanup;
		if (n > 1)
			qsort(ids, n, sizeof(*ids), id_cmp);
		size_t u = 0;
		for (size_t i = 0; i < n; i++)
			if (u == 0 || ids[u - 1] != ids[i])
				ids[u++] = ids[i];
		n = u;
	}
	for (size_t i = 0; i < g->set.nrules && rc == 0; i++) {
		const risk_rule *r = &g->set.rules[i];
		if (!r->enabled || !list_applies(&g->lists[r->list], country))
			continue;
		mlv_risk_goods_match how = 0;
		const char *word = NULL;
		for (size_t k = 0; k < r->nhs && how != MLV_RISK_MATCH_HS; k++) {
			size_t pl = strlen(r->hs[k]);
			if (pl <= hl && memcmp(hs, r->hs[k], pl) == 0)
				how = MLV_RISK_MATCH_HS;
			else if (pl > hl && memcmp(hs, r->hs[k], hl) == 0)
				how = MLV_RISK_MATCH_WITHIN;
		}
		if (r->nhs == 0 && r->nwords > 0 && n > 0) {
			long k = first_common(r->words, r->nwords, ids, n);
			if (k >= 0 && (r->nnot == 0 || first_common(r->not_words, r->nnot, ids, n) < 0)) {
				how = MLV_RISK_MATCH_WORDS;
				word = r->word_text[k];
			}
		}
		if (how == 0)
			continue;
		mlv_risk_goods_entry e;
		to_entry(g, r, &e);
		rc = fn(ctx, &e, how, word);
	}
cleanup:
	free(ids);
	return rc;
}
