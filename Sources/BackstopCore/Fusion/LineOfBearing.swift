import Foundation

/// A bearing with no distance: the event lies somewhere along a line from the observer. Fusion
/// holds such a record as this line, joins it with other records of the same event whose
/// places it passes through or whose lines it crosses, and an incident with two or more lines
/// is placed where they cross (`Triangulation`).
public struct LineOfBearing: Sendable, Hashable {
    public var observer: GeoPoint
    public var bearingDegrees: Double
    /// Standard deviation of the bearing. A reported "± e" is read as a 95 % bound: σ = e / 2.
    public var sigmaDegrees: Double
    /// How far the instrument or ear can detect this kind of event: lines crossing beyond it
    /// do not describe one event.
    public var maximumRangeMetres: Double

    public init(observer: GeoPoint, bearingDegrees: Double, sigmaDegrees: Double, maximumRangeMetres: Double) {
        self.observer = observer
        self.bearingDegrees = bearingDegrees
        self.sigmaDegrees = sigmaDegrees
        self.maximumRangeMetres = maximumRangeMetres
    }

    /// The line an observation describes: a bearing without a distance band, from a known place.
    public init?(_ observation: Observation) {
        guard case .relativeToObserver(let fix) = observation.location, fix.distance == nil, let observer = observation.observer else { return nil }
        let reported = fix.bearingErrorDegrees ?? LocationResolver.assumedBearingError(for: observation.modality)
        // The observer's own position error turns the line sideways by up to accuracy / range;
        // a few kilometres out it is small next to the bearing's, and is left out.
        self.init(observer: observer.point, bearingDegrees: fix.bearingDegrees, sigmaDegrees: max(reported / 2, 0.05),
                  maximumRangeMetres: Self.detectionRange(of: observation.modality))
    }

    /// How far each kind of observer places events by bearing alone: a fixed camera's view
    /// and a person's ear reach about 10–15 km over the steppe, an acoustic array about 20 km
    /// (the simulator's arrays are heard to 20 km), radar further.
    public static func detectionRange(of modality: Modality) -> Double {
        switch modality {
        case .camera, .saw, .uav: 12_000
        case .heard, .sawAndHeard: 15_000
        case .acoustic: 25_000
        case .radar: 40_000
        default: 20_000
        }
    }

    /// Angular tolerance of the association gate: three standard deviations.
    public var gateHalfAngleDegrees: Double { min(3 * sigmaDegrees, 45) }

    /// The bearing as a unit vector (east, north).
    var direction: (east: Double, north: Double) {
        let radians = bearingDegrees * .pi / 180
        return (sin(radians), cos(radians))
    }

    public var bearingObservation: BearingObservation {
        BearingObservation(observer: observer, bearingDegrees: bearingDegrees, sigmaDegrees: sigmaDegrees)
    }
}

/// A flat frame around a point, good to a few tenths of a degree in direction over the tens of
/// kilometres a bearing reaches: enough for an association gate. Fixes themselves are
/// computed geodesically (`Triangulation`).
struct LocalPlane {
    let origin: GeoPoint
    let metresPerDegreeLat: Double
    let metresPerDegreeLon: Double

    init(origin: GeoPoint) {
        self.origin = origin
        let latitude = origin.lat * .pi / 180
        metresPerDegreeLat = 111_132.95 - 559.82 * cos(2 * latitude)
        metresPerDegreeLon = 111_412.88 * cos(latitude)
    }

    func east(_ point: GeoPoint) -> Double { (point.lon - origin.lon) * metresPerDegreeLon }
    func north(_ point: GeoPoint) -> Double { (point.lat - origin.lat) * metresPerDegreeLat }
}

/// Where two lines of bearing cross, if they do in front of both observers.
struct BearingCrossing {
    /// Distances along each line to the crossing, metres.
    var alongFirst: Double
    var alongSecond: Double
    /// The angle between the lines, 0–90°.
    var angleDegrees: Double
    /// About how far the crossing may be off: the larger of each line's one-σ sideways error
    /// at the crossing, over the sine of the angle between them.
    var spreadMetres: Double

    init?(_ a: LineOfBearing, _ b: LineOfBearing) {
        let plane = LocalPlane(origin: GeoPoint(lat: (a.observer.lat + b.observer.lat) / 2, lon: (a.observer.lon + b.observer.lon) / 2))
        let (ax, ay) = (plane.east(a.observer), plane.north(a.observer))
        let (bx, by) = (plane.east(b.observer), plane.north(b.observer))
        let (da, db) = (a.direction, b.direction)
        let cross = da.east * db.north - da.north * db.east
        guard abs(cross) > 1e-9 else { return nil }
        let (gx, gy) = (bx - ax, by - ay)
        alongFirst = (gx * db.north - gy * db.east) / cross
        alongSecond = (gx * da.north - gy * da.east) / cross
        angleDegrees = asin(min(abs(cross), 1)) * 180 / .pi
        spreadMetres = max(abs(alongFirst) * a.sigmaDegrees, abs(alongSecond) * b.sigmaDegrees) * .pi / 180 / max(abs(cross), 1e-9)
    }
}

/// Where a point lies as seen along a line of bearing.
struct BearingOffset {
    /// Distance ahead of the observer along the line (negative behind), metres.
    var along: Double
    /// Distance from the line, metres.
    var across: Double

    init(_ line: LineOfBearing, _ point: GeoPoint) {
        let plane = LocalPlane(origin: line.observer)
        let (x, y) = (plane.east(point), plane.north(point))
        let d = line.direction
        along = x * d.east + y * d.north
        across = abs(x * d.north - y * d.east)
    }
}
