/* sqlite_internal.h - what the files of the SQLite driver share: the
 * handle and its prepared statements.  Not a public header. */
#ifndef MLV_STORE_SQLITE_INTERNAL_H
#define MLV_STORE_SQLITE_INTERNAL_H

#include <sqlite3.h>

#include "mlv/audit.h"
#include "mlv/store.h"

enum {
	ST_FIND,
	ST_INSERT,
	ST_UPDATE,
	ST_EVENT,
	ST_GET,
	ST_GET_VERSION,
	ST_BY_LRN,
	ST_KEY_CHECK,
	ST_EVENTS,
	ST_DICT_ADD,
	ST_DICT_GET,
	ST_EVENT_LEAF,
	ST_NODE_GET,
	ST_NODE_PUT,
	ST_RECENT_BUYER,
	ST_RULE_BUMP,
	ST_PARTY_PUT,   /* operators_sqlite.c: the registered parties of a filing */
	ST_PARTY_CLEAR,
	ST_ACTION_EVENT,
	ST_NOTIFY,
	ST_COUNT_
};

/* Consignments waiting for customs: open referrals, goods at the border
 * not yet decided, and pre-arrival selections (assessed, not green). */
#define MLV_STORE_WAITING_SQL                                                             \
	"(status IN ('referred', 'arrived', 'held', 'inspected')"                            \
	" OR (status = 'assessed' AND lane <> 'green'))"

#define DICTS_MAX 8
#define MLV_FRONTIER_LEVELS 64

struct mlv_store {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT_];
	uint32_t written[DICTS_MAX];  /* dictionary ids known to be stored */
	mlv_zdict *dicts[DICTS_MAX];  /* dictionaries loaded for reading */
	uint64_t audit_size;          /* leaves in the audit tree = events */
	int64_t data_version;         /* PRAGMA data_version when audit_size was read */
	struct {                      /* last node written per level (audit_sqlite.c) */
		uint64_t index;
		uint8_t hash[32];
		bool valid;
	} frontier[MLV_FRONTIER_LEVELS];
	struct mlv_sqlite_stats *stats; /* aggregates of the open transaction (stats_sqlite.c) */
};

/* The prepared statement, reset and with its bindings cleared. */
sqlite3_stmt *mlv_sqlite_stmt(mlv_store *s, int which);
/* Runs SQL without results: 0 or MLV_EIO. */
int mlv_sqlite_exec(mlv_store *s, const char *sql);

/* operators_sqlite.c: records the registered parties of a filing just
 * stored (f->id set); with amended, first forgets the earlier ones. */
int mlv_sqlite_parties_put(mlv_store *s, const mlv_filing *f, bool amended);
/* store_sqlite.c: an event's audit leaf text; the text of a stored
 * (zstd) body; one filing inside the caller's transaction; a text column
 * copied ("" when NULL). */
int mlv_sqlite_event_leaf(mlv_buf *b, uint64_t event_id, const mlv_filing *f, const char *type,
			  const char *actor);
int mlv_sqlite_body_text(mlv_store *s, const void *z, size_t zn, mlv_buf *out);
int mlv_sqlite_file_one(mlv_store *s, mlv_filing *f);
void mlv_sqlite_copy_col(sqlite3_stmt *st, int i, char *dst, size_t n);
/* Runs fn inside BEGIN IMMEDIATE ... COMMIT, with the audit tree synced
 * first; rolls back (and reloads the tree) when fn or the commit fails. */
int mlv_sqlite_write(mlv_store *s, int (*fn)(mlv_store *s, void *ctx), void *ctx);

/* lifecycle_sqlite.c: one lifecycle event (what happened, by whom, when,
 * why; referral_id 0 for none) and its audit leaf, inside the caller's
 * transaction. */
int mlv_sqlite_action_event(mlv_store *s, int64_t id, int64_t filer_id, const char *lrn,
			    int version, const char *type, const char *actor, const char *reason,
			    int64_t referral_id, int64_t at_ms, int64_t *event_id);

/* One step of the lifecycle inside the caller's transaction (see
 * mlv_store_transition); its events reach the notifications. */
typedef struct mlv_sqlite_step {
	int64_t filer_id; /* the filer asking: its own or its carrier part's; 0 for any */
	int64_t id;
	mlv_action action;
	unsigned by;
	const char *actor, *reason;
	int64_t at_ms;
	bool auto_release;
	int64_t referral_id; /* the referral that opened or closed, 0 */
	const mlv_release_terms *terms; /* an AEO's release terms; NULL for none */
} mlv_sqlite_step;
int mlv_sqlite_transition(mlv_store *s, const mlv_sqlite_step *t, mlv_transition_result *r);

/* notify_sqlite.c: who hears of a consignment - its owner (everything) and
 * each other filer with a part of it (the decisions only), once each. */
typedef struct mlv_sqlite_recipient {
	int64_t filer_id;
	int64_t part_id; /* 0 for the owner */
	char role[20];   /* the part's role, "" for the owner */
	bool owner;
} mlv_sqlite_recipient;
#define MLV_SQLITE_RECIPIENTS 9
int mlv_sqlite_recipients(mlv_store *s, int64_t consignment_id, mlv_sqlite_recipient *out,
			  size_t *n);
/* Notifies every recipient of a lifecycle event: the owner with the
 * reason and actor, the other parties with the decision only. */
int mlv_sqlite_notify_state(mlv_store *s, int64_t consignment_id, const char *lrn,
			    int64_t event_id, const char *action, mlv_state from, mlv_state to,
			    const char *actor, const char *reason, int64_t at_ms);
/* Queues one notification (body: a JSON object without its id). */
int mlv_sqlite_notify(mlv_store *s, int64_t filer_id, const char *type, int64_t consignment_id,
		      int64_t referral_id, const char *body, int64_t at_ms);
/* RFC 3339 with milliseconds, UTC. */
void mlv_sqlite_time(int64_t ms, char out[32]);

/* audit_sqlite.c: the audit tree's node storage over this handle. */
void mlv_sqlite_audit_store(mlv_store *s, mlv_audit_store *out);
/* Reads the tree size (= number of events) into s->audit_size. */
int mlv_sqlite_audit_load(mlv_store *s);
/* Inside a write transaction: reloads the tree state when another
 * connection (another process, the server's action connection) committed
 * since this one last read it. */
int mlv_sqlite_audit_sync(mlv_store *s);
/* Gives events stored before the audit log existed their leaves. */
int mlv_sqlite_audit_backfill(mlv_store *s);

/* store_sqlite.c: a stored text (zstd, with its dictionary) into out. */
int mlv_sqlite_body_text(mlv_store *s, const void *z, size_t zn, mlv_buf *out);

/* Purge (purge_sqlite.c), inside its transaction: the text, data, file
 * names and bytes of the referral answers and documents of consignments
 * filed before before_ms (referrals_sqlite.c), and the contacts of the
 * registry's superseded history records written before then
 * (operators_sqlite.c).  Each counts the rows it purged. */
int mlv_sqlite_referrals_purge(mlv_store *s, int64_t before_ms, int64_t now_ms,
			       uint64_t *answers, uint64_t *documents);
int mlv_sqlite_registry_purge(mlv_store *s, int64_t before_ms, int64_t now_ms,
			      uint64_t *records);

/* stats_sqlite.c: the aggregates (docs/statistics.md), gathered in memory
 * during a write transaction and written by mlv_sqlite_stats_flush just
 * before its COMMIT.  Every write that changes a consignment row takes
 * the row's share out (sign -1) before and puts it back (+1) after, so
 * the aggregates always equal what a rebuild from the rows would give. */
int mlv_sqlite_stats_row(mlv_store *s, int64_t id, int sign);
/* A new consignment from its filing (no read: the hot path). */
int mlv_sqlite_stats_filed(mlv_store *s, const mlv_filing *f);
/* The rules that hit one filed version, counted on its filing day. */
int mlv_sqlite_stats_hits(mlv_store *s, const mlv_filing *f);
/* An inspection result of consignment id, and the rules it credits. */
int mlv_sqlite_stats_result(mlv_store *s, int64_t id, const char *result, int64_t revenue,
			    int64_t at_ms, const char *const *rule_ids, size_t nrules);
/* A refund of consignment id. */
int mlv_sqlite_stats_refund(mlv_store *s, int64_t id, int64_t amount, int64_t at_ms);
/* Writes what was gathered (inside the transaction); 0 or MLV_EIO. */
int mlv_sqlite_stats_flush(mlv_store *s);
/* Forgets what was gathered (the transaction rolled back). */
void mlv_sqlite_stats_discard(mlv_store *s);
/* At open: rebuilds the aggregates when a migration asked for it. */
int mlv_sqlite_stats_open(mlv_store *s);
void mlv_sqlite_stats_close(mlv_store *s);

#endif
