import BackstopCore
import BackstopStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// Live updates of the incidents as server-sent events (`text/event-stream`), for the maps and
/// any client that would rather be told than poll. An event only names ids: the reader fetches
/// what it shows through the API's own reads, which apply the release rules.
///
/// - The mission's staff are told of every change (new, grown, decided, released, merged
///   away), with the board's revision as the event id; a client that reconnects sends it back
///   as `Last-Event-ID` and hears what it missed (`timeout=0`: at once, a catch-up read).
/// - Everyone else is told only when what they see of an incident changed (it appeared,
///   changed in their view, or left it), compared with what it was when the stream opened, and
///   without ids: the revision counts every write, and a change the mission made to something
///   they do not see, or see unchanged, is none of their business. They reload at `ready`.
///
/// The stream ends after `timeout` seconds (EventSource reconnects by itself, after the `retry`
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
        // A reader ahead of this node (another node served it) hears again what lies between.
        let first = min(resumeAfter ?? start, start)
        let headers: HTTPFields = [
            .contentType: "text/event-stream; charset=utf-8",
            .cacheControl: "no-store",
            HTTPField.Name("X-Accel-Buffering")!: "no",
        ]
        let staff = audience == .internal
        // Outside the mission a change is told only when what that audience sees of the
        // incident changed (not when the mission worked on it), and without the revision, which
        // counts every write: the stream then says no more than two reads of the listing would.
        let baseline = staff ? [:] : Dictionary(Self.views(await board.changes(after: 0).incidents, audience: audience, incidents: incidents),
                                                uniquingKeysWith: { $1 })
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var last = first
            var seen = baseline
            let deadline = ContinuousClock.now + .seconds(timeout)
            var quietSince = ContinuousClock.now
            // `ready` says where the stream starts: a client reloads what it shows then, so
            // nothing written between its first read and this moment is missed.
            try await writer.write(ByteBuffer(string: staff ? "retry: 3000\nid: \(last)\nevent: ready\ndata: {\"revision\":\(last)}\n\n"
                                                            : "retry: 3000\nevent: ready\ndata: {}\n\n"))
            while true {
                let (revision, changed) = await board.changes(after: last)
                var told: [UUID] = []
                if staff {
                    told = changed.map(\.id)
                } else {
                    for (id, view) in Self.views(changed, audience: audience, incidents: incidents, keepHidden: true) where (seen[id] ?? 0) != view {
                        told.append(id)
                        seen[id] = view == 0 ? nil : view
                    }
                }
                if !told.isEmpty {
                    let ids = told.suffix(Self.idsPerEvent).map { "\"\($0.uuidString.lowercased())\"" }.joined(separator: ",")
                    let more = told.count > Self.idsPerEvent ? ",\"more\":true" : ""
                    try await writer.write(ByteBuffer(string: staff
                        ? "id: \(revision)\nevent: changed\ndata: {\"revision\":\(revision),\"incidents\":[\(ids)]\(more)}\n\n"
                        : "event: changed\ndata: {\"incidents\":[\(ids)]\(more)}\n\n"))
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

    /// What an audience outside the mission sees of each incident, as a hash of its view (the
    /// listing's): 0 for one it may not see (kept only with `keepHidden`, so that an incident
    /// leaving its view is told too).
    static func views(_ changed: [StoredIncident], audience: ReleaseLevel, incidents: IncidentsController, keepHidden: Bool = false) -> [(UUID, Int)] {
        let now = incidents.now()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return changed.compactMap { incident in
            guard !incident.isRetired, IncidentsController.visible(incident, to: audience, now: now, redaction: incidents.redaction) else {
                return keepHidden ? (incident.id, 0) : nil
            }
            let data = audience == .public
                ? try? encoder.encode(PublicIncidentView(incident, redaction: incidents.redaction, settlements: incidents.settlements))
                : try? encoder.encode(ReleasedIncidentView(incident, audience: audience))
            var hasher = Hasher()
            hasher.combine(data)
            return (incident.id, hasher.finalize() | 1)   // never 0, which means hidden
        }
    }
}
