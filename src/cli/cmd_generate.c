/* cmd_generate.c - `mainlevee generate`: synthetic consignments. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mlv/filing.h"
#include "mlv/generate.h"

static const char *count_flag = "1000";
static const char *seed_flag = "1";
static const char *anomalies_flag = "50";
static const char *labels_path;
static const char *start_flag;
static const char *prefix_flag = "GEN";
static bool with_invalid;

const cli_flag generate_flags[] = {
	{"count", "N", "consignments to write (default 1000; k and M suffixes allowed)",
	 &count_flag, NULL},
	{"seed", "S", "seed of the generator: same seed, same output (default 1)", &seed_flag, NULL},
	{"anomalies", "PERMILLE", "share of consignments with a labelled anomaly, per thousand "
				  "(default 50)", &anomalies_flag, NULL},
	{"labels", "FILE", "write 'lrn,anomaly' for every consignment to FILE", &labels_path, NULL},
	{"start-date", "YYYY-MM-DD", "date of the first order (default: so that the last order is "
				     "two days ago; 1000 orders a day)", &start_flag,
	 NULL},
	{"prefix", "TEXT", "LRN prefix (default GEN)", &prefix_flag, NULL},
	{"with-invalid", NULL, "include missing_data anomalies: records that validation rejects "
			       "(by default every record is valid, its anomalies are for risk "
			       "work)", NULL, &with_invalid},
	{NULL, NULL, NULL, NULL, NULL},
};

int cmd_generate(int argc, char **argv, const mlv_config *cfg)
{
	(void)argv;
	unsigned long long count, seed, permille;
	if (argc > 0) {
		fprintf(stderr, "mainlevee generate: takes no arguments (see --help)\n");
		return 2;
	}
	if (!cli_parse_count(count_flag, &count) || count > 100000000ULL) {
		fprintf(stderr, "mainlevee generate: --count must be 0 to 100M\n");
		return 2;
	}
	if (!cli_parse_count(seed_flag, &seed)) {
		fprintf(stderr, "mainlevee generate: --seed must be a whole number\n");
		return 2;
	}
	if (!cli_parse_count(anomalies_flag, &permille) || permille > 1000) {
		fprintf(stderr, "mainlevee generate: --anomalies must be 0 to 1000\n");
		return 2;
	}
	if (strlen(prefix_flag) < 1 || strlen(prefix_flag) > 20) {
		fprintf(stderr, "mainlevee generate: --prefix must be 1 to 20 characters\n");
		return 2;
	}
	mlv_generate_opts go = MLV_GENERATE_OPTS_INIT;
	go.seed = seed;
	go.anomaly_permille = (unsigned)permille;
	go.destination = cfg->country;
	go.currency = cfg->currency;
	go.lrn_prefix = prefix_flag;
	go.valid_only = !with_invalid;
	/* By default the orders end two days ago, whatever the count. */
	go.start_day = (int32_t)(mlv_now_ms() / 86400000) - 2 -
		       (int32_t)(count / MLV_GENERATE_PER_DAY);
	if (start_flag != NULL && !mlv_date_parse(start_flag, strlen(start_flag), &go.start_day)) {
		fprintf(stderr, "mainlevee generate: --start-date must be YYYY-MM-DD\n");
		return 2;
	}
	mlv_refdata *rd = NULL;
	if (cli_load_refdata(cfg, &rd) != 0)
		return 1;
	FILE *labels = NULL;
	if (labels_path != NULL && (labels = fopen(labels_path, "w")) == NULL) {
		fprintf(stderr, "mainlevee generate: cannot write %s: %s\n", labels_path,
			strerror(errno));
		mlv_refdata_free(rd);
		return 1;
	}
	mlv_generator *g = NULL;
	int status = 0;
	char *line = malloc(65536);
	if (line == NULL || mlv_generator_new(&g, rd, &go) != 0) {
		fprintf(stderr, "mainlevee generate: cannot start the generator\n");
		status = 1;
		goto cleanup;
	}
	static char outbuf[1 << 20];
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	if (labels)
		fputs("lrn,anomaly\n", labels);
	for (unsigned long long i = 0; i < count; i++) {
		mlv_anomaly label;
		int n = mlv_generator_next(g, line, 65535, &label);
		if (n < 0) {
			fprintf(stderr, "mainlevee generate: %s\n", mlv_strerror(n));
			status = 1;
			break;
		}
		line[n] = '\n';
		if (fwrite(line, 1, (size_t)n + 1, stdout) != (size_t)n + 1) {
			status = 1; /* a closed pipe: stop quietly */
			break;
		}
		if (labels) {
			/* The LRN is the first member the generator writes. */
			const char *l = strstr(line, "\"lrn\":\"");
			const char *e = l ? strchr(l + 7, '"') : NULL;
			if (l && e)
				fprintf(labels, "%.*s,%s\n", (int)(e - l - 7), l + 7,
					mlv_anomaly_name(label));
		}
	}
	if (fflush(stdout) != 0)
		status = 1;
cleanup:
	mlv_generator_free(g);
	free(line);
	if (labels && fclose(labels) != 0)
		status = 1;
	mlv_refdata_free(rd);
	return status;
}
