import Foundation
import Hummingbird
import NIOCore

extension JSONResponse {
    /// A `Codable` answer, with sorted keys like every other answer.
    static func make(status: HTTPResponse.Status = .ok, encoding value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}
