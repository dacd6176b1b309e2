import Foundation

/// One problem with one field of an input document: where it is and why it is refused.
public struct FieldError: Error, Hashable, Sendable, Codable, CustomStringConvertible {
    /// A path such as `observations[2].location.lat`; empty for the document itself.
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
}

/// Every problem found in one input document.
public struct ValidationFailure: Error, Sendable, CustomStringConvertible {
    public var errors: [FieldError]

    public init(_ errors: [FieldError]) {
        self.errors = errors
    }

    public var description: String { errors.map(\.description).joined(separator: "\n") }

    /// A document's bytes as JSON, or the refusal that names why they are not.
    public static func json(_ data: Data) throws(ValidationFailure) -> JSONValue {
        do {
            return try JSONValue.parse(data)
        } catch {
            throw ValidationFailure([FieldError(path: "", reason: "is not valid JSON: \(JSONErrorDescription.describe(error))")])
        }
    }
}

/// Path arithmetic for nested documents.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    public private(set) var description: String

    public init(_ root: String = "") {
        description = root
    }

    public func key(_ key: String) -> FieldPath {
        FieldPath(description.isEmpty ? key : "\(description).\(key)")
    }

    public func index(_ index: Int) -> FieldPath {
        FieldPath("\(description)[\(index)]")
    }
}
