/* web.c - HTML escaping, forms, cookies and the page frame (web.h). */
#include "web.h"

#include <string.h>

#include "mlv/common.h"

const mlv_web_asset *mlv_web_asset_find(const char *name)
{
	for (const mlv_web_asset *a = mlv_web_assets; a->name != NULL; a++)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

int mlv_html_escape_n(mlv_buf *b, const char *s, size_t n)
{
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		const char *rep = NULL;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		int rc = mlv_buf_add(b, s + run, i - run);
		if (rc == 0)
			rc = mlv_buf_adds(b, rep);
		if (rc != 0)
			return rc;
		run = i + 1;
	}
	return mlv_buf_add(b, s + run, n - run);
}

int mlv_html_escape(mlv_buf *b, const char *s)
{
	return s == NULL ? 0 : mlv_html_escape_n(b, s, strlen(s));
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int mlv_web_form_value(const char *body, size_t len, const char *name, char *out, size_t size)
{
	size_t nl = strlen(name);
	size_t i = 0;
	while (i < len) {
		size_t end = i;
		while (end < len && body[end] != '&')
			end++;
		if (end - i > nl && memcmp(body + i, name, nl) == 0 && body[i + nl] == '=') {
			size_t o = 0;
			for (size_t k = i + nl + 1; k < end; k++) {
				char c = body[k];
				if (c == '+') {
					c = ' ';
				} else if (c == '%') {
					if (k + 2 >= end)
						return MLV_EINVALID;
					int hi = hexval(body[k + 1]), lo = hexval(body[k + 2]);
					if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
						return MLV_EINVALID;
					c = (char)(hi * 16 + lo);
					k += 2;
				}
				if (o + 1 >= size)
					return MLV_ETOOBIG;
				out[o++] = c;
			}
			out[o] = '\0';
			return 0;
		}
		i = end + 1;
	}
	return MLV_ENOTFOUND;
}

bool mlv_web_cookie(const char *header, const char *name, char *out, size_t size)
{
	if (header == NULL)
		return false;
	size_t nl = strlen(name);
	const char *p = header;
	while (*p) {
		while (*p == ' ' || *p == ';')
			p++;
		const char *end = strchr(p, ';');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (n > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
			size_t vn = n - nl - 1;
			if (vn + 1 > size)
				return false;
			memcpy(out, p + nl + 1, vn);
			out[vn] = '\0';
			return true;
		}
		p += n;
	}
	return false;
}

bool mlv_web_token_equal(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	unsigned char d = na != nb;
	for (size_t i = 0; i < na && i < nb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0 && na > 0;
}

int mlv_web_option(mlv_buf *b, const char *value, const char *label, bool selected)
{
	int rc = mlv_buf_adds(b, "<option value=\"");
	if (rc == 0)
		rc = mlv_html_escape(b, value);
	if (rc == 0 && selected)
		rc = mlv_buf_adds(b, "\" selected=\"selected");
	if (rc == 0)
		rc = mlv_buf_adds(b, "\">");
	if (rc == 0)
		rc = mlv_html_escape(b, label);
	return rc ? rc : mlv_buf_adds(b, "</option>");
}

int mlv_web_select_begin(mlv_buf *b, const char *name, const char *label)
{
	return mlv_buf_printf(b, "<div><label for=\"f-%s\">%s</label><select id=\"f-%s\" name=\"%s\">",
			      name, label, name, name);
}

int mlv_web_page_begin(mlv_buf *b, const mlv_web_page *p)
{
	int rc = mlv_buf_adds(b, "<!DOCTYPE html>\n<html lang=\"");
	if (rc == 0)
		rc = mlv_html_escape(b, p->lang != NULL ? p->lang : "en");
	if (rc == 0)
		rc = mlv_buf_adds(b, "\">\n<head>\n<meta charset=\"utf-8\">\n"
				     "<meta name=\"viewport\" content=\"width=device-width, "
				     "initial-scale=1\">\n"
				     "<link rel=\"icon\" href=\"/static/favicon.svg\" "
				     "type=\"image/svg+xml\">\n<title>");
	if (rc == 0)
		rc = mlv_html_escape(b, p->title);
	if (rc == 0)
		rc = mlv_buf_adds(b, "</title>\n<link rel=\"stylesheet\" href=\"");
	if (rc == 0)
		rc = mlv_html_escape(b, p->stylesheet);
	if (rc == 0)
		rc = mlv_buf_adds(b, "\">\n");
	if (rc == 0 && p->stylesheet2 != NULL) {
		rc = mlv_buf_adds(b, "<link rel=\"stylesheet\" href=\"");
		if (rc == 0)
			rc = mlv_html_escape(b, p->stylesheet2);
		if (rc == 0)
			rc = mlv_buf_adds(b, "\">\n");
	}
	if (rc == 0 && p->script != NULL) {
		rc = mlv_buf_adds(b, "<script defer src=\"");
		if (rc == 0)
			rc = mlv_html_escape(b, p->script);
		if (rc == 0)
			rc = mlv_buf_adds(b, "\"></script>\n");
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, "</head>\n<body>\n<a class=\"skip\" href=\"#main\">");
	if (rc == 0)
		rc = mlv_html_escape(b, p->skip_label != NULL ? p->skip_label : "Skip to content");
	if (rc == 0)
		rc = mlv_buf_adds(b, "</a>\n<header class=\"top\">\n<a class=\"brand\" href=\"");
	if (rc == 0)
		rc = mlv_html_escape(b, p->brand_href != NULL ? p->brand_href : "/");
	if (rc == 0)
		rc = mlv_buf_adds(b, "\">");
	if (rc == 0)
		rc = mlv_html_escape(b, p->brand != NULL ? p->brand : "Mainlevée");
	if (rc == 0)
		rc = mlv_buf_adds(b, "</a>\n<nav aria-label=\"sections\"><ul>");
	for (size_t i = 0; rc == 0 && i < p->nnav; i++) {
		rc = mlv_buf_adds(b, "<li><a href=\"");
		if (rc == 0)
			rc = mlv_html_escape(b, p->nav[i].href);
		if (rc == 0 && p->current != NULL && strcmp(p->current, p->nav[i].href) == 0)
			rc = mlv_buf_adds(b, "\" aria-current=\"page");
		if (rc == 0)
			rc = mlv_buf_adds(b, "\">");
		if (rc == 0)
			rc = mlv_html_escape(b, p->nav[i].label);
		if (rc == 0)
			rc = mlv_buf_adds(b, "</a></li>");
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, "</ul></nav>\n");
	if (rc == 0 && p->user != NULL) {
		rc = mlv_buf_adds(b, "<form class=\"who\" method=\"post\" action=\"");
		if (rc == 0)
			rc = mlv_html_escape(b, p->logout_href != NULL ? p->logout_href
								       : "/console/logout");
		if (rc == 0)
			rc = mlv_buf_adds(b, "\"><span class=\"user\">");
		if (rc == 0)
			rc = mlv_html_escape(b, p->user);
		if (rc == 0 && p->role != NULL) {
			rc = mlv_buf_adds(b, " <span class=\"role\">");
			if (rc == 0)
				rc = mlv_html_escape(b, p->role);
			if (rc == 0)
				rc = mlv_buf_adds(b, "</span>");
		}
		if (rc == 0)
			rc = mlv_buf_adds(b, "</span><input type=\"hidden\" name=\"csrf\" value=\"");
		if (rc == 0)
			rc = mlv_html_escape(b, p->csrf);
		if (rc == 0)
			rc = mlv_buf_adds(b, "\"><button type=\"submit\">");
		if (rc == 0)
			rc = mlv_html_escape(b, p->signout_label != NULL ? p->signout_label
									 : "Sign out");
		if (rc == 0)
			rc = mlv_buf_adds(b, "</button></form>\n");
	}
	if (rc == 0 && p->header_extra != NULL)
		rc = mlv_buf_adds(b, p->header_extra);
	if (rc == 0)
		rc = mlv_buf_adds(b, "</header>\n<main id=\"main\">\n");
	return rc;
}

int mlv_web_page_end(mlv_buf *b)
{
	return mlv_buf_adds(b, "</main>\n</body>\n</html>\n");
}
