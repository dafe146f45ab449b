import Harness
import Journal
import Testing

extension JournalTests {
    @Suite("Append, commit, replay")
    struct RoundTripTests {
        @Test("records committed come back in order with their sequences, and sequences go on")
        func roundTrip() throws {
            try TestSupport.withDirectory("roundtrip") { directory in
                let (journal, replayed) = try TestSupport.open(directory)
                #expect(replayed.records.isEmpty && journal.replay.lastSequence == 0)
                for index in 1...50 { #expect(try journal.append(TestSupport.payload(index)) == UInt64(index)) }
                #expect(journal.durableSequence == 0)
                #expect(try journal.commit() == 50)
                #expect(journal.durableSequence == 50 && journal.appendedSequence == 50)
                try journal.close()

                let (again, second) = try TestSupport.open(directory)
                #expect(second.sequences == Array(1...50))
                #expect(second.records.map(\.payload) == (1...50).map(TestSupport.payload))
                #expect(again.replay.logRecords == 50 && again.replay.lastSequence == 50 && again.replay.tornTails.isEmpty)
                #expect(again.durableSequence == 50)
                #expect(try again.append([1, 2, 3]) == 51)
                try again.close()

                let (_, third) = try TestSupport.open(directory)
                #expect(third.sequences == Array(1...51))
                #expect(third.records.last?.payload == [1, 2, 3])
            }
        }

        @Test("uncommitted records are lost when the journal is dropped, as in a crash")
        func uncommittedLost() throws {
            try TestSupport.withDirectory("uncommitted") { directory in
                do {
                    let (journal, _) = try TestSupport.open(directory)
                    try journal.append([1])
                    try journal.commit()
                    try journal.append([2])
                }
                let (_, replayed) = try TestSupport.open(directory)
                #expect(replayed.sequences == [1])
            }
        }

        @Test("group commit: one fsync covers every record of the batch")
        func groupCommit() throws {
            try TestSupport.withDirectory("group") { directory in
                let (journal, _) = try TestSupport.open(directory)
                let before = journal.counters
                for index in 0..<1000 { try journal.append(TestSupport.payload(index)) }
                try journal.commit()
                let after = journal.counters
                #expect(after.fsyncs - before.fsyncs == 1)
                #expect(after.records - before.records == 1000)
                let expectedBytes = (0..<1000).reduce(0) { $0 + recordHeaderLength + TestSupport.payload($1).count }
                #expect(after.bytes - before.bytes == expectedBytes)
                try journal.commit()
                #expect(journal.counters.fsyncs == after.fsyncs, "an empty commit syncs nothing")
                try journal.append([7])
                try journal.commit()
                #expect(journal.counters.fsyncs == after.fsyncs + 1)
            }
        }

        @Test("a record over the limit is refused and nothing is appended")
        func recordTooLong() throws {
            try TestSupport.withDirectory("toolong") { directory in
                let (journal, _) = try TestSupport.open(directory, options: JournalOptions(maximumRecordLength: 100))
                try journal.append([UInt8](repeating: 1, count: 100))
                #expect {
                    try journal.append([UInt8](repeating: 1, count: 101))
                } throws: { error in
                    guard case JournalError.recordTooLong(101, 100) = error else { return false }
                    return true
                }
                #expect(journal.appendedSequence == 1)
            }
        }

        @Test("the batch buffer grows for a large batch and replay reads records larger than its window")
        func largeRecords() throws {
            try TestSupport.withDirectory("large") { directory in
                let (journal, _) = try TestSupport.open(directory, options: JournalOptions(initialBatchCapacity: 64))
                let big = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 13) }
                try journal.append(big)
                try journal.append([9])
                try journal.commit()
                try journal.close()
                let (_, replayed) = try TestSupport.open(directory)
                #expect(replayed.records.map(\.payload) == [big, [9]])
            }
        }

        @Test("append and commit allocate nothing once the buffers have grown")
        func noAllocations() throws {
            guard AllocationCounts.areCounted else { return }
            try TestSupport.withDirectory("allocs") { directory in
                let (journal, _) = try TestSupport.open(directory)
                let payload = [UInt8](repeating: 0x5A, count: 48)
                try payload.withUnsafeBytes { bytes in
                    for _ in 0..<2 {
                        for _ in 0..<64 { try journal.append(bytes) }
                        try journal.commit()
                    }
                    let measured = try AllocationMeasurement(warmUp: false, runs: 10) {
                        for _ in 0..<64 { try journal.append(bytes) }
                        try journal.commit()
                    }
                    #expect(measured.total.mallocs == 0)
                }
            }
        }

        @Test("an error thrown by a replay handler names the file and the record's offset")
        func handlerRejects() throws {
            try TestSupport.withDirectory("reject") { directory in
                do {
                    let (journal, _) = try TestSupport.open(directory)
                    for index in 1...3 { try journal.append([UInt8(index)]) }
                    try journal.close()
                }
                #expect {
                    _ = try Journal.open(directory: directory, record: { sequence, _ in
                        if sequence == 2 { throw TestFailure("no") }
                    })
                } throws: { error in
                    guard case JournalError.replayRejected(let file, let offset, let cause) = error else { return false }
                    return file == TestSupport.log(directory) && offset == fileHeaderLength + recordHeaderLength + 1
                        && (cause as? TestFailure)?.description == "no"
                }
                // The lock was released by the failed open.
                _ = try TestSupport.open(directory)
            }
        }
    }
}
