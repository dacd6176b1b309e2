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

    /// UTC with millisecond precision, e.g. `2022-02-18T21:30:00.000Z`.
    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// Milliseconds since 1970, the precision Backstop keeps.
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    public static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
