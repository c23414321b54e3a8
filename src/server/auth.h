/* auth.h - a small cache of recently checked API keys, so that a busy
 * filer's key costs one store look-up per `ttl` seconds instead of one per
 * request.  Only successful checks are cached (a wrong key always reaches
 * the store); a revoked or expired key stops working within `ttl`. */
#ifndef MLV_SERVER_AUTH_H
#define MLV_SERVER_AUTH_H

#include "mlv/common.h"

typedef struct mlv_auth mlv_auth;

int mlv_auth_new(mlv_auth **out, unsigned ttl_s);
void mlv_auth_free(mlv_auth *a);
/* 0 and the filer when the token was checked less than ttl ago (and has
 * not expired since); MLV_ENOTFOUND otherwise. */
int mlv_auth_lookup(mlv_auth *a, const char *token, int64_t now, int64_t *filer_id, char *name,
		    size_t name_size, char role[12]);
/* Forgets every remembered token: after a revocation, keys are checked
 * against the store again at once. */
void mlv_auth_forget_all(mlv_auth *a);
/* Remembers a token the store accepted. */
void mlv_auth_remember(mlv_auth *a, const char *token, int64_t now, int64_t filer_id,
		       const char *name, const char *role);

/* ---- limits ----------------------------------------------------------------------
 * Per-key request rate: a token bucket per filer of `rate` requests a
 * second with a burst of two seconds' worth (rate 0: no limit); people
 * signed in have one bucket each at the same rate.
 * Brute force: after `max_failures` failed authentications from one
 * client address within `window_s` seconds, that address is refused
 * until the window has passed. */
void mlv_auth_set_limits(mlv_auth *a, unsigned rate, unsigned max_failures, unsigned window_s,
			 unsigned public_rate);
/* 0 when the filer may make a request now, else the seconds to wait. */
int mlv_auth_rate(mlv_auth *a, int64_t filer_id, int64_t now_ms);
/* The same for a person signed in (a session), by user id: every session
 * of one person shares one bucket, apart from any filer's, at `rate`. */
int mlv_auth_rate_person(mlv_auth *a, int64_t user_id, int64_t now_ms);
/* The same for public endpoints, by client address (`public_rate`). */
int mlv_auth_rate_public(mlv_auth *a, const char *addr, int64_t now_ms);
/* Seconds an address must still wait, 0 when it is not locked out. */
int mlv_auth_locked(mlv_auth *a, const char *addr, int64_t now);
/* Counts a failed authentication from addr. */
void mlv_auth_failed(mlv_auth *a, const char *addr, int64_t now);

#endif
