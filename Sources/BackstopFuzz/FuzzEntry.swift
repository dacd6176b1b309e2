#if BACKSTOP_FUZZING
import BackstopFuzzTargets
import CFuzzDriver
import Foundation

/// The target, chosen once per process from BACKSTOP_FUZZ_TARGET.
private let selectedTarget: @Sendable (Data) -> Void = {
    let name = ProcessInfo.processInfo.environment["BACKSTOP_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTargets.all[name] else {
        fatalError("set BACKSTOP_FUZZ_TARGET to one of: \(FuzzTargets.all.keys.sorted().joined(separator: ", "))")
    }
    return target
}()

/// What libFuzzer calls with each input (by this name when its own `main` is linked in).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    selectedTarget(data)
    return 0
}

/// The executable's entry point: the package manager links an executable target's `main` to
/// `<module>_main`, so this hands the command line to libFuzzer's driver itself.
@_cdecl("BackstopFuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { fuzzOneInput($0, $1) }
}
#endif
