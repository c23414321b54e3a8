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
		    size_t name_size);
/* Remembers a token the store accepted. */
void mlv_auth_remember(mlv_auth *a, const char *token, int64_t now, int64_t filer_id,
		       const char *name);

#endif
