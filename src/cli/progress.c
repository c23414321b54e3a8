/* progress.c - terminal progress bar (progress.h). */
#include "mlv/progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void mlv_progress_start(mlv_progress *p, const char *label, uint64_t total_bytes, bool force_off)
{
	p->enabled = !force_off && isatty(STDERR_FILENO);
	p->total_bytes = total_bytes;
	p->done_bytes = 0;
	p->items = 0;
	p->start_ns = now_ns();
	p->last_ns = 0;
	p->label = label;
}

static void draw(mlv_progress *p, int64_t t)
{
	double secs = (double)(t - p->start_ns) / 1e9;
	double rate = secs > 0 ? (double)p->items / secs : 0;
	if (p->total_bytes > 0) {
		double frac = (double)p->done_bytes / (double)p->total_bytes;
		if (frac > 1)
			frac = 1;
		int fill = (int)(frac * 30);
		char bar[31];
		for (int i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[30] = '\0';
		double eta = frac > 0 ? secs * (1 - frac) / frac : 0;
		fprintf(stderr, "\r%s [%s] %3d%%  %llu  %.0f/s  ETA %.0fs   ", p->label, bar,
			(int)(frac * 100), (unsigned long long)p->items, rate, eta);
	} else {
		fprintf(stderr, "\r%s  %llu  %.0f/s  %.0fs   ", p->label,
			(unsigned long long)p->items, rate, secs);
	}
	fflush(stderr);
}

void mlv_progress_update(mlv_progress *p, uint64_t done_bytes, uint64_t items)
{
	p->done_bytes = done_bytes;
	p->items = items;
	if (!p->enabled)
		return;
	int64_t t = now_ns();
	if (t - p->last_ns < 100000000)
		return;
	p->last_ns = t;
	draw(p, t);
}

void mlv_progress_finish(mlv_progress *p)
{
	if (!p->enabled)
		return;
	if (p->total_bytes > 0)
		p->done_bytes = p->total_bytes;
	draw(p, now_ns());
	fputc('\n', stderr);
}
