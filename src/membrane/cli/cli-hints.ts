// What users must do, in the CLI's words: the exact command, as they would type it (`membrane …`, or the
// sandbox's `MEMBRANE_SANDBOX_DB=… node …/cli.js …`, since `membrane-sandbox` is not on PATH in a clone). The sandbox's
// REST front uses them too (sandbox-api-client.ts): its CLI is how a user connects to the same store.
import { type Backend, isSandbox, type UserActionHints, type UserStep } from '../membrane-client.js';

export function cliHints(cli: string, backend: Backend): UserActionHints {
  const sandbox = isSandbox(backend);
  return {
    login(): UserStep {
      return {
        action: `run \`${cli} login --tenant --clientName=<claude|codex|cursor>\` in a terminal (headless: open the printed URL, then \`${cli} login complete <code>\`)`,
        command: `${cli} login --tenant`,
      };
    },
    connect(connector): UserStep {
      const command = `${cli} connect --connectorKey=${connector.key}`;
      // The sandbox connects at once; the real CLI sends the user through the CRM's own authorization page.
      return { action: `run \`${command}\`${sandbox ? '' : ` (it opens a browser to authorize ${connector.displayName})`}`, command };
    },
    reconnect(connection): UserStep {
      const command = `${cli} connect --connectionId=${connection.id ?? '<id>'}`;
      const uiUrl = connection.clientAction?.uiUrl;
      return uiUrl ? { action: `open ${uiUrl} to reconnect`, command, uiUrl } : { action: `run \`${command}\``, command };
    },
    checkAccess(operation): UserStep {
      const command = `${cli} status`;
      return operation === 'action create'
        ? {
            action: `check that the CLI's login may create actions (\`${command}\` shows its workspace and tenant; a tenant login may be refused what a workspace member may do)`,
            command,
          }
        : { action: `check that the CLI is logged in to the right workspace and tenant (\`${command}\`)`, command };
    },
  };
}
