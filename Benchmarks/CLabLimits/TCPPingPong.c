/* The TCP ping-pong probe of LabLimits.h (the lab's copy of shared/limits/sock_bench.c
 * -m pingpong -f tcp). */
#define _GNU_SOURCE
#include "LabLimits.h"
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

static void lab_tcp_options(int fd) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static struct sockaddr_in lab_tcp_loopback(int port) {
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

int lab_tcp_listen(int *port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_in address = lab_tcp_loopback(0);
    socklen_t length = sizeof address;
    if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, 1) != 0
        || getsockname(fd, (struct sockaddr *)&address, &length) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(address.sin_port);
    return fd;
}

int lab_tcp_accept(int listener) {
    struct pollfd waiting = {.fd = listener, .events = POLLIN};
    int ready;
    do { ready = poll(&waiting, 1, 10000); } while (ready < 0 && errno == EINTR);
    int fd = ready == 1 ? accept4(listener, NULL, NULL, SOCK_CLOEXEC) : -1;
    close(listener);
    if (fd >= 0) lab_tcp_options(fd);
    return fd;
}

int lab_tcp_connect(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    lab_tcp_options(fd);
    struct sockaddr_in address = lab_tcp_loopback(port);
    int rc;
    do { rc = connect(fd, (struct sockaddr *)&address, sizeof address); } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Reads `count` bytes, polling with MSG_DONTWAIT (a busy wait, bounded by 5 s). */
static int lab_tcp_read_full(int fd, uint8_t *buffer, size_t count) {
    size_t got = 0;
    const uint64_t deadline = lab_now_ns() + 5000000000ull;
    while (got < count) {
        ssize_t r = recv(fd, buffer + got, count - got, MSG_DONTWAIT);
        if (r <= 0) {
            if (r < 0 && (errno == EINTR || errno == EAGAIN) && lab_now_ns() < deadline) continue;
            return -1;
        }
        got += (size_t)r;
    }
    return 0;
}

static int lab_tcp_write_full(int fd, const uint8_t *buffer, size_t count) {
    size_t put = 0;
    while (put < count) {
        ssize_t r = send(fd, buffer + put, count - put, MSG_NOSIGNAL);
        if (r <= 0) {
            if (r < 0 && errno == EINTR) continue;
            return -1;
        }
        put += (size_t)r;
    }
    return 0;
}

int lab_tcp_ping(int fd, uint32_t size, uint64_t warmup, uint64_t timed, int64_t *latencies) {
    uint8_t buffer[4096] = {0};
    if (size == 0 || size > sizeof buffer) return -1;
    const uint64_t total = warmup + timed;
    for (uint64_t i = 1; i <= total; i++) {
        buffer[0] = (uint8_t)i;
        uint64_t t0 = lab_now_ns();
        if (lab_tcp_write_full(fd, buffer, size) != 0 || lab_tcp_read_full(fd, buffer, size) != 0) return -1;
        uint64_t t1 = lab_now_ns();
        if (i > warmup) latencies[i - warmup - 1] = (int64_t)(t1 - t0);
    }
    return 0;
}

int lab_tcp_pong(int fd, uint32_t size, uint64_t rounds) {
    uint8_t buffer[4096];
    if (size == 0 || size > sizeof buffer) return -1;
    for (uint64_t i = 1; i <= rounds; i++) {
        if (lab_tcp_read_full(fd, buffer, size) != 0 || lab_tcp_write_full(fd, buffer, size) != 0) return -1;
    }
    return 0;
}

void lab_tcp_close(int fd) {
    if (fd >= 0) close(fd);
}
