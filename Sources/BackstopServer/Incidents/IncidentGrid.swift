import BackstopCore
import BackstopStore
import Foundation

/// Where the board's incidents are, by cells of 0.1° (about 11 km): a bounding-box read looks
/// at the incidents whose places lie in the box instead of every incident. An incident is filed
/// at each place someone may see it at (as fusion and the analysts' corrections put it, and as
/// last confirmed), so every audience's box finds it; the readers still check each candidate as
/// they check any incident.
struct IncidentGrid: Sendable {
    static let cellDegrees = 0.1
    /// Each cell's incidents with their places in it, so a read compares points without a lookup.
    private var cells: [Int64: [(id: UUID, point: GeoPoint)]] = [:]
    private var places: [UUID: [GeoPoint]] = [:]

    private static func cell(_ point: GeoPoint) -> Int64 {
        row(point.lat) * 10_000 + column(point.lon)
    }

    private static func row(_ lat: Double) -> Int64 { Int64(((lat + 90) / cellDegrees).rounded(.down)) }
    private static func column(_ lon: Double) -> Int64 { Int64(((lon + 180) / cellDegrees).rounded(.down)) }

    static func points(_ incident: StoredIncident) -> [GeoPoint] {
        var points: [GeoPoint] = []
        for location in [incident.summary.location, incident.corrected.location, incident.released.location].compactMap({ $0 }) {
            let point = GeoPoint(lat: location.lat, lon: location.lon)
            if !points.contains(point) { points.append(point) }
        }
        return points
    }

    mutating func file(_ incident: StoredIncident) {
        let id = incident.id
        let before = places[id] ?? [], after = Self.points(incident)
        guard before != after else { return }
        for key in Set(before.map(Self.cell)) {
            cells[key]?.removeAll { $0.id == id }
            if cells[key]?.isEmpty == true { cells[key] = nil }
        }
        for point in after { cells[Self.cell(point), default: []].append((id, point)) }
        places[id] = after.isEmpty ? nil : after
    }

    /// The incidents with a place inside the box widened by `margin` degrees; nil when the box
    /// spans more cells than are filled (a scan of every incident is then as quick).
    func candidates(in box: BoundingBox, margin: Double) -> [UUID]? {
        let (south, north) = (max(box.minLat - margin, -90), min(box.maxLat + margin, 90))
        let (west, east) = (max(box.minLon - margin, -180), min(box.maxLon + margin, 180))
        let rows = Self.row(south)...Self.row(north), columns = Self.column(west)...Self.column(east)
        guard rows.count * columns.count <= cells.count else { return nil }
        var found: Set<UUID> = []
        for row in rows {
            for column in columns {
                for (id, point) in cells[row * 10_000 + column] ?? []
                where point.lat >= south && point.lat <= north && point.lon >= west && point.lon <= east {
                    found.insert(id)
                }
            }
        }
        return Array(found)
    }
}
