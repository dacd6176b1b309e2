import Foundation

/// CSV (RFC 4180) with a header row whose names are field paths of the intake format:
/// `location.lat`, `weapon.model`, `location.distance_km.min`. Empty cells are absent fields.
enum CSVTable {
    /// Columns whose cells are numbers, and those that are true/false; every other cell is text.
    static let numericFields: Set<String> = [
        "count", "observer.lat", "observer.lon", "observer.accuracy_m", "location.lat", "location.lon",
        "location.accuracy_m", "location.bearing_deg", "location.bearing_error_deg", "location.distance_km.min",
        "location.distance_km.max", "flight.from_bearing_deg", "flight.to_bearing_deg", "weapon.calibre_mm",
        "weapon.quantity", "casualties.killed", "casualties.injured", "grading.information_credibility",
    ]
    static let booleanFields: Set<String> = ["live_fire_training", "casualties.civilian"]

    static func rows(_ data: Data) throws(ValidationFailure) -> [ImportRow] {
        let records = parse(String(decoding: data, as: UTF8.self))
        guard let header = records.first?.fields.map({ $0.trimmingCharacters(in: .whitespaces) }), !header.isEmpty else {
            throw ValidationFailure([FieldError(path: "", reason: "the CSV file has no header row")])
        }
        return records.dropFirst().compactMap { record in
            guard record.fields.contains(where: { !$0.isEmpty }) else { return nil }
            let location = "row \(record.line)"
            guard record.fields.count == header.count else {
                return ImportRow(location: location, value: .failure(FieldError(path: "", reason: "has \(record.fields.count) cells; the header has \(header.count)")))
            }
            var object: [String: JSONValue] = [:]
            for (name, cell) in zip(header, record.fields) where !cell.isEmpty {
                let value: JSONValue
                if numericFields.contains(name) {
                    guard let number = Double(cell.trimmingCharacters(in: .whitespaces)) else {
                        return ImportRow(location: location, value: .failure(FieldError(path: name, reason: "'\(cell)' is not a number")))
                    }
                    value = .number(number)
                } else if booleanFields.contains(name) {
                    switch cell.lowercased() {
                    case "true", "yes", "1": value = .bool(true)
                    case "false", "no", "0": value = .bool(false)
                    default: return ImportRow(location: location, value: .failure(FieldError(path: name, reason: "'\(cell)' is not true or false")))
                    }
                } else {
                    value = .string(cell)
                }
                insert(value, at: name.split(separator: ".").map(String.init), into: &object)
            }
            return ImportRow(location: location, value: .success(.object(object)))
        }
    }

    private static func insert(_ value: JSONValue, at path: [String], into object: inout [String: JSONValue]) {
        guard let head = path.first else { return }
        if path.count == 1 {
            object[head] = value
            return
        }
        var child = object[head]?.objectValue ?? [:]
        insert(value, at: Array(path.dropFirst()), into: &child)
        object[head] = .object(child)
    }

    struct Record {
        var line: Int
        var fields: [String]
    }

    /// Splits text into records, honouring quoted cells with commas, quotes and line breaks.
    static func parse(_ text: String) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var iterator = Array(text.unicodeScalars).makeIterator()
        var pending: Unicode.Scalar? = nil
        func nextScalar() -> Unicode.Scalar? {
            if let scalar = pending { pending = nil; return scalar }
            return iterator.next()
        }
        while let scalar = nextScalar() {
            if inQuotes {
                if scalar == "\"" {
                    if let following = nextScalar() {
                        if following == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = following }
                    } else {
                        inQuotes = false
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"": inQuotes = true
            case ",":
                fields.append(field)
                field = ""
            case "\r": break
            case "\n":
                fields.append(field)
                records.append(Record(line: recordLine, fields: fields))
                fields = []
                field = ""
                line += 1
                recordLine = line
            default: field.unicodeScalars.append(scalar)
            }
        }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            records.append(Record(line: recordLine, fields: fields))
        }
        return records
    }
}
