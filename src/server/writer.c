/* writer.c - group-commit writer thread (see writer.h). */
#include "writer.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct mlv_writer {
	mlv_store *store;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	mlv_write_job *head, *tail;
	size_t queued, queued_filings, max_queue, max_batch;
	void (*observe)(void *ctx, size_t filings, int64_t ns);
	void *observe_ctx;
	bool stopping;
	mlv_writer_stats stats;
	mlv_filing **scratch; /* filings of one batch */
	size_t scratch_cap;
	bool signing;
	uint8_t sk[MLV_AUDIT_SK_LEN];
	int64_t sth_interval_ms, last_sth_ms;
	uint64_t last_sth_size;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Signs a tree head when the log grew and the interval has passed (or
 * always, with force).  A failure is not fatal: the next one tries again. */
static void maybe_sign(mlv_writer *w, bool force)
{
	int64_t now = now_ms();
	if (!w->signing || (!force && now - w->last_sth_ms < w->sth_interval_ms))
		return;
	uint64_t size = 0;
	if (mlv_store_audit_size(w->store, &size) != 0 || size == w->last_sth_size)
		return;
	mlv_audit_sth sth;
	memset(&sth, 0, sizeof(sth));
	sth.tree_size = size;
	sth.timestamp_ms = (uint64_t)now;
	if (mlv_store_audit_root(w->store, size, sth.root) != 0 ||
	    mlv_audit_sth_sign(&sth, w->sk) != 0 || mlv_store_audit_add_sth(w->store, &sth) != 0)
		return;
	w->last_sth_ms = now;
	w->last_sth_size = size;
}

static int grow_scratch(mlv_writer *w, size_t need)
{
	if (need <= w->scratch_cap)
		return 0;
	size_t cap = w->scratch_cap ? w->scratch_cap : 256;
	while (cap < need)
		cap *= 2;
	mlv_filing **n = realloc(w->scratch, cap * sizeof(*n));
	if (n == NULL)
		return MLV_ENOMEM;
	w->scratch = n;
	w->scratch_cap = cap;
	return 0;
}

static void *run(void *arg)
{
	mlv_writer *w = arg;
	for (;;) {
		pthread_mutex_lock(&w->lock);
		while (w->head == NULL && !w->stopping) {
			if (!w->signing) {
				pthread_cond_wait(&w->cond, &w->lock);
				continue;
			}
			/* Wake at the next signing time even without filings. */
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			int64_t ns = (int64_t)until.tv_nsec + w->sth_interval_ms * 1000000;
			until.tv_sec += ns / 1000000000;
			until.tv_nsec = ns % 1000000000;
			if (pthread_cond_timedwait(&w->cond, &w->lock, &until) != 0) {
				pthread_mutex_unlock(&w->lock);
				maybe_sign(w, false);
				pthread_mutex_lock(&w->lock);
			}
		}
		if (w->head == NULL && w->stopping) {
			pthread_mutex_unlock(&w->lock);
			maybe_sign(w, true);
			break;
		}
		/* Take whole jobs until the batch bound (at least one job). */
		mlv_write_job *first = w->head, *last = w->head;
		size_t filings = first->n, jobs = 1;
		while (last->next != NULL && filings + last->next->n <= w->max_batch) {
			last = last->next;
			filings += last->n;
			jobs++;
		}
		w->head = last->next;
		if (w->head == NULL)
			w->tail = NULL;
		w->queued -= jobs;
		w->queued_filings -= filings;
		last->next = NULL;
		pthread_mutex_unlock(&w->lock);

		int rc = grow_scratch(w, filings);
		size_t k = 0;
		if (rc == 0) {
			for (mlv_write_job *j = first; j != NULL; j = j->next)
				for (size_t i = 0; i < j->n; i++)
					w->scratch[k++] = j->filings[i];
			struct timespec t0, t1;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			rc = mlv_store_file(w->store, w->scratch, k);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			if (w->observe != NULL)
				w->observe(w->observe_ctx, k,
					   (int64_t)(t1.tv_sec - t0.tv_sec) * 1000000000 +
						   (t1.tv_nsec - t0.tv_nsec));
		}
		uint64_t outcome[5] = {0, 0, 0, 0, 0};
		for (size_t i = 0; rc == 0 && i < k; i++) {
			const mlv_filing *f = w->scratch[i];
			outcome[!f->ok ? 4 : f->store_rc != 0 ? 3 : f->outcome == MLV_OUTCOME_CREATED ? 0
						  : f->outcome == MLV_OUTCOME_AMENDED ? 1 : 2]++;
		}
		pthread_mutex_lock(&w->lock);
		w->stats.batches++;
		w->stats.jobs += jobs;
		w->stats.filings += filings;
		w->stats.created += outcome[0];
		w->stats.amended += outcome[1];
		w->stats.unchanged += outcome[2];
		w->stats.refused += outcome[3];
		w->stats.rejected += outcome[4];
		if (rc != 0)
			w->stats.failures++;
		pthread_mutex_unlock(&w->lock);
		for (mlv_write_job *j = first, *next; j != NULL; j = next) {
			next = j->next;
			j->next = NULL;
			j->rc = rc;
			j->done(j);
		}
		maybe_sign(w, false);
	}
	return NULL;
}

int mlv_writer_start(mlv_writer **out, mlv_store *store, size_t max_batch, size_t max_queue,
		     const uint8_t *sk, int64_t sth_interval_ms)
{
	mlv_writer *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return MLV_ENOMEM;
	if (sk != NULL) {
		w->signing = true;
		memcpy(w->sk, sk, sizeof(w->sk));
		w->sth_interval_ms = sth_interval_ms > 0 ? sth_interval_ms : 10000;
		mlv_audit_sth last;
		if (mlv_store_audit_get_sth(store, 0, &last) == 0)
			w->last_sth_size = last.tree_size;
	}
	w->store = store;
	w->max_batch = max_batch ? max_batch : 1024;
	w->max_queue = max_queue ? max_queue : 100000;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	if (pthread_create(&w->thread, NULL, run, w) != 0) {
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->cond);
		free(w);
		return MLV_ENOMEM;
	}
	*out = w;
	return 0;
}

int mlv_writer_submit(mlv_writer *w, mlv_write_job *job)
{
	pthread_mutex_lock(&w->lock);
	if (w->stopping || w->queued >= w->max_queue) {
		pthread_mutex_unlock(&w->lock);
		return MLV_EBUSY;
	}
	job->next = NULL;
	if (w->tail)
		w->tail->next = job;
	else
		w->head = job;
	w->tail = job;
	w->queued++;
	w->queued_filings += job->n;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

void mlv_writer_stop(mlv_writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	mlv_store_close(w->store);
	sodium_memzero(w->sk, sizeof(w->sk));
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w->scratch);
	free(w);
}

void mlv_writer_get_stats(mlv_writer *w, mlv_writer_stats *out)
{
	pthread_mutex_lock(&w->lock);
	*out = w->stats;
	out->queued = w->queued;
	out->queued_filings = w->queued_filings;
	pthread_mutex_unlock(&w->lock);
}

void mlv_writer_set_observer(mlv_writer *w, void (*fn)(void *ctx, size_t filings, int64_t ns),
			     void *ctx)
{
	pthread_mutex_lock(&w->lock);
	w->observe = fn;
	w->observe_ctx = ctx;
	pthread_mutex_unlock(&w->lock);
}
