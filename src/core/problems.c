/* problems.c - bounded problem list and JSON Pointer building. */
#include "mlv/problems.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mlv_problems_init(mlv_problems *p)
{
	p->items = NULL;
	p->cap = 0;
	p->count = 0;
	p->dropped = 0;
	p->errors = 0;
	p->warnings = 0;
}

void mlv_problems_add(mlv_problems *p, mlv_severity sev, const char *pointer,
		      const char *code, const char *fmt, ...)
{
	if (sev == MLV_SEV_ERROR)
		p->errors++;
	else
		p->warnings++;
	if (p->count >= MLV_PROBLEMS_MAX) {
		p->dropped++;
		return;
	}
	if (p->count == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 4;
		if (cap > MLV_PROBLEMS_MAX)
			cap = MLV_PROBLEMS_MAX;
		mlv_problem *n = realloc(p->items, cap * sizeof(*n));
		if (n == NULL) {
			p->dropped++;
			return;
		}
		p->items = n;
		p->cap = cap;
	}
	mlv_problem *e = &p->items[p->count++];
	e->severity = sev;
	e->code = code;
	snprintf(e->pointer, sizeof(e->pointer), "%s", pointer ? pointer : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
}

void mlv_problems_clear(mlv_problems *p)
{
	free(p->items);
	mlv_problems_init(p);
}

size_t mlv_pointer_push(char *buf, const char *token)
{
	size_t old = strnlen(buf, MLV_POINTER_MAX - 1);
	size_t n = old;
	if (n + 1 < MLV_POINTER_MAX)
		buf[n++] = '/';
	for (const char *s = token; *s && n + 2 < MLV_POINTER_MAX; s++) {
		if (*s == '~') {
			buf[n++] = '~';
			buf[n++] = '0';
		} else if (*s == '/') {
			buf[n++] = '~';
			buf[n++] = '1';
		} else {
			buf[n++] = *s;
		}
	}
	buf[n] = '\0';
	return old;
}

size_t mlv_pointer_push_index(char *buf, size_t index)
{
	char tok[24];
	snprintf(tok, sizeof(tok), "%zu", index);
	return mlv_pointer_push(buf, tok);
}

void mlv_path_render(const mlv_path *p, char *out)
{
	out[0] = '\0';
	int n = p->depth < MLV_PATH_MAX ? p->depth : MLV_PATH_MAX;
	for (int i = 0; i < n; i++) {
		if (p->seg[i].name != NULL)
			mlv_pointer_push(out, p->seg[i].name);
		else
			mlv_pointer_push_index(out, p->seg[i].index);
	}
}
