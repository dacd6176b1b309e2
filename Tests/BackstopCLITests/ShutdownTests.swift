import BackstopCore
import BackstopPostgres
import BackstopSQLite
import BackstopStore
import Foundation
import Testing

/// SIGTERM: the request in flight is answered, background work stops and gives up its lease
/// (so another node takes it over at once, not after the lease runs out), and the process
/// exits within 10 s.
extension ProcessTests {
@Suite struct ShutdownTests {
    /// Sends SIGTERM while a request is half sent, finishes sending it, and returns its answer
    /// and how long the process took to exit.
    static func terminateDuringARequest(_ server: RunningServer, port: Int, token: String) async throws -> (answer: String, exitedWithin: Duration?) {
        let observation = #"{"id":"\#(UUID().uuidString.lowercased())","kind":"explosion","count":1,"observed_at":"2021-03-01T21:30:00Z","modality":"heard","location":{"lat":48.1,"lon":37.8}}"#
        let body = Data(observation.utf8)
        let connection = try RawConnection(port: port)
        connection.send("POST /api/v1/observations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n")
        connection.send(body.prefix(20))
        try await Task.sleep(for: .milliseconds(300))
        let clock = ContinuousClock()
        let signalled = clock.now
        server.process.terminate()
        try await Task.sleep(for: .milliseconds(500))
        connection.send(body.dropFirst(20))
        let answer = connection.read(until: "}", seconds: 10)
        while server.process.isRunning, clock.now - signalled < .seconds(20) { try await Task.sleep(for: .milliseconds(50)) }
        let exited = server.process.isRunning ? nil : clock.now - signalled
        server.stop()
        return (answer, exited)
    }

    static func expectLeaseFree(in store: any BackstopStore) async throws {
        // A probe can claim the findings lease at once only if the node released it: it was
        // started with a 60 s lease, so it would otherwise still be held.
        let claimed = try await store.claimLease("findings-log", holder: "probe", duration: 1)
        #expect(claimed != nil, "the stopped node still holds the findings lease")
    }

    // MARK: Tests

    /// Starts a node holding the findings work under a 60 s lease, sends SIGTERM during a
    /// request, and checks the answer and the exit; returns the data directory.
    static func stopDuringARequest(arguments: [String]) async throws -> String {
        let directory = BackstopProcess.temporaryDirectory()
        let server = try RunningServer(dataDirectory: directory, arguments: arguments + ["--lease-seconds", "60"])
        let port = try await server.waitUntilListening().port!
        let admin = try String(contentsOfFile: directory + "/admin-token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        // The node claims the findings work as it starts.
        try await Task.sleep(for: .seconds(1))
        let (answer, exited) = try await Self.terminateDuringARequest(server, port: port, token: admin)
        #expect(answer.hasPrefix("HTTP/1.1 201"), "the request in flight at SIGTERM is answered: \(answer.prefix(80))")
        let took = try #require(exited, "the server did not exit within 20 s of SIGTERM")
        #expect(took < .seconds(10), "exit took \(took)")
        return directory
    }

    @Test func sigtermOnSQLiteAnswersTheRequestInFlightReleasesTheLeaseAndExits() async throws {
        let directory = try await Self.stopDuringARequest(arguments: [])
        let store = try await SQLiteStore.open(directory: directory)
        try await Self.expectLeaseFree(in: store)
        #expect(try await store.observationCount() == 1)
        try await store.close()
    }

    @Test(.enabled(if: TestPostgres.available, "needs BACKSTOP_TEST_POSTGRES_URL (./scripts/test.sh starts one)"))
    func sigtermOnPostgreSQLReleasesTheLeaseForAnotherNode() async throws {
        let database = try TestPostgres.freshSchema()
        _ = try await Self.stopDuringARequest(arguments: ["--database", database, "--node-name", "node-1"])
        let store = try PostgresStore.open(url: database)
        try await Self.expectLeaseFree(in: store)
        #expect(try await store.observationCount() == 1)
        try await store.close()
    }
}
}
