import BackstopCore
import Foundation
import Testing

@Suite struct Base64URLTests {
    @Test func urlUnsafeCharactersAndPaddingAreReplacedAndRestored() throws {
        let data = Data([0xFB, 0xFF, 0xBF, 0x00, 0x3E])
        #expect(data.base64EncodedString() == "+/+/AD4=")
        let encoded = Base64URL.encode(data)
        #expect(encoded == "-_-_AD4")
        #expect(Base64URL.decode(encoded) == data)
        #expect(Base64URL.decode("not base64!") == nil)
    }

    @Test func tokensAreURLSafe() {
        let token = AccessTokens.generate()
        #expect(token.hasPrefix("bst_"))
        #expect(token.dropFirst(4).allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(token.count == 4 + 43)
    }
}
