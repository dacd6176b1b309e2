/// Combining position estimates: the inverse-variance weighted centre of points, computed in a
/// local metric frame (PROJ), and the radius of the combined estimate.
public enum PositionCombination {
    /// Each estimate is a point and the 1-sigma-like radius of its uncertainty (metres).
    public static func combine(_ estimates: [(point: GeoPoint, radiusMetres: Double)]) throws -> (point: GeoPoint, radiusMetres: Double) {
        guard let first = estimates.first else { throw LineGeometry.Failure(description: "nothing to combine") }
        if estimates.count == 1 { return (first.point, first.radiusMetres) }
        let projection = try LocalProjection(centre: first.point)
        var sumX = 0.0, sumY = 0.0, sumWeight = 0.0
        for estimate in estimates {
            let planar = projection.forward(estimate.point)
            let weight = 1 / (max(estimate.radiusMetres, 1) * max(estimate.radiusMetres, 1))
            sumX += weight * planar.x
            sumY += weight * planar.y
            sumWeight += weight
        }
        let centre = projection.inverse(PlanarPoint(x: sumX / sumWeight, y: sumY / sumWeight))
        return (centre, (1 / sumWeight).squareRoot())
    }
}
