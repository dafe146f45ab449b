import Foundation
import Journal
import Testing

extension JournalTests {
    @Suite("Group commit figure")
    struct GroupCommitFigureTests {
        /// Not a benchmark (the lab is): a quick figure of what group commit buys on this disk,
        /// printed for the record, asserting only that everything written replays.
        @Test("records/s and fsyncs/s with 64 records (48-byte payloads) per commit, for 0.3 s")
        func figure() throws {
            try Self.measure("figure") { journal in
                (endRound: { try journal.commit() }, finish: {})
            } describe: { counters, seconds in
                String(format: "journal group commit of 64: %.0f records/s, %.0f fsyncs/s (%d records, %.2f s)",
                       Double(counters.records) / seconds, Double(counters.fsyncs) / seconds, counters.records, seconds)
            }
        }

        @Test("records/s and fsyncs/s with a flusher thread, the writer sealing every 64 records, for 0.3 s")
        func pipelinedFigure() throws {
            try Self.measure("figure-flusher") { journal in
                let flusher = FlusherTests.FlusherThread(journal.flusher)
                return (
                    endRound: {
                        _ = try journal.seal()
                        // The writer keeps at most 64 Ki records ahead of the disk.
                        while journal.appendedSequence - journal.durableSequence > 65_536 { Thread.sleep(forTimeInterval: 0.0005) }
                    },
                    finish: {
                        try journal.commit()
                        try flusher.join()
                    })
            } describe: { counters, seconds in
                String(format: "journal with a flusher, sealing every 64: %.0f records/s, %.0f fsyncs/s, %.0f records per fsync",
                       Double(counters.records) / seconds, Double(counters.fsyncs) / seconds,
                       Double(counters.records) / Double(max(counters.fsyncs, 1)))
            }
        }

        /// Opens a journal in a fresh directory, appends 48-byte records in rounds of 64 for
        /// 0.3 s, each round ended by the `endRound` that `start` returns for the journal, then
        /// runs its `finish` (both inside the timing), prints `describe` of the counters and
        /// seconds, and checks that every record replays.
        static func measure(
            _ tag: String, _ start: (Journal) throws -> (endRound: () throws -> Void, finish: () throws -> Void),
            describe: (JournalCounters, Double) -> String
        ) throws {
            try TestSupport.withDirectory(tag) { directory in
                let (journal, _) = try TestSupport.open(directory)
                let (endRound, finish) = try start(journal)
                let payload = [UInt8](repeating: 0x42, count: 48)
                let clock = ContinuousClock()
                let started = clock.now
                var elapsed = Duration.zero
                try payload.withUnsafeBytes { bytes in
                    while elapsed < .milliseconds(300) {
                        for _ in 0..<64 { try journal.append(bytes) }
                        try endRound()
                        elapsed = clock.now - started
                    }
                }
                try finish()
                elapsed = clock.now - started
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                let counters = journal.counters
                print(describe(counters, seconds))
                try journal.close()
                let (_, replayed) = try TestSupport.open(directory)
                #expect(replayed.records.count == counters.records)
            }
        }
    }
}
