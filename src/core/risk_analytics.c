/* risk_analytics.c - the analytics of the risk engine and its feedback
 * loop (risk.h; FoS Standard 5, TS 2.5.2, review proposals 11 and 28).
 *
 * Pure functions over data the caller passes in: the store selects the
 * history, these compute.  Statistics are doubles (medians, deviations,
 * rates); money stays int64 minor units.  Operator scores come from
 * operators' results only: nothing here takes or returns anything about
 * a consumer, and the split check never sees the buyer's key. */
#include "mlv/risk.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlv/decimal.h"
#include "mlv/fold.h"
#include "mlv/refdata.h"
#include "risk_impl.h"

__extension__ typedef __int128 i128;

/* ---- reference unit values ---------------------------------------------------- */

typedef struct ref_group {
	char hs6[7];
	char origin[3]; /* "*" for all origins */
	double median, mad;
	size_t samples;
} ref_group;

struct mlv_risk_refvalues {
	char currency[4];
	mlv_risk_uv_basis basis;
	size_t min_samples;
	ref_group *g;
	size_t n;
};

typedef struct uv_rec {
	char hs6[7];
	char origin[3];
	double uv;
} uv_rec;

static int cmp_rec_origin(const void *a, const void *b)
{
	const uv_rec *x = a, *y = b;
	int c = strcmp(x->hs6, y->hs6);
	if (c == 0)
		c = strcmp(x->origin, y->origin);
	if (c == 0)
		c = x->uv < y->uv ? -1 : x->uv > y->uv;
	return c;
}

static int cmp_rec_all(const void *a, const void *b)
{
	const uv_rec *x = a, *y = b;
	int c = strcmp(x->hs6, y->hs6);
	if (c == 0)
		c = x->uv < y->uv ? -1 : x->uv > y->uv;
	return c;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int cmp_group(const void *a, const void *b)
{
	const ref_group *x = a, *y = b;
	int c = strcmp(x->hs6, y->hs6);
	return c ? c : strcmp(x->origin, y->origin);
}

static double median_sorted(const double *v, size_t n)
{
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* Median and MAD of recs[a..b) (sorted by uv); dev is scratch. */
static void robust(const uv_rec *recs, size_t a, size_t b, double *dev, double *med, double *mad)
{
	size_t n = b - a;
	for (size_t i = 0; i < n; i++)
		dev[i] = recs[a + i].uv;
	*med = median_sorted(dev, n);
	for (size_t i = 0; i < n; i++)
		dev[i] = fabs(recs[a + i].uv - *med);
	qsort(dev, n, sizeof(double), cmp_double);
	*mad = median_sorted(dev, n);
}

static int add_groups(mlv_risk_refvalues *t, uv_rec *recs, size_t n, bool by_origin,
		      double *dev, size_t *cap)
{
	if (n > 1)
		qsort(recs, n, sizeof(*recs), by_origin ? cmp_rec_origin : cmp_rec_all);
	for (size_t a = 0; a < n;) {
		size_t b = a + 1;
		while (b < n && strcmp(recs[b].hs6, recs[a].hs6) == 0 &&
		       (!by_origin || strcmp(recs[b].origin, recs[a].origin) == 0))
			b++;
		if (b - a >= t->min_samples && (!by_origin || recs[a].origin[0] != '\0')) {
			if (t->n == *cap) {
				size_t nc = *cap ? *cap * 2 : 64;
				ref_group *ng = realloc(t->g, nc * sizeof(*ng));
				if (ng == NULL)
					return MLV_ENOMEM;
				t->g = ng;
				*cap = nc;
			}
			ref_group *g = &t->g[t->n++];
			memcpy(g->hs6, recs[a].hs6, sizeof(g->hs6));
			snprintf(g->origin, sizeof(g->origin), "%s", by_origin ? recs[a].origin : "*");
			g->samples = b - a;
			robust(recs, a, b, dev, &g->median, &g->mad);
		}
		a = b;
	}
	return 0;
}

int mlv_risk_refvalues_build(mlv_risk_refvalues **out, const mlv_risk_uv_obs *obs, size_t n,
			     const mlv_risk_refvalues_opts *opts)
{
	int rc = 0;
	mlv_risk_refvalues *t = calloc(1, sizeof(*t));
	uv_rec *recs = NULL;
	double *dev = NULL;
	size_t nr = 0, cap = 0;
	*out = NULL;
	if (t == NULL)
		return MLV_ENOMEM;
	if (opts->currency == NULL || strlen(opts->currency) != 3 ||
	    (opts->basis != MLV_RISK_UV_PER_KG && opts->basis != MLV_RISK_UV_PER_UNIT)) {
		rc = MLV_EINVALID;
		goto cleanup;
	}
	snprintf(t->currency, sizeof(t->currency), "%s", opts->currency);
	t->basis = opts->basis;
	t->min_samples = opts->min_samples ? opts->min_samples : 1;
	recs = malloc((n ? n : 1) * sizeof(*recs));
	dev = malloc((n ? n : 1) * sizeof(*dev));
	if (recs == NULL || dev == NULL) {
		rc = MLV_ENOMEM;
		goto cleanup;
	}
	for (size_t i = 0; i < n; i++) {
		const mlv_risk_uv_obs *o = &obs[i];
		int64_t per = opts->basis == MLV_RISK_UV_PER_KG ? o->net_weight : o->quantity;
		if (per <= 0 || o->amount < 0 || strspn(o->hs6, "0123456789") != 6 || o->hs6[6])
			continue;
		uv_rec *r = &recs[nr++];
		memcpy(r->hs6, o->hs6, sizeof(r->hs6));
		snprintf(r->origin, sizeof(r->origin), "%.2s", o->origin);
		r->uv = (double)o->amount * 1000.0 / (double)per;
	}
	if ((rc = add_groups(t, recs, nr, true, dev, &cap)) != 0 ||
	    (rc = add_groups(t, recs, nr, false, dev, &cap)) != 0)
		goto cleanup;
	if (t->n > 1)
		qsort(t->g, t->n, sizeof(*t->g), cmp_group);
	*out = t;
	t = NULL;
cleanup:
	free(recs);
	free(dev);
	mlv_risk_refvalues_free(t);
	return rc;
}

void mlv_risk_refvalues_free(mlv_risk_refvalues *t)
{
	if (t == NULL)
		return;
	free(t->g);
	free(t);
}

const char *mlv_risk_refvalues_currency(const mlv_risk_refvalues *t) { return t->currency; }
mlv_risk_uv_basis mlv_risk_refvalues_basis(const mlv_risk_refvalues *t) { return t->basis; }

static const ref_group *find_group(const mlv_risk_refvalues *t, const char *hs6, const char *origin)
{
	ref_group key;
	memset(&key, 0, sizeof(key));
	snprintf(key.hs6, sizeof(key.hs6), "%.6s", hs6);
	snprintf(key.origin, sizeof(key.origin), "%.2s", origin);
	if (t->n == 0)
		return NULL;
	return bsearch(&key, t->g, t->n, sizeof(*t->g), cmp_group);
}

int mlv_risk_refvalue_get(const mlv_risk_refvalues *t, const char *hs6, const char *origin,
			  mlv_risk_refvalue *out)
{
	const ref_group *g = NULL;
	memset(out, 0, sizeof(*out));
	if (hs6 == NULL || strlen(hs6) < 6)
		return MLV_ENOTFOUND;
	if (origin != NULL && origin[0] != '\0')
		g = find_group(t, hs6, origin);
	if (g == NULL) {
		g = find_group(t, hs6, "*");
		out->all_origins = true;
	}
	if (g == NULL)
		return MLV_ENOTFOUND;
	out->median = g->median;
	out->mad = g->mad;
	out->samples = g->samples;
	return 0;
}

void mlv_risk_undervaluation(const mlv_risk_refvalue *ref, double declared, double *pct_below,
			     double *robust_z)
{
	double below = 0.0, z = 0.0;
	if (ref->median > 0.0 && declared < ref->median)
		below = (ref->median - declared) * 100.0 / ref->median;
	/* 0.6745 makes the MAD comparable with a standard deviation for
	 * normal data (Iglewicz and Hoaglin's modified z-score). */
	if (ref->mad > 0.0)
		z = 0.6745 * (declared - ref->median) / ref->mad;
	if (pct_below)
		*pct_below = below;
	if (robust_z)
		*robust_z = z;
}

/* ---- split consignments -------------------------------------------------------------- */

typedef struct split_rec {
	int64_t time, amount;
} split_rec;

static int cmp_split(const void *a, const void *b)
{
	const split_rec *x = a, *y = b;
	return x->time < y->time ? -1 : x->time > y->time;
}

int mlv_risk_split_check(mlv_risk_split *out, const mlv_risk_split_obs *current,
			 const mlv_risk_split_obs *recent, size_t n,
			 const mlv_risk_split_opts *opts)
{
	memset(out, 0, sizeof(*out));
	out->threshold = opts->threshold;
	out->window_s = opts->window_s;
	if (n > MLV_RISK_SPLIT_MAX)
		return MLV_ETOOBIG;
	if (current == NULL || opts->window_s < 0 || opts->threshold < 0 || current->amount < 0)
		return MLV_EINVALID;
	out->count = 1;
	out->total = current->amount;
	out->first = out->last = current->time;
	if (current->amount > opts->threshold)
		return 0; /* dutiable on its own: nothing to split */

	split_rec *v = malloc((n + 1) * sizeof(*v));
	int64_t *prefix = malloc((n + 2) * sizeof(*prefix));
	if (v == NULL || prefix == NULL) {
		free(v);
		free(prefix);
		return MLV_ENOMEM;
	}
	size_t m = 0;
	v[m++] = (split_rec){current->time, current->amount};
	for (size_t i = 0; i < n; i++) {
		const mlv_risk_split_obs *o = &recent[i];
		if (o->amount < 0 || o->amount > opts->threshold)
			continue;
		if (current->id != NULL && o->id != NULL && strcmp(current->id, o->id) == 0)
			continue; /* the same consignment filed again */
		if (opts->same_seller &&
		    (current->seller == NULL || o->seller == NULL || strcmp(current->seller, o->seller) != 0))
			continue;
		if (o->time < current->time - opts->window_s || o->time > current->time + opts->window_s)
			continue;
		v[m++] = (split_rec){o->time, o->amount};
	}
	qsort(v, m, sizeof(*v), cmp_split);
	prefix[0] = 0;
	for (size_t i = 0; i < m; i++)
		prefix[i + 1] = prefix[i] + v[i].amount;

	/* Windows [t_j, t_j + W] that hold the current time: the heaviest. */
	size_t end = 0;
	for (size_t j = 0; j < m; j++) {
		if (v[j].time < current->time - opts->window_s || v[j].time > current->time)
			continue;
		if (end < j)
			end = j;
		while (end < m && v[end].time <= v[j].time + opts->window_s)
			end++;
		int64_t total = prefix[end] - prefix[j];
		size_t count = end - j;
		if (total > out->total || (total == out->total && count > out->count)) {
			out->total = total;
			out->count = count;
			out->first = v[j].time;
			out->last = v[end - 1].time;
		}
	}
	out->split = out->count >= 2 && out->total > opts->threshold;
	free(v);
	free(prefix);
	return 0;
}

/* ---- operator scores ------------------------------------------------------------------- */

static bool opscore_opts_ok(const mlv_risk_opscore_opts *o, bool auto_prior)
{
	return o->half_life_days > 0 && o->prior_controls >= 0 && o->prior_rate <= 1 &&
	       (o->prior_rate >= 0 || auto_prior);
}

/* How much a result of `time` counts at `now`: half as much per half-life. */
static double decay(const mlv_risk_opscore_opts *o, int64_t time)
{
	double age_days = (double)(o->now - time) / 86400.0;
	return age_days > 0 ? pow(0.5, age_days / o->half_life_days) : 1.0;
}

/* A seizure says more about an operator than a wrong value: it counts
 * twice among the findings. */
static double finding_weight(mlv_risk_outcome outcome, double w)
{
	return outcome == MLV_RISK_SEIZURE ? 2 * w : outcome == MLV_RISK_IRREGULARITY ? w : 0;
}

/* The smoothed rate: (findings + prior pseudo-findings) / (controls +
 * prior pseudo-controls), findings never above controls. */
static void opscore_finish(mlv_risk_opscore *out, double wc, double wf, double prior_controls,
			   double prior_rate)
{
	if (wf > wc)
		wf = wc;
	double denom = wc + prior_controls;
	out->rate = denom > 0 ? (wf + prior_controls * prior_rate) / denom : prior_rate;
	out->weight = wc;
	out->score = (int)lround(out->rate * 100.0);
}

int mlv_risk_operator_score(mlv_risk_opscore *out, const mlv_risk_result_obs *hist, size_t n,
			    const mlv_risk_opscore_opts *opts)
{
	memset(out, 0, sizeof(*out));
	if (!opscore_opts_ok(opts, false))
		return MLV_EINVALID;
	double wc = 0, wf = 0;
	for (size_t i = 0; i < n; i++) {
		const mlv_risk_result_obs *h = &hist[i];
		if (h->outcome < MLV_RISK_NOTHING_FOUND || h->outcome > MLV_RISK_SEIZURE)
			return MLV_EINVALID;
		double w = decay(opts, h->time);
		out->controls++;
		wc += w;
		wf += finding_weight(h->outcome, w);
		out->findings += h->outcome != MLV_RISK_NOTHING_FOUND;
		out->seizures += h->outcome == MLV_RISK_SEIZURE;
	}
	opscore_finish(out, wc, wf, opts->prior_controls, opts->prior_rate);
	return 0;
}

/* ---- operator scores: the table ------------------------------------------------------ */

void mlv_risk_parties_of(mlv_risk_parties *out, const mlv_consignment *c, const char *filer)
{
	memset(out, 0, sizeof(*out));
	if (c->seller.present) {
		out->name[MLV_RISK_ROLE_SELLER] = c->seller.name;
		out->identifier[MLV_RISK_ROLE_SELLER] = c->seller.identifier;
	}
	if (c->platform.present) {
		out->name[MLV_RISK_ROLE_PLATFORM] = c->platform.name;
		out->identifier[MLV_RISK_ROLE_PLATFORM] = c->platform.identifier;
	}
	if (c->transport.carrier.present) {
		out->name[MLV_RISK_ROLE_CARRIER] = c->transport.carrier.name;
		out->identifier[MLV_RISK_ROLE_CARRIER] = c->transport.carrier.identifier;
	}
	if (c->intermediary.present) {
		out->name[MLV_RISK_ROLE_INTERMEDIARY] = c->intermediary.name;
		out->identifier[MLV_RISK_ROLE_INTERMEDIARY] = c->intermediary.identifier;
	}
	out->name[MLV_RISK_ROLE_FILER] = filer;
	out->identifier[MLV_RISK_ROLE_FILER] = filer;
}

static_assert(MLV_RISK_ROLE_COUNT <= 10, "a role is one digit in party keys");

/* "<role digit><kind>:" at out (cap >= 8). */
static size_t key_prefix(char *out, int role, char kind)
{
	out[0] = (char)('0' + role);
	out[1] = kind;
	out[2] = ':';
	return 3;
}

size_t risk_key_id(char *out, size_t cap, int role, const char *id)
{
	out[0] = '\0';
	if (id == NULL || cap < 8)
		return 0;
	size_t o = key_prefix(out, role, 'i');
	for (const char *s = id; *s && o < cap - 1; s++) {
		if (*s == ' ' || *s == '\t')
			continue;
		out[o++] = (*s >= 'a' && *s <= 'z') ? (char)(*s - 32) : *s;
	}
	out[o] = '\0';
	if (o == 3) {
		out[0] = '\0';
		return 0;
	}
	return o;
}

size_t risk_key_name(char *out, size_t cap, int role, const char *name)
{
	out[0] = '\0';
	if (name == NULL || cap < 8)
		return 0;
	size_t n = key_prefix(out, role, 'n');
	size_t fl = mlv_fold_name(out + n, cap - n, name, strlen(name));
	if (fl == 0) {
		out[0] = '\0';
		return 0;
	}
	return n + fl;
}

typedef struct op_entry {
	const char *key;     /* "<role>i:ID" or "<role>n:name" (arena) */
	const char *display; /* "id:ID" or the folded name, as a rule would write it */
	const char *name;
	double wc, wf;
	mlv_risk_opscore score;
} op_entry;

struct mlv_risk_opscores {
	mlv_risk_opscore_opts opts;
	mlv_arena *arena;
	op_entry *v;
	size_t n, cap;
	uint32_t *slot; /* entry index + 1; 0 empty */
	size_t slot_cap;
	double wc, wf;	/* every control, for the empirical prior */
	uint64_t controls;
	double prior;
	bool finished;
};

static uint64_t key_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static long op_find(const mlv_risk_opscores *t, const char *key)
{
	if (t->slot_cap == 0)
		return -1;
	size_t k = key_hash(key) & (t->slot_cap - 1);
	for (; t->slot[k] != 0; k = (k + 1) & (t->slot_cap - 1))
		if (strcmp(t->v[t->slot[k] - 1].key, key) == 0)
			return (long)t->slot[k] - 1;
	return -1;
}

static int op_rehash(mlv_risk_opscores *t)
{
	size_t cap = t->slot_cap ? t->slot_cap * 2 : 256;
	uint32_t *slot = calloc(cap, sizeof(*slot));
	if (slot == NULL)
		return MLV_ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		size_t k = key_hash(t->v[i].key) & (cap - 1);
		while (slot[k] != 0)
			k = (k + 1) & (cap - 1);
		slot[k] = (uint32_t)i + 1;
	}
	free(t->slot);
	t->slot = slot;
	t->slot_cap = cap;
	return 0;
}

/* The entry of key, created when new. */
static op_entry *op_entry_of(mlv_risk_opscores *t, const char *key)
{
	long i = op_find(t, key);
	if (i >= 0)
		return &t->v[i];
	if (t->n >= UINT32_MAX - 1)
		return NULL;
	if ((t->n + 1) * 2 > t->slot_cap && op_rehash(t) != 0)
		return NULL;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		op_entry *nv = realloc(t->v, cap * sizeof(*nv));
		if (nv == NULL)
			return NULL;
		t->v = nv;
		t->cap = cap;
	}
	op_entry *e = &t->v[t->n];
	memset(e, 0, sizeof(*e));
	size_t kl = strlen(key);
	if ((e->key = mlv_arena_strndup(t->arena, key, kl)) == NULL)
		return NULL;
	if (key[1] == 'i') {
		char *d = mlv_arena_alloc(t->arena, kl + 2);
		if (d == NULL)
			return NULL;
		snprintf(d, kl + 2, "id:%s", key + 3);
		e->display = d;
	} else {
		e->display = e->key + 3;
	}
	size_t k = key_hash(key) & (t->slot_cap - 1);
	while (t->slot[k] != 0)
		k = (k + 1) & (t->slot_cap - 1);
	t->slot[k] = (uint32_t)t->n + 1;
	t->n++;
	return e;
}

int mlv_risk_opscores_new(mlv_risk_opscores **out, const mlv_risk_opscore_opts *opts)
{
	*out = NULL;
	if (!opscore_opts_ok(opts, true))
		return MLV_EINVALID;
	mlv_risk_opscores *t = calloc(1, sizeof(*t));
	if (t == NULL || (t->arena = mlv_arena_new(1u << 14)) == NULL) {
		free(t);
		return MLV_ENOMEM;
	}
	t->opts = *opts;
	*out = t;
	return 0;
}

void mlv_risk_opscores_free(mlv_risk_opscores *t)
{
	if (t == NULL)
		return;
	mlv_arena_free(t->arena);
	free(t->v);
	free(t->slot);
	free(t);
}

int mlv_risk_opscores_add(mlv_risk_opscores *t, const mlv_risk_parties *parties, int64_t time,
			  mlv_risk_outcome outcome)
{
	if (t->finished)
		return MLV_ECONFLICT;
	if (outcome < MLV_RISK_NOTHING_FOUND || outcome > MLV_RISK_SEIZURE)
		return MLV_EINVALID;
	double w = decay(&t->opts, time), f = finding_weight(outcome, w);
	t->wc += w;
	t->wf += f;
	t->controls++;
	for (int role = 1; role < MLV_RISK_ROLE_COUNT; role++) {
		char key[RISK_NAME_MAX + 8];
		const char *name = parties->name[role], *id = parties->identifier[role];
		/* the identifier when there is one: names are spelt many ways */
		if (risk_key_id(key, sizeof(key), role, id) == 0 &&
		    risk_key_name(key, sizeof(key), role, name) == 0)
			continue;
		op_entry *e = op_entry_of(t, key);
		if (e == NULL)
			return MLV_ENOMEM;
		e->wc += w;
		e->wf += f;
		e->score.controls++;
		e->score.findings += outcome != MLV_RISK_NOTHING_FOUND;
		e->score.seizures += outcome == MLV_RISK_SEIZURE;
		if (name == NULL || name[0] == '\0')
			continue;
		size_t nl = strnlen(name, RISK_NAME_MAX);
		bool cut = nl == RISK_NAME_MAX;
		while (cut && nl > 0 && ((unsigned char)name[nl] & 0xC0) == 0x80)
			nl--; /* cut on a code point */
		if (e->name != NULL && strlen(e->name) == nl && memcmp(e->name, name, nl) == 0)
			continue;
		if ((e->name = mlv_arena_strndup(t->arena, name, nl)) == NULL)
			return MLV_ENOMEM;
	}
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const op_entry *x = a, *y = b;
	if (x->score.rate != y->score.rate)
		return x->score.rate > y->score.rate ? -1 : 1;
	if (x->score.weight != y->score.weight)
		return x->score.weight > y->score.weight ? -1 : 1;
	return strcmp(x->key, y->key);
}

int mlv_risk_opscores_finish(mlv_risk_opscores *t)
{
	if (t->finished)
		return MLV_ECONFLICT;
	t->prior = t->opts.prior_rate;
	if (t->prior < 0) {
		/* The share of all controls that found something, itself shrunk
		 * toward 5% by 100 pseudo-controls: a handful of results must not
		 * make every operator look risky (or clean). */
		double wf = t->wf > t->wc ? t->wc : t->wf;
		t->prior = (wf + 0.05 * 100) / (t->wc + 100);
	}
	for (size_t i = 0; i < t->n; i++) {
		mlv_risk_opscore *s = &t->v[i].score;
		opscore_finish(s, t->v[i].wc, t->v[i].wf, t->opts.prior_controls, t->prior);
	}
	/* riskiest first, for listings; the hash is rebuilt over the new order */
	if (t->n > 1)
		qsort(t->v, t->n, sizeof(*t->v), cmp_entry);
	if (t->n > 0) {
		memset(t->slot, 0, t->slot_cap * sizeof(*t->slot));
		for (size_t i = 0; i < t->n; i++) {
			size_t k = key_hash(t->v[i].key) & (t->slot_cap - 1);
			while (t->slot[k] != 0)
				k = (k + 1) & (t->slot_cap - 1);
			t->slot[k] = (uint32_t)i + 1;
		}
	}
	t->finished = true;
	return 0;
}

size_t mlv_risk_opscores_count(const mlv_risk_opscores *t)
{
	return t->n;
}

double mlv_risk_opscores_prior(const mlv_risk_opscores *t)
{
	return t->finished ? t->prior : t->opts.prior_rate;
}

uint64_t mlv_risk_opscores_controls(const mlv_risk_opscores *t)
{
	return t->controls;
}

static void operator_of(const op_entry *e, mlv_risk_operator *out)
{
	memset(out, 0, sizeof(*out));
	out->role = (mlv_risk_role)(e->key[0] - '0');
	out->key = e->display;
	out->name = e->name;
	out->score = e->score;
}

int mlv_risk_opscores_at(const mlv_risk_opscores *t, size_t i, mlv_risk_operator *out)
{
	if (i >= t->n || !t->finished)
		return MLV_ENOTFOUND;
	operator_of(&t->v[i], out);
	return 0;
}

const mlv_risk_opscore *mlv_risk_opscores_find(const mlv_risk_opscores *t, const char *rolekey)
{
	if (t == NULL || !t->finished || rolekey == NULL || rolekey[0] == '\0')
		return NULL;
	long i = op_find(t, rolekey);
	return i >= 0 ? &t->v[i].score : NULL;
}

int mlv_risk_opscores_get(const mlv_risk_opscores *t, mlv_risk_role role, const char *name,
			  const char *identifier, mlv_risk_operator *out)
{
	char key[RISK_NAME_MAX + 8];
	long i = -1;
	if (!t->finished || role <= MLV_RISK_ROLE_ANY || role >= MLV_RISK_ROLE_COUNT)
		return MLV_ENOTFOUND;
	if (risk_key_id(key, sizeof(key), role, identifier) > 0)
		i = op_find(t, key);
	if (i < 0 && risk_key_name(key, sizeof(key), role, name) > 0)
		i = op_find(t, key);
	if (i < 0)
		return MLV_ENOTFOUND;
	operator_of(&t->v[i], out);
	return 0;
}

/* ---- feedback --------------------------------------------------------------------------- */

void mlv_risk_stats_hit(mlv_risk_rule_stats *s)
{
	s->hits++;
}

int mlv_risk_stats_result(mlv_risk_rule_stats *s, mlv_risk_outcome outcome, int64_t revenue)
{
	if (outcome < MLV_RISK_NOTHING_FOUND || outcome > MLV_RISK_SEIZURE || revenue < 0 ||
	    revenue > INT64_MAX - s->revenue)
		return MLV_EINVALID;
	s->controls++;
	if (outcome != MLV_RISK_NOTHING_FOUND)
		s->findings++;
	if (outcome == MLV_RISK_SEIZURE)
		s->seizures++;
	s->revenue += revenue;
	return 0;
}

int mlv_risk_stats_perf(mlv_risk_perf *out, const mlv_risk_rule_stats *s, int weight,
			const mlv_risk_perf_opts *opts)
{
	memset(out, 0, sizeof(*out));
	if (s->findings > s->controls || opts->target <= 0 || opts->target > 1)
		return MLV_EINVALID;
	out->suggested_weight = weight;
	out->hit_rate = opts->assessed ? (double)s->hits / (double)opts->assessed : 0.0;
	double n = (double)s->controls;
	if (s->controls > 0) {
		double p = (double)s->findings / n, z = 1.96, z2 = z * z;
		out->precision = p;
		/* Wilson score interval: sound at small counts and at 0 or 1. */
		double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
		double half = z * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
		out->precision_lo = centre - half < 0 ? 0 : centre - half;
		out->precision_hi = centre + half > 1 ? 1 : centre + half;
		out->yield = s->revenue / (int64_t)s->controls;
	}
	double pct = out->precision * 100, lo = out->precision_lo * 100, hi = out->precision_hi * 100;
	if (s->controls < opts->min_controls) {
		snprintf(out->advice, sizeof(out->advice),
			 "%" PRIu64 " controls so far: too few to judge (advice from %" PRIu64 ")",
			 s->controls, opts->min_controls);
		return 0;
	}
	if (weight <= 0) {
		snprintf(out->advice, sizeof(out->advice),
			 "precision %.1f%% over %" PRIu64 " controls; a rule that lowers the score "
			 "is not tuned from findings",
			 pct, s->controls);
		return 0;
	}
	double scaled = (double)weight * out->precision / opts->target;
	int lo_w = (weight + 1) / 2, hi_w = weight * 2 > 1000 ? 1000 : weight * 2;
	int sug = (int)lround(scaled);
	if (sug < lo_w)
		sug = lo_w;
	if (sug > hi_w)
		sug = hi_w;
	if (out->precision_hi < opts->review_below) {
		out->review = true;
		out->suggested_weight = sug;
		snprintf(out->advice, sizeof(out->advice),
			 "precision %.1f%% (95%% interval %.1f-%.1f%%) over %" PRIu64
			 " controls stays below %.0f%%: review the rule; weight %d -> %d",
			 pct, lo, hi, s->controls, opts->review_below * 100, weight, sug);
	} else if (out->precision_lo > opts->target) {
		out->suggested_weight = sug;
		snprintf(out->advice, sizeof(out->advice),
			 "precision %.1f%% (95%% interval %.1f-%.1f%%) is above the %.0f%% target: "
			 "weight %d -> %d",
			 pct, lo, hi, opts->target * 100, weight, sug);
	} else if (out->precision_hi < opts->target) {
		out->suggested_weight = sug;
		snprintf(out->advice, sizeof(out->advice),
			 "precision %.1f%% (95%% interval %.1f-%.1f%%) is below the %.0f%% target: "
			 "weight %d -> %d",
			 pct, lo, hi, opts->target * 100, weight, sug);
	} else {
		snprintf(out->advice, sizeof(out->advice),
			 "precision %.1f%% (95%% interval %.1f-%.1f%%) is consistent with the %.0f%% "
			 "target: keep weight %d",
			 pct, lo, hi, opts->target * 100, weight);
	}
	return 0;
}

int mlv_risk_perf_write_json(mlv_buf *b, const char *rule_id, int64_t version,
			     const mlv_risk_rule_stats *s, const mlv_risk_perf *perf)
{
	int rc;
	if ((rc = mlv_buf_adds(b, "{\"rule\":")) != 0 ||
	    (rc = mlv_buf_add_json_string(b, rule_id, strlen(rule_id))) != 0 ||
	    (rc = mlv_buf_printf(b,
				 ",\"version\":%" PRId64 ",\"hits\":%" PRIu64 ",\"controls\":%" PRIu64
				 ",\"findings\":%" PRIu64 ",\"seizures\":%" PRIu64
				 ",\"revenue_minor\":%" PRId64 ",\"yield_minor\":%" PRId64
				 ",\"hit_rate\":%.6f,\"precision\":%.6f,\"precision_low\":%.6f,"
				 "\"precision_high\":%.6f,\"review\":%s,\"suggested_weight\":%d,"
				 "\"advice\":",
				 version, s->hits, s->controls, s->findings, s->seizures, s->revenue,
				 perf->yield, perf->hit_rate, perf->precision, perf->precision_lo,
				 perf->precision_hi, perf->review ? "true" : "false",
				 perf->suggested_weight)) != 0 ||
	    (rc = mlv_buf_add_json_string(b, perf->advice, strlen(perf->advice))) != 0)
		return rc;
	return mlv_buf_addc(b, '}');
}

/* ---- multi-party mismatch ------------------------------------------------------------------ */

#define MAX_WORDS 256

typedef struct part_view {
	const char *src;
	bool has_value;
	int64_t value; /* goods */
	char value_cur[4];
	bool has_due;
	int64_t due; /* goods + shipping + insurance */
	bool has_paid;
	int64_t paid;
	char paid_cur[4];
	bool has_qty;
	int64_t qty;
	bool has_weight;
	int64_t grams;
	char words[MAX_WORDS][24];
	size_t nwords;
	char seller[160];
} part_view;

static void add_word(part_view *v, const char *w, size_t n)
{
	if (n < 3 || n >= sizeof(v->words[0]) || v->nwords >= MAX_WORDS)
		return; /* short words (of, de, la) say nothing about the goods */
	if (strspn(w, "0123456789") >= n)
		return;
	for (size_t i = 0; i < v->nwords; i++)
		if (strlen(v->words[i]) == n && memcmp(v->words[i], w, n) == 0)
			return;
	memcpy(v->words[v->nwords], w, n);
	v->words[v->nwords][n] = '\0';
	v->nwords++;
}

static void view_of(part_view *v, const mlv_consignment *c, const char *src)
{
	memset(v, 0, sizeof(*v));
	v->src = src;
	const mlv_transaction *t = &c->transaction;
	if (t->present && t->invoice_total.set && t->currency[0]) {
		v->has_value = true;
		v->value = t->invoice_total.v;
		snprintf(v->value_cur, sizeof(v->value_cur), "%s", t->currency);
		v->has_due = true;
		v->due = t->invoice_total.v + (t->shipping_cost.set ? t->shipping_cost.v : 0) +
			 (t->insurance_cost.set ? t->insurance_cost.v : 0);
	} else if (c->item_count > 0) {
		bool ok = true;
		int64_t sum = 0;
		for (size_t i = 0; i < c->item_count && ok; i++) {
			const mlv_item *it = &c->items[i];
			ok = it->value.set && it->currency[0] &&
			     strcmp(it->currency, c->items[0].currency) == 0;
			if (ok)
				sum += it->value.v;
		}
		if (ok) {
			v->has_value = true;
			v->value = sum;
			snprintf(v->value_cur, sizeof(v->value_cur), "%s", c->items[0].currency);
		}
	}
	if (t->present && t->payment.present && t->payment.amount.set && t->payment.currency[0]) {
		v->has_paid = true;
		v->paid = t->payment.amount.v;
		snprintf(v->paid_cur, sizeof(v->paid_cur), "%s", t->payment.currency);
	}
	bool all_qty = c->item_count > 0, all_gross = c->item_count > 0;
	int64_t qty = 0, gross = 0;
	for (size_t i = 0; i < c->item_count; i++) {
		const mlv_item *it = &c->items[i];
		if (it->quantity.set)
			qty += it->quantity.v;
		else
			all_qty = false;
		if (it->gross_weight.set)
			gross += it->gross_weight.v;
		else
			all_gross = false;
		if (it->description != NULL) {
			char folded[600];
			size_t fl = mlv_fold(folded, sizeof(folded), it->description,
					     strlen(it->description));
			for (size_t a = 0; a < fl;) {
				size_t b = a;
				while (b < fl && folded[b] != ' ')
					b++;
				add_word(v, folded + a, b - a);
				a = b + 1;
			}
		}
	}
	v->has_qty = all_qty;
	v->qty = qty;
	if (c->gross_weight.set) {
		v->has_weight = true;
		v->grams = c->gross_weight.v;
	} else if (all_gross) {
		v->has_weight = true;
		v->grams = gross;
	}
	if (c->seller.present && c->seller.name != NULL)
		mlv_fold_name(v->seller, sizeof(v->seller), c->seller.name, strlen(c->seller.name));
}

static void detail(mlv_risk_mismatch *out, unsigned bit, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void detail(mlv_risk_mismatch *out, unsigned bit, const char *fmt, ...)
{
	out->mask |= bit;
	if (out->detail_count >= MLV_RISK_MISMATCH_DETAILS)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out->detail[out->detail_count++], sizeof(out->detail[0]), fmt, ap);
	va_end(ap);
}

static bool differs(int64_t a, int64_t b, int tolerance_pct)
{
	int64_t d = a > b ? a - b : b - a;
	int64_t big = a > b ? a : b;
	return d > 0 && (i128)d * 100 > (i128)big * tolerance_pct;
}

static void money_text(const mlv_refdata *rd, int64_t v, const char *cur, char *buf, size_t n)
{
	char d[48];
	int mu = mlv_currency_minor_units(rd, cur);
	mlv_decimal_format(v, mu < 0 ? 2 : mu, d, sizeof(d));
	snprintf(buf, n, "%s %s", d, cur);
}

int mlv_risk_mismatch_check(mlv_risk_mismatch *out, const mlv_consignment *const *parts,
			    const char *const *sources, size_t n, const mlv_refdata *rd,
			    const mlv_risk_mismatch_opts *opts)
{
	memset(out, 0, sizeof(*out));
	if (n > 16)
		return MLV_ETOOBIG;
	part_view *v = calloc(n ? n : 1, sizeof(*v));
	if (v == NULL)
		return MLV_ENOMEM;
	for (size_t i = 0; i < n; i++)
		view_of(&v[i], parts[i], sources && sources[i] ? sources[i] : "part");
	char a[64], b[64];
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			if (i == j)
				continue;
			part_view *x = &v[i], *y = &v[j];
			int64_t conv;
			/* pairs in one direction for symmetric checks */
			if (i < j && x->has_value && y->has_value &&
			    mlv_fx_convert(rd, y->value, y->value_cur, x->value_cur, opts->day, &conv) == 0 &&
			    differs(x->value, conv, opts->value_tolerance_pct)) {
				money_text(rd, x->value, x->value_cur, a, sizeof(a));
				money_text(rd, y->value, y->value_cur, b, sizeof(b));
				detail(out, MLV_RISK_MM_VALUE, "value: the %s declares %s, the %s %s",
				       x->src, a, y->src, b);
			}
			/* payment of one part against what another says is due */
			if (x->has_paid && y->has_due &&
			    mlv_fx_convert(rd, y->due, y->value_cur, x->paid_cur, opts->day, &conv) == 0 &&
			    differs(x->paid, conv, opts->value_tolerance_pct)) {
				money_text(rd, x->paid, x->paid_cur, a, sizeof(a));
				money_text(rd, y->due, y->value_cur, b, sizeof(b));
				detail(out, MLV_RISK_MM_PAYMENT,
				       "payment: the %s shows %s paid, the %s %s due with shipping",
				       x->src, a, y->src, b);
			}
			if (i > j)
				continue;
			if (x->has_qty && y->has_qty && x->qty != y->qty) {
				char qa[32], qb[32];
				mlv_decimal_format(x->qty, 3, qa, sizeof(qa));
				mlv_decimal_format(y->qty, 3, qb, sizeof(qb));
				detail(out, MLV_RISK_MM_QUANTITY,
				       "quantity: the %s declares %s units, the %s %s", x->src, qa,
				       y->src, qb);
			}
			if (x->has_weight && y->has_weight &&
			    differs(x->grams, y->grams, opts->weight_tolerance_pct)) {
				char wa[32], wb[32];
				mlv_decimal_format(x->grams, 3, wa, sizeof(wa));
				mlv_decimal_format(y->grams, 3, wb, sizeof(wb));
				detail(out, MLV_RISK_MM_WEIGHT, "weight: the %s declares %s kg, the %s %s kg",
				       x->src, wa, y->src, wb);
			}
			if (x->nwords > 0 && y->nwords > 0) {
				size_t shared = 0;
				for (size_t p = 0; p < x->nwords; p++)
					for (size_t q = 0; q < y->nwords; q++)
						if (strcmp(x->words[p], y->words[q]) == 0) {
							shared++;
							break;
						}
				size_t small = x->nwords < y->nwords ? x->nwords : y->nwords;
				if (shared * 100 < small * (size_t)opts->min_overlap_pct)
					detail(out, MLV_RISK_MM_DESCRIPTION,
					       "description: the %s and the %s share %zu of %zu words",
					       x->src, y->src, shared, small);
			}
			if (x->seller[0] && y->seller[0] && strcmp(x->seller, y->seller) != 0)
				detail(out, MLV_RISK_MM_PARTY, "seller: the %s and the %s name different sellers",
				       x->src, y->src);
		}
	}
	free(v);
	return 0;
}

size_t mlv_risk_uv_observe(const mlv_consignment *c, const mlv_refdata *rd, const char *currency,
			   int32_t day, mlv_risk_uv_obs *out, size_t max)
{
	size_t n = 0;
	if (c->declaration_type == MLV_DECL_RETURN)
		return 0;
	for (size_t i = 0; i < c->item_count && n < max; i++) {
		const mlv_item *it = &c->items[i];
		if (strlen(it->hs_code) < 6 || !it->value.set || it->currency[0] == '\0')
			continue;
		mlv_risk_uv_obs *o = &out[n];
		if (strcmp(it->currency, currency) == 0)
			o->amount = it->value.v;
		else if (mlv_fx_convert(rd, it->value.v, it->currency, currency, day, &o->amount) != 0)
			continue;
		memcpy(o->hs6, it->hs_code, 6);
		o->hs6[6] = '\0';
		snprintf(o->origin, sizeof(o->origin), "%s", it->origin_country);
		o->net_weight = risk_item_grams(it); /* as the assessment weighs it */
		o->quantity = it->quantity.set && it->quantity.v > 0 ? it->quantity.v : 0;
		n++;
	}
	return n;
}
