/// The lab's command line (DESIGN contract 4).
struct LabOptions {
    /// Suites to run, in order; all of them when `--suite` is not given.
    var suites: [String] = []
    /// `--case PATTERN`: only the cases it matches.
    var casePattern: CasePattern?
    /// Folder for the CSV, Markdown and SVG files.
    var outputDirectory = "results"
    /// Repetitions of every case; nil means the profile's.
    var runs: Int?
    /// The amount of work: quick, defaults or full.
    var profile = Profile.defaults
    /// `--list`: list the suites instead of running them.
    var list = false

    /// How much work each run does, and how many runs there are unless `--runs` says.
    enum Profile: String {
        case quick, defaults, full

        /// Work scale: a tenth, all of it, twice as much.
        var scale: Double { self == .quick ? 0.1 : self == .full ? 2 : 1 }
        /// Runs per case.
        var runs: Int { self == .quick ? 3 : self == .full ? 9 : 5 }
    }

    /// Whether this executable was built for release (a debug build refuses to measure).
    static func isReleaseBuild() -> Bool {
        #if DEBUG
        return false
        #else
        return true
        #endif
    }

    /// The repetitions per case asked for.
    var effectiveRuns: Int { runs ?? profile.runs }

    static let usage = """
        USAGE: lab [--suite NAME[,NAME...]] [--case PATTERN[,PATTERN...]] [--runs N] [--quick | --full]
                   [--out DIR] [--list] [--help]

        Ringside's performance lab (release builds only: swift run -c release lab). Each suite
        prints a table and writes DIR/NAME.csv, DIR/NAME.md and DIR/NAME.svg; DIR/README.md
        holds the headline comparisons (shm vs TCP, binary vs JSON, single writer vs contended,
        each figure against its hardware limit, Ringside vs Redis) and links to every page.
        Figures are medians of repeated runs (min and max are kept too); hardware limits are
        measured by the lab itself, interleaved with the cases they bound.

        OPTIONS:
          --suite NAME     run only these suites (repeatable, or comma-separated)
          --case PATTERN   run only the cases matching PATTERN: a glob (shm-*, *-32B) or a
                           part of the name (pingpong); several, comma-separated, run
                           the cases any of them matches
          --runs N         repetitions per case (default 5; --quick 3, --full 9)
          --quick          a tenth of the work per run and 3 runs: the whole lab in about a
                           minute, for a first look (figures are noisier)
          --full           twice the work per run and 9 runs (about a quarter of an hour)
          --out DIR        output folder (default: results)
          --list           list the suites and exit
          -h, --help       show this help
        """

    /// Parses the arguments after the program name; throws `LabError` on bad usage; nil
    /// when `--help` was shown.
    static func parse(_ arguments: [String], known: [String]) throws -> LabOptions? {
        var options = LabOptions()
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let next = rest.popFirst(), !next.hasPrefix("--") else { throw LabError("\(flag) needs a value") }
            return next
        }
        var profiles: Set<Profile> = []
        var given: Set<String> = []
        while let argument = rest.popFirst() {
            // Only --suite adds up; a second --out, --case or --runs would silently win.
            if ["--out", "--case", "--runs"].contains(argument), !given.insert(argument).inserted {
                throw LabError("\(argument) is given more than once")
            }
            switch argument {
            case "-h", "--help":
                print(usage + "\n\nSUITES: " + known.joined(separator: ", "))
                return nil
            case "--list":
                options.list = true
            case "--suite":
                let names = try value(argument).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                guard !names.contains("") else { throw LabError("--suite needs suite names (\(known.joined(separator: ", ")))") }
                for name in names {
                    guard known.contains(name) else {
                        throw LabError("unknown suite '\(name)'; suites: \(known.joined(separator: ", "))")
                    }
                    if !options.suites.contains(name) { options.suites.append(name) }
                }
            case "--case":
                let text = try value(argument)
                guard !text.isEmpty else { throw LabError("--case needs a pattern") }
                options.casePattern = try CasePattern(text: text)
            case "--out":
                let folder = try value(argument)
                guard !folder.isEmpty else { throw LabError("--out needs a folder") }
                options.outputDirectory = folder
            case "--runs":
                let text = try value(argument)
                guard let runs = Int(text), runs >= 1, runs <= 1000 else { throw LabError("--runs needs a whole number from 1 to 1000, not '\(text)'") }
                options.runs = runs
            case "--quick":
                profiles.insert(.quick)
                options.profile = .quick
            case "--full":
                profiles.insert(.full)
                options.profile = .full
            default:
                throw LabError("unknown argument '\(argument)' (see lab --help)")
            }
        }
        guard profiles.count <= 1 else { throw LabError("--quick and --full exclude each other") }
        return options
    }
}
