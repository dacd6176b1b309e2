@testable import BackstopCore
import BackstopData
import Foundation
import Testing

/// The stored form of an observation is hashed into its content digest, so the fast writer
/// must give exactly the bytes `JSONEncoder` gives (`.sortedKeys`, `.withoutEscapingSlashes`),
/// or a retry of a record stored before would be refused as a conflict.
@Suite struct SortedKeysJSONWriterTests {
    static func encoderBytes(_ value: JSONValue) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    @Test func randomDocumentsGetTheEncodersBytes() throws {
        var random = SplitMix64(seed: 16)
        var written = 0
        for _ in 0..<3_000 {
            let value = Self.document(&random, depth: 0)
            guard let bytes = SortedKeysJSONWriter.write(value) else { continue }
            #expect(bytes == (try Self.encoderBytes(value)), "\(String(decoding: bytes, as: UTF8.self))")
            written += 1
        }
        // Most documents have only ASCII keys and are written by the fast writer.
        #expect(written > 2_000)
    }

    @Test func everyControlCharacterAndSpecialNumber() throws {
        let text = String(String.UnicodeScalarView((0..<0x80).compactMap(Unicode.Scalar.init))) + "/é😀\u{2028}\u{FEFF}"
        let numbers: [Double] = [0, -0.0, 48, 48.14, 0.1, 1e-5, 1e-7, 1e15, 9e15, 1e16, 1e21, 1.5e300, -2.5e-300, 123_456_789.125, .pi]
        let value = JSONValue.object(["text": .string(text), "numbers": .array(numbers.map(JSONValue.number)),
                                      "integers": .array([.integer(0), .integer(-7), .integer(Int.max), .integer(Int.min)])])
        #expect(try #require(SortedKeysJSONWriter.write(value)) == (try Self.encoderBytes(value)))
        #expect(SortedKeysJSONWriter.write(.object(["é": .null])) == nil)
    }

    @Test func demoObservationsGetTheEncodersBytes() throws {
        for observation in DemoObservations.make(endingAt: Date(timeIntervalSince1970: 1_700_000_000), count: 500) {
            #expect(try #require(SortedKeysJSONWriter.write(observation.jsonValue)) == (try Self.encoderBytes(observation.jsonValue)))
        }
    }

    static func document(_ random: inout SplitMix64, depth: Int) -> JSONValue {
        switch random.next() % (depth > 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(random.next() % 2 == 0)
        case 2: return .integer(Int(truncatingIfNeeded: random.next()) >> Int(random.next() % 64))
        case 3:
            let mantissa = Double(Int64(truncatingIfNeeded: random.next()) >> 11) / Double(1 << 52)
            let number = mantissa * pow(10, Double(Int(random.next() % 60) - 30))
            return .number(random.next() % 4 == 0 ? (number * 1_000).rounded() / 1_000 : number)
        case 4: return .string(text(&random))
        case 5: return .array((0..<Int(random.next() % 5)).map { _ in document(&random, depth: depth + 1) })
        default:
            var object: [String: JSONValue] = [:]
            for _ in 0..<Int(random.next() % 6) { object[key(&random)] = document(&random, depth: depth + 1) }
            return .object(object)
        }
    }

    static func key(_ random: inout SplitMix64) -> String {
        let alphabet = Array("abcxyzABZ_-.09 ") + (random.next() % 20 == 0 ? ["é"] : [])
        return String((0..<(1 + Int(random.next() % 8))).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
    }

    static func text(_ random: inout SplitMix64) -> String {
        let scalars: [Unicode.Scalar] = (0..<Int(random.next() % 12)).compactMap { _ in
            switch random.next() % 4 {
            case 0: Unicode.Scalar(UInt32(random.next() % 0x80))
            case 1: Unicode.Scalar(UInt32(0x80 + random.next() % 0x700))
            case 2: Unicode.Scalar(UInt32(0x1F600 + random.next() % 0x50))
            default: Unicode.Scalar(UInt32(0x20 + random.next() % 0x5F))
            }
        }
        return String(String.UnicodeScalarView(scalars))
    }
}
