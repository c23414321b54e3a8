/* refvalues.c - reference unit values from the store's history, for the
 * risk engine's `undervalued` criterion (docs/risk-rules.md, Analytics).
 *
 * At start, `serve` and `file` read every stored consignment once, take
 * one observation per item (HS6, origin, value in the administration's
 * currency, weight, quantity) and build the robust medians.  Memory is
 * bounded: past MAX_OBS observations a uniform reservoir sample of the
 * whole history is kept, which is what a median needs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "mlv/arena.h"
#include "mlv/codec.h"
#include "mlv/log.h"
#include "mlv/risk.h"
#include "mlv/store.h"

#define MAX_OBS 2000000u
#define MAX_ITEMS 256u

struct scan {
	const mlv_refdata *rd;
	const char *currency;
	int32_t day;
	mlv_arena *arena;
	mlv_risk_uv_obs *obs;
	size_t n, cap;
	uint64_t seen; /* observations offered, for the reservoir */
	uint64_t rng;
	size_t consignments;
};

static uint64_t next_rand(struct scan *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

/* Keeps o: appended while there is room, else in place of a random one
 * with probability MAX_OBS / seen (reservoir sampling). */
static int keep(struct scan *s, const mlv_risk_uv_obs *o)
{
	s->seen++;
	if (s->n < MAX_OBS) {
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 4096;
			mlv_risk_uv_obs *v = realloc(s->obs, cap * sizeof(*v));
			if (v == NULL)
				return -1;
			s->obs = v;
			s->cap = cap;
		}
		s->obs[s->n++] = *o;
		return 0;
	}
	uint64_t j = next_rand(s) % s->seen;
	if (j < MAX_OBS)
		s->obs[j] = *o;
	return 0;
}

static int one(void *ctx, int64_t id, const mlv_buf *text)
{
	(void)id;
	struct scan *s = ctx;
	mlv_consignment c;
	mlv_problems probs;
	mlv_problems_init(&probs);
	mlv_arena_reset(s->arena);
	int rc = mlv_consignment_decode(&c, text->data, text->len, s->arena, s->rd, &probs);
	mlv_problems_clear(&probs);
	if (rc != 0)
		return 0; /* an unreadable old text gives no observation */
	s->consignments++;
	mlv_risk_uv_obs got[MAX_ITEMS];
	size_t n = mlv_risk_uv_observe(&c, s->rd, s->currency, s->day, got, MAX_ITEMS);
	for (size_t i = 0; i < n; i++)
		if (keep(s, &got[i]) != 0)
			return -1;
	return 0;
}

int cli_load_refvalues(const mlv_config *cfg, const mlv_refdata *rd, cli_risk *r)
{
	if (access(cfg->db_path, R_OK) != 0)
		return 0; /* no store yet: no history */
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char err[512] = "";
	mlv_store *st = NULL;
	mlv_store_opts so = MLV_STORE_OPTS_INIT;
	so.path = cfg->db_path;
	so.read_only = true;
	if (mlv_store_open(&st, &so, err, sizeof(err)) != 0) {
		fprintf(stderr, "mainlevee: cannot read the history in %s: %s\n", cfg->db_path, err);
		return -1;
	}
	struct scan s;
	memset(&s, 0, sizeof(s));
	s.rd = rd;
	s.currency = cfg->currency;
	s.day = (int32_t)(time(NULL) / 86400);
	s.rng = 0x2545f4914f6cdd1dULL;
	s.arena = mlv_arena_new(1 << 16);
	int rc = s.arena == NULL ? -1 : mlv_store_scan(st, one, &s);
	mlv_store_close(st);
	mlv_arena_free(s.arena);
	mlv_risk_refvalues_opts o = MLV_RISK_REFVALUES_OPTS_INIT;
	o.currency = cfg->currency;
	if (rc == 0 && s.n > 0)
		rc = mlv_risk_refvalues_build(&r->refvalues, s.obs, s.n, &o);
	free(s.obs);
	if (rc != 0) {
		fprintf(stderr, "mainlevee: cannot build reference unit values from %s\n",
			cfg->db_path);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	mlv_log(MLV_LOG_INFO, "reference unit values",
		"consignments=%zu observations=%llu kept=%zu seconds=%.1f", s.consignments,
		(unsigned long long)s.seen, s.n, secs);
	return 0;
}
