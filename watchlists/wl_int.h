/* watchlists/wl_int.h — internal to watchlists/ (and its tests): the set's layout while it
 * is built, the per-file parse context, and the helpers the source files share.
 * Nothing outside watchlists/ includes this file, except tests and the fuzz target. */
#ifndef WT_WATCHLISTS_WL_INT_H
#define WT_WATCHLISTS_WL_INT_H

#include <stdarg.h>

#include "watchlists/wl.h"

#define WL_MAX_FILE_BYTES (16u << 20) /* one watchlist file */
#define WL_MAX_VALUE 1024             /* a value after ${VAR} expansion */
#define WL_MAX_NAME 48                /* entity, exchange and protocol names */

#if defined(__GNUC__)
#define WL_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define WL_PRINTF(a, b)
#endif

/* ---- arena: strings and arrays that live as long as their set ---- */
struct wl_arena_chunk;
struct wl_arena {
    struct wl_arena_chunk *head;
};
void *wl_arena_alloc(struct wl_arena *a, size_t n); /* NULL on OOM; 16-aligned */
char *wl_arena_strndup(struct wl_arena *a, const char *s, size_t n);
void wl_arena_free(struct wl_arena *a);

/* wl_grow: make room for one more element in a malloc'ed vector (*v, *cap). 0 or -1. */
WL_WUR int wl_grow(void **v, size_t *cap, size_t n, size_t elem);

/* ---- errors ---- */
/* wl_errors_addv: append "path:line: msg". Returns 0, or -1 on OOM. */
WL_WUR int wl_errors_add(wl_errors *e, const char *path, unsigned file_ix, unsigned line,
                         const char *fmt, ...) WL_PRINTF(5, 6);
void wl_errors_sort(wl_errors *e);

/* ---- ${VAR} expansion (expand.c) ---- */
/* wl_expand: copy in to out replacing ${NAME} by its value and "$$" by "$".
 * Returns: 0; -1 with a message in msg (undefined or malformed variable, too long).
 * Out: out (cap bytes, NUL-terminated, "" on error); *secret: a variable was used. */
WL_WUR int wl_expand(char *out, size_t cap, bool *secret, char *msg, size_t msgcap,
                     const char *in, wl_getenv_fn getenv_fn, void *getenv_ctx);

/* ---- value parsers (value.c); each writes a message on failure ---- */
WL_WUR int wl_parse_addr(rpc_addr *a, char *msg, size_t msgcap, const char *s,
                         const char *shown);
WL_WUR int wl_parse_u64(uint64_t *v, char *msg, size_t msgcap, const char *key, const char *s,
                        const char *shown, uint64_t min, uint64_t max);
WL_WUR int wl_parse_fixed(rpc_u256 *v, char *msg, size_t msgcap, const char *key,
                          const char *s, const char *shown, unsigned decimals);
/* wl_suggest: the candidate closest to word by edit distance, or NULL when none is close */
const char *wl_suggest(const char *word, const char *const *cands, size_t n);
size_t wl_edit_distance(const char *a, const char *b);

/* ---- the set under construction ---- */
struct wl_occ { /* one address line of an entity or exchange */
    rpc_addr a;
    uint8_t exchange; /* 0 entity, 1 exchange */
    uint8_t secret;   /* written as ${VAR}: errors must not print it */
    uint32_t owner;   /* index into ents or exch */
    uint32_t file;
    uint32_t line;
};

struct wl_ent_b {
    wl_entity pub;
    rpc_addr *addrs;
    size_t cap;
    const char **tags;
    unsigned file;
    bool bad_addr; /* an address line failed: "has no address" would only repeat it */
};

struct wl_exch_b {
    wl_exchange pub;
    rpc_addr *addrs;
    size_t cap;
    unsigned file;
    bool bad_addr;
};

struct wl_kv { /* a key of a [protocol] or [sink] section, checked once its kind is known */
    const char *key, *value, *shown;
    unsigned line;
    bool secret;
};

struct wl_sink_b {
    wl_sink pub;
    struct wl_kv *kv;
    size_t nkv, cap;
    unsigned file;
};

struct wl_proto_b {
    wl_protocol pub;
    struct wl_kv *kv;
    size_t nkv, cap;
    rpc_hash32 *markets;
    size_t mcap;
    unsigned file;
};

struct wl_set {
    struct wl_arena arena;
    const char **files;
    size_t nfiles, capfiles;
    struct wl_ent_b *ents;
    size_t nents, capents;
    struct wl_exch_b *exch;
    size_t nexch, capexch;
    struct wl_proto_b *protos;
    size_t nprotos, capprotos;
    struct wl_sink_b *sinks;
    size_t nsinks, capsinks;
    wl_rules rules;
    unsigned rules_file;
    wl_rpc rpc;
    bool has_rpc;
    bool bad_url; /* a url line failed: "missing url" would only repeat it */
    unsigned rpc_file;
    wl_rpc_url *urls;
    size_t capurls;
    struct wl_occ *occ;
    size_t nocc, capocc;
    /* built by wl_set_finish: sorted indexes */
    rpc_addr *watched;
    uint32_t *watched_owner;
    size_t nwatched;
    rpc_addr *labelled;
    uint32_t *label_owner;
    size_t nlabelled;
};

/* wl_set_new: an empty set with default rules. NULL on OOM. */
wl_set *wl_set_new(void);

/* wl_parse_buffer: parse one file's text into set (parse.c). Errors go to errs.
 * Returns: WL_OK (errors, if any, are in errs); WL_ENOMEM. */
WL_WUR int wl_parse_buffer(wl_set *set, wl_errors *errs, const char *path, unsigned file_ix,
                           const char *buf, size_t len, const wl_load_opts *opts);

/* wl_load_buffer: wl_load for one in-memory file named name (tests, fuzzing). */
WL_WUR int wl_load_buffer(wl_set **out, wl_errors *errs, const char *name, const char *buf,
                          size_t len, const wl_load_opts *opts);

/* wl_set_finish: the checks that need every file (required keys, addresses used twice),
 * then the sorted indexes (set.c). Returns WL_OK (errors in errs); WL_ENOMEM. */
WL_WUR int wl_set_finish(wl_set *set, wl_errors *errs);

/* wl_check_protocol: validate the keys of one [protocol] section (protocol.c). */
WL_WUR int wl_check_protocol(wl_set *set, wl_errors *errs, struct wl_proto_b *p);

/* wl_check_sink: validate the keys of one [sink] section, once every entity is known
 * (sink.c). Returns WL_OK (errors in errs); WL_ENOMEM. */
WL_WUR int wl_check_sink(wl_set *set, wl_errors *errs, struct wl_sink_b *k);

#endif
