import BackstopGeo
import Testing

/// Reference values come from outside PROJ: Vincenty's published Flinders Peak–Buninyong line
/// (Geoscience Australia), and Karney's independent Python implementation, geographiclib 2.0
/// (`Geodesic.WGS84.Inverse/Direct/Polygon`), run on 2026-11-25.
@Suite struct GeodesicTests {
    let geodesic = Geodesic.wgs84

    static func degrees(_ d: Double, _ m: Double, _ s: Double) -> Double {
        (abs(d) + m / 60 + s / 3600) * (d < 0 ? -1 : 1)
    }

    // MARK: Tests

    @Test func flindersPeakToBuninyongMatchesVincentysPublishedValue() {
        let flinders = GeoPoint(lat: Self.degrees(-37, 57, 3.72030), lon: Self.degrees(144, 25, 29.52440))
        let buninyong = GeoPoint(lat: Self.degrees(-37, 39, 10.15610), lon: Self.degrees(143, 55, 35.38390))
        let result = geodesic.inverse(from: flinders, to: buninyong)
        #expect(abs(result.distanceMetres - 54_972.271) < 0.001)
        let azimuth = result.initialAzimuth < 0 ? result.initialAzimuth + 360 : result.initialAzimuth
        #expect(abs(azimuth - Self.degrees(306, 52, 5.37)) < 0.5 / 3600)
    }

    @Test func longLineMatchesGeographicLib() {
        let result = geodesic.inverse(from: GeoPoint(lat: 40.64, lon: -73.78), to: GeoPoint(lat: 1.36, lon: 103.99))
        #expect(abs(result.distanceMetres - 15_347_512.940_513) < 0.001)
        #expect(abs(result.initialAzimuth - 3.305_773_478_017_6) < 1e-9)
        #expect(abs(result.finalAzimuth - 177.487_840_208_155) < 1e-9)
    }

    @Test func nearlyAntipodalLineMatchesGeographicLib() {
        let distance = geodesic.distance(from: GeoPoint(lat: 0, lon: 0), to: GeoPoint(lat: 0.5, lon: 179.5))
        #expect(abs(distance - 19_936_288.578_965) < 0.001)
    }

    @Test func directProblemAt150KilometresMatchesGeographicLib() {
        let end = geodesic.destination(from: GeoPoint(lat: 48.14019, lon: 37.75008), azimuthDegrees: 135, distanceMetres: 150_000)
        #expect(abs(end.lat - 47.177_586_407_274_134) < 1e-9)
        #expect(abs(end.lon - 39.149_311_230_919_77) < 1e-9)
        // and back: the inverse recovers the distance to a millimetre
        #expect(abs(geodesic.distance(from: GeoPoint(lat: 48.14019, lon: 37.75008), to: end) - 150_000) < 0.001)
    }

    @Test func avdiivkaToDonetskMatchesGeographicLib() {
        let distance = geodesic.distance(from: GeoPoint(lat: 48.14019, lon: 37.75008), to: GeoPoint(lat: 48.02, lon: 37.80))
        #expect(abs(distance - 13_872.109_538) < 0.001)
    }

    @Test func areaOfOneDegreeSquareAtTheEquatorMatchesGeographicLib() {
        let ring = [GeoPoint(lat: 0, lon: 0), GeoPoint(lat: 0, lon: 1), GeoPoint(lat: 1, lon: 1), GeoPoint(lat: 1, lon: 0), GeoPoint(lat: 0, lon: 0)]
        #expect(abs(geodesic.area(ofRing: ring) - 12_308_778_361.469_452) < 1)
    }

    @Test func lengthOfAPolylineIsTheSumOfItsSegments() {
        let a = GeoPoint(lat: 48.0, lon: 37.0), b = GeoPoint(lat: 48.1, lon: 37.2), c = GeoPoint(lat: 48.3, lon: 37.1)
        #expect(abs(geodesic.length(of: [a, b, c]) - geodesic.distance(from: a, to: b) - geodesic.distance(from: b, to: c)) < 1e-6)
        #expect(geodesic.length(of: [a]) == 0)
    }
}
