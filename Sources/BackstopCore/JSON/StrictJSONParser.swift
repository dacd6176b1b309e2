import Foundation
import Synchronization

/// Why a text is not a JSON document Backstop accepts, with where it went wrong.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset of the problem in the text.
    public var offset: Int
    /// The path of the value being read, as validation errors name fields (`location.lat`,
    /// `observations[2].id`; empty for the document itself), so a duplicate key is named.
    public var path: String
    public var reason: String

    public var description: String { "\(reason) at \(path.isEmpty ? "the top level" : path) (byte \(offset))" }
}

/// An RFC 8259 parser that refuses what a lenient one would quietly reinterpret: a key twice
/// in one object (parsers differ on which copy wins, so a proxy that validates could see
/// other data than we store), invalid UTF-8, lone surrogates, numbers out of range, trailing
/// text and nesting deeper than `maximumDepth`. Whole numbers stay integers, so an id or a
/// sequence of 2^63−1 is not rounded through a `Double`.
public struct StrictJSONParser {
    public static let maximumDepth = 200

    private let bytes: [UInt8]
    private var index = 0
    /// Where the text being parsed ends: the document's end, or an array element's when a
    /// large array is parsed in parallel.
    private let end: Int
    /// Whether a large array may be parsed in parallel (not inside an element already, nor
    /// once a parallel parse found an error, which the sequential one then reports exactly).
    private var parallel: Bool
    /// Where the parser is, for an error's path: kept as keys and indexes, and written out
    /// only when an error names it (a batch has thousands of keys).
    private var path: [PathComponent] = []
    /// The top-level key whose array is left unparsed (`parse(_:deferringElementsOf:)`), and
    /// the byte ranges of that array's elements once it was found.
    private var deferredKey: String?
    private var deferredRanges: [Range<Int>]?

    private enum PathComponent {
        case key(String)
        case index(Int)

        /// In the form `FieldPath` uses for error paths.
        var text: String {
            switch self {
            case .key(let key): ".\(key)"
            case .index(let index): "[\(index)]"
            }
        }
    }

    /// An array this large (bytes) with at least `parallelMinimumElements` elements is parsed
    /// on all cores: a batch of 1,000 observations is about 300 KB.
    static let parallelMinimumBytes = 64 * 1024
    static let parallelMinimumElements = 64

    public static func parse(_ data: Data) throws(JSONSyntaxError) -> JSONValue {
        var parser = StrictJSONParser(bytes: [UInt8](data))
        return try parser.document()
    }

    /// Parses a document whose top-level object may hold a large array under `key` (a batch's
    /// `observations`) without parsing that array's elements: the root comes back with the
    /// array's elements as nulls (so their number and paths read as usual) and the elements as
    /// `DeferredElements`, each parsed when it is read. A caller parses them on all cores and
    /// frees each as soon as it is read, rather than holding a tree of the whole body.
    ///
    /// The root is checked in full; only the elements' own text is not yet: an element that is
    /// not JSON is found when it is parsed, and `exactError` then names the document's first
    /// error as `parse` does. When the array's brackets do not match (or there is no such
    /// array), the document is parsed whole and `elements` is nil.
    public static func parse(_ data: Data, deferringElementsOf key: String) throws(JSONSyntaxError) -> (root: JSONValue, elements: DeferredElements?) {
        var parser = StrictJSONParser(bytes: [UInt8](data))
        parser.deferredKey = key
        do {
            let root = try parser.document()
            return (root, parser.deferredRanges.map { DeferredElements(bytes: parser.bytes, key: key, ranges: $0) })
        } catch {
            // An error after the array left unparsed: one of its elements may come first.
            guard let ranges = parser.deferredRanges else { throw error }
            throw DeferredElements(bytes: parser.bytes, key: key, ranges: ranges).exactError()
        }
    }

    /// The elements of an array `parse(_:deferringElementsOf:)` left unparsed.
    public struct DeferredElements: Sendable {
        fileprivate let bytes: [UInt8]
        fileprivate let key: String
        fileprivate let ranges: [Range<Int>]

        public var count: Int { ranges.count }

        /// Element `index`, parsed as `parse` would have parsed it in place.
        public func element(_ index: Int) throws(JSONSyntaxError) -> JSONValue {
            var parser = StrictJSONParser(element: ranges[index], of: bytes)
            parser.path = [.key(key), .index(index)]
            parser.skipWhitespace()
            // The root object is depth 1 and the array depth 2, as in a whole parse.
            let value = try parser.value(depth: 2)
            parser.skipWhitespace()
            guard parser.index == parser.end else { throw parser.fail("unexpected text after the element") }
            return value
        }

        /// Element `index` as a `FlatJSONObject` when it is an object of scalars and objects
        /// only, each with at most `FlatJSONObject.maximumMembers` members and none twice, no
        /// deeper than `flatMaximumDepth`, and valid JSON (what an observation is); nil for
        /// anything else, which `element(_:)` then parses (and, if it is wrong, names the error
        /// exactly). Text, numbers and literals are read by the same code as in `element(_:)`.
        public func flatObject(_ index: Int) -> FlatJSONObject? {
            var parser = StrictJSONParser(element: ranges[index], of: bytes)
            parser.skipWhitespace()
            guard let object = parser.flatObject(depth: 2) else { return nil }
            parser.skipWhitespace()
            return parser.index == parser.end ? object : nil
        }

        /// The first error of the whole document, as `parse` reports it, once an element was
        /// found not to be JSON (an element's own error can differ: "1 2" is one element to
        /// the bracket scan, and two values without a comma to `parse`).
        public func exactError() -> JSONSyntaxError {
            var parser = StrictJSONParser(bytes: bytes)
            parser.parallel = false
            do {
                _ = try parser.document()
            } catch {
                return error
            }
            return JSONSyntaxError(offset: 0, path: "", reason: "the document is not JSON")
        }
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
        end = bytes.count
        parallel = true
    }

    /// A parser of one element of a large array: `range` of `bytes`, a value between whitespace.
    private init(element range: Range<Int>, of bytes: [UInt8]) {
        self.bytes = bytes
        index = range.lowerBound
        end = range.upperBound
        parallel = false
    }

    private mutating func document() throws(JSONSyntaxError) -> JSONValue {
        skipWhitespace()
        let value = try self.value(depth: 0)
        skipWhitespace()
        guard index == end else { throw fail("unexpected text after the document") }
        return value
    }

    private func fail(_ reason: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: index, path: Self.joined(path), reason: reason)
    }

    private mutating func skipWhitespace() {
        while index < end, Self.isWhitespace(bytes[index]) { index += 1 }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard index < end else { throw fail("the document ends where a value was expected") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected character '\(Self.printable(bytes[index]))'")
        }
    }

    private mutating func literal(_ word: String) throws(JSONSyntaxError) {
        let expected = Array(word.utf8)
        guard index + expected.count <= end, Array(bytes[index..<index + expected.count]) == expected else {
            throw fail("invalid literal; expected \(word)")
        }
        index += expected.count
    }

    private mutating func object(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw fail("nesting deeper than \(Self.maximumDepth) levels") }
        index += 1
        // Room for the members of most objects up front, rather than growing the table from
        // one member (a stored incident's summary has 21 and grows once more); not more, as
        // a parse of many records holds many small objects at once.
        var members = [String: JSONValue](minimumCapacity: 8)
        skipWhitespace()
        if index < end, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard index < end, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a quoted key") }
            let keyOffset = index
            let key = try string()
            skipWhitespace()
            guard index < end, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':' after the key '\(key)'") }
            index += 1
            skipWhitespace()
            path.append(.key(key))
            // (Only the key's first copy: a second is parsed, and refused as a duplicate below.)
            if depth == 1, key == deferredKey, deferredRanges == nil, members[key] == nil, index < end, bytes[index] == UInt8(ascii: "["),
               let (ranges, after) = Self.elementRanges(bytes, array: index, end: end) {
                // An empty array is one range of whitespace to the scan: no element.
                let elements = ranges.count == 1 && bytes[ranges[0]].allSatisfy(Self.isWhitespace) ? [] : ranges
                deferredRanges = elements
                members[key] = .array(Array(repeating: .null, count: elements.count))
                index = after
            } else {
                // Looked up once, as it is stored: a key already there is a duplicate. (The
                // value is parsed first, so a document whose duplicated key also holds a
                // broken value is refused for the broken value.)
                guard members.updateValue(try value(depth: depth), forKey: key) == nil else {
                    throw JSONSyntaxError(offset: keyOffset, path: Self.joined(path), reason: "duplicate key '\(key)'")
                }
            }
            path.removeLast()
            skipWhitespace()
            guard index < end else { throw fail("the document ends inside an object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw fail("expected ',' or '}' in an object")
        }
    }

    /// How deep `flatObject` goes: an observation's location holds its distance band, at depth
    /// 4 with the batch and its array. Anything deeper is parsed into a tree.
    public static let flatMaximumDepth = 4

    /// The object at `index` as members (see `DeferredElements.flatObject(_:)`); nil, with
    /// `index` anywhere, for anything that is not such an object.
    private mutating func flatObject(depth: Int) -> FlatJSONObject? {
        guard depth <= Self.flatMaximumDepth, index < end, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        var members: [(key: String, value: FlatJSONObject.Value)] = []
        // Room for an observation's members (a dozen) and its nested objects' (two to four).
        members.reserveCapacity(depth == 2 ? 16 : 4)
        skipWhitespace()
        if index < end, bytes[index] == UInt8(ascii: "}") { index += 1; return FlatJSONObject(members: members) }
        while true {
            skipWhitespace()
            guard index < end, bytes[index] == UInt8(ascii: "\""), let key = try? string() else { return nil }
            skipWhitespace()
            guard index < end, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            skipWhitespace()
            guard index < end, bytes[index] != UInt8(ascii: "["),
                  members.count < FlatJSONObject.maximumMembers, !members.contains(where: { $0.key == key })
            else { return nil }
            if bytes[index] == UInt8(ascii: "{") {
                guard let nested = flatObject(depth: depth + 1) else { return nil }
                members.append((key, .object(nested)))
            } else {
                // A scalar: `value` reads it without recursing.
                guard let scalar = try? value(depth: depth) else { return nil }
                members.append((key, .scalar(scalar)))
            }
            skipWhitespace()
            guard index < end else { return nil }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return FlatJSONObject(members: members) }
            return nil
        }
    }

    private mutating func array(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw fail("nesting deeper than \(Self.maximumDepth) levels") }
        if parallel, end - index >= Self.parallelMinimumBytes {
            if let elements = parallelElements(depth: depth) { return .array(elements) }
        }
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < end, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
        while true {
            skipWhitespace()
            path.append(.index(elements.count))
            elements.append(try value(depth: depth))
            path.removeLast()
            skipWhitespace()
            guard index < end else { throw fail("the document ends inside an array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
            throw fail("expected ',' or ']' in an array")
        }
    }

    /// The elements of the array at `index`, parsed on all cores, and `index` moved past it;
    /// nil (and `index` unmoved) when the array is small, or anything in it is wrong: the
    /// sequential parse then reads it and names the first error exactly as it always does.
    private mutating func parallelElements(depth: Int) -> [JSONValue]? {
        guard let (ranges, after) = Self.elementRanges(bytes, array: index, end: end) else {
            parallel = false
            return nil
        }
        guard ranges.count >= Self.parallelMinimumElements, after - index >= Self.parallelMinimumBytes else { return nil }
        let parts = min(ProcessInfo.processInfo.activeProcessorCount, ranges.count / (Self.parallelMinimumElements / 2))
        let size = (ranges.count + parts - 1) / parts
        let bytes = bytes
        let parsed = Mutex<[[JSONValue]?]>(Array(repeating: nil, count: parts))
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            var values: [JSONValue] = []
            values.reserveCapacity(size)
            for range in ranges[min(part * size, ranges.count)..<min((part + 1) * size, ranges.count)] {
                var element = StrictJSONParser(element: range, of: bytes)
                element.skipWhitespace()
                guard let value = try? element.value(depth: depth) else { return }
                element.skipWhitespace()
                guard element.index == element.end else { return }
                values.append(value)
            }
            parsed.withLock { $0[part] = values }
        }
        var elements: [JSONValue] = []
        elements.reserveCapacity(ranges.count)
        for part in parsed.withLock({ $0 }) {
            guard let part else {
                parallel = false
                return nil
            }
            elements.append(contentsOf: part)
        }
        index = after
        return elements
    }

    /// The byte ranges of the elements of the array opening at `array` (each with the
    /// whitespace around it) and the index after its closing bracket, found by following
    /// strings and brackets only; nil when the text ends first or a bracket does not match
    /// in kind at the array's level.
    private static func elementRanges(_ bytes: [UInt8], array: Int, end: Int) -> ([Range<Int>], Int)? {
        var ranges: [Range<Int>] = []
        var index = array + 1, start = index, nesting = 0, inString = false
        while index < end {
            let byte = bytes[index]
            if inString {
                if byte == UInt8(ascii: "\\") { index += 2; continue }
                if byte == UInt8(ascii: "\"") { inString = false }
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"): nesting += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if nesting == 0 {
                    guard byte == UInt8(ascii: "]") else { return nil }
                    // An empty array has no element (whitespace only); it is never large.
                    ranges.append(start..<index)
                    return (ranges, index + 1)
                }
                nesting -= 1
            case UInt8(ascii: ","):
                if nesting == 0 {
                    ranges.append(start..<index)
                    start = index + 1
                }
            default: break
            }
            index += 1
        }
        return nil
    }

    private mutating func number() throws(JSONSyntaxError) -> JSONValue {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < end, Self.isDigit(bytes[index]) else { throw fail("a number needs digits") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < end, Self.isDigit(bytes[index]) { throw fail("a number may not have leading zeros") }
        } else {
            while index < end, Self.isDigit(bytes[index]) { index += 1 }
        }
        var whole = true
        if index < end, bytes[index] == UInt8(ascii: ".") {
            whole = false
            index += 1
            guard index < end, Self.isDigit(bytes[index]) else { throw fail("a decimal point needs digits after it") }
            while index < end, Self.isDigit(bytes[index]) { index += 1 }
        }
        if index < end, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            whole = false
            index += 1
            if index < end, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < end, Self.isDigit(bytes[index]) else { throw fail("an exponent needs digits") }
            while index < end, Self.isDigit(bytes[index]) { index += 1 }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if whole, let integer = Int(text) { return .integer(integer) }
        guard let double = Double(text), double.isFinite else {
            index = start
            throw fail("the number \(text.prefix(40)) is out of range")
        }
        return .number(double)
    }

    private mutating func string() throws(JSONSyntaxError) -> String {
        index += 1
        var scalars = String.UnicodeScalarView()
        let start = index
        var runStart = index
        func flushRun(_ bytes: ArraySlice<UInt8>, into scalars: inout String.UnicodeScalarView) -> Bool {
            guard let text = String(validating: bytes, as: UTF8.self) else { return false }
            scalars.append(contentsOf: text.unicodeScalars)
            return true
        }
        var ascii = true
        while true {
            guard index < end else { throw fail("the document ends inside a string") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\""), runStart == start {
                // No escape: the text is the bytes as they are (most strings); ASCII needs no
                // validation.
                let text = ascii ? String(decoding: bytes[start..<index], as: UTF8.self) : String(validating: bytes[start..<index], as: UTF8.self)
                guard let text else { throw fail("a string is not valid UTF-8") }
                index += 1
                return text
            }
            if byte >= 0x80 { ascii = false }
            if byte == UInt8(ascii: "\"") {
                guard flushRun(bytes[runStart..<index], into: &scalars) else { throw fail("a string is not valid UTF-8") }
                index += 1
                return String(scalars)
            }
            if byte < 0x20 { throw fail("a control character must be escaped in a string") }
            if byte != UInt8(ascii: "\\") { index += 1; continue }
            guard flushRun(bytes[runStart..<index], into: &scalars) else { throw fail("a string is not valid UTF-8") }
            index += 1
            guard index < end else { throw fail("the document ends inside an escape") }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"): scalars.append("/")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                let unit = try hex4()
                if (0xD800...0xDBFF).contains(unit) {
                    guard index + 1 < end, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw fail("a high surrogate \\u\(String(unit, radix: 16)) is not followed by a low one")
                    }
                    index += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("a high surrogate is followed by \\u\(String(low, radix: 16))") }
                    let combined = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    scalars.append(Unicode.Scalar(combined)!)
                } else if (0xDC00...0xDFFF).contains(unit) {
                    throw fail("a lone low surrogate \\u\(String(unit, radix: 16))")
                } else {
                    scalars.append(Unicode.Scalar(unit)!)
                }
            default:
                index -= 1
                throw fail("invalid escape '\\\(Self.printable(escape))'")
            }
            runStart = index
        }
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= end else { throw fail("a \\u escape needs four hex digits") }
        var value: UInt32 = 0
        for byte in bytes[index..<index + 4] {
            guard let digit = Self.hexValue(byte) else { throw fail("a \\u escape needs four hex digits") }
            value = value << 4 | digit
        }
        index += 4
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func printable(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? String(UnicodeScalar(byte)) : String(format: "\\x%02x", byte)
    }

    private static func joined(_ components: [PathComponent]) -> String {
        let text = components.map(\.text).joined()
        return text.hasPrefix(".") ? String(text.dropFirst()) : text
    }
}
