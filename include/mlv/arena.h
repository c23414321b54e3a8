/* arena.h - a bump allocator: many small allocations, one free.
 *
 * Used for everything that lives as long as one consignment or one request.
 * Allocation failure returns NULL; the arena stays usable. */
#ifndef MLV_ARENA_H
#define MLV_ARENA_H

#include <stddef.h>

typedef struct mlv_arena mlv_arena;

/* Creates an arena whose first block holds at least `hint` bytes. */
mlv_arena *mlv_arena_new(size_t hint);
void mlv_arena_free(mlv_arena *a);
/* Forgets every allocation but keeps the first block for reuse. */
void mlv_arena_reset(mlv_arena *a);
/* Zeroed memory aligned for any type; NULL when out of memory. */
void *mlv_arena_alloc(mlv_arena *a, size_t n);
/* A NUL-terminated copy of s[0..len). */
char *mlv_arena_strndup(mlv_arena *a, const char *s, size_t len);
/* Total bytes handed out, for limits and tests. */
size_t mlv_arena_used(const mlv_arena *a);

#endif
