import BackstopCore
import BackstopStore
import Foundation
import PostgresNIO

extension PostgresStore {
    public func saveAgreement(_ record: AgreementRecord, expectedVersion: Int?) async throws -> StoredAgreement {
        try await transaction("save agreement") { [logger] connection in
            let id = record.agreement.id
            // Two nodes saving the same agreement take turns, so versions never collide.
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext('agreement:' || current_schema() || ':' || \(id)))", logger: logger)
            var current = 0
            for try await version in try await connection.query(
                "SELECT COALESCE(MAX(version), 0)::int8 FROM agreement_versions WHERE agreement_id = \(id)", logger: logger).decode(Int.self) {
                current = version
            }
            if let expectedVersion, expectedVersion != current + 1 {
                throw StoreError.versionConflict(agreementID: id, current: current)
            }
            let stored = StoredAgreement(record: record, version: current + 1)
            try await connection.query("""
                INSERT INTO agreement_versions (agreement_id, version, document, saved_by, saved_at_ms)
                VALUES (\(id), \(stored.version), \(stored.documentText), \(stored.savedBy), \(Timestamp.milliseconds(stored.savedAt)))
                """, logger: logger)
            try await Self.appendAudit([AuditDrafts.agreementSaved(stored)], on: connection, logger: logger)
            try await connection.query("SELECT pg_notify(\(Self.channel), 'agreements')", logger: logger)
            return stored
        }
    }

    public func agreement(id: String, version: Int?) async throws -> StoredAgreement? {
        let found = if let version {
            try await rows("agreement", "SELECT * FROM agreement_versions WHERE agreement_id = \(id) AND version = \(version)")
        } else {
            try await rows("agreement", "SELECT * FROM agreement_versions WHERE agreement_id = \(id) ORDER BY version DESC LIMIT 1")
        }
        return try found.first.map(Self.decodeAgreement)
    }

    public func latestAgreements() async throws -> [StoredAgreement] {
        try await rows("agreements", "SELECT DISTINCT ON (agreement_id) * FROM agreement_versions ORDER BY agreement_id, version DESC")
            .map(Self.decodeAgreement)
    }

    public func allAgreementVersions() async throws -> [StoredAgreement] {
        try await rows("agreement versions", "SELECT * FROM agreement_versions ORDER BY agreement_id, version").map(Self.decodeAgreement)
    }

    public func agreementRevision() async throws -> Int {
        try await rows("agreement revision", "SELECT COUNT(*) FROM agreement_versions").first?.decode(Int.self) ?? 0
    }

    static func decodeAgreement(_ row: PostgresRow) throws -> StoredAgreement {
        let columns = row.makeRandomAccess()
        do {
            return try StoredAgreement.decode(
                id: columns["agreement_id"].decode(String.self), version: columns["version"].decode(Int.self),
                document: columns["document"].decode(String.self), savedBy: columns["saved_by"].decode(String.self),
                savedAtMilliseconds: columns["saved_at_ms"].decode(Int64.self))
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.corrupt("an agreement row is unreadable: \(error)")
        }
    }

    public func insertToken(_ token: AccessTokenRecord) async throws {
        try await transaction("insert token") { [logger] connection in
            let rows = try await connection.query("""
                INSERT INTO access_tokens (hash, name, role, team, created_at_ms, revoked_at_ms)
                VALUES (\(token.hash), \(token.identity.name), \(token.identity.role.rawValue), \(token.identity.team), \(Timestamp.milliseconds(token.createdAt)),
                        \(token.revokedAt.map(Timestamp.milliseconds)))
                ON CONFLICT DO NOTHING RETURNING hash
                """, logger: logger).collect()
            guard !rows.isEmpty else { throw StoreError.duplicateToken }
            try await Self.appendAudit([AuditDrafts.tokenCreated(token)], on: connection, logger: logger)
        }
    }

    public func token(hash: String) async throws -> AccessTokenRecord? {
        try await rows("token", "SELECT * FROM access_tokens WHERE hash = \(hash)").first.map(Self.decodeToken)
    }

    public func allTokens() async throws -> [AccessTokenRecord] {
        try await rows("tokens", "SELECT * FROM access_tokens ORDER BY name").map(Self.decodeToken)
    }

    public func tokenCount() async throws -> Int {
        try await rows("count tokens", "SELECT COUNT(*) FROM access_tokens").first?.decode(Int.self) ?? 0
    }

    static func decodeToken(_ row: PostgresRow) throws -> AccessTokenRecord {
        let columns = row.makeRandomAccess()
        // (`try?` would flatten a NULL team into a failure, hence the do/catch.)
        let hash: String, name: String, roleName: String, team: String?, createdAt: Int64, revokedAt: Int64?
        do {
            (hash, name, roleName, team, createdAt) = (try columns["hash"].decode(String.self), try columns["name"].decode(String.self),
                                                      try columns["role"].decode(String.self), try columns["team"].decode(String?.self),
                                                      try columns["created_at_ms"].decode(Int64.self))
            revokedAt = try columns["revoked_at_ms"].decode(Int64?.self)
        } catch {
            throw StoreError.corrupt("an access token row is unreadable: \(error)")
        }
        guard let role = Role(rawValue: roleName) else { throw StoreError.corrupt("an access token has an unknown role \(roleName)") }
        return AccessTokenRecord(hash: hash, identity: Identity(name: name, role: role, team: team), createdAt: Timestamp.date(milliseconds: createdAt),
                                 revokedAt: revokedAt.map(Timestamp.date(milliseconds:)))
    }

    public func revokeToken(name: String, by actor: String, at time: Date) async throws -> AccessTokenRecord? {
        try await transaction("revoke token") { [logger] connection in
            var found: AccessTokenRecord?
            for try await row in try await connection.query("SELECT * FROM access_tokens WHERE name = \(name) FOR UPDATE", logger: logger) {
                found = try Self.decodeToken(row)
            }
            guard var token = found else { return nil }
            guard token.revokedAt == nil else { return token }
            token.revokedAt = Timestamp.normalised(time)
            try await connection.query("UPDATE access_tokens SET revoked_at_ms = \(Timestamp.milliseconds(time)) WHERE name = \(name)", logger: logger)
            try await Self.appendAudit([AuditDrafts.tokenRevoked(token, by: actor)], on: connection, logger: logger)
            return token
        }
    }
}
