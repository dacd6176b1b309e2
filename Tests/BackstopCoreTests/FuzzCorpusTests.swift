import BackstopFuzzTargets
import Foundation
import Testing

/// Every input the fuzzer kept (scripts/fuzz.sh) goes through its parser again on every test
/// run: what once crashed a parser, or found a path no other input reaches, stays covered.
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fuzz/corpus")

    static func files(of target: String) -> [URL] {
        let folder = corpus.appendingPathComponent(target)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().map { folder.appendingPathComponent($0) }
    }

    // MARK: Tests

    @Test(arguments: FuzzTargets.all.keys.sorted())
    func theKeptCorpusReplaysWithoutACrash(target: String) throws {
        let files = Self.files(of: target)
        #expect(!files.isEmpty, "fuzz/corpus/\(target) holds no inputs")
        let run = try #require(FuzzTargets.all[target])
        for file in files { run(try Data(contentsOf: file)) }
    }
}
