/// Names for the demo's women: Kyrgyz, Russian and Uzbek names as they are written in the south
/// and the north of the country. Deterministic, so every demo has the same people.
enum DemoPeople {
    static let kyrgyzFirst = ["Гүлнара", "Айгүл", "Жылдыз", "Нургүл", "Бурул", "Айжан", "Чолпон", "Динара", "Асел",
                              "Назгүл", "Бермет", "Мээрим", "Айпери", "Гүлзат", "Салтанат", "Бактыгүл", "Жамиля",
                              "Гүлмира", "Айнура", "Эльмира", "Зарина", "Курманжан", "Толгонай", "Үмүт", "Аида"]
    static let kyrgyzSurname = ["Асанова", "Токтогулова", "Мамытова", "Абдыкадырова", "Жумабаева", "Осмонова",
                                "Сыдыкова", "Бекмуратова", "Исакова", "Турдубаева", "Маматова", "Кадырова",
                                "Эсенбаева", "Алымкулова", "Садыкова", "Ташиева", "Өмүрбекова", "Төлөгөнова"]
    static let russianFirst = ["Елена", "Ольга", "Наталья", "Татьяна", "Светлана", "Ирина", "Людмила", "Валентина"]
    static let russianSurname = ["Иванова", "Петренко", "Кузнецова", "Ковальчук", "Смирнова", "Волкова"]
    static let russianPatronymic = ["Петровна", "Ивановна", "Николаевна", "Сергеевна", "Викторовна"]
    static let uzbekFirst = ["Гулчехра", "Мухаббат", "Дилноза", "Зулфия", "Нодира", "Шахноза"]
    static let uzbekSurname = ["Юсупова", "Рахимова", "Каримова", "Мирзаева", "Юлдашева"]

    /// The i-th demo woman's full name, surname first as registers write it.
    static func name(_ i: Int, southern: Bool) -> String {
        switch i % 10 {
        case 0 where !southern:
            return "\(russianSurname[i / 10 % russianSurname.count]) \(russianFirst[i / 7 % russianFirst.count]) \(russianPatronymic[i % russianPatronymic.count])"
        case let digit where southern && (digit == 0 || digit == 5):
            return "\(uzbekSurname[i / 10 % uzbekSurname.count]) \(uzbekFirst[i / 3 % uzbekFirst.count])"
        default:
            return "\(kyrgyzSurname[(i * 7) % kyrgyzSurname.count]) \(kyrgyzFirst[(i * 11 + i / 25) % kyrgyzFirst.count])"
        }
    }
}
