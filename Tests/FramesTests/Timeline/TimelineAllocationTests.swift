import Harness
import Testing
@testable import Frames

/// Zero allocations for the binary list messages and the range: built with their writers,
/// encoded into a frame, decoded and iterated in place. Counted as `AllocationTests` counts.
extension AllocationTests {
    @Test("writing, framing, reading and iterating batches, key lists, ranges and results allocate nothing")
    func timelineLists() throws {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
        let frame = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
        defer {
            scratch.deallocate()
            frame.deallocate()
        }
        let key = Array("timeline:1".utf8)
        let member = Array("track-42".utf8)
        var sink = 0.0
        try key.withUnsafeBytes { key in
            try member.withUnsafeBytes { member in
                /// Frames `message`, reads it back, and returns its decoded data's bytes.
                func roundTrip(_ message: some FrameEncodable) throws -> UnsafeRawBufferPointer {
                    var writer = FrameWriter(frame, framing: .bare)
                    try writer.writeRequestResponse(streamID: 5, data: message)
                    return try FrameReader(validating: UnsafeRawBufferPointer(writer.written)).unsafeData
                }
                let measured = try AllocationMeasurement(runs: 100) {
                    var writes = TimelineWritesWriter(scratch)
                    for index in 0..<16 { try writes.append(key: key, score: Double(index), member: member) }
                    let batch = try TimelineRequest(decoding: try roundTrip(TimelineRequest.insertBatch(writes.writes)))
                    for write in batch.writes { sink += write.score + Double(write.unsafeKey.count + write.unsafeMember.count) }

                    var keys = TimelineKeysWriter(scratch)
                    for _ in 0..<8 { try keys.append(key) }
                    let select = try TimelineRequest(decoding: try roundTrip(TimelineRequest.select(keys: keys.keys, offset: 0, limit: 10)))
                    for key in select.keys { sink += Double(key.count) }

                    let range = try TimelineRequest(decoding: try roundTrip(
                        try TimelineRequest.range(key: key, start: TimelineCursor(score: 9, member: member), stop: nil, limit: 10)))
                    sink += range.start?.score ?? 0

                    var results = TimelineResultsWriter(scratch)
                    for _ in 0..<4 {
                        try results.appendKey(key)
                        for index in 0..<10 { try results.appendRecord(member: member, score: Double(index)) }
                    }
                    guard case .results(let read) = try TimelineResponse(decoding: try roundTrip(TimelineResponse.results(results.results))) else {
                        return
                    }
                    for result in read {
                        for record in result.records { sink += record.score + Double(result.unsafeKey.count) }
                    }
                }
                #expect(measured.total.mallocs == 0)
            }
        }
        #expect(sink > 0)
    }
}
