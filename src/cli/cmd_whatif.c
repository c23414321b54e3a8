/* cmd_whatif.c - `mainlevee what-if`: the revenue effect of other de
 * minimis thresholds, recomputed over every stored consignment (review
 * proposal 24: threshold decisions on evidence). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "mlv/arena.h"
#include "mlv/codec.h"
#include "mlv/decimal.h"
#include "mlv/duty.h"
#include "mlv/filing.h"
#include "mlv/store.h"

static const char *duty_flag, *tax_flag, *date_flag;

const cli_flag whatif_flags[] = {
	{"duty-threshold", "AMOUNT", "duty de minimis to study, in the administration's currency",
	 &duty_flag, NULL},
	{"tax-threshold", "AMOUNT", "tax (VAT/GST) de minimis to study", &tax_flag, NULL},
	{"date", "YYYY-MM-DD", "assess every consignment under the rules of this day "
			       "(default: today)", &date_flag, NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

struct totals {
	uint64_t consignments, assessed, skipped, changed;
	int64_t duty, tax, at_sale, fees, border;
};

struct run {
	const mlv_refdata *rd;
	const mlv_profile *p;
	mlv_duty_opts base, what_if;
	struct totals now, then;
	mlv_arena *arena;
};

static void add(struct totals *t, const mlv_assessment *a)
{
	t->assessed++;
	t->duty += a->duty;
	t->tax += a->tax;
	t->at_sale += a->tax_at_sale;
	t->fees += a->fees;
	t->border += a->border_total;
}

static int one(void *ctx, int64_t id, const mlv_buf *text)
{
	(void)id;
	struct run *r = ctx;
	mlv_consignment c;
	mlv_problems probs;
	mlv_problems_init(&probs);
	mlv_arena_reset(r->arena);
	r->now.consignments++;
	r->then.consignments++;
	int rc = mlv_consignment_decode(&c, text->data, text->len, r->arena, r->rd, &probs);
	mlv_assessment *a = NULL, *b = NULL;
	if (rc == 0 && !mlv_problems_has_errors(&probs) && c.item_count > 0 &&
	    mlv_duty_assess_consignment(&a, r->p, &c, &r->base, NULL) == 0 &&
	    mlv_duty_assess_consignment(&b, r->p, &c, &r->what_if, NULL) == 0) {
		add(&r->now, a);
		add(&r->then, b);
		if (a->border_total != b->border_total || a->tax_at_sale != b->tax_at_sale)
			r->then.changed++;
	} else {
		r->now.skipped++;
		r->then.skipped++;
	}
	mlv_duty_free(a);
	mlv_duty_free(b);
	mlv_problems_clear(&probs);
	return rc == MLV_ENOMEM ? rc : 0;
}

static void money(char *out, size_t n, int64_t v, int mu)
{
	char d[32];
	mlv_decimal_format(v, mu, d, sizeof(d));
	snprintf(out, n, "%s", d);
}

int cmd_whatif(int argc, char **argv, const mlv_config *cfg)
{
	(void)argv;
	if (argc != 0 || (duty_flag == NULL && tax_flag == NULL)) {
		fprintf(stderr, "mainlevee what-if: give --duty-threshold and/or --tax-threshold "
				"(see --help)\n");
		return 2;
	}
	int status = 1;
	mlv_refdata *rd = NULL;
	mlv_profiles *ps = NULL;
	mlv_store *st = NULL;
	mlv_validate_opts vo;
	struct run r;
	memset(&r, 0, sizeof(r));
	if (cli_load_refdata(cfg, &rd) != 0 || cli_load_profiles(cfg, rd, &ps) != 0 ||
	    cli_validate_opts(cfg, rd, ps, &vo) != 0)
		goto cleanup;
	r.rd = rd;
	r.p = vo.profile;
	int32_t today = (int32_t)(time(NULL) / 86400);
	if (date_flag != NULL && !mlv_date_parse(date_flag, strlen(date_flag), &today)) {
		fprintf(stderr, "mainlevee what-if: --date must be YYYY-MM-DD\n");
		status = 2;
		goto cleanup;
	}
	const char *cur = mlv_profile_currency(r.p, today);
	int mu = mlv_currency_minor_units(rd, cur);
	mlv_duty_opts d = MLV_DUTY_OPTS_INIT;
	d.day = today;
	r.base = d;
	r.what_if = d;
	const char *flags[2] = {duty_flag, tax_flag};
	int64_t *dst[2] = {&r.what_if.what_if_duty_threshold, &r.what_if.what_if_tax_threshold};
	for (int i = 0; i < 2; i++) {
		if (flags[i] == NULL)
			continue;
		if (mlv_decimal_parse(flags[i], strlen(flags[i]), mu, 0, dst[i]) != MLV_DEC_OK) {
			fprintf(stderr, "mainlevee what-if: thresholds are amounts in %s such as "
					"150.00\n", cur);
			status = 2;
			goto cleanup;
		}
	}
	char err[512] = "";
	mlv_store_opts so = MLV_STORE_OPTS_INIT;
	so.path = cfg->db_path;
	so.read_only = true;
	if (mlv_store_open(&st, &so, err, sizeof(err)) != 0) {
		fprintf(stderr, "mainlevee what-if: cannot open %s: %s\n", cfg->db_path, err);
		goto cleanup;
	}
	r.arena = mlv_arena_new(1 << 16);
	if (r.arena == NULL || mlv_store_scan(st, one, &r) != 0) {
		fprintf(stderr, "mainlevee what-if: the store could not be read\n");
		goto cleanup;
	}
	char a[5][32], b[5][32], c[5][32];
	int64_t now_v[5] = {r.now.duty, r.now.tax, r.now.at_sale, r.now.fees, r.now.border};
	int64_t then_v[5] = {r.then.duty, r.then.tax, r.then.at_sale, r.then.fees, r.then.border};
	for (int i = 0; i < 5; i++) {
		money(a[i], sizeof(a[i]), now_v[i], mu);
		money(b[i], sizeof(b[i]), then_v[i], mu);
		money(c[i], sizeof(c[i]), then_v[i] - now_v[i], mu);
	}
	char day[11];
	mlv_date_format(today, day);
	printf("What-if for %s under the rules of %s: duty threshold %s, tax threshold %s %s\n",
	       cfg->country, day, duty_flag ? duty_flag : "(unchanged)",
	       tax_flag ? tax_flag : "(unchanged)", cur);
	printf("%llu consignments, %llu assessed, %llu not assessable (no goods or HS code), "
	       "%llu change\n\n",
	       (unsigned long long)r.now.consignments, (unsigned long long)r.now.assessed,
	       (unsigned long long)r.now.skipped, (unsigned long long)r.then.changed);
	printf("%-22s %18s %18s %18s\n", "", "current rules", "what-if", "difference");
	const char *names[5] = {"duty", "tax at the border", "tax at sale (schemes)", "fees",
				"collected at border"};
	for (int i = 0; i < 5; i++)
		printf("%-22s %18s %18s %18s\n", names[i], a[i], b[i], c[i]);
	status = 0;
cleanup:
	mlv_arena_free(r.arena);
	mlv_store_close(st);
	mlv_profiles_free(ps);
	mlv_refdata_free(rd);
	return status;
}
