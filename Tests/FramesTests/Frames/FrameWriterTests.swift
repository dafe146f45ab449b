import Testing
@testable import Frames

/// The writer checks every value and the room for the whole frame before it stores a byte.
struct FrameWriterTests {
    /// Runs `body` on a writer over `capacity` bytes that already holds a CANCEL, and returns
    /// the error it threw, checking that the writer kept only the CANCEL.
    func failure(capacity: Int = 256, framing: Framing = .bare, _ body: (inout FrameWriter) throws(FrameError) -> Void) -> FrameError? {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 8)
        defer { buffer.deallocate() }
        var writer = FrameWriter(buffer, framing: framing)
        do throws(FrameError) {
            try writer.writeCancel(streamID: 1)
            let before = Array(writer.written)
            do throws(FrameError) {
                try body(&writer)
            } catch {
                #expect(Array(writer.written) == before, "a failed write changed the buffer's written part")
                return error
            }
        } catch {
            Issue.record("the CANCEL did not fit: \(error)")
        }
        return nil
    }

    @Test("a frame that does not fit is not written at all")
    func bufferTooSmall() {
        #expect(failure(capacity: 10) { (w) throws(FrameError) in try w.writeRequestN(streamID: 1, requestN: 1) }
            == .bufferTooSmall(needed: 10, available: 4))
        #expect(failure(capacity: 14, framing: .lengthPrefixed) { (w) throws(FrameError) in try w.writeCancel(streamID: 2) }
            == .bufferTooSmall(needed: 9, available: 5))
        let header = FrameHeader(streamID: 1, type: .cancel)
        let small = UnsafeMutableRawBufferPointer.allocate(byteCount: 5, alignment: 1)
        defer { small.deallocate() }
        #expect(throws: FrameError.bufferTooSmall(needed: 6, available: 5)) { try header.encode(into: small) }
    }

    @Test("values that do not fit their fields are refused")
    func outOfRange() {
        #expect(failure { (w) throws(FrameError) in try w.writeCancel(streamID: 0x8000_0000) } == .valueOutOfRange(field: .streamID, value: 0x8000_0000))
        #expect(failure { (w) throws(FrameError) in try w.writeCancel(streamID: 0) } == .zeroValue(field: .streamID))
        #expect(failure { (w) throws(FrameError) in try w.writeRequestN(streamID: 1, requestN: 0) } == .zeroValue(field: .requestN))
        #expect(failure { (w) throws(FrameError) in try w.writeRequestStream(streamID: 1, initialRequestN: 0x8000_0000, data: [UInt8]()) }
            == .valueOutOfRange(field: .initialRequestN, value: 0x8000_0000))
        #expect(failure { (w) throws(FrameError) in try w.writeKeepalive(respond: true, lastReceivedPosition: .max) }
            == .valueOutOfRange(field: .lastReceivedPosition, value: -1))
        #expect(failure { (w) throws(FrameError) in try w.writePayload(streamID: 1, next: false, complete: false) }
            == .invalidFlags(type: .payload, flags: []))
        #expect(failure { (w) throws(FrameError) in
            try w.writeSetup(keepaliveInterval: 0, maxLifetime: 1, metadataMIMEType: "", dataMIMEType: "")
        } == .zeroValue(field: .keepaliveInterval))
        let longMIME = String(repeating: "x", count: 256)
        #expect(failure { (w) throws(FrameError) in
            try w.writeSetup(keepaliveInterval: 1, maxLifetime: 1, metadataMIMEType: "", dataMIMEType: longMIME)
        } == .valueOutOfRange(field: .dataMIMEType, value: 256))
        let header = FrameHeader(streamID: 1, type: FrameType(rawValue: 64))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 6, alignment: 1)
        defer { buffer.deallocate() }
        #expect(throws: FrameError.valueOutOfRange(field: .header, value: 64)) { try header.encode(into: buffer) }
    }

    @Test("metadata and frames beyond 2^24-1 bytes are refused")
    func tooLong() {
        let big = UnsafeMutableRawBufferPointer.allocate(byteCount: LengthPrefix.maxLength + 1, alignment: 8)
        defer { big.deallocate() }
        let bytes = UnsafeRawBufferPointer(big)
        #expect(failure { (w) throws(FrameError) in try w.writeRequestResponse(streamID: 1, metadata: bytes, data: [UInt8]()) }
            == .valueOutOfRange(field: .metadata, value: LengthPrefix.maxLength + 1))
        #expect(failure(framing: .lengthPrefixed) { (w) throws(FrameError) in
            try w.writeRequestResponse(streamID: 1, data: bytes.unsafeSlice(at: 0, count: LengthPrefix.maxLength - 5))
        } == .valueOutOfRange(field: .frameLength, value: LengthPrefix.maxLength + 1))
    }

    @Test("strings, arrays and raw bytes write the same data")
    func encodables() throws {
        let text = "héllo"
        let fromString = try written { (w) throws(FrameError) in try w.writeError(streamID: 1, code: .invalid, reason: text) }
        let fromArray = try written { (w) throws(FrameError) in try w.writeError(streamID: 1, code: .invalid, reason: Array(text.utf8)) }
        #expect(fromString == fromArray)
        #expect(fromString == bytes(#"00000001 2c00 00000204 "héllo""#))
        #expect(ErrorCode.invalid.description == "INVALID")
        #expect(ErrorCode(rawValue: 0x301).description == "0x301")
    }
}
