import Foundation

/// An optional value kept behind a reference: a large value that is usually absent then costs
/// a pointer inline instead of its whole size. A node keeps every stored incident in memory,
/// and an incident's confirmed summary (absent until a supervisor confirms one) took as much
/// room as its summary in each of them.
///
/// The fusion engine keeps a record of each observation it fuses, and the rare parts of one (a
/// weapon, casualties, a line of bearing) took 120 of its 288 bytes.
///
/// Equality, hashing and coding are those of the optional value itself: a `Boxed` property is
/// written under its own key, left out when nil, as a plain optional is.
@propertyWrapper
public struct Boxed<Value: Sendable & Hashable>: Sendable, Hashable {
    private final class Box: Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    private var box: Box?

    public init(wrappedValue: Value?) {
        box = wrappedValue.map(Box.init)
    }

    public var wrappedValue: Value? {
        get { box?.value }
        set { box = newValue.map(Box.init) }
    }

    public static func == (a: Boxed, b: Boxed) -> Bool { a.wrappedValue == b.wrappedValue }

    public func hash(into hasher: inout Hasher) { hasher.combine(wrappedValue) }
}

extension Boxed: Codable where Value: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self.init(wrappedValue: container.decodeNil() ? nil : try container.decode(Value.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue)
    }
}

// The synthesized coding of a type with a `Boxed` property calls these (more specific than the
// generic methods): the key may be absent, and is left out when the value is nil.
extension KeyedDecodingContainer {
    public func decode<Value: Codable>(_ type: Boxed<Value>.Type, forKey key: Key) throws -> Boxed<Value> {
        Boxed(wrappedValue: try decodeIfPresent(Value.self, forKey: key))
    }
}

extension KeyedEncodingContainer {
    public mutating func encode<Value: Codable>(_ value: Boxed<Value>, forKey key: Key) throws {
        try encodeIfPresent(value.wrappedValue, forKey: key)
    }
}
