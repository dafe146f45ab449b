/// A payload as received: views of its metadata and data inside a frame (or inside the
/// session's reassembly buffer), valid only during the call that hands it over. Copy what
/// must outlive the call.
public struct PayloadView {
    /// The metadata, nil when the frame had no M flag. A view into the frame's buffer (or
    /// the reassembly buffer), valid only during the call that hands it over; copy what must
    /// outlive it.
    public let unsafeMetadata: UnsafeRawBufferPointer?
    /// The data (possibly empty). A view into the frame's buffer (or the reassembly buffer),
    /// valid only during the call that hands it over; copy what must outlive it.
    public let unsafeData: UnsafeRawBufferPointer

    /// A view of `data` and `metadata`.
    @inlinable
    public init(metadata: UnsafeRawBufferPointer?, data: UnsafeRawBufferPointer) {
        self.unsafeMetadata = metadata
        self.unsafeData = data
    }
}
