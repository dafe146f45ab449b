import Foundation
import Journal
import LWWSet
import Posix
import ShmRing
import Synchronization
import Testing
@testable import Timeline

/// The journal's flusher thread keeps off the CPUs the server's threads (the single writer)
/// were confined to.
@Suite("Durability: flusher placement")
struct DurabilityPlacementTests {
    @Test("the flusher takes the CPUs the server was not confined to, and stays put otherwise")
    func placementRule() {
        let all = CPUSet(0 ..< 4)
        #expect(FlusherPlacement.cpus(server: CPUSet([1]), configured: all) == CPUSet([0, 2, 3]))
        #expect(FlusherPlacement.cpus(server: CPUSet([0, 1]), configured: all) == CPUSet([2, 3]))
        #expect(FlusherPlacement.cpus(server: all, configured: all) == nil)
        #expect(FlusherPlacement.cpus(server: nil, configured: all) == nil)
        #expect(CPUSet([0, 2, 3]).description == "{0,2,3}")
        #expect(CPUSet([5, 1]).cpus == [1, 5] && CPUSet([5, 1]).count == 2 && CPUSet().isEmpty)
    }

    @Test("a server opened on a thread pinned to one CPU runs its flusher on the others")
    func flusherLeavesTheWritersCPU() throws {
        let allowed = try Sys.threadAffinity()
        guard allowed.count >= 2, let writerCPU = allowed.cpus.last else { return }  // one CPU: nowhere else to go
        let directory = temporaryDirectory("placement")
        defer { removeDirectory(directory) }
        let doorbell = ProcessDoorbell()
        let result = Outcome()
        // The opening thread pins itself first, as a server confined with taskset or the lab's
        // peer would be; the flusher it starts inherits that affinity, then moves.
        let thread = Thread {
            let outcome = Result { try Self.flusherCPUs(pinnedTo: writerCPU, directory: directory, doorbell: doorbell.doorbell) }
            result.value.withLock { $0 = outcome }
        }
        thread.start()
        let deadline = ContinuousClock.now + .seconds(10)
        while result.value.withLock({ $0 == nil }) && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.005) }
        let cpus = try #require(try result.value.withLock { $0 }?.get(), "the opening thread did not finish in 10 s")
        #expect(!cpus.contains(writerCPU), "flusher allowed on \(cpus.sorted()), the writer pinned to \(writerCPU)")
        #expect(!cpus.isEmpty)
    }

    /// Pins the calling thread to `cpu`, opens a durability on `directory`, waits (at most 5 s)
    /// for its flusher to leave `cpu`, and returns the flusher's allowed CPUs.
    private static func flusherCPUs(pinnedTo cpu: Int, directory: String, doorbell: Doorbell) throws -> Set<Int> {
        try Sys.setThreadAffinity(CPUSet([cpu]))
        var set = try LWWSet()
        let durability = try TimelineDurability(directory: directory, options: JournalOptions(), set: &set, doorbell: doorbell)
        defer { try? durability.close() }
        let deadline = ContinuousClock.now + .seconds(5)
        var cpus: Set<Int> = [cpu]
        while ContinuousClock.now < deadline {
            if let id = durability.flusherThreadID, let listed = allowedCPUs(thread: id) {
                cpus = listed
                if !listed.contains(cpu) { break }
            }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return cpus
    }

    /// What the opening thread found.
    private final class Outcome: Sendable {
        let value = Mutex<Result<Set<Int>, any Error>?>(nil)
    }

    /// `Cpus_allowed_list` of this process's thread `id` (`0-1,3`), from /proc.
    private static func allowedCPUs(thread id: Int32) -> Set<Int>? {
        guard let status = try? String(contentsOfFile: "/proc/self/task/\(id)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") })
        else { return nil }
        var cpus = Set<Int>()
        for range in line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces).split(separator: ",") {
            let bounds = range.split(separator: "-").compactMap { Int($0) }
            guard let low = bounds.first, let high = bounds.last else { return nil }
            cpus.formUnion(low ... high)
        }
        return cpus
    }
}
