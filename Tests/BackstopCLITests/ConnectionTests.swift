import BackstopCore
import Foundation
import Testing

/// Every connection is accounted for, whatever the client does: early answers reach the
/// client and close the connection, slow and idle clients are timed out, and none of them
/// keeps others from being served.
extension ProcessTests {
@Suite struct ConnectionTests {
    /// A server with short timeouts, so that what it promises can be seen in seconds.
    static func start() async throws -> (server: RunningServer, port: Int, admin: String) {
        let directory = BackstopProcess.temporaryDirectory()
        let server = try RunningServer(dataDirectory: directory, arguments: ["--idle-timeout", "2", "--body-timeout", "4"])
        let url = try await server.waitUntilListening()
        let admin = try String(contentsOfFile: directory + "/admin-token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return (server, url.port!, admin)
    }

    static func eventually(within seconds: Double, _ condition: () -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(200))
        }
        return condition()
    }

    // MARK: Tests

    @Test func earlyAnswersReachTheClientAndLeaveNoSocketBehind() async throws {
        let (server, port, admin) = try await Self.start()
        defer { server.stop() }
        let url = URL(string: "http://127.0.0.1:\(port)/healthz")!
        #expect(try await HTTP.send("GET", url, token: nil).status == 200)
        let baseline = server.openDescriptors
        // 200 clients send part of a 1 MB body with `Connection: close`, get answered before
        // the body ends (401 without a token, 404 with one), and then hold their sockets open.
        var held: [(RawConnection, String)] = []
        for index in 0..<200 {
            let connection = try RawConnection(port: port)
            let (authorization, path, expected) = index % 2 == 0
                ? ("", "/api/v1/observations", "401") : ("Authorization: Bearer \(admin)\r\n", "/api/v1/no-such-thing", "404")
            connection.send("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(authorization)Content-Type: application/json\r\nContent-Length: 1000000\r\nConnection: close\r\n\r\n"
                            + String(repeating: " ", count: 20_000))
            held.append((connection, expected))
        }
        for (index, (connection, expected)) in held.enumerated() {
            let answer = connection.read(until: "\r\n\r\n", seconds: 10)
            #expect(answer.hasPrefix("HTTP/1.1 \(expected)"), "client \(index) got: \(answer.prefix(80))")
            #expect(answer.lowercased().contains("connection: close"), "client \(index) is told the connection ends")
        }
        let released = try await Self.eventually(within: 30) { server.openDescriptors <= baseline + 2 }
        #expect(released, "the server still holds \(server.openDescriptors - baseline) descriptors more than before the 200 early answers")
        withExtendedLifetime(held) {}
    }

    /// What Python's urllib does: send the whole body first, then read the answer.
    @Test func aClientSendingTooLargeABodyWholeStillReadsItsFourHundredThirteen() async throws {
        let (server, port, admin) = try await Self.start()
        defer { server.stop() }
        let connection = try RawConnection(port: port)
        connection.setSendTimeout(seconds: 20)
        let size = 9 * 1024 * 1024
        let head = "POST /api/v1/observations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(admin)\r\nContent-Type: application/json\r\nContent-Length: \(size)\r\nConnection: close\r\n\r\n"
        let sent = connection.send(Data(head.utf8) + Data(repeating: 0x20, count: size))
        #expect(sent, "the server read and discarded the rest of the body instead of leaving the client blocked")
        let answer = connection.read(until: "}", seconds: 10)
        #expect(answer.hasPrefix("HTTP/1.1 413"), "got: \(answer.prefix(120))")
        #expect(connection.closedByServer(within: 10))
    }

    @Test func slowAndIdleConnectionsAreTimedOutAndDoNotStarveOthers() async throws {
        let (server, port, admin) = try await Self.start()
        defer { server.stop() }
        // 200 clients that never finish their request head.
        var slow: [RawConnection] = []
        for _ in 0..<200 {
            let connection = try RawConnection(port: port)
            connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            slow.append(connection)
        }
        // A keep-alive client that asks once and then idles.
        let idle = try RawConnection(port: port)
        idle.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(idle.read(until: "}", seconds: 10).hasPrefix("HTTP/1.1 200"))
        // An authorised client whose body never arrives in full.
        let trickle = try RawConnection(port: port)
        trickle.send("POST /api/v1/observations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(admin)\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")

        // A new client is served meanwhile.
        let fresh = try RawConnection(port: port)
        fresh.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        let answer = fresh.read(until: "}", seconds: 10)
        #expect(answer.hasPrefix("HTTP/1.1 200"), "healthz on a fresh connection while 200 slow ones are open: \(answer.prefix(80))")

        // The server closes the slow, idle and trickling ones by itself (idle 2 s, body 4 s).
        #expect(idle.closedByServer(within: 15), "a keep-alive connection left idle is closed")
        #expect(trickle.closedByServer(within: 15), "a body that does not arrive in time is given up")
        var stillOpen = 0
        for connection in slow where !connection.closedByServer(within: 15) { stillOpen += 1 }
        #expect(stillOpen == 0, "\(stillOpen) of 200 connections with an unfinished head were never closed")
    }
}
}
