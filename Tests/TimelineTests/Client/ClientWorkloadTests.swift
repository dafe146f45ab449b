import Testing
import Timeline

/// The load workload: members are unique, 16 bytes, read back; keys spread evenly.
@Suite("Timeline load workload")
struct ClientWorkloadTests {
    @Test("members name their producer and index, and parse back")
    func members() {
        #expect(TimelineWorkload.member(producer: 3, index: 42) == Array("p03-000000000042".utf8))
        #expect(TimelineWorkload.member(producer: 99, index: TimelineWorkload.maxEvents) == Array("p99-999999999999".utf8))
        for (producer, index) in [(0, 0), (7, 123_456), (42, 999_999_999)] {
            let parsed = TimelineWorkload.parse(member: TimelineWorkload.member(producer: producer, index: index))
            #expect(parsed?.producer == producer && parsed?.index == index)
        }
        #expect(TimelineWorkload.parse(member: Array("p03-00000000004x".utf8)) == nil)
        #expect(TimelineWorkload.parse(member: Array("short".utf8)) == nil)
        #expect(TimelineWorkload.score(index: 0) == 1)
    }

    @Test("each producer's events cover every key evenly")
    func keys() {
        let workload = TimelineWorkload(keyCount: 100)
        #expect(workload.keys[7] == Array("key-00007".utf8))
        for producer in 0 ..< 3 {
            var counts = [Int](repeating: 0, count: 100)
            for index in 0 ..< 10_000 { counts[workload.keyIndex(producer: producer, index: index)] += 1 }
            #expect(counts.allSatisfy { $0 == 100 })
        }
    }
}
