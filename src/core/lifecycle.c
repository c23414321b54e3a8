/* lifecycle.c - the transition table of a consignment (lifecycle.h).
 *
 * Holds and seizures are officers' actions only, never the system's: a
 * decision that affects a private person is not automated (GDPR art. 22).
 * The system releases at once only what is green and owes nothing before
 * release (or has it charged to a deferred account). */
#include "mlv/lifecycle.h"

#include <stdio.h>
#include <string.h>

static const char *const state_names[MLV_ST_COUNT_] = {
	[MLV_ST_FILED] = "filed",	  [MLV_ST_ASSESSED] = "assessed",
	[MLV_ST_REFERRED] = "referred",	  [MLV_ST_ARRIVED] = "arrived",
	[MLV_ST_HELD] = "held",		  [MLV_ST_INSPECTED] = "inspected",
	[MLV_ST_RELEASED] = "released",	  [MLV_ST_SEIZED] = "seized",
	[MLV_ST_RETURNED] = "returned",	  [MLV_ST_EXPORTED] = "exported",
};

static const char *const action_names[MLV_ACT_COUNT_] = {
	[MLV_ACT_ASSESS] = "assess",   [MLV_ACT_REFER] = "refer",     [MLV_ACT_RESOLVE] = "resolve",
	[MLV_ACT_ARRIVE] = "arrive",   [MLV_ACT_RELEASE] = "release", [MLV_ACT_HOLD] = "hold",
	[MLV_ACT_INSPECT] = "inspect", [MLV_ACT_SEIZE] = "seize",     [MLV_ACT_RETURN] = "return",
	[MLV_ACT_EXIT] = "exit",
};

#define SYS MLV_BY_SYSTEM
#define FIL MLV_BY_FILER
#define OFF MLV_BY_OFFICER
#define ARR MLV_FACT_ARRIVED
#define ASD MLV_FACT_ASSESSED
#define EXP MLV_FACT_EXPORT

/* from, action, to, who, facts needed, facts excluded, why */
static const mlv_lifecycle_row table[] = {
	{MLV_ST_FILED, MLV_ST_ASSESSED, MLV_ACT_ASSESS, SYS, 0, 0,
	 "duties, taxes and risk assessed at filing"},
	{MLV_ST_FILED, MLV_ST_REFERRED, MLV_ACT_REFER, SYS | OFF, 0, 0,
	 "a referral before the consignment could be assessed (information missing)"},
	{MLV_ST_ASSESSED, MLV_ST_REFERRED, MLV_ACT_REFER, SYS | OFF, 0, 0,
	 "request for information, for screening, or do not load"},
	{MLV_ST_ARRIVED, MLV_ST_REFERRED, MLV_ACT_REFER, OFF, 0, 0,
	 "a referral after arrival (the goods wait)"},
	{MLV_ST_REFERRED, MLV_ST_REFERRED, MLV_ACT_REFER, SYS | OFF, 0, 0,
	 "another referral while one is open"},
	{MLV_ST_REFERRED, MLV_ST_ARRIVED, MLV_ACT_RESOLVE, OFF, ARR, 0,
	 "the last open referral is closed; the goods had arrived"},
	{MLV_ST_REFERRED, MLV_ST_ASSESSED, MLV_ACT_RESOLVE, OFF, ASD, ARR,
	 "the last open referral is closed before arrival"},
	{MLV_ST_REFERRED, MLV_ST_FILED, MLV_ACT_RESOLVE, OFF, 0, ARR | ASD,
	 "the last open referral is closed; the consignment still cannot be assessed"},
	{MLV_ST_FILED, MLV_ST_ARRIVED, MLV_ACT_ARRIVE, FIL, 0, 0,
	 "arrival of goods not yet assessed"},
	{MLV_ST_ASSESSED, MLV_ST_ARRIVED, MLV_ACT_ARRIVE, FIL, 0, 0,
	 "the carrier notifies arrival"},
	{MLV_ST_REFERRED, MLV_ST_REFERRED, MLV_ACT_ARRIVE, FIL, 0, ARR,
	 "arrival while a referral is open: recorded, the goods wait"},
	{MLV_ST_ARRIVED, MLV_ST_RELEASED, MLV_ACT_RELEASE, SYS | OFF, 0, 0,
	 "green lane and nothing due before release (system), or an officer's decision"},
	{MLV_ST_ARRIVED, MLV_ST_HELD, MLV_ACT_HOLD, OFF, 0, 0, "an officer holds the goods"},
	{MLV_ST_ARRIVED, MLV_ST_INSPECTED, MLV_ACT_INSPECT, OFF, 0, 0, "inspection starts"},
	{MLV_ST_HELD, MLV_ST_INSPECTED, MLV_ACT_INSPECT, OFF, 0, 0, "inspection starts"},
	{MLV_ST_HELD, MLV_ST_RELEASED, MLV_ACT_RELEASE, OFF, 0, 0, "released after the hold"},
	{MLV_ST_HELD, MLV_ST_RETURNED, MLV_ACT_RETURN, OFF, 0, 0, "returned to the sender"},
	{MLV_ST_INSPECTED, MLV_ST_RELEASED, MLV_ACT_RELEASE, OFF, 0, 0,
	 "nothing found, or an irregularity settled"},
	{MLV_ST_INSPECTED, MLV_ST_SEIZED, MLV_ACT_SEIZE, OFF, 0, 0, "goods seized"},
	{MLV_ST_INSPECTED, MLV_ST_RETURNED, MLV_ACT_RETURN, OFF, 0, 0,
	 "returned to the sender"},
	{MLV_ST_REFERRED, MLV_ST_RETURNED, MLV_ACT_RETURN, OFF, 0, ARR,
	 "do not load upheld: the goods stay with, or go back to, the sender"},
	{MLV_ST_RELEASED, MLV_ST_EXPORTED, MLV_ACT_EXIT, FIL | OFF, EXP, 0,
	 "an export released for exit leaves the territory (carrier's notice or office of exit)"},
};

const char *mlv_state_name(mlv_state s)
{
	return s > 0 && s < MLV_ST_COUNT_ ? state_names[s] : "unknown";
}

const char *mlv_action_name(mlv_action a)
{
	return a > 0 && a < MLV_ACT_COUNT_ ? action_names[a] : "unknown";
}

mlv_state mlv_state_from_name(const char *name)
{
	for (int s = 1; s < MLV_ST_COUNT_; s++)
		if (name != NULL && strcmp(state_names[s], name) == 0)
			return (mlv_state)s;
	return 0;
}

mlv_action mlv_action_from_name(const char *name)
{
	for (int a = 1; a < MLV_ACT_COUNT_; a++)
		if (name != NULL && strcmp(action_names[a], name) == 0)
			return (mlv_action)a;
	return 0;
}

bool mlv_state_final(mlv_state s)
{
	for (size_t i = 0; i < MLV_ARRAY_LEN(table); i++)
		if (table[i].from == s)
			return false;
	return true;
}

bool mlv_lifecycle_row_at(size_t i, mlv_lifecycle_row *out)
{
	if (i >= MLV_ARRAY_LEN(table))
		return false;
	*out = table[i];
	return true;
}

int mlv_lifecycle_next(mlv_state from, mlv_action a, unsigned by, unsigned facts,
		       mlv_state *to)
{
	bool allowed_somehow = false;
	for (size_t i = 0; i < MLV_ARRAY_LEN(table); i++) {
		const mlv_lifecycle_row *r = &table[i];
		if (r->from != from || r->action != a || (facts & r->need) != r->need ||
		    (facts & r->need_not) != 0)
			continue;
		allowed_somehow = true;
		if ((r->by & by) == 0)
			continue;
		/* Never automated, whatever a row might say (GDPR art. 22). */
		if ((a == MLV_ACT_HOLD || a == MLV_ACT_SEIZE) && by != MLV_BY_OFFICER)
			return MLV_EFORBIDDEN;
		*to = r->to;
		return 0;
	}
	return allowed_somehow ? MLV_EFORBIDDEN : MLV_ECONFLICT;
}

static int who(mlv_buf *out, unsigned by)
{
	static const char *const names[] = {"system", "filer", "officer"};
	int rc = 0;
	bool first = true;
	for (unsigned i = 0; rc == 0 && i < 3; i++) {
		if (by & (1u << i)) {
			rc = mlv_buf_printf(out, "%s%s", first ? "" : ", ", names[i]);
			first = false;
		}
	}
	return rc;
}

/* "arrived, not export" for the doc's condition column; "" when none. */
static void condition(const mlv_lifecycle_row *r, char *out, size_t n)
{
	static const struct {
		unsigned fact;
		const char *yes, *no;
	} facts[] = {
		{MLV_FACT_ARRIVED, "arrived", "not arrived"},
		{MLV_FACT_ASSESSED, "assessed", "not assessed"},
		{MLV_FACT_EXPORT, "export", "not export"},
	};
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < MLV_ARRAY_LEN(facts); i++) {
		const char *w = (r->need & facts[i].fact)       ? facts[i].yes
				: (r->need_not & facts[i].fact) ? facts[i].no
								: NULL;
		if (w != NULL && len < n)
			len += (size_t)snprintf(out + len, n - len, "%s%s", len ? ", " : "", w);
	}
}

int mlv_lifecycle_doc(mlv_buf *out)
{
	int rc = mlv_buf_adds(out,
		"<!-- Generated by `mainlevee docs lifecycle` from src/core/lifecycle.c; do not edit. -->\n"
		"# The lifecycle of a consignment\n\n"
		"One table in the code decides which action may move a consignment from one state to\n"
		"another, and who may take it; any other request answers 409 with the current state\n"
		"(the problem's `state` member). Some rows hold only under a fact of the consignment,\n"
		"shown in brackets: a resolved referral goes back to where the consignment was.\n"
		"Every transition is an event with its actor, time and reason, and a leaf of the audit\n"
		"log (docs/audit.md). Holds and seizures are always an officer's decision, never the\n"
		"system's: they affect a private person (B2C, C2C) and are not automated (GDPR art. 22);\n"
		"the code refuses them to anyone else whatever the table says.\n\n"
		"```mermaid\nstateDiagram-v2\n    [*] --> filed\n");
	char cond[64];
	mlv_lifecycle_row r;
	for (size_t i = 0; rc == 0 && mlv_lifecycle_row_at(i, &r); i++) {
		condition(&r, cond, sizeof(cond));
		rc = mlv_buf_printf(out, "    %s --> %s : %s%s%s%s\n", state_names[r.from],
				    state_names[r.to], action_names[r.action], cond[0] ? " (" : "",
				    cond, cond[0] ? ")" : "");
	}
	/* Where a consignment may end: no way out, or only under a fact
	 * (released: only an export goes on). */
	for (int s = 1; rc == 0 && s < MLV_ST_COUNT_; s++) {
		bool ends = true;
		for (size_t i = 0; mlv_lifecycle_row_at(i, &r); i++)
			ends &= r.from != (mlv_state)s || r.need != 0 || r.need_not != 0;
		if (ends)
			rc = mlv_buf_printf(out, "    %s --> [*]\n", state_names[s]);
	}
	if (rc == 0)
		rc = mlv_buf_adds(out, "```\n\n| from | action | to | who | only when | why |\n"
				       "|---|---|---|---|---|---|\n");
	for (size_t i = 0; rc == 0 && mlv_lifecycle_row_at(i, &r); i++) {
		condition(&r, cond, sizeof(cond));
		rc = mlv_buf_printf(out, "| %s | `%s` | %s | ", state_names[r.from],
				    action_names[r.action], state_names[r.to]);
		if (rc == 0)
			rc = who(out, r.by);
		if (rc == 0)
			rc = mlv_buf_printf(out, " | %s | %s |\n", cond[0] ? cond : "", r.why);
	}
	if (rc == 0)
		rc = mlv_buf_adds(out,
			"\n## Who does what, over the API\n\n"
			"- At filing (`POST /v1/consignments`, or the merge of several filers' parts,\n"
			"  docs/multi-party.md), a consignment that was assessed (duties and taxes, risk)\n"
			"  is `assessed`; one that could not be (an item without HS code) stays `filed`.\n"
			"- `POST /v1/consignments/{id}/arrival` (the filer, or the carrier party of a\n"
			"  multi-party consignment): `arrived`, and released at once when the lane is green\n"
			"  and nothing is due before release, or what is due goes on the filer's deferred\n"
			"  account within its ceiling; the answer says which.\n"
			"- `POST /v1/consignments/{id}/referrals` (officers): a request for information, for\n"
			"  screening, or do not load, with a deadline, addressed to the filer, one party of a\n"
			"  multi-party consignment, or another agency: `referred`. The addressee answers\n"
			"  (`POST /v1/referrals/{id}/answer`, text, data and documents); an officer closes it\n"
			"  (`POST /v1/referrals/{id}/close`); closing the last open one is `resolve`.\n"
			"- `POST /v1/consignments/{id}/actions` (officers): hold, inspect, release, seize,\n"
			"  return, exit, refer (a request for information), each with its reason; a\n"
			"  result (nothing found, irregularity, seizure; revenue recovered, NII image\n"
			"  reference, notes) closes an inspection and feeds the performance of the rules\n"
			"  that selected the consignment.\n"
			"- `POST /v1/consignments/{id}/exit` (the filer or its carrier): an export left the\n"
			"  territory.\n"
			"- Every transition reaches the filer (and, for what they are entitled to, the other\n"
			"  parties) through `GET /v1/notifications` and webhooks (docs/notifications.md).\n\n"
			"## Times\n\n"
			"The time of filing, of arrival and of release is kept on every consignment; the\n"
			"consignment view carries `lifecycle` with the seconds from filing and from arrival to\n"
			"release, and `GET /v1/stats/release-times` gives their percentiles.\n\n"
			"## Left for later\n\n"
			"Bonded fulfilment centres (`business_model` `bonded_fulfilment_centre`) will add the\n"
			"states `in_bond` (goods stored under duty suspension) and `sold_from_bond` (a sale\n"
			"clears one item out of the bond); they are not in the table yet.\n");
	return rc;
}
