/* cli.h - what the subcommands of `mainlevee` share: the command table,
 * flag parsing over the config table, and the set-up every command does. */
#ifndef MLV_CLI_H
#define MLV_CLI_H

#include <stdio.h>

#include "mlv/config.h"
#include "mlv/profile.h"
#include "mlv/refdata.h"
#include "mlv/validate.h"

/* A flag of one subcommand (the config flags are common to all). */
typedef struct cli_flag {
	const char *name;   /* without dashes */
	const char *value;  /* placeholder for help, NULL for a switch */
	const char *help;
	const char **str;   /* where a value goes */
	bool *on;           /* where a switch goes */
} cli_flag;

typedef struct cli_cmd {
	const char *name;
	const char *args;    /* positional arguments for usage */
	const char *summary;
	const char *help;    /* longer text */
	const cli_flag *flags;
	bool uses_config;    /* takes the common settings */
	int (*run)(int argc, char **argv, const mlv_config *cfg);
} cli_cmd;

/* Parses argv[1..] of a subcommand: its own flags, then config flags;
 * positional arguments are compacted into argv, their count returned.
 * Returns -1 after printing an error, -2 when help was asked for. */
int cli_parse(const cli_cmd *cmd, int argc, char **argv, mlv_config *cfg);
void cli_usage(const cli_cmd *cmd, FILE *out);

/* Loads the reference data of cfg, printing a message on failure. */
int cli_load_refdata(const mlv_config *cfg, mlv_refdata **out);
/* The risk engine's profile, goods lists and watch list of cfg. */
typedef struct cli_risk {
	struct mlv_risk_profile *profile;
	struct mlv_risk_goods *goods;
	struct mlv_risk_watchlist *watch;
	unsigned split_window_hours;
	struct mlv_risk_refvalues *refvalues; /* NULL: no history yet */
	struct mlv_risk_opscores *opscores;   /* NULL: not built */
	char source[1024];		      /* where the profile comes from */
} cli_risk;
/* The profile (the newest version stored in cfg's store, else cfg's
 * file), goods lists and watch list. */
int cli_load_risk(const mlv_config *cfg, const mlv_refdata *rd, cli_risk *out);
/* The newest stored version of the rules in place of r's profile, when
 * cfg's store holds one (refvalues.c). */
int cli_load_stored_rules(const mlv_config *cfg, const mlv_refdata *rd, cli_risk *r);
/* Reference unit values and operator scores from the history in cfg's
 * store, when it exists (refvalues.c); call after cli_load_risk. */
int cli_load_refvalues(const mlv_config *cfg, const mlv_refdata *rd, cli_risk *r);
void cli_risk_free(cli_risk *r);
/* Puts the risk settings into the validation options; the random
 * selection's secret is derived from the audit signing key. */
void cli_risk_opts(const cli_risk *r, const uint8_t audit_sk[64], mlv_validate_opts *vo);

/* The country profiles (duties and taxes) of cfg's data directory. */
int cli_load_profiles(const mlv_config *cfg, const mlv_refdata *rd, mlv_profiles **out);
/* The validation settings of cfg (the ceiling in minor units); with ps,
 * the administration's profile for assessments (cfg->country must have
 * one). */
int cli_validate_opts(const mlv_config *cfg, const mlv_refdata *rd, const mlv_profiles *ps,
		      mlv_validate_opts *out);
/* The registry of operators in st as a snapshot (operators.h), with cfg's
 * AEO settings and the customs unions of ps: the filer's AEO status and the
 * registered parties of what `mainlevee file` stores, as the server does. */
struct mlv_store;
struct mlv_operators;
int cli_load_operators(const mlv_config *cfg, const mlv_profiles *ps, struct mlv_store *st,
		       struct mlv_operators **out);
/* Creates the directory that will hold path, like mkdir -p. */
int cli_make_parent_dir(const char *path);
/* Parses a decimal count with an optional k/M suffix. */
bool cli_parse_count(const char *s, unsigned long long *out);

int cmd_serve(int argc, char **argv, const mlv_config *cfg);
int cmd_file(int argc, char **argv, const mlv_config *cfg);
int cmd_generate(int argc, char **argv, const mlv_config *cfg);
int cmd_key(int argc, char **argv, const mlv_config *cfg);
int cmd_config(int argc, char **argv, const mlv_config *cfg);
int cmd_docs(int argc, char **argv, const mlv_config *cfg);
int cmd_audit(int argc, char **argv, const mlv_config *cfg);
int cmd_whatif(int argc, char **argv, const mlv_config *cfg);
int cmd_account(int argc, char **argv, const mlv_config *cfg);
int cmd_purge(int argc, char **argv, const mlv_config *cfg);
int cmd_user(int argc, char **argv, const mlv_config *cfg);
int cmd_rules(int argc, char **argv, const mlv_config *cfg);
int cmd_stats(int argc, char **argv, const mlv_config *cfg);

/* The instance's audit signing key from cfg->audit_key_file; with create,
 * a new one is made (mode 0600) when the file does not exist. */
int cli_audit_key(const mlv_config *cfg, bool create, uint8_t pk[32], uint8_t sk[64]);

extern const cli_flag serve_flags[], file_flags[], generate_flags[], key_flags[],
	audit_flags[], whatif_flags[], account_flags[], purge_flags[], user_flags[], rules_flags[],
	stats_flags[],
	no_flags[];

#endif
