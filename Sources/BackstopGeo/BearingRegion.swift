/// Where a thing seen on a bearing at an assessed distance band can be: an annular sector
/// around the observer, widened by the observer's own position error.
public struct BearingRegion: Sendable, Hashable {
    /// On the bearing, in the middle of the distance band.
    public var bestPoint: GeoPoint
    public var polygon: PolygonRings
    /// The largest geodesic distance from the best point to the edge of the region.
    public var radiusMetres: Double

    public static func locate(
        observer: GeoPoint, bearingDegrees: Double, bearingErrorDegrees: Double,
        minMetres: Double, maxMetres: Double, observerAccuracyMetres: Double = 0
    ) throws -> BearingRegion {
        let geodesic = Geodesic.wgs84
        let (best, radius) = extent(observer: observer, bearingDegrees: bearingDegrees, bearingErrorDegrees: bearingErrorDegrees,
                                    minMetres: minMetres, maxMetres: maxMetres, observerAccuracyMetres: observerAccuracyMetres)
        let error = min(max(bearingErrorDegrees, 0), 180)
        let steps = max(2, Int((2 * error).rounded(.up)))
        let bearings = (0...steps).map { bearingDegrees - error + 2 * error * Double($0) / Double(steps) }
        var ring = bearings.map { geodesic.destination(from: observer, azimuthDegrees: $0, distanceMetres: maxMetres) }
        if minMetres > 0 {
            ring += bearings.reversed().map { geodesic.destination(from: observer, azimuthDegrees: $0, distanceMetres: minMetres) }
        } else if error < 180 {
            ring.append(observer)
        }
        ring.append(ring[0])
        var polygon: PolygonRings = [ring]
        if observerAccuracyMetres > 0 {
            polygon = try widened(polygon, by: observerAccuracyMetres, around: observer)
        }
        return BearingRegion(bestPoint: best, polygon: polygon, radiusMetres: radius)
    }

    /// The best point and the radius of `locate`'s region, without drawing it (what locating a
    /// record needs, at a fraction of the cost). The farthest point of an annular sector from a
    /// point on its middle bearing is one of its corners (along an arc or a radial edge the
    /// distance grows towards the ends), so four geodesics give the radius; widening by the
    /// observer's position error adds that error to it.
    public static func extent(
        observer: GeoPoint, bearingDegrees: Double, bearingErrorDegrees: Double,
        minMetres: Double, maxMetres: Double, observerAccuracyMetres: Double = 0
    ) -> (bestPoint: GeoPoint, radiusMetres: Double) {
        let geodesic = Geodesic.wgs84
        let best = geodesic.destination(from: observer, azimuthDegrees: bearingDegrees, distanceMetres: (minMetres + maxMetres) / 2)
        let error = min(max(bearingErrorDegrees, 0), 180)
        var corners = [-error, error].map { geodesic.destination(from: observer, azimuthDegrees: bearingDegrees + $0, distanceMetres: maxMetres) }
        if minMetres > 0 {
            corners += [-error, error].map { geodesic.destination(from: observer, azimuthDegrees: bearingDegrees + $0, distanceMetres: minMetres) }
        } else {
            corners.append(observer)
        }
        let radius = corners.map { geodesic.distance(from: best, to: $0) }.max() ?? 0
        return (best, radius + max(0, observerAccuracyMetres))
    }

    /// The region grown by a distance (the observer may have stood anywhere within it).
    private static func widened(_ polygon: PolygonRings, by metres: Double, around centre: GeoPoint) throws -> PolygonRings {
        let projection = try LocalProjection.around(centre)
        return try GEOSSession.run { session in
            guard let geometry = session.planarPolygon(polygon.map { $0.map(projection.forward) }) else {
                throw LineGeometry.Failure(description: "GEOS could not build the sector")
            }
            defer { session.destroy(geometry) }
            guard let grown = session.buffer(geometry, width: metres) else { throw LineGeometry.Failure(description: "GEOS could not widen the sector") }
            defer { session.destroy(grown) }
            guard let first = session.polygons(of: grown).first else { throw LineGeometry.Failure(description: "widening produced no polygon") }
            return first.map { $0.map(projection.inverse) }
        }
    }
}
