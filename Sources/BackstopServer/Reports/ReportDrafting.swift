import BackstopCore
import BackstopStore
import Foundation
import Logging
import ServiceLifecycle

/// Drafts the day's report when it is due (the 24 hours to the reporting time, 19:30 mission
/// time by default), on one node at a time (the `report-drafting` lease). The draft's id follows
/// from its period, so a node that takes over, or a person who asked first, never makes a second.
struct ReportDrafting: Service {
    static let lease = "report-drafting"

    let store: any BackstopStore
    let reports: ReportsController
    let settings: ReportSettings
    let node: String
    let leaseDuration: Double
    let now: @Sendable () -> Date
    let logger = Logger(label: "backstop.reports")

    func run() async throws {
        await LeasedLoop.run(every: settings.interval, lease: Self.lease, holder: node, store: store, logger: logger,
                             failure: "report drafting failed") { _ = try await tick() }
    }

    /// One look; the report drafted, if this look drafted one.
    @discardableResult
    func tick() async throws -> DailyReport? {
        guard try await store.claimLease(Self.lease, holder: node, duration: leaseDuration) != nil else { return nil }
        let period = settings.defaultPeriod(before: now())
        guard try await store.report(id: DailyReport.id(for: period), version: nil) == nil else { return nil }
        guard let (drafted, created) = try await reports.draft(period: period, includeUnverified: false, actor: "schedule",
                                                               fence: WorkFence(lease: Self.lease, holder: node)), created else { return nil }
        logger.info("drafted the day's report", metadata: ["report": "\(drafted.title)", "id": "\(drafted.id.uuidString.lowercased())"])
        return drafted
    }
}
