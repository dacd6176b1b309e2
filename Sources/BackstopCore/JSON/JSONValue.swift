import Foundation

/// A parsed JSON document kept as values, so that validation can report every problem by path
/// instead of stopping at the first one as `Codable` does. Whole numbers in a parsed text are
/// `.integer`, so they travel without rounding; `.integer(3)` and `.number(3.0)` are equal.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses strictly (see `StrictJSONParser`): a key twice in one object is refused.
    public static func parse(_ data: Data) throws(JSONSyntaxError) -> JSONValue {
        try StrictJSONParser.parse(data)
    }

    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try parse(Data(text.utf8))
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let object) = self { return object }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let array) = self { return array }
        return nil
    }

    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    public var doubleValue: Double? {
        switch self {
        case .number(let number): number
        case .integer(let integer): Double(integer)
        default: nil
        }
    }

    /// The number as an integer, when it is one exactly.
    public var intValue: Int? {
        switch self {
        case .integer(let integer): return integer
        case .number(let number):
            guard number.rounded() == number, abs(number) < 9e15 else { return nil }
            return Int(number)
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let bool) = self { return bool }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// The JSON type's name, as used in error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer, .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// Compact JSON text with keys sorted, so equal documents serialise identically.
    public func canonicalData() -> Data {
        if let bytes = SortedKeysJSONWriter.write(self) { return Data(bytes) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("null".utf8)
    }

    /// Indented JSON with sorted keys, for people and files.
    public static func prettyData(_ value: JSONValue) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return (try? encoder.encode(value)) ?? Data("null".utf8)
    }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let integer = try? container.decode(Int.self) {
            self = .integer(integer)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let bool): try container.encode(bool)
        case .integer(let integer): try container.encode(integer)
        case .number(let number):
            if let int = intValue { try container.encode(int) } else { try container.encode(number) }
        case .string(let string): try container.encode(string)
        case .array(let array): try container.encode(array)
        case .object(let object): try container.encode(object)
        }
    }
}

extension JSONValue: Hashable {
    /// Numbers compare by value, whichever case holds them.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.integer, .number), (.number, .integer), (.number, .number): lhs.numericKey == rhs.numericKey
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a == b
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let bool): hasher.combine(bool)
        case .integer, .number: hasher.combine(numericKey)
        case .string(let string): hasher.combine(string)
        case .array(let array): hasher.combine(array)
        case .object(let object): hasher.combine(object)
        }
    }

    /// One representation per numeric value: an integer when the value is a whole number in
    /// `Int`'s range, the `Double` otherwise.
    private enum NumericKey: Hashable {
        case integer(Int)
        case double(Double)
    }

    private var numericKey: NumericKey {
        switch self {
        case .integer(let integer): return .integer(integer)
        case .number(let number):
            if number.rounded() == number, number >= -9.223372036854775e18, number < 9.223372036854775e18 { return .integer(Int(number)) }
            return .double(number)
        default: return .double(.nan)
        }
    }
}
