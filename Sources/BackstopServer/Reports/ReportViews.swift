import BackstopCore
import BackstopStore
import Foundation

/// A daily report as a caller may read it (encoded with `EscalationJSON`, snake_case): one
/// edition (the public one outside the mission), and the names of who drafted, edited and
/// approved it only for the mission's staff.
struct ReportView: Encodable, Sendable {
    var id: UUID
    var title: String
    var number: Int
    var year: Int
    var version: Int
    var state: DailyReport.State
    var period: ReportPeriod
    var timeZone: String
    /// "19:30, 25 November 2026": what the header's "as of" names.
    var basis: String
    /// "between the evenings of 24 and 25 November 2026"
    var span: String
    var includesUnverified: Bool
    var edition: DailyReport.Edition
    var introduction: String
    var remarks: String
    var correction: String?
    var draftedAt: Date
    var draftedBy: String?
    var textEditedBy: String?
    var approvedBy: String?
    var publishedAt: Date?
    /// From when the public may read the published public edition.
    var publicFrom: Date?
    var revision: Int
    /// The versions this caller may read, and the newest published one when this is older.
    var versions: [Int]
    var supersededBy: Int?
    var content: ReportContent

    init(_ report: DailyReport, edition: DailyReport.Edition, staff: Bool, index: ReportIndex, calendar: ReportCalendar) {
        id = report.id
        title = report.title
        number = report.number
        year = report.year
        version = report.version
        state = report.state
        period = report.period
        timeZone = report.timeZone
        basis = calendar.moment(report.period.end)
        span = calendar.span(report.period)
        includesUnverified = report.includesUnverified
        self.edition = edition
        introduction = report.introduction
        remarks = report.remarks
        correction = report.correction
        draftedAt = report.draftedAt
        draftedBy = staff ? report.draftedBy : nil
        textEditedBy = staff ? report.textEditedBy : nil
        approvedBy = staff ? report.approvedBy : nil
        publishedAt = report.publishedAt
        publicFrom = report.publicFrom
        revision = report.revision
        versions = Array(stride(from: 1, through: staff ? index.latest : (index.published ?? 0), by: 1))
        supersededBy = index.published.flatMap { $0 > report.version ? $0 : nil }
        content = report.content(edition)
    }

    /// What the page template shows (the same view, so the HTML and PDF say what the JSON says).
    func pageContext(calendar: ReportCalendar) -> [String: Any] {
        [
            "id": id.uuidString.lowercased(), "title": title, "version": String(version), "draft": state == .draft,
            "corrected": version > 1, "previousVersion": String(version - 1), "correction": correction as Any,
            "supersededBy": supersededBy.map(String.init) as Any,
            "editionName": edition == .internal ? "Internal edition, not for release" : "Public edition",
            "basis": basis, "span": span, "timeZoneName": calendar.offsetName(at: period.end), "includesUnverified": includesUnverified,
            "introduction": introduction.isEmpty ? nil as String? as Any : introduction,
            "remarks": remarks.isEmpty ? nil as String? as Any : remarks,
            "summary": content.summary.map { ["name": $0.name, "bullets": $0.bullets.map { ["text": $0.text] }] },
            "details": content.details.map { ["heading": $0.heading, "lines": $0.lines] },
            "caveats": content.caveats,
            "annex": content.annex.enumerated().map { index, row in
                [
                    "row": String(index + 1), "time": row.time, "region": row.region, "place": row.place, "kind": row.kind,
                    "events": String(row.events), "weapons": row.weapons, "direction": row.direction, "observedBy": row.observedBy,
                    "findings": row.findings, "verifiedText": row.verified ? "yes" : "no",
                ] as [String: Any]
            },
            "publishedAt": publishedAt.map(calendar.moment) as Any, "approvedBy": approvedBy as Any, "draftedAt": calendar.moment(draftedAt),
        ]
    }
}

/// One line of the list of reports.
struct ReportListing: Encodable, Sendable {
    struct Item: Encodable, Sendable {
        var id: UUID
        var title: String
        var version: Int
        var state: DailyReport.State
        var period: ReportPeriod
        var publishedAt: Date?
        var href: String
    }

    var reports: [Item]
}

/// `GET /api/v1/statistics/violations`: ceasefire violations per reporting day and per sector.
struct ViolationStatisticsView: Encodable, Sendable {
    struct Day: Encodable, Sendable {
        var from: Date
        var to: Date
        /// The day the period ends on, in the mission's time zone ("25 Nov").
        var label: String
        var verified: Int
        var unverified: Int
    }

    struct Region: Encodable, Sendable {
        /// Nil for incidents in no sector, or with no place.
        var name: String?
        var verified: Int
        var unverified: Int

        enum CodingKeys: String, CodingKey { case name, verified, unverified }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)   // null, not left out: "in no sector" is an answer
            try container.encode(verified, forKey: .verified)
            try container.encode(unverified, forKey: .unverified)
        }
    }

    var timeZone: String
    var days: [Day]
    var regions: [Region]
    var liveFireTraining: Int

    init(_ statistics: ViolationStatistics, calendar: ReportCalendar) {
        timeZone = calendar.timeZone.identifier
        days = statistics.days.map { day in
            Day(from: day.period.start, to: day.period.end, label: calendar.shortDay(day.period.end),
                verified: day.tally.verified, unverified: day.tally.unverified)
        }
        regions = statistics.regions.map { Region(name: $0.name, verified: $0.tally.verified, unverified: $0.tally.unverified) }
        liveFireTraining = statistics.liveFireTraining
    }
}
