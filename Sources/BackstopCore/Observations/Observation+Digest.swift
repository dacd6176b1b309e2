import Crypto
import Foundation

extension Observation {
    /// The canonical JSON form: keys sorted, times in UTC milliseconds. What the store keeps.
    public var canonicalJSON: Data {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(512)
        guard CanonicalObservationWriter.write(self, to: &bytes) else { return jsonValue.canonicalData() }
        return Data(bytes)
    }

    /// SHA-256 of the canonical JSON form: two submissions with the same digest say the same
    /// thing, however their keys were ordered or their times were written.
    public var contentDigest: String {
        Self.digest(ofCanonicalJSON: canonicalJSON)
    }

    public static func digest(ofCanonicalJSON data: Data) -> String {
        Hex.encode(SHA256.hash(data: data))
    }
}

/// Lower-case hexadecimal, without going through String(format:) per byte.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var characters: [UInt8] = []
        // Digests are 32 bytes: 64 digits, without growing the array on the way.
        characters.reserveCapacity(Swift.max(bytes.underestimatedCount * 2, 64))
        for byte in bytes {
            characters.append(digits[Int(byte >> 4)])
            characters.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: characters, as: UTF8.self)
    }
}
