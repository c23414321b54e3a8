/* merge.c - the merged view of a multi-party consignment (merge.h).
 *
 * The walk follows the dataset table, never the JSON: for each element of
 * each object it looks at the parts that give it and keeps the value of
 * the best-placed one.  Objects are merged member by member; arrays and
 * scalars are taken whole.  Nothing is allocated: the merged consignment
 * points into the parts. */
#include "mlv/merge.h"

#include <stdio.h>
#include <string.h>

static const char *const role_names[MLV_ROLE_COUNT_] = {
	[MLV_ROLE_PLATFORM] = "platform", [MLV_ROLE_SELLER] = "seller",
	[MLV_ROLE_BROKER] = "broker",     [MLV_ROLE_CARRIER] = "carrier",
	[MLV_ROLE_PAYMENT] = "payment_provider",
};

static const unsigned role_bits[MLV_ROLE_COUNT_] = {
	[MLV_ROLE_PLATFORM] = MLV_PARTY_PLATFORM,
	[MLV_ROLE_SELLER] = MLV_PARTY_SELLER,
	[MLV_ROLE_BROKER] = MLV_PARTY_BROKER,
	[MLV_ROLE_CARRIER] = MLV_PARTY_CARRIER | MLV_PARTY_POST,
	[MLV_ROLE_PAYMENT] = MLV_PARTY_PSP,
};

/* Ties between roles equally well placed: the most specialised first (a
 * payment element from the payment provider, a transport element from the
 * carrier), then the ones that know the whole sale. */
static const int tie_rank[MLV_ROLE_COUNT_] = {
	[MLV_ROLE_PAYMENT] = 0, [MLV_ROLE_CARRIER] = 1, [MLV_ROLE_BROKER] = 2,
	[MLV_ROLE_PLATFORM] = 3, [MLV_ROLE_SELLER] = 4,
};

/* Who names the consignment (its LRN), in order. */
static const mlv_party_role lead_order[] = {MLV_ROLE_PLATFORM, MLV_ROLE_SELLER, MLV_ROLE_BROKER,
					    MLV_ROLE_CARRIER, MLV_ROLE_PAYMENT};

const char *mlv_party_role_name(mlv_party_role r)
{
	return r > 0 && r < MLV_ROLE_COUNT_ ? role_names[r] : "unknown";
}

mlv_party_role mlv_party_role_from_name(const char *name)
{
	for (int r = 1; r < MLV_ROLE_COUNT_; r++)
		if (name != NULL && strcmp(role_names[r], name) == 0)
			return (mlv_party_role)r;
	return 0;
}

unsigned mlv_party_role_bits(mlv_party_role r)
{
	return r > 0 && r < MLV_ROLE_COUNT_ ? role_bits[r] : 0;
}

/* ---- values, as the table describes them ------------------------------------------ */

static const void *at(const void *base, size_t off)
{
	return (const char *)base + off;
}

/* Bytes of a fixed code array (country, currency, HS code). */
static size_t code_size(mlv_ftype t)
{
	return t == MLV_F_COUNTRY ? 3 : t == MLV_F_CURRENCY ? 4 : 11;
}

static bool given(const mlv_field *f, const void *base)
{
	const void *p = at(base, f->offset);
	switch (f->type) {
	case MLV_F_STRING:
		return *(const char *const *)p != NULL;
	case MLV_F_ENUM:
		return *(const uint8_t *)p != 0;
	case MLV_F_COUNTRY:
	case MLV_F_CURRENCY:
	case MLV_F_HSCODE:
		return ((const char *)p)[0] != '\0';
	case MLV_F_DATE:
	case MLV_F_DATETIME:
	case MLV_F_MONEY:
	case MLV_F_WEIGHT:
	case MLV_F_QUANTITY:
		return ((const mlv_num *)p)->set;
	case MLV_F_OBJECT:
		return *(const bool *)p;
	case MLV_F_ARRAY:
		return *(const size_t *)at(base, f->count_offset) > 0;
	}
	return false;
}

static bool same_object(const mlv_schema *s, const void *a, const void *b);

static bool same(const mlv_field *f, const void *a, const void *b)
{
	const void *pa = at(a, f->offset), *pb = at(b, f->offset);
	if (given(f, a) != given(f, b))
		return false;
	if (!given(f, a))
		return true;
	switch (f->type) {
	case MLV_F_STRING:
		return strcmp(*(const char *const *)pa, *(const char *const *)pb) == 0;
	case MLV_F_ENUM:
		return *(const uint8_t *)pa == *(const uint8_t *)pb;
	case MLV_F_COUNTRY:
	case MLV_F_CURRENCY:
	case MLV_F_HSCODE:
		return strcmp(pa, pb) == 0;
	case MLV_F_DATE:
	case MLV_F_DATETIME:
	case MLV_F_MONEY:
	case MLV_F_WEIGHT:
	case MLV_F_QUANTITY:
		return ((const mlv_num *)pa)->v == ((const mlv_num *)pb)->v;
	case MLV_F_OBJECT:
		return same_object(f->sub, pa, pb);
	case MLV_F_ARRAY: {
		size_t n = *(const size_t *)at(a, f->count_offset);
		if (n != *(const size_t *)at(b, f->count_offset))
			return false;
		const char *ea = *(const char *const *)pa, *eb = *(const char *const *)pb;
		for (size_t i = 0; i < n; i++)
			if (!same_object(f->sub, ea + i * f->sub->size, eb + i * f->sub->size))
				return false;
		return true;
	}
	}
	return false;
}

static bool same_object(const mlv_schema *s, const void *a, const void *b)
{
	for (size_t i = 0; i < s->nfields; i++)
		if (!same(&s->fields[i], a, b))
			return false;
	return true;
}

/* Copies field f's value (scalars and arrays whole; strings and arrays by
 * pointer) from src to dst. */
static void take(const mlv_field *f, void *dst, const void *src)
{
	void *d = (char *)dst + f->offset;
	const void *p = at(src, f->offset);
	switch (f->type) {
	case MLV_F_STRING:
		*(const char **)d = *(const char *const *)p;
		return;
	case MLV_F_ENUM:
		*(uint8_t *)d = *(const uint8_t *)p;
		return;
	case MLV_F_COUNTRY:
	case MLV_F_CURRENCY:
	case MLV_F_HSCODE:
		memcpy(d, p, code_size(f->type));
		return;
	case MLV_F_DATE:
	case MLV_F_DATETIME:
	case MLV_F_MONEY:
	case MLV_F_WEIGHT:
	case MLV_F_QUANTITY:
		*(mlv_num *)d = *(const mlv_num *)p;
		return;
	case MLV_F_ARRAY:
		*(const void **)d = *(const void *const *)p;
		*(size_t *)((char *)dst + f->count_offset) = *(const size_t *)at(src, f->count_offset);
		return;
	case MLV_F_OBJECT:
		return; /* merged member by member */
	}
}

/* ---- the walk ------------------------------------------------------------------ */

struct walk {
	const mlv_merge_part *parts;
	size_t n;
	mlv_merge_result *res;
	char ptr[MLV_POINTER_MAX];
};

/* How well part i is placed to give f inside an object whose own element
 * is best given by obj_bits: both, the element only, the object only. */
static int placed(const struct walk *w, size_t i, const mlv_field *f, unsigned obj_bits)
{
	unsigned bits = mlv_party_role_bits(w->parts[i].role);
	return ((bits & f->party) ? 2 : 0) + ((bits & obj_bits) ? 1 : 0);
}

static bool better(const struct walk *w, size_t i, size_t j, const mlv_field *f, unsigned ob)
{
	int pi = placed(w, i, f, ob), pj = placed(w, j, f, ob);
	if (pi != pj)
		return pi > pj;
	return tie_rank[w->parts[i].role] < tie_rank[w->parts[j].role];
}

static void note_diff(struct walk *w, size_t kept, size_t other)
{
	mlv_merge_result *r = w->res;
	if (r->ndiffs >= MLV_MERGE_DIFFS) {
		r->diffs_dropped++;
		return;
	}
	mlv_merge_diff *d = &r->diffs[r->ndiffs++];
	snprintf(d->pointer, sizeof(d->pointer), "%s", w->ptr);
	d->kept = kept;
	d->other = other;
}

/* The currency of the object beside money field f, in part base. */
static const char *currency_of(const mlv_schema *s, const mlv_field *f, const void *base)
{
	const mlv_field *cf = mlv_schema_field(s, f->currency);
	return cf != NULL ? (const char *)at(base, cf->offset) : "";
}

static void merge_object(struct walk *w, const mlv_schema *s, void *out, const void *const *bases,
			 unsigned obj_bits)
{
	for (size_t k = 0; k < s->nfields; k++) {
		const mlv_field *f = &s->fields[k];
		size_t mark = mlv_pointer_push(w->ptr, f->json);
		if (f->type == MLV_F_OBJECT) {
			const void *sub[MLV_MERGE_MAX_PARTS];
			bool any = false;
			for (size_t i = 0; i < w->n; i++) {
				sub[i] = bases[i] != NULL && given(f, bases[i]) ? at(bases[i], f->offset)
										: NULL;
				any |= sub[i] != NULL;
			}
			if (any) {
				*(bool *)((char *)out + f->offset) = true;
				merge_object(w, f->sub, (char *)out + f->offset, sub, f->party);
			}
			w->ptr[mark] = '\0';
			continue;
		}
		/* The merged currency of this object decides which amounts count. */
		const char *cur = f->type == MLV_F_MONEY ? currency_of(s, f, out) : NULL;
		long best = -1;
		for (size_t i = 0; i < w->n; i++) {
			if (bases[i] == NULL || !given(f, bases[i]))
				continue;
			if (cur != NULL && strcmp(currency_of(s, f, bases[i]), cur) != 0)
				continue;
			if (best < 0 || better(w, i, (size_t)best, f, obj_bits))
				best = (long)i;
		}
		if (best >= 0)
			take(f, out, bases[best]);
		/* Every other part that gives the element differently: kept as a
		 * difference (an amount in another currency is one too).  LRNs
		 * are each filer's own reference and always differ. */
		bool is_lrn = s == &mlv_consignment_schema && strcmp(f->json, "lrn") == 0;
		for (size_t i = 0; best >= 0 && !is_lrn && i < w->n; i++) {
			if ((long)i == best || bases[i] == NULL || !given(f, bases[i]))
				continue;
			bool other_cur = cur != NULL && strcmp(currency_of(s, f, bases[i]), cur) != 0;
			if (other_cur || !same(f, bases[i], bases[best]))
				note_diff(w, (size_t)best, i);
		}
		w->ptr[mark] = '\0';
	}
}

/* ---- required elements --------------------------------------------------------- */

static bool required(const mlv_field *f, unsigned category)
{
	if (category != 0)
		return (f->required & MLV_REQ(category)) != 0;
	return (f->required & MLV_REQ_ALL) == MLV_REQ_ALL;
}

static void add_missing(mlv_merge_result *r, const char *ptr, unsigned party)
{
	if (r->nmissing >= MLV_MERGE_MISSING) {
		r->missing_dropped++;
		return;
	}
	mlv_merge_missing *m = &r->missing[r->nmissing++];
	snprintf(m->pointer, sizeof(m->pointer), "%s", ptr);
	m->party = party;
}

/* The decoder's rule: in every object present, each required element
 * that is absent; the elements of an absent object are not listed. */
static void missing_in(const mlv_schema *s, const void *base, unsigned category, char *ptr,
		       mlv_merge_result *r)
{
	for (size_t k = 0; k < s->nfields; k++) {
		const mlv_field *f = &s->fields[k];
		size_t mark = mlv_pointer_push(ptr, f->json);
		if (!given(f, base)) {
			if (required(f, category))
				add_missing(r, ptr, f->party);
		} else if (f->type == MLV_F_OBJECT) {
			missing_in(f->sub, at(base, f->offset), category, ptr, r);
		} else if (f->type == MLV_F_ARRAY) {
			size_t n = *(const size_t *)at(base, f->count_offset);
			const char *e = *(const char *const *)at(base, f->offset);
			for (size_t i = 0; i < n; i++) {
				size_t m2 = mlv_pointer_push_index(ptr, i);
				missing_in(f->sub, e + i * f->sub->size, category, ptr, r);
				ptr[m2] = '\0';
			}
		}
		ptr[mark] = '\0';
	}
}

void mlv_merge_find_missing(const mlv_consignment *c, mlv_merge_result *res)
{
	char ptr[MLV_POINTER_MAX] = "";
	missing_in(&mlv_consignment_schema, c, c->category, ptr, res);
}

bool mlv_merge_asks(const mlv_merge_missing *m, mlv_party_role role)
{
	return (m->party & mlv_party_role_bits(role)) != 0;
}

/* ---- the merge ---------------------------------------------------------------------- */

int mlv_merge(mlv_consignment *out, mlv_merge_result *res, const mlv_merge_part *parts, size_t n,
	      const mlv_refdata *rd, int32_t day)
{
	memset(out, 0, sizeof(*out));
	memset(res, 0, sizeof(*res));
	res->lead = -1;
	if (n == 0 || n > MLV_MERGE_MAX_PARTS)
		return MLV_EINVALID;
	const void *bases[MLV_MERGE_MAX_PARTS];
	const mlv_consignment *cs[MLV_MERGE_MAX_PARTS];
	const char *sources[MLV_MERGE_MAX_PARTS];
	for (size_t i = 0; i < n; i++) {
		if (parts[i].c == NULL || parts[i].role <= 0 || parts[i].role >= MLV_ROLE_COUNT_)
			return MLV_EINVALID;
		bases[i] = cs[i] = parts[i].c;
		sources[i] = mlv_party_role_name(parts[i].role);
	}
	struct walk w = {.parts = parts, .n = n, .res = res};
	out->present = true;
	merge_object(&w, &mlv_consignment_schema, out, bases, MLV_PARTY_PLATFORM | MLV_PARTY_SELLER |
			     MLV_PARTY_CARRIER | MLV_PARTY_POST | MLV_PARTY_BROKER | MLV_PARTY_PSP);
	/* The lead names the consignment: its LRN, whoever else gave one. */
	out->lrn = NULL;
	for (size_t k = 0; k < MLV_ARRAY_LEN(lead_order) && res->lead < 0; k++)
		for (size_t i = 0; i < n && res->lead < 0; i++)
			if (parts[i].role == lead_order[k] && parts[i].c->lrn != NULL)
				res->lead = (long)i;
	if (res->lead >= 0)
		out->lrn = parts[res->lead].c->lrn;
	mlv_merge_find_missing(out, res);
	mlv_risk_mismatch_opts mo = MLV_RISK_MISMATCH_OPTS_INIT;
	mo.day = day;
	return n > 1 ? mlv_risk_mismatch_check(&res->mismatch, cs, sources, n, rd, &mo) : 0;
}

/* ---- JSON -------------------------------------------------------------------------- */

static int roles_json(mlv_buf *b, unsigned party)
{
	int rc = mlv_buf_addc(b, '[');
	bool first = true;
	for (int r = 1; rc == 0 && r < MLV_ROLE_COUNT_; r++) {
		if ((role_bits[r] & party) == 0)
			continue;
		rc = mlv_buf_printf(b, "%s\"%s\"", first ? "" : ",", role_names[r]);
		first = false;
	}
	return rc ? rc : mlv_buf_addc(b, ']');
}

int mlv_merge_missing_json(mlv_buf *b, const mlv_merge_result *r)
{
	int rc = mlv_buf_addc(b, '[');
	for (size_t i = 0; rc == 0 && i < r->nmissing; i++) {
		rc = mlv_buf_adds(b, i ? ",{\"pointer\":" : "{\"pointer\":");
		if (rc == 0)
			rc = mlv_buf_add_json_string(b, r->missing[i].pointer,
						     strlen(r->missing[i].pointer));
		if (rc == 0)
			rc = mlv_buf_adds(b, ",\"best_placed\":");
		if (rc == 0)
			rc = roles_json(b, r->missing[i].party);
		if (rc == 0)
			rc = mlv_buf_addc(b, '}');
	}
	return rc ? rc : mlv_buf_addc(b, ']');
}

static const char *const kind_names[] = {"value", "payment", "quantity", "weight",
					 "description", "seller"};

int mlv_merge_mismatch_json(mlv_buf *b, const mlv_merge_result *r)
{
	const mlv_risk_mismatch *m = &r->mismatch;
	if (m->mask == 0)
		return 0;
	int rc = mlv_buf_adds(b, "{\"hit\":\"party-mismatch\",\"kinds\":[");
	bool first = true;
	for (size_t k = 0; rc == 0 && k < MLV_ARRAY_LEN(kind_names); k++) {
		if ((m->mask & (1u << k)) == 0)
			continue;
		rc = mlv_buf_printf(b, "%s\"%s\"", first ? "" : ",", kind_names[k]);
		first = false;
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, "],\"explanation\":[");
	for (size_t i = 0; rc == 0 && i < m->detail_count; i++) {
		if (i > 0)
			rc = mlv_buf_addc(b, ',');
		if (rc == 0)
			rc = mlv_buf_add_json_string(b, m->detail[i], strlen(m->detail[i]));
	}
	return rc ? rc : mlv_buf_adds(b, "]}");
}

int mlv_merge_report_json(mlv_buf *b, const mlv_merge_result *r, const mlv_merge_part *parts,
			  size_t n)
{
	int rc = mlv_buf_printf(b, "{\"lead\":%s%s%s,\"parts\":[", r->lead >= 0 ? "\"" : "",
				r->lead >= 0 ? mlv_party_role_name(parts[r->lead].role) : "null",
				r->lead >= 0 ? "\"" : "");
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = mlv_buf_printf(b, "%s\"%s\"", i ? "," : "", mlv_party_role_name(parts[i].role));
	if (rc == 0)
		rc = mlv_buf_adds(b, "],\"differences\":[");
	for (size_t i = 0; rc == 0 && i < r->ndiffs; i++) {
		const mlv_merge_diff *d = &r->diffs[i];
		rc = mlv_buf_adds(b, i ? ",{\"pointer\":" : "{\"pointer\":");
		if (rc == 0)
			rc = mlv_buf_add_json_string(b, d->pointer, strlen(d->pointer));
		if (rc == 0)
			rc = mlv_buf_printf(b, ",\"kept\":\"%s\",\"other\":\"%s\"}",
					    mlv_party_role_name(parts[d->kept].role),
					    mlv_party_role_name(parts[d->other].role));
	}
	if (rc == 0)
		rc = mlv_buf_printf(b, "],\"differences_not_listed\":%zu,\"contradictions\":",
				    r->diffs_dropped);
	if (rc == 0)
		rc = r->mismatch.mask ? mlv_merge_mismatch_json(b, r) : mlv_buf_adds(b, "null");
	return rc ? rc : mlv_buf_addc(b, '}');
}
