import BackstopCore
import BackstopStore
import Foundation
import Logging

/// The node's copy of the stored incidents, as readers see them. It follows the store's
/// incident revisions (written by whichever node holds `IncidentWork`), so every node shows
/// the same incidents and a decision taken on one node shows on the others at their next read.
/// A node starts serving as soon as it has read the stored incidents: nothing is re-derived.
///
/// A read first brings the copy up to date and waits, at most `readWait`, until the stored
/// incidents reflect every record committed before the read (and the agreements in force);
/// otherwise it answers from what is stored and says how many committed records that leaves
/// out (`Backstop-Incidents-Behind`).
actor IncidentBoard {
    /// A class, so that the table of a node's incidents holds a reference per slot: a
    /// dictionary keeps a whole value in every slot, empty ones included, and an incident is
    /// most of a kilobyte inline (a million-observation node: 483,882 incidents in a table of
    /// 1,048,576 slots).
    final class Entry: Sendable {
        let incident: StoredIncident
        let startMilliseconds: Int64
        let endMilliseconds: Int64

        init(_ incident: StoredIncident) {
            self.incident = incident
            startMilliseconds = Timestamp.milliseconds(incident.summary.startDate)
            endMilliseconds = Timestamp.milliseconds(incident.summary.endDate)
        }
    }

    private let store: any BackstopStore
    private let work: IncidentWork?
    private(set) var entries: [UUID: Entry] = [:]
    private var grid = IncidentGrid()
    private var revision: Int64 = 0
    private var position: Int64 = 0
    private var checkedAgreements = -1
    private var loaded = false
    private var refreshing: Task<Void, any Error>?

    nonisolated let readWait: Duration
    private static let pollInterval = Duration.milliseconds(20)

    init(store: any BackstopStore, work: IncidentWork?, readWait: Duration = .seconds(10)) {
        self.store = store
        self.work = work
        self.readWait = readWait
    }

    static func record(_ stored: StoredObservation) -> FusionRecord {
        FusionRecord(observation: stored.observation, resolution: stored.resolution, reporter: stored.reporter, reporterTeam: stored.reporterTeam)
    }

    /// Reads what was written since the last refresh; one refresh at a time, the others wait for it.
    func refresh() async throws {
        if let refreshing {
            try await refreshing.value
            return
        }
        let task = Task { try await self.readChanges() }
        refreshing = task
        defer { refreshing = nil }
        try await task.value
    }

    private func readChanges() async throws {
        // The progress is read first: the incidents read after it reflect at least that much.
        let progress = try await store.incidentProgress()
        if !loaded, progress.revision > revision {
            try await readInParallel(upTo: progress.revision)
        }
        while true {
            let page = try await store.incidentChanges(after: revision, limit: 5_000)
            guard let last = page.last else { break }
            apply(page)
            revision = max(revision, last.revision)
        }
        position = max(position, progress.position)
        checkedAgreements = max(checkedAgreements, progress.agreementRevision)
        if !loaded { work?.readersReady() }
        loaded = true
    }

    /// The first read at start: every stored incident, in revision ranges read and decoded by
    /// concurrent tasks (decoding is most of a start's time). Revisions are unique, so the
    /// rows in (low, high] are at most high − low; rows past `high` belong to the next range.
    private func readInParallel(upTo last: Int64) async throws {
        let rangeSize: Int64 = 10_000
        let store = store
        let from = revision
        // A few ranges in flight, each page taken in as it arrives: collected first, every
        // page's incidents were held twice at the end of the read (as read, and in the copy).
        let inFlight = 4
        try await withThrowingTaskGroup(of: [StoredIncident].self) { group in
            var low = from
            func addRange() {
                let (start, high) = (low, min(low + rangeSize, last))
                group.addTask {
                    SharedValues.shared(try await store.incidentChanges(after: start, limit: Int(high - start)).filter { $0.revision <= high })
                }
                low = high
            }
            for _ in 0..<inFlight where low < last { addRange() }
            for try await page in group {
                apply(page)
                if low < last { addRange() }
            }
        }
        revision = max(revision, last)
    }

    /// Takes incidents this node wrote (or read) into the copy; an older revision never
    /// replaces a newer one.
    func apply(_ incidents: [StoredIncident]) {
        for incident in incidents where (entries[incident.id]?.incident.revision ?? -1) < incident.revision {
            entries[incident.id] = Entry(incident)
            grid.file(incident)
        }
    }

    /// Asks the local writer (if it holds the work) to catch up, and refreshes in the background.
    nonisolated func changed() {
        work?.trigger()
        Task { try? await self.refresh() }
    }

    func caughtUp() async throws {
        _ = try await caughtUp(within: nil)
    }

    /// Waits until the stored incidents hold everything committed before this call, but no
    /// longer than `limit`; returns how many committed records they do not hold yet.
    func caughtUp(within limit: Duration?) async throws -> Int64 {
        let deadline = limit.map { ContinuousClock.now + $0 }
        let target = try await store.latestIntakeSequence()
        let agreements = try await store.agreementRevision()
        var asked = false
        while true {
            try await refresh()
            if position >= target && checkedAgreements >= agreements { return 0 }
            if !asked { work?.trigger(); asked = true }
            if let deadline, ContinuousClock.now >= deadline {
                guard loaded else { throw StoreError.unavailable("the incidents are still being read; retry shortly") }
                return max(target - position, 0)
            }
            try await Task.sleep(for: Self.pollInterval)
        }
    }

    /// Waits, at most `limit`, until `condition` holds of the stored incidents (a decision the
    /// deriving node applies, such as a merge), asking the local writer to catch up.
    func waitUntil(within limit: Duration, _ condition: @Sendable ([UUID: Entry]) -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        work?.trigger()
        while true {
            try await refresh()
            if condition(entries) { return true }
            if ContinuousClock.now >= deadline { return false }
            try await Task.sleep(for: Self.pollInterval)
        }
    }

    /// The incidents written after `revision` (each in its latest state, retired ones too) and
    /// the revision the copy has reached: what a live view asks for since it last looked. It
    /// scans the copy, which costs microseconds per thousand incidents.
    func changes(after revision: Int64) -> (revision: Int64, incidents: [StoredIncident]) {
        let changed = entries.values.lazy.map(\.incident).filter { $0.revision > revision }.sorted { $0.revision < $1.revision }
        return (max(self.revision, revision, changed.last?.revision ?? 0), changed)
    }

    /// The revision the copy has read up to.
    var currentRevision: Int64 { revision }

    /// The live incidents holding these records (one per record, in order; scans the board once).
    func holders(of records: [UUID]) -> [StoredIncident] {
        var found: [UUID: StoredIncident] = [:]
        let wanted = Set(records)
        for entry in entries.values where !entry.incident.isRetired {
            for record in entry.incident.summary.observationIDs where wanted.contains(record) { found[record] = entry.incident }
        }
        return records.compactMap { found[$0] }
    }

    /// An incident's id and every id merged into it, directly or through other merges.
    func idsMerged(into id: UUID) -> Set<UUID>? {
        guard entries[id] != nil else { return nil }
        var ids: Set<UUID> = [id]
        var grew = true
        while grew {
            let before = ids.count
            for entry in entries.values { if let into = entry.incident.mergedInto, ids.contains(into) { ids.insert(entry.incident.id) } }
            grew = ids.count > before
        }
        return ids
    }

    /// Reads the copy after waiting (at most `readWait`) for it to be current.
    func read<T: Sendable>(_ body: @Sendable ([UUID: Entry]) throws -> T) async throws -> (value: T, behind: Int64) {
        let behind = try await caughtUp(within: readWait)
        return (try body(entries), behind)
    }

    /// Like `read`, with only the incidents that may lie in the box (widened by `margin`
    /// degrees for places that are shown moved, such as the public's grid); with no box, or a
    /// box wider than the filled cells, every incident.
    func read<T: Sendable>(in box: BoundingBox?, margin: Double, _ body: @Sendable ([Entry]) throws -> T) async throws -> (value: T, behind: Int64) {
        let behind = try await caughtUp(within: readWait)
        if let box, let candidates = grid.candidates(in: box, margin: margin) {
            return (try body(candidates.compactMap { entries[$0] }), behind)
        }
        return (try body(Array(entries.values)), behind)
    }

    /// The live incident an id leads to: itself, or the one a chain of merges ended in.
    func resolve(_ id: UUID) -> (incident: StoredIncident, mergedFrom: UUID?)? {
        guard var current = entries[id]?.incident else { return nil }
        var seen: Set<UUID> = [id]
        while let next = current.mergedInto, let survivor = entries[next]?.incident, seen.insert(next).inserted {
            current = survivor
        }
        return (current, current.id == id ? nil : id)
    }
}
