/// What a server application implements (the timeline server): the responder half of every
/// connection, called on the server's poll thread (the single writer), never concurrently.
///
/// Payload views are flyweights over the received frame (or the session's reassembly
/// buffer), valid only during the call: copy what must outlive it. Answers go through the
/// ``ResponderOutput`` of the stream, now or later (for instance in ``endOfBatch()``, after a
/// whole poll batch was applied at once), always on the server's thread, until the stream
/// ends (completed, failed, cancelled, or its connection closed).
public protocol Responder: AnyObject {
    /// A carrier accepted a connection (before its SETUP); `peer` is how the carrier
    /// describes it (`127.0.0.1:5555`, `pid 1234`). Connection ids handed to the responder
    /// are unique across the server's carriers.
    func connectionOpened(_ connection: ConnectionID, peer: String)

    /// A client's SETUP (version 1.0, neither resume nor lease): accept it, or refuse it (for
    /// instance a data MIME type the server does not speak).
    func setup(_ request: SetupRequest, connection: ConnectionID) -> SetupDecision

    /// REQUEST_FNF.
    func fireAndForget(_ payload: PayloadView, connection: ConnectionID)

    /// REQUEST_RESPONSE: answer once with ``ResponderOutput/next(_:metadata:complete:)`` or
    /// ``ResponderOutput/error(_:reason:)``.
    func requestResponse(_ payload: PayloadView, output: ResponderOutput)

    /// REQUEST_STREAM with the requester's first credit.
    func requestStream(_ payload: PayloadView, initialDemand: UInt32, output: ResponderOutput)

    /// REQUEST_CHANNEL with the requester's first credit; the session already granted the
    /// requester credit for its own payloads (``channelPayload(_:complete:output:)``).
    func requestChannel(_ payload: PayloadView, initialDemand: UInt32, output: ResponderOutput)

    /// The requester's next payload on a channel (`complete`: its last).
    func channelPayload(_ payload: PayloadView, complete: Bool, output: ResponderOutput)

    /// The requester completed its half of a channel.
    func channelComplete(output: ResponderOutput)

    /// The requester's credit grew to `credit` (held payloads were released first; `credit`
    /// is what is left after them).
    func demand(credit: UInt32, output: ResponderOutput)

    /// The requester cancelled the stream (CANCEL or ERROR); its output is dead.
    func cancel(output: ResponderOutput)

    /// The connection is gone (closed by either side, failed, or the server stopped), for
    /// `reason` as its carrier reported it; every stream on it ended.
    func connectionClosed(_ connection: ConnectionID, reason: CarrierCloseReason)

    /// Called after each poll that delivered something, before the outputs are flushed: the
    /// place to apply a whole batch at once (the LWW set's batch API) and answer it.
    func endOfBatch()

    /// Called once per poll round, after the carriers (and ``endOfBatch()``): work that does
    /// not arrive through a carrier, such as answers another thread made ready (a journal's
    /// flusher). Returns how much it did; the loop does not sleep after a round with work, so
    /// whoever makes such work ready rings the server's doorbell. `now` is the loop's coarse
    /// clock (read at most once per 64 rounds and after every sleep: a clock read costs more
    /// than an idle round's other work), fine enough for periodic work.
    func poll(now: SessionInstant) -> Int

    /// Called when the loop, idle, is about to sleep on its doorbell (after its last poll
    /// round found nothing): the place to publish what periodic work would otherwise leave
    /// stale until the next wake (a stat segment's counters), so that an idle server's
    /// published state is exact. Not called while the loop spins or yields.
    func willSleep()

    /// Called once at a clean stop, on the poll thread, after the last frames that arrived
    /// were handled and before every connection is closed: the place to end the streams the
    /// responder keeps open (complete a subscription, or fail it saying what it missed), so
    /// that their requesters learn of the stop on the stream, before the connection's
    /// ERROR CONNECTION_CLOSE.
    func willShutDown()
}

extension Responder {
    /// Does nothing.
    public func connectionOpened(_ connection: ConnectionID, peer: String) {}
    /// Accepts every SETUP.
    public func setup(_ request: SetupRequest, connection: ConnectionID) -> SetupDecision { .accept }
    /// Ignores the request.
    public func fireAndForget(_ payload: PayloadView, connection: ConnectionID) {}
    /// Refuses with ERROR REJECTED.
    public func requestResponse(_ payload: PayloadView, output: ResponderOutput) {
        output.error(.rejected, reason: "request-response is not supported")
    }
    /// Refuses with ERROR REJECTED.
    public func requestStream(_ payload: PayloadView, initialDemand: UInt32, output: ResponderOutput) {
        output.error(.rejected, reason: "request-stream is not supported")
    }
    /// Refuses with ERROR REJECTED.
    public func requestChannel(_ payload: PayloadView, initialDemand: UInt32, output: ResponderOutput) {
        output.error(.rejected, reason: "request-channel is not supported")
    }
    /// Ignores the payload.
    public func channelPayload(_ payload: PayloadView, complete: Bool, output: ResponderOutput) {}
    /// Does nothing.
    public func channelComplete(output: ResponderOutput) {}
    /// Does nothing.
    public func demand(credit: UInt32, output: ResponderOutput) {}
    /// Does nothing.
    public func cancel(output: ResponderOutput) {}
    /// Does nothing.
    public func connectionClosed(_ connection: ConnectionID, reason: CarrierCloseReason) {}
    /// Does nothing.
    public func endOfBatch() {}
    /// Does nothing: no work.
    public func poll(now: SessionInstant) -> Int { 0 }
    /// Does nothing.
    public func willSleep() {}
    /// Does nothing.
    public func willShutDown() {}
}
