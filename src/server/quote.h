/* quote.h - the public landed-cost quote (POST /v1/quote). */
#ifndef MLV_SERVER_QUOTE_H
#define MLV_SERVER_QUOTE_H

#include "http.h"
#include "mlv/profile.h"
#include "mlv/refdata.h"

/* Answers a quote request body into resp (200 with the assessment, or a
 * 400/422 problem).  `now` (seconds) is the default date of the rules. */
int mlv_quote(const mlv_profiles *ps, const mlv_refdata *rd, const char *body, size_t len,
	      int64_t now, mlv_resp *resp);

#endif
