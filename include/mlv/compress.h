/* compress.h - zstd compression of stored texts, with an optional shared
 * dictionary.
 *
 * Filings are short and alike; compressed alone they shrink less than
 * twofold, while a dictionary trained on consignments makes them about six
 * times smaller and compresses them faster.  A compressed body names its
 * dictionary by the id zstd writes into the frame, and the store keeps
 * every dictionary it ever used, so old bodies stay readable when the
 * shipped dictionary changes. */
#ifndef MLV_COMPRESS_H
#define MLV_COMPRESS_H

#include "mlv/buf.h"
#include "mlv/common.h"

typedef struct mlv_zdict mlv_zdict;

/* A dictionary from its bytes (copied).  MLV_EINVALID when they are not a
 * zstd dictionary. */
int mlv_zdict_new(mlv_zdict **out, const void *bytes, size_t n);
/* A dictionary from a file; MLV_EIO when unreadable. */
int mlv_zdict_load(mlv_zdict **out, const char *path, char *err, size_t errlen);
void mlv_zdict_free(mlv_zdict *d);
uint32_t mlv_zdict_id(const mlv_zdict *d);
const void *mlv_zdict_bytes(const mlv_zdict *d, size_t *len);

/* Compresses src (with d when not NULL) into a new malloc'd block. */
int mlv_compress(const mlv_zdict *d, const void *src, size_t n, void **out, size_t *out_len);
/* The id of the dictionary a compressed body needs; 0 for none. */
uint32_t mlv_compressed_dict_id(const void *src, size_t n);
/* Decompresses into out (replacing its content), refusing more than max
 * bytes.  d must be the body's dictionary when it names one. */
int mlv_decompress(const mlv_zdict *d, const void *src, size_t n, size_t max, mlv_buf *out);

#endif
