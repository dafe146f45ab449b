import Foundation
import Glibc

/// The machine a run happened on, stated next to every figure the lab writes.
struct Machine: Sendable {
    let cpuModel: String
    let cores: Int
    let memoryGiB: Double
    let kernel: String
    let swiftVersion: String

    /// Reads the CPU model from `/proc/cpuinfo`, the kernel from `uname`, the Swift version
    /// from `swift --version` (the toolchain that `swift run` used).
    static func current() -> Machine {
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
    var description: String {
        "\(cpuModel), \(cores) cores, \(Console.fixed(memoryGiB, 1)) GiB, \(kernel), \(swiftVersion)"
    }

    private static func swiftVersion() -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "--version"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let text = String(decoding: data, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.contains("Swift version") }) {
                return String(line).trimmingCharacters(in: .whitespaces)
            }
        } catch {}
        #if compiler(>=6.3)
        return "Swift 6.3 or later (swift --version unavailable)"
        #else
        return "Swift (version unavailable)"
        #endif
    }
}
