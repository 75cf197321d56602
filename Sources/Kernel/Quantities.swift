/// Time credits, in whole minutes. Never a floating-point number.
public struct Minutes: Hashable, Comparable, Sendable, Codable {
    public var value: Int
    public init(_ value: Int) { self.value = value }
    public static func hours(_ h: Int) -> Minutes { Minutes(h * 60) }
    public static func < (a: Minutes, b: Minutes) -> Bool { a.value < b.value }
    public static func + (a: Minutes, b: Minutes) -> Minutes { Minutes(a.value + b.value) }
    public static func - (a: Minutes, b: Minutes) -> Minutes { Minutes(a.value - b.value) }
    public static prefix func - (a: Minutes) -> Minutes { Minutes(-a.value) }
}

/// Money in tyiyn (1 KGS = 100 tyiyn). Never a floating-point number.
public struct Money: Hashable, Comparable, Sendable, Codable {
    public var tyiyn: Int
    public init(tyiyn: Int) { self.tyiyn = tyiyn }
    public static func som(_ s: Int) -> Money { Money(tyiyn: s * 100) }
    public static func < (a: Money, b: Money) -> Bool { a.tyiyn < b.tyiyn }
    public static func + (a: Money, b: Money) -> Money { Money(tyiyn: a.tyiyn + b.tyiyn) }
    public static func - (a: Money, b: Money) -> Money { Money(tyiyn: a.tyiyn - b.tyiyn) }
}
