import { pathGlobMatches, pathGlobProblem } from '../../services/ghl-sandbox/src/path-glob';

describe('fault rule path globs', () => {
  it.each([
    ['POST /conversations/messages', 'POST /conversations/messages', true],
    ['POST /conversations/messages', 'POST /conversations/messages/x', false],
    ['POST /conversations/messages', 'GET /conversations/messages', false],
    ['GET /contacts/*', 'GET /contacts/abc', true],
    ['GET /contacts/*', 'GET /contacts/abc/appointments', true],
    ['GET /contacts/*', 'GET /contacts', false],
    ['GET /contacts/*/appointments', 'GET /contacts/abc/appointments', true],
    ['GET /contacts/*/appointments', 'GET /contacts/abc/tags', false],
    ['* /calendars/*', 'PUT /calendars/events/appointments/x', true],
    ['* /calendars/*', 'GET /contacts/calendars/x', false],
    ['GET /a*a*a', 'GET /aa', false],
    ['GET /a*a*a', 'GET /aaa', true],
    ['GET /x.y', 'GET /xzy', false], // `.` is itself, not "any character"
    ['GET /**', 'GET /', true],
  ])('%s against %s: %s', (glob, text, expected) => {
    expect(pathGlobProblem(glob)).toBeNull();
    expect(pathGlobMatches(glob, text)).toBe(expected);
  });

  it('takes time linear in the path, even for a pattern that would make a backtracking matcher explode', () => {
    const glob = `GET /${'*a'.repeat(90)}*b`;
    expect(pathGlobProblem(glob)).toBeNull();
    const text = `GET /${'a'.repeat(200_000)}`;
    const started = process.hrtime.bigint();
    expect(pathGlobMatches(glob, text)).toBe(false);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(elapsedMs).toBeLessThan(1000); // a few ms in practice; a backtracking matcher would not finish
  });

  it('refuses regular expressions, shapeless and overlong patterns with a reason', () => {
    expect(pathGlobProblem('^POST /conversations/messages$')).toMatch(/not a regular expression/);
    expect(pathGlobProblem('(a+)+$')).toMatch(/not a regular expression/);
    expect(pathGlobProblem('/contacts/abc')).toMatch(/METHOD \/path/);
    expect(pathGlobProblem('get /contacts')).toMatch(/METHOD \/path/);
    expect(pathGlobProblem(`GET /${'a'.repeat(300)}`)).toMatch(/at most/);
  });
});
