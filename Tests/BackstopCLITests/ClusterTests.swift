import BackstopCore
import Foundation
import Testing

/// Two real `backstop serve` processes on one PostgreSQL database behave as one system.
extension ProcessTests {
@Suite(.enabled(if: TestPostgres.available, "needs BACKSTOP_TEST_POSTGRES_URL (./scripts/test.sh starts one)"))
struct ClusterTests {
    struct Node {
        let server: RunningServer
        let url: URL
        func endpoint(_ path: String) -> URL { URL(string: url.absoluteString + path)! }
    }

    static func start(_ name: String, database: String, directory: String) async throws -> Node {
        let server = try RunningServer(dataDirectory: directory, arguments: ["--database", database, "--node-name", name, "--lease-seconds", "2"])
        return Node(server: server, url: try await server.waitUntilListening())
    }

    static func token(_ role: String, _ name: String, team: String? = nil, database: String) async throws -> String {
        let made = try await BackstopProcess.run(["token", "create", "--database", database, "--role", role, "--name", name] + (team.map { ["--team", $0] } ?? []))
        guard made.status == 0 else { throw RunningServer.ServerError("token create failed: \(made.stderr)") }
        return made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// An explosion heard by a patrol near Horlivka in March 2021: against the sample Donbas
    /// agreement it breaks the 2020 ban on firing.
    static func explosion(_ id: UUID, secondsLater: Int = 0, lat: Double = 48.1, lon: Double = 37.8) -> Data {
        Data(#"{"id":"\#(id.uuidString.lowercased())","kind":"explosion","count":1,"observed_at":"2021-03-01T21:30:\#(String(format: "%02d", secondsLater))Z","modality":"heard","observer":{"lat":48.1402,"lon":37.7501},"location":{"lat":\#(lat),"lon":\#(lon)}}"#.utf8)
    }

    /// Polls until `condition` holds or the deadline passes.
    static func eventually(within seconds: Double, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(250))
        }
        return try await condition()
    }

    static func findings(_ node: Node, admin: String) async throws -> [JSONValue] {
        let response = try await HTTP.send("GET", node.endpoint("/api/v1/findings?limit=1000"), token: admin)
        return try JSONValue.parse(response.body)["findings"]?.arrayValue ?? []
    }

    @Test func twoNodesShareWritesRaceSafelyAndTakeOverAKilledNodesWork() async throws {
        let database = try TestPostgres.freshSchema()
        let (first, second) = (BackstopProcess.temporaryDirectory(), BackstopProcess.temporaryDirectory())
        let one = try await Self.start("node-1", database: database, directory: first)
        let two = try await Self.start("node-2", database: database, directory: second)
        defer { one.server.stop(); two.server.stop() }
        let admin = try String(contentsOfFile: first + "/admin-token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let east = try await Self.token("monitor", "patrol-east", team: "east", database: database)
        let west = try await Self.token("monitor", "patrol-west", team: "west", database: database)

        // Read-your-writes across nodes: acknowledged on one, readable on the other at once.
        for round in 0..<10 {
            let id = UUID()
            let (writer, reader) = round % 2 == 0 ? (one, two) : (two, one)
            let posted = try await HTTP.send("POST", writer.endpoint("/api/v1/observations"), token: east, body: Self.explosion(id, lat: 48.0 + Double(round) / 50))
            #expect(posted.status == 201)
            let read = try await HTTP.send("GET", reader.endpoint("/api/v1/observations/\(id.uuidString.lowercased())"), token: admin)
            #expect(read.status == 200, "round \(round): written on one node, read on the other")
        }

        // Two patrols report one explosion, each to a different node: either node shows one
        // incident of both records, with its finding.
        let (a, b) = (UUID(), UUID())
        #expect(try await HTTP.send("POST", one.endpoint("/api/v1/observations"), token: east, body: Self.explosion(a, lat: 48.3, lon: 38.2)).status == 201)
        #expect(try await HTTP.send("POST", two.endpoint("/api/v1/observations"), token: west, body: Self.explosion(b, secondsLater: 20, lat: 48.301, lon: 38.201)).status == 201)
        // Its id is minted from its oldest record, the same on both nodes.
        let shared = IncidentIdentity.mintedID(from: a).uuidString.lowercased()
        var version = 0
        for node in [one, two] {
            let incident = try JSONValue.parse(try await HTTP.send("GET", node.endpoint("/api/v1/incidents/\(shared)"), token: admin).body)
            #expect(incident["record_count"]?.intValue == 2)
            #expect(incident["findings"]?.arrayValue?.isEmpty == false)
            version = incident["version"]?.intValue ?? 0
        }

        // A decision taken on one node shows on the other at once; the four-eyes rule holds across nodes.
        let analyst = try await Self.token("analyst", "analyst-1", database: database)
        let supervisor = try await Self.token("supervisor", "supervisor-1", database: database)
        let proposed = try await HTTP.send("POST", one.endpoint("/api/v1/incidents/\(shared)/assessments"), token: analyst,
                                           body: Data(#"{"verdict": "verified", "note": "two patrols, two nodes", "version": \#(version)}"#.utf8))
        #expect(proposed.status == 201)
        let onTwo = try JSONValue.parse(try await HTTP.send("GET", two.endpoint("/api/v1/incidents/\(shared)"), token: admin).body)
        #expect(onTwo["state"]?.stringValue == "proposed")
        let confirmed = try await HTTP.send("POST", two.endpoint("/api/v1/incidents/\(shared)/assessments/1/confirm"), token: supervisor,
                                            body: Data(#"{"version": \#(onTwo["version"]?.intValue ?? 0)}"#.utf8))
        #expect(confirmed.status == 200)
        let onOne = try JSONValue.parse(try await HTTP.send("GET", one.endpoint("/api/v1/incidents/\(shared)"), token: admin).body)
        #expect(onOne["state"]?.stringValue == "verified")

        // The same submissions racing on both nodes: every id stored once, one 201 each.
        let racing = (0..<30).map { _ in UUID() }
        let statuses = try await withThrowingTaskGroup(of: (UUID, Int).self) { group in
            for id in racing {
                for node in [one, two] {
                    group.addTask { (id, try await HTTP.send("POST", node.endpoint("/api/v1/observations"), token: east, body: Self.explosion(id, lat: 47.5, lon: 37.0)).status) }
                }
            }
            return try await group.reduce(into: [UUID: [Int]]()) { $0[$1.0, default: []].append($1.1) }
        }
        for id in racing {
            #expect(statuses[id]?.sorted() == [200, 201], "one node created \(id), the other replayed it")
        }
        let health = try JSONValue.parse(try await HTTP.send("GET", two.endpoint("/healthz"), token: nil).body)
        #expect(health["observations"]?.intValue == 10 + 2 + racing.count)

        // node-1 started first and holds the findings work; killed, node-2 takes it over.
        #expect(try await Self.eventually(within: 30) {
            try await Self.findings(two, admin: admin).contains { $0["recorded_by"]?.stringValue == "node-1" }
        }, "the first node logs findings while it holds the work")
        one.server.kill()
        let (c, d) = (UUID(), UUID())
        #expect(try await HTTP.send("POST", two.endpoint("/api/v1/observations"), token: east, body: Self.explosion(c, lat: 48.45, lon: 38.05)).status == 201)
        #expect(try await HTTP.send("POST", two.endpoint("/api/v1/observations"), token: west, body: Self.explosion(d, secondsLater: 10, lat: 48.451, lon: 38.051)).status == 201)
        let incident = IncidentIdentity.mintedID(from: c).uuidString.lowercased()
        #expect(try await Self.eventually(within: 60) {
            try await Self.findings(two, admin: admin).contains { $0["incident_id"]?.stringValue == incident && $0["recorded_by"]?.stringValue == "node-2" }
        }, "the surviving node took the work over and logged the new incident's finding")
        let log = try await Self.findings(two, admin: admin)
        let keys = log.map { [$0["incident_id"]?.stringValue ?? "", $0["agreement_id"]?.stringValue ?? "", $0["rule_id"]?.stringValue ?? "", $0["kind"]?.stringValue ?? "",
                              $0["status"]?.stringValue ?? ""] }
        #expect(log.contains { $0["incident_id"]?.stringValue == shared && $0["status"]?.stringValue == "confirmed" }, "the confirmation is in the log")
        #expect(Set(keys).count == keys.count, "no finding logged twice across the takeover")
    }
}
}
