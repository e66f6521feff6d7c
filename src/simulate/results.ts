import type { AggregatedRegime } from './aggregate.js';
import type { SimulationConfig } from './config.js';
import type { RepeatResult } from './repeat.js';

/** Everything a simulation wrote to results.json. */
export interface SimulationResults {
  name: string;
  description?: string;
  config: SimulationConfig;
  seeds: number[];
  workers: number;
  wallSeconds: number;
  repeats: Omit<RepeatResult, 'regimes'>[];
  regimes: AggregatedRegime[];
}
