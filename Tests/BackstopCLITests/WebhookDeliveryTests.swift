import BackstopCore
import Foundation
import Testing

/// Webhook delivery with real processes: a receiver (scripts/webhook-receiver.py) that
/// verifies every signature with the reference `standardwebhooks` library, goes away, comes
/// back, fails on purpose and answers 410; and two nodes, the delivering one killed mid-delivery.
extension ProcessTests {
@Suite(.enabled(if: WebhookReceiver.available, "needs python3 with standardwebhooks (./scripts/test.sh installs it)"))
struct WebhookDeliveryTests {
    static let schedule = "0,1,1,1,1,1,1,1,1,1"

    static func start(_ directory: String, node: String = "node-1", extra: [String] = []) async throws -> (RunningServer, URL) {
        let server = try RunningServer(dataDirectory: directory, arguments: ["--retry-schedule", schedule, "--node-name", node, "--lease-seconds", "2"] + extra)
        return (server, try await server.waitUntilListening())
    }

    static func json(_ response: (status: Int, body: Data)) throws -> JSONValue { try JSONValue.parse(response.body) }

    /// Subscribes the receiver to drills and returns the subscription id, having told the receiver the secret.
    static func subscribe(_ base: URL, admin: String, receiver: WebhookReceiver) async throws -> String {
        let created = try await HTTP.send("POST", base.appendingPathComponent("api/v1/subscriptions"), token: admin,
                                          body: Data(#"{"url": "\#(receiver.url)/hook", "events": ["alert.drill"], "release_level": "partners"}"#.utf8))
        #expect(created.status == 201, "\(String(decoding: created.body, as: UTF8.self))")
        let json = try json(created)
        let secret = try #require(json["secret"]?.stringValue)
        #expect(secret.hasPrefix("whsec_"))
        try await receiver.control(#"{"secret": "\#(secret)"}"#)
        return try #require(json["subscription"]?["id"]?.stringValue)
    }

    static func drill(_ base: URL, admin: String, _ note: String) async throws -> String {
        let made = try await HTTP.send("POST", base.appendingPathComponent("api/v1/alerts/drill"), token: admin,
                                       body: Data(#"{"policy_id": "donbas-minsk-sample-policy", "sector_id": "north", "level": 2, "note": "\#(note)"}"#.utf8))
        #expect(made.status == 201, "\(String(decoding: made.body, as: UTF8.self))")
        return try #require(try json(made)["id"]?.stringValue)
    }

    static func deliveries(_ base: URL, admin: String, subscription: String) async throws -> [JSONValue] {
        try json(try await HTTP.send("GET", base.appendingPathComponent("api/v1/subscriptions/\(subscription)/deliveries"), token: admin))["deliveries"]?.arrayValue ?? []
    }

    // MARK: Tests

    @Test func aReceiverThatWasDownGetsEveryMessageOnceInOrderThenA410DisablesIt() async throws {
        let directory = BackstopProcess.temporaryDirectory()
        let (server, base) = try await Self.start(directory)
        defer { server.stop() }
        let admin = try String(contentsOfFile: directory + "/admin-token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        var receiver = try await WebhookReceiver.start(log: directory + "/received.jsonl")
        defer { receiver.stop() }
        let subscription = try await Self.subscribe(base, admin: admin, receiver: receiver)

        var alerts = [try await Self.drill(base, admin: admin, "first")]
        #expect(try await ClusterTests.eventually(within: 10) { try await receiver.received().count == 1 })

        // The receiver goes away; three alerts wait for it, in order, and arrive once it is back.
        let port = receiver.port
        receiver.stop()
        for note in ["second", "third", "fourth"] { alerts.append(try await Self.drill(base, admin: admin, note)) }
        try await Task.sleep(for: .seconds(3))
        let back = Date()
        receiver = try await WebhookReceiver.start(log: directory + "/received.jsonl", port: port)
        #expect(try await ClusterTests.eventually(within: 20) { try await receiver.received().count == 4 })
        let received = try await receiver.received()
        #expect(received.allSatisfy { $0["verified"] == .bool(true) }, "every signature verifies with standardwebhooks: \(received)")
        #expect(received.compactMap { $0["data_id"]?.stringValue } == alerts, "in order, each once")
        #expect(Set(received.compactMap { $0["webhook_id"]?.stringValue }).count == 4)
        let attempts = try await Self.deliveries(base, admin: admin, subscription: subscription)
        #expect(attempts.map { $0["state"] } == Array(repeating: .string("delivered"), count: 4))
        // Delivered only once the receiver was back (the client keeps trying to connect within
        // an attempt's 10 s; an attempt that ends in an error is retried on the schedule).
        let delivered = attempts.dropFirst().first?["delivered_at"]?.stringValue.flatMap(Timestamp.parse)
        #expect(delivered.map { $0 >= back } == true, "\(attempts)")

        // 410 Gone disables the subscription; what was pending is cancelled.
        try await receiver.control(#"{"mode": "gone"}"#)
        _ = try await Self.drill(base, admin: admin, "fifth")
        #expect(try await ClusterTests.eventually(within: 10) {
            try Self.json(try await HTTP.send("GET", base.appendingPathComponent("api/v1/subscriptions/\(subscription)"), token: admin))["state"] == .string("disabled")
        })
        #expect(try await Self.deliveries(base, admin: admin, subscription: subscription).last?["state"] == .string("cancelled"))
        let metrics = String(decoding: try await HTTP.send("GET", base.appendingPathComponent("metrics"), token: admin).body, as: UTF8.self)
        #expect(metrics.contains("backstop_webhook_deliveries_total"))
    }

    @Test func aDeadLetterIsRedeliveredByAnAdmin() async throws {
        let directory = BackstopProcess.temporaryDirectory()
        let (server, base) = try await Self.start(directory)
        defer { server.stop() }
        let admin = try String(contentsOfFile: directory + "/admin-token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let receiver = try await WebhookReceiver.start(log: directory + "/received.jsonl", mode: "fail")
        defer { receiver.stop() }
        let subscription = try await Self.subscribe(base, admin: admin, receiver: receiver)
        let alert = try await Self.drill(base, admin: admin, "will die")
        var dead: JSONValue?
        #expect(try await ClusterTests.eventually(within: 30) {
            dead = try await Self.deliveries(base, admin: admin, subscription: subscription).first
            return dead?["state"] == .string("dead")
        })
        #expect(dead?["attempt_count"] == .integer(10) && dead?["last_status"] == .integer(503))
        let deadLetters = try Self.json(try await HTTP.send("GET", URL(string: base.absoluteString + "/api/v1/deliveries?state=dead")!, token: admin))["deliveries"]?.arrayValue
        #expect(deadLetters?.count == 1)
        try await receiver.control(#"{"mode": "ok"}"#)
        let id = try #require(dead?["id"]?.stringValue)
        let again = try await HTTP.send("POST", base.appendingPathComponent("api/v1/deliveries/\(id)/redeliver"), token: admin)
        #expect(again.status == 200)
        #expect(try await ClusterTests.eventually(within: 10) { try await receiver.received().count == 1 })
        #expect(try await receiver.received().first?["data_id"] == .string(alert))
        #expect(try await HTTP.send("POST", base.appendingPathComponent("api/v1/deliveries/\(id)/redeliver"), token: admin).status == 409)
    }

    @Test func aNodeKilledMidDeliveryLeadsAtMostToARepeatWithTheSameWebhookID() async throws {
        let directory = BackstopProcess.temporaryDirectory()
        try await Self.killMidDelivery(first: directory, second: directory, extra: [])
    }

    @Test(.enabled(if: TestPostgres.available, "needs BACKSTOP_TEST_POSTGRES_URL (./scripts/test.sh starts one)"))
    func onPostgresToo() async throws {
        let database = try TestPostgres.freshSchema()
        try await Self.killMidDelivery(first: BackstopProcess.temporaryDirectory(), second: BackstopProcess.temporaryDirectory(), extra: ["--database", database])
    }

    /// Two nodes; the one delivering is killed while the receiver holds its request.
    static func killMidDelivery(first directory: String, second: String, extra: [String]) async throws {
        let (first, _) = try await Self.start(directory, node: "node-1", extra: extra)
        defer { first.stop() }
        let admin = try String(contentsOfFile: directory + "/admin-token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        // node-1 takes the delivery lease first; node-2 waits for it.
        try await Task.sleep(for: .seconds(1))
        let (secondNode, base) = try await Self.start(second, node: "node-2", extra: extra)
        defer { secondNode.stop() }
        let receiver = try await WebhookReceiver.start(log: directory + "/received.jsonl", mode: "slow", delay: 4)
        defer { receiver.stop() }
        let subscription = try await Self.subscribe(base, admin: admin, receiver: receiver)
        let alert = try await Self.drill(base, admin: admin, "mid-delivery")
        #expect(try await ClusterTests.eventually(within: 10) { try await !receiver.arrivals().isEmpty })
        first.kill()
        try await receiver.control(#"{"mode": "ok"}"#)
        var delivery: JSONValue?
        #expect(try await ClusterTests.eventually(within: 20) {
            delivery = try await Self.deliveries(base, admin: admin, subscription: subscription).first
            return delivery?["state"] == .string("delivered")
        })
        #expect(delivery?["attempts"]?.arrayValue?.last?["node"] == .string("node-2"), "the surviving node delivered it")
        try await Task.sleep(for: .seconds(4)) // the first request's handler finishes too
        let received = try await receiver.received()
        let ids = Set(received.compactMap { $0["webhook_id"]?.stringValue })
        #expect(ids.count == 1 && (1...2).contains(received.count), "at most a repeat, with the same webhook-id: \(received)")
        #expect(received.allSatisfy { $0["data_id"] == .string(alert) && $0["verified"] == .bool(true) })
    }
}
}

/// The test receiver as a process on loopback.
struct WebhookReceiver: Sendable {
    let process: Process
    let port: Int
    let log: String
    var url: String { "http://127.0.0.1:\(port)" }

    static var repository: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }

    static let available: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import standardwebhooks"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return ProcessInfo.processInfo.environment["CI"] != nil }
        process.waitUntilExit()
        // In CI a missing library fails the run instead of skipping it.
        return process.terminationStatus == 0 || ProcessInfo.processInfo.environment["CI"] != nil
    }()

    static func start(log: String, port: Int = 0, mode: String = "ok", delay: Double = 0) async throws -> WebhookReceiver {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", repository.appendingPathComponent("scripts/webhook-receiver.py").path, "--port", String(port), "--log", log, "--mode", mode]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let line = String(decoding: pipe.fileHandleForReading.availableData, as: UTF8.self)
        guard let port = line.split(separator: " ").last.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) else {
            process.terminate()
            throw RunningServer.ServerError("the receiver did not start: \(line)")
        }
        // A receiver started again keeps the secret it was given (kept beside its log).
        let receiver = WebhookReceiver(process: process, port: port, log: log)
        if delay > 0 { try await receiver.control(#"{"delay": \#(delay)}"#) }
        if let secret = try? String(contentsOfFile: log + ".secret", encoding: .utf8) { try await receiver.control(#"{"secret": "\#(secret)"}"#) }
        return receiver
    }

    func control(_ json: String) async throws {
        if let value = try? JSONValue.parse(Data(json.utf8)), let secret = value["secret"]?.stringValue {
            try Data(secret.utf8).write(to: URL(fileURLWithPath: log + ".secret"))
        }
        let answer = try await HTTP.send("POST", URL(string: url + "/control")!, token: nil, body: Data(json.utf8))
        guard answer.status == 204 else { throw RunningServer.ServerError("the receiver refused control: \(answer.status)") }
    }

    func received() async throws -> [JSONValue] {
        try JSONValue.parse(try await HTTP.send("GET", URL(string: url + "/received")!, token: nil).body).arrayValue ?? []
    }

    func arrivals() async throws -> [JSONValue] {
        try JSONValue.parse(try await HTTP.send("GET", URL(string: url + "/arrivals")!, token: nil).body).arrayValue ?? []
    }

    /// SIGKILL: the test process may ignore SIGTERM, and its children inherit that.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
