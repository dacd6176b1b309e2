import BackstopCore
import Foundation
import Testing

/// Input is taken as written or refused with the reason: nothing is rolled over, rounded or
/// silently chosen.
@Suite struct StrictInputTests {
    // MARK: Times

    @Test(arguments: [
        ("2021-02-29T21:30:00Z", "has day 29, but 2021-02 has 28 days"),
        ("2021-04-31T00:00:00Z", "has day 31, but 2021-04 has 30 days"),
        ("2021-03-01T25:00:00Z", "hours are 00–23"),
        ("2021-03-01T24:00:00Z", "hours are 00–23"),
        ("2021-03-01T23:60:00Z", "minutes are 00–59"),
        ("2021-03-01T23:59:61Z", "seconds are 00–59"),
        ("2016-12-31T23:59:60Z", "leap seconds are not accepted"),
        ("0000-01-01T00:00:00Z", "years from 1900"),
        ("1899-12-31T23:59:59Z", "years from 1900"),
        ("2021-03-01T21:30:00+0530", "with a colon"),
        ("2021-03-01T21:30:00+24:00", "offset out of range"),
        ("2021-03-01T21:30:00", "has no zone"),
        ("2021-03-01 21:30:00Z", "does not have the form"),
        ("2021-3-1T21:30:00Z", "does not have the form"),
        ("2021-03-01T21:30Z", "does not have the form"),
        ("2021-03-01T21:30:00.Z", "no fractional digits"),
        ("2021-03-01T21:30:00Z junk", "does not have the form"),
        ("2021-13-01T00:00:00Z", "months are 01–12"),
    ])
    func impossibleTimesAreRefusedWithTheReason(text: String, reason: String) throws {
        switch Timestamp.parseStrictly(text) {
        case .success(let date): Issue.record("\(text) was accepted as \(Timestamp.format(date))")
        case .failure(let error): #expect(error.reason.contains(reason), "\(text): \(error.reason)")
        }
    }

    @Test(arguments: [
        ("2024-02-29T12:00:00Z", "2024-02-29T12:00:00.000Z"),
        ("2000-02-29T00:00:00z", "2000-02-29T00:00:00.000Z"),
        ("2021-03-01t21:30:00.5Z", "2021-03-01T21:30:00.500Z"),
        ("2021-03-01T21:30:00.123456789+02:00", "2021-03-01T19:30:00.123Z"),
        ("2021-03-01T00:30:00-05:30", "2021-03-01T06:00:00.000Z"),
        ("1953-07-27T10:00:00+09:00", "1953-07-27T01:00:00.000Z"),
        ("1900-01-01T00:00:00Z", "1900-01-01T00:00:00.000Z"),
        ("2021-12-31T23:59:59.999Z", "2021-12-31T23:59:59.999Z"),
    ])
    func realTimesAreReadExactly(text: String, expected: String) throws {
        let date = try #require(Timestamp.parse(text), "\(text) was refused")
        #expect(Timestamp.format(date) == expected)
    }

    @Test func theParserAgreesWithFoundationOnEveryDayOfAYear() throws {
        var day = try #require(Timestamp.parse("2023-12-31T12:34:56Z"))
        for _ in 0..<(366 * 2) {
            let text = Timestamp.format(day)
            #expect(Timestamp.parse(text) == day, "\(text)")
            day += 86_400
        }
    }

    /// Times are written digit by digit; Foundation's formatter is the reference, over
    /// centuries, before 1970 and at every rounding of the milliseconds.
    @Test func timesAreWrittenAsFoundationWritesThem() {
        var generator = SplitMix64(seed: 3)
        func next() -> Double { Double.random(in: 0..<1, using: &generator) }
        let earliest = -2_208_988_800.0, latest = 253_402_300_799.0 // 1900-01-01 and 9999-12-31T23:59:59Z
        let instants = (0..<2_000).map { _ in earliest + next() * (latest - earliest) } + [earliest, latest, 0, -0.0004, -0.0006, 0.9995, 1_614_634_199.9996]
        for instant in instants {
            let date = Date(timeIntervalSince1970: instant)
            let milliseconds = Timestamp.milliseconds(date)
            let seconds = Int64((Double(milliseconds) / 1000).rounded(.down))
            let whole = Date(timeIntervalSince1970: Double(seconds)).formatted(Date.ISO8601FormatStyle())
            let expected = String(whole.dropLast()) + String(format: ".%03dZ", Int(milliseconds - seconds * 1000))
            #expect(Timestamp.format(date) == expected, "\(instant)")
        }
    }

    @Test func idsParseAsFoundationParsesThem() {
        var texts = (0..<500).map { index in index % 2 == 0 ? UUID().uuidString : UUID().uuidString.lowercased() }
        texts += ["", "not-a-uuid", "E621E1F8-C36C-495A-93FC-0C247A3E6E5F ", " E621E1F8-C36C-495A-93FC-0C247A3E6E5F", "E621E1F8C36C495A93FC0C247A3E6E5F",
                  "E621E1F8-C36C-495A-93FC-0C247A3E6E5G", "E621E1F8-C36C-495A-93FC_0C247A3E6E5F", "E621E1F8-C36C-495A-93F-C0C247A3E6E5F",
                  "{E621E1F8-C36C-495A-93FC-0C247A3E6E5F}", "e621e1f8-c36c-495a-93fc-0c247a3e6e5f", "É621E1F8-C36C-495A-93FC-0C247A3E6E5"]
        for text in texts {
            #expect(UUID.parse(text) == UUID(uuidString: text), "\(text)")
        }
    }

    // MARK: JSON

    /// A large array is parsed on all cores; the value, and every error with its path and
    /// byte, are those of the one-by-one parse (a small array is parsed that way).
    @Test func aLargeArrayParsesAsASmallOneDoes() throws {
        let element = #"{"id":"e-%d","kind":"explosion","count":%d,"where":{"lat":48.1,"lon":37.7},"tags":["a","\u00e9",[1,{"x":null}]],"note":"a, [b] {c} \"d\""}"#
        let elements = (0..<600).map { String(format: element, $0, $0) }
        let text = #"{"before":[1,2],"observations":[ "# + elements.joined(separator: ",\n ") + #" ],"after":{"z":[]}}"#
        let value = try JSONValue.parse(text)
        let expected = try JSONValue.parse(#"{"before":[1,2],"after":{"z":[]}}"#)
        #expect(value["before"] == expected["before"])
        #expect(value["after"] == expected["after"])
        let parsed = try #require(value["observations"]?.arrayValue)
        #expect(parsed.count == 600)
        for (index, text) in elements.enumerated() {
            #expect(parsed[index] == (try JSONValue.parse(text)), "element \(index)")
        }
        // Errors deep in the array: the first in the text is named, as the sequential parse names it.
        let broken = [ // the body, the path and reason named, and the text at the byte named
            (elements[..<450].joined(separator: ",") + "," + #"{"id":1,"id":2}"# + "," + elements[451...].joined(separator: ","),
             "observations[450].id", "duplicate key 'id'", #""id":2}"#),
            (elements[..<300].joined(separator: ",") + ",," + elements[300...].joined(separator: ","), "observations[300]", "unexpected character ','", #",{"id":"e-300""#),
            (elements[..<100].joined(separator: ",") + "," + #"{"a":1 "b":2}"# + "," + elements[101...].joined(separator: ",") + "," + #"{"c":[}"#,
             "observations[100]", "expected ',' or '}' in an object", #""b":2}"#),
        ]
        for (body, path, reason, fault) in broken {
            let document = #"{"observations":["# + body + "]}"
            do {
                _ = try JSONValue.parse(document)
                Issue.record("\(reason) was accepted")
            } catch {
                #expect(error.path == path)
                #expect(error.reason == reason)
                let bytes = Array(document.utf8)
                #expect(error.offset < bytes.count && String(decoding: bytes[error.offset...].prefix(fault.utf8.count), as: UTF8.self) == fault)
            }
        }
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(#"{"observations":["# + elements.joined(separator: ",")) }
    }

    /// A batch's elements left unparsed (`parse(_:deferringElementsOf:)`) parse, one by one,
    /// to what the whole parse gives; the root is checked in full; an element that is not JSON
    /// fails on its own, and `exactError` then names the document's first error as `parse` does.
    @Test func deferredElementsParseAsTheWholeDocumentDoes() throws {
        let element = #"{"id":"e-%d","count":%d,"where":{"lat":48.1,"lon":37.7},"note":"a, [b] {c} \"d\" \u00e9"}"#
        let elements = (0..<300).map { String(format: element, $0, $0) }
        let text = #"{"before":[1,2],"observations":[ "# + elements.joined(separator: ",\n ") + #" ],"after":{"z":[]}}"#
        let whole = try JSONValue.parse(text)
        let (root, deferred) = try StrictJSONParser.parse(Data(text.utf8), deferringElementsOf: "observations")
        let elementsLeft = try #require(deferred)
        #expect(elementsLeft.count == 300)
        #expect(root["observations"] == .array(Array(repeating: .null, count: 300)))
        #expect(root["before"] == whole["before"] && root["after"] == whole["after"])
        for index in 0..<300 {
            #expect(try elementsLeft.element(index) == whole["observations"]?.arrayValue?[index], "element \(index)")
        }

        // An empty array has no element; a body without the key, or the key deeper down, is parsed whole.
        let (_, none) = try StrictJSONParser.parse(Data(#"{"observations":[ ]}"#.utf8), deferringElementsOf: "observations")
        #expect(none?.count == 0)
        for whole in [#"{"kind":"explosion"}"#, #"{"batch":{"observations":[1,2]}}"#, #"{"observations":"many"}"#, "[1,2]"] {
            let (value, deferred) = try StrictJSONParser.parse(Data(whole.utf8), deferringElementsOf: "observations")
            #expect(deferred == nil)
            #expect(value == (try JSONValue.parse(whole)))
        }

        // The root is checked in full: a duplicate key (the array's, whichever copy comes first)
        // or trailing text fails at once, and an error after the array names an element's
        // error first when an element has one, as the whole parse does.
        for broken in [#"{"observations":[1],"observations":[2]}"#, #"{"observations":null,"observations":[2]}"#,
                       #"{"observations":[1]} x"#, #"{"observations":[1],"x":tru}"#, #"{"observations":[tru],"x":tru}"#,
                       #"{"observations":[{"a":tru}]"#, #"{"observations":[tru],"observations":[]}"#] {
            do {
                _ = try StrictJSONParser.parse(Data(broken.utf8), deferringElementsOf: "observations")
                Issue.record("\(broken) was accepted")
            } catch {
                #expect(throws: error) { try JSONValue.parse(broken) }
            }
        }

        // A broken element fails when parsed; the error named is the whole parse's. (Brackets
        // that do not match at the array's level are not deferred: the whole parse fails at once.)
        for body in [elements[..<10].joined(separator: ",") + "," + #"{"id":1,"id":2}"#, "1 2", "1,,2", #"{"a":[}]"#, "1,", #"{"a":[}"#] {
            let document = #"{"observations":["# + body + "]}"
            let whole: JSONSyntaxError
            do {
                _ = try JSONValue.parse(document)
                Issue.record("\(body) was accepted")
                continue
            } catch {
                whole = error
            }
            do {
                let (_, deferred) = try StrictJSONParser.parse(Data(document.utf8), deferringElementsOf: "observations")
                let elementsLeft = try #require(deferred, "\(body)")
                #expect((0..<elementsLeft.count).contains { (try? elementsLeft.element($0)) == nil }, "\(body)")
                #expect(elementsLeft.exactError() == whole, "\(body)")
            } catch let error as JSONSyntaxError {
                #expect(body == #"{"a":[}"#, "\(body): \(error)")
                #expect(error == whole)
            }
        }
    }

    @Test func aDuplicateKeyIsRefusedWithItsPath() throws {
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(#"{"kind":"explosion","kind":"tracer"}"#) }
        do {
            _ = try JSONValue.parse(#"{"observations":[{"id":"a"},{"location":{"lat":1,"lat":2}}]}"#)
            Issue.record("a duplicate key was accepted")
        } catch {
            #expect(error.path == "observations[1].location.lat")
            #expect(error.reason == "duplicate key 'lat'")
        }
    }

    @Test func integersStayExact() throws {
        let value = try JSONValue.parse(#"{"big": 9223372036854775807, "odd": 9007199254740993, "negative": -42, "real": 1.5, "exp": 1e2}"#)
        #expect(value["big"] == .integer(Int.max))
        #expect(value["odd"]?.intValue == 9_007_199_254_740_993)
        #expect(value["negative"]?.intValue == -42)
        #expect(value["real"]?.doubleValue == 1.5)
        #expect(value["exp"] == .number(100), "numbers compare by value, whichever case holds them")
        #expect(String(decoding: value.canonicalData(), as: UTF8.self) == #"{"big":9223372036854775807,"exp":100,"negative":-42,"odd":9007199254740993,"real":1.5}"#)
    }

    @Test(arguments: [
        "", " ", "{", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "1e", "+1", "NaN", "Infinity", "1e400",
        "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"", "\"a\u{01}b\"", "tru", "nul", "{\"a\" 1}", "[1 2]", "{} {}", "'a'",
    ])
    func whatIsNotJSONIsRefused(text: String) {
        #expect(throws: JSONSyntaxError.self, "\(text.debugDescription) was accepted") { try JSONValue.parse(text) }
    }

    @Test func invalidUTF8AndDeepNestingAreRefused() {
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(Data([0x22, 0xFF, 0x22])) }
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(deep) }
    }

    @Test func escapesAndSurrogatePairsAreRead() throws {
        let value = try JSONValue.parse(#"{"text":"a\"b\\c\/d\n\u00e9\ud83d\ude00","empty":"","nested":[[],{}],"flags":[true,false,null]}"#)
        #expect(value["text"] == .string("a\"b\\c/d\né😀"))
        #expect(value["empty"] == .string(""))
        #expect(value["nested"] == .array([.array([]), .object([:])]))
        #expect(value["flags"] == .array([.bool(true), .bool(false), .null]))
    }
}

/// What the contract check (schemathesis) found, each kept fixed.
@Suite struct ContractFindingsTests {
    func parse(_ text: String) -> Result<Observation, ValidationFailure> {
        Result { () throws(ValidationFailure) in
            try ObservationParser().parse(try! JSONValue.parse(text), now: Timestamp.parse("2022-01-01T00:00:00Z")!)
        }
    }

    static let base = #""id":"0b7e1c2a-0000-4000-8000-000000000010","kind":"explosion","observed_at":"2021-03-01T21:30:00Z","modality":"heard""#

    @Test func anEmptyFlightIsNoFlight() throws {
        let observation = try parse(#"{\#(Self.base),"location":{"lat":48.1,"lon":37.7},"flight":{}}"#).get()
        #expect(observation.flight == nil)
    }

    @Test(arguments: [#"{"lat":48.1,"lon":37.7,"place":null,"bearing_deg":null}"#, #"{"place":"Avdiivka","lat":null,"lon":null}"#,
                      #"{"bearing_deg":135,"distance_km":{"min":1,"max":2},"lat":null,"place":null}"#])
    func aNullKeyOfAnotherLocationFormIsAbsent(location: String) throws {
        let text = #"{\#(Self.base),"observer":{"lat":48.14,"lon":37.75},"location":\#(location)}"#
        #expect(throws: Never.self) { try parse(text).get() }
    }

    @Test func anUnknownKeyIsRefusedEvenWhenNull() {
        #expect(throws: ValidationFailure.self) { try parse(#"{\#(Self.base),"location":{"lat":48.1,"lon":37.7,"lattitude":null}}"#).get() }
    }

    @Test(arguments: ["1900-01-01T00:00:00+23:59", "1900-01-01T00:30:00+01:00", "9999-12-31T23:00:00-23:00"])
    func theYearBoundsHoldInUTC(time: String) {
        guard case .failure(let error) = Timestamp.parseStrictly(time) else {
            Issue.record("\(time) was accepted")
            return
        }
        #expect(error.reason.contains("in UTC"))
    }

    @Test func lengthsCountCodePointsNotCharacters() {
        let notes = "a" + String(repeating: "\u{0301}", count: 10_000)
        #expect(notes.count == 1)
        let text = #"{\#(Self.base),"location":{"lat":48.1,"lon":37.7},"notes":"\#(notes)"}"#
        #expect(throws: ValidationFailure.self) { try parse(text).get() }
    }
}
