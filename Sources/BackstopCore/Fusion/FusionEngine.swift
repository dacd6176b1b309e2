import Foundation

/// Groups records into incidents as they arrive, in two steps that both ignore arrival order:
///
/// 1. Components: the connected groups of the symmetric `AssociationRule`, kept with a
///    union-find. A late record only touches the records near it in space and time:
///    candidates come from a grid of 0.05° × 0.05° × 10-minute cells, never from all pairs;
///    records whose place is large (a line of bearing's wedge, a wide band) are kept in a
///    coarse grid of 0.5° × 0.5° × 1-hour cells instead, so that each is listed in a few cells
///    rather than hundreds (what most of the engine's memory went to).
/// 2. Incidents: a component is one incident unless it holds two records of one source that
///    the rule does not join to each other — one acoustic array locating two impacts 2.7 km
///    apart, one patrol reporting two explosions — or both outgoing and incoming fire joined
///    through records of unspecified direction: either says it holds more than one event.
///    Such a component is split by joining its closest pairs first (distance over the rule's
///    gate, ties by record id) and refusing any join that would put such two records together.
///
/// An incident's id is the lowest id among its records: the same whatever the arrival order.
/// When a change merges incidents, the merged one keeps the lowest id and the others are
/// reported as removed.
public struct FusionEngine: Sendable {
    /// The fine grid and the coarse one.
    struct Resolution: Sendable {
        var degrees: Double
        var seconds: Double
    }

    static let fine = Resolution(degrees: 0.05, seconds: 600)
    static let coarse = Resolution(degrees: 0.5, seconds: 3_600)
    /// Records covering more fine cells than this are listed in the coarse grid.
    static let maximumFineCellsPerRecord = 16
    /// Records covering more cells than this (very long windows, huge radii) are kept on a
    /// short list compared with every newcomer instead of being indexed.
    static let maximumCellsPerRecord = 512

    private struct Cell: Hashable {
        var lat: Int32
        var lon: Int32
        var time: Int64
    }

    /// What one call changed: the incidents to show as they are now, and the ids that are gone.
    public struct Change: Sendable, Hashable {
        public var current: [UUID]
        public var removed: [UUID]

        public init(current: [UUID], removed: [UUID]) {
            self.current = current
            self.removed = removed
        }

        public static let none = Change(current: [], removed: [])
    }

    public private(set) var records: [FusionRecord] = []
    private var indexByID: [UUID: Int] = [:]
    private var parent: [Int] = []
    /// For each component root, the indices of its records.
    private var components: [Int: [Int]] = [:]
    /// For each component root, what decides cheaply whether it may need splitting.
    private var componentInfo: [Int: ComponentInfo] = [:]

    /// Kept up to date as records arrive, so that a component is split only when it may hold
    /// two events. `mayHoldSeveralEvents` is never false when it does (it may be true when it
    /// does not: splitting then finds one incident, the same result, at a higher cost).
    private struct ComponentInfo {
        var sources: [String: Int] = [:]
        var directions: Set<FireDirection> = []
        var mayHoldSeveralEvents = false
        /// Lines of bearing: any two cross somewhere, so three or more may pair up lines of
        /// different events; the split keeps only groups whose lines meet at one point.
        var lines = 0
        /// Located records: a line passes through many places, so a component holding a line
        /// and two places may hold two events the line alone joined.
        var places = 0

        init(_ record: FusionRecord) {
            sources[record.source] = 1
            if let direction = record.direction, direction != .unknown { directions.insert(direction) }
            if record.lineOfBearing != nil { lines = 1 }
            if record.point != nil { places = 1 }
        }

        var linesMayMixEvents: Bool { lines > 2 || lines > 0 && places > 1 }

        mutating func absorb(_ other: ComponentInfo) {
            // Two parts that share a source may hold that source's records of two events.
            if other.sources.keys.contains(where: { sources[$0] != nil }) || other.mayHoldSeveralEvents { mayHoldSeveralEvents = true }
            sources.merge(other.sources, uniquingKeysWith: +)
            directions.formUnion(other.directions)
            lines += other.lines
            places += other.places
            if directions.count > 1 || linesMayMixEvents { mayHoldSeveralEvents = true }
        }
    }

    /// Components larger than this are kept as one incident rather than split: splitting costs
    /// the square of the size. Such an incident is flagged for an analyst.
    public static let largestSplitComponent = 1_000
    /// For each record, the index of the lowest-id record of its incident (the incident's key).
    private var incidentKey: [Int] = []
    /// For each incident key, the indices of its records.
    private var incidentMembers: [Int: [Int]] = [:]
    /// Records by cell, and within a cell by reporter: one reporter's records never join each
    /// other, so a reporter flooding one place (a sensor, a bulk import) costs its newcomers
    /// nothing to look past instead of a comparison with every earlier record there.
    private var grid: [Cell: CellMembers] = [:]
    private var coarseGrid: [Cell: CellMembers] = [:]
    /// Reporters by number, so that a cell's records are kept by a number and not a text.
    private var reporterNumbers: [String: Int32] = [:]
    /// The sources' and reporters' names, one copy each (see `insert`).
    private var sharedNames: Set<String> = []
    private var wide: [Int] = []
    private var pinned: [UUID: [Int]] = [:]

    public init() {}

    /// Without the grids every located record is compared with every other (the tests hold
    /// the indexed engine to this one).
    private var indexed = true

    init(indexed: Bool) {
        self.indexed = indexed
    }

    public var count: Int { records.count }
    public var incidentCount: Int { incidentMembers.count }

    /// Adds a record (a repeated id is ignored) and joins it to every record the rule allows.
    @discardableResult
    public mutating func add(_ record: FusionRecord) -> Change {
        guard let (index, joinedWhole) = insert(record) else { return .none }
        if joinedWhole {
            return joinWhole(index, component: components[find(index)]!)
        }
        var change = reassign(components[find(index)]!)
        change.removed.removeAll { $0 == record.id }
        return change
    }

    /// Adds records as `add(_:)` does one at a time, with the same incidents as the outcome
    /// (they depend on which records there are, not on their order), but works each component
    /// they change out once for the batch instead of once per record: a flood at one place split
    /// its growing component anew for every newcomer, the cube of its size up to
    /// `largestSplitComponent`. The change names the incidents now and the ids that are gone
    /// of those there were before the batch.
    public mutating func add(_ batch: [FusionRecord]) -> Change {
        var pending: [Int] = []   // a member of each component to work out again at the end
        var touched: Set<UUID> = []
        var added: Set<UUID> = []
        for record in batch {
            guard let (index, joinedWhole) = insert(record) else { continue }
            added.insert(record.id)
            let root = find(index)
            // A component kept whole is joined directly, unless this batch changed it already
            // (its incident then waits for the work at the end).
            if joinedWhole, !pending.contains(where: { find($0) == root }) {
                let change = joinWhole(index, component: components[root]!)
                touched.formUnion(change.current)
                touched.formUnion(change.removed)
            } else {
                pending.append(index)
            }
        }
        var roots: Set<Int> = []
        for member in pending where roots.insert(find(member)).inserted {
            let change = reassign(components[find(member)]!)
            touched.formUnion(change.current)
            touched.formUnion(change.removed)
        }
        let current = touched.filter { hasIncident(id: $0) }
        return Change(current: current.sorted(by: UUIDOrder.less),
                      removed: touched.subtracting(current).subtracting(added).sorted(by: UUIDOrder.less))
    }

    /// Stores a record and joins it to its component, without working its incidents out; nil
    /// for a repeated id. `joinedWhole`: it joined one component kept whole, alone.
    private mutating func insert(_ record: FusionRecord) -> (index: Int, joinedWhole: Bool)? {
        guard indexByID[record.id] == nil else { return nil }
        let index = records.count
        // One copy of each source's and reporter's name for all their records: a name longer
        // than 15 bytes is stored out of line, and each record read from the store had its own.
        var record = record
        record.source = sharedNames.insert(record.source).memberAfterInsert
        record.reporter = record.reporter.map { sharedNames.insert($0).memberAfterInsert }
        records.append(record)
        parent.append(index)
        components[index] = [index]
        componentInfo[index] = ComponentInfo(record)
        incidentKey.append(index)
        incidentMembers[index] = [index]
        indexByID[record.id] = index
        if let group = record.analystGroup { pinned[group, default: []].append(index) }
        // Join the newcomer to every record the rule allows. The components it bridges may each
        // hold records of one source; the newcomer's own pairs are checked exactly below.
        var joinedRoots: Set<Int> = []
        var sameSourceJoined = 0
        for candidate in candidates(of: index) where candidate != index && AssociationRule.joins(records[candidate], record) {
            joinedRoots.insert(find(candidate))
            if records[candidate].source == record.source { sameSourceJoined += 1 }
        }
        // A component kept whole (too large to split) that the newcomer joins alone stays one
        // incident with one more member: recomputing it (every member's key, twice) made a
        // flood at one place cost the square of its size.
        let joinedWhole = joinedRoots.count == 1 && components[joinedRoots.first!]!.count > Self.largestSplitComponent
        var bridged = ComponentInfo(record)
        bridged.sources = [:]
        for root in joinedRoots.sorted() { bridged.absorb(componentInfo[root]!) }
        for root in joinedRoots { union(root, index) }
        let root = find(index)
        componentInfo[root] = bridged
        componentInfo[root]!.sources[record.source, default: 0] += 1
        if let direction = record.direction, direction != .unknown { componentInfo[root]!.directions.insert(direction) }
        if componentInfo[root]!.directions.count > 1 || componentInfo[root]!.linesMayMixEvents { componentInfo[root]!.mayHoldSeveralEvents = true }
        // The newcomer conflicts with a record of its own source that it does not join.
        if componentInfo[root]!.sources[record.source]! - 1 > sameSourceJoined { componentInfo[root]!.mayHoldSeveralEvents = true }
        if record.point != nil || record.lineOfBearing != nil {
            if !indexed {
                wide.append(index)
            } else if let cells = Self.cells(of: record, at: Self.fine, limit: Self.maximumFineCellsPerRecord) {
                let reporter = number(of: record.reporter)
                for cell in cells { grid[cell, default: CellMembers()].append(index, reporter: reporter) }
            } else if let cells = Self.cells(of: record, at: Self.coarse, limit: Self.maximumCellsPerRecord) {
                let reporter = number(of: record.reporter)
                for cell in cells { coarseGrid[cell, default: CellMembers()].append(index, reporter: reporter) }
            } else {
                wide.append(index)
            }
        }
        return (index, joinedWhole)
    }

    /// Adds the record at `index` to the one incident of a component kept whole; its key is
    /// the lowest record id, so only a newcomer with a lower id than the key re-keys the members.
    private mutating func joinWhole(_ index: Int, component: [Int]) -> Change {
        let key = incidentKey[component[0] == index ? component[1] : component[0]]
        incidentMembers.removeValue(forKey: index)
        guard UUIDOrder.less(records[index].id, records[key].id) else {
            incidentKey[index] = key
            incidentMembers[key]!.append(index)
            return Change(current: [records[key].id], removed: [])
        }
        var members = incidentMembers.removeValue(forKey: key)!
        members.append(index)
        for member in members { incidentKey[member] = index }
        incidentMembers[index] = members
        return Change(current: [records[index].id], removed: [records[key].id])
    }

    /// Records that may join the record at `index`: those sharing a grid cell, the wide ones,
    /// and those an analyst pinned to its group.
    private func candidates(of index: Int) -> Set<Int> {
        let record = records[index]
        var result = Set(wide)
        if let group = record.analystGroup { result.formUnion(pinned[group] ?? []) }
        guard record.point != nil || record.lineOfBearing != nil else { return result }
        // A reporter never filed a record yet has no number, and no records in the grids.
        let reporter = record.reporter.map { reporterNumbers[$0] ?? Self.unnumberedReporter } ?? Self.noReporter
        // Both grids: a record sharing no fine cell with this one may share a coarse one.
        for (resolution, index) in [(Self.fine, grid), (Self.coarse, coarseGrid)] where !index.isEmpty {
            if let cells = Self.cells(of: record, at: resolution, limit: Self.maximumCellsPerRecord) {
                for cell in cells {
                    index[cell]?.forEachGroup(otherThan: reporter) { result.formUnion($0) }
                }
            } else {
                for members in index.values { members.forEachGroup(otherThan: reporter) { result.formUnion($0) } }
            }
        }
        return result
    }

    /// The number standing for "no reporter" (records of an import: joined with anyone's), and
    /// for one not numbered yet.
    private static let noReporter: Int32 = -1
    private static let unnumberedReporter: Int32 = -2

    private mutating func number(of reporter: String?) -> Int32 {
        guard let reporter else { return Self.noReporter }
        if let number = reporterNumbers[reporter] { return number }
        let number = Int32(reporterNumbers.count)
        reporterNumbers[reporter] = number
        return number
    }

    /// One grid cell's records, by the reporter that filed them: one reporter's records never
    /// join each other, so a reporter flooding one place costs its newcomers nothing to look
    /// past. Nearly every cell holds one reporter's records, kept without a dictionary: a
    /// dictionary per cell was most of the engine's memory (a quarter of a kilobyte a cell,
    /// several cells a record).
    struct CellMembers {
        private enum Storage {
            case empty
            case one(reporter: Int32, members: [Int])
            case several([Int32: [Int]])
        }

        private var storage = Storage.empty

        mutating func append(_ index: Int, reporter: Int32) {
            // Each case takes its array out and leaves `.empty` behind, so that the array is
            // not shared while it grows (a shared one is copied on every append).
            switch storage {
            case .empty:
                storage = .one(reporter: reporter, members: [index])
            case .one(let only, var members) where only == reporter:
                storage = .empty
                members.append(index)
                storage = .one(reporter: only, members: members)
            case .one(let only, let members):
                storage = .several([only: members, reporter: [index]])
            case .several(var groups):
                storage = .empty
                groups[reporter, default: []].append(index)
                storage = .several(groups)
            }
        }

        /// Calls `body` with the records of each reporter but `reporter`; records of no
        /// reporter are always included (and, as no group bears it, everyone's when
        /// `reporter` is none).
        func forEachGroup(otherThan reporter: Int32, _ body: ([Int]) -> Void) {
            switch storage {
            case .empty:
                break
            case .one(let only, let members):
                if only == FusionEngine.noReporter || only != reporter { body(members) }
            case .several(let groups):
                for (only, members) in groups where only == FusionEngine.noReporter || only != reporter {
                    body(members)
                }
            }
        }
    }

    /// The cells a record's time window and place touch (its uncertainty disc, or the wedge its
    /// line of bearing sweeps out to its reach); empty when it has no place, nil when too many.
    private static func cells(of record: FusionRecord, at resolution: Resolution, limit: Int) -> [Cell]? {
        guard let box = footprint(of: record) else { return [] }
        let latRange = Int32((box.south / resolution.degrees).rounded(.down))...Int32((box.north / resolution.degrees).rounded(.down))
        let lonRange = Int32((box.west / resolution.degrees).rounded(.down))...Int32((box.east / resolution.degrees).rounded(.down))
        let start = record.start.timeIntervalSince1970 - record.timeToleranceSeconds
        let end = record.end.timeIntervalSince1970 + record.timeToleranceSeconds
        let timeRange = Int64((start / resolution.seconds).rounded(.down))...Int64((end / resolution.seconds).rounded(.down))
        guard latRange.count * lonRange.count * timeRange.count <= limit else { return nil }
        var result: [Cell] = []
        for lat in latRange { for lon in lonRange { for time in timeRange { result.append(Cell(lat: lat, lon: lon, time: time)) } } }
        return result
    }

    /// Generous bounds in degrees of where a record's event can be; an index only, the rule
    /// decides with geodesics.
    private static func footprint(of record: FusionRecord) -> (south: Double, north: Double, west: Double, east: Double)? {
        if let point = record.point {
            let padding = record.radiusMetres * 1.1 + 50
            let dLat = padding / 110_000
            let dLon = padding / (110_000 * max(cos(point.lat * .pi / 180), 0.01))
            return (point.lat - dLat, point.lat + dLat, point.lon - dLon, point.lon + dLon)
        }
        guard let line = record.lineOfBearing else { return nil }
        // The observer and the far ends of the wedge's edges and middle, padded for the arc's
        // bulge and the gate's tangent.
        let reach = line.maximumRangeMetres
        let corners = [line.observer] + [-line.gateHalfAngleDegrees, 0, line.gateHalfAngleDegrees].map {
            Geodesic.wgs84.destination(from: line.observer, azimuthDegrees: line.bearingDegrees + $0, distanceMetres: reach)
        }
        let padding = reach * 0.1 + 500
        let dLat = padding / 110_000
        let dLon = padding / (110_000 * max(cos(line.observer.lat * .pi / 180), 0.01))
        return (corners.map(\.lat).min()! - dLat, corners.map(\.lat).max()! + dLat, corners.map(\.lon).min()! - dLon, corners.map(\.lon).max()! + dLon)
    }

    private mutating func find(_ index: Int) -> Int {
        var root = index
        while parent[root] != root { root = parent[root] }
        var node = index
        while parent[node] != root {
            let next = parent[node]
            parent[node] = root
            node = next
        }
        return root
    }

    private mutating func union(_ a: Int, _ b: Int) {
        let (rootA, rootB) = (find(a), find(b))
        guard rootA != rootB else { return }
        let (root, absorbed) = (min(rootA, rootB), max(rootA, rootB))
        parent[absorbed] = root
        components[root]!.append(contentsOf: components.removeValue(forKey: absorbed)!)
        let absorbedInfo = componentInfo.removeValue(forKey: absorbed)!
        componentInfo[root]!.absorb(absorbedInfo)
    }

    // MARK: Incidents within a component

    /// Recomputes the incidents of one whole component and reports the difference.
    private mutating func reassign(_ component: [Int]) -> Change {
        let before = Set(component.map { records[incidentKey[$0]].id })
        for key in Set(component.map { incidentKey[$0] }) { incidentMembers.removeValue(forKey: key) }
        let info = componentInfo[find(component[0])]!
        let groups = info.mayHoldSeveralEvents && component.count <= Self.largestSplitComponent ? partition(component) : [component]
        for group in groups {
            let key = group.min { UUIDOrder.less(records[$0].id, records[$1].id) }!
            for index in group { incidentKey[index] = key }
            incidentMembers[key] = group
        }
        let after = Set(component.map { records[incidentKey[$0]].id })
        return Change(current: after.sorted(by: UUIDOrder.less), removed: before.subtracting(after).sorted(by: UUIDOrder.less))
    }

    /// Splits a component into incidents; one incident when no source appears twice.
    private func partition(_ component: [Int]) -> [[Int]] {
        guard component.count > 1 else { return [component] }
        let inComponent = Set(component)
        struct Edge {
            var a: Int, b: Int
            var weight: Double
            var pinned: Bool
        }
        var edges: [Edge] = []
        for index in component {
            for other in candidates(of: index) where other != index && inComponent.contains(other)
                && UUIDOrder.less(records[other].id, records[index].id) {
                let decision = AssociationRule.decision(records[other], records[index])
                guard decision.joined else { continue }
                if case .pinnedTogether = decision {
                    edges.append(Edge(a: other, b: index, weight: -1, pinned: true))
                } else {
                    edges.append(Edge(a: other, b: index, weight: decision.weight, pinned: false))
                }
            }
        }
        edges.sort { x, y in
            if x.weight != y.weight { return x.weight < y.weight }
            if records[x.a].id != records[y.a].id { return UUIDOrder.less(records[x.a].id, records[y.a].id) }
            return UUIDOrder.less(records[x.b].id, records[y.b].id)
        }
        var groupOf = Dictionary(uniqueKeysWithValues: component.map { ($0, $0) })
        var groups = Dictionary(uniqueKeysWithValues: component.map { ($0, [$0]) })
        for edge in edges {
            let (ga, gb) = (groupOf[edge.a]!, groupOf[edge.b]!)
            guard ga != gb else { continue }
            if !edge.pinned && conflict(groups[ga]!, groups[gb]!) { continue }
            let (kept, gone) = (min(ga, gb), max(ga, gb))
            for index in groups[gone]! { groupOf[index] = kept }
            groups[kept]!.append(contentsOf: groups.removeValue(forKey: gone)!)
        }
        return Array(groups.values)
    }

    /// Two groups may not be joined when a source has a record in each that the rule does not
    /// join (one source does not report one event twice in two places), when one holds
    /// outgoing fire and the other incoming, when only lines of bearing would join places that
    /// do not overlap, or when their lines of bearing together do not meet at one point.
    private func conflict(_ a: [Int], _ b: [Int]) -> Bool {
        let directionsA = Set(a.compactMap { records[$0].direction }), directionsB = Set(b.compactMap { records[$0].direction })
        if directionsA.contains(.outgoing) && directionsB.contains(.incoming) || directionsA.contains(.incoming) && directionsB.contains(.outgoing) {
            return true
        }
        let sources = Dictionary(grouping: a, by: { records[$0].source })
        for y in b {
            for x in sources[records[y].source] ?? [] where !AssociationRule.joins(records[x], records[y]) { return true }
        }
        let lines = (a + b).map { records[$0] }.filter { $0.lineOfBearing != nil }
        guard !lines.isEmpty else { return false }
        // A line does not make one event of places that do not overlap.
        let placesA = a.filter { records[$0].point != nil }, placesB = b.filter { records[$0].point != nil }
        if !placesA.isEmpty, !placesB.isEmpty,
           !placesA.contains(where: { x in placesB.contains { y in AssociationRule.joins(records[x], records[y]) } }) {
            return true
        }
        return lines.count > 2 && !BearingConsistency.meetAtOnePoint(lines)
    }

    // MARK: Reading incidents

    /// The current incidents, ordered by start time then id.
    public func incidents() -> [Incident] {
        incidentMembers.values.map(incident(of:)).sorted {
            $0.start != $1.start ? $0.start < $1.start : UUIDOrder.less($0.id, $1.id)
        }
    }

    /// The incident a record belongs to.
    public func incident(containing recordID: UUID) -> Incident? {
        guard let index = indexByID[recordID] else { return nil }
        return incident(of: incidentMembers[incidentKey[index]]!)
    }

    /// Whether an incident has this id now, without building it.
    public func hasIncident(id: UUID) -> Bool {
        guard let index = indexByID[id] else { return false }
        return incidentKey[index] == index
    }

    /// The incident with this id; nil when there is none (it may have been merged away).
    public func incident(id: UUID) -> Incident? {
        guard let index = indexByID[id], incidentKey[index] == index else { return nil }
        return incident(of: incidentMembers[index]!)
    }

    private func incident(of indices: [Int]) -> Incident {
        // The indices sorted, not the records: a swap moves a word, not a record.
        Incident(membersByID: indices.sorted { UUIDOrder.less(records[$0].id, records[$1].id) }.map { records[$0] })
    }

    /// Why each record of an incident is in it; computed on request, as it costs more than the
    /// incident itself.
    public func reasons(forIncident id: UUID) -> [UUID: String] {
        guard let index = indexByID[id], incidentKey[index] == index else { return [:] }
        return reasons(for: incidentMembers[index]!)
    }

    /// Why each record (but the one with the lowest id) is in its incident: the rule as it
    /// holds between it and the lowest-id record of the incident it joins directly. Looks only
    /// at neighbours, so the cost grows with the incident's size, not its square, and the text
    /// does not depend on arrival order.
    private func reasons(for indices: [Int]) -> [UUID: String] {
        let inIncident = Set(indices)
        let lowest = indices.min { UUIDOrder.less(records[$0].id, records[$1].id) }
        var result: [UUID: String] = [:]
        for index in indices where index != lowest {
            let record = records[index]
            let partner = candidates(of: index)
                .filter { $0 != index && inIncident.contains($0) && AssociationRule.joins(records[$0], record) }
                .min { UUIDOrder.less(records[$0].id, records[$1].id) }
            guard let partner, let explanation = AssociationRule.explanation(records[partner], record) else { continue }
            result[record.id] = "joined to \(records[partner].id.uuidString.lowercased()): \(explanation)"
        }
        return result
    }

    /// Why each record of one incident (but its lowest id) is in it, from its records alone:
    /// the rule as it holds between a record and the lowest-id member it joins directly — the
    /// same text `reasons(forIncident:)` gives, for a node that does not hold the engine.
    /// Costs the square of the size, so only incidents up to `largestSplitComponent` are explained.
    public static func reasons(among records: [FusionRecord]) -> [UUID: String] {
        guard records.count > 1, records.count <= largestSplitComponent else { return [:] }
        let sorted = records.sorted { UUIDOrder.less($0.id, $1.id) }
        var result: [UUID: String] = [:]
        for (index, record) in sorted.enumerated() where index > 0 {
            guard let partner = sorted.first(where: { $0.id != record.id && AssociationRule.joins($0, record) }),
                  let explanation = AssociationRule.explanation(partner, record) else { continue }
            result[record.id] = "joined to \(partner.id.uuidString.lowercased()): \(explanation)"
        }
        return result
    }

    // MARK: Analyst decisions

    /// Pins records to an analyst's group and regroups what that touches. Merging incidents
    /// pins all their records to one group; splitting one pins each part to a group of its own.
    /// Pinned records are joined exactly to their group (see `AssociationRule`).
    public mutating func pin(_ recordIDs: [UUID], to group: UUID) -> Change {
        let indices = recordIDs.compactMap { indexByID[$0] }
        guard !indices.isEmpty else { return .none }
        var touched: Set<Int> = []
        for index in indices { touched.formUnion(components[find(index)]!) }
        for index in indices {
            if let old = records[index].analystGroup { pinned[old]?.removeAll { $0 == index } }
            records[index].analystGroup = group
            pinned[group, default: []].append(index)
        }
        // Pinned records may sit in components other than those of the records pinned now:
        // regroup those too, so that a group is always whole.
        for index in pinned[group]! { touched.formUnion(components[find(index)]!) }
        return regroup(touched)
    }

    /// Recomputes the components of a set of records that is closed under the rule (whole
    /// components), e.g. after an analyst's decision changed which of them join.
    private mutating func regroup(_ touched: Set<Int>) -> Change {
        let before = Set(touched.map { records[incidentKey[$0]].id })
        for index in touched { components.removeValue(forKey: index) }
        for index in touched {
            componentInfo.removeValue(forKey: index)
        }
        for index in touched {
            parent[index] = index
            components[index] = [index]
            var info = ComponentInfo(records[index])
            info.mayHoldSeveralEvents = true   // recomputed from scratch: let the split decide
            componentInfo[index] = info
        }
        for index in touched.sorted() {
            for candidate in candidates(of: index) where candidate < index && touched.contains(candidate)
                && AssociationRule.joins(records[candidate], records[index]) {
                union(candidate, index)
            }
        }
        // Old incidents may span several new components: clear them all before reassigning any.
        for key in Set(touched.map { incidentKey[$0] }) { incidentMembers.removeValue(forKey: key) }
        for index in touched {
            incidentKey[index] = index
            incidentMembers[index] = [index]
        }
        var current: Set<UUID> = []
        for root in Set(touched.map { find($0) }) { current.formUnion(reassign(components[root]!).current) }
        return Change(current: current.sorted(by: UUIDOrder.less), removed: before.subtracting(current).sorted(by: UUIDOrder.less))
    }
}

extension FusionEngine {
    /// A component with the span of its records' time windows, each widened by its tolerance.
    /// A record outside it can join one of its records only when its own widened window
    /// overlaps that span (the rule's time condition), and an analyst's group lies within one
    /// component: so a component whose span ends before a newcomer's window begins is final.
    public struct ComponentSpan: Sendable {
        public var recordIDs: [UUID]
        public var earliest: Date
        public var latest: Date
    }

    /// Every component with its span.
    public func componentSpans() -> [ComponentSpan] {
        components.values.map { members in
            var earliest = Date.distantFuture, latest = Date.distantPast
            for index in members {
                let (start, end) = records[index].widenedWindow
                earliest = min(earliest, start)
                latest = max(latest, end)
            }
            return ComponentSpan(recordIDs: members.map { records[$0].id }, earliest: earliest, latest: latest)
        }
    }

    public func contains(recordID: UUID) -> Bool { indexByID[recordID] != nil }

    /// The record with this id as fused (with an analyst's group, if pinned).
    public func record(id: UUID) -> FusionRecord? { indexByID[id].map { records[$0] } }
}

/// The order incident ids are compared in: that of their text, which is the order of their bytes.
public enum UUIDOrder {
    /// The bytes as two big-endian halves: comparing them compares the bytes in order, without
    /// a closure per comparison (sorting a large incident's members showed in the profile).
    public static func less(_ a: UUID, _ b: UUID) -> Bool {
        let (a0, a1) = halves(a), (b0, b1) = halves(b)
        return a0 != b0 ? a0 < b0 : a1 < b1
    }

    @inline(__always)
    private static func halves(_ id: UUID) -> (UInt64, UInt64) {
        let u = id.uuid
        let high = UInt64(u.0) << 56 | UInt64(u.1) << 48 | UInt64(u.2) << 40 | UInt64(u.3) << 32
            | UInt64(u.4) << 24 | UInt64(u.5) << 16 | UInt64(u.6) << 8 | UInt64(u.7)
        let low = UInt64(u.8) << 56 | UInt64(u.9) << 48 | UInt64(u.10) << 40 | UInt64(u.11) << 32
            | UInt64(u.12) << 24 | UInt64(u.13) << 16 | UInt64(u.14) << 8 | UInt64(u.15)
        return (high, low)
    }
}
