import Foundation
import BackstopCore
import Hummingbird

enum RequestBody {
    /// Reads the whole body (413 past the limit) and parses it as JSON (400 when it is not).
    static func json(_ request: Request, limit: Int) async throws -> JSONValue {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw APIError(.contentTooLarge, code: "too_large", message: "the body is \(declared) bytes; the limit is \(limit)")
        }
        let buffer = try await request.body.collect(upTo: limit)
        guard buffer.readableBytes > 0 else {
            throw APIError(.badRequest, code: "empty_body", message: "the request needs a JSON body")
        }
        do {
            return try JSONValue.parse(Data(buffer.readableBytesView))
        } catch {
            throw APIError(.badRequest, code: "malformed_json", message: "the body is not valid JSON: \(JSONErrorDescription.describe(error))")
        }
    }
}
