import BackstopCore
import Foundation

/// The reference implementation: everything in memory, nothing durable. Used by tests and as
/// the behaviour the database stores must match.
public actor MemoryStore: BackstopStore {
    private var observationsByID: [UUID: StoredObservation] = [:]
    private var agreementVersions: [String: [StoredAgreement]] = [:]
    private var tokens: [String: AccessTokenRecord] = [:]

    public init() {}

    public func migrate() async throws {}

    public func submit(_ submissions: [ObservationSubmission]) async throws -> [SubmissionResult] {
        var pending: [UUID: StoredObservation] = [:]
        var conflicts: [UUID] = []
        var results: [SubmissionResult] = []
        for submission in submissions {
            let id = submission.observation.id
            if let existing = observationsByID[id] ?? pending[id] {
                if existing.isReplay(of: submission) {
                    results.append(SubmissionResult(stored: existing, outcome: .replayed))
                } else if !conflicts.contains(id) {
                    conflicts.append(id)
                }
                continue
            }
            let stored = StoredObservation(submission)
            pending[id] = stored
            results.append(SubmissionResult(stored: stored, outcome: .created))
        }
        if !conflicts.isEmpty { throw StoreError.conflict(ids: conflicts) }
        observationsByID.merge(pending) { old, _ in old }
        return results
    }

    public func observation(id: UUID) async throws -> StoredObservation? {
        observationsByID[id]
    }

    public func observations(matching query: ObservationQuery) async throws -> ObservationPage {
        let sorted = observationsByID.values
            .filter { stored in query.matches(stored) && !(query.after.map { ObservationCursor.precedes(stored, $0) } ?? false) }
            .sorted { a, b in
                let (ta, tb) = (Timestamp.milliseconds(a.observation.observedAt), Timestamp.milliseconds(b.observation.observedAt))
                return ta != tb ? ta < tb : a.observation.id.uuidString.lowercased() < b.observation.id.uuidString.lowercased()
            }
        let page = Array(sorted.prefix(query.limit))
        let next = sorted.count > query.limit ? page.last.map(ObservationCursor.init(after:)) : nil
        return ObservationPage(items: page, next: next)
    }

    public func observationCount() async throws -> Int {
        observationsByID.count
    }

    public func saveAgreement(_ record: AgreementRecord, expectedVersion: Int?) async throws -> StoredAgreement {
        let id = record.agreement.id
        let current = agreementVersions[id]?.last?.version ?? 0
        if let expectedVersion, expectedVersion != current + 1 {
            throw StoreError.versionConflict(agreementID: id, current: current)
        }
        let stored = StoredAgreement(record: record, version: current + 1)
        agreementVersions[id, default: []].append(stored)
        return stored
    }

    public func agreement(id: String, version: Int?) async throws -> StoredAgreement? {
        guard let versions = agreementVersions[id] else { return nil }
        guard let version else { return versions.last }
        return versions.first { $0.version == version }
    }

    public func latestAgreements() async throws -> [StoredAgreement] {
        agreementVersions.keys.sorted().compactMap { agreementVersions[$0]?.last }
    }

    public func insertToken(_ token: AccessTokenRecord) async throws {
        guard tokens[token.hash] == nil, !tokens.values.contains(where: { $0.identity.name == token.identity.name }) else {
            throw StoreError.duplicateToken
        }
        tokens[token.hash] = token
    }

    public func token(hash: String) async throws -> AccessTokenRecord? {
        tokens[hash]
    }

    public func tokenCount() async throws -> Int {
        tokens.count
    }

    public func close() async throws {}
}
