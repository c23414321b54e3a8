/* progress.h - a progress bar on a terminal (stderr), silent elsewhere.
 * Redrawn at most ten times a second, so it costs nothing per item. */
#ifndef MLV_PROGRESS_H
#define MLV_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct mlv_progress {
	bool enabled;
	uint64_t total_bytes; /* 0 when unknown (a pipe) */
	uint64_t done_bytes;
	uint64_t items;
	int64_t start_ns, last_ns;
	const char *label;
} mlv_progress;

/* Enabled only when stderr is a terminal and `force_off` is false. */
void mlv_progress_start(mlv_progress *p, const char *label, uint64_t total_bytes, bool force_off);
void mlv_progress_update(mlv_progress *p, uint64_t done_bytes, uint64_t items);
/* Draws the final state and ends the line. */
void mlv_progress_finish(mlv_progress *p);

#endif
