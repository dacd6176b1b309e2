import BackstopGeo
import Foundation

/// An OASIS CAP 1.2 message, written as XML by a small writer that escapes every text; the
/// tests validate what it writes against the OASIS schema with xmllint.
public struct CAPMessage: Sendable, Hashable {
    public enum MessageType: String, Sendable { case alert = "Alert", update = "Update", cancel = "Cancel" }

    public var identifier: String
    public var sender: String
    public var sent: Date
    public var exercise: Bool
    public var messageType: MessageType
    /// Nil for `Public`; otherwise the `Restricted` scope's `<restriction>` text.
    public var restriction: String?
    /// `sender,identifier,sent` of the messages this one updates or cancels.
    public var references: [String]
    public var event: String
    public var urgency: String
    public var severity: String
    public var certainty: String
    public var headline: String
    public var description: String
    public var instruction: String?
    public var parameters: [(String, String)]
    public var areaDescription: String
    public var area: RequestArea?
    /// A draft (CAP status `Draft`) rather than `Actual`; an exercise is always `Exercise`.
    public var isDraft = false

    public static func == (lhs: CAPMessage, rhs: CAPMessage) -> Bool { lhs.xml() == rhs.xml() }
    public func hash(into hasher: inout Hasher) { hasher.combine(xml()) }

    /// CAP's `sent`: seconds and a numeric offset, no fraction, no `Z`.
    public static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss'+00:00'"
        return formatter.string(from: date)
    }

    /// `sender,identifier,sent`, as `<references>` lists a message.
    public static func reference(sender: String, identifier: String, sent: Date) -> String {
        "\(sender),\(identifier),\(time(sent))"
    }

    public func xml() -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n"
        func element(_ name: String, _ text: String, indent: Int = 1) {
            out += String(repeating: "  ", count: indent) + "<\(name)>\(Self.escape(text))</\(name)>\n"
        }
        element("identifier", identifier)
        element("sender", sender)
        element("sent", Self.time(sent))
        element("status", exercise ? "Exercise" : (isDraft ? "Draft" : "Actual"))
        element("msgType", messageType.rawValue)
        element("scope", restriction == nil ? "Public" : "Restricted")
        if let restriction { element("restriction", restriction) }
        if !references.isEmpty { element("references", references.joined(separator: " ")) }
        out += "  <info>\n"
        element("language", "en", indent: 2)
        element("category", "Security", indent: 2)
        element("event", event, indent: 2)
        element("urgency", urgency, indent: 2)
        element("severity", severity, indent: 2)
        element("certainty", certainty, indent: 2)
        element("senderName", "Backstop ceasefire monitoring", indent: 2)
        element("headline", String(headline.prefix(160)), indent: 2)
        element("description", description, indent: 2)
        if let instruction { element("instruction", instruction, indent: 2) }
        for (name, value) in parameters {
            out += "    <parameter>\n"
            element("valueName", name, indent: 3)
            element("value", value, indent: 3)
            out += "    </parameter>\n"
        }
        out += "    <area>\n"
        element("areaDesc", areaDescription, indent: 3)
        switch area {
        case .polygon(let ring)?:
            var closed = ring
            if let first = ring.first, ring.last != first { closed.append(first) }
            if closed.count >= 4 { element("polygon", closed.map { "\(Self.coordinate($0.lat)),\(Self.coordinate($0.lon))" }.joined(separator: " "), indent: 3) }
        case .circle(let lat, let lon, let radius)?:
            element("circle", "\(Self.coordinate(lat)),\(Self.coordinate(lon)) \(radius)", indent: 3)
        case nil: break
        }
        out += "    </area>\n  </info>\n</alert>\n"
        return out
    }

    static func coordinate(_ value: Double) -> String {
        String(format: "%.5f", value)
    }

    /// Escapes text for an XML element or attribute, and drops characters XML 1.0 forbids.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let value = scalar.value
                if value < 0x20 || (0xFFFE...0xFFFF).contains(value) || (0xD800...0xDFFF).contains(value) { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
