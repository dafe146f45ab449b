@testable import Frames

/// The bytes of the notation: hex tokens (`0400`, `00010000`) and "quoted ASCII".
func bytes(_ notation: String) -> [UInt8] {
    var result: [UInt8] = []
    var quoted = false
    var nibble: UInt8?
    for scalar in notation.unicodeScalars {
        if scalar == "\"" {
            quoted.toggle()
        } else if quoted {
            result.append(contentsOf: String(scalar).utf8)
        } else if let digit = UInt8(String(scalar), radix: 16) {
            if let high = nibble {
                result.append(high << 4 | digit)
                nibble = nil
            } else {
                nibble = digit
            }
        }
    }
    precondition(nibble == nil && !quoted, "odd hex digits or open quote in test vector")
    return result
}

/// Runs `body` with a writer over a buffer of `capacity` bytes and returns what it wrote.
func written(
    capacity: Int = 4096, framing: Framing = .bare, _ body: (inout FrameWriter) throws -> Void
) rethrows -> [UInt8] {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 8)
    defer { buffer.deallocate() }
    var writer = FrameWriter(buffer, framing: framing)
    try body(&writer)
    return Array(writer.written)
}

/// Runs `body` over a copy of `bytes` in an allocation of exactly their size, so the views a
/// reader hands out can only point into those bytes.
@discardableResult
func withExactBytes<Result>(_ bytes: some Collection<UInt8>, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
    defer { buffer.deallocate() }
    buffer.copyBytes(from: bytes)
    return try body(UnsafeRawBufferPointer(buffer))
}

/// Reads the frame in `bytes`, or returns the error it throws.
func readFrame(_ bytes: some Collection<UInt8>) -> Result<FrameSpec, FrameError> {
    withExactBytes(bytes) { raw in
        do throws(FrameError) {
            return .success(FrameSpec(try FrameReader(validating: raw)))
        } catch {
            return .failure(error)
        }
    }
}

extension Result {
    /// The error, if this is a failure.
    var failure: Failure? {
        if case .failure(let error) = self { error } else { nil }
    }
}
