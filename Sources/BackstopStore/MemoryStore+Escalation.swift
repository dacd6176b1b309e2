import BackstopCore
import Foundation

extension MemoryStore {
    public func escalationRecords(_ kind: EscalationRecordKind, ids: [String]?) async throws -> [EscalationRecord] {
        let wanted = ids.map(Set.init)
        return escalation.values.filter { $0.key.kind == kind && (wanted?.contains($0.key.id) ?? true) }.sorted { $0.sequence < $1.sequence }
    }

    public func changeEscalation(_ keys: [EscalationKey], fence: WorkFence?,
                                 _ change: @escaping @Sendable ([EscalationKey: EscalationRecord]) throws -> EscalationWrite) async throws -> [EscalationRecord]? {
        if let fence, !holds(fence) { return nil }
        let write = try change(escalation.filter { keys.contains($0.key) })
        let subscriptions = try OutboxFanOut.subscriptions(stored: escalation.values.filter { $0.key.kind == .subscription }, written: write.records)
        var written: [EscalationRecord] = []
        for (key, document) in write.records {
            escalationRevision += 1
            let sequence = escalation[key]?.sequence ?? { escalationSequence += 1; return escalationSequence }()
            let record = EscalationRecord(key: key, sequence: sequence, revision: escalationRevision, document: document)
            escalation[key] = record
            written.append(record)
        }
        for id in OutboxFanOut.deactivated(write.records) { cancelPending(of: id) }
        var fresh: [(sequence: Int64, message: OutboxMessage)] = []
        for message in write.messages where !outbox.contains(where: { $0.message.id == message.id }) {
            let entry = (sequence: (outbox.last?.sequence ?? 0) + 1, message: message)
            outbox.append(entry)
            fresh.append(entry)
        }
        for delivery in OutboxFanOut.deliveries(for: fresh, subscriptions: subscriptions) where deliveriesByID[delivery.id] == nil {
            deliveriesByID[delivery.id] = delivery
        }
        append(write.audit)
        if !written.isEmpty || !fresh.isEmpty { announce() }
        return written
    }

    public func outboxMessages(after sequence: Int64, limit: Int) async throws -> [(sequence: Int64, message: OutboxMessage)] {
        Array(outbox.filter { $0.sequence > sequence }.prefix(limit))
    }

    public func outboxMessage(id: UUID) async throws -> OutboxMessage? {
        outbox.first { $0.message.id == id }?.message
    }

    public func deliveryQueue(limit: Int) async throws -> [Delivery] {
        let pending = deliveriesByID.values.filter { $0.state == .pending }
        let heads = Dictionary(grouping: pending, by: \.subscriptionId).values.compactMap { $0.min { $0.messageSequence < $1.messageSequence } }
        return Array(heads.sorted { ($0.messageSequence, $0.subscriptionId.uuidString) < ($1.messageSequence, $1.subscriptionId.uuidString) }.prefix(limit))
    }

    public func deliveries(subscription: UUID?, state: Delivery.State?, limit: Int) async throws -> [Delivery] {
        Array(deliveriesByID.values.filter { (subscription == nil || $0.subscriptionId == subscription) && (state == nil || $0.state == state) }
            .sorted { ($0.messageSequence, $0.subscriptionId.uuidString) < ($1.messageSequence, $1.subscriptionId.uuidString) }.prefix(limit))
    }

    public func delivery(id: UUID) async throws -> Delivery? {
        deliveriesByID[id]
    }

    public func recordDelivery(_ delivery: Delivery, subscription: Subscription?, audit: [AuditDraft], fence: WorkFence) async throws -> Bool {
        guard holds(fence), deliveriesByID[delivery.id] != nil else { return false }
        deliveriesByID[delivery.id] = delivery
        if let subscription {
            let key = EscalationKey(.subscription, subscription.id.uuidString.lowercased())
            escalationRevision += 1
            escalation[key] = EscalationRecord(key: key, sequence: escalation[key]?.sequence ?? 0, revision: escalationRevision,
                                               document: try EscalationJSON.string(subscription))
            if subscription.state != .active { cancelPending(of: subscription.id) }
        }
        append(audit)
        return true
    }

    public func redeliver(id: UUID, by actor: String, at time: Date) async throws -> Delivery? {
        guard var delivery = deliveriesByID[id] else { return nil }
        delivery.state = .pending
        delivery.scheduledAttempts = 0
        delivery.nextAttemptAt = Timestamp.normalised(time)
        deliveriesByID[id] = delivery
        append([AuditDrafts.redelivered(delivery, by: actor)])
        announce()
        return delivery
    }

    private func holds(_ fence: WorkFence) -> Bool {
        guard let lease = leases[fence.lease] else { return false }
        return lease.holder == fence.holder && lease.expiresAt > Date()
    }

    private func cancelPending(of subscription: UUID) {
        for (id, delivery) in deliveriesByID where delivery.subscriptionId == subscription && delivery.state == .pending {
            deliveriesByID[id]?.state = .cancelled
        }
    }
}

extension AuditDrafts {
    public static func redelivered(_ delivery: Delivery, by actor: String) -> AuditDraft {
        AuditDraft(actor: actor, action: "delivery.redelivered", subject: "delivery/\(delivery.id.uuidString.lowercased())",
                   body: .object(["subscription": .string(delivery.subscriptionId.uuidString.lowercased()),
                                  "message": .string(delivery.messageId.uuidString.lowercased())]))
    }
}
