import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import LabKit
import Testing

/// The CSV, Markdown and SVG writers produce well-formed output.
@Suite struct ReportWriterTests {
    static let machine = Machine(cpuModel: "Test CPU <x>", cores: 2, memoryGiB: 8, kernel: "Linux 6 x86_64", swiftVersion: "Swift version 6.3.1")

    static func summary(_ caseName: String, _ metric: String, _ median: Double, unit: String, suite: String = "transport") -> Summary {
        Summary(suite: suite, caseName: caseName, metric: metric, median: median, min: median * 0.9, max: median * 1.1, runs: 5, unit: unit)
    }

    static let transport = Report(
        page: SuitePage(name: "transport", summary: "shm rings & TCP, \"quoted\""),
        summaries: [
            summary("limit-spsc-32B", "msgs_per_s", 20e6, unit: "msg/s"),
            summary("shm-spsc-32B", "msgs_per_s", 15e6, unit: "msg/s"),
            summary("tcp-32B", "msgs_per_s", 1e6, unit: "msg/s"),
            summary("shm-spsc-32B", "of_limit", 0.75, unit: "of limit-spsc-32B"),
            Summary(suite: "transport", caseName: "shm-spsc-32B", metric: "allocs_per_msg", median: 0, min: 0, max: 0, runs: 5, unit: "allocs"),
            summary("shm-pingpong-32B", "rtt_p50_ns", 400, unit: "ns"),
            summary("shm-pingpong-32B", "rtt_p90_ns", 500, unit: "ns"),
            summary("shm-pingpong-32B", "rtt_p99_ns", 700, unit: "ns"),
            summary("shm-pingpong-32B", "rtt_p999_ns", 5_000, unit: "ns"),
            summary("shm-pingpong-32B", "rtt_max_ns", 2e7, unit: "ns"),
            summary("shm-pingpong-32B", "rtt_samples", 1e6, unit: "count"),
            summary("tcp-pingpong-32B", "rtt_p50_ns", 20_000, unit: "ns"),
            summary("tcp-pingpong-32B", "rtt_p99_ns", 40_000, unit: "ns"),
            summary("a,b", "odd \"metric\"", 1.5, unit: "x"),
        ],
        discarded: [DiscardedRuns(caseName: "shm-spsc-32B", count: 1, reason: "peer descheduled")],
        machine: machine, command: "swift run -c release lab --suite transport", commit: "abc1234",
        date: "2026-12-01T09:00:00Z", seconds: 12.5)

    static let contention = Report(
        page: SuitePage(name: "contention", summary: "counting", chart: .lines(metric: "ns_per_inc", xLabel: "threads", logY: true) { name in
            let parts = name.split(separator: "-")
            guard let threads = parts.last.flatMap({ Double($0) }) else { return nil }
            return (parts.dropLast().joined(separator: "-"), threads)
        }),
        summaries: [1, 2, 4, 8].flatMap { threads in
            [summary("contended-\(threads)", "ns_per_inc", 2.0 * Double(threads), unit: "ns", suite: "contention"),
             summary("single-writer-\(threads)", "ns_per_inc", 0.35, unit: "ns", suite: "contention")]
        },
        machine: machine, command: "swift run -c release lab --suite contention", commit: "abc1234",
        date: "2026-12-01T09:01:00Z", seconds: 60)

    @Test func csvHasTheDesignColumnsAndRoundTrips() throws {
        let text = Self.transport.csv()
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first == "suite,case,metric,median,min,max,runs,unit")
        #expect(lines.count == Self.transport.summaries.count + 1)
        #expect(lines.contains("transport,tcp-32B,msgs_per_s,1000000,900000,1100000,5,msg/s"))
        #expect(lines.contains("transport,\"a,b\",\"odd \"\"metric\"\"\",1.5,1.35,1.6500000000000001,5,x"))
        let parsed = try #require(Report.parseCSV(text))
        #expect(parsed == Self.transport.summaries)
        #expect(Report.parseCSV("case,metric\nx,y\n") == nil)
    }

    /// Every table row block is preceded by a blank line, and every row has the header's cells.
    static func checkTables(_ markdown: String) {
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var columns = 0
        for (index, line) in lines.enumerated() where line.hasPrefix("|") {
            let cells = line.filter { $0 == "|" }.count
            if index == 0 || !lines[index - 1].hasPrefix("|") {
                #expect(index > 0 && lines[index - 1].isEmpty, "no blank line before the table at line \(index + 1)")
                columns = cells
                #expect(index + 1 < lines.count && lines[index + 1].hasPrefix("|-"), "no rule under the header at line \(index + 1)")
            }
            #expect(cells == columns, "line \(index + 1) has \(cells - 1) cells, its table \(columns - 1)")
        }
    }

    @Test func markdownPageStatesHowAndWhere() {
        let page = Self.transport.markdown()
        for expected in ["# Lab suite `transport`", "- Command: `swift run -c release lab --suite transport`",
                         "- Machine: Test CPU <x>, 2 cores", "- Kernel: Linux 6 x86_64", "- Swift: Swift version 6.3.1",
                         "- Commit: abc1234", "- Finished: 2026-12-01T09:00:00Z", "- Runs thrown away: 1 of shm-spsc-32B (peer descheduled)",
                         "| shm-spsc-32B | msgs_per_s | 15.000M |", "![transport](transport.svg)"] {
            #expect(page.contains(expected), "missing: \(expected)")
        }
        Self.checkTables(page)
    }

    @Test func indexHasTheHeadlineAndLinksToEveryPage() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lab-tests-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // contention ran earlier: its files are in the folder; transport runs now.
        try Self.contention.write(to: folder)
        let suites = [Self.transport.page, Self.contention.page, SuitePage(name: "peers", summary: "redis")]
        let text = Report.index(reports: [Self.transport], suites: suites, directory: folder)
        Self.checkTables(text)
        #expect(text.contains("## [transport](transport.md)"))
        #expect(text.contains("## [contention](contention.md)"))
        #expect(!text.contains("## [peers]"))
        #expect(text.contains("| shm-spsc-32B vs tcp-32B | shm vs TCP | `msgs_per_s` | 15.00x |"))
        #expect(text.contains("| shm-pingpong-32B vs tcp-pingpong-32B | shm vs TCP | `rtt_p50_ns` | 50.00x |"))
        #expect(text.contains("| single-writer-2 vs contended-2 | single writer vs contended | `ns_per_inc` | 11.43x |"))
        #expect(text.contains("| shm-spsc-32B of limit-spsc-32B | of its limit | `of_limit` | 0.75x |"))
        // Without its twin a comparison is left out.
        #expect(!text.contains("redis-zadd-pipelined"))
    }

    @Test func headlineShowsRedisTwinsOnlyWhenBothRan() {
        let redis = Self.summary("redis-zadd-pipelined", "ops_per_s", 500_000, unit: "ops/s", suite: "peers")
        #expect(Headline.rows([redis]).isEmpty)
        let rows = Headline.rows([redis, Self.summary("timeline-shm-binary", "events_per_s", 5e6, unit: "events/s", suite: "timeline")])
        #expect(rows.map(\.title) == ["timeline-shm-binary vs redis-zadd-pipelined"])
        #expect(abs(rows[0].ratio - 10) < 1e-9)
    }

    /// Parses `svg` as XML and returns its elements' names and every text node.
    static func parse(_ svg: String) throws -> (elements: [String], texts: [String]) {
        final class Collector: NSObject, XMLParserDelegate {
            var elements: [String] = []
            var texts: [String] = []
            var current = ""
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                elements.append(name)
                current = ""
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }
            func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
                if name == "text" { texts.append(current) }
                current = ""
            }
        }
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        let parsed = parser.parse()
        #expect(parsed, "SVG is not well-formed XML: \(String(describing: parser.parserError))")
        return (collector.elements, collector.texts)
    }

    @Test func svgIsWellFormedWithTitledAxesAndZeroMetricsAsText() throws {
        let (elements, texts) = try Self.parse(Self.transport.svg())
        #expect(elements.first == "svg")
        #expect(elements.contains("polyline"))  // the percentile curves
        #expect(elements.filter { $0 == "rect" }.count > 10)  // bars
        #expect(texts.contains("Lab suite transport"))
        #expect(texts.contains("shm rings & TCP, \"quoted\""))  // escaped and read back
        #expect(texts.contains("rtt (ns, log scale)"))
        #expect(texts.contains("percentile"))
        #expect(texts.contains("msgs_per_s (msg/s)"))
        #expect(texts.contains("case"))
        #expect(texts.contains("allocs_per_msg (allocs): 0 in every run of every case"))
        #expect(texts.contains { $0.hasPrefix("rtt_samples") })
        #expect(texts.contains("limit (1.0)"))
        // shm and TCP latency on one chart: both in its legend.
        #expect(texts.contains("shm-pingpong-32B") && texts.contains("tcp-pingpong-32B"))
    }

    @Test func barsSitBesideTheirLimitAndTwin() {
        let rows = Self.transport.summaries.filter { $0.metric == "msgs_per_s" }
        let ordered = Report.besideTheirPartners(
            [rows[1], rows[2], rows[0]], limits: ["shm-spsc-32B": "limit-spsc-32B"])
        #expect(ordered.map(\.caseName) == ["limit-spsc-32B", "shm-spsc-32B", "tcp-32B"])
    }

    @Test func lineChartHasBothAxesTitled() throws {
        let (elements, texts) = try Self.parse(Self.contention.svg())
        #expect(elements.filter { $0 == "polyline" }.count == 2)
        #expect(texts.contains("threads"))
        #expect(texts.contains("ns_per_inc (ns, log scale)"))
        #expect(texts.contains("contended") && texts.contains("single-writer"))
    }
}

/// Chart details a reader sees.
@Suite struct SVGCanvasTests {
    @Test func ticksAreRoundAndShort() {
        #expect(SVGCanvas.tick(500_000) == "500k")
        #expect(SVGCanvas.tick(1_500_000) == "1.5M")
        #expect(SVGCanvas.tick(1e10) == "10G")
        #expect(SVGCanvas.tick(0.25) == "0.25")
        #expect(SVGCanvas.tick(0) == "0")
        #expect(SVGCanvas.niceStep(303_642_000) == 500_000_000)
        #expect(SVGCanvas.niceStep(0.3) == 0.5)
        #expect(SVGCanvas.niceStep(2) == 2)
    }

    @Test func wideRangesGetALogAxis() throws {
        let report = Report(
            page: SuitePage(name: "encoding", summary: "binary and JSON"),
            summaries: [ReportWriterTests.summary("event-binary-roundtrip", "ops_per_s", 3e7, unit: "ops/s", suite: "encoding"),
                        ReportWriterTests.summary("event-json-roundtrip", "ops_per_s", 1.2e5, unit: "ops/s", suite: "encoding")],
            machine: ReportWriterTests.machine, command: "lab", commit: "abc", date: "now", seconds: 1)
        let (_, texts) = try ReportWriterTests.parse(report.svg())
        #expect(texts.contains("ops_per_s (ops/s, log scale)"))
        #expect(texts.contains("100k") && texts.contains("100M"))
    }
}
