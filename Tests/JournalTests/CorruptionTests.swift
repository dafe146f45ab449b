import Foundation
import Journal
import Testing

extension JournalTests {
    @Suite("Torn tails and corruption")
    struct CorruptionTests {
        /// Writes records with payloads `payloads` into a fresh journal in `directory` and
        /// returns the log's bytes and each record's offset.
        static func writeLog(_ directory: String, _ payloads: [[UInt8]]) throws -> (bytes: [UInt8], offsets: [Int]) {
            let (journal, _) = try TestSupport.open(directory)
            var offsets: [Int] = []
            var offset = fileHeaderLength
            for payload in payloads {
                try journal.append(payload)
                offsets.append(offset)
                offset += recordHeaderLength + payload.count
            }
            try journal.close()
            let bytes = try TestSupport.contents(TestSupport.log(directory))
            #expect(bytes.count == offset)
            return (bytes, offsets)
        }

        static let payloads: [[UInt8]] = [Array("first".utf8), Array("second record".utf8), Array("the last record, 28 bytes ok".utf8)]

        @Test("cut at every byte of the last record: the records before it replay and the tail is truncated")
        func tornAtEveryOffset() throws {
            try TestSupport.withDirectory("torn") { directory in
                let (bytes, offsets) = try Self.writeLog(directory, Self.payloads)
                let path = TestSupport.log(directory)
                let last = offsets[2]
                for cut in last..<bytes.count {
                    try TestSupport.replace(path, with: Array(bytes[0..<cut]))
                    let (journal, replayed) = try TestSupport.open(directory)
                    #expect(replayed.records.map(\.payload) == Array(Self.payloads[0..<2]), "cut at \(cut)")
                    if cut == last {
                        #expect(journal.replay.tornTails.isEmpty, "a cut on a record boundary is a clean end")
                    } else {
                        #expect(journal.replay.tornTails.count == 1)
                        let torn = try #require(journal.replay.tornTails.first)
                        #expect(torn.file == path && torn.offset == last && torn.droppedBytes == cut - last, "cut at \(cut)")
                    }
                    #expect(try TestSupport.contents(path).count == last, "truncated at the torn record")
                    // Appending after the truncation continues the sequence cleanly.
                    #expect(try journal.append([0xAB]) == 3)
                    try journal.close()
                    let (_, again) = try TestSupport.open(directory)
                    #expect(again.sequences == [1, 2, 3] && again.records.last?.payload == [0xAB])
                }
            }
        }

        @Test("a flipped byte anywhere in the last record: reported as a torn tail, never applied")
        func flippedLastRecord() throws {
            try TestSupport.withDirectory("flip-last") { directory in
                let (bytes, offsets) = try Self.writeLog(directory, Self.payloads)
                let path = TestSupport.log(directory)
                for position in offsets[2]..<bytes.count {
                    var damaged = bytes
                    damaged[position] ^= 0x40
                    try TestSupport.replace(path, with: damaged)
                    let (journal, replayed) = try TestSupport.open(directory)
                    #expect(replayed.records.map(\.payload) == Array(Self.payloads[0..<2]), "flip at \(position)")
                    #expect(journal.replay.tornTails.map(\.offset) == [offsets[2]], "flip at \(position)")
                    #expect(try TestSupport.contents(path).count == offsets[2])
                    try journal.close()
                }
            }
        }

        @Test("a corrupt record with valid records after it is an error naming the file and offset")
        func corruptMiddle() throws {
            try TestSupport.withDirectory("middle") { directory in
                let (bytes, offsets) = try Self.writeLog(directory, Self.payloads)
                let path = TestSupport.log(directory)
                // A payload byte, the length field (low byte: a wrong length; high byte: over the
                // limit), the sequence field, the checksum itself.
                for position in [offsets[1] + recordHeaderLength + 3, offsets[1] + 4, offsets[1] + 7, offsets[1] + 9, offsets[1]] {
                    var damaged = bytes
                    damaged[position] ^= 0x01
                    try TestSupport.replace(path, with: damaged)
                    #expect {
                        _ = try TestSupport.open(directory)
                    } throws: { error in
                        guard case JournalError.corruptRecord(let file, let offset, _) = error else { return false }
                        return file == path && offset == offsets[1]
                    }
                    // Nothing was truncated, and the lock was released.
                    #expect(try TestSupport.contents(path) == damaged)
                }
            }
        }

        @Test("a torn record at the end of a log that a later log follows is corruption, not a tail")
        func tornEarlierLog() throws {
            try TestSupport.withDirectory("torn-earlier") { directory in
                do {
                    let (journal, _) = try TestSupport.open(directory)
                    for index in 1...3 { try journal.append([UInt8(index)]) }
                    _ = try journal.beginSnapshot()  // rolls to log 1; the plan is dropped unwritten
                    try journal.append([4])
                    try journal.close()
                }
                let path = TestSupport.log(directory, 0)
                let bytes = try TestSupport.contents(path)
                try TestSupport.replace(path, with: Array(bytes.dropLast(1)))
                #expect {
                    _ = try TestSupport.open(directory)
                } throws: { error in
                    guard case JournalError.corruptRecord(let file, let offset, .shortPayload) = error else { return false }
                    return file == path && offset == bytes.count - recordHeaderLength - 1
                }
            }
        }

        @Test("a log that does not start where the one before it ended is an error: records are missing")
        func missingLog() throws {
            try TestSupport.withDirectory("missing") { directory in
                do {
                    let (journal, _) = try TestSupport.open(directory)
                    try journal.append([1])
                    _ = try journal.beginSnapshot()
                    try journal.append([2])
                    try journal.close()
                }
                try FileManager.default.removeItem(atPath: TestSupport.log(directory, 0))
                #expect {
                    _ = try TestSupport.open(directory)
                } throws: { error in
                    guard case JournalError.missingRecords(let file, 1, 2) = error else { return false }
                    return file == TestSupport.log(directory, 1)
                }
            }
        }

        @Test("a valid record out of sequence is corruption, not a tail")
        func sequenceMismatch() throws {
            try TestSupport.withDirectory("sequence") { directory in
                let (bytes, offsets) = try Self.writeLog(directory, [[1], [2]])
                // Append a copy of record 2: valid checksum, sequence 2 again where 3 belongs.
                try TestSupport.replace(TestSupport.log(directory), with: bytes + bytes[offsets[1]...])
                #expect {
                    _ = try TestSupport.open(directory)
                } throws: { error in
                    guard case JournalError.sequenceMismatch(_, let offset, 3, 2) = error else { return false }
                    return offset == bytes.count
                }
            }
        }

        @Test("a damaged file header is refused, naming the file")
        func badHeader() throws {
            try TestSupport.withDirectory("header") { directory in
                let (bytes, _) = try Self.writeLog(directory, [[1]])
                var damaged = bytes
                damaged[20] ^= 0x01
                try TestSupport.replace(TestSupport.log(directory), with: damaged)
                #expect {
                    _ = try TestSupport.open(directory)
                } throws: { error in
                    guard case JournalError.badHeader(let file, .checksum) = error else { return false }
                    return file == TestSupport.log(directory)
                }
            }
        }
    }
}
