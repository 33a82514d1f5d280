import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type Browser } from 'playwright-core';
import { startMarketplace, uniqueSuffix, type Marketplace } from '@marketplace/platform/testing';
import { journey } from './journey.js';

// The explorer in a real browser: the bundled GraphiQL loads from the gateway alone (no CDN),
// opens the saved example tabs, and a query run from the page comes back into the result pane.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const suffix = uniqueSuffix();
const word = suffix.replace(/[^a-z0-9]/gi, '').toLowerCase();
const admin = { email: `admin-${word}@e2e.example.com`, password: 'Explorer-admin-passphrase-42' };
let market: Marketplace;
let browser: Browser;
const { login, createCategory } = journey(() => market.gatewayUrl, word);

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);
  market = await startMarketplace(suffix, {
    ACCOUNTS_ADMIN_EMAIL: admin.email,
    ACCOUNTS_ADMIN_PASSWORD: admin.password,
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await market?.stop();
});

describe('the schema explorer', () => {
  it('opens the saved buyer, seller and admin examples and runs a query into the result pane', async () => {
    await createCategory('Explorer lamps', await login(admin.email, admin.password));
    const page = await browser.newPage();
    const outside: string[] = [];
    const origin = new URL(market.gatewayUrl).origin;
    page.on('request', (request) => {
      if (!request.url().startsWith(origin) && !request.url().startsWith('data:'))
        outside.push(request.url());
    });
    // The explorer's own schema query (introspection) and the run must both be answered.
    const refused: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) refused.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(`${origin}/explorer`);

    // One saved tab per audience, titled by its first operation.
    const tabs = page.locator('.graphiql-tab');
    await tabs.first().waitFor({ timeout: 30_000 });
    expect(await tabs.allInnerTexts()).toEqual([
      expect.stringContaining('StorefrontCategories'),
      expect.stringContaining('BuyerAddToCart'),
      expect.stringContaining('SellerStore'),
      expect.stringContaining('AdminPendingStores'),
    ]);

    // The storefront tab holds several operations: the run button asks which one.
    await page.locator('.graphiql-execute-button').click();
    const item = page.getByRole('menuitem', { name: 'StorefrontCategories' });
    if (await item.isVisible({ timeout: 3_000 }).catch(() => false)) await item.click();

    const result = page.locator('.result-window');
    await result.getByText(`Explorer lamps ${word}`).waitFor({ timeout: 30_000 });
    const text = await result.innerText();
    expect(text).toContain('"categories"');
    expect(text).toContain(`explorer-lamps-${word}`);
    expect(text).not.toContain('"errors"');
    // Everything came from the gateway: the machine may have no internet access.
    expect(outside).toEqual([]);
    expect(refused).toEqual([]);
  });
});
