/** What every benchmark scenario module in `src/scenarios/` exports as `scenario`. */
export interface Scenario {
  /** Sorts the scenarios and names their result files, e.g. `1-peer-workload`. */
  id: string;
  title: string;
  run(options: RunOptions): Promise<ScenarioReport>;
}

export interface RunOptions {
  /** Repetitions of each measurement; reports give the median of them. */
  runs: number;
  /** Length of one load run, for scenarios that drive load for a fixed time. */
  durationSeconds: number;
  log(message: string): void;
}

export interface ScenarioReport {
  /** A BENCHMARKS.md section body: tables of absolute figures and ratios, each target and whether it was met. */
  markdown: string;
  /** The raw figures, written to `results/<id>.json`. */
  data: unknown;
}
