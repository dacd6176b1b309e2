import Foundation

/// Writes JSON objects member by member in the order the caller gives, with the commas between
/// them: how Backstop's byte-exact forms (an observation's canonical JSON, an audit entry's
/// body, a resolved location) are written on the intake path straight from their fields,
/// without building a `JSONValue` and sorting its keys. The caller writes the members in the
/// order of their names' bytes; each such writer has a test holding it to the tree's bytes.
public struct OrderedObjectWriter {
    public var output: [UInt8]
    /// Per open object: whether a member was written in it yet.
    private var started: [Bool] = []

    public init(output: [UInt8] = []) {
        self.output = output
    }

    public mutating func open() {
        output.append(UInt8(ascii: "{"))
        started.append(false)
    }

    public mutating func close() {
        output.append(UInt8(ascii: "}"))
        started.removeLast()
    }

    /// A member's name (plain ASCII, nothing to escape).
    public mutating func key(_ name: StaticString) {
        if started[started.count - 1] { output.append(UInt8(ascii: ",")) }
        started[started.count - 1] = true
        output.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { output.append(contentsOf: $0) }
        output.append(contentsOf: "\":".utf8)
    }

    public mutating func string(_ value: String) { JSONStringEscaping.append(value, to: &output) }
    public mutating func null() { output.append(contentsOf: "null".utf8) }
    public mutating func integer(_ value: Int) { output.append(contentsOf: String(value).utf8) }
    public mutating func bool(_ value: Bool) { output.append(contentsOf: (value ? "true" : "false").utf8) }
    /// A number as `SortedKeysJSONWriter` writes it (the stored observation); false when it is
    /// not finite.
    public mutating func number(_ value: Double) -> Bool { SortedKeysJSONWriter.appendNumber(value, to: &output) }
    /// A number as `CanonicalJSON` writes it (RFC 8785's ECMAScript form).
    public mutating func canonicalNumber(_ value: Double) { CanonicalJSON.appendECMAScript(value, to: &output) }

    public mutating func id(_ value: UUID) {
        output.append(UInt8(ascii: "\""))
        value.appendLowercased(to: &output)
        output.append(UInt8(ascii: "\""))
    }
}
