/**
 * @module auth/strategies
 * The registered first-factor strategies, by path segment.
 */
import { linkStrategy } from "./link";
import { passwordStrategy } from "./password";
import type { Strategy } from "./types";

// biome-ignore lint/suspicious/noExplicitAny: strategies differ in body type; each validates its own
export type AnyStrategy = Strategy<any>;

export const defaultStrategies: readonly AnyStrategy[] = [passwordStrategy, linkStrategy];
