import BackstopCore
import BackstopStore
import BackstopServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct AgreementAPITests {
    @Test func everySaveIsANewVersionAndOldOnesStayReadable() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let first = try await client.call(.put, "/api/v1/agreements/test-agreement", as: "supervisor", server: server, body: Fixtures.agreement)
            #expect(first.status == .created)
            #expect(first.json["version"] == .number(1))
            let changed = Fixtures.agreement.replacingOccurrences(of: "\"title\":\"Test\"", with: "\"title\":\"Test, amended\",\"version\":2")
            let second = try await client.call(.put, "/api/v1/agreements/test-agreement", as: "supervisor", server: server, body: changed)
            #expect(second.status == .ok)
            #expect(second.headers[.eTag] == "\"2\"")
            let stale = try await client.call(.put, "/api/v1/agreements/test-agreement", as: "supervisor", server: server, body: changed)
            #expect(stale.status == .conflict)
            #expect(stale.json["error"] == .string("version_conflict"))

            let latest = try await client.call(.get, "/api/v1/agreements/test-agreement", as: "public", server: server)
            #expect(latest.json["title"] == .string("Test, amended"))
            let original = try await client.call(.get, "/api/v1/agreements/test-agreement?version=1", as: "public", server: server)
            #expect(original.json["title"] == .string("Test"))
            #expect(try await client.call(.get, "/api/v1/agreements/test-agreement?version=9", as: "public", server: server).status == .notFound)
            let list = try await client.call(.get, "/api/v1/agreements", as: "party", server: server)
            #expect(list.json["agreements"]?.arrayValue?.first?["version"] == .number(2))
            #expect(list.json["agreements"]?.arrayValue?.first?["lines"]?.arrayValue?.first?["length_km"] != nil)
        }
    }

    @Test func anInvalidAgreementIsRefusedWithPaths() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let crossing = Fixtures.agreement.replacingOccurrences(of: "[[37,47],[38,48]]", with: "[[37,47],[38,48],[38,47],[37,48]]")
            let response = try await client.call(.put, "/api/v1/agreements/test-agreement", as: "supervisor", server: server, body: crossing)
            #expect(response.status == .unprocessableContent)
            #expect(response.json["errors"]?.arrayValue?.first?["path"] == .string("lines[0].geometry.coordinates"))
            let mismatch = try await client.call(.put, "/api/v1/agreements/another-id", as: "supervisor", server: server, body: Fixtures.agreement)
            #expect(mismatch.status == .unprocessableContent)
            #expect(mismatch.json["errors"]?.arrayValue?.first?["path"] == .string("id"))
        }
    }
}

@Suite struct AgreementGeometryAPITests {
    @Test func theSampleIsDrawnWithItsWithdrawalAreas() async throws {
        let server = try await TestServer.make()
        _ = try await FirstStart.prepare(store: server.store, now: TestServer.now, demo: false)
        try await server.run { client in
            let response = try await client.call(.get, "/api/v1/agreements/donbas-minsk-sample/geometry", as: "public", server: server)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/geo+json")
            let features = response.json["features"]?.arrayValue ?? []
            let kinds = features.compactMap { $0["properties"]?["feature"]?.stringValue }
            #expect(kinds.filter { $0 == "line" }.count == 2)
            #expect(kinds.filter { $0 == "zone" }.count == 3)
            #expect(kinds.filter { $0 == "withdrawal_area" }.count == 8, "4 rules × 2 parties")
            let korea = try await client.call(.get, "/api/v1/agreements/korea-dmz-sample/geometry", as: "public", server: server)
            let dmz = korea.json["features"]?.arrayValue?.first { $0["properties"]?["id"] == .string("dmz") }
            #expect(dmz?["properties"]?["derived"] == .bool(true))
            #expect(dmz?["geometry"]?["type"] == .string("Polygon"))
            #expect(try await client.call(.get, "/api/v1/agreements/none/geometry", as: "public", server: server).status == .notFound)
        }
    }
}
