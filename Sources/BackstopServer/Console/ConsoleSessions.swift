import BackstopCore
import BackstopStore
import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// Signed-in browsers: a session cookie (`HttpOnly`, `SameSite=Strict`, `Secure` over TLS)
/// that names the token's hash, its expiry and a random nonce, signed with HMAC-SHA256 under a
/// key every node shares (kept in the store). The token itself never reaches the browser
/// again; every request still reads the token from the store, so a revoked token ends its
/// sessions at once. The CSRF token of a session is an HMAC of its nonce: pages carry it in
/// their forms and a meta tag, scripts send it as `X-CSRF-Token`.
struct ConsoleSessions: Sendable {
    static let cookieName = "backstop_session"
    /// Set by the sign-in page, so that its form can be checked (double submit) before any
    /// session exists.
    static let signInCookieName = "backstop_signin"
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!
    static let csrfField = "csrf"

    struct Session: Sendable {
        var tokenHash: String
        var expires: Date
        var nonce: String
        var csrf: String
    }

    let keys: ConsoleKeyCache
    let lifetime: TimeInterval

    /// A new session's cookie value for a token.
    func cookieValue(tokenHash: String, now: Date) async throws -> (value: String, session: Session) {
        let key = try await keys.key()
        let nonce = Base64URL.encode(Data((0..<16).map { _ in UInt8.random(in: .min ... .max) }))
        let expires = Date(timeIntervalSince1970: (now.addingTimeInterval(lifetime).timeIntervalSince1970).rounded(.down))
        let payload = "\(tokenHash).\(Int64(expires.timeIntervalSince1970)).\(nonce)"
        let signature = Base64URL.encode(Data(HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: key)))
        return (payload + "." + signature, Session(tokenHash: tokenHash, expires: expires, nonce: nonce, csrf: Self.csrf(nonce: nonce, key: key)))
    }

    /// The session a request's cookie holds, if it is genuine and not expired.
    func session(from request: Request, now: Date) async throws -> Session? {
        guard let value = Self.cookie(Self.cookieName, in: request) else { return nil }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, let seconds = Int64(parts[1]), let signature = Base64URL.decode(parts[3]) else { return nil }
        let key = try await keys.key()
        let payload = parts[0...2].joined(separator: ".")
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: Data(payload.utf8), using: key) else { return nil }
        let expires = Date(timeIntervalSince1970: TimeInterval(seconds))
        guard expires > now else { return nil }
        return Session(tokenHash: parts[0], expires: expires, nonce: parts[2], csrf: Self.csrf(nonce: parts[2], key: key))
    }

    static func csrf(nonce: String, key: SymmetricKey) -> String {
        Base64URL.encode(Data(HMAC<SHA256>.authenticationCode(for: Data("csrf.\(nonce)".utf8), using: key)))
    }

    /// Compares two secrets in time independent of where they differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2, parts[0] == name { return parts[1] }
            }
        }
        return nil
    }

    /// Whether the request reached us over TLS (directly, or through a proxy that says so).
    static func overTLS(_ request: Request) -> Bool {
        request.uri.scheme == .https || request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    static func setCookie(_ name: String, _ value: String, maxAge: Int, request: Request) -> String {
        "\(name)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (overTLS(request) ? "; Secure" : "")
    }
}

/// The console's signing key, created once in the store by whichever node needs it first.
actor ConsoleKeyCache {
    private let store: any BackstopStore
    private var cached: SymmetricKey?

    init(store: any BackstopStore) {
        self.store = store
    }

    struct Stored: Codable {
        var key: String
    }

    func key() async throws -> SymmetricKey {
        if let cached { return cached }
        let id = EscalationKey(.consoleKey, "session")
        let fresh = Base64URL.encode(Data((0..<32).map { _ in UInt8.random(in: .min ... .max) }))
        _ = try await store.changeEscalation([id], fence: nil) { current in
            var write = EscalationWrite()
            if current[id] == nil { try write.put(.consoleKey, "session", Stored(key: fresh)) }
            return write
        }
        guard let record = try await store.escalationRecords(.consoleKey, ids: ["session"]).first,
              let bytes = Base64URL.decode(try record.decode(Stored.self).key) else {
            throw APIError(.internalServerError, code: "console_key", message: "the console's signing key cannot be read")
        }
        let key = SymmetricKey(data: bytes)
        cached = key
        return key
    }
}
