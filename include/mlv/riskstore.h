/* riskstore.h - the risk engine's state kept in a store: the stored
 * versions of the risk profile, and the analytics built from the stored
 * history - reference unit values (undervaluation) and operator scores
 * (inspection results).  Shared by the server (at start, on each change of
 * the rules and on its refresh schedule) and the commands (`file`,
 * `rules`).  Everything goes through store.h, so any store driver works.
 *
 * The builders read a whole history: give them a connection of their own
 * (a read-only one is enough) and expect seconds per million consignments.
 * What they build is new and the caller's; publish it (mlv_risk_live) or
 * free it. */
#ifndef MLV_RISKSTORE_H
#define MLV_RISKSTORE_H

#include "mlv/refdata.h"
#include "mlv/risk.h"
#include "mlv/store.h"

/* ---- the profile's versions ------------------------------------------------------- */

/* The newest stored version of the profile, parsed, its version set to the
 * stored number (and the version's record in *v).  MLV_ENOTFOUND when no
 * version is stored; MLV_EINVALID, with the first problem in err, when the
 * stored text no longer loads (the reference data changed under it). */
int mlv_riskstore_load_rules(mlv_store *st, const mlv_refdata *rd, mlv_risk_profile **out,
			     mlv_rules_version *v, char *err, size_t errlen);

/* The version in force: the newest stored, else `configured` (a profile
 * read from a file, borrowed), which is then stored as the first version
 * ("system", "first version, from <source>") so that every version that
 * was ever in force stays readable.  *out is a new profile (the caller's),
 * *seeded says whether the configured one was stored just now. */
int mlv_riskstore_load_or_seed(mlv_store *st, const mlv_refdata *rd,
			       const mlv_risk_profile *configured, const char *source,
			       int64_t now_ms, mlv_risk_profile **out, mlv_rules_version *v,
			       bool *seeded, char *err, size_t errlen);

/* The number a new version takes: one above the newest stored and above
 * `live` (the version in force, which may come from a file). */
int mlv_riskstore_next_version(mlv_store *st, int64_t live, int64_t *out);

/* Stores p's text as version `version` (then p carries that version), made
 * by `actor` at now_ms, with a one-line summary of the change; fills *v.
 * MLV_ECONFLICT when another version took that number first. */
int mlv_riskstore_save_rules(mlv_store *st, mlv_risk_profile *p, int64_t version,
			     const char *actor, const char *summary, int64_t now_ms,
			     mlv_rules_version *v);

/* ---- analytics from the history ------------------------------------------------------ */

typedef struct mlv_riskstore_opts {
	const mlv_refdata *rd;
	const char *currency;	 /* the administration's: values are converted into it */
	size_t min_samples;	 /* reference values: fewer observations give none */
	size_t max_observations; /* reference values: past this, a uniform sample */
	mlv_risk_opscore_opts opscore; /* now 0: the time of the build */
	/* Polled while reading; true abandons the build with MLV_EBUSY (the
	 * server is stopping).  NULL: never. */
	bool (*stopping)(void *ctx);
	void *stop_ctx;
} mlv_riskstore_opts;

#define MLV_RISKSTORE_OPTS_INIT \
	{ NULL, "EUR", 20, 2000000, { 0, 180, 10.0, -1.0 }, NULL, NULL }

typedef struct mlv_riskstore_stats {
	size_t consignments;   /* read */
	uint64_t observations; /* reference values: item values offered */
	size_t kept;	       /* reference values: kept in the sample */
	uint64_t results;      /* operator scores: inspection results read */
	size_t operators;      /* operator scores: operators and roles scored */
	double seconds;
} mlv_riskstore_stats;

/* Reference unit values (median and MAD per HS6 and origin, per kg) from
 * every stored consignment but returns, one observation per item
 * (mlv_risk_uv_observe) at today's exchange rates; *out NULL when the
 * history holds none.  Memory is bounded by max_observations: past it a
 * reservoir sample of the whole history is kept, which is what a median
 * needs. */
int mlv_riskstore_refvalues(mlv_risk_refvalues **out, mlv_store *st,
			    const mlv_riskstore_opts *o, mlv_riskstore_stats *stats);

/* Operator scores from every inspection result: each result counts for
 * every operator of the consignment it closed (seller, platform, carrier,
 * intermediary, and the filer as "filer:<id>", as filings name it).
 * *out is a finished table, possibly empty. */
int mlv_riskstore_opscores(mlv_risk_opscores **out, mlv_store *st, const mlv_riskstore_opts *o,
			   mlv_riskstore_stats *stats);

#endif
