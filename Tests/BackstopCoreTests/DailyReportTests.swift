import BackstopCore
import Foundation
import Testing

/// The daily report's rules, without a server: the default period in mission time, counts of
/// events (not records) of verified incidents against the previous period, the bullets' fixed
/// order, the detail sections as monitors write them, the caveats, and the life cycle (four
/// eyes, published versions never change, a correction is the next version).
@Suite struct DailyReportTests {
    static let kyiv = TimeZone(identifier: "Europe/Kyiv")!
    static let period = ReportPeriod(start: Timestamp.parse("2021-03-01T17:30:00Z")!, end: Timestamp.parse("2021-03-02T17:30:00Z")!)
    let composer = DailyReportComposer(regions: ["North", "South"], includeUnverified: false, calendar: ReportCalendar(timeZone: kyiv))

    func incident(_ kind: String, at time: String, region: String? = "North", events: Int = 1, verified: Bool = true,
                  findings: [ReportIncident.Finding] = [], weapons: [IncidentSummary.Weapon] = [], training: Bool = false,
                  disengagement: Bool = false) -> ReportIncident {
        let start = Timestamp.parse(time)!
        return ReportIncident(id: UUID(), kind: kind, start: start, end: start.addingTimeInterval(60), region: region, place: "48.1° N, 37.8° E",
                              events: events, verified: verified, weapons: weapons, findings: findings, inDisengagementArea: disengagement,
                              liveFireTraining: training)
    }

    func bullet(_ content: ReportContent, _ region: String, _ topic: ReportContent.Topic) -> String {
        content.summary.first { $0.name == region }?.bullets.first { $0.topic == topic }?.text ?? "(missing)"
    }

    // MARK: Tests

    @Test func theDefaultPeriodIsThe24HoursToTheLastReportingTimeInMissionTime() {
        // 19:30 in Kyiv is 17:30 UTC in winter (UTC+2) and 16:30 UTC in summer (UTC+3).
        let winter = ReportPeriod.daily(before: Timestamp.parse("2021-03-02T18:00:00Z")!, timeZone: Self.kyiv)
        #expect(winter == Self.period)
        let beforeTheEvening = ReportPeriod.daily(before: Timestamp.parse("2021-03-02T17:29:00Z")!, timeZone: Self.kyiv)
        #expect(beforeTheEvening.end == Timestamp.parse("2021-03-01T17:30:00Z")! && beforeTheEvening.duration == 86_400)
        let summer = ReportPeriod.daily(before: Timestamp.parse("2021-07-01T12:00:00Z")!, timeZone: Self.kyiv)
        #expect(summer.end == Timestamp.parse("2021-06-30T16:30:00Z")!)
        #expect(Self.period.previous == ReportPeriod(start: Timestamp.parse("2021-02-28T17:30:00Z")!, end: Self.period.start))
        let calendar = ReportCalendar(timeZone: Self.kyiv)
        #expect(calendar.moment(Self.period.end) == "19:30, 2 March 2021")
        #expect(calendar.span(Self.period) == "between the evenings of 1 and 2 March 2021")
        #expect(DailyReport.id(for: Self.period) == DailyReport.id(for: Self.period))
        #expect(DailyReport.id(for: Self.period) != DailyReport.id(for: Self.period.previous))
    }

    @Test func violationsAreEventsOfVerifiedIncidentsAgainstThePreviousPeriod() {
        let incidents = [
            incident("explosion", at: "2021-03-01T20:00:00Z", events: 3),           // three explosions heard as one incident
            incident("bursts_shots", at: "2021-03-02T01:00:00Z", events: 40),
            incident("explosion", at: "2021-03-02T02:00:00Z", events: 5, verified: false),  // not verified: not counted
            incident("explosion", at: "2021-03-02T03:00:00Z", region: "South", events: 2),
            incident("bursts_shots", at: "2021-03-02T04:00:00Z", events: 7, training: true),
            incident("explosion", at: "2021-03-01T10:00:00Z", events: 4),           // the previous period
            incident("muzzle_flash", at: "2021-02-28T18:00:00Z", events: 25),       // the previous period
            incident("explosion", at: "2021-02-27T10:00:00Z", events: 100),          // before both: not counted
        ]
        let content = composer.compose(period: Self.period, incidents: incidents, records: [], silent: [])
        #expect(bullet(content, "North", .ceasefireViolations)
                == "The Mission recorded 43 ceasefire violations, including three explosions. In the previous 24 hours, it recorded 29 (including four explosions). It also recorded seven violations assessed as live-fire training.")
        #expect(bullet(content, "South", .ceasefireViolations).hasPrefix("The Mission recorded two ceasefire violations, including two explosions. In the previous 24 hours, it recorded 0."))
        #expect(content.totals.ceasefireViolations == 45 && content.totals.explosions == 5 && content.totals.previousCeasefireViolations == 29)
        #expect(content.totals.unverifiedLeftOut == 1 && content.totals.liveFireTraining == 7)
        #expect(content.caveats.contains { $0.contains("one incident of the period awaiting verification") })
        #expect(content.annex.count == 4 && content.annex.allSatisfy(\.verified))
        // Counting the unverified too, the report says so.
        let everything = DailyReportComposer(regions: ["North", "South"], includeUnverified: true, calendar: composer.calendar)
            .compose(period: Self.period, incidents: incidents, records: [], silent: [])
        #expect(everything.totals.ceasefireViolations == 50 && everything.caveats.first { $0.contains("not yet verified") } != nil)
    }

    @Test func anIncidentCountsInThePeriodHoldingItsStartOnly() {
        // Starts before the period ends and goes on past it: counted in this report, not the next.
        var spanning = incident("explosion", at: "2021-03-02T17:20:00Z", events: 2)
        spanning.end = Timestamp.parse("2021-03-02T18:10:00Z")!
        // Shown to the hour (as the public sees it), counted by when it began.
        var shown = incident("explosion", at: "2021-03-01T17:40:00Z", events: 1)
        shown.shownTime = Timestamp.parse("2021-03-01T17:00:00Z")!
        let this = composer.compose(period: Self.period, incidents: [spanning, shown], records: [], silent: [])
        let next = composer.compose(period: ReportPeriod(start: Self.period.end, end: Self.period.end.addingTimeInterval(86_400)),
                                    incidents: [spanning, shown], records: [], silent: [])
        #expect(this.totals.ceasefireViolations == 3 && next.totals.ceasefireViolations == 0 && next.totals.previousCeasefireViolations == 3)
        #expect(this.annex.first?.time == "1 Mar 19:00", "the annex shows the shown time, in mission time")
    }

    @Test func everyRegionListsTheTopicsInTheFixedOrder() {
        let incidents = [
            incident("weapon_sighting", at: "2021-03-01T20:00:00Z",
                     findings: [.init(kind: "weapon_inside_withdrawal_distance", rule: "mlrs-70km", text: nil)],
                     weapons: [.init(class: "mlrs", quantity: 12, models: ["BM-21"])]),
            incident("weapon_sighting", at: "2021-03-01T21:00:00Z", weapons: [.init(class: "tank", quantity: 4, models: []), .init(class: "mortar", quantity: 1, models: [])]),
            incident("freedom_of_movement_restriction", at: "2021-03-01T22:00:00Z"),
            incident("gps_interference", at: "2021-03-01T23:00:00Z"),
            incident("explosion", at: "2021-03-02T00:00:00Z", events: 2, disengagement: true),
            incident("bursts_shots", at: "2021-03-02T00:30:00Z", region: nil, events: 3),
        ]
        let content = composer.compose(period: Self.period, incidents: incidents, records: [], silent: [])
        #expect(content.summary.map(\.name) == ["North", "South", DailyReportComposer.elsewhere])
        for region in content.summary { #expect(region.bullets.map(\.topic) == ReportContent.Topic.allCases) }
        #expect(bullet(content, "North", .weaponsInViolation) == "The Mission saw 12 multiple launch rocket systems in violation of the withdrawal lines.")
        #expect(bullet(content, "North", .weaponsBeyondWithdrawal)
                == "The Mission saw four tanks and one mortar beyond the withdrawal lines but outside designated storage sites.")
        #expect(bullet(content, "North", .freedomOfMovement) == "The Mission's freedom of movement was restricted once.* Its UAVs met GPS signal interference once.")
        #expect(bullet(content, "North", .disengagementAreas) == "The Mission recorded two ceasefire violations inside the disengagement areas.")
        #expect(bullet(content, "South", .ceasefireViolations).hasPrefix("The Mission recorded no ceasefire violations."))
        #expect(bullet(content, DailyReportComposer.elsewhere, .ceasefireViolations).hasPrefix("The Mission recorded three ceasefire violations, none of them explosions."))
    }

    @Test func detailsSayWhatEachReporterHeardAndSawAsMonitorsWriteIt() {
        let records = [
            ReportRecord(reporter: "patrol-7", modality: "heard", kind: "explosion", subkind: "undetermined", count: 2, bearingDegrees: 44, distanceKm: 2...4),
            ReportRecord(reporter: "patrol-7", modality: "heard", kind: "explosion", subkind: "undetermined", count: 13, bearingDegrees: 46, distanceKm: 2...4),
            ReportRecord(reporter: "patrol-7", modality: "heard", kind: "bursts_shots", count: 200),
            ReportRecord(reporter: "patrol-7", modality: "saw", kind: "weapon_sighting", count: 1, bearingDegrees: 180, distanceKm: 3...3),
            ReportRecord(reporter: "camera-shyrokyne", modality: "camera", kind: "projectile", count: 57, bearingDegrees: 112.5, distanceKm: 1...4),
        ]
        let content = composer.compose(period: Self.period, incidents: [], records: records, silent: [])
        #expect(content.details.map(\.heading) == ["camera-shyrokyne", "patrol-7"])
        #expect(content.details[0].lines == ["recorded (camera) 57 projectiles in flight 1-4 km east-south-east"])
        #expect(content.details[1].lines == ["heard 15 undetermined explosions 2-4 km north-east", "heard 200 shots and bursts", "saw one weapon sighting 3 km south"])
    }

    @Test func caveatsNameTheSensorsThatWereSilent() {
        let silent = [SilentSensor(name: "camera-zolote", modality: "camera", lastReport: Timestamp.parse("2021-02-27T08:00:00Z")),
                      SilentSensor(name: "acoustic-3", modality: "acoustic", lastReport: nil)]
        let anonymous = composer.compose(period: Self.period, incidents: [], records: [], silent: silent, nameSilentSensors: false)
        #expect(anonymous.caveats.first == "Two cameras and sensors of the Mission did not report during the period, so the counts may be low.")
        let content = composer.compose(period: Self.period, incidents: [], records: [], silent: silent)
        #expect(content.caveats.first == "Not reporting during the period, so the counts may be low where they watch: acoustic-3 (acoustic sensor) and camera-zolote (camera, last report 27 Feb 2021 10:00).")
    }

    @Test func aDraftIsApprovedUnderFourEyesAndNeverChangesOncePublished() throws {
        let content = composer.compose(period: Self.period, incidents: [], records: [], silent: [])
        var report = DailyReport(id: DailyReport.id(for: Self.period), number: 42, year: 2021, period: Self.period, timeZone: "Europe/Kyiv",
                                 includesUnverified: false, internalEdition: content, publicEdition: content, draftedBy: "schedule",
                                 draftedAt: Self.period.end)
        #expect(report.title == "Daily Report 042/2021")
        #expect(throws: ReportRefusal.staleRevision(current: 1)) { try report.editText(introduction: "x", remarks: nil, by: "analyst-1", at: Self.period.end, revision: 7) }
        try report.editText(introduction: "A quiet day.", remarks: nil, by: "supervisor-1", at: Self.period.end, revision: 1)
        #expect(report.revision == 2 && report.textEditedBy == "supervisor-1")
        #expect(throws: ReportRefusal.fourEyes(editor: "supervisor-1")) { try report.approve(by: "supervisor-1", at: Self.period.end, revision: 2) }
        try report.approve(by: "supervisor-2", at: Self.period.end, revision: 2)
        #expect(report.state == .published && report.approvedBy == "supervisor-2")
        #expect(throws: ReportRefusal.published(version: 1)) { try report.editText(introduction: "y", remarks: nil, by: "analyst-1", at: Self.period.end, revision: 3) }
        #expect(throws: ReportRefusal.published(version: 1)) { try report.approve(by: "supervisor-3", at: Self.period.end, revision: 3) }
        #expect(throws: ReportRefusal.emptyCorrection) {
            try report.corrected(changes: "  ", internalEdition: content, publicEdition: content, by: "analyst-1", at: Self.period.end, revision: 3)
        }
        let next = try report.corrected(changes: "Two explosions near Zolote were counted twice.", internalEdition: content, publicEdition: content,
                                        by: "analyst-1", at: Self.period.end, revision: 3)
        #expect(next.version == 2 && next.state == .draft && next.correction == "Two explosions near Zolote were counted twice." && next.introduction == "A quiet day.")
        #expect(next.textEditedBy == "analyst-1" && next.revision == 1 && next.number == 42)
        #expect(throws: ReportRefusal.notPublished) {
            try next.corrected(changes: "again", internalEdition: content, publicEdition: content, by: "analyst-1", at: Self.period.end, revision: 1)
        }
    }
}
