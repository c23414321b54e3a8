/* audit.h - a tamper-evident, append-only audit log in the manner of
 * Certificate Transparency (RFC 6962, RFC 9162).
 *
 * Every audited event becomes a leaf of a Merkle tree.  Whoever holds a
 * signed tree head (STH: size, time, root, Ed25519 signature) can ask the
 * server to prove that a given leaf is in the tree (inclusion proof) and
 * that a later tree extends an earlier one without rewriting it
 * (consistency proof), and check both offline with tools/mlv-verify.
 *
 * Hashing is exactly RFC 6962 section 2.1 with SHA-256:
 *   empty tree  MTH({})     = SHA-256("")
 *   leaf        MTH({d})    = SHA-256(0x00 || d)
 *   node        MTH(D[n])   = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))
 *                             with k the largest power of two below n.
 * Proofs are RFC 9162 section 2.1.3 (PATH) and 2.1.4 (SUBPROOF); the
 * verifiers follow sections 2.1.3.2 and 2.1.4.2 step by step.
 *
 * Storage: the library keeps no state.  A node (level, index) is the root
 * of the perfect subtree over leaves [index << level, (index + 1) << level);
 * only such complete subtrees are ever stored, each exactly once, and never
 * changed afterwards.  The caller supplies get/put callbacks (the SQLite
 * store, or the in-memory store below), so the tree scales to as many
 * leaves as the store holds: an append does one put per completed subtree
 * and one get per level it climbs (amortised two), and a root or a proof
 * reads at most about 2 * 64 stored nodes, whatever the size.  Hashes of
 * ragged right edges are computed on the fly from the perfect subtrees
 * that cover them.
 *
 * Sizes are whatever the caller says: the library cannot know how many
 * leaves the store holds, so asking for a size past the end shows up as
 * the store's "not found" from get.  An append writes several nodes; the
 * caller makes it atomic (one transaction per append). */
#ifndef MLV_AUDIT_H
#define MLV_AUDIT_H

#include "mlv/buf.h"
#include "mlv/common.h"

#define MLV_AUDIT_HASH_LEN 32 /* SHA-256 */
#define MLV_AUDIT_PK_LEN 32   /* Ed25519 public key */
#define MLV_AUDIT_SK_LEN 64   /* Ed25519 secret key (libsodium: seed || pk) */
#define MLV_AUDIT_SEED_LEN 32 /* Ed25519 seed */
#define MLV_AUDIT_SIG_LEN 64  /* Ed25519 signature */

/* The longest proof for any size that fits a uint64_t: an inclusion path
 * has at most 64 entries, a consistency path at most 64 plus the subtree
 * it starts from. */
#define MLV_AUDIT_PROOF_MAX 65

/* Room for the base64 text (original variant, padded) of n bytes,
 * terminating NUL included: 45 for a hash or key, 89 for a signature. */
#define MLV_AUDIT_B64_SIZE(n) (4 * (((n) + 2) / 3) + 1)

/* The largest tree size, index or timestamp the JSON writers accept: JSON
 * readers keep numbers as doubles (RFC 7493 section 2.2), exact only up to
 * 2^53 - 1. */
#define MLV_AUDIT_JSON_INT_MAX 9007199254740991ULL

/* One hash of a proof.  Proofs are arrays of this struct rather than of
 * uint8_t[32] because C17 will not pass a `uint8_t (*)[32]` where a
 * `const uint8_t (*)[32]` is expected without a diagnostic (-pedantic). */
typedef struct mlv_audit_hash {
	uint8_t b[MLV_AUDIT_HASH_LEN];
} mlv_audit_hash;

/* ---- hashing (RFC 6962 section 2.1) ---- */

/* SHA-256(0x00 || data[0..len)). */
void mlv_audit_leaf_hash(uint8_t out[MLV_AUDIT_HASH_LEN], const void *data, size_t len);
/* SHA-256(0x01 || left || right). */
void mlv_audit_node_hash(uint8_t out[MLV_AUDIT_HASH_LEN], const uint8_t left[MLV_AUDIT_HASH_LEN],
			 const uint8_t right[MLV_AUDIT_HASH_LEN]);
/* The root of the empty tree, SHA-256(""). */
void mlv_audit_empty_root(uint8_t out[MLV_AUDIT_HASH_LEN]);

/* ---- the tree, over caller-supplied node storage ---- */

/* Node storage.  get fills out with node (level, index) and returns 0, or
 * MLV_ENOTFOUND when it is not stored, or another negative code (MLV_EIO)
 * when the store fails.  put stores a node that does not exist yet.  Codes
 * a callback returns pass up unchanged (a positive one becomes MLV_EIO).
 * level is below 64; index is below 2^(64 - level). */
typedef struct mlv_audit_store {
	void *ctx;
	int (*get)(void *ctx, unsigned level, uint64_t index, uint8_t out[MLV_AUDIT_HASH_LEN]);
	int (*put)(void *ctx, unsigned level, uint64_t index, const uint8_t h[MLV_AUDIT_HASH_LEN]);
} mlv_audit_store;

/* Appends leaf number `size_before` (0-based), whose hash the caller made
 * with mlv_audit_leaf_hash: stores it at level 0 and every perfect subtree
 * it completes.  MLV_ETOOBIG when size_before is UINT64_MAX. */
int mlv_audit_append(const mlv_audit_store *st, uint64_t size_before,
		     const uint8_t leaf_hash[MLV_AUDIT_HASH_LEN]);

/* MTH of the first `size` leaves; size 0 gives the empty root. */
int mlv_audit_root(uint8_t out[MLV_AUDIT_HASH_LEN], const mlv_audit_store *st, uint64_t size);

/* The RFC 9162 inclusion proof PATH(index, D[size]), leaf sibling first,
 * into out[0..*out_len).  MLV_EINVALID when index >= size, MLV_ETOOBIG when
 * it needs more than `max` entries (MLV_AUDIT_PROOF_MAX always suffices). */
int mlv_audit_inclusion_proof(mlv_audit_hash *out, size_t *out_len, size_t max,
			      const mlv_audit_store *st, uint64_t index, uint64_t size);

/* The RFC 9162 consistency proof between the first m and the first n
 * leaves, into out[0..*out_len); empty when m == n.  MLV_EINVALID when
 * m == 0 (nothing to prove) or m > n, MLV_ETOOBIG as above. */
int mlv_audit_consistency_proof(mlv_audit_hash *out, size_t *out_len, size_t max,
				const mlv_audit_store *st, uint64_t m, uint64_t n);

/* RFC 9162 section 2.1.3.2: true when `proof` shows that leaf_hash is leaf
 * `index` of the tree of `size` leaves whose root is `root`.  Like the RFC's
 * algorithm, both verifiers check a path against the sizes they are given
 * but cannot tell whether a root is really that size's: take the size and
 * root from the same verified signed tree head, never from separate
 * sources. */
bool mlv_audit_verify_inclusion(uint64_t index, uint64_t size,
				const uint8_t leaf_hash[MLV_AUDIT_HASH_LEN],
				const mlv_audit_hash *proof, size_t len,
				const uint8_t root[MLV_AUDIT_HASH_LEN]);

/* RFC 9162 section 2.1.4.2: true when `proof` shows that the tree of n
 * leaves with root root_n extends the tree of m leaves with root root_m.
 * m == n holds with an empty proof and equal roots; m == 0 and m > n are
 * false, matching what mlv_audit_consistency_proof will produce. */
bool mlv_audit_verify_consistency(uint64_t m, uint64_t n,
				  const uint8_t root_m[MLV_AUDIT_HASH_LEN],
				  const uint8_t root_n[MLV_AUDIT_HASH_LEN],
				  const mlv_audit_hash *proof, size_t len);

/* ---- signed tree heads ---- */

/* The signed message is exactly MLV_AUDIT_STH_MSG_LEN (64) bytes:
 *   offset  0  16  the ASCII text "mlv-audit-sth-v1" (no NUL): names what
 *                  is signed and its version, so a tree-head signature can
 *                  never be taken for a signature over anything else
 *   offset 16   8  tree_size, unsigned, big-endian
 *   offset 24   8  timestamp_ms (milliseconds since 1970-01-01 UTC),
 *                  unsigned, big-endian
 *   offset 32  32  root hash
 * and the signature is Ed25519 (RFC 8032, libsodium crypto_sign_detached)
 * over those 64 bytes. */
#define MLV_AUDIT_STH_MAGIC "mlv-audit-sth-v1"
#define MLV_AUDIT_STH_MAGIC_LEN 16
#define MLV_AUDIT_STH_MSG_LEN 64

typedef struct mlv_audit_sth {
	uint64_t tree_size;
	uint64_t timestamp_ms;
	uint8_t root[MLV_AUDIT_HASH_LEN];
	uint8_t sig[MLV_AUDIT_SIG_LEN];
} mlv_audit_sth;

/* The bytes that are signed (layout above). */
void mlv_audit_sth_message(uint8_t out[MLV_AUDIT_STH_MSG_LEN], const mlv_audit_sth *sth);

/* A fresh random signing key pair.  MLV_EIO when libsodium cannot start. */
int mlv_audit_keypair(uint8_t pk_out[MLV_AUDIT_PK_LEN], uint8_t sk_out[MLV_AUDIT_SK_LEN]);
/* The key pair of a 32-byte seed, for keys kept as a seed in config. */
int mlv_audit_keypair_from_seed(uint8_t pk_out[MLV_AUDIT_PK_LEN], uint8_t sk_out[MLV_AUDIT_SK_LEN],
				const uint8_t seed[MLV_AUDIT_SEED_LEN]);

/* Signs tree_size, timestamp_ms and root into sth->sig. */
int mlv_audit_sth_sign(mlv_audit_sth *sth, const uint8_t sk[MLV_AUDIT_SK_LEN]);
/* True when sth->sig is pk's signature over the other three fields. */
bool mlv_audit_sth_verify(const mlv_audit_sth *sth, const uint8_t pk[MLV_AUDIT_PK_LEN]);

/* ---- base64 (original alphabet, padded), as hashes, keys and
 * signatures travel in JSON ---- */

/* Writes the text of bin[0..len) and its NUL into out[0..out_size).
 * MLV_ETOOBIG when out_size < MLV_AUDIT_B64_SIZE(len). */
int mlv_audit_b64_encode(char *out, size_t out_size, const uint8_t *bin, size_t len);
/* Decodes exactly `want` bytes from b64[0..b64_len) into out.  MLV_EINVALID
 * for anything else: a different length, bad characters or padding,
 * non-canonical trailing bits, whitespace, trailing text. */
int mlv_audit_b64_decode(uint8_t *out, size_t want, const char *b64, size_t b64_len);

/* ---- JSON documents read by tools/mlv-verify (its header comment is the
 * reference for the shape) ----
 *
 * Each writer appends one compact JSON object to `out` and nothing else;
 * on failure `out` is left as it was.  Numbers are JSON integers and must
 * not exceed MLV_AUDIT_JSON_INT_MAX (MLV_ETOOBIG otherwise); binary values
 * are base64 strings.
 *
 *   STH:          {"tree_size":N,"timestamp":MS,"root_hash":B64,"signature":B64}
 *   inclusion:    {"sth":STH,"leaf_index":I,"leaf_hash":B64[,"leaf":B64],
 *                  "audit_path":[B64,...]}
 *   consistency:  {"first":STH,"second":STH,"consistency_path":[B64,...]} */

int mlv_audit_json_sth(mlv_buf *out, const mlv_audit_sth *sth);

/* leaf may be NULL: then "leaf" is left out and the verifier relies on
 * leaf_hash.  MLV_EINVALID when leaf_index >= sth->tree_size, when leaf is
 * given and does not hash to leaf_hash, or when path_len exceeds
 * MLV_AUDIT_PROOF_MAX. */
int mlv_audit_json_inclusion(mlv_buf *out, const mlv_audit_sth *sth, uint64_t leaf_index,
			     const uint8_t leaf_hash[MLV_AUDIT_HASH_LEN], const void *leaf,
			     size_t leaf_len, const mlv_audit_hash *path, size_t path_len);

/* MLV_EINVALID when first->tree_size is 0 or above second->tree_size, or
 * path_len exceeds MLV_AUDIT_PROOF_MAX. */
int mlv_audit_json_consistency(mlv_buf *out, const mlv_audit_sth *first,
			       const mlv_audit_sth *second, const mlv_audit_hash *path,
			       size_t path_len);

/* ---- an in-memory store: one growable array per level ----
 *
 * For tests, for verifiers that rebuild a tree from downloaded leaves, and
 * for small tools.  Unlike a real store, put may also overwrite a node that
 * exists (tests use this to tamper); it refuses to leave a gap
 * (MLV_EINVALID).  Not thread-safe. */
typedef struct mlv_audit_mem mlv_audit_mem;

int mlv_audit_mem_new(mlv_audit_mem **out);
void mlv_audit_mem_free(mlv_audit_mem *m);
/* Callbacks over m, which must outlive *out. */
void mlv_audit_mem_store(mlv_audit_store *out, mlv_audit_mem *m);
/* Nodes stored at `level`; at level 0, the number of leaves. */
uint64_t mlv_audit_mem_count(const mlv_audit_mem *m, unsigned level);

#endif
