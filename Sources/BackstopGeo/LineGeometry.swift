import CGEOS

/// Left or right of a line, walking it in the order its positions are given.
public enum SideOfLine: String, CaseIterable, Sendable, Codable {
    case left, right

    public var opposite: SideOfLine { self == .left ? .right : .left }
}

/// A polygon as rings of positions, exterior first, each closed.
public typealias PolygonRings = [[GeoPoint]]

/// How far a point is from a line, measured on the ellipsoid, and on which side it lies.
public struct DistanceToLine: Sendable, Hashable {
    public var distanceMetres: Double
    public var nearestPoint: GeoPoint
    /// Side relative to the nearest segment (extended beyond the ends when `beyondEnd`).
    public var side: SideOfLine?
    /// The nearest point is an end of the line and the point lies past it.
    public var beyondEnd: Bool
}

/// Geometry of agreement lines on the ellipsoid: PROJ for projections and geodesics, GEOS for
/// planar operations in a frame centred near where the question is asked.
public enum LineGeometry {
    /// Lines are densified along geodesics to this spacing before planar work, so the planar
    /// segments follow the geodesics to well under a metre.
    public static let densifyStepMetres = 500.0

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The line with extra positions on each geodesic segment, at most `stepMetres` apart.
    public static func densify(_ line: [GeoPoint], stepMetres: Double = densifyStepMetres) -> [GeoPoint] {
        guard let first = line.first else { return [] }
        var result = [first]
        for (a, b) in zip(line, line.dropFirst()) {
            let inverse = Geodesic.wgs84.inverse(from: a, to: b)
            let pieces = max(1, Int((inverse.distanceMetres / stepMetres).rounded(.up)))
            for piece in 1..<pieces {
                result.append(Geodesic.wgs84.destination(from: a, azimuthDegrees: inverse.initialAzimuth, distanceMetres: inverse.distanceMetres * Double(piece) / Double(pieces)))
            }
            result.append(b)
        }
        return result
    }

    /// Geodesic distance from a point to a polyline, the nearest point on it, and the side.
    public static func distance(from point: GeoPoint, to line: [GeoPoint]) throws -> DistanceToLine {
        try distance(from: point, to: line, nearSegmentsOnly: true)
    }

    /// `nearSegmentsOnly: false` measures against every segment (the tests compare the two).
    static func distance(from point: GeoPoint, to line: [GeoPoint], nearSegmentsOnly: Bool) throws -> DistanceToLine {
        guard line.count >= 2 else { throw Failure(description: "a line needs at least 2 positions") }
        let projection = try LocalProjection.near(point)
        // Only the segments near the point are projected and measured (see `nearSegments`).
        let densified = DensifiedLines.shared.densified(line)
        let near = nearSegmentsOnly ? densified.nearSegments(to: point) : 0...(densified.points.count - 1)
        let planar = densified.points[near].map(projection.forward)
        let (startsLine, endsLine) = (near.lowerBound == 0, near.upperBound == densified.points.count - 1)
        let origin = projection.forward(point)
        return try GEOSSession.run { session in
            guard let geometry = session.planarLine(planar) else { throw Failure(description: "GEOS could not build the line") }
            defer { session.destroy(geometry) }
            guard let nearest = session.nearestPoint(on: geometry, to: origin) else { throw Failure(description: "GEOS found no nearest point") }
            let nearestGeo = projection.inverse(nearest)
            let along = session.projectedDistance(along: geometry, of: origin)
            let (segment, atStart, atEnd, atCorner) = segmentIndex(planar, along: along)
            func orientation(_ a: PlanarPoint, _ b: PlanarPoint, _ p: PlanarPoint) -> Int32 {
                GEOSOrientationIndex_r(session.handle, a.x, a.y, b.x, b.y, p.x, p.y)
            }
            var index = orientation(planar[segment], planar[segment + 1], origin)
            if atCorner {
                // Nearest at a vertex: the two segments there may disagree. Past a left turn a
                // point is left only if left of both segments; past a right turn, right only
                // if right of both.
                let next = orientation(planar[segment + 1], planar[segment + 2], origin)
                if next != index {
                    let turn = orientation(planar[segment], planar[segment + 1], planar[segment + 2])
                    index = turn == 1 ? -1 : turn == -1 ? 1 : next
                }
            }
            let side: SideOfLine? = switch index {
            case 1: .left
            case -1: .right
            default: nil
            }
            return DistanceToLine(
                distanceMetres: Geodesic.wgs84.distance(from: point, to: nearestGeo),
                nearestPoint: nearestGeo, side: side, beyondEnd: atStart && startsLine || atEnd && endsLine
            )
        }
    }

    /// Whether a point lies within `metres` of a line on the ellipsoid; a point outside the
    /// line's widened bounding box, or clearly nearer or farther than `metres`, is answered
    /// without measuring on the ellipsoid.
    public static func isWithin(_ metres: Double, of line: [GeoPoint], _ point: GeoPoint) -> Bool {
        guard line.count >= 2 else { return false }
        let densified = DensifiedLines.shared.densified(line)
        guard densified.mayBeWithin(metres, of: point) else { return false }
        if let settled = densified.settlesWithin(metres, of: point) { return settled }
        return ((try? distance(from: point, to: line).distanceMetres) ?? .infinity) <= metres
    }

    /// Which planar segment holds the point `along` metres down the line; whether that is the
    /// very start or end of the line; and whether it is the vertex joining this segment to the next.
    private static func segmentIndex(_ points: [PlanarPoint], along: Double) -> (Int, Bool, Bool, Bool) {
        var travelled = 0.0
        let last = points.count - 2
        for index in 0...last {
            let length = ((points[index + 1].x - points[index].x) * (points[index + 1].x - points[index].x)
                + (points[index + 1].y - points[index].y) * (points[index + 1].y - points[index].y)).squareRoot()
            if along <= travelled + length || index == last {
                let atVertexAfter = along >= travelled + length - 1e-6
                return (index, along <= 1e-6, index == last && atVertexAfter, index < last && atVertexAfter)
            }
            travelled += length
        }
        return (0, true, false, false)
    }

    /// The area within `widthMetres` of the line on one side, for drawing withdrawal lines and
    /// security zones. Drawn in one frame centred on the line, so it is a picture accurate to
    /// tens of metres over a few hundred kilometres; decisions use `distance(from:to:)`.
    public static func sideArea(of line: [GeoPoint], side: SideOfLine, widthMetres: Double) throws -> [PolygonRings] {
        try planarResult(around: line) { session, geometry in
            session.singleSidedBuffer(geometry, width: side == .left ? widthMetres : -widthMetres)
        }
    }

    /// The area within `halfWidthMetres` of the line on both sides (a demilitarised zone).
    public static func corridor(around line: [GeoPoint], halfWidthMetres: Double) throws -> [PolygonRings] {
        try planarResult(around: line) { session, geometry in
            session.buffer(geometry, width: halfWidthMetres)
        }
    }

    private static func planarResult(around line: [GeoPoint], _ operation: (GEOSSession, OpaquePointer) -> OpaquePointer?) throws -> [PolygonRings] {
        guard line.count >= 2 else { throw Failure(description: "a line needs at least 2 positions") }
        let lats = line.map(\.lat), lons = line.map(\.lon)
        let centre = GeoPoint(lat: (lats.min()! + lats.max()!) / 2, lon: (lons.min()! + lons.max()!) / 2)
        let projection = try LocalProjection.around(centre)
        return try GEOSSession.run { session in
            guard let geometry = session.planarLine(densify(line).map(projection.forward)) else { throw Failure(description: "GEOS could not build the line") }
            defer { session.destroy(geometry) }
            guard let result = operation(session, geometry) else { throw Failure(description: "GEOS could not buffer the line: \(session.lastError ?? "unknown")") }
            defer { session.destroy(result) }
            return session.polygons(of: result).map { polygon in polygon.map { ring in ring.map(projection.inverse) } }
        }
    }

    /// Whether a point lies inside (or on the edge of) a polygon, decided in a frame near the point.
    public static func contains(_ polygon: PolygonRings, _ point: GeoPoint) throws -> Bool {
        guard let exterior = polygon.first, exterior.count >= 4 else { throw Failure(description: "a polygon needs a closed exterior ring") }
        let densified = polygon.map { DensifiedLines.shared.densified($0, stepMetres: 2_000) }
        // Outside the box of the exterior's positions (widened for the geodesic edges' bulge) is outside.
        guard densified[0].mayBeWithin(1_000, of: point) else { return false }
        let projection = try LocalProjection.near(point)
        return GEOSSession.run { session in
            let rings = densified.map { $0.points.map(projection.forward) }
            guard let geometry = session.planarPolygon(rings) else { return false }
            defer { session.destroy(geometry) }
            return session.covers(geometry, projection.forward(point))
        }
    }
}

extension GEOSSession {
    /// Distance along a line to the point on it nearest `point` (linear referencing).
    func projectedDistance(along line: OpaquePointer, of point: PlanarPoint) -> Double {
        guard let origin = planarPoint(point) else { return 0 }
        defer { GEOSGeom_destroy_r(handle, origin) }
        return GEOSProject_r(handle, line, origin)
    }
}
