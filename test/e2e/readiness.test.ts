/**
 * `/ready` tells a load balancer ok or not ok, and nothing more: while the database fails its probe
 * (here its `users` table is renamed away under the running server, on SQLite or Postgres alike)
 * the answer is a bare 503 `{"status":"unavailable"}`, and the driver's error goes to the server's
 * log once per failure, not once per probe.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { http } from '../support/http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { needsPostgres } from '../support/services.js';
import { createTestBackend, type TestBackend } from '../support/test-backend.js';

const FAILURE_LOG = 'database not reachable';

describe('/ready when the database fails', () => {
  let server: ServerProcess;

  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
  });

  const failuresLogged = async (): Promise<string[]> => {
    await new Promise((resolve) => setTimeout(resolve, 100));
    return server.output().split('\n').filter((line) => line.includes(FAILURE_LOG));
  };

  it('answers a bare 503 while the database fails, logs the cause once per failure, and is ready again after', async () => {
    const ready = await http(`${server.url}/ready`);
    assert.equal(ready.status, 200);
    assert.equal(ready.text, '{"status":"ready"}');

    for (const failure of [1, 2]) {
      await server.query('ALTER TABLE users RENAME TO users_gone');
      for (let i = 0; i < 5; i++) {
        const res = await http(`${server.url}/ready`);
        assert.equal(res.status, 503);
        assert.equal(res.text, '{"status":"unavailable"}', 'no driver message, table, database or host');
        assert.match(String(res.headers['content-type']), /^application\/json/);
      }
      const logged = await failuresLogged();
      assert.equal(logged.length, failure, `one log line per failure, not one per probe:\n${server.output()}`);
      assert.match(logged.at(-1)!, /users/, 'the log keeps the cause');

      await server.query('ALTER TABLE users_gone RENAME TO users');
      const again = await http(`${server.url}/ready`);
      assert.equal(again.status, 200);
      assert.equal(again.text, '{"status":"ready"}');
    }
    assert.equal((await http(`${server.url}/health`)).status, 200, 'liveness does not depend on the database');
  });
});

describe('Postgres ending idle connections', { skip: needsPostgres }, () => {
  let backend: TestBackend;
  let server: ServerProcess;

  before(async () => {
    backend = await createTestBackend(true);
    server = await startServer({ env: backend.env });
  });
  after(async () => {
    await server?.stop();
    await backend?.drop();
  });

  it('does not end the server: the pool drops them and the next request opens another', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await http(`${server.url}/ready`)).status, 200);
    const database = new URL(backend.env.DATABASE_URL).pathname.slice(1);
    await server.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}' AND pid <> pg_backend_pid()`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(server.proc.exitCode, null, `the server exited:\n${server.output()}`);
    assert.equal((await http(`${server.url}/ready`)).status, 200);
    assert.equal((await http(`${server.url}/ai/models`)).status, 200);
  });
});
