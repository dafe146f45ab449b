import SeededRandom

/// Random test inputs for the frame and codec property tests.
extension SplitMix64 {
    /// Random bytes; lengths mostly short, sometimes up to `maxLength`.
    mutating func bytes(maxLength: Int = 300) -> [UInt8] {
        let length = Bool.random(using: &self) ? Int.random(in: 0...16, using: &self) : Int.random(in: 0...maxLength, using: &self)
        return (0..<length).map { _ in UInt8.random(in: 0...255, using: &self) }
    }

    /// A random string of ASCII, accented and astral characters, up to `maxLength` of them.
    mutating func string(maxLength: Int = 24) -> String {
        let alphabet: [Character] = ["a", "z", "0", " ", "\"", "\\", "/", "é", "ß", "中", "🎧", "\u{7}", "\n"]
        return String((0..<Int.random(in: 0...maxLength, using: &self)).map { _ in alphabet.randomElement(using: &self)! })
    }

    /// A finite score: small integers, fractions, huge and tiny magnitudes, negative zero.
    mutating func score() -> Double {
        switch Int.random(in: 0..<5, using: &self) {
        case 0: Double(Int.random(in: -1000...1000, using: &self))
        case 1: Double.random(in: -1...1, using: &self)
        case 2: Double.random(in: -1e300...1e300, using: &self)
        case 3: Double.leastNonzeroMagnitude * Double(Int.random(in: 1...9, using: &self))
        default: -0.0
        }
    }

    /// A value for a 31-bit field; positive where asked.
    mutating func uint31(positive: Bool = false) -> UInt32 {
        Bool.random(using: &self) ? UInt32.random(in: (positive ? 1 : 0)...10, using: &self)
            : UInt32.random(in: (positive ? 1 : 0)...0x7FFF_FFFF, using: &self)
    }

    /// A value for a 63-bit position.
    mutating func uint63() -> UInt64 { UInt64.random(in: 0...0x7FFF_FFFF_FFFF_FFFF, using: &self) }
}
