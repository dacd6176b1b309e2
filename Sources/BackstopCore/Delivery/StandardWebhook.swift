import Crypto
import Foundation

/// Standard Webhooks v1: the headers a receiver checks, signed with HMAC-SHA256 over
/// `{id}.{timestamp}.{body}` with the subscription's secret (`whsec_` + base64 of the key).
public enum StandardWebhook {
    public static let secretPrefix = "whsec_"

    /// A new secret: 32 random bytes.
    public static func generateSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return secretPrefix + Data(bytes).base64EncodedString()
    }

    /// The key a secret stands for; nil when it is not `whsec_` + base64.
    public static func key(of secret: String) -> SymmetricKey? {
        let encoded = secret.hasPrefix(secretPrefix) ? String(secret.dropFirst(secretPrefix.count)) : secret
        return Data(base64Encoded: encoded).map { SymmetricKey(data: $0) }
    }

    /// `v1,` + base64 of the signature.
    public static func signature(secret: String, id: String, timestamp: Int64, body: String) -> String? {
        guard let key = key(of: secret) else { return nil }
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(id).\(timestamp).\(body)".utf8), using: key)
        return "v1," + Data(mac).base64EncodedString()
    }

    /// The three headers of one attempt.
    public static func headers(secret: String, id: String, timestamp: Int64, body: String) -> [(String, String)] {
        [("webhook-id", id), ("webhook-timestamp", String(timestamp)), ("webhook-signature", signature(secret: secret, id: id, timestamp: timestamp, body: body) ?? "")]
    }
}

/// When the next attempt of a delivery is due: Standard Webhooks' schedule (immediately, 5 s,
/// 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h) with ±10 % jitter, a receiver's
/// `Retry-After` when it asks for longer, and nothing after the last step (dead letter).
public struct RetrySchedule: Sendable, Hashable {
    /// Seconds before each attempt, the first counted from when the message was written.
    public var delays: [Double]

    public static let standard = RetrySchedule(delays: [0, 5, 300, 1_800, 7_200, 18_000, 36_000, 50_400, 72_000, 86_400])

    public init(delays: [Double]) {
        self.delays = delays
    }

    /// Parses `0,1,2,5` (seconds).
    public init?(parsing text: String) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0.map { $0 >= 0 && $0 <= 604_800 } ?? false }) else { return nil }
        delays = parts.compactMap { $0 }
    }

    /// After `attempts` failed attempts, when the next is due (nil: the schedule is spent).
    /// `jitter` is a number in [0, 1) (random in production, fixed in tests).
    public func next(after attempts: Int, failedAt time: Date, retryAfter: Double?, jitter: Double) -> Date? {
        guard attempts < delays.count else { return nil }
        let delay = delays[attempts] * (0.9 + 0.2 * jitter)
        return time.addingTimeInterval(max(delay, min(retryAfter ?? 0, 86_400)))
    }
}
