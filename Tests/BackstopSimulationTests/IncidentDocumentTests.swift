import BackstopCore
import BackstopData
import BackstopSimulation
import Foundation
import Testing

/// The stored form of incidents is written and read field by field (`IncidentDocument`); it
/// must be the form `Codable` gives, both ways, for incidents as fusion derives them (bearing
/// fixes, weapons, findings, casualties, unlocated ones) and as people then change them.
@Suite struct IncidentDocumentTests {
    static let agreement = try! AgreementParser().parse(SampleAgreements.documents().first { $0.name == "donbas-minsk-sample" }!.data)
    static let gazetteer = try! BundledGazetteer.load()

    /// A few days of a mission with bearing sensors, fused and checked, then a workflow on some.
    static func incidents() throws -> [StoredIncident] {
        var scenario = SimulationScenario(start: SimulationScenario.defaultStart, hours: 72, seed: 5)
        scenario.bearingCameraCount = 6
        scenario.bearingAcousticCount = 4
        let result = try Simulator(agreement: agreement, gazetteer: gazetteer, scenario: scenario).run()
        let resolver = LocationResolver(places: PlaceResolver(gazetteer: gazetteer, areas: [AreaOfOperations(agreement)]))
        var book = IncidentBook(compliance: MissionCompliance(agreements: [agreement], settlements: SettlementIndex(gazetteer)))
        book.add(result.observations.map { observation in
            let reporter = result.reporters[observation.id]!
            return FusionRecord(observation: observation, resolution: resolver.resolve(observation), reporter: reporter.reporter, reporterTeam: reporter.team)
        })
        let at = SimulationScenario.defaultStart + 0.123_456
        var stored = book.incidents.values.sorted { $0.id.uuidString < $1.id.uuidString }.enumerated().map { index, derived in
            var incident = StoredIncident(id: derived.id, summary: IncidentSummary(derived, findings: book.findings(for: derived.id), id: derived.id),
                                          firstSequence: Int64(index + 1), at: at + Double(index) / 7)
            incident.revision = Int64(index + 1)
            return incident
        }
        let corrections: JSONValue = .object(["kind": .string("shelling"), "location": .object(["lat": .number(48.123_456_7), "lon": .integer(38)]),
                                              "note": .string("tab\there, \"quoted\", é and 😀"), "casualties": .array([.integer(1), .null, .bool(true)])])
        for index in stride(from: 0, to: stored.count, by: 5) {
            var workflow = stored[index].workflow
            _ = try workflow.propose(verdict: index % 3 == 0 ? .verified : .notVerified, note: "seen by two teams", corrections: index % 2 == 0 ? corrections : .object([:]),
                                     by: "ana", role: .analyst, at: at + 60, expectedVersion: workflow.version)
            if index % 10 == 0 {
                try workflow.confirm(1, by: "sam", role: .supervisor, at: at + 120.5, expectedVersion: workflow.version)
                if workflow.holding?.verdict == .verified { try workflow.release(to: .partners, by: "sam", role: .supervisor, expectedVersion: workflow.version) }
                workflow.recordsJoined([UUID(), UUID()])
                stored[index].confirmedSummary = stored[index].summary
                stored[index].confirmedFindings = stored[index].summary.findings
                stored[index].confirmedRound = 1
            } else {
                try workflow.returnAssessment(1, reason: "the crater photo is missing", by: "sam", role: .supervisor, at: at + 90, expectedVersion: workflow.version)
            }
            stored[index].workflow = workflow
        }
        if stored.count > 3 { stored[3].retire(into: stored[2].id, at: at + 200) }
        return stored
    }

    @Test func theDocumentIsTheFormCodableGivesBothWays() throws {
        let incidents = try Self.incidents()
        #expect(incidents.count > 30)
        // What the simulation must exercise for this to mean something.
        #expect(incidents.contains { $0.summary.location?.triangulation != nil })
        #expect(incidents.contains { !$0.summary.weapons.isEmpty })
        #expect(incidents.contains { !$0.summary.findings.isEmpty })
        #expect(incidents.contains { $0.summary.location == nil })
        #expect(incidents.contains { $0.workflow.holding != nil && $0.workflow.releaseLevel == .partners })
        #expect(incidents.contains { $0.workflow.assessments.contains { $0.returnReason != nil } })
        for incident in incidents {
            let written = try #require(IncidentDocument.text(incident))
            #expect(try IncidentDocument.incident(from: written) == incident, "read back")
            #expect(try JSONDecoder().decode(StoredIncident.self, from: Data(written.utf8)) == incident, "read by Codable")
            let encoded = String(decoding: try JSONEncoder().encode(incident), as: UTF8.self)
            #expect(try IncidentDocument.incident(from: encoded) == incident, "Codable's read")
            #expect(try JSONValue.parse(written) == (try JSONValue.parse(encoded)), "the same document")
        }
    }

    @Test func aBrokenDocumentNamesTheField() throws {
        let incident = try #require(try Self.incidents().first { $0.summary.location != nil })
        guard case .object(var document) = try JSONValue.parse(try #require(IncidentDocument.text(incident))),
              case .object(var summary) = document["summary"], case .object(var location) = summary["location"] else {
            Issue.record("the document is not an object")
            return
        }
        location["lat"] = .string("north")
        summary["location"] = .object(location)
        document["summary"] = .object(summary)
        do {
            _ = try IncidentDocument.incident(from: String(decoding: JSONValue.object(document).canonicalData(), as: UTF8.self))
            Issue.record("a broken document was read")
        } catch {
            #expect("\(error)".contains("summary.location.lat is not a number"))
        }
        #expect(throws: IncidentDocument.Failure.self) { try IncidentDocument.incident(from: "[]") }
        #expect(throws: IncidentDocument.Failure.self) { try IncidentDocument.incident(from: "{") }
    }
}
