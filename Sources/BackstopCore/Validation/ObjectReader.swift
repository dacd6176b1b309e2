import Foundation

/// Reads typed fields out of one JSON object, reporting each problem to an `ErrorSink` with its
/// path. Keys that no accessor asked for are reported by `finish()` as unknown, so a typo in a
/// field name is an error rather than a silently ignored value.
public final class ObjectReader {
    public let path: FieldPath
    public let sink: ErrorSink
    private let object: Members
    /// The keys asked for, of a tree's object. An object has a dozen keys at most, so a list
    /// searched end to end costs less than hashing every key into a set (this runs for every
    /// field of every record).
    private var readKeys: [String] = []
    /// The members asked for, of a flat object: bit i for member i.
    private var readMembers: UInt64 = 0

    /// An object parsed into a tree, or one read member by member (a batch's observations).
    private enum Members {
        case tree([String: JSONValue])
        case flat(FlatJSONObject)
    }

    public init?(_ value: JSONValue, path: FieldPath, sink: ErrorSink) {
        guard let object = value.objectValue else {
            sink.add(path, "must be an object, not \(value.typeName)")
            return nil
        }
        self.object = .tree(object)
        self.path = path
        self.sink = sink
    }

    /// Reads `object` as it would read `.object` of the same members, with the same errors.
    public init(_ object: FlatJSONObject, path: FieldPath, sink: ErrorSink) {
        self.object = .flat(object)
        self.path = path
        self.sink = sink
    }

    public func has(_ key: String) -> Bool {
        switch object {
        case .tree(let members):
            guard let value = members[key] else { return false }
            return !value.isNull
        case .flat(let members):
            guard let value = members[key] else { return false }
            return !value.isNull
        }
    }

    /// The raw value of a key (null counts as absent); a missing required key is reported.
    public func value(_ key: String, required: Bool = false) -> JSONValue? {
        let value: JSONValue?
        switch object {
        case .tree(let members):
            if !readKeys.contains(key) { readKeys.append(key) }
            value = members[key]
        case .flat(let members):
            value = flatMember(key, of: members)?.jsonValue
        }
        guard let value, !value.isNull else {
            if required { sink.add(path.key(key), "is required") }
            return nil
        }
        return value
    }

    /// A flat object's member, marked read.
    private func flatMember(_ key: String, of members: FlatJSONObject) -> FlatJSONObject.Value? {
        guard let index = members.index(of: key) else { return nil }
        readMembers |= 1 << UInt64(index)
        return members.members[index].value
    }

    /// A string; `allowEmpty` admits "" (and only whitespace), as a text someone clears.
    public func string(_ key: String, required: Bool = false, maxLength: Int = 1_000, allowEmpty: Bool = false) -> String? {
        guard let value = value(key, required: required) else { return nil }
        guard let string = value.stringValue else {
            sink.add(path.key(key), "must be a string, not \(value.typeName)")
            return nil
        }
        if !allowEmpty, string.isBlank {
            sink.add(path.key(key), "must not be empty")
            return nil
        }
        // Unicode scalars (code points), as JSON Schema's maxLength counts: counting grapheme
        // clusters would let one "character" carry any number of combining marks.
        // A string has at most as many scalars as UTF-8 bytes, and those are counted already.
        if string.utf8.count > maxLength, string.unicodeScalars.count > maxLength {
            sink.add(path.key(key), "is \(string.unicodeScalars.count) characters long; the limit is \(maxLength)")
            return nil
        }
        return string
    }

    /// A number, checked by `rule`, which returns the reason it is refused (or nil).
    public func double(_ key: String, required: Bool = false, rule: NumberRule? = nil) -> Double? {
        guard let value = value(key, required: required) else { return nil }
        guard let number = value.doubleValue, number.isFinite else {
            sink.add(path.key(key), "must be a number, not \(value.typeName)")
            return nil
        }
        if let reason = rule?.problem(number) {
            sink.add(path.key(key), reason)
            return nil
        }
        return number
    }

    public func int(_ key: String, required: Bool = false, rule: NumberRule? = nil) -> Int? {
        guard let value = value(key, required: required) else { return nil }
        guard let int = value.intValue else {
            sink.add(path.key(key), "must be a whole number, not \(value.doubleValue.map { "\($0)" } ?? value.typeName)")
            return nil
        }
        if let reason = rule?.problem(Double(int)) {
            sink.add(path.key(key), reason)
            return nil
        }
        return int
    }

    public func bool(_ key: String, required: Bool = false) -> Bool? {
        guard let value = value(key, required: required) else { return nil }
        guard let bool = value.boolValue else {
            sink.add(path.key(key), "must be true or false, not \(value.typeName)")
            return nil
        }
        return bool
    }

    public func choice<Choice: RawRepresentable & CaseIterable>(
        _ key: String, _ type: Choice.Type, required: Bool = false, noun: String? = nil
    ) -> Choice? where Choice.RawValue == String {
        guard let raw = string(key, required: required) else { return nil }
        if let choice = Choice(rawValue: raw) { return choice }
        return Self.choice(raw, type, path: path.key(key), sink: sink, noun: noun ?? key)
    }

    public static func choice<Choice: RawRepresentable & CaseIterable>(
        _ raw: String, _ type: Choice.Type, path: FieldPath, sink: ErrorSink, noun: String
    ) -> Choice? where Choice.RawValue == String {
        if let choice = Choice(rawValue: raw) { return choice }
        let allowed = Choice.allCases.map(\.rawValue).joined(separator: ", ")
        sink.add(path, "unknown \(noun) '\(raw)'; expected one of: \(allowed)")
        return nil
    }

    public func timestamp(_ key: String, required: Bool = false) -> Date? {
        guard let raw = string(key, required: required, maxLength: 64) else { return nil }
        switch Timestamp.parseStrictly(raw) {
        case .success(let date): return Timestamp.normalised(date)
        case .failure(let error):
            sink.add(path.key(key), Timestamp.refusal(raw, error))
            return nil
        }
    }

    public func uuid(_ key: String, required: Bool = false) -> UUID? {
        guard let raw = string(key, required: required, maxLength: 64) else { return nil }
        guard let uuid = UUID.parse(raw) else {
            sink.add(path.key(key), "'\(raw)' is not a UUID")
            return nil
        }
        return uuid
    }

    public func object(_ key: String, required: Bool = false) -> ObjectReader? {
        if case .flat(let members) = object, case .object(let nested)? = flatMember(key, of: members) {
            return ObjectReader(nested, path: path.key(key), sink: sink)
        }
        guard let value = value(key, required: required) else { return nil }
        return ObjectReader(value, path: path.key(key), sink: sink)
    }

    /// The elements of an array with their paths.
    public func array(_ key: String, required: Bool = false, maxCount: Int = 100_000) -> [(FieldPath, JSONValue)]? {
        guard let value = value(key, required: required) else { return nil }
        guard let array = value.arrayValue else {
            sink.add(path.key(key), "must be an array, not \(value.typeName)")
            return nil
        }
        if array.count > maxCount {
            sink.add(path.key(key), "has \(array.count) elements; the limit is \(maxCount)")
            return nil
        }
        return array.enumerated().map { (path.key(key).index($0.offset), $0.element) }
    }

    /// Reports the keys that nobody read; `explanations` gives a better reason for some of them.
    /// Reports every key not read. `absentIfNull` names keys that belong to another form of the
    /// same object: sent as null they are the same as left out, as everywhere.
    public func finish(explanations: [String: String] = [:], absentIfNull: Set<String> = []) {
        // Sorted, for the errors' order, only when a key is left over.
        let unread: [(key: String, isNull: Bool)]
        switch object {
        case .tree(let members):
            unread = members.filter { !readKeys.contains($0.key) }.map { ($0.key, $0.value.isNull) }
        case .flat(let members):
            unread = members.members.indices.filter { readMembers & (1 << UInt64($0)) == 0 }
                .map { (members.members[$0].key, members.members[$0].value.isNull) }
        }
        for (key, isNull) in unread.sorted(by: { $0.key < $1.key }) {
            if absentIfNull.contains(key), isNull { continue }
            sink.add(path.key(key), explanations[key] ?? "is not a known field")
        }
    }
}

/// A rule a number must satisfy.
public struct NumberRule: Sendable {
    public let problem: @Sendable (Double) -> String?

    public init(_ problem: @escaping @Sendable (Double) -> String?) {
        self.problem = problem
    }

    public static let latitude = within(-90...90, unit: "")
    public static let longitude = within(-180...180, unit: "")
    /// A compass bearing: 0 inclusive to 360 exclusive.
    public static let bearing = NumberRule { value in
        (0..<360).contains(value) ? nil : "must be at least 0 and less than 360 degrees (got \(format(value)))"
    }
    public static let nonNegative = NumberRule { $0 >= 0 ? nil : "must not be negative (got \(format($0)))" }
    public static let positive = NumberRule { $0 > 0 ? nil : "must be greater than 0 (got \(format($0)))" }

    public static func within(_ range: ClosedRange<Double>, unit: String) -> NumberRule {
        NumberRule { value in
            range.contains(value)
                ? nil
                : "must be between \(format(range.lowerBound)) and \(format(range.upperBound))\(unit) (got \(format(value)))"
        }
    }

    public static func atLeast(_ minimum: Double) -> NumberRule {
        NumberRule { $0 >= minimum ? nil : "must be at least \(format(minimum)) (got \(format($0)))" }
    }

    public static func format(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
