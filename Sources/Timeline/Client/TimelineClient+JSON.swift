#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Frames

// The JSON side of the client (`application/json`): requests encoded and answers decoded
// by Foundation's coders (a fresh pair per call: they are not thread-safe and the client is
// shared), which allocate; the binary encoding is the fast path.
extension TimelineClient {
    /// Encodes `request` as JSON and sends it.
    func sendJSON(_ request: TimelineJSONRequest, _ delivery: TimelineDelivery) throws(TimelineClientError) {
        let data = try encodeJSON(request)
        try data.withUnsafeBytes { bytes in
            Result { () throws(TimelineClientError) in try deliver(bytes, delivery) }
        }.get()
    }

    /// Sends a JSON request-response and decodes its answer.
    func requestJSON(_ request: TimelineJSONRequest) throws(TimelineClientError) -> TimelineJSONResponse {
        let data = try encodeJSON(request)
        let answer = try data.withUnsafeBytes { bytes in
            Result { () throws(TimelineClientError) in
                try self.request(bytes) { view in
                    Result { () throws(TimelineClientError) in try decodeJSON(TimelineJSONResponse.self, view.unsafeData) }
                }
            }
        }.get()
        return try answer.get()
    }

    /// The JSON of `request`.
    func encodeJSON(_ request: TimelineJSONRequest) throws(TimelineClientError) -> Data {
        do throws(TimelineCodecError) {
            return try TimelineJSONCodec().encode(request)
        } catch {
            throw TimelineClientError(error)
        }
    }

    /// A message read from the JSON in `bytes` (an answer or a tail event).
    func decodeJSON<Message: Decodable>(_ type: Message.Type, _ bytes: UnsafeRawBufferPointer) throws(TimelineClientError) -> Message {
        do throws(TimelineCodecError) {
            return try TimelineJSONCodec().decode(type, from: bytes)
        } catch {
            throw .protocolViolation("the server's JSON: \(error)")
        }
    }
}
