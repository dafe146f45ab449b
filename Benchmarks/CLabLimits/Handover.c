/* The hand-over probe of LabLimits.h: a ping-pong of two processes on one CPU, each
 * yielding the CPU while it waits (the lab's own; shared/limits has no counterpart). */
#define _GNU_SOURCE
#include "LabLimits.h"
#include <sched.h>

void lab_handover_ping(uint64_t *ping, const uint64_t *pong, uint64_t warmup, uint64_t timed, int64_t *handovers) {
    const uint64_t total = warmup + timed;
    for (uint64_t i = 1; i <= total; i++) {
        uint64_t t0 = lab_now_ns();
        __atomic_store_n(ping, i, __ATOMIC_RELEASE);
        while (__atomic_load_n(pong, __ATOMIC_ACQUIRE) != i) sched_yield();
        uint64_t t1 = lab_now_ns();
        if (i > warmup) handovers[i - warmup - 1] = (int64_t)(t1 - t0) / 2;
    }
}

void lab_handover_pong(const uint64_t *ping, uint64_t *pong, uint64_t rounds) {
    for (uint64_t i = 1; i <= rounds; i++) {
        while (__atomic_load_n(ping, __ATOMIC_ACQUIRE) != i) sched_yield();
        __atomic_store_n(pong, i, __ATOMIC_RELEASE);
    }
}
