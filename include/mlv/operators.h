/* operators.h - the registry of operators (docs/operators.md): platforms and
 * marketplaces, sellers, express carriers, postal operators, brokers,
 * fulfilment centres, payment service providers, other government agencies
 * and partner customs administrations, with their identifiers, contacts,
 * addresses and AEO status; the mutual recognition arrangements (MRAs)
 * under which a foreign AEO is recognised; and an immutable in-memory
 * snapshot of both that the filing path reads without touching the store.
 *
 * Legal basis: WCO SAFE Framework of Standards (AEO, Pillar 2, and its
 * mutual recognition guidance) and the Cross-Border E-Commerce Framework of
 * Standards, Standard 7 (AEO extended to e-commerce, MRAs).
 *
 * Invariants:
 *  - identifiers are stored normalised (mlv_op_ident_norm): upper-case
 *    letters and digits, separators removed, so that an identifier typed
 *    "ie 123-4567x" and one filed as "IE1234567X" are the same;
 *  - an operator's JSON is strict both ways: unknown and duplicate members
 *    are refused, server-owned members (id, version, created_at,
 *    updated_at, aeo_recognition, links) are refused on writes;
 *  - AEO dates are days since 1970-01-01; valid_to is the last day of
 *    validity, inclusive, MLV_OP_OPEN when open-ended;
 *  - a snapshot is read-only once sealed and shared between threads by
 *    reference counting (retain / release).
 *
 * Personal and confidential data: contacts' names, e-mail addresses and
 * phone numbers are personal data; so is the address of an operator who
 * is a natural person.  Every other member is confidential business data.
 * None is returned by a public endpoint; partner administrations see only
 * the members marked for them (MLV_OP_VIEW_PARTNER). */
#ifndef MLV_OPERATORS_H
#define MLV_OPERATORS_H

#include <stdint.h>

#include "mlv/buf.h"
#include "mlv/common.h"
#include "mlv/dataset.h"
#include "mlv/problems.h"
#include "mlv/refdata.h"
#include "mlv/risk.h"

/* ---- vocabularies ---------------------------------------------------------------- */

typedef enum mlv_op_kind {
	MLV_OP_PLATFORM = 1, /* platform or marketplace */
	MLV_OP_SELLER,
	MLV_OP_EXPRESS_CARRIER,
	MLV_OP_POSTAL_OPERATOR,
	MLV_OP_BROKER,
	MLV_OP_FULFILMENT_CENTRE,
	MLV_OP_PSP, /* payment service provider */
	MLV_OP_AGENCY, /* other government agency (single window) */
	MLV_OP_PARTNER_CUSTOMS, /* partner customs administration */
} mlv_op_kind;
#define MLV_OP_KIND_COUNT 10 /* 1 + the last kind */

typedef enum mlv_op_id_type {
	MLV_OPID_EORI = 1,   /* Economic Operators Registration and Identification */
	MLV_OPID_VAT,	     /* VAT number with its country prefix */
	MLV_OPID_TIN,	     /* another tax identification number */
	MLV_OPID_POSTAL,     /* postal operator code */
	MLV_OPID_IOSS,	     /* EU Import One-Stop Shop number */
	MLV_OPID_DUNS,	     /* D-U-N-S number */
	MLV_OPID_OTHER,
} mlv_op_id_type;
#define MLV_OPID_COUNT 8

/* AEO types as the EU names them; other administrations map theirs. */
typedef enum mlv_aeo_type {
	MLV_AEO_CUSTOMS = 1, /* AEOC: customs simplifications */
	MLV_AEO_SECURITY,    /* AEOS: security and safety (SAFE Pillar 2) */
	MLV_AEO_FULL,	     /* AEOF: both */
} mlv_aeo_type;
#define MLV_AEO_TYPE_COUNT 4
#define MLV_AEO_BIT(t) (1u << (t))
/* What an MRA recognises when it does not say: the SAFE security AEOs. */
#define MLV_AEO_SAFE_TYPES (MLV_AEO_BIT(MLV_AEO_SECURITY) | MLV_AEO_BIT(MLV_AEO_FULL))

typedef enum mlv_op_address_type {
	MLV_OPADDR_REGISTERED = 1,
	MLV_OPADDR_OPERATIONAL,
	MLV_OPADDR_WAREHOUSE,
	MLV_OPADDR_RETURNS,
} mlv_op_address_type;
#define MLV_OPADDR_COUNT 5

/* The words of each vocabulary ("platform", "eori", "full", "registered"),
 * and back: 0 for an unknown word. */
const char *mlv_op_kind_name(unsigned kind);
unsigned mlv_op_kind_parse(const char *word);
const char *mlv_op_id_type_name(unsigned type);
unsigned mlv_op_id_type_parse(const char *word);
const char *mlv_aeo_type_name(unsigned type);
unsigned mlv_aeo_type_parse(const char *word);
const char *mlv_op_address_type_name(unsigned type);

/* ---- the records ------------------------------------------------------------------ */

#define MLV_OP_OPEN INT32_MAX /* valid_to of an open-ended validity */
#define MLV_OP_IDENTS_MAX 8
#define MLV_OP_CONTACTS_MAX 8
#define MLV_OP_ADDRESSES_MAX 4
#define MLV_OP_FILERS_MAX 16
#define MLV_OP_IDENT_MAX 36 /* bytes of a normalised identifier, NUL included */

typedef struct mlv_op_ident {
	uint8_t type; /* mlv_op_id_type */
	char value[MLV_OP_IDENT_MAX];
} mlv_op_ident;

/* A person to call: personal data (name, email, phone). */
typedef struct mlv_op_contact {
	char name[101];
	char function[101]; /* "customs compliance", "operations" ... */
	char email[255];
	char phone[17];	    /* E.164 */
} mlv_op_contact;

typedef struct mlv_op_address {
	uint8_t type; /* mlv_op_address_type */
	char street[141];
	char city[81];
	char postcode[17];
	char region[81];
	char country[3];
} mlv_op_address;

typedef struct mlv_op_aeo {
	bool present;
	uint8_t type;	      /* mlv_aeo_type */
	char country[3];      /* issuing administration's country ("EU" not allowed) */
	char certificate[36]; /* the authorisation's number */
	int32_t valid_from;   /* first day of validity */
	int32_t valid_to;     /* last day, inclusive; MLV_OP_OPEN when open-ended */
	bool suspended;	      /* suspended by the issuing administration */
} mlv_op_aeo;

typedef struct mlv_operator {
	int64_t id;		/* server-owned */
	int version;		/* server-owned: 1 at creation, +1 per change */
	int64_t created_ms, updated_ms; /* server-owned */
	uint8_t kind;		/* mlv_op_kind */
	char name[141];
	char country[3];	/* of establishment */
	bool natural_person;	/* a person trading (a small seller): the address is personal data */
	mlv_op_ident idents[MLV_OP_IDENTS_MAX];
	size_t nidents;
	mlv_op_contact contacts[MLV_OP_CONTACTS_MAX];
	size_t ncontacts;
	mlv_op_address addresses[MLV_OP_ADDRESSES_MAX];
	size_t naddresses;
	mlv_op_aeo aeo;
	char filers[MLV_OP_FILERS_MAX][61]; /* filer accounts that act for it */
	size_t nfilers;
} mlv_operator;

/* A mutual recognition arrangement: the AEOs of one party are recognised
 * by the other, both ways, for the AEO types it covers, while in force. */
typedef struct mlv_mra {
	int64_t id;	 /* server-owned */
	int version;	 /* server-owned */
	int64_t created_ms, updated_ms; /* server-owned */
	char reference[121]; /* the instrument ("EU-JP, Decision 1/2018 of the JCCC") */
	char party_a[3], party_b[3]; /* ISO 3166-1 alpha-2, or "EU" for the Union */
	int32_t valid_from;
	int32_t valid_to;    /* last day in force, inclusive; MLV_OP_OPEN when open */
	unsigned types;	     /* MLV_AEO_BIT of each type recognised */
} mlv_mra;

/* ---- identifiers -------------------------------------------------------------------- */

/* Normalises an identifier: ASCII letters upper-cased, spaces and the
 * separators . - / removed, anything else kept (and then refused by the
 * check).  Writes at most size - 1 bytes; false when it did not fit or
 * nothing remains. */
bool mlv_op_ident_norm(const char *in, char *out, size_t size);

/* Checks a normalised identifier of `type`: NULL when well formed, else
 * one sentence saying what is wrong.  eori: a country code then 1 to 15
 * letters or digits; vat: a country prefix (ISO 3166-1, EL for Greece, XI
 * for Northern Ireland) then 2 to 15 letters or digits; tin: 3 to 20
 * letters or digits; postal_operator: 3 to 12 letters or digits starting
 * with a letter; ioss: IM and 10 digits; duns: 9 digits; other: 1 to 35
 * letters or digits.  rd checks the country prefixes. */
const char *mlv_op_ident_check(unsigned type, const char *value, const mlv_refdata *rd);

/* ---- JSON --------------------------------------------------------------------------- */

/* Decodes a create (patch false: kind, name and country are required) or
 * a JSON merge patch (RFC 7396) applied over *op (patch true: members
 * given replace the stored ones, arrays whole; null removes an optional
 * one).  Every problem goes to probs with its JSON Pointer and code
 * (unknown_field, read_only, duplicate_key, type, required, too_long,
 * too_many, format, country_unknown, identifier, date, duplicate).
 * Returns 0 (check probs for errors), MLV_EINVALID when the text is not a
 * JSON object within the depth bound, MLV_ENOMEM. */
int mlv_operator_decode(mlv_operator *op, const char *json, size_t len, bool patch,
			const mlv_refdata *rd, mlv_problems *probs);

/* The same for an MRA (create: reference, party_a, party_b and valid_from
 * required; patch: reference, valid_to and aeo_types may change). */
int mlv_mra_decode(mlv_mra *m, const char *json, size_t len, bool patch, const mlv_refdata *rd,
		   mlv_problems *probs);

/* What an answer shows. */
typedef enum mlv_op_view {
	MLV_OP_VIEW_FULL = 0,	/* customs staff, administrators, the operator itself */
	MLV_OP_VIEW_PARTNER = 1, /* a partner administration: no contacts, addresses or filers */
	MLV_OP_VIEW_STORE = 2,	/* what the store keeps: every member a request may set, no more */
} mlv_op_view;

/* The members of b that differ from a, as bits (1u << i for the i-th of
 * "kind", "name", "country", "natural_person", "identifiers", "contacts",
 * "addresses", "aeo", "filers"), and their names, comma-separated, in
 * names[size]. */
unsigned mlv_operator_diff(const mlv_operator *a, const mlv_operator *b, char *names,
			   size_t size);
/* The same for two MRAs ("reference", "party_a", "party_b", "valid_from",
 * "valid_to", "aeo_types"). */
unsigned mlv_mra_diff(const mlv_mra *a, const mlv_mra *b, char *names, size_t size);

/* How an operator's AEO status is recognised on a day. */
typedef enum mlv_aeo_basis {
	MLV_AEO_NONE = 0,    /* not recognised (or not an AEO) */
	MLV_AEO_DOMESTIC,    /* issued by this administration */
	MLV_AEO_UNION,	     /* issued by another member of its customs union */
	MLV_AEO_MRA,	     /* foreign, recognised under an MRA in force */
} mlv_aeo_basis;

typedef struct mlv_aeo_recognition {
	bool holder;	   /* has an AEO authorisation on record */
	bool valid;	   /* within its dates and not suspended */
	bool recognised;   /* valid and recognised by this administration */
	mlv_aeo_basis basis;
	int64_t mra_id;	   /* with MLV_AEO_MRA */
	char mra_reference[121];
	char reason[240];  /* one English sentence */
} mlv_aeo_recognition;

const char *mlv_aeo_basis_name(mlv_aeo_basis b); /* "none", "domestic", "union", "mra" */

/* Appends the operator as a JSON object; rec (may be NULL) adds the
 * server-computed "aeo_recognition" member. */
int mlv_operator_write_json(mlv_buf *b, const mlv_operator *op, mlv_op_view view,
			    const mlv_aeo_recognition *rec);
int mlv_mra_write_json(mlv_buf *b, const mlv_mra *m, int32_t today);

/* ---- recognition ---------------------------------------------------------------------- */

/* Who recognises: this administration's country, and the members of the
 * customs unions (AEO status granted by one member of the EU is valid in
 * every member: Union Customs Code art. 38(4); an MRA signed by the EU
 * covers its members). */
typedef struct mlv_aeo_union_member {
	char member[3];	    /* alpha-2 code of a member state */
	char union_code[3]; /* of its customs union ("EU") */
} mlv_aeo_union_member;

typedef struct mlv_aeo_context {
	const char *country;
	const mlv_aeo_union_member *unions; /* membership of customs unions, every union */
	size_t nunions;
} mlv_aeo_context;

/* The recognition of aeo (NULL or !present: not an AEO) on `day`: valid
 * when day lies in [valid_from, valid_to] and it is not suspended;
 * recognised when valid and issued by ctx->country, by a member of its
 * union, or by the other party of an MRA in force on `day` between that
 * country and ctx->country or its union, covering the AEO's type.  The
 * MRA of lowest id wins when several apply. */
void mlv_aeo_recognise(mlv_aeo_recognition *out, const mlv_op_aeo *aeo,
		       const mlv_aeo_context *ctx, const mlv_mra *mras, size_t nmras,
		       int32_t day);

/* Whether a recognised AEO may defer duties without a guarantee: issued at
 * home or in the union, and of a type with customs simplifications
 * (customs or full).  Foreign AEOs recognised under an MRA receive the
 * security benefits (risk), not this one. */
bool mlv_aeo_guarantee_waiver(const mlv_op_aeo *aeo, const mlv_aeo_recognition *rec);

/* ---- the snapshot ------------------------------------------------------------------------ */

typedef struct mlv_operators mlv_operators;

typedef struct mlv_operators_opts {
	mlv_aeo_context ctx;	     /* copied, with the member codes */
	unsigned aeo_factor_percent; /* share of its risk score a recognised AEO filer keeps, 1..100 */
	int64_t guarantee_waiver;    /* minor units an AEO filer may defer without guarantee */
	int64_t generation;	     /* the store's registry generation it was built from */
} mlv_operators_opts;

#define MLV_OPERATORS_OPTS_INIT { { "FR", NULL, 0 }, 50, 0, 0 }

/* An empty snapshot with these settings; the reference count is 1. */
int mlv_operators_new(mlv_operators **out, const mlv_operators_opts *opts);
/* Before mlv_operators_seal: adds an operator with its AEO record (NULL
 * or !present: none), one of its identifiers (normalised), a filer
 * account (store id) that acts for it, an MRA.  MLV_ECONFLICT once sealed. */
int mlv_operators_add(mlv_operators *ops, int64_t id, unsigned kind, const mlv_op_aeo *aeo);
int mlv_operators_add_ident(mlv_operators *ops, int64_t op_id, const char *value);
int mlv_operators_add_filer(mlv_operators *ops, int64_t op_id, int64_t filer_id);
int mlv_operators_add_mra(mlv_operators *ops, const mlv_mra *m);
/* Builds the indexes; the snapshot is read-only afterwards. */
int mlv_operators_seal(mlv_operators *ops);
/* Reference counting across threads; release frees at zero.  Both accept
 * NULL. */
mlv_operators *mlv_operators_retain(mlv_operators *ops);
void mlv_operators_release(mlv_operators *ops);

const mlv_operators_opts *mlv_operators_settings(const mlv_operators *ops);
size_t mlv_operators_count(const mlv_operators *ops);
/* The MRAs of the snapshot (borrowed). */
const mlv_mra *mlv_operators_mras(const mlv_operators *ops, size_t *n);

/* The operator a filer account acts for: its id, 0 when none. */
int64_t mlv_operators_of_filer(const mlv_operators *ops, int64_t filer_id);
/* The operator holding a (raw or normalised) identifier: its id, 0 when
 * none. */
int64_t mlv_operators_find(const mlv_operators *ops, const char *identifier);
/* The AEO record of operator id (borrowed), NULL when none. */
const mlv_op_aeo *mlv_operators_aeo(const mlv_operators *ops, int64_t id);

/* The filer's AEO status on `day` for the risk engine: recognised or not,
 * the factor the snapshot's settings give, and the explanation's parts.
 * Returns false (out cleared, recognised false) when the filer acts for
 * no operator. */
bool mlv_operators_filer_aeo(const mlv_operators *ops, int64_t filer_id, int32_t day,
			     mlv_risk_aeo *out, mlv_aeo_recognition *rec);

/* The parties of c (seller, platform, intermediary, carrier) whose
 * identifier a registered operator holds: up to max normalised
 * identifiers with their roles (mlv_risk_role), each once. */
size_t mlv_operators_parties(const mlv_operators *ops, const mlv_consignment *c,
			     char idents[][MLV_OP_IDENT_MAX], uint8_t *roles, size_t max);

#endif
