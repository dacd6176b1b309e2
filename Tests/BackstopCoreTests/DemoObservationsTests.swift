import BackstopCore
import BackstopData
import Foundation
import Testing

/// Demo data must not hand out guessable ids: a client that counts from 1, or someone probing
/// which ids exist, would otherwise meet them.
@Suite struct DemoObservationsTests {
    @Test func demoIdsAreRandomAndNeverRepeatAcrossStarts() {
        let end = Timestamp.parse("2021-03-02T00:00:00Z")!
        let first = DemoObservations.make(endingAt: end).map(\.id)
        let second = DemoObservations.make(endingAt: end).map(\.id)
        #expect(Set(first).count == first.count)
        #expect(Set(first).isDisjoint(with: second), "another start draws other ids")
        #expect(first.allSatisfy { !$0.uuidString.hasPrefix("00000000-") }, "no counted ids")
        // Version 4 (random) UUIDs: the version nibble is 4 and the variant bits are 10.
        #expect(first.allSatisfy { Array($0.uuidString)[14] == "4" && "89AB".contains(Array($0.uuidString)[19]) })
    }
}
