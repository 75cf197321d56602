import FluentKit
import Kernel

extension QueryBuilder {
    /// Keeps rows whose folded search key contains every word of `text`, in any order, so
    /// "Нургүл Сыдыкова" finds "Сыдыкова Нургүл". Blank text filters nothing.
    @discardableResult
    public func matchingEveryWord(of text: String?, in key: KeyPath<Model, FieldProperty<Model, String>>) -> Self {
        for word in SearchKey.fold(text ?? "").split(separator: " ") {
            filter(key ~~ String(word))
        }
        return self
    }
}
