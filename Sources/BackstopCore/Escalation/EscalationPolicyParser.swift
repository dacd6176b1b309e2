import BackstopGeo
import Foundation

/// Reads and checks an escalation policy, naming each problem by JSON path and reason: unknown
/// finding kinds, request types or partners, steps out of order, a partner in an order that
/// does not provide the type, sectors without an area.
public struct EscalationPolicyParser: Sendable {
    public init() {}

    public func parse(_ data: Data) throws(ValidationFailure) -> EscalationPolicy {
        try parse(try ValidationFailure.json(data))
    }

    public func parse(_ value: JSONValue) throws(ValidationFailure) -> EscalationPolicy {
        let sink = ErrorSink()
        let policy = read(value, sink: sink)
        try sink.check()
        guard let policy else { throw ValidationFailure([FieldError(path: "", reason: "is not a valid policy")]) }
        return policy
    }

    /// Checks the zones a policy names against its agreement (which the caller has stored).
    public func check(_ policy: EscalationPolicy, against agreement: Agreement?) throws(ValidationFailure) {
        let sink = ErrorSink()
        let zones = Set(agreement?.zones.map(\.id) ?? [])
        for (index, sector) in policy.sectors.enumerated() {
            guard case .zone(let zone) = sector.area else { continue }
            let path = FieldPath("sectors").index(index).key("zone")
            if let agreement, !zones.contains(zone) {
                sink.add(path, "names zone '\(zone)', which agreement \(agreement.id) does not define")
            } else if agreement == nil {
                sink.add(path, "names a zone, but the policy's agreement \(policy.agreementID ?? "(none)") is not stored")
            }
        }
        if policy.agreementID != nil, agreement == nil, !policy.sectors.contains(where: { if case .zone = $0.area { true } else { false } }) {
            sink.add(FieldPath("agreement_id"), "names agreement '\(policy.agreementID!)', which is not stored")
        }
        try sink.check()
    }

    private func read(_ value: JSONValue, sink: ErrorSink) -> EscalationPolicy? {
        guard let root = ObjectReader(value, path: FieldPath(), sink: sink) else { return nil }
        let id = identifier(root, "id")
        let version = root.int("version", rule: .atLeast(1))
        let title = root.string("title", required: true, maxLength: 300)
        let agreementID = root.string("agreement_id", maxLength: 100)
        let lowerAfter = root.double("lower_after_hours", rule: .within(0...720, unit: " hours")) ?? 6
        let release = root.choice("alert_release", ReleaseLevel.self, noun: "release level") ?? .partners
        let sectors = list(root, "sectors", required: true) { readSector($0, agreementID: agreementID) }
        let partners = list(root, "partners", read: readPartner)
        let rules = list(root, "rules", required: true, read: readRule)
        let deadlines = list(root, "deadlines", read: readDeadline)
        var order: [RequestType: [String]] = [:]
        if let object = root.object("order") {
            for type in RequestType.allCases {
                guard let entries = object.array(type.rawValue, maxCount: 50) else { continue }
                var ids: [String] = []
                for (path, value) in entries {
                    guard let partnerID = value.stringValue else {
                        sink.add(path, "must be a partner id (a string)")
                        continue
                    }
                    guard let partner = partners.first(where: { $0.id == partnerID }) else {
                        sink.add(path, "names partner '\(partnerID)', which the policy does not list under partners")
                        continue
                    }
                    if !partner.provides.contains(type) {
                        sink.add(path, "partner '\(partnerID)' does not provide \(type.rawValue)")
                    }
                    if ids.contains(partnerID) { sink.add(path, "partner '\(partnerID)' is listed twice") }
                    ids.append(partnerID)
                }
                order[type] = ids
            }
            object.finish()
        }
        root.finish()

        for (key, ids) in [("sectors", sectors.map(\.id)), ("rules", rules.map(\.id)), ("partners", partners.map(\.id))] {
            for duplicate in Dictionary(grouping: ids, by: { $0 }).filter({ $1.count > 1 }).keys.sorted() {
                sink.add(root.path.key(key), "id '\(duplicate)' is used more than once")
            }
        }
        for (index, rule) in rules.enumerated() {
            if let request = rule.request, order[request.type]?.isEmpty ?? true {
                sink.add(root.path.key("rules").index(index).key("request").key("type"),
                         "drafts \(request.type.rawValue) requests, but order names no partner for \(request.type.rawValue)")
            }
        }
        var seen: Set<String> = []
        for (index, deadline) in deadlines.enumerated() where !seen.insert("\(deadline.type.rawValue)/\(deadline.priority.rawValue)").inserted {
            sink.add(root.path.key("deadlines").index(index), "repeats the deadline for \(deadline.type.rawValue) at \(deadline.priority.rawValue) priority")
        }
        guard sink.isEmpty, let id, let title else { return nil }
        return EscalationPolicy(id: id, version: version, title: title, agreementID: agreementID, sectors: sectors, rules: rules,
                                lowerAfterHours: lowerAfter, partners: partners, order: order, deadlines: deadlines, alertRelease: release)
    }

    private func identifier(_ object: ObjectReader, _ key: String) -> String? {
        guard let id = object.string(key, required: true, maxLength: 100) else { return nil }
        guard AgreementParser.isIdentifier(id) else {
            object.sink.add(object.path.key(key), "may contain only letters, digits, '-', '_' and '.'")
            return nil
        }
        return id
    }

    private func list<T>(_ root: ObjectReader, _ key: String, required: Bool = false, read: (ObjectReader) -> T?) -> [T] {
        guard let elements = root.array(key, required: required, maxCount: 1_000) else { return [] }
        if required, elements.isEmpty { root.sink.add(root.path.key(key), "must not be empty") }
        return elements.compactMap { path, value in ObjectReader(value, path: path, sink: root.sink).flatMap(read) }
    }

    private func readSector(_ object: ObjectReader, agreementID: String?) -> EscalationPolicy.Sector? {
        let id = identifier(object, "id")
        let name = object.string("name", maxLength: 300)
        var area: EscalationPolicy.Sector.Area?
        switch (object.has("geometry"), object.has("zone")) {
        case (true, true): object.sink.add(object.path, "gives both geometry and zone; a sector is one or the other")
        case (false, false): object.sink.add(object.path, "needs a geometry (GeoJSON Polygon) or the zone of the agreement it covers")
        case (true, false): area = object.object("geometry").flatMap { GeoJSONReader.polygon($0) }.map { .polygon(rings: $0) }
        case (false, true):
            if let zone = object.string("zone", maxLength: 100) {
                if agreementID == nil { object.sink.add(object.path.key("zone"), "names a zone, but the policy has no agreement_id") }
                area = .zone(zone)
            }
        }
        object.finish()
        guard let id, let area else { return nil }
        return EscalationPolicy.Sector(id: id, name: name ?? id, area: area)
    }

    private func readPartner(_ object: ObjectReader) -> EscalationPolicy.Partner? {
        let id = identifier(object, "id")
        let name = object.string("name", maxLength: 300)
        let provides = choices(object, "provides", RequestType.self, noun: "request type", required: true)
        object.finish()
        guard let id else { return nil }
        return EscalationPolicy.Partner(id: id, name: name ?? id, provides: provides)
    }

    private func readDeadline(_ object: ObjectReader) -> EscalationPolicy.Deadline? {
        let type = object.choice("type", RequestType.self, required: true, noun: "request type")
        let priority = object.choice("priority", RequestPriority.self, required: true, noun: "priority")
        let acknowledge = object.double("acknowledge_minutes", required: true, rule: .within(0.05...10_080, unit: " minutes"))
        let accept = object.double("accept_minutes", rule: .within(0.05...10_080, unit: " minutes"))
        let complete = object.double("complete_hours", rule: .within(0.01...8_760, unit: " hours"))
        object.finish()
        guard let type, let priority, let acknowledge else { return nil }
        return EscalationPolicy.Deadline(type: type, priority: priority, acknowledgeMinutes: acknowledge, acceptMinutes: accept, completeHours: complete)
    }

    private func readRule(_ object: ObjectReader) -> EscalationRule? {
        let id = identifier(object, "id")
        let description = object.string("description", required: true, maxLength: 500)
        let window = object.double("window_hours", required: true, rule: .within(0.01...8_760, unit: " hours"))
        let match = object.object("match", required: true).flatMap(readMatch)
        var levels: [EscalationRule.LevelStep] = []
        if let steps = object.array("levels", maxCount: 3) {
            for (path, value) in steps {
                guard let step = ObjectReader(value, path: path, sink: object.sink) else { continue }
                let level = step.int("level", required: true, rule: .within(1...3, unit: ""))
                let atLeast = step.int("at_least", required: true, rule: .within(1...10_000, unit: ""))
                let hold = step.int("hold_at_least", rule: .within(1...10_000, unit: ""))
                step.finish()
                if let hold, let atLeast, hold > atLeast { object.sink.add(path.key("hold_at_least"), "must not be more than at_least (\(atLeast))") }
                guard let level, let atLeast else { continue }
                if let last = levels.last, level <= last.level || atLeast <= last.atLeast {
                    object.sink.add(path, "must raise a higher level than the step before it at a higher count")
                }
                levels.append(EscalationRule.LevelStep(level: level, atLeast: atLeast, holdAtLeast: min(hold ?? atLeast, atLeast)))
            }
        }
        let request = object.object("request").flatMap { template -> EscalationRule.RequestTemplate? in
            let type = template.choice("type", RequestType.self, required: true, noun: "request type")
            let priority = template.choice("priority", RequestPriority.self, noun: "priority") ?? .priority
            let atLeast = template.int("at_least", rule: .within(1...10_000, unit: "")) ?? 1
            let hours = template.double("window_hours", rule: .within(0.1...720, unit: " hours")) ?? 24
            let text = template.string("text", required: true, maxLength: 2_000)
            template.finish()
            guard let type, let text else { return nil }
            return EscalationRule.RequestTemplate(type: type, priority: priority, atLeast: atLeast, windowHours: hours, text: text)
        }
        if !object.has("levels"), !object.has("request") {
            object.sink.add(object.path, "needs levels, a request, or both: a rule that sets nothing off does nothing")
        }
        object.finish()
        guard let id, let description, let window, let match else { return nil }
        return EscalationRule(id: id, description: description, match: match, windowHours: window, levels: levels, request: request)
    }

    private func readMatch(_ object: ObjectReader) -> EscalationRule.Match? {
        let source = object.choice("source", EscalationEvent.Source.self, required: true, noun: "event source")
        let kinds = choices(object, "finding_kinds", Finding.Kind.self, noun: "finding kind").map(\.rawValue)
        var rules: [String] = []
        if let entries = object.array("rule_ids", maxCount: 100) {
            for (path, value) in entries {
                if let rule = value.stringValue, !rule.isEmpty { rules.append(rule) } else { object.sink.add(path, "must be a rule id (a string)") }
            }
        }
        let agreement = object.string("agreement_id", maxLength: 100)
        let zoneKinds = choices(object, "zone_kinds", ZoneKind.self, noun: "zone kind")
        object.finish()
        if source == .monitorsUnderFire, !kinds.isEmpty || !rules.isEmpty || agreement != nil {
            object.sink.add(object.path, "finding_kinds, rule_ids and agreement_id match confirmed findings only, not source \(EscalationEvent.Source.monitorsUnderFire.rawValue)")
        }
        guard let source else { return nil }
        return EscalationRule.Match(source: source, findingKinds: Set(kinds), ruleIDs: Set(rules), agreementID: agreement, zoneKinds: Set(zoneKinds))
    }

    private func choices<Choice: RawRepresentable & CaseIterable>(_ object: ObjectReader, _ key: String, _ type: Choice.Type, noun: String,
                                                                   required: Bool = false) -> [Choice] where Choice.RawValue == String {
        guard let entries = object.array(key, required: required, maxCount: 100) else { return [] }
        if required, entries.isEmpty { object.sink.add(object.path.key(key), "must not be empty") }
        return entries.compactMap { path, value in
            guard let raw = value.stringValue else {
                object.sink.add(path, "must be a string, not \(value.typeName)")
                return nil
            }
            return ObjectReader.choice(raw, type, path: path, sink: object.sink, noun: noun)
        }
    }
}
