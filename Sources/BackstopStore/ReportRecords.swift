import BackstopCore
import Foundation

/// Where a daily report stands: its newest version and its newest published one.
public struct ReportIndex: Sendable, Hashable, Codable {
    public var id: UUID
    public var latest: Int
    public var published: Int?
    public var periodStart: Date
    public var periodEnd: Date

    public init(id: UUID, latest: Int, published: Int?, periodStart: Date, periodEnd: Date) {
        self.id = id
        self.latest = latest
        self.published = published
        self.periodStart = periodStart
        self.periodEnd = periodEnd
    }
}

/// What a change of a report writes: the version, its audit entries and the messages it sends
/// (a publication), committed together.
public struct ReportChange: Sendable {
    public var report: DailyReport
    public var audit: [AuditDraft]
    public var messages: [OutboxMessage]

    public init(_ report: DailyReport, audit: [AuditDraft] = [], messages: [OutboxMessage] = []) {
        self.report = report
        self.audit = audit
        self.messages = messages
    }
}

/// The publishing capability: daily reports, each version kept, published versions never
/// rewritten, every change written with its audit entries in one transaction. Stored as
/// documents beside escalation's, so every store that keeps those keeps these.
public protocol ReportRecords: Sendable {
    /// Every report's index, newest period first.
    func reportIndex() async throws -> [ReportIndex]
    /// One report's index.
    func reportIndex(id: UUID) async throws -> ReportIndex?
    /// One version of a report (nil: the newest).
    func report(id: UUID, version: Int?) async throws -> DailyReport?
    /// In one transaction: reads the report's newest version, lets `change` decide (it throws
    /// to refuse, and nothing is written; `number` is the number a new report would take in
    /// its year), and writes the version it returns with its audit entries and outbox
    /// messages (fanned out to the subscriptions that want them, as escalation's are): a new report, a
    /// changed draft, or the next version. A published version is never rewritten
    /// (`StoreError.staleVersion`). With a fence, only while its holder holds the lease (nil
    /// when it does not).
    func changeReport(_ id: UUID, year: Int, fence: WorkFence?,
                      _ change: @escaping @Sendable (_ newest: DailyReport?, _ number: Int) throws -> ReportChange) async throws -> DailyReport?
}

extension ReportRecords where Self: EscalationRecords {
    public func reportIndex() async throws -> [ReportIndex] {
        try await escalationRecords(.report, ids: nil).map { try $0.decode(ReportIndex.self) }
            .sorted { ($0.periodEnd, $0.id.uuidString) > ($1.periodEnd, $1.id.uuidString) }
    }

    public func report(id: UUID, version: Int?) async throws -> DailyReport? {
        var number = version
        if number == nil { number = try await reportIndex(id: id)?.latest }
        guard let number else { return nil }
        return try await escalationRecords(.reportVersion, ids: [Self.versionKey(id, number)]).first?.decode(DailyReport.self)
    }

    public func changeReport(_ id: UUID, year: Int, fence: WorkFence?,
                             _ change: @escaping @Sendable (_ newest: DailyReport?, _ number: Int) throws -> ReportChange) async throws -> DailyReport? {
        // The newest version is known only from the index: read it, then read both again in the
        // transaction and refuse if another change came in between (the caller sees a stale revision).
        let seen = try await reportIndex(id: id)?.latest
        let indexKey = EscalationKey(.report, Self.reportKey(id))
        let countKey = EscalationKey(.reportCount, String(year))
        let versionKey = seen.map { EscalationKey(.reportVersion, Self.versionKey(id, $0)) }
        let box = Decided<DailyReport>()
        let written = try await changeEscalation([indexKey, countKey] + (versionKey.map { [$0] } ?? []), fence: fence) { current in
            let index = try current[indexKey]?.decode(ReportIndex.self)
            guard index?.latest == seen else { throw StoreError.staleVersion(what: "report \(id.uuidString.lowercased())", current: index?.latest ?? 0) }
            let newest = try versionKey.flatMap { current[$0] }?.decode(DailyReport.self)
            let count = try current[countKey].map { try $0.decode(Int.self) } ?? 0
            let decided = try change(newest, count + 1)
            let report = decided.report
            if let newest, newest.state == .published, report.version == newest.version {
                throw StoreError.staleVersion(what: "published version \(newest.version) of report \(id.uuidString.lowercased())", current: newest.version)
            }
            var write = EscalationWrite(audit: decided.audit, messages: decided.messages)
            try write.put(.reportVersion, Self.versionKey(id, report.version), report)
            let published = report.state == .published ? report.version : index?.published
            try write.put(.report, Self.reportKey(id), ReportIndex(id: id, latest: report.version, published: published,
                                                                   periodStart: report.period.start, periodEnd: report.period.end))
            if newest == nil { try write.put(.reportCount, String(year), count + 1) }
            box.set(report)
            return write
        }
        return written == nil ? nil : box.get()
    }

    public func reportIndex(id: UUID) async throws -> ReportIndex? {
        try await escalationRecords(.report, ids: [Self.reportKey(id)]).first?.decode(ReportIndex.self)
    }

    static func reportKey(_ id: UUID) -> String { id.uuidString.lowercased() }
    static func versionKey(_ id: UUID, _ version: Int) -> String { "\(reportKey(id))@\(version)" }
}
