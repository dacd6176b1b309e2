import BackstopGeo
import Foundation

/// Reads and checks an agreement document, naming each problem by JSON path and reason:
/// unclosed rings, self-intersecting lines, unknown weapon classes, dates out of order,
/// references to parties, lines or zones that do not exist.
public struct AgreementParser: Sendable {
    public init() {}

    public func parse(_ data: Data) throws(ValidationFailure) -> Agreement {
        try parse(try ValidationFailure.json(data))
    }

    public func parse(_ value: JSONValue) throws(ValidationFailure) -> Agreement {
        let sink = ErrorSink()
        let agreement = read(value, sink: sink)
        try sink.check()
        guard let agreement else { throw ValidationFailure([FieldError(path: "", reason: "is not a valid agreement")]) }
        return agreement
    }

    private func read(_ value: JSONValue, sink: ErrorSink) -> Agreement? {
        guard let root = ObjectReader(value, path: FieldPath(), sink: sink) else { return nil }
        let id = root.string("id", required: true, maxLength: 100)
        if let id, !Self.isIdentifier(id) {
            sink.add(root.path.key("id"), "may contain only letters, digits, '-', '_' and '.'")
        }
        let version = root.int("version", rule: .atLeast(1))
        let title = root.string("title", required: true, maxLength: 300)
        let notice = root.string("notice", maxLength: 2_000)
        let effectiveFrom = root.timestamp("effective_from", required: true)
        let effectiveUntil = root.timestamp("effective_until")
        if let effectiveFrom, let effectiveUntil, effectiveUntil <= effectiveFrom {
            sink.add(root.path.key("effective_until"), "must be after effective_from")
        }
        let context = DateContext(from: effectiveFrom, until: effectiveUntil)

        let lines = readList(root, "lines", required: true, read: readLine)
        // References are checked against what the document declares, so that one broken line or
        // party is reported once rather than again at every place that names it.
        let lineIDs = Self.declaredIDs(root.value("lines"))
        let contactLines = root.value("lines")?.arrayValue?.filter { $0["kind"]?.stringValue == LineKind.contactLine.rawValue }.count ?? 0
        if root.has("lines"), contactLines != 1 {
            sink.add(root.path.key("lines"), "must contain exactly one line of kind contact_line (found \(contactLines))")
        }
        let parties = readList(root, "parties", required: true) { readParty($0, lineIDs: lineIDs) }
        let partyIDs = Self.declaredIDs(root.value("parties"))
        if root.has("parties"), partyIDs.count < 2 {
            sink.add(root.path.key("parties"), "needs at least two parties")
        }
        let rules = readList(root, "withdrawal_rules") { readWithdrawalRule($0, partyIDs: partyIDs, dates: context) }
        let zones = readList(root, "zones") { readZone($0, partyIDs: partyIDs, lineIDs: lineIDs, dates: context) }
        let zoneIDs = Self.declaredIDs(root.value("zones"))
        let prohibitions = readList(root, "prohibited_activities") { readProhibition($0, zoneIDs: zoneIDs, dates: context) }
        let catalogue = readList(root, "weapon_catalogue", read: readCatalogueEntry)
        root.finish()

        for (key, ids) in [("lines", lines.map(\.id)), ("parties", parties.map(\.id)), ("withdrawal_rules", rules.map(\.id)),
                           ("zones", zones.map(\.id)), ("prohibited_activities", prohibitions.map(\.id))] {
            for duplicate in Dictionary(grouping: ids, by: { $0 }).filter({ $1.count > 1 }).keys.sorted() {
                sink.add(root.path.key(key), "id '\(duplicate)' is used more than once")
            }
        }
        if parties.count >= 2, Set(parties.map(\.side)).count < 2 {
            sink.add(root.path.key("parties"), "the parties must not all be on the same side of the contact line")
        }

        guard sink.isEmpty, let id, let title, let effectiveFrom else { return nil }
        return Agreement(
            id: id, version: version, title: title, notice: notice, effectiveFrom: effectiveFrom,
            effectiveUntil: effectiveUntil, parties: parties, lines: lines, withdrawalRules: rules,
            zones: zones, prohibitions: prohibitions, catalogueAdditions: catalogue
        )
    }

    static func declaredIDs(_ list: JSONValue?) -> Set<String> {
        Set(list?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [])
    }

    static func isIdentifier(_ text: String) -> Bool {
        text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }

    private struct DateContext {
        var from: Date?
        var until: Date?
    }

    /// Reads an item's effective_from (defaulting to the agreement's) and checks its order.
    private func effectiveFrom(_ object: ObjectReader, dates: DateContext) -> Date? {
        guard let date = object.timestamp("effective_from") else {
            return object.has("effective_from") ? nil : dates.from
        }
        if let from = dates.from, date < from {
            object.sink.add(object.path.key("effective_from"), "is before the agreement's effective_from (\(Timestamp.format(from)))")
        }
        if let until = dates.until, date >= until {
            object.sink.add(object.path.key("effective_from"), "is not before the agreement's effective_until (\(Timestamp.format(until)))")
        }
        return date
    }

    private func readList<T>(_ root: ObjectReader, _ key: String, required: Bool = false, read: (ObjectReader) -> T?) -> [T] {
        guard let elements = root.array(key, required: required, maxCount: 10_000) else { return [] }
        return elements.compactMap { path, value in
            ObjectReader(value, path: path, sink: root.sink).flatMap(read)
        }
    }

    private func readIdentifier(_ object: ObjectReader) -> String? {
        guard let id = object.string("id", required: true, maxLength: 100) else { return nil }
        guard Self.isIdentifier(id) else {
            object.sink.add(object.path.key("id"), "may contain only letters, digits, '-', '_' and '.'")
            return nil
        }
        return id
    }

    private func readLine(_ object: ObjectReader) -> AgreementLine? {
        let id = readIdentifier(object)
        let name = object.string("name", maxLength: 300)
        let kind = object.choice("kind", LineKind.self, required: true, noun: "line kind")
        let points = object.object("geometry", required: true).flatMap { GeoJSONReader.lineString($0) }
        object.finish()
        guard let id, let kind, let points else { return nil }
        return AgreementLine(id: id, name: name ?? id, kind: kind, points: points)
    }

    private func readParty(_ object: ObjectReader, lineIDs: Set<String>) -> Party? {
        let id = readIdentifier(object)
        let name = object.string("name", required: true, maxLength: 300)
        let side = object.choice("side", SideOfLine.self, required: true, noun: "side")
        let measuresFrom = object.string("measures_from", required: true, maxLength: 100)
        if let measuresFrom, !lineIDs.contains(measuresFrom) {
            object.sink.add(object.path.key("measures_from"), "names line '\(measuresFrom)', which the agreement does not define")
        }
        object.finish()
        guard let id, let name, let side, let measuresFrom else { return nil }
        return Party(id: id, name: name, side: side, measuresFrom: measuresFrom)
    }

    private func readPartyList(_ object: ObjectReader, _ key: String, partyIDs: Set<String>) -> [String] {
        guard let elements = object.array(key) else { return [] }
        return elements.compactMap { path, value in
            guard let party = value.stringValue else {
                object.sink.add(path, "must be a party id (string), not \(value.typeName)")
                return nil
            }
            guard partyIDs.contains(party) else {
                object.sink.add(path, "names party '\(party)', which the agreement does not define")
                return nil
            }
            return party
        }
    }

    private func readWithdrawalRule(_ object: ObjectReader, partyIDs: Set<String>, dates: DateContext) -> WithdrawalRule? {
        let id = readIdentifier(object)
        var classes: [WeaponClass] = []
        if let elements = object.array("weapon_classes", required: true) {
            if elements.isEmpty { object.sink.add(object.path.key("weapon_classes"), "must name at least one weapon class") }
            for (path, value) in elements {
                guard let raw = value.stringValue else {
                    object.sink.add(path, "must be a weapon class (string), not \(value.typeName)")
                    continue
                }
                if let weaponClass = ObjectReader.choice(raw, WeaponClass.self, path: path, sink: object.sink, noun: "weapon class") {
                    classes.append(weaponClass)
                }
            }
        }
        let distance = object.double("distance_km", required: true, rule: .within(0.001...1_000, unit: " km"))
        let parties = readPartyList(object, "parties", partyIDs: partyIDs)
        let from = effectiveFrom(object, dates: dates)
        let source = object.string("source", maxLength: 1_000)
        object.finish()
        guard let id, let distance, let from, !classes.isEmpty else { return nil }
        return WithdrawalRule(id: id, weaponClasses: classes, distanceKm: distance, parties: parties, effectiveFrom: from, source: source)
    }

    private func readZone(_ object: ObjectReader, partyIDs: Set<String>, lineIDs: Set<String>, dates: DateContext) -> Zone? {
        let id = readIdentifier(object)
        let name = object.string("name", maxLength: 300)
        let kind = object.choice("kind", ZoneKind.self, required: true, noun: "zone kind")
        var area: ZoneArea?
        switch (object.has("geometry"), object.has("buffer")) {
        case (true, true):
            object.sink.add(object.path, "gives both geometry and buffer; a zone is one or the other")
        case (false, false):
            object.sink.add(object.path, "needs a geometry (GeoJSON Polygon) or a buffer around a line")
        case (true, false):
            area = object.object("geometry").flatMap { GeoJSONReader.polygon($0) }.map { .polygon(rings: $0) }
        case (false, true):
            area = object.object("buffer").flatMap { buffer in
                let line = buffer.string("line", required: true, maxLength: 100)
                let halfWidth = buffer.double("half_width_km", required: true, rule: .within(0.01...500, unit: " km"))
                buffer.finish()
                if let line, !lineIDs.contains(line) {
                    buffer.sink.add(buffer.path.key("line"), "names line '\(line)', which the agreement does not define")
                    return nil
                }
                guard let line, let halfWidth else { return nil }
                return .lineBuffer(lineID: line, halfWidthKm: halfWidth)
            }
        }
        var party: String?
        if let raw = object.string("party", maxLength: 100) {
            if partyIDs.contains(raw) { party = raw } else {
                object.sink.add(object.path.key("party"), "names party '\(raw)', which the agreement does not define")
            }
        }
        var caps: [ForceCap] = []
        for (path, value) in object.array("caps") ?? [] {
            guard let cap = ObjectReader(value, path: path, sink: object.sink) else { continue }
            let what = cap.string("what", required: true, maxLength: 100)
            let maximum = cap.int("max", required: true, rule: .nonNegative)
            cap.finish()
            guard let what else { continue }
            guard let subject = CapSubject(rawValue: what) else {
                let known = (ForceUnit.allCases.map(\.rawValue) + WeaponClass.allCases.map(\.rawValue)).joined(separator: ", ")
                object.sink.add(path.key("what"), "unknown weapon class or force unit '\(what)'; expected one of: \(known)")
                continue
            }
            if let maximum { caps.append(ForceCap(subject: subject, maximum: maximum)) }
        }
        let from = effectiveFrom(object, dates: dates)
        object.finish(absentIfNull: ["geometry", "buffer"])
        guard let id, let kind, let area, let from else { return nil }
        return Zone(id: id, name: name ?? id, kind: kind, area: area, party: party, caps: caps, effectiveFrom: from)
    }

    private func readProhibition(_ object: ObjectReader, zoneIDs: Set<String>, dates: DateContext) -> Prohibition? {
        let id = readIdentifier(object)
        let activity = object.choice("activity", ProhibitedActivity.self, required: true, noun: "prohibited activity")
        var zone: String?
        if let raw = object.string("zone", maxLength: 100) {
            if zoneIDs.contains(raw) { zone = raw } else {
                object.sink.add(object.path.key("zone"), "names zone '\(raw)', which the agreement does not define")
            }
        }
        let distance = object.double("distance_km", required: activity == .heavyWeaponsNearSettlements, rule: .within(0...500, unit: " km"))
        let from = effectiveFrom(object, dates: dates)
        let text = object.string("text", maxLength: 2_000)
        object.finish()
        guard let id, let activity, let from else { return nil }
        return Prohibition(id: id, activity: activity, zone: zone, distanceKm: distance, effectiveFrom: from, text: text)
    }

    private func readCatalogueEntry(_ object: ObjectReader) -> WeaponCatalogue.Entry? {
        let model = object.string("model", required: true, maxLength: 100)
        let weaponClass = object.choice("class", WeaponClass.self, required: true, noun: "weapon class")
        let calibre = object.double("calibre_mm", rule: .within(1...1_000, unit: " mm"))
        let aliases = (object.array("aliases") ?? []).compactMap { path, value -> String? in
            if let alias = value.stringValue { return alias }
            object.sink.add(path, "must be a string, not \(value.typeName)")
            return nil
        }
        object.finish()
        guard let model, let weaponClass else { return nil }
        return WeaponCatalogue.Entry(model: model, weaponClass: weaponClass, calibreMillimetres: calibre, aliases: aliases)
    }
}
