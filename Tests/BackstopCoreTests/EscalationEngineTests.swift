import BackstopCore
import Foundation
import Testing

/// The rules engine: levels rise at once and fall only after the calm period (counted from
/// the events themselves), drafts are made once per rule and sector, and the same events at
/// the same time give the same decisions.
@Suite struct EscalationEngineTests {
    static let start = Timestamp.parse("2026-03-01T00:00:00Z")!

    static func policy(lowerAfterHours: Double = 6, extra: String = "") throws -> EscalationPolicy {
        try EscalationPolicyParser().parse(Data(#"""
        {"id": "p", "title": "Test", "lower_after_hours": \#(lowerAfterHours),
         "sectors": [{"id": "s", "name": "Sector", "geometry": {"type": "Polygon", "coordinates": [[[37, 47], [39, 47], [39, 49], [37, 49], [37, 47]]]}}],
         "rules": [{"id": "violations", "description": "Ceasefire violations", "window_hours": 24,
                    "match": {"source": "confirmed_finding", "finding_kinds": ["prohibited_activity"]},
                    "levels": [{"level": 2, "at_least": 3, "hold_at_least": 2}, {"level": 3, "at_least": 5, "hold_at_least": 4}]},
                   {"id": "fom", "description": "Freedom of movement", "window_hours": 48,
                    "match": {"source": "confirmed_finding", "finding_kinds": ["monitors_restricted"]},
                    "request": {"type": "isr", "priority": "priority", "at_least": 3, "text": "Look, please"}}\#(extra)],
         "partners": [{"id": "isr", "name": "ISR", "provides": ["isr"]}], "order": {"isr": ["isr"]}}
        """#.utf8))
    }

    static func event(_ n: Int, hours: Double, kind: String = "prohibited_activity", lat: Double = 48) -> EscalationEvent {
        .confirmedFinding(incident: UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", n))!, start: start.addingTimeInterval(hours * 3600),
                          agreement: "a", rule: "r", kind: kind, at: GeoPoint(lat: lat, lon: 38))
    }

    static func engine(_ policy: EscalationPolicy) -> EscalationEngine { EscalationEngine(map: SectorMap(policy: policy, agreement: nil)) }

    /// Runs the engine hour by hour, applying its level changes, as the escalation work does.
    static func levels(_ engine: EscalationEngine, events: [EscalationEvent], hours: ClosedRange<Int>) -> [Int: Int] {
        var state = SectorState(sectorId: "s", policyId: "p", since: start)
        var seen: [Int: Int] = [:]
        for hour in hours {
            let now = start.addingTimeInterval(Double(hour) * 3600)
            if let change = engine.evaluate(events: events, sectors: ["s": state], openRequests: [], now: now).levelChanges.first {
                state.level = change.to
                state.since = now
            }
            seen[hour] = state.level
        }
        return seen
    }

    // MARK: Tests

    @Test func aLevelRisesAtOnceAndFallsOnlyAfterTheCalmPeriod() throws {
        let engine = Self.engine(try Self.policy())
        let events = [Self.event(1, hours: 1), Self.event(2, hours: 2), Self.event(3, hours: 3)]
        let levels = Self.levels(engine, events: events, hours: 0...40)
        #expect(levels[2] == 0 && levels[3] == 2, "the third violation raises the sector to 2 at once")
        // Two are held (hold_at_least 2) until the second leaves the 24 h window at hour 26;
        // then 6 h of calm: level 0 at hour 32, not before.
        #expect(levels[25] == 2 && levels[31] == 2)
        #expect(levels[32] == 0)
    }

    @Test func aCountBetweenTheThresholdsDoesNotFlap() throws {
        let engine = Self.engine(try Self.policy())
        // 5 violations raise to 3; then the count falls to 4 (the hold threshold of 3) and stays.
        let events = (0..<5).map { Self.event($0, hours: Double($0) * 0.1) } + (5..<30).map { Self.event($0, hours: Double($0 - 4) * 6) }
        let levels = Self.levels(engine, events: events, hours: 0...100)
        #expect(levels[1] == 3)
        #expect((1...100).allSatisfy { levels[$0] == 3 }, "\(levels.sorted { $0.key < $1.key }.map(\.value))")
    }

    @Test func theSameEventsAtTheSameTimeGiveTheSameDecisions() throws {
        let engine = Self.engine(try Self.policy())
        let events = (0..<6).map { Self.event($0, hours: Double($0)) } + (10..<13).map { Self.event($0, hours: Double($0), kind: "monitors_restricted") }
        let now = Self.start.addingTimeInterval(14 * 3600)
        let first = engine.evaluate(events: events, sectors: [:], openRequests: [], now: now)
        let second = engine.evaluate(events: events.reversed(), sectors: [:], openRequests: [], now: now)
        #expect(first == second)
        #expect(first.levelChanges.map(\.to) == [3])
        #expect(first.drafts.count == 1 && first.drafts.first?.type == .isr && first.drafts.first?.incidentIds.count == 3)
        // An open draft from the same rule and sector stops a second one.
        #expect(engine.evaluate(events: events, sectors: [:], openRequests: ["fom/s"], now: now).drafts.isEmpty)
    }

    @Test func eventsOutsideEverySectorOrWindowCountForNothing() throws {
        let engine = Self.engine(try Self.policy())
        let far = (0..<5).map { Self.event($0, hours: 1, lat: 60) }
        let old = (5..<10).map { Self.event($0, hours: -30) }
        #expect(engine.evaluate(events: far + old, sectors: [:], openRequests: [], now: Self.start.addingTimeInterval(3600)).levelChanges.isEmpty)
    }

    @Test func aRequestGoesToTheNextPartnerWhenOneMissesItsDeadline() throws {
        let policy = try EscalationPolicyParser().parse(Data(#"""
        {"id": "p", "title": "T", "sectors": [{"id": "s", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}}],
         "rules": [{"id": "r", "description": "d", "window_hours": 1, "match": {"source": "monitors_under_fire"}, "levels": [{"level": 2, "at_least": 1}]}],
         "partners": [{"id": "a", "provides": ["air_cover_standby"]}, {"id": "b", "provides": ["air_cover_standby"]}],
         "order": {"air_cover_standby": ["a", "b"]},
         "deadlines": [{"type": "air_cover_standby", "priority": "immediate", "acknowledge_minutes": 5}]}
        """#.utf8))
        var request = GuarantorRequest(id: UUID(), type: .airCoverStandby, priority: .immediate, area: .circle(lat: 0.5, lon: 0.5, radiusKm: 3),
                                       windowStart: Self.start, windowEnd: Self.start.addingTimeInterval(3600), text: "t", policyId: "p",
                                       exercise: false, draftedBy: "x", draftedAt: Self.start)
        try request.issue(by: "sup", to: nil, policy: policy, at: Self.start)
        #expect(request.partner == "a" && request.deadline == Self.start.addingTimeInterval(300))
        #expect(!request.isPastDeadline(at: Self.start.addingTimeInterval(299)) && request.isPastDeadline(at: Self.start.addingTimeInterval(300)))
        #expect(throws: RequestRefusal.notAddressee(partner: "b")) { try request.acknowledge(as: "b", policy: policy, at: Self.start) }
        #expect(request.missDeadline(policy: policy, at: Self.start.addingTimeInterval(300)) == "b")
        #expect(request.partner == "b" && request.state == .issued && request.deadline == Self.start.addingTimeInterval(600))
        #expect(request.missDeadline(policy: policy, at: Self.start.addingTimeInterval(600)) == nil)
        #expect(request.overdue && request.deadline == nil && request.partner == "b")
        try request.acknowledge(as: "b", policy: policy, at: Self.start.addingTimeInterval(700))
        try request.withdraw(reason: "over", at: Self.start.addingTimeInterval(800))
        #expect(throws: RequestRefusal.wrongState(action: "accepted", state: .withdrawn)) { try request.accept(as: "b", policy: policy, at: Self.start) }
    }

    @Test func aPolicyWithMistakesIsRefusedNamingEachField() {
        let document = #"""
        {"id": "bad id", "title": "T", "sectors": [{"id": "s"}],
         "rules": [{"id": "r", "description": "d", "window_hours": 0, "match": {"source": "confirmed_finding", "finding_kinds": ["shouting"]},
                    "levels": [{"level": 3, "at_least": 5}, {"level": 2, "at_least": 9}], "request": {"type": "isr", "text": "t"}}],
         "partners": [{"id": "a", "provides": ["medevac"]}], "order": {"isr": ["a", "ghost"]}, "surprise": 1}
        """#
        do {
            _ = try EscalationPolicyParser().parse(Data(document.utf8))
            Issue.record("the policy was accepted")
        } catch {
            let paths = Set(error.errors.map(\.path))
            for expected in ["id", "sectors[0]", "rules[0].window_hours", "rules[0].match.finding_kinds[0]", "rules[0].levels[1]",
                             "order.isr[0]", "order.isr[1]", "surprise"] {
                #expect(paths.contains(expected), "\(expected) not in \(paths.sorted())")
            }
        }
    }
}

/// Standard Webhooks signatures, the retry schedule and the CAP writer's escaping.
@Suite struct DeliveryCoreTests {
    @Test func theSignatureIsTheSpecificationsHMAC() throws {
        // The example of the Standard Webhooks specification's reference libraries.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        let signature = StandardWebhook.signature(secret: secret, id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
                                                  body: #"{"test": 2432232314}"#)
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(StandardWebhook.generateSecret().hasPrefix("whsec_"))
        #expect(StandardWebhook.key(of: StandardWebhook.generateSecret()) != nil)
    }

    @Test func retriesFollowTheScheduleThenStop() throws {
        let schedule = try #require(RetrySchedule(parsing: "0,1,2,5"))
        let time = Date(timeIntervalSince1970: 1_000)
        #expect(schedule.next(after: 1, failedAt: time, retryAfter: nil, jitter: 0.5) == time.addingTimeInterval(1))
        #expect(schedule.next(after: 3, failedAt: time, retryAfter: nil, jitter: 0) == time.addingTimeInterval(4.5))
        #expect(schedule.next(after: 1, failedAt: time, retryAfter: 30, jitter: 0.5) == time.addingTimeInterval(30), "Retry-After asks for longer")
        #expect(schedule.next(after: 4, failedAt: time, retryAfter: nil, jitter: 0.5) == nil, "the schedule is spent: dead letter")
        #expect(RetrySchedule(parsing: "0,x") == nil && RetrySchedule(parsing: "-1") == nil)
        #expect(RetrySchedule.standard.delays == [0, 5, 300, 1_800, 7_200, 18_000, 36_000, 50_400, 72_000, 86_400])
    }

    @Test func capTextIsEscaped() {
        #expect(CAPMessage.escape("a < b & \"c\" > 'd'\u{1}") == "a &lt; b &amp; &quot;c&quot; &gt; &apos;d&apos;")
        #expect(CAPMessage.time(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00+00:00")
    }

    @Test func aSubscriptionGetsWhatItsAudienceMaySee() throws {
        func message(_ release: ReleaseLevel, partner: String? = nil) throws -> OutboxMessage {
            try OutboxMessage(id: UUID(), event: "alert.level_change", subject: "x", release: release, partner: partner, exercise: false, createdAt: Date(), data: ["a": 1])
        }
        let mission = Subscription(id: UUID(), url: "http://x", events: ["alert.level_change"], release: .internal, partner: nil, secret: "", description: nil, createdBy: "a", createdAt: Date())
        var partner = mission
        partner.partner = "isr"
        partner.release = .partners
        var publicFeed = mission
        publicFeed.release = .public
        #expect(try mission.wants(message(.internal)) && mission.wants(message(.internal, partner: "isr")))
        #expect(try !partner.wants(message(.internal)) && partner.wants(message(.partners)) && partner.wants(message(.internal, partner: "isr")))
        #expect(try !partner.wants(message(.internal, partner: "other")))
        #expect(try !publicFeed.wants(message(.partners)) && publicFeed.wants(message(.public)) && !publicFeed.wants(message(.internal, partner: "isr")))
        var other = mission
        other.events = ["alert.drill"]
        #expect(try !other.wants(message(.public)))
    }
}
