import Foundation

/// RFC 3339 times as Backstop accepts and writes them.
public enum Timestamp {
    /// Parses `2022-02-18T21:30:00Z`, with optional fractional seconds and any numeric offset.
    /// A time without a zone is refused: a monitor's local clock is not a fact.
    public static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) {
            return date
        }
        return try? Date(text, strategy: Date.ISO8601FormatStyle())
    }

    /// UTC with millisecond precision, e.g. `2022-02-18T21:30:00.000Z`. The milliseconds are
    /// the rounded ones `milliseconds(_:)` gives (Foundation's formatter would truncate), so a
    /// time written and read back is the same instant to the millisecond.
    public static func format(_ date: Date) -> String {
        let total = milliseconds(date)
        let seconds = Int64((Double(total) / 1000).rounded(.down))
        let whole = Date(timeIntervalSince1970: Double(seconds)).formatted(Date.ISO8601FormatStyle())
        return String(whole.dropLast()) + String(format: ".%03dZ", Int(total - seconds * 1000))
    }

    /// The same instant at whole milliseconds, the precision Backstop keeps.
    public static func normalised(_ date: Date) -> Date {
        self.date(milliseconds: milliseconds(date))
    }

    /// Milliseconds since 1970, the precision Backstop keeps.
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    public static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
