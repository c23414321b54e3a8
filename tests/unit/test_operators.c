/* test_operators.c - the registry of operators (operators.h): identifiers,
 * the strict decoder and its merge patches, the views, AEO recognition
 * under MRAs and customs unions, the guarantee waiver rule, the snapshot,
 * and the AEO factor as the risk engine applies it (risk.h, "AEO"): the
 * same consignment with and without a recognised AEO filer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "mlv/codec.h"
#include "mlv/filing.h"
#include "mlv/operators.h"
#include "mlv/risk.h"
#include "testutil.h"

/* ---- identifiers --------------------------------------------------------------------- */

static void test_identifiers(void **state)
{
	(void)state;
	char n[MLV_OP_IDENT_MAX];
	assert_true(mlv_op_ident_norm(" ie 123-4567.x ", n, sizeof(n)));
	assert_string_equal(n, "IE1234567X");
	assert_false(mlv_op_ident_norm(" - . ", n, sizeof(n)));
	assert_false(mlv_op_ident_norm("A123456789012345678901234567890123456789", n, sizeof(n)));
	static const struct {
		unsigned type;
		const char *value;
		bool ok;
	} cases[] = {
		{MLV_OPID_EORI, "FR12345678901234", true},
		{MLV_OPID_EORI, "XI123456789000", true},   /* Northern Ireland */
		{MLV_OPID_EORI, "QQ123", false},	     /* no such country */
		{MLV_OPID_EORI, "FR1234567890123456", false}, /* 16 after the prefix */
		{MLV_OPID_EORI, "FR", false},
		{MLV_OPID_VAT, "IE1234567X", true},
		{MLV_OPID_VAT, "EL123456789", true},	     /* Greece in the VIES */
		{MLV_OPID_VAT, "1234567", false},
		{MLV_OPID_VAT, "DE1", false},
		{MLV_OPID_VAT, "DE12345678*", false},
		{MLV_OPID_TIN, "91440300MA5", true},
		{MLV_OPID_TIN, "AB", false},
		{MLV_OPID_POSTAL, "CNPOST", true},
		{MLV_OPID_POSTAL, "9POST", false},	     /* starts with a digit */
		{MLV_OPID_POSTAL, "AB", false},
		{MLV_OPID_IOSS, "IM2500001234", true},
		{MLV_OPID_IOSS, "IM250000123", false},
		{MLV_OPID_IOSS, "XX2500001234", false},
		{MLV_OPID_DUNS, "123456789", true},
		{MLV_OPID_DUNS, "12345678A", false},
		{MLV_OPID_OTHER, "ANYTHING123", true},
		{MLV_OPID_OTHER, "SEMI;COLON", false},
		{99, "X", false},
	};
	for (size_t i = 0; i < MLV_ARRAY_LEN(cases); i++) {
		const char *why = mlv_op_ident_check(cases[i].type, cases[i].value, rd);
		if ((why == NULL) != cases[i].ok)
			fail_msg("%s %s: %s", mlv_op_id_type_name(cases[i].type) ?: "?",
				 cases[i].value, why ? why : "accepted");
	}
	assert_string_equal(mlv_op_kind_name(MLV_OP_PSP), "payment_service_provider");
	assert_int_equal(mlv_op_kind_parse("partner_customs_administration"), MLV_OP_PARTNER_CUSTOMS);
	assert_int_equal(mlv_op_kind_parse("bank"), 0);
	assert_int_equal(mlv_aeo_type_parse("full"), MLV_AEO_FULL);
	assert_null(mlv_op_kind_name(0));
}

/* ---- the decoder ----------------------------------------------------------------------- */

static const char full_json[] =
	"{\"kind\":\"platform\",\"name\":\"ExampleMarket Ltd\",\"country\":\"IE\","
	"\"identifiers\":[{\"type\":\"vat\",\"value\":\"ie 1234567x\"},"
	"{\"type\":\"eori\",\"value\":\"IE1234567X000\"}],"
	"\"contacts\":[{\"name\":\"Aoife Byrne\",\"function\":\"customs compliance\","
	"\"email\":\"customs@examplemarket.example\",\"phone\":\"+35315550100\"}],"
	"\"addresses\":[{\"type\":\"registered\",\"street\":\"1 Dock Road\",\"city\":\"Dublin\","
	"\"postcode\":\"D02 X285\",\"country\":\"IE\"}],"
	"\"aeo\":{\"type\":\"full\",\"issuing_country\":\"IE\",\"certificate\":\"ieaeof-0001\","
	"\"valid_from\":\"2024-01-01\",\"valid_to\":\"2027-12-31\"},"
	"\"filers\":[\"platform-a\"]}";

static void decode_ok(mlv_operator *op, const char *json, bool patch)
{
	mlv_problems p;
	mlv_problems_init(&p);
	assert_int_equal(mlv_operator_decode(op, json, strlen(json), patch, rd, &p), 0);
	if (p.errors > 0) {
		dump_problems(&p);
		fail_msg("the operator does not decode");
	}
	mlv_problems_clear(&p);
}

static void test_decode_full(void **state)
{
	(void)state;
	mlv_operator *op = calloc(1, sizeof(*op));
	decode_ok(op, full_json, false);
	assert_int_equal(op->kind, MLV_OP_PLATFORM);
	assert_string_equal(op->name, "ExampleMarket Ltd");
	assert_int_equal(op->nidents, 2);
	assert_string_equal(op->idents[0].value, "IE1234567X"); /* normalised */
	assert_int_equal(op->idents[1].type, MLV_OPID_EORI);
	assert_int_equal(op->ncontacts, 1);
	assert_string_equal(op->contacts[0].phone, "+35315550100");
	assert_int_equal(op->naddresses, 1);
	assert_true(op->aeo.present);
	assert_string_equal(op->aeo.certificate, "IEAEOF-0001"); /* upper-cased */
	assert_int_equal(op->aeo.valid_from, day_of("2024-01-01"));
	assert_int_equal(op->aeo.valid_to, day_of("2027-12-31"));
	assert_int_equal(op->nfilers, 1);

	/* What the store keeps decodes back to the same record. */
	mlv_buf b = MLV_BUF_INIT(1 << 20);
	assert_int_equal(mlv_operator_write_json(&b, op, MLV_OP_VIEW_STORE, NULL), 0);
	assert_null(strstr(b.data, "\"id\""));
	mlv_operator *back = calloc(1, sizeof(*back));
	decode_ok(back, b.data, false);
	char names[160];
	assert_int_equal(mlv_operator_diff(op, back, names, sizeof(names)), 0);
	mlv_buf_free(&b);

	/* A partner's view: no contacts, addresses or filer accounts. */
	op->id = 7;
	op->version = 2;
	op->created_ms = op->updated_ms = 1776501000000LL;
	mlv_buf v = MLV_BUF_INIT(1 << 20);
	assert_int_equal(mlv_operator_write_json(&v, op, MLV_OP_VIEW_PARTNER, NULL), 0);
	cJSON *j = cJSON_Parse(v.data);
	assert_non_null(j);
	assert_null(cJSON_GetObjectItem(j, "contacts"));
	assert_null(cJSON_GetObjectItem(j, "addresses"));
	assert_null(cJSON_GetObjectItem(j, "filers"));
	assert_null(strstr(v.data, "Aoife"));
	assert_non_null(cJSON_GetObjectItem(j, "aeo"));
	assert_int_equal(cJSON_GetObjectItem(j, "id")->valueint, 7);
	cJSON_Delete(j);
	mlv_buf_reset(&v);
	assert_int_equal(mlv_operator_write_json(&v, op, MLV_OP_VIEW_FULL, NULL), 0);
	j = cJSON_Parse(v.data);
	assert_non_null(j);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
				    cJSON_GetArrayItem(cJSON_GetObjectItem(j, "contacts"), 0), "name")),
			    "Aoife Byrne");
	assert_string_equal(
		cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "links"), "history")),
		"/v1/operators/7/history");
	cJSON_Delete(j);
	mlv_buf_free(&v);
	free(back);
	free(op);
}

/* Every class of problem at once, each with its pointer. */
static void test_decode_errors(void **state)
{
	(void)state;
	static const char bad[] =
		"{\"kind\":\"bank\",\"name\":\"\",\"country\":\"XX\",\"id\":4,\"version\":2,"
		"\"created_at\":\"x\",\"updated_at\":\"x\",\"aeo_recognition\":{},\"colour\":\"red\","
		"\"natural_person\":\"yes\","
		"\"identifiers\":[{\"type\":\"vat\",\"value\":\"1234\"},{\"type\":\"ssn\",\"value\":\"1\"},"
		"{\"type\":\"eori\",\"value\":\"FR123\",\"x\":1},\"FR123\"],"
		"\"contacts\":[{\"name\":\"A\",\"email\":\"not-an-email\",\"phone\":\"0612\"},"
		"{\"function\":\"ops\"}],"
		"\"addresses\":[{\"type\":\"home\",\"country\":\"FR\"}],"
		"\"aeo\":{\"type\":\"full\",\"issuing_country\":\"FR\",\"certificate\":\"FR AEO\","
		"\"valid_from\":\"2026-02-30\",\"valid_to\":\"2020-01-01\"},"
		"\"filers\":[\"a\",\"a\",7]}";
	mlv_operator *op = calloc(1, sizeof(*op));
	mlv_problems p;
	mlv_problems_init(&p);
	assert_int_equal(mlv_operator_decode(op, bad, strlen(bad), false, rd, &p), 0);
	static const char *const expect[][2] = {
		{"/kind", "enum"},
		{"/name", "empty"},
		{"/country", "country_unknown"},
		{"/id", "read_only"},
		{"/version", "read_only"},
		{"/created_at", "read_only"},
		{"/updated_at", "read_only"},
		{"/aeo_recognition", "read_only"},
		{"/colour", "unknown_field"},
		{"/natural_person", "type"},
		{"/identifiers/0/value", "format"},
		{"/identifiers/1/type", "enum"},
		{"/identifiers/2/x", "unknown_field"},
		{"/identifiers/3", "type"},
		{"/contacts/0/email", "format"},
		{"/contacts/0/phone", "format"},
		{"/contacts/1", "required"},
		{"/addresses/0/type", "enum"},
		{"/addresses/0/city", "required"},
		{"/aeo/certificate", "format"},
		{"/aeo/valid_from", "format"},
		{"/filers/1", "duplicate"},
		{"/filers/2", "type"},
	};
	for (size_t i = 0; i < MLV_ARRAY_LEN(expect); i++)
		if (find_problem(&p, expect[i][0], expect[i][1]) == NULL) {
			dump_problems(&p);
			fail_msg("no %s at %s", expect[i][1], expect[i][0]);
		}
	mlv_problems_clear(&p);

	/* A duplicate member, a range, missing required members, too many. */
	static const char more[] =
		"{\"kind\":\"seller\",\"kind\":\"seller\","
		"\"aeo\":{\"type\":\"full\",\"issuing_country\":\"FR\",\"certificate\":\"FRAEO1\","
		"\"valid_from\":\"2026-01-01\",\"valid_to\":\"2025-01-01\"},"
		"\"identifiers\":[{\"type\":\"vat\",\"value\":\"FR12345\"},{\"type\":\"vat\","
		"\"value\":\"fr 12345\"}],"
		"\"addresses\":[{\"type\":\"registered\",\"city\":\"a\",\"country\":\"FR\"},"
		"{\"type\":\"registered\",\"city\":\"a\",\"country\":\"FR\"},"
		"{\"type\":\"registered\",\"city\":\"a\",\"country\":\"FR\"},"
		"{\"type\":\"registered\",\"city\":\"a\",\"country\":\"FR\"},"
		"{\"type\":\"registered\",\"city\":\"a\",\"country\":\"FR\"}]}";
	mlv_problems_init(&p);
	assert_int_equal(mlv_operator_decode(op, more, strlen(more), false, rd, &p), 0);
	const char *const expect2[][2] = {{"/kind", "duplicate_key"}, {"/name", "required"},
					  {"/country", "required"},   {"/aeo/valid_to", "range"},
					  {"/identifiers/1/value", "duplicate"},
					  {"/addresses", "too_many"}};
	for (size_t i = 0; i < MLV_ARRAY_LEN(expect2); i++)
		if (find_problem(&p, expect2[i][0], expect2[i][1]) == NULL) {
			dump_problems(&p);
			fail_msg("no %s at %s", expect2[i][1], expect2[i][0]);
		}
	mlv_problems_clear(&p);

	/* Not JSON, not an object, too deep: MLV_EINVALID with the reason. */
	static const char *const broken[][2] = {
		{"{\"kind\":", "syntax"},
		{"[1]", "type"},
		{"{\"identifiers\":[{\"type\":{\"a\":[1]}}]}", "too_deep"},
	};
	for (size_t i = 0; i < MLV_ARRAY_LEN(broken); i++) {
		mlv_problems_init(&p);
		assert_int_equal(mlv_operator_decode(op, broken[i][0], strlen(broken[i][0]), false, rd,
						     &p),
				 MLV_EINVALID);
		assert_non_null(find_problem(&p, "", broken[i][1]));
		mlv_problems_clear(&p);
	}
	free(op);
}

/* Merge patches: members given replace, arrays whole; null removes an
 * optional member and is refused for a required one. */
static void test_patch(void **state)
{
	(void)state;
	mlv_operator *op = calloc(1, sizeof(*op)), *old = calloc(1, sizeof(*old));
	decode_ok(op, full_json, false);
	*old = *op;
	decode_ok(op, "{\"name\":\"ExampleMarket Europe Ltd\",\"aeo\":null,"
		      "\"identifiers\":[{\"type\":\"eori\",\"value\":\"IE9999999X\"}],"
		      "\"contacts\":null}",
		  true);
	assert_string_equal(op->name, "ExampleMarket Europe Ltd");
	assert_false(op->aeo.present);
	assert_int_equal(op->nidents, 1);
	assert_int_equal(op->ncontacts, 0);
	assert_int_equal(op->naddresses, 1); /* not given: kept */
	assert_int_equal(op->kind, MLV_OP_PLATFORM);
	char names[160];
	unsigned bits = mlv_operator_diff(old, op, names, sizeof(names));
	assert_string_equal(names, "name,identifiers,contacts,aeo");
	assert_int_equal(bits, (1u << 1) | (1u << 4) | (1u << 5) | (1u << 7));
	/* the same patch again changes nothing */
	*old = *op;
	decode_ok(op, "{\"name\":\"ExampleMarket Europe Ltd\",\"filers\":[\"platform-a\"]}", true);
	assert_int_equal(mlv_operator_diff(old, op, names, sizeof(names)), 0);
	assert_string_equal(names, "");

	mlv_problems p;
	mlv_problems_init(&p);
	static const char nulls[] = "{\"name\":null,\"kind\":null,\"country\":null,\"version\":3}";
	assert_int_equal(mlv_operator_decode(op, nulls, strlen(nulls), true, rd, &p), 0);
	assert_non_null(find_problem(&p, "/name", "required"));
	assert_non_null(find_problem(&p, "/kind", "required"));
	assert_non_null(find_problem(&p, "/country", "required"));
	assert_non_null(find_problem(&p, "/version", "read_only"));
	mlv_problems_clear(&p);
	free(op);
	free(old);
}

static void test_mra_decode(void **state)
{
	(void)state;
	mlv_mra m;
	mlv_problems p;
	mlv_problems_init(&p);
	static const char ok[] = "{\"reference\":\"EU-JP MRA, Decision 1/2019 of the JCCC\","
				 "\"party_a\":\"EU\",\"party_b\":\"JP\",\"valid_from\":\"2019-02-01\"}";
	assert_int_equal(mlv_mra_decode(&m, ok, strlen(ok), false, rd, &p), 0);
	assert_int_equal(p.errors, 0);
	assert_int_equal(m.types, MLV_AEO_SAFE_TYPES); /* security AEOs unless it says */
	assert_int_equal(m.valid_to, MLV_OP_OPEN);
	/* patch: the end date and the types; the parties never change */
	static const char patch[] = "{\"valid_to\":\"2030-12-31\",\"aeo_types\":[\"full\"]}";
	assert_int_equal(mlv_mra_decode(&m, patch, strlen(patch), true, rd, &p), 0);
	assert_int_equal(p.errors, 0);
	assert_int_equal(m.valid_to, day_of("2030-12-31"));
	assert_int_equal(m.types, MLV_AEO_BIT(MLV_AEO_FULL));
	assert_string_equal(m.party_b, "JP");
	static const char parties[] = "{\"party_a\":\"FR\",\"in_force\":true,\"aeo_types\":[]}";
	assert_int_equal(mlv_mra_decode(&m, parties, strlen(parties), true, rd, &p), 0);
	assert_non_null(find_problem(&p, "/party_a", "read_only"));
	assert_non_null(find_problem(&p, "/in_force", "read_only"));
	assert_non_null(find_problem(&p, "/aeo_types", "too_few"));
	mlv_problems_clear(&p);
	static const char bad[] = "{\"reference\":\"x\",\"party_a\":\"CN\",\"party_b\":\"CN\","
				  "\"valid_from\":\"2020-01-01\",\"valid_to\":\"2019-01-01\","
				  "\"aeo_types\":[\"gold\"]}";
	assert_int_equal(mlv_mra_decode(&m, bad, strlen(bad), false, rd, &p), 0);
	assert_non_null(find_problem(&p, "/party_b", "range"));
	assert_non_null(find_problem(&p, "/valid_to", "range"));
	assert_non_null(find_problem(&p, "/aeo_types/0", "enum"));
	mlv_problems_clear(&p);
	/* the JSON answer says whether it is in force */
	mlv_buf b = MLV_BUF_INIT(1 << 16);
	m.id = 3;
	assert_int_equal(mlv_mra_write_json(&b, &m, day_of("2020-06-01")), 0);
	assert_non_null(strstr(b.data, "\"in_force\":false")); /* valid_to before valid_from */
	mlv_buf_free(&b);
}

/* ---- recognition ------------------------------------------------------------------------ */

static const mlv_aeo_union_member unions[] = {{"FR", "EU"}, {"DE", "EU"}, {"IE", "EU"}};

static mlv_op_aeo aeo_of(const char *country, unsigned type)
{
	mlv_op_aeo a;
	memset(&a, 0, sizeof(a));
	a.present = true;
	a.type = (uint8_t)type;
	snprintf(a.country, sizeof(a.country), "%s", country);
	snprintf(a.certificate, sizeof(a.certificate), "%sAEO0001", country);
	a.valid_from = day_of("2024-01-01");
	a.valid_to = MLV_OP_OPEN;
	return a;
}

static mlv_mra mra(int64_t id, const char *a, const char *b, const char *from, const char *to,
		   unsigned types)
{
	mlv_mra m;
	memset(&m, 0, sizeof(m));
	m.id = id;
	snprintf(m.reference, sizeof(m.reference), "MRA %s-%s", a, b);
	snprintf(m.party_a, sizeof(m.party_a), "%s", a);
	snprintf(m.party_b, sizeof(m.party_b), "%s", b);
	m.valid_from = day_of(from);
	m.valid_to = to ? day_of(to) : MLV_OP_OPEN;
	m.types = types;
	return m;
}

static void test_recognition(void **state)
{
	(void)state;
	mlv_aeo_context ctx = {"FR", unions, MLV_ARRAY_LEN(unions)};
	int32_t day = day_of("2026-06-01");
	mlv_aeo_recognition r;
	mlv_op_aeo fr = aeo_of("FR", MLV_AEO_FULL), de = aeo_of("DE", MLV_AEO_CUSTOMS),
		   cn = aeo_of("CN", MLV_AEO_SECURITY), jp = aeo_of("JP", MLV_AEO_CUSTOMS);

	mlv_aeo_recognise(&r, NULL, &ctx, NULL, 0, day);
	assert_false(r.holder);
	assert_false(r.recognised);
	assert_string_equal(r.reason, "not an AEO");

	mlv_aeo_recognise(&r, &fr, &ctx, NULL, 0, day);
	assert_true(r.recognised);
	assert_int_equal(r.basis, MLV_AEO_DOMESTIC);
	/* another member of the union: valid here too (UCC art. 38(4)) */
	mlv_aeo_recognise(&r, &de, &ctx, NULL, 0, day);
	assert_true(r.recognised);
	assert_int_equal(r.basis, MLV_AEO_UNION);
	assert_non_null(strstr(r.reason, "EU customs union"));
	/* a foreign AEO without an MRA: valid, not recognised */
	mlv_aeo_recognise(&r, &cn, &ctx, NULL, 0, day);
	assert_true(r.holder && r.valid);
	assert_false(r.recognised);
	assert_string_equal(r.reason, "no MRA with CN is in force on 2026-06-01");

	/* MRAs: the EU's covers France; one not yet in force, one ended; the
	 * lowest id of those in force wins */
	mlv_mra mras[] = {
		mra(5, "CN", "EU", "2027-01-01", NULL, MLV_AEO_SAFE_TYPES),	/* not yet */
		mra(2, "EU", "CN", "2020-01-01", "2025-12-31", MLV_AEO_SAFE_TYPES), /* ended */
		mra(9, "EU", "CN", "2026-01-01", NULL, MLV_AEO_SAFE_TYPES),
		mra(7, "CN", "FR", "2026-05-01", NULL, MLV_AEO_SAFE_TYPES),
		mra(4, "EU", "JP", "2019-02-01", NULL, MLV_AEO_SAFE_TYPES), /* security only */
	};
	mlv_aeo_recognise(&r, &cn, &ctx, mras, MLV_ARRAY_LEN(mras), day);
	assert_true(r.recognised);
	assert_int_equal(r.basis, MLV_AEO_MRA);
	assert_int_equal(r.mra_id, 7);
	mlv_aeo_recognise(&r, &cn, &ctx, mras, 3, day_of("2025-06-01"));
	assert_int_equal(r.mra_id, 2);
	mlv_aeo_recognise(&r, &cn, &ctx, mras, 2, day); /* only the ended and the future */
	assert_false(r.recognised);
	/* an MRA for security AEOs does not recognise a customs AEO */
	mlv_aeo_recognise(&r, &jp, &ctx, mras, MLV_ARRAY_LEN(mras), day);
	assert_false(r.recognised);
	assert_string_equal(r.reason, "MRA 4 with JP covers security, full AEOs, not customs ones");
	/* an AEO's own dates and suspension */
	mlv_op_aeo late = fr;
	late.valid_from = day_of("2026-07-01");
	mlv_aeo_recognise(&r, &late, &ctx, NULL, 0, day);
	assert_false(r.valid);
	assert_string_equal(r.reason, "the AEO authorisation is valid only from 2026-07-01");
	mlv_op_aeo old = fr;
	old.valid_to = day_of("2026-05-31");
	mlv_aeo_recognise(&r, &old, &ctx, NULL, 0, day);
	assert_string_equal(r.reason, "the AEO authorisation expired on 2026-05-31");
	old.valid_to = day; /* the last day is valid */
	mlv_aeo_recognise(&r, &old, &ctx, NULL, 0, day);
	assert_true(r.recognised);
	mlv_op_aeo susp = fr;
	susp.suspended = true;
	mlv_aeo_recognise(&r, &susp, &ctx, NULL, 0, day);
	assert_false(r.recognised);
	assert_true(r.holder);

	/* An administration outside the EU recognises an EU member's AEO
	 * through an MRA signed by the EU. */
	mlv_aeo_context jpctx = {"JP", unions, MLV_ARRAY_LEN(unions)};
	mlv_op_aeo de_full = aeo_of("DE", MLV_AEO_FULL);
	mlv_aeo_recognise(&r, &de_full, &jpctx, mras, MLV_ARRAY_LEN(mras), day);
	assert_true(r.recognised);
	assert_int_equal(r.mra_id, 4);

	/* The guarantee waiver: customs simplifications, at home or in the
	 * union; never through an MRA. */
	mlv_aeo_recognise(&r, &fr, &ctx, NULL, 0, day);
	assert_true(mlv_aeo_guarantee_waiver(&fr, &r));
	mlv_aeo_recognise(&r, &de, &ctx, NULL, 0, day);
	assert_true(mlv_aeo_guarantee_waiver(&de, &r));
	mlv_op_aeo fr_sec = aeo_of("FR", MLV_AEO_SECURITY);
	mlv_aeo_recognise(&r, &fr_sec, &ctx, NULL, 0, day);
	assert_false(mlv_aeo_guarantee_waiver(&fr_sec, &r));
	mlv_op_aeo cn_full = aeo_of("CN", MLV_AEO_FULL);
	mlv_aeo_recognise(&r, &cn_full, &ctx, mras, MLV_ARRAY_LEN(mras), day);
	assert_true(r.recognised);
	assert_false(mlv_aeo_guarantee_waiver(&cn_full, &r));
	mlv_aeo_recognise(&r, &susp, &ctx, NULL, 0, day);
	assert_false(mlv_aeo_guarantee_waiver(&susp, &r));
}

/* ---- the snapshot ---------------------------------------------------------------------------- */

static mlv_operators *snapshot(unsigned factor, bool with_mra)
{
	mlv_operators_opts o = MLV_OPERATORS_OPTS_INIT;
	o.ctx.unions = unions;
	o.ctx.nunions = MLV_ARRAY_LEN(unions);
	o.aeo_factor_percent = factor;
	mlv_operators *ops = NULL;
	assert_int_equal(mlv_operators_new(&ops, &o), 0);
	mlv_op_aeo fr = aeo_of("FR", MLV_AEO_FULL), cn = aeo_of("CN", MLV_AEO_SECURITY);
	/* 1: a French AEO platform acting through filer 10; 2: a Chinese AEO
	 * carrier through filer 20; 3: a seller without AEO through filer 30 */
	assert_int_equal(mlv_operators_add(ops, 1, MLV_OP_PLATFORM, &fr), 0);
	assert_int_equal(mlv_operators_add_ident(ops, 1, "ie 1234567x"), 0);
	assert_int_equal(mlv_operators_add_filer(ops, 1, 10), 0);
	assert_int_equal(mlv_operators_add(ops, 2, MLV_OP_POSTAL_OPERATOR, &cn), 0);
	assert_int_equal(mlv_operators_add_ident(ops, 2, "CNPOST"), 0);
	assert_int_equal(mlv_operators_add_filer(ops, 2, 20), 0);
	assert_int_equal(mlv_operators_add(ops, 3, MLV_OP_SELLER, NULL), 0);
	assert_int_equal(mlv_operators_add_filer(ops, 3, 30), 0);
	if (with_mra) {
		mlv_mra m = mra(1, "EU", "CN", "2020-01-01", NULL, MLV_AEO_SAFE_TYPES);
		assert_int_equal(mlv_operators_add_mra(ops, &m), 0);
	}
	assert_int_equal(mlv_operators_seal(ops), 0);
	return ops;
}

static void test_snapshot(void **state)
{
	(void)state;
	mlv_operators *ops = snapshot(50, false);
	assert_int_equal(mlv_operators_add(ops, 9, MLV_OP_SELLER, NULL), MLV_ECONFLICT);
	assert_int_equal(mlv_operators_count(ops), 3);
	assert_int_equal(mlv_operators_of_filer(ops, 10), 1);
	assert_int_equal(mlv_operators_of_filer(ops, 20), 2);
	assert_int_equal(mlv_operators_of_filer(ops, 11), 0);
	assert_int_equal(mlv_operators_find(ops, "IE1234567X"), 1);
	assert_int_equal(mlv_operators_find(ops, "ie-1234567-x"), 1);
	assert_int_equal(mlv_operators_find(ops, "IE1234567Y"), 0);
	assert_non_null(mlv_operators_aeo(ops, 1));
	assert_null(mlv_operators_aeo(ops, 3));

	int32_t day = day_of("2026-06-01");
	mlv_risk_aeo a;
	mlv_aeo_recognition rec;
	assert_true(mlv_operators_filer_aeo(ops, 10, day, &a, &rec));
	assert_true(a.recognised);
	assert_int_equal(a.factor_percent, 50);
	assert_string_equal(a.certificate, "FRAEO0001");
	assert_string_equal(a.basis, "domestic");
	assert_true(mlv_operators_filer_aeo(ops, 20, day, &a, &rec));
	assert_false(a.recognised); /* no MRA with CN in this snapshot */
	assert_string_equal(a.basis, "no MRA with CN is in force on 2026-06-01");
	assert_true(mlv_operators_filer_aeo(ops, 30, day, &a, NULL));
	assert_false(a.recognised);
	assert_string_equal(a.certificate, "");
	assert_false(mlv_operators_filer_aeo(ops, 99, day, &a, NULL));
	assert_false(mlv_operators_filer_aeo(NULL, 10, day, &a, NULL));

	/* The parties of a consignment that registered operators hold. */
	char *json = mutate(base_json, "/platform",
			    "{\"name\":\"ExampleMarket\",\"identifier\":\"ie-1234567x\","
			    "\"identifier_type\":\"vat\",\"country\":\"IE\"}",
			    NULL);
	mlv_arena *arena = mlv_arena_new(16384);
	mlv_consignment c;
	mlv_problems p;
	mlv_problems_init(&p);
	assert_int_equal(mlv_consignment_decode(&c, json, strlen(json), arena, rd, &p), 0);
	assert_int_equal(p.errors, 0);
	mlv_problems_clear(&p);
	char idents[4][MLV_OP_IDENT_MAX];
	uint8_t roles[4];
	size_t n = mlv_operators_parties(ops, &c, idents, roles, 4);
	assert_int_equal(n, 2);
	assert_string_equal(idents[0], "IE1234567X");
	assert_int_equal(roles[0], MLV_RISK_ROLE_PLATFORM);
	assert_string_equal(idents[1], "CNPOST");
	assert_int_equal(roles[1], MLV_RISK_ROLE_CARRIER);
	assert_int_equal(mlv_operators_parties(ops, &c, idents, roles, 1), 1);
	assert_int_equal(mlv_operators_parties(NULL, &c, idents, roles, 4), 0);
	mlv_arena_free(arena);
	cJSON_free(json);

	/* Shared by reference: the last release frees. */
	mlv_operators *again = mlv_operators_retain(ops);
	mlv_operators_release(ops);
	assert_int_equal(mlv_operators_of_filer(again, 10), 1);
	mlv_operators_release(again);
	mlv_operators_release(NULL);
}

/* ---- the AEO factor in the risk engine -------------------------------------------------------- */

static const char profile_text[] =
	"[profile]\nid = aeo-test\nversion = 1\ncurrency = EUR\nyellow = 30\nred = 60\n"
	"hold = 100\nrandom_percent = 0\nprohibited_lane = red\nrestricted_lane = hold\n"
	"[rule ELEC]\nversion = 1\nweight = 40\nhs = 8517\nexplain = electronics\n"
	"[rule WATCH]\nversion = 1\nweight = 10\nwatchlisted = carrier\n"
	"explain = the carrier is watched\n"
	"[rule FLOOR]\nversion = 1\nweight = 5\nhs = 3926\nlane = yellow\n"
	"explain = plastics always get a look\n";

static mlv_risk_profile *load_profile(void)
{
	mlv_risk_profile *p = NULL;
	char err[256];
	if (mlv_risk_profile_parse(&p, profile_text, strlen(profile_text), "aeo-test", rd, err,
				   sizeof(err)) != 0)
		fail_msg("profile: %s", err);
	return p;
}

static void assess_text(mlv_risk_assessment *a, const mlv_risk_profile *p, const char *json,
			const mlv_risk_input *in)
{
	mlv_arena *arena = mlv_arena_new(16384);
	mlv_consignment c;
	mlv_problems probs;
	mlv_problems_init(&probs);
	assert_int_equal(mlv_consignment_decode(&c, json, strlen(json), arena, rd, &probs), 0);
	if (probs.errors > 0) {
		dump_problems(&probs);
		fail_msg("the consignment does not decode");
	}
	mlv_problems_clear(&probs);
	assert_int_equal(mlv_risk_assess(a, p, &c, in, rd), 0);
	mlv_arena_free(arena);
}

static void test_risk_factor(void **state)
{
	(void)state;
	mlv_risk_profile *p = load_profile();
	mlv_risk_input in = MLV_RISK_INPUT_INIT;
	in.country = "FR";
	in.day = day_of("2026-04-18");
	in.filer = "filer:10";
	/* only the earphones: ELEC (40) hits, yellow */
	char *one = mutate(base_json, "/items/1", DEL, "/transaction/invoice_total", "\"30.00\"",
			   NULL);
	mlv_risk_assessment a;
	assess_text(&a, p, one, &in);
	assert_int_equal(a.score, 40);
	assert_int_equal(a.lane, MLV_RISK_YELLOW);
	assert_false(a.aeo);
	assert_string_equal(a.aeo_explanation, "");
	mlv_buf b = MLV_BUF_INIT(1 << 20);
	assert_int_equal(mlv_risk_assessment_write_json(&b, &a), 0);
	assert_null(strstr(b.data, "\"aeo\""));
	mlv_risk_assessment_clear(&a);

	/* the same consignment from a recognised AEO: 40 x 0.50 = 20, green */
	mlv_risk_aeo aeo = {true, 50, "filer", "full", "FR-AEOF-123", "FR", "domestic"};
	in.aeo = 1;
	in.aeo_status = &aeo;
	assess_text(&a, p, one, &in);
	assert_true(a.aeo);
	assert_true(a.aeo_applied);
	assert_int_equal(a.score_before_aeo, 40);
	assert_int_equal(a.score, 20);
	assert_int_equal(a.lane, MLV_RISK_GREEN);
	assert_string_equal(a.aeo_explanation,
			    "filer is AEO (full, FR-AEOF-123, issued by FR), recognised (domestic); "
			    "risk \u00d70.50: score 40 \u2192 20");
	mlv_buf_reset(&b);
	assert_int_equal(mlv_risk_assessment_write_json(&b, &a), 0);
	cJSON *j = cJSON_Parse(b.data);
	assert_non_null(j);
	cJSON *ja = cJSON_GetObjectItem(j, "aeo");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(ja, "applied")));
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(ja, "factor")), "0.50");
	assert_int_equal(cJSON_GetObjectItem(ja, "score_before")->valueint, 40);
	assert_int_equal(cJSON_GetObjectItem(j, "score")->valueint, 20);
	cJSON_Delete(j);
	mlv_risk_assessment_clear(&a);

	/* a foreign AEO that is not recognised: explained, no effect */
	mlv_risk_aeo foreign = {false, 50, "filer", "security", "CNAEO1", "CN",
				"no MRA with CN is in force on 2026-04-18"};
	in.aeo = 0;
	in.aeo_status = &foreign;
	assess_text(&a, p, one, &in);
	assert_false(a.aeo);
	assert_int_equal(a.score, 40);
	assert_int_equal(a.lane, MLV_RISK_YELLOW);
	assert_non_null(strstr(a.aeo_explanation, "not recognised: no MRA with CN"));
	mlv_risk_assessment_clear(&a);
	/* ... and once an MRA recognises it, the same effect as a domestic AEO */
	foreign.recognised = true;
	snprintf(foreign.basis, sizeof(foreign.basis), "MRA 1: EU-CN");
	in.aeo = 1;
	assess_text(&a, p, one, &in);
	assert_int_equal(a.score, 20);
	assert_int_equal(a.lane, MLV_RISK_GREEN);
	mlv_risk_assessment_clear(&a);

	/* A lane floor stays: the whole filing (ELEC 40 + FLOOR 5 with a yellow
	 * floor) goes down to 22, but never below yellow. */
	in.aeo_status = &aeo;
	assess_text(&a, p, base_json, &in);
	assert_int_equal(a.score_before_aeo, 45);
	assert_int_equal(a.score, 22);
	assert_int_equal(a.lane, MLV_RISK_YELLOW);
	mlv_risk_assessment_clear(&a);

	/* A watch-list hit is never softened. */
	mlv_risk_watchlist *wl = NULL;
	assert_int_equal(mlv_risk_watchlist_new(&wl), 0);
	mlv_risk_watch_entry e = {MLV_RISK_ROLE_CARRIER, "CNPOST", NULL, "test case", 0, 100000,
				  NULL};
	assert_int_equal(mlv_risk_watchlist_add(wl, &e), 0);
	in.watch = wl;
	assess_text(&a, p, one, &in);
	assert_true(a.aeo);
	assert_false(a.aeo_applied);
	assert_int_equal(a.score, 50);
	assert_int_equal(a.lane, MLV_RISK_YELLOW);
	assert_non_null(strstr(a.aeo_explanation, "a watch-list hit keeps the full score 50"));
	mlv_risk_assessment_clear(&a);
	in.watch = NULL;
	mlv_risk_watchlist_free(wl);

	/* A prohibited item is never green: France bans disposable vapes. */
	mlv_risk_goods *goods = NULL;
	char dir[512], err[256];
	snprintf(dir, sizeof(dir), "%s/risk/goods", MLV_DATADIR);
	if (mlv_risk_goods_load_dir(&goods, dir, rd, err, sizeof(err)) != 0)
		fail_msg("goods: %s", err);
	in.goods = goods;
	char *vape = mutate(one, "/items/0/hs_code", "\"854340\"", "/items/0/description",
			    "\"Disposable vape, 600 puffs\"", NULL);
	assess_text(&a, p, vape, &in);
	assert_true(a.prohibited);
	assert_false(a.aeo_applied);
	assert_true(a.lane >= MLV_RISK_RED);
	assert_non_null(strstr(a.aeo_explanation, "a prohibited-goods hit keeps the full score"));
	mlv_risk_assessment_clear(&a);
	mlv_risk_goods_free(goods);

	/* A factor of 100% changes nothing. */
	in.goods = NULL;
	aeo.factor_percent = 100;
	assess_text(&a, p, one, &in);
	assert_true(a.aeo);
	assert_false(a.aeo_applied);
	assert_int_equal(a.score, 40);
	mlv_risk_assessment_clear(&a);

	cJSON_free(vape);
	cJSON_free(one);
	mlv_buf_free(&b);
	mlv_risk_profile_free(p);
}

/* The filing path reads the filer's status from the snapshot: the same
 * text filed by a filer acting for a recognised AEO, by one acting for a
 * foreign AEO with and without the MRA, and by one that is no AEO. */
static void test_filing_with_snapshot(void **state)
{
	(void)state;
	mlv_risk_profile *p = load_profile();
	char *one = mutate(base_json, "/items/1", DEL, "/transaction/invoice_total", "\"30.00\"",
			   NULL);
	static const struct {
		int64_t filer;
		bool mra;
		int score;
		const char *lane;
	} cases[] = {
		{10, false, 20, "green"},  /* French AEO */
		{20, false, 40, "yellow"}, /* Chinese AEO, no MRA */
		{20, true, 20, "green"},   /* Chinese AEO under the EU-CN MRA */
		{30, true, 40, "yellow"},  /* a seller that is no AEO */
		{40, true, 40, "yellow"},  /* a filer acting for no registered operator */
	};
	for (size_t i = 0; i < MLV_ARRAY_LEN(cases); i++) {
		mlv_operators *ops = snapshot(50, cases[i].mra);
		mlv_validate_opts vo = MLV_VALIDATE_OPTS_INIT;
		vo.risk = p;
		vo.operators = ops;
		mlv_filing *f = mlv_filing_new();
		f->filer_id = cases[i].filer;
		f->received_ms = RECEIVED_MS;
		assert_int_equal(mlv_filing_prepare(f, one, strlen(one), rd, &vo), 0);
		assert_true(f->ok);
		if (f->risk_score != cases[i].score || strcmp(f->lane, cases[i].lane) != 0)
			fail_msg("case %zu: score %d lane %s: %s", i, f->risk_score, f->lane,
				 f->risk_json);
		/* the explanation names the AEO filers, recognised or not */
		assert_true((strstr(f->risk_json, "\"aeo\":{") != NULL) == (cases[i].filer <= 20));
		/* the carrier CNPOST is a registered operator: a party */
		assert_int_equal(f->party_count, 1);
		assert_string_equal(f->party_idents[0], "CNPOST");
		mlv_filing_free(f);
		mlv_operators_release(ops);
	}
	cJSON_free(one);
	mlv_risk_profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identifiers),
		cmocka_unit_test(test_decode_full),
		cmocka_unit_test(test_decode_errors),
		cmocka_unit_test(test_patch),
		cmocka_unit_test(test_mra_decode),
		cmocka_unit_test(test_recognition),
		cmocka_unit_test(test_snapshot),
		cmocka_unit_test(test_risk_factor),
		cmocka_unit_test(test_filing_with_snapshot),
	};
	return cmocka_run_group_tests(tests, refdata_group_setup, refdata_group_teardown);
}
