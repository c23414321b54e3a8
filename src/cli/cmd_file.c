/* cmd_file.c - `mainlevee file`: validate and store a JSON Lines batch.
 *
 * A two-stage pipeline over chunks of lines: while worker threads prepare
 * chunk k+1 (decode, validate, digest, compress), the main thread stores
 * chunk k in one transaction and prints its results, in input order.
 * Lines longer than limits.max_body are rejected without being held. */
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "mlv/filing.h"
#include "mlv/log.h"
#include "mlv/progress.h"
#include "mlv/store.h"

static const char *filer_name = "cli";
static const char *chunk_flag = "1000";
static bool dry_run, quiet, no_progress;

const cli_flag file_flags[] = {
	{"filer", "NAME", "file as this filer (created if new; default 'cli')", &filer_name, NULL},
	{"chunk", "N", "lines per transaction (default 1000)", &chunk_flag, NULL},
	{"dry-run", NULL, "validate only, store nothing", NULL, &dry_run},
	{"quiet", NULL, "print only the rejected lines", NULL, &quiet},
	{"no-progress", NULL, "never draw the progress bar", NULL, &no_progress},
	{NULL, NULL, NULL, NULL, NULL},
};

/* ---- bounded line reader ---------------------------------------------------------- */

typedef struct reader {
	FILE *in;
	char *buf;
	size_t cap, start, end;
	size_t max_line;
	uint64_t consumed; /* bytes handed out, newlines included */
	size_t lineno;
	bool eof;
} reader;

/* Next line without its newline in *line (valid until the next call).
 * *too_long is set for a line over max_line (its text is dropped).
 * Returns false at the end of input. */
static bool next_line(reader *r, const char **line, size_t *len, bool *too_long)
{
	*too_long = false;
	bool skipping = false;
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (nl != NULL) {
			size_t n = (size_t)(nl - (r->buf + r->start));
			*line = r->buf + r->start;
			*len = skipping ? 0 : n;
			*too_long = skipping || n > r->max_line;
			r->consumed += n + 1;
			r->start += n + 1;
			r->lineno++;
			return true;
		}
		if (r->eof) {
			if (r->start == r->end && !skipping)
				return false;
			size_t n = r->end - r->start;
			*line = r->buf + r->start;
			*len = skipping ? 0 : n;
			*too_long = skipping || n > r->max_line;
			r->consumed += n;
			r->start = r->end;
			r->lineno++;
			return true;
		}
		/* Make room: move the partial line to the front, or drop it. */
		if (r->end - r->start > r->max_line) {
			r->consumed += r->end - r->start;
			r->start = r->end = 0;
			skipping = true;
		} else if (r->start > 0) {
			memmove(r->buf, r->buf + r->start, r->end - r->start);
			r->end -= r->start;
			r->start = 0;
		}
		size_t got = fread(r->buf + r->end, 1, r->cap - r->end, r->in);
		r->end += got;
		if (got == 0)
			r->eof = true;
	}
}

/* ---- chunks and their preparation ------------------------------------------------- */

typedef struct chunk {
	mlv_filing **filings;
	char **texts;     /* each line's copy */
	size_t *lens;
	size_t *linenos;
	bool *too_long;
	size_t n, cap;
} chunk;

typedef struct prep_ctx {
	chunk *c;
	size_t tid, nthreads;
	const mlv_refdata *rd;
	const mlv_validate_opts *vo;
	int rc;
} prep_ctx;

static void *prepare_part(void *arg)
{
	prep_ctx *p = arg;
	for (size_t i = p->tid; i < p->c->n; i += p->nthreads) {
		mlv_filing *f = p->c->filings[i];
		if (p->c->too_long[i]) {
			mlv_problems_add(&f->problems, MLV_SEV_ERROR, "", "too_large",
					 "the line is longer than limits.max_body");
			continue;
		}
		int rc = mlv_filing_prepare(f, p->c->texts[i], p->c->lens[i], p->rd, p->vo);
		if (rc != 0 && p->rc == 0)
			p->rc = rc;
	}
	return NULL;
}

static int chunk_init(chunk *c, size_t cap)
{
	memset(c, 0, sizeof(*c));
	c->cap = cap;
	c->filings = calloc(cap, sizeof(*c->filings));
	c->texts = calloc(cap, sizeof(*c->texts));
	c->lens = calloc(cap, sizeof(*c->lens));
	c->linenos = calloc(cap, sizeof(*c->linenos));
	c->too_long = calloc(cap, sizeof(*c->too_long));
	if (!c->filings || !c->texts || !c->lens || !c->linenos || !c->too_long)
		return MLV_ENOMEM;
	for (size_t i = 0; i < cap; i++)
		if ((c->filings[i] = mlv_filing_new()) == NULL)
			return MLV_ENOMEM;
	return 0;
}

static void chunk_free(chunk *c)
{
	for (size_t i = 0; i < c->cap; i++) {
		if (c->filings)
			mlv_filing_free(c->filings[i]);
		if (c->texts)
			free(c->texts[i]);
	}
	free(c->filings);
	free(c->texts);
	free(c->lens);
	free(c->linenos);
	free(c->too_long);
}

/* Reads up to cap non-blank lines into c. */
static int chunk_fill(chunk *c, reader *r, int64_t filer_id)
{
	c->n = 0;
	const char *line;
	size_t len;
	bool too_long;
	while (c->n < c->cap && next_line(r, &line, &len, &too_long)) {
		size_t k = 0;
		while (k < len && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r'))
			k++;
		if (k == len && !too_long)
			continue; /* blank line */
		size_t i = c->n++;
		mlv_filing_reset(c->filings[i]);
		c->filings[i]->filer_id = filer_id;
		c->linenos[i] = r->lineno;
		c->too_long[i] = too_long;
		c->lens[i] = too_long ? 0 : len;
		char *copy = realloc(c->texts[i], len + 1);
		if (copy == NULL)
			return MLV_ENOMEM;
		memcpy(copy, line, len);
		copy[len] = '\0';
		c->texts[i] = copy;
	}
	return 0;
}

typedef struct stage {
	pthread_t threads[16];
	prep_ctx ctx[16];
	size_t n;
} stage;

static int stage_start(stage *s, chunk *c, size_t nthreads, const mlv_refdata *rd,
		       const mlv_validate_opts *vo)
{
	s->n = 0;
	for (size_t t = 0; t < nthreads; t++) {
		s->ctx[t] = (prep_ctx){c, t, nthreads, rd, vo, 0};
		if (pthread_create(&s->threads[t], NULL, prepare_part, &s->ctx[t]) != 0)
			return MLV_ENOMEM;
		s->n++;
	}
	return 0;
}

static int stage_join(stage *s)
{
	int rc = 0;
	for (size_t t = 0; t < s->n; t++) {
		pthread_join(s->threads[t], NULL);
		if (s->ctx[t].rc != 0)
			rc = s->ctx[t].rc;
	}
	s->n = 0;
	return rc;
}

/* Signs a tree head of the audit log once the batch is stored, so its
 * events can be proven at once. */
static int sign_head(mlv_store *st, const uint8_t sk[64])
{
	mlv_audit_sth sth;
	memset(&sth, 0, sizeof(sth));
	int rc = mlv_store_audit_size(st, &sth.tree_size);
	if (rc != 0 || sth.tree_size == 0)
		return rc;
	sth.timestamp_ms = (uint64_t)mlv_now_ms();
	if (rc == 0)
		rc = mlv_store_audit_root(st, sth.tree_size, sth.root);
	if (rc == 0)
		rc = mlv_audit_sth_sign(&sth, sk);
	return rc ? rc : mlv_store_audit_add_sth(st, &sth);
}

/* The split check's history: one read connection shared by the workers.
 * Consignments of the chunk being prepared are not stored yet, so a split
 * within one chunk is seen only from its next part on. */
#define HISTORY_HANDLES 16

struct history {
	mlv_store *st[HISTORY_HANDLES]; /* one read connection per worker */
	bool busy[HISTORY_HANDLES];
	size_t n;
	pthread_mutex_t lock;
};

static int recent(void *ctx, const char *buyer_key, int64_t since_ms, int64_t filer_id,
		  const char *lrn, int64_t *values, int64_t *times, size_t max, size_t *n)
{
	struct history *h = ctx;
	size_t k = 0;
	pthread_mutex_lock(&h->lock);
	while (k < h->n && h->busy[k])
		k++;
	if (k == h->n) { /* cannot happen: one handle per worker */
		pthread_mutex_unlock(&h->lock);
		return MLV_EBUSY;
	}
	h->busy[k] = true;
	pthread_mutex_unlock(&h->lock);
	int rc = mlv_store_recent_by_buyer(h->st[k], buyer_key, since_ms, filer_id, lrn, values,
					   times, max, n);
	pthread_mutex_lock(&h->lock);
	h->busy[k] = false;
	pthread_mutex_unlock(&h->lock);
	return rc;
}

/* ---- the command ---------------------------------------------------------------- */

struct totals {
	uint64_t created, amended, unchanged, rejected, errors, lines, valid;
};

static int emit(chunk *c, int store_rc, mlv_buf *out, struct totals *t)
{
	for (size_t i = 0; i < c->n; i++) {
		mlv_filing *f = c->filings[i];
		int rc = store_rc ? store_rc : f->store_rc;
		t->lines++;
		if (!f->ok)
			t->rejected++;
		else if (dry_run)
			t->valid++;
		else if (rc != 0)
			t->errors++;
		else if (f->outcome == MLV_OUTCOME_CREATED)
			t->created++;
		else if (f->outcome == MLV_OUTCOME_AMENDED)
			t->amended++;
		else
			t->unchanged++;
		if (quiet && f->ok && rc == 0)
			continue;
		if (dry_run && f->ok) {
			int e = mlv_buf_printf(out, "{\"line\":%zu,\"outcome\":\"valid\","
						    "\"quality_score\":%d,\"lane\":\"%s\","
						    "\"risk_score\":%d",
					       c->linenos[i], f->quality.score,
					       f->lane[0] ? f->lane : "none", f->risk_score);
			if (e == 0)
				e = mlv_filing_risk_member(out, f);
			if (e == 0)
				e = mlv_buf_adds(out, "}\n");
			if (e != 0)
				return e;
			continue;
		}
		int e = mlv_filing_result_json(out, c->linenos[i], f, rc);
		if (e != 0)
			return e;
	}
	if (out->len > 0 && fwrite(out->data, 1, out->len, stdout) != out->len)
		return MLV_EIO;
	mlv_buf_reset(out);
	return 0;
}

int cmd_file(int argc, char **argv, const mlv_config *cfg)
{
	if (argc != 1) {
		fprintf(stderr, "mainlevee file: give one FILE, or - for standard input\n");
		return 2;
	}
	unsigned long long chunk_size;
	if (!cli_parse_count(chunk_flag, &chunk_size) || chunk_size < 1 || chunk_size > 100000) {
		fprintf(stderr, "mainlevee file: --chunk must be 1 to 100000\n");
		return 2;
	}
	const char *path = argv[0];
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (in == NULL) {
		fprintf(stderr, "mainlevee file: cannot open %s: %s\n", path, strerror(errno));
		return 1;
	}
	uint64_t total = 0;
	struct stat sb;
	if (fstat(fileno(in), &sb) == 0 && S_ISREG(sb.st_mode))
		total = (uint64_t)sb.st_size;

	int status = 1, rc = 0;
	struct history hist = {.n = 0, .lock = PTHREAD_MUTEX_INITIALIZER};
	mlv_refdata *rd = NULL;
	mlv_profiles *profiles = NULL;
	cli_risk risk;
	memset(&risk, 0, sizeof(risk));
	uint8_t audit_pk[32], audit_sk[64];
	mlv_store *st = NULL;
	mlv_operators *ops = NULL;
	mlv_validate_opts vo;
	chunk a, b;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	reader r = {.in = in, .cap = cfg->max_body + 65536, .max_line = cfg->max_body};
	r.buf = malloc(r.cap);
	mlv_buf out = MLV_BUF_INIT((size_t)1 << 30);
	stage stg = {.n = 0};
	int64_t filer_id = 0;
	char err[512] = "";
	struct totals t = {0, 0, 0, 0, 0, 0, 0};
	static char outbuf[1 << 20];
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));

	if (r.buf == NULL || chunk_init(&a, chunk_size) != 0 || chunk_init(&b, chunk_size) != 0) {
		fprintf(stderr, "mainlevee file: out of memory\n");
		goto cleanup;
	}
	if (cli_load_refdata(cfg, &rd) != 0 || cli_load_profiles(cfg, rd, &profiles) != 0 ||
	    cli_load_risk(cfg, rd, &risk) != 0 || cli_load_refvalues(cfg, rd, &risk) != 0 ||
	    cli_validate_opts(cfg, rd, profiles, &vo) != 0)
		goto cleanup;
	if (cli_audit_key(cfg, true, audit_pk, audit_sk) != 0)
		goto cleanup;
	cli_risk_opts(&risk, audit_sk, &vo);
	if (!dry_run) {
		mlv_store_opts so = MLV_STORE_OPTS_INIT;
		so.path = cfg->db_path;
		so.synchronous_full = cfg->synchronous_full;
		if (cli_make_parent_dir(cfg->db_path) != 0 ||
		    mlv_store_open(&st, &so, err, sizeof(err)) != 0 ||
		    mlv_store_filer_ensure(st, filer_name, &filer_id) != 0) {
			fprintf(stderr, "mainlevee file: cannot open the store %s: %s\n", cfg->db_path,
				err[0] ? err : "cannot create the filer");
			goto cleanup;
		}
		if (cli_load_operators(cfg, profiles, st, &ops) != 0)
			goto cleanup;
		vo.operators = ops;
	}
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t workers = ncpu > 1 ? (size_t)ncpu : 1;
	if (workers > 16)
		workers = 16;
	if (!dry_run) {
		mlv_store_opts ro = MLV_STORE_OPTS_INIT;
		ro.path = cfg->db_path;
		ro.read_only = true;
		while (hist.n < workers && mlv_store_open(&hist.st[hist.n], &ro, err, sizeof(err)) == 0)
			hist.n++;
		if (hist.n == workers) {
			vo.recent = recent;
			vo.recent_ctx = &hist;
		}
	}

	mlv_progress prog;
	mlv_progress_start(&prog, "filing", total, no_progress);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);

	chunk *cur = &a, *next = &b;
	if ((rc = chunk_fill(cur, &r, filer_id)) != 0 ||
	    (rc = stage_start(&stg, cur, workers, rd, &vo)) != 0)
		goto failed;
	while (cur->n > 0) {
		if ((rc = stage_join(&stg)) != 0)
			goto failed;
		if ((rc = chunk_fill(next, &r, filer_id)) != 0)
			goto failed;
		if (next->n > 0 && (rc = stage_start(&stg, next, workers, rd, &vo)) != 0)
			goto failed;
		int src = 0;
		if (!dry_run)
			src = mlv_store_file(st, cur->filings, cur->n);
		if ((rc = emit(cur, src, &out, &t)) != 0)
			goto failed;
		if (src != 0) {
			fprintf(stderr, "mainlevee file: the store failed at line %zu; lines from there "
					"on were not stored\n", cur->linenos[0]);
			rc = src;
			goto failed;
		}
		mlv_progress_update(&prog, r.consumed, t.lines);
		chunk *tmp = cur;
		cur = next;
		next = tmp;
	}
	if (ferror(in)) {
		fprintf(stderr, "mainlevee file: read error on %s\n", path);
		goto cleanup;
	}
	mlv_progress_finish(&prog);
	fflush(stdout);
	if (!dry_run && sign_head(st, audit_sk) != 0)
		fprintf(stderr, "mainlevee file: the audit log's tree head could not be signed "
				"(mainlevee audit sth retries)\n");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (dry_run)
		fprintf(stderr,
			"mainlevee file: %llu lines: %llu valid, %llu rejected (dry run: nothing "
			"stored) in %.2f s (%.0f lines/s)\n",
			(unsigned long long)t.lines, (unsigned long long)t.valid,
			(unsigned long long)t.rejected, secs, secs > 0 ? (double)t.lines / secs : 0.0);
	else
		fprintf(stderr,
			"mainlevee file: %llu lines: %llu created, %llu amended, %llu unchanged, "
			"%llu rejected in %.2f s (%.0f lines/s)\n",
			(unsigned long long)t.lines, (unsigned long long)t.created,
			(unsigned long long)t.amended, (unsigned long long)t.unchanged,
			(unsigned long long)t.rejected, secs, secs > 0 ? (double)t.lines / secs : 0.0);
	status = t.rejected > 0 || t.errors > 0 ? 3 : 0;
	goto cleanup;
failed:
	stage_join(&stg);
	fflush(stdout);
	fprintf(stderr, "mainlevee file: stopped: %s\n", mlv_strerror(rc));
cleanup:
	stage_join(&stg);
	for (size_t i = 0; i < hist.n; i++)
		mlv_store_close(hist.st[i]);
	chunk_free(&a);
	chunk_free(&b);
	mlv_buf_free(&out);
	free(r.buf);
	mlv_store_close(st);
	mlv_operators_release(ops);
	mlv_profiles_free(profiles);
	cli_risk_free(&risk);
	sodium_memzero(audit_sk, sizeof(audit_sk));
	mlv_refdata_free(rd);
	if (in != stdin)
		fclose(in);
	fflush(stdout);
	return status;
}
