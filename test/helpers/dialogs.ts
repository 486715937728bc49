// What a client's user does with a confirmation dialog: one stand-in for every e2e file that needs one.
import type { Client } from '@modelcontextprotocol/client';

export type DialogAnswer = 'accept' | 'decline' | 'cancel';

/**
 * An elicitation handler (a StartOptions `setup`) that records each question the user is asked and answers the
 * confirmation form with `answer()`, read at each dialog so a test can change its mind between calls.
 */
export function answerDialogs(asked: string[], answer: () => DialogAnswer = () => 'accept') {
  return (client: Client) =>
    client.setRequestHandler('elicitation/create', (req) => {
      asked.push(req.params.message);
      const a = answer();
      return a === 'accept' ? { action: a, content: { confirm: true } } : { action: a };
    });
}
