/* test_generate.c - the synthetic consignment generator.
 *
 * One corpus of 10,000 records with the default options is generated and
 * parsed once (group set-up); most tests measure it.  Check digits, the
 * required elements and the decimal rules are re-implemented here from
 * their specifications, not taken from generate.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlv/dataset.h"
#include "mlv/decimal.h"
#include "mlv/generate.h"
#include "mlv/refdata.h"

#ifndef MLV_DATADIR
#error "MLV_DATADIR must name the data directory"
#endif

#define CORPUS 10000
#define BUFSZ 8192

typedef struct corpus {
	mlv_refdata *rd;
	char *lines[CORPUS];
	cJSON *docs[CORPUS];
	mlv_anomaly labels[CORPUS];
} corpus;

/* ---- helpers ------------------------------------------------------------ */

static cJSON *jpath(const cJSON *o, const char *path)
{
	char key[64];
	const char *p = path;
	while (o != NULL && *p) {
		size_t n = strcspn(p, ".");
		assert_true(n < sizeof key);
		memcpy(key, p, n);
		key[n] = '\0';
		o = cJSON_GetObjectItemCaseSensitive(o, key);
		p += n;
		if (*p == '.')
			p++;
	}
	return (cJSON *)o;
}

static const char *jstr(const cJSON *o, const char *path)
{
	const cJSON *v = jpath(o, path);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* An amount with exactly two decimals, parsed exactly. */
static int64_t money(const char *s)
{
	assert_non_null(s);
	const char *dot = strchr(s, '.');
	assert_non_null(dot);
	assert_int_equal(strlen(dot), 3);
	int64_t v = -1;
	assert_int_equal(mlv_decimal_parse(s, strlen(s), 2, 0, &v), MLV_DEC_OK);
	return v;
}

static bool gtin_valid(const char *s)
{
	size_t n = strlen(s);
	if (n != 8 && n != 12 && n != 13 && n != 14)
		return false;
	unsigned sum = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		/* weights 3,1,3,... from the digit left of the check digit */
		size_t from_right = n - 1 - i;
		if (from_right > 0)
			sum += (unsigned)(s[i] - '0') * (from_right % 2 ? 3u : 1u);
	}
	return (unsigned)(s[n - 1] - '0') == (10 - sum % 10) % 10;
}

/* UPU S10: 2 letters, 8 digits, check digit, 2 letters. */
static bool s10_valid(const char *s)
{
	static const unsigned w[8] = {8, 6, 4, 2, 3, 5, 9, 7};
	if (strlen(s) != 13)
		return false;
	for (int i = 0; i < 13; i++) {
		bool letter = i < 2 || i > 10;
		if (letter ? (s[i] < 'A' || s[i] > 'Z') : (s[i] < '0' || s[i] > '9'))
			return false;
	}
	unsigned sum = 0;
	for (int i = 0; i < 8; i++)
		sum += w[i] * (unsigned)(s[2 + i] - '0');
	unsigned c = 11 - sum % 11;
	c = c == 10 ? 0 : c == 11 ? 5 : c;
	return (unsigned)(s[10] - '0') == c;
}

static bool code_format(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s; s++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./:", *s))
			return false;
	return true;
}

static bool phone_format(const char *s)
{
	size_t n = strlen(s);
	if (n < 8 || n > 16 || s[0] != '+')
		return false;
	for (size_t i = 1; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool email_format(const char *s)
{
	const char *at = strchr(s, '@');
	return at != NULL && at != s && strchr(at + 1, '@') == NULL && strchr(at + 1, '.') != NULL
	       && at[1] != '.' && s[strlen(s) - 1] != '.';
}

static bool is_goods(const cJSON *d)
{
	const char *c = jstr(d, "category");
	return c != NULL && strcmp(c, "documents") != 0;
}

/* Required elements per category, from the dataset table: how many the
 * record lacks. */
static int missing_required(const cJSON *d)
{
	static const char *const all[] = {"lrn", "declaration_type", "category", "channel",
		"transport.mode", "transport.tracking_number", "transport.carrier.name",
		"transport.departure_country", "transport.expected_arrival", "buyer.name",
		"buyer.address.street", "buyer.address.city", "buyer.address.postcode",
		"buyer.address.country"};
	static const char *const goods[] = {"business_model", "seller.name",
		"seller.address.street", "seller.address.city", "seller.address.postcode",
		"seller.address.country", "transaction.order_id", "transaction.currency",
		"transaction.invoice_total"};
	static const char *const lv_hv[] = {"transport.office_of_arrival",
		"transaction.order_date", "transaction.shipping_cost"};
	static const char *const hv[] = {"seller.identifier", "buyer.identifier",
		"transaction.incoterm", "transport.house_document", "gross_weight"};
	static const char *const item_goods[] = {"description", "quantity", "currency", "value"};
	static const char *const item_lv_hv[] = {"hs_code", "origin_country"};
	int missing = 0;
	const char *cat = jstr(d, "category");
	bool is_hv = cat && strcmp(cat, "high_value") == 0;
	for (size_t i = 0; i < MLV_ARRAY_LEN(all); i++)
		missing += jstr(d, all[i]) == NULL;
	if (!is_goods(d))
		return missing;
	for (size_t i = 0; i < MLV_ARRAY_LEN(goods); i++)
		missing += jstr(d, goods[i]) == NULL;
	for (size_t i = 0; i < MLV_ARRAY_LEN(lv_hv); i++)
		missing += jstr(d, lv_hv[i]) == NULL;
	if (is_hv)
		for (size_t i = 0; i < MLV_ARRAY_LEN(hv); i++)
			missing += jstr(d, hv[i]) == NULL;
	const cJSON *items = jpath(d, "items");
	if (cJSON_GetArraySize(items) < 1)
		return missing + 1;
	const cJSON *it;
	cJSON_ArrayForEach(it, items) {
		for (size_t i = 0; i < MLV_ARRAY_LEN(item_goods); i++)
			missing += jstr(it, item_goods[i]) == NULL;
		for (size_t i = 0; i < MLV_ARRAY_LEN(item_lv_hv); i++)
			missing += jstr(it, item_lv_hv[i]) == NULL;
		if (is_hv)
			missing += jstr(it, "net_weight") == NULL;
	}
	return missing;
}

/* Generates n records with opts into fresh strings. */
static void generate(const mlv_refdata *rd, const mlv_generate_opts *o, size_t n, char **lines,
		     mlv_anomaly *labels)
{
	mlv_generator *g = NULL;
	assert_int_equal(mlv_generator_new(&g, rd, o), 0);
	char *buf = malloc(BUFSZ);
	assert_non_null(buf);
	for (size_t i = 0; i < n; i++) {
		mlv_anomaly a = MLV_ANOM_NONE;
		int len = mlv_generator_next(g, buf, BUFSZ, &a);
		assert_true(len > 0);
		assert_int_equal((size_t)len, strlen(buf));
		lines[i] = strdup(buf);
		assert_non_null(lines[i]);
		if (labels)
			labels[i] = a;
	}
	free(buf);
	mlv_generator_free(g);
}

static void free_lines(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
}

static int group_setup(void **state)
{
	corpus *c = calloc(1, sizeof *c);
	if (c == NULL)
		return -1;
	char err[256];
	if (mlv_refdata_load(&c->rd, MLV_DATADIR, err, sizeof err) != 0) {
		print_error("refdata: %s\n", err);
		free(c);
		return -1;
	}
	mlv_generate_opts o = MLV_GENERATE_OPTS_INIT;
	generate(c->rd, &o, CORPUS, c->lines, c->labels);
	for (size_t i = 0; i < CORPUS; i++)
		c->docs[i] = cJSON_Parse(c->lines[i]); /* NULL checked by a test */
	*state = c;
	return 0;
}

static int group_teardown(void **state)
{
	corpus *c = *state;
	for (size_t i = 0; i < CORPUS; i++)
		cJSON_Delete(c->docs[i]);
	free_lines(c->lines, CORPUS);
	mlv_refdata_free(c->rd);
	free(c);
	return 0;
}

/* ---- determinism ---------------------------------------------------------- */

static void test_same_seed_same_bytes(void **state)
{
	corpus *c = *state;
	enum { N = 2000 };
	char **again = calloc(N, sizeof *again);
	mlv_anomaly *labels = calloc(N, sizeof *labels);
	assert_non_null(again);
	assert_non_null(labels);
	mlv_generate_opts o = MLV_GENERATE_OPTS_INIT;
	generate(c->rd, &o, N, again, labels);
	for (size_t i = 0; i < N; i++) {
		assert_string_equal(again[i], c->lines[i]);
		assert_int_equal(labels[i], c->labels[i]);
	}
	free_lines(again, N);
	free(again);
	free(labels);
}

static void test_other_seed_differs(void **state)
{
	corpus *c = *state;
	enum { N = 200 };
	char *lines[N];
	mlv_generate_opts o = MLV_GENERATE_OPTS_INIT;
	o.seed = 2;
	generate(c->rd, &o, N, lines, NULL);
	size_t same = 0;
	for (size_t i = 0; i < N; i++)
		same += strcmp(lines[i], c->lines[i]) == 0;
	assert_int_equal(same, 0);
	free_lines(lines, N);
}

/* ---- shape ---------------------------------------------------------------- */

static void test_every_line_parses(void **state)
{
	corpus *c = *state;
	size_t longest = 0;
	for (size_t i = 0; i < CORPUS; i++) {
		assert_non_null(c->docs[i]);
		assert_true(cJSON_IsObject(c->docs[i]));
		size_t n = strlen(c->lines[i]);
		longest = n > longest ? n : longest;
		for (size_t k = 0; k < n; k++)
			assert_true((unsigned char)c->lines[i][k] >= 0x20);
		/* an LRN that counts, and the fixed words */
		char want[40];
		snprintf(want, sizeof want, "GEN-%010zu", i + 1);
		assert_string_equal(jstr(c->docs[i], "lrn"), want);
		assert_string_equal(jstr(c->docs[i], "declaration_type"), "import");
		/* no {token} left unexpanded: a brace opens a member or closes empty */
		for (const char *p = strchr(c->lines[i], '{'); p; p = strchr(p + 1, '{'))
			assert_true(p[1] == '"' || p[1] == '}');
	}
	assert_true(longest < 8192); /* the header's promise */
}

static void test_formats(void **state)
{
	corpus *c = *state;
	static const char *const codes[] = {"lrn", "transport.tracking_number",
		"transport.office_of_arrival", "transport.master_document",
		"transport.house_document", "transaction.order_id", "seller.identifier",
		"buyer.identifier", "platform.identifier", "transaction.payment.transaction_id",
		"tax_collected.registration_number"};
	size_t phones = 0, emails = 0;
	for (size_t i = 0; i < CORPUS; i++) {
		const cJSON *d = c->docs[i];
		for (size_t k = 0; k < MLV_ARRAY_LEN(codes); k++) {
			const char *v = jstr(d, codes[k]);
			if (v != NULL) {
				assert_true(code_format(v));
				assert_true(strlen(v) <= 35);
			}
		}
		const char *pc = jstr(d, "buyer.address.postcode");
		if (pc)
			assert_true(strlen(pc) >= 1 && strlen(pc) <= 17);
		assert_string_equal(jstr(d, "buyer.address.country") ? jstr(d, "buyer.address.country") : "FR", "FR");
		static const char *const parties[] = {"buyer", "seller"};
		for (size_t k = 0; k < 2; k++) {
			char path[32];
			snprintf(path, sizeof path, "%s.phone", parties[k]);
			const char *v = jstr(d, path);
			if (v) {
				assert_true(phone_format(v));
				phones++;
			}
			snprintf(path, sizeof path, "%s.email", parties[k]);
			v = jstr(d, path);
			if (v) {
				assert_true(email_format(v));
				emails++;
			}
		}
		const char *reg = jstr(d, "tax_collected.registration_number");
		if (reg) {
			assert_int_equal(strlen(reg), 12);
			assert_memory_equal(reg, "IM", 2);
			assert_string_equal(jstr(d, "tax_collected.currency"), "EUR");
			assert_string_equal(jstr(d, "tax_collected.scheme"), "ioss");
		}
		const cJSON *it;
		cJSON_ArrayForEach(it, jpath(d, "items")) {
			const char *desc = jstr(it, "description");
			if (desc) {
				assert_true(strlen(desc) >= 3 && strlen(desc) <= 512);
				assert_null(strchr(desc, '{'));
			}
			const char *q = jstr(it, "quantity");
			if (q) {
				int64_t v;
				assert_int_equal(mlv_decimal_parse(q, strlen(q), 0, 0, &v), MLV_DEC_OK);
				assert_true(v >= 1 && v <= 5);
			}
			const char *nw = jstr(it, "net_weight");
			if (nw) {
				int64_t v;
				assert_int_equal(mlv_decimal_parse(nw, strlen(nw), 3, 0, &v), MLV_DEC_OK);
				assert_true(v > 0);
			}
		}
	}
	assert_true(phones > CORPUS / 4);
	assert_true(emails > CORPUS / 4);
}

static void test_dates(void **state)
{
	corpus *c = *state;
	for (size_t i = 0; i < CORPUS; i++) {
		const cJSON *d = c->docs[i];
		const char *od = jstr(d, "transaction.order_date");
		const char *ea = jstr(d, "transport.expected_arrival");
		if (od == NULL || ea == NULL)
			continue;
		int32_t oday, aday;
		assert_true(mlv_date_parse(od, strlen(od), &oday));
		/* YYYY-MM-DDTHH:MM:SSZ */
		assert_int_equal(strlen(ea), 20);
		assert_true(ea[10] == 'T' && ea[13] == ':' && ea[16] == ':' && ea[19] == 'Z');
		assert_true(mlv_date_parse(ea, 10, &aday));
		assert_true(aday - oday >= 1 && aday - oday <= 5);
		/* spread over the days from start_day */
		mlv_generate_opts o = MLV_GENERATE_OPTS_INIT;
		int32_t want = o.start_day + (int32_t)(i / MLV_GENERATE_PER_DAY);
		assert_true(oday == want || (c->labels[i] == MLV_ANOM_SPLIT && oday == want - 1));
	}
}

/* ---- distributions -------------------------------------------------------- */

static void test_origin_share(void **state)
{
	corpus *c = *state;
	size_t goods = 0, cn = 0, origins_seen = 0;
	char seen[32][3];
	for (size_t i = 0; i < CORPUS; i++) {
		const char *o = jstr(cJSON_GetArrayItem(jpath(c->docs[i], "items"), 0), "origin_country");
		if (o == NULL)
			continue;
		goods++;
		cn += strcmp(o, "CN") == 0;
		bool known = false;
		for (size_t k = 0; k < origins_seen; k++)
			known |= strcmp(seen[k], o) == 0;
		if (!known && origins_seen < 32)
			memcpy(seen[origins_seen++], o, 3);
		assert_string_not_equal(o, "FR"); /* never the destination */
	}
	assert_true(goods > CORPUS * 9 / 10);
	assert_true(cn * 100 >= goods * 50 && cn * 100 <= goods * 70);
	assert_true(origins_seen >= 8);
}

static size_t count_anomalies(const mlv_refdata *rd, unsigned permille, size_t n)
{
	mlv_generate_opts o = MLV_GENERATE_OPTS_INIT;
	o.anomaly_permille = permille;
	o.seed = 77;
	mlv_generator *g = NULL;
	assert_int_equal(mlv_generator_new(&g, rd, &o), 0);
	char *buf = malloc(BUFSZ);
	assert_non_null(buf);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		mlv_anomaly a = MLV_ANOM_NONE;
		assert_true(mlv_generator_next(g, buf, BUFSZ, &a) > 0);
		k += a != MLV_ANOM_NONE;
	}
	free(buf);
	mlv_generator_free(g);
	return k;
}

static void test_anomaly_share(void **state)
{
	corpus *c = *state;
	size_t by_kind[6] = {0};
	for (size_t i = 0; i < CORPUS; i++) {
		assert_true(c->labels[i] <= MLV_ANOM_MISDESCRIBED);
		by_kind[c->labels[i]]++;
	}
	size_t anomalies = CORPUS - by_kind[MLV_ANOM_NONE];
	/* default 50 per mille */
	assert_true(anomalies >= 400 && anomalies <= 600);
	for (int k = MLV_ANOM_UNDERVALUED; k <= MLV_ANOM_MISDESCRIBED; k++)
		assert_true(by_kind[k] >= 40); /* every kind present, none dominant */
	size_t high = count_anomalies(c->rd, 200, 5000);
	assert_true(high >= 800 && high <= 1200);
	assert_int_equal(count_anomalies(c->rd, 0, 3000), 0);
	assert_int_equal(count_anomalies(c->rd, 1000, 500), 500);
}

static void test_categories(void **state)
{
	corpus *c = *state;
	size_t hv = 0, docs = 0, eur_checked = 0;
	for (size_t i = 0; i < CORPUS; i++) {
		const cJSON *d = c->docs[i];
		const char *cat = jstr(d, "category");
		assert_non_null(cat);
		if (strcmp(cat, "documents") == 0) {
			docs++;
			assert_null(jpath(d, "items"));
			assert_null(jpath(d, "transaction"));
			assert_null(jpath(d, "seller"));
			assert_non_null(jpath(d, "transport"));
			assert_non_null(jpath(d, "buyer"));
			continue;
		}
		bool is_hv = strcmp(cat, "high_value") == 0;
		if (!is_hv)
			assert_string_equal(cat, "low_value_dutiable");
		hv += is_hv;
		const char *cur = jstr(d, "transaction.currency");
		const char *total = jstr(d, "transaction.invoice_total");
		if (cur == NULL || total == NULL || strcmp(cur, "EUR") != 0)
			continue;
		eur_checked++;
		if (is_hv)
			assert_true(money(total) > 15000);
		else
			assert_true(money(total) <= 15000);
	}
	assert_true(eur_checked > CORPUS / 2);
	assert_true(hv >= CORPUS * 5 / 100 && hv <= CORPUS * 12 / 100);
	assert_true(docs >= CORPUS * 3 / 1000 && docs <= CORPUS * 20 / 1000);
}

/* ---- arithmetic and check digits ------------------------------------------ */

static void test_invoice_total_is_sum(void **state)
{
	corpus *c = *state;
	size_t checked = 0, payments = 0;
	for (size_t i = 0; i < CORPUS; i++) {
		const cJSON *d = c->docs[i];
		if (c->labels[i] == MLV_ANOM_MISSING_DATA || !is_goods(d))
			continue;
		const char *cur = jstr(d, "transaction.currency");
		int64_t sum = 0;
		const cJSON *it;
		cJSON_ArrayForEach(it, jpath(d, "items")) {
			assert_string_equal(jstr(it, "currency"), cur);
			sum += money(jstr(it, "value"));
		}
		int64_t total = money(jstr(d, "transaction.invoice_total"));
		assert_int_equal(total, sum);
		assert_true(total > 0);
		int64_t ship = money(jstr(d, "transaction.shipping_cost"));
		const char *ins = jstr(d, "transaction.insurance_cost");
		int64_t insurance = ins ? money(ins) : 0;
		const char *paid = jstr(d, "transaction.payment.amount");
		if (paid) {
			assert_int_equal(money(paid), total + ship + insurance);
			assert_string_equal(jstr(d, "transaction.payment.currency"), cur);
			payments++;
		}
		const char *tax = jstr(d, "tax_collected.amount");
		if (tax)
			assert_true(money(tax) > 0 || total + ship < 10);
		checked++;
	}
	assert_true(checked > CORPUS * 9 / 10);
	assert_true(payments > checked / 2);
}

static void test_gtin_check_digits(void **state)
{
	corpus *c = *state;
	size_t n = 0;
	for (size_t i = 0; i < CORPUS; i++) {
		const cJSON *it;
		cJSON_ArrayForEach(it, jpath(c->docs[i], "items")) {
			const char *g = jstr(it, "gtin");
			if (g == NULL)
				continue;
			assert_true(gtin_valid(g));
			n++;
		}
	}
	assert_true(n > CORPUS / 10);
	/* and the checker itself rejects a wrong digit */
	assert_true(gtin_valid("4006381333931"));
	assert_false(gtin_valid("4006381333932"));
}

static void test_s10_check_digits(void **state)
{
	corpus *c = *state;
	size_t n = 0;
	for (size_t i = 0; i < CORPUS; i++) {
		const cJSON *d = c->docs[i];
		const char *ch = jstr(d, "channel");
		const char *t = jstr(d, "transport.tracking_number");
		if (ch == NULL || t == NULL || strcmp(ch, "post") != 0)
			continue;
		assert_true(s10_valid(t));
		/* the country of the posting operator closes the number */
		const char *dep = jstr(d, "transport.departure_country");
		if (dep)
			assert_memory_equal(t + 11, dep, 2);
		n++;
	}
	assert_true(n > CORPUS / 5);
	assert_true(s10_valid("LX123456785CN"));
	assert_false(s10_valid("LX123456784CN"));
}

static void test_hs_codes(void **state)
{
	corpus *c = *state;
	size_t items = 0, apparel = 0, electronics = 0;
	for (size_t i = 0; i < CORPUS; i++) {
		const cJSON *it;
		cJSON_ArrayForEach(it, jpath(c->docs[i], "items")) {
			const char *hs = jstr(it, "hs_code");
			if (hs == NULL)
				continue;
			assert_int_equal(strlen(hs), 6);
			assert_true(mlv_hs_exists(c->rd, hs, 6));
			items++;
			apparel += strncmp(hs, "61", 2) == 0 || strncmp(hs, "62", 2) == 0;
			electronics += strncmp(hs, "85", 2) == 0;
		}
	}
	assert_true(apparel * 100 > items * 15);
	assert_true(electronics * 100 > items * 10);
}

/* ---- anomalies -------------------------------------------------------------- */

static void test_missing_data_fails_requirements(void **state)
{
	corpus *c = *state;
	size_t missing = 0;
	for (size_t i = 0; i < CORPUS; i++) {
		int m = missing_required(c->docs[i]);
		if (c->labels[i] == MLV_ANOM_MISSING_DATA) {
			assert_true(m >= 1);
			missing++;
		} else {
			assert_int_equal(m, 0);
		}
	}
	assert_true(missing > 0);
}

static void test_split_orders(void **state)
{
	corpus *c = *state;
	size_t i = 0, runs = 0;
	while (i < CORPUS) {
		if (c->labels[i] != MLV_ANOM_SPLIT) {
			i++;
			continue;
		}
		/* a run: same buyer and order number stem, parts 1, 2, ... */
		const cJSON *first = c->docs[i];
		const char *oid = jstr(first, "transaction.order_id");
		const char *dash = strrchr(oid, '-');
		assert_non_null(dash);
		assert_string_equal(dash, "-1");
		size_t stem = (size_t)(dash - oid);
		size_t k = 0;
		while (i + k < CORPUS && c->labels[i + k] == MLV_ANOM_SPLIT) {
			const cJSON *d = c->docs[i + k];
			const char *o = jstr(d, "transaction.order_id");
			if (k > 0 && strncmp(o, oid, stem) != 0)
				break; /* the next run starts at once */
			char part[8];
			snprintf(part, sizeof part, "-%zu", k + 1);
			assert_string_equal(o + stem, part);
			assert_string_equal(jstr(d, "buyer.name"), jstr(first, "buyer.name"));
			assert_string_equal(jstr(d, "buyer.address.street"), jstr(first, "buyer.address.street"));
			assert_string_equal(jstr(d, "category"), "low_value_dutiable");
			int64_t total = money(jstr(d, "transaction.invoice_total"));
			if (strcmp(jstr(d, "transaction.currency"), "EUR") == 0)
				assert_true(total > 10000 && total <= 15000);
			k++;
		}
		assert_true(k >= 2 && k <= 4);
		runs++;
		i += k;
	}
	assert_true(runs > 5);
}

static void test_prohibited_goods(void **state)
{
	corpus *c = *state;
	static const char *const restricted[] = {"4202", "9102", "6404", "850760", "2404", "8211",
		"1209", "0602", "3004", "9601", "9304", "9013"};
	size_t n = 0;
	for (size_t i = 0; i < CORPUS; i++) {
		if (c->labels[i] != MLV_ANOM_PROHIBITED)
			continue;
		const char *hs = jstr(cJSON_GetArrayItem(jpath(c->docs[i], "items"), 0), "hs_code");
		assert_non_null(hs);
		bool hit = false;
		for (size_t k = 0; k < MLV_ARRAY_LEN(restricted); k++)
			hit |= strncmp(hs, restricted[k], strlen(restricted[k])) == 0;
		assert_true(hit);
		n++;
	}
	assert_true(n > 0);
}

static void test_undervalued_is_low_value(void **state)
{
	corpus *c = *state;
	for (size_t i = 0; i < CORPUS; i++)
		if (c->labels[i] == MLV_ANOM_UNDERVALUED || c->labels[i] == MLV_ANOM_SPLIT)
			assert_string_equal(jstr(c->docs[i], "category"), "low_value_dutiable");
}

/* ---- buffers and options ---------------------------------------------------- */

static void test_too_big(void **state)
{
	corpus *c = *state;
	mlv_generate_opts o = MLV_GENERATE_OPTS_INIT;
	mlv_generator *g = NULL;
	assert_int_equal(mlv_generator_new(&g, c->rd, &o), 0);
	char small[16];
	mlv_anomaly a = MLV_ANOM_NONE;
	assert_int_equal(mlv_generator_next(g, small, sizeof small, &a), MLV_ETOOBIG);
	assert_int_equal(mlv_generator_next(g, small, 0, &a), MLV_ETOOBIG);
	/* one byte short of the record and its NUL */
	size_t need = strlen(c->lines[0]) + 1;
	char *buf = malloc(BUFSZ);
	assert_non_null(buf);
	assert_int_equal(mlv_generator_next(g, buf, need - 1, &a), MLV_ETOOBIG);
	/* nothing was consumed: the record comes whole once it fits */
	assert_int_equal(mlv_generator_next(g, buf, need, &a), (int)need - 1);
	assert_string_equal(buf, c->lines[0]);
	assert_int_equal(mlv_generator_next(g, buf, BUFSZ, &a), (int)strlen(c->lines[1]));
	assert_string_equal(buf, c->lines[1]);
	free(buf);
	mlv_generator_free(g);
}

static void test_bad_options(void **state)
{
	corpus *c = *state;
	mlv_generator *g = (mlv_generator *)&g;
	mlv_generate_opts o = MLV_GENERATE_OPTS_INIT;
	o.destination = "ZZ";
	assert_int_equal(mlv_generator_new(&g, c->rd, &o), MLV_EINVALID);
	assert_null(g);
	o = (mlv_generate_opts)MLV_GENERATE_OPTS_INIT;
	o.lrn_prefix = "has space";
	assert_int_equal(mlv_generator_new(&g, c->rd, &o), MLV_EINVALID);
	o.lrn_prefix = "ABCDEFGHIJKLMNOPQRSTUVWXY"; /* 25: LRN would pass 35 */
	assert_int_equal(mlv_generator_new(&g, c->rd, &o), MLV_EINVALID);
	o = (mlv_generate_opts)MLV_GENERATE_OPTS_INIT;
	o.anomaly_permille = 1001;
	assert_int_equal(mlv_generator_new(&g, c->rd, &o), MLV_EINVALID);
	o = (mlv_generate_opts)MLV_GENERATE_OPTS_INIT;
	o.currency = "XXQ";
	assert_int_equal(mlv_generator_new(&g, c->rd, &o), MLV_EINVALID);
	/* NULL options are the defaults */
	assert_int_equal(mlv_generator_new(&g, c->rd, NULL), 0);
	char *buf = malloc(BUFSZ);
	assert_non_null(buf);
	assert_true(mlv_generator_next(g, buf, BUFSZ, NULL) > 0);
	assert_string_equal(buf, c->lines[0]);
	free(buf);
	mlv_generator_free(g);
	mlv_generator_free(NULL);
}

static void test_other_destination(void **state)
{
	corpus *c = *state;
	enum { N = 1000 };
	char *lines[N];
	mlv_generate_opts o = MLV_GENERATE_OPTS_INIT;
	o.destination = "DE";
	o.lrn_prefix = "ACME-2026";
	generate(c->rd, &o, N, lines, NULL);
	for (size_t i = 0; i < N; i++) {
		cJSON *d = cJSON_Parse(lines[i]);
		assert_non_null(d);
		assert_memory_equal(jstr(d, "lrn"), "ACME-2026-", 10);
		const char *cc = jstr(d, "buyer.address.country");
		if (cc)
			assert_string_equal(cc, "DE");
		const char *pc = jstr(d, "buyer.address.postcode");
		if (pc) {
			assert_int_equal(strlen(pc), 5);
			for (int k = 0; k < 5; k++)
				assert_true(pc[k] >= '0' && pc[k] <= '9');
		}
		cJSON_Delete(d);
	}
	free_lines(lines, N);

	/* outside the EU: no IOSS, and never an origin equal to the destination */
	o = (mlv_generate_opts)MLV_GENERATE_OPTS_INIT;
	o.destination = "GB";
	o.currency = "GBP";
	generate(c->rd, &o, N, lines, NULL);
	size_t gbp = 0, goods = 0;
	for (size_t i = 0; i < N; i++) {
		cJSON *d = cJSON_Parse(lines[i]);
		assert_non_null(d);
		assert_null(jpath(d, "tax_collected"));
		const char *cur = jstr(d, "transaction.currency");
		if (cur) {
			goods++;
			gbp += strcmp(cur, "GBP") == 0;
		}
		const cJSON *it;
		cJSON_ArrayForEach(it, jpath(d, "items")) {
			const char *oc = jstr(it, "origin_country");
			if (oc)
				assert_string_not_equal(oc, "GB");
		}
		cJSON_Delete(d);
	}
	assert_true(gbp * 2 > goods);
	free_lines(lines, N);
}

static void test_anomaly_names(void **state)
{
	(void)state;
	assert_string_equal(mlv_anomaly_name(MLV_ANOM_NONE), "none");
	assert_string_equal(mlv_anomaly_name(MLV_ANOM_UNDERVALUED), "undervalued");
	assert_string_equal(mlv_anomaly_name(MLV_ANOM_SPLIT), "split");
	assert_string_equal(mlv_anomaly_name(MLV_ANOM_PROHIBITED), "prohibited");
	assert_string_equal(mlv_anomaly_name(MLV_ANOM_MISSING_DATA), "missing_data");
	assert_string_equal(mlv_anomaly_name(MLV_ANOM_MISDESCRIBED), "misdescribed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_seed_same_bytes),
		cmocka_unit_test(test_other_seed_differs),
		cmocka_unit_test(test_every_line_parses),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_origin_share),
		cmocka_unit_test(test_anomaly_share),
		cmocka_unit_test(test_categories),
		cmocka_unit_test(test_invoice_total_is_sum),
		cmocka_unit_test(test_gtin_check_digits),
		cmocka_unit_test(test_s10_check_digits),
		cmocka_unit_test(test_hs_codes),
		cmocka_unit_test(test_missing_data_fails_requirements),
		cmocka_unit_test(test_split_orders),
		cmocka_unit_test(test_prohibited_goods),
		cmocka_unit_test(test_undervalued_is_low_value),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_other_destination),
		cmocka_unit_test(test_anomaly_names),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
