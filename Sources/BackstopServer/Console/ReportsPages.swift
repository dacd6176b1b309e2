import BackstopCore
import BackstopStore
import Foundation
import Hummingbird

/// The mission's reports pages: the list of daily reports with the charts of violations per day
/// and per sector (drawn by Chart.js from the tables the page holds, so the figures are there
/// without a script too), and one report's work page: its figures, its free text, and the
/// steps the reader's role may take (redraft, edit, approve, correct). The steps are sent by
/// `reports.js` to the API's own endpoints as JSON with the session's CSRF token, since the
/// text's edit is a PATCH, which no HTML form can send.
struct ReportsPages: Sendable {
    let reports: ReportsController
    let pages: PageRenderer

    /// The charts' span, in reporting days.
    static let chartDays = 30

    func list(_ context: AppRequestContext, identity: Identity) async throws -> Response {
        let items = try await reports.listing(state: nil, limit: 100, caller: EscalationCaller(identity: identity))
        let calendar = reports.settings.calendar
        let rows: [[String: Any]] = items.map { item in
            ["title": item.title, "href": "/console/reports/\(item.id.uuidString.lowercased())", "version": item.version, "state": item.state.rawValue,
             "period": "\(calendar.short(item.period.start)) – \(calendar.short(item.period.end))",
             "published": item.publishedAt.map(calendar.short) ?? ""]
        }
        let statistics = try await reports.statisticsView(days: Self.chartDays)
        let days: [[String: Any]] = statistics.days.map { day in
            ["label": day.label, "verified": day.verified, "unverified": day.unverified, "from": Timestamp.format(day.from), "to": Timestamp.format(day.to),
             "period": "\(calendar.short(day.from)) – \(calendar.short(day.to))"]
        }
        let regions: [[String: Any]] = statistics.regions.map { region in
            ["name": region.name ?? "Elsewhere", "verified": region.verified, "unverified": region.unverified]
        }
        var values = ConsoleFrame.values("Daily reports", context, identity: identity)
        values.merge([
            "reports": rows, "noReports": rows.isEmpty, "days": days, "periods": Array(days.reversed()), "regions": regions,
            "noRegions": regions.isEmpty, "chartDays": Self.chartDays, "timeZone": statistics.timeZone,
            "training": statistics.liveFireTraining > 0 ? statistics.liveFireTraining : nil as Int? as Any, "charts": true,
        ]) { $1 }
        return page("console-reports", values)
    }

    func report(_ context: AppRequestContext, identity: Identity) async throws -> Response {
        let id = try ReportsController.reportID(context)
        let store = reports.store
        guard let index = try await store.reportIndex(id: id), let report = try await store.report(id: id, version: index.latest) else {
            throw APIError.notFound("no report \(id.uuidString.lowercased())")
        }
        let calendar = reports.settings.calendar
        let view = ReportView(report, edition: .internal, staff: true, index: index, calendar: calendar)
        let supervisor = [Role.supervisor, .admin].contains(identity.role)
        let ownText = report.textEditedBy == identity.name
        let draft = report.state == .draft
        let href = "/api/v1/reports/\(id.uuidString.lowercased())"
        var values = ConsoleFrame.values(report.title, context, identity: identity)
        values.merge([
            "id": id.uuidString.lowercased(), "api": href, "reportTitle": report.title, "state": report.state.rawValue, "version": report.version,
            "revision": report.revision, "draft": draft, "basis": view.basis, "span": view.span,
            "includesUnverified": report.includesUnverified,
            "draftedBy": report.draftedBy, "draftedAt": calendar.short(report.draftedAt),
            "textEditedBy": report.textEditedBy as Any, "approvedBy": report.approvedBy as Any,
            "publishedAt": report.publishedAt.map(calendar.short) as Any, "publicFrom": report.publicFrom.map(calendar.short) as Any,
            "correction": report.correction as Any,
            "introduction": report.introduction, "remarks": report.remarks,
            "summary": view.content.summary.map { ["name": $0.name, "bullets": $0.bullets.map { ["text": $0.text] }] },
            "caveats": view.content.caveats, "hasCaveats": !view.content.caveats.isEmpty,
            "versions": view.versions.map { ["number": $0, "href": "\(href)?version=\($0)&f=html"] },
            "canApprove": draft && supervisor && !ownText, "ownText": draft && supervisor && ownText,
            "canCorrect": report.state == .published,
        ]) { $1 }
        return page("console-report", values)
    }

    private func page(_ template: String, _ values: [String: Any]) -> Response {
        var response = pages.response(template, values)
        ConsoleFrame.secure(&response)
        return response
    }
}
