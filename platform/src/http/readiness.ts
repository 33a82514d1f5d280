/**
 * Runs one readiness check with a time budget: a check that throws, or has not answered within
 * `ms`, counts as failed. A probe then gets a prompt 503 naming the slow dependency (a database
 * pool busy with a replay, a Redis that does not answer) instead of a request that hangs until
 * the prober gives up.
 */
export async function checkWithin(check: () => Promise<boolean>, ms = 2_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([check().catch(() => false), late]);
  } finally {
    clearTimeout(timer);
  }
}
