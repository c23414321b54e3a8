/* buf.c - bounded growable buffer (see buf.h). */
#include "mlv/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mlv_buf_init(mlv_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void mlv_buf_free(mlv_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void mlv_buf_reset(mlv_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static int reserve(mlv_buf *b, size_t extra)
{
	if (extra > b->max || b->len > b->max - extra)
		return MLV_ETOOBIG;
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	char *n = realloc(b->data, cap);
	if (n == NULL)
		return MLV_ENOMEM;
	b->data = n;
	b->cap = cap;
	return 0;
}

int mlv_buf_add(mlv_buf *b, const void *p, size_t n)
{
	int rc = reserve(b, n);
	if (rc != 0)
		return rc;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int mlv_buf_adds(mlv_buf *b, const char *s)
{
	return mlv_buf_add(b, s, strlen(s));
}

int mlv_buf_addc(mlv_buf *b, char c)
{
	return mlv_buf_add(b, &c, 1);
}

int mlv_buf_printf(mlv_buf *b, const char *fmt, ...)
{
	/* Format straight into the free space; only when it does not fit,
	 * grow and format again (most calls format once). */
	if (b->data == NULL || b->cap - b->len < 64) {
		int rc = reserve(b, 64 < b->max - b->len ? 64 : 0);
		if (rc != 0 && rc != MLV_ETOOBIG)
			return rc;
	}
	size_t room = b->data ? b->cap - b->len : 0;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return MLV_EINVALID;
	if ((size_t)n < room) {
		if ((size_t)n > b->max - b->len) {
			b->data[b->len] = '\0';
			return MLV_ETOOBIG;
		}
		b->len += (size_t)n;
		return 0;
	}
	int rc = reserve(b, (size_t)n);
	if (rc != 0) {
		if (b->data)
			b->data[b->len] = '\0';
		return rc;
	}
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int mlv_buf_add_json_string(mlv_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	int rc = reserve(b, n + 2);
	if (rc != 0)
		return rc;
	b->data[b->len++] = '"';
	size_t i = 0;
	while (i < n) {
		/* Copy the run of characters that need no escape in one go. */
		size_t j = i;
		while (j < n) {
			unsigned char c = (unsigned char)s[j];
			if (c < 0x20 || c == '"' || c == '\\')
				break;
			j++;
		}
		if (j > i) {
			if ((rc = reserve(b, j - i + 1)) != 0)
				return rc;
			memcpy(b->data + b->len, s + i, j - i);
			b->len += j - i;
		}
		if (j == n)
			break;
		unsigned char c = (unsigned char)s[j];
		char esc[6] = {'\\', (char)c, 0, 0, 0, 0};
		size_t k = 2;
		if (c == '\n')
			esc[1] = 'n';
		else if (c == '\t')
			esc[1] = 't';
		else if (c == '\r')
			esc[1] = 'r';
		else if (c < 0x20) {
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			k = 6;
		}
		if ((rc = reserve(b, k + 1)) != 0)
			return rc;
		memcpy(b->data + b->len, esc, k);
		b->len += k;
		i = j + 1;
	}
	if ((rc = reserve(b, 1)) != 0)
		return rc;
	b->data[b->len++] = '"';
	b->data[b->len] = '\0';
	return 0;
}

char *mlv_buf_detach(mlv_buf *b, size_t *len)
{
	char *d = b->data;
	if (len)
		*len = b->len;
	if (d == NULL) {
		d = malloc(1);
		if (d)
			d[0] = '\0';
	}
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return d;
}
