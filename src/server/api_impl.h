/* api_impl.h - what the API's handler files share: the server's state,
 * the authenticated caller, and the request and answer helpers.  Routing
 * and start-up live in api.c; each api_*.c file answers one area. */
#ifndef MLV_SERVER_API_IMPL_H
#define MLV_SERVER_API_IMPL_H

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdatomic.h>

#include "auth.h"
#include "http.h"
#include "metrics.h"
#include "mlv/filing.h"
#include "mlv/lifecycle.h"
#include "mlv/risk.h"
#include "mlv/server.h"
#include "mlv/store.h"
#include "webhooks.h"
#include "writer.h"

#define READERS_MAX 16

struct mlv_server {
	mlv_server_opts opts;
	mlv_http *http;
	mlv_metrics *metrics;
	mlv_writer *writer;
	pthread_mutex_t pool_lock;
	pthread_cond_t pool_cond;
	mlv_store *readers[READERS_MAX];
	size_t nreaders, free_top;
	mlv_store *free_readers[READERS_MAX];
	int64_t started_ms;
	mlv_auth *auth;
	mlv_store *actions;            /* read-write: lifecycle actions */
	pthread_mutex_t actions_lock;
	pthread_mutex_t filings_lock; /* a pool of reusable filings */
	mlv_filing *spare[256];
	size_t nspare;
	/* The registry's snapshot (operators.h), replaced whole when the
	 * registry changes (api_operators.c). */
	pthread_mutex_t ops_lock;
	mlv_operators *ops;
	int64_t ops_checked_ms;	   /* when the store's generation was last compared */
	mlv_aeo_union_member *unions; /* customs unions' members, from the profiles */
	size_t nunions;
	mlv_webhooks *webhooks;        /* delivery thread; NULL when turned off */
	/* The risk engine's live state (api_risk.c): the profile, reference
	 * values and operator scores filings are assessed with, swapped by
	 * rule changes and by the refresh thread. */
	mlv_risk_live *live;
	pthread_mutex_t rules_lock;   /* one change of the rules at a time */
	pthread_mutex_t refresh_lock; /* the refresh thread's wake-up and figures */
	pthread_cond_t refresh_cond;
	atomic_bool refresh_stop;
	bool refresher_on;
	pthread_t refresher;
	mlv_store *analytics;	      /* read-only: the refresh thread's own */
	int64_t refvalues_ms;	      /* when the analytics in force were built (refresh_lock) */
	int64_t opscores_ms;
	bool risk_ready;	      /* locks and live state set up */
	struct mlv_portal *portal;     /* the rules portal's state (portal.h) */
};

/* Roles (issue 7), as bits so that a route can admit several. */
enum {
	ROLE_FILER = 1u << 0,      /* files and reads its own consignments */
	ROLE_OFFICER = 1u << 1,    /* the queue, inspections, decisions */
	ROLE_ANALYST = 1u << 2,    /* risk rules and their performance */
	ROLE_SUPERVISOR = 1u << 3, /* an officer who also oversees */
	ROLE_AUDITOR = 1u << 4,    /* reads, never acts */
	ROLE_AGENCY = 1u << 5,     /* another government agency */
	ROLE_PARTNER = 1u << 6,    /* a partner customs administration */
	ROLE_ADMIN = 1u << 7,      /* operators, people, keys */
};
/* The customs side that reads statistics and rule performance. */
#define ROLES_STAFF (ROLE_OFFICER | ROLE_ANALYST | ROLE_SUPERVISOR | ROLE_AUDITOR)
/* Who reads the risk rules themselves (analysts and supervisors change them). */
#define ROLES_RULES (ROLE_ANALYST | ROLE_SUPERVISOR | ROLE_AUDITOR)
/* Who acts on consignments. */
#define ROLES_OFFICERS (ROLE_OFFICER | ROLE_SUPERVISOR)
/* Who edits and publishes the rules portal's texts. */
#define ROLES_EDITORS (ROLE_SUPERVISOR | ROLE_ADMIN)

/* The bit of a role name; 0 for none. */
unsigned api_role_bit(const char *name);

/* The caller, once authenticated: by an API key (machines) or a session
 * cookie (people, through the console or the portal). */
struct auth {
	int64_t filer_id;
	char filer[64];  /* the key's filer, or the person's username */
	char role[12];
	unsigned role_bit;
	bool session;    /* authenticated by a session cookie */
	int64_t user_id; /* with a session: the person's id (users table) */
	char csrf[64];   /* the session's CSRF token */
	char display[96];
};

/* The session of the request's cookie, if any and live: fills a. */
bool api_session(mlv_server *s, mlv_req *req, struct auth *a);
/* For a session: the request carries the session's CSRF token in the
 * X-CSRF-Token header or as form_value (from a form's csrf field). */
bool api_csrf_ok(mlv_req *req, const struct auth *a, const char *form_value);
/* The pages of the console (api_console.c). */
int api_console_login_page(mlv_server *s, mlv_req *req, mlv_resp *resp);
int api_console_login(mlv_server *s, mlv_req *req, mlv_resp *resp);
int api_console_logout(mlv_server *s, mlv_req *req, mlv_resp *resp);
int api_console_home(mlv_server *s, mlv_req *req, mlv_resp *resp);
int api_static(mlv_resp *resp, const char *name);
/* The officers' queue and consignment pages (console_queue.c,
 * console_consignment.c). */
int api_console_queue(mlv_server *s, mlv_req *req, mlv_resp *resp);
int api_console_consignment(mlv_server *s, mlv_req *req, mlv_resp *resp, int64_t id);
/* A person reaching a console page: the session, or false after writing a
 * redirect to the login page (or a 403 page when the role may not see it). */
bool api_console_person(mlv_server *s, mlv_req *req, mlv_resp *resp, unsigned roles,
			struct auth *a);
/* An officer's action (api_lifecycle.c): the error text of a bad
 * combination (NULL when fine), and applying it with its inspection
 * result, which feeds the statistics of the rules that hit. */
const char *api_action_check(mlv_action action, const char *reason, const char *result);
int api_apply_action(mlv_server *s, int64_t id, mlv_action action, const char *reason,
		     const char *result, int64_t revenue, const char *actor,
		     mlv_transition_result *r);
/* Starts a console page for a: the frame with the console's navigation. */
int api_console_begin(mlv_buf *b, const struct auth *a, const char *title, const char *current);
/* The same with the page's own stylesheet (a /static/ path) after the console's. */
int api_console_begin_css(mlv_buf *b, const struct auth *a, const char *title,
			  const char *current, const char *css);

/* ---- the registry of operators (api_operators.c) ---------------------------------- */

/* The registry's snapshot, retained (mlv_operators_release it): rebuilt
 * first when the store's registry changed since it was built (another
 * server or `mainlevee` wrote), which is checked at most once a second. */
mlv_operators *api_operators(mlv_server *s);
/* Rebuilds the snapshot now (after this server changed the registry). */
int api_operators_refresh(mlv_server *s);
/* Builds the first snapshot (at start); 0 or the store's error. */
int api_operators_start(mlv_server *s, char *err, size_t errlen);
void api_operators_stop(mlv_server *s);
/* The operator the caller acts for: a filer's, an agency's or a partner's
 * account linked to a registered operator; 0 when none.  The hook of
 * object-level checks beyond the filer's own consignments: a party to a
 * consignment reaches it (api_consignments.c), and a referral addressed
 * to an agency operator is reached by the accounts acting for that
 * operator only (compare the referral's addressee with this id, and answer
 * 404 when they differ). */
int64_t api_operator_of(mlv_server *s, const struct auth *a);
/* Whether the caller, a filer whose own consignment id is not, is named as
 * a party to it (its operator's identifier as seller, platform,
 * intermediary or carrier): then it may read it, never act on it; *owner
 * is the filer that filed it. */
bool api_party_owner(mlv_server *s, const struct auth *a, int64_t id, int64_t *owner);
int api_operators_list(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a);
int api_operator_get(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
		     int64_t id);
int api_operator_post(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a);
int api_operator_patch(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
		       int64_t id);
int api_operator_history(mlv_server *s, mlv_resp *resp, int64_t id);
int api_mra_history(mlv_server *s, mlv_resp *resp, int64_t id);
int api_mras_list(mlv_server *s, mlv_req *req, mlv_resp *resp);
int api_mra_get(mlv_server *s, mlv_resp *resp, int64_t id);
int api_mra_post(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a);
int api_mra_patch(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a, int64_t id);
/* API keys for administrators: list, create (shown once), revoke. */
int api_keys_list(mlv_server *s, mlv_req *req, mlv_resp *resp);
int api_key_post(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a);
int api_key_delete(mlv_server *s, mlv_resp *resp, const struct auth *a, const char *prefix);
/* The release terms of an arrival by filer_id: the AEO guarantee waiver
 * when the filer's operator holds a recognised AEO with customs
 * simplifications; false when none apply. */
bool api_release_terms(mlv_server *s, int64_t filer_id, mlv_release_terms *out);

/* The monotonic clock in ns, and a store transaction of the actions
 * connection timed from start_ns (for /metrics). */
int64_t api_now_ns(void);
void api_store_timed(mlv_server *s, int64_t start_ns);
mlv_filing *api_filing_get(mlv_server *s);
void api_filing_put(mlv_server *s, mlv_filing *f);
mlv_store *api_reader_acquire(mlv_server *s);
void api_reader_release(mlv_server *s, mlv_store *st);
void api_too_many(mlv_resp *resp, int wait, const char *detail);
bool api_authenticate(mlv_server *s, mlv_req *req, mlv_resp *resp, struct auth *a);
bool api_content_type_ok(mlv_req *req, bool lines);
void api_ms_to_rfc3339(int64_t ms, char out[32]);
int api_write_view(mlv_buf *b, int64_t id, const char *lrn, int version, const char *status,
		      const char *outcome, int64_t filed_ms, int64_t updated_ms,
		      const char *quality_json, const char *assessment_json, const char *risk_json,
		      const char *canonical, size_t canonical_len);
bool api_parse_int(const char *v, int64_t lo, int64_t hi, int64_t *out);
int api_bad_param(mlv_resp *resp, const char *name, const char *why);
/* Optional query parameters: an enumerated value of the dataset (the
 * parameter named as its enum) or an ISO 3166-1 country; false after
 * writing the 400 answer for a bad one, out untouched when absent. */
bool api_query_enum(mlv_req *req, mlv_resp *resp, const char *name, unsigned *out);
bool api_query_country(mlv_server *s, mlv_req *req, mlv_resp *resp, const char *name,
		       const char **out);
bool api_query_u64(mlv_req *req, const char *name, uint64_t *out, bool required,
		      mlv_resp *resp);
bool api_read_object(const mlv_req *req, mlv_resp *resp, const char *const *allowed,
			cJSON **out);
int api_write_money(mlv_buf *b, const char *key, int64_t v, int mu);
int api_post_consignment(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a);
int api_post_batch(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a);
int api_get_consignment(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
			   int64_t id, int version);
int api_list_consignments(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a);
int api_get_events(mlv_server *s, mlv_resp *resp, const struct auth *a, int64_t id);
int api_release_times(mlv_server *s, mlv_req *req, mlv_resp *resp);
/* The statistics (api_stats.c) and their dashboard (console_stats.c). */
int api_stats_consignments(mlv_server *s, mlv_req *req, mlv_resp *resp);
int api_stats_rules(mlv_server *s, mlv_req *req, mlv_resp *resp);
int api_console_stats(mlv_server *s, mlv_req *req, mlv_resp *resp);
int api_audit_sth(mlv_server *s, mlv_resp *resp);
int api_audit_public_key(mlv_server *s, mlv_resp *resp);
int api_audit_inclusion(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a);
int api_audit_consistency(mlv_server *s, mlv_req *req, mlv_resp *resp);
int api_arrival(mlv_server *s, const mlv_req *req, mlv_resp *resp, const struct auth *a,
		   int64_t id);
int api_account(mlv_server *s, mlv_resp *resp, const struct auth *a, int64_t id);
int api_statement(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
		     int64_t id);
int api_refund(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
		  int64_t id);
int api_queue_list(mlv_server *s, mlv_req *req, mlv_resp *resp);
int api_officer_action(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
			  int64_t id);
int api_rule_performance(mlv_server *s, mlv_resp *resp, const char *rule);

/* ---- the lifecycle of issue 5 (api_lifecycle.c, api_referrals.c, api_parts.c,
 * api_notifications.c) ---- */

/* 409 whose problem names the consignment's current state ("state"). */
void api_conflict(mlv_resp *resp, mlv_state state, const char *detail);
/* Answers a transition the store refused with rc (not 0): 404 for a
 * consignment the caller cannot see, 409 "the consignment is STATE: now"
 * with r->from for one in the wrong state, else the problem of rc with
 * could_not. */
void api_transition_refused(mlv_resp *resp, int rc, const mlv_transition_result *r,
			    const char *now, const char *could_not);
/* Copies problems with prefix before each pointer ("/data"). */
void api_prefix_problems(const mlv_problems *in, const char *prefix, mlv_problems *out);
/* Something was notified: the webhook thread looks now. */
void api_notified(mlv_server *s);
/* One event of a history as JSON: id, type, version, at, actor, reason
 * (when there is one) and referral (when it is a referral's). */
int api_write_event(mlv_buf *b, const mlv_event *ev, bool first);
/* Adds "lifecycle" (state, arrival and release times, the seconds from
 * filing and from arrival to release) to a consignment view just written. */
int api_write_lifecycle(mlv_buf *b, const mlv_record *r);
/* "officer:NAME" or "filer:ID" for events. */
void api_actor(const struct auth *a, char *out, size_t n);
int api_exit(mlv_server *s, const mlv_req *req, mlv_resp *resp, const struct auth *a,
	     int64_t id);
int api_officer_events(mlv_server *s, mlv_resp *resp, int64_t id);
int api_officer_parts(mlv_server *s, mlv_resp *resp, int64_t id);
int api_referral_create(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
			int64_t id);
int api_referrals_list(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a);
int api_referral_get(mlv_server *s, mlv_resp *resp, const struct auth *a, int64_t id);
int api_referral_answer(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
			int64_t id);
int api_referral_close(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
		       int64_t id);
int api_referral_document(mlv_server *s, mlv_resp *resp, const struct auth *a, int64_t id,
			  int64_t doc);
/* What the referral endpoints and the console's forms share: the default
 * deadline of a kind in hours; the checks of an opening (deadline_ms 0:
 * the kind's default), filling out (the consignment and actor are set by
 * the apply) or answering the error text; recording it as a's (the
 * store's code: MLV_EINVALID when `to` names no party, MLV_ECONFLICT with
 * r->from); the same for a closing (MLV_ENOTFOUND, MLV_ECONFLICT when
 * closed already).  The applies wake the notification consumers. */
int64_t api_referral_default_hours(const char *kind);
const char *api_referral_open_check(mlv_server *s, const char *kind, const char *reason,
				    const char *request, int64_t deadline_ms, const char *to,
				    const char *agency, int64_t now, mlv_referral_new *out);
int api_referral_open_apply(mlv_server *s, const struct auth *a, mlv_referral_new *n,
			    int64_t consignment_id, int64_t *id, mlv_transition_result *r);
const char *api_referral_close_check(const char *outcome, const char *reason);
int api_referral_close_apply(mlv_server *s, const struct auth *a, int64_t id,
			     const char *outcome, const char *reason, bool *resolved,
			     mlv_transition_result *r);
/* The console's referrals (console_referrals.c): the section of a
 * consignment's page; a posted form (form=refer or form=close) applied,
 * answering the page's error text (NULL when done, *notice set); a
 * document streamed to an officer. */
int console_referrals_section(mlv_server *s, mlv_buf *b, const struct auth *a, int64_t id);
const char *console_referrals_post(mlv_server *s, mlv_req *req, const struct auth *a,
				   int64_t id, const char *form, int *status, const char **done);
int api_console_referral_doc(mlv_server *s, mlv_req *req, mlv_resp *resp, int64_t id,
			     int64_t doc);
/* The registry in the console (console_operators.c): list and record. */
int api_console_operators(mlv_server *s, mlv_req *req, mlv_resp *resp);
int api_console_operator(mlv_server *s, mlv_req *req, mlv_resp *resp, int64_t id);
int api_part_post(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a);
int api_parts_list(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a);
int api_part_get(mlv_server *s, mlv_resp *resp, const struct auth *a, int64_t id);
int api_notifications(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a);
int api_webhook_create(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a);
int api_webhooks_list(mlv_server *s, mlv_resp *resp, const struct auth *a);
int api_webhook_get(mlv_server *s, mlv_resp *resp, const struct auth *a, int64_t id);
int api_webhook_delete(mlv_server *s, mlv_resp *resp, const struct auth *a, int64_t id);
/* The risk engine's live state (api_risk.c). */
int api_risk_start(mlv_server *s, char *err, size_t errlen);
void api_risk_stop(mlv_server *s);
/* For one filing or batch: the validation options with the live profile,
 * reference values and operator scores of a snapshot; release it after. */
void api_risk_begin(mlv_server *s, mlv_risk_snapshot *snap, mlv_validate_opts *vo);
void api_risk_end(mlv_server *s, mlv_risk_snapshot *snap);

/* The rules through the API (api_rules.c). */
int api_rules_get(mlv_server *s, mlv_req *req, mlv_resp *resp);
int api_rule_get(mlv_server *s, mlv_resp *resp, const char *rule);
int api_rules_put(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a);
int api_rules_post(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a);
int api_rules_delete(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
		     const char *rule);
int api_rules_versions(mlv_server *s, mlv_req *req, mlv_resp *resp);
int api_rules_version(mlv_server *s, mlv_resp *resp, int64_t version);
int api_rules_performance(mlv_server *s, mlv_req *req, mlv_resp *resp);
int api_operator_scores(mlv_server *s, mlv_req *req, mlv_resp *resp);

#endif
