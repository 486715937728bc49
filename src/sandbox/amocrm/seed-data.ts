// Hand-written material the seed draws from: companies and people with believable roles, products,
// task texts and note texts. An amocrm.ru account mostly works in Russian: about half of the companies
// and people are Russian or from neighbouring countries (names in Cyrillic), the pipelines are Russian,
// and the Russian-speaking users write their tasks and notes in Russian. Pure data; seed.ts adds ids and
// dates. Entries are swapped in place, keeping each one's phone pattern length, so the seed's random
// draws (and with them every id, date, price and stage) are the same as before the Russian material.

export interface CountryPhone {
  prefix: string;
  /** `X` = a random digit. */
  pattern: string;
}

export const PHONE_FORMATS: Record<string, CountryPhone> = {
  RU: { prefix: '+7', pattern: '9XX XXX-XX-XX' },
  KZ: { prefix: '+7', pattern: '70X XXX-XX-XX' },
  BY: { prefix: '+375', pattern: '29 XXX-XX-XX' },
  DE: { prefix: '+49', pattern: '15X XXXXXXXX' },
  CH: { prefix: '+41', pattern: '7X XXX XX XX' },
  JP: { prefix: '+81', pattern: '90-XXXX-XXXX' },
  CL: { prefix: '+56', pattern: '9 XXXX XXXX' },
  EE: { prefix: '+372', pattern: '5XXX XXXX' },
  FR: { prefix: '+33', pattern: '6 XX XX XX XX' },
  CA: { prefix: '+1', pattern: '416-XXX-XXXX' },
  KE: { prefix: '+254', pattern: '7XX XXX XXX' },
  TR: { prefix: '+90', pattern: '5XX XXX XX XX' },
  IN: { prefix: '+91', pattern: '9XXXX XXXXX' },
  PT: { prefix: '+351', pattern: '9XX XXX XXX' },
  NO: { prefix: '+47', pattern: '4XX XX XXX' },
  IT: { prefix: '+39', pattern: '3XX XXX XXXX' },
  AU: { prefix: '+61', pattern: '4XX XXX XXX' },
  PL: { prefix: '+48', pattern: '5XX XXX XXX' },
  CN: { prefix: '+86', pattern: '13X XXXX XXXX' },
  ES: { prefix: '+34', pattern: '6XX XXX XXX' },
  AE: { prefix: '+971', pattern: '50 XXX XXXX' },
  GH: { prefix: '+233', pattern: '24 XXX XXXX' },
  IE: { prefix: '+353', pattern: '8X XXX XXXX' },
  BR: { prefix: '+55', pattern: '11 9XXXX-XXXX' },
  VN: { prefix: '+84', pattern: '9X XXX XX XX' },
  GB: { prefix: '+44', pattern: '7XXX XXXXXX' },
};

export interface SeedCompany {
  name: string;
  country: string;
  domain: string;
  address: string;
}

export const COMPANIES: SeedCompany[] = [
  { name: 'Nordwind Logistik GmbH', country: 'DE', domain: 'nordwind-logistik.de', address: 'Hafenstraße 12, 20457 Hamburg, Germany' },
  { name: 'ТОО «Алатау Фудс»', country: 'KZ', domain: 'alataufoods.kz', address: 'пр. Абая, 52, Алматы, Казахстан' },
  { name: 'ООО «Волга Трейд»', country: 'RU', domain: 'volgatrade.ru', address: 'ул. Рождественская, 21, Нижний Новгород' },
  { name: 'Andes Mining S.A.', country: 'CL', domain: 'andesmining.cl', address: 'Av. Apoquindo 3000, Las Condes, Santiago, Chile' },
  { name: 'Baltic Timber OÜ', country: 'EE', domain: 'baltictimber.ee', address: 'Pärnu mnt 105, 11312 Tallinn, Estonia' },
  {
    name: 'Lumière Cosmétiques SARL',
    country: 'FR',
    domain: 'lumiere-cosmetiques.fr',
    address: '18 rue de la République, 69002 Lyon, France',
  },
  { name: 'ООО «Минск Аналитика»', country: 'BY', domain: 'minskanalytics.by', address: 'пр. Победителей, 7А, Минск, Беларусь' },
  { name: 'Savanna Solar Ltd', country: 'KE', domain: 'savannasolar.co.ke', address: 'Westlands Road 44, Nairobi, Kenya' },
  { name: 'ООО «ТекстильПром»', country: 'RU', domain: 'textilprom.ru', address: 'ул. Красных Зорь, 14, Иваново' },
  { name: 'ООО «Цифровые Решения»', country: 'RU', domain: 'digital-solutions.ru', address: 'ул. Петербургская, 50, Казань' },
  { name: 'Porto Vinhos Lda', country: 'PT', domain: 'portovinhos.pt', address: 'Rua de Santa Catarina 250, 4000-442 Porto, Portugal' },
  { name: 'АО «Уральские Машины»', country: 'RU', domain: 'uralmachinery.ru', address: 'пр. Космонавтов, 18, Екатеринбург' },
  { name: 'Fjord Seafood AS', country: 'NO', domain: 'fjordseafood.no', address: 'Bryggen 7, 5003 Bergen, Norway' },
  { name: 'ООО «Дизайн-Бюро Арт»', country: 'RU', domain: 'art-design.spb.ru', address: 'наб. реки Мойки, 40, Санкт-Петербург' },
  { name: 'ТОО «Астана Импорт»', country: 'KZ', domain: 'astanaimport.kz', address: 'ул. Кенесары, 40, Астана, Казахстан' },
];

/** Countries whose people and companies the seed writes in Russian. */
export const RUSSIAN_SPEAKING = new Set(['RU', 'KZ', 'BY']);

export interface SeedPerson {
  first: string;
  last: string;
  /** The name in Latin letters, for the e-mail address of a name written in Cyrillic. */
  latin?: [string, string];
  country: string;
  /** Index into COMPANIES, or null for a private customer. */
  company: number | null;
  position: string | null;
}

export const PEOPLE: SeedPerson[] = [
  { first: 'Hans', last: 'Müller', country: 'DE', company: 0, position: 'Head of Procurement' },
  { first: 'Katrin', last: 'Schneider', country: 'DE', company: 0, position: 'Logistics Manager' },
  { first: 'Ержан', last: 'Сейткали', latin: ['Yerzhan', 'Seitkali'], country: 'KZ', company: 1, position: 'Коммерческий директор' },
  { first: 'Айгуль', last: 'Нурланова', latin: ['Aigul', 'Nurlanova'], country: 'KZ', company: 1, position: 'Менеджер по закупкам' },
  { first: 'Дмитрий', last: 'Волков', latin: ['Dmitry', 'Volkov'], country: 'RU', company: 2, position: 'Генеральный директор' },
  { first: 'Ольга', last: 'Смирнова', latin: ['Olga', 'Smirnova'], country: 'RU', company: 2, position: 'Главный бухгалтер' },
  { first: 'Сергей', last: 'Кузнецов', latin: ['Sergey', 'Kuznetsov'], country: 'RU', company: 2, position: 'Менеджер по продажам' },
  { first: 'Carlos', last: 'Rojas', country: 'CL', company: 3, position: 'Operations Manager' },
  { first: 'Valentina', last: 'Muñoz', country: 'CL', company: 3, position: 'CFO' },
  { first: 'Kristjan', last: 'Tamm', country: 'EE', company: 4, position: 'Owner' },
  { first: 'Liis', last: 'Kask', country: 'EE', company: 4, position: 'Office Manager' },
  { first: 'Chloé', last: 'Dubois', country: 'FR', company: 5, position: 'Marketing Director' },
  { first: 'Julien', last: 'Moreau', country: 'FR', company: 5, position: 'IT Manager' },
  { first: 'Андрей', last: 'Ковалёв', latin: ['Andrei', 'Kovalev'], country: 'BY', company: 6, position: 'Технический директор' },
  { first: 'Наталья', last: 'Жук', latin: ['Natalia', 'Zhuk'], country: 'BY', company: 6, position: 'Руководитель отдела аналитики' },
  { first: 'Wanjiru', last: 'Kamau', country: 'KE', company: 7, position: 'Managing Director' },
  { first: 'Otieno', last: 'Odhiambo', country: 'KE', company: 7, position: 'Project Engineer' },
  { first: 'Светлана', last: 'Орлова', latin: ['Svetlana', 'Orlova'], country: 'RU', company: 8, position: 'Начальник отдела снабжения' },
  { first: 'Михаил', last: 'Белов', latin: ['Mikhail', 'Belov'], country: 'RU', company: 8, position: 'Директор' },
  { first: 'Алексей', last: 'Гришин', latin: ['Alexey', 'Grishin'], country: 'RU', company: 9, position: 'Технический директор' },
  { first: 'Екатерина', last: 'Зайцева', latin: ['Ekaterina', 'Zaitseva'], country: 'RU', company: 9, position: 'Аккаунт-менеджер' },
  { first: 'João', last: 'Ferreira', country: 'PT', company: 10, position: 'Export Manager' },
  { first: 'Ana', last: 'Sousa', country: 'PT', company: 10, position: 'Owner' },
  { first: 'Иван', last: 'Соколов', latin: ['Ivan', 'Sokolov'], country: 'RU', company: 11, position: 'Главный инженер' },
  { first: 'Елена', last: 'Морозова', latin: ['Elena', 'Morozova'], country: 'RU', company: 11, position: 'Специалист по закупкам' },
  { first: 'Sven', last: 'Johansen', country: 'NO', company: 12, position: 'Sales Director' },
  { first: 'Ingrid', last: 'Larsen', country: 'NO', company: 12, position: 'Quality Manager' },
  { first: 'Ксения', last: 'Лебедева', latin: ['Ksenia', 'Lebedeva'], country: 'RU', company: 13, position: 'Арт-директор' },
  { first: 'Павел', last: 'Новиков', latin: ['Pavel', 'Novikov'], country: 'RU', company: 13, position: 'Основатель' },
  { first: 'Тимур', last: 'Ахметов', latin: ['Timur', 'Akhmetov'], country: 'KZ', company: 14, position: 'Закупщик' },
  { first: 'Динара', last: 'Касымова', latin: ['Dinara', 'Kasymova'], country: 'KZ', company: 14, position: 'Руководитель логистики' },
  { first: 'Anna', last: 'Kowalska', country: 'PL', company: null, position: null },
  { first: 'Виктор', last: 'Павлов', latin: ['Viktor', 'Pavlov'], country: 'RU', company: null, position: 'Независимый консультант' },
  { first: 'Lucía', last: 'García', country: 'ES', company: null, position: null },
  { first: 'Fatima', last: 'Al-Sayed', country: 'AE', company: null, position: 'Interior designer' },
  { first: 'Kwame', last: 'Mensah', country: 'GH', company: null, position: null },
  { first: 'Aoife', last: 'Murphy', country: 'IE', company: null, position: 'Freelance photographer' },
  { first: 'Ольга', last: 'Ким', latin: ['Olga', 'Kim'], country: 'KZ', company: null, position: null },
  { first: 'Айгерим', last: 'Бекова', latin: ['Aigerim', 'Bekova'], country: 'KZ', company: null, position: 'Владелица ресторана' },
  { first: 'Руслан', last: 'Абдуллаев', latin: ['Ruslan', 'Abdullaev'], country: 'KZ', company: null, position: null },
  { first: 'Игорь', last: 'Фёдоров', latin: ['Igor', 'Fedorov'], country: 'RU', company: null, position: 'Архитектор' },
  { first: 'Мария', last: 'Иванова', latin: ['Maria', 'Ivanova'], country: 'RU', company: null, position: null },
  { first: 'Noah', last: 'Fischer', country: 'CH', company: null, position: 'Private investor' },
  { first: 'Zofia', last: 'Wiśniewska', country: 'PL', company: null, position: null },
];

export const PRIVATE_EMAIL_DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.com', 'proton.me', 'mail.ru'] as const;

export const USERS = [
  { name: 'Анна Петрова', email: 'anna.petrova@sandbox-trading.example', lang: 'ru', admin: true },
  { name: 'James Carter', email: 'james.carter@sandbox-trading.example', lang: 'en', admin: false },
  { name: 'Игорь Лебедев', email: 'igor.lebedev@sandbox-trading.example', lang: 'ru', admin: false },
] as const;

export interface SeedStatus {
  name: string;
  color: string;
  /** 0 normal, 1 unsorted/incoming. */
  type: 0 | 1;
}

export const PIPELINES: { name: string; stages: SeedStatus[] }[] = [
  {
    name: 'Продажи',
    stages: [
      { name: 'Неразобранное', color: '#c1c1c1', type: 1 },
      { name: 'Первичный контакт', color: '#99ccff', type: 0 },
      { name: 'Коммерческое предложение', color: '#ffff99', type: 0 },
      { name: 'Переговоры', color: '#ffcc66', type: 0 },
      { name: 'Согласование договора', color: '#deff81', type: 0 },
    ],
  },
  {
    name: 'Partnerships',
    stages: [
      { name: 'Incoming leads', color: '#c1c1c1', type: 1 },
      { name: 'Initial call', color: '#98cbff', type: 0 },
      { name: 'Due diligence', color: '#f9deff', type: 0 },
      { name: 'Agreement', color: '#87f2c0', type: 0 },
    ],
  },
];

/** Names of the system stages 142 (won) and 143 (lost), as a Russian account shows them. */
export const CLOSED_STAGE_NAMES = { won: 'Успешно реализовано', lost: 'Закрыто и не реализовано' } as const;

/** What the leads are about, as [English, Russian]: a lead takes its record's language. */
export const PRODUCTS: readonly (readonly [string, string])[] = [
  ['CRM licences (25 seats)', 'Лицензии CRM (25 мест)'],
  ['Annual support contract', 'Годовой договор на поддержку'],
  ['Warehouse automation pilot', 'Пилот автоматизации склада'],
  ['Website redesign', 'Редизайн сайта'],
  ['Cloud migration', 'Переход в облако'],
  ['Sales team training', 'Обучение отдела продаж'],
  ['Fleet tracking units', 'Трекеры для автопарка'],
  ['Packaging supply 2026', 'Поставка упаковки на 2026 год'],
  ['Data analytics dashboard', 'Дашборд аналитики'],
  ['Solar panels for the new plant', 'Солнечные панели для нового завода'],
  ['Cold-chain monitoring', 'Мониторинг холодовой цепи'],
  ['Trade show stand', 'Стенд на выставке'],
  ['Spare parts framework agreement', 'Рамочный договор на запчасти'],
  ['Loyalty programme integration', 'Интеграция программы лояльности'],
  ['Office furniture order', 'Заказ офисной мебели'],
  ['Distribution agreement', 'Дистрибьюторское соглашение'],
  ['Mobile app development', 'Разработка мобильного приложения'],
  ['Consulting retainer', 'Абонентское консультирование'],
];

export const LEAD_SOURCES = ['Website', 'Referral', 'Cold call', 'Exhibition', 'Partner'] as const;

export const TAGS = {
  leads: ['VIP', 'Website', 'Referral', 'Upsell', 'Q1-2026', 'Partner'],
  contacts: ['decision-maker', 'newsletter', 'event-2025'],
  companies: ['key-account', 'distributor', 'prospect'],
} as const;

/** Task texts as [English, Russian]: a task takes its owner's language. */
export const TASK_TEXTS: readonly (readonly [string, string])[] = [
  ['Call back to discuss the proposal', 'Перезвонить и обсудить предложение'],
  ['Send the updated price list', 'Отправить обновлённый прайс-лист'],
  ['Prepare the contract draft', 'Подготовить проект договора'],
  ['Schedule a product demo', 'Назначить демонстрацию продукта'],
  ['Follow up after the meeting', 'Связаться после встречи'],
  ['Confirm the delivery date', 'Подтвердить дату поставки'],
  ['Check the payment status', 'Проверить статус оплаты'],
  ['Meeting at the client’s office', 'Встреча в офисе клиента'],
  ['Send case studies from similar clients', 'Отправить кейсы похожих клиентов'],
  ['Clarify technical requirements', 'Уточнить технические требования'],
  ['Agree on the discount with the manager', 'Согласовать скидку с руководителем'],
  ['Introduce the new account manager', 'Представить нового менеджера клиента'],
];

export const TASK_RESULTS: readonly (readonly [string, string])[] = [
  ['Client confirmed, moving to the next stage', 'Клиент подтвердил, переводим на следующий этап'],
  ['Sent by email, waiting for feedback', 'Отправлено по почте, ждём ответа'],
  ['Done, the client asked for a call next week', 'Сделано, клиент просит созвониться на следующей неделе'],
  ['Meeting held, notes added to the lead', 'Встреча прошла, примечания добавлены в сделку'],
  ['No answer, will try again', 'Не дозвонились, попробуем ещё раз'],
];

/** Note texts as [English, Russian]: a note takes its author's language. */
export const NOTE_TEXTS: readonly (readonly [string, string])[] = [
  [
    'Client is comparing us with two other vendors; price is the main concern.',
    'Клиент сравнивает нас с двумя другими поставщиками, главное для него цена.',
  ],
  ['Asked for a 10% discount for a two-year commitment.', 'Просит скидку 10% при договоре на два года.'],
  [
    'Decision expected after their board meeting at the end of the month.',
    'Решение ждём после заседания совета директоров в конце месяца.',
  ],
  ['Prefers communication in English by email.', 'Предпочитает общаться по почте, не по телефону.'],
  ['Interested in the premium support package.', 'Интересуется пакетом премиальной поддержки.'],
  ['Budget approved, waiting for the purchase order.', 'Бюджет согласован, ждём заявку на закупку.'],
  ['Needs integration with their existing ERP.', 'Нужна интеграция с их 1С:ERP.'],
  ['Met at the trade fair in Berlin, very interested.', 'Познакомились на выставке в Москве, очень заинтересованы.'],
  ['Sent the proposal and the reference list.', 'Отправили КП и список референсов.'],
  ['Legal team is reviewing the contract terms.', 'Юристы клиента изучают условия договора.'],
];

export const CALL_RESULTS: readonly (readonly [string, string])[] = [
  ['Discussed pricing', 'Обсудили цены'],
  ['Left a voicemail', 'Оставили голосовое сообщение'],
  ['Agreed on a demo date', 'Договорились о дате демонстрации'],
  ['Clarified delivery terms', 'Уточнили условия поставки'],
];

/** The service message of a website form, as [English, Russian]. */
export const FORM_MESSAGE = ['New request from the contact form on the website', 'Новая заявка с формы обратной связи на сайте'] as const;

/** Index 0 (English) or 1 (Russian) into the [English, Russian] pairs above. */
export function languageIndex(lang: string): 0 | 1 {
  return lang === 'ru' ? 1 : 0;
}
