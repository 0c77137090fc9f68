// Secrets in connection URLs stay out of messages (terminals, logs, `errors` records).
import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../runtime/connectors/redact.js';
import { connectRedis } from '../../runtime/connectors/redis/client.js';

describe('redactUrl', () => {
  it('masks passwords and query values, also in text that does not parse and beside environment references', () => {
    expect(redactUrl('rediss://default:s3cret@host:6380/0')).toBe('rediss://default:***@host:6380/0');
    expect(redactUrl('redis://:p@ss@127.0.0.1:6379')).toBe('redis://:***@127.0.0.1:6379');
    expect(redactUrl('https://hooks.example.com/a?token=abc&x=1')).toBe('https://hooks.example.com/a?token=***&x=***');
    expect(redactUrl('redis://:s3cret@[bad')).toBe('redis://:***@[bad');
    expect(redactUrl('https://tok3n@[bad?key=v')).toBe('https://***@[bad?key=***');
    expect(redactUrl('https://hooks.slack.com/services/${SLACK_PATH}?k=v')).toBe('https://hooks.slack.com/services/${SLACK_PATH}?k=***');
    expect(redactUrl('${ALERT_URL}')).toBe('${ALERT_URL}');
    // A password with / ? # or @ unencoded: the text does not parse, and all of it is masked.
    expect(redactUrl('redis://:pa#ss/wo?rd@127.0.0.1:6379')).toBe('redis://:***@127.0.0.1:6379');
    expect(redactUrl('redis://u:p@ss#w/rd@h:1/2')).toBe('redis://u:***@h:1/2');
    expect(redactUrl('redis://:${REDIS_PASSWORD}@h:6379')).toBe('redis://:***@h:6379');
    expect(redactUrl('https://h/${P}?to=a@b.example')).toBe('https://h/${P}?to=***');
    // …also where a parser would find a host in the password and the rest of it in the path.
    expect(redactUrl('redis://:p@ss#word@h:6379')).toBe('redis://:***@h:6379');
    expect(redactUrl('redis://u:1234/ss@h:6379')).toBe('redis://u:***@h:6379');
    expect(redactUrl('https://api.example.com/users/me@x.example/events?k=v')).toBe('https://api.example.com/users/me@x.example/events?k=***');
  });

  it('a Redis URL that does not parse is reported without its password', async () => {
    const err = await connectRedis('redis://:s3cret@[bad', 'save', 500).catch((e: unknown) => e as Error);
    expect(String(err)).toMatch(/^node 'save': url: cannot use redis:\/\/:\*\*\*@\[bad/);
    expect(String(err)).not.toContain('s3cret');
  });
});
