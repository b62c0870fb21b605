/*
 * Region allocator. Each HTTP request (and each command-line operation) owns one arena: parsed
 * input, rows read from the database and the template context live in it, and everything is
 * freed in one go when the owner is done. An arena has a cap: past it, allocation returns NULL
 * and the arena remembers that it overflowed, so that the handler can answer "too large" instead
 * of the process running out of memory. The plain allocator (noaber_xmalloc) aborts on
 * out-of-memory, as Redis's zmalloc does: there is no sensible way on for a server then.
 */
#ifndef NOABER_BASE_ARENA_H
#define NOABER_BASE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct noaber_arena;

/* A new arena that will hand out at most CAP bytes in all (0: 64 MiB). Never NULL. */
struct noaber_arena *noaber_arena_new(size_t cap);
/* Frees the arena and everything allocated from it. NULL is allowed. */
void noaber_arena_free(struct noaber_arena *a);
/* N bytes aligned for any type, zeroed; NULL once the cap would be passed. */
void *noaber_arena_alloc(struct noaber_arena *a, size_t n);
/* Copies of strings; NULL in gives NULL out. */
char *noaber_arena_strdup(struct noaber_arena *a, const char *s);
char *noaber_arena_strndup(struct noaber_arena *a, const char *s, size_t n);
/* A formatted string on the arena. */
char *noaber_arena_printf(struct noaber_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *noaber_arena_vprintf(struct noaber_arena *a, const char *fmt, va_list ap);
/* Grows a block allocated from the arena (the old block is left in place); the new part is
 * zeroed. */
void *noaber_arena_realloc(struct noaber_arena *a, void *old, size_t oldn, size_t n);
/* Room for element N of the arena array ARR of *CAP elements of SIZE bytes: ARR itself while
 * N < *CAP, else a copy with twice the room (16 at first) and *CAP updated; NULL when the arena
 * is full. */
void *noaber_arena_grow(struct noaber_arena *a, void *arr, size_t n, size_t *cap, size_t size);
/* Nonzero once an allocation has been refused because of the cap. */
int noaber_arena_overflowed(const struct noaber_arena *a);
/* Bytes handed out so far. */
size_t noaber_arena_used(const struct noaber_arena *a);

/* Heap allocation that aborts on out-of-memory. */
void *noaber_xmalloc(size_t n);
void *noaber_xcalloc(size_t n, size_t size);
void *noaber_xrealloc(void *p, size_t n);
char *noaber_xstrdup(const char *s);

#endif
