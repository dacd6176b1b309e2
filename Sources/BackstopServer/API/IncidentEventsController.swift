import BackstopCore
import BackstopStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// Live updates of the incidents as server-sent events (`text/event-stream`), for the maps and
/// any client that would rather be told than poll. Each `changed` event names the incidents the
/// caller may see that changed (new, grown, decided, released, merged away) and carries the
/// board's revision as its id; a client that reconnects sends it back as `Last-Event-ID` and
/// gets what it missed. An event only names ids: the reader fetches what it shows through the
/// API's own reads, which apply the release rules, so the stream never carries more than the
/// listing would. Invisible changes send nothing, so the stream does not tell the public that
/// something happened where it may not look.
///
/// `timeout=0` answers at once with what changed after `Last-Event-ID` (a catch-up read for
/// clients that poll). The stream ends after `timeout` seconds (EventSource reconnects by itself, after the `retry`
/// delay), when the client goes away (noticed at the next write, at most a keep-alive apart),
/// and within a poll when the server shuts down gracefully.
struct IncidentEventsController: Sendable {
    let board: IncidentBoard
    let incidents: IncidentsController

    static let defaultTimeout = 300
    static let poll = Duration.seconds(1)
    static let keepAlive = Duration.seconds(15)
    /// At most this many ids in one event; a client told of more reloads its view anyway.
    static let idsPerEvent = 500

    func register(with routes: RouteRegistrar) {
        routes.add(.incidentEvents) { request, _, identity in try await stream(request, role: identity?.role ?? .public) }
    }

    func stream(_ request: Request, role: Role) async throws -> Response {
        var parameters = QueryParameters(request, allowed: Endpoint.incidentEvents.queryParameters)
        let timeout = parameters.int("timeout", range: 0...3_600) ?? Self.defaultTimeout
        var resumeAfter: Int64?
        if let raw = request.headers[HTTPField.Name("Last-Event-ID")!] {
            let digits = raw.trimmingCharacters(in: .whitespaces)
            if (1...18).contains(digits.count), digits.allSatisfy({ ("0"..."9").contains($0) }), let revision = Int64(digits) { resumeAfter = revision } else {
                parameters.fail("Last-Event-ID", "must be the id of an event this stream sent (a whole number)")
            }
        }
        try parameters.check()
        let audience = ReleaseLevel.audience(of: role) ?? .public
        let (board, incidents) = (board, incidents)
        // Read before answering, so a store that cannot be read is a 503, not an empty stream.
        try await board.refresh()
        let start = await board.currentRevision
        let first = resumeAfter ?? start
        let headers: HTTPFields = [
            .contentType: "text/event-stream; charset=utf-8",
            .cacheControl: "no-store",
            HTTPField.Name("X-Accel-Buffering")!: "no",
        ]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var last = first
            let deadline = ContinuousClock.now + .seconds(timeout)
            var quietSince = ContinuousClock.now
            // `ready` says where the stream starts: a client reloads what it shows then, so
            // nothing written between its first read and this moment is missed.
            try await writer.write(ByteBuffer(string: "retry: 3000\nid: \(last)\nevent: ready\ndata: {\"revision\":\(last)}\n\n"))
            while true {
                let (revision, changed) = await board.changes(after: last)
                let now = incidents.now()
                let visible = changed.filter { IncidentsController.visible($0, to: audience, now: now, redaction: incidents.redaction) }
                if !visible.isEmpty {
                    let ids = visible.suffix(Self.idsPerEvent).map { "\"\($0.id.uuidString.lowercased())\"" }.joined(separator: ",")
                    let more = visible.count > Self.idsPerEvent ? ",\"more\":true" : ""
                    try await writer.write(ByteBuffer(string: "id: \(revision)\nevent: changed\ndata: {\"revision\":\(revision),\"incidents\":[\(ids)]\(more)}\n\n"))
                    quietSince = ContinuousClock.now
                } else if ContinuousClock.now - quietSince >= Self.keepAlive {
                    // A comment: keeps proxies from closing the connection and finds a client gone.
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    quietSince = ContinuousClock.now
                }
                last = revision
                guard ContinuousClock.now < deadline, !Task.isShuttingDownGracefully, !Task.isCancelled else { break }
                try? await Task.sleep(for: Self.poll)
                try? await board.refresh()
            }
            try await writer.finish(nil)
        })
    }
}
