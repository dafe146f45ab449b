import Glibc
import LWWSet

extension Command {
    /// `ringside lww`: the op-script interpreter (DESIGN contract 1).
    static let lww = Command(
        name: "lww",
        summary: "run an op script against an in-process LWW set (Roshi conformance)",
        help: """
            USAGE: ringside lww [--max-size N] [FILE]

            Reads an op script from FILE (or standard input, also as '-') and applies it to an
            in-process last-writer-wins set with Roshi's semantics. One op per line, tokens
            separated by spaces or tabs:

              insert KEY SCORE MEMBER
              delete KEY SCORE MEMBER
              select KEY OFFSET LIMIT
              range KEY LIMIT START_SCORE START_MEMBER STOP_SCORE STOP_MEMBER
              # maxsize N          (sets the per-set bound from this line on)
              # anything else      (a comment; blank lines are ignored too)

            Each select or range prints one line: the op's tokens, ' =>', then ' member:score'
            per result, highest score first (equal scores: member bytes highest first). Offset
            0 with limit 0 selects the whole set. A range lists at most LIMIT entries strictly
            after the start cursor and strictly before the stop cursor ('_' is an empty
            member). Scores are read as Go's strconv.ParseFloat reads them (decimal, hex, inf)
            and printed as strconv.FormatFloat(f, 'g', -1, 64) prints them (7, 0.5, 1e+06,
            +Inf). A NaN score, a negative offset or limit, or any other malformed line stops
            the script with an error naming the line (exit status 2).

            OPTIONS:
              --max-size N   entries kept per add set and per remove set (default \(LWWSet.defaultMaxSize))
              -h, --help     show this help
            """
    ) { arguments in
        var arguments = Arguments(arguments)
        let maxSize = try arguments.integer("--max-size", in: 1 ... OpScriptLine.maximumMaxSize) ?? LWWSet.defaultMaxSize
        let positionals = try arguments.positionals()
        guard positionals.count <= 1 else { throw UsageError("takes at most one FILE, not \(positionals.count)") }
        let path = positionals.first ?? "-"
        let script = try readAll(path)
        var runner = try OpScriptRunner(maxSize: maxSize) { bytes in
            writeAll(bytes, to: STDOUT_FILENO)
        }
        do throws(OpScriptError) {
            try runner.run(script)
        } catch {
            throw UsageError(error.description)
        }
        return 0
    }

    /// The bytes of the file at `path`, or of standard input for `-`.
    private static func readAll(_ path: String) throws -> [UInt8] {
        let descriptor = path == "-" ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw RuntimeError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { if descriptor != STDIN_FILENO { close(descriptor) } }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw RuntimeError("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            bytes.append(contentsOf: chunk[..<count])
        }
    }

    /// Writes all of `bytes` to `descriptor`, retrying short writes.
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }
}
