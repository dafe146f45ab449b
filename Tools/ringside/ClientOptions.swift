import Frames
import Timeline
import Transport

/// What every client command (`insert`, `delete`, `select`, `tail`, `load`) takes to reach a
/// server: `--name NAME` (shared memory, default `ringside`) or `--tcp HOST:PORT`, and, where
/// offered, `--encoding binary|json`.
struct ClientOptions {
    /// Where the server is.
    let endpoint: TimelineEndpoint
    /// The encoding of requests and answers.
    let encoding: TimelineEncoding

    /// The lines each command's help lists for these options.
    static let help = """
          --name NAME      the shared-memory server to reach (default ringside)
          --tcp HOST:PORT  reach the server over TCP instead (127.0.0.1:5555, [::1]:5555)
        """

    /// The `OPTIONS:` section of a client command's help: these options, then the command's
    /// own `lines`, then `-h, --help`.
    static func helpSection(_ lines: String...) -> String {
        var section = "OPTIONS:\n" + help
        for line in lines { section += "\n" + line }
        return section + "\n  -h, --help       show this help"
    }

    /// The help line of `--encoding`.
    static let encodingHelp = "  --encoding E     binary (application/x.ringside.v1, the default) or json (application/json)"

    /// Takes `--name`, `--tcp` and (when `encodingOption`) `--encoding` out of `arguments`.
    init(_ arguments: inout Arguments, encodingOption: Bool = false) throws {
        let name = try arguments.option("--name")
        let tcp = try arguments.option("--tcp")
        if let name, tcp != nil { throw UsageError("--name \(name) and --tcp name two servers; give one") }
        if let tcp {
            do throws(TimelineClientError) {
                endpoint = try .tcp(parsing: tcp)
            } catch {
                throw UsageError("--tcp \(tcp): \(Self.reason(error))")
            }
        } else {
            endpoint = .sharedMemory(name: try Self.serverName(name))
        }
        guard encodingOption, let text = try arguments.option("--encoding") else {
            encoding = .binary
            return
        }
        switch text {
        case "binary": encoding = .binary
        case "json": encoding = .json
        default: throw UsageError("--encoding needs binary or json, not '\(text)'")
        }
    }

    /// The server name `--name` gave (`ringside` when absent), checked as the shared-memory
    /// segments need it (1 to 200 bytes, no '/'; a leading '/' is dropped).
    static func serverName(_ text: String?) throws -> String {
        let name = text ?? "ringside"
        guard let names = try? SharedMemoryNames(server: name) else {
            throw UsageError("--name '\(name)': 1 to \(SharedMemoryNames.maxServerNameLength) bytes, no '/', not '.' or '..'")
        }
        return names.server
    }

    /// The options as arguments again (for a child process).
    var arguments: [String] {
        var arguments: [String]
        switch endpoint {
        case .sharedMemory(let name): arguments = ["--name", name]
        case .tcp(let host, let port): arguments = ["--tcp", host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"]
        }
        return arguments + ["--encoding", encoding == .binary ? "binary" : "json"]
    }

    /// A client connected to the endpoint, or a ``RuntimeError`` that says what to do.
    func connect(_ configuration: TimelineClientConfiguration = TimelineClientConfiguration()) throws -> TimelineClient {
        var configuration = configuration
        configuration.encoding = encoding
        do throws(TimelineClientError) {
            return try TimelineClient(connectingTo: endpoint, configuration: configuration)
        } catch {
            throw failure(error)
        }
    }

    /// Connects to the endpoint, runs `body` with the client and closes it; a client error
    /// thrown by `body` becomes the message a user reads (see ``failure(_:)``).
    func withClient<Result>(_ body: (TimelineClient) throws -> Result) throws -> Result {
        let client = try connect()
        defer { client.close() }
        do {
            return try body(client)
        } catch let error as TimelineClientError {
            throw failure(error)
        }
    }

    /// A client failure as the message a user reads: a ``UsageError`` for a request the
    /// command line made impossible (a key too long for the layout), a ``RuntimeError`` otherwise.
    func failure(_ error: TimelineClientError) -> any Error {
        if case .invalidRequest(let why) = error { return UsageError(why) }
        guard case .serverNotFound(let detail) = error else { return RuntimeError(Self.reason(error)) }
        switch endpoint {
        case .sharedMemory(let name):
            let start = name == "ringside" ? "ringside serve" : "ringside serve --name \(name)"
            // The carrier says why in a sentence of its own when a server was there once
            // (`server 'N' is not running (/N-ctl belongs to pid 12, which is gone)`).
            let what = detail.hasPrefix("no server named") ? "no server named '\(name)'" : detail
            return RuntimeError("\(what) (start one with: \(start))")
        case .tcp(let host, let port):
            let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            // The carrier's detail names the address too: `127.0.0.1:5555 (connection refused)`.
            var why = detail.hasPrefix(address + " ") ? String(detail.dropFirst(address.count + 1)) : detail
            if why.hasPrefix("("), why.hasSuffix(")") { why = String(why.dropFirst().dropLast()) }
            return RuntimeError("no server at tcp \(address) (\(why); start one with: ringside serve --tcp \(address))")
        }
    }

    /// A client error's reason without its transport prefix where that reads better.
    static func reason(_ error: TimelineClientError) -> String {
        switch error {
        case .invalidRequest(let why): why
        case .refused(let why): "the server refused the connection: \(why)"
        case .serverGone(let why): "the server went away (\(why))"
        case .rejected(let code, let reason): "the server rejected the request (0x\(String(code, radix: 16))): \(reason)"
        default: error.description
        }
    }
}
