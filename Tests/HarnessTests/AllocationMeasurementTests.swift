import Glibc
import Harness
import Posix
import Testing

extension HarnessTests {
    @Suite("Allocation measurements", .enabled(if: AllocationCounts.areCounted, "malloc is not interposed under a sanitizer"))
    struct AllocationMeasurementTests {
        @Test("each run's mallocs, frees and bytes are counted")
        func countsEachRun() throws {
            let measured = try AllocationMeasurement(runs: 5) {
                let block = malloc(100)
                free(realloc(block, 300))
            }
            #expect(measured.runs == Array(repeating: AllocationCounts(mallocs: 2, frees: 2, bytes: 400), count: 5))
            #expect(measured.total == AllocationCounts(mallocs: 10, frees: 10, bytes: 2000))
            #expect(measured.remainingAllocations == 0)
        }

        @Test("the warm-up run is thrown away, unless there is none")
        func warmUp() throws {
            var firstUse = true
            func body() {
                if firstUse { free(malloc(8)) }
                firstUse = false
            }
            #expect(try AllocationMeasurement(runs: 3, body).total == .zero)
            firstUse = true
            let cold = try AllocationMeasurement(warmUp: false, runs: 3, body)
            #expect(cold.runs.map(\.mallocs) == [1, 0, 0])
            #expect(cold.fewest == .zero)
        }

        @Test("blocks left allocated show up as remaining")
        func remaining() throws {
            var leaked: [UnsafeMutableRawPointer?] = []
            leaked.reserveCapacity(4)
            let measured = try AllocationMeasurement(warmUp: false, runs: 4) { leaked.append(malloc(16)) }
            leaked.forEach { free($0) }
            #expect(measured.remainingAllocations == 4)
        }

        @Test("descriptors opened and not closed show up as leaked")
        func leakedDescriptors() throws {
            // Descriptors are counted process-wide and other test targets run beside this
            // one: several tries, one of which must see exactly the three leaked.
            var seen: [Int] = []
            for _ in 0 ..< 10 where seen.last != 3 {
                var opened: [Int32] = []
                opened.reserveCapacity(3)
                let measured = try AllocationMeasurement(warmUp: false, runs: 3) {
                    opened.append(try Sys.open("/dev/null", O_RDONLY))
                }
                for descriptor in opened { try Sys.close(descriptor) }
                seen.append(measured.leakedFileDescriptors)
            }
            #expect(seen.last == 3, "leaked descriptors seen: \(seen)")
        }

        @Test("counting returns the body's result with its counts")
        func counting() {
            let (result, counts) = AllocationCounts.counting { () -> Int in
                free(malloc(24))
                return 42
            }
            #expect(result == 42)
            #expect(counts == AllocationCounts(mallocs: 1, frees: 1, bytes: 24))
        }
    }
}
