import BackstopCore
import BackstopStore
import Foundation

/// One feature as a caller may see it: its id, its point (nil when it has no location) and its
/// properties as a JSON object's text, the same view the API's listings give that caller.
struct ServedFeature: Sendable {
    var id: String
    var point: GeoPoint?
    var properties: String
    var title: String
}

/// A page of features, how many the query selects on all pages (when it is known), and the
/// query parameter that asks for the next page.
struct FeaturePage: Sendable {
    var features: [ServedFeature]
    var matched: Int?
    var next: (name: String, value: String)?
}

/// The collections OGC API – Features serves, each from the layer the API reads: incidents and
/// findings from the incident board with the listings' release rules and redaction
/// (`IncidentsController`), observations from the store as the observation listing reads them.
enum FeatureCollectionID: String, CaseIterable, Sendable {
    case incidents, findings, observations

    var title: String {
        switch self {
        case .incidents: "Incidents"
        case .findings: "Compliance findings"
        case .observations: "Observations"
        }
    }

    var description: String {
        switch self {
        case .incidents: "Events derived from the monitors' and sensors' records, as released to the caller (the public sees verified incidents released to it, on a coarse grid or near a settlement, to the hour, after the embargo)."
        case .findings: "Each breach of the agreement found for an incident the caller may see, at the incident's location (outside the mission: confirmed findings only)."
        case .observations: "The records as monitors and sensors filed them, at their resolved locations. For the mission's staff only."
        }
    }

    /// Who may read the collection: observations are the mission's own.
    func readable(by audience: ReleaseLevel) -> Bool {
        self != .observations || audience == .internal
    }
}

struct FeatureSources: Sendable {
    let incidents: IncidentsController
    let observations: ObservationsController

    // MARK: Incidents

    func incidentFilters(_ query: FeaturesQuery, cursor: IncidentCursor? = nil) -> IncidentsController.Filters {
        var filters = IncidentsController.Filters()
        filters.bbox = query.bbox
        filters.from = query.from
        filters.to = query.to
        filters.kinds = query.kinds
        filters.limit = query.limit
        filters.cursor = cursor
        return filters
    }

    func incidentPage(_ query: FeaturesQuery, audience: ReleaseLevel) async throws -> FeaturePage {
        var cursor: IncidentCursor?
        if let raw = query.cursor {
            guard let parsed = IncidentCursor(token: raw), !parsed.queue else {
                throw APIError.validation(path: "cursor", "is not a cursor this server issued for this collection")
            }
            cursor = parsed
        }
        guard query.offset == 0 else { throw APIError.validation(path: "offset", "incidents are paged with the next link's cursor") }
        let found = try await incidents.matching(incidentFilters(query, cursor: cursor), audience: audience, limit: query.limit)
        let rows = exportRows(audience)
        let encoder = IncidentExportRows.encoder()
        let features = try found.incidents.map { try incidentFeature($0.incident, $0.facts, rows: rows, encoder: encoder) }
        return FeaturePage(features: features, matched: found.matched,
                           next: found.more ? found.incidents.last.map { ("cursor", $0.key.token) } : nil)
    }

    func incidentFeature(id raw: String, audience: ReleaseLevel) async throws -> ServedFeature? {
        guard let id = UUID(uuidString: raw), let (incident, facts) = try await visibleIncident(id, audience: audience) else { return nil }
        return try incidentFeature(incident, facts, rows: exportRows(audience), encoder: IncidentExportRows.encoder())
    }

    private func incidentFeature(_ incident: StoredIncident, _ facts: IncidentsController.Facts, rows: IncidentExportRows,
                                 encoder: JSONEncoder) throws -> ServedFeature {
        ServedFeature(id: incident.id.uuidString.lowercased(), point: facts.point, properties: try rows.view(incident, encoder: encoder),
                      title: "\(ReportText.kind(facts.kind).0), \(Timestamp.format(Timestamp.date(milliseconds: facts.startMilliseconds)))")
    }

    /// An incident by its id, when the audience may see it (a merged-away id is not a feature).
    private func visibleIncident(_ id: UUID, audience: ReleaseLevel) async throws -> (StoredIncident, IncidentsController.Facts)? {
        guard let (incident, mergedFrom) = await incidents.board.resolve(id), mergedFrom == nil,
              IncidentsController.visible(incident, to: audience, now: incidents.now(), redaction: incidents.redaction) else { return nil }
        return (incident, facts(incident, audience: audience))
    }

    private func facts(_ incident: StoredIncident, audience: ReleaseLevel) -> IncidentsController.Facts {
        switch audience {
        case .public: IncidentsController.publicFacts(incident, redaction: incidents.redaction, settlements: incidents.settlements)
        case .internal: IncidentsController.facts(IncidentBoard.Entry(incident), summary: incident.corrected, timesAsStored: true)
        case .partners, .parties: IncidentsController.facts(IncidentBoard.Entry(incident), summary: incident.released, timesAsStored: false)
        }
    }

    private func exportRows(_ audience: ReleaseLevel) -> IncidentExportRows {
        IncidentExportRows(audience: audience, redaction: incidents.redaction, settlements: incidents.settlements)
    }

    // MARK: Findings

    /// One feature per finding of each incident the audience may see (outside the mission, the
    /// confirmed ones), at the incident's location as that audience sees it. Its id is the
    /// incident's and the finding's place in the incident's list: `<incident>-<n>`.
    func findingPage(_ query: FeaturesQuery, audience: ReleaseLevel) async throws -> FeaturePage {
        guard query.cursor == nil else { throw APIError.validation(path: "cursor", "findings are paged with the next link's offset") }
        let found = try await incidents.matching(incidentFilters(query), audience: audience)
        // Every finding is counted; only the page's are made into features.
        var page: [ServedFeature] = []
        var matched = 0
        for (incident, facts, _) in found.incidents {
            let count = (audience == .internal ? incident.corrected.findings : incident.confirmedFindings).count
            if matched + count > query.offset, page.count < query.limit {
                let features = findingFeatures(incident, facts, audience: audience)
                page += features.dropFirst(max(0, query.offset - matched)).prefix(query.limit - page.count)
            }
            matched += count
        }
        let end = query.offset + page.count
        return FeaturePage(features: page, matched: matched, next: end < matched ? ("offset", String(end)) : nil)
    }

    func findingFeature(id raw: String, audience: ReleaseLevel) async throws -> ServedFeature? {
        guard raw.count > 37, let id = UUID(uuidString: String(raw.prefix(36))), raw.dropFirst(36).first == "-",
              let index = Int(raw.dropFirst(37)), index >= 0,
              let (incident, facts) = try await visibleIncident(id, audience: audience) else { return nil }
        let features = findingFeatures(incident, facts, audience: audience)
        return index < features.count ? features[index] : nil
    }

    private func findingFeatures(_ incident: StoredIncident, _ facts: IncidentsController.Facts, audience: ReleaseLevel) -> [ServedFeature] {
        let staff = audience == .internal
        let findings = staff ? incident.corrected.findings : incident.confirmedFindings
        let summary = staff ? incident.corrected : incident.released
        let incidentID = incident.id.uuidString.lowercased()
        return findings.enumerated().map { index, finding in
            var properties: [String: JSONValue] = [
                "incident": .string(incidentID), "kind": .string(finding.kind), "agreement": .string(finding.agreement),
                "rule": .string(finding.rule), "party": finding.party.map(JSONValue.string) ?? .null,
                "incident_kind": .string(facts.kind),
                "start": .string(Timestamp.format(Timestamp.date(milliseconds: facts.startMilliseconds))),
                "end": .string(Timestamp.format(Timestamp.date(milliseconds: facts.endMilliseconds))),
            ]
            if audience != .public {
                properties["text"] = .string(finding.text)
                properties["measured"] = finding.measured.map(JSONValue.number) ?? .null
                properties["limit"] = finding.limit.map(JSONValue.number) ?? .null
                properties["radius_m"] = summary.location?.radiusM.map(JSONValue.number) ?? .null
            }
            if staff { properties["state"] = .string(incident.state.rawValue) }
            return ServedFeature(id: "\(incidentID)-\(index)", point: facts.point,
                                 properties: String(decoding: JSONValue.object(properties).canonicalData(), as: UTF8.self),
                                 title: "\(finding.kind.replacingOccurrences(of: "_", with: " ")) (\(finding.rule))")
        }
    }

    // MARK: Observations

    /// The staff's observation listing, read from the store a page at a time up to the limit.
    func observationPage(_ query: FeaturesQuery) async throws -> FeaturePage {
        guard query.offset == 0 else { throw APIError.validation(path: "offset", "observations are paged with the next link's cursor") }
        var filters = ObservationQuery()
        filters.bbox = query.bbox
        filters.from = query.from
        filters.to = query.to
        filters.kinds = Set(query.kinds.compactMap(ObservationKind.init(rawValue:)))
        if let raw = query.cursor {
            guard let cursor = ObservationCursor(token: raw) else {
                throw APIError.validation(path: "cursor", "is not a cursor this server issued for this collection")
            }
            filters.after = cursor
        }
        var features: [ServedFeature] = []
        var next: ObservationCursor?
        repeat {
            filters.limit = min(ObservationQuery.maximumLimit, query.limit - features.count)
            let page = try await observations.store.observations(matching: filters)
            features += page.items.map(observationFeature)
            next = page.next
            filters.after = page.next
        } while next != nil && features.count < query.limit
        return FeaturePage(features: features, matched: nil, next: next.map { ("cursor", $0.token) })
    }

    func observationFeature(id raw: String) async throws -> ServedFeature? {
        guard let id = UUID(uuidString: raw), let stored = try await observations.store.observation(id: id) else { return nil }
        return observationFeature(stored)
    }

    private func observationFeature(_ stored: StoredObservation) -> ServedFeature {
        ServedFeature(id: stored.observation.id.uuidString.lowercased(), point: stored.resolution.point,
                      properties: String(decoding: stored.jsonValue.canonicalData(), as: UTF8.self),
                      title: "\(ReportText.kind(stored.observation.kind.rawValue).0), \(Timestamp.format(stored.observation.observedAt))")
    }

    // MARK: Extents

    /// Where and when the collection's features lie, as the audience sees them (observations:
    /// the incidents' extent, which their records share, widened to the whole world when none is known).
    func extent(audience: ReleaseLevel) async throws -> FeaturesDocuments.Extent {
        let (box, first, last) = try await incidents.extent(audience: audience)
        let spatial: [Double] = box.map { [$0.minLon, $0.minLat, $0.maxLon, $0.maxLat] } ?? [-180, -90, 180, 90]
        return FeaturesDocuments.Extent(
            spatial: .init(bbox: [spatial], crs: FeatureCRS.crs84.rawValue),
            temporal: .init(interval: [[first.map { Timestamp.format(Timestamp.date(milliseconds: $0)) },
                                        last.map { Timestamp.format(Timestamp.date(milliseconds: $0)) }]], trs: FeatureCRS.trs)
        )
    }

}
