import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import TimeBank

/// What a member can ask by SMS, in a keyword of any of the three languages — in Latin letters too,
/// since many basic phones have no Cyrillic: her balance, a few offers of a kind of service near her.
enum SMSRequest: Equatable {
    case balance(memberNumber: String?)
    case offers(category: String)
    case help

    private static let keywords: [(words: Set<String>, language: AppLocale?, balance: Bool)] = [
        (["BAL", "BALANCE"], nil, true),
        (["КАЛДЫК", "КАЛ", "KALDYK", "KAL"], .ky, true),
        (["БАЛАНС", "БАЛ", "BALANS"], .ru, true),
        (["OFFERS", "OFFER"], nil, false),
        (["СУНУШ", "СУНУШТАР", "SUNUSH"], .ky, false),
        (["УСЛУГИ", "УСЛУГА", "USLUGI"], .ru, false),
    ]

    /// The request a text makes, and the language its keyword is in (nil: "BAL", "OFFERS", any language's).
    static func parse(_ text: String) -> (request: SMSRequest, language: AppLocale?) {
        let words = text.split(whereSeparator: { $0.isWhitespace || $0 == "," || $0 == "." }).map(String.init)
        guard let first = words.first?.uppercased(), let keyword = keywords.first(where: { $0.words.contains(first) }) else {
            return (.help, nil)
        }
        let rest = Array(words.dropFirst())
        if keyword.balance {
            let number = rest.first.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "#№")) }
            return (.balance(memberNumber: number), keyword.language)
        }
        return (rest.isEmpty ? .help : .offers(category: rest.joined(separator: " ")), keyword.language)
    }
}

/// Answers a member's text: in the language of her keyword, or hers as the registry keeps it; always
/// one SMS (70 characters of Cyrillic). Only a phone registered to a member learns her balance.
struct SMSConversation {
    /// What one SMS holds in Cyrillic (UCS-2).
    static let length = 70

    let db: any Database

    func reply(to text: String, from phone: String) async throws -> SMSMessage {
        let (request, keywordLanguage) = SMSRequest.parse(text)
        let people = try await PeopleService(db: db).registered(phone: phone)
        let language = keywordLanguage ?? people.lazy.compactMap { $0.language.flatMap(AppLocale.init(rawValue:)) }.first ?? .ky
        let say = Translations.bundled[language]
        let answer: String
        switch request {
        case .help:
            answer = say.text("sms.help")
        case .balance(let number):
            answer = try await balance(number, of: people, say)
        case .offers(let category):
            answer = try await offers(category, near: people.first, say)
        }
        return SMSMessage(to: phone, text: Self.fitted(answer))
    }

    private func balance(_ number: String?, of people: [PersonRecord], _ say: Catalogue) async throws -> String {
        guard !people.isEmpty else { return say.text("sms.unknown-phone") }
        var memberships: [MemberRecord] = []
        for person in people { memberships += try await TimeBankService(db: db).memberships(of: person.id) }
        if let number {
            guard let member = memberships.first(where: { $0.memberNumber == number }) else {
                return say.text("sms.balance.not-yours", ["number": number])
            }
            return say.text("sms.balance", ["number": member.memberNumber, "balance": say.duration(member.balanceMinutes)])
        }
        switch memberships.count {
        case 0: return say.text("sms.not-a-member")
        case 1: return say.text("sms.balance", ["number": memberships[0].memberNumber, "balance": say.duration(memberships[0].balanceMinutes)])
        default: return say.text("sms.balance.which", ["numbers": memberships.map(\.memberNumber).sorted().joined(separator: ", ")])
        }
    }

    private func offers(_ asked: String, near person: PersonRecord?, _ say: Catalogue) async throws -> String {
        guard let person else { return say.text("sms.unknown-phone") }
        let banks = try await TimeBankService(db: db).memberships(of: person.id).map(\.bankID)
        guard !banks.isEmpty else { return say.text("sms.not-a-member") }
        var categories: [CategoryRecord] = []
        for bank in banks { categories += try await CategoryService(db: db).available(to: bank) }
        guard let category = Self.category(named: asked, among: categories) else { return say.text("sms.offers.unknown-category") }
        let name = category.name.named(say.locale.rawValue)
        let offers = try await BoardService(db: db).nearestOffers(categoryID: category.id, banks: banks, to: person.villageID)
        let members = try await TimeBankService(db: db).lookup(offers.map(\.memberID))
        let women = try await PeopleService(db: db).lookup(members.values.map(\.personID))
        var reply = ""
        let hers = Set(members.filter { $0.value.personID == person.id }.keys)
        for offer in offers where !hers.contains(offer.memberID) {
            guard let member = members[offer.memberID], let woman = women[member.personID] else { continue }
            // Her given name (the registry writes the family name first) and her number at the office.
            let given = woman.fullName.split(separator: " ").dropFirst().first.map(String.init) ?? woman.fullName
            let next = (reply.isEmpty ? name + ": " : reply + ", ") + "\(given) \(member.memberNumber)"
            guard next.utf16.count <= Self.length else { break }
            reply = next
        }
        return reply.isEmpty ? say.text("sms.offers.none", ["category": name]) : reply
    }

    /// The category every word of `text` begins a word of, in any language or by its code ("тамак", "cook").
    static func category(named text: String, among categories: [CategoryRecord]) -> CategoryRecord? {
        let asked = SearchKey.fold(text).split(separator: " ")
        guard !asked.isEmpty else { return nil }
        return categories.first { category in
            let words = [category.name.ky, category.name.ru, category.name.en, category.code ?? ""]
                .flatMap { SearchKey.fold($0).split(whereSeparator: { $0 == " " || $0 == "-" }) }
            return asked.allSatisfy { word in words.contains { $0.hasPrefix(word) } }
        }
    }

    /// A reply cut to one SMS, should a name make it longer than the messages were written for.
    static func fitted(_ text: String) -> String {
        guard text.utf16.count > length else { return text }
        return String(text.prefix(length - 1)) + "…"
    }
}
