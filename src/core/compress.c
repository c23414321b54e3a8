/* compress.c - zstd with optional dictionaries (compress.h).  One
 * compression and one decompression context per thread, kept under
 * pthread keys and freed with their thread: creating a context costs more
 * than compressing a filing. */
#include "mlv/compress.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#define LEVEL 3
#define DICT_MAX (1u << 20)

struct mlv_zdict {
	void *bytes;
	size_t len;
	uint32_t id;
	ZSTD_CDict *cdict;
	ZSTD_DDict *ddict;
};

int mlv_zdict_new(mlv_zdict **out, const void *bytes, size_t n)
{
	*out = NULL;
	if (n < 8 || n > DICT_MAX)
		return MLV_EINVALID;
	mlv_zdict *d = calloc(1, sizeof(*d));
	if (d == NULL || (d->bytes = malloc(n)) == NULL) {
		free(d);
		return MLV_ENOMEM;
	}
	memcpy(d->bytes, bytes, n);
	d->len = n;
	d->id = (uint32_t)ZSTD_getDictID_fromDict(bytes, n);
	d->cdict = ZSTD_createCDict(bytes, n, LEVEL);
	d->ddict = ZSTD_createDDict(bytes, n);
	if (d->id == 0 || d->cdict == NULL || d->ddict == NULL) {
		mlv_zdict_free(d);
		return MLV_EINVALID;
	}
	*out = d;
	return 0;
}

int mlv_zdict_load(mlv_zdict **out, const char *path, char *err, size_t errlen)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return MLV_EIO;
	}
	char *buf = malloc(DICT_MAX + 1);
	size_t n = buf ? fread(buf, 1, DICT_MAX + 1, f) : 0;
	fclose(f);
	if (buf == NULL)
		return MLV_ENOMEM;
	int rc = n > DICT_MAX ? MLV_EINVALID : mlv_zdict_new(out, buf, n);
	if (rc != 0)
		snprintf(err, errlen, "%s: not a zstd dictionary of at most 1 MiB", path);
	free(buf);
	return rc;
}

void mlv_zdict_free(mlv_zdict *d)
{
	if (d == NULL)
		return;
	ZSTD_freeCDict(d->cdict);
	ZSTD_freeDDict(d->ddict);
	free(d->bytes);
	free(d);
}

uint32_t mlv_zdict_id(const mlv_zdict *d)
{
	return d ? d->id : 0;
}

const void *mlv_zdict_bytes(const mlv_zdict *d, size_t *len)
{
	*len = d->len;
	return d->bytes;
}

static pthread_once_t keys_once = PTHREAD_ONCE_INIT;
static pthread_key_t cctx_key, dctx_key;

static void free_cctx(void *p)
{
	ZSTD_freeCCtx(p);
}

static void free_dctx(void *p)
{
	ZSTD_freeDCtx(p);
}

static void make_keys(void)
{
	pthread_key_create(&cctx_key, free_cctx);
	pthread_key_create(&dctx_key, free_dctx);
}

static ZSTD_CCtx *thread_cctx(void)
{
	pthread_once(&keys_once, make_keys);
	ZSTD_CCtx *c = pthread_getspecific(cctx_key);
	if (c == NULL && (c = ZSTD_createCCtx()) != NULL && pthread_setspecific(cctx_key, c) != 0) {
		ZSTD_freeCCtx(c);
		c = NULL;
	}
	return c;
}

static ZSTD_DCtx *thread_dctx(void)
{
	pthread_once(&keys_once, make_keys);
	ZSTD_DCtx *d = pthread_getspecific(dctx_key);
	if (d == NULL && (d = ZSTD_createDCtx()) != NULL && pthread_setspecific(dctx_key, d) != 0) {
		ZSTD_freeDCtx(d);
		d = NULL;
	}
	return d;
}

int mlv_compress(const mlv_zdict *d, const void *src, size_t n, void **out, size_t *out_len)
{
	ZSTD_CCtx *cctx = thread_cctx();
	if (cctx == NULL)
		return MLV_ENOMEM;
	size_t cap = ZSTD_compressBound(n);
	void *dst = malloc(cap);
	if (dst == NULL)
		return MLV_ENOMEM;
	size_t z = d != NULL ? ZSTD_compress_usingCDict(cctx, dst, cap, src, n, d->cdict)
			     : ZSTD_compressCCtx(cctx, dst, cap, src, n, 1);
	if (ZSTD_isError(z)) {
		free(dst);
		return MLV_EIO;
	}
	*out = dst;
	*out_len = z;
	return 0;
}

uint32_t mlv_compressed_dict_id(const void *src, size_t n)
{
	return (uint32_t)ZSTD_getDictID_fromFrame(src, n);
}

int mlv_decompress(const mlv_zdict *d, const void *src, size_t n, size_t max, mlv_buf *out)
{
	unsigned long long size = ZSTD_getFrameContentSize(src, n);
	if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > max)
		return MLV_EIO;
	uint32_t need = mlv_compressed_dict_id(src, n);
	if (need != 0 && (d == NULL || d->id != need))
		return MLV_ENOTFOUND;
	ZSTD_DCtx *dctx = thread_dctx();
	if (dctx == NULL)
		return MLV_ENOMEM;
	mlv_buf_reset(out);
	if (out->cap < (size_t)size + 1) {
		char *p = realloc(out->data, (size_t)size + 1);
		if (p == NULL)
			return MLV_ENOMEM;
		out->data = p;
		out->cap = (size_t)size + 1;
	}
	size_t r = need != 0 ? ZSTD_decompress_usingDDict(dctx, out->data, (size_t)size, src, n,
							 d->ddict)
			     : ZSTD_decompressDCtx(dctx, out->data, (size_t)size, src, n);
	if (ZSTD_isError(r) || r != size)
		return MLV_EIO;
	out->len = r;
	out->data[r] = '\0';
	return 0;
}
