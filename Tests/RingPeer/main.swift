import Glibc
import PeerSupport
import Posix
import ShmRing

// A helper process for ShmRingTests: it opens a segment made by the test and plays one role.
// Usage: ring-peer ROLE ARGS...   Exit status 0 on success, 1 on a failure, 2 on bad usage.

/// Fails the peer with a message on standard error.
func fail(_ message: String, status: Int32 = 1) -> Never {
    StandardError.writeLine("ring-peer: \(message)")
    exit(status)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let role = arguments.first else { fail("usage: ring-peer ROLE ARGS...", status: 2) }

/// Argument `index` (after the role) as an integer.
func integer(_ index: Int) -> Int {
    guard index < arguments.count, let value = Int(arguments[index]) else { fail("argument \(index) must be an integer", status: 2) }
    return value
}

/// Opens the ring named by arguments 1 (segment) and 2 (region).
func openRing(many: Bool) -> RecordRing {
    guard arguments.count > 2 else { fail("usage: ring-peer \(role) NAME REGION ...", status: 2) }
    do {
        let segment = try SharedMemorySegment.open(name: arguments[1])
        return many ? try ManyToOneRing(segment: segment, region: integer(2)) : try OneToOneRing(segment: segment, region: integer(2))
    } catch {
        fail("\(error)")
    }
}

/// Writes `count` messages (forever when negative) of `length` bytes as `producer`,
/// retrying on back-pressure.
func produce(_ ring: RecordRing, producer: UInt32, count: Int, length: Int) {
    var idle = YieldingIdleStrategy()
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 8)
    defer { scratch.deallocate() }
    var sequence: UInt64 = 0
    while count < 0 || sequence < UInt64(count) {
        PeerMessage(producer: producer, sequence: sequence).encode(into: scratch)
        do {
            if try ring.write(type: 1, bytes: UnsafeRawBufferPointer(scratch)) == .written {
                sequence += 1
                idle.reset()
            } else {
                idle.idle(0)
            }
        } catch {
            fail("producer \(producer) after \(sequence) messages: \(error)", status: 3)
        }
    }
}

switch role {
case "produce":
    // produce NAME REGION many|one PRODUCER COUNT LENGTH: COUNT < 0 writes until killed.
    produce(openRing(many: arguments.count > 3 && arguments[3] == "many"),
            producer: UInt32(integer(4)), count: integer(5), length: integer(6))
case "claim-and-stop":
    // claim-and-stop NAME REGION PRODUCER COUNT: writes COUNT messages, claims one more,
    // then stops itself (SIGSTOP) before committing it; the test kills it.
    let ring = openRing(many: true)
    produce(ring, producer: UInt32(integer(3)), count: integer(4), length: PeerMessage.headerLength)
    do {
        guard let claim = try ring.tryClaim(type: 1, length: PeerMessage.headerLength) else { fail("ring full at claim") }
        claim.withUnsafeMutableBytes { PeerMessage(producer: UInt32(integer(3)), sequence: UInt64(integer(4))).encode(into: $0) }
        raise(SIGSTOP)
        claim.commit()  // never reached: the test kills this process while it is stopped
        fail("resumed after SIGSTOP; the test should have killed this process")
    } catch {
        fail("\(error)")
    }
case "create-and-exit":
    // create-and-exit NAME SIZE: creates a segment of one region and exits without unlinking
    // it, leaving a segment whose owner is dead.
    do {
        _ = try SharedMemorySegment.create(name: arguments.count > 1 ? arguments[1] : "", regionSizes: [integer(2)])
    } catch {
        fail("\(error)")
    }
default:
    fail("unknown role '\(role)'", status: 2)
}
exit(0)
