/* profile.h - country profiles: each destination's duty and tax rules,
 * with the dates between which each rule is in force.
 *
 * A profile is one file data/countries/XX.ini (format: docs/countries.md).
 * A member state of a union (the EU) names the union's file and adds its
 * own rules (VAT rates, national fees); a look-up sees the state's rules
 * first, then the union's.  Duty rates come from a tariff file in
 * data/tariffs/ (longest HS prefix) or from the profile's duty rules.
 *
 * Every rule has [valid_from, valid_to): valid_to is the first day on
 * which the rule no longer applies, so "until 2026-06-30 inclusive" is
 * written valid_to = 2026-07-01.  Either end may be open.
 *
 * Everything is read-only once loaded: safe from many threads.  Pointers
 * handed out (profiles, rules, strings) live until mlv_profiles_free().
 * Money is int64 minor units of the named currency; rates are parts per
 * million of the base (percent x 10,000: 20% = 200000). */
#ifndef MLV_PROFILE_H
#define MLV_PROFILE_H

#include "mlv/buf.h"
#include "mlv/common.h"
#include "mlv/refdata.h"

typedef struct mlv_profiles mlv_profiles;
typedef struct mlv_profile mlv_profile;

/* A rule that is open at one end. */
#define MLV_DAY_MIN INT32_MIN
#define MLV_DAY_MAX INT32_MAX

typedef enum {
	MLV_RULE_CURRENCY = 1, /* the profile's currency in a period (BG: BGN then EUR) */
	MLV_RULE_PEG,          /* a currency pegged to one the ECB quotes (SAR, AED) */
	MLV_RULE_TAX,          /* VAT/GST rate, optionally for HS codes or a buyer region */
	MLV_RULE_TARIFF,       /* a tariff file of duty rates by HS code */
	MLV_RULE_DUTY,         /* a duty rate for HS codes / origins, or the default */
	MLV_RULE_RELIEF,       /* de minimis: no duty and/or tax up to a value */
	MLV_RULE_FLAT_DUTY,    /* a fixed duty per distinct tariff line (EU EUR 3) */
	MLV_RULE_TIERED,       /* rates by value band of the consignment (BR, MX) */
	MLV_RULE_WAIVER,       /* an amount of duty/tax too small to collect (CH, NZ) */
	MLV_RULE_CBEC,         /* China's cross-border e-commerce retail limits */
	MLV_RULE_EXCISE,       /* excise goods: never relieved; optional ad valorem rate */
	MLV_RULE_SCHEME,       /* a point-of-sale tax registration scheme (IOSS ...) */
	MLV_RULE_FEE,          /* a fee collected with the duties */
	MLV_RULE_ROUNDING,     /* how totals are rounded */
	MLV_RULE_DECLARATION,  /* which declaration applies below / above a value */
	MLV_RULE_VALUATION,    /* a factor on the goods' value (JP personal use 60%) */
	MLV_RULE_COLLECTION,   /* a collection model imposed by law (CN withholding) */
	MLV_RULE_NOTICE,       /* a fact shown with assessments, no effect on amounts */
} mlv_rule_kind;

#define MLV_RULE_KIND_MAX MLV_RULE_NOTICE

/* Bits of mlv_rule.applies and .covers. */
#define MLV_APPLY_DUTY 1u
#define MLV_APPLY_TAX 2u
#define MLV_APPLY_FEE 4u

/* The value a threshold is compared with. */
typedef enum {
	MLV_VALUE_INTRINSIC = 1, /* the goods' price, without transport and insurance */
	MLV_VALUE_CUSTOMS,       /* the customs value (CIF or FOB per profile, after any factor) */
	MLV_VALUE_CIF,           /* goods + transport + insurance */
	MLV_VALUE_ITEM,          /* each line's intrinsic value on its own */
} mlv_value_basis;

typedef enum { MLV_CMP_LE = 1, MLV_CMP_LT } mlv_compare;

typedef enum {
	MLV_ROUND_HALF_UP = 1, /* ties away from zero */
	MLV_ROUND_HALF_DOWN,   /* ties toward zero (MX: 1-50 centavos down) */
	MLV_ROUND_DOWN,        /* truncate (JP: below 100 yen) */
	MLV_ROUND_UP,
} mlv_round_mode;

/* Waiver target: duty alone, tax alone, each judged separately (CH),
 * or their sum (NZ). */
typedef enum { MLV_WAIVE_DUTY = 1, MLV_WAIVE_TAX, MLV_WAIVE_EACH, MLV_WAIVE_SUM } mlv_waive;

/* Fees: when due, per what, who pays, who collects. */
typedef enum {
	MLV_FEE_ALWAYS = 1, /* whenever the fee's conditions hold */
	MLV_FEE_ENTRY,      /* unless a duty relief cleared the whole consignment */
	MLV_FEE_COLLECTED,  /* only when duty or tax is collected at the border */
} mlv_fee_when;
typedef enum { MLV_FEE_PER_CONSIGNMENT = 1, MLV_FEE_PER_LINE } mlv_fee_per;
typedef enum { MLV_FEE_PAYER_BORDER = 1, MLV_FEE_PAYER_VENDOR } mlv_fee_payer;
typedef enum { MLV_FEE_BY_CUSTOMS = 1, MLV_FEE_BY_CARRIER } mlv_fee_collector;

typedef enum { MLV_VALUATION_CIF = 1, MLV_VALUATION_FOB } mlv_valuation;
/* Which day's exchange rates: the assessment day, or the EU's monthly
 * rate (the last ECB rate before the penultimate day of the previous
 * month, art. 146 of Reg. (EU) 2015/2447). */
typedef enum { MLV_FXDAY_ASSESSMENT = 1, MLV_FXDAY_EU_MONTHLY } mlv_fx_day;

typedef enum { MLV_IMPOSED_PLATFORM_WITHHOLDING = 1 } mlv_imposed_model;

typedef struct mlv_money {
	int64_t amount;   /* minor units of currency */
	char currency[4]; /* "" when the parameter is not set */
} mlv_money;

/* HS codes whose first `len` digits lie in [lo, hi] ("2203-2208", "24"). */
typedef struct mlv_hs_range {
	char lo[11];
	char hi[11];
	uint8_t len;
} mlv_hs_range;

typedef struct mlv_tier {
	mlv_money upto;      /* the band ends at this value, inclusive */
	int32_t rate_ppm;
	mlv_money deduction; /* subtracted from the amount (BR: USD 20) */
} mlv_tier;

#define MLV_RULE_ID_MAX 40

/* One rule.  Which parameters a kind uses is listed in docs/countries.md;
 * unused ones are zero / empty. */
typedef struct mlv_rule {
	const char *id;    /* unique across all profiles, e.g. "EU-IOSS" */
	mlv_rule_kind kind;
	const char *owner; /* code of the file that holds it ("EU", "FR") */
	int32_t valid_from; /* MLV_DAY_MIN when open */
	int32_t valid_to;   /* first day out of force; MLV_DAY_MAX when open */
	const char *basis;  /* the legal basis, in words */
	const char *const *sources; /* URLs, at least one */
	size_t source_count;
	const char *note;   /* NULL when none */
	bool verified;      /* false: a figure could not be checked (see note) */

	const char *name;   /* tax, excise, scheme, fee or notice name; NULL */
	char currency[4];   /* currency, peg: the currency concerned */
	char anchor[4];     /* peg: the currency it is pegged to */
	int64_t peg_micro;  /* peg: units of currency per anchor x 10^6 */
	int32_t rate_ppm;   /* tax, duty, excise, fee, cbec (duty) */
	bool has_rate;      /* excise, fee: a rate is given */
	int32_t factor_ppm; /* cbec: share of tax collected; valuation factor */
	bool computed;      /* duty: false = no ad valorem rate, not computed */
	bool specific;      /* excise: a specific part exists and is not computed */
	bool inclusive;     /* tax, excise: rate on a tax-inclusive base */
	int32_t reduced_ppm[6]; /* tax: reduced rates, for publication */
	size_t reduced_count;
	int32_t super_reduced_ppm; /* tax: 0 when none */
	int32_t parking_ppm;       /* tax: 0 when none */
	char region[8];     /* tax: buyer's region code ("ON"); "" all */

	const mlv_hs_range *hs; /* duty, tax, excise: the codes it is for */
	size_t hs_count;
	const mlv_hs_range *exclude_hs; /* relief, flat_duty, tiered */
	size_t exclude_hs_count;
	const char (*origins)[3]; /* every line's origin must be one of these */
	size_t origin_count;
	const char (*exclude_origins)[3]; /* no line's origin may be one of these */
	size_t exclude_origin_count;
	unsigned channels;  /* bits 1 << MLV_CH_*; 0 = every channel */
	unsigned schemes;   /* flat_duty: bits 1 << scheme index; 0 = none */
	uint8_t requires_scheme; /* relief: valid registration in this scheme */
	uint8_t scheme;     /* scheme: index of the dataset's tax scheme word */
	const char *const *formats; /* scheme: number templates, # digit, @ letter */
	size_t format_count;

	unsigned applies;   /* relief, rounding: MLV_APPLY_* */
	unsigned covers;    /* tiered: MLV_APPLY_DUTY, or DUTY | TAX (global rate) */
	mlv_money threshold; /* relief, waiver, declaration; flat_duty and scheme
			      * ceiling; cbec order limit */
	mlv_money limit;    /* cbec: annual limit */
	mlv_money amount;   /* flat_duty per line; fee fixed part; rounding unit */
	mlv_money base_unit; /* rounding: the base is truncated to this unit */
	mlv_money min, max; /* fee bounds */
	mlv_money value_above, value_upto; /* fee: due when value > above, <= upto */
	mlv_compare compare;
	mlv_value_basis value;
	bool direct_only;   /* relief: only goods sent direct from abroad */
	bool at_sale;       /* relief (tax): the tax is due at sale instead */
	bool border_exempt; /* scheme: a valid registration exempts border tax */
	bool single_item;   /* cbec: the one-item exception above the order limit */
	mlv_round_mode mode;
	mlv_waive target;
	mlv_fee_when when;
	mlv_fee_per per;
	mlv_fee_payer payer;
	mlv_fee_collector collector;
	const char *below, *above; /* declaration kinds */
	const mlv_tier *tiers;
	size_t tier_count;
	const char *file;   /* tariff file name under data/tariffs/ */
	mlv_imposed_model model; /* collection */
} mlv_rule;

/* Loads every data/countries/XX.ini under `data_dir` and the tariff files
 * they name.  `rd` checks countries and currencies and is used for FX; it
 * must outlive the profiles.  On failure returns MLV_EIO, MLV_EINVALID or
 * MLV_ENOMEM and writes a message naming the file (and line) to err. */
int mlv_profiles_load(mlv_profiles **out, const char *data_dir, const mlv_refdata *rd,
		      char *err, size_t errlen);
void mlv_profiles_free(mlv_profiles *ps);

/* Country profiles (not unions), sorted by code. */
size_t mlv_profiles_count(const mlv_profiles *ps);
const mlv_profile *mlv_profiles_at(const mlv_profiles *ps, size_t i);
/* The profile of an ISO 3166-1 alpha-2 code, or of a union ("EU"); NULL
 * when there is none. */
const mlv_profile *mlv_profiles_get(const mlv_profiles *ps, const char *code);

const char *mlv_profile_code(const mlv_profile *p);
const char *mlv_profile_name(const mlv_profile *p);
bool mlv_profile_is_union(const mlv_profile *p);
/* The union a member state belongs to, or NULL. */
const mlv_profile *mlv_profile_union(const mlv_profile *p);
const mlv_profiles *mlv_profile_set(const mlv_profile *p);
const mlv_refdata *mlv_profile_refdata(const mlv_profile *p);
/* The currency on `day` (a currency rule, else the profile's). */
const char *mlv_profile_currency(const mlv_profile *p, int32_t day);
mlv_valuation mlv_profile_valuation(const mlv_profile *p);
mlv_fx_day mlv_profile_fx_day(const mlv_profile *p);
/* Whether the tax base adds transport and insurance to an FOB customs
 * value (AU, NZ: GST on the value including freight). */
bool mlv_profile_tax_base_freight(const mlv_profile *p);
/* "VAT", "GST" ...; "" when the country has no import tax (US). */
const char *mlv_profile_tax_name(const mlv_profile *p);

bool mlv_rule_in_force(const mlv_rule *r, int32_t day);
const char *mlv_rule_kind_name(mlv_rule_kind kind);

/* Rules of `kind` in force on `day` (any day when day == MLV_DAY_MIN and
 * kind == 0 means every kind): the profile's own, then its union's.
 * Start with *cursor = 0; NULL at the end. */
const mlv_rule *mlv_profile_next_rule(const mlv_profile *p, mlv_rule_kind kind,
				      int32_t day, size_t *cursor);
/* The first rule of `kind` in force on `day`, or NULL. */
const mlv_rule *mlv_profile_rule(const mlv_profile *p, mlv_rule_kind kind, int32_t day);

/* Whether hs (digits) falls in one of the ranges. */
bool mlv_hs_in_ranges(const char *hs, const mlv_hs_range *r, size_t n);

/* The customs duty rate of one line, before any relief.  Order: a duty
 * rule naming the code or origin; the tariff file (longest prefix); the
 * profile's default duty rule.  `origin` may be "" or NULL. */
typedef struct mlv_duty_rate {
	const mlv_rule *rule;  /* duty or tariff rule that gave the rate; NULL
				* when the profile has none (not computed) */
	int32_t rate_ppm;      /* the ad valorem rate (part) */
	bool computed;         /* false: no ad valorem rate could be used */
	bool exact;            /* true unless a 'max' summary row was used */
	char tariff_code[11];  /* the tariff row matched, "" otherwise */
	const char *specific;  /* text of a specific part not computed, or NULL */
} mlv_duty_rate;
int mlv_profile_duty_rate(const mlv_profile *p, int32_t day, const char *hs,
			  const char *origin, mlv_duty_rate *out);

/* The tax rule for a line: the most specific in force on `day` (region and
 * HS code, then region, then HS code, then the general rate); NULL when the
 * country has no import tax.  region may be NULL. */
const mlv_rule *mlv_profile_tax_rule(const mlv_profile *p, int32_t day, const char *hs,
				     const char *region);

/* Converts minor units of `from` to minor units of `to` with the ECB rates
 * of `day` (mlv_fx_convert), going through the anchor for pegged
 * currencies; rounds half away from zero.  MLV_ENOTFOUND when a currency
 * has no rate that day; MLV_ETOOBIG past the bounds. */
int mlv_profiles_convert(const mlv_profiles *ps, const mlv_refdata *rd, int64_t amount,
			 const char *from, const char *to, int32_t day, int64_t *out);

/* Writes the profile as a JSON object: its facts and the rules in force on
 * `day` (every rule when day == MLV_DAY_MIN), union rules included. */
int mlv_profile_write_json(mlv_buf *b, const mlv_profile *p, int32_t day);

#endif
