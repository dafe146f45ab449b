import Foundation
import Journal
import Synchronization
import Testing

extension JournalTests {
    @Suite("Flusher thread")
    struct FlusherTests {
        /// Runs `flusher.flush` on a thread of its own until `stop` is set; the error it threw,
        /// if any, is kept in `failure`.
        final class FlusherThread: Sendable {
            let stop = Atomic<Bool>(false)
            let done = Atomic<Bool>(false)
            let flushes = Atomic<Int>(0)

            init(_ flusher: JournalFlusher) {
                let thread = Thread { [self] in
                    while !stop.load(ordering: .acquiring) {
                        if (try? flusher.flush(waitingUpTo: .milliseconds(5))) == .flushed {
                            flushes.add(1, ordering: .relaxed)
                        }
                    }
                    done.store(true, ordering: .releasing)
                }
                thread.start()
            }

            /// Stops the thread and waits (at most 5 s) for it to end.
            func join() throws {
                stop.store(true, ordering: .releasing)
                let deadline = ContinuousClock.now + .seconds(5)
                while !done.load(ordering: .acquiring) {
                    guard ContinuousClock.now < deadline else { throw TestFailure("flusher thread did not stop") }
                    Thread.sleep(forTimeInterval: 0.001)
                }
            }
        }

        @Test("the writer seals batches and goes on while a flusher syncs them; every record is durable and replays")
        func pipelined() throws {
            try TestSupport.withDirectory("flusher") { directory in
                let (journal, _) = try TestSupport.open(directory)
                let flusher = FlusherThread(journal.flusher)
                var seals = 0
                var sawDurable: UInt64 = 0
                for index in 1...5000 {
                    try journal.append(TestSupport.payload(index))
                    if index % 64 == 0, try journal.seal() { seals += 1 }
                    let durable = journal.durableSequence
                    #expect(durable >= sawDurable && durable <= journal.appendedSequence)
                    sawDurable = durable
                }
                // The flusher alone makes the rest durable: the writer only seals what is left.
                let deadline = ContinuousClock.now + .seconds(5)
                while journal.durableSequence < 5000 {
                    guard ContinuousClock.now < deadline else { throw TestFailure("flusher made nothing durable") }
                    if try journal.seal() { seals += 1 }
                    Thread.sleep(forTimeInterval: 0.0005)
                }
                try flusher.join()
                #expect(try journal.commit() == 5000)
                let counters = journal.counters
                #expect(counters.records == 5000)
                #expect(counters.fsyncs == flusher.flushes.load(ordering: .relaxed), "every fsync was the flusher's")
                #expect(counters.fsyncs <= seals, "one fsync per sealed batch: \(counters.fsyncs) fsyncs, \(seals) seals")
                try journal.close()
                let (_, replayed) = try TestSupport.open(directory)
                #expect(replayed.sequences == Array(1...5000))
                #expect(replayed.records.map(\.payload) == (1...5000).map(TestSupport.payload))
            }
        }

        @Test("seal hands nothing while the flusher holds a batch; commit takes a sealed batch itself")
        func sealWithoutFlusher() throws {
            try TestSupport.withDirectory("seal") { directory in
                let (journal, _) = try TestSupport.open(directory)
                #expect(try journal.seal() == false, "nothing to seal")
                try journal.append([1])
                #expect(try journal.seal())
                try journal.append([2])
                #expect(try journal.seal() == false, "the sealed batch is not flushed yet")
                #expect(journal.durableSequence == 0)
                #expect(try journal.commit() == 2)
                #expect(journal.counters.fsyncs == 2)
                #expect(try journal.flusher.flush() == .nothingSealed)
            }
        }

        @Test("an urgent batch is sealed while an earlier one is in flight; batches are written and acknowledged in order")
        func overlappingSeal() throws {
            try TestSupport.withDirectory("overlap") { directory in
                let (journal, _) = try TestSupport.open(directory)
                try journal.append([1])
                try journal.append([2])
                #expect(try journal.seal())
                try journal.append([3])
                #expect(try journal.seal() == false, "not urgent: waits for the batch in flight")
                #expect(try journal.sealIfDue(urgent: true), "urgent: sealed beside the batch in flight")
                try journal.append([4])
                #expect(try journal.sealIfDue(urgent: true) == false, "two batches in flight: no room for a third")
                #expect(try journal.flusher.flush() == .flushed)
                #expect(journal.durableSequence == 2, "the first batch first")
                #expect(try journal.flusher.flush() == .flushed)
                #expect(journal.durableSequence == 3)
                #expect(try journal.flusher.flush() == .nothingSealed)
                #expect(try journal.commit() == 4)
                #expect(journal.counters.fsyncs == 3 && journal.counters.records == 4)
                try journal.close()
                let (_, replayed) = try TestSupport.open(directory)
                #expect(replayed.sequences == [1, 2, 3, 4])
                #expect(replayed.records.map(\.payload) == [[1], [2], [3], [4]])
            }
        }

        @Test("two flusher threads make every sealed batch durable in order while the writer seals urgently")
        func twoFlushers() throws {
            try TestSupport.withDirectory("two-flushers") { directory in
                let (journal, _) = try TestSupport.open(directory)
                let flushers = [FlusherThread(journal.flusher), FlusherThread(journal.flusher)]
                var sawDurable: UInt64 = 0
                for index in 1...3000 {
                    try journal.append(TestSupport.payload(index))
                    if index % 16 == 0 { _ = try journal.sealIfDue(urgent: index % 32 == 0) }
                    let durable = journal.durableSequence
                    #expect(durable >= sawDurable && durable <= journal.appendedSequence)
                    sawDurable = durable
                }
                let deadline = ContinuousClock.now + .seconds(10)
                while journal.durableSequence < 3000 {
                    guard ContinuousClock.now < deadline else { throw TestFailure("the flushers made \(journal.durableSequence) of 3000 durable") }
                    _ = try journal.sealIfDue(urgent: true)
                    Thread.sleep(forTimeInterval: 0.0005)
                }
                for flusher in flushers { try flusher.join() }
                #expect(journal.counters.records == 3000)
                #expect(journal.counters.fsyncs == flushers.map { $0.flushes.load(ordering: .relaxed) }.reduce(0, +))
                try journal.close()
                let (_, replayed) = try TestSupport.open(directory)
                #expect(replayed.sequences == Array(1...3000))
                #expect(replayed.records.map(\.payload) == (1...3000).map(TestSupport.payload))
            }
        }

        /// Whether `sealIfDue(urgent: false)` seals within 32 calls (it reads the clock on one
        /// call in 32).
        static func sealsWithin32Calls(_ journal: Journal) throws -> Bool {
            for _ in 0 ..< 32 where try journal.sealIfDue(urgent: false) { return true }
            return false
        }

        @Test("sealIfDue holds a small batch back until it is urgent, large enough or old enough")
        func sealIfDue() throws {
            try TestSupport.withDirectory("seal-if-due") { directory in
                let options = JournalOptions(sealBytes: 256, sealDelay: .milliseconds(40))
                let (journal, _) = try TestSupport.open(directory, options: options)
                #expect(try journal.sealIfDue(urgent: true) == false, "nothing to seal")
                try journal.append([1])
                #expect(try journal.sealIfDue(urgent: false) == false, "small and new: held back")
                #expect(try journal.sealIfDue(urgent: true), "an answer waits: sealed at once")
                #expect(try journal.flusher.flush() == .flushed)
                #expect(journal.durableSequence == 1)

                for index in 0 ..< 10 { try journal.append([UInt8](repeating: UInt8(index), count: 8)) }
                #expect(try journal.sealIfDue(urgent: false) == false, "10 records of 24 bytes: under 256 bytes")
                try journal.append([UInt8](repeating: 10, count: 8))
                #expect(try journal.sealIfDue(urgent: false), "11 records of 24 bytes: 264 bytes, sealed")
                #expect(try journal.flusher.flush() == .flushed)

                try journal.append([2])
                let held = ContinuousClock.now
                #expect(try journal.sealIfDue(urgent: false) == false)
                for _ in 0 ..< 64 { #expect(try journal.sealIfDue(urgent: false) == false, "held back: not yet due") }
                while ContinuousClock.now - held < .milliseconds(45) { Thread.sleep(forTimeInterval: 0.005) }
                #expect(try Self.sealsWithin32Calls(journal), "held back past sealDelay: sealed")
                #expect(try journal.flusher.flush() == .flushed)
                #expect(journal.durableSequence == journal.appendedSequence)
                #expect(journal.counters.fsyncs == 3)
            }
        }

        @Test("a flusher waiting for a seal is woken when the writer holds a batch back, and says once when it is due")
        func sealOverdue() throws {
            try TestSupport.withDirectory("seal-overdue") { directory in
                let options = JournalOptions(sealDelay: .milliseconds(50))
                let (journal, _) = try TestSupport.open(directory, options: options)
                let flusher = journal.flusher
                let outcome = Mutex<(JournalFlusher.Outcome, Duration)?>(nil)
                let started = Atomic<Bool>(false)
                let thread = Thread {
                    started.store(true, ordering: .releasing)
                    let start = ContinuousClock.now
                    // Asleep with nothing held back: only the writer's wake-up can shorten this.
                    let result = (try? flusher.flush(waitingUpTo: .seconds(20))) ?? .nothingSealed
                    outcome.withLock { $0 = (result, ContinuousClock.now - start) }
                }
                thread.start()
                while !started.load(ordering: .acquiring) { Thread.sleep(forTimeInterval: 0.001) }
                Thread.sleep(forTimeInterval: 0.05)
                try journal.append([1])
                let held = ContinuousClock.now
                #expect(try journal.sealIfDue(urgent: false) == false)
                let deadline = ContinuousClock.now + .seconds(10)
                while outcome.withLock({ $0 }) == nil {
                    guard ContinuousClock.now < deadline else { throw TestFailure("the flusher slept on past the held batch's delay") }
                    Thread.sleep(forTimeInterval: 0.002)
                }
                let reported = ContinuousClock.now - held
                let (result, _) = try #require(outcome.withLock { $0 })
                #expect(result == .sealOverdue)
                #expect(reported >= .milliseconds(50), "reported due after \(reported)")
                #expect(try flusher.flush(waitingUpTo: .milliseconds(20)) == .nothingSealed, "said once per held batch")
                #expect(try Self.sealsWithin32Calls(journal), "due: sealed")
                #expect(try flusher.flush() == .flushed)
                #expect(journal.durableSequence == 1)
            }
        }
    }
}
