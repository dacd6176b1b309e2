import Foundation

/// When two records describe the same event. The rule is symmetric, so the incidents it
/// produces (connected groups of records) do not depend on the order records arrive in.
///
/// Two records are joined when all hold:
/// - the same kind (an explosion is not joined with a tracer);
/// - their time windows, each widened by its own tolerance, overlap;
/// - both have resolved locations, and the geodesic distance between them is at most the
///   sum of their radii: their uncertainty regions can hold one event.
public enum AssociationRule {
    public static func joins(_ a: FusionRecord, _ b: FusionRecord) -> Bool {
        distanceIfJoined(a, b) != nil
    }

    /// The geodesic distance between two records that the rule joins; nil when it does not.
    static func distanceIfJoined(_ a: FusionRecord, _ b: FusionRecord) -> Double? {
        guard a.kind == b.kind else { return nil }
        let aStart = a.start.addingTimeInterval(-a.timeToleranceSeconds), aEnd = a.end.addingTimeInterval(a.timeToleranceSeconds)
        let bStart = b.start.addingTimeInterval(-b.timeToleranceSeconds), bEnd = b.end.addingTimeInterval(b.timeToleranceSeconds)
        guard aStart <= bEnd, bStart <= aEnd else { return nil }
        guard let pa = a.point, let pb = b.point else { return nil }
        let distance = Geodesic.wgs84.distance(from: pa, to: pb)
        return distance <= a.radiusMetres + b.radiusMetres ? distance : nil
    }

    /// Why the two records were joined, in words; nil when they are not.
    public static func explanation(_ a: FusionRecord, _ b: FusionRecord) -> String? {
        guard let distance = distanceIfJoined(a, b) else { return nil }
        let gap = abs(a.start.timeIntervalSince(b.start))
        return String(format: "same kind (%@), %.0f s apart, %.0f m apart within radii %.0f + %.0f m",
                      a.kind.rawValue, gap, distance, a.radiusMetres, b.radiusMetres)
    }

    /// The longest time any record is allowed to span for indexing; longer ones are indexed
    /// under their start only (and still compared exactly).
    public static let indexedSpanSeconds = 6 * 3_600.0
}
