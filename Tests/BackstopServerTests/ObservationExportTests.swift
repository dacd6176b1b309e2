import BackstopCore
import BackstopServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The observation export holds exactly what paging through the listing with the same filters
/// gives the same caller, across more than one page of the store.
@Suite struct ObservationExportTests {
    static func observation(_ index: Int, kind: String) -> String {
        let minute = index % 60, hour = index / 60
        return #"{"id": "\#(UUID().uuidString.lowercased())", "kind": "\#(kind)", "count": 1, "observed_at": "2021-03-0\#(1 + hour / 24)T\#(String(format: "%02d", hour % 24)):\#(String(format: "%02d", minute)):00Z", "modality": "heard", "location": {"lat": \#(48 + Double(index % 50) / 100), "lon": 37.8, "accuracy_m": 300}}"#
    }

    /// Pages through the listing as `name`, as a client would.
    static func listed(_ client: any TestClientProtocol, _ server: TestServer, _ query: String, as name: String) async throws -> [String] {
        var ids: [String] = []
        var cursor = ""
        repeat {
            let parts = ["limit=1000", query, cursor.isEmpty ? "" : "cursor=\(cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"]
            let page = try await client.call(.get, "/api/v1/observations?" + parts.filter { !$0.isEmpty }.joined(separator: "&"), as: name, server: server)
            #expect(page.status == .ok, "\(page.json)")
            ids += page.json["observations"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            cursor = page.json["next_cursor"]?.stringValue ?? ""
        } while !cursor.isEmpty
        return ids
    }

    @Test func theExportHoldsWhatTheListingShowsAcrossPages() async throws {
        var paged = try await TestServer.make()
        paged.exportPageSize = 40 // the export reads the store in several pages
        let server = paged
        try await server.run { client in
            for (offset, count, kind) in [(0, 100, "explosion"), (100, 30, "bursts_shots")] {
                let batch = #"{"observations": [\#((offset..<offset + count).map { Self.observation($0, kind: kind) }.joined(separator: ","))]}"#
                #expect(try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: batch).status == .created)
            }
            for name in ["monitor-b", "partner"] {
                #expect(try await client.call(.post, "/api/v1/observations", as: name, server: server, body: Fixtures.observation()).status == .created)
            }
            for (name, query) in [("analyst", ""), ("analyst", "kind=explosion&from=2021-03-01T10:00:00Z"), ("analyst", "bbox=37.7,48.1,37.9,48.3"),
                                  ("monitor", ""), ("monitor-b", ""), ("partner", "")] {
                let expected = try await Self.listed(client, server, query, as: name)
                let ndjson = try await client.execute(uri: "/api/v1/observations/export?format=ndjson" + (query.isEmpty ? "" : "&\(query)"), method: .get, headers: server.headers(name), body: nil) {
                    ($0.status, String(buffer: $0.body), $0.headers)
                }
                #expect(ndjson.0 == .ok && ndjson.2[.contentDisposition]?.contains("backstop-observations-") == true)
                let ids = ndjson.1.split(separator: "\n").compactMap { try? JSONValue.parse(Data($0.utf8))["id"]?.stringValue }
                #expect(ids == expected, "\(name) \(query): \(ids.count) exported, \(expected.count) listed")
                let geojson = try await client.execute(uri: "/api/v1/observations/export?format=geojson" + (query.isEmpty ? "" : "&\(query)"), method: .get, headers: server.headers(name), body: nil) {
                    String(buffer: $0.body)
                }
                let features = try JSONValue.parse(Data(geojson.utf8))["features"]?.arrayValue ?? []
                #expect(features.compactMap { $0["id"]?.stringValue } == expected)
                #expect(features.allSatisfy { $0["geometry"]?["coordinates"]?.arrayValue?.first?.doubleValue == 37.8 || $0["geometry"] == .null })
            }
            #expect(try await Self.listed(client, server, "", as: "analyst").count == 132, "several pages of the export's reads")
            #expect(try await client.call(.get, "/api/v1/observations/export", as: "analyst", server: server).status == .unprocessableContent)
            #expect(try await client.call(.get, "/api/v1/observations/export?format=ndjson&reporter=monitor", as: "partner", server: server).status == .forbidden)
        }
    }
}
