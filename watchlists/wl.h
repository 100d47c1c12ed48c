/* watchlists/wl.h — what whaletrack watches, read from hand-edited INI files: entities
 * (one or many addresses), exchange labels, protocols, rules and RPC endpoints.
 *
 * A wl_set is immutable once loaded: any number of threads may read it. A load either
 * gives a complete, validated set or none plus every error found, each "path:line: msg".
 * Values written as ${VAR} come from the environment and are secrets: the set keeps the
 * file text next to them ("shown") and errors quote only that. Numbers are exact
 * fixed-point integers, never doubles. See README "Watchlists" for the file format. */
#ifndef WT_WATCHLISTS_WL_H
#define WT_WATCHLISTS_WL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpc/types.h"

#if defined(__GNUC__)
#define WL_WUR __attribute__((warn_unused_result))
#else
#define WL_WUR
#endif

/* Error codes: negative, 0 is success. Appended, never renumbered. */
#define WL_ERRORS(X)                                                        \
    X(WL_OK, 0, "success")                                                  \
    X(WL_EINVAL, -1, "invalid argument")                                    \
    X(WL_ENOMEM, -2, "out of memory")                                       \
    X(WL_EIO, -3, "a watchlist file or directory could not be read")        \
    X(WL_EINVALID, -4, "the watchlist has errors")                          \
    X(WL_EWATCH, -5, "file watching (inotify) failed")

enum wl_err {
#define WL_ERR_ENUM_(name, code, text) name = (code),
    WL_ERRORS(WL_ERR_ENUM_)
#undef WL_ERR_ENUM_
};

/* wl_strerror: a static English description of a wl error code; never NULL. */
const char *wl_strerror(int err);

/* ---- Errors of a load ---------------------------------------------------------- */

/* One problem found in the files. All strings belong to the wl_errors list. */
typedef struct wl_error {
    const char *path; /* the file as named in the load ("watchlists/whales.ini") */
    unsigned line;    /* 1-based; 0 when it concerns a whole file or directory */
    const char *msg;  /* the message alone */
    const char *text; /* "path:line: msg" ("path: msg" when line is 0) */
    unsigned file_ix; /* internal sort keys: file order, then line, then arrival */
    size_t seq;
} wl_error;

/* The errors of one load, in file order then line order. Zero-initialise before first
 * use (wl_errors e = {0};); free with wl_errors_free(). At most WL_MAX_ERRORS are kept,
 * the rest only counted in dropped. */
#define WL_MAX_ERRORS 1000
typedef struct wl_errors {
    wl_error *v;
    size_t n, cap;
    size_t dropped;
} wl_errors;

/* wl_errors_free: free every error and leave the list empty and reusable. NULL is a
 * no-op. */
void wl_errors_free(wl_errors *errs);

/* ---- Loading ------------------------------------------------------------------- */

/* The scales of fixed-point values. */
#define WL_USD_DECIMALS 8 /* USD amounts: 100000000 is $1 (Aave's oracle base unit) */
#define WL_HF_DECIMALS 18 /* health factors: 10^18 is 1.0 (Aave's WAD) */
#define WL_SINCE_NONE UINT64_MAX /* entity without since: use rules.backfill_blocks */

typedef const char *(*wl_getenv_fn)(void *ctx, const char *name);

/* Options of a load; NULL means all defaults. */
typedef struct wl_load_opts {
    wl_getenv_fn getenv; /* ${VAR} lookup; NULL: the process environment (getenv(3)) */
    void *getenv_ctx;
} wl_load_opts;

typedef struct wl_set wl_set;

/* wl_load: read, expand, validate and merge watchlist files into one set.
 * Each path is a file, or a directory whose *.ini files (not hidden, not in
 * subdirectories) are read in byte order of their names. Paths are read in the order
 * given; all files share one namespace (an entity or address defined twice is an error).
 * Returns: WL_OK; WL_EINVALID (errors in the files: see errs); WL_EIO (a path could not
 *          be read; also listed in errs); WL_ENOMEM.
 * Out:     *out: the set, caller frees with wl_set_free(); NULL on any error.
 *          errs: emptied first, then every error of the load (only on failure).
 * In:      paths, npaths: at least one path; opts: NULL or options. */
WL_WUR int wl_load(wl_set **out, wl_errors *errs, const char *const *paths, size_t npaths,
                   const wl_load_opts *opts);

/* wl_set_free: free a set and everything borrowed from it. NULL is a no-op. */
void wl_set_free(wl_set *set);

/* ---- What a set holds (all borrowed from the set, valid until wl_set_free) ------- */

typedef struct wl_entity {
    const char *name;
    const rpc_addr *addrs; /* in file order */
    size_t naddrs;
    const char *const *tags;
    size_t ntags;
    uint64_t since;   /* first block to backfill from; WL_SINCE_NONE when not given */
    bool from_env;    /* a value came from ${VAR}: a secret, print none of them */
    const char *path; /* where the [entity] section starts */
    unsigned line;
} wl_entity;

typedef struct wl_exchange {
    const char *name; /* the label: "Binance" */
    const rpc_addr *addrs;
    size_t naddrs;
    const char *path;
    unsigned line;
} wl_exchange;

enum wl_proto_kind { WL_PROTO_AAVE_V3 = 1, WL_PROTO_COMPOUND_V3 = 2, WL_PROTO_MORPHO_BLUE = 3 };

typedef struct wl_protocol {
    const char *name;
    enum wl_proto_kind kind;
    rpc_addr contract;           /* aave-v3: pool; compound-v3: comet; morpho-blue: morpho */
    rpc_addr oracle;             /* aave-v3 only (zero otherwise) */
    rpc_addr data_provider;      /* aave-v3 only */
    rpc_addr addresses_provider; /* aave-v3, optional: zero when not given */
    const rpc_hash32 *markets;   /* morpho-blue: market ids; none means every market */
    size_t nmarkets;
    bool from_env; /* a value came from ${VAR}: a secret, print none of them */
    const char *path;
    unsigned line;
} wl_protocol;

/* Move kinds that carry a USD amount, for per-kind min_usd overrides. */
#define WL_KINDS(X)                                                                      \
    X(WL_KIND_TRANSFER_OUT, "transfer_out") X(WL_KIND_TRANSFER_IN, "transfer_in")        \
    X(WL_KIND_EXCHANGE_DEPOSIT, "exchange_deposit")                                      \
    X(WL_KIND_EXCHANGE_WITHDRAWAL, "exchange_withdrawal") X(WL_KIND_SUPPLY, "supply")    \
    X(WL_KIND_WITHDRAW, "withdraw") X(WL_KIND_BORROW, "borrow") X(WL_KIND_REPAY, "repay") \
    X(WL_KIND_LIQUIDATED, "liquidated")

enum wl_kind {
#define WL_KIND_ENUM_(name, text) name,
    WL_KINDS(WL_KIND_ENUM_)
#undef WL_KIND_ENUM_
    WL_KIND_COUNT
};

/* wl_kind_name: "transfer_out" for WL_KIND_TRANSFER_OUT; "?" out of range. */
const char *wl_kind_name(enum wl_kind k);
/* wl_proto_kind_name: "aave-v3", "compound-v3", "morpho-blue"; "?" otherwise. */
const char *wl_proto_kind_name(enum wl_proto_kind k);

/* [rules]; every field holds its default when the files do not set it. */
typedef struct wl_rules {
    rpc_u256 min_usd;                     /* USD x 10^8; default $1,000,000 */
    rpc_u256 min_usd_kind[WL_KIND_COUNT]; /* the override of each kind, else min_usd */
    uint32_t overridden;                  /* bit k set: min_usd.<kind k> was given */
    rpc_u256 health_factor_warn;          /* x 10^18; default 1.3 */
    uint32_t liquidation_price_move_bp;   /* basis points (200 = 2 %); default 200 */
    uint64_t backfill_blocks;             /* look-back for entities without since; 7200 */
    bool from_env;                        /* a value came from ${VAR}: print none */
    const char *path;                     /* NULL when the files have no [rules] */
    unsigned line;
} wl_rules;

typedef struct wl_rpc_url {
    const char *url;   /* the real URL: a secret when it came from ${VAR}, never print */
    const char *shown; /* printable: the URL, or its file text ("${ETH_RPC_URL}") */
    bool secret;
} wl_rpc_url;

/* [rpc] */
typedef struct wl_rpc {
    const wl_rpc_url *urls; /* in file order: the first is primary, the rest failover */
    size_t nurls;
    uint64_t chain_id;      /* default 1 */
    uint32_t confirmations; /* blocks behind head before a block is processed; default 2 */
    uint32_t max_lag;       /* an endpoint further behind the best head is skipped; 5 */
    uint32_t rate_limit;    /* requests per second per endpoint, 0 = unlimited (default) */
    uint32_t timeout_ms;    /* per request; default 10000 */
    bool from_env;          /* a number came from ${VAR}: print none (urls: see shown) */
    const char *path;
    unsigned line;
} wl_rpc;

size_t wl_file_count(const wl_set *set);
const char *wl_file_at(const wl_set *set, size_t i); /* the files read, in load order */
size_t wl_entity_count(const wl_set *set);
const wl_entity *wl_entity_at(const wl_set *set, size_t i); /* in file order */
size_t wl_exchange_count(const wl_set *set);
const wl_exchange *wl_exchange_at(const wl_set *set, size_t i);
size_t wl_protocol_count(const wl_set *set);
const wl_protocol *wl_protocol_at(const wl_set *set, size_t i);
/* wl_rules_of: never NULL (defaults when no [rules]). */
const wl_rules *wl_rules_of(const wl_set *set);
/* wl_rpc_of: NULL when the files have no [rpc] section. */
const wl_rpc *wl_rpc_of(const wl_set *set);

/* wl_watched: every entity address, sorted by bytes (memcmp), no duplicates.
 * Out: *n, the count. Returns the array (borrowed; NULL when *n is 0). */
const rpc_addr *wl_watched(const wl_set *set, size_t *n);

/* wl_entity_of / wl_exchange_of: the entity (exchange) an address belongs to, by binary
 * search. Returns: borrowed, or NULL when the address is not one of theirs. */
const wl_entity *wl_entity_of(const wl_set *set, const rpc_addr *a);
const wl_exchange *wl_exchange_of(const wl_set *set, const rpc_addr *a);

/* [sink "name"]: where alerts go, and which moves. Strings borrowed from the set. */
enum wl_sink_kind { WL_SINK_WEBHOOK = 1, WL_SINK_TELEGRAM = 2, WL_SINK_DISCORD = 3,
                    WL_SINK_COMMAND = 4 };

typedef struct wl_sink {
    const char *name;
    uint32_t id; /* stable across restarts and reloads (a hash of the name, never 0): the
                    outbox keys alerts by it */
    enum wl_sink_kind kind;
    const char *url;      /* webhook, discord: the real URL; a secret when from ${VAR} */
    const char *url_shown;
    const char *secret;   /* webhook: HMAC-SHA256 key (X-Whaletrack-Signature); or NULL */
    const char *token;    /* telegram: the bot token (a secret) */
    const char *chat_id;  /* telegram */
    const char *const *argv; /* command: program and arguments, no shell; NULL-terminated */
    size_t argc;
    const char *const *kinds; /* move kind names this sink wants; none: every kind */
    size_t nkinds;
    const char *const *entities; /* entity names; none: every entity */
    size_t nentities;
    rpc_u256 min_usd;     /* USD x 10^8; 0 = any (health factor moves carry debt USD) */
    uint32_t timeout_ms;  /* per delivery attempt; default 10000 */
    bool from_env;        /* a value came from ${VAR}: print none of them */
    const char *path;
    unsigned line;
} wl_sink;

size_t wl_sink_count(const wl_set *set);
const wl_sink *wl_sink_at(const wl_set *set, size_t i); /* in file order */
/* wl_sink_kind_name: "webhook", "telegram", "discord", "command"; "?" otherwise. */
const char *wl_sink_kind_name(enum wl_sink_kind k);

/* ---- Reload -------------------------------------------------------------------- */

typedef struct wl_diff_addr {
    rpc_addr addr;
    uint64_t since;     /* the new entity's since (added), WL_SINCE_NONE if not given */
    const char *entity; /* entity name (new set for added, old set for removed) */
} wl_diff_addr;

/* What changed in the watched addresses between two sets. Addresses that stay watched
 * (even under another entity) are in neither list. Owns its memory. */
typedef struct wl_diff {
    wl_diff_addr *added; /* sorted by address */
    size_t nadded;
    wl_diff_addr *removed;
    size_t nremoved;
    char *names_; /* internal: storage of the entity names */
} wl_diff;

/* wl_diff_compute: the watched addresses added and removed from old to new.
 * Returns: WL_OK; WL_ENOMEM.
 * Out:     *diff, free with wl_diff_free(); zeroed on error.
 * In:      old_set: NULL means empty (everything is added); new_set: not NULL. */
WL_WUR int wl_diff_compute(wl_diff *diff, const wl_set *old_set, const wl_set *new_set);

/* wl_diff_free: free a diff and zero it. NULL is a no-op. */
void wl_diff_free(wl_diff *diff);

/* wl_reload: load paths into a new set; on success free *cur and replace it, on failure
 * keep *cur untouched. Call it between batches: pointers borrowed from the old set die.
 * Returns: as wl_load.
 * Out:     *cur: the new set on success; diff: old -> new on success (free with
 *          wl_diff_free), zeroed on failure; errs: as wl_load.
 * In:      *cur: the running set or NULL; paths, npaths, opts: as wl_load. */
WL_WUR int wl_reload(wl_set **cur, wl_diff *diff, wl_errors *errs, const char *const *paths,
                     size_t npaths, const wl_load_opts *opts);

/* ---- Watching the files -------------------------------------------------------- */

/* Watches the paths of a load with inotify: an *.ini file in a watched directory, or a
 * watched file, written and closed, moved in or out, or deleted. One thread. */
typedef struct wl_watcher wl_watcher;

/* wl_watcher_open: start watching (directories, and the directory of each file).
 * Returns: WL_OK; WL_EWATCH (inotify refused: errno kept); WL_ENOMEM.
 * Out:     *w: free with wl_watcher_close(); NULL on error. */
WL_WUR int wl_watcher_open(wl_watcher **w, const char *const *paths, size_t npaths);

/* wl_watcher_fd: the descriptor to poll(2) for POLLIN; owned by the watcher. */
int wl_watcher_fd(const wl_watcher *w);

/* wl_watcher_poll: drain pending events without blocking.
 * Returns: WL_OK; WL_EWATCH (read failed: reload anyway, then reopen the watcher).
 * Out:     *changed: true when a relevant file changed since the last poll (also when
 *          events were lost to a queue overflow); false on error. */
WL_WUR int wl_watcher_poll(wl_watcher *w, bool *changed);

/* wl_watcher_close: stop watching and free. NULL is a no-op. */
void wl_watcher_close(wl_watcher *w);

#endif
