/* problems.h - the list of problems found in one input.
 *
 * Each problem names the place with a JSON Pointer (RFC 6901), a stable
 * machine code (see docs/dataset.md, "Problem codes") and an English
 * message.  Errors make a filing fail; warnings lower its data quality.
 * The list is bounded: past MLV_PROBLEMS_MAX entries it only counts.
 * Call mlv_problems_clear() when done. */
#ifndef MLV_PROBLEMS_H
#define MLV_PROBLEMS_H

#include <stdbool.h>
#include <stddef.h>

#define MLV_PROBLEMS_MAX 100
#define MLV_POINTER_MAX 160
#define MLV_MESSAGE_MAX 200

typedef enum { MLV_SEV_ERROR = 0, MLV_SEV_WARNING = 1 } mlv_severity;

typedef struct mlv_problem {
	mlv_severity severity;
	const char *code;             /* static string, stable */
	char pointer[MLV_POINTER_MAX]; /* "" for the document itself */
	char message[MLV_MESSAGE_MAX];
} mlv_problem;

typedef struct mlv_problems {
	mlv_problem *items; /* grown on demand: a clean filing allocates nothing */
	size_t cap;
	size_t count;    /* stored entries */
	size_t dropped;  /* entries past the bound */
	size_t errors;   /* errors, stored or dropped */
	size_t warnings; /* warnings, stored or dropped */
} mlv_problems;

void mlv_problems_init(mlv_problems *p);
/* Frees the entries; the list is empty and usable again. */
void mlv_problems_clear(mlv_problems *p);
/* Adds a problem; `fmt` is printf-style.  Never fails: when memory runs
 * out the problem is only counted. */
void mlv_problems_add(mlv_problems *p, mlv_severity sev, const char *pointer,
		      const char *code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static inline bool mlv_problems_has_errors(const mlv_problems *p)
{
	return p->errors > 0;
}

/* Appends "/" + token (escaped per RFC 6901) to a pointer held in buf of
 * size MLV_POINTER_MAX; returns the previous length so the caller can
 * truncate back. Silently truncates when full. */
size_t mlv_pointer_push(char *buf, const char *token);
size_t mlv_pointer_push_index(char *buf, size_t index);

/* A JSON Pointer kept as segments, rendered only when a problem needs it:
 * walking a valid document then costs no string work. */
#define MLV_PATH_MAX 16
typedef struct mlv_path {
	struct {
		const char *name; /* NULL for an array index */
		size_t index;
	} seg[MLV_PATH_MAX];
	int depth; /* may exceed MLV_PATH_MAX: deeper segments are dropped */
} mlv_path;

static inline void mlv_path_push(mlv_path *p, const char *name)
{
	if (p->depth < MLV_PATH_MAX) {
		p->seg[p->depth].name = name;
		p->seg[p->depth].index = 0;
	}
	p->depth++;
}
static inline void mlv_path_push_index(mlv_path *p, size_t index)
{
	if (p->depth < MLV_PATH_MAX) {
		p->seg[p->depth].name = NULL;
		p->seg[p->depth].index = index;
	}
	p->depth++;
}
static inline void mlv_path_pop(mlv_path *p)
{
	p->depth--;
}
/* Writes the pointer ("" for the root) into out[MLV_POINTER_MAX]. */
void mlv_path_render(const mlv_path *p, char *out);

#endif
