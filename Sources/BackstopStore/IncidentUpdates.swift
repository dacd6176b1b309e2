import BackstopCore
import Foundation

/// How each kind of change to incidents turns into stored incidents, audit entries and
/// findings-log entries: pure functions, the same for every store and every node.
public enum IncidentUpdates {
    /// What fusion re-derived, reconciled with the stored incidents (`current` holds every id
    /// the outcome names): new and changed incidents, ids retired by merges, with their audit
    /// entries and the findings detected (or, for a retired verified incident, retracted).
    public static func derived(_ outcome: IncidentIdentity.Outcome, summaries: [UUID: IncidentSummary], firstSequences: [UUID: Int64],
                               current: [UUID: StoredIncident], by actor: String = "fusion", at time: Date) -> IncidentWrite {
        var write = IncidentWrite(actor: actor)
        for assigned in outcome.assigned {
            guard let summary = summaries[assigned.id] else { continue }
            let previous = current[assigned.id]
            var incident = previous ?? StoredIncident(id: assigned.id, summary: summary, firstSequence: firstSequences[assigned.id] ?? 0, at: time)
            if let previous {
                incident.derived(summary, joined: assigned.joined, at: time)
                guard incident != previous else { continue }
            }
            let before = Set((previous?.summary.findings ?? []).map(\.key))
            write.findings += summary.findings.filter { !before.contains($0.key) }.map { entry(for: incident, $0, status: .detected, round: 0) }
            if assigned.minted, !assigned.splitFrom.isEmpty {
                write.audit += assigned.splitFrom.map { from in
                    AuditDraft(actor: actor, action: "incident.split", subject: subject(from),
                               body: .object(["into": .string(text(assigned.id)), "observation_ids": .array(assigned.members.map { .string(text($0)) })]))
                }
            }
            write.incidents.append(incident)
        }
        for (retired, survivor) in outcome.merged {
            guard var incident = current[retired] else { continue }
            write.findings += retractAll(incident)
            incident.retire(into: survivor, at: time)
            incident.confirmedFindings = []
            write.audit.append(AuditDraft(actor: actor, action: "incident.merged", subject: subject(retired),
                                          body: .object(["into": .string(text(survivor)), "version": .integer(incident.version)])))
            write.incidents.append(incident)
        }
        return write
    }

    /// A confirmation made `incident` hold its latest assessment: the findings it now confirms
    /// (verified) and those it no longer does are logged, and remembered on the incident.
    public static func confirmed(_ incident: inout StoredIncident) -> [FindingLogSubmission] {
        guard let holding = incident.workflow.holding else { return [] }
        let now = holding.verdict == .verified ? incident.summary.findings : []
        let kept = Set(now.map(\.key))
        var entries = incident.confirmedFindings.filter { !kept.contains($0.key) }.map {
            entry(for: incident, $0, status: .retracted, round: incident.confirmedRound)
        }
        entries += now.map { entry(for: incident, $0, status: .confirmed, round: holding.number) }
        incident.confirmedFindings = now
        incident.confirmedRound = now.isEmpty ? 0 : holding.number
        incident.confirmedSummary = holding.verdict == .verified ? incident.corrected : nil
        return entries
    }

    private static func retractAll(_ incident: StoredIncident) -> [FindingLogSubmission] {
        incident.confirmedFindings.map { entry(for: incident, $0, status: .retracted, round: incident.confirmedRound) }
    }

    static func entry(for incident: StoredIncident, _ finding: IncidentSummary.FindingSummary, status: FindingLogSubmission.Status,
                      round: Int) -> FindingLogSubmission {
        FindingLogSubmission(incidentID: incident.id, incidentStart: incident.summary.startDate, agreementID: finding.agreement,
                             ruleID: finding.rule, kind: finding.kind, party: finding.party, text: finding.text, status: status, round: round)
    }

    static func subject(_ id: UUID) -> String { "incident/\(text(id))" }
    static func text(_ id: UUID) -> String { id.uuidString.lowercased() }
}
