import Foundation

/// Whether lines of bearing can all point at one event: they are crossed together (weighted
/// least squares in a flat frame around their observers) and each must pass the crossing
/// within its association gate (three standard deviations), in front of it and within its
/// reach. Two lines always meet; a third that misses their crossing describes another event.
/// Cheap enough to ask for every join the split of a component considers; the incident's own
/// fix is computed geodesically (`Triangulation`).
enum BearingConsistency {
    /// `records` are those holding lines; read in id order so the answer never depends on the
    /// order they arrived in.
    static func meetAtOnePoint(_ records: [FusionRecord]) -> Bool {
        let lines = records.sorted { UUIDOrder.less($0.id, $1.id) }.compactMap(\.lineOfBearing)
        guard lines.count > 2 else { return true }
        let plane = LocalPlane(origin: GeoPoint(lat: lines.map(\.observer.lat).reduce(0, +) / Double(lines.count),
                                                lon: lines.map(\.observer.lon).reduce(0, +) / Double(lines.count)))
        let origins = lines.map { (x: plane.east($0.observer), y: plane.north($0.observer)) }
        // First unweighted, then weighted by 1 / (σ·range)² at the first crossing.
        var point: (x: Double, y: Double)?
        for _ in 0..<2 {
            var a11 = 0.0, a12 = 0.0, a22 = 0.0, b1 = 0.0, b2 = 0.0
            for (line, origin) in zip(lines, origins) {
                let d = line.direction
                let (nx, ny) = (-d.north, d.east)
                var weight = 1.0
                if let point {
                    let range = max(hypot(point.x - origin.x, point.y - origin.y), 1)
                    let sigma = line.sigmaDegrees * .pi / 180
                    weight = 1 / (sigma * sigma * range * range)
                }
                let projected = nx * origin.x + ny * origin.y
                a11 += weight * nx * nx
                a12 += weight * nx * ny
                a22 += weight * ny * ny
                b1 += weight * nx * projected
                b2 += weight * ny * projected
            }
            let determinant = a11 * a22 - a12 * a12
            guard determinant > 1e-12 * max(a11 * a22, 1e-300) else { return false }
            point = ((a22 * b1 - a12 * b2) / determinant, (a11 * b2 - a12 * b1) / determinant)
        }
        guard let point else { return false }
        return zip(lines, origins).allSatisfy { line, origin in
            let (dx, dy) = (point.x - origin.x, point.y - origin.y)
            let d = line.direction
            let along = dx * d.east + dy * d.north, across = abs(dx * d.north - dy * d.east)
            guard along > 0, along <= line.maximumRangeMetres else { return false }
            return atan2(across, along) * 180 / .pi <= line.gateHalfAngleDegrees
        }
    }
}
