/// A payload copied out of its frames: what the asynchronous forms of ``Connection`` return.
public struct Payload: Sendable, Equatable {
    /// The metadata, nil when the payload had none.
    public var metadata: [UInt8]?
    /// The data.
    public var data: [UInt8]

    /// A payload of `data` and `metadata`.
    public init(data: [UInt8], metadata: [UInt8]? = nil) {
        self.data = data
        self.metadata = metadata
    }

    /// A copy of a view.
    public init(copying view: PayloadView) {
        data = Array(view.unsafeData)
        metadata = view.unsafeMetadata.map { Array($0) }
    }
}
