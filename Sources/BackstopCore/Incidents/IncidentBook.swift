import Foundation

/// The incidents of the mission and their findings, kept up to date as records arrive: fusion
/// touches only the incidents near a new record, and only those (and the zone totals they
/// take part in) are checked again. Pure state, no I/O: the server holds one, rebuilt from
/// the stored observations at start (fusion does not depend on order, so the rebuild gives
/// the same incidents), and evaluation uses the same code.
public struct IncidentBook: Sendable {
    private var engine = FusionEngine()
    private var compliance: MissionCompliance
    public private(set) var incidents = IncidentTable()
    private var findingsByIncident: [UUID: [Finding]] = [:]
    /// Incidents that count towards zone caps (sightings), whose totals involve their
    /// neighbours in time; kept by the day they start, so that a check looks only at the days
    /// a cap window spans, not at every sighting of the mission's history.
    private var sightings = SightingDays()
    /// Incidents whose check failed (a geometry error); reported, never silently dropped.
    public private(set) var checkFailures: [UUID: String] = [:]

    public init(compliance: MissionCompliance) {
        self.compliance = compliance
    }

    public var recordCount: Int { engine.count }

    /// Adds records; returns what changed.
    @discardableResult
    public mutating func add(_ records: [FusionRecord]) -> FusionEngine.Change {
        // The engine works each changed incident out once for the batch.
        apply(engine.add(records))
    }

    /// An analyst's merge or split (see `FusionEngine.pin`).
    public mutating func pin(_ recordIDs: [UUID], to group: UUID) -> FusionEngine.Change {
        apply(engine.pin(recordIDs, to: group))
    }

    /// Checks every incident again, e.g. after an agreement changed; all are changed.
    public mutating func replaceCompliance(_ compliance: MissionCompliance) {
        self.compliance = compliance
        for id in incidents.ids { check(id) }
    }

    public func contains(recordID: UUID) -> Bool { engine.contains(recordID: recordID) }

    /// What `settle` would drop: the components that nothing arriving from now on in time
    /// order can change, those whose records' widened windows all ended `age` before the
    /// latest of them (or before `now`, if earlier), and before any component kept reaches back
    /// by a cap window (an incident kept is checked among the sightings of the day before it).
    public struct Settlement: Sendable {
        public var dropped: [FusionEngine.ComponentSpan]
        public var kept: [FusionEngine.ComponentSpan]
        /// A record whose widened window starts before this may join a component kept only for
        /// context, or count dropped sightings towards a cap.
        public var lateBefore: Date

        /// Keeps the dropped components `keep` picks after all.
        public mutating func keep(where keep: (FusionEngine.ComponentSpan) -> Bool) {
            kept += dropped.filter(keep)
            dropped.removeAll(where: keep)
        }
    }

    /// Nil when nothing would be dropped.
    public func settlement(olderThan age: TimeInterval, now: Date) -> Settlement? {
        let spans = engine.componentSpans()
        guard let latest = spans.map(\.latest).max() else { return nil }
        let horizon = min(now, latest).addingTimeInterval(-age)
        let earliestKept = spans.filter { $0.latest >= horizon }.map(\.earliest).min() ?? horizon
        let cutoff = min(horizon, earliestKept.addingTimeInterval(-SettledHistory.contextSeconds))
        guard spans.contains(where: { $0.latest < cutoff }) else { return nil }
        return Settlement(dropped: spans.filter { $0.latest < cutoff }, kept: spans.filter { $0.latest >= cutoff },
                          lateBefore: max(horizon, cutoff.addingTimeInterval(SettledHistory.contextSeconds)))
    }

    /// Drops a settlement's components from memory and hands them to `settled`. What is kept
    /// is fused again from its records (the same incidents: they depend on the set of records,
    /// not on their order) and keeps its findings: they were made among the whole history,
    /// which a check now, among what is kept, would not see. Returns how many records were
    /// dropped.
    @discardableResult
    public mutating func settle(_ settlement: Settlement, into settled: inout SettledHistory) -> Int {
        guard !settlement.dropped.isEmpty else { return 0 }
        var kept = IncidentBook(compliance: compliance)
        kept.add(settlement.kept.flatMap { $0.recordIDs.map { engine.record(id: $0)! } })
        for id in kept.incidents.ids {
            kept.findingsByIncident[id] = findingsByIncident[id]
            kept.checkFailures[id] = checkFailures[id]
        }
        self = kept
        settled.add(settlement.dropped, lateBefore: settlement.lateBefore)
        return settlement.dropped.reduce(0) { $0 + $1.recordIDs.count }
    }

    /// How far in time what these windows' records or a decision on `recordIDs` change may
    /// reach among the records held: each window widened to the components it overlaps, and
    /// the components holding those records. (A late record may join a component kept only for
    /// context, which starts before its window: the incident it makes is checked among the
    /// sightings of the day before that start; see `SettledHistory.take`.)
    public func reach(of windows: [(start: Date, end: Date)], holding recordIDs: Set<UUID>) -> [(start: Date, end: Date)] {
        let spans = engine.componentSpans()
        var reaches = windows.map { window in
            spans.filter { $0.earliest <= window.end && $0.latest >= window.start }
                .reduce(window) { (min($0.start, $1.earliest), max($0.end, $1.latest)) }
        }
        if !recordIDs.isEmpty {
            reaches += spans.filter { $0.recordIDs.contains(where: recordIDs.contains) }.map { ($0.earliest, $0.latest) }
        }
        return reaches
    }

    /// `settlement` and `settle` in one.
    @discardableResult
    public mutating func settle(olderThan age: TimeInterval, now: Date, into settled: inout SettledHistory) -> Int {
        guard let settlement = settlement(olderThan: age, now: now) else { return 0 }
        return settle(settlement, into: &settled)
    }

    public func findings(for id: UUID) -> [Finding] { findingsByIncident[id] ?? [] }

    public func incident(id: UUID) -> Incident? { incidents[id] }

    /// Why each record is in the incident, by record id.
    public func reasons(forIncident id: UUID) -> [UUID: String] { engine.reasons(forIncident: id) }

    /// The incident holding a record, e.g. to follow an id that a merge retired.
    public func incident(containing recordID: UUID) -> Incident? { engine.incident(containing: recordID) }

    private mutating func apply(_ change: FusionEngine.Change) -> FusionEngine.Change {
        var recheck: Set<UUID> = []
        for id in change.removed {
            if let old = incidents.removeValue(forKey: id), sightings.remove(id, startingAt: old.start) { recheck.formUnion(laterSightings(than: old)) }
            findingsByIncident.removeValue(forKey: id)
            checkFailures.removeValue(forKey: id)
        }
        for id in change.current {
            guard let incident = engine.incident(id: id) else { continue }
            // The totals the old version of this incident took part in may have changed too.
            if let old = incidents[id], sightings.remove(id, startingAt: old.start) { recheck.formUnion(laterSightings(than: old)) }
            incidents[id] = incident
            if MissionCompliance.countsTowardsCaps(incident) {
                sightings.insert(id, from: incident.start, to: incident.end)
                recheck.formUnion(laterSightings(than: incident))
            }
            recheck.insert(id)
        }
        for id in recheck where incidents[id] != nil { check(id) }
        // Incidents checked again (a zone total they count towards changed) are changed too.
        let current = Set(change.current).union(recheck.filter { incidents[$0] != nil })
        return FusionEngine.Change(current: current.sorted(by: UUIDOrder.less), removed: change.removed)
    }

    /// Sightings whose cap total an incident counts towards: those starting from its start
    /// until a day after its end (see `ComplianceChecker.currentForCaps`).
    private func laterSightings(than incident: Incident) -> [UUID] {
        let end = incident.end.addingTimeInterval(ComplianceChecker.capWindowSeconds)
        return sightings.starting(from: incident.start, to: end).filter { id in incidents[id].map { $0.start >= incident.start && $0.start <= end } ?? false }
    }

    private mutating func check(_ id: UUID) {
        guard let incident = incidents[id] else { return }
        let current = MissionCompliance.countsTowardsCaps(incident)
            ? ComplianceChecker.currentForCaps(incident, among: sightings.mayBeCurrent(at: incident.start, window: ComplianceChecker.capWindowSeconds)
                .compactMap { incidents[$0] }) : []
        do {
            findingsByIncident[id] = try compliance.findings(for: incident, current: current)
            checkFailures.removeValue(forKey: id)
        } catch {
            findingsByIncident[id] = []
            checkFailures[id] = "\(error)"
        }
    }
}

/// Sightings by the day they start. A sighting is current for another's cap total when it
/// started before it and ended within the window before it; since it may have lasted long, the
/// days searched reach back by the longest sighting seen as well as the window.
struct SightingDays: Sendable {
    private var days: [Int: Set<UUID>] = [:]
    private var longestSeconds: TimeInterval = 0

    private static func day(_ time: Date) -> Int { Int((time.timeIntervalSince1970 / 86_400).rounded(.down)) }

    mutating func insert(_ id: UUID, from start: Date, to end: Date) {
        days[Self.day(start), default: []].insert(id)
        longestSeconds = max(longestSeconds, end.timeIntervalSince(start))
    }

    /// Removes a sighting that started at `start`; whether it was one.
    mutating func remove(_ id: UUID, startingAt start: Date) -> Bool {
        let day = Self.day(start)
        guard days[day]?.remove(id) != nil else { return false }
        if days[day]!.isEmpty { days.removeValue(forKey: day) }
        return true
    }

    /// The sightings starting on the days from `start` to `end` (a superset of those starting
    /// within the interval; the caller checks the times).
    func starting(from start: Date, to end: Date) -> [UUID] {
        let (first, last) = (Self.day(start), Self.day(end))
        guard first <= last else { return [] }
        if last - first > days.count { return days.values.flatMap { $0 } }
        return (first...last).flatMap { days[$0].map(Array.init) ?? [] }
    }

    /// The sightings that may be current at `time`: started before it, possibly ending within
    /// `window` before it (a superset; `ComplianceChecker.currentForCaps` decides).
    func mayBeCurrent(at time: Date, window: TimeInterval) -> [UUID] {
        starting(from: time.addingTimeInterval(-window - longestSeconds), to: time)
    }
}

/// Incidents by id, each kept behind a reference: a dictionary keeps a whole value in every
/// slot, empty ones included, and an incident is a quarter of a kilobyte inline (a
/// million-record mission: 484,000 incidents in a table of a million slots).
public struct IncidentTable: Sendable, Equatable {
    private final class Box: Sendable {
        let incident: Incident
        init(_ incident: Incident) { self.incident = incident }
    }

    private var boxes: [UUID: Box] = [:]

    public init() {}

    public subscript(id: UUID) -> Incident? {
        get { boxes[id]?.incident }
        set { boxes[id] = newValue.map(Box.init) }
    }

    @discardableResult
    public mutating func removeValue(forKey id: UUID) -> Incident? {
        boxes.removeValue(forKey: id)?.incident
    }

    public var count: Int { boxes.count }
    public var ids: [UUID] { Array(boxes.keys) }
    public var values: [Incident] { boxes.values.map(\.incident) }

    /// The same ids holding equal incidents.
    public static func == (a: IncidentTable, b: IncidentTable) -> Bool {
        a.boxes.count == b.boxes.count && a.boxes.allSatisfy { id, box in b.boxes[id]?.incident == box.incident }
    }
}
