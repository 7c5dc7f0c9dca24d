/** The identity service's route tables: `METHOD /path/:param`, a trailing slash tolerated. */
import { RouteTable, type Method } from "@tandem/shared/http";

export type { Method };

export class Router<H> extends RouteTable<H> {
  constructor() {
    super({ trailingSlash: true });
  }
}
