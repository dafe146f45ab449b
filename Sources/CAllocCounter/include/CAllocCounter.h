/* CAllocCounter: counts heap allocations made by the calling thread.
 *
 * Linking this target into an executable interposes malloc, calloc, realloc, free,
 * posix_memalign, aligned_alloc and memalign: each counts, then forwards to glibc's own
 * allocator (__libc_malloc and friends). Counters are per thread (initial-exec TLS, which
 * never allocates), so a measurement is not disturbed by other threads. */
#ifndef CALLOCCOUNTER_H
#define CALLOCCOUNTER_H
#include <stdint.h>

/* Allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign) made by
 * the calling thread since it started. */
uint64_t ringside_thread_allocations(void);

/* Frees made by the calling thread since it started. */
uint64_t ringside_thread_frees(void);

/* Allocations made by all threads since the process started. */
uint64_t ringside_process_allocations(void);

/* 1 when the interposer is active in this process (a call through it has been seen). */
int ringside_alloc_counter_active(void);

#endif
