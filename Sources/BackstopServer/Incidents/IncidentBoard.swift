import BackstopCore
import BackstopData
import BackstopStore
import Foundation
import Logging

/// The node's incidents as readers see them: the last consistent state `IncidentFusion`
/// published from the store's intake feed. Observations are the record; incidents are derived
/// from them, and since fusion does not depend on order, every node following the same feed
/// holds the same incidents. Fusion is asked to catch up when the store announces a commit
/// (its own or another node's), on a timer as a fallback, and before every read — so what any
/// node acknowledged is in the incidents any node shows next. A read waits for that at most
/// `readWait`, never behind a step of fusion, and otherwise answers from the last published
/// state and says how many committed records it does not reflect.
actor IncidentBoard {
    private let store: any BackstopStore
    private let fusion: IncidentFusion
    private var book: IncidentBook?
    /// The intake sequence fused so far, and the agreement revision checked against.
    private(set) var position: Int64 = 0
    private var agreementRevision = -1
    /// (sequence, record id) in intake order, so the findings work can ask what came after a point.
    private var intakeIDs: [(sequence: Int64, id: UUID)] = []

    /// How long a read waits for records still being fused before answering without them.
    nonisolated let readWait: Duration
    /// How often a waiting reader looks whether fusion has published.
    private static let pollInterval = Duration.milliseconds(10)

    init(store: any BackstopStore, readWait: Duration = .seconds(10), logger: Logger = Logger(label: "backstop.incidents")) {
        self.store = store
        self.readWait = readWait
        let reference = BoardReference()
        fusion = IncidentFusion(store: store, logger: logger) { publication in await reference.board?.accept(publication) }
        reference.board = self
    }

    /// How fusion reaches the board it publishes to without keeping it alive.
    private final class BoardReference: @unchecked Sendable {
        // Set once, in the board's init, before fusion can publish.
        weak var board: IncidentBoard?
    }


    private func accept(_ publication: IncidentFusion.Publication) {
        book = publication.book
        position = publication.position
        agreementRevision = publication.revision
        intakeIDs += publication.added
    }

    /// Brings the incidents up to everything committed (on any node) before this call.
    func caughtUp() async throws {
        _ = try await caughtUp(within: nil)
    }

    /// Waits until the published incidents hold everything committed before this call, but no
    /// longer than `limit`: a reader during a flood gets the incidents as far as they go rather
    /// than a request that hangs. Returns how many committed records the incidents do not hold
    /// yet (0 when current). Before fusion has published anything at all there is nothing to
    /// answer from, so a bounded wait that ends then is `unavailable`.
    func caughtUp(within limit: Duration?) async throws -> Int64 {
        let deadline = limit.map { ContinuousClock.now + $0 }
        let target = try await store.latestIntakeSequence()
        let revision = try await store.agreementRevision()
        // Both only grow, so a publication past what was asked for also ends the wait.
        guard position < target || agreementRevision < revision || book == nil else { return 0 }
        fusion.trigger()
        while position < target || agreementRevision < revision || book == nil {
            if let deadline, ContinuousClock.now >= deadline {
                guard book != nil else { throw StoreError.unavailable("the incidents are still being built; retry shortly") }
                return target - position
            }
            try await Task.sleep(for: Self.pollInterval)
        }
        return 0
    }

    static func record(_ stored: StoredObservation) -> FusionRecord {
        FusionRecord(observation: stored.observation, resolution: stored.resolution, reporter: stored.reporter, reporterTeam: stored.reporterTeam)
    }

    /// Asks fusion to catch up in the background (at start, on announcements, on the timer).
    /// A failure loses nothing; the next trigger catches up from the same position.
    nonisolated func changed() {
        fusion.trigger()
    }

    /// Stops fusion (at shutdown); reads still answer from the last published state.
    nonisolated func stop() {
        fusion.stop()
    }

    /// Reads the book in place. Handing the book out as a value would make the next
    /// publication copy all of it (copy-on-write) while a reader still held it.
    /// Waits at most `readWait` for records still being fused; `behind` says how many were left out.
    func read<T: Sendable>(_ body: @Sendable (borrowing IncidentBook) throws -> T) async throws -> (value: T, behind: Int64) {
        let behind = try await caughtUp(within: readWait)
        return (try body(book!), behind)
    }

    /// The findings to log for records after `sequence` (every incident's when nil), and the
    /// position they reach.
    func findings(after sequence: Int64?) -> (findings: [FindingLogSubmission], position: Int64) {
        guard let book else { return ([], position) }
        var incidents: Set<UUID> = []
        if let sequence {
            let start = intakeIDs.partitionPoint { $0.sequence <= sequence }
            for entry in intakeIDs[start...] {
                if let incident = book.incident(containing: entry.id) { incidents.insert(incident.id) }
            }
        } else {
            incidents = Set(book.incidents.keys)
        }
        let findings = incidents.sorted(by: UUIDOrder.less).flatMap { id -> [FindingLogSubmission] in
            guard let incident = book.incident(id: id) else { return [] }
            return book.findings(for: id).map {
                FindingLogSubmission(incidentID: id, incidentStart: incident.start, agreementID: $0.agreementID, ruleID: $0.ruleID,
                                     kind: $0.kind.rawValue, party: $0.party, text: $0.text)
            }
        }
        return (findings, position)
    }

    var revision: Int { agreementRevision }
}

extension Array {
    /// The first index whose element does not satisfy `belongs`, for an array partitioned by it.
    func partitionPoint(where belongs: (Element) -> Bool) -> Int {
        var (low, high) = (0, count)
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
