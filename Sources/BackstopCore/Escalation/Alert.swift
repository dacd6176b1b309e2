import Foundation

/// A change the partners must hear about: a sector's level rising or falling, a guarantor
/// missing a deadline, a drill, or (for the mission) a sensor falling silent. Never changed once written; a later alert on the same
/// sector references the one before it (CAP `Update`).
public struct Alert: Sendable, Hashable, Codable {
    public enum Kind: String, CaseIterable, Sendable, Codable {
        case levelChange = "level_change"
        case deadlineMissed = "deadline_missed"
        case drill
        /// A registered sensor has been silent past its limit (see `SensorLiveness`).
        case sensorSilent = "sensor_silent"
    }

    public var id: UUID
    public var kind: Kind
    public var policyId: String
    public var policyVersion: Int
    public var sectorId: String?
    public var sectorName: String?
    public var fromLevel: Int?
    public var toLevel: Int?
    public var requestId: UUID?
    public var reasons: [String]
    public var ruleIds: [String]
    public var incidentIds: [UUID]
    public var observationIds: [UUID]
    public var raisedAt: Date
    public var exercise: Bool
    public var release: ReleaseLevel
    /// The alert this one updates (the sector's previous level change).
    public var references: UUID?
    /// When the referenced alert was raised (CAP names a message by sender, id and time).
    public var referencedAt: Date?
    public var area: RequestArea?
    /// For `sensor_silent`: the sensor.
    public var sensorId: String?

    public init(id: UUID, kind: Kind, policyId: String, policyVersion: Int, sectorId: String? = nil, sectorName: String? = nil, fromLevel: Int? = nil,
                toLevel: Int? = nil, requestId: UUID? = nil, reasons: [String], ruleIds: [String] = [], incidentIds: [UUID] = [],
                observationIds: [UUID] = [], raisedAt: Date, exercise: Bool, release: ReleaseLevel, references: UUID? = nil, area: RequestArea? = nil) {
        self.id = id
        self.kind = kind
        self.policyId = policyId
        self.policyVersion = policyVersion
        self.sectorId = sectorId
        self.sectorName = sectorName
        self.fromLevel = fromLevel
        self.toLevel = toLevel
        self.requestId = requestId
        self.reasons = reasons
        self.ruleIds = ruleIds
        self.incidentIds = incidentIds
        self.observationIds = observationIds
        self.raisedAt = Timestamp.normalised(raisedAt)
        self.exercise = exercise
        self.release = release
        self.references = references
        self.area = area
    }

    /// The webhook event an alert goes out as.
    public var event: String { "alert.\(kind.rawValue)" }

    /// Ids derived from what decided the alert, so a node that takes the work over and decides
    /// the same thing again writes the same alert, not a second one.
    public static func id(policy: String, sector: String?, request: UUID?, kind: Kind, from: Int?, to: Int?, at time: Date) -> UUID {
        DerivedID.uuid(for: .object([
            "policy": .string(policy), "sector": sector.map(JSONValue.string) ?? .null,
            "request": request.map { .string($0.uuidString.lowercased()) } ?? .null, "kind": .string(kind.rawValue),
            "from": from.map(JSONValue.integer) ?? .null, "to": to.map(JSONValue.integer) ?? .null,
            "at": .string(Timestamp.format(time)),
        ]), namespace: "backstop.alert")
    }

    public static let levelNames = ["calm", "elevated", "high", "critical"]

    public var headline: String {
        switch kind {
        case .levelChange:
            let to = toLevel ?? 0
            let direction = (toLevel ?? 0) > (fromLevel ?? 0) ? "raised" : "lowered"
            return "\(sectorName ?? sectorId ?? "Sector") \(direction) to level \(to) (\(Self.levelNames[min(max(to, 0), 3)]))"
        case .deadlineMissed: return "Guarantor request deadline missed"
        case .drill: return "Exercise: \(sectorName ?? sectorId ?? "sector") drill at level \(toLevel ?? 0)"
        case .sensorSilent: return "Sensor \(sensorId ?? "") silent"
        }
    }
}
