/* test_merge.c - multi-party filing (merge.h): the parts of a platform, a
 * carrier and a payment provider merge into one consignment that passes
 * the strict decoder; the best-placed party's value is kept and the other
 * kept as a difference; the required elements are those the merged view
 * lacks, asked of the parties best placed; contradictions of value,
 * payment, quantity and description become risk criteria. */
#include "mlv/merge.h"

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
#include "testutil.h"

/* What each party knows of one parcel (tests/fixtures/consignment.json,
 * cut along who is best placed). */
static const char platform_json[] =
	"{\"lrn\":\"MP-ORDER-1\",\"declaration_type\":\"import\",\"category\":\"low_value_dutiable\","
	"\"business_model\":\"direct\","
	"\"seller\":{\"name\":\"Shenzhen Example Electronics Co.\",\"address\":{\"street\":\"88 Keji Road\","
	"\"city\":\"Shenzhen\",\"postcode\":\"518057\",\"country\":\"CN\"}},"
	"\"buyer\":{\"name\":\"Camille Martin\",\"address\":{\"street\":\"12 Rue de la Paix\","
	"\"city\":\"Lyon\",\"postcode\":\"69002\",\"country\":\"FR\"}},"
	"\"transport\":{\"mode\":\"road\"},"
	"\"transaction\":{\"order_id\":\"ORD-1\",\"order_date\":\"2026-04-10\",\"currency\":\"EUR\","
	"\"invoice_total\":\"42.00\",\"shipping_cost\":\"6.90\",\"payment\":{\"method\":\"card\"}},"
	"\"items\":[{\"description\":\"Wireless earphones with charging case\",\"hs_code\":\"851762\","
	"\"quantity\":\"1\",\"currency\":\"EUR\",\"value\":\"30.00\",\"origin_country\":\"CN\"},"
	"{\"description\":\"Silicone phone case\",\"hs_code\":\"392690\",\"quantity\":\"2\","
	"\"currency\":\"EUR\",\"value\":\"12.00\",\"origin_country\":\"CN\"}]}";

static const char carrier_json[] =
	"{\"lrn\":\"CARRIER-REF-9\",\"channel\":\"post\","
	"\"transport\":{\"mode\":\"air\",\"tracking_number\":\"LX123456785CN\","
	"\"carrier\":{\"name\":\"China Post\",\"identifier\":\"CNPOST\","
	"\"identifier_type\":\"postal_operator\",\"country\":\"CN\"},\"departure_country\":\"CN\","
	"\"office_of_arrival\":\"FR000690\",\"expected_arrival\":\"2026-04-20T08:30:00Z\"}}";

static const char psp_json[] =
	"{\"transaction\":{\"payment\":{\"method\":\"wallet\",\"provider\":\"ExamplePay\","
	"\"transaction_id\":\"PAY-1\",\"currency\":\"EUR\",\"amount\":\"48.90\"}}}";

typedef struct parts {
	mlv_arena *arena;
	mlv_consignment c[4];
	mlv_merge_part p[4];
	size_t n;
} parts;

static void add(parts *pp, mlv_party_role role, const char *json)
{
	mlv_problems probs;
	mlv_problems_init(&probs);
	size_t i = pp->n++;
	assert_int_equal(mlv_consignment_decode_part(&pp->c[i], json, strlen(json), pp->arena, rd,
						     &probs),
			 0);
	if (mlv_problems_has_errors(&probs))
		dump_problems(&probs);
	assert_false(mlv_problems_has_errors(&probs));
	mlv_problems_clear(&probs);
	pp->p[i] = (mlv_merge_part){role, &pp->c[i]};
}

static void init(parts *pp)
{
	memset(pp, 0, sizeof(*pp));
	pp->arena = mlv_arena_new(1 << 16);
	assert_non_null(pp->arena);
}

static const mlv_merge_diff *diff_at(const mlv_merge_result *r, const char *ptr)
{
	for (size_t i = 0; i < r->ndiffs; i++)
		if (strcmp(r->diffs[i].pointer, ptr) == 0)
			return &r->diffs[i];
	return NULL;
}

static const mlv_merge_missing *missing_at(const mlv_merge_result *r, const char *ptr)
{
	for (size_t i = 0; i < r->nmissing; i++)
		if (strcmp(r->missing[i].pointer, ptr) == 0)
			return &r->missing[i];
	return NULL;
}

static void test_roles(void **state)
{
	(void)state;
	for (int r = 1; r < MLV_ROLE_COUNT_; r++) {
		assert_int_equal(mlv_party_role_from_name(mlv_party_role_name((mlv_party_role)r)), r);
		assert_int_not_equal(mlv_party_role_bits((mlv_party_role)r), 0);
	}
	assert_int_equal(mlv_party_role_from_name("buyer"), 0);
	assert_int_equal(mlv_party_role_bits(MLV_ROLE_CARRIER),
			 MLV_PARTY_CARRIER | MLV_PARTY_POST);
}

/* Three parts, each incomplete alone, make one consignment the strict
 * decoder takes with every required element. */
static void test_three_parties_make_one(void **state)
{
	(void)state;
	parts pp;
	init(&pp);
	add(&pp, MLV_ROLE_PLATFORM, platform_json);
	add(&pp, MLV_ROLE_CARRIER, carrier_json);
	add(&pp, MLV_ROLE_PAYMENT, psp_json);
	mlv_consignment m;
	mlv_merge_result *res = calloc(1, sizeof(*res));
	assert_int_equal(mlv_merge(&m, res, pp.p, pp.n, rd, day_of("2026-04-18")), 0);
	assert_int_equal(res->nmissing, 0);
	assert_int_equal(res->lead, 0);
	assert_string_equal(m.lrn, "MP-ORDER-1"); /* the platform's, not the carrier's */
	assert_string_equal(m.transport.tracking_number, "LX123456785CN");
	assert_string_equal(m.transaction.payment.transaction_id, "PAY-1");
	assert_int_equal(m.item_count, 2);
	mlv_buf text = MLV_BUF_INIT(1 << 20);
	assert_int_equal(mlv_consignment_encode(&m, rd, &text), 0);
	mlv_consignment back;
	mlv_problems probs;
	mlv_problems_init(&probs);
	mlv_arena *a = mlv_arena_new(1 << 16);
	assert_int_equal(mlv_consignment_decode(&back, text.data, text.len, a, rd, &probs), 0);
	if (mlv_problems_has_errors(&probs))
		dump_problems(&probs);
	assert_false(mlv_problems_has_errors(&probs));
	/* consistent parties contradict nothing */
	assert_int_equal(res->mismatch.mask, 0);
	mlv_buf j = MLV_BUF_INIT(1 << 16);
	assert_int_equal(mlv_merge_mismatch_json(&j, res), 0);
	assert_int_equal(j.len, 0);
	mlv_buf_free(&j);
	mlv_problems_clear(&probs);
	mlv_arena_free(a);
	mlv_buf_free(&text);
	free(res);
	mlv_arena_free(pp.arena);
}

/* Both give the transport mode and the payment method: the carrier's mode
 * and the payment provider's method are kept, the platform's are
 * differences; an element both give the same way is no difference. */
static void test_best_placed_wins(void **state)
{
	(void)state;
	parts pp;
	init(&pp);
	add(&pp, MLV_ROLE_PLATFORM, platform_json);
	add(&pp, MLV_ROLE_CARRIER, carrier_json);
	add(&pp, MLV_ROLE_PAYMENT, psp_json);
	mlv_consignment m;
	mlv_merge_result *res = calloc(1, sizeof(*res));
	assert_int_equal(mlv_merge(&m, res, pp.p, pp.n, rd, day_of("2026-04-18")), 0);
	assert_string_equal(mlv_enum_name(mlv_schema_field(mlv_schema_field(&mlv_consignment_schema,
									       "transport")->sub,
							      "mode"),
					  m.transport.mode),
			    "air");
	const mlv_merge_diff *d = diff_at(res, "/transport/mode");
	assert_non_null(d);
	assert_int_equal(pp.p[d->kept].role, MLV_ROLE_CARRIER);
	assert_int_equal(pp.p[d->other].role, MLV_ROLE_PLATFORM);
	d = diff_at(res, "/transaction/payment/method");
	assert_non_null(d);
	assert_int_equal(pp.p[d->kept].role, MLV_ROLE_PAYMENT);
	assert_null(diff_at(res, "/lrn")); /* each filer's own reference */
	mlv_buf r = MLV_BUF_INIT(1 << 16);
	assert_int_equal(mlv_merge_report_json(&r, res, pp.p, pp.n), 0);
	cJSON *rep = cJSON_Parse(r.data);
	assert_non_null(rep);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(rep, "lead")), "platform");
	assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(rep, "differences")) >= 2);
	assert_null(strstr(r.data, "road")); /* roles and pointers, never values */
	cJSON_Delete(rep);
	mlv_buf_free(&r);
	free(res);
	mlv_arena_free(pp.arena);
}

/* The platform alone: what the merged view lacks is listed once, with the
 * parties best placed; nothing the platform gave is asked again. */
static void test_missing_asked_of_best_placed(void **state)
{
	(void)state;
	parts pp;
	init(&pp);
	add(&pp, MLV_ROLE_PLATFORM, platform_json);
	mlv_consignment m;
	mlv_merge_result *res = calloc(1, sizeof(*res));
	assert_int_equal(mlv_merge(&m, res, pp.p, pp.n, rd, day_of("2026-04-18")), 0);
	const mlv_merge_missing *ch = missing_at(res, "/channel");
	assert_non_null(ch);
	assert_true(mlv_merge_asks(ch, MLV_ROLE_CARRIER));
	assert_false(mlv_merge_asks(ch, MLV_ROLE_PLATFORM));
	assert_non_null(missing_at(res, "/transport/tracking_number"));
	assert_non_null(missing_at(res, "/transport/carrier"));
	assert_null(missing_at(res, "/transport/carrier/name")); /* inside an absent object */
	assert_null(missing_at(res, "/items"));
	assert_null(missing_at(res, "/transaction/invoice_total"));
	assert_null(missing_at(res, "/lrn"));
	mlv_buf j = MLV_BUF_INIT(1 << 16);
	assert_int_equal(mlv_merge_missing_json(&j, res), 0);
	cJSON *arr = cJSON_Parse(j.data);
	assert_true(cJSON_IsArray(arr));
	assert_int_equal((size_t)cJSON_GetArraySize(arr), res->nmissing);
	cJSON_Delete(arr);
	mlv_buf_free(&j);
	/* the carrier then gives what it was asked: nothing is missing */
	add(&pp, MLV_ROLE_CARRIER, carrier_json);
	assert_int_equal(mlv_merge(&m, res, pp.p, pp.n, rd, day_of("2026-04-18")), 0);
	assert_int_equal(res->nmissing, 0);
	free(res);
	mlv_arena_free(pp.arena);
}

/* The carrier's manifest declares other goods and another value, and the
 * payment provider another amount: value, payment, quantity and
 * description contradictions, each explained. */
static void test_contradictions(void **state)
{
	(void)state;
	parts pp;
	init(&pp);
	add(&pp, MLV_ROLE_PLATFORM, platform_json);
	add(&pp, MLV_ROLE_CARRIER,
	    "{\"channel\":\"post\",\"items\":[{\"description\":\"Gift: toy figure\","
	    "\"quantity\":\"1\",\"currency\":\"EUR\",\"value\":\"5.00\"}]}");
	add(&pp, MLV_ROLE_PAYMENT,
	    "{\"transaction\":{\"payment\":{\"currency\":\"EUR\",\"amount\":\"120.00\"}}}");
	mlv_consignment m;
	mlv_merge_result *res = calloc(1, sizeof(*res));
	assert_int_equal(mlv_merge(&m, res, pp.p, pp.n, rd, day_of("2026-04-18")), 0);
	unsigned mask = res->mismatch.mask;
	assert_true(mask & MLV_RISK_MM_VALUE);
	assert_true(mask & MLV_RISK_MM_PAYMENT);
	assert_true(mask & MLV_RISK_MM_QUANTITY);
	assert_true(mask & MLV_RISK_MM_DESCRIPTION);
	/* the platform's items are kept (best placed), the carrier's differ */
	assert_int_equal(m.item_count, 2);
	assert_non_null(diff_at(res, "/items"));
	mlv_buf j = MLV_BUF_INIT(1 << 16);
	assert_int_equal(mlv_merge_mismatch_json(&j, res), 0);
	cJSON *o = cJSON_Parse(j.data);
	assert_non_null(o);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(o, "hit")), "party-mismatch");
	assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(o, "kinds")) >= 4);
	assert_non_null(strstr(j.data, "carrier"));
	assert_non_null(strstr(j.data, "120.00"));
	cJSON_Delete(o);
	mlv_buf_free(&j);
	free(res);
	mlv_arena_free(pp.arena);
}

/* An amount is kept only with its currency: the broker's invoice in USD
 * does not replace the platform's EUR amount, and is a difference. */
static void test_money_keeps_its_currency(void **state)
{
	(void)state;
	parts pp;
	init(&pp);
	add(&pp, MLV_ROLE_PLATFORM, "{\"transaction\":{\"currency\":\"EUR\",\"invoice_total\":\"42.00\"}}");
	add(&pp, MLV_ROLE_SELLER, "{\"transaction\":{\"currency\":\"USD\",\"invoice_total\":\"45.00\"}}");
	mlv_consignment m;
	mlv_merge_result *res = calloc(1, sizeof(*res));
	assert_int_equal(mlv_merge(&m, res, pp.p, pp.n, rd, day_of("2026-04-18")), 0);
	assert_string_equal(m.transaction.currency, "EUR");
	assert_true(m.transaction.invoice_total.set);
	assert_int_equal(m.transaction.invoice_total.v, 4200);
	assert_non_null(diff_at(res, "/transaction/currency"));
	assert_non_null(diff_at(res, "/transaction/invoice_total"));
	free(res);
	mlv_arena_free(pp.arena);
}

static void test_bounds(void **state)
{
	(void)state;
	mlv_consignment m;
	mlv_merge_result *res = calloc(1, sizeof(*res));
	assert_int_equal(mlv_merge(&m, res, NULL, 0, rd, 0), MLV_EINVALID);
	mlv_consignment c;
	memset(&c, 0, sizeof(c));
	mlv_merge_part many[MLV_MERGE_MAX_PARTS + 1];
	for (size_t i = 0; i < MLV_ARRAY_LEN(many); i++)
		many[i] = (mlv_merge_part){MLV_ROLE_PLATFORM, &c};
	assert_int_equal(mlv_merge(&m, res, many, MLV_ARRAY_LEN(many), rd, 0), MLV_EINVALID);
	mlv_merge_part bad = {0, &c};
	assert_int_equal(mlv_merge(&m, res, &bad, 1, rd, 0), MLV_EINVALID);
	/* an empty part: everything required is missing, no lead */
	mlv_merge_part one = {MLV_ROLE_CARRIER, &c};
	assert_int_equal(mlv_merge(&m, res, &one, 1, rd, 0), 0);
	assert_int_equal(res->lead, -1);
	assert_non_null(missing_at(res, "/lrn"));
	free(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_three_parties_make_one),
		cmocka_unit_test(test_best_placed_wins),
		cmocka_unit_test(test_missing_asked_of_best_placed),
		cmocka_unit_test(test_contradictions),
		cmocka_unit_test(test_money_keeps_its_currency),
		cmocka_unit_test(test_bounds),
	};
	return cmocka_run_group_tests(tests, refdata_group_setup, refdata_group_teardown);
}
