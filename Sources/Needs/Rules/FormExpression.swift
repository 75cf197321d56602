import Foundation

/// The part of ODK's XPath that XLSForms use in `relevant`, `constraint` and `calculation`:
/// `${name}` references, `.` (the answer being checked), numbers and quoted strings, comparisons,
/// `+ - * div mod`, `and`, `or`, parentheses, and the functions `not`, `selected`, `count-selected`,
/// `string-length`, `number`, `int`, `if`, `coalesce`, `true`, `false`, `today`.
public indirect enum FormExpression: Sendable, Equatable, Codable {
    case number(Double)
    case text(String)
    case reference(String)
    case current
    case binary(String, FormExpression, FormExpression)
    case negate(FormExpression)
    case call(String, [FormExpression])

    static let functions: [String: ClosedRange<Int>] = [
        "not": 1...1, "selected": 2...2, "count-selected": 1...1, "string-length": 1...1, "number": 1...1,
        "int": 1...1, "if": 3...3, "coalesce": 2...2, "true": 0...0, "false": 0...0, "today": 0...0,
    ]

    /// Why an expression could not be read; `problem` is a catalogue key's last part.
    public struct SyntaxError: Error, Equatable {
        public let problem: String
        public let detail: String
    }

    public static func parse(_ source: String) throws(SyntaxError) -> FormExpression {
        var parser = Parser(tokens: try tokenize(source))
        let expression = try parser.or()
        guard parser.position == parser.tokens.count else {
            throw SyntaxError(problem: "unexpected", detail: parser.tokens[parser.position].text)
        }
        return expression
    }

    /// The `${…}` names the expression reads.
    public var references: Set<String> {
        switch self {
        case .reference(let name): [name]
        case .number, .text, .current: []
        case .binary(_, let a, let b): a.references.union(b.references)
        case .negate(let a): a.references
        case .call(_, let arguments): arguments.reduce(into: Set<String>()) { $0.formUnion($1.references) }
        }
    }

    // MARK: Reading

    struct Token: Equatable {
        enum Kind: Equatable { case number, text, reference, name, symbol }
        let kind: Kind
        let text: String
    }

    static func tokenize(_ source: String) throws(SyntaxError) -> [Token] {
        var tokens: [Token] = []
        let characters = Array(source)
        var index = 0
        func take(while predicate: (Character) -> Bool) -> String {
            let start = index
            while index < characters.count, predicate(characters[index]) { index += 1 }
            return String(characters[start..<index])
        }
        while index < characters.count {
            let c = characters[index]
            if c.isWhitespace { index += 1; continue }
            if c == "$" {
                guard index + 1 < characters.count, characters[index + 1] == "{" else { throw SyntaxError(problem: "unexpected", detail: "$") }
                index += 2
                let name = take { $0 != "}" }
                guard index < characters.count, !name.isEmpty else { throw SyntaxError(problem: "unclosed-reference", detail: "${" + name) }
                index += 1
                tokens.append(Token(kind: .reference, text: name))
            } else if c == "'" || c == "\"" {
                index += 1
                let text = take { $0 != c }
                guard index < characters.count else { throw SyntaxError(problem: "unclosed-text", detail: String(c) + text) }
                index += 1
                tokens.append(Token(kind: .text, text: text))
            } else if c.isNumber || (c == "." && index + 1 < characters.count && characters[index + 1].isNumber) {
                tokens.append(Token(kind: .number, text: take { $0.isNumber || $0 == "." }))
            } else if c.isLetter || c == "_" {
                tokens.append(Token(kind: .name, text: take { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }))
            } else {
                let pair = index + 1 < characters.count ? String([c, characters[index + 1]]) : ""
                if ["!=", "<=", ">="].contains(pair) {
                    tokens.append(Token(kind: .symbol, text: pair))
                    index += 2
                } else if "=<>+-*(),.".contains(c) {
                    tokens.append(Token(kind: .symbol, text: String(c)))
                    index += 1
                } else {
                    throw SyntaxError(problem: "unexpected", detail: String(c))
                }
            }
        }
        return tokens
    }

    struct Parser {
        let tokens: [Token]
        var position = 0

        var next: Token? { position < tokens.count ? tokens[position] : nil }

        mutating func accept(_ text: String, kind: Token.Kind = .symbol) -> Bool {
            guard let next, next.kind == kind, next.text == text else { return false }
            position += 1
            return true
        }

        mutating func or() throws(SyntaxError) -> FormExpression {
            var left = try and()
            while accept("or", kind: .name) { left = .binary("or", left, try and()) }
            return left
        }

        mutating func and() throws(SyntaxError) -> FormExpression {
            var left = try comparison()
            while accept("and", kind: .name) { left = .binary("and", left, try comparison()) }
            return left
        }

        mutating func comparison() throws(SyntaxError) -> FormExpression {
            let left = try additive()
            for op in ["=", "!=", "<=", ">=", "<", ">"] where accept(op) { return .binary(op, left, try additive()) }
            return left
        }

        mutating func additive() throws(SyntaxError) -> FormExpression {
            var left = try multiplicative()
            while true {
                if accept("+") { left = .binary("+", left, try multiplicative()) }
                else if accept("-") { left = .binary("-", left, try multiplicative()) }
                else { return left }
            }
        }

        mutating func multiplicative() throws(SyntaxError) -> FormExpression {
            var left = try unary()
            while true {
                if accept("*") { left = .binary("*", left, try unary()) }
                else if accept("div", kind: .name) { left = .binary("div", left, try unary()) }
                else if accept("mod", kind: .name) { left = .binary("mod", left, try unary()) }
                else { return left }
            }
        }

        mutating func unary() throws(SyntaxError) -> FormExpression {
            accept("-") ? .negate(try unary()) : try primary()
        }

        mutating func primary() throws(SyntaxError) -> FormExpression {
            guard let token = next else { throw SyntaxError(problem: "incomplete", detail: "") }
            position += 1
            switch token.kind {
            case .number:
                guard let value = Double(token.text) else { throw SyntaxError(problem: "unexpected", detail: token.text) }
                return .number(value)
            case .text: return .text(token.text)
            case .reference: return .reference(token.text)
            case .symbol where token.text == ".": return .current
            case .symbol where token.text == "(":
                let inner = try or()
                guard accept(")") else { throw SyntaxError(problem: "unclosed-parenthesis", detail: "(") }
                return inner
            case .name:
                guard let arity = FormExpression.functions[token.text] else { throw SyntaxError(problem: "unknown-function", detail: token.text) }
                guard accept("(") else { throw SyntaxError(problem: "unexpected", detail: token.text) }
                var arguments: [FormExpression] = []
                if !accept(")") {
                    repeat { arguments.append(try or()) } while accept(",")
                    guard accept(")") else { throw SyntaxError(problem: "unclosed-parenthesis", detail: token.text + "(") }
                }
                guard arity.contains(arguments.count) else { throw SyntaxError(problem: "arguments", detail: token.text) }
                return .call(token.text, arguments)
            case .symbol:
                throw SyntaxError(problem: "unexpected", detail: token.text)
            }
        }
    }
}

// MARK: Evaluating

extension FormExpression {
    /// A value as XPath sees it: answers are text, arithmetic makes numbers, tests make booleans.
    public enum Value: Equatable, Sendable {
        case number(Double)
        case text(String)
        case boolean(Bool)

        public var isTrue: Bool {
            switch self {
            case .boolean(let b): b
            case .number(let n): n != 0 && !n.isNaN
            case .text(let t): !t.isEmpty
            }
        }

        public var number: Double {
            switch self {
            case .number(let n): n
            case .boolean(let b): b ? 1 : 0
            case .text(let t): Double(t.trimmingCharacters(in: .whitespaces)) ?? .nan
            }
        }

        public var text: String {
            switch self {
            case .text(let t): t
            case .boolean(let b): b ? "true" : "false"
            case .number(let n): n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
            }
        }
    }

    /// The value with these answers (by question name; a multiple choice as its choices separated by
    /// spaces, as ODK keeps it); `current` is what `.` reads; `today` is an ISO date.
    public func evaluate(_ answers: [String: String], current: String? = nil, today: String = "") -> Value {
        switch self {
        case .number(let n): return .number(n)
        case .text(let t): return .text(t)
        case .reference(let name): return .text(answers[name] ?? "")
        case .current: return .text(current ?? "")
        case .negate(let a): return .number(-a.evaluate(answers, current: current, today: today).number)
        case .binary(let op, let a, let b):
            let left = a.evaluate(answers, current: current, today: today)
            if op == "and" { return .boolean(left.isTrue && b.evaluate(answers, current: current, today: today).isTrue) }
            if op == "or" { return .boolean(left.isTrue || b.evaluate(answers, current: current, today: today).isTrue) }
            let right = b.evaluate(answers, current: current, today: today)
            switch op {
            case "+": return .number(left.number + right.number)
            case "-": return .number(left.number - right.number)
            case "*": return .number(left.number * right.number)
            case "div": return .number(left.number / right.number)
            case "mod": return .number(left.number.truncatingRemainder(dividingBy: right.number))
            default: return .boolean(Self.compare(op, left, right))
            }
        case .call(let name, let arguments):
            let values = arguments.map { $0.evaluate(answers, current: current, today: today) }
            switch name {
            case "not": return .boolean(!values[0].isTrue)
            case "selected": return .boolean(values[0].text.split(separator: " ").contains { String($0) == values[1].text })
            case "count-selected": return .number(Double(values[0].text.split(separator: " ").count))
            case "string-length": return .number(Double(values[0].text.count))
            case "number": return .number(values[0].number)
            case "int": return .number(values[0].number.rounded(.towardZero))
            case "if": return values[0].isTrue ? values[1] : values[2]
            case "coalesce": return values[0].text.isEmpty ? values[1] : values[0]
            case "true": return .boolean(true)
            case "false": return .boolean(false)
            default: return .text(today)  // today()
            }
        }
    }

    /// Numbers compare as numbers when both sides read as numbers, otherwise as text (so dates in ISO
    /// form compare in calendar order). An empty answer is not less or more than anything.
    static func compare(_ op: String, _ left: Value, _ right: Value) -> Bool {
        let (a, b) = (left.number, right.number)
        if !a.isNaN && !b.isNaN {
            switch op {
            case "=": return a == b
            case "!=": return a != b
            case "<": return a < b
            case "<=": return a <= b
            case ">": return a > b
            default: return a >= b
            }
        }
        let (x, y) = (left.text, right.text)
        switch op {
        case "=": return x == y
        case "!=": return x != y
        default:
            guard !x.isEmpty, !y.isEmpty else { return false }
            switch op {
            case "<": return x < y
            case "<=": return x <= y
            case ">": return x > y
            default: return x >= y
            }
        }
    }
}
