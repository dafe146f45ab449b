#define _GNU_SOURCE
#include "CRingside.h"
#include <sched.h>
#include <sys/socket.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

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

int ringside_futex_wait(uint32_t *word, uint32_t expected, int64_t timeout_ns) {
    struct timespec timeout;
    struct timespec *limit = NULL;
    if (timeout_ns >= 0) {
        timeout.tv_sec = (time_t)(timeout_ns / 1000000000);
        timeout.tv_nsec = (long)(timeout_ns % 1000000000);
        limit = &timeout;
    }
    return (int)syscall(SYS_futex, word, FUTEX_WAIT, expected, limit, NULL, 0);
}

int ringside_futex_wake(uint32_t *word, int32_t count) {
    return (int)syscall(SYS_futex, word, FUTEX_WAKE, count, NULL, NULL, 0);
}

int ringside_membarrier(int command, unsigned int flags) {
    return (int)syscall(SYS_membarrier, command, flags, 0);
}

int ringside_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int ringside_accept4(int descriptor, void *address, unsigned int *length, int flags) {
    return accept4(descriptor, (struct sockaddr *)address, (socklen_t *)length, flags);
}

int ringside_thread_id(void) {
    return (int)syscall(SYS_gettid);
}
