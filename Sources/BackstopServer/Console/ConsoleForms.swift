import BackstopCore
import Foundation
import Hummingbird

/// The body of a decision that the console's forms may send as well as API clients: JSON, or
/// an HTML form (`application/x-www-form-urlencoded`) whose fields become the same JSON object.
/// A request carried by a session cookie must prove it came from the console: a form by its
/// `csrf` field, a script by `X-CSRF-Token` (the endpoint tells the authenticator to leave
/// this check to it).
struct DecisionBody {
    var json: JSONValue?
    /// Sent by a form: answered by sending the browser back to the incident's page.
    var fromForm: Bool

    /// Fields that are numbers in the JSON the API takes.
    static let integerFields: Set<String> = ["version"]
    /// Fields that are lists in the JSON: a form sends them as the name repeated (checkboxes).
    static let arrayFields: Set<String> = ["observation_ids"]

    static func read(_ request: Request, _ context: AppRequestContext, limit: Int, required: Bool) async throws -> DecisionBody {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        if type.hasPrefix("application/x-www-form-urlencoded") {
            let pairs = try await FormBody.pairs(request)
            if let session = context.session {
                guard let sent = pairs.first(where: { $0.name == "csrf" })?.value, ConsoleSessions.same(sent, session.csrf) else {
                    throw APIError(.forbidden, code: "csrf", message: "the form must carry the session's CSRF token")
                }
            }
            var object: [String: JSONValue] = [:]
            for (name, value) in pairs where name != "csrf" {
                if arrayFields.contains(name) {
                    object[name] = .array((object[name]?.arrayValue ?? []) + [.string(value)])
                } else if object[name] == nil {
                    // Digits as a page writes them, or left as text for the field's check to refuse.
                    let number = value.range(of: #"^[1-9][0-9]{0,17}$"#, options: .regularExpression) == nil ? nil : Int(value)
                    object[name] = integerFields.contains(name) ? (number.map { JSONValue.integer($0) } ?? .string(value)) : .string(value)
                }
            }
            return DecisionBody(json: .object(object), fromForm: true)
        }
        if let session = context.session {
            guard let sent = request.headers[ConsoleSessions.csrfHeader], ConsoleSessions.same(sent, session.csrf) else {
                throw APIError(.forbidden, code: "csrf", message: "a change from the console must carry its X-CSRF-Token")
            }
        }
        if required { return DecisionBody(json: try await RequestBody.json(request, limit: limit), fromForm: false) }
        return DecisionBody(json: try await RequestBody.optionalJSON(request, limit: limit), fromForm: false)
    }

    /// What the incident page says for a refused decision.
    static let problems: [String: String] = [
        "four_eyes": "You proposed this assessment: another supervisor must confirm or return it.",
        "stale_version": "The incident changed while you were deciding: look again and decide anew.",
        "illegal_transition": "That step does not apply to the incident as it stands now.",
        "version_required": "The page was incomplete: reload it and decide again.",
        "forbidden": "Your role may not take that step.",
        "not_found": "No such assessment.",
        "csrf": "The form has expired: reload the page.",
        "merged": "That incident was merged into another meanwhile: look again.",
        "not_members": "Some of those records are no longer in this incident: look again.",
        "nothing_left": "A split must leave at least one record in the incident.",
    ]
}
