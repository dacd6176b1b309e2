extension String {
    /// Without leading and trailing white space (Unicode's White_Space: spaces, tabs, line
    /// breaks), as Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)` gives it but
    /// without bridging through NSString, which showed in the intake profile (every string field).
    var trimmingWhiteSpace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }

    /// Without leading and trailing spaces and tabs, as Foundation's
    /// `trimmingCharacters(in: .whitespaces)` gives it but without bridging through NSString
    /// (every place phrase is trimmed so on intake).
    var trimmingSpaces: String {
        // Foundation's set: Unicode's space separators (Zs), U+0009 and U+200B (which is not a
        // Zs); `StringFastPathTests` holds the two equal for every character.
        func isSpace(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "\t" || scalar == "\u{200B}" || scalar.properties.generalCategory == .spaceSeparator
        }
        // Plain ASCII at both ends (most texts) is kept whole.
        if let first = utf8.first, let last = utf8.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80 { return self }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isSpace($0) })!
        return String(scalars[first...last])
    }

    /// Whether it holds nothing but white space.
    var isBlank: Bool {
        // A first character that is plain ASCII and not a space, a tab or a line break settles
        // it without looking up Unicode's properties (every string field is asked).
        if let first = utf8.first, first < 0x80, first != 0x20, !(0x09...0x0D).contains(first) { return false }
        return unicodeScalars.allSatisfy(\.properties.isWhitespace)
    }
}
