import Foundation

/// What an analyst may correct in what fusion derived, as given in an assessment's
/// `corrections`: kind, count of events, location with radius, weapon class, direction of fire
/// and source grades. Applied only once the assessment is confirmed.
public enum Corrections {
    public static let fields = ["kind", "events", "location", "weapon_class", "direction", "grades"]

    /// The refusals, each naming its field (under `corrections.`); empty when acceptable.
    public static func problems(_ value: JSONValue) -> [FieldError] {
        guard case .object(let object) = value else { return [FieldError(path: "corrections", reason: "must be an object")] }
        var problems: [FieldError] = []
        func fail(_ field: String, _ reason: String) { problems.append(FieldError(path: "corrections.\(field)", reason: reason)) }
        for key in object.keys.sorted() where !fields.contains(key) {
            fail(key, "is not a field an assessment corrects; expected one of: \(fields.joined(separator: ", "))")
        }
        if let kind = object["kind"], ObservationKind(rawValue: kind.stringValue ?? "") == nil {
            fail("kind", "must be one of: \(ObservationKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let events = object["events"], !(1...100_000).contains(events.intValue ?? 0) {
            fail("events", "must be a whole number from 1 to 100000")
        }
        if let location = object["location"] {
            if let lat = location["lat"]?.doubleValue, let lon = location["lon"]?.doubleValue, let radius = location["radius_m"]?.doubleValue,
               location.objectValue?.count == 3 {
                if !GeoPoint(lat: lat, lon: lon).isInRange { fail("location", "lat must be within ±90 and lon within ±180") }
                if !(1...100_000).contains(radius) { fail("location.radius_m", "must be from 1 to 100000 metres") }
            } else {
                fail("location", "must be an object with exactly lat, lon and radius_m (numbers)")
            }
        }
        if let weapon = object["weapon_class"], WeaponClass(rawValue: weapon.stringValue ?? "") == nil {
            fail("weapon_class", "must be one of: \(WeaponClass.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let direction = object["direction"], FireDirection(rawValue: direction.stringValue ?? "") == nil {
            fail("direction", "must be one of: \(FireDirection.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let grades = object["grades"] {
            if let list = grades.arrayValue, list.count <= 100,
               list.allSatisfy({ grade in grade.stringValue.map(isGrade) ?? false }) {} else {
                fail("grades", "must be a list of up to 100 Admiralty grades such as \"B2\" (A–F, 1–6)")
            }
        }
        return problems
    }

    static func isGrade(_ text: String) -> Bool {
        text.count == 2 && SourceReliability(rawValue: String(text.prefix(1))) != nil && InformationCredibility(rawValue: String(text.suffix(1))) != nil
    }

    /// The summary as the corrections say it is.
    public static func apply(_ value: JSONValue, to summary: IncidentSummary) -> IncidentSummary {
        guard case .object(let object) = value else { return summary }
        var corrected = summary
        if let kind = object["kind"]?.stringValue { corrected.kind = kind }
        if let events = object["events"]?.intValue { corrected.estimatedEvents = events }
        if let location = object["location"], let lat = location["lat"]?.doubleValue, let lon = location["lon"]?.doubleValue {
            corrected.location = IncidentSummary.Location(lat: lat, lon: lon, radiusM: location["radius_m"]?.doubleValue)
            corrected.unlocatedReason = nil
        }
        if let weapon = object["weapon_class"]?.stringValue, !corrected.weapons.contains(where: { $0.class == weapon }) {
            corrected.weapons = [IncidentSummary.Weapon(class: weapon, quantity: corrected.weapons.map(\.quantity).max() ?? 1, models: [])]
        }
        if let direction = object["direction"]?.stringValue { corrected.direction = direction }
        if let grades = object["grades"]?.arrayValue { corrected.grades = grades.compactMap(\.stringValue) }
        return corrected
    }
}

extension StoredIncident {
    /// What the incident says: as derived, corrected by the assessment that holds.
    public var corrected: IncidentSummary {
        guard let corrections = workflow.holding?.corrections else { return summary }
        return Corrections.apply(corrections, to: summary)
    }
}
