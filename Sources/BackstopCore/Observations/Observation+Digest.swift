import Crypto
import Foundation

extension Observation {
    /// SHA-256 of the canonical JSON form: two submissions with the same digest say the same thing,
    /// however their keys were ordered or their times were written.
    public var contentDigest: String {
        SHA256.hash(data: jsonValue.canonicalData()).map { String(format: "%02x", $0) }.joined()
    }
}
