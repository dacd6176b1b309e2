import BackstopCore
import Foundation

/// The reference implementation: everything in memory, nothing durable. Used by tests and as
/// the behaviour the database stores must match.
public actor MemoryStore: BackstopStore {
    private var observationsByID: [UUID: StoredObservation] = [:]
    private var agreementVersions: [String: [StoredAgreement]] = [:]
    private var tokens: [String: AccessTokenRecord] = [:]
    private var intakeOrder: [StoredObservation] = []
    var leases: [String: WorkLease] = [:]
    private var findings: [LoggedFinding] = []
    private var findingKeys: Set<String> = []
    private var audit: [AuditEntry] = []
    private var checkpoints: [Int64: AuditCheckpoint] = [:]
    private var incidents: [UUID: StoredIncident] = [:]
    private var incidentRevision: Int64 = 0
    private var checkedAgreementRevision = -1
    private var pins: [UUID: FusionPin] = [:]
    private let announcer = Announcer()
    // Escalation (see MemoryStore+Escalation.swift).
    var escalation: [EscalationKey: EscalationRecord] = [:]
    var escalationSequence: Int64 = 0
    var escalationRevision: Int64 = 0
    var outbox: [(sequence: Int64, message: OutboxMessage)] = []
    var deliveriesByID: [UUID: Delivery] = [:]

    public init() {}

    public func migrate() async throws {}

    public func submit(_ submissions: [ObservationSubmission]) async throws -> [SubmissionResult] {
        let plan = try SubmissionPlan(submissions, existing: observationsByID)
        for submission in plan.fresh { observationsByID[submission.observation.id] = StoredObservation(submission) }
        intakeOrder += plan.fresh.map(StoredObservation.init)
        append(prepared: plan.fresh.map(\.acceptedAudit))
        if !plan.fresh.isEmpty { announce() }
        return plan.results
    }
    public func observation(id: UUID) async throws -> StoredObservation? {
        observationsByID[id]
    }

    public func observations(ids: [UUID]) async throws -> [UUID: StoredObservation] {
        var found: [UUID: StoredObservation] = [:]
        for id in ids { found[id] = observationsByID[id] }
        return found
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
        append([AuditDrafts.agreementSaved(stored)])
        announce()
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
        append([AuditDrafts.tokenCreated(token)])
    }

    // MARK: Audit log

    func append(_ drafts: [AuditDraft]) {
        append(prepared: drafts.map(PreparedAuditDraft.init))
    }

    func append(prepared drafts: [PreparedAuditDraft]) {
        audit += PreparedAuditDraft.chain(drafts, after: audit.last.map { ($0.sequence, $0.hash) }, at: Date()).map(\.entry)
    }

    public func auditEntries(after sequence: Int64, limit: Int) async throws -> [AuditEntry] {
        Array(audit.drop { $0.sequence <= sequence }.prefix(limit))
    }

    public func auditEntries(subjects: [String], limit: Int) async throws -> [AuditEntry] {
        let wanted = Set(subjects)
        return Array(audit.filter { wanted.contains($0.subject) }.prefix(limit))
    }

    public func auditHead() async throws -> AuditEntry? { audit.last }

    // MARK: Incidents

    public func incidentChanges(after revision: Int64, limit: Int) async throws -> [StoredIncident] {
        Array(incidents.values.filter { $0.revision > revision }.sorted { $0.revision < $1.revision }.prefix(limit))
    }

    public func storedIncident(id: UUID) async throws -> StoredIncident? { incidents[id] }

    public func fusionPins(after revision: Int64) async throws -> [FusionPin] {
        pins.values.filter { $0.revision > revision }.sorted { ($0.revision, $0.observationID.uuidString) < ($1.revision, $1.observationID.uuidString) }
    }

    public func incidentProgress() async throws -> IncidentProgress {
        IncidentProgress(position: leases[IncidentWorkLease.name]?.position ?? 0, revision: incidentRevision, agreementRevision: checkedAgreementRevision)
    }

    public func changeIncidents(_ ids: [UUID], fence: LeaseFence?,
                                _ change: @escaping @Sendable ([UUID: StoredIncident]) throws -> IncidentWrite) async throws -> [StoredIncident]? {
        if let fence {
            guard let lease = leases[fence.lease], lease.holder == fence.holder, lease.expiresAt > Date() else { return nil }
        }
        let write = try change(incidents.filter { ids.contains($0.key) })
        let numbered = write.numbered(after: incidentRevision)
        for incident in numbered { incidents[incident.id] = incident }
        incidentRevision += Int64(numbered.count)
        for (record, group) in write.pins { pins[record] = FusionPin(observationID: record, group: group, revision: incidentRevision) }
        logFindings(write.findings, by: fence?.holder ?? write.actor)
        append(write.audit)
        if let fence {
            let reached = max(leases[fence.lease]?.position ?? 0, fence.position)
            leases[fence.lease]?.position = reached
            checkedAgreementRevision = max(checkedAgreementRevision, fence.agreementRevision)
        }
        if !numbered.isEmpty { announce() }
        return numbered
    }

    public func saveCheckpoint(_ checkpoint: AuditCheckpoint) async throws {
        if checkpoints[checkpoint.sequence] == nil { checkpoints[checkpoint.sequence] = checkpoint }
    }

    public func auditCheckpoints() async throws -> [AuditCheckpoint] {
        checkpoints.values.sorted { $0.sequence < $1.sequence }
    }

    public func token(hash: String) async throws -> AccessTokenRecord? {
        tokens[hash]
    }

    public func revokeToken(name: String, by actor: String, at time: Date) async throws -> AccessTokenRecord? {
        guard var token = tokens.values.first(where: { $0.identity.name == name }) else { return nil }
        guard token.revokedAt == nil else { return token }
        token.revokedAt = Timestamp.normalised(time)
        tokens[token.hash] = token
        append([AuditDrafts.tokenRevoked(token, by: actor)])
        return token
    }

    public func tokenCount() async throws -> Int {
        tokens.count
    }

    public func intake(after sequence: Int64, limit: Int) async throws -> [IntakeEntry] {
        let start = Int(max(sequence, 0))
        guard start < intakeOrder.count else { return [] }
        return intakeOrder[start..<min(start + limit, intakeOrder.count)].enumerated().map {
            IntakeEntry(sequence: Int64(start + $0.offset + 1), stored: $0.element)
        }
    }

    public func latestIntakeSequence() async throws -> Int64 { Int64(intakeOrder.count) }

    public func agreementRevision() async throws -> Int { agreementVersions.values.map(\.count).reduce(0, +) }

    public func claimLease(_ name: String, holder: String, duration: TimeInterval) async throws -> WorkLease? {
        let now = Date()
        if let lease = leases[name], lease.holder != holder, lease.expiresAt > now { return nil }
        let lease = WorkLease(name: name, holder: holder, position: leases[name]?.position ?? 0, expiresAt: now.addingTimeInterval(duration))
        leases[name] = lease
        return lease
    }

    public func releaseLease(_ name: String, holder: String) async throws {
        guard leases[name]?.holder == holder else { return }
        leases[name]?.expiresAt = .distantPast
    }

    public func recordFindings(_ entries: [FindingLogSubmission], lease name: String, holder: String, position: Int64) async throws -> Bool {
        guard let lease = leases[name], lease.holder == holder, lease.expiresAt > Date() else { return false }
        logFindings(entries, by: holder)
        leases[name]?.position = max(lease.position, position)
        return true
    }

    private func logFindings(_ entries: [FindingLogSubmission], by writer: String) {
        for entry in entries where findingKeys.insert(Self.key(entry)).inserted {
            findings.append(LoggedFinding(sequence: Int64(findings.count + 1), finding: entry, recordedAt: Date(), recordedBy: writer))
        }
    }

    private static func key(_ entry: FindingLogSubmission) -> String {
        [entry.incidentID.uuidString, entry.agreementID, entry.ruleID, entry.kind, entry.status.rawValue, String(entry.round)]
            .joined(separator: "\u{1F}")
    }

    public func findingLog(after sequence: Int64, limit: Int) async throws -> [LoggedFinding] {
        Array(findings.filter { $0.sequence > sequence }.prefix(limit))
    }

    public func allAgreementVersions() async throws -> [StoredAgreement] {
        agreementVersions.keys.sorted().flatMap { agreementVersions[$0] ?? [] }
    }

    public func allTokens() async throws -> [AccessTokenRecord] {
        tokens.values.sorted { $0.identity.name < $1.identity.name }
    }

    public nonisolated func announcements() -> AsyncStream<Void> { announcer.stream() }

    func announce() { announcer.announce() }

    public func close() async throws {
        announcer.finish()
    }
}
