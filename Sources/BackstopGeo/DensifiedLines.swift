import Foundation
import Synchronization

/// Lines and rings densified along geodesics, kept for reuse with their bounding boxes:
/// compliance measures every incident against the same few agreement lines and zones, and
/// densifying a 400 km line at 500 m steps (800 geodesic steps), or projecting all of it, on
/// every call was most of the cost of a distance.
final class DensifiedLines: Sendable {
    static let shared = DensifiedLines()
    /// Agreements have a handful of lines and zones; a mission a few agreements.
    private static let capacity = 256

    private struct Key: Hashable {
        var line: [GeoPoint]
        var step: Double
    }

    private let cache = Mutex<[Key: DensifiedLine]>([:])

    func densified(_ line: [GeoPoint], stepMetres: Double = LineGeometry.densifyStepMetres) -> DensifiedLine {
        let key = Key(line: line, step: stepMetres)
        if let hit = cache.withLock({ $0[key] }) { return hit }
        let result = DensifiedLine(LineGeometry.densify(line, stepMetres: stepMetres))
        cache.withLock { cache in
            if cache.count >= Self.capacity { cache.removeAll() }
            cache[key] = result
        }
        return result
    }
}

/// A densified line (or ring) and the box around its positions, in degrees.
final class DensifiedLine: Sendable {
    let points: [GeoPoint]
    let south: Double, north: Double, west: Double, east: Double

    init(_ points: [GeoPoint]) {
        self.points = points
        south = points.map(\.lat).min() ?? 0
        north = points.map(\.lat).max() ?? 0
        west = points.map(\.lon).min() ?? 0
        east = points.map(\.lon).max() ?? 0
    }

    /// Whether the point may lie within `metres` of the line: false only when it certainly
    /// does not (outside the box widened by at least that distance on the ellipsoid).
    func mayBeWithin(_ metres: Double, of point: GeoPoint) -> Bool {
        // A degree of latitude is at least 110.57 km; a degree of longitude at least that times
        // the cosine of the highest latitude the widened box reaches.
        let dLat = metres / 110_000 + 1e-6
        let highest = min(89.9, max(abs(south), abs(north)) + dLat)
        let dLon = metres / (110_000 * cos(highest * .pi / 180)) + 1e-6
        guard point.lat >= south - dLat, point.lat <= north + dLat else { return false }
        if dLon >= 180 { return true }
        return point.lon >= west - dLon && point.lon <= east + dLon
    }

    /// The positions whose segments may hold the point of the line nearest `point`, and one
    /// segment more on each side (for the side at a corner): found in a plane that is
    /// approximate but close (equirectangular at the point), widened by a margin far larger
    /// than its error, so the exact measurement on these segments is the measurement on all.
    func nearSegments(to point: GeoPoint) -> ClosedRange<Int> {
        guard points.count > 2 else { return 0...(points.count - 1) }
        let (distances, nearest) = approximateSegmentDistances(to: point)
        // The plane's error grows with the latitude difference (see `settlesWithin`): under
        // 1.5 % within 50 km at latitudes to 60°, where the margin is twice that; a generous
        // one elsewhere.
        let margin = abs(point.lat) <= 60 && nearest <= 50_000 ? nearest * 0.03 + 300 : nearest * 0.1 + 2_000
        guard let first = distances.firstIndex(where: { $0 <= nearest + margin }),
              let last = distances.lastIndex(where: { $0 <= nearest + margin }) else { return 0...(points.count - 1) }
        return max(0, first - 1)...min(points.count - 1, last + 2)
    }

    /// How far the point is from the line in the same approximate plane, when that settles
    /// whether it lies within `metres`: nil when the answer is too close to call. The plane's
    /// scale is true at the point's latitude and off by tan(latitude) × the latitude difference
    /// elsewhere: within 6 % up to 200 km away at latitudes up to 60°, so a distance under
    /// 90 % of `metres` is within and one over 110 % is not.
    func settlesWithin(_ metres: Double, of point: GeoPoint) -> Bool? {
        guard abs(point.lat) <= 60, metres <= 200_000, points.count >= 2 else { return nil }
        let nearest = approximateSegmentDistances(to: point).nearest
        if nearest <= metres * 0.9 { return true }
        if nearest >= metres * 1.1 { return false }
        return nil
    }

    /// The distance from the point to each segment, and the least, in an equirectangular plane
    /// centred on the point.
    private func approximateSegmentDistances(to point: GeoPoint) -> (distances: [Double], nearest: Double) {
        let kx = 111_320 * cos(point.lat * .pi / 180), ky = 110_574.0
        func planar(_ p: GeoPoint) -> (Double, Double) {
            var dLon = p.lon - point.lon
            if dLon > 180 { dLon -= 360 } else if dLon < -180 { dLon += 360 }
            return (dLon * kx, (p.lat - point.lat) * ky)
        }
        var distances = [Double](repeating: 0, count: points.count - 1)
        var nearest = Double.infinity
        var (ax, ay) = planar(points[0])
        for index in 0..<(points.count - 1) {
            let (bx, by) = planar(points[index + 1])
            // Distance from the origin to the segment a–b.
            let (dx, dy) = (bx - ax, by - ay)
            let length = dx * dx + dy * dy
            let t = length > 0 ? max(0, min(1, -(ax * dx + ay * dy) / length)) : 0
            let (cx, cy) = (ax + t * dx, ay + t * dy)
            let distance = (cx * cx + cy * cy).squareRoot()
            distances[index] = distance
            nearest = min(nearest, distance)
            (ax, ay) = (bx, by)
        }
        return (distances, nearest)
    }
}
