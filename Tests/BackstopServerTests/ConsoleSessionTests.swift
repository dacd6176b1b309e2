import BackstopCore
import BackstopServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The console's session cookie: made by signing in with a token (the sign-in form's own
/// double-submit check first), good until it expires, worthless when altered, and ended at once
/// when its token is revoked.
@Suite struct ConsoleSessionTests {
    /// The value a response sets for a cookie.
    static func cookie(_ name: String, in headers: HTTPFields) -> String? {
        headers[values: .setCookie].lazy.compactMap { line -> String? in
            let pair = line.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
            guard pair.hasPrefix(name + "=") else { return nil }
            return String(pair.dropFirst(name.count + 1))
        }.first
    }

    static func signIn(_ client: any TestClientProtocol, token: String) async throws -> (status: HTTPResponse.Status, session: String?) {
        let page = try await client.execute(uri: "/signin", method: .get, headers: [:], body: nil) { $0.headers }
        let nonce = try #require(cookie("backstop_signin", in: page))
        let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .cookie: "backstop_signin=\(nonce)"]
        return try await client.execute(uri: "/signin", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(nonce)&token=\(token)")) {
            ($0.status, cookie("backstop_session", in: $0.headers))
        }
    }

    static func queue(_ client: any TestClientProtocol, session: String) async throws -> HTTPResponse.Status {
        try await client.execute(uri: "/console/queue", method: .get, headers: [.cookie: "backstop_session=\(session)"], body: nil) { $0.status }
    }

    @Test func aSessionLastsItsLifetimeIsWorthlessAlteredAndEndsWithItsToken() async throws {
        let (configured, clock) = try await TestServer.makeWithClock()
        try await configured.run { client in
            let analyst = try #require(configured.tokens["analyst"])
            // The sign-in form's check: a post without the form's cookie is refused, and sets nothing.
            let forged = try await client.execute(uri: "/signin", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                  body: ByteBuffer(string: "csrf=x&token=\(analyst)")) { ($0.status, Self.cookie("backstop_session", in: $0.headers)) }
            #expect(forged.0 == .forbidden && forged.1 == nil)

            let (status, session) = try await Self.signIn(client, token: analyst)
            #expect(status == .seeOther)
            let value = try #require(session)
            #expect(try await Self.queue(client, session: value) == .ok)

            // Altered by one character: not a session. The one before the last: the last character
            // of base64 may carry only padding bits, so "A" and "B" there can decode alike (a run
            // failed so, about one in twenty).
            let before = value.index(value.endIndex, offsetBy: -2)
            let altered = String(value[..<before]) + (value[before] == "A" ? "B" : "A") + String(value.last!)
            #expect(try await Self.queue(client, session: altered) == .unauthorized)

            // Twelve hours by default: good just before, gone after.
            clock.advance(by: 12 * 3600 - 60)
            #expect(try await Self.queue(client, session: value) == .ok)
            clock.advance(by: 120)
            #expect(try await Self.queue(client, session: value) == .unauthorized)

            // Revoking the token ends its sessions at once.
            let again = try #require(try await Self.signIn(client, token: analyst).session)
            #expect(try await Self.queue(client, session: again) == .ok)
            let revoked = try await client.call(.post, "/api/v1/tokens/analyst/revoke", as: "admin", server: configured)
            #expect(revoked.status == .ok, "\(revoked.json)")
            #expect(try await Self.queue(client, session: again) == .unauthorized)
            #expect(try await Self.signIn(client, token: analyst).status == .unauthorized, "nor does it sign in again")
        }
    }
}
