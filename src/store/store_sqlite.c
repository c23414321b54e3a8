/* store_sqlite.c - the embedded SQLite driver of store.h.
 *
 * Durability: WAL with synchronous=FULL, so a commit is on disk when
 * sqlite3_step(COMMIT) returns.  Migrations are numbered and applied in
 * order inside one transaction each; schema_migrations records them.
 * Indexes are only those the queries need: (filer, lrn) for idempotency,
 * (filer, id) for listing, (consignment, id) for the history. */
#include "mlv/lifecycle.h"
#include "mlv/store.h"

#include "sqlite_internal.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const migrations[] = {
	/* 1: filers, keys, consignments, events */
	"CREATE TABLE filers ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  created_at INTEGER NOT NULL) STRICT;"
	"CREATE TABLE api_keys ("
	"  id INTEGER PRIMARY KEY,"
	"  filer_id INTEGER NOT NULL REFERENCES filers(id),"
	"  key_hash BLOB NOT NULL UNIQUE,"
	"  prefix TEXT NOT NULL,"
	"  label TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER,"
	"  revoked_at INTEGER) STRICT;"
	"CREATE TABLE consignments ("
	"  id INTEGER PRIMARY KEY,"
	"  filer_id INTEGER NOT NULL REFERENCES filers(id),"
	"  lrn TEXT NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  status TEXT NOT NULL,"
	"  declaration_type INTEGER NOT NULL,"
	"  category INTEGER NOT NULL,"
	"  channel INTEGER NOT NULL,"
	"  business_model INTEGER NOT NULL,"
	"  departure_country TEXT NOT NULL,"
	"  tracking_number TEXT,"
	"  expected_arrival INTEGER,"
	"  currency TEXT,"
	"  invoice_total INTEGER,"
	"  goods_value INTEGER,"
	"  item_count INTEGER NOT NULL,"
	"  quality_score INTEGER NOT NULL,"
	"  quality TEXT NOT NULL,"
	"  digest BLOB NOT NULL,"
	"  filed_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  UNIQUE (filer_id, lrn)) STRICT;"
	"CREATE INDEX consignments_by_filer ON consignments(filer_id, id);"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  consignment_id INTEGER NOT NULL REFERENCES consignments(id),"
	"  type TEXT NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  digest BLOB,"
	"  body BLOB) STRICT;"
	"CREATE INDEX events_by_consignment ON events(consignment_id, id);",
	/* 2: the zstd dictionaries bodies were compressed with, kept forever */
	"CREATE TABLE zstd_dictionaries ("
	"  id INTEGER PRIMARY KEY," /* the id zstd writes into each frame */
	"  bytes BLOB NOT NULL,"
	"  added_at INTEGER NOT NULL) STRICT;",
	/* 3: the audit log (docs/audit.md).  Leaf i of the Merkle tree is event
	 * i + 1: its leaf text and hash live in the event's own row, written in
	 * the same insert, so no event can exist without its leaf. */
	"ALTER TABLE events ADD COLUMN leaf TEXT;"
	"ALTER TABLE events ADD COLUMN leaf_hash BLOB;"
	"CREATE TABLE audit_nodes ("
	"  level INTEGER NOT NULL,"
	"  idx INTEGER NOT NULL,"
	"  hash BLOB NOT NULL,"
	"  PRIMARY KEY (level, idx)) STRICT, WITHOUT ROWID;"
	"CREATE TABLE audit_sth ("
	"  tree_size INTEGER PRIMARY KEY,"
	"  timestamp_ms INTEGER NOT NULL,"
	"  root BLOB NOT NULL,"
	"  signature BLOB NOT NULL) STRICT;",
	/* 4: duties and taxes assessed at filing (duty.h) */
	"ALTER TABLE consignments ADD COLUMN assessment TEXT;"
	"ALTER TABLE consignments ADD COLUMN amount_due INTEGER;",
	/* 5: the assessment compressed (zstd, about 6x smaller); `assessment`
	 * stays for rows written under schema 4 */
	"ALTER TABLE consignments ADD COLUMN assessment_z BLOB;",
	/* 6: the risk engine's lane, score and explained hits (zstd) */
	"ALTER TABLE consignments ADD COLUMN lane TEXT;"
	"ALTER TABLE consignments ADD COLUMN risk_score INTEGER;"
	"ALTER TABLE consignments ADD COLUMN risk_z BLOB;",
	/* 7: the lifecycle: when the goods arrived and were released */
	"ALTER TABLE consignments ADD COLUMN arrived_at INTEGER;"
	"ALTER TABLE consignments ADD COLUMN released_at INTEGER;",
	/* 8: deferred payment accounts */
	"CREATE TABLE accounts ("
	"  id INTEGER PRIMARY KEY,"
	"  filer_id INTEGER NOT NULL UNIQUE REFERENCES filers(id),"
	"  currency TEXT NOT NULL,"
	"  ceiling INTEGER NOT NULL,"
	"  opened_at INTEGER NOT NULL) STRICT;"
	"CREATE TABLE account_entries ("
	"  id INTEGER PRIMARY KEY,"
	"  account_id INTEGER NOT NULL REFERENCES accounts(id),"
	"  consignment_id INTEGER REFERENCES consignments(id),"
	"  kind TEXT NOT NULL CHECK (kind IN ('debit', 'refund', 'payment')),"
	"  amount INTEGER NOT NULL CHECK (amount >= 0),"
	"  at INTEGER NOT NULL,"
	"  month TEXT NOT NULL,"
	"  note TEXT NOT NULL) STRICT;"
	"CREATE INDEX account_entries_by_month ON account_entries(account_id, month, id);",
	/* 9: roles of API keys; inspection results and the rule statistics they feed */
	"ALTER TABLE api_keys ADD COLUMN role TEXT NOT NULL DEFAULT 'filer'"
	"  CHECK (role IN ('filer', 'officer'));"
	"CREATE TABLE inspection_results ("
	"  id INTEGER PRIMARY KEY,"
	"  consignment_id INTEGER NOT NULL REFERENCES consignments(id),"
	"  result TEXT NOT NULL CHECK (result IN ('nothing_found', 'irregularity', 'seizure')),"
	"  revenue INTEGER NOT NULL CHECK (revenue >= 0),"
	"  officer TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  note TEXT NOT NULL) STRICT;"
	"CREATE TABLE rule_stats ("
	"  rule_id TEXT PRIMARY KEY,"
	"  hits INTEGER NOT NULL DEFAULT 0,"
	"  controls INTEGER NOT NULL DEFAULT 0,"
	"  findings INTEGER NOT NULL DEFAULT 0,"
	"  seizures INTEGER NOT NULL DEFAULT 0,"
	"  revenue INTEGER NOT NULL DEFAULT 0) STRICT, WITHOUT ROWID;",
	/* 10: when personal data was purged after its retention period */
	"ALTER TABLE consignments ADD COLUMN purged_at INTEGER;",
	/* 11: the pseudonymised buyer key, only to add up values (splits) */
	"ALTER TABLE consignments ADD COLUMN buyer_key TEXT;"
	"CREATE INDEX consignments_by_buyer ON consignments(buyer_key, filed_at)"
	"  WHERE buyer_key IS NOT NULL;",
	/* 12: the split check reads the index alone (value and id in it) */
	"DROP INDEX consignments_by_buyer;"
	"CREATE INDEX consignments_by_buyer ON consignments(buyer_key, filed_at, goods_value, id)"
	"  WHERE buyer_key IS NOT NULL;",
	/* 13: every role of issue 7 for keys; people with passwords and sessions */
	"CREATE TABLE api_keys_13 ("
	"  id INTEGER PRIMARY KEY,"
	"  filer_id INTEGER NOT NULL REFERENCES filers(id),"
	"  key_hash BLOB NOT NULL UNIQUE,"
	"  prefix TEXT NOT NULL,"
	"  label TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER,"
	"  revoked_at INTEGER,"
	"  role TEXT NOT NULL DEFAULT 'filer' CHECK (role IN " MLV_ROLES_SQL ")) STRICT;"
	"INSERT INTO api_keys_13 SELECT id, filer_id, key_hash, prefix, label, created_at,"
	"  expires_at, revoked_at, role FROM api_keys;"
	"DROP TABLE api_keys;"
	"ALTER TABLE api_keys_13 RENAME TO api_keys;"
	"CREATE TABLE users ("
	"  id INTEGER PRIMARY KEY,"
	"  username TEXT NOT NULL UNIQUE,"
	"  display_name TEXT NOT NULL,"
	"  pw_hash TEXT NOT NULL,"
	"  role TEXT NOT NULL CHECK (role IN " MLV_ROLES_SQL "),"
	"  filer_id INTEGER REFERENCES filers(id),"
	"  created_at INTEGER NOT NULL,"
	"  disabled_at INTEGER) STRICT;"
	"CREATE TABLE sessions ("
	"  token_hash BLOB PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  csrf TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL) STRICT, WITHOUT ROWID;",
	/* 14: the officers' queue: what waits for a decision, by risk (the
	 * console's query repeats this WHERE so that the index serves it) */
	"CREATE INDEX consignments_waiting ON consignments(risk_score DESC, id)"
	"  WHERE " MLV_STORE_WAITING_SQL ";",
	/* 15 (operators): the registry of operators with their identifiers, the
	 * filer accounts acting for them, MRAs, the history of every change of
	 * both, and the registered parties of consignments (operators_sqlite.c) */
	"CREATE TABLE operators ("
	"  id INTEGER PRIMARY KEY,"
	"  kind INTEGER NOT NULL,"
	"  name TEXT NOT NULL,"
	"  name_folded TEXT NOT NULL,"
	"  country TEXT NOT NULL,"
	"  natural_person INTEGER NOT NULL,"
	"  aeo_type INTEGER,"          /* NULL: no AEO record */
	"  aeo_country TEXT,"
	"  aeo_certificate TEXT,"
	"  aeo_valid_from INTEGER,"
	"  aeo_valid_to INTEGER,"
	"  aeo_suspended INTEGER,"
	"  doc TEXT NOT NULL,"         /* the record (MLV_OP_VIEW_STORE) */
	"  version INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL) STRICT;"
	"CREATE TABLE operator_identifiers ("
	"  value TEXT PRIMARY KEY,"    /* normalised: one operator per identifier */
	"  type INTEGER NOT NULL,"
	"  operator_id INTEGER NOT NULL REFERENCES operators(id)) STRICT, WITHOUT ROWID;"
	"CREATE INDEX operator_identifiers_by_operator ON operator_identifiers(operator_id);"
	"CREATE TABLE operator_filers ("
	"  filer_id INTEGER PRIMARY KEY REFERENCES filers(id),"
	"  operator_id INTEGER NOT NULL REFERENCES operators(id)) STRICT;"
	"CREATE INDEX operator_filers_by_operator ON operator_filers(operator_id);"
	"CREATE TABLE mras ("
	"  id INTEGER PRIMARY KEY,"
	"  reference TEXT NOT NULL,"
	"  party_a TEXT NOT NULL,"
	"  party_b TEXT NOT NULL,"
	"  valid_from INTEGER NOT NULL,"
	"  valid_to INTEGER NOT NULL,"
	"  types INTEGER NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL) STRICT;"
	"CREATE TABLE registry_history ("
	"  id INTEGER PRIMARY KEY,"    /* the registry's generation */
	"  object TEXT NOT NULL CHECK (object IN ('operator', 'mra')),"
	"  object_id INTEGER NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  change TEXT NOT NULL CHECK (change IN ('created', 'updated')),"
	"  changed TEXT NOT NULL,"
	"  doc TEXT NOT NULL) STRICT;"
	"CREATE INDEX registry_history_by_object ON registry_history(object, object_id, id);"
	"CREATE TABLE consignment_parties ("
	"  ident TEXT NOT NULL,"
	"  consignment_id INTEGER NOT NULL REFERENCES consignments(id),"
	"  role INTEGER NOT NULL,"
	"  PRIMARY KEY (ident, consignment_id, role)) STRICT, WITHOUT ROWID;"
	"CREATE INDEX consignment_parties_by_consignment ON consignment_parties(consignment_id);",
	/* 16: the clearance lifecycle of issue 5.  Events carry their reason
	 * and, for a referral's own events, its id.  Referrals (ICS2 style)
	 * with their answers and documents.  Multi-party filing: links (house
	 * document or tracking number) and the parts each filer sent.
	 * Notifications: an outbox per recipient whose AUTOINCREMENT id is the
	 * consumers' cursor (never reused, growing in commit order under
	 * SQLite's single writer); webhooks with their own delivery cursor.
	 * Inspection results keep an NII image reference and internal notes. */
	"ALTER TABLE events ADD COLUMN reason TEXT;"
	"ALTER TABLE events ADD COLUMN referral_id INTEGER;"
	"CREATE INDEX events_by_referral ON events(referral_id, id) WHERE referral_id IS NOT NULL;"
	"ALTER TABLE inspection_results ADD COLUMN nii_reference TEXT;"
	"ALTER TABLE inspection_results ADD COLUMN notes TEXT;"
	"CREATE TABLE referrals ("
	"  id INTEGER PRIMARY KEY,"
	"  consignment_id INTEGER NOT NULL REFERENCES consignments(id),"
	"  kind TEXT NOT NULL CHECK (kind IN ('information', 'screening', 'do_not_load')),"
	"  status TEXT NOT NULL CHECK (status IN ('open', 'answered', 'closed')),"
	"  to_role TEXT NOT NULL,"
	"  filer_id INTEGER REFERENCES filers(id),"
	"  agency_id INTEGER REFERENCES filers(id),"
	"  reason TEXT NOT NULL,"
	"  request TEXT,"
	"  deadline INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  answered_at INTEGER,"
	"  overdue_at INTEGER,"
	"  closed_at INTEGER,"
	"  closed_by TEXT,"
	"  outcome TEXT,"
	"  CHECK ((filer_id IS NULL) <> (agency_id IS NULL))) STRICT;"
	"CREATE INDEX referrals_by_consignment ON referrals(consignment_id, id);"
	"CREATE INDEX referrals_by_filer ON referrals(filer_id, id) WHERE filer_id IS NOT NULL;"
	"CREATE INDEX referrals_by_agency ON referrals(agency_id, id) WHERE agency_id IS NOT NULL;"
	"CREATE INDEX referrals_open ON referrals(deadline) WHERE status <> 'closed';"
	"CREATE TABLE referral_answers ("
	"  id INTEGER PRIMARY KEY,"
	"  referral_id INTEGER NOT NULL REFERENCES referrals(id),"
	"  filer_id INTEGER NOT NULL REFERENCES filers(id),"
	"  text TEXT,"
	"  data TEXT,"
	"  at INTEGER NOT NULL) STRICT;"
	"CREATE INDEX referral_answers_by_referral ON referral_answers(referral_id, id);"
	"CREATE TABLE referral_documents ("
	"  id INTEGER PRIMARY KEY,"
	"  referral_id INTEGER NOT NULL REFERENCES referrals(id),"
	"  answer_id INTEGER NOT NULL REFERENCES referral_answers(id),"
	"  type TEXT NOT NULL,"
	"  reference TEXT NOT NULL,"
	"  filename TEXT,"
	"  media_type TEXT,"
	"  size INTEGER NOT NULL,"
	"  sha256 BLOB,"
	"  content BLOB) STRICT;"
	"CREATE INDEX referral_documents_by_referral ON referral_documents(referral_id, id);"
	"CREATE TABLE links ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK (kind IN ('house_document', 'tracking_number')),"
	"  value TEXT NOT NULL,"
	"  consignment_id INTEGER UNIQUE REFERENCES consignments(id),"
	"  missing TEXT NOT NULL DEFAULT '[]',"
	"  problems TEXT NOT NULL DEFAULT '[]',"
	"  report TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  UNIQUE (kind, value)) STRICT;"
	"CREATE TABLE parts ("
	"  id INTEGER PRIMARY KEY,"
	"  link_id INTEGER NOT NULL REFERENCES links(id),"
	"  filer_id INTEGER NOT NULL REFERENCES filers(id),"
	"  role TEXT NOT NULL CHECK (role IN ('platform', 'seller', 'broker', 'carrier',"
	"    'payment_provider')),"
	"  version INTEGER NOT NULL,"
	"  digest BLOB NOT NULL,"
	"  data TEXT NOT NULL,"
	"  filed_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  purged_at INTEGER,"
	"  UNIQUE (link_id, role)) STRICT;"
	"CREATE INDEX parts_by_filer ON parts(filer_id, id);"
	"CREATE TABLE notifications ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  filer_id INTEGER NOT NULL REFERENCES filers(id),"
	"  type TEXT NOT NULL,"
	"  consignment_id INTEGER REFERENCES consignments(id),"
	"  referral_id INTEGER,"
	"  body TEXT NOT NULL,"
	"  at INTEGER NOT NULL) STRICT;"
	"CREATE INDEX notifications_by_filer ON notifications(filer_id, id);"
	"CREATE TABLE webhooks ("
	"  id INTEGER PRIMARY KEY,"
	"  filer_id INTEGER NOT NULL REFERENCES filers(id),"
	"  url TEXT NOT NULL,"
	"  secret TEXT NOT NULL,"
	"  cursor INTEGER NOT NULL,"
	"  delivered INTEGER NOT NULL DEFAULT 0,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt_at INTEGER NOT NULL DEFAULT 0,"
	"  last_attempt_at INTEGER,"
	"  last_status INTEGER,"
	"  last_error TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  deleted_at INTEGER) STRICT;"
	"CREATE INDEX webhooks_by_filer ON webhooks(filer_id, id);",
	/* 17: versions of the risk profile (rules_sqlite.c), each with an event
	 * of the administration in the audit log: an event may now belong to
	 * no consignment (consignment_id NULL), so the events table is rebuilt
	 * with the same columns and ids (the leaves do not move). */
	"CREATE TABLE events_17 ("
	"  id INTEGER PRIMARY KEY,"
	"  consignment_id INTEGER REFERENCES consignments(id),"
	"  type TEXT NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  digest BLOB,"
	"  body BLOB,"
	"  leaf TEXT,"
	"  leaf_hash BLOB,"
	"  reason TEXT,"
	"  referral_id INTEGER) STRICT;"
	"INSERT INTO events_17 (id, consignment_id, type, version, at, actor, digest, body, leaf,"
	"  leaf_hash, reason, referral_id) SELECT id, consignment_id, type, version, at, actor,"
	"  digest, body, leaf, leaf_hash, reason, referral_id FROM events ORDER BY id;"
	"DROP TABLE events;"
	"ALTER TABLE events_17 RENAME TO events;"
	"CREATE INDEX events_by_consignment ON events(consignment_id, id);"
	"CREATE INDEX events_by_referral ON events(referral_id, id) WHERE referral_id IS NOT NULL;"
	"CREATE TABLE rule_versions ("
	"  version INTEGER PRIMARY KEY,"
	"  profile_id TEXT NOT NULL,"
	"  text TEXT NOT NULL,"
	"  digest BLOB NOT NULL,"
	"  rules INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  summary TEXT NOT NULL,"
	"  event_id INTEGER) STRICT;",
	/* 18: the rules portal (docs/portal.md): each country's draft texts,
	 * numbered publications, and the texts each publication set; the
	 * text in force at version v is a country's newest row at or below v */
	"CREATE TABLE portal_drafts ("
	"  country TEXT PRIMARY KEY,"
	"  body TEXT NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  updated_by TEXT NOT NULL) STRICT;"
	"CREATE TABLE portal_versions ("
	"  version INTEGER PRIMARY KEY,"
	"  published_at INTEGER NOT NULL,"
	"  published_by TEXT NOT NULL,"
	"  note TEXT NOT NULL) STRICT;"
	"CREATE TABLE portal_texts ("
	"  country TEXT NOT NULL,"
	"  version INTEGER NOT NULL REFERENCES portal_versions(version),"
	"  body TEXT NOT NULL,"
	"  PRIMARY KEY (country, version)) STRICT, WITHOUT ROWID;",
	/* 19: statistics (docs/statistics.md).  What the aggregates need of each
	 * consignment (the principal item's HS chapter, the collection model,
	 * duty and tax), and the aggregates, kept by the transactions that
	 * write consignments; the measure columns of stats_agg are those of
	 * mlv_stats_measures (stats.c), in order.  The marker makes the next
	 * read-write open compute them from the rows already stored. */
	"ALTER TABLE consignments ADD COLUMN hs_chapter INTEGER;"
	"ALTER TABLE consignments ADD COLUMN collection_model INTEGER;"
	"ALTER TABLE consignments ADD COLUMN duty INTEGER;"
	"ALTER TABLE consignments ADD COLUMN tax INTEGER;"
	"CREATE TABLE stats_agg ("
	"  grain INTEGER NOT NULL,"
	"  day INTEGER NOT NULL,"
	"  lane INTEGER NOT NULL,"
	"  channel INTEGER NOT NULL,"
	"  business_model INTEGER NOT NULL,"
	"  collection_model INTEGER NOT NULL,"
	"  origin TEXT NOT NULL,"
	"  hs_chapter INTEGER NOT NULL,"
	"  filer_id INTEGER NOT NULL,"
	"  consignments INTEGER NOT NULL DEFAULT 0,"
	"  amendments INTEGER NOT NULL DEFAULT 0,"
	"  declared_value INTEGER NOT NULL DEFAULT 0,"
	"  assessed INTEGER NOT NULL DEFAULT 0,"
	"  duty INTEGER NOT NULL DEFAULT 0,"
	"  tax INTEGER NOT NULL DEFAULT 0,"
	"  due INTEGER NOT NULL DEFAULT 0,"
	"  quality_sum INTEGER NOT NULL DEFAULT 0,"
	"  quality_low INTEGER NOT NULL DEFAULT 0,"
	"  lead_n INTEGER NOT NULL DEFAULT 0,"
	"  lead_sum_s INTEGER NOT NULL DEFAULT 0,"
	"  late_filings INTEGER NOT NULL DEFAULT 0,"
	"  arrived INTEGER NOT NULL DEFAULT 0,"
	"  arrival_lead_sum_s INTEGER NOT NULL DEFAULT 0,"
	"  released INTEGER NOT NULL DEFAULT 0,"
	"  release_sum_s INTEGER NOT NULL DEFAULT 0,"
	"  release_arrival_sum_s INTEGER NOT NULL DEFAULT 0,"
	"  collected INTEGER NOT NULL DEFAULT 0,"
	"  collected_duty INTEGER NOT NULL DEFAULT 0,"
	"  collected_tax INTEGER NOT NULL DEFAULT 0,"
	"  controls INTEGER NOT NULL DEFAULT 0,"
	"  findings INTEGER NOT NULL DEFAULT 0,"
	"  seizures INTEGER NOT NULL DEFAULT 0,"
	"  revenue INTEGER NOT NULL DEFAULT 0,"
	"  refunds INTEGER NOT NULL DEFAULT 0,"
	"  refunded INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (grain, day, lane, channel, business_model, collection_model, origin,"
	"    hs_chapter, filer_id)) STRICT, WITHOUT ROWID;"
	"CREATE TABLE stats_release ("
	"  day INTEGER NOT NULL,"
	"  lane INTEGER NOT NULL,"
	"  channel INTEGER NOT NULL,"
	"  measure INTEGER NOT NULL," /* 0 filing to release, 1 arrival to release */
	"  bucket INTEGER NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  max_s INTEGER NOT NULL,"
	"  PRIMARY KEY (day, lane, channel, measure, bucket)) STRICT, WITHOUT ROWID;"
	"CREATE TABLE stats_rules ("
	"  day INTEGER NOT NULL,"
	"  rule_id TEXT NOT NULL,"
	"  hits INTEGER NOT NULL DEFAULT 0,"
	"  controls INTEGER NOT NULL DEFAULT 0,"
	"  findings INTEGER NOT NULL DEFAULT 0,"
	"  seizures INTEGER NOT NULL DEFAULT 0,"
	"  revenue INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (day, rule_id)) STRICT, WITHOUT ROWID;"
	"CREATE TABLE stats_states ("
	"  status TEXT NOT NULL,"
	"  lane INTEGER NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  PRIMARY KEY (status, lane)) STRICT, WITHOUT ROWID;"
	"CREATE TABLE stats_meta ("
	"  name TEXT PRIMARY KEY,"
	"  value INTEGER NOT NULL) STRICT;"
	"INSERT INTO stats_meta (name, value) VALUES ('rebuild', 1);",
	/* 20: data protection beyond consignments (purge_sqlite.c): when the
	 * personal content of a referral's answer or document, or the contacts
	 * of an earlier version of an operator's record, were purged. */
	"ALTER TABLE referral_answers ADD COLUMN purged_at INTEGER;"
	"ALTER TABLE referral_documents ADD COLUMN purged_at INTEGER;"
	"ALTER TABLE registry_history ADD COLUMN purged_at INTEGER;",
};

static const char *const statements[ST_COUNT_] = {
	[ST_FIND] = "SELECT id, version, digest, status, arrived_at FROM consignments"
		    " WHERE filer_id = ?1 AND lrn = ?2",
	[ST_INSERT] = "INSERT INTO consignments (filer_id, lrn, version, status, declaration_type,"
		      " category, channel, business_model, departure_country, tracking_number,"
		      " expected_arrival, currency, invoice_total, goods_value, item_count,"
		      " quality_score, quality, digest, filed_at, updated_at, assessment_z, amount_due,"
		      " lane, risk_score, risk_z, buyer_key, hs_chapter, collection_model, duty, tax)"
		      " VALUES (?1, ?2, 1, ?23, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
		      " ?14, ?15, ?16, ?17, ?17, ?18, ?19, ?20, ?21, ?22, ?24, ?25, ?26, ?27, ?28)",
	[ST_UPDATE] = "UPDATE consignments SET version = version + 1, declaration_type = ?3,"
		      " category = ?4, channel = ?5, business_model = ?6, departure_country = ?7,"
		      " tracking_number = ?8, expected_arrival = ?9, currency = ?10,"
		      " invoice_total = ?11, goods_value = ?12, item_count = ?13,"
		      " quality_score = ?14, quality = ?15, digest = ?16, updated_at = ?17,"
		      " assessment_z = ?18, assessment = NULL, amount_due = ?19, lane = ?20,"
		      " risk_score = ?21, risk_z = ?22, buyer_key = ?24,"
		      " hs_chapter = ?25, collection_model = ?26, duty = ?27, tax = ?28,"
		      /* an open referral stays open through an amendment */
		      " status = CASE status WHEN 'referred' THEN status ELSE ?23 END"
		      " WHERE id = ?1 AND filer_id = ?2",
	[ST_EVENT] = "INSERT INTO events (id, consignment_id, type, version, at, actor, digest,"
		     " body, leaf, leaf_hash) VALUES (?8, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?9, ?10)",
	[ST_GET] = "SELECT c.id, c.filer_id, c.lrn, c.version, c.status, c.filed_at, c.updated_at,"
		   " c.quality_score, c.quality, c.digest, e.body, c.assessment_z, c.assessment,"
		   " c.risk_z, c.arrived_at, c.released_at FROM consignments c"
		   " JOIN events e ON e.consignment_id = c.id AND e.version = c.version"
		   " AND e.body IS NOT NULL WHERE c.id = ?1 AND (?2 = 0 OR c.filer_id = ?2)",
	[ST_GET_VERSION] = "SELECT c.id, c.filer_id, c.lrn, e.version, c.status, c.filed_at, e.at,"
			   " c.quality_score, c.quality, e.digest, e.body, NULL, NULL, NULL, NULL, NULL"
			   " FROM consignments c"
			   " JOIN events e ON e.consignment_id = c.id AND e.version = ?3"
			   " AND e.body IS NOT NULL WHERE c.id = ?1 AND c.filer_id = ?2",
	[ST_BY_LRN] = "SELECT id FROM consignments WHERE filer_id = ?1 AND lrn = ?2",
	[ST_KEY_CHECK] = "SELECT k.filer_id, f.name, k.expires_at, k.revoked_at, k.role FROM api_keys k"
			 " JOIN filers f ON f.id = k.filer_id WHERE k.key_hash = ?1",
	[ST_EVENTS] = "SELECT e.id, e.type, e.version, e.at, e.actor, e.reason, e.referral_id"
		      " FROM events e JOIN consignments c ON c.id = e.consignment_id"
		      " WHERE e.consignment_id = ?1 AND (?2 = 0 OR c.filer_id = ?2) ORDER BY e.id",
	[ST_DICT_ADD] = "INSERT OR IGNORE INTO zstd_dictionaries (id, bytes, added_at)"
			" VALUES (?1, ?2, unixepoch())",
	[ST_DICT_GET] = "SELECT bytes FROM zstd_dictionaries WHERE id = ?1",
	[ST_EVENT_LEAF] = "SELECT leaf_hash FROM events WHERE id = ?1",
	[ST_NODE_GET] = "SELECT hash FROM audit_nodes WHERE level = ?1 AND idx = ?2",
	[ST_NODE_PUT] = "INSERT INTO audit_nodes (level, idx, hash) VALUES (?1, ?2, ?3)",
	/* An amendment's own earlier version is left out by its id (the
	 * covering index holds it: no table row is read). */
	[ST_RECENT_BUYER] = "SELECT goods_value, filed_at FROM consignments WHERE buyer_key = ?1"
			    " AND filed_at >= ?2 AND goods_value IS NOT NULL"
			    " AND id IS NOT (SELECT id FROM consignments WHERE filer_id = ?4"
			    " AND lrn = ?5) ORDER BY filed_at DESC LIMIT ?3",
	[ST_PARTY_PUT] = "INSERT OR IGNORE INTO consignment_parties (ident, consignment_id, role)"
			 " VALUES (?1, ?2, ?3)",
	[ST_PARTY_CLEAR] = "DELETE FROM consignment_parties WHERE consignment_id = ?1",
	[ST_RULE_BUMP] = "INSERT INTO rule_stats (rule_id, hits, controls, findings, seizures,"
			 " revenue) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (rule_id) DO"
			 " UPDATE SET hits = hits + ?2, controls = controls + ?3,"
			 " findings = findings + ?4, seizures = seizures + ?5, revenue = revenue + ?6",
	[ST_ACTION_EVENT] = "INSERT INTO events (id, consignment_id, type, version, at, actor,"
			    " leaf, leaf_hash, reason, referral_id)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[ST_NOTIFY] = "INSERT INTO notifications (filer_id, type, consignment_id, referral_id, body,"
		      " at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
};

static int fail(mlv_store *s, char *err, size_t errlen, const char *what)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: %s", what, s->db ? sqlite3_errmsg(s->db) : "no database");
	return MLV_EIO;
}

int mlv_sqlite_exec(mlv_store *s, const char *sql)
{
	return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : MLV_EIO;
}

int mlv_sqlite_write(mlv_store *s, int (*fn)(mlv_store *s, void *ctx), void *ctx)
{
	int rc = mlv_sqlite_exec(s, "BEGIN IMMEDIATE");
	if (rc != 0)
		return rc;
	if ((rc = mlv_sqlite_audit_sync(s)) == 0)
		rc = fn(s, ctx);
	/* the statistics gathered by fn's writes (stats_sqlite.c) */
	if (rc == 0)
		rc = mlv_sqlite_stats_flush(s);
	if (rc == 0 && mlv_sqlite_exec(s, "COMMIT") != 0)
		rc = MLV_EIO;
	if (rc != 0) {
		mlv_sqlite_exec(s, "ROLLBACK");
		mlv_sqlite_stats_discard(s);
		memset(s->written, 0, sizeof(s->written)); /* dictionaries written were undone */
		mlv_sqlite_audit_load(s);
	}
	return rc;
}


static int migrate(mlv_store *s, char *err, size_t errlen)
{
	if (mlv_sqlite_exec(s, "CREATE TABLE IF NOT EXISTS schema_migrations ("
		    " version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT") != 0)
		return fail(s, err, errlen, "create schema_migrations");
	int have = mlv_store_schema_version(s);
	if (have < 0)
		return fail(s, err, errlen, "read schema version");
	if ((size_t)have > MLV_ARRAY_LEN(migrations)) {
		snprintf(err, errlen, "the database has schema version %d; this program knows %zu: "
				      "upgrade mainlevee", have, MLV_ARRAY_LEN(migrations));
		return MLV_EINVALID;
	}
	for (size_t v = (size_t)have + 1; v <= MLV_ARRAY_LEN(migrations); v++) {
		char sql[128];
		if (mlv_sqlite_exec(s, "BEGIN IMMEDIATE") != 0)
			return fail(s, err, errlen, "begin migration");
		snprintf(sql, sizeof(sql),
			 "INSERT INTO schema_migrations VALUES (%zu, unixepoch())", v);
		if (mlv_sqlite_exec(s, migrations[v - 1]) != 0 || mlv_sqlite_exec(s, sql) != 0) {
			int rc = fail(s, err, errlen, "migration");
			mlv_sqlite_exec(s, "ROLLBACK");
			return rc;
		}
		if (mlv_sqlite_exec(s, "COMMIT") != 0)
			return fail(s, err, errlen, "commit migration");
	}
	return 0;
}

int mlv_store_schema_latest(void)
{
	return (int)MLV_ARRAY_LEN(migrations);
}

int mlv_store_schema_version(mlv_store *s)
{
	sqlite3_stmt *st;
	int v = -1;
	if (sqlite3_prepare_v2(s->db, "SELECT coalesce(max(version), 0) FROM schema_migrations", -1,
			       &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int audit_backfill(mlv_store *s);

int mlv_store_open(mlv_store **out, const mlv_store_opts *opts, char *err, size_t errlen)
{
	*out = NULL;
	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium failed to initialise");
		return MLV_EIO;
	}
	mlv_store *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return MLV_ENOMEM;
	int flags = SQLITE_OPEN_NOMUTEX |
		    (opts->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	int rc = 0;
	if (sqlite3_open_v2(opts->path, &s->db, flags, NULL) != SQLITE_OK) {
		rc = fail(s, err, errlen, opts->path);
		goto cleanup;
	}
	sqlite3_busy_timeout(s->db, opts->busy_timeout_ms);
	sqlite3_extended_result_codes(s->db, 1);
	if (!opts->read_only) {
		if (mlv_sqlite_exec(s, "PRAGMA journal_mode=WAL") != 0) {
			rc = fail(s, err, errlen, "journal_mode=WAL");
			goto cleanup;
		}
		if ((rc = migrate(s, err, errlen)) != 0)
			goto cleanup;
	}
	/* A larger page cache keeps the hot B-tree pages (the right edges of
	 * the indexes) in memory as the store grows; checkpoints are fewer and
	 * larger, so the writer stops less often to copy the WAL back. */
	if (mlv_sqlite_exec(s, "PRAGMA cache_size=-65536") != 0 ||
	    (!opts->read_only && mlv_sqlite_exec(s, "PRAGMA wal_autocheckpoint=16384") != 0) ||
	    mlv_sqlite_exec(s, opts->synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF") !=
		    0 ||
	    mlv_sqlite_exec(s, "PRAGMA foreign_keys=ON") != 0) {
		rc = fail(s, err, errlen, "pragmas");
		goto cleanup;
	}
	for (int i = 0; i < ST_COUNT_; i++) {
		if (sqlite3_prepare_v3(s->db, statements[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
				       NULL) != SQLITE_OK) {
			rc = fail(s, err, errlen, "prepare (is the database initialised?)");
			goto cleanup;
		}
	}
	if ((rc = mlv_sqlite_audit_load(s)) != 0) {
		fail(s, err, errlen, "read the audit log");
		goto cleanup;
	}
	if (!opts->read_only && (rc = audit_backfill(s)) != 0) {
		fail(s, err, errlen, "give older events their audit leaves");
		goto cleanup;
	}
	if (!opts->read_only && (rc = mlv_sqlite_stats_open(s)) != 0) {
		fail(s, err, errlen, "compute the statistics of the stored consignments");
		goto cleanup;
	}
	*out = s;
	return 0;
cleanup:
	mlv_store_close(s);
	return rc;
}

void mlv_store_close(mlv_store *s)
{
	if (s == NULL)
		return;
	mlv_sqlite_stats_close(s);
	for (int i = 0; i < ST_COUNT_; i++)
		sqlite3_finalize(s->st[i]);
	for (int i = 0; i < DICTS_MAX; i++)
		mlv_zdict_free(s->dicts[i]);
	sqlite3_close(s->db);
	free(s);
}

sqlite3_stmt *mlv_sqlite_stmt(mlv_store *s, int which)
{
	sqlite3_stmt *st = s->st[which];
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

/* ---- filers and keys ---------------------------------------------------------- */

int mlv_store_filer_ensure(mlv_store *s, const char *name, int64_t *id)
{
	sqlite3_stmt *st = NULL;
	int rc = MLV_EIO;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO filers (name, created_at) VALUES (?1, unixepoch())"
			       " ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id",
			       -1, &st, NULL) != SQLITE_OK)
		goto cleanup;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		rc = 0;
	}
cleanup:
	sqlite3_finalize(st);
	return rc;
}

#define TOKEN_PREFIX "mlv_"

int mlv_store_key_create(mlv_store *s, int64_t filer_id, const char *label, int64_t expires_at,
			 char *token, size_t size)
{
	return mlv_store_key_create_role(s, filer_id, label, expires_at, "filer", token, size);
}

int mlv_store_key_create_role(mlv_store *s, int64_t filer_id, const char *label,
			      int64_t expires_at, const char *role, char *token, size_t size)
{
	unsigned char raw[24], hash[crypto_hash_sha256_BYTES];
	char b64[sodium_base64_ENCODED_LEN(sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	sqlite3_stmt *st = NULL;
	int rc = MLV_EIO;
	if (size < sizeof(b64) + sizeof(TOKEN_PREFIX))
		return MLV_ETOOBIG;
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(token, size, TOKEN_PREFIX "%s", b64);
	crypto_hash_sha256(hash, (const unsigned char *)token, strlen(token));
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO api_keys (filer_id, key_hash, prefix, label, created_at,"
			       " expires_at, role) VALUES (?1, ?2, ?3, ?4, unixepoch(), ?5, ?6)",
			       -1, &st, NULL) != SQLITE_OK)
		goto cleanup;
	sqlite3_bind_int64(st, 1, filer_id);
	sqlite3_bind_blob(st, 2, hash, sizeof(hash), SQLITE_STATIC);
	sqlite3_bind_text(st, 3, token, 12, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, label ? label : "", -1, SQLITE_STATIC);
	if (expires_at > 0)
		sqlite3_bind_int64(st, 5, expires_at);
	sqlite3_bind_text(st, 6, role, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_DONE)
		rc = 0;
cleanup:
	sqlite3_finalize(st);
	sodium_memzero(raw, sizeof(raw));
	return rc;
}

int mlv_store_key_check(mlv_store *s, const char *token, int64_t now, int64_t *filer_id,
			char *filer_name, size_t name_size)
{
	return mlv_store_key_check_role(s, token, now, filer_id, filer_name, name_size, NULL, 0);
}

int mlv_store_key_check_role(mlv_store *s, const char *token, int64_t now, int64_t *filer_id,
			     char *filer_name, size_t name_size, char *role, size_t role_size)
{
	unsigned char hash[crypto_hash_sha256_BYTES];
	size_t n = strnlen(token, 256);
	if (n < 16 || n >= 256 || strncmp(token, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0)
		return MLV_EUNAUTH;
	crypto_hash_sha256(hash, (const unsigned char *)token, n);
	sqlite3_stmt *st = mlv_sqlite_stmt(s, ST_KEY_CHECK);
	sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_STATIC);
	int step = sqlite3_step(st);
	int rc = MLV_EUNAUTH;
	if (step == SQLITE_ROW) {
		bool expired = sqlite3_column_type(st, 2) != SQLITE_NULL &&
			       sqlite3_column_int64(st, 2) <= now;
		bool revoked = sqlite3_column_type(st, 3) != SQLITE_NULL;
		if (!expired && !revoked) {
			*filer_id = sqlite3_column_int64(st, 0);
			if (filer_name != NULL)
				snprintf(filer_name, name_size, "%s",
					 (const char *)sqlite3_column_text(st, 1));
			if (role != NULL)
				snprintf(role, role_size, "%s",
					 (const char *)sqlite3_column_text(st, 4));
			rc = 0;
		}
	} else if (step != SQLITE_DONE) {
		rc = MLV_EIO;
	}
	sqlite3_reset(st);
	return rc;
}

int mlv_store_key_revoke(mlv_store *s, const char *prefix)
{
	sqlite3_stmt *st = NULL;
	int rc = MLV_EIO;
	if (sqlite3_prepare_v2(s->db,
			       "UPDATE api_keys SET revoked_at = unixepoch() WHERE prefix = ?1"
			       " AND revoked_at IS NULL",
			       -1, &st, NULL) != SQLITE_OK)
		goto cleanup;
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_DONE)
		rc = sqlite3_changes(s->db) > 0 ? 0 : MLV_ENOTFOUND;
cleanup:
	sqlite3_finalize(st);
	return rc;
}

/* ---- filings ------------------------------------------------------------------ */

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v != NULL && v[0] != '\0')
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* Binds ?3..?17 shared by INSERT and UPDATE. */
static void bind_columns(sqlite3_stmt *st, const mlv_filing *f)
{
	const mlv_consignment *c = &f->c;
	sqlite3_bind_int(st, 3, c->declaration_type);
	sqlite3_bind_int(st, 4, c->category);
	sqlite3_bind_int(st, 5, c->channel);
	sqlite3_bind_int(st, 6, c->business_model);
	sqlite3_bind_text(st, 7, c->transport.departure_country, -1, SQLITE_STATIC);
	bind_text_or_null(st, 8, c->transport.tracking_number);
	if (c->transport.expected_arrival.set)
		sqlite3_bind_int64(st, 9, c->transport.expected_arrival.v);
	bind_text_or_null(st, 10, c->transaction.currency);
	if (c->transaction.invoice_total.set)
		sqlite3_bind_int64(st, 11, c->transaction.invoice_total.v);
	if (f->quality.goods_value >= 0)
		sqlite3_bind_int64(st, 12, f->quality.goods_value);
	sqlite3_bind_int64(st, 13, (int64_t)c->item_count);
	sqlite3_bind_int(st, 14, f->quality.score);
	sqlite3_bind_text(st, 15, f->quality_json, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 16, f->digest, sizeof(f->digest), SQLITE_STATIC);
	sqlite3_bind_int64(st, 17, f->received_ms);
	if (f->assessment_z != NULL)
		sqlite3_bind_blob(st, 18, f->assessment_z, (int)f->assessment_z_len, SQLITE_STATIC);
	if (f->assessed)
		sqlite3_bind_int64(st, 19, f->amount_due);
	bind_text_or_null(st, 24, f->buyer_key);
	/* for the statistics (stats_sqlite.c reads them back as it computes) */
	sqlite3_bind_int(st, 25, mlv_stats_hs_chapter(c));
	if (f->assessed && f->collection_model > 0)
		sqlite3_bind_int(st, 26, f->collection_model);
	if (f->assessed) {
		sqlite3_bind_int64(st, 27, f->duty);
		sqlite3_bind_int64(st, 28, f->tax);
	}
	/* Assessed at filing: duties and taxes, and risk. */
	sqlite3_bind_text(st, 23, f->assessed && f->risk_z != NULL ? "assessed" : "filed", -1,
			  SQLITE_STATIC);
	if (f->risk_z != NULL) {
		sqlite3_bind_text(st, 20, f->lane, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 21, f->risk_score);
		sqlite3_bind_blob(st, 22, f->risk_z, (int)f->risk_z_len, SQLITE_STATIC);
	}
}

/* The audit leaf of an event: what it is and when, with a hash of the text
 * filed instead of the text, so that personal data can be erased after
 * its retention period while every proof still verifies. */
static int add_u64(mlv_buf *b, uint64_t v)
{
	char d[24];
	int n = 0;
	do {
		d[sizeof(d) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return mlv_buf_add(b, d + sizeof(d) - n, (size_t)n);
}

/* One member: ,"name":value (numbers) -- built without printf, since the
 * single writer thread builds one leaf per event. */
static int add_num(mlv_buf *b, const char *name, uint64_t v)
{
	int rc = mlv_buf_addc(b, ',');
	if (rc == 0)
		rc = mlv_buf_add_json_string(b, name, strlen(name));
	if (rc == 0)
		rc = mlv_buf_addc(b, ':');
	return rc ? rc : add_u64(b, v);
}

static int add_str(mlv_buf *b, const char *name, const char *v)
{
	int rc = mlv_buf_addc(b, ',');
	if (rc == 0)
		rc = mlv_buf_add_json_string(b, name, strlen(name));
	if (rc == 0)
		rc = mlv_buf_addc(b, ':');
	return rc ? rc : mlv_buf_add_json_string(b, v, strlen(v));
}

int mlv_sqlite_event_leaf(mlv_buf *b, uint64_t event_id, const mlv_filing *f, const char *type,
			  const char *actor)
{
	/* Hex, as `b2sum -l 256` prints it, so anyone can check a text they
	 * hold against the leaf. */
	char content[2 * sizeof(f->content_hash) + 1];
	sodium_bin2hex(content, sizeof(content), f->content_hash, sizeof(f->content_hash));
	int rc = 0;
	if (rc == 0)
		rc = mlv_buf_adds(b, "{\"v\":1,\"event\":");
	if (rc == 0)
		rc = add_u64(b, event_id);
	if (rc == 0)
		rc = add_num(b, "consignment", (uint64_t)f->id);
	if (rc == 0)
		rc = add_num(b, "filer", (uint64_t)f->filer_id);
	if (rc == 0)
		rc = add_str(b, "lrn", f->c.lrn);
	if (rc == 0)
		rc = add_str(b, "type", type);
	if (rc == 0)
		rc = add_num(b, "version", (uint64_t)f->version);
	if (rc == 0)
		rc = add_num(b, "at", (uint64_t)f->received_ms);
	if (rc == 0)
		rc = add_str(b, "actor", actor);
	if (rc == 0)
		rc = add_str(b, "content_blake2b_256", content);
	return rc ? rc : mlv_buf_addc(b, '}');
}

/* Stores an event and its audit leaf in one row, then the tree nodes the
 * leaf completes; all inside the caller's transaction. */
static int add_event(mlv_store *s, const mlv_filing *f, const char *type)
{
	uint64_t event_id = s->audit_size + 1; /* leaf i is event i + 1 */
	char actor[32];
	snprintf(actor, sizeof(actor), "filer:%lld", (long long)f->filer_id);
	mlv_buf leaf = MLV_BUF_INIT(4096);
	uint8_t leaf_hash[MLV_AUDIT_HASH_LEN];
	int rc = mlv_sqlite_event_leaf(&leaf, event_id, f, type, actor);
	if (rc != 0) {
		mlv_buf_free(&leaf);
		return rc;
	}
	mlv_audit_leaf_hash(leaf_hash, leaf.data, leaf.len);
	sqlite3_stmt *st = mlv_sqlite_stmt(s, ST_EVENT);
	sqlite3_bind_int64(st, 1, f->id);
	sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, f->version);
	sqlite3_bind_int64(st, 4, f->received_ms);
	sqlite3_bind_text(st, 5, actor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 6, f->digest, sizeof(f->digest), SQLITE_STATIC);
	sqlite3_bind_blob(st, 7, f->body, (int)f->body_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, (int64_t)event_id);
	sqlite3_bind_text(st, 9, leaf.data, (int)leaf.len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 10, leaf_hash, sizeof(leaf_hash), SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : MLV_EIO;
	sqlite3_reset(st);
	mlv_buf_free(&leaf);
	if (rc != 0)
		return rc;
	mlv_audit_store as;
	mlv_sqlite_audit_store(s, &as);
	if ((rc = mlv_audit_append(&as, s->audit_size, leaf_hash)) != 0)
		return rc;
	s->audit_size++;
	return 0;
}

/* Makes sure the dictionary of a body is in the store (once per handle). */
static int remember_dict(mlv_store *s, const mlv_zdict *d)
{
	uint32_t id = mlv_zdict_id(d);
	if (id == 0)
		return 0;
	for (int i = 0; i < DICTS_MAX; i++)
		if (s->written[i] == id)
			return 0;
	size_t len;
	const void *bytes = mlv_zdict_bytes(d, &len);
	sqlite3_stmt *st = mlv_sqlite_stmt(s, ST_DICT_ADD);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_blob(st, 2, bytes, (int)len, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : MLV_EIO;
	sqlite3_reset(st);
	if (rc == 0) {
		memmove(s->written + 1, s->written, sizeof(s->written) - sizeof(s->written[0]));
		s->written[0] = id;
	}
	return rc;
}

/* The dictionary with this id, loaded from the store once per handle. */
static int find_dict(mlv_store *s, uint32_t id, const mlv_zdict **out)
{
	for (int i = 0; i < DICTS_MAX && s->dicts[i] != NULL; i++) {
		if (mlv_zdict_id(s->dicts[i]) == id) {
			*out = s->dicts[i];
			return 0;
		}
	}
	sqlite3_stmt *st = mlv_sqlite_stmt(s, ST_DICT_GET);
	sqlite3_bind_int64(st, 1, id);
	int step = sqlite3_step(st);
	mlv_zdict *d = NULL;
	int rc = step == SQLITE_ROW ? mlv_zdict_new(&d, sqlite3_column_blob(st, 0),
						    (size_t)sqlite3_column_bytes(st, 0))
		 : step == SQLITE_DONE ? MLV_ENOTFOUND
				       : MLV_EIO;
	sqlite3_reset(st);
	if (rc != 0)
		return rc == MLV_ENOTFOUND ? MLV_EIO : rc; /* a body without its dictionary */
	mlv_zdict_free(s->dicts[DICTS_MAX - 1]);
	memmove(s->dicts + 1, s->dicts, sizeof(s->dicts) - sizeof(s->dicts[0]));
	s->dicts[0] = d;
	*out = d;
	return 0;
}

/* Each rule that hit this version counts one hit (rule performance), on
 * its filing day; gathered with the statistics and written once per rule
 * at the end of the transaction. */
static int count_hits(mlv_store *s, const mlv_filing *f)
{
	return mlv_sqlite_stats_hits(s, f);
}

/* The text of a stored body, with its dictionary when it names one. */
int mlv_sqlite_body_text(mlv_store *s, const void *z, size_t zn, mlv_buf *out)
{
	const mlv_zdict *d = NULL;
	uint32_t dict_id = mlv_compressed_dict_id(z, zn);
	int rc = dict_id != 0 ? find_dict(s, dict_id, &d) : 0;
	return rc ? rc : mlv_decompress(d, z, zn, out->max, out);
}

int mlv_sqlite_file_one(mlv_store *s, mlv_filing *f)
{
	const mlv_zdict *dicts[2] = {f->dict, f->assessment_dict};
	for (int i = 0; i < 2; i++) {
		int rc = dicts[i] != NULL ? remember_dict(s, dicts[i]) : 0;
		if (rc != 0)
			return rc;
	}
	sqlite3_stmt *st = mlv_sqlite_stmt(s, ST_FIND);
	sqlite3_bind_int64(st, 1, f->filer_id);
	sqlite3_bind_text(st, 2, f->c.lrn, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		f->id = sqlite3_column_int64(st, 0);
		f->version = sqlite3_column_int(st, 1);
		const void *d = sqlite3_column_blob(st, 2);
		bool same = d != NULL && sqlite3_column_bytes(st, 2) == (int)sizeof(f->digest) &&
			    memcmp(d, f->digest, sizeof(f->digest)) == 0;
		mlv_state state = mlv_state_from_name((const char *)sqlite3_column_text(st, 3));
		bool arrived = sqlite3_column_type(st, 4) != SQLITE_NULL;
		sqlite3_reset(st);
		if (same) {
			f->outcome = MLV_OUTCOME_UNCHANGED;
			return 0;
		}
		/* Referred after (or while) the goods arrived is at the border too. */
		if ((state != MLV_ST_FILED && state != MLV_ST_ASSESSED && state != MLV_ST_REFERRED) ||
		    (state == MLV_ST_REFERRED && arrived)) {
			/* The goods are at the border: the data can no longer change.
			 * Not a store failure: this filing alone is refused. */
			f->store_rc = MLV_ECONFLICT;
			snprintf(f->conflict_state, sizeof(f->conflict_state), "%s",
				 mlv_state_name(state));
			return 0;
		}
		/* the statistics: the old version's share out, the new one's in */
		int src = mlv_sqlite_stats_row(s, f->id, -1);
		if (src != 0)
			return src;
		st = mlv_sqlite_stmt(s, ST_UPDATE);
		sqlite3_bind_int64(st, 1, f->id);
		sqlite3_bind_int64(st, 2, f->filer_id);
		bind_columns(st, f);
		step = sqlite3_step(st);
		sqlite3_reset(st);
		if (step != SQLITE_DONE)
			return MLV_EIO;
		f->version++;
		f->outcome = MLV_OUTCOME_AMENDED;
		int erc = add_event(s, f, "amended");
		if (erc == 0)
			erc = mlv_sqlite_parties_put(s, f, true);
		if (erc == 0)
			erc = mlv_sqlite_stats_row(s, f->id, 1);
		return erc ? erc : count_hits(s, f);
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE)
		return MLV_EIO;
	st = mlv_sqlite_stmt(s, ST_INSERT);
	sqlite3_bind_int64(st, 1, f->filer_id);
	sqlite3_bind_text(st, 2, f->c.lrn, -1, SQLITE_STATIC);
	bind_columns(st, f);
	step = sqlite3_step(st);
	sqlite3_reset(st);
	if (step != SQLITE_DONE)
		return MLV_EIO;
	f->id = sqlite3_last_insert_rowid(s->db);
	f->version = 1;
	f->outcome = MLV_OUTCOME_CREATED;
	int erc = add_event(s, f, "filed");
	if (erc == 0)
		erc = mlv_sqlite_parties_put(s, f, false);
	if (erc == 0)
		erc = mlv_sqlite_stats_filed(s, f);
	return erc ? erc : count_hits(s, f);
}

int mlv_store_file(mlv_store *s, mlv_filing *const *filings, size_t n)
{
	int rc = 0;
	if (mlv_sqlite_exec(s, "BEGIN IMMEDIATE") != 0)
		rc = MLV_EIO;
	if (rc == 0)
		rc = mlv_sqlite_audit_sync(s);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		mlv_filing *f = filings[i];
		f->outcome = MLV_OUTCOME_NONE;
		f->store_rc = 0;
		f->conflict_state[0] = '\0';
		if (!f->ok)
			continue;
		rc = mlv_sqlite_file_one(s, f);
	}
	if (rc == 0)
		rc = mlv_sqlite_stats_flush(s);
	if (rc == 0 && mlv_sqlite_exec(s, "COMMIT") != 0)
		rc = MLV_EIO;
	if (rc != 0) {
		mlv_sqlite_exec(s, "ROLLBACK");
		mlv_sqlite_stats_discard(s);
		memset(s->written, 0, sizeof(s->written)); /* the inserts were undone */
		mlv_sqlite_audit_load(s);
		for (size_t i = 0; i < n; i++) {
			if (filings[i]->ok) {
				filings[i]->store_rc = rc;
				filings[i]->outcome = MLV_OUTCOME_NONE;
				filings[i]->id = 0;
			}
		}
	}
	return rc;
}

/* ---- reading ------------------------------------------------------------------ */

void mlv_record_init(mlv_record *r)
{
	memset(r, 0, sizeof(*r));
	mlv_buf_init(&r->quality_json, 1 << 20);
	mlv_buf_init(&r->body, 1 << 20);
	mlv_buf_init(&r->assessment_json, 1 << 20);
	mlv_buf_init(&r->risk_json, 1 << 20);
}

void mlv_record_free(mlv_record *r)
{
	mlv_buf_free(&r->quality_json);
	mlv_buf_free(&r->body);
	mlv_buf_free(&r->assessment_json);
	mlv_buf_free(&r->risk_json);
}

void mlv_sqlite_copy_col(sqlite3_stmt *st, int i, char *dst, size_t n)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	snprintf(dst, n, "%s", t ? (const char *)t : "");
}

int mlv_store_get(mlv_store *s, int64_t filer_id, int64_t id, int version, mlv_record *r)
{
	sqlite3_stmt *st = mlv_sqlite_stmt(s, version > 0 ? ST_GET_VERSION : ST_GET);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, filer_id);
	if (version > 0)
		sqlite3_bind_int(st, 3, version);
	int step = sqlite3_step(st);
	int rc = 0;
	if (step != SQLITE_ROW) {
		rc = step == SQLITE_DONE ? MLV_ENOTFOUND : MLV_EIO;
		goto cleanup;
	}
	r->id = sqlite3_column_int64(st, 0);
	r->filer_id = sqlite3_column_int64(st, 1);
	mlv_sqlite_copy_col(st, 2, r->lrn, sizeof(r->lrn));
	r->version = sqlite3_column_int(st, 3);
	mlv_sqlite_copy_col(st, 4, r->status, sizeof(r->status));
	r->filed_at_ms = sqlite3_column_int64(st, 5);
	r->updated_at_ms = sqlite3_column_int64(st, 6);
	r->quality_score = sqlite3_column_int(st, 7);
	mlv_buf_reset(&r->quality_json);
	rc = mlv_buf_add(&r->quality_json, sqlite3_column_text(st, 8),
			 (size_t)sqlite3_column_bytes(st, 8));
	mlv_buf_reset(&r->assessment_json);
	if (rc == 0 && sqlite3_column_type(st, 11) == SQLITE_BLOB)
		rc = mlv_sqlite_body_text(s, sqlite3_column_blob(st, 11), (size_t)sqlite3_column_bytes(st, 11),
			       &r->assessment_json);
	else if (rc == 0 && sqlite3_column_type(st, 12) == SQLITE_TEXT)
		rc = mlv_buf_add(&r->assessment_json, sqlite3_column_text(st, 12),
				 (size_t)sqlite3_column_bytes(st, 12));
	mlv_buf_reset(&r->risk_json);
	if (rc == 0 && sqlite3_column_type(st, 13) == SQLITE_BLOB)
		rc = mlv_sqlite_body_text(s, sqlite3_column_blob(st, 13), (size_t)sqlite3_column_bytes(st, 13),
			       &r->risk_json);
	r->arrived_at_ms = sqlite3_column_int64(st, 14);
	r->released_at_ms = sqlite3_column_int64(st, 15);
	if (rc == 0 && sqlite3_column_bytes(st, 9) == (int)sizeof(r->digest))
		memcpy(r->digest, sqlite3_column_blob(st, 9), sizeof(r->digest));
	if (rc == 0)
		rc = mlv_sqlite_body_text(s, sqlite3_column_blob(st, 10), (size_t)sqlite3_column_bytes(st, 10),
			       &r->body);
cleanup:
	sqlite3_reset(st);
	return rc;
}

int mlv_store_get_by_lrn(mlv_store *s, int64_t filer_id, const char *lrn, mlv_record *out)
{
	sqlite3_stmt *st = mlv_sqlite_stmt(s, ST_BY_LRN);
	sqlite3_bind_int64(st, 1, filer_id);
	sqlite3_bind_text(st, 2, lrn, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	int64_t id = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (step != SQLITE_ROW)
		return step == SQLITE_DONE ? MLV_ENOTFOUND : MLV_EIO;
	return mlv_store_get(s, filer_id, id, 0, out);
}

int mlv_store_list(mlv_store *s, const mlv_list_query *q,
		   int (*fn)(void *ctx, const mlv_summary *row), void *ctx, int64_t *next_cursor)
{
	char sql[1024];
	int n = snprintf(sql, sizeof(sql),
			 "SELECT id, lrn, version, status, category, channel, declaration_type,"
			 " departure_country, tracking_number, currency, invoice_total, item_count,"
			 " quality_score, filed_at, updated_at FROM consignments"
			 " WHERE %s",
			 q->party_operator_id > 0
				 ? "id IN (SELECT p.consignment_id FROM consignment_parties p"
				   " JOIN operator_identifiers i ON i.value = p.ident"
				   " WHERE i.operator_id = ?11)"
				 : "filer_id = ?1");
	/* Each filter given adds its clause; parameter numbers are fixed. */
	const struct {
		bool on;
		const char *clause;
	} filters[] = {
		{q->after_id > 0, " AND id < ?2"},
		{q->status != NULL, " AND status = ?3"},
		{q->category != 0, " AND category = ?4"},
		{q->channel != 0, " AND channel = ?5"},
		{q->departure_country != NULL, " AND departure_country = ?6"},
		{q->lrn != NULL, " AND lrn = ?7"},
		{q->filed_from_ms != 0, " AND filed_at >= ?8"},
		{q->filed_to_ms != 0, " AND filed_at < ?9"},
	};
	for (size_t i = 0; i < MLV_ARRAY_LEN(filters); i++)
		if (filters[i].on)
			n += snprintf(sql + n, sizeof(sql) - (size_t)n, "%s", filters[i].clause);
	snprintf(sql + n, sizeof(sql) - (size_t)n, " ORDER BY id DESC LIMIT ?10");

	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return MLV_EIO;
	int limit = q->limit < 1 ? 1 : q->limit > MLV_LIST_MAX ? MLV_LIST_MAX : q->limit;
	sqlite3_bind_int64(st, 1, q->filer_id);
	sqlite3_bind_int64(st, 2, q->after_id);
	bind_text_or_null(st, 3, q->status);
	sqlite3_bind_int(st, 4, (int)q->category);
	sqlite3_bind_int(st, 5, (int)q->channel);
	bind_text_or_null(st, 6, q->departure_country);
	bind_text_or_null(st, 7, q->lrn);
	sqlite3_bind_int64(st, 8, q->filed_from_ms);
	sqlite3_bind_int64(st, 9, q->filed_to_ms);
	sqlite3_bind_int(st, 10, limit + 1);
	sqlite3_bind_int64(st, 11, q->party_operator_id);
	int rc = 0, count = 0, step;
	*next_cursor = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		mlv_summary r;
		memset(&r, 0, sizeof(r));
		r.id = sqlite3_column_int64(st, 0);
		if (count == limit) {
			*next_cursor = r.id + 1; /* the next page starts at this row */
			break;
		}
		mlv_sqlite_copy_col(st, 1, r.lrn, sizeof(r.lrn));
		r.version = sqlite3_column_int(st, 2);
		mlv_sqlite_copy_col(st, 3, r.status, sizeof(r.status));
		r.category = (unsigned)sqlite3_column_int(st, 4);
		r.channel = (unsigned)sqlite3_column_int(st, 5);
		r.declaration_type = (unsigned)sqlite3_column_int(st, 6);
		mlv_sqlite_copy_col(st, 7, r.departure_country, sizeof(r.departure_country));
		mlv_sqlite_copy_col(st, 8, r.tracking_number, sizeof(r.tracking_number));
		mlv_sqlite_copy_col(st, 9, r.currency, sizeof(r.currency));
		r.invoice_total = sqlite3_column_type(st, 10) == SQLITE_NULL
					  ? -1
					  : sqlite3_column_int64(st, 10);
		r.item_count = sqlite3_column_int(st, 11);
		r.quality_score = sqlite3_column_int(st, 12);
		r.filed_at_ms = sqlite3_column_int64(st, 13);
		r.updated_at_ms = sqlite3_column_int64(st, 14);
		if ((rc = fn(ctx, &r)) != 0)
			break;
		count++;
	}
	if (rc == 0 && step != SQLITE_ROW && step != SQLITE_DONE)
		rc = MLV_EIO;
	sqlite3_finalize(st);
	return rc;
}

int mlv_store_events(mlv_store *s, int64_t filer_id, int64_t id,
		     int (*fn)(void *ctx, const mlv_event *ev), void *ctx)
{
	sqlite3_stmt *st = mlv_sqlite_stmt(s, ST_EVENTS);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, filer_id);
	int rc = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		mlv_event ev;
		ev.id = sqlite3_column_int64(st, 0);
		mlv_sqlite_copy_col(st, 1, ev.type, sizeof(ev.type));
		ev.version = sqlite3_column_int(st, 2);
		ev.at_ms = sqlite3_column_int64(st, 3);
		mlv_sqlite_copy_col(st, 4, ev.actor, sizeof(ev.actor));
		mlv_sqlite_copy_col(st, 5, ev.reason, sizeof(ev.reason));
		ev.referral_id = sqlite3_column_int64(st, 6);
		if ((rc = fn(ctx, &ev)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = MLV_EIO;
	sqlite3_reset(st);
	return rc;
}

int mlv_store_count(mlv_store *s, int64_t *n)
{
	sqlite3_stmt *st = NULL;
	int rc = MLV_EIO;
	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM consignments", -1, &st, NULL) !=
	    SQLITE_OK)
		goto cleanup;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*n = sqlite3_column_int64(st, 0);
		rc = 0;
	}
cleanup:
	sqlite3_finalize(st);
	return rc;
}

/* Events written before the audit log existed (schema < 3) get their
 * leaves, in event order, in one transaction. */
static int audit_backfill(mlv_store *s)
{
	sqlite3_stmt *q = NULL, *u = NULL;
	int rc = 0, step;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT e.id, e.consignment_id, c.filer_id, c.lrn, e.type, e.version,"
			       " e.at, e.body FROM events e JOIN consignments c"
			       " ON c.id = e.consignment_id WHERE e.leaf IS NULL ORDER BY e.id",
			       -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "UPDATE events SET leaf = ?2, leaf_hash = ?3 WHERE id = ?1",
			       -1, &u, NULL) != SQLITE_OK) {
		rc = MLV_EIO;
		goto cleanup;
	}
	step = sqlite3_step(q);
	if (step != SQLITE_ROW) {
		rc = step == SQLITE_DONE ? 0 : MLV_EIO;
		goto cleanup;
	}
	if ((rc = mlv_sqlite_exec(s, "BEGIN IMMEDIATE")) != 0)
		goto cleanup;
	mlv_buf text = MLV_BUF_INIT((size_t)64 << 20), leaf = MLV_BUF_INIT(4096);
	mlv_audit_store as;
	mlv_sqlite_audit_store(s, &as);
	s->audit_size = 0;
	for (; rc == 0 && step == SQLITE_ROW; step = sqlite3_step(q)) {
		mlv_filing f;
		memset(&f, 0, sizeof(f));
		uint64_t event_id = (uint64_t)sqlite3_column_int64(q, 0);
		if (event_id != s->audit_size + 1) {
			rc = MLV_EIO; /* leaves must follow events one to one */
			break;
		}
		f.id = sqlite3_column_int64(q, 1);
		f.filer_id = sqlite3_column_int64(q, 2);
		f.c.lrn = (const char *)sqlite3_column_text(q, 3);
		f.version = sqlite3_column_int(q, 5);
		f.received_ms = sqlite3_column_int64(q, 6);
		rc = mlv_sqlite_body_text(s, sqlite3_column_blob(q, 7), (size_t)sqlite3_column_bytes(q, 7), &text);
		if (rc != 0)
			break;
		crypto_generichash(f.content_hash, sizeof(f.content_hash),
				   (const unsigned char *)text.data, text.len, NULL, 0);
		char actor[32];
		snprintf(actor, sizeof(actor), "filer:%lld", (long long)f.filer_id);
		mlv_buf_reset(&leaf);
		uint8_t h[MLV_AUDIT_HASH_LEN];
		if ((rc = mlv_sqlite_event_leaf(&leaf, event_id, &f, (const char *)sqlite3_column_text(q, 4),
				     actor)) != 0)
			break;
		mlv_audit_leaf_hash(h, leaf.data, leaf.len);
		sqlite3_bind_int64(u, 1, (int64_t)event_id);
		sqlite3_bind_text(u, 2, leaf.data, (int)leaf.len, SQLITE_STATIC);
		sqlite3_bind_blob(u, 3, h, sizeof(h), SQLITE_STATIC);
		rc = sqlite3_step(u) == SQLITE_DONE ? 0 : MLV_EIO;
		sqlite3_reset(u);
		if (rc == 0)
			rc = mlv_audit_append(&as, s->audit_size, h);
		if (rc == 0)
			s->audit_size++;
	}
	mlv_buf_free(&text);
	mlv_buf_free(&leaf);
	if (rc == 0 && step != SQLITE_DONE)
		rc = MLV_EIO;
	if (rc == 0 && mlv_sqlite_exec(s, "COMMIT") != 0)
		rc = MLV_EIO;
	if (rc != 0) {
		mlv_sqlite_exec(s, "ROLLBACK");
		mlv_sqlite_audit_load(s);
	}
cleanup:
	sqlite3_finalize(q);
	sqlite3_finalize(u);
	return rc;
}

int mlv_store_scan(mlv_store *s, int (*fn)(void *ctx, int64_t id, const mlv_buf *text),
		   void *ctx)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT c.id, e.body FROM consignments c JOIN events e"
			       " ON e.consignment_id = c.id AND e.version = c.version"
			       " AND e.body IS NOT NULL ORDER BY c.id",
			       -1, &q, NULL) != SQLITE_OK)
		return MLV_EIO;
	mlv_buf text = MLV_BUF_INIT((size_t)64 << 20);
	int rc = 0, step;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		rc = mlv_sqlite_body_text(s, sqlite3_column_blob(q, 1), (size_t)sqlite3_column_bytes(q, 1), &text);
		if (rc == 0)
			rc = fn(ctx, sqlite3_column_int64(q, 0), &text);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = MLV_EIO;
	mlv_buf_free(&text);
	sqlite3_finalize(q);
	return rc;
}

int mlv_store_refund(mlv_store *s, int64_t filer_id, int64_t id, const char *return_lrn,
		     int window_days, int64_t at_ms, int64_t *refunded)
{
	sqlite3_stmt *q = NULL;
	*refunded = 0;
	int rc = mlv_sqlite_exec(s, "BEGIN IMMEDIATE");
	if (rc != 0)
		return rc;
	if ((rc = mlv_sqlite_audit_sync(s)) != 0)
		goto done;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT c.status, c.released_at, c.lrn, c.version,"
			       " coalesce((SELECT sum(amount) FROM account_entries WHERE consignment_id"
			       "  = c.id AND kind = 'debit'), 0),"
			       " coalesce((SELECT sum(amount) FROM account_entries WHERE consignment_id"
			       "  = c.id AND kind = 'refund'), 0), a.id"
			       " FROM consignments c LEFT JOIN accounts a ON a.filer_id = c.filer_id"
			       " WHERE c.id = ?1 AND c.filer_id = ?2",
			       -1, &q, NULL) != SQLITE_OK) {
		rc = MLV_EIO;
		goto done;
	}
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, filer_id);
	int step = sqlite3_step(q);
	if (step != SQLITE_ROW) {
		rc = step == SQLITE_DONE ? MLV_ENOTFOUND : MLV_EIO;
		goto done;
	}
	const char *status = (const char *)sqlite3_column_text(q, 0);
	int64_t released = sqlite3_column_int64(q, 1);
	char lrn[40];
	snprintf(lrn, sizeof(lrn), "%s", (const char *)sqlite3_column_text(q, 2));
	int version = sqlite3_column_int(q, 3);
	int64_t debited = sqlite3_column_int64(q, 4), already = sqlite3_column_int64(q, 5);
	int64_t account = sqlite3_column_type(q, 6) == SQLITE_NULL ? 0 : sqlite3_column_int64(q, 6);
	if (strcmp(status, "released") != 0 || released == 0 ||
	    at_ms - released > (int64_t)window_days * 86400000 || account == 0 || already > 0) {
		rc = MLV_ECONFLICT; /* not released, past the window, no account, or done */
		goto done;
	}
	/* The return is a consignment of the same filer, declared as a return:
	 * the refund is linked to it by its LRN. */
	sqlite3_stmt *ret = NULL;
	bool is_return = false;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT declaration_type FROM consignments WHERE filer_id = ?1 AND lrn = ?2",
			       -1, &ret, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(ret, 1, filer_id);
		sqlite3_bind_text(ret, 2, return_lrn, -1, SQLITE_STATIC);
		is_return = sqlite3_step(ret) == SQLITE_ROW &&
			    sqlite3_column_int(ret, 0) == MLV_DECL_RETURN;
	}
	sqlite3_finalize(ret);
	if (!is_return) {
		rc = MLV_EINVALID;
		goto done;
	}
	char reason[128], actor[32];
	snprintf(reason, sizeof(reason), "goods returned under LRN %s", return_lrn);
	snprintf(actor, sizeof(actor), "filer:%lld", (long long)filer_id);
	int64_t event_id;
	if (debited > 0 &&
	    (rc = mlv_store_account_entry(s, account, id, "refund", debited, at_ms, reason)) != 0)
		goto done;
	if ((rc = mlv_sqlite_action_event(s, id, filer_id, lrn, version, "refund", actor, reason, 0,
					  at_ms, &event_id)) != 0)
		goto done;
	if ((rc = mlv_sqlite_stats_refund(s, id, debited, at_ms)) != 0)
		goto done;
	*refunded = debited;
done:
	sqlite3_finalize(q);
	if (rc == 0)
		rc = mlv_sqlite_stats_flush(s);
	if (rc == 0 && mlv_sqlite_exec(s, "COMMIT") != 0)
		rc = MLV_EIO;
	if (rc != 0) {
		mlv_sqlite_exec(s, "ROLLBACK");
		mlv_sqlite_stats_discard(s);
		mlv_sqlite_audit_load(s);
	}
	return rc;
}

int mlv_store_recent_by_buyer(mlv_store *s, const char *buyer_key, int64_t since_ms,
			      int64_t filer_id, const char *lrn, int64_t *values, int64_t *times,
			      size_t max, size_t *n)
{
	sqlite3_stmt *st = mlv_sqlite_stmt(s, ST_RECENT_BUYER);
	*n = 0;
	sqlite3_bind_text(st, 1, buyer_key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since_ms);
	sqlite3_bind_int64(st, 3, (int64_t)max);
	sqlite3_bind_int64(st, 4, filer_id);
	sqlite3_bind_text(st, 5, lrn ? lrn : "", -1, SQLITE_STATIC);
	int step, rc = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		values[*n] = sqlite3_column_int64(st, 0);
		times[*n] = sqlite3_column_int64(st, 1);
		(*n)++;
	}
	if (step != SQLITE_DONE && step != SQLITE_ROW)
		rc = MLV_EIO;
	sqlite3_reset(st);
	return rc;
}
