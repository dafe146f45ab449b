import Glibc

/// The package's one writer to standard error, for diagnostics of tools, helper processes,
/// the lab and agents' default error handlers.
public enum StandardError {
    /// Writes `text` and a newline to standard error, the whole line at once where the
    /// descriptor takes it (so lines from several threads or processes do not interleave
    /// within a line). A failure is ignored: there is nowhere left to report it.
    public static func writeLine(_ text: String) {
        var line = text + "\n"
        line.withUTF8 { bytes in try? Sys.writeFully(STDERR_FILENO, UnsafeRawBufferPointer(bytes)) }
    }
}
