// Saved example operations the explorer opens as tabs: one tab per audience, each with the
// everyday operations of that role. Plain strings, shared by the browser bundle
// (explorer/main.tsx) and a unit spec that validates every document against the supergraph,
// so a schema change that breaks an example fails the build instead of a newcomer's first try.

export interface ExampleTab {
  /** Who the operations are for; also the placeholder in the Authorization header. */
  role: 'storefront' | 'buyer' | 'seller' | 'admin';
  query: string;
  variables: Record<string, unknown>;
}

/** `npm run seed` prints ready-to-use tokens (also in .data/demo-tokens.json). */
export const tokenPlaceholder = (role: ExampleTab['role']) => `<${role} access token from npm run seed>`;

export const EXAMPLE_TABS: ExampleTab[] = [
  {
    role: 'storefront',
    query: `# Storefront: public reads, no token needed. Pick an operation with the run button.
# Demo data: npm run seed (sellers, products, buyers; it prints tokens for the other tabs).

query StorefrontCategories {
  categories {
    id
    name
    slug
    children { id name slug }
  }
}

query StorefrontSearch($query: String!) {
  searchProducts(query: $query, first: 5, sort: RELEVANCE) {
    ... on ProductSearchResult {
      total
      products { id name slug priceRange { min { amount currency } } seller { name } }
      facets { categories { name count } }
      pageInfo { endCursor hasNextPage }
    }
    ... on ErrorResult { code message }
  }
}

query StorefrontLatest {
  products(first: 5) {
    items { id name slug seller { name } priceRange { min { amount currency } } }
    nextCursor
  }
}

query StorefrontProductPage($slug: String!) {
  productBySlug(slug: $slug) {
    id
    name
    description
    categoryPath { name slug }
    images { url alt }
    attributes { name value }
    seller { name slug rating { average count } }
    rating { average count }
    variants { id sku name price { amount currency } stock { available inStock } }
  }
}
`,
    variables: { query: 'wireless headphones', slug: 'paste-a-slug-from-the-search' },
  },
  {
    role: 'buyer',
    query: `# Buyer: put the buyer token in Headers. Money is in minor units (2499 USD = $24.99).

mutation BuyerAddToCart($sku: String!) {
  addToCart(sku: $sku, quantity: 1) {
    ... on CartPayload { cart { id itemCount subtotal { amount currency } } }
    ... on ErrorResult { code message }
  }
}

mutation BuyerApplyCoupon($code: String!) {
  applyCouponCode(code: $code) {
    ... on CartPayload { cart { id couponCodes } }
    ... on ErrorResult { code message }
  }
}

query BuyerCart {
  myCart {
    id
    currency
    lines { id sku productName variantName quantity unitPrice { amount currency } available }
    couponCodes
    pricing { subtotal { amount currency } discountTotal { amount currency } total { amount currency } }
  }
}

mutation BuyerPlaceOrder($cartId: ID!, $key: String!) {
  placeOrder(input: {
    cartId: $cartId
    idempotencyKey: $key
    paymentMethod: { provider: SANDBOX, token: "tok_sandbox_approve" }
    shippingAddress: { fullName: "Emily Carter", line1: "Congress Avenue 12", city: "Austin", region: "TX", postalCode: "78701", country: "US" }
  }) {
    ... on CheckoutPayload { checkout { id status currentStep } }
    ... on ErrorResult { code message field }
  }
}

query BuyerCheckout($checkoutId: ID!) {
  checkout(id: $checkoutId) {
    id
    status
    currentStep
    orderId
    total { amount currency }
    failure { code message step }
  }
}

query BuyerOrders {
  myOrders(first: 5) {
    nodes {
      id
      number
      status
      total { amount currency }
      subOrders { number status seller { name } lines { productName quantity total { amount } } }
    }
  }
}

query BuyerOrderByNumber($orderNumber: String!) {
  orderByNumber(number: $orderNumber) { id number status total { amount currency } }
}
`,
    variables: {
      sku: 'DEMO-01-0001-A',
      code: 'DEMO01-WELCOME10',
      cartId: 'from BuyerCart',
      key: 'explorer-order-0001',
      checkoutId: 'from BuyerPlaceOrder',
      orderNumber: 'from BuyerOrders, e.g. MP-7KQ2M4XD',
    },
  },
  {
    role: 'seller',
    query: `# Seller: put the seller token in Headers. A seller sees and changes only its own store.

query SellerStore {
  myStore { id name slug status }
  myPayoutBalance { balances { amount currency } }
}

query SellerProducts {
  myProducts(limit: 10) {
    id
    name
    status
    variants { sku name price { amount currency } stock { onHand available reserved } }
  }
}

query SellerStock {
  myStock(first: 20) {
    items { sku onHand available reserved committed }
    endCursor
    hasNextPage
  }
}

mutation SellerSetStock($sku: String!, $onHand: Int!) {
  setStock(input: { sku: $sku, onHand: $onHand }) {
    ... on StockItemPayload { stockItem { sku onHand available } }
    ... on ErrorResult { code message }
  }
}

query SellerSubOrders {
  sellerSubOrders(first: 10) {
    nodes {
      id
      number
      orderId
      status
      total { amount currency }
      lines { sku productName quantity }
      shipment { id status }
    }
  }
}

query SellerCoupons {
  myCoupons(limit: 20) { id code kind percentOff amountOff { amount currency } status redeemedCount }
}

mutation SellerCreateCoupon($code: String!) {
  createCoupon(input: { code: $code, kind: PERCENTAGE, percentOff: 15, perBuyerLimit: 1 }) {
    ... on CouponPayload { coupon { id code status } }
    ... on ErrorResult { code message field }
  }
}
`,
    variables: { sku: 'DEMO-01-0001-A', onHand: 40, code: 'DEMO01-SPRING15' },
  },
  {
    role: 'admin',
    query: `# Admin: put the admin token in Headers (npm run seed prints it; the account comes from
# ACCOUNTS_ADMIN_EMAIL / ACCOUNTS_ADMIN_PASSWORD). The same admin tools on the command line: marketplace admin.

query AdminPendingStores {
  stores(status: PENDING, first: 20) {
    ... on StoreConnection { edges { node { id name slug status createdAt } } pageInfo { hasNextPage endCursor } }
    ... on ErrorResult { code message }
  }
}

mutation AdminApproveStore($storeId: ID!) {
  approveStore(storeId: $storeId) {
    ... on StorePayload { store { id name status } }
    ... on ErrorResult { code message }
  }
}

# Messages consumers gave up on after their retries, with the reason; replay once fixed.
query AdminDeadLetters {
  deadLetters(first: 10, filter: { status: NEW }) {
    ... on DeadLetterConnection { nodes { id group code reason attempts eventType originalTopic failedAt } hasNextPage endCursor }
    ... on ErrorResult { code message }
  }
}

mutation AdminReplayDeadLetter($deadLetterId: ID!) {
  replayDeadLetter(id: $deadLetterId) {
    ... on DeadLetterPayload { deadLetter { id status replayMessageId } }
    ... on ErrorResult { code message }
  }
}

# The checkout saga of an order: every step with its outcome, in order.
query AdminCheckoutSaga($orderId: ID!) {
  checkoutByOrder(orderId: $orderId) {
    id
    status
    currentStep
    failure { code message step }
    timeline { at step event detail }
  }
}

query AdminLedger {
  ledgerBalances { balanced accounts { account currency debit credit balance } }
}

mutation AdminReconcile {
  runReconciliation {
    ... on ReconciliationPayload { report { id ranAt checked differences { paymentId field local provider } } }
    ... on ErrorResult { code message }
  }
}
`,
    variables: {
      storeId: 'from AdminPendingStores',
      deadLetterId: 'from AdminDeadLetters',
      orderId: 'from BuyerOrders',
    },
  },
];
