import BackstopCore
import BackstopStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /api/v1/observations/export?format=geojson|ndjson`: every observation the listing with
/// the same filters shows the caller, read from the store a page at a time and written as it
/// is read, so memory stays flat however many rows the file holds.
struct ObservationExportController: Sendable {
    let observations: ObservationsController

    enum Format: String, CaseIterable {
        case geojson, ndjson
    }

    func register(with routes: RouteRegistrar) {
        routes.add(.exportObservations) { request, _, identity in try await export(request, identity: identity!) }
    }

    func export(_ request: Request, identity: Identity) async throws -> Response {
        var parameters = QueryParameters(request, allowed: Endpoint.exportObservations.queryParameters)
        let format = parameters.required("format", Format.self)
        try parameters.check()
        var filters = try observations.query(request, identity: identity, allowed: Endpoint.exportObservations.queryParameters)
        filters.limit = observations.configuration.exportPageSize
        let query = filters
        let chosen = format!
        let store = observations.store
        let stamp = String(Timestamp.format(observations.configuration.now()).prefix(19)).replacingOccurrences(of: ":", with: "")
        let headers: HTTPFields = [
            .contentType: chosen == .geojson ? "application/geo+json" : "application/x-ndjson",
            .contentDisposition: "attachment; filename=\"backstop-observations-\(stamp).\(chosen.rawValue)\"",
        ]
        // The first page is read before answering, so a store that cannot be read is a 503, not a cut file.
        let first = try await store.observations(matching: query)
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            if chosen == .geojson { try await writer.write(ByteBuffer(string: #"{"type":"FeatureCollection","features":["#)) }
            var page = first
            var written = 0
            while true {
                var text = ""
                for stored in page.items {
                    text += Self.row(chosen, stored, first: written == 0)
                    written += 1
                }
                try await writer.write(ByteBuffer(string: text))
                guard let next = page.next else { break }
                var following = query
                following.after = next
                page = try await store.observations(matching: following)
            }
            if chosen == .geojson { try await writer.write(ByteBuffer(string: "]}\n")) }
            try await writer.finish(nil)
        })
    }

    static func row(_ format: Format, _ stored: StoredObservation, first: Bool) -> String {
        let properties = String(decoding: stored.jsonValue.canonicalData(), as: UTF8.self)
        switch format {
        case .ndjson: return properties + "\n"
        case .geojson:
            let geometry = stored.resolution.point.map { #"{"type":"Point","coordinates":[\#(IncidentExportRows.number($0.lon)),\#(IncidentExportRows.number($0.lat))]}"# } ?? "null"
            return (first ? "" : ",") + #"{"type":"Feature","id":"\#(stored.observation.id.uuidString.lowercased())","geometry":\#(geometry),"properties":\#(properties)}"#
        }
    }
}
