/* codec.h - strict JSON <-> mlv_consignment, driven by the dataset table.
 *
 * Decoding rejects what a lenient parser would let through: unknown
 * members (so a filer cannot set server-owned fields such as status or
 * duty), duplicate keys, numbers where decimal strings are expected,
 * values outside their bounds, and documents nested deeper than
 * MLV_MAX_DEPTH.  A JSON null counts as an absent member.  Every problem
 * is reported with a JSON Pointer, a stable code and a message.
 *
 * Encoding writes the canonical form: members in table order, absent ones
 * left out, decimals with exactly the currency's minor units.  Two filings
 * that mean the same encode to the same bytes, which is what idempotency
 * compares. */
#ifndef MLV_CODEC_H
#define MLV_CODEC_H

#include "mlv/arena.h"
#include "mlv/buf.h"
#include "mlv/dataset.h"
#include "mlv/problems.h"
#include "mlv/refdata.h"

/* Decodes buf[0..len) into *out, copying strings into `arena`.
 * Returns 0 when the text was a JSON object (field problems, if any, are
 * in `probs`), MLV_EINVALID when it is not JSON, not an object or too
 * deep (one problem says why), MLV_ENOMEM when memory ran out. */
int mlv_consignment_decode(mlv_consignment *out, const char *buf, size_t len,
			   mlv_arena *arena, const mlv_refdata *rd, mlv_problems *probs);

/* The same for one party's part of a multi-party filing (merge.h):
 * every check but the required elements, which only the merged
 * consignment must have.  An amount still needs its currency beside it. */
int mlv_consignment_decode_part(mlv_consignment *out, const char *buf, size_t len,
				mlv_arena *arena, const mlv_refdata *rd, mlv_problems *probs);

/* Appends the canonical JSON of c to out. */
int mlv_consignment_encode(const mlv_consignment *c, const mlv_refdata *rd, mlv_buf *out);

/* Depth of the deepest array or object nesting in buf (strings skipped);
 * stops counting past `limit` and returns limit + 1. */
int mlv_json_depth(const char *buf, size_t len, int limit);

/* NULL when s[0..n) has the string format fmt (dataset.h), else what is
 * wrong with it, in one sentence. */
const char *mlv_format_problem(mlv_fmt fmt, const char *s, size_t n);

/* True when s[0..n) is valid UTF-8 (no overlongs, no surrogates). */
bool mlv_utf8_valid(const char *s, size_t n);

/* Parses an RFC 3339 date-time with a 'Z' or +hh:mm offset to seconds
 * since the epoch; fractional seconds are accepted and dropped. */
bool mlv_datetime_parse(const char *s, size_t n, int64_t *out);
/* Formats seconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ". */
void mlv_datetime_format(int64_t t, char out[21]);

#endif
