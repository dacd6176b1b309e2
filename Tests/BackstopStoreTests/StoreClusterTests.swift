import BackstopCore
import BackstopStore
import Foundation
import Synchronization
import Testing

/// What several nodes on one store rely on, against every store: the intake order, leases on
/// background work, the findings log, announcements, and copying a store's contents.
@Suite struct StoreClusterTests {
    typealias Kind = StoreConformanceTests.StoreKind
    let fixtures = StoreConformanceTests()

    @Test(arguments: Kind.allCases)
    func intakeListsEachRecordOnceInCommitOrder(kind: Kind) async throws {
        let store = try await kind.make()
        #expect(try await store.latestIntakeSequence() == 0)
        _ = try await store.submit([fixtures.submission(fixtures.observation(5)), fixtures.submission(fixtures.observation(2))])
        _ = try await store.submit([fixtures.submission(fixtures.observation(2)), fixtures.submission(fixtures.observation(9))])
        let all = try await store.intake(after: 0, limit: 100)
        #expect(all.map { $0.stored.observation.id } == [5, 2, 9].map { fixtures.observation($0).id }, "commit order, replays not repeated")
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.sequence < $1.sequence })
        #expect(try await store.latestIntakeSequence() == all.last?.sequence)
        let rest = try await store.intake(after: all[0].sequence, limit: 1)
        #expect(rest.map(\.sequence) == [all[1].sequence], "a limit and a starting point page through the feed")
        #expect(try await store.intake(after: all[2].sequence, limit: 10).isEmpty)
        try await store.close()
    }

    @Test(arguments: Kind.allCases)
    func oneNodeHoldsALeaseUntilItExpiresOrIsReleased(kind: Kind) async throws {
        let nodes = try await kind.makeNodes(2)
        let (a, b) = (nodes[0], nodes[1])
        let first = try #require(try await a.claimLease("work", holder: "node-a", duration: 30))
        #expect(first.position == 0)
        #expect(try await b.claimLease("work", holder: "node-b", duration: 30) == nil, "held by node-a")
        #expect(try await a.claimLease("work", holder: "node-a", duration: 30) != nil, "the holder renews")
        #expect(try await a.claimLease("other", holder: "node-b", duration: 30) != nil, "leases are per name")

        let finding = FindingLogSubmission(incidentID: UUID(), incidentStart: StoreConformanceTests.start, agreementID: "ag",
                                           ruleID: "no-firing", kind: "prohibited_activity", party: nil, text: "fire")
        #expect(try await a.recordFindings([finding, finding], lease: "work", holder: "node-a", position: 7))
        #expect(try await b.recordFindings([finding], lease: "work", holder: "node-b", position: 9) == false, "a node without the lease writes nothing")

        try await a.releaseLease("work", holder: "node-a")
        // Long enough for the next write on a loaded machine, short enough to wait out.
        let taken = try #require(try await b.claimLease("work", holder: "node-b", duration: 10))
        #expect(taken.position == 7, "the next holder resumes where the last one stopped")
        #expect(try await b.recordFindings([finding], lease: "work", holder: "node-b", position: 8))
        try await Task.sleep(for: .milliseconds(10_500))
        #expect(try await b.recordFindings([finding], lease: "work", holder: "node-b", position: 9) == false, "an expired lease fences its holder off")
        #expect(try await a.claimLease("work", holder: "node-a", duration: 30)?.position == 8, "an expired lease can be taken over")

        let log = try await b.findingLog(after: 0, limit: 10)
        #expect(log.count == 1, "one entry per incident and rule, however often it is recorded")
        #expect(log.first?.finding == finding)
        #expect(log.first?.recordedBy == "node-a")
        #expect(try await b.findingLog(after: log[0].sequence, limit: 10).isEmpty)
        for node in nodes { try await node.close() }
    }

    /// SQLite has no way to tell another process of a commit; its followers poll instead.
    @Test(arguments: Kind.allCases.filter { $0 != .sqlite })
    func aCommitOnOneNodeWakesTheOthers(kind: Kind) async throws {
        let nodes = try await kind.makeNodes(2)
        let wakes = Mutex(0)
        let listener = Task { for await _ in nodes[1].announcements() { wakes.withLock { $0 += 1 } } }
        try await Task.sleep(for: .milliseconds(500)) // a listener connects asynchronously, and wakes once when it does
        let before = wakes.withLock { $0 }
        _ = try await nodes[0].submit([fixtures.submission(fixtures.observation(1))])
        var woke = false
        for _ in 0..<200 where !woke {
            try await Task.sleep(for: .milliseconds(100))
            woke = wakes.withLock { $0 } > before
        }
        listener.cancel()
        #expect(woke)
        for node in nodes { try await node.close() }
    }

    @Test(arguments: Kind.allCases)
    func racingNodesStoreEachIdOnce(kind: Kind) async throws {
        try await fixtures.withNodes(kind, 2) { (nodes: [any BackstopStore]) async throws in
        let batch = (1...40).map { fixtures.submission(fixtures.observation($0)) }
        let outcomes = try await withThrowingTaskGroup(of: [SubmissionResult].self) { group in
            for round in 0..<6 { group.addTask { try await nodes[round % 2].submit(batch.shuffled()) } }
            return try await group.reduce(into: [SubmissionResult]()) { $0 += $1 }
        }
        #expect(outcomes.filter { $0.outcome == .created }.count == 40, "each id created once across both nodes")
        #expect(try await nodes[1].observationCount() == 40)
        #expect(try await nodes[0].intake(after: 0, limit: 100).count == 40)
        }
    }

    @Test(arguments: Kind.allCases)
    func everyAgreementVersionAndTokenCanBeListedForACopy(kind: Kind) async throws {
        let store = try await kind.make()
        let document = try JSONValue.parse(Data(#"{"id":"test","title":"T","effective_from":"2020-01-01T00:00:00Z","parties":[{"id":"a","name":"A","side":"left","measures_from":"l"},{"id":"b","name":"B","side":"right","measures_from":"l"}],"lines":[{"id":"l","kind":"contact_line","geometry":{"type":"LineString","coordinates":[[37,47],[38,48]]}}]}"#.utf8))
        let record = AgreementRecord(document: document, agreement: try AgreementParser().parse(document), savedBy: "s", savedAt: StoreConformanceTests.start)
        _ = try await store.saveAgreement(record, expectedVersion: nil)
        _ = try await store.saveAgreement(record, expectedVersion: nil)
        #expect(try await store.allAgreementVersions().map(\.version) == [1, 2])
        #expect(try await store.agreementRevision() == 2)
        let token = AccessTokenRecord(hash: AccessTokens.hash(AccessTokens.generate()), identity: Identity(name: "m", role: .monitor, team: "t"),
                                      createdAt: StoreConformanceTests.start)
        try await store.insertToken(token)
        #expect(try await store.allTokens() == [token])
        try await store.close()
    }
}
