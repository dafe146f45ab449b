/// The JSON text of a timeline message being written: UTF-8 bytes appended in the order the
/// message writes its fields, so every message comes out in the field order of DESIGN
/// contract 2, byte for byte the same each time (Foundation's `JSONEncoder` keeps its
/// objects' keys in a dictionary, whose order varies from run to run).
///
/// Strings are escaped as RFC 8259 requires (quote, backslash and the control characters
/// below 0x20) and otherwise written as their UTF-8; scores as the shortest decimal that
/// reads back as the same `Double` (integral ones below 2^53 without a fraction, as
/// `JSONEncoder` writes them); counts in decimal.
public struct TimelineJSONText {
    /// The bytes written so far.
    private(set) var bytes: [UInt8] = []
    /// Whether the next value or field name follows another in its object or array (and
    /// so needs a comma before it).
    private var followsValue = false

    init() {
        bytes.reserveCapacity(128)
    }

    /// Writes an object: `{`, the fields that `body` writes (each by ``field(_:)`` and then
    /// its value), `}`.
    mutating func object(_ body: (inout TimelineJSONText) throws(TimelineCodecError) -> Void) throws(TimelineCodecError) {
        startValue()
        bytes.append(UInt8(ascii: "{"))
        followsValue = false
        try body(&self)
        bytes.append(UInt8(ascii: "}"))
        followsValue = true
    }

    /// Writes an array: `[`, each of `elements` by `element`, `]`.
    mutating func array<Element>(
        _ elements: some Sequence<Element>, _ element: (inout TimelineJSONText, Element) throws(TimelineCodecError) -> Void
    ) throws(TimelineCodecError) {
        startValue()
        bytes.append(UInt8(ascii: "["))
        followsValue = false
        for value in elements { try element(&self, value) }
        bytes.append(UInt8(ascii: "]"))
        followsValue = true
    }

    /// Writes a field's name, `"name":`, inside ``object(_:)``; its value comes next.
    mutating func field(_ name: String) {
        string(name)
        bytes.append(UInt8(ascii: ":"))
        followsValue = false
    }

    /// Writes a field whose value is a string, `"name":"value"`.
    mutating func field(_ name: String, _ value: String) {
        field(name)
        string(value)
    }

    /// Writes `string` quoted and escaped.
    mutating func string(_ string: String) {
        startValue()
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), byte])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0 ..< 0x20:
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                bytes.append(Self.hexDigit(byte >> 4))
                bytes.append(Self.hexDigit(byte & 0xF))
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
        followsValue = true
    }

    /// Writes a finite `score`; throws `.nonFiniteScore` for NaN or an infinity (JSON has
    /// no such number).
    mutating func score(_ score: Double) throws(TimelineCodecError) {
        try TimelineBinaryLayout.checkScore(score)
        startValue()
        if score == score.rounded(.towardZero) && score.magnitude < 0x1p53 {
            // -0 keeps its sign: a score's bits are what the set orders by.
            if score == 0 && score.sign == .minus { bytes.append(UInt8(ascii: "-")) }
            bytes.append(contentsOf: String(Int64(score)).utf8)
        } else {
            // Swift's description is the shortest decimal that reads back as the same
            // Double ("0.5", "1e+300", "5e-324"): a JSON number, every one.
            bytes.append(contentsOf: score.description.utf8)
        }
        followsValue = true
    }

    /// Writes `count` in decimal.
    mutating func count(_ count: UInt32) {
        startValue()
        bytes.append(contentsOf: String(count).utf8)
        followsValue = true
    }

    /// Writes `true`.
    mutating func `true`() {
        startValue()
        bytes.append(contentsOf: "true".utf8)
        followsValue = true
    }

    /// The comma before a value or field name that follows another.
    private mutating func startValue() {
        if followsValue { bytes.append(UInt8(ascii: ",")) }
    }

    /// The lowercase hexadecimal digit of `nibble` (0 to 15).
    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}

/// A timeline message that writes itself as JSON, in the field order of DESIGN contract 2,
/// through ``TimelineJSONCodec/encode(_:)``, and reads itself back with `Decodable`.
public protocol TimelineJSONMessage: Decodable {
    /// Appends the message's JSON to `text`; throws `.nonFiniteScore` for a score that JSON
    /// cannot carry.
    func writeJSON(to text: inout TimelineJSONText) throws(TimelineCodecError)
}
