/* refdata.h - reference data loaded once at start and then read-only:
 * the HS 2022 nomenclature, ISO 3166-1 countries, ISO 4217 currencies with
 * their minor units, and the ECB euro reference rates.
 *
 * Files live in one directory (the project's data/, see data/README.md):
 *   hs/hs2022.tsv          code, level (2/4/6), description
 *   hs/sections.tsv        section, name, first chapter, last chapter
 *   iso/countries.tsv      alpha2, alpha3, numeric, name, currency
 *   iso/currencies.tsv     code, numeric, minor units, name
 *   fx/eurofxref-hist.csv  the ECB's own history file, unchanged
 *   zstd/consignments.dict optional: the zstd dictionary for stored filings
 *   zstd/assessments.dict  optional: the same for stored assessments
 * Every look-up is safe from many threads at once once loaded. */
#ifndef MLV_REFDATA_H
#define MLV_REFDATA_H

#include "mlv/common.h"
#include "mlv/compress.h"

typedef struct mlv_refdata mlv_refdata;

/* Loads every file under `dir`.  On failure returns MLV_EIO or
 * MLV_EINVALID and writes a message naming the file and line to err. */
int mlv_refdata_load(mlv_refdata **out, const char *dir, char *err, size_t errlen);
void mlv_refdata_free(mlv_refdata *rd);

/* HS: `code` is 2, 4 or 6 digits (len says which); true when it is a
 * chapter, heading or subheading of HS 2022. */
bool mlv_hs_exists(const mlv_refdata *rd, const char *code, size_t len);
/* Description of a 2, 4 or 6 digit code, NULL when unknown. */
const char *mlv_hs_description(const mlv_refdata *rd, const char *code, size_t len);
/* The six-digit subheadings in ascending order, for generators. */
size_t mlv_hs6_count(const mlv_refdata *rd);
const char *mlv_hs6_at(const mlv_refdata *rd, size_t i);

/* Countries: ISO 3166-1 alpha-2, upper case. */
bool mlv_country_exists(const mlv_refdata *rd, const char *alpha2);
const char *mlv_country_name(const mlv_refdata *rd, const char *alpha2);
/* The country's currency (alphabetic code), "" when it has none. */
const char *mlv_country_currency(const mlv_refdata *rd, const char *alpha2);

/* Currencies: minor units (0..4) of an active ISO 4217 currency, or -1
 * when the code is unknown, withdrawn or has no minor unit (funds, XAU). */
int mlv_currency_minor_units(const mlv_refdata *rd, const char *code);

/* ECB reference rate of `currency` on `day` (days since 1970-01-01):
 * units of currency per 1 EUR, times 1,000,000.  Uses the last published
 * rate on or before `day` (no rates on weekends and TARGET holidays), and
 * writes the day of that rate to *rate_day when not NULL.  EUR is 1.
 * MLV_ENOTFOUND when the ECB publishes no rate for the currency at that
 * date (before its first rate, or after it was suspended). */
int mlv_fx_rate(const mlv_refdata *rd, const char *currency, int32_t day,
		int64_t *rate_micro, int32_t *rate_day);

/* Converts `amount` in minor units of `from` to minor units of `to` at
 * the rates of `day`, through the euro, rounding half away from zero. */
int mlv_fx_convert(const mlv_refdata *rd, int64_t amount, const char *from,
		   const char *to, int32_t day, int64_t *out);

/* The newest day with published rates, for "latest" quotes. */
int32_t mlv_fx_last_day(const mlv_refdata *rd);

/* The zstd dictionary for stored filings, NULL when none is shipped. */
const mlv_zdict *mlv_refdata_zdict(const mlv_refdata *rd);
/* The zstd dictionary for stored assessments (zstd/assessments.dict). */
const mlv_zdict *mlv_refdata_zdict_assessments(const mlv_refdata *rd);

/* Day number <-> "YYYY-MM-DD" (proleptic Gregorian, UTC). */
bool mlv_date_parse(const char *s, size_t len, int32_t *day);
void mlv_date_format(int32_t day, char out[11]);

#endif
