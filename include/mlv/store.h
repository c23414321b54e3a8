/* store.h - where consignments, filers and events live.
 *
 * One interface; the embedded driver is SQLite (store_sqlite.c): STRICT
 * tables, WAL journal, synchronous=FULL, numbered migrations applied at
 * open.  A handle is used by one thread at a time; open one per thread
 * (readers run concurrently with the single writer under WAL).
 *
 * Every change of a consignment writes an event row in the same
 * transaction.  A filing's versions are its "filed" and "amended" events,
 * each holding the text as received (zstd). */
#ifndef MLV_STORE_H
#define MLV_STORE_H

#include "mlv/audit.h"
#include "mlv/buf.h"
#include "mlv/common.h"
#include "mlv/filing.h"
#include "mlv/lifecycle.h"
#include "mlv/refdata.h"

typedef struct mlv_store mlv_store;

typedef struct mlv_store_opts {
	const char *path;   /* database file; created when missing */
	bool read_only;
	int busy_timeout_ms;
	bool synchronous_full; /* fsync every commit (default); off only for tests */
} mlv_store_opts;

#define MLV_STORE_OPTS_INIT { NULL, false, 5000, true }

int mlv_store_open(mlv_store **out, const mlv_store_opts *opts, char *err, size_t errlen);
void mlv_store_close(mlv_store *s);
/* The schema version after migrations. */
int mlv_store_schema_version(mlv_store *s);
/* The version this build migrates to (the number of migrations). */
int mlv_store_schema_latest(void);

/* ---- filers and API keys -------------------------------------------------- */

/* Creates a filer, or finds the one of that name; *id receives it. */
int mlv_store_filer_ensure(mlv_store *s, const char *name, int64_t *id);
/* Makes a new API key for the filer: writes the token (shown once, never
 * stored: only its SHA-256 is) into token[size >= 64].  expires_at is
 * seconds since the epoch, 0 for none. */
int mlv_store_key_create(mlv_store *s, int64_t filer_id, const char *label, int64_t expires_at,
			 char *token, size_t size);
/* Finds the filer of a presented token: MLV_EUNAUTH when unknown,
 * revoked or expired. */
int mlv_store_key_check(mlv_store *s, const char *token, int64_t now, int64_t *filer_id,
			char *filer_name, size_t name_size);
int mlv_store_key_revoke(mlv_store *s, const char *prefix);
/* The same with a role: "filer" (files and reads its own consignments) or
 * "officer" (the customs side: queue, actions, results). */
int mlv_store_key_create_role(mlv_store *s, int64_t filer_id, const char *label,
			      int64_t expires_at, const char *role, char *token, size_t size);
int mlv_store_key_check_role(mlv_store *s, const char *token, int64_t now, int64_t *filer_id,
			     char *filer_name, size_t name_size, char *role, size_t role_size);

/* ---- people: passwords (Argon2id) and sessions ------------------------------- */

/* The roles of keys and people (issue 7), as an SQL list for CHECKs; the
 * same names as mlv_role_names in roles.h. */
#define MLV_ROLES_SQL                                                                     \
	"('filer', 'officer', 'analyst', 'supervisor', 'auditor', 'agency', 'partner', 'admin')"

/* Whether role is one of MLV_ROLES_SQL. */
bool mlv_store_role_valid(const char *role);

/* A person who signs in to the console or the portal's members' part. */
typedef struct mlv_user {
	int64_t id;
	char username[64];
	char display_name[96];
	char role[12];
	int64_t filer_id; /* the operator a filer person acts for; 0 for none */
} mlv_user;

/* Creates a person (or sets a new password and role for an existing
 * username); the password is hashed with Argon2id (libsodium's
 * crypto_pwhash_str, interactive limits) and never stored. */
int mlv_store_user_set(mlv_store *s, const char *username, const char *display_name,
		       const char *password, const char *role, int64_t filer_id);
/* Checks a username and password: MLV_EUNAUTH for an unknown user, a wrong
 * password or a disabled account (the same answer, in about the same time). */
int mlv_store_user_check(mlv_store *s, const char *username, const char *password,
			 mlv_user *out);
int mlv_store_user_disable(mlv_store *s, const char *username);

/* Opens a session for a person: the token (43 characters, for the cookie)
 * and its CSRF token (43 characters) are written to token[64] and csrf[64];
 * only a hash of the session token is stored. */
int mlv_store_session_open(mlv_store *s, int64_t user_id, int64_t now, int64_t ttl_s,
			   char token[64], char csrf[64]);
/* The person and CSRF token of a live session; MLV_EUNAUTH when unknown,
 * expired, or the person is disabled. */
int mlv_store_session_check(mlv_store *s, const char *token, int64_t now, mlv_user *out,
			    char csrf[64]);
int mlv_store_session_close(mlv_store *s, const char *token);



/* ---- filings ------------------------------------------------------------------ */

/* Stores the prepared filings that are ok, all in one transaction, and
 * sets each one's id, version, outcome and store_rc.  Filings of the same
 * filer and LRN within one call are applied in order.  On a store failure
 * the transaction is rolled back and every filing has store_rc != 0. */
int mlv_store_file(mlv_store *s, mlv_filing *const *filings, size_t n);

/* A stored consignment as read back. */
typedef struct mlv_record {
	int64_t id;
	int64_t filer_id;
	char lrn[36];
	int version;
	char status[24];
	int64_t filed_at_ms;
	int64_t updated_at_ms;
	int quality_score;
	mlv_buf quality_json; /* the stored quality object */
	mlv_buf body;         /* the latest version's text as received */
	mlv_buf assessment_json; /* duties and taxes of the latest version; empty
				  * for an older version (assessed when filed) */
	mlv_buf risk_json;    /* the risk assessment of the latest version */
	unsigned char digest[32];
} mlv_record;

void mlv_record_init(mlv_record *r);
void mlv_record_free(mlv_record *r);

/* Reads consignment `id` of filer `filer_id` (another filer's id answers
 * MLV_ENOTFOUND; filer_id 0, for officers, reads any).  With version > 0,
 * that version's text. */
int mlv_store_get(mlv_store *s, int64_t filer_id, int64_t id, int version, mlv_record *out);
int mlv_store_get_by_lrn(mlv_store *s, int64_t filer_id, const char *lrn, mlv_record *out);

typedef struct mlv_list_query {
	int64_t filer_id;
	int64_t after_id;     /* cursor: ids below this one (newest first); 0 = start */
	int limit;            /* 1..MLV_LIST_MAX */
	const char *status;   /* filters, NULL for any */
	unsigned category;
	unsigned channel;
	const char *departure_country;
	const char *lrn;
	int64_t filed_from_ms, filed_to_ms; /* 0 for open */
} mlv_list_query;

#define MLV_LIST_MAX 500

typedef struct mlv_summary {
	int64_t id;
	char lrn[36];
	int version;
	char status[24];
	unsigned category, channel, declaration_type;
	char departure_country[3];
	char tracking_number[36];
	char currency[4];
	int64_t invoice_total; /* minor units, -1 when none */
	int item_count;
	int quality_score;
	int64_t filed_at_ms, updated_at_ms;
} mlv_summary;

/* Calls fn for each match, newest first; *next_cursor is the id to pass
 * as after_id for the next page, 0 when this was the last. */
int mlv_store_list(mlv_store *s, const mlv_list_query *q,
		   int (*fn)(void *ctx, const mlv_summary *row), void *ctx, int64_t *next_cursor);

/* The events of a consignment, oldest first. */
typedef struct mlv_event {
	int64_t id;
	char type[24];
	int version;
	int64_t at_ms;
	char actor[64];
} mlv_event;
/* The events of consignment id of filer_id (0, for officers: any filer's). */
int mlv_store_events(mlv_store *s, int64_t filer_id, int64_t id,
		     int (*fn)(void *ctx, const mlv_event *ev), void *ctx);

/* ---- the lifecycle (lifecycle.h) -------------------------------------------------- */

typedef struct mlv_transition_result {
	mlv_state from, to;
	int64_t event_id;
	int64_t filed_at_ms, arrived_at_ms, released_at_ms; /* 0 when not yet */
	char lane[8];        /* the risk lane, "" when not assessed */
	int64_t amount_due;  /* border total of the assessment, -1 when none */
	bool on_account;     /* released with the amount debited to the account */
	bool over_ceiling;   /* the account's guarantee ceiling stopped it */
} mlv_transition_result;

/* Takes `action` on consignment id (of filer_id; 0 for an officer, who
 * reaches every consignment) in one transaction: checks the table
 * (MLV_ECONFLICT with r->from set when not allowed, MLV_EFORBIDDEN when
 * `by` may not), updates the state and its times, and writes the event
 * with actor and reason, and its audit leaf.  With auto_release, an
 * arrival of a green consignment that owes nothing before release is
 * released in the same transaction (a second event). */
int mlv_store_transition(mlv_store *s, int64_t filer_id, int64_t id, mlv_action action,
			 unsigned by, const char *actor, const char *reason, int64_t at_ms,
			 bool auto_release, mlv_transition_result *r);

/* ---- officers' work: the queue, results, rule performance ------------------------- */

/* Consignments waiting for an officer (arrived, held, inspected,
 * referred), highest risk first. */
int mlv_store_queue(mlv_store *s, int limit, int (*fn)(void *ctx, const mlv_summary *row,
						       const char *lane, int risk_score),
		    void *ctx);
/* The console's queue: waiting consignments (open referrals, goods at the
 * border not yet decided, pre-arrival selections), highest risk first,
 * filtered; "" or 0 leaves a filter out.  *total receives how many match. */
typedef struct mlv_queue_filter {
	char state[24];     /* a state name */
	char lane[8];       /* green, yellow, red, hold */
	char origin[3];     /* departure country */
	int min_score;
	int limit, offset;
} mlv_queue_filter;
int mlv_store_queue_filtered(mlv_store *s, const mlv_queue_filter *f, int64_t *total,
			     int (*fn)(void *ctx, const mlv_summary *row, const char *lane,
				       int risk_score),
			     void *ctx);
/* Records an inspection result and feeds the statistics of every rule
 * that hit the consignment (rule_ids). */
int mlv_store_result(mlv_store *s, int64_t id, const char *result, int64_t revenue,
		     const char *officer, const char *note, int64_t at_ms,
		     const char *const *rule_ids, size_t nrules);
/* Adds one hit to each rule (at filing). */
int mlv_store_rule_hits(mlv_store *s, const char *const *rule_ids, size_t n);
typedef struct mlv_rule_counts {
	uint64_t hits, controls, findings, seizures;
	int64_t revenue;
} mlv_rule_counts;
int mlv_store_rule_counts(mlv_store *s, const char *rule_id, mlv_rule_counts *out);
/* Every rule's counters, by rule id (rules_sqlite.c). */
int mlv_store_rule_counts_all(mlv_store *s,
			      int (*fn)(void *ctx, const char *rule_id, const mlv_rule_counts *c),
			      void *ctx);

/* Every inspection result recorded since since_ms, oldest first, with the
 * consignment it closed as last filed: what operator scores are built
 * from (riskstore.h). */
typedef struct mlv_result_row {
	int64_t consignment_id, filer_id;
	const char *result; /* nothing_found, irregularity, seizure */
	int64_t at_ms;
	const mlv_buf *text; /* the consignment's text, as filed */
} mlv_result_row;
int mlv_store_results_scan(mlv_store *s, int64_t since_ms,
			   int (*fn)(void *ctx, const mlv_result_row *r), void *ctx);

/* ---- versions of the risk profile (rules_sqlite.c) ---------------------------------- */

/* One stored version of the risk profile.  Versions are numbered upwards,
 * stored whole and never changed; each has an event of type
 * "rules.version" in the audit log (no consignment) whose leaf holds the
 * BLAKE2b-256 of the text. */
typedef struct mlv_rules_version {
	int64_t version;
	char profile_id[41];
	char actor[96];	      /* who made it: "analyst:alice", "system" */
	int64_t created_ms;
	char summary[256];    /* what changed, one line */
	int64_t rules;	      /* how many rules it has */
	uint8_t digest[32];   /* BLAKE2b-256 of the text */
	int64_t event_id;     /* its event in the audit log */
} mlv_rules_version;

/* The newest version, with its text appended to `text` when not NULL;
 * MLV_ENOTFOUND when none is stored. */
int mlv_store_rules_latest(mlv_store *s, mlv_rules_version *out, mlv_buf *text);
/* Version `version`; MLV_ENOTFOUND when there is no such version. */
int mlv_store_rules_get(mlv_store *s, int64_t version, mlv_rules_version *out, mlv_buf *text);
/* Versions below `before` (0: from the newest), newest first, at most
 * `limit`; stops at fn's first non-zero return. */
int mlv_store_rules_list(mlv_store *s, int64_t before, int limit,
			 int (*fn)(void *ctx, const mlv_rules_version *v), void *ctx);
/* Stores `text` as version v->version with v's profile id, actor, time,
 * summary and rule count, and its audit event, in one transaction; fills
 * v->digest and v->event_id.  MLV_ECONFLICT when a version as high is
 * already stored (another change came first). */
int mlv_store_rules_add(mlv_store *s, mlv_rules_version *v, const char *text, size_t len);

/* ---- deferred payment accounts (FoS Standard 6) ------------------------------------ */

typedef struct mlv_account {
	int64_t id, filer_id;
	char currency[4];
	int64_t ceiling;  /* guarantee ceiling, minor units */
	int64_t debits, credits, balance; /* balance = outstanding = debits - credits */
} mlv_account;

typedef struct mlv_account_entry {
	int64_t id, consignment_id; /* 0 when none */
	char kind[12];              /* debit, refund, payment */
	int64_t amount;
	int64_t at_ms;
	char note[128];
} mlv_account_entry;

/* Opens the filer's account (or changes its ceiling); MLV_ECONFLICT when
 * it exists in another currency. */
int mlv_store_account_open(mlv_store *s, int64_t filer_id, const char *currency,
			   int64_t ceiling, int64_t now_ms, mlv_account *out);
/* The account `id` of filer_id (filer_id 0: any), or the filer's own
 * account with id 0.  MLV_ENOTFOUND when none. */
int mlv_store_account_get(mlv_store *s, int64_t filer_id, int64_t id, mlv_account *out);
/* Adds an entry (inside the caller's transaction or on its own). */
int mlv_store_account_entry(mlv_store *s, int64_t account_id, int64_t consignment_id,
			    const char *kind, int64_t amount, int64_t at_ms, const char *note);
/* The entries of one month ("2026-11"), with their totals. */
int mlv_store_account_statement(mlv_store *s, int64_t account_id, const char *month,
				int (*fn)(void *ctx, const mlv_account_entry *e), void *ctx,
				int64_t *debits, int64_t *credits);

/* Refunds a released consignment whose goods come back within
 * window_days of release: credits what it paid on the filer's account,
 * and records a `refund` event.  return_lrn names the return: a
 * consignment of the same filer declared as a return (MLV_EINVALID
 * otherwise).  MLV_ECONFLICT when not released, past the window or already
 * refunded; MLV_ENOTFOUND. */
int mlv_store_refund(mlv_store *s, int64_t filer_id, int64_t id, const char *return_lrn,
		     int window_days, int64_t at_ms, int64_t *refunded);

/* The goods values and filing times (ms) of the consignments of one
 * pseudonymised buyer filed since since_ms, newest first, other than
 * (filer_id, lrn) itself (split check). */
int mlv_store_recent_by_buyer(mlv_store *s, const char *buyer_key, int64_t since_ms,
			      int64_t filer_id, const char *lrn, int64_t *values, int64_t *times,
			      size_t max, size_t *n);

/* ---- data protection ---------------------------------------------------------------- */

/* One released consignment, for release-time statistics. */
typedef struct mlv_release_row {
	char lane[8];	     /* "" when not assessed */
	int channel;	     /* MLV_CH_* (dataset.h) */
	int64_t filed_ms;    /* first filing */
	int64_t arrived_ms;  /* 0 when no arrival was recorded */
	int64_t released_ms;
} mlv_release_row;

/* Calls fn for every consignment released in [from_ms, to_ms), all
 * filers; stops at fn's first non-zero answer and returns it. */
int mlv_store_release_times(mlv_store *s, int64_t from_ms, int64_t to_ms,
			    int (*fn)(void *ctx, const mlv_release_row *row), void *ctx);

/* Removes the personal elements (docs/dataset.md, "personal") from every
 * stored version of the consignments filed before filed_before_ms, keeping
 * everything else; audit proofs stay valid (leaves hold hashes).  Counts
 * what was (or, with dry_run, would be) purged; versions that no longer
 * decode are skipped and counted. */
int mlv_store_purge(mlv_store *s, const mlv_refdata *rd, int64_t filed_before_ms,
		    bool dry_run, uint64_t *consignments, uint64_t *versions, uint64_t *skipped);

/* Calls fn with the latest text of every stored consignment (all filers),
 * in id order: for recomputations such as the what-if of thresholds. */
int mlv_store_scan(mlv_store *s, int (*fn)(void *ctx, int64_t id, const mlv_buf *text),
		   void *ctx);

/* Number of stored consignments (all filers). */
int mlv_store_count(mlv_store *s, int64_t *n);

/* ---- the audit log (docs/audit.md) --------------------------------------------
 * Leaf i of the Merkle tree is event i + 1, written with the event. */

/* Leaves in the tree now (what this handle sees committed). */
int mlv_store_audit_size(mlv_store *s, uint64_t *size);
/* Root of the first `size` leaves. */
int mlv_store_audit_root(mlv_store *s, uint64_t size, uint8_t root[MLV_AUDIT_HASH_LEN]);
int mlv_store_audit_add_sth(mlv_store *s, const mlv_audit_sth *sth);
/* The signed tree head of that size; size 0 for the latest.  ENOTFOUND
 * when none. */
int mlv_store_audit_get_sth(mlv_store *s, uint64_t tree_size, mlv_audit_sth *out);
/* The signed tree head with the smallest size >= min_size. */
int mlv_store_audit_sth_covering(mlv_store *s, uint64_t min_size, mlv_audit_sth *out);
/* The leaf text and hash of an event; with filer_id > 0, ENOTFOUND unless
 * the event belongs to that filer's consignment. */
int mlv_store_audit_leaf(mlv_store *s, uint64_t event_id, int64_t filer_id, mlv_buf *leaf,
			 uint8_t hash[MLV_AUDIT_HASH_LEN]);
int mlv_store_audit_inclusion(mlv_store *s, uint64_t leaf_index, uint64_t size,
			      mlv_audit_hash *proof, size_t *len);
int mlv_store_audit_consistency(mlv_store *s, uint64_t m, uint64_t n, mlv_audit_hash *proof,
				size_t *len);

typedef struct mlv_audit_report {
	uint64_t leaves, nodes, sths;
	uint64_t problems;
	char first_problem[256];
} mlv_audit_report;

/* Checks everything from the stored leaves up: each leaf text hashes to
 * its stored hash and names its own event; events have no gap; the tree
 * rebuilt from the leaves has every stored node; every signed tree head
 * has the rebuilt root and pk's signature, and each is consistent with
 * the one before.  Returns 0 when the log holds; MLV_ECONFLICT with the
 * report filled when anything differs. */
int mlv_store_audit_verify(mlv_store *s, const uint8_t pk[MLV_AUDIT_PK_LEN],
			   mlv_audit_report *rep);

#endif
