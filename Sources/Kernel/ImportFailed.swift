/// The lines that stopped an import of a file, each with its reasons. Imports are all or nothing:
/// nothing of the file was written.
public struct ImportFailed: Error, Sendable {
    public struct Problem: Sendable {
        public let line: Int
        public let errors: [DomainError]

        public init(line: Int, errors: [DomainError]) {
            self.line = line
            self.errors = errors
        }
    }
    public let problems: [Problem]

    public init(problems: [Problem]) { self.problems = problems }
}
