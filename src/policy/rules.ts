// What the server lets an agent do, decided before anything runs: read-only mode, allow and deny
// globs over `connector:actionKey`, denied proxy methods. Denials name the setting that caused them.
import picomatch from 'picomatch';
import { ToolError } from '../errors.js';
import type { Settings } from '../config.js';
import type { Action } from '../membrane/membrane-client.js';
import { type ActionKind, classifyAction, kindFromName } from './action-kind.js';

export interface ActionRef {
  id: string;
  key?: string;
  kind: ActionKind;
  /** Membrane action type (`delete-data-record`); deny globs match it too. */
  type?: string;
  /** The kind comes from Membrane, not from a name an agent chose (see results/cards.ts). */
  trusted?: boolean;
  /** Kind implied by the type, and by the name: an allow list refuses an action whose name hides what its type does. */
  typeKind?: ActionKind;
  nameKind?: ActionKind;
}

/** The policy's view of an action. */
export function actionRef(action: Action): ActionRef {
  const c = classifyAction(action);
  return {
    id: action.id,
    key: action.key,
    kind: c.kind,
    type: action.type,
    trusted: c.trusted,
    typeKind: c.typeKind,
    nameKind: kindFromName(action),
  };
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

  /** Subjects an action is matched as: by key and by id, each as `connector:x`. */
  private subjects(connector: string, action: ActionRef): string[] {
    return [action.key, action.id].filter((x): x is string => !!x).map((x) => `${connector}:${x}`);
  }

  /** Why the action may not run, or undefined when it may. */
  actionDenial(connector: string, action: ActionRef): ToolError | undefined {
    const subjects = this.subjects(connector, action);
    const label = subjects[0];
    // Deny rules also match the Membrane type: an agent names the actions it builds, not their type.
    const denySubjects = action.type ? [...subjects, `${connector}:${action.type}`] : subjects;
    if (this.deny && denySubjects.some(this.deny)) {
      return new ToolError('POLICY_DENIED', `${label} is blocked by --deny-actions (${this.settings.denyActions.join(', ')})`, {
        nextStep: 'Pick another action or tell the user this action is disabled on this server.',
        retryable: false,
        details: { setting: 'denyActions' },
      });
    }
    const mislabelled = action.nameKind === 'read' && (action.typeKind === 'write' || action.typeKind === 'destructive');
    if (this.allow && mislabelled) {
      return new ToolError(
        'POLICY_DENIED',
        `${label} is named like a read but its Membrane type is ${action.type}; --allow-actions matches names, so it is refused`,
        {
          nextStep: 'Use an action whose name matches what it does, or tell the user this action is not allowed on this server.',
          retryable: false,
          details: { setting: 'allowActions', type: action.type },
        },
      );
    }
    if (this.allow && !subjects.some(this.allow)) {
      return new ToolError('POLICY_DENIED', `${label} is not in --allow-actions (${this.settings.allowActions.join(', ')})`, {
        nextStep: 'Use an allowed action, or tell the user this action is not enabled on this server.',
        retryable: false,
        details: { setting: 'allowActions' },
      });
    }
    if (this.settings.readOnly && (action.kind !== 'read' || action.trusted === false)) {
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
