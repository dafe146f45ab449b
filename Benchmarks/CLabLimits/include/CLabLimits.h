/* CLabLimits: the lab's own probes of this machine's hardware limits, measured in the same
 * run as the cases they are held against (the C reference in ../shared/limits does the same
 * from outside the lab). */
#ifndef CLABLIMITS_H
#define CLABLIMITS_H
#include <stddef.h>
#include <stdint.h>

/* Random reads: a random cyclic permutation of 64-byte lines over a buffer (as
 * shared/limits/mem_latency.c builds it), walked as one dependent chain (each load's address
 * comes from the previous load: the latency of a random read) or as several independent
 * chains in lock step (memory-level parallelism). The buffer is plain malloc'd memory in the
 * system's default pages, touched before any walk. */
typedef struct lab_chase lab_chase;

/* A chase over `bytes` bytes (rounded down to whole lines, at least two lines), its
 * permutation drawn from SplitMix64 seeded with `seed`, then walked once to warm the TLB.
 * Returns NULL when memory is short or `bytes` is under two lines. */
lab_chase *lab_chase_create(size_t bytes, uint64_t seed);

/* Frees the chase and its buffer (NULL is ignored). */
void lab_chase_destroy(lab_chase *chase);

/* The buffer's size in bytes. */
size_t lab_chase_bytes(const lab_chase *chase);

/* Nanoseconds per read over `steps` reads of one dependent chain (CLOCK_MONOTONIC). The
 * chain continues where the previous walk stopped. */
double lab_chase_dependent_ns(lab_chase *chase, size_t steps);

/* Nanoseconds per read over about `steps` reads of `chains` (1 to 64) independent chains
 * walked together, chain k starting at line k * lines / chains (as mem_latency.c does); 0 for
 * a bad count. */
double lab_chase_parallel_ns(lab_chase *chase, size_t steps, int chains);

#endif
