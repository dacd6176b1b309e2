import Foundation

/// Where an observation is placed on the map, and how sure that is. Relative forms are
/// resolved on intake; what cannot be resolved carries the reason and no point.
public enum LocationResolution: Sendable, Hashable {
    case resolved(ResolvedLocation)
    case unresolved(reason: String)

    public var point: GeoPoint? {
        if case .resolved(let location) = self { return location.point }
        return nil
    }

    public var jsonValue: JSONValue {
        switch self {
        case .resolved(let location):
            var object: [String: JSONValue] = [
                "status": .string("resolved"), "lat": .number(location.point.lat), "lon": .number(location.point.lon),
                "radius_m": location.radiusMetres.map(JSONValue.number) ?? .null,
                "method": .string(location.method.rawValue),
            ]
            object["detail"] = location.detail.map(JSONValue.string)
            object["geonameid"] = location.geonameID.map { .integer(Int($0)) }
            return .object(object)
        case .unresolved(let reason):
            return .object(["status": .string("unresolved"), "reason": .string(reason)])
        }
    }

    /// `CanonicalJSON.bytes(jsonValue)`, written straight from the fields: every record of a
    /// batch stores its resolution so, and the tree's dictionary and sorted keys cost more than
    /// the writing. `LocationResolutionJSONTests` holds the two to the same bytes; a member added
    /// to `jsonValue` must be added here in its place in the order.
    public var canonicalJSON: [UInt8] {
        var object = OrderedObjectWriter()
        object.output.reserveCapacity(160)
        object.open()
        switch self {
        case .resolved(let location):
            // In order: detail, geonameid, lat, lon, method, radius_m, status.
            if let detail = location.detail { object.key("detail"); object.string(detail) }
            if let geonameID = location.geonameID { object.key("geonameid"); object.integer(geonameID) }
            object.key("lat"); object.canonicalNumber(location.point.lat)
            object.key("lon"); object.canonicalNumber(location.point.lon)
            object.key("method"); object.string(location.method.rawValue)
            object.key("radius_m")
            if let radius = location.radiusMetres { object.canonicalNumber(radius) } else { object.null() }
            object.key("status"); object.string("resolved")
        case .unresolved(let reason):
            object.key("reason"); object.string(reason)
            object.key("status"); object.string("unresolved")
        }
        object.close()
        return object.output
    }

    public init(json: JSONValue) throws(ValidationFailure) {
        guard let status = json["status"]?.stringValue else {
            throw ValidationFailure([FieldError(path: "resolved_location.status", reason: "is missing")])
        }
        if status == "resolved", let lat = json["lat"]?.doubleValue, let lon = json["lon"]?.doubleValue,
           let method = json["method"]?.stringValue.flatMap(ResolutionMethod.init(rawValue:)) {
            self = .resolved(ResolvedLocation(point: GeoPoint(lat: lat, lon: lon), radiusMetres: json["radius_m"]?.doubleValue,
                                              method: method, detail: json["detail"]?.stringValue, geonameID: json["geonameid"]?.intValue))
        } else {
            self = .unresolved(reason: json["reason"]?.stringValue ?? "unknown")
        }
    }
}

public enum ResolutionMethod: String, Sendable, CaseIterable {
    /// The reporter gave coordinates.
    case asReported = "as_reported"
    /// Observer position, bearing and distance band.
    case bearingAndDistance = "bearing_and_distance"
    /// A gazetteer place, possibly with a bearing and distance from it.
    case gazetteer
}

public struct ResolvedLocation: Sendable, Hashable {
    public var point: GeoPoint
    /// Radius of a circle around the point that holds the whole uncertainty region.
    public var radiusMetres: Double?
    public var method: ResolutionMethod
    /// Assumptions and choices made, in words.
    public var detail: String?
    public var geonameID: Int?

    public init(point: GeoPoint, radiusMetres: Double?, method: ResolutionMethod, detail: String? = nil, geonameID: Int? = nil) {
        self.point = point
        // Decimetres: what is stored, so a record reads back equal to what was resolved.
        self.radiusMetres = radiusMetres.map { ($0 * 10).rounded() / 10 }
        self.method = method
        self.detail = detail
        self.geonameID = geonameID
    }
}
