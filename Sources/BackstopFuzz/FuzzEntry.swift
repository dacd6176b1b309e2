#if BACKSTOP_FUZZING
import BackstopFuzzTargets
import Foundation

/// The target, chosen once per process from BACKSTOP_FUZZ_TARGET.
private let selectedTarget: @Sendable (Data) -> Void = {
    let name = ProcessInfo.processInfo.environment["BACKSTOP_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTargets.all[name] else {
        fatalError("set BACKSTOP_FUZZ_TARGET to one of: \(FuzzTargets.all.keys.sorted().joined(separator: ", "))")
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    selectedTarget(data)
    return 0
}
#endif
