import BackstopCore
import BackstopStore
import Foundation
import Hummingbird

/// Turns `Authorization: Bearer …` (or the console's session cookie) into an identity and
/// checks it against an endpoint's roles.
struct Authenticator: Sendable {
    let store: any BackstopStore
    let sessions: ConsoleSessions
    let now: @Sendable () -> Date

    /// The caller, and the console session when it came with one. A request carried by a
    /// session cookie that changes something must also carry the session's CSRF token (the
    /// `X-CSRF-Token` header, or for the console's own forms a field the handler checks).
    func authorize(_ request: Request, for endpoint: Endpoint) async throws -> (Identity?, ConsoleSessions.Session?) {
        guard let roles = endpoint.roles else { return (nil, try await sessions.session(from: request, now: now())) }
        guard let header = request.headers[.authorization] else {
            if let session = try await sessions.session(from: request, now: now()) {
                if ![.get, .head].contains(request.method), !endpoint.checksFormCSRF {
                    guard let sent = request.headers[ConsoleSessions.csrfHeader], ConsoleSessions.same(sent, session.csrf) else {
                        throw APIError(.forbidden, code: "csrf", message: "a change from the console must carry its X-CSRF-Token")
                    }
                }
                return (try await identity(hash: session.tokenHash, roles: roles, endpoint: endpoint), session)
            }
            if endpoint.admitsAnonymous { return (Identity(name: "anonymous", role: .public), nil) }
            throw Self.unauthenticated("send Authorization: Bearer <token>")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Self.unauthenticated("the Authorization header must be 'Bearer <token>'")
        }
        return (try await identity(hash: AccessTokens.hash(String(parts[1]).trimmingCharacters(in: .whitespaces)), roles: roles, endpoint: endpoint), nil)
    }

    private func identity(hash: String, roles: Set<Role>, endpoint: Endpoint) async throws -> Identity {
        guard let record = try await store.token(hash: hash) else {
            throw Self.unauthenticated("the token is not known")
        }
        // Read from the store on every request, so a revocation on any node holds at once everywhere.
        guard record.revokedAt == nil else { throw Self.unauthenticated("the token was revoked") }
        guard roles.contains(record.identity.role) else {
            throw APIError(.forbidden, code: "forbidden",
                           message: "role \(record.identity.role.rawValue) may not call \(endpoint.method.rawValue) \(endpoint.path)")
        }
        return record.identity
    }

    static func unauthenticated(_ message: String) -> APIError {
        APIError(.unauthorized, code: "unauthenticated", message: message, headers: [.wwwAuthenticate: "Bearer realm=\"backstop\""])
    }
}
