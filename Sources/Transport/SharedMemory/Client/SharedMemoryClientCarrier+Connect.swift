import Glibc
import Posix
import ShmRing
import Synchronization

extension SharedMemoryClientCarrier {
    /// What a successful connect holds: the mapped control segment (through its connect
    /// ring), the channel's block and rings, and the names and identities involved.
    struct Attachment {
        let control: ControlBlock
        let connectRing: ManyToOneRing
        let server: ProcessIdentity
        let channelName: String
        let block: ChannelBlock
        let outbound: OneToOneRing
        let inbound: OneToOneRing

        /// How the connect waits for a starting server or a full connect ring: parks of
        /// 100 µs growing to 1 ms.
        private static var pause: BackoffIdleStrategy {
            BackoffIdleStrategy(maxSpins: 0, maxYields: 0, minPark: .microseconds(100), maxPark: .milliseconds(1))
        }

        /// Channel segments made by this process so far (the `SEQ` of their names).
        private static let sequence = Atomic<Int>(0)

        /// The handshake of <doc:SharedMemoryHandshake> ("Connect"), client side.
        static func connect(_ configuration: SharedMemoryClientConfiguration) throws(TransportError) -> Attachment {
            let names = try SharedMemoryNames(server: configuration.name)
            guard let me = ProcessIdentity.current() else {
                throw .system(SystemCallError(SystemCall("read /proc/self/stat"), .current))
            }
            let (control, connectRing, server) = try openControl(names)
            let deadline = SharedMemoryClock.now() &+ SharedMemoryClock.nanoseconds(configuration.connectTimeout)
            let (capacityIn, capacityOut) = try announcedCapacities(control)
            let channelName = names.channel(pid: me.pid, sequence: sequence.wrappingAdd(1, ordering: .relaxed).oldValue)
            let segment: SharedMemorySegment
            do {
                segment = try SharedMemorySegment.create(
                    name: channelName,
                    regionSizes: [ChannelBlock.length, RingLayout.regionSize(capacity: capacityIn), RingLayout.regionSize(capacity: capacityOut)])
            } catch {
                throw TransportError(segment: error)
            }
            do throws(TransportError) {
                let outbound: OneToOneRing, inbound: OneToOneRing
                do {
                    outbound = try OneToOneRing(segment: segment, region: 1)
                    inbound = try OneToOneRing(segment: segment, region: 2)
                } catch {
                    throw .invalidArgument("channel rings: \(error)")
                }
                guard let base = segment.unsafeRegionBytes(0)?.baseAddress else { throw .invalidArgument("channel has no block") }
                let block = ChannelBlock(unsafeBase: base)
                block.initialise()
                try request(ConnectRequest(client: me, channel: channelName), through: connectRing,
                            server: server, control: control, deadline: deadline, name: names.server)
                try awaitAnswer(block, server: server, deadline: deadline, configuration: configuration, name: names.server)
                return Attachment(control: control, connectRing: connectRing, server: server, channelName: channelName,
                                  block: block, outbound: outbound, inbound: inbound)
            } catch {
                try? SharedMemorySegment.unlink(name: channelName)
                throw error
            }
        }

        /// Opens and checks the control segment: its regions, its magic (waiting up to 100 ms
        /// for a starting server to publish it), its major version and state.
        private static func openControl(_ names: SharedMemoryNames) throws(TransportError) -> (ControlBlock, ManyToOneRing, ProcessIdentity) {
            let segment = try openControlSegment(names)
            guard segment.regions.count == 2, segment.regions[0].length == ControlBlock.length,
                  let base = segment.unsafeRegionBytes(0)?.baseAddress else {
                throw .protocolViolation("control segment \(names.control) has \(segment.regions.count) regions; a control block and a connect ring expected")
            }
            let connectRing: ManyToOneRing
            do { connectRing = try ManyToOneRing(segment: segment, region: 1) } catch {
                throw .protocolViolation("control segment \(names.control): connect ring: \(error)")
            }
            let control = ControlBlock(unsafeBase: base)
            let published = SharedMemoryClock.now() &+ 100_000_000
            var idle = pause
            while control.publishedMagic == 0 && SharedMemoryClock.now() < published { idle.idle(0) }
            let magic = control.publishedMagic
            guard magic == ControlBlock.magic else {
                if magic == 0 { throw .serverNotFound("server '\(names.server)' is still starting") }
                throw .refused("\(names.control) is not a Ringside control segment (magic 0x\(String(magic, radix: 16)))")
            }
            let version = control.version
            guard version.major == ControlBlock.majorVersion else {
                throw .refused("server '\(names.server)' speaks layout \(version.major).\(version.minor); this client speaks \(ControlBlock.majorVersion).x")
            }
            guard control.state == ControlBlock.running else {
                throw .serverNotFound("server '\(names.server)' is shutting down")
            }
            return (control, connectRing, segment.owner)
        }

        /// Opens `/NAME-ctl`, waiting up to 100 ms for a server caught between creating the
        /// file and writing its header (ShmRing's magic is written last).
        private static func openControlSegment(_ names: SharedMemoryNames) throws(TransportError) -> SharedMemorySegment {
            let patience = SharedMemoryClock.now() &+ 100_000_000
            var idle = pause
            while true {
                do { return try SharedMemorySegment.open(name: names.control) } catch {
                    switch error.reason {
                    case .system(errno: .noSuchFile):
                        throw .serverNotFound("no server named '\(names.server)' (\(names.control) does not exist)")
                    case .ownerGone(let pid):
                        throw .serverNotFound("server '\(names.server)' is not running (\(names.control) belongs to pid \(pid), which is gone)")
                    case .badMagic(found: 0), .tooSmall, .sizeMismatch:
                        guard SharedMemoryClock.now() < patience else {
                            throw .serverNotFound("server '\(names.server)' is still starting (\(error))")
                        }
                        idle.idle(0)
                    default:
                        throw .protocolViolation("control segment \(names.control): \(error)")
                    }
                }
            }
        }

        /// The ring capacities the server announces, checked before they size anything.
        private static func announcedCapacities(_ control: ControlBlock) throws(TransportError) -> (Int, Int) {
            let inbound = control.inboundCapacity, outbound = control.outboundCapacity
            guard SharedMemoryServerConfiguration.isRingCapacity(inbound), SharedMemoryServerConfiguration.isRingCapacity(outbound) else {
                throw .protocolViolation("control block announces ring capacities \(inbound) and \(outbound); powers of two from \(RingLayout.minimumCapacity) to \(RingLayout.maximumCapacity) expected")
            }
            return (Int(inbound), Int(outbound))
        }

        /// Writes the connect request, retrying while the ring is full, and rings the server.
        private static func request(_ request: ConnectRequest, through ring: ManyToOneRing, server: ProcessIdentity,
                                    control: ControlBlock, deadline: Int64, name: String) throws(TransportError) {
            var written = false
            var idle = pause
            while !written {
                do {
                    written = try withUnsafeTemporaryAllocation(byteCount: request.encodedLength, alignment: 8) { buffer throws(RingError) in
                        request.encode(into: buffer)
                        return try ring.write(type: ChannelRecord.connect, bytes: UnsafeRawBufferPointer(buffer)) == .written
                    }
                } catch {
                    throw .protocolViolation("connect ring: \(error)")
                }
                if written { break }
                guard server.isAlive else { throw .serverGone("server pid \(server.pid) exited") }
                guard SharedMemoryClock.now() < deadline else { throw .timedOut("the connect ring of server '\(name)' stayed full") }
                control.doorbell.ring()
                idle.idle(0)
            }
            control.doorbell.ring()
        }

        /// Waits on the channel's doorbell for the server to accept or refuse, checking the
        /// server's liveness every interval; gives up at `deadline` (abandoning the channel).
        private static func awaitAnswer(_ block: ChannelBlock, server: ProcessIdentity, deadline: Int64,
                                        configuration: SharedMemoryClientConfiguration, name: String) throws(TransportError) {
            let interval = SharedMemoryClock.nanoseconds(configuration.livenessInterval)
            var nextCheck = SharedMemoryClock.now() &+ interval
            while true {
                switch block.state {
                case .accepted: return
                case .refused: throw .refused(block.reason)
                case .pending: break
                // Accepted, then closed by a server shutting down before this side saw the accept.
                case .closedByServer: throw .serverGone("server '\(name)' closed the connection while it was being set up: \(block.reason)")
                case let state: throw .protocolViolation("channel state \(state.map { "\($0)" } ?? "invalid") while connecting")
                }
                let now = SharedMemoryClock.now()
                if now >= deadline {
                    if block.transition(from: .pending, to: .abandoned) {
                        throw .timedOut("server '\(name)' did not answer within \(configuration.connectTimeout)")
                    }
                    continue
                }
                if now >= nextCheck {
                    nextCheck = now &+ interval
                    guard server.isAlive else { throw .serverGone("server pid \(server.pid) exited") }
                }
                let ticket = block.doorbell.prepareToSleep()
                if block.state != .pending {
                    block.doorbell.cancelSleep()
                    continue
                }
                block.doorbell.sleep(ticket, timeout: .nanoseconds(min(interval, deadline &- now)))
            }
        }
    }
}
