import BackstopCore
import BackstopStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The web console: sign-in and sign-out, the operations map, the verification queue, and the
/// public's pages. Pages are server-rendered from the same reads the API answers with (the
/// incident listing, the reports listing); the map draws the API's own JSON. Every page is
/// sent with a Content-Security-Policy that lets it load only what Backstop serves.
struct ConsoleController: Sendable {
    let store: any BackstopStore
    let sessions: ConsoleSessions
    let incidents: IncidentsController
    let reports: ReportsController
    let alerts: AlertsController
    let resolvers: LocationResolverCache
    let pages: PageRenderer
    let now: @Sendable () -> Date
    let assets = ConsoleAssets()
    let logger = Logger(label: "backstop.console")

    func register(with routes: RouteRegistrar) {
        routes.add(.home) { request, context, identity in try await home(request, context, identity: identity) }
        routes.add(.signInPage) { request, context, _ in signInPage(request, context, problem: nil, status: .ok) }
        routes.add(.signIn) { request, context, _ in try await signIn(request, context) }
        routes.add(.signOut) { request, context, _ in try await signOut(request, context) }
        routes.add(.operationsMap) { _, context, identity in try await map(context, identity: identity, publicView: false) }
        routes.add(.verificationQueue) { _, context, identity in try await queue(context, identity: identity!) }
        routes.add(.fieldForm) { _, context, identity in
            var values = frame("Field report", context, identity: identity, ["kinds": ObservationKind.allCases.map(\.rawValue), "manifest": true])
            values["nav"] = nil   // a phone's screen: the form alone
            return page("console-field", values)
        }
        routes.add(.fieldPlaces) { _, _, _ in try await fieldPlaces() }
        routes.add(.escalationBoard) { _, context, identity in
            try await EscalationBoardPage(store: store, alerts: alerts, pages: pages, now: now).response(context, identity: identity!)
        }
        let reportsPages = ReportsPages(reports: reports, pages: pages)
        routes.add(.reportsPage) { _, context, identity in try await reportsPages.list(context, identity: identity!) }
        routes.add(.reportPage) { _, context, identity in try await reportsPages.report(context, identity: identity!) }
        routes.add(.publicMap) { _, context, identity in try await map(context, identity: identity, publicView: true) }
        routes.add(.asset) { _, context, _ in try assets.asset(context.parameters.get("name") ?? "") }
        routes.add(.assetImage) { _, context, _ in try assets.image(context.parameters.get("name") ?? "") }
        routes.add(.favicon) { _, _, _ in try assets.asset("favicon.svg") }
    }

    // MARK: Pages

    func frame(_ title: String, _ context: AppRequestContext, identity: Identity?, _ extra: [String: Any] = [:]) -> [String: Any] {
        var values = ConsoleFrame.values(title, context, identity: identity)
        values.merge(extra) { $1 }
        return values
    }

    func page(_ template: String, _ values: [String: Any], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var response = pages.response(template, values, status: status)
        ConsoleFrame.secure(&response)
        for field in headers { response.headers.append(field) }
        return response
    }

    /// The mission's staff start at the map; everyone else at the published reports.
    func home(_ request: Request, _ context: AppRequestContext, identity: Identity?) async throws -> Response {
        let caller = EscalationCaller(identity: identity)
        if caller.insideMission { return Self.redirect(to: "/console/map") }
        if identity?.role == .monitor { return Self.redirect(to: "/console/field") }
        let published = try await reports.listing(state: .published, limit: 100, caller: EscalationCaller(identity: nil))
        let items: [[String: Any]] = published.map { item in
            ["title": item.title, "href": item.href + "?f=html", "pdf": item.href + "?f=pdf",
             "period": "\(Timestamp.format(item.period.start)) – \(Timestamp.format(item.period.end))",
             "published": item.publishedAt.map(Timestamp.format) ?? ""]
        }
        return page("console-home", frame("Published reports", context, identity: identity, ["reports": items, "none": items.isEmpty]))
    }

    func signInPage(_ request: Request, _ context: AppRequestContext, problem: String?, status: HTTPResponse.Status) -> Response {
        // Double submit before any session: the form carries what the cookie carries.
        let nonce = ConsoleSessions.cookie(ConsoleSessions.signInCookieName, in: request)
            .flatMap { $0.range(of: #"^[A-Za-z0-9_-]{22}$"#, options: .regularExpression) != nil ? $0 : nil }
            ?? Base64URL.encode(Data((0..<16).map { _ in UInt8.random(in: .min ... .max) }))
        var headers = HTTPFields()
        headers[.setCookie] = ConsoleSessions.setCookie(ConsoleSessions.signInCookieName, nonce, maxAge: 3_600, request: request)
        return page("console-signin", frame("Sign in", context, identity: nil, ["signInNonce": nonce, "problem": problem,
                                                                               "hours": Int(sessions.lifetime / 3_600)]),
                    status: status, headers: headers)
    }

    func signIn(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let form = try await FormBody.read(request)
        guard let sent = form["csrf"], let expected = ConsoleSessions.cookie(ConsoleSessions.signInCookieName, in: request),
              ConsoleSessions.same(sent, expected) else {
            return signInPage(request, context, problem: "The form has expired: sign in again.", status: .forbidden)
        }
        let token = (form["token"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { return signInPage(request, context, problem: "Enter your access token.", status: .unprocessableContent) }
        guard let record = try await store.token(hash: AccessTokens.hash(token)), record.revokedAt == nil else {
            logger.notice("console sign-in refused: unknown or revoked token")
            return signInPage(request, context, problem: "This token is not known, or it was revoked.", status: .unauthorized)
        }
        guard record.identity.role != .sensor else {
            return signInPage(request, context, problem: "A sensor's token does not sign in to the console.", status: .forbidden)
        }
        let (cookie, _) = try await sessions.cookieValue(tokenHash: record.hash, now: now())
        logger.notice("console sign-in", metadata: ["name": "\(record.identity.name)", "role": "\(record.identity.role.rawValue)"])
        var response = Self.redirect(to: "/")
        response.headers.append(HTTPField(name: .setCookie, value: ConsoleSessions.setCookie(ConsoleSessions.cookieName, cookie, maxAge: Int(sessions.lifetime), request: request)))
        response.headers.append(HTTPField(name: .setCookie, value: ConsoleSessions.setCookie(ConsoleSessions.signInCookieName, "", maxAge: 0, request: request)))
        return response
    }

    func signOut(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let form = try await FormBody.read(request)
        if let session = context.session {
            guard let sent = form["csrf"], ConsoleSessions.same(sent, session.csrf) else {
                throw APIError(.forbidden, code: "csrf", message: "the sign-out form must carry the session's CSRF token")
            }
        }
        var response = Self.redirect(to: "/signin")
        response.headers[.setCookie] = ConsoleSessions.setCookie(ConsoleSessions.cookieName, "", maxAge: 0, request: request)
        return response
    }

    func map(_ context: AppRequestContext, identity: Identity?, publicView: Bool) async throws -> Response {
        let role = identity?.role ?? .public
        let staff = ReleaseLevel.audience(of: role) == .internal
        let view = publicView ? "public" : (staff ? "internal" : "released")
        // The sectors' alert levels are drawn for those who may read them; the mission filters by sector too.
        let sectors = !publicView && staff ? try await alerts.sectorViews() : []
        return page("console-map", frame(publicView ? "Public map" : "Operations map", context, identity: identity,
                                         ["view": view, "publicView": publicView, "leaflet": true,
                                          "sectorLevels": !publicView && (staff || role == .partner),
                                          "sectors": sectors.map { ["value": "\($0.policyId)/\($0.sectorId)", "name": $0.name] },
                                          "hasSectors": !sectors.isEmpty,
                                          "states": IncidentState.allCases.map(\.rawValue),
                                          "kinds": ObservationKind.allCases.map(\.rawValue)]))
    }

    /// The review queue as a page: what waits for review or confirmation, most serious first
    /// (findings, then confidence, then age), with the four-eyes rule said where it applies.
    func queue(_ context: AppRequestContext, identity: Identity) async throws -> Response {
        var filters = IncidentsController.Filters()
        filters.needsReview = true
        filters.limit = 500
        let (found, more, behind, matched) = try await incidents.matching(filters, audience: .internal, limit: filters.limit)
        let supervisor = [Role.supervisor, .admin].contains(identity.role)
        let rows: [[String: Any]] = found.map { entry in
            let incident = entry.incident
            let summary = incident.corrected
            let pending = incident.workflow.pending
            var waiting = "review"
            if let pending {
                waiting = pending.proposedBy == identity.name ? "confirmation by another supervisor (your proposal)"
                    : supervisor ? "your confirmation" : "a supervisor's confirmation"
            } else if incident.workflow.hasNewEvidence {
                waiting = "review of new evidence"
            }
            return [
                "id": incident.id.uuidString.lowercased(), "kind": summary.kind, "start": summary.start,
                "findings": summary.findings.map(\.kind).joined(separator: ", "), "hasFindings": !summary.findings.isEmpty,
                "confidence": String(format: "%.2f", summary.confidence), "state": incident.state.rawValue,
                "records": summary.recordCount, "waiting": waiting,
                "proposal": pending.map { "\($0.verdict.rawValue) by \($0.proposedBy)" },
                "ownProposal": pending?.proposedBy == identity.name,
            ]
        }
        return page("console-queue", frame("Verification queue", context, identity: identity, [
            "rows": rows, "none": rows.isEmpty, "matched": matched, "more": more, "behind": behind > 0 ? behind : nil,
        ]))
    }

    /// The places the field form suggests: settlements of 1,000 people or more around the areas
    /// of operations of the agreements in force (all of them when there is none). Suggestions
    /// need no exact boundary: each area is taken as the box around its lines and zones,
    /// widened by the area's reach, which costs a comparison per place, not a geodesic.
    func fieldPlaces() async throws -> Response {
        guard let places = try await resolvers.resolver().places else { return JSONResponse.make(.object(["places": .array([])])) }
        let boxes = places.areas.compactMap { area -> (south: Double, north: Double, west: Double, east: Double)? in
            let points = area.lines.flatMap { $0 } + area.zones.flatMap { $0.flatMap { $0 } }
            guard let south = points.map(\.lat).min(), let north = points.map(\.lat).max(),
                  let west = points.map(\.lon).min(), let east = points.map(\.lon).max() else { return nil }
            let dLat = AreaOfOperations.reachMetres / 111_000, dLon = dLat / max(cos(max(abs(south), abs(north)) * .pi / 180), 0.1)
            return (south - dLat, north + dLat, west - dLon, east + dLon)
        }
        let names = Set(places.gazetteer.entries.filter { entry in
            entry.population >= 1_000 && (boxes.isEmpty || boxes.contains { box in
                (box.south...box.north).contains(entry.point.lat) && (box.west...box.east).contains(entry.point.lon)
            })
        }.map(\.name)).sorted()
        var response = JSONResponse.make(.object(["places": .array(names.map(JSONValue.string))]))
        response.headers[.cacheControl] = "private, max-age=3600"
        return response
    }

    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }
}

/// An HTML form's fields (`application/x-www-form-urlencoded`), at most 16 KiB.
enum FormBody {
    /// Each field by name; a name sent twice keeps its first value.
    static func read(_ request: Request) async throws -> [String: String] {
        var fields: [String: String] = [:]
        for (name, value) in try await pairs(request) where fields[name] == nil { fields[name] = value }
        return fields
    }

    /// The fields in the order sent, a name as often as it was sent (a group of checkboxes).
    static func pairs(_ request: Request) async throws -> [(name: String, value: String)] {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        let buffer = try await request.body.collect(upTo: 16 * 1024)
        guard buffer.readableBytes > 0 else { return [] }
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", message: "send the form as application/x-www-form-urlencoded")
        }
        return String(decoding: buffer.readableBytesView, as: UTF8.self).split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            guard let name = parts.first else { return nil }
            return (name, parts.count > 1 ? parts[1] : "")
        }
    }
}
