/* cmd_audit.c - `mainlevee audit`: verify and prove the audit log, and
 * the instance's signing key (docs/audit.md). */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "mlv/audit.h"
#include "mlv/filing.h"
#include "mlv/store.h"

static const char *tree_size_flag;

const cli_flag audit_flags[] = {
	{"tree-size", "N", "prove: against the signed tree head of this size (default: the first "
			   "one that holds the event)", &tree_size_flag, NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

int cli_audit_key(const mlv_config *cfg, bool create, uint8_t pk[32], uint8_t sk[64])
{
	const char *path = cfg->audit_key_file;
	char text[128];
	uint8_t seed[MLV_AUDIT_SEED_LEN];
	FILE *f = fopen(path, "r");
	if (f == NULL && errno == ENOENT && create) {
		if (cli_make_parent_dir(path) != 0) {
			fprintf(stderr, "mainlevee: cannot create the directory of %s\n", path);
			return -1;
		}
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd < 0) {
			fprintf(stderr, "mainlevee: cannot create %s: %s\n", path, strerror(errno));
			return -1;
		}
		randombytes_buf(seed, sizeof(seed));
		mlv_audit_b64_encode(text, sizeof(text), seed, sizeof(seed));
		size_t n = strlen(text);
		text[n++] = '\n';
		bool ok = write(fd, text, n) == (ssize_t)n && fsync(fd) == 0;
		close(fd);
		if (!ok) {
			fprintf(stderr, "mainlevee: cannot write %s\n", path);
			unlink(path);
			return -1;
		}
	} else {
		if (f == NULL) {
			fprintf(stderr, "mainlevee: cannot read the audit key %s: %s\n", path,
				strerror(errno));
			return -1;
		}
		size_t n = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
		while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
			n--;
		text[n] = '\0';
		if (mlv_audit_b64_decode(seed, sizeof(seed), text, n) != 0) {
			fprintf(stderr, "mainlevee: %s does not hold a base64 Ed25519 seed\n", path);
			return -1;
		}
	}
	int rc = mlv_audit_keypair_from_seed(pk, sk, seed);
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(text, sizeof(text));
	return rc == 0 ? 0 : -1;
}

static int open_store(const mlv_config *cfg, bool read_only, mlv_store **st)
{
	char err[512] = "";
	mlv_store_opts so = MLV_STORE_OPTS_INIT;
	so.path = cfg->db_path;
	so.read_only = read_only;
	if (access(cfg->db_path, F_OK) != 0) {
		fprintf(stderr, "mainlevee audit: no store at %s\n", cfg->db_path);
		return -1;
	}
	if (mlv_store_open(st, &so, err, sizeof(err)) != 0) {
		fprintf(stderr, "mainlevee audit: cannot open %s: %s\n", cfg->db_path, err);
		return -1;
	}
	return 0;
}

static int verify(const mlv_config *cfg, const uint8_t pk[32])
{
	mlv_store *st = NULL;
	if (open_store(cfg, true, &st) != 0)
		return 1;
	mlv_audit_report rep;
	int rc = mlv_store_audit_verify(st, pk, &rep);
	mlv_store_close(st);
	if (rc != 0 && rc != MLV_ECONFLICT) {
		fprintf(stderr, "mainlevee audit verify: %s\n", mlv_strerror(rc));
		return 1;
	}
	printf("leaves %llu, nodes %llu, signed tree heads %llu: %s\n",
	       (unsigned long long)rep.leaves, (unsigned long long)rep.nodes,
	       (unsigned long long)rep.sths,
	       rep.problems == 0 ? "the log verifies" : "THE LOG DOES NOT VERIFY");
	if (rep.problems > 0) {
		printf("%llu problem(s); the first: %s\n", (unsigned long long)rep.problems,
		       rep.first_problem);
		return 1;
	}
	return 0;
}

static int sign_now(const mlv_config *cfg, const uint8_t sk[64])
{
	mlv_store *st = NULL;
	if (open_store(cfg, false, &st) != 0)
		return 1;
	mlv_audit_sth sth;
	memset(&sth, 0, sizeof(sth));
	int rc = mlv_store_audit_size(st, &sth.tree_size);
	if (rc == 0 && sth.tree_size == 0) {
		fprintf(stderr, "mainlevee audit sth: the log is empty\n");
		mlv_store_close(st);
		return 1;
	}
	sth.timestamp_ms = (uint64_t)mlv_now_ms();
	if (rc == 0)
		rc = mlv_store_audit_root(st, sth.tree_size, sth.root);
	if (rc == 0)
		rc = mlv_audit_sth_sign(&sth, sk);
	if (rc == 0)
		rc = mlv_store_audit_add_sth(st, &sth);
	mlv_buf b = MLV_BUF_INIT(4096);
	if (rc == 0)
		rc = mlv_audit_json_sth(&b, &sth);
	if (rc == 0)
		printf("%s\n", b.data);
	else
		fprintf(stderr, "mainlevee audit sth: %s\n", mlv_strerror(rc));
	mlv_buf_free(&b);
	mlv_store_close(st);
	return rc == 0 ? 0 : 1;
}

static int prove(const mlv_config *cfg, const char *event_arg)
{
	unsigned long long event = 0, size = 0;
	if (!cli_parse_count(event_arg, &event) || event == 0 ||
	    (tree_size_flag != NULL && (!cli_parse_count(tree_size_flag, &size) || size == 0))) {
		fprintf(stderr, "mainlevee audit prove: EVENT and --tree-size are positive numbers\n");
		return 2;
	}
	mlv_store *st = NULL;
	if (open_store(cfg, true, &st) != 0)
		return 1;
	mlv_buf leaf = MLV_BUF_INIT(1 << 16), out = MLV_BUF_INIT(1 << 16);
	uint8_t hash[MLV_AUDIT_HASH_LEN];
	mlv_audit_sth sth;
	mlv_audit_hash proof[MLV_AUDIT_PROOF_MAX];
	size_t len = 0;
	int rc = mlv_store_audit_leaf(st, event, 0, &leaf, hash);
	if (rc == 0)
		rc = size ? mlv_store_audit_get_sth(st, size, &sth)
			  : mlv_store_audit_sth_covering(st, event, &sth);
	if (rc == 0 && sth.tree_size < event)
		rc = MLV_EINVALID;
	if (rc == 0)
		rc = mlv_store_audit_inclusion(st, event - 1, sth.tree_size, proof, &len);
	if (rc == 0)
		rc = mlv_audit_json_inclusion(&out, &sth, event - 1, hash, leaf.data, leaf.len, proof,
					      len);
	if (rc == 0)
		printf("%s\n", out.data);
	else if (rc == MLV_ENOTFOUND)
		fprintf(stderr, "mainlevee audit prove: no such event, or no signed tree head holds "
				"it yet (mainlevee audit sth signs one)\n");
	else
		fprintf(stderr, "mainlevee audit prove: %s\n", mlv_strerror(rc));
	mlv_buf_free(&leaf);
	mlv_buf_free(&out);
	mlv_store_close(st);
	return rc == 0 ? 0 : 1;
}

int cmd_audit(int argc, char **argv, const mlv_config *cfg)
{
	uint8_t pk[32], sk[64];
	const char *what = argc > 0 ? argv[0] : "";
	bool known = strcmp(what, "verify") == 0 || strcmp(what, "sth") == 0 ||
		     strcmp(what, "public-key") == 0 || strcmp(what, "prove") == 0;
	if (!known || (strcmp(what, "prove") == 0 ? argc != 2 : argc != 1)) {
		fprintf(stderr, "mainlevee audit: say verify, prove EVENT, sth or public-key "
				"(see --help)\n");
		return 2;
	}
	if (strcmp(what, "prove") == 0)
		return prove(cfg, argv[1]);
	if (cli_audit_key(cfg, false, pk, sk) != 0)
		return 1;
	int status;
	if (strcmp(what, "public-key") == 0) {
		char b64[MLV_AUDIT_B64_SIZE(32)];
		mlv_audit_b64_encode(b64, sizeof(b64), pk, sizeof(pk));
		printf("%s\n", b64);
		status = 0;
	} else if (strcmp(what, "verify") == 0) {
		status = verify(cfg, pk);
	} else {
		status = sign_now(cfg, sk);
	}
	sodium_memzero(sk, sizeof(sk));
	return status;
}
