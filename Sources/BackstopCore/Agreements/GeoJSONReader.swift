import BackstopGeo

/// Reads RFC 7946 geometries (positions are [longitude, latitude]) and checks them with GEOS.
enum GeoJSONReader {
    static func lineString(_ object: ObjectReader) -> [GeoPoint]? {
        guard expectType("LineString", object) else { return nil }
        guard let positions = object.array("coordinates", required: true) else { return nil }
        object.finish(explanations: ["bbox": "is not supported here"])
        let points = positions.compactMap { readPosition($1, path: $0, sink: object.sink) }
        guard points.count == positions.count else { return nil }
        if let problem = GeometryValidation.lineStringProblem(points) {
            object.sink.add(object.path.key("coordinates"), problem)
            return nil
        }
        return points
    }

    static func polygon(_ object: ObjectReader) -> [[GeoPoint]]? {
        guard expectType("Polygon", object) else { return nil }
        guard let rings = object.array("coordinates", required: true) else { return nil }
        object.finish(explanations: ["bbox": "is not supported here"])
        if rings.isEmpty {
            object.sink.add(object.path.key("coordinates"), "must contain at least an exterior ring")
            return nil
        }
        var result: [[GeoPoint]] = []
        for (ringPath, ringValue) in rings {
            guard let positions = ringValue.arrayValue else {
                object.sink.add(ringPath, "must be an array of positions, not \(ringValue.typeName)")
                return nil
            }
            let points = positions.enumerated().compactMap { readPosition($1, path: ringPath.index($0), sink: object.sink) }
            guard points.count == positions.count else { return nil }
            if points.count < 4 {
                object.sink.add(ringPath, "has \(points.count) positions; a closed ring needs at least 4")
                return nil
            }
            if points.first != points.last {
                object.sink.add(ringPath, "is not closed: its last position must repeat its first")
                return nil
            }
            result.append(points)
        }
        if let problem = GeometryValidation.polygonProblem(result) {
            object.sink.add(object.path.key("coordinates"), problem)
            return nil
        }
        return result
    }

    private static func expectType(_ expected: String, _ object: ObjectReader) -> Bool {
        guard let type = object.string("type", required: true) else { return false }
        guard type == expected else {
            object.sink.add(object.path.key("type"), "must be \(expected), not \(type)")
            return false
        }
        return true
    }

    private static func readPosition(_ value: JSONValue, path: FieldPath, sink: ErrorSink) -> GeoPoint? {
        guard let array = value.arrayValue, (2...3).contains(array.count),
              let lon = array[0].doubleValue, let lat = array[1].doubleValue
        else {
            sink.add(path, "must be a position [longitude, latitude]")
            return nil
        }
        guard (-180...180).contains(lon) else {
            sink.add(path.index(0), "longitude must be between -180 and 180 (got \(lon))")
            return nil
        }
        guard (-90...90).contains(lat) else {
            sink.add(path.index(1), "latitude must be between -90 and 90 (got \(lat))")
            return nil
        }
        return GeoPoint(lat: lat, lon: lon)
    }
}
