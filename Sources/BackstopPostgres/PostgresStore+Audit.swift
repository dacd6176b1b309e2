import BackstopCore
import BackstopStore
import Foundation
import PostgresNIO

extension PostgresStore {
    /// Appends entries for `drafts` inside the caller's transaction. The exclusive lock makes
    /// appenders on every node take turns until their transactions end (readers carry on), so
    /// the chain never forks; every writer takes it after its own table's lock, never before,
    /// so two writers cannot wait on each other.
    static func appendAudit(_ drafts: [AuditDraft], on connection: PostgresConnection, logger: Logger) async throws {
        try await appendAudit(prepared: drafts.map(PreparedAuditDraft.init), on: connection, logger: logger)
    }

    /// Appends entries for drafts prepared before the transaction (a batch's, on all cores).
    static func appendAudit(prepared drafts: [PreparedAuditDraft], on connection: PostgresConnection, logger: Logger) async throws {
        guard !drafts.isEmpty else { return }
        try await connection.query("LOCK TABLE audit_log IN EXCLUSIVE MODE", logger: logger)
        var head: (Int64, String)?
        for try await (sequence, hash) in try await connection.query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", logger: logger)
            .decode((Int64, String).self) {
            head = (sequence, hash)
        }
        let entries = PreparedAuditDraft.chain(drafts, after: head, at: Date())
        for chunk in entries.chunked(into: 500) {
            var binds = PostgresBindings(capacity: chunk.count * 8)
            var rows: [String] = []
            for chained in chunk {
                let n = binds.count
                binds.append(chained.sequence)
                binds.append(Timestamp.milliseconds(chained.recordedAt))
                binds.append(chained.actor)
                binds.append(chained.action)
                binds.append(chained.subject)
                binds.append(chained.bodyText)
                binds.append(chained.previousHash)
                binds.append(chained.hash)
                rows.append(Self.row(after: n, count: 8))
            }
            try await connection.query(PostgresQuery(
                unsafeSQL: "INSERT INTO audit_log (seq, recorded_at_ms, actor, action, subject, body, previous_hash, hash) VALUES " + rows.joined(separator: ","),
                binds: binds), logger: logger)
        }
    }

    public func auditEntries(after sequence: Int64, limit: Int) async throws -> [AuditEntry] {
        try await rows("audit entries", "SELECT seq, recorded_at_ms, actor, action, subject, body, previous_hash, hash FROM audit_log WHERE seq > \(sequence) ORDER BY seq LIMIT \(limit)")
            .map(Self.decodeAuditEntry)
    }

    public func auditEntries(subjects: [String], limit: Int) async throws -> [AuditEntry] {
        try await rows("audit entries", "SELECT seq, recorded_at_ms, actor, action, subject, body, previous_hash, hash FROM audit_log WHERE subject = ANY(\(subjects)) ORDER BY seq LIMIT \(limit)")
            .map(Self.decodeAuditEntry)
    }

    public func auditHead() async throws -> AuditEntry? {
        try await rows("audit head", "SELECT seq, recorded_at_ms, actor, action, subject, body, previous_hash, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .first.map(Self.decodeAuditEntry)
    }

    public func saveCheckpoint(_ checkpoint: AuditCheckpoint) async throws {
        _ = try await rows("save checkpoint", """
            INSERT INTO audit_checkpoints (seq, hash, signed_at_ms, public_key, signature)
            VALUES (\(checkpoint.sequence), \(checkpoint.hash), \(Timestamp.milliseconds(checkpoint.signedAt)), \(checkpoint.publicKey), \(checkpoint.signature))
            ON CONFLICT (seq) DO NOTHING
            """)
    }

    public func auditCheckpoints() async throws -> [AuditCheckpoint] {
        try await rows("checkpoints", "SELECT seq, hash, signed_at_ms, public_key, signature FROM audit_checkpoints ORDER BY seq").map { row in
            let (sequence, hash, at, key, signature) = try row.decode((Int64, String, Int64, String, String).self)
            return AuditCheckpoint(sequence: sequence, hash: hash, signedAt: Timestamp.date(milliseconds: at), publicKey: key, signature: signature)
        }
    }

    static func decodeAuditEntry(_ row: PostgresRow) throws -> AuditEntry {
        let (sequence, at, actor, action, subject, body, previous, hash) = try row.decode((Int64, Int64, String, String, String, String, String, String).self)
        return try AuditEntry.decode(sequence: sequence, recordedAtMilliseconds: at, actor: actor, action: action, subject: subject,
                                     bodyText: body, previousHash: previous, hash: hash)
    }
}
