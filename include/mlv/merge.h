/* merge.h - one consignment out of the parts several filers send of it
 * (multi-party filing, WCO FoS Technical Specifications 1.3.1 and 2.1.1:
 * the earliest data, from the party best placed to give it, never asked
 * twice).  docs/multi-party.md explains the design.
 *
 * A platform files the order, the seller, the items and the payment; a
 * carrier files the transport; a payment service provider confirms the
 * payment.  Each part is decoded on its own (mlv_consignment_decode_part:
 * nothing is required of a part), and mlv_merge() builds the merged
 * view element by element, driven by the dataset table:
 *
 *  - an element given by one part is taken from it;
 *  - an element given by several is taken from the part whose role is
 *    best placed to give it (the `party` bits of the element and of the
 *    object around it, dataset.c), ties broken by a fixed order; every
 *    other value that differs is kept as a difference;
 *  - an amount is taken only with its currency, from a part that gives
 *    the merged currency;
 *  - arrays (items, documents) are taken whole from one part;
 *  - the LRN is the lead's: the platform's, else the seller's, broker's,
 *    carrier's, in that order (the lead's filer owns the consignment).
 *
 * The required elements are checked on the merged view only, so no filer
 * is asked for an element another party gave.  Contradictions between
 * the parts (value, payment, quantity, weight, description, seller) come
 * from mlv_risk_mismatch_check() and become risk criteria.
 *
 * The merged consignment borrows strings and arrays from the parts: keep
 * them alive as long as it is used. */
#ifndef MLV_MERGE_H
#define MLV_MERGE_H

#include "mlv/buf.h"
#include "mlv/dataset.h"
#include "mlv/problems.h"
#include "mlv/refdata.h"
#include "mlv/risk.h"

typedef enum mlv_party_role {
	MLV_ROLE_PLATFORM = 1, /* e-commerce platform or marketplace */
	MLV_ROLE_SELLER,       /* the seller itself */
	MLV_ROLE_BROKER,       /* customs broker or intermediary */
	MLV_ROLE_CARRIER,      /* express carrier or postal operator */
	MLV_ROLE_PAYMENT,      /* payment service provider */
	MLV_ROLE_COUNT_
} mlv_party_role;

/* "platform", "seller", "broker", "carrier", "payment_provider". */
const char *mlv_party_role_name(mlv_party_role r);
/* 0 when unknown. */
mlv_party_role mlv_party_role_from_name(const char *name);
/* The MLV_PARTY_* bits of the dataset a role stands for. */
unsigned mlv_party_role_bits(mlv_party_role r);

typedef struct mlv_merge_part {
	mlv_party_role role;
	const mlv_consignment *c; /* decoded with mlv_consignment_decode_part */
} mlv_merge_part;

#define MLV_MERGE_MAX_PARTS 8
#define MLV_MERGE_DIFFS 16
#define MLV_MERGE_MISSING 32

/* An element two parts give differently: `kept` is the part whose value
 * the merged view holds. */
typedef struct mlv_merge_diff {
	char pointer[MLV_POINTER_MAX];
	size_t kept, other;
} mlv_merge_diff;

/* A required element no part gave, and who is best placed to give it. */
typedef struct mlv_merge_missing {
	char pointer[MLV_POINTER_MAX];
	unsigned party; /* MLV_PARTY_* */
} mlv_merge_missing;

typedef struct mlv_merge_result {
	long lead; /* the part whose LRN names the consignment; -1 when none gave one */
	mlv_merge_diff diffs[MLV_MERGE_DIFFS];
	size_t ndiffs, diffs_dropped;
	mlv_merge_missing missing[MLV_MERGE_MISSING];
	size_t nmissing, missing_dropped;
	mlv_risk_mismatch mismatch; /* contradictions: risk criteria */
} mlv_merge_result;

/* Merges n parts (1..MLV_MERGE_MAX_PARTS) into *out.  `day` is the day of
 * the exchange rates that compare amounts in different currencies.
 * MLV_EINVALID when n is out of bounds, MLV_ENOMEM. */
int mlv_merge(mlv_consignment *out, mlv_merge_result *res, const mlv_merge_part *parts, size_t n,
	      const mlv_refdata *rd, int32_t day);

/* The required elements c lacks for its category (every category's when
 * it has none), as the decoder would report them, with their best-placed
 * parties; appended to res->missing. */
void mlv_merge_find_missing(const mlv_consignment *c, mlv_merge_result *res);

/* Whether a missing element is one `role` is best placed to give. */
bool mlv_merge_asks(const mlv_merge_missing *m, mlv_party_role role);

/* [{"pointer":"/transport/mode","best_placed":["carrier"]}, ...] */
int mlv_merge_missing_json(mlv_buf *b, const mlv_merge_result *r);
/* {"lead":"platform","parts":["platform","carrier"],"differences":[{"pointer":..,
 *  "kept":"carrier","other":"platform"}],"contradictions":<mismatch json or null>}
 * for officers: names roles, never values. */
int mlv_merge_report_json(mlv_buf *b, const mlv_merge_result *r, const mlv_merge_part *parts,
			  size_t n);
/* The contradictions as the assessment shows them:
 * {"hit":"party-mismatch","kinds":["value"],"explanation":["value: ..."]};
 * nothing when there is none. */
int mlv_merge_mismatch_json(mlv_buf *b, const mlv_merge_result *r);

#endif
