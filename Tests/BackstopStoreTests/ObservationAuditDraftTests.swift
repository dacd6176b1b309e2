import BackstopCore
import BackstopStore
import Foundation
import Testing

/// The audit entry a submission appends has its body written straight as bytes; chained, it
/// must be the entry `AuditDrafts.observationAccepted` makes from the tree: the same body text,
/// the same hash, the same entry read back.
@Suite struct ObservationAuditDraftTests {
    @Test func aSubmissionsEntryIsTheDraftsEntry() {
        var random = SplitMix64(seed: 7)
        let names = ["patrol-1", "quote \" and backslash \\", "Мар'їнка team", "tab\there", "\u{1}control", "emoji 🚀"]
        var previous: (sequence: Int64, hash: String)? = nil
        for index in 0..<500 {
            let observation = Observation(
                id: UUID(), kind: ObservationKind.allCases.randomElement(using: &random)!, count: 1,
                observedAt: Date(timeIntervalSince1970: Double.random(in: 0...2e9, using: &random)), modality: .heard,
                location: .absolute(point: GeoPoint(lat: 48.1, lon: 37.8), accuracyMetres: nil))
            let submission = ObservationSubmission(
                observation: observation, reporter: names.randomElement(using: &random)!,
                reporterTeam: Bool.random(using: &random) ? names.randomElement(using: &random)! : nil,
                receivedAt: Date(timeIntervalSince1970: Double.random(in: 0...2e9, using: &random)))
            let fromTree = PreparedAuditDraft(AuditDrafts.observationAccepted(StoredObservation(submission)))
            let time = Date(timeIntervalSince1970: 1_700_000_000 + Double(index) * 0.001)
            let written = PreparedAuditDraft.chain([submission.acceptedAudit], after: previous, at: time)[0]
            let expected = PreparedAuditDraft.chain([fromTree], after: previous, at: time)[0]
            #expect(written.bodyText == expected.bodyText)
            #expect(written.hash == expected.hash)
            #expect(written.entry == expected.entry)
            #expect(written.entry.hash == written.entry.computedHash)
            if written.hash != expected.hash { return }
            previous = (written.sequence, written.hash)
        }
    }
}
