/* config.h - the instance's settings: one table drives the INI parser,
 * the environment variables, the command-line flags, validation, --help
 * and the commented example file (mainlevee.example.ini).
 *
 * Precedence, lowest first: built-in defaults, the INI file (--config or
 * MLV_CONFIG), environment variables MLV_<SECTION>_<NAME>, flags. */
#ifndef MLV_CONFIG_H
#define MLV_CONFIG_H

#include <stdio.h>

#include "mlv/buf.h"
#include "mlv/common.h"

typedef struct mlv_config {
	/* [server] */
	char address[64];
	unsigned port;
	unsigned threads;
	unsigned timeout_s;
	unsigned header_timeout_s;
	unsigned max_connections;
	bool access_log;
	unsigned session_hours;
	bool secure_cookies;
	/* [store] */
	char db_path[512];
	bool synchronous_full;
	/* [data] */
	char data_dir[512];
	/* [customs] */
	char country[3];
	char currency[4];
	char low_value_ceiling[24]; /* decimal, in `currency` */
	char aeo_guarantee_waiver[24]; /* decimal, in `currency` */
	unsigned timely_hours;
	unsigned return_window_days;
	unsigned retention_days;
	/* [limits] */
	size_t max_body;
	size_t max_header;
	size_t max_batch_body;
	unsigned max_batch_lines;
	unsigned max_page;
	unsigned rate_per_key;
	unsigned auth_max_failures;
	unsigned auth_window_s;
	unsigned public_rate;
	/* [writer] */
	unsigned writer_batch;
	unsigned writer_queue;
	/* [risk] */
	char risk_profile[512];
	char risk_goods_dir[512];
	char risk_watchlist[512];
	unsigned split_window_hours;
	unsigned aeo_factor_percent;
	unsigned refresh_minutes;
	unsigned refvalues_min_samples;
	unsigned operator_half_life_days;
	unsigned operator_prior_controls;
	unsigned review_min_controls;
	unsigned review_precision_percent;
	/* [audit] */
	char audit_key_file[512];
	unsigned sth_interval_s;
	/* [webhooks] */
	bool webhooks_enabled;
	bool webhooks_allow_private;
	unsigned webhooks_backoff_s;
	unsigned webhooks_backoff_max_s;
	unsigned webhooks_timeout_s;
	unsigned webhooks_max_per_filer;
	/* [referrals] */
	size_t max_document;
} mlv_config;

/* Fills c with the defaults. */
void mlv_config_defaults(mlv_config *c);
/* Loads an INI file over c.  MLV_EIO when unreadable, MLV_EINVALID with a
 * message naming file, line and key on a bad entry or unknown key. */
int mlv_config_load_file(mlv_config *c, const char *path, char *err, size_t errlen);
/* Applies MLV_<SECTION>_<NAME> variables. */
int mlv_config_load_env(mlv_config *c, char *err, size_t errlen);
/* Applies one flag: name without dashes ("port"), value.  MLV_ENOTFOUND
 * when no option has that flag. */
int mlv_config_set_flag(mlv_config *c, const char *flag, const char *value, char *err,
			size_t errlen);
/* Writes the flags with their help (for --help). */
void mlv_config_print_flags(FILE *out);
/* Writes the commented example INI file. */
int mlv_config_example(mlv_buf *out);

#endif
