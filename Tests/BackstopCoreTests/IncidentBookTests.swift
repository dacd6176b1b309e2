import BackstopCore
import BackstopData
import Foundation
import Testing

/// Zone-cap findings sum over incidents, so a change to one incident must reach the others.
@Suite struct IncidentBookTests {
    static let sinai = try! AgreementParser().parse(SampleAgreements.documents().first { $0.name == "sinai-treaty-sample" }!.data)
    static let start = Timestamp.parse("2020-05-01T00:00:00Z")!
    let here = GeoPoint(lat: 30.5, lon: 32.6)      // zone A: at most 230 tanks
    let elsewhere = GeoPoint(lat: 30.6, lon: 32.6)  // also zone A, 11 km away

    func sighting(_ index: Int, tanks: Int?, at point: GeoPoint, hours: Double, untilHours: Double? = nil) -> FusionRecord {
        var record = FusionRecord(
            id: UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", index))!, kind: .weaponSighting,
            start: Self.start.addingTimeInterval(hours * 3_600), end: Self.start.addingTimeInterval((untilHours ?? hours) * 3_600),
            timeToleranceSeconds: 120, point: point, radiusMetres: 300, source: "patrol-\(index)", modality: .saw, count: 1, grade: nil
        )
        record.reporter = "patrol-\(index)/a"
        record.weapon = tanks.map { WeaponReport(model: "M60", weaponClass: .tank, quantity: $0) }
        return record
    }

    func capFindings(_ book: IncidentBook, containing index: Int) -> [Finding] {
        let id = book.incident(containing: UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", index))!)!.id
        return book.findings(for: id).filter { $0.kind == .zoneCapExceeded }
    }

    @Test func aLongSightingArrivingLateReachesIncidentsUpToADayAfterItsEnd() {
        let long = sighting(1, tanks: 200, at: elsewhere, hours: 0, untilHours: 36)
        let later = sighting(2, tanks: 100, at: here, hours: 30)
        for order in [[later, long], [long, later]] {
            var book = IncidentBook(compliance: MissionCompliance(agreements: [Self.sinai]))
            for record in order { book.add([record]) }
            #expect(capFindings(book, containing: 2).map(\.measured) == [300], "whatever the order")
        }
    }

    /// Sightings are looked up by the day they start: one that started four days before and
    /// lasted until shortly before still counts, and one that ended two days before does not.
    @Test func aSightingThatStartedDaysBeforeButLastedCountsAndAnOldOneDoesNot() {
        let lasting = sighting(1, tanks: 200, at: elsewhere, hours: 0, untilHours: 96)
        let over = sighting(2, tanks: 500, at: here, hours: 40, untilHours: 50)
        let now = sighting(3, tanks: 100, at: here, hours: 100)
        for order in [[now, lasting, over], [lasting, over, now], [over, now, lasting]] {
            var book = IncidentBook(compliance: MissionCompliance(agreements: [Self.sinai]))
            for record in order { book.add([record]) }
            #expect(capFindings(book, containing: 3).map(\.measured) == [300], "whatever the order")
        }
    }

    @Test func splittingAnIncidentWithdrawsTheTotalsItTookPartIn() {
        var book = IncidentBook(compliance: MissionCompliance(agreements: [Self.sinai]))
        book.add([sighting(1, tanks: nil, at: here, hours: 0, untilHours: 3), sighting(2, tanks: 200, at: here, hours: 2),
                  sighting(3, tanks: 100, at: elsewhere, hours: 1)])
        #expect(capFindings(book, containing: 3).map(\.measured) == [300])
        // The analyst splits the 200 tanks off: they were seen after the 100, so no longer count for them.
        _ = book.pin([UUID(uuidString: "00000000-0000-4000-8000-000000000001")!], to: UUID())
        #expect(capFindings(book, containing: 3).isEmpty)
        #expect(capFindings(book, containing: 2).map(\.measured) == [300], "the later sighting now carries the total")
    }
}
