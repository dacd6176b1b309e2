import Foundation
import BackstopCore
import Hummingbird

enum RequestBody {
    /// Reads the whole body (413 past the limit) and parses it strictly as JSON (400 when it is
    /// not, naming the path of a duplicated key). The body must be declared as JSON and sent
    /// as is: anything else is 415, since reading it as JSON anyway would store what the client
    /// did not mean to send.
    static func json(_ request: Request, limit: Int) async throws -> JSONValue {
        let data = try await bytes(request, limit: limit)
        do {
            return try JSONValue.parse(data)
        } catch {
            throw malformed(error)
        }
    }

    /// Read like `json`, but the elements of a top-level array under `key` are left to the
    /// caller to parse (see `StrictJSONParser.parse(_:deferringElementsOf:)`); nil elements
    /// when the body has no such array.
    static func json(_ request: Request, limit: Int, deferringElementsOf key: String) async throws -> (root: JSONValue, elements: StrictJSONParser.DeferredElements?) {
        let data = try await bytes(request, limit: limit)
        do {
            return try StrictJSONParser.parse(data, deferringElementsOf: key)
        } catch {
            throw malformed(error)
        }
    }

    /// The answer to a body that is not JSON: 400, naming where it went wrong.
    static func malformed(_ error: JSONSyntaxError) -> APIError {
        APIError(.badRequest, code: "malformed_json", message: "the body is not valid JSON: \(error.description)",
                 fieldErrors: [FieldError(path: error.path, reason: error.reason)])
    }

    /// The whole body, declared as JSON and within the limit (413 past it).
    private static func bytes(_ request: Request, limit: Int) async throws -> Data {
        try checkMediaType(request)
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw APIError(.contentTooLarge, code: "too_large", message: "the body is \(declared) bytes; the limit is \(limit)")
        }
        let buffer = try await request.body.collect(upTo: limit)
        guard buffer.readableBytes > 0 else {
            throw APIError(.badRequest, code: "empty_body", message: "the request needs a JSON body")
        }
        return Data(buffer.readableBytesView)
    }

    /// A body for a step that needs none: nil when it is empty (whatever the headers say),
    /// otherwise read like `json`.
    static func optionalJSON(_ request: Request, limit: Int) async throws -> JSONValue? {
        let buffer = try await request.body.collect(upTo: limit)
        guard buffer.readableBytes > 0 else { return nil }
        try checkMediaType(request)
        do {
            return try JSONValue.parse(Data(buffer.readableBytesView))
        } catch {
            throw malformed(error)
        }
    }

    /// `application/json` or a `+json` type, with any parameters; no content coding.
    static func checkMediaType(_ request: Request) throws {
        if let encoding = request.headers[.contentEncoding]?.trimmingCharacters(in: .whitespaces).lowercased(),
           !encoding.isEmpty, encoding != "identity" {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type",
                           message: "Content-Encoding '\(encoding)' is not accepted; send the body uncompressed",
                           fieldErrors: [FieldError(path: "Content-Encoding", reason: "must be absent or identity")])
        }
        guard let declared = request.headers[.contentType] else {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type",
                           message: "the request needs Content-Type: application/json",
                           fieldErrors: [FieldError(path: "Content-Type", reason: "is missing; expected application/json")])
        }
        let essence = declared.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard essence == "application/json" || (essence.hasPrefix("application/") && essence.hasSuffix("+json")) else {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type",
                           message: "Content-Type '\(declared)' is not accepted; send application/json",
                           fieldErrors: [FieldError(path: "Content-Type", reason: "'\(declared)' is not application/json")])
        }
    }
}
