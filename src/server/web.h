/* web.h - what the server's HTML pages share: escaping, forms, cookies,
 * the page frame, and the embedded styles and scripts of web/.
 *
 * Pages are plain HTML that reads without JavaScript; scripts add to them.
 * Every value put into a page goes through mlv_html_escape. */
#ifndef MLV_SERVER_WEB_H
#define MLV_SERVER_WEB_H

#include <stdbool.h>
#include <stddef.h>

#include "mlv/buf.h"

/* A file of web/, served as /static/NAME (tools/embed.c writes the table). */
typedef struct mlv_web_asset {
	const char *name;
	const char *type;
	const char *data;
	size_t len;
} mlv_web_asset;

extern const mlv_web_asset mlv_web_assets[]; /* ends with a NULL name */

const mlv_web_asset *mlv_web_asset_find(const char *name);

/* Appends s with & < > " ' escaped. */
int mlv_html_escape(mlv_buf *b, const char *s);
int mlv_html_escape_n(mlv_buf *b, const char *s, size_t n);

/* The value of `name` in an application/x-www-form-urlencoded body (or a
 * query string), decoded: 0, MLV_ENOTFOUND, or MLV_ETOOBIG when it does
 * not fit in out[size] (or decodes to a NUL or bad escape: MLV_EINVALID). */
int mlv_web_form_value(const char *body, size_t len, const char *name, char *out,
		       size_t size);

/* The value of cookie `name` in a Cookie header; false when absent or
 * longer than size - 1. */
bool mlv_web_cookie(const char *header, const char *name, char *out, size_t size);

/* Constant-time comparison of two NUL-terminated tokens. */
bool mlv_web_token_equal(const char *a, const char *b);

/* Form fields of the console's filter forms: an <option> (value and
 * label escaped), and the opening of a labelled <select> whose id is
 * "f-NAME" (name and label are the page's own text, not escaped). */
int mlv_web_option(mlv_buf *b, const char *value, const char *label, bool selected);
int mlv_web_select_begin(mlv_buf *b, const char *name, const char *label);

/* One link of a page's navigation. */
typedef struct mlv_web_link {
	const char *href;
	const char *label;
} mlv_web_link;

/* The frame of a page: <head> with the stylesheet, a header with the
 * navigation (the current href marked aria-current) and, when user is set,
 * who is signed in and a sign-out form carrying csrf. */
typedef struct mlv_web_page {
	const char *lang;       /* "en", "fr", "es" */
	const char *title;
	const char *stylesheet; /* "/static/console.css" */
	const char *stylesheet2; /* a page's own styles after it, or NULL */
	const char *script;     /* NULL for none; loaded with defer */
	const char *brand;      /* the header's name */
	const char *brand_href;
	const mlv_web_link *nav;
	size_t nnav;
	const char *current;    /* href of the current section */
	const char *user;       /* display name; NULL when nobody is signed in */
	const char *role;
	const char *csrf;
	const char *logout_href;
	const char *skip_label;    /* NULL: "Skip to content" */
	const char *signout_label; /* NULL: "Sign out" */
	const char *header_extra;  /* trusted HTML closing the header (a language
				    * switch); NULL for none */
} mlv_web_page;

int mlv_web_page_begin(mlv_buf *b, const mlv_web_page *p);
int mlv_web_page_end(mlv_buf *b);

#endif
