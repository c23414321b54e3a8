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
#include "mlv/operators.h"
#include "mlv/refdata.h"
#include "mlv/stats.h"

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



/* ---- the rules portal's texts (docs/portal.md) --------------------------------
 * What an administration writes about a country (facilitation measures,
 * contacts, notes, product requirements, and members-only fields) as one
 * JSON document per country code.  Edits go to a draft; a publication
 * gives every changed draft a new numbered version at once.  The text in
 * force at version v is the country's newest text at or below v; before
 * any publication a country has none (the shipped profiles alone). */

#define MLV_PORTAL_TEXT_MAX (64u << 10) /* bytes of one country's document */

/* Replaces the country's draft (the caller validated body). */
int mlv_store_portal_draft_put(mlv_store *s, const char *country, const char *body, size_t len,
			       const char *by, int64_t now_ms);
/* The draft: body, when and by whom; MLV_ENOTFOUND when none. */
int mlv_store_portal_draft_get(mlv_store *s, const char *country, mlv_buf *body,
			       int64_t *updated_ms, char by[64]);
int mlv_store_portal_draft_delete(mlv_store *s, const char *country);
/* Every draft, by country: `changed` is false when it equals the text in
 * force (publishing it would change nothing). */
int mlv_store_portal_drafts(mlv_store *s,
			    int (*fn)(void *ctx, const char *country, int64_t updated_ms,
				      const char *by, bool changed),
			    void *ctx);

/* Publishes in one transaction the drafts of the n countries named (n 0:
 * every draft): each that differs from the text in force becomes that
 * country's text at the new version; all of them are removed.  *version
 * receives the new number, *changed the countries it changed.
 * MLV_ENOTFOUND when a named country has no draft, MLV_ECONFLICT when no
 * draft changes anything (nothing is written then). */
int mlv_store_portal_publish(mlv_store *s, const char *const *countries, size_t n,
			     const char *by, const char *note, int64_t now_ms, int64_t *version,
			     size_t *changed);

/* The latest version (0 when nothing was ever published) and its time. */
int mlv_store_portal_latest(mlv_store *s, int64_t *version, int64_t *published_ms);

/* The country's text in force at `version` (0: the latest): the body and
 * the version that set it; MLV_ENOTFOUND when none. */
int mlv_store_portal_text(mlv_store *s, const char *country, int64_t version, mlv_buf *body,
			  int64_t *set_in);

typedef struct mlv_portal_version {
	int64_t version;
	int64_t published_ms;
	char by[64];
	char note[256];
	char countries[160]; /* the codes it changed, space-separated (cut when long) */
	size_t ncountries;
} mlv_portal_version;

/* Publications, newest first, at most limit; or one by number
 * (MLV_ENOTFOUND). */
int mlv_store_portal_versions(mlv_store *s, int limit,
			      int (*fn)(void *ctx, const mlv_portal_version *v), void *ctx);
int mlv_store_portal_version_get(mlv_store *s, int64_t version, mlv_portal_version *out);

/* The countries whose text changed after version `from` up to `to`, by
 * code. */
int mlv_store_portal_changed(mlv_store *s, int64_t from, int64_t to,
			     int (*fn)(void *ctx, const char *country), void *ctx);

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
	int64_t arrived_at_ms, released_at_ms; /* 0 when not (yet); latest version only */
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
	int64_t party_operator_id; /* > 0: instead of the filer's own, the consignments
				    * that name this operator as a party */
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

/* The events of a consignment, oldest first (filer_id 0, for officers:
 * any consignment's).  Lifecycle events carry their reason; a referral's
 * own events its id. */
typedef struct mlv_event {
	int64_t id;
	char type[24];
	int version;
	int64_t at_ms;
	char actor[64];
	char reason[512];    /* "" for filings */
	int64_t referral_id; /* 0 for none */
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
	bool aeo_waiver;     /* the debit went past the guarantee under the AEO waiver */
} mlv_transition_result;

/* Release on arrival beyond a deferred account's guarantee: an AEO with
 * customs simplifications defers duties and taxes without a guarantee up
 * to a ceiling (docs/operators.md, "AEO and deferred payment"). */
typedef struct mlv_release_terms {
	int64_t guarantee_waiver; /* the balance may pass the account's ceiling by this much;
				   * a filer without an account has one opened, with a
				   * guarantee of 0, when the amount due fits */
	const char *currency;	  /* of an account so opened */
} mlv_release_terms;

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
/* The same with release terms (NULL: none, as mlv_store_transition). */
int mlv_store_transition_terms(mlv_store *s, int64_t filer_id, int64_t id, mlv_action action,
			       unsigned by, const char *actor, const char *reason, int64_t at_ms,
			       bool auto_release, const mlv_release_terms *terms,
			       mlv_transition_result *r);

/* ---- officers' work: the queue, results, rule performance ------------------------- */

/* Consignments waiting for an officer (arrived, held, inspected,
 * referred), highest risk first. */
int mlv_store_queue(mlv_store *s, int limit, int (*fn)(void *ctx, const mlv_summary *row,
						       const char *lane, int risk_score),
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

/* ---- decisions, the queue with filters (issue 5) ------------------------------------ */

/* An officer's decision (hold, inspect, release, seize, return, exit) and,
 * when it closes an inspection, its result, in one transaction; the
 * result feeds the statistics of the rules that selected the
 * consignment.  Errors as mlv_store_transition. */
typedef struct mlv_decision {
	int64_t id;
	mlv_action action;
	const char *actor;
	const char *reason;        /* the decision's explanation, shown to the filer */
	int64_t at_ms;
	const char *result;        /* NULL, or nothing_found, irregularity, seizure */
	int64_t revenue;           /* recovered, minor units */
	const char *nii_reference; /* NULL, or the reference of the NII image */
	const char *notes;         /* NULL, or officers' notes: never shown to the filer */
	const char *const *rule_ids;
	size_t nrules;
} mlv_decision;
int mlv_store_decide(mlv_store *s, const mlv_decision *d, mlv_transition_result *r);

typedef struct mlv_queue_query {
	int limit;              /* 1..MLV_LIST_MAX */
	int offset;             /* rows skipped (pages) */
	const char *state;      /* NULL: everything waiting (referred, arrived, held, inspected,
				 * and assessed but not green: selected before arrival) */
	const char *lane;       /* NULL: any */
	unsigned channel, category; /* 0: any */
	const char *departure_country;
	int min_score;
	bool overdue;           /* only those with an open referral past its deadline */
	bool multi_party;       /* only consignments merged from several filers' parts */
	int64_t now_ms;
} mlv_queue_query;

typedef struct mlv_queue_row {
	mlv_summary c;
	char lane[8];
	int risk_score;
	int64_t arrived_at_ms;    /* 0 when not arrived */
	int open_referrals;
	int64_t next_deadline_ms; /* the earliest deadline of an open referral, 0 when none */
	bool overdue;
	bool multi_party;
} mlv_queue_row;

/* What waits for an officer, highest risk first, then oldest; *total (may
 * be NULL) counts every match. */
int mlv_store_queue_list(mlv_store *s, const mlv_queue_query *q,
			 int (*fn)(void *ctx, const mlv_queue_row *row), void *ctx, int64_t *total);

/* ---- referrals (ICS2 style: information, screening, do not load) ------------------- */

typedef struct mlv_referral {
	int64_t id, consignment_id;
	char kind[16];       /* information, screening, do_not_load */
	char status[12];     /* open, answered, closed */
	char to_role[20];    /* filer (the owner), a part's role, or agency */
	int64_t filer_id;    /* the addressee filer; 0 for an agency */
	int64_t agency_id;   /* the addressee agency; 0 for a filer */
	char addressee[64];  /* its name */
	int64_t owner_id;    /* the consignment's filer */
	char lrn[36];        /* the consignment's LRN */
	char reason[512];    /* why, shown to the addressee */
	char request[512];   /* what is asked; "" */
	int64_t deadline_ms, created_ms, answered_ms, overdue_ms, closed_ms; /* 0: not */
	char created_by[80], closed_by[80];
	char outcome[16];    /* when closed: satisfied, not_satisfied, withdrawn */
	int answers;
} mlv_referral;

typedef struct mlv_referral_new {
	int64_t consignment_id;
	const char *kind;
	const char *reason;
	const char *request;  /* NULL */
	int64_t deadline_ms;
	const char *to;       /* NULL or "filer": the owner; a part's role: that party */
	int64_t agency_id;    /* > 0: addressed to that agency instead */
	const char *actor;
	int64_t at_ms;
} mlv_referral_new;

/* The filer id of the agency named `name` (a filer with an agency key or
 * person); MLV_ENOTFOUND when there is none. */
int mlv_store_agency_find(mlv_store *s, const char *name, int64_t *id);
/* The agencies a referral may go to (as above), by name: fn with each
 * name (borrowed for the call), at most max of them. */
int mlv_store_agencies(mlv_store *s, int max, int (*fn)(void *ctx, const char *name), void *ctx);

/* Opens a referral: the consignment becomes referred (the `refer`
 * event carries the referral's id) and the addressee is notified.
 * MLV_ENOTFOUND, MLV_ECONFLICT with r->from when the state forbids it,
 * MLV_EINVALID when `to` names no party of the consignment. */
int mlv_store_referral_open(mlv_store *s, const mlv_referral_new *n, int64_t *id,
			    mlv_transition_result *r);

/* The reader decides what it sees: filer_id > 0 the referrals addressed
 * to that filer, agency_id > 0 those addressed to that agency, both 0
 * (officers) every one. */
typedef struct mlv_referral_query {
	int64_t filer_id, agency_id;
	int64_t consignment_id; /* 0: any */
	const char *status;     /* NULL: any */
	bool overdue;           /* only open ones past their deadline */
	int64_t now_ms;
	int64_t after_id;       /* cursor: ids above this one, oldest first */
	int limit;              /* 1..MLV_LIST_MAX */
} mlv_referral_query;
/* *next_cursor: the after_id of the next page, 0 after the last. */
int mlv_store_referrals(mlv_store *s, const mlv_referral_query *q,
			int (*fn)(void *ctx, const mlv_referral *r), void *ctx, int64_t *next_cursor);
/* One referral the reader may see (as above); MLV_ENOTFOUND otherwise. */
int mlv_store_referral_get(mlv_store *s, int64_t filer_id, int64_t agency_id, int64_t id,
			   mlv_referral *out);

#define MLV_REFERRAL_DOCS_MAX 5

typedef struct mlv_referral_doc {
	const char *type;       /* a document type of the dataset (invoice, permit ...) */
	const char *reference;  /* its number */
	const char *filename;   /* NULL */
	const char *media_type; /* NULL */
	const void *content;    /* NULL: a reference only */
	size_t size;
} mlv_referral_doc;

typedef struct mlv_referral_answer {
	int64_t referral_id;
	int64_t filer_id, agency_id; /* the addressee answering (one of the two) */
	const char *text;            /* NULL */
	const char *data_json;       /* elements given, canonical JSON; NULL */
	const mlv_referral_doc *docs;
	size_t ndocs;
	const char *actor;
	int64_t at_ms;
} mlv_referral_answer;
/* Records an answer (the referral becomes answered), its documents and
 * its event.  MLV_ENOTFOUND when not the addressee's, MLV_ECONFLICT when
 * closed. */
int mlv_store_referral_answer(mlv_store *s, const mlv_referral_answer *a, int64_t *answer_id);

typedef struct mlv_referral_answer_row {
	int64_t id;
	char by[64];      /* the answering filer's or agency's name */
	int64_t at_ms;
	const char *text; /* NULL; borrowed for the call */
	const char *data; /* NULL; borrowed for the call */
} mlv_referral_answer_row;

typedef struct mlv_referral_doc_row {
	int64_t id, answer_id;
	char type[24], reference[72], filename[128], media_type[80];
	int64_t size;
	char sha256[65]; /* hex, "" for a reference only */
} mlv_referral_doc_row;

int mlv_store_referral_answers(mlv_store *s, int64_t id,
			       int (*fn)(void *ctx, const mlv_referral_answer_row *a), void *ctx);
int mlv_store_referral_docs(mlv_store *s, int64_t id,
			    int (*fn)(void *ctx, const mlv_referral_doc_row *d), void *ctx);
/* A document's bytes; MLV_ENOTFOUND when none (or only a reference). */
int mlv_store_referral_doc_content(mlv_store *s, int64_t id, int64_t doc_id,
				   mlv_referral_doc_row *row, mlv_buf *content);
/* The referral's own events, oldest first. */
int mlv_store_referral_events(mlv_store *s, int64_t id,
			      int (*fn)(void *ctx, const mlv_event *ev), void *ctx);

/* Closes a referral (outcome satisfied, not_satisfied or withdrawn); when
 * it was the last one open the consignment resolves back to where it was
 * (*resolved, r).  MLV_ECONFLICT when already closed. */
int mlv_store_referral_close(mlv_store *s, int64_t id, const char *outcome, const char *reason,
			     const char *actor, int64_t at_ms, bool *resolved,
			     mlv_transition_result *r);
/* Marks the open referrals past their deadline (once each): an `overdue`
 * event and a notification to the addressee. */
int mlv_store_referrals_sweep(mlv_store *s, int64_t now_ms, size_t *marked);

/* ---- multi-party filing (merge.h, docs/multi-party.md) -------------------------------- */

typedef struct mlv_part {
	int64_t id, link_id, filer_id;
	char role[20];
	char link_kind[16];      /* house_document, tracking_number */
	char link[36];
	int version;
	unsigned char digest[32];
	int64_t filed_ms, updated_ms;
	int64_t consignment_id;  /* the merged consignment; 0 until complete */
	char status[24];         /* its state, "" until complete */
	bool lead;               /* this part's filer owns the consignment */
	char roles[128];         /* the roles that sent parts of the link, space-separated */
	char filer_name[64];
	mlv_buf data;            /* the part's elements, canonical JSON */
	mlv_buf missing;         /* the link's missing elements (merge.h JSON) */
} mlv_part;

void mlv_part_init(mlv_part *p);
void mlv_part_free(mlv_part *p);

/* The parts of a link, with their data, for the merge.  *consignment_id,
 * *owner_id and lrn (36 bytes) say what the link was merged into (0, 0,
 * "" when not yet). */
int mlv_store_link_parts(mlv_store *s, const char *kind, const char *value,
			 int (*fn)(void *ctx, const mlv_part *p), void *ctx,
			 int64_t *consignment_id, int64_t *owner_id, char lrn[36]);

typedef struct mlv_part_put {
	int64_t filer_id;
	const char *role, *link_kind, *link;
	const char *data;              /* canonical JSON of the part */
	const unsigned char *digest;   /* 32 bytes */
	int64_t at_ms;
	mlv_filing *merged;            /* prepared and ok when the merged view is complete, else NULL */
	const char *missing_json;      /* what the merged view lacks */
	const char *problems_json;     /* what else keeps it from being complete */
	const char *report_json;       /* the merge report, for officers */
} mlv_part_put;

typedef struct mlv_part_outcome {
	int64_t part_id;
	int version;
	mlv_outcome outcome;           /* created, amended or unchanged */
	char conflict[64];             /* with MLV_ECONFLICT: role_taken, lrn_taken or the state */
} mlv_part_outcome;

/* Stores a part and, when complete, the merged consignment (created or
 * amended, with its event) and the links of every part to it, in one
 * transaction; every party hears of the merge.  MLV_ECONFLICT (see
 * out->conflict) when the role is another filer's, the lead's LRN names
 * another of its consignments, or the consignment can no longer change. */
int mlv_store_part_put(mlv_store *s, const mlv_part_put *p, mlv_part_outcome *out);
/* One part of filer_id (another filer's: MLV_ENOTFOUND). */
int mlv_store_part_get(mlv_store *s, int64_t filer_id, int64_t id, mlv_part *out);
/* The filer's parts, newest first (data left empty); cursor as mlv_store_list. */
int mlv_store_parts(mlv_store *s, int64_t filer_id, int64_t after_id, int limit,
		    int (*fn)(void *ctx, const mlv_part *p), void *ctx, int64_t *next_cursor);
/* Officers: the parts a consignment was merged from (with data and filer
 * names) and the merge report (JSON) into report.  MLV_ENOTFOUND when it
 * was not merged from parts. */
int mlv_store_consignment_parts(mlv_store *s, int64_t consignment_id,
				int (*fn)(void *ctx, const mlv_part *p), void *ctx, mlv_buf *report);

/* ---- notifications and webhooks (docs/notifications.md) -------------------------------- */

typedef struct mlv_notification {
	int64_t id;        /* the cursor: grows with every notification, never reused */
	char type[16];     /* state, referral, merged */
	int64_t consignment_id, referral_id;
	int64_t at_ms;
	const char *body;  /* the JSON object, without its id; borrowed for the call */
} mlv_notification;

/* The filer's notifications after the cursor `after`, oldest first, at
 * most limit; *last is the id of the last one given (after when none). */
int mlv_store_notifications(mlv_store *s, int64_t filer_id, int64_t after, int limit,
			    int (*fn)(void *ctx, const mlv_notification *n), void *ctx,
			    int64_t *last);
/* The id of the filer's latest notification, 0 when none. */
int mlv_store_notification_latest(mlv_store *s, int64_t filer_id, int64_t *id);

#define MLV_WEBHOOK_URL_MAX 512

typedef struct mlv_webhook {
	int64_t id, filer_id;
	char url[MLV_WEBHOOK_URL_MAX + 1];
	char secret[64];
	int64_t cursor;          /* the last notification delivered (acknowledged) */
	int64_t delivered;       /* deliveries acknowledged */
	int attempts;            /* failed attempts at the next notification */
	int64_t next_attempt_ms; /* not before; 0 at once */
	int64_t last_attempt_ms, created_ms;
	int last_status;         /* HTTP status of the last attempt, 0 when none */
	char last_error[200];
	int64_t pending;         /* notifications waiting (lists and reads) */
} mlv_webhook;

/* Registers a webhook with a new random secret (out->secret); delivery
 * starts after notification `after`, or after the filer's latest when
 * after < 0.  MLV_ETOOBIG when the filer has `max` webhooks already. */
int mlv_store_webhook_add(mlv_store *s, int64_t filer_id, const char *url, int64_t after,
			  int max, int64_t now_ms, mlv_webhook *out);
int mlv_store_webhooks(mlv_store *s, int64_t filer_id,
		       int (*fn)(void *ctx, const mlv_webhook *w), void *ctx);
int mlv_store_webhook_get(mlv_store *s, int64_t filer_id, int64_t id, mlv_webhook *out);
int mlv_store_webhook_delete(mlv_store *s, int64_t filer_id, int64_t id, int64_t now_ms);
/* Delivery: up to max webhooks due at now with a notification waiting. */
int mlv_store_webhooks_due(mlv_store *s, int64_t now_ms, mlv_webhook *out, size_t max,
			   size_t *n);
/* Takes the delivery of a due webhook whose cursor is still `cursor`
 * until until_ms, so that no other delivery thread (another server on the
 * same store) sends the same notification; MLV_ENOTFOUND when another
 * took it or it moved on. */
int mlv_store_webhook_claim(mlv_store *s, int64_t id, int64_t cursor, int64_t now_ms,
			    int64_t until_ms);
/* The filer's first notification after `after`, as delivered (with its
 * id); MLV_ENOTFOUND when none. */
int mlv_store_notification_next(mlv_store *s, int64_t filer_id, int64_t after, int64_t *id,
				mlv_buf *body);
/* The delivery of notification_id was acknowledged: the cursor moves to it
 * (only forward: a second acknowledgement changes nothing). */
int mlv_store_webhook_delivered(mlv_store *s, int64_t id, int64_t notification_id, int status,
				int64_t now_ms);
/* An attempt failed: the next one not before next_attempt_ms. */
int mlv_store_webhook_failed(mlv_store *s, int64_t id, int status, const char *error,
			     int64_t now_ms, int64_t next_attempt_ms);

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

/* ---- statistics (docs/statistics.md) ------------------------------------------------------
 * Aggregates kept per day and combination of dimension values, in the
 * same transactions that write the consignments, their events, inspection
 * results and refunds: reading a month costs the same over ten thousand
 * or ten million stored consignments. */

typedef struct mlv_stats_query {
	int32_t from_day, to_day;    /* days since 1970-01-01, both included */
	mlv_stats_period period;     /* MLV_PERIOD_NONE: one row for the range */
	mlv_stats_dim by;            /* the breakdown; MLV_DIM_NONE for none */
	unsigned filters;            /* bits 1u << dim of the filters given */
	int64_t key[MLV_DIM_COUNT_]; /* each filter's value (mlv_stats_key_parse) */
	char origin[3];              /* the origin filter's country */
	size_t max_rows;             /* MLV_ETOOBIG past it (fn already called); 0: none */
} mlv_stats_query;

/* Calls fn for each row, by period then breakdown value.  MLV_EINVALID
 * when the store keeps no grain with the breakdown and every filter
 * (mlv_store_stats_grain). */
int mlv_store_stats(mlv_store *s, const mlv_stats_query *q,
		    int (*fn)(void *ctx, const mlv_stats_row *row), void *ctx);

/* The grain that holds every dimension of `dims` (bits 1u << dim), or -1
 * when none does.  Kept per day: lane, channel, business model and
 * collection model together; the country of dispatch, the HS chapter or
 * the filer each with lane and channel; and any two of those three with
 * lane (docs/statistics.md). */
int mlv_store_stats_grain(unsigned dims);

/* Release times as histograms (stats.h buckets) of the releases of days
 * [from_day, to_day]: fn once per measure (0 filing to release, 1 arrival
 * to release), lane index, channel and bucket, with the count and the
 * longest duration in it. */
int mlv_store_stats_release(mlv_store *s, int32_t from_day, int32_t to_day,
			    int (*fn)(void *ctx, int measure, int lane, int channel, int bucket,
				      uint64_t n, int64_t max_s),
			    void *ctx);

/* Rule performance over days [from_day, to_day]: hits at filing, and the
 * controls, findings, seizures and revenue of the inspection results of
 * consignments each rule hit; most hits first. */
int mlv_store_stats_rules(mlv_store *s, int32_t from_day, int32_t to_day,
			  int (*fn)(void *ctx, const char *rule_id, const mlv_rule_counts *c),
			  void *ctx);

/* Consignments now in each state, by lane index (the officers' queue and
 * the pre-arrival selections are read from it). */
int mlv_store_stats_states(mlv_store *s,
			   int (*fn)(void *ctx, const char *state, int lane, int64_t n),
			   void *ctx);

typedef struct mlv_stats_rebuild_report {
	uint64_t consignments; /* rows read */
	uint64_t backfilled;   /* rows given their chapter, collection model, duty and tax */
	uint64_t differences;  /* with check: aggregate rows that differed */
} mlv_stats_rebuild_report;

/* Recomputes the aggregates (not the rule counters, which are events of
 * their own) from the stored rows in one transaction; rows stored before
 * the statistics existed first get the columns they need from their
 * stored texts.  With check, compares the result with the aggregates as
 * kept, counts the differences and changes nothing.  A read-write handle. */
int mlv_store_stats_rebuild(mlv_store *s, bool check, mlv_stats_rebuild_report *rep);

/* The size of the database file in bytes (page count x page size). */
int mlv_store_size(mlv_store *s, int64_t *bytes);

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

/* What a purge removed (or, with dry_run, would remove). */
typedef struct mlv_purge_counts {
	uint64_t consignments; /* consignments whose versions were purged */
	uint64_t versions;     /* stored versions and multi-party parts */
	uint64_t skipped;      /* versions that no longer decode, left as they are */
	uint64_t answers;      /* referral answers whose text and data went */
	uint64_t documents;    /* referral documents whose file name and bytes went */
	uint64_t registry;     /* superseded operator records whose contacts went */
} mlv_purge_counts;

/* Removes the personal elements (docs/dataset.md, "personal") from every
 * stored version of the consignments filed before before_ms, keeping
 * everything else; audit proofs stay valid (leaves hold hashes).  The
 * parts of multi-party filings sent before then are purged too, each
 * counted as a version; so are the text and data of the referral answers
 * and the file names and bytes of the referral documents of those
 * consignments (ids, times, sizes and digests stay), and the contacts of
 * the operator records of the registry's history written before then and
 * since superseded (the current record stays whole).  One transaction;
 * dry_run counts and rolls back. */
int mlv_store_purge(mlv_store *s, const mlv_refdata *rd, int64_t before_ms, bool dry_run,
		    mlv_purge_counts *out);

/* Calls fn with the latest text of every stored consignment (all filers),
 * in id order: for recomputations such as the what-if of thresholds. */
int mlv_store_scan(mlv_store *s, int (*fn)(void *ctx, int64_t id, const mlv_buf *text),
		   void *ctx);

/* Number of stored consignments (all filers). */
int mlv_store_count(mlv_store *s, int64_t *n);

/* ---- the registry of operators (operators.h, docs/operators.md) ------------------
 * Every create and change writes a row of the registry's history (who,
 * when, which members, the record after it) in the same transaction; the
 * largest history id is the registry's generation, which tells a running
 * server that its snapshot is stale.  An identifier belongs to one
 * operator, a filer account acts for at most one. */

/* Creates op (its id, version 1 and times are set).  MLV_EEXISTS when an
 * identifier or a filer belongs to another operator (why says which). */
int mlv_store_operator_create(mlv_store *s, mlv_operator *op, const char *actor, int64_t now_ms,
			      char *why, size_t whylen);
/* Replaces operator op->id with op.  With expected_version > 0,
 * MLV_ECONFLICT unless that is the stored version.  *changed is false (and
 * nothing is written) when op equals the stored record.  op's version and
 * times are set from the store.  MLV_ENOTFOUND, MLV_EEXISTS as above. */
int mlv_store_operator_update(mlv_store *s, mlv_operator *op, int expected_version,
			      const char *actor, int64_t now_ms, bool *changed, char *why,
			      size_t whylen);
int mlv_store_operator_get(mlv_store *s, int64_t id, mlv_operator *out);

typedef struct mlv_operator_query {
	int64_t after_id;	/* cursor: ids below this one (newest first); 0 = start */
	int limit;		/* 1..MLV_LIST_MAX */
	unsigned kind;		/* mlv_op_kind; 0 any */
	const char *country;	/* NULL any */
	const char *identifier; /* normalised; NULL any */
	const char *name;	/* words the name contains (case-insensitive); NULL any */
	int aeo;		/* 1 with an AEO record, 0 without, -1 either */
	const char *filer;	/* operators this filer acts for; NULL any */
	int64_t only_id;	/* > 0: this operator alone (a filer's scope) */
	bool no_natural_persons; /* leave out natural persons (partners' view) */
} mlv_operator_query;

/* Calls fn for each match, newest first; *next_cursor as mlv_store_list. */
int mlv_store_operator_list(mlv_store *s, const mlv_operator_query *q,
			    int (*fn)(void *ctx, const mlv_operator *op), void *ctx,
			    int64_t *next_cursor);

/* One entry of the registry's history. */
typedef struct mlv_registry_change {
	int64_t id;		/* its place in the registry's history */
	int version;		/* of the record after the change */
	int64_t at_ms;
	char actor[80];
	char change[12];	/* "created", "updated" */
	char changed[160];	/* the members that changed, comma-separated */
} mlv_registry_change;

/* The changes of operator id, oldest first, each with the record after it.
 * MLV_ENOTFOUND when no such operator. */
int mlv_store_operator_history(mlv_store *s, int64_t id,
			       int (*fn)(void *ctx, const mlv_registry_change *ch,
					 const mlv_operator *op),
			       void *ctx);

/* The changes of MRA id, oldest first, each with the arrangement as it
 * was recorded after the change (record, JSON of mlv_mra_write_json, its
 * in_force as of that day; borrowed for the call).  MLV_ENOTFOUND when no
 * such MRA. */
int mlv_store_mra_history(mlv_store *s, int64_t id,
			  int (*fn)(void *ctx, const mlv_registry_change *ch, const char *record,
				    size_t len),
			  void *ctx);

/* MRAs: create (id, version and times set), update (as operators), read. */
int mlv_store_mra_create(mlv_store *s, mlv_mra *m, const char *actor, int64_t now_ms);
int mlv_store_mra_update(mlv_store *s, mlv_mra *m, int expected_version, const char *actor,
			 int64_t now_ms, bool *changed);
int mlv_store_mra_get(mlv_store *s, int64_t id, mlv_mra *out);
/* Every MRA, by id. */
int mlv_store_mra_list(mlv_store *s, int (*fn)(void *ctx, const mlv_mra *m), void *ctx);

/* The registry's generation: 0 when empty, larger after every change. */
int mlv_store_registry_generation(mlv_store *s, int64_t *out);
/* A sealed snapshot of the whole registry (operators.h) with opts (its
 * generation is set from the store). */
int mlv_store_operators_snapshot(mlv_store *s, const mlv_operators_opts *opts,
				 mlv_operators **out);
/* 0 when consignment_id names operator_id as a party (seller, platform,
 * intermediary, carrier: one of the operator's identifiers, registered when
 * the consignment was filed), with the filer that filed it in *owner;
 * MLV_ENOTFOUND otherwise. */
int mlv_store_consignment_party(mlv_store *s, int64_t operator_id, int64_t consignment_id,
				int64_t *owner);

/* ---- API keys (listing) ----------------------------------------------------------- */

typedef struct mlv_key_info {
	int64_t id;
	char prefix[16];      /* the first 12 characters of the key: never the key */
	char role[12];
	char filer[64];
	char label[64];
	int64_t created_at;   /* seconds since the epoch */
	int64_t expires_at;   /* 0 when never */
	int64_t revoked_at;   /* 0 when live */
} mlv_key_info;

/* Every key, newest first; with filer non-NULL, that filer's only. */
int mlv_store_key_list(mlv_store *s, const char *filer,
		       int (*fn)(void *ctx, const mlv_key_info *k), void *ctx);
/* The prefix under which a key is listed and revoked: its first 12
 * characters.  MLV_EINVALID when the text is too short to be a key. */
int mlv_store_key_prefix(const char *token, char prefix[16]);

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
