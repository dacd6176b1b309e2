import BackstopCore
import BackstopStore
import Foundation

/// Validates import rows and stores them in batches; a row whose id exists with other content
/// is rejected on its own without failing the rest of its batch.
struct ObservationImporter {
    static let batchSize = 500

    let store: any BackstopStore
    let reporter: String
    let team: String?
    let progress: ProgressBar
    let resolver: LocationResolver

    struct Summary {
        var created = 0
        var alreadyPresent = 0
        var rejected: [(location: String, reason: String)] = []

        var text: String {
            var lines = ["accepted \(created + alreadyPresent) (new \(created), already present \(alreadyPresent)), rejected \(rejected.count)"]
            for (location, reason) in rejected.prefix(100) { lines.append("  \(location): \(reason)") }
            if rejected.count > 100 { lines.append("  … and \(rejected.count - 100) more") }
            return lines.joined(separator: "\n")
        }
    }

    func run(_ rows: [ImportRow]) async throws -> Summary {
        var summary = Summary()
        let parser = ObservationParser()
        let now = Date()
        var batch: [(location: String, submission: ObservationSubmission)] = []
        var done = 0
        for row in rows {
            switch row.value {
            case .failure(let error):
                summary.rejected.append((row.location, error.description))
            case .success(let value):
                do {
                    let observation = try parser.parse(value, now: now)
                    batch.append((row.location, ObservationSubmission(observation: observation, reporter: reporter, reporterTeam: team, receivedAt: now,
                                                                       resolution: resolver.resolve(observation))))
                } catch {
                    summary.rejected.append((row.location, error.errors.map(\.description).joined(separator: "; ")))
                }
            }
            done += 1
            if batch.count >= Self.batchSize {
                try await store(&batch, into: &summary)
                progress.update(done)
            }
        }
        try await store(&batch, into: &summary)
        progress.finish(done)
        return summary
    }

    private func store(_ batch: inout [(location: String, submission: ObservationSubmission)], into summary: inout Summary) async throws {
        while !batch.isEmpty {
            do {
                let results = try await store.submit(batch.map(\.submission))
                summary.created += results.filter { $0.outcome == .created }.count
                summary.alreadyPresent += results.filter { $0.outcome == .replayed }.count
                batch.removeAll()
            } catch StoreError.conflict(let ids) {
                let conflicting = Set(ids)
                for entry in batch where conflicting.contains(entry.submission.observation.id) {
                    summary.rejected.append((entry.location, "id \(entry.submission.observation.id.uuidString.lowercased()) exists already with different content"))
                }
                batch.removeAll { conflicting.contains($0.submission.observation.id) }
            }
        }
    }
}
