/// One numbered step of a database store's schema. A step once released is never edited:
/// add a new one.
public struct MigrationStep: Sendable {
    public let version: Int
    public let statements: [String]

    public init(version: Int, statements: [String]) {
        self.version = version
        self.statements = statements
    }
}
