/* duty.h - the duty and tax engine: what a consignment owes at a
 * destination, on which legal basis, paid by whom and when.
 *
 * Input: a destination profile (profile.h), the day that picks the rules,
 * and either a filed consignment (dataset.h) or a small basket for quotes.
 * Output: an mlv_assessment, the same for both, so a quote and a filing of
 * the same goods answer the same amounts.
 *
 * Computation, in order (docs/countries.md has the details):
 *  1. every amount is converted to the profile's currency with the ECB
 *     rates of the profile's FX day (mlv_profiles_convert);
 *  2. values: intrinsic (goods), transport (shipping + insurance, spread
 *     over the lines in proportion to their value), customs value (CIF or
 *     FOB, times any valuation factor), per line and in total;
 *  3. consignment-level decisions: business model, registration scheme,
 *     China's CBEC limits, value bands, the EU flat duty, de minimis
 *     reliefs (each a recorded decision);
 *  4. per line: duty (rate, relief, flat amount or band), excise, tax on
 *     customs value + duty + excise (+ transport where the profile says),
 *     each amount rounded once, half away from zero, to the minor unit;
 *  5. the profile's rounding of totals (the difference is carried by the
 *     largest line so totals stay the sum of lines), then waivers of small
 *     amounts, then fees;
 *  6. the collection model and the obligations (who pays what, when).
 *
 * Money is int64 minor units of the profile currency; rates are parts per
 * million.  No amount is ever negative.  An assessment borrows rule
 * pointers and strings from the profiles: free it before them. */
#ifndef MLV_DUTY_H
#define MLV_DUTY_H

#include "mlv/buf.h"
#include "mlv/common.h"
#include "mlv/dataset.h"
#include "mlv/problems.h"
#include "mlv/profile.h"
#include "mlv/refdata.h"

/* Bound on any input amount, in minor units (10^15: ten trillion units of
 * a currency with two decimals). */
#define MLV_DUTY_AMOUNT_MAX 1000000000000000LL
#define MLV_DUTY_MAX_DECISIONS 24
#define MLV_DUTY_MAX_FEES 8
#define MLV_DUTY_MAX_OBLIGATIONS 8

/* One goods line of a basket. */
typedef struct mlv_duty_item {
	const char *hs_code; /* 6 to 10 digits (HS 2022 first six) */
	char origin[3];      /* ISO 3166-1 alpha-2; "" when unknown */
	char currency[4];
	int64_t value;       /* price of the whole line, minor units */
	int64_t quantity;    /* thousandths of a unit; 0 when not given */
} mlv_duty_item;

/* What a quote needs; mlv_duty_assess_consignment() builds one from a
 * filed consignment. */
typedef struct mlv_basket {
	const mlv_duty_item *items;
	size_t item_count;            /* 1 .. MLV_MAX_ITEMS */
	char currency[4];             /* of shipping and insurance; "" when both 0 */
	int64_t shipping;
	int64_t insurance;
	uint8_t channel;              /* MLV_CH_*, 0 unknown */
	uint8_t business_model;       /* MLV_BM_*, 0 = direct */
	uint8_t scheme;               /* tax_collected.scheme index, 0 none */
	const char *registration_number; /* in that scheme, NULL none */
	bool tax_collected_set;       /* an amount of tax collected at sale is declared */
	char tax_collected_currency[4];
	int64_t tax_collected;
	bool platform;                /* a platform or marketplace is named */
	bool intermediary;            /* an intermediary (broker, carrier, post) is named */
	const char *buyer_region;     /* province or state code ("ON"), NULL unknown */
} mlv_basket;

typedef struct mlv_duty_opts {
	int32_t day;              /* the day that picks the rules (acceptance of
				   * the declaration; the quote's date) */
	int64_t cbec_annual_used; /* CN: the buyer's CBEC purchases this year
				   * before this order, minor units of the
				   * profile currency (the store knows it) */
	bool deferred_account;    /* the border payer settles on a periodic
				   * statement of a deferred payment account */
	/* What-if (review proposal 24): the consignment-wide de minimis
	 * thresholds for duty and for tax, in minor units of the profile
	 * currency, replacing the profile's; where the profile has no such
	 * relief, one on the intrinsic value is assumed.  -1 keeps the
	 * profile's rules.  Item-level reliefs, excise goods and schemes are
	 * unchanged. */
	int64_t what_if_duty_threshold;
	int64_t what_if_tax_threshold;
} mlv_duty_opts;

#define MLV_DUTY_OPTS_INIT {0, 0, false, -1, -1}

/* How a line's duty or tax was reached. */
typedef enum {
	MLV_HOW_RATE = 1,      /* tariff or profile rate */
	MLV_HOW_RELIEF,        /* de minimis relief: nothing due */
	MLV_HOW_FLAT,          /* fixed amount per distinct tariff line */
	MLV_HOW_TIER,          /* rate of a value band */
	MLV_HOW_CBEC,          /* China CBEC preferential treatment */
	MLV_HOW_NOT_COMPUTED,  /* no usable rate: amount unknown (0 shown) */
	MLV_HOW_AT_SALE,       /* tax due at sale by a registered vendor */
	MLV_HOW_WAIVED,        /* too small to collect */
	MLV_HOW_DOMESTIC,      /* goods already in free circulation */
	MLV_HOW_NO_TAX,        /* the country levies no import tax */
	MLV_HOW_COVERED,       /* covered by a global rate reported as duty */
} mlv_duty_how;

typedef enum {
	MLV_PAYER_BUYER = 1,
	MLV_PAYER_SELLER,
	MLV_PAYER_PLATFORM,
	MLV_PAYER_INTERMEDIARY,
} mlv_payer;

typedef enum {
	MLV_WHEN_AT_SALE = 1,       /* charged at checkout, paid on the vendor's return */
	MLV_WHEN_BEFORE_RELEASE,    /* paid before the goods are released */
	MLV_WHEN_PERIODIC,          /* debited to a deferred account, paid on its statement */
} mlv_when;

typedef enum {
	MLV_MODEL_NONE = 1,              /* nothing is owed */
	MLV_MODEL_SELLER_SCHEME,         /* tax collected at sale by a registered seller */
	MLV_MODEL_PLATFORM_SCHEME,       /* ... by a registered platform */
	MLV_MODEL_INTERMEDIARY_DEFERRED, /* intermediary pays through a deferred account */
	MLV_MODEL_INTERMEDIARY,          /* intermediary pays before release */
	MLV_MODEL_BUYER,                 /* buyer pays before release */
	MLV_MODEL_PLATFORM_WITHHOLDING,  /* CN: platform withholds for the buyer */
	MLV_MODEL_DOMESTIC,              /* goods already imported (non-bonded FC) */
} mlv_model;

enum { MLV_OWE_DUTY = 1, MLV_OWE_EXCISE, MLV_OWE_TAX, MLV_OWE_FEE };

/* CBEC outcome (CN). */
typedef enum {
	MLV_CBEC_PREFERENTIAL = 1, /* within the limits: 0% duty, 70% of taxes */
	MLV_CBEC_FULL_SINGLE_ITEM, /* one item above the order limit: full rates */
	MLV_CBEC_NOT_ADMISSIBLE,   /* beyond the limits: general trade rates */
} mlv_cbec_status;

typedef struct mlv_duty_line {
	size_t item;            /* index in the input */
	char hs_code[11];
	char origin[3];
	int64_t value;          /* the item's price in the profile currency */
	int64_t transport;      /* its share of shipping and insurance */
	int64_t customs_value;
	bool excise_good;       /* never relieved, outside point-of-sale schemes */

	int64_t duty;
	int32_t duty_rate_ppm;
	mlv_duty_how duty_how;
	const mlv_rule *duty_rule; /* NULL when none */
	char tariff_code[11];   /* tariff row matched, "" */
	bool tariff_exact;      /* false: a 'max' summary row or a default rate */

	int64_t excise;
	const mlv_rule *excise_rule;
	bool excise_computed;   /* false: excise due but not computed */

	int64_t tax_base;
	int64_t tax;            /* due at the border */
	int64_t tax_at_sale;    /* due at sale instead (scheme or vendor collection) */
	int32_t tax_rate_ppm;   /* statutory rate (before any CBEC factor) */
	mlv_duty_how tax_how;
	const mlv_rule *tax_rule;
} mlv_duty_line;

typedef struct mlv_duty_decision {
	const mlv_rule *rule;
	bool applies;
	bool has_value;
	int64_t value;          /* what was compared, profile currency */
	int64_t limit;          /* the threshold, converted */
	char text[200];         /* one English sentence */
} mlv_duty_decision;

typedef struct mlv_duty_fee {
	const mlv_rule *rule;
	int64_t amount;
	mlv_payer payer;
} mlv_duty_fee;

typedef struct mlv_obligation {
	int what;               /* MLV_OWE_* */
	mlv_payer payer;
	mlv_when when;
	int64_t amount;
} mlv_obligation;

typedef struct mlv_assessment {
	char country[3];
	char currency[4];
	int minor_units;
	int32_t day;
	int32_t fx_day;         /* the day whose exchange rates were used */
	mlv_valuation valuation;

	int64_t intrinsic;      /* sum of the goods' prices */
	int64_t transport;      /* shipping + insurance */
	int64_t customs_value;
	int64_t duty;
	int64_t excise;
	int64_t tax;            /* collected at the border */
	int64_t tax_at_sale;    /* due at sale by a registered vendor */
	int64_t fees;           /* every fee, whoever pays */
	int64_t border_total;   /* duty + excise + tax + the fees paid at the border */
	int64_t total;          /* everything owed: border_total + tax_at_sale + vendor fees */
	bool declared_at_sale_set;
	int64_t declared_at_sale; /* tax_collected.amount, converted */
	bool complete;          /* false: some duty or excise could not be computed */

	mlv_model model;
	mlv_payer border_payer;
	mlv_when border_when;

	struct {
		const mlv_rule *rule;   /* the profile's scheme of that name, or NULL */
		uint8_t scheme;         /* as declared, 0 none */
		bool valid;             /* number format, ceiling and dates all fit */
		const char *reason;     /* why not, static English text; NULL if valid */
	} scheme;

	struct {
		const mlv_rule *rule;   /* NULL when the profile has no CBEC rule */
		mlv_cbec_status status;
		int64_t order_value;
		int64_t annual_before;
		int64_t annual_after;
	} cbec;

	const mlv_rule *declaration_rule;
	const char *declaration; /* e.g. "H7"; NULL when no rule */

	mlv_duty_line *lines;
	size_t line_count;
	mlv_duty_decision decisions[MLV_DUTY_MAX_DECISIONS];
	size_t decision_count;
	mlv_duty_fee fee_list[MLV_DUTY_MAX_FEES];
	size_t fee_count;
	mlv_obligation obligations[MLV_DUTY_MAX_OBLIGATIONS];
	size_t obligation_count;
} mlv_assessment;

/* Assesses a basket at profile p (a country, not a union).  On a bad input
 * returns MLV_EINVALID and adds problems (JSON Pointers into the quote
 * request: /items/0/hs_code ...) when `problems` is not NULL; MLV_ENOTFOUND
 * when a currency has no rate that day; MLV_ETOOBIG past the bounds;
 * MLV_ENOMEM.  *out is the caller's, freed with mlv_duty_free(). */
int mlv_duty_assess(mlv_assessment **out, const mlv_profile *p, const mlv_basket *b,
		    const mlv_duty_opts *opts, mlv_problems *problems);

/* The same for a decoded consignment (items, transaction shipping and
 * insurance, channel, business model, tax_collected, platform,
 * intermediary, buyer region).  Pointers are into the consignment's
 * items array (/items/N/...). */
int mlv_duty_assess_consignment(mlv_assessment **out, const mlv_profile *p,
				const mlv_consignment *c, const mlv_duty_opts *opts,
				mlv_problems *problems);

void mlv_duty_free(mlv_assessment *a);

/* Appends the assessment as one JSON object (amounts as decimal strings in
 * the assessment currency, rules by id with their legal basis). */
int mlv_duty_write_json(mlv_buf *b, const mlv_assessment *a);

/* Stable words for the enums above, for JSON and logs. */
const char *mlv_duty_how_name(mlv_duty_how how);
const char *mlv_duty_payer_name(mlv_payer payer);
const char *mlv_duty_when_name(mlv_when when);
const char *mlv_duty_model_name(mlv_model model);

#endif
