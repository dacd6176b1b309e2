import ArgumentParser
import BackstopCore
import BackstopStore
import Foundation

/// Copies everything from one store to another (SQLite to PostgreSQL when a mission outgrows
/// one machine), then reads both back to prove the copy whole.
struct MigrateStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-store",
        abstract: "Copy every observation, agreement version, token, incident, findings-log entry and escalation record (policies, levels, alerts, requests, subscriptions) from one store to an empty one, and verify the copy.",
        discussion: """
            Stop the servers that write to the source first (or accept that records arriving during the copy stay behind; run it again \
            into a new empty target to catch them). Incidents are copied with every decision taken on them, and with how far \
            they reflect the intake, so the target's nodes serve them at once and derive only what arrives later.
            Example: backstop migrate-store --from ./backstop-data --to postgres://backstop@db.example:5432/mission
            """
    )

    @Option(help: "The source: a SQLite data directory, or a postgres:// URL.") var from: StoreLocation
    @Option(help: "The target, empty: a SQLite data directory, or a postgres:// URL.") var to: StoreLocation

    func run() async throws {
        let source = try await from.open()
        let target = try await to.open()
        do {
            let copied = try await StoreCopy(source: source, target: target).run { done in
                FileHandle.standardError.write(Data("\rcopied \(done) observations".utf8))
            }
            FileHandle.standardError.write(Data("\n".utf8))
            print("copied \(copied.observations) observations, \(copied.agreementVersions) agreement versions, \(copied.tokens) tokens, "
                  + "\(copied.incidents) incidents (\(copied.pins) records pinned by analysts), \(copied.findings) findings-log entries and "
                  + "\(copied.escalationRecords) escalation records from \(from) to \(to); verified")
        } catch {
            try? await source.close()
            try? await target.close()
            throw CLIError("\(error)")
        }
        try await source.close()
        try await target.close()
    }
}

/// The copy itself, through the store protocol, so any store can go to any other.
struct StoreCopy {
    let source: any BackstopStore
    let target: any BackstopStore

    struct Counts: Equatable {
        var observations = 0
        var agreementVersions = 0
        var tokens = 0
        var incidents = 0
        var findings = 0
        var pins = 0
        var escalationRecords = 0
    }

    static let holder = "migrate-store"

    func run(progress: (Int) -> Void = { _ in }) async throws -> Counts {
        guard try await target.observationCount() == 0, try await target.tokenCount() == 0, try await target.allAgreementVersions().isEmpty else {
            throw StoreError.notEmpty("it already holds observations, agreements or tokens; copy into a new data directory or database schema")
        }
        var counts = Counts()
        for version in try await source.allAgreementVersions() {
            let agreement = try version.agreement()
            _ = try await target.saveAgreement(AgreementRecord(document: version.document, agreement: agreement, savedBy: version.savedBy, savedAt: version.savedAt),
                                               expectedVersion: version.version)
            counts.agreementVersions += 1
        }
        for token in try await source.allTokens() {
            try await target.insertToken(token)
            counts.tokens += 1
        }
        var position: Int64 = 0
        while true {
            let entries = try await source.intake(after: position, limit: ObservationQuery.maximumLimit)
            guard let last = entries.last else { break }
            let submissions = entries.map {
                ObservationSubmission(observation: $0.stored.observation, reporter: $0.stored.reporter, reporterTeam: $0.stored.reporterTeam,
                                      receivedAt: $0.stored.receivedAt, resolution: $0.stored.resolution)
            }
            let results = try await target.submit(submissions)
            for (entry, result) in zip(entries, results) where result.stored.digest != entry.stored.digest {
                throw StoreError.corrupt("observation \(entry.stored.observation.id) changed in the copy")
            }
            counts.observations += entries.count
            position = last.sequence
            progress(counts.observations)
        }
        try await copyIncidents(counts: &counts)
        try await copyEscalation(counts: &counts)
        try await verify(counts)
        return counts
    }

    /// Escalation's kinds that are copied: policies, sectors' levels, alerts, guarantor requests
    /// and subscriptions, in the order they were first written. Not the escalation work's cursor
    /// (the target's work reads the copied findings log from its start, which decides nothing
    /// new), nor the outbox and its deliveries: a message not yet delivered stays behind.
    static let copiedKinds: [EscalationRecordKind] = [.policy, .policyVersion, .sector, .alert, .request, .subscription, .report, .reportVersion, .reportCount, .sensor, .sensorLiveness]

    private func copyEscalation(counts: inout Counts) async throws {
        var records: [EscalationRecord] = []
        for kind in Self.copiedKinds { records += try await source.escalationRecords(kind, ids: nil) }
        let ordered = records.sorted { $0.sequence < $1.sequence }
        for page in ordered.chunked(into: 1_000) {
            _ = try await target.changeEscalation([], fence: nil) { _ in EscalationWrite(records: page.map { ($0.key, $0.document) }) }
        }
        counts.escalationRecords = ordered.count
    }

    /// Source intake sequence → target intake sequence: the copy keeps the order, so the n-th
    /// record of one is the n-th of the other.
    private func sequenceMap() async throws -> [Int64: Int64] {
        var map: [Int64: Int64] = [:]
        var (a, b): (Int64, Int64) = (0, 0)
        while true {
            let (pageA, pageB) = (try await source.intake(after: a, limit: ObservationQuery.maximumLimit),
                                  try await target.intake(after: b, limit: ObservationQuery.maximumLimit))
            guard let lastA = pageA.last, let lastB = pageB.last, pageA.count == pageB.count else { break }
            for (x, y) in zip(pageA, pageB) { map[x.sequence] = y.sequence }
            (a, b) = (lastA.sequence, lastB.sequence)
        }
        return map
    }

    /// Incidents (live and retired, with their decisions) in revision order, and the findings
    /// log in its order, written under the incident lease with the position they reflect.
    private func copyIncidents(counts: inout Counts) async throws {
        // An incident's first sequence and the position the incidents reflect are places in the
        // intake, which the target numbers anew.
        let sequences = try await sequenceMap()
        let reached = try await source.incidentProgress().position
        let position = sequences.filter { $0.key <= reached }.max { $0.key < $1.key }?.value ?? 0
        guard try await target.claimLease(IncidentWorkLease.name, holder: Self.holder, duration: 600) != nil else {
            throw StoreError.unavailable("a node is deriving the target's incidents already; stop it and copy into an empty target")
        }
        let fence = LeaseFence(lease: IncidentWorkLease.name, holder: Self.holder, position: position,
                               agreementRevision: try await target.agreementRevision())
        var revision: Int64 = 0
        while true {
            let page = try await source.incidentChanges(after: revision, limit: 1_000).map { incident in
                var renumbered = incident
                renumbered.firstSequence = sequences[incident.firstSequence] ?? incident.firstSequence
                return renumbered
            }
            guard let last = page.last else { break }
            guard try await target.changeIncidents(page.map(\.id), fence: fence, { _ in IncidentWrite(incidents: page) }) != nil else {
                throw StoreError.unavailable("the target's incident lease was lost during the copy")
            }
            counts.incidents += page.count
            revision = last.revision
        }
        var sequence: Int64 = 0
        while true {
            let page = try await source.findingLog(after: sequence, limit: 1_000)
            guard let last = page.last else { break }
            guard try await target.recordFindings(page.map(\.finding), lease: IncidentWorkLease.name, holder: Self.holder, position: position) else {
                throw StoreError.unavailable("the target's incident lease was lost during the copy")
            }
            counts.findings += page.count
            sequence = last.sequence
        }
        // Analysts' merges and splits, which the target's deriving node applies to the records
        // it fuses; this write also records the position when there is nothing else.
        var pins: [UUID: UUID] = [:]
        for pin in try await source.fusionPins(after: 0) { pins[pin.observationID] = pin.group }
        counts.pins = pins.count
        let copiedPins = pins
        guard try await target.changeIncidents([], fence: fence, { _ in IncidentWrite(pins: copiedPins) }) != nil else {
            throw StoreError.unavailable("the target's incident lease was lost during the copy")
        }
        try await target.releaseLease(IncidentWorkLease.name, holder: Self.holder)
    }

    /// Reads both stores back in intake order and compares every record.
    func verify(_ counts: Counts) async throws {
        var (sourcePosition, targetPosition): (Int64, Int64) = (0, 0)
        var compared = 0
        while true {
            let a = try await source.intake(after: sourcePosition, limit: ObservationQuery.maximumLimit)
            let b = try await target.intake(after: targetPosition, limit: ObservationQuery.maximumLimit)
            guard a.count == b.count else { throw StoreError.corrupt("the target holds a different number of observations") }
            guard let lastA = a.last, let lastB = b.last else { break }
            for (x, y) in zip(a, b) where x.stored != y.stored {
                throw StoreError.corrupt("observation \(x.stored.observation.id) differs between source and target")
            }
            compared += a.count
            (sourcePosition, targetPosition) = (lastA.sequence, lastB.sequence)
        }
        guard compared == counts.observations, try await target.observationCount() == counts.observations,
              try await target.allAgreementVersions().count == counts.agreementVersions,
              try await target.allTokens() == (try await source.allTokens())
        else { throw StoreError.corrupt("the copy is incomplete") }
        var (a, b): ([StoredIncident], [StoredIncident]) = ([], [])
        while true {
            let pageA = try await source.incidentChanges(after: a.last?.revision ?? 0, limit: 1_000)
            let pageB = try await target.incidentChanges(after: b.last?.revision ?? 0, limit: 1_000)
            if pageA.isEmpty && pageB.isEmpty { break }
            a += pageA
            b += pageB
        }
        func comparable(_ incident: StoredIncident) -> StoredIncident {
            var copy = incident
            copy.revision = 0
            copy.firstSequence = 0
            return copy
        }
        guard a.count == counts.incidents, a.map(comparable) == b.map(comparable) else {
            throw StoreError.corrupt("the incidents differ between source and target")
        }
        for kind in Self.copiedKinds {
            let (a, b) = (try await source.escalationRecords(kind, ids: nil), try await target.escalationRecords(kind, ids: nil))
            guard a.map(\.key) == b.map(\.key), a.map(\.document) == b.map(\.document) else {
                throw StoreError.corrupt("the \(kind.rawValue) records differ between source and target")
            }
        }
        let (pinsA, pinsB) = (try await source.fusionPins(after: 0), try await target.fusionPins(after: 0))
        guard Dictionary(uniqueKeysWithValues: pinsA.map { ($0.observationID, $0.group) })
                == Dictionary(uniqueKeysWithValues: pinsB.map { ($0.observationID, $0.group) }) else {
            throw StoreError.corrupt("the analysts' merges and splits differ between source and target")
        }
    }
}
