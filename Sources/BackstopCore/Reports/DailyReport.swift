import Foundation

/// One version of a daily report: its two editions (internal: everything the mission knows;
/// public: only what was released to the public, redacted), the free text people add, and its
/// life cycle. Drafted on demand or on the schedule; approved by a supervisor who did not last
/// edit its free text (four eyes); once published, never changed. A correction is a new version,
/// drafted from the published one, that says what changed.
public struct DailyReport: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        case draft, published
    }

    public enum Edition: String, Sendable, Hashable, Codable, CaseIterable {
        case `internal`, `public`
    }

    public var id: UUID
    /// "Daily Report NNN/YYYY".
    public var number: Int
    public var year: Int
    /// 1 for the report as first published; each correction is the next.
    public var version: Int
    public var state: State
    public var period: ReportPeriod
    public var timeZone: String
    public var includesUnverified: Bool
    public var internalEdition: ReportContent
    public var publicEdition: ReportContent
    /// Free text: an opening paragraph and closing remarks, edited on the draft.
    public var introduction: String
    public var remarks: String
    /// What a correction changed (nil on version 1).
    public var correction: String?
    public var draftedBy: String
    public var draftedAt: Date
    /// Who last edited the free text: the one supervisor who may not approve it.
    public var textEditedBy: String?
    public var textEditedAt: Date?
    public var approvedBy: String?
    public var publishedAt: Date?
    /// When the public may read the published public edition: once every incident that ended in
    /// the period is past the public embargo (nil: at publication).
    public var publicFrom: Date?
    /// Grows with every change of this version; a change names the revision it read.
    public var revision: Int

    public init(id: UUID, number: Int, year: Int, period: ReportPeriod, timeZone: String, includesUnverified: Bool,
                internalEdition: ReportContent, publicEdition: ReportContent, draftedBy: String, draftedAt: Date) {
        self.id = id
        self.number = number
        self.year = year
        version = 1
        state = .draft
        self.period = period
        self.timeZone = timeZone
        self.includesUnverified = includesUnverified
        self.internalEdition = internalEdition
        self.publicEdition = publicEdition
        introduction = ""
        remarks = ""
        correction = nil
        self.draftedBy = draftedBy
        self.draftedAt = draftedAt
        revision = 1
    }

    /// "Daily Report 042/2026".
    public var title: String { "Daily Report \(String(format: "%03d", number))/\(year)" }

    public func content(_ edition: Edition) -> ReportContent {
        edition == .internal ? internalEdition : publicEdition
    }

    /// A report's id follows from its period, so the schedule and a person asking for the same
    /// period get the same report, never two.
    public static func id(for period: ReportPeriod) -> UUID {
        DerivedID.uuid(for: .array([.string(Timestamp.format(period.start)), .string(Timestamp.format(period.end))]), namespace: "backstop.daily-report")
    }
}

/// Why a change of a report is refused.
public enum ReportRefusal: Error, Sendable, Hashable {
    /// Published versions never change; a correction is a new version.
    case published(version: Int)
    /// Only the newest version, published, can be corrected.
    case notPublished
    case fourEyes(editor: String)
    case staleRevision(current: Int)
    case emptyCorrection

    public var code: String {
        switch self {
        case .published: "report_published"
        case .notPublished: "illegal_transition"
        case .fourEyes: "four_eyes"
        case .staleRevision: "stale_version"
        case .emptyCorrection: "validation_failed"
        }
    }

    public var message: String {
        switch self {
        case .published(let version): "version \(version) is published and cannot change; a correction is a new version (POST …/corrections)"
        case .notPublished: "the newest version is a draft: edit or approve it; only a published version can be corrected"
        case .fourEyes(let editor): "four-eyes rule: \(editor) last edited this draft's text, so another supervisor must approve it"
        case .staleRevision(let current): "the report changed since it was read; its revision is now \(current)"
        case .emptyCorrection: "a correction must say what changed"
        }
    }
}

extension DailyReport {
    /// Edits the draft's free text (nil leaves a field as it is).
    public mutating func editText(introduction: String?, remarks: String?, by actor: String, at time: Date, revision read: Int) throws(ReportRefusal) {
        guard state == .draft else { throw .published(version: version) }
        guard read == revision else { throw .staleRevision(current: revision) }
        if let introduction { self.introduction = introduction }
        if let remarks { self.remarks = remarks }
        textEditedBy = actor
        textEditedAt = time
        revision += 1
    }

    /// Drafts the editions anew (the figures as they are now: verification goes on after the
    /// reporting time); the free text stays.
    public mutating func redraft(internalEdition: ReportContent, publicEdition: ReportContent, publicFrom: Date, at time: Date,
                                 revision read: Int) throws(ReportRefusal) {
        guard state == .draft else { throw .published(version: version) }
        guard read == revision else { throw .staleRevision(current: revision) }
        self.internalEdition = internalEdition
        self.publicEdition = publicEdition
        self.publicFrom = publicFrom
        draftedAt = time
        revision += 1
    }

    /// Publishes the draft. Its approver may not be who last edited its free text. The public
    /// edition, when given, replaces the drafted one: it holds what was released to the public
    /// by the moment of approval.
    public mutating func approve(by actor: String, at time: Date, revision read: Int, publicEdition: ReportContent? = nil,
                                 publicFrom: Date? = nil) throws(ReportRefusal) {
        guard state == .draft else { throw .published(version: version) }
        guard read == revision else { throw .staleRevision(current: revision) }
        if let editor = textEditedBy, editor == actor { throw .fourEyes(editor: editor) }
        if let publicEdition { self.publicEdition = publicEdition }
        if let publicFrom { self.publicFrom = publicFrom }
        state = .published
        approvedBy = actor
        publishedAt = time
        revision += 1
    }

    /// The next version: a draft with the editions drafted anew and the published text kept,
    /// saying what changed.
    public func corrected(changes: String, internalEdition: ReportContent, publicEdition: ReportContent, publicFrom: Date? = nil,
                          by actor: String, at time: Date, revision read: Int) throws(ReportRefusal) -> DailyReport {
        guard state == .published else { throw .notPublished }
        guard read == revision else { throw .staleRevision(current: revision) }
        let text = changes.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw .emptyCorrection }
        var next = self
        next.version = version + 1
        next.state = .draft
        next.internalEdition = internalEdition
        next.publicEdition = publicEdition
        next.correction = text
        next.draftedBy = actor
        next.draftedAt = time
        // Writing what changed is editing the text: the corrector does not approve their own correction.
        next.textEditedBy = actor
        next.textEditedAt = time
        next.approvedBy = nil
        next.publishedAt = nil
        next.publicFrom = publicFrom ?? self.publicFrom
        next.revision = 1
        return next
    }
}

/// What a `report.published` webhook says: which report and version, where to read it, and
/// from when the public may. Released to the public: every subscriber may read it.
public struct ReportPublication: Sendable, Hashable, Codable {
    public static let event = "report.published"

    public var id: UUID
    public var title: String
    public var version: Int
    public var period: ReportPeriod
    public var publishedAt: Date
    public var correction: String?
    /// The report's path on the server (JSON; `?f=html|pdf` for the others).
    public var href: String
    /// From when the public may read it (its figures are not in the message: they may hold
    /// incidents still under the public embargo until then).
    public var publicFrom: Date

    public init(_ report: DailyReport) {
        id = report.id
        title = report.title
        version = report.version
        period = report.period
        publishedAt = report.publishedAt ?? report.draftedAt
        correction = report.correction
        href = "/api/v1/reports/\(report.id.uuidString.lowercased())?version=\(report.version)"
        publicFrom = max(report.publicFrom ?? publishedAt, publishedAt)
    }
}

