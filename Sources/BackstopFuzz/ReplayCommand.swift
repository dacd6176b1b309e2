#if !BACKSTOP_FUZZING
import BackstopFuzzTargets
import Foundation

/// In an ordinary build this is the program: it replays the files named on its command line
/// through one target, e.g. to reproduce a crash: `backstop-fuzz observation-json crash-1234`.
/// Built by scripts/fuzz.sh (with -sanitize=fuzzer and -DBACKSTOP_FUZZING) there is no `@main`:
/// libFuzzer provides `main` and calls `LLVMFuzzerTestOneInput` (FuzzEntry.swift).
@main
struct ReplayCommand {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTargets.all[name], arguments.count >= 2 else {
            FileHandle.standardError.write(Data("usage: backstop-fuzz TARGET FILE...; targets: \(FuzzTargets.all.keys.sorted().joined(separator: ", "))\n".utf8))
            exit(2)
        }
        for file in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: file) else {
                FileHandle.standardError.write(Data("backstop-fuzz: cannot read \(file)\n".utf8))
                exit(1)
            }
            target(data)
            print("\(file): ok")
        }
    }
}
#endif
