import BackstopCore
import Foundation

/// Everything Backstop keeps. One protocol, several implementations (in memory, SQLite, and
/// later PostgreSQL); the conformance suite in the tests runs unchanged against each.
///
/// Guarantees every implementation gives:
/// - a call that returns has committed durably; a call that throws has changed nothing;
/// - `submit` is atomic for the whole batch and idempotent per observation id;
/// - listings are ordered by (observed_at, id) and pages never skip or repeat a record;
/// - every change (an observation created, an agreement version saved, a token created)
///   appends its `AuditLog` entry in the same transaction.
public protocol BackstopStore: AuditLog, IncidentRecords {
    /// Brings the schema up to date. Safe to call on every start.
    func migrate() async throws

    /// Stores a batch of observations. An id already stored (or earlier in the same batch) with
    /// the same content and reporter is a replay and returns the stored record; the same id with other content throws
    /// `StoreError.conflict` and nothing of the batch is stored.
    func submit(_ submissions: [ObservationSubmission]) async throws -> [SubmissionResult]

    func observation(id: UUID) async throws -> StoredObservation?
    func observations(matching query: ObservationQuery) async throws -> ObservationPage
    func observationCount() async throws -> Int

    /// Saves a new version of an agreement. When `expectedVersion` is given it must be the
    /// version this save will create (optimistic concurrency), else `StoreError.versionConflict`.
    func saveAgreement(_ agreement: AgreementRecord, expectedVersion: Int?) async throws -> StoredAgreement
    /// One version of an agreement, the latest when `version` is nil.
    func agreement(id: String, version: Int?) async throws -> StoredAgreement?
    /// The latest version of every agreement, ordered by id.
    func latestAgreements() async throws -> [StoredAgreement]

    /// Token names are unique: visibility of one's own records goes by the name.
    func insertToken(_ token: AccessTokenRecord) async throws
    func token(hash: String) async throws -> AccessTokenRecord?
    /// Revokes the named token (audited as `actor`'s change); returns it as it is now, nil
    /// when no token has that name. Revoking a revoked token changes nothing.
    func revokeToken(name: String, by actor: String, at time: Date) async throws -> AccessTokenRecord?
    func tokenCount() async throws -> Int

    // MARK: Several nodes on one store

    /// Observations committed after `sequence`, in intake (commit) order. Every node follows
    /// this to keep its incidents current; a sequence once read is never filled in behind.
    func intake(after sequence: Int64, limit: Int) async throws -> [IntakeEntry]
    /// The sequence of the last committed observation (0 when there are none).
    func latestIntakeSequence() async throws -> Int64
    /// Grows with every agreement version saved, on any node, so a node can tell that its
    /// agreements are stale without reading them.
    func agreementRevision() async throws -> Int

    /// Takes or renews the named lease for `holder` when it is free, expired, or held by
    /// `holder` already; nil when another holder has it.
    func claimLease(_ name: String, holder: String, duration: TimeInterval) async throws -> WorkLease?
    func releaseLease(_ name: String, holder: String) async throws
    /// Records findings and moves the lease's position in one transaction, only while `holder`
    /// still holds the lease (a node that lost it writes nothing: false).
    func recordFindings(_ findings: [FindingLogSubmission], lease: String, holder: String, position: Int64) async throws -> Bool
    func findingLog(after sequence: Int64, limit: Int) async throws -> [LoggedFinding]

    /// Every version of every agreement, oldest first per agreement; for copying a store.
    func allAgreementVersions() async throws -> [StoredAgreement]
    /// Every token, for copying a store.
    func allTokens() async throws -> [AccessTokenRecord]

    /// Wakes a listener when another node (or this one) commits observations or agreements.
    /// A store that cannot announce returns a stream that never yields; followers then poll.
    func announcements() -> AsyncStream<Void>

    func close() async throws
}

public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// These ids are stored already with different content (or by another reporter).
    case conflict(ids: [UUID])
    case versionConflict(agreementID: String, current: Int)
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
        case .duplicateToken: "a token with this name (or secret) exists already; names must be unique"
        case .unavailable(let reason): "the store is unavailable: \(reason)"
        case .corrupt(let reason): "stored data could not be read: \(reason)"
        case .notEmpty(let reason): "the target store is not empty: \(reason)"
        }
    }
}
