/// How a ``SharedMemoryClientCarrier`` finds its server and judges its liveness.
public struct SharedMemoryClientConfiguration: Sendable, Equatable {
    /// The server's name (`--name`, default `ringside`).
    public var name: String
    /// How long a connect may wait for the server's answer.
    public var connectTimeout: Duration
    /// How often the client checks that the server lives while it waits or receives nothing
    /// (and the longest single sleep in ``SharedMemoryClientCarrier/waitForWork(timeout:)``).
    public var livenessInterval: Duration
    /// A server whose heartbeat is older than this is taken as wedged and gone (a server
    /// that died is noticed within one liveness interval whatever this says).
    public var serverSilenceLimit: Duration

    /// A configuration for the server called `name`.
    public init(name: String = "ringside", connectTimeout: Duration = .seconds(5),
                livenessInterval: Duration = .milliseconds(100), serverSilenceLimit: Duration = .seconds(5)) {
        self.name = name
        self.connectTimeout = connectTimeout
        self.livenessInterval = livenessInterval
        self.serverSilenceLimit = serverSilenceLimit
    }

    /// Throws the first setting that cannot work.
    func validate() throws(TransportError) {
        guard connectTimeout > .zero else { throw .invalidArgument("connectTimeout \(connectTimeout); above zero") }
        guard livenessInterval > .zero, livenessInterval <= .seconds(1) else {
            throw .invalidArgument("livenessInterval \(livenessInterval); above zero and at most 1 s")
        }
        guard serverSilenceLimit > livenessInterval else {
            throw .invalidArgument("serverSilenceLimit \(serverSilenceLimit); above the liveness interval")
        }
    }
}
