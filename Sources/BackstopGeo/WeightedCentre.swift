import Foundation

/// Combining position estimates: the inverse-variance weighted centre of points, and the
/// radius of the combined estimate.
///
/// The centre is found in the azimuthal equidistant frame of the first point, built from PROJ's
/// geodesic solutions (distance and azimuth out, the direct problem back), which avoids
/// creating a PROJ transformation for each of the hundreds of thousands of small groups fusion
/// produces.
public enum PositionCombination {
    /// Each estimate is a point and the radius of its uncertainty (metres).
    public static func combine(_ estimates: [(point: GeoPoint, radiusMetres: Double)]) throws -> (point: GeoPoint, radiusMetres: Double) {
        guard let first = estimates.first else { throw LineGeometry.Failure(description: "nothing to combine") }
        if estimates.count == 1 { return (first.point, first.radiusMetres) }
        let geodesic = Geodesic.wgs84
        var sumEast = 0.0, sumNorth = 0.0, sumWeight = 0.0
        // Many records of one place (a camera's flood) need one geodesic, not one each.
        var measured: [GeoPoint: Geodesic.Inverse] = [:]
        for estimate in estimates {
            let weight = 1 / (max(estimate.radiusMetres, 1) * max(estimate.radiusMetres, 1))
            let inverse = measured[estimate.point] ?? {
                let inverse = geodesic.inverse(from: first.point, to: estimate.point)
                measured[estimate.point] = inverse
                return inverse
            }()
            let azimuth = inverse.initialAzimuth * .pi / 180
            sumEast += weight * inverse.distanceMetres * sin(azimuth)
            sumNorth += weight * inverse.distanceMetres * cos(azimuth)
            sumWeight += weight
        }
        let east = sumEast / sumWeight, north = sumNorth / sumWeight
        let centre = geodesic.destination(from: first.point, azimuthDegrees: atan2(east, north) * 180 / .pi,
                                          distanceMetres: (east * east + north * north).squareRoot())
        return (centre, (1 / sumWeight).squareRoot())
    }
}
