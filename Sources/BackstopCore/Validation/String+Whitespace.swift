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

    /// Whether it holds nothing but white space.
    var isBlank: Bool {
        // A first character that is plain ASCII and not a space, a tab or a line break settles
        // it without looking up Unicode's properties (every string field is asked).
        if let first = utf8.first, first < 0x80, first != 0x20, !(0x09...0x0D).contains(first) { return false }
        return unicodeScalars.allSatisfy(\.properties.isWhitespace)
    }
}
