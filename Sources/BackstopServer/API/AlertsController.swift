import BackstopCore
import BackstopStore
import Foundation
import HTTPTypes
import Hummingbird

/// Sectors' levels and the alerts that changed them, as JSON, CAP 1.2 and an Atom feed per
/// audience. An alert is shown to whom it was released (the public: only public alerts, also
/// without a token); the incidents it names, only those released to the reader.
struct AlertsController: Sendable {
    let store: any BackstopStore
    let board: IncidentBoard
    let now: @Sendable () -> Date

    func register(with routes: RouteRegistrar) {
        routes.add(.listSectors) { _, _, identity in try await sectors(EscalationCaller(identity: identity)) }
        routes.add(.listAlerts) { request, _, identity in try await list(request, EscalationCaller(identity: identity)) }
        routes.add(.alertFeed) { request, _, identity in try await feed(request, EscalationCaller(identity: identity)) }
        routes.add(.getAlert) { _, context, identity in try EscalationResponse.make(try await view(try await alert(context, EscalationCaller(identity: identity)), EscalationCaller(identity: identity))) }
        routes.add(.getAlertCAP) { _, context, identity in try await cap(context, EscalationCaller(identity: identity)) }
        routes.add(.drillAlert) { request, _, identity in try await drill(request, identity!) }
    }

    struct SectorView: Encodable {
        var policyId: String
        var sectorId: String
        var name: String
        var level: Int
        var levelName: String
        var since: Date?
        var alertId: UUID?
        /// The sector's outer ring, [longitude, latitude] positions (GeoJSON order), for maps.
        var outline: [[Double]]?
    }

    func sectors(_ caller: EscalationCaller) async throws -> Response {
        try EscalationResponse.make(["sectors": try await sectorViews()])
    }

    /// Every sector of every policy with its level now.
    func sectorViews() async throws -> [SectorView] {
        let states = try await store.escalationRecords(.sector, ids: nil).reduce(into: [String: SectorState]()) { result, record in
            result[record.key.id] = try record.decode(SectorState.self)
        }
        var views: [SectorView] = []
        for map in try await store.sectorMaps() {
            let policy = map.policy
            for sector in policy.sectors {
                let state = states["\(policy.id)/\(sector.id)"]
                let level = state?.level ?? 0
                views.append(SectorView(policyId: policy.id, sectorId: sector.id, name: sector.name, level: level, levelName: Alert.levelNames[level],
                                        since: state?.since, alertId: state?.alertId,
                                        outline: map.outline(of: sector.id).map { $0.map { [$0.lon, $0.lat] } }))
            }
        }
        return views
    }

    /// An alert as a reader sees it, with its place in the list and its CAP address.
    struct AlertView: Encodable {
        var sequence: Int64
        var alert: Alert
        var capUrl: String

        func encode(to encoder: any Encoder) throws {
            try alert.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(sequence, forKey: .sequence)
            try container.encode(capUrl, forKey: .capUrl)
        }

        enum Keys: String, CodingKey { case sequence, capUrl }
    }

    func visibleAlerts(_ caller: EscalationCaller) async throws -> [(Int64, Alert)] {
        try await store.escalationRecords(.alert, ids: nil).compactMap { record in
            let alert = try record.decode(Alert.self)
            return alert.release >= caller.audience ? (record.sequence, alert) : nil
        }
    }

    func view(_ entry: (Int64, Alert), _ caller: EscalationCaller) async throws -> AlertView {
        var (sequence, alert) = entry
        if !caller.insideMission {
            var shown: [UUID] = []
            for id in alert.incidentIds where (try await store.storedIncident(id: id))?.workflow.releaseLevel ?? .internal >= caller.audience {
                shown.append(id)
            }
            alert.incidentIds = shown
            alert.observationIds = []
        }
        return AlertView(sequence: sequence, alert: alert, capUrl: "/api/v1/alerts/\(alert.id.uuidString.lowercased())/cap")
    }

    func list(_ request: Request, _ caller: EscalationCaller) async throws -> Response {
        var parameters = QueryParameters(request, allowed: Endpoint.listAlerts.queryParameters)
        let (after, limit) = parameters.sequencePage()
        let sector = parameters.value("sector")
        let kind = parameters.value("kind").flatMap { raw -> Alert.Kind? in
            guard let kind = Alert.Kind(rawValue: raw) else {
                parameters.fail("kind", "unknown alert kind '\(raw)'; expected one of: \(Alert.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                return nil
            }
            return kind
        }
        let exercise = parameters.value("exercise").flatMap { raw -> Bool? in
            guard let value = Bool(raw) else {
                parameters.fail("exercise", "must be true or false")
                return nil
            }
            return value
        }
        try parameters.check()
        let matching = try await visibleAlerts(caller).filter { sequence, alert in
            sequence > after && (sector == nil || alert.sectorId == sector) && (kind == nil || alert.kind == kind)
                && (exercise == nil || alert.exercise == exercise)
        }
        var views: [AlertView] = []
        for entry in matching.prefix(limit) { views.append(try await view(entry, caller)) }
        return try EscalationResponse.make(AlertPage(alerts: views, next: matching.count > limit ? views.last?.sequence : nil))
    }

    struct AlertPage: Encodable {
        var alerts: [AlertView]
        /// The `after` of the next page; absent on the last.
        var next: Int64?
    }

    private func alert(_ context: AppRequestContext, _ caller: EscalationCaller) async throws -> (Int64, Alert) {
        let raw = context.parameters.get("id") ?? ""
        guard let id = UUID(uuidString: raw) else { throw APIError.validation(path: "id", "'\(raw)' is not a UUID") }
        guard let record = try await store.escalationRecords(.alert, ids: [id.uuidString.lowercased()]).first else {
            throw APIError.notFound("no alert \(raw)")
        }
        let alert = try record.decode(Alert.self)
        guard alert.release >= caller.audience else { throw APIError.notFound("no alert \(raw)") }
        return (record.sequence, alert)
    }

    func cap(_ context: AppRequestContext, _ caller: EscalationCaller) async throws -> Response {
        let shown = try await view(try await alert(context, caller), caller).alert
        return EscalationResponse.xml(CAPMessage(alert: shown, outline: nil).xml(), contentType: "application/cap+xml; charset=utf-8")
    }

    /// The newest 100 alerts the caller's audience may read, each linking to its CAP message.
    func feed(_ request: Request, _ caller: EscalationCaller) async throws -> Response {
        let base = Self.base(request)
        let entries = try await visibleAlerts(caller).suffix(100).reversed().map { _, alert in
            let id = alert.id.uuidString.lowercased()
            return AtomFeed.Entry(id: "urn:uuid:\(id)", title: (alert.exercise ? "EXERCISE: " : "") + alert.headline, updated: alert.raisedAt,
                                  summary: alert.reasons.joined(separator: "; "), capURL: "\(base)/api/v1/alerts/\(id)/cap")
        }
        let feed = AtomFeed(id: "urn:backstop:alerts:\(caller.audience.rawValue)", title: "Backstop alerts (\(caller.audience.rawValue))",
                            selfURL: "\(base)/api/v1/alerts/feed.atom", entries: Array(entries))
        return EscalationResponse.xml(feed.xml(), contentType: "application/atom+xml; charset=utf-8")
    }

    static func base(_ request: Request) -> String {
        "http://\(request.head.authority ?? "localhost")"
    }

    /// A drill: an exercise alert for a sector at a level, sent like any other, counted nowhere.
    func drill(_ request: Request, _ identity: Identity) async throws -> Response {
        let (body, sink) = (try await RequestBody.json(request, limit: 64 * 1024), ErrorSink())
        let reader = ObjectReader(body, path: FieldPath(), sink: sink)
        let policyID = reader?.string("policy_id", required: true, maxLength: 100)
        let sectorID = reader?.string("sector_id", required: true, maxLength: 100)
        let level = reader?.int("level", required: true, rule: .within(0...3, unit: ""))
        let note = reader?.string("note", required: true, maxLength: 2_000)
        reader?.finish()
        try sink.check()
        guard let stored = try await store.policy(id: policyID!, version: nil) else { throw APIError.validation(path: "policy_id", "no policy '\(policyID!)' is stored") }
        let policy = try stored.policy()
        guard let sector = policy.sector(sectorID!) else { throw APIError.validation(path: "sector_id", "policy \(policy.id) has no sector '\(sectorID!)'") }
        let agreement = try await policy.agreementID.asyncMap { try await store.agreement(id: $0, version: nil)?.agreement() } ?? nil
        let time = now()
        let alert = Alert(id: UUID(), kind: .drill,
                          policyId: policy.id, policyVersion: stored.version, sectorId: sector.id, sectorName: sector.name, toLevel: level,
                          reasons: ["EXERCISE — \(note!)"], raisedAt: time, exercise: true, release: policy.alertRelease,
                          area: SectorMap(policy: policy, agreement: agreement).outline(of: sector.id).map { .polygon($0) })
        let written = try await store.changeEscalation([], fence: nil) { _ in
            var write = EscalationWrite()
            try write.put(.alert, alert.id.uuidString.lowercased(), alert)
            write.audit.append(AuditDraft(actor: identity.name, action: "alert.drill", subject: "alert/\(alert.id.uuidString.lowercased())",
                                          body: .object(["sector": .string(sector.id), "level": .integer(level!), "note": .string(note!)])))
            write.messages.append(try OutboxMessage(id: OutboxMessage.id(event: alert.event, subject: "alert/\(alert.id.uuidString.lowercased())", version: "1"),
                                                    event: alert.event, subject: "alert/\(alert.id.uuidString.lowercased())", release: alert.release,
                                                    partner: nil, exercise: true, createdAt: time, data: alert))
            return write
        }
        let sequence = written?.first?.sequence ?? 0
        return try EscalationResponse.make(status: .created, try await view((sequence, alert), EscalationCaller(identity: identity)),
                                           headers: [.location: "/api/v1/alerts/\(alert.id.uuidString.lowercased())"])
    }
}
