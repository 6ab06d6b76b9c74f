import { referenceMessage, startIngest, type Ingest } from '../support/ingest-harness';
import { testPrefix } from '../support/redis';

let n = 0;
const message = (from = '+15550000001') => referenceMessage({ id: `rl-${++n}`, from });

describe('per-IP limit', () => {
  let ingest: Ingest;
  beforeAll(async () => {
    ingest = await startIngest({ RATE_LIMIT_PER_IP: '3', RATE_LIMIT_PER_PHONE: '0' });
  });
  afterAll(() => ingest.close());

  it('answers 429 RATE_LIMITED with Retry-After and standard RateLimit headers past the limit', async () => {
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await ingest.post(message(`+1555000100${i}`)));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 429]);
    const limited = answers[3];
    expect(limited.body!.error).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 3, window_seconds: 60 } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('ratelimit-policy')).toMatch(/^3;w=60/);
    expect(answers[0].headers.get('ratelimit')).toMatch(/limit=3, remaining=2/);
  });

  it('does not count /health or /status', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await ingest.get('/health')).status).toBe(200);
      expect((await ingest.get('/status')).status).toBe(200);
    }
  });

  it('counts refusals on /metrics', async () => {
    expect(await ingest.scrape()).toMatch(/webhook_rate_limited_total\{limit="ip"\} [1-9]/);
  });
});

describe('per-phone limit', () => {
  let ingest: Ingest;
  beforeAll(async () => {
    ingest = await startIngest({ RATE_LIMIT_PER_IP: '0', RATE_LIMIT_PER_PHONE: '2' });
  });
  afterAll(() => ingest.close());

  it('limits one sender without touching another', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await ingest.post(message('+15550000002'))).status);
    expect(statuses).toEqual([202, 202, 429]);
    expect((await ingest.post(message('+15550000003'))).status).toBe(202);
  });

  it('is checked after the signature: unsigned floods do not use up a customer’s allowance', async () => {
    for (let i = 0; i < 3; i++) expect((await ingest.post(message('+15550000004'), { scheme: 'none' })).status).toBe(401);
    expect((await ingest.post(message('+15550000004'))).status).toBe(202);
  });
});

describe('limits hold across replicas', () => {
  it('counts in Redis, so two ingest instances share one allowance', async () => {
    const prefix = testPrefix('replicas');
    const a = await startIngest({ RATE_LIMIT_PER_IP: '2', RATE_LIMIT_PER_PHONE: '0' }, { prefix });
    const b = await startIngest({ RATE_LIMIT_PER_IP: '2', RATE_LIMIT_PER_PHONE: '0' }, { prefix });
    try {
      expect((await a.post(message())).status).toBe(202);
      expect((await b.post(message())).status).toBe(202);
      expect((await a.post(message())).status).toBe(429);
      expect((await b.post(message())).status).toBe(429);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
