import Crypto
import Foundation

/// Stable ids for records that arrive without one (rows of an imported file): the same
/// content always yields the same UUID, so importing a file twice adds nothing.
public enum DerivedID {
    public static func uuid(for value: JSONValue, namespace: String = "backstop.import") -> UUID {
        var bytes = Array(SHA256.hash(data: Data(namespace.utf8) + value.canonicalData()).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80 // version 8: custom, name-based
        bytes[8] = (bytes[8] & 0x3F) | 0x80 // RFC 4122 variant
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
