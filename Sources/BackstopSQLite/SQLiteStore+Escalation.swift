import BackstopCore
import BackstopStore
import Foundation
import SQLiteNIO

/// Escalation's documents, the outbox and its deliveries. Writers take turns (see
/// `writeTransaction`), so sequences and revisions numbered as MAX + 1 grow in commit order.
extension SQLiteStore {
    public func escalationRecords(_ kind: EscalationRecordKind, ids: [String]?) async throws -> [EscalationRecord] {
        do {
            return try await Self.selectRecords(kind, ids: ids, in: reader)
        } catch let error as SQLiteError {
            throw StoreError.unavailable(error.message)
        }
    }

    public func changeEscalation(_ keys: [EscalationKey], fence: WorkFence?,
                                 _ change: @escaping @Sendable ([EscalationKey: EscalationRecord]) throws -> EscalationWrite) async throws -> [EscalationRecord]? {
        let commit: EscalationCommit? = try await writeTransaction { db in
            guard try await Self.holds(fence, in: db) else { return nil }
            var current: [EscalationKey: EscalationRecord] = [:]
            for (kind, group) in Dictionary(grouping: keys, by: \.kind) {
                for record in try await Self.selectRecords(kind, ids: group.map(\.id), in: db) { current[record.key] = record }
            }
            let write = try change(current)
            // The subscriptions as this write leaves them decide who receives its messages.
            let stored = try await Self.selectRecords(.subscription, ids: nil, in: db)
            let subscriptions = try OutboxFanOut.subscriptions(stored: stored, written: write.records)
            var revision = try await Self.head("SELECT COALESCE(MAX(revision), 0) AS n FROM escalation_records", in: db)
            var sequence = try await Self.head("SELECT COALESCE(MAX(seq), 0) AS n FROM escalation_records", in: db)
            var written: [EscalationRecord] = []
            for (key, document) in write.records {
                revision += 1
                let recordSequence: Int64
                if let existing = try await Self.storedSequence(of: key, in: db) {
                    recordSequence = existing
                } else {
                    sequence += 1
                    recordSequence = sequence
                }
                let record = EscalationRecord(key: key, sequence: recordSequence, revision: revision, document: document)
                try await Self.putRecord(record, in: db)
                written.append(record)
            }
            for id in OutboxFanOut.deactivated(write.records) { try await Self.cancelPending(of: id, in: db) }
            var outboxHead = try await Self.head("SELECT COALESCE(MAX(seq), 0) AS n FROM outbox", in: db)
            var fresh: [(sequence: Int64, message: OutboxMessage)] = []
            for message in write.messages {
                // A message sent already (the same decision written twice) is not sent again.
                let id = message.id.uuidString.lowercased()
                guard try await db.query("SELECT 1 FROM outbox WHERE id = ?", [.text(id)]).isEmpty else { continue }
                outboxHead += 1
                _ = try await db.query("INSERT INTO outbox (seq, id, document) VALUES (?, ?, ?)",
                                       [.integer(Int(outboxHead)), .text(id), .text(try EscalationJSON.string(message))])
                fresh.append((sequence: outboxHead, message: message))
            }
            for delivery in OutboxFanOut.deliveries(for: fresh, subscriptions: subscriptions) {
                _ = try await db.query("""
                    INSERT INTO deliveries (id, subscription_id, message_seq, state, document) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO NOTHING
                    """, [.text(delivery.id.uuidString.lowercased()), .text(delivery.subscriptionId.uuidString.lowercased()),
                          .integer(Int(delivery.messageSequence)), .text(delivery.state.rawValue), .text(try EscalationJSON.string(delivery))])
            }
            try await Self.appendAudit(write.audit, in: db)
            return EscalationCommit(records: written, announce: !written.isEmpty || !fresh.isEmpty)
        }
        guard let commit else { return nil }
        if commit.announce { announcer.announce() }
        return commit.records
    }

    public func outboxMessages(after sequence: Int64, limit: Int) async throws -> [(sequence: Int64, message: OutboxMessage)] {
        try await read("SELECT seq, document FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", [.integer(Int(sequence)), .integer(limit)])
            .map(Self.decodeOutboxRow)
    }

    public func outboxMessage(id: UUID) async throws -> OutboxMessage? {
        try await read("SELECT seq, document FROM outbox WHERE id = ?", [.text(id.uuidString.lowercased())]).first.map(Self.decodeOutboxRow)?.message
    }

    public func deliveryQueue(limit: Int) async throws -> [Delivery] {
        try await read("""
            SELECT d.id AS id, d.state AS state, d.document AS document FROM deliveries d
            WHERE d.state = 'pending'
              AND d.message_seq = (SELECT MIN(e.message_seq) FROM deliveries e WHERE e.subscription_id = d.subscription_id AND e.state = 'pending')
            ORDER BY d.message_seq, d.subscription_id LIMIT ?
            """, [.integer(limit)]).map(Self.decodeDelivery)
    }

    public func deliveries(subscription: UUID?, state: Delivery.State?, limit: Int) async throws -> [Delivery] {
        var conditions: [String] = []
        var binds: [SQLiteData] = []
        if let subscription {
            conditions.append("subscription_id = ?")
            binds.append(.text(subscription.uuidString.lowercased()))
        }
        if let state {
            conditions.append("state = ?")
            binds.append(.text(state.rawValue))
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try await read("SELECT id, state, document FROM deliveries \(whereClause) ORDER BY message_seq, subscription_id LIMIT ?",
                              binds + [.integer(limit)]).map(Self.decodeDelivery)
    }

    public func delivery(id: UUID) async throws -> Delivery? {
        try await read("SELECT id, state, document FROM deliveries WHERE id = ?", [.text(id.uuidString.lowercased())]).first.map(Self.decodeDelivery)
    }

    public func recordDelivery(_ delivery: Delivery, subscription: Subscription?, audit: [AuditDraft], fence: WorkFence) async throws -> Bool {
        try await writeTransaction { db in
            guard try await Self.holds(fence, in: db), try await Self.updateDelivery(delivery, in: db) else { return false }
            if let subscription {
                let key = EscalationKey(.subscription, subscription.id.uuidString.lowercased())
                var sequence = try await Self.head("SELECT COALESCE(MAX(seq), 0) AS n FROM escalation_records", in: db) + 1
                if let existing = try await Self.storedSequence(of: key, in: db) { sequence = existing }
                let revision = try await Self.head("SELECT COALESCE(MAX(revision), 0) AS n FROM escalation_records", in: db) + 1
                let document = try EscalationJSON.string(subscription)
                try await Self.putRecord(EscalationRecord(key: key, sequence: sequence, revision: revision, document: document), in: db)
                if subscription.state != .active { try await Self.cancelPending(of: subscription.id, in: db) }
            }
            try await Self.appendAudit(audit, in: db)
            return true
        }
    }

    public func redeliver(id: UUID, by actor: String, at time: Date) async throws -> Delivery? {
        let redelivered: Delivery? = try await writeTransaction { db in
            guard let row = try await db.query("SELECT id, state, document FROM deliveries WHERE id = ?", [.text(id.uuidString.lowercased())]).first
            else { return nil }
            var delivery = try Self.decodeDelivery(row)
            delivery.state = .pending
            delivery.scheduledAttempts = 0
            delivery.nextAttemptAt = Timestamp.normalised(time)
            _ = try await Self.updateDelivery(delivery, in: db)
            try await Self.appendAudit([AuditDrafts.redelivered(delivery, by: actor)], in: db)
            return delivery
        }
        if redelivered != nil { announcer.announce() }
        return redelivered
    }

    /// Whether the fence's holder holds its lease now (always true without a fence).
    static func holds(_ fence: WorkFence?, in db: SQLiteWriter) async throws -> Bool {
        guard let fence else { return true }
        let held = try await db.query("SELECT 1 FROM work_leases WHERE name = ? AND holder = ? AND expires_at_ms > ?",
                                      [.text(fence.lease), .text(fence.holder), .integer(Int(Timestamp.milliseconds(Date())))])
        return !held.isEmpty
    }

    /// The one value (named `n`) that `sql` selects.
    private static func head(_ sql: String, in db: SQLiteWriter) async throws -> Int64 {
        Int64(try await db.query(sql).first?.column("n")?.integer ?? 0)
    }

    static func selectRecords(_ kind: EscalationRecordKind, ids: [String]?, in db: some SQLiteStatements) async throws -> [EscalationRecord] {
        let select = "SELECT kind, id, seq, revision, document FROM escalation_records WHERE kind = ?"
        guard let ids else {
            return try await db.query("\(select) ORDER BY seq", [.text(kind.rawValue)]).map(Self.decodeEscalationRecord)
        }
        var records: [EscalationRecord] = []
        for chunk in Array(Set(ids)).chunked(into: 500) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            records += try await db.query("\(select) AND id IN (\(marks))", [SQLiteData.text(kind.rawValue)] + chunk.map { SQLiteData.text($0) })
                .map(Self.decodeEscalationRecord)
        }
        return records.sorted { $0.sequence < $1.sequence }
    }

    private static func storedSequence(of key: EscalationKey, in db: SQLiteWriter) async throws -> Int64? {
        try await db.query("SELECT seq FROM escalation_records WHERE kind = ? AND id = ?", [.text(key.kind.rawValue), .text(key.id)])
            .first?.column("seq")?.integer.map { Int64($0) }
    }

    /// Writes a record, keeping the sequence of one stored already.
    private static func putRecord(_ record: EscalationRecord, in db: SQLiteWriter) async throws {
        _ = try await db.query("""
            INSERT INTO escalation_records (kind, id, seq, revision, document) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (kind, id) DO UPDATE SET revision = excluded.revision, document = excluded.document
            """, [.text(record.key.kind.rawValue), .text(record.key.id), .integer(Int(record.sequence)), .integer(Int(record.revision)),
                  .text(record.document)])
    }

    /// Cancels a subscription's pending deliveries. Only the `state` column changes: it is the
    /// state a delivery is read with (see `decodeDelivery`).
    private static func cancelPending(of subscription: UUID, in db: SQLiteWriter) async throws {
        _ = try await db.query("UPDATE deliveries SET state = ? WHERE subscription_id = ? AND state = ?",
                               [.text(Delivery.State.cancelled.rawValue), .text(subscription.uuidString.lowercased()), .text(Delivery.State.pending.rawValue)])
    }

    /// Stores a delivery over its row; false when there is none.
    private static func updateDelivery(_ delivery: Delivery, in db: SQLiteWriter) async throws -> Bool {
        let updated = try await db.query("UPDATE deliveries SET state = ?, document = ? WHERE id = ? RETURNING id",
                                         [.text(delivery.state.rawValue), .text(try EscalationJSON.string(delivery)), .text(delivery.id.uuidString.lowercased())])
        return !updated.isEmpty
    }

    static func decodeEscalationRecord(_ row: some SQLiteColumns) throws -> EscalationRecord {
        guard let kindName = row.column("kind")?.string, let id = row.column("id")?.string, let sequence = row.column("seq")?.integer,
              let revision = row.column("revision")?.integer, let document = row.column("document")?.string
        else { throw StoreError.corrupt("an escalation record row lacks a column") }
        guard let kind = EscalationRecordKind(rawValue: kindName) else { throw StoreError.corrupt("escalation record \(id) is of an unknown kind \(kindName)") }
        return EscalationRecord(key: EscalationKey(kind, id), sequence: Int64(sequence), revision: Int64(revision), document: document)
    }

    static func decodeOutboxRow(_ row: some SQLiteColumns) throws -> (sequence: Int64, message: OutboxMessage) {
        guard let sequence = row.column("seq")?.integer, let document = row.column("document")?.string else {
            throw StoreError.corrupt("an outbox row lacks a column")
        }
        do {
            return (sequence: Int64(sequence), message: try EscalationJSON.decode(OutboxMessage.self, from: document))
        } catch {
            throw StoreError.corrupt("outbox message \(sequence) is unreadable: \(error)")
        }
    }

    /// A delivery as stored, in the state its `state` column says.
    static func decodeDelivery(_ row: some SQLiteColumns) throws -> Delivery {
        guard let id = row.column("id")?.string, let stateName = row.column("state")?.string, let document = row.column("document")?.string else {
            throw StoreError.corrupt("a delivery row lacks a column")
        }
        guard let state = Delivery.State(rawValue: stateName) else { throw StoreError.corrupt("delivery \(id) is in an unknown state \(stateName)") }
        var delivery: Delivery
        do {
            delivery = try EscalationJSON.decode(Delivery.self, from: document)
        } catch {
            throw StoreError.corrupt("delivery \(id) is unreadable: \(error)")
        }
        delivery.state = state
        return delivery
    }
}

/// What a change committed, and whether it is news to the nodes following the store.
private struct EscalationCommit: Sendable {
    var records: [EscalationRecord]
    var announce: Bool
}
