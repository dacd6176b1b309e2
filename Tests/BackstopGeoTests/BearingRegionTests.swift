import BackstopGeo
import Testing

@Suite struct BearingRegionTests {
    let observer = GeoPoint(lat: 48.14, lon: 37.75)

    // MARK: Tests

    @Test func theBestPointIsOnTheBearingInTheMiddleOfTheBand() throws {
        let region = try BearingRegion.locate(observer: observer, bearingDegrees: 135, bearingErrorDegrees: 10, minMetres: 3_000, maxMetres: 5_000)
        let inverse = Geodesic.wgs84.inverse(from: observer, to: region.bestPoint)
        #expect(abs(inverse.distanceMetres - 4_000) < 0.01)
        #expect(abs(inverse.initialAzimuth - 135) < 1e-6)
        #expect(try LineGeometry.contains(region.polygon, region.bestPoint))
        // The far corners: 5 km at 125° and 145° are about 1.3 km from the best point.
        #expect(region.radiusMetres > 1_000 && region.radiusMetres < 1_500)
    }

    @Test func everyPointOfTheSectorIsInside() throws {
        let region = try BearingRegion.locate(observer: observer, bearingDegrees: 350, bearingErrorDegrees: 15, minMetres: 2_000, maxMetres: 6_000)
        for bearing in stride(from: 336.0, through: 364.0, by: 4) {
            for distance in stride(from: 2_100.0, through: 5_900, by: 950) {
                let point = Geodesic.wgs84.destination(from: observer, azimuthDegrees: bearing, distanceMetres: distance)
                #expect(try LineGeometry.contains(region.polygon, point), "\(bearing)° \(distance) m")
            }
        }
        let outside = Geodesic.wgs84.destination(from: observer, azimuthDegrees: 20, distanceMetres: 4_000)
        #expect(try !LineGeometry.contains(region.polygon, outside))
    }

    @Test func theObserversOwnErrorWidensTheRegion() throws {
        let sharp = try BearingRegion.locate(observer: observer, bearingDegrees: 90, bearingErrorDegrees: 5, minMetres: 1_000, maxMetres: 2_000)
        let widened = try BearingRegion.locate(observer: observer, bearingDegrees: 90, bearingErrorDegrees: 5, minMetres: 1_000, maxMetres: 2_000, observerAccuracyMetres: 500)
        #expect(widened.radiusMetres > sharp.radiusMetres + 400)
        let nearObserver = Geodesic.wgs84.destination(from: observer, azimuthDegrees: 90, distanceMetres: 2_400)
        #expect(try LineGeometry.contains(widened.polygon, nearObserver))
        #expect(try !LineGeometry.contains(sharp.polygon, nearObserver))
    }

    /// The radius comes from the sector's corners alone: it must be the farthest of all the drawn
    /// region's points, narrow or wide, with or without a near edge; widened, the drawn buffer's
    /// round corners (straight segments) lie at most a few hundredths of the widening inside it.
    @Test(arguments: [(10.0, 3_000.0, 5_000.0), (2.0, 0.0, 12_000.0), (60.0, 1_000.0, 9_000.0), (150.0, 500.0, 4_000.0), (180.0, 0.0, 3_000.0)])
    func theRadiusIsTheFarthestPointOfTheRegion(error: Double, minMetres: Double, maxMetres: Double) throws {
        for widening in [0.0, 20.0, 800.0] {
            let region = try BearingRegion.locate(observer: observer, bearingDegrees: 200, bearingErrorDegrees: error,
                                                  minMetres: minMetres, maxMetres: maxMetres, observerAccuracyMetres: widening)
            let farthest = region.polygon.flatMap { $0 }.map { Geodesic.wgs84.distance(from: region.bestPoint, to: $0) }.max()!
            #expect(region.radiusMetres >= farthest - 0.001 * maxMetres, "±\(error)°, \(minMetres)–\(maxMetres) m, widened \(widening) m")
            #expect(region.radiusMetres - farthest <= 0.02 * widening + 0.01, "±\(error)°, \(minMetres)–\(maxMetres) m, widened \(widening) m")
        }
    }
}
