/* tracker/cache.c — open addressing (linear probing) over position keys, grown at 1/2
 * load. Invariant: a key appears at most once; the table never fills. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tracker/cache.h"

struct slot {
    store_pos_key key;
    rpc_u256 value;
    bool used;
};

struct trk_cache {
    struct slot *v;
    size_t cap, n; /* cap a power of two */
};

static uint64_t hash_key(const store_pos_key *k)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    const uint8_t *parts[2] = {k->address.b, k->asset.b};
    for (int p = 0; p < 2; p++)
        for (int i = 0; i < 20; i++) {
            h ^= parts[p][i];
            h *= 1099511628211ull;
        }
    h ^= k->protocol;
    h *= 1099511628211ull;
    return h;
}

static bool same(const store_pos_key *a, const store_pos_key *b)
{
    return a->protocol == b->protocol && !memcmp(a->address.b, b->address.b, 20) &&
           !memcmp(a->asset.b, b->asset.b, 20);
}

int trk_cache_new(trk_cache **out)
{
    *out = NULL;
    trk_cache *c = calloc(1, sizeof *c);
    if (!c)
        return TRK_ENOMEM;
    c->cap = 64;
    c->v = calloc(c->cap, sizeof *c->v);
    if (!c->v) {
        free(c);
        return TRK_ENOMEM;
    }
    *out = c;
    return TRK_OK;
}

void trk_cache_free(trk_cache *c)
{
    if (!c)
        return;
    free(c->v);
    free(c);
}

void trk_cache_clear(trk_cache *c)
{
    memset(c->v, 0, c->cap * sizeof *c->v);
    c->n = 0;
}

static struct slot *find(const trk_cache *c, const store_pos_key *key)
{
    size_t i = (size_t)hash_key(key) & (c->cap - 1);
    while (c->v[i].used && !same(&c->v[i].key, key))
        i = (i + 1) & (c->cap - 1);
    return &c->v[i];
}

bool trk_cache_get(const trk_cache *c, rpc_u256 *v, const store_pos_key *key)
{
    const struct slot *s = find(c, key);
    if (!s->used) {
        memset(v, 0, sizeof *v);
        return false;
    }
    *v = s->value;
    return true;
}

static int grow(trk_cache *c)
{
    struct slot *old = c->v;
    size_t oldcap = c->cap;
    c->v = calloc(oldcap * 2, sizeof *c->v);
    if (!c->v) {
        c->v = old;
        return TRK_ENOMEM;
    }
    c->cap = oldcap * 2;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].used)
            *find(c, &old[i].key) = old[i];
    free(old);
    return TRK_OK;
}

int trk_cache_put(trk_cache *c, const store_pos_key *key, const rpc_u256 *v)
{
    if ((c->n + 1) * 2 > c->cap) {
        int rc = grow(c);
        if (rc)
            return rc;
    }
    struct slot *s = find(c, key);
    if (!s->used) {
        s->used = true;
        s->key = *key;
        c->n++;
    }
    s->value = *v;
    return TRK_OK;
}

size_t trk_cache_count(const trk_cache *c)
{
    return c->n;
}
