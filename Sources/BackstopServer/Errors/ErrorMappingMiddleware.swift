import BackstopCore
import BackstopStore
import Foundation
import Hummingbird
import Logging
import NIOCore

/// The one place errors become responses. Everything a client can cause has its status; any
/// error nobody mapped is logged with its detail and answered with a bare 500.
struct ErrorMappingMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return try Self.map(error, logger: context.logger).response(from: request, context: context)
        }
    }

    static func code(for status: HTTPResponse.Status) -> String {
        switch status {
        case .contentTooLarge: "too_large"
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .badRequest: "bad_request"
        default: "http_error"
        }
    }

    static func map(_ error: any Error, logger: Logger) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as ValidationFailure:
            return .validation(error.errors)
        case let error as StoreError:
            switch error {
            case .conflict(let ids):
                // Worded the same whether the id is the caller's own record with other content or
                // another reporter's, so the answer says no more about others' records than it must.
                return APIError(.conflict, code: "conflict",
                                message: "these ids cannot be used for this content; a retry must send the same body with the same token, a new record needs a new random id",
                                fieldErrors: ids.map { FieldError(path: "id", reason: "\($0.uuidString.lowercased()) is taken") })
            case .versionConflict, .staleVersion:
                return APIError(.conflict, code: "version_conflict", message: error.description)
            case .duplicateToken, .notEmpty:
                return APIError(.conflict, code: "conflict", message: error.description)
            case .unavailable(let reason):
                logger.error("store unavailable", metadata: ["reason": "\(reason)"])
                return APIError(.serviceUnavailable, code: "unavailable", message: "the database is unavailable; retry shortly",
                                headers: [.retryAfter: "5"])
            case .corrupt(let reason):
                logger.critical("stored data unreadable", metadata: ["reason": "\(reason)"])
                return APIError(.internalServerError, code: "internal", message: "stored data could not be read")
            }
        case let error as HTTPError:
            let message = error.body ?? (error.status == .notFound ? "no such route" : error.status.reasonPhrase)
            return APIError(error.status, code: code(for: error.status), message: message, headers: error.headers)
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, code: "too_large", message: "the request body is larger than the server accepts")
        case let error as any HTTPResponseError:
            return APIError(error.status, code: code(for: error.status), message: error.status.reasonPhrase)
        default:
            logger.error("unmapped error", metadata: ["error": "\(String(reflecting: error))"])
            return APIError(.internalServerError, code: "internal", message: "internal error")
        }
    }
}
