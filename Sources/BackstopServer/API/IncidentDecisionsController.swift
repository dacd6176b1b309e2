import BackstopCore
import BackstopStore
import Foundation
import HTTPTypes
import Hummingbird

/// People's decisions about an incident: an analyst proposes an assessment, a supervisor who
/// did not propose it confirms or returns it, a supervisor releases a verified incident. Each
/// write names the version it was based on (`If-Match` with the ETag, or `version` in the body)
/// and is checked by `IncidentWorkflow` inside the store's transaction, with its audit entry
/// (and, for a confirmation, the findings it confirms or retracts) in the same commit.
struct IncidentDecisionsController: Sendable {
    let store: any BackstopStore
    let board: IncidentBoard
    let incidents: IncidentsController
    let now: @Sendable () -> Date

    static let bodyLimit = 64 * 1024

    func register(with routes: RouteRegistrar) {
        routes.add(.proposeAssessment) { request, context, identity in try await answered(request, context) { try await propose(request, $0, context, identity!) } }
        routes.add(.confirmAssessment) { request, context, identity in
            try await answered(request, context) { try await decide(request, $0, context, identity!, confirm: true) }
        }
        routes.add(.returnAssessment) { request, context, identity in
            try await answered(request, context) { try await decide(request, $0, context, identity!, confirm: false) }
        }
        routes.add(.releaseIncident) { request, context, identity in try await answered(request, context) { try await release(request, $0, context, identity!) } }
    }

    /// A decision sent as JSON is answered with JSON; one sent by the incident page's form,
    /// with the page (`IncidentsController.answerForm`).
    private func answered(_ request: Request, _ context: AppRequestContext,
                          _ decide: @escaping (DecisionBody) async throws -> Response) async throws -> Response {
        let body = try await DecisionBody.read(request, context, limit: Self.bodyLimit, required: false)
        guard body.fromForm else { return try await decide(body) }
        return try await incidents.answerForm(context) {
            _ = try await decide(body)
            return try IncidentsController.incidentID(context)
        }
    }

    func propose(_ request: Request, _ given: DecisionBody, _ context: AppRequestContext, _ identity: Identity) async throws -> Response {
        let id = try IncidentsController.incidentID(context)
        guard let body = given.json else { throw APIError(.badRequest, code: "empty_body", message: "the request needs a JSON body") }
        let sink = ErrorSink()
        let reader = ObjectReader(body, path: FieldPath(), sink: sink)
        let verdict = reader?.choice("verdict", Verdict.self, required: true)
        let note = reader?.string("note", required: true, maxLength: 10_000)
        let corrections = reader?.value("corrections") ?? .object([:])
        let bodyVersion = reader?.int("version", rule: .atLeast(1))
        reader?.finish()
        for problem in Corrections.problems(corrections) { sink.add(FieldPath(problem.path), problem.reason) }
        if !sink.errors.isEmpty { throw APIError.validation(sink.errors) }
        let version = try Self.version(request, body: bodyVersion)
        let time = now()
        let incident = try await change(id) { incident in
            let assessment = try incident.workflow.propose(verdict: verdict!, note: note!, corrections: corrections, by: identity.name,
                                                           role: identity.role, at: time, expectedVersion: version)
            return [AuditDraft(actor: identity.name, action: "assessment.proposed", subject: Self.subject(id), body: .object([
                "number": .integer(assessment.number), "verdict": .string(assessment.verdict.rawValue), "note": .string(assessment.note),
                "corrections": assessment.corrections, "version": .integer(incident.version),
            ]))]
        }
        return try Self.respond(incident, status: .created)
    }

    func decide(_ request: Request, _ given: DecisionBody, _ context: AppRequestContext, _ identity: Identity, confirm: Bool) async throws -> Response {
        let id = try IncidentsController.incidentID(context)
        let raw = context.parameters.get("number") ?? ""
        guard let number = Int(raw), number >= 1 else { throw APIError.validation(path: "number", "'\(raw)' is not an assessment number") }
        let sink = ErrorSink()
        var givenReason: String?
        var bodyVersion: Int?
        // A confirmation needs no body; a return needs its reason.
        if !confirm || given.json != nil {
            guard let json = given.json else { throw APIError(.badRequest, code: "empty_body", message: "the request needs a JSON body") }
            let reader = ObjectReader(json, path: FieldPath(), sink: sink)
            if !confirm { givenReason = reader?.string("reason", required: true, maxLength: 10_000) }
            bodyVersion = reader?.int("version", rule: .atLeast(1))
            reader?.finish()
        }
        if !sink.errors.isEmpty { throw APIError.validation(sink.errors) }
        let version = try Self.version(request, body: bodyVersion)
        let time = now()
        let reason = givenReason
        let incident = try await change(id) { incident in
            if confirm {
                try incident.workflow.confirm(number, by: identity.name, role: identity.role, at: time, expectedVersion: version)
            } else {
                try incident.workflow.returnAssessment(number, reason: reason ?? "", by: identity.name, role: identity.role, at: time,
                                                       expectedVersion: version)
            }
            return [AuditDraft(actor: identity.name, action: confirm ? "assessment.confirmed" : "assessment.returned", subject: Self.subject(id),
                               body: .object([
                                   "number": .integer(number), "state": .string(incident.state.rawValue), "version": .integer(incident.version),
                                   "reason": reason.map(JSONValue.string) ?? .null,
                               ]))]
        }
        return try Self.respond(incident, status: .ok)
    }

    func release(_ request: Request, _ given: DecisionBody, _ context: AppRequestContext, _ identity: Identity) async throws -> Response {
        let id = try IncidentsController.incidentID(context)
        guard let body = given.json else { throw APIError(.badRequest, code: "empty_body", message: "the request needs a JSON body") }
        let sink = ErrorSink()
        let reader = ObjectReader(body, path: FieldPath(), sink: sink)
        let level = reader?.choice("level", ReleaseLevel.self, required: true, noun: "release level")
        let bodyVersion = reader?.int("version", rule: .atLeast(1))
        reader?.finish()
        if !sink.errors.isEmpty { throw APIError.validation(sink.errors) }
        let version = try Self.version(request, body: bodyVersion)
        let incident = try await change(id) { incident in
            try incident.workflow.release(to: level!, by: identity.name, role: identity.role, expectedVersion: version)
            return [AuditDraft(actor: identity.name, action: "incident.released", subject: Self.subject(id),
                               body: .object(["level": .string(level!.rawValue), "version": .integer(incident.version)]))]
        }
        return try Self.respond(incident, status: .ok)
    }

    /// Applies a decision to the incident as stored now, in one transaction with its audit
    /// entries (and the findings a confirmation confirms or retracts); refusals map to 4xx.
    private func change(_ id: UUID, _ decide: @escaping @Sendable (inout StoredIncident) throws -> [AuditDraft]) async throws -> StoredIncident {
        let time = now()
        let written: [StoredIncident]?
        do {
            written = try await store.changeIncidents([id], fence: nil) { current in
                guard var incident = current[id] else { throw APIError.notFound("no incident \(id.uuidString.lowercased())") }
                if let survivor = incident.mergedInto {
                    throw APIError(.notFound, code: "merged", message: "incident \(id.uuidString.lowercased()) was merged into \(survivor.uuidString.lowercased()); decide on that one")
                }
                let before = incident
                let audit = try decide(&incident)
                guard incident != before else { return IncidentWrite() }
                var findings: [FindingLogSubmission] = []
                if incident.workflow.holding != before.workflow.holding { findings = IncidentUpdates.confirmed(&incident) }
                incident.updatedAt = time
                return IncidentWrite(incidents: [incident], audit: audit, findings: findings, actor: audit.first?.actor ?? "api")
            }
        } catch let error as WorkflowError {
            throw Self.apiError(error)
        }
        if let written, !written.isEmpty {
            await board.apply(written)
            return written[0]
        }
        // Nothing changed (a release to the level it has): answer with the incident as it is.
        guard let incident = try await store.storedIncident(id: id) else { throw APIError.notFound("no incident \(id.uuidString.lowercased())") }
        return incident
    }

    static func apiError(_ error: WorkflowError) -> APIError {
        switch error {
        case .staleVersion(let current):
            APIError(.conflict, code: "stale_version", message: error.description, headers: [.eTag: "\"\(current)\""])
        case .illegalTransition:
            APIError(.conflict, code: "illegal_transition", message: error.description)
        case .fourEyes:
            APIError(.forbidden, code: "four_eyes", message: error.description)
        case .forbidden:
            APIError(.forbidden, code: "forbidden", message: error.description)
        case .unknownAssessment:
            APIError(.notFound, code: "not_found", message: error.description)
        case .invalid(let path, let reason):
            APIError.validation(path: path, reason)
        }
    }

    /// The version a write is based on: `If-Match` (the ETag, quoted or not) or `version`.
    static func version(_ request: Request, body: Int?) throws -> Int {
        if let header = request.headers[.ifMatch] {
            let trimmed = header.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "W/", with: "")
            let inner = trimmed.hasPrefix("\"") && trimmed.hasSuffix("\"") && trimmed.count >= 2 ? String(trimmed.dropFirst().dropLast()) : trimmed
            guard let version = Int(inner), version >= 1 else {
                throw APIError.validation(path: "If-Match", "must be the incident's ETag, such as \"3\"")
            }
            if let body, body != version { throw APIError.validation(path: "version", "differs from If-Match (\(version))") }
            return version
        }
        guard let body else {
            throw APIError(.preconditionRequired, code: "version_required",
                           message: "send the incident's version: If-Match with its ETag, or version in the body",
                           fieldErrors: [FieldError(path: "version", reason: "is required (or If-Match)")])
        }
        return body
    }

    static func respond(_ incident: StoredIncident, status: HTTPResponse.Status) throws -> Response {
        try IncidentsController.respond(IncidentView(incident), status: status, headers: [.eTag: "\"\(incident.version)\""])
    }

    static func subject(_ id: UUID) -> String { "incident/\(id.uuidString.lowercased())" }
}
