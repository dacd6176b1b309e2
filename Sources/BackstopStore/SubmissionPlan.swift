import BackstopCore
import Foundation

/// What a batch does given the records already stored under its ids: every store decides
/// replays and conflicts the same way, inside its own transaction.
public struct SubmissionPlan: Sendable {
    /// One result per accepted submission, in the batch's order.
    public var results: [SubmissionResult]
    /// The submissions to insert, first occurrence of each id, in the batch's order.
    public var fresh: [ObservationSubmission]

    /// Throws `StoreError.conflict` naming every id stored (or sent earlier in the batch) with
    /// other content or by another reporter.
    public init(_ submissions: [ObservationSubmission], existing: [UUID: StoredObservation]) throws {
        var results: [SubmissionResult] = []
        var pending: [UUID: StoredObservation] = [:]
        var fresh: [ObservationSubmission] = []
        var conflicts: [UUID] = []
        for submission in submissions {
            let id = submission.observation.id
            if let earlier = existing[id] ?? pending[id] {
                if earlier.isReplay(of: submission) {
                    results.append(SubmissionResult(stored: earlier, outcome: .replayed))
                } else if !conflicts.contains(id) {
                    conflicts.append(id)
                }
                continue
            }
            let stored = StoredObservation(submission)
            pending[id] = stored
            fresh.append(submission)
            results.append(SubmissionResult(stored: stored, outcome: .created))
        }
        if !conflicts.isEmpty { throw StoreError.conflict(ids: conflicts) }
        self.results = results
        self.fresh = fresh
    }
}

extension SubmissionPlan {
    /// The batches of several requests written in one transaction (see `GroupCommit`): each
    /// planned on its own, in arrival order, against `existing` and what the requests before
    /// it send, so that one request's conflicting id refuses that request, not the others.
    /// The answer per request, and every fresh submission in order.
    public static func groups(_ groups: [[ObservationSubmission]], existing: [UUID: StoredObservation])
        -> (answers: [Result<[SubmissionResult], any Error>], fresh: [ObservationSubmission]) {
        var known = existing
        var answers: [Result<[SubmissionResult], any Error>] = []
        var fresh: [ObservationSubmission] = []
        for group in groups {
            do {
                let plan = try SubmissionPlan(group, existing: known)
                for result in plan.results where result.outcome == .created { known[result.stored.observation.id] = result.stored }
                fresh += plan.fresh
                answers.append(.success(plan.results))
            } catch {
                answers.append(.failure(error))
            }
        }
        return (answers, fresh)
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements, for statements with a bound on parameters.
    public func chunked(into size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
