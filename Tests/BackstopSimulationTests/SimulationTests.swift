import BackstopCore
import BackstopData
import BackstopSimulation
import Foundation
import Testing

@Suite struct SimulationTests {
    static let agreement = try! AgreementParser().parse(SampleAgreements.documents().first { $0.name == "donbas-minsk-sample" }!.data)
    static let gazetteer = try! BundledGazetteer.load()

    func simulate(seed: UInt64, hours: Double = 12) throws -> SimulationResult {
        try Simulator(agreement: Self.agreement, gazetteer: Self.gazetteer,
                      scenario: SimulationScenario(start: SimulationScenario.defaultStart, hours: hours, seed: seed)).run()
    }

    @Test func theSameSeedGivesTheSameFilesAndAnotherSeedOthers() throws {
        let first = try simulate(seed: 11), again = try simulate(seed: 11), other = try simulate(seed: 12)
        #expect(first.observationsNDJSON == again.observationsNDJSON)
        #expect(first.truthJSON == again.truthJSON)
        #expect(first.observationsNDJSON != other.observationsNDJSON)
    }

    @Test func everyRecordIsValidIntakeAndEveryRecordIsAccountedFor() throws {
        let result = try simulate(seed: 3, hours: 24)
        let parser = ObservationParser()
        for line in result.observationsNDJSON.split(separator: 0x0A) {
            _ = try parser.parse(try JSONValue.parse(Data(line)))
        }
        let described = Set(result.events.flatMap(\.observationIDs)).union(result.falseReportIDs)
        #expect(Set(result.observations.map(\.id)) == described)
        #expect(Set(result.reporters.keys) == described)
        #expect(result.observations.count > Set(result.observations.map(\.id)).count, "some records are retried with the same id")
        let categories = Set(result.events.map(\.category))
        #expect(categories.isSuperset(of: [.shellingLaunch, .shellingImpact, .smallArmsFire, .weaponGroup]))
        let modalities = Set(result.observations.map(\.modality))
        #expect(modalities.isSuperset(of: [.heard, .camera, .acoustic, .partyAllegation]))
        #expect(result.observations.contains { if case .relativeToPlace = $0.location { true } else { false } }, "some records name a place")
        #expect(result.events.contains { $0.findings.contains { $0.kind == "weapon_inside_withdrawal_distance" } })
    }

    @Test func evaluationMeasuresFusionAndComplianceAgainstTheTruth() throws {
        let result = try simulate(seed: 4, hours: 24)
        let truth = try SimulationTruth(json: result.truthJSON)
        let report = try Evaluation(agreement: Self.agreement, gazetteer: Self.gazetteer).run(observations: result.observations, truth: truth)
        #expect(report["order_independent"]?.boolValue == true)
        #expect(report["retries_ignored"]?.intValue ?? 0 > 0)
        let f1 = try #require(report["association"]?["f1"]?.doubleValue)
        #expect(f1 > 0.9 && f1 <= 1, "F1 \(f1)")
        let countError = try #require(report["event_count"]?["relative_error"]?.doubleValue)
        #expect(abs(countError) < 0.1)
        let findingsRecall = try #require(report["findings"]?["recall"]?.doubleValue)
        #expect(findingsRecall > 0.9)
        let median = try #require(report["localisation_error_m"]?["median"]?.doubleValue)
        #expect(median > 0 && median < 1_000)
    }

    @Test func bearingOnlySensorsAreTriangulatedNearTheCramerRaoBoundWithoutHurtingAssociation() throws {
        var scenario = SimulationScenario(start: SimulationScenario.defaultStart, hours: 168, seed: 2)
        let plain = try Simulator(agreement: Self.agreement, gazetteer: Self.gazetteer, scenario: scenario).run()
        scenario.bearingCameraCount = 12
        scenario.bearingAcousticCount = 8
        let withSensors = try Simulator(agreement: Self.agreement, gazetteer: Self.gazetteer, scenario: scenario).run()
        // The sensors draw from a stream of their own: the same world, with their records added.
        #expect(withSensors.events.map(\.id) == plain.events.map(\.id))
        let sensorNames = Set(withSensors.sensors.map(\.name))
        #expect(withSensors.observations.filter { !sensorNames.contains(withSensors.reporters[$0.id]?.reporter ?? "") } == plain.observations,
                "every other record, retries included, arrives as it did")
        #expect(withSensors.sensors.count == 20)
        #expect(withSensors.sensors.contains { !$0.outages.isEmpty })
        let lines = withSensors.observations.filter { if case .relativeToObserver(let fix) = $0.location { fix.distance == nil } else { false } }
        #expect(lines.count > 500)
        let truth = try SimulationTruth(json: withSensors.truthJSON)
        #expect(truth.sensors.count == 20)
        for sensor in withSensors.sensors {
            for outage in sensor.outages {
                #expect(!lines.contains { truth.reporters[$0.id]?.reporter == sensor.name && outage.contains($0.observedAt.addingTimeInterval(-10)) && outage.contains($0.observedAt.addingTimeInterval(10)) },
                        "a sensor reports nothing while it is down")
            }
        }
        let evaluation = Evaluation(agreement: Self.agreement, gazetteer: Self.gazetteer)
        let before = try evaluation.run(observations: plain.observations, truth: try SimulationTruth(json: plain.truthJSON))
        let after = try evaluation.run(observations: withSensors.observations, truth: truth)
        #expect(after["order_independent"]?.boolValue == true)
        let triangulation = try #require(after["triangulation"])
        #expect(triangulation["incidents_measured"]?.intValue ?? 0 > 100)
        let ratio = try #require(triangulation["median_ratio_to_crlb"]?.doubleValue)
        #expect(ratio <= 1.1, "median error \(ratio)× the Cramér–Rao bound's")
        let f1Before = try #require(before["association"]?["f1"]?.doubleValue), f1After = try #require(after["association"]?["f1"]?.doubleValue)
        #expect(f1After >= f1Before, "association F1 \(f1Before) → \(f1After)")
        let countBefore = try #require(before["event_count"]?["relative_error"]?.doubleValue)
        let countAfter = try #require(after["event_count"]?["relative_error"]?.doubleValue)
        #expect(abs(countAfter) <= abs(countBefore), "count error \(countBefore) → \(countAfter)")
    }

    @Test func aMalformedTruthFileIsRefusedWithThePath() {
        #expect(throws: SimulationError.self) { try SimulationTruth(json: .object(["agreement": .string("x"), "events": .array([.object([:])])])) }
        do {
            _ = try SimulationTruth(json: .object(["agreement": .string("x"), "events": .array([.object([:])])]))
        } catch {
            #expect(error.description.contains("events[0]"))
        }
    }

    @Test func incidentsAndFindingsKeptUpToDateEqualThoseComputedAtOnce() throws {
        let result = try simulate(seed: 8, hours: 24)
        let resolver = LocationResolver(places: PlaceResolver(gazetteer: Self.gazetteer, areas: [AreaOfOperations(Self.agreement)]))
        let records = result.observations.map { observation in
            let reporter = result.reporters[observation.id]!
            return FusionRecord(observation: observation, resolution: resolver.resolve(observation), reporter: reporter.reporter, reporterTeam: reporter.team)
        }
        let compliance = MissionCompliance(agreements: [Self.agreement], settlements: SettlementIndex(Self.gazetteer))
        var oneByOne = IncidentBook(compliance: compliance)
        for record in records { oneByOne.add([record]) }
        var generator = SplitMix64(seed: 99)
        var atOnce = IncidentBook(compliance: compliance)
        atOnce.add(records.shuffled(using: &generator))
        #expect(oneByOne.incidents == atOnce.incidents)
        #expect(oneByOne.incidents.count > 50)
        for id in atOnce.incidents.ids {
            #expect(oneByOne.findings(for: id) == atOnce.findings(for: id))
        }
    }
}
