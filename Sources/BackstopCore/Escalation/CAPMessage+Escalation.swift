import BackstopGeo
import Foundation

extension CAPMessage {
    public static let sender = "backstop@ceasefire-mission"

    public static func identifier(alert id: UUID) -> String { "backstop-alert-\(id.uuidString.lowercased())" }
    public static func identifier(request id: UUID, version: Int?) -> String {
        "backstop-request-\(id.uuidString.lowercased())" + (version.map { "-v\($0)" } ?? "")
    }

    /// An alert as CAP: `Alert` for a sector's first change, `Update` referencing the change
    /// before it, `Cancel` when the sector returns to calm; `Public` only when released to the
    /// public, otherwise `Restricted`.
    public init(alert: Alert, outline: [GeoPoint]?) {
        let level = alert.toLevel ?? 0
        var type: MessageType = alert.references == nil ? .alert : .update
        if alert.kind == .levelChange, level == 0, alert.references != nil { type = .cancel }
        let references = zip([alert.references], [alert.referencedAt]).compactMap { id, at in
            id.flatMap { id in at.map { Self.reference(sender: Self.sender, identifier: Self.identifier(alert: id), sent: $0) } }
        }
        var parameters: [(String, String)] = [("alert_kind", alert.kind.rawValue), ("policy", "\(alert.policyId) v\(alert.policyVersion)")]
        if let sector = alert.sectorId { parameters.append(("sector", sector)) }
        if let from = alert.fromLevel { parameters.append(("level_from", String(from))) }
        if let to = alert.toLevel { parameters.append(("level_to", String(to))) }
        if let request = alert.requestId { parameters.append(("guarantor_request", request.uuidString.lowercased())) }
        if let sensor = alert.sensorId { parameters.append(("sensor", sensor)) }
        for incident in alert.incidentIds { parameters.append(("incident", incident.uuidString.lowercased())) }
        let event = switch alert.kind {
        case .deadlineMissed: "Guarantor deadline missed"
        case .sensorSilent: "Monitoring sensor silent"
        case .levelChange, .drill: "Ceasefire sector alert level"
        }
        self.init(
            identifier: Self.identifier(alert: alert.id), sender: Self.sender, sent: alert.raisedAt, exercise: alert.exercise || alert.kind == .drill,
            messageType: type, restriction: Self.restriction(alert.release), references: references,
            event: event,
            urgency: level >= 2 || alert.kind == .deadlineMissed ? "Immediate" : "Expected",
            severity: ["Minor", "Moderate", "Severe", "Extreme"][min(max(level, 0), 3)], certainty: "Observed",
            headline: alert.headline, description: alert.reasons.joined(separator: "\n"), instruction: nil, parameters: parameters,
            areaDescription: alert.sectorName ?? alert.sectorId ?? (alert.sensorId == nil ? "Area of the request" : "Where the sensor stands"),
            area: outline.map { .polygon($0) } ?? alert.area
        )
    }

    /// A guarantor request as CAP, always `Restricted` to its partner: `Alert` when issued
    /// (`Draft` status while a draft), `Update` for each later step, `Cancel` when withdrawn.
    public init(request: GuarantorRequest, partnerName: String?) {
        let issued = request.issuedAt.map { Self.reference(sender: Self.sender, identifier: Self.identifier(request: request.id, version: nil), sent: $0) }
        let first = request.state == .draft || (request.state == .issued && request.missedDeadlines == 0)
        let type: MessageType = request.state == .withdrawn ? .cancel : (first ? .alert : .update)
        let sent = request.closedAt ?? request.acceptedAt ?? request.acknowledgedAt ?? request.issuedAt ?? request.draftedAt
        var parameters: [(String, String)] = [("request_type", request.type.rawValue), ("priority", request.priority.rawValue),
                                             ("state", request.state.rawValue), ("window_start", Timestamp.format(request.windowStart)),
                                             ("window_end", Timestamp.format(request.windowEnd))]
        if let partner = request.partner { parameters.append(("partner", partner)) }
        if let deadline = request.deadline { parameters.append(("deadline", Timestamp.format(deadline))) }
        for incident in request.incidentIds { parameters.append(("incident", incident.uuidString.lowercased())) }
        let urgency = switch request.priority { case .immediate: "Immediate"; case .priority: "Expected"; case .routine: "Future" }
        let names = ["isr": "ISR", "logistics": "Logistics", "air_cover_standby": "Air cover standby", "medevac": "Medical evacuation"]
        self.init(
            identifier: Self.identifier(request: request.id, version: first ? nil : request.version), sender: Self.sender, sent: sent,
            exercise: request.exercise, messageType: type,
            restriction: "Addressed to guarantor partner \(partnerName ?? request.partner ?? "(not yet chosen)") and the mission",
            references: first ? [] : issued.map { [$0] } ?? [],
            event: "Guarantor request: \(names[request.type.rawValue] ?? request.type.rawValue)", urgency: urgency,
            severity: [.airCoverStandby, .medevac].contains(request.type) ? "Severe" : "Moderate", certainty: "Likely",
            headline: "\(names[request.type.rawValue] ?? request.type.rawValue) request (\(request.priority.rawValue)), \(request.state.rawValue)",
            description: request.text + (request.reason.map { "\n\($0)" } ?? ""), instruction: Self.instruction(request), parameters: parameters,
            areaDescription: request.sectorId.map { "Sector \($0)" } ?? "Area of the request", area: request.area
        )
        isDraft = request.state == .draft
    }

    private static func instruction(_ request: GuarantorRequest) -> String? {
        switch request.state {
        case .issued: "Acknowledge at POST /api/v1/guarantor-requests/\(request.id.uuidString.lowercased())/acknowledge"
        case .acknowledged: "Accept or decline at /api/v1/guarantor-requests/\(request.id.uuidString.lowercased())/accept|decline"
        default: nil
        }
    }

    static func restriction(_ release: ReleaseLevel) -> String? {
        switch release {
        case .public: nil
        case .internal: "Mission staff only"
        case .partners: "Released to the mission and its guarantor partners"
        case .parties: "Released to the mission, its guarantor partners and the parties' liaisons"
        }
    }

}

/// An Atom feed (RFC 4287) whose entries link to CAP messages, as alert aggregators read.
public struct AtomFeed: Sendable {
    public struct Entry: Sendable {
        public var id: String
        public var title: String
        public var updated: Date
        public var summary: String
        public var capURL: String

        public init(id: String, title: String, updated: Date, summary: String, capURL: String) {
            self.id = id
            self.title = title
            self.updated = updated
            self.summary = summary
            self.capURL = capURL
        }
    }

    public var id: String
    public var title: String
    public var selfURL: String
    public var entries: [Entry]

    public init(id: String, title: String, selfURL: String, entries: [Entry]) {
        self.id = id
        self.title = title
        self.selfURL = selfURL
        self.entries = entries
    }

    public func xml() -> String {
        let e = CAPMessage.escape
        let updated = entries.map(\.updated).max() ?? Date(timeIntervalSince1970: 0)
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
        out += "  <id>\(e(id))</id>\n  <title>\(e(title))</title>\n  <updated>\(Timestamp.format(updated))</updated>\n"
        out += "  <author><name>Backstop</name></author>\n  <link rel=\"self\" href=\"\(e(selfURL))\"/>\n"
        for entry in entries {
            out += "  <entry>\n    <id>\(e(entry.id))</id>\n    <title>\(e(entry.title))</title>\n    <updated>\(Timestamp.format(entry.updated))</updated>\n"
            out += "    <summary>\(e(entry.summary))</summary>\n"
            out += "    <link rel=\"alternate\" type=\"application/cap+xml\" href=\"\(e(entry.capURL))\"/>\n  </entry>\n"
        }
        return out + "</feed>\n"
    }
}
