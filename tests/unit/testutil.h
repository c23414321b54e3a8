/* testutil.h - helpers shared by the cmocka unit tests (testutil.c is
 * compiled into every unit test executable by tests/meson.build).
 *
 *   rd, ps            the real reference data and country profiles of
 *                     MLV_DATADIR, loaded once per group by the group
 *                     set-ups below;
 *   refdata_group_setup / _teardown    load / free rd;
 *   profiles_group_setup / _teardown   load / free rd, then ps;
 *   base_json         a complete low_value_dutiable consignment;
 *   RECEIVED_MS       when base_json is taken as received;
 *   mutate(), DEL     variants of a JSON filing, member by member;
 *   day_of()          a YYYY-MM-DD date as days since the epoch;
 *   find_problem(), dump_problems()   look into an mlv_problems list.
 *
 * Helpers that check their input fail the running test (cmocka's
 * assert_*() / fail_msg()), so call them from within a test.
 *
 * MLV_DATADIR (a string, set by the build) names the project's data/. */
#ifndef MLV_TESTUTIL_H
#define MLV_TESTUTIL_H

#include <stdint.h>

#include "mlv/problems.h"
#include "mlv/profile.h"
#include "mlv/refdata.h"

#ifndef MLV_DATADIR
#error "MLV_DATADIR must name the data directory"
#endif

/* ---- reference data, loaded per group ---- */

/* The reference data of MLV_DATADIR: set by refdata_group_setup() and
 * profiles_group_setup(), NULL after their teardowns. */
extern mlv_refdata *rd;
/* The country profiles of MLV_DATADIR: set by profiles_group_setup(). */
extern mlv_profiles *ps;

/* cmocka group set-up: loads rd (0, or -1 with the reason on stderr). */
int refdata_group_setup(void **state);
/* cmocka group teardown: frees rd. */
int refdata_group_teardown(void **state);
/* cmocka group set-up: loads rd, then ps on it (0, or -1 with the reason
 * on stderr). */
int profiles_group_setup(void **state);
/* cmocka group teardown: frees ps, then rd. */
int profiles_group_teardown(void **state);

/* ---- the base filing ---- */

/* A realistic low_value_dutiable import by post: every element the
 * category requires (dataset.c), a few optional ones, nothing else.
 * Items 30.00 + 12.00 EUR = invoice 42.00 EUR, ordered 2026-04-13,
 * expected to arrive 2026-04-20T08:30:00Z. */
extern const char base_json[];

/* 2026-04-18T08:30:00Z, 48 hours before the base filing's arrival. */
#define RECEIVED_MS 1776501000000LL

/* ---- building variants ---- */

#include "mutate.h"

/* ---- dates ---- */

/* The day number (mlv_date_parse) of a YYYY-MM-DD date; fails the test
 * when it does not parse. */
int32_t day_of(const char *s);

/* ---- problems ---- */

/* The problem with exactly this JSON Pointer and code in `p`, or NULL. */
const mlv_problem *find_problem(const mlv_problems *p, const char *pointer, const char *code);
/* Writes every problem of `p` to stderr, one a line (to explain a failure). */
void dump_problems(const mlv_problems *p);

#endif
