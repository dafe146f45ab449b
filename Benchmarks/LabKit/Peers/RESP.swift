/// A RESP (REdis Serialization Protocol, version 2) reply.
package enum RESPValue: Sendable, Equatable {
    /// `+OK`.
    case simple(String)
    /// `-ERR ...`: the server refused the command.
    case error(String)
    /// `:42`.
    case integer(Int64)
    /// `$N` and N bytes; nil for the null bulk string `$-1`.
    case bulk([UInt8]?)
    /// `*N` and N values; nil for the null array `*-1`.
    case array([RESPValue]?)
}

/// Why bytes read from a RESP server were refused (never a trap: the bytes are untrusted).
package enum RESPError: Error, Equatable, CustomStringConvertible {
    /// The reply's first byte is not one of `+ - : $ *`.
    case unknownType(UInt8)
    /// A length, count or integer line that is not a decimal number in range; the field named.
    case badNumber(field: String)
    /// A bulk string or array larger than the client accepts; the field named.
    case tooLarge(field: String, value: Int64)
    /// A line or bulk string not ended by CR LF.
    case missingLineEnd
    /// The server closed the connection in the middle of a reply (or before it).
    case closed
    /// The server answered a command with an error.
    case server(String)
    /// A reply of another type than the command returns.
    case unexpected(RESPValue)

    /// One line for the console.
    package var description: String {
        switch self {
        case .unknownType(let byte): "RESP: unknown reply type byte 0x\(String(byte, radix: 16))"
        case .badNumber(let field): "RESP: \(field) is not a number"
        case .tooLarge(let field, let value): "RESP: \(field) \(value) is over the limit"
        case .missingLineEnd: "RESP: a line does not end with CR LF"
        case .closed: "RESP: the server closed the connection"
        case .server(let message): "RESP: the server answered \(message)"
        case .unexpected(let value): "RESP: unexpected reply \(value)"
        }
    }
}

/// RESP's wire format: commands written as arrays of bulk strings, replies parsed from a
/// byte buffer that may hold part of a reply (``parse(_:from:)`` then says so).
package enum RESP {
    /// The largest bulk string accepted (Redis's own `proto-max-bulk-len` default).
    package static let maxBulkLength: Int64 = 512 << 20
    /// The most elements an array reply may have.
    package static let maxArrayCount: Int64 = 1 << 24
    /// The deepest nesting of arrays accepted.
    package static let maxDepth = 8

    /// Appends the command `arguments` (`ZADD key score member`) as a RESP array of bulk
    /// strings to `buffer`.
    package static func appendCommand(_ arguments: [[UInt8]], to buffer: inout [UInt8]) {
        appendLine(UInt8(ascii: "*"), Int64(arguments.count), to: &buffer)
        for argument in arguments {
            appendLine(UInt8(ascii: "$"), Int64(argument.count), to: &buffer)
            buffer += argument
            buffer += [13, 10]
        }
    }

    /// The command as bytes.
    package static func command(_ arguments: [[UInt8]]) -> [UInt8] {
        var buffer: [UInt8] = []
        appendCommand(arguments, to: &buffer)
        return buffer
    }

    /// The command of text arguments as bytes.
    package static func command(_ arguments: String...) -> [UInt8] {
        command(arguments.map { Array($0.utf8) })
    }

    private static func appendLine(_ type: UInt8, _ number: Int64, to buffer: inout [UInt8]) {
        buffer.append(type)
        buffer += Array(String(number).utf8)
        buffer += [13, 10]
    }

    /// Parses one reply starting at `start` in `bytes`: the reply and the index after it,
    /// or nil when the bytes end before the reply does.
    package static func parse(_ bytes: UnsafeRawBufferPointer, from start: Int) throws(RESPError) -> (value: RESPValue, end: Int)? {
        try parse(bytes, from: start, depth: 0)
    }

    private static func parse(_ bytes: UnsafeRawBufferPointer, from start: Int, depth: Int) throws(RESPError) -> (value: RESPValue, end: Int)? {
        guard start < bytes.count else { return nil }
        guard let (line, next) = try lineEnd(bytes, from: start + 1) else { return nil }
        let text = UnsafeRawBufferPointer(rebasing: bytes[(start + 1)..<line])
        switch bytes[start] {
        case UInt8(ascii: "+"):
            return (.simple(String(decoding: text, as: UTF8.self)), next)
        case UInt8(ascii: "-"):
            return (.error(String(decoding: text, as: UTF8.self)), next)
        case UInt8(ascii: ":"):
            return (.integer(try number(text, field: "integer reply")), next)
        case UInt8(ascii: "$"):
            let length = try number(text, field: "bulk string length")
            if length == -1 { return (.bulk(nil), next) }
            guard length >= 0 else { throw .badNumber(field: "bulk string length") }
            guard length <= maxBulkLength else { throw .tooLarge(field: "bulk string length", value: length) }
            let end = next + Int(length)
            guard end + 2 <= bytes.count else { return nil }
            guard bytes[end] == 13, bytes[end + 1] == 10 else { throw .missingLineEnd }
            return (.bulk(Array(bytes[next..<end])), end + 2)
        case UInt8(ascii: "*"):
            let count = try number(text, field: "array count")
            if count == -1 { return (.array(nil), next) }
            guard count >= 0 else { throw .badNumber(field: "array count") }
            guard count <= maxArrayCount, depth < maxDepth else { throw .tooLarge(field: "array count", value: count) }
            var elements: [RESPValue] = []
            var position = next
            for _ in 0..<count {
                guard let (element, after) = try parse(bytes, from: position, depth: depth + 1) else { return nil }
                elements.append(element)
                position = after
            }
            return (.array(elements), position)
        case let other:
            throw .unknownType(other)
        }
    }

    /// Where the CR of the line starting at `start` is, and the index after its LF; nil
    /// when the bytes end first.
    private static func lineEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) throws(RESPError) -> (Int, Int)? {
        var index = start
        while index < bytes.count {
            if bytes[index] == 13 {
                guard index + 1 < bytes.count else { return nil }
                guard bytes[index + 1] == 10 else { throw .missingLineEnd }
                return (index, index + 2)
            }
            if bytes[index] == 10 { throw .missingLineEnd }
            index += 1
        }
        return nil
    }

    /// A decimal number of at most 19 digits, optionally negative.
    private static func number(_ text: UnsafeRawBufferPointer, field: String) throws(RESPError) -> Int64 {
        var digits = text[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= 18 else { throw .badNumber(field: field) }
        var value: Int64 = 0
        for byte in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { throw .badNumber(field: field) }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return negative ? -value : value
    }
}
