/* log.h - the process's log: one logfmt line per event on stderr.
 * The library never logs; commands and the server do. */
#ifndef MLV_LOG_H
#define MLV_LOG_H

typedef enum { MLV_LOG_DEBUG, MLV_LOG_INFO, MLV_LOG_WARN, MLV_LOG_ERROR } mlv_log_level;

void mlv_log_set_level(mlv_log_level level);
/* `fmt` continues the line with key=value pairs: mlv_log(MLV_LOG_INFO,
 * "listening", "port=%u", port) writes
 * "ts=... level=info msg=listening port=8080". */
void mlv_log(mlv_log_level level, const char *msg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
