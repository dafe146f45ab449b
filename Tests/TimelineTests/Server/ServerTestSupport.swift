import Foundation
import Frames
import Glibc
import Harness
import Posix
import ShmRing
import Testing
import Timeline
import Transport

/// A unique server name for this test process: `tl-PID-TAG`.
func serverName(_ tag: String) -> String { "tl-\(getpid())-\(tag)" }

/// The segments under /dev/shm whose names start with `name-`.
func segments(of name: String) -> [String] {
    ((try? Sys.sharedMemoryNames(withPrefix: name + "-")) ?? []).sorted()
}

/// Unlinks whatever a failed test left under `name`.
func removeSegments(of name: String) {
    for segment in segments(of: name) { try? SharedMemorySegment.unlink(name: segment) }
}

/// A fresh, empty directory under the temporary directory; removed by `removeDirectory`.
func temporaryDirectory(_ tag: String) -> String {
    let path = NSTemporaryDirectory() + "ringside-\(getpid())-\(tag)-\(UInt32.random(in: 0 ... .max))"
    try? FileManager.default.removeItem(atPath: path)
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func removeDirectory(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

/// A client of a timeline server over the Transport `Connection` API: requests given as JSON
/// values, sent in the connection's encoding, answers read back as JSON values.
struct TimelineCaller {
    let connection: Connection
    let codec: Client

    /// `spinPolls`: how long a request spins before it sleeps (0 when many callers share
    /// two cores).
    init(_ carrier: sending any ClientCarrier, _ encoding: TimelineEncoding, window: UInt32 = 64, spinPolls: Int = 20_000) throws {
        connection = try Connection(
            carrier: carrier,
            configuration: ConnectionConfiguration(
                dataMIMEType: encoding.mimeType, streamWindow: window, spinPolls: spinPolls, requestTimeout: .seconds(10)))
        codec = Client(1, encoding)
    }

    /// A caller on an existing connection (one per thread: the codec is not `Sendable`).
    init(connection: Connection, encoding: TimelineEncoding) {
        self.connection = connection
        codec = Client(1, encoding)
    }

    /// A request-response: the answer, or the transport's error (an ERROR is `rejected`).
    func call(_ request: TimelineJSONRequest) throws -> TimelineJSONResponse {
        try codec.response(try callRaw(try codec.encode(request)))
    }

    /// A request-response with raw bytes: the answer's bytes.
    func callRaw(_ bytes: [UInt8]) throws -> [UInt8] {
        try bytes.withUnsafeBytes { raw in try connection.requestResponse(data: raw) { Array($0.unsafeData) } }
    }

    /// The ERROR a request-response of `bytes` gets: its code and reason.
    func rejection(_ bytes: [UInt8]) throws -> (code: UInt32, reason: String) {
        do {
            let answer = try callRaw(bytes)
            Issue.record("expected an ERROR, got \(answer.count) bytes")
            return (0, "")
        } catch let error as TransportError {
            guard case .rejected(let code, let reason) = error else { throw error }
            return (code, reason)
        }
    }

    /// A fire-and-forget.
    func send(_ request: TimelineJSONRequest) throws {
        try codec.encode(request).withUnsafeBytes { raw in try connection.fireAndForget(data: raw) }
    }

    /// A tail of `key`.
    func tail(_ key: String) throws -> PayloadStream {
        try connection.requestStream(data: try codec.encode(.tail(key: key)))
    }
}

/// The first `count` events of `stream`, read as JSON requests, within `timeout`.
func events(_ stream: PayloadStream, _ count: Int, codec: Client, timeout: Duration = .seconds(10)) async throws -> [TimelineJSONRequest] {
    let encoding = codec.encoding
    return try await withThrowingTaskGroup(of: [TimelineJSONRequest]?.self) { group in
        group.addTask {
            let codec = Client(1, encoding)
            var received: [TimelineJSONRequest] = []
            for try await payload in stream {
                received.append(try codec.event(payload.data))
                if received.count == count { break }
            }
            return received
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        let first = try await group.next()!
        group.cancelAll()
        guard let first else { throw TransportError.timedOut("\(count) tail events") }
        return first
    }
}

/// A server over a loopback carrier, in this process.
final class LoopbackServer {
    let server: TimelineServer
    let carrier: LoopbackServerCarrier

    init(_ configuration: TimelineServerConfiguration = TimelineServerConfiguration(publishesStat: false)) throws {
        let bell = ProcessDoorbell()
        carrier = LoopbackServerCarrier(doorbell: bell.doorbell)
        server = try TimelineServer(carriers: [carrier], processDoorbell: bell, configuration: configuration)
    }

    func caller(_ encoding: TimelineEncoding, window: UInt32 = 64, spinPolls: Int = 20_000) throws -> TimelineCaller {
        try TimelineCaller(try carrier.connect(), encoding, window: window, spinPolls: spinPolls)
    }

    deinit { try? server.stop() }
}

/// `ringside serve` in a child process: its standard output and error go to files (read
/// while it runs), and it is killed at its deadline or when dropped.
final class ServeProcess {
    let process: ChildProcess
    let outputPath: String
    let errorPath: String

    /// Starts `ringside serve ARGUMENTS` (through `sh -c exec`, so the pid is the server's).
    init(_ arguments: [String], tag: String) throws {
        let ringside = try ChildProcess.executable(named: "ringside")
        outputPath = NSTemporaryDirectory() + "ringside-serve-\(getpid())-\(tag).out"
        errorPath = outputPath.replacingOccurrences(of: ".out", with: ".err")
        process = try ChildProcess(
            "/bin/sh", arguments: ["-c", "exec \"$0\" serve \"$@\" >'\(outputPath)' 2>'\(errorPath)'", ringside] + arguments,
            timeLimit: .seconds(60))
    }

    deinit {
        process.kill()
        try? FileManager.default.removeItem(atPath: outputPath)
        try? FileManager.default.removeItem(atPath: errorPath)
    }

    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    var errors: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    /// Waits until the output holds a line starting with `prefix`: that line, or nil when the
    /// process ended first or `timeout` passed.
    func waitForLine(_ prefix: String, timeout: Duration = .seconds(20)) -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = output.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) { return String(line) }
            if process.poll() != nil { return nil }
            try? Sys.sleep(for: .milliseconds(5))
        }
        return nil
    }

    /// Waits for the TCP listening line: the address.
    func tcpAddress() throws -> TCPAddress {
        let line = try #require(waitForLine("ringside serve: listening on tcp "), "no tcp line; errors: \(errors)")
        return try TCPAddress(parsing: String(line.dropFirst("ringside serve: listening on tcp ".count)))
    }
}

/// Runs the built `ringside` with `arguments` to its end: status, output, errors.
func runRingside(_ arguments: [String], timeLimit: Duration = .seconds(30)) throws -> (ChildProcess.Termination, String, String) {
    let child = try ChildProcess(
        try ChildProcess.executable(named: "ringside"), arguments: arguments, standardOutput: .pipe, standardError: .pipe,
        timeLimit: timeLimit)
    let output = String(decoding: try child.readStandardOutput(), as: UTF8.self)
    let errors = String(decoding: try child.readStandardError(), as: UTF8.self)
    return (child.wait(), output, errors)
}

/// The stat segment of the server named `name`, refreshed since this call: the poll thread
/// refreshes it before each sleep on its doorbell (an idle server sleeps within about a
/// millisecond) and every 100 ms. A refresh that publishes a `doorbell_sleeps` past the one
/// read first came after that read; the segment is read once more after it, as the
/// counters it stores before that one may have been read before the refresh stored them.
func statAfterRefresh(_ name: String, timeout: Duration = .seconds(10)) throws -> ServerStat {
    let first = try StatSegmentReader.read(server: name)[.doorbellSleeps]
    let deadline = ContinuousClock.now + timeout
    while try StatSegmentReader.read(server: name)[.doorbellSleeps] <= first {
        guard ContinuousClock.now < deadline else { throw TransportError.timedOut("a stat refresh of server \(name)") }
        Thread.sleep(forTimeInterval: 0.001)
    }
    return try StatSegmentReader.read(server: name)
}
