/// The pieces of one fragmented payload gathered so far (RSocket "Fragmentation and
/// Reassembly"): metadata and data, each concatenated in arrival order in a buffer of its own.
///
/// Unsafe by design: the buffers are raw allocations that this value does not free by itself
/// (it lives inside stream tables, which must be copyable); its owner calls ``deallocate()``
/// exactly once, after the last use of ``payload``.
public struct FragmentAssembly {
    /// The metadata so far.
    private var metadata: GrowableBytes
    /// The data so far.
    private var data: GrowableBytes
    /// Whether any fragment carried metadata (M flag).
    private var hasMetadata: Bool

    /// Starts with the first fragment's metadata and data.
    public init(metadata: UnsafeRawBufferPointer?, data: UnsafeRawBufferPointer) {
        self.metadata = GrowableBytes()
        self.data = GrowableBytes()
        hasMetadata = false
        append(metadata: metadata, data: data)
    }

    /// Bytes gathered so far.
    public var byteCount: Int { metadata.count + data.count }

    /// Adds the next fragment.
    public mutating func append(metadata more: UnsafeRawBufferPointer?, data moreData: UnsafeRawBufferPointer) {
        if let more {
            hasMetadata = true
            metadata.append(more)
        }
        data.append(moreData)
    }

    /// The whole payload: valid until ``deallocate()`` or the next ``append(metadata:data:)``.
    public var payload: PayloadView {
        PayloadView(metadata: hasMetadata ? metadata.bytes : nil, data: data.bytes)
    }

    /// Frees the buffers.
    public func deallocate() {
        metadata.deallocate()
        data.deallocate()
    }
}

/// A raw byte buffer that doubles as it fills; freed explicitly. Trivially copyable (a
/// pointer and two counts), so the stream records holding it copy as plain bytes.
struct GrowableBytes {
    private var storage: UnsafeMutableRawPointer?
    private var capacity = 0
    private(set) var count = 0

    /// The bytes so far (a view).
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage, count: count) }

    /// Appends `more`, growing the buffer when needed.
    mutating func append(_ more: UnsafeRawBufferPointer) {
        guard let source = more.baseAddress, more.count > 0 else { return }
        if count + more.count > capacity {
            let grown = max(count + more.count, capacity * 2, 256)
            let fresh = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 16)
            if let storage {
                fresh.copyMemory(from: storage, byteCount: count)
                storage.deallocate()
            }
            storage = fresh
            capacity = grown
        }
        (storage! + count).copyMemory(from: source, byteCount: more.count)
        count += more.count
    }

    /// Forgets the bytes, keeping the buffer.
    mutating func removeAll() { count = 0 }

    /// Frees the buffer.
    func deallocate() { storage?.deallocate() }
}
