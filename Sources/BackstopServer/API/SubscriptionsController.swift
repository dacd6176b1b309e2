import BackstopCore
import BackstopStore
import Foundation
import HTTPTypes
import Hummingbird

/// Webhook subscriptions and their deliveries. The mission's admins and supervisors subscribe
/// any endpoint to any audience; a partner's liaison registers its own endpoint, which gets
/// that partner's requests and what is released to partners. The secret is shown once, in
/// the answer to the POST. Every delivery's attempts are readable; an admin redelivers a dead
/// letter.
struct SubscriptionsController: Sendable {
    let store: any BackstopStore
    let now: @Sendable () -> Date

    func register(with routes: RouteRegistrar) {
        routes.add(.createSubscription) { request, _, identity in try await create(request, identity!) }
        routes.add(.listSubscriptions) { _, _, identity in
            let all = try await store.escalationRecords(.subscription, ids: nil).map { try $0.decode(Subscription.self) }
            return try EscalationResponse.make(["subscriptions": all.filter { Self.owns(identity!, $0) && $0.state != .deleted }.map(SubscriptionView.init)])
        }
        routes.add(.getSubscription) { _, context, identity in try EscalationResponse.make(SubscriptionView(try await owned(context, identity!))) }
        routes.add(.deleteSubscription) { _, context, identity in try await delete(context, identity!) }
        routes.add(.listSubscriptionDeliveries) { request, context, identity in
            let subscription = try await owned(context, identity!)
            return try await deliveries(request, endpoint: .listSubscriptionDeliveries, subscription: subscription.id)
        }
        routes.add(.listDeliveries) { request, _, _ in try await deliveries(request, endpoint: .listDeliveries, subscription: nil) }
        routes.add(.redeliver) { _, context, identity in try await redeliver(context, identity!) }
    }

    /// A subscription as shown: everything but the secret.
    struct SubscriptionView: Encodable {
        var id: UUID
        var url: String
        var events: [String]
        var releaseLevel: ReleaseLevel
        var partner: String?
        var description: String?
        var createdBy: String
        var createdAt: Date
        var state: Subscription.State
        var stateReason: String?

        init(_ subscription: Subscription) {
            id = subscription.id
            url = subscription.url
            events = subscription.events
            releaseLevel = subscription.release
            partner = subscription.partner
            description = subscription.description
            createdBy = subscription.createdBy
            createdAt = subscription.createdAt
            state = subscription.state
            stateReason = subscription.stateReason
        }
    }

    struct Created: Encodable {
        var subscription: SubscriptionView
        /// Shown once: the receiver verifies signatures with it.
        var secret: String
    }

    static func owns(_ identity: Identity, _ subscription: Subscription) -> Bool {
        identity.role == .partner ? subscription.partner == identity.name : true
    }

    func create(_ request: Request, _ identity: Identity) async throws -> Response {
        let sink = ErrorSink()
        let reader = ObjectReader(try await RequestBody.json(request, limit: 64 * 1024), path: FieldPath(), sink: sink)
        let url = reader?.string("url", required: true, maxLength: 2_000)
        var events: [String] = []
        for (path, value) in reader?.array("events", required: true, maxCount: 50) ?? [] {
            guard let event = value.stringValue, OutboxEvent.all.contains(event) else {
                sink.add(path, "unknown event \(value.stringValue.map { "'\($0)'" } ?? value.typeName); expected one of: \(OutboxEvent.all.joined(separator: ", "))")
                continue
            }
            if !events.contains(event) { events.append(event) }
        }
        if reader?.has("events") == true, events.isEmpty, sink.isEmpty { sink.add(FieldPath("events"), "must name at least one event") }
        let release = reader?.choice("release_level", ReleaseLevel.self, noun: "release level")
        let description = reader?.string("description", maxLength: 500)
        reader?.finish()
        if let url, let problem = Self.urlProblem(url) { sink.add(FieldPath("url"), problem) }
        if identity.role == .partner, let release, release < .partners {
            sink.add(FieldPath("release_level"), "a partner's endpoint receives what is released to partners or wider, not \(release.rawValue)")
        }
        try sink.check()
        let subscription = Subscription(id: UUID(), url: url!, events: events, release: release ?? (identity.role == .partner ? .partners : .internal),
                                        partner: identity.role == .partner ? identity.name : nil, secret: StandardWebhook.generateSecret(),
                                        description: description, createdBy: identity.name, createdAt: now())
        let chosen = events
        _ = try await store.changeEscalation([], fence: nil) { _ in
            var write = EscalationWrite(audit: [AuditDraft(actor: identity.name, action: "subscription.created",
                                                           subject: "subscription/\(subscription.id.uuidString.lowercased())",
                                                           body: .object(["url": .string(subscription.url), "events": .array(chosen.map(JSONValue.string)),
                                                                          "release_level": .string(subscription.release.rawValue)]))])
            try write.put(.subscription, subscription.id.uuidString.lowercased(), subscription)
            return write
        }
        return try EscalationResponse.make(status: .created, Created(subscription: SubscriptionView(subscription), secret: subscription.secret),
                                           headers: [.location: "/api/v1/subscriptions/\(subscription.id.uuidString.lowercased())"])
    }

    /// Only absolute http(s) URLs with a host.
    static func urlProblem(_ text: String) -> String? {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else { return "is not a URL" }
        guard scheme == "http" || scheme == "https" else { return "must be an http or https URL, not \(scheme):" }
        guard let host = components.host, !host.isEmpty else { return "must name a host" }
        if components.user != nil || components.password != nil { return "must not carry a user name or password" }
        return nil
    }

    private func owned(_ context: AppRequestContext, _ identity: Identity) async throws -> Subscription {
        let id = try GuarantorRequestsController.id(context)
        guard let record = try await store.escalationRecords(.subscription, ids: [id.uuidString.lowercased()]).first,
              case let subscription = try record.decode(Subscription.self), Self.owns(identity, subscription), subscription.state != .deleted else {
            throw APIError.notFound("no subscription \(id.uuidString.lowercased())")
        }
        return subscription
    }

    func delete(_ context: AppRequestContext, _ identity: Identity) async throws -> Response {
        let subscription = try await owned(context, identity)
        let key = EscalationKey(.subscription, subscription.id.uuidString.lowercased())
        let written = try await store.changeEscalation([key], fence: nil) { current in
            guard var stored = try current[key]?.decode(Subscription.self) else { throw APIError.notFound("no subscription \(key.id)") }
            var write = EscalationWrite()
            guard stored.state != .deleted else { return write }
            stored.state = .deleted
            stored.stateReason = "deleted by \(identity.name)"
            stored.version += 1
            try write.put(.subscription, key.id, stored)
            write.audit.append(AuditDraft(actor: identity.name, action: "subscription.deleted", subject: "subscription/\(key.id)", body: .object([:])))
            return write
        }
        let shown = try written?.first.map { try $0.decode(Subscription.self) } ?? subscription
        return try EscalationResponse.make(SubscriptionView(shown))
    }

    func deliveries(_ request: Request, endpoint: Endpoint, subscription: UUID?) async throws -> Response {
        var parameters = QueryParameters(request, allowed: endpoint.queryParameters)
        let state = parameters.value("state").flatMap { raw -> Delivery.State? in
            if let state = Delivery.State(rawValue: raw) { return state }
            parameters.fail("state", "unknown delivery state '\(raw)'; expected one of: \(Delivery.State.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        let limit = parameters.int("limit", range: 1...ObservationQuery.maximumLimit) ?? ObservationQuery.defaultLimit
        try parameters.check()
        let found = try await store.deliveries(subscription: subscription, state: state, limit: limit)
        return try EscalationResponse.make(["deliveries": found.map(DeliveryView.init)])
    }

    /// A delivery with its last outcome spelled out.
    struct DeliveryView: Encodable {
        var delivery: Delivery

        func encode(to encoder: any Encoder) throws {
            try delivery.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(delivery.attempts.count, forKey: .attemptCount)
            try container.encode(delivery.lastStatus, forKey: .lastStatus)
            try container.encode(delivery.lastError, forKey: .lastError)
        }

        enum Keys: String, CodingKey { case attemptCount, lastStatus, lastError }
    }

    func redeliver(_ context: AppRequestContext, _ identity: Identity) async throws -> Response {
        let id = try GuarantorRequestsController.id(context)
        guard let delivery = try await store.delivery(id: id) else { throw APIError.notFound("no delivery \(id.uuidString.lowercased())") }
        guard delivery.state == .dead else {
            throw APIError(.conflict, code: "illegal_transition", message: "only a dead delivery is redelivered; this one is \(delivery.state.rawValue)")
        }
        guard let again = try await store.redeliver(id: id, by: identity.name, at: now()) else { throw APIError.notFound("no delivery \(id.uuidString.lowercased())") }
        return try EscalationResponse.make(DeliveryView(delivery: again))
    }
}
