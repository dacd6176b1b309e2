@testable import BackstopCore
import Foundation
import Testing

/// The intake's string shortcuts (a string with nothing to escape copied whole; a blank check
/// settled by a first ASCII character; a length limit settled by the UTF-8 count) must answer
/// what the long ways answer, for every kind of string.
@Suite struct StringFastPathTests {
    /// Random strings of every kind: short (stored inline) and long, ASCII and not, with and
    /// without characters to escape.
    private static func strings(count: Int, seed: UInt64) -> [String] {
        var random = SplitMix64(seed: seed)
        let pieces = ["a", "Z", "0", " ", "\"", "\\", "/", "\u{0}", "\u{1}", "\u{8}", "\t", "\n", "\u{B}", "\u{C}", "\r", "\u{1F}",
                      "\u{7F}", "é", "Мар'їнка", "🚀", "\u{2028}", "\u{A0}", "\u{85}", "\u{3000}", "observer", "patrol \"9\""]
        return (0..<count).map { _ in
            (0..<Int.random(in: 0...40, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
        }
    }

    /// RFC 8785's escaping, written out the long way: `"`, `\` and the control characters
    /// escaped (the short forms where JSON has one), everything else as its UTF-8 bytes.
    private static func escaped(_ string: String) -> [UInt8] {
        var output: [UInt8] = [UInt8(ascii: "\"")]
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output += Array("\\\"".utf8)
            case UInt8(ascii: "\\"): output += Array("\\\\".utf8)
            case 0x08: output += Array("\\b".utf8)
            case 0x09: output += Array("\\t".utf8)
            case 0x0A: output += Array("\\n".utf8)
            case 0x0C: output += Array("\\f".utf8)
            case 0x0D: output += Array("\\r".utf8)
            case 0..<0x20: output += Array(String(format: "\\u%04x", byte).utf8)
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
        return output
    }

    @Test func aStringIsEscapedAsTheLongWayEscapesIt() {
        for string in Self.strings(count: 5_000, seed: 41) {
            #expect(CanonicalJSON.bytes(.string(string)) == Self.escaped(string), "\(string.debugDescription)")
            // A string that is not native (bridged from Foundation) takes the byte-by-byte way.
            let bridged = NSString(string: string) as String
            #expect(CanonicalJSON.bytes(.string(bridged)) == Self.escaped(string), "\(string.debugDescription)")
        }
    }

    @Test func onlyBlankStringsAreRefusedAsEmpty() {
        let kinds = ["", " ", "\t\n\r", "\u{B}\u{C}", "\u{A0}", "\u{85}", "\u{2003}\u{3000}", "x", " x", "\u{A0}x", "é", "\u{7F}", "\u{1}",
                     "\u{1F}", "!", "~"]
        for string in kinds + Self.strings(count: 2_000, seed: 42) {
            let sink = ErrorSink()
            let reader = ObjectReader(.object(["name": .string(string)]), path: FieldPath(), sink: sink)!
            let read = reader.string("name")
            let blank = string.unicodeScalars.allSatisfy(\.properties.isWhitespace)
            #expect((read == nil) == blank, "\(string.debugDescription)")
            #expect(sink.errors.map(\.reason) == (blank ? ["must not be empty"] : []), "\(string.debugDescription)")
        }
    }

    @Test func aLengthLimitCountsUnicodeScalars() {
        // Ten scalars of two UTF-8 bytes each: twenty bytes, within a limit of ten.
        let accented = String(repeating: "é", count: 10)
        let cases: [(String, Int, Bool)] = [
            (accented, 10, true), (accented, 9, false), (String(repeating: "a", count: 10), 10, true),
            (String(repeating: "a", count: 11), 10, false), ("🚀🚀", 2, true), ("🚀🚀", 1, false),
        ]
        for (string, limit, fits) in cases {
            let sink = ErrorSink()
            let read = ObjectReader(.object(["name": .string(string)]), path: FieldPath(), sink: sink)!.string("name", maxLength: limit)
            #expect((read != nil) == fits, "\(string) within \(limit)")
            #expect(sink.errors.map(\.reason) == (fits ? [] : ["is \(string.unicodeScalars.count) characters long; the limit is \(limit)"]))
        }
    }

    @Test func spacesAreTrimmedAsFoundationTrimsThem() {
        // Every character of the Basic Multilingual Plane and a few beyond, alone, around a
        // word, and doubled around one.
        let characters = (0...0xFFFF).compactMap(Unicode.Scalar.init).map(String.init) + ["🚀", "\u{E0020}", "\u{1D15E}"]
        for character in characters {
            for text in [character, "\(character)word\(character)", "\(character)\(character)a b\(character) \(character)", " \(character)\t"] {
                #expect(text.trimmingSpaces == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
            }
        }
        for text in Self.strings(count: 2_000, seed: 43) {
            #expect(text.trimmingSpaces == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
        }
    }
}
