/* risk_rules_fuzzer.c - fuzz target for the risk engine's text formats:
 * profiles, goods lists and watch lists (risk analysts send them through
 * the API, so they are untrusted).  The first byte picks the parser; a
 * profile or goods list that loads is then used to assess a fixed
 * consignment and write the assessment as JSON.  Any input must come back
 * as a status code, never a crash, leak or undefined behaviour.
 *
 * Profiles are also checked the way the API checks them (every problem
 * listed): the verdict and the first problem must be the parser's; and a
 * profile that loads must still load with a rule put in or taken out, and
 * must not differ from itself.
 *
 * With clang:  clang -fsanitize=fuzzer,address,undefined -DMLV_DATADIR=... \
 *                -Iinclude fuzz/risk_rules_fuzzer.c <library sources> ...
 * Without libFuzzer (gcc), link fuzz/replay.c: its main() replays
 * every file named on the command line (fuzz/corpora/risk_rules/). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mlv/codec.h"
#include "mlv/refdata.h"
#include "mlv/risk.h"

static mlv_refdata *rd;
static mlv_arena *arena;
static mlv_consignment consignment;

static const char fixture[] =
	"{\"lrn\":\"LRN-FUZZ-1\",\"declaration_type\":\"import\",\"category\":\"low_value_dutiable\","
	"\"business_model\":\"direct\",\"channel\":\"post\",\"transport\":{\"mode\":\"postal\","
	"\"tracking_number\":\"LX1\",\"carrier\":{\"name\":\"China Post\",\"identifier\":\"CNPOST\"},"
	"\"departure_country\":\"CN\",\"office_of_arrival\":\"FR000690\","
	"\"expected_arrival\":\"2024-03-25T08:30:00Z\"},\"seller\":{\"name\":\"Example Co., Ltd.\"},"
	"\"transaction\":{\"order_id\":\"O1\",\"order_date\":\"2024-03-15\",\"currency\":\"EUR\","
	"\"invoice_total\":\"42.00\"},\"tax_collected\":{\"scheme\":\"ioss\","
	"\"registration_number\":\"IM1\",\"currency\":\"EUR\",\"amount\":\"8.00\"},"
	"\"items\":[{\"description\":\"Batería de litio, ivory NIKE cat fur 电池\",\"hs_code\":"
	"\"850760\",\"quantity\":\"3\",\"net_weight\":\"0.300\",\"currency\":\"USD\",\"value\":"
	"\"20.00\",\"origin_country\":\"CN\",\"brand\":\"Nike\"},{\"description\":\"Phone case\","
	"\"hs_code\":\"392690\",\"quantity\":\"1\",\"currency\":\"EUR\",\"value\":\"22.00\","
	"\"origin_country\":\"HK\"}],\"documents\":[{\"type\":\"cites_permit\",\"reference\":\"P1\"}]}";

static const char default_profile[] =
	"[profile]\nid = f\ncurrency = EUR\nrandom_percent = 50\n"
	"[rule W]\nversion = 1\nweight = 40\nexplain = {word} {item} {hs} {value} {party}\n"
	"watchlisted = seller\n";

static int count_change(void *ctx, const mlv_risk_change *c)
{
	(void)c;
	(*(size_t *)ctx)++;
	return 0;
}

/* What PUT and POST /v1/rules do with a text, against the parser. */
static void edit_checks(const char *text, size_t len, int parse_rc, const char *parse_err,
			const mlv_risk_profile *prof)
{
	mlv_risk_text_problem probs[4];
	size_t n = 0;
	mlv_risk_profile *q = NULL;
	int rc = mlv_risk_profile_check(&q, text, len, "fuzz", rd, probs, 4, &n);
	if (rc == MLV_ENOMEM || parse_rc == MLV_ENOMEM)
		goto done;
	if ((rc == 0) != (parse_rc == 0) || (rc != 0 && (n == 0 || probs[0].code != parse_rc)))
		abort();
	if (rc != 0) {
		/* "fuzz:LINE: ..." names the same line as the first problem */
		char want[32];
		snprintf(want, sizeof(want), "fuzz:%zu: ", probs[0].line);
		if (probs[0].line > 0 && strncmp(parse_err, want, strlen(want)) != 0)
			abort();
		goto done;
	}
	size_t changes = 0;
	if (mlv_risk_profile_diff(prof, q, count_change, &changes) != 0 || changes != 0)
		abort();
	static const char section[] = "; put in\n[rule FZ-NEW]\nweight = 1\nexplain = {id}\n"
				      "origin = CN\n";
	mlv_risk_rule_edit e;
	char err[256];
	mlv_buf b = MLV_BUF_INIT((size_t)32 << 20);
	mlv_risk_profile *r = NULL;
	if (mlv_risk_profile_put_rule(&b, prof, section, strlen(section), true, &e, err,
				      sizeof(err)) == 0 &&
	    mlv_risk_profile_parse(&r, b.data, b.len, "put", rd, err, sizeof(err)) != 0)
		abort(); /* a valid rule put into a valid profile */
	mlv_risk_profile_free(r);
	r = NULL;
	mlv_risk_rule_info first;
	mlv_buf_reset(&b);
	if (mlv_risk_profile_rule(prof, 0, &first) == 0 &&
	    mlv_risk_profile_remove_rule(&b, prof, first.id) == 0 &&
	    mlv_risk_profile_parse(&r, b.data ? b.data : "", b.len, "removed", rd, err,
				   sizeof(err)) != 0)
		abort(); /* a valid profile without one of its rules */
	mlv_risk_profile_free(r);
	mlv_buf_reset(&b);
	if (mlv_risk_profile_write_json(&b, prof) != 0)
		abort();
	mlv_buf_free(&b);
done:
	mlv_risk_profile_free(q);
}

static void setup(void)
{
	char err[256];
	mlv_problems p;
	if (mlv_refdata_load(&rd, MLV_DATADIR, err, sizeof(err)) != 0)
		abort();
	arena = mlv_arena_new(16384);
	mlv_problems_init(&p);
	if (arena == NULL ||
	    mlv_consignment_decode(&consignment, fixture, strlen(fixture), arena, rd, &p) != 0)
		abort();
	mlv_problems_clear(&p);
}

static void assess(const mlv_risk_profile *prof, const mlv_risk_goods *goods,
		   const mlv_risk_watchlist *wl)
{
	mlv_risk_input in = MLV_RISK_INPUT_INIT;
	mlv_risk_assessment a;
	mlv_risk_split split = {true, 2, 20000, 0, 0, 15000, 3600};
	in.country = "FR";
	in.day = 19802;
	in.quality = 40;
	in.lead_known = true;
	in.lead_hours = 1;
	in.mismatch = MLV_RISK_MM_ALL;
	in.aeo = 0;
	in.operator_score = 50;
	in.split = &split;
	in.goods = goods;
	in.watch = wl;
	in.filer = "FILER";
	if (mlv_risk_assess(&a, prof, &consignment, &in, rd) == 0) {
		/* the lane never falls below what the prohibited hits demand */
		if (a.prohibited && a.lane < MLV_RISK_RED)
			abort();
		mlv_buf b = MLV_BUF_INIT(1 << 22);
		if (mlv_risk_assessment_write_json(&b, &a) != 0)
			abort();
		mlv_buf_free(&b);
	}
	mlv_risk_assessment_clear(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	if (rd == NULL)
		setup();
	if (size == 0)
		return 0;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	mlv_risk_profile *prof = NULL, *base = NULL;
	mlv_risk_goods *goods = NULL;
	mlv_risk_watchlist *wl = NULL;
	switch (data[0] % 3) {
	case 0: {
		int rc = mlv_risk_profile_parse(&prof, text, len, "fuzz", rd, err, sizeof(err));
		if (rc == 0)
			assess(prof, NULL, NULL);
		edit_checks(text, len, rc, err, prof);
		break;
	}
	case 1:
		if (mlv_risk_goods_new(&goods) != 0)
			break;
		if (mlv_risk_goods_add(goods, text, len, "fuzz", rd, err, sizeof(err)) == 0 &&
		    mlv_risk_goods_compile(goods) == 0 &&
		    mlv_risk_profile_parse(&base, default_profile, strlen(default_profile), "base",
					   rd, err, sizeof(err)) == 0)
			assess(base, goods, NULL);
		break;
	default:
		if (mlv_risk_watchlist_new(&wl) != 0)
			break;
		if (mlv_risk_watchlist_parse(wl, text, len, "fuzz", err, sizeof(err)) == 0 &&
		    mlv_risk_profile_parse(&base, default_profile, strlen(default_profile), "base",
					   rd, err, sizeof(err)) == 0)
			assess(base, NULL, wl);
		break;
	}
	mlv_risk_profile_free(prof);
	mlv_risk_profile_free(base);
	mlv_risk_goods_free(goods);
	mlv_risk_watchlist_free(wl);
	return 0;
}

void mlv_fuzz_cleanup(void)
{
	mlv_arena_free(arena);
	mlv_refdata_free(rd);
}
