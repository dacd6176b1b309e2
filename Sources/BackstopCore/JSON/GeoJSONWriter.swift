/// RFC 7946 geometry as JSON values ([longitude, latitude], 7 decimals ≈ 1 cm).
public enum GeoJSONWriter {
    public static func rounded(_ degrees: Double) -> Double {
        (degrees * 1e7).rounded() / 1e7
    }

    public static func positions(_ points: [GeoPoint]) -> JSONValue {
        .array(points.map { .array([.number(rounded($0.lon)), .number(rounded($0.lat))]) })
    }

    public static func lineString(_ points: [GeoPoint]) -> JSONValue {
        .object(["type": .string("LineString"), "coordinates": positions(points)])
    }

    /// A Polygon for one polygon, a MultiPolygon for several.
    public static func polygons(_ polygons: [PolygonRings]) -> JSONValue {
        if polygons.count == 1 {
            return .object(["type": .string("Polygon"), "coordinates": .array(polygons[0].map(positions))])
        }
        return .object(["type": .string("MultiPolygon"), "coordinates": .array(polygons.map { .array($0.map(positions)) })])
    }

    /// `{"lat": …, "lon": …}` as the API writes points.
    public static func point(_ point: GeoPoint) -> JSONValue {
        .object(["lat": .number(rounded(point.lat)), "lon": .number(rounded(point.lon))])
    }
}
