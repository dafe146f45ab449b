/* The ping-pong probe of LabLimits.h (the lab's copy of shared/limits/pingpong_shm.c -C). */
#define _GNU_SOURCE
#include "LabLimits.h"
#include <time.h>

uint64_t lab_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void lab_pingpong_ping(uint64_t *ping, const uint64_t *pong, uint64_t warmup, uint64_t timed, int64_t *latencies) {
    const uint64_t total = warmup + timed;
    for (uint64_t i = 1; i <= total; i++) {
        uint64_t t0 = lab_now_ns();
        __atomic_store_n(ping, i, __ATOMIC_RELEASE);
        while (__atomic_load_n(pong, __ATOMIC_ACQUIRE) != i) { }
        uint64_t t1 = lab_now_ns();
        if (i > warmup) latencies[i - warmup - 1] = (int64_t)(t1 - t0);
    }
}

void lab_pingpong_pong(const uint64_t *ping, uint64_t *pong, uint64_t rounds) {
    for (uint64_t i = 1; i <= rounds; i++) {
        while (__atomic_load_n(ping, __ATOMIC_ACQUIRE) != i) { }
        __atomic_store_n(pong, i, __ATOMIC_RELEASE);
    }
}
