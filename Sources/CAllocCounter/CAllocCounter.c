#define _GNU_SOURCE
#include "CAllocCounter.h"
#include <errno.h>
#include <stddef.h>
#include <stdatomic.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static __thread uint64_t thread_allocs __attribute__((tls_model("initial-exec")));
static __thread uint64_t thread_frees __attribute__((tls_model("initial-exec")));
static _Atomic uint64_t process_allocs;

static inline void count_alloc(void) {
    thread_allocs++;
    atomic_fetch_add_explicit(&process_allocs, 1, memory_order_relaxed);
}

void *malloc(size_t size) {
    count_alloc();
    return __libc_malloc(size);
}

void *calloc(size_t n, size_t size) {
    count_alloc();
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size) {
    count_alloc();
    return __libc_realloc(p, size);
}

void free(void *p) {
    if (p) thread_frees++;
    __libc_free(p);
}

void *memalign(size_t alignment, size_t size) {
    count_alloc();
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    count_alloc();
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
    count_alloc();
    void *p = __libc_memalign(alignment, size);
    if (!p && size) return ENOMEM;
    *out = p;
    return 0;
}

uint64_t ringside_thread_allocations(void) { return thread_allocs; }
uint64_t ringside_thread_frees(void) { return thread_frees; }
uint64_t ringside_process_allocations(void) {
    return atomic_load_explicit(&process_allocs, memory_order_relaxed);
}
int ringside_alloc_counter_active(void) {
    return atomic_load_explicit(&process_allocs, memory_order_relaxed) > 0;
}
