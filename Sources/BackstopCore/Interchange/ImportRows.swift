import Foundation

/// One record read from an import file: where it came from, and its JSON or why it has none.
public struct ImportRow: Sendable {
    /// "line 12", "row 4", "feature 3": how a user finds the record in the file.
    public var location: String
    public var value: Result<JSONValue, FieldError>
}

public enum ImportFormat: String, CaseIterable, Sendable {
    case ndjson, csv, geojson

    /// Guesses the format from a file name.
    public init?(fileName: String) {
        switch URL(fileURLWithPath: fileName).pathExtension.lowercased() {
        case "ndjson", "jsonl": self = .ndjson
        case "csv": self = .csv
        case "geojson", "json": self = .geojson
        default: return nil
        }
    }
}

/// Turns NDJSON, CSV and GeoJSON files into observation JSON in the intake format, so every
/// format goes through the one validating parser. Records without an `id` get one derived
/// from their content.
public enum ImportRows {
    /// The reporter recorded for a file imported without a named reporter: "import:<file>".
    /// Such a label is a file, not a person, so fusion does not treat its records as one
    /// reporter's (whose two records would be two events).
    public static let reporterPrefix = "import:"

    public static func reporter(forFile name: String) -> String { reporterPrefix + name }

    public static func read(_ data: Data, format: ImportFormat) throws(ValidationFailure) -> [ImportRow] {
        let rows: [ImportRow] = switch format {
        case .ndjson: ndjson(data)
        case .csv: try CSVTable.rows(data)
        case .geojson: try geojson(data)
        }
        return rows.map { row in
            guard case .success(.object(var object)) = row.value, object["id"] == nil else { return row }
            object["id"] = .string(DerivedID.uuid(for: .object(object)).uuidString.lowercased())
            return ImportRow(location: row.location, value: .success(.object(object)))
        }
    }

    static func ndjson(_ data: Data) -> [ImportRow] {
        String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { index, line in
            let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { return nil }
            let location = "line \(index + 1)"
            do {
                return ImportRow(location: location, value: .success(try JSONValue.parse(text)))
            } catch {
                return ImportRow(location: location, value: .failure(FieldError(path: "", reason: "is not valid JSON: \(JSONErrorDescription.describe(error))")))
            }
        }
    }

    static func geojson(_ data: Data) throws(ValidationFailure) -> [ImportRow] {
        let root: JSONValue
        do { root = try JSONValue.parse(data) } catch {
            throw ValidationFailure([FieldError(path: "", reason: "is not valid JSON: \(JSONErrorDescription.describe(error))")])
        }
        guard root["type"]?.stringValue == "FeatureCollection", let features = root["features"]?.arrayValue else {
            throw ValidationFailure([FieldError(path: "type", reason: "a GeoJSON import must be a FeatureCollection with features")])
        }
        return features.enumerated().map { index, feature in
            let location = "feature \(index)"
            guard var properties = feature["properties"]?.objectValue else {
                return ImportRow(location: location, value: .failure(FieldError(path: "properties", reason: "must be an object")))
            }
            if properties["id"] == nil, let id = feature["id"], !id.isNull { properties["id"] = id }
            if let geometry = feature["geometry"], !geometry.isNull {
                guard geometry["type"]?.stringValue == "Point", let position = geometry["coordinates"]?.arrayValue,
                      position.count >= 2, let lon = position[0].doubleValue, let lat = position[1].doubleValue
                else {
                    return ImportRow(location: location, value: .failure(FieldError(path: "geometry", reason: "must be a Point [longitude, latitude] or null")))
                }
                if properties["location"] == nil {
                    var point: [String: JSONValue] = ["lat": .number(lat), "lon": .number(lon)]
                    point["accuracy_m"] = properties.removeValue(forKey: "accuracy_m")
                    properties["location"] = .object(point)
                }
            }
            return ImportRow(location: location, value: .success(.object(properties)))
        }
    }
}
