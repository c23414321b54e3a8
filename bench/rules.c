/* rules.c - mlv-bench-rules: how the risk engine's cost per consignment
 * grows with the number of rules (make bench, issue 4's "100, 1,000 and
 * 10,000 rules" figure).
 *
 * It generates consignments with the same generator as `mainlevee
 * generate`, decodes them once (not timed), then for each rule count
 * builds a profile of synthetic rules mixing every index the engine
 * compiles (HS-prefix trie, keyword automaton, party hash sets, routes
 * and value bounds), and times mlv_risk_assess over all consignments on
 * one thread.  The best of several rounds is reported: the minimum is
 * what the code costs, the rest is the machine's noise.
 *
 *   mlv-bench-rules [--consignments N] [--rounds R] [--mix all|nomenclature|traded]
 *                   [RULES ...]
 *
 * Output, for each of the two rule mixes (HS codes over the whole
 * nomenclature, and HS codes drawn from the traded goods): one line per
 * rule count, then the cost ratio of the largest to the smallest count.
 * --mix measures one of the two mixes only (to profile it alone).
 * Exits 1 on any error. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mlv/arena.h"
#include "mlv/buf.h"
#include "mlv/codec.h"
#include "mlv/generate.h"
#include "mlv/problems.h"
#include "mlv/refdata.h"
#include "mlv/risk.h"

#define MAX_COUNTS 8

static uint64_t rng_state;

/* xorshift64*: deterministic rule sets from one run to the next; each
 * profile is seeded by its mix and size alone, so that it is the same
 * whichever other counts and mixes the command line asks for. */
static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dULL) >> 32) % n;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const origins[] = {"CN", "HK", "VN", "TR", "IN", "US", "GB", "BD"};
static const char *const words[] = {"battery", "lithium", "knife", "replica", "perfume",
				    "cable", "toy", "charger", "watch", "sneakers"};

/* A profile of n rules: HS prefixes, keywords, sellers, routes and value
 * bounds.  `traded`: the HS codes are drawn from the consignments' own
 * codes (rules aimed at what is actually shipped, so more of them apply
 * to each consignment as they grow); otherwise from the whole HS 2022
 * nomenclature. */
static char *build_profile(int n, const mlv_consignment *cs, size_t ncs, bool traded,
			   const mlv_refdata *rd)
{
	mlv_buf t = MLV_BUF_INIT(SIZE_MAX);
	rng_state = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)n << 1) ^ (traded ? 1 : 0);
	int rc = mlv_buf_adds(&t, "[profile]\nid = bench\nversion = 1\ncurrency = EUR\n"
				  "yellow = 30\nred = 60\nhold = 100\nrandom_percent = 0\n");
	for (int i = 0; i < n && rc == 0; i++) {
		const mlv_consignment *c = &cs[rnd((uint32_t)ncs)];
		const char *hs = mlv_hs6_at(rd, rnd((uint32_t)mlv_hs6_count(rd)));
		if (traded && c->item_count > 0)
			hs = c->items[0].hs_code;
		const char *o = origins[rnd(MLV_ARRAY_LEN(origins))];
		rc = mlv_buf_printf(&t, "[rule B%d]\nversion = 1\nweight = 5\n", i);
		if (rc != 0)
			break;
		switch (i % 5) {
		case 0:
			rc = mlv_buf_printf(&t, "explain = {hs}\nhs = %.4s\norigin = %s\n"
						"unit_value_max = %u.00\n",
					    hs, o, 1 + rnd(50));
			break;
		case 1:
			rc = mlv_buf_printf(&t, "explain = {word}\nwords = zq%dx | kw%dv* | %s %s\n", i,
					    i, words[rnd(MLV_ARRAY_LEN(words))],
					    words[rnd(MLV_ARRAY_LEN(words))]);
			break;
		case 2:
			rc = mlv_buf_printf(&t, "explain = seller\nseller = Bench Seller %d Co Ltd\n", i);
			break;
		case 3:
			rc = mlv_buf_printf(&t, "explain = {hs}\nhs = %.6s\nwords = %s\n", hs,
					    words[rnd(MLV_ARRAY_LEN(words))]);
			break;
		default:
			rc = mlv_buf_printf(&t, "explain = route\nroute = %s>FR\nvalue_min = %u.00\n"
						"hs = %.2s\n",
					    o, rnd(1000), hs);
			break;
		}
	}
	if (rc != 0) {
		mlv_buf_free(&t);
		return NULL;
	}
	return mlv_buf_detach(&t, NULL);
}

typedef struct result {
	double seconds;	 /* best round */
	double hits;	 /* hits per consignment */
} result;

static int run(const mlv_risk_profile *p, const mlv_consignment *cs, size_t n, int rounds,
	       const mlv_refdata *rd, result *out)
{
	mlv_risk_input in = MLV_RISK_INPUT_INIT;
	in.country = "FR";
	in.day = mlv_fx_last_day(rd);
	in.filer = "BENCH";
	out->seconds = 1e30;
	out->hits = 0;
	for (int r = 0; r < rounds; r++) {
		size_t hits = 0;
		double t0 = now_s();
		for (size_t i = 0; i < n; i++) {
			mlv_risk_assessment a;
			int rc = mlv_risk_assess(&a, p, &cs[i], &in, rd);
			hits += a.hit_count + a.hits_dropped;
			mlv_risk_assessment_clear(&a);
			if (rc != 0)
				return rc;
		}
		double dt = now_s() - t0;
		if (dt < out->seconds)
			out->seconds = dt;
		out->hits = (double)hits / (double)n;
	}
	return 0;
}

/* One rule mix at every rule count; prints a line per count and the
 * cost ratio of the largest count to the smallest. */
static int measure(bool traded, const long *counts, int ncounts, const mlv_consignment *cs,
		   size_t ncs, int rounds, const mlv_refdata *rd)
{
	char err[512];
	double first = 0, last = 0;
	printf("rule mix: HS codes drawn from %s\n",
	       traded ? "the traded goods" : "the whole HS 2022 nomenclature");
	for (int k = 0; k < ncounts; k++) {
		char *textp = build_profile((int)counts[k], cs, ncs, traded, rd);
		mlv_risk_profile *p = NULL;
		if (textp == NULL ||
		    mlv_risk_profile_parse(&p, textp, strlen(textp), "bench", rd, err, sizeof(err)) != 0) {
			fprintf(stderr, "mlv-bench-rules: profile of %ld rules: %s\n", counts[k],
				textp ? err : "out of memory");
			free(textp);
			return -1;
		}
		free(textp);
		result r;
		int rc = run(p, cs, ncs, rounds, rd, &r);
		mlv_risk_profile_free(p);
		if (rc != 0) {
			fprintf(stderr, "mlv-bench-rules: assessment failed (%d)\n", rc);
			return -1;
		}
		double each = r.seconds / (double)ncs;
		printf("  rules %6ld: %9.0f consignments/s per core, %6.2f us each, %.2f hits each\n",
		       counts[k], 1.0 / each, each * 1e6, r.hits);
		if (k == 0)
			first = each;
		last = each;
	}
	if (ncounts > 1)
		printf("  cost of %ld rules / %ld rules: x%.2f\n", counts[ncounts - 1], counts[0],
		       last / first);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: mlv-bench-rules [--consignments N] [--rounds R]\n"
			"                       [--mix all|nomenclature|traded] [RULES ...]\n"
			"  RULES: rule counts to measure (default 100 1000 10000)\n");
	return 2;
}

int main(int argc, char **argv)
{
	long ncs = 20000, rounds = 5;
	long counts[MAX_COUNTS];
	int ncounts = 0;
	int mix_from = 0, mix_to = 1; /* 0 nomenclature, 1 traded */
	for (int i = 1; i < argc; i++) {
		char *end;
		if (strcmp(argv[i], "--mix") == 0 && i + 1 < argc) {
			const char *m = argv[++i];
			bool all = strcmp(m, "all") == 0;
			if (!all && strcmp(m, "nomenclature") != 0 && strcmp(m, "traded") != 0)
				return usage();
			mix_from = all || m[0] == 'n' ? 0 : 1;
			mix_to = all || m[0] == 't' ? 1 : 0;
		} else if ((strcmp(argv[i], "--consignments") == 0 || strcmp(argv[i], "--rounds") == 0) &&
		    i + 1 < argc) {
			long v = strtol(argv[i + 1], &end, 10);
			if (*end != '\0' || v < 1 || v > 10000000)
				return usage();
			*(argv[i][2] == 'c' ? &ncs : &rounds) = v;
			i++;
		} else {
			long v = strtol(argv[i], &end, 10);
			if (*end != '\0' || v < 1 || v > 1000000 || ncounts == MAX_COUNTS)
				return usage();
			counts[ncounts++] = v;
		}
	}
	if (ncounts == 0) {
		counts[0] = 100;
		counts[1] = 1000;
		counts[2] = 10000;
		ncounts = 3;
	}

	char err[512];
	mlv_refdata *rd = NULL;
	if (mlv_refdata_load(&rd, MLV_DATADIR, err, sizeof(err)) != 0) {
		fprintf(stderr, "mlv-bench-rules: %s\n", err);
		return 1;
	}
	mlv_generator *g = NULL;
	mlv_generate_opts go = MLV_GENERATE_OPTS_INIT;
	go.valid_only = true;
	mlv_arena *arena = mlv_arena_new((size_t)ncs * 2048);
	mlv_consignment *cs = calloc((size_t)ncs, sizeof(*cs));
	if (arena == NULL || cs == NULL || mlv_generator_new(&g, rd, &go) != 0) {
		fprintf(stderr, "mlv-bench-rules: out of memory\n");
		return 1;
	}
	static char line[16384];
	for (long i = 0; i < ncs; i++) {
		mlv_anomaly label;
		int len = mlv_generator_next(g, line, sizeof(line), &label);
		mlv_problems probs;
		mlv_problems_init(&probs);
		int rc = len < 0 ? len
				 : mlv_consignment_decode(&cs[i], line, (size_t)len, arena, rd, &probs);
		mlv_problems_clear(&probs);
		if (rc != 0) {
			fprintf(stderr, "mlv-bench-rules: consignment %ld does not decode\n", i + 1);
			return 1;
		}
	}
	mlv_generator_free(g);

	printf("risk assessment, one thread, %ld generated consignments, best of %ld rounds\n", ncs,
	       rounds);
	for (int mix = mix_from; mix <= mix_to; mix++) {
		if (measure(mix == 1, counts, ncounts, cs, (size_t)ncs, (int)rounds, rd) != 0)
			return 1;
	}
	free(cs);
	mlv_arena_free(arena);
	mlv_refdata_free(rd);
	return 0;
}

