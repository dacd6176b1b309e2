import BackstopCore
import BackstopStore
import Foundation
import Hummingbird

/// Turns `Authorization: Bearer …` into an identity and checks it against an endpoint's roles.
struct Authenticator: Sendable {
    let store: any BackstopStore

    func authorize(_ request: Request, for endpoint: Endpoint) async throws -> Identity? {
        guard let roles = endpoint.roles else { return nil }
        guard let header = request.headers[.authorization] else {
            if endpoint.admitsAnonymous { return Identity(name: "anonymous", role: .public) }
            throw Self.unauthenticated("send Authorization: Bearer <token>")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Self.unauthenticated("the Authorization header must be 'Bearer <token>'")
        }
        guard let record = try await store.token(hash: AccessTokens.hash(String(parts[1]).trimmingCharacters(in: .whitespaces))) else {
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
