/* generate.c - realistic synthetic consignments (see generate.h).
 *
 * Owns the catalogue the generator draws from (products by HS subheading,
 * places, names, platforms, carriers, payment providers) and the state of
 * one generator.  Invariants:
 *  - everything random comes from one xoshiro256** stream seeded through
 *    splitmix64 from opts->seed; no libc rand, no clock, no floating point,
 *    so a seed and options give the same bytes on every machine (the
 *    reference data is the only other input);
 *  - money is int64 minor units from the first draw on: a unit price is
 *    drawn in euro cents, converted once with mlv_fx_convert, then only
 *    multiplied by the quantity and added, so every total is the exact sum
 *    of its parts;
 *  - the category follows the goods value converted to euros; amounts in
 *    other currencies keep 5 % away from the EUR 150 threshold, so that a
 *    rate of another day cannot flip it;
 *  - a record that does not fit the caller's buffer leaves the state as it
 *    was, so the caller may retry with a larger one;
 *  - the reference data is borrowed and must outlive the generator.
 *
 * Every name, business and brand here is fictional; e-mail addresses use
 * the reserved example.com/.net/.org domains. */
#include "mlv/generate.h"

#include "mlv/dataset.h"
#include "mlv/decimal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* ---- random numbers --------------------------------------------------- */

typedef struct rng {
	uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(rng *r, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** 1.0 (Blackman and Vigna). */
static uint64_t rng_next(rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Uniform in [0, n), n > 0 (Lemire's multiply-shift, unbiased). */
static uint32_t rng_below(rng *r, uint32_t n)
{
	assert(n > 0);
	uint64_t m = (rng_next(r) >> 32) * n;
	uint32_t low = (uint32_t)m;
	if (low < n) {
		uint32_t threshold = (0u - n) % n;
		while (low < threshold) {
			m = (rng_next(r) >> 32) * n;
			low = (uint32_t)m;
		}
	}
	return (uint32_t)(m >> 32);
}

/* Uniform in [lo, hi]; the span must fit 32 bits. */
static int64_t rng_int(rng *r, int64_t lo, int64_t hi)
{
	if (hi <= lo)
		return lo;
	assert(hi - lo < (int64_t)UINT32_MAX);
	return lo + rng_below(r, (uint32_t)(hi - lo + 1));
}

static bool rng_permille(rng *r, unsigned pm)
{
	return rng_below(r, 1000) < pm;
}

/* Index drawn from relative weights w[0..n). */
static unsigned rng_weighted(rng *r, const uint16_t *w, size_t n)
{
	uint32_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += w[i];
	assert(total > 0);
	uint32_t x = rng_below(r, total);
	for (size_t i = 0; i < n; i++) {
		if (x < w[i])
			return (unsigned)i;
		x -= w[i];
	}
	return (unsigned)(n - 1);
}

#define PICK(r, arr) ((arr)[rng_below((r), (uint32_t)MLV_ARRAY_LEN(arr))])

/* ---- bounded string building ------------------------------------------ */

typedef struct sbuf {
	char *p;
	size_t cap; /* bytes of p, NUL included */
	size_t len;
} sbuf;

static sbuf sb_make(char *p, size_t cap)
{
	sbuf b = {p, cap, 0};
	p[0] = '\0';
	return b;
}

/* Appends n bytes; what does not fit is cut at a UTF-8 character boundary
 * (the model's buffers are sized so that this does not happen). */
static void sb_put(sbuf *b, const char *s, size_t n)
{
	if (n > b->cap - 1 - b->len) {
		n = b->cap - 1 - b->len;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static void sb_putc(sbuf *b, char c)
{
	sb_put(b, &c, 1);
}

/* Decimal digits of v, zero-padded to at least `width`. */
static void sb_putu(sbuf *b, uint64_t v, int width)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[sizeof tmp - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0 && n < 20);
	while (n < width && n < 20)
		tmp[sizeof tmp - 1 - n++] = '0';
	sb_put(b, tmp + sizeof tmp - n, (size_t)n);
}

/* Patterns: '#' a digit, '@' a capital letter, '*' a letter or digit,
 * anything else itself; '|' separates alternatives, one is drawn.  The
 * letters avoid those that postcode and registry formats exclude. */
static const char pat_letters[] = "ABCEGHJKLNPRTVWXZ";
static const char pat_alnum[] = "ACDEFHKNPRTWXY0123456789";

static void pick_alt(rng *r, const char *list, const char **start, size_t *len)
{
	unsigned n = 1;
	for (const char *p = list; *p; p++)
		n += *p == '|';
	unsigned k = n > 1 ? rng_below(r, n) : 0;
	const char *s = list;
	while (k > 0) {
		if (*s++ == '|')
			k--;
	}
	const char *e = strchr(s, '|');
	*start = s;
	*len = e ? (size_t)(e - s) : strlen(s);
}

static void sb_pattern(sbuf *b, rng *r, const char *list)
{
	const char *s;
	size_t n;
	pick_alt(r, list, &s, &n);
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '#':
			sb_putc(b, (char)('0' + rng_below(r, 10)));
			break;
		case '@':
			sb_putc(b, pat_letters[rng_below(r, sizeof pat_letters - 1)]);
			break;
		case '*':
			sb_putc(b, pat_alnum[rng_below(r, sizeof pat_alnum - 1)]);
			break;
		default:
			sb_putc(b, s[i]);
		}
	}
}

/* ---- the catalogue: products ------------------------------------------ */

enum { U_PIECE, U_PAIR, U_SET };
static const char *const unit_names[] = {"piece", "pair", "set"};

/* Brand and GTIN habits of a kind of goods. */
enum {
	G_NONE, G_APPAREL, G_SHOES, G_BAGS, G_ELEC, G_COMPUTER, G_HOME, G_TOYS,
	G_BEAUTY, G_JEWEL, G_WATCH, G_SPORT, G_BOOK, G_COUNT
};

enum {
	F_ELEC = 1,  /* costly electronics: a misdescription hides them */
	F_CHEAP = 2, /* cheap everyday goods: a misdescription borrows their code */
};

typedef struct product {
	const char *hs;    /* HS 2022 subheading, or a heading (4 digits) */
	const char *title; /* a product title; {tokens} see expand() */
	int32_t lo, hi;    /* unit price, euro cents */
	int32_t wlo, whi;  /* net weight of one unit, grams */
	uint8_t unit;      /* U_* */
	uint8_t group;     /* G_* */
	uint8_t flags;     /* F_* */
	uint16_t freq;     /* relative frequency in ordinary traffic */
} product;

/* Chapters weighted as in e-commerce parcels: apparel and footwear,
 * electronics, toys and sports, cosmetics, jewellery, bags, home, books. */
static const product products[] = {
	/* apparel, chapters 61, 62, 65 */
	{"610910", "Men's cotton crew neck T-shirt, {color}, size {size}", 500, 2500, 150, 300, U_PIECE, G_APPAREL, F_CHEAP, 60},
	{"610910", "Women's oversized cotton graphic T-shirt, {color}, {size}", 600, 2200, 140, 260, U_PIECE, G_APPAREL, F_CHEAP, 50},
	{"610990", "Quick-dry polyester sports T-shirt, {color}, {size}", 500, 2000, 110, 200, U_PIECE, G_APPAREL, F_CHEAP, 25},
	{"611020", "Unisex cotton hoodie with kangaroo pocket, {color}, {size}", 1500, 4500, 400, 700, U_PIECE, G_APPAREL, 0, 35},
	{"611030", "Women's knitted acrylic cardigan, {color}, {size}", 1200, 3500, 300, 500, U_PIECE, G_APPAREL, 0, 20},
	{"610443", "Women's floral summer maxi dress, polyester, {size}", 1200, 3900, 200, 400, U_PIECE, G_APPAREL, 0, 35},
	{"610442", "Women's cotton jersey midi dress, {color}, {size}", 1500, 4000, 250, 400, U_PIECE, G_APPAREL, 0, 15},
	{"610463", "Women's high waist yoga leggings, {color}, {size}", 800, 2900, 180, 300, U_PIECE, G_APPAREL, 0, 35},
	{"611595", "Men's cotton crew socks, pack of {n} pairs", 500, 1500, 150, 400, U_SET, G_APPAREL, F_CHEAP, 25},
	{"610831", "Women's cotton pyjama set, {color}, {size}", 1200, 3000, 300, 500, U_SET, G_APPAREL, 0, 12},
	{"611241", "Women's one-piece swimsuit, {color}, {size}", 1000, 3500, 120, 250, U_PIECE, G_APPAREL, 0, 15},
	{"611120", "Baby cotton bodysuits 0-12 months, pack of {n}", 800, 2500, 150, 400, U_SET, G_APPAREL, 0, 15},
	{"611693", "Touchscreen knitted winter gloves, {color}", 500, 1500, 60, 120, U_PAIR, G_APPAREL, 0, 10},
	{"620140", "Men's hooded windbreaker jacket, water resistant, {color}, {size}", 2500, 8900, 400, 900, U_PIECE, G_APPAREL, 0, 15},
	{"620240", "Women's lightweight puffer jacket, {color}, {size}", 2500, 9900, 400, 800, U_PIECE, G_APPAREL, 0, 18},
	{"620342", "Men's slim fit stretch denim jeans, {color}, {size}", 2000, 6000, 500, 800, U_PIECE, G_APPAREL, 0, 25},
	{"620462", "Women's high rise wide leg cotton trousers, {color}, {size}", 1800, 4900, 350, 600, U_PIECE, G_APPAREL, 0, 15},
	{"620630", "Women's embroidered cotton blouse, {color}, {size}", 1200, 3500, 150, 250, U_PIECE, G_APPAREL, 0, 15},
	{"620520", "Men's long sleeve cotton Oxford shirt, {color}, {size}", 1500, 4500, 250, 350, U_PIECE, G_APPAREL, 0, 15},
	{"620443", "Women's chiffon evening dress, {color}, {size}", 2000, 8000, 300, 600, U_PIECE, G_APPAREL, 0, 12},
	{"621410", "Silk square scarf 70x70cm, floral print", 1000, 4500, 40, 80, U_PIECE, G_APPAREL, 0, 8},
	{"621420", "Wool blend winter scarf, {color}", 1200, 4000, 150, 300, U_PIECE, G_APPAREL, 0, 8},
	{"650500", "Knitted beanie hat with pom pom, {color}", 500, 1800, 80, 150, U_PIECE, G_APPAREL, F_CHEAP, 12},
	/* footwear, chapter 64 */
	{"640411", "Men's breathable running shoes, mesh upper, {shoe}", 2500, 8900, 500, 900, U_PAIR, G_SHOES, 0, 30},
	{"640411", "Women's knit slip-on sneakers, {color}, {shoe}", 1800, 5000, 400, 700, U_PAIR, G_SHOES, 0, 20},
	{"640299", "Unisex EVA garden clogs, {color}, {shoe}", 800, 2500, 250, 450, U_PAIR, G_SHOES, 0, 15},
	{"640220", "Women's flip-flop sandals, {color}, {shoe}", 500, 1800, 150, 300, U_PAIR, G_SHOES, F_CHEAP, 10},
	{"640391", "Men's leather Chelsea ankle boots, {shoe}", 4500, 14900, 900, 1400, U_PAIR, G_SHOES, 0, 10},
	{"640399", "Women's leather block heel pumps, {color}, {shoe}", 3500, 9900, 500, 800, U_PAIR, G_SHOES, 0, 8},
	/* bags, chapter 42 */
	{"420292", "Laptop backpack 15.6 inch with USB charging port, {color}", 1500, 4500, 600, 1100, U_PIECE, G_BAGS, 0, 25},
	{"420222", "Women's canvas tote bag, {color}", 800, 2500, 200, 400, U_PIECE, G_BAGS, F_CHEAP, 15},
	{"420221", "Women's genuine leather crossbody bag, {color}", 3500, 19900, 400, 800, U_PIECE, G_BAGS, 0, 12},
	{"420231", "Men's RFID blocking leather bifold wallet", 1000, 4000, 80, 150, U_PIECE, G_BAGS, 0, 15},
	{"420232", "Slim card holder wallet, PU leather, {color}", 500, 1500, 30, 60, U_PIECE, G_BAGS, F_CHEAP, 10},
	{"420212", "Hardshell carry-on suitcase 20 inch, {color}", 3500, 12000, 2500, 3500, U_PIECE, G_BAGS, 0, 6},
	/* electronics, chapter 85 (and drones, 88) */
	{"851830", "Wireless Bluetooth 5.3 earbuds with charging case, {color}", 1000, 6000, 50, 200, U_PIECE, G_ELEC, F_ELEC, 60},
	{"851830", "Over-ear noise cancelling headphones, foldable, {color}", 3000, 25000, 200, 350, U_PIECE, G_ELEC, F_ELEC, 15},
	{"851762", "Smartwatch 1.9 inch AMOLED, heart rate and sleep tracker", 2000, 15000, 40, 80, U_PIECE, G_ELEC, F_ELEC, 20},
	{"851762", "Dual band WiFi 6 router AX3000", 3000, 12000, 300, 600, U_PIECE, G_ELEC, 0, 6},
	{"851713", "Smartphone 6.7 inch AMOLED, {gb}, dual SIM, unlocked", 12000, 90000, 180, 230, U_PIECE, G_ELEC, F_ELEC, 12},
	{"850440", "USB-C fast charger {w} GaN, 2 ports", 800, 4500, 60, 200, U_PIECE, G_ELEC, 0, 30},
	{"854442", "Braided USB-C to USB-C cable 2m, 100W", 300, 1500, 40, 80, U_PIECE, G_ELEC, F_CHEAP, 30},
	{"851822", "Portable Bluetooth speaker, waterproof IPX7, {color}", 1500, 8000, 300, 800, U_PIECE, G_ELEC, 0, 15},
	{"852589", "4K action camera with waterproof case", 3000, 20000, 120, 300, U_PIECE, G_ELEC, F_ELEC, 6},
	{"852589", "1080p USB webcam with microphone", 1500, 5000, 100, 200, U_PIECE, G_ELEC, 0, 8},
	{"851631", "Ionic hair dryer 1800W with diffuser", 1500, 6000, 500, 800, U_PIECE, G_ELEC, 0, 10},
	{"851632", "Ceramic hair straightener, adjustable temperature", 1200, 5000, 300, 500, U_PIECE, G_ELEC, 0, 10},
	{"851010", "Electric rotary shaver, rechargeable, waterproof", 1500, 7000, 150, 350, U_PIECE, G_ELEC, 0, 8},
	{"853952", "E27 LED smart bulb, RGB, WiFi, pack of {n}", 800, 3000, 60, 300, U_SET, G_ELEC, 0, 10},
	{"940542", "LED strip lights 5m RGB with remote control", 800, 2500, 150, 350, U_PIECE, G_HOME, 0, 15},
	{"940521", "LED desk lamp with wireless charger, dimmable", 1500, 4500, 600, 1100, U_PIECE, G_HOME, 0, 10},
	{"851310", "Rechargeable LED flashlight, 2000 lumens", 800, 3000, 150, 300, U_PIECE, G_ELEC, 0, 10},
	{"851679", "Electric kettle 1.7L, stainless steel", 1500, 4500, 900, 1400, U_PIECE, G_HOME, 0, 8},
	{"851660", "Compact air fryer 4L, digital display", 4000, 12000, 3000, 4500, U_PIECE, G_HOME, 0, 5},
	{"852852", "27 inch IPS monitor 1440p 165Hz", 15000, 40000, 4000, 6000, U_PIECE, G_COMPUTER, F_ELEC, 4},
	{"880621", "Mini foldable camera drone under 249 g, 4K, GPS", 4000, 45000, 200, 249, U_PIECE, G_ELEC, F_ELEC, 5},
	{"950450", "Handheld retro game console, 3.5 inch screen", 3000, 12000, 200, 350, U_PIECE, G_ELEC, F_ELEC, 8},
	{"901910", "Deep tissue massage gun with 6 heads", 2500, 9000, 600, 1000, U_PIECE, G_ELEC, 0, 8},
	/* computers, chapter 84, and storage media */
	{"847130", "14 inch laptop, 16GB RAM, 512GB SSD", 25000, 120000, 1200, 1800, U_PIECE, G_COMPUTER, F_ELEC, 6},
	{"847130", "10.1 inch Android tablet, {gb}, WiFi", 8000, 30000, 450, 600, U_PIECE, G_COMPUTER, F_ELEC, 8},
	{"847160", "Wireless mechanical keyboard, RGB backlit", 2000, 9000, 600, 1000, U_PIECE, G_COMPUTER, 0, 12},
	{"847160", "Wireless ergonomic mouse, 2.4GHz, silent click", 600, 3000, 60, 120, U_PIECE, G_COMPUTER, 0, 20},
	{"852351", "MicroSD memory card {gb} with adapter", 500, 4000, 5, 15, U_PIECE, G_COMPUTER, 0, 15},
	{"852351", "USB 3.2 flash drive {gb}", 500, 3000, 10, 30, U_PIECE, G_COMPUTER, 0, 10},
	{"847170", "Portable SSD 1TB, USB-C", 5000, 15000, 40, 100, U_PIECE, G_COMPUTER, 0, 6},
	{"844332", "Portable thermal label printer, Bluetooth", 2500, 8000, 300, 600, U_PIECE, G_COMPUTER, 0, 4},
	/* toys, games and sports, chapter 95 */
	{"950300", "Building blocks set, 1200 pieces, city series", 1500, 7000, 500, 1500, U_SET, G_TOYS, 0, 18},
	{"950300", "Plush teddy bear 40cm, soft toy", 800, 2500, 200, 400, U_PIECE, G_TOYS, F_CHEAP, 15},
	{"950300", "Remote control stunt car 1:16, rechargeable", 1500, 5000, 500, 900, U_PIECE, G_TOYS, 0, 10},
	{"950300", "Fashion doll with accessories set", 1000, 3000, 250, 500, U_SET, G_TOYS, F_CHEAP, 10},
	{"950300", "3D wooden puzzle model kit", 800, 3000, 300, 700, U_SET, G_TOYS, 0, 8},
	{"950490", "Strategy board game, family edition", 1500, 5000, 700, 1500, U_SET, G_TOYS, 0, 6},
	{"950440", "Plastic coated playing cards, 2 decks", 300, 1200, 100, 250, U_SET, G_TOYS, F_CHEAP, 5},
	{"950510", "Christmas tree ornament set, 24 pieces", 800, 2500, 300, 700, U_SET, G_TOYS, 0, 5},
	{"950691", "Resistance bands set with handles, 5 pieces", 1000, 3000, 400, 800, U_SET, G_SPORT, 0, 12},
	{"950691", "Non-slip yoga mat 6mm with carry strap, {color}", 1200, 3500, 800, 1200, U_PIECE, G_SPORT, 0, 12},
	{"950699", "Badminton shuttlecocks, tube of 12", 600, 2000, 60, 120, U_SET, G_SPORT, 0, 6},
	{"950662", "Football size 5, match quality", 1000, 3500, 400, 450, U_PIECE, G_SPORT, 0, 8},
	{"950790", "Fishing lure set, 30 pieces with tackle box", 800, 2500, 200, 400, U_SET, G_SPORT, 0, 8},
	{"950651", "Carbon fibre tennis racket, strung", 3000, 12000, 280, 330, U_PIECE, G_SPORT, 0, 4},
	/* cosmetics, chapter 33, and brushes */
	{"330499", "Hyaluronic acid face serum 30ml", 500, 3500, 50, 90, U_PIECE, G_BEAUTY, 0, 20},
	{"330499", "Hydrating sheet face masks, pack of {n}", 500, 2000, 100, 300, U_SET, G_BEAUTY, 0, 15},
	{"330499", "Sunscreen SPF50+ 50ml, lightweight fluid", 600, 2500, 60, 90, U_PIECE, G_BEAUTY, 0, 10},
	{"330410", "Matte liquid lipstick set, 6 shades", 500, 2500, 60, 150, U_SET, G_BEAUTY, 0, 15},
	{"330420", "Waterproof volumizing mascara, black", 400, 1800, 20, 40, U_PIECE, G_BEAUTY, 0, 12},
	{"330430", "Gel nail polish set, 12 colours", 800, 3000, 200, 400, U_SET, G_BEAUTY, 0, 10},
	{"330300", "Eau de parfum 100ml, oriental floral", 1500, 12000, 300, 450, U_PIECE, G_BEAUTY, 0, 10},
	{"330510", "Argan oil shampoo 500ml", 500, 2000, 500, 600, U_PIECE, G_BEAUTY, 0, 6},
	{"330610", "Whitening toothpaste with charcoal, 2 tubes", 300, 1500, 200, 300, U_SET, G_BEAUTY, 0, 5},
	{"960329", "Makeup brush set, 14 pieces, vegan", 600, 2500, 150, 300, U_SET, G_BEAUTY, 0, 12},
	{"960321", "Bamboo toothbrushes, pack of {n}", 300, 1200, 50, 150, U_SET, G_BEAUTY, 0, 6},
	/* jewellery, chapter 71 */
	{"711719", "Stainless steel layered necklace, gold plated", 300, 2000, 10, 40, U_PIECE, G_JEWEL, F_CHEAP, 40},
	{"711719", "Hoop earrings, 18K gold plated brass", 300, 1800, 5, 20, U_PAIR, G_JEWEL, F_CHEAP, 25},
	{"711790", "Beaded bracelet set, natural stone look", 300, 1500, 20, 60, U_SET, G_JEWEL, F_CHEAP, 15},
	{"711311", "925 sterling silver ring with cubic zirconia", 1000, 6000, 3, 8, U_PIECE, G_JEWEL, 0, 20},
	{"711311", "925 sterling silver pendant necklace", 1500, 8000, 5, 15, U_PIECE, G_JEWEL, 0, 12},
	{"711319", "14K solid gold chain necklace 45cm", 15000, 90000, 3, 10, U_PIECE, G_JEWEL, 0, 5},
	{"711610", "Freshwater pearl stud earrings", 1500, 8000, 5, 15, U_PAIR, G_JEWEL, 0, 5},
	{"711620", "Amethyst crystal pendant on silver chain", 800, 4000, 10, 25, U_PIECE, G_JEWEL, 0, 4},
	/* watches, chapter 91 */
	{"910212", "Digital sports watch, LED display, 50m water resistant", 800, 4000, 40, 80, U_PIECE, G_WATCH, 0, 10},
	{"910211", "Men's quartz analogue wrist watch, stainless steel strap", 1500, 12000, 80, 180, U_PIECE, G_WATCH, 0, 15},
	{"910221", "Automatic mechanical watch, skeleton dial", 4000, 35000, 100, 200, U_PIECE, G_WATCH, 0, 6},
	{"910121", "Swiss made 18K gold automatic wristwatch", 150000, 600000, 80, 150, U_PIECE, G_WATCH, 0, 1},
	{"911390", "Silicone replacement watch band 22mm, {color}", 300, 1500, 15, 30, U_PIECE, G_WATCH, F_CHEAP, 10},
	/* home: chapters 94, 39, 73, 63, 69, 70, 82, 83, 66, 70 */
	{"940490", "Memory foam pillow, ergonomic, with cover", 1500, 4500, 900, 1500, U_PIECE, G_HOME, 0, 10},
	{"940490", "Lightweight summer quilt 200x200cm", 2500, 6000, 1200, 2000, U_PIECE, G_HOME, 0, 5},
	{"940360", "Solid wood bedside table with drawer", 4000, 15000, 6000, 12000, U_PIECE, G_HOME, 0, 3},
	{"940171", "Upholstered dining chair with metal legs, {color}", 4000, 12000, 4000, 7000, U_PIECE, G_HOME, 0, 3},
	{"392410", "Silicone kitchen utensil set, 12 pieces", 1000, 3500, 600, 1000, U_SET, G_HOME, 0, 12},
	{"392410", "Plastic food storage containers, set of {n}", 800, 3000, 500, 1200, U_SET, G_HOME, F_CHEAP, 10},
	{"392690", "Shockproof clear TPU phone case", 200, 1500, 20, 60, U_PIECE, G_ELEC, F_CHEAP, 45},
	{"392690", "Cable organiser clips, pack of {n}", 200, 800, 20, 80, U_SET, G_HOME, F_CHEAP, 10},
	{"700719", "Tempered glass screen protector, 2 pack", 200, 1200, 20, 60, U_SET, G_ELEC, F_CHEAP, 20},
	{"732393", "Stainless steel insulated water bottle 750ml, {color}", 800, 3500, 300, 500, U_PIECE, G_HOME, 0, 20},
	{"732393", "Stainless steel mixing bowls, set of {n}", 1000, 3500, 600, 1500, U_SET, G_HOME, 0, 5},
	{"732690", "Wall mounted metal shelf brackets, set of 4", 600, 2500, 300, 900, U_SET, G_HOME, 0, 5},
	{"630231", "Cotton bed linen set, double, {color}", 2000, 6000, 1200, 2000, U_SET, G_HOME, 0, 10},
	{"630260", "Cotton terry bath towel set, 4 pieces", 1500, 4500, 1200, 2000, U_SET, G_HOME, 0, 8},
	{"630391", "Blackout curtains, cotton, 140x260cm, 2 panels", 2000, 5000, 1500, 2500, U_SET, G_HOME, 0, 5},
	{"691110", "Porcelain dinnerware set, 16 pieces", 3000, 9000, 5000, 8000, U_SET, G_HOME, 0, 4},
	{"701337", "Drinking glasses, set of 6, 350ml", 1000, 3000, 1500, 2500, U_SET, G_HOME, 0, 5},
	{"821520", "Stainless steel cutlery set, 24 pieces", 1500, 5000, 1200, 2000, U_SET, G_HOME, 0, 5},
	{"830629", "Brass elephant figurine, home decor", 800, 3500, 200, 600, U_PIECE, G_HOME, 0, 5},
	{"820600", "Household tool set in carry case, 40 pieces", 2000, 6000, 1500, 3000, U_SET, G_HOME, 0, 6},
	{"660191", "Automatic folding umbrella, windproof, {color}", 800, 3000, 300, 500, U_PIECE, G_HOME, 0, 8},
	{"900410", "Polarised sunglasses UV400, {color} frame", 600, 4000, 20, 50, U_PIECE, G_APPAREL, 0, 20},
	{"900490", "Blue light blocking glasses", 500, 2500, 20, 40, U_PIECE, G_APPAREL, 0, 10},
	{"961511", "Hair claw clips, set of {n}", 300, 1200, 30, 100, U_SET, G_BEAUTY, F_CHEAP, 10},
	{"960810", "Gel ink ballpoint pens, pack of {n}", 300, 1200, 50, 200, U_SET, G_HOME, F_CHEAP, 8},
	{"482010", "A5 dotted notebook, hardcover", 500, 2000, 300, 450, U_PIECE, G_HOME, 0, 8},
	{"420100", "Reflective dog leash with padded handle", 600, 2500, 100, 250, U_PIECE, G_HOME, 0, 8},
	{"830230", "Car phone holder, dashboard mount", 500, 2500, 80, 200, U_PIECE, G_ELEC, 0, 12},
	{"851220", "LED car interior light kit", 800, 3000, 100, 300, U_SET, G_ELEC, 0, 6},
	{"851210", "Bicycle LED light set, USB rechargeable", 600, 2500, 80, 200, U_SET, G_SPORT, 0, 8},
	{"871495", "Gel padded bicycle saddle", 1000, 3000, 300, 500, U_PIECE, G_SPORT, 0, 5},
	{"210690", "Vitamin C gummies, 60 count", 800, 2500, 150, 300, U_PIECE, G_NONE, 0, 8},
	{"090210", "Chinese green tea, loose leaf 250g", 800, 4000, 250, 300, U_PIECE, G_NONE, 0, 5},
	{"970191", "Original oil painting on canvas 60x90cm", 15000, 80000, 1500, 3000, U_PIECE, G_NONE, 0, 2},
	/* books, chapter 49 */
	{"490199", "Paperback novel, English edition", 600, 1800, 250, 450, U_PIECE, G_BOOK, F_CHEAP, 20},
	{"490199", "Illustrated cookbook, hardcover", 1500, 4000, 800, 1300, U_PIECE, G_BOOK, 0, 8},
	{"490300", "Children's picture book, hardcover", 600, 2000, 300, 600, U_PIECE, G_BOOK, 0, 10},
	{"490199", "Manga volume, Japanese edition", 700, 1500, 150, 250, U_PIECE, G_BOOK, 0, 8},
};

/* Prohibited and restricted goods: counterfeits, dangerous goods in the
 * post, nicotine liquids, weapons, plants and seeds, medicines, CITES. */
static const product banned[] = {
	{"420221", "Replica designer handbag, 1:1 mirror quality, logo monogram", 2500, 6000, 600, 900, U_PIECE, G_NONE, 0, 10},
	{"910221", "AAA replica luxury automatic watch, sapphire glass", 3000, 9000, 120, 200, U_PIECE, G_NONE, 0, 10},
	{"640411", "Replica branded sneakers, top quality copy, {shoe}", 2500, 6000, 800, 1100, U_PAIR, G_NONE, 0, 8},
	{"850760", "Lithium-ion 18650 cells 3.7V 3000mAh, loose, pack of {n}", 800, 2500, 200, 500, U_SET, G_NONE, 0, 10},
	{"850760", "Power bank {mah}, lithium polymer battery", 1200, 4500, 180, 450, U_PIECE, G_ELEC, 0, 10},
	{"240412", "E-cigarette liquid 10ml, nicotine 20mg/ml, pack of {n}", 500, 2500, 100, 300, U_SET, G_NONE, 0, 10},
	{"821193", "Folding pocket knife with locking blade, 9cm", 800, 3500, 100, 200, U_PIECE, G_NONE, 0, 6},
	{"821193", "Butterfly knife, stainless steel blade", 800, 2500, 120, 200, U_PIECE, G_NONE, 0, 4},
	{"120991", "Heirloom tomato seeds, mixed varieties, 200 seeds", 200, 1000, 10, 30, U_SET, G_NONE, 0, 8},
	{"060290", "Live succulent plant cuttings, assorted, 10 pieces", 800, 2500, 200, 500, U_SET, G_NONE, 0, 6},
	{"300490", "Weight loss capsules, 60 count, fast acting", 1500, 4500, 60, 120, U_PIECE, G_NONE, 0, 8},
	{"300490", "Amoxicillin 500mg antibiotic tablets, 20 tablets", 800, 3000, 30, 60, U_PIECE, G_NONE, 0, 6},
	{"960110", "Hand carved ivory bangle, antique style", 5000, 14000, 50, 120, U_PIECE, G_NONE, 0, 3},
	{"420231", "Python skin wallet, genuine exotic leather", 3000, 9000, 100, 150, U_PIECE, G_NONE, 0, 4},
	{"930400", "Pepper spray for self defence, 60ml", 500, 2000, 80, 120, U_PIECE, G_NONE, 0, 5},
	{"901320", "High power green laser pointer 5000mW", 800, 3000, 100, 200, U_PIECE, G_NONE, 0, 5},
};

/* Fictional brands by kind of goods. */
static const char *const brands_apparel[] = {"Nordvik", "Lumea", "Urban Kite", "Solenne",
	"Marlowe & Co", "Kaizen Wear", "Brisa", "Tallow Lane"};
static const char *const brands_shoes[] = {"Stridely", "Korvo", "Pace Atelier", "Tundra Step"};
static const char *const brands_bags[] = {"Valigia Nova", "Arlo Leatherworks", "Packwise", "Mireille"};
static const char *const brands_elec[] = {"Zentro", "Audiva", "Voltix", "Lumio", "Qubit Labs",
	"Sonique", "Nexora", "Kestrelink"};
static const char *const brands_computer[] = {"Zentro", "Keyforge", "Datavault", "Nexora", "Bytewell"};
static const char *const brands_home[] = {"Casa Lumo", "Hyggeli", "Kitchenly", "Steelbrook", "Maison Ardoise"};
static const char *const brands_toys[] = {"Brickhaven", "Plushbury", "Tinker Fox", "Wonderjoy"};
static const char *const brands_beauty[] = {"Seoul Petal", "Glowmint", "Dewlab", "Kiyomi", "Aurelle"};
static const char *const brands_jewel[] = {"Lunaria", "Silverbird", "Aurum Lane", "Perla Viva"};
static const char *const brands_watch[] = {"Chronavis", "Tempora", "Ridgeline", "Meridio"};
static const char *const brands_sport[] = {"Velox", "Peakform", "Tidewater", "Summitcraft"};

static const char *const colors[] = {"Black", "White", "Navy", "Beige", "Red", "Pink", "Grey",
	"Olive", "Khaki", "Burgundy", "Sky Blue", "Lavender", "Mint Green", "Brown", "Camel"};
static const char *const sizes[] = {"XS", "S", "M", "L", "XL", "XXL"};
static const char *const storage[] = {"64GB", "128GB", "256GB", "512GB"};
static const char *const capacities[] = {"5000mAh", "10000mAh", "20000mAh", "26800mAh"};
static const char *const watts[] = {"20W", "33W", "45W", "65W", "100W"};

/* ---- the catalogue: countries ----------------------------------------- */

typedef struct place {
	const char *city;
	const char *region;    /* NULL: none given */
	const char *postcodes; /* patterns */
} place;

#define LIST(a) a, MLV_ARRAY_LEN(a)

/* What the generator knows of a country: buyers' names and addresses
 * when it is a destination, sellers and their posts when an origin. */
typedef struct kit {
	const char *cc;
	const char *const *first; size_t nfirst;
	const char *const *last; size_t nlast;
	const char *const *streets; size_t nstreets;    /* forms with {s} */
	const char *const *snames; size_t nsnames;      /* for {s} */
	const place *places; size_t nplaces;
	const char *phone;       /* pattern, E.164 */
	const char *offices;     /* customs offices of first arrival */
	const char *const *firms; size_t nfirms;        /* with {a} {b} {city} */
	const char *const *fa; size_t nfa;
	const char *const *fb; size_t nfb;
	const char *tin;         /* a seller's tax identifier, pattern */
	const char *tin_type;
	const char *gs1;         /* GS1 company prefixes, pattern */
	const char *post;        /* the (fictional) postal operator */
	const char *post_id;
} kit;

/* France */
static const char *const fr_first[] = {"Camille", "Léa", "Manon", "Chloé", "Inès", "Louise", "Jade",
	"Sarah", "Julie", "Élodie", "Noémie", "Hugo", "Lucas", "Louis", "Gabriel", "Arthur", "Jules",
	"Nathan", "Théo", "Thomas", "Nicolas", "Antoine", "Mathis", "Aurélien"};
static const char *const fr_last[] = {"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard",
	"Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David",
	"Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont",
	"Lambert", "Bonnet", "François", "Nguyen", "Benali"};
static const char *const fr_streets[] = {"{num} rue {s}", "{num} rue {s}", "{num} avenue {s}",
	"{num} boulevard {s}", "{num} bis rue {s}", "{num} allée {s}"};
static const char *const fr_snames[] = {"Victor Hugo", "Jean Jaurès", "de la République", "Pasteur",
	"Gambetta", "du Général de Gaulle", "des Lilas", "de la Paix", "Voltaire", "Carnot", "Émile Zola",
	"du Moulin", "des Écoles", "Jean Moulin", "de la Gare", "Saint-Michel"};
static const place fr_places[] = {
	{"Paris", NULL, "75001|75002|75003|75004|75005|75006|75007|75008|75009|75010|75011|75012|75013|75014|75015|75016|75017|75018|75019|75020"},
	{"Lyon", NULL, "69001|69002|69003|69004|69005|69006|69007|69008|69009"},
	{"Marseille", NULL, "13001|13002|13003|13004|13005|13006|13007|13008|13009|13010|13011|13012|13013|13014|13015|13016"},
	{"Toulouse", NULL, "31000|31100|31200|31300|31400|31500"},
	{"Nice", NULL, "06000|06100|06200|06300"},
	{"Nantes", NULL, "44000|44100|44200|44300"},
	{"Strasbourg", NULL, "67000|67100|67200"},
	{"Montpellier", NULL, "34000|34070|34080|34090"},
	{"Bordeaux", NULL, "33000|33100|33200|33300|33800"},
	{"Lille", NULL, "59000|59160|59260|59800"},
	{"Rennes", NULL, "35000|35200|35700"},
	{"Grenoble", NULL, "38000|38100"},
	{"Dijon", NULL, "21000"},
	{"Angers", NULL, "49000|49100"},
	{"Le Havre", NULL, "76600|76610|76620"},
	{"Saint-Étienne", NULL, "42000|42100"},
	{"Toulon", NULL, "83000|83100|83200"},
	{"Clermont-Ferrand", NULL, "63000|63100"},
};
/* Germany */
static const char *const de_first[] = {"Anna", "Lena", "Lea", "Hannah", "Marie", "Sophie", "Laura",
	"Julia", "Katrin", "Lukas", "Leon", "Finn", "Jonas", "Paul", "Felix", "Maximilian", "Jan",
	"Tobias", "Niklas", "Jürgen"};
static const char *const de_last[] = {"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer",
	"Wagner", "Becker", "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
	"Schröder", "Neumann", "Yılmaz", "Zimmermann"};
static const char *const de_streets[] = {"{s}straße {num}", "{s}straße {num}", "{s}weg {num}",
	"{s}allee {num}", "Am {s}platz {num}"};
static const char *const de_snames[] = {"Haupt", "Schiller", "Goethe", "Bahnhof", "Garten", "Linden",
	"Kirch", "Schul", "Berg", "Wald", "Rosen", "Mozart", "Friedrich-Ebert-"};
static const place de_places[] = {
	{"Berlin", NULL, "101##|102##|104##|106##|107##|109##|120##"},
	{"Hamburg", NULL, "200##|201##|220##|221##|225##"},
	{"München", NULL, "803##|804##|806##|807##|809##|813##"},
	{"Köln", NULL, "506##|507##|509##|511##"},
	{"Frankfurt am Main", NULL, "603##|604##|605##"},
	{"Stuttgart", NULL, "701##|703##"},
	{"Düsseldorf", NULL, "402##|404##|405##"},
	{"Leipzig", NULL, "041##|043##"},
	{"Dresden", NULL, "010##|011##"},
	{"Nürnberg", NULL, "904##"},
	{"Hannover", NULL, "301##|304##"},
	{"Bremen", NULL, "281##|283##"},
	{"Essen", NULL, "451##"},
	{"Dortmund", NULL, "441##"},
};
/* Italy */
static const char *const it_first[] = {"Giulia", "Sofia", "Aurora", "Alice", "Ginevra", "Francesca",
	"Chiara", "Martina", "Leonardo", "Francesco", "Alessandro", "Lorenzo", "Mattia", "Andrea",
	"Gabriele", "Matteo", "Luca", "Marco"};
static const char *const it_last[] = {"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano",
	"Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Costa",
	"Giordano", "Mancini", "Rizzo"};
static const char *const it_streets[] = {"Via {s} {num}", "Via {s} {num}", "Corso {s} {num}",
	"Piazza {s} {num}", "Viale {s} {num}"};
static const char *const it_snames[] = {"Roma", "Garibaldi", "Giuseppe Verdi", "Dante Alighieri",
	"Cavour", "Mazzini", "Vittorio Emanuele II", "della Repubblica", "Marconi", "XX Settembre",
	"Matteotti", "Manzoni"};
static const place it_places[] = {
	{"Roma", "RM", "001##"}, {"Milano", "MI", "201##"}, {"Napoli", "NA", "801##"},
	{"Torino", "TO", "101##"}, {"Palermo", "PA", "901##"}, {"Genova", "GE", "161##"},
	{"Bologna", "BO", "401##"}, {"Firenze", "FI", "501##"}, {"Bari", "BA", "701##"},
	{"Verona", "VR", "371##"},
};
/* Spain */
static const char *const es_first[] = {"Lucía", "Sofía", "Martina", "María", "Paula", "Julia",
	"Carmen", "Elena", "Hugo", "Martín", "Lucas", "Mateo", "Daniel", "Pablo", "Alejandro",
	"Javier", "Sergio", "Álvaro"};
static const char *const es_last[] = {"García", "Rodríguez", "González", "Fernández", "López",
	"Martínez", "Sánchez", "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz",
	"Moreno", "Muñoz", "Álvarez", "Romero"};
static const char *const es_streets[] = {"Calle {s}, {num}", "Calle {s}, {num}", "Avenida {s}, {num}",
	"Plaza {s}, {num}", "Paseo {s}, {num}"};
static const char *const es_snames[] = {"Mayor", "de Alcalá", "Gran Vía", "del Sol",
	"de la Constitución", "Real", "Nueva", "de Cervantes", "San Juan", "de Goya", "de Colón"};
static const place es_places[] = {
	{"Madrid", NULL, "280##"}, {"Barcelona", NULL, "080##"}, {"Valencia", NULL, "460##"},
	{"Sevilla", NULL, "410##"}, {"Zaragoza", NULL, "500##"}, {"Málaga", NULL, "290##"},
	{"Bilbao", NULL, "480##"}, {"Alicante", NULL, "030##"}, {"Murcia", NULL, "300##"},
	{"Palma", NULL, "070##"},
};
/* Netherlands */
static const char *const nl_first[] = {"Emma", "Julia", "Mila", "Sophie", "Tess", "Sara", "Anna",
	"Sanne", "Noah", "Daan", "Sem", "Lucas", "Levi", "Finn", "Jesse", "Bram", "Thijs", "Ruben"};
static const char *const nl_last[] = {"de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk",
	"Bakker", "Janssen", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos",
	"Peters", "Hendriks", "van Leeuwen"};
static const char *const nl_streets[] = {"{s}straat {num}", "{s}straat {num}", "{s}weg {num}",
	"{s}laan {num}", "{s}plein {num}"};
static const char *const nl_snames[] = {"Kerk", "Molen", "Dorps", "School", "Stations", "Juliana",
	"Beatrix", "Wilhelmina", "Linden", "Eiken", "Haven", "Prinsen"};
static const place nl_places[] = {
	{"Amsterdam", NULL, "10## @@"}, {"Rotterdam", NULL, "30## @@"}, {"Den Haag", NULL, "25## @@"},
	{"Utrecht", NULL, "35## @@"}, {"Eindhoven", NULL, "56## @@"}, {"Groningen", NULL, "97## @@"},
	{"Tilburg", NULL, "50## @@"}, {"Almere", NULL, "13## @@"},
};
/* Belgium */
static const char *const be_first[] = {"Emma", "Olivia", "Louise", "Mila", "Alice", "Juliette",
	"Elise", "Lotte", "Noah", "Arthur", "Louis", "Jules", "Adam", "Victor", "Lucas", "Liam"};
static const char *const be_last[] = {"Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems",
	"Claes", "Goossens", "Wouters", "De Smet", "Dubois", "Lambert", "Dupont", "Martin",
	"Leclercq", "Dumont"};
static const char *const be_streets[] = {"Rue {s} {num}", "Rue {s} {num}", "Avenue {s} {num}",
	"Chaussée {s} {num}"};
static const char *const be_snames[] = {"de la Station", "Royale", "du Moulin", "de l'Église",
	"Louise", "des Champs", "Neuve", "du Marché", "de Namur", "de la Loi"};
static const place be_places[] = {
	{"Bruxelles", NULL, "1000|1020|1030|1040|1050|1060|1070|1080"},
	{"Antwerpen", NULL, "2000|2018|2060|2100"}, {"Gent", NULL, "9000|9030|9040"},
	{"Liège", NULL, "4000|4020|4030"}, {"Charleroi", NULL, "6000|6001"}, {"Namur", NULL, "5000"},
	{"Brugge", NULL, "8000|8200"},
};
/* Austria */
static const char *const at_first[] = {"Anna", "Marie", "Emilia", "Laura", "Lena", "Hannah",
	"Sabine", "Paul", "Jakob", "David", "Maximilian", "Felix", "Elias", "Lukas", "Tobias", "Stefan"};
static const char *const at_last[] = {"Gruber", "Huber", "Bauer", "Wagner", "Müller", "Pichler",
	"Steiner", "Moser", "Mayer", "Hofer", "Leitner", "Berger", "Fuchs", "Eder", "Fischer", "Schmid"};
static const char *const at_streets[] = {"{s}gasse {num}", "{s}straße {num}", "{s}gasse {num}/{fl}",
	"{s}weg {num}"};
static const char *const at_snames[] = {"Haupt", "Kirchen", "Schul", "Mozart", "Linden", "Berg",
	"Bahnhof", "Wiener", "Markt", "Garten"};
static const place at_places[] = {
	{"Wien", NULL, "1010|1020|1030|1040|1050|1060|1070|1080|1090|1100|1120|1150|1200|1210|1220"},
	{"Graz", NULL, "8010|8020|8036"}, {"Linz", NULL, "4020|4030"}, {"Salzburg", NULL, "5020"},
	{"Innsbruck", NULL, "6020"}, {"Klagenfurt", NULL, "9020"},
};
/* Poland */
static const char *const pl_first[] = {"Zuzanna", "Julia", "Zofia", "Hanna", "Maja", "Lena",
	"Katarzyna", "Małgorzata", "Antoni", "Jan", "Aleksander", "Franciszek", "Nikodem", "Jakub",
	"Piotr", "Łukasz"};
static const char *const pl_last[] = {"Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk",
	"Kamiński", "Lewandowski", "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski",
	"Jankowski", "Mazur"};
static const char *const pl_streets[] = {"ul. {s} {num}", "ul. {s} {num}/{fl}", "al. {s} {num}"};
static const char *const pl_snames[] = {"Mickiewicza", "Słowackiego", "Kościuszki", "Długa",
	"Polna", "Lipowa", "Ogrodowa", "Krótka", "Szkolna", "Sienkiewicza"};
static const place pl_places[] = {
	{"Warszawa", NULL, "00-###|01-###|02-###|03-###"}, {"Kraków", NULL, "30-###|31-###"},
	{"Łódź", NULL, "90-###|91-###"}, {"Wrocław", NULL, "50-###|51-###"},
	{"Poznań", NULL, "60-###|61-###"}, {"Gdańsk", NULL, "80-###"},
	{"Szczecin", NULL, "70-###"}, {"Lublin", NULL, "20-###"},
};
/* Ireland */
static const char *const ie_first[] = {"Grace", "Emily", "Fiadh", "Sophie", "Ava", "Amelia",
	"Aoife", "Niamh", "Ciara", "Jack", "James", "Noah", "Conor", "Seán", "Darragh", "Cian"};
static const char *const ie_last[] = {"Murphy", "Kelly", "O'Sullivan", "Walsh", "Smith",
	"O'Brien", "Byrne", "Ryan", "O'Connor", "O'Neill", "Doyle", "McCarthy", "Gallagher",
	"Doherty", "Kennedy", "Lynch"};
static const char *const ie_streets[] = {"{num} {s} Road", "{num} {s} Street", "{num} {s} Avenue",
	"Apartment {fl}, {num} {s} Road"};
static const char *const ie_snames[] = {"Main", "Church", "Green", "Park", "Castle", "River",
	"Oak", "Abbey", "Mill", "Strand"};
static const place ie_places[] = {
	{"Dublin", NULL, "D02 *#**|D04 *#**|D06 *#**|D08 *#**|D12 *#**|D15 *#**"},
	{"Cork", NULL, "T12 *#**|T23 *#**"}, {"Galway", NULL, "H91 *#**"},
	{"Limerick", NULL, "V94 *#**"}, {"Waterford", NULL, "X91 *#**"},
};
/* Portugal */
static const char *const pt_first[] = {"Maria", "Leonor", "Matilde", "Beatriz", "Carolina", "Ana",
	"Inês", "Rita", "Francisco", "Afonso", "Tomás", "Duarte", "Santiago", "João", "Rodrigo",
	"Miguel"};
static const char *const pt_last[] = {"Silva", "Santos", "Ferreira", "Pereira", "Oliveira",
	"Costa", "Rodrigues", "Martins", "Jesus", "Sousa", "Fernandes", "Gonçalves", "Gomes", "Lopes",
	"Marques", "Alves"};
static const char *const pt_streets[] = {"Rua {s}, {num}", "Rua {s}, {num}, {fl}º", "Avenida {s}, {num}"};
static const char *const pt_snames[] = {"da Liberdade", "do Comércio", "de São João", "Augusta",
	"das Flores", "da República", "Dom Pedro V", "do Carmo"};
static const place pt_places[] = {
	{"Lisboa", NULL, "1000-###|1100-###|1200-###"}, {"Porto", NULL, "4000-###|4100-###"},
	{"Braga", NULL, "4700-###"}, {"Coimbra", NULL, "3000-###"}, {"Faro", NULL, "8000-###"},
	{"Funchal", NULL, "9000-###"},
};
/* Sweden */
static const char *const se_first[] = {"Alice", "Maja", "Elsa", "Astrid", "Wilma", "Freja",
	"Ebba", "Karin", "William", "Liam", "Noah", "Hugo", "Oscar", "Lucas", "Elias", "Erik"};
static const char *const se_last[] = {"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson",
	"Larsson", "Olsson", "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson",
	"Lindberg", "Lindqvist", "Berg", "Holm"};
static const char *const se_streets[] = {"{s}gatan {num}", "{s}gatan {num}", "{s}vägen {num}"};
static const char *const se_snames[] = {"Stor", "Kyrko", "Drottning", "Skol", "Björk", "Ny",
	"Lill", "Kungs"};
static const place se_places[] = {
	{"Stockholm", NULL, "111 ##|113 ##|114 ##|116 ##|117 ##"}, {"Göteborg", NULL, "411 ##|413 ##|416 ##"},
	{"Malmö", NULL, "211 ##|212 ##|214 ##"}, {"Uppsala", NULL, "752 ##|753 ##"},
	{"Västerås", NULL, "722 ##"}, {"Örebro", NULL, "702 ##"},
};
/* United Kingdom */
static const char *const gb_first[] = {"Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily",
	"Grace", "Charlotte", "Oliver", "George", "Harry", "Noah", "Jack", "Leo", "Arthur",
	"Muhammad", "Thomas"};
static const char *const gb_last[] = {"Smith", "Jones", "Williams", "Taylor", "Brown", "Davies",
	"Evans", "Wilson", "Thomas", "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker",
	"White", "Patel", "Khan"};
static const char *const gb_streets[] = {"{num} {s} Road", "{num} {s} Street", "{num} {s} Lane",
	"Flat {fl}, {num} {s} Road", "Unit {fl}, {s} Business Park"};
static const char *const gb_snames[] = {"High", "Church", "Station", "Victoria", "Park", "Queen's",
	"Kings", "Mill", "Manor", "Green", "Riverside", "Albert"};
static const place gb_places[] = {
	{"London", NULL, "SW1A #@@|E1 #@@|N1 #@@|SE1 #@@|W1T #@@|NW1 #@@|EC1V #@@"},
	{"Manchester", NULL, "M1 #@@|M4 #@@|M14 #@@"}, {"Birmingham", NULL, "B1 #@@|B5 #@@|B6 #@@"},
	{"Leeds", NULL, "LS1 #@@|LS6 #@@"}, {"Glasgow", NULL, "G1 #@@|G12 #@@"},
	{"Bristol", NULL, "BS1 #@@|BS8 #@@"}, {"Liverpool", NULL, "L1 #@@|L8 #@@"},
	{"Leicester", NULL, "LE1 #@@|LE4 #@@"}, {"Luton", NULL, "LU1 #@@|LU2 #@@"},
};
static const char *const gb_firms[] = {"{a} {b} Ltd", "{a} {b} Ltd", "{a} {b} Limited"};
static const char *const gb_fa[] = {"Kingsway", "Oakfield", "Thistle", "Bramble", "Hawthorne",
	"Riverside", "Ashdown", "Wexford"};
static const char *const gb_fb[] = {"Trading", "Retail", "Goods", "Emporium", "Supplies", "Direct"};
/* United States */
static const char *const us_first[] = {"Liam", "Olivia", "Noah", "Emma", "James", "Ava", "Mason",
	"Sophia", "Ethan", "Isabella", "Michael", "Mia", "Daniel", "Harper", "Jacob", "Evelyn"};
static const char *const us_last[] = {"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia",
	"Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson",
	"Thomas", "Taylor"};
static const char *const us_streets[] = {"{num}{fl} {s} Street", "{num}{fl} {s} Avenue",
	"{num}{fl} {s} Blvd, Suite {room}", "{num} {s} Drive"};
static const char *const us_snames[] = {"Commerce", "Main", "Oak", "Maple", "Industrial", "Pine",
	"Washington", "Lake", "Harbor", "Sunset"};
static const place us_places[] = {
	{"Los Angeles", "CA", "900##"}, {"New York", "NY", "100##"}, {"Newark", "NJ", "071##"},
	{"Chicago", "IL", "606##"}, {"Houston", "TX", "770##"}, {"Seattle", "WA", "981##"},
	{"Miami", "FL", "331##"}, {"Atlanta", "GA", "303##"}, {"Portland", "OR", "972##"},
};
static const char *const us_firms[] = {"{a} {b} LLC", "{a} {b} Inc.", "{a} {b} Co."};
static const char *const us_fa[] = {"Redwood", "Lakeshore", "Blue Ridge", "Summit", "Prairie",
	"Canyon", "Liberty", "Harbor", "Cedar Creek"};
static const char *const us_fb[] = {"Goods", "Outfitters", "Supply", "Trading", "Brands", "Commerce"};
/* China */
static const char *const cn_streets[] = {
	"Room {room}, Building {blk}, No. {num} {s} Road, {s} District",
	"No. {num} {s} Road, {s} Industrial Park",
	"{fl}F, Block {blk}, {s} Science Park, No. {num} {s} Avenue",
	"Unit {room}, {s} Plaza, No. {num} {s} Street"};
static const char *const cn_snames[] = {"Xinhua", "Jianshe", "Renmin", "Zhongshan", "Jiefang",
	"Wenhua", "Chuangye", "Keji", "Longhua", "Bantian", "Huaqiang", "Baiyun", "Futian", "Yinhu"};
static const place cn_places[] = {
	{"Shenzhen", "Guangdong", "518000|518031|518048|518057|518101|518129"},
	{"Guangzhou", "Guangdong", "510000|510180|510405|510623"},
	{"Dongguan", "Guangdong", "523000|523808|523850"},
	{"Yiwu", "Zhejiang", "322000|322001"}, {"Hangzhou", "Zhejiang", "310000|310012|310052"},
	{"Ningbo", "Zhejiang", "315000|315040"}, {"Shanghai", "Shanghai", "200000|200120|201100"},
	{"Xiamen", "Fujian", "361000|361006"}, {"Quanzhou", "Fujian", "362000"},
	{"Suzhou", "Jiangsu", "215000|215021"},
};
static const char *const cn_firms[] = {"{city} {a} {b} Co., Ltd.", "{city} {a} Trading Co., Ltd.",
	"{a} {b} Co., Ltd.", "{city} {a} Technology Co., Ltd."};
static const char *const cn_fa[] = {"Bright Star", "Golden Bridge", "Jiahe", "Huaxin", "Xinyue",
	"Sunrise", "Evergreen", "Tianyu", "Hengda", "Longfeng", "Ruixiang", "Kaida"};
static const char *const cn_fb[] = {"Technology", "E-commerce", "Import & Export", "Electronics",
	"Garments", "Crafts", "Supply Chain", "Industrial"};
/* Hong Kong */
static const char *const hk_streets[] = {
	"Unit {room}, {s} Industrial Centre, {num} Kwun Tong Road",
	"Flat {blk}, {fl}/F, {s} Building, {num} Nathan Road",
	"Room {room}, {s} Commercial Centre, {num} Hennessy Road"};
static const char *const hk_snames[] = {"Wing On", "Golden", "Harbour", "Kowloon Bay", "Sino",
	"Grand", "Fortune", "Tai Sang"};
static const place hk_places[] = {
	{"Kowloon", "Kowloon", "999077"}, {"Hong Kong", "Hong Kong Island", "999077"},
	{"Tsuen Wan", "New Territories", "999077"},
};
static const char *const hk_firms[] = {"{a} {b} Limited", "{a} Global (HK) Limited",
	"{a} {b} (Hong Kong) Co., Limited"};
static const char *const hk_fa[] = {"Wing Fat", "Golden Harbour", "Kam Lung", "Pacific Rim",
	"Everbright", "Fortune Sky", "Lucky Dragon"};
static const char *const hk_fb[] = {"Trading", "Enterprise", "International", "Technology"};
/* Türkiye */
static const char *const tr_streets[] = {"{s} Mah. {s} Cad. No:{num}", "{s} Mah. {s} Sok. No:{num} D:{fl}"};
static const char *const tr_snames[] = {"Atatürk", "Cumhuriyet", "İstiklal", "Fatih", "Yıldız",
	"Bahçelievler", "Merkez", "Gazi", "Mimar Sinan", "Barbaros"};
static const place tr_places[] = {
	{"İstanbul", NULL, "34###"}, {"Ankara", NULL, "06###"}, {"İzmir", NULL, "35###"},
	{"Bursa", NULL, "16###"}, {"Denizli", NULL, "20###"}, {"Gaziantep", NULL, "27###"},
};
static const char *const tr_firms[] = {"{a} {b} San. ve Tic. Ltd. Şti.", "{a} {b} A.Ş."};
static const char *const tr_fa[] = {"Yıldız", "Anadolu", "Marmara", "Ege", "Doğa", "Akdeniz",
	"Kartal", "Başak"};
static const char *const tr_fb[] = {"Tekstil", "Deri", "Kozmetik", "Ticaret", "Elektronik", "Ayakkabı"};
/* India */
static const char *const in_streets[] = {"Plot {num}, Sector {fl}, {s} Road",
	"{num}, {s} Nagar, {s} Road", "Shop {num}, {s} Market"};
static const char *const in_snames[] = {"MG", "Nehru", "Gandhi", "Patel", "Shivaji", "Ashok",
	"Rajaji", "Station", "Lajpat"};
static const place in_places[] = {
	{"Gurugram", "Haryana", "1220##"}, {"Mumbai", "Maharashtra", "4000##"},
	{"New Delhi", "Delhi", "1100##"}, {"Bengaluru", "Karnataka", "5600##"},
	{"Jaipur", "Rajasthan", "3020##"}, {"Surat", "Gujarat", "3950##"},
	{"Tiruppur", "Tamil Nadu", "6416##"}, {"Ludhiana", "Punjab", "1410##"},
};
static const char *const in_firms[] = {"{a} {b} Pvt Ltd", "{a} Exports", "{a} {b} LLP"};
static const char *const in_fa[] = {"Shree Ganesh", "Lakshmi", "Sai", "Krishna", "Ganga", "Royal",
	"Vedic", "Surya"};
static const char *const in_fb[] = {"Textiles", "Handicrafts", "Exports", "Jewels", "Enterprises", "Traders"};
/* Viet Nam */
static const char *const vn_streets[] = {"{num} {s} Street, Ward {fl}", "{num}/{fl} {s} Street"};
static const char *const vn_snames[] = {"Nguyen Trai", "Le Loi", "Tran Hung Dao", "Hai Ba Trung",
	"Nguyen Hue", "Ly Thuong Kiet", "Pham Van Dong"};
static const place vn_places[] = {
	{"Ho Chi Minh City", NULL, "700000"}, {"Hanoi", NULL, "100000"}, {"Da Nang", NULL, "550000"},
	{"Hai Phong", NULL, "180000"}, {"Bac Ninh", NULL, "790000"},
};
static const char *const vn_firms[] = {"{a} {b} Company Limited", "{a} {b} JSC"};
static const char *const vn_fa[] = {"Hoang Long", "Minh Phat", "Thanh Cong", "Viet Tien", "An Phu", "Phuc Loc"};
static const char *const vn_fb[] = {"Garment", "Trading", "Footwear", "Handicraft", "Import Export"};
/* Korea */
static const char *const kr_streets[] = {"{num} {s}-ro, {s}-gu", "{num}-{fl} {s}-gil, {s}-gu"};
static const char *const kr_snames[] = {"Teheran", "Gangnam", "Mapo", "Jongno", "Seocho", "Songpa",
	"Yeongdeungpo", "Haeundae"};
static const place kr_places[] = {
	{"Seoul", NULL, "06###|04###|03###|05###"}, {"Busan", NULL, "48###|47###"},
	{"Incheon", NULL, "21###|22###"}, {"Daegu", NULL, "41###|42###"},
};
static const char *const kr_firms[] = {"{a} {b} Co., Ltd.", "{a} Co., Ltd."};
static const char *const kr_fa[] = {"Hanbit", "Saebyeol", "Daon", "Mirae", "Haneul", "Noeul",
	"Jinju", "Bomnal"};
static const char *const kr_fb[] = {"Cosmetics", "Beauty", "Tech", "Fashion", "Trading"};
/* Japan */
static const char *const jp_streets[] = {"{fl}-{fl}-{fl} {s}, {s}-ku", "{s} {fl}-chome {fl}-{fl}"};
static const char *const jp_snames[] = {"Shibuya", "Shinjuku", "Umeda", "Sakae", "Tenjin",
	"Minato", "Nihonbashi", "Akihabara"};
static const place jp_places[] = {
	{"Tokyo", NULL, "1##-####"}, {"Osaka", NULL, "5##-####"}, {"Nagoya", NULL, "4##-####"},
	{"Fukuoka", NULL, "8##-####"}, {"Sapporo", NULL, "06#-####"},
};
static const char *const jp_firms[] = {"{a} {b} K.K.", "{a} {b} Co., Ltd."};
static const char *const jp_fa[] = {"Sakura", "Fujimoto", "Aozora", "Hinode", "Kawasemi",
	"Momiji", "Yamabuki"};
static const char *const jp_fb[] = {"Shoji", "Trading", "Hobby", "Craft", "Beauty", "Books"};
/* Taiwan */
static const char *const tw_streets[] = {"No. {num}, Sec. {fl}, {s} Rd.", "{fl}F, No. {num}, {s} Rd."};
static const char *const tw_snames[] = {"Zhongxiao E.", "Zhongshan N.", "Xinyi", "Minsheng E.",
	"Nanjing E.", "Heping E."};
static const place tw_places[] = {
	{"Taipei", NULL, "1##"}, {"New Taipei", NULL, "2##"}, {"Taichung", NULL, "4##"},
	{"Kaohsiung", NULL, "8##"},
};
static const char *const tw_firms[] = {"{a} {b} Co., Ltd."};
static const char *const tw_fa[] = {"Formosa", "Jade Mountain", "Sun Moon", "Yushan", "Tamsui"};
static const char *const tw_fb[] = {"Technology", "Electronics", "Trading", "Precision"};
/* Thailand */
static const char *const th_streets[] = {"{num}/{fl} Soi {s}, {s} Road"};
static const char *const th_snames[] = {"Sukhumvit", "Ratchada", "Silom", "Phahonyothin",
	"Rama IV", "Lat Phrao"};
static const place th_places[] = {
	{"Bangkok", NULL, "10###"}, {"Chiang Mai", NULL, "50###"}, {"Nonthaburi", NULL, "11000"},
};
static const char *const th_firms[] = {"{a} {b} Co., Ltd."};
static const char *const th_fa[] = {"Siam", "Chao Phraya", "Lanna", "Golden Elephant", "Ayutthaya"};
static const char *const th_fb[] = {"Trading", "Silk", "Cosmetics", "Crafts", "Supply"};
/* Any other destination */
static const char *const xx_streets[] = {"{num} Main Street", "{num} Market Street", "{num} Station Road"};
static const char *const xx_snames[] = {"Main"};
static const place xx_places[] = {
	{"Central District", NULL, "####|#####"}, {"Harbourside", NULL, "####|#####"},
	{"Old Town", NULL, "####|#####"},
};

#define NONAMES NULL, 0, NULL, 0
#define NOFIRMS NULL, 0, NULL, 0, NULL, 0
static const kit kits[] = {
	{"FR", LIST(fr_first), LIST(fr_last), LIST(fr_streets), LIST(fr_snames), LIST(fr_places),
	 "+336########|+337########", "FR000690|FR000700|FR004330|FR001260|FR006310",
	 NOFIRMS, NULL, NULL, "3##", NULL, NULL},
	{"DE", LIST(de_first), LIST(de_last), LIST(de_streets), LIST(de_snames), LIST(de_places),
	 "+49151########|+49160#######|+49176########", "DE002653|DE004851|DE002101|DE008201",
	 NOFIRMS, NULL, NULL, "4##", NULL, NULL},
	{"IT", LIST(it_first), LIST(it_last), LIST(it_streets), LIST(it_snames), LIST(it_places),
	 "+393#########", "IT077100|IT028100|IT018100", NOFIRMS, NULL, NULL, "80#", NULL, NULL},
	{"ES", LIST(es_first), LIST(es_last), LIST(es_streets), LIST(es_snames), LIST(es_places),
	 "+346########", "ES002801|ES000801|ES004601", NOFIRMS, NULL, NULL, "84#", NULL, NULL},
	{"NL", LIST(nl_first), LIST(nl_last), LIST(nl_streets), LIST(nl_snames), LIST(nl_places),
	 "+316########", "NL000396|NL000854|NL000565", NOFIRMS, NULL, NULL, "87#", NULL, NULL},
	{"BE", LIST(be_first), LIST(be_last), LIST(be_streets), LIST(be_snames), LIST(be_places),
	 "+324########", "BE101000|BE212000|BE310000", NOFIRMS, NULL, NULL, "54#", NULL, NULL},
	{"AT", LIST(at_first), LIST(at_last), LIST(at_streets), LIST(at_snames), LIST(at_places),
	 "+43664#######|+43676#######", "AT100000|AT320000", NOFIRMS, NULL, NULL, "90#", NULL, NULL},
	{"PL", LIST(pl_first), LIST(pl_last), LIST(pl_streets), LIST(pl_snames), LIST(pl_places),
	 "+485########|+486########|+487########", "PL301010|PL441010", NOFIRMS, NULL, NULL, "590",
	 NULL, NULL},
	{"IE", LIST(ie_first), LIST(ie_last), LIST(ie_streets), LIST(ie_snames), LIST(ie_places),
	 "+35383#######|+35385#######|+35387#######", "IE000016|IE000131", NOFIRMS, NULL, NULL,
	 "539", NULL, NULL},
	{"PT", LIST(pt_first), LIST(pt_last), LIST(pt_streets), LIST(pt_snames), LIST(pt_places),
	 "+3519########", "PT000190|PT000450", NOFIRMS, NULL, NULL, "560", NULL, NULL},
	{"SE", LIST(se_first), LIST(se_last), LIST(se_streets), LIST(se_snames), LIST(se_places),
	 "+467########", "SE000510|SE001040", NOFIRMS, NULL, NULL, "73#", NULL, NULL},
	{"GB", LIST(gb_first), LIST(gb_last), LIST(gb_streets), LIST(gb_snames), LIST(gb_places),
	 "+447#########", "GB000060|GB000219|GB000084", LIST(gb_firms), LIST(gb_fa), LIST(gb_fb),
	 "GB#########", "vat", "50#", "Albion Mailways", "UPU-GBA"},
	{"US", LIST(us_first), LIST(us_last), LIST(us_streets), LIST(us_snames), LIST(us_places),
	 "+1213#######|+1646#######|+1312#######", "US002720|US004701|US003901", LIST(us_firms),
	 LIST(us_fa), LIST(us_fb), "##-#######", "tin", "0##", "Liberty Parcel Post", "UPU-USA"},
	{"CN", NONAMES, LIST(cn_streets), LIST(cn_snames), LIST(cn_places),
	 "+86138########|+86139########|+86135########", NULL, LIST(cn_firms), LIST(cn_fa),
	 LIST(cn_fb), "91######**********", "tin", "69#", "Dragon Gate Post", "UPU-CNA"},
	{"HK", NONAMES, LIST(hk_streets), LIST(hk_snames), LIST(hk_places),
	 "+8529#######|+8526#######", NULL, LIST(hk_firms), LIST(hk_fa), LIST(hk_fb), "########",
	 "tin", "489", "Harbour Post", "UPU-HKA"},
	{"TR", NONAMES, LIST(tr_streets), LIST(tr_snames), LIST(tr_places), "+905#########", NULL,
	 LIST(tr_firms), LIST(tr_fa), LIST(tr_fb), "##########", "tin", "869", "Bosphorus Posta",
	 "UPU-TRA"},
	{"IN", NONAMES, LIST(in_streets), LIST(in_snames), LIST(in_places), "+919#########", NULL,
	 LIST(in_firms), LIST(in_fa), LIST(in_fb), "##@@@@@####@#Z*", "vat", "890",
	 "Ganges Mail Service", "UPU-INA"},
	{"VN", NONAMES, LIST(vn_streets), LIST(vn_snames), LIST(vn_places), "+849########", NULL,
	 LIST(vn_firms), LIST(vn_fa), LIST(vn_fb), "##########", "tin", "893", "Mekong Post",
	 "UPU-VNA"},
	{"KR", NONAMES, LIST(kr_streets), LIST(kr_snames), LIST(kr_places), "+8210########", NULL,
	 LIST(kr_firms), LIST(kr_fa), LIST(kr_fb), "###-##-#####", "tin", "880", "Han River Post",
	 "UPU-KRA"},
	{"JP", NONAMES, LIST(jp_streets), LIST(jp_snames), LIST(jp_places), "+8190########", NULL,
	 LIST(jp_firms), LIST(jp_fa), LIST(jp_fb), "T#############", "vat", "45#|49#",
	 "Sakura Yubin", "UPU-JPA"},
	{"TW", NONAMES, LIST(tw_streets), LIST(tw_snames), LIST(tw_places), "+8869########", NULL,
	 LIST(tw_firms), LIST(tw_fa), LIST(tw_fb), "########", "tin", "471", "Formosa Mail",
	 "UPU-TWA"},
	{"TH", NONAMES, LIST(th_streets), LIST(th_snames), LIST(th_places), "+668########", NULL,
	 LIST(th_firms), LIST(th_fa), LIST(th_fb), "#############", "tin", "885",
	 "Chao Phraya Post", "UPU-THA"},
};
/* Names and places for a destination the table does not know. */
static const kit kit_other = {
	"", LIST(gb_first), LIST(us_last), LIST(xx_streets), LIST(xx_snames), LIST(xx_places),
	NULL, NULL, NOFIRMS, NULL, NULL, "2##", NULL, NULL};

/* Where the goods of e-commerce parcels come from (per mille). */
static const struct {
	const char *cc;
	uint16_t freq;
} origins[] = {
	{"CN", 600}, {"HK", 80}, {"US", 80}, {"GB", 50}, {"TR", 50}, {"IN", 40},
	{"VN", 30}, {"KR", 30}, {"JP", 20}, {"TW", 10}, {"TH", 10},
};

/* EU member states and their standard VAT rates (per mille), for IOSS. */
static const struct {
	const char *cc;
	uint16_t vat;
} eu_vat[] = {
	{"AT", 200}, {"BE", 210}, {"BG", 200}, {"HR", 250}, {"CY", 190}, {"CZ", 210}, {"DK", 250},
	{"EE", 240}, {"FI", 255}, {"FR", 200}, {"DE", 190}, {"GR", 240}, {"HU", 270}, {"IE", 230},
	{"IT", 220}, {"LV", 210}, {"LT", 210}, {"LU", 170}, {"MT", 180}, {"NL", 210}, {"PL", 230},
	{"PT", 230}, {"RO", 210}, {"SK", 230}, {"SI", 220}, {"ES", 210}, {"SE", 250},
};

/* ---- the catalogue: businesses ---------------------------------------- */

typedef struct platform {
	const char *name;
	const char *cc;
	const char *ioss;  /* "" when not registered */
	const char *order; /* order number pattern */
	bool global;       /* sells goods from every origin */
} platform;

static const platform platforms[] = {
	{"Oriental Bazaar Ltd", "HK", "IM3720000417", "OB##########", true},
	{"Dragon Mall Marketplace Co., Ltd.", "CN", "IM5280001288", "DM#################", false},
	{"Atlantic Basket Inc.", "US", "IM4420000935", "###-#######-#######", true},
	{"Thames Emporium Ltd", "GB", "IM3720004221", "TE-########", false},
	{"Bosphorus Pazar A.S.", "TR", "IM2760001963", "BP##########", false},
	{"Lotus Cart Pvt Ltd", "IN", "", "LC#########", false},
	{"Saigon Street Market JSC", "VN", "", "SSM-########", false},
	{"Hanbit Shopping Co., Ltd.", "KR", "IM5280002114", "HB###########", false},
	{"Kumo Ichiba K.K.", "JP", "IM2500003358", "KI-########-#####", false},
	{"GlobeCart Europe S.a r.l.", "LU", "IM4420001506", "GC##########", true},
	{"Jade Lantern Shop Ltd", "CN", "IM3720005872", "JL##############", false},
};

typedef struct carrier {
	const char *name;
	const char *cc;       /* "" for the destination's own */
	const char *id;       /* "" when none */
	const char *id_type;
	const char *tracking; /* pattern */
} carrier;

static const carrier express_carriers[] = {
	{"SwiftWing Express", "US", "BE0401234567", "eori", "##########"},
	{"Polaris Air Express", "DE", "DE7352918", "eori", "############"},
	{"BlueArc Worldwide Express", "NL", "NL812345678", "eori", "1B******##########"},
	{"Meridian Express Logistics", "HK", "IE9876543X", "eori", "ME#########HK"},
};
static const carrier couriers[] = {
	{"Silk Route Logistics", "CN", "NL004417263", "eori", "YT################"},
	{"Red Lantern Parcel", "CN", "", "", "RLP##########CN"},
	{"Jade Line Express", "HK", "", "", "JL############"},
	{"Anatolia Kargo", "TR", "", "", "############"},
	{"Channel Hop Couriers", "GB", "GB123987456000", "eori", "CH##########GB"},
	{"Pacific Bridge Logistics", "US", "", "", "PBL##############"},
	{"Monsoon Courier", "IN", "", "", "MC##########IN"},
	{"Trans-Continental Parcel", "NL", "NL009182736", "eori", "TCP############"},
};
static const carrier last_mile[] = {
	{"Metro Parcel Services", "", "", "", "MPS############"},
	{"LastLeg Delivery", "", "", "", "LL##############"},
};

static const char *const brokers[] = {"Clearwise Customs Brokerage", "Douanix Services",
	"Portgate Customs Agents", "Borderline Forwarding"};

static const struct {
	const char *name;
	const char *method;
	const char *txid; /* pattern */
} payers[] = {
	{"PayLantern", "card", "PL-########-####"},
	{"NimbusPay", "wallet", "NP################"},
	{"Kestrel Payments", "card", "KP_************"},
	{"OrbitWallet", "wallet", "OW##########"},
	{"Meridian Card Services", "card", "MCS-#########"},
	{"Harbour Bank", "bank_transfer", "HB-##########"},
};

/* UPU S10 service indicators seen on e-commerce items. */
static const char *const s10_services[] = {"LX", "LY", "LZ", "LV", "LT", "RB", "RR", "RS",
	"UA", "UB", "UC", "CP", "CY"};
static const char *const airline_prefixes[] = {"160", "172", "176", "180", "297", "369", "618",
	"784", "999", "112", "057", "074"};
static const char *const flight_codes[] = {"CA", "CZ", "MU", "EK", "QR", "TK", "LH", "AF",
	"KL", "CX", "5X", "FX"};
static const char *const mail_domains[] = {"example.com", "example.net", "example.org"};

static const char *const category_names[] = {"", "documents", "low_value_non_dutiable",
	"low_value_dutiable", "high_value"};
static const char *const bm_names[] = {"", "direct", "bonded_fulfilment_centre",
	"non_bonded_fulfilment_centre"};
static const char *const channel_names[] = {"", "post", "express", "courier", "freight"};
enum { MODE_AIR, MODE_ROAD, MODE_RAIL };
static const char *const mode_names[] = {"air", "road", "rail"};

/* ---- the generator ----------------------------------------------------- */

#define MAX_LINES 5
#define EUR_THRESHOLD 15000 /* EUR 150.00, in cents */
#define HV_PERMILLE 80
#define DOCS_PERMILLE 10

/* Anomaly kinds in label order from MLV_ANOM_UNDERVALUED; a split emits
 * three records on average, so it is triggered a third as often. */
static const uint16_t anomaly_freq[] = {3, 1, 3, 3, 3};
/* The same without missing_data, for generators of valid records only. */
static const uint16_t anomaly_freq_valid[] = {3, 1, 3, 0, 3};
#define SPLIT_FREQ 1u
#define ANOMALY_FREQ_SUM 13u
#define ANOMALY_FREQ_SUM_VALID 10u

typedef struct split_ctx {
	unsigned left; /* records still to emit */
	unsigned part; /* 1-based number of the last one emitted */
	uint64_t buyer_seed, seller_seed;
	uint8_t origin;
	int8_t platform;
	uint16_t product;
	int32_t day;
	char order[48];
} split_ctx;

/* Everything next() changes: copied before a record, restored if it fails. */
typedef struct gstate {
	rng r;
	uint64_t seq;
	split_ctx split;
} gstate;

struct mlv_generator {
	const mlv_refdata *rd;
	bool valid_only; /* no missing_data anomaly */
	char dest[3];
	char cur[4];
	int cur_scale;
	char prefix[25];
	int32_t start_day;
	uint32_t trigger_ppm; /* chance that a fresh record starts an anomaly */
	unsigned vat_permille; /* 0 outside the EU: no IOSS */
	const kit *dk;         /* the destination's kit */
	char hs[MLV_ARRAY_LEN(products)][7];      /* resolved codes, "": unusable */
	char bhs[MLV_ARRAY_LEN(banned)][7];
	uint32_t cum[MLV_ARRAY_LEN(products)];    /* cumulative frequencies */
	uint32_t bcum[MLV_ARRAY_LEN(banned)];
	bool usd, cny, gbp;   /* invoice currencies the rates support */
	gstate st;
};

/* ---- the model of one record ------------------------------------------ */

/* Elements a missing_data anomaly may leave out, one bit each. */
enum { O_TOP, O_TR, O_SELLER, O_BUYER, O_TXN, O_ITEM, O_COUNT };
enum { T_BM = 1, T_GROSS = 2, T_SELLER = 4, T_TXN = 8, T_ITEMS = 16 };
enum { TR_MODE = 1, TR_TRACKING = 2, TR_DEP = 4, TR_OFFICE = 8, TR_ARRIVAL = 16, TR_HOUSE = 32,
	TR_CARRIER = 64 };
enum { PO_NAME = 1, PO_ID = 2, PO_STREET = 4, PO_CITY = 8, PO_POSTCODE = 16, PO_COUNTRY = 32 };
enum { X_ORDER_ID = 1, X_ORDER_DATE = 2, X_CURRENCY = 4, X_INVOICE = 8, X_SHIPPING = 16,
	X_INCOTERM = 32 };
enum { I_DESC = 1, I_HS = 2, I_QTY = 4, I_VALUE = 8, I_CURRENCY = 16, I_ORIGIN = 32, I_NET = 64 };

#define C_LVD MLV_REQ_LVD
#define C_HV MLV_REQ_HV
#define C_G (MLV_REQ_LVD | MLV_REQ_HV)
static const struct {
	uint8_t obj, bit;
	uint8_t cats; /* MLV_REQ_* of the categories that require it */
} omissible[] = {
	{O_TOP, T_BM, C_G}, {O_TOP, T_GROSS, C_HV}, {O_TOP, T_SELLER, C_G}, {O_TOP, T_TXN, C_G},
	{O_TOP, T_ITEMS, C_G},
	{O_TR, TR_MODE, C_G}, {O_TR, TR_TRACKING, C_G}, {O_TR, TR_DEP, C_G}, {O_TR, TR_OFFICE, C_G},
	{O_TR, TR_ARRIVAL, C_G}, {O_TR, TR_HOUSE, C_HV}, {O_TR, TR_CARRIER, C_G},
	{O_SELLER, PO_NAME, C_G}, {O_SELLER, PO_ID, C_HV}, {O_SELLER, PO_STREET, C_G},
	{O_SELLER, PO_COUNTRY, C_G},
	{O_BUYER, PO_NAME, C_G}, {O_BUYER, PO_ID, C_HV}, {O_BUYER, PO_STREET, C_G},
	{O_BUYER, PO_CITY, C_G}, {O_BUYER, PO_POSTCODE, C_G}, {O_BUYER, PO_COUNTRY, C_G},
	{O_TXN, X_ORDER_ID, C_G}, {O_TXN, X_ORDER_DATE, C_G}, {O_TXN, X_CURRENCY, C_G},
	{O_TXN, X_INVOICE, C_G}, {O_TXN, X_SHIPPING, C_G}, {O_TXN, X_INCOTERM, C_HV},
	{O_ITEM, I_DESC, C_G}, {O_ITEM, I_HS, C_G}, {O_ITEM, I_QTY, C_G}, {O_ITEM, I_VALUE, C_G},
	{O_ITEM, I_CURRENCY, C_G}, {O_ITEM, I_ORIGIN, C_G}, {O_ITEM, I_NET, C_HV},
};

typedef struct line {
	char desc[160];
	const char *hs;
	int64_t qty;
	uint8_t unit;
	bool unit_shown;
	int64_t net_g;    /* all units */
	bool net_shown;
	int64_t gross_g;  /* 0: not given */
	int64_t value;    /* all units, minor units of the invoice currency */
	char gtin[15];
	const char *brand;
} line;

typedef struct party {
	char name[128];
	char ident[40];
	const char *ident_type;
	char street[144];
	char city[72];
	char postcode[18];
	const char *region;
	char country[3];
	char email[112];
	char phone[20];
} party;

typedef struct business {
	const char *name;
	char ident[40];
	const char *ident_type;
	char country[3];
} business;

typedef struct model {
	char lrn[40];
	uint8_t category, bm, channel, mode;
	uint8_t omit[O_COUNT];
	char origin[3];
	/* transport */
	char master[36], house[36], tracking[36], conveyance[12];
	business carrier;
	char departure[3];
	char office[18];
	int32_t arrival_day;
	int arrival_min;
	/* parties */
	bool has_seller, has_platform, has_intermediary;
	party seller, buyer;
	business platform, intermediary;
	const char *platform_ioss;
	/* transaction */
	bool goods;
	char order_id[56];
	int32_t order_day;
	const char *incoterm;
	char cur[4];
	int scale;
	int64_t invoice, shipping, insurance;
	bool has_insurance;
	bool has_payment;
	const char *pay_method, *pay_provider;
	char pay_txid[48];
	int64_t pay_amount;
	bool has_tax;
	char tax_reg[20];
	int64_t tax_eur;
	line lines[MAX_LINES];
	unsigned nlines;
	bool has_invoice_doc;
	char doc_ref[32];
	int64_t gross_g; /* 0: not given */
} model;

/* ---- small helpers ------------------------------------------------------ */

const char *mlv_anomaly_name(mlv_anomaly a)
{
	switch (a) {
	case MLV_ANOM_NONE: return "none";
	case MLV_ANOM_UNDERVALUED: return "undervalued";
	case MLV_ANOM_SPLIT: return "split";
	case MLV_ANOM_PROHIBITED: return "prohibited";
	case MLV_ANOM_MISSING_DATA: return "missing_data";
	case MLV_ANOM_MISDESCRIBED: return "misdescribed";
	}
	return "unknown";
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	sbuf b = sb_make(dst, cap);
	sb_puts(&b, src);
}

static const kit *find_kit(const char *cc)
{
	for (size_t i = 0; i < MLV_ARRAY_LEN(kits); i++)
		if (strcmp(kits[i].cc, cc) == 0)
			return &kits[i];
	return NULL;
}

/* Expands the {tokens} of a title, address or firm name.  `ctx` gives the
 * lists behind {s} and {b}, the {city} and the firm's word {a}; NULL where
 * not needed. */
typedef struct expand_ctx {
	const kit *k;
	const char *city;
	const char *a;
} expand_ctx;

static void expand(sbuf *b, rng *r, const char *t, const expand_ctx *ctx)
{
	while (*t) {
		const char *open = strchr(t, '{');
		if (open == NULL) {
			sb_puts(b, t);
			return;
		}
		sb_put(b, t, (size_t)(open - t));
		const char *close = strchr(open, '}');
		assert(close != NULL);
		const char *tok = open + 1;
		size_t n = (size_t)(close - tok);
#define IS(s) (n == sizeof(s) - 1 && memcmp(tok, s, n) == 0)
		if (IS("color"))
			sb_puts(b, PICK(r, colors));
		else if (IS("size"))
			sb_puts(b, PICK(r, sizes));
		else if (IS("shoe")) {
			sb_puts(b, "EU ");
			sb_putu(b, (uint64_t)rng_int(r, 36, 46), 0);
		} else if (IS("gb"))
			sb_puts(b, PICK(r, storage));
		else if (IS("mah"))
			sb_puts(b, PICK(r, capacities));
		else if (IS("w"))
			sb_puts(b, PICK(r, watts));
		else if (IS("n"))
			sb_putu(b, (uint64_t)rng_int(r, 2, 10), 0);
		else if (IS("num"))
			sb_putu(b, (uint64_t)rng_int(r, 1, 180), 0);
		else if (IS("room"))
			sb_putu(b, (uint64_t)(rng_int(r, 1, 28) * 100 + rng_int(r, 1, 12)), 0);
		else if (IS("blk"))
			sb_putc(b, (char)('A' + rng_below(r, 8)));
		else if (IS("fl"))
			sb_putu(b, (uint64_t)rng_int(r, 1, 12), 0);
		else if (IS("s") && ctx && ctx->k)
			sb_puts(b, ctx->k->snames[rng_below(r, (uint32_t)ctx->k->nsnames)]);
		else if (IS("a") && ctx && ctx->a)
			sb_puts(b, ctx->a);
		else if (IS("b") && ctx && ctx->k)
			sb_puts(b, ctx->k->fb[rng_below(r, (uint32_t)ctx->k->nfb)]);
		else if (IS("city") && ctx && ctx->city)
			sb_puts(b, ctx->city);
		else
			sb_put(b, open, n + 2); /* unknown: kept, and a test sees it */
#undef IS
		t = close + 1;
	}
}

/* Lower-case ASCII for an e-mail local part: letters and digits kept,
 * common Latin accents folded, anything else dropped. */
static void sb_ascii_lower(sbuf *b, const char *s)
{
	/* U+00C0..U+00FF; '_' drops the character, 'e' at U+00C6/E6 is "ae". */
	static const char latin1[] = "aaaaaaeceeeeiiiidnooooo_ouuuuytsaaaaaaeceeeeiiiidnooooo_ouuuuyty";
	static const struct {
		uint16_t cp;
		char c;
	} ext[] = {
		{0x0105, 'a'}, {0x0107, 'c'}, {0x010D, 'c'}, {0x0119, 'e'}, {0x011F, 'g'}, {0x0130, 'i'},
		{0x0131, 'i'}, {0x0141, 'l'}, {0x0142, 'l'}, {0x0144, 'n'}, {0x0151, 'o'}, {0x0159, 'r'},
		{0x015A, 's'}, {0x015B, 's'}, {0x015E, 's'}, {0x015F, 's'}, {0x0161, 's'}, {0x0171, 'u'},
		{0x017A, 'z'}, {0x017B, 'z'}, {0x017C, 'z'}, {0x017E, 'z'},
	};
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned c = *p;
		if (c < 0x80) {
			if (c >= 'A' && c <= 'Z')
				sb_putc(b, (char)(c - 'A' + 'a'));
			else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
				sb_putc(b, (char)c);
			p++;
			continue;
		}
		if ((c & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
			unsigned cp = ((c & 0x1F) << 6) | (p[1] & 0x3F);
			if (cp == 0xDF)
				sb_puts(b, "ss");
			else if (cp == 0xC6 || cp == 0xE6)
				sb_puts(b, "ae");
			else if (cp >= 0xC0 && cp <= 0xFF && latin1[cp - 0xC0] != '_')
				sb_putc(b, latin1[cp - 0xC0]);
			else
				for (size_t i = 0; i < MLV_ARRAY_LEN(ext); i++)
					if (ext[i].cp == cp)
						sb_putc(b, ext[i].c);
			p += 2;
			continue;
		}
		p++;
		while ((*p & 0xC0) == 0x80)
			p++;
	}
}

/* GS1 check digit of the first n digits (GTIN-8/12/13/14, ISBN-13). */
static char gs1_check(const char *d, size_t n)
{
	unsigned sum = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned v = (unsigned)(d[n - 1 - i] - '0');
		sum += (i % 2 == 0) ? 3 * v : v;
	}
	return (char)('0' + (10 - sum % 10) % 10);
}

/* UPU S10 check digit of an 8-digit serial number. */
static char s10_check(const char *d)
{
	static const unsigned w[8] = {8, 6, 4, 2, 3, 5, 9, 7};
	unsigned sum = 0;
	for (int i = 0; i < 8; i++)
		sum += w[i] * (unsigned)(d[i] - '0');
	unsigned c = 11 - sum % 11;
	if (c == 10)
		c = 0;
	else if (c == 11)
		c = 5;
	return (char)('0' + c);
}

/* A price as shops write it: never above v, mostly ending .99, .90, .50
 * or .00 (in the currency's own minor units). */
static int64_t charm(rng *r, int64_t v, int scale)
{
	int64_t unit = mlv_pow10(scale);
	if (v <= unit)
		return v < 1 ? 1 : v;
	int64_t whole = v / unit * unit;
	unsigned k = rng_below(r, 100);
	int64_t out = v;
	if (k < 55)
		out = whole - (unit >= 100 ? unit / 100 : 1);
	else if (k < 70)
		out = whole - (unit >= 10 ? unit / 10 : 1);
	else if (k < 80 && whole + unit / 2 <= v)
		out = whole + unit / 2;
	else if (k < 92)
		out = whole;
	return out < 1 ? 1 : out;
}

/* A unit price in euro cents in [lo, hi], skewed towards lo as in real
 * catalogues (the minimum of two uniform draws). */
static int64_t draw_eur(rng *r, int64_t lo, int64_t hi)
{
	if (hi <= lo)
		return lo;
	int64_t a = rng_int(r, 0, 1000), b = rng_int(r, 0, 1000);
	return lo + (hi - lo) * (a < b ? a : b) / 1000;
}

static bool is_eur(const char *cur)
{
	return strcmp(cur, "EUR") == 0;
}

static int from_eur(const mlv_generator *g, int64_t eur, const char *cur, int32_t day, int64_t *out)
{
	if (is_eur(cur)) {
		*out = eur;
		return 0;
	}
	return mlv_fx_convert(g->rd, eur, "EUR", cur, day, out);
}

static int to_eur(const mlv_generator *g, int64_t v, const char *cur, int32_t day, int64_t *out)
{
	if (is_eur(cur)) {
		*out = v;
		return 0;
	}
	return mlv_fx_convert(g->rd, v, cur, "EUR", day, out);
}

/* The highest low-value total and the lowest high-value total, in euro
 * cents, for an invoice in `cur`: 5 % away from the threshold unless the
 * invoice is in euros. */
static int64_t lv_cap(const char *cur)
{
	return is_eur(cur) ? EUR_THRESHOLD : EUR_THRESHOLD * 95 / 100;
}

static int64_t hv_floor(const char *cur)
{
	return is_eur(cur) ? EUR_THRESHOLD + 1 : EUR_THRESHOLD * 105 / 100;
}

/* Index drawn from cumulative frequencies cum[0..n) (bisection). */
static unsigned pick_cum(rng *r, const uint32_t *cum, size_t n)
{
	uint32_t x = rng_below(r, cum[n - 1]);
	size_t lo = 0, hi = n - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return (unsigned)lo;
}

static unsigned pick_product(const mlv_generator *g, rng *r)
{
	return pick_cum(r, g->cum, MLV_ARRAY_LEN(products));
}

/* ---- lines -------------------------------------------------------------- */

static const char *const *brand_list(uint8_t group, size_t *n)
{
	switch (group) {
	case G_APPAREL: *n = MLV_ARRAY_LEN(brands_apparel); return brands_apparel;
	case G_SHOES: *n = MLV_ARRAY_LEN(brands_shoes); return brands_shoes;
	case G_BAGS: *n = MLV_ARRAY_LEN(brands_bags); return brands_bags;
	case G_ELEC: *n = MLV_ARRAY_LEN(brands_elec); return brands_elec;
	case G_COMPUTER: *n = MLV_ARRAY_LEN(brands_computer); return brands_computer;
	case G_HOME: *n = MLV_ARRAY_LEN(brands_home); return brands_home;
	case G_TOYS: *n = MLV_ARRAY_LEN(brands_toys); return brands_toys;
	case G_BEAUTY: *n = MLV_ARRAY_LEN(brands_beauty); return brands_beauty;
	case G_JEWEL: *n = MLV_ARRAY_LEN(brands_jewel); return brands_jewel;
	case G_WATCH: *n = MLV_ARRAY_LEN(brands_watch); return brands_watch;
	case G_SPORT: *n = MLV_ARRAY_LEN(brands_sport); return brands_sport;
	default: *n = 0; return NULL;
	}
}

static void make_gtin(rng *r, char out[15], const kit *ok, bool book)
{
	sbuf b = sb_make(out, 15);
	if (book)
		sb_puts(&b, rng_permille(r, 900) ? "978" : "979");
	else
		sb_pattern(&b, r, ok && ok->gs1 ? ok->gs1 : "6##");
	while (b.len < 12)
		sb_putc(&b, (char)('0' + rng_below(r, 10)));
	sb_putc(&b, gs1_check(out, 12));
}

/* Appends a goods line of product p (code hs) priced unit_eur euro cents a
 * unit, in the invoice currency of m. */
static int add_line(mlv_generator *g, model *m, const product *p, const char *hs, int64_t qty,
		    int64_t unit_eur)
{
	rng *r = &g->st.r;
	assert(m->nlines < MAX_LINES);
	line *l = &m->lines[m->nlines++];
	memset(l, 0, sizeof *l);
	sbuf d = sb_make(l->desc, sizeof l->desc);
	expand(&d, r, p->title, NULL);
	l->hs = hs;
	l->qty = qty;
	l->unit = p->unit;
	l->unit_shown = p->unit != U_PIECE || rng_permille(r, 500);
	int64_t unit_price;
	int rc = from_eur(g, unit_eur, m->cur, m->order_day, &unit_price);
	if (rc < 0)
		return rc;
	unit_price = charm(r, unit_price, m->scale);
	l->value = unit_price * qty;
	l->net_g = rng_int(r, p->wlo, p->whi) * qty;
	l->net_shown = rng_permille(r, 600);
	if (rng_permille(r, 400))
		l->gross_g = l->net_g * rng_int(r, 105, 125) / 100 + rng_int(r, 5, 40);
	size_t nb;
	const char *const *bl = brand_list(p->group, &nb);
	if (bl != NULL && rng_permille(r, 400))
		l->brand = bl[rng_below(r, (uint32_t)nb)];
	bool book = p->group == G_BOOK;
	if (rng_permille(r, book ? 700 : p->group == G_NONE ? 0 : 300))
		make_gtin(r, l->gtin, find_kit(m->origin), book);
	return 0;
}

static int64_t draw_qty(rng *r)
{
	static const uint16_t w[] = {700, 180, 70, 30, 20};
	return (int64_t)rng_weighted(r, w, MLV_ARRAY_LEN(w)) + 1;
}

static int invoice_eur(const mlv_generator *g, const model *m, int64_t *out)
{
	int64_t sum = 0;
	for (unsigned i = 0; i < m->nlines; i++)
		sum += m->lines[i].value;
	return to_eur(g, sum, m->cur, m->order_day, out);
}

static int add_product(mlv_generator *g, model *m, unsigned pi, int64_t qty, int64_t unit_eur)
{
	return add_line(g, m, &products[pi], g->hs[pi], qty, unit_eur);
}

/* Ordinary goods, appended to the lines there are, until the invoice is
 * worth at most `cap` euro cents. */
static int lines_low(mlv_generator *g, model *m, unsigned max_lines, int64_t cap)
{
	static const uint16_t nl[] = {720, 180, 70, 30};
	rng *r = &g->st.r;
	int64_t eur;
	int rc;
	unsigned base = m->nlines;
	for (int attempt = 0; attempt < 8; attempt++) {
		m->nlines = base;
		unsigned n = rng_weighted(r, nl, MLV_ARRAY_LEN(nl)) + 1;
		if (n > max_lines)
			n = max_lines;
		for (unsigned i = 0; i < n; i++) {
			unsigned pi = pick_product(g, r);
			const product *p = &products[pi];
			if ((rc = add_product(g, m, pi, draw_qty(r), draw_eur(r, p->lo, p->hi))) < 0)
				return rc;
		}
		if ((rc = invoice_eur(g, m, &eur)) < 0)
			return rc;
		if (eur <= cap)
			return 0;
	}
	/* one unit of something cheap */
	for (;;) {
		m->nlines = base;
		unsigned pi = pick_product(g, r);
		const product *p = &products[pi];
		if (p->lo >= cap / 2)
			continue;
		if ((rc = add_product(g, m, pi, 1, p->lo)) < 0)
			return rc;
		return 0;
	}
}

/* A high-value consignment: one costly line, sometimes with extras. */
static int lines_high(mlv_generator *g, model *m)
{
	rng *r = &g->st.r;
	int64_t floor = hv_floor(m->cur), eur;
	int rc;
	for (int attempt = 0; attempt < 16; attempt++) {
		m->nlines = 0;
		unsigned pi = pick_product(g, r);
		const product *p = &products[pi];
		int64_t qty = rng_permille(r, 850) ? 1 : 2;
		int64_t lo = (floor * 106 / 100 + qty - 1) / qty;
		if (lo < p->lo)
			lo = p->lo;
		if (lo > p->hi)
			continue;
		if ((rc = add_product(g, m, pi, qty, draw_eur(r, lo, p->hi))) < 0)
			return rc;
		if (rng_permille(r, 300) && (rc = lines_low(g, m, 2, INT64_MAX)) < 0)
			return rc;
		if ((rc = invoice_eur(g, m, &eur)) < 0)
			return rc;
		if (eur >= floor)
			return 0;
	}
	/* the dearest product at its top price, enough units to pass */
	unsigned best = 0;
	for (unsigned i = 0; i < MLV_ARRAY_LEN(products); i++)
		if (g->hs[i][0] && (!g->hs[best][0] || products[i].hi > products[best].hi))
			best = i;
	m->nlines = 0;
	int64_t qty = floor * 110 / 100 / products[best].hi + 1;
	return add_product(g, m, best, qty, products[best].hi);
}

/* A costly product declared at 5 to 20 % of its price. */
static int lines_undervalued(mlv_generator *g, model *m)
{
	rng *r = &g->st.r;
	int64_t cap = lv_cap(m->cur) - 100;
	unsigned pi;
	do
		pi = pick_product(g, r);
	while (products[pi].hi < 20000);
	const product *p = &products[pi];
	int64_t real = draw_eur(r, p->lo > 12000 ? p->lo : 12000, p->hi);
	if (real > 280000)
		real = 280000;
	int64_t maxpct = cap * 100 / real;
	if (maxpct > 20)
		maxpct = 20;
	int64_t pct = rng_int(r, maxpct < 5 ? maxpct : 5, maxpct);
	return add_product(g, m, pi, 1, real * pct / 100);
}

/* One parcel of a split order: just under the threshold. */
static int lines_split(mlv_generator *g, model *m)
{
	rng *r = &g->st.r;
	const product *p = &products[g->st.split.product];
	int64_t cap = lv_cap(m->cur);
	int64_t target = rng_int(r, cap * 80 / 100, cap - 1);
	int64_t qty = (target + p->hi - 1) / p->hi;
	if (qty < 1)
		qty = 1;
	if (qty > 5)
		qty = 5;
	int rc = add_product(g, m, g->st.split.product, qty, target / qty);
	int64_t eur;
	if (rc < 0 || (rc = invoice_eur(g, m, &eur)) < 0)
		return rc;
	while (eur > cap - 1 && m->lines[0].value > m->lines[0].qty) {
		/* conversion rounded up past the cap: shave a unit's price */
		int64_t unit = m->lines[0].value / m->lines[0].qty;
		m->lines[0].value = (unit - 1 - unit / 100) * m->lines[0].qty;
		if ((rc = invoice_eur(g, m, &eur)) < 0)
			return rc;
	}
	return 0;
}

static int lines_prohibited(mlv_generator *g, model *m)
{
	rng *r = &g->st.r;
	unsigned bi = pick_cum(r, g->bcum, MLV_ARRAY_LEN(banned));
	const product *p = &banned[bi];
	int64_t qty = p->unit == U_SET && rng_permille(r, 400) ? rng_int(r, 2, 3) : 1;
	int rc = add_line(g, m, p, g->bhs[bi], qty, draw_eur(r, p->lo, p->hi));
	if (rc < 0)
		return rc;
	if (rng_permille(r, 300)) {
		/* hidden among ordinary goods */
		int64_t eur;
		if ((rc = lines_low(g, m, 2, lv_cap(m->cur))) < 0
		    || (rc = invoice_eur(g, m, &eur)) < 0)
			return rc;
		if (eur > lv_cap(m->cur))
			m->nlines = 1;
	}
	return 0;
}

/* Costly electronics under the code of cheap goods, or the reverse. */
static int lines_misdescribed(mlv_generator *g, model *m)
{
	rng *r = &g->st.r;
	bool hide = rng_permille(r, 700);
	unsigned described, coded;
	do
		described = pick_product(g, r);
	while (!(products[described].flags & (hide ? F_ELEC : F_CHEAP)));
	do
		coded = pick_product(g, r);
	while (!(products[coded].flags & (hide ? F_CHEAP : F_ELEC)));
	const product *p = &products[described];
	int64_t hi = p->hi;
	if (hide && hi > lv_cap(m->cur) * 9 / 10)
		hi = lv_cap(m->cur) * 9 / 10;
	int rc = add_line(g, m, p, g->hs[coded], 1, draw_eur(r, p->lo, hi > p->lo ? hi : p->lo));
	if (rc < 0)
		return rc;
	if (rng_permille(r, 250)) {
		int64_t eur;
		if ((rc = lines_low(g, m, 2, lv_cap(m->cur))) < 0
		    || (rc = invoice_eur(g, m, &eur)) < 0)
			return rc;
		if (eur > lv_cap(m->cur))
			m->nlines = 1;
	}
	return 0;
}

/* ---- parties -------------------------------------------------------------- */

static void make_address(party *pt, rng *r, const kit *k, const char *cc)
{
	const place *pl = &k->places[rng_below(r, (uint32_t)k->nplaces)];
	expand_ctx ctx = {k, pl->city, NULL};
	sbuf b = sb_make(pt->street, sizeof pt->street);
	expand(&b, r, k->streets[rng_below(r, (uint32_t)k->nstreets)], &ctx);
	copy_str(pt->city, sizeof pt->city, pl->city);
	b = sb_make(pt->postcode, sizeof pt->postcode);
	sb_pattern(&b, r, pl->postcodes);
	pt->region = pl->region;
	copy_str(pt->country, sizeof pt->country, cc);
}

/* The buyer, drawn from its own seed so that a split order can repeat it. */
static void make_buyer(const mlv_generator *g, party *pt, uint64_t seed, bool hv)
{
	rng r;
	rng_seed(&r, seed);
	const kit *k = g->dk;
	memset(pt, 0, sizeof *pt);
	const char *first = k->first[rng_below(&r, (uint32_t)k->nfirst)];
	const char *last = k->last[rng_below(&r, (uint32_t)k->nlast)];
	sbuf b = sb_make(pt->name, sizeof pt->name);
	sb_puts(&b, first);
	sb_putc(&b, ' ');
	sb_puts(&b, last);
	make_address(pt, &r, k, g->dest);
	if (rng_permille(&r, 600)) {
		b = sb_make(pt->email, sizeof pt->email);
		unsigned form = rng_below(&r, 4);
		if (form == 0) {
			sb_ascii_lower(&b, first);
			sb_putc(&b, '.');
			sb_ascii_lower(&b, last);
		} else if (form == 1) {
			char initial[2] = {0, 0};
			sbuf ib = sb_make(initial, sizeof initial);
			sb_ascii_lower(&ib, first);
			sb_puts(&b, initial);
			sb_ascii_lower(&b, last);
		} else {
			sb_ascii_lower(&b, first);
			sb_ascii_lower(&b, last);
			sb_putu(&b, (uint64_t)rng_int(&r, 1, 99), 0);
		}
		if (b.len == 0)
			sb_puts(&b, "buyer");
		sb_putc(&b, '@');
		sb_puts(&b, PICK(&r, mail_domains));
	}
	if (rng_permille(&r, 500)) {
		b = sb_make(pt->phone, sizeof pt->phone);
		if (k->phone != NULL) /* unknown destinations: no made-up dial code */
			sb_pattern(&b, &r, k->phone);
	}
	bool identified = rng_permille(&r, 100);
	if (hv || identified) {
		b = sb_make(pt->ident, sizeof pt->ident);
		sb_puts(&b, g->dest);
		if (rng_permille(&r, 500)) {
			pt->ident_type = "eori";
			sb_pattern(&b, &r, "############");
		} else {
			pt->ident_type = "national_id";
			sb_pattern(&b, &r, "##########");
		}
	}
}

/* The seller, a business in the origin country, from its own seed. */
static void make_seller(party *pt, uint64_t seed, const kit *k)
{
	rng r;
	rng_seed(&r, seed);
	memset(pt, 0, sizeof *pt);
	make_address(pt, &r, k, k->cc);
	const char *a = k->fa[rng_below(&r, (uint32_t)k->nfa)];
	expand_ctx ctx = {k, pt->city, a};
	sbuf b = sb_make(pt->name, sizeof pt->name);
	expand(&b, &r, k->firms[rng_below(&r, (uint32_t)k->nfirms)], &ctx);
	b = sb_make(pt->ident, sizeof pt->ident);
	sb_pattern(&b, &r, k->tin);
	pt->ident_type = k->tin_type;
	if (rng_permille(&r, 400)) {
		b = sb_make(pt->email, sizeof pt->email);
		sb_puts(&b, rng_permille(&r, 500) ? "sales@" : "service@");
		sb_ascii_lower(&b, a);
		sb_putc(&b, '.');
		sb_puts(&b, PICK(&r, mail_domains));
	}
	if (rng_permille(&r, 300)) {
		b = sb_make(pt->phone, sizeof pt->phone);
		sb_pattern(&b, &r, k->phone);
	}
}

static void set_business(business *b, const char *name, const char *id, const char *id_type,
			 const char *cc)
{
	memset(b, 0, sizeof *b);
	b->name = name;
	copy_str(b->ident, sizeof b->ident, id ? id : "");
	b->ident_type = id && *id ? id_type : NULL;
	copy_str(b->country, sizeof b->country, cc ? cc : "");
}

static int pick_platform(rng *r, const char *origin)
{
	if (!rng_permille(r, 800))
		return -1;
	if (rng_permille(r, 550)) {
		int local[4], n = 0;
		for (size_t i = 0; i < MLV_ARRAY_LEN(platforms) && n < 4; i++)
			if (strcmp(platforms[i].cc, origin) == 0)
				local[n++] = (int)i;
		if (n > 0)
			return local[rng_below(r, (uint32_t)n)];
	}
	int global[4], n = 0;
	for (size_t i = 0; i < MLV_ARRAY_LEN(platforms) && n < 4; i++)
		if (platforms[i].global)
			global[n++] = (int)i;
	return global[rng_below(r, (uint32_t)n)];
}

static unsigned pick_origin(const mlv_generator *g, rng *r)
{
	uint16_t w[MLV_ARRAY_LEN(origins)];
	for (size_t i = 0; i < MLV_ARRAY_LEN(origins); i++)
		w[i] = strcmp(origins[i].cc, g->dest) == 0 ? 0 : origins[i].freq;
	return rng_weighted(r, w, MLV_ARRAY_LEN(w));
}

/* The invoice currency: mostly the destination's, else the seller's. */
static const char *pick_currency(const mlv_generator *g, rng *r, const char *origin)
{
	unsigned k = rng_below(r, 1000);
	if (strcmp(origin, "CN") == 0 || strcmp(origin, "HK") == 0) {
		if (k < 180 && g->usd)
			return "USD";
		if (k < 260 && g->cny && origin[0] == 'C')
			return "CNY";
	} else if (strcmp(origin, "US") == 0) {
		if (k < 450 && g->usd)
			return "USD";
	} else if (strcmp(origin, "GB") == 0) {
		if (k < 450 && g->gbp)
			return "GBP";
	} else if (k < 200 && g->usd) {
		return "USD";
	}
	return g->cur;
}

/* ---- transport ------------------------------------------------------------ */

static void make_transport(mlv_generator *g, model *m, bool hv, bool docs)
{
	rng *r = &g->st.r;
	sbuf b;
	if (m->bm == MLV_BM_BONDED_FC) {
		m->channel = MLV_CH_COURIER;
	} else if (docs) {
		static const uint16_t w[] = {100, 700, 200};
		m->channel = (uint8_t)(rng_weighted(r, w, 3) + 1);
	} else if (hv) {
		static const uint16_t w[] = {150, 550, 300};
		m->channel = (uint8_t)(rng_weighted(r, w, 3) + 1);
	} else if (m->bm == MLV_BM_NON_BONDED_FC) {
		static const uint16_t w[] = {300, 200, 500};
		m->channel = (uint8_t)(rng_weighted(r, w, 3) + 1);
	} else {
		static const uint16_t w[] = {450, 250, 300};
		m->channel = (uint8_t)(rng_weighted(r, w, 3) + 1);
	}

	const char *dep = m->departure;
	const kit *dk = find_kit(dep);
	const char *tracking_pattern = NULL;
	if (m->bm == MLV_BM_BONDED_FC) {
		const carrier *c = &PICK(r, last_mile);
		set_business(&m->carrier, c->name, NULL, NULL, g->dest);
		tracking_pattern = c->tracking;
	} else if (m->channel == MLV_CH_POST) {
		const char *name = dk && dk->post ? dk->post : "International Mail Service";
		const char *id = dk && dk->post_id ? dk->post_id : NULL;
		set_business(&m->carrier, name, id, "postal_operator", dep);
		/* UPU S10: service, serial, check digit, country of the post */
		b = sb_make(m->tracking, sizeof m->tracking);
		sb_puts(&b, PICK(r, s10_services));
		char serial[9];
		sbuf sb = sb_make(serial, sizeof serial);
		sb_pattern(&sb, r, "########");
		sb_puts(&b, serial);
		sb_putc(&b, s10_check(serial));
		sb_puts(&b, dep);
	} else if (m->channel == MLV_CH_EXPRESS) {
		const carrier *c = &PICK(r, express_carriers);
		set_business(&m->carrier, c->name, c->id, c->id_type, c->cc);
		tracking_pattern = c->tracking;
	} else {
		const carrier *c = NULL;
		unsigned seen = 0;
		for (size_t i = 0; i < MLV_ARRAY_LEN(couriers); i++)
			if (strcmp(couriers[i].cc, dep) == 0 && rng_below(r, ++seen) == 0)
				c = &couriers[i];
		if (c == NULL || rng_permille(r, 150))
			c = &couriers[MLV_ARRAY_LEN(couriers) - 1];
		set_business(&m->carrier, c->name, c->id, c->id_type, c->cc);
		tracking_pattern = c->tracking;
	}
	if (tracking_pattern != NULL) {
		b = sb_make(m->tracking, sizeof m->tracking);
		sb_pattern(&b, r, tracking_pattern);
	}

	/* mode at the border */
	m->mode = MODE_AIR;
	if (m->bm == MLV_BM_BONDED_FC)
		m->mode = MODE_ROAD;
	else if (m->channel != MLV_CH_EXPRESS && (strcmp(dep, "TR") == 0 || strcmp(dep, "GB") == 0)
		 && rng_permille(r, 500))
		m->mode = MODE_ROAD;
	else if (m->channel != MLV_CH_EXPRESS && strcmp(dep, "CN") == 0 && rng_permille(r, 40))
		m->mode = MODE_RAIL;

	if (m->mode == MODE_AIR && (hv || rng_permille(r, m->channel == MLV_CH_POST ? 150 : 450))) {
		b = sb_make(m->master, sizeof m->master);
		sb_puts(&b, PICK(r, airline_prefixes));
		sb_putc(&b, '-');
		uint64_t serial = (uint64_t)rng_int(r, 1000000, 9999999);
		sb_putu(&b, serial, 7);
		sb_putu(&b, serial % 7, 0);
	}
	if (m->mode == MODE_AIR && rng_permille(r, 300)) {
		b = sb_make(m->conveyance, sizeof m->conveyance);
		sb_puts(&b, PICK(r, flight_codes));
		sb_putu(&b, (uint64_t)rng_int(r, 11, 2999), 0);
	}
	if (hv || rng_permille(r, 150)) {
		b = sb_make(m->house, sizeof m->house);
		if (m->channel == MLV_CH_POST)
			sb_puts(&b, m->tracking);
		else
			sb_pattern(&b, r, "HAWB########|H##########");
	}

	const char *offices = g->dk->offices;
	b = sb_make(m->office, sizeof m->office);
	if (offices != NULL) {
		sb_pattern(&b, r, offices);
	} else {
		sb_puts(&b, g->dest);
		sb_pattern(&b, r, "00####");
	}
	m->arrival_day = m->order_day + (m->bm == MLV_BM_BONDED_FC ? 1 : (int32_t)rng_int(r, 1, 5));
	m->arrival_min = (int)rng_int(r, 4 * 12, 22 * 12 + 11) * 5;
}

/* ---- one record ------------------------------------------------------------ */

/* Chooses the one or two elements a missing_data record leaves out. */
static void omit_some(rng *r, model *m)
{
	unsigned cat_bit = MLV_REQ(m->category);
	unsigned n = rng_permille(r, 650) ? 1 : 2;
	for (unsigned k = 0; k < n; k++) {
		unsigned cands[MLV_ARRAY_LEN(omissible)], nc = 0;
		for (unsigned i = 0; i < MLV_ARRAY_LEN(omissible); i++)
			if ((omissible[i].cats & cat_bit) && !(m->omit[omissible[i].obj] & omissible[i].bit))
				cands[nc++] = i;
		assert(nc > 0);
		unsigned i = cands[rng_below(r, nc)];
		m->omit[omissible[i].obj] |= omissible[i].bit;
	}
}

static void start_split(mlv_generator *g)
{
	rng *r = &g->st.r;
	split_ctx *sp = &g->st.split;
	memset(sp, 0, sizeof *sp);
	sp->left = (unsigned)rng_int(r, 2, 4);
	sp->buyer_seed = rng_next(r);
	sp->seller_seed = rng_next(r);
	sp->origin = (uint8_t)pick_origin(g, r);
	sp->platform = (int8_t)pick_platform(r, origins[sp->origin].cc);
	sp->day = g->start_day + (int32_t)((g->st.seq - 1) / MLV_GENERATE_PER_DAY);
	/* something people buy by the handful: worth up to EUR 75 a unit */
	unsigned pi;
	do
		pi = pick_product(g, r);
	while (products[pi].hi < 2500 || products[pi].lo > 7500);
	sp->product = (uint16_t)pi;
	sbuf b = sb_make(sp->order, sizeof sp->order);
	sb_pattern(&b, r, sp->platform >= 0 ? platforms[sp->platform].order : "WS-########");
}

static int build(mlv_generator *g, model *m, mlv_anomaly kind, bool docs)
{
	gstate *st = &g->st;
	rng *r = &st->r;
	split_ctx *sp = &st->split;
	int rc;
	bool split = kind == MLV_ANOM_SPLIT;

	memset(m, 0, offsetof(model, lines));
	m->nlines = 0;
	m->gross_g = 0;
	m->has_invoice_doc = false;
	sbuf b = sb_make(m->lrn, sizeof m->lrn);
	sb_puts(&b, g->prefix);
	sb_putc(&b, '-');
	sb_putu(&b, st->seq, 10);
	m->goods = !docs;

	unsigned oi;
	uint64_t buyer_seed, seller_seed;
	int pf;
	if (split) {
		sp->part++;
		sp->left--;
		oi = sp->origin;
		buyer_seed = sp->buyer_seed;
		seller_seed = sp->seller_seed;
		pf = sp->platform;
		m->order_day = sp->day;
	} else {
		oi = pick_origin(g, r);
		buyer_seed = rng_next(r);
		seller_seed = rng_next(r);
		pf = docs ? -1 : pick_platform(r, origins[oi].cc);
		m->order_day = g->start_day + (int32_t)((st->seq - 1) / MLV_GENERATE_PER_DAY);
	}
	const kit *ok = find_kit(origins[oi].cc);
	assert(ok != NULL);
	copy_str(m->origin, sizeof m->origin, ok->cc);

	/* business model and where the parcel leaves from */
	m->bm = MLV_BM_DIRECT;
	if (!split && !docs) {
		static const uint16_t w[] = {820, 60, 120};
		m->bm = (uint8_t)(rng_weighted(r, w, 3) + 1);
	}
	if (m->bm == MLV_BM_BONDED_FC)
		copy_str(m->departure, sizeof m->departure, g->dest);
	else if (m->bm == MLV_BM_NON_BONDED_FC) {
		static const char *const hubs[] = {"GB", "HK", "TR", "US"};
		const char *hub = PICK(r, hubs);
		copy_str(m->departure, sizeof m->departure, strcmp(hub, g->dest) == 0 ? "HK" : hub);
	} else if (strcmp(ok->cc, "CN") == 0 && rng_permille(r, 60))
		copy_str(m->departure, sizeof m->departure, "HK");
	else
		copy_str(m->departure, sizeof m->departure, ok->cc);

	make_buyer(g, &m->buyer, buyer_seed, false);

	if (docs) {
		m->category = MLV_CAT_DOCUMENTS;
		make_transport(g, m, false, true);
		m->gross_g = rng_int(r, 60, 900);
		return 0;
	}

	m->has_seller = true;
	make_seller(&m->seller, seller_seed, ok);
	if (pf >= 0) {
		const platform *p = &platforms[pf];
		m->has_platform = true;
		set_business(&m->platform, p->name, p->ioss, "ioss", p->cc);
		m->platform_ioss = p->ioss;
	}

	/* the sale */
	const char *cur = split ? g->cur : pick_currency(g, r, ok->cc);
	copy_str(m->cur, sizeof m->cur, cur);
	m->scale = cur == g->cur ? g->cur_scale : mlv_currency_minor_units(g->rd, cur);
	switch (kind) {
	case MLV_ANOM_UNDERVALUED: rc = lines_undervalued(g, m); break;
	case MLV_ANOM_SPLIT: rc = lines_split(g, m); break;
	case MLV_ANOM_PROHIBITED: rc = lines_prohibited(g, m); break;
	case MLV_ANOM_MISDESCRIBED: rc = lines_misdescribed(g, m); break;
	default:
		rc = rng_permille(r, HV_PERMILLE) ? lines_high(g, m) : lines_low(g, m, 4, lv_cap(m->cur));
	}
	if (rc < 0)
		return rc;
	for (unsigned i = 0; i < m->nlines; i++)
		m->invoice += m->lines[i].value;
	int64_t eur;
	if ((rc = to_eur(g, m->invoice, m->cur, m->order_day, &eur)) < 0)
		return rc;
	bool hv = eur > EUR_THRESHOLD;
	m->category = hv ? MLV_CAT_HIGH_VALUE : MLV_CAT_LOW_VALUE_DUTIABLE;
	if (hv)
		for (unsigned i = 0; i < m->nlines; i++)
			m->lines[i].net_shown = true;

	b = sb_make(m->order_id, sizeof m->order_id);
	if (split) {
		sb_puts(&b, sp->order);
		sb_putc(&b, '-');
		sb_putu(&b, sp->part, 0);
	} else {
		sb_pattern(&b, r, pf >= 0 ? platforms[pf].order : "WS-########");
	}

	/* shipping and insurance, in euros first, then the invoice currency */
	int64_t ship_eur = 0;
	if (!rng_permille(r, hv ? 200 : 400))
		ship_eur = hv ? rng_int(r, 500, 3500) : rng_int(r, 199, 1299);
	if ((rc = from_eur(g, ship_eur, m->cur, m->order_day, &m->shipping)) < 0)
		return rc;
	m->shipping = ship_eur ? charm(r, m->shipping, m->scale) : 0;
	unsigned ik = rng_below(r, 1000);
	if (ik < 200) {
		m->has_insurance = true;
	} else if (ik < (hv ? 600u : 300u)) {
		m->has_insurance = true;
		m->insurance = m->invoice * rng_int(r, 10, 30) / 1000;
	}
	if (rng_permille(r, 850)) {
		unsigned pi = rng_below(r, (uint32_t)MLV_ARRAY_LEN(payers));
		m->has_payment = true;
		m->pay_provider = payers[pi].name;
		m->pay_method = payers[pi].method;
		b = sb_make(m->pay_txid, sizeof m->pay_txid);
		sb_pattern(&b, r, payers[pi].txid);
		m->pay_amount = m->invoice + m->shipping + m->insurance;
	}

	/* VAT collected at sale under IOSS: about half the low-value sales */
	if (!hv && g->vat_permille > 0 && rng_permille(r, 500)) {
		int64_t base;
		rc = to_eur(g, m->invoice + m->shipping + m->insurance, m->cur, m->order_day, &base);
		if (rc < 0)
			return rc;
		m->has_tax = true;
		m->tax_eur = (base * g->vat_permille + 500) / 1000;
		b = sb_make(m->tax_reg, sizeof m->tax_reg);
		if (m->platform_ioss && *m->platform_ioss) {
			sb_puts(&b, m->platform_ioss);
		} else {
			/* the seller's own registration, stable for the seller */
			rng sr;
			rng_seed(&sr, seller_seed ^ 0x10559ULL);
			sb_puts(&b, "IM528");
			sb_pattern(&b, &sr, "#######");
		}
	}
	if (m->has_tax)
		m->incoterm = "DDP";
	else if (hv) {
		static const char *const terms[] = {"DAP", "DAP", "DAP", "DDP", "CPT", "CIP", "FCA", "EXW"};
		m->incoterm = PICK(r, terms);
	} else if (rng_permille(r, 400))
		m->incoterm = "DAP";

	if (hv) {
		make_buyer(g, &m->buyer, buyer_seed, true); /* the same, identified */
	} else if (!rng_permille(r, 400)) {
		m->seller.ident[0] = '\0';
		m->seller.ident_type = NULL;
	}

	make_transport(g, m, hv, false);
	if (m->channel != MLV_CH_POST && rng_permille(r, 300)) {
		m->has_intermediary = true;
		if (m->channel == MLV_CH_EXPRESS && rng_permille(r, 500)) {
			m->intermediary = m->carrier;
		} else {
			unsigned bi = rng_below(r, (uint32_t)MLV_ARRAY_LEN(brokers));
			char id[40];
			sbuf ib = sb_make(id, sizeof id);
			sb_puts(&ib, g->dest);
			sb_puts(&ib, "00");
			sb_putu(&ib, 4471230 + bi * 10457, 10);
			set_business(&m->intermediary, brokers[bi], id, "eori", g->dest);
		}
	}

	/* weights */
	int64_t gross = 0;
	for (unsigned i = 0; i < m->nlines; i++) {
		const line *l = &m->lines[i];
		gross += l->gross_g ? l->gross_g : l->net_g * 112 / 100 + 15;
	}
	if (hv || rng_permille(r, 700))
		m->gross_g = gross + rng_int(r, 30, 250);

	if (hv && rng_permille(r, 700)) {
		m->has_invoice_doc = true;
		b = sb_make(m->doc_ref, sizeof m->doc_ref);
		sb_pattern(&b, r, "INV-######|INV#########|CI-#######");
	}

	if (kind == MLV_ANOM_MISSING_DATA)
		omit_some(r, m);
	return 0;
}

/* ---- JSON ------------------------------------------------------------------ */

typedef struct jw {
	char *buf;
	size_t size, len;
	bool full;
	unsigned depth;
	bool first[MLV_MAX_DEPTH + 1];
} jw;

static void jput(jw *w, const char *s, size_t n)
{
	if (w->full)
		return;
	if (n >= w->size - w->len) { /* keep a byte for the NUL */
		w->full = true;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void jputs(jw *w, const char *s)
{
	jput(w, s, strlen(s));
}

static void jputc(jw *w, char c)
{
	jput(w, &c, 1);
}

/* A JSON string: quotes, backslashes and control bytes escaped; UTF-8
 * passes through.  Runs of plain bytes are copied at once.  (A plain loop:
 * strcspn measured slower on strings this short.) */
static void jstr(jw *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	jputc(w, '"');
	const char *run = s;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		jput(w, run, (size_t)(s - run));
		if (c == '"' || c == '\\') {
			char esc[2] = {'\\', (char)c};
			jput(w, esc, 2);
		} else {
			char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			jput(w, esc, 6);
		}
		run = s + 1;
	}
	jput(w, run, (size_t)(s - run));
	jputc(w, '"');
}

static void jsep(jw *w)
{
	if (!w->first[w->depth])
		jputc(w, ',');
	w->first[w->depth] = false;
}

static void jkey(jw *w, const char *k)
{
	jsep(w);
	jputc(w, '"');
	jputs(w, k);
	jput(w, "\":", 2);
}

static void jopen(jw *w, const char *k, char c)
{
	if (k != NULL)
		jkey(w, k);
	else
		jsep(w);
	jputc(w, c);
	assert(w->depth < MLV_MAX_DEPTH);
	w->first[++w->depth] = true;
}

static void jclose(jw *w, char c)
{
	jputc(w, c);
	w->depth--;
}

static void jm_str(jw *w, const char *k, const char *v)
{
	jkey(w, k);
	jstr(w, v);
}

/* A member whose value is a decimal string at `scale`. */
static void jm_dec(jw *w, const char *k, int64_t v, int scale)
{
	char tmp[32];
	int n = mlv_decimal_format(v, scale, tmp, sizeof tmp);
	assert(n > 0);
	jkey(w, k);
	jputc(w, '"');
	jput(w, tmp, (size_t)n);
	jputc(w, '"');
}

static void jm_date(jw *w, const char *k, int32_t day)
{
	char d[11];
	mlv_date_format(day, d);
	jm_str(w, k, d);
}

static void render_business(jw *w, const char *k, const business *b, bool omit_name)
{
	jopen(w, k, '{');
	if (!omit_name)
		jm_str(w, "name", b->name);
	if (b->ident[0]) {
		jm_str(w, "identifier", b->ident);
		if (b->ident_type)
			jm_str(w, "identifier_type", b->ident_type);
	}
	if (b->country[0])
		jm_str(w, "country", b->country);
	jclose(w, '}');
}

static void render_party(jw *w, const char *k, const party *p, unsigned omit)
{
	jopen(w, k, '{');
	if (!(omit & PO_NAME))
		jm_str(w, "name", p->name);
	if (p->ident[0] && !(omit & PO_ID)) {
		jm_str(w, "identifier", p->ident);
		jm_str(w, "identifier_type", p->ident_type);
	}
	jopen(w, "address", '{');
	if (!(omit & PO_STREET))
		jm_str(w, "street", p->street);
	if (!(omit & PO_CITY))
		jm_str(w, "city", p->city);
	if (!(omit & PO_POSTCODE))
		jm_str(w, "postcode", p->postcode);
	if (p->region)
		jm_str(w, "region", p->region);
	if (!(omit & PO_COUNTRY))
		jm_str(w, "country", p->country);
	jclose(w, '}');
	if (p->email[0])
		jm_str(w, "email", p->email);
	if (p->phone[0])
		jm_str(w, "phone", p->phone);
	jclose(w, '}');
}

static void render_transport(jw *w, const model *m)
{
	unsigned om = m->omit[O_TR];
	jopen(w, "transport", '{');
	if (!(om & TR_MODE))
		jm_str(w, "mode", mode_names[m->mode]);
	if (m->master[0])
		jm_str(w, "master_document", m->master);
	if (m->house[0] && !(om & TR_HOUSE))
		jm_str(w, "house_document", m->house);
	if (!(om & TR_TRACKING))
		jm_str(w, "tracking_number", m->tracking);
	render_business(w, "carrier", &m->carrier, om & TR_CARRIER);
	if (m->conveyance[0])
		jm_str(w, "conveyance_reference", m->conveyance);
	if (!(om & TR_DEP))
		jm_str(w, "departure_country", m->departure);
	if (!(om & TR_OFFICE))
		jm_str(w, "office_of_arrival", m->office);
	if (!(om & TR_ARRIVAL)) {
		char t[24];
		sbuf b = sb_make(t, sizeof t);
		char d[11];
		mlv_date_format(m->arrival_day, d);
		sb_puts(&b, d);
		sb_putc(&b, 'T');
		sb_putu(&b, (uint64_t)(m->arrival_min / 60), 2);
		sb_putc(&b, ':');
		sb_putu(&b, (uint64_t)(m->arrival_min % 60), 2);
		sb_puts(&b, ":00Z");
		jm_str(w, "expected_arrival", t);
	}
	jclose(w, '}');
}

static void render_transaction(jw *w, const model *m)
{
	unsigned om = m->omit[O_TXN];
	jopen(w, "transaction", '{');
	if (!(om & X_ORDER_ID))
		jm_str(w, "order_id", m->order_id);
	if (!(om & X_ORDER_DATE))
		jm_date(w, "order_date", m->order_day);
	if (m->incoterm && !(om & X_INCOTERM))
		jm_str(w, "incoterm", m->incoterm);
	if (!(om & X_CURRENCY))
		jm_str(w, "currency", m->cur);
	if (!(om & X_INVOICE))
		jm_dec(w, "invoice_total", m->invoice, m->scale);
	if (!(om & X_SHIPPING))
		jm_dec(w, "shipping_cost", m->shipping, m->scale);
	if (m->has_insurance)
		jm_dec(w, "insurance_cost", m->insurance, m->scale);
	if (m->has_payment) {
		jopen(w, "payment", '{');
		jm_str(w, "method", m->pay_method);
		jm_str(w, "provider", m->pay_provider);
		jm_str(w, "transaction_id", m->pay_txid);
		jm_str(w, "currency", m->cur);
		jm_dec(w, "amount", m->pay_amount, m->scale);
		jclose(w, '}');
	}
	jclose(w, '}');
}

static void render_line(jw *w, const model *m, const line *l, unsigned om)
{
	jopen(w, NULL, '{');
	if (!(om & I_DESC))
		jm_str(w, "description", l->desc);
	if (!(om & I_HS))
		jm_str(w, "hs_code", l->hs);
	if (!(om & I_QTY))
		jm_dec(w, "quantity", l->qty, 0);
	if (l->unit_shown)
		jm_str(w, "unit", unit_names[l->unit]);
	if (l->net_shown && !(om & I_NET))
		jm_dec(w, "net_weight", l->net_g, 3);
	if (l->gross_g)
		jm_dec(w, "gross_weight", l->gross_g, 3);
	if (!(om & I_CURRENCY))
		jm_str(w, "currency", m->cur);
	if (!(om & I_VALUE))
		jm_dec(w, "value", l->value, m->scale);
	if (!(om & I_ORIGIN))
		jm_str(w, "origin_country", m->origin);
	if (l->gtin[0])
		jm_str(w, "gtin", l->gtin);
	if (l->brand)
		jm_str(w, "brand", l->brand);
	jclose(w, '}');
}

static void render(const model *m, jw *w)
{
	unsigned top = m->omit[O_TOP];
	jopen(w, NULL, '{');
	jm_str(w, "lrn", m->lrn);
	jm_str(w, "declaration_type", "import");
	jm_str(w, "category", category_names[m->category]);
	if (m->goods && !(top & T_BM))
		jm_str(w, "business_model", bm_names[m->bm]);
	jm_str(w, "channel", channel_names[m->channel]);
	render_transport(w, m);
	if (m->has_seller && !(top & T_SELLER))
		render_party(w, "seller", &m->seller, m->omit[O_SELLER]);
	render_party(w, "buyer", &m->buyer, m->omit[O_BUYER]);
	if (m->has_platform)
		render_business(w, "platform", &m->platform, false);
	if (m->has_intermediary)
		render_business(w, "intermediary", &m->intermediary, false);
	if (m->goods && !(top & T_TXN))
		render_transaction(w, m);
	if (m->has_tax) {
		jopen(w, "tax_collected", '{');
		jm_str(w, "scheme", "ioss");
		jm_str(w, "registration_number", m->tax_reg);
		jm_str(w, "currency", "EUR");
		jm_dec(w, "amount", m->tax_eur, 2);
		jclose(w, '}');
	}
	if (m->goods && !(top & T_ITEMS)) {
		jopen(w, "items", '[');
		for (unsigned i = 0; i < m->nlines; i++)
			render_line(w, m, &m->lines[i], i == 0 ? m->omit[O_ITEM] : 0);
		jclose(w, ']');
	}
	if (m->has_invoice_doc) {
		jopen(w, "documents", '[');
		jopen(w, NULL, '{');
		jm_str(w, "type", "invoice");
		jm_str(w, "reference", m->doc_ref);
		jm_str(w, "issuer", m->seller.name);
		jm_date(w, "issue_date", m->order_day);
		jclose(w, '}');
		jclose(w, ']');
	}
	if (m->gross_g > 0 && !(top & T_GROSS))
		jm_dec(w, "gross_weight", m->gross_g, 3);
	jclose(w, '}');
}

/* ---- set-up ------------------------------------------------------------------ */

/* Index of the first six-digit subheading >= code, by bisection. */
static size_t hs_lower_bound(const mlv_refdata *rd, const char *code)
{
	size_t lo = 0, hi = mlv_hs6_count(rd);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strncmp(mlv_hs6_at(rd, mid), code, 6) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Writes to out the subheading `want` (6 digits) or the first subheading
 * of the heading `want` (4 digits) when the nomenclature has it, else "". */
static void hs_resolve(const mlv_refdata *rd, const char *want, char out[7])
{
	char key[7] = "000000";
	size_t n = strlen(want);
	memcpy(key, want, n < 6 ? n : 6);
	out[0] = '\0';
	size_t i = hs_lower_bound(rd, key);
	if (i >= mlv_hs6_count(rd))
		return;
	const char *c = mlv_hs6_at(rd, i);
	if (strncmp(c, want, n < 6 ? n : 6) == 0) {
		memcpy(out, c, 6);
		out[6] = '\0';
	}
}

static bool code_chars(const char *s)
{
	for (; *s; s++) {
		char c = *s;
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
			  || c == '-' || c == '_' || c == '.' || c == '/' || c == ':';
		if (!ok)
			return false;
	}
	return true;
}

/* True when euros convert to `cur` on `day`. */
static bool fx_ok(const mlv_refdata *rd, const char *cur, int32_t day)
{
	int64_t v;
	return is_eur(cur) || (mlv_fx_convert(rd, 10000, "EUR", cur, day, &v) == 0 && v > 0);
}

int mlv_generator_new(mlv_generator **out, const mlv_refdata *rd, const mlv_generate_opts *opts)
{
	static const mlv_generate_opts defaults = MLV_GENERATE_OPTS_INIT;
	assert(out != NULL && rd != NULL);
	*out = NULL;
	if (opts == NULL)
		opts = &defaults;
	const char *dest = opts->destination ? opts->destination : defaults.destination;
	const char *cur = opts->currency ? opts->currency : defaults.currency;
	const char *prefix = opts->lrn_prefix ? opts->lrn_prefix : defaults.lrn_prefix;

	if (strlen(dest) != 2 || !mlv_country_exists(rd, dest))
		return MLV_EINVALID;
	int scale = mlv_currency_minor_units(rd, cur);
	if (strlen(cur) != 3 || scale < 0 || scale > 3)
		return MLV_EINVALID;
	if (!fx_ok(rd, cur, opts->start_day))
		return MLV_EINVALID;
	/* LRN: prefix, '-', ten digits; at most 35 bytes of MLV_FMT_CODE */
	size_t plen = strlen(prefix);
	if (plen == 0 || plen > 24 || !code_chars(prefix))
		return MLV_EINVALID;
	if (opts->anomaly_permille > 1000)
		return MLV_EINVALID;

	mlv_generator *g = calloc(1, sizeof *g);
	if (g == NULL)
		return MLV_ENOMEM;
	g->rd = rd;
	memcpy(g->dest, dest, 3);
	memcpy(g->cur, cur, 4);
	g->cur_scale = scale;
	memcpy(g->prefix, prefix, plen + 1);
	g->start_day = opts->start_day;
	const kit *dk = find_kit(dest);
	g->dk = dk && dk->first ? dk : &kit_other;
	for (size_t i = 0; i < MLV_ARRAY_LEN(eu_vat); i++)
		if (strcmp(eu_vat[i].cc, dest) == 0)
			g->vat_permille = eu_vat[i].vat;

	/* a split trigger yields 3 records on average: solve for the trigger
	 * rate p that makes the share of anomalous records a:
	 * a = p (1 + 2s) / (1 + 2ps), s = SPLIT_FREQ / ANOMALY_FREQ_SUM */
	uint64_t a = (uint64_t)opts->anomaly_permille * 1000;
	uint64_t sum = opts->valid_only ? ANOMALY_FREQ_SUM_VALID : ANOMALY_FREQ_SUM;
	g->valid_only = opts->valid_only;
	g->trigger_ppm = (uint32_t)(a * sum * 1000000
				    / (sum * 1000000 + 2 * SPLIT_FREQ * (1000000 - a)));

	/* products whose codes the nomenclature has */
	/* the loops that draw until a product fits need one of each kind */
	bool any_dear = false, any_elec = false, any_cheap = false, any_split = false;
	uint32_t total = 0;
	for (size_t i = 0; i < MLV_ARRAY_LEN(products); i++) {
		hs_resolve(rd, products[i].hs, g->hs[i]);
		if (g->hs[i][0]) {
			total += products[i].freq;
			any_dear |= products[i].hi >= 20000;
			any_elec |= (products[i].flags & F_ELEC) != 0;
			any_cheap |= (products[i].flags & F_CHEAP) != 0;
			any_split |= products[i].hi >= 2500 && products[i].lo <= 7500;
		}
		g->cum[i] = total;
	}
	uint32_t btotal = 0;
	for (size_t i = 0; i < MLV_ARRAY_LEN(banned); i++) {
		hs_resolve(rd, banned[i].hs, g->bhs[i]);
		btotal += g->bhs[i][0] ? banned[i].freq : 0;
		g->bcum[i] = btotal;
	}
	if (!any_dear || !any_elec || !any_cheap || !any_split || btotal == 0) {
		free(g);
		return MLV_EINVALID; /* not the HS 2022 nomenclature */
	}
	g->usd = fx_ok(rd, "USD", opts->start_day) && mlv_currency_minor_units(rd, "USD") == 2;
	g->cny = fx_ok(rd, "CNY", opts->start_day) && mlv_currency_minor_units(rd, "CNY") == 2;
	g->gbp = fx_ok(rd, "GBP", opts->start_day) && mlv_currency_minor_units(rd, "GBP") == 2;

	rng_seed(&g->st.r, opts->seed);
	*out = g;
	return 0;
}

void mlv_generator_free(mlv_generator *g)
{
	free(g);
}

int mlv_generator_next(mlv_generator *g, char *buf, size_t size, mlv_anomaly *label)
{
	assert(g != NULL && (buf != NULL || size == 0));
	gstate saved = g->st;
	gstate *st = &g->st;
	rng *r = &st->r;
	model m;
	mlv_anomaly kind = MLV_ANOM_NONE;
	bool docs = false;

	st->seq++;
	if (st->split.left > 0) {
		kind = MLV_ANOM_SPLIT;
	} else if (rng_below(r, 1000000) < g->trigger_ppm) {
		kind = (mlv_anomaly)(rng_weighted(r, g->valid_only ? anomaly_freq_valid : anomaly_freq,
						  MLV_ARRAY_LEN(anomaly_freq)) + 1);
		if (kind == MLV_ANOM_SPLIT)
			start_split(g);
	} else {
		docs = rng_permille(r, DOCS_PERMILLE);
	}

	int rc = build(g, &m, kind, docs);
	if (rc < 0) {
		g->st = saved;
		return rc;
	}
	jw w = {.buf = buf, .size = size, .first = {true}};
	if (size == 0)
		w.full = true;
	render(&m, &w);
	if (w.full || w.len > (size_t)INT32_MAX) {
		g->st = saved;
		return MLV_ETOOBIG;
	}
	buf[w.len] = '\0';
	if (label != NULL)
		*label = kind;
	return (int)w.len;
}
