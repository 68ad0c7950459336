/**
 * BENCH_PROFILE=file: a CPU profile of a benchmark's timed part, written as a .cpuprofile that
 * Chrome's DevTools (or any profile viewer) opens. Returns the function that stops and writes it.
 */
export async function startProfile(variable = 'BENCH_PROFILE'): Promise<() => Promise<void>> {
  const { Session } = await import('node:inspector/promises');
  const { writeFile } = await import('node:fs/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(process.env[variable]!, JSON.stringify(profile));
    session.disconnect();
  };
}
