// Argument parsing (unit): values that look like flags stay values; short, repeatable and body flags.
import { describe, expect, it } from 'vitest';
import { ArgvProblem, parseArgv, parseIntFlag, parseSecondsFlag } from '../../src/sandbox/args.js';

describe('parseArgv', () => {
  it('takes --k=v and --k v, with positionals anywhere', () => {
    const a = parseArgv(['action', '--connectionId=abc', 'run', '--input', '{"a":1}', 'create-lead', '--json']);
    expect(a.positionals).toEqual(['action', 'run', 'create-lead']);
    expect(a.string('connectionId')).toBe('abc');
    expect(a.string('input')).toBe('{"a":1}');
    expect(a.flag('json')).toBe(true);
    expect(a.rest(2)).toEqual(['create-lead']);
  });

  it('a value that looks like a flag is a value, in both spellings', () => {
    expect(parseArgv(['--input=--help']).string('input')).toBe('--help');
    expect(parseArgv(['--input', '--help']).string('input')).toBe('--help');
    expect(parseArgv(['--intent=-X DELETE']).string('intent')).toBe('-X DELETE');
    expect(parseArgv(['--intent', '-X DELETE']).string('intent')).toBe('-X DELETE');
    const a = parseArgv(['--intent', '--json']);
    expect(a.string('intent')).toBe('--json');
    expect(a.flag('json')).toBe(false);
    expect(a.flag('help')).toBe(false);
  });

  it('short -X -H -d, repeatable -H/--header, --query and --pathParam', () => {
    const a = parseArgv([
      'request',
      'c1',
      '/p',
      '-XPOST',
      '-H',
      'Accept: a/b',
      '--header=X-A: 1',
      '-H',
      'X-B: 2',
      '-d',
      '-not-a-flag',
      '--query',
      'a=1',
      '--query=b=2',
      '--pathParam',
      'id=5',
    ]);
    expect(a.string('method')).toBe('POST');
    expect(a.strings('header')).toEqual(['Accept: a/b', 'X-A: 1', 'X-B: 2']);
    expect(a.string('data')).toBe('-not-a-flag');
    expect(a.strings('query')).toEqual(['a=1', 'b=2']);
    expect(a.strings('pathParam')).toEqual(['id=5']);
    expect(a.positionals).toEqual(['request', 'c1', '/p']);
  });

  it('--json followed by {…} or […] is a JSON body; a bare --json is the output flag', () => {
    const body = parseArgv(['request', 'c', '/p', '--json', '{"a":1}']);
    expect(body.jsonBody).toBe('{"a":1}');
    expect(body.flag('json')).toBe(false);
    expect(body.positionals).toEqual(['request', 'c', '/p']);
    const both = parseArgv(['request', 'c', '/p', '--json', '[1]', '--json']);
    expect(both.jsonBody).toBe('[1]');
    expect(both.flag('json')).toBe(true);
    expect(parseArgv(['request', 'c', '/p', '--json={"x":2}']).jsonBody).toBe('{"x":2}');
    const bare = parseArgv(['request', '--json', 'c', '/p']);
    expect(bare.jsonBody).toBeUndefined();
    expect(bare.flag('json')).toBe(true);
    expect(bare.positionals).toEqual(['request', 'c', '/p']);
    // A -d value is never mistaken for the shorthand.
    const data = parseArgv(['request', 'c', '/p', '-d', '--json']);
    expect(data.string('data')).toBe('--json');
    expect(data.jsonBody).toBeUndefined();
  });

  it('booleans accept =true/=false; -- ends the flags', () => {
    expect(parseArgv(['--wait=true']).flag('wait')).toBe(true);
    expect(parseArgv(['--wait', '--wait=false']).flag('wait')).toBe(false);
    expect(parseArgv(['search', '--', '--json']).positionals).toEqual(['search', '--json']);
  });

  it('rejects a string flag without value, a value on a boolean, and options the command does not take', () => {
    expect(() => parseArgv(['search', '--limit'])).toThrow(ArgvProblem);
    expect(() => parseArgv(['--wait=soon'])).toThrow(/does not take a value/);
    const a = parseArgv(['status', '--bogus', '-Z', '--input={}']);
    expect(() => a.checkOptions([])).toThrow(/Unknown option --bogus/);
    expect(() => parseArgv(['status', '--input={}']).checkOptions([])).toThrow(/Unknown option --input/);
    expect(() => parseArgv(['action', 'run', '--input={}', '--json']).checkOptions(['input'])).not.toThrow();
  });
});

describe('numeric flags', () => {
  it('--limit is a whole number in range; --timeout a positive number of seconds', () => {
    expect(parseIntFlag(undefined, 'limit', 1, 10)).toBeUndefined();
    expect(parseIntFlag('5', 'limit', 1, 10)).toBe(5);
    expect(() => parseIntFlag('0', 'limit', 1, 10)).toThrow(/between 1 and 10/);
    expect(() => parseIntFlag('2.5', 'limit', 1, 10)).toThrow(/whole number/);
    expect(parseSecondsFlag(undefined, 'timeout', 30, 60)).toBe(30);
    expect(parseSecondsFlag('0.5', 'timeout', 30, 60)).toBe(0.5);
    expect(() => parseSecondsFlag('61', 'timeout', 30, 60)).toThrow(ArgvProblem);
    expect(() => parseSecondsFlag('soon', 'timeout', 30, 60)).toThrow(ArgvProblem);
  });
});
