/// A payload as received: views of its metadata and data inside a frame (or inside the
/// session's reassembly buffer), valid only during the call that hands it over. Copy what
/// must outlive the call.
public struct PayloadView {
    /// The metadata, nil when the frame had no M flag.
    public let metadata: UnsafeRawBufferPointer?
    /// The data (possibly empty).
    public let data: UnsafeRawBufferPointer

    /// A view of `data` and `metadata`.
    @inlinable
    public init(metadata: UnsafeRawBufferPointer?, data: UnsafeRawBufferPointer) {
        self.metadata = metadata
        self.data = data
    }
}
