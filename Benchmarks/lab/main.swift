import Foundation
import Glibc

// Peer roles: the lab re-executes itself for cases that need a second process.
if CommandLine.arguments.count >= 3 && CommandLine.arguments[1] == PeerProcess.marker {
    let role = CommandLine.arguments[2]
    guard let peer = allSuites.lazy.compactMap({ $0.peers[role] }).first else {
        Console.error("unknown peer role '\(role)'")
        exit(2)
    }
    do {
        try peer(Array(CommandLine.arguments.dropFirst(3)))
        exit(0)
    } catch {
        Console.error("peer \(role): \(error)")
        exit(1)
    }
}

let options: LabOptions
do {
    guard let parsed = try LabOptions.parse(Array(CommandLine.arguments.dropFirst()), known: allSuites.map(\.name)) else { exit(0) }
    options = parsed
} catch {
    Console.error("\(error)")
    exit(2)
}

let selected = options.suites.isEmpty ? allSuites : allSuites.filter { options.suites.contains($0.name) }
let directory = URL(fileURLWithPath: options.outputDirectory, isDirectory: true)
do {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
} catch {
    Console.error("cannot create output folder \(directory.path): \(error)")
    exit(1)
}

let machine = Machine.current()
#if DEBUG
let invocation = "swift run lab"  // a debug build: its figures are not representative
#else
let invocation = "swift run -c release lab"
#endif
let command = ([invocation] + CommandLine.arguments.dropFirst()).joined(separator: " ")
print("Ringside lab on \(machine.description)")
var reports: [Report] = []
var failed = false
for suite in selected {
    print("\n== \(suite.name): \(suite.summary)")
    var context = SuiteContext(runs: options.runs ?? 5, scale: options.scale)
    let start = Date()
    do {
        try suite.run(&context)
    } catch {
        Console.error("suite \(suite.name) failed: \(error)")
        failed = true
        continue
    }
    let report = Report(
        suite: suite, summaries: Summary.summarise(suite: suite.name, samples: context.samples),
        machine: machine, command: command, date: ISO8601DateFormatter().string(from: Date()),
        seconds: Date().timeIntervalSince(start))
    print(report.table())
    do {
        try report.write(to: directory)
    } catch {
        Console.error("cannot write results of \(suite.name) to \(directory.path): \(error)")
        failed = true
    }
    reports.append(report)
}
do {
    try Report.writeIndex(reports: reports, suites: allSuites, to: directory)
    print("\nResults written to \(directory.path)/ (README.md, and NAME.csv, .md, .svg per suite)")
} catch {
    Console.error("cannot write \(directory.path)/README.md: \(error)")
    failed = true
}
exit(failed ? 1 : 0)
