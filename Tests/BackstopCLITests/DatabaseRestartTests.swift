import BackstopCore
import Foundation
import Synchronization
import Testing

/// The database going away under load: clients get 503 with Retry-After, never a 500 or a
/// hang, Backstop recovers by itself when the database is back, and nothing acknowledged is lost.
extension ProcessTests {
@Suite(.enabled(if: TestPostgres.restartAvailable, "needs BACKSTOP_TEST_RESTART_POSTGRES_URL and _PG_CTL (./scripts/test.sh starts one)"))
struct DatabaseRestartTests {
    struct Tally {
        var acknowledged: [UUID] = []
        var statuses: [Int: Int] = [:]
        var unavailableWithRetryAfter = 0
        var acknowledgedAfterRestart = 0
        var restarted = false
        var stopped = false
    }

    final class Shared<Value: Sendable>: Sendable {
        private let value: Mutex<Value>
        init(_ value: Value) { self.value = Mutex(value) }
        func withLock<T>(_ body: (inout Value) -> T) -> T { value.withLock { body(&$0) } }
    }

    @Test func aDatabaseRestartUnderLoadGives503sAndLosesNothing() async throws {
        let database = try TestPostgres.freshSchema(of: TestPostgres.restartURL, variable: "BACKSTOP_TEST_RESTART_POSTGRES_URL")
        guard let control = TestPostgres.restartControl else { throw TestPostgres.Missing(variable: "BACKSTOP_TEST_RESTART_PG_CTL") }
        let directory = BackstopProcess.temporaryDirectory()
        let server = try RunningServer(dataDirectory: directory, arguments: ["--database", database, "--node-name", "restart-node"])
        let url = try await server.waitUntilListening()
        defer { server.stop() }
        let monitor = try await ClusterTests.token("monitor", "patrol-restart", team: "r", database: database)
        let endpoint = URL(string: url.absoluteString + "/api/v1/observations")!

        let tally = Shared(Tally())
        let posters = (0..<2).map { _ in
            Task {
                while !tally.withLock({ $0.stopped }) {
                    let (ids, body) = DurabilityTests.batch(10)
                    guard let response = try? await HTTP.exchange("POST", endpoint, token: monitor, body: body) else {
                        try? await Task.sleep(for: .milliseconds(100))
                        continue
                    }
                    tally.withLock { tally in
                        tally.statuses[response.status, default: 0] += 1
                        if response.status == 201 || response.status == 200 {
                            tally.acknowledged += ids
                            if tally.restarted { tally.acknowledgedAfterRestart += ids.count }
                        }
                        if response.status == 503, response.headers["retry-after"] != nil,
                           (try? JSONValue.parse(response.body))?["error"]?.stringValue == "unavailable" {
                            tally.unavailableWithRetryAfter += 1
                        }
                    }
                    // A steady load, not a flood: the point is the outage, not the throughput.
                    try? await Task.sleep(for: .milliseconds(response.status == 503 ? 200 : 50))
                }
            }
        }
        #expect(try await ClusterTests.eventually(within: 60) { tally.withLock { $0.acknowledged.count } >= 200 })
        // As abrupt as a crash: no checkpoint, connections cut.
        #expect(try await TestPostgres.shell("\(control) -m immediate stop") == 0)
        #expect(try await ClusterTests.eventually(within: 30) { tally.withLock { $0.unavailableWithRetryAfter } >= 2 },
                "requests while the database is down get 503 with Retry-After")
        #expect(try await TestPostgres.shell("\(control) start") == 0)
        tally.withLock { $0.restarted = true }
        let recovered = try await ClusterTests.eventually(within: 60) { tally.withLock { $0.acknowledgedAfterRestart } >= 100 }
        tally.withLock { $0.stopped = true }
        for poster in posters { await poster.value }
        #expect(recovered, "the same Backstop process accepts writes again once the database is back")
        let final = tally.withLock { $0 }
        #expect(Set(final.statuses.keys).isSubset(of: [200, 201, 503]), "only success or 503, never a 500: \(final.statuses)")

        let admin = try String(contentsOfFile: directory + "/admin-token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        var found = Set<UUID>()
        var cursor: String?
        repeat {
            let query = "limit=1000" + (cursor.map { "&cursor=\($0)" } ?? "")
            let page = try await HTTP.send("GET", URL(string: endpoint.absoluteString + "?" + query)!, token: admin)
            #expect(page.status == 200)
            let json = try JSONValue.parse(page.body)
            found.formUnion(json["observations"]?.arrayValue?.compactMap { $0["id"]?.stringValue.flatMap(UUID.init(uuidString:)) } ?? [])
            cursor = json["next_cursor"]?.stringValue
        } while cursor != nil
        #expect(Set(final.acknowledged).subtracting(found).isEmpty, "every acknowledged observation survived the restart")
    }
}
}
