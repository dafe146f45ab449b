extension Report {
    /// The CSV of DESIGN contract 4: `suite,case,metric,median,min,max,runs,unit`.
    func csv() -> String {
        var text = "suite,case,metric,median,min,max,runs,unit\n"
        for row in summaries {
            let cells = [row.suite, row.caseName, row.metric, number(row.median), number(row.min),
                         number(row.max), String(row.runs), row.unit]
            text += cells.map(Report.csvField).joined(separator: ",") + "\n"
        }
        return text
    }

    private func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// Quotes a field that holds a comma, quote or newline.
    static func csvField(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
