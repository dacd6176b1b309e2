import Foundation

/// The time a daily report covers: by default the 24 hours ending at the mission's reporting
/// time (19:30 mission time, as the OSCE mission reported "as of 19:30"); any other range for a
/// weekend report covering several evenings. Counts are compared with the period of the same
/// length just before.
public struct ReportPeriod: Sendable, Hashable, Codable {
    public var start: Date
    public var end: Date

    public init(start: Date, end: Date) {
        self.start = start
        self.end = end
    }

    public var duration: TimeInterval { end.timeIntervalSince(start) }

    /// The period of the same length that ends where this one starts.
    public var previous: ReportPeriod { ReportPeriod(start: start.addingTimeInterval(-duration), end: start) }

    public func contains(_ date: Date) -> Bool { start <= date && date < end }

    /// The 24 hours ending at the last reporting time (`hour`:`minute` in `timeZone`) at or before `now`.
    public static func daily(before now: Date, hour: Int = 19, minute: Int = 30, timeZone: TimeZone) -> ReportPeriod {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var parts = calendar.dateComponents([.year, .month, .day], from: now)
        parts.hour = hour
        parts.minute = minute
        var end = calendar.date(from: parts) ?? now
        if end > now { end = calendar.date(byAdding: .day, value: -1, to: end) ?? end.addingTimeInterval(-86_400) }
        let start = calendar.date(byAdding: .day, value: -1, to: end) ?? end.addingTimeInterval(-86_400)
        return ReportPeriod(start: start, end: end)
    }
}

/// How the report's header states its period and time basis, as the OSCE mission did:
/// "based on information from the Monitoring Teams as of 19:30, 25 November 2026".
public struct ReportCalendar: Sendable {
    public var timeZone: TimeZone

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    private func formatter(_ format: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = timeZone
        formatter.dateFormat = format
        return formatter
    }

    /// "19:30, 25 November 2026"
    public func moment(_ date: Date) -> String { formatter("HH:mm, d MMMM yyyy").string(from: date) }

    /// "25 November 2026"
    public func day(_ date: Date) -> String { formatter("d MMMM yyyy").string(from: date) }
    /// "25 Nov": a chart's axis.
    public func shortDay(_ date: Date) -> String { formatter("d MMM").string(from: date) }

    /// "25 Nov 21:14": a time in the annex, whose year the header gives.
    public func dayAndTime(_ date: Date) -> String { formatter("d MMM HH:mm").string(from: date) }

    /// "25 Nov 2026 21:14"
    public func short(_ date: Date) -> String { formatter("d MMM yyyy HH:mm").string(from: date) }

    /// The year the report is numbered in: that of its end, in mission time.
    public func year(_ date: Date) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.component(.year, from: date)
    }

    /// "between the evenings of 24 and 25 November 2026", or of several evenings for a longer report.
    public func span(_ period: ReportPeriod) -> String {
        let days = Int((period.duration / 86_400).rounded())
        if days == 1 { return "between the evenings of \(formatter("d").string(from: period.start)) and \(day(period.end))" }
        return "between \(moment(period.start)) and \(moment(period.end))" + (days > 1 ? " (\(days) days)" : "")
    }

    /// "UTC+2" / "UTC+02:30": the time zone as the header names it.
    public func offsetName(at date: Date) -> String {
        let seconds = timeZone.secondsFromGMT(for: date)
        let sign = seconds < 0 ? "-" : "+"
        let hours = abs(seconds) / 3600, minutes = abs(seconds) % 3600 / 60
        return "\(timeZone.identifier) (UTC\(sign)\(hours)\(minutes == 0 ? "" : String(format: ":%02d", minutes)))"
    }
}
