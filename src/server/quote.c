/* quote.c - POST /v1/quote: a public landed-cost quote for a basket.
 *
 * The request is read strictly (unknown members rejected, amounts as
 * decimal strings in the minor units of their currency) into an
 * mlv_basket, which the same duty engine assesses as a filing: a quote and
 * a filing of the same goods answer the same amounts. */
#include "quote.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "mlv/codec.h"
#include "mlv/decimal.h"
#include "mlv/duty.h"
#include "problem.h"

#define QUOTE_MAX_ITEMS 100

struct reader {
	const mlv_refdata *rd;
	mlv_problems *probs;
};

static void bad(struct reader *r, const char *ptr, const char *code, const char *msg)
{
	mlv_problems_add(r->probs, MLV_SEV_ERROR, ptr, code, "%s", msg);
}

/* Rejects members of obj not in `allowed` (NULL-terminated). */
static void only(struct reader *r, const cJSON *obj, const char *base,
		 const char *const *allowed)
{
	for (const cJSON *m = obj->child; m != NULL; m = m->next) {
		bool ok = false;
		for (size_t i = 0; allowed[i] != NULL && !ok; i++)
			ok = m->string != NULL && strcmp(m->string, allowed[i]) == 0;
		if (!ok) {
			char ptr[MLV_POINTER_MAX];
			snprintf(ptr, sizeof(ptr), "%s", base);
			mlv_pointer_push(ptr, m->string ? m->string : "");
			bad(r, ptr, "unknown_field", "is not a member of a quote request");
		}
	}
}

static const char *str(struct reader *r, const cJSON *obj, const char *name, const char *base,
		       bool required, size_t max)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	char ptr[MLV_POINTER_MAX];
	snprintf(ptr, sizeof(ptr), "%s", base);
	mlv_pointer_push(ptr, name);
	if (v == NULL || cJSON_IsNull(v)) {
		if (required)
			bad(r, ptr, "required", "is required");
		return NULL;
	}
	if (!cJSON_IsString(v) || strlen(v->valuestring) > max) {
		bad(r, ptr, "type", "must be a string of reasonable length");
		return NULL;
	}
	return v->valuestring;
}

static bool country(struct reader *r, const cJSON *obj, const char *name, const char *base,
		    bool required, char out[3])
{
	const char *s = str(r, obj, name, base, required, 2);
	out[0] = '\0';
	if (s == NULL)
		return !required;
	if (!mlv_country_exists(r->rd, s)) {
		char ptr[MLV_POINTER_MAX];
		snprintf(ptr, sizeof(ptr), "%s", base);
		mlv_pointer_push(ptr, name);
		bad(r, ptr, "country_unknown", "is not an ISO 3166-1 alpha-2 code");
		return false;
	}
	memcpy(out, s, 3);
	return true;
}

static bool currency(struct reader *r, const cJSON *obj, const char *name, const char *base,
		     bool required, char out[4])
{
	const char *s = str(r, obj, name, base, required, 3);
	out[0] = '\0';
	if (s == NULL)
		return !required;
	if (mlv_currency_minor_units(r->rd, s) < 0) {
		char ptr[MLV_POINTER_MAX];
		snprintf(ptr, sizeof(ptr), "%s", base);
		mlv_pointer_push(ptr, name);
		bad(r, ptr, "currency_unknown", "is not an active ISO 4217 currency");
		return false;
	}
	memcpy(out, s, 4);
	return true;
}

static bool amount(struct reader *r, const cJSON *obj, const char *name, const char *base,
		   const char *cur, int scale_if_no_currency, int64_t *out)
{
	const char *s = str(r, obj, name, base, false, 32);
	*out = 0;
	if (s == NULL)
		return true;
	int scale = cur && cur[0] ? mlv_currency_minor_units(r->rd, cur) : scale_if_no_currency;
	char ptr[MLV_POINTER_MAX];
	snprintf(ptr, sizeof(ptr), "%s", base);
	mlv_pointer_push(ptr, name);
	if (scale < 0 || mlv_decimal_parse(s, strlen(s), scale, 0, out) != MLV_DEC_OK) {
		bad(r, ptr, "format", "must be a decimal amount such as \"12.30\" in the minor "
				      "units of its currency");
		return false;
	}
	if (*out > MLV_DUTY_AMOUNT_MAX) {
		bad(r, ptr, "range", "is too large");
		return false;
	}
	return true;
}

int mlv_quote(const mlv_profiles *ps, const mlv_refdata *rd, const char *body, size_t len,
	      int64_t now, mlv_resp *resp)
{
	static const char *const top[] = {"destination", "date", "currency", "shipping_cost",
					  "insurance_cost", "channel", "business_model",
					  "tax_collected", "items", NULL};
	static const char *const item_keys[] = {"hs_code", "description", "origin_country",
						"currency", "value", "quantity", NULL};
	static const char *const tax_keys[] = {"scheme", "registration_number", NULL};
	mlv_problems probs;
	mlv_problems_init(&probs);
	struct reader r = {rd, &probs};
	mlv_duty_item items[QUOTE_MAX_ITEMS];
	char hs[QUOTE_MAX_ITEMS][11];
	mlv_basket b;
	mlv_assessment *a = NULL;
	memset(&b, 0, sizeof(b));
	memset(items, 0, sizeof(items));
	cJSON *root = NULL;
	int status = 422;

	if (mlv_json_depth(body, len, 4) > 4 ||
	    (root = cJSON_ParseWithLength(body, len)) == NULL || !cJSON_IsObject(root)) {
		mlv_problems_add(&probs, MLV_SEV_ERROR, "", "syntax",
				 "the body is not a JSON object (depth 4 at most)");
		status = 400;
		goto problems;
	}
	only(&r, root, "", top);
	char dest[3];
	country(&r, root, "destination", "", true, dest);
	const mlv_profile *p = dest[0] ? mlv_profiles_get(ps, dest) : NULL;
	if (dest[0] && (p == NULL || mlv_profile_is_union(p)))
		bad(&r, "/destination", "no_profile",
		    "no duty and tax profile for this destination (GET /v1/portal lists them)");
	mlv_duty_opts opts = MLV_DUTY_OPTS_INIT;
	opts.day = (int32_t)(now / 86400);
	const char *date = str(&r, root, "date", "", false, 10);
	if (date != NULL && !mlv_date_parse(date, strlen(date), &opts.day))
		bad(&r, "/date", "format", "must be a date YYYY-MM-DD");
	currency(&r, root, "currency", "", false, b.currency);
	amount(&r, root, "shipping_cost", "", b.currency, 2, &b.shipping);
	amount(&r, root, "insurance_cost", "", b.currency, 2, &b.insurance);
	if ((b.shipping || b.insurance) && b.currency[0] == '\0')
		bad(&r, "/currency", "required", "is required with shipping or insurance costs");
	const char *ch = str(&r, root, "channel", "", false, 16);
	if (ch != NULL && (b.channel = (uint8_t)mlv_enum_index("channel", ch)) == 0)
		bad(&r, "/channel", "enum", "must be post, express, courier or freight");
	const char *bm = str(&r, root, "business_model", "", false, 40);
	if (bm != NULL && (b.business_model = (uint8_t)mlv_enum_index("business_model", bm)) == 0)
		bad(&r, "/business_model", "enum", "is not a business model of the dataset");
	const cJSON *tc = cJSON_GetObjectItemCaseSensitive(root, "tax_collected");
	if (tc != NULL && !cJSON_IsNull(tc)) {
		if (!cJSON_IsObject(tc)) {
			bad(&r, "/tax_collected", "type", "must be an object");
		} else {
			only(&r, tc, "/tax_collected", tax_keys);
			const char *scheme = str(&r, tc, "scheme", "/tax_collected", true, 16);
			const mlv_field *sf = mlv_schema_field(
				mlv_schema_field(&mlv_consignment_schema, "tax_collected")->sub, "scheme");
			for (unsigned i = 0; scheme && sf->values[i]; i++)
				if (strcmp(sf->values[i], scheme) == 0)
					b.scheme = (uint8_t)(i + 1);
			if (scheme != NULL && b.scheme == 0)
				bad(&r, "/tax_collected/scheme", "enum", "is not a known tax scheme");
			b.registration_number = str(&r, tc, "registration_number", "/tax_collected",
						    true, 35);
		}
	}
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "items");
	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1 ||
	    cJSON_GetArraySize(arr) > QUOTE_MAX_ITEMS) {
		bad(&r, "/items", "required", "must be an array of 1 to 100 items");
		goto problems;
	}
	size_t n = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, arr) {
		char base[32];
		snprintf(base, sizeof(base), "/items/%zu", n);
		if (!cJSON_IsObject(it)) {
			bad(&r, base, "type", "must be an object");
			n++;
			continue;
		}
		only(&r, it, base, item_keys);
		const char *code = str(&r, it, "hs_code", base, true, 10);
		size_t cl = code ? strlen(code) : 0;
		bool digits = cl >= 6;
		for (size_t k = 0; k < cl; k++)
			digits &= code[k] >= '0' && code[k] <= '9';
		if (code != NULL && (!digits || !mlv_hs_exists(rd, code, 6))) {
			char ptr[48];
			snprintf(ptr, sizeof(ptr), "%s/hs_code", base);
			bad(&r, ptr, "hs_unknown", "must be 6 to 10 digits starting with an HS 2022 "
						   "subheading");
		} else if (code != NULL) {
			memcpy(hs[n], code, cl + 1);
			items[n].hs_code = hs[n];
		}
		country(&r, it, "origin_country", base, false, items[n].origin);
		currency(&r, it, "currency", base, true, items[n].currency);
		if (items[n].currency[0]) {
			const char *v = str(&r, it, "value", base, true, 32);
			if (v != NULL)
				amount(&r, it, "value", base, items[n].currency, 2, &items[n].value);
		}
		const char *q = str(&r, it, "quantity", base, false, 16);
		if (q != NULL && mlv_decimal_parse(q, strlen(q), 3, 0, &items[n].quantity) !=
					 MLV_DEC_OK) {
			char ptr[48];
			snprintf(ptr, sizeof(ptr), "%s/quantity", base);
			bad(&r, ptr, "format", "must be a decimal quantity");
		}
		n++;
	}
	if (probs.errors > 0 || p == NULL)
		goto problems;
	b.items = items;
	b.item_count = n;
	int rc = mlv_duty_assess(&a, p, &b, &opts, &probs);
	if (rc == MLV_ENOMEM) {
		mlv_http_problem_err(resp, rc, NULL);
		goto cleanup;
	}
	if (rc != 0)
		goto problems;
	resp->status = 200;
	rc = mlv_duty_write_json(&resp->body, a);
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	goto cleanup;
problems:
	mlv_http_problem(resp, status, status == 400 ? "malformed" : "validation",
			 status == 400 ? "Malformed JSON" : "Validation failed",
			 "the quote request breaks the rules listed in 'errors'", &probs);
cleanup:
	mlv_duty_free(a);
	cJSON_Delete(root);
	mlv_problems_clear(&probs);
	return 0;
}
