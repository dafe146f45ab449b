import Foundation
import Glibc
import Journal
import Synchronization
import Testing

/// Every journal test runs inside this suite, one at a time: the failure tests arm the
/// process-wide `FailureInjection` seam on calls every other journal test makes too.
@Suite("Journal", .serialized)
enum JournalTests {}

/// A test failure raised outside an expectation.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Directories, payloads and replays shared by the journal tests.
enum TestSupport {
    private static let counter = Atomic<Int>(0)

    /// Makes a directory path no other test (or run) uses, runs `body` with it, and removes
    /// the directory and everything in it afterwards.
    static func withDirectory<R>(_ label: String, _ body: (String) throws -> R) throws -> R {
        let path = "/tmp/ringside-journal-test-\(getpid())-\(label)-\(counter.wrappingAdd(1, ordering: .relaxed).oldValue)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(path)
    }

    /// Payload `index`: 0 to 40 bytes, derived from the index.
    static func payload(_ index: Int) -> [UInt8] {
        (0..<(index * 7 % 41)).map { UInt8(truncatingIfNeeded: index &* 31 &+ $0) }
    }

    /// Opens `directory`, collecting what replay hands over.
    static func open(_ directory: String, options: JournalOptions = JournalOptions()) throws -> (Journal, Replayed) {
        let replayed = Replayed()
        let journal = try Journal.open(
            directory: directory, options: options,
            snapshot: { replayed.snapshot.append(Array($0)) },
            record: { replayed.records.append(($0, Array($1))) }
        )
        return (journal, replayed)
    }

    /// The file's bytes.
    static func contents(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw TestFailure("cannot read \(path)") }
        return [UInt8](data)
    }

    /// Replaces the file's bytes.
    static func replace(_ path: String, with bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// The names in `directory`, sorted.
    static func names(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    /// The path of the log of `generation` in `directory`.
    static func log(_ directory: String, _ generation: UInt64 = 0) -> String {
        directory + "/log-" + String(format: "%016llx", generation) + ".wal"
    }
}

/// What a replay handed over.
final class Replayed {
    var snapshot: [[UInt8]] = []
    var records: [(sequence: UInt64, payload: [UInt8])] = []

    /// The sequences of the log records.
    var sequences: [UInt64] { records.map(\.sequence) }
}

extension Journal {
    /// Appends a copy of `bytes` (test convenience).
    @discardableResult
    func append(_ bytes: [UInt8]) throws -> UInt64 {
        try bytes.withUnsafeBytes { try append($0) }
    }
}

/// The file header's length and a record header's, as the format article gives them.
let fileHeaderLength = 32
let recordHeaderLength = 16
