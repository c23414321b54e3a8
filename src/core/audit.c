/* audit.c - Merkle audit log: RFC 6962 hashing, RFC 9162 proofs and
 * verification over caller-supplied node storage, signed tree heads, and
 * the JSON that tools/mlv-verify reads (see audit.h).
 *
 * Invariant everywhere below: a range [lo, hi) of leaves handed to
 * range_hash() starts at a multiple of the largest power of two not above
 * its length.  The RFC recursions only ever produce such ranges (they split
 * at the largest power of two below the length, starting from 0), and it is
 * what lets every range be covered by stored perfect subtrees. */
#include "mlv/audit.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

static_assert(MLV_AUDIT_HASH_LEN == crypto_hash_sha256_BYTES, "hash length");
static_assert(MLV_AUDIT_PK_LEN == crypto_sign_PUBLICKEYBYTES, "public key length");
static_assert(MLV_AUDIT_SK_LEN == crypto_sign_SECRETKEYBYTES, "secret key length");
static_assert(MLV_AUDIT_SEED_LEN == crypto_sign_SEEDBYTES, "seed length");
static_assert(MLV_AUDIT_SIG_LEN == crypto_sign_BYTES, "signature length");
static_assert(sizeof(MLV_AUDIT_STH_MAGIC) - 1 == MLV_AUDIT_STH_MAGIC_LEN, "magic length");
static_assert(MLV_AUDIT_STH_MAGIC_LEN + 8 + 8 + MLV_AUDIT_HASH_LEN == MLV_AUDIT_STH_MSG_LEN,
	      "tree head message length");

#define HLEN MLV_AUDIT_HASH_LEN

/* ---- hashing ---- */

void mlv_audit_leaf_hash(uint8_t out[MLV_AUDIT_HASH_LEN], const void *data, size_t len)
{
	static const uint8_t prefix = 0x00;
	crypto_hash_sha256_state s;
	crypto_hash_sha256_init(&s);
	crypto_hash_sha256_update(&s, &prefix, 1);
	if (len > 0)
		crypto_hash_sha256_update(&s, data, len);
	crypto_hash_sha256_final(&s, out);
}

void mlv_audit_node_hash(uint8_t out[MLV_AUDIT_HASH_LEN], const uint8_t left[MLV_AUDIT_HASH_LEN],
			 const uint8_t right[MLV_AUDIT_HASH_LEN])
{
	/* One contiguous input is cheaper than three updates; out may alias
	 * left or right, which the copy also makes safe. */
	uint8_t in[1 + 2 * HLEN];
	in[0] = 0x01;
	memcpy(in + 1, left, HLEN);
	memcpy(in + 1 + HLEN, right, HLEN);
	crypto_hash_sha256(out, in, sizeof(in));
}

void mlv_audit_empty_root(uint8_t out[MLV_AUDIT_HASH_LEN])
{
	crypto_hash_sha256(out, NULL, 0);
}

/* ---- the tree ---- */

/* Callbacks may return any int; the library speaks enum mlv_err. */
static int store_rc(int rc)
{
	return rc > 0 ? MLV_EIO : rc;
}

static int get_node(const mlv_audit_store *st, unsigned level, uint64_t index, uint8_t out[HLEN])
{
	return store_rc(st->get(st->ctx, level, index, out));
}

/* The k of RFC 9162: the largest power of two strictly below n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
	uint64_t x = n - 1;
	uint64_t k = 1;
	while (x >>= 1)
		k <<= 1;
	return k;
}

/* MTH(D[lo:hi]) for hi > lo, from the perfect subtrees that tile the range:
 * one per set bit of its length, largest first.  MTH nests to the right
 * (MTH = H(P1, H(P2, ... H(Pk-1, Pk)))), so fold from the smallest, right-
 * most piece leftwards; that needs no stack and at most 64 reads. */
static int range_hash(uint8_t out[HLEN], const mlv_audit_store *st, uint64_t lo, uint64_t hi)
{
	uint64_t len = hi - lo;
	uint64_t pos = hi;
	bool have = false;
	uint8_t piece[HLEN];
	assert(hi > lo);
	for (unsigned level = 0; level < 64; level++) {
		uint64_t bit = (uint64_t)1 << level;
		if (!(len & bit))
			continue;
		pos -= bit;
		assert(pos % bit == 0);
		int rc = get_node(st, level, pos >> level, have ? piece : out);
		if (rc != 0)
			return rc;
		if (have)
			mlv_audit_node_hash(out, piece, out);
		have = true;
	}
	return 0;
}

int mlv_audit_append(const mlv_audit_store *st, uint64_t size_before,
		     const uint8_t leaf_hash[MLV_AUDIT_HASH_LEN])
{
	if (size_before == UINT64_MAX)
		return MLV_ETOOBIG;
	int rc = store_rc(st->put(st->ctx, 0, size_before, leaf_hash));
	if (rc != 0)
		return rc;
	/* The new leaf completes one subtree per trailing one bit of its
	 * index: each time the node just made is a right child, its left
	 * sibling is stored, and their parent becomes complete. */
	uint8_t cur[HLEN], left[HLEN];
	memcpy(cur, leaf_hash, HLEN);
	uint64_t index = size_before;
	unsigned level = 0;
	while (index & 1) {
		if ((rc = get_node(st, level, index - 1, left)) != 0)
			return rc;
		mlv_audit_node_hash(cur, left, cur);
		index >>= 1;
		level++;
		if ((rc = store_rc(st->put(st->ctx, level, index, cur))) != 0)
			return rc;
	}
	return 0;
}

int mlv_audit_root(uint8_t out[MLV_AUDIT_HASH_LEN], const mlv_audit_store *st, uint64_t size)
{
	if (size == 0) {
		mlv_audit_empty_root(out);
		return 0;
	}
	return range_hash(out, st, 0, size);
}

/* Both proofs walk the RFC recursion top-down, which meets the entries in
 * the reverse of their order in the proof.  A first pass only counts them,
 * so the caller's bound is checked before any storage is read, and the
 * second writes each at its final place.  Only one sibling per walk can be
 * a ragged range (the one split off the right edge of the whole tree when
 * the walk turns left; every range after that is perfect), so a proof
 * costs O(log n) reads. */

static size_t inclusion_len(uint64_t index, uint64_t size)
{
	uint64_t lo = 0, hi = size;
	size_t n = 0;
	while (hi - lo > 1) {
		uint64_t k = split_point(hi - lo);
		if (index < lo + k)
			hi = lo + k;
		else
			lo += k;
		n++;
	}
	return n;
}

int mlv_audit_inclusion_proof(mlv_audit_hash *out, size_t *out_len, size_t max,
			      const mlv_audit_store *st, uint64_t index, uint64_t size)
{
	if (index >= size)
		return MLV_EINVALID;
	size_t len = inclusion_len(index, size);
	if (len > max)
		return MLV_ETOOBIG;
	/* PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])       if m < k
	 *               = PATH(m - k, D[k:n]) : MTH(D[0:k])   otherwise */
	uint64_t lo = 0, hi = size;
	size_t slot = len;
	while (hi - lo > 1) {
		uint64_t k = split_point(hi - lo);
		int rc;
		slot--;
		if (index < lo + k) {
			rc = range_hash(out[slot].b, st, lo + k, hi);
			hi = lo + k;
		} else {
			rc = range_hash(out[slot].b, st, lo, lo + k);
			lo += k;
		}
		if (rc != 0)
			return rc;
	}
	*out_len = len;
	return 0;
}

/* SUBPROOF(m, D[n], b): with lo and hi the current range, m stays in
 * (lo, hi]; the walk ends when m == hi, and the subtree it ends on is
 * part of the proof unless it is the whole old tree (b still true). */
static size_t consistency_len(uint64_t m, uint64_t n, bool *whole_old_tree)
{
	uint64_t lo = 0, hi = n;
	bool b = true;
	size_t len = 0;
	while (m != hi) {
		uint64_t k = split_point(hi - lo);
		if (m <= lo + k) {
			hi = lo + k;
		} else {
			lo += k;
			b = false;
		}
		len++;
	}
	*whole_old_tree = b;
	return len + (b ? 0 : 1);
}

int mlv_audit_consistency_proof(mlv_audit_hash *out, size_t *out_len, size_t max,
				const mlv_audit_store *st, uint64_t m, uint64_t n)
{
	if (m == 0 || m > n)
		return MLV_EINVALID;
	bool b;
	size_t len = consistency_len(m, n, &b);
	if (len > max)
		return MLV_ETOOBIG;
	/* SUBPROOF(m, D[n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])          if m <= k
	 *                      = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])  otherwise
	 * and SUBPROOF(m, D[m], false) = [MTH(D[m])], SUBPROOF(m, D[m], true) = []. */
	uint64_t lo = 0, hi = n;
	size_t slot = len;
	while (m != hi) {
		uint64_t k = split_point(hi - lo);
		int rc;
		slot--;
		if (m <= lo + k) {
			rc = range_hash(out[slot].b, st, lo + k, hi);
			hi = lo + k;
		} else {
			rc = range_hash(out[slot].b, st, lo, lo + k);
			lo += k;
		}
		if (rc != 0)
			return rc;
	}
	if (!b) {
		assert(slot == 1);
		int rc = range_hash(out[0].b, st, lo, hi);
		if (rc != 0)
			return rc;
	}
	*out_len = len;
	return 0;
}

/* The verifiers transcribe RFC 9162; the step numbers are the RFC's. */

bool mlv_audit_verify_inclusion(uint64_t index, uint64_t size,
				const uint8_t leaf_hash[MLV_AUDIT_HASH_LEN],
				const mlv_audit_hash *proof, size_t len,
				const uint8_t root[MLV_AUDIT_HASH_LEN])
{
	/* 1. leaf_index must be below tree_size. */
	if (index >= size || len > MLV_AUDIT_PROOF_MAX)
		return false;
	/* 2. */
	uint64_t fn = index, sn = size - 1;
	/* 3. */
	uint8_t r[HLEN];
	memcpy(r, leaf_hash, HLEN);
	/* 4. */
	for (size_t i = 0; i < len; i++) {
		const uint8_t *p = proof[i].b;
		if (sn == 0) /* a. */
			return false;
		if ((fn & 1) || fn == sn) { /* b. */
			mlv_audit_node_hash(r, p, r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			mlv_audit_node_hash(r, r, p);
		}
		fn >>= 1; /* c. */
		sn >>= 1;
	}
	/* 5. */
	return sn == 0 && memcmp(r, root, HLEN) == 0;
}

bool mlv_audit_verify_consistency(uint64_t m, uint64_t n,
				  const uint8_t root_m[MLV_AUDIT_HASH_LEN],
				  const uint8_t root_n[MLV_AUDIT_HASH_LEN],
				  const mlv_audit_hash *proof, size_t len)
{
	if (m == 0 || m > n || len > MLV_AUDIT_PROOF_MAX)
		return false;
	/* The RFC's algorithm is for m < n.  For m == n the proof is
	 * SUBPROOF(m, D[m], true), which is empty: equal roots are all there
	 * is to check. */
	if (m == n)
		return len == 0 && memcmp(root_m, root_n, HLEN) == 0;
	/* 1. */
	if (len == 0)
		return false;
	/* 2. When m is a power of two the old root is a node of the new
	 * tree, and the proof leaves it out: it becomes entry 0. */
	bool prepend = (m & (m - 1)) == 0;
	/* 3. */
	uint64_t fn = m - 1, sn = n - 1;
	/* 4. */
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	/* 5. */
	uint8_t fr[HLEN], sr[HLEN];
	const uint8_t *first = prepend ? root_m : proof[0].b;
	memcpy(fr, first, HLEN);
	memcpy(sr, first, HLEN);
	/* 6. */
	for (size_t i = prepend ? 0 : 1; i < len; i++) {
		const uint8_t *c = proof[i].b;
		if (sn == 0) /* a. */
			return false;
		if ((fn & 1) || fn == sn) { /* b. */
			mlv_audit_node_hash(fr, c, fr);
			mlv_audit_node_hash(sr, c, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			mlv_audit_node_hash(sr, sr, c);
		}
		fn >>= 1; /* c. */
		sn >>= 1;
	}
	/* 7. */
	return sn == 0 && memcmp(fr, root_m, HLEN) == 0 && memcmp(sr, root_n, HLEN) == 0;
}

/* ---- signed tree heads ---- */

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

void mlv_audit_sth_message(uint8_t out[MLV_AUDIT_STH_MSG_LEN], const mlv_audit_sth *sth)
{
	memcpy(out, MLV_AUDIT_STH_MAGIC, MLV_AUDIT_STH_MAGIC_LEN);
	put_be64(out + 16, sth->tree_size);
	put_be64(out + 24, sth->timestamp_ms);
	memcpy(out + 32, sth->root, HLEN);
}

/* sodium_init() is idempotent and thread-safe; key generation needs it for
 * the random source, signing for the selected implementation. */
static int sodium_ready(void)
{
	return sodium_init() < 0 ? MLV_EIO : 0;
}

int mlv_audit_keypair(uint8_t pk_out[MLV_AUDIT_PK_LEN], uint8_t sk_out[MLV_AUDIT_SK_LEN])
{
	int rc = sodium_ready();
	if (rc != 0)
		return rc;
	return crypto_sign_keypair(pk_out, sk_out) == 0 ? 0 : MLV_EIO;
}

int mlv_audit_keypair_from_seed(uint8_t pk_out[MLV_AUDIT_PK_LEN], uint8_t sk_out[MLV_AUDIT_SK_LEN],
				const uint8_t seed[MLV_AUDIT_SEED_LEN])
{
	int rc = sodium_ready();
	if (rc != 0)
		return rc;
	return crypto_sign_seed_keypair(pk_out, sk_out, seed) == 0 ? 0 : MLV_EIO;
}

int mlv_audit_sth_sign(mlv_audit_sth *sth, const uint8_t sk[MLV_AUDIT_SK_LEN])
{
	uint8_t msg[MLV_AUDIT_STH_MSG_LEN];
	int rc = sodium_ready();
	if (rc != 0)
		return rc;
	mlv_audit_sth_message(msg, sth);
	if (crypto_sign_detached(sth->sig, NULL, msg, sizeof(msg), sk) != 0)
		return MLV_EIO;
	return 0;
}

bool mlv_audit_sth_verify(const mlv_audit_sth *sth, const uint8_t pk[MLV_AUDIT_PK_LEN])
{
	uint8_t msg[MLV_AUDIT_STH_MSG_LEN];
	if (sodium_ready() != 0)
		return false;
	mlv_audit_sth_message(msg, sth);
	return crypto_sign_verify_detached(sth->sig, msg, sizeof(msg), pk) == 0;
}

/* ---- base64 ---- */

int mlv_audit_b64_encode(char *out, size_t out_size, const uint8_t *bin, size_t len)
{
	if (len > (SIZE_MAX - 1) / 4 * 3 - 2 || out_size < MLV_AUDIT_B64_SIZE(len))
		return MLV_ETOOBIG;
	sodium_bin2base64(out, out_size, bin, len, sodium_base64_VARIANT_ORIGINAL);
	return 0;
}

int mlv_audit_b64_decode(uint8_t *out, size_t want, const char *b64, size_t b64_len)
{
	/* The exact text length is known; checking it first also keeps a
	 * long input from being scanned at all. */
	if (want > SIZE_MAX / 2 || b64_len != MLV_AUDIT_B64_SIZE(want) - 1)
		return MLV_EINVALID;
	/* With no end pointer libsodium itself refuses any text it does not
	 * consume; it also refuses non-zero bits after the last byte. */
	size_t got = 0;
	if (sodium_base642bin(out, want, b64, b64_len, NULL, &got, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    got != want)
		return MLV_EINVALID;
	return 0;
}

/* ---- JSON ---- */

/* Appends `,"name":"<base64 of bin>"`: never the first field. */
static int add_b64_field(mlv_buf *out, const char *name, const uint8_t *bin, size_t len)
{
	char text[MLV_AUDIT_B64_SIZE(MLV_AUDIT_SIG_LEN)];
	int rc = mlv_audit_b64_encode(text, sizeof(text), bin, len);
	if (rc != 0)
		return rc;
	return mlv_buf_printf(out, ",\"%s\":\"%s\"", name, text);
}

static int add_sth(mlv_buf *out, const mlv_audit_sth *sth)
{
	if (sth->tree_size > MLV_AUDIT_JSON_INT_MAX || sth->timestamp_ms > MLV_AUDIT_JSON_INT_MAX)
		return MLV_ETOOBIG;
	int rc = mlv_buf_printf(out, "{\"tree_size\":%" PRIu64 ",\"timestamp\":%" PRIu64,
				sth->tree_size, sth->timestamp_ms);
	if (rc == 0)
		rc = add_b64_field(out, "root_hash", sth->root, HLEN);
	if (rc == 0)
		rc = add_b64_field(out, "signature", sth->sig, MLV_AUDIT_SIG_LEN);
	if (rc == 0)
		rc = mlv_buf_addc(out, '}');
	return rc;
}

static int add_path(mlv_buf *out, const char *name, const mlv_audit_hash *path, size_t len)
{
	char text[MLV_AUDIT_B64_SIZE(HLEN)];
	int rc = mlv_buf_printf(out, ",\"%s\":[", name);
	for (size_t i = 0; rc == 0 && i < len; i++) {
		rc = mlv_audit_b64_encode(text, sizeof(text), path[i].b, HLEN);
		if (rc == 0)
			rc = mlv_buf_printf(out, "%s\"%s\"", i ? "," : "", text);
	}
	if (rc == 0)
		rc = mlv_buf_addc(out, ']');
	return rc;
}

/* Writers append or leave the buffer as it was: a half-written document
 * must never reach a client. */
static int undo(mlv_buf *out, size_t mark, int rc)
{
	if (rc != 0 && out->data != NULL) {
		out->len = mark;
		out->data[mark] = '\0';
	}
	return rc;
}

int mlv_audit_json_sth(mlv_buf *out, const mlv_audit_sth *sth)
{
	size_t mark = out->len;
	return undo(out, mark, add_sth(out, sth));
}

int mlv_audit_json_inclusion(mlv_buf *out, const mlv_audit_sth *sth, uint64_t leaf_index,
			     const uint8_t leaf_hash[MLV_AUDIT_HASH_LEN], const void *leaf,
			     size_t leaf_len, const mlv_audit_hash *path, size_t path_len)
{
	size_t mark = out->len;
	int rc = 0;
	if (leaf_index >= sth->tree_size || path_len > MLV_AUDIT_PROOF_MAX)
		return MLV_EINVALID;
	if (leaf != NULL) {
		uint8_t h[HLEN];
		mlv_audit_leaf_hash(h, leaf, leaf_len);
		if (memcmp(h, leaf_hash, HLEN) != 0)
			return MLV_EINVALID;
	}
	if ((rc = mlv_buf_adds(out, "{\"sth\":")) != 0)
		goto cleanup;
	if ((rc = add_sth(out, sth)) != 0)
		goto cleanup;
	if ((rc = mlv_buf_printf(out, ",\"leaf_index\":%" PRIu64, leaf_index)) != 0)
		goto cleanup;
	if ((rc = add_b64_field(out, "leaf_hash", leaf_hash, HLEN)) != 0)
		goto cleanup;
	if (leaf != NULL) {
		/* Leaves are arbitrary in size, so this one goes through a heap
		 * buffer sized for it. */
		if (leaf_len > (SIZE_MAX - 1) / 4 * 3 - 2) {
			rc = MLV_ETOOBIG;
			goto cleanup;
		}
		size_t size = MLV_AUDIT_B64_SIZE(leaf_len);
		char *text = malloc(size);
		if (text == NULL) {
			rc = MLV_ENOMEM;
			goto cleanup;
		}
		rc = mlv_audit_b64_encode(text, size, leaf, leaf_len);
		if (rc == 0)
			rc = mlv_buf_printf(out, ",\"leaf\":\"%s\"", text);
		free(text);
		if (rc != 0)
			goto cleanup;
	}
	if ((rc = add_path(out, "audit_path", path, path_len)) != 0)
		goto cleanup;
	rc = mlv_buf_addc(out, '}');
cleanup:
	return undo(out, mark, rc);
}

int mlv_audit_json_consistency(mlv_buf *out, const mlv_audit_sth *first,
			       const mlv_audit_sth *second, const mlv_audit_hash *path,
			       size_t path_len)
{
	size_t mark = out->len;
	int rc = 0;
	if (first->tree_size == 0 || first->tree_size > second->tree_size ||
	    path_len > MLV_AUDIT_PROOF_MAX)
		return MLV_EINVALID;
	if ((rc = mlv_buf_adds(out, "{\"first\":")) != 0)
		goto cleanup;
	if ((rc = add_sth(out, first)) != 0)
		goto cleanup;
	if ((rc = mlv_buf_adds(out, ",\"second\":")) != 0)
		goto cleanup;
	if ((rc = add_sth(out, second)) != 0)
		goto cleanup;
	if ((rc = add_path(out, "consistency_path", path, path_len)) != 0)
		goto cleanup;
	rc = mlv_buf_addc(out, '}');
cleanup:
	return undo(out, mark, rc);
}

/* ---- the in-memory store ---- */

struct mem_level {
	mlv_audit_hash *h;
	uint64_t count;
	uint64_t cap;
};

struct mlv_audit_mem {
	struct mem_level level[64];
};

int mlv_audit_mem_new(mlv_audit_mem **out)
{
	mlv_audit_mem *m = calloc(1, sizeof(*m));
	if (m == NULL)
		return MLV_ENOMEM;
	*out = m;
	return 0;
}

void mlv_audit_mem_free(mlv_audit_mem *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < MLV_ARRAY_LEN(m->level); i++)
		free(m->level[i].h);
	free(m);
}

static int mem_get(void *ctx, unsigned level, uint64_t index, uint8_t out[MLV_AUDIT_HASH_LEN])
{
	const mlv_audit_mem *m = ctx;
	if (level >= MLV_ARRAY_LEN(m->level) || index >= m->level[level].count)
		return MLV_ENOTFOUND;
	memcpy(out, m->level[level].h[index].b, HLEN);
	return 0;
}

static int mem_put(void *ctx, unsigned level, uint64_t index, const uint8_t h[MLV_AUDIT_HASH_LEN])
{
	mlv_audit_mem *m = ctx;
	if (level >= MLV_ARRAY_LEN(m->level))
		return MLV_EINVALID;
	struct mem_level *l = &m->level[level];
	if (index > l->count)
		return MLV_EINVALID;
	if (index == l->count) {
		if (l->count == l->cap) {
			uint64_t cap = l->cap ? l->cap * 2 : 64;
			if (cap > SIZE_MAX / sizeof(*l->h))
				return MLV_ENOMEM;
			mlv_audit_hash *n = realloc(l->h, (size_t)cap * sizeof(*l->h));
			if (n == NULL)
				return MLV_ENOMEM;
			l->h = n;
			l->cap = cap;
		}
		l->count++;
	}
	memcpy(l->h[index].b, h, HLEN);
	return 0;
}

void mlv_audit_mem_store(mlv_audit_store *out, mlv_audit_mem *m)
{
	out->ctx = m;
	out->get = mem_get;
	out->put = mem_put;
}

uint64_t mlv_audit_mem_count(const mlv_audit_mem *m, unsigned level)
{
	return level < MLV_ARRAY_LEN(m->level) ? m->level[level].count : 0;
}
