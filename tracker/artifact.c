/* tracker/artifact.c — hardhat artifact JSON: checked once at load, linked on demand.
 * Invariant: a loaded artifact's code is valid hex everywhere except at the placeholders
 * linkReferences lists (zero bytes in code[], each recorded in refs[]), so linking only has
 * to write addresses, and code with a placeholder left unfilled is never handed out. */
#include "tracker/artifact.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/hex.h"

#define FILE_MAX TRK_READ_FILE_MAX /* the largest Aave artifact is ~300 KB */
#define LIB_ADDR_LEN 20
#define PLACEHOLDER_CHARS (2 * LIB_ADDR_LEN)

typedef struct ref {
    const char *lib; /* borrowed from root */
    size_t off;      /* byte offset into code */
} ref;

struct trk_artifact {
    cJSON *root;
    const cJSON *abi;
    char *path;
    const char *name;
    uint8_t *code; /* placeholders zeroed */
    size_t code_len;
    ref *refs;
    size_t n_refs;
};

static void errf(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void errf(char *err, size_t cap, const char *fmt, ...)
{
    if (!err || cap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err, cap, fmt, ap);
    va_end(ap);
    if (n < 0)
        err[0] = '\0';
}

void trk_artifact_free(trk_artifact *a)
{
    if (!a)
        return;
    cJSON_Delete(a->root);
    free(a->path);
    free(a->code);
    free(a->refs);
    free(a);
}

const char *trk_artifact_name(const trk_artifact *a)
{
    return a->name ? a->name : a->path;
}

int trk_read_file(char **out, size_t *len, const char *path)
{
    *out = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return RPC_ENOTFOUND;
    int rc = RPC_OK;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        rc = RPC_ENOMEM;
        goto fail;
    }
    for (;;) {
        if (n + 1 == cap) {
            if (cap > FILE_MAX) {
                rc = RPC_ETOO_LARGE;
                goto fail;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                rc = RPC_ENOMEM;
                goto fail;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        rc = RPC_ENOTFOUND;
        goto fail;
    }
    if (n > FILE_MAX) {
        rc = RPC_ETOO_LARGE;
        goto fail;
    }
    buf[n] = '\0';
    fclose(f);
    *out = buf;
    *len = n;
    return RPC_OK;
fail:
    fclose(f);
    free(buf);
    return rc;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* add_refs: record one library's placeholders and blank them in text (the digits after
 * "0x"), checking each sits where linkReferences says. */
static int add_refs(trk_artifact *a, char *digits, size_t ndigits, const cJSON *lib, char *err,
                    size_t errcap)
{
    if (!cJSON_IsArray(lib) || !lib->string) {
        errf(err, errcap, "%s: linkReferences.%s is not an array", a->path,
             lib->string ? lib->string : "?");
        return RPC_EJSON;
    }
    const cJSON *r;
    cJSON_ArrayForEach(r, lib)
    {
        const cJSON *start = cJSON_GetObjectItemCaseSensitive(r, "start");
        const cJSON *length = cJSON_GetObjectItemCaseSensitive(r, "length");
        if (!cJSON_IsNumber(start) || !cJSON_IsNumber(length) || start->valuedouble < 0 ||
            start->valuedouble != (double)(size_t)start->valuedouble ||
            length->valuedouble != LIB_ADDR_LEN) {
            errf(err, errcap, "%s: linkReferences of %s: bad start/length", a->path, lib->string);
            return RPC_EJSON;
        }
        size_t off = (size_t)start->valuedouble;
        if (off > ndigits / 2 || ndigits / 2 - off < LIB_ADDR_LEN) {
            errf(err, errcap, "%s: placeholder of %s at byte %zu lies past the code", a->path,
                 lib->string, off);
            return RPC_EHEX;
        }
        char *p = digits + 2 * off;
        if (memcmp(p, "__$", 3) != 0 || memcmp(p + PLACEHOLDER_CHARS - 3, "$__", 3) != 0) {
            errf(err, errcap, "%s: no placeholder of %s at byte %zu", a->path, lib->string, off);
            return RPC_EHEX;
        }
        ref *nr = realloc(a->refs, (a->n_refs + 1) * sizeof *nr);
        if (!nr)
            return RPC_ENOMEM;
        a->refs = nr;
        a->refs[a->n_refs++] = (ref){lib->string, off};
        memset(p, '0', PLACEHOLDER_CHARS);
    }
    return RPC_OK;
}

/* load_code: decode "bytecode" into a->code, placeholders blanked. text is modified. */
static int load_code(trk_artifact *a, char *text, size_t len, char *err, size_t errcap)
{
    if (len < 2 || text[0] != '0' || text[1] != 'x' || len % 2 != 0) {
        errf(err, errcap, "%s: bytecode is not \"0x\" and an even number of digits", a->path);
        return RPC_EHEX;
    }
    if ((len - 2) / 2 > TRK_ARTIFACT_CODE_MAX) {
        errf(err, errcap, "%s: bytecode of %zu bytes is over %d", a->path, (len - 2) / 2,
             TRK_ARTIFACT_CODE_MAX);
        return RPC_ETOO_LARGE;
    }
    const cJSON *links = cJSON_GetObjectItemCaseSensitive(a->root, "linkReferences");
    if (links && !cJSON_IsObject(links)) {
        errf(err, errcap, "%s: linkReferences is not an object", a->path);
        return RPC_EJSON;
    }
    const cJSON *file;
    cJSON_ArrayForEach(file, links)
    {
        if (!cJSON_IsObject(file)) {
            errf(err, errcap, "%s: linkReferences entry is not an object", a->path);
            return RPC_EJSON;
        }
        const cJSON *lib;
        cJSON_ArrayForEach(lib, file)
        {
            int rc = add_refs(a, text + 2, len - 2, lib, err, errcap);
            if (rc)
                return rc;
        }
    }
    for (size_t i = 2; i < len; i++) {
        if (!is_hex(text[i])) {
            errf(err, errcap, "%s: bytecode has %s at byte %zu", a->path,
                 text[i] == '_' ? "a placeholder linkReferences does not list" : "a non-hex digit",
                 (i - 2) / 2);
            return RPC_EHEX;
        }
    }
    a->code = malloc(len / 2 + 1);
    if (!a->code)
        return RPC_ENOMEM;
    int rc = rpc_hex_decode(a->code, len / 2 + 1, &a->code_len, text, len);
    if (rc)
        errf(err, errcap, "%s: bytecode: %s", a->path, rpc_strerror(rc));
    return rc;
}

int trk_artifact_load(trk_artifact **out, char *err, size_t errcap, const char *path)
{
    *out = NULL;
    errf(err, errcap, "%s", "");
    char *text = NULL;
    size_t len = 0;
    trk_artifact *a = calloc(1, sizeof *a);
    if (!a)
        return RPC_ENOMEM;
    int rc = RPC_ENOMEM;
    a->path = strdup(path);
    if (!a->path)
        goto fail;
    rc = trk_read_file(&text, &len, path);
    if (rc) {
        if (rc == RPC_ENOTFOUND)
            errf(err, errcap, "%s: cannot read: %s", path, strerror(errno));
        else
            errf(err, errcap, "%s: %s", path, rpc_strerror(rc));
        goto fail;
    }
    rc = RPC_EJSON;
    a->root = cJSON_ParseWithLength(text, len);
    if (!a->root) {
        errf(err, errcap, "%s: not valid JSON (near byte %zu)", path,
             cJSON_GetErrorPtr() ? (size_t)(cJSON_GetErrorPtr() - text) : 0);
        goto fail;
    }
    a->abi = cJSON_GetObjectItemCaseSensitive(a->root, "abi");
    cJSON *bytecode = cJSON_GetObjectItemCaseSensitive(a->root, "bytecode");
    if (!cJSON_IsArray(a->abi) || !cJSON_IsString(bytecode)) {
        errf(err, errcap, "%s: no \"abi\" array or no \"bytecode\" string", path);
        goto fail;
    }
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(a->root, "contractName");
    a->name = cJSON_IsString(name) ? name->valuestring : NULL;
    /* The placeholders are blanked in the JSON's own copy of the string; nothing else
     * reads it. */
    rc = load_code(a, bytecode->valuestring, strlen(bytecode->valuestring), err, errcap);
    if (rc)
        goto fail;
    free(text);
    *out = a;
    return RPC_OK;
fail:
    free(text);
    trk_artifact_free(a);
    return rc;
}

int trk_artifact_link(const trk_artifact *a, uint8_t *code, size_t cap, size_t *len, char *err,
                      size_t errcap, const trk_link *libs, size_t n)
{
    *len = 0;
    errf(err, errcap, "%s", "");
    if (cap < a->code_len) {
        errf(err, errcap, "%s: code of %zu bytes does not fit %zu", a->path, a->code_len, cap);
        return RPC_ETOO_LARGE;
    }
    memcpy(code, a->code, a->code_len);
    for (size_t i = 0; i < a->n_refs; i++) {
        const trk_link *l = NULL;
        for (size_t j = 0; j < n && !l; j++)
            if (strcmp(libs[j].name, a->refs[i].lib) == 0)
                l = &libs[j];
        if (!l) {
            errf(err, errcap, "%s: library %s is not linked (placeholder at byte %zu)", a->path,
                 a->refs[i].lib, a->refs[i].off);
            memset(code, 0, a->code_len);
            return RPC_ENOTFOUND;
        }
        memcpy(code + a->refs[i].off, l->addr.b, LIB_ADDR_LEN);
    }
    *len = a->code_len;
    return RPC_OK;
}

/* A bounded string builder: pos advances past cap only to report truncation. */
typedef struct sbuf {
    char *p;
    size_t cap, pos;
} sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
    if (b->pos < b->cap && n < b->cap - b->pos)
        memcpy(b->p + b->pos, s, n);
    b->pos += n;
}

static void puts_(sbuf *b, const char *s)
{
    put(b, s, strlen(s));
}

static int put_params(sbuf *b, const cJSON *params, int depth);

/* put_type: one parameter's canonical type; "tuple[2][]" becomes "(...)[2][]". */
static int put_type(sbuf *b, const cJSON *param, int depth)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(param, "type");
    if (!cJSON_IsString(type))
        return RPC_EJSON;
    const char *t = type->valuestring;
    if (strncmp(t, "tuple", 5) != 0) {
        puts_(b, t);
        return RPC_OK;
    }
    int rc = put_params(b, cJSON_GetObjectItemCaseSensitive(param, "components"), depth + 1);
    if (rc)
        return rc;
    puts_(b, t + 5);
    return RPC_OK;
}

static int put_params(sbuf *b, const cJSON *params, int depth)
{
    if (!cJSON_IsArray(params) || depth > 16)
        return RPC_EJSON;
    puts_(b, "(");
    const cJSON *p;
    bool first = true;
    cJSON_ArrayForEach(p, params)
    {
        if (!first)
            puts_(b, ",");
        first = false;
        int rc = put_type(b, p, depth);
        if (rc)
            return rc;
    }
    puts_(b, ")");
    return RPC_OK;
}

int trk_artifact_signature(const trk_artifact *a, char *sig, size_t cap, const char *name,
                           int arity)
{
    if (cap)
        sig[0] = '\0';
    const cJSON *found = NULL, *e;
    cJSON_ArrayForEach(e, a->abi)
    {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(e, "type");
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(e, "name");
        const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(e, "inputs");
        if (!cJSON_IsString(type))
            return RPC_EJSON;
        bool match = name ? strcmp(type->valuestring, "function") == 0 && cJSON_IsString(nm) &&
                                strcmp(nm->valuestring, name) == 0
                          : strcmp(type->valuestring, "constructor") == 0;
        if (!match)
            continue;
        if (arity >= 0 && cJSON_GetArraySize(inputs) != arity)
            continue;
        if (found)
            return RPC_EINVAL;
        found = e;
    }
    if (!found && name)
        return RPC_ENOTFOUND;
    sbuf b = {sig, cap, 0};
    if (name)
        puts_(&b, name);
    int rc = found ? put_params(&b, cJSON_GetObjectItemCaseSensitive(found, "inputs"), 0)
                   : (puts_(&b, "()"), RPC_OK);
    if (rc == RPC_OK && b.pos >= cap)
        rc = RPC_ETOO_LARGE;
    if (rc) {
        if (cap)
            sig[0] = '\0';
        return rc;
    }
    sig[b.pos] = '\0';
    return RPC_OK;
}
