import BackstopGeo
import Testing

@Suite struct TriangulationTests {
    let truth = GeoPoint(lat: 48.30, lon: 38.00)

    func bearing(from azimuth: Double, range: Double, sigma: Double = 2, offset: Double = 0) -> BearingObservation {
        let observer = Geodesic.wgs84.destination(from: truth, azimuthDegrees: azimuth, distanceMetres: range)
        let toward = Geodesic.wgs84.inverse(from: observer, to: truth).initialAzimuth
        return BearingObservation(observer: observer, bearingDegrees: (toward + offset + 360).truncatingRemainder(dividingBy: 360), sigmaDegrees: sigma)
    }

    // MARK: Tests

    @Test func exactBearingsMeetAtTheTruth() throws {
        let fix = try Triangulation.locate([bearing(from: 210, range: 9_000), bearing(from: 300, range: 14_000), bearing(from: 20, range: 8_000)])
        #expect(Geodesic.wgs84.distance(from: fix.point, to: truth) < 1)
        #expect(fix.semiMajorMetres >= fix.semiMinorMetres)
        #expect(fix.semiMinorMetres > 0)
        #expect(fix.ellipse.count == 73 && fix.ellipse.first == fix.ellipse.last)
    }

    @Test func twoPerpendicularBearingsGiveARoundishEllipse() throws {
        let fix = try Triangulation.locate([bearing(from: 180, range: 10_000), bearing(from: 270, range: 10_000)])
        #expect(Geodesic.wgs84.distance(from: fix.point, to: truth) < 1)
        // σ = 2° at 10 km is 349 m along each axis; the 95 % radius is √5.991 × 349 ≈ 854 m.
        #expect(abs(fix.semiMajorMetres - 854) < 15)
        #expect(abs(fix.semiMinorMetres - 854) < 15)
    }

    @Test func anErrorShiftsTheFixAlongTheEllipse() throws {
        let fix = try Triangulation.locate([bearing(from: 180, range: 10_000, offset: 1), bearing(from: 270, range: 10_000)])
        let error = Geodesic.wgs84.distance(from: fix.point, to: truth)
        #expect(error > 100 && error < 300, "1° at 10 km is about 175 m; got \(error)")
    }

    @Test func parallelBearingsAreRefused() {
        let a = bearing(from: 180, range: 10_000)
        var b = a
        b.observer = Geodesic.wgs84.destination(from: a.observer, azimuthDegrees: 90, distanceMetres: 1_000)
        #expect {
            try Triangulation.locate([a, b])
        } throws: { error in
            if case TriangulationProblem.nearlyParallel = error { return true }
            return false
        }
    }

    @Test func bearingsThatMeetBehindAnObserverAreRefused() {
        let ahead = bearing(from: 180, range: 10_000)
        let away = bearing(from: 270, range: 10_000, offset: 180)
        #expect(throws: TriangulationProblem.behindObserver(index: 1)) {
            try Triangulation.locate([ahead, away])
        }
    }

    @Test func oneBearingIsNotEnough() {
        #expect(throws: TriangulationProblem.tooFewBearings(1)) { try Triangulation.locate([bearing(from: 180, range: 10_000)]) }
    }

    @Test func theCramerRaoBoundIsTheFisherInverse() throws {
        let bearings = [bearing(from: 180, range: 10_000), bearing(from: 270, range: 10_000)]
        let bound = try Triangulation.cramerRaoBound(truth: truth, bearings: bearings)
        // Perpendicular lines, σr = 349 m each: the variances are 349² m², no covariance.
        let expected = 10_000 * 2 * Double.pi / 180
        #expect(abs(bound[0] - expected * expected) / (expected * expected) < 0.01)
        #expect(abs(bound[2] - expected * expected) / (expected * expected) < 0.01)
        #expect(abs(bound[1]) < 1)
    }
}
