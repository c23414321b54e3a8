/* auth.c - cache of checked API keys (auth.h).  Tokens are never kept:
 * entries hold a BLAKE2b hash of the token. */
#include "auth.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 1024

struct entry {
	unsigned char hash[32];
	int64_t filer_id;
	int64_t checked_at;
	char name[64];
	bool used;
};

struct mlv_auth {
	pthread_mutex_t lock;
	unsigned ttl;
	struct entry slots[SLOTS];
};

int mlv_auth_new(mlv_auth **out, unsigned ttl_s)
{
	mlv_auth *a = calloc(1, sizeof(*a));
	if (a == NULL)
		return MLV_ENOMEM;
	pthread_mutex_init(&a->lock, NULL);
	a->ttl = ttl_s;
	*out = a;
	return 0;
}

void mlv_auth_free(mlv_auth *a)
{
	if (a == NULL)
		return;
	pthread_mutex_destroy(&a->lock);
	sodium_memzero(a, sizeof(*a));
	free(a);
}

static size_t slot_of(const unsigned char hash[32])
{
	uint64_t v;
	memcpy(&v, hash, sizeof(v));
	return (size_t)(v % SLOTS);
}

int mlv_auth_lookup(mlv_auth *a, const char *token, int64_t now, int64_t *filer_id, char *name,
		    size_t name_size)
{
	unsigned char h[32];
	if (a->ttl == 0)
		return MLV_ENOTFOUND;
	crypto_generichash(h, sizeof(h), (const unsigned char *)token, strnlen(token, 256), NULL, 0);
	int rc = MLV_ENOTFOUND;
	pthread_mutex_lock(&a->lock);
	struct entry *e = &a->slots[slot_of(h)];
	if (e->used && sodium_memcmp(e->hash, h, sizeof(h)) == 0 && now - e->checked_at < a->ttl) {
		*filer_id = e->filer_id;
		snprintf(name, name_size, "%s", e->name);
		rc = 0;
	}
	pthread_mutex_unlock(&a->lock);
	return rc;
}

void mlv_auth_remember(mlv_auth *a, const char *token, int64_t now, int64_t filer_id,
		       const char *name)
{
	unsigned char h[32];
	if (a->ttl == 0)
		return;
	crypto_generichash(h, sizeof(h), (const unsigned char *)token, strnlen(token, 256), NULL, 0);
	pthread_mutex_lock(&a->lock);
	struct entry *e = &a->slots[slot_of(h)];
	memcpy(e->hash, h, sizeof(h));
	e->filer_id = filer_id;
	e->checked_at = now;
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->used = true;
	pthread_mutex_unlock(&a->lock);
}
