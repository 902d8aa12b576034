// Drives the connection API through the unmodified @trpc/client (httpLink, no transformer), the way
// the dashboard does. Run by TrpcClientEndToEndTest against the local cloud; needs
// API_URL, ADMIN_TOKEN, MEMBER_TOKEN and SANDBOX_KEY in the environment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';

const { API_URL, ADMIN_TOKEN, MEMBER_TOKEN, SANDBOX_KEY } = process.env;
for (const [name, value] of Object.entries({ API_URL, ADMIN_TOKEN, MEMBER_TOKEN, SANDBOX_KEY })) {
  if (!value) throw new Error(`${name} is not set`);
}

const clientWith = (token) => createTRPCClient({
  links: [httpLink({ url: `${API_URL}/trpc`, headers: () => ({ authorization: `Bearer ${token}` }) })],
});
const admin = clientWith(ADMIN_TOKEN);
const member = clientWith(MEMBER_TOKEN);

async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TRPCClientError, `expected a TRPCClientError, got ${error}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

test('connect, read, list audiences and disconnect through @trpc/client', async () => {
  assert.equal(await admin.mailchimp.connection.get.query(), null);

  const connected = await admin.mailchimp.connection.connect.mutate({ apiKey: SANDBOX_KEY });
  assert.equal(connected.status, 'connected');
  assert.equal(connected.dataCenter, 'us1');
  assert.ok(connected.accountName, 'account name is shown');
  assert.ok(connected.accountId, 'account id is shown');
  assert.match(connected.apiKeyHint, /^…[0-9a-f]{4}-us1$/);
  assert.ok(!JSON.stringify(connected).includes(SANDBOX_KEY), 'the key is never returned');

  const read = await member.mailchimp.connection.get.query();
  assert.deepEqual(read, connected);

  const audiences = await member.mailchimp.connection.listAudiences.query();
  assert.ok(Array.isArray(audiences) && audiences.length >= 2, 'at least two audiences');
  for (const audience of audiences) {
    assert.equal(typeof audience.id, 'string');
    assert.equal(typeof audience.name, 'string');
    assert.equal(typeof audience.memberCount, 'number');
  }

  assert.deepEqual(await admin.mailchimp.connection.disconnect.mutate(), { success: true });
  assert.equal(await admin.mailchimp.connection.get.query(), null);

  const afterDisconnect = await rejection(member.mailchimp.connection.listAudiences.query());
  assert.equal(afterDisconnect.data?.code, 'PRECONDITION_FAILED');
  assert.equal(afterDisconnect.data?.httpStatus, 412);
});

test('errors arrive as TRPCClientError with the codes of api.md', async () => {
  const forbidden = await rejection(member.mailchimp.connection.connect.mutate({ apiKey: SANDBOX_KEY }));
  assert.equal(forbidden.data?.code, 'FORBIDDEN');

  const badKey = await rejection(admin.mailchimp.connection.connect.mutate({ apiKey: 'not-a-key' }));
  assert.equal(badKey.data?.code, 'BAD_REQUEST');
  assert.match(badKey.message, /apiKey/);
  assert.equal(badKey.data?.path, 'mailchimp.connection.connect');

  const unknown = await rejection(admin.mailchimp.connection.nothingHere.query());
  assert.equal(unknown.data?.code, 'NOT_FOUND');

  // The API's JWT authorizer refuses it before any function runs: HTTP 401 with its own body, no tRPC envelope.
  const anonymous = await rejection(clientWith('forged.token.value').mailchimp.connection.get.query());
  assert.equal(anonymous.meta?.response?.status, 401);
  assert.deepEqual(anonymous.meta?.responseJSON, { message: 'Unauthorized' });
});
