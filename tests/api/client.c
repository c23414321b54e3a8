/* client.c - libcurl client for the API tests (client.h). */
#include "client.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void http_res_init(http_res *r)
{
	memset(r, 0, sizeof(*r));
	mlv_buf_init(&r->body, (size_t)256 << 20);
}

void http_res_free(http_res *r)
{
	mlv_buf_free(&r->body);
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	http_res *r = ud;
	return mlv_buf_add(&r->body, p, size * n) == 0 ? size * n : 0;
}

static void header_value(const char *line, size_t len, const char *name, char *dst, size_t cap)
{
	size_t nl = strlen(name);
	if (len <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return;
	const char *v = line + nl + 1;
	size_t vl = len - nl - 1;
	while (vl > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		vl--;
	}
	while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
		vl--;
	snprintf(dst, cap, "%.*s", (int)vl, v);
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	http_res *r = ud;
	size_t len = size * n;
	header_value(p, len, "Content-Type", r->content_type, sizeof(r->content_type));
	header_value(p, len, "Location", r->location, sizeof(r->location));
	header_value(p, len, "Allow", r->allow, sizeof(r->allow));
	header_value(p, len, "WWW-Authenticate", r->www_authenticate, sizeof(r->www_authenticate));
	header_value(p, len, "Retry-After", r->retry_after, sizeof(r->retry_after));
	header_value(p, len, "ETag", r->etag, sizeof(r->etag));
	header_value(p, len, "Content-Disposition", r->disposition, sizeof(r->disposition));
	header_value(p, len, "Set-Cookie", r->set_cookie, sizeof(r->set_cookie));
	header_value(p, len, "Content-Security-Policy", r->csp, sizeof(r->csp));
	return len;
}

int http_call(const char *base, const char *method, const char *path, const char *token,
	      const char *ctype, const char *body, size_t len, http_res *out)
{
	return http_call_extra(base, method, path, token, ctype, body, len, NULL, out);
}

int http_call_extra(const char *base, const char *method, const char *path, const char *token,
		    const char *ctype, const char *body, size_t len, const http_extra *x,
		    http_res *out)
{
	CURL *c = curl_easy_init();
	if (c == NULL)
		return -1;
	char url[2048], auth[512], ct[256];
	struct curl_slist *h = NULL;
	snprintf(url, sizeof(url), "%s%s", base, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (token != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h = curl_slist_append(h, auth);
	}
	if (ctype != NULL) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
		h = curl_slist_append(h, ct);
	} else if (body != NULL && (x == NULL || x->headers == NULL)) {
		h = curl_slist_append(h, "Content-Type:");
	}
	h = curl_slist_append(h, "Expect:");
	if (x != NULL && x->header != NULL)
		h = curl_slist_append(h, x->header);
	for (size_t i = 0; x != NULL && x->headers != NULL && x->headers[i] != NULL; i++)
		h = curl_slist_append(h, x->headers[i]);
	if (x != NULL && x->from != NULL)
		curl_easy_setopt(c, CURLOPT_INTERFACE, x->from);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	CURLcode rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return rc == CURLE_OK ? 0 : -1;
}

int http_call_h(const char *base, const char *method, const char *path, const char *token,
		const char *ctype, const char *body, size_t len, const char *header,
		http_res *out)
{
	http_extra x;
	memset(&x, 0, sizeof(x));
	x.header = header;
	return http_call_extra(base, method, path, token, ctype, body, len, &x, out);
}
