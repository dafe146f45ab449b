import Foundation
import Glibc

/// The machine a run happened on, stated next to every figure the lab writes.
package struct Machine: Sendable {
    /// The CPU model, from `/proc/cpuinfo`.
    package let cpuModel: String
    /// Online CPUs.
    package let cores: Int
    /// Physical memory in GiB.
    package let memoryGiB: Double
    /// `Linux RELEASE ARCH`.
    package let kernel: String
    /// The first line of `swift --version`.
    package let swiftVersion: String

    /// A machine described by its fields (tests; the lab uses ``current()``).
    package init(cpuModel: String, cores: Int, memoryGiB: Double, kernel: String, swiftVersion: String) {
        self.cpuModel = cpuModel
        self.cores = cores
        self.memoryGiB = memoryGiB
        self.kernel = kernel
        self.swiftVersion = swiftVersion
    }

    /// Reads the CPU model from `/proc/cpuinfo`, the kernel from `uname`, the Swift version
    /// from `swift --version` (the toolchain that `swift run` used).
    package static func current() -> Machine {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n")
            .first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: &name.release) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        let machine = withUnsafeBytes(of: &name.machine) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        let pages = Double(sysconf(Int32(_SC_PHYS_PAGES))) * Double(sysconf(Int32(_SC_PAGESIZE)))
        return Machine(
            cpuModel: model, cores: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))),
            memoryGiB: pages / 1_073_741_824, kernel: "Linux \(release) \(machine)",
            swiftVersion: swiftVersion())
    }

    /// One line: `AMD EPYC, 2 cores, 23.4 GiB, Linux 6.x x86_64, Swift version 6.3.1 (...)`.
    package var description: String {
        "\(cpuModel), \(cores) cores, \(Console.fixed(memoryGiB, 1)) GiB, \(kernel), \(swiftVersion)"
    }

    /// The git commit of the checkout that holds `folder` (the lab's executable is built
    /// inside it): `abc1234`, with `+ changes` when tracked files differ from it, or
    /// `unknown` outside a git checkout.
    package static func gitCommit(of folder: String) -> String {
        guard let commit = commandOutput(["git", "-C", folder, "rev-parse", "--short", "HEAD"])?
            .trimmingCharacters(in: .whitespacesAndNewlines), !commit.isEmpty else { return "unknown" }
        let changes = commandOutput(["git", "-C", folder, "status", "--porcelain", "--untracked-files=no"]) ?? ""
        return changes.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? commit : commit + " + changes"
    }

    /// Standard output of `command` (found on PATH), nil if it cannot run or fails.
    private static func commandOutput(_ command: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
        } catch {
            return nil
        }
    }

    private static func swiftVersion() -> String {
        if let text = commandOutput(["swift", "--version"]),
           let line = text.split(separator: "\n").first(where: { $0.contains("Swift version") }) {
            return String(line).trimmingCharacters(in: .whitespaces)
        }
        #if compiler(>=6.3)
        return "Swift 6.3 or later (swift --version unavailable)"
        #else
        return "Swift (version unavailable)"
        #endif
    }
}
