import Glibc
import Posix
import Synchronization
import Testing
@testable import ShmRing

/// The doorbell's two fences (membarrier on the sleeper's side, or a full fence on both) and
/// the fence bit that lets processes that chose differently share a word.
@Suite("Doorbell")
struct DoorbellTests {
    /// Monotonic nanoseconds.
    private static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    @Test("membarrier: QUERY names GLOBAL_EXPEDITED and its registration, and the process default follows it")
    func membarrierQuery() throws {
        let supported = try Sys.membarrier(.query)
        let needed = MembarrierCommand.globalExpedited.bit | MembarrierCommand.registerGlobalExpedited.bit
        if supported & needed == needed && getenv("RINGSIDE_DOORBELL_FENCE") == nil {
            #expect(DoorbellFence.processDefault == .asymmetric)
            try Sys.membarrier(.globalExpedited)  // registered: the command works from here
        } else {
            #expect(DoorbellFence.processDefault == .symmetric)
        }
    }

    @Test("a doorbell asked for .symmetric is symmetric; .asymmetric only where the process registered")
    func fenceChoice() {
        let bell = ProcessDoorbell()
        #expect(bell.doorbell.fence == DoorbellFence.processDefault)
        let word = UnsafeMutableRawPointer.allocate(byteCount: Doorbell.storageSize, alignment: 128)
        defer { word.deallocate() }
        word.initializeMemory(as: UInt8.self, repeating: 0, count: Doorbell.storageSize)
        #expect(Doorbell(unsafeWord: word, fence: .symmetric).fence == .symmetric)
        #expect(Doorbell(unsafeWord: word, fence: .asymmetric).fence == DoorbellFence.processDefault)
    }

    @Test("a sleeper without membarrier sets the fence bit for good; its first sleep returns at once, later ones wait")
    func fenceBit() {
        let word = UnsafeMutableRawPointer.allocate(byteCount: Doorbell.storageSize, alignment: 128)
        defer { word.deallocate() }
        word.initializeMemory(as: UInt8.self, repeating: 0, count: Doorbell.storageSize)
        let consumer = Doorbell(unsafeWord: word, fence: .symmetric)
        let producer = Doorbell(unsafeWord: word)
        #expect(!consumer.asksProducersToFence)

        let first = consumer.prepareToSleep()
        #expect(consumer.asksProducersToFence && consumer.hasSleeper)
        var start = Self.now()
        consumer.sleep(first, timeout: .seconds(5))
        #expect(Self.now() - start < 1_000_000_000, "the first sleep must see a ticket without the bit and return")
        #expect(!consumer.hasSleeper && consumer.asksProducersToFence)

        let second = consumer.prepareToSleep()
        start = Self.now()
        consumer.sleep(second, timeout: .milliseconds(20))
        #expect(Self.now() - start >= 15_000_000, "with the bit in the ticket, a sleep waits")

        // A ring (from a producer of either kind) wakes the count and keeps the bit.
        _ = consumer.prepareToSleep()
        producer.ring()
        #expect(!consumer.hasSleeper && consumer.asksProducersToFence)
        consumer.cancelSleep()
    }

    @Test("a membarrier that fails at the announcement falls back to the fence bit")
    func membarrierFailure() throws {
        let word = UnsafeMutableRawPointer.allocate(byteCount: Doorbell.storageSize, alignment: 128)
        defer { word.deallocate() }
        word.initializeMemory(as: UInt8.self, repeating: 0, count: Doorbell.storageSize)
        let consumer = Doorbell(unsafeWord: word)
        guard consumer.fence == .asymmetric else { return }  // no membarrier here: fenceBit covers it
        FailureInjection.arm(.membarrier, with: Errno(rawValue: ENOSYS), onThisThreadOnly: true)
        defer { FailureInjection.disarm(.membarrier) }
        let ticket = consumer.prepareToSleep()
        #expect(consumer.asksProducersToFence && consumer.hasSleeper)
        let start = Self.now()
        consumer.sleep(ticket, timeout: .seconds(5))
        #expect(Self.now() - start < 1_000_000_000)
    }

    @Test("the wake-up count wraps within its bits, never into the fence bit")
    func countWraps() {
        let word = UnsafeMutableRawPointer.allocate(byteCount: Doorbell.storageSize, alignment: 128)
        defer { word.deallocate() }
        let atomic = word.assumingMemoryBound(to: Atomic<UInt32>.self)
        atomic.initialize(to: Atomic(Doorbell.count))  // the count at its largest, no fence bit
        let consumer = Doorbell(unsafeWord: word)
        let producer = Doorbell(unsafeWord: word)
        _ = consumer.prepareToSleep()
        producer.ring()
        #expect(atomic.pointee.load(ordering: .relaxed) & ~Doorbell.fenced == 0)
    }

    /// A ping-pong through one word, `rounds` times: the producer publishes `n`, rings, and
    /// waits for the consumer to acknowledge it; the consumer, finding nothing new, announces
    /// sleep, re-checks, and sleeps (5 s limit) right in the window where the next `n` comes
    /// (every fourth round the producer waits for the announcement before publishing).
    /// Returns the longest sleep in nanoseconds (a lost wake-up shows as one of 5 s) and how
    /// many sleeps there were.
    private static func pingPong(
        consumerFence: DoorbellFence, producerFence: DoorbellFence, rounds: Int
    ) -> (longest: Int64, sleeps: Int) {
        final class Shared: @unchecked Sendable {
            // @unchecked: only atomics and the doorbell word, which outlives both threads.
            let published = Atomic<Int>(0)
            let acknowledged = Atomic<Int>(0)
            let longestSleep = Atomic<Int64>(0)
            let sleeps = Atomic<Int>(0)
            let word = UnsafeMutableRawPointer.allocate(byteCount: Doorbell.storageSize, alignment: 128)
            init() { word.initializeMemory(as: UInt8.self, repeating: 0, count: Doorbell.storageSize) }
            deinit { word.deallocate() }
        }
        let shared = Shared()
        let deadline = now() + 30_000_000_000
        let consumer = Doorbell(unsafeWord: shared.word, fence: consumerFence)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(Box {
            var seen = 0
            while seen < rounds && now() < deadline {
                let available = shared.published.load(ordering: .acquiring)
                if available > seen {
                    seen = available
                    shared.acknowledged.store(seen, ordering: .releasing)
                    continue
                }
                let ticket = consumer.prepareToSleep()
                if shared.published.load(ordering: .acquiring) > seen {
                    consumer.cancelSleep()
                    continue
                }
                let start = now()
                shared.sleeps.wrappingAdd(1, ordering: .relaxed)
                consumer.sleep(ticket, timeout: .seconds(5))
                let slept = now() - start
                if slept > shared.longestSleep.load(ordering: .relaxed) { shared.longestSleep.store(slept, ordering: .relaxed) }
            }
        })
        let started = pthread_create(&thread, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            box.body()
            return nil
        }, context.toOpaque())
        precondition(started == 0, "pthread_create: \(started)")
        let producer = Doorbell(unsafeWord: shared.word, fence: producerFence)
        for n in 1...rounds {
            // Every fourth round waits until the consumer has announced sleep, so that the
            // window is exercised however the two threads happen to be scheduled; the other
            // rounds race it.
            if n % 4 == 0 {
                while !producer.hasSleeper && now() < deadline { sched_yield() }
            }
            shared.published.store(n, ordering: .releasing)
            producer.ring()
            while shared.acknowledged.load(ordering: .acquiring) < n && now() < deadline { sched_yield() }
        }
        pthread_join(thread, nil)
        return (shared.longestSleep.load(ordering: .relaxed), shared.sleeps.load(ordering: .relaxed))
    }

    /// A closure to run on a thread.
    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    @Test(
        "no wake-up is lost in a ping-pong through the sleep window, whichever fence each side uses",
        arguments: [
            (DoorbellFence.asymmetric, DoorbellFence.asymmetric), (.symmetric, .symmetric),
            (.symmetric, .asymmetric), (.asymmetric, .symmetric),
        ])
    func noLostWakeUp(consumerFence: DoorbellFence, producerFence: DoorbellFence) {
        let (longest, sleeps) = Self.pingPong(consumerFence: consumerFence, producerFence: producerFence, rounds: 2_000)
        #expect(sleeps > 0, "the consumer never slept: the window was not exercised")
        #expect(longest < 2_000_000_000, "a sleep lasted \(longest / 1_000_000) ms: a wake-up was lost")
    }
}
