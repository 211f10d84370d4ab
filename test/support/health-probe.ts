import { spawn } from 'node:child_process';

/** A child process that GETs /health every 5 ms and reports each latency in ms when told to stop. */
export function startHealthProbe(baseUrl: string): { ready: Promise<void>; stop(): Promise<number[]> } {
  const script = `
    const latencies = [];
    let running = true;
    process.stdin.on('data', () => (running = false));
    (async () => {
      await (await fetch(${JSON.stringify(`${baseUrl}/health`)})).text();
      process.stdout.write('ready');
      while (running) {
        const started = performance.now();
        const res = await fetch(${JSON.stringify(`${baseUrl}/health`)});
        await res.text();
        if (res.status !== 200) throw new Error('health answered ' + res.status);
        latencies.push(performance.now() - started);
        await new Promise((r) => setTimeout(r, 5));
      }
      process.stdout.write(JSON.stringify(latencies));
      process.exit(0);
    })();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  return {
    ready,
    async stop() {
      child.stdin.write('stop');
      await exited;
      return JSON.parse(out.slice('ready'.length)) as number[];
    },
  };
}
