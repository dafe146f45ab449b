import Foundation
@testable import Journal
import Testing

extension JournalTests {
    @Suite("Snapshots and compaction")
    struct SnapshotTests {
        /// A state the tests snapshot: the set of record ids applied. A snapshot writes one
        /// record per id; a log record's payload is its id.
        struct State: Equatable {
            var ids: Set<UInt64> = []

            mutating func apply(_ bytes: [UInt8]) {
                ids.insert(bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
            }

            func produce(_ writer: inout SnapshotWriter) throws {
                for id in ids.sorted() {
                    try withUnsafeBytes(of: id) { try writer.append($0) }
                }
            }
        }

        static func record(_ id: UInt64) -> [UInt8] { withUnsafeBytes(of: id) { Array($0) } }

        /// Opens `directory` and rebuilds the state from what replay hands over.
        static func reopen(_ directory: String) throws -> (Journal, State) {
            let (journal, replayed) = try TestSupport.open(directory)
            var state = State()
            replayed.snapshot.forEach { state.apply($0) }
            replayed.records.forEach { state.apply($0.payload) }
            return (journal, state)
        }

        @Test("snapshot, compaction and replay: the snapshot then only the records after it")
        func snapshotAndReplay() throws {
            try TestSupport.withDirectory("snapshot") { directory in
                let (journal, _) = try TestSupport.open(directory)
                var state = State()
                for id in UInt64(1)...10 {
                    try journal.append(Self.record(id))
                    state.apply(Self.record(id))
                }
                let copy = state
                let report = try journal.writeSnapshot { try copy.produce(&$0) }
                #expect(report.generation == 1 && report.sequence == 10 && report.records == 10)
                #expect(report.removedFiles == ["log-0000000000000000.wal"])
                for id in UInt64(11)...15 {
                    try journal.append(Self.record(id))
                    state.apply(Self.record(id))
                }
                try journal.close()
                #expect(try TestSupport.names(directory) == ["journal.lock", "log-0000000000000001.wal", "snapshot-0000000000000001.snap"])

                let (again, replayed) = try TestSupport.open(directory)
                #expect(replayed.snapshot.count == 10)
                #expect(replayed.sequences == Array(11...15))
                #expect(again.replay.snapshot?.generation == 1 && again.replay.snapshot?.sequence == 10)
                #expect(again.appendedSequence == 15)
                var rebuilt = State()
                replayed.snapshot.forEach { rebuilt.apply($0) }
                replayed.records.forEach { rebuilt.apply($0.payload) }
                #expect(rebuilt == state)
                // A second round: generation 2 replaces generation 1.
                try again.writeSnapshot { try state.produce(&$0) }
                try again.close()
                #expect(try TestSupport.names(directory) == ["journal.lock", "log-0000000000000002.wal", "snapshot-0000000000000002.snap"])
                let (_, last) = try Self.reopen(directory)
                #expect(last == state)
            }
        }

        @Test("needsSnapshot: past the ratio of the live size and the minimum, and never while one is under way")
        func needsSnapshot() throws {
            try TestSupport.withDirectory("needs") { directory in
                let options = JournalOptions(compactionRatio: 2, minimumCompactionBytes: 100)
                let (journal, _) = try TestSupport.open(directory, options: options)
                #expect(!journal.needsSnapshot(liveBytes: 0))
                for _ in 0..<10 { try journal.append([UInt8](repeating: 0, count: 4)) }  // 10 x 20 bytes
                #expect(journal.logBytes == 0, "nothing written before the commit")
                try journal.commit()
                #expect(journal.logBytes == 200)
                #expect(journal.needsSnapshot(liveBytes: 99))
                #expect(!journal.needsSnapshot(liveBytes: 100))
                #expect(!journal.needsSnapshot(liveBytes: Int.max))
                let plan = try journal.beginSnapshot()
                #expect(!journal.needsSnapshot(liveBytes: 0), "one under way")
                #expect(journal.logBytes == 200, "the old log still counts until the snapshot deletes it")
                #expect(throws: JournalError.self) { try journal.beginSnapshot() }
                try plan.write { _ in }
                #expect(journal.logBytes == 0)
                #expect(!journal.needsSnapshot(liveBytes: 0))
            }
        }

        @Test("the snapshot is written off the writer thread while the writer goes on appending")
        func snapshotOffThread() async throws {
            try await TestSupport.withDirectoryAsync("offthread") { directory in
                let (journal, _) = try TestSupport.open(directory)
                for id in UInt64(1)...100 { try journal.append(Self.record(id)) }
                let plan = try journal.beginSnapshot()
                let copy = State(ids: Set(1...100))
                let writing = Task.detached { try plan.write { try copy.produce(&$0) } }
                for id in UInt64(101)...200 { try journal.append(Self.record(id)) }
                try journal.commit()
                let report = try await writing.value
                #expect(report.sequence == 100)
                try journal.close()
                let (_, state) = try Self.reopen(directory)
                #expect(state.ids == Set(1...200))
            }
        }

        @Test("a producer that throws leaves the old generation replayable and a later snapshot works")
        func producerFails() throws {
            try TestSupport.withDirectory("producer") { directory in
                let (journal, _) = try TestSupport.open(directory)
                for id in UInt64(1)...5 { try journal.append(Self.record(id)) }
                #expect {
                    try journal.writeSnapshot { writer in
                        try [UInt8]([1, 2, 3]).withUnsafeBytes { try writer.append($0) }
                        throw TestFailure("producer")
                    }
                } throws: { error in
                    guard case JournalError.producerFailed = error else { return false }
                    return true
                }
                try journal.append(Self.record(6))
                try journal.writeSnapshot { try State(ids: Set(1...6)).produce(&$0) }
                try journal.append(Self.record(7))
                try journal.close()
                let (reopened, state) = try Self.reopen(directory)
                #expect(state.ids == Set(1...7))
                #expect(reopened.replay.snapshot?.generation == 2)
            }
        }

        /// Where a crash stops the snapshot: after beginSnapshot only, or after a step of write.
        enum CrashPoint: CaseIterable, CustomStringConvertible {
            case afterRotation, afterStep(SnapshotStep)

            static var allCases: [CrashPoint] { [.afterRotation] + SnapshotStep.allCases.map { .afterStep($0) } }

            var description: String {
                switch self {
                case .afterRotation: "after the log rotation"
                case .afterStep(let step): "after \(step)"
                }
            }
        }

        @Test("a crash at each point of the snapshot leaves a directory that replays to the same state",
              arguments: CrashPoint.allCases)
        func crashPoints(_ point: CrashPoint) throws {
            try TestSupport.withDirectory("crash") { directory in
                do {
                    let (journal, _) = try TestSupport.open(directory)
                    for id in UInt64(1)...10 { try journal.append(Self.record(id)) }
                    let plan = try journal.beginSnapshot()
                    for id in UInt64(11)...12 { try journal.append(Self.record(id)) }
                    try journal.commit()
                    if case .afterStep(let step) = point {
                        #expect(try plan.write(State(ids: Set(1...10)).produce, stoppingAfter: step) == nil)
                    }
                    // The journal is dropped here without close: the crash.
                }
                let (journal, state) = try Self.reopen(directory)
                #expect(state.ids == Set(1...12), "\(point)")
                #expect(journal.appendedSequence == 12)
                let names = try TestSupport.names(directory)
                #expect(!names.contains { $0.hasSuffix(".tmp") }, "\(point): \(names)")
                switch point {
                case .afterRotation, .afterStep(.synced):
                    #expect(journal.replay.snapshot == nil && journal.replay.logRecords == 12)
                    #expect(names == ["journal.lock", "log-0000000000000000.wal", "log-0000000000000001.wal"])
                case .afterStep:
                    #expect(journal.replay.snapshot?.generation == 1 && journal.replay.logRecords == 2)
                    #expect(names == ["journal.lock", "log-0000000000000001.wal", "snapshot-0000000000000001.snap"])
                }
                // And the journal goes on: a later snapshot compacts whatever the crash left.
                try journal.append(Self.record(13))
                try journal.writeSnapshot(State(ids: Set(1...13)).produce)
                try journal.close()
                let (_, final) = try Self.reopen(directory)
                #expect(final.ids == Set(1...13))
                #expect(try TestSupport.names(directory).count == 3)
            }
        }

        @Test("a damaged snapshot is refused whole: nothing of it is handed over")
        func corruptSnapshot() throws {
            try TestSupport.withDirectory("bad-snapshot") { directory in
                do {
                    let (journal, _) = try TestSupport.open(directory)
                    for id in UInt64(1)...3 { try journal.append(Self.record(id)) }
                    try journal.writeSnapshot { try State(ids: Set(1...3)).produce(&$0) }
                    try journal.close()
                }
                let path = directory + "/snapshot-0000000000000001.snap"
                let bytes = try TestSupport.contents(path)
                #expect(bytes.count == fileHeaderLength + 3 * (recordHeaderLength + 8) + recordHeaderLength)
                // The last record's payload, then the end frame cut off.
                for damaged in [{ var copy = bytes; copy[fileHeaderLength + 2 * 24 + 20] ^= 1; return copy }(),
                                Array(bytes.dropLast(recordHeaderLength))] {
                    try TestSupport.replace(path, with: damaged)
                    var handed = 0
                    #expect(throws: JournalError.self) {
                        _ = try Journal.open(directory: directory, snapshot: { _ in handed += 1 })
                    }
                    #expect(handed == 0)
                }
            }
        }
    }
}

extension TestSupport {
    /// ``withDirectory(_:_:)`` for an async body.
    static func withDirectoryAsync<R>(_ label: String, _ body: (String) async throws -> R) async throws -> R {
        let path = try withDirectory(label) { $0 }
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await body(path)
    }
}
