import Journal
import Posix
import Testing

extension JournalTests {
    @Suite("write and sync failures")
    struct FailureTests {
        /// A journal in `directory` with records 1...3 durable and 4...5 appended.
        static func prepared(_ directory: String) throws -> Journal {
            let (journal, _) = try TestSupport.open(directory)
            for index in 1...3 { try journal.append([UInt8(index)]) }
            try journal.commit()
            try journal.append([4])
            try journal.append([5])
            return journal
        }

        /// Whether `error` is the injected failure of `call` on the journal's log.
        static func isInjected(_ error: any Error, _ call: SystemCall, _ directory: String) -> Bool {
            guard case JournalError.systemCall(let file, _, let cause) = error else { return false }
            return file == TestSupport.log(directory) && cause == SystemCallError(call, .ioError)
        }

        /// The journal refuses everything after a failure, with the first failure as the cause.
        static func expectHalted(_ journal: Journal, _ call: SystemCall, _ directory: String) {
            for attempt in 0..<3 {
                #expect {
                    switch attempt {
                    case 0: try journal.append([6])
                    case 1: try journal.commit()
                    default: _ = try journal.seal()
                    }
                } throws: { error in
                    guard case JournalError.halted(let cause) = error else { return false }
                    return isInjected(cause, call, directory)
                }
            }
        }

        @Test("a failing write surfaces, nothing more is reported durable, and replay has the durable records")
        func writeFails() throws {
            try TestSupport.withDirectory("write-fails") { directory in
                let journal = try Self.prepared(directory)
                FailureInjection.arm(.write, with: .ioError)
                defer { FailureInjection.disarmAll() }
                #expect { try journal.commit() } throws: { Self.isInjected($0, .write, directory) }
                FailureInjection.disarmAll()
                #expect(journal.durableSequence == 3)
                #expect(journal.counters.fsyncs == 1)
                Self.expectHalted(journal, .write, directory)
                #expect(throws: JournalError.self) { try journal.close() }
                let (_, replayed) = try TestSupport.open(directory)
                #expect(replayed.sequences == [1, 2, 3])
            }
        }

        @Test("a failing fdatasync surfaces and the batch is never reported durable")
        func syncFails() throws {
            try TestSupport.withDirectory("sync-fails") { directory in
                let journal = try Self.prepared(directory)
                FailureInjection.arm(.fdatasync, with: .ioError)
                defer { FailureInjection.disarmAll() }
                #expect { try journal.commit() } throws: { Self.isInjected($0, .fdatasync, directory) }
                FailureInjection.disarmAll()
                #expect(journal.durableSequence == 3)
                #expect(journal.counters.fsyncs == 1 && journal.counters.records == 3)
                Self.expectHalted(journal, .fdatasync, directory)
                #expect(throws: JournalError.self) { try journal.close() }
                // The bytes reached the page cache, so they may replay: as a whole prefix only.
                let (_, replayed) = try TestSupport.open(directory)
                #expect(replayed.sequences == [1, 2, 3] || replayed.sequences == [1, 2, 3, 4, 5])
            }
        }

        @Test("a failure on the flusher thread surfaces there and on the writer's next call")
        func flusherFails() throws {
            try TestSupport.withDirectory("flusher-fails") { directory in
                let journal = try Self.prepared(directory)
                #expect(try journal.seal())
                FailureInjection.arm(.fdatasync, with: .ioError)
                defer { FailureInjection.disarmAll() }
                #expect { _ = try journal.flusher.flush() } throws: { Self.isInjected($0, .fdatasync, directory) }
                FailureInjection.disarmAll()
                #expect(journal.flusher.durableSequence == 3)
                Self.expectHalted(journal, .fdatasync, directory)
            }
        }

        @Test("a failing log rotation refuses the snapshot and the journal goes on in the old log")
        func rotationFails() throws {
            try TestSupport.withDirectory("rotation-fails") { directory in
                let journal = try Self.prepared(directory)
                FailureInjection.arm(.rename, with: .ioError)
                defer { FailureInjection.disarmAll() }
                #expect(throws: JournalError.self) { try journal.beginSnapshot() }
                FailureInjection.disarmAll()
                #expect(journal.durableSequence == 5, "the pending batch was committed before the rotation")
                try journal.append([6])
                #expect(try journal.commit() == 6)
                try journal.writeSnapshot { _ in }
                try journal.close()
                let (reopened, replayed) = try TestSupport.open(directory)
                #expect(replayed.sequences.isEmpty && reopened.replay.snapshot?.sequence == 6)
                #expect(try TestSupport.names(directory) == ["journal.lock", "log-0000000000000001.wal", "snapshot-0000000000000001.snap"])
            }
        }

        @Test("a failing snapshot write leaves the journal working and the old generation in place")
        func snapshotWriteFails() throws {
            try TestSupport.withDirectory("snapshot-fails") { directory in
                let journal = try Self.prepared(directory)
                try journal.commit()
                let plan = try journal.beginSnapshot()
                FailureInjection.arm(.fsync, with: .ioError)
                defer { FailureInjection.disarmAll() }
                #expect(throws: JournalError.self) {
                    try plan.write { writer in try [UInt8]([1]).withUnsafeBytes { try writer.append($0) } }
                }
                FailureInjection.disarmAll()
                try journal.append([6])
                #expect(try journal.commit() == 6)
                try journal.close()
                #expect(!(try TestSupport.names(directory)).contains { $0.hasPrefix("snapshot") })
                let (_, replayed) = try TestSupport.open(directory)
                #expect(replayed.sequences == Array(1...6))
            }
        }
    }
}
