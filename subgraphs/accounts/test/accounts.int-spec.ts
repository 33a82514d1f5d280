import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newId } from '@marketplace/shared-kernel';
import {
  CLIENT_IP_HEADER,
  GATEWAY_SECRET_HEADER,
  signAccessToken,
  verifyAccessToken,
  type RedisStore,
} from '@marketplace/platform';
import { uniqueSuffix, useSubgraph, waitFor } from '@marketplace/platform/testing';
import { accountsUseCases } from '../src/adapters/persistence/accounts-store.js';
import { accountsService, bootstrapAdmin } from '../src/service.js';
import { STORE_STATUS } from '../src/domain/store.js';
import { USER_ROLE } from '../src/domain/user.js';
import { SESSION_END_REASON } from '../src/domain/refresh-token-family.js';

// Responses are checked field by field in the assertions, so the body stays loosely typed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type GraphQLBody = { data?: any; errors?: any[] };

const run = uniqueSuffix();
const email = (name: string) => `${name}-${run}@example.com`;
const ADMIN = { email: email('admin'), password: 'operator passphrase 2026' };
const PASSWORD = 'correct horse battery staple';

beforeAll(() => {
  process.env.ACCOUNTS_ADMIN_EMAIL = ADMIN.email;
  process.env.ACCOUNTS_ADMIN_PASSWORD = ADMIN.password;
  // Small enough to use up in a test; only requests that name a client meet it.
  process.env.ACCOUNTS_LOGIN_MAX_FAILURES_PER_CLIENT = '10';
});
const sut = useSubgraph(accountsService, { suffix: run, statements: true });
const { sql, service, statements, dbName } = sut;
/** As a signed-in client: the token accounts handed out (none: anonymous). */
const gql = (query: string, variables: object = {}, token?: string, headers: Record<string, string> = {}) =>
  sut.gql(query, variables, { as: token ? { token } : undefined, headers });

const AUTH_FIELDS = `__typename
  ... on AuthPayload { accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt
    user { id name role email store { id name slug status } } }
  ... on ErrorResult { code message field }`;
const REGISTER_BUYER = `mutation($input: RegisterBuyerInput!) { registerBuyer(input: $input) { ${AUTH_FIELDS} } }`;
const REGISTER_SELLER = `mutation($input: RegisterSellerInput!) { registerSeller(input: $input) { ${AUTH_FIELDS} } }`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { ${AUTH_FIELDS}
  ... on TooManyAttemptsError { code message retryAfterSeconds } } }`;
const REFRESH = `mutation($t: String!) { refresh(refreshToken: $t) { ${AUTH_FIELDS} } }`;
const LOGOUT = `mutation($t: String!) { logout(refreshToken: $t) {
  ... on LogoutPayload { revokedSessions } ... on ErrorResult { code } } }`;
const STORE_FIELDS = `__typename ... on StorePayload { store { id status suspensionReason version } }
  ... on ErrorResult { code message }`;
const APPROVE = `mutation($id: ID!) { approveStore(storeId: $id) { ${STORE_FIELDS} } }`;
const SUSPEND = `mutation($id: ID!, $reason: String!) { suspendStore(storeId: $id, reason: $reason) { ${STORE_FIELDS} } }`;
const REINSTATE = `mutation($id: ID!) { reinstateStore(storeId: $id) { ${STORE_FIELDS} } }`;
const ADDRESS_FIELDS = `__typename
  ... on AddressBookPayload { address { id country phone postalCode isDefault city }
    addresses { id isDefault country city } }
  ... on ErrorResult { code field }`;

const registerBuyer = async (name: string) =>
  (await gql(REGISTER_BUYER, { input: { email: email(name), password: PASSWORD, name } })).registerBuyer;
const registerSeller = async (name: string, storeSlug?: string) =>
  (
    await gql(REGISTER_SELLER, {
      input: { email: email(name), password: PASSWORD, name, storeName: `${name} store`, storeSlug },
    })
  ).registerSeller;
const login = async (address: string, password: string) =>
  (await gql(LOGIN, { input: { email: address, password } })).login;
const refresh = async (token: string) => (await gql(REFRESH, { t: token })).refresh;

const outbox = (aggregateId: string) =>
  sql<{ event_type: string; topic: string; message_key: string; envelope: { payload: object } }>(
    'select event_type, topic, message_key, envelope from outbox where message_key = ? order by seq',
    [aggregateId],
  );

let adminToken: string;

beforeAll(async () => {
  const signedIn = await login(ADMIN.email, ADMIN.password);
  expect(signedIn.__typename).toBe('AuthPayload');
  adminToken = signedIn.accessToken;
});

afterAll(async () => {
  delete process.env.ACCOUNTS_ADMIN_EMAIL;
  delete process.env.ACCOUNTS_ADMIN_PASSWORD;
  delete process.env.ACCOUNTS_LOGIN_MAX_FAILURES_PER_CLIENT;
});

describe('accounts subgraph', () => {
  it('keeps the CHECKs of roles, store statuses and session end reasons equal to the domain sets', async () => {
    expect(await sut.checkedValues('app_user', 'role')).toEqual([...USER_ROLE.values]);
    expect(await sut.checkedValues('store', 'status')).toEqual([...STORE_STATUS.values]);
    expect(await sut.checkedValues('refresh_token_family', 'revoked_reason')).toEqual([
      ...SESSION_END_REASON.values,
    ]);
  });

  describe('registration', () => {
    it('registers a buyer, signs it in and records UserRegistered without email or password', async () => {
      const result = await registerBuyer('Ada');
      expect(result).toMatchObject({
        __typename: 'AuthPayload',
        user: { name: 'Ada', role: 'BUYER', email: email('ada').toLowerCase(), store: null },
      });
      const actor = await verifyAccessToken(result.accessToken, service.config.jwtSecret);
      expect(actor).toEqual({ userId: result.user.id, role: 'buyer', sellerId: null });
      // Access tokens live 15 minutes.
      const ttl = new Date(result.accessTokenExpiresAt).getTime() - Date.now();
      expect(ttl).toBeGreaterThan(14 * 60_000);
      expect(ttl).toBeLessThanOrEqual(15 * 60_000);

      const events = await outbox(result.user.id);
      expect(events).toEqual([
        expect.objectContaining({
          event_type: 'accounts.user-registered',
          topic: 'accounts.user',
          envelope: expect.objectContaining({
            payload: { userId: result.user.id, role: 'buyer', name: 'Ada' },
          }),
        }),
        // The contact address for notifications, on its own event.
        expect.objectContaining({
          event_type: 'accounts.user-contact-changed',
          topic: 'accounts.user',
          envelope: expect.objectContaining({
            payload: { userId: result.user.id, email: result.user.email, version: 1 },
          }),
        }),
      ]);
      const [hash] = await sql<{ password_hash: string }>('select password_hash from app_user where id = ?', [
        result.user.id,
      ]);
      expect(hash!.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    });

    it('refuses a second account for the same email in any case, and bad input, writing nothing', async () => {
      await registerBuyer('Grace');
      const count = async () =>
        Number(
          (
            await sql<{ n: string }>(
              'select (select count(*) from app_user) + (select count(*) from outbox) as n',
            )
          )[0]!.n,
        );
      const before = await count();
      const cases: [object, string, string][] = [
        [{ email: email('GRACE').toUpperCase() }, 'ACCOUNT.EMAIL_TAKEN', 'email'],
        [{ email: 'no-at-sign' }, 'VALIDATION.INVALID_EMAIL', 'email'],
        [{ password: 'short' }, 'PASSWORD.TOO_SHORT', 'password'],
        [{ password: 'password123' }, 'PASSWORD.TOO_COMMON', 'password'],
        [{ name: ' ' }, 'VALIDATION.TOO_SHORT', 'name'],
      ];
      for (const [over, code, field] of cases) {
        const input = { email: email('grace2'), password: PASSWORD, name: 'Grace', ...over };
        expect((await gql(REGISTER_BUYER, { input })).registerBuyer).toMatchObject({
          __typename: 'ErrorResult',
          code,
          field,
        });
      }
      expect(await count()).toBe(before);
    });

    it('lets exactly one of several simultaneous registrations of one email through', async () => {
      // Enough at once that some pass the use case's check together and meet the unique index.
      const input = { email: email('twin'), password: PASSWORD, name: 'Twin' };
      const results = await Promise.all(Array.from({ length: 8 }, () => gql(REGISTER_BUYER, { input })));
      const outcomes = results.map((r) => r.registerBuyer.code ?? r.registerBuyer.__typename);
      expect(outcomes.filter((o) => o === 'AuthPayload')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'ACCOUNT.EMAIL_TAKEN')).toHaveLength(7);
      expect(await sql('select 1 from app_user where email = ?', [email('twin').toLowerCase()])).toHaveLength(
        1,
      );
    });

    it('registers a seller with a PENDING store; its token carries the store id as seller id', async () => {
      const result = await registerSeller('Linus', 'Linus-Tools');
      expect(result).toMatchObject({
        __typename: 'AuthPayload',
        user: { role: 'SELLER', store: { name: 'Linus store', slug: 'linus-tools', status: 'PENDING' } },
      });
      const storeId = result.user.store.id;
      expect(await verifyAccessToken(result.accessToken, service.config.jwtSecret)).toEqual({
        userId: result.user.id,
        role: 'seller',
        sellerId: storeId,
      });
      expect((await gql('{ myStore { id ownerUserId status } }', {}, result.accessToken)).myStore).toEqual({
        id: storeId,
        ownerUserId: result.user.id,
        status: 'PENDING',
      });
      expect((await outbox(storeId)).map((e) => [e.event_type, e.topic, e.envelope.payload])).toEqual([
        [
          'accounts.store-registered',
          'accounts.store',
          {
            sellerId: storeId,
            ownerUserId: result.user.id,
            name: 'Linus store',
            slug: 'linus-tools',
            status: 'PENDING',
            version: 1,
          },
        ],
      ]);
      expect((await outbox(result.user.id)).map((e) => e.envelope.payload)).toEqual([
        { userId: result.user.id, role: 'seller', name: 'Linus' },
        { userId: result.user.id, email: result.user.email, version: 1 },
      ]);

      // The slug is unique; a clash leaves neither a user nor a store behind.
      const clash = await gql(REGISTER_SELLER, {
        input: {
          email: email('other'),
          password: PASSWORD,
          name: 'Other',
          storeName: 'X',
          storeSlug: 'linus-tools',
        },
      });
      expect(clash.registerSeller).toMatchObject({ code: 'VALIDATION.TOO_SHORT', field: 'storeName' });
      const taken = await gql(REGISTER_SELLER, {
        input: {
          email: email('other'),
          password: PASSWORD,
          name: 'Other',
          storeName: 'Other',
          storeSlug: 'linus-tools',
        },
      });
      expect(taken.registerSeller).toMatchObject({ code: 'STORE.SLUG_TAKEN', field: 'storeSlug' });
      expect(await sql('select 1 from app_user where email = ?', [email('other').toLowerCase()])).toEqual([]);
    });

    it('has no way to register an admin', async () => {
      const res = await fetch(service.server.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [GATEWAY_SECRET_HEADER]: service.config.gatewaySecret,
        },
        body: JSON.stringify({
          query: `mutation { registerBuyer(input: { email: "x@example.com", password: "${PASSWORD}", name: "x", role: ADMIN }) { __typename } }`,
        }),
      });
      expect(((await res.json()) as GraphQLBody).errors?.[0]?.extensions?.code).toBe(
        'GRAPHQL_VALIDATION_FAILED',
      );
    });
  });

  describe('admin bootstrap', () => {
    it('created exactly one admin at start and is idempotent', async () => {
      await bootstrapAdmin(service);
      const admins = await sql<{ id: string; role: string; version: number }>(
        'select id, role, version from app_user where email = ?',
        [ADMIN.email],
      );
      expect(admins).toEqual([expect.objectContaining({ role: 'admin', version: 1 })]);
      expect((await outbox(admins[0]!.id)).map((e) => e.envelope.payload)).toEqual([
        { userId: admins[0]!.id, role: 'admin', name: 'Administrator' },
        { userId: admins[0]!.id, email: ADMIN.email, version: 1 },
      ]);
    });

    it('updates the admin’s password through the create-admin CLI', async () => {
      const newPassword = 'rotated operator passphrase';
      await promisify(execFile)(
        process.execPath,
        [new URL('../dist/create-admin.js', import.meta.url).pathname],
        {
          env: {
            ...process.env,
            ACCOUNTS_DB: dbName,
            ACCOUNTS_ADMIN_EMAIL: ADMIN.email.toUpperCase(),
            ACCOUNTS_ADMIN_PASSWORD: newPassword,
            LOG_LEVEL: 'fatal',
          },
        },
      );
      expect((await login(ADMIN.email, ADMIN.password)).code).toBe('AUTH.INVALID_CREDENTIALS');
      const signedIn = await login(ADMIN.email, newPassword);
      expect(signedIn.user.role).toBe('ADMIN');
      adminToken = signedIn.accessToken;
      expect(await sql('select 1 from app_user where role = ?', ['admin'])).toHaveLength(1);
    });

    it('refuses to turn an existing buyer into an admin', async () => {
      await registerBuyer('Mallory');
      process.env.ACCOUNTS_ADMIN_EMAIL = email('mallory');
      try {
        await expect(bootstrapAdmin(service)).rejects.toThrow(/ACCOUNT\.EMAIL_TAKEN/);
      } finally {
        process.env.ACCOUNTS_ADMIN_EMAIL = ADMIN.email;
      }
      expect(
        await sql('select role from app_user where email = ?', [email('mallory').toLowerCase()]),
      ).toEqual([{ role: 'buyer' }]);
    });
  });

  describe('login', () => {
    it('signs in with the right password, whatever the email’s case', async () => {
      const registered = await registerBuyer('Barbara');
      const result = await login(`  ${email('BARBARA').toUpperCase()} `, PASSWORD);
      expect(result).toMatchObject({ __typename: 'AuthPayload', user: { id: registered.user.id } });
    });

    it('answers a wrong password and an unknown email the same way', async () => {
      await registerBuyer('Edsger');
      const wrong = await login(email('edsger'), 'wrong password entirely');
      const unknown = await login(email('nobody'), 'wrong password entirely');
      expect(wrong).toEqual({
        __typename: 'ErrorResult',
        code: 'AUTH.INVALID_CREDENTIALS',
        message: 'Email or password is wrong',
        field: null,
      });
      expect(unknown).toEqual(wrong);
    });

    it('throttles after 5 failures per email, even for the right password, and a success resets the count', async () => {
      await registerBuyer('Alan');
      // Four failures, then a success: the count starts again.
      for (let i = 0; i < 4; i++)
        expect((await login(email('alan'), 'not the password')).code).toBe('AUTH.INVALID_CREDENTIALS');
      expect((await login(email('alan'), PASSWORD)).__typename).toBe('AuthPayload');
      for (let i = 0; i < 5; i++)
        expect((await login(email('alan'), 'not the password')).code).toBe('AUTH.INVALID_CREDENTIALS');
      const blocked = await login(email('alan'), PASSWORD);
      expect(blocked).toMatchObject({ __typename: 'TooManyAttemptsError', code: 'AUTH.TOO_MANY_ATTEMPTS' });
      expect(blocked.retryAfterSeconds).toBeGreaterThan(800);
      expect(blocked.retryAfterSeconds).toBeLessThanOrEqual(900);
      // Unknown emails are counted too, so throttling does not reveal which accounts exist.
      for (let i = 0; i < 5; i++) await login(email('ghost'), 'not the password');
      expect((await login(email('ghost'), 'not the password')).code).toBe('AUTH.TOO_MANY_ATTEMPTS');
      // Nothing about the email is stored in Redis in clear.
      expect(await (service.store as RedisStore).client.keys(`*${email('alan')}*`)).toEqual([]);
    });

    it('counts simultaneous guesses before checking them: 5 of 20 reach the password check', async () => {
      const { user } = await registerBuyer('Kurt');
      const results = await Promise.all(
        Array.from({ length: 20 }, () => login(email('kurt'), 'not the password')),
      );
      // Each attempt is counted atomically before its check: exactly the allowance is checked.
      const codes = results.map((r) => r.code).sort();
      expect(codes).toEqual([
        ...Array<string>(5).fill('AUTH.INVALID_CREDENTIALS'),
        ...Array<string>(15).fill('AUTH.TOO_MANY_ATTEMPTS'),
      ]);
      // The guesses used the allowance up: the right password waits as well.
      expect(await login(email('kurt'), PASSWORD)).toMatchObject({ code: 'AUTH.TOO_MANY_ATTEMPTS' });
      // Only the session from the registration exists.
      expect(await sql('select 1 from refresh_token_family where user_id = ?', [user.id])).toHaveLength(1);
    });

    it('counts a client’s failures across emails, not its successes, and spares the emails it was refused for', async () => {
      await registerBuyer('Radia');
      const headers = { [CLIENT_IP_HEADER]: `198.51.100.7/${run}` };
      const fromClient = async (address: string, password: string) =>
        (await gql(LOGIN, { input: { email: address, password } }, undefined, headers)).login;
      // More successes than the client's allowance (10 in this test) do not use it up.
      for (let i = 0; i < 12; i++)
        expect((await fromClient(email('radia'), PASSWORD)).__typename).toBe('AuthPayload');
      // Failures across many emails do, also when they arrive at once.
      const results = await Promise.all(
        Array.from({ length: 14 }, (_, i) => fromClient(email(`spray${i}`), 'not the password')),
      );
      expect(results.map((r) => r.code).sort()).toEqual([
        ...Array<string>(10).fill('AUTH.INVALID_CREDENTIALS'),
        ...Array<string>(4).fill('AUTH.TOO_MANY_ATTEMPTS'),
      ]);
      // The client is refused now, even with a right password (the README explains why).
      const refused = await fromClient(email('radia'), PASSWORD);
      expect(refused).toMatchObject({ code: 'AUTH.TOO_MANY_ATTEMPTS' });
      expect(refused.retryAfterSeconds).toBeGreaterThan(800);
      // Elsewhere the account signs in as usual.
      expect((await login(email('radia'), PASSWORD)).__typename).toBe('AuthPayload');
      // Attempts refused for the client did not count against the email: spray0 has had
      // one failure, so four more are checked before its own limit of 5 refuses.
      expect((await fromClient(email('spray0'), 'not the password')).code).toBe('AUTH.TOO_MANY_ATTEMPTS');
      for (let i = 0; i < 4; i++)
        expect((await login(email('spray0'), 'not the password')).code).toBe('AUTH.INVALID_CREDENTIALS');
      expect((await login(email('spray0'), 'not the password')).code).toBe('AUTH.TOO_MANY_ATTEMPTS');
    });
  });

  describe('registration throttle', () => {
    it('registers 8 accounts per client address within a minute, refuses the rest of a burst, and counts only accounts created', async () => {
      const client = `203.0.113.9/${run}`;
      const headers = { [CLIENT_IP_HEADER]: client };
      const register = async (name: string, token?: string) =>
        (
          await gql(
            REGISTER_BUYER,
            { input: { email: email(name), password: PASSWORD, name } },
            token,
            headers,
          )
        ).registerBuyer;
      await registerBuyer('Taken');
      // A registration that creates nothing (email taken) does not use the allowance up.
      expect(await register('Taken')).toMatchObject({ code: 'ACCOUNT.EMAIL_TAKEN' });
      // Ten at once, as the hoarding attack sent them: the allowance of 8 is created, the rest refused.
      const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => register(`hoard${i}`)));
      expect(burst.filter((r) => r.__typename === 'AuthPayload')).toHaveLength(8);
      expect(burst.filter((r) => r.code === 'AUTH.TOO_MANY_ATTEMPTS')).toHaveLength(2);

      const refused = await register('hoard10');
      expect(refused).toMatchObject({ __typename: 'ErrorResult', code: 'AUTH.TOO_MANY_ATTEMPTS' });
      expect(refused.message).toMatch(/try again in \d+ seconds/);
      expect(await sql('select 1 from app_user where email = ?', [email('hoard10').toLowerCase()])).toEqual(
        [],
      );
      // Another address registers as usual; an admin (the demo seeder) is not counted.
      const elsewhere = await gql(
        REGISTER_BUYER,
        { input: { email: email('Elsewhere'), password: PASSWORD, name: 'Elsewhere' } },
        undefined,
        { [CLIENT_IP_HEADER]: `198.51.100.7/${run}` },
      );
      expect(elsewhere.registerBuyer.__typename).toBe('AuthPayload');
      expect((await register('ByAdmin', adminToken)).__typename).toBe('AuthPayload');
    });
  });

  describe('refresh tokens', () => {
    it('rotates: a refresh gives a new pair and retires the old refresh token', async () => {
      const { user } = await registerBuyer('Donald');
      const first = await login(email('donald'), PASSWORD);
      const second = await refresh(first.refreshToken);
      expect(second).toMatchObject({ __typename: 'AuthPayload', user: { id: user.id } });
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect((await verifyAccessToken(second.accessToken, service.config.jwtSecret)).userId).toBe(user.id);
      const third = await refresh(second.refreshToken);
      expect(third.__typename).toBe('AuthPayload');
      // Only hashes are stored.
      expect(
        await sql('select 1 from refresh_token where token_hash in (?, ?)', [
          first.refreshToken,
          third.refreshToken,
        ]),
      ).toEqual([]);
    });

    it('treats reuse of a retired token as theft and revokes the whole family', async () => {
      await registerBuyer('Barbara2');
      const first = await login(email('barbara2'), PASSWORD);
      const other = await login(email('barbara2'), PASSWORD);
      const second = await refresh(first.refreshToken);
      // The attacker replays the stolen, already used token.
      expect(await refresh(first.refreshToken)).toMatchObject({
        __typename: 'ErrorResult',
        code: 'AUTH.REFRESH_TOKEN_REUSED',
      });
      // The legitimate holder's newer token is dead too: everyone in that session signs in again.
      expect((await refresh(second.refreshToken)).code).toBe('AUTH.REFRESH_TOKEN_REVOKED');
      // Another session of the same user is not affected.
      expect((await refresh(other.refreshToken)).__typename).toBe('AuthPayload');
      const families = await sql<{ revoked_reason: string | null }>(
        `select f.revoked_reason from refresh_token_family f join app_user u on u.id = f.user_id
          where u.email = ? order by f.created_at`,
        [email('barbara2').toLowerCase()],
      );
      // Registration's own session, the stolen one, and the other login.
      expect(families.map((f) => f.revoked_reason)).toEqual([null, 'REUSE_DETECTED', null]);
      expect((await refresh('not-a-token-we-issued')).code).toBe('AUTH.REFRESH_TOKEN_INVALID');
    });

    it('logout ends the current session; logoutEverywhere ends all of them', async () => {
      await registerBuyer('Niklaus');
      const a = await login(email('niklaus'), PASSWORD);
      const b = await login(email('niklaus'), PASSWORD);
      const c = await login(email('niklaus'), PASSWORD);
      expect((await gql(LOGOUT, { t: a.refreshToken })).logout).toEqual({ revokedSessions: 1 });
      expect((await gql(LOGOUT, { t: a.refreshToken })).logout).toEqual({ revokedSessions: 0 });
      expect((await refresh(a.refreshToken)).code).toBe('AUTH.REFRESH_TOKEN_REVOKED');
      expect((await refresh(b.refreshToken)).__typename).toBe('AuthPayload');

      const everywhere = `mutation { logoutEverywhere { ... on LogoutPayload { revokedSessions } ... on ErrorResult { code } } }`;
      expect((await gql(everywhere)).logoutEverywhere).toEqual({ code: 'AUTH.UNAUTHENTICATED' });
      // Left: the session registration opened, b's (rotated above, still one session) and c's.
      expect((await gql(everywhere, {}, c.accessToken)).logoutEverywhere).toEqual({ revokedSessions: 3 });
      expect((await refresh(c.refreshToken)).code).toBe('AUTH.REFRESH_TOKEN_REVOKED');
    });
  });

  describe('stores', () => {
    it('lets only admins approve, suspend and reinstate, following the state machine', async () => {
      const seller = await registerSeller('Barbara3');
      const buyer = await registerBuyer('Frances');
      const storeId = seller.user.store.id;
      for (const token of [seller.accessToken, buyer.accessToken]) {
        expect((await gql(APPROVE, { id: storeId }, token)).approveStore).toMatchObject({
          code: 'AUTH.FORBIDDEN',
        });
      }
      expect((await gql(APPROVE, { id: storeId })).approveStore.code).toBe('AUTH.UNAUTHENTICATED');
      expect((await gql(APPROVE, { id: newId() }, adminToken)).approveStore.code).toBe('STORE.NOT_FOUND');
      expect((await gql(APPROVE, { id: 'nope' }, adminToken)).approveStore.code).toBe(
        'VALIDATION.MALFORMED_ID',
      );
      expect((await gql(REINSTATE, { id: storeId }, adminToken)).reinstateStore.code).toBe(
        'STORE.INVALID_TRANSITION',
      );

      expect((await gql(APPROVE, { id: storeId }, adminToken)).approveStore).toMatchObject({
        store: { status: 'ACTIVE', version: 2 },
      });
      expect((await gql(APPROVE, { id: storeId }, adminToken)).approveStore.code).toBe(
        'STORE.INVALID_TRANSITION',
      );
      expect((await gql(SUSPEND, { id: storeId, reason: 'x' }, adminToken)).suspendStore.code).toBe(
        'VALIDATION.TOO_SHORT',
      );
      expect(
        (await gql(SUSPEND, { id: storeId, reason: 'Counterfeit goods' }, seller.accessToken)).suspendStore
          .code,
      ).toBe('AUTH.FORBIDDEN');
      expect(
        (await gql(SUSPEND, { id: storeId, reason: 'Counterfeit goods' }, adminToken)).suspendStore,
      ).toMatchObject({
        store: { status: 'SUSPENDED', suspensionReason: 'Counterfeit goods', version: 3 },
      });
      expect((await gql(REINSTATE, { id: storeId }, adminToken)).reinstateStore).toMatchObject({
        store: { status: 'ACTIVE', suspensionReason: null, version: 4 },
      });

      const base = {
        sellerId: storeId,
        ownerUserId: seller.user.id,
        name: 'Barbara3 store',
        slug: 'barbara3-store',
      };
      expect((await outbox(storeId)).map((e) => [e.event_type, e.envelope.payload])).toEqual([
        ['accounts.store-registered', { ...base, status: 'PENDING', version: 1 }],
        [
          'accounts.store-status-changed',
          { ...base, status: 'ACTIVE', previousStatus: 'PENDING', version: 2 },
        ],
        [
          'accounts.store-status-changed',
          { ...base, status: 'SUSPENDED', previousStatus: 'ACTIVE', version: 3, reason: 'Counterfeit goods' },
        ],
        [
          'accounts.store-status-changed',
          { ...base, status: 'ACTIVE', previousStatus: 'SUSPENDED', version: 4 },
        ],
      ]);
      // Keyed by the seller id, and relayed to Kafka.
      await waitFor(
        async () =>
          (
            await sql<{ n: string }>(
              'select count(*) as n from outbox where message_key = ? and sent_at is null',
              [storeId],
            )
          )[0]!.n === '0',
        15_000,
      );
    });

    it('lists stores for admins only, by status, a page at a time', async () => {
      const pending = [
        await registerSeller('Page1'),
        await registerSeller('Page2'),
        await registerSeller('Page3'),
      ].map((r) => r.user.store.id as string);
      const STORES = `query($status: StoreStatus, $first: Int!, $after: String) {
        stores(status: $status, first: $first, after: $after) {
          __typename ... on StoreConnection { edges { cursor node { id status } } pageInfo { hasNextPage endCursor } }
          ... on ErrorResult { code field } } }`;
      const seller = await login(email('page1'), PASSWORD);
      expect((await gql(STORES, { first: 5 }, seller.accessToken)).stores).toEqual({
        __typename: 'ErrorResult',
        code: 'AUTH.FORBIDDEN',
        field: null,
      });
      const ids: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: GraphQLBody['data'] = (
          await gql(STORES, { status: 'PENDING', first: 2, after }, adminToken)
        ).stores;
        expect(page.edges.length).toBeLessThanOrEqual(2);
        ids.push(
          ...page.edges.map((e: { node: { id: string; status: string } }) => {
            expect(e.node.status).toBe('PENDING');
            return e.node.id;
          }),
        );
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(ids).toEqual(expect.arrayContaining(pending));
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort()).toEqual(ids);
      expect((await gql(STORES, { first: 2, after: 'garbage' }, adminToken)).stores.code).toBe(
        'VALIDATION.INVALID_CURSOR',
      );
      expect((await gql(STORES, { first: 500 }, adminToken)).stores.code).toBe('VALIDATION.OUT_OF_RANGE');
    });

    it('shows a seller only its own store, also through _entities', async () => {
      const a = await registerSeller('Owner-a');
      const b = await registerSeller('Owner-b');
      const storeA = a.user.store.id;
      expect((await gql('{ myStore { id } }', {}, b.accessToken)).myStore).toEqual({ id: b.user.store.id });
      const buyer = await registerBuyer('Viewer');
      expect((await gql('{ myStore { id } }', {}, buyer.accessToken)).myStore).toBeNull();

      const sellerEntity = `{ _entities(representations: [{ __typename: "Seller", id: "${storeA}" }]) {
        ... on Seller { id name slug status } } }`;
      // Pending: only its own seller and admins see it.
      expect((await gql(sellerEntity, {}, b.accessToken))._entities).toEqual([null]);
      expect((await gql(sellerEntity))._entities).toEqual([null]);
      expect((await gql(sellerEntity, {}, a.accessToken))._entities[0]).toMatchObject({
        id: storeA,
        status: 'PENDING',
      });
      await gql(APPROVE, { id: storeA }, adminToken);
      expect((await gql(sellerEntity, {}, buyer.accessToken))._entities).toEqual([
        { id: storeA, name: 'Owner-a store', slug: 'owner-a-store', status: 'ACTIVE' },
      ]);

      // Another user's account shows its name, not its email or store.
      const userEntity = `{ _entities(representations: [{ __typename: "User", id: "${a.user.id}" }]) {
        ... on User { id name email store { id } addresses { id } } } }`;
      expect((await gql(userEntity, {}, b.accessToken))._entities).toEqual([
        { id: a.user.id, name: 'Owner-a', email: null, store: null, addresses: null },
      ]);
      expect((await gql(userEntity, {}, a.accessToken))._entities[0]).toMatchObject({
        email: email('owner-a').toLowerCase(),
        store: { id: storeA },
        addresses: [],
      });
      expect((await gql(userEntity, {}, adminToken))._entities[0]).toMatchObject({
        email: email('owner-a').toLowerCase(),
        store: { id: storeA },
        addresses: null,
      });
    });

    it('resolves N Seller and N User representations with one SQL query each', async () => {
      const sellers = [];
      for (let i = 0; i < 5; i++) sellers.push(await registerSeller(`Batch${i}`));
      for (const s of sellers) await gql(APPROVE, { id: s.user.store.id }, adminToken);
      const reps = [
        ...sellers.map((s) => `{ __typename: "Seller", id: "${s.user.store.id}" }`),
        ...sellers.map((s) => `{ __typename: "User", id: "${s.user.id}" }`),
        `{ __typename: "Seller", id: "${newId()}" }`,
        `{ __typename: "User", id: "not-a-uuid" }`,
      ].join(', ');
      const query = `{ _entities(representations: [${reps}]) { ... on Seller { id name } ... on User { id name } } }`;
      // A token signed directly: the admin session is not under test here.
      const token = await signAccessToken(
        { userId: newId(), role: 'buyer', sellerId: null },
        service.config.jwtSecret,
      );

      statements.length = 0;
      const entities = (await gql(query, {}, token))._entities;
      expect(entities.slice(0, 5).map((e: { id: string }) => e.id)).toEqual(
        sellers.map((s) => s.user.store.id),
      );
      expect(entities.slice(5, 10).map((e: { id: string }) => e.id)).toEqual(sellers.map((s) => s.user.id));
      expect(entities.slice(10)).toEqual([null, null]);
      const selects = statements.filter((s) => /\bselect\b/i.test(s));
      expect(selects.filter((s) => /from "store"/.test(s))).toHaveLength(1);
      expect(selects.filter((s) => /from "app_user"/.test(s))).toHaveLength(1);
      // Nothing else (the outbox relay polls on its own connection meanwhile).
      expect(selects.filter((s) => !/\boutbox\b/.test(s))).toHaveLength(2);
    });
  });

  describe('addresses', () => {
    const ADD = `mutation($input: AddressInput!) { addAddress(input: $input) { ${ADDRESS_FIELDS} } }`;
    const UPDATE = `mutation($input: UpdateAddressInput!) { updateAddress(input: $input) { ${ADDRESS_FIELDS} } }`;
    const REMOVE = `mutation($id: ID!) { removeAddress(addressId: $id) { ${ADDRESS_FIELDS} } }`;
    const SET_DEFAULT = `mutation($id: ID!) { setDefaultAddress(addressId: $id) { ${ADDRESS_FIELDS} } }`;
    const home = {
      label: 'Home',
      recipientName: 'Ada',
      line1: 'Unter den Linden 1',
      city: 'Berlin',
      postalCode: '10117',
      country: 'de',
      phone: '+49 30 123456',
    };

    it('adds, updates, sets the default and removes; bad input changes nothing', async () => {
      const { accessToken: token, user } = await registerBuyer('Hedy');
      const book = async () =>
        (
          await sql<{ version: number; entries: unknown[] }>(
            'select version, entries from address_book where user_id = ?',
            [user.id],
          )
        )[0];

      expect((await gql(ADD, { input: home })).addAddress.code).toBe('AUTH.UNAUTHENTICATED');
      // A rejected first address does not even leave an empty book behind.
      expect((await gql(ADD, { input: { ...home, country: 'XX' } }, token)).addAddress).toMatchObject({
        code: 'ADDRESS.INVALID_COUNTRY',
        field: 'country',
      });
      expect(await book()).toBeUndefined();

      const first = (await gql(ADD, { input: home }, token)).addAddress;
      expect(first.address).toMatchObject({ country: 'DE', phone: '+4930123456', isDefault: true });
      const second = (
        await gql(ADD, { input: { ...home, label: 'Work', city: 'Hamburg', makeDefault: true } }, token)
      ).addAddress;
      expect(second.addresses.map((a: { isDefault: boolean }) => a.isDefault)).toEqual([false, true]);

      const before = await book();
      for (const [input, code, field] of [
        [{ addressId: first.address.id, country: 'Germany' }, 'ADDRESS.INVALID_COUNTRY', 'country'],
        [{ addressId: first.address.id, phone: '12345' }, 'ADDRESS.INVALID_PHONE', 'phone'],
        [{ addressId: first.address.id, postalCode: '@@' }, 'ADDRESS.INVALID_POSTAL_CODE', 'postalCode'],
        [{ addressId: first.address.id, line1: null }, 'VALIDATION.TOO_SHORT', 'line1'],
        [{ addressId: newId(), city: 'Bonn' }, 'ADDRESS.NOT_FOUND', 'addressId'],
        [{ addressId: 'x', city: 'Bonn' }, 'VALIDATION.MALFORMED_ID', 'addressId'],
      ] as const) {
        expect((await gql(UPDATE, { input }, token)).updateAddress).toMatchObject({ code, field });
      }
      expect(await book()).toEqual(before);

      const updated = (
        await gql(UPDATE, { input: { addressId: first.address.id, city: 'Potsdam', phone: null } }, token)
      ).updateAddress;
      expect(updated.address).toMatchObject({
        id: first.address.id,
        city: 'Potsdam',
        phone: null,
        postalCode: '10117',
      });

      expect(
        (await gql(SET_DEFAULT, { id: first.address.id }, token)).setDefaultAddress.address.isDefault,
      ).toBe(true);
      // Removing the default hands it to the remaining address.
      const removed = (await gql(REMOVE, { id: first.address.id }, token)).removeAddress;
      expect(removed).toMatchObject({
        address: null,
        addresses: [{ id: second.address.id, isDefault: true }],
      });

      // Another user cannot touch this book: the id is simply not in theirs.
      const other = await registerBuyer('Intruder');
      expect((await gql(REMOVE, { id: second.address.id }, other.accessToken)).removeAddress.code).toBe(
        'ADDRESS.NOT_FOUND',
      );

      expect(
        (await gql('{ me { id email name role store { id } addresses { id city isDefault } } }', {}, token))
          .me,
      ).toEqual({
        id: user.id,
        email: email('hedy').toLowerCase(),
        name: 'Hedy',
        role: 'BUYER',
        store: null,
        addresses: [{ id: second.address.id, city: 'Hamburg', isDefault: true }],
      });
      expect((await gql('{ me { id } }')).me).toBeNull();
      // Addresses never travel in events.
      expect(await sql(`select 1 from outbox where envelope::text like '%Linden%'`)).toEqual([]);
    });

    it('keeps every one of several simultaneous first addresses, in one book with one default', async () => {
      const { accessToken: token, user } = await registerBuyer('Emmy');
      const cities = ['Erlangen', 'Göttingen', 'Bryn Mawr', 'Berlin', 'Hamburg', 'Bonn'];
      const results = await Promise.all(
        cities.map((city) => gql(ADD, { input: { ...home, city } }, token).then((d) => d.addAddress)),
      );
      expect(results.map((r) => r.__typename)).toEqual(cities.map(() => 'AddressBookPayload'));
      const [book] = await sql<{ version: number; entries: { city: string }[]; default_id: string }>(
        'select version, entries, default_id from address_book where user_id = ?',
        [user.id],
      );
      expect(book!.entries.map((e) => e.city).sort()).toEqual([...cities].sort());
      expect(book!.version).toBe(cities.length);
      // The first one to commit became the default, and every later answer saw it.
      const defaults = results.map(
        (r) => r.addresses.find((a: { isDefault: boolean }) => a.isDefault).id as string,
      );
      expect(new Set(defaults)).toEqual(new Set([book!.default_id]));
    });

    it('creates one book when first changes race in the repository itself, without the user lock', async () => {
      const { user } = await registerBuyer('Lise');
      const cities = ['Vienna', 'Berlin', 'Stockholm', 'Cambridge'];
      // Each transaction holds its book until all have one (or 300 ms passed): a repository
      // that hands out a new book to each would make all but one commit hit the primary key.
      let holding = 0;
      const together = async () => {
        holding += 1;
        const started = Date.now();
        while (holding < cities.length && Date.now() - started < 300)
          await new Promise((resolve) => setTimeout(resolve, 10));
      };
      const uc = accountsUseCases().bind(service);
      const results = await Promise.all(
        cities.map((city) =>
          uc.forJob().transaction(async (tx) => {
            const book = await tx.addressBooks.ofUserForUpdate(user.id);
            await together();
            return book.add({ ...home, city }, false, new Date());
          }),
        ),
      );
      expect(results.map((r) => r.ok)).toEqual(cities.map(() => true));
      const [book] = await sql<{ entries: { city: string }[] }>(
        'select entries from address_book where user_id = ?',
        [user.id],
      );
      expect(book!.entries.map((e) => e.city).sort()).toEqual([...cities].sort());
    });
  });
});
