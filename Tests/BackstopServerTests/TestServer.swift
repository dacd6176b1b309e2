import BackstopCore
import BackstopServer
import BackstopStore
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Prometheus
import Synchronization

/// An application on an in-memory store with a token for every role, and request helpers.
struct TestServer {
    static let now = Timestamp.parse("2021-03-02T00:00:00Z")!

    let store = MemoryStore()
    let registry = PrometheusCollectorRegistry()
    var tokens: [String: String] = [:]
    /// The server's clock (the public embargo is measured from it).
    var now = TestServer.now
    /// A clock a test moves (deadlines, levels falling); when set, it replaces `now`, and
    /// escalation and webhook delivery look every 50 ms instead of every second (others keep
    /// the defaults: dozens of servers in one test process share two cores).
    var clock: TestClock?
    /// Observations an export reads at a time (small, to export several pages of few records).
    var exportPageSize = 1_000
    /// Whether the daily report is drafted on its schedule (looked at every 100 ms).
    var scheduleReports = false

    /// A token per role, named after it ("monitor"); monitors are in team-a; plus
    /// "monitor-b" (team-b) and "monitor-solo" (no team).
    static func make() async throws -> TestServer {
        var server = TestServer()
        for role in Role.allCases {
            try await server.addToken(name: role.rawValue, role: role, team: role == .monitor ? "team-a" : nil)
        }
        try await server.addToken(name: "monitor-b", role: .monitor, team: "team-b")
        try await server.addToken(name: "monitor-solo", role: .monitor, team: nil)
        try await server.addToken(name: "supervisor-2", role: .supervisor, team: nil)
        return server
    }

    /// `make()` with a clock the test moves, and that clock.
    static func makeWithClock() async throws -> (server: TestServer, clock: TestClock) {
        var server = try await make()
        let clock = TestClock(TestServer.now)
        server.clock = clock
        return (server, clock)
    }

    mutating func addToken(name: String, role: Role, team: String?) async throws {
        let secret = AccessTokens.generate()
        try await store.insertToken(AccessTokenRecord(hash: AccessTokens.hash(secret), identity: Identity(name: name, role: role, team: team), createdAt: Self.now))
        tokens[name] = secret
    }

    func run(_ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        var configuration = ServerConfiguration(maxBodyBytes: 1_000_000, maxBatchSize: 1_000, now: { [now, clock] in clock?.now ?? now })
        configuration.exportPageSize = exportPageSize
        // Dozens of servers and the simulator's evaluations share two cores in one test process:
        // a read of incidents waits for fusion longer than a served one would (10 s), so that a
        // slow machine makes a test slower, not wrong. A read answers as soon as it is current,
        // so the bound costs nothing when fusion keeps up; at the start of a whole run these
        // tests took two minutes, and with a build beside them 60 s was not enough.
        configuration.incidentsReadWait = .seconds(300)
        configuration.reports.draftsOnSchedule = scheduleReports
        configuration.reports.interval = .milliseconds(100)
        if clock != nil {
            configuration.escalationInterval = .milliseconds(50)
            configuration.deliveryInterval = .milliseconds(50)
        }
        let app = buildApplication(store: store, configuration: configuration, registry: registry)
        try await app.test(.router) { client in try await test(client) }
    }

    func headers(_ as: String?) -> HTTPFields {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let name = `as` { headers[.authorization] = "Bearer \(tokens[name]!)" }
        return headers
    }
}

/// A clock a test sets.
final class TestClock: Sendable {
    private let time: Mutex<Date>

    init(_ start: Date) { time = Mutex(start) }

    var now: Date { time.withLock { $0 } }

    func advance(by seconds: TimeInterval) { time.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

extension TestClientProtocol {
    /// Sends a request as the named token holder (nil: no token) and returns status and JSON.
    func call(_ method: HTTPRequest.Method, _ uri: String, as name: String?, server: TestServer, body: String? = nil) async throws -> (status: HTTPResponse.Status, json: JSONValue, headers: HTTPFields) {
        try await execute(uri: uri, method: method, headers: server.headers(name), body: body.map { ByteBuffer(string: $0) }) { response in
            let text = String(buffer: response.body)
            let json = (try? JSONValue.parse(text)) ?? .string(text)
            return (response.status, json, response.headers)
        }
    }
}

enum Fixtures {
    static func observation(id: UUID = UUID(), modality: String = "heard", extra: String = "") -> String {
        """
        {"id": "\(id.uuidString.lowercased())", "kind": "explosion", "subkind": "impact", "count": 2,
         "observed_at": "2021-03-01T21:30:00Z", "modality": "\(modality)",
         "observer": {"lat": 48.14, "lon": 37.75},
         "location": {"lat": 48.10, "lon": 37.80, "accuracy_m": 300}\(extra)}
        """
    }

    static func modality(for role: Role) -> String {
        switch role {
        case .sensor: "camera"
        case .party: "party_allegation"
        default: "heard"
        }
    }

    static let agreement = #"{"id":"test-agreement","title":"Test","effective_from":"2020-01-01T00:00:00Z","parties":[{"id":"a","name":"A","side":"left","measures_from":"line"},{"id":"b","name":"B","side":"right","measures_from":"line"}],"lines":[{"id":"line","kind":"contact_line","geometry":{"type":"LineString","coordinates":[[37,47],[38,48]]}}]}"#
}
