/// Frees a large value (thousands of small ones: a batch's submissions, its results) on a
/// background thread rather than on a request's path, where freeing them took milliseconds
/// between the last write and the commit, or before the answer left. Background threads run
/// at a lower priority (nice 10 on Linux), so this takes time the requests leave.
public func freeLater<T: Sendable>(_ value: consuming T) {
    Task.detached(priority: .background) { [value] in _ = value }
}
