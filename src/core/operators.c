/* operators.c - the registry of operators: vocabularies, identifiers,
 * strict JSON both ways, AEO recognition under MRAs, and the read-only
 * snapshot the filing path consults (operators.h).
 *
 * The decoder is strict like the consignment codec: every member is known
 * or refused, none given twice, server-owned ones refused as read_only,
 * every string bounded and free of control characters, and every problem
 * reported at once with its JSON Pointer. */
#include "mlv/operators.h"

#include <cjson/cJSON.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlv/codec.h"

/* ---- vocabularies ------------------------------------------------------------------ */

static const char *const kinds[MLV_OP_KIND_COUNT] = {
	NULL, "platform", "seller", "express_carrier", "postal_operator", "broker",
	"fulfilment_centre", "payment_service_provider", "other_government_agency",
	"partner_customs_administration",
};
static const char *const id_types[MLV_OPID_COUNT] = {
	NULL, "eori", "vat", "tin", "postal_operator", "ioss", "duns", "other",
};
static const char *const aeo_types[MLV_AEO_TYPE_COUNT] = {NULL, "customs", "security", "full"};
static const char *const address_types[MLV_OPADDR_COUNT] = {NULL, "registered", "operational",
							     "warehouse", "returns"};

static const char *word_of(const char *const *words, size_t n, unsigned v)
{
	return v > 0 && v < n ? words[v] : NULL;
}

static unsigned parse_word(const char *const *words, size_t n, const char *w)
{
	for (size_t i = 1; w != NULL && i < n; i++)
		if (strcmp(words[i], w) == 0)
			return (unsigned)i;
	return 0;
}

const char *mlv_op_kind_name(unsigned k)
{
	return word_of(kinds, MLV_ARRAY_LEN(kinds), k);
}
unsigned mlv_op_kind_parse(const char *w)
{
	return parse_word(kinds, MLV_ARRAY_LEN(kinds), w);
}
const char *mlv_op_id_type_name(unsigned t)
{
	return word_of(id_types, MLV_ARRAY_LEN(id_types), t);
}
unsigned mlv_op_id_type_parse(const char *w)
{
	return parse_word(id_types, MLV_ARRAY_LEN(id_types), w);
}
const char *mlv_aeo_type_name(unsigned t)
{
	return word_of(aeo_types, MLV_ARRAY_LEN(aeo_types), t);
}
unsigned mlv_aeo_type_parse(const char *w)
{
	return parse_word(aeo_types, MLV_ARRAY_LEN(aeo_types), w);
}
const char *mlv_op_address_type_name(unsigned t)
{
	return word_of(address_types, MLV_ARRAY_LEN(address_types), t);
}

const char *mlv_aeo_basis_name(mlv_aeo_basis b)
{
	static const char *const names[] = {"none", "domestic", "union", "mra"};
	return (unsigned)b < MLV_ARRAY_LEN(names) ? names[b] : "none";
}

/* ---- identifiers --------------------------------------------------------------------- */

bool mlv_op_ident_norm(const char *in, char *out, size_t size)
{
	size_t n = 0;
	if (in == NULL || size == 0)
		return false;
	for (const char *p = in; *p; p++) {
		char c = *p;
		if (c == ' ' || c == '.' || c == '-' || c == '/' || c == '\t')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (n + 1 >= size) {
			out[0] = '\0';
			return false;
		}
		out[n++] = c;
	}
	out[n] = '\0';
	return n > 0;
}

static bool all_alnum(const char *s, size_t from, size_t lo, size_t hi)
{
	size_t n = strlen(s);
	if (n < from + lo || n > from + hi)
		return false;
	for (size_t i = from; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

static bool all_digits(const char *s, size_t from, size_t len)
{
	if (strlen(s) != from + len)
		return false;
	for (size_t i = from; i < from + len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* A country prefix of an EORI or VAT number: ISO 3166-1, plus XI
 * (Northern Ireland) and, for VAT, EL (Greece in the VIES). */
static bool country_prefix(const char *v, const mlv_refdata *rd, bool vat)
{
	char cc[3] = {v[0], v[1], '\0'};
	if (strcmp(cc, "XI") == 0 || (vat && strcmp(cc, "EL") == 0))
		return true;
	return rd == NULL ? (cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' && cc[1] <= 'Z')
			  : mlv_country_exists(rd, cc);
}

const char *mlv_op_ident_check(unsigned type, const char *v, const mlv_refdata *rd)
{
	switch (type) {
	case MLV_OPID_EORI:
		if (strlen(v) < 3 || !country_prefix(v, rd, false))
			return "an EORI number starts with the code of the country that issued it";
		if (!all_alnum(v, 2, 1, 15))
			return "an EORI number is a country code then 1 to 15 letters or digits";
		return NULL;
	case MLV_OPID_VAT:
		if (strlen(v) < 4 || !country_prefix(v, rd, true))
			return "a VAT number starts with its country prefix (ISO 3166-1, EL, XI)";
		if (!all_alnum(v, 2, 2, 15))
			return "a VAT number is its country prefix then 2 to 15 letters or digits";
		return NULL;
	case MLV_OPID_TIN:
		return all_alnum(v, 0, 3, 20) ? NULL : "a tax number is 3 to 20 letters or digits";
	case MLV_OPID_POSTAL:
		return all_alnum(v, 0, 3, 12) && v[0] >= 'A' && v[0] <= 'Z'
			       ? NULL
			       : "a postal operator code is 3 to 12 letters or digits, starting "
				 "with a letter";
	case MLV_OPID_IOSS:
		return v[0] == 'I' && v[1] == 'M' && all_digits(v, 2, 10)
			       ? NULL
			       : "an IOSS number is IM then 10 digits";
	case MLV_OPID_DUNS:
		return all_digits(v, 0, 9) ? NULL : "a D-U-N-S number is 9 digits";
	case MLV_OPID_OTHER:
		return all_alnum(v, 0, 1, 35) ? NULL : "an identifier is 1 to 35 letters or digits";
	default:
		return "unknown identifier type";
	}
}

/* ---- the strict decoder ------------------------------------------------------------------ */

typedef struct dec {
	mlv_problems *p;
	const mlv_refdata *rd;
	char ptr[MLV_POINTER_MAX];
} dec;

static void problem(dec *d, const char *member, const char *code, const char *msg)
{
	size_t at = member ? mlv_pointer_push(d->ptr, member) : strlen(d->ptr);
	mlv_problems_add(d->p, MLV_SEV_ERROR, d->ptr, code, "%s", msg);
	d->ptr[at] = '\0';
}

static bool in_list(const char *const *list, const char *name)
{
	for (size_t i = 0; list != NULL && list[i] != NULL; i++)
		if (strcmp(list[i], name) == 0)
			return true;
	return false;
}

/* Unknown, server-owned and repeated members of obj; false when any. */
static bool members_ok(dec *d, const cJSON *obj, const char *const *allowed,
		       const char *const *server_owned)
{
	bool ok = true;
	for (const cJSON *m = obj->child; m != NULL; m = m->next) {
		bool dup = false;
		for (const cJSON *e = obj->child; e != m && !dup; e = e->next)
			dup = strcmp(e->string, m->string) == 0;
		if (dup) {
			problem(d, m->string, "duplicate_key", "given twice");
			ok = false;
		} else if (in_list(server_owned, m->string)) {
			problem(d, m->string, "read_only", "set by the server, never by a request");
			ok = false;
		} else if (!in_list(allowed, m->string)) {
			problem(d, m->string, "unknown_field", "not a member of this object");
			ok = false;
		}
	}
	return ok;
}

static const cJSON *member(const cJSON *obj, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(obj, name);
}

/* A text member into out[size]: a string of min..size-1 bytes, valid UTF-8,
 * no control characters.  Absent (or null) leaves out alone and returns
 * false; required then reports it. */
static bool text(dec *d, const cJSON *obj, const char *name, char *out, size_t size, bool required)
{
	const cJSON *v = member(obj, name);
	if (v == NULL || cJSON_IsNull(v)) {
		if (required)
			problem(d, name, "required", "is required");
		return false;
	}
	if (!cJSON_IsString(v)) {
		problem(d, name, "type", "must be a string");
		return false;
	}
	size_t n = strlen(v->valuestring);
	if (n == 0) {
		problem(d, name, "empty", "must not be empty");
		return false;
	}
	if (n >= size) {
		char msg[64];
		snprintf(msg, sizeof(msg), "is longer than %zu bytes", size - 1);
		problem(d, name, "too_long", msg);
		return false;
	}
	if (!mlv_utf8_valid(v->valuestring, n)) {
		problem(d, name, "encoding", "is not valid UTF-8");
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)v->valuestring[i] < 0x20 || v->valuestring[i] == 0x7f) {
			problem(d, name, "format", "holds a control character");
			return false;
		}
	}
	memcpy(out, v->valuestring, n + 1);
	return true;
}

static bool country(dec *d, const cJSON *obj, const char *name, char out[3], bool required,
		    bool eu)
{
	char cc[4] = "";
	if (!text(d, obj, name, cc, sizeof(cc), required))
		return false;
	/* without reference data (reading back what was checked when stored),
	 * the shape only */
	bool known = d->rd != NULL ? mlv_country_exists(d->rd, cc)
				   : cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' && cc[1] <= 'Z';
	if (strlen(cc) != 2 || !((eu && strcmp(cc, "EU") == 0) || known)) {
		problem(d, name, "country_unknown",
			eu ? "is not an ISO 3166-1 alpha-2 code (or EU)"
			   : "is not an ISO 3166-1 alpha-2 code");
		return false;
	}
	memcpy(out, cc, 2);
	out[2] = '\0';
	return true;
}

static bool word(dec *d, const cJSON *obj, const char *name, const char *const *words,
		 size_t nwords, unsigned *out, bool required)
{
	char w[48];
	if (!text(d, obj, name, w, sizeof(w), required))
		return false;
	unsigned v = parse_word(words, nwords, w);
	if (v == 0) {
		char msg[MLV_MESSAGE_MAX];
		size_t n = (size_t)snprintf(msg, sizeof(msg), "must be one of");
		for (size_t i = 1; i < nwords && n < sizeof(msg); i++)
			n += (size_t)snprintf(msg + n, sizeof(msg) - n, "%s %s", i > 1 ? "," : "",
					      words[i]);
		problem(d, name, "enum", msg);
		return false;
	}
	*out = v;
	return true;
}

static bool date(dec *d, const cJSON *obj, const char *name, int32_t *out, bool required)
{
	char s[16];
	if (!text(d, obj, name, s, sizeof(s), required))
		return false;
	if (!mlv_date_parse(s, strlen(s), out)) {
		problem(d, name, "format", "must be a date, YYYY-MM-DD");
		return false;
	}
	return true;
}

/* A boolean member; absent or null keeps *out. */
static void boolean(dec *d, const cJSON *obj, const char *name, bool *out)
{
	const cJSON *v = member(obj, name);
	if (v == NULL || cJSON_IsNull(v))
		return;
	if (!cJSON_IsBool(v))
		problem(d, name, "type", "must be true or false");
	else
		*out = cJSON_IsTrue(v);
}

/* Enters an object member for nested problems; returns its previous length. */
static size_t enter(dec *d, const char *name)
{
	return mlv_pointer_push(d->ptr, name);
}
static size_t enter_index(dec *d, size_t i)
{
	return mlv_pointer_push_index(d->ptr, i);
}
static void leave(dec *d, size_t at)
{
	d->ptr[at] = '\0';
}

/* An array member: NULL when absent, null (*cleared) or in error. */
static const cJSON *array(dec *d, const cJSON *obj, const char *name, size_t max, bool *cleared)
{
	const cJSON *v = member(obj, name);
	*cleared = false;
	if (v == NULL)
		return NULL;
	if (cJSON_IsNull(v)) {
		*cleared = true;
		return NULL;
	}
	if (!cJSON_IsArray(v)) {
		problem(d, name, "type", "must be an array");
		return NULL;
	}
	if ((size_t)cJSON_GetArraySize(v) > max) {
		char msg[64];
		snprintf(msg, sizeof(msg), "holds more than %zu elements", max);
		problem(d, name, "too_many", msg);
		return NULL;
	}
	return v;
}

static const char *const ident_members[] = {"type", "value", NULL};

static void identifiers(dec *d, const cJSON *arr, mlv_operator *op)
{
	size_t n = 0;
	const cJSON *e;
	size_t at = enter(d, "identifiers");
	cJSON_ArrayForEach(e, arr) {
		size_t ai = enter_index(d, n);
		mlv_op_ident id = {0, ""};
		char raw[64];
		unsigned type = 0;
		if (!cJSON_IsObject(e)) {
			problem(d, NULL, "type", "must be an object {type, value}");
		} else if (members_ok(d, e, ident_members, NULL) &&
			   word(d, e, "type", id_types, MLV_ARRAY_LEN(id_types), &type, true) &&
			   text(d, e, "value", raw, sizeof(raw), true)) {
			const char *why = NULL;
			bool dup = false;
			if (!mlv_op_ident_norm(raw, id.value, sizeof(id.value)))
				why = "is longer than 35 letters and digits, or empty";
			else
				why = mlv_op_ident_check(type, id.value, d->rd);
			for (size_t k = 0; why == NULL && k < n && k < MLV_OP_IDENTS_MAX; k++)
				dup |= strcmp(op->idents[k].value, id.value) == 0;
			if (why != NULL)
				problem(d, "value", "format", why);
			else if (dup)
				problem(d, "value", "duplicate", "the same identifier is given twice");
			id.type = (uint8_t)type;
		}
		if (n < MLV_OP_IDENTS_MAX)
			op->idents[n] = id;
		n++;
		leave(d, ai);
	}
	op->nidents = n;
	leave(d, at);
}

static const char *const contact_members[] = {"name", "function", "email", "phone", NULL};

static void contacts(dec *d, const cJSON *arr, mlv_operator *op)
{
	size_t n = 0;
	const cJSON *e;
	size_t at = enter(d, "contacts");
	cJSON_ArrayForEach(e, arr) {
		size_t ai = enter_index(d, n);
		mlv_op_contact c;
		memset(&c, 0, sizeof(c));
		if (!cJSON_IsObject(e)) {
			problem(d, NULL, "type", "must be an object");
		} else if (members_ok(d, e, contact_members, NULL)) {
			text(d, e, "name", c.name, sizeof(c.name), false);
			text(d, e, "function", c.function, sizeof(c.function), false);
			bool em = text(d, e, "email", c.email, sizeof(c.email), false);
			bool ph = text(d, e, "phone", c.phone, sizeof(c.phone), false);
			const char *why;
			if (em && (why = mlv_format_problem(MLV_FMT_EMAIL, c.email, strlen(c.email))))
				problem(d, "email", "format", why);
			if (ph && (why = mlv_format_problem(MLV_FMT_PHONE, c.phone, strlen(c.phone))))
				problem(d, "phone", "format", why);
			if (member(e, "email") == NULL && member(e, "phone") == NULL)
				problem(d, NULL, "required", "a contact has an email or a phone");
			if (member(e, "name") == NULL && member(e, "function") == NULL)
				problem(d, NULL, "required", "a contact has a name or a function");
		}
		if (n < MLV_OP_CONTACTS_MAX)
			op->contacts[n] = c;
		n++;
		leave(d, ai);
	}
	op->ncontacts = n;
	leave(d, at);
}

static const char *const address_members[] = {"type",	"street",  "city", "postcode",
					      "region", "country", NULL};

static void addresses(dec *d, const cJSON *arr, mlv_operator *op)
{
	size_t n = 0;
	const cJSON *e;
	size_t at = enter(d, "addresses");
	cJSON_ArrayForEach(e, arr) {
		size_t ai = enter_index(d, n);
		mlv_op_address a;
		memset(&a, 0, sizeof(a));
		unsigned type = 0;
		if (!cJSON_IsObject(e)) {
			problem(d, NULL, "type", "must be an object");
		} else if (members_ok(d, e, address_members, NULL)) {
			word(d, e, "type", address_types, MLV_ARRAY_LEN(address_types), &type, true);
			a.type = (uint8_t)type;
			text(d, e, "street", a.street, sizeof(a.street), false);
			text(d, e, "city", a.city, sizeof(a.city), true);
			text(d, e, "postcode", a.postcode, sizeof(a.postcode), false);
			text(d, e, "region", a.region, sizeof(a.region), false);
			country(d, e, "country", a.country, true, false);
		}
		if (n < MLV_OP_ADDRESSES_MAX)
			op->addresses[n] = a;
		n++;
		leave(d, ai);
	}
	op->naddresses = n;
	leave(d, at);
}

static const char *const aeo_members[] = {"type",	  "issuing_country", "certificate",
					  "valid_from", "valid_to",	     "suspended", NULL};

static void aeo(dec *d, const cJSON *v, mlv_op_aeo *out)
{
	size_t at = enter(d, "aeo");
	mlv_op_aeo a;
	memset(&a, 0, sizeof(a));
	a.present = true;
	a.valid_to = MLV_OP_OPEN;
	unsigned type = 0;
	char cert[64];
	if (!cJSON_IsObject(v)) {
		problem(d, NULL, "type", "must be an object, or null to remove the AEO status");
	} else if (members_ok(d, v, aeo_members, NULL)) {
		word(d, v, "type", aeo_types, MLV_ARRAY_LEN(aeo_types), &type, true);
		a.type = (uint8_t)type;
		country(d, v, "issuing_country", a.country, true, false);
		if (text(d, v, "certificate", cert, sizeof(cert), true)) {
			/* kept as written (upper-cased), separators included: it is shown */
			size_t n = strlen(cert);
			bool ok = n < sizeof(a.certificate);
			for (size_t i = 0; ok && i < n; i++) {
				char c = cert[i];
				if (c >= 'a' && c <= 'z')
					c = (char)(c - 'a' + 'A');
				ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
				     c == '/' || c == '.';
				a.certificate[i] = c;
			}
			if (!ok)
				problem(d, "certificate", "format",
					"a certificate number is up to 35 letters, digits and - / .");
		}
		bool from = date(d, v, "valid_from", &a.valid_from, true);
		const cJSON *to = member(v, "valid_to");
		if (to != NULL && !cJSON_IsNull(to) && date(d, v, "valid_to", &a.valid_to, false) &&
		    from && a.valid_to < a.valid_from)
			problem(d, "valid_to", "range", "is before valid_from");
		boolean(d, v, "suspended", &a.suspended);
	}
	*out = a;
	leave(d, at);
}

/* The filer accounts that act for the operator, by name. */
static void filers(dec *d, const cJSON *arr, mlv_operator *op)
{
	size_t n = 0;
	const cJSON *e;
	size_t at = enter(d, "filers");
	cJSON_ArrayForEach(e, arr) {
		size_t ai = enter_index(d, n);
		const char *name = cJSON_IsString(e) ? e->valuestring : NULL;
		bool ok = name != NULL && name[0] != '\0' && strlen(name) <= 60;
		if (!ok)
			problem(d, NULL, "type", "a filer is named by a string of 1 to 60 characters");
		ok = ok && mlv_utf8_valid(name, strlen(name));
		for (const char *c = name; ok && *c; c++)
			ok = (unsigned char)*c >= 0x20 && *c != 0x7f;
		if (name != NULL && !ok && strlen(name) <= 60 && name[0] != '\0')
			problem(d, NULL, "format", "holds a control character or is not UTF-8");
		bool dup = false;
		for (size_t k = 0; ok && k < n && k < MLV_OP_FILERS_MAX; k++)
			dup |= strcmp(op->filers[k], name) == 0;
		if (dup)
			problem(d, NULL, "duplicate", "the same filer is named twice");
		else if (ok && n < MLV_OP_FILERS_MAX) {
			memset(op->filers[n], 0, sizeof(op->filers[n])); /* compared whole (diff) */
			snprintf(op->filers[n], sizeof(op->filers[n]), "%s", name);
		}
		n++;
		leave(d, ai);
	}
	op->nfilers = n;
	leave(d, at);
}

/* Parses json as one object within the depth bound; on failure adds the
 * problem and returns NULL. */
static cJSON *parse_object(dec *d, const char *json, size_t len, int depth)
{
	if (mlv_json_depth(json, len, depth) > depth) {
		problem(d, NULL, "too_deep", "nested deeper than this object allows");
		return NULL;
	}
	cJSON *j = cJSON_ParseWithLength(json, len);
	if (j == NULL) {
		problem(d, NULL, "syntax", "is not JSON");
		return NULL;
	}
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		problem(d, NULL, "type", "must be a JSON object");
		return NULL;
	}
	return j;
}

static const char *const operator_members[] = {
	"kind", "name", "country", "natural_person", "identifiers", "contacts", "addresses",
	"aeo", "filers", NULL};
static const char *const operator_server[] = {
	"id", "version", "created_at", "updated_at", "aeo_recognition", "links", "history",
	NULL};

int mlv_operator_decode(mlv_operator *op, const char *json, size_t len, bool patch,
			const mlv_refdata *rd, mlv_problems *probs)
{
	dec d = {probs, rd, ""};
	cJSON *j = parse_object(&d, json, len, 3);
	if (j == NULL)
		return MLV_EINVALID;
	if (!patch) {
		int64_t keep_id = op->id;
		memset(op, 0, sizeof(*op));
		op->id = keep_id;
	}
	members_ok(&d, j, operator_members, operator_server);
	unsigned kind = op->kind;
	static const char *const required_members[] = {"kind", "name", "country"};
	for (size_t i = 0; patch && i < MLV_ARRAY_LEN(required_members); i++)
		if (cJSON_IsNull(member(j, required_members[i])))
			problem(&d, required_members[i], "required", "cannot be removed");
	if (word(&d, j, "kind", kinds, MLV_ARRAY_LEN(kinds), &kind, !patch))
		op->kind = (uint8_t)kind;
	text(&d, j, "name", op->name, sizeof(op->name), !patch);
	country(&d, j, "country", op->country, !patch, false);
	boolean(&d, j, "natural_person", &op->natural_person);
	bool cleared;
	const cJSON *a = array(&d, j, "identifiers", MLV_OP_IDENTS_MAX, &cleared);
	if (a != NULL)
		identifiers(&d, a, op);
	else if (cleared)
		op->nidents = 0;
	if ((a = array(&d, j, "contacts", MLV_OP_CONTACTS_MAX, &cleared)) != NULL)
		contacts(&d, a, op);
	else if (cleared)
		op->ncontacts = 0;
	if ((a = array(&d, j, "addresses", MLV_OP_ADDRESSES_MAX, &cleared)) != NULL)
		addresses(&d, a, op);
	else if (cleared)
		op->naddresses = 0;
	if ((a = array(&d, j, "filers", MLV_OP_FILERS_MAX, &cleared)) != NULL)
		filers(&d, a, op);
	else if (cleared)
		op->nfilers = 0;
	const cJSON *v = member(j, "aeo");
	if (v != NULL && cJSON_IsNull(v))
		memset(&op->aeo, 0, sizeof(op->aeo));
	else if (v != NULL)
		aeo(&d, v, &op->aeo);
	cJSON_Delete(j);
	return 0;
}

static const char *const mra_members[] = {"reference", "party_a",  "party_b",
					  "valid_from", "valid_to", "aeo_types", NULL};
static const char *const mra_server[] = {"id", "version", "created_at", "updated_at", "in_force",
					 "links", NULL};

int mlv_mra_decode(mlv_mra *m, const char *json, size_t len, bool patch, const mlv_refdata *rd,
		   mlv_problems *probs)
{
	dec d = {probs, rd, ""};
	cJSON *j = parse_object(&d, json, len, 2);
	if (j == NULL)
		return MLV_EINVALID;
	if (!patch) {
		memset(m, 0, sizeof(*m));
		m->valid_to = MLV_OP_OPEN;
		m->types = MLV_AEO_SAFE_TYPES;
	}
	members_ok(&d, j, mra_members, mra_server);
	if (patch) {
		static const char *const fixed[] = {"party_a", "party_b"};
		for (size_t i = 0; i < MLV_ARRAY_LEN(fixed); i++)
			if (member(j, fixed[i]) != NULL)
				problem(&d, fixed[i], "read_only",
					"the parties of an MRA do not change: register a new one");
		static const char *const required_members[] = {"reference", "valid_from"};
		for (size_t i = 0; i < MLV_ARRAY_LEN(required_members); i++)
			if (cJSON_IsNull(member(j, required_members[i])))
				problem(&d, required_members[i], "required", "cannot be removed");
	}
	text(&d, j, "reference", m->reference, sizeof(m->reference), !patch);
	if (!patch) {
		bool a = country(&d, j, "party_a", m->party_a, true, true);
		bool b = country(&d, j, "party_b", m->party_b, true, true);
		if (a && b && strcmp(m->party_a, m->party_b) == 0)
			problem(&d, "party_b", "range", "an MRA is between two different parties");
	}
	date(&d, j, "valid_from", &m->valid_from, !patch);
	const cJSON *to = member(j, "valid_to");
	if (to != NULL && cJSON_IsNull(to))
		m->valid_to = MLV_OP_OPEN;
	else if (to != NULL)
		date(&d, j, "valid_to", &m->valid_to, false);
	if (m->valid_to != MLV_OP_OPEN && m->valid_to < m->valid_from &&
	    (member(j, "valid_to") != NULL || member(j, "valid_from") != NULL))
		problem(&d, "valid_to", "range", "is before valid_from");
	bool cleared;
	const cJSON *types = array(&d, j, "aeo_types", 3, &cleared);
	if (cleared)
		problem(&d, "aeo_types", "required", "an MRA recognises at least one AEO type");
	if (types != NULL) {
		unsigned bits = 0;
		size_t i = 0;
		const cJSON *e;
		size_t at = enter(&d, "aeo_types");
		cJSON_ArrayForEach(e, types) {
			size_t ai = enter_index(&d, i++);
			unsigned t = cJSON_IsString(e) ? mlv_aeo_type_parse(e->valuestring) : 0;
			if (t == 0)
				problem(&d, NULL, "enum", "must be one of customs, security, full");
			else
				bits |= MLV_AEO_BIT(t);
			leave(&d, ai);
		}
		leave(&d, at);
		if (bits == 0 && i == 0)
			problem(&d, "aeo_types", "too_few", "an MRA recognises at least one AEO type");
		else if (bits != 0)
			m->types = bits;
	}
	cJSON_Delete(j);
	return 0;
}

/* ---- the JSON answers ----------------------------------------------------------------- */

static int jstr(mlv_buf *b, const char *key, const char *v, bool first)
{
	int rc = mlv_buf_printf(b, "%s\"%s\":", first ? "" : ",", key);
	if (rc == 0)
		rc = v != NULL ? mlv_buf_add_json_string(b, v, strlen(v)) : mlv_buf_adds(b, "null");
	return rc;
}

/* An optional text: null when empty. */
static int jopt(mlv_buf *b, const char *key, const char *v, bool first)
{
	return jstr(b, key, v != NULL && v[0] ? v : NULL, first);
}

static int jdate(mlv_buf *b, const char *key, int32_t day)
{
	char s[11];
	if (day == MLV_OP_OPEN)
		return mlv_buf_printf(b, ",\"%s\":null", key);
	mlv_date_format(day, s);
	return mlv_buf_printf(b, ",\"%s\":\"%s\"", key, s);
}

static int jtime(mlv_buf *b, const char *key, int64_t ms)
{
	char s[21];
	mlv_datetime_format(ms / 1000, s);
	return mlv_buf_printf(b, ",\"%s\":\"%.19s.%03dZ\"", key, s, (int)(ms % 1000));
}

static int write_aeo(mlv_buf *b, const mlv_op_aeo *a)
{
	if (!a->present)
		return mlv_buf_adds(b, ",\"aeo\":null");
	int rc = mlv_buf_adds(b, ",\"aeo\":{");
	if (rc == 0)
		rc = jstr(b, "type", mlv_aeo_type_name(a->type), true);
	if (rc == 0)
		rc = jstr(b, "issuing_country", a->country, false);
	if (rc == 0)
		rc = jstr(b, "certificate", a->certificate, false);
	if (rc == 0)
		rc = jdate(b, "valid_from", a->valid_from);
	if (rc == 0)
		rc = jdate(b, "valid_to", a->valid_to);
	if (rc == 0)
		rc = mlv_buf_printf(b, ",\"suspended\":%s}", a->suspended ? "true" : "false");
	return rc;
}

int mlv_operator_write_json(mlv_buf *b, const mlv_operator *op, mlv_op_view view,
			    const mlv_aeo_recognition *rec)
{
	bool store = view == MLV_OP_VIEW_STORE;
	bool full = view == MLV_OP_VIEW_FULL || store;
	int rc = store ? mlv_buf_addc(b, '{')
		       : mlv_buf_printf(b, "{\"id\":%lld,\"version\":%d,", (long long)op->id,
					op->version);
	if (rc == 0)
		rc = jstr(b, "kind", mlv_op_kind_name(op->kind), true);
	if (rc == 0)
		rc = jstr(b, "name", op->name, false);
	if (rc == 0)
		rc = jstr(b, "country", op->country, false);
	if (rc == 0)
		rc = mlv_buf_printf(b, ",\"natural_person\":%s,\"identifiers\":[",
				    op->natural_person ? "true" : "false");
	for (size_t i = 0; rc == 0 && i < op->nidents; i++) {
		rc = mlv_buf_adds(b, i ? ",{" : "{");
		if (rc == 0)
			rc = jstr(b, "type", mlv_op_id_type_name(op->idents[i].type), true);
		if (rc == 0)
			rc = jstr(b, "value", op->idents[i].value, false);
		if (rc == 0)
			rc = mlv_buf_addc(b, '}');
	}
	if (rc == 0)
		rc = mlv_buf_addc(b, ']');
	if (rc == 0 && full) {
		rc = mlv_buf_adds(b, ",\"contacts\":[");
		for (size_t i = 0; rc == 0 && i < op->ncontacts; i++) {
			const mlv_op_contact *c = &op->contacts[i];
			rc = mlv_buf_adds(b, i ? ",{" : "{");
			if (rc == 0)
				rc = jopt(b, "name", c->name, true);
			if (rc == 0)
				rc = jopt(b, "function", c->function, false);
			if (rc == 0)
				rc = jopt(b, "email", c->email, false);
			if (rc == 0)
				rc = jopt(b, "phone", c->phone, false);
			if (rc == 0)
				rc = mlv_buf_addc(b, '}');
		}
		if (rc == 0)
			rc = mlv_buf_adds(b, "],\"addresses\":[");
		for (size_t i = 0; rc == 0 && i < op->naddresses; i++) {
			const mlv_op_address *a = &op->addresses[i];
			rc = mlv_buf_adds(b, i ? ",{" : "{");
			if (rc == 0)
				rc = jstr(b, "type", mlv_op_address_type_name(a->type), true);
			if (rc == 0)
				rc = jopt(b, "street", a->street, false);
			if (rc == 0)
				rc = jopt(b, "city", a->city, false);
			if (rc == 0)
				rc = jopt(b, "postcode", a->postcode, false);
			if (rc == 0)
				rc = jopt(b, "region", a->region, false);
			if (rc == 0)
				rc = jopt(b, "country", a->country, false);
			if (rc == 0)
				rc = mlv_buf_addc(b, '}');
		}
		if (rc == 0)
			rc = mlv_buf_adds(b, "],\"filers\":[");
		for (size_t i = 0; rc == 0 && i < op->nfilers; i++) {
			if (i > 0)
				rc = mlv_buf_addc(b, ',');
			if (rc == 0)
				rc = mlv_buf_add_json_string(b, op->filers[i], strlen(op->filers[i]));
		}
		if (rc == 0)
			rc = mlv_buf_addc(b, ']');
	}
	if (rc == 0)
		rc = write_aeo(b, &op->aeo);
	if (store)
		return rc ? rc : mlv_buf_addc(b, '}');
	if (rc == 0 && rec != NULL) {
		rc = mlv_buf_printf(b, ",\"aeo_recognition\":{\"recognised\":%s,\"basis\":\"%s\"",
				    rec->recognised ? "true" : "false", mlv_aeo_basis_name(rec->basis));
		if (rc == 0 && rec->basis == MLV_AEO_MRA)
			rc = mlv_buf_printf(b, ",\"mra\":%lld", (long long)rec->mra_id);
		if (rc == 0)
			rc = jstr(b, "explanation", rec->reason, false);
		if (rc == 0)
			rc = mlv_buf_addc(b, '}');
	}
	if (rc == 0 && op->created_ms)
		rc = jtime(b, "created_at", op->created_ms);
	if (rc == 0 && op->updated_ms)
		rc = jtime(b, "updated_at", op->updated_ms);
	if (rc == 0 && op->id)
		rc = mlv_buf_printf(b, ",\"links\":{\"self\":\"/v1/operators/%lld\"",
				    (long long)op->id);
	if (rc == 0 && op->id && full)
		rc = mlv_buf_printf(b, ",\"history\":\"/v1/operators/%lld/history\"",
				    (long long)op->id);
	if (rc == 0 && op->id)
		rc = mlv_buf_addc(b, '}');
	return rc ? rc : mlv_buf_addc(b, '}');
}

/* Appends name to the comma-separated list in names[size]. */
static void name_add(char *names, size_t size, const char *name)
{
	size_t n = strlen(names);
	if (n + strlen(name) + 2 < size)
		snprintf(names + n, size - n, "%s%s", n ? "," : "", name);
}

unsigned mlv_operator_diff(const mlv_operator *a, const mlv_operator *b, char *names,
			   size_t size)
{
	const bool differs[] = {
		a->kind != b->kind,
		strcmp(a->name, b->name) != 0,
		strcmp(a->country, b->country) != 0,
		a->natural_person != b->natural_person,
		a->nidents != b->nidents ||
			memcmp(a->idents, b->idents, a->nidents * sizeof(a->idents[0])) != 0,
		a->ncontacts != b->ncontacts ||
			memcmp(a->contacts, b->contacts, a->ncontacts * sizeof(a->contacts[0])) != 0,
		a->naddresses != b->naddresses ||
			memcmp(a->addresses, b->addresses,
			       a->naddresses * sizeof(a->addresses[0])) != 0,
		a->aeo.present != b->aeo.present ||
			(a->aeo.present && memcmp(&a->aeo, &b->aeo, sizeof(a->aeo)) != 0),
		a->nfilers != b->nfilers ||
			memcmp(a->filers, b->filers, a->nfilers * sizeof(a->filers[0])) != 0,
	};
	static const char *const member_names[] = {"kind",	    "name",	"country",
						   "natural_person", "identifiers", "contacts",
						   "addresses",	    "aeo",	"filers"};
	unsigned bits = 0;
	if (names != NULL && size > 0)
		names[0] = '\0';
	for (size_t i = 0; i < MLV_ARRAY_LEN(differs); i++) {
		if (!differs[i])
			continue;
		bits |= 1u << i;
		if (names != NULL)
			name_add(names, size, member_names[i]);
	}
	return bits;
}

unsigned mlv_mra_diff(const mlv_mra *a, const mlv_mra *b, char *names, size_t size)
{
	const bool differs[] = {
		strcmp(a->reference, b->reference) != 0, strcmp(a->party_a, b->party_a) != 0,
		strcmp(a->party_b, b->party_b) != 0,	  a->valid_from != b->valid_from,
		a->valid_to != b->valid_to,		  a->types != b->types,
	};
	static const char *const member_names[] = {"reference",	 "party_a",  "party_b",
						   "valid_from", "valid_to", "aeo_types"};
	unsigned bits = 0;
	if (names != NULL && size > 0)
		names[0] = '\0';
	for (size_t i = 0; i < MLV_ARRAY_LEN(differs); i++) {
		if (!differs[i])
			continue;
		bits |= 1u << i;
		if (names != NULL)
			name_add(names, size, member_names[i]);
	}
	return bits;
}

static bool in_force(const mlv_mra *m, int32_t day)
{
	return day >= m->valid_from && day <= m->valid_to;
}

int mlv_mra_write_json(mlv_buf *b, const mlv_mra *m, int32_t today)
{
	int rc = mlv_buf_printf(b, "{\"id\":%lld,\"version\":%d", (long long)m->id, m->version);
	if (rc == 0)
		rc = jstr(b, "reference", m->reference, false);
	if (rc == 0)
		rc = jstr(b, "party_a", m->party_a, false);
	if (rc == 0)
		rc = jstr(b, "party_b", m->party_b, false);
	if (rc == 0)
		rc = jdate(b, "valid_from", m->valid_from);
	if (rc == 0)
		rc = jdate(b, "valid_to", m->valid_to);
	if (rc == 0)
		rc = mlv_buf_adds(b, ",\"aeo_types\":[");
	bool first = true;
	for (unsigned t = 1; rc == 0 && t < MLV_AEO_TYPE_COUNT; t++) {
		if ((m->types & MLV_AEO_BIT(t)) == 0)
			continue;
		rc = mlv_buf_printf(b, "%s\"%s\"", first ? "" : ",", mlv_aeo_type_name(t));
		first = false;
	}
	if (rc == 0)
		rc = mlv_buf_printf(b, "],\"in_force\":%s", in_force(m, today) ? "true" : "false");
	if (rc == 0 && m->created_ms)
		rc = jtime(b, "created_at", m->created_ms);
	if (rc == 0 && m->updated_ms)
		rc = jtime(b, "updated_at", m->updated_ms);
	if (rc == 0 && m->id)
		rc = mlv_buf_printf(b, ",\"links\":{\"self\":\"/v1/mras/%lld\"}", (long long)m->id);
	return rc ? rc : mlv_buf_addc(b, '}');
}

/* ---- recognition ----------------------------------------------------------------------- */

static const char *union_of(const mlv_aeo_context *ctx, const char *country)
{
	for (size_t i = 0; i < ctx->nunions; i++)
		if (strcmp(ctx->unions[i].member, country) == 0)
			return ctx->unions[i].union_code;
	return NULL;
}

/* Whether party code p stands for country cc (itself, or cc's union). */
static bool stands_for(const char *p, const char *cc, const char *cc_union)
{
	return strcmp(p, cc) == 0 || (cc_union != NULL && strcmp(p, cc_union) == 0);
}

static void type_list(unsigned bits, char *out, size_t size)
{
	size_t n = 0;
	out[0] = '\0';
	for (unsigned t = 1; t < MLV_AEO_TYPE_COUNT && n < size; t++)
		if (bits & MLV_AEO_BIT(t))
			n += (size_t)snprintf(out + n, size - n, "%s%s", n ? ", " : "",
					      mlv_aeo_type_name(t));
}

void mlv_aeo_recognise(mlv_aeo_recognition *out, const mlv_op_aeo *aeo,
		       const mlv_aeo_context *ctx, const mlv_mra *mras, size_t nmras,
		       int32_t day)
{
	memset(out, 0, sizeof(*out));
	char d1[11];
	if (aeo == NULL || !aeo->present) {
		snprintf(out->reason, sizeof(out->reason), "not an AEO");
		return;
	}
	out->holder = true;
	if (aeo->suspended) {
		snprintf(out->reason, sizeof(out->reason), "the AEO authorisation is suspended");
		return;
	}
	if (day < aeo->valid_from) {
		mlv_date_format(aeo->valid_from, d1);
		snprintf(out->reason, sizeof(out->reason),
			 "the AEO authorisation is valid only from %s", d1);
		return;
	}
	if (day > aeo->valid_to) {
		mlv_date_format(aeo->valid_to, d1);
		snprintf(out->reason, sizeof(out->reason), "the AEO authorisation expired on %s", d1);
		return;
	}
	out->valid = true;
	const char *ours = ctx->country != NULL ? ctx->country : "";
	const char *our_union = union_of(ctx, ours);
	const char *their_union = union_of(ctx, aeo->country);
	if (strcmp(aeo->country, ours) == 0) {
		out->recognised = true;
		out->basis = MLV_AEO_DOMESTIC;
		snprintf(out->reason, sizeof(out->reason), "issued by this administration (%s)", ours);
		return;
	}
	if (our_union != NULL && their_union != NULL && strcmp(our_union, their_union) == 0) {
		out->recognised = true;
		out->basis = MLV_AEO_UNION;
		snprintf(out->reason, sizeof(out->reason),
			 "issued by %s, a member of the %s customs union, valid in all its members",
			 aeo->country, our_union);
		return;
	}
	const mlv_mra *best = NULL, *wrong_type = NULL;
	for (size_t i = 0; i < nmras; i++) {
		const mlv_mra *m = &mras[i];
		bool pair = (stands_for(m->party_a, ours, our_union) &&
			     stands_for(m->party_b, aeo->country, their_union)) ||
			    (stands_for(m->party_b, ours, our_union) &&
			     stands_for(m->party_a, aeo->country, their_union));
		if (!pair || !in_force(m, day))
			continue;
		if ((m->types & MLV_AEO_BIT(aeo->type)) == 0) {
			if (wrong_type == NULL || m->id < wrong_type->id)
				wrong_type = m;
			continue;
		}
		if (best == NULL || m->id < best->id)
			best = m;
	}
	mlv_date_format(day, d1);
	if (best != NULL) {
		out->recognised = true;
		out->basis = MLV_AEO_MRA;
		out->mra_id = best->id;
		snprintf(out->mra_reference, sizeof(out->mra_reference), "%s", best->reference);
		snprintf(out->reason, sizeof(out->reason), "recognised under MRA %lld (%s, %s-%s)",
			 (long long)best->id, best->reference, best->party_a, best->party_b);
		return;
	}
	if (wrong_type != NULL) {
		char types[48];
		type_list(wrong_type->types, types, sizeof(types));
		snprintf(out->reason, sizeof(out->reason),
			 "MRA %lld with %s covers %s AEOs, not %s ones", (long long)wrong_type->id,
			 aeo->country, types, mlv_aeo_type_name(aeo->type));
		return;
	}
	snprintf(out->reason, sizeof(out->reason), "no MRA with %s is in force on %s",
		 aeo->country, d1);
}

bool mlv_aeo_guarantee_waiver(const mlv_op_aeo *aeo, const mlv_aeo_recognition *rec)
{
	return aeo != NULL && rec->recognised &&
	       (rec->basis == MLV_AEO_DOMESTIC || rec->basis == MLV_AEO_UNION) &&
	       (aeo->type == MLV_AEO_CUSTOMS || aeo->type == MLV_AEO_FULL);
}

/* ---- the snapshot ----------------------------------------------------------------------- */

struct snap_op {
	int64_t id;
	uint8_t kind;
	mlv_op_aeo aeo;
};
struct snap_filer {
	int64_t filer_id, op_id;
};
struct snap_ident {
	char value[MLV_OP_IDENT_MAX];
	int64_t op_id;
};

struct mlv_operators {
	_Atomic int refs;
	bool sealed;
	mlv_operators_opts opts;
	mlv_aeo_union_member *unions; /* opts.ctx.unions points here */
	char country[3];
	struct snap_op *ops;
	size_t nops, capops;
	struct snap_filer *filers;
	size_t nfilers, capfilers;
	struct snap_ident *idents;
	size_t nidents, capidents;
	mlv_mra *mras;
	size_t nmras, capmras;
};

int mlv_operators_new(mlv_operators **out, const mlv_operators_opts *opts)
{
	mlv_operators *o = calloc(1, sizeof(*o));
	if (o == NULL)
		return MLV_ENOMEM;
	atomic_init(&o->refs, 1);
	o->opts = *opts;
	snprintf(o->country, sizeof(o->country), "%s", opts->ctx.country ? opts->ctx.country : "");
	o->opts.ctx.country = o->country;
	if (opts->ctx.nunions > 0) {
		o->unions = calloc(opts->ctx.nunions, sizeof(*o->unions));
		if (o->unions == NULL) {
			free(o);
			return MLV_ENOMEM;
		}
		memcpy(o->unions, opts->ctx.unions, opts->ctx.nunions * sizeof(*o->unions));
	}
	o->opts.ctx.unions = o->unions;
	if (o->opts.aeo_factor_percent < 1 || o->opts.aeo_factor_percent > 100)
		o->opts.aeo_factor_percent = 100;
	*out = o;
	return 0;
}

/* Grows a vector by one slot; NULL when out of memory. */
static void *grow(void **v, size_t *n, size_t *cap, size_t size)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		void *p = realloc(*v, nc * size);
		if (p == NULL)
			return NULL;
		*v = p;
		*cap = nc;
	}
	return (char *)*v + (*n)++ * size;
}

int mlv_operators_add(mlv_operators *o, int64_t id, unsigned kind, const mlv_op_aeo *aeo)
{
	if (o->sealed)
		return MLV_ECONFLICT;
	struct snap_op *s = grow((void **)&o->ops, &o->nops, &o->capops, sizeof(*s));
	if (s == NULL)
		return MLV_ENOMEM;
	memset(s, 0, sizeof(*s));
	s->id = id;
	s->kind = (uint8_t)kind;
	if (aeo != NULL && aeo->present)
		s->aeo = *aeo;
	return 0;
}

int mlv_operators_add_ident(mlv_operators *o, int64_t op_id, const char *value)
{
	if (o->sealed)
		return MLV_ECONFLICT;
	struct snap_ident *e = grow((void **)&o->idents, &o->nidents, &o->capidents, sizeof(*e));
	if (e == NULL)
		return MLV_ENOMEM;
	if (!mlv_op_ident_norm(value, e->value, sizeof(e->value))) {
		o->nidents--;
		return MLV_EINVALID;
	}
	e->op_id = op_id;
	return 0;
}

int mlv_operators_add_filer(mlv_operators *o, int64_t op_id, int64_t filer_id)
{
	if (o->sealed)
		return MLV_ECONFLICT;
	struct snap_filer *f = grow((void **)&o->filers, &o->nfilers, &o->capfilers, sizeof(*f));
	if (f == NULL)
		return MLV_ENOMEM;
	f->filer_id = filer_id;
	f->op_id = op_id;
	return 0;
}

int mlv_operators_add_mra(mlv_operators *o, const mlv_mra *m)
{
	if (o->sealed)
		return MLV_ECONFLICT;
	mlv_mra *s = grow((void **)&o->mras, &o->nmras, &o->capmras, sizeof(*s));
	if (s == NULL)
		return MLV_ENOMEM;
	*s = *m;
	return 0;
}

static int cmp_op(const void *a, const void *b)
{
	const struct snap_op *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}
static int cmp_filer(const void *a, const void *b)
{
	const struct snap_filer *x = a, *y = b;
	return (x->filer_id > y->filer_id) - (x->filer_id < y->filer_id);
}
static int cmp_ident(const void *a, const void *b)
{
	const struct snap_ident *x = a, *y = b;
	return strcmp(x->value, y->value);
}

int mlv_operators_seal(mlv_operators *o)
{
	if (o->sealed)
		return MLV_ECONFLICT;
	if (o->nops > 1)
		qsort(o->ops, o->nops, sizeof(*o->ops), cmp_op);
	if (o->nfilers > 1)
		qsort(o->filers, o->nfilers, sizeof(*o->filers), cmp_filer);
	if (o->nidents > 1)
		qsort(o->idents, o->nidents, sizeof(*o->idents), cmp_ident);
	o->sealed = true;
	return 0;
}

mlv_operators *mlv_operators_retain(mlv_operators *o)
{
	if (o != NULL)
		atomic_fetch_add(&o->refs, 1);
	return o;
}

void mlv_operators_release(mlv_operators *o)
{
	if (o == NULL || atomic_fetch_sub(&o->refs, 1) != 1)
		return;
	free(o->ops);
	free(o->filers);
	free(o->idents);
	free(o->mras);
	free(o->unions);
	free(o);
}

const mlv_operators_opts *mlv_operators_settings(const mlv_operators *o)
{
	return &o->opts;
}

size_t mlv_operators_count(const mlv_operators *o)
{
	return o != NULL ? o->nops : 0;
}

const mlv_mra *mlv_operators_mras(const mlv_operators *o, size_t *n)
{
	*n = o != NULL ? o->nmras : 0;
	return o != NULL ? o->mras : NULL;
}

int64_t mlv_operators_of_filer(const mlv_operators *o, int64_t filer_id)
{
	if (o == NULL || !o->sealed || filer_id <= 0 || o->nfilers == 0)
		return 0;
	struct snap_filer key = {filer_id, 0};
	const struct snap_filer *f =
		bsearch(&key, o->filers, o->nfilers, sizeof(*o->filers), cmp_filer);
	return f != NULL ? f->op_id : 0;
}

int64_t mlv_operators_find(const mlv_operators *o, const char *identifier)
{
	struct snap_ident key;
	if (o == NULL || !o->sealed || o->nidents == 0 ||
	    !mlv_op_ident_norm(identifier, key.value, sizeof(key.value)))
		return 0;
	const struct snap_ident *e =
		bsearch(&key, o->idents, o->nidents, sizeof(*o->idents), cmp_ident);
	return e != NULL ? e->op_id : 0;
}

const mlv_op_aeo *mlv_operators_aeo(const mlv_operators *o, int64_t id)
{
	if (o == NULL || !o->sealed || o->nops == 0)
		return NULL;
	struct snap_op key;
	key.id = id;
	const struct snap_op *s = bsearch(&key, o->ops, o->nops, sizeof(*o->ops), cmp_op);
	return s != NULL && s->aeo.present ? &s->aeo : NULL;
}

bool mlv_operators_filer_aeo(const mlv_operators *o, int64_t filer_id, int32_t day,
			     mlv_risk_aeo *out, mlv_aeo_recognition *rec)
{
	mlv_aeo_recognition local;
	if (rec == NULL)
		rec = &local;
	memset(out, 0, sizeof(*out));
	memset(rec, 0, sizeof(*rec));
	int64_t id = mlv_operators_of_filer(o, filer_id);
	if (id == 0)
		return false;
	const mlv_op_aeo *aeo = mlv_operators_aeo(o, id);
	mlv_aeo_recognise(rec, aeo, &o->opts.ctx, o->mras, o->nmras, day);
	out->recognised = rec->recognised;
	out->factor_percent = o->opts.aeo_factor_percent;
	snprintf(out->party, sizeof(out->party), "filer");
	if (aeo != NULL) {
		snprintf(out->type, sizeof(out->type), "%s", mlv_aeo_type_name(aeo->type));
		snprintf(out->certificate, sizeof(out->certificate), "%s", aeo->certificate);
		snprintf(out->country, sizeof(out->country), "%s", aeo->country);
	}
	if (rec->basis == MLV_AEO_DOMESTIC)
		snprintf(out->basis, sizeof(out->basis), "domestic");
	else if (rec->basis == MLV_AEO_UNION)
		snprintf(out->basis, sizeof(out->basis), "%s customs union",
			 union_of(&o->opts.ctx, o->country));
	else if (rec->basis == MLV_AEO_MRA)
		snprintf(out->basis, sizeof(out->basis), "MRA %lld: %.150s", (long long)rec->mra_id,
			 rec->mra_reference);
	else
		snprintf(out->basis, sizeof(out->basis), "%.190s", rec->reason);
	return true;
}

size_t mlv_operators_parties(const mlv_operators *o, const mlv_consignment *c,
			     char idents[][MLV_OP_IDENT_MAX], uint8_t *roles, size_t max)
{
	if (o == NULL || !o->sealed || o->nidents == 0)
		return 0;
	const struct {
		const char *id;
		uint8_t role;
	} parties[] = {
		{c->seller.present ? c->seller.identifier : NULL, MLV_RISK_ROLE_SELLER},
		{c->platform.present ? c->platform.identifier : NULL, MLV_RISK_ROLE_PLATFORM},
		{c->intermediary.present ? c->intermediary.identifier : NULL,
		 MLV_RISK_ROLE_INTERMEDIARY},
		{c->transport.carrier.present ? c->transport.carrier.identifier : NULL,
		 MLV_RISK_ROLE_CARRIER},
	};
	size_t n = 0;
	for (size_t i = 0; i < MLV_ARRAY_LEN(parties) && n < max; i++) {
		char norm[MLV_OP_IDENT_MAX];
		if (parties[i].id == NULL || !mlv_op_ident_norm(parties[i].id, norm, sizeof(norm)) ||
		    mlv_operators_find(o, norm) == 0)
			continue;
		bool seen = false;
		for (size_t k = 0; k < n && !seen; k++)
			seen = roles[k] == parties[i].role && strcmp(idents[k], norm) == 0;
		if (seen)
			continue;
		memcpy(idents[n], norm, sizeof(norm));
		roles[n++] = parties[i].role;
	}
	return n;
}
