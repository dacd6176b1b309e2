import Foundation

/// Ties the groups fusion derives to the incident ids people use. Fusion re-derives groups of
/// records whenever records arrive or analysts pin them; this keeps the ids stable:
///
/// - A record's age is its place in the intake order (the order the store committed records,
///   the same on every node). An incident's **oldest record** is its member first committed.
/// - A derived group keeps the id of the stored incident whose oldest record it holds. When it
///   holds the oldest records of several (a merge), the id whose oldest record is oldest
///   survives and the others are retired as merged into it.
/// - A group holding no stored incident's oldest record (a new event, or the part of a split
///   that left the oldest record behind) gets a new id, minted from its own oldest record:
///   `DerivedID` of that record's id and a counter, the first not taken. Ids are never reused.
///
/// So an incident's id is normally minted from its oldest record, whatever the step sizes in
/// which records were fused: replaying the same intake and the same decisions on a fresh node
/// gives the same ids. Pure state, no I/O.
public struct IncidentIdentity: Sendable {
    /// For each record, the live incident that holds it.
    public private(set) var incidentOf: [UUID: UUID] = [:]
    /// For each live incident, its records.
    public private(set) var membersOf: [UUID: Set<UUID>] = [:]
    /// Every id ever minted, live or retired.
    private var taken: Set<UUID> = []
    private var sequenceOf: [UUID: Int64] = [:]

    public init() {}

    /// The record's place in the intake order; needed before it is reconciled.
    public mutating func noteSequence(_ sequence: Int64, of record: UUID) {
        sequenceOf[record] = sequence
    }

    public func sequence(of record: UUID) -> Int64? { sequenceOf[record] }

    /// Which of two incidents survives their merge: the one whose oldest record was committed
    /// first (ties, which cannot happen in one store, by id). The same rule `reconcile` applies.
    public static func survivor(_ a: (id: UUID, firstSequence: Int64), _ b: (id: UUID, firstSequence: Int64)) -> UUID {
        if a.firstSequence != b.firstSequence { return a.firstSequence < b.firstSequence ? a.id : b.id }
        return UUIDOrder.less(a.id, b.id) ? a.id : b.id
    }

    /// Takes up a stored incident (at start). A retired one only keeps its id from reuse.
    public mutating func restore(id: UUID, members: [UUID], retired: Bool) {
        taken.insert(id)
        guard !retired else { return }
        membersOf[id] = Set(members)
        for member in members { incidentOf[member] = id }
    }

    public struct Outcome: Sendable {
        public struct Assigned: Sendable, Hashable {
            public var id: UUID
            public var members: [UUID]
            /// Records new to this id (joined, or brought in by a merge).
            public var joined: [UUID]
            /// The id was minted now.
            public var minted: Bool
            /// Minted for a part split off these incidents (empty for a new event).
            public var splitFrom: [UUID]
        }

        public var assigned: [Assigned] = []
        /// Ids retired by a merge, with the id that holds their records now.
        public var merged: [(retired: UUID, survivor: UUID)] = []

        public init() {}
    }

    /// Gives ids to freshly derived groups. The groups must be whole: every group fusion
    /// re-derived since the last call (every record of a touched incident is in one of them).
    public mutating func reconcile(_ groups: [[UUID]]) -> Outcome {
        let groups = groups.filter { !$0.isEmpty }.map(inIntakeOrder)
        // Each stored incident touched goes to the group holding its oldest record.
        var oldestOf: [UUID: (record: UUID, group: Int)] = [:]
        for (index, group) in groups.enumerated() {
            for record in group {
                guard let id = incidentOf[record] else { continue }
                if let current = oldestOf[id], !older(record, current.record) { continue }
                oldestOf[id] = (record, index)
            }
        }
        var claims: [Int: [(id: UUID, oldest: UUID)]] = [:]
        for (id, claim) in oldestOf { claims[claim.group, default: []].append((id, claim.record)) }

        var outcome = Outcome()
        var assignments: [(id: UUID, group: [UUID], minted: Bool, splitFrom: [UUID])] = []
        for (index, group) in groups.enumerated() {
            let claimants = (claims[index] ?? []).sorted { older($0.oldest, $1.oldest) }
            if let survivor = claimants.first {
                for retired in claimants.dropFirst() { outcome.merged.append((retired.id, survivor.id)) }
                assignments.append((survivor.id, group, false, []))
            } else {
                let id = mint(from: group[0])
                let from = Set(group.compactMap { incidentOf[$0] })
                assignments.append((id, group, true, from.sorted(by: UUIDOrder.less)))
            }
        }
        for (retired, _) in outcome.merged { membersOf.removeValue(forKey: retired) }
        for assignment in assignments {
            let before = membersOf[assignment.id] ?? []
            let joined = assignment.group.filter { !before.contains($0) }
            membersOf[assignment.id] = Set(assignment.group)
            for record in assignment.group { incidentOf[record] = assignment.id }
            outcome.assigned.append(.init(id: assignment.id, members: assignment.group, joined: joined,
                                          minted: assignment.minted, splitFrom: assignment.splitFrom))
        }
        outcome.merged.sort { UUIDOrder.less($0.retired, $1.retired) }
        return outcome
    }

    /// `records` sorted by `older`, each record's place looked up once rather than at every
    /// comparison (a flood's incident of thousands is reconciled with every step).
    private func inIntakeOrder(_ records: [UUID]) -> [UUID] {
        records.map { (sequence: sequenceOf[$0] ?? .max, id: $0) }
            .sorted { $0.sequence != $1.sequence ? $0.sequence < $1.sequence : UUIDOrder.less($0.id, $1.id) }
            .map(\.id)
    }

    /// Records in intake order; a record with no known place comes last, ties by id.
    private func older(_ a: UUID, _ b: UUID) -> Bool {
        let (sa, sb) = (sequenceOf[a] ?? .max, sequenceOf[b] ?? .max)
        return sa != sb ? sa < sb : UUIDOrder.less(a, b)
    }

    private mutating func mint(from record: UUID) -> UUID {
        var counter = 0
        while true {
            let id = Self.mintedID(from: record, counter: counter)
            if taken.insert(id).inserted { return id }
            counter += 1
        }
    }

    /// The id minted for a group whose oldest record is `record`, the `counter`-th time.
    public static func mintedID(from record: UUID, counter: Int = 0) -> UUID {
        DerivedID.uuid(for: .object(["record": .string(record.uuidString.lowercased()), "counter": .integer(counter)]),
                       namespace: "backstop.incident")
    }
}
