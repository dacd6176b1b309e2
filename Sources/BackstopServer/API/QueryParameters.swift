import BackstopCore
import BackstopStore
import Foundation
import Hummingbird

/// Reads query parameters, refusing unknown ones so that a mistyped filter is an error rather
/// than a silently unfiltered (and, in an export, misleading) result.
struct QueryParameters {
    private let parameters: [(String, String)]
    private var errors: [FieldError] = []

    init(_ request: Request, allowed: Set<String>) {
        let given = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        // An empty cursor asks for the first page (as a client sends an unset cursor); any other
        // parameter given empty is refused by its own rule.
        parameters = given.filter { !($0.0 == "cursor" && $0.1.isEmpty) }
        for name in Set(given.map(\.0)).sorted() where !allowed.contains(name) {
            errors.append(FieldError(path: name, reason: "is not a known query parameter; known: \(allowed.sorted().joined(separator: ", "))"))
        }
    }

    func values(_ name: String) -> [String] {
        parameters.filter { $0.0 == name }.flatMap { $0.1.split(separator: ",").map(String.init) }
    }

    /// Every value given for the parameter, as given (repeated parameters in order).
    func allValues(_ name: String) -> [String] {
        parameters.filter { $0.0 == name }.map(\.1)
    }

    func value(_ name: String) -> String? {
        parameters.last { $0.0 == name }?.1
    }

    mutating func timestamp(_ name: String) -> Date? {
        guard let raw = value(name) else { return nil }
        switch Timestamp.parseStrictly(raw) {
        case .success(let date): return date
        case .failure(let error):
            errors.append(FieldError(path: name, reason: Timestamp.refusal(raw, error)))
            return nil
        }
    }

    mutating func int(_ name: String, range: ClosedRange<Int>) -> Int? {
        guard let raw = value(name) else { return nil }
        guard let int = Int(raw), range.contains(int) else {
            errors.append(FieldError(path: name, reason: "must be a whole number from \(range.lowerBound) to \(range.upperBound)"))
            return nil
        }
        return int
    }

    /// `after` (a sequence, 0 by default) and `limit`: how the logs (findings, audit) are paged.
    mutating func sequencePage() -> (after: Int64, limit: Int) {
        let after = int("after", range: 0...Int.max) ?? 0
        let limit = int("limit", range: 1...ObservationQuery.maximumLimit) ?? ObservationQuery.defaultLimit
        return (Int64(after), limit)
    }

    /// A parameter that must be given, one of `Choice`'s values.
    mutating func required<Choice: RawRepresentable & CaseIterable>(_ name: String, _ type: Choice.Type) -> Choice? where Choice.RawValue == String {
        let allowed = Choice.allCases.map(\.rawValue).joined(separator: ", ")
        guard let raw = value(name) else {
            fail(name, "is required: one of \(allowed)")
            return nil
        }
        guard let choice = Choice(rawValue: raw) else {
            fail(name, "unknown \(name) '\(raw)'; expected one of: \(allowed)")
            return nil
        }
        return choice
    }

    mutating func fail(_ name: String, _ reason: String) {
        errors.append(FieldError(path: name, reason: reason))
    }

    func check() throws {
        if !errors.isEmpty { throw APIError.validation(errors) }
    }
}
