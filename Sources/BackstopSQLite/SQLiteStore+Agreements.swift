import BackstopCore
import BackstopStore
import Foundation
import SQLiteNIO

extension SQLiteStore {
    public func saveAgreement(_ record: AgreementRecord, expectedVersion: Int?) async throws -> StoredAgreement {
        let stored = try await insertAgreement(record, expectedVersion: expectedVersion)
        announcer.announce()
        return stored
    }

    private func insertAgreement(_ record: AgreementRecord, expectedVersion: Int?) async throws -> StoredAgreement {
        try await writeTransaction { db in
            let id = record.agreement.id
            let current = try await db.query("SELECT MAX(version) AS v FROM agreement_versions WHERE agreement_id = ?", [.text(id)])
                .first?.column("v")?.integer ?? 0
            if let expectedVersion, expectedVersion != current + 1 {
                throw StoreError.versionConflict(agreementID: id, current: current)
            }
            let stored = StoredAgreement(record: record, version: current + 1)
            _ = try await db.query(
                "INSERT INTO agreement_versions (agreement_id, version, document, saved_by, saved_at_ms) VALUES (?, ?, ?, ?, ?)",
                [.text(id), .integer(stored.version), .text(stored.documentText),
                 .text(stored.savedBy), .integer(Int(Timestamp.milliseconds(stored.savedAt)))]
            )
            try await Self.appendAudit([AuditDrafts.agreementSaved(stored)], in: db)
            return stored
        }
    }

    public func agreement(id: String, version: Int?) async throws -> StoredAgreement? {
        let rows = if let version {
            try await read("SELECT * FROM agreement_versions WHERE agreement_id = ? AND version = ?", [.text(id), .integer(version)])
        } else {
            try await read("SELECT * FROM agreement_versions WHERE agreement_id = ? ORDER BY version DESC LIMIT 1", [.text(id)])
        }
        return try rows.first.map(Self.decodeAgreement)
    }

    public func latestAgreements() async throws -> [StoredAgreement] {
        try await read("""
            SELECT a.* FROM agreement_versions a
            JOIN (SELECT agreement_id, MAX(version) AS version FROM agreement_versions GROUP BY agreement_id) latest
              ON latest.agreement_id = a.agreement_id AND latest.version = a.version
            ORDER BY a.agreement_id
            """).map(Self.decodeAgreement)
    }

    public func agreementRevision() async throws -> Int {
        try await read("SELECT COUNT(*) AS n FROM agreement_versions").first?.column("n")?.integer ?? 0
    }

    public func allAgreementVersions() async throws -> [StoredAgreement] {
        try await read("SELECT * FROM agreement_versions ORDER BY agreement_id, version").map(Self.decodeAgreement)
    }

    static func decodeAgreement(_ row: some SQLiteColumns) throws -> StoredAgreement {
        guard let id = row.column("agreement_id")?.string, let version = row.column("version")?.integer,
              let document = row.column("document")?.string, let savedBy = row.column("saved_by")?.string,
              let savedAt = row.column("saved_at_ms")?.integer
        else { throw StoreError.corrupt("an agreement row lacks a column") }
        return try StoredAgreement.decode(id: id, version: version, document: document, savedBy: savedBy, savedAtMilliseconds: Int64(savedAt))
    }

    public func insertToken(_ token: AccessTokenRecord) async throws {
        try await writeTransaction { db in
            let existing = try await db.query("SELECT hash FROM access_tokens WHERE hash = ? OR name = ?", [.text(token.hash), .text(token.identity.name)])
            guard existing.isEmpty else { throw StoreError.duplicateToken }
            _ = try await db.query(
                "INSERT INTO access_tokens (hash, name, role, team, created_at_ms, revoked_at_ms) VALUES (?, ?, ?, ?, ?, ?)",
                [.text(token.hash), .text(token.identity.name), .text(token.identity.role.rawValue),
                 token.identity.team.map { .text($0) } ?? .null, .integer(Int(Timestamp.milliseconds(token.createdAt))),
                 token.revokedAt.map { .integer(Int(Timestamp.milliseconds($0))) } ?? .null]
            )
            try await Self.appendAudit([AuditDrafts.tokenCreated(token)], in: db)
        }
    }

    public func token(hash: String) async throws -> AccessTokenRecord? {
        guard let row = try await read("SELECT * FROM access_tokens WHERE hash = ?", [.text(hash)]).first else { return nil }
        return try Self.decodeToken(row)
    }

    public func allTokens() async throws -> [AccessTokenRecord] {
        try await read("SELECT * FROM access_tokens ORDER BY name").map(Self.decodeToken)
    }

    static func decodeToken(_ row: some SQLiteColumns) throws -> AccessTokenRecord {
        guard let hash = row.column("hash")?.string, let name = row.column("name")?.string, let roleName = row.column("role")?.string,
              let role = Role(rawValue: roleName), let createdAt = row.column("created_at_ms")?.integer
        else { throw StoreError.corrupt("an access token row is unreadable") }
        return AccessTokenRecord(hash: hash, identity: Identity(name: name, role: role, team: row.column("team")?.string),
                                 createdAt: Timestamp.date(milliseconds: Int64(createdAt)),
                                 revokedAt: row.column("revoked_at_ms")?.integer.map { Timestamp.date(milliseconds: Int64($0)) })
    }

    public func revokeToken(name: String, by actor: String, at time: Date) async throws -> AccessTokenRecord? {
        try await writeTransaction { db in
            guard let row = try await db.query("SELECT * FROM access_tokens WHERE name = ?", [.text(name)]).first else { return nil }
            var token = try Self.decodeToken(row)
            guard token.revokedAt == nil else { return token }
            token.revokedAt = Timestamp.normalised(time)
            _ = try await db.query("UPDATE access_tokens SET revoked_at_ms = ? WHERE name = ?",
                                   [.integer(Int(Timestamp.milliseconds(time))), .text(name)])
            try await Self.appendAudit([AuditDrafts.tokenRevoked(token, by: actor)], in: db)
            return token
        }
    }

    public func tokenCount() async throws -> Int {
        try await read("SELECT COUNT(*) AS n FROM access_tokens").first?.column("n")?.integer ?? 0
    }
}
