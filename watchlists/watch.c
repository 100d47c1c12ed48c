/* watchlists/watch.c — tells the tracker when the files of its load changed, with one
 * non-blocking inotify descriptor it can poll beside its sockets. Invariant: a directory
 * path reports any *.ini (not hidden) inside it; a file path reports only that name. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "watchlists/wl_int.h"

#define EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_DELETE_SELF | \
                IN_MOVE_SELF)

struct wl_watch_entry {
    int wd;
    char *file; /* NULL: the whole directory; else the one name watched in it */
};

struct wl_watcher {
    int fd;
    struct wl_watch_entry *v;
    size_t n, cap;
};

static bool is_ini(const char *name)
{
    size_t n = strlen(name);
    return name[0] != '.' && n > 4 && strcmp(name + n - 4, ".ini") == 0;
}

static int add_path(wl_watcher *w, const char *path)
{
    struct stat st;
    char *dir = NULL, *file = NULL;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        dir = strdup(path);
    } else {
        const char *slash = strrchr(path, '/');
        dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
        file = strdup(slash ? slash + 1 : path);
        if (!file) {
            free(dir);
            return WL_ENOMEM;
        }
    }
    if (!dir) {
        free(file);
        return WL_ENOMEM;
    }
    int wd = inotify_add_watch(w->fd, dir, EVENTS);
    int saved = errno;
    free(dir);
    if (wd < 0) {
        free(file);
        errno = saved;
        return WL_EWATCH;
    }
    if (wl_grow((void **)&w->v, &w->cap, w->n, sizeof *w->v)) {
        free(file);
        return WL_ENOMEM;
    }
    w->v[w->n++] = (struct wl_watch_entry){.wd = wd, .file = file};
    return WL_OK;
}

int wl_watcher_open(wl_watcher **out, const char *const *paths, size_t npaths)
{
    *out = NULL;
    wl_watcher *w = calloc(1, sizeof *w);
    if (!w)
        return WL_ENOMEM;
    w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->fd < 0) {
        free(w);
        return WL_EWATCH;
    }
    for (size_t i = 0; i < npaths; i++) {
        int rc = add_path(w, paths[i]);
        if (rc) {
            int saved = errno;
            wl_watcher_close(w);
            errno = saved;
            return rc;
        }
    }
    *out = w;
    return WL_OK;
}

int wl_watcher_fd(const wl_watcher *w)
{
    return w->fd;
}

static bool relevant(const wl_watcher *w, const struct inotify_event *ev)
{
    if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_Q_OVERFLOW))
        return true; /* a watched directory went away, or events were lost */
    for (size_t i = 0; i < w->n; i++) {
        if (w->v[i].wd != ev->wd)
            continue;
        if (ev->len == 0)
            continue;
        if (w->v[i].file ? strcmp(ev->name, w->v[i].file) == 0 : is_ini(ev->name))
            return true;
    }
    return false;
}

int wl_watcher_poll(wl_watcher *w, bool *changed)
{
    _Alignas(struct inotify_event) char buf[4096];
    *changed = false;
    for (;;) {
        ssize_t n = read(w->fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return WL_OK;
        if (n <= 0) {
            *changed = false;
            return WL_EWATCH;
        }
        for (ssize_t off = 0; off < n;) {
            const struct inotify_event *ev = (const struct inotify_event *)(buf + off);
            if (relevant(w, ev))
                *changed = true;
            off += (ssize_t)(sizeof *ev + ev->len);
        }
    }
}

void wl_watcher_close(wl_watcher *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n; i++)
        free(w->v[i].file);
    free(w->v);
    if (w->fd >= 0)
        close(w->fd);
    free(w);
}
