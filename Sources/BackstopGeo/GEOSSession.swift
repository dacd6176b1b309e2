import CGEOS

/// Owns one reentrant GEOS context for the duration of a call; GEOS handles never escape it.
final class GEOSSession {
    let handle: GEOSContextHandle_t
    private let errorBox = ErrorBox()

    private final class ErrorBox {
        var message: String?
    }

    private init() {
        handle = GEOS_init_r()
        let box = Unmanaged.passUnretained(errorBox).toOpaque()
        GEOSContext_setErrorMessageHandler_r(handle, { message, userData in
            guard let message, let userData else { return }
            Unmanaged<ErrorBox>.fromOpaque(userData).takeUnretainedValue().message = String(cString: message)
        }, box)
    }

    deinit {
        GEOS_finish_r(handle)
    }

    var lastError: String? { errorBox.message }

    static func run<T>(_ body: (GEOSSession) throws -> T) rethrows -> T {
        let session = GEOSSession()
        return try withExtendedLifetime(session) { try body(session) }
    }

    func coordinateSequence(_ points: [GeoPoint]) -> OpaquePointer? {
        guard let sequence = GEOSCoordSeq_create_r(handle, UInt32(points.count), 2) else { return nil }
        for (index, point) in points.enumerated() {
            GEOSCoordSeq_setXY_r(handle, sequence, UInt32(index), point.lon, point.lat)
        }
        return sequence
    }

    func lineString(_ points: [GeoPoint]) -> OpaquePointer? {
        guard let sequence = coordinateSequence(points) else { return nil }
        return GEOSGeom_createLineString_r(handle, sequence)
    }

    func linearRing(_ points: [GeoPoint]) -> OpaquePointer? {
        guard let sequence = coordinateSequence(points) else { return nil }
        return GEOSGeom_createLinearRing_r(handle, sequence)
    }

    /// Builds a polygon; ownership of the rings passes to it.
    func polygon(_ rings: [[GeoPoint]]) -> OpaquePointer? {
        guard let shell = linearRing(rings[0]) else { return nil }
        var holes: [OpaquePointer?] = []
        for ring in rings.dropFirst() {
            guard let hole = linearRing(ring) else {
                GEOSGeom_destroy_r(handle, shell)
                holes.forEach { GEOSGeom_destroy_r(handle, $0) }
                return nil
            }
            holes.append(hole)
        }
        return holes.withUnsafeMutableBufferPointer { buffer in
            GEOSGeom_createPolygon_r(handle, shell, buffer.baseAddress, UInt32(buffer.count))
        }
    }
}
