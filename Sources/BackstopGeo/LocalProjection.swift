import CPROJ
import Foundation

/// A planar frame in metres around one point: PROJ's azimuthal equidistant projection on
/// WGS 84. Distances and azimuths from the centre are exact; planar work (GEOS) on a region
/// of a few hundred kilometres around it is accurate to a few metres per hundred kilometres.
///
/// Made through `around(_:)`, which keeps the frames recently made on the calling thread:
/// creating a PROJ context and parsing a pipeline cost far more than the measurement itself,
/// and one check of an incident asks several questions around one point.
final class LocalProjection {
    let centre: GeoPoint
    private let transformation: OpaquePointer

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// A frame around `centre`, reused when this thread made one there lately. The frame must
    /// be used on the calling thread only, and not across a suspension point.
    static func around(_ centre: GeoPoint) throws -> LocalProjection {
        let frames = ThreadFrames.current
        if let hit = frames.projections[centre] { return hit }
        let made = try LocalProjection(centre: centre, context: frames.context)
        if frames.projections.count >= ThreadFrames.capacity { frames.projections.removeAll(keepingCapacity: true) }
        frames.projections[centre] = made
        return made
    }

    /// A frame for planar questions about a place (distance to a line, inside a polygon)
    /// rather than about directions from it: centred on the nearest point of a grid of
    /// `nearGridDegrees`, so that the many points of one area share a frame. The place is then
    /// at most about 8 km from the centre, where the projection's scale differs from true by
    /// under 3·10⁻⁷; a distance or a nearest point measured in it is off by well under a metre
    /// at 100 km, and callers measure the final distance on the ellipsoid.
    static func near(_ point: GeoPoint) throws -> LocalProjection {
        let step = nearGridDegrees
        return try around(GeoPoint(lat: (point.lat / step).rounded() * step, lon: (point.lon / step).rounded() * step))
    }

    static let nearGridDegrees = 0.1

    private init(centre: GeoPoint, context: OpaquePointer) throws {
        self.centre = centre
        // A pipeline written out, rather than proj_create_crs_to_crs: that one searches PROJ's
        // database for an operation on every call, which cost milliseconds per distance. Input
        // is longitude, latitude in degrees; output metres east and north of the centre.
        let pipeline = "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=aeqd +lat_0=\(centre.lat) +lon_0=\(centre.lon) +ellps=WGS84"
        guard let transformation = proj_create(context, pipeline) else {
            throw Failure(description: "PROJ could not create a projection around \(centre)")
        }
        self.transformation = transformation
    }

    deinit {
        proj_destroy(transformation)
    }

    func forward(_ point: GeoPoint) -> PlanarPoint {
        let result = proj_trans(transformation, PJ_FWD, proj_coord(point.lon, point.lat, 0, 0))
        return PlanarPoint(x: result.xy.x, y: result.xy.y)
    }

    func inverse(_ point: PlanarPoint) -> GeoPoint {
        let result = proj_trans(transformation, PJ_INV, proj_coord(point.x, point.y, 0, 0))
        return GeoPoint(lat: result.lp.phi, lon: result.lp.lam)
    }
}

/// One PROJ context per thread (a context is not to be shared between threads) and the
/// frames made with it lately; freed when the thread ends.
private final class ThreadFrames {
    /// Enough for the grid frames along a front a few hundred kilometres long (`near`) and
    /// the observers' frames of a busy hour (`around`); a PROJ frame holds tens of kilobytes.
    static let capacity = 384
    let context: OpaquePointer
    var projections: [GeoPoint: LocalProjection] = [:]

    private init?() {
        guard let context = proj_context_create() else { return nil }
        self.context = context
    }

    deinit {
        projections.removeAll()
        proj_context_destroy(context)
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in
            if let pointer { Unmanaged<ThreadFrames>.fromOpaque(pointer).release() }
        }
        return key
    }()

    static var current: ThreadFrames {
        if let pointer = pthread_getspecific(key) { return Unmanaged<ThreadFrames>.fromOpaque(pointer).takeUnretainedValue() }
        guard let frames = ThreadFrames() else { fatalError("PROJ could not create a context") }
        pthread_setspecific(key, Unmanaged.passRetained(frames).toOpaque())
        return frames
    }
}

/// Metres east (x) and north (y) in a `LocalProjection`.
struct PlanarPoint: Hashable {
    var x: Double
    var y: Double
}
