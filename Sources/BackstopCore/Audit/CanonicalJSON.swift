import Foundation

/// The JSON Canonicalization Scheme (RFC 8785): one byte sequence per JSON value, so a hash of
/// it is a hash of the value. Object members sorted by the UTF-16 code units of their names,
/// no white space, strings with only the escapes JSON requires (`\"`, `\\`, `\b \f \n \r \t`,
/// other control characters as `\u00xx`), numbers as ECMAScript writes them.
///
/// One deliberate difference: integers outside ±2^53 are written exactly (RFC 8785 would write
/// the nearest double). Backstop's integers are sequences and counts, which must not round.
public enum CanonicalJSON {
    public static func data(_ value: JSONValue) -> Data {
        Data(bytes(value))
    }

    public static func string(_ value: JSONValue) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }

    /// Written as bytes, not appended to a `String`: audit drafts and resolved locations are
    /// written for every record of a batch, and String's appends cost more than the rest.
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(128)
        write(value, to: &output)
        return output
    }

    static func write(_ value: JSONValue, to output: inout [UInt8]) {
        switch value {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let bool): output.append(contentsOf: (bool ? "true" : "false").utf8)
        case .integer(let integer): output.append(contentsOf: String(integer).utf8)
        case .number(let number): appendECMAScript(number, to: &output)
        case .string(let string): JSONStringEscaping.append(string, to: &output)
        case .array(let array):
            output.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                write(element, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            for (index, key) in object.keys.sorted(by: utf16Precedes).enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONStringEscaping.append(key, to: &output)
                output.append(UInt8(ascii: ":"))
                write(object[key]!, to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// Member names in the order of their UTF-16 code units. UTF-8's byte order is the order of
    /// code points, which differs from UTF-16's only where a character beyond U+FFFF meets one
    /// from U+E000 to U+FFFF (both starting with a byte from 0xEE up): names made of smaller
    /// bytes, as Backstop's all are, are compared byte by byte without transcoding.
    static func utf16Precedes(_ a: String, _ b: String) -> Bool {
        if a.utf8.allSatisfy({ $0 < 0xEE }) || b.utf8.allSatisfy({ $0 < 0xEE }) {
            return a.utf8.lexicographicallyPrecedes(b.utf8)
        }
        return a.utf16.lexicographicallyPrecedes(b.utf16)
    }

    /// ECMAScript's form of a finite double. Swift writes the same shortest digits; where it
    /// writes them without an exponent (from 1e-4 to below 2^53), ECMAScript's form is Swift's
    /// without a trailing ".0", and only the exponent forms take the general conversion.
    static func appendECMAScript(_ number: Double, to output: inout [UInt8]) {
        guard number.isFinite, number != 0 else {
            output.append(contentsOf: (number == 0 ? "0" : "null").utf8)
            return
        }
        let text = number.description
        guard !text.utf8.contains(UInt8(ascii: "e")) else {
            output.append(contentsOf: ecmaScript(number).utf8)
            return
        }
        output.append(contentsOf: text.utf8)
        if output.count >= 2, output[output.count - 2] == UInt8(ascii: "."), output[output.count - 1] == UInt8(ascii: "0") {
            output.removeLast(2)
        }
    }

    /// ECMAScript's Number.prototype.toString for a finite double (ECMA-262, 7.1.12.1), from
    /// Swift's shortest round-trip digits.
    static func ecmaScript(_ number: Double) -> String {
        guard number.isFinite else { return "null" }
        if number == 0 { return "0" }
        let sign = number < 0 ? "-" : ""
        // Swift writes the shortest digits that read back as the same double, e.g. "1.5e-07".
        let text = "\(abs(number))"
        let parts = text.split(separator: "e", maxSplits: 1)
        var exponent = parts.count > 1 ? Int(parts[1])! : 0
        let mantissa = parts[0]
        let pieces = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = String(pieces[0])
        let fraction = pieces.count > 1 ? String(pieces[1]) : ""
        var digits = whole + fraction
        // n: the position of the decimal point relative to the start of `digits`.
        exponent += whole.count
        while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); exponent -= 1 }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let k = digits.count, n = exponent
        if k <= n && n <= 21 { return sign + digits + String(repeating: "0", count: n - k) }
        if 0 < n && n <= 21 { return sign + digits.prefix(n) + "." + digits.dropFirst(n) }
        if -6 < n && n <= 0 { return sign + "0." + String(repeating: "0", count: -n) + digits }
        let e = n - 1
        let written = e >= 0 ? "+\(e)" : "\(e)"
        return sign + digits.prefix(1) + (k > 1 ? "." + digits.dropFirst() : "") + "e" + written
    }
}
