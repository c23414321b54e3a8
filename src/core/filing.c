/* filing.c - the store-free half of taking a filing (filing.h). */
#include "mlv/filing.h"

#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mlv/codec.h"
#include "mlv/compress.h"
#include "mlv/duty.h"
#include "mlv/operators.h"
#include "mlv/risk.h"

const char *mlv_outcome_name(mlv_outcome o)
{
	switch (o) {
	case MLV_OUTCOME_CREATED:
		return "created";
	case MLV_OUTCOME_UNCHANGED:
		return "unchanged";
	case MLV_OUTCOME_AMENDED:
		return "amended";
	case MLV_OUTCOME_NONE:
		break;
	}
	return "rejected";
}

int64_t mlv_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

mlv_filing *mlv_filing_new(void)
{
	mlv_filing *f = calloc(1, sizeof(*f));
	if (f == NULL)
		return NULL;
	f->arena = mlv_arena_new(16384);
	if (f->arena == NULL) {
		free(f);
		return NULL;
	}
	mlv_problems_init(&f->problems);
	return f;
}

void mlv_filing_reset(mlv_filing *f)
{
	mlv_arena *a = f->arena;
	mlv_arena_reset(a);
	mlv_problems_clear(&f->problems);
	free(f->body);
	free(f->quality_json);
	free(f->assessment_json);
	free(f->assessment_z);
	free(f->risk_json);
	free(f->risk_z);
	memset(f, 0, sizeof(*f));
	f->arena = a;
	mlv_problems_init(&f->problems);
}

void mlv_filing_free(mlv_filing *f)
{
	if (f == NULL)
		return;
	mlv_problems_clear(&f->problems);
	free(f->body);
	free(f->quality_json);
	free(f->assessment_json);
	free(f->assessment_z);
	free(f->risk_json);
	free(f->risk_z);
	mlv_arena_free(f->arena);
	free(f);
}

int mlv_problems_to_json(const mlv_problems *p, mlv_buf *out)
{
	int rc = mlv_buf_addc(out, '[');
	for (size_t i = 0; rc == 0 && i < p->count; i++) {
		const mlv_problem *e = &p->items[i];
		if (i > 0)
			rc = mlv_buf_addc(out, ',');
		if (rc == 0)
			rc = mlv_buf_adds(out, "{\"pointer\":");
		if (rc == 0)
			rc = mlv_buf_add_json_string(out, e->pointer, strlen(e->pointer));
		if (rc == 0)
			rc = mlv_buf_printf(out, ",\"code\":\"%s\",\"severity\":\"%s\",\"message\":",
					    e->code, e->severity == MLV_SEV_ERROR ? "error" : "warning");
		if (rc == 0)
			rc = mlv_buf_add_json_string(out, e->message, strlen(e->message));
		if (rc == 0)
			rc = mlv_buf_addc(out, '}');
	}
	return rc ? rc : mlv_buf_addc(out, ']');
}

int mlv_filing_risk_member(mlv_buf *b, const mlv_filing *f)
{
	if (f->risk_json == NULL || strstr(f->risk_json, "\"hits\":[]") != NULL)
		return 0;
	return mlv_buf_printf(b, ",\"risk\":%s", f->risk_json);
}

int mlv_filing_result_json(mlv_buf *b, size_t line, const mlv_filing *f, int rc)
{
	int e = mlv_buf_printf(b, "{\"line\":%zu,", line);
	if (e == 0 && f->c.lrn != NULL) {
		e = mlv_buf_adds(b, "\"lrn\":");
		if (e == 0)
			e = mlv_buf_add_json_string(b, f->c.lrn, strlen(f->c.lrn));
		if (e == 0)
			e = mlv_buf_addc(b, ',');
	}
	if (e != 0)
		return e;
	if (f->ok && rc == 0 && f->lane[0] != '\0') {
		e = mlv_buf_printf(b, "\"outcome\":\"%s\",\"id\":%lld,\"version\":%d,"
				      "\"quality_score\":%d,\"lane\":\"%s\",\"risk_score\":%d",
				   mlv_outcome_name(f->outcome), (long long)f->id, f->version,
				   f->quality.score, f->lane, f->risk_score);
		if (e == 0)
			e = mlv_filing_risk_member(b, f);
		return e ? e : mlv_buf_adds(b, "}\n");
	}
	if (f->ok && rc == 0)
		return mlv_buf_printf(b, "\"outcome\":\"%s\",\"id\":%lld,\"version\":%d,"
					 "\"quality_score\":%d}\n",
				      mlv_outcome_name(f->outcome), (long long)f->id, f->version,
				      f->quality.score);
	if (f->ok && rc == MLV_ECONFLICT)
		return mlv_buf_printf(b, "\"outcome\":\"conflict\",\"detail\":\"the consignment "
					 "is %s: its data can no longer be amended\"}\n",
				      f->conflict_state);
	if (f->ok)
		return mlv_buf_printf(b, "\"outcome\":\"error\",\"detail\":\"%s\"}\n",
				      rc == MLV_EBUSY ? "server busy, retry the line"
						      : "store failure, retry the line");
	e = mlv_buf_adds(b, "\"outcome\":\"rejected\",\"errors\":");
	if (e == 0)
		e = mlv_problems_to_json(&f->problems, b);
	return e ? e : mlv_buf_adds(b, "}\n");
}

static int quality_json(mlv_filing *f)
{
	const mlv_quality *q = &f->quality;
	mlv_buf b = MLV_BUF_INIT(1 << 16);
	int rc = mlv_buf_printf(&b,
				"{\"score\":%d,\"completeness\":%d,\"consistency\":%d,"
				"\"timeliness\":%d,",
				q->score, q->completeness, q->consistency, q->timeliness);
	if (rc == 0 && q->lead_known)
		rc = mlv_buf_printf(&b, "\"lead_time_hours\":%lld,", (long long)q->lead_hours);
	if (rc == 0)
		rc = mlv_buf_adds(&b, "\"weak_elements\":[");
	for (size_t i = 0; rc == 0 && i < q->weak_count; i++) {
		if (i > 0)
			rc = mlv_buf_addc(&b, ',');
		if (rc == 0)
			rc = mlv_buf_add_json_string(&b, q->weak[i], strlen(q->weak[i]));
	}
	if (rc == 0)
		rc = mlv_buf_adds(&b, "],\"warnings\":");
	if (rc == 0)
		rc = mlv_problems_to_json(&f->problems, &b);
	if (rc == 0)
		rc = mlv_buf_addc(&b, '}');
	if (rc != 0) {
		mlv_buf_free(&b);
		return rc;
	}
	f->quality_json = mlv_buf_detach(&b, NULL);
	return f->quality_json ? 0 : MLV_ENOMEM;
}

/* Duties and taxes at the administration's profile, on the day of filing.
 * A consignment that cannot be assessed (documents, an item without an HS
 * code, no exchange rate) is still accepted: the answer says why. */
static int assess(mlv_filing *f, const mlv_validate_opts *o)
{
	mlv_buf b = MLV_BUF_INIT(1 << 20);
	mlv_problems why;
	mlv_problems_init(&why);
	mlv_assessment *a = NULL;
	int rc = 0;
	bool no_goods = f->c.item_count == 0;
	bool no_hs = false;
	for (size_t i = 0; i < f->c.item_count; i++)
		no_hs |= f->c.items[i].hs_code[0] == '\0';
	if (no_goods) {
		/* Documents: nothing to assess, nothing due. */
		rc = mlv_buf_adds(&b, "{\"status\":\"not_applicable\",\"reason\":\"no goods\"}");
		f->assessed = true;
		f->amount_due = 0;
		f->collection_model = MLV_MODEL_NONE;
	} else if (o->profile == NULL || no_hs) {
		rc = mlv_buf_printf(&b, "{\"status\":\"not_assessed\",\"reason\":\"%s\"}",
				    o->profile == NULL ? "no duty profile configured"
						       : "an item has no HS code");
	} else {
		mlv_duty_opts d = MLV_DUTY_OPTS_INIT;
		d.day = (int32_t)(o->now / 86400);
		int arc = mlv_duty_assess_consignment(&a, o->profile, &f->c, &d, &why);
		if (arc == MLV_ENOMEM) {
			rc = arc;
		} else if (arc != 0) {
			rc = mlv_buf_adds(&b, "{\"status\":\"not_assessed\",\"reason\":");
			const char *m = why.count ? why.items[0].message : mlv_strerror(arc);
			if (rc == 0)
				rc = mlv_buf_add_json_string(&b, m, strlen(m));
			if (rc == 0)
				rc = mlv_buf_addc(&b, '}');
		} else {
			rc = mlv_duty_write_json(&b, a);
			f->assessed = true;
			f->amount_due = a->border_total;
			f->duty = a->duty;
			f->tax = a->tax;
			f->collection_model = (int)a->model;
		}
	}
	if (rc == 0)
		f->assessment_json = mlv_buf_detach(&b, NULL);
	mlv_buf_free(&b);
	mlv_problems_clear(&why);
	mlv_duty_free(a);
	return rc == 0 && f->assessment_json == NULL ? MLV_ENOMEM : rc;
}

/* A pseudonym of the buyer: a keyed BLAKE2b of the folded name, postcode
 * and country.  It never leaves the store and is used for one thing: to
 * add up the values of consignments to the same buyer (split
 * consignments below de minimis).  Without the instance's secret it
 * cannot be linked back to a person. */
static void buyer_key(mlv_filing *f, const mlv_validate_opts *o)
{
	const mlv_party *b = &f->c.buyer;
	if (!b->present || b->name == NULL)
		return;
	crypto_generichash_state st;
	uint8_t key[16], h[16];
	memcpy(key, o->random_key, sizeof(key));
	crypto_generichash_init(&st, key, sizeof(key), sizeof(h));
	for (const char *p = b->name; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (isalnum(c))
			c = (unsigned char)tolower(c);
		else if (c < 0x80)
			continue; /* spaces and punctuation do not tell buyers apart */
		crypto_generichash_update(&st, &c, 1);
	}
	const char *pc = b->address.present && b->address.postcode ? b->address.postcode : "";
	crypto_generichash_update(&st, (const unsigned char *)"|", 1);
	crypto_generichash_update(&st, (const unsigned char *)pc, strlen(pc));
	crypto_generichash_update(&st, (const unsigned char *)b->address.country, 2);
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(f->buyer_key, sizeof(f->buyer_key), h, sizeof(h));
	sodium_memzero(key, sizeof(key));
}

/* The split check over the buyer's recent consignments (store history
 * through o->recent). */
static int split_check(mlv_filing *f, const mlv_validate_opts *o, mlv_risk_split *out,
		       bool *checked)
{
	*checked = false;
	/* Documents and goods of no value are never part of a split. */
	if (o->recent == NULL || o->split_window_s <= 0 || f->buyer_key[0] == '\0' ||
	    f->quality.goods_value <= 0)
		return 0;
	/* The newest parts are enough: a split of more than 32 parcels in the
	 * window is found on its first 32. */
	enum { MAX = 32 };
	int64_t values[MAX], times[MAX];
	size_t n = 0;
	int64_t since = f->received_ms - o->split_window_s * 1000;
	int rc = o->recent(o->recent_ctx, f->buyer_key, since, f->filer_id, f->c.lrn, values, times,
			   MAX, &n);
	if (rc != 0)
		return rc;
	mlv_risk_split_obs cur = {f->c.lrn, f->received_ms / 1000, f->quality.goods_value, NULL};
	mlv_risk_split_obs recent[MAX];
	for (size_t i = 0; i < n; i++)
		recent[i] = (mlv_risk_split_obs){"", times[i] / 1000, values[i], NULL};
	mlv_risk_split_opts so = MLV_RISK_SPLIT_OPTS_INIT;
	so.window_s = o->split_window_s;
	so.threshold = o->low_value_ceiling;
	rc = mlv_risk_split_check(out, &cur, recent, n, &so);
	*checked = rc == 0;
	return rc == MLV_ETOOBIG ? 0 : rc;
}

/* The risk engine's lane, score and explained hits (risk.h).  The
 * consumer is never a criterion: the engine refuses such rules. */
static int risk(mlv_filing *f, const mlv_validate_opts *o, const mlv_refdata *rd)
{
	buyer_key(f, o);
	if (o->risk == NULL)
		return 0;
	mlv_risk_split split;
	bool split_checked = false;
	int src = split_check(f, o, &split, &split_checked);
	if (src != 0)
		return src;
	char filer[32];
	snprintf(filer, sizeof(filer), "filer:%lld", (long long)f->filer_id);
	mlv_risk_input in = MLV_RISK_INPUT_INIT;
	in.filer = filer;
	in.country = o->country;
	in.day = (int32_t)(o->now / 86400);
	in.quality = f->quality.score;
	in.lead_known = f->quality.lead_known;
	in.lead_hours = f->quality.lead_hours;
	in.watch = o->watch;
	in.goods = o->goods;
	in.refvalues = o->refvalues;
	in.opscores = o->opscores;
	in.random_key[0] = o->random_key[0];
	in.random_key[1] = o->random_key[1];
	in.mismatch = f->mismatch;
	if (split_checked)
		in.split = &split;
	/* The filer's AEO status from the registry's snapshot (no store read). */
	mlv_risk_aeo aeo;
	if (mlv_operators_filer_aeo(o->operators, f->filer_id, in.day, &aeo, NULL)) {
		in.aeo = aeo.recognised ? 1 : 0;
		in.aeo_status = &aeo;
	}
	mlv_risk_assessment a;
	memset(&a, 0, sizeof(a));
	mlv_buf b = MLV_BUF_INIT(1 << 20);
	int rc = mlv_risk_assess(&a, o->risk, &f->c, &in, rd);
	if (rc == 0)
		rc = mlv_risk_assessment_write_json(&b, &a);
	if (rc == 0 && f->mismatch_json != NULL && b.len > 0 && b.data[b.len - 1] == '}') {
		b.len--; /* the object stays open for one more member */
		rc = mlv_buf_printf(&b, ",\"party_mismatch\":%s}", f->mismatch_json);
	}
	for (size_t i = 0; rc == 0 && i < a.hit_count; i++) {
		bool seen = false;
		for (size_t k = 0; k < f->hit_rule_count && !seen; k++)
			seen = strcmp(f->hit_rules[k], a.hits[i].rule_id) == 0;
		if (!seen && f->hit_rule_count < MLV_ARRAY_LEN(f->hit_rules))
			snprintf(f->hit_rules[f->hit_rule_count++], sizeof(f->hit_rules[0]), "%s",
				 a.hits[i].rule_id);
	}
	if (rc == 0) {
		f->risk_score = a.score;
		snprintf(f->lane, sizeof(f->lane), "%s", mlv_risk_lane_name(a.lane));
		f->risk_json = mlv_buf_detach(&b, NULL);
		rc = f->risk_json ? mlv_compress(f->assessment_dict, f->risk_json,
						 strlen(f->risk_json), &f->risk_z, &f->risk_z_len)
				  : MLV_ENOMEM;
	}
	mlv_buf_free(&b);
	mlv_risk_assessment_clear(&a);
	return rc;
}

int mlv_filing_prepare(mlv_filing *f, const char *buf, size_t len, const mlv_refdata *rd,
		       const mlv_validate_opts *vopts)
{
	mlv_validate_opts o = *vopts;
	if (f->received_ms == 0)
		f->received_ms = mlv_now_ms();
	o.now = f->received_ms / 1000;
	f->dict = mlv_refdata_zdict(rd);
	int rc = mlv_consignment_decode(&f->c, buf, len, f->arena, rd, &f->problems);
	f->prepare_rc = rc;
	if (rc == MLV_EINVALID)
		return 0;
	if (rc != 0)
		return rc;
	if (mlv_problems_has_errors(&f->problems))
		return 0;
	if ((rc = mlv_validate(&f->c, rd, &o, &f->problems, &f->quality)) != 0)
		return rc;
	if (mlv_problems_has_errors(&f->problems))
		return 0;

	mlv_buf canon = MLV_BUF_INIT(len * 2 + 4096);
	rc = mlv_consignment_encode(&f->c, rd, &canon);
	if (rc == 0)
		crypto_generichash(f->digest, sizeof(f->digest), (const unsigned char *)canon.data,
				   canon.len, NULL, 0);
	mlv_buf_free(&canon);
	if (rc == 0) {
		crypto_generichash(f->content_hash, sizeof(f->content_hash),
				   (const unsigned char *)buf, len, NULL, 0);
		rc = mlv_compress(f->dict, buf, len, &f->body, &f->body_len);
	}
	if (rc == 0)
		rc = quality_json(f);
	if (rc == 0)
		rc = assess(f, &o);
	if (rc == 0) {
		f->assessment_dict = mlv_refdata_zdict_assessments(rd);
		rc = mlv_compress(f->assessment_dict, f->assessment_json, strlen(f->assessment_json),
				  &f->assessment_z, &f->assessment_z_len);
	}
	if (rc == 0)
		rc = risk(f, &o, rd);
	if (rc == 0)
		f->party_count = mlv_operators_parties(o.operators, &f->c, f->party_idents,
						       f->party_roles, MLV_ARRAY_LEN(f->party_roles));
	if (rc == 0)
		f->ok = true;
	return rc;
}
