import ShmRing

extension SharedMemoryServerCarrier {
    /// Reads up to `limit` connect requests and answers each; returns how many connections
    /// opened (each an ``CarrierEvent/opened(_:peer:)`` event). A corrupt connect ring stops
    /// accepting (``lastRejection`` says why); existing channels carry on. The poll calls it
    /// only when the ring holds something (two loads, inline: the usual case is empty).
    func acceptConnects(limit: Int, _ handler: (CarrierEvent) -> Void) -> Int {
        guard connectRingFailure == nil else { return 0 }
        var opened = 0
        do {
            try connectRing.read(limit: limit) { type, payload in
                if accept(type: type, payload: payload, handler) { opened += 1 }
            }
        } catch {
            connectRingFailure = error
            reject("connect ring unusable, no more connects accepted: \(error)")
        }
        return opened
    }

    /// Answers one connect record (see <doc:SharedMemoryHandshake>, "Connect"): everything
    /// is checked before the channel is trusted; returns whether a connection opened.
    private func accept(type: Int32, payload: UnsafeRawBufferPointer, _ handler: (CarrierEvent) -> Void) -> Bool {
        guard type == ChannelRecord.connect else {
            reject("connect ring record type \(type) (1: connect request)")
            return false
        }
        let request: ConnectRequest
        do { request = try ConnectRequest.decode(payload, names: names) } catch {
            reject(error.description)
            return false
        }
        guard request.client.isAlive else {
            reject("connect request from pid \(request.client.pid), which is not running (or not since that start time)")
            _ = try? SharedMemorySegment.reclaimIfStale(name: request.channel)
            return false
        }
        let segment: SharedMemorySegment
        do { segment = try SharedMemorySegment.open(name: request.channel) } catch {
            reject("channel of pid \(request.client.pid): \(error)")
            return false
        }
        guard segment.owner == request.client else {
            reject("channel \(request.channel) is owned by \(segment.owner), not the requesting \(request.client)")
            return false
        }
        guard segment.regions.count == 3, segment.regions[0].length == ChannelBlock.length,
              let base = segment.unsafeRegionBytes(0)?.baseAddress else {
            reject("channel \(request.channel) has \(segment.regions.count) regions; a channel block and two rings expected")
            return false
        }
        let block = ChannelBlock(unsafeBase: base)
        if let problem = block.layoutProblem {
            reject("channel \(request.channel): \(problem)")
            return false
        }
        guard block.state == .pending else {
            reject("channel \(request.channel) is not pending (state \(block.state.map { "\($0)" } ?? "invalid"))")
            return false
        }
        let inboundSize = RingLayout.regionSize(capacity: configuration.clientToServerCapacity)
        let outboundSize = RingLayout.regionSize(capacity: configuration.serverToClientCapacity)
        guard segment.regions[1].length == inboundSize, segment.regions[2].length == outboundSize else {
            refuse(block, request, "channel rings of \(segment.regions[1].length) and \(segment.regions[2].length) bytes; this server uses \(inboundSize) and \(outboundSize)")
            return false
        }
        guard !pollState.isShutDown else {
            refuse(block, request, "server '\(names.server)' is shutting down")
            return false
        }
        guard let slot = freeSlots.popLast() else {
            refuse(block, request, "server '\(names.server)' is full (\(configuration.maxClients) clients)")
            return false
        }
        let inbound: OneToOneRing, outbound: OneToOneRing
        do {
            inbound = try OneToOneRing(segment: segment, region: 1)
            outbound = try OneToOneRing(segment: segment, region: 2)
        } catch {
            freeSlots.append(slot)
            refuse(block, request, "channel rings: \(error)")
            return false
        }
        serial += 1
        let id = ConnectionID(rawValue: serial << UInt64(SharedMemoryServerConfiguration.slotBits) | UInt64(slot))
        block.connection = id.rawValue
        block.server = identity
        guard block.transition(from: .pending, to: .accepted) else {
            freeSlots.append(slot)
            reject("pid \(request.client.pid) abandoned its connect before the answer")
            return false
        }
        let channel = ServerChannel(id: id, slot: slot, client: request.client, segmentName: request.channel,
                                    block: block, inbound: inbound, outbound: outbound)
        pollState.slots[slot] = channel
        pollState.active.append(slot)
        pollState.activeChannels.append(Unmanaged.passUnretained(channel))
        control.publishCounters(connected: pollState.active.count, accepted: serial, rejected: rejectedConnectCount)
        channel.doorbell.ring()
        handler(.opened(id, peer: "pid \(request.client.pid)"))
        return true
    }

    /// Refuses a pending channel: the reason, the state moved to refused, the client woken,
    /// the segment unlinked (the client unlinks it too; whoever is second finds it gone).
    private func refuse(_ block: ChannelBlock, _ request: ConnectRequest, _ reason: String) {
        reject(reason)
        block.setReason(reason)
        if block.transition(from: .pending, to: .refused) { block.doorbell.ring() }
        try? SharedMemorySegment.unlink(name: request.channel)
    }

    /// Counts a rejected request and keeps its reason.
    private func reject(_ reason: String) {
        rejectedConnectCount += 1
        lastRejection = reason
        control.publishCounters(connected: pollState.active.count, accepted: serial, rejected: rejectedConnectCount)
    }
}
