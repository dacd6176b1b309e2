import Foundation

/// The stored form of an incident (the document every store keeps in one column), written and
/// read field by field instead of through `Codable`.
///
/// The deriving node writes a document for every incident a record changes, with the writers
/// waiting, and a node starting reads every stored incident back: Foundation's `JSONEncoder`
/// and `JSONDecoder` were a tenth of taking in records and two thirds of a start. The form is
/// the one `Codable` gives (the same keys, times as seconds since 2001, absent values left out
/// where `Codable` leaves them out and null where the types write null), so documents written
/// either way read back either way; `IncidentDocumentTests` holds the three to the same
/// incidents.
public enum IncidentDocument {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The document's text; nil when a value cannot be written (a key outside ASCII in an
    /// assessment's corrections, or a number that is not finite), left to `JSONEncoder`.
    public static func text(_ incident: StoredIncident) -> String? {
        SortedKeysJSONWriter.write(value(incident)).map { String(decoding: $0, as: UTF8.self) }
    }

    public static func incident(from text: String) throws -> StoredIncident {
        let document: JSONValue
        do { document = try JSONValue.parse(text) } catch { throw Failure(description: "not JSON: \(error)") }
        return try incident(Fields(document, path: ""))
    }

    // MARK: Writing

    static func value(_ incident: StoredIncident) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(incident.id.uuidString),
            "revision": .integer(Int(incident.revision)),
            "summary": value(incident.summary),
            "workflow": value(incident.workflow),
            "firstSequence": .integer(Int(incident.firstSequence)),
            "confirmedFindings": .array(incident.confirmedFindings.map(value)),
            "confirmedRound": .integer(incident.confirmedRound),
            "updatedAt": date(incident.updatedAt),
        ]
        if let merged = incident.mergedInto { object["mergedInto"] = .string(merged.uuidString) }
        if let confirmed = incident.confirmedSummary { object["confirmedSummary"] = value(confirmed) }
        return .object(object)
    }

    static func value(_ summary: IncidentSummary) -> JSONValue {
        .object([
            "id": .string(summary.id.uuidString.lowercased()),
            "kind": .string(summary.kind),
            "start": .string(summary.start),
            "end": .string(summary.end),
            "location": summary.location.map(value) ?? .null,
            "record_count": .integer(summary.recordCount),
            "estimated_events": .integer(summary.estimatedEvents),
            "modalities": .array(summary.modalities.map(JSONValue.string)),
            "sources": .array(summary.sources.map(JSONValue.string)),
            "independent_sources": .integer(summary.independentSources),
            "grades": .array(summary.grades.map(JSONValue.string)),
            "confidence": .number(summary.confidence),
            "reportable": .bool(summary.reportable),
            "direction": summary.direction.map(JSONValue.string) ?? .null,
            "live_fire_training": .bool(summary.liveFireTraining),
            "analyst_edited": .bool(summary.analystEdited),
            "weapons": .array(summary.weapons.map { .object(["class": .string($0.class), "quantity": .integer($0.quantity), "models": .array($0.models.map(JSONValue.string))]) }),
            "findings": .array(summary.findings.map(value)),
            "observation_ids": .array(summary.observationIDs.map { .string($0.uuidString.lowercased()) }),
            "casualties": summary.casualties.map { .object(["killed": .integer($0.killed), "injured": .integer($0.injured), "civilian": $0.civilian.map(JSONValue.bool) ?? .null]) } ?? .null,
            "unlocated_reason": summary.unlocatedReason.map(JSONValue.string) ?? .null,
        ])
    }

    static func value(_ location: IncidentSummary.Location) -> JSONValue {
        .object([
            "lat": .number(location.lat),
            "lon": .number(location.lon),
            "radius_m": location.radiusM.map(JSONValue.number) ?? .null,
            "triangulation": location.triangulation.map { fix in
                .object(["lat": .number(fix.lat), "lon": .number(fix.lon), "bearings": .integer(fix.bearings), "semi_major_m": .number(fix.semiMajorM),
                         "semi_minor_m": .number(fix.semiMinorM), "major_axis_azimuth_deg": .number(fix.majorAxisAzimuthDeg)])
            } ?? .null,
        ])
    }

    static func value(_ finding: IncidentSummary.FindingSummary) -> JSONValue {
        .object([
            "kind": .string(finding.kind), "agreement": .string(finding.agreement), "rule": .string(finding.rule),
            "party": finding.party.map(JSONValue.string) ?? .null, "measured": finding.measured.map(JSONValue.number) ?? .null,
            "limit": finding.limit.map(JSONValue.number) ?? .null, "text": .string(finding.text),
        ])
    }

    static func value(_ workflow: IncidentWorkflow) -> JSONValue {
        .object([
            "version": .integer(workflow.version),
            "assessments": .array(workflow.assessments.map(value)),
            "releaseLevel": .string(workflow.releaseLevel.rawValue),
            "unassessedRecords": .array(workflow.unassessedRecords.map { .string($0.uuidString) }),
        ])
    }

    static func value(_ assessment: Assessment) -> JSONValue {
        var object: [String: JSONValue] = [
            "number": .integer(assessment.number), "verdict": .string(assessment.verdict.rawValue), "note": .string(assessment.note),
            "corrections": assessment.corrections, "proposedBy": .string(assessment.proposedBy), "proposedAt": date(assessment.proposedAt),
            "status": .string(assessment.status.rawValue),
        ]
        if let decidedBy = assessment.decidedBy { object["decidedBy"] = .string(decidedBy) }
        if let decidedAt = assessment.decidedAt { object["decidedAt"] = date(decidedAt) }
        if let reason = assessment.returnReason { object["returnReason"] = .string(reason) }
        return .object(object)
    }

    /// As `Date` encodes itself: seconds since 2001-01-01, which a `Double` gives back exactly.
    static func date(_ date: Date) -> JSONValue { .number(date.timeIntervalSinceReferenceDate) }

    // MARK: Reading

    /// An object's members, read with the path of the field that is wrong.
    struct Fields {
        let members: [String: JSONValue]
        let path: String

        init(_ value: JSONValue, path: String) throws {
            guard let members = value.objectValue else { throw Failure(description: "\(path.isEmpty ? "the document" : path) is not an object") }
            self.members = members
            self.path = path
        }

        func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

        func value(_ key: String) throws -> JSONValue {
            guard let value = members[key], value != .null else { throw Failure(description: "\(name(key)) is missing") }
            return value
        }

        /// The value, null included (a `JSONValue` field reads null as itself).
        func present(_ key: String) throws -> JSONValue {
            guard let value = members[key] else { throw Failure(description: "\(name(key)) is missing") }
            return value
        }

        /// Nil when absent or null, as `decodeIfPresent` reads it.
        func optional(_ key: String) -> JSONValue? {
            guard let value = members[key], value != .null else { return nil }
            return value
        }

        /// A present value of one kind (`convert` answers nil for any other).
        func typed<T>(_ key: String, _ kind: String, _ convert: (JSONValue) -> T?) throws -> T {
            guard let typed = convert(try value(key)) else { throw Failure(description: "\(name(key)) is not \(kind)") }
            return typed
        }

        /// Nil when absent or null; otherwise a value of one kind.
        func optionalTyped<T>(_ key: String, _ kind: String, _ convert: (JSONValue) -> T?) throws -> T? {
            guard optional(key) != nil else { return nil }
            return try typed(key, kind, convert)
        }

        func string(_ key: String) throws -> String { try typed(key, "a string", \.stringValue) }
        func optionalString(_ key: String) throws -> String? { try optionalTyped(key, "a string", \.stringValue) }
        func int(_ key: String) throws -> Int { try typed(key, "an integer", \.intValue) }
        func double(_ key: String) throws -> Double { try typed(key, "a number", \.doubleValue) }
        func optionalDouble(_ key: String) throws -> Double? { try optionalTyped(key, "a number", \.doubleValue) }
        func bool(_ key: String) throws -> Bool { try typed(key, "a boolean", \.boolValue) }

        func uuid(_ key: String) throws -> UUID { try typed(key, "a UUID") { $0.stringValue.flatMap(UUID.parse) } }

        func date(_ key: String) throws -> Date { Date(timeIntervalSinceReferenceDate: try double(key)) }

        func choice<T: RawRepresentable>(_ key: String, _ type: T.Type) throws -> T where T.RawValue == String {
            let raw = try string(key)
            guard let value = T(rawValue: raw) else { throw Failure(description: "\(name(key)) '\(raw)' is not a \(T.self)") }
            return value
        }

        func array<T>(_ key: String, _ element: (JSONValue, String) throws -> T) throws -> [T] {
            guard let items = try value(key).arrayValue else { throw Failure(description: "\(name(key)) is not an array") }
            return try items.enumerated().map { try element($1, "\(name(key))[\($0)]") }
        }

        func strings(_ key: String) throws -> [String] {
            try array(key) { item, path in
                guard let text = item.stringValue else { throw Failure(description: "\(path) is not a string") }
                return text
            }
        }

        func uuids(_ key: String) throws -> [UUID] {
            try array(key) { item, path in
                guard let id = item.stringValue.flatMap(UUID.parse) else { throw Failure(description: "\(path) is not a UUID") }
                return id
            }
        }

        func object(_ key: String) throws -> Fields { try Fields(try value(key), path: name(key)) }

        func optionalObject(_ key: String) throws -> Fields? { try optional(key).map { try Fields($0, path: name(key)) } }
    }

    static func incident(_ fields: Fields) throws -> StoredIncident {
        var incident = StoredIncident(id: try fields.uuid("id"), summary: try summary(try fields.object("summary")),
                                      firstSequence: Int64(try fields.int("firstSequence")), at: try fields.date("updatedAt"))
        incident.revision = Int64(try fields.int("revision"))
        incident.mergedInto = try fields.optionalTyped("mergedInto", "a UUID") { $0.stringValue.flatMap(UUID.parse) }
        incident.workflow = try workflow(try fields.object("workflow"))
        incident.confirmedFindings = try fields.array("confirmedFindings") { try finding(try Fields($0, path: $1)) }
        incident.confirmedRound = try fields.int("confirmedRound")
        incident.confirmedSummary = try fields.optionalObject("confirmedSummary").map(summary)
        return incident
    }

    static func summary(_ fields: Fields) throws -> IncidentSummary {
        IncidentSummary(
            id: try fields.uuid("id"), kind: try fields.string("kind"), start: try fields.string("start"), end: try fields.string("end"),
            location: try fields.optionalObject("location").map(location),
            recordCount: try fields.int("record_count"), estimatedEvents: try fields.int("estimated_events"),
            modalities: try fields.strings("modalities"), sources: try fields.strings("sources"),
            independentSources: try fields.int("independent_sources"), grades: try fields.strings("grades"),
            confidence: try fields.double("confidence"), reportable: try fields.bool("reportable"),
            direction: try fields.optionalString("direction"), liveFireTraining: try fields.bool("live_fire_training"),
            analystEdited: try fields.bool("analyst_edited"),
            weapons: try fields.array("weapons") { item, path in
                let weapon = try Fields(item, path: path)
                return IncidentSummary.Weapon(class: try weapon.string("class"), quantity: try weapon.int("quantity"), models: try weapon.strings("models"))
            },
            findings: try fields.array("findings") { try finding(try Fields($0, path: $1)) },
            observationIDs: try fields.uuids("observation_ids"),
            casualties: try fields.optionalObject("casualties").map { count in
                IncidentSummary.CasualtyCount(killed: try count.int("killed"), injured: try count.int("injured"),
                                              civilian: try count.optionalTyped("civilian", "a boolean", \.boolValue))
            },
            unlocatedReason: try fields.optionalString("unlocated_reason")
        )
    }

    static func location(_ fields: Fields) throws -> IncidentSummary.Location {
        IncidentSummary.Location(
            lat: try fields.double("lat"), lon: try fields.double("lon"), radiusM: try fields.optionalDouble("radius_m"),
            triangulation: try fields.optionalObject("triangulation").map { fix in
                IncidentSummary.Location.Triangulation(
                    lat: try fix.double("lat"), lon: try fix.double("lon"), bearings: try fix.int("bearings"), semiMajorM: try fix.double("semi_major_m"),
                    semiMinorM: try fix.double("semi_minor_m"), majorAxisAzimuthDeg: try fix.double("major_axis_azimuth_deg"))
            })
    }

    static func finding(_ fields: Fields) throws -> IncidentSummary.FindingSummary {
        IncidentSummary.FindingSummary(kind: try fields.string("kind"), agreement: try fields.string("agreement"), rule: try fields.string("rule"),
                                       party: try fields.optionalString("party"), measured: try fields.optionalDouble("measured"),
                                       limit: try fields.optionalDouble("limit"), text: try fields.string("text"))
    }

    static func workflow(_ fields: Fields) throws -> IncidentWorkflow {
        IncidentWorkflow(stored: try fields.int("version"),
                         assessments: try fields.array("assessments") { try assessment(try Fields($0, path: $1)) },
                         releaseLevel: try fields.choice("releaseLevel", ReleaseLevel.self),
                         unassessedRecords: try fields.uuids("unassessedRecords"))
    }

    static func assessment(_ fields: Fields) throws -> Assessment {
        Assessment(number: try fields.int("number"), verdict: try fields.choice("verdict", Verdict.self), note: try fields.string("note"),
                   corrections: try fields.present("corrections"),
                   proposedBy: try fields.string("proposedBy"), proposedAt: try fields.date("proposedAt"),
                   status: try fields.choice("status", Assessment.Status.self), decidedBy: try fields.optionalString("decidedBy"),
                   decidedAt: try fields.optionalTyped("decidedAt", "a number") { $0.doubleValue.map(Date.init(timeIntervalSinceReferenceDate:)) },
                   returnReason: try fields.optionalString("returnReason"))
    }
}

extension IncidentSummary {
    /// Every field as stored (the document's reader).
    init(id: UUID, kind: String, start: String, end: String, location: Location?, recordCount: Int, estimatedEvents: Int, modalities: [String],
         sources: [String], independentSources: Int, grades: [String], confidence: Double, reportable: Bool, direction: String?,
         liveFireTraining: Bool, analystEdited: Bool, weapons: [Weapon], findings: [FindingSummary], observationIDs: [UUID],
         casualties: CasualtyCount?, unlocatedReason: String?) {
        self.id = id
        self.kind = kind
        self.start = start
        self.end = end
        self.location = location
        self.recordCount = recordCount
        self.estimatedEvents = estimatedEvents
        self.modalities = modalities
        self.sources = sources
        self.independentSources = independentSources
        self.grades = grades
        self.confidence = confidence
        self.reportable = reportable
        self.direction = direction
        self.liveFireTraining = liveFireTraining
        self.analystEdited = analystEdited
        self.weapons = weapons
        self.findings = findings
        self.observationIDs = observationIDs
        self.casualties = casualties
        self.unlocatedReason = unlocatedReason
    }
}

extension IncidentSummary.Location.Triangulation {
    init(lat: Double, lon: Double, bearings: Int, semiMajorM: Double, semiMinorM: Double, majorAxisAzimuthDeg: Double) {
        self.lat = lat
        self.lon = lon
        self.bearings = bearings
        self.semiMajorM = semiMajorM
        self.semiMinorM = semiMinorM
        self.majorAxisAzimuthDeg = majorAxisAzimuthDeg
    }
}
