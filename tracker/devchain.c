/* tracker/devchain.c — start, stop and equip a local anvil for the demo and the tests.
 * Invariant: every anvil started here is stopped by its own PID (trk_devchain_stop, or the
 * kernel's parent-death signal), never by name, so other users' chains are left alone. */
#include "tracker/devchain.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "rpc/addr.h"
#include "rpc/err.h"
#include "tracker/artifact.h"

#define ANVIL_REL "/@foundry-rs/anvil-linux-amd64/bin/anvil"
#define VIEM_REL "/viem/_cjs/constants/contracts.js"
#define MULTICALL3 "0xca11bde05977b3631167028862be2a173976ca11"

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static void say(char *why, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *why, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (cap && vsnprintf(why, cap, fmt, ap) < 0)
        why[0] = '\0';
    va_end(ap);
}

static int join(char *out, size_t cap, const char *a, const char *b)
{
    int n = snprintf(out, cap, "%s%s", a, b);
    return n >= 0 && (size_t)n < cap ? TRK_OK : TRK_ETOO_LARGE;
}

int trk_devchain_node_modules(char *out, size_t cap, char *why, size_t whycap)
{
    char anvil[4096], exe[4096];
    int rc = TRK_ETOO_LARGE;
    if (cap)
        out[0] = '\0';
    say(why, whycap, "%s", "");
    const char *env = getenv("WHALETRACK_NODE_MODULES");
    if (env && env[0]) {
        if (join(out, cap, env, ""))
            goto fail;
    } else {
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0) {
            say(why, whycap, "cannot find the whaletrack binary (/proc/self/exe): %s; set "
                "WHALETRACK_NODE_MODULES", strerror(errno));
            rc = TRK_ETOOLS;
            goto fail;
        }
        exe[n] = '\0';
        /* <top>/build/<name>/whaletrack: strip three components */
        for (int i = 0; i < 3; i++) {
            char *slash = strrchr(exe, '/');
            if (!slash)
                break;
            *slash = '\0';
        }
        if (join(out, cap, exe[0] ? exe : "/", "/node_modules"))
            goto fail;
    }
    if (join(anvil, sizeof anvil, out, ANVIL_REL))
        goto fail;
    if (access(anvil, X_OK) != 0) {
        say(why, whycap, "anvil is missing (%s): run ./scripts/setup, or set "
            "WHALETRACK_NODE_MODULES to the project's node_modules", anvil);
        rc = TRK_ETOOLS;
        goto fail;
    }
    return TRK_OK;
fail:
    if (rc == TRK_ETOO_LARGE)
        say(why, whycap, "%s", "the node_modules path is too long");
    if (cap)
        out[0] = '\0';
    return rc;
}

/* The port from anvil's "Listening on 127.0.0.1:PORT" line in its log file; 0 if not yet. */
static int listening_port(int fd)
{
    char text[8192];
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    if (n <= 0)
        return 0;
    text[n] = '\0';
    static const char key[] = "Listening on 127.0.0.1:";
    const char *p = strstr(text, key);
    if (!p)
        return 0;
    p += sizeof key - 1;
    int port = 0;
    while (*p >= '0' && *p <= '9' && port < 65536)
        port = port * 10 + (*p++ - '0');
    return (*p == '\n' || *p == '\r') && port > 0 && port < 65536 ? port : 0;
}

/* answers: the node at url answers eth_chainId within 500 ms. */
static bool answers(const char *url)
{
    rpc_client_opts co;
    rpc_client_opts_default(&co);
    co.max_retries = 0;
    co.timeout_ms = 500;
    rpc_client *c = NULL;
    const char *urls[1] = {url};
    if (rpc_client_new(&c, &co, urls, 1) != RPC_OK)
        return false;
    uint64_t id = 0;
    bool ok = rpc_eth_chain_id(c, &id) == RPC_OK;
    rpc_client_free(c);
    return ok;
}

/* start_once: fork and exec anvil, its stdout and stderr in an unlinked temporary file. */
static int start_once(trk_devchain *d, char *why, size_t whycap, const char *bin,
                      const trk_devchain_opts *o)
{
    char sbt[16], scid[24], logname[] = "/tmp/wt-anvil-XXXXXX";
    const char *argv[16];
    int k = 0;
    argv[k++] = bin;
    argv[k++] = "--host";
    argv[k++] = "127.0.0.1";
    argv[k++] = "--port";
    argv[k++] = "0";
    if (o->no_mining) {
        argv[k++] = "--no-mining";
    } else if (o->block_time) {
        snprintf(sbt, sizeof sbt, "%u", o->block_time);
        argv[k++] = "--block-time";
        argv[k++] = sbt;
    }
    if (o->chain_id) {
        snprintf(scid, sizeof scid, "%llu", (unsigned long long)o->chain_id);
        argv[k++] = "--chain-id";
        argv[k++] = scid;
    }
    if (o->load_state) {
        argv[k++] = "--load-state";
        argv[k++] = o->load_state;
    }
    if (o->hardfork) {
        argv[k++] = "--hardfork";
        argv[k++] = o->hardfork;
    }
    argv[k] = NULL;

    int logfd = mkstemp(logname);
    if (logfd < 0) {
        say(why, whycap, "anvil: cannot create a log file: %s", strerror(errno));
        return TRK_ESTART;
    }
    unlink(logname);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        say(why, whycap, "anvil: fork: %s", strerror(errno));
        close(logfd);
        return TRK_ESTART;
    }
    if (pid == 0) {
        /* only async-signal-safe calls until exec */
        if (o->detach)
            (void)setsid();
        else if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
            _exit(127);
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0)
            dup2(null, 0);
        dup2(logfd, 1);
        dup2(logfd, 2);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    d->pid = pid;
    /* wait until it says where it listens and answers there, or dies: ~10 s */
    for (int i = 0; i < 500; i++) {
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            d->pid = 0;
            close(logfd);
            say(why, whycap, "anvil exited at start (status %d)", st);
            return TRK_ESTART;
        }
        if (!d->port && (d->port = listening_port(logfd)) > 0)
            snprintf(d->url, sizeof d->url, "http://127.0.0.1:%d", d->port);
        if (d->port && answers(d->url)) {
            close(logfd);
            return TRK_OK;
        }
        sleep_ms(20);
    }
    close(logfd);
    say(why, whycap, "%s", "anvil did not answer within 10 s");
    trk_devchain_stop(d);
    return TRK_ESTART;
}

int trk_devchain_start(trk_devchain *d, char *why, size_t whycap, const char *node_modules,
                       const trk_devchain_opts *o)
{
    trk_devchain_opts def;
    char bin[4096];
    memset(&def, 0, sizeof def);
    memset(d, 0, sizeof *d);
    say(why, whycap, "%s", "");
    if (!o)
        o = &def;
    if (join(bin, sizeof bin, node_modules, ANVIL_REL))
        return TRK_ETOO_LARGE;
    if (access(bin, X_OK) != 0) {
        say(why, whycap, "anvil is missing (%s): run ./scripts/setup", bin);
        return TRK_ETOOLS;
    }
    int rc = TRK_ESTART;
    for (int tries = 0; tries < 3 && rc; tries++) {
        rc = start_once(d, why, whycap, bin, o);
        if (rc) {
            trk_devchain_stop(d);
            memset(d, 0, sizeof *d);
        }
    }
    return rc;
}

void trk_devchain_stop_child(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    int st;
    bool gone = false;
    for (int i = 0; i < 300 && !gone; i++) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        gone = r == pid || (r < 0 && errno == ECHILD);
        if (!gone)
            sleep_ms(10);
    }
    if (!gone) {
        kill(pid, SIGKILL);
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
        }
    }
}

void trk_devchain_stop(trk_devchain *d)
{
    trk_devchain_stop_child(d->pid);
    memset(d, 0, sizeof *d);
}

/* ---- Multicall3 ----------------------------------------------------------------------- */

/* The multicall3Bytecode constant out of viem's compiled constants file. */
static char *viem_multicall3(const char *node_modules)
{
    static const char key[] = "multicall3Bytecode = '";
    char path[4096];
    if (join(path, sizeof path, node_modules, VIEM_REL))
        return NULL;
    char *text;
    size_t len;
    if (trk_read_file(&text, &len, path) != RPC_OK)
        return NULL;
    char *out = NULL, *p = strstr(text, key);
    if (p) {
        p += sizeof key - 1;
        char *q = strchr(p, '\'');
        if (q && q - p > 2 && p[0] == '0' && p[1] == 'x')
            out = strndup(p, (size_t)(q - p));
    }
    free(text);
    return out;
}

/* call: rpc_client_call with params built as one printf format. */
static int call(rpc_client *c, cJSON **res, char *why, size_t whycap, const char *method,
                const char *params)
{
    int rc = rpc_client_call(c, res, method, params);
    if (rc)
        say(why, whycap, "%s: %s (%s)", method, rpc_strerror(rc), rpc_client_errmsg(c));
    return rc ? TRK_ERPC : TRK_OK;
}

int trk_devchain_install_multicall3(rpc_client *c, char *why, size_t whycap,
                                    const char *node_modules, const rpc_addr *from, bool mine)
{
    char fromh[RPC_ADDR_HEX_LEN + 1], created[RPC_ADDR_HEX_LEN + 1];
    char *params = NULL, *init = viem_multicall3(node_modules);
    cJSON *res = NULL;
    rpc_receipt rec = {0};
    int rc = TRK_ETOOLS;
    say(why, whycap, "%s", "");
    if (!init) {
        say(why, whycap, "viem's multicall3Bytecode is missing under %s: run ./scripts/setup",
            node_modules);
        goto fail;
    }
    rpc_addr_format_lower(fromh, from);
    size_t cap = strlen(init) + 128;
    rc = TRK_ENOMEM;
    if (!(params = malloc(cap)))
        goto fail;
    snprintf(params, cap, "[{\"from\":\"%s\",\"data\":\"%s\"}]", fromh, init);
    if ((rc = call(c, &res, why, whycap, "eth_sendTransaction", params)))
        goto fail;
    rpc_hash32 h;
    rc = TRK_ERPC;
    if (!cJSON_IsString(res) ||
        rpc_hash32_parse(&h, res->valuestring, strlen(res->valuestring)) != RPC_OK) {
        say(why, whycap, "%s", "eth_sendTransaction answered no transaction hash");
        goto fail;
    }
    cJSON_Delete(res);
    res = NULL;
    if (mine && (rc = call(c, &res, why, whycap, "anvil_mine", "[1]")))
        goto fail;
    rc = TRK_ERPC;
    int r = RPC_ENOTFOUND;
    for (int i = 0; i < 3000 && r == RPC_ENOTFOUND; i++) {
        r = rpc_eth_get_receipt(c, &rec, &h);
        if (r == RPC_ENOTFOUND)
            sleep_ms(10);
    }
    if (r || !rec.has_status || rec.status != 1 || !rec.has_contract_address) {
        say(why, whycap, "Multicall3's deployment failed (%s)", r ? rpc_strerror(r) : "reverted");
        goto fail;
    }
    rpc_addr_format_lower(created, &rec.contract_address);
    cJSON_Delete(res);
    res = NULL;
    snprintf(params, cap, "[\"%s\",\"latest\"]", created);
    if ((rc = call(c, &res, why, whycap, "eth_getCode", params)))
        goto fail;
    rc = TRK_ERPC;
    if (!cJSON_IsString(res) || strlen(res->valuestring) < 4) {
        say(why, whycap, "%s", "Multicall3 has no runtime code after its deployment");
        goto fail;
    }
    size_t need = strlen(res->valuestring) + 64;
    char *p2 = realloc(params, need > cap ? need : cap);
    if (!p2) {
        rc = TRK_ENOMEM;
        goto fail;
    }
    params = p2;
    snprintf(params, need > cap ? need : cap, "[\"" MULTICALL3 "\",\"%s\"]", res->valuestring);
    cJSON_Delete(res);
    res = NULL;
    if ((rc = call(c, &res, why, whycap, "anvil_setCode", params)))
        goto fail;
    rc = TRK_OK;
fail:
    cJSON_Delete(res);
    rpc_receipt_free(&rec);
    free(params);
    free(init);
    return rc;
}
