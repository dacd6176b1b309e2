import BackstopCore
import BackstopStore
import Foundation
import SQLiteNIO

/// The last entry of the audit log: the next entry follows it and chains to its hash.
struct AuditHead: Sendable {
    let sequence: Int64
    let hash: String
}

extension SQLiteStore {
    /// Appends entries for `drafts` inside the caller's write transaction (SQLite has one
    /// writer at a time, so the head read here is the head the entries follow).
    static func appendAudit(_ drafts: [AuditDraft], in db: SQLiteWriter) async throws {
        try await appendAudit(prepared: drafts.map(PreparedAuditDraft.init), in: db)
    }

    /// Appends entries for drafts prepared before the transaction (a batch's, on all cores).
    static func appendAudit(prepared drafts: [PreparedAuditDraft], in db: SQLiteWriter) async throws {
        guard !drafts.isEmpty else { return }
        try await db.statements { connection in
            _ = try appendAudit(prepared: drafts, after: try auditHead(on: &connection), on: &connection)
        }
    }

    /// The last entry's sequence and hash, inside the caller's write transaction.
    static func auditHead(on connection: inout WriterConnection) throws -> AuditHead? {
        try connection.rows("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", []).first.map { row in
            AuditHead(sequence: Int64(row.column("seq")?.integer ?? 0), hash: row.column("hash")?.string ?? "")
        }
    }

    /// Appends entries for `drafts` after `head` (the last entry, read in this transaction);
    /// answers the new last entry, for a next append in the same transaction.
    static func appendAudit(prepared drafts: [PreparedAuditDraft], after head: AuditHead?,
                            on connection: inout WriterConnection) throws -> AuditHead? {
        let entries = PreparedAuditDraft.chain(drafts, after: head.map { ($0.sequence, $0.hash) }, at: Date())
        for chained in entries {
            try connection.execute("INSERT INTO audit_log (seq, recorded_at_ms, actor, action, subject, body, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                   [.integer(Int(chained.sequence)), .integer(Int(Timestamp.milliseconds(chained.recordedAt))), .text(chained.actor),
                                    .text(chained.action), .text(chained.subject), .text(chained.bodyText), .text(chained.previousHash), .text(chained.hash)])
        }
        return entries.last.map { AuditHead(sequence: $0.sequence, hash: $0.hash) } ?? head
    }

    public func auditEntries(after sequence: Int64, limit: Int) async throws -> [AuditEntry] {
        try await read("SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?", [.integer(Int(sequence)), .integer(limit)]).map(Self.decodeAuditEntry)
    }

    public func auditEntries(subjects: [String], limit: Int) async throws -> [AuditEntry] {
        guard !subjects.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: subjects.count).joined(separator: ",")
        return try await read("SELECT * FROM audit_log WHERE subject IN (\(marks)) ORDER BY seq LIMIT ?",
                              subjects.map { .text($0) } + [.integer(limit)]).map(Self.decodeAuditEntry)
    }

    public func auditHead() async throws -> AuditEntry? {
        try await read("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1", []).first.map(Self.decodeAuditEntry)
    }

    public func saveCheckpoint(_ checkpoint: AuditCheckpoint) async throws {
        try await writeTransaction { db in
            _ = try await db.query(
                "INSERT OR IGNORE INTO audit_checkpoints (seq, hash, signed_at_ms, public_key, signature) VALUES (?, ?, ?, ?, ?)",
                [.integer(Int(checkpoint.sequence)), .text(checkpoint.hash), .integer(Int(Timestamp.milliseconds(checkpoint.signedAt))),
                 .text(checkpoint.publicKey), .text(checkpoint.signature)])
        }
    }

    public func auditCheckpoints() async throws -> [AuditCheckpoint] {
        try await read("SELECT * FROM audit_checkpoints ORDER BY seq", []).map { row in
            guard let seq = row.column("seq")?.integer, let hash = row.column("hash")?.string, let at = row.column("signed_at_ms")?.integer,
                  let key = row.column("public_key")?.string, let signature = row.column("signature")?.string
            else { throw StoreError.corrupt("an audit checkpoint row lacks a column") }
            return AuditCheckpoint(sequence: Int64(seq), hash: hash, signedAt: Timestamp.date(milliseconds: Int64(at)), publicKey: key, signature: signature)
        }
    }

    static func decodeAuditEntry(_ row: some SQLiteColumns) throws -> AuditEntry {
        guard let seq = row.column("seq")?.integer, let at = row.column("recorded_at_ms")?.integer, let actor = row.column("actor")?.string,
              let action = row.column("action")?.string, let subject = row.column("subject")?.string, let body = row.column("body")?.string,
              let previous = row.column("previous_hash")?.string, let hash = row.column("hash")?.string
        else { throw StoreError.corrupt("an audit log row lacks a column") }
        return try AuditEntry.decode(sequence: Int64(seq), recordedAtMilliseconds: Int64(at), actor: actor, action: action, subject: subject,
                                     bodyText: body, previousHash: previous, hash: hash)
    }
}
