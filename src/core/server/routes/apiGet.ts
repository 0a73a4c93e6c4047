/**
 * Not a route module: how route modules register a JSON GET of the API. The route is a key of
 * `ApiGetResponses` (contracts/apiRoutes.ts) and the handler's `res.json` takes that route's shape
 * (or an `ApiError`), so a route answering another shape fails `tsc`. A `QueryParamError` becomes a
 * 400 naming the parameter; any other error goes to the app's error handler.
 */
import type { Request, Response, Router } from 'express';
import type { ApiError } from '../../contracts/api';
import type { ApiGetResponses, ApiGetRoute } from '../../contracts/apiRoutes';
import { QueryParamError, sendParamError } from '../queryParams';

export type ApiGetResponse<R extends ApiGetRoute> = Response<ApiGetResponses[R] | ApiError>;

export function apiGet<R extends ApiGetRoute>(router: Router, route: R, handler: (req: Request, res: ApiGetResponse<R>) => void | Promise<void>): void {
  router.get(route, async (req, res, next) => {
    try {
      await handler(req, res);
    } catch (e) {
      if (e instanceof QueryParamError) sendParamError(res, e);
      else next(e);
    }
  });
}
