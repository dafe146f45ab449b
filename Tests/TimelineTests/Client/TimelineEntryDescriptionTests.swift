import LWWSet
import Testing
import Timeline

/// How entries and tail events read as text: the line `ringside select` or `ringside tail`
/// prints for them, with each byte outside valid UTF-8 (which the commands write raw) as
/// `\xHH`, so that distinct members never read the same.
@Suite("TimelineEntry and TimelineEvent descriptions")
struct TimelineEntryDescriptionTests {
    @Test("UTF-8 members read as `ringside select` prints them")
    func utf8() {
        #expect(TimelineEntry(member: "alice", score: 5).description == "alice:5")
        #expect(TimelineEntry(member: "é–😀", score: 0.5).description == "é–😀:0.5")
        #expect(TimelineEntry(member: [], score: -3).description == ":-3")
        #expect(TimelineEvent(kind: .delete, key: Array("k:1".utf8), score: 1e21, member: Array("m 1".utf8)).description
            == "delete k:1 1e+21 m 1")
    }

    @Test("bytes outside valid UTF-8 read as \\xHH, the valid characters around them as they are")
    func invalidBytes() {
        #expect(TimelineEntry(member: [0xFF, 0xFE], score: 2).description == #"\xff\xfe:2"#)
        // A lone continuation byte, a truncated sequence before a valid one, an overlong NUL,
        // a surrogate, a control byte (valid UTF-8: as it is).
        #expect(TimelineEntry(member: [0x61, 0x80, 0x62], score: 1).description == #"a\x80b:1"#)
        #expect(TimelineEntry(member: [0xE2, 0x82, 0xC3, 0xA9], score: 1).description == #"\xe2\x82é:1"#)
        #expect(TimelineEntry(member: [0xC0, 0x80], score: 1).description == #"\xc0\x80:1"#)
        #expect(TimelineEntry(member: [0xED, 0xA0, 0x80], score: 1).description == #"\xed\xa0\x80:1"#)
        #expect(TimelineEntry(member: [0x01, 0x0A], score: 1).description == "\u{01}\n:1")
        #expect(TimelineEvent(kind: .insert, key: [0x6B, 0xFF], score: 2, member: [0xFE]).description == #"insert k\xff 2 \xfe"#)
    }

    @Test("distinct members read differently (U+FFFD made 0xFF and 0xFE read the same)")
    func distinct() {
        let members: [[UInt8]] = [[0xFF], [0xFE], [0xEF, 0xBF, 0xBD], [0x0F], [0xFF, 0xFF]]
        let texts = Set(members.map { TimelineEntry(member: $0, score: 1).description })
        #expect(texts.count == members.count, "\(texts)")
    }
}
