import Kernel
import Testing

@Suite("Search folding")
struct SearchKeyTests {
    @Test("Kyrgyz letters, Russian look-alikes, case and Latin spelling meet", arguments: [
        ("Гүлнара", "Гулнара"), ("Гүлнара", "gulnara"), ("ГҮЛНАРА", "Gulnara"),
        ("Өмүрбекова", "Омурбекова"), ("Өмүрбекова", "omurbekova"),
        ("Жаңы-Жер", "Жаны-Жер"), ("Жаңы-Жер", "Jangy-Jer"), ("Жаңы-Жер", "Zhany Zher"),
        ("Юлия", "Yulia"), ("Айгүл", "Aigul"), ("Айгүл", "Aygul"), ("Чолпон", "Cholpon"),
    ])
    func foldsTogether(a: String, b: String) {
        #expect(SearchKey.fold(a) == SearchKey.fold(b))
    }

    @Test func differentNamesStayApart() {
        #expect(SearchKey.fold("Гүлнара") != SearchKey.fold("Гүлзат"))
        #expect(SearchKey.fold("Асанова") != SearchKey.fold("Исакова"))
    }

    @Test func punctuationAndSpacesCollapse() {
        #expect(SearchKey.fold("  Асанова,   Гүлнара  ") == "asanova gulnara")
        #expect(SearchKey.fold("") == "")
        #expect(SearchKey.fold("😀\u{200B}") == "")
    }

    @Test func phoneDigits() {
        #expect(SearchKey.phoneDigits("+996 (555) 12-34-56") == "99655512 3456".filter { $0 != " " })
    }
}

@Suite("Phone numbers")
struct PhoneNumberTests {
    @Test("Kyrgyz numbers as people write them", arguments: [
        ("0555 123 456", "996555123456"), ("+996 555 123456", "996555123456"), ("555123456", "996555123456"),
        ("996-700-12-34-56", "996700123456"), ("+7 912 345 67 89", "79123456789"),
    ])
    func normalises(input: String, expected: String) {
        #expect(PhoneNumber.normalise(input) == expected)
    }

    @Test("Not phone numbers", arguments: ["", "12345", "abc", "0555 123 456 789 000"])
    func rejects(input: String) {
        #expect(PhoneNumber.normalise(input) == nil)
    }

    @Test func displaysGrouped() {
        #expect(PhoneNumber.display("996555123456") == "+996 555 123 456")
    }
}

@Suite("Pages")
struct PageQueryTests {
    @Test func clampsToSaneBounds() {
        #expect(PageQuery(page: 0, per: 0).page == 1)
        #expect(PageQuery(page: -3, per: 0).per == 1)
        #expect(PageQuery(page: 2, per: 10_000).per == PageQuery.maxPer)
        #expect(PageQuery(page: 3, per: 20).offset == 40)
    }

    /// Found by schemathesis: `?page=116171936431272064` overflowed the offset and stopped the server.
    @Test("Any page number and size a client sends gives an offset, never an overflow", arguments: [
        (Int.max, Int.max), (Int.min, Int.min), (116_171_936_431_272_064, 108), (PageQuery.maxPage + 1, 1),
    ])
    func offsetNeverOverflows(page: Int, per: Int) {
        let query = PageQuery(page: page, per: per)
        #expect((1...PageQuery.maxPage).contains(query.page) && (1...PageQuery.maxPer).contains(query.per))
        #expect(query.offset == (query.page - 1) * query.per)
    }

    @Test func countsPages() {
        let paged = Paged(items: [1, 2], total: 41, request: PageQuery(page: 2, per: 20))
        #expect(paged.pageCount == 3)
        #expect(paged.hasNext && paged.hasPrevious)
    }

    @Test func errorKeysFollowCodes() {
        #expect(DomainError("network.person.full_name-required").key == "error.network.person.full_name-required")
        #expect(DomainError.notFound("network.person").code == "network.person.not-found")
    }
}
