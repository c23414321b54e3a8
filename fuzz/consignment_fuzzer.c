/* consignment_fuzzer.c - fuzz target for the whole filing preparation:
 * depth scan, JSON parse, table-driven decode, validation, canonical
 * encoding, digest and compression.  Any input must come back as a status
 * code, never a crash, leak or undefined behaviour.
 *
 * With clang:  clang -fsanitize=fuzzer,address,undefined -DMLV_DATADIR=... \
 *                -Iinclude fuzz/consignment_fuzzer.c <library sources> ...
 * Without libFuzzer (gcc), link fuzz/replay.c: its main() replays
 * every file named on the command line (the test suite replays
 * fuzz/corpora/consignment/ this way under ASan and UBSan). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "mlv/filing.h"
#include "mlv/profile.h"
#include "mlv/refdata.h"
#include "mlv/risk.h"

static mlv_refdata *rd;
static mlv_profiles *ps;
static mlv_risk_profile *risk;
static mlv_risk_goods *goods;

/* The whole path a server runs: duties and taxes at FR, and risk. */
static void load(void)
{
	char err[512], path[512];
	if (mlv_refdata_load(&rd, MLV_DATADIR, err, sizeof(err)) != 0 ||
	    mlv_profiles_load(&ps, MLV_DATADIR, rd, err, sizeof(err)) != 0)
		abort();
	snprintf(path, sizeof(path), "%s/risk/profile-default.ini", MLV_DATADIR);
	if (mlv_risk_profile_load(&risk, path, rd, err, sizeof(err)) != 0)
		abort();
	snprintf(path, sizeof(path), "%s/risk/goods", MLV_DATADIR);
	if (mlv_risk_goods_load_dir(&goods, path, rd, err, sizeof(err)) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (rd == NULL)
		load();
	mlv_filing *f = mlv_filing_new();
	if (f == NULL)
		return 0;
	mlv_validate_opts o = MLV_VALIDATE_OPTS_INIT;
	o.profile = mlv_profiles_get(ps, "FR");
	o.risk = risk;
	o.goods = goods;
	f->received_ms = 1776000000000LL;
	int rc = mlv_filing_prepare(f, (const char *)data, size, rd, &o);
	/* A prepared filing is either fully ok or carries an error. */
	if (rc == 0 && !f->ok && f->problems.errors == 0)
		abort();
	mlv_buf b = MLV_BUF_INIT(1 << 22);
	mlv_filing_result_json(&b, 1, f, 0);
	mlv_buf_free(&b);
	mlv_filing_free(f);
	return 0;
}

void mlv_fuzz_cleanup(void)
{
	mlv_risk_profile_free(risk);
	mlv_risk_goods_free(goods);
	mlv_profiles_free(ps);
	mlv_refdata_free(rd);
}
