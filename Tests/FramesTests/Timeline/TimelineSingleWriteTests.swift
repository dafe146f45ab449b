import SeededRandom
import Testing
@testable import Frames

struct TimelineSingleWriteTests {
    @Test("an insert or delete reads as the full decoder reads it; every other request, truncation or extra byte is refused")
    func agreesWithTheFullDecoder() throws {
        var random = SplitMix64(seed: 11)
        var writes = 0
        for _ in 0..<400 {
            let encoded = try RequestSpec.random(using: &random).encoded()
            encoded.withUnsafeBytes { raw in
                let full = try? TimelineRequest(decoding: raw)
                let single = try? TimelineSingleWrite(decoding: raw)
                guard let full, full.operation == .insert || full.operation == .delete else {
                    #expect(single == nil)
                    return
                }
                writes += 1
                guard let single, let base = raw.baseAddress else {
                    Issue.record("a valid \(full.operation) was refused")
                    return
                }
                #expect(single.operation == full.operation)
                #expect(single.score == full.score)
                #expect(base + single.keyOffset == full.unsafeKey.baseAddress || single.keyCount == 0)
                #expect(Array(raw[single.keyOffset ..< single.keyOffset + single.keyCount]) == Array(full.unsafeKey))
                #expect(Array(raw[single.memberOffset ..< single.memberOffset + single.memberCount]) == Array(full.unsafeMember))
                #expect(single.memberOffset + single.memberCount == raw.count)
                for cut in 0 ..< raw.count {
                    #expect((try? TimelineSingleWrite(decoding: UnsafeRawBufferPointer(rebasing: raw[..<cut]))) == nil)
                }
            }
            let extended = encoded + [0]
            extended.withUnsafeBytes { raw in #expect((try? TimelineSingleWrite(decoding: raw)) == nil) }
        }
        #expect(writes > 20)
    }

    @Test("the single-write encoder writes what TimelineRequest writes, for keys and members of 0 to 40 bytes (each short copy's size)")
    func encoderAgreesWithTheRequest() throws {
        var random = SplitMix64(seed: 12)
        for keyCount in 0 ... 40 {
            for memberCount in [0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 40, keyCount] {
                let key = (0 ..< keyCount).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                let member = (0 ..< memberCount).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                let score = Double(keyCount) * 1.5 - Double(memberCount)
                let isDelete = (keyCount + memberCount) % 2 == 1
                try key.withUnsafeBytes { key in
                    try member.withUnsafeBytes { member in
                        let request = isDelete
                            ? try TimelineRequest.delete(key: key, score: score, member: member)
                            : try TimelineRequest.insert(key: key, score: score, member: member)
                        let count = TimelineSingleWrite.encodedByteCount(keyCount: keyCount, memberCount: memberCount)
                        #expect(count == request.encodedByteCount)
                        // One byte past the message stays as it was: the encoder writes exactly `count`.
                        var expected = [UInt8](repeating: 0xA5, count: count + 1)
                        var written = expected
                        expected.withUnsafeMutableBytes { request.unsafeEncode(into: $0) }
                        written.withUnsafeMutableBytes {
                            TimelineSingleWrite.unsafeEncode(isDelete: isDelete, key: key, score: score, member: member, into: $0)
                        }
                        #expect(written == expected, "key \(keyCount) bytes, member \(memberCount) bytes")
                        #expect(written[count] == 0xA5)
                        let decoded = try written.withUnsafeBytes {
                            try TimelineSingleWrite(decoding: UnsafeRawBufferPointer(rebasing: $0[..<count]))
                        }
                        #expect(decoded.isDelete == isDelete && decoded.score == score)
                        #expect(Array(written[decoded.keyOffset ..< decoded.keyOffset + decoded.keyCount]) == Array(key))
                        #expect(Array(written[decoded.memberOffset ..< decoded.memberOffset + decoded.memberCount]) == Array(member))
                    }
                }
            }
        }
    }

    @Test("a non-finite score and a set reserved byte are refused with their errors")
    func refusals() {
        let nan = bytes(#"01 00 7ff8000000000000 0001 0001 "k" "m""#)
        #expect(throws: TimelineCodecError.nonFiniteScore(bitPattern: 0x7ff8_0000_0000_0000)) {
            try nan.withUnsafeBytes { _ = try TimelineSingleWrite(decoding: $0) }
        }
        let reserved = bytes(#"02 01 3ff0000000000000 0001 0001 "k" "m""#)
        #expect(throws: TimelineCodecError.reservedBitsSet(1)) {
            try reserved.withUnsafeBytes { _ = try TimelineSingleWrite(decoding: $0) }
        }
        let delete = bytes(#"02 00 3ff0000000000000 0001 0002 "k" "mm""#)
        #expect(delete.withUnsafeBytes { (try? TimelineSingleWrite(decoding: $0))?.isDelete } == true)
    }
}
