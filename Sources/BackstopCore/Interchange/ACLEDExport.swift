import BackstopGeo
import Foundation

/// Incidents in ACLED's CSV layout (the 31 columns of ACLED's codebook, in order), so that
/// analysts load Backstop's events beside conflict data they already use.
///
/// The mapping, column by column:
/// - `event_id_cnty`: `BST-` + the incident's id (minted once, so stable across exports);
///   `event_date` (UTC), `year`;
/// - `time_precision`: 1 when the incident spans a day or less, 2 a week or less, else 3;
/// - `disorder_type`, `event_type`, `sub_event_type` from the kind (`eventType(of:)`: explosions
///   and projectiles are shelling, mines remote explosives, bursts, tracers and muzzle flashes
///   armed clashes; sightings, movements, flights, restrictions and interference are strategic
///   developments);
/// - `actor1`: the party a finding names (the side of the line the event is on), else empty;
///   `assoc_actor_1`, `inter1`, `actor2`, `assoc_actor_2`, `inter2`, `interaction`, `iso`,
///   `region`, `country`, `admin1`–`admin3` are left empty: Backstop does not code actors or
///   administrative units;
/// - `civilian_targeting`: "Civilian targeting" when a record reports civilian casualties;
/// - `location`: the place as the audience may see it ("near <settlement>" for the public when
///   so redacted), `latitude`, `longitude` to 5 decimals (the public's coarsened);
/// - `geo_precision`: 1 within 2 km, 2 within 25 km or a coarsened place, 3 beyond;
/// - `source`: the independent sources the audience may see, `source_scale` "Other";
/// - `notes`: events, records and sources, and (for the mission) each finding's text;
/// - `fatalities`: the killed the records report (the most any record gives);
/// - `tags`: state, release level and confidence (the mission's export only);
/// - `timestamp`: when the incident last changed, in Unix seconds.
public enum ACLEDExport {
    public static let columns = [
        "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type", "actor1", "assoc_actor_1",
        "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
        "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
    ]

    /// One incident as an audience may see it.
    public struct Event: Sendable {
        public var id: UUID
        public var kind: String
        public var start: Date
        public var end: Date
        public var point: GeoPoint?
        public var radiusMetres: Double?
        public var place: String?
        public var parties: [String]
        public var sources: [String]
        public var estimatedEvents: Int
        public var recordCount: Int
        public var findingTexts: [String]
        public var killed: Int
        public var civilianCasualties: Bool
        public var tags: [String]
        public var updatedAt: Date

        public init(id: UUID, kind: String, start: Date, end: Date, point: GeoPoint?, radiusMetres: Double?, place: String?, parties: [String],
                    sources: [String], estimatedEvents: Int, recordCount: Int, findingTexts: [String], killed: Int, civilianCasualties: Bool,
                    tags: [String], updatedAt: Date) {
            self.id = id
            self.kind = kind
            self.start = start
            self.end = end
            self.point = point
            self.radiusMetres = radiusMetres
            self.place = place
            self.parties = parties
            self.sources = sources
            self.estimatedEvents = estimatedEvents
            self.recordCount = recordCount
            self.findingTexts = findingTexts
            self.killed = killed
            self.civilianCasualties = civilianCasualties
            self.tags = tags
            self.updatedAt = updatedAt
        }
    }

    /// ACLED's disorder type, event type and sub-event type for an observation kind.
    public static func eventType(of kind: String) -> (disorder: String, event: String, subEvent: String) {
        switch ObservationKind(rawValue: kind) {
        case .explosion, .projectile: ("Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack")
        case .mine: ("Political violence", "Explosions/Remote violence", "Remote explosive/landmine/IED")
        case .burstsShots, .tracer, .muzzleFlash: ("Political violence", "Battles", "Armed clash")
        default: ("Strategic developments", "Strategic developments", "Other")
        }
    }

    public static func fields(_ event: Event) -> [String] {
        let type = eventType(of: event.kind)
        let span = event.end.timeIntervalSince(event.start)
        let timePrecision = span <= 86_400 ? 1 : (span <= 7 * 86_400 ? 2 : 3)
        let geoPrecision = event.place != nil ? 2 : event.radiusMetres.map { $0 <= 2_000 ? 1 : ($0 <= 25_000 ? 2 : 3) } ?? 2
        let day = String(Timestamp.format(event.start).prefix(10))
        var notes = "\(event.estimatedEvents) × \(event.kind.replacingOccurrences(of: "_", with: " ")) (\(event.recordCount) record\(event.recordCount == 1 ? "" : "s"), \(event.sources.count) independent source\(event.sources.count == 1 ? "" : "s"))"
        if !event.findingTexts.isEmpty { notes += "; " + event.findingTexts.joined(separator: "; ") }
        return [
            "BST-\(event.id.uuidString.lowercased())", day, String(day.prefix(4)), String(timePrecision), type.disorder, type.event, type.subEvent,
            event.parties.first ?? "", "", "", event.parties.dropFirst().first ?? "", "", "", "", event.civilianCasualties ? "Civilian targeting" : "",
            "", "", "", "", "", "", event.place ?? "",
            event.point.map { String(format: "%.5f", $0.lat) } ?? "", event.point.map { String(format: "%.5f", $0.lon) } ?? "", String(geoPrecision),
            event.sources.joined(separator: "; "), "Other", notes, String(event.killed), event.tags.joined(separator: "; "),
            String(Int64(event.updatedAt.timeIntervalSince1970)),
        ]
    }

    /// One CSV line (RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled).
    public static func line(_ fields: [String]) -> String {
        fields.map { field in
            field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }.joined(separator: ",") + "\r\n"
    }

    public static var header: String { line(columns) }

}
