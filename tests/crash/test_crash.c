/* test_crash.c - durability under SIGKILL.
 *
 * Starts `mainlevee serve` (MLV_BIN), files consignments from four client
 * threads, kills the server with SIGKILL at a random moment, restarts it,
 * and checks that every filing a client saw acknowledged is there and
 * that `mainlevee audit verify` holds.  Five rounds on one database.  TAP
 * output. */
#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mlv/buf.h"

#define ROUNDS 5
#define THREADS 4
#define MAX_ACK 100000

static const char *bin;
static char dir[64] = "/tmp/mlv-crash-XXXXXX";
static char base[64];
static char key[128];
static char *fixture;

static struct {
	char lrn[40];
	long long id;
} acked[MAX_ACK];
static atomic_int nacked;
static atomic_bool stop;
static int tap_n, tap_failed;

static void tap(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%sok %d - ", ok ? "" : "not ", ++tap_n);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	if (!ok)
		tap_failed++;
}

static size_t sink(char *p, size_t size, size_t n, void *ud)
{
	return mlv_buf_add(ud, p, size * n) == 0 ? size * n : 0;
}

static long request(const char *method, const char *path, const char *body, mlv_buf *out)
{
	CURL *c = curl_easy_init();
	char url[256], auth[256];
	struct curl_slist *h = NULL;
	snprintf(url, sizeof(url), "%s%s", base, path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (body != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	long status = 0;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return status;
}

static pid_t start_server(int round)
{
	char err[128];
	snprintf(err, sizeof(err), "%s/serve-%d.err", dir, round);
	pid_t pid = fork();
	if (pid == 0) {
		char db[128], keyf[128];
		snprintf(db, sizeof(db), "%s/crash.db", dir);
		snprintf(keyf, sizeof(keyf), "%s/audit.key", dir);
		if (freopen(err, "w", stderr) == NULL || freopen("/dev/null", "w", stdout) == NULL)
			_exit(127);
		execl(bin, bin, "serve", "--port", "0", "--db", db, "--audit-key", keyf,
		      "--sth-interval", "1", (char *)NULL);
		_exit(127);
	}
	/* The server logs its URL once it listens. */
	for (int i = 0; i < 200; i++) {
		usleep(50000);
		FILE *f = fopen(err, "r");
		char line[512];
		while (f && fgets(line, sizeof(line), f)) {
			char *u = strstr(line, "url=http://");
			if (u) {
				char *e = strchr(u + 4, ' ');
				snprintf(base, sizeof(base), "%.*s", (int)(e - u - 4 - 1), u + 4);
				fclose(f);
				return pid;
			}
		}
		if (f)
			fclose(f);
	}
	return -1;
}

static void *client(void *arg)
{
	int t = (int)(intptr_t)arg;
	static atomic_int seq;
	while (!atomic_load(&stop)) {
		int n = atomic_fetch_add(&seq, 1);
		char lrn[40];
		snprintf(lrn, sizeof(lrn), "CRASH-%d-%d", t, n);
		size_t len = strlen(fixture) + 64;
		char *body = malloc(len);
		const char *p = strstr(fixture, "LRN-2026-000001");
		snprintf(body, len, "%.*s%s%s", (int)(p - fixture), fixture, lrn, p + 15);
		mlv_buf out = MLV_BUF_INIT(1 << 20);
		long status = request("POST", "/v1/consignments", body, &out);
		if (status == 201 || status == 200) {
			const char *id = out.data ? strstr(out.data, "\"id\":") : NULL;
			int k = atomic_fetch_add(&nacked, 1);
			if (id != NULL && k < MAX_ACK) {
				snprintf(acked[k].lrn, sizeof(acked[k].lrn), "%s", lrn);
				acked[k].id = strtoll(id + 5, NULL, 10);
			}
		} else if (status == 0) {
			usleep(20000); /* the server is down: the round is ending */
		}
		mlv_buf_free(&out);
		free(body);
	}
	return NULL;
}

static int run(const char *cmd)
{
	int rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

int main(void)
{
	bin = getenv("MLV_BIN");
	const char *src = getenv("MLV_SRCDIR");
	if (bin == NULL || src == NULL || mkdtemp(dir) == NULL) {
		printf("1..0 # SKIP MLV_BIN and MLV_SRCDIR are needed\n");
		return 0;
	}
	char path[512], cmd[1024];
	snprintf(path, sizeof(path), "%s/tests/fixtures/consignment.json", src);
	FILE *f = fopen(path, "rb");
	fixture = calloc(1, 1 << 16);
	if (f == NULL || fread(fixture, 1, (1 << 16) - 1, f) == 0)
		return 1;
	fclose(f);
	for (char *c = fixture; *c; c++)
		if (*c == '\n')
			*c = ' ';
	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(cmd, sizeof(cmd), "'%s' key create --filer crash --db '%s/crash.db' > '%s/key'",
		 bin, dir, dir);
	tap(run(cmd) == 0, "a filer key");
	snprintf(path, sizeof(path), "%s/key", dir);
	f = fopen(path, "r");
	if (f == NULL || fgets(key, sizeof(key), f) == NULL)
		return 1;
	fclose(f);
	key[strcspn(key, "\n")] = '\0';

	srand48((long)time(NULL));
	for (int round = 1; round <= ROUNDS; round++) {
		pid_t pid = start_server(round);
		tap(pid > 0, "round %d: the server starts", round);
		if (pid <= 0)
			break;
		atomic_store(&stop, false);
		int before = atomic_load(&nacked);
		pthread_t th[THREADS];
		for (int t = 0; t < THREADS; t++)
			pthread_create(&th[t], NULL, client, (void *)(intptr_t)(round * 10 + t));
		usleep((useconds_t)(300000 + lrand48() % 900000));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		atomic_store(&stop, true);
		for (int t = 0; t < THREADS; t++)
			pthread_join(th[t], NULL);
		tap(atomic_load(&nacked) > before, "round %d: %d filings acknowledged before SIGKILL",
		    round, atomic_load(&nacked) - before);
	}
	/* After the last kill: restart, and every acknowledged filing is there. */
	pid_t pid = start_server(ROUNDS + 1);
	int missing = 0, total = atomic_load(&nacked);
	if (total > MAX_ACK)
		total = MAX_ACK;
	for (int i = 0; i < total; i++) {
		char p[96];
		snprintf(p, sizeof(p), "/v1/consignments/%lld", acked[i].id);
		mlv_buf out = MLV_BUF_INIT(1 << 20);
		long status = request("GET", p, NULL, &out);
		if (status != 200 || strstr(out.data ? out.data : "", acked[i].lrn) == NULL) {
			if (missing++ < 5)
				printf("# missing: %s (id %lld, status %ld)\n", acked[i].lrn, acked[i].id,
				       status);
		}
		mlv_buf_free(&out);
	}
	tap(pid > 0 && missing == 0, "all %d acknowledged filings survived %d SIGKILLs", total,
	    ROUNDS);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	snprintf(cmd, sizeof(cmd),
		 "'%s' audit verify --db '%s/crash.db' --audit-key '%s/audit.key' > '%s/verify.out'",
		 bin, dir, dir, dir);
	int vrc = run(cmd);
	snprintf(path, sizeof(path), "%s/verify.out", dir);
	f = fopen(path, "r");
	char line[512];
	while (f && fgets(line, sizeof(line), f))
		printf("# %s", line);
	if (f)
		fclose(f);
	tap(vrc == 0, "the audit log verifies after the crashes");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	run(cmd);
	free(fixture);
	curl_global_cleanup();
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
