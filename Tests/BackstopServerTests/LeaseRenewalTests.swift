import BackstopStore
import Foundation
import Synchronization
import Testing
@testable import BackstopServer

/// Loops that look every second keep their lease with a claim (a write) only once a third of
/// it has run out; a refused claim is never taken for a held lease.
@Suite struct LeaseRenewalTests {
    /// The leases of a memory store, with the claims counted.
    final class CountedLeases: WorkLeaseStore {
        let store = MemoryStore()
        let claims = Mutex(0)

        func claimLease(_ name: String, holder: String, duration: TimeInterval) async throws -> WorkLease? {
            claims.withLock { $0 += 1 }
            return try await store.claimLease(name, holder: holder, duration: duration)
        }
        func releaseLease(_ name: String, holder: String) async throws { try await store.releaseLease(name, holder: holder) }
        func recordFindings(_ findings: [FindingLogSubmission], lease: String, holder: String, position: Int64) async throws -> Bool {
            try await store.recordFindings(findings, lease: lease, holder: holder, position: position)
        }
        func findingLog(after sequence: Int64, limit: Int) async throws -> [LoggedFinding] {
            try await store.findingLog(after: sequence, limit: limit)
        }
    }

    @Test func aHeldLeaseIsClaimedAgainOnlyOnceAThirdOfItHasRunOut() async throws {
        let leases = CountedLeases()
        let renewal = LeaseRenewal()
        for _ in 0..<10 { #expect(try await renewal.holds("work", holder: "n1", duration: 3_600, in: leases)) }
        #expect(leases.claims.withLock { $0 } == 1)
        // The one claim holds the lease in the store: no other node takes it meanwhile.
        #expect(try await leases.store.claimLease("work", holder: "n2", duration: 3_600) == nil)

        // A lease too short to outlast a look is claimed at every look.
        let short = LeaseRenewal()
        for _ in 0..<3 { #expect(try await short.holds("brief", holder: "n1", duration: 0.000_001, in: leases)) }
        #expect(leases.claims.withLock { $0 } == 4)
    }

    @Test func aRefusedClaimIsAskedAgainAtTheNextLook() async throws {
        let leases = CountedLeases()
        #expect(try await leases.store.claimLease("work", holder: "n2", duration: 3_600) != nil)
        let renewal = LeaseRenewal()
        #expect(try await !renewal.holds("work", holder: "n1", duration: 3_600, in: leases))
        #expect(try await !renewal.holds("work", holder: "n1", duration: 3_600, in: leases))
        #expect(leases.claims.withLock { $0 } == 2)
        try await leases.store.releaseLease("work", holder: "n2")
        #expect(try await renewal.holds("work", holder: "n1", duration: 3_600, in: leases))
    }
}
