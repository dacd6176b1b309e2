import BackstopCore
import BackstopStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The findings log: each finding once, in the order the mission detected it, with the node
/// that logged it. A reader (an alert sender, a liaison's dashboard) keeps the last `sequence`
/// it saw and asks for what came after. The export gives the whole log after `after` as a file,
/// read a page at a time and written as it is read.
struct FindingsController: Sendable {
    let store: any BackstopStore
    let now: @Sendable () -> Date

    enum Format: String, CaseIterable {
        case ndjson, csv
    }

    /// The CSV's columns: the log entry's fields, in this order.
    static let columns = ["sequence", "incident_id", "incident_start", "agreement_id", "rule_id", "kind", "party", "text", "status",
                          "confirmed", "assessment", "recorded_at", "recorded_by"]
    static let page = 1_000

    func register(with routes: RouteRegistrar) {
        routes.add(.listFindings) { request, _, _ in try await list(request) }
        routes.add(.exportFindings) { request, _, _ in try await export(request) }
    }

    func list(_ request: Request) async throws -> Response {
        var parameters = QueryParameters(request, allowed: Endpoint.listFindings.queryParameters)
        let (after, limit) = parameters.sequencePage()
        try parameters.check()
        let items = try await store.findingLog(after: after, limit: limit)
        return JSONResponse.make(.object([
            "findings": .array(items.map(\.jsonValue)),
            "next_after": .integer(Int(items.last?.sequence ?? after)),
        ]))
    }

    func export(_ request: Request) async throws -> Response {
        var parameters = QueryParameters(request, allowed: Endpoint.exportFindings.queryParameters)
        let format = parameters.required("format", Format.self)
        let after = Int64(parameters.int("after", range: 0...Int.max) ?? 0)
        try parameters.check()
        let chosen = format!
        let store = store
        // The first page is read before answering, so a store that cannot be read is a 503, not a cut file.
        let first = try await store.findingLog(after: after, limit: Self.page)
        let stamp = String(Timestamp.format(now()).prefix(19)).replacingOccurrences(of: ":", with: "")
        let headers: HTTPFields = [
            .contentType: chosen == .csv ? "text/csv; charset=utf-8" : "application/x-ndjson",
            .contentDisposition: "attachment; filename=\"backstop-findings-\(stamp).\(chosen.rawValue)\"",
        ]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            if chosen == .csv { try await writer.write(ByteBuffer(string: ACLEDExport.line(Self.columns))) }
            var page = first
            while !page.isEmpty {
                try await writer.write(ByteBuffer(string: page.map { Self.row(chosen, $0) }.joined()))
                guard page.count == Self.page, let last = page.last?.sequence else { break }
                page = try await store.findingLog(after: last, limit: Self.page)
            }
            try await writer.finish(nil)
        })
    }

    static func row(_ format: Format, _ finding: LoggedFinding) -> String {
        let value = finding.jsonValue
        switch format {
        case .ndjson:
            return String(decoding: value.canonicalData(), as: UTF8.self) + "\n"
        case .csv:
            return ACLEDExport.line(columns.map { column in
                switch value[column] {
                case .string(let text)?: text
                case .integer(let number)?: String(number)
                case .bool(let flag)?: flag ? "true" : "false"
                case .number(let number)?: String(number)
                default: ""
                }
            })
        }
    }
}
