/* dataset.h - the regulated dataset of a consignment, as C types and as
 * one descriptive table.
 *
 * The dataset follows the WCO Cross-Border E-Commerce Framework of
 * Standards, Technical Specification 2.1.1, with the WCO Data Model and the
 * EU H7 low-value declaration as references.  The table (dataset.c) is the
 * single source of truth: it drives the JSON decoder and encoder (codec.c),
 * the required-element rules per declaration category, docs/dataset.md and
 * the schemas of docs/openapi.yaml, so none of them can drift apart.
 *
 * Invariants of the C types:
 *  - every object struct starts with `bool present`;
 *  - strings are NUL-terminated, borrowed from the consignment's arena, and
 *    NULL when absent;
 *  - enums hold 0 when absent, else 1 + the index into the field's values;
 *  - countries, currencies and HS codes are fixed char arrays, "" absent;
 *  - numbers are mlv_num (see common.h for their units). */
#ifndef MLV_DATASET_H
#define MLV_DATASET_H

#include "mlv/common.h"

/* ---- field types ------------------------------------------------------ */

typedef enum {
	MLV_F_STRING,   /* UTF-8 text, length bounds in bytes */
	MLV_F_ENUM,     /* one of a fixed list of lowercase words */
	MLV_F_DATE,     /* "YYYY-MM-DD" -> days since 1970-01-01 */
	MLV_F_DATETIME, /* RFC 3339 with offset -> seconds since epoch, UTC */
	MLV_F_COUNTRY,  /* ISO 3166-1 alpha-2 */
	MLV_F_CURRENCY, /* ISO 4217 alphabetic code */
	MLV_F_HSCODE,   /* 6 to 10 digits, first 6 an HS 2022 subheading */
	MLV_F_MONEY,    /* decimal string in the sibling currency's minor units */
	MLV_F_WEIGHT,   /* decimal string of kilograms -> grams */
	MLV_F_QUANTITY, /* decimal string -> thousandths */
	MLV_F_OBJECT,   /* nested object with its own schema */
	MLV_F_ARRAY,    /* array of objects with their own schema */
} mlv_ftype;

/* Formats a string field may be checked against. */
typedef enum {
	MLV_FMT_TEXT = 0, /* any printable text, no control characters */
	MLV_FMT_CODE,     /* A-Z a-z 0-9 and - _ . / : no spaces */
	MLV_FMT_EMAIL,
	MLV_FMT_PHONE,    /* E.164: '+' then 7 to 15 digits */
	MLV_FMT_GTIN,     /* 8, 12, 13 or 14 digits with a valid check digit */
} mlv_fmt;

/* Declaration categories of the WCO Immediate Release Guidelines. */
enum {
	MLV_CAT_DOCUMENTS = 1,
	MLV_CAT_LOW_VALUE_NON_DUTIABLE = 2,
	MLV_CAT_LOW_VALUE_DUTIABLE = 3,
	MLV_CAT_HIGH_VALUE = 4,
};
/* Bits of mlv_field.required: one per category. */
#define MLV_REQ(cat) (1u << ((cat) - 1))
#define MLV_REQ_DOC MLV_REQ(MLV_CAT_DOCUMENTS)
#define MLV_REQ_LVND MLV_REQ(MLV_CAT_LOW_VALUE_NON_DUTIABLE)
#define MLV_REQ_LVD MLV_REQ(MLV_CAT_LOW_VALUE_DUTIABLE)
#define MLV_REQ_HV MLV_REQ(MLV_CAT_HIGH_VALUE)
#define MLV_REQ_GOODS (MLV_REQ_LVND | MLV_REQ_LVD | MLV_REQ_HV)
#define MLV_REQ_ALL (MLV_REQ_DOC | MLV_REQ_GOODS)

/* Bits of mlv_field.party: who is best placed to supply the element. */
#define MLV_PARTY_PLATFORM 0x01u
#define MLV_PARTY_SELLER 0x02u
#define MLV_PARTY_CARRIER 0x04u
#define MLV_PARTY_POST 0x08u
#define MLV_PARTY_BROKER 0x10u
#define MLV_PARTY_PSP 0x20u

typedef struct mlv_schema mlv_schema;

typedef struct mlv_field {
	const char *json;   /* member name */
	mlv_ftype type;
	size_t offset;      /* of the value in the enclosing struct */
	uint32_t min, max;  /* string bytes or array elements; 0 = no min */
	unsigned required;  /* MLV_REQ_* bits */
	unsigned party;     /* MLV_PARTY_* bits */
	bool personal;      /* personal data (GDPR): minimised, purged */
	bool conditional;   /* required by a rule, not a category (original_lrn for
			     * returns): never counted for completeness */
	mlv_fmt fmt;        /* strings only */
	const char *const *values; /* enums: NULL-terminated */
	const char *currency;      /* money: name of the sibling currency */
	const mlv_schema *sub;     /* objects and arrays */
	size_t count_offset;       /* arrays: offset of the size_t count */
	const char *doc;           /* one sentence for the documentation */
	const char *example;       /* a JSON literal, or NULL */
} mlv_field;

struct mlv_schema {
	const char *name; /* for the documentation, e.g. "Item" */
	size_t size;      /* of the C struct */
	const mlv_field *fields;
	size_t nfields;
	const char *doc;
};

/* ---- the C types ------------------------------------------------------ */

typedef struct mlv_address {
	bool present;
	const char *street;
	const char *city;
	const char *postcode;
	const char *region;
	char country[3];
} mlv_address;

/* A person or business: seller, buyer. */
typedef struct mlv_party {
	bool present;
	const char *name;
	const char *identifier;
	uint8_t identifier_type;
	mlv_address address;
	const char *email;
	const char *phone;
} mlv_party;

/* A business that handles the consignment: platform, intermediary,
 * payment service provider, carrier. */
typedef struct mlv_business {
	bool present;
	const char *name;
	const char *identifier;
	uint8_t identifier_type;
	char country[3];
} mlv_business;

typedef struct mlv_transport {
	bool present;
	uint8_t mode;
	const char *master_document;
	const char *house_document;
	const char *tracking_number;
	mlv_business carrier;
	const char *conveyance_reference;
	char departure_country[3];
	const char *office_of_arrival;
	mlv_num expected_arrival;
} mlv_transport;

typedef struct mlv_payment {
	bool present;
	uint8_t method;
	const char *provider;
	const char *transaction_id;
	char currency[4];
	mlv_num amount;
} mlv_payment;

typedef struct mlv_transaction {
	bool present;
	const char *order_id;
	mlv_num order_date;
	uint8_t incoterm;
	char currency[4];
	mlv_num invoice_total;
	mlv_num shipping_cost;
	mlv_num insurance_cost;
	mlv_payment payment;
} mlv_transaction;

typedef struct mlv_tax_collected {
	bool present;
	uint8_t scheme;
	const char *registration_number;
	char currency[4];
	mlv_num amount;
} mlv_tax_collected;

typedef struct mlv_item {
	bool present;
	const char *description;
	char hs_code[11];
	mlv_num quantity;
	uint8_t unit;
	mlv_num net_weight;
	mlv_num gross_weight;
	char currency[4];
	mlv_num value;
	char origin_country[3];
	const char *gtin;
	const char *brand;
} mlv_item;

typedef struct mlv_document {
	bool present;
	uint8_t type;
	const char *reference;
	const char *issuer;
	mlv_num issue_date;
} mlv_document;

typedef struct mlv_consignment {
	bool present;
	const char *lrn;
	uint8_t declaration_type;
	uint8_t category;
	uint8_t business_model;
	uint8_t channel;
	const char *original_lrn;
	mlv_transport transport;
	mlv_party seller;
	mlv_party buyer;
	mlv_business platform;
	mlv_business intermediary;
	mlv_transaction transaction;
	mlv_tax_collected tax_collected;
	mlv_item *items;
	size_t item_count;
	mlv_document *documents;
	size_t document_count;
	mlv_num gross_weight;
} mlv_consignment;

/* Enum indexes (1-based, 0 = absent), in the order of the tables. */
enum { MLV_DECL_IMPORT = 1, MLV_DECL_EXPORT, MLV_DECL_RETURN };
enum { MLV_BM_DIRECT = 1, MLV_BM_BONDED_FC, MLV_BM_NON_BONDED_FC };
enum { MLV_CH_POST = 1, MLV_CH_EXPRESS, MLV_CH_COURIER, MLV_CH_FREIGHT };

/* Bounds of the whole document. */
#define MLV_MAX_ITEMS 999
#define MLV_MAX_DOCUMENTS 99
#define MLV_MAX_DEPTH 8
#define MLV_MAX_MEMBERS 64

/* The root schema: a consignment. */
extern const mlv_schema mlv_consignment_schema;

/* The enum word for index v (1-based) of field f, or NULL. */
const char *mlv_enum_name(const mlv_field *f, unsigned v);
/* Looks a field of schema s up by JSON name; NULL if none. */
const mlv_field *mlv_schema_field(const mlv_schema *s, const char *json);
/* The word of the consignment's category / type / channel, "" if unset. */
const char *mlv_category_name(unsigned cat);
const char *mlv_declaration_type_name(unsigned t);
const char *mlv_channel_name(unsigned ch);
const char *mlv_business_model_name(unsigned bm);
/* Index (1-based) of `word` among the values of a top-level enum field
 * named `json` of the consignment schema, or 0. */
unsigned mlv_enum_index(const char *json, const char *word);

#endif
