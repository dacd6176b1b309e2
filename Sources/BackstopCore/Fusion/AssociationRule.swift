import Foundation

/// When two records describe the same event. The rule is symmetric, so the incidents it
/// produces (connected groups of records) do not depend on the order records arrive in.
///
/// Two records are joined when all hold:
/// - different reporters: a person or instrument files one record per event (a correction
///   keeps the id), so a second record from the same reporter is another event — a patrol
///   that hears the launch and then the impact files two records;
/// - the same kind (an explosion is not joined with a tracer);
/// - compatible directions of fire: a record of outgoing fire (the launch, near the firing
///   position) is not joined with one of incoming fire (the impact) — they are two ends of one
///   exchange, in two places; `unknown` or no direction goes with either;
/// - their time windows, each widened by its own tolerance, overlap;
/// - and their places can hold one event. Both have resolved locations, and the geodesic
///   distance between them is at most the sum of their radii; or a line of bearing (a bearing
///   with no distance) passes through the other's place; or two lines cross in front of both
///   observers, within their reach, at 2° or more (see `passes` and `BearingCrossing`). (A tighter gate,
///   √(r₁² + r₂²), lost more true pairs than it saved on the simulator: a patrol's distance
///   band by ear misses the truth about one time in five, so its region is often too small.
///   The chaining that the generous gate allows is undone by `FusionEngine`'s split of
///   components that hold two records of one source or both directions of fire.)
///
/// An analyst's decision overrides the rule: records an analyst pinned to one group are
/// always joined, and a pinned record is joined to nothing else. An incident an analyst has
/// merged or split is closed to automatic association: a new record near it starts an
/// incident of its own for the analyst to look at, instead of undoing the decision by
/// bridging two parts of a split.
public enum AssociationRule {
    public static func joins(_ a: FusionRecord, _ b: FusionRecord) -> Bool {
        decision(a, b).joined
    }

    enum Decision {
        case apart
        /// Places that overlap, or a line of bearing passing through a place: how far apart
        /// against how far the gate allows.
        case measured(distanceMetres: Double, gateMetres: Double)
        /// Two lines of bearing crossing in front of both observers, within their reach.
        case crossing(BearingCrossing, secondsApart: Double, timeGateSeconds: Double)
        case pinnedTogether

        var joined: Bool { if case .apart = self { false } else { true } }

        /// How close the pair is, against its gate (0 = the same place and time), for splitting
        /// a component closest pairs first.
        var weight: Double {
            switch self {
            case .apart: .infinity
            case .pinnedTogether: -1
            case .measured(let distance, let gate): distance / max(gate, 1)
            // Closer in time first, then the sharper crossing (its spread over 10 km counts as
            // a tenth of the time gate per kilometre).
            case .crossing(let crossing, let seconds, let gate): seconds / max(gate, 1) + crossing.spreadMetres / 10_000
            }
        }
    }

    static func decision(_ a: FusionRecord, _ b: FusionRecord) -> Decision {
        if a.analystGroup != nil || b.analystGroup != nil { return a.analystGroup == b.analystGroup ? .pinnedTogether : .apart }
        if let reporter = a.reporter, reporter == b.reporter { return .apart }
        guard a.kind == b.kind, directionsAgree(a.direction, b.direction) else { return .apart }
        let (aStart, aEnd) = a.widenedWindow, (bStart, bEnd) = b.widenedWindow
        guard aStart <= bEnd, bStart <= aEnd else { return .apart }
        if let pa = a.point, let pb = b.point {
            let distance = Geodesic.wgs84.distance(from: pa, to: pb)
            let gate = gateMetres(a, b)
            return distance <= gate ? .measured(distanceMetres: distance, gateMetres: gate) : .apart
        }
        // A line says nothing of range, so only a close time ties it to another record: it joins
        // none whose time is known only to the hour or worse (a party's allegation).
        guard a.point != nil && b.point != nil || max(a.timeToleranceSeconds, b.timeToleranceSeconds) <= Self.lineTimeToleranceSeconds else { return .apart }
        if let place = a.point, let line = b.lineOfBearing { return passes(line, through: place, radiusMetres: a.radiusMetres) }
        if let place = b.point, let line = a.lineOfBearing { return passes(line, through: place, radiusMetres: b.radiusMetres) }
        guard let la = a.lineOfBearing, let lb = b.lineOfBearing else { return .apart }
        // Computed in one order whatever the order asked in, so the answer is exactly symmetric.
        let (first, second) = UUIDOrder.less(a.id, b.id) ? (la, lb) : (lb, la)
        guard let crossing = BearingCrossing(first, second), crossing.angleDegrees >= Triangulation.minimumCrossingDegrees,
              crossing.alongFirst > 0, crossing.alongSecond > 0,
              crossing.alongFirst <= first.maximumRangeMetres, crossing.alongSecond <= second.maximumRangeMetres else { return .apart }
        let seconds = abs(a.start.timeIntervalSince(b.start))
        let timeGate = a.timeToleranceSeconds + b.timeToleranceSeconds + max(a.end.timeIntervalSince(a.start), b.end.timeIntervalSince(b.start))
        return .crossing(crossing, secondsApart: seconds, timeGateSeconds: timeGate)
    }

    /// A line of bearing joins a place it passes through (within three standard deviations of
    /// the bearing at that range, plus the place's radius), in front of its observer and
    /// within its reach.
    static func passes(_ line: LineOfBearing, through place: GeoPoint, radiusMetres: Double) -> Decision {
        let offset = BearingOffset(line, place)
        guard offset.along >= -radiusMetres, offset.along <= line.maximumRangeMetres + radiusMetres else { return .apart }
        let gate = radiusMetres + max(offset.along, 0) * tan(line.gateHalfAngleDegrees * .pi / 180)
        return offset.across <= gate ? .measured(distanceMetres: offset.across, gateMetres: gate) : .apart
    }

    /// The loosest time a record may have to be joined with a line of bearing: a minute's
    /// precision (see `FusionRecord.tolerance`).
    public static let lineTimeToleranceSeconds = 180.0

    static func gateMetres(_ a: FusionRecord, _ b: FusionRecord) -> Double {
        a.radiusMetres + b.radiusMetres
    }

    static func directionsAgree(_ a: FireDirection?, _ b: FireDirection?) -> Bool {
        guard let a, let b, a != .unknown, b != .unknown else { return true }
        return a == b
    }

    /// Why the two records were joined, in words; nil when they are not.
    public static func explanation(_ a: FusionRecord, _ b: FusionRecord) -> String? {
        switch decision(a, b) {
        case .apart:
            return nil
        case .pinnedTogether:
            return "joined by an analyst"
        case .measured(let distance, let gate):
            let gap = abs(a.start.timeIntervalSince(b.start))
            if a.point != nil, b.point != nil {
                return String(format: "same kind (%@)%@, %.0f s apart, %.0f m apart within radii %.0f + %.0f m",
                              a.kind.rawValue, directionText(a, b), gap, distance, a.radiusMetres, b.radiusMetres)
            }
            return String(format: "same kind (%@)%@, %.0f s apart, the bearing passes %.0f m from the other's place (gate %.0f m)",
                          a.kind.rawValue, directionText(a, b), gap, distance, gate)
        case .crossing(let crossing, let seconds, _):
            return String(format: "same kind (%@)%@, %.0f s apart, the bearings cross at %.0f°, %.1f and %.1f km from their observers",
                          a.kind.rawValue, directionText(a, b), seconds, crossing.angleDegrees,
                          crossing.alongFirst / 1_000, crossing.alongSecond / 1_000)
        }
    }

    private static func directionText(_ a: FusionRecord, _ b: FusionRecord) -> String {
        let directions = Set([a.direction, b.direction].map { $0 ?? .unknown })
        return switch directions.count {
        case 1 where directions.first != .unknown: ", both \(directions.first!.rawValue)"
        case 2: ", " + directions.filter { $0 != .unknown }.map { "\($0.rawValue) and unspecified" }.joined()
        default: ""
        }
    }
}
