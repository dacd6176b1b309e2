import CGEOS

/// The planar operations Backstop asks of GEOS, on geometries in a local metric frame.
/// Every geometry created here is destroyed here; callers get Swift values back.
extension GEOSSession {
    func planarSequence(_ points: [PlanarPoint]) -> OpaquePointer? {
        guard let sequence = GEOSCoordSeq_create_r(handle, UInt32(points.count), 2) else { return nil }
        for (index, point) in points.enumerated() {
            GEOSCoordSeq_setXY_r(handle, sequence, UInt32(index), point.x, point.y)
        }
        return sequence
    }

    func planarPoint(_ point: PlanarPoint) -> OpaquePointer? {
        GEOSGeom_createPointFromXY_r(handle, point.x, point.y)
    }

    func planarLine(_ points: [PlanarPoint]) -> OpaquePointer? {
        planarSequence(points).flatMap { GEOSGeom_createLineString_r(handle, $0) }
    }

    func planarPolygon(_ rings: [[PlanarPoint]]) -> OpaquePointer? {
        guard let shellSequence = planarSequence(rings[0]), let shell = GEOSGeom_createLinearRing_r(handle, shellSequence) else { return nil }
        var holes: [OpaquePointer?] = rings.dropFirst().map { ring in
            planarSequence(ring).flatMap { GEOSGeom_createLinearRing_r(handle, $0) }
        }
        if holes.contains(where: { $0 == nil }) {
            GEOSGeom_destroy_r(handle, shell)
            holes.forEach { destroy($0) }
            return nil
        }
        return holes.withUnsafeMutableBufferPointer { buffer in
            GEOSGeom_createPolygon_r(handle, shell, buffer.baseAddress, UInt32(buffer.count))
        }
    }

    func coordinates(of geometry: OpaquePointer) -> [PlanarPoint] {
        guard let sequence = GEOSGeom_getCoordSeq_r(handle, geometry) else { return [] }
        var size: UInt32 = 0
        GEOSCoordSeq_getSize_r(handle, sequence, &size)
        return (0..<size).map { index in
            var x = 0.0, y = 0.0
            GEOSCoordSeq_getXY_r(handle, sequence, index, &x, &y)
            return PlanarPoint(x: x, y: y)
        }
    }

    /// The rings of every polygon in a (multi)polygon, exterior first.
    func polygons(of geometry: OpaquePointer) -> [[[PlanarPoint]]] {
        let type = GEOSGeomTypeId_r(handle, geometry)
        if type == Int32(GEOS_POLYGON.rawValue) {
            guard let exterior = GEOSGetExteriorRing_r(handle, geometry) else { return [] }
            var rings = [coordinates(of: exterior)]
            for index in 0..<max(0, GEOSGetNumInteriorRings_r(handle, geometry)) {
                if let ring = GEOSGetInteriorRingN_r(handle, geometry, index) { rings.append(coordinates(of: ring)) }
            }
            return [rings]
        }
        var result: [[[PlanarPoint]]] = []
        for index in 0..<max(0, GEOSGetNumGeometries_r(handle, geometry)) {
            if let part = GEOSGetGeometryN_r(handle, geometry, index) { result += polygons(of: part) }
        }
        return result
    }

    /// The point of `geometry` nearest to `point`.
    func nearestPoint(on geometry: OpaquePointer, to point: PlanarPoint) -> PlanarPoint? {
        guard let origin = planarPoint(point) else { return nil }
        defer { GEOSGeom_destroy_r(handle, origin) }
        guard let pair = GEOSNearestPoints_r(handle, geometry, origin) else { return nil }
        defer { GEOSCoordSeq_destroy_r(handle, pair) }
        var x = 0.0, y = 0.0
        GEOSCoordSeq_getXY_r(handle, pair, 0, &x, &y)
        return PlanarPoint(x: x, y: y)
    }

    /// The area within `width` metres of a line on one side (positive: left, negative: right).
    func singleSidedBuffer(_ line: OpaquePointer, width: Double) -> OpaquePointer? {
        guard let parameters = GEOSBufferParams_create_r(handle) else { return nil }
        defer { GEOSBufferParams_destroy_r(handle, parameters) }
        GEOSBufferParams_setSingleSided_r(handle, parameters, 1)
        GEOSBufferParams_setEndCapStyle_r(handle, parameters, Int32(GEOSBUF_CAP_FLAT.rawValue))
        GEOSBufferParams_setJoinStyle_r(handle, parameters, Int32(GEOSBUF_JOIN_ROUND.rawValue))
        GEOSBufferParams_setQuadrantSegments_r(handle, parameters, 16)
        return GEOSBufferWithParams_r(handle, line, parameters, width)
    }

    func buffer(_ geometry: OpaquePointer, width: Double) -> OpaquePointer? {
        GEOSBuffer_r(handle, geometry, width, 16)
    }

    /// Whether the point lies inside or on the boundary of the geometry.
    func covers(_ geometry: OpaquePointer, _ point: PlanarPoint) -> Bool {
        guard let origin = planarPoint(point) else { return false }
        defer { GEOSGeom_destroy_r(handle, origin) }
        return GEOSIntersects_r(handle, geometry, origin) == 1
    }

    func destroy(_ geometry: OpaquePointer?) {
        if let geometry { GEOSGeom_destroy_r(handle, geometry) }
    }
}
