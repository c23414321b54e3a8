/* common.h - status codes and small shared types of the Mainlevée library.
 *
 * Every library function that can fail returns an int: 0 on success, or a
 * negative value from enum mlv_err.  Codes pass up unchanged; only
 * src/server/problem.c turns them into HTTP statuses. */
#ifndef MLV_COMMON_H
#define MLV_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mlv_err {
	MLV_OK = 0,
	MLV_ENOMEM = -1,     /* an allocation failed */
	MLV_EINVALID = -2,   /* the input is malformed or breaks a rule */
	MLV_ENOTFOUND = -3,  /* no such object (or not the caller's) */
	MLV_EEXISTS = -4,    /* the object exists already */
	MLV_ECONFLICT = -5,  /* the object is in a state that forbids this */
	MLV_EFORBIDDEN = -6, /* the caller may not do this */
	MLV_ETOOBIG = -7,    /* a bound on the input was exceeded */
	MLV_EIO = -8,        /* the store or a file failed */
	MLV_EUNAUTH = -9,    /* missing or wrong credentials */
	MLV_EBUSY = -10,     /* try again later (queue full, shutting down) */
};

/* A short, stable English name of a status code, for logs. */
const char *mlv_strerror(int err);

/* An optional numeric value of the dataset: money and weights in minor
 * units, quantities in thousandths, dates in days since 1970-01-01,
 * date-times in seconds since the epoch (UTC). */
typedef struct mlv_num {
	int64_t v;
	bool set;
} mlv_num;

#define MLV_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
