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
        Data(string(value).utf8)
    }

    public static func string(_ value: JSONValue) -> String {
        var output = ""
        write(value, to: &output)
        return output
    }

    private static func write(_ value: JSONValue, to output: inout String) {
        switch value {
        case .null: output += "null"
        case .bool(let bool): output += bool ? "true" : "false"
        case .integer(let integer): output += String(integer)
        case .number(let number): output += ecmaScript(number)
        case .string(let string): writeString(string, to: &output)
        case .array(let array):
            output += "["
            for (index, element) in array.enumerated() {
                if index > 0 { output += "," }
                write(element, to: &output)
            }
            output += "]"
        case .object(let object):
            output += "{"
            let keys = object.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            for (index, key) in keys.enumerated() {
                if index > 0 { output += "," }
                writeString(key, to: &output)
                output += ":"
                write(object[key]!, to: &output)
            }
            output += "}"
        }
    }

    private static func writeString(_ string: String, to output: inout String) {
        // Most strings need no escape: appended whole, not scalar by scalar.
        if !string.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            output += "\""
            output += string
            output += "\""
            return
        }
        output += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20: output += String(format: "\\u%04x", scalar.value)
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
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
