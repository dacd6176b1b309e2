import Foundation

/// One event as fused from the records that describe it.
public struct Incident: Sendable, Hashable {
    /// The lowest member id: stable whatever order the members arrived in.
    public var id: UUID
    public var kind: ObservationKind
    public var start: Date
    public var end: Date
    public var point: GeoPoint?
    public var radiusMetres: Double?
    public var recordCount: Int
    /// Each source counts what it saw; sources overlap. The estimate is the largest total any
    /// one source reported ("9 explosions" and "7 explosions" from two patrols: 9 events).
    public var estimatedEvents: Int
    public var modalities: [Modality]
    /// Independent sources: two members of one patrol team are one source.
    public var sources: [String]
    public var grades: [AdmiraltyGrade]
    /// Weapons reported by the members: per class, the largest quantity any record gave, with
    /// the models named.
    public var weaponsByClass: [WeaponClass: WeaponTally]
    /// Every member reported live-fire training.
    public var liveFireTraining: Bool
    /// 1 − Π(1 − pₛ) over independent sources, pₛ from the source's best Admiralty grade.
    public var confidence: Double
    public var memberIDs: [UUID]
    /// Directions of fire the members reported (outgoing and incoming never mix in one incident).
    public var direction: FireDirection?
    /// Some member was pinned by an analyst: the incident is closed to automatic association.
    public var analystEdited: Bool
    /// Killed and injured as the records report them: the most any record of the event gives
    /// (two patrols reporting one shelling do not double its dead); civilian when any says so.
    public var casualties: Casualties?
    /// The fix from the members' lines of bearing, when two or more cross at one place.
    public var triangulation: BearingFix?
    /// Why the incident has no place, when it has none.
    public var unlocatedReason: String?

    /// Where lines of bearing cross, with the 95 % ellipse of that fix.
    public struct BearingFix: Sendable, Hashable {
        public var point: GeoPoint
        public var semiMajorMetres: Double
        public var semiMinorMetres: Double
        /// Degrees clockwise from north, in [0, 180).
        public var majorAxisAzimuthDegrees: Double
        public var bearings: Int
    }

    /// Why each member was joined is asked of `FusionEngine.reasons(forIncident:)`: it costs
    /// more than the incident, so only the detail view computes it.
    public init(members: [FusionRecord]) {
        self.init(membersByID: members.sorted { UUIDOrder.less($0.id, $1.id) })
    }

    /// `sorted`: the members in the order of their ids (`UUIDOrder`). A crowded place makes an
    /// incident of thousands, built again with every step that adds to it: sorting the records
    /// themselves (large values) and grouping copies of them by source took most of a flood's
    /// fusion.
    init(membersByID sorted: [FusionRecord]) {
        id = sorted[0].id
        kind = sorted[0].kind
        start = sorted.map(\.start).min()!
        end = sorted.map(\.end).max()!
        var located = sorted.compactMap { record in record.point.map { (point: $0, radiusMetres: record.radiusMetres) } }
        let lines = sorted.compactMap(\.lineOfBearing)
        if lines.count > 1 {
            do {
                let fix = try Triangulation.locate(lines.map(\.bearingObservation))
                // Lines joined through other records' places may cross somewhere else: such a
                // crossing is not this event's place, and the places stand alone.
                let places = try? PositionCombination.combine(located)
                if places.map({ Geodesic.wgs84.distance(from: fix.point, to: $0.point) <= $0.radiusMetres + fix.semiMajorMetres }) ?? true {
                    triangulation = BearingFix(point: fix.point, semiMajorMetres: (fix.semiMajorMetres * 10).rounded() / 10,
                                               semiMinorMetres: (fix.semiMinorMetres * 10).rounded() / 10,
                                               majorAxisAzimuthDegrees: ((fix.majorAxisAzimuthDegrees * 10).rounded() / 10).truncatingRemainder(dividingBy: 180),
                                               bearings: lines.count)
                    // Next to other places the fix counts as a disc holding its ellipse.
                    located.append((fix.point, max(fix.semiMajorMetres, FusionRecord.minimumRadiusMetres)))
                }
            } catch {
                if located.isEmpty { unlocatedReason = "its \(lines.count) bearings fix no place: \(error)" }
            }
        } else if located.isEmpty {
            unlocatedReason = lines.count == 1
                ? "one bearing without a distance: it needs a second bearing on the same event, from another place"
                : "none of its records could be located"
        }
        if let combined = try? PositionCombination.combine(located) {
            point = combined.point
            radiusMetres = (combined.radiusMetres * 10).rounded() / 10
        }
        recordCount = sorted.count
        // Per source: the events it counted, and its best record's worth.
        var bySource: [String: (events: Int, best: Double)] = [:]
        for record in sorted {
            let worth = Self.probability(record.grade)
            bySource[record.source, default: (0, 0)].events += record.count
            bySource[record.source]!.best = max(bySource[record.source]!.best, worth)
        }
        estimatedEvents = bySource.values.map(\.events).max() ?? 0
        modalities = Array(Set(sorted.map(\.modality))).sorted { $0.rawValue < $1.rawValue }
        sources = bySource.keys.sorted()
        grades = sorted.compactMap(\.grade)
        var tallies: [WeaponClass: WeaponTally] = [:]
        for weapon in sorted.compactMap(\.weapon) {
            guard let weaponClass = weapon.weaponClass else { continue }
            var tally = tallies[weaponClass] ?? WeaponTally(quantity: 0, models: [])
            tally.quantity = max(tally.quantity, weapon.quantity ?? 1)
            if let model = weapon.model, !tally.models.contains(model) { tally.models.append(model) }
            tally.models.sort()
            tallies[weaponClass] = tally
        }
        weaponsByClass = tallies
        liveFireTraining = sorted.allSatisfy(\.liveFireTraining)
        confidence = 1 - sources.reduce(1.0) { remaining, source in remaining * (1 - bySource[source]!.best) }
        memberIDs = sorted.map(\.id)
        direction = sorted.compactMap(\.direction).first { $0 != .unknown } ?? sorted.compactMap(\.direction).first
        analystEdited = sorted.contains { $0.analystGroup != nil }
        let reported = sorted.compactMap(\.casualties)
        casualties = reported.isEmpty ? nil : Casualties(killed: reported.map(\.killed).max() ?? 0, injured: reported.map(\.injured).max() ?? 0,
                                                           civilian: reported.contains { $0.civilian == true } ? true : (reported.contains { $0.civilian == false } ? false : nil))
    }

    /// Below this an incident rests on too little to report: one party allegation (D3 gives
    /// 0.24), or one source of unknown reliability; one patrol's B3 record (0.48) is enough.
    public static let reportableConfidence = 0.3

    public var isReportable: Bool { confidence >= Self.reportableConfidence }

    public struct WeaponTally: Sendable, Hashable {
        public var quantity: Int
        public var models: [String]
    }

    /// How much one source's record is worth, from its grade; an ungraded record counts as
    /// "reliability cannot be judged, truth cannot be judged" (F6).
    static func probability(_ grade: AdmiraltyGrade?) -> Double {
        let reliability: Double = switch grade?.reliability ?? .f {
        case .a: 0.95
        case .b: 0.8
        case .c: 0.6
        case .d: 0.4
        case .e: 0.2
        case .f: 0.5
        }
        let credibility: Double = switch grade?.credibility ?? .cannotBeJudged {
        case .confirmed: 0.95
        case .probablyTrue: 0.8
        case .possiblyTrue: 0.6
        case .doubtful: 0.4
        case .improbable: 0.2
        case .cannotBeJudged: 0.5
        }
        return reliability * credibility
    }
}
