import BackstopCore
import BackstopData
import BackstopStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Derives the mission's incidents, once for all nodes: fuses the store's intake feed, checks
/// the incidents against the agreements, ties what it derived to the stored incident ids
/// (`IncidentIdentity`) and writes the changed incidents, their audit entries and the findings
/// they make in one transaction with its position in the feed. One node holds this work at a
/// time under a lease; every node reads the stored incidents (`IncidentBoard`), so a node
/// serves current incidents as soon as it has read them, without fusing anything.
///
/// The holder renews its lease three times per lease period. A node taking the work over (or
/// starting it) re-fuses the feed up to the stored position in memory, without writing, then
/// reconciles every incident once (writing only what differs) and goes on from there. Writes
/// are fenced by the lease: a node that lost it writes nothing, drops its state and rebuilds
/// when it holds the lease again. At graceful shutdown the lease is released so another node
/// takes over at once.
actor IncidentWork {
    static let leaseName = IncidentWorkLease.name
    /// Records fused per step; each step is one write. Small, so that a step at a crowded
    /// place (each record compared with many) does not hold a thread for long.
    static let stepSize = 100
    static let pageSize = 2_000

    private let store: any BackstopStore
    private let node: String
    private let leaseDuration: TimeInterval
    private let now: @Sendable () -> Date
    private let logger: Logger
    private var lease: WorkLease?
    private(set) var holding = false
    private var book: IncidentBook?
    /// The history the book no longer holds (see `settle`).
    private var settled = SettledHistory()
    /// The book keeps its whole history up to this many records; beyond, it drops what is
    /// older than `settleAge` once caught up (see `IncidentBook.settle`).
    private let settleAbove: Int
    private let settleAge: TimeInterval
    static let defaultSettleAbove = 50_000
    static let defaultSettleAge: TimeInterval = 3 * 86_400
    private var settleAgainAbove = 0
    /// How many records the book has dropped as settled (and not brought back).
    var settledRecordCount: Int { settled.recordCount }
    private var identity = IncidentIdentity()
    private var position: Int64 = 0
    private var agreementRevision = -1
    /// Analysts' pins applied so far (by the revision of the write that made them), and every
    /// pin, which records fused again on a takeover carry.
    private var pinRevision: Int64 = 0
    private var pins: [UUID: UUID] = [:]
    private var running = false
    private var lastPass: ContinuousClock.Instant?
    static let passInterval = Duration.milliseconds(100)
    /// How long a pass may wait for a busy intake, and for how many records stored meanwhile.
    static let maxDeferral = Duration.seconds(5)
    static let maxDeferredRecords = 20_000
    /// The intake counts as busy until this long after its last request ended.
    static let intakeQuiet = Duration.milliseconds(20)
    /// The work's tasks run below the requests': on Linux a utility task runs on a thread of
    /// nice 2, so when the work has deferred as long as it may (above) and catches up while
    /// batches still arrive, the batches' reading gets a little more of the cores than the work,
    /// and the work still has all of an idle core. Forty batches from one client, the work
    /// catching up through the last twenty: faster in 7 of 8 alternating runs (means 20,109
    /// against 19,188 and 19,193 against 18,628 records/s); the incidents were current 4.2 s
    /// after the last batch against 3.6 s, since less of the work was done during the batches.
    /// Nice 10 (background) was no clearer and would leave the work a tenth of a busy core.
    static let priority = TaskPriority.utility
    private let intake: IntakeActivity?
    private var requestedAgain = false
    private let stopFlag = Mutex(false)
    private var stopped: Bool { stopFlag.withLock { $0 } }
    /// Set once this node's readers have read the stored incidents: until then the work waits,
    /// so that a start serves what is stored first and re-derives (takes the work over) after.
    private let readersLoaded = Mutex(false)

    init(store: any BackstopStore, node: String, leaseDuration: TimeInterval, now: @escaping @Sendable () -> Date,
         intake: IntakeActivity? = nil, settleAbove: Int = defaultSettleAbove, settleAge: TimeInterval = defaultSettleAge,
         logger: Logger = Logger(label: "backstop.incidents")) {
        self.store = store
        self.settleAbove = settleAbove
        self.settleAge = settleAge
        self.intake = intake
        self.node = node
        self.leaseDuration = leaseDuration
        self.now = now
        self.logger = logger
    }

    /// Asks for a catch-up without waiting: a step can hold this actor for seconds.
    nonisolated func trigger() {
        Task(priority: Self.priority) { await self.startUnlessRunning() }
    }

    /// The board has read what is stored: the work may start.
    nonisolated func readersReady() {
        readersLoaded.withLock { $0 = true }
        trigger()
    }

    nonisolated func stop() {
        stopFlag.withLock { $0 = true }
    }

    private func startUnlessRunning() {
        guard !stopped else { return }
        if running { requestedAgain = true; return }
        running = true
        Task(priority: Self.priority) { await self.runUntilCurrent() }
    }

    private func runUntilCurrent() async {
        repeat {
            requestedAgain = false
            await work()
        } while requestedAgain && !stopped && !resetRequested
        running = false
        if resetRequested { reset() }
    }

    /// `renew` and `release` run on this actor while a pass of `work` waits on the store: they
    /// never pull the state from under it. A pass that is running resets at its end (and its
    /// fenced writes fail meanwhile, since the lease is gone); an idle one at once.
    private var resetRequested = false

    private func resetWhenIdle() {
        if running { resetRequested = true } else { reset() }
    }

    /// Renews the lease three times per lease period until graceful shutdown, then stops and
    /// releases it.
    func runUntilShutdown() async {
        let interval = Duration.milliseconds(Int(leaseDuration * 1000 / 3))
        await cancelWhenGracefulShutdown {
            repeat {
                await self.renew()
                self.trigger()
            } while (try? await Task.sleep(for: interval)) != nil
        }
        stop()
        await release()
    }

    func renew() async {
        do {
            lease = try await store.claimLease(Self.leaseName, holder: node, duration: leaseDuration)
        } catch {
            // The store did not answer (a busy moment): the lease still holds until it expires,
            // and the fenced writes say for sure; only then is the work given up.
            if let current = lease, current.expiresAt > Date() {
                logger.warning("incident lease not renewed; it holds until it expires, the next tick tries again", metadata: ["error": "\(error)"])
                return
            }
            lease = nil
            logger.warning("incident lease not renewed; the next tick tries again", metadata: ["error": "\(error)"])
        }
        if lease == nil, holding {
            logger.info("another node derives the incidents now")
            resetWhenIdle()
        }
    }

    func release() async {
        guard lease != nil || holding else { return }
        do {
            try await store.releaseLease(Self.leaseName, holder: node)
            logger.info("incident work released", metadata: ["node": "\(node)"])
        } catch {
            logger.warning("incident lease not released; another node takes over when it expires", metadata: ["error": "\(error)"])
        }
        lease = nil
        resetWhenIdle()
    }

    private func reset() {
        resetRequested = false
        holding = false
        book = nil
        settled = SettledHistory()
        settleAgainAbove = 0
        identity = IncidentIdentity()
        position = 0
        agreementRevision = -1
        pinRevision = 0
        pins = [:]
    }

    /// Since when (and from how many records stored through this node) the work has been giving
    /// way to the intake without catching up; nil when it caught up last.
    private var deferredSince: (time: ContinuousClock.Instant, accepted: Int)?

    /// The intake goes first (see `IntakeActivity`): while batches arrive back to back, the
    /// work waits before a pass and between steps, until it has fallen `maxDeferral` or
    /// `maxDeferredRecords` behind (since it was last caught up); then it catches up with all
    /// of them, the intake sharing the cores, and may wait again only once it has.
    private func giveWayToIntake() async {
        guard let intake else { return }
        let since = deferredSince ?? (ContinuousClock.now, intake.accepted)
        deferredSince = since
        while intake.isBusy(quiet: Self.intakeQuiet), ContinuousClock.now - since.time < Self.maxDeferral,
              intake.accepted - since.accepted < Self.maxDeferredRecords, !stopped {
            try? await Task.sleep(for: Self.intakeQuiet / 4)
        }
    }

    /// Catches up with the feed (and the agreements) while holding the lease.
    func work() async {
        guard lease != nil, !stopped, !resetRequested, readersLoaded.withLock({ $0 }) else { return }
        // Passes at most every `passInterval`: records arriving one at a time (a sensor
        // network) are fused and written together instead of one incident write, with its
        // fsync, per intake commit, which took the single SQLite writer from the intake.
        if let lastPass, ContinuousClock.now - lastPass < Self.passInterval {
            try? await Task.sleep(until: lastPass + Self.passInterval)
        }
        await giveWayToIntake()
        lastPass = ContinuousClock.now
        guard let lease, !stopped, !resetRequested else { return }
        do {
            if !holding {
                logger.info("this node derives the incidents", metadata: ["node": "\(node)", "from": "\(lease.position)"])
                let began = ContinuousClock.now
                try await takeOver(at: lease.position)
                holding = true
                // `benchmarks/start.py --memory` waits for this line before it reads the memory.
                logger.info("this node holds the incident work", metadata: [
                    "node": "\(node)", "through": "\(position)", "took": "\(ContinuousClock.now - began)",
                ])
            }
            let revision = try await store.agreementRevision()
            if revision != agreementRevision, !settled.isEmpty {
                // Every incident is checked again, the settled ones too: fused again from the
                // whole history, as at a takeover (which reads the new agreements).
                logger.info("the agreements changed: every incident is derived and checked again")
                try await takeOver(at: position)
                holding = true
            } else if revision != agreementRevision {
                // Read before touching the book: an access to it must not span a suspension.
                let compliance = try await Self.compliance(from: store)
                book!.replaceCompliance(compliance)
                agreementRevision = revision
                try await persist(book!.incidents.ids, reaching: position)
            }
            while !stopped {
                let entries = try await store.intake(after: position, limit: Self.pageSize)
                if entries.isEmpty {
                    deferredSince = nil
                    try await settle()
                    break
                }
                // Fused a step at a time, yielding between steps, and written once per page (or
                // sooner when a page takes long): a flood at one place changes one large incident
                // with every step, and writing it (and reading it back) per step of 100 records
                // cost more than fusing them.
                var changed: Set<UUID> = []
                var fusedSince = ContinuousClock.now
                for step in entries.chunked(into: Self.stepSize) where !stopped {
                    changed.formUnion(try await fuse(Array(step)))
                    if step.last!.sequence == entries.last!.sequence || ContinuousClock.now - fusedSince > Self.writeInterval {
                        // Keys a later step merged away are no incident now.
                        try await persist(changed.filter { book!.incident(id: $0) != nil }.sorted(by: UUIDOrder.less), reaching: step.last!.sequence)
                        changed = []
                        fusedSince = ContinuousClock.now
                    }
                    // Between steps too, not only between pages: a pass that began in a pause of
                    // the intake (a client preparing its next batches) held on through the
                    // batches that followed, and its writes took the single writer from them.
                    // (Not after a page's last step: what follows decides whether it caught up.)
                    if step.last!.sequence != entries.last!.sequence { await giveWayToIntake() }
                    await Task.yield()
                }
                // A short page means the feed was drained: what arrives meanwhile waits for the
                // next pass (at most `passInterval` away) rather than a write of its own.
                if entries.count < Self.pageSize {
                    deferredSince = nil
                    try await settle()
                    break
                }
                // Every change so far is written: a long feed (a first start on an imported
                // history) is worked through with a window in memory, not all of it.
                try await settle()
                await giveWayToIntake()
            }
            try await applyPins(try await store.fusionPins(after: pinRevision))
        } catch {
            logger.warning("incidents not derived yet; the next trigger starts again from what is stored", metadata: ["error": "\(error)"])
            reset()
        }
    }

    /// Rebuilds the working state: the stored incidents' ids and members, the feed fused up
    /// to the stored position (its settled part reconciled and dropped on the way), then one
    /// reconciliation of everything held.
    private func takeOver(at storedPosition: Int64) async throws {
        reset()
        agreementRevision = try await store.agreementRevision()
        let compliance = try await Self.compliance(from: store)
        book = IncidentBook(compliance: compliance)
        for pin in try await store.fusionPins(after: 0) {
            pins[pin.observationID] = pin.group
            pinRevision = max(pinRevision, pin.revision)
        }
        var revision: Int64 = 0
        while true {
            let page = try await store.incidentChanges(after: revision, limit: 5_000)
            guard let last = page.last else { break }
            for incident in page { identity.restore(id: incident.id, members: incident.summary.observationIDs, retired: incident.isRetired) }
            revision = last.revision
        }
        while position < storedPosition, !stopped {
            let entries = try await store.intake(after: position, limit: Self.pageSize).filter { $0.sequence <= storedPosition }
            if entries.isEmpty { break }
            _ = try await fuse(entries)
            position = entries.last!.sequence
            try await settle(writingFirst: true)
        }
        try await persist(book!.incidents.ids, reaching: position)
        try await settle()
    }

    /// Once the book holds more than `settleAbove` records, drops from memory the history
    /// older than `settleAge` that is final (see `IncidentBook.settle`): a node keeps recent
    /// windows, not the whole history. Outside a takeover every change is written when this
    /// is called; within one (`writingFirst`), what is dropped is reconciled and written
    /// first (only what differs from the stored incidents), so that a takeover of a long
    /// history holds a window of it, not all of it.
    private func settle(writingFirst: Bool = false) async throws {
        guard let count = book?.recordCount, count > max(settleAbove, settleAgainAbove) else { return }
        // Not again before the book has doubled: keeping a window means fusing it again, and
        // a busy mission's window may be larger than `settleAbove`.
        defer { settleAgainAbove = 2 * (book?.recordCount ?? 0) }
        guard var settlement = book!.settlement(olderThan: settleAge, now: now()) else { return }
        if writingFirst {
            // Reconciling a part of the incidents needs the stored incidents it touches whole:
            // a component holding records of a stored incident that reaches beyond what is
            // dropped (the stored incidents differ from those derived again) waits for the
            // reconciliation of everything at the end of the takeover.
            let dropped = Set(settlement.dropped.flatMap(\.recordIDs))
            settlement.keep { span in
                span.recordIDs.contains { record in
                    identity.incidentOf[record].map { identity.membersOf[$0]?.contains { !dropped.contains($0) } ?? false } ?? false
                }
            }
            let keys = Set(settlement.dropped.flatMap { $0.recordIDs.compactMap { book!.incident(containing: $0)?.id } })
            // Part of the incidents only: after an agreement change the others still hold what
            // the old agreements found, and the write that ends the takeover says they are checked.
            try await persist(keys.sorted(by: UUIDOrder.less), reaching: position, checkedAgreements: false)
        }
        let dropped = book!.settle(settlement, into: &settled)
        guard dropped > 0 else { return }
        logger.info("settled history dropped from memory", metadata: [
            "records": "\(dropped)", "kept": "\(book!.recordCount)", "settled": "\(settled.recordCount)",
        ])
    }

    /// Fuses again, into the book, the settled parts that these records or a decision on
    /// `recordIDs` may change (see `SettledHistory.take`), before they are fused or applied.
    /// The parts come back as stored: their records were fused before, so the incidents they
    /// make are those written, and only what the newcomers change is written again.
    private func bringBack(touching records: [FusionRecord], holding recordIDs: Set<UUID> = []) async throws {
        let late = records.filter { settled.isLate($0.widenedWindow) }
        guard !late.isEmpty || !recordIDs.isEmpty, !settled.isEmpty else { return }
        let ids = settled.take(touching: book!.reach(of: late.map(\.widenedWindow), holding: recordIDs), holding: recordIDs)
        guard !ids.isEmpty else { return }
        let stored = try await store.observations(ids: Array(ids))
        let back = try ids.map { id in
            guard let stored = stored[id] else { throw StoreError.unavailable("observation \(id), fused before, is not in the store") }
            return record(stored)
        }
        book!.add(back)
        logger.debug("settled history brought back", metadata: ["records": "\(back.count)", "late": "\(late.count)"])
    }

    private func record(_ stored: StoredObservation) -> FusionRecord {
        var record = IncidentBoard.record(stored)
        record.analystGroup = pins[stored.observation.id]
        return record
    }

    /// Fuses entries into the book; returns the keys of the incidents they changed.
    private func fuse(_ entries: [IntakeEntry]) async throws -> [UUID] {
        let records = entries.map { record($0.stored) }
        // A record an analyst pinned (fused again at a takeover) joins its group's records,
        // whenever they are: those settled come back first.
        let groups = Set(records.compactMap(\.analystGroup))
        try await bringBack(touching: records, holding: groups.isEmpty ? [] : Set(pins.filter { groups.contains($0.value) }.map(\.key)))
        for entry in entries { identity.noteSequence(entry.sequence, of: entry.stored.observation.id) }
        return book!.add(records).current
    }

    /// Applies analysts' merges and splits, each group as one decision, in the order made.
    private func applyPins(_ new: [FusionPin]) async throws {
        guard !new.isEmpty else { return }
        // Settled records these decisions touch come back first, as they were fused (with the
        // groups they had), and so do the records already pinned to these groups.
        let groupsNow = Set(new.map(\.group))
        try await bringBack(touching: [], holding: Set(new.map(\.observationID)).union(pins.filter { groupsNow.contains($0.value) }.map(\.key)))
        var order: [UUID] = []
        var groups: [UUID: [UUID]] = [:]
        for pin in new {
            if groups[pin.group] == nil { order.append(pin.group) }
            groups[pin.group, default: []].append(pin.observationID)
            pins[pin.observationID] = pin.group
        }
        var touched: Set<UUID> = []
        for group in order {
            let change = book!.pin(groups[group]!, to: group)
            touched.formUnion(change.current)
        }
        // Keys fusion retired within this batch are no incident now; the groups are whole.
        try await persist(touched.filter { book!.incident(id: $0) != nil }.sorted(by: UUIDOrder.less), reaching: position)
        pinRevision = max(pinRevision, new.map(\.revision).max() ?? 0)
    }

    /// Gives the incidents fusion re-derived (by their fusion keys) their stored ids and
    /// writes what changed, moving the position to `reached`. With `checkedAgreements`, the
    /// write also says that every incident is checked against the agreements the book holds
    /// (readers wait for that after an agreement change, `IncidentBoard.caughtUp`): false for
    /// a write of some incidents while the others are still to be checked again.
    private func persist(_ keys: [UUID], reaching reached: Int64, checkedAgreements: Bool = true) async throws {
        guard let book else { return }
        let groups = keys.compactMap { book.incident(id: $0) }
        let outcome = identity.reconcile(groups.map(\.memberIDs))
        // Usually one write; after an agreement change (every incident checked again) several,
        // so that no transaction holds the store for long. Only the last moves the position: a
        // node that dies in between leaves it where it was, and the next holder writes again.
        // Each part's summaries are made for that part only: made for all at once, a takeover
        // of a million-record store held half a million of them (a third of a gigabyte) at once.
        let time = now()
        let identity = identity
        let parts = Self.parts(of: outcome, size: Self.writeSize)
        for (index, part) in parts.enumerated() {
            var summaries: [UUID: IncidentSummary] = [:]
            var firstSequences: [UUID: Int64] = [:]
            summaries.reserveCapacity(part.assigned.count)
            firstSequences.reserveCapacity(part.assigned.count)
            for assigned in part.assigned {
                guard let derived = book.incident(containing: assigned.members[0]) else { continue }
                summaries[assigned.id] = IncidentSummary(derived, findings: book.findings(for: derived.id), id: assigned.id)
                firstSequences[assigned.id] = identity.sequence(of: assigned.members[0]) ?? 0
            }
            let ids = part.assigned.map(\.id) + part.merged.map(\.retired)
            let fence = Self.fence(forPart: index, of: parts.count, holder: node, from: position, reaching: reached,
                                   agreementRevision: checkedAgreements ? agreementRevision : -1)
            guard try await store.changeIncidents(ids, fence: fence, { [summaries, firstSequences] current in
                IncidentUpdates.derived(part, summaries: summaries, firstSequences: firstSequences, current: current, at: time)
            }) != nil else {
                throw StoreError.unavailable("the incident lease was lost before the write; nothing written")
            }
        }
        position = reached
    }

    /// Incidents written per transaction at most.
    static let writeSize = 2_000

    /// A page's fused steps are written at least this often.
    static let writeInterval = Duration.milliseconds(250)

    /// The fence of part `index` of a write in `count` parts: only the last moves the position
    /// (to `reached`) and says which agreements the incidents were checked against. An earlier
    /// part keeps both as stored (-1: the stores keep the larger revision): after an agreement
    /// change the parts not yet written still hold findings of the old agreements, and a reader
    /// that saw the new revision after the first part took the incidents as checked.
    static func fence(forPart index: Int, of count: Int, holder: String, from position: Int64, reaching reached: Int64,
                      agreementRevision: Int) -> LeaseFence {
        let last = index == count - 1
        return LeaseFence(lease: leaseName, holder: holder, position: last ? reached : position, agreementRevision: last ? agreementRevision : -1)
    }

    /// An outcome in parts of at most `size` incidents. The merges go with the first part, and
    /// so do their survivors, so that no reader sees a record belong to no live incident.
    static func parts(of outcome: IncidentIdentity.Outcome, size: Int) -> [IncidentIdentity.Outcome] {
        guard outcome.assigned.count > size else { return [outcome] }
        let survivors = Set(outcome.merged.map(\.survivor))
        let ordered = outcome.assigned.filter { survivors.contains($0.id) } + outcome.assigned.filter { !survivors.contains($0.id) }
        return ordered.chunked(into: max(size, survivors.count)).enumerated().map { index, chunk in
            var part = IncidentIdentity.Outcome()
            part.assigned = Array(chunk)
            if index == 0 { part.merged = outcome.merged }
            return part
        }
    }

    private static func compliance(from store: any BackstopStore) async throws -> MissionCompliance {
        let agreements = try await store.latestAgreements().compactMap { try? $0.agreement() }
        return MissionCompliance(agreements: agreements, settlements: SettlementIndex(try BundledGazetteer.load()))
    }
}

extension IncidentWork: Service {
    nonisolated func run() async throws {
        await runUntilShutdown()
    }
}
