/// The real districts of the two pilot oblasts, and the aiyl aimaks and villages the pilot works in.
enum DemoGeography {
    struct Name { let ky: String; let ru: String; let en: String }
    struct Village { let aimak: Name; let village: Name }
    struct District { let code: String; let name: Name; let villages: [Village] }
    struct Oblast { let code: String; let name: Name; let districts: [District] }

    static func district(_ code: String, _ ky: String, _ ru: String, _ en: String, villages: [Village] = []) -> District {
        District(code: code, name: Name(ky: "\(ky) району", ru: "\(ru) район", en: "\(en) District"), villages: villages)
    }

    static func village(_ ky: String, _ ru: String, _ en: String, aimakKy: String? = nil, aimakRu: String? = nil, aimakEn: String? = nil) -> Village {
        Village(aimak: Name(ky: "\(aimakKy ?? ky) айыл аймагы", ru: "Айыл аймак \(aimakRu ?? ru)", en: "\(aimakEn ?? en) aiyl aimak"),
                village: Name(ky: ky, ru: ru, en: en))
    }

    static let oblasts: [Oblast] = [
        Oblast(code: "KG-C", name: Name(ky: "Чүй облусу", ru: "Чуйская область", en: "Chüy Region"), districts: [
            district("KG-C-ALA", "Аламүдүн", "Аламудунский", "Alamüdün"),
            district("KG-C-CHU", "Чүй", "Чуйский", "Chüy"),
            district("KG-C-JAY", "Жайыл", "Жайыльский", "Jayyl"),
            district("KG-C-KEM", "Кемин", "Кеминский", "Kemin"),
            district("KG-C-MOS", "Москва", "Московский", "Moskva"),
            district("KG-C-PAN", "Панфилов", "Панфиловский", "Panfilov"),
            district("KG-C-SOK", "Сокулук", "Сокулукский", "Sokuluk", villages: [
                village("Сокулук", "Сокулук", "Sokuluk"),
                village("Жаңы-Жер", "Жаны-Джер", "Jangy-Jer"),
                village("Кызыл-Туу", "Кызыл-Туу", "Kyzyl-Tuu"),
                village("Таш-Дөбө", "Таш-Дёбё", "Tash-Döbö"),
            ]),
            district("KG-C-YSY", "Ысык-Ата", "Ысык-Атинский", "Ysyk-Ata"),
        ]),
        Oblast(code: "KG-O", name: Name(ky: "Ош облусу", ru: "Ошская область", en: "Osh Region"), districts: [
            district("KG-O-ALA", "Алай", "Алайский", "Alay"),
            district("KG-O-ARA", "Араван", "Араванский", "Aravan"),
            district("KG-O-CHA", "Чоң-Алай", "Чон-Алайский", "Chong-Alay"),
            district("KG-O-KKU", "Кара-Кулжа", "Кара-Кульджинский", "Kara-Kulja"),
            district("KG-O-KSU", "Кара-Суу", "Карасуйский", "Kara-Suu", villages: [
                village("Сарай", "Сарай", "Saray"),
                village("Папан", "Папан", "Papan"),
                village("Кашкар-Кыштак", "Кашгар-Кыштак", "Kashgar-Kyshtak"),
                village("Кызыл-Кыштак", "Кызыл-Кыштак", "Kyzyl-Kyshtak"),
            ]),
            district("KG-O-NOO", "Ноокат", "Ноокатский", "Nookat"),
            district("KG-O-OZG", "Өзгөн", "Узгенский", "Özgön"),
        ]),
    ]
}
