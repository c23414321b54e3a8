/* writer.c - group-commit writer thread (see writer.h). */
#include "writer.h"

#include <pthread.h>
#include <stdlib.h>

struct mlv_writer {
	mlv_store *store;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	mlv_write_job *head, *tail;
	size_t queued, max_queue, max_batch;
	bool stopping;
	mlv_writer_stats stats;
	mlv_filing **scratch; /* filings of one batch */
	size_t scratch_cap;
};

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
		while (w->head == NULL && !w->stopping)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->head == NULL && w->stopping) {
			pthread_mutex_unlock(&w->lock);
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
		last->next = NULL;
		pthread_mutex_unlock(&w->lock);

		int rc = grow_scratch(w, filings);
		size_t k = 0;
		if (rc == 0) {
			for (mlv_write_job *j = first; j != NULL; j = j->next)
				for (size_t i = 0; i < j->n; i++)
					w->scratch[k++] = j->filings[i];
			rc = mlv_store_file(w->store, w->scratch, k);
		}
		pthread_mutex_lock(&w->lock);
		w->stats.batches++;
		w->stats.jobs += jobs;
		w->stats.filings += filings;
		if (rc != 0)
			w->stats.failures++;
		pthread_mutex_unlock(&w->lock);
		for (mlv_write_job *j = first, *next; j != NULL; j = next) {
			next = j->next;
			j->next = NULL;
			j->rc = rc;
			j->done(j);
		}
	}
	return NULL;
}

int mlv_writer_start(mlv_writer **out, mlv_store *store, size_t max_batch, size_t max_queue)
{
	mlv_writer *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return MLV_ENOMEM;
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
	pthread_mutex_unlock(&w->lock);
}
