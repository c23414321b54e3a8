/* dataset.c - the regulated dataset table (see dataset.h).
 *
 * One row per element.  Editing a row changes the decoder, the encoder,
 * the validation of required elements, docs/dataset.md and the schemas of
 * docs/openapi.yaml together ("make docs" regenerates the two files; a
 * test fails when they are stale). */
#include "mlv/dataset.h"

#include <stddef.h>
#include <string.h>

#define P_PLAT MLV_PARTY_PLATFORM
#define P_SELL MLV_PARTY_SELLER
#define P_CARR MLV_PARTY_CARRIER
#define P_POST MLV_PARTY_POST
#define P_BROK MLV_PARTY_BROKER
#define P_PSP MLV_PARTY_PSP
#define P_SHIP (P_CARR | P_POST)

#define FIELD(T, m, type_, req, party_, ...)                                  \
	{ .json = #m, .type = (type_), .offset = offsetof(T, m),              \
	  .required = (req), .party = (party_), __VA_ARGS__ }

/* ---- enum values ------------------------------------------------------ */

static const char *const declaration_types[] = {"import", "export", "return", NULL};
static const char *const categories[] = {"documents", "low_value_non_dutiable",
	"low_value_dutiable", "high_value", NULL};
static const char *const business_models[] = {"direct", "bonded_fulfilment_centre",
	"non_bonded_fulfilment_centre", NULL};
static const char *const channels[] = {"post", "express", "courier", "freight", NULL};
/* UN/ECE Recommendation 19 modes, in code order 1..8. */
static const char *const transport_modes[] = {"sea", "rail", "road", "air", "postal",
	"multimodal", "fixed_installation", "inland_waterway", NULL};
static const char *const identifier_types[] = {"eori", "vat", "tin", "ioss",
	"postal_operator", "duns", "national_id", "other", NULL};
static const char *const payment_methods[] = {"card", "bank_transfer", "wallet",
	"cash_on_delivery", "other", NULL};
/* Incoterms 2020. */
static const char *const incoterms[] = {"EXW", "FCA", "FAS", "FOB", "CFR", "CIF",
	"CPT", "CIP", "DAP", "DPU", "DDP", NULL};
static const char *const tax_schemes[] = {"ioss", "uk_vat", "au_gst", "nz_gst",
	"no_voec", "sg_ovr", "ch_vat", "ca_gst", "other", NULL};
static const char *const units[] = {"piece", "pair", "set", "kg", "g", "l", "ml",
	"m", "m2", "m3", NULL};
static const char *const document_types[] = {"invoice", "packing_list", "permit",
	"licence", "certificate_of_origin", "health_certificate", "cites_permit",
	"conformity_certificate", "other", NULL};

/* ---- address ---------------------------------------------------------- */

static const mlv_field address_fields[] = {
	FIELD(mlv_address, street, MLV_F_STRING, MLV_REQ_ALL, P_PLAT | P_SELL,
	      .min = 1, .max = 140, .personal = true,
	      .doc = "Street and number.", .example = "\"12 Rue de la Paix\""),
	FIELD(mlv_address, city, MLV_F_STRING, MLV_REQ_ALL, P_PLAT | P_SELL,
	      .min = 1, .max = 70, .personal = true,
	      .doc = "City or town.", .example = "\"Lyon\""),
	FIELD(mlv_address, postcode, MLV_F_STRING, MLV_REQ_ALL, P_PLAT | P_SELL,
	      .min = 1, .max = 17, .personal = true, .fmt = MLV_FMT_TEXT,
	      .doc = "Postal code.", .example = "\"69002\""),
	FIELD(mlv_address, region, MLV_F_STRING, 0, P_PLAT | P_SELL,
	      .min = 1, .max = 70, .personal = true,
	      .doc = "State, province or region.", .example = NULL),
	FIELD(mlv_address, country, MLV_F_COUNTRY, MLV_REQ_ALL, P_PLAT | P_SELL,
	      .doc = "Country, ISO 3166-1 alpha-2.", .example = "\"FR\""),
};
static const mlv_schema address_schema = {
	"Address", sizeof(mlv_address), address_fields, MLV_ARRAY_LEN(address_fields),
	"A postal address."};

/* ---- parties ---------------------------------------------------------- */

static const mlv_field party_fields[] = {
	FIELD(mlv_party, name, MLV_F_STRING, MLV_REQ_ALL, P_PLAT | P_SELL,
	      .min = 1, .max = 140, .personal = true,
	      .doc = "Name of the person or business.", .example = "\"Camille Martin\""),
	FIELD(mlv_party, identifier, MLV_F_STRING, MLV_REQ_HV, P_PLAT | P_SELL,
	      .min = 1, .max = 35, .personal = true, .fmt = MLV_FMT_CODE,
	      .doc = "Identifier such as an EORI, VAT or tax number.", .example = "\"FR12345678901\""),
	FIELD(mlv_party, identifier_type, MLV_F_ENUM, 0, P_PLAT | P_SELL,
	      .values = identifier_types,
	      .doc = "Kind of identifier.", .example = "\"eori\""),
	FIELD(mlv_party, address, MLV_F_OBJECT, MLV_REQ_ALL, P_PLAT | P_SELL,
	      .sub = &address_schema, .doc = "Postal address.", .example = NULL),
	FIELD(mlv_party, email, MLV_F_STRING, 0, P_PLAT | P_SELL,
	      .min = 3, .max = 254, .personal = true, .fmt = MLV_FMT_EMAIL,
	      .doc = "E-mail address.", .example = "\"camille@example.org\""),
	FIELD(mlv_party, phone, MLV_F_STRING, 0, P_PLAT | P_SELL,
	      .min = 8, .max = 16, .personal = true, .fmt = MLV_FMT_PHONE,
	      .doc = "Telephone number in E.164 form.", .example = "\"+33612345678\""),
};
static const mlv_schema party_schema = {
	"Party", sizeof(mlv_party), party_fields, MLV_ARRAY_LEN(party_fields),
	"A seller or buyer: a person or a business. Names, addresses and contacts are personal data."};

static const mlv_field business_fields[] = {
	FIELD(mlv_business, name, MLV_F_STRING, MLV_REQ_ALL, P_PLAT | P_CARR | P_POST,
	      .min = 1, .max = 140,
	      .doc = "Business name.", .example = "\"ExampleMarket Ltd\""),
	FIELD(mlv_business, identifier, MLV_F_STRING, 0, P_PLAT | P_CARR | P_POST,
	      .min = 1, .max = 35, .fmt = MLV_FMT_CODE,
	      .doc = "Identifier such as an EORI, IOSS or postal operator code.",
	      .example = "\"IE1234567X\""),
	FIELD(mlv_business, identifier_type, MLV_F_ENUM, 0, P_PLAT | P_CARR | P_POST,
	      .values = identifier_types, .doc = "Kind of identifier.", .example = "\"eori\""),
	FIELD(mlv_business, country, MLV_F_COUNTRY, 0, P_PLAT | P_CARR | P_POST,
	      .doc = "Country of establishment, ISO 3166-1 alpha-2.", .example = "\"IE\""),
};
static const mlv_schema business_schema = {
	"Business", sizeof(mlv_business), business_fields, MLV_ARRAY_LEN(business_fields),
	"A business that handles the consignment: platform, intermediary or carrier."};

/* ---- transport -------------------------------------------------------- */

static const mlv_field transport_fields[] = {
	FIELD(mlv_transport, mode, MLV_F_ENUM, MLV_REQ_ALL, P_SHIP,
	      .values = transport_modes,
	      .doc = "Mode of transport at the border (UN/ECE Recommendation 19).",
	      .example = "\"air\""),
	FIELD(mlv_transport, master_document, MLV_F_STRING, 0, P_CARR,
	      .min = 1, .max = 35, .fmt = MLV_FMT_CODE,
	      .doc = "Master transport document number (master air waybill, bill of lading).",
	      .example = "\"176-12345675\""),
	FIELD(mlv_transport, house_document, MLV_F_STRING, MLV_REQ_HV, P_CARR | P_BROK,
	      .min = 1, .max = 35, .fmt = MLV_FMT_CODE,
	      .doc = "House transport document number (house air waybill).",
	      .example = "\"HAWB0001234\""),
	FIELD(mlv_transport, tracking_number, MLV_F_STRING, MLV_REQ_ALL, P_SHIP,
	      .min = 1, .max = 35, .fmt = MLV_FMT_CODE,
	      .doc = "Parcel tracking number (S10 item identifier for posts).",
	      .example = "\"LX123456785CN\""),
	FIELD(mlv_transport, carrier, MLV_F_OBJECT, MLV_REQ_ALL, P_SHIP,
	      .sub = &business_schema, .doc = "The carrier or postal operator.", .example = NULL),
	FIELD(mlv_transport, conveyance_reference, MLV_F_STRING, 0, P_CARR,
	      .min = 1, .max = 35, .fmt = MLV_FMT_CODE,
	      .doc = "Flight, voyage or trip number.", .example = "\"CA933\""),
	FIELD(mlv_transport, departure_country, MLV_F_COUNTRY, MLV_REQ_ALL, P_SHIP,
	      .doc = "Country of departure of the means of transport.", .example = "\"CN\""),
	FIELD(mlv_transport, office_of_arrival, MLV_F_STRING, MLV_REQ_LVD | MLV_REQ_HV, P_SHIP,
	      .min = 2, .max = 17, .fmt = MLV_FMT_CODE,
	      .doc = "Customs office of first arrival (reference number).", .example = "\"FR000690\""),
	FIELD(mlv_transport, expected_arrival, MLV_F_DATETIME, MLV_REQ_ALL, P_SHIP,
	      .doc = "Expected time of arrival, RFC 3339 with offset.",
	      .example = "\"2026-12-01T08:30:00Z\""),
};
static const mlv_schema transport_schema = {
	"Transport", sizeof(mlv_transport), transport_fields, MLV_ARRAY_LEN(transport_fields),
	"How and when the consignment reaches the border."};

/* ---- transaction ------------------------------------------------------ */

static const mlv_field payment_fields[] = {
	FIELD(mlv_payment, method, MLV_F_ENUM, 0, P_PSP | P_PLAT,
	      .values = payment_methods, .doc = "Means of payment.", .example = "\"card\""),
	FIELD(mlv_payment, provider, MLV_F_STRING, 0, P_PSP | P_PLAT,
	      .min = 1, .max = 70, .doc = "Payment service provider.", .example = "\"ExamplePay\""),
	FIELD(mlv_payment, transaction_id, MLV_F_STRING, 0, P_PSP,
	      .min = 1, .max = 70, .fmt = MLV_FMT_CODE,
	      .doc = "The provider's transaction identifier.", .example = "\"PAY-8842-1177\""),
	FIELD(mlv_payment, currency, MLV_F_CURRENCY, 0, P_PSP,
	      .doc = "Currency of the amount paid, ISO 4217.", .example = "\"EUR\""),
	FIELD(mlv_payment, amount, MLV_F_MONEY, 0, P_PSP, .currency = "currency",
	      .doc = "Amount the buyer paid, shipping and insurance included.",
	      .example = "\"48.90\""),
};
static const mlv_schema payment_schema = {
	"Payment", sizeof(mlv_payment), payment_fields, MLV_ARRAY_LEN(payment_fields),
	"The buyer's payment, as the payment service provider knows it."};

static const mlv_field transaction_fields[] = {
	FIELD(mlv_transaction, order_id, MLV_F_STRING, MLV_REQ_GOODS, P_PLAT | P_SELL,
	      .min = 1, .max = 70, .fmt = MLV_FMT_CODE,
	      .doc = "Order number on the platform or shop.", .example = "\"ORD-2026-000123\""),
	FIELD(mlv_transaction, order_date, MLV_F_DATE, MLV_REQ_LVD | MLV_REQ_HV, P_PLAT | P_SELL,
	      .doc = "Date of the order.", .example = "\"2026-11-24\""),
	FIELD(mlv_transaction, incoterm, MLV_F_ENUM, MLV_REQ_HV, P_PLAT | P_SELL,
	      .values = incoterms, .doc = "Delivery terms (Incoterms 2020).", .example = "\"DDP\""),
	FIELD(mlv_transaction, currency, MLV_F_CURRENCY, MLV_REQ_GOODS, P_PLAT | P_SELL,
	      .doc = "Invoice currency, ISO 4217.", .example = "\"EUR\""),
	FIELD(mlv_transaction, invoice_total, MLV_F_MONEY, MLV_REQ_GOODS, P_PLAT | P_SELL,
	      .currency = "currency",
	      .doc = "Total price of the goods on the invoice, without shipping and insurance.",
	      .example = "\"42.00\""),
	FIELD(mlv_transaction, shipping_cost, MLV_F_MONEY, MLV_REQ_LVD | MLV_REQ_HV, P_PLAT | P_SELL,
	      .currency = "currency", .doc = "Transport cost charged to the buyer.",
	      .example = "\"6.90\""),
	FIELD(mlv_transaction, insurance_cost, MLV_F_MONEY, 0, P_PLAT | P_SELL,
	      .currency = "currency", .doc = "Insurance cost charged to the buyer.",
	      .example = "\"0.00\""),
	FIELD(mlv_transaction, payment, MLV_F_OBJECT, 0, P_PSP | P_PLAT,
	      .sub = &payment_schema, .doc = "The payment.", .example = NULL),
};
static const mlv_schema transaction_schema = {
	"Transaction", sizeof(mlv_transaction), transaction_fields,
	MLV_ARRAY_LEN(transaction_fields), "The sale behind the consignment."};

static const mlv_field tax_fields[] = {
	FIELD(mlv_tax_collected, scheme, MLV_F_ENUM, MLV_REQ_ALL, P_PLAT | P_SELL,
	      .values = tax_schemes,
	      .doc = "Point-of-sale tax scheme under which tax was collected (EU IOSS, UK, AU, NZ, NO VOEC, SG OVR ...).",
	      .example = "\"ioss\""),
	FIELD(mlv_tax_collected, registration_number, MLV_F_STRING, MLV_REQ_ALL, P_PLAT | P_SELL,
	      .min = 1, .max = 35, .fmt = MLV_FMT_CODE,
	      .doc = "Registration number in the scheme.", .example = "\"IM2500001234\""),
	FIELD(mlv_tax_collected, currency, MLV_F_CURRENCY, MLV_REQ_ALL, P_PLAT | P_SELL,
	      .doc = "Currency of the tax amount.", .example = "\"EUR\""),
	FIELD(mlv_tax_collected, amount, MLV_F_MONEY, MLV_REQ_ALL, P_PLAT | P_SELL,
	      .currency = "currency", .doc = "Tax collected at the time of sale.",
	      .example = "\"8.40\""),
};
static const mlv_schema tax_schema = {
	"TaxCollected", sizeof(mlv_tax_collected), tax_fields, MLV_ARRAY_LEN(tax_fields),
	"Tax collected at sale by a registered seller or platform."};

/* ---- items and documents ---------------------------------------------- */

static const mlv_field item_fields[] = {
	FIELD(mlv_item, description, MLV_F_STRING, MLV_REQ_ALL, P_PLAT | P_SELL,
	      .min = 3, .max = 512,
	      .doc = "Plain description precise enough to identify the goods.",
	      .example = "\"Wireless earphones with charging case\""),
	FIELD(mlv_item, hs_code, MLV_F_HSCODE, MLV_REQ_LVD | MLV_REQ_HV, P_PLAT | P_SELL | P_BROK,
	      .doc = "Harmonized System code, 6 to 10 digits, HS 2022.", .example = "\"851762\""),
	FIELD(mlv_item, quantity, MLV_F_QUANTITY, MLV_REQ_ALL, P_PLAT | P_SELL,
	      .doc = "Number of units, up to 3 decimals.", .example = "\"2\""),
	FIELD(mlv_item, unit, MLV_F_ENUM, 0, P_PLAT | P_SELL, .values = units,
	      .doc = "Unit of the quantity (default piece).", .example = "\"piece\""),
	FIELD(mlv_item, net_weight, MLV_F_WEIGHT, MLV_REQ_HV, P_PLAT | P_SELL,
	      .doc = "Net weight in kilograms, up to 3 decimals.", .example = "\"0.120\""),
	FIELD(mlv_item, gross_weight, MLV_F_WEIGHT, 0, P_PLAT | P_SELL | P_SHIP,
	      .doc = "Gross weight in kilograms, up to 3 decimals.", .example = "\"0.180\""),
	FIELD(mlv_item, currency, MLV_F_CURRENCY, MLV_REQ_GOODS, P_PLAT | P_SELL,
	      .doc = "Currency of the value, ISO 4217.", .example = "\"EUR\""),
	FIELD(mlv_item, value, MLV_F_MONEY, MLV_REQ_GOODS, P_PLAT | P_SELL,
	      .currency = "currency", .doc = "Price paid for this line (all units).",
	      .example = "\"42.00\""),
	FIELD(mlv_item, origin_country, MLV_F_COUNTRY, MLV_REQ_LVD | MLV_REQ_HV, P_PLAT | P_SELL,
	      .doc = "Country of origin of the goods, ISO 3166-1 alpha-2.", .example = "\"CN\""),
	FIELD(mlv_item, gtin, MLV_F_STRING, 0, P_PLAT | P_SELL,
	      .min = 8, .max = 14, .fmt = MLV_FMT_GTIN,
	      .doc = "Global Trade Item Number (GTIN-8, -12, -13 or -14).",
	      .example = "\"4006381333931\""),
	FIELD(mlv_item, brand, MLV_F_STRING, 0, P_PLAT | P_SELL,
	      .min = 1, .max = 70, .doc = "Brand name.", .example = "\"Example\""),
};
static const mlv_schema item_schema = {
	"Item", sizeof(mlv_item), item_fields, MLV_ARRAY_LEN(item_fields),
	"One goods line of the consignment."};

static const mlv_field document_fields[] = {
	FIELD(mlv_document, type, MLV_F_ENUM, MLV_REQ_ALL, P_PLAT | P_SELL | P_BROK,
	      .values = document_types, .doc = "Kind of document.", .example = "\"invoice\""),
	FIELD(mlv_document, reference, MLV_F_STRING, MLV_REQ_ALL, P_PLAT | P_SELL | P_BROK,
	      .min = 1, .max = 70, .doc = "Document number.", .example = "\"INV-2026-0042\""),
	FIELD(mlv_document, issuer, MLV_F_STRING, 0, P_PLAT | P_SELL | P_BROK,
	      .min = 1, .max = 140, .doc = "Who issued it.", .example = NULL),
	FIELD(mlv_document, issue_date, MLV_F_DATE, 0, P_PLAT | P_SELL | P_BROK,
	      .doc = "Date of issue.", .example = "\"2026-11-24\""),
};
static const mlv_schema document_schema = {
	"Document", sizeof(mlv_document), document_fields, MLV_ARRAY_LEN(document_fields),
	"A supporting document: invoice, permit, certificate."};

/* ---- the consignment -------------------------------------------------- */

static const mlv_field consignment_fields[] = {
	FIELD(mlv_consignment, lrn, MLV_F_STRING, MLV_REQ_ALL, P_PLAT | P_SHIP | P_BROK,
	      .min = 1, .max = 35, .fmt = MLV_FMT_CODE,
	      .doc = "Local reference number: the filer's own reference, unique per filer. Filing it again is idempotent or an amendment.",
	      .example = "\"LRN-2026-000001\""),
	FIELD(mlv_consignment, declaration_type, MLV_F_ENUM, MLV_REQ_ALL, P_PLAT | P_SHIP | P_BROK,
	      .values = declaration_types, .doc = "Import, export, or the return of goods.",
	      .example = "\"import\""),
	FIELD(mlv_consignment, category, MLV_F_ENUM, MLV_REQ_ALL, P_PLAT | P_SHIP | P_BROK,
	      .values = categories,
	      .doc = "Category of the WCO Immediate Release Guidelines; decides which elements are required.",
	      .example = "\"low_value_dutiable\""),
	FIELD(mlv_consignment, business_model, MLV_F_ENUM, MLV_REQ_GOODS, P_PLAT,
	      .values = business_models,
	      .doc = "Direct sale, or shipped from a bonded or non-bonded fulfilment centre.",
	      .example = "\"direct\""),
	FIELD(mlv_consignment, channel, MLV_F_ENUM, MLV_REQ_ALL, P_SHIP,
	      .values = channels, .doc = "Post, express, courier or freight.", .example = "\"post\""),
	FIELD(mlv_consignment, original_lrn, MLV_F_STRING, 0, P_PLAT | P_SHIP | P_BROK,
	      .min = 1, .max = 35, .fmt = MLV_FMT_CODE, .conditional = true,
	      .doc = "For a return: the LRN of the consignment whose goods come back (required then).",
	      .example = NULL),
	FIELD(mlv_consignment, transport, MLV_F_OBJECT, MLV_REQ_ALL, P_SHIP,
	      .sub = &transport_schema, .doc = "Transport.", .example = NULL),
	FIELD(mlv_consignment, seller, MLV_F_OBJECT, MLV_REQ_GOODS, P_PLAT | P_SELL,
	      .sub = &party_schema, .doc = "The seller (consignor).", .example = NULL),
	FIELD(mlv_consignment, buyer, MLV_F_OBJECT, MLV_REQ_ALL, P_PLAT | P_SELL | P_SHIP,
	      .sub = &party_schema, .doc = "The buyer (consignee).", .example = NULL),
	FIELD(mlv_consignment, platform, MLV_F_OBJECT, 0, P_PLAT,
	      .sub = &business_schema, .doc = "The e-commerce platform or marketplace, if any.",
	      .example = NULL),
	FIELD(mlv_consignment, intermediary, MLV_F_OBJECT, 0, P_BROK | P_SHIP,
	      .sub = &business_schema,
	      .doc = "The intermediary (broker, carrier or post) that declares and may pay for the buyer.",
	      .example = NULL),
	FIELD(mlv_consignment, transaction, MLV_F_OBJECT, MLV_REQ_GOODS, P_PLAT | P_SELL,
	      .sub = &transaction_schema, .doc = "The sale.", .example = NULL),
	FIELD(mlv_consignment, tax_collected, MLV_F_OBJECT, 0, P_PLAT | P_SELL,
	      .sub = &tax_schema, .doc = "Tax collected at sale, if any.", .example = NULL),
	{ .json = "items", .type = MLV_F_ARRAY, .offset = offsetof(mlv_consignment, items),
	  .count_offset = offsetof(mlv_consignment, item_count), .min = 1, .max = MLV_MAX_ITEMS,
	  .required = MLV_REQ_GOODS, .party = P_PLAT | P_SELL, .sub = &item_schema,
	  .doc = "The goods lines." },
	{ .json = "documents", .type = MLV_F_ARRAY, .offset = offsetof(mlv_consignment, documents),
	  .count_offset = offsetof(mlv_consignment, document_count), .min = 1,
	  .max = MLV_MAX_DOCUMENTS, .required = 0, .party = P_PLAT | P_SELL | P_BROK,
	  .sub = &document_schema, .doc = "Supporting documents." },
	FIELD(mlv_consignment, gross_weight, MLV_F_WEIGHT, MLV_REQ_HV, P_SHIP,
	      .doc = "Gross weight of the whole consignment in kilograms.", .example = "\"0.350\""),
};

const mlv_schema mlv_consignment_schema = {
	"Consignment", sizeof(mlv_consignment), consignment_fields,
	MLV_ARRAY_LEN(consignment_fields),
	"The advance electronic data of one e-commerce consignment (WCO FoS TS 2.1.1)."};

/* ---- look-ups ---------------------------------------------------------- */

const char *mlv_enum_name(const mlv_field *f, unsigned v)
{
	if (f->values == NULL || v == 0)
		return NULL;
	for (unsigned i = 0; f->values[i] != NULL; i++)
		if (i + 1 == v)
			return f->values[i];
	return NULL;
}

const mlv_field *mlv_schema_field(const mlv_schema *s, const char *json)
{
	for (size_t i = 0; i < s->nfields; i++)
		if (strcmp(s->fields[i].json, json) == 0)
			return &s->fields[i];
	return NULL;
}

static const char *top_enum(const char *json, unsigned v)
{
	const char *w = mlv_enum_name(mlv_schema_field(&mlv_consignment_schema, json), v);
	return w ? w : "";
}

const char *mlv_category_name(unsigned cat) { return top_enum("category", cat); }
const char *mlv_declaration_type_name(unsigned t) { return top_enum("declaration_type", t); }
const char *mlv_channel_name(unsigned ch) { return top_enum("channel", ch); }
const char *mlv_business_model_name(unsigned bm) { return top_enum("business_model", bm); }

unsigned mlv_enum_index(const char *json, const char *word)
{
	const mlv_field *f = mlv_schema_field(&mlv_consignment_schema, json);
	if (f == NULL || f->values == NULL || word == NULL)
		return 0;
	for (unsigned i = 0; f->values[i] != NULL; i++)
		if (strcmp(f->values[i], word) == 0)
			return i + 1;
	return 0;
}
