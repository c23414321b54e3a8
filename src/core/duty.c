/* duty.c - the duty and tax engine (see duty.h).
 *
 * Owns nothing beyond the mlv_assessment it returns.  One assessment is
 * computed by one pass over the steps listed in duty.h, on a ctx that holds
 * the converted inputs and the consignment-level decisions.
 *
 * Invariants:
 *  - every amount is >= 0 and, once the inputs pass the bounds below, no
 *    product can overflow: the consignment's value in the profile currency
 *    is at most MLV_DUTY_AMOUNT_MAX (10^15), rates are at most 1000% and
 *    inclusive rates below 90%, so every amount stays below 2^62 and every
 *    intermediate product below 2^127;
 *  - each amount is rounded once from an exact quotient (half away from
 *    zero); the profile's rounding of totals moves the difference onto
 *    lines, so totals are always the sums of the lines;
 *  - the line order is the input order. */
#include "mlv/duty.h"

#include "mlv/decimal.h"

#include <assert.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__extension__ typedef __int128 i128;

#define PPM 1000000

/* ---- arithmetic ---- */

/* round(a * num / den), half away from zero, for a, num >= 0, den > 0. */
static int64_t mul_div(int64_t a, int64_t num, int64_t den)
{
	i128 n = (i128)a * num;
	i128 q = n / den, r = n % den;
	if (2 * r >= den)
		q++;
	return q > INT64_MAX ? INT64_MAX : (int64_t)q;
}

/* The tax on base at rate: on the base itself, or on a tax-inclusive base
 * (Brazil's ICMS "por dentro", China's composite consumption-tax base):
 * base * r / (1 - r). */
static int64_t apply_rate(int64_t base, int32_t ppm, bool inclusive)
{
	if (inclusive)
		return mul_div(base, ppm, PPM - ppm);
	return mul_div(base, ppm, PPM);
}

static int64_t round_to(int64_t v, int64_t unit, mlv_round_mode mode)
{
	int64_t q = v / unit, r = v % unit;
	int64_t down = q * unit, up = r != 0 ? down + unit : down;
	switch (mode) {
	case MLV_ROUND_DOWN:
		return down;
	case MLV_ROUND_UP:
		return up;
	case MLV_ROUND_HALF_DOWN:
		return 2 * r > unit ? up : down;
	case MLV_ROUND_HALF_UP:
	default:
		return 2 * r >= unit ? up : down;
	}
}

static bool within(int64_t v, int64_t limit, mlv_compare c)
{
	return c == MLV_CMP_LT ? v < limit : v <= limit;
}

/* ---- names ---- */

static const char *const how_names[] = {"rate", "relief", "flat", "tier", "cbec",
	"not_computed", "at_sale", "waived", "domestic", "no_tax", "covered", NULL};
static const char *const payer_names[] = {"buyer", "seller", "platform", "intermediary", NULL};
static const char *const when_names[] = {"at_sale", "before_release", "periodic_statement",
	NULL};
static const char *const model_names[] = {"none", "seller_scheme", "platform_scheme",
	"intermediary_deferred", "intermediary", "buyer", "platform_withholding", "domestic",
	NULL};
static const char *const owe_names[] = {"duty", "excise", "tax", "fee", NULL};
static const char *const cbec_names[] = {"preferential", "full_rate_single_item",
	"not_admissible", NULL};

static const char *nth(const char *const *names, int v)
{
	for (int i = 0; names[i] != NULL; i++)
		if (i + 1 == v)
			return names[i];
	return "";
}

const char *mlv_duty_how_name(mlv_duty_how how)
{
	return nth(how_names, (int)how);
}

const char *mlv_duty_payer_name(mlv_payer payer)
{
	return nth(payer_names, (int)payer);
}

const char *mlv_duty_when_name(mlv_when when)
{
	return nth(when_names, (int)when);
}

const char *mlv_duty_model_name(mlv_model model)
{
	return nth(model_names, (int)model);
}

/* ---- context ---- */

typedef struct ctx {
	const mlv_profile *p;
	const mlv_profiles *ps;
	const mlv_refdata *rd;
	const mlv_basket *b;
	const mlv_duty_opts *o;
	mlv_problems *problems;
	mlv_assessment *a;
	const char *cur;
	int32_t day;
	int32_t fx_day;
	int64_t max_item;      /* largest line value */
	bool relieved_all;     /* a duty relief cleared every line */
	bool scheme_covers;    /* a valid scheme exempts border tax */
	mlv_payer vendor;      /* who collects at sale: platform or seller */
	const mlv_rule *cbec;  /* in force */
	bool cbec_pref;
	const mlv_rule *tier_rule;
	const mlv_tier *tier;
	const mlv_rule *flat;
	int64_t flat_amount;
	const mlv_rule *duty_relief;  /* consignment-wide */
	const mlv_rule *tax_relief;
	const mlv_rule *duty_relief_item; /* per item (value = item) */
	int64_t duty_relief_item_limit;
	const mlv_rule *tax_relief_item;
	int64_t tax_relief_item_limit;
	const mlv_rule *round_duty, *round_tax;
	int64_t base_unit_duty, base_unit_tax;
	int32_t factor_ppm;    /* valuation factor, PPM when none */
	bool *covered;         /* per line: not excise, not excluded (scratch) */
	bool *tier_line;       /* per line: duty from the value band */
	int64_t *excise_statutory; /* per line, before any CBEC factor */
	int64_t *rem;          /* per line: remainder of the transport share */
} ctx;

static int convert(ctx *c, int64_t amount, const char *from, int64_t *out)
{
	int rc = mlv_profiles_convert(c->ps, c->rd, amount, from, c->cur, c->fx_day, out);
	if (rc == 0 && (*out < 0 || *out > MLV_DUTY_AMOUNT_MAX))
		rc = MLV_ETOOBIG;
	return rc;
}

/* A rule parameter in the profile currency. */
static int convert_money(ctx *c, const mlv_money *m, int64_t *out)
{
	return convert(c, m->amount, m->currency, out);
}

static void fmt_money(const ctx *c, int64_t v, char out[32])
{
	if (mlv_decimal_format(v, c->a->minor_units, out, 32) < 0)
		snprintf(out, 32, "?");
}

static void decide(ctx *c, const mlv_rule *r, bool applies, bool has_value, int64_t value,
		   int64_t limit, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static void decide(ctx *c, const mlv_rule *r, bool applies, bool has_value, int64_t value,
		   int64_t limit, const char *fmt, ...)
{
	mlv_assessment *a = c->a;
	if (a->decision_count == MLV_DUTY_MAX_DECISIONS)
		return;
	mlv_duty_decision *d = &a->decisions[a->decision_count++];
	d->rule = r;
	d->applies = applies;
	d->has_value = has_value;
	d->value = value;
	d->limit = limit;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->text, sizeof(d->text), fmt, ap);
	va_end(ap);
}

static const char *value_name(mlv_value_basis v)
{
	switch (v) {
	case MLV_VALUE_INTRINSIC:
		return "intrinsic value";
	case MLV_VALUE_CUSTOMS:
		return "customs value";
	case MLV_VALUE_CIF:
		return "value with transport and insurance";
	case MLV_VALUE_ITEM:
		return "largest item value";
	}
	return "value";
}

static int64_t basis_value(const ctx *c, mlv_value_basis v)
{
	const mlv_assessment *a = c->a;
	switch (v) {
	case MLV_VALUE_INTRINSIC:
		return a->intrinsic;
	case MLV_VALUE_CUSTOMS:
		return a->customs_value;
	case MLV_VALUE_CIF:
		return a->intrinsic + a->transport;
	case MLV_VALUE_ITEM:
		return c->max_item;
	}
	return a->intrinsic;
}

static bool origin_listed(const char *o, const char (*list)[3], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (o[0] != '\0' && strcmp(o, list[i]) == 0)
			return true;
	return false;
}

/* Channel, origin and business-model conditions a rule puts on the whole
 * consignment; NULL when they hold, else why not. */
static const char *filters_fail(const ctx *c, const mlv_rule *r)
{
	const mlv_assessment *a = c->a;
	if (r->channels != 0 && (c->b->channel == 0 || !(r->channels & (1u << c->b->channel))))
		return "the channel is not one the rule covers";
	for (size_t i = 0; i < a->line_count; i++) {
		const char *o = a->lines[i].origin;
		if (r->origin_count > 0 && !origin_listed(o, r->origins, r->origin_count))
			return "a line's origin is not one the rule covers";
		if (r->exclude_origin_count > 0 &&
		    origin_listed(o, r->exclude_origins, r->exclude_origin_count))
			return "a line's origin is excluded";
	}
	if (r->direct_only && c->b->business_model == MLV_BM_BONDED_FC)
		return "the goods come from a bonded warehouse, not direct from abroad";
	return NULL;
}

/* Lines a consignment-level rule can cover: not excise goods, not in its
 * exclusions. */
static void mark_covered(ctx *c, const mlv_rule *r)
{
	for (size_t i = 0; i < c->a->line_count; i++) {
		const mlv_duty_line *l = &c->a->lines[i];
		c->covered[i] = !l->excise_good &&
				!mlv_hs_in_ranges(l->hs_code, r->exclude_hs, r->exclude_hs_count);
	}
}

/* ---- input ---- */

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static unsigned scheme_word_count(void)
{
	const mlv_field *tc = mlv_schema_field(&mlv_consignment_schema, "tax_collected");
	const mlv_field *f = tc != NULL && tc->sub != NULL ? mlv_schema_field(tc->sub, "scheme")
							    : NULL;
	unsigned n = 0;
	while (f != NULL && f->values != NULL && f->values[n] != NULL)
		n++;
	return n;
}

static const char *scheme_word(unsigned v)
{
	const mlv_field *tc = mlv_schema_field(&mlv_consignment_schema, "tax_collected");
	const mlv_field *f = tc != NULL && tc->sub != NULL ? mlv_schema_field(tc->sub, "scheme")
							    : NULL;
	const char *w = f != NULL ? mlv_enum_name(f, v) : NULL;
	return w != NULL ? w : "";
}

typedef struct ptrs {
	const char *shipping;
	const char *insurance;
	const char *scheme;
	const char *number;
} ptrs;

static int check_input(ctx *c, const ptrs *pt)
{
	const mlv_basket *b = c->b;
	mlv_problems *pr = c->problems;
	int rc = 0;
	char ptr[MLV_POINTER_MAX];
	if (b->item_count == 0 || b->item_count > MLV_MAX_ITEMS || b->items == NULL) {
		if (pr != NULL)
			mlv_problems_add(pr, MLV_SEV_ERROR, "/items", "duty.items",
					 "between 1 and %d items are needed", MLV_MAX_ITEMS);
		return MLV_EINVALID;
	}
	for (size_t i = 0; i < b->item_count; i++) {
		const mlv_duty_item *it = &b->items[i];
		const char *hs = it->hs_code;
		size_t n = hs != NULL ? strnlen(hs, 11) : 0;
		if (n < 6 || n > 10 || !digits(hs, n) || !mlv_hs_exists(c->rd, hs, 6)) {
			snprintf(ptr, sizeof(ptr), "/items/%zu/hs_code", i);
			if (pr != NULL)
				mlv_problems_add(pr, MLV_SEV_ERROR, ptr, "duty.hs_code",
						 "an HS code of 6 to 10 digits whose first six are an "
						 "HS 2022 subheading is needed to assess duty");
			rc = MLV_EINVALID;
		}
		if (mlv_currency_minor_units(c->rd, it->currency) < 0) {
			snprintf(ptr, sizeof(ptr), "/items/%zu/currency", i);
			if (pr != NULL)
				mlv_problems_add(pr, MLV_SEV_ERROR, ptr, "duty.currency",
						 "unknown currency");
			rc = MLV_EINVALID;
		}
		if (it->value < 0 || it->value > MLV_DUTY_AMOUNT_MAX) {
			snprintf(ptr, sizeof(ptr), "/items/%zu/value", i);
			if (pr != NULL)
				mlv_problems_add(pr, MLV_SEV_ERROR, ptr, "duty.value",
						 "the value must be between 0 and 10^15 minor units");
			rc = MLV_EINVALID;
		}
		if (it->quantity < 0) {
			snprintf(ptr, sizeof(ptr), "/items/%zu/quantity", i);
			if (pr != NULL)
				mlv_problems_add(pr, MLV_SEV_ERROR, ptr, "duty.quantity",
						 "the quantity cannot be negative");
			rc = MLV_EINVALID;
		}
		if (it->origin[0] != '\0' && !mlv_country_exists(c->rd, it->origin)) {
			snprintf(ptr, sizeof(ptr), "/items/%zu/origin_country", i);
			if (pr != NULL)
				mlv_problems_add(pr, MLV_SEV_ERROR, ptr, "duty.origin",
						 "unknown country");
			rc = MLV_EINVALID;
		}
	}
	const struct {
		int64_t v;
		const char *ptr;
	} extra[] = {{b->shipping, pt->shipping}, {b->insurance, pt->insurance}};
	for (size_t i = 0; i < MLV_ARRAY_LEN(extra); i++) {
		if (extra[i].v < 0 || extra[i].v > MLV_DUTY_AMOUNT_MAX) {
			if (pr != NULL)
				mlv_problems_add(pr, MLV_SEV_ERROR, extra[i].ptr, "duty.value",
						 "the amount must be between 0 and 10^15 minor units");
			rc = MLV_EINVALID;
		} else if (extra[i].v > 0 && mlv_currency_minor_units(c->rd, b->currency) < 0) {
			if (pr != NULL)
				mlv_problems_add(pr, MLV_SEV_ERROR, extra[i].ptr, "duty.currency",
						 "shipping and insurance need a known currency");
			rc = MLV_EINVALID;
		}
	}
	if (b->scheme > scheme_word_count()) {
		if (pr != NULL)
			mlv_problems_add(pr, MLV_SEV_ERROR, pt->scheme, "duty.scheme",
					 "unknown tax scheme");
		rc = MLV_EINVALID;
	}
	if (b->registration_number != NULL && strnlen(b->registration_number, 36) > 35) {
		if (pr != NULL)
			mlv_problems_add(pr, MLV_SEV_ERROR, pt->number, "duty.registration_number",
					 "a registration number has at most 35 characters");
		rc = MLV_EINVALID;
	}
	if (b->tax_collected_set &&
	    (b->tax_collected < 0 || b->tax_collected > MLV_DUTY_AMOUNT_MAX ||
	     mlv_currency_minor_units(c->rd, b->tax_collected_currency) < 0)) {
		if (pr != NULL)
			mlv_problems_add(pr, MLV_SEV_ERROR, pt->scheme, "duty.tax_collected",
					 "the tax collected needs an amount and a known currency");
		rc = MLV_EINVALID;
	}
	if (c->o->cbec_annual_used < 0 || c->o->cbec_annual_used > MLV_DUTY_AMOUNT_MAX) {
		if (pr != NULL)
			mlv_problems_add(pr, MLV_SEV_ERROR, "", "duty.cbec_annual_used",
					 "the buyer's annual total must be between 0 and 10^15");
		rc = MLV_EINVALID;
	}
	if (b->buyer_region != NULL && strnlen(b->buyer_region, 9) > 8) {
		if (pr != NULL)
			mlv_problems_add(pr, MLV_SEV_ERROR, "/buyer/address/region", "duty.region",
					 "a region code has at most 8 characters");
		rc = MLV_EINVALID;
	}
	return rc;
}

/* The EU's monthly rate: the last ECB rate published before the
 * penultimate day of the previous month (art. 146 IA). */
static int32_t eu_monthly_day(int32_t day)
{
	char s[11];
	mlv_date_format(day, s);
	s[8] = '0';
	s[9] = '1';
	int32_t first = day;
	if (!mlv_date_parse(s, 10, &first))
		return day;
	/* first - 1 is the last day of the previous month, first - 2 the
	 * penultimate; "prior to" it means on or before first - 3 */
	return first - 3;
}

/* ---- steps ---- */

static int values(ctx *c)
{
	mlv_assessment *a = c->a;
	const mlv_basket *b = c->b;
	int rc;
	int64_t ship = 0, ins = 0;
	for (size_t i = 0; i < b->item_count; i++) {
		mlv_duty_line *l = &a->lines[i];
		const mlv_duty_item *it = &b->items[i];
		l->item = i;
		size_t n = strnlen(it->hs_code, 10);
		memcpy(l->hs_code, it->hs_code, n);
		l->hs_code[n] = '\0';
		memcpy(l->origin, it->origin, 3);
		l->origin[2] = '\0';
		rc = convert(c, it->value, it->currency, &l->value);
		if (rc != 0) {
			if (c->problems != NULL) {
				char ptr[MLV_POINTER_MAX];
				snprintf(ptr, sizeof(ptr), "/items/%zu/currency", i);
				mlv_problems_add(c->problems, MLV_SEV_ERROR, ptr, "duty.fx",
						 "no exchange rate for %s to %s on that day",
						 it->currency, c->cur);
			}
			return rc;
		}
		a->intrinsic += l->value;
		if (a->intrinsic > MLV_DUTY_AMOUNT_MAX)
			return MLV_ETOOBIG;
		if (l->value > c->max_item)
			c->max_item = l->value;
	}
	if (b->shipping > 0 && (rc = convert(c, b->shipping, b->currency, &ship)) != 0)
		return rc;
	if (b->insurance > 0 && (rc = convert(c, b->insurance, b->currency, &ins)) != 0)
		return rc;
	a->transport = ship + ins;
	if (a->intrinsic + a->transport > MLV_DUTY_AMOUNT_MAX)
		return MLV_ETOOBIG;
	if (b->tax_collected_set) {
		rc = convert(c, b->tax_collected, b->tax_collected_currency, &a->declared_at_sale);
		if (rc != 0)
			return rc;
		a->declared_at_sale_set = true;
	}

	/* transport spread over the lines by value, largest remainder first
	 * (ties to the earlier line), so the shares add up exactly */
	if (a->intrinsic == 0) {
		a->lines[0].transport = a->transport;
	} else {
		int64_t given = 0;
		for (size_t i = 0; i < a->line_count; i++) {
			i128 n = (i128)a->transport * a->lines[i].value;
			a->lines[i].transport = (int64_t)(n / a->intrinsic);
			c->rem[i] = (int64_t)(n % a->intrinsic);
			given += a->lines[i].transport;
		}
		for (; given < a->transport; given++) {
			size_t best = 0;
			for (size_t i = 1; i < a->line_count; i++)
				if (c->rem[i] > c->rem[best])
					best = i;
			a->lines[best].transport++;
			c->rem[best] = -1;
		}
	}

	const mlv_rule *vr = mlv_profile_rule(c->p, MLV_RULE_VALUATION, c->day);
	c->factor_ppm = vr != NULL ? vr->factor_ppm : PPM;
	if (vr != NULL)
		decide(c, vr, true, false, 0, 0, "%s: the goods are valued at %d.%04d%% of their price",
		       vr->id, vr->factor_ppm / 10000, vr->factor_ppm % 10000);
	for (size_t i = 0; i < a->line_count; i++) {
		mlv_duty_line *l = &a->lines[i];
		int64_t goods = c->factor_ppm == PPM ? l->value : mul_div(l->value, c->factor_ppm, PPM);
		l->customs_value = goods + (a->valuation == MLV_VALUATION_CIF ? l->transport : 0);
		a->customs_value += l->customs_value;
	}
	return 0;
}

static void excise_flags(ctx *c)
{
	for (size_t i = 0; i < c->a->line_count; i++) {
		mlv_duty_line *l = &c->a->lines[i];
		size_t cur = 0;
		const mlv_rule *r;
		while ((r = mlv_profile_next_rule(c->p, MLV_RULE_EXCISE, c->day, &cur)) != NULL) {
			if (mlv_hs_in_ranges(l->hs_code, r->hs, r->hs_count)) {
				l->excise_good = true;
				l->excise_rule = r;
				break;
			}
		}
	}
}

/* '#' a digit, '@' a capital letter, anything else itself. */
static bool number_fits(const char *num, const char *fmt)
{
	size_t n = strlen(fmt);
	if (strnlen(num, n + 1) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char f = fmt[i], ch = num[i];
		if (f == '#' ? !(ch >= '0' && ch <= '9')
			     : f == '@' ? !(ch >= 'A' && ch <= 'Z') : ch != f)
			return false;
	}
	return true;
}

static int scheme_step(ctx *c)
{
	mlv_assessment *a = c->a;
	const mlv_basket *b = c->b;
	c->vendor = b->platform ? MLV_PAYER_PLATFORM : MLV_PAYER_SELLER;
	a->scheme.scheme = b->scheme;
	if (b->scheme == 0)
		return 0;
	const mlv_rule *r = NULL, *x;
	size_t cur = 0;
	while ((x = mlv_profile_next_rule(c->p, MLV_RULE_SCHEME, c->day, &cur)) != NULL) {
		if (x->scheme == b->scheme) {
			r = x;
			break;
		}
	}
	a->scheme.rule = r;
	if (r == NULL) {
		a->scheme.reason = "the destination has no such scheme in force on that day";
		decide(c, NULL, false, false, 0, 0, "tax scheme %s: %s", scheme_word(b->scheme),
		       a->scheme.reason);
		return 0;
	}
	bool fits = false;
	for (size_t i = 0; b->registration_number != NULL && i < r->format_count; i++)
		fits = fits || number_fits(b->registration_number, r->formats[i]);
	if (!fits) {
		a->scheme.reason = b->registration_number == NULL
					   ? "no registration number was given"
					   : "the registration number does not have the scheme's format";
		decide(c, r, false, false, 0, 0, "%s: %s", r->id, a->scheme.reason);
		return 0;
	}
	bool any_goods = false;
	for (size_t i = 0; i < a->line_count; i++)
		any_goods = any_goods || !a->lines[i].excise_good;
	if (!any_goods) {
		a->scheme.reason = "excise goods are outside the scheme";
		decide(c, r, false, false, 0, 0, "%s: %s", r->id, a->scheme.reason);
		return 0;
	}
	int64_t value = 0, limit = 0;
	if (r->threshold.currency[0] != '\0') {
		int rc = convert_money(c, &r->threshold, &limit);
		if (rc != 0)
			return rc;
		value = basis_value(c, r->value);
		if (r->value == MLV_VALUE_ITEM) {
			value = 0; /* excise lines are outside the scheme anyway */
			for (size_t i = 0; i < a->line_count; i++)
				if (!a->lines[i].excise_good && a->lines[i].value > value)
					value = a->lines[i].value;
		}
		char v[32], l[32];
		fmt_money(c, value, v);
		fmt_money(c, limit, l);
		if (!within(value, limit, r->compare)) {
			a->scheme.reason = "the value is above the scheme's ceiling";
			decide(c, r, false, true, value, limit,
			       "%s: %s %s %s is above the ceiling %s: the scheme does not apply",
			       r->id, value_name(r->value), v, c->cur, l);
			return 0;
		}
	}
	a->scheme.valid = true;
	c->scheme_covers = r->border_exempt;
	char v[32], l[32];
	fmt_money(c, value, v);
	fmt_money(c, limit, l);
	decide(c, r, true, r->threshold.currency[0] != '\0', value, limit,
	       "%s: registration %s is valid; tax is collected at sale by the %s%s", r->id,
	       b->registration_number, c->vendor == MLV_PAYER_PLATFORM ? "platform" : "seller",
	       r->threshold.currency[0] ? " (value within the ceiling)" : "");
	return 0;
}

static int cbec_step(ctx *c)
{
	mlv_assessment *a = c->a;
	const mlv_rule *r = mlv_profile_rule(c->p, MLV_RULE_CBEC, c->day);
	c->cbec = r;
	if (r == NULL)
		return 0;
	int64_t order_limit = 0, annual_limit = 0;
	int rc = convert_money(c, &r->threshold, &order_limit);
	if (rc == 0)
		rc = convert_money(c, &r->limit, &annual_limit);
	if (rc != 0)
		return rc;
	int64_t value = basis_value(c, r->value);
	int64_t used = c->o->cbec_annual_used;
	a->cbec.rule = r;
	a->cbec.order_value = value;
	a->cbec.annual_before = used;
	bool annual_ok = used + value <= annual_limit;
	const mlv_duty_item *it = &c->b->items[0];
	bool single = c->b->item_count == 1 && (it->quantity == 0 || it->quantity == 1000);
	char v[32], ol[32], al[32], u[32];
	fmt_money(c, value, v);
	fmt_money(c, order_limit, ol);
	fmt_money(c, annual_limit, al);
	fmt_money(c, used + value, u);
	if (value <= order_limit && annual_ok) {
		a->cbec.status = MLV_CBEC_PREFERENTIAL;
		a->cbec.annual_after = used + value;
		c->cbec_pref = true;
		decide(c, r, true, true, value, order_limit,
		       "%s: order %s %s within %s and annual total %s within %s: 0%% duty, "
		       "%d%% of VAT and consumption tax", r->id, v, c->cur, ol, u, al,
		       r->factor_ppm / 10000);
	} else if (r->single_item && single && annual_ok) {
		a->cbec.status = MLV_CBEC_FULL_SINGLE_ITEM;
		a->cbec.annual_after = used + value;
		decide(c, r, false, true, value, order_limit,
		       "%s: a single item of %s %s above the order limit %s: full duty and taxes, "
		       "counted in the annual total (%s)", r->id, v, c->cur, ol, u);
	} else {
		a->cbec.status = MLV_CBEC_NOT_ADMISSIBLE;
		a->cbec.annual_after = used;
		decide(c, r, false, true, value, annual_ok ? order_limit : annual_limit,
		       "%s: order %s %s with annual total %s exceeds the limits (%s per order, %s "
		       "per year): not admissible as CBEC retail; general trade rates shown",
		       r->id, v, c->cur, u, ol, al);
	}
	return 0;
}

static int tier_step(ctx *c)
{
	size_t cur = 0;
	const mlv_rule *r;
	while ((r = mlv_profile_next_rule(c->p, MLV_RULE_TIERED, c->day, &cur)) != NULL) {
		const char *why = filters_fail(c, r);
		if (why != NULL)
			continue; /* another band rule may cover this origin/channel */
		int64_t value = basis_value(c, r->value), limit = 0;
		for (size_t i = 0; i < r->tier_count; i++) {
			int rc = convert_money(c, &r->tiers[i].upto, &limit);
			if (rc != 0)
				return rc;
			if (value <= limit) {
				c->tier_rule = r;
				c->tier = &r->tiers[i];
				char v[32], l[32];
				fmt_money(c, value, v);
				fmt_money(c, limit, l);
				decide(c, r, true, true, value, limit,
				       "%s: %s %s %s is in the band up to %s: rate %d.%02d%%%s", r->id,
				       value_name(r->value), v, c->cur, l, r->tiers[i].rate_ppm / 10000,
				       r->tiers[i].rate_ppm % 10000 / 100,
				       (r->covers & MLV_APPLY_TAX) ? " covering duty and tax" : "");
				return 0;
			}
		}
		char v[32], l[32];
		fmt_money(c, value, v);
		fmt_money(c, limit, l);
		decide(c, r, false, true, value, limit,
		       "%s: %s %s %s is above the last band %s: the regular regime applies", r->id,
		       value_name(r->value), v, c->cur, l);
		return 0;
	}
	return 0;
}

static int flat_step(ctx *c)
{
	const mlv_rule *r = mlv_profile_rule(c->p, MLV_RULE_FLAT_DUTY, c->day);
	if (r == NULL)
		return 0;
	int64_t limit = 0;
	int rc = convert_money(c, &r->threshold, &limit);
	if (rc == 0)
		rc = convert_money(c, &r->amount, &c->flat_amount);
	if (rc != 0)
		return rc;
	int64_t value = basis_value(c, r->value);
	char v[32], l[32];
	fmt_money(c, value, v);
	fmt_money(c, limit, l);
	if (!within(value, limit, r->compare)) {
		decide(c, r, false, true, value, limit,
		       "%s: %s %s %s is above %s: the tariff duty applies", r->id,
		       value_name(r->value), v, c->cur, l);
		return 0;
	}
	/* Scope: when the rule names schemes or channels, one of them must
	 * hold (EU: IOSS used, or a postal consignment). */
	bool scoped = r->schemes != 0 || r->channels != 0;
	bool by_scheme = c->a->scheme.valid && (r->schemes & (1u << c->b->scheme));
	bool by_channel = c->b->channel != 0 && (r->channels & (1u << c->b->channel));
	if (scoped && !by_scheme && !by_channel) {
		decide(c, r, false, true, value, limit,
		       "%s: %s %s %s is within %s but the consignment uses neither the named scheme "
		       "nor the named channel: the tariff duty applies", r->id, value_name(r->value),
		       v, c->cur, l);
		return 0;
	}
	c->flat = r;
	char amt[32];
	fmt_money(c, c->flat_amount, amt);
	decide(c, r, true, true, value, limit,
	       "%s: %s %s %s is within %s: %s %s per distinct tariff line", r->id,
	       value_name(r->value), v, c->cur, l, amt, c->cur);
	return 0;
}

static const char *const what_if_sources[] = {"docs/countries.md#what-if"};
static const mlv_rule what_if_duty_rule = {
	.id = "WHAT-IF-DUTY", .kind = MLV_RULE_RELIEF, .owner = "what-if",
	.valid_from = MLV_DAY_MIN, .valid_to = MLV_DAY_MAX,
	.basis = "a duty threshold under study (mainlevee what-if), not law",
	.sources = what_if_sources, .source_count = 1, .verified = true,
	.applies = MLV_APPLY_DUTY, .compare = MLV_CMP_LE, .value = MLV_VALUE_INTRINSIC,
};
static const mlv_rule what_if_tax_rule = {
	.id = "WHAT-IF-TAX", .kind = MLV_RULE_RELIEF, .owner = "what-if",
	.valid_from = MLV_DAY_MIN, .valid_to = MLV_DAY_MAX,
	.basis = "a tax threshold under study (mainlevee what-if), not law",
	.sources = what_if_sources, .source_count = 1, .verified = true,
	.applies = MLV_APPLY_TAX, .compare = MLV_CMP_LE, .value = MLV_VALUE_INTRINSIC,
};

/* What-if: judges a consignment-wide relief part (duty or tax) against the
 * threshold under study instead of the profile's. */
static void what_if_part(ctx *c, const mlv_rule *r, unsigned part, int64_t limit)
{
	int64_t value = basis_value(c, r->value);
	bool ok = within(value, limit, r->compare);
	char v[32], l[32];
	fmt_money(c, value, v);
	fmt_money(c, limit, l);
	decide(c, r, ok, true, value, limit, "%s (what-if): %s %s %s %s %s %s: %s", r->id,
	       value_name(r->value), v, c->cur, ok ? "<=" : ">", l, c->cur,
	       ok ? (part == MLV_APPLY_DUTY ? "no duty" : "no tax") : "no relief");
	if (!ok)
		return;
	if (part == MLV_APPLY_DUTY && c->duty_relief == NULL)
		c->duty_relief = r;
	if (part == MLV_APPLY_TAX && c->tax_relief == NULL)
		c->tax_relief = r;
}

static int relief_step(ctx *c)
{
	mlv_assessment *a = c->a;
	size_t cur = 0;
	const mlv_rule *r;
	int64_t wd = c->o->what_if_duty_threshold, wt = c->o->what_if_tax_threshold;
	bool seen_duty = false, seen_tax = false;
	while ((r = mlv_profile_next_rule(c->p, MLV_RULE_RELIEF, c->day, &cur)) != NULL) {
		int64_t limit = 0;
		int rc = convert_money(c, &r->threshold, &limit);
		if (rc != 0)
			return rc;
		if (r->value != MLV_VALUE_ITEM && (wd >= 0 || wt >= 0) && !r->at_sale &&
		    r->requires_scheme == 0 && filters_fail(c, r) == NULL) {
			if (r->applies & MLV_APPLY_DUTY) {
				seen_duty = true;
				what_if_part(c, r, MLV_APPLY_DUTY, wd >= 0 ? wd : limit);
			}
			if (r->applies & MLV_APPLY_TAX) {
				seen_tax = true;
				what_if_part(c, r, MLV_APPLY_TAX, wt >= 0 ? wt : limit);
			}
			continue;
		}
		char l[32];
		fmt_money(c, limit, l);
		const char *what = r->applies == (MLV_APPLY_DUTY | MLV_APPLY_TAX) ? "duty and tax"
				   : (r->applies & MLV_APPLY_DUTY)		   ? "duty"
										   : "tax";
		const char *why = filters_fail(c, r);
		if (why == NULL && r->requires_scheme != 0 &&
		    !(a->scheme.valid && c->b->scheme == r->requires_scheme))
			why = "it needs a valid registration in its scheme";
		if (why != NULL) {
			decide(c, r, false, false, 0, limit, "%s: no %s relief: %s", r->id, what, why);
			continue;
		}
		if (r->value == MLV_VALUE_ITEM) {
			/* judged line by line in duty_lines */
			if ((r->applies & MLV_APPLY_DUTY) && c->duty_relief_item == NULL) {
				c->duty_relief_item = r;
				c->duty_relief_item_limit = limit;
			}
			if ((r->applies & MLV_APPLY_TAX) && c->tax_relief_item == NULL) {
				c->tax_relief_item = r;
				c->tax_relief_item_limit = limit;
			}
			decide(c, r, true, true, c->max_item, limit,
			       "%s: items of value %s %s %s or less are relieved of %s", r->id,
			       r->compare == MLV_CMP_LT ? "below" : "up to", l, c->cur, what);
			continue;
		}
		int64_t value = basis_value(c, r->value);
		char v[32];
		fmt_money(c, value, v);
		bool ok = within(value, limit, r->compare);
		decide(c, r, ok, true, value, limit, "%s: %s %s %s %s %s: %s", r->id,
		       value_name(r->value), v, c->cur,
		       ok ? (r->compare == MLV_CMP_LT ? "<" : "<=")
			  : (r->compare == MLV_CMP_LT ? ">=" : ">"),
		       l,
		       ok ? (r->at_sale ? "no tax at the border, due at sale instead"
					: (r->applies & MLV_APPLY_TAX) && (r->applies & MLV_APPLY_DUTY)
						  ? "no duty and no tax"
					  : (r->applies & MLV_APPLY_DUTY) ? "no duty"
									  : "no tax")
			  : "no relief");
		if (!ok)
			continue;
		if ((r->applies & MLV_APPLY_DUTY) && c->duty_relief == NULL)
			c->duty_relief = r;
		if ((r->applies & MLV_APPLY_TAX) && c->tax_relief == NULL)
			c->tax_relief = r;
	}
	/* A threshold under study where the profile has none today. */
	if (wd >= 0 && !seen_duty)
		what_if_part(c, &what_if_duty_rule, MLV_APPLY_DUTY, wd);
	if (wt >= 0 && !seen_tax)
		what_if_part(c, &what_if_tax_rule, MLV_APPLY_TAX, wt);
	return 0;
}

/* The duty relief, if any, that covers line i. */
static const mlv_rule *line_relief(const ctx *c, size_t i, bool duty)
{
	const mlv_duty_line *l = &c->a->lines[i];
	const mlv_rule *whole = duty ? c->duty_relief : c->tax_relief;
	const mlv_rule *item = duty ? c->duty_relief_item : c->tax_relief_item;
	int64_t item_limit = duty ? c->duty_relief_item_limit : c->tax_relief_item_limit;
	if (l->excise_good)
		return NULL; /* excise goods are never relieved */
	if (whole != NULL && !mlv_hs_in_ranges(l->hs_code, whole->exclude_hs, whole->exclude_hs_count))
		return whole;
	if (item != NULL && !mlv_hs_in_ranges(l->hs_code, item->exclude_hs, item->exclude_hs_count) &&
	    within(l->value, item_limit, item->compare))
		return item;
	return NULL;
}

static int rounding_rules(ctx *c)
{
	size_t cur = 0;
	const mlv_rule *r;
	while ((r = mlv_profile_next_rule(c->p, MLV_RULE_ROUNDING, c->day, &cur)) != NULL) {
		if (strcmp(r->amount.currency, c->cur) != 0)
			continue; /* a rule for another currency period */
		if ((r->applies & MLV_APPLY_DUTY) && c->round_duty == NULL) {
			c->round_duty = r;
			c->base_unit_duty = r->base_unit.currency[0] ? r->base_unit.amount : 0;
		}
		if ((r->applies & MLV_APPLY_TAX) && c->round_tax == NULL) {
			c->round_tax = r;
			c->base_unit_tax = r->base_unit.currency[0] ? r->base_unit.amount : 0;
		}
	}
	return 0;
}

static int64_t truncate_base(int64_t base, int64_t unit)
{
	return unit > 0 ? base / unit * unit : base;
}

/* Moves `diff` onto the lines' field at `off` (largest first) so that the
 * sum equals the rounded total; never takes a line below zero. */
static void allocate(mlv_assessment *a, size_t off, int64_t diff)
{
	while (diff != 0) {
		size_t best = 0;
		int64_t best_v = -1;
		for (size_t i = 0; i < a->line_count; i++) {
			int64_t v = *(int64_t *)((char *)&a->lines[i] + off);
			if (v > best_v) {
				best_v = v;
				best = i;
			}
		}
		int64_t *f = (int64_t *)((char *)&a->lines[best] + off);
		if (diff > 0) {
			*f += diff;
			return;
		}
		int64_t take = -diff < *f ? -diff : *f;
		if (take == 0)
			return; /* cannot happen: the rounded total is >= 0 */
		*f -= take;
		diff += take;
	}
}

static int64_t sum_field(const mlv_assessment *a, size_t off)
{
	int64_t s = 0;
	for (size_t i = 0; i < a->line_count; i++)
		s += *(const int64_t *)((const char *)&a->lines[i] + off);
	return s;
}

/* Applies the profile's rounding of a total (duty, excise or tax) and
 * moves the difference onto the lines. */
static void round_field(ctx *c, const mlv_rule *r, size_t off)
{
	if (r == NULL)
		return;
	int64_t total = sum_field(c->a, off);
	int64_t rounded = round_to(total, r->amount.amount, r->mode);
	if (rounded != total)
		allocate(c->a, off, rounded - total);
}

/* Duty of every line, rounded; the tax base needs the duty as assessed. */
static int duty_lines(ctx *c)
{
	mlv_assessment *a = c->a;
	/* the tier's deduction is spread over its lines by customs value */
	int64_t deduction = 0, tier_cv = 0, ded_given = 0;
	size_t last_tier = 0;
	if (c->tier != NULL) {
		mark_covered(c, c->tier_rule);
		if (c->tier->deduction.currency[0] != '\0') {
			int rc = convert_money(c, &c->tier->deduction, &deduction);
			if (rc != 0)
				return rc;
		}
		for (size_t i = 0; i < a->line_count; i++) {
			c->tier_line[i] = c->covered[i];
			if (c->covered[i]) {
				tier_cv += a->lines[i].customs_value;
				last_tier = i;
			}
		}
	}
	if (c->flat != NULL)
		mark_covered(c, c->flat);
	size_t nrelieved = 0;
	for (size_t i = 0; i < a->line_count; i++) {
		mlv_duty_line *l = &a->lines[i];
		int64_t base = truncate_base(l->customs_value, c->base_unit_duty);
		const mlv_rule *relief = line_relief(c, i, true);
		if (c->cbec_pref) {
			l->duty_how = MLV_HOW_CBEC;
			l->duty_rule = c->cbec;
			l->duty_rate_ppm = c->cbec->rate_ppm;
			l->duty = apply_rate(base, c->cbec->rate_ppm, false);
			l->tariff_exact = true;
		} else if (c->tier_line[i]) {
			l->duty_how = MLV_HOW_TIER;
			l->duty_rule = c->tier_rule;
			l->duty_rate_ppm = c->tier->rate_ppm;
			l->tariff_exact = true;
			int64_t gross = apply_rate(base, c->tier->rate_ppm, false);
			/* the last line takes what rounding left, so the shares
			 * add up to the deduction */
			int64_t share = i == last_tier ? deduction - ded_given
				      : tier_cv > 0   ? mul_div(deduction, l->customs_value, tier_cv)
						      : 0;
			if (share > deduction - ded_given)
				share = deduction - ded_given;
			ded_given += share;
			l->duty = gross > share ? gross - share : 0;
		} else if (c->flat != NULL && c->covered[i]) {
			l->duty_how = MLV_HOW_FLAT;
			l->duty_rule = c->flat;
			l->tariff_exact = true;
			/* one amount per distinct tariff classification: the first
			 * line of each code carries it */
			bool first = true;
			for (size_t j = 0; j < i; j++)
				if (c->covered[j] && strcmp(a->lines[j].hs_code, l->hs_code) == 0)
					first = false;
			l->duty = first ? c->flat_amount : 0;
		} else if (relief != NULL) {
			l->duty_how = MLV_HOW_RELIEF;
			l->duty_rule = relief;
			l->tariff_exact = true;
			nrelieved++;
		} else {
			mlv_duty_rate dr;
			mlv_profile_duty_rate(c->p, c->day, l->hs_code, l->origin, &dr);
			l->duty_rule = dr.rule;
			l->tariff_exact = dr.exact;
			memcpy(l->tariff_code, dr.tariff_code, sizeof(l->tariff_code));
			if (!dr.computed) {
				l->duty_how = MLV_HOW_NOT_COMPUTED;
				a->complete = false;
			} else {
				l->duty_how = MLV_HOW_RATE;
				l->duty_rate_ppm = dr.rate_ppm;
				l->duty = apply_rate(base, dr.rate_ppm, false);
				if (dr.specific != NULL)
					a->complete = false; /* a specific part is missing */
			}
		}
	}
	c->relieved_all = nrelieved == a->line_count;
	round_field(c, c->round_duty, offsetof(mlv_duty_line, duty));
	return 0;
}

/* Excise on customs value + duty (China's composite base when
 * inclusive); the CBEC factor applies to it as to VAT.  The statutory
 * amounts go into the tax base. */
static void excise_lines(ctx *c)
{
	mlv_assessment *a = c->a;
	for (size_t i = 0; i < a->line_count; i++) {
		mlv_duty_line *l = &a->lines[i];
		const mlv_rule *x = l->excise_rule;
		if (x == NULL)
			continue;
		l->excise_computed = x->has_rate && !x->specific;
		if (!l->excise_computed)
			a->complete = false;
		if (!x->has_rate)
			continue;
		c->excise_statutory[i] = apply_rate(l->customs_value + l->duty, x->rate_ppm, x->inclusive);
		l->excise = c->cbec_pref ? mul_div(c->excise_statutory[i], c->cbec->factor_ppm, PPM)
					 : c->excise_statutory[i];
	}
	round_field(c, c->round_duty, offsetof(mlv_duty_line, excise));
}

static void tax_lines(ctx *c)
{
	mlv_assessment *a = c->a;
	const char *tax_name = mlv_profile_tax_name(c->p);
	bool add_freight = a->valuation == MLV_VALUATION_FOB && mlv_profile_tax_base_freight(c->p);
	for (size_t i = 0; i < a->line_count; i++) {
		mlv_duty_line *l = &a->lines[i];
		const mlv_rule *tr = tax_name[0] != '\0'
					     ? mlv_profile_tax_rule(c->p, c->day, l->hs_code,
								    c->b->buyer_region)
					     : NULL;
		int64_t base = l->customs_value + l->duty + c->excise_statutory[i] +
			       (add_freight ? l->transport : 0);
		l->tax_base = truncate_base(base, c->base_unit_tax);
		if (tr == NULL) {
			l->tax_how = MLV_HOW_NO_TAX;
			continue;
		}
		l->tax_rule = tr;
		l->tax_rate_ppm = tr->rate_ppm;
		if (c->tier_line[i] && (c->tier_rule->covers & MLV_APPLY_TAX)) {
			l->tax_how = MLV_HOW_COVERED;
			continue;
		}
		int64_t statutory = apply_rate(l->tax_base, tr->rate_ppm, tr->inclusive);
		const mlv_rule *relief = line_relief(c, i, false);
		bool scheme = c->scheme_covers && !l->excise_good;
		if ((relief != NULL && relief->at_sale) || scheme) {
			/* charged at checkout on the sale price with delivery,
			 * not on the import base */
			l->tax_how = MLV_HOW_AT_SALE;
			l->tax_at_sale = apply_rate(l->value + l->transport, tr->rate_ppm, false);
		} else if (relief != NULL) {
			l->tax_how = MLV_HOW_RELIEF;
		} else if (c->cbec_pref) {
			l->tax_how = MLV_HOW_CBEC;
			l->tax = mul_div(statutory, c->cbec->factor_ppm, PPM);
		} else {
			l->tax_how = MLV_HOW_RATE;
			l->tax = statutory;
		}
	}
	round_field(c, c->round_tax, offsetof(mlv_duty_line, tax));
}

static void zero_field(mlv_assessment *a, size_t off, size_t how_off)
{
	for (size_t i = 0; i < a->line_count; i++) {
		int64_t *f = (int64_t *)((char *)&a->lines[i] + off);
		mlv_duty_how *h = (mlv_duty_how *)((char *)&a->lines[i] + how_off);
		if (*f > 0) {
			*f = 0;
			*h = MLV_HOW_WAIVED;
		}
	}
}

static int waiver_step(ctx *c)
{
	mlv_assessment *a = c->a;
	size_t cur = 0;
	const mlv_rule *r;
	const size_t duty_off = offsetof(mlv_duty_line, duty);
	const size_t duty_how = offsetof(mlv_duty_line, duty_how);
	const size_t excise_off = offsetof(mlv_duty_line, excise);
	const size_t tax_off = offsetof(mlv_duty_line, tax);
	const size_t tax_how = offsetof(mlv_duty_line, tax_how);
	while ((r = mlv_profile_next_rule(c->p, MLV_RULE_WAIVER, c->day, &cur)) != NULL) {
		int64_t limit = 0;
		int rc = convert_money(c, &r->threshold, &limit);
		if (rc != 0)
			return rc;
		int64_t duty = sum_field(a, duty_off) + sum_field(a, excise_off);
		int64_t tax = sum_field(a, tax_off);
		char l[32], d[32], t[32], s[32];
		fmt_money(c, limit, l);
		fmt_money(c, duty, d);
		fmt_money(c, tax, t);
		fmt_money(c, duty + tax, s);
		bool waive_duty = false, waive_tax = false;
		switch (r->target) {
		case MLV_WAIVE_DUTY:
			waive_duty = duty > 0 && within(duty, limit, r->compare);
			break;
		case MLV_WAIVE_TAX:
			waive_tax = tax > 0 && within(tax, limit, r->compare);
			break;
		case MLV_WAIVE_EACH:
			waive_duty = duty > 0 && within(duty, limit, r->compare);
			waive_tax = tax > 0 && within(tax, limit, r->compare);
			break;
		case MLV_WAIVE_SUM:
			waive_duty = waive_tax = duty + tax > 0 && within(duty + tax, limit, r->compare);
			break;
		}
		const char *cmp = r->compare == MLV_CMP_LT ? "under" : "not more than";
		if (r->target == MLV_WAIVE_SUM)
			decide(c, r, waive_duty, true, duty + tax, limit,
			       "%s: duty and tax %s %s %s %s: %s", r->id, s, c->cur,
			       waive_duty ? cmp : "not", l,
			       waive_duty ? "not collected" : "collected");
		else
			decide(c, r, waive_duty || waive_tax, true,
			       r->target == MLV_WAIVE_TAX ? tax : duty, limit,
			       "%s: duty %s, tax %s %s; amounts %s %s are not collected: %s", r->id,
			       d, t, c->cur, cmp, l,
			       waive_duty && waive_tax ? "duty and tax waived"
			       : waive_duty		 ? "duty waived"
			       : waive_tax		 ? "tax waived"
							 : "nothing waived");
		if (waive_duty) {
			zero_field(a, duty_off, duty_how);
			for (size_t i = 0; i < a->line_count; i++)
				a->lines[i].excise = 0;
		}
		if (waive_tax)
			zero_field(a, tax_off, tax_how);
	}
	return 0;
}

static size_t distinct_codes(const mlv_assessment *a)
{
	size_t n = 0;
	for (size_t i = 0; i < a->line_count; i++) {
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(a->lines[j].hs_code, a->lines[i].hs_code) == 0;
		n += !seen;
	}
	return n;
}

static int fee_step(ctx *c, mlv_payer border_payer)
{
	mlv_assessment *a = c->a;
	int64_t collected = sum_field(a, offsetof(mlv_duty_line, duty)) +
			    sum_field(a, offsetof(mlv_duty_line, excise)) +
			    sum_field(a, offsetof(mlv_duty_line, tax));
	size_t cur = 0;
	const mlv_rule *r;
	while ((r = mlv_profile_next_rule(c->p, MLV_RULE_FEE, c->day, &cur)) != NULL) {
		if (r->channels != 0 && (c->b->channel == 0 || !(r->channels & (1u << c->b->channel))))
			continue;
		int64_t value = r->value != 0 ? basis_value(c, r->value) : a->customs_value;
		int64_t lim = 0;
		int rc;
		if (r->value_above.currency[0]) {
			if ((rc = convert_money(c, &r->value_above, &lim)) != 0)
				return rc;
			if (!(value > lim))
				continue;
		}
		if (r->value_upto.currency[0]) {
			if ((rc = convert_money(c, &r->value_upto, &lim)) != 0)
				return rc;
			if (!(value <= lim))
				continue;
		}
		if (r->when == MLV_FEE_ENTRY && c->relieved_all)
			continue;
		if (r->when == MLV_FEE_COLLECTED && collected == 0)
			continue;
		int64_t amount = 0, x = 0;
		if (r->amount.currency[0]) {
			if ((rc = convert_money(c, &r->amount, &x)) != 0)
				return rc;
			amount = x * (r->per == MLV_FEE_PER_LINE ? (int64_t)distinct_codes(a) : 1);
		}
		if (r->has_rate) {
			int64_t v = apply_rate(value, r->rate_ppm, false);
			if (r->min.currency[0]) {
				if ((rc = convert_money(c, &r->min, &x)) != 0)
					return rc;
				if (v < x)
					v = x;
			}
			if (r->max.currency[0]) {
				if ((rc = convert_money(c, &r->max, &x)) != 0)
					return rc;
				if (v > x)
					v = x;
			}
			amount += v;
		}
		if (a->fee_count == MLV_DUTY_MAX_FEES)
			return MLV_ETOOBIG;
		mlv_duty_fee *f = &a->fee_list[a->fee_count++];
		f->rule = r;
		f->amount = amount;
		f->payer = r->payer == MLV_FEE_PAYER_VENDOR ? c->vendor : border_payer;
		char m[32];
		fmt_money(c, amount, m);
		decide(c, r, true, false, 0, 0, "%s: %s %s %s%s", r->id, r->name, m, c->cur,
		       r->collector == MLV_FEE_BY_CARRIER ? " (charged by the carrier)" : "");
	}
	return 0;
}

static void owe(mlv_assessment *a, int what, mlv_payer payer, mlv_when when, int64_t amount)
{
	if (amount <= 0)
		return;
	for (size_t i = 0; i < a->obligation_count; i++) {
		mlv_obligation *o = &a->obligations[i];
		if (o->what == what && o->payer == payer && o->when == when) {
			o->amount += amount;
			return;
		}
	}
	if (a->obligation_count < MLV_DUTY_MAX_OBLIGATIONS)
		a->obligations[a->obligation_count++] =
			(mlv_obligation){.what = what, .payer = payer, .when = when, .amount = amount};
}

static int declaration_step(ctx *c)
{
	const mlv_rule *r = mlv_profile_rule(c->p, MLV_RULE_DECLARATION, c->day);
	if (r == NULL)
		return 0;
	int64_t limit = 0;
	int rc = convert_money(c, &r->threshold, &limit);
	if (rc != 0)
		return rc;
	c->a->declaration_rule = r;
	c->a->declaration = within(basis_value(c, r->value), limit, r->compare) ? r->below : r->above;
	return 0;
}

static void notices(ctx *c)
{
	size_t cur = 0;
	const mlv_rule *r;
	while ((r = mlv_profile_next_rule(c->p, MLV_RULE_NOTICE, c->day, &cur)) != NULL)
		decide(c, r, true, false, 0, 0, "%s: %s", r->id, r->name);
}

static void collect(ctx *c)
{
	mlv_assessment *a = c->a;
	const mlv_basket *b = c->b;
	const mlv_rule *imposed = mlv_profile_rule(c->p, MLV_RULE_COLLECTION, c->day);
	bool withholding = imposed != NULL && imposed->model == MLV_IMPOSED_PLATFORM_WITHHOLDING;
	if (withholding)
		a->border_payer = b->platform || !b->intermediary ? MLV_PAYER_PLATFORM
								   : MLV_PAYER_INTERMEDIARY;
	else if (b->intermediary)
		a->border_payer = MLV_PAYER_INTERMEDIARY;
	else
		a->border_payer = MLV_PAYER_BUYER;
	a->border_when = c->o->deferred_account && a->border_payer != MLV_PAYER_BUYER
				 ? MLV_WHEN_PERIODIC
				 : MLV_WHEN_BEFORE_RELEASE;
}

static void totals(ctx *c)
{
	mlv_assessment *a = c->a;
	a->duty = sum_field(a, offsetof(mlv_duty_line, duty));
	a->excise = sum_field(a, offsetof(mlv_duty_line, excise));
	a->tax = sum_field(a, offsetof(mlv_duty_line, tax));
	a->tax_at_sale = sum_field(a, offsetof(mlv_duty_line, tax_at_sale));
	int64_t border_fees = 0, vendor_fees = 0;
	for (size_t i = 0; i < a->fee_count; i++) {
		a->fees += a->fee_list[i].amount;
		if (a->fee_list[i].rule->payer == MLV_FEE_PAYER_VENDOR)
			vendor_fees += a->fee_list[i].amount;
		else
			border_fees += a->fee_list[i].amount;
	}
	a->border_total = a->duty + a->excise + a->tax + border_fees;
	a->total = a->border_total + a->tax_at_sale + vendor_fees;

	owe(a, MLV_OWE_DUTY, a->border_payer, a->border_when, a->duty);
	owe(a, MLV_OWE_EXCISE, a->border_payer, a->border_when, a->excise);
	owe(a, MLV_OWE_TAX, a->border_payer, a->border_when, a->tax);
	owe(a, MLV_OWE_TAX, c->vendor, MLV_WHEN_AT_SALE, a->tax_at_sale);
	for (size_t i = 0; i < a->fee_count; i++)
		owe(a, MLV_OWE_FEE, a->fee_list[i].payer,
		    a->fee_list[i].payer == a->border_payer ? a->border_when : MLV_WHEN_BEFORE_RELEASE,
		    a->fee_list[i].amount);

	const mlv_rule *imposed = mlv_profile_rule(c->p, MLV_RULE_COLLECTION, c->day);
	if (a->tax_at_sale > 0 || a->scheme.valid)
		a->model = c->vendor == MLV_PAYER_PLATFORM ? MLV_MODEL_PLATFORM_SCHEME
							   : MLV_MODEL_SELLER_SCHEME;
	else if (a->border_total == 0 && a->total == 0)
		a->model = MLV_MODEL_NONE;
	else if (imposed != NULL && imposed->model == MLV_IMPOSED_PLATFORM_WITHHOLDING)
		a->model = MLV_MODEL_PLATFORM_WITHHOLDING;
	else if (a->border_payer == MLV_PAYER_INTERMEDIARY)
		a->model = a->border_when == MLV_WHEN_PERIODIC ? MLV_MODEL_INTERMEDIARY_DEFERRED
							       : MLV_MODEL_INTERMEDIARY;
	else
		a->model = MLV_MODEL_BUYER;
}

/* Goods sold from stock already released for free circulation: the sale
 * is domestic, duty and import tax were paid at the bulk import. */
static void domestic(ctx *c)
{
	mlv_assessment *a = c->a;
	for (size_t i = 0; i < a->line_count; i++) {
		a->lines[i].duty_how = MLV_HOW_DOMESTIC;
		a->lines[i].tax_how = MLV_HOW_DOMESTIC;
		a->lines[i].tariff_exact = true;
	}
	decide(c, NULL, true, false, 0, 0,
	       "non-bonded fulfilment centre: the goods were imported in bulk and are in free "
	       "circulation; the sale is domestic and owes no import duty or tax");
	a->model = MLV_MODEL_DOMESTIC;
	a->border_payer = MLV_PAYER_BUYER;
	a->border_when = MLV_WHEN_BEFORE_RELEASE;
}

static int assess(mlv_assessment **out, const mlv_profile *p, const mlv_basket *b,
		  const mlv_duty_opts *o, mlv_problems *problems, const ptrs *pt)
{
	assert(out != NULL && p != NULL && b != NULL && o != NULL);
	*out = NULL;
	if (mlv_profile_is_union(p))
		return MLV_EINVALID;
	int rc = 0;
	ctx c = {0};
	c.p = p;
	c.ps = mlv_profile_set(p);
	c.rd = mlv_profile_refdata(p);
	c.b = b;
	c.o = o;
	c.problems = problems;
	c.day = o->day;
	rc = check_input(&c, pt);
	if (rc != 0)
		return rc;
	mlv_assessment *a = calloc(1, sizeof(*a));
	if (a == NULL)
		return MLV_ENOMEM;
	c.a = a;
	a->lines = calloc(b->item_count, sizeof(*a->lines));
	c.covered = calloc(b->item_count, sizeof(*c.covered));
	c.tier_line = calloc(b->item_count, sizeof(*c.tier_line));
	c.excise_statutory = calloc(b->item_count, sizeof(*c.excise_statutory));
	c.rem = calloc(b->item_count, sizeof(*c.rem));
	if (a->lines == NULL || c.covered == NULL || c.tier_line == NULL ||
	    c.excise_statutory == NULL || c.rem == NULL) {
		rc = MLV_ENOMEM;
		goto cleanup;
	}
	a->line_count = b->item_count;
	c.cur = mlv_profile_currency(p, c.day);
	memcpy(a->country, mlv_profile_code(p), 3);
	memcpy(a->currency, c.cur, 4);
	a->minor_units = mlv_currency_minor_units(c.rd, c.cur);
	a->day = c.day;
	c.fx_day = mlv_profile_fx_day(p) == MLV_FXDAY_EU_MONTHLY ? eu_monthly_day(c.day) : c.day;
	a->fx_day = c.fx_day;
	a->valuation = mlv_profile_valuation(p);
	a->complete = true;

	if ((rc = values(&c)) != 0)
		goto cleanup;
	excise_flags(&c);
	if (b->business_model == MLV_BM_NON_BONDED_FC) {
		domestic(&c);
		*out = a;
		a = NULL;
		goto cleanup;
	}
	if (b->business_model == MLV_BM_BONDED_FC)
		decide(&c, NULL, true, false, 0, 0,
		       "bonded fulfilment centre: assessed per sale on release from the "
		       "warehouse; reliefs for goods sent direct from abroad do not apply");
	if ((rc = scheme_step(&c)) != 0 || (rc = cbec_step(&c)) != 0)
		goto cleanup;
	if (!c.cbec_pref) {
		if ((rc = tier_step(&c)) != 0 || (rc = flat_step(&c)) != 0 ||
		    (rc = relief_step(&c)) != 0)
			goto cleanup;
	}
	if ((rc = rounding_rules(&c)) != 0 || (rc = duty_lines(&c)) != 0)
		goto cleanup;
	excise_lines(&c);
	tax_lines(&c);
	if ((rc = waiver_step(&c)) != 0)
		goto cleanup;
	collect(&c);
	if ((rc = fee_step(&c, a->border_payer)) != 0)
		goto cleanup;
	totals(&c);
	if ((rc = declaration_step(&c)) != 0)
		goto cleanup;
	notices(&c);
	*out = a;
	a = NULL;
cleanup:
	if (rc != 0 && rc != MLV_ENOMEM && problems != NULL && problems->errors == 0)
		mlv_problems_add(problems, MLV_SEV_ERROR, "", "duty.assess", "%s",
				 rc == MLV_ENOTFOUND ? "no exchange rate for a currency on that day"
				 : rc == MLV_ETOOBIG ? "the consignment is too large to assess"
						     : "the consignment cannot be assessed");
	free(c.covered);
	free(c.tier_line);
	free(c.excise_statutory);
	free(c.rem);
	mlv_duty_free(a);
	return rc;
}

int mlv_duty_assess(mlv_assessment **out, const mlv_profile *p, const mlv_basket *b,
		    const mlv_duty_opts *opts, mlv_problems *problems)
{
	static const ptrs pt = {"/shipping", "/insurance", "/tax_collected/scheme",
				"/tax_collected/registration_number"};
	return assess(out, p, b, opts, problems, &pt);
}

int mlv_duty_assess_consignment(mlv_assessment **out, const mlv_profile *p,
				const mlv_consignment *c, const mlv_duty_opts *opts,
				mlv_problems *problems)
{
	static const ptrs pt = {"/transaction/shipping_cost", "/transaction/insurance_cost",
				"/tax_collected/scheme", "/tax_collected/registration_number"};
	assert(out != NULL && c != NULL);
	*out = NULL;
	if (c->item_count == 0 || c->item_count > MLV_MAX_ITEMS || c->items == NULL) {
		if (problems != NULL)
			mlv_problems_add(problems, MLV_SEV_ERROR, "/items", "duty.items",
					 "between 1 and %d items are needed", MLV_MAX_ITEMS);
		return MLV_EINVALID;
	}
	mlv_duty_item *items = calloc(c->item_count, sizeof(*items));
	if (items == NULL)
		return MLV_ENOMEM;
	for (size_t i = 0; i < c->item_count; i++) {
		const mlv_item *it = &c->items[i];
		items[i].hs_code = it->hs_code;
		memcpy(items[i].origin, it->origin_country, 3);
		memcpy(items[i].currency, it->currency, 4);
		items[i].value = it->value.set ? it->value.v : 0;
		items[i].quantity = it->quantity.set ? it->quantity.v : 0;
	}
	mlv_basket b = {0};
	b.items = items;
	b.item_count = c->item_count;
	const mlv_transaction *t = &c->transaction;
	if (t->present) {
		memcpy(b.currency, t->currency, 4);
		b.shipping = t->shipping_cost.set ? t->shipping_cost.v : 0;
		b.insurance = t->insurance_cost.set ? t->insurance_cost.v : 0;
	}
	b.channel = c->channel;
	b.business_model = c->business_model;
	if (c->tax_collected.present) {
		b.scheme = c->tax_collected.scheme;
		b.registration_number = c->tax_collected.registration_number;
		if (c->tax_collected.amount.set) {
			b.tax_collected_set = true;
			b.tax_collected = c->tax_collected.amount.v;
			memcpy(b.tax_collected_currency, c->tax_collected.currency, 4);
		}
	}
	b.platform = c->platform.present;
	b.intermediary = c->intermediary.present;
	if (c->buyer.present && c->buyer.address.present)
		b.buyer_region = c->buyer.address.region;
	int rc = assess(out, p, &b, opts, problems, &pt);
	free(items);
	return rc;
}

void mlv_duty_free(mlv_assessment *a)
{
	if (a == NULL)
		return;
	free(a->lines);
	free(a);
}

/* ---- JSON ---- */

static int jmoney(mlv_buf *b, const mlv_assessment *a, const char *key, int64_t v, bool comma)
{
	char num[32];
	if (mlv_decimal_format(v, a->minor_units, num, sizeof(num)) < 0)
		return MLV_EINVALID;
	return mlv_buf_printf(b, "%s\"%s\":\"%s\"", comma ? "," : "", key, num);
}

static int jrate(mlv_buf *b, const char *key, int32_t ppm)
{
	char num[32];
	if (mlv_decimal_format(ppm, 4, num, sizeof(num)) < 0)
		return MLV_EINVALID;
	size_t n = strlen(num);
	while (n > 0 && num[n - 1] == '0')
		n--;
	if (n > 0 && num[n - 1] == '.')
		n--;
	num[n] = '\0';
	return mlv_buf_printf(b, ",\"%s\":\"%s\"", key, num);
}

static int jstr(mlv_buf *b, const char *key, const char *s)
{
	int rc = mlv_buf_printf(b, ",\"%s\":", key);
	if (rc != 0)
		return rc;
	if (s == NULL)
		return mlv_buf_adds(b, "null");
	return mlv_buf_add_json_string(b, s, strlen(s));
}

static int jrule(mlv_buf *b, const char *key, const mlv_rule *r)
{
	int rc = jstr(b, key, r != NULL ? r->id : NULL);
	if (rc == 0)
		rc = jstr(b, "basis", r != NULL ? r->basis : NULL);
	if (rc == 0 && r != NULL && !r->verified)
		rc = mlv_buf_adds(b, ",\"verified\":false");
	return rc;
}

static int write_line(mlv_buf *b, const mlv_assessment *a, const mlv_duty_line *l)
{
	int rc = mlv_buf_printf(b, "{\"item\":%zu,\"hs_code\":\"%s\",\"origin\":", l->item,
				l->hs_code);
	if (rc == 0)
		rc = l->origin[0] ? mlv_buf_printf(b, "\"%s\"", l->origin) : mlv_buf_adds(b, "null");
	if (rc == 0)
		rc = jmoney(b, a, "value", l->value, true);
	if (rc == 0)
		rc = jmoney(b, a, "transport", l->transport, true);
	if (rc == 0)
		rc = jmoney(b, a, "customs_value", l->customs_value, true);
	if (rc == 0)
		rc = mlv_buf_printf(b, ",\"excise_good\":%s,\"duty\":{",
				    l->excise_good ? "true" : "false");
	if (rc == 0)
		rc = jmoney(b, a, "amount", l->duty, false);
	if (rc == 0)
		rc = mlv_buf_printf(b, ",\"how\":\"%s\"", mlv_duty_how_name(l->duty_how));
	if (rc == 0 && (l->duty_how == MLV_HOW_RATE || l->duty_how == MLV_HOW_TIER ||
			l->duty_how == MLV_HOW_CBEC))
		rc = jrate(b, "rate", l->duty_rate_ppm);
	if (rc == 0)
		rc = jrule(b, "rule", l->duty_rule);
	if (rc == 0 && l->tariff_code[0])
		rc = mlv_buf_printf(b, ",\"tariff_code\":\"%s\"", l->tariff_code);
	if (rc == 0)
		rc = mlv_buf_printf(b, ",\"exact\":%s}", l->tariff_exact ? "true" : "false");
	if (rc == 0 && l->excise_rule != NULL) {
		rc = mlv_buf_adds(b, ",\"excise\":{");
		if (rc == 0)
			rc = jmoney(b, a, "amount", l->excise, false);
		if (rc == 0)
			rc = mlv_buf_printf(b, ",\"computed\":%s", l->excise_computed ? "true" : "false");
		if (rc == 0)
			rc = jstr(b, "name", l->excise_rule->name);
		if (rc == 0)
			rc = jrule(b, "rule", l->excise_rule);
		if (rc == 0)
			rc = mlv_buf_addc(b, '}');
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, ",\"tax\":{");
	if (rc == 0)
		rc = jmoney(b, a, "amount", l->tax, false);
	if (rc == 0)
		rc = jmoney(b, a, "at_sale", l->tax_at_sale, true);
	if (rc == 0)
		rc = jmoney(b, a, "base", l->tax_base, true);
	if (rc == 0 && l->tax_rule != NULL)
		rc = jrate(b, "rate", l->tax_rate_ppm);
	if (rc == 0)
		rc = mlv_buf_printf(b, ",\"how\":\"%s\"", mlv_duty_how_name(l->tax_how));
	if (rc == 0)
		rc = jrule(b, "rule", l->tax_rule);
	if (rc == 0)
		rc = mlv_buf_adds(b, "}}");
	return rc;
}

int mlv_duty_write_json(mlv_buf *b, const mlv_assessment *a)
{
	assert(b != NULL && a != NULL);
	char day[11], fxday[11];
	mlv_date_format(a->day, day);
	mlv_date_format(a->fx_day, fxday);
	int rc = mlv_buf_printf(b,
				"{\"country\":\"%s\",\"currency\":\"%s\",\"day\":\"%s\","
				"\"fx_day\":\"%s\",\"valuation\":\"%s\",\"complete\":%s,\"values\":{",
				a->country, a->currency, day, fxday,
				a->valuation == MLV_VALUATION_FOB ? "fob" : "cif",
				a->complete ? "true" : "false");
	if (rc == 0)
		rc = jmoney(b, a, "intrinsic", a->intrinsic, false);
	if (rc == 0)
		rc = jmoney(b, a, "transport", a->transport, true);
	if (rc == 0)
		rc = jmoney(b, a, "customs_value", a->customs_value, true);
	if (rc == 0)
		rc = mlv_buf_adds(b, "},\"totals\":{");
	if (rc == 0)
		rc = jmoney(b, a, "duty", a->duty, false);
	if (rc == 0)
		rc = jmoney(b, a, "excise", a->excise, true);
	if (rc == 0)
		rc = jmoney(b, a, "tax", a->tax, true);
	if (rc == 0)
		rc = jmoney(b, a, "tax_at_sale", a->tax_at_sale, true);
	if (rc == 0)
		rc = jmoney(b, a, "fees", a->fees, true);
	if (rc == 0)
		rc = jmoney(b, a, "border", a->border_total, true);
	if (rc == 0)
		rc = jmoney(b, a, "total", a->total, true);
	if (rc == 0 && a->declared_at_sale_set)
		rc = jmoney(b, a, "declared_tax_collected", a->declared_at_sale, true);
	if (rc == 0)
		rc = mlv_buf_printf(b, "},\"collection\":{\"model\":\"%s\",\"border_payer\":\"%s\","
				       "\"border_when\":\"%s\",\"scheme\":",
				    mlv_duty_model_name(a->model), mlv_duty_payer_name(a->border_payer),
				    mlv_duty_when_name(a->border_when));
	if (rc == 0 && a->scheme.scheme == 0)
		rc = mlv_buf_adds(b, "null");
	else if (rc == 0) {
		rc = mlv_buf_printf(b, "{\"scheme\":\"%s\",\"valid\":%s", scheme_word(a->scheme.scheme),
				    a->scheme.valid ? "true" : "false");
		if (rc == 0)
			rc = jstr(b, "rule", a->scheme.rule != NULL ? a->scheme.rule->id : NULL);
		if (rc == 0)
			rc = jstr(b, "reason", a->scheme.reason);
		if (rc == 0)
			rc = mlv_buf_addc(b, '}');
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, ",\"obligations\":[");
	for (size_t i = 0; rc == 0 && i < a->obligation_count; i++) {
		const mlv_obligation *o = &a->obligations[i];
		rc = mlv_buf_printf(b, "%s{\"what\":\"%s\"", i ? "," : "", nth(owe_names, o->what));
		if (rc == 0)
			rc = jmoney(b, a, "amount", o->amount, true);
		if (rc == 0)
			rc = mlv_buf_printf(b, ",\"payer\":\"%s\",\"when\":\"%s\"}",
					    mlv_duty_payer_name(o->payer), mlv_duty_when_name(o->when));
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, "]}");
	if (rc == 0 && a->cbec.rule != NULL) {
		rc = mlv_buf_printf(b, ",\"cbec\":{\"rule\":\"%s\",\"status\":\"%s\"", a->cbec.rule->id,
				    nth(cbec_names, (int)a->cbec.status));
		if (rc == 0)
			rc = jmoney(b, a, "order_value", a->cbec.order_value, true);
		if (rc == 0)
			rc = jmoney(b, a, "annual_before", a->cbec.annual_before, true);
		if (rc == 0)
			rc = jmoney(b, a, "annual_after", a->cbec.annual_after, true);
		if (rc == 0)
			rc = mlv_buf_addc(b, '}');
	}
	if (rc == 0 && a->declaration_rule != NULL) {
		rc = jstr(b, "declaration", a->declaration);
		if (rc == 0)
			rc = jstr(b, "declaration_rule", a->declaration_rule->id);
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, ",\"lines\":[");
	for (size_t i = 0; rc == 0 && i < a->line_count; i++) {
		if (i > 0)
			rc = mlv_buf_addc(b, ',');
		if (rc == 0)
			rc = write_line(b, a, &a->lines[i]);
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, "],\"fees\":[");
	for (size_t i = 0; rc == 0 && i < a->fee_count; i++) {
		const mlv_duty_fee *f = &a->fee_list[i];
		rc = mlv_buf_printf(b, "%s{\"rule\":\"%s\"", i ? "," : "", f->rule->id);
		if (rc == 0)
			rc = jstr(b, "name", f->rule->name);
		if (rc == 0)
			rc = jmoney(b, a, "amount", f->amount, true);
		if (rc == 0)
			rc = mlv_buf_printf(b, ",\"payer\":\"%s\",\"collector\":\"%s\"",
					    mlv_duty_payer_name(f->payer),
					    f->rule->collector == MLV_FEE_BY_CARRIER ? "carrier"
										      : "customs");
		if (rc == 0)
			rc = jstr(b, "basis", f->rule->basis);
		if (rc == 0)
			rc = mlv_buf_addc(b, '}');
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, "],\"decisions\":[");
	for (size_t i = 0; rc == 0 && i < a->decision_count; i++) {
		const mlv_duty_decision *d = &a->decisions[i];
		rc = mlv_buf_printf(b, "%s{\"rule\":", i ? "," : "");
		if (rc == 0)
			rc = d->rule != NULL ? mlv_buf_printf(b, "\"%s\",\"kind\":\"%s\"", d->rule->id,
							      mlv_rule_kind_name(d->rule->kind))
					     : mlv_buf_adds(b, "null,\"kind\":null");
		if (rc == 0)
			rc = mlv_buf_printf(b, ",\"applies\":%s", d->applies ? "true" : "false");
		if (rc == 0 && d->has_value) {
			rc = jmoney(b, a, "value", d->value, true);
			if (rc == 0)
				rc = jmoney(b, a, "limit", d->limit, true);
		}
		if (rc == 0)
			rc = jstr(b, "text", d->text);
		if (rc == 0 && d->rule != NULL)
			rc = jstr(b, "basis", d->rule->basis);
		if (rc == 0 && d->rule != NULL && !d->rule->verified)
			rc = mlv_buf_adds(b, ",\"verified\":false");
		if (rc == 0)
			rc = mlv_buf_addc(b, '}');
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, "]}");
	return rc;
}
