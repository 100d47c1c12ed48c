/* tests/rpc/prog_faultproxy/rules.h — the fault proxy's control plane: the scripted rules, which
 * request each one acts on, and the counters tests read back. Shared by the proxy's connection
 * threads: every function here takes the one lock itself. */
#ifndef WT_TESTS_FP_RULES_H
#define WT_TESTS_FP_RULES_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define FP_NAME_CAP 64

enum fp_fault {
    F_HTTP,
    F_HANG,
    F_CLOSE_MID,
    F_TRUNCATE,
    F_HTML,
    F_WRONG_ID,
    F_REORDER,
    F_DROP_ONE,
    F_CHAIN_ID,
    F_STALE_HEAD,
    F_RANGE_CAP,
    F_RESULTS_CAP,
    F_EDIT,
    F_DROP_ITEM,
    F_NO_METHOD,
    F_COUNT_
};

enum fp_style { S_INFURA, S_RANGE, S_QUICKNODE, S_ALCHEMY, S_HTTP413, S_COUNT_ };

struct fp_rule {
    enum fp_fault f;
    char method[FP_NAME_CAP]; /* "" = any */
    char path[FP_NAME_CAP];   /* edit, drop_item: where in the result */
    char value[FP_NAME_CAP];  /* edit: the new string; "" = change the last hex digit */
    long count;               /* faults left to serve; -1 = unlimited */
    long skip;                /* matching requests still to let through */
    double prob;
    uint64_t rng;
    long status, retry_after, seconds, lag, max;
    uint64_t chain;
    enum fp_style style;
    long matched, served;
};

enum fp_counter { FP_FORWARDED, FP_UPSTREAM_ERRORS, FP_CONNECTIONS };

/* fp_rule_add: parse "FAULT key=value ..." and append it to the rules.
 * Returns: the rule's index; -1 with *why set (bad text, too many rules). */
int fp_rule_add(const char *text, size_t n, const char **why);

/* fp_pick: count a JSON-RPC request to path (req may be NULL: not JSON) and its calls, and
 * choose the first rule that acts on it. Returns: the rule's index, a copy in *out; -1 for
 * none. */
int fp_pick(const char *path, cJSON *req, struct fp_rule *out);

/* fp_served: rule i did act: count it, use up one of its count. */
void fp_served(int i);

/* fp_count: one more of a traffic counter. */
void fp_count(enum fp_counter which);

/* fp_control: run the command lines of a POST /_ctl body in order, stopping at the first bad
 * one (the lines before it stay done). Returns the JSON answer (caller frees with free(), NULL
 * when out of memory); *status its HTTP status. */
char *fp_control(const char *body, size_t n, int *status);

/* fp_parse_quantity: a JSON-RPC "0x..." quantity (1 to 16 digits). Returns 0, or -1. */
int fp_parse_quantity(uint64_t *out, const char *s);

#endif
