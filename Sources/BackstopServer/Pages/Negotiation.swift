import Foundation
import Hummingbird

/// A representation a resource is served in: chosen by `?f=` when given, else by the first
/// media type of the `Accept` header that one of them answers to (a browser names HTML first),
/// else the first listed (JSON).
protocol Representation: RawRepresentable, CaseIterable, Equatable where RawValue == String {
    /// The media types (lowercase, without parameters) that ask for it.
    var acceptedTypes: [String] { get }
    /// Other `f` values meaning it (`geojson` for JSON).
    var aliases: [String] { get }
}

extension Representation {
    var aliases: [String] { [] }

    static func chosen(by request: Request) throws -> Self {
        if let raw = request.uri.queryParameters["f"].map(String.init) {
            guard let format = allCases.first(where: { $0.rawValue == raw || $0.aliases.contains(raw) }) else {
                throw APIError.validation(path: "f", "unknown format '\(raw)'; expected one of: \(allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return format
        }
        for accepted in (request.headers[.accept] ?? "").split(separator: ",") {
            let type = accepted.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            if let format = allCases.first(where: { $0.acceptedTypes.contains(type) || (type.hasSuffix("+json") && $0.acceptedTypes.contains("application/json")) }) {
                return format
            }
        }
        return allCases.first!
    }
}
