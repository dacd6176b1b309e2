import BackstopCore
import BackstopPostgres
import BackstopSQLite
import BackstopStore
import Foundation
import Testing

/// A backup restores to a store holding every record, on both stores; migrate-store copies a
/// SQLite directory into PostgreSQL whole.
extension ProcessTests {
@Suite struct BackupTests {
    /// A store with observations (imported), agreement versions and tokens, made by the CLI.
    static func populate(_ location: [String]) async throws {
        let file = BackstopProcess.temporaryDirectory() + "/observations.ndjson"
        let lines = (0..<250).map { index in
            #"{"id":"\#(UUID().uuidString.lowercased())","kind":"explosion","count":1,"observed_at":"2021-03-01T\#(String(format: "%02d", index / 60)):\#(String(format: "%02d", index % 60)):00Z","modality":"heard","location":{"lat":\#(48 + Double(index % 17) / 100),"lon":37.8}}"#
        }
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let imported = try await BackstopProcess.run(["import", "observations", file, "--reporter", "patrol-9"] + location)
        #expect(imported.status == 0, "\(imported.stderr)")
        let token = try await BackstopProcess.run(["token", "create", "--role", "analyst", "--name", "analyst-1"] + location)
        #expect(token.status == 0, "\(token.stderr)")
    }

    /// Expects `copy` to hold exactly what `original` holds (`count` observations), then closes both.
    static func expectSameContents(_ original: any BackstopStore, _ copy: any BackstopStore, count: Int) async throws {
        let (before, after) = (try await original.intake(after: 0, limit: 100_000), try await copy.intake(after: 0, limit: 100_000))
        #expect(before.count == count)
        #expect(after.map(\.stored) == before.map(\.stored), "every observation, field for field, in the same order")
        #expect(try await copy.allAgreementVersions().map(\.documentText) == (try await original.allAgreementVersions().map(\.documentText)))
        #expect(try await copy.allTokens() == (try await original.allTokens()))
        try await original.close()
        try await copy.close()
    }

    /// An incident of the first record with a proposal on it, as a node would have stored it
    /// after deriving every record.
    static func storeAnIncidentWithADecision(in directory: String) async throws -> StoredIncident {
        let store = try await SQLiteStore.open(directory: directory)
        _ = try await store.claimLease(IncidentWorkLease.name, holder: "test", duration: 60)
        let first = try #require(try await store.intake(after: 0, limit: 1).first)
        let record = FusionRecord(observation: first.stored.observation, resolution: first.stored.resolution, reporter: first.stored.reporter,
                                  reporterTeam: first.stored.reporterTeam)
        let id = IncidentIdentity.mintedID(from: first.stored.observation.id)
        var incident = StoredIncident(id: id, summary: IncidentSummary(Incident(members: [record]), findings: [], id: id), firstSequence: first.sequence, at: Date())
        _ = try incident.workflow.propose(verdict: .verified, note: "copied along", by: "analyst-1", role: .analyst, at: Date(), expectedVersion: 1)
        let fence = LeaseFence(lease: IncidentWorkLease.name, holder: "test", position: try await store.latestIntakeSequence(),
                               agreementRevision: try await store.agreementRevision())
        let stored = incident
        let pinned = first.stored.observation.id
        let written = try await store.changeIncidents([id], fence: fence) { _ in IncidentWrite(incidents: [stored], pins: [pinned: id]) }
        try await store.releaseLease(IncidentWorkLease.name, holder: "test")
        try await store.close()
        return try #require(written?.first)
    }

    @Test func aSQLiteBackupRestoresEveryRecord() async throws {
        let (original, restored) = (BackstopProcess.temporaryDirectory(), BackstopProcess.temporaryDirectory() + "/restored")
        try await Self.populate(["--data-dir", original])
        let backup = BackstopProcess.temporaryDirectory() + "/backstop.backup"
        let made = try await BackstopProcess.run(["backup", "--data-dir", original, "--to", backup])
        #expect(made.status == 0, "\(made.stderr)")
        let back = try await BackstopProcess.run(["restore", "--from", backup, "--data-dir", restored])
        #expect(back.status == 0, "\(back.stderr)")
        #expect(back.stdout.contains("250 observations"))
        let again = try await BackstopProcess.run(["restore", "--from", backup, "--data-dir", restored])
        #expect(again.status != 0 && again.stderr.contains("not empty"), "a restore never overwrites a store")

        try await Self.expectSameContents(try await SQLiteStore.open(directory: original), try await SQLiteStore.open(directory: restored), count: 250)
    }

    @Test(.enabled(if: TestPostgres.available))
    func aPostgresBackupRestoresEveryRecordAndSQLiteMigratesIntoPostgres() async throws {
        let source = try TestPostgres.freshSchema()
        try await Self.populate(["--database", source])
        let backup = BackstopProcess.temporaryDirectory() + "/backstop.dump"
        let made = try await BackstopProcess.run(["backup", "--database", source, "--to", backup])
        #expect(made.status == 0, "\(made.stderr)")

        // pg_dump keeps the schema's name, so the restore goes to a new database.
        let location = try PostgresLocation.parse(source)
        let newDatabase = "restored_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        var environment = location.libpqEnvironment
        environment["PGDATABASE"] = "postgres"
        let created = try await TestPostgres.shell(environment.map { "\($0.key)='\($0.value)'" }.joined(separator: " ") + " createdb \(newDatabase)")
        #expect(created == 0)
        let target = source.replacingOccurrences(of: "/\(location.database)?", with: "/\(newDatabase)?")
        let back = try await BackstopProcess.run(["restore", "--from", backup, "--database", target])
        #expect(back.status == 0, "\(back.stderr)")
        try await Self.expectSameContents(try PostgresStore.open(url: source), try PostgresStore.open(url: target), count: 250)

        let directory = BackstopProcess.temporaryDirectory()
        try await Self.populate(["--data-dir", directory])
        let decided = try await Self.storeAnIncidentWithADecision(in: directory)
        // An escalation policy goes along too (checked first, then loaded against its agreement).
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        #expect(try await BackstopProcess.run(["agreement", "load", root + "/Sources/BackstopData/Agreements/donbas-minsk-sample.json", "--data-dir", directory]).status == 0)
        let policyFile = root + "/Sources/BackstopData/Policies/donbas-minsk-sample-policy.json"
        let checked = try await BackstopProcess.run(["policy", "check", policyFile])
        #expect(checked.status == 0 && checked.stdout.hasPrefix("OK: donbas-minsk-sample-policy: 6 sectors"), "\(checked.stdout)\(checked.stderr)")
        let bad = BackstopProcess.temporaryDirectory() + "/bad-policy.json"
        try #"{"id": "bad", "title": "T", "sectors": [], "rules": [{"id": "r"}]}"#.write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try await BackstopProcess.run(["policy", "check", bad])
        #expect(refused.status != 0 && refused.stderr.contains("sectors: must not be empty") && refused.stderr.contains("rules[0].match: is required"), "\(refused.stderr)")
        let loaded = try await BackstopProcess.run(["policy", "load", policyFile, "--data-dir", directory])
        #expect(loaded.status == 0 && loaded.stdout.contains("Saved donbas-minsk-sample-policy as version 1"), "\(loaded.stderr)")
        let migrated = try TestPostgres.freshSchema()
        let copy = try await BackstopProcess.run(["migrate-store", "--from", directory, "--to", migrated])
        #expect(copy.status == 0, "\(copy.stderr)")
        #expect(copy.stdout.contains("copied 250 observations"))
        // The incident goes with its decision, and the target knows how far its incidents go.
        let copied = try PostgresStore.open(url: migrated)
        #expect(try await copied.storedIncident(id: decided.id)?.workflow == decided.workflow)
        #expect(try await copied.incidentProgress().position == (try await copied.latestIntakeSequence()))
        #expect(try await copied.fusionPins(after: 0).map(\.group) == [decided.id], "the analyst's pin goes along")
        #expect(try await copied.latestPolicies().map(\.id) == ["donbas-minsk-sample-policy"])
        try await copied.close()
        try await Self.expectSameContents(try await SQLiteStore.open(directory: directory), try PostgresStore.open(url: migrated), count: 250)
        let twice = try await BackstopProcess.run(["migrate-store", "--from", directory, "--to", migrated])
        #expect(twice.status != 0 && twice.stderr.contains("not empty"), "migrate-store never writes into a store in use")
    }
}
}
