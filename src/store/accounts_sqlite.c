/* accounts_sqlite.c - deferred payment accounts (WCO FoS Standard 6: an
 * account system for duties and taxes), in the SQLite store.
 *
 * A filer's account is debited with what a consignment owes when it is
 * released on the account, credited with refunds and with the payment of
 * its statements.  The outstanding balance (debits less credits) may not
 * pass the guarantee ceiling: a debit that would is refused, and the goods
 * wait.  Statements are by calendar month (UTC). */
#include <stdio.h>
#include <string.h>

#include "mlv/refdata.h"
#include "mlv/store.h"
#include "sqlite_internal.h"

static int one_row(mlv_store *s, sqlite3_stmt *st, mlv_account *out)
{
	int step = sqlite3_step(st);
	if (step != SQLITE_ROW)
		return step == SQLITE_DONE ? MLV_ENOTFOUND : MLV_EIO;
	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(st, 0);
	out->filer_id = sqlite3_column_int64(st, 1);
	snprintf(out->currency, sizeof(out->currency), "%s",
		 (const char *)sqlite3_column_text(st, 2));
	out->ceiling = sqlite3_column_int64(st, 3);
	out->debits = sqlite3_column_int64(st, 4);
	out->credits = sqlite3_column_int64(st, 5);
	out->balance = out->debits - out->credits;
	(void)s;
	return 0;
}

#define ACCOUNT_SELECT                                                                        \
	"SELECT a.id, a.filer_id, a.currency, a.ceiling,"                                       \
	" coalesce((SELECT sum(amount) FROM account_entries WHERE account_id = a.id"             \
	"  AND kind = 'debit'), 0),"                                                            \
	" coalesce((SELECT sum(amount) FROM account_entries WHERE account_id = a.id"             \
	"  AND kind <> 'debit'), 0) FROM accounts a"

int mlv_store_account_open(mlv_store *s, int64_t filer_id, const char *currency,
			   int64_t ceiling, int64_t now_ms, mlv_account *out)
{
	sqlite3_stmt *st = NULL;
	int rc = MLV_EIO;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO accounts (filer_id, currency, ceiling, opened_at)"
			       " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (filer_id) DO UPDATE SET"
			       " ceiling = excluded.ceiling WHERE currency = excluded.currency",
			       -1, &st, NULL) != SQLITE_OK)
		goto cleanup;
	sqlite3_bind_int64(st, 1, filer_id);
	sqlite3_bind_text(st, 2, currency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, ceiling);
	sqlite3_bind_int64(st, 4, now_ms);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto cleanup;
	rc = mlv_store_account_get(s, filer_id, 0, out);
	if (rc == 0 && strcmp(out->currency, currency) != 0)
		rc = MLV_ECONFLICT; /* an account in another currency exists */
cleanup:
	sqlite3_finalize(st);
	return rc;
}

int mlv_store_account_get(mlv_store *s, int64_t filer_id, int64_t id, mlv_account *out)
{
	sqlite3_stmt *st = NULL;
	const char *sql = id ? ACCOUNT_SELECT " WHERE a.id = ?2 AND (?1 = 0 OR a.filer_id = ?1)"
			     : ACCOUNT_SELECT " WHERE a.filer_id = ?1";
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(st, 1, filer_id);
	if (id)
		sqlite3_bind_int64(st, 2, id);
	int rc = one_row(s, st, out);
	sqlite3_finalize(st);
	return rc;
}

static void month_of(int64_t at_ms, char out[8])
{
	char day[11];
	mlv_date_format((int32_t)(at_ms / 86400000), day);
	snprintf(out, 8, "%.7s", day);
}

int mlv_store_account_entry(mlv_store *s, int64_t account_id, int64_t consignment_id,
			    const char *kind, int64_t amount, int64_t at_ms, const char *note)
{
	sqlite3_stmt *st = NULL;
	char month[8];
	month_of(at_ms, month);
	int rc = MLV_EIO;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO account_entries (account_id, consignment_id, kind, amount,"
			       " at, month, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			       -1, &st, NULL) != SQLITE_OK)
		goto cleanup;
	sqlite3_bind_int64(st, 1, account_id);
	if (consignment_id)
		sqlite3_bind_int64(st, 2, consignment_id);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, amount);
	sqlite3_bind_int64(st, 5, at_ms);
	sqlite3_bind_text(st, 6, month, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, note ? note : "", -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : MLV_EIO;
cleanup:
	sqlite3_finalize(st);
	return rc;
}

int mlv_store_account_statement(mlv_store *s, int64_t account_id, const char *month,
				int (*fn)(void *ctx, const mlv_account_entry *e), void *ctx,
				int64_t *debits, int64_t *credits)
{
	sqlite3_stmt *st = NULL;
	*debits = *credits = 0;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT id, coalesce(consignment_id, 0), kind, amount, at, note"
			       " FROM account_entries WHERE account_id = ?1 AND month = ?2 ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, month, -1, SQLITE_STATIC);
	int rc = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		mlv_account_entry e;
		e.id = sqlite3_column_int64(st, 0);
		e.consignment_id = sqlite3_column_int64(st, 1);
		snprintf(e.kind, sizeof(e.kind), "%s", (const char *)sqlite3_column_text(st, 2));
		e.amount = sqlite3_column_int64(st, 3);
		e.at_ms = sqlite3_column_int64(st, 4);
		snprintf(e.note, sizeof(e.note), "%s", (const char *)sqlite3_column_text(st, 5));
		if (strcmp(e.kind, "debit") == 0)
			*debits += e.amount;
		else
			*credits += e.amount;
		if (fn != NULL && (rc = fn(ctx, &e)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = MLV_EIO;
	sqlite3_finalize(st);
	return rc;
}
