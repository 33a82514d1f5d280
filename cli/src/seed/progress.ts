import cliProgress from 'cli-progress';

/** What a phase reports as it goes: items done, of which newly created or failed. */
export interface PhaseProgress {
  tick(outcome: 'created' | 'existing' | 'failed', count?: number): void;
  end(): PhaseCounts;
}

export interface PhaseCounts {
  phase: string;
  total: number;
  created: number;
  existing: number;
  failed: number;
}

export type Reporter = {
  phase(name: string, total: number): PhaseProgress;
  line(text: string): void;
};

/**
 * A bar per phase on a terminal; on a pipe or log file (the start command, CI) plain lines at
 * every tenth and at the end, since carriage-return redraws would only fill the log.
 */
export function consoleReporter(stream: NodeJS.WriteStream = process.stdout): Reporter {
  const tty = Boolean(stream.isTTY);
  return {
    line: (text) => {
      stream.write(`${text}\n`);
    },
    phase(name, total) {
      const counts: PhaseCounts = { phase: name, total, created: 0, existing: 0, failed: 0 };
      const label = name.padEnd(10);
      let done = 0;
      let nextMark = total / 10;
      const bar = tty
        ? new cliProgress.SingleBar(
            {
              stream,
              format: `${label} {bar} {value}/{total} | new {created} | existing {existing} | failed {failed} | {duration_formatted}`,
              hideCursor: true,
              clearOnComplete: false,
            },
            cliProgress.Presets.shades_classic,
          )
        : undefined;
      bar?.start(total, 0, { created: 0, existing: 0, failed: 0 });
      const summary = () =>
        `${label} ${done}/${total} (new ${counts.created}, existing ${counts.existing}, failed ${counts.failed})`;
      return {
        tick(outcome, count = 1) {
          counts[outcome] += count;
          done += count;
          if (bar) bar.update(done, counts);
          else if (done >= nextMark && done < total) {
            stream.write(`${summary()}\n`);
            while (nextMark <= done) nextMark += total / 10;
          }
        },
        end() {
          if (bar) bar.stop();
          else stream.write(`${summary()}\n`);
          return counts;
        },
      };
    },
  };
}

/** Reports nothing (tests read the returned counts instead). */
export const silentReporter: Reporter = {
  line: () => undefined,
  phase(name, total) {
    const counts: PhaseCounts = { phase: name, total, created: 0, existing: 0, failed: 0 };
    return {
      tick: (outcome, count = 1) => {
        counts[outcome] += count;
      },
      end: () => counts,
    };
  },
};
