/// Lends the bytes of a caller's collection (a `[UInt8]`, an `ArraySlice`, a
/// `String.UTF8View`) as a raw view, in place when they are contiguous (no copy, no
/// allocation), otherwise through a copy. Inlinable, so that a public generic call of the
/// client is specialised where it is made, and only the views cross into the module.
@usableFromInline
enum ByteView {
    /// Calls `body` with a view of `bytes`, valid during the call.
    @inlinable
    static func with<Bytes: Collection<UInt8>, Result>(
        _ bytes: Bytes, _ body: (UnsafeRawBufferPointer) throws(TimelineClientError) -> Result
    ) throws(TimelineClientError) -> Result {
        var outcome: Swift.Result<Result, TimelineClientError>?
        _ = bytes.withContiguousStorageIfAvailable { buffer in
            outcome = Swift.Result { () throws(TimelineClientError) in try body(UnsafeRawBufferPointer(buffer)) }
        }
        if let outcome { return try outcome.get() }
        return try Array(bytes).withUnsafeBytes { buffer in
            Swift.Result { () throws(TimelineClientError) in try body(buffer) }
        }.get()
    }

    /// Calls `body` with views of `first` and `second`, valid during the call.
    @inlinable
    static func with<First: Collection<UInt8>, Second: Collection<UInt8>, Result>(
        _ first: First, _ second: Second,
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws(TimelineClientError) -> Result
    ) throws(TimelineClientError) -> Result {
        try with(first) { (first) throws(TimelineClientError) in
            try with(second) { (second) throws(TimelineClientError) in try body(first, second) }
        }
    }

    /// The bytes as a string for a JSON request, or ``TimelineClientError/invalidRequest(_:)``
    /// naming `field` when they are not UTF-8.
    static func text(_ bytes: UnsafeRawBufferPointer, _ field: String) throws(TimelineClientError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .invalidRequest("\(field) is not UTF-8 (a JSON connection carries strings)")
        }
        return text
    }
}
