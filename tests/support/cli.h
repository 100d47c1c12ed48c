/* tests/support/cli.h — the whaletrack binary as a real process in tests: run it to the
 * end with its output captured, or start it with its stdout on a pipe. */
#ifndef WT_TESTS_CLI_H
#define WT_TESTS_CLI_H

#include <stddef.h>
#include <sys/types.h>

typedef struct wt_cli_out {
    int status; /* exit code; 128 + signal when killed; -1 on timeout (then killed) */
    char *out;  /* stdout, NUL-terminated (free) */
    size_t out_len;
    char *err; /* stderr, NUL-terminated (free) */
} wt_cli_out;

/* wt_cli_run: runs WT_BUILD_DIR/whaletrack with args (NULL-terminated, without argv[0]),
 * in the current directory, with the extra environment entries env ("K=V", NULL-terminated,
 * may be NULL), for at most timeout_s. Returns 0; -1 if it could not start. */
int wt_cli_run(wt_cli_out *o, const char *const *args, const char *const *env, int timeout_s);
void wt_cli_out_free(wt_cli_out *o);

/* wt_cli_spawn: starts whaletrack with args; its stdout on *out_fd (read end, O_NONBLOCK),
 * stderr appended to err_path (may be NULL: /dev/null). Returns the pid, or -1. */
pid_t wt_cli_spawn(int *out_fd, const char *const *args, const char *const *env,
                   const char *err_path);

/* wt_read_until: reads fd into buf (appending at *len, cap bytes) until it holds `lines`
 * newlines or timeout_ms passes. Returns the newline count seen. */
int wt_read_until(int fd, char *buf, size_t cap, size_t *len, int lines, int timeout_ms);

#endif
