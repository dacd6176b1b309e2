import Foundation

/// Writes a `JSONValue` byte for byte as `JSONEncoder` with `.sortedKeys` and
/// `.withoutEscapingSlashes` writes it (the stored form of an observation, whose SHA-256 is
/// its content digest, so the bytes must never change), without `Codable`'s boxing: on the
/// intake path that encoder cost more than parsing the request. Keys sort by their UTF-8
/// bytes, as that encoder sorts them; a document with a key outside ASCII is left to the
/// encoder itself (`write` answers nil). `SortedKeysJSONWriterTests` holds the two to the same
/// bytes.
enum SortedKeysJSONWriter {
    static func write(_ value: JSONValue) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(512)
        return append(value, to: &output) ? output : nil
    }

    /// A number as that encoder writes it: a whole number as an integer; false when it is not
    /// finite (the encoder refuses it).
    static func appendNumber(_ number: Double, to output: inout [UInt8]) -> Bool {
        if let integer = JSONValue.number(number).intValue {
            output.append(contentsOf: String(integer).utf8)
        } else {
            guard number.isFinite else { return false }
            output.append(contentsOf: number.description.utf8)
            if output[output.count - 2] == UInt8(ascii: "."), output[output.count - 1] == UInt8(ascii: "0") { output.removeLast(2) }
        }
        return true
    }

    private static func append(_ value: JSONValue, to output: inout [UInt8]) -> Bool {
        switch value {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let bool): output.append(contentsOf: (bool ? "true" : "false").utf8)
        case .integer(let integer): output.append(contentsOf: String(integer).utf8)
        case .number(let number):
            return appendNumber(number, to: &output)
        case .string(let string): JSONStringEscaping.append(string, to: &output)
        case .array(let array):
            output.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                guard append(element, to: &output) else { return false }
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            guard object.keys.allSatisfy({ $0.utf8.allSatisfy { $0 < 0x80 } }) else { return false }
            output.append(UInt8(ascii: "{"))
            for (index, key) in object.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONStringEscaping.append(key, to: &output)
                output.append(UInt8(ascii: ":"))
                guard append(object[key]!, to: &output) else { return false }
            }
            output.append(UInt8(ascii: "}"))
        }
        return true
    }
}
