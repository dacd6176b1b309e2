import BackstopCore
import BackstopData
import BackstopStore
import Foundation
import Logging
import Synchronization

/// Where fusion does its work: the working `IncidentBook`, fed from the store's intake feed in
/// small steps. It is its own actor so that readers never wait behind a step (a flood at one
/// place can make one step take seconds); after a step, at most every `publishInterval` and
/// whenever it has caught up, it hands the board a consistent copy to answer reads from.
actor IncidentFusion {
    /// Records fused per step between two chances to publish.
    static let stepSize = 100
    /// Records read from the feed per page.
    static let pageSize = 1_000

    private let store: any BackstopStore
    private let logger: Logger
    private let publishInterval: Duration
    private var book: IncidentBook?
    private var position: Int64 = 0
    private var agreementRevision = -1
    private var running = false
    private var requestedAgain = false
    private let publish: @Sendable (Publication) async -> Void
    /// Set at shutdown (without waiting for this actor): no new run starts and a running one
    /// ends at its next step.
    private let stopFlag = Mutex(false)
    private var stopped: Bool { stopFlag.withLock { $0 } }

    /// A consistent state of the incidents: the book after `position`, checked against the
    /// agreements of `revision`, and the records fused since the previous publication.
    struct Publication: Sendable {
        var book: IncidentBook
        var position: Int64
        var revision: Int
        var added: [(sequence: Int64, id: UUID)]
    }

    init(store: any BackstopStore, publishInterval: Duration = .milliseconds(500), logger: Logger,
         publish: @escaping @Sendable (Publication) async -> Void) {
        self.store = store
        self.publishInterval = publishInterval
        self.logger = logger
        self.publish = publish
    }

    /// Asks for a catch-up without waiting for this actor: a step of fusion (or a recheck of
    /// every incident after an agreement changed) can hold it for seconds, and a reader that
    /// asks must not wait behind it.
    nonisolated func trigger() {
        Task { await self.startUnlessRunning() }
    }

    /// Starts catching up unless it is already; a request during a run means one more run
    /// after it (commits that arrive in a burst cost one run, not one each).
    private func startUnlessRunning() {
        guard !stopped else { return }
        if running { requestedAgain = true; return }
        running = true
        Task { await self.runUntilCurrent() }
    }

    private func runUntilCurrent() async {
        repeat {
            requestedAgain = false
            do { try await catchUp() } catch {
                logger.warning("incidents not caught up yet; the next trigger tries again", metadata: ["error": "\(error)"])
            }
        } while requestedAgain && !stopped
        running = false
    }

    nonisolated func stop() {
        stopFlag.withLock { $0 = true }
    }

    private func catchUp() async throws {
        var added: [(sequence: Int64, id: UUID)] = []
        var lastPublished = ContinuousClock.now
        let revision = try await store.agreementRevision()
        if book == nil || revision != agreementRevision {
            let compliance = try await Self.compliance(from: store)
            if book == nil { book = IncidentBook(compliance: compliance) } else { book!.replaceCompliance(compliance) }
            agreementRevision = revision
            await publishNow(&added)
            lastPublished = .now
        }
        while true {
            let entries = try await store.intake(after: position, limit: Self.pageSize)
            if entries.isEmpty || stopped { break }
            for step in entries.chunked(into: Self.stepSize) where !stopped {
                book!.add(step.map { IncidentBoard.record($0.stored) })
                added += step.map { ($0.sequence, $0.stored.observation.id) }
                position = step.last!.sequence
                if ContinuousClock.now - lastPublished >= publishInterval {
                    await publishNow(&added)
                    lastPublished = .now
                }
                await Task.yield()
            }
        }
        await publishNow(&added)
    }

    /// The copy shares storage with the working book until the next step changes it; that
    /// step then pays for one copy, at most once per `publishInterval`.
    private func publishNow(_ added: inout [(sequence: Int64, id: UUID)]) async {
        guard let book else { return }
        await publish(Publication(book: book, position: position, revision: agreementRevision, added: added))
        added = []
    }

    private static func compliance(from store: any BackstopStore) async throws -> MissionCompliance {
        let agreements = try await store.latestAgreements().compactMap { try? $0.agreement() }
        return MissionCompliance(agreements: agreements, settlements: SettlementIndex(try BundledGazetteer.load()))
    }
}
