/* auth.c - cache of checked API keys (auth.h).  Tokens are never kept:
 * entries hold a BLAKE2b hash of the token. */
#include "auth.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 1024
#define RATE_SLOTS 4096
#define FAIL_SLOTS 4096

/* Whose bucket it is: ids of filers, people and hashed addresses are
 * separate spaces, so filer 3 and person 3 never share a bucket. */
enum bucket_kind { B_FILER = 1, B_PERSON, B_ADDRESS };

/* One token bucket, in thousandths of a request. */
struct bucket {
	int64_t key;
	int kind;
	int64_t tokens;
	int64_t at_ms;
};

/* Failed authentications from one address in the current window. */
struct failures {
	uint64_t addr_hash;
	unsigned count;
	int64_t window_start;
};

struct entry {
	unsigned char hash[32];
	int64_t filer_id;
	int64_t checked_at;
	char name[64];
	char role[12];
	bool used;
};

struct mlv_auth {
	pthread_mutex_t lock;
	unsigned ttl;
	struct entry slots[SLOTS];
	unsigned rate, max_failures, window_s, public_rate;
	struct bucket buckets[RATE_SLOTS];
	struct failures fails[FAIL_SLOTS];
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
		    size_t name_size, char role[12])
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
		memcpy(role, e->role, sizeof(e->role));
		rc = 0;
	}
	pthread_mutex_unlock(&a->lock);
	return rc;
}

void mlv_auth_remember(mlv_auth *a, const char *token, int64_t now, int64_t filer_id,
		       const char *name, const char *role)
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
	snprintf(e->role, sizeof(e->role), "%s", role);
	e->used = true;
	pthread_mutex_unlock(&a->lock);
}

void mlv_auth_forget_all(mlv_auth *a)
{
	pthread_mutex_lock(&a->lock);
	for (size_t i = 0; i < SLOTS; i++) {
		sodium_memzero(&a->slots[i], sizeof(a->slots[i]));
		a->slots[i].used = false;
	}
	pthread_mutex_unlock(&a->lock);
}

/* ---- limits ---------------------------------------------------------------------- */

void mlv_auth_set_limits(mlv_auth *a, unsigned rate, unsigned max_failures, unsigned window_s,
			 unsigned public_rate)
{
	pthread_mutex_lock(&a->lock);
	a->public_rate = public_rate;
	a->rate = rate;
	a->max_failures = max_failures;
	a->window_s = window_s;
	pthread_mutex_unlock(&a->lock);
}

static uint64_t addr_hash(const char *addr);

/* Token bucket of (kind, key) at `rate` requests a second. */
static int take(mlv_auth *a, int kind, int64_t key, unsigned rate, int64_t now_ms)
{
	if (rate == 0)
		return 0;
	int wait = 0;
	int64_t cap = (int64_t)rate * 2000; /* two seconds of requests, in 1/1000 */
	uint64_t slot = ((uint64_t)key * 3 + (uint64_t)kind) % RATE_SLOTS;
	pthread_mutex_lock(&a->lock);
	struct bucket *b = &a->buckets[slot];
	if (b->key != key || b->kind != kind) {
		/* A newcomer in this slot starts with a full bucket. */
		b->key = key;
		b->kind = kind;
		b->tokens = cap;
		b->at_ms = now_ms;
	}
	int64_t elapsed = now_ms - b->at_ms;
	if (elapsed > 0) {
		b->tokens += elapsed * (int64_t)rate;
		if (b->tokens > cap)
			b->tokens = cap;
		b->at_ms = now_ms;
	}
	if (b->tokens >= 1000) {
		b->tokens -= 1000;
	} else {
		int64_t ms = (1000 - b->tokens + rate - 1) / rate;
		wait = (int)((ms + 999) / 1000);
		if (wait < 1)
			wait = 1;
	}
	pthread_mutex_unlock(&a->lock);
	return wait;
}

int mlv_auth_rate(mlv_auth *a, int64_t filer_id, int64_t now_ms)
{
	return take(a, B_FILER, filer_id, a->rate, now_ms);
}

int mlv_auth_rate_person(mlv_auth *a, int64_t user_id, int64_t now_ms)
{
	return take(a, B_PERSON, user_id, a->rate, now_ms);
}

int mlv_auth_rate_public(mlv_auth *a, const char *addr, int64_t now_ms)
{
	return take(a, B_ADDRESS, (int64_t)(addr_hash(addr) >> 2), a->public_rate, now_ms);
}

static uint64_t addr_hash(const char *addr)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (const char *p = addr; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h ? h : 1;
}

int mlv_auth_locked(mlv_auth *a, const char *addr, int64_t now)
{
	if (a->max_failures == 0)
		return 0;
	uint64_t h = addr_hash(addr);
	int wait = 0;
	pthread_mutex_lock(&a->lock);
	struct failures *f = &a->fails[h % FAIL_SLOTS];
	if (f->addr_hash == h && f->count >= a->max_failures &&
	    now - f->window_start < (int64_t)a->window_s)
		wait = (int)(f->window_start + a->window_s - now);
	pthread_mutex_unlock(&a->lock);
	return wait;
}

void mlv_auth_failed(mlv_auth *a, const char *addr, int64_t now)
{
	if (a->max_failures == 0)
		return;
	uint64_t h = addr_hash(addr);
	pthread_mutex_lock(&a->lock);
	struct failures *f = &a->fails[h % FAIL_SLOTS];
	if (f->addr_hash != h || now - f->window_start >= (int64_t)a->window_s) {
		f->addr_hash = h;
		f->count = 0;
		f->window_start = now;
	}
	f->count++;
	pthread_mutex_unlock(&a->lock);
}
