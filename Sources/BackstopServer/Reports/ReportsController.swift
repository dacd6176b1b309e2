import BackstopCore
import BackstopStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The daily report over HTTP: drafted on demand (`POST /api/v1/reports`; the schedule drafts
/// the day's too, `ReportDrafting`), its free text edited, approved by a supervisor who did not
/// last edit that text, corrected by a new version; read as JSON, HTML or PDF from the same
/// view. The mission reads every version and both editions; everyone else, without a token
/// too, reads the public edition of published versions.
struct ReportsController: Sendable {
    let store: any BackstopStore
    let assembler: ReportAssembler
    let settings: ReportSettings
    let pages: PageRenderer
    let now: @Sendable () -> Date
    let bodyLimit = 256 * 1024
    /// This server's store's published PDFs (another server's store may hold other reports under the same ids).
    let publishedPDFs = PublishedPDFs()

    /// The longest period one report covers.
    static let longestPeriodDays = 31.0

    enum Format: String, Representation {
        case json, html, pdf

        var acceptedTypes: [String] {
            switch self {
            case .json: ["application/json"]
            case .html: ["text/html"]
            case .pdf: ["application/pdf"]
            }
        }
    }

    func register(with routes: RouteRegistrar) {
        routes.add(.listReports) { request, _, identity in try await list(request, caller: EscalationCaller(identity: identity)) }
        routes.add(.draftReport) { request, _, identity in try await draft(request, identity: identity!) }
        routes.add(.getReport) { request, context, identity in try await get(request, context, caller: EscalationCaller(identity: identity)) }
        routes.add(.editReport) { request, context, identity in try await edit(request, context, identity: identity!) }
        routes.add(.redraftReport) { request, context, identity in try await redraft(request, context, identity: identity!) }
        routes.add(.approveReport) { request, context, identity in try await approve(request, context, identity: identity!) }
        routes.add(.correctReport) { request, context, identity in try await correct(request, context, identity: identity!) }
        routes.add(.violationStatistics) { request, _, _ in try await statistics(request) }
    }

    // MARK: Read

    func list(_ request: Request, caller: EscalationCaller) async throws -> Response {
        var parameters = QueryParameters(request, allowed: Endpoint.listReports.queryParameters)
        let state = parameters.value("state").map { raw -> DailyReport.State? in
            guard let state = DailyReport.State(rawValue: raw) else {
                parameters.fail("state", "unknown state '\(raw)'; expected one of: draft, published")
                return nil
            }
            return state
        } ?? nil
        let limit = parameters.int("limit", range: 1...1_000) ?? 100
        if !caller.insideMission, state == .draft { parameters.fail("state", "drafts are the mission's own") }
        try parameters.check()
        return try await EscalationResponse.make(ReportListing(reports: listing(state: state, limit: limit, caller: caller)))
    }

    /// The reports the caller may read (the mission: the latest version of each; everyone
    /// else: published versions the public may read by now).
    func listing(state: DailyReport.State?, limit: Int, caller: EscalationCaller) async throws -> [ReportListing.Item] {
        var items: [ReportListing.Item] = []
        let time = now()
        for index in try await store.reportIndex() {
            guard let version = caller.insideMission ? index.latest : index.published,
                  let report = try await store.report(id: index.id, version: version),
                  caller.insideMission || Self.publicMayRead(report, at: time) else { continue }
            if let state, report.state != state { continue }
            items.append(.init(id: report.id, title: report.title, version: report.version, state: report.state, period: report.period,
                               publishedAt: report.publishedAt, href: "/api/v1/reports/\(report.id.uuidString.lowercased())"))
            if items.count == limit { break }
        }
        return items
    }

    func get(_ request: Request, _ context: AppRequestContext, caller: EscalationCaller) async throws -> Response {
        var parameters = QueryParameters(request, allowed: Endpoint.getReport.queryParameters)
        let version = parameters.int("version", range: 1...100_000)
        var edition = caller.insideMission ? DailyReport.Edition.internal : .public
        if let raw = parameters.value("edition") {
            if let chosen = DailyReport.Edition(rawValue: raw) { edition = chosen } else {
                parameters.fail("edition", "unknown edition '\(raw)'; expected internal or public")
            }
        }
        if !caller.insideMission, edition == .internal { parameters.fail("edition", "the internal edition is the mission's own") }
        try parameters.check()
        let format = try Format.chosen(by: request)
        let id = try Self.reportID(context)
        // Outside the mission a draft, or a version newer than the newest published, does not exist.
        guard let index = try await store.reportIndex(id: id),
              let readable = caller.insideMission ? index.latest : index.published, (version ?? readable) <= readable,
              let report = try await store.report(id: id, version: version ?? readable),
              caller.insideMission || Self.publicMayRead(report, at: now()) else {
            throw APIError.notFound("no report \(id.uuidString.lowercased())" + (version.map { " version \($0)" } ?? ""))
        }
        let view = ReportView(report, edition: edition, staff: caller.insideMission, index: index, calendar: settings.calendar)
        let headers: HTTPFields = [.eTag: "\"\(report.revision)\""]
        switch format {
        case .json:
            return try EscalationResponse.make(view, headers: headers)
        case .html:
            var response = pages.response("daily-report", view.pageContext(calendar: settings.calendar))
            response.headers[.eTag] = headers[.eTag]
            return response
        case .pdf:
            let html = pages.render("daily-report", view.pageContext(calendar: settings.calendar))
            let pdf: Data
            do {
                if report.state == .published {
                    // The key names everything the page shows, so a view that differs prints anew.
                    let key = "\(report.id.uuidString)@\(report.version)/\(edition.rawValue)/\(caller.insideMission)/\(view.supersededBy ?? 0)"
                    pdf = try await publishedPDFs.pdf(for: key) { try await PDFPrinter.shared.print(html: html) }
                } else {
                    pdf = try await PDFPrinter.shared.print(html: html)
                }
            } catch let failure as PDFPrinter.Failure {
                throw APIError(.serviceUnavailable, code: "pdf_unavailable", message: failure.description, headers: [.retryAfter: "30"])
            }
            let name = "daily-report-\(String(format: "%03d", report.number))-\(report.year)-v\(report.version)-\(edition.rawValue).pdf"
            return Response(status: .ok, headers: [.contentType: "application/pdf", .contentDisposition: "inline; filename=\"\(name)\"", .eTag: "\"\(report.revision)\""],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: pdf)))
        }
    }

    /// Ceasefire violations per reporting day (`days`, 1–366, default 30, up to the last
    /// reporting time) and per sector over those days.
    func statistics(_ request: Request) async throws -> Response {
        var parameters = QueryParameters(request, allowed: Endpoint.violationStatistics.queryParameters)
        let days = parameters.int("days", range: 1...366) ?? 30
        try parameters.check()
        return try EscalationResponse.make(try await statisticsView(days: days))
    }

    func statisticsView(days: Int) async throws -> ViolationStatisticsView {
        let statistics = try await assembler.violationStatistics(over: settings.dailyPeriods(days, before: now()))
        return ViolationStatisticsView(statistics, calendar: settings.calendar)
    }

    // MARK: Change

    func draft(_ request: Request, identity: Identity) async throws -> Response {
        let body = try await RequestBody.optionalJSON(request, limit: bodyLimit)
        let sink = ErrorSink()
        let reader = body.flatMap { ObjectReader($0, path: FieldPath(), sink: sink) }
        if body != nil, reader == nil { sink.add(FieldPath(), "must be an object") }
        let from = reader?.timestamp("from"), to = reader?.timestamp("to")
        let includeUnverified = reader?.bool("include_unverified") ?? false
        reader?.finish()
        let time = now()
        var period = settings.defaultPeriod(before: time)
        switch (from, to) {
        case (let from?, let to?):
            if to <= from { sink.add(FieldPath().key("to"), "must be after from") }
            else if to.timeIntervalSince(from) > Self.longestPeriodDays * 86_400 { sink.add(FieldPath().key("to"), "a report covers at most \(Int(Self.longestPeriodDays)) days") }
            else if to > time { sink.add(FieldPath().key("to"), "is in the future; a report covers what has happened") }
            period = ReportPeriod(start: from, end: to)
        case (nil, nil): break
        default: sink.add(FieldPath().key(from == nil ? "from" : "to"), "give both from and to, or neither (the last 24 h to the reporting time)")
        }
        try sink.check()
        let id = DailyReport.id(for: period)
        if let existing = try await store.report(id: id, version: nil) {
            guard existing.includesUnverified == includeUnverified else {
                throw APIError(.conflict, code: "report_exists",
                               message: "the period's report exists and counts \(existing.includesUnverified ? "unverified incidents too" : "verified incidents only"); read it at /api/v1/reports/\(id.uuidString.lowercased())")
            }
            return try await answer(existing, status: .ok)
        }
        guard let (report, created) = try await draft(period: period, includeUnverified: includeUnverified, actor: identity.name, fence: nil) else {
            throw APIError(.serviceUnavailable, code: "unavailable", message: "the report could not be stored; retry")
        }
        return try await answer(report, status: created ? .created : .ok, headers: [.location: "/api/v1/reports/\(id.uuidString.lowercased())"])
    }

    /// Drafts and stores the report for a period (the schedule calls this too), and whether this
    /// call drafted it: when another drafted it meanwhile, that one is returned. Nil when the
    /// fence's lease was lost.
    func draft(period: ReportPeriod, includeUnverified: Bool, actor: String, fence: WorkFence?) async throws -> (DailyReport, created: Bool)? {
        let time = now()
        let report = try await assembler.draft(period: period, includeUnverified: includeUnverified, number: 0, by: actor, at: time)
        do {
            let written = try await store.changeReport(report.id, year: report.year, fence: fence) { newest, number in
                guard newest == nil else { throw StoreError.staleVersion(what: "report \(report.id.uuidString.lowercased())", current: newest!.version) }
                var numbered = report
                numbered.number = number
                return ReportChange(numbered, audit: [AuditDraft(actor: actor, action: "report.drafted", subject: Self.subject(report.id), body: .object([
                    "version": .integer(1), "number": .integer(number), "year": .integer(report.year),
                    "from": .string(Timestamp.format(period.start)), "to": .string(Timestamp.format(period.end)),
                    "include_unverified": .bool(includeUnverified),
                    "ceasefire_violations": .integer(report.internalEdition.totals.ceasefireViolations),
                ]))])
            }
            return written.map { ($0, true) }
        } catch StoreError.staleVersion {
            return try await store.report(id: report.id, version: nil).map { ($0, false) }
        }
    }

    func edit(_ request: Request, _ context: AppRequestContext, identity: Identity) async throws -> Response {
        let id = try Self.reportID(context)
        let (body, sink) = (try await RequestBody.json(request, limit: bodyLimit), ErrorSink())
        let reader = ObjectReader(body, path: FieldPath(), sink: sink)
        if reader == nil { sink.add(FieldPath(), "must be an object") }
        // Empty clears a text.
        let introduction = reader?.string("introduction", maxLength: 20_000, allowEmpty: true)
        let remarks = reader?.string("remarks", maxLength: 20_000, allowEmpty: true)
        let revision = reader?.int("revision", required: true, rule: .within(1...Double(Int32.max), unit: ""))
        if reader != nil, introduction == nil, remarks == nil, !(reader!.has("introduction") || reader!.has("remarks")) {
            sink.add(FieldPath().key("introduction"), "give introduction or remarks (or both)")
        }
        reader?.finish()
        try sink.check()
        let report = try await change(id) { newest in
            var report = newest
            try Self.refusing { () throws(ReportRefusal) in
                try report.editText(introduction: introduction, remarks: remarks, by: identity.name, at: now(), revision: revision!)
            }
            var changed: [String: JSONValue] = ["version": .integer(report.version)]
            if let introduction { changed["introduction"] = .string(introduction) }
            if let remarks { changed["remarks"] = .string(remarks) }
            return ReportChange(report, audit: [AuditDraft(actor: identity.name, action: "report.edited", subject: Self.subject(id), body: .object(changed))])
        }
        return try await answer(report, status: .ok)
    }

    func approve(_ request: Request, _ context: AppRequestContext, identity: Identity) async throws -> Response {
        let id = try Self.reportID(context)
        let revision = try await Self.revision(request, limit: bodyLimit)
        guard let current = try await store.report(id: id, version: nil) else { throw APIError.notFound("no report \(id.uuidString.lowercased())") }
        // The public edition holds what is released to the public by now, as the public will
        // read it once the period is past the embargo.
        let time = now()
        let publicFrom = assembler.publicFrom(current.period, now: time)
        let (_, publicEdition) = try await assembler.editions(period: current.period, includeUnverified: current.includesUnverified, publicAt: publicFrom)
        let report = try await change(id) { newest in
            var report = newest
            try Self.refusing { () throws(ReportRefusal) in
                try report.approve(by: identity.name, at: time, revision: revision, publicEdition: publicEdition, publicFrom: publicFrom)
            }
            let subject = Self.subject(id)
            // Subscribers hear of it in the same transaction: published once, announced once.
            let notice = try OutboxMessage(id: OutboxMessage.id(event: ReportPublication.event, subject: subject, version: String(report.version)),
                                           event: ReportPublication.event, subject: subject, release: .public, partner: nil, exercise: false,
                                           createdAt: report.publishedAt ?? now(), data: ReportPublication(report))
            return ReportChange(report, audit: [AuditDraft(actor: identity.name, action: "report.published", subject: subject, body: .object([
                "version": .integer(report.version), "title": .string(report.title),
                "ceasefire_violations": .integer(report.internalEdition.totals.ceasefireViolations),
                "public_ceasefire_violations": .integer(report.publicEdition.totals.ceasefireViolations),
            ]))], messages: [notice])
        }
        return try await answer(report, status: .ok)
    }

    func redraft(_ request: Request, _ context: AppRequestContext, identity: Identity) async throws -> Response {
        let id = try Self.reportID(context)
        let revision = try await Self.revision(request, limit: bodyLimit)
        guard let current = try await store.report(id: id, version: nil) else { throw APIError.notFound("no report \(id.uuidString.lowercased())") }
        let time = now()
        let publicFrom = assembler.publicFrom(current.period, now: time)
        let (internalEdition, publicEdition) = try await assembler.editions(period: current.period, includeUnverified: current.includesUnverified,
                                                                            publicAt: publicFrom)
        let report = try await change(id) { newest in
            var report = newest
            try Self.refusing { () throws(ReportRefusal) in
                try report.redraft(internalEdition: internalEdition, publicEdition: publicEdition, publicFrom: publicFrom, at: time, revision: revision)
            }
            return ReportChange(report, audit: [AuditDraft(actor: identity.name, action: "report.redrafted", subject: Self.subject(id), body: .object([
                "version": .integer(report.version), "ceasefire_violations": .integer(internalEdition.totals.ceasefireViolations),
            ]))])
        }
        return try await answer(report, status: .ok)
    }

    func correct(_ request: Request, _ context: AppRequestContext, identity: Identity) async throws -> Response {
        let id = try Self.reportID(context)
        let (body, sink) = (try await RequestBody.json(request, limit: bodyLimit), ErrorSink())
        let reader = ObjectReader(body, path: FieldPath(), sink: sink)
        if reader == nil { sink.add(FieldPath(), "must be an object") }
        let changes = reader?.string("changes", required: true, maxLength: 20_000)
        let revision = reader?.int("revision", required: true, rule: .within(1...Double(Int32.max), unit: ""))
        if let changes, changes.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { sink.add(FieldPath().key("changes"), "must say what changed") }
        reader?.finish()
        try sink.check()
        guard let current = try await store.report(id: id, version: nil) else { throw APIError.notFound("no report \(id.uuidString.lowercased())") }
        // The editions are drafted anew: the correction says what the figures are now.
        let publicFrom = assembler.publicFrom(current.period, now: now())
        let (internalEdition, publicEdition) = try await assembler.editions(period: current.period, includeUnverified: current.includesUnverified,
                                                                            publicAt: publicFrom)
        let report = try await change(id) { newest in
            let next = try Self.refusing { () throws(ReportRefusal) -> DailyReport in
                try newest.corrected(changes: changes!, internalEdition: internalEdition, publicEdition: publicEdition, publicFrom: publicFrom,
                                     by: identity.name, at: now(), revision: revision!)
            }
            return ReportChange(next, audit: [AuditDraft(actor: identity.name, action: "report.corrected", subject: Self.subject(id), body: .object([
                "version": .integer(next.version), "changes": .string(next.correction ?? ""),
            ]))])
        }
        return try await answer(report, status: .created)
    }

    // MARK: Helpers

    /// Changes the newest version of a stored report; a report that is not there is a 404.
    private func change(_ id: UUID, _ decide: @escaping @Sendable (DailyReport) throws -> ReportChange) async throws -> DailyReport {
        guard let current = try await store.report(id: id, version: nil) else { throw APIError.notFound("no report \(id.uuidString.lowercased())") }
        let changed = try await store.changeReport(id, year: current.year, fence: nil) { newest, _ in
            guard let newest else { throw APIError.notFound("no report \(id.uuidString.lowercased())") }
            return try decide(newest)
        }
        guard let changed else { throw APIError(.serviceUnavailable, code: "unavailable", message: "the report could not be stored; retry") }
        return changed
    }

    private func answer(_ report: DailyReport, status: HTTPResponse.Status, headers extra: HTTPFields = [:]) async throws -> Response {
        let index = try await store.reportIndex(id: report.id)
            ?? ReportIndex(id: report.id, latest: report.version, published: nil, periodStart: report.period.start, periodEnd: report.period.end)
        var headers = extra
        headers[.eTag] = "\"\(report.revision)\""
        return try EscalationResponse.make(status: status, ReportView(report, edition: .internal, staff: true, index: index, calendar: settings.calendar),
                                           headers: headers)
    }

    static func refusing<T>(_ body: () throws(ReportRefusal) -> T) throws -> T {
        do {
            return try body()
        } catch {
            switch error {
            case .fourEyes: throw APIError(.forbidden, code: error.code, message: error.message)
            case .emptyCorrection: throw APIError.validation(path: "changes", error.message)
            case .staleRevision(let current):
                throw APIError(.conflict, code: error.code, message: error.message, headers: [.eTag: "\"\(current)\""])
            case .published, .notPublished: throw APIError(.conflict, code: error.code, message: error.message)
            }
        }
    }

    /// `{"revision": n}`: the revision of the version the caller read.
    static func revision(_ request: Request, limit: Int) async throws -> Int {
        let (body, sink) = (try await RequestBody.json(request, limit: limit), ErrorSink())
        let reader = ObjectReader(body, path: FieldPath(), sink: sink)
        if reader == nil { sink.add(FieldPath(), "must be an object") }
        let revision = reader?.int("revision", required: true, rule: .within(1...Double(Int32.max), unit: ""))
        reader?.finish()
        try sink.check()
        return revision!
    }

    static func reportID(_ context: AppRequestContext) throws -> UUID {
        let raw = context.parameters.get("id") ?? ""
        guard let id = UUID(uuidString: raw) else { throw APIError.validation(path: "id", "'\(raw)' is not a UUID") }
        return id
    }

    static func subject(_ id: UUID) -> String { "report/\(id.uuidString.lowercased())" }

    /// Outside the mission a published version is read once its period is past the public embargo.
    static func publicMayRead(_ report: DailyReport, at time: Date) -> Bool {
        report.state == .published && (report.publicFrom.map { time >= $0 } ?? true)
    }
}
