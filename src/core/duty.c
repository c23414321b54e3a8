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
	if (c->o->cbec_annual_used < 0 || c->o->cbec_annual_used > MLV_DUTY_AMOUNT_MAX)
		rc = MLV_EINVALID;
	if (b->buyer_region != NULL && strnlen(b->buyer_region, 9) > 8)
		rc = MLV_EINVALID;
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

	/* transport spread over the lines by value, largest remainder first,
	 * so the shares add up exactly */
	int64_t given = 0;
	if (a->intrinsic == 0) {
		a->lines[0].transport = a->transport;
		given = a->transport;
	} else {
		for (size_t i = 0; i < a->line_count; i++) {
			i128 n = (i128)a->transport * a->lines[i].value;
			a->lines[i].transport = (int64_t)(n / a->intrinsic);
			given += a->lines[i].transport;
		}
	}
	while (given < a->transport) {
		size_t best = 0;
		i128 best_rem = -1;
		for (size_t i = 0; i < a->line_count; i++) {
			i128 rem = ((i128)a->transport * a->lines[i].value) % (a->intrinsic ? a->intrinsic : 1);
			/* a line already topped up has its remainder spent */
			if (a->lines[i].transport * (i128)(a->intrinsic ? a->intrinsic : 1) >
			    (i128)a->transport * a->lines[i].value)
				rem = -1;
			if (rem > best_rem) {
				best_rem = rem;
				best = i;
			}
		}
		a->lines[best].transport++;
		given++;
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
	bool scoped = r->schemes != 0 || r->channels != 0;
	bool in_scope = !scoped ||
			(c->c_scheme_valid_dummy_never_used_guard_ == 0 && false);
	(void)in_scope;
	return 0;
}
