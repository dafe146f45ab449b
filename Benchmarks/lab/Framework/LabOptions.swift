/// The lab's command line (DESIGN contract 4).
struct LabOptions {
    /// Suites to run, in order; all of them when `--suite` is not given.
    var suites: [String] = []
    /// Folder for the CSV, Markdown and SVG files.
    var outputDirectory = "results"
    /// Repetitions of every case; nil means each suite's default.
    var runs: Int?
    /// Work scale; `--quick` sets 0.1 for a smoke run.
    var scale = 1.0

    static let usage = """
        USAGE: lab [--suite NAME[,NAME...]] [--out DIR] [--runs N] [--quick] [--list]

        Runs Ringside's performance lab: each suite prints a table and writes DIR/NAME.csv,
        DIR/NAME.md and DIR/NAME.svg; DIR/README.md summarises every suite with the machine's
        description. Figures are medians over repeated runs (min and max are kept too).

        OPTIONS:
          --suite NAME   run only these suites (repeatable, or comma-separated)
          --out DIR      output folder (default: results)
          --runs N       repetitions per case (default: 5)
          --quick        a tenth of the work per run, for a smoke test (figures are noisier)
          --list         list the suites and exit
          -h, --help     show this help
        """

    /// Parses the arguments after the program name; throws `LabError` on bad usage.
    static func parse(_ arguments: [String], known: [String]) throws -> LabOptions? {
        var options = LabOptions()
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let next = rest.popFirst(), !next.hasPrefix("--") else { throw LabError("\(flag) needs a value") }
            return next
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "-h", "--help":
                print(usage + "\n\nSUITES: " + known.joined(separator: ", "))
                return nil
            case "--list":
                print(known.joined(separator: "\n"))
                return nil
            case "--suite":
                for name in try value(argument).split(separator: ",").map(String.init) {
                    guard known.contains(name) else {
                        throw LabError("unknown suite '\(name)'; suites: \(known.joined(separator: ", "))")
                    }
                    options.suites.append(name)
                }
            case "--out":
                options.outputDirectory = try value(argument)
            case "--runs":
                let text = try value(argument)
                guard let runs = Int(text), runs >= 1, runs <= 1000 else { throw LabError("--runs needs a whole number from 1 to 1000, not '\(text)'") }
                options.runs = runs
            case "--quick":
                options.scale = 0.1
            default:
                throw LabError("unknown argument '\(argument)' (see lab --help)")
            }
        }
        return options
    }
}
