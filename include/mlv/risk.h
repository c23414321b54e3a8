/* risk.h - the risk engine: profiles of rules, lanes with explanations,
 * random selection, watch lists of operators, prohibited and restricted
 * goods, analytics over history, and feedback from inspection results
 * (WCO FoS Standards 4, 5 and 10; TS 2.4.1, 2.4.4, 2.5.2 and 8.1.3).
 *
 * A profile is a text file of rules (format: docs/risk-rules.md).  Loading
 * compiles it into indexes: an HS-prefix trie, an Aho-Corasick automaton
 * over folded text (fold.h) for words and phrases, and hash sets for
 * countries, routes, parties and the small enumerations, so that the work
 * per consignment follows what the consignment matches, not how many
 * rules there are.  A rule fires when all of its criteria hold; its weight
 * adds to the score; the score and the rules' lane floors give the lane.
 *
 * Consumers are not profiled (review proposal 28, FoS Standard 5, and
 * data-protection law): no criterion reads the buyer, and the loader
 * rejects a rule that names one.  The buyer's pseudonymised key is only
 * for mlv_risk_split_check(), whose caller groups consignments by it.
 *
 * Lifetimes and threads: profiles, goods lists, watch lists, reference
 * value tables and operator scores are built once, then read-only and safe
 * to share between threads; replace them (copy on write, published through
 * mlv_risk_live) rather than change them while assessments run.  An assessment copies what it reports except the
 * agency, permit and basis texts of goods-list hits, which are borrowed
 * from the goods list and live as long as it does.
 *
 * Money is int64 minor units.  Doubles appear only for statistics
 * (medians, MADs, rates, precision), never for amounts that are charged. */
#ifndef MLV_RISK_H
#define MLV_RISK_H

#include "mlv/buf.h"
#include "mlv/common.h"
#include "mlv/dataset.h"
#include "mlv/refdata.h"

/* ---- lanes ------------------------------------------------------------ */

/* Ordered: a later lane is a stricter one. */
typedef enum mlv_risk_lane {
	MLV_RISK_GREEN = 0,  /* release on arrival */
	MLV_RISK_YELLOW = 1, /* documentary check */
	MLV_RISK_RED = 2,    /* physical or non-intrusive inspection */
	MLV_RISK_HOLD = 3,   /* do not load / do not release: referral pending */
} mlv_risk_lane;

/* "green", "yellow", "red", "hold". */
const char *mlv_risk_lane_name(mlv_risk_lane lane);

/* ---- profiles ------------------------------------------------------------ */

typedef struct mlv_risk_profile mlv_risk_profile;

#define MLV_RISK_ID_MAX 40	/* rule, entry and profile identifiers */
#define MLV_RISK_EXPLAIN_MAX 320 /* one rendered explanation, NUL included */
#define MLV_RISK_MAX_RULES 100000
#define MLV_RISK_MAX_TEXT (16u << 20) /* bytes of one profile or list file */

/* Parses and compiles a profile from text[0..len); `name` stands for the
 * file in error messages ("name:line: message").  MLV_EINVALID on a
 * malformed profile (err says where and why), MLV_ETOOBIG past the bounds
 * above, MLV_ENOMEM.  rd checks HS codes, countries and currencies. */
int mlv_risk_profile_parse(mlv_risk_profile **out, const char *text, size_t len,
			   const char *name, const mlv_refdata *rd, char *err, size_t errlen);
/* The same from a file (MLV_EIO when it cannot be read). */
int mlv_risk_profile_load(mlv_risk_profile **out, const char *path, const mlv_refdata *rd,
			  char *err, size_t errlen);
void mlv_risk_profile_free(mlv_risk_profile *p);

/* The profile's identifier and version as written in its [profile]
 * section; the store may override the version it records with
 * mlv_risk_profile_set_version() right after parsing. */
const char *mlv_risk_profile_id(const mlv_risk_profile *p);
int64_t mlv_risk_profile_version(const mlv_risk_profile *p);
void mlv_risk_profile_set_version(mlv_risk_profile *p, int64_t version);
/* The currency the profile's amounts are written in: the
 * administration's currency. */
const char *mlv_risk_profile_currency(const mlv_risk_profile *p);

/* What a caller may read of one rule (borrowed from the profile). */
typedef struct mlv_risk_rule_info {
	const char *id;
	int64_t version;
	int weight;
	mlv_risk_lane lane; /* floor on a hit; GREEN when the rule sets none */
	bool enabled;
	const char *explain; /* the template */
	size_t line;	     /* of its [rule ID] header in the profile's text */
	const char *section; /* its section as written, section_len bytes (no NUL) */
	size_t section_len;
	size_t criterion_count; /* criteria as written: mlv_risk_profile_criterion() */
	size_t index;	     /* its position in the profile */
} mlv_risk_rule_info;

size_t mlv_risk_profile_rule_count(const mlv_risk_profile *p);
/* Rule i (in file order); MLV_ENOTFOUND past the end. */
int mlv_risk_profile_rule(const mlv_risk_profile *p, size_t i, mlv_risk_rule_info *out);
/* The rule with this id; MLV_ENOTFOUND when none. */
int mlv_risk_profile_find(const mlv_risk_profile *p, const char *id, mlv_risk_rule_info *out);
/* Criterion k of rule i as written ("hs", "8471 8517"), borrowed;
 * MLV_ENOTFOUND past the end. */
int mlv_risk_profile_criterion(const mlv_risk_profile *p, size_t i, size_t k, const char **key,
			       const char **value);

/* The text the profile was parsed from (NUL-terminated, borrowed), and
 * its [profile] name ("" when none). */
const char *mlv_risk_profile_text(const mlv_risk_profile *p, size_t *len);
const char *mlv_risk_profile_name(const mlv_risk_profile *p);

/* The whole profile as one JSON object, for analysts:
 * {"id","version","name","currency","yellow","red","hold",
 *  "random_percent","random_lane","prohibited_lane","restricted_lane",
 *  "rules":[{"id","version","weight","lane","enabled","explain","line",
 *  "criteria":[{"key","value"}]}]}. */
int mlv_risk_profile_write_json(mlv_buf *b, const mlv_risk_profile *p);

/* ---- profiles: checking and editing a text (rules changed at run time) ---- */

/* One problem of a profile text, at a line. */
typedef struct mlv_risk_text_problem {
	size_t line; /* 1-based; 0 for the text as a whole */
	int code;    /* MLV_EINVALID; MLV_EFORBIDDEN: a criterion on the consumer;
		      * MLV_EEXISTS: an id used twice; MLV_ETOOBIG: past a bound */
	char message[240];
} mlv_risk_text_problem;

#define MLV_RISK_TEXT_PROBLEMS_MAX 100

/* Like mlv_risk_profile_parse, but goes on past a broken line to list up
 * to `max` problems in probs (*count says how many were found, possibly
 * more than max).  0 and *out when the text is a valid profile; else the
 * first problem's code and *out NULL.  MLV_ENOMEM stops at once. */
int mlv_risk_profile_check(mlv_risk_profile **out, const char *text, size_t len,
			   const char *name, const mlv_refdata *rd, mlv_risk_text_problem *probs,
			   size_t max, size_t *count);

/* What mlv_risk_profile_put_rule did. */
typedef struct mlv_risk_rule_edit {
	char id[MLV_RISK_ID_MAX + 1];
	bool exists;	    /* the profile had a rule with this id: it was replaced */
	int64_t old_version; /* its version then */
	bool version_given; /* the section has a version line */
	size_t header_line; /* of [rule ID] in the section as given */
	size_t lines;	    /* from the header to the section's end */
	size_t first_line;  /* of [rule ID] in the new text */
} mlv_risk_rule_edit;

/* A new text for p with one rule put in (appended to out): `section` must
 * be exactly one [rule ID] section of the format (comments allowed, no
 * other section).  It replaces the section of the rule with the same id
 * where p has one, else it is appended.  A section without a `version`
 * line receives one as its last line: 1 for a new rule, else the rule's
 * version, plus one with `bump`.  MLV_EINVALID with a message in err
 * ("line N: ..." of the section) when the section is not one rule; the
 * new text itself is checked by parsing it. */
int mlv_risk_profile_put_rule(mlv_buf *out, const mlv_risk_profile *p, const char *section,
			      size_t len, bool bump, mlv_risk_rule_edit *info, char *err,
			      size_t errlen);
/* A new text for p without rule `id`; MLV_ENOTFOUND when p has none. */
int mlv_risk_profile_remove_rule(mlv_buf *out, const mlv_risk_profile *p, const char *id);

/* What changed from one profile to the next. */
typedef enum mlv_risk_change_kind {
	MLV_RISK_RULE_ADDED = 1,
	MLV_RISK_RULE_REMOVED,
	MLV_RISK_RULE_CHANGED,	/* weight, lane, enabled, explanation or a criterion */
	MLV_RISK_SETTINGS_CHANGED, /* thresholds, random selection, lanes, currency */
} mlv_risk_change_kind;

typedef struct mlv_risk_change {
	mlv_risk_change_kind kind;
	const char *id;	     /* the rule; NULL for settings */
	int64_t old_version; /* 0 when added */
	int64_t new_version; /* 0 when removed */
	size_t line;	     /* in the new text; 0 when removed */
} mlv_risk_change;

/* Calls fn for each change from `from` to `to`, rules in `to`'s order
 * then the removed ones; stops at fn's first non-zero return. */
int mlv_risk_profile_diff(const mlv_risk_profile *from, const mlv_risk_profile *to,
			  int (*fn)(void *ctx, const mlv_risk_change *c), void *ctx);
/* Rule versions only rise: a rule of `to` that changed from `from` must
 * carry a higher version (hits record it, so one version means one rule).
 * MLV_EINVALID listing each offender at its line (*count of them). */
int mlv_risk_profile_check_versions(const mlv_risk_profile *from, const mlv_risk_profile *to,
				    mlv_risk_text_problem *probs, size_t max, size_t *count);

/* ---- prohibited and restricted goods ------------------------------------- */

/* Lists of goods per country or union (data/risk/goods/XX.ini).  A list
 * applies to the administration whose country is the list's own or one
 * of its members (the EU list applies to FR, DE ...).  A prohibited item
 * is never green; a restricted one goes to hold (referral to the agency)
 * unless the consignment carries a document of a type that the entry
 * accepts as its permit, then to yellow (the document is checked). */
typedef struct mlv_risk_goods mlv_risk_goods;

int mlv_risk_goods_new(mlv_risk_goods **out);
/* Adds one list file's text; name is for error messages. */
int mlv_risk_goods_add(mlv_risk_goods *g, const char *text, size_t len, const char *name,
		       const mlv_refdata *rd, char *err, size_t errlen);
/* Builds the indexes once every list is added; MLV_ECONFLICT when called
 * twice.  An uncompiled list is refused by mlv_risk_assess(). */
int mlv_risk_goods_compile(mlv_risk_goods *g);
/* new + add every *.ini file of dir in name order + compile. */
int mlv_risk_goods_load_dir(mlv_risk_goods **out, const char *dir, const mlv_refdata *rd,
			    char *err, size_t errlen);
void mlv_risk_goods_free(mlv_risk_goods *g);
size_t mlv_risk_goods_entry_count(const mlv_risk_goods *g);
/* True when some list applies to the administration of `country`. */
bool mlv_risk_goods_covers(const mlv_risk_goods *g, const char *country);

/* ---- watch lists of operators ---------------------------------------------- */

/* Roles an operator can hold in a consignment.  There is no buyer role:
 * consumers are not on watch lists. */
typedef enum mlv_risk_role {
	MLV_RISK_ROLE_ANY = 0,
	MLV_RISK_ROLE_SELLER,
	MLV_RISK_ROLE_PLATFORM,
	MLV_RISK_ROLE_CARRIER,
	MLV_RISK_ROLE_INTERMEDIARY,
	MLV_RISK_ROLE_FILER,
} mlv_risk_role;
#define MLV_RISK_ROLE_COUNT 6

/* "any", "seller", "platform", "carrier", "intermediary", "filer". */
const char *mlv_risk_role_name(mlv_risk_role role);

typedef struct mlv_risk_watch_entry {
	mlv_risk_role role;	/* ANY matches the operator in every role */
	const char *identifier; /* EORI, VAT, postal code ... ; NULL when none */
	const char *name;	/* NULL when none; one of the two is required */
	const char *reason;	/* required: why the operator is listed */
	int32_t listed;		/* day listed (days since 1970-01-01) */
	int32_t expires;	/* last day the entry applies, inclusive */
	const char *source;	/* case number or analyst; NULL when none */
} mlv_risk_watch_entry;

typedef enum mlv_risk_match {
	MLV_RISK_MATCH_NONE = 0,
	MLV_RISK_MATCH_IDENTIFIER, /* same identifier, case and spaces ignored */
	MLV_RISK_MATCH_NAME,	   /* the very same name */
	MLV_RISK_MATCH_NORMALISED, /* same name once folded (mlv_fold_name) */
} mlv_risk_match;

/* "none", "identifier", "name", "normalised name". */
const char *mlv_risk_match_name(mlv_risk_match m);

typedef struct mlv_risk_watchlist mlv_risk_watchlist;

int mlv_risk_watchlist_new(mlv_risk_watchlist **out);
void mlv_risk_watchlist_free(mlv_risk_watchlist *wl);
/* Copies e in.  MLV_EINVALID when it has neither identifier nor name,
 * no reason, or expires before it was listed. */
int mlv_risk_watchlist_add(mlv_risk_watchlist *wl, const mlv_risk_watch_entry *e);
/* Adds the entries of a tab-separated text (header line
 * "role identifier name reason listed expires source"; docs/risk-rules.md). */
int mlv_risk_watchlist_parse(mlv_risk_watchlist *wl, const char *text, size_t len,
			     const char *name, char *err, size_t errlen);
int mlv_risk_watchlist_load(mlv_risk_watchlist **out, const char *path, char *err,
			    size_t errlen);
size_t mlv_risk_watchlist_count(const mlv_risk_watchlist *wl);
/* The entry that lists the operator in `role` on `day`, or NULL.  Tries
 * the identifier, then the exact name, then the normalised name; *how
 * (when not NULL) says which matched.  The entry is borrowed. */
const mlv_risk_watch_entry *mlv_risk_watchlist_match(const mlv_risk_watchlist *wl,
						     mlv_risk_role role, const char *name,
						     const char *identifier, int32_t day,
						     mlv_risk_match *how);

/* ---- analytics: reference unit values ------------------------------------- */

typedef enum mlv_risk_uv_basis {
	MLV_RISK_UV_PER_KG = 1, /* value per kilogram of net weight */
	MLV_RISK_UV_PER_UNIT,	/* value per unit of quantity */
} mlv_risk_uv_basis;

/* One past item of the history: what the caller's store holds. */
typedef struct mlv_risk_uv_obs {
	char hs6[7];	    /* first six digits of the HS code */
	char origin[3];	    /* country of origin, "" unknown */
	int64_t amount;	    /* item value, minor units of the table's currency */
	int64_t net_weight; /* grams, 0 unknown */
	int64_t quantity;   /* thousandths, 0 unknown */
} mlv_risk_uv_obs;

typedef struct mlv_risk_refvalues_opts {
	const char *currency;	 /* of the amounts */
	mlv_risk_uv_basis basis;
	size_t min_samples;	 /* fewer observations give no reference */
} mlv_risk_refvalues_opts;

#define MLV_RISK_REFVALUES_OPTS_INIT { "EUR", MLV_RISK_UV_PER_KG, 20 }

typedef struct mlv_risk_refvalues mlv_risk_refvalues;

/* Robust reference unit values per (HS6, origin) and per HS6 over all
 * origins: median and median absolute deviation of the observations'
 * unit values.  Observations without the basis (no weight, no quantity)
 * are skipped. */
int mlv_risk_refvalues_build(mlv_risk_refvalues **out, const mlv_risk_uv_obs *obs, size_t n,
			     const mlv_risk_refvalues_opts *opts);
void mlv_risk_refvalues_free(mlv_risk_refvalues *t);

typedef struct mlv_risk_refvalue {
	double median;	   /* minor units per kg or per unit */
	double mad;	   /* median absolute deviation, same unit */
	size_t samples;
	bool all_origins;  /* the origin had too few samples: HS6 over all origins */
} mlv_risk_refvalue;

/* The reference for hs6 from origin (falling back to all origins);
 * MLV_ENOTFOUND when neither has min_samples observations. */
int mlv_risk_refvalue_get(const mlv_risk_refvalues *t, const char *hs6, const char *origin,
			  mlv_risk_refvalue *out);
const char *mlv_risk_refvalues_currency(const mlv_risk_refvalues *t);
mlv_risk_uv_basis mlv_risk_refvalues_basis(const mlv_risk_refvalues *t);

/* How far `declared` (same unit as the reference) lies below it: percent
 * below the median (0 when at or above) and the robust z-score
 * 0.6745 * (declared - median) / MAD (0 when the MAD is 0). */
void mlv_risk_undervaluation(const mlv_risk_refvalue *ref, double declared, double *pct_below,
			     double *robust_z);

/* The observations one stored consignment gives the reference values:
 * one per item with a six-digit HS code and a value, converted to
 * `currency` at the rates of `day`.  Returns are skipped (their values
 * are not market prices).  Writes at most `max`; returns how many. */
size_t mlv_risk_uv_observe(const mlv_consignment *c, const mlv_refdata *rd, const char *currency,
			   int32_t day, mlv_risk_uv_obs *out, size_t max);

/* ---- analytics: split consignments ----------------------------------------- */

/* One consignment of the same buyer.  The caller selects them by the
 * buyer's pseudonymised key, which never enters the engine. */
typedef struct mlv_risk_split_obs {
	const char *id;	  /* LRN or consignment id, to skip the current one */
	int64_t time;	  /* seconds since the epoch (order or filing time) */
	int64_t amount;	  /* goods value, minor units of the threshold's currency */
	const char *seller; /* folded seller name or identifier; NULL unknown */
} mlv_risk_split_obs;

typedef struct mlv_risk_split_opts {
	int64_t window_s;  /* length of the sliding window */
	int64_t threshold; /* the de minimis the parts stay under */
	bool same_seller;  /* count only the current consignment's seller */
} mlv_risk_split_opts;

#define MLV_RISK_SPLIT_OPTS_INIT { 72 * 3600, 15000, false }
#define MLV_RISK_SPLIT_MAX 100000 /* recent consignments considered */

typedef struct mlv_risk_split {
	bool split;	   /* two or more parts, each under, together above */
	size_t count;	   /* consignments in the heaviest window, current included */
	int64_t total;	   /* their goods value */
	int64_t first, last; /* times of the first and last of them */
	int64_t threshold;
	int64_t window_s;
} mlv_risk_split;

/* Finds the window of length window_s that holds `current` and the most
 * value of consignments each at or under the threshold.  A current
 * consignment above the threshold is not a split (it is dutiable anyway).
 * MLV_ETOOBIG past MLV_RISK_SPLIT_MAX recent consignments. */
int mlv_risk_split_check(mlv_risk_split *out, const mlv_risk_split_obs *current,
			 const mlv_risk_split_obs *recent, size_t n,
			 const mlv_risk_split_opts *opts);

/* ---- analytics and feedback: inspection results ----------------------------- */

typedef enum mlv_risk_outcome {
	MLV_RISK_NOTHING_FOUND = 1,
	MLV_RISK_IRREGULARITY, /* wrong value, description, origin ...: revenue */
	MLV_RISK_SEIZURE,
} mlv_risk_outcome;

/* One past control of an operator (never of a consumer). */
typedef struct mlv_risk_result_obs {
	int64_t time; /* seconds since the epoch */
	mlv_risk_outcome outcome;
} mlv_risk_result_obs;

typedef struct mlv_risk_opscore_opts {
	int64_t now;
	int half_life_days;  /* older results weigh less: half as much per half-life */
	double prior_controls; /* pseudo-controls at the prior rate: shrinks small histories */
	double prior_rate;   /* share of controls that find something, all operators */
} mlv_risk_opscore_opts;

#define MLV_RISK_OPSCORE_OPTS_INIT { 0, 180, 10.0, 0.05 }

typedef struct mlv_risk_opscore {
	int score;	    /* 0..100: smoothed percent of controls that find something */
	double rate;	    /* the same as a share */
	double weight;	    /* decayed number of controls behind it */
	size_t controls, findings, seizures; /* raw counts */
} mlv_risk_opscore;

/* An operator's score from its results: decayed findings (a seizure
 * counts twice) over decayed controls, shrunk toward the prior rate. */
int mlv_risk_operator_score(mlv_risk_opscore *out, const mlv_risk_result_obs *hist, size_t n,
			    const mlv_risk_opscore_opts *opts);

/* The operators of a consignment, by role (index: mlv_risk_role; ANY is
 * unused): names and identifiers as declared, borrowed from c.  The filer
 * is `filer` (name and identifier both).  There is no buyer role. */
typedef struct mlv_risk_parties {
	const char *name[MLV_RISK_ROLE_COUNT];
	const char *identifier[MLV_RISK_ROLE_COUNT];
} mlv_risk_parties;

void mlv_risk_parties_of(mlv_risk_parties *out, const mlv_consignment *c, const char *filer);

/* Operator scores for the engine: one entry per operator and role,
 * keyed as party criteria compare operators (the identifier, case and
 * spaces ignored, when there is one; else the folded name), built from
 * the results of past controls, then read-only and safe to share between
 * threads.  A prior_rate below 0 in the options means "the share of all
 * the controls added that found something", itself shrunk toward 5% by
 * 100 pseudo-controls (an empirical prior that a few results cannot
 * swing). */
typedef struct mlv_risk_opscores mlv_risk_opscores;

int mlv_risk_opscores_new(mlv_risk_opscores **out, const mlv_risk_opscore_opts *opts);
void mlv_risk_opscores_free(mlv_risk_opscores *t);
/* One control's result, for each operator of the consignment.  MLV_EINVALID
 * on an unknown outcome; MLV_ECONFLICT once finished. */
int mlv_risk_opscores_add(mlv_risk_opscores *t, const mlv_risk_parties *parties, int64_t time,
			  mlv_risk_outcome outcome);
/* Scores every operator once the results are added (then the table is
 * read-only).  MLV_ECONFLICT when called twice. */
int mlv_risk_opscores_finish(mlv_risk_opscores *t);

typedef struct mlv_risk_operator {
	mlv_risk_role role;
	const char *key;  /* "id:IE1234567X" or the folded name, as a party criterion */
	const char *name; /* as last declared; NULL when only the identifier is known */
	mlv_risk_opscore score;
} mlv_risk_operator;

size_t mlv_risk_opscores_count(const mlv_risk_opscores *t);
/* Entry i, riskiest first (score, then weight of evidence, then key);
 * MLV_ENOTFOUND past the end. */
int mlv_risk_opscores_at(const mlv_risk_opscores *t, size_t i, mlv_risk_operator *out);
/* The operator in `role` with this identifier, else this name;
 * MLV_ENOTFOUND when it has no result. */
int mlv_risk_opscores_get(const mlv_risk_opscores *t, mlv_risk_role role, const char *name,
			  const char *identifier, mlv_risk_operator *out);
/* The prior rate used, and the number of controls added. */
double mlv_risk_opscores_prior(const mlv_risk_opscores *t);
uint64_t mlv_risk_opscores_controls(const mlv_risk_opscores *t);

/* Per-rule statistics the store keeps and updates. */
typedef struct mlv_risk_rule_stats {
	uint64_t hits;	   /* consignments the rule fired on */
	uint64_t controls; /* of those, controlled with a recorded result */
	uint64_t findings; /* of those, an irregularity or a seizure */
	uint64_t seizures;
	int64_t revenue;   /* recovered, minor units of the administration's currency */
} mlv_risk_rule_stats;

/* At assessment: once per hit.  At the inspection result: once per rule
 * that hit the controlled consignment.  MLV_EINVALID on an unknown
 * outcome or a negative revenue. */
void mlv_risk_stats_hit(mlv_risk_rule_stats *s);
int mlv_risk_stats_result(mlv_risk_rule_stats *s, mlv_risk_outcome outcome, int64_t revenue);

typedef struct mlv_risk_perf_opts {
	uint64_t assessed;     /* consignments assessed in the period (for the hit rate) */
	uint64_t min_controls; /* fewer controls: no advice yet */
	double review_below;   /* precision whose 95% interval lies wholly below: review */
	double target;	       /* precision a rule's weight is calibrated for */
} mlv_risk_perf_opts;

#define MLV_RISK_PERF_OPTS_INIT { 0, 30, 0.05, 0.20 }

typedef struct mlv_risk_perf {
	double hit_rate;      /* hits / assessed, 0 when assessed is 0 */
	double precision;     /* findings / controls */
	double precision_lo;  /* Wilson 95% interval */
	double precision_hi;
	int64_t yield;	      /* revenue per control, minor units */
	bool review;	      /* precision stays low: flag the rule for review */
	int suggested_weight; /* the weight, or a change toward the target */
	char advice[200];     /* one English sentence */
} mlv_risk_perf;

/* Precision, its interval, yield and a suggested weight (docs/risk-rules.md,
 * "Feedback"): with enough controls, a rule whose interval lies above
 * the target gains weight, one below it loses weight, in proportion to
 * precision / target and never more than doubled or halved. */
int mlv_risk_stats_perf(mlv_risk_perf *out, const mlv_risk_rule_stats *s, int weight,
			const mlv_risk_perf_opts *opts);
/* {"rule":..,"version":..,"hits":..,...,"advice":..} */
int mlv_risk_perf_write_json(mlv_buf *b, const char *rule_id, int64_t version,
			     const mlv_risk_rule_stats *s, const mlv_risk_perf *perf);

/* ---- analytics: multi-party mismatch (the three-document check) ------------- */

/* Kinds of contradiction, as bits. */
#define MLV_RISK_MM_VALUE 0x01u	      /* invoice totals differ */
#define MLV_RISK_MM_PAYMENT 0x02u     /* paid amount vs goods + shipping + insurance */
#define MLV_RISK_MM_QUANTITY 0x04u    /* total quantities differ */
#define MLV_RISK_MM_WEIGHT 0x08u      /* gross weights differ */
#define MLV_RISK_MM_DESCRIPTION 0x10u /* descriptions share too few words */
#define MLV_RISK_MM_PARTY 0x20u	      /* sellers differ */
#define MLV_RISK_MM_ALL 0x3Fu

typedef struct mlv_risk_mismatch_opts {
	int32_t day;	       /* exchange rates when currencies differ */
	int value_tolerance_pct;  /* money differences up to this share are noise */
	int weight_tolerance_pct;
	int min_overlap_pct;   /* shared words / words of the shorter description */
} mlv_risk_mismatch_opts;

#define MLV_RISK_MISMATCH_OPTS_INIT { 0, 2, 10, 34 }
#define MLV_RISK_MISMATCH_DETAILS 8

typedef struct mlv_risk_mismatch {
	unsigned mask; /* MLV_RISK_MM_* */
	char detail[MLV_RISK_MISMATCH_DETAILS][200]; /* one sentence per contradiction */
	size_t detail_count;
} mlv_risk_mismatch;

/* Compares what different filers declared about one consignment: the
 * order (platform or seller), the payment (payment service provider) and
 * the transport (carrier or post), each decoded into its own consignment
 * with only the parts that filer knows.  sources[i] names part i in the
 * details ("order", "payment", "transport"). Every pair of parts that both
 * hold an element is compared. */
int mlv_risk_mismatch_check(mlv_risk_mismatch *out, const mlv_consignment *const *parts,
			    const char *const *sources, size_t n, const mlv_refdata *rd,
			    const mlv_risk_mismatch_opts *opts);

/* ---- the live state: swapped while filings are assessed ------------------- */

/* What the engine reads that changes at run time - the profile (a new
 * version from an analyst), the reference values and the operator scores
 * (rebuilt from the history on a schedule) - published for the
 * assessments that start from then on.  Read-copy-update: a snapshot
 * holds a reference to each object it took, so an assessment in flight
 * keeps what it started with, and a replaced object is freed by the last
 * release.  Acquiring takes one short lock; nothing blocks for long. */
typedef struct mlv_risk_live mlv_risk_live;

typedef struct mlv_risk_snapshot {
	const mlv_risk_profile *profile;     /* NULL: none published */
	const mlv_risk_refvalues *refvalues; /* NULL: none yet */
	const mlv_risk_opscores *opscores;   /* NULL: none yet */
	uint64_t generation;		     /* publications before this snapshot */
	void *held_[3];			     /* private */
} mlv_risk_snapshot;

int mlv_risk_live_new(mlv_risk_live **out);
/* Frees the holder and what it owns; every snapshot must be released. */
void mlv_risk_live_free(mlv_risk_live *l);
/* Publishes an object (NULL withdraws it).  With own, the holder frees it
 * once replaced and released; without, the caller keeps it alive until
 * mlv_risk_live_free.  MLV_ENOMEM leaves everything as it was (and the
 * object the caller's). */
int mlv_risk_live_publish_profile(mlv_risk_live *l, mlv_risk_profile *p, bool own);
int mlv_risk_live_publish_refvalues(mlv_risk_live *l, mlv_risk_refvalues *t, bool own);
int mlv_risk_live_publish_opscores(mlv_risk_live *l, mlv_risk_opscores *t, bool own);
/* A consistent snapshot of the three; release it when done with them. */
void mlv_risk_live_acquire(mlv_risk_live *l, mlv_risk_snapshot *out);
void mlv_risk_live_release(mlv_risk_live *l, mlv_risk_snapshot *s);
uint64_t mlv_risk_live_generation(mlv_risk_live *l);

/* ---- assessment ------------------------------------------------------------- */

typedef enum mlv_risk_hit_kind {
	MLV_RISK_HIT_RULE = 1,	  /* a rule of the profile */
	MLV_RISK_HIT_PROHIBITED, /* an entry of a prohibited-goods list */
	MLV_RISK_HIT_RESTRICTED, /* an entry of a restricted-goods list */
} mlv_risk_hit_kind;

/* ---- AEO ------------------------------------------------------------------
 * An authorised economic operator's status lowers the risk of what it
 * files by a documented factor (docs/operators.md, "AEO in the risk
 * engine"): the score of the rules that hit is multiplied by
 * factor_percent / 100 (rounded down) and the lane recomputed from it, but
 * never below the floor a hit sets (a prohibited item stays red or
 * stricter, a rule's lane stays), and not at all when a watch-list,
 * prohibited-goods or restricted-goods hit is present: those keep their
 * full weight.  Who is recognised is the caller's business (operators.h);
 * the engine only applies and explains. */
typedef struct mlv_risk_aeo {
	bool recognised;	 /* an AEO that this administration recognises today */
	unsigned factor_percent; /* share of the score kept, 1..100 (100: no effect) */
	char party[16];		 /* whose status: "filer" */
	char type[12];		 /* "customs", "security", "full" */
	char certificate[36];
	char country[3];	 /* issuing country */
	char basis[200];	 /* "domestic", "union (EU)", "MRA 3 (...)", or why not */
} mlv_risk_aeo;

/* What the caller knows beyond the consignment.  Unknown values keep
 * their _INIT defaults; a criterion on an unknown value does not hold. */
typedef struct mlv_risk_input {
	const char *filer;	/* the filer's identifier or name; NULL unknown */
	const char *country;	/* the administration's country (destination) */
	int32_t day;		/* assessment day: exchange rates, watch-list expiry */
	int quality;		/* data-quality score 0..100 (validate.h); -1 unknown */
	bool lead_known;
	int64_t lead_hours;	/* hours filed before expected arrival; <0 after */
	unsigned mismatch;	/* MLV_RISK_MM_* from mlv_risk_mismatch_check */
	int aeo;		/* 1 the filer is an AEO, 0 not, -1 unknown */
	int operator_score;	/* 0..100 from mlv_risk_operator_score; -1 unknown */
	const mlv_risk_split *split;	       /* NULL: not checked */
	const mlv_risk_refvalues *refvalues;   /* NULL: no undervaluation rules */
	const mlv_risk_watchlist *watch;       /* NULL: no watch-list rules */
	const mlv_risk_goods *goods;	       /* NULL: no goods lists */
	uint64_t random_key[2];	/* the instance's secret: draws cannot be predicted */
	const char *identity;	/* what the draw hashes; NULL: filer + "/" + LRN */
	const mlv_risk_aeo *aeo_status; /* the filer's AEO status; NULL: no AEO effect */
	/* Scores of the consignment's operators, looked up by the engine for
	 * operator_score_min/max; NULL: only operator_score above counts. */
	const mlv_risk_opscores *opscores;
} mlv_risk_input;

#define MLV_RISK_INPUT_INIT \
	{ NULL, "", 0, -1, false, 0, 0, -1, -1, NULL, NULL, NULL, NULL, {0, 0}, NULL, NULL, NULL }

typedef struct mlv_risk_hit {
	mlv_risk_hit_kind kind;
	char rule_id[MLV_RISK_ID_MAX + 1];
	int64_t version;
	int weight;
	mlv_risk_lane lane; /* the floor this hit sets, GREEN when none */
	long item;	    /* 0-based item index, -1 for the consignment */
	char list[4];	    /* goods lists: the list's country ("EU") */
	const char *agency; /* restricted: the agency; borrowed */
	const char *permit; /* restricted: the permit required; borrowed */
	const char *basis;  /* goods lists: legal basis and URLs; borrowed */
	bool permit_present; /* restricted: a document of an accepted type is there */
	char explanation[MLV_RISK_EXPLAIN_MAX];
} mlv_risk_hit;

#define MLV_RISK_MAX_HITS 256

typedef struct mlv_risk_assessment {
	char profile_id[MLV_RISK_ID_MAX + 1];
	int64_t profile_version;
	int score;		 /* sum of the hits' weights, at least 0 */
	mlv_risk_lane lane;	 /* the outcome */
	mlv_risk_lane score_lane; /* what the score alone gives */
	bool random;		 /* green by risk, sent to control by the random draw */
	uint32_t random_ppm;	 /* the selection rate used (parts per million) */
	bool prohibited;	 /* a prohibited-goods hit */
	bool restricted;	 /* a restricted-goods hit */
	mlv_risk_hit *hits;	 /* strongest first; owned, freed by _clear */
	size_t hit_count;
	size_t hits_dropped;	 /* past MLV_RISK_MAX_HITS: counted in the score only */
	/* The AEO effect (mlv_risk_input.aeo_status); aeo_explanation is ""
	 * when the input named no AEO. */
	bool aeo;		 /* the filer is a recognised AEO */
	bool aeo_applied;	 /* its factor lowered the score */
	unsigned aeo_factor_percent;
	int score_before_aeo;
	char aeo_explanation[MLV_RISK_EXPLAIN_MAX];
} mlv_risk_assessment;

/* Assesses c under profile p.  Fills *out (release it with
 * mlv_risk_assessment_clear, also after a failure).  MLV_EINVALID when
 * the goods list is not compiled, MLV_ENOMEM. */
int mlv_risk_assess(mlv_risk_assessment *out, const mlv_risk_profile *p,
		    const mlv_consignment *c, const mlv_risk_input *in, const mlv_refdata *rd);
void mlv_risk_assessment_clear(mlv_risk_assessment *a);

/* The random draw alone: true when `identity` falls in the first `ppm`
 * parts per million under `key` (SipHash-2-4, so the same identity always
 * receives the same answer and nobody without the key can predict it). */
bool mlv_risk_random_draw(const uint64_t key[2], const char *identity, size_t len, uint32_t ppm);

/* Appends the assessment as one JSON object:
 * {"profile":{"id":..,"version":..},"score":..,"lane":..,"score_lane":..,
 *  "random":..,"random_rate":"1.0000","prohibited":..,"restricted":..,
 *  "hits":[{"kind":..,"rule":..,"version":..,"weight":..,"lane":..,
 *  "pointer":..,"explanation":.., goods lists: "list","agency","permit",
 *  "permit_present","basis"}],"hits_dropped":..} and, when the input
 * named an AEO, "aeo":{"recognised":..,"applied":..,"factor":"0.50",
 * "score_before":..,"explanation":..}. */
int mlv_risk_assessment_write_json(mlv_buf *b, const mlv_risk_assessment *a);

/* ---- reading the goods lists (risk_goods.c) ------------------------------- */

/* One entry of a goods list as published: what it covers and on which
 * legal basis.  Borrowed from the goods lists; lives as long as they do. */
typedef struct mlv_risk_goods_entry {
	const char *id;
	mlv_risk_hit_kind kind;	 /* MLV_RISK_HIT_PROHIBITED or _RESTRICTED */
	const char *list;	 /* the list's country ("EU", "FR") */
	const char *list_name;	 /* "European Union" */
	const char *agency;	 /* restricted: the agency; NULL when none is named */
	const char *permit;	 /* restricted: the permit or licence; NULL */
	const char *basis;	 /* legal basis lines, then URLs, "; "-joined */
	const char *explain;	 /* the explanation template */
	const char *const *hs;	 /* HS prefixes (2 to 10 digits); none: by words only */
	size_t hs_count;
	const char *const *words; /* phrases as written ("batter*"); none: any text */
	size_t word_count;
	unsigned channels;	 /* bit 1 << MLV_CH_*: only these channels; 0 every one */
	bool other_criteria;	 /* origins, values, weights, routes ... also decide */
	bool enabled;
} mlv_risk_goods_entry;

/* How an entry concerns an HS code. */
typedef enum mlv_risk_goods_match {
	MLV_RISK_MATCH_HS = 1,	 /* one of its prefixes covers the code */
	MLV_RISK_MATCH_WITHIN,	 /* it covers a finer line under the code */
	MLV_RISK_MATCH_WORDS,	 /* it goes by words, and the description holds one */
} mlv_risk_goods_match;

/* Entry i (0 .. mlv_risk_goods_entry_count - 1), in list then file order;
 * MLV_ENOTFOUND past the end. */
int mlv_risk_goods_entry_at(const mlv_risk_goods *g, size_t i, mlv_risk_goods_entry *out);

/* Calls fn for every enabled entry of the lists that apply to the
 * administration of `country` (its own and its union's) that concerns
 * the code hs (2 to 10 digits): by HS prefix, or, for an entry that goes
 * by words alone, when `description` (the code's descriptions; NULL for
 * none) holds one of its words and none of its not_words.  `word` is the
 * phrase found (MLV_RISK_MATCH_WORDS), else NULL.  Stops at fn's first
 * non-zero answer and returns it; MLV_EINVALID for a malformed code or an
 * uncompiled list, MLV_ENOMEM. */
int mlv_risk_goods_for_code(const mlv_risk_goods *g, const char *country, const char *hs,
			    const char *description,
			    int (*fn)(void *ctx, const mlv_risk_goods_entry *e,
				      mlv_risk_goods_match how, const char *word),
			    void *ctx);

#endif
