/* test_audit.c - the Merkle audit log (audit.h): RFC 6962 hashing against
 * known answers, the RFC 9162 proofs against a naive recursive transcription
 * of the RFC for every tree size up to 300, verification and its rejection
 * of every kind of tampering (well over a thousand random ones), the O(log n)
 * bound on store reads for trees of up to 2^64 - 1 leaves, failing stores,
 * signed tree heads, base64, the JSON documents, and - when MLV_VERIFY_BIN
 * names the built tools/mlv-verify - that the independent verifier accepts
 * what the library writes and refuses tampered copies.
 *
 * Random choices come from a fixed-seed splitmix64, so a failure repeats. */
#include "mlv/audit.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define N_LEAVES 300

/* ---- helpers ---- */

static uint64_t rng_state = 0x6d6c762d61756469ULL;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static uint64_t rnd_in(uint64_t lo, uint64_t hi)
{
	return lo + rnd() % (hi - lo + 1);
}

static void from_hex(uint8_t *out, size_t n, const char *hex)
{
	assert_int_equal(strlen(hex), 2 * n);
	for (size_t i = 0; i < n; i++) {
		unsigned v = 0;
		for (int j = 0; j < 2; j++) {
			char c = hex[2 * i + (size_t)j];
			v = v * 16 + (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
		}
		out[i] = (uint8_t)v;
	}
}

static void assert_hash_hex(const uint8_t h[MLV_AUDIT_HASH_LEN], const char *hex)
{
	uint8_t want[MLV_AUDIT_HASH_LEN];
	from_hex(want, sizeof(want), hex);
	assert_memory_equal(h, want, sizeof(want));
}

/* The leaf hashes of the shared tree: leaf i is its index, 8 bytes BE. */
static uint8_t lh[N_LEAVES][MLV_AUDIT_HASH_LEN];
static mlv_audit_mem *shared_mem;
static mlv_audit_store shared;
/* roots[n] = MTH of the first n leaves, computed naively. */
static uint8_t roots[N_LEAVES + 1][MLV_AUDIT_HASH_LEN];

static void leaf_of(uint8_t out[MLV_AUDIT_HASH_LEN], uint64_t i)
{
	uint8_t d[8];
	for (int k = 0; k < 8; k++)
		d[k] = (uint8_t)(i >> (56 - 8 * k));
	mlv_audit_leaf_hash(out, d, sizeof(d));
}

/* The proofs into a buffer that always has room. */
static int incl_proof(mlv_audit_hash *p, size_t *len, const mlv_audit_store *st, uint64_t index,
		      uint64_t size)
{
	return mlv_audit_inclusion_proof(p, len, MLV_AUDIT_PROOF_MAX, st, index, size);
}

static int cons_proof(mlv_audit_hash *p, size_t *len, const mlv_audit_store *st, uint64_t m,
		      uint64_t n)
{
	return mlv_audit_consistency_proof(p, len, MLV_AUDIT_PROOF_MAX, st, m, n);
}

/* ---- a naive transcription of RFC 9162 section 2.1, on arrays of leaf
 * hashes, as the reference the stored-tree code must match ---- */

static size_t naive_k(size_t n)
{
	size_t k = 1;
	while (k * 2 < n)
		k *= 2;
	return k;
}

static void naive_mth(uint8_t out[MLV_AUDIT_HASH_LEN], uint8_t (*d)[MLV_AUDIT_HASH_LEN], size_t n)
{
	if (n == 0) {
		mlv_audit_empty_root(out);
		return;
	}
	if (n == 1) {
		memcpy(out, d[0], MLV_AUDIT_HASH_LEN);
		return;
	}
	size_t k = naive_k(n);
	uint8_t l[MLV_AUDIT_HASH_LEN], r[MLV_AUDIT_HASH_LEN];
	naive_mth(l, d, k);
	naive_mth(r, d + k, n - k);
	mlv_audit_node_hash(out, l, r);
}

static void naive_path(mlv_audit_hash *out, size_t *len, size_t m, uint8_t (*d)[MLV_AUDIT_HASH_LEN],
		       size_t n)
{
	if (n <= 1)
		return;
	size_t k = naive_k(n);
	if (m < k) {
		naive_path(out, len, m, d, k);
		naive_mth(out[(*len)++].b, d + k, n - k);
	} else {
		naive_path(out, len, m - k, d + k, n - k);
		naive_mth(out[(*len)++].b, d, k);
	}
}

static void naive_subproof(mlv_audit_hash *out, size_t *len, size_t m,
			   uint8_t (*d)[MLV_AUDIT_HASH_LEN], size_t n, bool b)
{
	if (m == n) {
		if (!b)
			naive_mth(out[(*len)++].b, d, n);
		return;
	}
	size_t k = naive_k(n);
	if (m <= k) {
		naive_subproof(out, len, m, d, k, b);
		naive_mth(out[(*len)++].b, d + k, n - k);
	} else {
		naive_subproof(out, len, m - k, d + k, n - k, false);
		naive_mth(out[(*len)++].b, d, k);
	}
}

/* A fresh in-memory tree over hashes[0..n). */
static mlv_audit_mem *build(mlv_audit_store *st, uint8_t (*hashes)[MLV_AUDIT_HASH_LEN], size_t n)
{
	mlv_audit_mem *m = NULL;
	assert_int_equal(mlv_audit_mem_new(&m), 0);
	mlv_audit_mem_store(st, m);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(mlv_audit_append(st, i, hashes[i]), 0);
	return m;
}

static int group_setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_LEAVES; i++)
		leaf_of(lh[i], i);
	if (mlv_audit_mem_new(&shared_mem) != 0)
		return -1;
	mlv_audit_mem_store(&shared, shared_mem);
	for (size_t i = 0; i < N_LEAVES; i++)
		if (mlv_audit_append(&shared, i, lh[i]) != 0)
			return -1;
	for (size_t n = 0; n <= N_LEAVES; n++)
		naive_mth(roots[n], lh, n);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	mlv_audit_mem_free(shared_mem);
	return 0;
}

/* ---- known answers ---- */

/* The leaves of the Certificate Transparency test vectors, and the values
 * below, were computed from the RFC 6962 definitions with this script
 * (Python 3 standard library only), independently of the C code:
 *
 *   import hashlib
 *   def H(b): return hashlib.sha256(b).digest()
 *   def leaf(d): return H(b'\x00' + d)
 *   def node(l, r): return H(b'\x01' + l + r)
 *   def mth(ds):
 *       if not ds: return H(b'')
 *       if len(ds) == 1: return leaf(ds[0])
 *       k = 1
 *       while k * 2 < len(ds): k *= 2
 *       return node(mth(ds[:k]), mth(ds[k:]))
 *   def path(m, ds):
 *       n = len(ds)
 *       if n <= 1: return []
 *       k = 1
 *       while k * 2 < n: k *= 2
 *       if m < k: return path(m, ds[:k]) + [mth(ds[k:])]
 *       return path(m - k, ds[k:]) + [mth(ds[:k])]
 *   def subproof(m, ds, b):
 *       n = len(ds)
 *       if m == n: return [] if b else [mth(ds)]
 *       k = 1
 *       while k * 2 < n: k *= 2
 *       if m <= k: return subproof(m, ds[:k], b) + [mth(ds[k:])]
 *       return subproof(m - k, ds[k:], False) + [mth(ds[:k])]
 *   leaves = [bytes.fromhex(x) for x in ["", "00", "10", "2021", "3031",
 *       "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]]
 *   print(H(b'').hex())
 *   for d in leaves: print(leaf(d).hex())
 *   for n in range(1, 9): print(n, mth(leaves[:n]).hex())
 *   for (i, n) in [(0, 8), (5, 8), (2, 3), (1, 5), (6, 7)]:
 *       print(i, n, [h.hex() for h in path(i, leaves[:n])])
 *   for (m, n) in [(1, 8), (6, 8), (2, 5), (3, 7), (4, 8)]:
 *       print(m, n, [h.hex() for h in subproof(m, leaves[:n], True)])
 *
 * They agree with the vectors published with the CT implementations. */

static const char *const ct_leaves[8] = {
	"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
	"606162636465666768696a6b6c6d6e6f",
};

static const char *const ct_leaf_hashes[8] = {
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	"0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
	"07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
	"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
	"4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
	"b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
	"46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
};

static const char *const ct_roots[9] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

struct ct_proof {
	uint64_t a, b; /* (index, size) or (m, n) */
	size_t len;
	const char *hex[4];
};

static const struct ct_proof ct_inclusion[] = {
	{0, 8, 3, {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
		   "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		   "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
	{5, 8, 3, {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
		   "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
		   "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
	{2, 3, 1, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
	{1, 5, 3, {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		   "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		   "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
	{6, 7, 2, {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
		   "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

static const struct ct_proof ct_consistency[] = {
	{1, 8, 3, {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
		   "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		   "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
	{6, 8, 3, {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
		   "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
		   "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
	{2, 5, 2, {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		   "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
	{3, 7, 4, {"0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
		   "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
		   "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
		   "837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e"}},
	{4, 8, 1, {"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
};

static void test_hash_known_answers(void **state)
{
	(void)state;
	uint8_t h[MLV_AUDIT_HASH_LEN];
	mlv_audit_empty_root(h);
	assert_hash_hex(h, ct_roots[0]);
	for (size_t i = 0; i < 8; i++) {
		uint8_t d[16];
		size_t n = strlen(ct_leaves[i]) / 2;
		from_hex(d, n, ct_leaves[i]);
		mlv_audit_leaf_hash(h, d, n);
		assert_hash_hex(h, ct_leaf_hashes[i]);
	}
	/* The leaf hash of "" is SHA-256 of the single byte 0x00 and, as a
	 * one-leaf tree, also that tree's root. */
	mlv_audit_leaf_hash(h, NULL, 0);
	assert_hash_hex(h, ct_roots[1]);
	/* A node over two leaves is the two-leaf root; the output may alias
	 * an input. */
	uint8_t l[MLV_AUDIT_HASH_LEN], r[MLV_AUDIT_HASH_LEN];
	from_hex(l, sizeof(l), ct_leaf_hashes[0]);
	from_hex(r, sizeof(r), ct_leaf_hashes[1]);
	mlv_audit_node_hash(l, l, r);
	assert_hash_hex(l, ct_roots[2]);
}

static void test_ct_vectors(void **state)
{
	(void)state;
	uint8_t hashes[8][MLV_AUDIT_HASH_LEN];
	for (size_t i = 0; i < 8; i++)
		from_hex(hashes[i], MLV_AUDIT_HASH_LEN, ct_leaf_hashes[i]);
	mlv_audit_store st;
	mlv_audit_mem *m = build(&st, hashes, 0);
	uint8_t root[MLV_AUDIT_HASH_LEN];
	assert_int_equal(mlv_audit_root(root, &st, 0), 0);
	assert_hash_hex(root, ct_roots[0]);
	for (uint64_t n = 1; n <= 8; n++) {
		assert_int_equal(mlv_audit_append(&st, n - 1, hashes[n - 1]), 0);
		assert_int_equal(mlv_audit_root(root, &st, n), 0);
		assert_hash_hex(root, ct_roots[n]);
	}
	mlv_audit_hash p[MLV_AUDIT_PROOF_MAX];
	size_t len = 0;
	for (size_t t = 0; t < MLV_ARRAY_LEN(ct_inclusion); t++) {
		const struct ct_proof *v = &ct_inclusion[t];
		assert_int_equal(incl_proof(p, &len, &st, v->a, v->b), 0);
		assert_int_equal(len, v->len);
		for (size_t i = 0; i < len; i++)
			assert_hash_hex(p[i].b, v->hex[i]);
		from_hex(root, sizeof(root), ct_roots[v->b]);
		assert_true(mlv_audit_verify_inclusion(v->a, v->b, hashes[v->a], p, len, root));
	}
	for (size_t t = 0; t < MLV_ARRAY_LEN(ct_consistency); t++) {
		const struct ct_proof *v = &ct_consistency[t];
		uint8_t rm[MLV_AUDIT_HASH_LEN];
		assert_int_equal(cons_proof(p, &len, &st, v->a, v->b), 0);
		assert_int_equal(len, v->len);
		for (size_t i = 0; i < len; i++)
			assert_hash_hex(p[i].b, v->hex[i]);
		from_hex(rm, sizeof(rm), ct_roots[v->a]);
		from_hex(root, sizeof(root), ct_roots[v->b]);
		assert_true(mlv_audit_verify_consistency(v->a, v->b, rm, root, p, len));
	}
	mlv_audit_mem_free(m);
}

/* ---- every size up to 300 ---- */

static void test_roots_every_size(void **state)
{
	(void)state;
	mlv_audit_store st;
	mlv_audit_mem *m = build(&st, lh, 0);
	uint8_t root[MLV_AUDIT_HASH_LEN];
	for (uint64_t n = 1; n <= N_LEAVES; n++) {
		assert_int_equal(mlv_audit_append(&st, n - 1, lh[n - 1]), 0);
		assert_int_equal(mlv_audit_root(root, &st, n), 0);
		if (memcmp(root, roots[n], sizeof(root)) != 0)
			fail_msg("root of %u leaves, just appended, differs from MTH", (unsigned)n);
	}
	/* Earlier sizes stay answerable from the grown tree: nothing stored
	 * for a prefix ever changes. */
	for (uint64_t n = 0; n <= N_LEAVES; n++) {
		assert_int_equal(mlv_audit_root(root, &st, n), 0);
		if (memcmp(root, roots[n], sizeof(root)) != 0)
			fail_msg("root of the first %u of %u leaves differs from MTH", (unsigned)n,
				 N_LEAVES);
	}
	/* Exactly the perfect subtrees are stored: floor(300 / 2^l) per level. */
	for (unsigned l = 0; l < 64; l++)
		assert_int_equal(mlv_audit_mem_count(m, l), (uint64_t)N_LEAVES >> l);
	mlv_audit_mem_free(m);
}

static void flip(uint8_t *p, size_t len)
{
	p[rnd() % len] ^= (uint8_t)(1u << (rnd() % 8));
}

static unsigned long long checks;

/* Checks one inclusion proof and that each kind of change breaks it. */
static void check_inclusion(uint64_t index, uint64_t size)
{
	mlv_audit_hash p[MLV_AUDIT_PROOF_MAX + 1], want[MLV_AUDIT_PROOF_MAX];
	size_t len = 0, want_len = 0;
	assert_int_equal(incl_proof(p, &len, &shared, index, size), 0);
	naive_path(want, &want_len, index, lh, size);
	if (len != want_len || memcmp(p, want, len * sizeof(p[0])) != 0)
		fail_msg("inclusion proof of %u in %u differs from RFC PATH", (unsigned)index,
			 (unsigned)size);
	if (!mlv_audit_verify_inclusion(index, size, lh[index], p, len, roots[size]))
		fail_msg("inclusion proof of %u in %u does not verify", (unsigned)index,
			 (unsigned)size);

	/* Another leaf, or this one with a bit flipped. */
	uint8_t leaf[MLV_AUDIT_HASH_LEN];
	memcpy(leaf, lh[index], sizeof(leaf));
	flip(leaf, sizeof(leaf));
	assert_false(mlv_audit_verify_inclusion(index, size, leaf, p, len, roots[size]));
	uint64_t other = rnd() % N_LEAVES;
	if (other != index)
		assert_false(
			mlv_audit_verify_inclusion(index, size, lh[other], p, len, roots[size]));
	/* Another index of the same tree. */
	uint64_t idx[4] = {index ^ 1, index + 1, index - 1, rnd() % size};
	for (size_t i = 0; i < 4; i++) {
		if (idx[i] == index || idx[i] >= size)
			continue;
		if (mlv_audit_verify_inclusion(idx[i], size, lh[index], p, len, roots[size]))
			fail_msg("proof of %u in %u also verifies as index %u", (unsigned)index,
				 (unsigned)size, (unsigned)idx[i]);
	}
	/* Another size, with that size's true root. */
	uint64_t sz[3] = {size - 1, size + 1, rnd_in(1, N_LEAVES)};
	for (size_t i = 0; i < 3; i++) {
		if (sz[i] == size || sz[i] <= index || sz[i] > N_LEAVES)
			continue;
		if (mlv_audit_verify_inclusion(index, sz[i], lh[index], p, len, roots[sz[i]]))
			fail_msg("proof of %u in %u also verifies in size %u", (unsigned)index,
				 (unsigned)size, (unsigned)sz[i]);
	}
	/* Another root. */
	memcpy(leaf, roots[size], sizeof(leaf));
	flip(leaf, sizeof(leaf));
	assert_false(mlv_audit_verify_inclusion(index, size, lh[index], p, len, leaf));
	/* One bit of each proof entry; a shorter and a longer proof. */
	for (size_t i = 0; i < len; i++) {
		mlv_audit_hash keep = p[i];
		flip(p[i].b, MLV_AUDIT_HASH_LEN);
		if (mlv_audit_verify_inclusion(index, size, lh[index], p, len, roots[size]))
			fail_msg("proof of %u in %u verifies with entry %zu changed",
				 (unsigned)index, (unsigned)size, i);
		p[i] = keep;
	}
	if (len > 0)
		assert_false(mlv_audit_verify_inclusion(index, size, lh[index], p, len - 1,
							roots[size]));
	memcpy(p[len].b, lh[rnd() % N_LEAVES], MLV_AUDIT_HASH_LEN);
	assert_false(mlv_audit_verify_inclusion(index, size, lh[index], p, len + 1, roots[size]));
	checks++;
}

static void test_inclusion_every_size(void **state)
{
	(void)state;
	checks = 0;
	for (uint64_t size = 1; size <= N_LEAVES; size++) {
		if (size <= 64) {
			for (uint64_t i = 0; i < size; i++)
				check_inclusion(i, size);
		} else {
			check_inclusion(0, size);
			check_inclusion(size - 1, size);
			check_inclusion(size / 2, size);
			for (int k = 0; k < 6; k++)
				check_inclusion(rnd() % size, size);
		}
	}
	print_message("# %llu inclusion proofs checked with their tamperings\n", checks);
}

static void check_consistency(uint64_t m, uint64_t n)
{
	mlv_audit_hash p[MLV_AUDIT_PROOF_MAX + 1], want[MLV_AUDIT_PROOF_MAX];
	size_t len = 0, want_len = 0;
	assert_int_equal(cons_proof(p, &len, &shared, m, n), 0);
	naive_subproof(want, &want_len, m, lh, n, true);
	if (len != want_len || memcmp(p, want, len * sizeof(p[0])) != 0)
		fail_msg("consistency proof %u -> %u differs from RFC PROOF", (unsigned)m,
			 (unsigned)n);
	if (!mlv_audit_verify_consistency(m, n, roots[m], roots[n], p, len))
		fail_msg("consistency proof %u -> %u does not verify", (unsigned)m, (unsigned)n);

	uint8_t bad[MLV_AUDIT_HASH_LEN];
	/* Either root changed. */
	memcpy(bad, roots[m], sizeof(bad));
	flip(bad, sizeof(bad));
	assert_false(mlv_audit_verify_consistency(m, n, bad, roots[n], p, len));
	memcpy(bad, roots[n], sizeof(bad));
	flip(bad, sizeof(bad));
	assert_false(mlv_audit_verify_consistency(m, n, roots[m], bad, p, len));
	/* Other sizes, each with its true root. */
	uint64_t ms[3] = {m - 1, m + 1, rnd_in(1, n)};
	for (size_t i = 0; i < 3; i++) {
		if (ms[i] == m || ms[i] == 0 || ms[i] > n)
			continue;
		if (mlv_audit_verify_consistency(ms[i], n, roots[ms[i]], roots[n], p, len))
			fail_msg("proof %u -> %u also verifies from %u", (unsigned)m, (unsigned)n,
				 (unsigned)ms[i]);
	}
	uint64_t ns[3] = {n - 1, n + 1, rnd_in(m, N_LEAVES)};
	for (size_t i = 0; i < 3; i++) {
		if (ns[i] == n || ns[i] < m || ns[i] > N_LEAVES)
			continue;
		if (mlv_audit_verify_consistency(m, ns[i], roots[m], roots[ns[i]], p, len))
			fail_msg("proof %u -> %u also verifies to %u", (unsigned)m, (unsigned)n,
				 (unsigned)ns[i]);
	}
	/* One bit of each entry; a shorter and a longer proof. */
	for (size_t i = 0; i < len; i++) {
		mlv_audit_hash keep = p[i];
		flip(p[i].b, MLV_AUDIT_HASH_LEN);
		if (mlv_audit_verify_consistency(m, n, roots[m], roots[n], p, len))
			fail_msg("proof %u -> %u verifies with entry %zu changed", (unsigned)m,
				 (unsigned)n, i);
		p[i] = keep;
	}
	if (len > 0)
		assert_false(mlv_audit_verify_consistency(m, n, roots[m], roots[n], p, len - 1));
	memcpy(p[len].b, lh[rnd() % N_LEAVES], MLV_AUDIT_HASH_LEN);
	assert_false(mlv_audit_verify_consistency(m, n, roots[m], roots[n], p, len + 1));
	checks++;
}

static void test_consistency_pairs(void **state)
{
	(void)state;
	checks = 0;
	for (uint64_t n = 1; n <= 64; n++)
		for (uint64_t m = 1; m <= n; m++)
			check_consistency(m, n);
	for (int k = 0; k < 2000; k++) {
		uint64_t n = rnd_in(1, N_LEAVES);
		check_consistency(rnd_in(1, n), n);
	}
	print_message("# %llu consistency proofs checked with their tamperings\n", checks);
}

/* ---- bad arguments ---- */

static void test_invalid_arguments(void **state)
{
	(void)state;
	mlv_audit_hash p[MLV_AUDIT_PROOF_MAX];
	size_t len = 12345;
	uint8_t root[MLV_AUDIT_HASH_LEN];
	assert_int_equal(incl_proof(p, &len, &shared, 5, 5), MLV_EINVALID);
	assert_int_equal(incl_proof(p, &len, &shared, 9, 5), MLV_EINVALID);
	assert_int_equal(incl_proof(p, &len, &shared, 0, 0), MLV_EINVALID);
	assert_int_equal(cons_proof(p, &len, &shared, 0, 5), MLV_EINVALID);
	assert_int_equal(cons_proof(p, &len, &shared, 6, 5), MLV_EINVALID);
	assert_int_equal(cons_proof(p, &len, &shared, 0, 0), MLV_EINVALID);
	assert_int_equal(len, 12345);
	/* A proof that does not fit is refused before anything is written. */
	memset(p, 0xab, sizeof(p));
	assert_int_equal(mlv_audit_inclusion_proof(p, &len, 8, &shared, 3, 300), MLV_ETOOBIG);
	assert_int_equal(mlv_audit_consistency_proof(p, &len, 3, &shared, 3, 300), MLV_ETOOBIG);
	for (size_t i = 0; i < MLV_AUDIT_HASH_LEN; i++)
		assert_int_equal(p[0].b[i], 0xab);
	assert_int_equal(len, 12345);
	/* Exactly enough room is enough. */
	assert_int_equal(mlv_audit_inclusion_proof(p, &len, 9, &shared, 3, 300), 0);
	assert_int_equal(len, 9);
	/* Equal sizes give an empty proof, which only equal roots satisfy. */
	assert_int_equal(mlv_audit_consistency_proof(p, &len, 0, &shared, 7, 7), 0);
	assert_int_equal(len, 0);
	assert_true(mlv_audit_verify_consistency(7, 7, roots[7], roots[7], p, 0));
	assert_false(mlv_audit_verify_consistency(7, 7, roots[7], roots[8], p, 0));
	/* Sizes past the stored leaves are the store's "not found". */
	assert_int_equal(mlv_audit_root(root, &shared, N_LEAVES + 1), MLV_ENOTFOUND);
	assert_int_equal(incl_proof(p, &len, &shared, 0, 1000), MLV_ENOTFOUND);
	/* No leaf after the 2^64 - 1st. */
	assert_int_equal(mlv_audit_append(&shared, UINT64_MAX, lh[0]), MLV_ETOOBIG);
	/* The verifiers refuse what the provers refuse. */
	assert_false(mlv_audit_verify_inclusion(0, 0, lh[0], p, 0, roots[0]));
	assert_false(mlv_audit_verify_inclusion(1, 1, lh[0], p, 0, roots[1]));
	assert_true(mlv_audit_verify_inclusion(0, 1, lh[0], p, 0, roots[1]));
	assert_false(mlv_audit_verify_consistency(0, 0, roots[0], roots[0], p, 0));
	assert_false(mlv_audit_verify_consistency(0, 5, roots[0], roots[5], p, 0));
	assert_false(mlv_audit_verify_consistency(6, 5, roots[6], roots[5], p, 0));
	assert_false(mlv_audit_verify_consistency(3, 5, roots[3], roots[5], p, 0));
	/* An empty proof may come without an array. */
	assert_false(mlv_audit_verify_consistency(3, 5, roots[3], roots[5], NULL, 0));
	assert_false(mlv_audit_verify_consistency(4, 5, roots[4], roots[5], NULL, 0));
	assert_true(mlv_audit_verify_consistency(5, 5, roots[5], roots[5], NULL, 0));
	assert_false(mlv_audit_verify_inclusion(0, 2, lh[0], NULL, 0, roots[2]));
	assert_true(mlv_audit_verify_inclusion(0, 1, lh[0], NULL, 0, roots[1]));
	mlv_audit_hash big[MLV_AUDIT_PROOF_MAX + 1] = {{{0}}};
	assert_false(mlv_audit_verify_inclusion(0, UINT64_MAX, lh[0], big, MLV_AUDIT_PROOF_MAX + 1,
						roots[1]));
}

/* The RFC verifiers check the shape of a path against the sizes they are
 * told, not that a root belongs to a size (the signed tree head binds the
 * two).  So a genuine path shown with the genuine root but a false size is
 * what the "sn" checks exist to refuse; each case below slips through when
 * one of them is left out (found by searching all small trees). */
static void test_verify_size_checks(void **state)
{
	(void)state;
	mlv_audit_hash p[MLV_AUDIT_PROOF_MAX];
	size_t len = 0;
	/* Inclusion step 4a: the last leaf of 5 passed off as the only leaf. */
	assert_int_equal(incl_proof(p, &len, &shared, 4, 5), 0);
	assert_true(mlv_audit_verify_inclusion(4, 5, lh[4], p, len, roots[5]));
	assert_false(mlv_audit_verify_inclusion(0, 1, lh[4], p, len, roots[5]));
	/* Inclusion step 5: leaf 3 of 4 passed off as leaf 3 of 5. */
	assert_int_equal(incl_proof(p, &len, &shared, 3, 4), 0);
	assert_false(mlv_audit_verify_inclusion(3, 5, lh[3], p, len, roots[4]));
	/* Consistency step 6a: 7 -> 8 passed off as 3 -> 4. */
	assert_int_equal(cons_proof(p, &len, &shared, 7, 8), 0);
	assert_true(mlv_audit_verify_consistency(7, 8, roots[7], roots[8], p, len));
	assert_false(mlv_audit_verify_consistency(3, 4, roots[7], roots[8], p, len));
	/* Consistency step 7: 1 -> 2 passed off as 1 -> 4. */
	assert_int_equal(cons_proof(p, &len, &shared, 1, 2), 0);
	assert_false(mlv_audit_verify_consistency(1, 4, roots[1], roots[2], p, len));
}

static void test_mem_store(void **state)
{
	(void)state;
	mlv_audit_mem *m = NULL;
	mlv_audit_store st;
	uint8_t h[MLV_AUDIT_HASH_LEN];
	assert_int_equal(mlv_audit_mem_new(&m), 0);
	mlv_audit_mem_store(&st, m);
	assert_int_equal(st.get(st.ctx, 0, 0, h), MLV_ENOTFOUND);
	assert_int_equal(st.get(st.ctx, 64, 0, h), MLV_ENOTFOUND);
	assert_int_equal(st.put(st.ctx, 0, 1, lh[1]), MLV_EINVALID); /* a gap */
	assert_int_equal(st.put(st.ctx, 64, 0, lh[1]), MLV_EINVALID);
	/* Enough appends to grow the arrays a few times. */
	for (uint64_t i = 0; i < 1000; i++) {
		uint8_t leaf[MLV_AUDIT_HASH_LEN];
		leaf_of(leaf, i);
		assert_int_equal(mlv_audit_append(&st, i, leaf), 0);
	}
	assert_int_equal(mlv_audit_mem_count(m, 0), 1000);
	assert_int_equal(mlv_audit_mem_count(m, 9), 1);
	assert_int_equal(mlv_audit_mem_count(m, 10), 0);
	assert_int_equal(mlv_audit_mem_count(m, 200), 0);
	assert_int_equal(st.get(st.ctx, 0, 299, h), 0);
	assert_memory_equal(h, lh[299], sizeof(h));
	assert_int_equal(st.get(st.ctx, 9, 0, h), 0);
	uint8_t want[MLV_AUDIT_HASH_LEN];
	uint8_t first512[512][MLV_AUDIT_HASH_LEN];
	for (uint64_t i = 0; i < 512; i++)
		leaf_of(first512[i], i);
	naive_mth(want, first512, 512);
	assert_memory_equal(h, want, sizeof(h));
	mlv_audit_mem_free(m);
	mlv_audit_mem_free(NULL);
}

/* ---- failing stores: every error a callback returns reaches the caller ---- */

struct faulty {
	mlv_audit_store inner;
	long calls;   /* callbacks so far */
	long fail_at; /* the call that fails, from 1; 0 never */
	int code;
};

static int faulty_get(void *ctx, unsigned level, uint64_t index, uint8_t out[MLV_AUDIT_HASH_LEN])
{
	struct faulty *f = ctx;
	if (++f->calls == f->fail_at)
		return f->code;
	return f->inner.get(f->inner.ctx, level, index, out);
}

static int faulty_put(void *ctx, unsigned level, uint64_t index,
		      const uint8_t h[MLV_AUDIT_HASH_LEN])
{
	struct faulty *f = ctx;
	if (++f->calls == f->fail_at)
		return f->code;
	return f->inner.put(f->inner.ctx, level, index, h);
}

/* Runs op with the 1st, 2nd, ... callback failing until it needs fewer
 * calls than that; each run must return the injected code. */
static void torture(struct faulty *f, int (*op)(const mlv_audit_store *), int code, int want)
{
	mlv_audit_store st = {f, faulty_get, faulty_put};
	long n = 0;
	for (long at = 1;; at++) {
		f->calls = 0;
		f->fail_at = at;
		f->code = code;
		int rc = op(&st);
		if (f->calls < at) {
			assert_int_equal(rc, 0);
			break;
		}
		if (rc != want)
			fail_msg("failing call %ld of %ld: got %d, want %d", at, f->calls, rc,
				 want);
		n++;
	}
	assert_true(n > 0);
}

static int op_root(const mlv_audit_store *st)
{
	uint8_t r[MLV_AUDIT_HASH_LEN];
	return mlv_audit_root(r, st, 299);
}

static int op_inclusion(const mlv_audit_store *st)
{
	mlv_audit_hash p[MLV_AUDIT_PROOF_MAX];
	size_t len = 0;
	return incl_proof(p, &len, st, 17, 299);
}

static int op_consistency(const mlv_audit_store *st)
{
	mlv_audit_hash p[MLV_AUDIT_PROOF_MAX];
	size_t len = 0;
	return cons_proof(p, &len, st, 21, 299);
}

static int op_consistency_pow2(const mlv_audit_store *st)
{
	mlv_audit_hash p[MLV_AUDIT_PROOF_MAX];
	size_t len = 0;
	return cons_proof(p, &len, st, 64, 299);
}

/* Appends leaf 255 of a fresh tree each time: it completes eight subtrees. */
static mlv_audit_mem *append_mem;

static int op_append(const mlv_audit_store *st)
{
	mlv_audit_mem_free(append_mem);
	append_mem = NULL;
	if (mlv_audit_mem_new(&append_mem) != 0)
		return MLV_ENOMEM;
	mlv_audit_store plain;
	mlv_audit_mem_store(&plain, append_mem);
	for (uint64_t i = 0; i < 255; i++) {
		int rc = mlv_audit_append(&plain, i, lh[i]);
		if (rc != 0)
			return rc;
	}
	struct faulty *f = st->ctx;
	f->inner = plain;
	return mlv_audit_append(st, 255, lh[255]);
}

static void test_store_failures(void **state)
{
	(void)state;
	struct faulty f = {shared, 0, 0, 0};
	int (*ops[])(const mlv_audit_store *) = {op_root, op_inclusion, op_consistency,
						 op_consistency_pow2};
	for (size_t i = 0; i < MLV_ARRAY_LEN(ops); i++) {
		torture(&f, ops[i], MLV_EIO, MLV_EIO);
		torture(&f, ops[i], MLV_ENOTFOUND, MLV_ENOTFOUND);
		/* A callback that breaks the convention still yields an error. */
		torture(&f, ops[i], 1, MLV_EIO);
	}
	torture(&f, op_append, MLV_EIO, MLV_EIO);
	torture(&f, op_append, 7, MLV_EIO);
	/* The last, successful run stored the whole tree of 256. */
	uint8_t r[MLV_AUDIT_HASH_LEN];
	mlv_audit_store st;
	mlv_audit_mem_store(&st, append_mem);
	assert_int_equal(mlv_audit_root(r, &st, 256), 0);
	assert_memory_equal(r, roots[256], sizeof(r));
	assert_int_equal(mlv_audit_mem_count(append_mem, 8), 1);
	mlv_audit_mem_free(append_mem);
	append_mem = NULL;
}

/* ---- trees of up to 2^64 - 1 leaves, and the cost per operation ----
 *
 * A virtual store in which every leaf is the same: then node (l, i) is the
 * same T[l] for every i, the tree is consistent at any size, and nothing
 * needs to be stored.  Counting its reads bounds the work per operation. */

static uint8_t uniform[64][MLV_AUDIT_HASH_LEN];
static long reads, writes;

static int uniform_get(void *ctx, unsigned level, uint64_t index, uint8_t out[MLV_AUDIT_HASH_LEN])
{
	(void)ctx;
	assert_true(level < 64);
	assert_true(level == 0 || index < (UINT64_MAX >> level));
	reads++;
	memcpy(out, uniform[level], MLV_AUDIT_HASH_LEN);
	return 0;
}

static int uniform_put(void *ctx, unsigned level, uint64_t index,
		       const uint8_t h[MLV_AUDIT_HASH_LEN])
{
	(void)ctx;
	(void)index;
	assert_true(level < 64);
	assert_memory_equal(h, uniform[level], MLV_AUDIT_HASH_LEN);
	writes++;
	return 0;
}

static void test_huge_trees(void **state)
{
	(void)state;
	mlv_audit_store st = {NULL, uniform_get, uniform_put};
	leaf_of(uniform[0], 42);
	for (unsigned l = 1; l < 64; l++)
		mlv_audit_node_hash(uniform[l], uniform[l - 1], uniform[l - 1]);

	/* An append climbs one level per trailing one bit. */
	reads = writes = 0;
	assert_int_equal(mlv_audit_append(&st, (1ULL << 40) - 1, uniform[0]), 0);
	assert_int_equal(reads, 40);
	assert_int_equal(writes, 41);
	reads = writes = 0;
	assert_int_equal(mlv_audit_append(&st, UINT64_MAX - 1, uniform[0]), 0);
	assert_int_equal(reads, 0);
	assert_int_equal(writes, 1);
	reads = writes = 0;
	assert_int_equal(mlv_audit_append(&st, UINT64_MAX >> 1, uniform[0]), 0);
	assert_int_equal(reads, 63);
	assert_int_equal(writes, 64);

	uint64_t sizes[] = {1, 2, 3, 1ULL << 32, (1ULL << 40) + 12345, 1ULL << 63,
			    (1ULL << 63) + 1, UINT64_MAX - 1, UINT64_MAX, 0, 0, 0, 0, 0, 0};
	for (size_t i = 9; i < MLV_ARRAY_LEN(sizes); i++)
		sizes[i] = rnd() | 1;
	size_t longest_incl = 0, longest_cons = 0;
	for (size_t s = 0; s < MLV_ARRAY_LEN(sizes); s++) {
		uint64_t n = sizes[s];
		uint8_t root[MLV_AUDIT_HASH_LEN];
		reads = 0;
		assert_int_equal(mlv_audit_root(root, &st, n), 0);
		assert_true(reads <= 64);
		uint64_t idx[] = {0, n - 1, n / 2, rnd() % n, rnd() % n};
		for (size_t k = 0; k < MLV_ARRAY_LEN(idx); k++) {
			mlv_audit_hash p[MLV_AUDIT_PROOF_MAX + 1];
			size_t len = 0;
			reads = 0;
			assert_int_equal(incl_proof(p, &len, &st, idx[k], n), 0);
			if (reads > 2 * 64)
				fail_msg("inclusion proof in a tree of %llu leaves read %ld nodes",
					 (unsigned long long)n, reads);
			if (len > longest_incl)
				longest_incl = len;
			const uint8_t *leaf = uniform[0];
			assert_true(mlv_audit_verify_inclusion(idx[k], n, leaf, p, len, root));
			if (len > 0) {
				flip(p[rnd() % len].b, MLV_AUDIT_HASH_LEN);
				assert_false(
					mlv_audit_verify_inclusion(idx[k], n, leaf, p, len, root));
			}
		}
		for (int k = 0; k < 5; k++) {
			uint64_t m = k == 0 ? 1 : k == 1 ? n : k == 2 ? n - 1 : rnd_in(1, n);
			if (m == 0)
				continue;
			mlv_audit_hash p[MLV_AUDIT_PROOF_MAX + 1];
			size_t len = 0;
			uint8_t root_m[MLV_AUDIT_HASH_LEN];
			assert_int_equal(mlv_audit_root(root_m, &st, m), 0);
			reads = 0;
			assert_int_equal(cons_proof(p, &len, &st, m, n), 0);
			if (reads > 2 * 64 + 1)
				fail_msg("consistency proof %llu -> %llu read %ld nodes",
					 (unsigned long long)m, (unsigned long long)n, reads);
			if (len > longest_cons)
				longest_cons = len;
			assert_true(mlv_audit_verify_consistency(m, n, root_m, root, p, len));
			if (len > 0) {
				flip(p[rnd() % len].b, MLV_AUDIT_HASH_LEN);
				assert_false(
					mlv_audit_verify_consistency(m, n, root_m, root, p, len));
			}
		}
	}
	/* The deepest leaf of the largest tree has 64 siblings; no proof
	 * outgrows MLV_AUDIT_PROOF_MAX. */
	mlv_audit_hash p[MLV_AUDIT_PROOF_MAX];
	size_t len = 0;
	assert_int_equal(incl_proof(p, &len, &st, 0, UINT64_MAX), 0);
	assert_int_equal(len, 64);
	assert_int_equal(cons_proof(p, &len, &st, UINT64_MAX - 1, UINT64_MAX), 0);
	assert_true(len <= MLV_AUDIT_PROOF_MAX);
	assert_true(longest_incl <= 64);
	assert_true(longest_cons <= MLV_AUDIT_PROOF_MAX);
	print_message("# longest proofs seen: inclusion %zu, consistency %zu\n", longest_incl,
		      longest_cons);
}

/* ---- signed tree heads ---- */

/* RFC 8032 section 7.1, test 1: the seed and its public key.  The tree
 * head signatures below were made with that key by Python's
 * `cryptography` package, from the layout documented in audit.h:
 *
 *   import struct, base64
 *   from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
 *   sk = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(SEED))
 *   msg = b"mlv-audit-sth-v1" + struct.pack(">QQ", 8, 1700000000123) + mth(leaves)
 *   print(msg.hex(), sk.sign(msg).hex())
 *   msg3 = b"mlv-audit-sth-v1" + struct.pack(">QQ", 3, 1699999999999) + mth(leaves[:3])
 *   print(base64.b64encode(sk.sign(msg3)).decode())
 *   b = lambda h: base64.b64encode(h).decode()
 *   print([b(h) for h in path(3, leaves)], [b(h) for h in subproof(3, leaves, True)]) */
#define SEED_HEX "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
#define PK_HEX "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
#define PK_B64 "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
#define STH8_MSG_HEX                                                                       \
	"6d6c762d61756469742d7374682d763100000000000000080000018bcfe5687b"                 \
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
#define STH8_SIG_HEX                                                                       \
	"ae8e36d792795669eea46a31b3be230d8d05ad5108c05fbed1aee31fbb22a847"                 \
	"2683b9a8238340130fd5d8d804fc64529f97bca0ab440bab87f4eae3658e7706"
#define STH8_JSON                                                                          \
	"{\"tree_size\":8,\"timestamp\":1700000000123,"                                  \
	"\"root_hash\":\"XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\","                 \
	"\"signature\":\"ro4215J5VmnupGoxs74jDY0FrVEIwF++0a7jH7siqEcmg7moI4NAEw/V2NgE/"   \
	"GRSn5e8oKtEC6uH9OrjZY53Bg==\"}"
#define STH3_JSON                                                                          \
	"{\"tree_size\":3,\"timestamp\":1699999999999,"                                  \
	"\"root_hash\":\"rra8/idLcKFPsGel5VeCZNsPqbUa9eC6FZFY8yngbnc=\","                 \
	"\"signature\":\"l0RyGRKGZUCg2WYYr2jxNxjcs3ZnHLIeY9EENUdxBafIqKyQEamVFMmRz6Y8bsb6u/" \
	"ufWMCaKYDSHzYTT+MWAg==\"}"

static void kat_key(uint8_t pk[MLV_AUDIT_PK_LEN], uint8_t sk[MLV_AUDIT_SK_LEN])
{
	uint8_t seed[MLV_AUDIT_SEED_LEN];
	from_hex(seed, sizeof(seed), SEED_HEX);
	assert_int_equal(mlv_audit_keypair_from_seed(pk, sk, seed), 0);
}

static void kat_sth(mlv_audit_sth *sth, uint64_t size, uint64_t ts,
		    const uint8_t sk[MLV_AUDIT_SK_LEN])
{
	memset(sth, 0, sizeof(*sth));
	sth->tree_size = size;
	sth->timestamp_ms = ts;
	from_hex(sth->root, MLV_AUDIT_HASH_LEN, ct_roots[size]);
	assert_int_equal(mlv_audit_sth_sign(sth, sk), 0);
}

static void test_sth_known_answer(void **state)
{
	(void)state;
	uint8_t pk[MLV_AUDIT_PK_LEN], sk[MLV_AUDIT_SK_LEN], want_pk[MLV_AUDIT_PK_LEN];
	kat_key(pk, sk);
	from_hex(want_pk, sizeof(want_pk), PK_HEX);
	assert_memory_equal(pk, want_pk, sizeof(pk));
	mlv_audit_sth sth;
	kat_sth(&sth, 8, 1700000000123ULL, sk);
	uint8_t msg[MLV_AUDIT_STH_MSG_LEN], want_msg[MLV_AUDIT_STH_MSG_LEN];
	uint8_t want_sig[MLV_AUDIT_SIG_LEN];
	mlv_audit_sth_message(msg, &sth);
	from_hex(want_msg, sizeof(want_msg), STH8_MSG_HEX);
	assert_memory_equal(msg, want_msg, sizeof(msg));
	from_hex(want_sig, sizeof(want_sig), STH8_SIG_HEX);
	assert_memory_equal(sth.sig, want_sig, sizeof(want_sig));
	assert_true(mlv_audit_sth_verify(&sth, pk));
}

static void test_sth_tampering(void **state)
{
	(void)state;
	uint8_t pk[MLV_AUDIT_PK_LEN], sk[MLV_AUDIT_SK_LEN];
	uint8_t pk2[MLV_AUDIT_PK_LEN], sk2[MLV_AUDIT_SK_LEN];
	assert_int_equal(mlv_audit_keypair(pk, sk), 0);
	assert_int_equal(mlv_audit_keypair(pk2, sk2), 0);
	assert_memory_not_equal(pk, pk2, sizeof(pk));
	mlv_audit_sth sth = {300, 1776501000000ULL, {0}, {0}};
	memcpy(sth.root, roots[300], MLV_AUDIT_HASH_LEN);
	assert_int_equal(mlv_audit_sth_sign(&sth, sk), 0);
	assert_true(mlv_audit_sth_verify(&sth, pk));
	assert_false(mlv_audit_sth_verify(&sth, pk2));

	mlv_audit_sth t = sth;
	uint64_t deltas[] = {1, 2, 1ULL << 32, 1ULL << 63};
	for (size_t i = 0; i < MLV_ARRAY_LEN(deltas); i++) {
		t = sth;
		t.tree_size += deltas[i];
		assert_false(mlv_audit_sth_verify(&t, pk));
		t = sth;
		t.tree_size -= deltas[i];
		assert_false(mlv_audit_sth_verify(&t, pk));
		t = sth;
		t.timestamp_ms ^= deltas[i];
		assert_false(mlv_audit_sth_verify(&t, pk));
	}
	/* Swapping size and time must not sign the same bytes either. */
	t = sth;
	t.tree_size = sth.timestamp_ms;
	t.timestamp_ms = sth.tree_size;
	assert_false(mlv_audit_sth_verify(&t, pk));
	for (size_t i = 0; i < MLV_AUDIT_HASH_LEN * 8; i++) {
		t = sth;
		t.root[i / 8] ^= (uint8_t)(1u << (i % 8));
		assert_false(mlv_audit_sth_verify(&t, pk));
	}
	for (size_t i = 0; i < MLV_AUDIT_SIG_LEN * 8; i++) {
		t = sth;
		t.sig[i / 8] ^= (uint8_t)(1u << (i % 8));
		assert_false(mlv_audit_sth_verify(&t, pk));
	}
	/* The other key's signature over the same head. */
	t = sth;
	assert_int_equal(mlv_audit_sth_sign(&t, sk2), 0);
	assert_false(mlv_audit_sth_verify(&t, pk));
	assert_true(mlv_audit_sth_verify(&t, pk2));
}

/* ---- base64 ---- */

static void test_base64(void **state)
{
	(void)state;
	uint8_t pk[MLV_AUDIT_PK_LEN], back[MLV_AUDIT_PK_LEN];
	char text[MLV_AUDIT_B64_SIZE(MLV_AUDIT_SIG_LEN)];
	from_hex(pk, sizeof(pk), PK_HEX);
	assert_int_equal(MLV_AUDIT_B64_SIZE(32), 45);
	assert_int_equal(MLV_AUDIT_B64_SIZE(64), 89);
	assert_int_equal(MLV_AUDIT_B64_SIZE(0), 1);
	assert_int_equal(mlv_audit_b64_encode(text, 45, pk, sizeof(pk)), 0);
	assert_string_equal(text, PK_B64);
	assert_int_equal(mlv_audit_b64_encode(text, 44, pk, sizeof(pk)), MLV_ETOOBIG);
	assert_int_equal(mlv_audit_b64_decode(back, sizeof(back), PK_B64, strlen(PK_B64)), 0);
	assert_memory_equal(back, pk, sizeof(pk));
	assert_int_equal(mlv_audit_b64_encode(text, sizeof(text), (const uint8_t *)"", 0), 0);
	assert_string_equal(text, "");
	const uint8_t two[2] = {0x20, 0x21};
	assert_int_equal(mlv_audit_b64_encode(text, sizeof(text), two, 2), 0);
	assert_string_equal(text, "ICE=");

	static const char *const bad[] = {
		"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo",   /* no padding */
		"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo==", /* too much */
		"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURp=",  /* trailing bits set */
		"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo=",  /* URL-safe alphabet */
		"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcH Ro=",  /* a space */
		"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHUR==",  /* 31 bytes */
		"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURoA",  /* 33 bytes */
		"",
		"====",
	};
	for (size_t i = 0; i < MLV_ARRAY_LEN(bad); i++)
		if (mlv_audit_b64_decode(back, sizeof(back), bad[i], strlen(bad[i])) !=
		    MLV_EINVALID)
			fail_msg("\"%s\" decoded", bad[i]);
	/* The text's length is given, not found by a NUL: what follows it is
	 * not read, and an embedded NUL is an error. */
	const char *longer = PK_B64 "AAAA";
	assert_int_equal(mlv_audit_b64_decode(back, sizeof(back), longer, strlen(PK_B64)), 0);
	char nul[] = PK_B64;
	nul[10] = '\0';
	assert_int_equal(mlv_audit_b64_decode(back, sizeof(back), nul, sizeof(nul) - 1),
			 MLV_EINVALID);
	/* Round trips of every length up to 100. */
	for (size_t n = 0; n <= 100; n++) {
		uint8_t in[100], out[100];
		char t[MLV_AUDIT_B64_SIZE(100)];
		for (size_t i = 0; i < n; i++)
			in[i] = (uint8_t)rnd();
		assert_int_equal(mlv_audit_b64_encode(t, MLV_AUDIT_B64_SIZE(n), in, n), 0);
		assert_int_equal(strlen(t), MLV_AUDIT_B64_SIZE(n) - 1);
		assert_int_equal(mlv_audit_b64_decode(out, n, t, strlen(t)), 0);
		assert_memory_equal(in, out, n);
	}
}

/* ---- JSON documents ---- */

#define INCLUSION_3_8                                                                      \
	"{\"sth\":" STH8_JSON ",\"leaf_index\":3,"                                         \
	"\"leaf_hash\":\"B1Bqhf2d0vEg62lPhgEeW7RmLlxBWmKRcDPUqWJEh+c=\",\"leaf\":\"ICE=\"," \
	"\"audit_path\":[\"ApjRIpBtz8EIkstTpzmS/FufST6kybrbJ7eRtBJ6f+c=\","                \
	"\"+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU=\","                                \
	"\"a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=\"]}"
#define CONSISTENCY_3_8                                                                    \
	"{\"first\":" STH3_JSON ",\"second\":" STH8_JSON ","                               \
	"\"consistency_path\":[\"ApjRIpBtz8EIkstTpzmS/FufST6kybrbJ7eRtBJ6f+c=\","          \
	"\"B1Bqhf2d0vEg62lPhgEeW7RmLlxBWmKRcDPUqWJEh+c=\","                                \
	"\"+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU=\","                                \
	"\"a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=\"]}"

/* The CT tree of 8, and its tree heads at 3 and 8 under the RFC 8032 key. */
struct ct_log {
	mlv_audit_mem *mem;
	mlv_audit_store st;
	uint8_t pk[MLV_AUDIT_PK_LEN], sk[MLV_AUDIT_SK_LEN];
	mlv_audit_sth sth3, sth8;
};

static void ct_log_open(struct ct_log *c)
{
	uint8_t hashes[8][MLV_AUDIT_HASH_LEN];
	for (size_t i = 0; i < 8; i++)
		from_hex(hashes[i], MLV_AUDIT_HASH_LEN, ct_leaf_hashes[i]);
	c->mem = build(&c->st, hashes, 8);
	kat_key(c->pk, c->sk);
	kat_sth(&c->sth3, 3, 1699999999999ULL, c->sk);
	kat_sth(&c->sth8, 8, 1700000000123ULL, c->sk);
}

static void test_json_documents(void **state)
{
	(void)state;
	struct ct_log c;
	ct_log_open(&c);
	mlv_buf b = MLV_BUF_INIT(1 << 16);
	mlv_audit_hash p[MLV_AUDIT_PROOF_MAX];
	size_t len = 0;
	uint8_t leaf[2] = {0x20, 0x21}, leaf_hash[MLV_AUDIT_HASH_LEN];
	mlv_audit_leaf_hash(leaf_hash, leaf, sizeof(leaf));

	assert_int_equal(mlv_audit_json_sth(&b, &c.sth8), 0);
	assert_string_equal(b.data, STH8_JSON);
	mlv_buf_reset(&b);
	assert_int_equal(incl_proof(p, &len, &c.st, 3, 8), 0);
	assert_int_equal(
		mlv_audit_json_inclusion(&b, &c.sth8, 3, leaf_hash, leaf, sizeof(leaf), p, len), 0);
	assert_string_equal(b.data, INCLUSION_3_8);
	mlv_buf_reset(&b);
	assert_int_equal(cons_proof(p, &len, &c.st, 3, 8), 0);
	assert_int_equal(mlv_audit_json_consistency(&b, &c.sth3, &c.sth8, p, len), 0);
	assert_string_equal(b.data, CONSISTENCY_3_8);

	/* Refusals leave the buffer as it was. */
	mlv_buf_reset(&b);
	assert_int_equal(mlv_buf_adds(&b, "keep"), 0);
	mlv_audit_hash none[1];
	uint8_t other[MLV_AUDIT_HASH_LEN] = {0};
	/* An index outside the tree, a leaf that is not leaf_hash's, a path
	 * longer than any. */
	int rc = mlv_audit_json_inclusion(&b, &c.sth8, 8, leaf_hash, NULL, 0, none, 0);
	assert_int_equal(rc, MLV_EINVALID);
	rc = mlv_audit_json_inclusion(&b, &c.sth8, 3, other, leaf, sizeof(leaf), none, 0);
	assert_int_equal(rc, MLV_EINVALID);
	rc = mlv_audit_json_inclusion(&b, &c.sth8, 3, leaf_hash, NULL, 0, p,
				      MLV_AUDIT_PROOF_MAX + 1);
	assert_int_equal(rc, MLV_EINVALID);
	assert_int_equal(mlv_audit_json_consistency(&b, &c.sth8, &c.sth3, p, 0), MLV_EINVALID);
	mlv_audit_sth empty = c.sth3;
	empty.tree_size = 0;
	assert_int_equal(mlv_audit_json_consistency(&b, &empty, &c.sth3, p, 0), MLV_EINVALID);
	mlv_audit_sth huge = c.sth8;
	huge.tree_size = MLV_AUDIT_JSON_INT_MAX + 1;
	assert_int_equal(mlv_audit_json_sth(&b, &huge), MLV_ETOOBIG);
	huge.tree_size = MLV_AUDIT_JSON_INT_MAX;
	huge.timestamp_ms = UINT64_MAX;
	assert_int_equal(mlv_audit_json_sth(&b, &huge), MLV_ETOOBIG);
	assert_string_equal(b.data, "keep");
	huge.timestamp_ms = MLV_AUDIT_JSON_INT_MAX;
	assert_int_equal(mlv_audit_json_sth(&b, &huge), 0);
	assert_non_null(
		strstr(b.data, "\"tree_size\":9007199254740991,\"timestamp\":9007199254740991"));
	mlv_buf_free(&b);

	/* A buffer that runs out half way, at every possible point. */
	size_t full = strlen(INCLUSION_3_8);
	assert_int_equal(incl_proof(p, &len, &c.st, 3, 8), 0);
	for (size_t max = 4; max <= full + 4; max++) {
		mlv_buf s = MLV_BUF_INIT(max);
		assert_int_equal(mlv_buf_adds(&s, "keep"), 0);
		rc = mlv_audit_json_inclusion(&s, &c.sth8, 3, leaf_hash, leaf, sizeof(leaf), p,
					      len);
		if (max < full + 4) {
			assert_int_equal(rc, MLV_ETOOBIG);
			assert_int_equal(s.len, 4);
			assert_string_equal(s.data, "keep");
		} else {
			assert_int_equal(rc, 0);
			assert_string_equal(s.data, "keep" INCLUSION_3_8);
		}
		mlv_buf_free(&s);
	}
	mlv_audit_mem_free(c.mem);
}

/* ---- random tampering: every change a dishonest or damaged log could make
 * is caught by someone holding earlier signed tree heads and leaves ---- */

enum {
	T_FLIP_NODE,  /* a bit of a stored leaf or node changes */
	T_REWRITE,    /* a leaf is replaced and the tree honestly rehashed */
	T_DELETE,     /* a leaf is removed, later ones move up */
	T_SWAP,       /* two leaves trade places */
	T_FORGE_SIG,  /* a bit of a tree head signature changes */
	T_FORGE_HEAD, /* the root, size or time of a signed head changes */
	T_WRONG_KEY,  /* a head signed by some other key */
	T_KINDS
};

static const char *const tamper_name[T_KINDS] = {
	"flip a bit of a stored node", "rewrite a leaf and rehash", "delete a leaf",
	"swap two leaves", "forge a signature", "forge a signed field", "wrong public key",
};

/* True when a consistency proof from the honest head of size m to the
 * tampered tree of size n fails, as an auditor would find. */
static bool consistency_breaks(const mlv_audit_store *tampered, uint64_t m, uint64_t n)
{
	mlv_audit_hash p[MLV_AUDIT_PROOF_MAX];
	size_t len = 0;
	uint8_t root[MLV_AUDIT_HASH_LEN];
	assert_int_equal(mlv_audit_root(root, tampered, n), 0);
	assert_int_equal(cons_proof(p, &len, tampered, m, n), 0);
	return !mlv_audit_verify_consistency(m, n, roots[m], root, p, len);
}

static bool tamper_once(int kind, const uint8_t pk[MLV_AUDIT_PK_LEN],
			const uint8_t sk[MLV_AUDIT_SK_LEN])
{
	static uint8_t forged[N_LEAVES][MLV_AUDIT_HASH_LEN];
	uint64_t n = rnd_in(3, 64);
	mlv_audit_store st;
	mlv_audit_mem *m = NULL;
	bool caught = false;

	if (kind == T_FLIP_NODE) {
		m = build(&st, lh, n);
		unsigned levels = 0;
		while (mlv_audit_mem_count(m, levels) > 0)
			levels++;
		unsigned level = (unsigned)(rnd() % levels);
		uint64_t index = rnd() % mlv_audit_mem_count(m, level);
		uint8_t h[MLV_AUDIT_HASH_LEN];
		assert_int_equal(st.get(st.ctx, level, index, h), 0);
		flip(h, sizeof(h));
		assert_int_equal(st.put(st.ctx, level, index, h), 0);
		/* Either the log's root moves off the signed one, or some
		 * leaf's proof stops verifying against it. */
		uint8_t root[MLV_AUDIT_HASH_LEN];
		assert_int_equal(mlv_audit_root(root, &st, n), 0);
		caught = memcmp(root, roots[n], sizeof(root)) != 0;
		for (uint64_t j = 0; j < n && !caught; j++) {
			mlv_audit_hash p[MLV_AUDIT_PROOF_MAX];
			size_t len = 0;
			assert_int_equal(incl_proof(p, &len, &st, j, n), 0);
			caught = !mlv_audit_verify_inclusion(j, n, lh[j], p, len, roots[n]);
		}
	} else if (kind == T_REWRITE || kind == T_DELETE || kind == T_SWAP) {
		/* The auditor holds an honest head of size `old`, taken after
		 * the changed leaf was logged. */
		memcpy(forged, lh, n * sizeof(forged[0]));
		uint64_t j = rnd() % (n - 1), size = n, first = j;
		if (kind == T_REWRITE) {
			leaf_of(forged[j], 1000000 + rnd() % 1000);
		} else if (kind == T_DELETE) {
			memmove(forged[j], forged[j + 1], (n - j - 1) * sizeof(forged[0]));
			size = n - 1;
		} else {
			uint64_t k = rnd_in(j + 1, n - 1);
			memcpy(forged[j], lh[k], MLV_AUDIT_HASH_LEN);
			memcpy(forged[k], lh[j], MLV_AUDIT_HASH_LEN);
		}
		m = build(&st, forged, size);
		uint64_t old = rnd_in(first + 1, size);
		caught = consistency_breaks(&st, old, size);
	} else {
		mlv_audit_sth sth = {rnd_in(1, N_LEAVES), rnd() >> 20, {0}, {0}};
		memcpy(sth.root, roots[sth.tree_size], MLV_AUDIT_HASH_LEN);
		assert_int_equal(mlv_audit_sth_sign(&sth, sk), 0);
		assert_true(mlv_audit_sth_verify(&sth, pk));
		if (kind == T_FORGE_SIG) {
			flip(sth.sig, sizeof(sth.sig));
			caught = !mlv_audit_sth_verify(&sth, pk);
		} else if (kind == T_FORGE_HEAD) {
			switch (rnd() % 3) {
			case 0: flip(sth.root, sizeof(sth.root)); break;
			case 1: sth.tree_size ^= (uint64_t)1 << (rnd() % 64); break;
			default: sth.timestamp_ms ^= (uint64_t)1 << (rnd() % 64); break;
			}
			caught = !mlv_audit_sth_verify(&sth, pk);
		} else {
			uint8_t pk2[MLV_AUDIT_PK_LEN], sk2[MLV_AUDIT_SK_LEN];
			assert_int_equal(mlv_audit_keypair(pk2, sk2), 0);
			assert_int_equal(mlv_audit_sth_sign(&sth, sk2), 0);
			caught = !mlv_audit_sth_verify(&sth, pk);
		}
	}
	mlv_audit_mem_free(m);
	return caught;
}

static void test_random_tampering(void **state)
{
	(void)state;
	uint8_t pk[MLV_AUDIT_PK_LEN], sk[MLV_AUDIT_SK_LEN];
	unsigned tried[T_KINDS] = {0}, caught[T_KINDS] = {0}, total = 0;
	assert_int_equal(mlv_audit_keypair(pk, sk), 0);
	for (unsigned t = 0; t < 200 * T_KINDS; t++) {
		int kind = (int)(t % T_KINDS);
		tried[kind]++;
		if (tamper_once(kind, pk, sk))
			caught[kind]++;
		total++;
	}
	for (int k = 0; k < T_KINDS; k++) {
		print_message("# %-28s %u of %u caught\n", tamper_name[k], caught[k], tried[k]);
		assert_int_equal(caught[k], tried[k]);
	}
	assert_true(total >= 1000);
}

/* ---- the independent verifier, when built (MLV_VERIFY_BIN) ---- */

/* The verifier under test, its key, and the temporary directory and files
 * of the test. */
static const char *ext_bin;
static char ext_key[MLV_AUDIT_B64_SIZE(MLV_AUDIT_PK_LEN)];
static char ext_dir[256];
static char ext_files[64][320];
static size_t ext_nfiles;

static const char *write_doc_n(const char *name, const char *text, size_t n)
{
	assert_true(ext_nfiles < MLV_ARRAY_LEN(ext_files));
	char *path = ext_files[ext_nfiles++];
	int len = snprintf(path, sizeof(ext_files[0]), "%s/%s", ext_dir, name);
	assert_true(len > 0 && (size_t)len < sizeof(ext_files[0]));
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Runs the verifier; its exit status, with stdout and stderr in out. */
static int run_verifier(const char *mode, const char *file, const char *key, char *out,
			size_t size)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		execl(ext_bin, ext_bin, mode, file, "--key", key, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	size_t len = 0;
	for (;;) {
		ssize_t r = read(fds[0], out + len, size - 1 - len);
		if (r <= 0)
			break;
		len += (size_t)r;
		if (len == size - 1)
			break;
	}
	out[len] = '\0';
	close(fds[0]);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void expect_verified(const char *mode, const char *file, const char *key)
{
	char out[4096];
	int rc = run_verifier(mode, file, key, out, sizeof(out));
	if (rc != 0 || strcmp(out, "verified\n") != 0)
		fail_msg("%s %s: exit %d, said: %s", mode, file, rc, out);
}

static void expect_refused(const char *mode, const char *file, const char *key, const char *why)
{
	char out[4096];
	int rc = run_verifier(mode, file, key, out, sizeof(out));
	if (rc != 1 || strstr(out, "not verified") == NULL)
		fail_msg("%s (%s %s): exit %d, said: %s", why, mode, file, rc, out);
}

/* Writes text to `name` and expects the verifier to accept it with key. */
static void accept(const char *mode, const char *name, const char *text, const char *key)
{
	expect_verified(mode, write_doc_n(name, text, strlen(text)), key);
}

/* Writes text to `name` and expects the verifier to refuse it. */
static void refuse(const char *mode, const char *name, const char *text, const char *why)
{
	expect_refused(mode, write_doc_n(name, text, strlen(text)), ext_key, why);
}

/* A copy of text with the character at `at` replaced. */
static char *mutate(const char *text, size_t at, char c)
{
	size_t len = strlen(text);
	char *copy = malloc(len + 1);
	assert_non_null(copy);
	memcpy(copy, text, len + 1);
	copy[at] = c;
	return copy;
}

static void test_external_verifier(void **state)
{
	(void)state;
	ext_bin = getenv("MLV_VERIFY_BIN");
	if (ext_bin == NULL || ext_bin[0] == '\0') {
		print_message("# MLV_VERIFY_BIN is not set: the external verifier is not run\n");
		skip();
	}
	const char *tmp = getenv("TMPDIR");
	snprintf(ext_dir, sizeof(ext_dir), "%s/mlv-audit-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	assert_non_null(mkdtemp(ext_dir));
	ext_nfiles = 0;

	/* A log of 300 leaves under a fresh key, with heads at 123 and 300. */
	uint8_t pk[MLV_AUDIT_PK_LEN], sk[MLV_AUDIT_SK_LEN];
	uint8_t pk2[MLV_AUDIT_PK_LEN], sk2[MLV_AUDIT_SK_LEN];
	char key2[MLV_AUDIT_B64_SIZE(MLV_AUDIT_PK_LEN)];
	assert_int_equal(mlv_audit_keypair(pk, sk), 0);
	assert_int_equal(mlv_audit_keypair(pk2, sk2), 0);
	assert_int_equal(mlv_audit_b64_encode(ext_key, sizeof(ext_key), pk, sizeof(pk)), 0);
	assert_int_equal(mlv_audit_b64_encode(key2, sizeof(key2), pk2, sizeof(pk2)), 0);
	mlv_audit_sth old = {123, 1776500000000ULL, {0}, {0}};
	mlv_audit_sth cur = {300, 1776501000000ULL, {0}, {0}};
	memcpy(old.root, roots[123], MLV_AUDIT_HASH_LEN);
	memcpy(cur.root, roots[300], MLV_AUDIT_HASH_LEN);
	assert_int_equal(mlv_audit_sth_sign(&old, sk), 0);
	assert_int_equal(mlv_audit_sth_sign(&cur, sk), 0);
	uint8_t leaf77[8] = {0, 0, 0, 0, 0, 0, 0, 77};
	mlv_audit_hash p[MLV_AUDIT_PROOF_MAX];
	size_t len = 0;
	mlv_buf b = MLV_BUF_INIT(1 << 20);

	/* What the library writes, the verifier accepts. */
	assert_int_equal(incl_proof(p, &len, &shared, 77, 300), 0);
	assert_int_equal(
		mlv_audit_json_inclusion(&b, &cur, 77, lh[77], leaf77, sizeof(leaf77), p, len), 0);
	char *incl = mlv_buf_detach(&b, NULL);
	accept("inclusion", "incl.json", incl, ext_key);
	assert_int_equal(mlv_audit_json_inclusion(&b, &cur, 77, lh[77], NULL, 0, p, len), 0);
	accept("inclusion", "incl-hash.json", b.data, ext_key);
	mlv_buf_reset(&b);
	assert_int_equal(cons_proof(p, &len, &shared, 123, 300), 0);
	assert_int_equal(mlv_audit_json_consistency(&b, &old, &cur, p, len), 0);
	char *cons = mlv_buf_detach(&b, NULL);
	accept("consistency", "cons.json", cons, ext_key);
	assert_int_equal(mlv_audit_json_consistency(&b, &cur, &cur, p, 0), 0);
	accept("consistency", "cons-same.json", b.data, ext_key);
	mlv_buf_reset(&b);
	/* From a power of two the old root is left out of the path. */
	mlv_audit_sth at64 = {64, 1776499000000ULL, {0}, {0}};
	memcpy(at64.root, roots[64], MLV_AUDIT_HASH_LEN);
	assert_int_equal(mlv_audit_sth_sign(&at64, sk), 0);
	assert_int_equal(cons_proof(p, &len, &shared, 64, 300), 0);
	assert_int_equal(mlv_audit_json_consistency(&b, &at64, &cur, p, len), 0);
	accept("consistency", "cons-64.json", b.data, ext_key);
	mlv_buf_reset(&b);
	/* And the documents computed in Python above. */
	accept("inclusion", "ct-incl.json", INCLUSION_3_8, PK_B64);
	accept("consistency", "ct-cons.json", CONSISTENCY_3_8, PK_B64);

	/* Refusals. */
	expect_refused("inclusion", ext_files[0], key2, "another key");
	expect_refused("consistency", ext_files[0], ext_key, "the wrong mode");
	expect_refused("inclusion", ext_files[2], ext_key, "the wrong mode");
	expect_refused("inclusion", "/nonexistent/proof.json", ext_key, "a missing file");
	assert_int_equal(incl_proof(p, &len, &shared, 77, 300), 0);
	assert_int_equal(mlv_audit_json_inclusion(&b, &cur, 78, lh[77], NULL, 0, p, len), 0);
	refuse("inclusion", "bad-index.json", b.data, "another index");
	mlv_buf_reset(&b);
	assert_int_equal(mlv_audit_json_inclusion(&b, &cur, 78, lh[78], NULL, 0, p, len), 0);
	refuse("inclusion", "bad-leaf.json", b.data, "another leaf");
	mlv_buf_reset(&b);
	p[len / 2].b[5] ^= 0x10;
	assert_int_equal(mlv_audit_json_inclusion(&b, &cur, 77, lh[77], NULL, 0, p, len), 0);
	refuse("inclusion", "bad-path.json", b.data, "a changed path");
	mlv_buf_reset(&b);
	p[len / 2].b[5] ^= 0x10;
	assert_int_equal(mlv_audit_json_inclusion(&b, &cur, 77, lh[77], NULL, 0, p, len - 1), 0);
	refuse("inclusion", "short-path.json", b.data, "a short path");
	mlv_buf_reset(&b);
	/* A head the log signed over a root that is not the tree's. */
	mlv_audit_sth lie = cur;
	lie.root[0] ^= 1;
	assert_int_equal(mlv_audit_json_inclusion(&b, &lie, 77, lh[77], NULL, 0, p, len), 0);
	refuse("inclusion", "bad-sig.json", b.data, "an unsigned root");
	mlv_buf_reset(&b);
	assert_int_equal(mlv_audit_sth_sign(&lie, sk), 0);
	assert_int_equal(mlv_audit_json_inclusion(&b, &lie, 77, lh[77], NULL, 0, p, len), 0);
	refuse("inclusion", "bad-root.json", b.data, "a signed wrong root");
	mlv_buf_reset(&b);
	assert_int_equal(cons_proof(p, &len, &shared, 123, 300), 0);
	assert_int_equal(mlv_audit_json_consistency(&b, &old, &lie, p, len), 0);
	refuse("consistency", "cons-root.json", b.data, "a forked head");
	mlv_buf_reset(&b);
	p[0].b[0] ^= 0x80;
	assert_int_equal(mlv_audit_json_consistency(&b, &old, &cur, p, len), 0);
	refuse("consistency", "cons-path.json", b.data, "a changed path");
	mlv_buf_reset(&b);
	/* Heads the log signed over true roots with false sizes (see
	 * test_verify_size_checks): the verifier's size checks refuse them. */
	mlv_audit_sth s1 = {1, 1776501000000ULL, {0}, {0}}, s3 = s1, s4 = s1;
	memcpy(s1.root, roots[5], MLV_AUDIT_HASH_LEN);
	memcpy(s3.root, roots[7], MLV_AUDIT_HASH_LEN);
	memcpy(s4.root, roots[8], MLV_AUDIT_HASH_LEN);
	s3.tree_size = 3;
	s4.tree_size = 4;
	assert_int_equal(mlv_audit_sth_sign(&s1, sk), 0);
	assert_int_equal(mlv_audit_sth_sign(&s3, sk), 0);
	assert_int_equal(mlv_audit_sth_sign(&s4, sk), 0);
	assert_int_equal(incl_proof(p, &len, &shared, 4, 5), 0);
	assert_int_equal(mlv_audit_json_inclusion(&b, &s1, 0, lh[4], NULL, 0, p, len), 0);
	refuse("inclusion", "false-size.json", b.data, "a false size");
	mlv_buf_reset(&b);
	assert_int_equal(cons_proof(p, &len, &shared, 7, 8), 0);
	assert_int_equal(mlv_audit_json_consistency(&b, &s3, &s4, p, len), 0);
	refuse("consistency", "false-sizes.json", b.data, "false sizes");
	mlv_buf_reset(&b);
	mlv_audit_sth s5 = s1, r1 = s1, r4 = s1;
	s5.tree_size = 5;
	memcpy(s5.root, roots[4], MLV_AUDIT_HASH_LEN);
	memcpy(r1.root, roots[1], MLV_AUDIT_HASH_LEN);
	r4.tree_size = 4;
	memcpy(r4.root, roots[2], MLV_AUDIT_HASH_LEN);
	assert_int_equal(mlv_audit_sth_sign(&s5, sk), 0);
	assert_int_equal(mlv_audit_sth_sign(&r1, sk), 0);
	assert_int_equal(mlv_audit_sth_sign(&r4, sk), 0);
	assert_int_equal(incl_proof(p, &len, &shared, 3, 4), 0);
	assert_int_equal(mlv_audit_json_inclusion(&b, &s5, 3, lh[3], NULL, 0, p, len), 0);
	refuse("inclusion", "false-size2.json", b.data, "a false size");
	mlv_buf_reset(&b);
	assert_int_equal(cons_proof(p, &len, &shared, 1, 2), 0);
	assert_int_equal(mlv_audit_json_consistency(&b, &r1, &r4, p, len), 0);
	refuse("consistency", "false-sizes2.json", b.data, "false sizes");
	mlv_buf_reset(&b);
	/* Heads in the wrong order, and an empty first tree, which the
	 * library's writer will not produce. */
	char *cons_path = strstr(cons, ",\"consistency_path\"");
	assert_non_null(cons_path);
	mlv_audit_sth none = {0, 1776400000000ULL, {0}, {0}};
	mlv_audit_empty_root(none.root);
	assert_int_equal(mlv_audit_sth_sign(&none, sk), 0);
	const mlv_audit_sth *pairs[2][2] = {{&cur, &old}, {&none, &cur}};
	for (int k = 0; k < 2; k++) {
		assert_int_equal(mlv_buf_adds(&b, "{\"first\":"), 0);
		assert_int_equal(mlv_audit_json_sth(&b, pairs[k][0]), 0);
		assert_int_equal(mlv_buf_adds(&b, ",\"second\":"), 0);
		assert_int_equal(mlv_audit_json_sth(&b, pairs[k][1]), 0);
		assert_int_equal(mlv_buf_adds(&b, cons_path), 0);
		refuse("consistency", k ? "empty-first.json" : "backwards.json", b.data,
		       k ? "an empty first tree" : "heads in the wrong order");
		mlv_buf_reset(&b);
	}
	/* A first head signed over a wrong root, before a true second one. */
	mlv_audit_sth old_lie = old;
	old_lie.root[31] ^= 4;
	assert_int_equal(mlv_audit_sth_sign(&old_lie, sk), 0);
	assert_int_equal(cons_proof(p, &len, &shared, 123, 300), 0);
	assert_int_equal(mlv_audit_json_consistency(&b, &old_lie, &cur, p, len), 0);
	refuse("consistency", "cons-first.json", b.data, "a wrong first root");
	mlv_buf_reset(&b);
	/* A true document followed by a NUL and anything. */
	size_t incl_len = strlen(incl);
	char *nul = malloc(incl_len + 8);
	assert_non_null(nul);
	memcpy(nul, incl, incl_len);
	memcpy(nul + incl_len, "\0[junk]", 8);
	expect_refused("inclusion", write_doc_n("nul.json", nul, incl_len + 8), ext_key,
		       "a NUL byte");
	free(nul);
	/* The right leaf under a wrong leaf_hash. */
	char h77[MLV_AUDIT_B64_SIZE(MLV_AUDIT_HASH_LEN)];
	char h78[MLV_AUDIT_B64_SIZE(MLV_AUDIT_HASH_LEN)];
	assert_int_equal(mlv_audit_b64_encode(h77, sizeof(h77), lh[77], MLV_AUDIT_HASH_LEN), 0);
	assert_int_equal(mlv_audit_b64_encode(h78, sizeof(h78), lh[78], MLV_AUDIT_HASH_LEN), 0);
	const char *where = strstr(incl, h77);
	assert_non_null(where);
	char *mixed = mutate(incl, 0, incl[0]);
	memcpy(mixed + (where - incl), h78, strlen(h78));
	refuse("inclusion", "mixed.json", mixed, "leaf and leaf_hash disagree");
	free(mixed);
	/* Strict reading: a duplicated or unknown key. */
	char *dup = malloc(strlen(incl) + 32);
	assert_non_null(dup);
	snprintf(dup, strlen(incl) + 32, "{\"leaf_index\":77,%s", incl + 1);
	refuse("inclusion", "dup.json", dup, "a duplicate key");
	snprintf(dup, strlen(incl) + 32, "{\"extra\":1,%s", incl + 1);
	refuse("inclusion", "extra.json", dup, "an unknown key");
	free(dup);

	/* Any one character changed anywhere breaks either document. */
	const char *docs[2] = {incl, cons};
	const char *modes[2] = {"inclusion", "consistency"};
	for (int d = 0; d < 2; d++) {
		for (int k = 0; k < 6; k++) {
			size_t at = rnd() % strlen(docs[d]);
			char c;
			do
				c = (char)rnd_in(0x21, 0x7e);
			while (c == docs[d][at]);
			char *bad = mutate(docs[d], at, c);
			char name[64];
			snprintf(name, sizeof(name), "mutant-%d-%d.json", d, k);
			refuse(modes[d], name, bad, "a changed character");
			free(bad);
		}
	}

	free(incl);
	free(cons);
	mlv_buf_free(&b);
	for (size_t i = 0; i < ext_nfiles; i++)
		unlink(ext_files[i]);
	assert_int_equal(rmdir(ext_dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_known_answers),
		cmocka_unit_test(test_ct_vectors),
		cmocka_unit_test(test_roots_every_size),
		cmocka_unit_test(test_inclusion_every_size),
		cmocka_unit_test(test_consistency_pairs),
		cmocka_unit_test(test_invalid_arguments),
		cmocka_unit_test(test_verify_size_checks),
		cmocka_unit_test(test_mem_store),
		cmocka_unit_test(test_store_failures),
		cmocka_unit_test(test_huge_trees),
		cmocka_unit_test(test_sth_known_answer),
		cmocka_unit_test(test_sth_tampering),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_json_documents),
		cmocka_unit_test(test_random_tampering),
		cmocka_unit_test(test_external_verifier),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
