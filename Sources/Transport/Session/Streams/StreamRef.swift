/// One stream of one session as the responder sees it: the stream id and a generation that
/// tells a later stream reusing the id from this one. Handles to ended streams are refused.
public struct StreamRef: Hashable, Sendable, CustomStringConvertible {
    /// The RSocket stream id (odd: the client opened it).
    public let streamID: UInt32
    /// The session's count of streams opened before this one.
    public let generation: UInt32

    /// A reference to stream `streamID` of generation `generation`.
    public init(streamID: UInt32, generation: UInt32) {
        self.streamID = streamID
        self.generation = generation
    }

    /// `stream 5 (gen 2)`.
    public var description: String { "stream \(streamID) (gen \(generation))" }
}
