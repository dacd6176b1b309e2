import CPROJ

/// Geodesic problems on WGS 84, solved by PROJ's implementation of Karney's algorithms.
public struct Geodesic: Sendable {
    public struct Inverse: Sendable, Equatable {
        /// Distance along the geodesic, in metres.
        public var distanceMetres: Double
        /// Forward azimuth at the first point, degrees clockwise from north in (-180, 180].
        public var initialAzimuth: Double
        /// Forward azimuth at the second point.
        public var finalAzimuth: Double
    }

    public static let wgs84 = Geodesic(equatorialRadius: 6_378_137, flattening: 1 / 298.257223563)

    private let geod: geod_geodesic

    public init(equatorialRadius: Double, flattening: Double) {
        var geod = geod_geodesic()
        geod_init(&geod, equatorialRadius, flattening)
        self.geod = geod
    }

    public func inverse(from a: GeoPoint, to b: GeoPoint) -> Inverse {
        var distance = 0.0, azimuth1 = 0.0, azimuth2 = 0.0
        withUnsafePointer(to: geod) { g in
            geod_inverse(g, a.lat, a.lon, b.lat, b.lon, &distance, &azimuth1, &azimuth2)
        }
        return Inverse(distanceMetres: distance, initialAzimuth: azimuth1, finalAzimuth: azimuth2)
    }

    public func distance(from a: GeoPoint, to b: GeoPoint) -> Double {
        inverse(from: a, to: b).distanceMetres
    }

    /// The point reached by travelling `distanceMetres` from `start` along azimuth `azimuthDegrees`.
    public func destination(from start: GeoPoint, azimuthDegrees: Double, distanceMetres: Double) -> GeoPoint {
        var lat = 0.0, lon = 0.0, azimuth2 = 0.0
        withUnsafePointer(to: geod) { g in
            geod_direct(g, start.lat, start.lon, azimuthDegrees, distanceMetres, &lat, &lon, &azimuth2)
        }
        return GeoPoint(lat: lat, lon: lon)
    }

    /// Length of a polyline along geodesics, in metres.
    public func length(of line: [GeoPoint]) -> Double {
        zip(line, line.dropFirst()).reduce(0) { $0 + distance(from: $1.0, to: $1.1) }
    }

    /// Area enclosed by a ring, in square metres (always positive). The ring may be closed or open.
    public func area(ofRing ring: [GeoPoint]) -> Double {
        var points = ring
        if points.count > 1, points.first == points.last { points.removeLast() }
        guard points.count >= 3 else { return 0 }
        var lats = points.map(\.lat)
        var lons = points.map(\.lon)
        var area = 0.0, perimeter = 0.0
        withUnsafePointer(to: geod) { g in
            geod_polygonarea(g, &lats, &lons, Int32(points.count), &area, &perimeter)
        }
        return abs(area)
    }
}
