import BackstopCore
import BackstopServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The live stream of incident changes (server-sent events): what each audience is told, the
/// resumption by `Last-Event-ID`, a change made while a stream is open, and refused requests.
@Suite(.timeLimit(.minutes(10))) struct IncidentEventsTests {
    struct Event {
        var name: String
        var id: Int64?
        var data: JSONValue?
    }

    /// The events of a stream's text (blank-line separated blocks; comments dropped).
    static func events(_ text: String) -> [Event] {
        text.components(separatedBy: "\n\n").compactMap { block in
            var event = Event(name: "message")
            var seen = false
            for line in block.split(separator: "\n") where !line.hasPrefix(":") {
                let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2 else { continue }
                switch parts[0] {
                case "event": event.name = parts[1]; seen = true
                case "id": event.id = Int64(parts[1])
                case "data": event.data = try? JSONValue.parse(parts[1]); seen = true
                default: break
                }
            }
            return seen ? event : nil
        }
    }

    static func stream(_ client: any TestClientProtocol, _ server: TestServer, as name: String?, after: Int64?, timeout: Int = 0)
        async throws -> (status: HTTPResponse.Status, type: String?, events: [Event], json: JSONValue?) {
        var headers = server.headers(name)
        if let after { headers[HTTPField.Name("Last-Event-ID")!] = String(after) }
        return try await client.execute(uri: "/api/v1/incidents/events?timeout=\(timeout)", method: .get, headers: headers, body: nil) { response in
            let text = String(buffer: response.body)
            return (response.status, response.headers[.contentType], events(text), try? JSONValue.parse(text))
        }
    }

    static func named(_ events: [Event]) -> Set<String> {
        Set(events.filter { $0.name == "changed" }.flatMap { $0.data?["incidents"]?.arrayValue?.compactMap(\.stringValue) ?? [] })
    }

    @Test func eachAudienceIsToldOfTheChangesItMaySeeAndResumesWhereItLeftOff() async throws {
        var later = try await TestServer.make()
        later.now = Timestamp.parse("2021-03-05T00:00:00Z")!   // past the public embargo
        let server = later
        try await server.run { client in
            let id = try await IncidentWorkflowAPITests.incidentWithFinding(client, server)
            let mission = try await Self.stream(client, server, as: "analyst", after: 0)
            #expect(mission.status == .ok)
            #expect(mission.type?.hasPrefix("text/event-stream") == true)
            #expect(mission.events.first?.name == "ready")
            #expect(Self.named(mission.events).contains(id), "the mission is told of the new incident")
            let reached = try #require(mission.events.last?.id)

            // Nothing released: the public and the partners are told of nothing, not even that something changed.
            for outsider in [nil, "partner", "party"] as [String?] {
                let told = try await Self.stream(client, server, as: outsider, after: 0)
                #expect(told.status == .ok)
                #expect(told.events.filter { $0.name == "changed" }.isEmpty, "\(outsider ?? "no token") is told of nothing")
            }
            // Resuming where it left off: nothing new, nothing told.
            let resumed = try await Self.stream(client, server, as: "analyst", after: reached)
            #expect(resumed.events.map(\.name) == ["ready"])
            #expect(resumed.events.first?.id == reached)

            // Verified: the mission's work is not told to those who do not see the incident yet.
            let version = try await IncidentWorkflowAPITests.verify(client, server, id)
            // Released to the public while the public and a partner listen: both are told, without the revision.
            async let publicView = Self.stream(client, server, as: nil, after: nil, timeout: 4)
            async let partner = Self.stream(client, server, as: "partner", after: nil, timeout: 4)
            try await Task.sleep(for: .seconds(1))   // the streams open (and note what they see) first
            let released = try await IncidentWorkflowAPITests.post(client, server, "/api/v1/incidents/\(id)/release", as: "supervisor",
                                                                    #"{"level": "public", "version": \#(version)}"#)
            #expect(released.status == .ok)
            let (publicHeard, partnerHeard) = try await (publicView, partner)
            #expect(Self.named(publicHeard.events) == [id])
            #expect(Self.named(partnerHeard.events) == [id])
            for heard in [publicHeard, partnerHeard] {
                #expect(heard.events.allSatisfy { $0.id == nil }, "no revision outside the mission")
                #expect(heard.events.first?.data == .object([:]))
            }
            // A proposal on the released incident changes nothing the public sees: it is not told.
            let current = try await IncidentWorkflowAPITests.version(client, server, id)
            async let quiet = Self.stream(client, server, as: nil, after: nil, timeout: 4)
            try await Task.sleep(for: .seconds(1))
            let proposed = try await IncidentWorkflowAPITests.post(client, server, "/api/v1/incidents/\(id)/assessments", as: "analyst",
                                                                    #"{"verdict": "rejected", "note": "a second look", "version": \#(current)}"#)
            #expect(proposed.status == .created)
            // Nor is a new incident it may not see.
            let unreleased = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server,
                                                   body: IncidentAPITests().explosion(UUID(), lat: 48.50, lon: 38.60, seconds: 50))
            #expect(unreleased.status == .created)
            #expect(Self.named(try await quiet.events).isEmpty, "the mission's work is not the public's business")
            let missionHeard = try await Self.stream(client, server, as: "analyst", after: reached)
            #expect(Self.named(missionHeard.events).contains(id), "the mission hears of it")
            #expect(Self.named(missionHeard.events).count == 2, "and of the new incident")
        }
    }

    @Test func aStreamLeftOpenIsToldOfARecordFiledWhileItListens() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            _ = try await IncidentWorkflowAPITests.incidentWithFinding(client, server)
            let before = try await Self.stream(client, server, as: "analyst", after: nil)
            let reached = try #require(before.events.first?.id)
            // Opened from the point reached, so the order of the two requests does not matter. It
            // listens 15 s: the record is fused and stored in well under a second on an idle
            // machine, but the whole suite in parallel on two cores took longer than 2 s.
            async let listening = Self.stream(client, server, as: "analyst", after: reached, timeout: 15)
            let api = IncidentAPITests()
            let filed = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server,
                                              body: api.explosion(UUID(), lat: 48.40, seconds: 40))
            #expect(filed.status == .created)
            let heard = try await listening
            #expect(heard.status == .ok)
            let list = try await client.call(.get, "/api/v1/incidents?limit=100", as: "analyst", server: server)
            let newest = try #require(list.json["incidents"]?.arrayValue?.first { ($0["location"]?["lat"]?.doubleValue ?? 0) > 48.3 }?["id"]?.stringValue,
                                     "the incident 30 km north of the others")
            #expect(Self.named(heard.events).contains(newest), "\(heard.events.map(\.name))")
        }
    }

    @Test func refusedRequestsAreClear4xx() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            var headers = server.headers("analyst")
            headers[HTTPField.Name("Last-Event-ID")!] = "soon"
            let badID = try await client.execute(uri: "/api/v1/incidents/events?timeout=0", method: .get, headers: headers, body: nil) {
                ($0.status, try JSONValue.parse(String(buffer: $0.body)))
            }
            #expect(badID.0 == .unprocessableContent)
            #expect(badID.1["errors"]?.arrayValue?.first?["path"] == .string("Last-Event-ID"))
            for query in ["timeout=-1", "timeout=3601", "timeout=soon", "after=3"] {
                let refused = try await client.call(.get, "/api/v1/incidents/events?\(query)", as: "analyst", server: server)
                #expect(refused.status == .unprocessableContent, "\(query)")
            }
            #expect(try await client.call(.get, "/api/v1/incidents/events?timeout=0", as: "monitor", server: server).status == .forbidden)
        }
    }
}
