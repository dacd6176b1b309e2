import Foundation

/// Settlements from the gazetteer, for rules such as "no heavy weapons within 1 km of a
/// settlement". The gazetteer gives a centre and a population, not a boundary, so a
/// settlement's extent is estimated as a disc holding its population at 2,000 people per
/// km² (at least 500 m): Horlivka (250,000) gets 6.3 km, a village of 1,000 gets 500 m.
public struct SettlementIndex: Sendable {
    public struct Nearby: Sendable, Hashable {
        public var name: String
        public var centreDistanceMetres: Double
        public var extentMetres: Double
        /// From the estimated edge; zero inside the settlement.
        public var edgeDistanceMetres: Double
    }

    static let peoplePerSquareKm = 2_000.0
    static let minimumExtentMetres = 500.0
    static let cellDegrees = 0.25

    private struct Cell: Hashable {
        var lat: Int
        var lon: Int
    }

    private let entries: [GazetteerEntry]
    private var grid: [Cell: [Int]] = [:]
    private let largestExtentMetres: Double

    public init(_ gazetteer: Gazetteer) {
        entries = gazetteer.entries.filter { $0.population > 0 }
        for (index, entry) in entries.enumerated() {
            grid[Self.cell(entry.point), default: []].append(index)
        }
        largestExtentMetres = entries.map { Self.extent(of: $0) }.max() ?? Self.minimumExtentMetres
    }

    public static func extent(of entry: GazetteerEntry) -> Double {
        max(minimumExtentMetres, (Double(entry.population) / peoplePerSquareKm / .pi).squareRoot() * 1_000)
    }

    private static func cell(_ point: GeoPoint) -> Cell {
        Cell(lat: Int((point.lat / cellDegrees).rounded(.down)), lon: Int((point.lon / cellDegrees).rounded(.down)))
    }

    /// The settlement whose estimated edge is nearest to the point, if within `metres`.
    public func nearest(to point: GeoPoint, within metres: Double) -> Nearby? {
        let reach = metres + largestExtentMetres
        let dLat = reach / 110_000, dLon = reach / (110_000 * max(cos(point.lat * .pi / 180), 0.01))
        let low = Self.cell(GeoPoint(lat: point.lat - dLat, lon: point.lon - dLon))
        let high = Self.cell(GeoPoint(lat: point.lat + dLat, lon: point.lon + dLon))
        var best: Nearby?
        for lat in low.lat...high.lat {
            for lon in low.lon...high.lon {
                for index in grid[Cell(lat: lat, lon: lon)] ?? [] {
                    let entry = entries[index]
                    let centre = Geodesic.wgs84.distance(from: point, to: entry.point)
                    let extent = Self.extent(of: entry)
                    let edge = max(0, centre - extent)
                    guard edge <= metres, edge < best?.edgeDistanceMetres ?? .infinity else { continue }
                    best = Nearby(name: entry.name, centreDistanceMetres: centre, extentMetres: extent, edgeDistanceMetres: edge)
                }
            }
        }
        return best
    }
}
