import Foundation
import Needs

/// The pilot's baseline survey as enumerators might have filled it: answers that keep the form's own
/// rules (the household adds up, at most three needs), villages typed by hand as people type them (a
/// Kyrgyz ң sometimes an н), in a KoboToolbox export. The demo imports 1,100 of them, as the pilot
/// asked 1,100 women; the benchmarks import 100,000.
public enum DemoSurvey {
    static let villages: [(district: String, villages: [String])] = [
        ("alamudun", ["Аламүдүн", "Кой-Таш", "Байтик"]),
        ("sokuluk", ["Сокулук", "Жаңы-Жер", "Кызыл-Туу", "Таш-Дөбө"]),
        ("ysyk_ata", ["Кант", "Ивановка", "Нурманбет"]),
        ("chui", ["Бурана", "Ак-Бешим"]),
        ("kara_suu", ["Сарай", "Папан", "Кашкар-Кыштак", "Кызыл-Кыштак"]),
        ("nookat", ["Ноокат", "Кеңеш", "Жаңы-Ноокат"]),
        ("ozgon", ["Өзгөн", "Куршаб", "Жылы-Булак"]),
        ("aravan", ["Араван", "Төө-Моюн", "Керме-Тоо"]),
    ]
    static let topics = ["Жемиш кургатуу жана консерва", "Бухгалтерия негиздери", "Шитьё и кройка", "Кийиз жасоо", "Продажа через интернет",
                         "Мал догдуру", "Теплица", "Сүт азыктарын иштетүү"]

    /// A KoboToolbox export of `count` baseline submissions; the same `seed` gives the same file. Exports
    /// numbered from different `first` submissions never share an instance key.
    public static func baselineExport(count: Int, first: Int = 0, seed: UInt64 = 2025) throws -> Data {
        let form = try FormDefinition.read(FormFiles.sheets(csv: String(decoding: try FormService.baseline, as: UTF8.self)))
        var random = SeededRandom(seed: seed)
        let start = Date(timeIntervalSince1970: 1_738_368_000)  // 2025-02-01
        let rows = (first..<(first + count)).map { index in
            let answers = baselineAnswers(&random)
            // The number scattered (multiplying by an odd number is one-to-one on 32 bits): KoboToolbox's keys
            // are random, and an export's keys fall all over the form's index of keys, not on a few of its pages.
            let key = String(format: "%08x-%04x-4%03x-8%03x-%012llx", UInt32(truncatingIfNeeded: index) &* 0x9E37_79B1,
                             random.next() % 0x10000, random.next() % 0x1000,
                             random.next() % 0x1000, random.next() % 0x1_0000_0000_0000)
            return ExportWriting.Row(key: key, submittedAt: start.addingTimeInterval(Double(index % 60) * 86_400 + Double(random.next() % 36_000)),
                                     answers: answers)
        }
        return ExportWriting.kobo(form, rows)
    }

    static func baselineAnswers(_ random: inout SeededRandom) -> Answers {
        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        func number(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(random.next() % UInt64(range.count)) }
        func chance(_ percent: Int) -> Bool { Int(random.next() % 100) < percent }
        func some(_ choices: [String], _ range: ClosedRange<Int>) -> String {
            var left = choices, picked: [String] = []
            for _ in 0..<number(range) where !left.isEmpty { picked.append(left.remove(at: Int(random.next() % UInt64(left.count)))) }
            return choices.filter(picked.contains).joined(separator: " ")
        }
        let place = pick(villages)
        let south = ["kara_suu", "nookat", "ozgon", "aravan"].contains(place.district)
        var village = pick(place.villages)
        if chance(20) { village = village.replacingOccurrences(of: "ң", with: "н").replacingOccurrences(of: "ө", with: "о").replacingOccurrences(of: "ү", with: "у") }
        let size = number(1...11)
        let children = number(0...(size - 1))
        let elders = number(0...(size - children))
        var a: [String: String] = [
            "interview_date": String(format: "2025-%02d-%02d", number(2...3), number(1...28)),
            "district": place.district, "village": village, "age": String(number(18...72)),
            "household_size": String(size), "children": String(children), "elders": String(elders),
            "working_age": String(size - children - elders),
            "income_sources": some(["farming", "livestock", "trade", "wages", "pension", "remittances"], 1...3),
            "land_sotyk": String(number(0...60) * 5),
            "remittances": chance(south ? 45 : 25) ? "yes" : "no",
            "work": some(["farming", "processing", "sewing", "trade", "services", "care"], 1...2),
            "own_income": String(number(0...30) * 1000),
            "own_money": chance(55) ? "yes" : "no",
            "consent_contact": chance(70) ? "yes" : "no",
        ]
        if chance(5) {
            a["income_sources"]! += " other"
            a["income_sources_other"] = pick(["Кол өнөрчүлүк", "Такси", "Бала бакча"])
        }
        let livestock = chance(70) ? some(["cattle", "sheep_goats", "horses", "poultry"], 1...3) : ""
        if !livestock.isEmpty { a["livestock"] = livestock }
        if livestock.contains("cattle") { a["cattle"] = String(number(1...8)) }
        if livestock.contains("sheep_goats") { a["sheep_goats"] = String(number(1...40)) }
        if a["remittances"] == "yes" { a["remittance_months"] = String(number(1...12)) }
        // Water and safety are named more often in the south, childcare and markets in Chui.
        let needs = south ? ["income", "water", "water", "childcare", "health", "inputs", "market", "safety", "safety"]
            : ["income", "income", "water", "childcare", "childcare", "health", "inputs", "market", "market", "safety"]
        a["needs"] = ["income", "water", "childcare", "health", "inputs", "market", "safety"].filter(some(needs, 1...3).split(separator: " ").map(String.init).contains)
            .joined(separator: " ")
        a["services_wanted"] = some(["training", "credit", "childcare", "legal", "markets", "certification", "equipment", "psychological"], 1...4)
        if a["services_wanted"]!.contains("training") { a["training_topic"] = pick(topics) }
        if a["services_wanted"]!.contains("credit") { a["credit_amount"] = String(number(2...40) * 5000) }
        if chance(80) { a["barriers"] = some(["distance", "cost", "time", "childcare", "family", "information", "language"], 1...3) }
        return Answers(values: a)
    }
}
