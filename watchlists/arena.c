/* watchlists/arena.c — a bump allocator for a set's strings and small arrays, and the
 * growth rule of the module's vectors. Invariant: arena memory is freed only all at
 * once, with the set; vectors double and never overflow size_t. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "watchlists/wl_int.h"

#define CHUNK 16384u

struct wl_arena_chunk {
    struct wl_arena_chunk *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

void *wl_arena_alloc(struct wl_arena *a, size_t n)
{
    struct wl_arena_chunk *c = a->head;
    n = (n + 15u) & ~(size_t)15u;
    if (n == 0)
        n = 16;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > CHUNK ? n : CHUNK;
        if (cap > SIZE_MAX - sizeof *c)
            return NULL;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->used = 0;
        c->cap = cap;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

char *wl_arena_strndup(struct wl_arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *p = wl_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void wl_arena_free(struct wl_arena *a)
{
    struct wl_arena_chunk *c = a->head;
    while (c) {
        struct wl_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
}

int wl_grow(void **v, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 8;
    if (ncap < *cap || ncap > SIZE_MAX / elem)
        return -1;
    void *p = realloc(*v, ncap * elem);
    if (!p)
        return -1;
    *v = p;
    *cap = ncap;
    return 0;
}
