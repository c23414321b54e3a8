/* fuzz.h - what a fuzz target gives the replay driver (replay.c). */
#ifndef MLV_FUZZ_H
#define MLV_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Runs one input; always returns 0 (libFuzzer's convention). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Frees what the target loaded on its first input; safe to call when
 * nothing was loaded. */
void mlv_fuzz_cleanup(void);

#endif
