import BackstopCore
import BackstopStore
import Foundation

/// Where the board's incidents are, by cells of 0.1° (about 11 km): a bounding-box read looks
/// at the incidents of the cells the box touches instead of every incident. An incident is
/// filed under each place someone may see it at (as fusion and the analysts' corrections put
/// it, and as last confirmed), so every audience's box finds it; the readers still check each
/// candidate as they check any incident.
struct IncidentGrid: Sendable {
    static let cellDegrees = 0.1
    private var cells: [Int64: Set<UUID>] = [:]

    private static func cell(lat: Double, lon: Double) -> Int64 {
        let row = Int64(((lat + 90) / cellDegrees).rounded(.down)), column = Int64(((lon + 180) / cellDegrees).rounded(.down))
        return row * 10_000 + column
    }

    static func places(_ incident: StoredIncident) -> Set<Int64> {
        var keys: Set<Int64> = []
        for location in [incident.corrected.location, incident.released.location, incident.summary.location].compactMap({ $0 }) {
            keys.insert(cell(lat: location.lat, lon: location.lon))
        }
        return keys
    }

    mutating func file(_ incident: StoredIncident, replacing old: StoredIncident?) {
        let before = old.map(Self.places) ?? [], after = Self.places(incident)
        for key in before.subtracting(after) {
            cells[key]?.remove(incident.id)
            if cells[key]?.isEmpty == true { cells[key] = nil }
        }
        for key in after.subtracting(before) { cells[key, default: []].insert(incident.id) }
    }

    /// The incidents filed in cells that the box, widened by `margin` degrees, touches; nil when
    /// the box spans more cells than are filled (a scan of every incident is then as quick).
    func candidates(in box: BoundingBox, margin: Double) -> Set<UUID>? {
        let low = (lat: max(box.minLat - margin, -90), lon: max(box.minLon - margin, -180))
        let high = (lat: min(box.maxLat + margin, 90), lon: min(box.maxLon + margin, 180))
        let rows = Int64(((low.lat + 90) / Self.cellDegrees).rounded(.down))...Int64(((high.lat + 90) / Self.cellDegrees).rounded(.down))
        let columns = Int64(((low.lon + 180) / Self.cellDegrees).rounded(.down))...Int64(((high.lon + 180) / Self.cellDegrees).rounded(.down))
        guard rows.count * columns.count <= cells.count else { return nil }
        var found: Set<UUID> = []
        for row in rows {
            for column in columns { if let ids = cells[row * 10_000 + column] { found.formUnion(ids) } }
        }
        return found
    }
}
