import { z } from 'zod';

/** The name of a run, comparison or simulation: its default output folder is runs/<name>. */
export const runNameSchema = z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only');

/** The seed every random stream of a run derives from. */
export const runSeedSchema = z.number().int().min(0).max(2 ** 32 - 1).default(1);
