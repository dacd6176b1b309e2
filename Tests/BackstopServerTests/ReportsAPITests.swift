import BackstopCore
import BackstopServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The daily report over HTTP: drafted once per period, edited, approved under four eyes,
/// published for good, corrected by a new version; the public reads the public edition of
/// published versions only; the same view as JSON, HTML and a real paginated PDF (checked with
/// poppler's pdfinfo and pdftotext); the schedule drafts the day's report by itself.
@Suite struct ReportsAPITests {
    static let day = #"{"from": "2021-03-01T00:00:00Z", "to": "2021-03-02T00:00:00Z"}"#

    static func draft(_ client: any TestClientProtocol, _ server: TestServer, _ body: String = day, as name: String = "analyst") async throws -> JSONValue {
        let drafted = try await client.call(.post, "/api/v1/reports", as: name, server: server, body: body)
        #expect(drafted.status == .created, "\(drafted.json)")
        return drafted.json
    }

    static func post(_ client: any TestClientProtocol, _ server: TestServer, _ path: String, as name: String, _ body: String) async throws -> (status: HTTPResponse.Status, json: JSONValue, headers: HTTPFields) {
        try await client.call(.post, path, as: name, server: server, body: body)
    }

    static func fetch(_ client: any TestClientProtocol, _ server: TestServer, _ uri: String, as name: String?) async throws -> (HTTPResponse.Status, HTTPFields, Data) {
        try await client.execute(uri: uri, method: .get, headers: server.headers(name), body: nil) { response in
            (response.status, response.headers, Data(response.body.readableBytesView))
        }
    }

    /// Runs a poppler tool on a PDF and returns what it printed.
    static func poppler(_ tool: String, _ pdf: Data, _ arguments: [String] = []) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString).pdf")
        try pdf.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments + [file.path] + (tool == "pdftotext" ? ["-"] : [])
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(tool) failed")
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: Tests

    @Test func aReportIsDraftedOncePerPeriodEditedApprovedUnderFourEyesAndNeverChanged() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            _ = try await IncidentExportTests.populate(client, server)
            let report = try await Self.draft(client, server)
            let id = try #require(report["id"]?.stringValue)
            #expect(report["title"] == .string("Daily Report 001/2021") && report["state"] == .string("draft") && report["version"] == .number(1))
            #expect(report["content"]?["totals"]?["ceasefire_violations"] == .number(3), "the released incident's three events: verified only")
            #expect(report["content"]?["totals"]?["unverified_left_out"]?.intValue ?? 0 > 0)
            // The same period again is the same report.
            let again = try await client.call(.post, "/api/v1/reports", as: "supervisor", server: server, body: Self.day)
            #expect(again.status == .ok && again.json["id"] == .string(id))
            let otherCount = try await client.call(.post, "/api/v1/reports", as: "supervisor", server: server,
                                                   body: #"{"from": "2021-03-01T00:00:00Z", "to": "2021-03-02T00:00:00Z", "include_unverified": true}"#)
            #expect(otherCount.status == .conflict && otherCount.json["error"] == .string("report_exists"))
            let path = "/api/v1/reports/\(id)"

            // Verification goes on: a redraft brings the draft's figures up to date.
            let more = try await IncidentExportTests.listed(client, server, "state=unreviewed&kind=explosion", as: "analyst")
            let verified = try #require(more.first)
            _ = try await IncidentWorkflowAPITests.verify(client, server, verified)
            #expect(try await Self.post(client, server, path + "/redraft", as: "analyst", #"{"revision": 7}"#).status == .conflict)
            let redrafted = try await Self.post(client, server, path + "/redraft", as: "analyst", #"{"revision": 1}"#)
            #expect(redrafted.status == .ok && redrafted.json["revision"] == .number(2))
            let counted = redrafted.json["content"]?["totals"]?["ceasefire_violations"]?.intValue ?? 0
            #expect(counted > 3, "the newly verified incident counts: \(counted)")

            // The supervisor who edits the text may not approve it; another may.
            #expect(try await client.call(.patch, path, as: "supervisor", server: server, body: #"{"introduction": "A quiet day.", "revision": 5}"#).status == .conflict)
            let edited = try await client.call(.patch, path, as: "supervisor", server: server, body: #"{"introduction": "A quiet day.", "revision": 2}"#)
            #expect(edited.status == .ok && edited.json["introduction"] == .string("A quiet day.") && edited.json["text_edited_by"] == .string("supervisor"))
            let refused = try await Self.post(client, server, path + "/approve", as: "supervisor", #"{"revision": 3}"#)
            #expect(refused.status == .forbidden && refused.json["error"] == .string("four_eyes"))
            #expect(try await Self.post(client, server, path + "/approve", as: "analyst", #"{"revision": 3}"#).status == .forbidden)
            let published = try await Self.post(client, server, path + "/approve", as: "supervisor-2", #"{"revision": 3}"#)
            #expect(published.status == .ok && published.json["state"] == .string("published") && published.json["approved_by"] == .string("supervisor-2"))
            // The public reads it once every incident of the period is past the 24 h embargo: 24 h after the period ends.
            #expect(published.json["public_from"] == .string("2021-03-03T00:00:00.000Z"))
            #expect(try await client.call(.get, path, as: nil, server: server).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/reports", as: "party", server: server).json["reports"]?.arrayValue?.isEmpty == true)
            #expect(try await Self.post(client, server, path + "/redraft", as: "analyst", #"{"revision": 4}"#).json["error"] == .string("report_published"))

            // Published: never changed; a correction is version 2, which its writer may not approve.
            let late = try await client.call(.patch, path, as: "supervisor", server: server, body: #"{"remarks": "late", "revision": 4}"#)
            #expect(late.status == .conflict && late.json["error"] == .string("report_published"))
            #expect(try await Self.post(client, server, path + "/corrections", as: "analyst", #"{"changes": " ", "revision": 4}"#).status == .unprocessableContent)
            let corrected = try await Self.post(client, server, path + "/corrections", as: "supervisor", #"{"changes": "Three explosions, not two.", "revision": 4}"#)
            #expect(corrected.status == .created && corrected.json["version"] == .number(2) && corrected.json["correction"] == .string("Three explosions, not two."))
            #expect(try await Self.post(client, server, path + "/approve", as: "supervisor", #"{"revision": 1}"#).status == .forbidden)
            #expect(try await Self.post(client, server, path + "/approve", as: "admin", #"{"revision": 1}"#).json["state"] == .string("published"))
            let first = try await client.call(.get, path + "?version=1", as: "analyst", server: server)
            #expect(first.json["introduction"] == .string("A quiet day.") && first.json["superseded_by"] == .number(2))

            // Every step is in the audit log.
            let audit = try await client.call(.get, "/api/v1/audit?limit=1000", as: "admin", server: server)
            let actions = audit.json["entries"]?.arrayValue?.filter { $0["subject"] == .string("report/\(id)") }.compactMap { $0["action"]?.stringValue }
            #expect(actions == ["report.drafted", "report.redrafted", "report.edited", "report.published", "report.corrected", "report.published"])

            // Refusals name the field.
            for body in [#"{"from": "2021-03-01T00:00:00Z"}"#, #"{"from": "2021-03-02T00:00:00Z", "to": "2021-03-01T00:00:00Z"}"#,
                         #"{"from": "2021-01-01T00:00:00Z", "to": "2021-03-01T00:00:00Z"}"#, #"{"from": "2021-03-01T00:00:00Z", "to": "2031-03-01T00:00:00Z"}"#,
                         #"{"include_unverified": "yes"}"#, #"{"colour": "red"}"#] {
                let answer = try await client.call(.post, "/api/v1/reports", as: "analyst", server: server, body: body)
                #expect(answer.status == .unprocessableContent && answer.json["errors"] != nil, "\(body): \(answer.json)")
            }
            #expect(try await client.call(.get, "/api/v1/reports/\(UUID().uuidString)", as: "analyst", server: server).status == .notFound)
        }
    }

    @Test func thePublicReadsThePublicEditionOfPublishedVersionsOnly() async throws {
        let server = try await FeaturesAPITests.afterTheEmbargo()
        try await server.run { client in
            let released = try await IncidentExportTests.populate(client, server)
            let report = try await Self.draft(client, server, #"{"from": "2021-03-01T00:00:00Z", "to": "2021-03-02T00:00:00Z", "include_unverified": true}"#)
            let id = try #require(report["id"]?.stringValue)
            let path = "/api/v1/reports/\(id)"
            for name in [nil, "partner", "party"] as [String?] {
                #expect(try await client.call(.get, path, as: name, server: server).status == .notFound, "a draft is the mission's own")
                #expect(try await client.call(.get, "/api/v1/reports", as: name, server: server).json["reports"]?.arrayValue?.isEmpty == true)
            }
            let subscription = try await client.call(.post, "/api/v1/subscriptions", as: "admin", server: server,
                                                     body: #"{"url": "http://127.0.0.1:9/hook", "events": ["report.published"], "release_level": "public"}"#)
            #expect(subscription.status == .created, "\(subscription.json)")
            let subscriptionID = try #require(subscription.json["subscription"]?["id"]?.stringValue)
            #expect(try await Self.post(client, server, path + "/approve", as: "supervisor", #"{"revision": 1}"#).status == .ok)
            // Subscribers hear of the publication once.
            let deliveries = try await client.call(.get, "/api/v1/subscriptions/\(subscriptionID)/deliveries", as: "admin", server: server)
            #expect(deliveries.json["deliveries"]?.arrayValue?.count == 1, "\(deliveries.json)")
            let staff = try await client.call(.get, path, as: "analyst", server: server)
            let outside = try await client.call(.get, path, as: nil, server: server)
            #expect(outside.status == .ok && outside.json["edition"] == .string("public") && outside.json["approved_by"] == nil && outside.json["drafted_by"] == nil)
            let publicAnnex = outside.json["content"]?["annex"]?.arrayValue ?? []
            #expect(publicAnnex.compactMap { $0["incident"]?.stringValue } == [released], "only what was released to the public")
            #expect((staff.json["content"]?["annex"]?.arrayValue?.count ?? 0) > publicAnnex.count)
            // The public's places are its grid, and no patrol or sensor is named.
            let place = publicAnnex.first?["place"]?.stringValue ?? ""
            #expect(place.contains(".") && place.split(separator: ",").allSatisfy { ($0.split(separator: "°").first?.split(separator: ".").last?.count ?? 0) == 2 })
            let headings = outside.json["content"]?["details"]?.arrayValue?.compactMap { $0["heading"]?.stringValue } ?? []
            #expect(!headings.isEmpty && headings.allSatisfy { ["Patrols", "Cameras", "UAVs", "Acoustic sensors", "Radars", "Other sources"].contains($0) })
            #expect(!String(decoding: try JSONValue.prettyData(outside.json), as: UTF8.self).contains("monitor"))
            let internalAsked = try await client.call(.get, path + "?edition=internal", as: nil, server: server)
            #expect(internalAsked.status == .unprocessableContent && internalAsked.json["errors"]?.arrayValue?.first?["path"] == .string("edition"))
            #expect(try await client.call(.get, path + "?edition=public", as: "analyst", server: server).json["content"] == outside.json["content"])
            // The public edition as a PDF: a published version is printed once and kept.
            let (status, _, first) = try await Self.fetch(client, server, path + "?f=pdf", as: nil)
            let (_, _, again) = try await Self.fetch(client, server, path + "?f=pdf", as: nil)
            #expect(status == .ok && first == again && first.starts(with: Data("%PDF".utf8)))
            #expect(try Self.poppler("pdftotext", first).contains("Public edition"))
            let listed = try await client.call(.get, "/api/v1/reports", as: nil, server: server)
            #expect(listed.json["reports"]?.arrayValue?.map { $0["id"] } == [.string(id)])
            #expect(try await client.call(.get, "/api/v1/reports?state=draft", as: nil, server: server).status == .unprocessableContent)
            #expect(try await client.call(.post, "/api/v1/reports", as: "partner", server: server, body: Self.day).status == .forbidden)
        }
    }

    @Test func theHTMLAndThePDFAreTheSameReportPaginated() async throws {
        let server = try await TestServer.make()
        try await server.run { client in
            #expect(try await client.call(.put, "/api/v1/agreements/donbas-minsk-sample", as: "admin", server: server, body: IncidentAPITests.donbas).status == .created)
            // 150 incidents a kilometre apart or more, so the annex runs over several pages.
            let api = IncidentAPITests()
            let records = (0..<150).map { (index: Int) -> String in
                let lat = 47.6 + Double(index / 15) * 0.08, lon = 37.2 + Double(index % 15) * 0.12
                let time = String(format: "2021-03-01T%02d:%02d", 1 + index / 10, index % 10 * 5)
                return api.explosion(UUID(), lat: lat, lon: lon, seconds: index % 60).replacingOccurrences(of: "2021-03-01T21:30", with: time)
            }
            let batch = #"{"observations": ["# + records.joined(separator: ",") + "]}"
            #expect(try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: batch).status == .created)
            let report = try await Self.draft(client, server, #"{"from": "2021-03-01T00:00:00Z", "to": "2021-03-02T00:00:00Z", "include_unverified": true}"#)
            let id = try #require(report["id"]?.stringValue)
            let annex = report["content"]?["annex"]?.arrayValue ?? []
            #expect(annex.count == 150)

            let (htmlStatus, htmlHeaders, html) = try await Self.fetch(client, server, "/api/v1/reports/\(id)?f=html", as: "analyst")
            #expect(htmlStatus == .ok && htmlHeaders[.contentType] == "text/html; charset=utf-8")
            let page = String(decoding: html, as: UTF8.self)
            #expect(page.contains("Daily Report 001/2021") && page.contains("Internal edition") && page.contains("Draft, not published"))
            #expect(!page.contains("http://") && !page.contains("https://"), "nothing is loaded from elsewhere")

            let (status, headers, pdf) = try await Self.fetch(client, server, "/api/v1/reports/\(id)?f=pdf", as: "analyst")
            #expect(status == .ok && headers[.contentType] == "application/pdf", "\(String(decoding: pdf.prefix(300), as: UTF8.self))")
            #expect(headers[.contentDisposition] == "inline; filename=\"daily-report-001-2021-v1-internal.pdf\"")
            let info = try Self.poppler("pdfinfo", pdf)
            let pages = Int(info.split(separator: "\n").first { $0.hasPrefix("Pages:") }?.split(separator: " ").last ?? "0") ?? 0
            #expect(pages >= 4 && info.contains("A4"), "\(info)")
            let text = try Self.poppler("pdftotext", pdf, ["-layout"])
            #expect(text.contains("Daily Report 001/2021") && text.contains("The Mission recorded"))
            for number in 1...pages { #expect(text.contains("Page \(number) of \(pages)"), "page \(number) is numbered") }
            // The annex splits across pages, its header repeated on each, no row lost.
            let pagesText = text.components(separatedBy: "\u{0C}")
            #expect(pagesText.filter { $0.contains("Observed") && $0.contains("Events") }.count >= 2, "the table's header repeats")
            #expect(text.contains("150 ") || text.contains(" 150"))
            // Accept chooses too.
            var accept = server.headers("analyst")
            accept[.accept] = "application/pdf"
            let chosen = try await client.execute(uri: "/api/v1/reports/\(id)", method: .get, headers: accept, body: nil) { $0.headers[.contentType] }
            #expect(chosen == "application/pdf")
            #expect(try await client.call(.get, "/api/v1/reports/\(id)?f=docx", as: "analyst", server: server).status == .unprocessableContent)
        }
    }

    @Test func theScheduleDraftsTheDaysReportOnce() async throws {
        var scheduled = try await TestServer.make()
        scheduled.scheduleReports = true
        let server = scheduled
        try await server.run { client in
            var listed: [JSONValue] = []
            for _ in 0..<100 where listed.isEmpty {
                try await Task.sleep(for: .milliseconds(50))
                listed = try await client.call(.get, "/api/v1/reports", as: "analyst", server: server).json["reports"]?.arrayValue ?? []
            }
            #expect(listed.count == 1)
            let id = try #require(listed.first?["id"]?.stringValue)
            let report = try await client.call(.get, "/api/v1/reports/\(id)", as: "analyst", server: server)
            // TestServer's clock is 2021-03-02T00:00Z, 02:00 in Kyiv: the day's report is the one to 19:30 on 1 March.
            #expect(report.json["period"]?["end"] == .string("2021-03-01T17:30:00.000Z") && report.json["drafted_by"] == .string("schedule"))
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await client.call(.get, "/api/v1/reports", as: "analyst", server: server).json["reports"]?.arrayValue?.count == 1)
            // Asking for the same period gives the scheduled one.
            let asked = try await client.call(.post, "/api/v1/reports", as: "analyst", server: server)
            #expect(asked.status == .ok && asked.json["id"] == .string(id))
        }
    }

    /// What the reports page charts: violations per reporting day, verified and not assessed yet
    /// apart; an incident found rejected is not counted.
    @Test func violationStatisticsCountVerifiedAndUnassessedAndLeaveOutRejected() async throws {
        var later = try await TestServer.make()
        later.now = Timestamp.parse("2021-03-03T00:00:00Z")!
        let server = later
        try await server.run { client in
            let verified = try await IncidentWorkflowAPITests.incidentWithFinding(client, server)
            _ = try await IncidentWorkflowAPITests.verify(client, server, verified)
            let api = IncidentAPITests()
            let (open, rejected) = (UUID(), UUID())
            _ = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: api.explosion(open, lat: 48.40, lon: 37.20, seconds: 10))
            _ = try await client.call(.post, "/api/v1/observations", as: "monitor", server: server, body: api.explosion(rejected, lat: 48.60, lon: 38.90, seconds: 12))
            let rejectedID = IncidentIdentity.mintedID(from: rejected).uuidString.lowercased()
            let version = try await IncidentWorkflowAPITests.version(client, server, rejectedID)
            let proposed = try await Self.post(client, server, "/api/v1/incidents/\(rejectedID)/assessments", as: "analyst",
                                               #"{"verdict": "rejected", "note": "a training range", "version": \#(version)}"#)
            _ = try await Self.post(client, server, "/api/v1/incidents/\(rejectedID)/assessments/1/confirm", as: "supervisor",
                                    #"{"version": \#(proposed.json["version"]?.intValue ?? 0)}"#)
            func events(_ id: String) async throws -> Int {
                try #require(try await client.call(.get, "/api/v1/incidents/\(id)", as: "analyst", server: server).json["estimated_events"]?.intValue)
            }
            let (verifiedEvents, openEvents) = (try await events(verified), try await events(IncidentIdentity.mintedID(from: open).uuidString.lowercased()))

            let figures = try await client.call(.get, "/api/v1/statistics/violations?days=2", as: "analyst", server: server)
            #expect(figures.status == .ok, "\(figures.json)")
            let days = try #require(figures.json["days"]?.arrayValue)
            #expect(days.count == 2)
            #expect(days.first?["verified"]?.intValue == 0 && days.first?["unverified"]?.intValue == 0)
            #expect(days.last?["from"] == .string("2021-03-01T17:30:00.000Z"), "19:30 in Kyiv")
            #expect(days.last?["label"] == .string("2 Mar"))
            #expect(days.last?["verified"]?.intValue == verifiedEvents)
            #expect(days.last?["unverified"]?.intValue == openEvents, "the rejected incident is left out")
            let regions = try #require(figures.json["regions"]?.arrayValue)
            #expect(regions.count == 1 && regions.first?["name"] == .null, "no policy: every incident is in no sector")
            #expect(regions.first?["verified"]?.intValue == verifiedEvents && regions.first?["unverified"]?.intValue == openEvents)

            for query in ["days=0", "days=367", "days=soon", "from=2021-03-01T00:00:00Z"] {
                #expect(try await client.call(.get, "/api/v1/statistics/violations?\(query)", as: "analyst", server: server).status == .unprocessableContent, "\(query)")
            }
            #expect(try await client.call(.get, "/api/v1/statistics/violations", as: "partner", server: server).status == .forbidden)
        }
    }
}
