import SeededRandom
import Testing
@testable import LWWSet

/// Score text as Go's strconv writes and reads it.
@Suite struct ScoreTextTests {
    /// Expected strings are Go's `strconv.FormatFloat(f, 'g', -1, 64)`: shortest digits,
    /// %e when the exponent is below -4 or at least 6 (the shortest format's precision).
    @Test(arguments: [
        (7.0, "7"), (0.5, "0.5"), (-3.0, "-3"), (1e21, "1e+21"), (0.0, "0"), (-0.0, "-0"),
        (100_000.0, "100000"), (123_456.0, "123456"), (999_999.0, "999999"), (1e6, "1e+06"),
        (1_234_567.0, "1.234567e+06"), (0.0001, "0.0001"), (0.00012, "0.00012"), (1e-5, "1e-05"),
        (1.5e-5, "1.5e-05"), (0.1 + 0.2, "0.30000000000000004"), (1.0 / 3.0, "0.3333333333333333"),
        (123.456, "123.456"), (1e100, "1e+100"), (1.7976931348623157e308, "1.7976931348623157e+308"),
        (Double.leastNonzeroMagnitude, "5e-324"), (2.5e-308, "2.5e-308"), (9_007_199_254_740_993.0, "9.007199254740992e+15"),
        (1e15, "1e+15"), (12_345.678, "12345.678"), (-0.000_001_5, "-1.5e-06"),
        (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (Double.nan, "NaN"),
    ])
    func formatsAsGo(_ value: Double, _ text: String) {
        #expect(ScoreText.format(value) == text)
    }

    @Test func formattedScoresReadBackExactly() throws {
        var random = SplitMix64(seed: 99)
        for _ in 0 ..< 2000 {
            let value = Double(bitPattern: random.next())
            guard !value.isNaN else { continue }
            #expect(try ScoreText.parse(ScoreText.format(value)) == value)
        }
    }

    @Test(arguments: [
        ("7", 7.0), ("-3", -3.0), ("0.5", 0.5), (".5", 0.5), ("5.", 5.0), ("+2", 2.0), ("1e+21", 1e21),
        ("1E3", 1000.0), ("0x1p-2", 0.25), ("inf", .infinity), ("+Inf", .infinity), ("-Infinity", -.infinity),
        ("1e-400", 0.0),
    ])
    func parsesAsGo(_ text: String, _ value: Double) throws {
        #expect(try ScoreText.parse(text) == value)
    }

    @Test func refusesWhatGoRefusesAndNaN() {
        #expect(throws: LWWSetError.malformedScore("abc")) { try ScoreText.parse("abc") }
        #expect(throws: LWWSetError.malformedScore("")) { try ScoreText.parse("") }
        #expect(throws: LWWSetError.malformedScore("1 ")) { try ScoreText.parse("1 ") }
        #expect(throws: LWWSetError.scoreOutOfRange("1e400")) { try ScoreText.parse("1e400") }
        #expect(throws: LWWSetError.notANumber) { try ScoreText.parse("NaN") }
    }
}
