import CGEOS

/// Structural checks of planar geometry (longitude/latitude treated as x/y), done by GEOS.
///
/// These answer "is this drawing well formed?" (a line that crosses itself, a polygon whose
/// rings overlap); metric questions belong to `Geodesic`.
public enum GeometryValidation {
    /// Why a polyline is not simple (it touches or crosses itself), or nil when it is.
    public static func lineStringProblem(_ line: [GeoPoint]) -> String? {
        guard line.count >= 2 else { return "a line needs at least 2 positions" }
        return GEOSSession.run { session in
            guard let geometry = session.lineString(line) else { return "GEOS could not build the line" }
            defer { GEOSGeom_destroy_r(session.handle, geometry) }
            switch GEOSisSimple_r(session.handle, geometry) {
            case 1: return nil
            case 0: return "the line intersects itself"
            default: return "GEOS could not check the line: \(session.lastError ?? "unknown error")"
            }
        }
    }

    /// Why a polygon (exterior ring first, then holes; each ring closed) is invalid, or nil.
    public static func polygonProblem(_ rings: [[GeoPoint]]) -> String? {
        guard let exterior = rings.first else { return "a polygon needs an exterior ring" }
        for (index, ring) in rings.enumerated() {
            if ring.count < 4 { return "ring \(index) has \(ring.count) positions; a closed ring needs at least 4" }
            if ring.first != ring.last { return "ring \(index) is not closed (its first and last positions differ)" }
        }
        _ = exterior
        return GEOSSession.run { session in
            guard let polygon = session.polygon(rings) else { return "GEOS could not build the polygon" }
            defer { GEOSGeom_destroy_r(session.handle, polygon) }
            switch GEOSisValid_r(session.handle, polygon) {
            case 1: return nil
            case 0:
                guard let reason = GEOSisValidReason_r(session.handle, polygon) else { return "the polygon is invalid" }
                defer { GEOSFree_r(session.handle, reason) }
                return "the polygon is invalid: \(String(cString: reason))"
            default: return "GEOS could not check the polygon: \(session.lastError ?? "unknown error")"
            }
        }
    }
}
