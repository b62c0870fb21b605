/*
 * Region allocator (see arena.h). Memory comes in chunks from malloc; small requests are cut from
 * the current chunk, large ones get a chunk of their own. Chunks are kept on a singly linked list
 * and freed together.
 */
#include "base/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE  (16 * 1024)
#define ALIGN       16
#define DEFAULT_CAP ((size_t)64 * 1024 * 1024)

struct chunk {
    struct chunk *next;
    size_t size, used;
    _Alignas(ALIGN) unsigned char data[];
};

struct noaber_arena {
    struct chunk *head;
    size_t cap, total;
    int overflowed;
};

void *
noaber_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("noaber: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *
noaber_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        fputs("noaber: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *
noaber_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("noaber: out of memory\n", stderr);
        abort();
    }
    return q;
}

char *
noaber_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = noaber_xmalloc(n);
    memcpy(d, s, n);
    return d;
}

struct noaber_arena *
noaber_arena_new(size_t cap)
{
    struct noaber_arena *a = noaber_xcalloc(1, sizeof *a);
    a->cap = cap ? cap : DEFAULT_CAP;
    return a;
}

void
noaber_arena_free(struct noaber_arena *a)
{
    if (!a)
        return;
    for (struct chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(a);
}

/* N bytes, not zeroed, for callers that fill them at once (copies, grown buffers). */
static void *
alloc_raw(struct noaber_arena *a, size_t n)
{
    n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (n == 0)
        n = ALIGN;
    if (n > a->cap - a->total || a->overflowed) {
        a->overflowed = 1;
        return NULL;
    }
    struct chunk *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t size = n > CHUNK_SIZE / 4 ? n : CHUNK_SIZE;
        c = noaber_xmalloc(sizeof *c + size);
        c->size = size;
        c->used = 0;
        if (size == n && a->head) {
            /* A large block: put it behind the current chunk so its free space stays usable. */
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
    }
    void *p = c->data + c->used;
    c->used += n;
    a->total += n;
    return p;
}

void *
noaber_arena_alloc(struct noaber_arena *a, size_t n)
{
    void *p = alloc_raw(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

char *
noaber_arena_strndup(struct noaber_arena *a, const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *d = alloc_raw(a, n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *
noaber_arena_strdup(struct noaber_arena *a, const char *s)
{
    return s ? noaber_arena_strndup(a, s, strlen(s)) : NULL;
}

char *
noaber_arena_vprintf(struct noaber_arena *a, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return NULL;
    char *d = noaber_arena_alloc(a, (size_t)n + 1);
    if (d)
        vsnprintf(d, (size_t)n + 1, fmt, ap);
    return d;
}

char *
noaber_arena_printf(struct noaber_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *d = noaber_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return d;
}

void *
noaber_arena_realloc(struct noaber_arena *a, void *old, size_t oldn, size_t n)
{
    if (n <= oldn)
        return old;
    char *p = alloc_raw(a, n);
    if (p && old)
        memcpy(p, old, oldn);
    if (p)
        memset(p + oldn, 0, n - oldn);
    return p;
}

void *
noaber_arena_grow(struct noaber_arena *a, void *arr, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return arr;
    size_t bigger = *cap ? 2 * *cap : 16;
    void *p = noaber_arena_realloc(a, arr, *cap * size, bigger * size);
    if (p)
        *cap = bigger;
    return p;
}

int
noaber_arena_overflowed(const struct noaber_arena *a)
{
    return a->overflowed;
}

size_t
noaber_arena_used(const struct noaber_arena *a)
{
    return a->total;
}
