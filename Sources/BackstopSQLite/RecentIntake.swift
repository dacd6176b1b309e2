import BackstopStore
import Synchronization

/// The observations this store committed lately, by sequence, as they were submitted: the
/// deriving node reads its intake feed right after the commit, and reading the rows back and
/// parsing their JSON again cost as much as half the intake itself. The feed is served from
/// here while its next sequences are here and consecutive; a gap (rows another process
/// committed, or rows dropped for room) is read from the database as before, so the cache
/// changes how fast the feed is read, never what it holds. Entries are added only after
/// their transaction committed; the parser keeps times to the millisecond, as stored, so a
/// record from here equals the record read back.
final class RecentIntake: Sendable {
    /// Enough for a few large group commits; older entries are read from the database.
    static let capacity = 60_000

    private struct State {
        /// Room for all from the start: growing a table of tens of thousands of records copied
        /// them all, inside a request.
        var entries = [Int64: StoredObservation](minimumCapacity: RecentIntake.capacity + RecentIntake.capacity / 8)
        var oldest: Int64 = .max
        /// The newest sequence known committed, remembered here or not yet (see `committed`).
        var committedThrough: Int64 = 0
    }

    private let state = Mutex(State())

    func add(_ committed: [(sequence: Int64, stored: StoredObservation)]) {
        guard !committed.isEmpty else { return }
        let dropped = state.withLock { state -> [StoredObservation] in
            var dropped: [StoredObservation] = []
            state.committedThrough = max(state.committedThrough, committed.last!.sequence)
            for entry in committed {
                state.entries[entry.sequence] = entry.stored
                state.oldest = min(state.oldest, entry.sequence)
            }
            // Drop the oldest beyond the capacity (the feed reads them from the database): by
            // sequence from the oldest up, which costs what it drops, unless the sequences here
            // have wide gaps (another process wrote between); then by sorting them all.
            if state.entries.count > Self.capacity {
                let keep = Self.capacity * 3 / 4
                if let newest = committed.last?.sequence, newest - state.oldest < Int64(Self.capacity * 2) {
                    var sequence = state.oldest
                    while state.entries.count > keep {
                        if let entry = state.entries.removeValue(forKey: sequence) { dropped.append(entry) }
                        sequence += 1
                    }
                    state.oldest = sequence
                } else {
                    let kept = Set(state.entries.keys.sorted().suffix(keep))
                    dropped = state.entries.filter { !kept.contains($0.key) }.map(\.value)
                    state.entries = state.entries.filter { kept.contains($0.key) }
                    state.oldest = kept.min() ?? .max
                }
            }
            return dropped
        }
        // Freed off the lock and off the request's path (see `freeLater`).
        if !dropped.isEmpty { freeLater(dropped) }
    }

    /// Rows up to `sequence` are committed; they are `add`ed later, off the request's path.
    func committed(through sequence: Int64) {
        state.withLock { $0.committedThrough = max($0.committedThrough, sequence) }
    }

    /// The newest sequence this store committed (0: none since it opened).
    var committedThrough: Int64 { state.withLock { $0.committedThrough } }

    /// The entries after `sequence`, consecutive from `sequence + 1`, at most `limit`; empty
    /// when the next one is not here.
    func entries(after sequence: Int64, limit: Int) -> [IntakeEntry] {
        let (result, dropped) = state.withLock { state -> ([IntakeEntry], [StoredObservation]) in
            var result: [IntakeEntry] = []
            var dropped: [StoredObservation] = []
            var next = sequence + 1
            while result.count < limit, let stored = state.entries[next] {
                result.append(IntakeEntry(sequence: next, stored: stored))
                next += 1
            }
            // What the feed has passed is not read again by this node.
            let passed = sequence - 10_000
            if !result.isEmpty, passed >= state.oldest {
                for old in state.oldest...passed {
                    if let entry = state.entries.removeValue(forKey: old) { dropped.append(entry) }
                }
                state.oldest = passed + 1
            }
            return (result, dropped)
        }
        // Freeing thousands of records while holding the lock kept the intake's `add` waiting.
        if !dropped.isEmpty { freeLater(dropped) }
        return result
    }
}
