import CRingside
import Frames
import Glibc

extension Suite {
    /// Frame and timeline-message encoding: the binary flyweights against JSON (TimelineJSONCodec),
    /// and the buffer pool against the allocator (issue #3).
    static let encoding = Suite(
        name: "encoding",
        summary: "RSocket frame headers, insert events as REQUEST_FNF frames (binary flyweight vs JSON), pooled vs malloc'd buffers",
        run: { context in try EncodingSuite(context: context).run(&context) }
    )
}

/// The cases of the `encoding` suite. Every case runs its loop on this thread, counts the
/// allocations of the timed loop, and feeds a checksum of what it read or wrote to
/// `ringside_opaque_sink_u64`, so the optimiser cannot drop the work.
private struct EncodingSuite {
    let fixture: EncodingFixture
    let pool: BufferPool
    let codec = TimelineJSONCodec()
    /// Iterations per timed run: binary and header cases, pool cases, JSON cases.
    let binaryOperations: Int
    let poolOperations: Int
    let jsonOperations: Int

    /// The buffer size of `pool-lease-return` and `alloc-free`: a typical socket write buffer.
    static let bufferSize = 4096

    init(context: SuiteContext) throws {
        fixture = try EncodingFixture()
        pool = BufferPool(bufferSize: Self.bufferSize, capacity: 16)
        binaryOperations = context.scaled(10_000_000, minimum: 10_000)
        poolOperations = context.scaled(5_000_000, minimum: 10_000)
        jsonOperations = context.scaled(100_000, minimum: 1_000)
    }

    func run(_ context: inout SuiteContext) throws {
        for _ in context.repetitions("encoding") {
            try measure(&context, "frame-header-encode", binaryOperations, headerEncode)
            try measure(&context, "frame-header-decode", binaryOperations, headerDecode)
            try measure(&context, "event-binary-encode", binaryOperations, binaryEncode)
            try measure(&context, "event-binary-decode", binaryOperations, binaryDecode)
            try measure(&context, "event-json-encode", jsonOperations, jsonEncode)
            try measure(&context, "event-json-decode", jsonOperations, jsonDecode)
            let binary = try measure(&context, "event-binary-roundtrip", binaryOperations, binaryRoundTrip)
            let json = try measure(&context, "event-json-roundtrip", jsonOperations, jsonRoundTrip)
            context.record(case: "roundtrip-binary-over-json", metric: "speedup", value: binary / json, unit: "x")
            try measure(&context, "pool-lease-return", poolOperations, poolLeaseReturn)
            try measure(&context, "shared-pool-lease-return", poolOperations, sharedPoolLeaseReturn(SharedBufferPool(bufferSize: Self.bufferSize, capacity: 16)))
            try measure(&context, "alloc-free", poolOperations, allocFree)
        }
    }

    /// Measures `operations` iterations of `body` after a brief warm-up of it, and records
    /// `ops_per_s` and `allocs_per_op` for `name`. Returns the rate.
    @discardableResult
    func measure(
        _ context: inout SuiteContext, _ name: String, _ operations: Int, _ body: (Int) throws -> UInt64
    ) throws -> Double {
        guard context.selects(name) else { return 0 }  // left out by --case
        let measured = try Measurement.run(warmUp: { ringside_opaque_sink_u64(try body(min(operations, 1_000))) }) {
            ringside_opaque_sink_u64(try body(operations))
            return operations
        }
        context.record(case: name, metric: "ops_per_s", value: measured.operationsPerSecond, unit: "ops/s")
        context.record(case: name, metric: "allocs_per_op", value: measured.allocationsPerOperation, unit: "allocs/op")
        return measured.operationsPerSecond
    }

    // MARK: Frame header

    /// Writes a 6-byte header (validated) per op, into 64 rotating slots of a pooled buffer.
    func headerEncode(_ operations: Int) throws -> UInt64 {
        var lease = pool.lease()
        let base = UInt32(truncatingIfNeeded: ringside_opaque_u64(1))
        try lease.withUnsafeMutableBytes { buffer in
            for index in 0..<operations {
                let slot = UnsafeMutableRawBufferPointer(rebasing: buffer[((index & 63) * 8)..<((index & 63) * 8 + 8)])
                let flags: FrameFlags = index & 1 == 0 ? .metadata : .follows
                try FrameHeader(streamID: (base &+ UInt32(truncatingIfNeeded: index)) & 0x7FFF_FFFF, type: .requestFireAndForget, flags: flags)
                    .encode(into: slot)
            }
        }
        return lease.withUnsafeMutableBytes { $0.load(fromByteOffset: 0, as: UInt64.self) }
    }

    /// Reads and validates the header of one of 64 pre-encoded frames per op.
    func headerDecode(_ operations: Int) throws -> UInt64 {
        var checksum: UInt64 = 0
        for index in 0..<operations {
            let header = try FrameHeader(validating: fixture.binaryFrames[index & EncodingFixture.mask])
            checksum &+= UInt64(header.streamID) &+ UInt64(header.type.rawValue) &+ UInt64(header.flags.rawValue)
        }
        return checksum
    }

    // MARK: Binary events

    /// Writes a whole REQUEST_FNF frame carrying an insert event (header and binary request,
    /// written in place) per op, back to back into a leased pool buffer, restarting at its
    /// start when it is nearly full, as a socket write buffer is filled and flushed.
    func binaryEncode(_ operations: Int) throws -> UInt64 {
        var lease = pool.lease()
        return try lease.withUnsafeMutableBytes { buffer in
            var writer = FrameWriter(buffer)
            var checksum: UInt64 = 0
            for index in 0..<operations {
                if writer.count > buffer.count - 256 {
                    checksum &+= UInt64(writer.count)
                    writer.reset()
                }
                try writer.writeRequestFireAndForget(streamID: UInt32(index & 0x7FFF) | 1, data: try fixture.request(index))
            }
            return checksum &+ UInt64(writer.count) &+ UInt64(buffer[writer.count - 1])
        }
    }

    /// Validates one of 64 pre-encoded REQUEST_FNF frames and its insert event per op, and
    /// reads the event's fields (key and member bytes, score) into the checksum.
    func binaryDecode(_ operations: Int) throws -> UInt64 {
        try decode(operations, fixture.binaryFrames, Self.readEvent)
    }

    /// Encodes an event into a frame, then validates and reads it back, per op.
    func binaryRoundTrip(_ operations: Int) throws -> UInt64 {
        try roundTrip(operations, encode: { writer, streamID, index in
            try writer.writeRequestFireAndForget(streamID: streamID, data: try fixture.request(index))
        }, read: Self.readEvent)
    }

    /// Validates a binary REQUEST_FNF frame and its event; folds the fields into a number.
    @inline(__always)
    static func readEvent(_ bytes: UnsafeRawBufferPointer) throws -> UInt64 {
        let frame = try FrameReader(validating: bytes)
        let event = try TimelineRequest(decoding: frame.unsafeData)
        return UInt64(frame.streamID) &+ UInt64(event.unsafeKey.count) &+ UInt64(event.unsafeKey[event.unsafeKey.count - 1])
            &+ UInt64(event.unsafeMember.count) &+ UInt64(event.unsafeMember[0]) &+ event.score.bitPattern
    }

    // MARK: JSON events

    /// Encodes an event with `TimelineJSONCodec` (its `TimelineJSONText` writer) and writes it as a REQUEST_FNF frame's data into a
    /// leased pool buffer, per op.
    func jsonEncode(_ operations: Int) throws -> UInt64 {
        var lease = pool.lease()
        return try lease.withUnsafeMutableBytes { buffer in
            var checksum: UInt64 = 0
            for index in 0..<operations {
                var writer = FrameWriter(buffer)
                let data = try codec.encode(fixture.json[index & EncodingFixture.mask])
                try writer.writeRequestFireAndForget(streamID: UInt32(index & 0x7FFF) | 1, data: data)
                checksum &+= UInt64(writer.count)
            }
            return checksum
        }
    }

    /// Validates one of 64 pre-encoded JSON REQUEST_FNF frames and decodes its event with
    /// `JSONDecoder` (straight from the frame's bytes), reading the same fields, per op.
    func jsonDecode(_ operations: Int) throws -> UInt64 {
        try decode(operations, fixture.jsonFrames, readJSONEvent)
    }

    /// Encodes an event as JSON into a frame, then validates and decodes it back, per op.
    func jsonRoundTrip(_ operations: Int) throws -> UInt64 {
        try roundTrip(operations, encode: { writer, streamID, index in
            try writer.writeRequestFireAndForget(streamID: streamID, data: try codec.encode(fixture.json[index & EncodingFixture.mask]))
        }, read: readJSONEvent)
    }

    /// Validates a JSON REQUEST_FNF frame and decodes its event; folds the fields into a number.
    func readJSONEvent(_ bytes: UnsafeRawBufferPointer) throws -> UInt64 {
        let frame = try FrameReader(validating: bytes)
        guard case let .insert(key, score, member) = try codec.decode(TimelineJSONRequest.self, from: frame.unsafeData) else {
            throw LabError("the JSON fixture holds only inserts")
        }
        return UInt64(frame.streamID) &+ UInt64(key.utf8.count) &+ UInt64(key.utf8.last!)
            &+ UInt64(member.utf8.count) &+ UInt64(member.utf8.first!) &+ score.bitPattern
    }

    // MARK: Decode and round trip, either encoding

    /// Validates and reads one of the 64 pre-encoded frames of `frames` per op with `read`,
    /// which folds what it read into the checksum.
    @inline(__always)
    func decode(_ operations: Int, _ frames: [UnsafeRawBufferPointer], _ read: (UnsafeRawBufferPointer) throws -> UInt64) throws -> UInt64 {
        var checksum: UInt64 = 0
        for index in 0..<operations {
            checksum &+= try read(frames[index & EncodingFixture.mask])
        }
        return checksum
    }

    /// Has `encode` write op `index`'s event as a REQUEST_FNF frame on the stream it is given
    /// into a leased pool buffer, then validates and reads it back with `read`, per op. (The
    /// frame is written in `encode`, where its data's type is known: with the data's type a
    /// generic parameter here, the binary round trip measured about 30% slower.)
    @inline(__always)
    func roundTrip(
        _ operations: Int, encode: (inout FrameWriter, _ streamID: UInt32, _ index: Int) throws -> Void,
        read: (UnsafeRawBufferPointer) throws -> UInt64
    ) throws -> UInt64 {
        var lease = pool.lease()
        return try lease.withUnsafeMutableBytes { buffer in
            var checksum: UInt64 = 0
            for index in 0..<operations {
                var writer = FrameWriter(buffer)
                try encode(&writer, UInt32(index & 0x7FFF) | 1, index)
                checksum &+= try read(writer.written)
            }
            return checksum
        }
    }

    // MARK: Buffers

    /// Leases a pool buffer, writes a byte into it, and returns it, per op.
    func poolLeaseReturn(_ operations: Int) -> UInt64 {
        leaseReturn(operations) { pool.lease() }
    }

    /// As `poolLeaseReturn`, through the shared (mutex-guarded) pool.
    func sharedPoolLeaseReturn(_ shared: SharedBufferPool) -> (Int) -> UInt64 {
        { operations in leaseReturn(operations) { shared.lease() } }
    }

    /// Takes a buffer from `lease`, writes a byte into it, and returns it to its pool, per op.
    @inline(__always)
    func leaseReturn<Pool>(_ operations: Int, _ lease: () -> BufferLease<Pool>) -> UInt64 {
        var checksum: UInt64 = 0
        for index in 0..<operations {
            var leased = lease()
            checksum &+= leased.withUnsafeMutableBytes { buffer in
                buffer[index & 1023] = UInt8(truncatingIfNeeded: index)
                return UInt64(UInt(bitPattern: buffer.baseAddress))
            }
        }
        return checksum
    }

    /// Takes a buffer of the same size from the allocator, writes a byte, frees it, per op.
    func allocFree(_ operations: Int) -> UInt64 {
        var checksum: UInt64 = 0
        for index in 0..<operations {
            guard let buffer = malloc(Self.bufferSize) else { continue }
            buffer.storeBytes(of: UInt8(truncatingIfNeeded: index), toByteOffset: index & 1023, as: UInt8.self)
            checksum &+= UInt64(UInt(bitPattern: buffer))
            free(buffer)
        }
        return checksum
    }
}
