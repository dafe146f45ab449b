/* CAllocCounter: counts heap allocations and frees made by the calling thread.
 *
 * Linking this target into an executable interposes malloc, calloc, realloc, free,
 * posix_memalign, aligned_alloc and memalign: each counts, then forwards to glibc's own
 * allocator (__libc_malloc and friends). Counters are per thread (initial-exec TLS, which
 * never allocates), so a measurement is not disturbed by other threads. Swift code reads
 * them through the Harness module's AllocationCounts. */
#ifndef CALLOCCOUNTER_H
#define CALLOCCOUNTER_H
#include <stdint.h>

/* 1 when this build interposes malloc; 0 in a sanitizer build (TSan, ASan), where the
 * sanitizer's allocator owns malloc and every counter below stays at 0. */
int ringside_alloc_counter_interposes(void);

/* Allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign) made by
 * the calling thread since it started. */
uint64_t ringside_thread_allocations(void);

/* Frees of a non-null block by the calling thread since it started (a realloc of an
 * existing block counts one). */
uint64_t ringside_thread_frees(void);

/* Bytes requested by the calling thread's allocations since it started. */
uint64_t ringside_thread_allocated_bytes(void);

#endif
