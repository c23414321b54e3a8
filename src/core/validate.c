/* validate.c - cross-element rules and the data-quality score (validate.h). */
#include "mlv/validate.h"

#include <stdio.h>
#include <string.h>

#include "mlv/decimal.h"

static void add_weak(mlv_quality *q, const char *ptr)
{
	for (size_t i = 0; i < q->weak_count; i++)
		if (strcmp(q->weak[i], ptr) == 0)
			return;
	if (q->weak_count < MLV_ARRAY_LEN(q->weak))
		snprintf(q->weak[q->weak_count++], sizeof(q->weak[0]), "%s", ptr);
}

static void problem(mlv_problems *p, mlv_quality *q, mlv_severity sev, const char *ptr,
		    const char *code, const char *msg)
{
	mlv_problems_add(p, sev, ptr, code, "%s", msg);
	if (sev == MLV_SEV_WARNING)
		add_weak(q, ptr);
}

/* ---- completeness --------------------------------------------------------- */

static bool leaf_present(const mlv_field *f, const void *base)
{
	const char *p = (const char *)base + f->offset;
	switch (f->type) {
	case MLV_F_STRING:
		return *(const char *const *)p != NULL;
	case MLV_F_ENUM:
		return *(const uint8_t *)p != 0;
	case MLV_F_COUNTRY:
	case MLV_F_CURRENCY:
	case MLV_F_HSCODE:
		return p[0] != '\0';
	case MLV_F_DATE:
	case MLV_F_DATETIME:
	case MLV_F_MONEY:
	case MLV_F_WEIGHT:
	case MLV_F_QUANTITY:
		return ((const mlv_num *)p)->set;
	case MLV_F_OBJECT:
		return *(const bool *)p;
	case MLV_F_ARRAY:
		return *(const size_t *)((const char *)base + f->count_offset) > 0;
	}
	return false;
}

struct tally {
	unsigned filled, total;
};

/* Optional, non-personal leaves of s as if it were present and empty:
 * what an absent optional object counts, so that adding the object never
 * lowers the score. */
static unsigned optional_leaves(const mlv_schema *s, unsigned cat)
{
	unsigned n = 0;
	for (size_t i = 0; i < s->nfields; i++) {
		const mlv_field *f = &s->fields[i];
		bool required = cat ? (f->required & MLV_REQ(cat)) != 0 : false;
		if (f->type == MLV_F_OBJECT || f->type == MLV_F_ARRAY)
			n += optional_leaves(f->sub, cat);
		else if (!required && !f->personal && !f->conditional)
			n++;
	}
	return n;
}

/* Counts the optional, non-personal elements of present objects: what a
 * diligent filer adds beyond the minimum.  Personal data never earns
 * points, so the score does not reward collecting it. */
static void tally_object(const mlv_schema *s, const void *base, unsigned cat, mlv_path *path,
			 mlv_quality *q, struct tally *t)
{
	for (size_t i = 0; i < s->nfields; i++) {
		const mlv_field *f = &s->fields[i];
		bool required = cat ? (f->required & MLV_REQ(cat)) != 0 : false;
		mlv_path_push(path, f->json);
		if (f->type == MLV_F_OBJECT) {
			const void *sub = (const char *)base + f->offset;
			if (*(const bool *)sub) {
				tally_object(f->sub, sub, cat, path, q, t);
			} else if (!required) {
				/* An absent optional object counts as its missing
				 * elements, so adding it never lowers the score. */
				t->total += optional_leaves(f->sub, cat);
				if (q->weak_count < MLV_ARRAY_LEN(q->weak)) {
					char ptr[MLV_POINTER_MAX];
					mlv_path_render(path, ptr);
					add_weak(q, ptr);
				}
			}
		} else if (f->type == MLV_F_ARRAY) {
			size_t n = *(const size_t *)((const char *)base + f->count_offset);
			const char *elems = *(const char *const *)((const char *)base + f->offset);
			for (size_t k = 0; k < n; k++) {
				mlv_path_push_index(path, k);
				tally_object(f->sub, elems + k * f->sub->size, cat, path, q, t);
				mlv_path_pop(path);
			}
			if (n == 0 && !required) {
				t->total += optional_leaves(f->sub, cat);
				if (q->weak_count < MLV_ARRAY_LEN(q->weak)) {
					char ptr[MLV_POINTER_MAX];
					mlv_path_render(path, ptr);
					add_weak(q, ptr);
				}
			}
		} else if (!required && !f->personal && !f->conditional) {
			t->total++;
			if (leaf_present(f, base)) {
				t->filled++;
			} else if (q->weak_count < MLV_ARRAY_LEN(q->weak)) {
				char ptr[MLV_POINTER_MAX];
				mlv_path_render(path, ptr);
				add_weak(q, ptr);
			}
		}
		mlv_path_pop(path);
	}
}

/* ---- money helpers ------------------------------------------------------------ */

static int to_currency(const mlv_refdata *rd, int64_t amount, const char *from, const char *to,
		       int32_t day, int64_t *out)
{
	if (strcmp(from, to) == 0) {
		*out = amount;
		return 0;
	}
	return mlv_fx_convert(rd, amount, from, to, day, out);
}

static void fmt_money(const mlv_refdata *rd, int64_t v, const char *cur, char *buf, size_t n)
{
	int mu = mlv_currency_minor_units(rd, cur);
	char d[32];
	mlv_decimal_format(v, mu < 0 ? 2 : mu, d, sizeof(d));
	snprintf(buf, n, "%s %s", d, cur);
}

static void check_items_total(const mlv_consignment *c, const mlv_refdata *rd, int32_t day,
			      mlv_problems *p, mlv_quality *q)
{
	const mlv_transaction *t = &c->transaction;
	if (!t->present || !t->invoice_total.set || t->currency[0] == '\0' || c->item_count == 0)
		return;
	int64_t sum = 0;
	bool mixed = false;
	for (size_t i = 0; i < c->item_count; i++) {
		const mlv_item *it = &c->items[i];
		int64_t v;
		if (!it->value.set || it->currency[0] == '\0')
			return; /* already reported as required */
		if (strcmp(it->currency, t->currency) != 0)
			mixed = true;
		if (to_currency(rd, it->value.v, it->currency, t->currency, day, &v) != 0) {
			char ptr[MLV_POINTER_MAX] = "/items";
			mlv_pointer_push_index(ptr, i);
			mlv_pointer_push(ptr, "currency");
			problem(p, q, MLV_SEV_WARNING, ptr, "fx_unavailable",
				"no ECB reference rate for this currency on that date; the total "
				"could not be checked");
			return;
		}
		sum += v;
	}
	int64_t diff = sum - t->invoice_total.v;
	if (diff < 0)
		diff = -diff;
	int64_t tolerance = mixed ? t->invoice_total.v / 50 + 1 : (int64_t)c->item_count - 1;
	if (diff > tolerance) {
		char a[48], b[48], msg[MLV_MESSAGE_MAX];
		fmt_money(rd, sum, t->currency, a, sizeof(a));
		fmt_money(rd, t->invoice_total.v, t->currency, b, sizeof(b));
		snprintf(msg, sizeof(msg), "the item values add up to %s but the invoice total is %s", a,
			 b);
		problem(p, q, MLV_SEV_ERROR, "/transaction/invoice_total", "arithmetic", msg);
	}
}

static void check_payment(const mlv_consignment *c, const mlv_refdata *rd, int32_t day,
			  mlv_problems *p, mlv_quality *q)
{
	const mlv_transaction *t = &c->transaction;
	const mlv_payment *pay = &t->payment;
	if (!t->present || !pay->present || !pay->amount.set || !t->invoice_total.set ||
	    pay->currency[0] == '\0' || t->currency[0] == '\0')
		return;
	int64_t due = t->invoice_total.v + (t->shipping_cost.set ? t->shipping_cost.v : 0) +
		      (t->insurance_cost.set ? t->insurance_cost.v : 0);
	int64_t paid;
	if (to_currency(rd, pay->amount.v, pay->currency, t->currency, day, &paid) != 0)
		return;
	int64_t diff = paid > due ? paid - due : due - paid;
	bool same = strcmp(pay->currency, t->currency) == 0;
	if (diff > (same ? 0 : due / 50 + 1)) {
		char a[48], b[48], msg[MLV_MESSAGE_MAX];
		fmt_money(rd, paid, t->currency, a, sizeof(a));
		fmt_money(rd, due, t->currency, b, sizeof(b));
		snprintf(msg, sizeof(msg),
			 "the payment (%s) differs from goods, shipping and insurance (%s)", a, b);
		problem(p, q, MLV_SEV_WARNING, "/transaction/payment/amount", "payment_mismatch",
			msg);
	}
}

static void check_weights(const mlv_consignment *c, mlv_problems *p, mlv_quality *q)
{
	int64_t items_gross = 0;
	bool all_gross = c->item_count > 0;
	for (size_t i = 0; i < c->item_count; i++) {
		const mlv_item *it = &c->items[i];
		if (it->net_weight.set && it->gross_weight.set && it->net_weight.v > it->gross_weight.v) {
			char ptr[MLV_POINTER_MAX] = "/items";
			mlv_pointer_push_index(ptr, i);
			mlv_pointer_push(ptr, "net_weight");
			problem(p, q, MLV_SEV_ERROR, ptr, "arithmetic",
				"the net weight is greater than the gross weight");
		}
		if (it->gross_weight.set)
			items_gross += it->gross_weight.v;
		else
			all_gross = false;
	}
	if (all_gross && c->gross_weight.set && items_gross > c->gross_weight.v)
		problem(p, q, MLV_SEV_WARNING, "/gross_weight", "weight_mismatch",
			"the items weigh more than the whole consignment");
}

/* The goods value in the administration's currency, or -1. */
static int64_t goods_value(const mlv_consignment *c, const mlv_refdata *rd,
			   const mlv_validate_opts *o, int32_t day)
{
	int64_t v;
	const mlv_transaction *t = &c->transaction;
	if (t->present && t->invoice_total.set && t->currency[0]) {
		if (to_currency(rd, t->invoice_total.v, t->currency, o->currency, day, &v) != 0)
			return -1;
		return v;
	}
	int64_t sum = 0;
	for (size_t i = 0; i < c->item_count; i++) {
		const mlv_item *it = &c->items[i];
		if (!it->value.set || it->currency[0] == '\0')
			continue;
		if (to_currency(rd, it->value.v, it->currency, o->currency, day, &v) != 0)
			return -1;
		sum += v;
	}
	return sum;
}

static void check_category(const mlv_consignment *c, const mlv_refdata *rd,
			   const mlv_validate_opts *o, mlv_problems *p, mlv_quality *q)
{
	char msg[MLV_MESSAGE_MAX], a[48], b[48];
	if (c->category == MLV_CAT_DOCUMENTS) {
		for (size_t i = 0; i < c->item_count; i++) {
			if (c->items[i].value.set && c->items[i].value.v > 0) {
				problem(p, q, MLV_SEV_ERROR, "/category", "category",
					"a documents consignment carries no goods of commercial value; "
					"file it as low_value_* or high_value");
				return;
			}
		}
		return;
	}
	if ((c->category == MLV_CAT_LOW_VALUE_DUTIABLE ||
	     c->category == MLV_CAT_LOW_VALUE_NON_DUTIABLE) &&
	    q->goods_value > o->low_value_ceiling) {
		fmt_money(rd, q->goods_value, o->currency, a, sizeof(a));
		fmt_money(rd, o->low_value_ceiling, o->currency, b, sizeof(b));
		snprintf(msg, sizeof(msg),
			 "the goods are worth %s, above the low-value ceiling of %s; file as high_value",
			 a, b);
		problem(p, q, MLV_SEV_ERROR, "/category", "category_ceiling", msg);
	}
}

int mlv_validate(const mlv_consignment *c, const mlv_refdata *rd, const mlv_validate_opts *o,
		 mlv_problems *p, mlv_quality *q)
{
	memset(q, 0, sizeof(*q));
	int32_t today = (int32_t)(o->now / 86400);
	int32_t day = c->transaction.order_date.set ? (int32_t)c->transaction.order_date.v : today;
	size_t warnings_before = p->warnings;

	q->goods_value = goods_value(c, rd, o, day);
	check_items_total(c, rd, day, p, q);
	check_payment(c, rd, day, p, q);
	check_weights(c, p, q);
	check_category(c, rd, o, p, q);

	if (c->declaration_type == MLV_DECL_RETURN && c->original_lrn == NULL)
		problem(p, q, MLV_SEV_ERROR, "/original_lrn", "required",
			"a return must name the LRN of the consignment it returns");
	if (c->transaction.order_date.set && c->transaction.order_date.v > today + 1)
		problem(p, q, MLV_SEV_ERROR, "/transaction/order_date", "range",
			"the order date is in the future");

	/* Timeliness: hours between filing and expected arrival. */
	const mlv_transport *tr = &c->transport;
	if (tr->present && tr->expected_arrival.set) {
		int64_t lead = tr->expected_arrival.v - o->now;
		q->lead_known = true;
		q->lead_hours = lead >= 0 ? lead / 3600 : -((-lead + 3599) / 3600);
		int64_t full = o->timely_hours > 0 ? o->timely_hours * 3600 : 1;
		if (lead <= 0) {
			q->timeliness = 0;
			problem(p, q, MLV_SEV_WARNING, "/transport/expected_arrival", "late_filing",
				"filed after the expected arrival: data should come before the goods");
		} else {
			q->timeliness = lead >= full ? 100 : (int)(lead * 100 / full);
			if (q->timeliness < 100)
				add_weak(q, "/transport/expected_arrival");
		}
	}

	mlv_path path = {.depth = 0};
	struct tally t = {0, 0};
	tally_object(&mlv_consignment_schema, c, c->category, &path, q, &t);
	q->completeness = t.total ? (int)(t.filled * 100 / t.total) : 100;
	size_t warnings = p->warnings - warnings_before;
	/* Late filing counts for timeliness, not twice for consistency. */
	if (q->lead_known && tr->expected_arrival.v <= o->now && warnings > 0)
		warnings--;
	q->consistency = warnings >= 4 ? 0 : 100 - (int)warnings * 25;
	q->score = (q->completeness * 40 + q->consistency * 30 + q->timeliness * 30 + 50) / 100;
	return 0;
}
