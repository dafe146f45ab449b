/// The text form of scores, as Roshi's Go code reads and writes them.
public enum ScoreText {
    /// Exponents (of the leading digit) from which `format` switches to the e form; below
    /// -4 it does too. Go's `strconv` uses 6 for the shortest 'g' format, whatever the digits.
    static let largestPlainExponent = 5

    /// `score` as Go's `strconv.FormatFloat(score, 'g', -1, 64)` writes it: the shortest
    /// digits that read back as the same Double; plain decimal when the exponent is from -4
    /// to 5, otherwise `d.ddde±dd` (at least two exponent digits). So `7`, `0.5`, `-3`,
    /// `100000`, `1e+06`, `1.5e-05`, `1e+21`, and `+Inf`, `-Inf`, `NaN`, `-0`.
    public static func format(_ score: Double) -> String {
        if score.isNaN { return "NaN" }
        if score.isInfinite { return score < 0 ? "-Inf" : "+Inf" }
        let sign = score.sign == .minus ? "-" : ""
        if score == 0 { return sign + "0" }
        let (digits, point) = shortestDigits(score.magnitude)
        let exponent = point - 1
        if exponent < -4 || exponent > largestPlainExponent {
            var text = sign + String(digits.first!)
            if digits.count > 1 {
                text += "." + String(digits.dropFirst())
            }
            let magnitude = String(abs(exponent))
            return text + (exponent < 0 ? "e-" : "e+") + (magnitude.count < 2 ? "0" : "") + magnitude
        }
        if point <= 0 {
            return sign + "0." + String(repeating: "0", count: -point) + String(digits)
        }
        if digits.count <= point {
            return sign + String(digits) + String(repeating: "0", count: point - digits.count)
        }
        return sign + String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
    }

    /// The shortest round-tripping decimal digits of a positive finite `magnitude` (no
    /// leading or trailing zeros) and the position of the decimal point: the value is
    /// 0.`digits` × 10^`point`. Swift's `description` finds the digits (shortest, and the
    /// closest to the exact value among the shortest, as Go's Ryū does); only its layout
    /// is discarded.
    private static func shortestDigits(_ magnitude: Double) -> (digits: Substring, point: Int) {
        let text = magnitude.description
        let parts = text.split(separator: "e", maxSplits: 1)
        let mantissa = parts[0]
        let exponent = parts.count == 2 ? Int(parts[1])! : 0
        let dot = mantissa.firstIndex(of: ".")
        var point = (dot.map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count) + exponent
        var digits = Substring(mantissa.filter { $0 != "." })
        while digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == "0" {
            digits.removeLast()
        }
        return (digits, point)
    }

    /// The score written as `text`, read as Go's `strconv.ParseFloat(text, 64)` reads it for
    /// Roshi: decimal or hexadecimal notation, and `inf`/`infinity` in any case with an
    /// optional sign. Throws for anything else, for NaN (it has no place in an order by
    /// score), and for finite text beyond the largest Double (Go's range error).
    public static func parse(_ text: some StringProtocol) throws(LWWSetError) -> Double {
        guard let value = Double(String(text)) else { throw .malformedScore(String(text)) }
        if value.isNaN { throw .notANumber }
        if value.isInfinite && !text.lowercased().contains("inf") { throw .scoreOutOfRange(String(text)) }
        return value
    }
}
