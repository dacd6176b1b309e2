import BackstopCore
import BackstopStore
import Foundation
import Hummingbird

/// Tokens for admins: who can call the API, and revoking a token (audited, effective on every
/// node from the next request). Secrets and their hashes never leave the store.
struct TokensController: Sendable {
    let store: any BackstopStore
    let now: @Sendable () -> Date

    struct TokenView: Codable, Sendable {
        var name: String
        var role: String
        var team: String?
        var createdAt: String
        var revokedAt: String?

        enum CodingKeys: String, CodingKey {
            case name, role, team
            case createdAt = "created_at"
            case revokedAt = "revoked_at"
        }

        init(_ record: AccessTokenRecord) {
            name = record.identity.name
            role = record.identity.role.rawValue
            team = record.identity.team
            createdAt = Timestamp.format(record.createdAt)
            revokedAt = record.revokedAt.map(Timestamp.format)
        }

        // Absent values are written as null, as everywhere in the API.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(role, forKey: .role)
            try container.encode(team, forKey: .team)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(revokedAt, forKey: .revokedAt)
        }
    }

    struct TokenList: Codable, Sendable {
        var tokens: [TokenView]
    }

    func register(with routes: RouteRegistrar) {
        routes.add(.listTokens) { request, _, _ in
            return try JSONResponse.make(encoding: TokenList(tokens: try await store.allTokens().map(TokenView.init)))
        }
        routes.add(.revokeToken) { request, context, identity in
            let name = context.parameters.get("name") ?? ""
            // An admin who revoked their own token would lock themselves out mid-session.
            guard name != identity?.name else {
                throw APIError(.conflict, code: "own_token", message: "a token cannot revoke itself; use another admin's token or `backstop token revoke`")
            }
            guard let revoked = try await store.revokeToken(name: name, by: identity?.name ?? "admin", at: now()) else {
                throw APIError.notFound("no token is named '\(name)'")
            }
            return try JSONResponse.make(encoding: TokenView(revoked))
        }
    }
}
