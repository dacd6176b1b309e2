import Foundation

/// One incident as a report edition counts it: already limited to what the edition's audience
/// may see and redacted as the release rules say (the server's one place for those rules makes
/// these), so the composer cannot leak what it is not given.
public struct ReportIncident: Sendable, Hashable {
    public struct Finding: Sendable, Hashable {
        public var kind: String
        public var rule: String
        public var text: String?

        public init(kind: String, rule: String, text: String?) {
            self.kind = kind
            self.rule = rule
            self.text = text
        }
    }

    public var id: UUID
    public var kind: String
    /// When it began: the period it counts in is the one holding this (each incident counts
    /// in one period only).
    public var start: Date
    public var end: Date
    /// The time the annex shows (for the public, the hour it began in).
    public var shownTime: Date
    /// The region or sector it lies in (the policy's sectors), or nil outside every one.
    public var region: String?
    /// Where, as the edition may say it: coordinates for the mission, "near <settlement>" or a grid cell for the public.
    public var place: String
    /// Events, not records: several patrols hearing one explosion are one event.
    public var events: Int
    public var verified: Bool
    public var killed: Int
    public var injured: Int
    public var civilianCasualties: Bool
    public var weapons: [IncidentSummary.Weapon]
    public var findings: [Finding]
    /// Inside a disengagement area of the agreement.
    public var inDisengagementArea: Bool
    public var direction: String?
    /// How it was observed (heard, camera…); empty where the edition does not say.
    public var modalities: [String]
    public var liveFireTraining: Bool

    public init(id: UUID, kind: String, start: Date, end: Date, shownTime: Date? = nil, region: String?, place: String, events: Int, verified: Bool,
                killed: Int = 0, injured: Int = 0, civilianCasualties: Bool = false, weapons: [IncidentSummary.Weapon] = [],
                findings: [Finding] = [], inDisengagementArea: Bool = false, direction: String? = nil, modalities: [String] = [],
                liveFireTraining: Bool = false) {
        self.id = id
        self.kind = kind
        self.start = start
        self.end = end
        self.shownTime = shownTime ?? start
        self.region = region
        self.place = place
        self.events = events
        self.verified = verified
        self.killed = killed
        self.injured = injured
        self.civilianCasualties = civilianCasualties
        self.weapons = weapons
        self.findings = findings
        self.inDisengagementArea = inDisengagementArea
        self.direction = direction
        self.modalities = modalities
        self.liveFireTraining = liveFireTraining
    }

    public var isCeasefireViolation: Bool { ObservationKind(rawValue: kind)?.isCeasefireViolation ?? false }
}

/// One record as the detail sections tell it: who (a patrol or camera for the mission; the kind
/// of observer for the public), how (heard, saw, camera…), what and how many, and where from the
/// observer as monitors write it ("2-4 km north-east").
public struct ReportRecord: Sendable, Hashable {
    public var reporter: String
    public var modality: String
    public var kind: String
    public var subkind: String?
    public var count: Int
    public var bearingDegrees: Double?
    public var distanceKm: ClosedRange<Double>?

    public init(reporter: String, modality: String, kind: String, subkind: String? = nil, count: Int, bearingDegrees: Double? = nil,
                distanceKm: ClosedRange<Double>? = nil) {
        self.reporter = reporter
        self.modality = modality
        self.kind = kind
        self.subkind = subkind
        self.count = count
        self.bearingDegrees = bearingDegrees
        self.distanceKm = distanceKm
    }

    /// "2-4 km north-east", "north-east", "3 km south", or nil.
    public var relative: String? {
        let direction = bearingDegrees.map { bearing in
            CompassDirection.words(for: CompassDirection.abbreviations[Int(((bearing.truncatingRemainder(dividingBy: 360) + 360) / 22.5).rounded()) % 16])
        }
        let distance = distanceKm.map { band in
            band.lowerBound == band.upperBound ? "\(ReportText.number(band.lowerBound)) km" : "\(ReportText.number(band.lowerBound))-\(ReportText.number(band.upperBound)) km"
        }
        switch (distance, direction) {
        case (let distance?, let direction?): return "\(distance) \(direction)"
        case (nil, let direction?): return direction
        case (let distance?, nil): return "\(distance) away"
        default: return nil
        }
    }
}
