import BackstopCore
import BackstopStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /api/v1/incidents/export?format=geojson|acled|ndjson`: every incident the listing with
/// the same filters would show the caller (the same filters, the same release rules and
/// redaction, the same order), all of them, streamed in chunks as a file.
struct IncidentExportController: Sendable {
    let incidents: IncidentsController

    enum Format: String, CaseIterable {
        case geojson, acled, ndjson

        var contentType: String {
            switch self {
            case .geojson: "application/geo+json"
            case .acled: "text/csv; charset=utf-8"
            case .ndjson: "application/x-ndjson"
            }
        }

        var fileExtension: String {
            switch self {
            case .geojson: "geojson"
            case .acled: "csv"
            case .ndjson: "ndjson"
            }
        }
    }

    /// Incidents per chunk written.
    static let chunk = 500

    func register(with routes: RouteRegistrar) {
        routes.add(.exportIncidents) { request, _, identity in try await export(request, role: identity?.role ?? .public) }
    }

    func export(_ request: Request, role: Role) async throws -> Response {
        var parameters = QueryParameters(request, allowed: Endpoint.exportIncidents.queryParameters)
        let format = parameters.required("format", Format.self)
        try parameters.check()
        let filters = try await incidents.withSector(try incidents.filters(request, role: role, allowed: Endpoint.exportIncidents.queryParameters))
        let audience = ReleaseLevel.audience(of: role) ?? .public
        let found = try await incidents.matching(filters, audience: audience).incidents.map { ($0.incident, $0.facts) }
        let rows = IncidentExportRows(audience: audience, redaction: incidents.redaction, settlements: incidents.settlements)
        let stamp = String(Timestamp.format(incidents.now()).prefix(19)).replacingOccurrences(of: ":", with: "")
        let headers: HTTPFields = [
            .contentType: format!.contentType,
            .contentDisposition: "attachment; filename=\"backstop-incidents-\(stamp).\(format!.fileExtension)\"",
        ]
        let chosen = format!
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            if let opening = rows.opening(chosen) { try await writer.write(ByteBuffer(string: opening)) }
            var first = true
            let encoder = IncidentExportRows.encoder()
            for part in found.chunked(into: Self.chunk) {
                var text = ""
                for (incident, facts) in part {
                    text += try rows.row(chosen, incident, facts, first: first, encoder: encoder)
                    first = false
                }
                try await writer.write(ByteBuffer(string: text))
            }
            if let closing = rows.closing(chosen) { try await writer.write(ByteBuffer(string: closing)) }
            try await writer.finish(nil)
        })
    }
}

/// Each incident in each format, as the audience may see it.
struct IncidentExportRows: Sendable {
    let audience: ReleaseLevel
    let redaction: PublicRedaction
    let settlements: SettlementIndex?

    func opening(_ format: IncidentExportController.Format) -> String? {
        switch format {
        case .geojson: #"{"type":"FeatureCollection","features":["#
        case .acled: ACLEDExport.header
        case .ndjson: nil
        }
    }

    func closing(_ format: IncidentExportController.Format) -> String? {
        format == .geojson ? "]}\n" : nil
    }

    func row(_ format: IncidentExportController.Format, _ incident: StoredIncident, _ facts: IncidentsController.Facts, first: Bool,
             encoder: JSONEncoder) throws -> String {
        switch format {
        case .ndjson: return try view(incident, encoder: encoder) + "\n"
        case .geojson:
            let geometry = facts.point.map { #"{"type":"Point","coordinates":[\#(Self.number($0.lon)),\#(Self.number($0.lat))]}"# } ?? "null"
            return (first ? "" : ",") + #"{"type":"Feature","id":"\#(incident.id.uuidString.lowercased())","geometry":\#(geometry),"properties":\#(try view(incident, encoder: encoder))}"#
        case .acled: return ACLEDExport.line(ACLEDExport.fields(event(incident, facts)))
        }
    }

    /// The listing's view of the incident for this audience, as JSON text.
    func view(_ incident: StoredIncident, encoder: JSONEncoder) throws -> String {
        let data: Data = switch audience {
        case .internal: try encoder.encode(IncidentView(incident))
        case .partners, .parties: try encoder.encode(ReleasedIncidentView(incident, audience: audience))
        case .public: try encoder.encode(PublicIncidentView(incident, redaction: redaction, settlements: settlements))
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// What ACLED's columns are made of, as the audience may see it.
    func event(_ incident: StoredIncident, _ facts: IncidentsController.Facts) -> ACLEDExport.Event {
        let staff = audience == .internal
        let summary = staff ? incident.corrected : incident.released
        let publicView = audience == .public ? PublicIncidentView(incident, redaction: redaction, settlements: settlements) : nil
        let findings = staff ? summary.findings : incident.confirmedFindings
        var parties: [String] = []
        for party in findings.compactMap(\.party) where !parties.contains(party) { parties.append(party) }
        return ACLEDExport.Event(
            id: incident.id, kind: summary.kind, start: Timestamp.date(milliseconds: facts.startMilliseconds),
            end: Timestamp.date(milliseconds: facts.endMilliseconds), point: facts.point,
            radiusMetres: audience == .public ? nil : summary.location?.radiusM, place: publicView?.place?.near,
            parties: parties, sources: audience == .internal || audience == .partners ? summary.sources : [],
            estimatedEvents: summary.estimatedEvents, recordCount: audience == .public ? summary.estimatedEvents : summary.recordCount,
            findingTexts: staff ? findings.map(\.text) : [], killed: summary.casualties?.killed ?? 0,
            civilianCasualties: summary.casualties?.civilian == true,
            tags: staff ? ["state=\(incident.state.rawValue)", "release=\(incident.workflow.releaseLevel.rawValue)", "confidence=\(summary.confidence)"] : [],
            updatedAt: incident.updatedAt
        )
    }

    /// The listing's encoding (sorted keys, as every answer), made once per export.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func number(_ value: Double) -> String {
        String(format: "%.6f", value)
    }
}
