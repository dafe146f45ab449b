/// A write whose key and member bytes are borrowed from their owner (a ring's record, a
/// frame being decoded): the owner keeps the bytes valid and unchanged while a batch that
/// holds the write is applied by `LWWSet.write(_:outcome:)`.
public struct BorrowedWrite {
    /// Insert or delete.
    public var kind: WriteKind
    /// The key's bytes.
    public var key: UnsafeRawBufferPointer
    /// The write's score.
    public var score: Double
    /// The member's bytes.
    public var member: UnsafeRawBufferPointer

    /// A write of `kind` of `member` under `key` at `score`, borrowing both byte buffers.
    public init(_ kind: WriteKind, key: UnsafeRawBufferPointer, score: Double, member: UnsafeRawBufferPointer) {
        self.kind = kind
        self.key = key
        self.score = score
        self.member = member
    }
}

/// An offset/limit select whose key bytes are borrowed from their owner, which keeps them
/// valid while a batch that holds the select runs (`LWWSet.select(_:into:each:)`).
public struct BorrowedSelect {
    /// The key's bytes.
    public var key: UnsafeRawBufferPointer
    /// The rank of the first entry wanted, 0 being the highest.
    public var offset: Int
    /// The most entries wanted (0 with offset 0: the whole set, as in Roshi).
    public var limit: Int

    /// A select of the entries of `key` at ranks `offset ..< offset + limit`, borrowing the key's bytes.
    public init(key: UnsafeRawBufferPointer, offset: Int, limit: Int) {
        self.key = key
        self.offset = offset
        self.limit = limit
    }
}
