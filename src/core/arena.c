/* arena.c - block-chained bump allocator (see arena.h). */
#include "mlv/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct block {
	struct block *next;
	size_t cap;
	size_t used;
	alignas(max_align_t) unsigned char data[];
};

struct mlv_arena {
	struct block *head;  /* current block, newest first */
	struct block *first; /* kept by reset */
	size_t total;
};

static struct block *block_new(size_t cap)
{
	struct block *b = malloc(sizeof(*b) + cap);
	if (b == NULL)
		return NULL;
	b->next = NULL;
	b->cap = cap;
	b->used = 0;
	return b;
}

mlv_arena *mlv_arena_new(size_t hint)
{
	mlv_arena *a = malloc(sizeof(*a));
	if (a == NULL)
		return NULL;
	if (hint < 1024)
		hint = 1024;
	a->first = block_new(hint);
	if (a->first == NULL) {
		free(a);
		return NULL;
	}
	a->head = a->first;
	a->total = 0;
	return a;
}

static void free_chain(struct block *b, struct block *stop)
{
	while (b != NULL && b != stop) {
		struct block *next = b->next;
		free(b);
		b = next;
	}
}

void mlv_arena_free(mlv_arena *a)
{
	if (a == NULL)
		return;
	free_chain(a->head, NULL);
	free(a);
}

void mlv_arena_reset(mlv_arena *a)
{
	free_chain(a->head, a->first);
	a->first->next = NULL;
	a->first->used = 0;
	a->head = a->first;
	a->total = 0;
}

void *mlv_arena_alloc(mlv_arena *a, size_t n)
{
	const size_t align = alignof(max_align_t);
	if (n > SIZE_MAX / 2)
		return NULL;
	n = (n + align - 1) & ~(align - 1);
	if (n == 0)
		n = align;
	struct block *b = a->head;
	if (b->cap - b->used < n) {
		size_t cap = b->cap * 2;
		if (cap < n)
			cap = n;
		struct block *nb = block_new(cap);
		if (nb == NULL)
			return NULL;
		nb->next = b;
		a->head = nb;
		b = nb;
	}
	void *p = b->data + b->used;
	b->used += n;
	a->total += n;
	memset(p, 0, n);
	return p;
}

char *mlv_arena_strndup(mlv_arena *a, const char *s, size_t len)
{
	char *p = mlv_arena_alloc(a, len + 1);
	if (p == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

size_t mlv_arena_used(const mlv_arena *a)
{
	return a->total;
}
