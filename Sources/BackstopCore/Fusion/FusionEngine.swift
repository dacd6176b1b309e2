import Foundation

/// Groups records into incidents as they arrive. Incidents are the connected groups of the
/// symmetric `AssociationRule`, so the result does not depend on arrival order, and a late
/// record only touches the records near it in space and time: candidates come from a grid
/// of 0.05° × 0.05° × 10-minute cells, never from all pairs.
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

    public private(set) var records: [FusionRecord] = []
    private var indexByID: [UUID: Int] = [:]
    private var parent: [Int] = []
    private var grid: [Cell: [Int]] = [:]
    private var wide: [Int] = []
    private var unlocated: [Int] = []

    public init() {}

    public var count: Int { records.count }

    /// Adds a record (a repeated id is ignored) and joins it to every record the rule allows.
    public mutating func add(_ record: FusionRecord) {
        guard indexByID[record.id] == nil else { return }
        let index = records.count
        records.append(record)
        parent.append(index)
        indexByID[record.id] = index
        guard record.point != nil else {
            unlocated.append(index)
            return
        }
        let cells = Self.cells(of: record)
        var candidates = Set(wide)
        if let cells {
            for cell in cells { candidates.formUnion(grid[cell] ?? []) }
        } else {
            candidates.formUnion(0..<index)
        }
        for candidate in candidates where candidate != index && AssociationRule.joins(records[candidate], record) {
            union(candidate, index)
        }
        if let cells {
            for cell in cells { grid[cell, default: []].append(index) }
        } else {
            wide.append(index)
        }
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

    private mutating func union(_ a: Int, _ b: Int) {
        let (rootA, rootB) = (find(a), find(b))
        if rootA != rootB { parent[max(rootA, rootB)] = min(rootA, rootB) }
    }

    /// The current incidents, ordered by start time then id.
    public mutating func incidents() -> [Incident] {
        var groups: [Int: [FusionRecord]] = [:]
        for index in records.indices { groups[find(index), default: []].append(records[index]) }
        return groups.values.map(Incident.init(members:)).sorted {
            $0.start != $1.start ? $0.start < $1.start : $0.id.uuidString < $1.id.uuidString
        }
    }

    /// The incident a record belongs to.
    public mutating func incident(containing id: UUID) -> Incident? {
        guard let index = indexByID[id] else { return nil }
        let root = find(index)
        let members = records.indices.filter { find($0) == root }.map { records[$0] }
        return Incident(members: members)
    }
}
