import BackstopCore
import BackstopData
import BackstopServer
import Foundation
import HTTPTypes
import Testing

@Suite struct IncidentAPITests {
    static let donbas = String(decoding: try! SampleAgreements.documents().first { $0.name == "donbas-minsk-sample" }!.data, as: UTF8.self)

    /// An explosion at (lat, lon) heard at 21:30 + seconds on 1 March 2021, after the July 2020 firing ban.
    func explosion(_ id: UUID, lat: Double = 48.10, lon: Double = 37.80, seconds: Int = 0, accuracy: Int = 300, kind: String = "explosion") -> String {
        #"{"id":"\#(id.uuidString.lowercased())","kind":"\#(kind)","count":3,"observed_at":"2021-03-01T21:30:\#(String(format: "%02d", seconds))Z","modality":"heard","observer":{"lat":48.14,"lon":37.75},"location":{"lat":\#(lat),"lon":\#(lon),"accuracy_m":\#(accuracy)},"grading":{"source_reliability":"B","information_credibility":2}}"#
    }

    @Test func twoPatrolsHearingOneExplosionMakeOneIncidentWithItsFinding() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            #expect(try await client.call(.put, "/api/v1/agreements/donbas-minsk-sample", as: "admin", server: server, body: Self.donbas).status == .created)
            let (a, b) = (UUID(), UUID())
            #expect(try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: explosion(a)).status == .created)
            #expect(try await client.call(.post, "/api/v1/observations", as: "monitor-b", server: server, body: explosion(b, lat: 48.102, seconds: 20)).status == .created)

            let list = try await client.call(.get, "/api/v1/incidents", as: "analyst", server: server)
            #expect(list.status == .ok)
            let incidents = try #require(list.json["incidents"]?.arrayValue)
            #expect(incidents.count == 1)
            let incident = try #require(incidents.first)
            #expect(incident["record_count"]?.intValue == 2)
            #expect(incident["independent_sources"]?.intValue == 2)
            #expect(incident["sources"] == .array([.string("team-a"), .string("team-b")]))
            #expect(incident["estimated_events"]?.intValue == 3)
            #expect(incident["reportable"]?.boolValue == true)
            let findings = try #require(incident["findings"]?.arrayValue)
            #expect(findings.contains { $0["rule"]?.stringValue == "2020-no-firing" && $0["agreement"]?.stringValue == "donbas-minsk-sample" })

            let id = try #require(incident["id"]?.stringValue)
            let detail = try await client.call(.get, "/api/v1/incidents/\(id)", as: "supervisor", server: server)
            #expect(detail.status == .ok)
            let observations = try #require(detail.json["observations"]?.arrayValue)
            #expect(observations.count == 2)
            #expect(observations.compactMap { $0["joined_because"]?.stringValue }.count == 1)
            #expect(observations.compactMap { $0["joined_because"]?.stringValue }.first?.contains("same kind (explosion)") == true)

            // Not released: partners see no incidents, and this one does not exist for them.
            #expect(try await client.call(.get, "/api/v1/incidents", as: "partner", server: server).json["incidents"]?.arrayValue?.isEmpty == true)
            #expect(try await client.call(.get, "/api/v1/incidents/\(id)", as: "partner", server: server).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/incidents/\(id)", as: "monitor", server: server).status == .forbidden)
        }
    }

    @Test func filtersAndPagesNarrowTheList() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            _ = try await client.call(.put, "/api/v1/agreements/donbas-minsk-sample", as: "admin", server: server, body: Self.donbas)
            // Three separate incidents: two explosions far apart, and a tracer.
            _ = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: explosion(UUID()))
            _ = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: explosion(UUID(), lat: 48.5, lon: 38.5, seconds: 5))
            _ = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: explosion(UUID(), seconds: 9, kind: "tracer"))
            func count(_ query: String) async throws -> Int {
                let response = try await client.call(.get, "/api/v1/incidents?\(query)", as: "analyst", server: server)
                #expect(response.status == .ok, "\(query): \(response.json)")
                return response.json["incidents"]?.arrayValue?.count ?? -1
            }
            #expect(try await count("") == 3)
            #expect(try await count("kind=tracer") == 1)
            #expect(try await count("bbox=37.7,48.0,37.9,48.2") == 2)
            #expect(try await count("finding=prohibited_activity") == 3)
            #expect(try await count("finding=zone_cap_exceeded") == 0)
            #expect(try await count("min_confidence=0.9") == 0)
            #expect(try await count("from=2021-03-02T00:00:00Z") == 0)

            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await client.call(.get, "/api/v1/incidents?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), as: "analyst", server: server)
                seen += page.json["incidents"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                cursor = page.json["next_cursor"]?.stringValue
            } while cursor != nil
            #expect(seen.count == 3 && Set(seen).count == 3, "pages neither skip nor repeat")

            for (query, field) in [("kind=bang", "kind"), ("finding=nope", "finding"), ("min_confidence=2", "min_confidence"), ("cursor=zzz", "cursor"), ("colour=red", "colour")] {
                let response = try await client.call(.get, "/api/v1/incidents?\(query)", as: "analyst", server: server)
                #expect(response.status == .unprocessableContent, "\(query)")
                #expect(response.json["errors"]?.arrayValue?.first?["path"]?.stringValue == field, "\(query): \(response.json)")
            }
            #expect(try await client.call(.get, "/api/v1/incidents/not-a-uuid", as: "analyst", server: server).status == .unprocessableContent)
            #expect(try await client.call(.get, "/api/v1/incidents/\(UUID().uuidString)", as: "analyst", server: server).status == .notFound)
        }
    }

    @Test func aLateRecordMergesIncidentsAndTheRetiredIdSaysWhere() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let low = UUID(uuidString: "00000000-0000-4000-8000-000000000001")!
            let high = UUID(uuidString: "ffffffff-0000-4000-8000-000000000001")!
            _ = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: explosion(high, lat: 48.10))
            _ = try await client.call(.post, "/api/v1/observations", as: "monitor-b", server: server, body: explosion(low, lat: 48.11, seconds: 3))
            // 1.1 km apart with 300 m radii: two incidents, until a vaguer record between them arrives.
            let before = try #require(try await client.call(.get, "/api/v1/incidents", as: "analyst", server: server).json["incidents"]?.arrayValue)
            #expect(before.count == 2)
            func id(holding record: UUID, in incidents: [JSONValue]) -> String? {
                incidents.first { $0["observation_ids"]?.arrayValue?.contains(.string(record.uuidString.lowercased())) == true }?["id"]?.stringValue
            }
            let first = try #require(id(holding: high, in: before)), second = try #require(id(holding: low, in: before))
            // Minted ids, not record ids: the id does not change with the records that join.
            #expect(first == IncidentIdentity.mintedID(from: high).uuidString.lowercased())
            _ = try await client.call(.post, "/api/v1/observations", as: "monitor-solo", server: server, body: explosion(UUID(), lat: 48.105, seconds: 6, accuracy: 1_000))
            let incidents = try #require(try await client.call(.get, "/api/v1/incidents", as: "analyst", server: server).json["incidents"]?.arrayValue)
            #expect(incidents.count == 1)
            // The incident holding the oldest record (the first committed) keeps its id, whatever the record ids.
            #expect(incidents.first?["id"]?.stringValue == first)
            let retired = try await client.call(.get, "/api/v1/incidents/\(second)", as: "analyst", server: server)
            #expect(retired.status == .notFound)
            #expect(retired.json["error"]?.stringValue == "merged")
            #expect(retired.json["message"]?.stringValue?.contains(first) == true)
            #expect(try await client.call(.get, "/api/v1/incidents/\(high.uuidString.lowercased())", as: "analyst", server: server).status == .notFound,
                    "a record id is not an incident id")
        }
    }
}
