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
        let target = "+proj=aeqd +lat_0=\(centre.lat) +lon_0=\(centre.lon) +datum=WGS84 +units=m +type=crs"
        guard let raw = proj_create_crs_to_crs(context, "+proj=longlat +datum=WGS84 +type=crs", target, nil) else {
            proj_context_destroy(context)
            throw Failure(description: "PROJ could not create a projection around \(centre)")
        }
        // Longitude first, latitude second, whatever the CRS definitions say.
        let normalised = proj_normalize_for_visualization(context, raw)
        proj_destroy(raw)
        guard let normalised else {
            proj_context_destroy(context)
            throw Failure(description: "PROJ could not normalise the axis order")
        }
        self.context = context
        self.transformation = normalised
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
