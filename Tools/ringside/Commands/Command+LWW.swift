import Glibc
import LWWSet
import Posix

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
        var arguments = arguments
        let maxSize = try arguments.integer("--max-size", in: 1 ... OpScriptLine.maximumMaxSize) ?? LWWSet.defaultMaxSize
        let positionals = try arguments.positionals()
        guard positionals.count <= 1 else { throw UsageError("takes at most one FILE, not \(positionals.count)") }
        let path = positionals.first ?? "-"
        let script = try readAll(path)
        var runner = try OpScriptRunner(maxSize: maxSize) { bytes in
            StandardOutput.write(bytes)
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
        let descriptor: Int32
        do throws(SystemCallError) {
            descriptor = path == "-" ? STDIN_FILENO : try Sys.open(path, O_RDONLY)
        } catch {
            throw RuntimeError("cannot open \(path): \(error.errno.message)")
        }
        defer { if descriptor != STDIN_FILENO { try? Sys.close(descriptor) } }
        var bytes: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 1)
        defer { chunk.deallocate() }
        while true {
            let count: Int
            do throws(SystemCallError) {
                count = try Sys.read(descriptor, into: chunk)
            } catch {
                throw RuntimeError("cannot read \(path): \(error.errno.message)")
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
        }
    }
}
