/* riskstore.c - the risk engine's state in a store (riskstore.h): stored
 * profile versions loaded and saved, reference unit values and operator
 * scores built from the history.  Uses store.h only.
 *
 * The history is untrusted in one way: a stored text that no longer
 * decodes (an older format, reference data since changed) gives no
 * observation and no result rather than failing the whole build. */
#include "mlv/riskstore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mlv/arena.h"
#include "mlv/codec.h"

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ---- the profile's versions --------------------------------------------------------- */

int mlv_riskstore_load_rules(mlv_store *st, const mlv_refdata *rd, mlv_risk_profile **out,
			     mlv_rules_version *v, char *err, size_t errlen)
{
	mlv_buf text = MLV_BUF_INIT(MLV_RISK_MAX_TEXT);
	*out = NULL;
	int rc = mlv_store_rules_latest(st, v, &text);
	if (rc == 0) {
		char name[48];
		snprintf(name, sizeof(name), "rules version %lld", (long long)v->version);
		rc = mlv_risk_profile_parse(out, text.data ? text.data : "", text.len, name, rd, err,
					    errlen);
	}
	if (rc == 0)
		mlv_risk_profile_set_version(*out, v->version);
	mlv_buf_free(&text);
	return rc;
}

int mlv_riskstore_load_or_seed(mlv_store *st, const mlv_refdata *rd,
			       const mlv_risk_profile *configured, const char *source,
			       int64_t now_ms, mlv_risk_profile **out, mlv_rules_version *v,
			       bool *seeded, char *err, size_t errlen)
{
	*seeded = false;
	int rc = mlv_riskstore_load_rules(st, rd, out, v, err, errlen);
	if (rc != MLV_ENOTFOUND)
		return rc;
	size_t len = 0;
	const char *text = mlv_risk_profile_text(configured, &len);
	rc = mlv_risk_profile_parse(out, text, len, source, rd, err, errlen);
	if (rc == 0) {
		char summary[256];
		snprintf(summary, sizeof(summary), "first version, from %.200s", source);
		int64_t version = mlv_risk_profile_version(*out);
		rc = mlv_riskstore_save_rules(st, *out, version > 0 ? version : 1, "system", summary,
					      now_ms, v);
	}
	if (rc != 0) {
		mlv_risk_profile_free(*out);
		*out = NULL;
		return rc;
	}
	*seeded = true;
	return 0;
}

int mlv_riskstore_next_version(mlv_store *st, int64_t live, int64_t *out)
{
	mlv_rules_version v;
	int rc = mlv_store_rules_latest(st, &v, NULL);
	if (rc == MLV_ENOTFOUND) {
		v.version = 0;
		rc = 0;
	}
	if (rc == 0)
		*out = (v.version > live ? v.version : live) + 1;
	return rc;
}

int mlv_riskstore_save_rules(mlv_store *st, mlv_risk_profile *p, int64_t version,
			     const char *actor, const char *summary, int64_t now_ms,
			     mlv_rules_version *v)
{
	memset(v, 0, sizeof(*v));
	v->version = version;
	snprintf(v->profile_id, sizeof(v->profile_id), "%s", mlv_risk_profile_id(p));
	snprintf(v->actor, sizeof(v->actor), "%s", actor);
	snprintf(v->summary, sizeof(v->summary), "%s", summary ? summary : "");
	v->created_ms = now_ms;
	v->rules = (int64_t)mlv_risk_profile_rule_count(p);
	size_t len = 0;
	const char *text = mlv_risk_profile_text(p, &len);
	int rc = mlv_store_rules_add(st, v, text, len);
	if (rc == 0)
		mlv_risk_profile_set_version(p, version);
	return rc;
}

/* ---- reference unit values -------------------------------------------------------------- */

#define MAX_ITEMS 256u

struct uv_scan {
	const mlv_riskstore_opts *o;
	int32_t day;
	mlv_arena *arena;
	mlv_risk_uv_obs *obs;
	size_t n, cap, max;
	uint64_t seen; /* observations offered, for the reservoir */
	uint64_t rng;
	size_t consignments;
};

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Keeps o: appended while there is room, else in place of a random one
 * with probability max / seen (reservoir sampling, Vitter's algorithm R). */
static int keep(struct uv_scan *s, const mlv_risk_uv_obs *o)
{
	s->seen++;
	if (s->n < s->max) {
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 4096;
			if (cap > s->max)
				cap = s->max;
			mlv_risk_uv_obs *v = realloc(s->obs, cap * sizeof(*v));
			if (v == NULL)
				return MLV_ENOMEM;
			s->obs = v;
			s->cap = cap;
		}
		s->obs[s->n++] = *o;
		return 0;
	}
	uint64_t j = next_rand(&s->rng) % s->seen;
	if (j < s->max)
		s->obs[j] = *o;
	return 0;
}

static bool stopping(const mlv_riskstore_opts *o)
{
	return o->stopping != NULL && o->stopping(o->stop_ctx);
}

static int uv_one(void *ctx, int64_t id, const mlv_buf *text)
{
	(void)id;
	struct uv_scan *s = ctx;
	if ((s->consignments & 1023) == 0 && stopping(s->o))
		return MLV_EBUSY;
	mlv_consignment c;
	mlv_problems probs;
	mlv_problems_init(&probs);
	mlv_arena_reset(s->arena);
	int rc = mlv_consignment_decode(&c, text->data, text->len, s->arena, s->o->rd, &probs);
	mlv_problems_clear(&probs);
	s->consignments++;
	if (rc != 0)
		return 0; /* an unreadable old text gives no observation */
	mlv_risk_uv_obs got[MAX_ITEMS];
	size_t n = mlv_risk_uv_observe(&c, s->o->rd, s->o->currency, s->day, got, MAX_ITEMS);
	for (size_t i = 0; i < n; i++)
		if ((rc = keep(s, &got[i])) != 0)
			return rc;
	return 0;
}

int mlv_riskstore_refvalues(mlv_risk_refvalues **out, mlv_store *st,
			    const mlv_riskstore_opts *o, mlv_riskstore_stats *stats)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	*out = NULL;
	struct uv_scan s;
	memset(&s, 0, sizeof(s));
	s.o = o;
	s.day = (int32_t)(time(NULL) / 86400);
	s.rng = 0x2545f4914f6cdd1dULL;
	s.max = o->max_observations ? o->max_observations : 2000000;
	s.arena = mlv_arena_new(1 << 16);
	int rc = s.arena == NULL ? MLV_ENOMEM : mlv_store_scan(st, uv_one, &s);
	mlv_arena_free(s.arena);
	mlv_risk_refvalues_opts ro = MLV_RISK_REFVALUES_OPTS_INIT;
	ro.currency = o->currency;
	ro.min_samples = o->min_samples;
	if (rc == 0 && s.n > 0)
		rc = mlv_risk_refvalues_build(out, s.obs, s.n, &ro);
	free(s.obs);
	if (stats != NULL) {
		stats->consignments = s.consignments;
		stats->observations = s.seen;
		stats->kept = s.n;
		stats->seconds = seconds_since(&t0);
	}
	return rc;
}

/* ---- operator scores --------------------------------------------------------------------- */

struct op_scan {
	const mlv_riskstore_opts *o;
	mlv_arena *arena;
	mlv_risk_opscores *t;
	uint64_t results;
};

static int op_one(void *ctx, const mlv_result_row *r)
{
	struct op_scan *s = ctx;
	if ((s->results & 1023) == 0 && stopping(s->o))
		return MLV_EBUSY;
	s->results++;
	mlv_risk_outcome outcome = strcmp(r->result, "seizure") == 0	  ? MLV_RISK_SEIZURE
				   : strcmp(r->result, "irregularity") == 0 ? MLV_RISK_IRREGULARITY
									    : MLV_RISK_NOTHING_FOUND;
	mlv_consignment c;
	mlv_problems probs;
	mlv_problems_init(&probs);
	mlv_arena_reset(s->arena);
	int rc = mlv_consignment_decode(&c, r->text->data, r->text->len, s->arena, s->o->rd, &probs);
	mlv_problems_clear(&probs);
	if (rc != 0)
		return 0;
	char filer[32];
	snprintf(filer, sizeof(filer), "filer:%lld", (long long)r->filer_id);
	mlv_risk_parties parties;
	mlv_risk_parties_of(&parties, &c, filer);
	return mlv_risk_opscores_add(s->t, &parties, r->at_ms / 1000, outcome);
}

int mlv_riskstore_opscores(mlv_risk_opscores **out, mlv_store *st, const mlv_riskstore_opts *o,
			   mlv_riskstore_stats *stats)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	*out = NULL;
	mlv_risk_opscore_opts so = o->opscore;
	if (so.now == 0)
		so.now = (int64_t)time(NULL);
	struct op_scan s = {o, NULL, NULL, 0};
	int rc = mlv_risk_opscores_new(&s.t, &so);
	if (rc == 0 && (s.arena = mlv_arena_new(1 << 16)) == NULL)
		rc = MLV_ENOMEM;
	if (rc == 0)
		rc = mlv_store_results_scan(st, 0, op_one, &s);
	if (rc == 0)
		rc = mlv_risk_opscores_finish(s.t);
	mlv_arena_free(s.arena);
	if (stats != NULL) {
		stats->results = s.results;
		stats->operators = rc == 0 ? mlv_risk_opscores_count(s.t) : 0;
		stats->seconds = seconds_since(&t0);
	}
	if (rc != 0) {
		mlv_risk_opscores_free(s.t);
		return rc;
	}
	*out = s.t;
	return 0;
}
