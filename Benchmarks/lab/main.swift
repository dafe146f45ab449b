import Foundation
import Glibc
import Harness

// Peer roles: the lab re-executes itself for cases that need a second process.
if CommandLine.arguments.count >= 3 && CommandLine.arguments[1] == PeerProcess.marker {
    let role = CommandLine.arguments[2]
    guard let peer = allSuites.lazy.compactMap({ $0.peers[role] }).first ?? Limit.peers[role] else {
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
if options.list {
    let width = allSuites.map(\.name.count).max() ?? 0
    for suite in allSuites { print(Console.pad(suite.name, width) + "  " + suite.summary) }
    exit(0)
}
// The command as a shell would take it again: words with other characters single-quoted.
let arguments = CommandLine.arguments.dropFirst().map { word in
    word.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=,:+".contains($0) }) && !word.isEmpty
        ? word : "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
}.joined(separator: " ")
let command = "swift run -c release lab" + (arguments.isEmpty ? "" : " " + arguments)
guard LabOptions.isReleaseBuild() else {
    // A debug build measures the optimiser's absence: refuse, and say how to build for release.
    Console.error("this is a debug build: its figures would mean nothing. Build and run it for release:")
    Console.error("  \(command)")
    exit(2)
}
// Before any thread or process starts: Ctrl-C then cleans up after the run.
do {
    try LabStop.install()
} catch {
    Console.error("cannot block SIGINT and SIGTERM: \(error)")
    exit(1)
}

let selected = options.suites.isEmpty ? allSuites : allSuites.filter { options.suites.contains($0.name) }
let directory = URL(fileURLWithPath: options.outputDirectory, isDirectory: true)
do {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
} catch {
    var isFolder: ObjCBool = false
    let why = FileManager.default.fileExists(atPath: directory.path, isDirectory: &isFolder) && !isFolder.boolValue
        ? "it exists and is not a folder" : (error as NSError).localizedDescription
    Console.error("--out \(options.outputDirectory): cannot create the output folder: \(why)")
    exit(1)
}

let machine = Machine.current()
let executableFolder = ((try? ChildProcess.currentExecutable()) ?? ".").split(separator: "/").dropLast().joined(separator: "/")
let commit = Machine.gitCommit(of: "/" + executableFolder)
Console.output("Ringside lab on \(machine.description), commit \(commit)")
Console.output("\(options.effectiveRuns) runs per case, work scale \(options.profile.scale)\(options.casePattern.map { ", cases matching '\($0.text)'" } ?? "")")
LabProgress.shared.start(
    suites: selected.map(\.name),
    factor: Double(options.effectiveRuns) / 5 * (options.profile == .quick ? 0.2 : options.profile.scale))
var reports: [Report] = []
var failed = false
for suite in selected {
    Console.output("\n== \(suite.name): \(suite.summary)")
    LabProgress.shared.beginSuite(suite.name)
    var context = SuiteContext(suite: suite.name, runs: options.effectiveRuns, scale: options.profile.scale, casePattern: options.casePattern)
    let start = monotonicNanos()
    do {
        try suite.run(&context)
    } catch let skipped as SuiteSkipped {
        Console.output("skipped: \(skipped.reason)")
        continue
    } catch {
        LabStop.holdIfStopping()
        Console.error("suite \(suite.name) failed: \(error)")
        failed = true
        continue
    }
    guard !context.samples.isEmpty else {
        Console.output("no case of \(suite.name) matches '\(options.casePattern?.text ?? "")'")
        continue
    }
    let report = Report(
        page: suite.page, summaries: Summary.summarise(suite: suite.name, samples: context.samples),
        discarded: context.discarded, machine: machine, command: command, commit: commit,
        date: ISO8601DateFormatter().string(from: Date()), seconds: Double(monotonicNanos() - start) / 1e9)
    Console.output(report.table())
    Console.output("(\(Console.fixed(report.seconds, 1)) s; runs thrown away: \(report.discardedDescription))")
    do {
        try report.write(to: directory)
    } catch {
        Console.error("cannot write results of \(suite.name) to \(directory.path): \(error)")
        failed = true
    }
    reports.append(report)
}
let headline = Headline.rows(reports.flatMap(\.summaries))
Console.output("\n== summary: each comparison as a ratio (above 1: the first case is better)")
Console.output(headline.isEmpty ? "no comparison had both of its cases in this run" : Headline.table(headline))
do {
    try Report.writeIndex(reports: reports, suites: allSuites.map(\.page), to: directory)
    Console.output("\nResults written to \(directory.path)/ (README.md, and NAME.csv, .md, .svg per suite)")
} catch {
    Console.error("cannot write \(directory.path)/README.md: \(error)")
    failed = true
}
LabStop.holdIfStopping()
exit(failed ? 1 : 0)
