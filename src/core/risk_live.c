/* risk_live.c - the risk engine's live state (risk.h, "the live state"):
 * the profile, reference values and operator scores that filings are
 * assessed with, replaced at run time while assessments go on.
 *
 * Read-copy-update with reference counts.  Each published object sits in
 * a box whose count is one for the holder plus one per snapshot that took
 * it.  Acquiring copies the three box pointers and raises their counts
 * under one mutex (so a box cannot be freed between reading its pointer
 * and counting the reference); releasing lowers the counts without the
 * lock, and whoever brings a count to zero frees the box and, when the
 * holder owned it, the object.  Publishing swaps a pointer under the same
 * mutex and then drops the holder's reference to the old box.
 * Invariant: a box in a slot has a count of at least one. */
#include "risk_impl.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { SLOT_PROFILE, SLOT_REFVALUES, SLOT_OPSCORES, SLOTS };

typedef struct box {
	atomic_uint_fast32_t refs;
	void *obj;
	void (*free_obj)(void *obj); /* NULL: the caller owns obj */
} box;

struct mlv_risk_live {
	pthread_mutex_t lock;
	box *slot[SLOTS];
	uint64_t generation;
};

static void free_profile(void *p)
{
	mlv_risk_profile_free(p);
}

static void free_refvalues(void *p)
{
	mlv_risk_refvalues_free(p);
}

static void free_opscores(void *p)
{
	mlv_risk_opscores_free(p);
}

static void box_drop(box *b)
{
	if (b == NULL || atomic_fetch_sub(&b->refs, 1) != 1)
		return;
	if (b->free_obj != NULL)
		b->free_obj(b->obj);
	free(b);
}

int mlv_risk_live_new(mlv_risk_live **out)
{
	mlv_risk_live *l = calloc(1, sizeof(*l));
	*out = NULL;
	if (l == NULL)
		return MLV_ENOMEM;
	if (pthread_mutex_init(&l->lock, NULL) != 0) {
		free(l);
		return MLV_ENOMEM;
	}
	*out = l;
	return 0;
}

void mlv_risk_live_free(mlv_risk_live *l)
{
	if (l == NULL)
		return;
	for (int i = 0; i < SLOTS; i++)
		box_drop(l->slot[i]);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

static int publish(mlv_risk_live *l, int which, void *obj, void (*free_obj)(void *))
{
	box *b = NULL;
	if (obj != NULL) {
		if ((b = malloc(sizeof(*b))) == NULL)
			return MLV_ENOMEM;
		atomic_init(&b->refs, 1);
		b->obj = obj;
		b->free_obj = free_obj;
	}
	pthread_mutex_lock(&l->lock);
	box *old = l->slot[which];
	l->slot[which] = b;
	l->generation++;
	pthread_mutex_unlock(&l->lock);
	box_drop(old); /* freed now, or by the last snapshot that holds it */
	return 0;
}

int mlv_risk_live_publish_profile(mlv_risk_live *l, mlv_risk_profile *p, bool own)
{
	return publish(l, SLOT_PROFILE, p, own ? free_profile : NULL);
}

int mlv_risk_live_publish_refvalues(mlv_risk_live *l, mlv_risk_refvalues *t, bool own)
{
	return publish(l, SLOT_REFVALUES, t, own ? free_refvalues : NULL);
}

int mlv_risk_live_publish_opscores(mlv_risk_live *l, mlv_risk_opscores *t, bool own)
{
	return publish(l, SLOT_OPSCORES, t, own ? free_opscores : NULL);
}

void mlv_risk_live_acquire(mlv_risk_live *l, mlv_risk_snapshot *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&l->lock);
	for (int i = 0; i < SLOTS; i++) {
		box *b = l->slot[i];
		if (b != NULL)
			atomic_fetch_add(&b->refs, 1);
		out->held_[i] = b;
	}
	out->generation = l->generation;
	pthread_mutex_unlock(&l->lock);
	box *const *h = (box *const *)out->held_;
	out->profile = h[SLOT_PROFILE] ? h[SLOT_PROFILE]->obj : NULL;
	out->refvalues = h[SLOT_REFVALUES] ? h[SLOT_REFVALUES]->obj : NULL;
	out->opscores = h[SLOT_OPSCORES] ? h[SLOT_OPSCORES]->obj : NULL;
}

void mlv_risk_live_release(mlv_risk_live *l, mlv_risk_snapshot *s)
{
	(void)l;
	for (int i = 0; i < SLOTS; i++) {
		box_drop(s->held_[i]);
		s->held_[i] = NULL;
	}
	s->profile = NULL;
	s->refvalues = NULL;
	s->opscores = NULL;
}

uint64_t mlv_risk_live_generation(mlv_risk_live *l)
{
	pthread_mutex_lock(&l->lock);
	uint64_t g = l->generation;
	pthread_mutex_unlock(&l->lock);
	return g;
}
