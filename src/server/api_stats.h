/* api_stats.h - what the statistics' JSON and CSV answers (api_stats.c)
 * and the dashboard page (console_stats.c) share: the parameters of a
 * request, read strictly, and the tables they both show. */
#ifndef MLV_SERVER_API_STATS_H
#define MLV_SERVER_API_STATS_H

#include "api_impl.h"
#include "mlv/stats.h"

/* Which parameters a resource takes. */
enum {
	SP_RANGE = 1u << 0,   /* from, to */
	SP_PERIOD = 1u << 1,  /* period */
	SP_BY = 1u << 2,      /* by */
	SP_FILTERS = 1u << 3, /* every dimension as a filter */
	SP_LANE_CHANNEL = 1u << 4, /* lane and channel filters only */
	SP_FORMAT = 1u << 5,  /* format=json|csv */
	SP_LIMIT = 1u << 6,   /* limit */
	SP_TABLE = 1u << 7,   /* table=percentiles|histogram (release times, CSV) */
	SP_MEASURE = 1u << 8, /* measure=COLUMN (the dashboard's charts) */
	SP_EMPTY_OK = 1u << 9, /* an empty value means "not given" (a form's empty field) */
};

#define STATS_DAYS_MAX 3660  /* ten years */
#define STATS_PERIODS_MAX 400
#define STATS_ROWS_MAX 20000
#define STATS_LIMIT_MAX 10000

typedef struct stats_params {
	int32_t from, to;            /* days, both included */
	mlv_stats_period period;
	mlv_stats_dim by;
	unsigned filters;            /* 1u << dim */
	int64_t key[MLV_DIM_COUNT_];
	char origin[3];
	char text[MLV_DIM_COUNT_][48]; /* each filter as given, for links */
	bool csv;
	bool histogram;              /* table=histogram */
	int64_t limit;               /* 0: the resource's default */
	const mlv_stats_column *measure; /* the dashboard's charted figure */
	/* when the parameters do not hold: which one and why */
	char bad_name[32];
	char bad_why[256];
} stats_params;

/* Reads the query of req: only the parameters `allowed` names, each at
 * most once, each value checked; the default range is the 30 days up to
 * today (UTC).  False with bad_name and bad_why set when they do not hold. */
bool stats_params_read(mlv_server *s, mlv_req *req, unsigned allowed, stats_params *p);

/* Appends the query string of p (without '?'), for links to the same
 * figures in another form: extra ("format=csv") is added last. */
int stats_params_query(mlv_buf *b, const stats_params *p, unsigned allowed, const char *extra);

/* The administration's currency and its minor units. */
const char *stats_currency(const mlv_server *s);
int stats_minor_units(const mlv_server *s);

/* The rows of the consignment statistics of p: by period then value,
 * or, with a breakdown alone, the largest first (at most p->limit).
 * *out is the caller's (free()).  MLV_ETOOBIG past STATS_ROWS_MAX. */
int stats_rows(mlv_server *s, const stats_params *p, mlv_stats_row **out, size_t *n);
/* The totals of p's range under its filters (no period, no breakdown). */
int stats_totals(mlv_server *s, const stats_params *p, mlv_stats_row *out);

/* Release times of the releases in p's range, under its lane and channel
 * filters. */
int stats_release_read(mlv_server *s, const stats_params *p, mlv_stats_release *out);

/* Rule performance of p's range, most hits first. */
typedef struct stats_rule {
	char id[48];
	mlv_rule_counts c;
} stats_rule;
int stats_rules_read(mlv_server *s, const stats_params *p, stats_rule **out, size_t *n);

/* Duration in seconds for people: "45 s", "12 min", "3.5 h", "2.1 d". */
void stats_duration_text(int64_t seconds, char out[24]);

#endif
