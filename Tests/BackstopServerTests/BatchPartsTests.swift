@testable import BackstopServer
import Testing

/// A batch is read and written in parts (`ObservationsController.partBounds`): every element in
/// exactly one part, in order; a batch of up to a part's size in one (it may share a group
/// commit); a longer one with short first and last parts.
struct BatchPartsTests {
    @Test func everyElementIsInOnePartInOrder() {
        let size = ObservationsController.partSize, edge = ObservationsController.edgePartSize
        for count in 0...2_500 {
            let bounds = ObservationsController.partBounds(count: count)
            #expect(bounds.first?.lowerBound ?? 0 == 0 && bounds.last?.upperBound ?? 0 == count, "batch of \(count)")
            #expect(zip(bounds, bounds.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound }, "batch of \(count)")
            #expect(bounds.allSatisfy { !$0.isEmpty && $0.count <= size }, "batch of \(count)")
            if count > size {
                #expect(bounds.first!.count == edge && bounds.last!.count == edge, "batch of \(count)")
                #expect(bounds.count >= 3, "batch of \(count)")
            } else {
                #expect(bounds.count == (count == 0 ? 0 : 1), "batch of \(count)")
            }
        }
    }

    @Test func aBatchOfAThousand() {
        let sizes = ObservationsController.partBounds(count: 1_000).map(\.count)
        #expect(sizes == [25] + Array(repeating: 100, count: 9) + [50, 25])
    }
}
