/* writer.h - the single writer thread with group commit.
 *
 * Request threads prepare filings and submit them as jobs; the writer
 * takes every job waiting (up to a batch bound), stores all their filings
 * in one transaction, and only after the commit (synchronous=FULL: on
 * disk) calls each job's done().  Many requests share one fsync, and no
 * request is acknowledged before its data is durable. */
#ifndef MLV_SERVER_WRITER_H
#define MLV_SERVER_WRITER_H

#include "mlv/filing.h"
#include "mlv/store.h"

typedef struct mlv_writer mlv_writer;

typedef struct mlv_write_job {
	mlv_filing **filings;
	size_t n;
	int rc; /* 0, or the store's error for the whole job */
	void (*done)(struct mlv_write_job *job);
	void *ctx;
	struct mlv_write_job *next; /* owned by the writer while queued */
} mlv_write_job;

typedef struct mlv_writer_stats {
	uint64_t jobs, filings, batches, failures;
	/* filings by outcome: stored new, amended, unchanged, refused by the
	 * store (an amendment after arrival), rejected before it (invalid) */
	uint64_t created, amended, unchanged, refused, rejected;
	size_t queued;         /* jobs waiting now */
	size_t queued_filings; /* their filings */
} mlv_writer_stats;

/* Takes ownership of `store` (closed by mlv_writer_stop).  With sk, the
 * writer signs a tree head of the audit log every sth_interval_ms while
 * the log grows, and once more when it stops. */
int mlv_writer_start(mlv_writer **out, mlv_store *store, size_t max_batch, size_t max_queue,
		     const uint8_t *sk, int64_t sth_interval_ms);
/* MLV_EBUSY when the queue is full or the writer is stopping. */
int mlv_writer_submit(mlv_writer *w, mlv_write_job *job);
/* Stores what is queued, then stops the thread and closes the store. */
void mlv_writer_stop(mlv_writer *w);
void mlv_writer_get_stats(mlv_writer *w, mlv_writer_stats *out);
/* Called after each store transaction with the filings it held and how
 * long it took (ns), on the writer thread; set before any submit. */
void mlv_writer_set_observer(mlv_writer *w, void (*fn)(void *ctx, size_t filings, int64_t ns),
			     void *ctx);

#endif
