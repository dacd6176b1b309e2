import BackstopCore
import Foundation
import Testing

/// Acknowledged means durable: observations answered with 201 survive SIGKILL of the server.
extension ProcessTests {
@Suite struct DurabilityTests {
    static func batch(_ count: Int) -> (ids: [UUID], body: Data) {
        let ids = (0..<count).map { _ in UUID() }
        let observations = ids.map { id in
            #"{"id":"\#(id.uuidString.lowercased())","kind":"explosion","count":1,"observed_at":"2021-03-01T21:30:00Z","modality":"heard","observer":{"lat":48.14,"lon":37.75},"location":{"bearing_deg":135,"distance_km":{"min":3,"max":5}}}"#
        }
        return (ids, Data(("{\"observations\":[" + observations.joined(separator: ",") + "]}").utf8))
    }

    final class Acknowledged: @unchecked Sendable {
        private let lock = NSLock()
        private var ids: [UUID] = []
        private var stopped = false
        func add(_ new: [UUID]) { lock.withLock { ids += new } }
        var all: [UUID] { lock.withLock { ids } }
        func stop() { lock.withLock { stopped = true } }
        var isStopped: Bool { lock.withLock { stopped } }
    }

    // MARK: Tests

    @Test func everyAcknowledgedObservationSurvivesSIGKILL() async throws {
        let directory = BackstopProcess.temporaryDirectory()
        let token = try await BackstopProcess.run(["token", "create", "--role", "monitor", "--name", "patrol-7", "--data-dir", directory])
        #expect(token.status == 0, "\(token.stderr)")
        let secret = token.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let server = try RunningServer(dataDirectory: directory)
        let url = try await server.waitUntilListening()
        let acknowledged = Acknowledged()
        // Post until well past the first few hundred acknowledgements, then kill the server
        // while requests are still in flight.
        let posters = (0..<3).map { _ in
            Task {
                // Posters stop by a flag, not by cancellation: cancelling a URLSession request
                // while the server dies can deadlock FoundationNetworking on Linux.
                while !acknowledged.isStopped {
                    let (ids, body) = Self.batch(25)
                    guard let response = try? await HTTP.send("POST", url.appendingPathComponent("api/v1/observations"), token: secret, body: body) else { return }
                    if response.status == 201 { acknowledged.add(ids) } else { return }
                }
            }
        }
        while acknowledged.all.count < 600 { try await Task.sleep(for: .milliseconds(20)) }
        server.kill()
        acknowledged.stop()
        for poster in posters { await poster.value }
        let acked = Set(acknowledged.all)

        let restarted = try RunningServer(dataDirectory: directory)
        let newURL = try await restarted.waitUntilListening()
        defer { restarted.stop() }
        var found = Set<UUID>()
        var cursor: String?
        repeat {
            var components = URLComponents(url: newURL.appendingPathComponent("api/v1/observations"), resolvingAgainstBaseURL: false)!
            components.queryItems = [URLQueryItem(name: "limit", value: "1000")] + (cursor.map { [URLQueryItem(name: "cursor", value: $0)] } ?? [])
            let page = try await HTTP.send("GET", components.url!, token: secret)
            #expect(page.status == 200)
            let json = try JSONValue.parse(page.body)
            found.formUnion(json["observations"]?.arrayValue?.compactMap { $0["id"]?.stringValue.flatMap(UUID.init(uuidString:)) } ?? [])
            cursor = json["next_cursor"]?.stringValue
        } while cursor != nil
        #expect(acked.count >= 600)
        #expect(acked.subtracting(found).isEmpty, "\(acked.subtracting(found).count) acknowledged observations were lost")

        // A client that never saw its answer retries: nothing is duplicated.
        let (ids, body) = Self.batch(10)
        let first = try await HTTP.send("POST", newURL.appendingPathComponent("api/v1/observations"), token: secret, body: body)
        let retry = try await HTTP.send("POST", newURL.appendingPathComponent("api/v1/observations"), token: secret, body: body)
        #expect(first.status == 201)
        #expect(retry.status == 200)
        let health = try JSONValue.parse(try await HTTP.send("GET", newURL.appendingPathComponent("healthz"), token: nil).body)
        #expect(health["observations"]?.intValue == found.count + ids.count)
    }
}
}
