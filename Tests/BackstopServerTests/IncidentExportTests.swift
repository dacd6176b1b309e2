import BackstopCore
import BackstopServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Exports hold exactly what the listing with the same filters shows the same caller: every
/// filter honoured (the crisis-mapping complaint: an export that ignores the active filter),
/// the release level and the public redaction applied, in GeoJSON, ACLED CSV and NDJSON.
@Suite struct IncidentExportTests {
    static func download(_ client: any TestClientProtocol, _ server: TestServer, _ query: String, as name: String?) async throws -> (HTTPResponse.Status, String, HTTPFields) {
        try await client.execute(uri: "/api/v1/incidents/export?\(query)", method: .get, headers: server.headers(name), body: nil) { response in
            (response.status, String(buffer: response.body), response.headers)
        }
    }

    static func listed(_ client: any TestClientProtocol, _ server: TestServer, _ query: String, as name: String?) async throws -> [String] {
        let page = try await client.call(.get, "/api/v1/incidents?limit=1000&\(query)", as: name, server: server)
        #expect(page.status == .ok, "\(query): \(page.json)")
        return page.json["incidents"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
    }

    /// Incidents of several kinds, places and times; the first (with a finding) verified and public.
    static func populate(_ client: any TestClientProtocol, _ server: TestServer) async throws -> String {
        let released = try await IncidentWorkflowAPITests.incidentWithFinding(client, server)
        let version = try await IncidentWorkflowAPITests.verify(client, server, released)
        #expect(try await client.call(.post, "/api/v1/incidents/\(released)/release", as: "supervisor", server: server,
                                      body: #"{"level": "public", "version": \#(version)}"#).status == .ok)
        let api = IncidentAPITests()
        for (index, (kind, lat, lon)) in [("bursts_shots", 48.3, 38.0), ("explosion", 47.9, 37.6), ("uav_overflight", 48.6, 39.0), ("explosion", 48.15, 37.85)].enumerated() {
            let body = api.explosion(UUID(), lat: lat, lon: lon, seconds: 10 + index, kind: kind)
                .replacingOccurrences(of: "2021-03-01T21:30", with: "2021-03-01T1\(index):30")
            #expect(try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: body).status == .created)
        }
        return released
    }

    // MARK: Tests

    @Test func everyFilterOfTheListingHoldsForTheExport() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            _ = try await Self.populate(client, server)
            let queries = ["", "kind=explosion", "kind=bursts_shots,uav_overflight", "bbox=37.5,47.8,38.1,48.2", "from=2021-03-01T11:00:00Z",
                           "to=2021-03-01T12:00:00Z", "finding=any", "finding=prohibited_activity", "min_confidence=0.6", "state=verified",
                           "state=unreviewed&kind=explosion", "needs_review=true", "bbox=37.5,47.8,38.1,48.2&kind=explosion&from=2021-03-01T12:00:00Z"]
            for query in queries {
                let expected = try await Self.listed(client, server, query, as: "analyst")
                let (status, geojson, headers) = try await Self.download(client, server, "format=geojson&\(query)", as: "analyst")
                #expect(status == .ok && headers[.contentType] == "application/geo+json")
                #expect(headers[.contentDisposition]?.contains("attachment; filename=\"backstop-incidents-") == true)
                let collection = try JSONValue.parse(Data(geojson.utf8))
                #expect(collection["type"] == .string("FeatureCollection"))
                let features = collection["features"]?.arrayValue ?? []
                #expect(features.compactMap { $0["id"]?.stringValue } == expected, "geojson with \(query)")
                for feature in features {
                    let coordinates = feature["geometry"]?["coordinates"]?.arrayValue?.compactMap(\.doubleValue) ?? []
                    #expect(coordinates.count == 2 && (37...40).contains(coordinates[0]) && (47...49).contains(coordinates[1]), "longitude first")
                    #expect(feature["properties"]?["kind"] != nil)
                }
                let (_, ndjson, _) = try await Self.download(client, server, "format=ndjson&\(query)", as: "analyst")
                let lines = ndjson.split(separator: "\n").map { try? JSONValue.parse(Data($0.utf8)) }
                #expect(lines.compactMap { $0?["id"]?.stringValue } == expected, "ndjson with \(query)")
                let (_, csv, csvHeaders) = try await Self.download(client, server, "format=acled&\(query)", as: "analyst")
                #expect(csvHeaders[.contentType]?.hasPrefix("text/csv") == true)
                let rows = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }
                #expect(rows.first == ACLEDExport.columns.joined(separator: ","))
                #expect(rows.dropFirst().map { String($0.prefix(40)) } == expected.map { "BST-\($0)" }, "acled with \(query)")
            }
            let bad = try await client.call(.get, "/api/v1/incidents/export?format=xlsx", as: "analyst", server: server)
            #expect(bad.status == .unprocessableContent && bad.json["errors"]?.arrayValue?.first?["path"] == .string("format"))
            #expect(try await client.call(.get, "/api/v1/incidents/export", as: "analyst", server: server).status == .unprocessableContent)
            #expect(try await client.call(.get, "/api/v1/incidents/export?format=ndjson&limit=5", as: "analyst", server: server).status == .unprocessableContent,
                    "an export takes everything: limit is not one of its parameters")
        }
    }

    @Test func eachAudienceExportsWhatItMaySeeAsItMaySeeIt() async throws {
        var later = try await TestServer.make()
        later.now = TestServer.now.addingTimeInterval(2 * 86_400) // past the public's embargo
        let server = later
        try await server.run { client in
            let released = try await Self.populate(client, server)
            for name in ["partner", "party", nil] as [String?] {
                let expected = try await Self.listed(client, server, "", as: name)
                let (_, geojson, _) = try await Self.download(client, server, "format=geojson", as: name)
                let features = try JSONValue.parse(Data(geojson.utf8))["features"]?.arrayValue ?? []
                #expect(features.compactMap { $0["id"]?.stringValue } == expected)
                #expect(expected == [released], "only the released incident: \(name ?? "the public")")
            }
            // The public's coordinates are the redacted ones, and no sources or finding texts leave.
            let page = try await client.call(.get, "/api/v1/incidents", as: nil, server: server).json["incidents"]?.arrayValue?.first
            let (_, geojson, _) = try await Self.download(client, server, "format=geojson", as: nil)
            let feature = try JSONValue.parse(Data(geojson.utf8))["features"]?.arrayValue?.first
            #expect(feature?["geometry"]?["coordinates"]?.arrayValue?.compactMap(\.doubleValue) == [page?["place"]?["lon"]?.doubleValue, page?["place"]?["lat"]?.doubleValue].compactMap { $0 })
            #expect(feature?["properties"] == page)
            let (_, csv, _) = try await Self.download(client, server, "format=acled", as: nil)
            let row = try #require(csv.components(separatedBy: "\r\n").dropFirst().first)
            #expect(row.hasPrefix("BST-\(released),2021-03-01,2021,1,Political violence,Explosions/Remote violence,Shelling/artillery/missile attack"))
            #expect(!row.contains("breaks"), "the mission's finding texts stay inside: \(row)")
            let (_, staffCSV, _) = try await Self.download(client, server, "format=acled", as: "analyst")
            #expect(staffCSV.contains("breaks 'firing'"), "the mission's own export carries them")
        }
    }

    @Test func theFindingsLogExportsWhatItsListingHoldsAsNDJSONAndCSV() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            _ = try await Self.populate(client, server)
            // A read of the incidents waits until every record is fused, so the log is complete.
            _ = try await Self.listed(client, server, "", as: "analyst")
            let listed = try await client.call(.get, "/api/v1/findings?limit=1000", as: "analyst", server: server).json["findings"]?.arrayValue ?? []
            #expect(listed.count >= 2, "a finding detected, then confirmed")
            let (status, ndjson, headers) = try await client.execute(uri: "/api/v1/findings/export?format=ndjson", method: .get,
                                                                     headers: server.headers("analyst"), body: nil) {
                ($0.status, String(buffer: $0.body), $0.headers)
            }
            #expect(status == .ok && headers[.contentDisposition]?.contains("backstop-findings-") == true)
            #expect(ndjson.split(separator: "\n").map { try? JSONValue.parse(Data($0.utf8)) } == listed.map { Optional($0) })
            let csv = try await client.execute(uri: "/api/v1/findings/export?format=csv&after=1", method: .get, headers: server.headers("analyst"), body: nil) {
                String(buffer: $0.body)
            }
            let rows = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(rows.first?.hasPrefix("sequence,incident_id,incident_start,agreement_id,rule_id,kind") == true)
            #expect(rows.count == listed.count, "the header and every entry after the first")
            #expect(rows.dropFirst().first?.hasPrefix("2,") == true)
            #expect(try await client.call(.get, "/api/v1/findings/export?format=xlsx", as: "analyst", server: server).status == .unprocessableContent)
            #expect(try await client.call(.get, "/api/v1/findings/export?format=csv", as: "partner", server: server).status == .forbidden)
        }
    }
}
