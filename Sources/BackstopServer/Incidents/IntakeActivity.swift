import Foundation
import Synchronization

/// How busy this node's intake is, for the incident work to give way to it. A monitor waits for
/// the acknowledgement of a batch, not for its incident: while batches arrive back to back the
/// work holds back (`IncidentWork.work`), within bounds, and catches up in the pauses.
final class IntakeActivity: Sendable {
    private struct State {
        var inFlight = 0
        var lastEnded: ContinuousClock.Instant?
        var accepted = 0
    }

    private let state = Mutex(State())

    func began() {
        state.withLock { $0.inFlight += 1 }
    }

    /// A request ended, having stored `accepted` new records.
    func ended(accepted: Int) {
        state.withLock { state in
            state.inFlight -= 1
            state.lastEnded = ContinuousClock.now
            state.accepted += accepted
        }
    }

    /// New records stored through this node so far.
    var accepted: Int { state.withLock { $0.accepted } }

    /// Whether a request is being taken now, or one ended less than `quiet` ago (a client
    /// sending batches back to back is between two).
    func isBusy(quiet: Duration) -> Bool {
        state.withLock { state in
            state.inFlight > 0 || state.lastEnded.map { ContinuousClock.now - $0 < quiet } ?? false
        }
    }
}
