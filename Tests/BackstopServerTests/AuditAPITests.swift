import BackstopCore
import BackstopServer
import BackstopStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The audit log and token revocation over HTTP.
@Suite struct AuditAPITests {
    func entries(_ client: some TestClientProtocol, _ server: TestServer, after: Int = 0) async throws -> [AuditEntry] {
        let page = try await client.call(.get, "/api/v1/audit?after=\(after)&limit=1000", as: "supervisor", server: server)
        #expect(page.status == .ok)
        return try (page.json["entries"]?.arrayValue ?? []).map { try AuditEntry(json: $0) }
    }

    // MARK: Tests

    @Test func everyAcceptedObservationIsInTheChainedLog() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            let before = try await entries(client, server)
            let id = UUID()
            #expect(try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: Fixtures.observation(id: id)).status == .created)
            #expect(try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: Fixtures.observation(id: id)).status == .ok)
            let after = try await entries(client, server)
            #expect(after.count == before.count + 1, "a replay adds no entry")
            #expect(after.last?.action == "observation.accepted")
            #expect(after.last?.actor == "monitor")
            #expect(after.last?.subject == "observation/\(id.uuidString.lowercased())")
            #expect(AuditChain.firstProblem(in: after) == nil, "the entries as served verify")
            let next = try await client.call(.get, "/api/v1/audit?after=\(after.count)", as: "admin", server: server)
            #expect(next.json["entries"] == .array([]))
            #expect(next.json["next_after"] == .integer(after.count))
            #expect(try await client.call(.get, "/api/v1/audit", as: "analyst", server: server).status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/audit?after=-1", as: "admin", server: server).status == .unprocessableContent)
        }
    }

    @Test func aRevokedTokenIsRefusedAtOnceAndTheRevocationIsAudited() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            #expect(try await client.call(.get, "/api/v1/agreements", as: "partner", server: server).status == .ok)
            let revoked = try await client.call(.post, "/api/v1/tokens/partner/revoke", as: "admin", server: server)
            #expect(revoked.status == .ok)
            #expect(revoked.json["revoked_at"] == .string("2021-03-02T00:00:00.000Z"))
            let refused = try await client.call(.get, "/api/v1/agreements", as: "partner", server: server)
            #expect(refused.status == .unauthorized)
            #expect(refused.json["message"] == .string("the token was revoked"))
            #expect(try await client.call(.post, "/api/v1/tokens/partner/revoke", as: "admin", server: server).json["revoked_at"] == revoked.json["revoked_at"])
            #expect(try await client.call(.post, "/api/v1/tokens/nobody/revoke", as: "admin", server: server).status == .notFound)
            #expect(try await client.call(.post, "/api/v1/tokens/admin/revoke", as: "admin", server: server).status == .conflict, "no one locks themselves out")
            let listed = try await client.call(.get, "/api/v1/tokens", as: "admin", server: server)
            let partner = listed.json["tokens"]?.arrayValue?.first { $0["name"] == .string("partner") }
            #expect(partner?["revoked_at"] == revoked.json["revoked_at"])
            #expect(listed.json["tokens"]?.arrayValue?.allSatisfy { $0["hash"] == nil } == true, "no hash leaves the store")
            let last = try await entries(client, server).last
            #expect(last?.action == "token.revoked")
            #expect(last?.actor == "admin")
            #expect(last?.subject == "token/partner")
        }
    }
}

/// The server signs the audit log's head by itself every N entries.
@Suite struct AuditCheckpointingTests {
    @Test func theServerSignsACheckpointEveryNEntries() async throws {
        let store = MemoryStore()
        let signer = AuditSigner()
        var configuration = ServerConfiguration(now: { Date() }, followInterval: .milliseconds(50))
        configuration.auditSigner = signer
        configuration.checkpointEvery = 5
        let app = buildApplication(store: store, configuration: configuration)
        try await app.test(.router) { _ in
            for index in 0..<6 {
                _ = try await store.submit([ObservationSubmission(
                    observation: Observation(id: UUID(), kind: .explosion, count: 1, observedAt: Date(timeIntervalSince1970: 1_614_600_000 + Double(index)),
                                             modality: .heard, location: .absolute(point: GeoPoint(lat: 48.1, lon: 37.8), accuracyMetres: 100)),
                    reporter: "patrol-\(index)", reporterTeam: nil, receivedAt: Date())])
            }
            var checkpoints: [AuditCheckpoint] = []
            for _ in 0..<200 where checkpoints.isEmpty {
                checkpoints = try await store.auditCheckpoints()
                try await Task.sleep(for: .milliseconds(25))
            }
            let checkpoint = try #require(checkpoints.first)
            #expect(checkpoint.sequence >= 5)
            #expect(checkpoint.publicKey == signer.publicKey)
            let entries = try await store.auditEntries(after: 0, limit: 1_000)
            #expect(AuditChain.firstProblem(in: entries, checkpoints: checkpoints, trustedKey: signer.publicKey) == nil)
        }
    }
}
