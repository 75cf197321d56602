/// A page request for a list: 1-based page number and page size, clamped to sane bounds.
public struct PageQuery: Sendable, Equatable {
    public static let maxPer = 200
    /// Beyond any list (200 million rows at the largest page size), and small enough that the offset
    /// of any page asked for is a number, not an overflow.
    public static let maxPage = 1_000_000
    public let page: Int
    public let per: Int

    public init(page: Int? = nil, per: Int? = nil, defaultPer: Int = 50) {
        self.page = min(Self.maxPage, max(1, page ?? 1))
        self.per = min(Self.maxPer, max(1, per ?? defaultPer))
    }

    public var offset: Int { (page - 1) * per }
}

/// One page of a list and the size of the whole list.
public struct Paged<Item: Sendable>: Sendable {
    public let items: [Item]
    public let total: Int
    public let request: PageQuery

    public init(items: [Item], total: Int, request: PageQuery) {
        self.items = items
        self.total = total
        self.request = request
    }

    public var pageCount: Int { max(1, (total + request.per - 1) / request.per) }
    public var hasNext: Bool { request.page < pageCount }
    public var hasPrevious: Bool { request.page > 1 }

    public func map<T: Sendable>(_ transform: (Item) throws -> T) rethrows -> Paged<T> {
        Paged<T>(items: try items.map(transform), total: total, request: request)
    }
}
