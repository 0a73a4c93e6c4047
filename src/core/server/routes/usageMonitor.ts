import type { Router } from 'express';
import type { ServerContext } from '../context';

/** Placeholder: routes land with their issue. */
export function register(_router: Router, _ctx: ServerContext): void {}
