import BackstopCore
import Foundation
import Testing

/// The verification workflow: every legal transition and every refusal, with the four-eyes
/// rule, versions, new evidence and release levels.
@Suite struct IncidentWorkflowTests {
    static let now = Timestamp.parse("2021-03-02T08:00:00Z")!

    /// A workflow brought to `state` by the ordinary path.
    static func workflow(in state: IncidentState) throws -> IncidentWorkflow {
        var workflow = IncidentWorkflow()
        switch state {
        case .unreviewed: break
        case .proposed:
            _ = try workflow.propose(verdict: .verified, note: "two patrols", by: "ana", role: .analyst, at: now, expectedVersion: 1)
        case .verified, .notVerified, .rejected:
            let verdict: Verdict = state == .verified ? .verified : state == .notVerified ? .notVerified : .rejected
            _ = try workflow.propose(verdict: verdict, note: "assessed", by: "ana", role: .analyst, at: now, expectedVersion: 1)
            try workflow.confirm(1, by: "sam", role: .supervisor, at: now, expectedVersion: 2)
        }
        #expect(workflow.state == state)
        return workflow
    }

    // MARK: Tests

    @Test func aProposalConfirmedByAnotherSupervisorHolds() throws {
        var workflow = IncidentWorkflow()
        #expect(workflow.state == .unreviewed)
        #expect(workflow.needsReview)
        let proposal = try workflow.propose(verdict: .verified, note: "two patrols and a camera", by: "ana", role: .analyst, at: Self.now, expectedVersion: 1)
        #expect(proposal.number == 1)
        #expect(workflow.state == .proposed)
        #expect(workflow.holding == nil, "a proposal changes nothing until confirmed")
        try workflow.confirm(1, by: "sam", role: .supervisor, at: Self.now, expectedVersion: 2)
        #expect(workflow.state == .verified)
        #expect(workflow.holding?.decidedBy == "sam")
        #expect(!workflow.needsReview)
        #expect(workflow.version == 3)
    }

    @Test func theProposerCannotConfirmTheirOwnAssessment() throws {
        var workflow = IncidentWorkflow()
        _ = try workflow.propose(verdict: .verified, note: "seen", by: "sam", role: .supervisor, at: Self.now, expectedVersion: 1)
        #expect(throws: WorkflowError.fourEyes(proposer: "sam")) { try workflow.confirm(1, by: "sam", role: .supervisor, at: Self.now, expectedVersion: 2) }
        #expect(workflow.state == .proposed, "a refused command changes nothing")
        #expect(workflow.version == 2)
    }

    @Test func aReturnedAssessmentLeavesWhatHeldBefore() throws {
        var workflow = try Self.workflow(in: .verified)
        _ = try workflow.propose(verdict: .rejected, note: "a duplicate", by: "ana", role: .analyst, at: Self.now, expectedVersion: 3)
        #expect(workflow.state == .proposed)
        #expect(throws: WorkflowError.invalid(path: "reason", reason: "must be 1 to 10,000 characters")) {
            try workflow.returnAssessment(2, reason: "  ", by: "sam", role: .supervisor, at: Self.now, expectedVersion: 4)
        }
        try workflow.returnAssessment(2, reason: "the camera confirms it", by: "sam", role: .supervisor, at: Self.now, expectedVersion: 4)
        #expect(workflow.state == .verified)
        #expect(workflow.assessments[1].status == .returned)
        #expect(workflow.assessments[1].returnReason == "the camera confirms it")
    }

    @Test func aStaleVersionIsRefusedWithTheCurrentOne() throws {
        var workflow = try Self.workflow(in: .proposed)
        #expect(throws: WorkflowError.staleVersion(current: 2)) { try workflow.confirm(1, by: "sam", role: .supervisor, at: Self.now, expectedVersion: 1) }
        #expect(throws: WorkflowError.staleVersion(current: 2)) { try workflow.release(to: .public, by: "sam", role: .supervisor, expectedVersion: 7) }
    }

    @Test(arguments: [Role.monitor, .sensor, .partner, .party, .public])
    func onlyTheMissionProposesAndOnlySupervisorsDecide(role: Role) throws {
        var fresh = IncidentWorkflow()
        #expect(throws: WorkflowError.forbidden(role: role, action: "propose an assessment")) {
            _ = try fresh.propose(verdict: .verified, note: "x", by: "x", role: role, at: Self.now, expectedVersion: 1)
        }
        var proposed = try Self.workflow(in: .proposed)
        #expect(throws: WorkflowError.forbidden(role: role, action: "confirm an assessment")) {
            try proposed.confirm(1, by: "x", role: role, at: Self.now, expectedVersion: 2)
        }
        var analyst = try Self.workflow(in: .proposed)
        #expect(throws: WorkflowError.forbidden(role: .analyst, action: "confirm an assessment")) {
            try analyst.confirm(1, by: "other", role: .analyst, at: Self.now, expectedVersion: 2)
        }
    }

    /// Every state × every command: what is legal, and that each refusal names the state.
    @Test(arguments: IncidentState.allCases)
    func everyCommandInEveryState(state: IncidentState) throws {
        let base = try Self.workflow(in: state)
        let version = base.version

        var proposing = base
        if state == .proposed {
            #expect(throws: WorkflowError.self) { _ = try proposing.propose(verdict: .verified, note: "x", by: "bo", role: .analyst, at: Self.now, expectedVersion: version) }
        } else {
            _ = try proposing.propose(verdict: .notVerified, note: "x", by: "bo", role: .analyst, at: Self.now, expectedVersion: version)
            #expect(proposing.state == .proposed)
        }

        var confirming = base
        if state == .proposed {
            try confirming.confirm(1, by: "sam", role: .supervisor, at: Self.now, expectedVersion: version)
            #expect(confirming.state == .verified)
        } else if base.assessments.isEmpty {
            #expect(throws: WorkflowError.unknownAssessment(1)) { try confirming.confirm(1, by: "sam", role: .supervisor, at: Self.now, expectedVersion: version) }
        } else {
            #expect(throws: WorkflowError.illegalTransition(state: state, action: "confirm assessment 1, which is confirmed already")) {
                try confirming.confirm(1, by: "kim", role: .supervisor, at: Self.now, expectedVersion: version)
            }
        }

        var releasing = base
        if state == .verified {
            try releasing.release(to: .partners, by: "sam", role: .supervisor, expectedVersion: version)
            #expect(releasing.releaseLevel == .partners)
        } else {
            #expect(throws: WorkflowError.illegalTransition(state: state, action: "release to partners: only a verified incident is released")) {
                try releasing.release(to: .partners, by: "sam", role: .supervisor, expectedVersion: version)
            }
        }
    }

    @Test func aReleaseWidensButNeverNarrows() throws {
        var workflow = try Self.workflow(in: .verified)
        try workflow.release(to: .parties, by: "sam", role: .supervisor, expectedVersion: 3)
        try workflow.release(to: .parties, by: "sam", role: .supervisor, expectedVersion: 4)
        #expect(workflow.version == 4, "the same level again changes nothing")
        #expect(throws: WorkflowError.illegalTransition(state: .verified, action: "narrow its release from parties to partners")) {
            try workflow.release(to: .partners, by: "sam", role: .supervisor, expectedVersion: 4)
        }
        try workflow.release(to: .public, by: "sam", role: .supervisor, expectedVersion: 4)
        #expect(workflow.releaseLevel == .public)
    }

    @Test func lateEvidenceReturnsAVerifiedIncidentToTheQueueKeepingItsAssessment() throws {
        var workflow = try Self.workflow(in: .verified)
        let late = [UUID(), UUID()]
        workflow.recordsJoined(late)
        #expect(workflow.hasNewEvidence)
        #expect(workflow.needsReview)
        #expect(workflow.state == .verified, "what was confirmed still holds")
        #expect(workflow.unassessedRecords == late)
        workflow.recordsJoined([late[0]])
        #expect(workflow.version == 4, "the same record again is no change")
        _ = try workflow.propose(verdict: .verified, note: "the late camera record agrees", by: "ana", role: .analyst, at: Self.now, expectedVersion: 4)
        try workflow.confirm(2, by: "kim", role: .supervisor, at: Self.now, expectedVersion: 5)
        #expect(!workflow.hasNewEvidence)
        #expect(workflow.holding?.number == 2)
    }

    @Test func recordsJoiningAnUnreviewedIncidentAreSimplyPartOfIt() {
        var workflow = IncidentWorkflow()
        workflow.recordsJoined([UUID()])
        #expect(!workflow.hasNewEvidence)
        #expect(workflow.version == 1)
    }

    @Test(arguments: [(ReleaseLevel.internal, Role.analyst, true), (.internal, .partner, false), (.partners, .partner, true),
                      (.partners, .party, false), (.parties, .party, true), (.parties, .partner, true), (.parties, .public, false),
                      (.public, .public, true), (.public, .monitor, false), (.public, .supervisor, true)])
    func aLevelIsSeenByItsAudienceAndNarrowerOnes(level: ReleaseLevel, role: Role, visible: Bool) {
        #expect(level.isVisible(to: role) == visible)
    }
}
