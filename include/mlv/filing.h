/* filing.h - one filing on its way from bytes to the store.
 *
 * mlv_filing_prepare() does all the work that needs no store and can run
 * on any thread: decode, validate, score, canonical digest, compression of
 * the text as received (kept as evidence).  The store then only writes
 * (mlv_store_file), so the single writer thread does nothing twice. */
#ifndef MLV_FILING_H
#define MLV_FILING_H

#include "mlv/arena.h"
#include "mlv/buf.h"
#include "mlv/compress.h"
#include "mlv/dataset.h"
#include "mlv/problems.h"
#include "mlv/refdata.h"
#include "mlv/validate.h"

typedef enum {
	MLV_OUTCOME_NONE = 0, /* not stored (rejected, or store error) */
	MLV_OUTCOME_CREATED,  /* a new consignment, version 1 */
	MLV_OUTCOME_UNCHANGED,/* same LRN, same content: nothing written */
	MLV_OUTCOME_AMENDED,  /* same LRN, new content: a new version */
} mlv_outcome;

const char *mlv_outcome_name(mlv_outcome o);

typedef struct mlv_filing {
	/* set by the caller */
	int64_t filer_id;
	int64_t received_ms; /* receipt time, ms since the epoch */
	/* set by the caller of a merged multi-party consignment (merge.h): the
	 * contradictions between the parties (MLV_RISK_MM_* bits, risk
	 * criteria) and their explanation, a JSON object added to the risk
	 * assessment as "party_mismatch" (borrowed) */
	unsigned mismatch;
	const char *mismatch_json;
	/* set by mlv_filing_prepare */
	mlv_arena *arena;
	mlv_consignment c;
	mlv_problems problems;
	mlv_quality quality;
	int prepare_rc;      /* 0, or MLV_EINVALID when not JSON at all */
	bool ok;             /* no errors: may be stored */
	unsigned char digest[32]; /* BLAKE2b-256 of the canonical JSON */
	unsigned char content_hash[32]; /* BLAKE2b-256 of the text as received (audit leaf) */
	void *body;          /* zstd of the text as received */
	const mlv_zdict *dict; /* the dictionary body was compressed with, or NULL */
	size_t body_len;
	char *quality_json;  /* the quality object as stored and answered */
	char *assessment_json; /* duties and taxes (duty.h), or why not assessed */
	void *assessment_z;  /* the same, zstd, as stored */
	char *risk_json;     /* the risk assessment (risk.h), NULL when not assessed */
	void *risk_z;        /* the same, zstd, as stored */
	size_t risk_z_len;
	int risk_score;
	char lane[8];        /* green, yellow, red, hold; "" when not assessed */
	char buyer_key[33];  /* pseudonymised buyer (keyed hash), "" when no buyer;
			      * used only to add up values across consignments */
	char hit_rules[16][41]; /* the distinct rules that hit (for their statistics) */
	size_t hit_rule_count;
	size_t assessment_z_len;
	const mlv_zdict *assessment_dict;
	bool assessed;
	int64_t amount_due;  /* border total, minor units of the profile currency */
	/* The parties (seller, platform, intermediary, carrier) whose identifier
	 * a registered operator holds (operators.h): normalised identifiers and
	 * their roles (mlv_risk_role); the store keeps them so that the operator
	 * reaches the consignment. */
	char party_idents[4][36];
	uint8_t party_roles[4];
	size_t party_count;
	int64_t duty, tax;   /* its duty and its tax due at the border (statistics) */
	int collection_model; /* the assessment's mlv_model (duty.h); 0 when not assessed */
	/* set by the store */
	int64_t id;
	int version;
	mlv_outcome outcome;
	int store_rc;        /* MLV_ECONFLICT: an amendment after arrival */
	char conflict_state[16]; /* then: the consignment's state */
} mlv_filing;

/* Creates an empty filing (one arena).  NULL when out of memory. */
mlv_filing *mlv_filing_new(void);
void mlv_filing_free(mlv_filing *f);
/* Clears it for reuse with another text. */
void mlv_filing_reset(mlv_filing *f);

int mlv_filing_prepare(mlv_filing *f, const char *buf, size_t len, const mlv_refdata *rd,
		       const mlv_validate_opts *vopts);

/* Appends the problems as a JSON array of {pointer, code, message,
 * severity} objects. */
int mlv_problems_to_json(const mlv_problems *p, mlv_buf *out);

/* Appends one JSON Lines result for line `line`: {"line", "lrn",
 * "outcome", "id", "version", "quality_score", and when assessed "lane",
 * "risk_score", plus "risk" (the assessment with the hits' explanations)
 * when a rule hit} when stored, the errors
 * when rejected, and a detail when the store failed (store_rc, or rc for
 * the whole batch).  Ends with a newline. */
int mlv_filing_result_json(mlv_buf *b, size_t line, const mlv_filing *f, int rc);

/* Appends ,"risk":{...} (the risk assessment, with every hit's
 * explanation) when a rule hit; nothing otherwise. */
int mlv_filing_risk_member(mlv_buf *b, const mlv_filing *f);

/* Milliseconds since the epoch, from the real-time clock. */
int64_t mlv_now_ms(void);

#endif
