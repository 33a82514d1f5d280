// Word lists the demo catalog is drawn from. Plain data: the plan picks from them with the seeded
// generator, so the same seed always yields the same names, titles and prices.

/** Where demo sellers and buyers live: each country with its currency and a few local names. */
export interface Locale {
  country: string;
  currency: string;
  cities: { city: string; region?: string; postalCode: string; street: string }[];
  firstNames: string[];
  lastNames: string[];
  phonePrefix: string;
}

export const LOCALES: Locale[] = [
  {
    country: 'US',
    currency: 'USD',
    cities: [
      { city: 'Austin', region: 'TX', postalCode: '78701', street: 'Congress Avenue' },
      { city: 'Portland', region: 'OR', postalCode: '97205', street: 'Alder Street' },
      { city: 'Brooklyn', region: 'NY', postalCode: '11201', street: 'Atlantic Avenue' },
    ],
    firstNames: ['Emily', 'Jacob', 'Madison', 'Ethan', 'Olivia', 'Noah', 'Ava', 'Mason'],
    lastNames: ['Carter', 'Brooks', 'Hughes', 'Reed', 'Sullivan', 'Parker', 'Bennett', 'Foster'],
    phonePrefix: '+1 512',
  },
  {
    country: 'DE',
    currency: 'EUR',
    cities: [
      { city: 'Berlin', postalCode: '10115', street: 'Invalidenstraße' },
      { city: 'Hamburg', postalCode: '20095', street: 'Mönckebergstraße' },
      { city: 'München', postalCode: '80331', street: 'Sendlinger Straße' },
    ],
    firstNames: ['Lena', 'Jonas', 'Mia', 'Felix', 'Hannah', 'Lukas', 'Sophie', 'Paul'],
    lastNames: ['Müller', 'Schneider', 'Fischer', 'Weber', 'Wagner', 'Becker', 'Hoffmann', 'Krause'],
    phonePrefix: '+49 30',
  },
  {
    country: 'FR',
    currency: 'EUR',
    cities: [
      { city: 'Lyon', postalCode: '69002', street: 'Rue de la République' },
      { city: 'Paris', postalCode: '75011', street: 'Rue Oberkampf' },
      { city: 'Bordeaux', postalCode: '33000', street: 'Cours de l’Intendance' },
    ],
    firstNames: ['Camille', 'Hugo', 'Léa', 'Louis', 'Chloé', 'Arthur', 'Manon', 'Jules'],
    lastNames: ['Martin', 'Bernard', 'Dubois', 'Lefèvre', 'Moreau', 'Laurent', 'Girard', 'Roux'],
    phonePrefix: '+33 4',
  },
  {
    country: 'GB',
    currency: 'GBP',
    cities: [
      { city: 'Manchester', postalCode: 'M1 1AE', street: 'Oldham Street' },
      { city: 'Bristol', postalCode: 'BS1 4DJ', street: 'Park Street' },
      { city: 'Edinburgh', postalCode: 'EH1 1YZ', street: 'Cockburn Street' },
    ],
    firstNames: ['Oliver', 'Amelia', 'Harry', 'Isla', 'George', 'Poppy', 'Charlie', 'Freya'],
    lastNames: ['Taylor', 'Davies', 'Evans', 'Thomas', 'Roberts', 'Walker', 'Wright', 'Hall'],
    phonePrefix: '+44 161',
  },
  {
    country: 'IN',
    currency: 'INR',
    cities: [
      { city: 'Bengaluru', region: 'KA', postalCode: '560001', street: 'MG Road' },
      { city: 'Jaipur', region: 'RJ', postalCode: '302001', street: 'MI Road' },
      { city: 'Pune', region: 'MH', postalCode: '411001', street: 'FC Road' },
    ],
    firstNames: ['Aarav', 'Priya', 'Vivaan', 'Ananya', 'Arjun', 'Diya', 'Rohan', 'Kavya'],
    lastNames: ['Sharma', 'Patel', 'Iyer', 'Reddy', 'Gupta', 'Nair', 'Mehta', 'Kapoor'],
    phonePrefix: '+91 80',
  },
  {
    country: 'CN',
    currency: 'CNY',
    cities: [
      { city: 'Shenzhen', region: 'Guangdong', postalCode: '518000', street: 'Shennan Road' },
      { city: 'Hangzhou', region: 'Zhejiang', postalCode: '310000', street: 'Wensan Road' },
      { city: 'Yiwu', region: 'Zhejiang', postalCode: '322000', street: 'Chouzhou Road' },
    ],
    firstNames: ['Wei', 'Xiu Ying', 'Hao', 'Mei', 'Jun', 'Lan', 'Chen', 'Yan'],
    lastNames: ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Zhao', 'Huang'],
    phonePrefix: '+86 755',
  },
  {
    country: 'BR',
    currency: 'BRL',
    cities: [
      { city: 'São Paulo', region: 'SP', postalCode: '01310-100', street: 'Avenida Paulista' },
      { city: 'Curitiba', region: 'PR', postalCode: '80020-310', street: 'Rua XV de Novembro' },
      { city: 'Recife', region: 'PE', postalCode: '50030-230', street: 'Rua da Aurora' },
    ],
    firstNames: ['Gabriel', 'Beatriz', 'Rafael', 'Larissa', 'Thiago', 'Mariana', 'Lucas', 'Júlia'],
    lastNames: ['Silva', 'Santos', 'Oliveira', 'Souza', 'Costa', 'Pereira', 'Almeida', 'Ribeiro'],
    phonePrefix: '+55 11',
  },
  {
    country: 'JP',
    currency: 'JPY',
    cities: [
      { city: 'Osaka', region: 'Osaka', postalCode: '530-0001', street: 'Umeda 1-chome' },
      { city: 'Tokyo', region: 'Tokyo', postalCode: '150-0041', street: 'Jinnan 1-chome' },
    ],
    firstNames: ['Haruto', 'Yui', 'Sota', 'Hina', 'Ren', 'Aoi', 'Kaito', 'Sakura'],
    lastNames: ['Sato', 'Suzuki', 'Takahashi', 'Tanaka', 'Watanabe', 'Ito', 'Nakamura', 'Kobayashi'],
    phonePrefix: '+81 6',
  },
  {
    country: 'ES',
    currency: 'EUR',
    cities: [
      { city: 'Valencia', postalCode: '46002', street: 'Carrer de Colón' },
      { city: 'Sevilla', postalCode: '41004', street: 'Calle Sierpes' },
    ],
    firstNames: ['Lucía', 'Mateo', 'Martina', 'Pablo', 'Sofía', 'Daniel', 'Valeria', 'Álvaro'],
    lastNames: ['García', 'Fernández', 'López', 'Martínez', 'Sánchez', 'Romero', 'Navarro', 'Torres'],
    phonePrefix: '+34 96',
  },
];

/** Approximate US dollars → currency, only to make prices look local; never used for payments. */
export const USD_RATE: Record<string, number> = {
  USD: 1,
  EUR: 0.92,
  GBP: 0.79,
  INR: 83,
  CNY: 7.2,
  BRL: 5,
  JPY: 150,
};

/** Store name parts: "<lead> <trade>", e.g. "Copper Kettle Homeware". */
export const STORE_LEADS = [
  'Copper Kettle',
  'Blue Heron',
  'Lotus',
  'Northwind',
  'Saffron',
  'Maple & Pine',
  'Ironbark',
  'Little Fox',
  'Silver Birch',
  'Golden Lantern',
  'Red Panda',
  'Tidewater',
  'Juniper',
  'Sunrise',
  'Cedar Lane',
  'Harbor Light',
  'Kiwi',
  'Bamboo Grove',
  'Starling',
  'Amber Road',
  'Wildflower',
  'Granite Peak',
  'Coral Bay',
  'Velvet Moon',
  'Orchard',
  'Urban Nomad',
  'Jade Dragon',
  'Baobab',
];
export const STORE_TRADES = [
  'Homeware',
  'Outfitters',
  'Electronics',
  'Trading Co.',
  'Goods',
  'Supply',
  'Studio',
  'Market',
  'Emporium',
  'Collective',
];

/** Brand names sellers list their products under (a few per seller). */
export const BRANDS = [
  'Aurora',
  'Kestrel',
  'Nimbus',
  'Verdant',
  'Halcyon',
  'Solace',
  'Ember',
  'Tundra',
  'Lumen',
  'Oakhurst',
  'Zephyr',
  'Pebble',
  'Vireo',
  'Cascade',
  'Nordlys',
  'Sakura',
  'Monsoon',
  'Quill',
  'Basalt',
  'Marigold',
  'Orbit',
  'Fjord',
  'Sable',
  'Tandem',
];

/** One variant axis: the attribute name and the values a product picks its variants from. */
export interface Axis {
  name: string;
  values: string[];
  /** Price multiplier per value position (a bigger size costs a little more); 1 when absent. */
  priceStep?: number;
}

const COLOR: Axis = {
  name: 'color',
  values: ['Black', 'White', 'Navy', 'Sage green', 'Charcoal', 'Sand', 'Terracotta', 'Sky blue', 'Burgundy'],
};
const APPAREL_SIZE: Axis = { name: 'size', values: ['XS', 'S', 'M', 'L', 'XL', 'XXL'] };
const SHOE_SIZE: Axis = {
  name: 'size',
  values: ['EU 38', 'EU 39', 'EU 40', 'EU 41', 'EU 42', 'EU 43', 'EU 44'],
};
const STORAGE: Axis = { name: 'capacity', values: ['64 GB', '128 GB', '256 GB', '512 GB'], priceStep: 0.25 };
const PACK: Axis = {
  name: 'pack',
  values: ['Single', 'Pack of 2', 'Pack of 4', 'Pack of 6'],
  priceStep: 0.7,
};
const VOLUME: Axis = { name: 'volume', values: ['30 ml', '50 ml', '100 ml', '200 ml'], priceStep: 0.45 };
const DIAMETER: Axis = { name: 'size', values: ['20 cm', '24 cm', '28 cm', '32 cm'], priceStep: 0.15 };
const BED: Axis = { name: 'size', values: ['Single', 'Double', 'Queen', 'King'], priceStep: 0.2 };
const FINISH: Axis = { name: 'finish', values: ['Matte', 'Gloss', 'Brushed steel', 'Walnut', 'Oak'] };

/** A leaf category: what its products are called, their variant axis, price and weight ranges. */
export interface CategorySpec {
  name: string;
  slug: string;
  nouns: string[];
  adjectives: string[];
  features: string[];
  axis: Axis;
  /** Base price range in US dollars (whole). */
  usd: [number, number];
  /** Unit weight range in grams (shipping prices by it). */
  grams: [number, number];
  materials: string[];
}

export interface RootCategorySpec {
  name: string;
  slug: string;
  children: CategorySpec[];
}

export const CATEGORIES: RootCategorySpec[] = [
  {
    name: 'Electronics',
    slug: 'electronics',
    children: [
      {
        name: 'Headphones & Audio',
        slug: 'electronics-audio',
        nouns: [
          'Wireless Earbuds',
          'Over-Ear Headphones',
          'Bluetooth Speaker',
          'Soundbar',
          'Neckband Earphones',
        ],
        adjectives: ['Noise-Cancelling', 'Studio', 'Compact', 'Waterproof', 'Hi-Fi', 'Bass Boost'],
        features: [
          '40-hour battery life',
          'USB-C fast charging',
          'multipoint pairing',
          'IPX5 sweat resistance',
        ],
        axis: COLOR,
        usd: [19, 249],
        grams: [80, 1800],
        materials: ['ABS plastic', 'aluminium', 'silicone'],
      },
      {
        name: 'Phone Accessories',
        slug: 'electronics-phone-accessories',
        nouns: [
          'Phone Case',
          'Screen Protector',
          'Power Bank',
          'Car Mount',
          'Charging Cable',
          'Wireless Charger',
        ],
        adjectives: ['Slim', 'Rugged', 'Magnetic', 'Fast-Charge', 'Shockproof', 'Braided'],
        features: ['drop-tested to 2 m', '20 W output', 'works with MagSafe', '1.5 m cable'],
        axis: COLOR,
        usd: [6, 69],
        grams: [30, 450],
        materials: ['TPU', 'tempered glass', 'nylon'],
      },
      {
        name: 'Storage & Computing',
        slug: 'electronics-storage',
        nouns: ['USB Flash Drive', 'Portable SSD', 'microSD Card', 'Laptop Stand', 'Mechanical Keyboard'],
        adjectives: ['High-Speed', 'Pocket', 'Pro', 'Ergonomic', 'Low-Profile'],
        features: [
          'read speeds up to 1,050 MB/s',
          'USB 3.2 Gen 2',
          'five-year warranty',
          'hot-swappable switches',
        ],
        axis: STORAGE,
        usd: [9, 189],
        grams: [10, 1200],
        materials: ['aluminium', 'ABS plastic'],
      },
      {
        name: 'Smart Home',
        slug: 'electronics-smart-home',
        nouns: ['Smart Plug', 'LED Light Strip', 'Video Doorbell', 'Wi-Fi Camera', 'Smart Bulb'],
        adjectives: ['Voice-Controlled', 'Dimmable', '2K', 'Energy-Monitoring', 'Outdoor'],
        features: [
          'works with Alexa and Google Home',
          'no hub required',
          'night vision',
          'schedules and timers',
        ],
        axis: PACK,
        usd: [9, 129],
        grams: [60, 900],
        materials: ['polycarbonate', 'ABS plastic'],
      },
    ],
  },
  {
    name: 'Home & Kitchen',
    slug: 'home-kitchen',
    children: [
      {
        name: 'Cookware',
        slug: 'home-kitchen-cookware',
        nouns: ['Frying Pan', 'Cast Iron Skillet', 'Saucepan', 'Wok', 'Dutch Oven'],
        adjectives: ['Non-Stick', 'Tri-Ply', 'Pre-Seasoned', 'Induction-Ready', 'Enamelled'],
        features: ['oven-safe to 260 °C', 'PFOA-free coating', 'stay-cool handle', 'dishwasher safe'],
        axis: DIAMETER,
        usd: [18, 159],
        grams: [600, 5200],
        materials: ['stainless steel', 'cast iron', 'hard-anodised aluminium'],
      },
      {
        name: 'Kitchen Tools',
        slug: 'home-kitchen-tools',
        nouns: [
          "Chef's Knife",
          'Cutting Board',
          'Pour-Over Coffee Set',
          'Spice Grinder',
          'Measuring Cup Set',
        ],
        adjectives: ['Japanese Steel', 'Bamboo', 'Precision', 'Stackable', 'Hand-Crafted'],
        features: ['20 cm blade', 'juice groove', 'ceramic burr', 'BPA-free'],
        axis: FINISH,
        usd: [8, 119],
        grams: [120, 1600],
        materials: ['bamboo', 'VG-10 steel', 'borosilicate glass'],
      },
      {
        name: 'Lighting',
        slug: 'home-kitchen-lighting',
        nouns: ['Desk Lamp', 'Floor Lamp', 'Pendant Light', 'Bedside Lamp', 'String Lights'],
        adjectives: ['Scandinavian', 'Industrial', 'Rechargeable', 'Rattan', 'Minimalist'],
        features: ['warm-white 2700 K', 'touch dimmer', 'E27 fitting', '10 m cable'],
        axis: FINISH,
        usd: [15, 189],
        grams: [300, 4800],
        materials: ['rattan', 'brushed brass', 'linen shade'],
      },
      {
        name: 'Bedding',
        slug: 'home-kitchen-bedding',
        nouns: ['Duvet Cover Set', 'Fitted Sheet', 'Weighted Blanket', 'Pillow Pair', 'Throw Blanket'],
        adjectives: ['Organic Cotton', 'Linen', 'Bamboo', 'Percale', 'Chunky Knit'],
        features: ['OEKO-TEX certified', '400 thread count', 'pre-washed softness', 'hidden zip closure'],
        axis: BED,
        usd: [22, 179],
        grams: [500, 7000],
        materials: ['organic cotton', 'French linen', 'bamboo lyocell'],
      },
    ],
  },
  {
    name: 'Fashion',
    slug: 'fashion',
    children: [
      {
        name: "Women's Clothing",
        slug: 'fashion-women',
        nouns: ['Wrap Dress', 'Linen Shirt', 'Cardigan', 'Wide-Leg Trousers', 'Rain Jacket'],
        adjectives: ['Relaxed-Fit', 'Merino', 'Oversized', 'Tailored', 'Recycled'],
        features: ['machine washable', 'side pockets', 'breathable weave', 'adjustable hood'],
        axis: APPAREL_SIZE,
        usd: [19, 149],
        grams: [150, 900],
        materials: ['linen', 'merino wool', 'organic cotton', 'recycled polyester'],
      },
      {
        name: "Men's Clothing",
        slug: 'fashion-men',
        nouns: ['Oxford Shirt', 'Chino Trousers', 'Hoodie', 'Puffer Jacket', 'Crew-Neck T-Shirt'],
        adjectives: ['Slim-Fit', 'Heavyweight', 'Organic', 'Stretch', 'Packable'],
        features: ['garment-dyed', 'YKK zips', 'reinforced seams', 'pre-shrunk'],
        axis: APPAREL_SIZE,
        usd: [15, 189],
        grams: [180, 1100],
        materials: ['cotton twill', 'loopback jersey', 'recycled nylon'],
      },
      {
        name: 'Shoes',
        slug: 'fashion-shoes',
        nouns: ['Running Shoes', 'Leather Sneakers', 'Chelsea Boots', 'Sandals', 'Trail Shoes'],
        adjectives: ['Lightweight', 'Handmade', 'Cushioned', 'Waterproof', 'Vegan'],
        features: ['recycled rubber sole', 'removable insole', 'Goodyear welted', 'breathable mesh upper'],
        axis: SHOE_SIZE,
        usd: [35, 229],
        grams: [500, 1600],
        materials: ['full-grain leather', 'knit mesh', 'suede'],
      },
      {
        name: 'Bags & Accessories',
        slug: 'fashion-bags',
        nouns: ['Backpack', 'Tote Bag', 'Crossbody Bag', 'Wallet', 'Weekender Bag'],
        adjectives: ['Roll-Top', 'Canvas', 'Anti-Theft', 'Leather', 'Minimalist'],
        features: ['fits a 15-inch laptop', 'RFID blocking', 'water-resistant', 'lifetime warranty'],
        axis: COLOR,
        usd: [12, 199],
        grams: [90, 1400],
        materials: ['waxed canvas', 'vegetable-tanned leather', 'recycled PET'],
      },
    ],
  },
  {
    name: 'Sports & Outdoors',
    slug: 'sports-outdoors',
    children: [
      {
        name: 'Camping & Hiking',
        slug: 'sports-outdoors-camping',
        nouns: ['Tent', 'Sleeping Bag', 'Trekking Poles', 'Headlamp', 'Camping Stove'],
        adjectives: ['Ultralight', '3-Season', 'Compact', 'Rechargeable', 'Four-Person'],
        features: ['packs to 2.1 kg', 'comfort rating -5 °C', '350 lumens', 'carbon-fibre shafts'],
        axis: COLOR,
        usd: [14, 349],
        grams: [90, 4500],
        materials: ['ripstop nylon', 'aluminium', 'carbon fibre'],
      },
      {
        name: 'Fitness',
        slug: 'sports-outdoors-fitness',
        nouns: ['Yoga Mat', 'Adjustable Dumbbells', 'Resistance Band Set', 'Foam Roller', 'Jump Rope'],
        adjectives: ['Non-Slip', 'Eco', 'Heavy-Duty', 'Travel', 'Weighted'],
        features: [
          '6 mm cushioning',
          'carry strap included',
          'five resistance levels',
          'ball-bearing handles',
        ],
        axis: PACK,
        usd: [9, 299],
        grams: [200, 12000],
        materials: ['natural rubber', 'TPE', 'cast iron'],
      },
      {
        name: 'Cycling',
        slug: 'sports-outdoors-cycling',
        nouns: ['Bike Light Set', 'Cycling Helmet', 'Bike Lock', 'Saddle Bag', 'Mini Pump'],
        adjectives: ['USB-Rechargeable', 'Aero', 'Heavy-Duty', 'Waterproof', 'Compact'],
        features: ['800 lumens', 'MIPS protection', 'sold secure gold', 'fits Presta and Schrader'],
        axis: COLOR,
        usd: [12, 179],
        grams: [80, 1800],
        materials: ['aluminium', 'hardened steel', 'polycarbonate'],
      },
    ],
  },
  {
    name: 'Beauty & Personal Care',
    slug: 'beauty',
    children: [
      {
        name: 'Skincare',
        slug: 'beauty-skincare',
        nouns: ['Face Serum', 'Moisturiser', 'Sunscreen SPF 50', 'Cleansing Balm', 'Eye Cream'],
        adjectives: ['Vitamin C', 'Hyaluronic', 'Fragrance-Free', 'Niacinamide', 'Overnight'],
        features: ['dermatologist tested', 'vegan formula', 'for sensitive skin', 'recyclable glass bottle'],
        axis: VOLUME,
        usd: [8, 79],
        grams: [60, 400],
        materials: ['glass', 'aluminium tube'],
      },
      {
        name: 'Fragrance',
        slug: 'beauty-fragrance',
        nouns: ['Eau de Parfum', 'Scented Candle', 'Reed Diffuser', 'Solid Perfume', 'Body Mist'],
        adjectives: ['Sandalwood', 'Citrus', 'Oud', 'Jasmine', 'Sea Salt'],
        features: ['long-lasting', 'soy wax', 'hand-poured', 'notes of bergamot and vetiver'],
        axis: VOLUME,
        usd: [12, 149],
        grams: [120, 900],
        materials: ['glass', 'soy wax'],
      },
    ],
  },
  {
    name: 'Toys & Games',
    slug: 'toys-games',
    children: [
      {
        name: 'Board Games & Puzzles',
        slug: 'toys-games-board-games',
        nouns: ['Jigsaw Puzzle', 'Strategy Board Game', 'Card Game', 'Chess Set', 'Party Game'],
        adjectives: ['1000-Piece', 'Family', 'Cooperative', 'Magnetic', 'Travel'],
        features: ['for 2-6 players', 'ages 8+', '45-minute play time', 'FSC-certified card'],
        axis: PACK,
        usd: [9, 89],
        grams: [200, 2200],
        materials: ['recycled cardboard', 'beech wood'],
      },
      {
        name: 'Building & Learning',
        slug: 'toys-games-learning',
        nouns: ['Building Blocks Set', 'Robot Kit', 'Wooden Train Set', 'Science Kit', 'Marble Run'],
        adjectives: ['STEM', 'Wooden', 'Programmable', 'Magnetic', 'Deluxe'],
        features: ['over 300 pieces', 'app-controlled', 'non-toxic paint', 'storage box included'],
        axis: PACK,
        usd: [14, 159],
        grams: [300, 3500],
        materials: ['beech wood', 'ABS plastic'],
      },
    ],
  },
  {
    name: 'Garden',
    slug: 'garden',
    children: [
      {
        name: 'Plants & Planters',
        slug: 'garden-planters',
        nouns: [
          'Ceramic Planter',
          'Self-Watering Pot',
          'Hanging Basket',
          'Raised Garden Bed',
          'Herb Garden Kit',
        ],
        adjectives: ['Glazed', 'Terracotta', 'Modular', 'Indoor', 'Cedar'],
        features: ['drainage hole and saucer', 'frost resistant', 'UV-stable finish', 'seeds included'],
        axis: DIAMETER,
        usd: [9, 139],
        grams: [400, 9000],
        materials: ['ceramic', 'terracotta', 'cedar wood'],
      },
      {
        name: 'Garden Tools',
        slug: 'garden-tools',
        nouns: ['Pruning Shears', 'Garden Hose', 'Trowel Set', 'Watering Can', 'Kneeling Pad'],
        adjectives: ['Ergonomic', 'Expandable', 'Stainless', 'Heavy-Duty', 'Galvanised'],
        features: ['SK5 steel blades', '30 m reach', 'rust-proof', 'soft-grip handles'],
        axis: COLOR,
        usd: [7, 89],
        grams: [150, 3000],
        materials: ['carbon steel', 'galvanised steel', 'recycled plastic'],
      },
    ],
  },
];

/** Sentences a description is assembled from; `{…}` are filled per product. */
export const DESCRIPTION_OPENERS = [
  'The {title} is built for everyday use and made to last.',
  'Meet the {title}: thoughtfully designed, honestly priced.',
  'Our bestselling {noun}, now in {variants}.',
  'A {adjective} {noun} our customers come back for.',
  'Designed in-house and tested by our team before it ships.',
];
