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
/// - both have resolved locations, and the geodesic distance between them is at most the
///   sum of their radii: their uncertainty regions can hold one event. (A tighter gate,
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
        case measured(distanceMetres: Double)
        case pinnedTogether

        var joined: Bool { if case .apart = self { false } else { true } }
    }

    static func decision(_ a: FusionRecord, _ b: FusionRecord) -> Decision {
        if a.analystGroup != nil || b.analystGroup != nil { return a.analystGroup == b.analystGroup ? .pinnedTogether : .apart }
        if let reporter = a.reporter, reporter == b.reporter { return .apart }
        guard a.kind == b.kind, directionsAgree(a.direction, b.direction) else { return .apart }
        let aStart = a.start.addingTimeInterval(-a.timeToleranceSeconds), aEnd = a.end.addingTimeInterval(a.timeToleranceSeconds)
        let bStart = b.start.addingTimeInterval(-b.timeToleranceSeconds), bEnd = b.end.addingTimeInterval(b.timeToleranceSeconds)
        guard aStart <= bEnd, bStart <= aEnd else { return .apart }
        guard let pa = a.point, let pb = b.point else { return .apart }
        let distance = Geodesic.wgs84.distance(from: pa, to: pb)
        return distance <= gateMetres(a, b) ? .measured(distanceMetres: distance) : .apart
    }

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
        case .measured(let distance):
            let gap = abs(a.start.timeIntervalSince(b.start))
            let directions = Set([a.direction, b.direction].map { $0 ?? .unknown })
            let direction = switch directions.count {
            case 1 where directions.first != .unknown: ", both \(directions.first!.rawValue)"
            case 2: ", " + directions.filter { $0 != .unknown }.map { "\($0.rawValue) and unspecified" }.joined()
            default: ""
            }
            return String(format: "same kind (%@)%@, %.0f s apart, %.0f m apart within radii %.0f + %.0f m",
                          a.kind.rawValue, direction, gap, distance, a.radiusMetres, b.radiusMetres)
        }
    }
}
