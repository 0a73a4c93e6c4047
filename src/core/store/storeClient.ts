/** What readers of the store need: its named queries (the `Store`, or a stand-in in tests). */
import type { QueryName, QueryParams, QueryResult } from './queries/registry';

export interface StoreClient {
  query<K extends QueryName>(name: K, params: QueryParams<K>): Promise<QueryResult<K>>;
}
