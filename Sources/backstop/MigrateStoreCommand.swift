import ArgumentParser
import BackstopCore
import BackstopStore
import Foundation

/// Copies everything from one store to another (SQLite to PostgreSQL when a mission outgrows
/// one machine), then reads both back to prove the copy whole.
struct MigrateStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-store",
        abstract: "Copy every observation, agreement version and token from one store to an empty one, and verify the copy.",
        discussion: """
            Stop the servers that write to the source first (or accept that records arriving during the copy stay behind; run it again \
            into a new empty target to catch them). Incidents and findings are derived: the target's nodes rebuild them.
            Example: backstop migrate-store --from ./backstop-data --to postgres://backstop@db.example:5432/mission
            """
    )

    @Option(help: "The source: a SQLite data directory, or a postgres:// URL.") var from: StoreLocation
    @Option(help: "The target, empty: a SQLite data directory, or a postgres:// URL.") var to: StoreLocation

    func run() async throws {
        let source = try await from.open()
        let target = try await to.open()
        do {
            let copied = try await StoreCopy(source: source, target: target).run { done in
                FileHandle.standardError.write(Data("\rcopied \(done) observations".utf8))
            }
            FileHandle.standardError.write(Data("\n".utf8))
            print("copied \(copied.observations) observations, \(copied.agreementVersions) agreement versions and \(copied.tokens) tokens from \(from) to \(to); verified")
        } catch {
            try? await source.close()
            try? await target.close()
            throw CLIError("\(error)")
        }
        try await source.close()
        try await target.close()
    }
}

/// The copy itself, through the store protocol, so any store can go to any other.
struct StoreCopy {
    let source: any BackstopStore
    let target: any BackstopStore

    struct Counts: Equatable {
        var observations = 0
        var agreementVersions = 0
        var tokens = 0
    }

    func run(progress: (Int) -> Void = { _ in }) async throws -> Counts {
        guard try await target.observationCount() == 0, try await target.tokenCount() == 0, try await target.allAgreementVersions().isEmpty else {
            throw StoreError.notEmpty("it already holds observations, agreements or tokens; copy into a new data directory or database schema")
        }
        var counts = Counts()
        for version in try await source.allAgreementVersions() {
            let agreement = try version.agreement()
            _ = try await target.saveAgreement(AgreementRecord(document: version.document, agreement: agreement, savedBy: version.savedBy, savedAt: version.savedAt),
                                               expectedVersion: version.version)
            counts.agreementVersions += 1
        }
        for token in try await source.allTokens() {
            try await target.insertToken(token)
            counts.tokens += 1
        }
        var position: Int64 = 0
        while true {
            let entries = try await source.intake(after: position, limit: ObservationQuery.maximumLimit)
            guard let last = entries.last else { break }
            let submissions = entries.map {
                ObservationSubmission(observation: $0.stored.observation, reporter: $0.stored.reporter, reporterTeam: $0.stored.reporterTeam,
                                      receivedAt: $0.stored.receivedAt, resolution: $0.stored.resolution)
            }
            let results = try await target.submit(submissions)
            for (entry, result) in zip(entries, results) where result.stored.digest != entry.stored.digest {
                throw StoreError.corrupt("observation \(entry.stored.observation.id) changed in the copy")
            }
            counts.observations += entries.count
            position = last.sequence
            progress(counts.observations)
        }
        try await verify(counts)
        return counts
    }

    /// Reads both stores back in intake order and compares every record.
    func verify(_ counts: Counts) async throws {
        var (sourcePosition, targetPosition): (Int64, Int64) = (0, 0)
        var compared = 0
        while true {
            let a = try await source.intake(after: sourcePosition, limit: ObservationQuery.maximumLimit)
            let b = try await target.intake(after: targetPosition, limit: ObservationQuery.maximumLimit)
            guard a.count == b.count else { throw StoreError.corrupt("the target holds a different number of observations") }
            guard let lastA = a.last, let lastB = b.last else { break }
            for (x, y) in zip(a, b) where x.stored != y.stored {
                throw StoreError.corrupt("observation \(x.stored.observation.id) differs between source and target")
            }
            compared += a.count
            (sourcePosition, targetPosition) = (lastA.sequence, lastB.sequence)
        }
        guard compared == counts.observations, try await target.observationCount() == counts.observations,
              try await target.allAgreementVersions().count == counts.agreementVersions,
              try await target.allTokens() == (try await source.allTokens())
        else { throw StoreError.corrupt("the copy is incomplete") }
    }
}
