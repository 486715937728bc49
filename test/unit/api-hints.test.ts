// The API backend's next steps reach users through the redaction of everything that leaves the process: a hint
// worded like a credential field (`token: wrong`) would come out as `token: [REDACTED]`, so every hint must pass
// through redaction unchanged.
import { describe, expect, it } from 'vitest';
import { apiHints, callerHints } from '../../src/membrane/api/api-hints.js';
import type { ApiCredentials } from '../../src/membrane/api/api-credentials.js';
import type { UserActionHints } from '../../src/membrane/membrane-client.js';
import { redact } from '../../src/redact.js';

function everyStep(hints: UserActionHints): string[] {
  return [
    hints.login(),
    hints.connect({ key: 'amocrm', displayName: 'AmoCRM' }),
    hints.reconnect({ id: 'conn-1' }),
    hints.reconnect({ id: 'conn-1', clientAction: { uiUrl: 'https://console.example/reconnect' } }),
    hints.checkAccess('action create'),
    hints.checkAccess('action run'),
  ].map((step) => step.action);
}

const CREDENTIALS: [string, ApiCredentials][] = [
  ['a token', { kind: 'token', token: 'pat-wrongwrongwrong' }],
  ['a workspace key and secret', { kind: 'workspace', workspaceKey: 'ws-key', workspaceSecret: 'ws-secret-value', tenantKey: 'tenant-1' }],
];

describe('API backend next steps survive redaction word for word', () => {
  it.each(CREDENTIALS)('server credentials: %s', (_, credentials) => {
    for (const customUri of [false, true])
      for (const action of everyStep(apiHints(credentials, customUri))) expect(redact(action)).toBe(action);
  });

  it("each caller's own token (--http-auth membrane)", () => {
    for (const customUri of [false, true]) for (const action of everyStep(callerHints(customUri))) expect(redact(action)).toBe(action);
  });
});
