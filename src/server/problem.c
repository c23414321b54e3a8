/* problem.c - problem details (RFC 9457) and status mapping. */
#include "problem.h"

#include <string.h>

#include "mlv/filing.h"

int mlv_http_status(int err)
{
	switch (err) {
	case MLV_OK:
		return 200;
	case MLV_EINVALID:
		return 422;
	case MLV_ENOTFOUND:
		return 404;
	case MLV_EEXISTS:
	case MLV_ECONFLICT:
		return 409;
	case MLV_EFORBIDDEN:
		return 403;
	case MLV_ETOOBIG:
		return 413;
	case MLV_EUNAUTH:
		return 401;
	case MLV_EBUSY:
		return 503;
	case MLV_ENOMEM:
	case MLV_EIO:
	default:
		return 500;
	}
}

static const char *title_of(int status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

void mlv_http_problem(mlv_resp *resp, int status, const char *slug, const char *title,
		 const char *detail, const mlv_problems *problems)
{
	mlv_buf *b = &resp->body;
	mlv_buf_reset(b);
	resp->status = status;
	resp->content_type = "application/problem+json";
	int rc = mlv_buf_printf(b, "{\"type\":\"urn:mainlevee:problem:%s\",\"title\":", slug);
	if (rc == 0)
		rc = mlv_buf_add_json_string(b, title ? title : title_of(status),
					     strlen(title ? title : title_of(status)));
	if (rc == 0)
		rc = mlv_buf_printf(b, ",\"status\":%d", status);
	if (rc == 0 && detail != NULL) {
		rc = mlv_buf_adds(b, ",\"detail\":");
		if (rc == 0)
			rc = mlv_buf_add_json_string(b, detail, strlen(detail));
	}
	if (rc == 0 && problems != NULL) {
		rc = mlv_buf_adds(b, ",\"errors\":");
		if (rc == 0)
			rc = mlv_problems_to_json(problems, b);
		if (rc == 0 && problems->dropped > 0)
			rc = mlv_buf_printf(b, ",\"errors_not_listed\":%zu", problems->dropped);
	}
	if (rc == 0)
		rc = mlv_buf_addc(b, '}');
	if (rc != 0) {
		mlv_buf_reset(b);
		resp->status = 500;
		mlv_buf_adds(b, "{\"type\":\"about:blank\",\"title\":\"Internal Server Error\","
				"\"status\":500}");
	}
}

void mlv_http_problem_err(mlv_resp *resp, int err, const char *detail)
{
	int status = mlv_http_status(err);
	const char *slug = "error";
	switch (status) {
	case 401: slug = "unauthorized"; break;
	case 404: slug = "not-found"; break;
	case 409: slug = "conflict"; break;
	case 413: slug = "too-large"; break;
	case 422: slug = "validation"; break;
	case 503: slug = "unavailable"; break;
	default: break;
	}
	mlv_http_problem(resp, status, slug, NULL, detail, NULL);
}
