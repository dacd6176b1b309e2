import Foundation

/// Groups records into incidents as they arrive. Incidents are the connected groups of the
/// symmetric `AssociationRule`, so the result does not depend on arrival order, and a late
/// record only touches the records near it in space and time: candidates come from a grid
/// of 0.05° × 0.05° × 10-minute cells, never from all pairs.
///
/// An incident's id is the lowest id among its records: the same whatever the arrival order.
/// When a record bridges two incidents, the merged one keeps the lower id and the other id
/// is reported as removed.
public struct FusionEngine: Sendable {
    static let cellDegrees = 0.05
    static let cellSeconds = 600.0
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
    /// For each root, the indices of its records.
    private var members: [Int: [Int]] = [:]
    /// For each root, the incident id (the lowest record id).
    private var incidentIDOfRoot: [Int: UUID] = [:]
    private var grid: [Cell: [Int]] = [:]
    private var wide: [Int] = []
    private var pinned: [UUID: [Int]] = [:]

    public init() {}

    public var count: Int { records.count }
    public var incidentCount: Int { members.count }

    /// Adds a record (a repeated id is ignored) and joins it to every record the rule allows.
    @discardableResult
    public mutating func add(_ record: FusionRecord) -> Change {
        guard indexByID[record.id] == nil else { return .none }
        let index = records.count
        records.append(record)
        parent.append(index)
        members[index] = [index]
        incidentIDOfRoot[index] = record.id
        indexByID[record.id] = index
        if let group = record.analystGroup { pinned[group, default: []].append(index) }
        var removed: Set<UUID> = []
        for candidate in candidates(of: index) where candidate != index && AssociationRule.joins(records[candidate], record) {
            if let gone = union(candidate, index) { removed.insert(gone) }
        }
        if record.point != nil {
            if let cells = Self.cells(of: record) {
                for cell in cells { grid[cell, default: []].append(index) }
            } else {
                wide.append(index)
            }
        }
        let current = incidentIDOfRoot[find(index)]!
        removed.remove(current)
        removed.remove(record.id)
        return Change(current: [current], removed: removed.sorted(by: UUIDOrder.less))
    }

    /// Records that may join the record at `index`: those sharing a grid cell, the wide ones,
    /// and those an analyst pinned to its group.
    private func candidates(of index: Int) -> Set<Int> {
        let record = records[index]
        var result = Set(wide)
        if let group = record.analystGroup { result.formUnion(pinned[group] ?? []) }
        guard record.point != nil else { return result }
        if let cells = Self.cells(of: record) {
            for cell in cells { result.formUnion(grid[cell] ?? []) }
        } else {
            result.formUnion(records.indices)
        }
        return result
    }

    /// The cells a record's time window and uncertainty disc touch; nil when too many.
    private static func cells(of record: FusionRecord) -> [Cell]? {
        guard let point = record.point else { return [] }
        // An index only: generous bounds in degrees; the rule decides with geodesics.
        let padding = record.radiusMetres * 1.1 + 50
        let dLat = padding / 110_000
        let dLon = padding / (110_000 * max(cos(point.lat * .pi / 180), 0.01))
        let latRange = Int32(((point.lat - dLat) / cellDegrees).rounded(.down))...Int32(((point.lat + dLat) / cellDegrees).rounded(.down))
        let lonRange = Int32(((point.lon - dLon) / cellDegrees).rounded(.down))...Int32(((point.lon + dLon) / cellDegrees).rounded(.down))
        let start = record.start.timeIntervalSince1970 - record.timeToleranceSeconds
        let end = record.end.timeIntervalSince1970 + record.timeToleranceSeconds
        let timeRange = Int64((start / cellSeconds).rounded(.down))...Int64((end / cellSeconds).rounded(.down))
        guard latRange.count * lonRange.count * timeRange.count <= maximumCellsPerRecord else { return nil }
        var result: [Cell] = []
        for lat in latRange { for lon in lonRange { for time in timeRange { result.append(Cell(lat: lat, lon: lon, time: time)) } } }
        return result
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

    /// Joins two groups; returns the incident id that stopped existing, if any.
    private mutating func union(_ a: Int, _ b: Int) -> UUID? {
        let (rootA, rootB) = (find(a), find(b))
        guard rootA != rootB else { return nil }
        let (root, absorbed) = (min(rootA, rootB), max(rootA, rootB))
        parent[absorbed] = root
        members[root]!.append(contentsOf: members.removeValue(forKey: absorbed)!)
        let (idA, idB) = (incidentIDOfRoot[root]!, incidentIDOfRoot.removeValue(forKey: absorbed)!)
        let (kept, gone) = UUIDOrder.less(idA, idB) ? (idA, idB) : (idB, idA)
        incidentIDOfRoot[root] = kept
        return gone
    }

    // MARK: Reading incidents

    /// The current incidents, ordered by start time then id.
    public mutating func incidents() -> [Incident] {
        let roots = Array(members.keys)
        return roots.map { incident(root: $0) }.sorted {
            $0.start != $1.start ? $0.start < $1.start : UUIDOrder.less($0.id, $1.id)
        }
    }

    /// The incident a record belongs to.
    public mutating func incident(containing recordID: UUID) -> Incident? {
        guard let index = indexByID[recordID] else { return nil }
        return incident(root: find(index))
    }

    /// The incident with this id; nil when there is none (it may have been merged away).
    public mutating func incident(id: UUID) -> Incident? {
        guard let index = indexByID[id] else { return nil }
        let root = find(index)
        return incidentIDOfRoot[root] == id ? incident(root: root) : nil
    }

    private func incident(root: Int) -> Incident {
        let indices = members[root]!
        return Incident(members: indices.map { records[$0] }, reasons: reasons(for: indices))
    }

    /// Why each record (but the one with the lowest id) is in its incident: the rule as it
    /// holds between it and the lowest-id record it joins directly. Looks only at neighbours,
    /// so the cost grows with the incident's size, not its square, and the text does not depend
    /// on arrival order.
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

    // MARK: Analyst decisions

    /// Pins records to an analyst's group and regroups what that touches. Merging incidents
    /// pins all their records to one group; splitting one pins each part to a group of its own.
    /// Pinned records are joined exactly to their group (see `AssociationRule`).
    public mutating func pin(_ recordIDs: [UUID], to group: UUID) -> Change {
        let indices = recordIDs.compactMap { indexByID[$0] }
        guard !indices.isEmpty else { return .none }
        var component: Set<Int> = []
        for index in indices { component.formUnion(members[find(index)]!) }
        for index in indices {
            if let old = records[index].analystGroup { pinned[old]?.removeAll { $0 == index } }
            records[index].analystGroup = group
            pinned[group, default: []].append(index)
        }
        // Pinned records may sit in incidents other than those of the records pinned now:
        // regroup those too, so that a group is always whole.
        for index in pinned[group]! { component.formUnion(members[find(index)]!) }
        return regroup(component)
    }

    /// Recomputes the incidents of a set of records that is closed under the rule (whole
    /// incidents), e.g. after an analyst's decision changed which of them join.
    private mutating func regroup(_ component: Set<Int>) -> Change {
        var before: Set<UUID> = []
        for index in component {
            let root = find(index)
            if let id = incidentIDOfRoot[root] { before.insert(id) }
        }
        for index in component {
            members.removeValue(forKey: index)
            incidentIDOfRoot.removeValue(forKey: index)
        }
        for index in component {
            parent[index] = index
            members[index] = [index]
            incidentIDOfRoot[index] = records[index].id
        }
        for index in component.sorted() {
            for candidate in candidates(of: index) where candidate < index && component.contains(candidate)
                && AssociationRule.joins(records[candidate], records[index]) {
                _ = union(candidate, index)
            }
        }
        var after: Set<UUID> = []
        for index in component { after.insert(incidentIDOfRoot[find(index)]!) }
        return Change(current: after.sorted(by: UUIDOrder.less), removed: before.subtracting(after).sorted(by: UUIDOrder.less))
    }
}

/// The order incident ids are compared in: that of their text, which is the order of their bytes.
public enum UUIDOrder {
    public static func less(_ a: UUID, _ b: UUID) -> Bool {
        withUnsafeBytes(of: a.uuid) { left in
            withUnsafeBytes(of: b.uuid) { right in
                left.lexicographicallyPrecedes(right)
            }
        }
    }
}
