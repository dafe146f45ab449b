import Foundation
import Testing

/// `ringside lww` end to end: the built binary on the scripts in Scripts/ (each `NAME.ops`
/// with its hand-derived `NAME.expected`), and on malformed input.
@Suite struct OpScriptTests {
    /// The outcome of one run of `ringside lww`.
    struct Run {
        let status: Int32
        let output: String
        let errors: String
    }

    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts")

    /// `ringside`, built next to the test bundle (this test target depends on it).
    static let ringside = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("ringside")

    /// Runs `ringside lww ARGUMENTS` with `input` on standard input.
    static func lww(_ arguments: [String], input: String = "") throws -> Run {
        let process = Process()
        process.executableURL = ringside
        process.arguments = ["lww"] + arguments
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
            errors: String(decoding: errors, as: UTF8.self))
    }

    static let scriptNames = ["basics", "deletes", "bound", "range", "scores", "whitespace"]

    @Test func everyScriptInTheFolderIsListed() throws {
        let found = try FileManager.default.contentsOfDirectory(atPath: Self.scripts.path)
            .filter { $0.hasSuffix(".ops") }.map { String($0.dropLast(4)) }
        #expect(found.sorted() == Self.scriptNames.sorted())
    }

    @Test(arguments: scriptNames)
    func scriptPrintsItsExpectedOutput(_ name: String) throws {
        let expected = try String(contentsOf: Self.scripts.appendingPathComponent(name + ".expected"), encoding: .utf8)
        let run = try Self.lww([Self.scripts.appendingPathComponent(name + ".ops").path])
        #expect(run.status == 0)
        #expect(run.errors == "")
        #expect(run.output == expected)
    }

    @Test func readsStandardInputWithOrWithoutDash() throws {
        let script = "insert k 1 a\r\nselect k 0 0\r\n"
        for arguments in [[], ["-"]] {
            let run = try Self.lww(arguments, input: script)
            #expect(run.status == 0)
            #expect(run.output == "select k 0 0 => a:1\n")
        }
    }

    @Test func theMaxSizeFlagSetsTheBoundAndThePragmaOverridesIt() throws {
        let script = "insert k 1 a\ninsert k 2 b\nselect k 0 0\n# maxsize 2\ninsert k 3 c\nselect k 0 0\n"
        let run = try Self.lww(["--max-size", "1"], input: script)
        #expect(run.status == 0)
        #expect(run.output == "select k 0 0 => b:2\nselect k 0 0 => c:3 b:2\n")
        #expect(try Self.lww(["--max-size", "0"]).status == 2)
    }

    @Test(arguments: [
        ("insert k 1\n", "line 1: insert takes KEY SCORE MEMBER"),
        ("select k 0 0\nupsert k 1 a\n", "line 2: unknown op 'upsert'"),
        ("\n\ninsert k x a\n", "line 3: score 'x' is not a number"),
        ("insert k NaN a\n", "line 1: a score must be a number, not NaN"),
        ("insert k 1e999 a\n", "line 1: score '1e999' is out of range"),
        ("select k 0 -1\n", "line 1: limit -1 is negative"),
        ("select k -1 1\n", "line 1: offset -1 is negative"),
        ("select k 0 ten\n", "line 1: limit 'ten' is not a whole number"),
        ("range k 1 inf _ -inf\n", "line 1: range takes KEY LIMIT START_SCORE START_MEMBER STOP_SCORE STOP_MEMBER"),
        ("# maxsize 0\n", "line 1: max size 0 is outside 1...1000000000"),
        ("# maxsize\n", "line 1: # maxsize takes N"),
    ])
    func aMalformedLineStopsWithItsNumberAndStatus2(_ script: String, _ message: String) throws {
        let run = try Self.lww([], input: script)
        #expect(run.status == 2)
        #expect(run.errors.contains("ringside lww: " + message))
    }

    @Test func outputBeforeAMalformedLineIsWritten() throws {
        let run = try Self.lww([], input: "insert k 1 a\nselect k 0 0\nbogus\nselect k 0 0\n")
        #expect(run.status == 2)
        #expect(run.output == "select k 0 0 => a:1\n")
        #expect(run.errors.contains("line 3"))
    }

    @Test func aMissingFileIsARuntimeFailure() throws {
        let run = try Self.lww(["/nonexistent/script.ops"])
        #expect(run.status == 1)
        #expect(run.errors.contains("cannot open /nonexistent/script.ops"))
    }
}
