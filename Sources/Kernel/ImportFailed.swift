/// The lines that stopped an import of a file, each with its reasons. Imports are all or nothing:
/// nothing of the file was written.
public struct ImportFailed: Error, Sendable {
    public struct Problem: Sendable {
        public let line: Int
        public let errors: [DomainError]
        /// The file the line is in, when an import reads several (an export and its repeats).
        public let file: String?

        public init(line: Int, errors: [DomainError], file: String? = nil) {
            self.line = line
            self.errors = errors
            self.file = file
        }
    }
    public let problems: [Problem]

    public init(problems: [Problem]) { self.problems = problems }
}
