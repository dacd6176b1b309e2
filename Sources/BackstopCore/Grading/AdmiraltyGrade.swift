/// Source reliability, first half of an Admiralty (STANAG 2511) grade.
public enum SourceReliability: String, CaseIterable, Sendable, Codable, Comparable {
    case a = "A", b = "B", c = "C", d = "D", e = "E", f = "F"

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Information credibility, second half of an Admiralty grade.
public enum InformationCredibility: String, CaseIterable, Sendable, Codable, Comparable {
    case confirmed = "1", probablyTrue = "2", possiblyTrue = "3", doubtful = "4", improbable = "5", cannotBeJudged = "6"

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// An Admiralty grade such as "B2".
public struct AdmiraltyGrade: Sendable, Hashable, CustomStringConvertible {
    public var reliability: SourceReliability
    public var credibility: InformationCredibility

    public init(reliability: SourceReliability, credibility: InformationCredibility) {
        self.reliability = reliability
        self.credibility = credibility
    }

    public var description: String { reliability.rawValue + credibility.rawValue }
}
