import Glibc
import LWWSet
import Timeline

/// `timeline-set-alone`: the set part of `timeline-shm-binary` with nothing around it. The
/// same writes the case's producers make (every producer's events of the load workload,
/// interleaved one from each in turn, as the server's drain loop meets them), applied in the
/// lab process to a fresh `LWWSet` in batches of 64 borrowed writes (the server's batch API),
/// timed from the first batch to the last. Measured right before each run of the case, so
/// that `timeline-shm-binary vs timeline-set-alone` compares the service with its own set on
/// the same placement and the same workload (where `lww-insert-batched`, a suite minutes
/// earlier, fills 1,000,000 entries: a set several times the size).
enum TimelineSetAlone {
    /// The case name.
    static let caseName = "timeline-set-alone"

    /// Applies `producers` × `events` writes of the workload to a fresh set and returns the
    /// writes per second; throws if a write fails or one is not applied (every member of the
    /// workload is new to the set).
    static func eventsPerSecond(producers: Int, events: Int) throws -> Double {
        let workload = TimelineWorkload()
        let count = producers * events
        // Made before the clock starts: the producers make theirs in their own processes.
        var members = [UInt8](repeating: 0, count: count * TimelineWorkload.memberLength)
        var keyOfWrite = [Int](repeating: 0, count: count)
        var scoreOfWrite = [Double](repeating: 0, count: count)
        members.withUnsafeMutableBytes { bytes in
            for index in 0 ..< events {
                for producer in 0 ..< producers {
                    let write = index * producers + producer
                    let start = write * TimelineWorkload.memberLength
                    TimelineWorkload.writeMember(
                        producer: producer, index: index,
                        into: UnsafeMutableRawBufferPointer(rebasing: bytes[start ..< start + TimelineWorkload.memberLength]))
                    keyOfWrite[write] = workload.keyIndex(producer: producer, index: index)
                    scoreOfWrite[write] = TimelineWorkload.score(index: index)
                }
            }
        }
        var set = try LWWSet()
        let none = UnsafeRawBufferPointer(start: nil, count: 0)
        var batch = [BorrowedWrite](repeating: BorrowedWrite(.insert, key: none, score: 0, member: none), count: 64)
        let seconds = try workload.withKeyViews { (keys) throws in
            try members.withUnsafeBytes { members in
                try batch.withUnsafeMutableBufferPointer { batch in
                    let start = monotonicNanos()
                    try set.writeInBatches(count, through: batch) { write in
                        let offset = write * TimelineWorkload.memberLength
                        return BorrowedWrite(
                            .insert, key: keys[keyOfWrite[write]], score: scoreOfWrite[write],
                            member: UnsafeRawBufferPointer(rebasing: members[offset ..< offset + TimelineWorkload.memberLength]))
                    }
                    return Double(monotonicNanos() - start) / 1e9
                }
            }
        }
        let entries = set.counts.entries
        guard entries == count else { throw LabError("\(caseName): the set holds \(entries) entries after \(count) new members") }
        return Double(count) / seconds
    }
}
