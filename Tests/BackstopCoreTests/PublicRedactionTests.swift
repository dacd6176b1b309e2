import BackstopCore
import BackstopData
import Foundation
import Testing

/// What the public view coarsens: place, time, and when it may be shown at all.
@Suite struct PublicRedactionTests {
    @Test func aPointGoesToTheCentreOfItsGridCellAndStaysOnTheGlobe() {
        #expect(PublicRedaction.snap(GeoPoint(lat: 48.101, lon: 37.812), degrees: 0.05) == GeoPoint(lat: 48.125, lon: 37.825))
        #expect(PublicRedaction.snap(GeoPoint(lat: -0.01, lon: -0.01), degrees: 0.05) == GeoPoint(lat: -0.025, lon: -0.025))
        let pole = PublicRedaction.snap(GeoPoint(lat: 90, lon: 180), degrees: 0.05)
        #expect(pole.isInRange, "a cell at the pole or the antimeridian does not put the point off the globe: \(pole)")
    }

    @Test func timesGoToTheHourAndTheEmbargoCountsFromTheEndOfThatHour() {
        let end = Timestamp.parse("2021-03-01T21:37:12Z")!
        #expect(PublicRedaction.hour(end) == Timestamp.parse("2021-03-01T21:00:00Z")!)
        let redaction = PublicRedaction(embargo: 24 * 3600)
        // 24 h after 22:00, not after 21:37: the moment it appears tells only the hour.
        #expect(redaction.isEmbargoed(eventEnd: end, now: Timestamp.parse("2021-03-02T21:59:59Z")!))
        #expect(!redaction.isEmbargoed(eventEnd: end, now: Timestamp.parse("2021-03-02T22:00:00Z")!))
    }

    @Test func nearASettlementNamesItAndFallsBackToTheGridBeyondReach() throws {
        let settlements = SettlementIndex(try BundledGazetteer.load())
        let redaction = PublicRedaction(place: .nearestSettlement(withinMetres: 10_000, fallbackDegrees: 0.05))
        // Avdiivka's centre, and a point in the Sea of Azov far from any bundled settlement.
        let town = redaction.coarsen(GeoPoint(lat: 48.139, lon: 37.742), settlements: settlements)
        #expect(town.point == nil)
        #expect(town.near?.isEmpty == false)
        let sea = redaction.coarsen(GeoPoint(lat: 46.31, lon: 36.61), settlements: settlements)
        #expect(sea.near == nil)
        #expect(sea.point == GeoPoint(lat: 46.325, lon: 36.625))
    }
}
