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
};

/* The prepared statement, reset and with its bindings cleared. */
sqlite3_stmt *mlv_sqlite_stmt(mlv_store *s, int which);
/* Runs SQL without results: 0 or MLV_EIO. */
int mlv_sqlite_exec(mlv_store *s, const char *sql);

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

#endif
