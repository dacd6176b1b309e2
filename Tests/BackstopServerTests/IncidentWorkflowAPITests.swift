import BackstopCore
import BackstopData
import BackstopServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The verification workflow over HTTP: proposal, four eyes, versions, every refusal, late
/// evidence, confirmed findings, release levels and the incident's history.
@Suite struct IncidentWorkflowAPITests {
    typealias Call = (status: HTTPResponse.Status, json: JSONValue, headers: HTTPFields)

    /// Two patrols hear one explosion after the 2020 firing ban: one incident with a finding.
    static func incidentWithFinding(_ client: any TestClientProtocol, _ server: TestServer) async throws -> String {
        #expect(try await client.call(.put, "/api/v1/agreements/donbas-minsk-sample", as: "admin", server: server, body: IncidentAPITests.donbas).status == .created)
        let api = IncidentAPITests()
        _ = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: api.explosion(UUID()))
        _ = try await client.call(.post, "/api/v1/observations", as: "monitor-b", server: server, body: api.explosion(UUID(), lat: 48.102, seconds: 20))
        let list = try await client.call(.get, "/api/v1/incidents", as: "analyst", server: server)
        return try #require(list.json["incidents"]?.arrayValue?.first?["id"]?.stringValue)
    }

    static func post(_ client: any TestClientProtocol, _ server: TestServer, _ path: String, as name: String, _ body: String?) async throws -> Call {
        try await client.call(.post, path, as: name, server: server, body: body)
    }

    /// The incident's version now (its ETag): fusion makes a new one whenever what it derived changes.
    static func version(_ client: any TestClientProtocol, _ server: TestServer, _ id: String) async throws -> Int {
        let incident = try await client.call(.get, "/api/v1/incidents/\(id)", as: "analyst", server: server)
        let version = try #require(incident.json["version"]?.intValue)
        #expect(incident.headers[.eTag] == "\"\(version)\"")
        return version
    }

    static func verify(_ client: any TestClientProtocol, _ server: TestServer, _ id: String) async throws -> Int {
        let current = try await version(client, server, id)
        let proposed = try await post(client, server, "/api/v1/incidents/\(id)/assessments", as: "analyst",
                                      #"{"verdict": "verified", "note": "two patrols, 20 s apart", "version": \#(current)}"#)
        #expect(proposed.status == .created, "\(proposed.json)")
        let version = try #require(proposed.json["version"]?.intValue)
        let confirmed = try await post(client, server, "/api/v1/incidents/\(id)/assessments/1/confirm", as: "supervisor", #"{"version": \#(version)}"#)
        #expect(confirmed.status == .ok, "\(confirmed.json)")
        return try #require(confirmed.json["version"]?.intValue)
    }

    // MARK: Tests

    @Test func aProposalConfirmedByASecondPersonVerifiesTheIncidentAndConfirmsItsFindings() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let id = try await Self.incidentWithFinding(client, server)
            let before = try await client.call(.get, "/api/v1/incidents/\(id)", as: "analyst", server: server)
            #expect(before.json["state"] == .string("unreviewed"))
            let first = try await Self.version(client, server, id)

            // If-Match carries the version as well as the body does.
            var headers = server.headers("analyst")
            headers[.ifMatch] = "\"\(first)\""
            let proposed = try await client.execute(uri: "/api/v1/incidents/\(id)/assessments", method: .post, headers: headers,
                                                    body: .init(string: #"{"verdict": "verified", "note": "two patrols", "corrections": {"events": 2, "weapon_class": "mortar"}}"#)) {
                ($0.status, try JSONValue.parse(String(buffer: $0.body)))
            }
            #expect(proposed.0 == .created)
            #expect(proposed.1["state"] == .string("proposed"))
            #expect(proposed.1["estimated_events"]?.intValue == 3, "a proposal changes nothing the incident says until it is confirmed")
            let version = try #require(proposed.1["version"]?.intValue)

            // The analyst may not confirm; a supervisor may not confirm a proposal of their own.
            #expect(try await Self.post(client, server, "/api/v1/incidents/\(id)/assessments/1/confirm", as: "analyst", nil).status == .forbidden)
            let stale = try await Self.post(client, server, "/api/v1/incidents/\(id)/assessments/1/confirm", as: "supervisor", #"{"version": \#(first)}"#)
            #expect(stale.status == .conflict)
            #expect(stale.json["error"] == .string("stale_version"))
            #expect(stale.headers[.eTag] == "\"\(version)\"")

            let confirmed = try await Self.post(client, server, "/api/v1/incidents/\(id)/assessments/1/confirm", as: "supervisor", #"{"version": \#(version)}"#)
            #expect(confirmed.status == .ok)
            #expect(confirmed.json["state"] == .string("verified"))
            #expect(confirmed.json["estimated_events"]?.intValue == 2, "the confirmed corrections now hold")
            #expect(confirmed.json["weapons"]?.arrayValue?.first?["class"] == .string("mortar"))
            #expect(confirmed.json["assessment"]?["decided_by"] == .string("supervisor"))

            let findings = try #require(try await client.call(.get, "/api/v1/findings", as: "analyst", server: server).json["findings"]?.arrayValue)
            let confirmedEntries = findings.filter { $0["incident_id"] == .string(id) && $0["confirmed"] == .bool(true) }
            #expect(!confirmedEntries.isEmpty, "the confirmation is logged for escalation")
            #expect(confirmedEntries.allSatisfy { $0["status"] == .string("confirmed") && $0["assessment"]?.intValue == 1 })

            // Re-assessed as not verified: the confirmed findings are retracted.
            let current = try #require(confirmed.json["version"]?.intValue)
            let second = try await Self.post(client, server, "/api/v1/incidents/\(id)/assessments", as: "supervisor",
                                             #"{"verdict": "not_verified", "note": "the second patrol heard another blast", "version": \#(current)}"#)
            #expect(second.status == .created)
            let own = try await Self.post(client, server, "/api/v1/incidents/\(id)/assessments/2/confirm", as: "supervisor",
                                          #"{"version": \#(second.json["version"]?.intValue ?? 0)}"#)
            #expect(own.status == .forbidden)
            #expect(own.json["error"] == .string("four_eyes"))
            #expect(own.json["message"]?.stringValue?.contains("four-eyes") == true)
            let other = try await Self.post(client, server, "/api/v1/incidents/\(id)/assessments/2/confirm", as: "supervisor-2",
                                            #"{"version": \#(second.json["version"]?.intValue ?? 0)}"#)
            #expect(other.json["state"] == .string("not_verified"))
            let log = try #require(try await client.call(.get, "/api/v1/findings", as: "analyst", server: server).json["findings"]?.arrayValue)
            #expect(log.contains { $0["incident_id"] == .string(id) && $0["status"] == .string("retracted") })

            // The trail names each step and who took it.
            let history = try await client.call(.get, "/api/v1/incidents/\(id)/history", as: "supervisor", server: server)
            let actions = history.json["entries"]?.arrayValue?.compactMap { $0["action"]?.stringValue } ?? []
            #expect(actions == ["assessment.proposed", "assessment.confirmed", "assessment.proposed", "assessment.confirmed"])
        }
    }

    @Test func everyRefusalIsAClear4xx() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let id = try await Self.incidentWithFinding(client, server)
            let unknown = UUID().uuidString.lowercased()
            let v = try await Self.version(client, server, id)
            let cases: [(path: String, name: String, body: String?, status: HTTPResponse.Status, code: String)] = [
                ("/api/v1/incidents/\(unknown)/assessments", "analyst", #"{"verdict": "verified", "note": "x", "version": \#(v)}"#, .notFound, "not_found"),
                ("/api/v1/incidents/\(id)/assessments", "analyst", #"{"verdict": "verified", "note": "x"}"#, .preconditionRequired, "version_required"),
                ("/api/v1/incidents/\(id)/assessments", "analyst", #"{"verdict": "maybe", "note": "x", "version": \#(v)}"#, .unprocessableContent, "validation_failed"),
                ("/api/v1/incidents/\(id)/assessments", "analyst", #"{"verdict": "verified", "note": "x", "version": \#(v), "corrections": {"events": 0, "colour": "red"}}"#,
                 .unprocessableContent, "validation_failed"),
                ("/api/v1/incidents/\(id)/assessments", "analyst", #"{"verdict": "verified", "note": "x", "version": \#(v + 5)}"#, .conflict, "stale_version"),
                ("/api/v1/incidents/\(id)/assessments/1/confirm", "supervisor", #"{"version": \#(v)}"#, .notFound, "not_found"),
                ("/api/v1/incidents/\(id)/release", "supervisor", #"{"level": "public", "version": \#(v)}"#, .conflict, "illegal_transition"),
                ("/api/v1/incidents/\(id)/release", "supervisor", #"{"level": "everyone", "version": \#(v)}"#, .unprocessableContent, "validation_failed"),
                ("/api/v1/incidents/\(id)/assessments/1/return", "supervisor", #"{"version": \#(v)}"#, .unprocessableContent, "validation_failed"),
                ("/api/v1/incidents/not-a-uuid/release", "supervisor", #"{"level": "public", "version": \#(v)}"#, .unprocessableContent, "validation_failed"),
            ]
            for item in cases {
                let answer = try await Self.post(client, server, item.path, as: item.name, item.body)
                #expect(answer.status == item.status, "\(item.path) \(item.body ?? "") → \(answer.status) \(answer.json)")
                #expect(answer.json["error"] == .string(item.code), "\(item.path) \(item.body ?? "") → \(answer.json)")
                #expect(answer.json["message"]?.stringValue?.isEmpty == false)
            }
            // A second proposal while one is pending names the state.
            _ = try await Self.post(client, server, "/api/v1/incidents/\(id)/assessments", as: "analyst", #"{"verdict": "verified", "note": "x", "version": \#(v)}"#)
            let twice = try await Self.post(client, server, "/api/v1/incidents/\(id)/assessments", as: "analyst", #"{"verdict": "verified", "note": "x", "version": \#(v + 1)}"#)
            #expect(twice.status == .conflict)
            #expect(twice.json["error"] == .string("illegal_transition"))
            #expect(twice.json["message"]?.stringValue?.contains("proposed") == true)
            // Returned with a reason: the queue has it back as unreviewed.
            let returned = try await Self.post(client, server, "/api/v1/incidents/\(id)/assessments/1/return", as: "supervisor", #"{"reason": "check the second patrol's distance", "version": \#(v + 1)}"#)
            #expect(returned.status == .ok)
            #expect(returned.json["state"] == .string("unreviewed"))
        }
    }

    @Test func lateEvidenceReturnsAVerifiedIncidentToTheQueueKeepingWhatWasConfirmed() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let id = try await Self.incidentWithFinding(client, server)
            let verified = try await Self.verify(client, server, id)
            #expect(try await Self.post(client, server, "/api/v1/incidents/\(id)/release", as: "supervisor", #"{"level": "partners", "version": \#(verified)}"#).status == .ok)
            #expect(try await client.call(.get, "/api/v1/incidents?needs_review=true", as: "analyst", server: server).json["incidents"]?.arrayValue?.isEmpty == true)
            let late = UUID()
            _ = try await client.call(.post, "/api/v1/observations", as: "monitor-solo", server: server, body: IncidentAPITests().explosion(late, lat: 48.101, seconds: 10))
            let incident = try await client.call(.get, "/api/v1/incidents/\(id)", as: "analyst", server: server)
            #expect(incident.json["record_count"]?.intValue == 3)
            #expect(incident.json["state"] == .string("verified"), "the confirmed assessment holds until a new one is confirmed")
            #expect(incident.json["new_evidence"] == .bool(true))
            #expect(incident.json["unassessed_observation_ids"] == .array([.string(late.uuidString.lowercased())]))
            let queue = try await client.call(.get, "/api/v1/incidents?needs_review=true", as: "analyst", server: server)
            #expect(queue.json["incidents"]?.arrayValue?.map { $0["id"] } == [.string(id)])
            let listed = try await client.call(.get, "/api/v1/incidents?state=verified", as: "analyst", server: server)
            #expect(listed.json["incidents"]?.arrayValue?.count == 1)
            // Partners see what was confirmed, not the evidence nobody has assessed yet.
            let partner = try await client.call(.get, "/api/v1/incidents/\(id)", as: "partner", server: server)
            #expect(partner.json["record_count"]?.intValue == 2)
        }
    }

    @Test func eachAudienceSeesWhatWasReleasedToItAndNoMore() async throws {
        var later = try await TestServer.make()
        later.now = Timestamp.parse("2021-03-05T00:00:00Z")!   // past the public embargo
        let server = later
        try await server.run { client in
            let id = try await Self.incidentWithFinding(client, server)
            var version = try await Self.verify(client, server, id)
            func visible(_ name: String?) async throws -> (list: Bool, detail: Call) {
                let list = try await client.call(.get, "/api/v1/incidents", as: name, server: server)
                let detail = try await client.call(.get, "/api/v1/incidents/\(id)", as: name, server: server)
                return (list.json["incidents"]?.arrayValue?.contains { $0["id"] == .string(id) } == true, detail)
            }
            let audiences: [(name: String?, level: ReleaseLevel)] = [("analyst", .internal), ("partner", .partners), ("party", .parties),
                                                                    ("public", .public), (nil, .public)]
            for level in [ReleaseLevel.internal, .partners, .parties, .public] {
                if level != .internal {
                    let released = try await Self.post(client, server, "/api/v1/incidents/\(id)/release", as: "supervisor", #"{"level": "\#(level.rawValue)", "version": \#(version)}"#)
                    #expect(released.status == .ok, "\(released.json)")
                    version = try #require(released.json["version"]?.intValue)
                }
                for audience in audiences {
                    let seen = try await visible(audience.name)
                    let expected = level >= audience.level
                    #expect(seen.list == expected, "\(audience.name ?? "no token") at \(level)")
                    #expect(seen.detail.status == (expected ? .ok : .notFound), "\(audience.name ?? "no token") at \(level)")
                    guard expected else { continue }
                    let body = seen.detail.json
                    switch audience.level {
                    case .internal:
                        #expect(body["observations"]?.arrayValue?.count == 2)
                        #expect(body["assessment"]?["note"] != nil)
                    case .partners, .parties:
                        #expect(body["observation_ids"] == .array([]), "no member records outside the mission")
                        #expect(body["assessment"]?["note"] == nil, "no notes outside the mission")
                        #expect(body["assessment"]?["proposed_by"] == nil, "nor who assessed it")
                        #expect(body["sources"] == (audience.level == .parties ? .array([]) : .array([.string("team-a"), .string("team-b")])),
                                "partners see which teams reported; the parties to the conflict only how many")
                        #expect(body["independent_sources"]?.intValue == 2)
                    case .public:
                        for hidden in ["sources", "grades", "observation_ids", "observations", "confidence", "assessment", "location"] {
                            #expect(body[hidden] == nil, "the public view has no \(hidden)")
                        }
                        #expect(body["start"] == .string("2021-03-01T21:00:00.000Z"), "times to the hour")
                        let place = try #require(body["place"])
                        for (axis, truth) in [("lat", 48.101), ("lon", 37.80)] {
                            let value = try #require(place[axis]?.doubleValue)
                            let cells = value / 0.05 - 0.5
                            #expect(abs(cells - cells.rounded()) < 1e-6, "a cell centre of the 0.05° grid: \(place)")
                            #expect(abs(value - truth) <= 0.05, "the cell holding the place: \(place)")
                        }
                        #expect(body["findings"]?.arrayValue?.first?["text"] == nil)
                        #expect(body["findings"]?.arrayValue?.isEmpty == false)
                    }
                }
            }
            // Narrowing a release is refused: what the public saw cannot be unseen.
            let narrow = try await Self.post(client, server, "/api/v1/incidents/\(id)/release", as: "supervisor", #"{"level": "partners", "version": \#(version)}"#)
            #expect(narrow.status == .conflict)
            // The public's filters work on what it sees: no narrowing a place down by bounding boxes.
            #expect(try await client.call(.get, "/api/v1/incidents?bbox=37.79,48.09,37.81,48.11", as: nil, server: server).json["incidents"]?.arrayValue?.isEmpty == true)
            #expect(try await client.call(.get, "/api/v1/incidents?min_confidence=0.5", as: nil, server: server).status == .unprocessableContent)
            // Nor order them by what it may not see (the queue order ranks by confidence).
            #expect(try await client.call(.get, "/api/v1/incidents?state=verified", as: nil, server: server).status == .unprocessableContent)
        }
    }

    @Test func thePublicSeesNothingUntilTheEmbargoHasPassed() async throws {
        let server = try await TestServer.make()   // its clock is 2.5 hours after the explosion
        try await server.run { client in
            let id = try await Self.incidentWithFinding(client, server)
            let version = try await Self.verify(client, server, id)
            #expect(try await Self.post(client, server, "/api/v1/incidents/\(id)/release", as: "supervisor", #"{"level": "public", "version": \#(version)}"#).status == .ok)
            #expect(try await client.call(.get, "/api/v1/incidents/\(id)", as: "partner", server: server).status == .ok)
            #expect(try await client.call(.get, "/api/v1/incidents/\(id)", as: nil, server: server).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/incidents", as: "public", server: server).json["incidents"]?.arrayValue?.isEmpty == true)
        }
    }

    /// Same intake, same decisions, fresh node: the same incident ids in the same states.
    @Test func replayingTheSameIntakeAndDecisionsOnAFreshNodeGivesTheSameIdsAndStates() async throws {
        actor Outcome {
            var states: [String: String] = [:]
            func set(_ value: [String: String]) { states = value }
        }
        // Fixed record ids: two patrols on one explosion, a lone record far away, and a late
        // record that bridges into the first incident.
        let records: [(id: UUID, lat: Double, seconds: Int, reporter: String)] = [
            (UUID(uuidString: "9a000000-0000-4000-8000-000000000001")!, 48.10, 0, "monitor"),
            (UUID(uuidString: "1b000000-0000-4000-8000-000000000002")!, 48.102, 20, "monitor-b"),
            (UUID(uuidString: "5c000000-0000-4000-8000-000000000003")!, 48.60, 5, "monitor"),
            (UUID(uuidString: "0d000000-0000-4000-8000-000000000004")!, 48.101, 10, "monitor-solo"),
        ]
        func play() async throws -> [String: String] {
            let server = try await TestServer.make()
            let outcome = Outcome()
            try await server.run { client in
                let api = IncidentAPITests()
                for (index, record) in records.enumerated() {
                    #expect(try await client.call(.post, "/api/v1/observations", as: record.reporter, server: server,
                                                  body: api.explosion(record.id, lat: record.lat, seconds: record.seconds)).status == .created)
                    if index == 1 {
                        // Verified before the late record arrives.
                        let id = IncidentIdentity.mintedID(from: records[0].id).uuidString.lowercased()
                        _ = try await Self.verify(client, server, id)
                    }
                }
                let far = IncidentIdentity.mintedID(from: records[2].id).uuidString.lowercased()
                let version = try await Self.version(client, server, far)
                _ = try await Self.post(client, server, "/api/v1/incidents/\(far)/assessments", as: "analyst",
                                        #"{"verdict": "rejected", "note": "a duplicate of a known report", "version": \#(version)}"#)
                let list = try await client.call(.get, "/api/v1/incidents", as: "analyst", server: server)
                var states: [String: String] = [:]
                for incident in list.json["incidents"]?.arrayValue ?? [] {
                    let newEvidence = incident["new_evidence"] == .bool(true) ? "+new_evidence" : ""
                    states[incident["id"]?.stringValue ?? ""] = (incident["state"]?.stringValue ?? "") + newEvidence
                }
                await outcome.set(states)
            }
            return await outcome.states
        }
        let first = try await play()
        let second = try await play()
        #expect(first.count == 2)
        #expect(first == second)
        #expect(first[IncidentIdentity.mintedID(from: records[0].id).uuidString.lowercased()] == "verified+new_evidence")
        #expect(first[IncidentIdentity.mintedID(from: records[2].id).uuidString.lowercased()] == "proposed")
    }

    @Test func analystsMergeAndSplitIncidentsAndTheIdsFollowTheRule() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let api = IncidentAPITests()
            // Two explosions 1.1 km apart: fusion keeps them apart; the analyst knows better.
            let (a, b, c) = (UUID(), UUID(), UUID())
            _ = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: api.explosion(a, lat: 48.10))
            _ = try await client.call(.post, "/api/v1/observations", as: "monitor-b", server: server, body: api.explosion(b, lat: 48.11, seconds: 3))
            _ = try await client.call(.post, "/api/v1/observations", as: "monitor-solo", server: server, body: api.explosion(c, lat: 48.11, seconds: 5))
            let first = IncidentIdentity.mintedID(from: a).uuidString.lowercased(), second = IncidentIdentity.mintedID(from: b).uuidString.lowercased()
            let secondVersion = try await Self.version(client, server, second)
            // Merged into the incident holding the oldest record, whichever id the request names.
            let merged = try await Self.post(client, server, "/api/v1/incidents/\(second)/merge", as: "analyst",
                                             #"{"other_id": "\#(first)", "version": \#(secondVersion)}"#)
            #expect(merged.status == .ok, "\(merged.json)")
            let survivor = try #require(merged.json["incidents"]?.arrayValue?.first)
            #expect(survivor["id"] == .string(first))
            #expect(survivor["record_count"]?.intValue == 3)
            #expect(survivor["analyst_edited"] == .bool(true))
            let retired = try await client.call(.get, "/api/v1/incidents/\(second)", as: "analyst", server: server)
            #expect(retired.status == .notFound)
            #expect(retired.json["error"] == .string("merged"))

            // Split b and c off again: the part with the oldest record (a) keeps the id, the
            // other gets a new one (never the retired id).
            let version = try await Self.version(client, server, first)
            let split = try await Self.post(client, server, "/api/v1/incidents/\(first)/split", as: "analyst",
                                            #"{"observation_ids": ["\#(b.uuidString.lowercased())", "\#(c.uuidString.lowercased())"], "version": \#(version)}"#)
            #expect(split.status == .ok, "\(split.json)")
            let parts = try #require(split.json["incidents"]?.arrayValue)
            #expect(parts.count == 2)
            #expect(parts.first?["id"] == .string(first))
            #expect(parts.first?["record_count"]?.intValue == 1)
            #expect(parts.last?["record_count"]?.intValue == 2)
            #expect(parts.last?["id"] == .string(IncidentIdentity.mintedID(from: b, counter: 1).uuidString.lowercased()))

            // Refusals: stale version, unknown and retired incidents, records not in it, all of it.
            let now = try await Self.version(client, server, first)
            let cases: [(path: String, body: String, status: HTTPResponse.Status, code: String)] = [
                ("/api/v1/incidents/\(first)/merge", #"{"other_id": "\#(first)", "version": \#(now)}"#, .unprocessableContent, "validation_failed"),
                ("/api/v1/incidents/\(first)/merge", #"{"other_id": "\#(UUID().uuidString)", "version": \#(now)}"#, .notFound, "not_found"),
                ("/api/v1/incidents/\(first)/merge", #"{"other_id": "\#(second)", "version": \#(now)}"#, .notFound, "merged"),
                ("/api/v1/incidents/\(first)/merge", #"{"other_id": "\#(parts.last?["id"]?.stringValue ?? "")", "version": \#(now + 3)}"#, .conflict, "stale_version"),
                ("/api/v1/incidents/\(first)/split", #"{"observation_ids": ["\#(b.uuidString)"], "version": \#(now)}"#, .conflict, "not_members"),
                ("/api/v1/incidents/\(first)/split", #"{"observation_ids": ["\#(a.uuidString)"], "version": \#(now)}"#, .conflict, "nothing_left"),
                ("/api/v1/incidents/\(first)/split", #"{"observation_ids": [], "version": \#(now)}"#, .unprocessableContent, "validation_failed"),
                ("/api/v1/incidents/\(first)/split", #"{"observation_ids": ["\#(a.uuidString)"]}"#, .preconditionRequired, "version_required"),
            ]
            for item in cases {
                let answer = try await Self.post(client, server, item.path, as: "analyst", item.body)
                #expect(answer.status == item.status, "\(item.path) \(item.body) → \(answer.json)")
                #expect(answer.json["error"] == .string(item.code), "\(item.path) \(item.body) → \(answer.json)")
            }
            #expect(try await Self.post(client, server, "/api/v1/incidents/\(first)/merge", as: "monitor", #"{"other_id": "\#(second)", "version": 1}"#).status == .forbidden)
            // Each decision is in the trail, and so is what fusion did with it.
            let actions = try await client.call(.get, "/api/v1/incidents/\(first)/history", as: "supervisor", server: server)
                .json["entries"]?.arrayValue?.compactMap { $0["action"]?.stringValue } ?? []
            #expect(actions.contains("decision.split") && actions.contains("incident.merged") && actions.contains("incident.split"), "\(actions)")
        }
    }

    /// The incident page offers the incidents close in time and place to merge with, and a
    /// checkbox per record to split off; its forms land on the incident holding the records.
    @Test func theIncidentPageMergesAndSplitsThroughItsForms() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let api = IncidentAPITests()
            let (a, b) = (UUID(), UUID())
            _ = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: api.explosion(a, lat: 48.10))
            _ = try await client.call(.post, "/api/v1/observations", as: "monitor-b", server: server, body: api.explosion(b, lat: 48.11, seconds: 3))
            let first = IncidentIdentity.mintedID(from: a).uuidString.lowercased(), second = IncidentIdentity.mintedID(from: b).uuidString.lowercased()
            var html = server.headers("analyst")
            html[.accept] = "text/html"
            let page = try await client.execute(uri: "/api/v1/incidents/\(second)", method: .get, headers: html, body: nil) { String(buffer: $0.body) }
            #expect(page.contains(#"<option value="\#(first)">"#), "the neighbour is offered for a merge")
            #expect(!page.contains("id=\"split\""), "one record: nothing to split")

            var form = server.headers("analyst")
            form[.contentType] = "application/x-www-form-urlencoded"
            let version = try await Self.version(client, server, second)
            let merged = try await client.execute(uri: "/api/v1/incidents/\(second)/merge", method: .post, headers: form,
                                                  body: ByteBuffer(string: "version=\(version)&other_id=\(first)")) { $0 }
            #expect(merged.status == .seeOther)
            #expect(merged.headers[.location] == "/api/v1/incidents/\(first)?f=html", "sent on to the survivor, not the retired id")

            let merged2 = try await client.execute(uri: "/api/v1/incidents/\(first)", method: .get, headers: html, body: nil) { String(buffer: $0.body) }
            #expect(merged2.contains(#"name="observation_ids" value="\#(b.uuidString.lowercased())""#), "a checkbox per record")
            let now = try await Self.version(client, server, first)
            let split = try await client.execute(uri: "/api/v1/incidents/\(first)/split", method: .post, headers: form,
                                                 body: ByteBuffer(string: "version=\(now)&observation_ids=\(b.uuidString.lowercased())")) { $0 }
            #expect(split.status == .seeOther)
            #expect(split.headers[.location] == "/api/v1/incidents/\(first)?f=html")
            #expect(try await client.call(.get, "/api/v1/incidents/\(first)", as: "analyst", server: server).json["record_count"]?.intValue == 1)
            // Refused from the page: the refusal's status, with the page as it stands now saying why.
            let stale = try await client.execute(uri: "/api/v1/incidents/\(first)/split", method: .post, headers: form,
                                                 body: ByteBuffer(string: "version=\(now)&observation_ids=\(a.uuidString.lowercased())")) {
                ($0.status, $0.headers[.contentType] ?? "", String(buffer: $0.body))
            }
            #expect(stale.0 == .conflict)
            #expect(stale.1.hasPrefix("text/html"))
            #expect(stale.2.contains("The incident changed while you were deciding"))
            // Two records named by repeating the field are both read (a form's checkboxes).
            let latest = try await Self.version(client, server, first)
            let both = try await client.execute(uri: "/api/v1/incidents/\(first)/split", method: .post, headers: form,
                                                body: ByteBuffer(string: "version=\(latest)&observation_ids=\(a.uuidString)&observation_ids=\(b.uuidString)")) {
                ($0.status, String(buffer: $0.body))
            }
            #expect(both.0 == .conflict)
            #expect(both.1.contains("Some of those records are no longer in this incident"))
            // A form naming no incident has no page to show: 404 as the API answers.
            let nowhere = try await client.execute(uri: "/api/v1/incidents/\(UUID().uuidString.lowercased())/split", method: .post, headers: form,
                                                   body: ByteBuffer(string: "version=1&observation_ids=\(a.uuidString)")) { $0.status }
            #expect(nowhere == .notFound)
        }
    }
}
