import BackstopCore
import BackstopData
import BackstopStore
import Foundation
import Logging

/// The node's incidents: an `IncidentBook` that follows the store's intake feed. Observations
/// are the record; incidents are derived from them, and since fusion does not depend on order,
/// every node following the same feed holds the same incidents. A node catches up when it
/// commits, when the store announces another node's commit, on a timer as a fallback, and
/// before every read — so what any node acknowledged is in the incidents any node shows next.
actor IncidentBoard {
    private let store: any BackstopStore
    private let logger: Logger
    private var book: IncidentBook?
    /// The intake sequence fused so far, and the agreement revision checked against.
    private(set) var position: Int64 = 0
    private var agreementRevision = -1
    /// (sequence, record id) in intake order, so the findings work can ask what came after a point.
    private var intakeIDs: [(sequence: Int64, id: UUID)] = []
    private var advancing: Task<Void, any Error>?

    /// How long a read waits for records still being fused before answering without them.
    private let readWait: Duration

    init(store: any BackstopStore, readWait: Duration = .seconds(10), logger: Logger = Logger(label: "backstop.incidents")) {
        self.store = store
        self.readWait = readWait
        self.logger = logger
    }

    /// Brings the incidents up to everything committed (on any node) before this call.
    func caughtUp() async throws {
        _ = try await caughtUp(within: nil)
    }

    /// Catches up, but waits no longer than `limit` once the incidents exist: a reader during
    /// a flood gets the incidents as far as they go rather than a request that hangs. Returns
    /// how many committed records the incidents do not hold yet (0 when current).
    func caughtUp(within limit: Duration?) async throws -> Int64 {
        let deadline = limit.map { ContinuousClock.now + $0 }
        let target = try await store.latestIntakeSequence()
        let revision = try await store.agreementRevision()
        // Both only grow, so a pass that saw more than was asked for also ends the wait.
        while position < target || agreementRevision < revision || book == nil {
            if let deadline, ContinuousClock.now >= deadline, book != nil { return target - position }
            try await advance()
        }
        return 0
    }

    /// One pass over the feed; callers that arrive while a pass runs wait for it.
    private func advance() async throws {
        if let advancing {
            try await advancing.value
            return
        }
        let task = Task { try await self.pass() }
        advancing = task
        try await task.value
    }

    /// Clears `advancing` itself before its task completes: a waiter resuming on a finished
    /// task must find it cleared, or it would spin without ever letting the creator resume.
    private func pass() async throws {
        defer { advancing = nil }
        let revision = try await store.agreementRevision()
        if book == nil || revision != agreementRevision {
            let compliance = try await Self.compliance(from: store)
            if book == nil { book = IncidentBook(compliance: compliance) } else { book!.replaceCompliance(compliance) }
            agreementRevision = revision
        }
        // One page per pass, in small steps each giving the thread back: a long catch-up must
        // not hold a thread that requests need, and a bounded wait can stop between passes.
        let entries = try await store.intake(after: position, limit: 1_000)
        for chunk in entries.chunked(into: 100) {
            book!.add(chunk.map { Self.record($0.stored) })
            intakeIDs += chunk.map { ($0.sequence, $0.stored.observation.id) }
            position = chunk.last!.sequence
            await Task.yield()
        }
    }

    private static func compliance(from store: any BackstopStore) async throws -> MissionCompliance {
        let agreements = try await store.latestAgreements().compactMap { try? $0.agreement() }
        return MissionCompliance(agreements: agreements, settlements: SettlementIndex(try BundledGazetteer.load()))
    }

    static func record(_ stored: StoredObservation) -> FusionRecord {
        FusionRecord(observation: stored.observation, resolution: stored.resolution, reporter: stored.reporter, reporterTeam: stored.reporterTeam)
    }

    /// Catch up in the background (at start; commits arrive as the store's announcements, which
    /// every store gives for its own commits too).
    /// A failure loses nothing; the next read or tick catches up from the same position.
    nonisolated func changed() {
        Task { await self.requestCatchUp() }
    }

    /// Many commits in a burst cost one pass after the current one, not one pass each.
    private var catchUpRequested = false

    private func requestCatchUp() async {
        guard !catchUpRequested else { return }
        catchUpRequested = true
        if let advancing { _ = try? await advancing.value }
        catchUpRequested = false
        await catchUpLogging()
    }

    func catchUpLogging() async {
        do { try await caughtUp() } catch {
            logger.warning("incidents not caught up yet; the next read or tick tries again", metadata: ["error": "\(error)"])
        }
    }

    /// Follows announcements and, as a fallback for stores that cannot announce, a timer; ends
    /// when the board is gone.
    nonisolated func follow(announcements: AsyncStream<Void>, every interval: Duration) {
        Task { [weak self] in
            for await _ in announcements {
                guard let self else { return }
                await self.requestCatchUp()
            }
        }
        Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self else { return }
                await self.catchUpLogging()
            }
        }
    }

    /// Reads the book in place, after catching up. Handing the book out as a value would make
    /// the next intake copy all of it (copy-on-write) while a reader still held it.
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
