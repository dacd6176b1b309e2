import BackstopCore
import BackstopStore
import Foundation
import Testing

/// Daily reports on every store: a version and its index written with the audit entry in one
/// transaction, numbered per year, a published version never rewritten, a refusal or a lost
/// lease writing nothing, and two nodes drafting the same period making one report.
extension StoreConformanceTests {
    static func dailyReport(_ day: Int, by actor: String = "analyst-1") -> DailyReport {
        let end = start.addingTimeInterval(Double(day) * 86_400)
        let period = ReportPeriod(start: end.addingTimeInterval(-86_400), end: end)
        let empty = ReportContent(summary: [], details: [], caveats: [], annex: [],
                                  totals: .init(ceasefireViolations: day, explosions: 0, previousCeasefireViolations: 0, previousExplosions: 0,
                                                liveFireTraining: 0, civilianKilled: 0, civilianInjured: 0, freedomOfMovementRestrictions: 0,
                                                incidents: 0, unverifiedLeftOut: 0))
        return DailyReport(id: DailyReport.id(for: period), number: 0, year: 2021, period: period, timeZone: "Europe/Kyiv", includesUnverified: false,
                           internalEdition: empty, publicEdition: empty, draftedBy: actor, draftedAt: end)
    }

    func draft(_ store: any BackstopStore, _ report: DailyReport, fence: WorkFence? = nil) async throws -> DailyReport? {
        try await store.changeReport(report.id, year: report.year, fence: fence) { newest, number in
            guard newest == nil else { throw StoreError.staleVersion(what: "report", current: newest!.version) }
            var numbered = report
            numbered.number = number
            return ReportChange(numbered, audit: [AuditDraft(actor: report.draftedBy, action: "report.drafted",
                                                             subject: "report/\(report.id.uuidString.lowercased())", body: .object(["number": .integer(number)]))])
        }
    }

    // MARK: Tests

    @Test(arguments: StoreKind.allCases)
    func reportsAreNumberedPerYearAndEachVersionIsKept(kind: StoreKind) async throws {
        try await withNodes(kind, 1) { (nodes: [any BackstopStore]) async throws in
            let store = nodes[0]
            let first = try #require(try await draft(store, Self.dailyReport(1)))
            let second = try #require(try await draft(store, Self.dailyReport(2)))
            #expect(first.number == 1 && second.number == 2 && second.title == "Daily Report 002/2021")
            #expect(try await store.reportIndex().map(\.id) == [second.id, first.id], "newest period first")
            let audit = try await store.auditEntries(subjects: ["report/\(first.id.uuidString.lowercased())"], limit: 10)
            #expect(audit.map(\.action) == ["report.drafted"], "the draft and its audit entry commit together")

            // Edited, approved, corrected: every version stays readable, the index follows. The
            // publication's message is fanned out to the subscription that wants it, in the same transaction.
            let subscriber = Self.subscription(9, events: [ReportPublication.event], release: .public)
            try await subscribe(store, [subscriber])
            let approved = try #require(try await store.changeReport(first.id, year: 2021, fence: nil) { newest, _ in
                var report = newest!
                try report.approve(by: "supervisor-1", at: Self.start, revision: report.revision)
                let notice = try OutboxMessage(id: OutboxMessage.id(event: ReportPublication.event, subject: "report/x", version: "1"),
                                               event: ReportPublication.event, subject: "report/x", release: .public, partner: nil, exercise: false,
                                               createdAt: Self.start, data: ReportPublication(report))
                return ReportChange(report, audit: [AuditDraft(actor: "supervisor-1", action: "report.published", subject: "report/x", body: .object([:]))],
                                    messages: [notice])
            })
            #expect(approved.state == .published)
            #expect(try await store.deliveries(subscription: subscriber.id, state: nil, limit: 10).count == 1)
            // A published version is never written again, whatever a change returns.
            await #expect(throws: StoreError.self) {
                _ = try await store.changeReport(first.id, year: 2021, fence: nil) { newest, _ in
                    var report = newest!
                    report.introduction = "rewritten"
                    return ReportChange(report)
                }
            }
            #expect(try await store.report(id: first.id, version: 1)?.introduction == "")
            let corrected = try #require(try await store.changeReport(first.id, year: 2021, fence: nil) { newest, _ in
                let next = try newest!.corrected(changes: "one incident counted twice", internalEdition: newest!.internalEdition,
                                                 publicEdition: newest!.publicEdition, by: "analyst-1", at: Self.start, revision: newest!.revision)
                return ReportChange(next)
            })
            #expect(corrected.version == 2 && corrected.state == .draft)
            let index = try #require(try await store.reportIndex().first { $0.id == first.id })
            #expect(index.latest == 2 && index.published == 1)
            #expect(try await store.report(id: first.id, version: nil)?.version == 2)
            #expect(try await store.report(id: first.id, version: 1)?.state == .published)
            #expect(try await store.report(id: UUID(), version: nil) == nil)

            // A refusal writes nothing.
            await #expect(throws: ReportRefusal.self) {
                _ = try await store.changeReport(first.id, year: 2021, fence: nil) { newest, _ in
                    var report = newest!
                    try report.approve(by: "analyst-1", at: Self.start, revision: report.revision) // analyst-1 wrote the correction
                    return ReportChange(report)
                }
            }
            #expect(try await store.report(id: first.id, version: 2)?.state == .draft)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func twoNodesDraftingOnePeriodMakeOneReportAndOnlyTheLeaseHolderWrites(kind: StoreKind) async throws {
        try await withNodes(kind, 2) { (nodes: [any BackstopStore]) async throws in
            let report = Self.dailyReport(3)
            let fence = WorkFence(lease: "report-drafting", holder: "n1")
            #expect(try await draft(nodes[0], report, fence: fence) == nil, "without the lease nothing is written")
            #expect(try await nodes[0].reportIndex().isEmpty)
            #expect(try await nodes[0].claimLease("report-drafting", holder: "n1", duration: 30) != nil)
            let results = await withTaskGroup(of: DailyReport?.self) { group in
                for node in nodes { group.addTask { try? await self.draft(node, report) } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.compactMap { $0 }.count == 1, "one drafts it, the other is refused")
            #expect(try await nodes[1].reportIndex().count == 1)
            #expect(try await nodes[1].report(id: report.id, version: nil)?.number == 1)
        }
    }
}
