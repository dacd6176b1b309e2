import BackstopCore
import BackstopStore
import Crypto
import Foundation
import Testing

/// The audit log every store keeps: one entry per change, in the change's own transaction,
/// chained so that the whole log verifies; nothing for a replay or a change that failed.
extension StoreConformanceTests {
    func agreementRecord(_ id: String, by author: String) throws -> AgreementRecord {
        let text = #"{"id":"\#(id)","title":"Test","effective_from":"2020-01-01T00:00:00Z","parties":[{"id":"a","name":"A","side":"left","measures_from":"line"},{"id":"b","name":"B","side":"right","measures_from":"line"}],"lines":[{"id":"line","kind":"contact_line","geometry":{"type":"LineString","coordinates":[[37,47],[38,48]]}}]}"#
        let document = try JSONValue.parse(text)
        return AgreementRecord(document: document, agreement: try AgreementParser().parse(document), savedBy: author, savedAt: Self.start)
    }

    func everyEntry(_ store: any BackstopStore) async throws -> [AuditEntry] {
        var entries: [AuditEntry] = []
        while true {
            let page = try await store.auditEntries(after: entries.last?.sequence ?? 0, limit: 7)
            if page.isEmpty { return entries }
            entries += page
        }
    }

    // MARK: Tests

    @Test(arguments: StoreKind.allCases)
    func everyChangeAppendsOneChainedEntryAndFailuresAppendNone(kind: StoreKind) async throws {
        let store = try await kind.make()
        #expect(try await store.auditHead() == nil)
        _ = try await store.submit((1...20).map { submission(observation($0)) })
        _ = try await store.submit([submission(observation(1))])                                  // a replay
        await #expect(throws: StoreError.self) {                                                   // a conflict: nothing of the batch
            _ = try await store.submit([submission(observation(30)), submission(observation(2), reporter: "someone-else")])
        }
        _ = try await store.saveAgreement(try agreementRecord("audit-test", by: "supervisor-1"), expectedVersion: nil)
        await #expect(throws: StoreError.self) {
            _ = try await store.saveAgreement(try agreementRecord("audit-test", by: "supervisor-1"), expectedVersion: 7)
        }
        let token = AccessTokenRecord(hash: AccessTokens.hash("secret-1"), identity: Identity(name: "liaison-1", role: .partner, team: nil), createdAt: Self.start)
        try await store.insertToken(token)
        await #expect(throws: StoreError.self) { try await store.insertToken(token) }

        let entries = try await everyEntry(store)
        #expect(entries.map(\.action) == Array(repeating: "observation.accepted", count: 20) + ["agreement.saved", "token.created"])
        #expect(entries.map(\.sequence) == Array(1...22))
        #expect(AuditChain.firstProblem(in: entries) == nil)
        #expect(entries[0].actor == "patrol-1")
        #expect(entries[0].subject == "observation/00000000-0000-4000-8000-000000000001")
        #expect(entries[20].actor == "supervisor-1")
        #expect(entries[20].body["version"] == .integer(1))
        #expect(entries[21].subject == "token/liaison-1")
        #expect(try await store.auditHead() == entries.last)
        try await store.close()
    }

    @Test(arguments: StoreKind.allCases)
    func nodesWritingAtOnceKeepOneChain(kind: StoreKind) async throws {
        try await withNodes(kind, 2) { (nodes: [any BackstopStore]) async throws in
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, node) in nodes.enumerated() {
                group.addTask {
                    for round in 0..<10 {
                        let number = 100 + index * 50 + round
                        _ = try await node.submit([submission(observation(number), reporter: "node-\(index)")])
                        _ = try await node.saveAgreement(try agreementRecord("node-\(index)", by: "node-\(index)"), expectedVersion: nil)
                    }
                }
            }
            try await group.waitForAll()
        }
        let entries = try await everyEntry(nodes[0])
        #expect(entries.count == 40)
        #expect(AuditChain.firstProblem(in: entries) == nil, "two writers forked or broke the chain")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aRevokedTokenIsKeptRevokedAndTheRevocationIsAudited(kind: StoreKind) async throws {
        let nodes = try await kind.makeNodes(2)
        let token = AccessTokenRecord(hash: AccessTokens.hash("secret-2"), identity: Identity(name: "liaison-2", role: .partner, team: nil), createdAt: Self.start)
        try await nodes[0].insertToken(token)
        #expect(try await nodes[0].revokeToken(name: "nobody", by: "admin", at: Self.start) == nil)
        let revoked = try await nodes[0].revokeToken(name: "liaison-2", by: "admin", at: Self.start.addingTimeInterval(60))
        #expect(revoked?.revokedAt == Self.start.addingTimeInterval(60))
        #expect(try await nodes[1].token(hash: token.hash)?.revokedAt == Self.start.addingTimeInterval(60), "the other node sees the revocation at once")
        #expect(try await nodes[1].revokeToken(name: "liaison-2", by: "admin", at: Self.start.addingTimeInterval(120))?.revokedAt == Self.start.addingTimeInterval(60))
        let entries = try await everyEntry(nodes[0])
        #expect(entries.map(\.action) == ["token.created", "token.revoked"], "revoking twice is audited once")
        #expect(entries.last?.actor == "admin")
        #expect(try await nodes[0].allTokens().first?.revokedAt != nil, "a copy of the store keeps the revocation")
        for node in nodes { try await node.close() }
    }

    @Test(arguments: StoreKind.allCases)
    func checkpointsAreKeptOncePerSequence(kind: StoreKind) async throws {
        let store = try await kind.make()
        _ = try await store.submit((1...3).map { submission(observation($0)) })
        let key = Curve25519.Signing.PrivateKey()
        let head = try #require(try await store.auditHead())
        let checkpoint = try AuditCheckpoint.sign(head, with: key, at: Self.start)
        try await store.saveCheckpoint(checkpoint)
        try await store.saveCheckpoint(checkpoint)
        let kept = try await store.auditCheckpoints()
        #expect(kept == [checkpoint])
        #expect(AuditChain.firstProblem(in: try await everyEntry(store), checkpoints: kept,
                                         trustedKey: key.publicKey.rawRepresentation.base64EncodedString()) == nil)
        try await store.close()
    }
}
