@testable import BackstopServer
import BackstopStore
import Testing

/// A write of the incident work in several parts (every incident checked again after an
/// agreement change) says how far the incidents go only with its last part: the position and
/// the agreements they were checked against. Readers take the incidents as current and checked
/// from those two (`IncidentBoard.caughtUp`), and the parts not yet written still hold what
/// the old agreements found.
struct IncidentWorkFenceTests {
    @Test func onlyTheLastPartMovesThePositionAndTheCheckedAgreements() {
        let fences = (0..<3).map {
            IncidentWork.fence(forPart: $0, of: 3, holder: "node-1", from: 40, reaching: 55, agreementRevision: 7)
        }
        #expect(fences.map(\.position) == [40, 40, 55])
        // -1: the stores keep the larger of the stored revision and the fence's.
        #expect(fences.map(\.agreementRevision) == [-1, -1, 7])
        #expect(fences.allSatisfy { $0.lease == IncidentWork.leaseName && $0.holder == "node-1" })
    }

    @Test func aWriteInOnePartMovesBoth() {
        let fence = IncidentWork.fence(forPart: 0, of: 1, holder: "node-1", from: 40, reaching: 55, agreementRevision: 7)
        #expect(fence == LeaseFence(lease: IncidentWork.leaseName, holder: "node-1", position: 55, agreementRevision: 7))
    }
}
