import Foundation

extension UUID {
    /// `UUID(uuidString:)` without Foundation's `sscanf`: the same texts (8-4-4-4-12 hex
    /// digits, either case) give the same UUIDs. A start reads hundreds of thousands of stored
    /// incidents, each naming its records, and parsing their ids that way was a tenth of it.
    public static func parse(_ text: String) -> UUID? {
        var text = text
        return text.withUTF8 { bytes -> UUID? in
            guard bytes.count == 36 else { return nil }
            var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var index = 0
            func nibble(_ byte: UInt8) -> UInt8? {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
                default: nil
                }
            }
            let parsed = withUnsafeMutableBytes(of: &value) { output -> Bool in
                for position in 0..<16 {
                    if index == 8 || index == 13 || index == 18 || index == 23 {
                        guard bytes[index] == UInt8(ascii: "-") else { return false }
                        index += 1
                    }
                    guard let high = nibble(bytes[index]), let low = nibble(bytes[index + 1]) else { return false }
                    output[position] = high << 4 | low
                    index += 2
                }
                return true
            }
            return parsed ? UUID(uuid: value) : nil
        }
    }
}

extension UUID {
    /// The id as Backstop writes ids everywhere (`uuidString.lowercased()`), made directly:
    /// Foundation's `uuidString` formats through `vfprintf`, and each record of a batch needs
    /// its id as text twice (its row, its audit entry).
    public var lowercasedText: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(36)
        appendLowercased(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the id as Backstop writes ids everywhere (`uuidString.lowercased()`), without
    /// making the two strings: a batch's answer names a thousand of them.
    public func appendLowercased(to output: inout [UInt8]) {
        let digits: StaticString = "0123456789abcdef"
        withUnsafeBytes(of: uuid) { bytes in
            digits.withUTF8Buffer { hex in
                for (position, byte) in bytes.enumerated() {
                    if position == 4 || position == 6 || position == 8 || position == 10 { output.append(UInt8(ascii: "-")) }
                    output.append(hex[Int(byte >> 4)])
                    output.append(hex[Int(byte & 0x0f)])
                }
            }
        }
    }
}
