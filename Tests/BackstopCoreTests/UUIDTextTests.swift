import BackstopCore
import Foundation
import Testing

@Suite struct UUIDTextTests {
    /// The id written as bytes is the text Backstop writes everywhere else, and reads back.
    @Test func anIdWrittenAsBytesIsItsLowercasedText() {
        var ids = [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
                   UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))]
        ids += (0..<1_000).map { _ in UUID() }
        for id in ids {
            var bytes: [UInt8] = Array("x".utf8)
            id.appendLowercased(to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == "x" + id.uuidString.lowercased())
            #expect(UUID.parse(String(decoding: bytes.dropFirst(), as: UTF8.self)) == id)
            #expect(id.lowercasedText == id.uuidString.lowercased())
        }
    }
}
