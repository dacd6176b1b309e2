import Foundation

/// What escalation announces, written to the outbox in the same transaction as the change
/// that caused it. `id` is the `webhook-id`: every attempt, from any node, carries the same.
public struct OutboxMessage: Sendable, Hashable, Codable {
    public var id: UUID
    /// The event name (see `OutboxEvent`).
    public var event: String
    /// What it is about, e.g. `alert/<id>` or `guarantor-request/<id>`.
    public var subject: String
    /// The widest audience it may reach.
    public var release: ReleaseLevel
    /// The partner it is addressed to (a guarantor request), who receives it whatever the
    /// release level.
    public var partner: String?
    public var exercise: Bool
    public var createdAt: Date
    /// The body as sent: `{"type", "timestamp", "data"}` (Standard Webhooks' convention).
    public var body: String

    public init(id: UUID, event: String, subject: String, release: ReleaseLevel, partner: String?, exercise: Bool, createdAt: Date, data: some Encodable) throws {
        self.id = id
        self.event = event
        self.subject = subject
        self.release = release
        self.partner = partner
        self.exercise = exercise
        self.createdAt = Timestamp.normalised(createdAt)
        let envelope = Envelope(type: event, timestamp: self.createdAt, exercise: exercise, data: data)
        body = try EscalationJSON.string(envelope)
    }

    private struct Envelope<Data: Encodable>: Encodable {
        var type: String
        var timestamp: Date
        var exercise: Bool
        var data: Data
    }

    /// The id an event about a subject at a version gets, so writing the same decision twice
    /// (a node taking the work over) adds no second message.
    public static func id(event: String, subject: String, version: String) -> UUID {
        DerivedID.uuid(for: .object(["event": .string(event), "subject": .string(subject), "version": .string(version)]), namespace: "backstop.outbox")
    }
}

/// The events subscribers choose from.
public enum OutboxEvent {
    public static let all: [String] = Alert.Kind.allCases.map { "alert.\($0.rawValue)" }
        + ["drafted", "issued", "acknowledged", "accepted", "declined", "completed", "withdrawn", "reassigned"].map { "guarantor_request.\($0)" }
        + [ReportPublication.event]
}

/// An endpoint that receives messages: the events and audience it wants, and the secret its
/// messages are signed with (`whsec_…`, shown once when created).
public struct Subscription: Sendable, Hashable, Codable {
    public enum State: String, CaseIterable, Sendable, Codable {
        case active
        /// The receiver answered 410 Gone.
        case disabled
        case deleted
    }

    public var id: UUID
    public var url: String
    public var events: [String]
    /// The audience it belongs to: it gets messages released this wide or wider.
    public var release: ReleaseLevel
    /// Set when a partner registered it: it gets that partner's requests and what is
    /// released to partners, nothing addressed to another partner.
    public var partner: String?
    public var secret: String
    public var description: String?
    public var createdBy: String
    public var createdAt: Date
    public var state: State
    public var stateReason: String?
    public var version: Int

    public init(id: UUID, url: String, events: [String], release: ReleaseLevel, partner: String?, secret: String, description: String?,
                createdBy: String, createdAt: Date) {
        self.id = id
        self.url = url
        self.events = events
        self.release = release
        self.partner = partner
        self.secret = secret
        self.description = description
        self.createdBy = createdBy
        self.createdAt = Timestamp.normalised(createdAt)
        state = .active
        version = 1
    }

    /// Whether this subscription receives `message`.
    public func wants(_ message: OutboxMessage) -> Bool {
        guard state == .active, events.contains(message.event) else { return false }
        if let partner {
            return message.partner == partner || (message.partner == nil && message.release >= .partners)
        }
        if message.partner != nil { return release == .internal }
        return message.release >= release
    }
}

/// One message on its way to one subscription: every attempt, its status and error, and when
/// the next is due. A subscription's messages go out in order: the next waits until this one
/// is delivered or dead.
public struct Delivery: Sendable, Hashable, Codable {
    public enum State: String, CaseIterable, Sendable, Codable {
        case pending, delivered
        /// The schedule ran out; an admin may redeliver.
        case dead
        /// The subscription was disabled or deleted before it went out.
        case cancelled
    }

    public struct Attempt: Sendable, Hashable, Codable {
        public var at: Date
        public var status: Int?
        public var error: String?
        public var node: String

        public init(at: Date, status: Int?, error: String?, node: String) {
            self.at = Timestamp.normalised(at)
            self.status = status
            self.error = error
            self.node = node
        }
    }

    public var id: UUID
    public var subscriptionId: UUID
    public var messageId: UUID
    /// The message's place in the outbox: the order a subscription receives in.
    public var messageSequence: Int64
    public var event: String
    public var state: State
    public var attempts: [Attempt]
    /// Attempts since the schedule last started (a redelivery starts it again).
    public var scheduledAttempts: Int
    public var nextAttemptAt: Date?
    public var deliveredAt: Date?

    public init(subscription: UUID, message: OutboxMessage, sequence: Int64) {
        id = DerivedID.uuid(for: .object(["subscription": .string(subscription.uuidString.lowercased()), "message": .string(message.id.uuidString.lowercased())]),
                            namespace: "backstop.delivery")
        subscriptionId = subscription
        messageId = message.id
        messageSequence = sequence
        event = message.event
        state = .pending
        attempts = []
        scheduledAttempts = 0
        nextAttemptAt = message.createdAt
    }

    public var lastStatus: Int? { attempts.last?.status }
    public var lastError: String? { attempts.last?.error }
}
