/// One `ringside` subcommand (DESIGN contract 3).
struct Command: Sendable {
    /// The word that selects it: `ringside NAME ...`.
    let name: String
    /// One line for `ringside --help`.
    let summary: String
    /// The full text of `ringside NAME --help`: usage line, description, every flag.
    let help: String
    /// Runs with the arguments after the command name; returns the exit status.
    /// Throws `UsageError` for bad usage (exit 2) and anything else for a runtime failure (exit 1).
    let run: @Sendable (Arguments) throws -> Int32
}

/// Bad usage: printed with a pointer to `--help`, exit status 2.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A runtime failure with a message for the user, exit status 1.
struct RuntimeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
