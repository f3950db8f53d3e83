import type { CoordinationSettings } from '../ports/settings.js';

/**
 * Replicas: a lease of a minute, renewed every 20 s; waiters look every 2 s; a serving replica
 * compares the stored certificate with its own every minute (events usually tell it sooner).
 * In a module of its own (no tsyringe): the configuration reads it while
 * the process is still on its early path, before reflect-metadata and the use-cases are loaded.
 */
export const DEFAULT_COORDINATION: CoordinationSettings = { leaseMs: 60_000, pollMs: 2000, followMs: 60_000 };
