/* CLabLimits, the two-process and bandwidth probes: the raw loops the lab runs as cases of
 * their own (limit-pingpong, limit-spsc-NB, limit-memcpy, limit-handover) right before the
 * Ringside cases they bound, with the same placement. The lab starts the processes and shares
 * the memory (a segment of its own); these functions are only the timed loops, copied from
 * shared/limits/pingpong_shm.c, spsc_ring.c and memcpy_bw.c (the hand-over is the lab's
 * own). Every word shared between
 * processes is accessed with the compiler's atomic builtins (acquire loads, release
 * stores); the two words of a pair must lie on separate cache lines. */
#ifndef LABLIMITS_H
#define LABLIMITS_H
#include <stddef.h>
#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds (the clock of every probe). */
uint64_t lab_now_ns(void);

/* The pinger of a ping-pong of two words: for round i = 1 ... warmup + timed, stamps the
 * clock, stores i into *ping, spins until *pong == i, stamps again; the timed rounds'
 * nanoseconds go to latencies[0 ... timed). Busy-spins with plain loads, as the reference. */
void lab_pingpong_ping(uint64_t *ping, const uint64_t *pong, uint64_t warmup, uint64_t timed, int64_t *latencies);

/* The ponger: for round i = 1 ... rounds, spins until *ping == i, then stores i into *pong. */
void lab_pingpong_pong(const uint64_t *ping, uint64_t *pong, uint64_t rounds);

/* The hand-over of one CPU between two processes pinned to it, each waiting with
 * sched_yield (as a probe's producer hands CPU 0 to the tail subscriber in the timeline
 * suite): the pinger, for round i = 1 ... warmup + timed, stamps the clock, stores i into
 * *ping, yields until *pong == i, stamps again; half of each timed round trip (two
 * hand-overs) goes to handovers[0 ... timed). */
void lab_handover_ping(uint64_t *ping, const uint64_t *pong, uint64_t warmup, uint64_t timed, int64_t *handovers);

/* Its ponger: for round i = 1 ... rounds, yields until *ping == i, then stores i into *pong. */
void lab_handover_pong(const uint64_t *ping, uint64_t *pong, uint64_t rounds);

/* A raw SPSC byte ring of variable records, the least work a copy ring between two
 * processes does per message: an 8-byte header word {u32 length, u32 tag} then the
 * payload, padded to `alignment` bytes (a power of two from 8; 8 packs records, 64 gives
 * each its own cache lines). The producer copies the payload in, then stores the header
 * with release (the commit: no shared head counter to bounce); the consumer polls the
 * header at its position (the tag, made of the record's position, tells this lap's header
 * from an old one, so nothing is zeroed), copies the payload out, and publishes *tail, the
 * bytes consumed, when it runs dry or has consumed a quarter of the ring. A record never
 * wraps (a marker sends the reader back to offset 0). *head gets the bytes produced at the
 * end. `data` holds `capacity` bytes (a power of two, at least four records). As
 * shared/limits/spsc_ring.c, whose per-record head and tail counters run slower than
 * Ringside's own rings on the 2-core VM, so that they would not bound them. */

/* Produces `messages` records of `payload` bytes (at least 8), copying each from a source
 * buffer whose first 8 bytes are the message index. Returns 0, or -1 for bad sizes. */
int lab_spsc_produce(uint8_t *data, uint64_t capacity, uint64_t *head, const uint64_t *tail,
                     uint64_t messages, uint32_t payload, uint32_t alignment);

/* Consumes `messages` records, copying each payload out and checking its index; returns
 * how many were out of order or of the wrong length (or -1 for bad sizes). *checksum gets
 * a sum of the last payload byte of every message. */
int64_t lab_spsc_consume(const uint8_t *data, uint64_t capacity, const uint64_t *head, uint64_t *tail,
                         uint64_t messages, uint32_t payload, uint32_t alignment, uint64_t *checksum);

/* memcpy bandwidth: copies `size` bytes between two distinct 64-byte-aligned, pre-faulted
 * buffers for about `seconds` (a compiler barrier after every copy), on CPU `cpu` when it
 * is 0 or more (the calling thread is pinned there meanwhile and given its previous
 * affinity back). Returns bytes copied per second, or 0 when memory is short. */
double lab_memcpy_bytes_per_second(size_t size, double seconds, int cpu);

/* TCP loopback ping-pong (after shared/limits/sock_bench.c -m pingpong -f tcp): sockets with
 * TCP_NODELAY and 5-second send timeouts, `size` bytes (1 to 4096) sent, read back in full,
 * one round trip at a time. Unlike the reference, both sides poll with MSG_DONTWAIT instead
 * of blocking in recv (each read bounded by 5 s), as the TCP carrier's peers spin before they
 * sleep: pinned to two vCPUs of this VM, a blocking recv adds a cross-CPU wake-up to every
 * message, and the limit would sit above the carrier it bounds. These few calls also set the
 * sockets up, as the reference does, so that the probe is plain C end to end. */

/* A listening socket on 127.0.0.1 at a free port (stored in *port); -1 on failure. */
int lab_tcp_listen(int *port);

/* Accepts one connection on `listener` (waiting at most 10 seconds) and closes the
 * listener; the connected socket, or -1. */
int lab_tcp_accept(int listener);

/* A socket connected to 127.0.0.1:port; -1 on failure. */
int lab_tcp_connect(int port);

/* The pinger: warmup + timed round trips of `size` bytes on `fd`, each timed with
 * CLOCK_MONOTONIC from before the send to after the echo's last byte; the timed rounds'
 * nanoseconds go to latencies[0 ... timed). Returns 0, or -1 when a send or a receive
 * failed (peer gone, timeout). */
int lab_tcp_ping(int fd, uint32_t size, uint64_t warmup, uint64_t timed, int64_t *latencies);

/* The ponger: reads `size` bytes and echoes them, `rounds` times. Returns 0 or -1. */
int lab_tcp_pong(int fd, uint32_t size, uint64_t rounds);

/* Closes a socket of these probes (a negative descriptor is ignored). */
void lab_tcp_close(int fd);

#endif
