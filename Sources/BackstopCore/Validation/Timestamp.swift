import Foundation

/// RFC 3339 times as Backstop accepts and writes them.
public enum Timestamp {
    /// The earliest year accepted: older than any agreement Backstop holds (the Korean
    /// Armistice is 1953), late enough that a typo such as year 0202 is caught.
    public static let earliestYear = 1900
    /// The latest year accepted (four digits; times in the future are checked separately).
    public static let latestYear = 9999

    /// Parses `2022-02-18T21:30:00Z`, with optional fractional seconds and an offset with a
    /// colon (`+05:30`). A time without a zone is refused: a monitor's local clock is not a fact.
    public static func parse(_ text: String) -> Date? {
        try? parseStrictly(text).get()
    }

    /// RFC 3339 section 5.6 to the letter, nothing rolled over: a real calendar date from
    /// `earliestYear`, hours 00–23, minutes and seconds 00–59 (a leap second, 60, is refused:
    /// UTC as computers keep it has none, and rounding it would move the record), `T` (or `t`)
    /// between date and time, `Z` (or `z`) or `±HH:MM` with the offset's hours 00–23.
    /// The failure's reason says which part is wrong (`Timestamp.refusal` words it for a field).
    public static func parseStrictly(_ text: String) -> Result<Date, FieldError> {
        func refuse(_ reason: String) -> Result<Date, FieldError> { .failure(FieldError(path: "", reason: reason)) }
        let bytes = Array(text.utf8)
        var index = 0
        func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + count] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += count
            return value
        }
        func expect(_ characters: String) -> Bool {
            guard index < bytes.count, characters.utf8.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        let shape = "does not have the form YYYY-MM-DDTHH:MM:SS[.fff] followed by Z or ±HH:MM"
        guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2), expect("Tt"),
              let hour = digits(2), expect(":"), let minute = digits(2), expect(":"), let second = digits(2) else { return refuse(shape) }
        var nanoseconds = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
            let fraction = bytes[start..<index]
            guard !fraction.isEmpty, fraction.count <= 9 else { return refuse("has \(fraction.isEmpty ? "no" : "more than nine") fractional digits") }
            nanoseconds = fraction.reduce(0) { $0 * 10 + Int($1 - 48) }
            for _ in fraction.count..<9 { nanoseconds *= 10 }
        }
        var offsetSeconds = 0
        if expect("Zz") {
        } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let offsetHours = digits(2), expect(":"), let offsetMinutes = digits(2) else {
                return refuse("has an offset that is not ±HH:MM (with a colon)")
            }
            guard offsetHours <= 23, offsetMinutes <= 59 else { return refuse("has an offset out of range (hours 00–23, minutes 00–59)") }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            return refuse(index == bytes.count ? "has no zone; add Z or an offset such as +02:00" : shape)
        }
        guard index == bytes.count else { return refuse(shape) }
        guard (earliestYear...latestYear).contains(year) else { return refuse("has year \(year); years from \(earliestYear) are accepted") }
        guard (1...12).contains(month) else { return refuse("has month \(month); months are 01–12") }
        guard (1...daysIn(month: month, year: year)).contains(day) else {
            return refuse("has day \(day), but \(year)-\(String(format: "%02d", month)) has \(daysIn(month: month, year: year)) days")
        }
        guard hour <= 23 else { return refuse("has hour \(hour); hours are 00–23") }
        guard minute <= 59 else { return refuse("has minute \(minute); minutes are 00–59") }
        guard second <= 59 else { return refuse("has second \(second); seconds are 00–59 (leap seconds are not accepted)") }
        let days = daysFromCivil(year: year, month: month, day: day)
        let whole = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        // The bounds hold for the instant in UTC too, as Backstop writes it: 1900-01-01T00:00:00+01:00
        // is in 1899, and 9999-12-31T23:00:00-23:00 in year 10000, which RFC 3339 cannot write.
        if whole < daysFromCivil(year: earliestYear, month: 1, day: 1) * 86_400 {
            return refuse("is before \(earliestYear)-01-01T00:00:00Z in UTC; years from \(earliestYear) are accepted")
        }
        if whole >= daysFromCivil(year: latestYear + 1, month: 1, day: 1) * 86_400 {
            return refuse("is after \(latestYear)-12-31T23:59:59Z in UTC")
        }
        return .success(Date(timeIntervalSince1970: Double(whole) + Double(nanoseconds) / 1e9))
    }

    /// How a field names a time it refuses: what was expected, then what is wrong with it.
    public static func refusal(_ raw: String, _ error: FieldError) -> String {
        "'\(raw)' is not an RFC 3339 time with a zone (e.g. 2022-02-18T21:30:00Z): \(error.reason)"
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// UTC with millisecond precision, e.g. `2022-02-18T21:30:00.000Z`. The milliseconds are
    /// the rounded ones `milliseconds(_:)` gives (Foundation's formatter would truncate), so a
    /// time written and read back is the same instant to the millisecond.
    /// Written digit by digit: every stored record, audit entry and response carries times, and
    /// Foundation's formatters cost more than the rest of writing a record.
    public static func format(_ date: Date) -> String {
        let total = milliseconds(date)
        let (seconds, millisecond) = floorDivision(total, 1000)
        let (days, secondOfDay) = floorDivision(seconds, 86_400)
        let (year, month, day) = civil(fromDays: Int(days))
        guard (0...9999).contains(year) else {
            // Outside what RFC 3339 can write (never a time Backstop accepted): Foundation's form.
            let whole = Date(timeIntervalSince1970: Double(seconds)).formatted(Date.ISO8601FormatStyle())
            return String(whole.dropLast()) + ".\(String(1000 + millisecond).dropFirst())Z"
        }
        let fields: [(value: Int, width: Int, then: UInt8)] = [
            (year, 4, UInt8(ascii: "-")), (month, 2, UInt8(ascii: "-")), (day, 2, UInt8(ascii: "T")),
            (Int(secondOfDay / 3600), 2, UInt8(ascii: ":")), (Int(secondOfDay % 3600 / 60), 2, UInt8(ascii: ":")),
            (Int(secondOfDay % 60), 2, UInt8(ascii: ".")), (Int(millisecond), 3, UInt8(ascii: "Z")),
        ]
        return String(unsafeUninitializedCapacity: 24) { buffer in
            var index = 0
            for field in fields {
                var value = field.value
                for position in stride(from: index + field.width - 1, through: index, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
                buffer[index + field.width] = field.then
                index += field.width + 1
            }
            return index
        }
    }

    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let remainder = value % divisor
        return remainder < 0 ? (value / divisor - 1, remainder + divisor) : (value / divisor, remainder)
    }

    /// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's algorithm; the
    /// inverse of `daysFromCivil`).
    private static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
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
