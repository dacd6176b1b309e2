import Foundation

/// What fusion and compliance derived about an incident, as stored and as served: the form
/// every node reads back from the store, so it is plain values with the API's field names.
public struct IncidentSummary: Sendable, Hashable, Codable {
    public struct Location: Sendable, Hashable, Codable {
        public var lat: Double
        public var lon: Double
        public var radiusM: Double?
        /// Set when lines of bearing placed the incident (alone, or with other records).
        public var triangulation: Triangulation?

        /// Where the incident's lines of bearing cross, with the fix's 95 % ellipse.
        public struct Triangulation: Sendable, Hashable, Codable {
            public var lat: Double
            public var lon: Double
            public var bearings: Int
            public var semiMajorM: Double
            public var semiMinorM: Double
            public var majorAxisAzimuthDeg: Double

            enum CodingKeys: String, CodingKey {
                case lat, lon, bearings
                case semiMajorM = "semi_major_m"
                case semiMinorM = "semi_minor_m"
                case majorAxisAzimuthDeg = "major_axis_azimuth_deg"
            }

            public init(_ fix: Incident.BearingFix) {
                lat = fix.point.lat
                lon = fix.point.lon
                bearings = fix.bearings
                semiMajorM = fix.semiMajorMetres
                semiMinorM = fix.semiMinorMetres
                majorAxisAzimuthDeg = fix.majorAxisAzimuthDegrees
            }
        }

        enum CodingKeys: String, CodingKey {
            case lat, lon, triangulation
            case radiusM = "radius_m"
        }

        public init(lat: Double, lon: Double, radiusM: Double?, triangulation: Triangulation? = nil) {
            self.lat = lat
            self.lon = lon
            self.radiusM = radiusM
            self.triangulation = triangulation
        }

        // Absent values are written as null, as everywhere in the API.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(lat, forKey: .lat)
            try container.encode(lon, forKey: .lon)
            try container.encode(radiusM, forKey: .radiusM)
            try container.encode(triangulation, forKey: .triangulation)
        }
    }

    public struct Weapon: Sendable, Hashable, Codable {
        public var `class`: String
        public var quantity: Int
        public var models: [String]

        public init(class weaponClass: String, quantity: Int, models: [String]) {
            self.class = weaponClass
            self.quantity = quantity
            self.models = models
        }
    }

    public struct FindingSummary: Sendable, Hashable, Codable {
        public var kind: String
        public var agreement: String
        public var rule: String
        public var party: String?
        public var measured: Double?
        public var limit: Double?
        public var text: String

        public init(kind: String, agreement: String, rule: String, party: String?, measured: Double?, limit: Double?, text: String) {
            self.kind = kind
            self.agreement = agreement
            self.rule = rule
            self.party = party
            self.measured = measured
            self.limit = limit
            self.text = text
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(kind, forKey: .kind)
            try container.encode(agreement, forKey: .agreement)
            try container.encode(rule, forKey: .rule)
            try container.encode(party, forKey: .party)
            try container.encode(measured, forKey: .measured)
            try container.encode(limit, forKey: .limit)
            try container.encode(text, forKey: .text)
        }

        enum CodingKeys: String, CodingKey {
            case kind, agreement, rule, party, measured, limit, text
        }

        /// What identifies a finding in the findings log: the same rule broken the same way.
        public var key: String { "\(agreement)\u{1F}\(rule)\u{1F}\(kind)" }
    }

    public var id: UUID
    public var kind: String
    public var start: String
    public var end: String
    public var location: Location?
    public var recordCount: Int
    public var estimatedEvents: Int
    public var modalities: [String]
    public var sources: [String]
    public var independentSources: Int
    public var grades: [String]
    public var confidence: Double
    public var reportable: Bool
    public var direction: String?
    public var liveFireTraining: Bool
    public var analystEdited: Bool
    public var weapons: [Weapon]
    public var findings: [FindingSummary]
    public var observationIDs: [UUID]
    /// Killed and injured as reported (see `Incident.casualties`); nil when no record says.
    public var casualties: CasualtyCount?
    /// Why the incident has no location, when it has none.
    public var unlocatedReason: String?

    public struct CasualtyCount: Sendable, Hashable, Codable {
        public var killed: Int
        public var injured: Int
        public var civilian: Bool?

        public init(killed: Int, injured: Int, civilian: Bool?) {
            self.killed = killed
            self.injured = injured
            self.civilian = civilian
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(killed, forKey: .killed)
            try container.encode(injured, forKey: .injured)
            try container.encode(civilian, forKey: .civilian)
        }

        enum CodingKeys: String, CodingKey { case killed, injured, civilian }
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, start, end, location
        case recordCount = "record_count"
        case estimatedEvents = "estimated_events"
        case modalities, sources
        case independentSources = "independent_sources"
        case grades, confidence, reportable, direction
        case liveFireTraining = "live_fire_training"
        case analystEdited = "analyst_edited"
        case weapons, findings
        case observationIDs = "observation_ids"
        case casualties
        case unlocatedReason = "unlocated_reason"
    }

    /// The incident as fusion derived it, under the id the mission gave it.
    public init(_ incident: Incident, findings: [Finding], id: UUID) {
        self.id = id
        kind = incident.kind.rawValue
        start = Timestamp.format(incident.start)
        end = Timestamp.format(incident.end)
        location = incident.point.map {
            Location(lat: $0.lat, lon: $0.lon, radiusM: incident.radiusMetres, triangulation: incident.triangulation.map(Location.Triangulation.init))
        }
        unlocatedReason = incident.point == nil ? incident.unlocatedReason : nil
        recordCount = incident.recordCount
        estimatedEvents = incident.estimatedEvents
        modalities = incident.modalities.map(\.rawValue)
        sources = incident.sources
        independentSources = incident.sources.count
        grades = incident.grades.map(\.description)
        confidence = (incident.confidence * 1000).rounded() / 1000
        reportable = incident.isReportable
        direction = incident.direction?.rawValue
        liveFireTraining = incident.liveFireTraining
        analystEdited = incident.analystEdited
        weapons = incident.weaponsByClass.sorted { $0.key.rawValue < $1.key.rawValue }.map {
            Weapon(class: $0.key.rawValue, quantity: $0.value.quantity, models: $0.value.models)
        }
        self.findings = findings.map {
            FindingSummary(kind: $0.kind.rawValue, agreement: $0.agreementID, rule: $0.ruleID, party: $0.party,
                           measured: $0.measured, limit: $0.limit, text: $0.text)
        }
        observationIDs = incident.memberIDs
        casualties = incident.casualties.map { CasualtyCount(killed: $0.killed, injured: $0.injured, civilian: $0.civilian) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id.uuidString.lowercased(), forKey: .id)
        try container.encode(kind, forKey: .kind)
        try container.encode(start, forKey: .start)
        try container.encode(end, forKey: .end)
        try container.encode(location, forKey: .location)
        try container.encode(recordCount, forKey: .recordCount)
        try container.encode(estimatedEvents, forKey: .estimatedEvents)
        try container.encode(modalities, forKey: .modalities)
        try container.encode(sources, forKey: .sources)
        try container.encode(independentSources, forKey: .independentSources)
        try container.encode(grades, forKey: .grades)
        try container.encode(confidence, forKey: .confidence)
        try container.encode(reportable, forKey: .reportable)
        try container.encode(direction, forKey: .direction)
        try container.encode(liveFireTraining, forKey: .liveFireTraining)
        try container.encode(analystEdited, forKey: .analystEdited)
        try container.encode(weapons, forKey: .weapons)
        try container.encode(findings, forKey: .findings)
        try container.encode(observationIDs.map { $0.uuidString.lowercased() }, forKey: .observationIDs)
        try container.encode(casualties, forKey: .casualties)
        try container.encode(unlocatedReason, forKey: .unlocatedReason)
    }

    public var startDate: Date { Timestamp.parse(start) ?? .distantPast }
    public var endDate: Date { Timestamp.parse(end) ?? .distantPast }
}
