import BackstopCore
import BackstopServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Locations are resolved when observations arrive; the form given is kept beside the result.
@Suite struct ResolutionOnIntakeTests {
    func submit(_ location: String, server: TestServer, client: any TestClientProtocol) async throws -> JSONValue {
        let body = Fixtures.observation().replacingOccurrences(of: #""location": {"lat": 48.10, "lon": 37.80, "accuracy_m": 300}"#, with: #""location": \#(location)"#)
        let response = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: body)
        #expect(response.status == .created, "\(response.json)")
        return response.json
    }

    // MARK: Tests

    @Test func aPlacePhraseIsResolvedAndKeptAsGiven() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let stored = try await submit(#"{"place": "2 km NW of Avdiivka"}"#, server: server, client: client)
            #expect(stored["location"]?["place"] == .string("2 km NW of Avdiivka"))
            #expect(stored["resolved_location"]?["status"] == .string("resolved"))
            #expect(stored["resolved_location"]?["method"] == .string("gazetteer"))
            #expect(stored["resolved_location"]?["geonameid"] == .number(713122))
        }
    }

    @Test func aBearingAndBandIsResolvedToAPointWithARadius() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let stored = try await submit(#"{"bearing_deg": 135, "bearing_error_deg": 10, "distance_km": {"min": 3, "max": 5}}"#, server: server, client: client)
            #expect(stored["resolved_location"]?["method"] == .string("bearing_and_distance"))
            let radius = try #require(stored["resolved_location"]?["radius_m"]?.doubleValue)
            #expect(radius > 1_000 && radius < 1_500)
        }
    }

    @Test func whatCannotBeResolvedIsStoredWithTheReason() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let unknown = try await submit(#"{"place": "Atlantis"}"#, server: server, client: client)
            #expect(unknown["resolved_location"]?["status"] == .string("unresolved"))
            #expect(unknown["resolved_location"]?["reason"] == .string("unknown place 'Atlantis'"))
            let bearingOnly = try await submit(#"{"bearing_deg": 135}"#, server: server, client: client)
            #expect(bearingOnly["resolved_location"]?["reason"]?.stringValue?.contains("second bearing") == true)
        }
    }
}
