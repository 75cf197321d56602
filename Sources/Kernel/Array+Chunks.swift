extension Array {
    /// The elements in runs of at most `size`, in order: rows written or looked up a few hundred to a
    /// statement, within both databases' limits on bound values.
    public func chunks(of size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
