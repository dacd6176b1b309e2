import Synchronization

/// Lines densified along geodesics, kept for reuse: compliance measures every incident
/// against the same few agreement lines, and densifying a 400 km line at 500 m steps (800
/// geodesic steps) on every call was most of the cost of a distance.
final class DensifiedLines: Sendable {
    static let shared = DensifiedLines()
    /// Agreements have a handful of lines; a mission a few agreements.
    private static let capacity = 64
    private let cache = Mutex<[[GeoPoint]: [GeoPoint]]>([:])

    func densified(_ line: [GeoPoint]) -> [GeoPoint] {
        if let hit = cache.withLock({ $0[line] }) { return hit }
        let result = LineGeometry.densify(line)
        cache.withLock { cache in
            if cache.count >= Self.capacity { cache.removeAll() }
            cache[line] = result
        }
        return result
    }
}
