/* risk_watch.c - watch lists of operators (risk.h; TS 2.4.4, review
 * proposals 5 and 21).
 *
 * Owns the entries (strings in an arena) and one hash from keys to the
 * entries that carry them.  Each entry is filed under up to three keys:
 * "i:" + its identifier upper-cased without spaces, "x:" + its exact name,
 * "n:" + its folded name (mlv_fold_name).  A look-up tries them in that
 * order, so the strongest kind of match is the one reported.  Entries are
 * never removed: an expired one stops matching, and the store keeps the
 * history.  There is no buyer role: consumers are not watch-listed. */
#include "mlv/risk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlv/arena.h"
#include "mlv/codec.h"
#include "mlv/fold.h"

#define KEY_MAX 160
#define WATCH_MAX_ENTRIES 1000000
#define WATCH_LINE_MAX 4096

typedef struct node {
	uint32_t entry;
	uint32_t next; /* index + 1 of the next node of the key, 0 at the end */
} node;

typedef struct slot {
	const char *key; /* NULL: empty */
	uint32_t klen;
	uint32_t head; /* index + 1 of the first node */
} slot;

struct mlv_risk_watchlist {
	mlv_arena *arena;
	mlv_risk_watch_entry *entries;
	size_t n, cap;
	node *nodes;
	size_t nnodes, nodes_cap;
	slot *map;
	size_t map_n, map_cap;
};

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

int mlv_risk_watchlist_new(mlv_risk_watchlist **out)
{
	mlv_risk_watchlist *wl = calloc(1, sizeof(*wl));
	*out = NULL;
	if (wl == NULL)
		return MLV_ENOMEM;
	wl->arena = mlv_arena_new(1u << 14);
	if (wl->arena == NULL) {
		free(wl);
		return MLV_ENOMEM;
	}
	*out = wl;
	return 0;
}

void mlv_risk_watchlist_free(mlv_risk_watchlist *wl)
{
	if (wl == NULL)
		return;
	mlv_arena_free(wl->arena);
	free(wl->entries);
	free(wl->nodes);
	free(wl->map);
	free(wl);
}

size_t mlv_risk_watchlist_count(const mlv_risk_watchlist *wl)
{
	return wl->n;
}

/* The three keys of an operator; each written as type letter, ':', text.
 * Returns the key length, 0 when the operator has no such key. */
static size_t key_identifier(const char *id, char *out)
{
	size_t o = 2;
	if (id == NULL)
		return 0;
	out[0] = 'i', out[1] = ':';
	for (; *id && o < KEY_MAX - 1; id++) {
		if (*id == ' ' || *id == '\t')
			continue;
		out[o++] = (*id >= 'a' && *id <= 'z') ? (char)(*id - 32) : *id;
	}
	return o > 2 ? o : 0;
}

static size_t key_exact(const char *name, char *out)
{
	if (name == NULL)
		return 0;
	while (*name == ' ' || *name == '\t')
		name++;
	size_t n = strlen(name);
	while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
		n--;
	if (n == 0 || n > KEY_MAX - 3)
		return 0;
	out[0] = 'x', out[1] = ':';
	memcpy(out + 2, name, n);
	return n + 2;
}

static size_t key_folded(const char *name, char *out)
{
	if (name == NULL)
		return 0;
	out[0] = 'n', out[1] = ':';
	size_t n = mlv_fold_name(out + 2, KEY_MAX - 2, name, strlen(name));
	return n ? n + 2 : 0;
}

static int grow_map(mlv_risk_watchlist *wl)
{
	size_t cap = wl->map_cap ? wl->map_cap * 2 : 64;
	slot *m = calloc(cap, sizeof(*m));
	if (m == NULL)
		return MLV_ENOMEM;
	for (size_t i = 0; i < wl->map_cap; i++) {
		if (wl->map[i].key == NULL)
			continue;
		size_t k = fnv1a(wl->map[i].key, wl->map[i].klen) & (cap - 1);
		while (m[k].key != NULL)
			k = (k + 1) & (cap - 1);
		m[k] = wl->map[i];
	}
	free(wl->map);
	wl->map = m;
	wl->map_cap = cap;
	return 0;
}

static const slot *find(const mlv_risk_watchlist *wl, const char *key, size_t klen)
{
	if (wl->map_cap == 0)
		return NULL;
	size_t k = fnv1a(key, klen) & (wl->map_cap - 1);
	for (; wl->map[k].key != NULL; k = (k + 1) & (wl->map_cap - 1))
		if (wl->map[k].klen == klen && memcmp(wl->map[k].key, key, klen) == 0)
			return &wl->map[k];
	return NULL;
}

static int file_under(mlv_risk_watchlist *wl, const char *key, size_t klen, uint32_t entry)
{
	if ((wl->map_n + 1) * 2 > wl->map_cap && grow_map(wl) != 0)
		return MLV_ENOMEM;
	size_t k = fnv1a(key, klen) & (wl->map_cap - 1);
	while (wl->map[k].key != NULL &&
	       !(wl->map[k].klen == klen && memcmp(wl->map[k].key, key, klen) == 0))
		k = (k + 1) & (wl->map_cap - 1);
	slot *s = &wl->map[k];
	if (s->key == NULL) {
		s->key = mlv_arena_strndup(wl->arena, key, klen);
		if (s->key == NULL)
			return MLV_ENOMEM;
		s->klen = (uint32_t)klen;
		wl->map_n++;
	}
	if (wl->nnodes == wl->nodes_cap) {
		size_t cap = wl->nodes_cap ? wl->nodes_cap * 2 : 64;
		node *nn = realloc(wl->nodes, cap * sizeof(*nn));
		if (nn == NULL)
			return MLV_ENOMEM;
		wl->nodes = nn;
		wl->nodes_cap = cap;
	}
	wl->nodes[wl->nnodes] = (node){entry, s->head};
	s->head = (uint32_t)++wl->nnodes;
	return 0;
}

static const char *dup_opt(mlv_risk_watchlist *wl, const char *s, bool *oom)
{
	if (s == NULL)
		return NULL;
	char *d = mlv_arena_strndup(wl->arena, s, strlen(s));
	if (d == NULL)
		*oom = true;
	return d;
}

int mlv_risk_watchlist_add(mlv_risk_watchlist *wl, const mlv_risk_watch_entry *e)
{
	char k1[KEY_MAX], k2[KEY_MAX], k3[KEY_MAX];
	size_t l1 = key_identifier(e->identifier, k1);
	size_t l2 = key_exact(e->name, k2);
	size_t l3 = key_folded(e->name, k3);
	if ((l1 == 0 && l2 == 0 && l3 == 0) || e->reason == NULL || e->reason[0] == '\0' ||
	    e->expires < e->listed || (unsigned)e->role >= MLV_RISK_ROLE_COUNT)
		return MLV_EINVALID;
	if (wl->n >= WATCH_MAX_ENTRIES)
		return MLV_ETOOBIG;
	if (wl->n == wl->cap) {
		size_t cap = wl->cap ? wl->cap * 2 : 32;
		mlv_risk_watch_entry *ne = realloc(wl->entries, cap * sizeof(*ne));
		if (ne == NULL)
			return MLV_ENOMEM;
		wl->entries = ne;
		wl->cap = cap;
	}
	bool oom = false;
	mlv_risk_watch_entry c = *e;
	c.identifier = dup_opt(wl, e->identifier, &oom);
	c.name = dup_opt(wl, e->name, &oom);
	c.reason = dup_opt(wl, e->reason, &oom);
	c.source = dup_opt(wl, e->source, &oom);
	if (oom)
		return MLV_ENOMEM;
	uint32_t idx = (uint32_t)wl->n;
	wl->entries[wl->n++] = c;
	if ((l1 && file_under(wl, k1, l1, idx) != 0) || (l2 && file_under(wl, k2, l2, idx) != 0) ||
	    (l3 && file_under(wl, k3, l3, idx) != 0))
		return MLV_ENOMEM;
	return 0;
}

static const mlv_risk_watch_entry *first_live(const mlv_risk_watchlist *wl, const char *key,
					      size_t klen, mlv_risk_role role, int32_t day)
{
	const slot *s = find(wl, key, klen);
	const mlv_risk_watch_entry *best = NULL;
	if (s == NULL)
		return NULL;
	/* Of the live entries, the one that runs longest: the strongest. */
	for (uint32_t n = s->head; n != 0; n = wl->nodes[n - 1].next) {
		const mlv_risk_watch_entry *e = &wl->entries[wl->nodes[n - 1].entry];
		if (e->role != MLV_RISK_ROLE_ANY && e->role != role)
			continue;
		if (day < e->listed || day > e->expires)
			continue;
		if (best == NULL || e->expires > best->expires)
			best = e;
	}
	return best;
}

const mlv_risk_watch_entry *mlv_risk_watchlist_match(const mlv_risk_watchlist *wl,
						     mlv_risk_role role, const char *name,
						     const char *identifier, int32_t day,
						     mlv_risk_match *how)
{
	char k[KEY_MAX];
	size_t kl;
	const mlv_risk_watch_entry *e = NULL;
	mlv_risk_match m = MLV_RISK_MATCH_NONE;
	if ((kl = key_identifier(identifier, k)) != 0 &&
	    (e = first_live(wl, k, kl, role, day)) != NULL)
		m = MLV_RISK_MATCH_IDENTIFIER;
	else if ((kl = key_exact(name, k)) != 0 && (e = first_live(wl, k, kl, role, day)) != NULL)
		m = MLV_RISK_MATCH_NAME;
	else if ((kl = key_folded(name, k)) != 0 && (e = first_live(wl, k, kl, role, day)) != NULL)
		m = MLV_RISK_MATCH_NORMALISED;
	if (how != NULL)
		*how = m;
	return e;
}

/* ---- the tab-separated file ------------------------------------------------------ */

static const char header[] = "role\tidentifier\tname\treason\tlisted\texpires\tsource";

static int werr(char *err, size_t errlen, const char *name, size_t line, int code,
		const char *msg, const char *arg)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s:%zu: %s%s%s", name, line, msg, arg ? ": " : "",
			 arg ? arg : "");
	return code;
}

int mlv_risk_watchlist_parse(mlv_risk_watchlist *wl, const char *text, size_t len,
			     const char *name, char *err, size_t errlen)
{
	char line[WATCH_LINE_MAX + 1];
	size_t i = 0, ln = 0;
	bool seen_header = false;
	if (name == NULL)
		name = "watchlist";
	if (len > MLV_RISK_MAX_TEXT)
		return werr(err, errlen, name, 0, MLV_ETOOBIG, "file too large", NULL);
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len, n = end - i;
		ln++;
		if (n > 0 && text[end - 1] == '\r')
			n--;
		if (n > WATCH_LINE_MAX)
			return werr(err, errlen, name, ln, MLV_ETOOBIG, "line too long", NULL);
		memcpy(line, text + i, n);
		line[n] = '\0';
		i = end + 1;
		if (!mlv_utf8_valid(line, n))
			return werr(err, errlen, name, ln, MLV_EINVALID, "not valid UTF-8", NULL);
		if (n == 0 || line[0] == '#')
			continue;
		if (!seen_header) {
			if (strcmp(line, header) != 0)
				return werr(err, errlen, name, ln, MLV_EINVALID,
					    "the first line must be the header", header);
			seen_header = true;
			continue;
		}
		char *f[8];
		size_t nf = 0;
		for (char *s = line; nf < 8;) {
			f[nf++] = s;
			char *tab = strchr(s, '\t');
			if (tab == NULL)
				break;
			*tab = '\0';
			s = tab + 1;
		}
		if (nf != 7)
			return werr(err, errlen, name, ln, MLV_EINVALID,
				    "expected 7 tab-separated fields", NULL);
		for (size_t k = 0; k < nf; k++)
			for (const char *c = f[k]; *c; c++)
				if ((unsigned char)*c < 0x20)
					return werr(err, errlen, name, ln, MLV_EINVALID,
						    "control character", NULL);
		mlv_risk_watch_entry e = {0};
		static const char *const consumers[] = {"buyer", "consignee", "consumer",
							"customer", "recipient"};
		for (size_t k = 0; k < MLV_ARRAY_LEN(consumers); k++)
			if (strcmp(f[0], consumers[k]) == 0)
				return werr(err, errlen, name, ln, MLV_EFORBIDDEN,
					    "consumers are not watch-listed (WCO FoS Standard 5, "
					    "review proposal 28); list operators only",
					    f[0]);
		bool role_ok = false;
		for (int r = 0; r < MLV_RISK_ROLE_COUNT; r++)
			if (strcmp(f[0], mlv_risk_role_name((mlv_risk_role)r)) == 0) {
				e.role = (mlv_risk_role)r;
				role_ok = true;
			}
		if (!role_ok)
			return werr(err, errlen, name, ln, MLV_EINVALID,
				    "role is any, seller, platform, carrier, intermediary or filer",
				    f[0]);
		e.identifier = f[1][0] ? f[1] : NULL;
		e.name = f[2][0] ? f[2] : NULL;
		e.reason = f[3];
		e.source = f[6][0] ? f[6] : NULL;
		if (e.identifier == NULL && e.name == NULL)
			return werr(err, errlen, name, ln, MLV_EINVALID,
				    "an entry needs an identifier or a name", NULL);
		if (e.reason[0] == '\0')
			return werr(err, errlen, name, ln, MLV_EINVALID, "the reason is required",
				    NULL);
		if (!mlv_date_parse(f[4], strlen(f[4]), &e.listed))
			return werr(err, errlen, name, ln, MLV_EINVALID, "listed is YYYY-MM-DD",
				    f[4]);
		if (!mlv_date_parse(f[5], strlen(f[5]), &e.expires))
			return werr(err, errlen, name, ln, MLV_EINVALID, "expires is YYYY-MM-DD",
				    f[5]);
		if (e.expires < e.listed)
			return werr(err, errlen, name, ln, MLV_EINVALID,
				    "expires before it was listed", NULL);
		int rc = mlv_risk_watchlist_add(wl, &e);
		if (rc != 0)
			return werr(err, errlen, name, ln, rc, mlv_strerror(rc), NULL);
	}
	if (!seen_header)
		return werr(err, errlen, name, ln, MLV_EINVALID, "no header line", header);
	return 0;
}

int mlv_risk_watchlist_load(mlv_risk_watchlist **out, const char *path, char *err,
			    size_t errlen)
{
	int rc = 0;
	char *buf = NULL;
	size_t n = 0, cap = 1u << 14;
	mlv_risk_watchlist *wl = NULL;
	FILE *f = fopen(path, "rb");
	*out = NULL;
	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot open", path);
		return MLV_EIO;
	}
	buf = malloc(cap);
	if (buf == NULL) {
		rc = MLV_ENOMEM;
		goto cleanup;
	}
	for (;;) {
		if (n == cap) {
			if (cap >= MLV_RISK_MAX_TEXT) {
				snprintf(err, errlen, "%s: too large", path);
				rc = MLV_ETOOBIG;
				goto cleanup;
			}
			char *g = realloc(buf, cap * 2);
			if (g == NULL) {
				rc = MLV_ENOMEM;
				goto cleanup;
			}
			buf = g;
			cap *= 2;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		rc = MLV_EIO;
		goto cleanup;
	}
	if ((rc = mlv_risk_watchlist_new(&wl)) != 0)
		goto cleanup;
	if ((rc = mlv_risk_watchlist_parse(wl, buf, n, path, err, errlen)) != 0)
		goto cleanup;
	*out = wl;
	wl = NULL;
cleanup:
	fclose(f);
	free(buf);
	mlv_risk_watchlist_free(wl);
	return rc;
}
