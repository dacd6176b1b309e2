import BackstopGeo
import Foundation

extension RequestArea {
    enum CodingKeys: String, CodingKey {
        case type, lat, lon, radiusKm, coordinates
    }

    /// `{"type": "circle", "lat", "lon", "radius_km"}` or `{"type": "polygon", "coordinates":
    /// [[lon, lat], …]}` (one closed ring, GeoJSON order).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .circle(let lat, let lon, let radius):
            try container.encode("circle", forKey: .type)
            try container.encode(lat, forKey: .lat)
            try container.encode(lon, forKey: .lon)
            try container.encode(radius, forKey: .radiusKm)
        case .polygon(let ring):
            try container.encode("polygon", forKey: .type)
            try container.encode(ring.map { [$0.lon, $0.lat] }, forKey: .coordinates)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .type) {
        case "circle":
            self = .circle(lat: try container.decode(Double.self, forKey: .lat), lon: try container.decode(Double.self, forKey: .lon),
                           radiusKm: try container.decode(Double.self, forKey: .radiusKm))
        case "polygon":
            let pairs = try container.decode([[Double]].self, forKey: .coordinates)
            self = .polygon(pairs.compactMap { $0.count == 2 ? GeoPoint(lat: $0[1], lon: $0[0]) : nil })
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown area type \(other)")
        }
    }
}

/// The one JSON form escalation's records take, stored and served: snake_case keys, times as
/// RFC 3339 with milliseconds, sorted keys.
public enum EscalationJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an RFC 3339 time")
            }
            return date
        }
        return decoder
    }

    /// The JSON text, with UUIDs lowercase as everywhere in the API (Foundation writes them in
    /// capitals).
    public static func string(_ value: some Encodable) throws -> String {
        let text = String(decoding: try encoder().encode(value), as: UTF8.self)
        return lowercasingUUIDs(text)
    }

    public static func data(_ value: some Encodable) throws -> Data {
        Data(try string(value).utf8)
    }

    static func lowercasingUUIDs(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var rest = Substring(text)
        while let range = rest.range(of: uuidPattern, options: .regularExpression) {
            out += rest[..<range.lowerBound]
            out += rest[range].lowercased()
            rest = rest[range.upperBound...]
        }
        return out + rest
    }

    private static let uuidPattern = "\"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\""

    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try decoder().decode(type, from: Data(text.utf8))
    }
}
