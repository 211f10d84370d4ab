import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { needsRedis, REDIS_URL } from '../../test/support/services.js';
import { RedisCooldowns } from './redis-cooldowns.js';

describe('cooldowns shared through Redis', { skip: needsRedis }, () => {
  const prefix = `opensq-unit-${process.pid}-${Date.now()}:`;
  const connections: Redis[] = [];
  const connect = () => {
    const redis = new Redis(REDIS_URL);
    connections.push(redis);
    return redis;
  };
  let first: RedisCooldowns;
  let second: RedisCooldowns;
  const heard: Array<[string, number, string]> = [];

  before(async () => {
    first = await RedisCooldowns.attach(connect(), connect(), prefix);
    second = await RedisCooldowns.attach(connect(), connect(), prefix);
    second.onCooldown((deployment, until, kind) => heard.push([deployment, until, kind]));
  });
  after(() => {
    for (const redis of connections) redis.disconnect();
  });

  it('announces cooldowns and pauses with their kind, and keeps them for instances starting later', async () => {
    const until = Date.now() + 5000;
    first.publish('a/m', until, 'cooldown');
    first.publish('b/m', until, 'pause');
    for (let i = 0; i < 50 && heard.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(heard, [['a/m', until, 'cooldown'], ['b/m', until, 'pause']]);
    const late: Array<[string, number, string]> = [];
    const third = await RedisCooldowns.attach(connect(), connect(), prefix);
    third.onCooldown((deployment, u, kind) => late.push([deployment, u, kind]));
    await third.loadExisting();
    assert.deepEqual(late.sort(), [['a/m', until, 'cooldown'], ['b/m', until, 'pause']]);
  });

  it('ignores a message it cannot read and messages of other channels on the shared subscriber', async () => {
    const publisher = connect();
    const before = heard.length;
    await publisher.publish(`${prefix}cooldowns`, 'not json');
    await publisher.publish(`${prefix}cooldowns`, '{"a":1}');
    await publisher.publish(`${prefix}keys`, JSON.stringify(['x/m', Date.now() + 1000]));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(heard.length, before);
  });
});
