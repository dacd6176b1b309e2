import BackstopCore
import BackstopData
import Foundation
import Testing

@Suite struct ComplianceTests {
    let checker = ComplianceChecker(agreement: try! AgreementParser().parse(SampleAgreements.documents().first { $0.name == "donbas-minsk-sample" }!.data))
    static let kostiantynivka = GeoPoint(lat: 48.5277, lon: 37.7069)   // 27 km behind the line, government side
    static let donetsk = GeoPoint(lat: 48.023, lon: 37.80224)          // 7 km from the 2014 line, armed formations' side

    func incident(_ kind: ObservationKind, at point: GeoPoint, on day: String, weapon: WeaponReport? = nil, liveFire: Bool = false) -> Incident {
        var record = FusionRecord(id: UUID(), kind: kind, start: Timestamp.parse("\(day)T10:00:00Z")!, end: Timestamp.parse("\(day)T10:00:00Z")!,
                                  timeToleranceSeconds: 120, point: point, radiusMetres: 500, source: "team-a", modality: .saw, count: 1, grade: nil)
        record.weapon = weapon
        record.liveFireTraining = liveFire
        return Incident(members: [record])
    }

    // MARK: Tests

    @Test func anMLRSInsideItsDistanceIsAFindingWithTheMeasuredDistance() throws {
        let findings = try checker.findings(for: incident(.weaponSighting, at: Self.kostiantynivka, on: "2016-05-01",
                                                          weapon: WeaponReport(model: "BM-21 Grad", weaponClass: .mlrs, quantity: 2)))
        #expect(findings.count == 1)
        let finding = try #require(findings.first)
        #expect(finding.kind == .weaponInsideWithdrawalDistance)
        #expect(finding.party == "ukraine")
        #expect(finding.limit == 35)
        #expect(abs((finding.measured ?? 0) - 27.1) < 0.2)
        #expect(finding.text.contains("2 × mlrs (BM-21 Grad) sighted 27.1 km from contact-line on Armed Forces of Ukraine's side; the limit for mlrs is 35 km"))
    }

    @Test func theOtherPartyMeasuresFromItsOwnLine() throws {
        let findings = try checker.findings(for: incident(.weaponSighting, at: Self.donetsk, on: "2016-05-01",
                                                          weapon: WeaponReport(model: "2S1", weaponClass: .artillery100mmPlus, quantity: 1)))
        #expect(findings.map(\.party) == ["armed-formations"])
        #expect(findings.first?.text.contains("from line-2014-09-19") == true)
    }

    @Test func beyondTheDistanceThereIsNoFinding() throws {
        let tank = try checker.findings(for: incident(.weaponSighting, at: Self.kostiantynivka, on: "2016-05-01", weapon: WeaponReport(weaponClass: .tank)))
        #expect(tank.isEmpty, "27 km is beyond the 15 km for tanks")
    }

    @Test func aRuleBeforeItsEffectiveTimeProducesNothing() throws {
        let weapon = WeaponReport(weaponClass: .tank, quantity: 3)
        let near = GeoPoint(lat: 48.7519, lon: 38.79153) // Krymske, 5.6 km from the line
        #expect(try checker.findings(for: incident(.weaponSighting, at: near, on: "2015-09-15", weapon: weapon)).isEmpty, "the tank rule starts on 1 Oct 2015")
        #expect(try checker.findings(for: incident(.weaponSighting, at: near, on: "2015-11-15", weapon: weapon)).map(\.ruleID) == ["tanks-light-artillery-mortars"])
        #expect(try checker.findings(for: incident(.weaponSighting, at: near, on: "2014-11-15", weapon: WeaponReport(weaponClass: .mlrs))).isEmpty, "before the agreement")
    }

    @Test func fireInsideADisengagementAreaIsAFinding() throws {
        let zolote = GeoPoint(lat: 48.685, lon: 38.53)
        let findings = try checker.findings(for: incident(.explosion, at: zolote, on: "2017-03-01"))
        #expect(findings.map(\.kind) == [.fireInProtectedZone])
        #expect(findings.first?.ruleID == "zolote")
        #expect(findings.first?.party == "ukraine", "the side of the contact line the fire landed on")
        #expect(try checker.findings(for: incident(.explosion, at: zolote, on: "2016-03-01")).isEmpty, "the area dates from 21 Sep 2016")
    }

    @Test func prohibitedActivitiesCountFromTheirEffectiveTime() throws {
        let uavBefore = try checker.findings(for: incident(.uavOverflight, at: Self.kostiantynivka, on: "2020-07-20"))
        let uavAfter = try checker.findings(for: incident(.uavOverflight, at: Self.kostiantynivka, on: "2020-08-01"))
        #expect(uavBefore.isEmpty)
        #expect(uavAfter.map(\.ruleID) == ["2020-no-aerial-vehicles"])
        let firing = try checker.findings(for: incident(.burstsShots, at: Self.kostiantynivka, on: "2021-02-01"))
        #expect(firing.map(\.ruleID) == ["2020-no-firing"])
        #expect(firing.map(\.party) == ["ukraine"])
        let mine = try checker.findings(for: incident(.mine, at: Self.kostiantynivka, on: "2016-02-01"))
        #expect(mine.map(\.ruleID) == ["no-new-mines"])
        let restriction = try checker.findings(for: incident(.freedomOfMovementRestriction, at: Self.kostiantynivka, on: "2016-02-01"))
        #expect(restriction.map(\.kind) == [.monitorsRestricted])
    }

    @Test func liveFireTrainingInsideTheSecurityZoneIsFlaggedSeparately() throws {
        let findings = try checker.findings(for: incident(.burstsShots, at: Self.kostiantynivka, on: "2021-02-01", liveFire: true))
        #expect(findings.map(\.kind) == [.liveFireInSecurityZone], "training is not counted as prohibited firing")
        #expect(findings.first?.limit == 70)
    }
}
