/* train-dict.c - trains the zstd dictionary for stored filings from JSON
 * Lines on standard input (zstd's own trainer, ZDICT_trainFromBuffer).
 *
 * usage: mlv-train-dict [SIZE] < filings.jsonl > consignments.dict
 * An administration can retrain on its own filings; the store keeps every
 * dictionary it used, so older bodies stay readable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zdict.h>

#define MAX_INPUT (256u << 20)
#define MAX_SAMPLES 200000

int main(int argc, char **argv)
{
	size_t dict_size = argc > 1 ? strtoul(argv[1], NULL, 10) : 65536;
	if (dict_size < 1024 || dict_size > (1u << 20)) {
		fprintf(stderr, "mlv-train-dict: SIZE must be 1024 to 1048576 bytes\n");
		return 2;
	}
	char *buf = malloc(MAX_INPUT);
	size_t *sizes = calloc(MAX_SAMPLES, sizeof(*sizes));
	void *dict = malloc(dict_size);
	if (buf == NULL || sizes == NULL || dict == NULL)
		return 1;
	size_t len = fread(buf, 1, MAX_INPUT, stdin);
	unsigned n = 0;
	size_t start = 0, used = 0;
	/* Samples are the lines, newline dropped, packed end to end. */
	for (size_t i = 0; i < len && n < MAX_SAMPLES; i++) {
		if (buf[i] != '\n')
			continue;
		size_t l = i - start;
		memmove(buf + used, buf + start, l);
		sizes[n++] = l;
		used += l;
		start = i + 1;
	}
	size_t r = ZDICT_trainFromBuffer(dict, dict_size, buf, sizes, n);
	if (ZDICT_isError(r)) {
		fprintf(stderr, "mlv-train-dict: %s\n", ZDICT_getErrorName(r));
		return 1;
	}
	fwrite(dict, 1, r, stdout);
	fprintf(stderr, "mlv-train-dict: %zu bytes from %u samples (id %u)\n", r, n,
		ZDICT_getDictID(dict, r));
	free(buf);
	free(sizes);
	free(dict);
	return 0;
}
