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
		assert_int_equal(mlv_audit_inclusion_proof(p, &len, MLV_AUDIT_PROOF_MAX, &st, v->a, v->b), 0);
		assert_int_equal(len, v->len);
		for (size_t i = 0; i < len; i++)
			assert_hash_hex(p[i].b, v->hex[i]);
		from_hex(root, sizeof(root), ct_roots[v->b]);
		assert_true(mlv_audit_verify_inclusion(v->a, v->b, hashes[v->a], p, len, root));
	}
	for (size_t t = 0; t < MLV_ARRAY_LEN(ct_consistency); t++) {
		const struct ct_proof *v = &ct_consistency[t];
		uint8_t rm[MLV_AUDIT_HASH_LEN];
		assert_int_equal(mlv_audit_consistency_proof(p, &len, MLV_AUDIT_PROOF_MAX, &st, v->a, v->b), 0);
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
		assert_int_equal(mlv_audit_mem_count(m, l), N_LEAVES >> l);
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
	mlv_audit_hash p[MLV_AUDIT_PROOF_MAX], want[MLV_AUDIT_PROOF_MAX];
	size_t len = 0, want_len = 0;
	assert_int_equal(mlv_audit_inclusion_proof(p, &len, MLV_AUDIT_PROOF_MAX, &shared, index, size), 0);
	naive_path(want, &want_len, index, lh, size);
	if (len != want_len || memcmp(p, want, len * sizeof(p[0])) != 0)
		fail_msg("inclusion proof of %u in %u differs from RFC PATH", (unsigned)index,
			 (unsigned)size);
	if (!mlv_audit_verify_inclusion(index, size, lh[index], p, len, roots[size]))
		fail_msg("inclusion proof of %u in %u does not verify", (unsigned)index, (unsigned)size);

	/* Another leaf, or this one with a bit flipped. */
	uint8_t leaf[MLV_AUDIT_HASH_LEN];
	memcpy(leaf, lh[index], sizeof(leaf));
	flip(leaf, sizeof(leaf));
	assert_false(mlv_audit_verify_inclusion(index, size, leaf, p, len, roots[size]));
	uint64_t other = rnd() % N_LEAVES;
	if (other != index)
		assert_false(mlv_audit_verify_inclusion(index, size, lh[other], p, len, roots[size]));
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
			fail_msg("proof of %u in %u verifies with entry %zu changed", (unsigned)index,
				 (unsigned)size, i);
		p[i] = keep;
	}
	if (len > 0)
		assert_false(mlv_audit_verify_inclusion(index, size, lh[index], p, len - 1, roots[size]));
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
	assert_int_equal(mlv_audit_consistency_proof(p, &len, MLV_AUDIT_PROOF_MAX, &shared, m, n), 0);
	naive_subproof(want, &want_len, m, lh, n, true);
	if (len != want_len || memcmp(p, want, len * sizeof(p[0])) != 0)
		fail_msg("consistency proof %u -> %u differs from RFC PROOF", (unsigned)m, (unsigned)n);
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
	assert_int_equal(mlv_audit_inclusion_proof(p, &len, MLV_AUDIT_PROOF_MAX, &shared, 5, 5), MLV_EINVALID);
	assert_int_equal(mlv_audit_inclusion_proof(p, &len, MLV_AUDIT_PROOF_MAX, &shared, 9, 5), MLV_EINVALID);
	assert_int_equal(mlv_audit_inclusion_proof(p, &len, MLV_AUDIT_PROOF_MAX, &shared, 0, 0), MLV_EINVALID);
	assert_int_equal(mlv_audit_consistency_proof(p, &len, MLV_AUDIT_PROOF_MAX, &shared, 0, 5), MLV_EINVALID);
	assert_int_equal(mlv_audit_consistency_proof(p, &len, MLV_AUDIT_PROOF_MAX, &shared, 6, 5), MLV_EINVALID);
	assert_int_equal(mlv_audit_consistency_proof(p, &len, MLV_AUDIT_PROOF_MAX, &shared, 0, 0), MLV_EINVALID);
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
	assert_int_equal(mlv_audit_inclusion_proof(p, &len, MLV_AUDIT_PROOF_MAX, &shared, 0, 1000), MLV_ENOTFOUND);
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
	mlv_audit_hash big[MLV_AUDIT_PROOF_MAX + 1] = {{{0}}};
	assert_false(mlv_audit_verify_inclusion(0, UINT64_MAX, lh[0], big, MLV_AUDIT_PROOF_MAX + 1, roots[1]));
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

static int faulty_put(void *ctx, unsigned level, uint64_t index, const uint8_t h[MLV_AUDIT_HASH_LEN])
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
			fail_msg("failing call %ld of %ld: got %d, want %d", at, f->calls, rc, want);
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
	return mlv_audit_inclusion_proof(p, &len, MLV_AUDIT_PROOF_MAX, st, 17, 299);
}

static int op_consistency(const mlv_audit_store *st)
{
	mlv_audit_hash p[MLV_AUDIT_PROOF_MAX];
	size_t len = 0;
	return mlv_audit_consistency_proof(p, &len, MLV_AUDIT_PROOF_MAX, st, 21, 299);
}

static int op_consistency_pow2(const mlv_audit_store *st)
{
	mlv_audit_hash p[MLV_AUDIT_PROOF_MAX];
	size_t len = 0;
	return mlv_audit_consistency_proof(p, &len, MLV_AUDIT_PROOF_MAX, st, 64, 299);
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

static int uniform_put(void *ctx, unsigned level, uint64_t index, const uint8_t h[MLV_AUDIT_HASH_LEN])
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
			assert_int_equal(mlv_audit_inclusion_proof(p, &len, MLV_AUDIT_PROOF_MAX, &st, idx[k], n), 0);
			if (reads > 2 * 64)
				fail_msg("inclusion proof in a tree of %llu leaves read %ld nodes",
					 (unsigned long long)n, reads);
			if (len > longest_incl)
				longest_incl = len;
			assert_true(mlv_audit_verify_inclusion(idx[k], n, uniform[0], p, len, root));
			flip(p[rnd() % (len ? len : 1)].b, MLV_AUDIT_HASH_LEN);
			if (len > 0)
				assert_false(mlv_audit_verify_inclusion(idx[k], n, uniform[0], p, len, root));
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
			assert_int_equal(mlv_audit_consistency_proof(p, &len, MLV_AUDIT_PROOF_MAX, &st, m, n), 0);
			if (reads > 2 * 64 + 1)
				fail_msg("consistency proof %llu -> %llu read %ld nodes",
					 (unsigned long long)m, (unsigned long long)n, reads);
			if (len > longest_cons)
				longest_cons = len;
			assert_true(mlv_audit_verify_consistency(m, n, root_m, root, p, len));
			if (len > 0) {
				flip(p[rnd() % len].b, MLV_AUDIT_HASH_LEN);
				assert_false(mlv_audit_verify_consistency(m, n, root_m, root, p, len));
			}
		}
	}
	/* The deepest leaf of the largest tree has 64 siblings; no proof
	 * outgrows MLV_AUDIT_PROOF_MAX. */
	mlv_audit_hash p[MLV_AUDIT_PROOF_MAX];
	size_t len = 0;
	assert_int_equal(mlv_audit_inclusion_proof(p, &len, MLV_AUDIT_PROOF_MAX, &st, 0, UINT64_MAX), 0);
	assert_int_equal(len, 64);
	assert_int_equal(mlv_audit_consistency_proof(p, &len, MLV_AUDIT_PROOF_MAX, &st, UINT64_MAX - 1, UINT64_MAX), 0);
	assert_true(len <= MLV_AUDIT_PROOF_MAX);
	assert_true(longest_incl <= 64);
	assert_true(longest_cons <= MLV_AUDIT_PROOF_MAX);
	print_message("# longest proofs seen: inclusion %zu, consistency %zu (UINT64_MAX-1 -> UINT64_MAX: %zu)\n",
		      longest_incl, longest_cons, len);
}
