/* tests/support/cli.c — running whaletrack as a child process: argv built here (no shell),
 * output collected through pipes with poll, a deadline that kills a stuck child. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/support/cli.h"

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void child_exec(const char *const *args, const char *const *env)
{
    const char *argv[64] = {WT_BUILD_DIR "/whaletrack"};
    size_t n = 1;
    for (; args[n - 1] && n < 63; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    for (size_t i = 0; env && env[i]; i++)
        putenv((char *)env[i]);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    execv(argv[0], (char *const *)argv);
    _exit(127);
}

struct buf {
    char *p;
    size_t len, cap;
};

static void drain(int fd, struct buf *b, int *open)
{
    char tmp[4096];
    ssize_t n = read(fd, tmp, sizeof tmp);
    if (n <= 0) {
        if (n == 0 || (errno != EAGAIN && errno != EINTR))
            *open = 0;
        return;
    }
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = (b->len + (size_t)n + 1) * 2;
        char *g = realloc(b->p, cap);
        if (!g)
            return;
        b->p = g;
        b->cap = cap;
    }
    memcpy(b->p + b->len, tmp, (size_t)n);
    b->len += (size_t)n;
    b->p[b->len] = '\0';
}

int wt_cli_run(wt_cli_out *o, const char *const *args, const char *const *env, int timeout_s)
{
    int po[2], pe[2];
    memset(o, 0, sizeof *o);
    if (pipe(po) || pipe(pe))
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        if (in < 0 || dup2(in, 0) < 0 || dup2(po[1], 1) < 0 || dup2(pe[1], 2) < 0)
            _exit(127);
        close(po[0]);
        close(pe[0]);
        child_exec(args, env);
    }
    close(po[1]);
    close(pe[1]);
    struct buf bo = {calloc(1, 1), 0, 1}, be = {calloc(1, 1), 0, 1};
    int oo = 1, eo = 1;
    int64_t deadline = now_ms() + timeout_s * 1000;
    while ((oo || eo) && now_ms() < deadline) {
        struct pollfd p[2] = {{oo ? po[0] : -1, POLLIN, 0}, {eo ? pe[0] : -1, POLLIN, 0}};
        if (poll(p, 2, 100) <= 0)
            continue;
        if (p[0].revents)
            drain(po[0], &bo, &oo);
        if (p[1].revents)
            drain(pe[0], &be, &eo);
    }
    close(po[0]);
    close(pe[0]);
    int st = 0;
    if (oo || eo) {
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
        o->status = -1;
    } else {
        waitpid(pid, &st, 0);
        o->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
    o->out = bo.p;
    o->out_len = bo.len;
    o->err = be.p;
    return 0;
}

void wt_cli_out_free(wt_cli_out *o)
{
    free(o->out);
    free(o->err);
    memset(o, 0, sizeof *o);
}

pid_t wt_cli_spawn(int *out_fd, const char *const *args, const char *const *env,
                   const char *err_path)
{
    int po[2];
    if (pipe(po))
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int err = err_path ? open(err_path, O_WRONLY | O_CREAT | O_APPEND, 0600)
                           : open("/dev/null", O_WRONLY);
        int in = open("/dev/null", O_RDONLY);
        if (err < 0 || in < 0 || dup2(in, 0) < 0 || dup2(po[1], 1) < 0 || dup2(err, 2) < 0)
            _exit(127);
        close(po[0]);
        child_exec(args, env);
    }
    close(po[1]);
    (void)fcntl(po[0], F_SETFL, O_NONBLOCK);
    *out_fd = po[0];
    return pid;
}

int wt_read_until(int fd, char *buf, size_t cap, size_t *len, int lines, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    int seen = 0;
    for (;;) {
        seen = 0;
        for (size_t i = 0; i < *len; i++)
            seen += buf[i] == '\n';
        if (seen >= lines || now_ms() >= deadline || *len + 1 >= cap)
            break;
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0)
            continue;
        ssize_t n = read(fd, buf + *len, cap - 1 - *len);
        if (n > 0) {
            *len += (size_t)n;
            buf[*len] = '\0';
        } else if (n == 0) {
            break;
        }
    }
    return seen;
}
