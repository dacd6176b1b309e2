/// Collects field errors while a document is read, so that one pass reports all of them.
public final class ErrorSink {
    public private(set) var errors: [FieldError] = []

    public init() {}

    public func add(_ path: FieldPath, _ reason: String) {
        errors.append(FieldError(path: path.description, reason: reason))
    }

    public var isEmpty: Bool { errors.isEmpty }

    /// Throws the collected errors, if any.
    public func check() throws(ValidationFailure) {
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }
}
