extension Report {
    /// The CSV of DESIGN contract 4: `suite,case,metric,median,min,max,runs,unit`.
    package func csv() -> String {
        var text = Report.csvHeader + "\n"
        for row in summaries {
            let cells = [row.suite, row.caseName, row.metric, Report.number(row.median), Report.number(row.min),
                         Report.number(row.max), String(row.runs), row.unit]
            text += cells.map(Report.csvField).joined(separator: ",") + "\n"
        }
        return text
    }

    /// The CSV's first line.
    package static let csvHeader = "suite,case,metric,median,min,max,runs,unit"

    /// A figure as the CSV writes it: whole numbers without a point, others in full.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// Quotes a field that holds a comma, quote or newline.
    package static func csvField(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The rows of a CSV this writer made (as found in an output folder from an earlier
    /// run); nil when the header is not the DESIGN one or a row does not parse.
    package static func parseCSV(_ text: String) -> [Summary]? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)[...]
        guard lines.popFirst() == csvHeader else { return nil }
        var rows: [Summary] = []
        for line in lines {
            let cells = csvCells(line)
            guard cells.count == 8, let median = Double(cells[3]), let min = Double(cells[4]),
                  let max = Double(cells[5]), let runs = Int(cells[6]) else { return nil }
            rows.append(Summary(suite: cells[0], caseName: cells[1], metric: cells[2], median: median, min: min, max: max, runs: runs, unit: cells[7]))
        }
        return rows
    }

    /// The fields of one CSV line (quoted fields unquoted).
    static func csvCells(_ line: String) -> [String] {
        var cells: [String] = []
        var field = ""
        var quoted = false
        var previous: Character?
        for character in line {
            if quoted {
                if character == "\"" { quoted = false } else { field.append(character) }
            } else if character == "\"" {
                if previous == "\"" { field.append("\"") }
                quoted = true
            } else if character == "," {
                cells.append(field)
                field = ""
            } else {
                field.append(character)
            }
            previous = character
        }
        cells.append(field)
        return cells
    }
}
