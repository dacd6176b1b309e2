import BackstopCore
import Foundation

/// An observation with its place in the intake order: the order in which the store committed
/// records, which every node reads the same way (unlike `observed_at`, which late arrivals
/// fill in behind).
public struct IntakeEntry: Sendable {
    public var sequence: Int64
    public var stored: StoredObservation

    public init(sequence: Int64, stored: StoredObservation) {
        self.sequence = sequence
        self.stored = stored
    }
}

/// A named piece of background work held by one node at a time until `expiresAt`; the holder
/// renews it while alive, and another node takes it over once it has expired. `position` is how
/// far the work has got (an intake sequence), so a new holder resumes where the last one
/// stopped.
public struct WorkLease: Sendable, Hashable {
    public var name: String
    public var holder: String
    public var position: Int64
    public var expiresAt: Date

    public init(name: String, holder: String, position: Int64, expiresAt: Date) {
        self.name = name
        self.holder = holder
        self.position = position
        self.expiresAt = expiresAt
    }
}

/// An entry of the findings log that escalation reads: a finding as first detected on an
/// incident, confirmed when a supervisor confirmed the incident as verified, or retracted when
/// a confirmed finding no longer holds (the incident rejected, re-assessed or merged away).
/// One entry per (incident, agreement, rule, kind, status, round): recording it again changes
/// nothing.
public struct FindingLogSubmission: Sendable, Hashable {
    public enum Status: String, Sendable, CaseIterable {
        case detected, confirmed, retracted
    }

    public var incidentID: UUID
    public var incidentStart: Date
    public var agreementID: String
    public var ruleID: String
    public var kind: String
    public var party: String?
    public var text: String
    public var status: Status
    /// The assessment whose confirmation confirmed (or whose replacement retracted) it; 0 for
    /// a detection.
    public var round: Int

    public init(incidentID: UUID, incidentStart: Date, agreementID: String, ruleID: String, kind: String, party: String?, text: String,
                status: Status = .detected, round: Int = 0) {
        self.status = status
        self.round = round
        self.incidentID = incidentID
        self.incidentStart = incidentStart
        self.agreementID = agreementID
        self.ruleID = ruleID
        self.kind = kind
        self.party = party
        self.text = text
    }
}

public struct LoggedFinding: Sendable, Hashable {
    public var sequence: Int64
    public var finding: FindingLogSubmission
    public var recordedAt: Date
    /// The node that held the findings work when this was recorded.
    public var recordedBy: String

    public init(sequence: Int64, finding: FindingLogSubmission, recordedAt: Date, recordedBy: String) {
        self.sequence = sequence
        self.finding = finding
        self.recordedAt = recordedAt
        self.recordedBy = recordedBy
    }

    public var jsonValue: JSONValue {
        .object([
            "sequence": .integer(Int(sequence)),
            "incident_id": .string(finding.incidentID.uuidString.lowercased()),
            "incident_start": .string(Timestamp.format(finding.incidentStart)),
            "agreement_id": .string(finding.agreementID),
            "rule_id": .string(finding.ruleID),
            "kind": .string(finding.kind),
            "party": finding.party.map(JSONValue.string) ?? .null,
            "text": .string(finding.text),
            "status": .string(finding.status.rawValue),
            "confirmed": .bool(finding.status == .confirmed),
            "assessment": finding.round > 0 ? .integer(finding.round) : .null,
            "recorded_at": .string(Timestamp.format(recordedAt)),
            "recorded_by": .string(recordedBy),
        ])
    }
}
