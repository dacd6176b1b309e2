import BackstopCore
import BackstopStore
import Foundation
import Hummingbird

/// The query of `/ogc/collections/{id}/items`, read and checked as OGC API – Features says:
/// `bbox` (four numbers, or six with heights, which are ignored) in `bbox-crs`, `datetime` (an
/// instant, a date, or an interval with `..` or nothing for an open end), `limit` (1–10,000),
/// the page to continue from (`cursor`, or `offset` for findings), `crs` for the answer, and
/// `kind`. Any other parameter, or a value that cannot be read, is refused (400 at the edge).
struct FeaturesQuery: Sendable {
    var bbox: BoundingBox?
    var from: Date?
    /// Exclusive, as the listings' `to`.
    var to: Date?
    var limit = 100
    var offset = 0
    var cursor: String?
    var crs = FeatureCRS.crs84
    var kinds: Set<String> = []

    static let maximumLimit = 10_000

    init() {}

    init(_ request: Request) throws {
        var parameters = QueryParameters(request, allowed: Endpoint.featuresItems.queryParameters)
        crs = Self.crs(&parameters, "crs")
        let bboxCRS = Self.crs(&parameters, "bbox-crs")
        // Comma-separated, or the parameter repeated (as a client that explodes arrays sends it).
        let given = parameters.allValues("bbox")
        if !given.isEmpty {
            let numbers = given.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }.map { Double($0.trimmingCharacters(in: .whitespaces)) }
            if numbers.contains(nil) || (numbers.count != 4 && numbers.count != 6) {
                parameters.fail("bbox", "must be four numbers (or six, with heights): lower corner, then upper corner")
            } else {
                let values = numbers.compactMap { $0 }
                let half = values.count / 2
                // The corners in the bbox CRS's axis order: longitude first in CRS84, latitude first in EPSG:4326.
                let (lower, upper) = ((values[0], values[1]), (values[half], values[half + 1]))
                let (minLon, minLat, maxLon, maxLat) = bboxCRS == .crs84 ? (lower.0, lower.1, upper.0, upper.1) : (lower.1, lower.0, upper.1, upper.0)
                switch BoundingBox.parse("\(minLon),\(minLat),\(maxLon),\(maxLat)") {
                case .success(let box): bbox = box
                case .failure(let error): parameters.fail("bbox", error.reason)
                }
            }
        } else if parameters.value("bbox-crs") != nil {
            parameters.fail("bbox-crs", "is given without bbox")
        }
        // An empty datetime is one left unset, as clients send it.
        if let raw = parameters.value("datetime"), !raw.isEmpty {
            switch Self.interval(raw) {
            case .success(let (from, to)): (self.from, self.to) = (from, to)
            case .failure(let error): parameters.fail("datetime", error.reason)
            }
        }
        limit = parameters.int("limit", range: 1...Self.maximumLimit) ?? 100
        offset = parameters.int("offset", range: 0...Int(Int32.max)) ?? 0
        cursor = parameters.value("cursor")
        if cursor != nil, parameters.value("offset") != nil { parameters.fail("offset", "is not given together with cursor") }
        for raw in parameters.values("kind") {
            if ObservationKind(rawValue: raw) != nil { kinds.insert(raw) } else {
                parameters.fail("kind", "unknown kind '\(raw)'; expected one of: \(ObservationKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        try parameters.check()
    }

    /// A CRS parameter (its URI, bare or in brackets), CRS84 when not given.
    static func crs(_ parameters: inout QueryParameters, _ name: String) -> FeatureCRS {
        guard let raw = parameters.value(name) else { return .crs84 }
        let trimmed = raw.hasPrefix("[") && raw.hasSuffix("]") ? String(raw.dropFirst().dropLast()) : raw
        if let crs = FeatureCRS(rawValue: trimmed) { return crs }
        parameters.fail(name, "unsupported CRS '\(raw)'; supported: \(FeatureCRS.allCases.map(\.rawValue).joined(separator: ", "))")
        return .crs84
    }

    /// `datetime`: an instant or a date (that day), or `start/end` with `..` or nothing for an
    /// open end. Returns the half-open range [from, to).
    static func interval(_ text: String) -> Result<(Date?, Date?), FieldError> {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        func bound(_ part: String, end: Bool) -> Result<Date?, FieldError> {
            if part.isEmpty || part == ".." { return .success(nil) }
            if let day = day(part) { return .success(end ? day.addingTimeInterval(86_400) : day) }
            switch Timestamp.parseStrictly(part) {
            case .success(let date): return .success(end ? date.addingTimeInterval(0.001) : date)
            case .failure(let error): return .failure(FieldError(path: "datetime", reason: Timestamp.refusal(part, error)))
            }
        }
        switch parts.count {
        case 1:
            guard text != "..", !text.isEmpty else { return .failure(FieldError(path: "datetime", reason: "an instant cannot be open ('..')")) }
            return bound(text, end: false).flatMap { from in bound(text, end: true).map { to in (from, to) } }
        case 2:
            if (parts[0].isEmpty || parts[0] == "..") && (parts[1].isEmpty || parts[1] == "..") {
                return .failure(FieldError(path: "datetime", reason: "an interval needs at least one end"))
            }
            return bound(parts[0], end: false).flatMap { from in
                bound(parts[1], end: true).flatMap { to in
                    if let from, let to, to <= from { return .failure(FieldError(path: "datetime", reason: "the interval ends before it starts")) }
                    return .success((from, to))
                }
            }
        default:
            return .failure(FieldError(path: "datetime", reason: "must be an instant or an interval start/end (RFC 3339, '..' for an open end)"))
        }
    }

    private static func day(_ text: String) -> Date? {
        guard text.count == 10, text.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil else { return nil }
        return Timestamp.parse(text + "T00:00:00Z")
    }
}
