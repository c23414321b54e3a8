/* buf.h - a growable byte buffer with a hard size limit.
 *
 * Every append is bounded by `max`: past it the buffer refuses with
 * MLV_ETOOBIG and keeps what it had.  The content is always
 * NUL-terminated (the terminator is not counted in len). */
#ifndef MLV_BUF_H
#define MLV_BUF_H

#include "mlv/common.h"

typedef struct mlv_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
} mlv_buf;

#define MLV_BUF_INIT(max_) { NULL, 0, 0, (max_) }

void mlv_buf_init(mlv_buf *b, size_t max);
void mlv_buf_free(mlv_buf *b);
void mlv_buf_reset(mlv_buf *b);
int mlv_buf_add(mlv_buf *b, const void *p, size_t n);
int mlv_buf_adds(mlv_buf *b, const char *s);
int mlv_buf_addc(mlv_buf *b, char c);
int mlv_buf_printf(mlv_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s[0..n) as a JSON string literal, quotes included. */
int mlv_buf_add_json_string(mlv_buf *b, const char *s, size_t n);
/* Hands the data over to the caller (free() it); the buffer is reset. */
char *mlv_buf_detach(mlv_buf *b, size_t *len);

#endif
