@testable import BackstopCore
import Foundation
import Testing

/// The canonical writer's shortcuts (numbers Swift already writes as ECMAScript does, member
/// names compared as UTF-8) must give the bytes of the general rules: audit hashes and content
/// digests are made of them.
@Suite struct CanonicalJSONTests {
    @Test func numbersWrittenWithoutAnExponentTakeTheGeneralConversionsDigits() {
        var random = SplitMix64(seed: 8785)
        var shortcuts = 0
        for round in 0..<20_000 {
            // Every magnitude, coordinates and radii as Backstop writes them, and raw bit patterns.
            let number: Double
            switch round % 3 {
            case 0: number = Double(random.next() % 2_000_001) / 10_000 - 100
            case 1: number = (Double(random.next() % 1_000_000) + 1) * pow(10, Double(Int(random.next() % 50) - 25))
            default: number = Double(bitPattern: random.next())
            }
            guard number.isFinite else { continue }
            var written: [UInt8] = []
            CanonicalJSON.appendECMAScript(number, to: &written)
            #expect(String(decoding: written, as: UTF8.self) == CanonicalJSON.ecmaScript(number), "\(number)")
            if !number.description.contains("e") { shortcuts += 1 }
        }
        #expect(shortcuts > 6_000, "coordinates and most magnitudes take the shortcut")
    }

    @Test func memberNamesSortAsTheirUTF16CodeUnits() {
        let pieces = ["a", "b", "z", "é", "\u{7FF}", "\u{D7FF}", "\u{E000}", "\u{FFFD}", "\u{FFFF}", "😀", "\u{10000}", "\u{10FFFF}"]
        var random = SplitMix64(seed: 16)
        for _ in 0..<5_000 {
            let a = (0..<Int(random.next() % 4)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
            let b = (0..<Int(random.next() % 4)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
            #expect(CanonicalJSON.utf16Precedes(a, b) == a.utf16.lexicographicallyPrecedes(b.utf16), "\(a.unicodeScalars.map(\.value)) \(b.unicodeScalars.map(\.value))")
        }
    }
}
