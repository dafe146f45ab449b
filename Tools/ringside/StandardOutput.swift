import Glibc
import Posix

/// The tool's standard output, unbuffered: each write goes out at once, whole (tests and
/// scripts read a pipe line by line while the process runs, as `serve` and `tail` run).
enum StandardOutput {
    /// Writes `bytes`; false when the output is gone (a reader that closed its pipe: EPIPE).
    @discardableResult
    static func write(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            (try? Sys.writeFully(STDOUT_FILENO, buffer)) != nil
        }
    }

    /// Writes `line` and a newline.
    @discardableResult
    static func writeLine(_ line: String) -> Bool {
        write(Array((line + "\n").utf8))
    }
}
