import Foundation
import Journal
import Testing
import Timeline

/// A data directory of one durability test, and the stat segment name of its servers when
/// they publish one: servers started on it one after another (a restart is a second one).
struct DurabilityDirectory {
    /// The directory's path.
    let path: String
    /// The servers' stat segment name; nil when they publish none.
    let statName: String?

    /// Runs `body` with a fresh directory named after `tag` (and a stat name when
    /// `publishesStat`), then removes the directory and any segment left under the name.
    static func with(_ tag: String, publishesStat: Bool = false, _ body: (DurabilityDirectory) throws -> Void) throws {
        let directory = DurabilityDirectory(path: temporaryDirectory(tag), statName: publishesStat ? serverName(tag) : nil)
        defer {
            removeDirectory(directory.path)
            if let name = directory.statName { removeSegments(of: name) }
        }
        try body(directory)
    }

    /// The configuration of a server on the directory.
    func configuration(journal: JournalOptions = JournalOptions()) -> TimelineServerConfiguration {
        TimelineServerConfiguration(name: statName ?? "unused", dataDirectory: path, journal: journal, publishesStat: statName != nil)
    }

    /// A server on the directory, in this process over loopback.
    func start(journal: JournalOptions = JournalOptions()) throws -> LoopbackServer {
        try LoopbackServer(configuration(journal: journal))
    }

    /// Runs `body` with a server on the directory, then stops it cleanly (its log flushed),
    /// ready for the next one.
    func run(journal: JournalOptions = JournalOptions(), _ body: (LoopbackServer) throws -> Void) throws {
        let fixture = try start(journal: journal)
        try body(fixture)
        try fixture.server.stop()
    }

    /// `ringside serve --name STATNAME --data-dir PATH` in a child process, once it listens
    /// on shared memory (its output logged under `tag`).
    func serve(_ tag: String) throws -> ServeProcess {
        let serve = try ServeProcess(["--name", try #require(statName), "--data-dir", path], tag: tag)
        #expect(serve.waitForLine("ringside serve: listening on shm") != nil, "errors: \(serve.errors)")
        return serve
    }

    /// The log files, oldest first.
    func logs() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".wal") }.sorted().map { path + "/" + $0 }
    }

    /// Whether the directory holds a snapshot.
    func hasSnapshot() throws -> Bool {
        try FileManager.default.contentsOfDirectory(atPath: path).contains { $0.hasSuffix(".snap") }
    }
}
