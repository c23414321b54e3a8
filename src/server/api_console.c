/* api_console.c - people in the browser: sign-in and sign-out, sessions,
 * CSRF, the console's frame and home page, and the embedded styles.
 *
 * A session is a random token in an HttpOnly, SameSite=Strict cookie
 * (Secure behind TLS); the store keeps its hash.  Every unsafe request
 * made with a session carries the session's CSRF token, in a form's csrf
 * field or the X-CSRF-Token header.  Failed sign-ins count against the
 * address and the username, and lock both out like failed API keys. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api_impl.h"
#include "problem.h"
#include "web.h"

#define SESSION_COOKIE "mlv_session"

static const char *const role_names[] = {
	"filer", "officer", "analyst", "supervisor", "auditor", "agency", "partner", "admin",
};

unsigned api_role_bit(const char *name)
{
	for (size_t i = 0; i < MLV_ARRAY_LEN(role_names); i++)
		if (strcmp(name, role_names[i]) == 0)
			return 1u << i;
	return 0;
}

/* The console's sections: each shown to the roles it admits. */
static const struct section {
	const char *href;
	const char *label;
	unsigned roles;
} sections[] = {
	{"/console", "Home", ~0u},
	{"/console/queue", "Queue", ROLES_OFFICERS},
	{"/console/stats", "Statistics", ROLES_STAFF},
	{"/console/operators", "Operators", ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_AUDITOR},
	{"/portal", "Rules portal", ~0u},
};

bool api_session(mlv_server *s, mlv_req *req, struct auth *a)
{
	char token[64];
	if (!mlv_web_cookie(mlv_req_header(req, "Cookie"), SESSION_COOKIE, token, sizeof(token)))
		return false;
	mlv_user u;
	mlv_store *st = api_reader_acquire(s);
	int rc = mlv_store_session_check(st, token, (int64_t)time(NULL), &u, a->csrf);
	api_reader_release(s, st);
	/* filer_id 0 means "every filer" to the store: a filer person needs one */
	if (rc != 0 || (strcmp(u.role, "filer") == 0 && u.filer_id <= 0))
		return false;
	a->filer_id = u.filer_id;
	a->user_id = u.id;
	snprintf(a->filer, sizeof(a->filer), "%s", u.username);
	snprintf(a->role, sizeof(a->role), "%s", u.role);
	snprintf(a->display, sizeof(a->display), "%s", u.display_name);
	a->role_bit = api_role_bit(u.role);
	a->session = true;
	return true;
}

bool api_csrf_ok(mlv_req *req, const struct auth *a, const char *form_value)
{
	const char *h = mlv_req_header(req, "X-CSRF-Token");
	if (h != NULL && mlv_web_token_equal(h, a->csrf))
		return true;
	return form_value != NULL && mlv_web_token_equal(form_value, a->csrf);
}

int api_static(mlv_resp *resp, const char *name)
{
	const mlv_web_asset *asset = mlv_web_asset_find(name);
	if (asset == NULL) {
		mlv_http_problem(resp, 404, "not-found", NULL, "no such file", NULL);
		return 0;
	}
	resp->content_type = asset->type;
	int rc = mlv_buf_add(&resp->body, asset->data, asset->len);
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

int api_console_begin(mlv_buf *b, const struct auth *a, const char *title, const char *current)
{
	return api_console_begin_css(b, a, title, current, NULL);
}

int api_console_begin_css(mlv_buf *b, const struct auth *a, const char *title,
			  const char *current, const char *css)
{
	mlv_web_link nav[MLV_ARRAY_LEN(sections)];
	size_t n = 0;
	for (size_t i = 0; i < MLV_ARRAY_LEN(sections); i++)
		if (a == NULL || (sections[i].roles & a->role_bit) != 0)
			nav[n++] = (mlv_web_link){sections[i].href, sections[i].label};
	char full[160];
	snprintf(full, sizeof(full), "%s - Mainlevée console", title);
	mlv_web_page p = {
		.lang = "en",
		.title = full,
		.stylesheet = "/static/console.css",
		.stylesheet2 = css,
		.script = "/static/console.js",
		.brand = "Mainlevée console",
		.brand_href = "/console",
		.nav = a != NULL ? nav : NULL,
		.nnav = a != NULL ? n : 0,
		.current = current,
		.user = a != NULL ? (a->display[0] ? a->display : a->filer) : NULL,
		.role = a != NULL ? a->role : NULL,
		.csrf = a != NULL ? a->csrf : NULL,
		.logout_href = "/console/logout",
	};
	return mlv_web_page_begin(b, &p);
}

/* A whole short page: a heading and one paragraph. */
static int message_page(mlv_resp *resp, int status, const struct auth *a, const char *title,
			const char *text)
{
	resp->status = status;
	resp->content_type = "text/html; charset=utf-8";
	mlv_buf_reset(&resp->body);
	int rc = api_console_begin(&resp->body, a, title, NULL);
	if (rc == 0)
		rc = mlv_buf_adds(&resp->body, "<h1>");
	if (rc == 0)
		rc = mlv_html_escape(&resp->body, title);
	if (rc == 0)
		rc = mlv_buf_adds(&resp->body, "</h1>\n<p>");
	if (rc == 0)
		rc = mlv_html_escape(&resp->body, text);
	if (rc == 0)
		rc = mlv_buf_adds(&resp->body, "</p>\n");
	if (rc == 0)
		rc = mlv_web_page_end(&resp->body);
	return rc;
}

/* Only local paths of the console or portal are followed after sign-in. */
static bool safe_next(const char *next)
{
	if (strncmp(next, "/console", 8) != 0 && strncmp(next, "/portal", 7) != 0)
		return false;
	for (const char *p = next; *p; p++)
		if (*p == '\\' || *p == '"' || *p == '<' || (unsigned char)*p < 0x20 ||
		    (p[0] == '/' && p[1] == '/'))
			return false;
	return true;
}

bool api_console_person(mlv_server *s, mlv_req *req, mlv_resp *resp, unsigned roles,
			struct auth *a)
{
	memset(a, 0, sizeof(*a));
	if (!api_session(s, req, a)) {
		resp->status = 303;
		char next[100] = "";
		if (strlen(req->path) < 80 && safe_next(req->path))
			snprintf(next, sizeof(next), "?next=%s", req->path);
		snprintf(resp->location, sizeof(resp->location), "/console/login%s", next);
		resp->content_type = "text/html; charset=utf-8";
		(void)mlv_buf_adds(&resp->body, "<!DOCTYPE html><title>Sign in</title>"
						"<a href=\"/console/login\">Sign in</a>");
		return false;
	}
	/* the same per-person rate as the API (api_authenticate) */
	int wait = mlv_auth_rate_person(s->auth, a->user_id, mlv_now_ms());
	if (wait > 0) {
		(void)message_page(resp, 429, a, "Too many requests",
				   "You sent more requests than the server takes from one person. "
				   "Wait a moment and reload the page.");
		resp->retry_after = wait;
		return false;
	}
	if ((a->role_bit & roles) == 0) {
		(void)message_page(resp, 403, a, "Not for your role",
				   "This page is not open to your role. Ask an administrator if "
				   "you need it.");
		return false;
	}
	return true;
}

static int login_form(mlv_resp *resp, int status, const char *error, const char *username,
		      const char *next)
{
	resp->status = status;
	resp->content_type = "text/html; charset=utf-8";
	mlv_buf *b = &resp->body;
	mlv_buf_reset(b);
	int rc = api_console_begin(b, NULL, "Sign in", NULL);
	if (rc == 0)
		rc = mlv_buf_adds(b, "<section class=\"login\">\n<h1>Sign in</h1>\n");
	if (rc == 0 && error != NULL) {
		rc = mlv_buf_adds(b, "<p class=\"error\" role=\"alert\" id=\"login-error\">");
		if (rc == 0)
			rc = mlv_html_escape(b, error);
		if (rc == 0)
			rc = mlv_buf_adds(b, "</p>\n");
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, "<form method=\"post\" action=\"/console/login\">\n"
				     "<label for=\"username\">Username</label>\n"
				     "<input type=\"text\" id=\"username\" name=\"username\" "
				     "autocomplete=\"username\" required maxlength=\"64\" autofocus "
				     "value=\"");
	if (rc == 0)
		rc = mlv_html_escape(b, username != NULL ? username : "");
	if (rc == 0)
		rc = mlv_buf_adds(b, "\">\n<label for=\"password\">Password</label>\n"
				     "<input type=\"password\" id=\"password\" name=\"password\" "
				     "autocomplete=\"current-password\" required maxlength=\"1024\">\n"
				     "<input type=\"hidden\" name=\"next\" value=\"");
	if (rc == 0)
		rc = mlv_html_escape(b, next != NULL && safe_next(next) ? next : "/console");
	if (rc == 0)
		rc = mlv_buf_adds(b, "\">\n<p><button type=\"submit\">Sign in</button></p>\n"
				     "</form>\n</section>\n");
	if (rc == 0)
		rc = mlv_web_page_end(b);
	return rc;
}

int api_console_login_page(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	struct auth a;
	memset(&a, 0, sizeof(a));
	const char *next = mlv_req_query(req, "next");
	if (api_session(s, req, &a)) {
		resp->status = 303;
		snprintf(resp->location, sizeof(resp->location), "%s",
			 next != NULL && strlen(next) < 100 && safe_next(next) ? next : "/console");
		return 0;
	}
	int rc = login_form(resp, 200, NULL, NULL, next);
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

/* A cross-site form post names another origin; browsers send Origin. */
static bool same_origin(mlv_req *req)
{
	const char *origin = mlv_req_header(req, "Origin");
	const char *host = mlv_req_header(req, "Host");
	if (origin == NULL || strcmp(origin, "null") == 0)
		return origin == NULL;
	const char *p = strstr(origin, "://");
	return host != NULL && p != NULL && strcmp(p + 3, host) == 0;
}

int api_console_login(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	char username[65] = "", password[1025] = "", next[100] = "/console", addr[64],
	     userkey[80];
	const char *body = req->body.data != NULL ? req->body.data : "";
	int64_t now = (int64_t)time(NULL);
	int rc = 0;
	if (!same_origin(req)) {
		rc = login_form(resp, 403, "This sign-in came from another site.", NULL, NULL);
		goto out;
	}
	int fu = mlv_web_form_value(body, req->body.len, "username", username, sizeof(username));
	int fp = mlv_web_form_value(body, req->body.len, "password", password, sizeof(password));
	if (mlv_web_form_value(body, req->body.len, "next", next, sizeof(next)) != 0 ||
	    !safe_next(next))
		snprintf(next, sizeof(next), "/console");
	if (fu != 0 || fp != 0 || username[0] == '\0' || password[0] == '\0') {
		rc = login_form(resp, 400, "Give a username and a password.", username, next);
		goto out;
	}
	mlv_req_client_addr(req, addr, sizeof(addr));
	snprintf(userkey, sizeof(userkey), "user:%s", username);
	int wait = mlv_auth_locked(s->auth, addr, now);
	if (wait <= 0)
		wait = mlv_auth_locked(s->auth, userkey, now);
	if (wait > 0) {
		resp->retry_after = wait;
		rc = login_form(resp, 429,
				"Too many failed sign-ins. Wait a few minutes and try again.",
				username, next);
		goto out;
	}
	mlv_user u;
	mlv_store *st = api_reader_acquire(s);
	int check = mlv_store_user_check(st, username, password, &u);
	api_reader_release(s, st);
	if (check != 0) {
		mlv_auth_failed(s->auth, addr, now);
		mlv_auth_failed(s->auth, userkey, now);
		rc = login_form(resp, check == MLV_EUNAUTH ? 401 : 500,
				check == MLV_EUNAUTH ? "Wrong username or password."
						     : "The sign-in could not be checked; try again.",
				username, next);
		goto out;
	}
	char token[64], csrf[64];
	pthread_mutex_lock(&s->actions_lock);
	int open = mlv_store_session_open(s->actions, u.id, now, s->opts.session_s, token, csrf);
	pthread_mutex_unlock(&s->actions_lock);
	if (open != 0) {
		rc = login_form(resp, 500, "The session could not be opened; try again.", username,
				next);
		goto out;
	}
	snprintf(resp->set_cookie[0], sizeof(resp->set_cookie[0]),
		 SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%u%s", token,
		 s->opts.session_s, s->opts.secure_cookies ? "; Secure" : "");
	resp->status = 303;
	snprintf(resp->location, sizeof(resp->location), "%s", next);
	resp->content_type = "text/html; charset=utf-8";
	rc = mlv_buf_adds(&resp->body, "<!DOCTYPE html><title>Signed in</title>");
out:
	sodium_memzero(password, sizeof(password));
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}

int api_console_logout(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	struct auth a;
	memset(&a, 0, sizeof(a));
	char token[64], csrf[64] = "";
	const char *body = req->body.data != NULL ? req->body.data : "";
	if (api_session(s, req, &a)) {
		(void)mlv_web_form_value(body, req->body.len, "csrf", csrf, sizeof(csrf));
		if (!api_csrf_ok(req, &a, csrf)) {
			int rc = message_page(resp, 403, &a, "Not signed out",
					      "The request did not carry this session's token.");
			if (rc != 0)
				mlv_http_problem_err(resp, rc, NULL);
			return 0;
		}
		if (mlv_web_cookie(mlv_req_header(req, "Cookie"), SESSION_COOKIE, token,
				   sizeof(token))) {
			pthread_mutex_lock(&s->actions_lock);
			(void)mlv_store_session_close(s->actions, token);
			pthread_mutex_unlock(&s->actions_lock);
		}
	}
	snprintf(resp->set_cookie[0], sizeof(resp->set_cookie[0]),
		 SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
		 s->opts.secure_cookies ? "; Secure" : "");
	resp->status = 303;
	snprintf(resp->location, sizeof(resp->location), "/console/login");
	resp->content_type = "text/html; charset=utf-8";
	return 0;
}

int api_console_home(mlv_server *s, mlv_req *req, mlv_resp *resp)
{
	struct auth a;
	if (!api_console_person(s, req, resp, ~0u, &a))
		return 0;
	resp->content_type = "text/html; charset=utf-8";
	mlv_buf *b = &resp->body;
	int rc = api_console_begin(b, &a, "Home", "/console");
	if (rc == 0)
		rc = mlv_buf_adds(b, "<h1>Welcome, ");
	if (rc == 0)
		rc = mlv_html_escape(b, a.display[0] ? a.display : a.filer);
	if (rc == 0)
		rc = mlv_buf_adds(b, "</h1>\n<p>You are signed in as <strong id=\"whoami\">");
	if (rc == 0)
		rc = mlv_html_escape(b, a.filer);
	if (rc == 0)
		rc = mlv_buf_adds(b, "</strong> with the role <strong id=\"role\">");
	if (rc == 0)
		rc = mlv_html_escape(b, a.role);
	if (rc == 0)
		rc = mlv_buf_adds(b, "</strong>.</p>\n<ul class=\"sections\">\n");
	for (size_t i = 1; rc == 0 && i < MLV_ARRAY_LEN(sections); i++) {
		if ((sections[i].roles & a.role_bit) == 0)
			continue;
		rc = mlv_buf_adds(b, "<li><a href=\"");
		if (rc == 0)
			rc = mlv_html_escape(b, sections[i].href);
		if (rc == 0)
			rc = mlv_buf_adds(b, "\">");
		if (rc == 0)
			rc = mlv_html_escape(b, sections[i].label);
		if (rc == 0)
			rc = mlv_buf_adds(b, "</a></li>\n");
	}
	if (rc == 0)
		rc = mlv_buf_adds(b, "</ul>\n");
	if (rc == 0)
		rc = mlv_web_page_end(b);
	if (rc != 0)
		mlv_http_problem_err(resp, rc, NULL);
	return 0;
}
