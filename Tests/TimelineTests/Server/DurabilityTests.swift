import Dispatch
import Foundation
import Frames
import Journal
import Testing
import Timeline
import Transport

/// The server with `--data-dir`, in this process over loopback: acknowledged writes survive
/// a restart, torn and corrupt logs, the directory lock, group commit, compaction.
@Suite("Timeline server durability")
struct DurabilityTests {
    /// Inserts `count` members `m0...` under `key` by request-response (acknowledged).
    private func insert(_ count: Int, key: String = "k", into fixture: LoopbackServer, encoding: TimelineEncoding = .binary) throws {
        let client = try fixture.caller(encoding)
        for index in 0 ..< count {
            #expect(try client.call(.insert(key: key, score: Double(index), member: "m\(index)")) == .ok)
        }
    }

    /// Runs a server on `directory` for 10 acknowledged inserts (`m0...m9` under `k`), stops
    /// it, and returns the path of its last log file.
    private func logOfTenInserts(_ directory: DurabilityDirectory) throws -> String {
        try directory.run { try insert(10, into: $0) }
        return try #require(try directory.logs().last)
    }

    private func members(_ fixture: LoopbackServer, key: String = "k") throws -> [TimelineJSONRecord] {
        guard case .records(let records) = try fixture.caller(.binary).call(.select(key: key, offset: 0, limit: 0)) else {
            Issue.record("select did not answer records")
            return []
        }
        return records
    }

    @Test("acknowledged writes are replayed after a restart on the same directory", arguments: TimelineEncoding.allCases)
    func restart(encoding: TimelineEncoding) throws {
        try DurabilityDirectory.with("restart") { directory in
            try directory.run { fixture in
                try insert(50, into: fixture, encoding: encoding)
                let client = try fixture.caller(encoding)
                #expect(try client.call(.deleteBatch(writes: [write("k", 100, "m0"), write("k", 100, "m1")])) == .ok)
                #expect(try client.call(.insertBatch(writes: [write("j", 1, "x")])) == .ok)
            }
            let again = try directory.start()
            #expect(again.server.replay?.logRecords == 53)
            #expect(again.server.replay?.tornTails.isEmpty == true)
            #expect(try members(again) == (2 ..< 50).reversed().map { record("m\($0)", Double($0)) })
            #expect(try members(again, key: "j") == [record("x", 1)])
        }
    }

    @Test("a torn last record is reported, cut off and never applied")
    func tornTail() throws {
        try DurabilityDirectory.with("torn") { directory in
            let log = try logOfTenInserts(directory)
            let handle = try #require(FileHandle(forUpdatingAtPath: log))
            let size = try handle.seekToEnd()
            try handle.truncate(atOffset: size - 3)
            try handle.close()
            let again = try directory.start()
            let torn = try #require(again.server.replay?.tornTails.first)
            #expect(torn.file.hasSuffix(".wal"))
            #expect(again.server.replay?.logRecords == 9)
            #expect(try members(again) == (0 ..< 9).reversed().map { record("m\($0)", Double($0)) })
        }
    }

    @Test("a corrupt record in the middle of the log stops the start with the journal's error")
    func corruptMiddle() throws {
        try DurabilityDirectory.with("corrupt") { directory in
            let log = try logOfTenInserts(directory)
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: log)))
            bytes[32 + 16 + 2] ^= 0xFF   // the first record's payload: a checksum mismatch, valid records after it
            try Data(bytes).write(to: URL(fileURLWithPath: log))
            do {
                _ = try directory.start()
                Issue.record("a server started on a log with a corrupt middle record")
            } catch let error as TimelineServerError {
                guard case .journal(.corruptRecord(let file, let offset, _)) = error else {
                    Issue.record("expected corruptRecord, got \(error)")
                    return
                }
                #expect(file == log)
                #expect(offset == 32)
                #expect(error.description.contains(log))
            }
        }
    }

    @Test("a second server on a locked directory is refused, naming the holder")
    func locked() throws {
        try DurabilityDirectory.with("locked") { directory in
            let first = try directory.start()
            do {
                _ = try directory.start()
                Issue.record("two servers opened one data directory")
            } catch let error as TimelineServerError {
                #expect(error.description == "\(directory.path) is locked by pid \(getpid())")
            }
            try insert(1, into: first)
        }
    }

    @Test("concurrent acknowledged writers share fsyncs (group commit); stat counts them")
    func groupCommit() throws {
        try DurabilityDirectory.with("group", publishesStat: true) { directory in
            let fixture = try directory.start()
            let writers = 8
            let each = 100
            let connections = try (0 ..< writers).map { _ in try fixture.caller(.binary, spinPolls: 0).connection }
            let failures = Counter()
            let started = ContinuousClock.now
            // A thread per writer (concurrentPerform would run only as many as there are cores).
            let done = DispatchGroup()
            for writer in 0 ..< writers {
                done.enter()
                Thread.detachNewThread { [connection = connections[writer]] in
                    let caller = TimelineCaller(connection: connection, encoding: .binary)
                    for index in 0 ..< each {
                        let answer = try? caller.call(.insert(key: "w\(writer)", score: Double(index), member: "m\(index)"))
                        if answer != .ok { failures.add() }
                    }
                    done.leave()
                }
            }
            #expect(done.wait(timeout: .now() + 60) == .success)
            let elapsed = ContinuousClock.now - started
            #expect(failures.value == 0)
            let stat = try statAfterRefresh(try #require(directory.statName))
            #expect(stat.durable)
            #expect(stat[.logRecords] == UInt64(writers * each))
            #expect(stat[.logFsyncs] > 0 && stat[.logFsyncs] < UInt64(writers * each), "fsyncs \(stat[.logFsyncs])")
            let rate = Double(writers * each) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            print("durable acknowledged writes: \(writers) writers x \(each): \(Int(rate)) writes/s, \(stat[.logFsyncs]) fsyncs")
        }
    }

    @Test("a select after fire-and-forget writes is answered once they are durable, at once however late their batch would fall due")
    func selectForcesTheSeal() throws {
        try DurabilityDirectory.with("select-seals", publishesStat: true) { directory in
            // Batches no answer waits for would wait a minute: past the caller's 10 s timeout.
            let fixture = try directory.start(journal: JournalOptions(sealBytes: 1 << 30, sealDelay: .seconds(60)))
            let client = try fixture.caller(.binary)
            for index in 0 ..< 20 { try client.send(.insert(key: "k", score: Double(index), member: "m\(index)")) }
            let started = ContinuousClock.now
            #expect(try members(fixture).count == 20)
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(try client.call(.insert(key: "k", score: 100, member: "acknowledged")) == .ok)
            let stat = try statAfterRefresh(try #require(directory.statName))
            #expect(stat[.durableSequence] == 21, "every write the answers covered is durable")
        }
    }

    @Test("fire-and-forget writes no answer waits for become durable once their batch falls due, the server asleep meanwhile")
    func fireAndForgetFallsDue() throws {
        try DurabilityDirectory.with("falls-due", publishesStat: true) { directory in
            let name = try #require(directory.statName)
            try directory.run(journal: JournalOptions(sealDelay: .milliseconds(20))) { fixture in
                let client = try fixture.caller(.binary)
                for index in 0 ..< 50 { try client.send(.insert(key: "k", score: Double(index), member: "m\(index)")) }
                let deadline = ContinuousClock.now + .seconds(5)
                var durable: UInt64 = 0
                while ContinuousClock.now < deadline {
                    durable = try StatSegmentReader.read(server: name)[.durableSequence]
                    if durable == 50 { break }
                    Thread.sleep(forTimeInterval: 0.02)
                }
                #expect(durable == 50)
            }
            let again = try directory.start()
            #expect(again.server.replay?.logRecords == 50)
        }
    }

    @Test("a log past its compaction threshold is snapshotted; the restart replays snapshot and log")
    func compaction() throws {
        try DurabilityDirectory.with("compact") { directory in
            let options = JournalOptions(compactionRatio: 1, minimumCompactionBytes: 1024)
            try directory.run(journal: options) { fixture in
                let client = try fixture.caller(.binary)
                // One live member rewritten over and over: the log grows, the set does not.
                for score in 0 ..< 300 { #expect(try client.call(.insert(key: "k", score: Double(score), member: "same")) == .ok) }
                let deadline = ContinuousClock.now + .seconds(5)
                while ContinuousClock.now < deadline, !(try directory.hasSnapshot()) { Thread.sleep(forTimeInterval: 0.05) }
                #expect(try directory.hasSnapshot())
                #expect(try client.call(.insert(key: "k", score: 1000, member: "after")) == .ok)
            }
            let again = try directory.start(journal: options)
            #expect(again.server.replay?.snapshot != nil)
            #expect((again.server.replay?.snapshotRecords ?? 0) >= 1)
            #expect(try members(again) == [record("after", 1000), record("same", 299)])
        }
    }
}

/// A counter several threads bump.
final class Counter: @unchecked Sendable {
    // @unchecked: guarded by the lock.
    private let lock = NSLock()
    private var count = 0

    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
