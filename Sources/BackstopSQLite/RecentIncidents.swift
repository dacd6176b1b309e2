import BackstopCore
import BackstopStore
import Foundation
import Synchronization

/// The incidents this store wrote lately, by revision: every node's copy of the incidents
/// (and the deriving node itself) reads the changes right after the write, and reading the
/// documents back and decoding their JSON cost as much as deriving them. Served from here
/// while every revision asked for was written through this store in an unbroken run (a
/// revision another process wrote breaks the run, and the next write starts a new one);
/// otherwise read from the database as before. Like the table, which keeps each incident once
/// at its latest revision, the run drops a revision its incident has moved past. Entries are
/// added only after their transaction committed; the JSON a store keeps gives back the same
/// incident (dates and numbers round-trip exactly), so one from here equals one read back.
final class RecentIncidents: Sendable {
    /// Revisions kept (a few writes' worth: readers follow right behind); older ones are
    /// read from the database.
    static let capacity: Int64 = 6_000

    private struct Run {
        var incidents: [Int64: StoredIncident] = [:]
        var latest: [UUID: Int64] = [:]
        /// Every revision in `first...last` was written through this store.
        var first: Int64 = 1
        var last: Int64 = 0
    }

    private let run = Mutex(Run())

    func add(_ written: [StoredIncident]) {
        guard let start = written.first?.revision, let end = written.last?.revision else { return }
        run.withLock { run in
            if start != run.last + 1 { run = Run(first: start, last: start - 1) }
            for incident in written {
                if let older = run.latest[incident.id] { run.incidents.removeValue(forKey: older) }
                run.incidents[incident.revision] = incident
                run.latest[incident.id] = incident.revision
            }
            run.last = end
            if run.last - run.first + 1 > Self.capacity {
                let kept = run.last - Self.capacity * 3 / 4 + 1
                for revision in run.first..<kept {
                    if let dropped = run.incidents.removeValue(forKey: revision), run.latest[dropped.id] == revision {
                        run.latest.removeValue(forKey: dropped.id)
                    }
                }
                run.first = kept
            }
        }
    }

    /// The named incidents as stored, those whose latest revision is in the run, when the run
    /// reaches `head` (the store's last revision, read in the transaction asking): then no
    /// newer revision of them exists. Empty otherwise; the others are read from the database.
    func latest(_ ids: [UUID], head: Int64) -> [UUID: StoredIncident] {
        run.withLock { run in
            guard run.last == head, run.last >= run.first else { return [:] }
            var found: [UUID: StoredIncident] = [:]
            for id in ids {
                if let revision = run.latest[id], let incident = run.incidents[revision] { found[id] = incident }
            }
            return found
        }
    }

    /// The incidents written after `revision`, in revision order, at most `limit`; nil when
    /// the run does not cover the revisions after it.
    func changes(after revision: Int64, limit: Int) -> [StoredIncident]? {
        run.withLock { run in
            guard revision + 1 >= run.first, revision < run.last else { return nil }
            var result: [StoredIncident] = []
            var next = revision + 1
            while next <= run.last, result.count < limit {
                if let incident = run.incidents[next] { result.append(incident) }
                next += 1
            }
            return result
        }
    }
}
