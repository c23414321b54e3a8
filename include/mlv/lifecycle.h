/* lifecycle.h - the states of a consignment and the one table of allowed
 * transitions (WCO FoS Standard 6: pre-arrival processing, immediate
 * release of low-risk consignments).
 *
 * Every change of state is an action named here; the store writes it as
 * an event with its actor, time and reason, and an audit leaf.  A
 * transition the table does not allow is a conflict (HTTP 409 with the
 * current state).  Some rows hold only under a fact of the consignment
 * (the goods arrived, it was assessed, it is an export): a referral that
 * is resolved goes back to where the consignment was.
 *
 * Holds and seizures are officers' actions, never the system's: such a
 * decision affects a private person (B2C, C2C) and is never automated
 * (GDPR art. 22).  mlv_lifecycle_next() refuses them to anyone but an
 * officer whatever the table says, and a unit test checks the table.
 *
 * docs/lifecycle.md is generated from this table. */
#ifndef MLV_LIFECYCLE_H
#define MLV_LIFECYCLE_H

#include "mlv/buf.h"
#include "mlv/common.h"

typedef enum {
	MLV_ST_FILED = 1, /* stored, not (fully) assessed */
	MLV_ST_ASSESSED,  /* duties, taxes and risk known: waiting for the goods */
	MLV_ST_REFERRED,  /* a referral is open (request for information ...) */
	MLV_ST_ARRIVED,   /* the goods are at the border, waiting for a decision */
	MLV_ST_HELD,      /* an officer holds the goods */
	MLV_ST_INSPECTED, /* an inspection (physical or NII) is under way */
	MLV_ST_RELEASED,  /* released: the goods may go to the buyer */
	MLV_ST_SEIZED,
	MLV_ST_RETURNED,  /* returned to the sender */
	MLV_ST_EXPORTED,  /* an export whose exit from the territory is confirmed */
	MLV_ST_COUNT_
} mlv_state;

typedef enum {
	MLV_ACT_ASSESS = 1, /* the system, at filing */
	MLV_ACT_REFER,      /* a referral opens (referrals: information, screening, do not load) */
	MLV_ACT_RESOLVE,    /* the last open referral is closed */
	MLV_ACT_ARRIVE,     /* the carrier notifies arrival */
	MLV_ACT_RELEASE,
	MLV_ACT_HOLD,
	MLV_ACT_INSPECT,
	MLV_ACT_SEIZE,
	MLV_ACT_RETURN,
	MLV_ACT_EXIT,       /* an export leaves the territory */
	MLV_ACT_COUNT_
} mlv_action;

/* Who may take an action. */
#define MLV_BY_SYSTEM 0x1u
#define MLV_BY_FILER 0x2u
#define MLV_BY_OFFICER 0x4u

/* Facts of a consignment some transitions depend on. */
#define MLV_FACT_ARRIVED 0x1u  /* arrival was notified */
#define MLV_FACT_ASSESSED 0x2u /* duties, taxes and risk were assessed */
#define MLV_FACT_EXPORT 0x4u   /* declaration_type export */

const char *mlv_state_name(mlv_state s);
const char *mlv_action_name(mlv_action a);
/* 0 when unknown. */
mlv_state mlv_state_from_name(const char *name);
mlv_action mlv_action_from_name(const char *name);
/* Whether the state is final (no transition leaves it). */
bool mlv_state_final(mlv_state s);

/* The state `a` leads to from `from` for a consignment with `facts`:
 * MLV_ECONFLICT when the table does not allow it, MLV_EFORBIDDEN when
 * `by` may not take it. */
int mlv_lifecycle_next(mlv_state from, mlv_action a, unsigned by, unsigned facts,
		       mlv_state *to);

/* One row of the table, for tests and documentation: false past the end. */
typedef struct mlv_lifecycle_row {
	mlv_state from, to;
	mlv_action action;
	unsigned by;
	unsigned need, need_not; /* MLV_FACT_* that must hold / must not */
	const char *why;
} mlv_lifecycle_row;
bool mlv_lifecycle_row_at(size_t i, mlv_lifecycle_row *out);

/* docs/lifecycle.md: the table and a Mermaid state diagram. */
int mlv_lifecycle_doc(mlv_buf *out);

#endif
