@testable import BackstopCore
import BackstopData
import Testing

/// The gazetteer's index folds ASCII names byte by byte and other names with Foundation's
/// folding: both must give every name the same keys the folding gives it.
@Suite struct PlaceNameTests {
    static func bothWays(_ name: String) -> (shortcut: String?, folding: String, looseShortcut: String?, looseFolding: String) {
        let folded = PlaceName.normaliseFolding(name)
        return (PlaceName.normaliseASCII(name), folded,
                PlaceName.looseKeyASCII(normalised: folded), PlaceName.looseKeyTransliterating(normalised: folded))
    }

    @Test func everyASCIINameOfTheGazetteerFoldsAsFoundationFoldsIt() throws {
        let names = try BundledGazetteer.load().entries.flatMap { [$0.name] + $0.alternateNames }
        var checked = 0
        for name in names where name.utf8.allSatisfy({ $0 < 0x80 }) {
            let keys = Self.bothWays(name)
            #expect(keys.shortcut == keys.folding, "\(name)")
            #expect(keys.looseShortcut == keys.looseFolding, "\(name)")
            checked += 1
        }
        #expect(checked > 10_000, "most of the gazetteer's names are ASCII")
        #expect(names.contains { !$0.utf8.allSatisfy { $0 < 0x80 } }, "and some go the other way")
    }

    @Test func anyASCIITextFoldsAsFoundationFoldsIt() {
        // Every ASCII byte, control characters, quotes, hyphens and runs of spaces included.
        var generator = SystemRandomNumberGenerator()
        let alphabet = (0..<128).map { UInt8($0) } + Array(" - '\t\"`".utf8)
        for _ in 0..<5_000 {
            let bytes = (0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            let name = String(decoding: bytes, as: UTF8.self)
            let keys = Self.bothWays(name)
            #expect(keys.shortcut == keys.folding, "\(bytes)")
            #expect(keys.looseShortcut == keys.looseFolding, "\(bytes)")
        }
        #expect(PlaceName.normaliseASCII("Авдіївка") == nil)
        #expect(PlaceName.normalise("  Mar'inka -  Donetsk ") == "marinka donetsk")
    }
}
