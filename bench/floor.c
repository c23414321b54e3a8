/* floor.c - the hardware floor for filing: the same generated consignments
 * parsed with cJSON and inserted raw into SQLite (primary key only,
 * batches of 1,000, WAL, synchronous=FULL), on one thread.  Mainlevée's
 * batch path is measured against this (bench/run.sh).
 *
 * usage: mlv-floor FILE.jsonl DB */
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: mlv-floor FILE.jsonl DB\n");
		return 2;
	}
	FILE *in = fopen(argv[1], "rb");
	sqlite3 *db;
	if (in == NULL || sqlite3_open(argv[2], &db) != SQLITE_OK) {
		fprintf(stderr, "mlv-floor: cannot open input or database\n");
		return 1;
	}
	sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			 "CREATE TABLE IF NOT EXISTS raw (id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
		     NULL, NULL, NULL);
	sqlite3_stmt *ins;
	sqlite3_prepare_v2(db, "INSERT INTO raw (body) VALUES (?1)", -1, &ins, NULL);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long long count = 0, bad = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	while ((n = getline(&line, &cap, in)) > 0) {
		cJSON *j = cJSON_ParseWithLength(line, (size_t)n);
		if (j == NULL) {
			bad++;
			continue;
		}
		cJSON_Delete(j);
		sqlite3_bind_text(ins, 1, line, (int)n, SQLITE_STATIC);
		sqlite3_step(ins);
		sqlite3_reset(ins);
		if (++count % 1000 == 0) {
			sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
			sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		}
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("floor: %lld consignments in %.2f s: %.0f/s (%lld unparsable)\n", count, secs,
	       (double)count / secs, bad);
	free(line);
	sqlite3_finalize(ins);
	sqlite3_close(db);
	fclose(in);
	return 0;
}
