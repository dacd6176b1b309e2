import BackstopStore
import Foundation
import Synchronization

/// Keeps a work lease for a loop that looks more often than the lease needs renewing (the
/// deliveries every half second, the escalation every second, on a lease of 15 s). A claim is
/// a write with its own commit and fsync, and on SQLite it takes the single writer from the
/// intake; so a look claims again only once a third of the lease has run out, and until then
/// goes on under the lease its last claim took. That lease cannot pass to another node before
/// it expires, and the work's writes are fenced by it in the store all the same.
final class LeaseRenewal: Sendable {
    /// The local time until which the last claim holds the lease; nil when it was refused.
    private let heldUntil = Mutex<Date?>(nil)

    /// Whether this node holds the lease, claiming it when it is not held or has run down to
    /// two thirds of `duration`. The expiry is counted from before the claim, on this node's
    /// clock, so it is never later than the store's.
    func holds(_ name: String, holder: String, duration: TimeInterval, in store: any WorkLeaseStore) async throws -> Bool {
        let before = Date()
        if let until = heldUntil.withLock({ $0 }), until.timeIntervalSince(before) > duration * 2 / 3 { return true }
        let lease = try await store.claimLease(name, holder: holder, duration: duration)
        heldUntil.withLock { $0 = lease == nil ? nil : before.addingTimeInterval(duration) }
        return lease != nil
    }
}
