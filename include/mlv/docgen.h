/* docgen.h - documents written from the dataset table. */
#ifndef MLV_DOCGEN_H
#define MLV_DOCGEN_H

#include "mlv/buf.h"

/* docs/dataset.md */
int mlv_docgen_dataset(mlv_buf *out);
/* The components/schemas entries of docs/openapi.yaml (4-space indent). */
int mlv_docgen_openapi_schemas(mlv_buf *out);
/* docs/openapi.yaml: the template text (docs/openapi.in.yaml) with its
 * "# @generated-schemas" line replaced by the schemas.  MLV_EINVALID when
 * the template has no such line. */
int mlv_docgen_openapi(const char *template_text, size_t len, mlv_buf *out);

#endif
