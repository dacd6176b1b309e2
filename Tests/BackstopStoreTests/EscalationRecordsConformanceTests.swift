import BackstopCore
import BackstopStore
import Foundation
import Testing

/// Escalation's records and outbox on every store: documents with sequences and revisions,
/// policies versioned and audited, a message fanned out to the subscriptions that want it in
/// the same transaction (and never twice), refusals and lost leases writing nothing,
/// deliveries queued in order per subscription, recorded only under the lease, redelivered.
extension StoreConformanceTests {
    static func subscription(_ n: Int, events: [String] = ["alert.drill"], release: ReleaseLevel = .internal, partner: String? = nil) -> Subscription {
        Subscription(id: UUID(uuidString: String(format: "00000000-0000-4000-9000-%012d", n))!, url: "http://127.0.0.1:9/\(n)", events: events,
                     release: release, partner: partner, secret: StandardWebhook.generateSecret(), description: nil, createdBy: "admin", createdAt: start)
    }

    static func message(_ n: Int, event: String = "alert.drill", release: ReleaseLevel = .partners) throws -> OutboxMessage {
        try OutboxMessage(id: UUID(uuidString: String(format: "00000000-0000-4000-a000-%012d", n))!, event: event, subject: "alert/\(n)", release: release,
                          partner: nil, exercise: true, createdAt: start, data: ["n": n])
    }

    func subscribe(_ store: any BackstopStore, _ subscriptions: [Subscription]) async throws {
        _ = try await store.changeEscalation([], fence: nil) { _ in
            var write = EscalationWrite()
            for subscription in subscriptions { try write.put(.subscription, subscription.id.uuidString.lowercased(), subscription) }
            return write
        }
    }

    func send(_ store: any BackstopStore, _ messages: [OutboxMessage], fence: WorkFence? = nil) async throws -> [EscalationRecord]? {
        try await store.changeEscalation([], fence: fence) { _ in
            var write = EscalationWrite(audit: [AuditDraft(actor: "test", action: "alert.test", subject: "alert/x", body: .object([:]))], messages: messages)
            try write.put(.alert, "a-\(messages.first?.id.uuidString ?? "none")", ["n": messages.count])
            return write
        }
    }

    // MARK: Tests

    @Test(arguments: StoreKind.allCases)
    func escalationDocumentsKeepTheirFirstSequenceAndTakeANewRevisionOnEveryWrite(kind: StoreKind) async throws {
        try await withNodes(kind, 1) { (nodes: [any BackstopStore]) async throws in
            let store = nodes[0]
            let first = try #require(try await store.changeEscalation([], fence: nil) { _ in
                var write = EscalationWrite()
                try write.put(.request, "one", ["v": 1])
                try write.put(.request, "two", ["v": 1])
                return write
            })
            #expect(first.map(\.sequence) == [1, 2] && first.map(\.revision) == [1, 2])
            let key = EscalationKey(.request, "one")
            let again = try #require(try await store.changeEscalation([key], fence: nil) { current in
                #expect(current[key]?.document == #"{"v":1}"#, "the change sees the record as stored")
                var write = EscalationWrite()
                try write.put(.request, "one", ["v": 2])
                return write
            })
            #expect(again.first?.sequence == 1 && again.first?.revision == 3)
            let all = try await store.escalationRecords(.request, ids: nil)
            #expect(all.map(\.key.id) == ["one", "two"] && all.first?.document == #"{"v":2}"#)
            #expect(try await store.escalationRecords(.request, ids: ["two", "three"]).map(\.key.id) == ["two"])
            #expect(try await store.escalationRecords(.alert, ids: nil).isEmpty)

            // A refusal writes nothing, not even its audit entry.
            let head = try await store.auditHead()?.sequence ?? 0
            await #expect(throws: StoreError.self) {
                _ = try await store.changeEscalation([key], fence: nil) { _ in throw StoreError.staleVersion(what: "x", current: 1) }
            }
            #expect(try await store.auditHead()?.sequence ?? 0 == head)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func policiesAreVersionedAndAudited(kind: StoreKind) async throws {
        try await withNodes(kind, 1) { (nodes: [any BackstopStore]) async throws in
            let store = nodes[0]
            let document = try JSONValue.parse(Data(#"{"id": "p", "title": "T", "sectors": [{"id": "s", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}}], "rules": [{"id": "r", "description": "d", "window_hours": 1, "match": {"source": "monitors_under_fire"}, "levels": [{"level": 1, "at_least": 1}]}]}"#.utf8))
            let policy = try EscalationPolicyParser().parse(document)
            let one = try await store.savePolicy(document, policy: policy, savedBy: "sup", at: Self.start)
            let two = try await store.savePolicy(document, policy: policy, savedBy: "sup", at: Self.start)
            #expect(one.version == 1 && two.version == 2)
            var stale = policy
            stale.version = 2
            await #expect(throws: StoreError.staleVersion(what: "policy p", current: 2)) {
                _ = try await store.savePolicy(document, policy: stale, savedBy: "sup", at: Self.start)
            }
            #expect(try await store.policy(id: "p", version: 1)?.version == 1)
            #expect(try await store.policy(id: "p", version: nil)?.version == 2)
            #expect(try await store.latestPolicies().map(\.version) == [2])
            #expect(try await store.policy(id: "p", version: nil)?.policy().rules.count == 1)
            let audit = try await store.auditEntries(subjects: ["policy/p"], limit: 10)
            #expect(audit.map(\.action) == ["policy.saved", "policy.saved"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aMessageReachesEverySubscriptionThatWantsItOnceAndInOrder(kind: StoreKind) async throws {
        try await withNodes(kind, 1) { (nodes: [any BackstopStore]) async throws in
            let store = nodes[0]
            let wanting = Self.subscription(1)
            let elsewhere = Self.subscription(2, events: ["alert.level_change"])
            let publicOnly = Self.subscription(3, release: .public)
            try await subscribe(store, [wanting, elsewhere, publicOnly])
            _ = try await send(store, [try Self.message(1), try Self.message(2)])
            _ = try await send(store, [try Self.message(2)]) // the same message again: not sent twice
            #expect(try await store.outboxMessages(after: 0, limit: 10).map(\.sequence) == [1, 2])
            #expect(try await store.outboxMessage(id: try Self.message(2).id)?.subject == "alert/2")
            let deliveries = try await store.deliveries(subscription: nil, state: nil, limit: 10)
            #expect(deliveries.map(\.subscriptionId) == [wanting.id, wanting.id] && deliveries.map(\.messageSequence) == [1, 2])
            // The queue offers one delivery per subscription: its oldest.
            let queue = try await store.deliveryQueue(limit: 10)
            #expect(queue.map(\.messageSequence) == [1])

            // Recorded only under the delivery lease.
            var delivered = queue[0]
            delivered.state = .delivered
            delivered.attempts.append(Delivery.Attempt(at: Self.start, status: 204, error: nil, node: "n1"))
            let fence = WorkFence(lease: EscalationLeases.delivery, holder: "n1")
            #expect(try await store.recordDelivery(delivered, subscription: nil, audit: [], fence: fence) == false)
            #expect(try await store.claimLease(EscalationLeases.delivery, holder: "n1", duration: 30) != nil)
            #expect(try await store.recordDelivery(delivered, subscription: nil, audit: [], fence: fence))
            #expect(try await store.delivery(id: delivered.id)?.state == .delivered)
            #expect(try await store.delivery(id: delivered.id)?.attempts.first?.status == 204)
            #expect(try await store.deliveryQueue(limit: 10).map(\.messageSequence) == [2])

            // A dead letter, redelivered by an admin.
            var dead = try #require(try await store.deliveryQueue(limit: 10).first)
            dead.state = .dead
            dead.scheduledAttempts = 4
            #expect(try await store.recordDelivery(dead, subscription: nil, audit: [], fence: fence))
            #expect(try await store.deliveryQueue(limit: 10).isEmpty)
            #expect(try await store.deliveries(subscription: wanting.id, state: .dead, limit: 10).map(\.id) == [dead.id])
            let again = try #require(try await store.redeliver(id: dead.id, by: "admin", at: Self.start))
            #expect(again.state == .pending && again.scheduledAttempts == 0)
            #expect(try await store.deliveryQueue(limit: 10).map(\.id) == [dead.id])
            #expect(try await store.redeliver(id: UUID(), by: "admin", at: Self.start) == nil)
            #expect(try await store.auditEntries(subjects: ["delivery/\(dead.id.uuidString.lowercased())"], limit: 5).map(\.action) == ["delivery.redelivered"])

            // A subscription disabled (a 410) has its pending deliveries cancelled.
            var gone = wanting
            gone.state = .disabled
            #expect(try await store.recordDelivery(again, subscription: gone, audit: [], fence: fence))
            #expect(try await store.deliveryQueue(limit: 10).isEmpty)
            #expect(try await store.delivery(id: dead.id)?.state == .cancelled)
            _ = try await send(store, [try Self.message(3)])
            #expect(try await store.deliveries(subscription: wanting.id, state: nil, limit: 10).count == 2, "a disabled subscription gets nothing new")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aNodeThatLostItsLeaseWritesNothing(kind: StoreKind) async throws {
        try await withNodes(kind, 2) { (nodes: [any BackstopStore]) async throws in
            let (one, two) = (nodes[0], nodes[1])
            try await subscribe(one, [Self.subscription(1)])
            #expect(try await one.claimLease(EscalationLeases.escalation, holder: "node-1", duration: 0.2) != nil)
            try await Task.sleep(for: .milliseconds(400))
            #expect(try await two.claimLease(EscalationLeases.escalation, holder: "node-2", duration: 30) != nil)
            let fence = WorkFence(lease: EscalationLeases.escalation, holder: "node-1")
            #expect(try await send(one, [try Self.message(1)], fence: fence) == nil)
            #expect(try await two.outboxMessages(after: 0, limit: 10).isEmpty)
            #expect(try await two.deliveries(subscription: nil, state: nil, limit: 10).isEmpty)
            let written = try await send(two, [try Self.message(1)], fence: WorkFence(lease: EscalationLeases.escalation, holder: "node-2"))
            #expect(written?.count == 1)
            #expect(try await one.deliveryQueue(limit: 10).count == 1, "the other node reads what the holder wrote")
        }
    }
}
