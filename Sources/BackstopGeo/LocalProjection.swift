import CPROJ

/// A planar frame in metres around one point: PROJ's azimuthal equidistant projection on
/// WGS 84. Distances and azimuths from the centre are exact; planar work (GEOS) on a region
/// of a few hundred kilometres around it is accurate to a few metres per hundred kilometres.
final class LocalProjection {
    let centre: GeoPoint
    private let context: OpaquePointer
    private let transformation: OpaquePointer

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(centre: GeoPoint) throws {
        self.centre = centre
        guard let context = proj_context_create() else { throw Failure(description: "PROJ could not create a context") }
        // A pipeline written out, rather than proj_create_crs_to_crs: that one searches PROJ's
        // database for an operation on every call, which cost milliseconds per distance. Input
        // is longitude, latitude in degrees; output metres east and north of the centre.
        let pipeline = "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=aeqd +lat_0=\(centre.lat) +lon_0=\(centre.lon) +ellps=WGS84"
        guard let transformation = proj_create(context, pipeline) else {
            proj_context_destroy(context)
            throw Failure(description: "PROJ could not create a projection around \(centre)")
        }
        self.context = context
        self.transformation = transformation
    }

    deinit {
        proj_destroy(transformation)
        proj_context_destroy(context)
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

/// Metres east (x) and north (y) in a `LocalProjection`.
struct PlanarPoint: Hashable {
    var x: Double
    var y: Double
}
