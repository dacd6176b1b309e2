import Crypto
import Foundation

/// Bearer tokens: a random secret shown once, and the SHA-256 that is all the store keeps.
public enum AccessTokens {
    public static let prefix = "bst_"

    /// A new secret: the prefix and 32 random bytes, base64url without padding.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return prefix + Base64URL.encode(Data(bytes))
    }

    public static func hash(_ token: String) -> String {
        Hex.encode(SHA256.hash(data: Data(token.utf8)))
    }
}
