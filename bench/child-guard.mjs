// Preloaded (`node --import ./bench/child-guard.mjs ...`) into every child the benchmark starts:
// if the runner (BENCH_PARENT_PID) disappears without cleaning up — e.g. it was SIGKILLed — the
// child stops itself instead of lingering. One cheap `kill(pid, 0)` per second; the timer is
// unref'd so it never keeps a process alive.
const parent = Number(process.env.BENCH_PARENT_PID);
if (Number.isInteger(parent) && parent > 1) {
  const timer = setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch (error) {
      if (error && error.code === 'EPERM') return;
      clearInterval(timer);
      setTimeout(() => process.exit(1), 3000).unref();
      process.kill(process.pid, 'SIGTERM');
    }
  }, 1000);
  timer.unref();
}
