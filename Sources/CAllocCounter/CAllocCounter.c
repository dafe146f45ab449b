#define _GNU_SOURCE
#include "CAllocCounter.h"
#include <errno.h>
#include <stddef.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

/* A sanitizer runtime brings its own allocator and intercepts malloc itself: interposing
 * here too would bypass it (and crash its start-up). Under a sanitizer this target keeps
 * its counters but does not interpose, and says so through ringside_alloc_counter_interposes. */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define RINGSIDE_NO_INTERPOSE 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define RINGSIDE_NO_INTERPOSE 1
#endif

static __thread uint64_t thread_allocs __attribute__((tls_model("initial-exec")));
static __thread uint64_t thread_frees __attribute__((tls_model("initial-exec")));
static __thread uint64_t thread_bytes __attribute__((tls_model("initial-exec")));

static inline void count_alloc(size_t size) {
    thread_allocs++;
    thread_bytes += size;
}

static inline void count_free(void *p) {
    if (p) thread_frees++;
}

#ifndef RINGSIDE_NO_INTERPOSE
void *malloc(size_t size) {
    count_alloc(size);
    return __libc_malloc(size);
}

void *calloc(size_t n, size_t size) {
    count_alloc(n * size);
    return __libc_calloc(n, size);
}

/* A realloc of an existing block counts as one allocation and one free. */
void *realloc(void *p, size_t size) {
    count_alloc(size);
    count_free(p);
    return __libc_realloc(p, size);
}

void free(void *p) {
    count_free(p);
    __libc_free(p);
}

void *memalign(size_t alignment, size_t size) {
    count_alloc(size);
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    count_alloc(size);
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
    count_alloc(size);
    void *p = __libc_memalign(alignment, size);
    if (!p && size) return ENOMEM;
    *out = p;
    return 0;
}

#endif /* RINGSIDE_NO_INTERPOSE */

int ringside_alloc_counter_interposes(void) {
#ifdef RINGSIDE_NO_INTERPOSE
    return 0;
#else
    return 1;
#endif
}

uint64_t ringside_thread_allocations(void) { return thread_allocs; }

uint64_t ringside_thread_frees(void) { return thread_frees; }

uint64_t ringside_thread_allocated_bytes(void) { return thread_bytes; }
