/* problem.h - RFC 9457 problem details, and the one place where library
 * status codes become HTTP statuses. */
#ifndef MLV_SERVER_PROBLEM_H
#define MLV_SERVER_PROBLEM_H

#include "http.h"
#include "mlv/problems.h"

/* The HTTP status for a library status code. */
int mlv_http_status(int err);

/* Writes an application/problem+json answer.  `slug` names the problem
 * type (urn:mainlevee:problem:<slug>); `problems` may be NULL. */
void mlv_http_problem(mlv_resp *resp, int status, const char *slug, const char *title,
		 const char *detail, const mlv_problems *problems);
/* The same for a library status code, with a generic title. */
void mlv_http_problem_err(mlv_resp *resp, int err, const char *detail);

#endif
