import BackstopCore
import BackstopStore
import Foundation
import HTTPTypes
import Hummingbird

/// Incidents as each audience may see them. The mission's staff see every incident with its
/// workflow; partners and parties see verified incidents released to them or wider, without
/// member records or who assessed them; the public (with or without a token) sees incidents
/// released to the public, redacted (`PublicRedaction`) and only after the embargo. An
/// incident a caller may not see does not exist for them (404, never 403).
struct IncidentsController: Sendable {
    let store: any BackstopStore
    let board: IncidentBoard
    let now: @Sendable () -> Date
    let redaction: PublicRedaction
    let settlements: SettlementIndex?

    init(store: any BackstopStore, board: IncidentBoard, now: @escaping @Sendable () -> Date, configuration: ServerConfiguration) {
        self.store = store
        self.board = board
        self.now = now
        redaction = configuration.publicRedaction
        settlements = configuration.publicSettlements
    }

    func register(with routes: RouteRegistrar) {
        routes.add(.listIncidents) { request, _, identity in try await list(request, role: identity?.role ?? .public) }
        routes.add(.getIncident) { request, context, identity in try await get(request, context, role: identity?.role ?? .public) }
        routes.add(.incidentHistory) { _, context, _ in try await history(context) }
    }

    /// The filters of a listing, read and checked.
    struct Filters: Sendable {
        var from: Date?, to: Date?
        var bbox: BoundingBox?
        var kinds: Set<String> = []
        var findingKinds: Set<String> = []
        var anyFinding = false
        var minimumConfidence = 0.0
        var states: Set<IncidentState> = []
        var needsReview: Bool?
        /// `sector=POLICY/SECTOR`: the incidents whose place lies in that escalation sector
        /// (read by `filters`, its outline found by `withSector`).
        var sector: (policy: String, sector: String)?
        var sectorMap: SectorMap?
        var limit = ObservationQuery.defaultLimit
        var cursor: IncidentCursor?

        /// Queue order (findings first, then confidence, then age) when asking for states or
        /// the review queue; time order otherwise.
        var queueOrder: Bool { !states.isEmpty || needsReview != nil }
    }

    func filters(_ request: Request, role: Role, allowed: Set<String> = Endpoint.listIncidents.queryParameters) throws -> Filters {
        var parameters = QueryParameters(request, allowed: allowed)
        var filters = Filters()
        filters.from = parameters.timestamp("from")
        filters.to = parameters.timestamp("to")
        if let from = filters.from, let to = filters.to, to <= from { parameters.fail("to", "must be after from") }
        if let raw = parameters.value("bbox") {
            switch BoundingBox.parse(raw) {
            case .success(let parsed): filters.bbox = parsed
            case .failure(let error): parameters.fail(error.path, error.reason)
            }
        }
        for raw in parameters.values("kind") {
            if ObservationKind(rawValue: raw) != nil { filters.kinds.insert(raw) } else {
                parameters.fail("kind", "unknown kind '\(raw)'; expected one of: \(ObservationKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        for raw in parameters.values("finding") {
            if raw == "any" { filters.anyFinding = true } else if Finding.Kind(rawValue: raw) != nil { filters.findingKinds.insert(raw) } else {
                parameters.fail("finding", "unknown finding kind '\(raw)'; expected any or one of: \(Finding.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        for raw in parameters.values("state") {
            if let state = IncidentState(rawValue: raw) { filters.states.insert(state) } else {
                parameters.fail("state", "unknown state '\(raw)'; expected one of: \(IncidentState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let raw = parameters.value("needs_review") {
            switch raw {
            case "true": filters.needsReview = true
            case "false": filters.needsReview = false
            default: parameters.fail("needs_review", "must be true or false")
            }
        }
        let staff = ReleaseLevel.audience(of: role) == .internal
        if let raw = parameters.value("min_confidence") {
            if !staff { parameters.fail("min_confidence", "confidence is not part of what role \(role.rawValue) sees") }
            else if let value = Double(raw), (0...1).contains(value) { filters.minimumConfidence = value } else {
                parameters.fail("min_confidence", "must be a number from 0 to 1")
            }
        }
        if !staff, filters.needsReview != nil { parameters.fail("needs_review", "the review queue is the mission's own") }
        if let raw = parameters.value("sector") {
            let parts = raw.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            if !staff { parameters.fail("sector", "the escalation sectors are the mission's own") }
            else if parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty { filters.sector = (parts[0], parts[1]) } else {
                parameters.fail("sector", "must be POLICY_ID/SECTOR_ID, as GET /api/v1/sectors lists them")
            }
        }
        // The public sees verified incidents only, in time order: a state filter would switch to
        // the queue order, which ranks by what the public may not see.
        if ReleaseLevel.audience(of: role) == .public, !filters.states.isEmpty {
            parameters.fail("state", "the public sees verified incidents only; the state filter is not available to it")
        }
        filters.limit = parameters.int("limit", range: 1...ObservationQuery.maximumLimit) ?? ObservationQuery.defaultLimit
        if let raw = parameters.value("cursor") {
            if let cursor = IncidentCursor(token: raw), cursor.queue == filters.queueOrder { filters.cursor = cursor } else {
                parameters.fail("cursor", "is not a cursor this server issued for this order")
            }
        }
        try parameters.check()
        return filters
    }

    /// The filters with the named sector's outline found (its policy's latest version, and the
    /// agreement its zones come from); 422 for a sector no policy has.
    func withSector(_ filters: Filters) async throws -> Filters {
        guard let (policyID, sectorID) = filters.sector else { return filters }
        guard let map = try await store.sectorMaps().first(where: { $0.policy.id == policyID }), map.policy.sector(sectorID) != nil else {
            throw APIError.validation(path: "sector", "no sector '\(sectorID)' in a policy '\(policyID)'; GET /api/v1/sectors lists them")
        }
        var resolved = filters
        resolved.sectorMap = map
        return resolved
    }

    /// Every incident the audience may see that the filters select, in the listing's order,
    /// with the facts as that audience sees them (the listing pages it; an export takes all).
    /// `matched` counts every incident the filters select, on any page.
    func matching(_ filters: Filters, audience: ReleaseLevel, limit: Int? = nil) async throws
        -> (incidents: [(incident: StoredIncident, facts: Facts, key: IncidentCursor)], more: Bool, behind: Int64, matched: Int) {
        let (now, redaction, settlements) = (now(), redaction, settlements)
        // The public's places are moved to their grid cell: look that much around the box.
        let margin = audience == .public ? redaction.largestShiftDegrees : 0.000_001
        let ((found, more, matched), behind) = try await board.read(in: filters.bbox, margin: margin) { entries in
            var matching: [(incident: StoredIncident, facts: Facts, key: IncidentCursor)] = []
            var matched = 0
            for entry in entries {
                let incident = entry.incident
                guard !incident.isRetired, Self.visible(incident, to: audience, now: now, redaction: redaction) else { continue }
                let view = audience == .public ? Self.publicFacts(incident, redaction: redaction, settlements: settlements)
                    : audience == .internal ? Self.facts(entry, summary: incident.corrected, timesAsStored: true)
                    : Self.facts(entry, summary: incident.released, timesAsStored: false)
                guard Self.matches(view, incident: incident, filters) else { continue }
                matched += 1
                let key = IncidentCursor(view, id: incident.id, queue: filters.queueOrder)
                if let after = filters.cursor, !after.precedes(key) { continue }
                matching.append((incident, view, key))
            }
            matching.sort { $0.key.precedes($1.key) }
            guard let limit else { return (matching, false, matched) }
            return (Array(matching.prefix(limit)), matching.count > limit, matched)
        }
        return (found, more, behind, matched)
    }

    /// Where and when the incidents an audience may see lie, as that audience sees them: one pass
    /// over the board without sorting (an OGC client asks for it whenever it opens the service).
    func extent(audience: ReleaseLevel) async throws -> (box: BoundingBox?, first: Int64?, last: Int64?) {
        let (now, redaction, settlements) = (now(), redaction, settlements)
        return try await board.read { entries in
            var box: BoundingBox?
            var first: Int64?, last: Int64?
            for entry in entries.values where !entry.incident.isRetired {
                let incident = entry.incident
                let point: GeoPoint?, start: Int64, end: Int64
                if audience == .internal {
                    // The corrected summary differs only where an assessment corrected it.
                    let location = incident.workflow.holding?.corrections == nil ? incident.summary.location : incident.corrected.location
                    point = location.map { GeoPoint(lat: $0.lat, lon: $0.lon) }
                    (start, end) = (entry.startMilliseconds, entry.endMilliseconds)
                } else {
                    guard Self.visible(incident, to: audience, now: now, redaction: redaction) else { continue }
                    let facts = audience == .public ? Self.publicFacts(incident, redaction: redaction, settlements: settlements)
                        : Self.facts(entry, summary: incident.released, timesAsStored: false)
                    (point, start, end) = (facts.point, facts.startMilliseconds, facts.endMilliseconds)
                }
                if let point {
                    box = box.map { BoundingBox(minLon: min($0.minLon, point.lon), minLat: min($0.minLat, point.lat),
                                                maxLon: max($0.maxLon, point.lon), maxLat: max($0.maxLat, point.lat)) }
                        ?? BoundingBox(minLon: point.lon, minLat: point.lat, maxLon: point.lon, maxLat: point.lat)
                }
                first = min(first ?? start, start)
                last = max(last ?? end, end)
            }
            return (box, first, last)
        }.value
    }

    func list(_ request: Request, role: Role) async throws -> Response {
        let filters = try await withSector(try filters(request, role: role))
        let (redaction, settlements) = (redaction, settlements)
        let audience = ReleaseLevel.audience(of: role) ?? .public
        let (found, more, behind, _) = try await matching(filters, audience: audience, limit: filters.limit)
        let page = found.map(\.incident)
        let next = more ? found.last?.key : nil
        let headers = audience == .internal ? Self.behindHeaders(behind) : [:]
        let cursor = next?.token
        switch audience {
        case .internal:
            return try Self.respond(IncidentPage(incidents: page.map { IncidentView($0) }, nextCursor: cursor), headers: headers)
        case .partners, .parties:
            return try Self.respond(IncidentPage(incidents: page.map { ReleasedIncidentView($0, audience: audience) }, nextCursor: cursor), headers: headers)
        case .public:
            return try Self.respond(IncidentPage(incidents: page.map { PublicIncidentView($0, redaction: redaction, settlements: settlements) },
                                                 nextCursor: cursor), headers: headers)
        }
    }

    /// Whether an audience may see an incident: staff see all; the others a verified incident
    /// released to them or wider, the public only after the embargo.
    static func visible(_ incident: StoredIncident, to audience: ReleaseLevel, now: Date, redaction: PublicRedaction) -> Bool {
        guard audience != .internal else { return true }
        guard incident.workflow.holding?.verdict == .verified, incident.workflow.releaseLevel >= audience else { return false }
        return audience != .public || !redaction.isEmbargoed(eventEnd: incident.summary.endDate, now: now)
    }

    /// The values filters compare, as the caller sees them: the public's are the redacted
    /// ones, so that a filter cannot be used to narrow down a place or a time it may not see.
    struct Facts {
        var startMilliseconds: Int64
        var endMilliseconds: Int64
        var point: GeoPoint?
        var kind: String
        var findings: [String]
        var confidence: Double
    }

    /// The values as staff (the corrected summary) or partners and parties (the confirmed one) see them.
    /// Staff's times are the stored summary's (corrections do not change times), parsed once
    /// when the board read the incident; a confirmed summary's are parsed here.
    static func facts(_ entry: IncidentBoard.Entry, summary: IncidentSummary, timesAsStored: Bool) -> Facts {
        Facts(startMilliseconds: timesAsStored ? entry.startMilliseconds : Timestamp.milliseconds(summary.startDate),
              endMilliseconds: timesAsStored ? entry.endMilliseconds : Timestamp.milliseconds(summary.endDate),
              point: summary.location.map { GeoPoint(lat: $0.lat, lon: $0.lon) }, kind: summary.kind,
              findings: summary.findings.map(\.kind), confidence: summary.confidence)
    }

    static func publicFacts(_ incident: StoredIncident, redaction: PublicRedaction, settlements: SettlementIndex?) -> Facts {
        let corrected = incident.released
        let point = corrected.location.flatMap { redaction.coarsen(GeoPoint(lat: $0.lat, lon: $0.lon), settlements: settlements).point }
        return Facts(startMilliseconds: Timestamp.milliseconds(PublicRedaction.hour(corrected.startDate)),
                     endMilliseconds: Timestamp.milliseconds(PublicRedaction.hour(corrected.endDate)), point: point, kind: corrected.kind,
                     findings: incident.confirmedFindings.map(\.kind), confidence: 1)
    }

    static func matches(_ facts: Facts, incident: StoredIncident, _ filters: Filters) -> Bool {
        if let from = filters.from, facts.endMilliseconds < Timestamp.milliseconds(from) { return false }
        if let to = filters.to, facts.startMilliseconds >= Timestamp.milliseconds(to) { return false }
        if let bbox = filters.bbox, !(facts.point.map(bbox.contains) ?? false) { return false }
        if !filters.kinds.isEmpty, !filters.kinds.contains(facts.kind) { return false }
        if facts.confidence < filters.minimumConfidence { return false }
        if filters.anyFinding, facts.findings.isEmpty { return false }
        if !filters.findingKinds.isEmpty, !facts.findings.contains(where: filters.findingKinds.contains) { return false }
        if !filters.states.isEmpty, !filters.states.contains(incident.state) { return false }
        if let needsReview = filters.needsReview, incident.workflow.needsReview != needsReview { return false }
        if let map = filters.sectorMap, let sector = filters.sector {
            guard let point = facts.point, map.sectors(containing: point).contains(sector.sector) else { return false }
        }
        return true
    }

    func get(_ request: Request, _ context: AppRequestContext, role: Role) async throws -> Response {
        let audience = ReleaseLevel.audience(of: role) ?? .public
        let id = try Self.incidentID(context)
        let behind = try await board.read { _ in () }.behind
        guard let (incident, mergedFrom) = await board.resolve(id),
              Self.visible(incident, to: audience, now: now(), redaction: redaction) else {
            // Outside the mission, how far the intake is behind is not to be told.
            let staff = audience == .internal
            throw APIError(.notFound, code: "not_found", message: "no incident \(id.uuidString.lowercased())" + (staff && behind > 0 ? " yet (\(behind) records are still being fused)" : ""),
                           headers: staff ? Self.behindHeaders(behind) : [:])
        }
        if mergedFrom != nil {
            throw APIError(.notFound, code: "merged", message: "incident \(id.uuidString.lowercased()) was merged into \(incident.id.uuidString.lowercased())")
        }
        var headers = audience == .internal ? Self.behindHeaders(behind) : [:]
        if try IncidentHTMLPage.Format.chosen(by: request) == .html {
            return try await page(incident, audience: audience, context: context, problem: nil)
        }
        switch audience {
        case .internal:
            headers[.eTag] = "\"\(incident.version)\""
            return try Self.respond(IncidentView(incident, detail: true, observations: try await observations(of: incident)), headers: headers)
        case .partners, .parties:
            return try Self.respond(ReleasedIncidentView(incident, audience: audience), headers: headers)
        case .public:
            return try Self.respond(PublicIncidentView(incident, redaction: redaction, settlements: settlements), headers: headers)
        }
    }

    /// What an analyst would most likely merge an incident with: the live incidents within
    /// `mergeHours` of it in time and, when it has a place, within about `mergeDegrees` of it
    /// (any kind: two reports of one event may name it differently), nearest in time first.
    static let mergeHours = 6.0, mergeDegrees = 0.1, mergeCandidateLimit = 20
    func mergeCandidates(for incident: StoredIncident) async throws -> [StoredIncident] {
        let summary = incident.corrected
        let box = summary.location.map { BoundingBox(minLon: $0.lon - Self.mergeDegrees * 1.5, minLat: $0.lat - Self.mergeDegrees,
                                                     maxLon: $0.lon + Self.mergeDegrees * 1.5, maxLat: $0.lat + Self.mergeDegrees) }
        let (start, end) = (summary.startDate.addingTimeInterval(-Self.mergeHours * 3600), summary.endDate.addingTimeInterval(Self.mergeHours * 3600))
        let found = try await board.read(in: box, margin: 0) { entries in
            entries.map(\.incident).filter { other in
                guard other.id != incident.id, !other.isRetired else { return false }
                let facts = other.corrected
                guard facts.startDate <= end, facts.endDate >= start else { return false }
                guard let box, let place = facts.location else { return box == nil }
                return (box.minLat...box.maxLat).contains(place.lat) && (box.minLon...box.maxLon).contains(place.lon)
            }
        }.value
        let middle = summary.startDate.timeIntervalSince1970
        return Array(found.sorted { abs($0.corrected.startDate.timeIntervalSince1970 - middle) < abs($1.corrected.startDate.timeIntervalSince1970 - middle) }
            .prefix(Self.mergeCandidateLimit))
    }

    /// The incident's page as the audience sees it; `problem` is the code of the refusal of a
    /// decision sent from it (the page says what it means).
    func page(_ incident: StoredIncident, audience: ReleaseLevel, context: AppRequestContext, problem: String?) async throws -> Response {
        let page = IncidentHTMLPage(pages: .bundled)
        switch audience {
        case .internal:
            let trail = try await store.auditEntries(subjects: [IncidentDecisionsController.subject(incident.id)], limit: 500)
            return try page.response(view: IncidentView(incident, detail: true, observations: try await observations(of: incident)), incident: incident,
                                     identity: context.identity, context: context, trail: trail, problem: problem,
                                     mergeCandidates: try await mergeCandidates(for: incident))
        case .partners, .parties:
            return try page.response(view: ReleasedIncidentView(incident, audience: audience), incident: incident, identity: context.identity,
                                     context: context, trail: [], problem: nil)
        case .public:
            return try page.response(view: PublicIncidentView(incident, redaction: redaction, settlements: settlements), incident: incident,
                                     identity: context.identity, context: context, trail: [], problem: nil)
        }
    }

    /// The answer to a decision the incident page's form sent: taken, the browser goes to the
    /// page of the incident `decide` names (303); refused by the workflow, the refusal's status
    /// with the page as it stands now saying why, so the reader decides anew from what is
    /// current. A malformed form is answered as the API answers (422), and so is a form naming
    /// no incident (404): there is no page to show.
    func answerForm(_ context: AppRequestContext, _ decide: () async throws -> UUID) async throws -> Response {
        let id = try Self.incidentID(context)
        guard await board.resolve(id) != nil else { throw APIError.notFound("no incident \(id.uuidString.lowercased())") }
        do {
            let landing = try await decide()
            return Response(status: .seeOther, headers: [.location: "/api/v1/incidents/\(landing.uuidString.lowercased())?f=html", .cacheControl: "no-store"])
        } catch let error as APIError where DecisionBody.problems[error.code] != nil && error.code != APIError.validationCode {
            guard let (incident, _) = await board.resolve(id) else { throw error }
            var response = try await page(incident, audience: .internal, context: context, problem: error.code)
            response.status = error.status
            return response
        }
    }

    /// The member records, each with why it was joined.
    private func observations(of incident: StoredIncident) async throws -> [JSONValue] {
        var stored: [StoredObservation] = []
        for member in incident.summary.observationIDs {
            if let found = try await store.observation(id: member) { stored.append(found) }
        }
        let reasons = FusionEngine.reasons(among: stored.map(IncidentBoard.record))
        return stored.compactMap { record in
            guard case .object(var object) = record.jsonValue else { return nil }
            object["joined_because"] = reasons[record.observation.id].map(JSONValue.string) ?? .null
            return .object(object)
        }
    }

    /// One incident's trail in the audit log: its own entries and those of ids merged into it.
    func history(_ context: AppRequestContext) async throws -> Response {
        let id = try Self.incidentID(context)
        _ = try await board.read { _ in () }
        guard let ids = await board.idsMerged(into: id) else { throw APIError.notFound("no incident \(id.uuidString.lowercased())") }
        let subjects = ids.map { "incident/\($0.uuidString.lowercased())" }.sorted()
        let trail = try await store.auditEntries(subjects: subjects, limit: 10_000)
        return JSONResponse.make(.object([
            "incident_id": .string(id.uuidString.lowercased()),
            "entries": .array(trail.map(\.jsonValue)),
        ]))
    }

    static func incidentID(_ context: AppRequestContext) throws -> UUID {
        let raw = context.parameters.get("id") ?? ""
        guard let id = UUID(uuidString: raw) else { throw APIError.validation(path: "id", "'\(raw)' is not a UUID") }
        return id
    }

    struct IncidentPage<View: Encodable & Sendable>: Encodable, Sendable {
        var incidents: [View]
        var nextCursor: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(incidents, forKey: .incidents)
            try container.encode(nextCursor, forKey: .nextCursor)
        }

        enum CodingKeys: String, CodingKey {
            case incidents
            case nextCursor = "next_cursor"
        }
    }

    static func respond(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields) throws -> Response {
        var response = try JSONResponse.make(status: status, encoding: value)
        for field in headers { response.headers[field.name] = field.value }
        return response
    }

    /// During a flood a read waits only so long: the header says how many committed records
    /// the answer does not reflect yet.
    static func behindHeaders(_ behind: Int64) -> HTTPFields {
        behind > 0 ? [.incidentsBehind: String(behind)] : [:]
    }
}

/// Where a page of incidents ended, in one of the two orders: time (start, id) or the queue
/// (findings first, then higher confidence, then older, then id).
struct IncidentCursor: Sendable, Hashable {
    var queue: Bool
    var hasFindings: Bool
    var confidenceMilli: Int
    var startMilliseconds: Int64
    var id: UUID

    /// The key of an incident as the caller sees it (`facts`), so that a cursor holds nothing
    /// the caller may not see.
    init(_ facts: IncidentsController.Facts, id: UUID, queue: Bool) {
        self.queue = queue
        hasFindings = queue && !facts.findings.isEmpty
        confidenceMilli = queue ? Int((facts.confidence * 1000).rounded()) : 0
        startMilliseconds = facts.startMilliseconds
        self.id = id
    }

    /// Whether this comes before `other` in its order.
    func precedes(_ other: IncidentCursor) -> Bool {
        if hasFindings != other.hasFindings { return hasFindings }
        if confidenceMilli != other.confidenceMilli { return confidenceMilli > other.confidenceMilli }
        if startMilliseconds != other.startMilliseconds { return startMilliseconds < other.startMilliseconds }
        return UUIDOrder.less(id, other.id)
    }

    var token: String {
        Base64URL.encode(Data("\(queue ? "q" : "t"):\(hasFindings ? 1 : 0):\(confidenceMilli):\(startMilliseconds):\(id.uuidString.lowercased())".utf8))
    }

    init?(token: String) {
        guard let data = Base64URL.decode(token), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: ":").map(String.init)
        guard parts.count == 5, let order = parts.first, order == "q" || order == "t", let findings = Int(parts[1]), findings == 0 || findings == 1,
              let confidence = Int(parts[2]), (0...1000).contains(confidence), let start = Int64(parts[3]), let id = UUID(uuidString: parts[4])
        else { return nil }
        queue = order == "q"
        hasFindings = findings == 1
        confidenceMilli = confidence
        startMilliseconds = start
        self.id = id
    }
}

extension HTTPField.Name {
    static let incidentsBehind = HTTPField.Name("Backstop-Incidents-Behind")!
}
