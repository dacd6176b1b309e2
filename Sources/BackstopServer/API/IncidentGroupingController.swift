import BackstopCore
import BackstopStore
import Foundation
import HTTPTypes
import Hummingbird

/// Analysts' merges and splits. The decision is stored (records pinned to a group, the affected
/// incidents given a new version, the audit entry) in one transaction on whichever node takes
/// the request; the node deriving incidents applies it, and the answer waits for that (at most
/// the board's read wait, else 202 with the incidents as they stand). Which id survives follows
/// the id rule: a merge keeps the id of the incident holding the oldest record; a split keeps
/// the id on the part that holds it and mints one for the other part.
struct IncidentGroupingController: Sendable {
    let store: any BackstopStore
    let board: IncidentBoard
    let incidents: IncidentsController
    let now: @Sendable () -> Date

    func register(with routes: RouteRegistrar) {
        routes.add(.mergeIncident) { request, context, identity in try await answered(request, context) { try await merge(request, $0, context, identity!) } }
        routes.add(.splitIncident) { request, context, identity in try await answered(request, context) { try await split(request, $0, context, identity!) } }
    }

    /// JSON is answered with the parts; the incident page's forms send the browser to the
    /// incident that holds the records now (a merge may retire the page's own id).
    private func answered(_ request: Request, _ context: AppRequestContext,
                          _ decide: @escaping (JSONValue) async throws -> (response: Response, landing: UUID)) async throws -> Response {
        let body = try await DecisionBody.read(request, context, limit: IncidentDecisionsController.bodyLimit, required: true)
        guard let json = body.json else { throw APIError(.badRequest, code: "empty_body", message: "the request needs a JSON body") }
        guard body.fromForm else { return try await decide(json).response }
        return try await incidents.answerForm(context) { try await decide(json).landing }
    }

    struct Parts: Encodable, Sendable {
        var incidents: [IncidentView]
    }

    func merge(_ request: Request, _ body: JSONValue, _ context: AppRequestContext, _ identity: Identity) async throws -> (response: Response, landing: UUID) {
        let id = try IncidentsController.incidentID(context)
        let sink = ErrorSink()
        let reader = ObjectReader(body, path: FieldPath(), sink: sink)
        let other = reader?.uuid("other_id", required: true)
        let bodyVersion = reader?.int("version", rule: .atLeast(1))
        reader?.finish()
        if !sink.errors.isEmpty { throw APIError.validation(sink.errors) }
        let version = try IncidentDecisionsController.version(request, body: bodyVersion)
        let (otherID, time) = (other!, now())
        let written = try await change([id, otherID]) { current in
            var first = try Self.live(id, in: current)
            var second = try Self.live(otherID, in: current)
            guard otherID != id else { throw APIError.validation(path: "other_id", "is this incident; name the one to merge into it") }
            guard first.version == version else { throw WorkflowError.staleVersion(current: first.version) }
            let survivor = IncidentIdentity.survivor((first.id, first.firstSequence), (second.id, second.firstSequence))
            var pins: [UUID: UUID] = [:]
            for record in first.summary.observationIDs + second.summary.observationIDs { pins[record] = survivor }
            // Both incidents change (a write based on either's old version is now stale).
            first.workflow.touch()
            second.workflow.touch()
            (first.updatedAt, second.updatedAt) = (time, time)
            let audit = AuditDraft(actor: identity.name, action: "decision.merge", subject: IncidentDecisionsController.subject(id), body: .object([
                "with": .string(otherID.uuidString.lowercased()), "survivor": .string(survivor.uuidString.lowercased()), "version": .integer(first.version),
            ]))
            return IncidentWrite(incidents: [first, second], audit: [audit], actor: identity.name, pins: pins)
        }
        let (a, b) = (written[0], written[1])
        let survivor = IncidentIdentity.survivor((a.id, a.firstSequence), (b.id, b.firstSequence))
        let retired = survivor == id ? otherID : id
        let applied = try await board.waitUntil(within: board.readWait) { $0[retired]?.incident.mergedInto == survivor }
        let incident = await board.resolve(survivor)?.incident ?? written.first { $0.id == survivor }!
        return (try IncidentsController.respond(Parts(incidents: [IncidentView(incident)]), status: applied ? .ok : .accepted, headers: [:]), survivor)
    }

    func split(_ request: Request, _ body: JSONValue, _ context: AppRequestContext, _ identity: Identity) async throws -> (response: Response, landing: UUID) {
        let id = try IncidentsController.incidentID(context)
        let sink = ErrorSink()
        let reader = ObjectReader(body, path: FieldPath(), sink: sink)
        var leaving: [UUID] = []
        for (path, value) in reader?.array("observation_ids", required: true, maxCount: 1_000) ?? [] {
            if let text = value.stringValue, let record = UUID(uuidString: text) { leaving.append(record) } else { sink.add(path, "must be an observation id (a UUID)") }
        }
        let bodyVersion = reader?.int("version", rule: .atLeast(1))
        reader?.finish()
        if reader?.has("observation_ids") == true, leaving.isEmpty, sink.errors.isEmpty { sink.add(FieldPath("observation_ids"), "must name at least one record") }
        if !sink.errors.isEmpty { throw APIError.validation(sink.errors) }
        let version = try IncidentDecisionsController.version(request, body: bodyVersion)
        let (moving, time) = (Set(leaving), now())
        let written = try await change([id]) { current in
            var incident = try Self.live(id, in: current)
            guard incident.version == version else { throw WorkflowError.staleVersion(current: incident.version) }
            let members = Set(incident.summary.observationIDs)
            let strangers = moving.subtracting(members).map { $0.uuidString.lowercased() }.sorted()
            // Well-formed, but at odds with what the incident holds now (another analyst may have
            // split it a moment ago): a conflict with its state, like a stale version.
            guard strangers.isEmpty else {
                throw APIError(.conflict, code: "not_members", message: "not records of this incident (now): \(strangers.joined(separator: ", "))",
                               fieldErrors: [FieldError(path: "observation_ids", reason: "names records the incident does not hold")])
            }
            guard moving.count < members.count else {
                throw APIError(.conflict, code: "nothing_left", message: "a split must leave at least one record in the incident",
                               fieldErrors: [FieldError(path: "observation_ids", reason: "names every record of the incident")])
            }
            let apart = DerivedID.uuid(for: .object([
                "incident": .string(id.uuidString.lowercased()),
                "records": .array(moving.map { .string($0.uuidString.lowercased()) }.sorted { $0.stringValue! < $1.stringValue! }),
            ]), namespace: "backstop.split")
            var pins: [UUID: UUID] = [:]
            for record in members { pins[record] = moving.contains(record) ? apart : id }
            incident.workflow.touch()
            incident.updatedAt = time
            let audit = AuditDraft(actor: identity.name, action: "decision.split", subject: IncidentDecisionsController.subject(id), body: .object([
                "observation_ids": .array(moving.map { .string($0.uuidString.lowercased()) }.sorted { $0.stringValue! < $1.stringValue! }),
                "version": .integer(incident.version),
            ]))
            return IncidentWrite(incidents: [incident], audit: [audit], actor: identity.name, pins: pins)
        }
        let stayer = written[0].summary.observationIDs.first { !moving.contains($0) }!
        let mover = leaving[0]
        // Applied once the id no longer holds both (one of the two parts keeps it).
        let applied = try await board.waitUntil(within: board.readWait) { entries in
            let members = entries[id]?.incident.summary.observationIDs ?? []
            return !(members.contains(stayer) && members.contains(mover))
        }
        let parts = await board.holders(of: [stayer, mover])
        return (try IncidentsController.respond(Parts(incidents: parts.map { IncidentView($0) }), status: applied ? .ok : .accepted, headers: [:]), id)
    }

    /// The incident as stored, live: 404 when unknown, 404 `merged` when retired.
    static func live(_ id: UUID, in current: [UUID: StoredIncident]) throws -> StoredIncident {
        guard let incident = current[id] else { throw APIError.notFound("no incident \(id.uuidString.lowercased())") }
        if let survivor = incident.mergedInto {
            throw APIError(.notFound, code: "merged", message: "incident \(id.uuidString.lowercased()) was merged into \(survivor.uuidString.lowercased())")
        }
        return incident
    }

    private func change(_ ids: [UUID], _ decide: @escaping @Sendable ([UUID: StoredIncident]) throws -> IncidentWrite) async throws -> [StoredIncident] {
        do {
            let written = try await store.changeIncidents(ids, fence: nil, decide) ?? []
            await board.apply(written)
            return written
        } catch let error as WorkflowError {
            throw IncidentDecisionsController.apiError(error)
        }
    }
}
