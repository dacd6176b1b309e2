import BackstopCore
import BackstopData
import BackstopStore
import Foundation

/// What a fresh data directory gets on first start: the sample agreements, an admin token
/// (shown once), and, when asked for, demo observations.
public enum FirstStart {
    public struct Report: Sendable {
        public var loadedAgreements: [String] = []
        public var loadedPolicies: [String] = []
        /// The new admin token's secret; nil when tokens existed already.
        public var adminToken: String?
        public var demoObservations = 0
    }

    public static func prepare(store: any BackstopStore, now: Date, demo: Bool) async throws -> Report {
        var report = Report()
        if try await store.latestAgreements().isEmpty {
            for (_, data) in try SampleAgreements.documents() {
                let document = try JSONValue.parse(data)
                let agreement = try AgreementParser().parse(document)
                do {
                    _ = try await store.saveAgreement(
                        AgreementRecord(document: document, agreement: agreement, savedBy: "backstop (sample data)", savedAt: now),
                        expectedVersion: 1
                    )
                    report.loadedAgreements.append(agreement.id)
                } catch StoreError.versionConflict {
                    // Another node starting on the same database loaded it a moment ago.
                }
            }
        }
        if try await store.latestPolicies().isEmpty {
            for (_, data) in try SamplePolicies.documents() {
                let document = try JSONValue.parse(data)
                let policy = try EscalationPolicyParser().parse(document)
                do {
                    _ = try await store.savePolicy(document, policy: policy, savedBy: "backstop (sample data)", at: now)
                    report.loadedPolicies.append(policy.id)
                } catch StoreError.staleVersion {
                    // Another node starting on the same database loaded it a moment ago.
                }
            }
        }
        if try await store.tokenCount() == 0 {
            let token = AccessTokens.generate()
            do {
                try await store.insertToken(AccessTokenRecord(hash: AccessTokens.hash(token), identity: Identity(name: "admin", role: .admin), createdAt: now))
                report.adminToken = token
            } catch StoreError.duplicateToken {
                // Another node made the admin token; it printed it.
            }
        }
        if demo, try await store.observationCount() == 0 {
            let resolver = LocationResolver(places: PlaceResolver(gazetteer: try BundledGazetteer.load(), areas: []))
            let submissions = DemoObservations.make(endingAt: now).map {
                ObservationSubmission(observation: $0, reporter: "demo-patrol", reporterTeam: "demo", receivedAt: now, resolution: resolver.resolve($0))
            }
            report.demoObservations = try await store.submit(submissions).count
        }
        return report
    }
}
