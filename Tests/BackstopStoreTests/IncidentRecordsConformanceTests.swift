import BackstopCore
import BackstopStore
import Foundation
import Testing

/// The incidents capability on every store: whole incidents written with the next revisions,
/// their audit and findings entries in the same transaction, refusals and lost leases writing
/// nothing, and writers on several nodes never losing each other's changes.
extension StoreConformanceTests {
    func storedIncident(_ n: Int, findings: [IncidentSummary.FindingSummary] = []) -> StoredIncident {
        let member = observation(n).id
        let incident = Incident(members: [FusionRecord(observation: observation(n), resolution: .unresolved(reason: "test"), reporter: "patrol-1", reporterTeam: "team-a")])
        var summary = IncidentSummary(incident, findings: [], id: IncidentIdentity.mintedID(from: member))
        summary.findings = findings
        return StoredIncident(id: summary.id, summary: summary, firstSequence: Int64(n), at: Self.start)
    }

    static let finding = IncidentSummary.FindingSummary(kind: "fire_in_protected_zone", agreement: "ag", rule: "no-fire", party: nil,
                                                        measured: nil, limit: nil, text: "fire in the zone")

    func changeAll(_ store: any BackstopStore, _ incidents: [StoredIncident], fence: LeaseFence? = nil) async throws -> [StoredIncident]? {
        try await store.changeIncidents(incidents.map(\.id), fence: fence) { _ in
            IncidentWrite(incidents: incidents, audit: incidents.map { AuditDraft(actor: "fusion", action: "incident.test", subject: "incident/\($0.id)", body: .object([:])) },
                          findings: incidents.flatMap { incident in incident.summary.findings.map {
                              FindingLogSubmission(incidentID: incident.id, incidentStart: Self.start, agreementID: $0.agreement, ruleID: $0.rule,
                                                   kind: $0.kind, party: $0.party, text: $0.text)
                          } })
        }
    }

    // MARK: Tests

    @Test(arguments: StoreKind.allCases)
    func incidentsAreWrittenWholeWithTheNextRevisionsAndReadBackUnchanged(kind: StoreKind) async throws {
        try await withNodes(kind, 1) { (nodes: [any BackstopStore]) async throws in
        let store = nodes[0]
        let incidents = (1...3).map { storedIncident($0, findings: $0 == 2 ? [Self.finding] : []) }
        let written = try #require(try await changeAll(store, incidents))
        #expect(written.map(\.revision) == [1, 2, 3])
        var proposed = written[1]
        var workflow = proposed.workflow
        _ = try workflow.propose(verdict: .verified, note: "seen by two", by: "ana", role: .analyst, at: Self.start, expectedVersion: 1)
        proposed.workflow = workflow
        let again = proposed
        _ = try await store.changeIncidents([again.id], fence: nil) { current in
            #expect(current[again.id] == written[1], "the change sees the incident as stored")
            return IncidentWrite(incidents: [again], actor: "ana")
        }
        let read = try #require(try await store.storedIncident(id: again.id))
        #expect(read.revision == 4)
        #expect(read.workflow == again.workflow, "the workflow reads back as written")
        #expect(read.summary == again.summary)
        #expect(try await store.incidentChanges(after: 2, limit: 10).map(\.id) == [written[2].id, again.id])
        #expect(try await store.incidentChanges(after: 0, limit: 1).count == 1)
        #expect(try await store.incidentProgress().revision == 4)
        // The findings entry went in with the incident, and the audit entries too.
        let log = try await store.findingLog(after: 0, limit: 10)
        #expect(log.map(\.finding.incidentID) == [written[1].id])
        #expect(log.first?.finding.status == .detected)
        let audit = try await store.auditEntries(subjects: ["incident/\(written[0].id)"], limit: 10)
        #expect(audit.map(\.action) == ["incident.test"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anIncidentWrittenTwiceInOneWriteKeepsItsLaterRevision(kind: StoreKind) async throws {
        // A page's rows go in many per statement: the same incident twice in one write (its
        // later state last) must leave the later one, on every store.
        try await withNodes(kind, 1) { (nodes: [any BackstopStore]) async throws in
        let store = nodes[0]
        let first = storedIncident(1)
        var touched = first
        touched.workflow.touch()
        let later = touched
        let written = try #require(try await store.changeIncidents([first.id], fence: nil) { _ in
            IncidentWrite(incidents: [first, storedIncident(2), later])
        })
        #expect(written.map(\.revision) == [1, 2, 3])
        let read = try #require(try await store.storedIncident(id: first.id))
        #expect(read.revision == 3)
        #expect(read.workflow == later.workflow)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aRefusedChangeWritesNothing(kind: StoreKind) async throws {
        try await withNodes(kind, 1) { (nodes: [any BackstopStore]) async throws in
        let store = nodes[0]
        let incident = storedIncident(1)
        _ = try await changeAll(store, [incident])
        let head = try await store.auditHead()
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            _ = try await store.changeIncidents([incident.id], fence: nil) { _ in throw Refused() }
        }
        #expect(try await store.auditHead() == head)
        #expect(try await store.incidentProgress().revision == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aWriterWithoutTheLeaseWritesNothingAndTheHolderMovesThePosition(kind: StoreKind) async throws {
        try await withNodes(kind, 1) { (nodes: [any BackstopStore]) async throws in
        let store = nodes[0]
        #expect(try await store.claimLease(IncidentWorkLease.name, holder: "node-1", duration: 60) != nil)
        let stranger = LeaseFence(lease: IncidentWorkLease.name, holder: "node-2", position: 9, agreementRevision: 3)
        #expect(try await changeAll(store, [storedIncident(1)], fence: stranger) == nil)
        #expect(try await store.incidentProgress() == IncidentProgress(position: 0, revision: 0, agreementRevision: -1))
        let holder = LeaseFence(lease: IncidentWorkLease.name, holder: "node-1", position: 9, agreementRevision: 3)
        #expect(try await changeAll(store, [storedIncident(1)], fence: holder)?.count == 1)
        #expect(try await store.incidentProgress() == IncidentProgress(position: 9, revision: 1, agreementRevision: 3))
        // An empty write still moves the position: the incidents are current that far.
        #expect(try await changeAll(store, [], fence: LeaseFence(lease: IncidentWorkLease.name, holder: "node-1", position: 12, agreementRevision: 3)) == [])
        #expect(try await store.incidentProgress().position == 12)
        // A part before a write's last carries revision -1: the checked agreements stay as stored.
        #expect(try await changeAll(store, [storedIncident(2)], fence: LeaseFence(lease: IncidentWorkLease.name, holder: "node-1", position: 12, agreementRevision: -1))?.count == 1)
        #expect(try await store.incidentProgress() == IncidentProgress(position: 12, revision: 2, agreementRevision: 3))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func decisionsOnSeveralNodesAtOnceAreNeverLost(kind: StoreKind) async throws {
        try await withNodes(kind, 2) { (nodes: [any BackstopStore]) async throws in
        let incident = storedIncident(1)
        _ = try await changeAll(nodes[0], [incident])
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Two nodes, each changing the incident ten times, back to back.
            for (index, node) in nodes.enumerated() {
                group.addTask {
                    for _ in 0..<10 {
                        _ = try await node.changeIncidents([incident.id], fence: nil) { current in
                            var changed = current[incident.id]!
                            changed.workflow.touch()
                            return IncidentWrite(incidents: [changed], audit: [AuditDraft(actor: "n\(index)", action: "incident.test", subject: "incident/x", body: .object([:]))])
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let final = try #require(try await nodes[1].storedIncident(id: incident.id))
        #expect(final.version == 21, "each of 20 changes saw the one before")
        #expect(final.revision == 21)
        #expect(AuditChain.firstProblem(in: try await everyEntry(nodes[0])) == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func largeChangesAtOnceAreNeverLost(kind: StoreKind) async throws {
        // A write of many incidents may be worked out before the store's writer is taken
        // (SQLite): one that another write overtook meanwhile must be worked out again.
        try await withNodes(kind, 2) { (nodes: [any BackstopStore]) async throws in
        let incidents = (1...100).map { storedIncident($0) }
        _ = try await changeAll(nodes[0], incidents)
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Two writers on each node, each changing every incident five times.
            for (index, node) in (nodes + nodes).enumerated() {
                group.addTask {
                    for _ in 0..<5 {
                        _ = try await node.changeIncidents(incidents.map(\.id), fence: nil) { current in
                            let changed = incidents.map { incident -> StoredIncident in
                                var changed = current[incident.id]!
                                changed.workflow.touch()
                                return changed
                            }
                            return IncidentWrite(incidents: changed, audit: [AuditDraft(actor: "w\(index)", action: "incident.test", subject: "incident/x", body: .object([:]))])
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        for node in nodes {
            for incident in incidents {
                #expect(try await node.storedIncident(id: incident.id)?.version == 21, "each of 20 changes saw the one before")
            }
        }
        #expect(try await nodes[0].incidentProgress().revision == 2_100)
        #expect(AuditChain.firstProblem(in: try await everyEntry(nodes[0])) == nil)
        }
    }
}
