/* portal.h - the public rules portal (docs/portal.md): what its files
 * share.  Not a public header.
 *
 *   portal.c        state built once at start (the HS index, each profile's
 *                   rules as JSON), the request context (caller, language,
 *                   public rate), the models that pages and JSON share, and
 *                   the JSON endpoints under /v1/portal
 *   portal_doc.c    the texts an administration publishes: strict reading,
 *                   canonical form, differences; drafts and publication
 *   portal_i18n.c   every interface text in English, French and Spanish
 *   portal_pages.c  the pages under /portal (HTML, no script needed)
 *   portal_calc.c   the landed-cost calculator page (POST /v1/quote's engine)
 *   portal_edit.c   the editors' pages: drafts and publication
 *
 * A model is a cJSON tree built per request from read-only data: the JSON
 * endpoints print it, the pages render it, so both always agree.  Members'
 * fields enter a model only for a member caller. */
#ifndef MLV_SERVER_PORTAL_H
#define MLV_SERVER_PORTAL_H

#include <cjson/cJSON.h>

#include "api_impl.h"
#include "mlv/hs_search.h"
#include "mlv/profile.h"
#include "mlv/risk.h"

typedef struct mlv_portal mlv_portal;

/* Builds the portal's read-only state from the server's reference data and
 * profiles (either may be NULL: the portal then answers 404). */
int mlv_portal_new(mlv_portal **out, const mlv_refdata *rd, const mlv_profiles *ps);
void mlv_portal_free(mlv_portal *p);

/* ---- languages (portal_i18n.c) ---------------------------------------------------- */

typedef enum { LANG_EN = 0, LANG_FR, LANG_ES, LANG_COUNT } portal_lang;

/* Every interface text; the table in portal_i18n.c has each in three
 * languages.  Texts with {1} {2} take arguments (portal_say). */
typedef enum {
	M_BRAND,
	M_SKIP,
	M_SIGN_OUT,
	M_SIGN_IN_MEMBERS,
	M_MEMBERS_VIEW,
	M_NAV_HOME,
	M_NAV_SEARCH,
	M_NAV_COMPARE,
	M_NAV_CALC,
	M_NAV_CHANGES,
	M_NAV_EDIT,
	M_LANGUAGE,
	M_HOME_TITLE,
	M_HOME_INTRO,
	M_HOME_DESTINATIONS,
	M_HOME_VERSION,
	M_HOME_BASELINE,
	M_SEARCH_TITLE,
	M_SEARCH_LABEL,
	M_SEARCH_HINT,
	M_SEARCH_BUTTON,
	M_SEARCH_RESULTS,
	M_SEARCH_PARTIAL,
	M_SEARCH_NONE,
	M_SEARCH_ENGLISH,
	M_DESTINATION,
	M_DESTINATION_ANY,
	M_ORIGIN,
	M_ORIGIN_ANY,
	M_SHOW,
	M_LEVEL_2,
	M_LEVEL_4,
	M_LEVEL_6,
	M_CODE_TITLE,
	M_CODE_UNKNOWN,
	M_CODE_CHILDREN,
	M_CODE_IN,
	M_CODE_PICK,
	M_DUTY_RATE,
	M_DUTY_NOT_COMPUTED,
	M_DUTY_UNLISTED,
	M_DUTY_SPECIFIC,
	M_TARIFF_LINE,
	M_TAX_RATE,
	M_TAX_NONE,
	M_EXCISE,
	M_RESTRICTIONS,
	M_RESTRICTIONS_NONE,
	M_PROHIBITED,
	M_RESTRICTED,
	M_AGENCY,
	M_PERMIT,
	M_LEGAL_BASIS,
	M_LIST,
	M_WITHIN,
	M_BY_WORDS,
	M_ONLY_WORDS,
	M_ONLY_CHANNELS,
	M_OTHER_CRITERIA,
	M_REQUIREMENTS,
	M_CALC_THIS,
	M_COUNTRY_TITLE,
	M_CURRENCY,
	M_UNION,
	M_TAX_NAME,
	M_STANDARD_RATE,
	M_VALUATION,
	M_DATE,
	M_THRESHOLDS,
	M_TH_DUTY,
	M_TH_TAX,
	M_TH_DECLARATION,
	M_TH_NONE,
	M_AT_SALE,
	M_UP_TO,
	M_BELOW,
	M_SINCE,
	M_UNTIL,
	M_SOURCES,
	M_NOTE,
	M_UNVERIFIED,
	M_SCHEMES,
	M_SCHEMES_NONE,
	M_BORDER_EXEMPT,
	M_FACILITATION,
	M_FACILITATION_RULES,
	M_FACILITATION_PUBLISHED,
	M_FEES,
	M_OTHER_RULES,
	M_CONTACTS,
	M_CONTACTS_NONE,
	M_NOTES,
	M_MEMBERS,
	M_INTERNAL_NOTES,
	M_CONTACT_POINTS,
	M_PENDING,
	M_HISTORY,
	M_TEXTS_TITLE,
	M_TEXTS_VERSION,
	M_TEXTS_NONE,
	M_UNION_TEXTS,
	M_VALUE_INTRINSIC,
	M_VALUE_CUSTOMS,
	M_VALUE_CIF,
	M_VALUE_ITEM,
	M_CH_POST,
	M_CH_EXPRESS,
	M_CH_COURIER,
	M_CH_FREIGHT,
	M_KIND_RELIEF,
	M_KIND_DECLARATION,
	M_KIND_SCHEME,
	M_KIND_COLLECTION,
	M_KIND_FLAT_DUTY,
	M_KIND_TIERED,
	M_KIND_WAIVER,
	M_KIND_CBEC,
	M_KIND_NOTICE,
	M_KIND_TARIFF,
	M_KIND_DUTY,
	M_KIND_VALUATION,
	M_KIND_ROUNDING,
	M_KIND_CURRENCY,
	M_KIND_PEG,
	M_KIND_TAX,
	M_KIND_FEE,
	M_KIND_EXCISE,
	M_PERCENT,
	M_RELIEF_DUTY,
	M_RELIEF_TAX,
	M_RELIEF_BOTH,
	M_DECL,
	M_WAIVER,
	M_PER_ITEM,
	M_CBEC_LIMITS,
	M_REDUCED,
	M_SPECIFIC_NOT_COMPUTED,
	M_FOR_HS,
	M_EXCEPT_HS,
	M_ONLY_ORIGINS,
	M_EXCEPT_ORIGINS,
	M_REQUIRES_SCHEME,
	M_DIRECT_ONLY,
	M_COMPARE_TITLE,
	M_COMPARE_INTRO,
	M_COMPARE_CSV,
	M_COUNTRY,
	M_CALC_TITLE,
	M_CALC_INTRO,
	M_CALC_CURRENCY,
	M_CALC_SHIPPING,
	M_CALC_CHANNEL,
	M_CALC_ITEMS,
	M_CALC_HS,
	M_CALC_PRICE,
	M_CALC_QTY,
	M_CALC_ADD_ROW,
	M_CALC_SUBMIT,
	M_CALC_RESULT,
	M_CALC_CHOSEN,
	M_CALC_ERRORS,
	M_CALC_GOODS,
	M_CALC_TRANSPORT,
	M_CALC_DUTY,
	M_CALC_TAX,
	M_CALC_TAX_AT_SALE,
	M_CALC_FEES,
	M_CALC_BORDER,
	M_CALC_TOTAL,
	M_CALC_WHO,
	M_CALC_DECISIONS,
	M_CALC_RESTRICTED_NONE,
	M_CALC_RESTRICTED_SOME,
	M_CALC_ITEM,
	M_CALC_INCOMPLETE,
	M_CALC_ESTIMATE,
	M_MODEL_NONE,
	M_MODEL_SELLER_SCHEME,
	M_MODEL_PLATFORM_SCHEME,
	M_MODEL_INTERMEDIARY_DEFERRED,
	M_MODEL_INTERMEDIARY,
	M_MODEL_BUYER,
	M_MODEL_PLATFORM_WITHHOLDING,
	M_MODEL_DOMESTIC,
	M_PAYER_BUYER,
	M_PAYER_SELLER,
	M_PAYER_PLATFORM,
	M_PAYER_INTERMEDIARY,
	M_WHEN_AT_SALE,
	M_WHEN_BEFORE_RELEASE,
	M_WHEN_PERIODIC,
	M_OBLIGATION,
	M_ERR_DESTINATION,
	M_ERR_HS,
	M_ERR_NO_MATCH,
	M_ERR_PRICE,
	M_ERR_QTY,
	M_ERR_SHIPPING,
	M_ERR_ITEMS,
	M_CHANGES_TITLE,
	M_CHANGES_NONE,
	M_CHANGES_FROM,
	M_CHANGES_TO,
	M_CHANGES_COMPARE,
	M_CHANGES_BETWEEN,
	M_CHANGES_EQUAL,
	M_VERSION,
	M_PUBLISHED,
	M_COUNTRIES,
	M_ADDED,
	M_REMOVED,
	M_FIELD_NOTES,
	M_FIELD_FACILITATION,
	M_FIELD_CONTACTS,
	M_FIELD_REQUIREMENTS,
	M_FIELD_INTERNAL_NOTES,
	M_FIELD_CONTACT_POINTS,
	M_FIELD_PENDING,
	M_EDIT_TITLE,
	M_EDIT_INTRO,
	M_EDIT_DRAFT,
	M_EDIT_DRAFT_COLUMN,
	M_EDIT_NO_DRAFT,
	M_EDIT_UNCHANGED,
	M_EDIT_COUNTRY,
	M_EDIT_SAVE,
	M_EDIT_DISCARD,
	M_EDIT_SAVED,
	M_EDIT_DISCARDED,
	M_EDIT_PUBLISH,
	M_EDIT_PUBLISH_NOTE,
	M_EDIT_PUBLISHED,
	M_EDIT_NOTHING,
	M_EDIT_LINES_HINT,
	M_EDIT_CONTACT_HINT,
	M_EDIT_REQ_HINT,
	M_EDIT_PENDING_HINT,
	M_EDIT_PUBLIC,
	M_EDIT_MEMBERS,
	M_ERROR_TITLE,
	M_NOT_FOUND,
	M_TOO_MANY,
	M_BAD_DATE,
	M_FORBIDDEN,
	M_FAILED,
	M_COUNT_
} portal_msg;

/* The text of id in lang. */
const char *portal_text(portal_lang lang, portal_msg id);
/* "en", "fr", "es". */
const char *portal_lang_code(portal_lang lang);
/* The language of a code, or -1. */
int portal_lang_parse(const char *s);
/* The name of a profile's country in lang (the shipped translation), or
 * NULL when none is shipped (the caller shows the ISO name). */
const char *portal_country_name(portal_lang lang, const char *code);

/* ---- the request context (portal.c) ------------------------------------------------ */

typedef struct pctx {
	mlv_server *s;
	mlv_portal *p;
	mlv_req *req;
	mlv_resp *resp;
	portal_lang lang;
	bool signed_in;
	bool member; /* partner, officer, supervisor, admin: members' fields */
	bool editor; /* supervisor, admin: drafts and publication */
	struct auth a;
	int32_t today;
	int rc; /* the first failure while building a model (MLV_ENOMEM) */
} pctx;

/* Starts a portal request: identifies the caller when a key or a session
 * is presented (a wrong key answers 401), applies the public rate to the
 * anonymous, picks the language (?lang=, cookie, Accept-Language).
 * Returns false once it has answered (401, 429: an HTML page when page). */
bool portal_begin(pctx *c, mlv_server *s, mlv_req *req, mlv_resp *resp, bool page);
const char *portal_t(const pctx *c, portal_msg id);

/* ---- shared helpers (portal.c) ------------------------------------------------------- */

const mlv_portal *portal_state(const mlv_server *s);
const mlv_hs_index *portal_hs(const mlv_portal *p);
const mlv_profiles *portal_profiles(const mlv_portal *p);
const mlv_refdata *portal_refdata(const mlv_portal *p);
const mlv_risk_goods *portal_goods(const pctx *c);

/* The day of ?date= (YYYY-MM-DD), else today; false after answering 400. */
bool portal_day(pctx *c, int32_t *day, bool page);
/* The code in s (digits with optional dots) into out[11]: 2, 4 or 6 to
 * 10 digits; false when malformed. */
bool portal_code_parse(const char *s, char out[11]);
/* "0901.21", "0901", "09" (a national line keeps its extra digits). */
void portal_code_format(const char *code, char *out, size_t size);
/* A country profile (not a union) by code, or NULL. */
const mlv_profile *portal_destination(const pctx *c, const char *code);
/* The display name of a profile or ISO country in the request's language. */
const char *portal_name(const pctx *c, const char *code);

/* ---- models (portal.c) --------------------------------------------------------------- */

/* The administration's published texts of a country as a parsed document
 * (NULL when none), with the version that set it. */
cJSON *portal_texts_load(pctx *c, const char *country, int64_t version, int64_t *set_in);

cJSON *portal_model_country(pctx *c, const mlv_profile *prof, int32_t day);
/* hs: 2, 4 or 6 to 10 digits; dest and origin may be NULL. */
cJSON *portal_model_code(pctx *c, const char *hs, const mlv_profile *dest, const char *origin,
			 int32_t day);
cJSON *portal_model_compare(pctx *c, int32_t day);
cJSON *portal_model_search(pctx *c, const char *q, size_t limit, int *status);
cJSON *portal_model_versions(pctx *c, int limit);
/* Differences between two versions; *status 400 for bad versions. */
cJSON *portal_model_changes(pctx *c, int64_t from, int64_t to, int *status);

/* The summary row of one country for the comparison (also the country
 * page's thresholds): an object. */
cJSON *portal_summary(pctx *c, const mlv_profile *prof, int32_t day);
/* Writes the comparison as CSV. */
int portal_compare_csv(mlv_buf *b, const cJSON *model);

/* The entries of the goods lists for hs at dest, as a JSON array. */
cJSON *portal_restrictions(pctx *c, const char *hs, const char *dest);

/* ---- the administration's texts (portal_doc.c) ---------------------------------------- */

/* Reads a document strictly: unknown or duplicate members, wrong types,
 * overlong texts, bad codes, URLs or dates are problems (pointers into the
 * document).  On success *out is the document (cJSON_Delete it). */
int portal_doc_read(const char *text, size_t len, const mlv_refdata *rd, cJSON **out,
		    mlv_problems *probs);
/* The canonical text of a document read by portal_doc_read: members in a
 * fixed order, empty ones left out; with members false, the members'
 * part is left out (what the public sees). */
int portal_doc_write(mlv_buf *b, const cJSON *doc, bool members);
/* The public part, or with members the whole, as a new tree. */
cJSON *portal_doc_view(const cJSON *doc, bool members);
/* The differences between two documents (either NULL: empty), as an
 * array of {"field","added":[...],"removed":[...]}; members' fields only
 * when members. */
cJSON *portal_doc_diff(const cJSON *before, const cJSON *after, bool members);

/* The JSON endpoints of drafts and publication (editors). */
int portal_api_drafts(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a);
int portal_api_draft(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a,
		     const char *country);
int portal_api_publish(mlv_server *s, mlv_req *req, mlv_resp *resp, const struct auth *a);

/* Saves a validated document as the country's draft (the actions
 * connection); publishes drafts.  Library status codes. */
int portal_draft_save(mlv_server *s, const char *country, const cJSON *doc, const char *by);
int portal_publish(mlv_server *s, const char *const *countries, size_t n, const char *by,
		   const char *note, int64_t *version, size_t *changed);
/* Whether code may have texts: a shipped profile (a country or a union). */
bool portal_country_known(const mlv_server *s, const char *code);

/* ---- the JSON endpoints (portal.c) ------------------------------------------------------ */

int portal_api_index(mlv_server *s, mlv_req *req, mlv_resp *resp);
int portal_api_country(mlv_server *s, mlv_req *req, mlv_resp *resp, const char *code);
int portal_api_search(mlv_server *s, mlv_req *req, mlv_resp *resp);
int portal_api_code(mlv_server *s, mlv_req *req, mlv_resp *resp, const char *code);
int portal_api_compare(mlv_server *s, mlv_req *req, mlv_resp *resp, bool csv);
int portal_api_versions(mlv_server *s, mlv_req *req, mlv_resp *resp);
int portal_api_changes(mlv_server *s, mlv_req *req, mlv_resp *resp);

/* ---- pages (portal_pages.c, portal_calc.c, portal_edit.c) ------------------------------ */

/* A page under construction: a sticky error, so that rendering code reads
 * as a sequence of writes. */
typedef struct html {
	mlv_buf *b;
	int rc;
} html;

void h_raw(html *h, const char *s);
void h_esc(html *h, const char *s);
void h_fmt(html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A translatable text with {1} {2} {3} replaced by the escaped arguments
 * (NULL-terminated list); the text itself is escaped too. */
void h_say(html *h, const pctx *c, portal_msg id, ...);
/* A link or plain text for a URL (only http and https become links). */
void h_url(html *h, const char *url);
/* A "; "-joined legal basis as a list, URLs as links. */
void h_basis(html *h, const char *basis);

/* Opens a page in the portal's frame (title escaped); `current` marks the
 * navigation entry. */
void portal_page_begin(html *h, pctx *c, const char *title, const char *current);
void portal_page_end(html *h, pctx *c);
/* A whole error page with status. */
int portal_error_page(pctx *c, int status, const char *text);

int portal_page_home(mlv_server *s, mlv_req *req, mlv_resp *resp);
int portal_page_search(mlv_server *s, mlv_req *req, mlv_resp *resp);
int portal_page_country(mlv_server *s, mlv_req *req, mlv_resp *resp, const char *code);
int portal_page_code(mlv_server *s, mlv_req *req, mlv_resp *resp, const char *code);
int portal_page_compare(mlv_server *s, mlv_req *req, mlv_resp *resp);
int portal_page_changes(mlv_server *s, mlv_req *req, mlv_resp *resp);
int portal_page_calculator(mlv_server *s, mlv_req *req, mlv_resp *resp);
int portal_page_edit(mlv_server *s, mlv_req *req, mlv_resp *resp);
int portal_page_edit_country(mlv_server *s, mlv_req *req, mlv_resp *resp, const char *code);
int portal_page_publish(mlv_server *s, mlv_req *req, mlv_resp *resp);

/* The prohibitions and restrictions of a model (portal_restrictions) as a
 * list. */
void portal_restrictions_html(html *h, const pctx *c, const cJSON *arr);
/* Checks the message table: every text in every language, with the same
 * {n} arguments as the English one (0, or MLV_EINVALID). */
int portal_i18n_check(void);

/* Writes the <option>s of every country profile, `selected` marked. */
void portal_destination_options(html *h, pctx *c, const char *selected);
/* A select of the destinations (name, id, label). */
void portal_destination_select(html *h, pctx *c, const char *name, const char *selected,
			       bool any);

#endif
