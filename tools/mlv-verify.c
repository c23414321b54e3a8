/* mlv-verify - checks a Mainlevée audit-log proof offline.
 *
 *   mlv-verify inclusion   PROOF.json --key PUBKEY_B64
 *   mlv-verify consistency PROOF.json --key PUBKEY_B64
 *
 * PROOF.json may be "-" for standard input.  Prints "verified" and exits 0
 * only when every tree-head signature and the proof check out; otherwise
 * prints the reason on standard error and exits 1 (2 for a bad command
 * line).
 *
 * This program deliberately shares no code with the Mainlevée library: it
 * is written from RFC 9162 and from the formats below, and links only
 * libsodium (SHA-256, Ed25519, base64) and cJSON (parsing), so that a
 * mistake in the server's proofs cannot be mirrored by the same mistake
 * in their checker.  Build: cc mlv-verify.c -lsodium -lcjson.
 *
 * Formats.  Binary values are base64 strings (RFC 4648 section 4: the
 * original alphabet, with padding, no whitespace).  Numbers are JSON
 * integers from 0 to 2^53 - 1.  Unknown and duplicate keys are errors, as
 * is a file over 16 MiB.
 *
 *   STH (signed tree head):
 *     {"tree_size": N, "timestamp": MS, "root_hash": B64(32),
 *      "signature": B64(64)}
 *     timestamp is in milliseconds since 1970-01-01 UTC.  signature is
 *     Ed25519 (RFC 8032) over these 64 bytes:
 *       "mlv-audit-sth-v1"  16 ASCII bytes, no terminator
 *       tree_size            8 bytes, unsigned big-endian
 *       timestamp            8 bytes, unsigned big-endian
 *       root_hash           32 bytes
 *
 *   inclusion proof:
 *     {"sth": STH, "leaf_index": I, "leaf_hash": B64(32), "leaf": B64(any),
 *      "audit_path": [B64(32), ...]}
 *     At least one of leaf_hash and leaf; the leaf hash is
 *     SHA-256(0x00 || leaf), and when both are given they must agree.
 *     audit_path is RFC 9162 PATH(leaf_index, D[tree_size]), sibling of
 *     the leaf first.
 *
 *   consistency proof:
 *     {"first": STH, "second": STH, "consistency_path": [B64(32), ...]}
 *     consistency_path is RFC 9162 PROOF(first.tree_size, D[second.tree_size]);
 *     it is empty when both sizes are equal, and then the roots must be
 *     equal.  first.tree_size must be at least 1.
 *
 * Interior nodes hash as SHA-256(0x01 || left || right) (RFC 6962 2.1). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#define HASH_LEN 32
#define PK_LEN 32
#define SIG_LEN 64
#define MAX_FILE (16u << 20)
#define MAX_PATH 65 /* the longest proof of any 64-bit tree size */
#define MAX_JSON_INT 9007199254740991.0

static const char sth_magic[16] = {'m', 'l', 'v', '-', 'a', 'u', 'd', 'i',
				   't', '-', 's', 't', 'h', '-', 'v', '1'};

struct sth {
	uint64_t tree_size;
	uint64_t timestamp;
	uint8_t root[HASH_LEN];
	uint8_t sig[SIG_LEN];
};

/* Why verification failed, for the one line printed at the end. */
static char reason[512];

static bool fail(const char *what, const char *detail)
{
	snprintf(reason, sizeof(reason), "%s%s%.200s", what, detail ? ": " : "",
		 detail ? detail : "");
	return false;
}

/* ---- hashing (RFC 6962 section 2.1) ---- */

static void hash_children(uint8_t out[HASH_LEN], const uint8_t left[HASH_LEN],
			  const uint8_t right[HASH_LEN])
{
	crypto_hash_sha256_state s;
	const uint8_t one = 0x01;
	uint8_t l[HASH_LEN], r[HASH_LEN];
	/* out may be left or right. */
	memcpy(l, left, HASH_LEN);
	memcpy(r, right, HASH_LEN);
	crypto_hash_sha256_init(&s);
	crypto_hash_sha256_update(&s, &one, 1);
	crypto_hash_sha256_update(&s, l, HASH_LEN);
	crypto_hash_sha256_update(&s, r, HASH_LEN);
	crypto_hash_sha256_final(&s, out);
}

static void hash_leaf(uint8_t out[HASH_LEN], const uint8_t *leaf, size_t len)
{
	crypto_hash_sha256_state s;
	const uint8_t zero = 0x00;
	crypto_hash_sha256_init(&s);
	crypto_hash_sha256_update(&s, &zero, 1);
	crypto_hash_sha256_update(&s, leaf, len);
	crypto_hash_sha256_final(&s, out);
}

/* ---- RFC 9162 verification, step numbers as in the RFC ---- */

/* Section 2.1.3.2. */
static bool rfc_inclusion(uint64_t leaf_index, uint64_t tree_size, const uint8_t hash[HASH_LEN],
			  const uint8_t (*path)[HASH_LEN], size_t path_len,
			  const uint8_t root_hash[HASH_LEN])
{
	/* 1. */
	if (leaf_index >= tree_size)
		return fail("leaf_index is not below tree_size", NULL);
	/* 2. */
	uint64_t fn = leaf_index;
	uint64_t sn = tree_size - 1;
	/* 3. */
	uint8_t r[HASH_LEN];
	memcpy(r, hash, HASH_LEN);
	/* 4. */
	for (size_t i = 0; i < path_len; i++) {
		/* a. */
		if (sn == 0)
			return fail("audit_path is too long for the tree", NULL);
		/* b. */
		if ((fn & 1) == 1 || fn == sn) {
			hash_children(r, path[i], r);
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			hash_children(r, r, path[i]);
		}
		/* c. */
		fn >>= 1;
		sn >>= 1;
	}
	/* 5. */
	if (sn != 0)
		return fail("audit_path is too short for the tree", NULL);
	if (sodium_memcmp(r, root_hash, HASH_LEN) != 0)
		return fail("audit_path does not lead to the signed root", NULL);
	return true;
}

/* Section 2.1.4.2, for 0 < first < second. */
static bool rfc_consistency(uint64_t first, uint64_t second, const uint8_t first_hash[HASH_LEN],
			    const uint8_t second_hash[HASH_LEN],
			    const uint8_t (*consistency_path)[HASH_LEN], size_t path_len)
{
	/* The path with first_hash possibly in front (step 2). */
	uint8_t path[MAX_PATH + 1][HASH_LEN];
	size_t len = 0;
	/* 1. */
	if (path_len == 0)
		return fail("consistency_path is empty", NULL);
	/* 2. */
	if ((first & (first - 1)) == 0)
		memcpy(path[len++], first_hash, HASH_LEN);
	for (size_t i = 0; i < path_len; i++)
		memcpy(path[len++], consistency_path[i], HASH_LEN);
	/* 3. */
	uint64_t fn = first - 1;
	uint64_t sn = second - 1;
	/* 4. */
	while ((fn & 1) == 1) {
		fn >>= 1;
		sn >>= 1;
	}
	/* 5. */
	uint8_t fr[HASH_LEN], sr[HASH_LEN];
	memcpy(fr, path[0], HASH_LEN);
	memcpy(sr, path[0], HASH_LEN);
	/* 6. */
	for (size_t i = 1; i < len; i++) {
		const uint8_t *c = path[i];
		/* a. */
		if (sn == 0)
			return fail("consistency_path is too long for the trees", NULL);
		/* b. */
		if ((fn & 1) == 1 || fn == sn) {
			hash_children(fr, c, fr);
			hash_children(sr, c, sr);
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			hash_children(sr, sr, c);
		}
		/* c. */
		fn >>= 1;
		sn >>= 1;
	}
	/* 7. */
	if (sn != 0)
		return fail("consistency_path is too short for the trees", NULL);
	if (sodium_memcmp(fr, first_hash, HASH_LEN) != 0)
		return fail("consistency_path does not lead to the first root", NULL);
	if (sodium_memcmp(sr, second_hash, HASH_LEN) != 0)
		return fail("consistency_path does not lead to the second root", NULL);
	return true;
}

/* ---- signed tree heads ---- */

static void be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static bool sth_signed(const struct sth *s, const uint8_t pk[PK_LEN], const char *which)
{
	uint8_t msg[sizeof(sth_magic) + 8 + 8 + HASH_LEN];
	memcpy(msg, sth_magic, sizeof(sth_magic));
	be64(msg + 16, s->tree_size);
	be64(msg + 24, s->timestamp);
	memcpy(msg + 32, s->root, HASH_LEN);
	if (crypto_sign_verify_detached(s->sig, msg, sizeof(msg), pk) != 0)
		return fail(which, "the tree head signature does not verify with this key");
	return true;
}

/* ---- reading the JSON ---- */

/* Every member of obj must be one of names[], at most once. */
static bool only_keys(const cJSON *obj, const char *where, const char *const *names, size_t n)
{
	size_t seen[8] = {0};
	if (!cJSON_IsObject(obj))
		return fail(where, "not a JSON object");
	for (const cJSON *it = obj->child; it != NULL; it = it->next) {
		size_t i = 0;
		while (i < n && strcmp(it->string, names[i]) != 0)
			i++;
		if (i == n) {
			snprintf(reason, sizeof(reason), "%s: unknown key \"%.64s\"", where,
				 it->string);
			return false;
		}
		if (++seen[i] > 1) {
			snprintf(reason, sizeof(reason), "%s: duplicate key \"%s\"", where,
				 names[i]);
			return false;
		}
	}
	return true;
}

static const cJSON *member(const cJSON *obj, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(obj, name);
}

static bool get_int(uint64_t *out, const cJSON *obj, const char *where, const char *name)
{
	const cJSON *v = member(obj, name);
	if (v == NULL) {
		snprintf(reason, sizeof(reason), "%s: \"%s\" is missing", where, name);
		return false;
	}
	double d = cJSON_IsNumber(v) ? v->valuedouble : -1;
	/* The range test also turns away NaN and infinities. */
	if (!(d >= 0 && d <= MAX_JSON_INT) || (double)(uint64_t)d != d) {
		snprintf(reason, sizeof(reason), "%s: \"%s\" is not an integer from 0 to 2^53-1",
			 where, name);
		return false;
	}
	*out = (uint64_t)d;
	return true;
}

/* Decodes exactly `want` bytes of strict base64. */
static bool b64_exact(uint8_t *out, size_t want, const cJSON *v, const char *where,
		      const char *name)
{
	size_t got = 0;
	if (!cJSON_IsString(v) ||
	    sodium_base642bin(out, want, v->valuestring, strlen(v->valuestring), NULL, &got, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    got != want) {
		snprintf(reason, sizeof(reason), "%s: \"%s\" is not base64 of %zu bytes", where,
			 name, want);
		return false;
	}
	return true;
}

static bool get_b64(uint8_t *out, size_t want, const cJSON *obj, const char *where,
		    const char *name)
{
	const cJSON *v = member(obj, name);
	if (v == NULL) {
		snprintf(reason, sizeof(reason), "%s: \"%s\" is missing", where, name);
		return false;
	}
	return b64_exact(out, want, v, where, name);
}

static bool get_sth(struct sth *out, const cJSON *doc, const char *name)
{
	static const char *const keys[] = {"tree_size", "timestamp", "root_hash", "signature"};
	const cJSON *o = member(doc, name);
	if (o == NULL) {
		snprintf(reason, sizeof(reason), "\"%s\" is missing", name);
		return false;
	}
	return only_keys(o, name, keys, 4) && get_int(&out->tree_size, o, name, "tree_size") &&
	       get_int(&out->timestamp, o, name, "timestamp") &&
	       get_b64(out->root, HASH_LEN, o, name, "root_hash") &&
	       get_b64(out->sig, SIG_LEN, o, name, "signature");
}

static bool get_path(uint8_t (*out)[HASH_LEN], size_t *len, const cJSON *doc, const char *name)
{
	const cJSON *a = member(doc, name);
	size_t n = 0;
	if (!cJSON_IsArray(a)) {
		snprintf(reason, sizeof(reason), "\"%s\" is missing or not an array", name);
		return false;
	}
	for (const cJSON *it = a->child; it != NULL; it = it->next) {
		if (n == MAX_PATH) {
			snprintf(reason, sizeof(reason), "\"%s\" has more than %d entries", name,
				 MAX_PATH);
			return false;
		}
		if (!b64_exact(out[n], HASH_LEN, it, name, "entry"))
			return false;
		n++;
	}
	*len = n;
	return true;
}

/* The leaf hash, from "leaf_hash", "leaf" or both (which must agree). */
static bool get_leaf_hash(uint8_t out[HASH_LEN], const cJSON *doc)
{
	const cJSON *lh = member(doc, "leaf_hash");
	const cJSON *leaf = member(doc, "leaf");
	if (lh == NULL && leaf == NULL)
		return fail("neither \"leaf_hash\" nor \"leaf\" is given", NULL);
	if (lh != NULL && !b64_exact(out, HASH_LEN, lh, "proof", "leaf_hash"))
		return false;
	if (leaf == NULL)
		return true;
	if (!cJSON_IsString(leaf))
		return fail("\"leaf\" is not a string", NULL);
	size_t text_len = strlen(leaf->valuestring);
	size_t max = text_len / 4 * 3 + 3;
	uint8_t *bin = malloc(max);
	size_t got = 0;
	if (bin == NULL)
		return fail("out of memory", NULL);
	if (sodium_base642bin(bin, max, leaf->valuestring, text_len, NULL, &got, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0) {
		free(bin);
		return fail("\"leaf\" is not base64", NULL);
	}
	uint8_t h[HASH_LEN];
	hash_leaf(h, bin, got);
	free(bin);
	if (lh != NULL && sodium_memcmp(h, out, HASH_LEN) != 0)
		return fail("\"leaf\" does not hash to \"leaf_hash\"", NULL);
	memcpy(out, h, HASH_LEN);
	return true;
}

static bool check_inclusion(const cJSON *doc, const uint8_t pk[PK_LEN])
{
	static const char *const keys[] = {"sth", "leaf_index", "leaf_hash", "leaf", "audit_path"};
	struct sth s;
	uint64_t index = 0;
	uint8_t leaf_hash[HASH_LEN];
	uint8_t path[MAX_PATH][HASH_LEN];
	size_t len = 0;
	if (!only_keys(doc, "proof", keys, 5) || !get_sth(&s, doc, "sth") ||
	    !get_int(&index, doc, "proof", "leaf_index") || !get_leaf_hash(leaf_hash, doc) ||
	    !get_path(path, &len, doc, "audit_path"))
		return false;
	if (!sth_signed(&s, pk, "sth"))
		return false;
	return rfc_inclusion(index, s.tree_size, leaf_hash, (const uint8_t(*)[HASH_LEN])path, len,
			     s.root);
}

static bool check_consistency(const cJSON *doc, const uint8_t pk[PK_LEN])
{
	static const char *const keys[] = {"first", "second", "consistency_path"};
	struct sth a, b;
	uint8_t path[MAX_PATH][HASH_LEN];
	size_t len = 0;
	if (!only_keys(doc, "proof", keys, 3) || !get_sth(&a, doc, "first") ||
	    !get_sth(&b, doc, "second") || !get_path(path, &len, doc, "consistency_path"))
		return false;
	if (!sth_signed(&a, pk, "first") || !sth_signed(&b, pk, "second"))
		return false;
	if (a.tree_size == 0)
		return fail("the first tree is empty: there is nothing to prove", NULL);
	if (a.tree_size > b.tree_size)
		return fail("the first tree is larger than the second", NULL);
	if (a.tree_size == b.tree_size) {
		if (len != 0)
			return fail("trees of equal size need an empty consistency_path", NULL);
		if (sodium_memcmp(a.root, b.root, HASH_LEN) != 0)
			return fail("two tree heads of the same size have different roots", NULL);
		return true;
	}
	return rfc_consistency(a.tree_size, b.tree_size, a.root, b.root,
			       (const uint8_t(*)[HASH_LEN])path, len);
}

/* ---- the program ---- */

static char *read_all(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *data = NULL;
	size_t n = 0;
	if (f == NULL) {
		snprintf(reason, sizeof(reason), "cannot open %.200s: %s", path, strerror(errno));
		return NULL;
	}
	data = malloc(MAX_FILE + 1);
	if (data == NULL) {
		fail("out of memory", NULL);
		goto cleanup;
	}
	n = fread(data, 1, MAX_FILE + 1, f);
	if (ferror(f)) {
		snprintf(reason, sizeof(reason), "cannot read %.200s", path);
		goto bad;
	}
	if (n > MAX_FILE) {
		snprintf(reason, sizeof(reason), "%.200s is larger than 16 MiB", path);
		goto bad;
	}
	data[n] = '\0';
	if (strlen(data) != n) {
		snprintf(reason, sizeof(reason), "%.200s contains a NUL byte", path);
		goto bad;
	}
	*len = n;
	goto cleanup;
bad:
	free(data);
	data = NULL;
cleanup:
	if (f != stdin)
		fclose(f);
	return data;
}

/* Help asked for goes to stdout; help after a mistake, to stderr. */
static int usage(FILE *to, const char *msg)
{
	if (msg)
		fprintf(to, "mlv-verify: %s\n", msg);
	fprintf(to, "usage: mlv-verify inclusion PROOF.json --key PUBKEY_B64\n"
			"       mlv-verify consistency PROOF.json --key PUBKEY_B64\n"
			"PROOF.json may be - for standard input; the key is the log's Ed25519\n"
			"public key in base64.  Prints \"verified\" and exits 0 only when the\n"
			"tree head signatures and the proof check out.\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *mode = NULL, *file = NULL, *key = NULL;
	uint8_t pk[PK_LEN];
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout, NULL);
			return 0;
		} else if (strcmp(argv[i], "--key") == 0) {
			if (++i == argc)
				return usage(stderr, "--key needs a value");
			key = argv[i];
		} else if (strncmp(argv[i], "--key=", 6) == 0) {
			key = argv[i] + 6;
		} else if (mode == NULL) {
			mode = argv[i];
		} else if (file == NULL) {
			file = argv[i];
		} else {
			return usage(stderr, "too many arguments");
		}
	}
	if (mode == NULL || file == NULL || key == NULL)
		return usage(stderr, "a mode, a proof file and --key are all needed");
	bool inclusion = strcmp(mode, "inclusion") == 0;
	if (!inclusion && strcmp(mode, "consistency") != 0)
		return usage(stderr, "the mode is inclusion or consistency");
	if (sodium_init() < 0) {
		fprintf(stderr, "mlv-verify: libsodium failed to initialise\n");
		return 1;
	}
	size_t key_len = 0;
	if (sodium_base642bin(pk, sizeof(pk), key, strlen(key), NULL, &key_len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    key_len != sizeof(pk))
		return usage(stderr, "--key is not the base64 of a 32-byte Ed25519 public key");

	bool ok = false;
	size_t len = 0;
	char *text = read_all(file, &len);
	cJSON *doc = NULL;
	if (text == NULL)
		goto done;
	doc = cJSON_ParseWithOpts(text, NULL, 1);
	if (doc == NULL) {
		fail("the proof file is not valid JSON", NULL);
		goto done;
	}
	ok = inclusion ? check_inclusion(doc, pk) : check_consistency(doc, pk);
done:
	cJSON_Delete(doc);
	free(text);
	if (!ok) {
		fprintf(stderr, "mlv-verify: not verified: %s\n", reason);
		return 1;
	}
	puts("verified");
	return 0;
}
