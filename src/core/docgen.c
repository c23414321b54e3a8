/* docgen.c - docs/dataset.md and the schemas of docs/openapi.yaml, written
 * from the dataset table so the documents cannot drift from the code. */
#include "mlv/docgen.h"

#include <stdio.h>
#include <string.h>

#include "mlv/dataset.h"

static const struct {
	const char *code;
	const char *meaning;
} problem_codes[] = {
	{"syntax", "the text is not JSON, or has data after the value (400)"},
	{"too_deep", "objects and arrays nested deeper than the bound (400)"},
	{"type", "a value of the wrong JSON type, such as a number where a decimal string is expected"},
	{"encoding", "a string that is not valid UTF-8"},
	{"empty", "an empty string"},
	{"too_short", "a string shorter than its minimum"},
	{"too_long", "a string longer than its maximum"},
	{"format", "a value that does not have the element's format"},
	{"enum", "a word that is not one of the element's values"},
	{"range", "a number or date outside its bounds (zero weight, future order date ...)"},
	{"precision", "more decimal places than the currency (or kilogram to the gram) allows"},
	{"country_unknown", "not an ISO 3166-1 alpha-2 code"},
	{"currency_unknown", "not an active ISO 4217 currency"},
	{"currency_missing", "an amount without its currency"},
	{"hs_unknown", "the first six digits are not an HS 2022 subheading"},
	{"required", "a required element of the consignment's category is absent"},
	{"unknown_field", "a member that is not an element of the dataset"},
	{"read_only", "a member the customs administration sets (status, lane, duty ...)"},
	{"duplicate_key", "the same member twice in one object"},
	{"too_many_members", "an object with more members than any element has"},
	{"too_few", "an array with fewer elements than its minimum"},
	{"too_many", "an array with more elements than its maximum"},
	{"too_large", "a JSON Lines line longer than the body limit"},
	{"arithmetic", "item values that do not add up to the invoice total; net weight above gross"},
	{"category", "a documents consignment with goods of commercial value"},
	{"category_ceiling", "a low-value category whose goods value exceeds the ceiling"},
	{"fx_unavailable", "warning: no ECB rate to convert a currency on that date"},
	{"payment_mismatch", "warning: the payment differs from goods plus shipping and insurance"},
	{"weight_mismatch", "warning: the items weigh more than the whole consignment"},
	{"late_filing", "warning: filed after the expected arrival"},
};

static const char *type_name(const mlv_field *f)
{
	switch (f->type) {
	case MLV_F_STRING: return "text";
	case MLV_F_ENUM: return "code list";
	case MLV_F_DATE: return "date";
	case MLV_F_DATETIME: return "date-time";
	case MLV_F_COUNTRY: return "country";
	case MLV_F_CURRENCY: return "currency";
	case MLV_F_HSCODE: return "HS code";
	case MLV_F_MONEY: return "amount";
	case MLV_F_WEIGHT: return "weight (kg)";
	case MLV_F_QUANTITY: return "quantity";
	case MLV_F_OBJECT: return "object";
	case MLV_F_ARRAY: return "array";
	}
	return "";
}

static int parties(mlv_buf *out, unsigned p, const char *sep)
{
	static const char *const names[] = {"platform", "seller", "carrier", "postal operator",
					    "broker", "payment provider"};
	int rc = 0;
	bool first = true;
	for (unsigned i = 0; rc == 0 && i < 6; i++) {
		if (p & (1u << i)) {
			rc = mlv_buf_printf(out, "%s%s", first ? "" : sep, names[i]);
			first = false;
		}
	}
	return rc;
}

static int bounds(mlv_buf *out, const mlv_field *f)
{
	switch (f->type) {
	case MLV_F_STRING:
		return mlv_buf_printf(out, "%u-%u bytes%s", f->min, f->max,
				      f->fmt == MLV_FMT_CODE    ? ", code characters"
				      : f->fmt == MLV_FMT_EMAIL ? ", e-mail"
				      : f->fmt == MLV_FMT_PHONE ? ", E.164"
				      : f->fmt == MLV_FMT_GTIN  ? ", GTIN check digit"
								: "");
	case MLV_F_ENUM: {
		int rc = 0;
		for (unsigned i = 0; rc == 0 && f->values[i]; i++)
			rc = mlv_buf_printf(out, "%s`%s`", i ? ", " : "", f->values[i]);
		return rc;
	}
	case MLV_F_ARRAY:
		return mlv_buf_printf(out, "%u-%u elements", f->min, f->max);
	case MLV_F_MONEY:
		return mlv_buf_printf(out, "decimal string, minor units of `%s`", f->currency);
	case MLV_F_WEIGHT:
	case MLV_F_QUANTITY:
		return mlv_buf_adds(out, "decimal string, up to 3 decimals, > 0");
	case MLV_F_DATE:
		return mlv_buf_adds(out, "YYYY-MM-DD");
	case MLV_F_DATETIME:
		return mlv_buf_adds(out, "RFC 3339 with offset");
	case MLV_F_COUNTRY:
		return mlv_buf_adds(out, "ISO 3166-1 alpha-2");
	case MLV_F_CURRENCY:
		return mlv_buf_adds(out, "ISO 4217, active");
	case MLV_F_HSCODE:
		return mlv_buf_adds(out, "6-10 digits, HS 2022");
	case MLV_F_OBJECT:
		return mlv_buf_printf(out, "%s", f->sub->name);
	}
	return 0;
}

static int md_rows(mlv_buf *out, const mlv_schema *s, const char *prefix)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < s->nfields; i++) {
		const mlv_field *f = &s->fields[i];
		char path[160];
		snprintf(path, sizeof(path), "%s%s%s", prefix, prefix[0] ? "." : "", f->json);
		rc = mlv_buf_printf(out, "| `%s%s` | %s | ", path, f->type == MLV_F_ARRAY ? "[]" : "",
				    type_name(f));
		if (rc == 0)
			rc = bounds(out, f);
		for (int c = 1; rc == 0 && c <= 4; c++)
			rc = mlv_buf_adds(out, (f->required & MLV_REQ(c)) ? " | R" : " | o");
		if (rc == 0)
			rc = mlv_buf_adds(out, " | ");
		if (rc == 0)
			rc = parties(out, f->party, ", ");
		if (rc == 0)
			rc = mlv_buf_printf(out, " | %s | %s |\n", f->personal ? "yes" : "", f->doc);
		if (rc == 0 && (f->type == MLV_F_OBJECT || f->type == MLV_F_ARRAY)) {
			char sub[200];
			snprintf(sub, sizeof(sub), "%s%s", path, f->type == MLV_F_ARRAY ? "[]" : "");
			rc = md_rows(out, f->sub, sub);
		}
	}
	return rc;
}

int mlv_docgen_dataset(mlv_buf *out)
{
	int rc = mlv_buf_adds(out,
		"<!-- Generated by `mainlevee docs dataset` from src/core/dataset.c; do not edit. -->\n"
		"# The regulated dataset of a consignment\n\n"
		"What a filer sends for one e-commerce consignment, after the WCO Cross-Border\n"
		"E-Commerce Framework of Standards, Technical Specification 2.1.1 (the regulated\n"
		"dataset and the party best placed to supply each element), with the WCO Data Model\n"
		"and the EU H7 low-value declaration as references. One table in the code\n"
		"(`src/core/dataset.c`) drives the decoder, the validation of required elements, this\n"
		"page and the schemas of `docs/openapi.yaml`.\n\n"
		"## Declaration categories\n\n"
		"The categories of the WCO Immediate Release Guidelines decide which elements are\n"
		"required (R) or optional (o):\n\n"
		"| column | `category` | meaning |\n|---|---|---|\n"
		"| DOC | `documents` | correspondence and documents, no commercial value |\n"
		"| LVND | `low_value_non_dutiable` | low-value goods on which no duty or tax is collected |\n"
		"| LVD | `low_value_dutiable` | low-value goods on which duty or tax is collected |\n"
		"| HV | `high_value` | goods above the low-value ceiling: the full dataset |\n\n"
		"An element of an optional object is required only when the object is present.\n"
		"The low-value ceiling is the instance's setting `customs.low_value_ceiling`\n"
		"(EUR 150.00 by default, the EU's intrinsic-value ceiling).\n\n"
		"## Encoding rules\n\n"
		"- Strict JSON: unknown members, duplicate keys and server-owned members (status,\n"
		"  lane, duty, score ...) are rejected; `null` counts as absent.\n"
		"- Amounts, weights and quantities are decimal **strings** (`\"12.30\"`), never JSON\n"
		"  numbers; amounts take at most the minor units of their currency (ISO 4217:\n"
		"  2 for EUR, 0 for JPY) and are held as integers in minor units. Weights are\n"
		"  kilograms with up to 3 decimals (held in grams).\n"
		"- Bounds: body 1 MiB (setting `limits.max_body`), nesting depth 8, at most 999 items\n"
		"  and 99 documents, 64 members per object; string bounds are in bytes of UTF-8.\n"
		"- Personal data (the *personal* column) is marked so that it can be minimised and\n"
		"  purged after its retention period; it is never used to score a consumer and\n"
		"  earns no data-quality points.\n\n"
		"## Elements\n\n"
		"| element | type | bounds | DOC | LVND | LVD | HV | best placed to supply | personal | "
		"meaning |\n|---|---|---|---|---|---|---|---|---|---|\n");
	if (rc == 0)
		rc = md_rows(out, &mlv_consignment_schema, "");
	if (rc == 0)
		rc = mlv_buf_adds(out,
			"\n## Rules across elements\n\n"
			"- The item values, converted to the invoice currency at the ECB reference rate of\n"
			"  the order date, add up to `transaction.invoice_total` (to one minor unit per\n"
			"  line in one currency; 2% across currencies).\n"
			"- A `low_value_*` consignment whose goods value exceeds the ceiling is rejected;\n"
			"  a `documents` consignment carries no item with a value above zero.\n"
			"- A `return` names the LRN it returns in `original_lrn`.\n"
			"- An item's net weight is not above its gross weight; an order date is not in the\n"
			"  future.\n"
			"- Warnings (accepted, but lower the score): payment differing from goods plus\n"
			"  shipping and insurance, items heavier than the consignment, filing after the\n"
			"  expected arrival, no ECB rate for a conversion.\n\n"
			"## Data quality (FoS Standard 3)\n\n"
			"Each accepted consignment is scored from 0 to 100:\n\n"
			"- **completeness** (40%): the share of optional, non-personal elements present in\n"
			"  the objects filed (the elements a diligent filer adds beyond the minimum);\n"
			"- **consistency** (30%): 100, less 25 for each warning;\n"
			"- **timeliness** (30%): 100 when filed at least `customs.timely_hours` (24) hours\n"
			"  before the expected arrival, proportionally less when later, 0 after arrival.\n\n"
			"The answer lists the weak elements (JSON Pointers), warnings first.\n\n"
			"## Problem codes\n\n"
			"Every problem has a JSON Pointer (`pointer`), one of these stable codes (`code`),\n"
			"a `severity` (error or warning) and an English `message`.\n\n"
			"| code | meaning |\n|---|---|\n");
	for (size_t i = 0; rc == 0 && i < MLV_ARRAY_LEN(problem_codes); i++)
		rc = mlv_buf_printf(out, "| `%s` | %s |\n", problem_codes[i].code,
				    problem_codes[i].meaning);
	return rc;
}

/* ---- OpenAPI schemas ------------------------------------------------------------- */

static int yaml_string(mlv_buf *out, const char *s)
{
	return mlv_buf_add_json_string(out, s, strlen(s)); /* JSON strings are YAML */
}

static int yaml_field(mlv_buf *out, const mlv_field *f)
{
	int rc = mlv_buf_printf(out, "        %s:\n", f->json);
	const char *pad = "          ";
	switch (f->type) {
	case MLV_F_OBJECT:
		rc = rc ? rc : mlv_buf_printf(out, "%s$ref: \"#/components/schemas/%s\"\n", pad,
					      f->sub->name);
		break;
	case MLV_F_ARRAY:
		rc = rc ? rc : mlv_buf_printf(out, "%stype: array\n%sminItems: %u\n%smaxItems: %u\n"
						   "%sitems:\n%s  $ref: \"#/components/schemas/%s\"\n",
					      pad, pad, f->min, pad, f->max, pad, pad, f->sub->name);
		break;
	case MLV_F_STRING:
		rc = rc ? rc : mlv_buf_printf(out, "%stype: string\n%sminLength: %u\n%smaxLength: %u\n",
					      pad, pad, f->min, pad, f->max);
		if (rc == 0 && f->fmt == MLV_FMT_CODE)
			rc = mlv_buf_printf(out, "%spattern: \"^[A-Za-z0-9_./:-]+$\"\n", pad);
		else if (rc == 0 && f->fmt == MLV_FMT_EMAIL)
			rc = mlv_buf_printf(out, "%sformat: email\n", pad);
		else if (rc == 0 && f->fmt == MLV_FMT_PHONE)
			rc = mlv_buf_printf(out, "%spattern: \"^\\\\+[1-9][0-9]{6,14}$\"\n", pad);
		else if (rc == 0 && f->fmt == MLV_FMT_GTIN)
			rc = mlv_buf_printf(out, "%spattern: \"^([0-9]{8}|[0-9]{12,14})$\"\n", pad);
		break;
	case MLV_F_ENUM:
		rc = rc ? rc : mlv_buf_printf(out, "%stype: string\n%senum:\n", pad, pad);
		for (unsigned i = 0; rc == 0 && f->values[i]; i++)
			rc = mlv_buf_printf(out, "%s  - %s\n", pad, f->values[i]);
		break;
	case MLV_F_DATE:
		rc = rc ? rc : mlv_buf_printf(out, "%stype: string\n%sformat: date\n", pad, pad);
		break;
	case MLV_F_DATETIME:
		rc = rc ? rc : mlv_buf_printf(out, "%stype: string\n%sformat: date-time\n", pad, pad);
		break;
	case MLV_F_COUNTRY:
		rc = rc ? rc : mlv_buf_printf(out, "%stype: string\n%spattern: \"^[A-Z]{2}$\"\n", pad, pad);
		break;
	case MLV_F_CURRENCY:
		rc = rc ? rc : mlv_buf_printf(out, "%stype: string\n%spattern: \"^[A-Z]{3}$\"\n", pad, pad);
		break;
	case MLV_F_HSCODE:
		rc = rc ? rc : mlv_buf_printf(out, "%stype: string\n%spattern: \"^[0-9]{6,10}$\"\n", pad,
					      pad);
		break;
	case MLV_F_MONEY:
	case MLV_F_WEIGHT:
	case MLV_F_QUANTITY:
		rc = rc ? rc : mlv_buf_printf(out, "%stype: string\n%spattern: \"^[0-9]+(\\\\.[0-9]+)?$\"\n",
					      pad, pad);
		break;
	}
	if (rc == 0 && f->type != MLV_F_OBJECT) {
		rc = mlv_buf_printf(out, "%sdescription: ", pad);
		if (rc == 0)
			rc = yaml_string(out, f->doc);
		if (rc == 0)
			rc = mlv_buf_addc(out, '\n');
	}
	if (rc == 0 && f->example != NULL && f->type != MLV_F_OBJECT && f->type != MLV_F_ARRAY)
		rc = mlv_buf_printf(out, "%sexample: %s\n", pad, f->example);
	if (rc == 0 && f->required != 0 && f->required != MLV_REQ_ALL) {
		rc = mlv_buf_printf(out, "%sx-required-for-categories: [", pad);
		bool first = true;
		for (int c = 1; rc == 0 && c <= 4; c++) {
			if (f->required & MLV_REQ(c)) {
				rc = mlv_buf_printf(out, "%s%s", first ? "" : ", ",
						    mlv_category_name((unsigned)c));
				first = false;
			}
		}
		if (rc == 0)
			rc = mlv_buf_adds(out, "]\n");
	}
	if (rc == 0 && f->personal)
		rc = mlv_buf_printf(out, "%sx-personal-data: true\n", pad);
	if (rc == 0) {
		rc = mlv_buf_printf(out, "%sx-best-placed: [", pad);
		if (rc == 0)
			rc = parties(out, f->party, ", ");
		if (rc == 0)
			rc = mlv_buf_adds(out, "]\n");
	}
	return rc;
}

static int yaml_schema(mlv_buf *out, const mlv_schema *s, const mlv_schema **done, size_t *ndone)
{
	for (size_t i = 0; i < *ndone; i++)
		if (done[i] == s)
			return 0;
	done[(*ndone)++] = s;
	int rc = mlv_buf_printf(out, "    %s:\n      type: object\n      additionalProperties: false\n"
				     "      description: ",
				s->name);
	if (rc == 0)
		rc = yaml_string(out, s->doc);
	if (rc == 0)
		rc = mlv_buf_addc(out, '\n');
	bool any = false;
	for (size_t i = 0; rc == 0 && i < s->nfields; i++) {
		if (s->fields[i].required == MLV_REQ_ALL) {
			rc = mlv_buf_printf(out, "%s        - %s\n", any ? "" : "      required:\n",
					    s->fields[i].json);
			any = true;
		}
	}
	if (rc == 0)
		rc = mlv_buf_adds(out, "      properties:\n");
	for (size_t i = 0; rc == 0 && i < s->nfields; i++)
		rc = yaml_field(out, &s->fields[i]);
	for (size_t i = 0; rc == 0 && i < s->nfields; i++)
		if (s->fields[i].sub != NULL)
			rc = yaml_schema(out, s->fields[i].sub, done, ndone);
	return rc;
}

int mlv_docgen_openapi_schemas(mlv_buf *out)
{
	const mlv_schema *done[32];
	size_t ndone = 0;
	return yaml_schema(out, &mlv_consignment_schema, done, &ndone);
}

int mlv_docgen_openapi(const char *template_text, size_t len, mlv_buf *out)
{
	static const char marker[] = "# @generated-schemas";
	const char *end = template_text + len;
	bool found = false;
	int rc = 0;
	for (const char *line = template_text; rc == 0 && line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *next = nl ? nl + 1 : end;
		size_t n = (size_t)(next - line);
		bool is_marker = false;
		for (const char *p = line; p + sizeof(marker) - 1 <= line + n && !is_marker; p++)
			is_marker = memcmp(p, marker, sizeof(marker) - 1) == 0;
		if (is_marker) {
			rc = mlv_docgen_openapi_schemas(out);
			found = true;
		} else {
			rc = mlv_buf_add(out, line, n);
		}
		line = next;
	}
	return rc == 0 && !found ? MLV_EINVALID : rc;
}
