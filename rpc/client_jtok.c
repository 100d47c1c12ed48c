/* rpc/client_jtok.c — a strict, allocation-light JSON reader for node answers: one pass
 * turns the text into a flat array of tokens (no node per value, no string copies), and
 * the decoders read fields straight out of the text. Invariant: rpc_jdoc_parse accepts
 * exactly RFC 8259 JSON (one value, nesting capped) and every token's span lies inside the
 * text; a string token's bytes are returned raw, escapes flagged, never expanded here. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/client_int.h"

#define MAX_DEPTH 64

typedef struct jparser {
    rpc_jdoc *d;
    const char *s;
    size_t n, i;
    unsigned depth;
} jparser;

static void ws(jparser *p)
{
    while (p->i < p->n &&
           (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r'))
        p->i++;
}

static int push(jparser *p, uint32_t *idx, uint8_t type)
{
    rpc_jdoc *d = p->d;
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        if (cap > UINT32_MAX)
            return RPC_ETOO_LARGE;
        rpc_jtok *t = realloc(d->t, cap * sizeof *t);
        if (!t)
            return RPC_ENOMEM;
        d->t = t;
        d->cap = cap;
    }
    rpc_jtok *t = &d->t[d->n];
    memset(t, 0, sizeof *t);
    t->type = type;
    t->start = (uint32_t)p->i;
    *idx = (uint32_t)d->n++;
    return RPC_OK;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* plain[c]: c may appear in a string as itself (not '"', not '\\', not a control). */
static unsigned char plain[256];
static pthread_once_t plain_once = PTHREAD_ONCE_INIT;
static void plain_init(void)
{
    for (int c = 0x20; c < 256; c++)
        plain[c] = c != '"' && c != '\\';
}

static int string(jparser *p, uint32_t *idx)
{
    int rc = push(p, idx, RPC_J_STR);
    if (rc)
        return rc;
    p->i++; /* opening quote */
    for (;;) {
        /* fast scan: most answer strings are hex without escapes */
        const unsigned char *q = (const unsigned char *)p->s + p->i;
        const unsigned char *end = (const unsigned char *)p->s + p->n;
        while (end - q >= 4 && plain[q[0]] && plain[q[1]] && plain[q[2]] && plain[q[3]])
            q += 4;
        while (q < end && plain[*q])
            q++;
        p->i = (size_t)((const char *)q - p->s);
        if (p->i >= p->n)
            return RPC_EJSON;
        char c = p->s[p->i];
        if (c == '"') {
            p->i++;
            p->d->t[*idx].end = (uint32_t)p->i;
            return RPC_OK;
        }
        if ((unsigned char)c < 0x20)
            return RPC_EJSON;
        /* an escape */
        p->d->t[*idx].esc = 1;
        if (p->i + 1 >= p->n)
            return RPC_EJSON;
        char e = p->s[p->i + 1];
        if (e == 'u') {
            if (p->i + 6 > p->n)
                return RPC_EJSON;
            for (int k = 2; k < 6; k++)
                if (hexval(p->s[p->i + (size_t)k]) < 0)
                    return RPC_EJSON;
            p->i += 6;
        } else if (strchr("\"\\/bfnrt", e) && e) {
            p->i += 2;
        } else {
            return RPC_EJSON;
        }
    }
}

static int number(jparser *p, uint32_t *idx)
{
    int rc = push(p, idx, RPC_J_NUM);
    if (rc)
        return rc;
    const char *s = p->s;
    size_t i = p->i, n = p->n;
    if (i < n && s[i] == '-')
        i++;
    if (i >= n || !is_digit(s[i]))
        return RPC_EJSON;
    if (s[i] == '0')
        i++;
    else
        while (i < n && is_digit(s[i]))
            i++;
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || !is_digit(s[i]))
            return RPC_EJSON;
        while (i < n && is_digit(s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || !is_digit(s[i]))
            return RPC_EJSON;
        while (i < n && is_digit(s[i]))
            i++;
    }
    p->i = i;
    p->d->t[*idx].end = (uint32_t)i;
    return RPC_OK;
}

static int literal(jparser *p, uint32_t *idx, const char *word, uint8_t type)
{
    size_t l = strlen(word);
    if (p->n - p->i < l || memcmp(p->s + p->i, word, l) != 0)
        return RPC_EJSON;
    int rc = push(p, idx, type);
    if (rc)
        return rc;
    p->i += l;
    p->d->t[*idx].end = (uint32_t)p->i;
    return RPC_OK;
}

static int value(jparser *p);

static int container(jparser *p, bool obj)
{
    uint32_t idx;
    int rc = push(p, &idx, obj ? RPC_J_OBJ : RPC_J_ARR);
    if (rc)
        return rc;
    if (++p->depth > MAX_DEPTH)
        return RPC_EJSON;
    p->i++;
    ws(p);
    uint32_t count = 0;
    char close = obj ? '}' : ']';
    if (p->i < p->n && p->s[p->i] == close) {
        p->i++;
    } else {
        for (;;) {
            if (obj) {
                uint32_t k;
                if (p->i >= p->n || p->s[p->i] != '"')
                    return RPC_EJSON;
                if ((rc = string(p, &k)))
                    return rc;
                p->d->t[k].next = (uint32_t)p->d->n;
                ws(p);
                if (p->i >= p->n || p->s[p->i] != ':')
                    return RPC_EJSON;
                p->i++;
                ws(p);
            }
            if ((rc = value(p)))
                return rc;
            count++;
            ws(p);
            if (p->i >= p->n)
                return RPC_EJSON;
            if (p->s[p->i] == ',') {
                p->i++;
                ws(p);
                continue;
            }
            if (p->s[p->i] != close)
                return RPC_EJSON;
            p->i++;
            break;
        }
    }
    p->depth--;
    rpc_jtok *t = &p->d->t[idx];
    t->count = count;
    t->end = (uint32_t)p->i;
    t->next = (uint32_t)p->d->n;
    return RPC_OK;
}

static int value(jparser *p)
{
    uint32_t idx;
    int rc;
    if (p->i >= p->n)
        return RPC_EJSON;
    switch (p->s[p->i]) {
    case '{':
        return container(p, true);
    case '[':
        return container(p, false);
    case '"':
        rc = string(p, &idx);
        break;
    case 't':
        rc = literal(p, &idx, "true", RPC_J_TRUE);
        break;
    case 'f':
        rc = literal(p, &idx, "false", RPC_J_FALSE);
        break;
    case 'n':
        rc = literal(p, &idx, "null", RPC_J_NULL);
        break;
    default:
        rc = number(p, &idx);
        break;
    }
    if (rc == RPC_OK)
        p->d->t[idx].next = (uint32_t)p->d->n;
    return rc;
}

int rpc_jdoc_parse(rpc_jdoc *d, const char *text, size_t len)
{
    pthread_once(&plain_once, plain_init);
    d->s = text;
    d->len = len;
    d->n = 0;
    if (len >= UINT32_MAX)
        return RPC_ETOO_LARGE;
    size_t guess = len / 16 + 64; /* about one token per 16 bytes in node answers */
    if (d->cap < guess && guess < UINT32_MAX) {
        rpc_jtok *t = realloc(d->t, guess * sizeof *t);
        if (!t)
            return RPC_ENOMEM;
        d->t = t;
        d->cap = guess;
    }
    jparser p = {d, text, len, 0, 0};
    ws(&p);
    int rc = value(&p);
    if (rc == RPC_OK) {
        ws(&p);
        if (p.i != len)
            rc = RPC_EJSON; /* trailing bytes */
    }
    if (rc != RPC_OK)
        d->n = 0;
    return rc;
}

void rpc_jdoc_free(rpc_jdoc *d)
{
    free(d->t);
    memset(d, 0, sizeof *d);
}

long rpc_jget(const rpc_jdoc *d, long obj, const char *key)
{
    if (obj < 0 || d->t[obj].type != RPC_J_OBJ)
        return -1;
    size_t kl = strlen(key);
    uint32_t i = (uint32_t)obj + 1;
    for (uint32_t m = 0; m < d->t[obj].count; m++) {
        const rpc_jtok *k = &d->t[i];
        if (!k->esc && k->end - k->start - 2 == kl && memcmp(d->s + k->start + 1, key, kl) == 0)
            return (long)(i + 1);
        i = d->t[i + 1].next; /* past the value */
    }
    return -1;
}

void rpc_jfields(const rpc_jdoc *d, long obj, const char *const *keys, size_t nk, long *out)
{
    for (size_t j = 0; j < nk; j++)
        out[j] = -1;
    if (obj < 0 || d->t[obj].type != RPC_J_OBJ)
        return;
    uint32_t i = (uint32_t)obj + 1;
    for (uint32_t m = 0; m < d->t[obj].count; m++) {
        const rpc_jtok *k = &d->t[i];
        size_t kl = k->end - k->start - 2;
        const char *ks = d->s + k->start + 1;
        for (size_t j = 0; !k->esc && j < nk; j++) {
            if (out[j] < 0 && keys[j][0] == ks[0] && strlen(keys[j]) == kl &&
                memcmp(keys[j], ks, kl) == 0) {
                out[j] = (long)(i + 1);
                break;
            }
        }
        i = d->t[i + 1].next;
    }
}

bool rpc_jstr(const rpc_jdoc *d, long i, const char **s, size_t *len)
{
    if (i < 0 || d->t[i].type != RPC_J_STR || d->t[i].esc)
        return false;
    *s = d->s + d->t[i].start + 1;
    *len = d->t[i].end - d->t[i].start - 2;
    return true;
}

bool rpc_jint(const rpc_jdoc *d, long i, int64_t *v)
{
    if (i < 0 || d->t[i].type != RPC_J_NUM)
        return false;
    const char *s = d->s + d->t[i].start;
    size_t n = d->t[i].end - d->t[i].start, k = 0;
    bool neg = false;
    if (n && s[0] == '-') {
        neg = true;
        k = 1;
    }
    if (k == n || n - k > 18)
        return false; /* empty, or not exactly representable: refused */
    int64_t x = 0;
    for (; k < n; k++) {
        if (!is_digit(s[k]))
            return false; /* a fraction or an exponent */
        x = x * 10 + (s[k] - '0');
    }
    *v = neg ? -x : x;
    return true;
}

size_t rpc_jstr_unescape(const rpc_jdoc *d, long i, char *out, size_t cap)
{
    size_t o = 0;
    if (cap == 0)
        return 0;
    if (i < 0 || d->t[i].type != RPC_J_STR) {
        out[0] = '\0';
        return 0;
    }
    const char *s = d->s + d->t[i].start + 1, *end = d->s + d->t[i].end - 1;
    while (s < end && o + 1 < cap) {
        char c = *s++;
        if (c == '\\' && s < end) {
            char e = *s++;
            switch (e) {
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'u': /* keep ASCII, replace the rest: messages are for people */
                c = '?';
                if (end - s >= 4) {
                    int v = 0;
                    for (int k = 0; k < 4 && v >= 0; k++)
                        v = hexval(s[k]) < 0 ? -1 : v * 16 + hexval(s[k]);
                    if (v >= 0x20 && v < 0x7f)
                        c = (char)v;
                    s += 4;
                }
                break;
            default: c = e; break; /* \" \\ \/ */
            }
        }
        out[o++] = c;
    }
    out[o] = '\0';
    return o;
}
