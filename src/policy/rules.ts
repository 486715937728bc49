// What the server lets an agent do, decided before anything runs: read-only mode, allow and deny
// globs, denied proxy methods. Denials name the setting that caused them.
//
// Rules match `connector:x` where x is an action's key, its id or its Membrane type. Whoever builds an
// action (an agent, through create_action) chooses its key, but not its id or its type. So deny rules match
// all three (a renamed delete still has the type delete-data-record), while an allow rule that matches only
// by key admits only an action whose Membrane type proves it reads: a write or delete runs under an allow
// list only when a rule names its type (`amocrm:create-data-record`) or its id.
import picomatch from 'picomatch';
import { ToolError } from '../errors.js';
import type { Settings } from '../config.js';
import type { Action } from '../membrane/membrane-client.js';
import { type ActionKind, classifyAction } from './action-kind.js';

export interface ActionRef {
  id: string;
  key?: string;
  kind: ActionKind;
  /** Membrane action type (`delete-data-record`); allow and deny globs match it too. */
  type?: string;
  /** The kind comes from Membrane (type or isReadOnly), not from a name an agent chose. */
  trusted?: boolean;
}

/** The policy's view of an action. */
export function actionRef(action: Action): ActionRef {
  const c = classifyAction(action);
  return { id: action.id, key: action.key, kind: c.kind, type: action.type, trusted: c.trusted };
}

type Matcher = (subject: string) => boolean;

function matcher(patterns: string[]): Matcher | undefined {
  if (patterns.length === 0) return undefined;
  const m = picomatch(patterns, { nocase: true, dot: true });
  return (subject) => m(subject);
}

export class Policy {
  private readonly allow?: Matcher;
  private readonly deny?: Matcher;
  private readonly deniedMethods: { connector?: string; method: string }[];

  constructor(private readonly settings: Pick<Settings, 'readOnly' | 'allowActions' | 'denyActions' | 'denyMethods'>) {
    this.allow = matcher(settings.allowActions);
    this.deny = matcher(settings.denyActions);
    this.deniedMethods = settings.denyMethods.map((rule) => {
      const [a, b] = rule.includes(':') ? rule.split(':') : [undefined, rule];
      return { connector: a?.toLowerCase(), method: b!.toUpperCase() };
    });
  }

  /** Why the action may not run, or undefined when it may. */
  actionDenial(connector: string, action: ActionRef): ToolError | undefined {
    const subject = (x: string | undefined) => (x ? `${connector}:${x}` : undefined);
    const byKey = subject(action.key);
    const byId = `${connector}:${action.id}`;
    const byType = subject(action.type);
    const label = byKey ?? byId;
    const provenRead = action.kind === 'read' && action.trusted === true;

    if (this.deny && [byKey, byId, byType].some((s) => s !== undefined && this.deny!(s))) {
      return new ToolError('POLICY_DENIED', `${label} is blocked by --deny-actions (${this.settings.denyActions.join(', ')})`, {
        nextStep: 'Pick another action or tell the user this action is disabled on this server.',
        retryable: false,
        details: { setting: 'denyActions' },
      });
    }
    if (this.allow) {
      const admitted =
        this.allow(byId) || (byType !== undefined && this.allow(byType)) || (provenRead && byKey !== undefined && this.allow(byKey));
      if (!admitted && byKey !== undefined && this.allow(byKey)) {
        const what = action.trusted
          ? `its Membrane type (${action.type}) makes it a ${action.kind} action`
          : 'its Membrane type does not prove it only reads';
        return new ToolError(
          'POLICY_DENIED',
          `${label} matches --allow-actions only by its key, which whoever builds an action chooses, and ${what}`,
          {
            nextStep: `Use an allowed read, or tell the user: to let this action run, allow it by id (${byId})${byType ? ` or by type (${byType})` : ''}.`,
            retryable: false,
            details: { setting: 'allowActions', kind: action.kind, ...(action.type ? { type: action.type } : {}) },
          },
        );
      }
      if (!admitted) {
        return new ToolError('POLICY_DENIED', `${label} is not in --allow-actions (${this.settings.allowActions.join(', ')})`, {
          nextStep: 'Use an allowed action, or tell the user this action is not enabled on this server.',
          retryable: false,
          details: { setting: 'allowActions' },
        });
      }
    }
    if (this.settings.readOnly && !provenRead) {
      const what =
        action.kind === 'read' ? 'an action whose type does not prove it only reads (only its name does)' : `a ${action.kind} action`;
      return new ToolError(
        'POLICY_DENIED',
        `${label} is ${what} and the server runs in read-only mode (--read-only / MEMBRANE_CRM_READ_ONLY)`,
        {
          nextStep:
            'Only read actions can run here (or use proxy_request with GET); tell the user a change needs a server without --read-only.',
          retryable: false,
          details: { setting: 'readOnly', kind: action.kind },
        },
      );
    }
    return undefined;
  }

  methodDenial(connector: string, method: string): ToolError | undefined {
    const m = method.toUpperCase();
    if (this.settings.readOnly && m !== 'GET' && m !== 'HEAD') {
      return new ToolError(
        'POLICY_DENIED',
        `${m} requests are refused in read-only mode (--read-only / MEMBRANE_CRM_READ_ONLY); only GET and HEAD are allowed`,
        {
          nextStep: 'Read with GET; tell the user a change needs a server without --read-only.',
          retryable: false,
          details: { setting: 'readOnly' },
        },
      );
    }
    const rule = this.deniedMethods.find((r) => r.method === m && (!r.connector || r.connector === connector.toLowerCase()));
    if (rule) {
      return new ToolError(
        'POLICY_DENIED',
        `${m} requests to ${connector} are blocked by --deny-methods (${this.settings.denyMethods.join(', ')})`,
        {
          nextStep: 'Use another method or an action, or tell the user this is disabled on this server.',
          retryable: false,
          details: { setting: 'denyMethods' },
        },
      );
    }
    return undefined;
  }
}
