import Foundation
import Synchronization

/// Where an agreement applies: near its lines or inside its zones. Homonyms are resolved in
/// favour of places inside it.
public struct AreaOfOperations: Sendable {
    /// Places this close to any agreement line count as inside.
    public static let reachMetres = 100_000.0

    public var name: String
    public var lines: [[GeoPoint]]
    public var zones: [PolygonRings]

    public init(name: String, lines: [[GeoPoint]], zones: [PolygonRings]) {
        self.name = name
        self.lines = lines
        self.zones = zones
    }

    public init(_ agreement: Agreement) {
        name = agreement.id
        lines = agreement.lines.map(\.points)
        zones = agreement.zones.compactMap { zone in
            if case .polygon(let rings) = zone.area { return rings }
            return nil
        }
    }

    public func contains(_ point: GeoPoint) -> Bool {
        if lines.contains(where: { LineGeometry.isWithin(Self.reachMetres, of: $0, point) }) {
            return true
        }
        return zones.contains { (try? LineGeometry.contains($0, point)) == true }
    }
}

/// A place name resolved to one gazetteer entry, with the others it might have meant and why
/// this one was chosen.
public struct PlaceResolution: Sendable {
    public struct Candidate: Sendable {
        public var entry: GazetteerEntry
        public var insideAreaOfOperations: Bool?
        public var distanceFromObserverMetres: Double?
    }

    public var chosen: Candidate
    public var others: [Candidate]
    public var reason: String
    /// True when the choice rests on population alone among several candidates.
    public var ambiguous: Bool
}

public struct PlaceResolver: Sendable {
    public var gazetteer: Gazetteer
    public var areas: [AreaOfOperations] {
        didSet { membership = AreaMembership() }
    }
    /// Whether each gazetteer entry asked about lies inside the areas: a fixed answer for
    /// fixed areas, and measuring it (a distance to every line) cost more than the rest of
    /// taking in a record that names a place.
    private var membership = AreaMembership()

    /// An observer this close to a candidate, and twice as close as to any other, settles it.
    public static let decisiveNearnessMetres = 60_000.0

    public init(gazetteer: Gazetteer, areas: [AreaOfOperations] = []) {
        self.gazetteer = gazetteer
        self.areas = areas
    }

    public func resolve(_ name: String, near observer: GeoPoint? = nil) throws(FieldError) -> PlaceResolution {
        let entries = gazetteer.candidates(named: name)
        guard !entries.isEmpty else { throw FieldError(path: "place", reason: "unknown place '\(name)'") }
        var candidates = entries.map { entry in
            PlaceResolution.Candidate(
                entry: entry,
                insideAreaOfOperations: areas.isEmpty ? nil : membership.isInside(entry) { areas.contains { $0.contains(entry.point) } },
                distanceFromObserverMetres: observer.map { Geodesic.wgs84.distance(from: $0, to: entry.point) }
            )
        }
        candidates.sort { $0.entry.population > $1.entry.population }
        if candidates.count == 1 {
            return PlaceResolution(chosen: candidates[0], others: [], reason: "the only place of that name", ambiguous: false)
        }

        var pool = candidates
        var reasons: [String] = []
        let inside = pool.filter { $0.insideAreaOfOperations == true }
        if !inside.isEmpty, inside.count < pool.count {
            pool = inside
            reasons.append("\(inside.count == 1 ? "the only candidate" : "\(inside.count) candidates") inside the area of operations (\(areas.map(\.name).joined(separator: ", ")))")
        }
        if observer != nil, pool.count > 1 {
            let byDistance = pool.sorted { $0.distanceFromObserverMetres! < $1.distanceFromObserverMetres! }
            let nearest = byDistance[0].distanceFromObserverMetres!, second = byDistance[1].distanceFromObserverMetres!
            if nearest <= Self.decisiveNearnessMetres, second >= 2 * nearest {
                pool = [byDistance[0]]
                reasons.append(String(format: "nearest to the observer (%.1f km; the next is %.1f km away)", nearest / 1000, second / 1000))
            }
        }
        var ambiguous = false
        if pool.count > 1 {
            let ranked = pool.sorted { $0.entry.population > $1.entry.population }
            ambiguous = reasons.isEmpty && ranked[1].entry.population * 2 > ranked[0].entry.population
            pool = [ranked[0]]
            reasons.append("largest population (\(ranked[0].entry.population))")
        }
        let chosen = pool[0]
        return PlaceResolution(
            chosen: chosen,
            others: candidates.filter { $0.entry.geonameID != chosen.entry.geonameID },
            reason: reasons.joined(separator: "; "),
            ambiguous: ambiguous
        )
    }
}

/// The areas' answer per gazetteer entry, remembered; shared by copies of one resolver.
private final class AreaMembership: Sendable {
    private struct Key: Hashable {
        var geonameID: Int
        var point: GeoPoint
    }

    private let known = Mutex<[Key: Bool]>([:])

    func isInside(_ entry: GazetteerEntry, measure: () -> Bool) -> Bool {
        let key = Key(geonameID: entry.geonameID, point: entry.point)
        if let answer = known.withLock({ $0[key] }) { return answer }
        let answer = measure()
        known.withLock { $0[key] = answer }
        return answer
    }
}
