/* The memcpy bandwidth probe of LabLimits.h (the lab's copy of shared/limits/memcpy_bw.c). */
#define _GNU_SOURCE
#include "LabLimits.h"
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

double lab_memcpy_bytes_per_second(size_t size, double seconds, int cpu) {
    if (size == 0) return 0;
    size_t rounded = (size + 63) & ~(size_t)63;
    unsigned char *source = aligned_alloc(64, rounded), *destination = aligned_alloc(64, rounded);
    if (!source || !destination) {
        free(source);
        free(destination);
        return 0;
    }
    memset(source, 1, size);
    memset(destination, 2, size);
    cpu_set_t previous;
    int pinned = 0;
    if (cpu >= 0 && pthread_getaffinity_np(pthread_self(), sizeof previous, &previous) == 0) {
        cpu_set_t only;
        CPU_ZERO(&only);
        CPU_SET(cpu, &only);
        pinned = pthread_setaffinity_np(pthread_self(), sizeof only, &only) == 0;
    }
    uint64_t chunk = size >= (1u << 24) ? 1 : (size >= (1u << 20) ? 16 : 4096);
    uint64_t limit = (uint64_t)(seconds * 1e9), copies = 0, t0 = lab_now_ns(), t1;
    do {
        for (uint64_t i = 0; i < chunk; i++) {
            memcpy(destination, source, size);
            __asm__ volatile("" : : "r"(destination), "r"(source) : "memory");
        }
        copies += chunk;
        t1 = lab_now_ns();
    } while (t1 - t0 < limit);
    if (pinned) pthread_setaffinity_np(pthread_self(), sizeof previous, &previous);
    free(source);
    free(destination);
    return (double)copies * (double)size / ((double)(t1 - t0) / 1e9);
}
