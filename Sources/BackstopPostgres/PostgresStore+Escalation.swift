import BackstopCore
import BackstopStore
import Foundation
import PostgresNIO

/// Escalation's documents, the outbox and its deliveries. Writers of escalation records take
/// turns at a table lock (readers carry on), so sequences and revisions numbered as MAX + 1 grow
/// in commit order. Locks are taken in one order, the lease row, `escalation_records`, delivery
/// rows, `audit_log`, so two writers never wait on each other. Ids are text and sorted bytewise
/// (`COLLATE "C"`), so deliveries list in the order the other stores give.
extension PostgresStore {
    public func escalationRecords(_ kind: EscalationRecordKind, ids: [String]?) async throws -> [EscalationRecord] {
        try await Self.selectRecords(kind, ids: ids) { query in try await self.rows("escalation records", query) }
    }

    public func changeEscalation(_ keys: [EscalationKey], fence: WorkFence?,
                                 _ change: @escaping @Sendable ([EscalationKey: EscalationRecord]) throws -> EscalationWrite) async throws -> [EscalationRecord]? {
        try await transaction("change escalation") { [logger] connection in
            // Waiting for the locks below must end (and roll back) before the store's own time
            // limit answers 503, or a change reported as failed could still commit later.
            try await connection.query("SET LOCAL lock_timeout = '4s'", logger: logger)
            guard try await Self.holds(fence, on: connection, logger: logger) else { return nil }
            try await connection.query("LOCK TABLE escalation_records IN EXCLUSIVE MODE", logger: logger)
            let query: (PostgresQuery) async throws -> [PostgresRow] = { try await connection.query($0, logger: logger).collect() }
            var current: [EscalationKey: EscalationRecord] = [:]
            for (kind, group) in Dictionary(grouping: keys, by: \.kind) {
                for record in try await Self.selectRecords(kind, ids: group.map(\.id), query: query) { current[record.key] = record }
            }
            let write = try change(current)
            // The subscriptions as this write leaves them decide who receives its messages.
            let stored = try await Self.selectRecords(.subscription, ids: nil, query: query)
            let subscriptions = try OutboxFanOut.subscriptions(stored: stored, written: write.records)
            var revision = try await Self.head("SELECT COALESCE(MAX(revision), 0)::int8 FROM escalation_records", query: query)
            var sequence = try await Self.head("SELECT COALESCE(MAX(seq), 0)::int8 FROM escalation_records", query: query)
            var written: [EscalationRecord] = []
            for (key, document) in write.records {
                revision += 1
                let recordSequence: Int64
                if let existing = try await Self.storedSequence(of: key, query: query) {
                    recordSequence = existing
                } else {
                    sequence += 1
                    recordSequence = sequence
                }
                let record = EscalationRecord(key: key, sequence: recordSequence, revision: revision, document: document)
                try await Self.putRecord(record, query: query)
                written.append(record)
            }
            for id in OutboxFanOut.deactivated(write.records) { try await Self.cancelPending(of: id, query: query) }
            var outboxHead = try await Self.head("SELECT COALESCE(MAX(seq), 0)::int8 FROM outbox", query: query)
            var fresh: [(sequence: Int64, message: OutboxMessage)] = []
            for message in write.messages {
                // A message sent already (the same decision written twice) is not sent again.
                let id = message.id.uuidString.lowercased()
                guard try await query("SELECT 1 FROM outbox WHERE id = \(id)").isEmpty else { continue }
                outboxHead += 1
                let document = try EscalationJSON.string(message)
                _ = try await query("INSERT INTO outbox (seq, id, document) VALUES (\(outboxHead), \(id), \(document))")
                fresh.append((sequence: outboxHead, message: message))
            }
            for delivery in OutboxFanOut.deliveries(for: fresh, subscriptions: subscriptions) {
                let document = try EscalationJSON.string(delivery)
                _ = try await query("""
                    INSERT INTO deliveries (id, subscription_id, message_seq, state, document)
                    VALUES (\(delivery.id.uuidString.lowercased()), \(delivery.subscriptionId.uuidString.lowercased()), \(delivery.messageSequence),
                            \(delivery.state.rawValue), \(document))
                    ON CONFLICT (id) DO NOTHING
                    """)
            }
            try await Self.appendAudit(write.audit, on: connection, logger: logger)
            if !written.isEmpty || !fresh.isEmpty { try await connection.query("SELECT pg_notify(\(Self.channel), 'escalation')", logger: logger) }
            return written
        }
    }

    public func outboxMessages(after sequence: Int64, limit: Int) async throws -> [(sequence: Int64, message: OutboxMessage)] {
        try await rows("outbox", "SELECT seq, document FROM outbox WHERE seq > \(sequence) ORDER BY seq LIMIT \(limit)").map(Self.decodeOutboxRow)
    }

    public func outboxMessage(id: UUID) async throws -> OutboxMessage? {
        try await rows("outbox message", "SELECT seq, document FROM outbox WHERE id = \(id.uuidString.lowercased())").first.map(Self.decodeOutboxRow)?.message
    }

    public func deliveryQueue(limit: Int) async throws -> [Delivery] {
        try await rows("delivery queue", """
            SELECT d.id, d.state, d.document FROM deliveries d
            WHERE d.state = 'pending'
              AND d.message_seq = (SELECT MIN(e.message_seq) FROM deliveries e WHERE e.subscription_id = d.subscription_id AND e.state = 'pending')
            ORDER BY d.message_seq, d.subscription_id COLLATE "C" LIMIT \(limit)
            """).map(Self.decodeDelivery)
    }

    public func deliveries(subscription: UUID?, state: Delivery.State?, limit: Int) async throws -> [Delivery] {
        var conditions: [String] = []
        var binds = PostgresBindings()
        func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        if let subscription { conditions.append("subscription_id = \(bind(subscription.uuidString.lowercased()))") }
        if let state { conditions.append("state = \(bind(state.rawValue))") }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let limit = bind(limit)
        return try await rows("deliveries", PostgresQuery(
            unsafeSQL: "SELECT id, state, document FROM deliveries \(whereClause) ORDER BY message_seq, subscription_id COLLATE \"C\" LIMIT \(limit)",
            binds: binds)).map(Self.decodeDelivery)
    }

    public func delivery(id: UUID) async throws -> Delivery? {
        try await rows("delivery", "SELECT id, state, document FROM deliveries WHERE id = \(id.uuidString.lowercased())").first.map(Self.decodeDelivery)
    }

    public func recordDelivery(_ delivery: Delivery, subscription: Subscription?, audit: [AuditDraft], fence: WorkFence) async throws -> Bool {
        try await transaction("record delivery") { [logger] connection in
            try await connection.query("SET LOCAL lock_timeout = '4s'", logger: logger)
            guard try await Self.holds(fence, on: connection, logger: logger) else { return false }
            // Before the delivery's row, in the order `changeEscalation` takes them.
            if subscription != nil { try await connection.query("LOCK TABLE escalation_records IN EXCLUSIVE MODE", logger: logger) }
            let query: (PostgresQuery) async throws -> [PostgresRow] = { try await connection.query($0, logger: logger).collect() }
            guard try await Self.updateDelivery(delivery, query: query) else { return false }
            if let subscription {
                let key = EscalationKey(.subscription, subscription.id.uuidString.lowercased())
                var sequence = try await Self.head("SELECT COALESCE(MAX(seq), 0)::int8 FROM escalation_records", query: query) + 1
                if let existing = try await Self.storedSequence(of: key, query: query) { sequence = existing }
                let revision = try await Self.head("SELECT COALESCE(MAX(revision), 0)::int8 FROM escalation_records", query: query) + 1
                let document = try EscalationJSON.string(subscription)
                try await Self.putRecord(EscalationRecord(key: key, sequence: sequence, revision: revision, document: document), query: query)
                if subscription.state != .active { try await Self.cancelPending(of: subscription.id, query: query) }
            }
            try await Self.appendAudit(audit, on: connection, logger: logger)
            return true
        }
    }

    public func redeliver(id: UUID, by actor: String, at time: Date) async throws -> Delivery? {
        try await transaction("redeliver") { [logger] connection in
            try await connection.query("SET LOCAL lock_timeout = '4s'", logger: logger)
            let found = try await connection.query("SELECT id, state, document FROM deliveries WHERE id = \(id.uuidString.lowercased()) FOR UPDATE",
                                                   logger: logger).collect()
            guard let row = found.first else { return nil }
            var delivery = try Self.decodeDelivery(row)
            delivery.state = .pending
            delivery.scheduledAttempts = 0
            delivery.nextAttemptAt = Timestamp.normalised(time)
            _ = try await Self.updateDelivery(delivery) { try await connection.query($0, logger: logger).collect() }
            try await Self.appendAudit([AuditDrafts.redelivered(delivery, by: actor)], on: connection, logger: logger)
            try await connection.query("SELECT pg_notify(\(Self.channel), 'escalation')", logger: logger)
            return delivery
        }
    }

    /// Whether the fence's holder holds its lease now (always true without a fence). The row
    /// lock fences the write (see `recordFindings`).
    static func holds(_ fence: WorkFence?, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        guard let fence else { return true }
        let held = try await connection.query("""
            SELECT 1 FROM work_leases WHERE name = \(fence.lease) AND holder = \(fence.holder) AND expires_at > clock_timestamp() FOR UPDATE
            """, logger: logger).collect()
        return !held.isEmpty
    }

    /// The one BIGINT that `sql` selects.
    private static func head(_ sql: PostgresQuery, query: (PostgresQuery) async throws -> [PostgresRow]) async throws -> Int64 {
        guard let row = try await query(sql).first else { return 0 }
        return try row.decode(Int64.self)
    }

    /// Records of one kind, all or those with `ids`, in sequence order; `query` runs a
    /// statement (in the caller's transaction or on the pool).
    static func selectRecords(_ kind: EscalationRecordKind, ids: [String]?,
                              query: (PostgresQuery) async throws -> [PostgresRow]) async throws -> [EscalationRecord] {
        guard let ids else {
            return try await query("SELECT kind, id, seq, revision, document FROM escalation_records WHERE kind = \(kind.rawValue) ORDER BY seq")
                .map(Self.decodeEscalationRecord)
        }
        var records: [EscalationRecord] = []
        for chunk in Array(Set(ids)).chunked(into: 500) {
            records += try await query("SELECT kind, id, seq, revision, document FROM escalation_records WHERE kind = \(kind.rawValue) AND id = ANY(\(Array(chunk)))")
                .map(Self.decodeEscalationRecord)
        }
        return records.sorted { $0.sequence < $1.sequence }
    }

    private static func storedSequence(of key: EscalationKey, query: (PostgresQuery) async throws -> [PostgresRow]) async throws -> Int64? {
        guard let row = try await query("SELECT seq FROM escalation_records WHERE kind = \(key.kind.rawValue) AND id = \(key.id)").first else { return nil }
        return try row.decode(Int64.self)
    }

    /// Writes a record, keeping the sequence of one stored already.
    private static func putRecord(_ record: EscalationRecord, query: (PostgresQuery) async throws -> [PostgresRow]) async throws {
        _ = try await query("""
            INSERT INTO escalation_records (kind, id, seq, revision, document)
            VALUES (\(record.key.kind.rawValue), \(record.key.id), \(record.sequence), \(record.revision), \(record.document))
            ON CONFLICT (kind, id) DO UPDATE SET revision = excluded.revision, document = excluded.document
            """)
    }

    /// Cancels a subscription's pending deliveries. Only the `state` column changes: it is the
    /// state a delivery is read with (see `decodeDelivery`).
    private static func cancelPending(of subscription: UUID, query: (PostgresQuery) async throws -> [PostgresRow]) async throws {
        _ = try await query("UPDATE deliveries SET state = 'cancelled' WHERE subscription_id = \(subscription.uuidString.lowercased()) AND state = 'pending'")
    }

    /// Stores a delivery over its row; false when there is none.
    private static func updateDelivery(_ delivery: Delivery, query: (PostgresQuery) async throws -> [PostgresRow]) async throws -> Bool {
        let document = try EscalationJSON.string(delivery)
        let updated = try await query("""
            UPDATE deliveries SET state = \(delivery.state.rawValue), document = \(document) WHERE id = \(delivery.id.uuidString.lowercased()) RETURNING id
            """)
        return !updated.isEmpty
    }

    static func decodeEscalationRecord(_ row: PostgresRow) throws -> EscalationRecord {
        let (kindName, id, sequence, revision, document): (String, String, Int64, Int64, String)
        do { (kindName, id, sequence, revision, document) = try row.decode((String, String, Int64, Int64, String).self) } catch {
            throw StoreError.corrupt("an escalation record row is unreadable: \(error)")
        }
        guard let kind = EscalationRecordKind(rawValue: kindName) else { throw StoreError.corrupt("escalation record \(id) is of an unknown kind \(kindName)") }
        return EscalationRecord(key: EscalationKey(kind, id), sequence: sequence, revision: revision, document: document)
    }

    static func decodeOutboxRow(_ row: PostgresRow) throws -> (sequence: Int64, message: OutboxMessage) {
        let (sequence, document): (Int64, String)
        do { (sequence, document) = try row.decode((Int64, String).self) } catch {
            throw StoreError.corrupt("an outbox row is unreadable: \(error)")
        }
        do {
            return (sequence: sequence, message: try EscalationJSON.decode(OutboxMessage.self, from: document))
        } catch {
            throw StoreError.corrupt("outbox message \(sequence) is unreadable: \(error)")
        }
    }

    /// A delivery as stored, in the state its `state` column says.
    static func decodeDelivery(_ row: PostgresRow) throws -> Delivery {
        let (id, stateName, document): (String, String, String)
        do { (id, stateName, document) = try row.decode((String, String, String).self) } catch {
            throw StoreError.corrupt("a delivery row is unreadable: \(error)")
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
