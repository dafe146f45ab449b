extension SharedMemorySegment {
    /// The longest accepted name, in bytes, leading slash included.
    public static let maxNameLength = 255

    /// Checks a segment name: one leading slash and no other, at least one more byte, at most
    /// ``maxNameLength`` bytes, no NUL, and not `/.` or `/..`.
    public static func validate(name: String) throws(SegmentError) {
        func fail(_ why: String) -> SegmentError {
            SegmentError(.validateName, name: name, .invalidName(why))
        }
        let bytes = name.utf8
        guard bytes.first == UInt8(ascii: "/") else { throw fail("must start with '/'") }
        guard bytes.count >= 2 else { throw fail("needs at least one character after '/'") }
        guard bytes.count <= maxNameLength else { throw fail("\(bytes.count) bytes; at most \(maxNameLength)") }
        guard !bytes.dropFirst().contains(UInt8(ascii: "/")) else { throw fail("only the leading '/' is allowed") }
        guard !bytes.contains(0) else { throw fail("contains a NUL byte") }
        guard name != "/." && name != "/.." else { throw fail("'.' and '..' are not segment names") }
    }
}
