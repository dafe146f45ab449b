/* The raw SPSC ring probe of LabLimits.h: the least work a copy ring between two processes
 * can do per message (shared/limits/spsc_ring.c, with the record header as the commit). */
#include "LabLimits.h"
#include <stdlib.h>
#include <string.h>

#define WRAP_LENGTH 0xFFFFFFFFu

static inline uint64_t record_size(uint32_t payload, uint64_t alignment) {
    return (8 + (uint64_t)payload + alignment - 1) & ~(alignment - 1);
}

/* A record's header word: its length (or WRAP_LENGTH) and, above, a tag made of its byte
 * position, so a header left from an earlier lap never reads as the one expected. */
static inline uint64_t header_word(uint64_t position, uint32_t length) {
    return ((uint64_t)((uint32_t)(position >> 3) + 1) << 32) | length;
}

static int sizes_ok(uint64_t capacity, uint32_t payload, uint64_t alignment) {
    return payload >= 8 && alignment >= 8 && (alignment & (alignment - 1)) == 0 && capacity != 0 &&
           (capacity & (capacity - 1)) == 0 && record_size(payload, alignment) * 4 <= capacity;
}

int lab_spsc_produce(uint8_t *data, uint64_t capacity, uint64_t *head_word, const uint64_t *tail_word,
                     uint64_t messages, uint32_t payload, uint32_t alignment) {
    if (!sizes_ok(capacity, payload, alignment)) return -1;
    uint8_t *source = aligned_alloc(64, ((size_t)payload + 63) & ~(size_t)63);
    if (!source) return -1;
    for (uint32_t i = 0; i < payload; i++) source[i] = (uint8_t)(i * 7 + 1);
    const uint64_t mask = capacity - 1, size = record_size(payload, alignment);
    uint64_t head = 0, cached_tail = 0;
    for (uint64_t i = 0; i < messages; i++) {
        uint64_t offset = head & mask, room = capacity - offset;
        uint64_t need = room < size ? room + size : size;
        while (head + need - cached_tail > capacity) cached_tail = __atomic_load_n(tail_word, __ATOMIC_ACQUIRE);
        if (room < size) {
            __atomic_store_n((uint64_t *)(data + offset), header_word(head, WRAP_LENGTH), __ATOMIC_RELEASE);
            head += room;
            offset = 0;
        }
        memcpy(source, &i, 8);
        memcpy(data + offset + 8, source, payload);
        __atomic_store_n((uint64_t *)(data + offset), header_word(head, payload), __ATOMIC_RELEASE);
        head += size;
    }
    __atomic_store_n(head_word, head, __ATOMIC_RELEASE);
    free(source);
    return 0;
}

int64_t lab_spsc_consume(const uint8_t *data, uint64_t capacity, const uint64_t *head_word, uint64_t *tail_word,
                         uint64_t messages, uint32_t payload, uint32_t alignment, uint64_t *checksum) {
    (void)head_word;
    if (!sizes_ok(capacity, payload, alignment)) return -1;
    uint8_t *destination = aligned_alloc(64, ((size_t)payload + 63) & ~(size_t)63);
    if (!destination) return -1;
    memset(destination, 0, payload);
    const uint64_t mask = capacity - 1, quarter = capacity / 4;
    uint64_t tail = 0, published = 0, received = 0, sum = 0;
    int64_t errors = 0;
    while (received < messages) {
        uint64_t offset = tail & mask;
        uint64_t word = __atomic_load_n((const uint64_t *)(data + offset), __ATOMIC_ACQUIRE);
        if (word >> 32 != (uint64_t)((uint32_t)(tail >> 3) + 1)) {
            /* Nothing new: give the producer its room back, then poll again. */
            if (published != tail) __atomic_store_n(tail_word, published = tail, __ATOMIC_RELEASE);
            continue;
        }
        uint32_t length = (uint32_t)word;
        if (length == WRAP_LENGTH) {
            tail += capacity - offset;
            continue;
        }
        if (length != payload) { /* impossible from our producer: count it, stop reading */
            errors += 1;
            break;
        }
        memcpy(destination, data + offset + 8, length);
        uint64_t index;
        memcpy(&index, destination, 8);
        if (index != received) errors += 1;
        sum += destination[length - 1];
        received += 1;
        tail += record_size(length, alignment);
        /* A full ring never runs dry: publish at least every quarter of it. */
        if (tail - published >= quarter) __atomic_store_n(tail_word, published = tail, __ATOMIC_RELEASE);
    }
    __atomic_store_n(tail_word, tail, __ATOMIC_RELEASE);
    free(destination);
    *checksum = sum;
    return errors;
}
