/* replay.c - a main() for the fuzz targets when libFuzzer is not there
 * (gcc builds, and every test run): replays the files named, or every file
 * of the directories named, through LLVMFuzzerTestOneInput under whatever
 * sanitizers the build uses, then lets the target free what it loaded so
 * LeakSanitizer sees a clean exit. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>

#include "fuzz.h"

static int replay(const char *path)
{
	static uint8_t buf[1 << 20];
	FILE *fp = fopen(path, "rb");
	if (fp == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		return -1;
	}
	size_t len = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	LLVMFuzzerTestOneInput(buf, len);
	return 0;
}

/* Replays one directory's files; -1 when one cannot be read. */
static int replay_dir(DIR *d, const char *dir, int *n)
{
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char path[4096];
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (replay(path) != 0)
			return -1;
		(*n)++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int n = 0;
	for (int i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		int rc;
		if (d == NULL) {
			rc = replay(argv[i]);
			n += rc == 0;
		} else {
			rc = replay_dir(d, argv[i], &n);
			closedir(d);
		}
		if (rc != 0) {
			mlv_fuzz_cleanup();
			return 1;
		}
	}
	mlv_fuzz_cleanup();
	if (n == 0) {
		fprintf(stderr, "no input replayed\n");
		return 1;
	}
	printf("ok 1 - replayed %d inputs without a crash, leak or undefined behaviour\n1..1\n", n);
	return 0;
}
