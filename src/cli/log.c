/* log.c - logfmt lines on stderr (log.h). */
#include "mlv/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static mlv_log_level min_level = MLV_LOG_INFO;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void mlv_log_set_level(mlv_log_level level)
{
	min_level = level;
}

void mlv_log(mlv_log_level level, const char *msg, const char *fmt, ...)
{
	static const char *const names[] = {"debug", "info", "warn", "error"};
	if (level < min_level)
		return;
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	char when[32];
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	pthread_mutex_lock(&lock);
	fprintf(stderr, "ts=%s.%03ldZ level=%s msg=\"%s\"", when, ts.tv_nsec / 1000000,
		names[level], msg);
	if (fmt != NULL && fmt[0] != '\0') {
		va_list ap;
		va_start(ap, fmt);
		fputc(' ', stderr);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
	}
	fputc('\n', stderr);
	pthread_mutex_unlock(&lock);
}
