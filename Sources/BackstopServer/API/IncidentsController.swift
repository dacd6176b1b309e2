import BackstopCore
import BackstopStore
import Foundation
import HTTPTypes
import Hummingbird

/// Incidents fused from observations, with their findings. Only the mission's own staff see
/// them: an incident joins records of many reporters, and releasing one to partners, parties
/// or the public is a decision the verification workflow makes, not this listing.
struct IncidentsController: Sendable {
    let store: any BackstopStore
    let board: IncidentBoard

    func register(with routes: RouteRegistrar) {
        routes.add(.listIncidents) { request, _, _ in try await list(request) }
        routes.add(.getIncident) { request, context, _ in try await get(request, context) }
    }


    func list(_ request: Request) async throws -> Response {
        var parameters = QueryParameters(request, allowed: Endpoint.listIncidents.queryParameters)
        let from = parameters.timestamp("from"), to = parameters.timestamp("to")
        if let from, let to, to <= from { parameters.fail("to", "must be after from") }
        var bbox: BoundingBox?
        if let raw = parameters.value("bbox") {
            switch BoundingBox.parse(raw) {
            case .success(let parsed): bbox = parsed
            case .failure(let error): parameters.fail(error.path, error.reason)
            }
        }
        var kinds: Set<ObservationKind> = []
        for raw in parameters.values("kind") {
            if let kind = ObservationKind(rawValue: raw) { kinds.insert(kind) } else {
                parameters.fail("kind", "unknown kind '\(raw)'; expected one of: \(ObservationKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        var findingKinds: Set<Finding.Kind> = []
        var anyFinding = false
        for raw in parameters.values("finding") {
            if raw == "any" { anyFinding = true } else if let kind = Finding.Kind(rawValue: raw) { findingKinds.insert(kind) } else {
                parameters.fail("finding", "unknown finding kind '\(raw)'; expected any or one of: \(Finding.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        var minimumConfidence = 0.0
        if let raw = parameters.value("min_confidence") {
            if let value = Double(raw), (0...1).contains(value) { minimumConfidence = value } else {
                parameters.fail("min_confidence", "must be a number from 0 to 1")
            }
        }
        let limit = parameters.int("limit", range: 1...ObservationQuery.maximumLimit) ?? ObservationQuery.defaultLimit
        // The same keyset form as observations: (time, id), here the incident's start.
        var after: ObservationCursor?
        if let raw = parameters.value("cursor") {
            if let cursor = ObservationCursor(token: raw) { after = cursor } else { parameters.fail("cursor", "is not a cursor this server issued") }
        }
        try parameters.check()

        let (bboxFilter, kindFilter, findingFilter, matchAny, cursor, leastConfidence) = (bbox, kinds, findingKinds, anyFinding, after, minimumConfidence)
        let ((page, next), behind): (([JSONValue], ObservationCursor?), Int64) = try await board.read { book in
        let matching = book.incidents.values.filter { incident in
            if let from, incident.end < from { return false }
            if let to, incident.start >= to { return false }
            if let bboxFilter, !(incident.point.map(bboxFilter.contains) ?? false) { return false }
            if !kindFilter.isEmpty, !kindFilter.contains(incident.kind) { return false }
            if incident.confidence < leastConfidence { return false }
            if matchAny || !findingFilter.isEmpty {
                let found = book.findings(for: incident.id)
                if matchAny ? found.isEmpty : !found.contains(where: { findingFilter.contains($0.kind) }) { return false }
            }
            if let after = cursor {
                let start = Timestamp.milliseconds(incident.start)
                if start < after.observedAtMilliseconds || start == after.observedAtMilliseconds && !UUIDOrder.less(after.id, incident.id) { return false }
            }
            return true
        }.sorted { a, b in
            let (ta, tb) = (Timestamp.milliseconds(a.start), Timestamp.milliseconds(b.start))
            return ta != tb ? ta < tb : UUIDOrder.less(a.id, b.id)
        }
        let page = matching.prefix(limit)
        let next = matching.count > limit ? page.last.map { ObservationCursor(observedAtMilliseconds: Timestamp.milliseconds($0.start), id: $0.id) } : nil
        return (page.map { $0.jsonValue(findings: book.findings(for: $0.id)) }, next)
        }
        return JSONResponse.make(.object([
            "incidents": .array(page),
            "next_cursor": next.map { .string($0.token) } ?? .null,
        ]), headers: Self.behindHeaders(behind))
    }

    func get(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let raw = context.parameters.get("id") ?? ""
        guard let id = UUID(uuidString: raw) else { throw APIError.validation(path: "id", "'\(raw)' is not a UUID") }
        let (found, behind): ((incident: Incident, findings: [Finding], reasons: [UUID: String])?, Int64) = try await board.read { book in
            guard let incident = book.incident(id: id) else {
                // An id retired by a merge still leads somewhere: name the incident that holds it now.
                if let holder = book.incident(containing: id) {
                    throw APIError(.notFound, code: "merged", message: "incident \(raw.lowercased()) was merged into \(holder.id.uuidString.lowercased())")
                }
                return nil
            }
            return (incident, book.findings(for: id), book.reasons(forIncident: id))
        }
        guard let (incident, findings, reasons) = found else {
            throw APIError(.notFound, code: "not_found", message: "no incident \(raw.lowercased())" + (behind > 0 ? " yet (\(behind) records are still being fused)" : ""),
                           headers: Self.behindHeaders(behind))
        }
        var observations: [JSONValue] = []
        for member in incident.memberIDs {
            guard let stored = try await store.observation(id: member), case .object(var object) = stored.jsonValue else { continue }
            object["joined_because"] = reasons[member].map(JSONValue.string) ?? .null
            observations.append(.object(object))
        }
        guard case .object(var body) = incident.jsonValue(findings: findings) else { return JSONResponse.make(.null) }
        body["observations"] = .array(observations)
        return JSONResponse.make(.object(body), headers: Self.behindHeaders(behind))
    }

    /// During a flood a read waits only so long for fusion: the header says how many committed
    /// records the answer does not reflect yet.
    static func behindHeaders(_ behind: Int64) -> HTTPFields {
        behind > 0 ? [.incidentsBehind: String(behind)] : [:]
    }
}

extension HTTPField.Name {
    static let incidentsBehind = HTTPField.Name("Backstop-Incidents-Behind")!
}
