extension String {
    /// The text, or nil when there is none: an optional field left blank reads as absent.
    public var nonEmpty: String? { isEmpty ? nil : self }
}
