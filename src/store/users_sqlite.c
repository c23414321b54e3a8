/* users_sqlite.c - people who sign in (officers, analysts, supervisors,
 * partner administrations...), in the SQLite store.
 *
 * Passwords are hashed with Argon2id (libsodium's crypto_pwhash_str at its
 * interactive limits) and never stored.  A session is a random token held
 * by the browser in an HttpOnly cookie; the store keeps only its SHA-256,
 * with the session's CSRF token and expiry. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "mlv/store.h"
#include "sqlite_internal.h"

#define USER_COLUMNS "u.id, u.username, u.display_name, u.role, coalesce(u.filer_id, 0)"

bool mlv_store_role_valid(const char *role)
{
	static const char *const roles[] = {"filer",   "officer", "analyst", "supervisor",
					    "auditor", "agency",  "partner", "admin"};
	for (size_t i = 0; i < MLV_ARRAY_LEN(roles); i++)
		if (strcmp(role, roles[i]) == 0)
			return true;
	return false;
}

static void read_user(sqlite3_stmt *st, int col, mlv_user *out)
{
	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(st, col);
	snprintf(out->username, sizeof(out->username), "%s",
		 (const char *)sqlite3_column_text(st, col + 1));
	snprintf(out->display_name, sizeof(out->display_name), "%s",
		 (const char *)sqlite3_column_text(st, col + 2));
	snprintf(out->role, sizeof(out->role), "%s", (const char *)sqlite3_column_text(st, col + 3));
	out->filer_id = sqlite3_column_int64(st, col + 4);
}

int mlv_store_user_set(mlv_store *s, const char *username, const char *display_name,
		       const char *password, const char *role, int64_t filer_id)
{
	char hash[crypto_pwhash_STRBYTES];
	size_t pn = strnlen(password, 1025);
	if (pn < 12 || pn > 1024)
		return MLV_EINVALID;
	if (crypto_pwhash_str(hash, password, pn, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return MLV_ENOMEM;
	sqlite3_stmt *st = NULL;
	int rc = MLV_EIO;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO users (username, display_name, pw_hash, role, filer_id,"
			       " created_at) VALUES (?1, ?2, ?3, ?4, ?5, unixepoch())"
			       " ON CONFLICT (username) DO UPDATE SET display_name = ?2,"
			       " pw_hash = ?3, role = ?4, filer_id = ?5, disabled_at = NULL",
			       -1, &st, NULL) != SQLITE_OK)
		goto cleanup;
	sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, display_name != NULL && display_name[0] ? display_name : username,
			  -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, role, -1, SQLITE_STATIC);
	if (filer_id > 0)
		sqlite3_bind_int64(st, 5, filer_id);
	int step = sqlite3_step(st);
	if (step == SQLITE_DONE)
		rc = 0;
	else if ((step & 0xff) == SQLITE_CONSTRAINT)
		rc = MLV_EINVALID; /* an unknown role or filer */
cleanup:
	sqlite3_finalize(st);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

int mlv_store_user_check(mlv_store *s, const char *username, const char *password,
			 mlv_user *out)
{
	/* A well-formed hash nobody's password matches: an unknown username
	 * costs the same Argon2id work as a known one. */
	static char decoy[crypto_pwhash_STRBYTES];
	static int decoy_ready;
	sqlite3_stmt *st = NULL;
	char hash[crypto_pwhash_STRBYTES] = "";
	bool found = false, disabled = false;
	size_t pn = strnlen(password, 1025);
	if (pn > 1024 || strnlen(username, 65) > 64)
		return MLV_EUNAUTH;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT " USER_COLUMNS ", u.pw_hash, u.disabled_at IS NOT NULL"
			       " FROM users u WHERE u.username = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		read_user(st, 0, out);
		snprintf(hash, sizeof(hash), "%s", (const char *)sqlite3_column_text(st, 5));
		disabled = sqlite3_column_int(st, 6) != 0;
		found = true;
	}
	sqlite3_finalize(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return MLV_EIO;
	if (!found) {
		if (!__atomic_load_n(&decoy_ready, __ATOMIC_ACQUIRE)) {
			char tmp[crypto_pwhash_STRBYTES];
			unsigned char junk[24];
			randombytes_buf(junk, sizeof(junk));
			if (crypto_pwhash_str(tmp, (const char *)junk, sizeof(junk),
					      crypto_pwhash_OPSLIMIT_INTERACTIVE,
					      crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0) {
				memcpy(decoy, tmp, sizeof(decoy));
				__atomic_store_n(&decoy_ready, 1, __ATOMIC_RELEASE);
			}
		}
		if (__atomic_load_n(&decoy_ready, __ATOMIC_ACQUIRE))
			if (crypto_pwhash_str_verify(decoy, password, pn) == 0)
				return MLV_EUNAUTH; /* cannot happen: the decoy is random */
		return MLV_EUNAUTH;
	}
	int ok = crypto_pwhash_str_verify(hash, password, pn);
	sodium_memzero(hash, sizeof(hash));
	return ok == 0 && !disabled ? 0 : MLV_EUNAUTH;
}

int mlv_store_user_disable(mlv_store *s, const char *username)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "UPDATE users SET disabled_at = unixepoch() WHERE username = ?1;",
			       -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return MLV_EIO;
	if (sqlite3_changes(s->db) == 0)
		return MLV_ENOTFOUND;
	return mlv_sqlite_exec(s, "DELETE FROM sessions WHERE user_id IN"
				  " (SELECT id FROM users WHERE disabled_at IS NOT NULL)");
}

static void random_token(char out[64])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, 64, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

int mlv_store_session_open(mlv_store *s, int64_t user_id, int64_t now, int64_t ttl_s,
			   char token[64], char csrf[64])
{
	unsigned char hash[crypto_hash_sha256_BYTES];
	random_token(token);
	random_token(csrf);
	crypto_hash_sha256(hash, (const unsigned char *)token, strlen(token));
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO sessions (token_hash, user_id, csrf, created_at,"
			       " expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
			       -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, user_id);
	sqlite3_bind_text(st, 3, csrf, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, now + ttl_s);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	/* expired sessions go as new ones come */
	if (step == SQLITE_DONE) {
		char sql[96];
		snprintf(sql, sizeof(sql), "DELETE FROM sessions WHERE expires_at <= %lld",
			 (long long)now);
		(void)mlv_sqlite_exec(s, sql);
	}
	return step == SQLITE_DONE ? 0 : MLV_EIO;
}

int mlv_store_session_check(mlv_store *s, const char *token, int64_t now, mlv_user *out,
			    char csrf[64])
{
	unsigned char hash[crypto_hash_sha256_BYTES];
	size_t n = strnlen(token, 64);
	if (n != 43)
		return MLV_EUNAUTH;
	crypto_hash_sha256(hash, (const unsigned char *)token, n);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT " USER_COLUMNS ", s.csrf FROM sessions s"
			       " JOIN users u ON u.id = s.user_id"
			       " WHERE s.token_hash = ?1 AND s.expires_at > ?2"
			       " AND u.disabled_at IS NULL",
			       -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	int step = sqlite3_step(st);
	int rc = step == SQLITE_DONE ? MLV_EUNAUTH : MLV_EIO;
	if (step == SQLITE_ROW) {
		read_user(st, 0, out);
		snprintf(csrf, 64, "%s", (const char *)sqlite3_column_text(st, 5));
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int mlv_store_session_close(mlv_store *s, const char *token)
{
	unsigned char hash[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(hash, (const unsigned char *)token, strnlen(token, 64));
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "DELETE FROM sessions WHERE token_hash = ?1", -1, &st,
			       NULL) != SQLITE_OK)
		return MLV_EIO;
	sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_STATIC);
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? 0 : MLV_EIO;
}
