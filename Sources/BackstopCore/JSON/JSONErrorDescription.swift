/// A short, user-safe description of why a document is not JSON.
public enum JSONErrorDescription {
    public static func describe(_ error: any Error) -> String {
        switch error {
        case let error as JSONSyntaxError:
            return error.description
        case DecodingError.dataCorrupted(let context):
            let underlying = (context.underlyingError as? any CustomStringConvertible)?.description
            return underlying.map { "\(context.debugDescription) (\($0))" } ?? context.debugDescription
        default:
            return "the text could not be parsed"
        }
    }
}
