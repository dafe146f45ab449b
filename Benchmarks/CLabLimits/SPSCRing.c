/* The raw SPSC ring probe of LabLimits.h (the lab's copy of shared/limits/spsc_ring.c -B, -a 8 or -a 64). */
#include "LabLimits.h"
#include <stdlib.h>
#include <string.h>

#define WRAP_LENGTH 0xFFFFFFFFu

static inline uint64_t record_size(uint32_t payload, uint64_t alignment) {
    return (8 + (uint64_t)payload + alignment - 1) & ~(alignment - 1);
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
            uint32_t wrap = WRAP_LENGTH;
            memcpy(data + offset, &wrap, 4);
            head += room;
            offset = 0;
        }
        memcpy(source, &i, 8);
        uint32_t header[2] = {payload, (uint32_t)i};
        memcpy(data + offset, header, 8);
        memcpy(data + offset + 8, source, payload);
        head += size;
        __atomic_store_n(head_word, head, __ATOMIC_RELEASE);
    }
    free(source);
    return 0;
}

int64_t lab_spsc_consume(const uint8_t *data, uint64_t capacity, const uint64_t *head_word, uint64_t *tail_word,
                         uint64_t messages, uint32_t payload, uint32_t alignment, uint64_t *checksum) {
    if (!sizes_ok(capacity, payload, alignment)) return -1;
    uint8_t *destination = aligned_alloc(64, ((size_t)payload + 63) & ~(size_t)63);
    if (!destination) return -1;
    memset(destination, 0, payload);
    const uint64_t mask = capacity - 1;
    uint64_t tail = 0, cached_head = 0, received = 0, sum = 0;
    int64_t errors = 0;
    while (received < messages) {
        while (tail == cached_head) cached_head = __atomic_load_n(head_word, __ATOMIC_ACQUIRE);
        while (tail < cached_head && received < messages) {
            uint64_t offset = tail & mask;
            uint32_t length;
            memcpy(&length, data + offset, 4);
            if (length == WRAP_LENGTH) {
                tail += capacity - offset;
                continue;
            }
            if (length != payload) { /* impossible from our producer: count it, skip the rest */
                errors += 1;
                tail = cached_head;
                break;
            }
            memcpy(destination, data + offset + 8, length);
            uint64_t index;
            memcpy(&index, destination, 8);
            if (index != received) errors += 1;
            sum += destination[length - 1];
            received += 1;
            tail += record_size(length, alignment);
        }
        __atomic_store_n(tail_word, tail, __ATOMIC_RELEASE);
    }
    free(destination);
    *checksum = sum;
    return errors;
}
