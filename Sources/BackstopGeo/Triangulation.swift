import Foundation

/// One bearing on an event, from an observer, camera or acoustic array.
public struct BearingObservation: Sendable, Hashable {
    public var observer: GeoPoint
    public var bearingDegrees: Double
    /// Standard deviation of the bearing, in degrees.
    public var sigmaDegrees: Double

    public init(observer: GeoPoint, bearingDegrees: Double, sigmaDegrees: Double) {
        self.observer = observer
        self.bearingDegrees = bearingDegrees
        self.sigmaDegrees = sigmaDegrees
    }
}

/// A position fixed from bearings, with its 95 % uncertainty ellipse.
public struct TriangulatedFix: Sendable, Hashable {
    public var point: GeoPoint
    public var semiMajorMetres: Double
    public var semiMinorMetres: Double
    /// Azimuth of the major axis, degrees clockwise from north in [0, 180).
    public var majorAxisAzimuthDegrees: Double
    /// The ellipse as a closed ring, for a map.
    public var ellipse: [GeoPoint]
    /// Covariance of east/north position in m², [ee, en, nn].
    public var covariance: [Double]
}

public enum TriangulationProblem: Error, Equatable, CustomStringConvertible {
    case tooFewBearings(Int)
    /// The bearing lines are parallel or nearly so; they cross at this angle.
    case nearlyParallel(crossingAngleDegrees: Double)
    /// The best crossing lies behind this observer (index into the bearings): the lines do not
    /// point at one event.
    case behindObserver(index: Int)
    case projection(String)

    public var description: String {
        switch self {
        case .tooFewBearings(let count): "triangulation needs at least 2 bearings (got \(count))"
        case .nearlyParallel(let angle): String(format: "the bearings are nearly parallel (they cross at %.1f°); no position can be fixed", angle)
        case .behindObserver(let index): "the bearings meet behind observer \(index + 1): they do not point at one event"
        case .projection(let reason): "projection failed: \(reason)"
        }
    }
}

/// Least-squares crossing of bearing lines (weighted by each bearing's angular error times its
/// range, iterated), worked in an azimuthal equidistant frame around the observers.
public enum Triangulation {
    /// Bearings crossing at less than this are refused as parallel.
    public static let minimumCrossingDegrees = 2.0
    /// 95 % quantile of the χ² distribution with 2 degrees of freedom.
    static let chiSquare95 = 5.991_464_547_107_979

    public static func locate(_ bearings: [BearingObservation]) throws(TriangulationProblem) -> TriangulatedFix {
        guard bearings.count >= 2 else { throw .tooFewBearings(bearings.count) }
        let centre = GeoPoint(lat: bearings.map(\.observer.lat).reduce(0, +) / Double(bearings.count),
                              lon: bearings.map(\.observer.lon).reduce(0, +) / Double(bearings.count))
        let projection: LocalProjection
        do { projection = try LocalProjection.around(centre) } catch { throw .projection("\(error)") }

        // Each bearing as a planar ray: origin and unit direction (east, north).
        let rays = bearings.map { bearing -> (origin: PlanarPoint, direction: PlanarPoint, sigma: Double) in
            let origin = projection.forward(bearing.observer)
            let ahead = projection.forward(Geodesic.wgs84.destination(from: bearing.observer, azimuthDegrees: bearing.bearingDegrees, distanceMetres: 1_000))
            let dx = ahead.x - origin.x, dy = ahead.y - origin.y
            let length = (dx * dx + dy * dy).squareRoot()
            return (origin, PlanarPoint(x: dx / length, y: dy / length), max(bearing.sigmaDegrees, 0.01) * .pi / 180)
        }

        let widest = widestCrossingAngle(rays.map(\.direction))
        guard widest >= minimumCrossingDegrees else { throw .nearlyParallel(crossingAngleDegrees: widest) }

        var estimate = solve(rays.map { ($0.origin, $0.direction, 1.0) })
        guard var point = estimate?.point else { throw .nearlyParallel(crossingAngleDegrees: widest) }
        for _ in 0..<5 {
            let weighted = rays.map { ray -> (PlanarPoint, PlanarPoint, Double) in
                let range = max(hypot(point.x - ray.origin.x, point.y - ray.origin.y), 1)
                return (ray.origin, ray.direction, 1 / (ray.sigma * ray.sigma * range * range))
            }
            guard let next = solve(weighted) else { throw .nearlyParallel(crossingAngleDegrees: widest) }
            estimate = next
            point = next.point
        }
        guard let estimate else { throw .nearlyParallel(crossingAngleDegrees: widest) }
        for (index, ray) in rays.enumerated() where (point.x - ray.origin.x) * ray.direction.x + (point.y - ray.origin.y) * ray.direction.y <= 0 {
            throw .behindObserver(index: index)
        }

        let (ee, en, nn) = (estimate.covariance.0, estimate.covariance.1, estimate.covariance.2)
        let mean = (ee + nn) / 2, spread = (((ee - nn) / 2) * ((ee - nn) / 2) + en * en).squareRoot()
        let major = (chiSquare95 * (mean + spread)).squareRoot(), minor = (chiSquare95 * max(mean - spread, 0)).squareRoot()
        // Angle of the major axis from east, counter-clockwise; azimuth is from north, clockwise.
        let angleFromEast = 0.5 * atan2(2 * en, ee - nn)
        var azimuth = 90 - angleFromEast * 180 / .pi
        azimuth = azimuth.truncatingRemainder(dividingBy: 180)
        if azimuth < 0 { azimuth += 180 }
        let ellipse = (0...72).map { step -> GeoPoint in
            let t = Double(step % 72) * 2 * .pi / 72
            let u = major * cos(t), v = minor * sin(t)
            return projection.inverse(PlanarPoint(x: point.x + u * cos(angleFromEast) - v * sin(angleFromEast),
                                                  y: point.y + u * sin(angleFromEast) + v * cos(angleFromEast)))
        }
        return TriangulatedFix(point: projection.inverse(point), semiMajorMetres: major, semiMinorMetres: minor,
                               majorAxisAzimuthDegrees: azimuth, ellipse: ellipse, covariance: [ee, en, nn])
    }

    /// The largest angle at which any two of the bearing lines cross, in degrees (0...90).
    static func widestCrossingAngle(_ directions: [PlanarPoint]) -> Double {
        var widest = 0.0
        for i in directions.indices {
            for j in directions.indices where j > i {
                let cross = abs(directions[i].x * directions[j].y - directions[i].y * directions[j].x)
                widest = max(widest, asin(min(cross, 1)) * 180 / .pi)
            }
        }
        return widest
    }

    /// Weighted least squares for the point nearest all lines: minimises Σ w (n·(x − p))².
    /// Returns the point and the inverse normal matrix (its covariance when w = 1/σ²).
    static func solve(_ lines: [(origin: PlanarPoint, direction: PlanarPoint, weight: Double)]) -> (point: PlanarPoint, covariance: (Double, Double, Double))? {
        var a11 = 0.0, a12 = 0.0, a22 = 0.0, b1 = 0.0, b2 = 0.0
        for line in lines {
            let nx = -line.direction.y, ny = line.direction.x
            let projected = nx * line.origin.x + ny * line.origin.y
            a11 += line.weight * nx * nx
            a12 += line.weight * nx * ny
            a22 += line.weight * ny * ny
            b1 += line.weight * nx * projected
            b2 += line.weight * ny * projected
        }
        let determinant = a11 * a22 - a12 * a12
        guard determinant > 1e-12 * max(a11 * a22, 1e-300) else { return nil }
        let point = PlanarPoint(x: (a22 * b1 - a12 * b2) / determinant, y: (a11 * b2 - a12 * b1) / determinant)
        return (point, (a22 / determinant, -a12 / determinant, a11 / determinant))
    }

    /// The Cramér–Rao lower bound on the east/north covariance of any unbiased position
    /// estimate from these bearings of a source at `truth`: the inverse Fisher information
    /// Σ nnᵀ/(σ² r²). Returns [ee, en, nn] in m².
    public static func cramerRaoBound(truth: GeoPoint, bearings: [BearingObservation]) throws -> [Double] {
        let projection = try LocalProjection.around(truth)
        var lines: [(PlanarPoint, PlanarPoint, Double)] = []
        for bearing in bearings {
            let origin = projection.forward(bearing.observer)
            let range = hypot(origin.x, origin.y)
            let direction = PlanarPoint(x: -origin.x / range, y: -origin.y / range)
            let sigma = bearing.sigmaDegrees * .pi / 180
            lines.append((origin, direction, 1 / (sigma * sigma * range * range)))
        }
        guard let result = solve(lines) else { throw LineGeometry.Failure(description: "the geometry has no finite bound") }
        return [result.covariance.0, result.covariance.1, result.covariance.2]
    }
}
