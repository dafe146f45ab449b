#define _GNU_SOURCE
#include "CRingside.h"
#include <sched.h>

int ringside_pin_to_cpu(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set);
}

int ringside_allowed_cpu_count(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return -1;
    return CPU_COUNT(&set);
}

static volatile uint64_t sink;

void ringside_opaque_sink_u64(uint64_t value) { sink = value; }

uint64_t ringside_opaque_u64(uint64_t value) { return value; }

void ringside_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}
