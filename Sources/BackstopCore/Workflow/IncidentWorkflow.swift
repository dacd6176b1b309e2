import Foundation

/// Where an incident stands in verification, as the queue shows it.
public enum IncidentState: String, CaseIterable, Sendable, Codable {
    /// No assessment has been confirmed and none is proposed.
    case unreviewed
    /// An assessment awaits a supervisor (the last confirmed one, if any, still holds).
    case proposed
    /// Confirmed: the event happened as assessed.
    case verified
    /// Confirmed: the event could not be established.
    case notVerified = "not_verified"
    /// Confirmed: a false or duplicate report.
    case rejected
}

/// What an analyst concludes about an incident.
public enum Verdict: String, CaseIterable, Sendable, Codable {
    case verified
    case notVerified = "not_verified"
    case rejected

    var state: IncidentState {
        switch self {
        case .verified: .verified
        case .notVerified: .notVerified
        case .rejected: .rejected
        }
    }
}

/// One assessment: proposed by one person, confirmed or returned by another.
public struct Assessment: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Codable {
        case proposed, confirmed, returned
    }

    /// 1, 2, 3… per incident.
    public var number: Int
    public var verdict: Verdict
    public var note: String
    /// Corrections to what fusion derived (kind, count, location, weapon class, direction,
    /// grades), kept as the analyst gave them.
    public var corrections: JSONValue
    public var proposedBy: String
    public var proposedAt: Date
    public var status: Status
    public var decidedBy: String?
    public var decidedAt: Date?
    /// Why a supervisor returned it.
    public var returnReason: String?
}

/// Why a workflow command is refused. Each maps to one HTTP status at the edge.
public enum WorkflowError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The caller's version is not the incident's (409, with the current version).
    case staleVersion(current: Int)
    /// The command is not allowed in the incident's state (409, naming the state).
    case illegalTransition(state: IncidentState, action: String)
    /// The proposer may not confirm their own assessment (403).
    case fourEyes(proposer: String)
    /// The role may not do this (403).
    case forbidden(role: Role, action: String)
    /// No such assessment on this incident (404).
    case unknownAssessment(Int)
    /// A field is missing or wrong (422).
    case invalid(path: String, reason: String)

    public var description: String {
        switch self {
        case .staleVersion(let current): "the incident has changed: it is at version \(current); read it again and resend with that version"
        case .illegalTransition(let state, let action): "cannot \(action): the incident is \(state.rawValue)"
        case .fourEyes(let proposer): "four-eyes rule: \(proposer) proposed this assessment, so another supervisor must confirm it"
        case .forbidden(let role, let action): "role \(role.rawValue) may not \(action)"
        case .unknownAssessment(let number): "this incident has no assessment \(number)"
        case .invalid(let path, let reason): "\(path): \(reason)"
        }
    }
}

/// The people's side of an incident: its assessments, which one holds, how far it is
/// released, and whether evidence arrived after it was confirmed. Pure: every command checks
/// the caller's version, role and the state, and either changes the workflow (and its version)
/// or throws without changing anything.
public struct IncidentWorkflow: Sendable, Hashable, Codable {
    public private(set) var version = 1
    public private(set) var assessments: [Assessment] = []
    public private(set) var releaseLevel: ReleaseLevel = .internal
    /// Records that joined after the holding assessment was confirmed, not yet assessed.
    public private(set) var unassessedRecords: [UUID] = []

    public init() {}

    /// A workflow as stored (see `IncidentDocument`).
    init(stored version: Int, assessments: [Assessment], releaseLevel: ReleaseLevel, unassessedRecords: [UUID]) {
        self.version = version
        self.assessments = assessments
        self.releaseLevel = releaseLevel
        self.unassessedRecords = unassessedRecords
    }

    /// The confirmed assessment that holds: the latest confirmed one.
    public var holding: Assessment? { assessments.last { $0.status == .confirmed } }
    /// The assessment awaiting a supervisor, if any.
    public var pending: Assessment? { assessments.last { $0.status == .proposed } }

    public var state: IncidentState {
        if pending != nil { return .proposed }
        return holding?.verdict.state ?? .unreviewed
    }

    /// Evidence arrived after the holding assessment: the incident is back in the queue.
    public var hasNewEvidence: Bool { !unassessedRecords.isEmpty }

    /// Whether the verification queue should show it: nothing confirmed yet, a proposal
    /// waiting, or new evidence since the confirmation.
    public var needsReview: Bool { holding == nil || pending != nil || hasNewEvidence }

    static let proposers: Set<Role> = [.analyst, .supervisor, .admin]
    static let deciders: Set<Role> = [.supervisor, .admin]

    private func check(_ expected: Int) throws(WorkflowError) {
        guard expected == version else { throw .staleVersion(current: version) }
    }

    /// An analyst proposes a verdict. One proposal at a time.
    public mutating func propose(verdict: Verdict, note: String, corrections: JSONValue = .object([:]),
                                 by actor: String, role: Role, at time: Date, expectedVersion: Int) throws(WorkflowError) -> Assessment {
        try check(expectedVersion)
        guard Self.proposers.contains(role) else { throw .forbidden(role: role, action: "propose an assessment") }
        guard pending == nil else { throw .illegalTransition(state: state, action: "propose another assessment while assessment \(pending!.number) awaits a supervisor") }
        let trimmed = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 10_000 else { throw .invalid(path: "note", reason: "must be 1 to 10,000 characters") }
        if case .object = corrections {} else { throw .invalid(path: "corrections", reason: "must be an object") }
        let assessment = Assessment(number: assessments.count + 1, verdict: verdict, note: trimmed, corrections: corrections,
                                    proposedBy: actor, proposedAt: time, status: .proposed)
        assessments.append(assessment)
        version += 1
        return assessment
    }

    /// A supervisor who did not propose it confirms the pending assessment: it now holds, and
    /// the evidence that had arrived since the last confirmation counts as assessed.
    public mutating func confirm(_ number: Int, by actor: String, role: Role, at time: Date, expectedVersion: Int) throws(WorkflowError) {
        try check(expectedVersion)
        guard Self.deciders.contains(role) else { throw .forbidden(role: role, action: "confirm an assessment") }
        let index = try pendingIndex(number, action: "confirm assessment \(number)")
        guard assessments[index].proposedBy != actor else { throw .fourEyes(proposer: actor) }
        assessments[index].status = .confirmed
        assessments[index].decidedBy = actor
        assessments[index].decidedAt = time
        unassessedRecords = []
        version += 1
    }

    /// A supervisor returns the pending assessment with a reason; what held before still holds.
    public mutating func returnAssessment(_ number: Int, reason: String, by actor: String, role: Role, at time: Date,
                                          expectedVersion: Int) throws(WorkflowError) {
        try check(expectedVersion)
        guard Self.deciders.contains(role) else { throw .forbidden(role: role, action: "return an assessment") }
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 10_000 else { throw .invalid(path: "reason", reason: "must be 1 to 10,000 characters") }
        let index = try pendingIndex(number, action: "return assessment \(number)")
        assessments[index].status = .returned
        assessments[index].decidedBy = actor
        assessments[index].decidedAt = time
        assessments[index].returnReason = trimmed
        version += 1
    }

    private func pendingIndex(_ number: Int, action: String) throws(WorkflowError) -> Int {
        guard let index = assessments.firstIndex(where: { $0.number == number }) else { throw .unknownAssessment(number) }
        guard assessments[index].status == .proposed else {
            throw .illegalTransition(state: state, action: "\(action), which is \(assessments[index].status.rawValue) already")
        }
        return index
    }

    /// A supervisor releases a verified incident to a wider audience. A release is never
    /// narrowed (what partners or the public saw cannot be unseen); the same level again is
    /// no change.
    public mutating func release(to level: ReleaseLevel, by actor: String, role: Role, expectedVersion: Int) throws(WorkflowError) {
        try check(expectedVersion)
        guard Self.deciders.contains(role) else { throw .forbidden(role: role, action: "release an incident") }
        guard holding?.verdict == .verified else {
            throw .illegalTransition(state: state, action: "release to \(level.rawValue): only a verified incident is released")
        }
        guard level >= releaseLevel else {
            throw .illegalTransition(state: state, action: "narrow its release from \(releaseLevel.rawValue) to \(level.rawValue)")
        }
        guard level != releaseLevel else { return }
        releaseLevel = level
        version += 1
    }

    /// What fusion derived about the incident changed: a new version, so a write based on
    /// what the incident said before is refused as stale.
    public mutating func touch() {
        version += 1
    }

    /// Records joined the incident. After a confirmation they are unassessed evidence and put
    /// the incident back in the queue; what was confirmed stays until a new assessment is.
    public mutating func recordsJoined(_ records: [UUID]) {
        guard holding != nil else { return }
        let new = records.filter { !unassessedRecords.contains($0) }
        guard !new.isEmpty else { return }
        unassessedRecords += new
        version += 1
    }
}
