import BackstopCore
import Foundation

/// Everything Backstop keeps, as one store made of capabilities: each has its own protocol
/// (and its own part of the conformance suite, run on memory, SQLite and PostgreSQL), so code
/// that needs one capability names that one.
///
/// Guarantees every implementation gives:
/// - a call that returns has committed durably; a call that throws has changed nothing;
/// - every change appends its `AuditLog` entry in the same transaction.
public protocol BackstopStore: ObservationStore, AgreementStore, AccessStore, WorkLeaseStore, AuditLog, IncidentRecords, EscalationRecords, OutboxStore, ReportRecords, SensorRecords {
    /// Brings the schema up to date. Safe to call on every start.
    func migrate() async throws

    /// Wakes a listener when another node (or this one) commits observations, agreements or
    /// incidents. A store that cannot announce returns a stream that never yields; followers
    /// then poll.
    func announcements() -> AsyncStream<Void>

    func close() async throws
}

/// Observations: the record. `submit` is atomic for the whole batch and idempotent per
/// observation id; listings are ordered by (observed_at, id) and pages never skip or repeat a
/// record; the intake feed gives the commit order every node reads the same way.
public protocol ObservationStore: Sendable {
    /// Stores a batch of observations. An id already stored (or earlier in the same batch) with
    /// the same content and reporter is a replay and returns the stored record; the same id with other content throws
    /// `StoreError.conflict` and nothing of the batch is stored.
    func submit(_ submissions: [ObservationSubmission]) async throws -> [SubmissionResult]
    /// The same for one batch that arrives in parts (a large request read part by part): a
    /// store may write the first parts while the later ones are still being read. A stream
    /// that ends with an error stores nothing and throws that error.
    func submit(parts: AsyncThrowingStream<[ObservationSubmission], any Error>) async throws -> [SubmissionResult]

    func observation(id: UUID) async throws -> StoredObservation?
    /// The stored records among `ids`, by id (ids not stored are left out): read a few hundred
    /// at a time, not one query per record.
    func observations(ids: [UUID]) async throws -> [UUID: StoredObservation]
    func observations(matching query: ObservationQuery) async throws -> ObservationPage
    func observationCount() async throws -> Int

    /// Observations committed after `sequence`, in intake (commit) order. Every node follows
    /// this to keep its incidents current; a sequence once read is never filled in behind.
    func intake(after sequence: Int64, limit: Int) async throws -> [IntakeEntry]
    /// The sequence of the last committed observation (0 when there are none).
    func latestIntakeSequence() async throws -> Int64
}

extension ObservationStore {
    /// Waits for the whole batch, then stores it as one.
    public func submit(parts: AsyncThrowingStream<[ObservationSubmission], any Error>) async throws -> [SubmissionResult] {
        var batch: [ObservationSubmission] = []
        for try await part in parts { batch += part }
        // A stream read by a cancelled task ends early, as if finished: never store half a batch.
        try Task.checkCancellation()
        return try await submit(batch)
    }
}

/// Agreements as versioned data.
public protocol AgreementStore: Sendable {
    /// Saves a new version of an agreement. When `expectedVersion` is given it must be the
    /// version this save will create (optimistic concurrency), else `StoreError.versionConflict`.
    func saveAgreement(_ agreement: AgreementRecord, expectedVersion: Int?) async throws -> StoredAgreement
    /// One version of an agreement, the latest when `version` is nil.
    func agreement(id: String, version: Int?) async throws -> StoredAgreement?
    /// The latest version of every agreement, ordered by id.
    func latestAgreements() async throws -> [StoredAgreement]
    /// Every version of every agreement, oldest first per agreement; for copying a store.
    func allAgreementVersions() async throws -> [StoredAgreement]
    /// Grows with every agreement version saved, on any node, so a node can tell that its
    /// agreements are stale without reading them.
    func agreementRevision() async throws -> Int
}

/// Access tokens (only their hashes are kept).
public protocol AccessStore: Sendable {
    /// Token names are unique: visibility of one's own records goes by the name.
    func insertToken(_ token: AccessTokenRecord) async throws
    func token(hash: String) async throws -> AccessTokenRecord?
    /// Revokes the named token (audited as `actor`'s change); returns it as it is now, nil
    /// when no token has that name. Revoking a revoked token changes nothing.
    func revokeToken(name: String, by actor: String, at time: Date) async throws -> AccessTokenRecord?
    func tokenCount() async throws -> Int
    /// Every token, for copying a store.
    func allTokens() async throws -> [AccessTokenRecord]
}

/// Work held by one node at a time, and the findings log that work writes.
public protocol WorkLeaseStore: Sendable {
    /// Takes or renews the named lease for `holder` when it is free, expired, or held by
    /// `holder` already; nil when another holder has it.
    func claimLease(_ name: String, holder: String, duration: TimeInterval) async throws -> WorkLease?
    func releaseLease(_ name: String, holder: String) async throws
    /// Records findings and moves the lease's position in one transaction, only while `holder`
    /// still holds the lease (a node that lost it writes nothing: false).
    func recordFindings(_ findings: [FindingLogSubmission], lease: String, holder: String, position: Int64) async throws -> Bool
    func findingLog(after sequence: Int64, limit: Int) async throws -> [LoggedFinding]
}

public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// These ids are stored already with different content (or by another reporter).
    case conflict(ids: [UUID])
    case versionConflict(agreementID: String, current: Int)
    /// A versioned document other than an agreement (a policy) is at `current`.
    case staleVersion(what: String, current: Int)
    case duplicateToken
    /// The database cannot be reached or refused the operation; the caller may retry.
    case unavailable(String)
    /// Stored data could not be read back.
    case corrupt(String)
    /// A copy or restore target is not empty.
    case notEmpty(String)

    public var description: String {
        switch self {
        case .conflict(let ids):
            "observation ids already stored with different content: " + ids.map { $0.uuidString.lowercased() }.joined(separator: ", ")
        case .versionConflict(let id, let current):
            "agreement \(id) is at version \(current); submit version \(current + 1) or omit version"
        case .staleVersion(let what, let current):
            "\(what) is at version \(current); submit version \(current + 1) or omit version"
        case .duplicateToken: "a token with this name (or secret) exists already; names must be unique"
        case .unavailable(let reason): "the store is unavailable: \(reason)"
        case .corrupt(let reason): "stored data could not be read: \(reason)"
        case .notEmpty(let reason): "the target store is not empty: \(reason)"
        }
    }
}
