import BackstopCore
import Foundation
import Testing

/// The rule that ties re-derived groups to stored incident ids (see `IncidentIdentity`).
@Suite struct IncidentIdentityTests {
    static func record(_ n: Int) -> UUID { UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", n))! }

    /// Records 1…n committed in that order.
    static func identity(_ count: Int) -> IncidentIdentity {
        var identity = IncidentIdentity()
        for n in 1...count { identity.noteSequence(Int64(n), of: record(n)) }
        return identity
    }

    @Test func aNewGroupGetsAnIdMintedFromItsOldestRecordNotARecordId() {
        var identity = Self.identity(3)
        let outcome = identity.reconcile([[Self.record(2), Self.record(1)]])
        let id = IncidentIdentity.mintedID(from: Self.record(1))
        #expect(outcome.assigned.map(\.id) == [id])
        #expect(outcome.assigned[0].minted)
        #expect(id != Self.record(1))
        #expect(identity.incidentOf[Self.record(2)] == id)
    }

    @Test func aRecordJoiningKeepsTheIdAndIsReportedAsJoined() {
        var identity = Self.identity(3)
        let first = identity.reconcile([[Self.record(1)]]).assigned[0].id
        let outcome = identity.reconcile([[Self.record(1), Self.record(3)]])
        #expect(outcome.assigned.map(\.id) == [first])
        #expect(outcome.assigned[0].joined == [Self.record(3)])
        #expect(!outcome.assigned[0].minted)
    }

    @Test func aMergeKeepsTheIdHoldingTheOldestRecordAndRetiresTheOther() {
        var identity = Self.identity(3)
        let older = identity.reconcile([[Self.record(1)]]).assigned[0].id
        let newer = identity.reconcile([[Self.record(2)]]).assigned[0].id
        let outcome = identity.reconcile([[Self.record(1), Self.record(2), Self.record(3)]])
        #expect(outcome.assigned.map(\.id) == [older])
        #expect(outcome.merged.map(\.retired) == [newer])
        #expect(outcome.merged.map(\.survivor) == [older])
        #expect(identity.membersOf[newer] == nil)
    }

    @Test func aSplitKeepsTheIdOnThePartWithTheOldestRecordAndMintsForTheRest() {
        var identity = Self.identity(4)
        let id = identity.reconcile([[Self.record(1), Self.record(2), Self.record(3), Self.record(4)]]).assigned[0].id
        let outcome = identity.reconcile([[Self.record(3), Self.record(4)], [Self.record(2), Self.record(1)]])
        let kept = outcome.assigned.first { $0.members.contains(Self.record(1)) }!
        let split = outcome.assigned.first { $0.members.contains(Self.record(3)) }!
        #expect(kept.id == id && !kept.minted)
        #expect(split.minted && split.splitFrom == [id])
        #expect(split.id == IncidentIdentity.mintedID(from: Self.record(3)))
    }

    @Test func anIdIsNeverReused() {
        var identity = Self.identity(3)
        // Record 2 founds an incident that a merge retires; split off again, it gets a new id.
        let older = identity.reconcile([[Self.record(1)]]).assigned[0].id
        let retired = identity.reconcile([[Self.record(2)]]).assigned[0].id
        _ = identity.reconcile([[Self.record(1), Self.record(2)]])
        let outcome = identity.reconcile([[Self.record(1)], [Self.record(2)]])
        let again = outcome.assigned.first { $0.members == [Self.record(2)] }!
        #expect(outcome.assigned.first { $0.members == [Self.record(1)] }?.id == older)
        #expect(again.id != retired)
        #expect(again.id == IncidentIdentity.mintedID(from: Self.record(2), counter: 1))
    }

    @Test func theSameIntakeGivesTheSameIdsWhateverTheStepSizes() {
        // Record by record, or all at once: a record that joins an earlier incident, and a
        // bridge that merges two, leave the same ids.
        var stepwise = Self.identity(4)
        _ = stepwise.reconcile([[Self.record(1)]])
        _ = stepwise.reconcile([[Self.record(1), Self.record(2)]])
        _ = stepwise.reconcile([[Self.record(3)]])
        let last = stepwise.reconcile([[Self.record(1), Self.record(2), Self.record(3), Self.record(4)]])
        var atOnce = Self.identity(4)
        let whole = atOnce.reconcile([[Self.record(4), Self.record(3), Self.record(2), Self.record(1)]])
        #expect(last.assigned.map(\.id) == whole.assigned.map(\.id))
        #expect(stepwise.incidentOf == atOnce.incidentOf)
    }

    @Test func restoredIdsAreTakenUpAndKeptFromReuse() {
        var identity = Self.identity(2)
        let live = IncidentIdentity.mintedID(from: Self.record(1))
        identity.restore(id: live, members: [Self.record(1)], retired: false)
        identity.restore(id: IncidentIdentity.mintedID(from: Self.record(2)), members: [Self.record(2)], retired: true)
        let outcome = identity.reconcile([[Self.record(1)], [Self.record(2)]])
        #expect(outcome.assigned.first { $0.members == [Self.record(1)] }?.id == live)
        #expect(outcome.assigned.first { $0.members == [Self.record(2)] }?.id == IncidentIdentity.mintedID(from: Self.record(2), counter: 1))
    }
}
