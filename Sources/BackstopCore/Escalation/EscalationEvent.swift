import BackstopGeo
import Foundation

/// What escalation rules count: a confirmed finding (from the findings log) or monitors
/// reporting incoming fire at their own position (from the intake, at once: minutes matter).
public struct EscalationEvent: Sendable, Hashable, Codable {
    public enum Source: String, CaseIterable, Sendable, Codable {
        case confirmedFinding = "confirmed_finding"
        case monitorsUnderFire = "monitors_under_fire"
    }

    /// One event per finding (incident, agreement, rule, kind) or per observation; a
    /// retraction removes the event with the same key.
    public var key: String
    public var source: Source
    public var incidentId: UUID?
    public var observationId: UUID?
    /// When it happened (the incident's start, the observation's time): windows count by it.
    public var time: Date
    public var lat: Double?
    public var lon: Double?
    public var findingKind: String?
    public var agreementId: String?
    public var ruleId: String?

    public var point: GeoPoint? {
        guard let lat, let lon else { return nil }
        return GeoPoint(lat: lat, lon: lon)
    }

    public static func findingKey(incident: UUID, agreement: String, rule: String, kind: String) -> String {
        "finding/\(incident.uuidString.lowercased())/\(agreement)/\(rule)/\(kind)"
    }

    public static func confirmedFinding(incident: UUID, start: Date, agreement: String, rule: String, kind: String, at point: GeoPoint?) -> EscalationEvent {
        EscalationEvent(key: findingKey(incident: incident, agreement: agreement, rule: rule, kind: kind), source: .confirmedFinding,
                        incidentId: incident, observationId: nil, time: Timestamp.normalised(start), lat: point?.lat, lon: point?.lon,
                        findingKind: kind, agreementId: agreement, ruleId: rule)
    }

    /// A monitor's own report of fire coming in at them: a ceasefire violation seen or heard
    /// by a person, marked incoming, placed at the observer when the position is given.
    public static func monitorsUnderFire(_ observation: Observation, at resolved: GeoPoint?) -> EscalationEvent? {
        guard observation.kind.isCeasefireViolation, observation.direction == .incoming,
              [.heard, .saw, .sawAndHeard].contains(observation.modality),
              let point = observation.observer?.point ?? resolved else { return nil }
        return EscalationEvent(key: "observation/\(observation.id.uuidString.lowercased())", source: .monitorsUnderFire, incidentId: nil,
                               observationId: observation.id, time: Timestamp.normalised(observation.observedAt), lat: point.lat, lon: point.lon,
                               findingKind: nil, agreementId: nil, ruleId: nil)
    }
}

/// Where events fall: the policy's sectors and the agreement's zones, through GEOS.
public struct SectorMap: Sendable {
    public let policy: EscalationPolicy
    private let agreement: Agreement?
    private let geometry: AgreementGeometry?

    public init(policy: EscalationPolicy, agreement: Agreement?) {
        self.policy = policy
        self.agreement = agreement
        geometry = agreement.map(AgreementGeometry.init)
    }

    /// The sectors containing `point` (none when it lies outside every sector).
    public func sectors(containing point: GeoPoint) -> [String] {
        policy.sectors.filter { sector in
            switch sector.area {
            case .polygon(let rings): (try? LineGeometry.contains(rings, point)) ?? false
            case .zone(let id):
                if let zone = agreement?.zones.first(where: { $0.id == id }), let geometry { (try? geometry.contains(zone, point)) ?? false } else { false }
            }
        }.map(\.id)
    }

    public func zoneKinds(containing point: GeoPoint) -> Set<ZoneKind> {
        guard let agreement, let geometry else { return [] }
        return Set(agreement.zones.filter { (try? geometry.contains($0, point)) ?? false }.map(\.kind))
    }

    /// The sector's outline as closed rings of points, for a CAP `<polygon>` or a request area.
    public func outline(of sectorID: String) -> [GeoPoint]? {
        guard let sector = policy.sector(sectorID) else { return nil }
        switch sector.area {
        case .polygon(let rings): return rings.first
        case .zone(let id):
            guard let zone = agreement?.zones.first(where: { $0.id == id }), let geometry else { return nil }
            return (try? geometry.area(of: zone))?.first?.first
        }
    }

    public func matches(_ rule: EscalationRule, _ event: EscalationEvent) -> Bool {
        let match = rule.match
        guard event.source == match.source else { return false }
        if !match.findingKinds.isEmpty, !match.findingKinds.contains(event.findingKind ?? "") { return false }
        if !match.ruleIDs.isEmpty, !match.ruleIDs.contains(event.ruleId ?? "") { return false }
        if let agreement = match.agreementID, agreement != event.agreementId { return false }
        if !match.zoneKinds.isEmpty {
            guard let point = event.point, !zoneKinds(containing: point).isDisjoint(with: match.zoneKinds) else { return false }
        }
        return true
    }
}
