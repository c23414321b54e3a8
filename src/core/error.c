/* error.c - names of the status codes (common.h). */
#include "mlv/common.h"

const char *mlv_strerror(int err)
{
	switch (err) {
	case MLV_OK: return "ok";
	case MLV_ENOMEM: return "out of memory";
	case MLV_EINVALID: return "invalid";
	case MLV_ENOTFOUND: return "not found";
	case MLV_EEXISTS: return "exists";
	case MLV_ECONFLICT: return "conflict";
	case MLV_EFORBIDDEN: return "forbidden";
	case MLV_ETOOBIG: return "too big";
	case MLV_EIO: return "input/output error";
	case MLV_EUNAUTH: return "unauthenticated";
	case MLV_EBUSY: return "busy";
	default: return "unknown error";
	}
}
