/// A JSON object of scalars and nested objects, kept as its members in the order written:
/// what an observation is. `StrictJSONParser.DeferredElements.flatObject(_:)` reads a batch's
/// element into one and `ObjectReader` reads fields out of it as out of a `JSONValue`, with the
/// same answers and errors. It exists because the tree costs a hashed dictionary per object:
/// hashing every key once to store it and again to look it up, and the table to allocate and
/// free, was a tenth of the CPU of a batch of monitors' records. An object has a dozen keys, so
/// comparing them in turn costs less.
public struct FlatJSONObject: Sendable {
    public enum Value: Sendable {
        case scalar(JSONValue)
        case object(FlatJSONObject)

        public var isNull: Bool {
            if case .scalar(.null) = self { return true }
            return false
        }

        /// The value as a tree (an object's members in a dictionary).
        public var jsonValue: JSONValue {
            switch self {
            case .scalar(let value): value
            case .object(let object): object.jsonValue
            }
        }
    }

    /// At most `maximumMembers` members, with no key twice (the parser refuses a second one).
    public let members: [(key: String, value: Value)]

    /// Members are found by comparing keys in turn and marked read in one 64-bit word
    /// (`ObjectReader`): an object with more members than this is parsed into a tree instead.
    public static let maximumMembers = 64

    init(members: [(key: String, value: Value)]) {
        precondition(members.count <= Self.maximumMembers)
        self.members = members
    }

    /// Where `key` is among the members.
    public func index(of key: String) -> Int? {
        members.firstIndex { $0.key == key }
    }

    public subscript(key: String) -> Value? {
        index(of: key).map { members[$0].value }
    }

    /// The same object as a tree.
    public var jsonValue: JSONValue {
        .object(Dictionary(uniqueKeysWithValues: members.map { ($0.key, $0.value.jsonValue) }))
    }
}
