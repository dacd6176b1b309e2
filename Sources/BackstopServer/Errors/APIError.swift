import BackstopCore
import Foundation
import Hummingbird
import NIOCore

/// An error a client can cause or act on, with its status and a user-safe JSON body:
/// `{"error": code, "message": text, "errors": [{"path", "reason"}]}`.
public struct APIError: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var fieldErrors: [FieldError]
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, code: String, message: String, fieldErrors: [FieldError] = [], headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.fieldErrors = fieldErrors
        self.headers = headers
    }

    public static let validationCode = "validation_failed"

    public static func validation(_ errors: [FieldError]) -> APIError {
        APIError(.unprocessableContent, code: validationCode,
                 message: "\(errors.count) field\(errors.count == 1 ? "" : "s") refused", fieldErrors: errors)
    }

    public static func validation(path: String, _ reason: String) -> APIError {
        validation([FieldError(path: path, reason: reason)])
    }

    public static func notFound(_ what: String) -> APIError {
        APIError(.notFound, code: "not_found", message: what)
    }

    public var body: JSONValue {
        var object: [String: JSONValue] = ["error": .string(code), "message": .string(message)]
        if !fieldErrors.isEmpty {
            object["errors"] = .array(fieldErrors.map { .object(["path": .string($0.path), "reason": .string($0.reason)]) })
        }
        return .object(object)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONResponse.make(status: status, body)
        for field in headers { response.headers.append(field) }
        return response
    }
}

enum JSONResponse {
    static func make(status: HTTPResponse.Status = .ok, _ value: JSONValue, headers extra: HTTPFields = [:]) -> Response {
        make(status: status, json: value.canonicalData(), headers: extra)
    }

    /// A body written as JSON already.
    static func make(status: HTTPResponse.Status = .ok, json bytes: some Sequence<UInt8>, headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        for field in extra { headers[field.name] = field.value }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
