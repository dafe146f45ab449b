/* CRingside: the few libc facilities and compiler builtins that Swift does not expose. */
#ifndef CRINGSIDE_H
#define CRINGSIDE_H
#include <stdint.h>
/* epoll(7) and eventfd(2), which the Glibc module does not include (Posix wraps them). */
#include <sys/epoll.h>
#include <sys/eventfd.h>
/* mallopt(3) and its M_ARENA_MAX, which the Glibc module does not include (Posix wraps them). */
#include <malloc.h>

/* accept4(2), which glibc declares only under _GNU_SOURCE (`address` is a struct sockaddr,
 * `length` a socklen_t): returns the new descriptor, or -1 with errno set. */
int ringside_accept4(int descriptor, void *address, unsigned int *length, int flags);

/* The padding that keeps a word one thread writes off every other word's cache lines (false
 * sharing): 128 bytes, two 64-byte lines, the unit x86's adjacent-line prefetcher moves (and
 * the line of Apple silicon). Every padded or isolated block in the package uses it. */
#define RINGSIDE_CACHE_LINE_PADDING 128

/* Pins the calling thread to one CPU (sched_setaffinity). Returns 0, or -1 with errno set. */
int ringside_pin_to_cpu(int cpu);

/* The number of CPUs the calling thread may run on (sched_getaffinity), or -1 with errno. */
int ringside_allowed_cpu_count(void);

/* An opaque sink: the optimiser cannot see through a call into another translation unit,
 * so a value passed here is considered used and the loop that made it cannot be folded. */
void ringside_opaque_sink_u64(uint64_t value);

/* Returns its argument through a call the optimiser cannot see into. */
uint64_t ringside_opaque_u64(uint64_t value);

/* Returns its argument through an empty inline-assembly statement that claims to read and
 * change the register holding it. Nothing is emitted and the value stays in a register, but
 * the optimiser can no longer predict it, so a loop `x = ringside_register_barrier_u64(x + 1)`
 * really executes one add per iteration instead of being folded into `x = n`. Inlined into
 * Swift callers through this header (the asm itself is the C reference's `asm` counting mode). */
static inline __attribute__((always_inline)) uint64_t ringside_register_barrier_u64(uint64_t value) {
    __asm__ volatile("" : "+r"(value));
    return value;
}

/* Prefetch hints: ask the CPU to start loading the cache line holding `address` (for reading,
 * or for writing: fetched exclusive), without waiting for it and without faulting on any
 * address. They retire at once, so a loop can issue many and let the misses overlap; an
 * ordinary load would hold its place in the reorder buffer until the line arrived. */
static inline __attribute__((always_inline)) void ringside_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}
static inline __attribute__((always_inline)) void ringside_prefetch_for_write(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

/* Asks for the cache line holding `address` exclusive, as a store would (PREFETCHW on x86, written
 * as assembly: __builtin_prefetch(address, 1, 3) emits it only when compiling for a CPU model that
 * has it, and otherwise a read prefetch, which leaves the line shared so that the store must still
 * take it from the other core). x86-64 CPUs without the PRFCHW flag execute it as a no-op; it
 * never faults. Elsewhere: the compiler's write prefetch. */
static inline __attribute__((always_inline)) void ringside_prefetch_exclusive(const void *address) {
#if defined(__x86_64__)
    __asm__ volatile("prefetchw %0" : : "m"(*(const char *)address));
#else
    __builtin_prefetch(address, 1, 3);
#endif
}

/* A spin-loop hint (the x86 `pause` instruction; a no-op elsewhere). */
void ringside_cpu_relax(void);

/* Futexes (futex(2); glibc exports no wrapper). Shared, not private: the word may live in
 * memory mapped by several processes. `ringside_futex_wait` sleeps while `*word == expected`,
 * at most `timeout_ns` (negative: no limit); returns 0 when woken, or -1 with errno EAGAIN (the
 * word differed), ETIMEDOUT or EINTR. `ringside_futex_wake` wakes up to `count` waiters and
 * returns how many it woke, or -1 with errno. */
int ringside_futex_wait(uint32_t *word, uint32_t expected, int64_t timeout_ns);
int ringside_futex_wake(uint32_t *word, int32_t count);

/* membarrier(2) (glibc exports no wrapper; `syscall` is variadic, which Swift cannot call):
 * `command` is one of MEMBARRIER_CMD_* (<linux/membarrier.h>), `flags` 0. Returns what the
 * kernel returns (for MEMBARRIER_CMD_QUERY the mask of supported commands), or -1 with errno. */
int ringside_membarrier(int command, unsigned int flags);

/* A compiler barrier: no instruction, but the optimiser may move no memory access across it
 * (the `asm volatile("" ::: "memory")` of the Linux kernel's barrier()). Ordering between
 * CPUs is someone else's job (a fence, or membarrier(2) on the other side). */
static inline __attribute__((always_inline)) void ringside_compiler_barrier(void) {
    __asm__ volatile("" ::: "memory");
}

/* pipe2(2) with O_CLOEXEC (glibc declares pipe2 only under _GNU_SOURCE, which Swift's
 * Glibc module does not set): 0, or -1 with errno set. */
int ringside_pipe_cloexec(int fds[2]);

/* The calling thread's kernel id (gettid(2), which Swift's Glibc module does not declare):
 * the ID of /proc/self/task/ID. Never fails. */
int ringside_thread_id(void);

#endif
