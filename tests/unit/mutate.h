/* mutate.h - variants of a JSON filing, member by member (testutil.c).
 * Included by testutil.h; a test with its own fixtures includes it alone. */
#ifndef MLV_TEST_MUTATE_H
#define MLV_TEST_MUTATE_H

#include <stdarg.h>

#define DEL "\x01" /* as a mutate() value: remove the member */

/* A copy of `base` with (JSON Pointer, JSON value) pairs applied in order,
 * up to a NULL pointer: the value replaces the member or array element
 * (an array index one past the end appends, a missing object member is
 * added), or DEL removes it.  Fails the test when a step of a pointer does
 * not exist or a value is not JSON.  Free with cJSON_free(). */
char *mutate(const char *base, ...);
/* The same with the pairs in a va_list. */
char *mutate_v(const char *base, va_list ap);
/* The same with the pairs in an array ending with a NULL pointer (or NULL
 * for none). */
char *mutate_pairs(const char *base, const char *const *pairs);

#endif
