/* harness.h - what the API test programs share: one server started in the
 * program's own process on a free loopback port, over a fresh SQLite store
 * in a folder of its own under /tmp, with the shipped reference data,
 * profiles, default risk profile and goods lists; and the small helpers
 * that read its JSON answers.
 *
 * A test program holds one such server, so its state is plain globals set
 * by harness_begin() and harness_start() and released by harness_end().
 * Each program keeps its own keys, people and server options. */
#ifndef MLV_TEST_HARNESS_H
#define MLV_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "mlv/profile.h"
#include "mlv/refdata.h"
#include "mlv/risk.h"
#include "mlv/server.h"
#include "mlv/store.h"

extern char dir[64];   /* /tmp/mlv-NAME-XXXXXX, removed by harness_end() */
extern char db[128];   /* dir/NAME.db */
extern char base[64];  /* http://127.0.0.1:PORT of the server */
extern mlv_refdata *rd;
extern mlv_profiles *profiles;
extern mlv_risk_profile *risk_profile; /* data/risk/profile-default.ini */
extern mlv_risk_goods *risk_goods;     /* data/risk/goods */
extern mlv_server *server;
extern char *fixture;                  /* tests/fixtures/consignment.json */

/* Initialises libcurl, makes the folder and loads the data above; NAME
 * names the folder and the store.  0 or -1 (said on stderr). */
int harness_begin(const char *name);
/* Stops the server, frees the data, removes the folder. */
int harness_end(void);

/* Opens the store at db without full fsync. */
int harness_store_open(mlv_store **out);
/* A filer named filer (created if new) with a key of role into key;
 * id_out, when not NULL, receives the filer's id. */
int harness_key(mlv_store *st, const char *filer, const char *role, char *key, size_t n,
		int64_t *id_out);

/* Options every test server starts from: a free port, two threads, the
 * store at path, the data above, no public rate limit, the French
 * profile; with risk, also the default risk profile, the goods lists and
 * the country FR. */
void harness_opts(mlv_server_opts *o, const char *path, bool risk);
/* Starts a server with o and writes its base URL into url.  0 or -1 (said
 * on stderr). */
int harness_start(mlv_server **out, const mlv_server_opts *o, char *url, size_t n);

/* The file tests/fixtures/NAME (caller frees), or NULL. */
char *harness_read_fixture(const char *name);
/* The fixture with its LRN and a buyer of its own ("Buyer LRN"): the split
 * check adds up a buyer's consignments, and the tests must not all look
 * like one split.  Caller deletes. */
cJSON *harness_consignment(const char *lrn);

/* METHOD url+path with a bearer token (or NULL) and a JSON body (or NULL),
 * asserting the status expect and a JSON answer, which the caller
 * deletes; with empty_ok an empty answer reads as {}. */
cJSON *harness_call(const char *url, const char *method, const char *path, const char *token,
		    const char *body, long expect, bool empty_ok);
/* More of such a call: the body's type (NULL: application/json), one
 * more request header, and the answer's ETag into etag when not NULL. */
typedef struct harness_call_opts {
	bool empty_ok;
	const char *ctype;
	const char *header;
	char *etag;
	size_t etag_size;
} harness_call_opts;
cJSON *harness_call_x(const char *url, const char *method, const char *path, const char *token,
		      const char *body, long expect, const harness_call_opts *x);

/* The member name of j as a number or a string: the test fails when it is
 * missing or of another type. */
long long num(const cJSON *j, const char *name);
const char *str(const cJSON *j, const char *name);
/* The same string, or NULL. */
const char *opt_str(const cJSON *j, const char *name);
/* Whether the problem document lists an error at pointer with code. */
bool has_error(const cJSON *problem, const char *pointer, const char *code);

#endif
