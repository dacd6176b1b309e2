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

    // MARK: Zone caps, settlements, several agreements

    static func sample(_ name: String) -> Agreement {
        try! AgreementParser().parse(SampleAgreements.documents().first { $0.name == name }!.data)
    }

    @Test func capsAreSummedOverTheIncidentsCurrentInTheZone() throws {
        let sinai = ComplianceChecker(agreement: Self.sample("sinai-treaty-sample"))
        let zoneA = GeoPoint(lat: 30.5, lon: 32.6)
        func tanks(_ quantity: Int, hour: Int, day: String = "2020-05-01") -> Incident {
            var record = FusionRecord(id: UUID(), kind: .weaponSighting, start: Timestamp.parse("\(day)T\(String(format: "%02d", hour)):00:00Z")!,
                                      end: Timestamp.parse("\(day)T\(String(format: "%02d", hour)):00:00Z")!, timeToleranceSeconds: 120,
                                      point: zoneA, radiusMetres: 500, source: "team-\(hour)", modality: .saw, count: 1, grade: nil)
            record.weapon = WeaponReport(model: "M60", weaponClass: .tank, quantity: quantity)
            return Incident(members: [record])
        }
        let earlier = [tanks(120, hour: 2), tanks(100, hour: 5)]
        #expect(try sinai.findings(for: tanks(5, hour: 9), current: [tanks(120, hour: 2)]).isEmpty, "125 of 230")
        let over = try sinai.findings(for: tanks(20, hour: 9), current: earlier)
        #expect(over.map(\.kind) == [.zoneCapExceeded])
        #expect(over.first?.measured == 240)
        #expect(over.first?.limit == 230)
        #expect(over.first?.party == "egypt")
        #expect(over.first?.agreementID == "sinai-treaty-sample")
        #expect(over.first?.text.contains("240 × tank sighted in") == true)
        #expect(over.first?.text.contains("across 3 incidents; the cap is 230") == true)
        #expect(try sinai.findings(for: tanks(20, hour: 9, day: "2020-05-03"), current: earlier).isEmpty, "sightings two days old are not current")
        #expect(try sinai.findings(for: tanks(1, hour: 9), current: []).isEmpty)
        let zoneC = GeoPoint(lat: 29.5, lon: 34.2)
        var one = tanks(1, hour: 9)
        one.point = zoneC
        #expect(try sinai.findings(for: one).map(\.ruleID) == ["zone-c/tank"], "zone C allows no tanks at all")
    }

    @Test func heavyWeaponsNearASettlementAfterTheProhibitionAreAFinding() throws {
        let withSettlements = ComplianceChecker(agreement: Self.sample("donbas-minsk-sample"), settlements: SettlementIndex(try BundledGazetteer.load()))
        // 7 km north of Horlivka's centre: inside its estimated 6.2 km extent plus 1 km.
        let nearHorlivka = Geodesic.wgs84.destination(from: GeoPoint(lat: 48.29986, lon: 38.01709), azimuthDegrees: 0, distanceMetres: 7_000)
        let mortar = WeaponReport(model: "2B11", weaponClass: .mortar, quantity: 2)
        let findings = try withSettlements.findings(for: incident(.weaponSighting, at: nearHorlivka, on: "2021-03-01", weapon: mortar))
        let settlement = try #require(findings.first { $0.kind == .heavyWeaponNearSettlement })
        #expect(settlement.ruleID == "2020-no-heavy-weapons-settlements")
        #expect(settlement.text.contains("2 × mortar (2B11) sighted"))
        #expect(settlement.text.contains("Horlivka"))
        #expect((settlement.measured ?? 9) <= 1)
        let before = try withSettlements.findings(for: incident(.weaponSighting, at: nearHorlivka, on: "2019-03-01", weapon: mortar))
        #expect(!before.contains { $0.kind == .heavyWeaponNearSettlement }, "the prohibition dates from 27 Jul 2020")
        let rifle = try withSettlements.findings(for: incident(.weaponSighting, at: nearHorlivka, on: "2021-03-01", weapon: WeaponReport(weaponClass: .smallArms)))
        #expect(!rifle.contains { $0.kind == .heavyWeaponNearSettlement }, "small arms are not heavy weapons")
        let farAway = Geodesic.wgs84.destination(from: GeoPoint(lat: 48.29986, lon: 38.01709), azimuthDegrees: 0, distanceMetres: 30_000)
        #expect(SettlementIndex(try BundledGazetteer.load()).nearest(to: farAway, within: 1_000).map(\.name) != "Horlivka")
    }

    @Test func anIncidentIsCheckedAgainstTheAgreementsWhoseAreaHoldsIt() throws {
        let mission = MissionCompliance(agreements: ["donbas-minsk-sample", "korea-dmz-sample", "sinai-treaty-sample"].map(Self.sample))
        let donbas = try mission.findings(for: incident(.uavOverflight, at: Self.kostiantynivka, on: "2020-08-01"))
        #expect(donbas.map(\.agreementID) == ["donbas-minsk-sample"])
        var nowhere = incident(.freedomOfMovementRestriction, at: Self.kostiantynivka, on: "2020-08-01")
        nowhere.point = nil
        #expect(try mission.findings(for: nowhere).isEmpty, "three agreements in force: an unlocated incident cannot be placed under one")
        #expect(try MissionCompliance(agreements: [Self.sample("sinai-treaty-sample")]).findings(for: nowhere).map(\.ruleID) == ["monitors-access"])
    }
}
