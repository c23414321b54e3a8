/* client.h - a small HTTP client over libcurl for the API tests. */
#ifndef MLV_TEST_CLIENT_H
#define MLV_TEST_CLIENT_H

#include <stddef.h>

#include "mlv/buf.h"

typedef struct http_res {
	long status;
	mlv_buf body;
	char content_type[128];
	char location[256];
	char allow[64];
	char www_authenticate[128];
	char retry_after[16];
	char etag[64];
	char disposition[256];
	char set_cookie[512]; /* the last Set-Cookie */
	char csp[256];        /* Content-Security-Policy */
} http_res;

/* More of a request: one extra header line ("If-Match: \"2\""), the
 * local address to send from ("127.0.0.2": another client), and more
 * header lines, NULL-terminated; with these the caller names any
 * Content-Type itself (none given: curl's default for a body). */
typedef struct http_extra {
	const char *header;
	const char *from;
	const char *const *headers;
} http_extra;

void http_res_init(http_res *r);
void http_res_free(http_res *r);

/* Sends one request to base + path; token may be NULL (no Authorization),
 * ctype NULL (no Content-Type).  Returns 0 when a response came. */
int http_call(const char *base, const char *method, const char *path, const char *token,
	      const char *ctype, const char *body, size_t len, http_res *out);
int http_call_extra(const char *base, const char *method, const char *path, const char *token,
		    const char *ctype, const char *body, size_t len, const http_extra *x,
		    http_res *out);
/* The same with one more request header ("If-Match: \"3\""); NULL none. */
int http_call_h(const char *base, const char *method, const char *path, const char *token,
		const char *ctype, const char *body, size_t len, const char *header,
		http_res *out);

#endif
