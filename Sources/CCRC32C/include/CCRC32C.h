/* CCRC32C: the CRC32C (Castagnoli) instructions of the processor, for the journal's record
 * checksums (Sources/Journal/Format/CRC32C.swift picks this path when it is available and
 * keeps its slicing-by-8 tables otherwise). */
#ifndef CCRC32C_H
#define CCRC32C_H
#include <stddef.h>
#include <stdint.h>

/* 1 when this processor has CRC32C instructions that ringside_crc32c_hardware_update can use
 * (x86-64 with SSE4.2, asked of the processor at run time; AArch64 built with the CRC
 * extension), else 0. */
int ringside_crc32c_hardware_available(void);

/* Continues the raw CRC32C register `crc` (already inverted: the caller applies the initial
 * value and final XOR 0xFFFFFFFF) over `count` bytes at `bytes`, with the processor's CRC32C
 * instructions, eight bytes at a time. Call it only when ringside_crc32c_hardware_available()
 * is 1. */
uint32_t ringside_crc32c_hardware_update(uint32_t crc, const void *bytes, size_t count);

#endif
