import BackstopCore
import BackstopStore
import Foundation

/// Where the escalation work has got to: the findings log and intake read so far, and the
/// events still inside some rule's window (so a node taking the work over counts as the last).
struct EscalationCursor: Codable, Sendable {
    static let key = EscalationKey(.cursor, "escalation")

    var findingsAfter: Int64
    var intakeAfter: Int64
    var events: [EscalationEvent]
}

/// A policy ready to evaluate: its rules engine over the sectors and zones it names.
struct ActivePolicy: Sendable {
    var stored: StoredPolicy
    var engine: EscalationEngine

    var policy: EscalationPolicy { engine.policy }

    func sectorKey(_ sector: String) -> EscalationKey { EscalationKey(.sector, "\(policy.id)/\(sector)") }
}

/// Turns the engine's decisions (and missed deadlines) into one write: the sectors' new
/// levels, alerts, drafted and reassigned requests, their audit entries and outbox messages.
/// Pure, so it runs inside the store's transaction on the records as they are there.
struct EscalationDecisions {
    let policies: [ActivePolicy]
    let events: [EscalationEvent]
    /// The release level of each incident behind an event (an alert's message names only
    /// those released as wide as the alert).
    let releases: [UUID: ReleaseLevel]
    let now: Date
    let node: String

    /// What is due now, given the sectors and requests as stored: whether anything would be
    /// written, and the incidents the level changes would name.
    func due(sectors records: [EscalationRecord], requests: [EscalationRecord]) throws -> (anything: Bool, incidents: Set<UUID>) {
        let stored = Dictionary(uniqueKeysWithValues: records.map { ($0.key.id, $0) })
        let decoded = try requests.map { try $0.decode(GuarantorRequest.self) }
        var anything = decoded.contains { $0.isPastDeadline(at: now) }
        var behind: Set<UUID> = []
        for active in policies {
            let states = try sectorStates(active) { stored[$0.id] }
            let open = Set(decoded.filter { $0.policyId == active.policy.id && $0.state.isOpen }.compactMap(\.draftKey))
            let outcome = active.engine.evaluate(events: events, sectors: states, openRequests: open, now: now)
            anything = anything || !outcome.levelChanges.isEmpty || !outcome.drafts.isEmpty
            behind.formUnion(outcome.levelChanges.flatMap(\.incidentIds))
        }
        return (anything, behind)
    }

    private func sectorStates(_ active: ActivePolicy, _ record: (EscalationKey) -> EscalationRecord?) throws -> [String: SectorState] {
        var states: [String: SectorState] = [:]
        for sector in active.policy.sectors {
            if let found = record(active.sectorKey(sector.id)) { states[sector.id] = try found.decode(SectorState.self) }
        }
        return states
    }

    func write(current: [EscalationKey: EscalationRecord], cursor: EscalationCursor, cursorChanged: Bool) throws -> EscalationWrite {
        var write = EscalationWrite()
        let requests = try current.filter { $0.key.kind == .request }.values.map { try $0.decode(GuarantorRequest.self) }
        for active in policies {
            let policy = active.policy
            let states = try sectorStates(active) { current[$0] }
            let open = Set(requests.filter { $0.policyId == policy.id && $0.state.isOpen }.compactMap(\.draftKey))
            let outcome = active.engine.evaluate(events: events, sectors: states, openRequests: open, now: now)
            var alertBySector: [String: UUID] = [:]
            for change in outcome.levelChanges {
                let previous = states[change.sectorId]
                let sector = policy.sector(change.sectorId)
                let alert = Alert(
                    id: Alert.id(policy: policy.id, sector: change.sectorId, request: nil, kind: .levelChange, from: change.from, to: change.to, at: now),
                    kind: .levelChange, policyId: policy.id, policyVersion: active.stored.version, sectorId: change.sectorId, sectorName: sector?.name,
                    fromLevel: change.from, toLevel: change.to, reasons: change.reasons, ruleIds: change.ruleIds, incidentIds: change.incidentIds,
                    observationIds: change.observationIds, raisedAt: now, exercise: false, release: policy.alertRelease,
                    references: previous?.alertId, area: active.engine.map.outline(of: change.sectorId).map { .polygon($0) }
                )
                var referenced = alert
                referenced.referencedAt = previous?.alertAt
                alertBySector[change.sectorId] = alert.id
                var state = previous ?? SectorState(sectorId: change.sectorId, policyId: policy.id, since: now)
                state.level = change.to
                state.since = Timestamp.normalised(now)
                state.alertId = alert.id
                state.alertAt = alert.raisedAt
                try write.put(.sector, active.sectorKey(change.sectorId).id, state)
                try add(referenced, to: &write)
            }
            for draft in outcome.drafts {
                // Derived from what decided it and how many drafts the rule made in the sector
                // before, so deciding again writes the same request and a later draft a new one.
                let earlier = requests.filter { $0.policyId == policy.id && $0.ruleId == draft.ruleId && $0.sectorId == draft.sectorId }.count
                let id = DerivedID.uuid(for: .object(["policy": .string(policy.id), "rule": .string(draft.ruleId), "sector": .string(draft.sectorId),
                                                      "at": .string(Timestamp.format(now)), "earlier": .integer(earlier)]), namespace: "backstop.request")
                var request = GuarantorRequest(
                    id: id, type: draft.type, priority: draft.priority, area: draft.area, windowStart: draft.windowStart, windowEnd: draft.windowEnd,
                    text: draft.text, incidentIds: draft.incidentIds, observationIds: draft.observationIds, alertId: alertBySector[draft.sectorId],
                    ruleId: draft.ruleId, sectorId: draft.sectorId, policyId: policy.id, exercise: false, draftedBy: "escalation rules", draftedAt: now
                )
                request.version = 1
                try RequestChange(request: request, event: "drafted", actor: "escalation rules (\(node))", note: draft.ruleId, now: now).add(to: &write)
            }
        }
        for var request in requests where request.isPastDeadline(at: now) {
            guard let policy = policies.first(where: { $0.policy.id == request.policyId })?.policy else { continue }
            let missed = request.partner
            let stage = request.deadlineStage ?? "acknowledge"
            let next = request.missDeadline(policy: policy, at: now)
            let alert = Alert(
                id: Alert.id(policy: policy.id, sector: request.sectorId, request: request.id, kind: .deadlineMissed, from: nil, to: nil, at: now),
                kind: .deadlineMissed, policyId: policy.id, policyVersion: policies.first { $0.policy.id == policy.id }?.stored.version ?? 1,
                sectorId: request.sectorId, sectorName: request.sectorId.flatMap { policy.sector($0)?.name }, requestId: request.id,
                reasons: ["\(missed ?? "the partner") did not \(stage) the \(request.type.rawValue) request in time"
                          + (next.map { "; it goes to \($0)" } ?? "; no partner is left in the policy's order")],
                incidentIds: request.incidentIds, raisedAt: now, exercise: request.exercise, release: .internal, area: request.area
            )
            try add(alert, to: &write)
            try RequestChange(request: request, event: next == nil ? "deadline_missed" : "reassigned", actor: "deadline (\(node))",
                              note: alert.reasons.first, now: now).add(to: &write)
        }
        if cursorChanged || !write.records.isEmpty { try write.put(.cursor, EscalationCursor.key.id, cursor) }
        return write
    }

    private func add(_ alert: Alert, to write: inout EscalationWrite) throws {
        try write.raise(alert, actor: "escalation rules (\(node))", releases: releases, now: now)
    }
}

extension EscalationWrite {
    /// An alert as written: the alert, its audit entry, and its message, which names only the
    /// incidents released as widely as the alert (and no observations outside the mission).
    mutating func raise(_ alert: Alert, actor: String, releases: [UUID: ReleaseLevel], now: Date) throws {
        try put(.alert, alert.id.uuidString.lowercased(), alert)
        audit.append(AuditDraft(actor: actor, action: "alert.raised", subject: "alert/\(alert.id.uuidString.lowercased())",
                                body: .object(["kind": .string(alert.kind.rawValue), "sector": alert.sectorId.map(JSONValue.string) ?? .null,
                                               "from": alert.fromLevel.map(JSONValue.integer) ?? .null, "to": alert.toLevel.map(JSONValue.integer) ?? .null,
                                               "sensor": alert.sensorId.map(JSONValue.string) ?? .null, "exercise": .bool(alert.exercise)])))
        var shown = alert
        shown.incidentIds = alert.incidentIds.filter { (releases[$0] ?? .internal) >= alert.release }
        if alert.release > .internal { shown.observationIds = [] }
        messages.append(try OutboxMessage(id: OutboxMessage.id(event: alert.event, subject: "alert/\(alert.id.uuidString.lowercased())", version: "1"),
                                          event: alert.event, subject: "alert/\(alert.id.uuidString.lowercased())", release: alert.release,
                                          partner: nil, exercise: alert.exercise, createdAt: now, data: shown))
    }
}

/// A step of a guarantor request as written: the request, its audit entry and its message.
/// Drafts and deadline events go to the mission; a request issued to a partner, and each step
/// after, also goes to that partner.
struct RequestChange {
    var request: GuarantorRequest
    /// drafted, issued, acknowledged, accepted, declined, completed, withdrawn, reassigned,
    /// deadline_missed.
    var event: String
    var actor: String
    var note: String?
    var now: Date

    func add(to write: inout EscalationWrite) throws {
        let subject = "guarantor-request/\(request.id.uuidString.lowercased())"
        try write.put(.request, request.id.uuidString.lowercased(), request)
        write.audit.append(AuditDraft(actor: actor, action: "guarantor_request.\(event)", subject: subject, body: .object([
            "state": .string(request.state.rawValue), "version": .integer(request.version), "partner": request.partner.map(JSONValue.string) ?? .null,
            "type": .string(request.type.rawValue), "priority": .string(request.priority.rawValue), "exercise": .bool(request.exercise),
            "note": note.map(JSONValue.string) ?? .null,
        ])))
        guard OutboxEvent.all.contains("guarantor_request.\(event)") else { return }
        let addressed = request.state == .draft ? nil : request.partner
        write.messages.append(try OutboxMessage(
            id: OutboxMessage.id(event: "guarantor_request.\(event)", subject: subject, version: String(request.version)),
            event: "guarantor_request.\(event)", subject: subject, release: .internal, partner: addressed, exercise: request.exercise,
            createdAt: now, data: request))
    }
}
