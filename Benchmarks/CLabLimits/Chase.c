/* The random-read probe of CLabLimits.h (the lab's copy of shared/limits/mem_latency.c). */
#define _GNU_SOURCE
#include "CLabLimits.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One 64-byte line holds its successor's word index in its first word. */
enum { line_bytes = 64, words_per_line = line_bytes / sizeof(uint64_t), max_chains = 64 };

struct lab_chase {
    uint64_t *words;
    size_t lines;
    /* Where the dependent walk stands (a word index), kept between walks. */
    uint64_t position;
    /* The last value a walk produced, stored so no walk can be optimised away. */
    volatile uint64_t sink;
};

static uint64_t splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

lab_chase *lab_chase_create(size_t bytes, uint64_t seed) {
    size_t lines = bytes / line_bytes;
    if (lines < 2) return NULL;
    lab_chase *chase = calloc(1, sizeof *chase);
    uint64_t *words = aligned_alloc(line_bytes, lines * line_bytes);
    size_t *order = malloc(lines * sizeof *order);
    if (!chase || !words || !order) {
        free(chase);
        free(words);
        free(order);
        return NULL;
    }
    /* A uniformly random order of the lines (Fisher-Yates), linked into one cycle. */
    uint64_t state = seed;
    for (size_t i = 0; i < lines; i++) order[i] = i;
    for (size_t i = lines - 1; i > 0; i--) {
        size_t j = (size_t)(splitmix64(&state) % (i + 1)), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    memset(words, 0, lines * line_bytes);
    for (size_t i = 0; i < lines; i++) words[order[i] * words_per_line] = order[(i + 1) % lines] * words_per_line;
    free(order);
    chase->words = words;
    chase->lines = lines;
    uint64_t p = 0;
    for (size_t i = 0; i < lines; i++) p = words[p];
    chase->position = p;
    chase->sink = p;
    return chase;
}

void lab_chase_destroy(lab_chase *chase) {
    if (!chase) return;
    free(chase->words);
    free(chase);
}

size_t lab_chase_bytes(const lab_chase *chase) { return chase->lines * line_bytes; }

double lab_chase_dependent_ns(lab_chase *chase, size_t steps) {
    if (steps == 0) return 0;
    const uint64_t *words = chase->words;
    uint64_t p = chase->position;
    uint64_t t0 = now_ns();
    for (size_t i = 0; i < steps; i++) p = words[p];
    uint64_t t1 = now_ns();
    chase->position = p;
    chase->sink = p;
    return (double)(t1 - t0) / (double)steps;
}

double lab_chase_parallel_ns(lab_chase *chase, size_t steps, int chains) {
    if (chains < 1 || chains > max_chains) return 0;
    const uint64_t *words = chase->words;
    uint64_t q[max_chains];
    /* Chain k starts at line k * lines / chains: points of the one cycle far apart. */
    size_t spacing = chase->lines / (size_t)chains;
    for (int k = 0; k < chains; k++) q[k] = words[(size_t)k * spacing * words_per_line];
    size_t rounds = steps / (size_t)chains;
    if (rounds == 0) rounds = 1;
    uint64_t t0 = now_ns();
    for (size_t i = 0; i < rounds; i++)
        for (int k = 0; k < chains; k++) q[k] = words[q[k]];
    uint64_t t1 = now_ns();
    uint64_t sink = 0;
    for (int k = 0; k < chains; k++) sink += q[k];
    chase->sink = sink;
    return (double)(t1 - t0) / (double)(rounds * (size_t)chains);
}
