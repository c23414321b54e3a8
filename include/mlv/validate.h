/* validate.h - the rules a consignment must keep beyond its element types
 * (FoS Standard 3, data quality), and its data-quality score.
 *
 * Run after a decode without errors.  Errors reject the filing; warnings
 * lower its score and are listed as weak elements.  The rules:
 *  - arithmetic: the item values add up to the invoice total (exactly for
 *    one line, within one minor unit for each further line in the same
 *    currency, 2% across currencies); net weight
 *    is not above gross weight; the payment covers goods, shipping and
 *    insurance (warning);
 *  - category: a low-value consignment whose goods value exceeds the
 *    instance's ceiling is an error; a documents consignment carries no
 *    goods of commercial value;
 *  - a return names the LRN it returns (original_lrn);
 *  - dates: an order date in the future is an error; an expected arrival
 *    already past at filing is a warning.
 * The score (0-100) weighs completeness 40%, consistency 30% and
 * timeliness 30% (docs/dataset.md, "Data quality"). */
#ifndef MLV_VALIDATE_H
#define MLV_VALIDATE_H

#include "mlv/dataset.h"
#include "mlv/problems.h"
#include "mlv/refdata.h"

struct mlv_profile;
struct mlv_risk_profile;
struct mlv_risk_goods;
struct mlv_risk_watchlist;
struct mlv_operators;
struct mlv_risk_opscores;

/* The administration's settings that filings are checked and assessed
 * against. */
typedef struct mlv_validate_opts {
	const char *currency;      /* the administration's currency */
	int64_t low_value_ceiling; /* in its minor units */
	int64_t now;               /* filing time, seconds since the epoch */
	int64_t timely_hours;      /* lead time that earns full timeliness */
	const struct mlv_profile *profile; /* its duty and tax rules; NULL: not assessed */
	const char *country;       /* its ISO code, for the risk engine */
	const struct mlv_risk_profile *risk; /* its risk profile; NULL: no risk assessment */
	const struct mlv_risk_goods *goods;  /* prohibited and restricted goods */
	const struct mlv_risk_watchlist *watch;
	const struct mlv_risk_refvalues *refvalues; /* past unit values; NULL: none */
	uint64_t random_key[2];    /* secret of the random selection and buyer keys */
	/* Split consignments: the goods values (minor units of `currency`) and
	 * filing times (ms) of the consignments filed since since_ms for the
	 * same pseudonymised buyer key; NULL: no split check. */
	int (*recent)(void *ctx, const char *buyer_key, int64_t since_ms, int64_t filer_id,
		      const char *lrn, int64_t *values, int64_t *times, size_t max, size_t *n);
	void *recent_ctx;
	int64_t split_window_s;    /* sliding window of the split check */
	/* The registry of operators (operators.h): the filer's AEO status for
	 * the risk engine, the parties a registered operator can reach.  NULL:
	 * none.  Borrowed for the duration of the call. */
	const struct mlv_operators *operators;
	const struct mlv_risk_opscores *opscores; /* operator scores; NULL: none */
} mlv_validate_opts;

#define MLV_VALIDATE_OPTS_INIT                                                           \
	{ "EUR", 15000, 0, 24, NULL, "FR", NULL, NULL, NULL, NULL, {0, 0}, NULL, NULL, 72 * 3600, \
	  NULL, NULL }

typedef struct mlv_quality {
	int score;        /* 0..100 */
	int completeness; /* 0..100 */
	int consistency;  /* 0..100 */
	int timeliness;   /* 0..100 */
	int64_t lead_hours; /* hours filed before expected arrival; <0 after */
	bool lead_known;
	/* Weak elements as JSON Pointers, most important first. */
	char weak[8][MLV_POINTER_MAX];
	size_t weak_count;
	int64_t goods_value; /* in the administration's currency, minor units; -1 unknown */
} mlv_quality;

/* Checks c, appending problems; fills *q.  Returns 0, or MLV_ENOMEM. */
int mlv_validate(const mlv_consignment *c, const mlv_refdata *rd,
		 const mlv_validate_opts *opts, mlv_problems *probs, mlv_quality *q);

#endif
