import BackstopCore
import Foundation

/// What escalation and publishing keep, as documents by kind: policy versions, sectors' levels,
/// alerts, guarantor requests, subscriptions, the escalation work's own cursor, the daily
/// reports (see `ReportRecords`) and the sensors (see `SensorRecords`).
public enum EscalationRecordKind: String, CaseIterable, Sendable {
    /// The latest version of a policy, by policy id.
    case policy
    /// Every version of a policy, by `<id>@<version>`.
    case policyVersion = "policy_version"
    case sector, alert, request, subscription
    /// Where the escalation work has got to, and the events it counts.
    case cursor
    /// A daily report's index (its newest and newest published version), by report id.
    case report
    /// Every version of a daily report, by `<id>@<version>`.
    case reportVersion = "report_version"
    /// How many daily reports a year has, by year: the next report's number.
    case reportCount = "report_count"
    /// A registered sensor, by id (see `SensorRecords`).
    case sensor
    /// When a sensor last reported and when it was silent, by sensor id.
    case sensorLiveness = "sensor_liveness"
    /// The key the web console signs its session cookies with, shared by every node.
    case consoleKey = "console_key"
}

public struct EscalationKey: Sendable, Hashable {
    public var kind: EscalationRecordKind
    public var id: String

    public init(_ kind: EscalationRecordKind, _ id: String) {
        self.kind = kind
        self.id = id
    }
}

/// One stored document: `sequence` is the order in which it was first written (alerts and
/// requests are listed in it), `revision` grows with every write of any record.
public struct EscalationRecord: Sendable, Hashable {
    public var key: EscalationKey
    public var sequence: Int64
    public var revision: Int64
    public var document: String

    public init(key: EscalationKey, sequence: Int64, revision: Int64, document: String) {
        self.key = key
        self.sequence = sequence
        self.revision = revision
        self.document = document
    }

    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        do {
            return try EscalationJSON.decode(type, from: document)
        } catch {
            throw StoreError.corrupt("\(key.kind.rawValue) \(key.id) is unreadable: \(error)")
        }
    }
}

/// One change: documents to write (new or replacing), its audit entries and the messages it
/// sends, all committed together or not at all.
public struct EscalationWrite: Sendable {
    public var records: [(key: EscalationKey, document: String)]
    public var audit: [AuditDraft]
    public var messages: [OutboxMessage]

    public init(records: [(key: EscalationKey, document: String)] = [], audit: [AuditDraft] = [], messages: [OutboxMessage] = []) {
        self.records = records
        self.audit = audit
        self.messages = messages
    }

    public mutating func put(_ kind: EscalationRecordKind, _ id: String, _ value: some Encodable) throws {
        records.append((EscalationKey(kind, id), try EscalationJSON.string(value)))
    }
}

/// A write that only the holder of a lease may make (a node that lost it writes nothing).
public struct WorkFence: Sendable, Hashable {
    public var lease: String
    public var holder: String

    public init(lease: String, holder: String) {
        self.lease = lease
        self.holder = holder
    }
}

/// The escalation capability: its documents, changed in transactions that also append the
/// audit entries and write the outbox.
///
/// A message written to the outbox is fanned out, in the same transaction, to a pending
/// delivery for every active subscription that wants it; a message whose id is in the outbox
/// already is not written again (a decision made twice is sent once).
public protocol EscalationRecords: Sendable {
    /// Records of one kind, all or those with these ids, in the order first written.
    func escalationRecords(_ kind: EscalationRecordKind, ids: [String]?) async throws -> [EscalationRecord]
    /// In one transaction: reads `keys` as they are now, lets `change` decide (it throws to
    /// refuse, and nothing is written), writes what it returns. With a fence, only while its
    /// holder holds the lease (nil when it does not).
    func changeEscalation(_ keys: [EscalationKey], fence: WorkFence?,
                          _ change: @escaping @Sendable ([EscalationKey: EscalationRecord]) throws -> EscalationWrite) async throws -> [EscalationRecord]?
}

/// The outbox and its deliveries, which one node at a time works through.
public protocol OutboxStore: Sendable {
    /// Messages after `sequence`, in outbox order.
    func outboxMessages(after sequence: Int64, limit: Int) async throws -> [(sequence: Int64, message: OutboxMessage)]
    func outboxMessage(id: UUID) async throws -> OutboxMessage?
    /// The next pending delivery of each subscription (its oldest message), oldest first.
    func deliveryQueue(limit: Int) async throws -> [Delivery]
    /// Deliveries in outbox order, of one subscription and/or in one state.
    func deliveries(subscription: UUID?, state: Delivery.State?, limit: Int) async throws -> [Delivery]
    func delivery(id: UUID) async throws -> Delivery?
    /// Stores a delivery after an attempt, only while the fence holds (false otherwise);
    /// `subscription`, when given, is written too (disabled by a 410), which cancels its other
    /// pending deliveries.
    func recordDelivery(_ delivery: Delivery, subscription: Subscription?, audit: [AuditDraft], fence: WorkFence) async throws -> Bool
    /// Puts a delivery back in the queue (a dead letter an admin redelivers): pending, due now,
    /// its schedule started again. Nil when there is no such delivery.
    func redeliver(id: UUID, by actor: String, at time: Date) async throws -> Delivery?
}

/// The leases of escalation's work.
public enum EscalationLeases {
    public static let escalation = "escalation-work"
    public static let delivery = "webhook-delivery"
}
